//! Inputs shared by the scan bench and the speed examples: the shared bench corpus (read from
//! `../../../shared/eval/bench` relative to the crate, or `$WARDEN_SHARED/eval/bench`) and generated
//! adversarial texts, each dense in what one family of detectors triggers on.

#![allow(
    dead_code,
    unreachable_pub,
    reason = "each bench or example uses a part of this module"
)]

use std::path::PathBuf;

/// The folder holding `short.jsonl` and `long.txt`.
pub fn bench_dir() -> PathBuf {
    match std::env::var_os("WARDEN_SHARED") {
        Some(dir) => PathBuf::from(dir).join("eval/bench"),
        None => PathBuf::from(env!("CARGO_MANIFEST_DIR")).join("../../../shared/eval/bench"),
    }
}

/// The 1,000 chat-sized texts of `short.jsonl`, or `None` (with a message) when absent.
pub fn short_texts() -> Option<Vec<String>> {
    let path = bench_dir().join("short.jsonl");
    let Ok(content) = std::fs::read_to_string(&path) else {
        skip(&path);
        return None;
    };
    let texts: Vec<String> = content
        .lines()
        .filter_map(|line| serde_json::from_str::<serde_json::Value>(line).ok())
        .filter_map(|row| row.get("text")?.as_str().map(str::to_owned))
        .collect();
    (!texts.is_empty()).then_some(texts)
}

/// The 100 KiB document `long.txt`, or `None` (with a message) when absent.
pub fn long_text() -> Option<String> {
    let path = bench_dir().join("long.txt");
    let text = std::fs::read_to_string(&path);
    if text.is_err() {
        skip(&path);
    }
    text.ok()
}

/// `long.txt` repeated to `size` bytes: normal text at the size of an adversarial input, whose
/// per-byte time includes what any large input costs (memory for the words and findings).
pub fn normal_text(long: &str, size: usize) -> String {
    let mut text = long.repeat(size / long.len().max(1) + 1);
    let end = cut_at_char(&text, size).len();
    text.truncate(end);
    text
}

/// Texts of about 1 KiB, each made of consecutive `short.jsonl` texts joined by a blank line.
pub fn kilobyte_texts(short: &[String]) -> Vec<String> {
    let mut out = Vec::new();
    let mut current = String::new();
    for text in short.iter().cycle().take(short.len() * 5) {
        if !current.is_empty() {
            current.push_str("\n\n");
        }
        current.push_str(text);
        if current.len() >= 1024 {
            out.push(cut_at_char(&current, 1024).to_owned());
            current.clear();
        }
    }
    out
}

/// Makes a text of about the given size in bytes.
pub type Generator = fn(usize) -> String;

/// The adversarial families, each with a generator.
pub const ADVERSARIAL: &[(&str, Generator)] = &[
    ("digit-run", |n| cycle("0123456789", n)),
    ("digit-groups", |n| cycle("4111 1111 1111 1111 1111 ", n)),
    ("digit-dashes", |n| cycle("555-123-4567-890-12-", n)),
    ("long-word", random_word),
    ("letters", |n| cycle("a", n)),
    ("at-dot", |n| cycle("a@b.c@d.e", n)),
    ("dots", |n| cycle(".", n)),
    ("ats", |n| cycle("@", n)),
    ("dashes", |n| cycle("-", n)),
    ("colons", |n| cycle("ab:cd:", n)),
    ("pem-begin", |n| cycle("-----BEGIN ", n)),
    ("pem-blocks", |n| {
        cycle("-----BEGIN RSA PRIVATE KEY-----\nMIIE\n", n)
    }),
    ("capitalised", |n| {
        cycle("Alice Bob Carol Dave Erin Frank Grace Heidi Ivan Judy ", n)
    }),
    ("password-assign", |n| cycle("password=", n)),
    ("keywords", |n| {
        cycle("password key token secret auth api ", n)
    }),
    ("urls", |n| cycle("https://user@host.example/a?b=c ", n)),
    ("fullwidth", |n| cycle("４１１１\u{200B}", n)),
];

/// `unit` repeated to `n` bytes (cut at a character boundary).
fn cycle(unit: &str, n: usize) -> String {
    let mut text = unit.repeat(n / unit.len() + 1);
    let end = cut_at_char(&text, n).len();
    text.truncate(end);
    text
}

/// `n` bytes of pseudo-random letters and digits without a space: one enormous high-entropy word.
fn random_word(n: usize) -> String {
    const ALPHABET: &[u8] = b"ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789";
    let mut state: u64 = 0x9e37_79b9_7f4a_7c15;
    (0..n)
        .map(|_| {
            // xorshift64: reproducible, no dependency.
            state ^= state << 13;
            state ^= state >> 7;
            state ^= state << 17;
            char::from(ALPHABET[(state % ALPHABET.len() as u64) as usize])
        })
        .collect()
}

fn cut_at_char(text: &str, max: usize) -> &str {
    let mut end = max.min(text.len());
    while !text.is_char_boundary(end) {
        end -= 1;
    }
    &text[..end]
}

fn skip(path: &std::path::Path) {
    let _ = std::io::Write::write_all(
        &mut std::io::stderr(),
        format!(
            "skipping: {} not found (set WARDEN_SHARED to the shared folder)\n",
            path.display()
        )
        .as_bytes(),
    );
}
