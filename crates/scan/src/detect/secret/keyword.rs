//! Values assigned to keys that name a secret: `password = "…"`, `"api_key": "…"`, `DB_PASS=…`,
//! `--password …`, `secret := …`, `<password>…</password>`, `if ("…" == password)`,
//! `("api_token", "…")`, `Password=…;` in ODBC strings, and plain "my password is …".
//!
//! The automaton reports a key word (`pass`, `key`, `token` …) inside some identifier; the identifier
//! is expanded around it (at most [`MAX_KEY`] bytes each way), its words are classified, then the
//! assignment after it is parsed by hand. Two classes of keys:
//! - *password keys* (`password`, `passwd`, `pwd`, `secret`, `api_key`, `private_key` …) hold a secret
//!   whatever it looks like: any literal is reported as `PASSWORD_ASSIGNMENT` unless it is a
//!   placeholder, a template variable or a reference to code;
//! - *weak keys* (`key`, `token`, `auth`, `credentials` …) hold secrets and much else (ids, names,
//!   versions): the value must also look random, and is reported as `GENERIC_HIGH_ENTROPY`.
//!
//! Keys whose last word is metadata (`…_id`, `…_url`, `…_name`, `…_length` …) or that say `public`
//! or `csrf` are skipped; keys that name a provider credential go through [`slot`] first.
//!
//! Quoting decides what is code. A quoted value is a literal. An unquoted value after `:`, after `=`
//! without spaces (`.env`, INI, URL queries), after `:=` / `?=` (Make, Go), or after a command-line
//! flag is a literal too. After `=` with spaces, `=>` or a comparison, source code puts expressions,
//! so an unquoted value that reads like code (a call, an index, braces, an identifier) is not
//! reported: `password = get_password()`, `password = DB_PASSWORD`.

use crate::detect::secret::value::{
    NotSecret, Profile, is_b64_any, looks_like_code, looks_like_expression, looks_like_name,
    looks_random, not_secret, run, run_back, split_words, word_ranges,
};
use crate::detect::secret::{Out, http, slot, subtype, token};

/// Longest key name looked at, each way from the key word.
pub(crate) const MAX_KEY: usize = 64;
/// Longest quoted or unquoted value parsed.
const MAX_VALUE: usize = 512;

const DETECTOR: &str = "secret-keyword";

/// How many values of earlier keys may enclose a key before it is judged only in part (see
/// [`State::judge_nested`]).
const MAX_NESTED_KEYS: usize = 16;

/// Remembers where the last key ended so the other key words of one identifier are skipped, and where
/// the values of the last [`MAX_NESTED_KEYS`] keys end.
#[derive(Default)]
pub(crate) struct State {
    key_end: usize,
    value_ends: [usize; MAX_NESTED_KEYS],
    n_values: usize,
    space: NextSpace,
}

impl State {
    /// Whether to judge the value `start..end` of the key at `at`, and records the value.
    ///
    /// A key inside the values of the last [`MAX_NESTED_KEYS`] keys sits that deep in unquoted values
    /// without a space (`password=password=password=…`): its value lies mostly inside theirs, already
    /// judged, and judging every such value would cost up to [`MAX_VALUE`] bytes per key (text made
    /// of `password=` scanned at a few MB/s). Such a key is judged only when its value is the first
    /// to reach past theirs to the end of the unbroken stretch (the space or the text's end after
    /// it), so what follows a long chain of keys is still judged once. The rule reads only the keys
    /// of the value-length stretch before `at`, so detection stays local. Real assignments are not
    /// nested this deep.
    fn judge_nested(&mut self, bytes: &[u8], at: usize, start: usize, end: usize) -> bool {
        let enclosed = self.n_values >= MAX_NESTED_KEYS && self.value_ends.iter().all(|&e| e > at);
        let judge = !enclosed
            || (self.value_ends.iter().all(|&e| end > e)
                && self.space.run_to_space(bytes, start, MAX_VALUE) < MAX_VALUE);
        self.value_ends[self.n_values % MAX_NESTED_KEYS] = end;
        self.n_values += 1;
        judge
    }
}

/// The first whitespace byte at or after the last position asked for: keys close together in one
/// long word (`a=b=c=…`) share the search for the end of their values instead of each reading up to
/// [`MAX_VALUE`] bytes.
#[derive(Default)]
struct NextSpace {
    /// The search started here and found whitespace at `at` (or the end of the text): no
    /// whitespace lies in `from..at`.
    from: usize,
    at: usize,
}

impl NextSpace {
    /// Like `run(bytes, start, max, |b| !b.is_ascii_whitespace())`.
    fn run_to_space(&mut self, bytes: &[u8], start: usize, max: usize) -> usize {
        if !(self.from <= start && start <= self.at) {
            self.from = start;
            self.at = start + run(bytes, start, usize::MAX, |b| !b.is_ascii_whitespace());
        }
        self.at.min(bytes.len()).min(start.saturating_add(max)) - start.min(self.at)
    }
}

fn is_key_byte(b: u8) -> bool {
    b.is_ascii_alphanumeric() || matches!(b, b'_' | b'.' | b'-')
}

fn is_blank(b: u8) -> bool {
    b == b' ' || b == b'\t'
}

fn is_quote(b: u8) -> bool {
    matches!(b, b'"' | b'\'' | b'`')
}

/// A key name split into words (`dbPassword` → db, Password; `SOFTLAYER_API_KEY` → SOFTLAYER, API,
/// KEY), compared case-insensitively.
pub(crate) struct Key<'a> {
    raw: &'a [u8],
    words: [(u8, u8); 16],
    n_words: usize,
    compact: [u8; 2 * MAX_KEY],
    n_compact: usize,
    all_caps: bool,
    /// A command-line flag (`--password`, `-token`).
    pub(crate) flag: bool,
}

impl<'a> Key<'a> {
    pub(crate) fn new(raw: &'a [u8]) -> Key<'a> {
        let flag = raw.first() == Some(&b'-');
        let mut key = Key {
            raw,
            words: [(0, 0); 16],
            n_words: 0,
            compact: [0; 2 * MAX_KEY],
            n_compact: 0,
            all_caps: raw.iter().any(u8::is_ascii_uppercase)
                && !raw.iter().any(u8::is_ascii_lowercase),
            flag,
        };
        // Keys are at most 2 × MAX_KEY + a key word long, so offsets fit a byte.
        for (start, end) in word_ranges(raw) {
            if key.n_words == key.words.len() {
                break;
            }
            let (Ok(start), Ok(end)) = (u8::try_from(start), u8::try_from(end)) else {
                break;
            };
            key.words[key.n_words] = (start, end);
            key.n_words += 1;
        }
        for &b in raw {
            if b.is_ascii_alphanumeric() && key.n_compact < key.compact.len() {
                key.compact[key.n_compact] = b.to_ascii_lowercase();
                key.n_compact += 1;
            }
        }
        key
    }

    fn words(&self) -> impl Iterator<Item = &'a [u8]> + '_ {
        self.words[..self.n_words]
            .iter()
            .map(|&(s, e)| &self.raw[usize::from(s)..usize::from(e)])
    }

    fn word(&self, i: usize) -> Option<&'a [u8]> {
        self.words[..self.n_words]
            .get(i)
            .map(|&(s, e)| &self.raw[usize::from(s)..usize::from(e)])
    }

    pub(crate) fn has_word(&self, w: &str) -> bool {
        self.words().any(|x| x.eq_ignore_ascii_case(w.as_bytes()))
    }

    pub(crate) fn has_word_starting(&self, w: &str) -> bool {
        self.words().any(|x| starts_ci(x, w))
    }

    fn compact(&self) -> &[u8] {
        &self.compact[..self.n_compact]
    }

    pub(crate) fn compact_eq(&self, s: &str) -> bool {
        self.compact() == s.as_bytes()
    }

    pub(crate) fn compact_contains(&self, s: &str) -> bool {
        self.compact().windows(s.len()).any(|w| w == s.as_bytes())
    }

    /// The key says "password" (not just "secret" or "key").
    pub(crate) fn names_password(&self) -> bool {
        self.words().any(is_password_word)
            || (self.all_caps
                && ["password", "passwd", "pwd"]
                    .iter()
                    .any(|s| self.compact().ends_with(s.as_bytes())))
    }

    /// One plain word (`password`, `Token`): in prose, not code.
    fn is_single_word(&self) -> bool {
        self.n_words == 1 && self.raw.iter().all(u8::is_ascii_alphabetic)
    }

    fn class(&self) -> Option<Class> {
        let mut weak = false;
        for i in 0..self.n_words {
            let Some(w) = self.word(i) else { break };
            let next = self.word(i + 1);
            if is_password_word(w) || is_secret_word(w) {
                return Some(Class::Password);
            }
            let next_is = |s: &str| next.is_some_and(|n| n.eq_ignore_ascii_case(s.as_bytes()));
            if eq_ci(w, "api") && (next_is("key") || next_is("token") || next_is("secret")) {
                return Some(Class::Password);
            }
            if (eq_ci(w, "private") || eq_ci(w, "client") || eq_ci(w, "master")) && next_is("key") {
                return Some(Class::Password);
            }
            if in_sorted(WEAK_WORDS, w) {
                weak = true;
            }
        }
        if self.all_caps {
            let c = self.compact();
            if ["password", "passwd", "pwd", "secret", "apikey"]
                .iter()
                .any(|s| c.ends_with(s.as_bytes()))
            {
                return Some(Class::Password);
            }
            if c.ends_with(b"token") || c.ends_with(b"key") {
                weak = true;
            }
        }
        weak.then_some(Class::Weak)
    }

    /// Keys that hold something other than the secret itself.
    fn excluded(&self) -> bool {
        if self.words().any(|w| {
            ["public", "pub", "publishable", "csrf", "xsrf"]
                .iter()
                .any(|s| eq_ci(w, s))
        }) {
            return true;
        }
        let Some(last) = self.n_words.checked_sub(1).and_then(|i| self.word(i)) else {
            return true;
        };
        in_sorted(METADATA_WORDS, last)
    }

    fn is_authorization(&self) -> bool {
        self.compact_eq("authorization") || self.compact_eq("proxyauthorization")
    }
}

/// True if the lower-case form of `word` is in the sorted list `words`.
fn in_sorted(words: &[&str], word: &[u8]) -> bool {
    let mut lower = [0u8; 24];
    let Some(buf) = lower.get_mut(..word.len()) else {
        return false;
    };
    for (slot, b) in buf.iter_mut().zip(word) {
        *slot = b.to_ascii_lowercase();
    }
    words.binary_search_by(|w| w.as_bytes().cmp(buf)).is_ok()
}

fn eq_ci(a: &[u8], b: &str) -> bool {
    a.eq_ignore_ascii_case(b.as_bytes())
}

fn starts_ci(a: &[u8], prefix: &str) -> bool {
    a.len() >= prefix.len() && a[..prefix.len()].eq_ignore_ascii_case(prefix.as_bytes())
}

fn is_password_word(w: &[u8]) -> bool {
    starts_ci(w, "passw")
        || ["pass", "pwd", "pw", "passphrase", "passcode"]
            .iter()
            .any(|s| eq_ci(w, s))
}

/// `secret`, `secretKey`, `secrete`, but not the plural (`keyVaultToStoreSecrets`: a place).
fn is_secret_word(w: &[u8]) -> bool {
    (starts_ci(w, "secret") && !eq_ci(w, "secrets"))
        || [
            "apikey",
            "apitoken",
            "privatekey",
            "clientsecret",
            "masterkey",
        ]
        .iter()
        .any(|s| eq_ci(w, s))
}

/// Words that make a key hold a secret some of the time (sorted: looked up by binary search).
const WEAK_WORDS: &[&str] = &[
    "accesskey",
    "accesstoken",
    "auth",
    "authkey",
    "authtoken",
    "bearer",
    "cred",
    "credential",
    "credentials",
    "creds",
    "jwt",
    "key",
    "oauth",
    "secrets",
    "sessiontoken",
    "sig",
    "signature",
    "token",
];

/// Last words of keys that hold something about a secret rather than the secret (sorted: looked up
/// by binary search).
const METADATA_WORDS: &[&str] = &[
    "alg",
    "algorithm",
    "arn",
    "bits",
    "box",
    "button",
    "chars",
    "charset",
    "column",
    "config",
    "count",
    "date",
    "desc",
    "description",
    "dialog",
    "dir",
    "directory",
    "enabled",
    "endpoint",
    "env",
    "error",
    "example",
    "expiration",
    "expires",
    "expiry",
    "field",
    "fields",
    "file",
    "filename",
    "files",
    "form",
    "format",
    "frame",
    "header",
    "help",
    "hint",
    "host",
    "href",
    "id",
    "ids",
    "idx",
    "index",
    "input",
    "kind",
    "label",
    "len",
    "length",
    "link",
    "location",
    "manager",
    "max",
    "meshing",
    "message",
    "method",
    "min",
    "mode",
    "msg",
    "name",
    "names",
    "option",
    "options",
    "owner",
    "pair",
    "param",
    "parameter",
    "path",
    "pattern",
    "placeholder",
    "policy",
    "prefix",
    "pressed",
    "prompt",
    "provider",
    "ref",
    "reference",
    "regex",
    "required",
    "rotation",
    "rule",
    "rules",
    "selector",
    "settings",
    "size",
    "source",
    "src",
    "store",
    "str",
    "strength",
    "suffix",
    "table",
    "text",
    "time",
    "timeout",
    "title",
    "ttl",
    "type",
    "types",
    "uri",
    "url",
    "urls",
    "validation",
    "validator",
    "var",
    "variable",
    "vars",
    "version",
    "view",
];

#[derive(Clone, Copy, Debug, PartialEq, Eq)]
enum Class {
    Password,
    Weak,
}

/// How the value is attached to the key.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
enum Op {
    /// `=`; `spaced` when written with spaces (code style).
    Assign { spaced: bool },
    /// `:=`, `::=`, `:::=`, `?=`: Make and Go definitions.
    Define,
    /// `:` (YAML, JSON, headers).
    Colon,
    /// `=>` (Ruby, PHP, Perl hashes).
    Arrow,
    /// `==`, `===`, `!=`, `!==`, either way round.
    Compare,
    /// `("key", "value")`.
    Comma,
    /// `--password value`.
    Flag,
    /// `password "value";`.
    Bare,
    /// `<password>value</password>`.
    Xml,
    /// "my password is …".
    Is,
}

impl Op {
    /// Operators after which source code puts expressions.
    fn code_style(self) -> bool {
        matches!(
            self,
            Op::Assign { spaced: true } | Op::Arrow | Op::Compare | Op::Comma | Op::Bare
        )
    }
}

#[derive(Clone, Copy, Debug)]
struct Value {
    start: usize,
    end: usize,
    quoted: bool,
    op: Op,
    /// Inside an ODBC / JDBC connection string.
    connection: bool,
    /// Quoted with backticks: a command substitution in shell (`KEY=`…``), a string elsewhere.
    backtick: bool,
}

pub(crate) fn at_keyword(out: &mut Out<'_, '_, '_>, state: &mut State, at: usize, end: usize) {
    let bytes = out.doc.bytes;
    if at < state.key_end {
        return;
    }
    let back = run_back(bytes, at, MAX_KEY + 1, is_key_byte);
    let ahead = run(bytes, end, MAX_KEY + 1, is_key_byte);
    state.key_end = end + ahead;
    if back > MAX_KEY || ahead > MAX_KEY {
        // Inside a long run of identifier characters: a blob, not a key.
        return;
    }
    let mut ks = at - back;
    let mut ke = end + ahead;
    // Trailing dots and dashes end sentences and flags, not keys.
    while ke > ks && matches!(bytes[ke - 1], b'.' | b'-') {
        ke -= 1;
    }
    while ks < at && bytes[ks] == b'.' {
        ks += 1;
    }
    if !may_assign(bytes, ks, ke) {
        return;
    }
    let key = Key::new(&bytes[ks..ke]);
    let slots = slot::slots(&key);
    let class = key.class();
    let authorization = key.is_authorization();
    if class.is_none() && slots[0].is_none() && !authorization {
        return;
    }
    if authorization {
        if let Some(value_at) = header_value_start(bytes, ks, ke) {
            http::authorization(out, value_at);
        }
        return;
    }
    if npmrc_auth_token(out, &key, ks, ke) {
        return;
    }
    let Some(value) = find_value(bytes, ks, ke, &key, class, &mut state.space) else {
        return;
    };
    if !state.judge_nested(bytes, at, value.start, value.end) {
        // Not recorded as judged either: the detector for unkeyed strings still reads it.
        return;
    }
    let Some(text) = out.doc.text.get(value.start..value.end) else {
        return;
    };
    out.judged(value.start, value.end);
    let raw = text.as_bytes();
    // A provider slot first: an exact shape is reported, another token-shaped value is not.
    if slots[0].is_some() {
        for slot in slots.iter().flatten() {
            if let Some(score) = slot::judge(slot, raw) {
                out.emit(value.start, value.end, slot.subtype, score, DETECTOR);
                return;
            }
        }
        if token_shaped(raw) {
            return;
        }
    }
    if key.excluded() {
        return;
    }
    let Some(class) = class else { return };
    if token::has_known_prefix(raw) {
        return;
    }
    if is_vault_token(raw) {
        out.emit(value.start, value.end, subtype::VAULT_TOKEN, 0.9, DETECTOR);
        return;
    }
    if not_secret(text).is_some() {
        return;
    }
    if value.backtick && value.op == (Op::Assign { spaced: false }) {
        // `KEY=`cmd`` runs a command: the secret is elsewhere.
        return;
    }
    if !value.quoted {
        if value.op.code_style() && looks_like_code(raw) {
            return;
        }
        if value.op == (Op::Assign { spaced: true })
            && raw.iter().all(u8::is_ascii_alphanumeric)
            && !looks_random(raw, 8)
        {
            // `password = hunter` in code is a variable.
            return;
        }
        if looks_like_multiword_name(raw) || looks_like_expression(raw) || contains(raw, b"://") {
            return;
        }
    }
    let connection = value.connection;
    match class {
        Class::Password => {
            if text.chars().count() < 4 {
                return;
            }
            let prose = key.is_single_word() && !value.quoted && !matches!(value.op, Op::Flag);
            if prose && !password_like(raw) {
                return;
            }
            let (subtype, score) = if connection {
                (subtype::CONNECTION_STRING, 0.9)
            } else if value.op == Op::Is {
                (subtype::PASSWORD_ASSIGNMENT, 0.6)
            } else if value.quoted || !key.is_single_word() {
                (subtype::PASSWORD_ASSIGNMENT, 0.85)
            } else {
                (subtype::PASSWORD_ASSIGNMENT, 0.75)
            };
            out.emit(value.start, value.end, subtype, score, DETECTOR);
        }
        Class::Weak => {
            if value.op == Op::Is
                || !token_shaped(raw)
                || slot::is_uuid(raw)
                || is_slug(raw)
                || looks_like_locator(raw)
                || looks_like_name(raw)
                || !looks_random(raw, 10)
            {
                return;
            }
            out.emit(
                value.start,
                value.end,
                subtype::GENERIC_HIGH_ENTROPY,
                0.7,
                DETECTOR,
            );
        }
    }
}

/// Made of token characters only (no spaces, no punctuation a password would use).
fn token_shaped(value: &[u8]) -> bool {
    !value.is_empty()
        && value
            .iter()
            .all(|&b| is_b64_any(b) || matches!(b, b'.' | b'~' | b':'))
}

/// `s.` + 24 mixed letters and digits: a HashiCorp Vault service token of the old format.
fn is_vault_token(value: &[u8]) -> bool {
    value.len() == 26
        && value.starts_with(b"s.")
        && value[2..].iter().all(u8::is_ascii_alphanumeric)
        && Profile::of(&value[2..]).classes() == 3
}

/// Lower-case words and numbers joined by dashes (`cmp2-qat-1208358310`): a resource name.
fn is_slug(value: &[u8]) -> bool {
    value.contains(&b'-')
        && value
            .iter()
            .all(|&b| b.is_ascii_lowercase() || b.is_ascii_digit() || b == b'-')
        && value.split(|&b| b == b'-').all(|part| part.len() < 12)
}

/// Host names, paths, e-mail addresses, versions: things with dots or slashes between words.
fn looks_like_locator(value: &[u8]) -> bool {
    if value.contains(&b'@') || value.starts_with(b"/") || value.contains(&b':') {
        return true;
    }
    let dots = value.iter().filter(|&&b| b == b'.').count();
    dots >= 1 && value.split(|&b| b == b'.').all(|part| part.len() < 16)
}

/// `real_key`, `db.password`, `ENV_VAR`: two or more words that read as an identifier (a phrase
/// with spaces is not one).
fn looks_like_multiword_name(value: &[u8]) -> bool {
    !value.contains(&b' ') && split_words(value).nth(1).is_some() && looks_like_name(value)
}

fn contains(haystack: &[u8], needle: &[u8]) -> bool {
    haystack.windows(needle.len()).any(|w| w == needle)
}

/// A password someone would actually type rather than a word of prose: a digit, a symbol, or
/// capitals after the first letter.
fn password_like(value: &[u8]) -> bool {
    value
        .iter()
        .any(|&b| b.is_ascii_digit() || (!b.is_ascii_alphanumeric()))
        || value.iter().skip(1).any(u8::is_ascii_uppercase)
}

/// Finds the value after (or, for comparisons, before) the key `ks..ke`.
fn find_value(
    bytes: &[u8],
    ks: usize,
    ke: usize,
    key: &Key<'_>,
    class: Option<Class>,
    space: &mut NextSpace,
) -> Option<Value> {
    if let Some(value) = forward_value(bytes, ks, ke, key, class, space) {
        return Some(value);
    }
    reversed_comparison(bytes, ks)
}

fn forward_value(
    bytes: &[u8],
    ks: usize,
    ke: usize,
    key: &Key<'_>,
    class: Option<Class>,
    space: &mut NextSpace,
) -> Option<Value> {
    let before = ks.checked_sub(1).map(|i| bytes[i]);
    let key_quote = before.filter(|&b| is_quote(b));
    let mut i = ke;
    if let Some(q) = key_quote
        && bytes.get(i) == Some(&q)
    {
        i += 1;
    }
    // `env['KEY']`, `password[]`, `secrete[25]`.
    if bytes.get(i) == Some(&b']') {
        i += 1;
    }
    if bytes.get(i) == Some(&b'[') {
        let n = run(bytes, i + 1, 8, |b| b.is_ascii_digit());
        if bytes.get(i + 1 + n) == Some(&b']') {
            i += n + 2;
        }
    }
    let blanks_before = skip_blanks(bytes, &mut i);
    let op = match bytes.get(i).copied() {
        Some(b'=') => match bytes.get(i + 1).copied() {
            Some(b'=') => {
                i += if bytes.get(i + 2) == Some(&b'=') {
                    3
                } else {
                    2
                };
                Op::Compare
            }
            Some(b'>') => {
                i += 2;
                Op::Arrow
            }
            next => {
                i += 1;
                Op::Assign {
                    spaced: blanks_before > 0 && next.is_some_and(is_blank),
                }
            }
        },
        Some(b'!') if bytes.get(i + 1) == Some(&b'=') => {
            i += if bytes.get(i + 2) == Some(&b'=') {
                3
            } else {
                2
            };
            Op::Compare
        }
        Some(b':') => {
            let colons = run(bytes, i, 3, |b| b == b':');
            if bytes.get(i + colons) == Some(&b'=') {
                i += colons + 1;
                Op::Define
            } else if colons == 1 && bytes.get(i + 1) != Some(&b'/') {
                i += 1;
                Op::Colon
            } else {
                return None;
            }
        }
        Some(b'?') if bytes.get(i + 1) == Some(&b'=') => {
            i += 2;
            Op::Define
        }
        Some(b'>') if before == Some(b'<') && blanks_before == 0 => {
            i += 1;
            Op::Xml
        }
        Some(b',') if key_quote.is_some() => {
            i += 1;
            Op::Comma
        }
        Some(b) if blanks_before > 0 => {
            if key.flag {
                Op::Flag
            } else if is_quote(b) || (b == b'@' && bytes.get(i + 1).is_some_and(|&c| is_quote(c))) {
                Op::Bare
            } else if class == Some(Class::Password)
                && key.is_single_word()
                && followed_by_is(bytes, &mut i)
            {
                Op::Is
            } else {
                return None;
            }
        }
        _ => return None,
    };
    if op != Op::Xml {
        skip_blanks(bytes, &mut i);
    }
    let connection = connection_string_context(bytes, ks, key, op);
    // String prefixes: `@"…"` (Objective-C, C#: double quotes only), `b'…'`, `r"…"`, `u"…"`,
    // `f"…"` (Python), `$"…"` (C#).
    let prefixed = match bytes.get(i) {
        Some(b'@' | b'$') => bytes.get(i + 1) == Some(&b'"'),
        Some(b'b' | b'r' | b'u' | b'f') => {
            bytes.get(i + 1).is_some_and(|&c| c == b'"' || c == b'\'')
        }
        _ => false,
    };
    if prefixed {
        i += 1;
    }
    if let Some(&q) = bytes.get(i).filter(|&&b| is_quote(b)) {
        let (start, end) = quoted(bytes, i, q)?;
        return Some(Value {
            start,
            end,
            quoted: true,
            op,
            connection,
            backtick: q == b'`',
        });
    }
    let start = i;
    let end = match op {
        Op::Bare | Op::Comma => return None,
        Op::Xml => {
            // `<password>value</password>`: the closing tag must follow, or this is no element
            // (`<SECRET>_c.jpg` in a URL template).
            let end = start + run(bytes, start, MAX_VALUE, |b| b != b'<' && b != b'\n');
            let key_name = &bytes[ks..ke];
            let closes = bytes.get(end..end + 2) == Some(b"</")
                && bytes.get(end + 2..end + 2 + key_name.len()) == Some(key_name)
                && bytes.get(end + 2 + key_name.len()) == Some(&b'>');
            if !closes {
                return None;
            }
            end
        }
        Op::Colon if !key.is_single_word() && class == Some(Class::Password) => {
            // YAML: the rest of the line is the value, up to a comment.
            let mut end = start + run(bytes, start, MAX_VALUE, |b| b != b'\n' && b != b'\r');
            if let Some(hash) = bytes[start..end].windows(2).position(|w| w == b" #") {
                end = start + hash;
            }
            while end > start && is_blank(bytes[end - 1]) {
                end -= 1;
            }
            end
        }
        // `Password=p@ss word;` in a connection string runs to the `;`.
        _ if connection => {
            start
                + run(bytes, start, MAX_VALUE, |b| {
                    !matches!(b, b';' | b'\n' | b'\r' | b'"' | b'\'')
                })
        }
        _ => {
            // In a URL query (`?password=…&`), `&` and `#` end the value.
            let query = matches!(ks.checked_sub(1).map(|k| bytes[k]), Some(b'?' | b'&'));
            let n = if query {
                run(bytes, start, MAX_VALUE, |b| {
                    !b.is_ascii_whitespace() && b != b'&' && b != b'#'
                })
            } else {
                space.run_to_space(bytes, start, MAX_VALUE)
            };
            start + n
        }
    };
    let end = trim_value_end(bytes, start, end, op == Op::Is);
    (end > start).then_some(Value {
        start,
        end,
        quoted: op == Op::Xml,
        op,
        connection,
        backtick: false,
    })
}

/// A cheap look around the key before any parsing: something after it that can attach a value
/// (`=`, `:`, `!=`, `?=`, `>`, `,`, a quote, a flag's argument, "is"), or a comparison before it.
/// Key words in prose are followed by a space and a word and stop here.
fn may_assign(bytes: &[u8], ks: usize, ke: usize) -> bool {
    let mut i = ke;
    i += run(bytes, i, 8, |b| {
        matches!(b, b'"' | b'\'' | b'`' | b']' | b'[') || b.is_ascii_digit()
    });
    let blanks = run(bytes, i, 64, is_blank);
    let next = bytes.get(i + blanks).copied();
    let attaches = matches!(
        next,
        Some(b'=' | b':' | b'!' | b'?' | b'>' | b',' | b'"' | b'\'' | b'`' | b'@')
    ) || (blanks > 0 && bytes.get(ks) == Some(&b'-'))
        || (blanks > 0
            && [&b"is "[..], b"was ", b"IS "]
                .iter()
                .any(|w| bytes.get(i + blanks..i + blanks + w.len()) == Some(*w)));
    if attaches {
        return true;
    }
    // `"…" == key`: a comparison operator just before the key.
    let before = ks - run_back(bytes, ks, 8, is_blank);
    before >= 2 && bytes[before - 1] == b'=' && matches!(bytes[before - 2], b'=' | b'!')
}

/// Strips what ends a statement rather than the value: `,` `;` unmatched quotes and brackets, and
/// for prose a sentence's full stop.
fn trim_value_end(bytes: &[u8], start: usize, mut end: usize, prose: bool) -> usize {
    while end > start {
        let b = bytes[end - 1];
        let strip = match b {
            b',' | b';' | b'"' | b'\'' | b'`' => true,
            b')' => !bytes[start..end].contains(&b'('),
            b'.' | b'!' | b'?' | b':' => prose,
            _ => false,
        };
        if !strip {
            break;
        }
        end -= 1;
    }
    end
}

/// After a one-word key in prose: `is` / `was` and the word after it.
fn followed_by_is(bytes: &[u8], i: &mut usize) -> bool {
    for word in [&b"is "[..], b"was ", b"IS "] {
        if bytes.get(*i..*i + word.len()) == Some(word) {
            *i += word.len();
            return true;
        }
    }
    false
}

fn skip_blanks(bytes: &[u8], i: &mut usize) -> usize {
    let n = run(bytes, *i, 64, is_blank);
    *i += n;
    n
}

/// The string opened by the quote `q` at `open`, on one line, with backslash escapes.
fn quoted(bytes: &[u8], open: usize, q: u8) -> Option<(usize, usize)> {
    let start = open + 1;
    let limit = bytes.len().min(start + MAX_VALUE);
    let mut j = start;
    while j < limit {
        match bytes[j] {
            b'\n' => return None,
            b'\\' => j += 2,
            b if b == q => return Some((start, j)),
            _ => j += 1,
        }
    }
    None
}

/// `if ("value" == password)`: the value sits before the key.
fn reversed_comparison(bytes: &[u8], ks: usize) -> Option<Value> {
    let mut i = ks;
    i -= run_back(bytes, i, 8, is_blank);
    let op_len = run_back(bytes, i, 3, |b| b == b'=' || b == b'!');
    let op = bytes.get(i - op_len..i)?;
    if !matches!(op, b"==" | b"===" | b"!=" | b"!==") {
        return None;
    }
    i -= op_len;
    i -= run_back(bytes, i, 8, is_blank);
    let close = i.checked_sub(1)?;
    let q = bytes[close];
    if !is_quote(q) {
        return None;
    }
    let floor = close.saturating_sub(MAX_VALUE);
    let mut open = close;
    while open > floor {
        open -= 1;
        match bytes[open] {
            b'\n' => return None,
            b if b == q => {
                return Some(Value {
                    start: open + 1,
                    end: close,
                    quoted: true,
                    op: Op::Compare,
                    connection: false,
                    backtick: q == b'`',
                });
            }
            _ => {}
        }
    }
    None
}

/// Where an `Authorization` header's value starts: after `:` (HTTP, JSON), `=` (code) or `", "`.
fn header_value_start(bytes: &[u8], ks: usize, ke: usize) -> Option<usize> {
    let mut i = ke;
    if bytes.get(i).is_some_and(|&b| is_quote(b)) {
        i += 1;
    }
    if bytes.get(i) == Some(&b']') {
        i += 1;
    }
    skip_blanks(bytes, &mut i);
    match bytes.get(i) {
        Some(b':') | Some(b'=') => i += 1,
        Some(b',') if ks > 0 && is_quote(bytes[ks - 1]) => i += 1,
        _ => return None,
    }
    skip_blanks(bytes, &mut i);
    Some(i)
}

/// `//registry.example.org/:_authToken=…` in an `.npmrc`: whatever the value, it is an npm token.
/// Returns true if the key was such a line (handled, reported or not).
fn npmrc_auth_token(out: &mut Out<'_, '_, '_>, key: &Key<'_>, ks: usize, ke: usize) -> bool {
    let bytes = out.doc.bytes;
    if key.raw != b"_authToken" || ks < 4 || bytes[ks - 1] != b':' || bytes[ks - 2] != b'/' {
        return false;
    }
    // The registry path: `//host/…/` right before `:`, starting a word.
    let path_len = run_back(bytes, ks - 1, 200, |b| {
        !b.is_ascii_whitespace() && !is_quote(b)
    });
    let path = &bytes[ks - 1 - path_len..ks - 1];
    let host_ok = path.starts_with(b"//")
        && path.get(2).is_some_and(|&b| b.is_ascii_alphanumeric())
        && path.ends_with(b"/");
    if !host_ok || bytes.get(ke) != Some(&b'=') {
        return true;
    }
    let mut i = ke + 1;
    skip_blanks(bytes, &mut i);
    let end = i + run(bytes, i, MAX_VALUE, |b| {
        !b.is_ascii_whitespace() && !is_quote(b)
    });
    let Some(value) = out.doc.text.get(i..end) else {
        return true;
    };
    let score = match not_secret(value) {
        Some(NotSecret::Template | NotSecret::Empty) => return true,
        Some(NotSecret::Placeholder) => token::PLACEHOLDER_SCORE,
        None if value.len() >= 8 => 0.9,
        None => return true,
    };
    out.emit(i, end, subtype::NPM_TOKEN, score, DETECTOR);
    true
}

/// `Password=…` inside an ODBC / ADO.NET / JDBC connection string: `;`-separated `Key=value`
/// pairs with a server or data source before it on the same line.
fn connection_string_context(bytes: &[u8], ks: usize, key: &Key<'_>, op: Op) -> bool {
    if op != (Op::Assign { spaced: false })
        || !(key.compact_eq("password") || key.compact_eq("pwd"))
    {
        return false;
    }
    let floor = ks.saturating_sub(super::LOOK_BEHIND);
    let line_start = memchr::memrchr(b'\n', &bytes[floor..ks]).map_or(floor, |p| floor + p + 1);
    let line = &bytes[line_start..ks];
    // `jdbc:` found from its colon: a key's look-behind is read once per key, and keys can be a few
    // bytes apart (`password=password=…`).
    let jdbc = || {
        memchr::memchr_iter(b':', line)
            .any(|colon| colon >= 4 && line[colon - 4..colon].eq_ignore_ascii_case(b"jdbc"))
    };
    if memchr::memchr(b';', line).is_none() && !jdbc() {
        return false;
    }
    [
        &b"server="[..],
        b"data source=",
        b"host=",
        b"database=",
        b"uid=",
        b"user id=",
        b"jdbc:",
        b"dsn=",
    ]
    .iter()
    .any(|marker| {
        line.windows(marker.len())
            .any(|w| w.eq_ignore_ascii_case(marker))
    })
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::detect::secret::testing::{check, none};

    const P: &str = "PASSWORD_ASSIGNMENT";
    const G: &str = "GENERIC_HIGH_ENTROPY";

    #[test]
    fn assignments_in_every_syntax() {
        for (text, value) in [
            ("password = \"hunter2!x\"", "hunter2!x"),
            ("password: 'correct horse battery'", "correct horse battery"),
            ("\"password\": \"s3cr3t-Pa55\"", "s3cr3t-Pa55"),
            ("DB_PASSWORD=Tr0ub4dor&3", "Tr0ub4dor&3"),
            ("db_pass := kq8#Lm2x", "kq8#Lm2x"),
            ("export MYSQL_PWD=\"w0rd!pass\"", "w0rd!pass"),
            ("mysql --password=K9x!v2Lp -u root", "K9x!v2Lp"),
            ("login --password K9x!v2Lp", "K9x!v2Lp"),
            ("$config['password'] = 'K9x!v2Lp';", "K9x!v2Lp"),
            ("NSString *password = @\"K9x!v2Lp\";", "K9x!v2Lp"),
            ("if (\"K9x!v2Lp\" == password) {", "K9x!v2Lp"),
            ("if (password !== 'K9x!v2Lp') {", "K9x!v2Lp"),
            ("<password>K9x!v2Lp</password>", "K9x!v2Lp"),
            ("setenv(\"API_KEY\", \"K9x!v2Lp\")", "K9x!v2Lp"),
            ("password \"K9x!v2Lp\";", "K9x!v2Lp"),
            ("my password is K9x!v2Lp.", "K9x!v2Lp"),
            (
                "aws_secret_access_key: value with quotes and spaces",
                "value with quotes and spaces",
            ),
        ] {
            check(text, &[(P, value)]);
        }
    }

    #[test]
    fn weak_keys_need_random_values() {
        check(
            "access_token: gc3zRucmghCTw8Dn9zLF36oHEN3NTvODZX6VaLVm",
            &[(G, "gc3zRucmghCTw8Dn9zLF36oHEN3NTvODZX6VaLVm")],
        );
        check(
            "\"auth\": \"b040bba5817b977fd5b42df8091174f6c413363853a7ee6d01210b24cabb927d\"",
            &[(
                G,
                "b040bba5817b977fd5b42df8091174f6c413363853a7ee6d01210b24cabb927d",
            )],
        );
        check(
            "token: s.ZC9Ecf4M5g9o34Q6RkzGs1j0",
            &[("VAULT_TOKEN", "s.ZC9Ecf4M5g9o34Q6RkzGs1j0")],
        );
        none(&[
            "token: expired",
            "key = SalesResults-1.2",
            "\"bucket_key\": \"SalesResults-1.2\"",
            "session_token = 3f2a1c9e-4b7d-4e2a-9c1f-7a8b6d5e4c3b",
            "keyVault: cmp2-qat-1208358310",
            "schemaKey = 'DOC_Vector_5_32'",
            "KeyPair = X25519.KeyPair",
        ]);
    }

    #[test]
    fn placeholders_references_and_code_are_not_passwords() {
        none(&[
            "password = \"\"",
            "password: ${DB_PASSWORD}",
            "password = \"changeme\"",
            "password = \"<your password>\"",
            "password: \"****\"",
            "password = \"xxxxxxxx\"",
            "password = get_password()",
            "password = self.password",
            "password = DB_PASSWORD",
            "password => $password",
            "password: real_key",
            "PuttyPassword=0",
            "some_key = \"real_secret\"",
            "private_key \"unterminated';",
            "password_hint = \"the dog's name\"",
            "public_key = \"gc3zRucmghCTw8Dn9zLF36oHEN3NTvODZX6VaLVm\"",
            "credentialsId: 'ff083f76-7804-4ef1-80e4-fe975bb9141b'",
            "Password: must be at least 8 characters",
            "The passport is valid. Keys: none.",
            "GITHUB_API_KEY=\nDYNATRACE_API_KEY=",
            "<SECRET>_c.jpg",
            "PASSWORD=`cat /run/secrets/db`",
            "def login(username: str, password: Optional[str] = None):",
            "password: String,",
            "const apiKey = process.env.API_KEY;",
            "api_key = os.getenv(\"API_KEY\")",
            "Reset your password: https://example.com/reset?t=abc",
            "Use --password to pass the password",
            "--password-file /run/secrets/db",
            "<input type=\"password\" name=\"password\">",
        ]);
    }

    #[test]
    fn connection_strings_and_provider_slots() {
        check(
            "Server=db.local;Database=app;User Id=sa;Password=p@ss word 9;",
            &[("CONNECTION_STRING", "p@ss word 9")],
        );
        check(
            "jdbc:sqlserver://db:1433;databaseName=app;user=sa;password=K9x!v2Lp",
            &[("CONNECTION_STRING", "K9x!v2Lp")],
        );
        check(
            "DefaultEndpointsProtocol=https;AccountName=acme;AccountKey=3elV82/ozvXdyv6IUxfEpr+v0ov7OVcI+Nqnt/9ZHqEit/9NjCc3Ij+UI84r2rMppIZKJHSzR6V1IyVEQ/8DDQ==;",
            &[(
                "AZURE_STORAGE_KEY",
                "3elV82/ozvXdyv6IUxfEpr+v0ov7OVcI+Nqnt/9ZHqEit/9NjCc3Ij+UI84r2rMppIZKJHSzR6V1IyVEQ/8DDQ==",
            )],
        );
        check(
            "aws_secret_access_key = wEZc3IU3f0OWdtNuMVaWXBUcgc3zRucmghCTw8Dn",
            &[(
                "AWS_SECRET_ACCESS_KEY",
                "wEZc3IU3f0OWdtNuMVaWXBUcgc3zRucmghCTw8Dn",
            )],
        );
        // A token-shaped value of another shape in a provider slot is a made-up example.
        none(&["aws_secret_access_key = \"wEZc3IU3f0OWdtNuMVaWXBUcgc3zRucmghCTw8Dnx\""]);
        check(
            "//registry.npmjs.org/:_authToken=3f2a1c9e-4b7d-4e2a-9c1f-7a8b6d5e4c3b",
            &[("NPM_TOKEN", "3f2a1c9e-4b7d-4e2a-9c1f-7a8b6d5e4c3b")],
        );
        none(&[
            "_authToken=3f2a1c9e-4b7d-4e2a-9c1f-7a8b6d5e4c3b",
            "//registry.npmjs.org/:_authToken=${NPM_TOKEN}",
        ]);
    }

    #[test]
    fn word_lists_are_sorted_for_binary_search() {
        for list in [WEAK_WORDS, METADATA_WORDS] {
            assert!(list.windows(2).all(|w| w[0] < w[1]));
        }
    }

    #[test]
    fn keys_are_classified_by_their_words() {
        let class = |k: &str| Key::new(k.as_bytes()).class();
        assert_eq!(class("db_password"), Some(Class::Password));
        assert_eq!(class("dbPassword"), Some(Class::Password));
        assert_eq!(class("apikey_myservice"), Some(Class::Password));
        assert_eq!(class("api_key"), Some(Class::Password));
        assert_eq!(class("secrete"), Some(Class::Password));
        assert_eq!(class("SLAPIKEY"), Some(Class::Password));
        assert_eq!(class("access_token"), Some(Class::Weak));
        assert_eq!(class("user_auth"), Some(Class::Weak));
        assert_eq!(class("keyword"), None);
        assert_eq!(class("monkeys"), None);
        assert_eq!(class("passport"), None);
        assert_eq!(class("author"), None);
        assert!(Key::new(b"credentialsId").excluded());
        assert!(Key::new(b"public_key").excluded());
        assert!(Key::new(b"LLM_SECRET_NAME").excluded());
        assert!(!Key::new(b"client_secret").excluded());
    }

    #[test]
    fn keys_nested_deep_in_one_word_are_judged_once_at_the_end() {
        // Up to 16 nested keys are judged as usual.
        let text = "pw_token=".repeat(15) + "password=Xk9#mQ2!vL";
        check(&text, &[(P, &text[9..])]);
        // Deeper, only the first value to reach the end of the word is judged again: the secret
        // after a chain longer than a value is still covered.
        let text = "password=".repeat(100) + "Xk9#mQ2!vL";
        let found = crate::detect::secret::testing::scan(&text);
        assert_eq!(found.len(), 1, "{found:?}");
        assert!(found[0].byte_start > 9 && found[0].byte_end == text.len());
        // A chain of placeholder words is still no secret, up to the segment cap (longer runs
        // without white space are cut into segments, and each piece is judged on its own).
        none(&["password=".repeat(110).as_str()]);
    }
}
