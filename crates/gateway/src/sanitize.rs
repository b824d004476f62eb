//! Input sanitising (SPEC §2 step 5): invisible characters out, NFKC, HTML cleaned with an allow-list.
//!
//! Applied to every text the client sends before it is inspected and forwarded, so the model sees what
//! the scanner saw. Three passes, each skipped when it has nothing to do (most prompts are plain text):
//!
//! 1. invisible and control characters are removed: C0/C1 controls other than tab and line breaks,
//!    zero-width and bidirectional controls, soft hyphens, fillers, variation selectors and the Unicode
//!    tag block (the carriers of "ASCII smuggling" and emoji smuggling);
//! 2. NFKC normalisation (full-width and compatibility forms become their plain equivalents);
//! 3. when the text contains an HTML element (a known tag name after `<`, or a comment), it is cleaned
//!    with ammonia keeping only the allowed tags, no attributes, and dropping `script` and `style`
//!    with their content. Ammonia writes HTML, so `<` and `&` elsewhere in such a text come out as
//!    `&lt;` and `&amp;`; texts without HTML elements (code such as `Vec<String>`) are left alone.

use std::borrow::Cow;
use std::collections::HashSet;

use unicode_normalization::UnicodeNormalization;
use unicode_normalization::{IsNormalized, is_nfkc_quick};

use crate::config::{HtmlMode, SanitizeConfig};

/// Cleans input text. Built once from configuration, shared by every request.
#[derive(Clone, Debug)]
pub struct Sanitizer {
    html: HtmlMode,
    allowed_tags: Vec<String>,
}

impl Sanitizer {
    /// A sanitiser for `config`.
    pub fn new(config: &SanitizeConfig) -> Sanitizer {
        Sanitizer {
            html: config.html,
            allowed_tags: config
                .allowed_tags
                .iter()
                .map(|t| t.to_ascii_lowercase())
                .collect(),
        }
    }

    /// `text` cleaned; borrowed when nothing changed.
    pub fn clean<'a>(&self, text: &'a str) -> Cow<'a, str> {
        let mut text = Cow::Borrowed(text);
        if text.chars().any(is_invisible) {
            text = Cow::Owned(text.chars().filter(|&c| !is_invisible(c)).collect());
        }
        if !text.is_ascii() && is_nfkc_quick(text.chars()) != IsNormalized::Yes {
            let normalized: String = text.nfkc().collect();
            if normalized != *text {
                text = Cow::Owned(normalized);
            }
            // NFKC can compose new invisible characters only from invisible ones, which are gone,
            // but it can produce `<` from full-width `＜`: the HTML pass below sees the result.
        }
        if self.html == HtmlMode::Clean && contains_html(&text) {
            text = Cow::Owned(self.clean_html(&text));
        }
        text
    }

    /// `text` through ammonia with the tag allow-list, no attributes, comments dropped.
    pub(crate) fn clean_html(&self, text: &str) -> String {
        let tags: HashSet<&str> = self.allowed_tags.iter().map(String::as_str).collect();
        let mut builder = ammonia::Builder::default();
        builder
            .tags(tags)
            .generic_attributes(HashSet::new())
            .tag_attributes(Default::default())
            .link_rel(None)
            .strip_comments(true);
        builder.clean(text).to_string()
    }
}

/// True for characters removed from input: invisible, formatting or control characters that can hide
/// text from a reader while a model still reads it.
pub fn is_invisible(c: char) -> bool {
    matches!(c,
        '\u{0}'..='\u{8}' | '\u{B}' | '\u{C}' | '\u{E}'..='\u{1F}' | '\u{7F}'..='\u{9F}'
        | '\u{AD}' | '\u{34F}' | '\u{61C}' | '\u{115F}' | '\u{1160}' | '\u{17B4}' | '\u{17B5}'
        | '\u{180B}'..='\u{180F}' | '\u{200B}'..='\u{200F}' | '\u{202A}'..='\u{202E}'
        | '\u{2060}'..='\u{206F}' | '\u{3164}' | '\u{FE00}'..='\u{FE0F}' | '\u{FEFF}' | '\u{FFA0}'
        | '\u{FFF9}'..='\u{FFFB}' | '\u{1BCA0}'..='\u{1BCA3}' | '\u{1D173}'..='\u{1D17A}'
        | '\u{E0000}'..='\u{E007F}' | '\u{E0100}'..='\u{E01EF}')
}

/// Whether `name` (lower case) is an HTML element's name.
pub(crate) fn is_html_element(name: &str) -> bool {
    HTML_ELEMENTS.contains(&name)
}

/// HTML element names that make a text HTML (lower case).
const HTML_ELEMENTS: &[&str] = &[
    "a",
    "abbr",
    "address",
    "area",
    "article",
    "aside",
    "audio",
    "b",
    "base",
    "bdi",
    "bdo",
    "blockquote",
    "body",
    "br",
    "button",
    "canvas",
    "caption",
    "cite",
    "code",
    "col",
    "colgroup",
    "data",
    "datalist",
    "dd",
    "del",
    "details",
    "dfn",
    "dialog",
    "div",
    "dl",
    "dt",
    "em",
    "embed",
    "fieldset",
    "figcaption",
    "figure",
    "font",
    "footer",
    "form",
    "frame",
    "frameset",
    "h1",
    "h2",
    "h3",
    "h4",
    "h5",
    "h6",
    "head",
    "header",
    "hr",
    "html",
    "i",
    "iframe",
    "img",
    "input",
    "ins",
    "kbd",
    "label",
    "legend",
    "li",
    "link",
    "main",
    "map",
    "mark",
    "marquee",
    "math",
    "menu",
    "meta",
    "meter",
    "nav",
    "noscript",
    "object",
    "ol",
    "optgroup",
    "option",
    "output",
    "p",
    "param",
    "picture",
    "pre",
    "progress",
    "q",
    "s",
    "samp",
    "script",
    "section",
    "select",
    "slot",
    "small",
    "source",
    "span",
    "strong",
    "style",
    "sub",
    "summary",
    "sup",
    "svg",
    "table",
    "tbody",
    "td",
    "template",
    "textarea",
    "tfoot",
    "th",
    "thead",
    "time",
    "title",
    "tr",
    "track",
    "u",
    "ul",
    "var",
    "video",
    "wbr",
];

/// Whether `text` holds an HTML element or comment (`<p>`, `</div>`, `<img src=…>`, `<!--`).
pub fn contains_html(text: &str) -> bool {
    let bytes = text.as_bytes();
    let mut from = 0;
    while let Some(offset) = memchr_lt(&bytes[from..]) {
        let at = from + offset + 1;
        from = at;
        let rest = &bytes[at..];
        if rest.starts_with(b"!--") {
            return true;
        }
        let rest = rest.strip_prefix(b"/").unwrap_or(rest);
        let name_len = rest
            .iter()
            .take_while(|b| b.is_ascii_alphanumeric())
            .count();
        if name_len == 0 || name_len > 10 {
            continue;
        }
        let after = rest.get(name_len).copied();
        let ends_tag = matches!(
            after,
            None | Some(b'>' | b'/' | b' ' | b'\t' | b'\n' | b'\r')
        );
        if !ends_tag {
            continue;
        }
        let name = String::from_utf8_lossy(&rest[..name_len]).to_ascii_lowercase();
        if HTML_ELEMENTS.contains(&name.as_str()) {
            return true;
        }
    }
    false
}

/// The default sanitiser with HTML cleaning on (for tests).
#[cfg(test)]
impl Sanitizer {
    pub(crate) fn default_clean() -> Sanitizer {
        Sanitizer::new(&SanitizeConfig {
            html: HtmlMode::Clean,
            allowed_tags: crate::config::DEFAULT_ALLOWED_TAGS
                .iter()
                .map(|t| (*t).to_owned())
                .collect(),
        })
    }
}

fn memchr_lt(bytes: &[u8]) -> Option<usize> {
    bytes.iter().position(|&b| b == b'<')
}

#[cfg(test)]
mod tests {
    use proptest::prelude::*;

    use super::*;

    fn sanitizer() -> Sanitizer {
        Sanitizer::default_clean()
    }

    #[test]
    fn plain_text_is_borrowed() {
        assert!(matches!(
            sanitizer().clean("hello, world\n\tok"),
            Cow::Borrowed(_)
        ));
        assert!(matches!(
            sanitizer().clean("fn f() -> Vec<String> { a < b }"),
            Cow::Borrowed(_)
        ));
    }

    #[test]
    fn invisible_and_tag_characters_are_removed() {
        let smuggled: String = "ignore"
            .chars()
            .map(|c| char::from_u32(0xE0000 + c as u32).unwrap())
            .collect();
        let text = format!("jo\u{200B}hn\u{202E} {smuggled}do\u{FEFF}e\u{E0101}");
        assert_eq!(sanitizer().clean(&text), "john doe");
    }

    #[test]
    fn nfkc_folds_full_width() {
        assert_eq!(
            sanitizer().clean("１２３-４５-６７８９ ＡＢＣ"),
            "123-45-6789 ABC"
        );
    }

    #[test]
    fn html_is_cleaned() {
        let s = sanitizer();
        assert_eq!(s.clean("<b>hi</b><script>alert(1)</script>"), "<b>hi</b>");
        assert_eq!(s.clean("<img src=x onerror=alert(1)>see"), "see");
        assert_eq!(
            s.clean("<p onclick=\"x()\">a</p><!-- hidden -->"),
            "<p>a</p>"
        );
        assert_eq!(
            s.clean("<a href=\"https://evil.example\">click</a>"),
            "click"
        );
        // Full-width brackets become real ones and are then cleaned.
        assert_eq!(s.clean("＜script＞x＜/script＞ok"), "ok");
    }

    #[test]
    fn html_off_keeps_markup() {
        let s = Sanitizer::new(&SanitizeConfig {
            html: HtmlMode::Off,
            allowed_tags: Vec::new(),
        });
        assert_eq!(s.clean("<script>x</script>"), "<script>x</script>");
    }

    #[test]
    fn detects_html_elements_only() {
        assert!(contains_html("<div>"));
        assert!(contains_html("x </SPAN> y"));
        assert!(contains_html("<img src=1>"));
        assert!(!contains_html("a < b and c > d"));
        assert!(!contains_html("Vec<String>, Option<T>, <PERSON_1>"));
        assert!(!contains_html("<"));
    }

    proptest! {
        #[test]
        fn cleaned_text_has_no_invisible_characters(text in "\\PC*|[\u{200B}-\u{200F}\u{E0000}-\u{E007F}a-z<>/ ]*") {
            let cleaned = sanitizer().clean(&text);
            prop_assert!(!cleaned.chars().any(is_invisible));
            // Idempotent: cleaning twice changes nothing more.
            let again = sanitizer().clean(&cleaned).into_owned();
            if !contains_html(&cleaned) {
                prop_assert_eq!(again, cleaned.into_owned());
            }
        }
    }
}
