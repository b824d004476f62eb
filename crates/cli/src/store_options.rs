//! Where the store is and how it is keyed, for every command that opens it: `[store] url`,
//! `[store] keyring_url` and `[crypto] master_key` of a `warden.toml` (secret references
//! resolved), else `WARDEN_MASTER_KEY`, else the files in the data directory.

use std::path::Path;

use anyhow::Context;
use serde::Deserialize;
use warden_gateway::config::{ProcessEnvironment, Secret, resolve_secret, resolve_store_url};
use warden_store::{MasterKey, StoreOptions};

/// The variable holding the master key (base64 of 32 bytes) when the configuration names none.
pub(crate) const MASTER_KEY_VAR: &str = "WARDEN_MASTER_KEY";

/// Store options from an optional configuration file, tolerating every section but the store's and
/// the master key's (so `keys` and `audit` work with a gateway's whole `warden.toml`).
pub(crate) fn from_file(data_dir: &Path, config: Option<&Path>) -> anyhow::Result<StoreOptions> {
    #[derive(Deserialize, Default)]
    struct ConfigFile {
        #[serde(default)]
        store: StoreSection,
        #[serde(default)]
        crypto: CryptoSection,
    }
    #[derive(Deserialize, Default)]
    struct StoreSection {
        url: Option<String>,
        keyring_url: Option<String>,
    }
    #[derive(Deserialize, Default)]
    struct CryptoSection {
        master_key: Option<String>,
    }
    let Some(path) = config else {
        return options(data_dir, None, None, None);
    };
    let text = std::fs::read_to_string(path)
        .with_context(|| format!("reading the configuration {}", path.display()))?;
    let file: ConfigFile = toml::from_str(&text)
        .with_context(|| format!("parsing the configuration {}", path.display()))?;
    let env = ProcessEnvironment;
    let resolve_url = |url: Option<String>| {
        url.map(|url| resolve_store_url(&url, &env))
            .transpose()
            .with_context(|| format!("in the configuration {}", path.display()))
    };
    let url = resolve_url(file.store.url)?;
    let keyring_url = resolve_url(file.store.keyring_url)?;
    let master_key = file
        .crypto
        .master_key
        .map(|reference| resolve_secret("crypto.master_key", &reference, &env))
        .transpose()
        .with_context(|| format!("in the configuration {}", path.display()))?;
    options(
        data_dir,
        url.as_ref(),
        keyring_url.as_ref(),
        master_key.as_ref(),
    )
}

/// Store options from resolved values (the gateway's parsed configuration).
pub(crate) fn options(
    data_dir: &Path,
    url: Option<&Secret>,
    keyring_url: Option<&Secret>,
    master_key: Option<&Secret>,
) -> anyhow::Result<StoreOptions> {
    let master_key = match master_key {
        Some(secret) => {
            Some(MasterKey::from_base64(secret.expose()).context("[crypto] master_key")?)
        }
        None => match std::env::var(MASTER_KEY_VAR) {
            Ok(text) if !text.is_empty() => {
                Some(MasterKey::from_base64(&text).context(MASTER_KEY_VAR)?)
            }
            _ => None,
        },
    };
    Ok(StoreOptions {
        url: url.map(|url| url.expose().to_owned()),
        keyring_url: keyring_url.map(|url| url.expose().to_owned()),
        master_key,
        ..StoreOptions::in_dir(data_dir)
    })
}
