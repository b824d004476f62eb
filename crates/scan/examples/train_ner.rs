//! Trains the natural-language tagger: `cargo run --release -p warden-scan --features train
//! --example train_ner -- CORPUS.jsonl OUT.bin [EPOCHS] [MIN_WEIGHT]`. See scripts/data/build_ner_model.sh.

use std::io::BufRead;

use warden_scan::EntityType;
use warden_scan::ner_train::{Example, Settings, train};

fn main() -> Result<(), Box<dyn std::error::Error>> {
    let args: Vec<String> = std::env::args().collect();
    let (corpus, out) = match (args.get(1), args.get(2)) {
        (Some(c), Some(o)) => (c, o),
        _ => return Err("usage: train_ner CORPUS.jsonl OUT.bin [EPOCHS] [MIN_WEIGHT]".into()),
    };
    let epochs = args.get(3).map_or(Ok(6), |e| e.parse())?;
    let min_weight = args.get(4).map_or(Ok(0.05), |e| e.parse())?;
    let mut examples = Vec::new();
    for line in std::io::BufReader::new(std::fs::File::open(corpus)?).lines() {
        let row: serde_json::Value = serde_json::from_str(&line?)?;
        let text = row["text"].as_str().ok_or("row without text")?.to_owned();
        // Code-point offsets to byte offsets.
        let bytes: Vec<usize> = text
            .char_indices()
            .map(|(i, _)| i)
            .chain(std::iter::once(text.len()))
            .collect();
        let mut spans = Vec::new();
        for s in row["spans"].as_array().ok_or("row without spans")? {
            let start = bytes[s["start"].as_u64().ok_or("bad start")? as usize];
            let end = bytes[s["end"].as_u64().ok_or("bad end")? as usize];
            let kind = s["type"].as_str().ok_or("bad type")?;
            let entity = EntityType::parse(kind).ok_or("unknown type")?;
            spans.push((start, end, entity));
        }
        examples.push(Example { text, spans });
    }
    let settings = Settings {
        epochs,
        min_weight,
        seed: 0x5eed,
    };
    #[allow(clippy::print_stderr, reason = "a build tool's progress")]
    let model = train(&examples, &settings, &mut |line| eprintln!("{line}"));
    std::fs::write(out, &model)?;
    #[allow(clippy::print_stderr, reason = "a build tool's progress")]
    {
        eprintln!("wrote {} ({} bytes)", out, model.len());
    }
    Ok(())
}
