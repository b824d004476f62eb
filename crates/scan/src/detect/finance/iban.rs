//! International bank account numbers: a country code, two check digits and the national account
//! number, written compact (`DE89370400440532013000`) or in groups (`DE89 3704 0044 0532 0130 00`,
//! `AL47-2121-…`), with the country's registered length and ISO 7064 mod-97 = 1.
//!
//! Letters must be in one case (`gb82west…` is accepted, `GI75 aWBK…` is not). The national part's
//! per-country layout (which positions are letters) is not checked: the length and the mod-97 check
//! already leave about one chance in a hundred million for a random string of the right shape.

use crate::context::{ContextWords, boost};
use crate::detect::{Detector, Sink};
use crate::doc::Doc;
use crate::entity::EntityType;
use crate::validate;

const CONTEXT: &[&str] = &[
    "iban", "bank", "account", "transfer", "wire", "sepa", "konto",
];

#[derive(Debug)]
pub(super) struct Iban {
    context: ContextWords,
}

impl Default for Iban {
    fn default() -> Iban {
        Iban {
            context: ContextWords::new(CONTEXT),
        }
    }
}

impl Detector for Iban {
    fn entities(&self) -> &[EntityType] {
        &[EntityType::IbanCode]
    }

    fn detect(&self, doc: &Doc<'_>, sink: &mut Sink<'_>) {
        if !doc.present.digit {
            return;
        }
        let bytes = doc.bytes;
        for (i, word) in doc.digit_words() {
            let start = word.start as usize;
            if word.len() < 4 || word.len() > 34 || !word.has(crate::doc::shape::DIGIT) {
                continue;
            }
            let head = &bytes[start..start + 4];
            if !(head[0].is_ascii_alphabetic()
                && head[1].is_ascii_alphabetic()
                && head[2].is_ascii_digit()
                && head[3].is_ascii_digit())
            {
                continue;
            }
            let country = [head[0].to_ascii_uppercase(), head[1].to_ascii_uppercase()];
            let Some(length) = validate::iban_length(&country) else {
                continue;
            };
            let Some(end) = iban_end(doc, i, length) else {
                continue;
            };
            let value = &doc.text[start..end];
            let has_upper = value.bytes().any(|b| b.is_ascii_uppercase());
            let has_lower = value.bytes().any(|b| b.is_ascii_lowercase());
            if has_upper && has_lower || !validate::iban(value) {
                continue;
            }
            let score = if self.context.near(doc, start, end) {
                boost(1.0)
            } else {
                1.0
            };
            sink.push(start, end, EntityType::IbanCode, score, "iban");
        }
    }
}

/// The end of an IBAN of `length` characters that starts with word `first`: the word itself when it
/// has that length, or the word followed by groups joined by single spaces or dashes (one kind) that
/// add up to exactly `length`.
fn iban_end(doc: &Doc<'_>, first: usize, length: usize) -> Option<usize> {
    let words = &doc.words;
    let bytes = doc.bytes;
    let first_word = words[first];
    if first_word.len() == length {
        return Some(first_word.end as usize);
    }
    if first_word.len() > 8 {
        return None;
    }
    let mut total = first_word.len();
    let mut end = first_word.end as usize;
    let mut sep = None;
    for word in &words[first + 1..] {
        let gap = &bytes[end..word.start as usize];
        let &[g @ (b' ' | b'-')] = gap else {
            return None;
        };
        if sep.is_some_and(|s| s != g) || word.has(crate::doc::shape::NON_ASCII) || word.len() > 4 {
            return None;
        }
        sep = Some(g);
        total += word.len();
        end = word.end as usize;
        if total == length {
            return Some(end);
        }
        if total > length || word.len() < 4 {
            return None;
        }
    }
    None
}

#[cfg(test)]
mod tests {
    use crate::EntityType;
    use crate::testing::values_of;

    fn check(input: &str, expect: &[&str]) {
        assert_eq!(
            values_of(input, &EntityType::IbanCode),
            expect,
            "in {input:?}"
        );
    }

    #[test]
    fn finds_compact_grouped_and_lower_case_ibans() {
        check(
            "My IBAN is GB82WEST12345698765432.",
            &["GB82WEST12345698765432"],
        );
        check(
            "iban VG96 VPVG 0000 0123 4567 8901 X in",
            &["VG96 VPVG 0000 0123 4567 8901"],
        );
        check(
            "AL47-2121-1009-0000-0002-3569-8741",
            &["AL47-2121-1009-0000-0002-3569-8741"],
        );
        check(
            "my iban is gb82west12345698765432",
            &["gb82west12345698765432"],
        );
        check(
            "BR97 0036 0305 0000 1000 9795 493P 1",
            &["BR97 0036 0305 0000 1000 9795 493P 1"],
        );
    }

    #[test]
    fn rejects_bad_checksums_mixed_case_and_separators() {
        check("GB82 WEST 1234 5698 7654 33", &[]);
        check("LV80 bANK 0000 4351 9500 1", &[]);
        check("AL47/2121/1009/0000/0002/3569/8741", &[]);
        check("AL47 2121-1009 0000 0002 3569 8741", &[]);
        check("AM47212110090000000235698740 and IL15 0120 6900 0000", &[]);
    }

    #[test]
    fn finds_ibans_through_normalisation() {
        let input = "IBAN: ＧＢ８２ ＷＥＳＴ\u{00A0}1234 5698 7654 32";
        check(input, &["ＧＢ８２ ＷＥＳＴ\u{00A0}1234 5698 7654 32"]);
    }
}
