//! Payment card numbers: 12–19 digits, written plain or in groups joined by one kind of separator
//! (space or dash), with a Luhn check digit and an issuer identification number (IIN) of a known
//! network whose lengths include the number's.

use crate::context::{ContextWords, boost};
use crate::detect::{Detector, Sink};
use crate::doc::Doc;
use crate::entity::EntityType;
use crate::validate;

const CONTEXT: &[&str] = &[
    "credit",
    "card",
    "visa",
    "mastercard",
    "master card",
    "amex",
    "american express",
    "discover",
    "jcb",
    "diners",
    "maestro",
    "unionpay",
    "cc",
    "debit",
    "payment",
    "pan",
    "instapayment",
    "mir",
    "rupay",
    "kreditkarte",
    "carte",
    "tarjeta",
    "carta",
];

const MAX_GROUPS: usize = 8;

#[derive(Debug)]
pub(super) struct Card {
    context: ContextWords,
}

impl Default for Card {
    fn default() -> Card {
        Card {
            context: ContextWords::new(CONTEXT),
        }
    }
}

impl Detector for Card {
    fn entities(&self) -> &[EntityType] {
        &[EntityType::CreditCard]
    }

    fn detect(&self, doc: &Doc<'_>, sink: &mut Sink<'_>) {
        if !doc.present.digit {
            return;
        }
        let bytes = doc.bytes;
        let mut resume = 0;
        for (_, word) in doc.digit_words() {
            let start = word.start as usize;
            if start < resume || !word.is_number() || word.len() > 19 {
                continue;
            }
            // Fewer than 12 digits in this word and the next few bytes: no card here.
            if word.len() < 12 && !has_twelve_digits(bytes, start) {
                continue;
            }
            if !doc.boundary_before(start) || joined_before(bytes, start) {
                continue;
            }
            let mut group_buf = [(0, 0); MAX_GROUPS];
            let groups = groups_at(bytes, start, &mut group_buf);
            let Some(&(_, first_end)) = groups.first() else {
                continue;
            };
            let Some((first, end_group, score)) = best_window(bytes, groups) else {
                // Later groups of this run may still start a card ("ref 12 4111 1111 …").
                resume = first_end;
                continue;
            };
            let (span_start, span_end) = (groups[first].0, groups[end_group].1);
            resume = span_end;
            if !doc.boundary_after(span_end) {
                continue;
            }
            let score = if self.context.near(doc, span_start, span_end) {
                boost(score)
            } else {
                score
            };
            sink.push(
                span_start,
                span_end,
                EntityType::CreditCard,
                score,
                "credit_card",
            );
        }
    }
}

/// True if the 23 bytes from `start` (the longest grouped card) hold at least 12 digits.
fn has_twelve_digits(bytes: &[u8], start: usize) -> bool {
    let window = &bytes[start..(start + 23).min(bytes.len())];
    window.iter().filter(|b| b.is_ascii_digit()).count() >= 12
}

/// A digit joined by `.`, `,`, `/` or `-` right before: part of a longer number.
fn joined_before(bytes: &[u8], start: usize) -> bool {
    start >= 2
        && matches!(bytes[start - 1], b'.' | b',' | b'/' | b'-' | b'+')
        && bytes[start - 2].is_ascii_digit()
        || start >= 1 && bytes[start - 1] == b'+'
}

/// The digit groups (byte ranges) starting at `start`, joined by one kind of separator, written
/// into `groups` (no allocation: text dense in digit groups makes a candidate every few bytes).
fn groups_at<'g>(
    bytes: &[u8],
    start: usize,
    groups: &'g mut [(usize, usize); MAX_GROUPS],
) -> &'g [(usize, usize)] {
    let mut n_groups = 0;
    let mut at = start;
    let mut sep = None;
    loop {
        let n = bytes[at..]
            .iter()
            .take(20)
            .take_while(|b| b.is_ascii_digit())
            .count();
        if n == 0 || n > 19 {
            break;
        }
        groups[n_groups] = (at, at + n);
        n_groups += 1;
        at += n;
        if n_groups == MAX_GROUPS {
            break;
        }
        let Some(&next @ (b' ' | b'-')) = bytes.get(at) else {
            break;
        };
        if !bytes.get(at + 1).is_some_and(u8::is_ascii_digit) || sep.is_some_and(|s| s != next) {
            break;
        }
        sep = Some(next);
        at += 1;
    }
    &groups[..n_groups]
}

/// The longest (then earliest) run of consecutive groups that reads as a valid card, with its score.
fn best_window(bytes: &[u8], groups: &[(usize, usize)]) -> Option<(usize, usize, f32)> {
    let mut best: Option<(usize, usize, usize, f32)> = None;
    for first in 0..groups.len() {
        // No window from here can beat the best so far when all its groups that fit in 19 digits
        // are not more digits (a run of many groups would otherwise be tried window by window).
        let reachable = groups[first..]
            .iter()
            .map(|(s, e)| e - s)
            .scan(0, |total, n| {
                *total += n;
                Some(*total)
            })
            .take_while(|&total| total <= 19)
            .last()
            .unwrap_or(0);
        if best.is_some_and(|(_, _, n, _)| reachable <= n) {
            continue;
        }
        let mut buf = [0u8; 19];
        let mut n_digits = 0;
        for last in first..groups.len() {
            let group = &bytes[groups[last].0..groups[last].1];
            if n_digits + group.len() > buf.len() {
                break;
            }
            for (slot, b) in buf[n_digits..].iter_mut().zip(group) {
                *slot = b - b'0';
            }
            n_digits += group.len();
            if n_digits < 12 || !plausible_layout(&groups[first..=last]) {
                continue;
            }
            let Some(score) = card_score(&buf[..n_digits]) else {
                continue;
            };
            if best.is_none_or(|(_, _, n, _)| n_digits > n) {
                best = Some((first, last, n_digits, score));
            }
        }
    }
    best.map(|(first, last, _, score)| (first, last, score))
}

/// Cards are written in one group, or in groups of 4 (Amex and Diners: 4-6-5 and 4-6-4); the last
/// group may be shorter.
fn plausible_layout(groups: &[(usize, usize)]) -> bool {
    let mut lens = [0usize; MAX_GROUPS];
    for (len, (s, e)) in lens.iter_mut().zip(groups) {
        *len = e - s;
    }
    match &lens[..groups.len().min(MAX_GROUPS)] {
        [_] => true,
        [4, 6, 4 | 5] => true,
        [first @ .., last] => first.iter().all(|&n| n == 4) && (1..=4).contains(last),
        [] => false,
    }
}

/// The score of a digit string as a card number: Luhn, issuer and length.
fn card_score(digits: &[u8]) -> Option<f32> {
    if !validate::luhn_digits(digits) || digits.iter().all(|&d| d == digits[0]) {
        return None;
    }
    let lengths = issuer_lengths(digits)?;
    let n = digits.len();
    if !lengths.contains(&n) {
        return None;
    }
    // Twelve digits (Maestro) is a common length for other numbers too: it needs context. JCB's 35
    // block outside its assigned 3528–3589 range is less certain.
    let jcb_unassigned =
        digits[0] == 3 && digits[1] == 5 && !(3528..=3589).contains(&prefix4(digits));
    Some(match n {
        16 if jcb_unassigned => 0.8,
        16 => 1.0,
        15 => 0.9,
        13 | 14 | 17..=19 => 0.7,
        _ => 0.3,
    })
}

fn prefix4(digits: &[u8]) -> u32 {
    digits
        .iter()
        .take(4)
        .fold(0u32, |v, &d| v * 10 + u32::from(d))
}

/// Card lengths of the network whose IIN range starts `digits`.
fn issuer_lengths(digits: &[u8]) -> Option<&'static [usize]> {
    let prefix = |k: usize| {
        digits
            .iter()
            .take(k)
            .fold(0u32, |v, &d| v * 10 + u32::from(d))
    };
    let (p1, p2, p3, p4, p6) = (prefix(1), prefix(2), prefix(3), prefix(4), prefix(6));
    const SIXTEEN_TO_NINETEEN: &[usize] = &[16, 17, 18, 19];
    const MAESTRO: &[usize] = &[12, 13, 14, 15, 16, 17, 18, 19];
    Some(match () {
        // Visa (and Visa Electron).
        _ if p1 == 4 => &[13, 16, 19],
        // American Express.
        _ if p2 == 34 || p2 == 37 => &[15],
        // Diners Club International and Carte Blanche.
        _ if (300..=305).contains(&p3) || p4 == 3095 || p2 == 36 || p2 == 38 || p2 == 39 => {
            &[14, 15, 16, 17, 18, 19]
        }
        // JCB (3528–3589 assigned; the rest of its historic 35 block is accepted, see `card_score`).
        _ if p2 == 35 => SIXTEEN_TO_NINETEEN,
        _ if p4 == 1800 || p4 == 2131 => &[15, 16],
        // UATP.
        _ if p1 == 1 => &[15],
        // Mir.
        _ if (2200..=2204).contains(&p4) => SIXTEEN_TO_NINETEEN,
        // Mastercard.
        _ if (51..=55).contains(&p2) || (2221..=2720).contains(&p4) => &[16],
        // Dankort, Verve and other Maestro-range cards.
        _ if p4 == 5019 => &[16],
        _ if (506_099..=506_198).contains(&p6) || (650_002..=650_027).contains(&p6) => {
            &[16, 18, 19]
        }
        // Discover, UnionPay, RuPay, InterPayment.
        _ if p4 == 6011 || (644..=649).contains(&p3) || p2 == 65 => SIXTEEN_TO_NINETEEN,
        _ if p2 == 62 || p2 == 81 || p2 == 82 || p2 == 60 || p3 == 636 => SIXTEEN_TO_NINETEEN,
        // Maestro: 50, 56–69.
        _ if p2 == 50 || (56..=69).contains(&p2) => MAESTRO,
        // Troy.
        _ if p4 == 9792 => &[16],
        _ => return None,
    })
}

#[cfg(test)]
mod tests {
    use crate::{EntityType, Scanner, ScannerConfig};

    fn check(input: &str, expect: &[&str]) {
        let scanner = Scanner::new(&ScannerConfig {
            entities: vec![EntityType::CreditCard, EntityType::PhoneNumber],
            ..ScannerConfig::default()
        })
        .unwrap();
        let found: Vec<&str> = scanner
            .scan(input)
            .into_iter()
            .filter(|f| f.entity_type == EntityType::CreditCard)
            .map(|f| &input[f.byte_start..f.byte_end])
            .collect();
        assert_eq!(found, expect, "in {input:?}");
    }

    #[test]
    fn finds_cards_of_the_major_networks() {
        check(
            "4012888888881881 4012-8888-8888-1881 4012 8888 8888 1881",
            &[
                "4012888888881881",
                "4012-8888-8888-1881",
                "4012 8888 8888 1881",
            ],
        );
        check(
            "amex 3714 496353 98431, jcb 3528000700000000.",
            &["3714 496353 98431", "3528000700000000"],
        );
        check(
            "uatp 122000000000003 diners 30569309025904",
            &["122000000000003", "30569309025904"],
        );
        check(
            "my card 213176828496175 and 180016070420458",
            &["213176828496175", "180016070420458"],
        );
        check("maestro card 630427373398", &["630427373398"]);
    }

    #[test]
    fn rejects_bad_checksums_layouts_and_unknown_issuers() {
        check(
            "4012-8888-8888-1882 and 36168002586008 and 1748503543012",
            &[],
        );
        check("4012-8888 8888-1881", &[]);
        check("0000 0000 0000 0000 and 9111111111111111", &[]);
        check("630427373398", &[]);
    }

    #[test]
    fn cards_beat_phone_readings_and_survive_normalisation() {
        check("call 4111 1111 1111 1111", &["4111 1111 1111 1111"]);
        let input = "card ４１１１\u{200B}１１１１１１１１１１１１ end";
        check(input, &["４１１１\u{200B}１１１１１１１１１１１１"]);
        check("ref 12 4111 1111 1111 1111 ok", &["4111 1111 1111 1111"]);
    }
}
