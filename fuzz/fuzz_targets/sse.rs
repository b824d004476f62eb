//! The gateway's SSE parser: never panics, and splitting the input anywhere changes nothing.
#![no_main]

use libfuzzer_sys::fuzz_target;
use warden_gateway::sse::SseParser;

fuzz_target!(|data: &[u8]| {
    let Some((&cut, bytes)) = data.split_first() else {
        return;
    };
    let mut whole = SseParser::default();
    let expected = whole.push(bytes);
    let cut = usize::from(cut).min(bytes.len());
    let mut split = SseParser::default();
    let got = split.push(&bytes[..cut]).and_then(|mut first| {
        first.extend(split.push(&bytes[cut..])?);
        Ok(first)
    });
    match (expected, got) {
        (Ok(a), Ok(b)) => assert_eq!(a, b),
        (Err(_), Err(_)) => {}
        // An error found in the first half stops that parser earlier: both must fail.
        (a, b) => panic!("whole {:?} vs split {:?}", a.is_ok(), b.is_ok()),
    }
});
