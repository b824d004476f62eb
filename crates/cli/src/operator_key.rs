//! The key of the keyed operators (`hash`, `encrypt`, fake pseudonyms) for `warden redact`.
//!
//! From `--key-file FILE` (32 raw bytes, or their base64 on one line) or else the environment
//! variable [`KEY_ENV`] (base64, standard or URL-safe alphabet, padding optional). Key bytes are
//! zeroized after use and never printed; errors name the source, never the content.

use std::path::Path;

use anyhow::{Context, bail};
use base64::Engine;
use base64::engine::DecodePaddingMode;
use base64::engine::general_purpose::{GeneralPurpose, GeneralPurposeConfig};
use warden_scan::operator::OPERATOR_KEY_LEN;
use warden_scan::{Keys, OperatorKey};
use zeroize::Zeroizing;

/// The environment variable holding the operator key.
pub(crate) const KEY_ENV: &str = "WARDEN_OPERATOR_KEY";

/// Loads and derives the operator key; `Ok(None)` when neither source is given.
pub(crate) fn load(key_file: Option<&Path>) -> anyhow::Result<Option<Keys>> {
    let bytes = match key_file {
        Some(path) => {
            let contents = Zeroizing::new(
                std::fs::read(path)
                    .with_context(|| format!("reading key file {}", path.display()))?,
            );
            if contents.len() == OPERATOR_KEY_LEN {
                contents
            } else {
                decode(&contents).with_context(|| format!("key file {}", path.display()))?
            }
        }
        None => match std::env::var_os(KEY_ENV) {
            Some(value) => {
                let value = Zeroizing::new(value.into_encoded_bytes());
                decode(&value).with_context(|| format!("environment variable {KEY_ENV}"))?
            }
            None => return Ok(None),
        },
    };
    let key = OperatorKey::from_slice(&bytes).context("operator key")?;
    Ok(Some(Keys::derive(&key).context("operator key")?))
}

/// The bytes of a base64 key (either alphabet, padding optional, surrounding whitespace ignored).
fn decode(text: &[u8]) -> anyhow::Result<Zeroizing<Vec<u8>>> {
    let text = text.trim_ascii();
    let config =
        GeneralPurposeConfig::new().with_decode_padding_mode(DecodePaddingMode::Indifferent);
    let engines = [
        GeneralPurpose::new(&base64::alphabet::STANDARD, config),
        GeneralPurpose::new(&base64::alphabet::URL_SAFE, config),
    ];
    for engine in engines {
        if let Ok(bytes) = engine.decode(text) {
            let bytes = Zeroizing::new(bytes);
            if bytes.len() != OPERATOR_KEY_LEN {
                bail!(
                    "the key must be {OPERATOR_KEY_LEN} bytes, base64-encoded (got {} bytes)",
                    bytes.len()
                );
            }
            return Ok(bytes);
        }
    }
    bail!("the key is not base64 (expected {OPERATOR_KEY_LEN} bytes, base64-encoded)")
}

#[cfg(test)]
mod tests {
    use base64::engine::general_purpose;

    use super::*;

    #[test]
    fn decodes_either_alphabet_with_or_without_padding() {
        let key = [0xfb_u8; 32];
        let standard = general_purpose::STANDARD.encode(key);
        let url = general_purpose::URL_SAFE_NO_PAD.encode(key);
        assert_ne!(standard.trim_end_matches('='), url);
        for text in [standard.clone(), format!(" {url}\n")] {
            assert_eq!(&decode(text.as_bytes()).unwrap()[..], &key[..]);
        }
        let short = general_purpose::STANDARD.encode([1u8; 16]);
        let error = decode(short.as_bytes()).unwrap_err().to_string();
        assert!(error.contains("got 16 bytes"), "{error}");
        assert!(decode(b"not base64 at all!").is_err());
    }

    #[test]
    fn key_files_hold_raw_or_base64_keys() {
        let dir = tempfile::tempdir().unwrap();
        let raw = dir.path().join("raw.key");
        std::fs::write(&raw, [7u8; 32]).unwrap();
        assert!(load(Some(&raw)).unwrap().is_some());
        let encoded = dir.path().join("b64.key");
        std::fs::write(&encoded, general_purpose::STANDARD.encode([7u8; 32]) + "\n").unwrap();
        assert!(load(Some(&encoded)).unwrap().is_some());
        let zero = dir.path().join("zero.key");
        std::fs::write(&zero, [0u8; 32]).unwrap();
        let error = format!("{:#}", load(Some(&zero)).unwrap_err());
        assert!(error.contains("all zero"), "{error}");
    }
}
