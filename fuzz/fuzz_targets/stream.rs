//! Stream scanning equals whole-text scanning. The first bytes choose the holdback and the chunk
//! sizes; the rest, read as (lossy) UTF-8, is the text.
#![no_main]

use std::sync::{Arc, OnceLock};

use libfuzzer_sys::fuzz_target;
use warden_scan::{Scanner, StreamOptions, StreamScanner};

fn scanner() -> Arc<Scanner> {
    static SCANNER: OnceLock<Arc<Scanner>> = OnceLock::new();
    Arc::clone(SCANNER.get_or_init(|| Arc::new(Scanner::default())))
}

fuzz_target!(|data: &[u8]| {
    let [holdback, sizes @ ..] = data else {
        return;
    };
    let split = sizes.len().min(8);
    let (sizes, text) = sizes.split_at(split);
    let text = String::from_utf8_lossy(text);
    // Small holdbacks exercise the cap; 0 means the default.
    let options = match holdback {
        0 => StreamOptions::default(),
        n => StreamOptions {
            holdback_chars: usize::from(*n) * 2,
        },
    };
    let whole = scanner().scan_with(&text, &options);

    let mut stream = StreamScanner::new(scanner(), options.clone());
    let mut released = String::new();
    let mut findings = Vec::new();
    let mut at = 0;
    let mut next_size = sizes.iter().cycle();
    while at < text.len() {
        // Chunk sizes in characters, 0 to 31 (a 0 pushes an empty chunk, then one character).
        let size = next_size.next().map_or(1, |s| usize::from(s % 32));
        let end = text[at..]
            .char_indices()
            .nth(size.max(1))
            .map_or(text.len(), |(i, _)| at + i);
        if size == 0 {
            let out = stream.push("");
            released.push_str(&out.text);
            findings.extend(out.findings);
        }
        let out = stream.push(&text[at..end]);
        assert_eq!(out.byte_start, released.len());
        released.push_str(&out.text);
        findings.extend(out.findings);
        at = end;
        let held = &text[released.len()..at];
        if held.chars().count() >= options.effective_holdback() {
            assert!(
                held.starts_with("-----BEGIN "),
                "held past the holdback outside a key block"
            );
        }
    }
    let out = stream.finish();
    released.push_str(&out.text);
    findings.extend(out.findings);
    assert!(released == *text, "released text differs from the input");
    assert!(
        findings == whole,
        "streamed findings differ from whole-text findings"
    );
});
