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
