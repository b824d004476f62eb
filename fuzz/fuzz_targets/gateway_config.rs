//! `warden.toml` parsing and validation: never panics, whatever the text.
#![no_main]

use std::collections::HashMap;

use libfuzzer_sys::fuzz_target;
use warden_gateway::Config;

fuzz_target!(|data: &[u8]| {
    let Ok(text) = std::str::from_utf8(data) else {
        return;
    };
    let env: HashMap<String, String> = [("K".to_owned(), "v".to_owned())].into();
    let _ = Config::parse("fuzz", text, &env);
});
