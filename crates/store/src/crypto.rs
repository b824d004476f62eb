//! Encryption at rest (SPEC §7): AES-256-GCM envelope encryption with aws-lc-rs.
//!
//! - The **master key** (KEK, 32 bytes) comes from the caller (`WARDEN_MASTER_KEY`, base64, or the
//!   configured reference) or from `master.key` in the data directory (mode 0600, created on first
//!   open). It never touches the database; only its id (an HMAC fingerprint) and a check value
//!   (a sealed constant that only the right key opens) do, so a wrong key is refused at start.
//! - Each **data subject** has a data key (DEK, 32 random bytes) stored wrapped by the KEK in the
//!   keyring. Rotating the KEK re-wraps DEKs; the data they seal is untouched. Destroying a DEK
//!   makes everything sealed under it unreadable, in every copy of the data (crypto-shredding).
//! - A sealed value is `v1:` + base64(nonce ‖ ciphertext ‖ tag), 96-bit random nonces, with
//!   associated data binding it to where it is stored (its row id and subject), so a ciphertext
//!   moved to another row or subject does not open.

use std::fmt;

use aws_lc_rs::aead::{AES_256_GCM, Aad, LessSafeKey, NONCE_LEN, Nonce, UnboundKey};
use aws_lc_rs::hmac;
use aws_lc_rs::rand::{SecureRandom, SystemRandom};
use base64::Engine as _;
use base64::engine::general_purpose::STANDARD;
use zeroize::Zeroizing;

use crate::error::{Error, Result};

/// The master key file's name in the data directory.
pub const MASTER_KEY_FILE: &str = "master.key";
/// The prefix of every sealed value (the format's version).
const SEALED_PREFIX: &str = "v1:";
/// What the keyring's check value seals.
const CHECK_PLAINTEXT: &[u8] = b"warden keyring check v1";
const CHECK_AAD: &[u8] = b"warden keyring check";
const KEY_LEN: usize = 32;

/// A 32-byte AES-256 key. `Debug` shows only its id; zeroized on drop.
#[derive(Clone)]
pub struct MasterKey(Zeroizing<[u8; KEY_LEN]>);

impl MasterKey {
    /// A master key from exactly 32 bytes.
    pub fn from_bytes(bytes: &[u8]) -> Result<Self> {
        let array: [u8; KEY_LEN] = bytes.try_into().map_err(|_| Error::MasterKeyFormat)?;
        Ok(Self(Zeroizing::new(array)))
    }

    /// A master key from base64 text (`WARDEN_MASTER_KEY`), surrounding whitespace ignored.
    pub fn from_base64(text: &str) -> Result<Self> {
        let bytes = Zeroizing::new(
            STANDARD
                .decode(text.trim())
                .map_err(|_| Error::MasterKeyFormat)?,
        );
        Self::from_bytes(&bytes)
    }

    /// 32 fresh random bytes.
    pub fn generate() -> Result<Self> {
        Ok(Self(random_key()?))
    }

    /// Base64 of the key, for writing a new key out (`warden keys rotate-master`).
    pub fn to_base64(&self) -> Zeroizing<String> {
        Zeroizing::new(STANDARD.encode(self.0.as_ref()))
    }

    /// A public fingerprint: `kek_` + 16 hex digits of HMAC-SHA256(key, label). Names the key in
    /// the keyring and in messages without revealing it.
    pub fn id(&self) -> String {
        let mac = hmac::sign(
            &hmac::Key::new(hmac::HMAC_SHA256, self.0.as_ref()),
            b"warden master key id v1",
        );
        format!("kek_{}", hex::encode(&mac.as_ref()[..8]))
    }

    pub(crate) fn aead(&self) -> Result<LessSafeKey> {
        aead_key(self.0.as_ref())
    }

    /// The check value stored in the keyring: only this key opens it.
    pub(crate) fn check_value(&self) -> Result<String> {
        seal(&self.aead()?, CHECK_PLAINTEXT, CHECK_AAD)
    }

    /// Whether `check_value` was made by this key.
    pub(crate) fn opens(&self, check_value: &str) -> bool {
        self.aead()
            .and_then(|key| open(&key, check_value, CHECK_AAD, "keyring check value"))
            .is_ok_and(|plain| plain.as_slice() == CHECK_PLAINTEXT)
    }
}

impl fmt::Debug for MasterKey {
    fn fmt(&self, formatter: &mut fmt::Formatter<'_>) -> fmt::Result {
        write!(formatter, "MasterKey({})", self.id())
    }
}

/// A data subject's data key, unwrapped. Lives only for one operation.
pub(crate) struct DataKey(Zeroizing<[u8; KEY_LEN]>);

impl DataKey {
    pub(crate) fn generate() -> Result<Self> {
        Ok(Self(random_key()?))
    }

    /// The DEK sealed under the KEK, bound to its subject.
    pub(crate) fn wrap(&self, master: &MasterKey, subject: &str) -> Result<String> {
        seal(&master.aead()?, self.0.as_ref(), &wrap_aad(subject))
    }

    pub(crate) fn unwrap(master: &MasterKey, subject: &str, wrapped: &str) -> Result<Self> {
        let bytes = Zeroizing::new(open(
            &master.aead()?,
            wrapped,
            &wrap_aad(subject),
            "data key",
        )?);
        let array: [u8; KEY_LEN] = bytes
            .as_slice()
            .try_into()
            .map_err(|_| Error::Decrypt { what: "data key" })?;
        Ok(Self(Zeroizing::new(array)))
    }

    pub(crate) fn seal(&self, plaintext: &[u8], aad: &[u8]) -> Result<String> {
        seal(&aead_key(self.0.as_ref())?, plaintext, aad)
    }

    pub(crate) fn open(&self, sealed: &str, aad: &[u8], what: &'static str) -> Result<Vec<u8>> {
        open(&aead_key(self.0.as_ref())?, sealed, aad, what)
    }
}

fn wrap_aad(subject: &str) -> Vec<u8> {
    format!("warden data key v1\0{subject}").into_bytes()
}

fn random_key() -> Result<Zeroizing<[u8; KEY_LEN]>> {
    let mut bytes = Zeroizing::new([0_u8; KEY_LEN]);
    SystemRandom::new()
        .fill(bytes.as_mut())
        .map_err(|_| Error::Random)?;
    Ok(bytes)
}

fn aead_key(bytes: &[u8]) -> Result<LessSafeKey> {
    // 32 bytes always make an AES-256 key; the error arm is unreachable but not panicked on.
    UnboundKey::new(&AES_256_GCM, bytes)
        .map(LessSafeKey::new)
        .map_err(|_| Error::Random)
}

/// `v1:` + base64(nonce ‖ ciphertext ‖ tag) with a fresh random nonce.
fn seal(key: &LessSafeKey, plaintext: &[u8], aad: &[u8]) -> Result<String> {
    let mut nonce = [0_u8; NONCE_LEN];
    SystemRandom::new()
        .fill(&mut nonce)
        .map_err(|_| Error::Random)?;
    let mut buffer = Zeroizing::new(plaintext.to_vec());
    key.seal_in_place_append_tag(
        Nonce::assume_unique_for_key(nonce),
        Aad::from(aad),
        &mut *buffer,
    )
    .map_err(|_| Error::Random)?;
    let mut sealed = Vec::with_capacity(NONCE_LEN + buffer.len());
    sealed.extend_from_slice(&nonce);
    sealed.extend_from_slice(&buffer);
    Ok(format!("{SEALED_PREFIX}{}", STANDARD.encode(sealed)))
}

fn open(key: &LessSafeKey, sealed: &str, aad: &[u8], what: &'static str) -> Result<Vec<u8>> {
    let failed = || Error::Decrypt { what };
    let encoded = sealed.strip_prefix(SEALED_PREFIX).ok_or_else(failed)?;
    let mut bytes = STANDARD.decode(encoded).map_err(|_| failed())?;
    if bytes.len() < NONCE_LEN {
        return Err(failed());
    }
    let mut body = bytes.split_off(NONCE_LEN);
    let nonce = Nonce::try_assume_unique_for_key(&bytes).map_err(|_| failed())?;
    let plain_len = key
        .open_in_place(nonce, Aad::from(aad), &mut body)
        .map_err(|_| failed())?
        .len();
    body.truncate(plain_len);
    Ok(body)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn sealed_values_open_only_with_their_key_and_context() {
        let key = DataKey::generate().unwrap();
        let sealed = key
            .seal(b"Alice Example, 4111 1111 1111 1111", b"row-1")
            .unwrap();
        assert!(sealed.starts_with("v1:"));
        assert!(!sealed.contains("Alice"));
        assert_eq!(
            key.open(&sealed, b"row-1", "test").unwrap(),
            b"Alice Example, 4111 1111 1111 1111"
        );
        assert!(key.open(&sealed, b"row-2", "test").is_err(), "moved row");
        let other = DataKey::generate().unwrap();
        assert!(other.open(&sealed, b"row-1", "test").is_err(), "other key");
        let mut flipped = sealed.clone().into_bytes();
        let last = flipped.len() - 3;
        flipped[last] = if flipped[last] == b'A' { b'B' } else { b'A' };
        let flipped = String::from_utf8(flipped).unwrap();
        assert!(key.open(&flipped, b"row-1", "test").is_err(), "altered");
        assert!(key.open("v1:", b"row-1", "test").is_err());
        assert!(key.open("garbage", b"row-1", "test").is_err());
        // Two seals of one plaintext differ (fresh nonces).
        assert_ne!(
            sealed,
            key.seal(b"Alice Example, 4111 1111 1111 1111", b"row-1")
                .unwrap()
        );
    }

    #[test]
    fn data_keys_unwrap_only_under_their_master_key_and_subject() {
        let master = MasterKey::generate().unwrap();
        let dek = DataKey::generate().unwrap();
        let wrapped = dek.wrap(&master, "subj_a").unwrap();
        let unwrapped = DataKey::unwrap(&master, "subj_a", &wrapped).unwrap();
        assert_eq!(unwrapped.0.as_ref(), dek.0.as_ref());
        assert!(DataKey::unwrap(&master, "subj_b", &wrapped).is_err());
        let other = MasterKey::generate().unwrap();
        assert!(DataKey::unwrap(&other, "subj_a", &wrapped).is_err());
    }

    #[test]
    fn master_keys_parse_identify_and_check() {
        let master =
            MasterKey::from_base64(&format!(" {} \n", STANDARD.encode([9_u8; 32]))).unwrap();
        assert_eq!(master.id().len(), 20);
        assert_eq!(master.id(), MasterKey::from_bytes(&[9; 32]).unwrap().id());
        assert!(format!("{master:?}").starts_with("MasterKey(kek_"));
        assert!(!format!("{master:?}").contains(&STANDARD.encode([9_u8; 32])));
        assert!(matches!(
            MasterKey::from_base64(&STANDARD.encode([9_u8; 31])),
            Err(Error::MasterKeyFormat)
        ));
        assert!(MasterKey::from_base64("not base64!").is_err());
        let check = master.check_value().unwrap();
        assert!(master.opens(&check));
        assert!(!MasterKey::generate().unwrap().opens(&check));
    }
}
