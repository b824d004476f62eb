//! What a secret value looks like: character classes, token runs, boundaries, entropy, and the
//! tell-tale signs of a value that is not a secret at all (placeholders, masks, template variables,
//! references to code).
//!
//! Every scanning helper here walks ASCII bytes only and stops at the first byte it does not accept,
//! so any offset it returns lies on a character boundary of the (UTF-8) text, whatever surrounds it.

/// Upper-case hex digits are rare in tokens; this table accepts both cases.
pub(crate) fn is_hex(b: u8) -> bool {
    b.is_ascii_hexdigit()
}

/// Lower-case hex, as most providers print their hex secrets.
pub(crate) fn is_hex_lower(b: u8) -> bool {
    b.is_ascii_digit() || (b'a'..=b'f').contains(&b)
}

pub(crate) fn is_alnum(b: u8) -> bool {
    b.is_ascii_alphanumeric()
}

/// The URL-safe base64 alphabet (`A–Z a–z 0–9 - _`), the charset of most modern tokens.
pub(crate) fn is_b64url(b: u8) -> bool {
    b.is_ascii_alphanumeric() || b == b'-' || b == b'_'
}

/// The standard base64 alphabet with padding.
pub(crate) fn is_b64(b: u8) -> bool {
    b.is_ascii_alphanumeric() || b == b'+' || b == b'/' || b == b'='
}

/// Either base64 alphabet with padding: what a token of unknown origin may be made of.
pub(crate) fn is_b64_any(b: u8) -> bool {
    b.is_ascii_alphanumeric() || matches!(b, b'+' | b'/' | b'=' | b'-' | b'_')
}

/// A character that can continue an identifier-like word; a token must not be glued to one.
pub(crate) fn is_word_byte(b: u8) -> bool {
    b.is_ascii_alphanumeric() || b == b'_'
}

/// Length of the run of bytes from `start` accepted by `accept`, looking at most `max` bytes.
pub(crate) fn run(bytes: &[u8], start: usize, max: usize, accept: impl Fn(u8) -> bool) -> usize {
    let end = bytes.len().min(start.saturating_add(max));
    let mut i = start;
    while i < end && accept(bytes[i]) {
        i += 1;
    }
    i - start.min(i)
}

/// Length of the run of accepted bytes that ends right before `end`, looking back at most `max`.
pub(crate) fn run_back(bytes: &[u8], end: usize, max: usize, accept: impl Fn(u8) -> bool) -> usize {
    let end = end.min(bytes.len());
    let floor = end.saturating_sub(max);
    let mut i = end;
    while i > floor && accept(bytes[i - 1]) {
        i -= 1;
    }
    end - i
}

/// True if no identifier character sits right before `at`: start of text, space, punctuation, or a
/// non-ASCII character (CJK text often runs straight into a pasted token).
pub(crate) fn open_before(bytes: &[u8], at: usize) -> bool {
    at == 0 || at > bytes.len() || !is_word_byte(bytes[at - 1])
}

/// True if no identifier character starts at `at`.
pub(crate) fn open_after(bytes: &[u8], at: usize) -> bool {
    bytes.get(at).is_none_or(|&b| !is_word_byte(b))
}

/// True if `at` is not glued to a character of `charset` on the left.
pub(crate) fn clear_before(bytes: &[u8], at: usize, charset: fn(u8) -> bool) -> bool {
    at == 0 || at > bytes.len() || !charset(bytes[at - 1])
}

/// True if `at` is not glued to a character of `charset` on the right.
pub(crate) fn clear_after(bytes: &[u8], at: usize, charset: fn(u8) -> bool) -> bool {
    bytes.get(at).is_none_or(|&b| !charset(b))
}

/// Character statistics of a value.
#[derive(Clone, Copy, Debug, Default)]
pub(crate) struct Profile {
    pub(crate) len: usize,
    pub(crate) upper: usize,
    pub(crate) lower: usize,
    pub(crate) digit: usize,
    pub(crate) other: usize,
    pub(crate) distinct: usize,
    /// Count of the most frequent byte.
    pub(crate) top: usize,
    /// Shannon entropy in bits per byte.
    pub(crate) entropy: f32,
    /// Letters that sit in word-like runs (see [`wordy_letters`]).
    pub(crate) wordy: usize,
}

impl Profile {
    pub(crate) fn of(value: &[u8]) -> Profile {
        let mut counts = [0u16; 256];
        // The distinct bytes in order of appearance, so the entropy sum visits only those.
        let mut seen = [0u8; 256];
        let mut n_seen = 0usize;
        let mut profile = Profile {
            len: value.len(),
            ..Profile::default()
        };
        for &b in value {
            let count = &mut counts[usize::from(b)];
            if *count == 0 {
                seen[n_seen] = b;
                n_seen += 1;
            }
            *count = count.saturating_add(1);
            if b.is_ascii_uppercase() {
                profile.upper += 1;
            } else if b.is_ascii_lowercase() {
                profile.lower += 1;
            } else if b.is_ascii_digit() {
                profile.digit += 1;
            } else {
                profile.other += 1;
            }
        }
        let len = value.len().max(1) as f32;
        let mut entropy = 0.0f32;
        for &b in &seen[..n_seen] {
            let count = counts[usize::from(b)];
            profile.top = profile.top.max(usize::from(count));
            let p = f32::from(count) / len;
            entropy -= p * p.log2();
        }
        profile.distinct = n_seen;
        profile.entropy = entropy;
        profile.wordy = wordy_letters(value);
        profile
    }

    /// How many of upper case, lower case and digits occur.
    pub(crate) fn classes(&self) -> usize {
        usize::from(self.upper > 0) + usize::from(self.lower > 0) + usize::from(self.digit > 0)
    }

    /// True if one character makes up most of the value (`00000…TUVWXYZ`, `aaaa…`).
    pub(crate) fn dominated(&self) -> bool {
        self.len >= 4 && self.top * 2 > self.len
    }

    /// True if most letters sit in pronounceable words (`SalesResults`, `not_long_enough`).
    pub(crate) fn wordy(&self) -> bool {
        let letters = self.upper + self.lower;
        letters > 0 && self.wordy * 2 >= self.len.max(letters)
    }
}

/// The 100 most frequent letter pairs of English text. Identifiers are made of English words
/// (`SalesResults`, `BlindKeySignatures`), random strings are not: in random letters one pair in
/// seven is on this list, in words most are.
const COMMON_BIGRAMS: &[u8] =
    b"th he in er an re on at en nd ti es or te of ed is it al ar st to nt ng se ha \
      as ou io le ve co me de hi ri ro ic ne ea ra ce li ch ll be ma si om ur ca el \
      ta la ns di fo ho pe ec pr no ct us ac ot il tr ly nc et ut ss so rs un lo wa \
      ge ie wh ee wi em ad ol rt po we na ul ni ts mo ow pa im mi ai sh";

/// `BIGRAMS[a] & (1 << b)` is set if letters `a`, `b` (0 = `a`) form a common pair.
static BIGRAMS: [u32; 26] = {
    let mut table = [0u32; 26];
    let mut i = 0;
    while i + 1 < COMMON_BIGRAMS.len() {
        let (a, b) = (COMMON_BIGRAMS[i], COMMON_BIGRAMS[i + 1]);
        if a.is_ascii_lowercase() && b.is_ascii_lowercase() {
            table[(a - b'a') as usize] |= 1 << (b - b'a');
        }
        i += 1;
    }
    table
};

fn common_pair(a: u8, b: u8) -> bool {
    let (a, b) = (a.to_ascii_lowercase(), b.to_ascii_lowercase());
    a.is_ascii_lowercase()
        && b.is_ascii_lowercase()
        && BIGRAMS[(a - b'a') as usize] & (1 << (b - b'a')) != 0
}

/// Letters in runs that read like words: at least four letters of one case (an initial capital may
/// lead lower case), at least half of whose letter pairs are common in English. Calibrated on random
/// strings (see the `calibration` test): a few per cent of random base62 strings of 12–40
/// characters are called wordy, while identifiers made of words are.
pub(crate) fn wordy_letters(value: &[u8]) -> usize {
    let mut total = 0;
    let mut i = 0;
    while i < value.len() {
        if !value[i].is_ascii_alphabetic() {
            i += 1;
            continue;
        }
        let start = i;
        let mut j = i + 1;
        let upper_run =
            value[i].is_ascii_uppercase() && value.get(i + 1).is_some_and(u8::is_ascii_uppercase);
        while j < value.len() {
            let b = value[j];
            let same = if upper_run {
                b.is_ascii_uppercase()
            } else {
                b.is_ascii_lowercase()
            };
            if !same {
                break;
            }
            j += 1;
        }
        let word = &value[start..j];
        if word.len() >= 4 {
            let common = word.windows(2).filter(|w| common_pair(w[0], w[1])).count();
            if common * 2 >= word.len() - 1 {
                total += word.len();
            }
        }
        i = j;
    }
    total
}

/// True if a token-shaped value looks machine-generated: long enough, several character classes
/// (or hex), no character dominating, enough entropy for its length, not made of words.
pub(crate) fn looks_random(value: &[u8], min_len: usize) -> bool {
    if value.len() < min_len {
        return false;
    }
    let profile = Profile::of(value);
    if profile.dominated() || profile.distinct < 6 {
        return false;
    }
    let hex = value.iter().all(|&b| is_hex(b) || b == b'-');
    if hex {
        // Hex carries at most 4 bits a character; a run like `1111aaaa` has far less.
        return profile.entropy >= 2.8 && profile.digit > 0 && (profile.lower + profile.upper) > 0;
    }
    if profile.classes() < 2 || profile.wordy() {
        return false;
    }
    // The entropy a random string of this length over ~64 symbols would reach, less a margin:
    // short strings cannot reach 4 bits a character however random they are.
    let ceiling = (profile.len.min(64) as f32).log2();
    profile.entropy >= (ceiling * 0.78).min(3.6)
}

/// Why a value is not worth reporting, if it is not.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub(crate) enum NotSecret {
    /// Nothing there, or nothing but punctuation.
    Empty,
    /// `xxxx`, `****`, `<your-key>`, `changeme`, one character repeated …
    Placeholder,
    /// `${VAR}`, `$VAR`, `{{ var }}`, `%s`, `$(cmd)`, `` `cmd` `` …
    Template,
}

/// Words that make up placeholder values: a value built only of these says "put a secret here".
const PLACEHOLDER_WORDS: &[&str] = &[
    "access",
    "api",
    "apikey",
    "app",
    "auth",
    "bar",
    "baz",
    "change",
    "changeme",
    "client",
    "cred",
    "credential",
    "credentials",
    "default",
    "dummy",
    "empty",
    "enter",
    "example",
    "fake",
    "false",
    "foo",
    "goes",
    "here",
    "hidden",
    "id",
    "insert",
    "key",
    "login",
    "me",
    "mock",
    "my",
    "nil",
    "none",
    "null",
    "pass",
    "passwd",
    "password",
    "placeholder",
    "private",
    "put",
    "pwd",
    "qux",
    "real",
    "redacted",
    "replace",
    "sample",
    "secret",
    "some",
    "str",
    "string",
    "tbd",
    "test",
    "testing",
    "the",
    "this",
    "to",
    "todo",
    "token",
    "true",
    "undefined",
    "user",
    "username",
    "value",
    "with",
    "xxx",
    "you",
    "your",
    "yours",
];

/// Fragments that mark a value as made up wherever they appear in it.
const PLACEHOLDER_MARKERS: &[&str] = &[
    "changeme",
    "change_me",
    "dummy",
    "example",
    "fake",
    "placeholder",
    "redacted",
    "your_",
    "your-",
    "yourkey",
    "yourtoken",
    "yourpassword",
    "xxxx",
];

/// Judges a value found in a keyword slot (password, key, token …). `None` means it may be a secret.
pub(crate) fn not_secret(value: &str) -> Option<NotSecret> {
    let bytes = value.as_bytes();
    if !value.chars().any(char::is_alphanumeric) {
        return Some(NotSecret::Empty);
    }
    if is_template(value) {
        return Some(NotSecret::Template);
    }
    if is_filler(bytes) {
        return Some(NotSecret::Placeholder);
    }
    if PLACEHOLDER_MARKERS.iter().any(|m| {
        bytes
            .windows(m.len())
            .any(|w| w.eq_ignore_ascii_case(m.as_bytes()))
    }) {
        return Some(NotSecret::Placeholder);
    }
    if only_placeholder_words(value) {
        return Some(NotSecret::Placeholder);
    }
    None
}

/// Filler: one character repeated, two alternating, an `x`/`X` fill, or a mask of `*`, `#`, `.`,
/// `•`. Used for provider tokens too, where only the body after the prefix is passed.
pub(crate) fn is_filler(bytes: &[u8]) -> bool {
    if bytes.is_empty() {
        return true;
    }
    let profile = Profile::of(bytes);
    if (profile.distinct <= 2 && bytes.len() >= 3) || (profile.dominated() && bytes.len() >= 8) {
        return true;
    }
    let masks = bytes
        .iter()
        .filter(|&&b| matches!(b, b'*' | b'#' | b'.' | b'x' | b'X') || b >= 0x80)
        .count();
    if masks * 2 >= bytes.len() && longest_run_of(bytes, |b| matches!(b, b'x' | b'X')) >= 4 {
        return true;
    }
    longest_run_of(bytes, |b| matches!(b, b'*' | b'#')) >= 3 && masks * 2 >= bytes.len()
        || (bytes.len() >= 8 && longest_run_of(bytes, |b| b == b'.') * 2 >= bytes.len())
}

fn longest_run_of(bytes: &[u8], accept: fn(u8) -> bool) -> usize {
    let (mut best, mut current) = (0, 0);
    for &b in bytes {
        if accept(b) {
            current += 1;
            best = best.max(current);
        } else {
            current = 0;
        }
    }
    best
}

/// Template variables and shell expansions: the value is filled in elsewhere. Only well-formed ones
/// count: `m{{h}o)p${e]…` is a password full of braces, not a template.
pub(crate) fn is_template(value: &str) -> bool {
    let v = value.trim();
    let b = v.as_bytes();
    if b.is_empty() {
        return false;
    }
    if enclosed(b, b"${", b"}") || enclosed(b, b"{{", b"}}") || enclosed(b, b"$(", b")") {
        return true;
    }
    if find(b, b"<%").is_some() || b.starts_with(b"%s") || b.starts_with(b"%(") || b[0] == b'`' {
        return true;
    }
    if b[0] == b'$'
        && b.get(1)
            .is_some_and(|&c| c.is_ascii_alphabetic() || c == b'_')
    {
        return true;
    }
    if b.len() >= 2 {
        let (first, last) = (b[0], b[b.len() - 1]);
        let bracketed = matches!((first, last), (b'<', b'>') | (b'[', b']') | (b'{', b'}'));
        // `<your token>`, `[PASSWORD]`, `{api_key}`: a name in brackets. A random string in braces
        // (`{ZqL5kVrX1n8tA2}`) is a value that happens to be wrapped.
        if bracketed {
            let inner = &b[1..b.len() - 1];
            if first == b'<' || name_shaped(inner) {
                return true;
            }
        }
    }
    false
}

/// True if `open … close` occurs with nothing between that a template expression would not hold.
fn enclosed(v: &[u8], open: &[u8], close: &[u8]) -> bool {
    let mut rest = v;
    while let Some(at) = find(rest, open) {
        let after = &rest[at + open.len()..];
        if let Some(end) = find(after, close) {
            let inner = &after[..end];
            if !inner.is_empty() && !inner.iter().any(|c| matches!(c, b'(' | b')' | b'[' | b']')) {
                return true;
            }
        }
        rest = after;
    }
    false
}

/// Where `needle` first occurs in `haystack` (values are short: a plain scan beats a searcher).
fn find(haystack: &[u8], needle: &[u8]) -> Option<usize> {
    haystack.windows(needle.len()).position(|w| w == needle)
}

/// True if every word of the value is a placeholder word (`real_key`, `insert_key_here`, `user:pass`).
pub(crate) fn only_placeholder_words(value: &str) -> bool {
    let mut any = false;
    for word in split_words(value.as_bytes()) {
        let Ok(word) = std::str::from_utf8(word) else {
            return false;
        };
        let lower = word.to_ascii_lowercase();
        if !PLACEHOLDER_WORDS.contains(&lower.as_str()) {
            return false;
        }
        any = true;
    }
    any
}

/// Splits on anything that is not a letter or digit, and on camel-case humps (`myApiKey` → my, Api,
/// Key; `APIKey` → API, Key). Digits stay with the letters before them.
pub(crate) fn split_words(bytes: &[u8]) -> impl Iterator<Item = &[u8]> {
    word_ranges(bytes).map(move |(start, end)| &bytes[start..end])
}

/// The byte ranges of the words [`split_words`] yields.
pub(crate) fn word_ranges(bytes: &[u8]) -> impl Iterator<Item = (usize, usize)> + '_ {
    let mut i = 0;
    std::iter::from_fn(move || {
        while i < bytes.len() && !bytes[i].is_ascii_alphanumeric() {
            i += 1;
        }
        if i >= bytes.len() {
            return None;
        }
        let start = i;
        i += 1;
        while i < bytes.len() && bytes[i].is_ascii_alphanumeric() {
            let (prev, b) = (bytes[i - 1], bytes[i]);
            let hump =
                b.is_ascii_uppercase() && (prev.is_ascii_lowercase() || prev.is_ascii_digit());
            let acronym_end = prev.is_ascii_uppercase()
                && b.is_ascii_uppercase()
                && bytes.get(i + 1).is_some_and(u8::is_ascii_lowercase);
            if hump || acronym_end {
                break;
            }
            i += 1;
        }
        Some((start, i))
    })
}

/// How a would-be identifier splits into words.
struct WordShape {
    letters: usize,
    /// Letters in words of fewer than four letters.
    short_letters: usize,
    /// Every word has at least two letters.
    words_of_two: bool,
    longest: usize,
}

/// `None` unless every word is letters optionally followed by digits (`Vector5`, `key2`), the shape
/// of identifier words; random strings interleave letters and digits (`Gg1iJd2`).
fn word_shape(bytes: &[u8]) -> Option<WordShape> {
    if bytes.is_empty()
        || !bytes
            .iter()
            .all(|&b| b.is_ascii_alphanumeric() || matches!(b, b'_' | b'.' | b'-' | b'$' | b' '))
        || !(bytes[0].is_ascii_alphabetic() || matches!(bytes[0], b'_' | b'$' | b' '))
    {
        return None;
    }
    let mut shape = WordShape {
        letters: 0,
        short_letters: 0,
        words_of_two: true,
        longest: 0,
    };
    for word in split_words(bytes) {
        let alpha = word.iter().take_while(|b| b.is_ascii_alphabetic()).count();
        if !word[alpha..].iter().all(u8::is_ascii_digit) {
            return None;
        }
        shape.letters += alpha;
        if alpha < 4 {
            shape.short_letters += alpha;
        }
        shape.words_of_two &= alpha >= 2;
        shape.longest = shape.longest.max(alpha);
    }
    (shape.letters > 0).then_some(shape)
}

/// A name in brackets (`{SumoAccessKey}`, `[PASSWORD]`, `<api key>`): whole words, no scraps.
fn name_shaped(bytes: &[u8]) -> bool {
    word_shape(bytes).is_some_and(|s| s.words_of_two)
}

/// A name rather than a value: identifier words (`DB_PASSWORD`, `self.password`, `getPassword`,
/// `NEXUS-GPT4-API-KEY`), i.e. nothing random-looking between its separators.
pub(crate) fn looks_like_name(bytes: &[u8]) -> bool {
    let Some(shape) = word_shape(bytes) else {
        return false;
    };
    // With separators, whole words of which one is long enough to be a real word make a name.
    // (Without separators this would catch random strings that happen to split into such words.)
    let separated = bytes
        .iter()
        .any(|&b| matches!(b, b'_' | b'.' | b'-' | b' '));
    if separated && shape.words_of_two && shape.longest >= 4 {
        return true;
    }
    // Otherwise the long words must read as English and short scraps must be few.
    let wordy = wordy_letters(bytes);
    wordy + shape.short_letters >= shape.letters && shape.short_letters * 2 <= shape.letters.max(4)
}

/// A balanced expression that starts like code: `Optional[str]`, `get_password()`,
/// `os.environ['PW']`, `config.db.password`. (`m{{h}o)p…` has brackets but does not balance: a
/// password full of symbols, not code.)
pub(crate) fn looks_like_expression(value: &[u8]) -> bool {
    let Some(&first) = value.first() else {
        return false;
    };
    if !(first.is_ascii_alphabetic() || first == b'_' || first == b'$') {
        return false;
    }
    // Brackets must nest properly: each closer matches the last opener.
    let mut stack = [0u8; 16];
    let mut depth = 0usize;
    let mut brackets = false;
    for &b in value {
        let closer = match b {
            b'(' => Some(b')'),
            b'[' => Some(b']'),
            b'{' => Some(b'}'),
            _ => None,
        };
        if let Some(closer) = closer {
            let Some(slot) = stack.get_mut(depth) else {
                return false;
            };
            *slot = closer;
            depth += 1;
            brackets = true;
        } else if matches!(b, b')' | b']' | b'}') {
            if depth == 0 || stack[depth - 1] != b {
                return false;
            }
            depth -= 1;
        }
    }
    if depth != 0 {
        return false;
    }
    // The head before any bracket is an identifier path.
    let head_len = value
        .iter()
        .take_while(|&&b| !matches!(b, b'(' | b'[' | b'{'))
        .count();
    let head = &value[..head_len];
    let identifier_path = head
        .iter()
        .all(|&b| b.is_ascii_alphanumeric() || matches!(b, b'_' | b'.' | b'$'));
    identifier_path && (brackets || head.contains(&b'.'))
}

/// Code, not a literal: a call, an index, a dotted path, a bare identifier written like a name.
/// Only meaningful for unquoted values after `=` with spaces or `=>`, where source code puts
/// expressions (config files put literals after `=` without spaces, or after `:`).
pub(crate) fn looks_like_code(value: &[u8]) -> bool {
    if value
        .iter()
        .any(|&b| matches!(b, b'(' | b')' | b'[' | b']' | b'{' | b'}' | b';'))
    {
        return true;
    }
    looks_like_name(value)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn placeholders_and_templates_are_not_secrets() {
        for value in [
            "",
            "  ",
            ",.:-¨@*¿?!",
            "xxxxxxxxxxxx",
            "XXXXXXXX-XXXX",
            "**********",
            "####",
            "${link}",
            "$API_KEY",
            "{{ .Values.password }}",
            "%s",
            "`etcdctl get /x`",
            "<SUMOLOGIC ACCESS KEY>",
            "[PASSWORD]",
            "{SumoAccessKey}",
            "somefakekey",
            "real_secret",
            "real_key",
            "insert_key_here",
            "changeme",
            "your-api-key",
            "aaaaaaaa",
            "abababab",
            "$(cat ./password.txt)",
        ] {
            assert!(not_secret(value).is_some(), "{value:?}");
        }
        for value in [
            "hunter2!",
            "value with quotes and spaces",
            "A,.:-¨@*¿?!",
            "m{{h}o)p${e]nob(ody[finds>-_$#thisone}}",
            "{ZqL5kVrX1n8tA2}",
            "cafebabe",
            "P@ssw0rd$1",
        ] {
            assert_eq!(not_secret(value), None, "{value:?}");
        }
    }

    #[test]
    fn randomness_separates_keys_from_names() {
        for value in [
            "HXe8DGg1iJd2AopzyxkFB7F2",
            "6da89121079f83b2eb6acccf8219ea982c3d79bccc3e9c6a85856480661f8fde",
            "Sk94HG7f6KB",
            "am9obmRvZTpkMDY5NGIxYi1jMTcxLTQ4ODYt+TMyYS0wMmUwOWQ1/mIwNjc=",
        ] {
            assert!(looks_random(value.as_bytes(), 10), "{value:?}");
        }
        for value in [
            "SalesResults-1.2",
            "ultraPictureBox1",
            "00000000000000000000000000000000000TUVWXYZ",
            "not_long_enough",
            "aaaaaaaaaa",
        ] {
            assert!(!looks_random(value.as_bytes(), 10), "{value:?}");
        }
    }

    #[test]
    fn names_and_code_are_recognised() {
        for value in [
            "DB_PASSWORD",
            "self.password",
            "getPassword",
            "real_key",
            "NEXUS-GPT4-API-KEY",
        ] {
            assert!(looks_like_name(value.as_bytes()), "{value:?}");
        }
        for value in [
            "Xk9mP2vLq8",
            "hE1hlYILrSqpqh",
            "A,.:-",
            "jCBaQngSHiHDRYOcsMcifUcysGyaiybUWz",
        ] {
            assert!(!looks_like_name(value.as_bytes()), "{value:?}");
        }
        assert!(looks_like_code(b"get_password()"));
        assert!(looks_like_expression(b"Optional[str]"));
        assert!(looks_like_expression(b"os.environ['PW']"));
        assert!(looks_like_expression(b"self.password"));
        assert!(!looks_like_expression(b"m{{h}o)p$"));
        assert!(!looks_like_expression(b"P@ss(w0rd)"));
        assert!(looks_like_code(b"m{{h}o)p$"));
        assert!(!looks_like_code(b"Xk9#mP2$vL"));
    }

    #[test]
    fn words_split_on_humps_and_separators() {
        let words: Vec<&[u8]> = split_words(b"myAPIKey_value2-x").collect();
        assert_eq!(words, [&b"my"[..], b"API", b"Key", b"value2", b"x"]);
    }
}

#[cfg(test)]
mod calibration {
    use super::*;

    /// How often random strings count as wordy or fail `looks_random`: a deterministic generator,
    /// so the test is stable.
    #[test]
    fn random_strings_are_rarely_wordy() {
        let alphabets: [&[u8]; 3] = [
            b"ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789",
            b"ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz",
            b"0123456789abcdef",
        ];
        let mut state = 0x2545_F491_4F6C_DD1Du64;
        for alphabet in alphabets {
            for len in [12usize, 16, 24, 34, 40] {
                let (mut wordy, mut not_random) = (0, 0);
                for _ in 0..2000 {
                    let s: Vec<u8> = (0..len)
                        .map(|_| {
                            state ^= state << 13;
                            state ^= state >> 7;
                            state ^= state << 17;
                            alphabet[(state % alphabet.len() as u64) as usize]
                        })
                        .collect();
                    wordy += usize::from(Profile::of(&s).wordy());
                    not_random += usize::from(!looks_random(&s, 10));
                }
                eprintln!(
                    "alphabet {} len {len}: wordy {wordy}/2000, not random {not_random}/2000",
                    alphabet.len()
                );
                assert!(wordy < 80, "too many random strings look wordy");
                assert!(
                    not_random < 120 || alphabet.len() == 16 && len <= 16,
                    "too many random strings fail"
                );
            }
        }
    }
}
