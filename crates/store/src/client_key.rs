//! The client key format (SPEC §6): `wdn_` + 32 random bytes in base62, always 43 characters
//! (left-padded with `0`), 47 in all. 62^43 > 2^256, so 43 digits hold any 32 bytes.

use std::fmt;

use aws_lc_rs::rand::{SecureRandom, SystemRandom};
use zeroize::Zeroizing;

use crate::error::{Error, Result};

/// Every client key starts with this.
pub const KEY_PREFIX: &str = "wdn_";
/// Base62 digits after the prefix.
const KEY_DIGITS: usize = 43;
/// The length of a client key in bytes (and characters): 47.
pub const KEY_LEN: usize = KEY_PREFIX.len() + KEY_DIGITS;

const BASE62: &[u8; 62] = b"0123456789ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz";

/// A client key in plain text, as returned once by `create_key`. Its `Debug` shows only the
/// prefix; it has no `Display`, so printing it takes a deliberate `expose_secret`. Zeroized on
/// drop.
pub struct PlaintextKey(Zeroizing<String>);

impl PlaintextKey {
    /// The key, for showing it to its owner once.
    pub fn expose_secret(&self) -> &str {
        &self.0
    }

    /// A fresh key from the system's random number generator.
    pub(crate) fn generate() -> Result<Self> {
        let mut random = Zeroizing::new([0_u8; 32]);
        SystemRandom::new()
            .fill(random.as_mut())
            .map_err(|_| Error::Random)?;
        let digits = base62_fixed(&random);
        let mut key = Zeroizing::new(String::with_capacity(KEY_LEN));
        key.push_str(KEY_PREFIX);
        key.extend(digits.iter().map(|&digit| char::from(digit)));
        Ok(Self(key))
    }
}

impl fmt::Debug for PlaintextKey {
    fn fmt(&self, formatter: &mut fmt::Formatter<'_>) -> fmt::Result {
        write!(formatter, "PlaintextKey({KEY_PREFIX}…)")
    }
}

/// Whether `presented` has the shape of a client key: the prefix, then exactly 43 ASCII letters or
/// digits. Only such strings are hashed and looked up.
pub fn is_well_formed(presented: &str) -> bool {
    presented.strip_prefix(KEY_PREFIX).is_some_and(|digits| {
        digits.len() == KEY_DIGITS && digits.bytes().all(|b| b.is_ascii_alphanumeric())
    })
}

/// `n_chars` uniformly random base62 characters (for ids, which are not secret).
pub(crate) fn random_base62(n_chars: usize) -> Result<String> {
    let random = SystemRandom::new();
    let mut text = String::with_capacity(n_chars);
    let mut bytes = [0_u8; 32];
    while text.len() < n_chars {
        random.fill(&mut bytes).map_err(|_| Error::Random)?;
        // Rejection sampling: 248 = 4 × 62, so bytes below it map uniformly onto the alphabet.
        for &byte in bytes.iter().filter(|&&byte| byte < 248) {
            if text.len() == n_chars {
                break;
            }
            text.push(char::from(BASE62[usize::from(byte % 62)]));
        }
    }
    Ok(text)
}

/// The 43 base62 digits of a 256-bit big-endian number, most significant first, zero-padded.
fn base62_fixed(bytes: &[u8; 32]) -> Zeroizing<[u8; KEY_DIGITS]> {
    let mut number = Zeroizing::new(*bytes);
    let mut digits = Zeroizing::new([BASE62[0]; KEY_DIGITS]);
    for digit in digits.iter_mut().rev() {
        // Long division of the whole number by 62; the remainder is the next digit.
        let mut remainder: u32 = 0;
        for byte in number.iter_mut() {
            let value = (remainder << 8) | u32::from(*byte);
            // value < 62 × 256, so the quotient fits a byte.
            *byte = (value / 62) as u8;
            remainder = value % 62;
        }
        *digit = BASE62[remainder as usize];
    }
    digits
}

#[cfg(test)]
mod tests {
    use proptest::prelude::*;

    use super::*;

    /// Test-only inverse of `base62_fixed`: multiply-and-add into 33 bytes, so an overflow past
    /// 256 bits would show in the top byte.
    fn decode(digits: &[u8]) -> [u8; 33] {
        let mut number = [0_u8; 33];
        for &digit in digits {
            let mut carry = BASE62.iter().position(|&b| b == digit).unwrap() as u32;
            for byte in number.iter_mut().rev() {
                let value = u32::from(*byte) * 62 + carry;
                *byte = (value & 0xff) as u8;
                carry = value >> 8;
            }
            assert_eq!(carry, 0);
        }
        number
    }

    #[test]
    fn extremes_encode_at_fixed_length() {
        assert_eq!(&*base62_fixed(&[0; 32]), &[b'0'; 43]);
        let mut one = [0; 32];
        one[31] = 1;
        assert_eq!(base62_fixed(&one).last(), Some(&b'1'));
        assert!(base62_fixed(&one)[..42].iter().all(|&b| b == b'0'));
        // 2^256 - 1 needs all 43 digits: its first digit is not a pad.
        assert_ne!(base62_fixed(&[0xff; 32])[0], b'0');
    }

    #[test]
    fn generated_keys_are_well_formed_and_distinct() {
        let first = PlaintextKey::generate().unwrap();
        let second = PlaintextKey::generate().unwrap();
        assert!(is_well_formed(first.expose_secret()));
        assert_eq!(first.expose_secret().len(), KEY_LEN);
        assert_ne!(first.expose_secret(), second.expose_secret());
    }

    #[test]
    fn debug_hides_the_key() {
        let key = PlaintextKey::generate().unwrap();
        let shown = format!("{key:?}");
        assert_eq!(shown, "PlaintextKey(wdn_…)");
        assert!(!shown.contains(&key.expose_secret()[4..]));
    }

    #[test]
    fn shapes_that_are_not_keys() {
        let good = format!("wdn_{}", "a".repeat(43));
        assert!(is_well_formed(&good));
        for bad in [
            String::new(),
            "wdn_".into(),
            format!("wdn_{}", "a".repeat(42)),
            format!("wdn_{}", "a".repeat(44)),
            format!("WDN_{}", "a".repeat(43)),
            format!("sk-_{}", "a".repeat(43)),
            format!("wdn_{}-", "a".repeat(42)),
            format!("wdn_{}é", "a".repeat(41)),
            format!(" wdn_{}", "a".repeat(43)),
        ] {
            assert!(!is_well_formed(&bad), "{bad:?}");
        }
    }

    #[test]
    fn random_ids_use_the_alphabet() {
        let text = random_base62(200).unwrap();
        assert_eq!(text.len(), 200);
        assert!(text.bytes().all(|b| b.is_ascii_alphanumeric()));
    }

    proptest! {
        #[test]
        fn base62_round_trips(bytes in any::<[u8; 32]>()) {
            let digits = base62_fixed(&bytes);
            prop_assert!(digits.iter().all(u8::is_ascii_alphanumeric));
            let decoded = decode(&digits[..]);
            prop_assert_eq!(decoded[0], 0);
            prop_assert_eq!(&decoded[1..], &bytes[..]);
        }
    }
}
