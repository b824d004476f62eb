//! URLs that carry a secret: credentials in the authority (`postgres://user:pass@host/db`,
//! `mongodb+srv://…`, `jdbc:mysql://…`, `https://user:pass@host`), and URLs that are secrets
//! themselves (Slack and Discord webhooks, SoftLayer API URLs with the key in the path).

use crate::detect::secret::value::NotSecret;
use crate::detect::secret::value::{is_alnum, is_b64url, is_filler, not_secret, run, run_back};
use crate::detect::secret::{Out, subtype, token};

const DETECTOR: &str = "secret-url";

/// Longest authority (`user:password@host:port`) looked at.
const MAX_AUTHORITY: usize = 256;
/// Longest URL reported.
const MAX_URL: usize = 2048;

fn is_scheme_byte(b: u8) -> bool {
    b.is_ascii_alphanumeric() || matches!(b, b'+' | b'.' | b'-')
}

/// Bytes that end a URL in running text.
fn ends_url(b: u8) -> bool {
    b.is_ascii_whitespace() || matches!(b, b'"' | b'\'' | b'`' | b'<' | b'>' | b'\\')
}

fn ends_authority(b: u8) -> bool {
    ends_url(b) || matches!(b, b'/' | b'?' | b'#')
}

/// Handles `://` at `at`.
pub(crate) fn at_scheme(out: &mut Out<'_, '_, '_>, at: usize) {
    let bytes = out.doc.bytes;
    let n = run_back(bytes, at, 32, is_scheme_byte);
    let mut start = at - n;
    while start < at && !bytes[start].is_ascii_alphabetic() {
        start += 1;
    }
    if start == at {
        return;
    }
    if start >= 5 && bytes[start - 5..start].eq_ignore_ascii_case(b"jdbc:") {
        start -= 5;
    }
    let auth_start = at + 3;
    let auth_len = run(bytes, auth_start, MAX_AUTHORITY, |b| !ends_authority(b));
    let auth_end = auth_start + auth_len;
    let authority = &bytes[auth_start..auth_end];
    match authority.iter().rposition(|&b| b == b'@') {
        Some(at_sign) => credentials(out, start, auth_start, at_sign),
        None => secret_paths(out, start, auth_start, auth_end),
    }
}

/// `scheme://user:password@host…`: reported whole, so that the password and the user are covered
/// and nothing inside outranks it.
fn credentials(out: &mut Out<'_, '_, '_>, start: usize, auth_start: usize, at_sign: usize) {
    let bytes = out.doc.bytes;
    let userinfo = &bytes[auth_start..auth_start + at_sign];
    let Some(colon) = userinfo.iter().position(|&b| b == b':') else {
        return;
    };
    let host_start = auth_start + at_sign + 1;
    if !bytes
        .get(host_start)
        .is_some_and(|&b| b.is_ascii_alphanumeric() || b == b'[')
    {
        return;
    }
    let (ps, pe) = (auth_start + colon + 1, auth_start + at_sign);
    let Some(password) = out.doc.text.get(ps..pe) else {
        return;
    };
    // Only templates (`${DB_PASSWORD}`) and fillers (`****`) are left out: even
    // `https://username:password@host` logs in somewhere. Reported whole and at full score, so the
    // user part (which other detectors may take for an e-mail address) is covered too.
    match not_secret(password) {
        Some(NotSecret::Template | NotSecret::Empty) => return,
        Some(NotSecret::Placeholder) if is_filler(password.as_bytes()) => return,
        _ => {}
    }
    let end = url_end(bytes, host_start);
    out.emit(start, end, subtype::CONNECTION_STRING, 1.0, DETECTOR);
}

/// End of the URL that continues at `from`, without trailing punctuation.
fn url_end(bytes: &[u8], from: usize) -> usize {
    let mut end = from + run(bytes, from, MAX_URL, |b| !ends_url(b));
    while end > from
        && matches!(
            bytes[end - 1],
            b'.' | b',' | b';' | b':' | b'!' | b'?' | b')' | b']' | b'}'
        )
    {
        end -= 1;
    }
    end
}

/// The path segments after the authority, up to `max`.
fn segments(bytes: &[u8], mut i: usize, max: usize) -> Vec<(usize, usize)> {
    let mut out = Vec::new();
    while out.len() < max && bytes.get(i) == Some(&b'/') {
        let start = i + 1;
        let n = run(bytes, start, 256, |b| !ends_authority(b));
        out.push((start, start + n));
        i = start + n;
    }
    out
}

fn secret_paths(out: &mut Out<'_, '_, '_>, start: usize, auth_start: usize, auth_end: usize) {
    let bytes = out.doc.bytes;
    let host = &bytes[auth_start..auth_end];
    let seg = |s: (usize, usize)| &bytes[s.0..s.1];
    if host.eq_ignore_ascii_case(b"hooks.slack.com") {
        let parts = segments(bytes, auth_end, 5);
        let ok = match parts.first().map(|&p| seg(p)) {
            Some(b"services") => {
                parts.len() >= 4
                    && seg(parts[1]).starts_with(b"T")
                    && seg(parts[2]).starts_with(b"B")
                    && seg(parts[3]).len() >= 20
            }
            Some(b"workflows") => {
                parts.len() >= 5
                    && seg(parts[1]).starts_with(b"T")
                    && seg(parts[2]).starts_with(b"A")
                    && seg(parts[3]).iter().all(u8::is_ascii_digit)
                    && seg(parts[4]).len() >= 20
            }
            _ => false,
        };
        let Some(&last) = parts.last() else { return };
        if !ok || !seg(last).iter().all(|&b| is_alnum(b)) {
            return;
        }
        // Placeholder webhooks (`/services/Txxxxxxxx/Bxxxxxxxx/xxxx…`) are reported at a low score.
        let score = if is_filler(seg(last)) {
            token::PLACEHOLDER_SCORE
        } else {
            1.0
        };
        out.emit(start, last.1, subtype::SLACK_WEBHOOK_URL, score, DETECTOR);
        return;
    }
    let discord = [
        &b"discord.com"[..],
        b"discordapp.com",
        b"ptb.discord.com",
        b"canary.discord.com",
    ];
    if discord.iter().any(|h| host.eq_ignore_ascii_case(h)) {
        let parts = segments(bytes, auth_end, 4);
        if parts.len() == 4
            && seg(parts[0]) == b"api"
            && seg(parts[1]) == b"webhooks"
            && (17..=20).contains(&seg(parts[2]).len())
            && seg(parts[2]).iter().all(u8::is_ascii_digit)
            && (60..=80).contains(&seg(parts[3]).len())
            && seg(parts[3]).iter().all(|&b| is_b64url(b))
            && !is_filler(seg(parts[3]))
        {
            out.emit(
                start,
                parts[3].1,
                subtype::DISCORD_WEBHOOK_URL,
                1.0,
                DETECTOR,
            );
        }
        return;
    }
    if host.eq_ignore_ascii_case(b"api.softlayer.com") {
        // `/soap/v3/<key>`, `/soap/v3.1/<key>`, `/rest/v3/<key>`: the API key sits in the path.
        let parts = segments(bytes, auth_end, 4);
        if let Some(&key) = parts.get(2) {
            let k = seg(key);
            let version_ok = seg(parts[1]).starts_with(b"v3");
            if version_ok
                && k.len() == 64
                && k.iter()
                    .all(|&b| b.is_ascii_lowercase() || b.is_ascii_digit())
            {
                out.emit(key.0, key.1, subtype::SOFTLAYER_API_KEY, 0.9, DETECTOR);
            }
        }
    }
}

#[cfg(test)]
mod tests {
    use crate::detect::secret::testing::{check, none, scan};

    const C: &str = "CONNECTION_STRING";

    #[test]
    fn credentials_in_urls_are_reported_whole() {
        for url in [
            "postgres://app:K9x!v2Lp@db.internal:5432/app",
            "postgresql+psycopg2://app:K9x!v2Lp@db/app?sslmode=require",
            "mongodb+srv://root:Zm9vYmFy@cluster0.mongodb.net/test",
            "redis://:K9x!v2Lp@cache:6379/0",
            "amqps://guest:K9x!v2Lp@mq.example.com/vhost",
            "jdbc:mysql://root:K9x!v2Lp@localhost:3306/shop",
            "https://deploy:K9x!v2Lp@git.example.com/repo.git",
            "https://username:password@example.com",
        ] {
            check(&format!("connect to {url}, then"), &[(C, url)]);
        }
    }

    #[test]
    fn urls_without_a_password_or_with_a_template_are_not() {
        none(&[
            "https://user@example.com/path",
            "postgres://app:${DB_PASSWORD}@db/app",
            "postgres://app:****@db/app",
            "http://localhost:5000/<%= @variable %>",
            "'https://url:8000';@something else",
            "https://url:8000 @something else",
            "https://url:8000/ @something else",
            "mailto:someone@example.com",
        ]);
    }

    #[test]
    fn webhooks_and_keys_in_paths() {
        let slack = "https://hooks.slack.com/services/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";
        check(&format!("post to {slack}"), &[("SLACK_WEBHOOK_URL", slack)]);
        let discord = "https://discord.com/api/webhooks/845927364501827364/gc3zRucmghCTw8Dn9zLF36oHEN3NTvODZX6VaLVmwEZc3IU3f0OWdtNuMVaWXBUcgc3zRucm";
        check(discord, &[("DISCORD_WEBHOOK_URL", discord)]);
        let key = "b040bba5817b977fd5b42df8091174f6c413363853a7ee6d01210b24cabb927d";
        check(
            &format!("http://api.softlayer.com/soap/v3/{key}"),
            &[("SOFTLAYER_API_KEY", key)],
        );
        // A placeholder webhook is reported, at the placeholder score.
        let found =
            scan("https://hooks.slack.com/services/Txxxxxxxx/Bxxxxxxxx/xxxxxxxxxxxxxxxxxxxxxxxx");
        assert_eq!(found.len(), 1);
        assert_eq!(
            found[0].score,
            crate::detect::secret::token::PLACEHOLDER_SCORE
        );
    }
}
