//! Checksums and structural rules of government, health and tax identifiers.
//!
//! Each identifier has two faces here: a public `fn(&str) -> bool` that takes the value as written
//! (separators such as spaces, dashes, dots and slashes are ignored, letters may be lower case), and a
//! crate-internal function over the *compact* form (upper-case ASCII letters and digits, no separators)
//! that the detectors call on the candidates they have already normalised.
//!
//! Some rules cannot say "valid" for every real value, because the issuer publishes no check digit or
//! stopped using one; those return a [`Check`] with a middle verdict, [`Check::Plausible`].

/// A three-way verdict, for identifiers whose format can be confirmed, only judged plausible, or
/// refuted.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum Check {
    /// The value passes the check digit (or every rule the format has).
    Valid,
    /// The value has the right shape, but a check digit is missing, unpublished or does not apply.
    Plausible,
    /// The value cannot be an identifier of this kind.
    Invalid,
}

/// Separators that may appear inside a written identifier and are ignored by the validators.
const SEPARATORS: &[u8] = b" -./:_";

/// The compact form of `s`: upper-cased letters and digits with separators removed; `None` if `s`
/// contains anything else or is longer than any identifier.
pub(crate) fn compact(s: &str, separators: &[u8]) -> Option<Vec<u8>> {
    if s.len() > 64 {
        return None;
    }
    let mut out = Vec::with_capacity(s.len());
    for b in s.bytes() {
        if b.is_ascii_alphanumeric() {
            out.push(b.to_ascii_uppercase());
        } else if !separators.contains(&b) {
            return None;
        }
    }
    Some(out)
}

fn with_compact(s: &str, rule: fn(&[u8]) -> bool) -> bool {
    compact(s, SEPARATORS).is_some_and(|c| rule(&c))
}

pub(crate) fn all_digits(c: &[u8]) -> bool {
    !c.is_empty() && c.iter().all(u8::is_ascii_digit)
}

fn digit(b: u8) -> u32 {
    u32::from(b.wrapping_sub(b'0'))
}

/// Luhn over ASCII digits, without allocating (detectors call it on every candidate).
pub(crate) fn luhn_ascii(c: &[u8]) -> bool {
    let mut sum = 0;
    for (i, &b) in c.iter().rev().enumerate() {
        let d = digit(b);
        sum += if i % 2 == 1 {
            let doubled = d * 2;
            if doubled > 9 { doubled - 9 } else { doubled }
        } else {
            d
        };
    }
    !c.is_empty() && sum.is_multiple_of(10)
}

/// Verhoeff over ASCII digits, without allocating.
pub(crate) fn verhoeff_ascii(c: &[u8]) -> bool {
    let mut check = 0usize;
    for (i, &b) in c.iter().rev().enumerate() {
        let d = digit(b) as usize;
        check = usize::from(super::VERHOEFF_D[check][usize::from(super::VERHOEFF_P[i % 8][d])]);
    }
    !c.is_empty() && check == 0
}

/// The number formed by the ASCII digits `c` (callers check they are digits and few enough).
pub(crate) fn number(c: &[u8]) -> u64 {
    c.iter().fold(0u64, |acc, &b| {
        acc.wrapping_mul(10).wrapping_add(u64::from(digit(b)))
    })
}

/// Digits 0–9 keep their value, letters count A = 10 … Z = 35 (ICAO 9303, ISO 7064).
fn alnum_value(b: u8) -> Option<u32> {
    match b {
        b'0'..=b'9' => Some(digit(b)),
        b'A'..=b'Z' => Some(u32::from(b - b'A') + 10),
        _ => None,
    }
}

fn is_leap(year: u32) -> bool {
    (year.is_multiple_of(4) && !year.is_multiple_of(100)) || year.is_multiple_of(400)
}

/// True if `year-month-day` is a calendar date.
pub(crate) fn valid_date(year: u32, month: u32, day: u32) -> bool {
    let days = match month {
        1 | 3 | 5 | 7 | 8 | 10 | 12 => 31,
        4 | 6 | 9 | 11 => 30,
        2 if is_leap(year) => 29,
        2 => 28,
        _ => return false,
    };
    (1..=days).contains(&day)
}

/// A `YYMMDD` birth date whose century is unknown: valid in 19YY or in 20YY. Reading no clock, the
/// engine cannot tell a future date from a past one, so this is the only century rule it applies.
pub(crate) fn yymmdd_bytes(c: &[u8]) -> bool {
    if c.len() != 6 || !all_digits(c) {
        return false;
    }
    let year = digit(c[0]) * 10 + digit(c[1]);
    let month = digit(c[2]) * 10 + digit(c[3]);
    let day = digit(c[4]) * 10 + digit(c[5]);
    valid_date(1900 + year, month, day) || valid_date(2000 + year, month, day)
}

/// A six-digit `YYMMDD` date that exists in the 1900s or the 2000s (29 February needs a leap year).
pub fn date_yymmdd(s: &str) -> bool {
    with_compact(s, yymmdd_bytes)
}

/// ICAO 9303 check digit: the last character is a digit equal to the 7-3-1 weighted sum of the others
/// modulo 10 (machine-readable passports, identity cards).
pub(crate) fn icao_bytes(c: &[u8]) -> bool {
    let Some((&check, body)) = c.split_last() else {
        return false;
    };
    if !check.is_ascii_digit() || body.is_empty() {
        return false;
    }
    let mut sum = 0u32;
    for (i, &b) in body.iter().enumerate() {
        let Some(v) = alnum_value(b) else {
            return false;
        };
        sum += v * [7, 3, 1][i % 3];
    }
    sum % 10 == digit(check)
}

/// ICAO 9303 check digit over a document number whose last character is the check digit.
pub fn icao9303(s: &str) -> bool {
    with_compact(s, icao_bytes)
}

// ---------------------------------------------------------------------------------------------
// United States

/// US SSN structural rules over 9 ASCII digits (the same as [`super::us_ssn`], without allocating):
/// area not 000, 666 or 900–999, group not 00, serial not 0000, not one repeated digit, not a
/// published sample number.
pub(crate) fn us_ssn_bytes(c: &[u8]) -> bool {
    if c.len() != 9 || !all_digits(c) {
        return false;
    }
    let area = number(&c[..3]);
    if area == 0 || area == 666 || area >= 900 || &c[3..5] == b"00" || &c[5..] == b"0000" {
        return false;
    }
    if c.iter().all(|&b| b == c[0]) {
        return false;
    }
    !matches!(number(c), 123_456_789 | 78_051_120 | 219_099_999)
}

/// UK NHS number over 10 ASCII digits: weights 10 … 2, mod-11 check digit (10 is never issued).
pub(crate) fn uk_nhs_bytes(c: &[u8]) -> bool {
    if c.len() != 10 || !all_digits(c) {
        return false;
    }
    let sum: u32 = c[..9]
        .iter()
        .zip((2..=10).rev())
        .map(|(&b, w)| digit(b) * w)
        .sum();
    let check = (11 - sum % 11) % 11;
    check != 10 && check == digit(c[9])
}

/// US National Provider Identifier: 10 digits starting with 1 or 2, Luhn over the number prefixed
/// with 80840 (CMS), and not a run of one digit.
pub(crate) fn us_npi_bytes(c: &[u8]) -> bool {
    if c.len() != 10 || !all_digits(c) || !matches!(c[0], b'1' | b'2') {
        return false;
    }
    if c[..9].iter().all(|&b| b == c[0]) {
        return false;
    }
    let mut d = [8u8, 0, 8, 4, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0];
    for (slot, &b) in d[5..].iter_mut().zip(c) {
        *slot = b - b'0';
    }
    super::luhn_digits(&d)
}

/// US National Provider Identifier (NPI).
pub fn us_npi(s: &str) -> bool {
    with_compact(s, us_npi_bytes)
}

/// US DEA registration number: a registrant-type letter, a letter (or 9), seven digits whose last is
/// `(d1 + d3 + d5 + 2 × (d2 + d4 + d6)) mod 10`.
pub(crate) fn us_dea_bytes(c: &[u8]) -> bool {
    if c.len() != 9 || !b"ABCDEFGHJKLMPRSTUX".contains(&c[0]) {
        return false;
    }
    if !(c[1].is_ascii_uppercase() || c[1] == b'9') || !all_digits(&c[2..]) {
        return false;
    }
    let d = |i: usize| digit(c[2 + i]);
    (d(0) + d(2) + d(4) + 2 * (d(1) + d(3) + d(5))) % 10 == d(6)
}

/// US DEA number (Presidio's `MEDICAL_LICENSE`).
pub fn us_dea(s: &str) -> bool {
    with_compact(s, us_dea_bytes)
}

// ---------------------------------------------------------------------------------------------
// United Kingdom

/// UK National Insurance number: two prefix letters (not D, F, I, Q, U, V; the second not O; not
/// BG, GB, KN, NK, NT, TN, ZZ), six digits, a suffix letter A–D.
pub(crate) fn uk_nino_bytes(c: &[u8]) -> bool {
    if c.len() != 9 || !all_digits(&c[2..8]) {
        return false;
    }
    let (first, second) = (c[0], c[1]);
    if !first.is_ascii_uppercase() || b"DFIQUV".contains(&first) {
        return false;
    }
    if !second.is_ascii_uppercase() || b"DFIOQUV".contains(&second) {
        return false;
    }
    if [b"BG", b"GB", b"KN", b"NK", b"NT", b"TN", b"ZZ"].contains(&&[first, second]) {
        return false;
    }
    matches!(c[8], b'A'..=b'D')
}

/// UK National Insurance number (NINO).
pub fn uk_nino(s: &str) -> bool {
    with_compact(s, uk_nino_bytes)
}

// ---------------------------------------------------------------------------------------------
// Spain

const DNI_LETTERS: &[u8; 23] = b"TRWAGMYFPDXBNJZSQVHLCKE";

/// Spanish NIF/DNI: 7 or 8 digits and the letter of the number modulo 23.
pub(crate) fn es_nif_bytes(c: &[u8]) -> bool {
    let Some((&letter, digits)) = c.split_last() else {
        return false;
    };
    if !(7..=8).contains(&digits.len()) || !all_digits(digits) {
        return false;
    }
    DNI_LETTERS[(number(digits) % 23) as usize] == letter
}

/// Spanish NIF / DNI (mod-23 control letter).
pub fn es_nif(s: &str) -> bool {
    with_compact(s, es_nif_bytes)
}

/// Spanish NIE: X, Y or Z (standing for 0, 1, 2), 7 digits and the mod-23 control letter.
pub(crate) fn es_nie_bytes(c: &[u8]) -> bool {
    if c.len() != 9 || !all_digits(&c[1..8]) {
        return false;
    }
    let Some(prefix) = b"XYZ".iter().position(|&b| b == c[0]) else {
        return false;
    };
    let n = prefix as u64 * 10_000_000 + number(&c[1..8]);
    DNI_LETTERS[(n % 23) as usize] == c[8]
}

/// Spanish NIE (foreigner identity number).
pub fn es_nie(s: &str) -> bool {
    with_compact(s, es_nie_bytes)
}

// ---------------------------------------------------------------------------------------------
// Italy

/// A digit of the fiscal code, or the letter that replaces it when codes collide ("omocodia").
fn omocode_digit(b: u8) -> Option<u32> {
    match b {
        b'0'..=b'9' => Some(digit(b)),
        _ => b"LMNPQRSTUV".iter().position(|&x| x == b).map(|p| p as u32),
    }
}

fn is_vowel(b: u8) -> bool {
    b"AEIOU".contains(&b)
}

/// The three letters of a surname or name: consonants first, then vowels, padded with X.
fn fiscal_name_triple(t: &[u8]) -> bool {
    let [a, b, c] = [t[0], t[1], t[2]];
    if !(a.is_ascii_uppercase() && b.is_ascii_uppercase() && c.is_ascii_uppercase()) {
        return false;
    }
    let consonant = |x: u8| !is_vowel(x);
    (is_vowel(b) && (is_vowel(c) || c == b'X'))
        || (is_vowel(a) && b == b'X' && c == b'X')
        || (consonant(a) && consonant(b))
}

/// The structure of an Italian fiscal code: surname and name letters, birth year, month letter,
/// day (+40 for women), place code, control letter.
pub(crate) fn it_fiscal_code_structure(c: &[u8]) -> bool {
    if c.len() != 16 || !fiscal_name_triple(&c[0..3]) || !fiscal_name_triple(&c[3..6]) {
        return false;
    }
    let year_ok = omocode_digit(c[6]).is_some() && omocode_digit(c[7]).is_some();
    let month_ok = b"ABCDEHLMPRST".contains(&c[8]);
    let day = match (omocode_digit(c[9]), omocode_digit(c[10])) {
        (Some(t), Some(u)) => t * 10 + u,
        _ => return false,
    };
    let day_ok = (1..=31).contains(&day) || (41..=71).contains(&day);
    let place_ok =
        c[11].is_ascii_uppercase() && c[12..15].iter().all(|&b| omocode_digit(b).is_some());
    year_ok && month_ok && day_ok && place_ok && c[15].is_ascii_uppercase()
}

/// The control letter of an Italian fiscal code (odd and even positions weighted by the official
/// tables, modulo 26).
pub(crate) fn it_fiscal_code_check(c: &[u8]) -> bool {
    const ODD: [u32; 26] = [
        1, 0, 5, 7, 9, 13, 15, 17, 19, 21, 2, 4, 18, 20, 11, 3, 6, 8, 12, 14, 16, 10, 22, 25, 24,
        23,
    ];
    if c.len() != 16 {
        return false;
    }
    let mut sum = 0u32;
    for (i, &b) in c[..15].iter().enumerate() {
        // Digits count like the letters A–J in both tables.
        let index = match b {
            b'0'..=b'9' => (b - b'0') as usize,
            b'A'..=b'Z' => (b - b'A') as usize,
            _ => return false,
        };
        sum += if i.is_multiple_of(2) {
            ODD[index]
        } else {
            index as u32
        };
    }
    u32::from(c[15]) == u32::from(b'A') + sum % 26
}

/// Italian fiscal code (codice fiscale): structure and control letter.
pub fn it_fiscal_code(s: &str) -> bool {
    with_compact(s, |c| {
        it_fiscal_code_structure(c) && it_fiscal_code_check(c)
    })
}

/// Italian VAT number (partita IVA): 11 digits, Luhn check digit, not all zeros.
pub(crate) fn it_vat_bytes(c: &[u8]) -> bool {
    if c.len() != 11 || !all_digits(c) || c.iter().all(|&b| b == b'0') {
        return false;
    }
    luhn_ascii(c)
}

/// Italian VAT number (partita IVA), with or without the `IT` prefix.
pub fn it_vat(s: &str) -> bool {
    with_compact(s, |c| it_vat_bytes(c.strip_prefix(b"IT").unwrap_or(c)))
}

// ---------------------------------------------------------------------------------------------
// India

/// Indian PAN: five letters, four digits, a letter.
pub(crate) fn in_pan_bytes(c: &[u8]) -> bool {
    c.len() == 10
        && c[..5].iter().all(u8::is_ascii_uppercase)
        && all_digits(&c[5..9])
        && c[9].is_ascii_uppercase()
}

/// Indian Permanent Account Number (format only: PAN has no published check character).
pub fn in_pan(s: &str) -> bool {
    with_compact(s, in_pan_bytes)
}

/// Aadhaar: 12 digits, not starting with 0 or 1, Verhoeff check digit, not a palindrome.
pub(crate) fn in_aadhaar_bytes(c: &[u8]) -> bool {
    if c.len() != 12 || !all_digits(c) || c[0] < b'2' {
        return false;
    }
    let palindrome = c.iter().eq(c.iter().rev());
    !palindrome && verhoeff_ascii(c)
}

/// Indian Aadhaar number.
pub fn in_aadhaar(s: &str) -> bool {
    with_compact(s, in_aadhaar_bytes)
}

/// The structure of a GSTIN: state code 01–37, a PAN, an entity number, `Z`, a check character.
pub(crate) fn in_gstin_structure(c: &[u8]) -> bool {
    if c.len() != 15 || !all_digits(&c[..2]) {
        return false;
    }
    let state = digit(c[0]) * 10 + digit(c[1]);
    (1..=37).contains(&state) && in_pan_bytes(&c[2..12]) && c[13] == b'Z'
}

/// The GSTIN check character: Luhn mod 36 over the first 14 characters.
pub(crate) fn in_gstin_check(c: &[u8]) -> bool {
    if c.len() != 15 {
        return false;
    }
    let mut sum = 0u32;
    for (i, &b) in c[..14].iter().enumerate() {
        let Some(v) = alnum_value(b) else {
            return false;
        };
        let product = v * if i % 2 == 1 { 2 } else { 1 };
        sum += product / 36 + product % 36;
    }
    let check = (36 - sum % 36) % 36;
    alnum_value(c[14]) == Some(check)
}

/// Indian GST identification number: structure and check character.
pub fn in_gstin(s: &str) -> bool {
    with_compact(s, |c| in_gstin_structure(c) && in_gstin_check(c))
}

// ---------------------------------------------------------------------------------------------
// Australia

/// Australian Business Number: the two leading check digits are 10–99; subtract 1 from the first,
/// weights 10, 1, 3, 5 … 19, the sum is a multiple of 89.
pub(crate) fn au_abn_bytes(c: &[u8]) -> bool {
    if c.len() != 11 || !all_digits(c) || c[0] == b'0' {
        return false;
    }
    const WEIGHTS: [u32; 11] = [10, 1, 3, 5, 7, 9, 11, 13, 15, 17, 19];
    let sum: u32 = c
        .iter()
        .enumerate()
        .map(|(i, &b)| (digit(b) - u32::from(i == 0)) * WEIGHTS[i])
        .sum();
    sum.is_multiple_of(89)
}

/// Australian Business Number (ABN).
pub fn au_abn(s: &str) -> bool {
    with_compact(s, au_abn_bytes)
}

/// Australian Company Number: weights 8 … 1 over the first 8 digits; the check digit completes the sum
/// to a multiple of 10.
pub(crate) fn au_acn_bytes(c: &[u8]) -> bool {
    if c.len() != 9 || !all_digits(c) {
        return false;
    }
    let sum: u32 = c[..8]
        .iter()
        .zip((1..=8).rev())
        .map(|(&b, w)| digit(b) * w)
        .sum();
    (10 - sum % 10) % 10 == digit(c[8])
}

/// Australian Company Number (ACN).
pub fn au_acn(s: &str) -> bool {
    with_compact(s, au_acn_bytes)
}

/// Australian Tax File Number: 9 digits whose weighted sum (1, 4, 3, 7, 5, 8, 6, 9, 10) is a multiple
/// of 11.
pub(crate) fn au_tfn_bytes(c: &[u8]) -> bool {
    if c.len() != 9 || !all_digits(c) || c.iter().all(|&b| b == b'0') {
        return false;
    }
    const WEIGHTS: [u32; 9] = [1, 4, 3, 7, 5, 8, 6, 9, 10];
    let sum: u32 = c.iter().zip(WEIGHTS).map(|(&b, w)| digit(b) * w).sum();
    sum.is_multiple_of(11)
}

/// Australian Tax File Number (TFN).
pub fn au_tfn(s: &str) -> bool {
    with_compact(s, au_tfn_bytes)
}

/// Australian Medicare card number: 10 digits starting with 2–6; the ninth digit is the weighted sum
/// (1, 3, 7, 9, 1, 3, 7, 9) of the first eight modulo 10; the tenth is the issue number.
pub(crate) fn au_medicare_bytes(c: &[u8]) -> bool {
    if c.len() != 10 || !all_digits(c) || !(b'2'..=b'6').contains(&c[0]) {
        return false;
    }
    const WEIGHTS: [u32; 8] = [1, 3, 7, 9, 1, 3, 7, 9];
    let sum: u32 = c[..8].iter().zip(WEIGHTS).map(|(&b, w)| digit(b) * w).sum();
    sum % 10 == digit(c[8])
}

/// Australian Medicare number.
pub fn au_medicare(s: &str) -> bool {
    with_compact(s, au_medicare_bytes)
}

// ---------------------------------------------------------------------------------------------
// Singapore

/// Singapore NRIC/FIN: S, T, F, G or M, seven digits, and the check letter of the weighted sum
/// (2, 7, 6, 5, 4, 3, 2; +4 for T and G, +3 for M) modulo 11.
pub(crate) fn sg_nric_fin_bytes(c: &[u8]) -> bool {
    if c.len() != 9 || !all_digits(&c[1..8]) {
        return false;
    }
    const WEIGHTS: [u32; 7] = [2, 7, 6, 5, 4, 3, 2];
    let sum: u32 = c[1..8]
        .iter()
        .zip(WEIGHTS)
        .map(|(&b, w)| digit(b) * w)
        .sum();
    let (offset, letters): (u32, &[u8; 11]) = match c[0] {
        b'S' => (0, b"JZIHGFEDCBA"),
        b'T' => (4, b"JZIHGFEDCBA"),
        b'F' => (0, b"XWUTRQPNMLK"),
        b'G' => (4, b"XWUTRQPNMLK"),
        b'M' => (3, b"XWUTRQPNJLK"),
        _ => return false,
    };
    letters[((sum + offset) % 11) as usize] == c[8]
}

/// Singapore NRIC or FIN, with its check letter.
pub fn sg_nric_fin(s: &str) -> bool {
    with_compact(s, sg_nric_fin_bytes)
}

/// Entity-type codes of the 2009 UEN scheme (format C).
const UEN_ENTITY_TYPES: [&[u8; 2]; 39] = [
    b"LP", b"LL", b"FC", b"PF", b"RF", b"MQ", b"MM", b"NB", b"CC", b"CS", b"MB", b"FM", b"GS",
    b"DP", b"CP", b"NR", b"CM", b"CD", b"MD", b"HS", b"VH", b"CH", b"MH", b"CL", b"XL", b"CX",
    b"HC", b"RP", b"TU", b"TC", b"FB", b"FN", b"PA", b"PB", b"SS", b"MC", b"SM", b"GA", b"GB",
];

/// Singapore Unique Entity Number in its three formats: businesses (8 digits + letter), local
/// companies (year + 5 digits + letter) and other entities (T/S/R + year + type + 4 digits + letter).
pub(crate) fn sg_uen_bytes(c: &[u8]) -> bool {
    let weighted = |body: &[u8], weights: &[u32]| -> u32 {
        body.iter().zip(weights).map(|(&b, &w)| digit(b) * w).sum()
    };
    match c.len() {
        9 if all_digits(&c[..8]) => {
            let sum = weighted(&c[..8], &[10, 4, 9, 3, 8, 2, 7, 1]);
            b"XMKECAWLJDB"[(sum % 11) as usize] == c[8]
        }
        10 if all_digits(&c[..9]) => {
            // The registration year; the issuer's "not in the future" rule needs a clock, so only
            // years of the scheme's plausible range are accepted.
            let year = number(&c[..4]);
            let sum = weighted(&c[..9], &[10, 8, 6, 4, 9, 7, 5, 3, 1]);
            (1800..=2099).contains(&year) && b"ZKCMDNERGWH"[(sum % 11) as usize] == c[9]
        }
        10 => {
            const ALPHABET: &[u8] = b"ABCDEFGHJKLMNPQRSTUVWX0123456789";
            const WEIGHTS: [u32; 9] = [4, 3, 5, 3, 10, 2, 2, 5, 7];
            if !b"TSR".contains(&c[0])
                || !all_digits(&c[1..3])
                || !UEN_ENTITY_TYPES.contains(&&[c[3], c[4]])
                || !all_digits(&c[5..9])
            {
                return false;
            }
            let mut sum = 0u32;
            for (&b, w) in c[..9].iter().zip(WEIGHTS) {
                let Some(index) = ALPHABET.iter().position(|&x| x == b) else {
                    return false;
                };
                sum += index as u32 * w;
            }
            ALPHABET[((sum + 11 - 5) % 11) as usize] == c[9]
        }
        _ => false,
    }
}

/// Singapore Unique Entity Number (UEN).
pub fn sg_uen(s: &str) -> bool {
    with_compact(s, sg_uen_bytes)
}

// ---------------------------------------------------------------------------------------------
// Canada

/// Canadian Social Insurance Number: 9 digits, not starting with 0 or 8, Luhn.
pub(crate) fn ca_sin_bytes(c: &[u8]) -> bool {
    if c.len() != 9 || !all_digits(c) || matches!(c[0], b'0' | b'8') {
        return false;
    }
    luhn_ascii(c)
}

/// Canadian Social Insurance Number (SIN).
pub fn ca_sin(s: &str) -> bool {
    with_compact(s, ca_sin_bytes)
}

// ---------------------------------------------------------------------------------------------
// Germany

/// German Betriebsstättennummer: 9 digits, not all zero. The BSNR has no public check digit, so a
/// well-formed value is only ever plausible.
pub(crate) fn de_bsnr_bytes(c: &[u8]) -> Check {
    if c.len() != 9 || !all_digits(c) || c.iter().all(|&b| b == b'0') {
        return Check::Invalid;
    }
    Check::Plausible
}

/// German Betriebsstättennummer (BSNR): plausible or invalid, never confirmed.
pub fn de_bsnr_check(s: &str) -> Check {
    compact(s, SEPARATORS).map_or(Check::Invalid, |c| de_bsnr_bytes(&c))
}

/// Sum of the decimal digits of `n` (Quersumme).
fn cross_sum(n: u32) -> u32 {
    n / 10 + n % 10
}

/// German health insurance number (KVNR): a letter (as 01–26) and eight digits weighted 1, 2, 1, 2 …
/// with cross sums; the tenth character is the sum modulo 10.
pub(crate) fn de_health_insurance_bytes(c: &[u8]) -> bool {
    if c.len() != 10 || !c[0].is_ascii_uppercase() || !all_digits(&c[1..]) {
        return false;
    }
    let letter = u32::from(c[0] - b'A') + 1;
    let mut effective = [0u32; 10];
    effective[0] = letter / 10;
    effective[1] = letter % 10;
    for (slot, &b) in effective[2..].iter_mut().zip(&c[1..9]) {
        *slot = digit(b);
    }
    let sum: u32 = effective
        .iter()
        .enumerate()
        .map(|(i, &d)| cross_sum(d * if i % 2 == 1 { 2 } else { 1 }))
        .sum();
    sum % 10 == digit(c[9])
}

/// German statutory health insurance number (Krankenversichertennummer).
pub fn de_health_insurance(s: &str) -> bool {
    with_compact(s, de_health_insurance_bytes)
}

/// Letters that German passport and identity card numbers use (no vowels, no B, D, Q, S).
const DE_DOCUMENT_LETTERS: &[u8] = b"CFGHJKLMNPRTVWXYZ";

fn de_document_char(b: u8) -> bool {
    b.is_ascii_digit() || DE_DOCUMENT_LETTERS.contains(&b)
}

/// German identity card number (9 characters, ICAO check digit last). Pre-2010-style serials (one of
/// L, M, N, P, R, T, V, W, X, Y followed by eight digits) are printed without their check digit, so a
/// failing check leaves them plausible.
pub(crate) fn de_id_card_bytes(c: &[u8]) -> Check {
    if c.len() != 9
        || !c[0].is_ascii_uppercase()
        || !c.iter().all(|&b| de_document_char(b))
        || !c[8].is_ascii_digit()
    {
        return Check::Invalid;
    }
    if icao_bytes(c) {
        return Check::Valid;
    }
    if b"LMNPRTVWXY".contains(&c[0]) && all_digits(&c[1..]) {
        return Check::Plausible;
    }
    Check::Invalid
}

/// German identity card number (Personalausweisnummer), three-way.
pub fn de_id_card_check(s: &str) -> Check {
    compact(s, SEPARATORS).map_or(Check::Invalid, |c| de_id_card_bytes(&c))
}

/// German identity card number whose ICAO check digit is confirmed.
pub fn de_id_card(s: &str) -> bool {
    de_id_card_check(s) == Check::Valid
}

/// German lifelong doctor number (LANR): 9 digits; the seventh is `(10 − Σ(d1..d6 × 4, 9, 4, 9, 4, 9)
/// mod 10) mod 10`.
pub(crate) fn de_lanr_bytes(c: &[u8]) -> bool {
    if c.len() != 9 || !all_digits(c) || c.iter().all(|&b| b == b'0') {
        return false;
    }
    let sum: u32 = c[..6]
        .iter()
        .zip([4, 9, 4, 9, 4, 9])
        .map(|(&b, w)| digit(b) * w)
        .sum();
    (10 - sum % 10) % 10 == digit(c[6])
}

/// German lifelong doctor number (Lebenslange Arztnummer).
pub fn de_lanr(s: &str) -> bool {
    with_compact(s, de_lanr_bytes)
}

/// German passport number: a document letter, seven document characters, ICAO check digit.
pub(crate) fn de_passport_bytes(c: &[u8]) -> bool {
    c.len() == 9
        && DE_DOCUMENT_LETTERS.contains(&c[0])
        && c[..8].iter().all(|&b| de_document_char(b))
        && icao_bytes(c)
}

/// German passport number (Reisepassnummer).
pub fn de_passport(s: &str) -> bool {
    with_compact(s, de_passport_bytes)
}

/// German pension insurance number (Rentenversicherungsnummer): area, birth date (day + 50 allowed),
/// initial letter, serial, check digit over weights 2, 1, 2, 5, 7, 1, 2, 1, 2, 1, 2, 1 with cross sums.
pub(crate) fn de_social_security_bytes(c: &[u8]) -> bool {
    if c.len() != 12 || !all_digits(&c[..8]) || !c[8].is_ascii_uppercase() || !all_digits(&c[9..]) {
        return false;
    }
    let day = digit(c[2]) * 10 + digit(c[3]);
    let month = digit(c[4]) * 10 + digit(c[5]);
    if !((1..=31).contains(&day) || (51..=81).contains(&day)) || !(1..=12).contains(&month) {
        return false;
    }
    let letter = u32::from(c[8] - b'A') + 1;
    let mut effective = [0u32; 12];
    for (slot, &b) in effective.iter_mut().zip(&c[..8]) {
        *slot = digit(b);
    }
    effective[8] = letter / 10;
    effective[9] = letter % 10;
    effective[10] = digit(c[9]);
    effective[11] = digit(c[10]);
    const WEIGHTS: [u32; 12] = [2, 1, 2, 5, 7, 1, 2, 1, 2, 1, 2, 1];
    let sum: u32 = effective
        .iter()
        .zip(WEIGHTS)
        .map(|(&d, w)| cross_sum(d * w))
        .sum();
    sum % 10 == digit(c[11])
}

/// German pension / social security number (Rentenversicherungsnummer).
pub fn de_social_security(s: &str) -> bool {
    with_compact(s, de_social_security_bytes)
}

/// ISO 7064 MOD 11,10: the check digit that follows `body`.
fn iso7064_mod11_10(body: &[u8]) -> u32 {
    let mut product = 10;
    for &b in body {
        let mut sum = (digit(b) + product) % 10;
        if sum == 0 {
            sum = 10;
        }
        product = (sum * 2) % 11;
    }
    (11 - product) % 10
}

/// German tax identification number (Steuer-IdNr): 11 digits, no leading 0; in the first ten, at most
/// one digit repeats, and at most three times; ISO 7064 MOD 11,10 check digit.
///
/// The issuing rule says exactly one digit repeats; the check digit is what confirms a value, and the
/// synthetic examples in circulation (Presidio's `12345678903`) have ten distinct digits, so those are
/// accepted too.
pub(crate) fn de_tax_id_bytes(c: &[u8]) -> bool {
    if c.len() != 11 || !all_digits(c) || c[0] == b'0' {
        return false;
    }
    let mut counts = [0u8; 10];
    for &b in &c[..10] {
        counts[(b - b'0') as usize] += 1;
    }
    let repeated = counts.iter().filter(|&&n| n >= 2).count();
    if repeated > 1 || counts.iter().any(|&n| n > 3) {
        return false;
    }
    iso7064_mod11_10(&c[..10]) == digit(c[10])
}

/// German tax identification number (Steueridentifikationsnummer).
pub fn de_tax_id(s: &str) -> bool {
    with_compact(s, de_tax_id_bytes)
}

/// German VAT id: `DE` and nine digits, the last an ISO 7064 MOD 11,10 check digit. The check is not
/// published by the issuer (BZSt), so a well-formed id that fails it is plausible, not refuted.
pub(crate) fn de_vat_id_bytes(c: &[u8]) -> Check {
    if c.len() != 11 || !c.starts_with(b"DE") || !all_digits(&c[2..]) {
        return Check::Invalid;
    }
    if iso7064_mod11_10(&c[2..10]) == digit(c[10]) {
        Check::Valid
    } else {
        Check::Plausible
    }
}

/// German VAT id (USt-IdNr.), three-way.
pub fn de_vat_id_check(s: &str) -> Check {
    compact(s, SEPARATORS).map_or(Check::Invalid, |c| de_vat_id_bytes(&c))
}

/// German VAT id (USt-IdNr.) whose check digit is confirmed.
pub fn de_vat_id(s: &str) -> bool {
    de_vat_id_check(s) == Check::Valid
}

// ---------------------------------------------------------------------------------------------
// Finland

const HETU_CONTROL: &[u8; 31] = b"0123456789ABCDEFHJKLMNPRSTUVWXY";

/// Finnish personal identity code (henkilötunnus) as written: `DDMMYY`, a century sign (`+` 1800s;
/// `-`, U–Y 1900s; A–F 2000s), a 3-digit individual number and the control character of the 9-digit
/// number modulo 31.
pub(crate) fn fi_hetu_bytes(c: &[u8]) -> bool {
    if c.len() != 11 || !all_digits(&c[..6]) || !all_digits(&c[7..10]) {
        return false;
    }
    let century = match c[6] {
        b'+' => 1800,
        b'-' | b'U'..=b'Y' => 1900,
        b'A'..=b'F' => 2000,
        _ => return false,
    };
    let day = digit(c[0]) * 10 + digit(c[1]);
    let month = digit(c[2]) * 10 + digit(c[3]);
    let year = century + digit(c[4]) * 10 + digit(c[5]);
    if !valid_date(year, month, day) {
        return false;
    }
    let n = number(&c[..6]) * 1000 + number(&c[7..10]);
    HETU_CONTROL[(n % 31) as usize] == c[10]
}

/// Finnish personal identity code (henkilötunnus); the `-` and `+` century signs are significant.
pub fn fi_personal_identity_code(s: &str) -> bool {
    let upper: Vec<u8> = s.trim().bytes().map(|b| b.to_ascii_uppercase()).collect();
    fi_hetu_bytes(&upper)
}

// ---------------------------------------------------------------------------------------------
// Korea

/// The verdict on a Korean registration number: its birth date and gender digit hold, and whether
/// the pre-2020 check digit confirms it.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub(crate) struct KrRegistration {
    pub(crate) checked: bool,
}

/// Korean resident (gender digit 1–4) or foreigner (5–8) registration number: `YYMMDD` birth date,
/// gender/century digit, and, for numbers issued before October 2020, a region code ≤ 95 and the
/// check digit `(k − Σ(d × 2, 3 … 9, 2 … 5) mod 11) mod 10` with k = 11 (residents) or 13 (foreigners).
pub(crate) fn kr_registration(c: &[u8], foreigner: bool) -> Option<KrRegistration> {
    if c.len() != 13 || !all_digits(c) {
        return None;
    }
    let gender = digit(c[6]);
    let century = match (foreigner, gender) {
        (false, 1 | 2) | (true, 5 | 6) => 1900,
        (false, 3 | 4) | (true, 7 | 8) => 2000,
        _ => return None,
    };
    let year = century + digit(c[0]) * 10 + digit(c[1]);
    let month = digit(c[2]) * 10 + digit(c[3]);
    let day = digit(c[4]) * 10 + digit(c[5]);
    if !valid_date(year, month, day) {
        return None;
    }
    const WEIGHTS: [u32; 12] = [2, 3, 4, 5, 6, 7, 8, 9, 2, 3, 4, 5];
    let sum: u32 = c[..12]
        .iter()
        .zip(WEIGHTS)
        .map(|(&b, w)| digit(b) * w)
        .sum();
    let k = if foreigner { 13 } else { 11 };
    let region = digit(c[7]) * 10 + digit(c[8]);
    let checked = region <= 95 && (k - sum % 11) % 10 == digit(c[12]);
    Some(KrRegistration { checked })
}

/// Korean resident registration number (RRN) whose check digit is confirmed.
pub fn kr_rrn(s: &str) -> bool {
    with_compact(s, |c| kr_registration(c, false).is_some_and(|r| r.checked))
}

/// Korean foreigner registration number (FRN) whose check digit is confirmed.
pub fn kr_frn(s: &str) -> bool {
    with_compact(s, |c| kr_registration(c, true).is_some_and(|r| r.checked))
}

/// Korean business registration number: weights 1, 3, 7, 1, 3, 7, 1, 3, 5 (the last product also adds
/// its tens), the check digit completes the sum to a multiple of 10.
pub(crate) fn kr_brn_bytes(c: &[u8]) -> bool {
    if c.len() != 10 || !all_digits(c) {
        return false;
    }
    const WEIGHTS: [u32; 8] = [1, 3, 7, 1, 3, 7, 1, 3];
    let mut sum: u32 = c[..8].iter().zip(WEIGHTS).map(|(&b, w)| digit(b) * w).sum();
    let last = digit(c[8]) * 5;
    sum += last / 10 + last;
    (10 - sum % 10) % 10 == digit(c[9])
}

/// Korean business registration number (BRN).
pub fn kr_brn(s: &str) -> bool {
    with_compact(s, kr_brn_bytes)
}

// ---------------------------------------------------------------------------------------------
// Nigeria, Philippines, Poland, Sweden, Thailand, Turkey, South Africa

/// Nigerian National Identification Number: 11 digits, Verhoeff check digit.
pub(crate) fn ng_nin_bytes(c: &[u8]) -> bool {
    c.len() == 11 && all_digits(c) && verhoeff_ascii(c)
}

/// Nigerian National Identification Number (NIN).
pub fn ng_nin(s: &str) -> bool {
    with_compact(s, ng_nin_bytes)
}

/// Philippine TIN: 9 digits (12 with a branch code); the ninth is the weighted sum (9 … 2) of the first
/// eight modulo 11.
pub(crate) fn ph_tin_bytes(c: &[u8]) -> bool {
    if !(c.len() == 9 || c.len() == 12) || !all_digits(c) {
        return false;
    }
    let sum: u32 = c[..8]
        .iter()
        .zip((2..=9).rev())
        .map(|(&b, w)| digit(b) * w)
        .sum();
    sum % 11 == digit(c[8])
}

/// Philippine Taxpayer Identification Number (TIN).
pub fn ph_tin(s: &str) -> bool {
    with_compact(s, ph_tin_bytes)
}

/// Polish PESEL: `YYMMDD` birth date with the century in the month (+80 1800s, +0 1900s, +20 2000s,
/// +40 2100s, +60 2200s), serial, and the check digit over weights 1, 3, 7, 9.
pub(crate) fn pl_pesel_bytes(c: &[u8]) -> bool {
    if c.len() != 11 || !all_digits(c) {
        return false;
    }
    let coded_month = digit(c[2]) * 10 + digit(c[3]);
    let (century, month) = match coded_month {
        81..=92 => (1800, coded_month - 80),
        1..=12 => (1900, coded_month),
        21..=32 => (2000, coded_month - 20),
        41..=52 => (2100, coded_month - 40),
        61..=72 => (2200, coded_month - 60),
        _ => return false,
    };
    let year = century + digit(c[0]) * 10 + digit(c[1]);
    let day = digit(c[4]) * 10 + digit(c[5]);
    if !valid_date(year, month, day) {
        return false;
    }
    const WEIGHTS: [u32; 10] = [1, 3, 7, 9, 1, 3, 7, 9, 1, 3];
    let sum: u32 = c[..10]
        .iter()
        .zip(WEIGHTS)
        .map(|(&b, w)| digit(b) * w)
        .sum();
    (10 - sum % 10) % 10 == digit(c[10])
}

/// Polish PESEL. It is written as eleven plain digits: only spaces around it are ignored.
pub fn pl_pesel(s: &str) -> bool {
    pl_pesel_bytes(s.trim().as_bytes())
}

/// Swedish personal identity number: `YYMMDD` or `YYYYMMDD`, four digits, Luhn over the last ten; the
/// day may be raised by 60 (coordination number).
pub(crate) fn se_personnummer_bytes(c: &[u8]) -> bool {
    if !(c.len() == 10 || c.len() == 12) || !all_digits(c) {
        return false;
    }
    let ten = &c[c.len() - 10..];
    let month = digit(ten[2]) * 10 + digit(ten[3]);
    let mut day = digit(ten[4]) * 10 + digit(ten[5]);
    if day > 60 {
        day -= 60;
    }
    let yy = digit(ten[0]) * 10 + digit(ten[1]);
    let date_ok = if c.len() == 12 {
        let century = digit(c[0]) * 10 + digit(c[1]);
        (18..=20).contains(&century) && valid_date(century * 100 + yy, month, day)
    } else {
        (1800..=2000)
            .step_by(100)
            .any(|century| valid_date(century + yy, month, day))
    };
    date_ok && luhn_ascii(ten)
}

/// Swedish personal identity number (personnummer or samordningsnummer).
pub fn se_personnummer(s: &str) -> bool {
    with_compact(s, se_personnummer_bytes) || {
        // The `+` separator (aged 100 or more) is part of the written form.
        let without_plus: String = s.chars().filter(|&ch| ch != '+').collect();
        with_compact(&without_plus, se_personnummer_bytes)
    }
}

/// Swedish organisation number: 10 digits, the third at least 2 (so it is never a birth month), Luhn.
pub(crate) fn se_organisationsnummer_bytes(c: &[u8]) -> bool {
    c.len() == 10 && all_digits(c) && c[2] >= b'2' && luhn_ascii(c)
}

/// Swedish organisation number (organisationsnummer).
pub fn se_organisationsnummer(s: &str) -> bool {
    with_compact(s, se_organisationsnummer_bytes)
}

/// Thai national id: 13 digits, the first two not 0, the 2nd–3rd digits not an unassigned province
/// code (28, 29, 59, 68, 69, 78, 79, 87, 88, 89, 97, 98, 99), and the check digit
/// `(11 − Σ(d × 13 … 2) mod 11) mod 10`.
pub(crate) fn th_tnin_bytes(c: &[u8]) -> bool {
    if c.len() != 13 || !all_digits(c) || c[0] == b'0' || c[1] == b'0' {
        return false;
    }
    const UNASSIGNED: [u32; 13] = [28, 29, 59, 68, 69, 78, 79, 87, 88, 89, 97, 98, 99];
    if UNASSIGNED.contains(&(digit(c[1]) * 10 + digit(c[2]))) {
        return false;
    }
    let sum: u32 = c[..12]
        .iter()
        .zip((2..=13).rev())
        .map(|(&b, w)| digit(b) * w)
        .sum();
    (11 - sum % 11) % 10 == digit(c[12])
}

/// Thai national identification number.
pub fn th_tnin(s: &str) -> bool {
    with_compact(s, th_tnin_bytes)
}

/// Turkish national id (TCKN): 11 digits, no leading 0; the 10th is `(7 × Σodd − Σeven) mod 10` over
/// the first nine, the 11th the sum of the first ten modulo 10.
pub(crate) fn tr_national_id_bytes(c: &[u8]) -> bool {
    if c.len() != 11 || !all_digits(c) || c[0] == b'0' {
        return false;
    }
    let d: Vec<i32> = c.iter().map(|&b| digit(b) as i32).collect();
    let odd = d[0] + d[2] + d[4] + d[6] + d[8];
    let even = d[1] + d[3] + d[5] + d[7];
    let tenth = (odd * 7 - even).rem_euclid(10);
    let eleventh = d[..10].iter().sum::<i32>() % 10;
    tenth == d[9] && eleventh == d[10]
}

/// Turkish national identification number (T.C. Kimlik No).
pub fn tr_national_id(s: &str) -> bool {
    with_compact(s, tr_national_id_bytes)
}

/// South African id number: `YYMMDD` birth date, sequence, citizenship 0–2, 8 or 9, Luhn.
pub(crate) fn za_id_number_bytes(c: &[u8]) -> bool {
    c.len() == 13
        && all_digits(c)
        && yymmdd_bytes(&c[..6])
        && matches!(c[10], b'0'..=b'2')
        && matches!(c[11], b'8' | b'9')
        && luhn_ascii(c)
}

/// South African identity number.
pub fn za_id_number(s: &str) -> bool {
    with_compact(s, za_id_number_bytes)
}

#[cfg(test)]
mod tests {
    use super::*;

    fn check(validator: fn(&str) -> bool, good: &[&str], bad: &[&str]) {
        for value in good {
            assert!(validator(value), "should pass: {value}");
        }
        for value in bad {
            assert!(!validator(value), "should fail: {value}");
        }
    }

    #[test]
    fn checksums_accept_known_good_and_reject_one_character_off() {
        check(
            us_npi,
            &["1234567893", "1245319599"],
            &["1234567890", "1111111112"],
        );
        check(
            us_dea,
            &["BB1388568", "K92993548"],
            &["BG8207031", "IB1388568"],
        );
        check(
            uk_nino,
            &["AA 12 34 56 B", "tw987654a"],
            &["UV 98 76 54 B", "BG123612A"],
        );
        check(
            es_nif,
            &["55555555K", "1111111-G", "12345678z"],
            &["12345678A"],
        );
        check(
            es_nie,
            &["X9613851N", "Y8063915-Z"],
            &["Y8063915Q", "W8063915Q"],
        );
        check(it_fiscal_code, &["AAAAAA00B11C333Y"], &["AAAAAA00B11C333N"]);
        check(
            it_vat,
            &["01333550323", "IT01333550323"],
            &["00000000000", "01333550324"],
        );
        check(in_pan, &["ABCDE1234F"], &["ABCD1234F", "12345ABCDE"]);
        check(
            in_aadhaar,
            &["3123 4567 8909"],
            &["1234 5678 9012", "312345678908"],
        );
        check(
            in_gstin,
            &["27AAPFU0939F1ZV"],
            &["27AAPFU0939F1ZW", "38AAPFU0939F1ZV"],
        );
        check(au_abn, &["51 824 753 556"], &["52 824 753 556"]);
        check(au_acn, &["000 000 019", "005 499 981"], &["824 753 557"]);
        check(au_tfn, &["876 543 210"], &["824 753 557"]);
        check(au_medicare, &["2123 45670 1"], &["2123 25870 1"]);
        check(
            sg_nric_fin,
            &["S2740116C", "M4332674T"],
            &["S2740116D", "T1234567Z"],
        );
        check(
            sg_uen,
            &["53125226D", "201434292D", "T16RF0037C"],
            &["53125226E"],
        );
        check(ca_sin, &["130 692 544"], &["130 692 545", "046 454 286"]);
        check(
            de_health_insurance,
            &["A123456780", "a123456780"],
            &["A123456787"],
        );
        check(
            de_id_card,
            &["L01X00T44", "CZ6311T03"],
            &["L01X00T47", "T22000129"],
        );
        check(de_lanr, &["123456601"], &["123456901", "000000000"]);
        check(
            de_passport,
            &["C01X00T41", "F12345671"],
            &["A01234567", "C01234567"],
        );
        check(
            de_social_security,
            &["15070649C103"],
            &["15070649C100", "15420649C103"],
        );
        check(de_tax_id, &["12345678903"], &["12345678901", "11112345678"]);
        check(
            de_vat_id,
            &["DE136695976", "de 136-695.976"],
            &["DE123456789"],
        );
        check(
            fi_personal_identity_code,
            &["131052-308T", "010594Y9032"],
            &["131052-308U"],
        );
        check(
            kr_rrn,
            &["960121-1021413"],
            &["960121-1234567", "001332-1234567"],
        );
        check(kr_frn, &["911124-5678906"], &["911124-5678901"]);
        check(kr_brn, &["104-86-56659"], &["104-86-56658"]);
        check(ng_nin, &["12345678902"], &["12345678901"]);
        check(ph_tin, &["000-123-456-000"], &["000-123-457-000"]);
        check(pl_pesel, &["44051401458"], &["44051401459", "44-051401458"]);
        check(
            se_personnummer,
            &["871220-2384", "189004119807"],
            &["200504422381"],
        );
        check(se_organisationsnummer, &["556703-7485"], &["556703-7486"]);
        check(
            th_tnin,
            &["1234567890121"],
            &["1234567890123", "1034567890124"],
        );
        check(
            tr_national_id,
            &["10000000146"],
            &["10000000145", "02531814694"],
        );
        check(
            za_id_number,
            &["8001015009087"],
            &["8001015009086", "9902294321191"],
        );
        check(date_yymmdd, &["000229", "050101"], &["990229", "991301"]);
        check(icao9303, &["L01X00T44"], &["L01X00T45"]);
    }

    #[test]
    fn three_way_checks_keep_unconfirmable_values_plausible() {
        assert_eq!(de_vat_id_check("DE136695976"), Check::Valid);
        assert_eq!(de_vat_id_check("DE123456789"), Check::Plausible);
        assert_eq!(de_vat_id_check("AT123456789"), Check::Invalid);
        assert_eq!(de_id_card_check("T22000129"), Check::Plausible);
        assert_eq!(de_id_card_check("C01234567"), Check::Invalid);
        assert_eq!(de_bsnr_check("021234568"), Check::Plausible);
        assert_eq!(de_bsnr_check("000000000"), Check::Invalid);
    }

    #[test]
    fn odd_inputs_never_panic() {
        for input in [
            "",
            "-",
            "DE",
            "é123456789",
            "1234567890123456789012345678901234567890",
        ] {
            let _ = (
                us_npi(input),
                it_fiscal_code(input),
                fi_personal_identity_code(input),
            );
            let _ = (
                de_id_card_check(input),
                pl_pesel(input),
                se_personnummer(input),
            );
        }
    }
}
