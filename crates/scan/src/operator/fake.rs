//! Realistic fakes of the same format, for `pseudonymize` with `style = "fake"`.
//!
//! A fake is a pure function of (key, entity type, normalised value, attempt): its bytes come from
//! HMAC-SHA256 in counter mode under the fake sub-key, so the same value gets the same fake under one
//! key and nothing about the value can be learnt from the fake without the key. The attempt number
//! lets the pseudonym table draw again when a fake collides with another value or equals its input.
//!
//! Per type: names from `data/fake_names.txt`; e-mail addresses as `first.last@example.{com,org,net}`;
//! phone numbers with their `+CC`, trunk `0` and separators kept (North-American numbers become
//! `NXX-555-01XX`, the range reserved for fiction); card numbers of the same length, separators and
//! first two digits (the card network), Luhn-valid; IBANs of the same country and length, mod-97 valid;
//! SSNs that pass the area/group/serial rules; IP addresses from the documentation ranges (RFC 5737,
//! RFC 3849); MAC addresses that are locally administered; dates and times shifted (see `date`);
//! URLs and domains under `example.{com,org,net}` (RFC 2606); ages with fresh digits; anything else
//! the same shape (digit for digit, letter for letter in the same case, other characters kept).

use std::net::{Ipv4Addr, Ipv6Addr};
use std::sync::OnceLock;

use aws_lc_rs::hmac;

use crate::entity::EntityType;
use crate::operator::date;

/// Fakes longer than this are not produced (the table falls back to a placeholder), which keeps the
/// stream restorer's hold-back small.
pub(crate) const MAX_FAKE_LEN: usize = 256;

/// A deterministic byte stream: HMAC-SHA256(fake key, len(type) || type || value || attempt || block).
pub(crate) struct FakeBytes<'a> {
    key: &'a hmac::Key,
    entity: &'a EntityType,
    seed: &'a [u8],
    attempt: u32,
    block: u32,
    buffer: [u8; 32],
    used: usize,
}

impl<'a> FakeBytes<'a> {
    pub(crate) fn new(
        key: &'a hmac::Key,
        entity: &'a EntityType,
        seed: &'a [u8],
        attempt: u32,
    ) -> FakeBytes<'a> {
        FakeBytes {
            key,
            entity,
            seed,
            attempt,
            block: 0,
            buffer: [0; 32],
            used: 32,
        }
    }

    fn byte(&mut self) -> u8 {
        if self.used == self.buffer.len() {
            let name = self.entity.as_str().as_bytes();
            let mut context = hmac::Context::with_key(self.key);
            context.update(&u32::try_from(name.len()).unwrap_or(u32::MAX).to_be_bytes());
            context.update(name);
            context.update(self.seed);
            // Fixed-width trailer: the input stays unambiguous although the seed's length varies.
            context.update(&self.attempt.to_be_bytes());
            context.update(&self.block.to_be_bytes());
            self.buffer.copy_from_slice(context.sign().as_ref());
            self.block = self.block.wrapping_add(1);
            self.used = 0;
        }
        let byte = self.buffer[self.used];
        self.used += 1;
        byte
    }

    /// A number in `0..n` (0 when `n` is 0). Reduces 64 random bits modulo `n`: the bias is below
    /// 2^-50 for every `n` used here, irrelevant for fakes.
    pub(crate) fn below(&mut self, n: u64) -> u64 {
        if n == 0 {
            return 0;
        }
        let mut x = 0u64;
        for _ in 0..8 {
            x = (x << 8) | u64::from(self.byte());
        }
        x % n
    }

    /// A number in `lo..=hi`.
    pub(crate) fn range(&mut self, lo: i64, hi: i64) -> i64 {
        if hi <= lo {
            return lo;
        }
        let span = hi.abs_diff(lo).saturating_add(1);
        lo.saturating_add_unsigned(self.below(span))
    }

    fn digit(&mut self) -> u8 {
        self.below(10) as u8
    }

    fn pick<'l>(&mut self, list: &[&'l str]) -> &'l str {
        let index = self.below(list.len() as u64) as usize;
        list.get(index).copied().unwrap_or("")
    }
}

/// A fake for `value` as an `entity`, or `None` when the type's format cannot be faked (nothing to
/// change) or the fake would be too long.
pub(crate) fn fake(entity: &EntityType, value: &str, rng: &mut FakeBytes<'_>) -> Option<String> {
    let fake = match entity {
        EntityType::Person => person(value, rng),
        EntityType::EmailAddress => Some(email(rng)),
        EntityType::PhoneNumber | EntityType::PhMobileNumber | EntityType::TrPhoneNumber => {
            phone(value, rng)
        }
        EntityType::CreditCard => credit_card(value, rng),
        EntityType::IbanCode => iban(value, rng),
        EntityType::UsSsn => ssn(value, rng),
        EntityType::IpAddress => ip_address(value, rng),
        EntityType::MacAddress => mac_address(value, rng),
        EntityType::DateTime => date::fake_date(value, rng),
        EntityType::Url => url(value, rng),
        EntityType::DomainName => Some(hostname(value, rng)),
        EntityType::Age => digits_only(value, rng),
        _ => shape(value, rng),
    }?;
    (fake.len() <= MAX_FAKE_LEN).then_some(fake)
}

/// The built-in first and last names.
fn names() -> &'static (Vec<&'static str>, Vec<&'static str>) {
    static NAMES: OnceLock<(Vec<&'static str>, Vec<&'static str>)> = OnceLock::new();
    NAMES.get_or_init(|| parse_names(include_str!("../../data/fake_names.txt")))
}

fn parse_names(text: &'static str) -> (Vec<&'static str>, Vec<&'static str>) {
    let mut first = Vec::new();
    let mut last = Vec::new();
    let mut section = None;
    for line in text.lines().map(str::trim) {
        match line {
            "" => {}
            _ if line.starts_with('#') => {}
            "[first]" => section = Some(true),
            "[last]" => section = Some(false),
            name => match section {
                Some(true) => first.push(name),
                Some(false) => last.push(name),
                None => {}
            },
        }
    }
    (first, last)
}

const HONORIFICS: &[&str] = &[
    "mr", "mrs", "ms", "miss", "mx", "dr", "prof", "sir", "dame", "herr", "frau", "mme", "m",
];

fn person(value: &str, rng: &mut FakeBytes<'_>) -> Option<String> {
    let words: Vec<&str> = value.split_whitespace().collect();
    let (honorific, name_words) = match words.split_first() {
        Some((first, rest))
            if !rest.is_empty()
                && HONORIFICS.contains(&first.trim_end_matches('.').to_lowercase().as_str()) =>
        {
            (Some(*first), rest.len())
        }
        Some(_) => (None, words.len()),
        None => return None,
    };
    let (first_names, last_names) = names();
    let first = rng.pick(first_names);
    let mut name = if name_words == 1 {
        first.to_owned()
    } else {
        format!("{first} {}", rng.pick(last_names))
    };
    let letters = || value.chars().filter(|c| c.is_alphabetic());
    if letters().count() > 1 && letters().all(char::is_uppercase) {
        name = name.to_uppercase();
    } else if letters().all(char::is_lowercase) {
        name = name.to_lowercase();
    }
    Some(match honorific {
        Some(honorific) => format!("{honorific} {name}"),
        None => name,
    })
}

fn email(rng: &mut FakeBytes<'_>) -> String {
    let (first_names, last_names) = names();
    let first = rng.pick(first_names).to_lowercase();
    let last = rng.pick(last_names).to_lowercase();
    let tld = rng.pick(&["com", "org", "net"]);
    format!("{first}.{last}@example.{tld}")
}

/// Rewrites the ASCII digits of `value` in order with `digits`, keeping every other character.
fn write_digits(value: &str, digits: &[u8]) -> String {
    let mut next = digits.iter();
    value
        .chars()
        .map(|c| {
            if c.is_ascii_digit() {
                next.next().map_or(c, |&d| char::from(b'0' + d))
            } else {
                c
            }
        })
        .collect()
}

fn ascii_digits(value: &str) -> Vec<u8> {
    value
        .bytes()
        .filter(u8::is_ascii_digit)
        .map(|b| b - b'0')
        .collect()
}

fn phone(value: &str, rng: &mut FakeBytes<'_>) -> Option<String> {
    let digits = ascii_digits(value);
    if digits.len() < 4 {
        return shape(value, rng);
    }
    let trimmed = value.trim_start();
    // Leading digits kept: the international prefix and the country code.
    let mut n_kept = 0;
    let mut country_code: &[u8] = &[];
    if let Some(after_plus) = trimmed.strip_prefix('+') {
        let n_cc = country_code_len(after_plus, &digits);
        country_code = &digits[..n_cc.min(digits.len())];
        n_kept = country_code.len();
    } else if trimmed.starts_with("00") && digits.len() > 4 {
        let n_cc = country_code_len(&trimmed[2..], &digits[2..]);
        country_code = &digits[2..(2 + n_cc).min(digits.len())];
        n_kept = 2 + country_code.len();
    }
    let national = &digits[n_kept.min(digits.len())..];
    let is_nanp = match country_code {
        [1] => national.len() == 10,
        // Without a country code, only a number shaped like a North-American one (area code 2–9,
        // optionally after a national `1`) is treated as one.
        [] => match national {
            [2..=9, ..] => national.len() == 10,
            [1, 2..=9, ..] => national.len() == 11,
            _ => false,
        },
        _ => false,
    };
    let mut fresh: Vec<u8> = digits[..n_kept.min(digits.len())].to_vec();
    if is_nanp {
        // Keep a national leading 1 (`1-555-…`), then NXX-555-01XX: 555-0100..0199 is reserved for
        // fictional use, so a fake never rings a real line.
        if national.len() == 11 {
            fresh.push(1);
        }
        fresh.push(rng.range(2, 9) as u8);
        fresh.push(rng.digit());
        fresh.push(rng.digit());
        fresh.extend_from_slice(&[5, 5, 5, 0, 1]);
        fresh.push(rng.digit());
        fresh.push(rng.digit());
    } else {
        for (i, &d) in national.iter().enumerate() {
            fresh.push(match (i, d) {
                // A national trunk prefix `0` stays, so the number keeps its national format.
                (0, 0) => 0,
                (0, _) => rng.range(1, 9) as u8,
                _ => rng.digit(),
            });
        }
    }
    Some(write_digits(value, &fresh))
}

/// How many digits of an international number are its country code (ITU-T E.164 zones): taken from
/// the first digit group when one is written separately, else from the code's known lengths.
fn country_code_len(after_prefix: &str, digits: &[u8]) -> usize {
    let group = after_prefix.bytes().take_while(u8::is_ascii_digit).count();
    let separated = after_prefix.len() > group;
    if separated && (1..=3).contains(&group) {
        return group;
    }
    match digits {
        [1 | 7, ..] => 1,
        [a, b, ..] => {
            let two = a * 10 + b;
            let is_two = matches!(two, 20 | 27 | 30..=34 | 36 | 39 | 40 | 41 | 43..=49 | 51..=58 | 60..=66 | 81 | 82 | 84 | 86 | 90..=95 | 98);
            if is_two { 2 } else { 3 }
        }
        _ => digits.len(),
    }
}

fn credit_card(value: &str, rng: &mut FakeBytes<'_>) -> Option<String> {
    let digits = ascii_digits(value);
    if digits.len() < 8 {
        return shape(value, rng);
    }
    // The first two digits say the network (4 Visa, 51–55 Mastercard, 34/37 Amex, …): keep them so the
    // fake passes the same format checks downstream.
    let mut fresh: Vec<u8> = digits[..2].to_vec();
    while fresh.len() < digits.len() - 1 {
        fresh.push(rng.digit());
    }
    fresh.push(luhn_check_digit(&fresh));
    Some(write_digits(value, &fresh))
}

/// The digit that makes `payload || digit` Luhn-valid.
pub(crate) fn luhn_check_digit(payload: &[u8]) -> u8 {
    let sum: u32 = payload
        .iter()
        .rev()
        .enumerate()
        .map(|(i, &d)| {
            let d = u32::from(d);
            if i % 2 == 0 {
                let doubled = d * 2;
                if doubled > 9 { doubled - 9 } else { doubled }
            } else {
                d
            }
        })
        .sum();
    ((10 - sum % 10) % 10) as u8
}

fn iban(value: &str, rng: &mut FakeBytes<'_>) -> Option<String> {
    let compact: Vec<char> = value
        .chars()
        .filter(|c| c.is_ascii_alphanumeric())
        .collect();
    let looks_like_iban = compact.len() >= 5
        && compact[..2].iter().all(char::is_ascii_alphabetic)
        && compact[2..4].iter().all(char::is_ascii_digit);
    if !looks_like_iban {
        return shape(value, rng);
    }
    // Same country, same length, the BBAN re-drawn character for character, then fresh check digits.
    let mut bban: Vec<char> = Vec::with_capacity(compact.len() - 4);
    for &c in &compact[4..] {
        bban.push(shape_char(c, rng, c.is_ascii_digit() && c != '0'));
    }
    let mut remainder: u32 = 0;
    let country = &compact[..2];
    for &c in bban.iter().chain(country).chain(['0', '0'].iter()) {
        let c = c.to_ascii_uppercase();
        if let Some(d) = c.to_digit(10) {
            remainder = (remainder * 10 + d) % 97;
        } else {
            remainder = (remainder * 100 + (u32::from(c) - u32::from('A') + 10)) % 97;
        }
    }
    let check = 98 - remainder;
    let mut fresh: Vec<char> = country.to_vec();
    fresh.push(char::from(b'0' + (check / 10) as u8));
    fresh.push(char::from(b'0' + (check % 10) as u8));
    fresh.extend(bban);
    let mut next = fresh.into_iter();
    Some(
        value
            .chars()
            .map(|c| {
                if c.is_ascii_alphanumeric() {
                    next.next().unwrap_or(c)
                } else {
                    c
                }
            })
            .collect(),
    )
}

fn ssn(value: &str, rng: &mut FakeBytes<'_>) -> Option<String> {
    if ascii_digits(value).len() != 9 {
        return shape(value, rng);
    }
    for _ in 0..32 {
        let area = rng.range(1, 899);
        if area == 666 {
            continue;
        }
        let group = rng.range(1, 99);
        let serial = rng.range(1, 9999);
        let text = format!("{area:03}{group:02}{serial:04}");
        if crate::validate::us_ssn(&text) {
            return Some(write_digits(value, &ascii_digits(&text)));
        }
    }
    None
}

fn ip_address(value: &str, rng: &mut FakeBytes<'_>) -> Option<String> {
    let trimmed = value.trim();
    if trimmed.parse::<Ipv4Addr>().is_ok() {
        // RFC 5737 documentation networks: never routed, never anyone's address.
        let networks: [[u8; 3]; 3] = [[192, 0, 2], [198, 51, 100], [203, 0, 113]];
        let [a, b, c] = networks[rng.below(3) as usize];
        let host = rng.range(1, 254);
        return Some(value.replacen(trimmed, &format!("{a}.{b}.{c}.{host}"), 1));
    }
    if trimmed.parse::<Ipv6Addr>().is_ok() {
        // RFC 3849: 2001:db8::/32 is reserved for documentation.
        let mut groups = [0u16; 8];
        groups[0] = 0x2001;
        groups[1] = 0x0db8;
        for group in &mut groups[2..] {
            *group = rng.below(0x1_0000) as u16;
        }
        let mut text = Ipv6Addr::from(groups).to_string();
        let has_upper = trimmed.bytes().any(|b| b.is_ascii_uppercase());
        let has_lower = trimmed.bytes().any(|b| b.is_ascii_lowercase());
        if has_upper && !has_lower {
            text = text.to_ascii_uppercase();
        }
        return Some(value.replacen(trimmed, &text, 1));
    }
    shape(value, rng)
}

fn mac_address(value: &str, rng: &mut FakeBytes<'_>) -> Option<String> {
    let n_hex = value.chars().filter(char::is_ascii_hexdigit).count();
    let only_hex = value
        .chars()
        .all(|c| c.is_ascii_hexdigit() || !c.is_alphanumeric());
    if n_hex != 12 || !only_hex {
        return shape(value, rng);
    }
    let mut nibbles: Vec<u8> = (0..12).map(|_| rng.below(16) as u8).collect();
    // First octet: locally administered (bit 1 set), unicast (bit 0 clear), so it is no vendor's.
    nibbles[1] = (nibbles[1] | 0x2) & 0xe;
    let upper = value.chars().any(|c| c.is_ascii_uppercase());
    let mut next = nibbles.into_iter();
    Some(
        value
            .chars()
            .map(|c| {
                if !c.is_ascii_hexdigit() {
                    return c;
                }
                let nibble = next.next().unwrap_or(0);
                let digit = char::from(b"0123456789abcdef"[usize::from(nibble & 0xf)]);
                if upper {
                    digit.to_ascii_uppercase()
                } else {
                    digit
                }
            })
            .collect(),
    )
}

fn url(value: &str, rng: &mut FakeBytes<'_>) -> Option<String> {
    let (scheme, rest) = match value.find("://") {
        Some(i)
            if i > 0
                && value[..i]
                    .bytes()
                    .all(|b| b.is_ascii_alphanumeric() || matches!(b, b'+' | b'-' | b'.')) =>
        {
            value.split_at(i + 3)
        }
        _ => ("", value),
    };
    let authority_end = rest.find(['/', '?', '#']).unwrap_or(rest.len());
    let (authority, tail) = rest.split_at(authority_end);
    let (userinfo, host_port) = match authority.rfind('@') {
        Some(i) => authority.split_at(i + 1),
        None => ("", authority),
    };
    let (host, port) = match host_port.rfind(':') {
        Some(i)
            if !host_port.starts_with('[')
                && host_port[i + 1..].bytes().all(|b| b.is_ascii_digit()) =>
        {
            host_port.split_at(i)
        }
        _ => (host_port, ""),
    };
    let mut out = String::with_capacity(value.len() + 16);
    out.push_str(scheme);
    if !userinfo.is_empty() {
        out.push_str(&shape_or_same(userinfo, rng));
    }
    out.push_str(&hostname(host, rng));
    out.push_str(port);
    // Paths and queries carry names and ids too: same shape, fresh characters.
    out.push_str(&shape_or_same(tail, rng));
    Some(out)
}

/// `[www.]label.example.{com,org,net}`, the label shaped like the host's first meaningful label.
fn hostname(host: &str, rng: &mut FakeBytes<'_>) -> String {
    let www = host
        .get(..4)
        .is_some_and(|p| p.eq_ignore_ascii_case("www."));
    let labels: Vec<&str> = host.split('.').filter(|l| !l.is_empty()).collect();
    let significant = labels.get(usize::from(www)).copied().unwrap_or("site");
    let mut label: String = significant
        .chars()
        .filter(|c| c.is_alphanumeric() || *c == '-')
        .take(40)
        .map(|c| shape_char(c, rng, false).to_ascii_lowercase())
        .collect();
    if label.is_empty() || label.starts_with('-') || label.ends_with('-') {
        label = format!("site{}", rng.range(1, 999));
    }
    let tld = rng.pick(&["com", "org", "net"]);
    format!("{}{label}.example.{tld}", if www { "www." } else { "" })
}

fn digits_only(value: &str, rng: &mut FakeBytes<'_>) -> Option<String> {
    if !value.bytes().any(|b| b.is_ascii_digit()) {
        return shape(value, rng);
    }
    let mut previous_is_digit = false;
    Some(
        value
            .chars()
            .map(|c| {
                let is_digit = c.is_ascii_digit();
                let out = if is_digit {
                    shape_char(c, rng, !previous_is_digit && c != '0')
                } else {
                    c
                };
                previous_is_digit = is_digit;
                out
            })
            .collect(),
    )
}

/// Same shape: digit for digit (a leading non-zero digit of a number stays non-zero), letter for
/// letter in the same case (as ASCII), everything else kept. `None` if there is nothing to change.
pub(crate) fn shape(value: &str, rng: &mut FakeBytes<'_>) -> Option<String> {
    if !value.chars().any(char::is_alphanumeric) {
        return None;
    }
    Some(shape_or_same(value, rng))
}

fn shape_or_same(value: &str, rng: &mut FakeBytes<'_>) -> String {
    let mut previous_is_digit = false;
    value
        .chars()
        .map(|c| {
            let is_digit = c.is_numeric();
            let leading_nonzero = is_digit && !previous_is_digit && c != '0';
            previous_is_digit = is_digit;
            shape_char(c, rng, leading_nonzero)
        })
        .collect()
}

fn shape_char(c: char, rng: &mut FakeBytes<'_>, nonzero: bool) -> char {
    if c.is_numeric() {
        let low = u64::from(nonzero);
        return char::from(b'0' + (low + rng.below(10 - low)) as u8);
    }
    if c.is_alphabetic() {
        let base = if c.is_uppercase() { b'A' } else { b'a' };
        return char::from(base + rng.below(26) as u8);
    }
    c
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::operator::key::{Keys, OperatorKey};

    fn keys() -> Keys {
        Keys::derive(&OperatorKey::from_bytes([5; 32]).unwrap()).unwrap()
    }

    fn fakes(entity: EntityType, value: &str, n: u32) -> Vec<String> {
        let k = keys();
        (0..n)
            .filter_map(|attempt| {
                let mut rng = FakeBytes::new(&k.fake, &entity, value.as_bytes(), attempt);
                fake(&entity, value, &mut rng)
            })
            .collect()
    }

    fn same_layout(a: &str, b: &str) -> bool {
        a.chars().count() == b.chars().count()
            && a.chars().zip(b.chars()).all(|(x, y)| {
                (x.is_ascii_digit() && y.is_ascii_digit()) || (!x.is_alphanumeric() && x == y)
            })
    }

    #[test]
    fn names_file_parses() {
        let (first, last) = names();
        assert!(first.len() >= 100 && last.len() >= 100);
        assert!(
            first
                .iter()
                .chain(last)
                .all(|n| n.is_ascii() && !n.is_empty())
        );
    }

    #[test]
    fn credit_cards_keep_length_separators_network_and_luhn() {
        for value in [
            "4111 1111 1111 1111",
            "5500-0000-0000-0004",
            "378282246310005",
            "6011000990139424",
        ] {
            for fake in fakes(EntityType::CreditCard, value, 50) {
                assert!(same_layout(value, &fake), "{value} -> {fake}");
                assert!(crate::validate::luhn(&fake), "{fake}");
                assert_eq!(fake[..2], value[..2]);
            }
        }
    }

    #[test]
    fn ibans_keep_country_length_and_check() {
        for value in [
            "DE89 3704 0044 0532 0130 00",
            "GB82WEST12345698765432",
            "FR14 2004 1010 0505 0001 3M02 606",
        ] {
            for fake in fakes(EntityType::IbanCode, value, 50) {
                assert!(crate::validate::iban(&fake), "{value} -> {fake}");
                assert_eq!(fake.len(), value.len());
                assert_eq!(fake[..2], value[..2]);
                let seps = |s: &str| {
                    s.char_indices()
                        .filter(|(_, c)| *c == ' ')
                        .map(|(i, _)| i)
                        .collect::<Vec<_>>()
                };
                assert_eq!(seps(&fake), seps(value));
            }
        }
    }

    #[test]
    fn ssns_follow_the_rules() {
        for value in ["078-05-1121", "219099998", "123 45 6780"] {
            for fake in fakes(EntityType::UsSsn, value, 100) {
                assert!(same_layout(value, &fake), "{value} -> {fake}");
                assert!(crate::validate::us_ssn(&fake), "{fake}");
            }
        }
    }

    #[test]
    fn phones_keep_country_code_and_format() {
        let cases = [
            ("+44 20 7946 0958", "+44 "),
            ("+1 (415) 555-2671", "+1 ("),
            ("+33612345678", "+33"),
            ("020 7946 0958", "0"),
            ("0049 30 1234567", "0049 "),
        ];
        for (value, prefix) in cases {
            for fake in fakes(EntityType::PhoneNumber, value, 30) {
                assert!(same_layout(value, &fake), "{value} -> {fake}");
                assert!(fake.starts_with(prefix), "{value} -> {fake}");
            }
        }
        for fake in fakes(EntityType::PhoneNumber, "(415) 555-2671", 30) {
            assert!(fake.contains(") 555-01"), "{fake}");
        }
    }

    #[test]
    fn ips_come_from_documentation_ranges() {
        for fake in fakes(EntityType::IpAddress, "10.1.2.3", 50) {
            let ip: Ipv4Addr = fake.parse().unwrap();
            let o = ip.octets();
            assert!(
                matches!(o[..3], [192, 0, 2] | [198, 51, 100] | [203, 0, 113]),
                "{fake}"
            );
        }
        for fake in fakes(EntityType::IpAddress, "fe80::1ff:fe23:4567:890a", 50) {
            let ip: Ipv6Addr = fake.parse().unwrap();
            assert_eq!(ip.segments()[..2], [0x2001, 0x0db8], "{fake}");
        }
        for fake in fakes(EntityType::IpAddress, "FE80::1", 5) {
            assert!(!fake.bytes().any(|b| b.is_ascii_lowercase()), "{fake}");
        }
    }

    #[test]
    fn macs_are_locally_administered() {
        for value in ["00:1A:2B:3C:4D:5E", "00-1a-2b-3c-4d-5e", "001a.2b3c.4d5e"] {
            for fake in fakes(EntityType::MacAddress, value, 30) {
                assert_eq!(fake.len(), value.len());
                let first =
                    u8::from_str_radix(&fake.replace(['.', ':', '-'], "")[..2], 16).unwrap();
                assert_eq!(first & 0b11, 0b10, "{fake}");
            }
        }
    }

    #[test]
    fn emails_urls_and_domains_use_reserved_domains() {
        for fake in fakes(EntityType::EmailAddress, "jane.doe@acme.com", 30) {
            let (local, domain) = fake.split_once('@').unwrap();
            assert!(local.contains('.'));
            assert!(
                ["example.com", "example.org", "example.net"].contains(&domain),
                "{fake}"
            );
        }
        for fake in fakes(
            EntityType::Url,
            "https://user@www.acme-corp.com:8443/people/jane?id=42#top",
            30,
        ) {
            assert!(fake.starts_with("https://"), "{fake}");
            assert!(fake.contains("@www."), "{fake}");
            assert!(
                fake.contains(".example.") && fake.contains(":8443/"),
                "{fake}"
            );
            assert!(!fake.contains("jane") && !fake.contains("acme"), "{fake}");
        }
        for fake in fakes(EntityType::DomainName, "acme.co.uk", 30) {
            assert!(fake.contains(".example."), "{fake}");
        }
    }

    #[test]
    fn names_keep_case_style_and_honorific() {
        for fake in fakes(EntityType::Person, "Dr. Jane Doe", 20) {
            assert!(
                fake.starts_with("Dr. ") && fake.split(' ').count() == 3,
                "{fake}"
            );
        }
        for fake in fakes(EntityType::Person, "JANE", 20) {
            assert!(
                !fake.contains(' ') && fake.chars().all(|c| c.is_ascii_uppercase()),
                "{fake}"
            );
        }
        for fake in fakes(EntityType::Person, "jane doe", 20) {
            assert!(
                fake.chars().all(|c| c.is_ascii_lowercase() || c == ' '),
                "{fake}"
            );
        }
    }

    #[test]
    fn other_types_keep_their_shape() {
        for (entity, value) in [
            (EntityType::UkNino, "QQ 12 34 56 C"),
            (EntityType::Custom("EMPLOYEE_ID".into()), "EMP-00042-x"),
            (EntityType::Age, "42 years"),
        ] {
            for fake in fakes(entity.clone(), value, 30) {
                assert_eq!(fake.chars().count(), value.chars().count());
                for (a, b) in value.chars().zip(fake.chars()) {
                    assert_eq!(a.is_ascii_digit(), b.is_ascii_digit(), "{value} -> {fake}");
                    assert_eq!(
                        a.is_ascii_uppercase(),
                        b.is_ascii_uppercase(),
                        "{value} -> {fake}"
                    );
                    assert_eq!(
                        a.is_ascii_lowercase(),
                        b.is_ascii_lowercase(),
                        "{value} -> {fake}"
                    );
                    if !a.is_alphanumeric() {
                        assert_eq!(a, b);
                    }
                }
            }
        }
        assert!(
            fakes(EntityType::UkNino, "---", 3).is_empty(),
            "nothing to fake"
        );
    }

    #[test]
    fn deterministic_per_key_value_and_attempt() {
        assert_eq!(
            fakes(EntityType::Person, "Jane Doe", 5),
            fakes(EntityType::Person, "Jane Doe", 5)
        );
        let other = Keys::derive(&OperatorKey::from_bytes([6; 32]).unwrap()).unwrap();
        let mut rng = FakeBytes::new(&other.fake, &EntityType::CreditCard, b"4111111111111111", 0);
        let with_other_key = fake(&EntityType::CreditCard, "4111111111111111", &mut rng);
        assert_ne!(
            with_other_key.as_deref(),
            fakes(EntityType::CreditCard, "4111111111111111", 1)
                .first()
                .map(String::as_str)
        );
    }

    #[test]
    fn luhn_check_digit_matches_validator() {
        for payload in ["411111111111111", "7992739871", "0"] {
            let digits = ascii_digits(payload);
            let full = format!("{payload}{}", luhn_check_digit(&digits));
            assert!(crate::validate::luhn(&full), "{full}");
        }
    }
}
