//! HTTP credentials: `Authorization` header values (`Basic …`, `Bearer …`, `Token …`, or a bare
//! token) and `curl -u user:password` / `--user`.

use base64::Engine;
use base64::engine::general_purpose::STANDARD;

use crate::detect::secret::value::{is_b64, looks_random, not_secret, run};
use crate::detect::secret::{LOOK_BEHIND, Out, slot, subtype};

const DETECTOR: &str = "secret-http";

fn is_blank(b: u8) -> bool {
    b == b' ' || b == b'\t'
}

fn is_quote(b: u8) -> bool {
    matches!(b, b'"' | b'\'' | b'`')
}

/// Characters of a header credential: anything printable but quotes, spaces and separators.
fn is_credential_byte(b: u8) -> bool {
    b.is_ascii_graphic() && !matches!(b, b'"' | b'\'' | b'`' | b',' | b';' | b'\\')
}

/// The value of an `Authorization` header, starting at `at` (after `:` and spaces).
pub(crate) fn authorization(out: &mut Out<'_, '_, '_>, mut at: usize) {
    let bytes = out.doc.bytes;
    if bytes.get(at).is_some_and(|&b| is_quote(b)) {
        at += 1;
    }
    let first = run(bytes, at, 1024, is_credential_byte);
    if first == 0 {
        return;
    }
    let mut start = at;
    let mut end = at + first;
    let mut scheme: &[u8] = b"";
    // `Scheme credentials`: a short alphabetic word, a space, then the credentials.
    let word = &bytes[at..at + first];
    if first <= 12
        && word.iter().all(|&b| b.is_ascii_alphabetic() || b == b'-')
        && bytes.get(end).is_some_and(|&b| is_blank(b))
    {
        let mut i = end;
        i += run(bytes, i, 8, is_blank);
        let n = run(bytes, i, 4096, is_credential_byte);
        if n > 0 {
            scheme = word;
            start = i;
            end = i + n;
        }
    }
    while end > start && matches!(bytes[end - 1], b')' | b'.') {
        end -= 1;
    }
    let Some(value) = out.doc.text.get(start..end) else {
        return;
    };
    let raw = value.as_bytes();
    if not_secret(value).is_some() || raw.len() < 8 {
        return;
    }
    if scheme.eq_ignore_ascii_case(b"basic") {
        // user:password in base64; the decoded pair must have its colon.
        if !raw.iter().all(|&b| is_b64(b)) {
            return;
        }
        let Ok(decoded) = STANDARD.decode(raw) else {
            return;
        };
        if decoded.contains(&b':') {
            out.emit(start, end, subtype::HTTP_BASIC_AUTH, 0.9, DETECTOR);
        }
        return;
    }
    // A provider token or a JWT here is also reported by its own parser, at a higher score, over the
    // same span; resolution keeps that one.
    if looks_random(raw, 8) || slot::is_uuid(raw) {
        out.emit(start, end, subtype::BEARER_TOKEN, 0.9, DETECTOR);
    }
}

/// `curl … -u user:password` / `--user user:password` / `--user=…`, with `curl` at most
/// [`LOOK_BEHIND`] bytes earlier (possibly across `\\` line continuations). `at` is where the
/// automaton found ` -u` (or a tab) or `--u`.
pub(crate) fn curl_user(out: &mut Out<'_, '_, '_>, at: usize) {
    let bytes = out.doc.bytes;
    // The option stands alone: ` -u ` or ` --user ` / ` --user=`.
    let long = bytes.get(at..at + 6) == Some(b"--user");
    let (option_start, option_end) = if long { (at, at + 6) } else { (at + 1, at + 3) };
    if option_start == 0 || !bytes[option_start - 1].is_ascii_whitespace() {
        return;
    }
    let mut i = option_end;
    match bytes.get(i) {
        Some(b' ' | b'\t') => i += run(bytes, i, 8, is_blank),
        Some(b'=') if long => i += 1,
        _ => return,
    }
    if !curl_before(bytes, option_start) {
        return;
    }
    // The credentials: `user:pass`, `'user:pass'`, `"user":"pass"`, `user:'pass'`.
    let (user, sep, password_end) = match credentials(bytes, i) {
        Some(parts) => parts,
        None => return,
    };
    let (user_start, user_end) = user;
    let (pass_start, pass_end) = (sep + 1, password_end);
    let strip = |s: usize, e: usize| -> (usize, usize) {
        if e > s + 1 && is_quote(bytes[s]) && bytes[e - 1] == bytes[s] {
            (s + 1, e - 1)
        } else {
            (s, e)
        }
    };
    let (us, ue) = strip(user_start, user_end);
    let (ps, pe) = strip(pass_start, pass_end);
    let (Some(user_text), Some(pass_text)) = (out.doc.text.get(us..ue), out.doc.text.get(ps..pe))
    else {
        return;
    };
    if pass_text.is_empty() {
        // `curl -u "token:"`: the API key is the user name (Stripe, Mailgun…).
        if looks_random(user_text.as_bytes(), 10) && not_secret(user_text).is_none() {
            out.emit(us, ue, subtype::HTTP_BASIC_AUTH, 0.9, DETECTOR);
        }
        return;
    }
    if not_secret(pass_text).is_some() || pass_text.len() < 4 || pass_text == user_text {
        return;
    }
    out.emit(ps, pe, subtype::HTTP_BASIC_AUTH, 0.9, DETECTOR);
}

/// True if the word `curl` starts a command within [`LOOK_BEHIND`] bytes before `at`.
fn curl_before(bytes: &[u8], at: usize) -> bool {
    let floor = at.saturating_sub(LOOK_BEHIND);
    let window = &bytes[floor..at];
    window.windows(4).enumerate().any(|(p, w)| {
        w == b"curl"
            && (p + floor == 0 || !bytes[p + floor - 1].is_ascii_alphanumeric())
            && bytes.get(p + floor + 4).is_some_and(|&b| is_blank(b))
    })
}

/// Splits `user:password` starting at `i`. Returns the user span, the colon, and the end of the
/// password. Quotes may wrap the pair or each side.
fn credentials(bytes: &[u8], i: usize) -> Option<((usize, usize), usize, usize)> {
    let first = *bytes.get(i)?;
    if is_quote(first) {
        // Quoted: find the closing quote on the line.
        let len = run(bytes, i + 1, 512, |b| b != first && b != b'\n');
        let close = i + 1 + len;
        if bytes.get(close) != Some(&first) {
            return None;
        }
        let inner = &bytes[i + 1..close];
        if let Some(colon) = inner.iter().position(|&b| b == b':') {
            // `"user:pass"`.
            return Some(((i + 1, i + 1 + colon), i + 1 + colon, close));
        }
        // `"user":"pass"` / `"user":pass`.
        if bytes.get(close + 1) == Some(&b':') {
            let p = close + 2;
            let end = value_end(bytes, p)?;
            return Some(((i, close + 1), close + 1, end));
        }
        return None;
    }
    let len = run(bytes, i, 512, |b| {
        !b.is_ascii_whitespace() && b != b':' && !is_quote(b)
    });
    let colon = i + len;
    if bytes.get(colon) != Some(&b':') {
        return None;
    }
    let end = value_end(bytes, colon + 1)?;
    Some(((i, colon), colon, end))
}

/// End of an unquoted or quoted word at `p`.
fn value_end(bytes: &[u8], p: usize) -> Option<usize> {
    match bytes.get(p) {
        Some(&q) if is_quote(q) => {
            let len = run(bytes, p + 1, 512, |b| b != q && b != b'\n');
            (bytes.get(p + 1 + len) == Some(&q)).then_some(p + 2 + len)
        }
        _ => Some(p + run(bytes, p, 512, |b| !b.is_ascii_whitespace())),
    }
}

#[cfg(test)]
mod tests {
    use crate::detect::secret::testing::{check, none};

    const B: &str = "HTTP_BASIC_AUTH";

    #[test]
    fn authorization_headers() {
        check(
            "curl -H 'Authorization: Basic YWxhZGRpbjpvcGVuc2VzYW1l'",
            &[(B, "YWxhZGRpbjpvcGVuc2VzYW1l")],
        );
        check(
            "Authorization: Bearer gc3zRucmghCTw8Dn9zLF36oH",
            &[("BEARER_TOKEN", "gc3zRucmghCTw8Dn9zLF36oH")],
        );
        check(
            "\"Authorization\": \"Token 3f2a1c9e-4b7d-4e2a-9c1f-7a8b6d5e4c3b\"",
            &[("BEARER_TOKEN", "3f2a1c9e-4b7d-4e2a-9c1f-7a8b6d5e4c3b")],
        );
        check(
            "headers[\"Authorization\"] = \"sha256~bRLFnzd5@=-.a+/hgdS\"",
            &[("BEARER_TOKEN", "sha256~bRLFnzd5@=-.a+/hgdS")],
        );
        // A provider token in the header is reported as that token.
        check(
            "Authorization: Bearer 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",
            &[(
                "OPENAI_API_KEY",
                "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",
            )],
        );
        none(&[
            "Authorization: Bearer XXXXXXXXXXXX",
            "Authorization: Bearer <token>",
            "Authorization: Bearer $API_KEY",
            "Authorization: Bearer $(gcloud auth print-access-token)",
            "Authorization: Basic ...",
            "Authorization: Token **********",
            "without authorization from the owner",
        ]);
    }

    #[test]
    fn curl_user_options() {
        check(
            "curl -u elastic:P@ssw0rd$1 https://localhost:9200",
            &[(B, "P@ssw0rd$1")],
        );
        check(
            "curl -s --user 'api:K9x!v2Lpq' https://api.example.com",
            &[(B, "K9x!v2Lpq")],
        );
        check(
            "curl --user=deploy:K9x!v2Lpq https://x",
            &[(B, "K9x!v2Lpq")],
        );
        check(
            "curl -X POST \\\n  -d 'a=b' \\\n  -u developer:yqDVtkqPECriaLRi",
            &[(B, "yqDVtkqPECriaLRi")],
        );
        check(
            "curl -u \"gc3zRucmghCTw8Dn:\" https://api.stripe.com",
            &[(B, "gc3zRucmghCTw8Dn")],
        );
        check(
            "curl --user kevin:'pRf7vG2h1L8nQkW9' -X PATCH",
            &[(B, "pRf7vG2h1L8nQkW9")],
        );
        none(&[
            "curl -i -u 'test:test'",
            "curl -u <user:password> https://test.com/endpoint",
            "curl -u \"$USER:$PASS\" https://x",
            "curl -u \"${username}:${password}\"",
            "curl --user \"xxx:yyy\"",
            "git push -u origin main:release",
            "sudo -u postgres psql",
        ]);
    }
}
