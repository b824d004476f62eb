//! Checksums and structural rules that tell a real identifier from a look-alike.
//!
//! Every validator takes the matched text as written (with spaces, dashes or dots) and ignores
//! separators itself, so detectors and custom detectors can pass the raw match.

use aws_lc_rs::digest;

/// A validator: true if the value passes.
pub type Validator = fn(&str) -> bool;

/// The validators that custom detectors can name.
pub const NAMES: &[&str] = &[
    "luhn",
    "mod97",
    "iban",
    "verhoeff",
    "aba",
    "us_ssn",
    "base58check",
    "bech32",
    "eip55",
    "mod11_nhs",
];

/// Looks a validator up by name.
pub fn by_name(name: &str) -> Option<Validator> {
    Some(match name {
        "luhn" => luhn,
        "mod97" | "iban" => iban,
        "verhoeff" => verhoeff,
        "aba" => aba_routing,
        "us_ssn" => us_ssn,
        "base58check" => base58check,
        "bech32" => bech32,
        "eip55" => eip55,
        "mod11_nhs" => uk_nhs,
        _ => return None,
    })
}

/// The ASCII digits of `s`, as numbers.
pub(crate) fn digits(s: &str) -> Vec<u8> {
    s.bytes()
        .filter(u8::is_ascii_digit)
        .map(|b| b - b'0')
        .collect()
}

/// Luhn (mod 10), used by payment cards and many national ids.
pub fn luhn(s: &str) -> bool {
    let d = digits(s);
    !d.is_empty() && luhn_digits(&d)
}

pub(crate) fn luhn_digits(d: &[u8]) -> bool {
    let mut sum = 0u32;
    for (i, &x) in d.iter().rev().enumerate() {
        let x = u32::from(x);
        sum += if i % 2 == 1 {
            let y = x * 2;
            if y > 9 { y - 9 } else { y }
        } else {
            x
        };
    }
    sum.is_multiple_of(10)
}

/// IBAN: known country length and ISO 7064 mod-97 = 1.
pub fn iban(s: &str) -> bool {
    let compact: Vec<u8> = s
        .bytes()
        .filter(|b| b.is_ascii_alphanumeric())
        .map(|b| b.to_ascii_uppercase())
        .collect();
    if compact.len() < 15 || compact.len() > 34 {
        return false;
    }
    if !(compact[0].is_ascii_uppercase() && compact[1].is_ascii_uppercase()) {
        return false;
    }
    if !(compact[2].is_ascii_digit() && compact[3].is_ascii_digit()) {
        return false;
    }
    match iban_length(&compact[..2]) {
        Some(len) if len == compact.len() => {}
        _ => return false,
    }
    let rearranged = compact[4..].iter().chain(&compact[..4]);
    let mut rem: u32 = 0;
    for &b in rearranged {
        if b.is_ascii_digit() {
            rem = (rem * 10 + u32::from(b - b'0')) % 97;
        } else if b.is_ascii_uppercase() {
            let v = u32::from(b - b'A') + 10;
            rem = (rem * 100 + v) % 97;
        } else {
            return false;
        }
    }
    rem == 1
}

/// IBAN length per country (SWIFT IBAN registry).
pub(crate) fn iban_length(country: &[u8]) -> Option<usize> {
    let len = match country {
        b"AD" => 24,
        b"AE" => 23,
        b"AL" => 28,
        b"AT" => 20,
        b"AZ" => 28,
        b"BA" => 20,
        b"BE" => 16,
        b"BG" => 22,
        b"BH" => 22,
        b"BI" => 27,
        b"BR" => 29,
        b"BY" => 28,
        b"CH" => 21,
        b"CR" => 22,
        b"CY" => 28,
        b"CZ" => 24,
        b"DE" => 22,
        b"DJ" => 27,
        b"DK" => 18,
        b"DO" => 28,
        b"EE" => 20,
        b"EG" => 29,
        b"ES" => 24,
        b"FI" => 18,
        b"FK" => 18,
        b"FO" => 18,
        b"FR" => 27,
        b"GB" => 22,
        b"GE" => 22,
        b"GI" => 23,
        b"GL" => 18,
        b"GR" => 27,
        b"GT" => 28,
        b"HN" => 28,
        b"HR" => 21,
        b"HU" => 28,
        b"IE" => 22,
        b"IL" => 23,
        b"IQ" => 23,
        b"IS" => 26,
        b"IT" => 27,
        b"JO" => 30,
        b"KW" => 30,
        b"KZ" => 20,
        b"LB" => 28,
        b"LC" => 32,
        b"LI" => 21,
        b"LT" => 20,
        b"LU" => 20,
        b"LV" => 21,
        b"LY" => 25,
        b"MC" => 27,
        b"MD" => 24,
        b"ME" => 22,
        b"MK" => 19,
        b"MN" => 20,
        b"MR" => 27,
        b"MT" => 31,
        b"MU" => 30,
        b"NI" => 28,
        b"NL" => 18,
        b"NO" => 15,
        b"OM" => 23,
        b"PK" => 24,
        b"PL" => 28,
        b"PS" => 29,
        b"PT" => 25,
        b"QA" => 29,
        b"RO" => 24,
        b"RS" => 22,
        b"RU" => 33,
        b"SA" => 24,
        b"SC" => 31,
        b"SD" => 18,
        b"SE" => 24,
        b"SI" => 19,
        b"SK" => 24,
        b"SM" => 27,
        b"SO" => 23,
        b"ST" => 25,
        b"SV" => 28,
        b"TL" => 23,
        b"TN" => 24,
        b"TR" => 26,
        b"UA" => 29,
        b"VA" => 22,
        b"VG" => 24,
        b"XK" => 20,
        b"YE" => 30,
        _ => return None,
    };
    Some(len)
}

const VERHOEFF_D: [[u8; 10]; 10] = [
    [0, 1, 2, 3, 4, 5, 6, 7, 8, 9],
    [1, 2, 3, 4, 0, 6, 7, 8, 9, 5],
    [2, 3, 4, 0, 1, 7, 8, 9, 5, 6],
    [3, 4, 0, 1, 2, 8, 9, 5, 6, 7],
    [4, 0, 1, 2, 3, 9, 5, 6, 7, 8],
    [5, 9, 8, 7, 6, 0, 4, 3, 2, 1],
    [6, 5, 9, 8, 7, 1, 0, 4, 3, 2],
    [7, 6, 5, 9, 8, 2, 1, 0, 4, 3],
    [8, 7, 6, 5, 9, 3, 2, 1, 0, 4],
    [9, 8, 7, 6, 5, 4, 3, 2, 1, 0],
];
const VERHOEFF_P: [[u8; 10]; 8] = [
    [0, 1, 2, 3, 4, 5, 6, 7, 8, 9],
    [1, 5, 7, 6, 2, 8, 3, 0, 9, 4],
    [5, 8, 0, 3, 7, 9, 6, 1, 4, 2],
    [8, 9, 1, 6, 0, 4, 3, 5, 2, 7],
    [9, 4, 5, 3, 1, 2, 6, 8, 7, 0],
    [4, 2, 8, 6, 5, 7, 3, 9, 0, 1],
    [2, 7, 9, 3, 8, 0, 6, 4, 1, 5],
    [7, 0, 4, 6, 9, 1, 3, 2, 5, 8],
];

/// Verhoeff checksum (Aadhaar).
pub fn verhoeff(s: &str) -> bool {
    let d = digits(s);
    if d.is_empty() {
        return false;
    }
    let mut c = 0u8;
    for (i, &x) in d.iter().rev().enumerate() {
        c = VERHOEFF_D[c as usize][VERHOEFF_P[i % 8][x as usize] as usize];
    }
    c == 0
}

/// ABA routing number: 9 digits, weights 3-7-1 sum to a multiple of 10, known first two digits.
pub fn aba_routing(s: &str) -> bool {
    let d = digits(s);
    if d.len() != 9 {
        return false;
    }
    let prefix = d[0] * 10 + d[1];
    let prefix_ok = matches!(prefix, 0..=12 | 21..=32 | 61..=72 | 80);
    let weights = [3u32, 7, 1, 3, 7, 1, 3, 7, 1];
    let sum: u32 = d.iter().zip(weights).map(|(&x, w)| u32::from(x) * w).sum();
    prefix_ok && sum.is_multiple_of(10) && sum > 0
}

/// US SSN structural rules: 9 digits, area not 000, 666 or 900–999, group not 00, serial not 0000,
/// not all one digit, not the advertising numbers 123-45-6789 / 078-05-1120 / 219-09-9999.
pub fn us_ssn(s: &str) -> bool {
    let d = digits(s);
    if d.len() != 9 {
        return false;
    }
    let area = u32::from(d[0]) * 100 + u32::from(d[1]) * 10 + u32::from(d[2]);
    let group = u32::from(d[3]) * 10 + u32::from(d[4]);
    let serial = d[5..].iter().fold(0u32, |acc, &x| acc * 10 + u32::from(x));
    if area == 0 || area == 666 || area >= 900 || group == 0 || serial == 0 {
        return false;
    }
    if d.iter().all(|&x| x == d[0]) {
        return false;
    }
    let n = d.iter().fold(0u64, |acc, &x| acc * 10 + u64::from(x));
    !matches!(n, 123_456_789 | 78_051_120 | 219_099_999)
}

/// UK NHS number: 10 digits, weights 10..2, mod 11 check digit.
pub fn uk_nhs(s: &str) -> bool {
    let d = digits(s);
    if d.len() != 10 {
        return false;
    }
    let sum: u32 = d[..9]
        .iter()
        .enumerate()
        .map(|(i, &x)| u32::from(x) * (10 - i as u32))
        .sum();
    let check = (11 - sum % 11) % 11;
    check != 10 && check == u32::from(d[9])
}

const BASE58: &[u8; 58] = b"123456789ABCDEFGHJKLMNPQRSTUVWXYZabcdefghijkmnopqrstuvwxyz";

/// Decodes base58 (Bitcoin alphabet); `None` on a character outside it.
pub(crate) fn base58_decode(s: &str) -> Option<Vec<u8>> {
    let mut out: Vec<u8> = Vec::with_capacity(s.len());
    for &c in s.as_bytes() {
        let mut carry = BASE58.iter().position(|&a| a == c)? as u32;
        for byte in out.iter_mut().rev() {
            carry += u32::from(*byte) * 58;
            *byte = (carry & 0xff) as u8;
            carry >>= 8;
        }
        while carry > 0 {
            out.insert(0, (carry & 0xff) as u8);
            carry >>= 8;
        }
    }
    let zeros = s.bytes().take_while(|&b| b == b'1').count();
    let mut result = vec![0u8; zeros];
    result.extend(out);
    Some(result)
}

/// Base58Check: the last 4 bytes are the first 4 of SHA-256(SHA-256(payload)).
pub fn base58check(s: &str) -> bool {
    if s.len() > 128 {
        return false;
    }
    let Some(bytes) = base58_decode(s) else {
        return false;
    };
    if bytes.len() < 5 {
        return false;
    }
    let (payload, check) = bytes.split_at(bytes.len() - 4);
    let first = digest::digest(&digest::SHA256, payload);
    let second = digest::digest(&digest::SHA256, first.as_ref());
    &second.as_ref()[..4] == check
}

const BECH32_CHARSET: &[u8; 32] = b"qpzry9x8gf2tvdw0s3jn54khce6mua7l";

fn bech32_polymod(values: &[u8]) -> u32 {
    const GEN: [u32; 5] = [
        0x3b6a_57b2,
        0x2650_8e6d,
        0x1ea1_19fa,
        0x3d42_33dd,
        0x2a14_62b3,
    ];
    let mut chk: u32 = 1;
    for &v in values {
        let top = chk >> 25;
        chk = ((chk & 0x1ff_ffff) << 5) ^ u32::from(v);
        for (i, g) in GEN.iter().enumerate() {
            if (top >> i) & 1 == 1 {
                chk ^= g;
            }
        }
    }
    chk
}

/// Bech32 or Bech32m (BIP-173/350): single case, human-readable part, valid checksum.
pub fn bech32(s: &str) -> bool {
    if s.len() < 8 || s.len() > 90 {
        return false;
    }
    let has_lower = s.bytes().any(|b| b.is_ascii_lowercase());
    let has_upper = s.bytes().any(|b| b.is_ascii_uppercase());
    if has_lower && has_upper {
        return false;
    }
    let lower = s.to_ascii_lowercase();
    let Some(sep) = lower.rfind('1') else {
        return false;
    };
    if sep == 0 || sep + 7 > lower.len() {
        return false;
    }
    let (hrp, data) = (&lower.as_bytes()[..sep], &lower.as_bytes()[sep + 1..]);
    if !hrp.iter().all(|&b| (33..=126).contains(&b)) {
        return false;
    }
    let mut values: Vec<u8> = hrp.iter().map(|b| b >> 5).collect();
    values.push(0);
    values.extend(hrp.iter().map(|b| b & 31));
    for &c in data {
        let Some(v) = BECH32_CHARSET.iter().position(|&x| x == c) else {
            return false;
        };
        values.push(v as u8);
    }
    let check = bech32_polymod(&values);
    check == 1 || check == 0x2bc8_30a3
}

/// Ethereum address `0x` + 40 hex: all-lower and all-upper pass; mixed case must match EIP-55.
pub fn eip55(s: &str) -> bool {
    let Some(hex) = s.strip_prefix("0x").or_else(|| s.strip_prefix("0X")) else {
        return false;
    };
    if hex.len() != 40 || !hex.bytes().all(|b| b.is_ascii_hexdigit()) {
        return false;
    }
    let has_lower = hex.bytes().any(|b| b.is_ascii_lowercase());
    let has_upper = hex.bytes().any(|b| b.is_ascii_uppercase());
    if !(has_lower && has_upper) {
        return true;
    }
    use tiny_keccak::{Hasher, Keccak};
    let lower = hex.to_ascii_lowercase();
    let mut keccak = Keccak::v256();
    keccak.update(lower.as_bytes());
    let mut hash = [0u8; 32];
    keccak.finalize(&mut hash);
    hex.bytes().enumerate().all(|(i, b)| {
        if !b.is_ascii_alphabetic() {
            return true;
        }
        let nibble = (hash[i / 2] >> (if i % 2 == 0 { 4 } else { 0 })) & 0xf;
        (nibble >= 8) == b.is_ascii_uppercase()
    })
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn checksums_accept_known_good_and_reject_one_digit_off() {
        assert!(luhn("4111 1111 1111 1111"));
        assert!(!luhn("4111 1111 1111 1112"));
        assert!(iban("GB82 WEST 1234 5698 7654 32"));
        assert!(!iban("GB82 WEST 1234 5698 7654 33"));
        assert!(verhoeff("2363"));
        assert!(!verhoeff("2364"));
        assert!(aba_routing("121000358"));
        assert!(!aba_routing("121000359"));
        assert!(us_ssn("078-05-1121"));
        assert!(!us_ssn("078-05-1120"));
        assert!(!us_ssn("666-12-3456"));
        assert!(uk_nhs("401-023-2137"));
        assert!(!uk_nhs("401-023-2138"));
        assert!(base58check("16Yeky6GMjeNkAiNcBY7ZhrLoMSgg1BoyZ"));
        assert!(!base58check("16Yeky6GMjeNkAiNcBY7ZhrLoMSgg1BoyY"));
        assert!(bech32("bc1qar0srrr7xfkvy5l643lydnw9re59gtzzwf5mdq"));
        assert!(!bech32("bc1qar0srrr7xfkvy5l643lydnw9re59gtzzwf5mdp"));
        assert!(eip55("0x5aAeb6053F3E94C9b9A09f33669435E7Ef1BeAed"));
        assert!(!eip55("0x5aAeb6053F3E94C9b9A09f33669435E7Ef1BeAeD"));
    }

    #[test]
    fn every_name_resolves() {
        for name in NAMES {
            assert!(by_name(name).is_some(), "{name}");
        }
    }
}
