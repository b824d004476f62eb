//! Keys of the keyed operators: one 32-byte operator key, and the sub-keys derived from it with HKDF.
//!
//! One secret is configured; each use gets its own sub-key so that, for example, a hash published in a
//! dataset tells nothing about the encryption key, and a fake derived for a value cannot be linked to
//! its hash. Derivation is HKDF-SHA256 (RFC 5869) with a fixed, versioned salt and one `info` label per
//! purpose; changing a label changes every output, so labels are part of the on-disk format.

use std::fmt;

use aws_lc_rs::{aead, hkdf, hmac};
use zeroize::{Zeroize, ZeroizeOnDrop, Zeroizing};

use crate::error::Error;

/// The length of an operator key, in bytes.
pub const OPERATOR_KEY_LEN: usize = 32;

/// The one secret the keyed operators (`hash`, `encrypt`, fakes) derive their keys from.
///
/// Zeroized on drop; its `Debug` never shows the bytes. The gateway and CLI load it from a secret
/// reference and keep it apart from stored data; losing it makes encrypted tokens unreadable.
#[derive(Clone, Zeroize, ZeroizeOnDrop)]
pub struct OperatorKey {
    bytes: [u8; OPERATOR_KEY_LEN],
}

impl OperatorKey {
    /// A key from 32 bytes (from a CSPRNG or a KDF, never a password).
    ///
    /// The all-zero key is refused: it is what an unset or zero-filled buffer looks like, and
    /// accepting it would silently make every hash and token predictable.
    pub fn from_bytes(bytes: [u8; OPERATOR_KEY_LEN]) -> Result<OperatorKey, Error> {
        let mut bytes = Zeroizing::new(bytes);
        if bytes.iter().all(|&b| b == 0) {
            return Err(Error::InvalidKey("operator key is all zero".to_owned()));
        }
        let mut key = OperatorKey {
            bytes: [0; OPERATOR_KEY_LEN],
        };
        key.bytes.copy_from_slice(&bytes[..]);
        bytes.zeroize();
        Ok(key)
    }

    /// A key from a slice that must be exactly 32 bytes long.
    pub fn from_slice(bytes: &[u8]) -> Result<OperatorKey, Error> {
        let Ok(array) = <[u8; OPERATOR_KEY_LEN]>::try_from(bytes) else {
            return Err(Error::InvalidKey(format!(
                "operator key must be {OPERATOR_KEY_LEN} bytes, got {}",
                bytes.len()
            )));
        };
        OperatorKey::from_bytes(array)
    }
}

impl fmt::Debug for OperatorKey {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str("OperatorKey([redacted])")
    }
}

/// The sub-keys of one [`OperatorKey`], ready for use. Build once and share (`Send + Sync`).
///
/// The sub-keys live inside aws-lc objects (HMAC and AEAD contexts) whose destructors cleanse them;
/// the intermediate bytes produced by HKDF are zeroized as soon as the contexts are built.
pub struct Keys {
    /// HMAC-SHA256 for the `hash` operator.
    pub(crate) hash: hmac::Key,
    /// HMAC-SHA256 that seeds fakes.
    pub(crate) fake: hmac::Key,
    /// AES-256-GCM for randomised tokens.
    pub(crate) gcm: aead::LessSafeKey,
    /// AES-256-GCM-SIV for deterministic tokens.
    pub(crate) siv: aead::LessSafeKey,
    /// HMAC-SHA256 that computes the synthetic nonce of deterministic tokens.
    pub(crate) siv_nonce: hmac::Key,
}

/// HKDF salt: fixed and public; it only separates Warden's derivations from any other use of the key.
const SALT: &[u8] = b"warden-scan operator keys v1";

/// HKDF `info` labels, one per purpose. Never reuse or rename one: outputs depend on them.
const INFO_HASH: &[u8] = b"hash hmac-sha256";
const INFO_FAKE: &[u8] = b"fake hmac-sha256";
const INFO_GCM: &[u8] = b"encrypt aes-256-gcm";
const INFO_SIV: &[u8] = b"encrypt-deterministic aes-256-gcm-siv";
const INFO_SIV_NONCE: &[u8] = b"encrypt-deterministic nonce hmac-sha256";

impl Keys {
    /// Derives every sub-key from `key`.
    pub fn derive(key: &OperatorKey) -> Result<Keys, Error> {
        let prk = hkdf::Salt::new(hkdf::HKDF_SHA256, SALT).extract(&key.bytes);
        let hmac_key = |info: &'static [u8]| -> Result<hmac::Key, Error> {
            let bytes = expand(&prk, info)?;
            Ok(hmac::Key::new(hmac::HMAC_SHA256, &bytes[..]))
        };
        let aead_key = |algorithm: &'static aead::Algorithm,
                        info: &'static [u8]|
         -> Result<aead::LessSafeKey, Error> {
            let bytes = expand(&prk, info)?;
            let unbound = aead::UnboundKey::new(algorithm, &bytes[..])
                .map_err(|_| Error::InvalidKey("cannot build an AEAD key".to_owned()))?;
            Ok(aead::LessSafeKey::new(unbound))
        };
        Ok(Keys {
            hash: hmac_key(INFO_HASH)?,
            fake: hmac_key(INFO_FAKE)?,
            gcm: aead_key(&aead::AES_256_GCM, INFO_GCM)?,
            siv: aead_key(&aead::AES_256_GCM_SIV, INFO_SIV)?,
            siv_nonce: hmac_key(INFO_SIV_NONCE)?,
        })
    }
}

impl fmt::Debug for Keys {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str("Keys([redacted])")
    }
}

/// 32 bytes of HKDF output for one purpose, zeroized when dropped.
fn expand(prk: &hkdf::Prk, info: &'static [u8]) -> Result<Zeroizing<[u8; 32]>, Error> {
    let mut out = Zeroizing::new([0u8; 32]);
    let infos = [info];
    prk.expand(&infos, hkdf::HKDF_SHA256)
        .and_then(|okm| okm.fill(&mut out[..]))
        .map_err(|_| Error::InvalidKey("key derivation failed".to_owned()))?;
    Ok(out)
}

/// Where the random nonces of non-deterministic encryption come from.
///
/// The engine reads no randomness itself; the gateway and the CLI pass a source backed by
/// `aws_lc_rs::rand::SystemRandom`. Every call must return a fresh, unpredictable 12-byte value:
/// a repeated nonce under one key breaks AES-GCM (it reveals the XOR of two plaintexts and allows
/// forgeries). `None` (the system generator failed) makes encryption fail, and the rewriter then
/// writes the redaction marker instead of the value. Tests pass a counter.
///
/// ```
/// use aws_lc_rs::rand::{SecureRandom, SystemRandom};
/// let rng = SystemRandom::new();
/// let mut nonces = || {
///     let mut nonce = [0u8; 12];
///     rng.fill(&mut nonce).ok().map(|()| nonce)
/// };
/// let source: &mut dyn warden_scan::NonceSource = &mut nonces;
/// assert!(source.nonce().is_some());
/// ```
pub trait NonceSource {
    /// A fresh 96-bit nonce, or `None` if none can be had.
    fn nonce(&mut self) -> Option<[u8; 12]>;
}

impl<F: FnMut() -> Option<[u8; 12]>> NonceSource for F {
    fn nonce(&mut self) -> Option<[u8; 12]> {
        self()
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn refuses_wrong_length_and_zero_keys() {
        assert!(matches!(
            OperatorKey::from_slice(&[1; 31]),
            Err(Error::InvalidKey(_))
        ));
        assert!(matches!(
            OperatorKey::from_slice(&[1; 33]),
            Err(Error::InvalidKey(_))
        ));
        assert!(matches!(
            OperatorKey::from_bytes([0; 32]),
            Err(Error::InvalidKey(_))
        ));
        assert!(OperatorKey::from_slice(&[7; 32]).is_ok());
    }

    #[test]
    fn debug_never_shows_key_material() {
        let key = OperatorKey::from_bytes([0xab; 32]).unwrap();
        let keys = Keys::derive(&key).unwrap();
        let shown = format!("{key:?} {keys:?} {key:#?}");
        assert!(!shown.to_lowercase().contains("ab, "));
        assert!(!shown.contains("171"));
        assert_eq!(format!("{key:?}"), "OperatorKey([redacted])");
        assert_eq!(format!("{keys:?}"), "Keys([redacted])");
    }

    #[test]
    fn sub_keys_differ_per_purpose() {
        let key = OperatorKey::from_bytes([3; 32]).unwrap();
        let prk = hkdf::Salt::new(hkdf::HKDF_SHA256, SALT).extract(&key.bytes);
        let labels = [INFO_HASH, INFO_FAKE, INFO_GCM, INFO_SIV, INFO_SIV_NONCE];
        let derived: Vec<[u8; 32]> = labels.iter().map(|l| *expand(&prk, l).unwrap()).collect();
        for (i, a) in derived.iter().enumerate() {
            assert_ne!(a, &key.bytes, "a sub-key must not be the root key");
            for b in &derived[i + 1..] {
                assert_ne!(a, b);
            }
        }
    }
}
