//! The word pass: provider tokens and JWTs found from the words the document was lexed into (runs
//! of letters and digits), by prefix (`ghp` + `_`, `xoxb` + `-`, `AKIA…`, `eyJ…`) or by shape:
//! Discord bot tokens, Twilio keys, Artifactory `AP…` passwords, Mailchimp keys, Telegram bot
//! tokens, Facebook app tokens; and high-entropy strings in quotes or after `=` with no key word at
//! all. Azure AD client secrets are found from their `Q~` by the automaton.
//!
//! Prose words are short and followed by a space: two checks dismiss them.

use crate::detect::secret::token::{PLACEHOLDER_SCORE, PrefixIndex, has_known_prefix};
use crate::detect::secret::value::{
    Profile, clear_after, clear_before, is_alnum, is_b64_any, is_b64url, is_filler, is_hex,
    is_hex_lower, looks_random, open_after, open_before, run, run_back,
};
use crate::detect::secret::{Out, jwt, slot, subtype};
use crate::doc::shape;

const DETECTOR: &str = "secret-shape";

/// Shortest word that can start a format found by shape (Telegram ids have 8 digits).
const MIN_WORD: usize = 8;

pub(crate) fn scan_words(out: &mut Out<'_, '_, '_>, prefixes: &PrefixIndex) {
    let doc = out.doc;
    let bytes = doc.bytes;
    let mut state = WordState::default();
    for word in &doc.words {
        let (start, end) = (word.start as usize, word.end as usize);
        if !word.has(shape::NON_ASCII) {
            // The common case, kept in the loop: a word of prose, followed by a space or by
            // punctuation that does not join tokens, and short or all lower-case letters (no
            // format starts with such a word unless a separator follows it).
            let joined = matches!(bytes.get(end), Some(b'_' | b'-' | b'.' | b'~'));
            let plain = !word.has(shape::DIGIT) && !word.has(shape::UPPER);
            if !joined && (end - start < MIN_WORD || plain) {
                continue;
            }
            at_word(out, prefixes, &mut state, start, end);
            continue;
        }
        // A word with letters of other scripts (`密钥是ghp`, `ключAKIA…`): tokens are ASCII, so its
        // ASCII runs are the words to look at.
        let mut i = start;
        while i < end {
            let n = run(bytes, i, end - i, |b| b.is_ascii_alphanumeric());
            if n > 0 {
                at_word(out, prefixes, &mut state, i, i + n);
                i += n;
            } else {
                i += 1;
            }
        }
    }
}

#[derive(Default)]
struct WordState {
    skip_until: usize,
    covered: usize,
}

fn at_word(
    out: &mut Out<'_, '_, '_>,
    prefixes: &PrefixIndex,
    state: &mut WordState,
    start: usize,
    end: usize,
) {
    let bytes = out.doc.bytes;
    if start < state.skip_until {
        return;
    }
    let next = bytes.get(end).copied();
    let joined = matches!(next, Some(b'_' | b'-' | b'.' | b'~'));
    if !joined && end - start < MIN_WORD {
        return;
    }
    // Inside a private key or another whole token found by the first pass.
    while out
        .covered
        .get(state.covered)
        .is_some_and(|&(_, e)| e <= start)
    {
        state.covered += 1;
    }
    if out
        .covered
        .get(state.covered)
        .is_some_and(|&(s, _)| s <= start)
    {
        return;
    }
    if let Some((token_start, parsed, score)) = prefixes.at_word(bytes, start, end) {
        out.emit(
            token_start,
            parsed.end,
            parsed.subtype,
            score,
            "secret-token",
        );
        state.skip_until = parsed.end;
        return;
    }
    if bytes[start..end].starts_with(b"eyJ")
        && let Some(jwt_end) = jwt::at_header(out, start)
    {
        state.skip_until = jwt_end;
        return;
    }
    if end - start < MIN_WORD {
        return;
    }
    let found = match next {
        Some(b'.') => discord(out, end),
        Some(b':') => telegram(out, start, end),
        Some(b'|') => facebook_app(out, start, end),
        Some(b'-') => mailchimp(out, start, end),
        _ => None,
    }
    .or_else(|| twilio(out, start, end))
    .or_else(|| artifactory(out, start, end))
    .or_else(|| unkeyed_entropy(out, start, end));
    if let Some(found_end) = found {
        state.skip_until = found_end;
    }
}

/// Discord bot tokens: base64 of the bot's numeric id (24–26 characters, so starting `M`, `N` or
/// `O`), `.`, a 6-character timestamp, `.`, an HMAC of 27 or more characters. `dot` is the first
/// dot; the id may contain `-` and `_`, which split words, so it is measured back from the dot.
fn discord(out: &mut Out<'_, '_, '_>, dot: usize) -> Option<usize> {
    let bytes = out.doc.bytes;
    let id_len = run_back(bytes, dot, 27, is_b64url);
    if !(24..=26).contains(&id_len) {
        return None;
    }
    let start = dot - id_len;
    if !matches!(bytes[start], b'M' | b'N' | b'O') || !clear_before(bytes, start, is_b64url) {
        return None;
    }
    let stamp = run(bytes, dot + 1, 7, is_b64url);
    if stamp != 6 || bytes.get(dot + 7) != Some(&b'.') {
        return None;
    }
    let mac = run(bytes, dot + 8, 128, is_b64url);
    if mac < 27 {
        return None;
    }
    let end = dot + 8 + mac;
    if is_filler(&bytes[dot + 8..end]) || Profile::of(&bytes[start..dot]).classes() < 2 {
        return None;
    }
    out.emit(start, end, subtype::DISCORD_BOT_TOKEN, 1.0, DETECTOR);
    Some(end)
}

/// Telegram bot tokens: the bot's numeric id (8–10 digits), `:`, then `AA` and 33 characters.
fn telegram(out: &mut Out<'_, '_, '_>, start: usize, end: usize) -> Option<usize> {
    let bytes = out.doc.bytes;
    let id = &bytes[start..end];
    if !(8..=10).contains(&id.len())
        || !id.iter().all(u8::is_ascii_digit)
        || !open_before(bytes, start)
    {
        return None;
    }
    if bytes.get(end + 1..end + 3) != Some(b"AA") {
        return None;
    }
    let body = run(bytes, end + 3, 34, is_b64url);
    let token_end = end + 3 + body;
    if body != 33 || !clear_after(bytes, token_end, is_b64url) {
        return None;
    }
    out.emit(start, token_end, subtype::TELEGRAM_BOT_TOKEN, 1.0, DETECTOR);
    Some(token_end)
}

/// Facebook app access tokens: the app id (15–16 digits), `|`, then 27 characters.
fn facebook_app(out: &mut Out<'_, '_, '_>, start: usize, end: usize) -> Option<usize> {
    let bytes = out.doc.bytes;
    let id = &bytes[start..end];
    if !(15..=16).contains(&id.len())
        || !id.iter().all(u8::is_ascii_digit)
        || !open_before(bytes, start)
    {
        return None;
    }
    let body = run(bytes, end + 1, 28, is_b64url);
    let token_end = end + 1 + body;
    if body != 27
        || !clear_after(bytes, token_end, is_b64url)
        || Profile::of(&bytes[end + 1..token_end]).classes() < 2
    {
        return None;
    }
    out.emit(
        start,
        token_end,
        subtype::FACEBOOK_ACCESS_TOKEN,
        1.0,
        DETECTOR,
    );
    Some(token_end)
}

/// Mailchimp API keys: 32 lower-case hex digits, `-us`, the data-centre number.
fn mailchimp(out: &mut Out<'_, '_, '_>, start: usize, end: usize) -> Option<usize> {
    let bytes = out.doc.bytes;
    let key = &bytes[start..end];
    if key.len() != 32 || !key.iter().all(|&b| is_hex_lower(b)) || !open_before(bytes, start) {
        return None;
    }
    if bytes.get(end..end + 3) != Some(b"-us") {
        return None;
    }
    let dc = run(bytes, end + 3, 3, |b| b.is_ascii_digit());
    let token_end = end + 3 + dc;
    if !(1..=2).contains(&dc) || !open_after(bytes, token_end) {
        return None;
    }
    out.emit(start, token_end, subtype::MAILCHIMP_API_KEY, 1.0, DETECTOR);
    Some(token_end)
}

/// Twilio account and API key SIDs: `AC` or `SK` and 32 lower-case hex digits. Labelled sets also
/// count `SKxxxx…` placeholders, reported at a low score.
fn twilio(out: &mut Out<'_, '_, '_>, start: usize, end: usize) -> Option<usize> {
    let bytes = out.doc.bytes;
    let word = &bytes[start..end];
    if word.len() != 34 || !(word.starts_with(b"AC") || word.starts_with(b"SK")) {
        return None;
    }
    if !open_before(bytes, start) || !open_after(bytes, end) {
        return None;
    }
    let body = &word[2..];
    let score = if body.iter().all(|&b| is_hex_lower(b)) && !is_filler(body) {
        1.0
    } else if body.iter().all(|&b| b == b'x') {
        PLACEHOLDER_SCORE
    } else {
        return None;
    };
    out.emit(start, end, subtype::TWILIO_KEY, score, DETECTOR);
    Some(end)
}

/// Artifactory encrypted passwords and API keys: `AP` + a hex digit + 10 or more letters and
/// digits (`AKC…` keys are found by prefix). Not an upper-case word (`APACHECOMMONS`).
fn artifactory(out: &mut Out<'_, '_, '_>, start: usize, end: usize) -> Option<usize> {
    let bytes = out.doc.bytes;
    let word = &bytes[start..end];
    if word.len() < 13
        || !word.starts_with(b"AP")
        || !word[2].is_ascii_hexdigit()
        || word[2].is_ascii_lowercase()
    {
        return None;
    }
    if !clear_before(bytes, start, is_b64url) || !clear_after(bytes, end, is_b64url) {
        return None;
    }
    let body = &word[3..];
    let score = if is_filler(body) {
        PLACEHOLDER_SCORE
    } else {
        let profile = Profile::of(body);
        if profile.lower == 0 || profile.classes() < 2 || profile.wordy() {
            return None;
        }
        0.9
    };
    out.emit(start, end, subtype::ARTIFACTORY_TOKEN, score, DETECTOR);
    Some(end)
}

/// A random-looking string with no key word: only in quotes (`"Xk9…"`) or right after `=`
/// (`?sig=…`, `FOO=…`), long, of all three character classes, not hex (hashes), not a UUID, not
/// wordy. Reported at a low score.
fn unkeyed_entropy(out: &mut Out<'_, '_, '_>, start: usize, end: usize) -> Option<usize> {
    if end - start < 12 {
        return None;
    }
    let bytes = out.doc.bytes;
    // The whole token around the word, over base64 characters; `=` only as trailing padding, so
    // that `sig=…` splits at the `=`.
    let body = |b: u8| is_b64_any(b) && b != b'=';
    let back = run_back(bytes, start, 200, body);
    let token_start = start - back;
    let mut token_end = end + run(bytes, end, 200, body);
    token_end += run(bytes, token_end, 2, |b| b == b'=');
    let len = token_end - token_start;
    if !(24..=200).contains(&len) {
        return None;
    }
    let before = token_start.checked_sub(1).map(|i| bytes[i]);
    let after = bytes.get(token_end).copied();
    let gated = match before {
        Some(q @ (b'"' | b'\'' | b'`')) => after == Some(q),
        Some(b'=') => {
            after.is_none_or(|b| b.is_ascii_whitespace() || matches!(b, b'&' | b';' | b'"' | b'\''))
        }
        _ => false,
    };
    if !gated {
        return None;
    }
    let value = &bytes[token_start..token_end];
    if out.was_judged(token_start, token_end)
        || has_known_prefix(value)
        || value.starts_with(b"eyJ")
        || value.iter().all(|&b| is_hex(b) || b == b'-')
        || slot::is_uuid(value)
        || [&b"sha1-"[..], b"sha256-", b"sha384-", b"sha512-", b"md5-"]
            .iter()
            .any(|p| value.starts_with(p))
    {
        return None;
    }
    let profile = Profile::of(value);
    if profile.classes() < 3 || profile.entropy < 4.2 || !looks_random(value, 24) {
        return None;
    }
    // Mostly letters and digits; paths and dotted names are not tokens.
    if value.iter().filter(|&&b| is_alnum(b)).count() * 10 < len * 9 {
        return None;
    }
    out.emit(
        token_start,
        token_end,
        subtype::GENERIC_HIGH_ENTROPY,
        0.55,
        DETECTOR,
    );
    Some(token_end)
}

/// Azure AD client secrets: 3 characters, a digit, `Q~`, then 31–34 characters (`[A-Za-z0-9_~.-]`),
/// standing alone. `at` is the `Q~`.
pub(crate) fn azure_client_secret(out: &mut Out<'_, '_, '_>, at: usize) {
    let bytes = out.doc.bytes;
    let charset = |b: u8| b.is_ascii_alphanumeric() || matches!(b, b'_' | b'~' | b'.' | b'-');
    let Some(start) = at.checked_sub(4) else {
        return;
    };
    if !bytes[at - 1].is_ascii_digit()
        || !bytes[start..at - 1]
            .iter()
            .all(|&b| b.is_ascii_alphanumeric() || matches!(b, b'_' | b'~' | b'.'))
    {
        return;
    }
    let stands_alone = |b: Option<u8>| {
        b.is_none_or(|b| {
            b.is_ascii_whitespace()
                || matches!(
                    b,
                    b'\\'
                        | b'\''
                        | b'"'
                        | b'`'
                        | b'>'
                        | b'='
                        | b':'
                        | b'('
                        | b','
                        | b')'
                        | b'<'
                        | b';'
                )
        })
    };
    if !stands_alone(start.checked_sub(1).map(|i| bytes[i])) {
        return;
    }
    let body = run(bytes, at + 2, 35, charset);
    let end = at + 2 + body;
    if !(31..=34).contains(&body) || !stands_alone(bytes.get(end).copied()) {
        return;
    }
    let secret = &bytes[at + 2..end];
    if is_filler(secret) || Profile::of(secret).classes() < 2 {
        return;
    }
    out.emit(start, end, subtype::AZURE_AD_CLIENT_SECRET, 1.0, DETECTOR);
    out.cover(start, end);
}

#[cfg(test)]
mod tests {
    use crate::detect::secret::testing::{check, none, score};

    #[test]
    fn formats_recognised_by_shape() {
        for (subtype, token) in [
            (
                "DISCORD_BOT_TOKEN",
                "ODQ1OTI3MzY0NTAxODI3MzY0.kvr-th._9zWbEbmORMpDnKtf9U1Y-cecL1",
            ),
            (
                "TELEGRAM_BOT_TOKEN",
                "7447032761:AA0e6pnb3pZT1nF-uNf_TqSP52enTgZz5E0",
            ),
            ("TWILIO_KEY", "SK22c9db650e05f0d72cc41ea5cff98960"),
            ("MAILCHIMP_API_KEY", "a24cc26a31291871e9a695abacb18120-us14"),
            (
                "AZURE_AD_CLIENT_SECRET",
                "tiJ8Q~Txwyz2DRmb~sQ-U3N3hMf91uy1PN0Yc4u2",
            ),
            (
                "FACEBOOK_ACCESS_TOKEN",
                "911602140448729|AY-lRJZq9BoDLobvAiP25L7RcMg",
            ),
            ("ARTIFACTORY_TOKEN", "AP6a8Kd2Lq0xWz5Rt"),
        ] {
            check(&format!("token {token} here"), &[(subtype, token)]);
        }
    }

    #[test]
    fn look_alikes_are_not() {
        none(&[
            "bot7447032761:AA0e6pnb3pZT1nF-uNf_TqSP52enTgZz5E0",
            "PDQ1OTI3MzY0NTAxODI3MzY0.kvr-th._9zWbEbmORMpDnKtf9U1Y-cecL1",
            "ODQ1OTI3MzY0NTAxODI3MzY0.kvr-t._9zWbEbmORMpDnKtf9U1Y-cecL1",
            "A24CC26A31291871E9A695ABACB18120-us14",
            "APACHECOMMONSLANG3",
            "testAP6withinsomeirrelevantstring",
            "https://cdn.example.com/6a9e704af49b4380bb686f0c96d33b81~tplv-k3u1fbpfcp.image",
        ]);
    }

    #[test]
    fn unkeyed_strings_need_quotes_or_an_equals_sign() {
        let value = "gc3zRucmghCTw8Dn9zLF36oHEN3NTvODZX6VaLVm";
        check(
            &format!("const X = \"{value}\";"),
            &[("GENERIC_HIGH_ENTROPY", value)],
        );
        check(
            &format!("https://x.example.com/?sig={value}&se=1"),
            &[("GENERIC_HIGH_ENTROPY", value)],
        );
        none(&[
            &format!("the id is {value} today"),
            "\"b040bba5817b977fd5b42df8091174f6c413363853a7ee6d01210b24cabb927d\"",
            "\"3f2a1c9e-4b7d-4e2a-9c1f-7a8b6d5e4c3b\"",
            "\"SponsoredProductsRemoteSearchClickPagination\"",
            "\"sha512-gc3zRucmghCTw8Dn9zLF36oHEN3NTvODZX6VaLVm==\"",
        ]);
        assert!(score(&format!("\"{value}\"")) < 0.6);
    }
}
