//! The pepper: the 32-byte server secret that keys the hash of every client key.
//!
//! With the pepper, a stolen database is useless for guessing keys offline (not that 256-bit keys
//! could be guessed): the hashes are HMACs under a secret that is not in the database. Custody:
//! given by the caller (`StoreOptions::pepper`, e.g. from the gateway's configuration), or kept in
//! `pepper.key` in the data directory: 32 raw bytes, mode 0600, created on first open, refused if
//! group or others can read it. Losing or changing it makes every existing key `Unknown`.

use std::fmt;
use std::fs::{self, File, OpenOptions};
use std::io::{self, Read, Write};
use std::path::{Path, PathBuf};

use aws_lc_rs::hmac;
use aws_lc_rs::rand::{SecureRandom, SystemRandom};
use zeroize::Zeroizing;

use crate::error::{Error, Result};

/// The pepper file's name in the data directory.
pub const PEPPER_FILE: &str = "pepper.key";
const PEPPER_LEN: usize = 32;

/// A 32-byte pepper. `Debug` redacts it; zeroized on drop.
#[derive(Clone)]
pub struct Pepper(Zeroizing<[u8; PEPPER_LEN]>);

impl Pepper {
    /// A pepper from exactly 32 bytes.
    pub fn from_bytes(bytes: &[u8]) -> Result<Self> {
        let array: [u8; PEPPER_LEN] = bytes
            .try_into()
            .map_err(|_| Error::PepperSize { len: bytes.len() })?;
        Ok(Self(Zeroizing::new(array)))
    }

    fn generate() -> Result<Self> {
        let mut bytes = Zeroizing::new([0_u8; PEPPER_LEN]);
        SystemRandom::new()
            .fill(bytes.as_mut())
            .map_err(|_| Error::Random)?;
        Ok(Self(bytes))
    }
}

impl fmt::Debug for Pepper {
    fn fmt(&self, formatter: &mut fmt::Formatter<'_>) -> fmt::Result {
        formatter.write_str("Pepper(…)")
    }
}

/// HMAC-SHA256 under the pepper. The pepper's bytes live only inside aws-lc's HMAC context, which
/// AWS-LC cleanses when the key is dropped.
pub(crate) struct KeyHasher(hmac::Key);

impl KeyHasher {
    pub(crate) fn new(pepper: &Pepper) -> Self {
        Self(hmac::Key::new(hmac::HMAC_SHA256, pepper.0.as_ref()))
    }

    /// A key for another purpose, derived from the pepper and a label (HMAC as a PRF), so one
    /// secret in the data directory serves every keyed hash without reusing a key.
    pub(crate) fn derive(&self, label: &str) -> hmac::Key {
        hmac::Key::new(
            hmac::HMAC_SHA256,
            hmac::sign(&self.0, label.as_bytes()).as_ref(),
        )
    }

    /// The stored form of a client key: lowercase hex of HMAC-SHA256(pepper, key). Text, so the
    /// column is the same `TEXT` in SQLite and PostgreSQL.
    pub(crate) fn hash(&self, key: &str) -> String {
        hex::encode(hmac::sign(&self.0, key.as_bytes()).as_ref())
    }
}

/// The pepper in `data_dir/pepper.key`, made on first use.
pub(crate) fn load_or_create(data_dir: &Path) -> Result<Pepper> {
    let (bytes, _) = load_or_create_key_file(data_dir, PEPPER_FILE)?;
    Pepper::from_bytes(bytes.as_ref())
}

/// A 32-byte secret in `data_dir/NAME`, made on first use; `true` when this call made it. Safe
/// when several processes open the same directory at once: the file appears whole (written aside,
/// then hard-linked into place, which fails if another process got there first) and every opener
/// ends up with the same bytes. Used for the pepper and the master key file.
pub(crate) fn load_or_create_key_file(
    data_dir: &Path,
    name: &str,
) -> Result<(Zeroizing<[u8; PEPPER_LEN]>, bool)> {
    let path = data_dir.join(name);
    match read_key_file(&path) {
        Err(Error::PepperFile { source, .. }) if source.kind() == io::ErrorKind::NotFound => {}
        other => return other.map(|bytes| (bytes, false)),
    }
    let fresh = Pepper::generate()?.0;
    let file_error = |source| Error::PepperFile {
        path: path.clone(),
        source,
    };
    let suffix = crate::client_key::random_base62(12)?;
    let staging = data_dir.join(format!(".{name}.{suffix}.tmp"));
    let written = write_private(&staging, fresh.as_ref());
    let linked = written.and_then(|()| fs::hard_link(&staging, &path));
    let _ = fs::remove_file(&staging);
    match linked {
        Ok(()) => {
            sync_dir(data_dir).map_err(file_error)?;
            Ok((fresh, true))
        }
        // Another opener created it between our read and our link: use theirs.
        Err(error) if error.kind() == io::ErrorKind::AlreadyExists => {
            read_key_file(&path).map(|bytes| (bytes, false))
        }
        Err(error) => Err(file_error(error)),
    }
}

/// Reads and checks a key file: 32 bytes, not readable by group or others.
pub(crate) fn read_key_file(path: &Path) -> Result<Zeroizing<[u8; PEPPER_LEN]>> {
    let file_error = |source| Error::PepperFile {
        path: path.to_owned(),
        source,
    };
    let file = File::open(path).map_err(file_error)?;
    check_private(path, &file)?;
    let mut bytes = Zeroizing::new(Vec::with_capacity(PEPPER_LEN + 1));
    file.take(PEPPER_LEN as u64 + 1)
        .read_to_end(&mut bytes)
        .map_err(file_error)?;
    let array: [u8; PEPPER_LEN] = bytes
        .as_slice()
        .try_into()
        .map_err(|_| Error::PepperLength {
            path: path.to_owned(),
            len: bytes.len(),
        })?;
    Ok(Zeroizing::new(array))
}

#[cfg(unix)]
fn check_private(path: &Path, file: &File) -> Result<()> {
    use std::os::unix::fs::PermissionsExt;
    let metadata = file.metadata().map_err(|source| Error::PepperFile {
        path: path.to_owned(),
        source,
    })?;
    let mode = metadata.permissions().mode() & 0o777;
    if mode & 0o077 != 0 {
        return Err(Error::PepperPermissions {
            path: path.to_owned(),
            mode,
        });
    }
    Ok(())
}

#[cfg(not(unix))]
fn check_private(_path: &Path, _file: &File) -> Result<()> {
    Ok(())
}

/// Writes a new file readable only by its owner, and flushes it to disk.
fn write_private(path: &PathBuf, bytes: &[u8]) -> io::Result<()> {
    let mut options = OpenOptions::new();
    options.write(true).create_new(true);
    #[cfg(unix)]
    {
        use std::os::unix::fs::OpenOptionsExt;
        options.mode(0o600);
    }
    let mut file = options.open(path)?;
    file.write_all(bytes)?;
    file.sync_all()
}

/// Makes a new directory entry durable: a pepper lost in a crash would orphan every key.
#[cfg(unix)]
fn sync_dir(dir: &Path) -> io::Result<()> {
    File::open(dir)?.sync_all()
}

#[cfg(not(unix))]
fn sync_dir(_dir: &Path) -> io::Result<()> {
    Ok(())
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn pepper_debug_is_redacted() {
        let pepper = Pepper::from_bytes(&[7; 32]).unwrap();
        assert_eq!(format!("{pepper:?}"), "Pepper(…)");
        assert!(matches!(
            Pepper::from_bytes(&[7; 31]),
            Err(Error::PepperSize { len: 31 })
        ));
    }

    #[test]
    fn hashes_depend_on_pepper_and_key() {
        let first = KeyHasher::new(&Pepper::from_bytes(&[1; 32]).unwrap());
        let second = KeyHasher::new(&Pepper::from_bytes(&[2; 32]).unwrap());
        let hash = first.hash("wdn_a");
        assert_eq!(hash.len(), 64);
        assert_eq!(hash, first.hash("wdn_a"));
        assert_ne!(hash, first.hash("wdn_b"));
        assert_ne!(hash, second.hash("wdn_a"));
    }

    #[test]
    fn created_once_then_reused() {
        let dir = tempfile::tempdir().unwrap();
        let first = load_or_create(dir.path()).unwrap();
        let second = load_or_create(dir.path()).unwrap();
        assert_eq!(*first.0, *second.0);
        let names: Vec<_> = fs::read_dir(dir.path())
            .unwrap()
            .map(|entry| entry.unwrap().file_name())
            .collect();
        assert_eq!(names, [PEPPER_FILE], "no staging file is left behind");
    }

    #[cfg(unix)]
    #[test]
    fn file_is_private_and_checked() {
        use std::os::unix::fs::PermissionsExt;
        let dir = tempfile::tempdir().unwrap();
        load_or_create(dir.path()).unwrap();
        let path = dir.path().join(PEPPER_FILE);
        let mode = fs::metadata(&path).unwrap().permissions().mode() & 0o777;
        assert_eq!(mode, 0o600);

        fs::set_permissions(&path, fs::Permissions::from_mode(0o644)).unwrap();
        let error = load_or_create(dir.path()).unwrap_err();
        assert!(matches!(
            error,
            Error::PepperPermissions { mode: 0o644, .. }
        ));
    }

    #[test]
    fn wrong_length_is_refused_and_named() {
        let dir = tempfile::tempdir().unwrap();
        write_private(&dir.path().join(PEPPER_FILE), &[0; 40]).unwrap();
        let error = load_or_create(dir.path()).unwrap_err();
        assert!(matches!(error, Error::PepperLength { len: 33, .. }));
        assert!(error.to_string().contains(PEPPER_FILE));
    }
}
