//! The gateway's stream relay on arbitrary upstream bytes in arbitrary reads: never panics, always
//! ends (with `[DONE]` or an error event), and writes only `data: …` frames.
#![no_main]

use std::collections::HashMap;
use std::sync::{Arc, OnceLock};

use libfuzzer_sys::fuzz_target;
use warden_gateway::Config;
use warden_gateway::inspect::Inspector;
use warden_gateway::stream::StreamTransformer;
use warden_scan::{EntityType, Keys, OperatorKey, PseudonymTable, Scanner};

fn inspector() -> Arc<Inspector> {
    static INSPECTOR: OnceLock<Arc<Inspector>> = OnceLock::new();
    Arc::clone(INSPECTOR.get_or_init(|| {
        let config = Config::parse("fuzz", "", &HashMap::new()).unwrap();
        let scanner = Arc::new(Scanner::new(&config.scanner).unwrap());
        let keys = Keys::derive(&OperatorKey::from_bytes([9; 32]).unwrap()).unwrap();
        Arc::new(Inspector::new(&config, scanner, keys))
    }))
}

fuzz_target!(|data: &[u8]| {
    let Some((&step, bytes)) = data.split_first() else {
        return;
    };
    let mut table = PseudonymTable::default();
    table.placeholder(&EntityType::Person, "Jane Doe");
    let mut relay = StreamTransformer::new(inspector(), Arc::new(table));
    let step = usize::from(step).max(1);
    let mut out = Vec::new();
    let mut finished = false;
    for piece in bytes.chunks(step) {
        let output = relay.push(piece);
        out.extend(output.bytes);
        if output.finished {
            finished = true;
            break;
        }
    }
    if !finished {
        out.extend(relay.finish().bytes);
    }
    let text = String::from_utf8(out).expect("the relay writes UTF-8");
    for frame in text.split_terminator("\n\n") {
        assert!(frame.starts_with("data: "), "{frame:?}");
    }
    assert!(text.ends_with("data: [DONE]\n\n") || relay.failed());
});
