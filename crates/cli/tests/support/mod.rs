//! What the binary's end-to-end tests share.

#![allow(dead_code, unreachable_pub, clippy::expect_used)]

use std::io::{BufRead, BufReader};
use std::process::ChildStdout;

/// The base URL `warden serve` prints as its first line (`listening on http://ADDR`).
pub fn listening_address(stdout: ChildStdout) -> String {
    let mut line = String::new();
    BufReader::new(stdout)
        .read_line(&mut line)
        .expect("reading warden serve's first line");
    line.trim()
        .strip_prefix("listening on ")
        .expect("warden serve prints its address first")
        .to_owned()
}

/// A `warden serve` child process on a loopback port, with its data directory and configuration;
/// killed when dropped.
pub struct Gateway {
    /// The server process.
    pub child: std::process::Child,
    /// `http://127.0.0.1:PORT`.
    pub base: String,
    /// Its `--data-dir`.
    pub data: std::path::PathBuf,
    /// Its `--config`.
    pub config: std::path::PathBuf,
}

impl Gateway {
    /// Writes `config_text` beside `data` and starts `warden serve` on them.
    pub fn start(data: &std::path::Path, config_text: &str) -> Gateway {
        let config = data.with_extension("toml");
        std::fs::write(&config, config_text).expect("writing the configuration");
        let mut child = warden_command()
            .args(["serve", "--listen", "127.0.0.1:0", "--data-dir"])
            .arg(data)
            .arg("--config")
            .arg(&config)
            .stdout(std::process::Stdio::piped())
            .stderr(std::process::Stdio::null())
            .spawn()
            .expect("starting warden serve");
        let base = listening_address(child.stdout.take().expect("piped stdout"));
        Gateway {
            child,
            base,
            data: data.to_owned(),
            config,
        }
    }

    /// Makes a client key with `warden keys create --json` on the gateway's store: `(id, key)`.
    pub fn create_key(&self, name: &str, role: &str) -> (String, String) {
        let output = self.warden(&["keys", "create", "--name", name, "--role", role, "--json"]);
        assert!(
            output.status.success(),
            "{}",
            String::from_utf8_lossy(&output.stderr)
        );
        let created: serde_json::Value =
            serde_json::from_slice(&output.stdout).expect("keys create --json prints JSON");
        let field = |name: &str| created[name].as_str().expect("id and key").to_owned();
        (field("id"), field("key"))
    }

    /// Runs `warden ARGS --data-dir … --config …` on the gateway's store.
    pub fn warden(&self, args: &[&str]) -> std::process::Output {
        let mut command = warden_command();
        // `--data-dir`/`--config` follow the subcommand's own arguments.
        command.args(args);
        command
            .arg("--data-dir")
            .arg(&self.data)
            .arg("--config")
            .arg(&self.config);
        command.output().expect("running warden")
    }
}

impl Drop for Gateway {
    fn drop(&mut self) {
        let _ = self.child.kill();
        let _ = self.child.wait();
    }
}

/// `warden` with quiet logs and `MOCK_KEY` (the mock upstream's key, for `api_key = "env:MOCK_KEY"`);
/// arguments to follow.
pub fn warden_command() -> std::process::Command {
    let mut command = std::process::Command::new(env!("CARGO_BIN_EXE_warden"));
    command
        .env("WARDEN_LOG", "error")
        .env("MOCK_KEY", "sk-mock");
    command
}
