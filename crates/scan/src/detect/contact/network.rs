//! IP addresses (IPv4, IPv6 with `::` compression, embedded IPv4, zone ids, CIDR prefixes) and MAC
//! addresses (colon, dash and Cisco dot forms).
//!
//! Version numbers: `1.2.3` is never an address (three parts); a four-part dotted number is reported
//! as IPv4 unless a version word (`version`, `v`, `build`, `release` …) stands right before it or it
//! is part of a longer dotted sequence (`1.3.6.1.4.1`, an OID), in which case its score stays below
//! the default threshold. Four single-digit parts (`1.2.3.4`) score lower too: they are as often
//! section numbers as addresses, and need a context word (`ip`, `host`, `server` …).

use memchr::memchr_iter;

use crate::context::{ContextWords, boost};
use crate::detect::{Detector, Sink};
use crate::doc::Doc;
use crate::entity::EntityType;

const IP_CONTEXT: &[&str] = &[
    "ip",
    "ipv4",
    "ipv6",
    "ip address",
    "address",
    "host",
    "server",
    "gateway",
    "subnet",
    "dns",
    "client",
    "router",
    "proxy",
    "ping",
    "connect",
    "connecting",
    "from",
    "src",
    "dst",
];
const VERSION_WORDS: &[&str] = &[
    "version", "ver", "v", "release", "build", "firmware", "rev", "revision", "update", "patch",
    "section", "chapter", "step",
];
const MAC_CONTEXT: &[&str] = &[
    "mac",
    "mac address",
    "hardware address",
    "physical address",
    "ethernet",
    "wifi",
    "wi-fi",
    "bssid",
    "nic",
    "adapter",
];

#[derive(Debug)]
pub(super) struct Ip {
    context: ContextWords,
    versions: ContextWords,
}

impl Default for Ip {
    fn default() -> Ip {
        Ip {
            context: ContextWords::new(IP_CONTEXT),
            versions: ContextWords::new(VERSION_WORDS),
        }
    }
}

impl Detector for Ip {
    fn entities(&self) -> &[EntityType] {
        &[EntityType::IpAddress]
    }

    fn detect(&self, doc: &Doc<'_>, sink: &mut Sink<'_>) {
        if doc.present.dot && doc.present.digit {
            self.detect_v4(doc, sink);
        }
        if doc.present.colon {
            self.detect_v6(doc, sink);
        }
    }
}

impl Ip {
    fn detect_v4(&self, doc: &Doc<'_>, sink: &mut Sink<'_>) {
        let bytes = doc.bytes;
        let mut resume = 0;
        for (_, word) in doc.digit_words() {
            let start = word.start as usize;
            if start < resume || !word.is_number() || word.len() > 3 {
                continue;
            }
            if bytes.get(start + word.len()) != Some(&b'.') {
                continue;
            }
            // Inside a longer dotted number ("10.1.2.3.4" read from its second part) or glued to a
            // word ("IP192.168.1.1"): not an address of its own.
            if !doc.boundary_before(start) {
                continue;
            }
            let before_dot = matches!(doc.byte_before(start), Some(b'.'))
                && start >= 2
                && bytes[start - 2].is_ascii_digit();
            let Some(end) = ipv4_end(bytes, start) else {
                continue;
            };
            resume = end;
            if !doc.boundary_after(end) {
                continue;
            }
            let longer = before_dot
                || (bytes.get(end) == Some(&b'.')
                    && bytes.get(end + 1).is_some_and(u8::is_ascii_digit));
            let end = cidr_end(bytes, end, 32);
            let single_digits = bytes[start..end]
                .iter()
                .filter(|b| b.is_ascii_digit())
                .count()
                == 4;
            let version = self.versions.near_window(doc, start, end, 1, 0);
            let mut score = if longer || version {
                0.2
            } else if single_digits {
                0.3
            } else {
                0.6
            };
            if !longer && !version && self.context.near(doc, start, end) {
                score = boost(score);
            }
            sink.push(start, end, EntityType::IpAddress, score, "ip_address");
        }
    }

    fn detect_v6(&self, doc: &Doc<'_>, sink: &mut Sink<'_>) {
        let bytes = doc.bytes;
        let mut resume = 0;
        for colon in memchr_iter(b':', bytes) {
            if colon < resume {
                continue;
            }
            // The run of hex digits, colons and dots around this colon, at most 45 bytes each way.
            let mut start = colon;
            while start > 0
                && colon - start < 45
                && (bytes[start - 1].is_ascii_hexdigit() || bytes[start - 1] == b':')
            {
                start -= 1;
            }
            let mut end = colon;
            while end < bytes.len()
                && end - start < 64
                && (bytes[end].is_ascii_hexdigit() || matches!(bytes[end], b':' | b'.'))
            {
                end += 1;
            }
            resume = end;
            while end > colon && bytes[end - 1] == b'.' {
                end -= 1;
            }
            // An address is a token of its own: no word characters glued to either side.
            if !doc.boundary_before(start) || start > 0 && bytes[start - 1] == b'.' {
                continue;
            }
            let Some(shape) = parse_ipv6(&bytes[start..end]) else {
                continue;
            };
            // Zone id: `fe80::1%eth0`.
            if bytes.get(end) == Some(&b'%') {
                let zone = bytes[end + 1..]
                    .iter()
                    .take(16)
                    .take_while(|b| b.is_ascii_alphanumeric() || matches!(b, b'_' | b'.' | b'-'))
                    .count();
                if zone > 0 {
                    end += 1 + zone;
                    while bytes[end - 1] == b'.' {
                        end -= 1;
                    }
                }
            }
            if !doc.boundary_after(end) {
                continue;
            }
            let end = cidr_end(bytes, end, 128);
            let mut score = if shape.unspecified {
                0.1
            } else if shape.only_letters && shape.n_groups <= 2 {
                // `db::add`, `ab::cd`: code paths, not addresses.
                0.2
            } else {
                0.6
            };
            if self.context.near(doc, start, end) {
                score = boost(score);
            }
            sink.push(start, end, EntityType::IpAddress, score, "ip_address");
        }
    }
}

/// The end of a dotted-quad IPv4 address starting at `start`, if the four octets are valid
/// (0–255, no leading zeros).
fn ipv4_end(bytes: &[u8], start: usize) -> Option<usize> {
    let mut at = start;
    for part in 0..4 {
        let digits = bytes[at..]
            .iter()
            .take(4)
            .take_while(|b| b.is_ascii_digit())
            .count();
        if digits == 0 || digits > 3 {
            return None;
        }
        let octet = &bytes[at..at + digits];
        if digits > 1 && octet[0] == b'0' {
            return None;
        }
        let value = octet.iter().fold(0u32, |v, d| v * 10 + u32::from(d - b'0'));
        if value > 255 {
            return None;
        }
        at += digits;
        if part < 3 {
            if bytes.get(at) != Some(&b'.') {
                return None;
            }
            at += 1;
        }
    }
    Some(at)
}

/// Extends an address ending at `end` over a CIDR suffix `/n` with `n <= max`.
fn cidr_end(bytes: &[u8], end: usize, max: u32) -> usize {
    if bytes.get(end) != Some(&b'/') {
        return end;
    }
    let digits = bytes[end + 1..]
        .iter()
        .take(4)
        .take_while(|b| b.is_ascii_digit())
        .count();
    if digits == 0 || digits > 3 {
        return end;
    }
    let after = end + 1 + digits;
    if bytes
        .get(after)
        .is_some_and(|b| b.is_ascii_alphanumeric() || *b == b'/')
    {
        return end;
    }
    let value = bytes[end + 1..after]
        .iter()
        .fold(0u32, |v, d| v * 10 + u32::from(d - b'0'));
    if value > max || (digits > 1 && bytes[end + 1] == b'0') {
        return end;
    }
    after
}

#[derive(Debug, Clone, Copy)]
struct Ipv6Shape {
    n_groups: usize,
    unspecified: bool,
    only_letters: bool,
}

/// Parses an IPv6 address (RFC 4291 text forms): eight groups of 1–4 hex digits, or fewer with one
/// `::`, optionally ending in a dotted-quad IPv4 address that counts as two groups.
fn parse_ipv6(s: &[u8]) -> Option<Ipv6Shape> {
    if s.len() < 2 || s.len() > 45 {
        return None;
    }
    let text = std::str::from_utf8(s).ok()?;
    let double = text.matches("::").count();
    if double > 1 || text.contains(":::") {
        return None;
    }
    if text == "::" {
        return Some(Ipv6Shape {
            n_groups: 0,
            unspecified: true,
            only_letters: false,
        });
    }
    let (head, tail) = match text.split_once("::") {
        Some((head, tail)) => (head, Some(tail)),
        None => (text, None),
    };
    let mut n_groups = 0;
    let mut only_letters = true;
    let mut parts: Vec<&str> = Vec::with_capacity(8);
    if !head.is_empty() {
        parts.extend(head.split(':'));
    }
    if let Some(tail) = tail
        && !tail.is_empty()
    {
        parts.extend(tail.split(':'));
    }
    let n_parts = parts.len();
    for (i, part) in parts.iter().enumerate() {
        if part.contains('.') {
            // An embedded IPv4 address must be the last part.
            if i + 1 != n_parts || !super::host::is_ipv4(part) {
                return None;
            }
            n_groups += 2;
            only_letters = false;
            continue;
        }
        if part.is_empty() || part.len() > 4 || !part.bytes().all(|b| b.is_ascii_hexdigit()) {
            return None;
        }
        if part.bytes().any(|b| b.is_ascii_digit()) {
            only_letters = false;
        }
        n_groups += 1;
    }
    let valid = match tail {
        Some(_) => n_groups <= 7,
        None => n_groups == 8,
    };
    valid.then_some(Ipv6Shape {
        n_groups,
        unspecified: false,
        only_letters,
    })
}

#[derive(Debug)]
pub(super) struct Mac {
    context: ContextWords,
}

impl Default for Mac {
    fn default() -> Mac {
        Mac {
            context: ContextWords::new(MAC_CONTEXT),
        }
    }
}

impl Detector for Mac {
    fn entities(&self) -> &[EntityType] {
        &[EntityType::MacAddress]
    }

    fn detect(&self, doc: &Doc<'_>, sink: &mut Sink<'_>) {
        if !(doc.present.colon || doc.present.dash || doc.present.dot) {
            return;
        }
        let bytes = doc.bytes;
        let mut resume = 0;
        // From each separator: a MAC address starts with a 2-hex group before `:`/`-`, or a 4-hex
        // group before `.`.
        for sep in memchr::memchr3_iter(b':', b'-', b'.', bytes) {
            let group = if bytes[sep] == b'.' { 4 } else { 2 };
            let Some(start) = sep.checked_sub(group) else {
                continue;
            };
            if start < resume || !bytes[start..sep].iter().all(u8::is_ascii_hexdigit) {
                continue;
            }
            if !doc.boundary_before(start) {
                continue;
            }
            if matches!(doc.byte_before(start), Some(b':' | b'-' | b'.')) {
                continue;
            }
            let Some((end, has_letter)) = mac_end(bytes, start) else {
                continue;
            };
            resume = end;
            if !doc.boundary_after(end)
                || matches!(bytes.get(end), Some(b':' | b'-'))
                    && bytes.get(end + 1).is_some_and(u8::is_ascii_hexdigit)
            {
                continue;
            }
            let hex: Vec<u8> = bytes[start..end]
                .iter()
                .filter(|b| b.is_ascii_hexdigit())
                .map(u8::to_ascii_uppercase)
                .collect();
            if hex.iter().all(|&b| b == b'0') || hex.iter().all(|&b| b == b'F') {
                continue;
            }
            let mut score = if has_letter { 0.6 } else { 0.45 };
            if self.context.near(doc, start, end) {
                score = boost(score);
            }
            sink.push(start, end, EntityType::MacAddress, score, "mac_address");
        }
    }
}

/// The end of a MAC address at `start` (`00:1A:2B:3C:4D:5E`, `00-1A-…`, `001A.2B3C.4D5E`) and whether
/// it contains a hex letter.
fn mac_end(bytes: &[u8], start: usize) -> Option<(usize, bool)> {
    let hex_run = |at: usize| {
        bytes[at.min(bytes.len())..]
            .iter()
            .take(5)
            .take_while(|b| b.is_ascii_hexdigit())
            .count()
    };
    let first = hex_run(start);
    let (group, n_groups, sep) = match (first, bytes.get(start + first)) {
        (2, Some(&s @ (b':' | b'-'))) => (2, 6, s),
        (4, Some(b'.')) => (4, 3, b'.'),
        _ => return None,
    };
    let mut at = start;
    for i in 0..n_groups {
        if hex_run(at) != group {
            return None;
        }
        at += group;
        if i + 1 < n_groups {
            if bytes.get(at) != Some(&sep) {
                return None;
            }
            at += 1;
        }
    }
    let has_letter = bytes[start..at].iter().any(u8::is_ascii_alphabetic);
    Some((at, has_letter))
}

#[cfg(test)]
mod tests {
    use crate::{EntityType, Scanner, ScannerConfig};

    fn check(entity: EntityType, input: &str, expect: &[&str]) {
        let scanner = Scanner::new(&ScannerConfig {
            entities: vec![entity.clone()],
            ..ScannerConfig::default()
        })
        .unwrap();
        let found: Vec<&str> = scanner
            .scan(input)
            .into_iter()
            .map(|f| &input[f.byte_start..f.byte_end])
            .collect();
        assert_eq!(found, expect, "{entity} in {input:?}");
    }

    #[test]
    fn finds_ipv4_with_prefixes_and_trims_punctuation() {
        let ip = EntityType::IpAddress;
        check(ip.clone(), "IP: 192.168.1.1.", &["192.168.1.1"]);
        check(ip.clone(), "Route is 10.0.0.0/8.", &["10.0.0.0/8"]);
        check(ip.clone(), "(192.168.1.1)", &["192.168.1.1"]);
        check(ip.clone(), "10.0.0.0/123 x", &["10.0.0.0"]);
        check(
            ip.clone(),
            "256.1.1.1 192.168.01.1 1.2.3 text192.168.1.1",
            &[],
        );
        check(
            ip.clone(),
            "ＩＰ １９２．１６８．０．１",
            &["１９２．１６８．０．１"],
        );
    }

    #[test]
    fn version_numbers_are_not_addresses() {
        let ip = EntityType::IpAddress;
        check(ip.clone(), "upgrade to version 10.2.3.4 now", &[]);
        check(ip.clone(), "oid 1.3.6.1.4.1.311", &[]);
        check(ip.clone(), "see section 1.2.3.4", &[]);
        check(ip.clone(), "server ip 1.2.3.4", &["1.2.3.4"]);
    }

    #[test]
    fn finds_ipv6_forms() {
        let ip = EntityType::IpAddress;
        check(ip.clone(), "my ip: 2001:db8::1.", &["2001:db8::1"]);
        check(ip.clone(), "fe80::1%eth0/64 up", &["fe80::1%eth0/64"]);
        check(
            ip.clone(),
            "mapped ::ffff:192.0.2.1 ok",
            &["::ffff:192.0.2.1"],
        );
        check(ip.clone(), "[2001:db8::1]:8080", &["2001:db8::1"]);
        check(
            ip.clone(),
            "full 2345:0425:2CA1:0000:0000:0567:5673:23b5",
            &["2345:0425:2CA1:0000:0000:0567:5673:23b5"],
        );
        check(
            ip.clone(),
            "Time 12:34:56, 2001::db8::1, std::cout, aa:bb:cc:dd:ee:ff",
            &[],
        );
        check(ip.clone(), "use db::add;", &[]);
    }

    #[test]
    fn finds_mac_addresses() {
        let mac = EntityType::MacAddress;
        check(
            mac.clone(),
            "MAC 00:1A:2B:3C:4D:5E.",
            &["00:1A:2B:3C:4D:5E"],
        );
        check(
            mac.clone(),
            "hw 0d-B3-4a-6A-d9-cF and 0012.3456.789A",
            &["0d-B3-4a-6A-d9-cF", "0012.3456.789A"],
        );
        check(
            mac.clone(),
            "00:1A:2B:3C:4D 10:2F:33-AC-29-C3 FF:FF:FF:FF:FF:FF 00:1A:2B:3C:4D:5E:6F",
            &[],
        );
    }
}
