//! The `hash` operator: a keyed, type-separated HMAC-SHA256 of the value, as a hex prefix.
//!
//! Keyed because an unsalted hash of a phone number or an SSN is reversed by enumerating the few
//! billion candidates; with a secret key the output is a pseudorandom function of the value. The
//! entity type is part of the MAC input (length-prefixed, so no two (type, value) pairs share an
//! input), so the same string hashed as a `PERSON` and as an `ORGANIZATION` gives unrelated outputs.
//! The value is hashed after normalisation (see `normalize`), so joins survive formatting differences.

use aws_lc_rs::hmac;

use crate::entity::EntityType;
use crate::operator::key::Keys;
use crate::operator::normalize::comparison_key;

/// Default length of a hash, in hex characters (64 bits).
pub const DEFAULT_HASH_LENGTH: usize = 16;
/// Shortest allowed hash, in hex characters: shorter prefixes collide too often to join on.
pub const MIN_HASH_LENGTH: usize = 8;
/// Longest hash: the whole HMAC-SHA256 tag.
pub const MAX_HASH_LENGTH: usize = 64;

/// The keyed hash of `value` as an `entity`: `length` lowercase hex characters.
///
/// `length` is clamped to [`MIN_HASH_LENGTH`]`..=`[`MAX_HASH_LENGTH`] (configuration rejects values
/// outside it before they get here).
pub fn hash(keys: &Keys, entity: &EntityType, value: &str, length: usize) -> String {
    let length = length.clamp(MIN_HASH_LENGTH, MAX_HASH_LENGTH);
    let key = comparison_key(entity, value);
    let tag = mac(&keys.hash, entity, key.as_bytes());
    let mut out = String::with_capacity(MAX_HASH_LENGTH);
    for byte in tag.as_ref() {
        out.push(hex_digit(byte >> 4));
        out.push(hex_digit(byte & 0x0f));
    }
    out.truncate(length);
    out
}

/// HMAC over `len(type) || type || value`, the encoding shared by every keyed derivation here.
pub(crate) fn mac(key: &hmac::Key, entity: &EntityType, value: &[u8]) -> hmac::Tag {
    let name = entity.as_str().as_bytes();
    let mut context = hmac::Context::with_key(key);
    // Entity names are at most 64 bytes (see `EntityType::parse`), so this cast cannot truncate;
    // `u32` is used anyway so that the encoding stays unambiguous for any name.
    context.update(&u32::try_from(name.len()).unwrap_or(u32::MAX).to_be_bytes());
    context.update(name);
    context.update(value);
    context.sign()
}

fn hex_digit(nibble: u8) -> char {
    char::from(b"0123456789abcdef"[usize::from(nibble & 0x0f)])
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::operator::key::OperatorKey;

    fn keys(byte: u8) -> Keys {
        Keys::derive(&OperatorKey::from_bytes([byte; 32]).unwrap()).unwrap()
    }

    #[test]
    fn same_input_same_output_per_key_and_type() {
        let k1 = keys(1);
        let k2 = keys(2);
        let person = EntityType::Person;
        let a = hash(&k1, &person, "Jane Doe", 16);
        assert_eq!(a.len(), 16);
        assert!(
            a.bytes()
                .all(|b| b.is_ascii_hexdigit() && !b.is_ascii_uppercase())
        );
        assert_eq!(a, hash(&k1, &person, "Jane Doe", 16));
        assert_eq!(a, hash(&k1, &person, " jane  doe ", 16), "normalised first");
        assert_ne!(a, hash(&k2, &person, "Jane Doe", 16), "keyed");
        assert_ne!(
            a,
            hash(&k1, &EntityType::Organization, "Jane Doe", 16),
            "domain-separated"
        );
        assert_ne!(a, hash(&k1, &person, "Jane Do", 16));
    }

    #[test]
    fn length_option_is_a_prefix_and_clamped() {
        let k = keys(1);
        let full = hash(&k, &EntityType::UsSsn, "078-05-1121", 64);
        assert_eq!(full.len(), 64);
        for length in [8, 16, 32, 40] {
            assert_eq!(
                hash(&k, &EntityType::UsSsn, "078-05-1121", length),
                full[..length]
            );
        }
        assert_eq!(
            hash(&k, &EntityType::UsSsn, "078-05-1121", 2).len(),
            MIN_HASH_LENGTH
        );
        assert_eq!(
            hash(&k, &EntityType::UsSsn, "078-05-1121", 1000).len(),
            MAX_HASH_LENGTH
        );
    }

    #[test]
    fn is_hmac_sha256_of_the_length_prefixed_input() {
        // Pins the construction: a change here changes every published hash.
        let raw = [9u8; 32];
        let k = Keys::derive(&OperatorKey::from_bytes(raw).unwrap()).unwrap();
        let tag = mac(&k.hash, &EntityType::Person, b"jane");
        let mut expected_input = Vec::new();
        expected_input.extend_from_slice(&6u32.to_be_bytes());
        expected_input.extend_from_slice(b"PERSON");
        expected_input.extend_from_slice(b"jane");
        assert_eq!(tag.as_ref(), hmac::sign(&k.hash, &expected_input).as_ref());
    }
}
