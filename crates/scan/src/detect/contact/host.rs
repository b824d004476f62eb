//! Host names as they appear in e-mail addresses, URLs and bare domains: labels of letters, digits
//! and hyphens (Unicode letters too, for internationalised names), the last one a real top-level
//! domain.

use crate::detect::tables;

/// The longest host name DNS allows.
pub(super) const MAX_HOST_BYTES: usize = 253;
const MAX_LABEL_BYTES: usize = 63;

/// A character that may appear inside a label: ASCII letter, digit or hyphen, or a Unicode letter
/// or digit (internationalised names are written in Unicode as often as in `xn--` form).
pub(super) fn is_label_char(ch: char) -> bool {
    ch.is_ascii_alphanumeric() || ch == '-' || (!ch.is_ascii() && ch.is_alphanumeric())
}

/// The end of the run of label characters and dots starting at `start`, at most `limit` bytes long.
pub(super) fn host_end(text: &str, start: usize, limit: usize) -> usize {
    let Some(rest) = text.get(start..) else {
        return start;
    };
    let mut end = start;
    for (offset, ch) in rest.char_indices() {
        if offset + ch.len_utf8() > limit || !(is_label_char(ch) || ch == '.') {
            break;
        }
        end = start + offset + ch.len_utf8();
    }
    end
}

/// The start of the run of label characters and dots that ends at `end`, at most `limit` bytes long.
pub(super) fn host_start(text: &str, end: usize, limit: usize) -> usize {
    let Some(before) = text.get(..end) else {
        return end;
    };
    let mut start = end;
    for (offset, ch) in before.char_indices().rev() {
        if end - offset > limit || !(is_label_char(ch) || ch == '.') {
            break;
        }
        start = offset;
    }
    start
}

/// What a valid domain name looks like.
#[derive(Clone, Copy, Debug)]
pub(super) struct DomainShape<'a> {
    pub(super) n_labels: usize,
    pub(super) tld: &'a str,
    /// The label left of the top-level domain.
    pub(super) second: &'a str,
}

/// Checks `host` (no trailing dot) as a domain name: at least two labels, each 1–63 bytes without
/// leading or trailing hyphen, and a delegated top-level domain written in one case.
pub(super) fn domain_shape(host: &str) -> Option<DomainShape<'_>> {
    if host.is_empty() || host.len() > MAX_HOST_BYTES {
        return None;
    }
    let mut n_labels = 0;
    for label in host.split('.') {
        if label.is_empty()
            || label.len() > MAX_LABEL_BYTES
            || label.starts_with('-')
            || label.ends_with('-')
        {
            return None;
        }
        n_labels += 1;
    }
    let (rest, tld) = host.rsplit_once('.')?;
    let second = rest.rsplit_once('.').map_or(rest, |(_, s)| s);
    let is_punycode = tld.len() > 4 && tld.get(..4).is_some_and(|p| p.eq_ignore_ascii_case("xn--"));
    if !is_punycode && !tld.chars().all(char::is_alphabetic) {
        return None;
    }
    // "Who" in "Dr.Who" is a sentence, not a domain: a TLD is written all lower or all upper case.
    let has_upper = tld.chars().any(char::is_uppercase);
    let has_lower = tld.chars().any(char::is_lowercase);
    if has_upper && has_lower {
        return None;
    }
    if !tables::is_tld(tld) {
        return None;
    }
    Some(DomainShape {
        n_labels,
        tld,
        second,
    })
}

/// True if `host` is a dotted-quad IPv4 address.
pub(super) fn is_ipv4(host: &str) -> bool {
    let mut n = 0;
    for part in host.split('.') {
        n += 1;
        if part.is_empty()
            || part.len() > 3
            || !part.bytes().all(|b| b.is_ascii_digit())
            || (part.len() > 1 && part.starts_with('0'))
            || part.parse::<u16>().map_or(true, |v| v > 255)
        {
            return false;
        }
    }
    n == 4
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn domains_need_a_real_tld_in_one_case() {
        assert_eq!(domain_shape("example.co.uk").map(|d| d.n_labels), Some(3));
        assert_eq!(
            domain_shape("InstantResales.com.cy").map(|d| d.second),
            Some("com")
        );
        assert!(domain_shape("xn--80ak6aa92e.com").is_some());
        assert!(domain_shape("пример.рф").is_some());
        for bad in [
            "file.txt", "node.js", "e.g", "Dr.Who", "a..com", "-a.com", "com", "1.2",
        ] {
            assert!(domain_shape(bad).is_none(), "{bad}");
        }
        assert!(is_ipv4("192.168.0.1") && !is_ipv4("192.168.01.1") && !is_ipv4("1.2.3"));
    }

    #[test]
    fn host_runs_stop_at_other_characters() {
        let text = "see münchen.de/x";
        let start = text.find('m').unwrap();
        let end = host_end(text, start, 253);
        assert_eq!(&text[start..end], "münchen.de");
        assert_eq!(host_start(text, end, 253), start);
    }
}
