//! End-to-end tests of `warden scan` and `warden redact`: the real binary on files in temporary
//! directories and on standard input.

#![allow(clippy::expect_used, clippy::unwrap_used, clippy::print_stderr)]

use std::io::Write;
use std::path::{Path, PathBuf};
use std::process::{Command, Output, Stdio};

use serde_json::Value;

const EMAIL: &str = "jane.doe@example.com";
const CARD: &str = "4111 1111 1111 1111";
/// The pattern types these tests plant; the language tagger's findings (names, organisations) in
/// the surrounding words are its own tests' business.
const TYPES: &str = "--entities=EMAIL_ADDRESS,CREDIT_CARD,SECRET";
/// Shaped like a GitHub token; not a real one.
const TOKEN: &str = "ghp_aBcDeFgHiJkLmNoPqRsTuVwXyZ0123456789";

/// Runs `warden ARGS` with `stdin` as standard input.
fn warden(args: &[&str], stdin: &[u8]) -> Output {
    warden_in(None, args, stdin)
}

fn warden_in(dir: Option<&Path>, args: &[&str], stdin: &[u8]) -> Output {
    let mut command = Command::new(env!("CARGO_BIN_EXE_warden"));
    command
        .args(args)
        .env_remove("WARDEN_OPERATOR_KEY")
        .stdin(Stdio::piped())
        .stdout(Stdio::piped())
        .stderr(Stdio::piped());
    if let Some(dir) = dir {
        command.current_dir(dir);
    }
    let mut child = command.spawn().expect("warden starts");
    let mut child_stdin = child.stdin.take().expect("stdin is piped");
    let input = stdin.to_vec();
    let writer = std::thread::spawn(move || {
        // The command may exit before reading everything (a usage error): ignore the broken pipe.
        let _ = child_stdin.write_all(&input);
    });
    let output = child.wait_with_output().expect("warden runs");
    writer.join().expect("stdin writer");
    output
}

fn stdout(output: &Output) -> String {
    String::from_utf8(output.stdout.clone()).expect("stdout is UTF-8")
}

fn stderr(output: &Output) -> String {
    String::from_utf8_lossy(&output.stderr).into_owned()
}

fn code(output: &Output) -> i32 {
    output.status.code().expect("warden exited normally")
}

/// A directory tree with findings in nested files, a clean file and a binary file.
fn tree() -> tempfile::TempDir {
    let dir = tempfile::tempdir().unwrap();
    let root = dir.path();
    std::fs::create_dir_all(root.join("src/deep")).unwrap();
    std::fs::write(
        root.join("notes.txt"),
        format!("first line\nmail {EMAIL} today\n"),
    )
    .unwrap();
    std::fs::write(
        root.join("src/deep/config.env"),
        format!("# settings\n\nGITHUB={TOKEN}\ncard: {CARD}\n"),
    )
    .unwrap();
    std::fs::write(root.join("src/clean.md"), "nothing to see\n").unwrap();
    std::fs::write(
        root.join("src/image.bin"),
        [b"\x89PNG\0\0".as_slice(), EMAIL.as_bytes()].concat(),
    )
    .unwrap();
    dir
}

fn jsonl(output: &Output) -> Vec<Value> {
    stdout(output)
        .lines()
        .map(|line| serde_json::from_str(line).expect("each line is JSON"))
        .collect()
}

fn assert_no_values(output: &Output) {
    let all = format!("{}{}", stdout(output), stderr(output));
    for value in [EMAIL, CARD, TOKEN, "4111111111111111", "aBcDeFgHiJ"] {
        assert!(!all.contains(value), "output shows a value: {all}");
    }
}

#[test]
fn exit_codes_follow_grep() {
    let clean = warden(&["scan"], b"nothing sensitive here\n");
    assert_eq!(code(&clean), 0, "{}", stderr(&clean));
    assert_eq!(stdout(&clean), "");

    let found = warden(&["scan"], format!("mail {EMAIL}\n").as_bytes());
    assert_eq!(code(&found), 1);
    assert_eq!(stdout(&found).lines().count(), 1);

    let usage = warden(&["scan", "--format", "xml"], b"");
    assert_eq!(code(&usage), 2);
}

#[test]
fn text_format_names_path_line_and_column() {
    let dir = tree();
    let output = warden_in(Some(dir.path()), &["scan", TYPES, "."], b"");
    assert_eq!(code(&output), 1, "{}", stderr(&output));
    let lines: Vec<String> = stdout(&output).lines().map(str::to_owned).collect();
    assert_eq!(lines.len(), 3, "{lines:?}");
    assert!(
        lines[0].starts_with("./notes.txt:2:6: EMAIL_ADDRESS 1.00 [email] "),
        "{lines:?}"
    );
    assert!(
        lines[1].starts_with("./src/deep/config.env:3:8: SECRET/GITHUB_TOKEN "),
        "{lines:?}"
    );
    assert!(
        lines[2].starts_with("./src/deep/config.env:4:7: CREDIT_CARD 1.00 [credit_card] "),
        "{lines:?}"
    );
    // The shape, never the value.
    assert!(lines[0].ends_with(" ****.***@*******.***"), "{lines:?}");
    assert_no_values(&output);
    // The binary file found by the walk is skipped silently.
    assert!(!stdout(&output).contains("image.bin"));
    assert_eq!(stderr(&output), "");
}

#[test]
fn stdin_is_scanned_for_dash_and_for_no_path() {
    let text = format!("a\nb {EMAIL}\n");
    for args in [&["scan"][..], &["scan", "-"][..]] {
        let output = warden(args, text.as_bytes());
        assert_eq!(code(&output), 1);
        assert!(
            stdout(&output).starts_with("<stdin>:2:3: EMAIL_ADDRESS"),
            "{}",
            stdout(&output)
        );
    }
}

#[test]
fn jsonl_format_has_offsets_and_no_values() {
    let dir = tree();
    let output = warden_in(
        Some(dir.path()),
        &["scan", TYPES, "--format", "jsonl", "src", "notes.txt"],
        b"",
    );
    assert_eq!(code(&output), 1);
    let records = jsonl(&output);
    assert_eq!(records.len(), 3);
    let secret = &records[0];
    assert_eq!(secret["path"], "src/deep/config.env");
    assert_eq!(secret["entity_type"], "SECRET");
    assert_eq!(secret["subtype"], "GITHUB_TOKEN");
    assert_eq!(
        (secret["line"].as_u64(), secret["column"].as_u64()),
        (Some(3), Some(8))
    );
    let text = std::fs::read_to_string(dir.path().join("src/deep/config.env")).unwrap();
    let (start, end) = (
        secret["start"].as_u64().unwrap(),
        secret["end"].as_u64().unwrap(),
    );
    let chars: String = text
        .chars()
        .skip(start as usize)
        .take((end - start) as usize)
        .collect();
    assert_eq!(chars, TOKEN);
    let (byte_start, byte_end) = (
        secret["byte_start"].as_u64().unwrap() as usize,
        secret["byte_end"].as_u64().unwrap() as usize,
    );
    assert_eq!(&text[byte_start..byte_end], TOKEN);
    assert_eq!(records[2]["path"], "notes.txt");
    for record in &records {
        for field in ["score", "detector", "end_line", "end_column"] {
            assert!(!record[field].is_null(), "{field} in {record}");
        }
        assert!(record.get("value").is_none());
    }
    assert_no_values(&output);
}

#[test]
fn json_format_is_one_document_with_errors() {
    let dir = tree();
    let output = warden_in(
        Some(dir.path()),
        &["scan", TYPES, "--format", "json", ".", "missing.txt"],
        b"",
    );
    assert_eq!(code(&output), 2, "an error wins over findings");
    let document: Value = serde_json::from_str(&stdout(&output)).unwrap();
    let findings = document["findings"].as_array().unwrap();
    assert_eq!(findings.len(), 3);
    assert_eq!(findings[0]["entity_type"], "EMAIL_ADDRESS");
    assert_eq!(findings[0]["line"], 2);
    assert_eq!(document["errors"][0]["input"], "missing.txt");
    assert_eq!(document["inputs_scanned"], 3);
    assert_no_values(&output);
}

#[test]
fn show_values_prints_values() {
    let dir = tree();
    let output = warden_in(
        Some(dir.path()),
        &["scan", "--show-values", "--format", "jsonl", "notes.txt"],
        b"",
    );
    assert_eq!(jsonl(&output)[0]["value"], EMAIL);
    let output = warden_in(
        Some(dir.path()),
        &["scan", "--show-values", "notes.txt"],
        b"",
    );
    assert!(stdout(&output).trim_end().ends_with(EMAIL));
}

#[test]
fn sarif_is_valid_and_redacted() {
    let dir = tree();
    let output = warden_in(
        Some(dir.path()),
        &["scan", TYPES, "--format", "sarif", "."],
        b"",
    );
    assert_eq!(code(&output), 1);
    let log: Value = serde_json::from_str(&stdout(&output)).unwrap();
    assert_eq!(log["version"], "2.1.0");
    assert!(
        log["$schema"]
            .as_str()
            .unwrap()
            .ends_with("sarif-schema-2.1.0.json")
    );
    let run = &log["runs"][0];
    assert_eq!(run["tool"]["driver"]["name"], "warden");
    let rules: Vec<&str> = run["tool"]["driver"]["rules"]
        .as_array()
        .unwrap()
        .iter()
        .map(|rule| rule["id"].as_str().unwrap())
        .collect();
    assert_eq!(
        rules,
        ["CREDIT_CARD", "EMAIL_ADDRESS", "SECRET/GITHUB_TOKEN"]
    );
    let results = run["results"].as_array().unwrap();
    assert_eq!(results.len(), 3);
    let secret = &results[1];
    assert_eq!(secret["ruleId"], "SECRET/GITHUB_TOKEN");
    assert_eq!(secret["level"], "error");
    let location = &secret["locations"][0]["physicalLocation"];
    assert_eq!(location["artifactLocation"]["uri"], "./src/deep/config.env");
    let region = &location["region"];
    assert_eq!(region["startLine"], 3);
    assert_eq!(region["startColumn"], 8);
    assert_eq!(region["endLine"], 3);
    assert_eq!(region["endColumn"], 8 + TOKEN.len());
    assert!(region.get("snippet").is_none());
    assert_eq!(results[0]["level"], "warning");
    assert_no_values(&output);
    validate_sarif(&stdout(&output));
}

/// Validates against the official SARIF 2.1.0 JSON schema with Python's `jsonschema`, when
/// `scripts/test` has provided both (`WARDEN_TEST_PYTHON`, `WARDEN_TEST_SARIF_SCHEMA`).
fn validate_sarif(log: &str) {
    let (Some(python), Some(schema)) = (
        std::env::var_os("WARDEN_TEST_PYTHON"),
        std::env::var_os("WARDEN_TEST_SARIF_SCHEMA"),
    ) else {
        eprintln!(
            "skipping SARIF schema validation: run through scripts/test to get the validator"
        );
        return;
    };
    let dir = tempfile::tempdir().unwrap();
    let log_path = dir.path().join("log.sarif");
    std::fs::write(&log_path, log).unwrap();
    let script = "import json, sys, jsonschema\n\
                  schema = json.load(open(sys.argv[1]))\n\
                  log = json.load(open(sys.argv[2]))\n\
                  jsonschema.validators.validator_for(schema)(schema).validate(log)\n";
    let output = Command::new(python)
        .args(["-c", script])
        .arg(&schema)
        .arg(&log_path)
        .output()
        .expect("python runs");
    assert!(
        output.status.success(),
        "SARIF log does not match the schema: {}",
        String::from_utf8_lossy(&output.stderr)
    );
}

#[test]
fn entities_filter_and_unknown_entity() {
    let dir = tree();
    let output = warden_in(
        Some(dir.path()),
        &[
            "scan",
            "--format",
            "jsonl",
            "--entities",
            "credit_card,SECRET",
            ".",
        ],
        b"",
    );
    assert_eq!(code(&output), 1);
    let types: Vec<String> = jsonl(&output)
        .iter()
        .map(|r| r["entity_type"].as_str().unwrap().to_owned())
        .collect();
    assert_eq!(types, ["SECRET", "CREDIT_CARD"]);

    let output = warden_in(
        Some(dir.path()),
        &["scan", "--entities", "EMAIL,SECRET", "."],
        b"",
    );
    assert_eq!(code(&output), 2);
    assert!(
        stderr(&output).contains("unknown entity type `EMAIL`"),
        "{}",
        stderr(&output)
    );
    assert_eq!(stdout(&output), "");
}

#[test]
fn min_score_drops_weaker_findings() {
    let text = format!("mail {EMAIL}\nGITHUB={TOKEN}\n");
    let all = jsonl(&warden(
        &["scan", TYPES, "--format", "jsonl"],
        text.as_bytes(),
    ));
    assert_eq!(all.len(), 2);
    let weakest = all
        .iter()
        .map(|r| r["score"].as_f64().unwrap())
        .fold(1.0, f64::min);
    assert!(weakest < 1.0, "the test needs a finding below 1.0: {all:?}");
    let threshold = format!("{}", (weakest + 1.0) / 2.0);
    let strong = warden(
        &[
            "scan",
            TYPES,
            "--format",
            "jsonl",
            "--min-score",
            &threshold,
        ],
        text.as_bytes(),
    );
    let strong = jsonl(&strong);
    assert_eq!(strong.len(), 1);
    assert!(strong[0]["score"].as_f64().unwrap() >= weakest);

    for bad in ["1.5", "-1", "x"] {
        let output = warden(&["scan", &format!("--min-score={bad}")], text.as_bytes());
        assert_eq!(code(&output), 2, "{bad}");
        assert!(
            stderr(&output).contains("--min-score"),
            "{}",
            stderr(&output)
        );
    }
}

#[test]
fn invalid_utf8_warns_once_and_scanning_goes_on() {
    let dir = tempfile::tempdir().unwrap();
    let path = dir.path().join("latin1.txt");
    let mut bytes = b"caf\xe9 \xff\xfe\n".to_vec();
    bytes.extend_from_slice(format!("mail {EMAIL}\n").as_bytes());
    bytes.push(0xe9);
    std::fs::write(&path, &bytes).unwrap();
    let output = warden_in(
        Some(dir.path()),
        &["scan", "--format", "jsonl", "latin1.txt"],
        b"",
    );
    assert_eq!(code(&output), 1, "a warning is not an error");
    let warnings: Vec<&str> = output
        .stderr
        .split(|&b| b == b'\n')
        .filter(|line| !line.is_empty())
        .map(|line| std::str::from_utf8(line).unwrap())
        .collect();
    assert_eq!(warnings.len(), 1, "{warnings:?}");
    assert!(warnings[0].contains("latin1.txt") && warnings[0].contains("invalid UTF-8"));
    let records = jsonl(&output);
    assert_eq!(records[0]["entity_type"], "EMAIL_ADDRESS");
    assert_eq!(records[0]["line"], 2);
    // Offsets count the decoded text: "caf\u{FFFD} \u{FFFD}\u{FFFD}\n" is 8 code points.
    assert_eq!(records[0]["start"], 8 + 5);
}

#[test]
fn unreadable_paths_are_named_and_the_rest_is_scanned() {
    let dir = tree();
    let output = warden_in(
        Some(dir.path()),
        &["scan", "does/not/exist.txt", "notes.txt"],
        b"",
    );
    assert_eq!(code(&output), 2);
    let errors = stderr(&output);
    assert!(errors.contains("does/not/exist.txt"), "{errors}");
    assert!(errors.contains("No such file or directory"), "{errors}");
    assert!(stdout(&output).starts_with("notes.txt:2:6: EMAIL_ADDRESS"));
}

#[cfg(unix)]
#[test]
fn permission_denied_is_named_and_the_rest_is_scanned() {
    use std::os::unix::fs::PermissionsExt;
    let dir = tree();
    let locked = dir.path().join("locked.txt");
    std::fs::write(&locked, format!("{EMAIL}\n")).unwrap();
    std::fs::set_permissions(&locked, std::fs::Permissions::from_mode(0o000)).unwrap();
    let locked_dir = dir.path().join("src/deep");
    std::fs::set_permissions(&locked_dir, std::fs::Permissions::from_mode(0o000)).unwrap();
    if std::fs::File::open(&locked).is_ok() {
        // Root (or CAP_DAC_OVERRIDE) reads anything: nothing to test here.
        eprintln!("skipping: this user can read a mode-000 file");
        std::fs::set_permissions(&locked_dir, std::fs::Permissions::from_mode(0o755)).unwrap();
        return;
    }
    let output = warden_in(Some(dir.path()), &["scan", "."], b"");
    std::fs::set_permissions(&locked_dir, std::fs::Permissions::from_mode(0o755)).unwrap();
    assert_eq!(code(&output), 2);
    let errors = stderr(&output);
    assert!(
        errors.contains("./locked.txt: Permission denied"),
        "{errors}"
    );
    assert!(errors.contains("./src/deep: Permission denied"), "{errors}");
    assert!(stdout(&output).contains("./notes.txt:2:6: EMAIL_ADDRESS"));
}

#[test]
fn explicitly_named_binary_files_are_skipped_with_a_note() {
    let dir = tree();
    let output = warden_in(Some(dir.path()), &["scan", "src/image.bin"], b"");
    assert_eq!(code(&output), 0);
    assert!(stderr(&output).contains("src/image.bin: binary file, skipped"));
}

#[test]
fn jsonl_mode_keeps_fields_and_names_bad_lines() {
    let input = format!(
        concat!(
            "{{\"id\": \"a-1\", \"text\": \"mail {}\", \"meta\": {{\"n\": 1.50}}, \"lang\": \"en\"}}\n",
            "not json\n",
            "{{\"id\": \"a-3\"}}\n",
            "\n",
            "{{\"text\": \"clean\", \"id\": 5}}\n",
        ),
        EMAIL
    );
    let output = warden(&["scan", "--jsonl"], input.as_bytes());
    assert_eq!(code(&output), 2);
    let lines: Vec<&str> = std::str::from_utf8(&output.stdout)
        .unwrap()
        .lines()
        .collect();
    assert_eq!(lines.len(), 2);
    assert!(
        lines[0].starts_with(&format!(
            "{{\"id\":\"a-1\",\"text\":\"mail {EMAIL}\",\"meta\":{{\"n\": 1.50}},\"lang\":\"en\",\"findings\":[{{"
        )),
        "{}",
        lines[0]
    );
    let first: Value = serde_json::from_str(lines[0]).unwrap();
    assert_eq!(first["findings"][0]["entity_type"], "EMAIL_ADDRESS");
    assert_eq!(first["findings"][0]["start"], 5);
    assert_eq!(first["findings"][0]["end"], 5 + EMAIL.len());
    assert!(first["findings"][0].get("value").is_none());
    assert_eq!(lines[1], "{\"text\":\"clean\",\"id\":5,\"findings\":[]}");
    let errors = stderr(&output);
    assert!(errors.contains("<stdin>:2: invalid JSON"), "{errors}");
    assert!(errors.contains("<stdin>:3: no `text` field"), "{errors}");
    assert!(!errors.contains("a-3"), "errors never quote input");

    let dir = tempfile::tempdir().unwrap();
    std::fs::write(dir.path().join("in.jsonl"), "{\"text\": \"clean\"}\n").unwrap();
    let output = warden_in(Some(dir.path()), &["scan", "--jsonl", "in.jsonl"], b"");
    assert_eq!(code(&output), 0);
}

#[test]
fn redact_replaces_findings_and_keeps_the_rest_byte_for_byte() {
    let text = format!(
        "Héllo,\r\n\tmail {EMAIL} ·\n\ncard {CARD}; GITHUB={TOKEN}\n  trailing  spaces  \n"
    );
    let output = warden(&["redact", TYPES], text.as_bytes());
    assert_eq!(code(&output), 0, "{}", stderr(&output));
    let expect = text
        .replace(EMAIL, "<EMAIL_ADDRESS>")
        .replace(CARD, "<CREDIT_CARD>")
        .replace(TOKEN, "<SECRET>");
    assert_eq!(stdout(&output), expect);

    let masked = warden(&["redact", "--operator", "mask"], text.as_bytes());
    assert!(stdout(&masked).contains("card **** **** **** 1111;"));
    let marker = warden(&["redact", "--operator", "redact"], text.as_bytes());
    assert!(stdout(&marker).contains("mail [REDACTED] ·"));
    let bad = warden(&["redact", "--operator", "shred"], text.as_bytes());
    assert_eq!(code(&bad), 2);
    assert!(stderr(&bad).contains("unknown operator `shred`"));
}

#[test]
fn redact_with_keys_refuses_without_a_key() {
    let text = format!("mail {EMAIL}\n");
    let output = warden(&["redact", "--operator", "hash"], text.as_bytes());
    assert_eq!(code(&output), 2);
    assert!(
        stderr(&output).contains("WARDEN_OPERATOR_KEY"),
        "{}",
        stderr(&output)
    );
    assert_eq!(
        stdout(&output),
        "",
        "nothing is written when the key is missing"
    );

    let dir = tempfile::tempdir().unwrap();
    let key: PathBuf = dir.path().join("op.key");
    std::fs::write(&key, [0x5a_u8; 32]).unwrap();
    let key = key.to_str().unwrap();
    let first = warden(
        &["redact", "--operator", "hash", "--key-file", key],
        text.as_bytes(),
    );
    let second = warden(
        &["redact", "--operator", "hash", "--key-file", key],
        text.as_bytes(),
    );
    assert_eq!(code(&first), 0, "{}", stderr(&first));
    assert_eq!(stdout(&first), stdout(&second), "keyed hashes are stable");
    assert!(!stdout(&first).contains(EMAIL));
    let hash = stdout(&first)
        .trim_end()
        .trim_start_matches("mail ")
        .to_owned();
    assert_eq!(hash.len(), 16);
    assert!(hash.bytes().all(|b| b.is_ascii_hexdigit()));
}

#[test]
fn values_split_across_reads_and_chunks_are_found() {
    // Read 1..=7 bytes at a time, so the e-mail, the card and the multi-byte characters before them
    // straddle reads at every offset; and scan chunks of a few lines at a time.
    let text = format!("ünïcödé 東京\nmail {EMAIL}\n\nline\ncard {CARD}\nend\n");
    for read_buffer in 1..=7 {
        for chunk_size in ["16", "4194304"] {
            let read_buffer = read_buffer.to_string();
            let args = [
                "scan",
                TYPES,
                "--format",
                "jsonl",
                "--read-buffer",
                &read_buffer,
                "--chunk-size",
                chunk_size,
            ];
            let output = warden(&args, text.as_bytes());
            let records = jsonl(&output);
            let found: Vec<(String, u64, u64)> = records
                .iter()
                .map(|r| {
                    (
                        r["entity_type"].as_str().unwrap().to_owned(),
                        r["line"].as_u64().unwrap(),
                        r["start"].as_u64().unwrap(),
                    )
                })
                .collect();
            assert_eq!(
                found,
                [
                    ("EMAIL_ADDRESS".to_owned(), 2, 16),
                    ("CREDIT_CARD".to_owned(), 5, 48)
                ],
                "read buffer {read_buffer}, chunk {chunk_size}"
            );
            let redacted = warden(
                &[
                    "redact",
                    TYPES,
                    "--read-buffer",
                    &read_buffer,
                    "--chunk-size",
                    chunk_size,
                ],
                text.as_bytes(),
            );
            let expect = text
                .replace(EMAIL, "<EMAIL_ADDRESS>")
                .replace(CARD, "<CREDIT_CARD>");
            assert_eq!(stdout(&redacted), expect);
        }
    }
}

#[test]
fn eval_still_parses() {
    let output = warden(&["eval", "pii", "--help"], b"");
    assert_eq!(code(&output), 0);
    assert!(stdout(&output).contains("--split"));
}

/// Everyday requests to an assistant (tests/data/everyday_requests.jsonl, written for Warden) are
/// not injections when a user sends them; the same instructions inside a document are suspect.
#[test]
fn everyday_requests_are_not_injections_but_suspect_in_documents() {
    let data = concat!(
        env!("CARGO_MANIFEST_DIR"),
        "/tests/data/everyday_requests.jsonl"
    );
    let flagged = |context: &str| -> u64 {
        let output = warden(
            &[
                "eval",
                "injection",
                "--split",
                "all",
                "--json",
                "--context",
                context,
                data,
            ],
            b"",
        );
        assert_eq!(
            code(&output),
            0,
            "{}",
            String::from_utf8_lossy(&output.stderr)
        );
        let figures: serde_json::Value = serde_json::from_str(&stdout(&output)).unwrap();
        assert_eq!(figures["total"]["benign"], 60);
        assert_eq!(figures["total"]["read_as"], context);
        figures["total"]["flagged"].as_u64().unwrap()
    };
    let as_prompts = flagged("prompt");
    assert!(
        as_prompts <= 2,
        "{as_prompts} of 60 everyday requests refused"
    );
    assert!(
        flagged("document") >= 10,
        "instructions in data go unnoticed"
    );
}

#[test]
fn pem_blocks_are_not_cut_by_chunks() {
    const ALPHABET: &[u8] = b"ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789+/";
    let body: Vec<String> = (0..12)
        .map(|line| {
            (0..64)
                .map(|i| char::from(ALPHABET[(line * 7 + i) % 64]))
                .collect()
        })
        .collect();
    let pem = format!(
        "-----BEGIN RSA PRIVATE KEY-----\n{}\n-----END RSA PRIVATE KEY-----",
        body.join("\n")
    );
    let text = format!("config:\n{pem}\nafter\n");
    // Chunks of 500 bytes would cut this 841-byte block at a line end; reads of 16 bytes make the
    // chunker decide before the block's end has arrived.
    let args = ["--chunk-size", "500", "--read-buffer", "16"];
    let scan = warden(
        &[
            &["scan", "--format", "jsonl", "--entities", "SECRET"][..],
            &args[..],
        ]
        .concat(),
        text.as_bytes(),
    );
    let records = jsonl(&scan);
    assert_eq!(records.len(), 1, "{records:?}");
    assert_eq!(records[0]["subtype"], "PRIVATE_KEY");
    assert_eq!(
        (records[0]["line"].as_u64(), records[0]["end_line"].as_u64()),
        (Some(2), Some(15))
    );
    let redacted = warden(
        &[&["redact", "--entities", "SECRET"][..], &args[..]].concat(),
        text.as_bytes(),
    );
    assert_eq!(stdout(&redacted), "config:\n<SECRET>\nafter\n");
}
