//! US bank account numbers, ABA routing transit numbers and SWIFT/BIC codes.
//!
//! - `US_BANK_NUMBER`: 8–17 plain digits. Nothing in the number says "bank account", so it scores 0.05
//!   alone (as in Presidio) and 0.45 next to words such as `account`, `acct`, `checking`.
//! - `ABA_ROUTING_NUMBER`: 9 digits with the 3-7-1 checksum and a Federal Reserve prefix. Plain, one
//!   9-digit number in about twenty passes, so it needs context (0.3 alone); the `dddd-dddd-d` layout
//!   is specific to routing numbers (0.6).
//! - `SWIFT_CODE`: 4 letters (bank), an ISO country code, 2 letters or digits (location), optionally 3
//!   more (branch), upper case. Many 8-letter words fit (`FOOTBALL` is FOOT-BA-LL), so an all-letter
//!   code scores 0.1 and one with a digit in its location or branch 0.3; context (`swift`, `bic`) is
//!   needed to report either.

use crate::context::{ContextWords, boost};
use crate::detect::{Detector, Sink, tables};
use crate::doc::Doc;
use crate::entity::EntityType;
use crate::validate;

const BANK_CONTEXT: &[&str] = &[
    "account",
    "acct",
    "account number",
    "account#",
    "acct#",
    "bank",
    "checking",
    "savings",
    "debit",
    "deposit",
    "direct deposit",
    "beneficiary",
];
const ABA_CONTEXT: &[&str] = &[
    "aba",
    "routing",
    "routing number",
    "rtn",
    "transit",
    "abarouting",
    "association",
    "bankrouting",
    "ach",
    "wire",
];
const SWIFT_CONTEXT: &[&str] = &[
    "swift",
    "bic",
    "swift code",
    "bic code",
    "swiftbic",
    "swift/bic",
    "bank identifier",
    "bank identification code",
    "bank code",
];

/// A plain number standing alone: not glued by `.`, `,`, `-`, `/` or `+` to more digits.
fn stands_alone(doc: &Doc<'_>, start: usize, end: usize) -> bool {
    let bytes = doc.bytes;
    let glue = |b: u8| matches!(b, b'.' | b',' | b'-' | b'/' | b'+' | b':');
    let joined_before = start >= 1
        && (bytes[start - 1] == b'+'
            || glue(bytes[start - 1]) && start >= 2 && bytes[start - 2].is_ascii_digit());
    let joined_after = bytes.get(end).is_some_and(|&b| glue(b))
        && bytes.get(end + 1).is_some_and(u8::is_ascii_digit);
    doc.boundary_before(start) && doc.boundary_after(end) && !joined_before && !joined_after
}

#[derive(Debug)]
pub(super) struct UsBank {
    context: ContextWords,
}

impl Default for UsBank {
    fn default() -> UsBank {
        UsBank {
            context: ContextWords::new(BANK_CONTEXT),
        }
    }
}

impl Detector for UsBank {
    fn entities(&self) -> &[EntityType] {
        &[EntityType::UsBankNumber]
    }

    fn detect(&self, doc: &Doc<'_>, sink: &mut Sink<'_>) {
        if !doc.present.digit {
            return;
        }
        for (_, word) in doc.digit_words() {
            let (start, end) = (word.start as usize, word.end as usize);
            if !word.is_number()
                || !(8..=17).contains(&word.len())
                || !stands_alone(doc, start, end)
            {
                continue;
            }
            if !doc.bytes[start..end].iter().all(u8::is_ascii_digit) {
                continue;
            }
            let score = if self.context.near(doc, start, end) {
                0.45
            } else {
                0.05
            };
            sink.push(
                start,
                end,
                EntityType::UsBankNumber,
                score,
                "us_bank_number",
            );
        }
    }
}

#[derive(Debug)]
pub(super) struct AbaRouting {
    context: ContextWords,
}

impl Default for AbaRouting {
    fn default() -> AbaRouting {
        AbaRouting {
            context: ContextWords::new(ABA_CONTEXT),
        }
    }
}

impl Detector for AbaRouting {
    fn entities(&self) -> &[EntityType] {
        &[EntityType::AbaRoutingNumber]
    }

    fn detect(&self, doc: &Doc<'_>, sink: &mut Sink<'_>) {
        if !doc.present.digit {
            return;
        }
        let bytes = doc.bytes;
        for (_, word) in doc.digit_words() {
            let start = word.start as usize;
            if !word.is_number() {
                continue;
            }
            let (end, score) = match word.len() {
                9 => (word.end as usize, 0.3),
                // dddd-dddd-d
                4 if bytes.get(start + 4) == Some(&b'-')
                    && bytes
                        .get(start + 5..start + 9)
                        .is_some_and(|g| g.iter().all(u8::is_ascii_digit))
                    && bytes.get(start + 9) == Some(&b'-')
                    && bytes.get(start + 10).is_some_and(u8::is_ascii_digit) =>
                {
                    (start + 11, 0.6)
                }
                _ => continue,
            };
            if !stands_alone(doc, start, end) || !validate::aba_routing(&doc.text[start..end]) {
                continue;
            }
            let score = if self.context.near(doc, start, end) {
                boost(score)
            } else {
                score
            };
            sink.push(
                start,
                end,
                EntityType::AbaRoutingNumber,
                score,
                "aba_routing",
            );
        }
    }
}

#[derive(Debug)]
pub(super) struct Swift {
    context: ContextWords,
}

impl Default for Swift {
    fn default() -> Swift {
        Swift {
            context: ContextWords::new(SWIFT_CONTEXT),
        }
    }
}

/// The best score a code can have without context; above it, context is required.
const SWIFT_MAX_WITHOUT_CONTEXT: f32 = 0.3;

impl Detector for Swift {
    fn entities(&self) -> &[EntityType] {
        &[EntityType::SwiftCode]
    }

    fn detect(&self, doc: &Doc<'_>, sink: &mut Sink<'_>) {
        // At the usual thresholds a code is reported only with a context word: without one in the
        // text, there is nothing to find (one pass over the word hashes, before any word is parsed).
        if sink.min_score > SWIFT_MAX_WITHOUT_CONTEXT && !self.context.may_occur_in(doc) {
            return;
        }
        for word in &doc.words {
            if !matches!(word.len(), 8 | 11) || word.has(crate::doc::shape::LOWER) {
                continue;
            }
            let (start, end) = (word.start as usize, word.end as usize);
            let code = &doc.bytes[start..end];
            let Some(has_digit) = bic_shape(code) else {
                continue;
            };
            if matches!(doc.byte_before(start), Some(b'-' | b'_' | b'/' | b'.'))
                || matches!(doc.byte_at(end), Some(b'-' | b'_' | b'/'))
            {
                continue;
            }
            let base = if has_digit { 0.3 } else { 0.1 };
            let score = if self.context.near(doc, start, end) {
                boost(base + 0.1)
            } else {
                base
            };
            sink.push(start, end, EntityType::SwiftCode, score, "swift_code");
        }
    }
}

/// Checks the BIC layout (ISO 9362); returns whether the location or branch holds a digit.
fn bic_shape(code: &[u8]) -> Option<bool> {
    if !code
        .iter()
        .all(|b| b.is_ascii_uppercase() || b.is_ascii_digit())
    {
        return None;
    }
    if !code[..6].iter().all(u8::is_ascii_uppercase) {
        return None;
    }
    if !tables::is_country([code[4], code[5]]) {
        return None;
    }
    // Location codes never use the digit 0 first or the letter O second ("O" would mean test).
    if code[6] == b'0' || code[7] == b'O' {
        return None;
    }
    Some(code[6..].iter().any(u8::is_ascii_digit))
}

#[cfg(test)]
mod tests {
    use crate::EntityType;

    use crate::testing::scan_only as scan;

    fn check(entity: EntityType, input: &str, expect: &[&str]) {
        let found: Vec<&str> = scan(entity, crate::DEFAULT_MIN_SCORE, input)
            .iter()
            .map(|f| &input[f.byte_start..f.byte_end])
            .collect();
        assert_eq!(found, expect, "in {input:?}");
    }

    #[test]
    fn bank_numbers_need_context() {
        check(EntityType::UsBankNumber, "945456787654", &[]);
        check(
            EntityType::UsBankNumber,
            "checking account 945456787654.",
            &["945456787654"],
        );
        check(
            EntityType::UsBankNumber,
            "account 1234567 and 3.14159265",
            &[],
        );
        assert_eq!(scan(EntityType::UsBankNumber, 0.0, "945456787654").len(), 1);
    }

    #[test]
    fn routing_numbers_validate_and_score_by_layout() {
        check(
            EntityType::AbaRoutingNumber,
            "routing number 121000358",
            &["121000358"],
        );
        check(EntityType::AbaRoutingNumber, "121000358", &[]);
        check(
            EntityType::AbaRoutingNumber,
            "3222-7162-7",
            &["3222-7162-7"],
        );
        check(
            EntityType::AbaRoutingNumber,
            "aba 421042111 or 1234-0000-0",
            &[],
        );
    }

    #[test]
    fn swift_codes_need_context_and_a_country() {
        check(
            EntityType::SwiftCode,
            "SWIFT: DEUTDEFF and BIC DEUTDEFF500",
            &["DEUTDEFF", "DEUTDEFF500"],
        );
        check(EntityType::SwiftCode, "FOOTBALL DEUTDEFF", &[]);
        check(
            EntityType::SwiftCode,
            "swift code DEUTQQFF or deutdeff",
            &[],
        );
    }
}
