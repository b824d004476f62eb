//! URLs (`scheme://host…`, `www.host…`, `host.tld/path`) and bare domain names (`example.co.uk`).
//!
//! A URL needs a host that is a domain with a delegated top-level domain, an IP literal or
//! `localhost`. Its path runs to the next space or quote; trailing sentence punctuation and unbalanced
//! closing brackets are trimmed; it never exceeds [`MAX_SPAN_BYTES`]. A bare domain needs a real
//! top-level domain written in one case; names whose TLD is also a common file extension or English
//! word (`setup.py`, `readme.md`, `it.is`) score below the threshold unless context words support them.

use memchr::memmem;

use crate::context::{ContextWords, boost};
use crate::detect::contact::host::{self, MAX_HOST_BYTES};
use crate::detect::{Detector, MAX_SPAN_BYTES, Sink};
use crate::doc::Doc;
use crate::entity::EntityType;

const URL_CONTEXT: &[&str] = &[
    "url", "link", "website", "web site", "site", "visit", "homepage", "href", "webpage",
];
const DOMAIN_CONTEXT: &[&str] = &[
    "domain", "website", "web site", "site", "visit", "host", "hostname", "dns", "url", "email",
];

/// Schemes reported as URLs (lower case).
const SCHEMES: &[&str] = &[
    "http", "https", "ftp", "ftps", "sftp", "ws", "wss", "ssh", "git", "svn", "rtsp", "smb",
    "ldap", "ldaps", "telnet", "irc", "ircs", "nntp", "s3", "file",
];

/// Top-level domains that are also file extensions or English words: `setup.py`, `main.rs`,
/// `readme.md`, `it.is`. Two-label names with them need context.
const AMBIGUOUS_TLDS: &[&str] = &[
    "ac", "am", "an", "app", "as", "at", "be", "by", "cc", "do", "go", "in", "is", "it", "la",
    "md", "mk", "ml", "mov", "my", "no", "pl", "pm", "ps", "py", "rs", "sh", "so", "sv", "to",
    "zip",
];

/// Generic top-level domains common enough to count as strong as a country code.
const COMMON_GENERIC_TLDS: &[&str] = &[
    "com",
    "org",
    "net",
    "edu",
    "gov",
    "mil",
    "int",
    "info",
    "biz",
    "name",
    "pro",
    "mobi",
    "asia",
    "eu",
    "dev",
    "xyz",
    "online",
    "site",
    "tech",
    "store",
    "shop",
    "cloud",
    "blog",
    "news",
    "club",
    "live",
    "email",
    "agency",
    "solutions",
    "services",
    "company",
    "digital",
    "media",
    "design",
    "health",
    "bank",
    "insurance",
    "law",
    "finance",
    "academy",
    "tv",
    "io",
    "ai",
];

#[derive(Debug)]
pub(super) struct Url {
    context: ContextWords,
    // Built once: building a substring searcher costs more than running it over a short text.
    scheme_sep: memmem::Finder<'static>,
    www: [memmem::Finder<'static>; 2],
}

impl Default for Url {
    fn default() -> Url {
        Url {
            context: ContextWords::new(URL_CONTEXT),
            scheme_sep: memmem::Finder::new(b"://"),
            www: [memmem::Finder::new(b"www."), memmem::Finder::new(b"WWW.")],
        }
    }
}

impl Detector for Url {
    fn entities(&self) -> &[EntityType] {
        &[EntityType::Url]
    }

    fn detect(&self, doc: &Doc<'_>, sink: &mut Sink<'_>) {
        if !doc.present.dot && !doc.present.colon {
            return;
        }
        let mut resume = 0;
        if doc.present.colon {
            for colon in self.scheme_sep.find_iter(doc.bytes) {
                if colon < resume {
                    continue;
                }
                let Some((start, end)) = scheme_url(doc.text, colon) else {
                    continue;
                };
                resume = end;
                let score = if self.context.near(doc, start, end) {
                    0.8
                } else {
                    0.7
                };
                sink.push(start, end, EntityType::Url, score, "url");
            }
        }
        if doc.present.dot {
            let mut resume = 0;
            for finder in &self.www {
                for at in finder.find_iter(doc.bytes) {
                    if at < resume {
                        continue;
                    }
                    let Some(end) = www_url(doc, at) else {
                        continue;
                    };
                    resume = end;
                    let score = if self.context.near(doc, at, end) {
                        0.75
                    } else {
                        0.6
                    };
                    sink.push(at, end, EntityType::Url, score, "url");
                }
            }
        }
    }
}

/// The URL whose `://` is at byte `colon`.
fn scheme_url(text: &str, colon: usize) -> Option<(usize, usize)> {
    let bytes = text.as_bytes();
    let mut start = colon;
    while start > 0
        && colon - start < 10
        && (bytes[start - 1].is_ascii_alphanumeric() || matches!(bytes[start - 1], b'+' | b'-'))
    {
        start -= 1;
    }
    // A literal `\n` escape in dumped text ("Website:\nhttps://…") is not part of the scheme.
    let escaped = start > 0
        && bytes[start - 1] == b'\\'
        && matches!(bytes[start], b'n' | b'r' | b't')
        && start + 1 < colon;
    if escaped {
        start += 1;
    }
    if start == colon || !bytes[start].is_ascii_alphabetic() {
        return None;
    }
    if !escaped
        && start > 0
        && (bytes[start - 1].is_ascii_alphanumeric() || bytes[start - 1] == b'.')
    {
        return None;
    }
    let scheme = &text[start..colon];
    if !SCHEMES.iter().any(|s| s.eq_ignore_ascii_case(scheme)) {
        return None;
    }
    let authority = colon + 3;
    if scheme.eq_ignore_ascii_case("file") {
        // file:///path has an empty host; the path is what matters.
        let end = path_end(text, authority);
        return (end > authority + 1).then_some((start, end));
    }
    let host_start = skip_userinfo(text, authority);
    let host_end = host_literal_end(text, host_start)?;
    let end = path_end(text, port_end(text, host_end));
    Some((start, end))
}

/// A `www.` URL starting at byte `at`: `www.` plus at least a name and a top-level domain.
fn www_url(doc: &Doc<'_>, at: usize) -> Option<usize> {
    let text = doc.text;
    if !doc.boundary_before(at) || matches!(doc.byte_before(at), Some(b'.' | b'/' | b'@' | b'-')) {
        return None;
    }
    let mut host_end = host::host_end(text, at, MAX_HOST_BYTES);
    while host_end > at && matches!(text.as_bytes()[host_end - 1], b'.' | b'-') {
        host_end -= 1;
    }
    let shape = host::domain_shape(&text[at..host_end])?;
    if shape.n_labels < 3 {
        return None;
    }
    Some(path_end(text, port_end(text, host_end)))
}

/// Skips `user:password@` after `://` when present (before any `/`, `?`, `#` or space).
fn skip_userinfo(text: &str, authority: usize) -> usize {
    let bytes = text.as_bytes();
    let limit = (authority + 128).min(bytes.len());
    for (i, &b) in bytes.iter().enumerate().take(limit).skip(authority) {
        match b {
            b'@' => return i + 1,
            b'/' | b'?' | b'#' | b'[' | b']' => return authority,
            b if b.is_ascii_whitespace() || b == b'"' || b == b'<' || b == b'>' => {
                return authority;
            }
            _ => {}
        }
    }
    authority
}

/// The end of the host at `start`: a bracketed IPv6 literal, an IPv4 address, `localhost` or a
/// domain with a delegated top-level domain.
fn host_literal_end(text: &str, start: usize) -> Option<usize> {
    let bytes = text.as_bytes();
    if bytes.get(start) == Some(&b'[') {
        let close = bytes[start..(start + 64).min(bytes.len())]
            .iter()
            .position(|&b| b == b']')?;
        let inner = &bytes[start + 1..start + close];
        let plausible = inner.len() >= 2
            && inner
                .iter()
                .all(|&b| b.is_ascii_hexdigit() || matches!(b, b':' | b'.' | b'%'));
        return plausible.then_some(start + close + 1);
    }
    let mut end = host::host_end(text, start, MAX_HOST_BYTES);
    while end > start && matches!(bytes[end - 1], b'.' | b'-') {
        end -= 1;
    }
    let host = &text[start..end];
    if host.eq_ignore_ascii_case("localhost") || host::is_ipv4(host) {
        return Some(end);
    }
    host::domain_shape(host)?;
    Some(end)
}

/// After a host: `:port` (1–5 digits) if present.
fn port_end(text: &str, host_end: usize) -> usize {
    let bytes = text.as_bytes();
    if bytes.get(host_end) != Some(&b':') {
        return host_end;
    }
    let digits = bytes[host_end + 1..]
        .iter()
        .take(6)
        .take_while(|b| b.is_ascii_digit())
        .count();
    if (1..=5).contains(&digits) {
        host_end + 1 + digits
    } else {
        host_end
    }
}

/// After the host and port: the path, query and fragment, trimmed of trailing punctuation.
fn path_end(text: &str, from: usize) -> usize {
    let bytes = text.as_bytes();
    if !matches!(bytes.get(from), Some(b'/' | b'?' | b'#')) {
        return from;
    }
    let limit = MAX_SPAN_BYTES.saturating_sub(300);
    let mut end = from;
    let Some(rest) = text.get(from..) else {
        return from;
    };
    for (offset, ch) in rest.char_indices() {
        if offset >= limit {
            break;
        }
        let allowed = if ch.is_ascii() {
            !(ch.is_ascii_whitespace()
                || ch.is_ascii_control()
                || matches!(
                    ch,
                    '"' | '<' | '>' | '`' | '\'' | '{' | '}' | '|' | '\\' | '^'
                ))
        } else {
            ch.is_alphanumeric()
        };
        if !allowed {
            break;
        }
        end = from + offset + ch.len_utf8();
    }
    trim_url_end(&text[..end], from)
}

/// Trims trailing punctuation and closing brackets that have no opening partner inside the URL.
fn trim_url_end(url: &str, path_start: usize) -> usize {
    let bytes = url.as_bytes();
    let mut end = bytes.len();
    loop {
        if end <= path_start + 1 {
            return end.max(path_start + usize::from(bytes.get(path_start) == Some(&b'/')));
        }
        let last = bytes[end - 1];
        let drop = match last {
            b'.' | b',' | b';' | b':' | b'!' | b'?' | b'*' => true,
            b')' => count(&bytes[path_start..end], b'(') < count(&bytes[path_start..end], b')'),
            b']' => count(&bytes[path_start..end], b'[') < count(&bytes[path_start..end], b']'),
            _ => false,
        };
        if !drop {
            return end;
        }
        end -= 1;
    }
}

fn count(bytes: &[u8], byte: u8) -> usize {
    memchr::memchr_iter(byte, bytes).count()
}

/// Bare domain names (`example.co.uk`), and bare domains followed by a path (`example.com/page`),
/// which are URLs without a scheme.
#[derive(Debug)]
pub(super) struct Domain {
    context: ContextWords,
}

impl Default for Domain {
    fn default() -> Domain {
        Domain {
            context: ContextWords::new(DOMAIN_CONTEXT),
        }
    }
}

impl Detector for Domain {
    fn entities(&self) -> &[EntityType] {
        &[EntityType::DomainName, EntityType::Url]
    }

    fn detect(&self, doc: &Doc<'_>, sink: &mut Sink<'_>) {
        if !doc.present.dot {
            return;
        }
        let text = doc.text;
        let bytes = doc.bytes;
        let mut resume = 0;
        for dot in memchr::memchr_iter(b'.', bytes) {
            if dot < resume || dot == 0 {
                continue;
            }
            // Most dots end sentences or sit in numbers: a domain's dot has a label on both sides.
            let next = bytes.get(dot + 1).copied().unwrap_or(b' ');
            if !(next.is_ascii_alphanumeric() || next >= 0x80) {
                continue;
            }
            let start = host::host_start(text, dot, MAX_HOST_BYTES);
            let mut end = host::host_end(text, dot, MAX_HOST_BYTES);
            resume = end;
            while end > dot && matches!(bytes[end - 1], b'.' | b'-') {
                end -= 1;
            }
            let mut start = start;
            while start < dot && matches!(bytes[start], b'.' | b'-') {
                start += 1;
            }
            if start >= dot || end <= dot + 1 {
                continue;
            }
            // Part of an address, a URL or a path: those detectors (or none) report it.
            if matches!(
                doc.byte_before(start),
                Some(b'@' | b'/' | b':' | b'\\' | b'_' | b'$')
            ) || matches!(doc.byte_at(end), Some(b'@' | b'_'))
            {
                continue;
            }
            let host = &text[start..end];
            let Some(shape) = host::domain_shape(host) else {
                continue;
            };
            if host
                .get(..4)
                .is_some_and(|p| p.eq_ignore_ascii_case("www."))
            {
                continue; // the URL detector reports it
            }
            if is_abbreviation(host) {
                continue;
            }
            let mut score = domain_score(shape.n_labels, shape.tld, shape.second);
            if self.context.near(doc, start, end) {
                score = boost(score);
            }
            if doc.byte_at(end) == Some(b'/') && end + 1 < bytes.len() {
                let url_end = path_end(text, end);
                if url_end > end + 1 {
                    resume = url_end;
                    sink.push(start, url_end, EntityType::Url, score, "url");
                    continue;
                }
            }
            sink.push(start, end, EntityType::DomainName, score, "domain");
        }
    }
}

/// Upper-case dotted abbreviations ("F.C.C.CO.LTD", "GBL.AG.BD"): no lower-case letter and at least
/// two labels of one or two letters.
fn is_abbreviation(host: &str) -> bool {
    !host.chars().any(char::is_lowercase)
        && host.split('.').filter(|l| l.chars().count() <= 2).count() >= 2
}

/// How likely a well-formed name with a real TLD is a domain, from its TLD and number of labels.
fn domain_score(n_labels: usize, tld: &str, second: &str) -> f32 {
    let lower_tld = tld.to_ascii_lowercase();
    let ambiguous = AMBIGUOUS_TLDS.contains(&lower_tld.as_str());
    // `example.co.uk`, `bbc.co.uk`: a known second-level zone makes any TLD convincing.
    let second_level_zone = n_labels >= 3
        && matches!(
            second.to_ascii_lowercase().as_str(),
            "co" | "com" | "org" | "net" | "ac" | "gov" | "edu" | "ne" | "or" | "go"
        );
    if second_level_zone {
        return 0.55;
    }
    let country_code = lower_tld.len() == 2 && lower_tld.is_ascii();
    let common = country_code || COMMON_GENERIC_TLDS.contains(&lower_tld.as_str());
    match (ambiguous, common, n_labels >= 3) {
        (true, _, false) => 0.2,
        (true, _, true) => 0.4,
        (false, true, false) => 0.5,
        (false, true, true) => 0.55,
        (false, false, false) => 0.3,
        (false, false, true) => 0.45,
    }
}

#[cfg(test)]
mod tests {
    use crate::{EntityType, Scanner, ScannerConfig};

    fn check(input: &str, expect: &[(&str, &str)]) {
        let scanner = Scanner::new(&ScannerConfig {
            entities: vec![EntityType::Url, EntityType::DomainName],
            ..ScannerConfig::default()
        })
        .unwrap();
        let found: Vec<(String, &str)> = scanner
            .scan(input)
            .into_iter()
            .map(|f| (f.entity_type.to_string(), &input[f.byte_start..f.byte_end]))
            .collect();
        let expect: Vec<(String, &str)> =
            expect.iter().map(|(t, v)| ((*t).to_owned(), *v)).collect();
        assert_eq!(found, expect, "in {input:?}");
    }

    #[test]
    fn finds_urls_with_schemes_ports_paths_and_queries() {
        check(
            "see https://www.example.com/a/b?q=1&r=2#frag.",
            &[("URL", "https://www.example.com/a/b?q=1&r=2#frag")],
        );
        check(
            "(http://example.org/wiki/Foo_(bar)).",
            &[("URL", "http://example.org/wiki/Foo_(bar)")],
        );
        check(
            "at http://localhost:8080/health, ok",
            &[("URL", "http://localhost:8080/health")],
        );
        check(
            "ftp://user:pw@files.example.de:21/x",
            &[("URL", "ftp://user:pw@files.example.de:21/x")],
        );
        check(
            "http://[2001:db8::1]:80/p",
            &[("URL", "http://[2001:db8::1]:80/p")],
        );
        check(
            "http://192.168.0.1/admin",
            &[("URL", "http://192.168.0.1/admin")],
        );
        check(
            "\"https://presidio.dataprivacystack.org/\"",
            &[("URL", "https://presidio.dataprivacystack.org/")],
        );
        check("go to www.example.co.uk!", &[("URL", "www.example.co.uk")]);
        check(
            "https://xn--mnchen-3ya.de/ and https://münchen.de/straße",
            &[
                ("URL", "https://xn--mnchen-3ya.de/"),
                ("URL", "https://münchen.de/straße"),
            ],
        );
    }

    #[test]
    fn rejects_hosts_without_a_real_tld() {
        check("http://microsoft and www.microsoft", &[]);
        check("notascheme://example.com", &[]);
    }

    #[test]
    fn a_literal_newline_escape_is_not_part_of_the_scheme() {
        check(
            r"Website:\nhttps://www.example.se/",
            &[("URL", "https://www.example.se/")],
        );
    }

    #[test]
    fn finds_bare_domains_and_skips_false_friends() {
        check(
            "my domains: microsoft.com google.co.il",
            &[
                ("DOMAIN_NAME", "microsoft.com"),
                ("DOMAIN_NAME", "google.co.il"),
            ],
        );
        check(
            "read example.com/docs/page.html now",
            &[("URL", "example.com/docs/page.html")],
        );
        check(
            "run setup.py, edit README.md, load node.js, open file.txt, e.g. this",
            &[],
        );
        check("It was Dr.Who and i.e. nothing", &[]);
        check(
            "The F.C.C.CO.LTD. Orchestra and XTRACK II-GBL.AG.BD/GBP",
            &[],
        );
        check("EXAMPLE.COM", &[("DOMAIN_NAME", "EXAMPLE.COM")]);
        check("mail me at a@b.example.com", &[]);
        check("pi is 3.14159 and v1.2.3", &[]);
    }

    #[test]
    fn context_lifts_ambiguous_domains() {
        check("my website is example.io", &[("DOMAIN_NAME", "example.io")]);
        check("visit our site openai.it", &[("DOMAIN_NAME", "openai.it")]);
    }

    #[test]
    fn bounds_long_urls() {
        let long = format!("https://example.com/{}", "a".repeat(10_000));
        let scanner = Scanner::default();
        let findings = scanner.scan(&long);
        assert!(
            findings
                .iter()
                .all(|f| f.byte_end - f.byte_start <= crate::detect::MAX_SPAN_BYTES)
        );
    }
}
