//! E-mail addresses: `local@domain.tld`, found from each `@`, with a delegated top-level domain.

use memchr::memchr_iter;

use crate::detect::contact::host::{self, MAX_HOST_BYTES};
use crate::detect::{Detector, Sink};
use crate::doc::Doc;
use crate::entity::EntityType;

/// The longest local part RFC 5321 allows.
const MAX_LOCAL_BYTES: usize = 64;

#[derive(Debug)]
pub(super) struct Email;

/// Characters of a local part: the usual ASCII ones and, since RFC 6531, Unicode letters and digits.
fn is_local_char(ch: char) -> bool {
    ch.is_ascii_alphanumeric()
        || matches!(ch, '.' | '_' | '%' | '+' | '-' | '\'')
        || (!ch.is_ascii() && ch.is_alphanumeric())
}

impl Detector for Email {
    fn entities(&self) -> &[EntityType] {
        &[EntityType::EmailAddress]
    }

    fn detect(&self, doc: &Doc<'_>, sink: &mut Sink<'_>) {
        if !doc.present.at || !doc.present.dot {
            return;
        }
        let text = doc.text;
        for at in memchr_iter(b'@', doc.bytes) {
            let Some((start, end)) = address_at(text, at) else {
                continue;
            };
            sink.push(start, end, EntityType::EmailAddress, 1.0, "email");
        }
    }
}

/// The address around the `@` at byte `at`, if there is one.
fn address_at(text: &str, at: usize) -> Option<(usize, usize)> {
    let before = text.get(..at)?;
    let mut start = at;
    let mut truncated = false;
    for (offset, ch) in before.char_indices().rev() {
        if !is_local_char(ch) {
            break;
        }
        if at - offset > MAX_LOCAL_BYTES {
            truncated = true;
            break;
        }
        start = offset;
    }
    if truncated {
        return None;
    }
    // Quotes and hyphens around a word are punctuation, not part of the address.
    while start < at && matches!(text.as_bytes()[start], b'.' | b'\'' | b'-') {
        start += 1;
    }
    let local = &text[start..at];
    if local.is_empty() || local.ends_with('.') || local.contains("..") {
        return None;
    }
    // `user:password@host` inside a URL is credentials, reported with the URL, not an address.
    let preceding = &text.as_bytes()[start.saturating_sub(2)..start];
    if preceding.ends_with(b":") || preceding.ends_with(b"//") {
        return None;
    }
    let mut end = host::host_end(text, at + 1, MAX_HOST_BYTES);
    while end > at + 1 && matches!(text.as_bytes()[end - 1], b'.' | b'-') {
        end -= 1;
    }
    host::domain_shape(&text[at + 1..end])?;
    Some((start, end))
}

#[cfg(test)]
mod tests {
    use crate::EntityType;
    use crate::testing::values_of;

    fn check(input: &str, expect: &[&str]) {
        assert_eq!(
            values_of(input, &EntityType::EmailAddress),
            expect,
            "in {input:?}"
        );
    }

    #[test]
    fn finds_addresses_and_trims_punctuation() {
        check(
            "mail john.smith+tag@mail.example.co.uk.",
            &["john.smith+tag@mail.example.co.uk"],
        );
        check("<a@b.io>, x@y", &["a@b.io"]);
        check("'o'brien@example.ie'", &["o'brien@example.ie"]);
        check(
            "user@xn--80ak6aa92e.com today",
            &["user@xn--80ak6aa92e.com"],
        );
        check("José.Müller@beispiel.de", &["José.Müller@beispiel.de"]);
        check("пользователь@пример.рф", &["пользователь@пример.рф"]);
    }

    #[test]
    fn rejects_look_alikes() {
        check("not @ an address, nor a@b", &[]);
        check("my email is info@presidio.", &[]);
        check("bad@example.notatld and two..dots@example.com", &[]);
        check("@handle and name@localhost", &[]);
        check("ftp://user:secret@example.com/x", &[]);
    }

    #[test]
    fn maps_spans_over_invisible_and_full_width_characters() {
        let input = "to: ja\u{200B}ne@example.com";
        check(input, &["ja\u{200B}ne@example.com"]);
        let input = "to: ｊａｎｅ＠ｅｘａｍｐｌｅ．ｃｏｍ ok";
        check(input, &["ｊａｎｅ＠ｅｘａｍｐｌｅ．ｃｏｍ"]);
    }
}
