//! The `encrypt` operator and its inverse: authenticated, versioned, base64url tokens.
//!
//! Token layout (before base64url without padding):
//!
//! ```text
//! version (1 byte) || nonce (12 bytes) || ciphertext (len(value) bytes) || tag (16 bytes)
//! ```
//!
//! - version `0x01`: AES-256-GCM with a caller-supplied random nonce. Two encryptions of one value
//!   differ; nothing links them.
//! - version `0x02`: deterministic. AES-256-GCM-SIV (RFC 8452) with a synthetic nonce, the first 12
//!   bytes of HMAC-SHA256(nonce key, type || value). The same value and type always give the same
//!   token (so encrypted columns can be joined); equality is all it reveals. GCM-SIV rather than GCM
//!   because GCM with a repeated nonce leaks the keystream and allows forgeries, while GCM-SIV is
//!   built to survive nonce reuse; the value-derived nonce makes every distinct value use its own
//!   derived GCM-SIV key (better bounds than one fixed nonce), and on decryption the nonce is
//!   recomputed from the plaintext and compared, a second integrity check. AES-SIV (RFC 5297) would be
//!   the textbook choice but aws-lc-rs does not offer it.
//!
//! Associated data is `version || entity type`: a token only opens as the type it was made for, and a
//! token cannot be passed off as the other version. Any altered byte, a wrong key or a wrong type gives
//! [`Error::Decrypt`], which says nothing about which check failed.

use aws_lc_rs::{aead, constant_time};
use base64::Engine as _;
use base64::engine::general_purpose::URL_SAFE_NO_PAD;
use zeroize::Zeroizing;

use crate::entity::EntityType;
use crate::error::Error;
use crate::operator::hash::mac;
use crate::operator::key::{Keys, NonceSource};

const VERSION_RANDOMIZED: u8 = 0x01;
const VERSION_DETERMINISTIC: u8 = 0x02;
const NONCE_LEN: usize = 12;
const TAG_LEN: usize = 16;
/// The smallest token: an empty value.
const MIN_TOKEN_LEN: usize = 1 + NONCE_LEN + TAG_LEN;

/// How tokens are made.
#[derive(Clone, Copy, Debug, Default, PartialEq, Eq, serde::Deserialize)]
#[serde(rename_all = "lowercase")]
pub enum EncryptMode {
    /// AES-256-GCM with a random nonce: the same value gives a different token each time.
    #[default]
    Randomized,
    /// AES-256-GCM-SIV with a synthetic nonce: the same value gives the same token (joinable).
    Deterministic,
}

/// Encrypts `value` as an `entity` into a base64url token with a random nonce from `nonces`.
pub fn encrypt(
    keys: &Keys,
    entity: &EntityType,
    value: &str,
    nonces: &mut dyn NonceSource,
) -> Result<String, Error> {
    let nonce = nonces.nonce().ok_or(Error::Encrypt)?;
    // An all-zero nonce is what a stubbed or uninitialised source returns, never (in practice) a
    // random one; refusing it catches the most likely way to reuse nonces.
    if nonce == [0; NONCE_LEN] {
        return Err(Error::Encrypt);
    }
    seal(&keys.gcm, VERSION_RANDOMIZED, nonce, entity, value)
}

/// Encrypts `value` as an `entity` into a deterministic base64url token.
pub fn encrypt_deterministic(
    keys: &Keys,
    entity: &EntityType,
    value: &str,
) -> Result<String, Error> {
    let nonce = synthetic_nonce(keys, entity, value.as_bytes());
    seal(&keys.siv, VERSION_DETERMINISTIC, nonce, entity, value)
}

/// Decrypts a token made by [`encrypt`] or [`encrypt_deterministic`] for `entity`.
///
/// Fails with [`Error::Decrypt`] on a wrong key, a wrong type, any altered byte, or anything that is
/// not a token.
pub fn decrypt(keys: &Keys, entity: &EntityType, token: &str) -> Result<String, Error> {
    let Ok(bytes) = URL_SAFE_NO_PAD.decode(token.as_bytes()) else {
        return Err(Error::Decrypt);
    };
    if bytes.len() < MIN_TOKEN_LEN {
        return Err(Error::Decrypt);
    }
    let version = bytes[0];
    let mut nonce = [0u8; NONCE_LEN];
    nonce.copy_from_slice(&bytes[1..1 + NONCE_LEN]);
    let key = match version {
        VERSION_RANDOMIZED => &keys.gcm,
        VERSION_DETERMINISTIC => &keys.siv,
        _ => return Err(Error::Decrypt),
    };
    // The buffer holds plaintext once opened; wipe it on every path where it is not returned.
    let mut in_out = Zeroizing::new(bytes[1 + NONCE_LEN..].to_vec());
    let plaintext = key
        .open_in_place(
            aead::Nonce::assume_unique_for_key(nonce),
            aead::Aad::from(associated_data(version, entity)),
            &mut in_out[..],
        )
        .map_err(|_| Error::Decrypt)?;
    if version == VERSION_DETERMINISTIC {
        let expected = synthetic_nonce(keys, entity, plaintext);
        constant_time::verify_slices_are_equal(&expected, &nonce).map_err(|_| Error::Decrypt)?;
    }
    let value = std::str::from_utf8(plaintext).map_err(|_| Error::Decrypt)?;
    Ok(value.to_owned())
}

fn seal(
    key: &aead::LessSafeKey,
    version: u8,
    nonce: [u8; NONCE_LEN],
    entity: &EntityType,
    value: &str,
) -> Result<String, Error> {
    let mut token = Vec::with_capacity(MIN_TOKEN_LEN + value.len());
    token.push(version);
    token.extend_from_slice(&nonce);
    // Plaintext is in this buffer until sealing overwrites it; wipe it if sealing fails.
    let mut in_out = Zeroizing::new(value.as_bytes().to_vec());
    key.seal_in_place_append_tag(
        aead::Nonce::assume_unique_for_key(nonce),
        aead::Aad::from(associated_data(version, entity)),
        &mut *in_out,
    )
    .map_err(|_| Error::Encrypt)?;
    token.extend_from_slice(&in_out);
    Ok(URL_SAFE_NO_PAD.encode(token))
}

fn associated_data(version: u8, entity: &EntityType) -> Vec<u8> {
    let mut aad = Vec::with_capacity(1 + entity.as_str().len());
    aad.push(version);
    aad.extend_from_slice(entity.as_str().as_bytes());
    aad
}

fn synthetic_nonce(keys: &Keys, entity: &EntityType, value: &[u8]) -> [u8; NONCE_LEN] {
    let tag = mac(&keys.siv_nonce, entity, value);
    let mut nonce = [0u8; NONCE_LEN];
    nonce.copy_from_slice(&tag.as_ref()[..NONCE_LEN]);
    nonce
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::operator::key::OperatorKey;

    fn keys(byte: u8) -> Keys {
        Keys::derive(&OperatorKey::from_bytes([byte; 32]).unwrap()).unwrap()
    }

    fn counter() -> impl FnMut() -> Option<[u8; 12]> {
        let mut n: u64 = 0;
        move || {
            n += 1;
            let mut nonce = [0u8; 12];
            nonce[4..].copy_from_slice(&n.to_be_bytes());
            Some(nonce)
        }
    }

    const VALUES: &[&str] = &[
        "",
        "a",
        "Jane Doe",
        "4111 1111 1111 1111",
        "Zoë Ångström 🦀",
        "x\0y",
    ];

    #[test]
    fn round_trips_both_modes() {
        let k = keys(1);
        let mut nonces = counter();
        for entity in [EntityType::Person, EntityType::Custom("EMPLOYEE_ID".into())] {
            for value in VALUES {
                let token = encrypt(&k, &entity, value, &mut nonces).unwrap();
                assert!(
                    token
                        .bytes()
                        .all(|b| b.is_ascii_alphanumeric() || b == b'-' || b == b'_')
                );
                assert_eq!(decrypt(&k, &entity, &token).unwrap(), *value);
                let det = encrypt_deterministic(&k, &entity, value).unwrap();
                assert_eq!(decrypt(&k, &entity, &det).unwrap(), *value);
            }
        }
    }

    #[test]
    fn randomized_differs_deterministic_repeats() {
        let k = keys(1);
        let mut nonces = counter();
        let p = EntityType::Person;
        let a = encrypt(&k, &p, "Jane", &mut nonces).unwrap();
        let b = encrypt(&k, &p, "Jane", &mut nonces).unwrap();
        assert_ne!(a, b);
        let c = encrypt_deterministic(&k, &p, "Jane").unwrap();
        assert_eq!(c, encrypt_deterministic(&k, &p, "Jane").unwrap());
        assert_ne!(c, encrypt_deterministic(&k, &p, "Jan").unwrap());
        assert_ne!(
            c,
            encrypt_deterministic(&k, &EntityType::Location, "Jane").unwrap()
        );
        assert_ne!(c, encrypt_deterministic(&keys(2), &p, "Jane").unwrap());
    }

    #[test]
    fn token_layout_is_versioned() {
        let k = keys(1);
        let mut nonces = || Some([7u8; 12]);
        let raw = URL_SAFE_NO_PAD
            .decode(encrypt(&k, &EntityType::Person, "abc", &mut nonces).unwrap())
            .unwrap();
        assert_eq!(raw[0], VERSION_RANDOMIZED);
        assert_eq!(&raw[1..13], &[7u8; 12]);
        assert_eq!(raw.len(), 1 + 12 + 3 + 16);
        let raw = URL_SAFE_NO_PAD
            .decode(encrypt_deterministic(&k, &EntityType::Person, "abc").unwrap())
            .unwrap();
        assert_eq!(raw[0], VERSION_DETERMINISTIC);
        assert_eq!(raw.len(), 1 + 12 + 3 + 16);
    }

    #[test]
    fn wrong_key_or_type_fails() {
        let k = keys(1);
        let mut nonces = counter();
        let p = EntityType::Person;
        for token in [
            encrypt(&k, &p, "Jane", &mut nonces).unwrap(),
            encrypt_deterministic(&k, &p, "Jane").unwrap(),
        ] {
            assert!(matches!(decrypt(&keys(2), &p, &token), Err(Error::Decrypt)));
            assert!(matches!(
                decrypt(&k, &EntityType::Location, &token),
                Err(Error::Decrypt)
            ));
        }
    }

    #[test]
    fn every_single_byte_flip_fails() {
        let k = keys(1);
        let mut nonces = counter();
        let p = EntityType::Person;
        for token in [
            encrypt(&k, &p, "Jane Doe", &mut nonces).unwrap(),
            encrypt_deterministic(&k, &p, "Jane Doe").unwrap(),
        ] {
            let raw = URL_SAFE_NO_PAD.decode(&token).unwrap();
            for i in 0..raw.len() {
                for bit in 0..8 {
                    let mut bad = raw.clone();
                    bad[i] ^= 1 << bit;
                    let bad = URL_SAFE_NO_PAD.encode(&bad);
                    assert!(
                        matches!(decrypt(&k, &p, &bad), Err(Error::Decrypt)),
                        "byte {i} bit {bit}"
                    );
                }
            }
            // And every change of one character of the text form.
            let alphabet = b"ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789-_=+/. ";
            for i in 0..token.len() {
                for &c in alphabet {
                    if token.as_bytes()[i] == c {
                        continue;
                    }
                    let mut bad = token.clone().into_bytes();
                    bad[i] = c;
                    let bad = String::from_utf8(bad).unwrap();
                    assert!(decrypt(&k, &p, &bad).is_err(), "char {i} -> {}", c as char);
                }
            }
            // Truncations and extensions.
            for end in 0..token.len() {
                assert!(decrypt(&k, &p, &token[..end]).is_err());
            }
            assert!(decrypt(&k, &p, &format!("{token}A")).is_err());
        }
    }

    #[test]
    fn a_failing_or_stubbed_nonce_source_fails_encryption() {
        let k = keys(1);
        let mut failing = || None;
        assert!(matches!(
            encrypt(&k, &EntityType::Person, "x", &mut failing),
            Err(Error::Encrypt)
        ));
        let mut zeros = || Some([0u8; 12]);
        assert!(matches!(
            encrypt(&k, &EntityType::Person, "x", &mut zeros),
            Err(Error::Encrypt)
        ));
    }

    #[test]
    fn garbage_is_an_error_not_a_panic() {
        let k = keys(1);
        for token in ["", "!!!", "AAAA", "AQ", &"A".repeat(40), "😀"] {
            assert!(matches!(
                decrypt(&k, &EntityType::Person, token),
                Err(Error::Decrypt)
            ));
        }
    }
}
