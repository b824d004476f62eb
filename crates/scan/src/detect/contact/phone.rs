//! Telephone numbers: international (`+41 (0)96 471 07 95`, `0044 20 7123 4567`) and national formats
//! of many countries (`(415) 555-0132`, `0490 75 40 81`, `06-25070443`, `01.84.17.61.18`), with
//! extensions (`x123`, `ext. 12`), plus the Philippine mobile and Turkish numbers that Presidio reports
//! as `PH_MOBILE_NUMBER` and `TR_PHONE_NUMBER`.
//!
//! A candidate is a run of digit groups joined by one kind of separator (space, dash, dot or slash),
//! optionally led by `+` and holding one parenthesised group. How phone-like it is decides the score:
//!
//! | shape | score |
//! |---|---|
//! | `+CC …` (or `00CC …`) with a known calling code and a national length possible for it | 0.6 (0.5) |
//! | the same with an implausible length | 0.3 |
//! | North American `(NXX) NXX-XXXX` / `NXX-NXX-XXXX` with an area code in use | 0.5 |
//! | national with trunk prefix `0`, grouped, 10–11 digits | 0.4 |
//! | other grouped numbers of 7–12 digits, unformatted 10-digit NANP numbers | 0.2–0.3 |
//! | unformatted runs of 7–12 digits, grouped 6-digit numbers | 0.1 |
//!
//! Context words (`phone`, `tel`, `call`, `mobile`, `fax` …) raise a score by 0.35 (to at least 0.4), so
//! weak shapes are reported only next to them. Dates, SSN and ZIP+4 shapes, IP-like and version-like
//! dotted numbers, year lists, prices and numbers longer than a phone number (cards) are rejected.

use crate::context::{ContextWords, boost};
use crate::detect::tables;
use crate::detect::{Detector, Sink};
use crate::doc::Doc;
use crate::entity::EntityType;

const PHONE_CONTEXT: &[&str] = &[
    "phone",
    "phones",
    "telephone",
    "tel",
    "tél",
    "mobile",
    "mob",
    "cell",
    "cellphone",
    "call",
    "called",
    "calling",
    "answer",
    "answering",
    "voicemail",
    "message",
    "messages",
    "texted",
    "fax",
    "contact",
    "reach",
    "dial",
    "ring",
    "sms",
    "text me",
    "whatsapp",
    "hotline",
    "helpline",
    "landline",
    "phone number",
    "telefon",
    "telefono",
    "teléfono",
    "téléphone",
    "telefone",
    "handy",
    "numéro",
    "celular",
    "móvil",
    "tlf",
    "ph",
];
/// Words that make a bare number something else (an order, an invoice, a postcode, an amount).
const NOT_PHONE_CONTEXT: &[&str] = &[
    "order",
    "invoice",
    "ref",
    "reference",
    "id",
    "zip",
    "postal",
    "postcode",
    "account",
    "acct",
    "ssn",
    "social",
    "card",
    "price",
    "total",
    "amount",
    "version",
    "isbn",
    "serial",
    "tracking",
    "ticket",
    "case",
    "policy",
    "iban",
    "routing",
    "passport",
    "license",
    "licence",
];
const PH_CONTEXT: &[&str] = &[
    "telepono",
    "cellphone",
    "cell",
    "mobile",
    "cp",
    "numero",
    "phone",
    "contact",
    "celfon",
    "tawag",
    "globe",
    "smart",
];
const TR_CONTEXT: &[&str] = &[
    "telefon",
    "tel",
    "cep",
    "gsm",
    "numara",
    "numaram",
    "numarası",
    "iletişim",
    "phone",
    "mobile",
    "ara",
    "arayın",
];
/// Street types after a number make it a house number ("9335 2733 Jasper Ave").
const STREET_WORDS: &[&str] = &[
    "street",
    "st",
    "avenue",
    "ave",
    "road",
    "rd",
    "boulevard",
    "blvd",
    "lane",
    "ln",
    "drive",
    "dr",
    "way",
    "court",
    "ct",
    "place",
    "pl",
    "square",
    "sq",
    "highway",
    "hwy",
    "strasse",
    "straße",
    "rue",
    "via",
    "calle",
    "apt",
    "suite",
];
const CURRENCY_WORDS: &[&str] = &[
    "usd", "eur", "gbp", "chf", "jpy", "inr", "dollars", "dollar", "euros", "euro", "pounds",
    "yen", "rupees", "francs", "kr", "sek", "nok", "dkk",
];

/// The most digit groups a candidate may have.
const MAX_GROUPS: usize = 8;
/// More digits than any phone number (E.164 allows 15 with the calling code).
const MAX_DIGITS: usize = 17;

#[derive(Debug)]
pub(super) struct Phone {
    context: ContextWords,
    not_phone: ContextWords,
    ph_context: ContextWords,
    tr_context: ContextWords,
    currency: ContextWords,
    street: ContextWords,
}

impl Default for Phone {
    fn default() -> Phone {
        Phone {
            context: ContextWords::new(PHONE_CONTEXT),
            not_phone: ContextWords::new(NOT_PHONE_CONTEXT),
            ph_context: ContextWords::new(PH_CONTEXT),
            tr_context: ContextWords::new(TR_CONTEXT),
            currency: ContextWords::new(CURRENCY_WORDS),
            street: ContextWords::new(STREET_WORDS),
        }
    }
}

/// A short list on the stack: parsing a candidate allocates nothing.
#[derive(Debug, Clone, Copy)]
struct Inline<T: Copy + Default, const N: usize> {
    items: [T; N],
    len: usize,
}

impl<T: Copy + Default, const N: usize> Default for Inline<T, N> {
    fn default() -> Self {
        Inline {
            items: [T::default(); N],
            len: 0,
        }
    }
}

impl<T: Copy + Default, const N: usize> Inline<T, N> {
    /// Appends `values`; returns false (and appends nothing) when they do not fit.
    fn extend(&mut self, values: &[T]) -> bool {
        let Some(slot) = self.items.get_mut(self.len..self.len + values.len()) else {
            return false;
        };
        slot.copy_from_slice(values);
        self.len += values.len();
        true
    }

    fn as_slice(&self) -> &[T] {
        &self.items[..self.len]
    }
}

impl<T: Copy + Default, const N: usize> std::ops::Deref for Inline<T, N> {
    type Target = [T];

    fn deref(&self) -> &[T] {
        self.as_slice()
    }
}

/// A parsed candidate, in bytes of the normalised text.
#[derive(Debug, Default)]
struct Parse {
    start: usize,
    end: usize,
    digits: Inline<u8, MAX_DIGITS>,
    /// Digit count of each group, in order.
    groups: Inline<usize, MAX_GROUPS>,
    /// The separator between groups (after the first), if any.
    sep: Option<u8>,
    plus: bool,
    /// Index of the parenthesised group.
    paren: Option<usize>,
    /// `(0)` after the calling code: a trunk prefix that is dialled only nationally.
    paren_trunk: bool,
}

impl Detector for Phone {
    fn entities(&self) -> &[EntityType] {
        &[
            EntityType::PhoneNumber,
            EntityType::PhMobileNumber,
            EntityType::TrPhoneNumber,
        ]
    }

    fn detect(&self, doc: &Doc<'_>, sink: &mut Sink<'_>) {
        if !doc.present.digit {
            return;
        }
        let bytes = doc.bytes;
        let mut resume = 0;
        for (_, word) in doc.digit_words() {
            let word_start = word.start as usize;
            if word_start < resume || !bytes[word_start].is_ascii_digit() {
                continue;
            }
            let start = match (doc.byte_before(word_start), word_start.checked_sub(2)) {
                (Some(b'+'), _) => word_start - 1,
                (Some(b'('), Some(i)) if bytes[i] == b'+' => continue, // "+(": not a format
                (Some(b'('), _) => word_start - 1,
                _ => word_start,
            };
            if !starts_cleanly(doc, start) {
                continue;
            }
            let Some(parse) = parse_at(bytes, start) else {
                // Skip the rest of this run so its later groups do not start candidates of their own.
                resume = run_end(bytes, word_start);
                continue;
            };
            resume = parse.end;
            // Most digit words are short numbers (quantities, years): no phone reading at all.
            if parse.digits.len() < 6 {
                continue;
            }
            let (end, has_extension) = extension_end(bytes, parse.end);
            if !doc.boundary_after(end) || continues_as_number(bytes, end) {
                continue;
            }
            self.report(doc, sink, &parse, end, has_extension);
        }
    }
}

impl Phone {
    fn report(
        &self,
        doc: &Doc<'_>,
        sink: &mut Sink<'_>,
        parse: &Parse,
        end: usize,
        extension: bool,
    ) {
        let start = parse.start;
        let generic = sink
            .wants(&EntityType::PhoneNumber)
            .then(|| generic_score(parse))
            .flatten();
        let philippine = sink
            .wants(&EntityType::PhMobileNumber)
            .then(|| philippine_mobile(parse))
            .flatten();
        let turkish = sink
            .wants(&EntityType::TrPhoneNumber)
            .then(|| turkish_number(parse))
            .flatten();
        if generic.is_none() && philippine.is_none() && turkish.is_none() {
            return;
        }
        if self.near_money(doc, start, end) {
            return;
        }
        let has_context = self.context.near(doc, start, end);
        if let Some(mut score) = generic {
            if extension {
                score += 0.1;
            }
            let house_number = !parse.plus && self.street.near_window(doc, start, end, 0, 3);
            if house_number {
                score -= 0.3;
            } else if has_context {
                score = boost(score);
            } else if !parse.plus && self.not_phone.near(doc, start, end) {
                score -= 0.15;
            }
            sink.push(start, end, EntityType::PhoneNumber, score, "phone");
        }
        // The country types lose exact ties to PHONE_NUMBER so that by default one label is used.
        if let Some(mut score) = philippine {
            if has_context || self.ph_context.near(doc, start, end) {
                score = boost(score);
            }
            sink.push(start, end, EntityType::PhMobileNumber, score, "phone_ph");
        }
        if let Some(mut score) = turkish {
            if has_context || self.tr_context.near(doc, start, end) {
                score = boost(score);
            }
            sink.push(start, end, EntityType::TrPhoneNumber, score, "phone_tr");
        }
    }

    /// A currency sign or word next to the number makes it an amount.
    fn near_money(&self, doc: &Doc<'_>, start: usize, end: usize) -> bool {
        let before = doc.text[..start].trim_end_matches(' ');
        let after = doc.text[end..].trim_start_matches(' ');
        let sign = |c: char| matches!(c, '$' | '€' | '£' | '¥' | '₹' | '₽' | '₺' | '₱' | '¢');
        before.chars().next_back().is_some_and(sign)
            || after.chars().next().is_some_and(sign)
            || self.currency.near_window(doc, start, end, 1, 1)
    }
}

/// The candidate must not continue a number or word: no word character before it, and no digit
/// joined to it by a dot, comma, slash, dash or colon (`3.555-1234`, `12/555 1234`, `12:30`).
fn starts_cleanly(doc: &Doc<'_>, start: usize) -> bool {
    if !doc.boundary_before(start) {
        return false;
    }
    match doc.byte_before(start) {
        Some(b'.' | b',' | b'/' | b'-' | b':') => {
            !(start >= 2 && doc.bytes[start - 2].is_ascii_digit())
        }
        _ => true,
    }
}

/// After a candidate: a dot, dash or slash followed by a digit means a longer structure (a date, an
/// IP address, a version) that the candidate is only part of.
fn continues_as_number(bytes: &[u8], end: usize) -> bool {
    matches!(bytes.get(end), Some(b'.' | b'-' | b'/' | b',' | b':'))
        && bytes.get(end + 1).is_some_and(u8::is_ascii_digit)
}

/// The end of the plain run of digits and separators from `start` (for skipping).
fn run_end(bytes: &[u8], start: usize) -> usize {
    let mut end = start;
    while end < bytes.len()
        && end - start < 64
        && (bytes[end].is_ascii_digit() || matches!(bytes[end], b' ' | b'-' | b'.' | b'(' | b')'))
    {
        end += 1;
    }
    end
}

fn digit_run(bytes: &[u8], at: usize) -> usize {
    bytes[at.min(bytes.len())..]
        .iter()
        .take(MAX_DIGITS + 1)
        .take_while(|b| b.is_ascii_digit())
        .count()
}

/// Parses the candidate at `start` (a `+`, a `(` or a digit). Returns `None` for runs that cannot be
/// a phone number at all (too many digits or groups); a run whose separators change is cut before the
/// change.
fn parse_at(bytes: &[u8], start: usize) -> Option<Parse> {
    let mut parse = Parse {
        start,
        ..Parse::default()
    };
    let mut at = start;
    if bytes[at] == b'+' {
        parse.plus = true;
        at += 1;
    }
    let mut first_sep: Option<u8> = None;
    loop {
        // One group: digits, or digits in parentheses.
        let in_paren = bytes.get(at) == Some(&b'(');
        if in_paren {
            if parse.paren.is_some() {
                break;
            }
            at += 1;
        }
        let n = digit_run(bytes, at);
        if n == 0 || n > 15 {
            if parse.groups.is_empty() {
                return None;
            }
            break;
        }
        if in_paren {
            if bytes.get(at + n) != Some(&b')') || n > 5 {
                if parse.groups.is_empty() {
                    return None;
                }
                break;
            }
            parse.paren = Some(parse.groups.len());
            if parse.plus && parse.groups.len() == 1 && n == 1 && bytes[at] == b'0' {
                parse.paren_trunk = true;
            }
        }
        // More digits or groups than any phone number: not a phone at all (a card, a table row).
        if !parse.digits.extend(&bytes[at..at + n]) || !parse.groups.extend(&[n]) {
            return None;
        }
        at += n + usize::from(in_paren);
        parse.end = at;
        // A separator, then the next group.
        let next = bytes.get(at).copied();
        let after = bytes.get(at + 1).copied();
        let next_is_group = |b: Option<u8>| b.is_some_and(|b| b.is_ascii_digit() || b == b'(');
        if next_is_group(next) && (in_paren || next == Some(b'(')) {
            continue; // "(415)555-0132": no separator needed around parentheses
        }
        let Some(sep @ (b' ' | b'-' | b'.' | b'/')) = next else {
            break;
        };
        if !next_is_group(after) {
            break;
        }
        let around_paren = in_paren || after == Some(b'(');
        if around_paren {
            if sep != b' ' {
                break;
            }
        } else if parse.groups.len() == 1 && (parse.plus || parse.groups[0] == 1) {
            // The separator after a calling code or a one-digit trunk may differ from the rest:
            // "+1 415-555-0132", "1 800-555-0199".
            first_sep = Some(sep);
        } else {
            match parse.sep {
                None => parse.sep = Some(sep),
                Some(kind) if kind == sep => {}
                Some(_) => break,
            }
        }
        at += 1;
    }
    // "1 2 3": a first separator that was never confirmed by a second one is the body separator.
    if parse.sep.is_none() {
        parse.sep = first_sep;
    }
    (!parse.groups.is_empty()).then_some(parse)
}

/// After the number: `x123`, `ext 123`, `ext. 123`, `extension 123`, `#123`.
fn extension_end(bytes: &[u8], end: usize) -> (usize, bool) {
    let mut at = end;
    if bytes.get(at) == Some(&b' ') {
        at += 1;
    }
    let rest = &bytes[at.min(bytes.len())..];
    let marker = ["extension", "ext.", "ext", "x", "#"]
        .iter()
        .find(|m| rest.len() >= m.len() && rest[..m.len()].eq_ignore_ascii_case(m.as_bytes()));
    let Some(marker) = marker else {
        return (end, false);
    };
    at += marker.len();
    if bytes.get(at) == Some(&b' ') && marker.len() > 1 {
        at += 1;
    }
    let n = digit_run(bytes, at);
    if (1..=6).contains(&n) {
        (at + n, true)
    } else {
        (end, false)
    }
}

fn number(digits: &[u8]) -> u32 {
    digits
        .iter()
        .take(9)
        .fold(0, |v, d| v * 10 + u32::from(d - b'0'))
}

/// Group lengths and values that say "date": 2024-05-17, 17.05.2024, 05/17/24.
fn is_date(parse: &Parse) -> bool {
    if parse.groups.len() != 3 || parse.paren.is_some() {
        return false;
    }
    let d = parse.digits.as_slice();
    let (a, b, c) = (parse.groups[0], parse.groups[1], parse.groups[2]);
    let year = |v: u32| (1900..=2099).contains(&v);
    let month = |v: u32| (1..=12).contains(&v);
    let day = |v: u32| (1..=31).contains(&v);
    match (a, b, c) {
        (4, 2, 2) => year(number(&d[..4])) && month(number(&d[4..6])) && day(number(&d[6..8])),
        (2, 2, 4) | (1, 2, 4) | (2, 1, 4) | (1, 1, 4) => {
            let x = number(&d[..a]);
            let y = number(&d[a..a + b]);
            year(number(&d[a + b..])) && (day(x) && month(y) || month(x) && day(y))
        }
        (2, 2, 2) => {
            parse.sep != Some(b' ')
                && (day(number(&d[..2])) && month(number(&d[2..4]))
                    || month(number(&d[..2])) && day(number(&d[2..4])))
        }
        _ => false,
    }
}

/// Shapes that belong to other kinds of numbers.
fn is_other_number(parse: &Parse) -> bool {
    let groups = parse.groups.as_slice();
    let sep = parse.sep;
    if parse.paren.is_none() {
        // SSN 078-05-1120, ZIP+4 12345-6789.
        if groups == [3, 2, 4] && matches!(sep, Some(b'-' | b' '))
            || groups == [5, 4] && sep == Some(b'-')
        {
            return true;
        }
        // IP-like 10.20.30.40, and dotted numbers with one-digit parts (versions, 1.234.567).
        if sep == Some(b'.')
            && (groups.len() == 4 && groups.iter().all(|&g| g <= 3) || groups.contains(&1))
        {
            return true;
        }
        // Lists of years: "1990 2000 2010".
        if groups.len() >= 2
            && groups.iter().all(|&g| g == 4)
            && parse
                .digits
                .chunks(4)
                .all(|y| (1900..=2099).contains(&number(y)))
        {
            return true;
        }
    }
    // ISBN-like: a one-digit group anywhere but first.
    if !parse.plus && groups.iter().skip(1).any(|&g| g == 1) && groups.len() > 2 {
        return true;
    }
    is_date(parse)
}

/// The score of the generic `PHONE_NUMBER` reading, before context.
fn generic_score(parse: &Parse) -> Option<f32> {
    let digits = parse.digits.as_slice();
    let n = digits.len();
    let n_groups = parse.groups.len();
    if parse.plus {
        let (_, code, mut national) = tables::split_calling_code(digits)?;
        // "+41 (0)44 …": the bracketed trunk prefix is not part of the international number.
        if parse.paren_trunk && code.trunk == Some(0) {
            national = national.get(1..)?;
        }
        if code.allows_length(national.len()) {
            return Some(0.6);
        }
        return (5..=14).contains(&national.len()).then_some(0.3);
    }
    if is_other_number(parse) {
        return None;
    }
    // "0044 20 7123 4567", "001-253-366-9781": the international call prefix 00.
    if n >= 10 && digits.starts_with(b"00") && digits[2] != b'0' && n_groups >= 2 {
        let (_, code, national) = tables::split_calling_code(&digits[2..])?;
        return Some(if code.allows_length(national.len()) {
            0.5
        } else {
            0.25
        });
    }
    if !(6..=13).contains(&n) {
        return None;
    }
    if let Some(score) = nanp_score(parse) {
        return Some(score);
    }
    let grouped = n_groups >= 2;
    if digits[0] == b'0' && digits[1] != b'0' && (9..=12).contains(&n) {
        return Some(match (grouped, n) {
            (true, 10 | 11) => 0.4,
            (true, _) => 0.3,
            (false, _) => 0.2,
        });
    }
    // "44 20 7123 4567", "91-415-555-0132": a calling code written without its plus.
    if n_groups >= 3 && parse.paren.is_none() {
        let first = &digits[..parse.groups[0]];
        if let Some(code) = tables::calling_code(first)
            && code.allows_length(n - first.len())
        {
            return Some(0.3);
        }
    }
    if n == 6 {
        let pairs = parse.groups.iter().all(|&g| g == 2) || parse.groups.as_slice() == [3, 3];
        return (grouped && pairs).then_some(0.1);
    }
    if n > 12 {
        return None;
    }
    Some(if grouped { 0.2 } else { 0.1 })
}

/// North American numbers: 10 digits (or 11 with a leading 1), area code and exchange starting 2–9.
fn nanp_score(parse: &Parse) -> Option<f32> {
    let digits = parse.digits.as_slice();
    let groups = parse.groups.as_slice();
    let (body, groups) = match (digits.len(), groups.first()) {
        (11, Some(1)) if digits[0] == b'1' => (&digits[1..], &groups[1..]),
        (10, _) => (digits, groups),
        _ => return None,
    };
    if !(b'2'..=b'9').contains(&body[0]) || !(b'2'..=b'9').contains(&body[3]) {
        return None;
    }
    let known_area = tables::is_nanp_area_code(&body[..3]);
    let nanp_groups = matches!(groups, [3, 3, 4] | [3, 7]);
    let area_in_paren = parse.paren.is_some_and(|i| parse.groups.get(i) == Some(&3));
    let formatted = nanp_groups && (parse.paren.is_none() || area_in_paren);
    Some(match (formatted, groups.len() == 1, known_area) {
        (true, _, true) => 0.5,
        (true, _, false) => 0.3,
        (false, true, true) => 0.3,
        (false, true, false) => 0.15,
        (false, false, _) => 0.2,
    })
}

/// The national significant number for a country with calling code `code` and trunk prefix `0`:
/// `+CC …`, `0…`, or the bare number when `bare` is allowed.
fn national_number<'a>(parse: &'a Parse, code: &[u8], bare: bool) -> Option<&'a [u8]> {
    let digits = parse.digits.as_slice();
    if parse.plus {
        let rest = digits.strip_prefix(code)?;
        return Some(if parse.paren_trunk {
            rest.get(1..)?
        } else {
            rest
        });
    }
    if let Some(rest) = digits.strip_prefix(b"0") {
        return Some(rest);
    }
    bare.then_some(digits)
}

/// Philippine mobile numbers (libphonenumber's PH mobile ranges): `+63 9XX XXX XXXX` or
/// `09XX XXX XXXX`. As in Presidio, the national form needs its trunk `0`.
fn philippine_mobile(parse: &Parse) -> Option<f32> {
    let national = national_number(parse, b"63", false)?;
    if national.len() != 10 {
        return None;
    }
    let prefix = number(&national[..3]);
    let mobile = match prefix / 100 {
        9 => {
            let (x, y) = ((prefix / 10) % 10, prefix % 10);
            match x {
                0 => (5..=9).contains(&y),
                1 => y != 3,
                2 | 3 | 5 | 6 | 7 => true,
                4 => y >= 2,
                8 => matches!(y, 1 | 3 | 5..=9),
                9 => y >= 1,
                _ => false,
            }
        }
        8 => matches!(prefix, 813 | 817 | 895..=898),
        _ => false,
    };
    mobile.then_some(if parse.plus || parse.groups.len() > 1 {
        0.4
    } else {
        0.35
    })
}

/// Turkish numbers (libphonenumber's TR fixed-line area codes and mobile ranges): `+90 …`, `0…` or
/// the bare 10-digit national number.
fn turkish_number(parse: &Parse) -> Option<f32> {
    let national = national_number(parse, b"90", true)?;
    if national.len() != 10 {
        return None;
    }
    let area = number(&national[..3]);
    let (a, b, c) = (area / 100, (area / 10) % 10, area % 10);
    let fixed = match (a, b) {
        (2, 1 | 3) => matches!(c, 2 | 6),
        (2, 2 | 8) => matches!(c, 2 | 4 | 6 | 8),
        (2, 3..=5) => matches!(c, 2 | 6 | 8),
        (2, 6 | 7) => matches!(c, 2 | 4 | 6),
        (3, 1 | 3) => matches!(c, 2 | 8),
        (3, 2 | 4..=6) => matches!(c, 2 | 4 | 6 | 8),
        (3, 7 | 8) => matches!(c, 0 | 2 | 4 | 6 | 8),
        (3, 9) => c == 2,
        (4, 1 | 6) => matches!(c, 2 | 4 | 6),
        (4, 2 | 3 | 5 | 7 | 8) => matches!(c, 2 | 4 | 6 | 8),
        (4, 4) => matches!(c, 2 | 6),
        _ => false,
    };
    let mobile = a == 5
        && match b {
            0 | 3 | 4 | 5 => true,
            1 => matches!(c, 0 | 6),
            2 => c == 4,
            6 => matches!(c, 2 | 4),
            7 => matches!(c, 2 | 4 | 5),
            9 => matches!(c, 4 | 6),
            _ => false,
        };
    if !(fixed || mobile) {
        return None;
    }
    Some(if parse.plus {
        0.5
    } else if parse.digits[0] == b'0' {
        0.35
    } else {
        0.25
    })
}

#[cfg(test)]
mod tests {
    use crate::{EntityType, Scanner};

    use crate::testing::scan_only as scan;

    /// Phone numbers the default threshold reports in `input`.
    fn check(input: &str, expect: &[&str]) {
        let found: Vec<&str> = scan(EntityType::PhoneNumber, crate::DEFAULT_MIN_SCORE, input)
            .iter()
            .map(|f| &input[f.byte_start..f.byte_end])
            .collect();
        assert_eq!(found, expect, "in {input:?}");
    }

    #[test]
    fn finds_international_numbers() {
        check("Desk: +41 (0)96 471 07 95", &["+41 (0)96 471 07 95"]);
        check("or +447700 921 916.", &["+447700 921 916"]);
        check("+1-903-140-4508x769", &["+1-903-140-4508x769"]);
        check(
            "+55 11 98456 5666 and +33 1 42 68 53 00",
            &["+55 11 98456 5666", "+33 1 42 68 53 00"],
        );
        check("+44 (20) 7123 4567", &["+44 (20) 7123 4567"]);
        check("from abroad 001-253-366-9781", &["001-253-366-9781"]);
    }

    #[test]
    fn finds_national_numbers() {
        check(
            "US: (415) 555-0132, (415)555-0132 or 415.555.0132",
            &["(415) 555-0132", "(415)555-0132", "415.555.0132"],
        );
        check("Fax: 345-899-3560x4587", &["345-899-3560x4587"]);
        check("Phone: 0490 75 40 81", &["0490 75 40 81"]);
        check("call me on 01.84.17.61.18?", &["01.84.17.61.18"]);
        check("Mobile: 06-25070443", &["06-25070443"]);
        check("Can someone call me on 9472 7916?", &["9472 7916"]);
        check("Phone: (99) 645-791", &["(99) 645-791"]);
        check("Fax: 9498777106", &["9498777106"]);
        check(
            "Phones: 415-555-0132 415-555-0133",
            &["415-555-0132", "415-555-0133"],
        );
    }

    #[test]
    fn house_numbers_are_not_phones() {
        check("please call a taxi to 9335 2733 Jasper Ave", &[]);
    }

    #[test]
    fn weak_shapes_need_context() {
        check("the code 9472 7916 was wrong", &[]);
        check("reference 9498777106", &[]);
        check("call 9498777106", &["9498777106"]);
        check("nobody is answering at 78 651 450", &["78 651 450"]);
        check("stop sending messages to 699 956 915", &["699 956 915"]);
    }

    #[test]
    fn rejects_other_numbers() {
        check(
            "Date: 1978-04-13 12:20:39, call 13.04.1978 or 04/13/1978",
            &[],
        );
        check("phone years 1990 2000 2010", &[]);
        check("SSN 853-37-1694, zip 12345-6789, phone ip 192.168.0.1", &[]);
        check("phone version 1.2.3.4 and 3.14159", &[]);
        check("call about the price $1 234 567 or 1 234 567 EUR", &[]);
        check("card 4111 1111 1111 1111 call", &[]);
        check("phone ISBN 978-3-16-148410-0", &[]);
        check("call +999 123 4567", &[]);
    }

    #[test]
    fn finds_numbers_through_normalisation() {
        let input = "tel: ＋４１ ４４ ６６８ １８ ００";
        check(input, &["＋４１ ４４ ６６８ １８ ００"]);
        let input = "tel: 415\u{200B}-555-0132 ok";
        check(input, &["415\u{200B}-555-0132"]);
        let input = "电话：+86 138 1234 5678。";
        check(input, &["+86 138 1234 5678"]);
    }

    #[test]
    fn country_types_follow_presidio() {
        let ph = |s: &str| scan(EntityType::PhMobileNumber, 0.0, s).len();
        assert_eq!(ph("+63 917 123 4567"), 1);
        assert_eq!(ph("0 (917) 123 4567"), 1);
        assert_eq!(ph("9171234567"), 0);
        assert_eq!(ph("0917123456"), 0);
        let tr = |s: &str| scan(EntityType::TrPhoneNumber, 0.0, s).len();
        assert_eq!(tr("+90 (532) 123 45 67"), 1);
        assert_eq!(tr("4321234567"), 1);
        assert_eq!(tr("8123456789"), 0);
        assert_eq!(tr("53212345678"), 0);
        // By default a Turkish number is reported as PHONE_NUMBER.
        let findings = Scanner::default().scan("Telefon: +90 532 123 45 67");
        assert_eq!(findings[0].entity_type, EntityType::PhoneNumber);
    }
}
