//! Reference tables shipped with the engine: top-level domains, telephone calling codes with their
//! national number lengths, North American area codes and ISO 3166 country codes.
//!
//! The files under `crates/scan/data/` are built by `scripts/data/contact_finance.py` from packaged
//! sources (see `docs/parts/contact-finance-data.md`) and compiled in with `include_str!`: nothing is
//! read or downloaded at run time. Each table is parsed once, on first use, into a form that answers
//! lookups without allocating.

use std::collections::HashSet;
use std::hash::{BuildHasherDefault, Hasher};
use std::sync::LazyLock;

const TLDS: &str = include_str!("../../data/tlds.txt");
const PHONE_CODES: &str = include_str!("../../data/phone_codes.txt");
const NANP_AREA_CODES: &str = include_str!("../../data/nanp_area_codes.txt");
const COUNTRIES: &str = include_str!("../../data/countries.txt");

/// Top-level domains, lower case (ASCII, `xn--` and Unicode forms). A hash set: host parsers ask
/// for every label after a dot, and a binary search over 1,500 names costs a dozen string compares.
static TLD_SET: LazyLock<HashSet<&'static str, BuildHasherDefault<Fnv>>> = LazyLock::new(|| {
    TLDS.lines()
        .map(str::trim)
        .filter(|l| !l.is_empty())
        .collect()
});

/// FNV-1a: fast on the short keys of these tables, and no hash flooding to fear from a fixed set.
#[derive(Default)]
struct Fnv(u64);

impl Hasher for Fnv {
    fn finish(&self) -> u64 {
        self.0
    }

    fn write(&mut self, bytes: &[u8]) {
        let mut hash = if self.0 == 0 {
            0xcbf2_9ce4_8422_2325
        } else {
            self.0
        };
        for &b in bytes {
            hash = (hash ^ u64::from(b)).wrapping_mul(0x0000_0100_0000_01b3);
        }
        self.0 = hash;
    }
}

/// True if `label` (any case) is a delegated top-level domain.
pub(crate) fn is_tld(label: &str) -> bool {
    // Every top-level domain has two characters or more.
    if label.len() < 2 || label.len() > 63 {
        return false;
    }
    if label.is_ascii() {
        let mut buf = [0u8; 63];
        let lower = &mut buf[..label.len()];
        lower.copy_from_slice(label.as_bytes());
        lower.make_ascii_lowercase();
        let Ok(lower) = std::str::from_utf8(lower) else {
            return false;
        };
        return TLD_SET.contains(lower);
    }
    let lower = label.to_lowercase();
    TLD_SET.contains(lower.as_str())
}

/// What is known about one international calling code.
#[derive(Clone, Copy, Debug, Default)]
pub(crate) struct CallingCode {
    /// Bit `n` set: a national significant number of `n` digits is possible.
    pub(crate) lengths: u32,
    /// The national (trunk) prefix digit, if the code's regions share one.
    pub(crate) trunk: Option<u8>,
}

impl CallingCode {
    pub(crate) fn allows_length(&self, n_digits: usize) -> bool {
        n_digits < 32 && self.lengths & (1 << n_digits) != 0
    }
}

/// Calling codes by number (codes have 1 to 3 digits).
static CALLING_CODES: LazyLock<Vec<Option<CallingCode>>> = LazyLock::new(|| {
    let mut table = vec![None; 1000];
    for line in PHONE_CODES.lines() {
        let mut fields = line.split_ascii_whitespace();
        let (Some(code), Some(lengths), Some(trunk)) =
            (fields.next(), fields.next(), fields.next())
        else {
            continue;
        };
        let Ok(code) = code.parse::<usize>() else {
            continue;
        };
        let mut mask = 0u32;
        for n in lengths.split(',').filter_map(|n| n.parse::<u32>().ok()) {
            if n < 32 {
                mask |= 1 << n;
            }
        }
        let trunk = match trunk.as_bytes() {
            [d] if d.is_ascii_digit() => Some(d - b'0'),
            _ => None,
        };
        if let Some(slot) = table.get_mut(code) {
            *slot = Some(CallingCode {
                lengths: mask,
                trunk,
            });
        }
    }
    table
});

/// Splits ASCII `digits` (an international number without `+`) into its calling code and the rest.
/// Calling codes are prefix-free, so at most one split exists.
pub(crate) fn split_calling_code(digits: &[u8]) -> Option<(usize, CallingCode, &[u8])> {
    for len in 1..=3 {
        if digits.len() <= len {
            return None;
        }
        let code = digits[..len]
            .iter()
            .fold(0usize, |acc, d| acc * 10 + usize::from(d - b'0'));
        if digits[0] == b'0' {
            return None;
        }
        if let Some(Some(info)) = CALLING_CODES.get(code) {
            return Some((code, *info, &digits[len..]));
        }
    }
    None
}

/// Looks up one calling code given as digits.
pub(crate) fn calling_code(digits: &[u8]) -> Option<CallingCode> {
    if digits.is_empty() || digits.len() > 3 || digits[0] == b'0' {
        return None;
    }
    let code = digits.iter().fold(0usize, |acc, d| {
        acc * 10 + usize::from(d.wrapping_sub(b'0'))
    });
    CALLING_CODES.get(code).copied().flatten()
}

/// Valid North American area codes, as a bitmap over 0..1000.
static NANP: LazyLock<Vec<bool>> = LazyLock::new(|| {
    let mut table = vec![false; 1000];
    for code in NANP_AREA_CODES.split_ascii_whitespace() {
        if let Ok(code) = code.parse::<usize>()
            && let Some(slot) = table.get_mut(code)
        {
            *slot = true;
        }
    }
    table
});

/// True if the three ASCII digits are an area code in use in the North American Numbering Plan.
pub(crate) fn is_nanp_area_code(digits: &[u8]) -> bool {
    let [a, b, c] = digits else {
        return false;
    };
    let code = usize::from(a.wrapping_sub(b'0')) * 100
        + usize::from(b.wrapping_sub(b'0')) * 10
        + usize::from(c.wrapping_sub(b'0'));
    NANP.get(code).copied().unwrap_or(false)
}

static COUNTRY_SET: LazyLock<Vec<[u8; 2]>> = LazyLock::new(|| {
    let mut codes: Vec<[u8; 2]> = COUNTRIES
        .split_ascii_whitespace()
        .filter_map(|c| match c.as_bytes() {
            [a, b] => Some([*a, *b]),
            _ => None,
        })
        .collect();
    codes.sort_unstable();
    codes
});

/// True if the two upper-case ASCII letters are an ISO 3166 country code.
pub(crate) fn is_country(code: [u8; 2]) -> bool {
    COUNTRY_SET.binary_search(&code).is_ok()
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn tables_answer_known_values() {
        assert!(is_tld("com") && is_tld("UK") && is_tld("xn--p1ai") && is_tld("рф"));
        assert!(!is_tld("txt") && !is_tld("js") && !is_tld(""));
        let (code, info, rest) = split_calling_code(b"41964710795").unwrap();
        assert_eq!((code, rest.len()), (41, 9));
        assert!(info.allows_length(9) && !info.allows_length(8));
        assert_eq!(info.trunk, Some(0));
        assert_eq!(split_calling_code(b"15551234567").unwrap().0, 1);
        assert!(split_calling_code(b"0123").is_none());
        assert!(calling_code(b"44").is_some() && calling_code(b"21").is_none());
        assert!(is_nanp_area_code(b"415") && !is_nanp_area_code(b"132"));
        assert!(is_country(*b"DE") && is_country(*b"XK") && !is_country(*b"QQ"));
    }
}
