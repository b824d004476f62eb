//! `warden keys create|list|revoke`: client keys, worked on directly in the store (SPEC §6, §10),
//! so the first admin key can be made before the gateway runs, and a revocation made here while it
//! runs holds from its next request (the store keeps no cache).
//!
//! The store is async (sqlx); these commands run it on a current-thread tokio runtime of their own,
//! so the rest of the binary stays synchronous.

use std::io::{self, Write};
use std::path::PathBuf;
use std::process::ExitCode;
use std::time::Duration;

use anyhow::Context;
use serde::Serialize;
use warden_store::{
    KeyId, KeyLimits, KeyRecord, KeyStatus, NewKey, RevokeOutcome, Role, Store, Timestamp,
};

/// The longest `--expires` accepted: 100 years.
const MAX_EXPIRY_DAYS: u64 = 36_500;

/// `warden keys …`
#[derive(Debug, clap::Subcommand)]
pub(crate) enum KeysCommand {
    /// Make a client key and print it, once: only a keyed hash of it is kept.
    Create(CreateArgs),
    /// List client keys: id, name, roles, times, status; never the keys themselves.
    List(ListArgs),
    /// Revoke a key by id: it stops working on the gateway's next request.
    Revoke(RevokeArgs),
    /// Replace the master key: every subject's data key is re-wrapped under a new random master
    /// key (the data they encrypt is not touched). Stop the gateways first; start them with the
    /// new key.
    RotateMaster(RotateMasterArgs),
}

/// Arguments of `warden keys rotate-master`.
#[derive(Debug, clap::Args)]
pub(crate) struct RotateMasterArgs {
    /// Where to write the new master key (base64, mode 0600), before anything is re-wrapped.
    /// Default: DATA_DIR/master.key.new; when the current key is DATA_DIR/master.key (no
    /// WARDEN_MASTER_KEY or [crypto] master_key), the new key then replaces it there.
    #[arg(long, value_name = "FILE")]
    new_key_file: Option<PathBuf>,
    /// Print the outcome as a JSON object.
    #[arg(long)]
    json: bool,
    #[command(flatten)]
    store: StoreArgs,
}

/// Where the store is (shared by every `keys` command).
#[derive(Debug, clap::Args)]
pub(crate) struct StoreArgs {
    /// Data directory: the SQLite database and the pepper file, created when missing.
    #[arg(long, value_name = "DIR", default_value = "./warden-data")]
    pub(crate) data_dir: PathBuf,
    /// Configuration file (`warden.toml`); its `[store] url` names the database.
    #[arg(long, value_name = "FILE")]
    pub(crate) config: Option<PathBuf>,
}

/// Arguments of `warden keys create`.
#[derive(Debug, clap::Args)]
pub(crate) struct CreateArgs {
    /// A name for people: who or what uses the key.
    #[arg(long)]
    name: String,
    /// A role for policies (`user`, `admin`, …); repeat the flag or separate roles with commas.
    #[arg(
        long = "role",
        value_name = "ROLE",
        required = true,
        value_delimiter = ','
    )]
    roles: Vec<String>,
    /// Lifetime from now: a number followed by d, h or m (`30d`, `12h`, `90m`). Default: none.
    #[arg(long, value_name = "DURATION", value_parser = parse_duration)]
    expires: Option<Duration>,
    /// The only models the key may call (comma-separated). Default: what the policies allow.
    #[arg(long, value_name = "A,B", value_delimiter = ',')]
    models: Option<Vec<String>>,
    /// Requests per minute allowed to the key.
    #[arg(long, value_name = "N")]
    requests_per_minute: Option<u64>,
    /// Model tokens per minute allowed to the key.
    #[arg(long, value_name = "N")]
    tokens_per_minute: Option<u64>,
    /// Model tokens per day allowed to the key (its budget).
    #[arg(long, value_name = "N")]
    tokens_per_day: Option<u64>,
    /// Print one JSON object: {"id", "key", "name", "roles"} and "expires_at" when set.
    #[arg(long)]
    json: bool,
    #[command(flatten)]
    store: StoreArgs,
}

/// Arguments of `warden keys list`.
#[derive(Debug, clap::Args)]
pub(crate) struct ListArgs {
    /// Print a JSON array of key records.
    #[arg(long)]
    json: bool,
    #[command(flatten)]
    store: StoreArgs,
}

/// Arguments of `warden keys revoke`.
#[derive(Debug, clap::Args)]
pub(crate) struct RevokeArgs {
    /// The key's id (`key_…`, from `warden keys list`), not the key itself.
    id: String,
    /// Print the outcome as a JSON object.
    #[arg(long)]
    json: bool,
    #[command(flatten)]
    store: StoreArgs,
}

/// Runs a `keys` command.
pub(crate) fn run(command: KeysCommand) -> anyhow::Result<ExitCode> {
    let runtime = tokio::runtime::Builder::new_current_thread()
        .enable_all()
        .build()
        .context("starting the async runtime")?;
    let now = Timestamp::now();
    let mut stdout = io::stdout().lock();
    runtime.block_on(async {
        match command {
            KeysCommand::Create(args) => create(args, now, &mut stdout).await,
            KeysCommand::List(args) => list(args, now, &mut stdout).await,
            KeysCommand::Revoke(args) => revoke(args, now, &mut stdout).await,
            KeysCommand::RotateMaster(args) => rotate_master(args, now, &mut stdout).await,
        }
    })?;
    Ok(ExitCode::SUCCESS)
}

/// `warden migrate`: opening the store applies what is pending (under the database's write lock,
/// so it is safe while gateways run); then the version is printed.
pub(crate) fn migrate(args: &StoreArgs) -> anyhow::Result<ExitCode> {
    let runtime = tokio::runtime::Builder::new_current_thread()
        .enable_all()
        .build()
        .context("starting the async runtime")?;
    let (applied, latest) = runtime.block_on(async {
        let store = open_store(args).await?;
        store.migrate().await.context("applying migrations")?;
        let version = store
            .schema_version()
            .await
            .context("reading the schema version")?;
        store.close().await;
        anyhow::Ok(version)
    })?;
    writeln!(
        io::stdout().lock(),
        "the store is at schema version {applied} (this warden ships {latest})"
    )?;
    Ok(ExitCode::SUCCESS)
}

/// What `create --json` prints (and `POST /admin/keys` answers).
#[derive(Serialize)]
pub(crate) struct CreatedKey<'a> {
    pub(crate) id: &'a KeyId,
    pub(crate) key: &'a str,
    pub(crate) name: &'a str,
    pub(crate) roles: &'a [Role],
    #[serde(skip_serializing_if = "Option::is_none")]
    pub(crate) expires_at: Option<Timestamp>,
}

impl<'a> CreatedKey<'a> {
    /// The answer for a key just made.
    pub(crate) fn of(record: &'a KeyRecord, key: &'a warden_store::PlaintextKey) -> Self {
        CreatedKey {
            id: &record.id,
            key: key.expose_secret(),
            name: &record.name,
            roles: &record.roles,
            expires_at: record.expires_at,
        }
    }
}

/// A key to create from the command line's or the admin API's words.
pub(crate) fn new_key(
    name: String,
    roles: &[String],
    expires: Option<Duration>,
    models: Option<Vec<String>>,
    limits: KeyLimits,
    now: Timestamp,
) -> Result<NewKey, warden_store::Error> {
    let roles = roles
        .iter()
        .map(|role| Role::parse(role.trim()))
        .collect::<Result<Vec<_>, _>>()?;
    Ok(NewKey {
        name,
        roles,
        expires_at: expires.map(|lifetime| now.saturating_add(lifetime)),
        allowed_models: models
            .map(|models| models.iter().map(|model| model.trim().to_owned()).collect()),
        limits,
    })
}

async fn create(args: CreateArgs, now: Timestamp, out: &mut impl Write) -> anyhow::Result<()> {
    let new_key = new_key(
        args.name,
        &args.roles,
        args.expires,
        args.models,
        KeyLimits {
            requests_per_minute: args.requests_per_minute,
            tokens_per_minute: args.tokens_per_minute,
            tokens_per_day: args.tokens_per_day,
        },
        now,
    )?;
    let store = open_store(&args.store).await?;
    let (record, key) = store.create_key(new_key, now).await?;
    // An admin action: audited before the key is shown (no key without its audit event).
    let audited = store
        .append_audit_batch(&[crate::audit::admin_event(
            "admin.keys.create",
            record.id.as_str(),
            now,
        )])
        .await;
    store.close().await;
    audited.context("recording the key's creation in the audit trail")?;
    if args.json {
        serde_json::to_writer(&mut *out, &CreatedKey::of(&record, &key))?;
        writeln!(out)?;
    } else {
        writeln!(out, "key: {}", key.expose_secret())?;
        writeln!(
            out,
            "id: {}  name: {}  roles: {}  expires: {}",
            record.id,
            record.name,
            role_list(&record.roles),
            optional_time(record.expires_at),
        )?;
        writeln!(
            out,
            "this key is shown only once: store it now (warden keeps only a keyed hash of it)"
        )?;
    }
    Ok(())
}

/// A record as `list --json` prints it (and `GET /admin/keys` answers): its fields and its status
/// now.
#[derive(Serialize)]
pub(crate) struct ListedKey<'a> {
    #[serde(flatten)]
    pub(crate) record: &'a KeyRecord,
    pub(crate) status: KeyStatus,
}

async fn list(args: ListArgs, now: Timestamp, out: &mut impl Write) -> anyhow::Result<()> {
    let store = open_store(&args.store).await?;
    let records = store.list_keys().await?;
    store.close().await;
    if args.json {
        serde_json::to_writer_pretty(&mut *out, &listed(&records, now))?;
        writeln!(out)?;
        return Ok(());
    }
    if records.is_empty() {
        writeln!(out, "no keys")?;
        return Ok(());
    }
    let mut rows = vec![["ID", "NAME", "ROLES", "CREATED", "EXPIRES", "STATUS"].map(String::from)];
    rows.extend(records.iter().map(|record| {
        [
            record.id.to_string(),
            record.name.clone(),
            role_list(&record.roles),
            record.created_at.to_string(),
            optional_time(record.expires_at),
            status_word(record.status(now)).to_owned(),
        ]
    }));
    write_table(out, &rows)?;
    Ok(())
}

/// The records with their status at `now`.
pub(crate) fn listed(records: &[KeyRecord], now: Timestamp) -> Vec<ListedKey<'_>> {
    records
        .iter()
        .map(|record| ListedKey {
            record,
            status: record.status(now),
        })
        .collect()
}

/// What `revoke --json` prints (and `DELETE /admin/keys/{id}` answers).
#[derive(Serialize)]
pub(crate) struct Revocation<'a> {
    pub(crate) id: &'a KeyId,
    pub(crate) outcome: &'static str,
    pub(crate) revoked_at: Timestamp,
}

async fn revoke(args: RevokeArgs, now: Timestamp, out: &mut impl Write) -> anyhow::Result<()> {
    let id = KeyId::parse(args.id.trim())?;
    let store = open_store(&args.store).await?;
    let outcome = store.revoke_key(&id, now).await;
    let audited = match &outcome {
        Ok(_) => Some(
            store
                .append_audit_batch(&[crate::audit::admin_event(
                    "admin.keys.revoke",
                    id.as_str(),
                    now,
                )])
                .await,
        ),
        Err(_) => None,
    };
    store.close().await;
    if let Some(audited) = audited {
        audited.context("recording the revocation in the audit trail")?;
    }
    let (word, revoked_at) = match outcome? {
        RevokeOutcome::Revoked { at } => ("revoked", at),
        RevokeOutcome::AlreadyRevoked { at } => ("already_revoked", at),
    };
    if args.json {
        let revocation = Revocation {
            id: &id,
            outcome: word,
            revoked_at,
        };
        serde_json::to_writer(&mut *out, &revocation)?;
        writeln!(out)?;
    } else if word == "revoked" {
        writeln!(out, "revoked key {id} at {revoked_at}")?;
    } else {
        writeln!(out, "key {id} was already revoked at {revoked_at}")?;
    }
    Ok(())
}

/// `rotate-master`: the new key is written (0600, synced) before the keyring changes, so a crash
/// in between loses nothing: the old key still opens the keyring, the new file is just unused.
async fn rotate_master(
    args: RotateMasterArgs,
    now: Timestamp,
    out: &mut impl Write,
) -> anyhow::Result<()> {
    let options =
        crate::store_options::from_file(&args.store.data_dir, args.store.config.as_deref())?;
    let from_default_file = options.master_key.is_none();
    let store = Store::open(options).await.context("opening the store")?;
    let old_id = store.master_key_id();
    let new = warden_store::MasterKey::generate()?;
    let default_file = args.store.data_dir.join(warden_store::MASTER_KEY_FILE);
    let staged = args
        .new_key_file
        .clone()
        .unwrap_or_else(|| args.store.data_dir.join("master.key.new"));
    write_private(&staged, new.to_base64().as_bytes())
        .with_context(|| format!("writing the new master key to {}", staged.display()))?;
    let rewrapped = store
        .rotate_master_key(&new, now)
        .await
        .context("re-wrapping the data keys")?;
    store.close().await;
    // The default file holds raw bytes; a replacement keeps that format.
    let installed = if from_default_file && args.new_key_file.is_none() {
        install_default_key(&staged, &default_file, &new)?;
        Some(default_file)
    } else {
        None
    };
    if args.json {
        let value = serde_json::json!({
            "old_master_key_id": old_id,
            "new_master_key_id": new.id(),
            "rewrapped": rewrapped,
            "new_key_file": installed.as_ref().unwrap_or(&staged),
        });
        writeln!(out, "{value}")?;
    } else {
        writeln!(
            out,
            "re-wrapped {rewrapped} data keys: master key {old_id} -> {}",
            new.id()
        )?;
        match installed {
            Some(path) => writeln!(out, "the new key replaced {}: back it up", path.display())?,
            None => writeln!(
                out,
                "the new key (base64) is in {}: set WARDEN_MASTER_KEY (or [crypto] master_key) \
                 to it before restarting, and back it up",
                staged.display()
            )?,
        }
    }
    Ok(())
}

/// Replaces the default raw-bytes key file with `new` (written aside, then renamed over it).
fn install_default_key(
    staged: &std::path::Path,
    target: &std::path::Path,
    new: &warden_store::MasterKey,
) -> anyhow::Result<()> {
    use base64::Engine as _;
    let raw = zeroize::Zeroizing::new(
        base64::engine::general_purpose::STANDARD
            .decode(new.to_base64().as_bytes())
            .context("re-reading the new key")?,
    );
    let aside = target.with_extension("key.tmp");
    let _ = std::fs::remove_file(&aside);
    write_private(&aside, &raw)?;
    std::fs::rename(&aside, target)
        .with_context(|| format!("installing the new master key as {}", target.display()))?;
    std::fs::remove_file(staged).ok();
    Ok(())
}

/// Writes a new file readable only by its owner and syncs it.
fn write_private(path: &std::path::Path, bytes: &[u8]) -> anyhow::Result<()> {
    let mut options = std::fs::OpenOptions::new();
    options.write(true).create_new(true);
    #[cfg(unix)]
    {
        use std::os::unix::fs::OpenOptionsExt;
        options.mode(0o600);
    }
    let mut file = options
        .open(path)
        .with_context(|| format!("creating {} (it must not exist yet)", path.display()))?;
    file.write_all(bytes)?;
    file.sync_all()?;
    Ok(())
}

pub(crate) async fn open_store(args: &StoreArgs) -> anyhow::Result<Store> {
    let options = crate::store_options::from_file(&args.data_dir, args.config.as_deref())?;
    let store = Store::open(options).await.context("opening the store")?;
    warn_new_master_key(&store);
    Ok(store)
}

/// Says, once, that a master key file was just made and must be backed up.
pub(crate) fn warn_new_master_key(store: &Store) {
    if let Some(path) = store.created_master_key_file() {
        let _ = writeln!(
            io::stderr(),
            "warden: created the master key {} ({}): back it up apart from the data; without it \
             nothing encrypted can be read (or set {} instead)",
            path.display(),
            store.master_key_id(),
            crate::store_options::MASTER_KEY_VAR
        );
    }
}

/// `--expires`: `30d`, `12h`, `90m`.
pub(crate) fn parse_duration(text: &str) -> Result<Duration, String> {
    let invalid = || format!("invalid duration {text:?}: use a number followed by d, h or m");
    let (digits, unit_seconds) = if let Some(digits) = text.strip_suffix('d') {
        (digits, 86_400)
    } else if let Some(digits) = text.strip_suffix('h') {
        (digits, 3_600)
    } else if let Some(digits) = text.strip_suffix('m') {
        (digits, 60)
    } else {
        return Err(invalid());
    };
    if digits.is_empty() || !digits.bytes().all(|b| b.is_ascii_digit()) {
        return Err(invalid());
    }
    let count: u64 = digits.parse().map_err(|_| invalid())?;
    if count == 0 {
        return Err(invalid());
    }
    let seconds = count.saturating_mul(unit_seconds);
    if seconds > MAX_EXPIRY_DAYS * 86_400 {
        return Err(format!(
            "invalid duration {text:?}: at most {MAX_EXPIRY_DAYS}d"
        ));
    }
    Ok(Duration::from_secs(seconds))
}

fn role_list(roles: &[Role]) -> String {
    roles.iter().map(Role::as_str).collect::<Vec<_>>().join(",")
}

fn optional_time(time: Option<Timestamp>) -> String {
    time.map_or_else(|| "never".to_owned(), |time| time.to_string())
}

fn status_word(status: KeyStatus) -> &'static str {
    match status {
        KeyStatus::Active => "active",
        KeyStatus::Revoked => "revoked",
        KeyStatus::Expired => "expired",
    }
}

/// Left-aligned columns two spaces apart.
fn write_table<const N: usize>(out: &mut impl Write, rows: &[[String; N]]) -> io::Result<()> {
    let mut widths = [0; N];
    for row in rows {
        for (width, cell) in widths.iter_mut().zip(row) {
            *width = (*width).max(cell.chars().count());
        }
    }
    for row in rows {
        let mut line = String::new();
        for (index, (cell, width)) in row.iter().zip(widths).enumerate() {
            if index + 1 == N {
                line.push_str(cell);
            } else {
                line.push_str(&format!("{cell:<width$}  "));
            }
        }
        writeln!(out, "{line}")?;
    }
    Ok(())
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn durations_are_a_number_and_a_unit() {
        assert_eq!(parse_duration("30d"), Ok(Duration::from_secs(30 * 86_400)));
        assert_eq!(parse_duration("12h"), Ok(Duration::from_secs(12 * 3_600)));
        assert_eq!(parse_duration("90m"), Ok(Duration::from_secs(90 * 60)));
        for bad in [
            "3x",
            "",
            "d",
            "0d",
            "-1d",
            "+1d",
            "1.5h",
            "1 d",
            "1D",
            "99999999999999999999d",
        ] {
            let error = parse_duration(bad).unwrap_err();
            assert_eq!(
                error,
                format!("invalid duration {bad:?}: use a number followed by d, h or m")
            );
        }
        assert_eq!(
            parse_duration("36501d").unwrap_err(),
            "invalid duration \"36501d\": at most 36500d"
        );
    }

    #[test]
    fn tables_align_columns() {
        let rows = [
            ["ID", "NAME", "STATUS"].map(String::from),
            ["key_1", "a much longer name", "active"].map(String::from),
        ];
        let mut out = Vec::new();
        write_table(&mut out, &rows).unwrap();
        assert_eq!(
            String::from_utf8(out).unwrap(),
            "ID     NAME                STATUS\nkey_1  a much longer name  active\n"
        );
    }

    #[test]
    fn the_config_gives_only_the_store_settings() {
        let dir = tempfile::tempdir().unwrap();
        let path = dir.path().join("warden.toml");
        std::fs::write(
            &path,
            "[server]\nlisten = \"127.0.0.1:8080\"\n[store]\nurl = \"sqlite://x.db\"\nkeyring_url = \"sqlite://k.db\"\nconversations = false\n[scan.input]\nPERSON = \"redact\"\n",
        )
        .unwrap();
        let options = crate::store_options::from_file(dir.path(), Some(&path)).unwrap();
        assert_eq!(options.url.as_deref(), Some("sqlite://x.db"));
        assert_eq!(options.keyring_url.as_deref(), Some("sqlite://k.db"));
        std::fs::write(&path, "[server]\nlisten = \"127.0.0.1:8080\"\n").unwrap();
        let options = crate::store_options::from_file(dir.path(), Some(&path)).unwrap();
        assert_eq!(options.url, None);
    }
}
