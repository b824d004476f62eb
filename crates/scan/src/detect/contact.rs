//! Contact and network identifiers: e-mail addresses, phone numbers, URLs, domain names, IP and MAC
//! addresses.

use memchr::memchr_iter;

use crate::detect::{Detector, Sink};
use crate::doc::Doc;
use crate::entity::EntityType;

pub(crate) fn detectors() -> Vec<Box<dyn Detector>> {
    vec![Box::new(Email)]
}

/// `local@domain.tld`, found from each `@`.
#[derive(Debug)]
struct Email;

fn is_local_char(b: u8) -> bool {
    b.is_ascii_alphanumeric() || matches!(b, b'.' | b'_' | b'%' | b'+' | b'-' | b'\'')
}

fn is_domain_char(b: u8) -> bool {
    b.is_ascii_alphanumeric() || matches!(b, b'.' | b'-')
}

impl Detector for Email {
    fn entities(&self) -> &[EntityType] {
        &[EntityType::EmailAddress]
    }

    fn detect(&self, doc: &Doc<'_>, sink: &mut Sink<'_>) {
        if !doc.present.at {
            return;
        }
        let bytes = doc.bytes;
        for at in memchr_iter(b'@', bytes) {
            // Local part: at most 64 characters, no leading or trailing dot.
            let mut start = at;
            while start > 0 && at - start < 64 && is_local_char(bytes[start - 1]) {
                start -= 1;
            }
            while start < at && matches!(bytes[start], b'.' | b'\'' | b'-') {
                start += 1;
            }
            if start == at || bytes[at - 1] == b'.' || !doc.boundary_before(start) {
                continue;
            }
            // Domain: labels of letters, digits and hyphens; at most 253 characters.
            let mut end = at + 1;
            while end < bytes.len() && end - at <= 253 && is_domain_char(bytes[end]) {
                end += 1;
            }
            while end > at + 1 && matches!(bytes[end - 1], b'.' | b'-') {
                end -= 1;
            }
            let domain = &doc.text[at + 1..end];
            let Some(dot) = domain.rfind('.') else {
                continue;
            };
            let tld = &domain[dot + 1..];
            let labels_ok = domain
                .split('.')
                .all(|l| !l.is_empty() && !l.starts_with('-') && !l.ends_with('-'));
            if !labels_ok || tld.len() < 2 || !tld.bytes().all(|b| b.is_ascii_alphabetic()) {
                continue;
            }
            if !doc.boundary_after(end) && bytes.get(end) != Some(&b'.') {
                continue;
            }
            sink.push(start, end, EntityType::EmailAddress, 1.0, "email");
        }
    }
}

#[cfg(test)]
mod tests {
    use crate::{EntityType, Scanner};

    fn emails(text: &str) -> Vec<&str> {
        Scanner::default()
            .scan(text)
            .into_iter()
            .filter(|f| f.entity_type == EntityType::EmailAddress)
            .map(|f| &text[f.byte_start..f.byte_end])
            .collect()
    }

    #[test]
    fn finds_addresses_and_trims_punctuation() {
        assert_eq!(
            emails("mail john.smith+tag@mail.example.co.uk."),
            ["john.smith+tag@mail.example.co.uk"]
        );
        assert_eq!(emails("<a@b.io>, x@y"), ["a@b.io"]);
        assert_eq!(emails("not @ an address, nor a@b"), Vec::<&str>::new());
    }
}
