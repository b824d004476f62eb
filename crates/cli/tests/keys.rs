//! End-to-end tests of `warden keys`: the real binary on a data directory in a temporary
//! directory, as an operator would run it.

#![allow(clippy::expect_used, clippy::unwrap_used, clippy::print_stderr)]

use std::path::Path;
use std::process::Command;

use serde_json::Value;

/// What a run of the binary left.
struct Run {
    code: i32,
    stdout: String,
    stderr: String,
}

/// Runs `warden keys ARGS --data-dir DIR/data` in `DIR`; `args` is split at spaces.
fn keys(dir: &Path, args: &str) -> Run {
    let output = Command::new(env!("CARGO_BIN_EXE_warden"))
        .arg("keys")
        .args(args.split_whitespace())
        .arg("--data-dir")
        .arg(dir.join("data"))
        .current_dir(dir)
        .output()
        .expect("warden runs");
    Run {
        code: output.status.code().expect("warden exited normally"),
        stdout: String::from_utf8(output.stdout).expect("stdout is UTF-8"),
        stderr: String::from_utf8_lossy(&output.stderr).into_owned(),
    }
}

/// Runs a command that must succeed and returns its standard output.
fn ok(dir: &Path, args: &str) -> String {
    let run = keys(dir, args);
    assert_eq!(run.code, 0, "{args}: {}", run.stderr);
    run.stdout
}

fn json(text: &str) -> Value {
    serde_json::from_str(text).expect("valid JSON")
}

/// `create --json` with `args`; returns (key, id, the whole object).
fn create(dir: &Path, args: &str) -> (String, String, Value) {
    let created = json(&ok(dir, &format!("create --json {args}")));
    let key = created["key"].as_str().unwrap().to_owned();
    let id = created["id"].as_str().unwrap().to_owned();
    (key, id, created)
}

#[test]
fn create_list_revoke_round_trip() {
    let dir = tempfile::tempdir().unwrap();
    let (key, id, created) = create(dir.path(), "--name ci --role user,admin --role ops");
    assert!(key.starts_with("wdn_") && key.len() == 47, "{key}");
    assert!(id.starts_with("key_"), "{id}");
    assert_eq!(created["name"], "ci");
    assert_eq!(
        created["roles"],
        serde_json::json!(["user", "admin", "ops"])
    );
    assert!(created.get("expires_at").is_none());

    let listed_text = ok(dir.path(), "list --json");
    assert!(!listed_text.contains(&key[4..]), "list shows the key");
    let listed = json(&listed_text);
    let listed = listed.as_array().unwrap();
    assert_eq!(listed.len(), 1);
    assert_eq!(listed[0]["id"], id.as_str());
    assert_eq!(listed[0]["status"], "active");
    assert_eq!(listed[0]["revoked_at"], Value::Null);
    assert!(listed[0].get("key").is_none() && listed[0].get("key_hash").is_none());

    let revoked = ok(dir.path(), &format!("revoke {id}"));
    assert!(
        revoked.starts_with(&format!("revoked key {id} at ")),
        "{revoked}"
    );

    let listed = json(&ok(dir.path(), "list --json"));
    assert_eq!(listed[0]["status"], "revoked");
    assert!(listed[0]["revoked_at"].is_string());

    let again = json(&ok(dir.path(), &format!("revoke {id} --json")));
    assert_eq!(again["outcome"], "already_revoked");
    assert_eq!(again["revoked_at"], listed[0]["revoked_at"]);
}

#[test]
fn create_in_text_shows_the_key_once_with_a_warning_and_list_shows_a_table() {
    let dir = tempfile::tempdir().unwrap();
    let created = ok(
        dir.path(),
        "create --name laptop --role user --expires 30d --models gpt-4o-mini,o3",
    );
    let key = created
        .lines()
        .find_map(|line| line.strip_prefix("key: "))
        .expect("a line with the key")
        .to_owned();
    assert_eq!(key.len(), 47);
    assert!(created.contains("shown only once"), "{created}");

    let table = ok(dir.path(), "list");
    let mut lines = table.lines();
    let header = lines.next().unwrap();
    assert!(
        header.starts_with("ID") && header.ends_with("STATUS"),
        "{header}"
    );
    let row = lines.next().unwrap();
    assert!(row.contains("laptop") && row.ends_with("active"), "{row}");
    assert!(!table.contains(&key[4..]));

    let listed = json(&ok(dir.path(), "list --json"));
    assert!(listed[0]["expires_at"].is_string());
    assert_eq!(
        listed[0]["allowed_models"],
        serde_json::json!(["gpt-4o-mini", "o3"])
    );
}

#[test]
fn the_data_directory_never_holds_the_plaintext_key() {
    let dir = tempfile::tempdir().unwrap();
    let (key, _, _) = create(dir.path(), "--name ci --role user");
    ok(dir.path(), "list");
    let mut n_files = 0;
    for entry in std::fs::read_dir(dir.path().join("data")).unwrap() {
        let bytes = std::fs::read(entry.unwrap().path()).unwrap();
        n_files += 1;
        for needle in [key.as_bytes(), &key.as_bytes()[4..]] {
            assert!(!bytes.windows(needle.len()).any(|window| window == needle));
        }
    }
    assert!(n_files >= 2, "the database and the pepper are there");
}

#[test]
fn a_bad_duration_is_a_usage_error_naming_the_value() {
    let dir = tempfile::tempdir().unwrap();
    let run = keys(dir.path(), "create --name ci --role user --expires 3x");
    assert_eq!(run.code, 2);
    let message = "invalid duration \"3x\": use a number followed by d, h or m";
    assert!(run.stderr.contains(message), "{}", run.stderr);
    assert!(!dir.path().join("data").exists(), "nothing was created");
}

#[test]
fn errors_name_the_problem_and_exit_2() {
    let dir = tempfile::tempdir().unwrap();
    for (args, message) in [
        (
            "revoke key_0000000000000000",
            "unknown key id key_0000000000000000",
        ),
        ("revoke not-an-id", "invalid key id"),
        ("create --name ci --role Admin", "invalid role \"Admin\""),
        ("create --name ci", "--role"),
    ] {
        let run = keys(dir.path(), args);
        assert_eq!(run.code, 2, "{args}");
        assert!(run.stderr.contains(message), "{args}: {}", run.stderr);
    }
}

#[test]
fn a_client_key_given_to_revoke_is_not_echoed() {
    let dir = tempfile::tempdir().unwrap();
    let (key, _, _) = create(dir.path(), "--name ci --role user");
    let run = keys(dir.path(), &format!("revoke {key}"));
    assert_eq!(run.code, 2);
    assert!(!run.stderr.contains(&key[4..]), "{}", run.stderr);
    assert!(!run.stdout.contains(&key[4..]));
}

#[test]
fn the_config_file_names_the_database() {
    let dir = tempfile::tempdir().unwrap();
    std::fs::write(
        dir.path().join("warden.toml"),
        "[server]\nlisten = \"127.0.0.1:8080\"\n\n[store]\nurl = \"sqlite://./db/keys.db\"\n\n\
         [retention]\naudit_days = 365\n",
    )
    .unwrap();
    create(dir.path(), "--name ci --role user --config warden.toml");
    assert!(dir.path().join("db").join("keys.db").exists());
    let listed = json(&ok(dir.path(), "list --json --config warden.toml"));
    assert_eq!(listed.as_array().unwrap().len(), 1);
    // Without the configuration, the default database in the data directory is another one.
    let listed = json(&ok(dir.path(), "list --json"));
    assert_eq!(listed.as_array().unwrap().len(), 0);
}

#[test]
fn migrate_creates_the_store_and_is_idempotent() {
    let dir = tempfile::tempdir().unwrap();
    let run = |args: &[&str]| {
        Command::new(env!("CARGO_BIN_EXE_warden"))
            .args(args)
            .current_dir(dir.path())
            .output()
            .unwrap()
    };
    for _ in 0..2 {
        let output = run(&["migrate", "--data-dir", "data"]);
        assert!(output.status.success());
        let stdout = String::from_utf8(output.stdout).unwrap();
        assert!(
            stdout.starts_with("the store is at schema version "),
            "{stdout}"
        );
        let versions: Vec<&str> = stdout
            .split(|c: char| !c.is_ascii_digit())
            .filter(|part| !part.is_empty())
            .collect();
        assert_eq!(versions.len(), 2, "{stdout}");
        assert_eq!(versions[0], versions[1], "fully migrated: {stdout}");
    }
    assert!(dir.path().join("data/warden.db").exists());
    // A store URL with a literal password is refused by name, without echoing it.
    std::fs::write(
        dir.path().join("warden.toml"),
        "[store]\nurl = \"postgres://warden:hunter2@127.0.0.1:1/warden\"\n",
    )
    .unwrap();
    let output = run(&["migrate", "--config", "warden.toml"]);
    assert_eq!(output.status.code(), Some(2));
    let stderr = String::from_utf8_lossy(&output.stderr);
    assert!(stderr.contains("store.url"), "{stderr}");
    assert!(!stderr.contains("hunter2"), "{stderr}");
}

#[test]
fn rotate_master_replaces_the_key_and_the_old_one_stops_working() {
    let dir = tempfile::tempdir().unwrap();
    let run = |args: &[&str], master: Option<&str>| {
        let mut command = Command::new(env!("CARGO_BIN_EXE_warden"));
        command
            .args(args)
            .args(["--data-dir", "data"])
            .current_dir(dir.path())
            .env_remove("WARDEN_MASTER_KEY");
        if let Some(master) = master {
            command.env("WARDEN_MASTER_KEY", master);
        }
        command.output().unwrap()
    };
    // First open: master.key is made, and the operator is told to back it up.
    let first = run(&["migrate"], None);
    assert!(first.status.success());
    let stderr = String::from_utf8_lossy(&first.stderr);
    assert!(stderr.contains("created the master key"), "{stderr}");
    assert!(stderr.contains("back it up"), "{stderr}");
    let before = std::fs::read(dir.path().join("data/master.key")).unwrap();

    let rotated = run(&["keys", "rotate-master", "--json"], None);
    assert!(
        rotated.status.success(),
        "{}",
        String::from_utf8_lossy(&rotated.stderr)
    );
    let outcome: Value = serde_json::from_slice(&rotated.stdout).unwrap();
    assert_ne!(outcome["old_master_key_id"], outcome["new_master_key_id"]);
    let after = std::fs::read(dir.path().join("data/master.key")).unwrap();
    assert_eq!(after.len(), 32);
    assert_ne!(after, before, "the default key file was replaced");
    assert!(!dir.path().join("data/master.key.new").exists());
    assert!(run(&["keys", "list"], None).status.success());

    // The old key, given explicitly, no longer opens the store; the message names both ids.
    use base64::Engine as _;
    let old = base64::engine::general_purpose::STANDARD.encode(&before);
    let refused = run(&["keys", "list"], Some(&old));
    assert_eq!(refused.status.code(), Some(2));
    let stderr = String::from_utf8_lossy(&refused.stderr);
    assert!(stderr.contains("master key does not open"), "{stderr}");
    assert!(!stderr.contains(&old), "the key itself is never printed");

    // With the key in the environment, the new one goes to a file and the env must change.
    let current = base64::engine::general_purpose::STANDARD.encode(&after);
    let rotated = run(&["keys", "rotate-master"], Some(&current));
    assert!(rotated.status.success());
    let new = std::fs::read_to_string(dir.path().join("data/master.key.new")).unwrap();
    assert!(run(&["keys", "list"], Some(&current)).status.code() == Some(2));
    assert!(run(&["keys", "list"], Some(new.trim())).status.success());
    // A malformed key is named, not echoed.
    let bad = run(&["keys", "list"], Some("not-a-key"));
    assert_eq!(bad.status.code(), Some(2));
    assert!(String::from_utf8_lossy(&bad.stderr).contains("WARDEN_MASTER_KEY"));
}
