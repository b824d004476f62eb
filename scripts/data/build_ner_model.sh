#!/usr/bin/env bash
# Rebuilds the tagger's weights, crates/scan/data/ner/model.bin (see docs/DATA.md):
# generates the template corpus (seeded, so deterministic) and trains the averaged perceptron.
# Needs the gazetteers in crates/scan/data/ner/ (scripts/data/build_ner_data.sh).
set -euo pipefail
cd "$(dirname "$0")/../.."
n="${1:-90000}"
epochs="${2:-6}"
venv=target/data-venv
[ -x "$venv/bin/python" ] || python3 -m venv "$venv"
"$venv/bin/pip" install -q -r scripts/data/requirements.txt
# Some Faker locales pick from sets: fix the hash seed so the corpus is the same on every run.
PYTHONHASHSEED=0 "$venv/bin/python" scripts/data/ner_corpus.py "$n" target/ner/train.jsonl
cargo run --release -q -p warden-scan --features train --example train_ner -- \
  target/ner/train.jsonl crates/scan/data/ner/model.bin "$epochs" 1.0
