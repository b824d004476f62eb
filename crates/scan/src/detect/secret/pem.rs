//! PEM (and PGP armoured) private keys: `-----BEGIN … PRIVATE KEY-----` through the matching
//! `-----END … PRIVATE KEY-----`.
//!
//! This is the one multi-line finding and the one allowed past `MAX_SPAN_BYTES`. If the END line is
//! missing (a truncated paste, a stream cut short), the finding runs from the BEGIN line to the end
//! of the base64 body that follows: a partial key is still a leak. A complete block whose body is
//! too short to hold key material (`-----BEGIN PRIVATE KEY-----\nanything\n-----END …`) is a stub
//! in documentation or tests and is not reported. Keys escaped inside JSON strings (`\n` written
//! as two characters, as in Google service-account files) are handled the same way.

use memchr::memmem;

use crate::detect::secret::value::is_b64;
use crate::detect::secret::{Out, subtype};

const DETECTOR: &str = "private-key";

/// How far after a BEGIN line its END line is looked for. RSA-8192 keys are about 6.5 KiB; PGP
/// private key blocks with several subkeys can be larger.
pub(crate) const MAX_PEM: usize = 64 * 1024;

/// Fewer body characters than this cannot be key material (the smallest real keys have hundreds).
const MIN_BODY: usize = 16;

/// Remembers how far the text was searched for `-----END`, so that many BEGIN lines without an END
/// do not make the search quadratic: BEGIN lines come in order, and each byte is searched once.
#[derive(Default)]
pub(crate) struct State {
    /// No `-----END` starts before this, at or after the previous search start, except `found`.
    searched_until: usize,
    /// The first `-----END` found by the last search.
    found: Option<usize>,
}

const END: &[u8] = b"-----END";

impl State {
    /// The first `-----END` at or after `from`, below `limit`.
    fn next_end(&mut self, haystack: &[u8], from: usize, limit: usize) -> Option<usize> {
        if let Some(found) = self.found
            && found >= from
        {
            return (found < limit).then_some(found);
        }
        let start = from.max(self.searched_until);
        let limit = limit.min(haystack.len());
        if start >= limit {
            return None;
        }
        let hit = memmem::find(&haystack[start..limit], END).map(|p| start + p);
        self.found = hit;
        // A marker cut by `limit` is found by the next search, which starts a little earlier.
        self.searched_until = hit.map_or(limit.saturating_sub(END.len() - 1), |h| h + 1);
        hit
    }
}

pub(crate) fn at_begin(out: &mut Out<'_, '_, '_>, state: &mut State, at: usize) {
    let bytes = out.doc.bytes;
    let label_start = at + b"-----BEGIN".len();
    if bytes.get(label_start) != Some(&b' ') {
        return;
    }
    // The label: upper-case words up to the closing dashes.
    let label_len = bytes[label_start..]
        .iter()
        .take(48)
        .take_while(|&&b| b.is_ascii_uppercase() || b.is_ascii_digit() || b == b' ')
        .count();
    let label = &bytes[label_start..label_start + label_len];
    let header_end = label_start + label_len;
    if bytes.get(header_end..header_end + 5) != Some(b"-----") {
        return;
    }
    let label = trim(label);
    if !label.windows(11).any(|w| w == b"PRIVATE KEY") {
        return;
    }
    let body_start = header_end + 5;
    let limit = bytes.len().min(body_start + MAX_PEM);
    if let Some(end_at) = state.next_end(bytes, body_start, limit) {
        // `-----END <label>-----`, the same label.
        let end_label_start = end_at + b"-----END".len() + 1;
        let end_label_end = end_label_start + label.len();
        let same = bytes.get(end_at + 8) == Some(&b' ')
            && bytes.get(end_label_start..end_label_end) == Some(label)
            && bytes.get(end_label_end..end_label_end + 5) == Some(b"-----");
        if same && bytes_between_ok(bytes, body_start, end_at) {
            let end = end_label_end + 5;
            out.emit(at, end, subtype::PRIVATE_KEY, 1.0, DETECTOR);
            out.cover(at, end);
            return;
        }
        if same {
            // A stub: a complete block without key material.
            out.cover(at, end_label_end + 5);
            return;
        }
    }
    // No END: report the BEGIN line and the base64 lines after it.
    let end = truncated_body_end(bytes, body_start, limit);
    out.emit(at, end, subtype::PRIVATE_KEY, 1.0, DETECTOR);
    out.cover(at, end);
}

fn trim(mut s: &[u8]) -> &[u8] {
    while let [b' ', rest @ ..] = s {
        s = rest;
    }
    while let [rest @ .., b' '] = s {
        s = rest;
    }
    s
}

/// True if the body between BEGIN and END holds enough non-space characters to be key material.
fn bytes_between_ok(bytes: &[u8], start: usize, end: usize) -> bool {
    let body = &bytes[start..end];
    body.iter().filter(|b| !b.is_ascii_whitespace()).count() >= MIN_BODY
}

/// The end of the base64 lines after a BEGIN line: armour headers (`Proc-Type:`, `DEK-Info:`,
/// `Version:`, `Comment:`) and one blank line after them are allowed; literal `\n` escapes count
/// as line breaks.
fn truncated_body_end(bytes: &[u8], body_start: usize, limit: usize) -> usize {
    let mut end = body_start;
    let mut i = body_start;
    let mut lines = 0usize;
    loop {
        // Skip one line break: `\n`, `\r\n`, or the two characters `\n` of an escaped string.
        let brk = match bytes.get(i..i.saturating_add(2)) {
            Some([b'\r', b'\n']) | Some([b'\\', b'n']) => 2,
            Some([b'\n', _]) => 1,
            _ if bytes.get(i) == Some(&b'\n') => 1,
            _ => break,
        };
        i += brk;
        if i >= limit {
            break;
        }
        let line_len = bytes[i..limit]
            .iter()
            .take_while(|&&b| b != b'\n' && b != b'\r' && b != b'\\')
            .count();
        let line = &bytes[i..i + line_len];
        let header = lines < 4 && is_armour_header(line);
        let base64_line = !line.is_empty() && line.iter().all(|&b| is_b64(b));
        if base64_line || header || (line.is_empty() && lines > 0 && lines < 4) {
            if base64_line {
                end = i + line_len;
            }
            i += line_len;
            lines += 1;
            continue;
        }
        break;
    }
    end
}

/// `Proc-Type: 4,ENCRYPTED`, `DEK-Info: …`, `Version: …`, `Comment: …`.
fn is_armour_header(line: &[u8]) -> bool {
    let Some(colon) = line.iter().position(|&b| b == b':') else {
        return false;
    };
    colon > 0
        && line[..colon]
            .iter()
            .all(|&b| b.is_ascii_alphabetic() || b == b'-')
}

#[cfg(test)]
mod tests {
    use crate::detect::secret::testing::{check, none};

    const BODY: &str = "EjS0g/oIxGjeQ/R5ae4smhlehaNjAHMy8PmVnKhLxQaMdMQ8Hti6lE7VJsReY7fY\n85wA7R2zEpjvjH0j7bP39O6pP7LvvCkXSZnEBA+WXbdK+R2opH7GK4mbB9i2eVNG\nlWzvgq4wRDprezIz9DJY4VYxVgNGmUKie9ICWK14ypDptWAS4GUPnL7ogo+ZMPWg\neRkgeFXX";

    #[test]
    fn complete_blocks_from_begin_to_end() {
        for label in [
            "PRIVATE KEY",
            "RSA PRIVATE KEY",
            "EC PRIVATE KEY",
            "OPENSSH PRIVATE KEY",
            "ENCRYPTED PRIVATE KEY",
        ] {
            let block = format!("-----BEGIN {label}-----\n{BODY}\n-----END {label}-----");
            check(
                &format!("key:\n{block}\nthanks"),
                &[("PRIVATE_KEY", &block)],
            );
        }
        let pgp = format!(
            "-----BEGIN PGP PRIVATE KEY BLOCK-----\n\n{BODY}\n=8xQN\n-----END PGP PRIVATE KEY BLOCK-----"
        );
        check(&pgp, &[("PRIVATE_KEY", &pgp)]);
    }

    #[test]
    fn a_block_without_end_runs_to_the_end_of_its_body() {
        let text = format!(
            "here:\n-----BEGIN RSA PRIVATE KEY-----\nProc-Type: 4,ENCRYPTED\nDEK-Info: AES-128-CBC,3F17\n\n{BODY}\n\nand some prose after it"
        );
        let expected = format!(
            "-----BEGIN RSA PRIVATE KEY-----\nProc-Type: 4,ENCRYPTED\nDEK-Info: AES-128-CBC,3F17\n\n{BODY}"
        );
        check(&text, &[("PRIVATE_KEY", &expected)]);
        // Nothing after the BEGIN line but prose: the BEGIN line alone is reported.
        check(
            "-----BEGIN PRIVATE KEY-----\nyabba dabba doo",
            &[("PRIVATE_KEY", "-----BEGIN PRIVATE KEY-----")],
        );
    }

    #[test]
    fn escaped_in_json_and_longer_than_the_usual_limit() {
        let escaped = format!(
            "-----BEGIN PRIVATE KEY-----\\n{}\\n-----END PRIVATE KEY-----\\n",
            BODY.replace('\n', "\\n")
        );
        let text = format!("{{\"private_key\": \"{escaped}\"}}");
        let block = escaped.trim_end_matches("\\n");
        check(&text, &[("PRIVATE_KEY", block)]);
        let long_body = (0..90)
            .map(|_| BODY.replace('\n', ""))
            .collect::<Vec<_>>()
            .join("\n");
        let block =
            format!("-----BEGIN RSA PRIVATE KEY-----\n{long_body}\n-----END RSA PRIVATE KEY-----");
        assert!(block.len() > crate::detect::MAX_SPAN_BYTES);
        check(&block, &[("PRIVATE_KEY", &block)]);
    }

    #[test]
    fn stubs_and_public_keys_are_not() {
        none(&[
            "-----BEGIN PRIVATE KEY-----\nanything\n-----END PRIVATE KEY-----",
            "-----BEGIN OPENSSH PRIVATE KEY----------END OPENSSH PRIVATE KEY-----",
            "-----BEGIN PUBLIC KEY-----\nMIIBIjANBgkqhkiG9w0BAQEFAAOCAQ8AMIIBCgKCAQEA\n-----END PUBLIC KEY-----",
            "-----BEGIN CERTIFICATE-----\nMIIBIjANBgkqhkiG9w0BAQEFAAOCAQ8AMIIBCgKCAQEA\n-----END CERTIFICATE-----",
        ]);
    }

    #[test]
    fn many_begin_lines_stay_linear() {
        let text = "-----BEGIN RSA PRIVATE KEY-----\n".repeat(20_000);
        let start = std::time::Instant::now();
        let found = crate::detect::secret::testing::scan(&text);
        assert!(!found.is_empty());
        // Not a timing assertion on the machine: a quadratic search would take minutes here.
        let _ = start.elapsed();
    }
}
