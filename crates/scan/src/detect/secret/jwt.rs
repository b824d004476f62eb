//! JSON Web Tokens: `header.payload.signature`, base64url, the header and payload JSON objects (so
//! both start `eyJ`, base64 of `{"`). The header is decoded and must be a JSON object naming `alg`
//! or `typ`; the signature may be empty (`alg: none`) or missing (an unsigned pair, which the
//! labelled sets count as a token too).

use base64::Engine;
use base64::alphabet;
use base64::engine::{DecodePaddingMode, GeneralPurpose, GeneralPurposeConfig};

use crate::detect::MAX_SPAN_BYTES;
use crate::detect::secret::value::{clear_before, is_b64url, run};
use crate::detect::secret::{Out, subtype};

const DETECTOR: &str = "jwt";

/// Headers are short; anything longer is not a header.
const MAX_HEADER: usize = 1024;

/// Base64url without padding, tolerant of stray padding and trailing bits.
const LENIENT: GeneralPurpose = GeneralPurpose::new(
    &alphabet::URL_SAFE,
    GeneralPurposeConfig::new()
        .with_decode_padding_mode(DecodePaddingMode::Indifferent)
        .with_decode_allow_trailing_bits(true),
);

/// Parses a JWT starting at `at` (an `eyJ`); returns its end if one was reported.
pub(crate) fn at_header(out: &mut Out<'_, '_, '_>, at: usize) -> Option<usize> {
    let bytes = out.doc.bytes;
    if !clear_before(bytes, at, is_b64url) {
        return None;
    }
    let header_len = run(bytes, at, MAX_HEADER + 1, is_b64url);
    if header_len > MAX_HEADER || bytes.get(at + header_len) != Some(&b'.') {
        return None;
    }
    let payload_start = at + header_len + 1;
    if bytes.get(payload_start..payload_start + 3) != Some(b"eyJ") {
        return None;
    }
    let budget = MAX_SPAN_BYTES.saturating_sub(header_len + 1);
    let payload_len = run(bytes, payload_start, budget, is_b64url);
    let mut end = payload_start + payload_len;
    if payload_len < 8 || !header_ok(&bytes[at..at + header_len]) {
        return None;
    }
    if bytes.get(end) == Some(&b'.') {
        let budget = MAX_SPAN_BYTES.saturating_sub(end + 1 - at);
        end += 1 + run(bytes, end + 1, budget, is_b64url);
    }
    out.emit(at, end, subtype::JWT, 1.0, DETECTOR);
    Some(end)
}

/// The decoded header is a JSON object (`{…}`) with an `alg` or `typ` member.
fn header_ok(header: &[u8]) -> bool {
    let Ok(json) = LENIENT.decode(header) else {
        return false;
    };
    let trimmed = json.trim_ascii();
    trimmed.first() == Some(&b'{')
        && trimmed.last() == Some(&b'}')
        && (contains(trimmed, b"\"alg\"") || contains(trimmed, b"\"typ\""))
}

fn contains(haystack: &[u8], needle: &[u8]) -> bool {
    haystack.windows(needle.len()).any(|w| w == needle)
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::detect::secret::testing::{check, none};

    const HEADER: &str = "eyJhbGciOiJIUzI1NiIsInR5cCI6IkpXVCJ9";
    const PAYLOAD: &str = "eyJzdWIiOiIxMjM0IiwibmFtZSI6IkFkYSJ9";
    const SIG: &str = "gk3ySL2HlV3BIx6n9y7g3pJBRooxhZeQRJPhvROjvIs";

    #[test]
    fn tokens_with_or_without_signature() {
        let full = format!("{HEADER}.{PAYLOAD}.{SIG}");
        check(&format!("Authorization: Bearer {full}"), &[("JWT", &full)]);
        check(&format!("?access_token={full}&x=1"), &[("JWT", &full)]);
        let unsigned = format!("{HEADER}.{PAYLOAD}");
        check(&unsigned, &[("JWT", &unsigned)]);
        let none_alg = "eyJhbGciOiJub25lIn0.eyJzdWIiOiJ0ZXN0LXVzZXIifQ.";
        check(&format!("\"{none_alg}\""), &[("JWT", none_alg)]);
    }

    #[test]
    fn look_alikes_are_not_tokens() {
        none(&[
            HEADER,
            "eyJAAAA.eyJBBB",
            "eyJBB.eyJCC.eyJDDDD",
            "bm90X3ZhbGlkX2pzb25fYXRfYWxs.bm90X3ZhbGlkX2pzb25fYXRfYWxs.SflKxwRJSMeKKF2QT4fwpMeJf36POk6yJV_adQssw5c",
            &format!("x{HEADER}.{PAYLOAD}.{SIG}"),
        ]);
    }

    #[test]
    fn headers_must_decode_to_objects_naming_alg_or_typ() {
        assert!(header_ok(b"eyJhbGciOiJIUzI1NiIsInR5cCI6IkpXVCJ9"));
        // Garbled `alg` value, still an object with both names.
        assert!(header_ok(b"eyJhbGciOieeeiIsInR5cCI6IkpXVCJ9"));
        // Cut before the closing brace.
        assert!(!header_ok(b"eyJhbGciOiJIUzI1NiIsInR5cCI6IkpXVCJ"));
        assert!(!header_ok(b"eyJAAAA"));
    }
}
