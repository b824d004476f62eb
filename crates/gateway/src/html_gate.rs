//! Raw HTML in answers (`[output] html = "clean"`, off by default), streamed or whole.
//!
//! An answer is cut into plain runs and HTML runs. An HTML run starts at a tag of a known HTML
//! element (or a comment, or a declaration) outside any element and ends where every element it
//! opened is closed again; it is cleaned by ammonia with the `[sanitize]` tag allow-list (no
//! attributes; `script`, `style` and the like dropped with their content). In plain runs, a `<`
//! that starts something tag-like (`<` then a letter, `/`, `!` or `?`) is written `&lt;`, so no
//! markup reaches the client unclean, while code such as `Vec<String>` still reads the same once
//! rendered. Runs are found by the same rules whatever the chunking, so a streamed answer comes
//! out exactly as the whole one (property-tested below) — except when an HTML run outgrows the
//! hold-back (`stream.holdback_chars`): then what is held is cleaned as it stands (ammonia closes
//! what is open) and released, which is still clean.

use crate::sanitize::{Sanitizer, is_html_element};

/// Elements whose content is text up to their end tag (dropped by ammonia with it).
const RAW_TEXT: &[&str] = &[
    "script",
    "style",
    "textarea",
    "title",
    "xmp",
    "iframe",
    "noembed",
    "noframes",
    "noscript",
    "plaintext",
];
/// Elements without an end tag.
const VOID: &[&str] = &[
    "area", "base", "br", "col", "embed", "hr", "img", "input", "link", "meta", "param", "source",
    "track", "wbr",
];

/// One answer text's gate.
#[derive(Debug)]
pub struct HtmlGate {
    sanitizer: Sanitizer,
    held: String,
    limit: usize,
}

/// What starts at a `<`.
enum Construct {
    /// Not markup; the `<` is text (escaped when tag-like).
    Text { tag_like: bool },
    /// Markup ending at `end`, changing the element depth by `depth`.
    Markup { end: usize, depth: isize },
    /// Cannot tell yet: more text is needed.
    Incomplete,
}

impl HtmlGate {
    /// A gate cleaning with `sanitizer`, holding at most `limit` bytes of an open HTML run.
    pub fn new(sanitizer: Sanitizer, limit: usize) -> HtmlGate {
        HtmlGate {
            sanitizer,
            held: String::new(),
            limit,
        }
    }

    /// Takes the next piece of answer text; returns what may go to the client now.
    pub fn push(&mut self, text: &str) -> String {
        self.held.push_str(text);
        self.release(false)
    }

    /// Ends the text: everything held, cleaned.
    pub fn finish(&mut self) -> String {
        self.release(true)
    }

    /// A whole text, cleaned as a stream of it would be.
    pub fn clean_whole(sanitizer: Sanitizer, text: &str) -> String {
        let mut gate = HtmlGate::new(sanitizer, usize::MAX);
        let mut out = gate.push(text);
        out.push_str(&gate.finish());
        out
    }

    fn release(&mut self, at_end: bool) -> String {
        let held = std::mem::take(&mut self.held);
        let bytes = held.as_bytes();
        let mut out = String::new();
        let (mut i, mut depth, mut html_start) = (0usize, 0isize, None::<usize>);
        // Start of the plain text not yet written.
        let mut plain_from = 0usize;
        let mut stopped = held.len();
        while i < bytes.len() {
            let Some(offset) = bytes[i..].iter().position(|&b| b == b'<') else {
                break;
            };
            let at = i + offset;
            match construct(&held, at, at_end) {
                Construct::Incomplete => {
                    stopped = at;
                    break;
                }
                Construct::Text { tag_like } => {
                    if html_start.is_none() {
                        out.push_str(&held[plain_from..at]);
                        out.push_str(if tag_like { "&lt;" } else { "<" });
                        plain_from = at + 1;
                    }
                    i = at + 1;
                }
                Construct::Markup { end, depth: change } => {
                    if html_start.is_none() {
                        out.push_str(&held[plain_from..at]);
                        html_start = Some(at);
                    }
                    depth = (depth + change).max(0);
                    i = end;
                    if depth == 0
                        && let Some(start) = html_start.take()
                    {
                        out.push_str(&self.sanitizer.clean_html(&held[start..end]));
                        plain_from = end;
                    }
                }
            }
        }
        match html_start {
            // Plain text up to where parsing stopped is final.
            None => {
                out.push_str(&held[plain_from..stopped]);
                self.held = held[stopped..].to_owned();
            }
            Some(start) => self.held = held[start..].to_owned(),
        }
        if at_end || self.held.len() > self.limit {
            // The end, or an HTML run past the hold-back: clean what is held as it stands.
            let rest = std::mem::take(&mut self.held);
            if !rest.is_empty() {
                out.push_str(&self.sanitizer.clean_html(&rest));
            }
        }
        out
    }
}

/// What starts at `text[at] == '<'`.
fn construct(text: &str, at: usize, at_end: bool) -> Construct {
    let bytes = text.as_bytes();
    let incomplete = if at_end {
        Construct::Text { tag_like: true }
    } else {
        Construct::Incomplete
    };
    let Some(&next) = bytes.get(at + 1) else {
        return if at_end {
            Construct::Text { tag_like: false }
        } else {
            Construct::Incomplete
        };
    };
    if next == b'!' || next == b'?' {
        if bytes[at..].starts_with(b"<!--") {
            return match text[at + 4..].find("-->") {
                Some(end) => Construct::Markup {
                    end: at + 4 + end + 3,
                    depth: 0,
                },
                None => incomplete,
            };
        }
        if !at_end && bytes.len() < at + 4 && b"<!--".starts_with(&bytes[at..]) {
            return Construct::Incomplete;
        }
        return match tag_end(bytes, at + 2) {
            Some(end) => Construct::Markup { end, depth: 0 },
            None => incomplete,
        };
    }
    let closing = next == b'/';
    let name_from = at + 1 + usize::from(closing);
    let name_len = bytes[name_from.min(bytes.len())..]
        .iter()
        .take_while(|b| b.is_ascii_alphanumeric())
        .count();
    if name_len == 0 {
        // `< 3`, `</ `: text; `</` at the very end: wait for the name.
        return if closing && name_from == bytes.len() && !at_end {
            Construct::Incomplete
        } else {
            Construct::Text { tag_like: closing }
        };
    }
    if name_from + name_len == bytes.len() && !at_end {
        return Construct::Incomplete;
    }
    if !bytes[name_from].is_ascii_alphabetic() {
        return Construct::Text { tag_like: false };
    }
    let name = text[name_from..name_from + name_len].to_ascii_lowercase();
    let after = bytes.get(name_from + name_len).copied();
    let ends_name = matches!(
        after,
        None | Some(b'>' | b'/' | b' ' | b'\t' | b'\n' | b'\r')
    );
    if !ends_name || !is_html_element(&name) {
        return Construct::Text { tag_like: true };
    }
    let Some(end) = tag_end(bytes, name_from + name_len) else {
        return incomplete;
    };
    if closing {
        return Construct::Markup { end, depth: -1 };
    }
    let self_closing = bytes[..end].ends_with(b"/>");
    if VOID.contains(&name.as_str()) || self_closing {
        return Construct::Markup { end, depth: 0 };
    }
    if RAW_TEXT.contains(&name.as_str()) {
        // The content runs to `</name` (any case), then that tag's `>`.
        let lower = text[end..].to_ascii_lowercase();
        let needle = format!("</{name}");
        return match lower.find(&needle) {
            Some(offset) => match tag_end(bytes, end + offset + needle.len()) {
                Some(close) => Construct::Markup {
                    end: close,
                    depth: 0,
                },
                None => incomplete,
            },
            None => incomplete,
        };
    }
    Construct::Markup { end, depth: 1 }
}

/// The index after the `>` that ends a tag whose attributes start at `from` (quotes respected).
fn tag_end(bytes: &[u8], from: usize) -> Option<usize> {
    let mut quote: Option<u8> = None;
    for (offset, &b) in bytes.get(from..)?.iter().enumerate() {
        match (quote, b) {
            (Some(q), _) if b == q => quote = None,
            (Some(_), _) => {}
            (None, b'"' | b'\'') => quote = Some(b),
            (None, b'>') => return Some(from + offset + 1),
            (None, _) => {}
        }
    }
    None
}

#[cfg(test)]
mod tests {
    use super::*;
    use proptest::prelude::*;

    fn sanitizer() -> Sanitizer {
        Sanitizer::default_clean()
    }

    fn whole(text: &str) -> String {
        HtmlGate::clean_whole(sanitizer(), text)
    }

    fn streamed(text: &str, cuts: &[usize]) -> String {
        let mut gate = HtmlGate::new(sanitizer(), usize::MAX);
        let mut out = String::new();
        let mut from = 0;
        for &cut in cuts {
            let cut = cut.clamp(from, text.len());
            if !text.is_char_boundary(cut) {
                continue;
            }
            out.push_str(&gate.push(&text[from..cut]));
            from = cut;
        }
        out.push_str(&gate.push(&text[from..]));
        out.push_str(&gate.finish());
        out
    }

    #[test]
    fn markup_is_cleaned_and_plain_text_kept() {
        assert_eq!(whole("Plain & simple, 3 < 4."), "Plain & simple, 3 < 4.");
        assert_eq!(whole("a <b>bold</b> word"), "a <b>bold</b> word");
        let cleaned = whole("x<script>fetch('//evil')</script>y<img src=x onerror=alert(1)>z");
        assert_eq!(cleaned, "xyz");
        let link = whole("see <a href=\"javascript:alert(1)\" onclick=\"x()\">here</a>");
        assert!(
            !link.contains("javascript") && !link.contains("onclick"),
            "{link}"
        );
        assert!(link.contains("here"));
        assert_eq!(
            whole("Vec<String> and <x-y onfocus=z>"),
            "Vec&lt;String> and &lt;x-y onfocus=z>"
        );
        assert_eq!(whole("<!-- hidden --> shown"), " shown");
    }

    #[test]
    fn a_streamed_answer_is_held_only_while_an_element_is_open() {
        let mut gate = HtmlGate::new(sanitizer(), 1_024);
        assert_eq!(gate.push("Hello <"), "Hello ");
        assert_eq!(gate.push("b>wor"), "");
        assert_eq!(gate.push("ld</b> and"), "<b>world</b> and");
        assert_eq!(gate.push(" <scr"), " ");
        assert_eq!(gate.push("ipt>steal()</scr"), "");
        assert_eq!(gate.push("ipt> done"), " done");
        assert_eq!(gate.finish(), "");
        // Past the hold-back, what is held is cleaned as it stands.
        let mut small = HtmlGate::new(sanitizer(), 16);
        let out = small.push("<b>a long bold run that never closes");
        assert_eq!(out, "<b>a long bold run that never closes</b>");
    }

    proptest! {
        #[test]
        fn streamed_equals_whole_for_any_chunking(
            text in "([a-z <>/&\"'=!-]|<b>|</b>|<script>|</script>|<img src=x>|<!--|-->|<i>|</i>){0,40}",
            cuts in proptest::collection::vec(0usize..200, 0..8),
        ) {
            let mut cuts = cuts;
            cuts.sort_unstable();
            prop_assert_eq!(streamed(&text, &cuts), whole(&text));
        }
    }
}
