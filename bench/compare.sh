#!/usr/bin/env bash
# Warden and Presidio on the same bench files, one after the other in the same run: throughput,
# texts/s and p50/p99 per text on short.jsonl, and long.txt. Needs bench/setup-presidio.sh first.
# Usage: bash bench/compare.sh   (WARDEN_SHARED=/path/to/shared if not ../shared)
set -euo pipefail
root="$(cd "$(dirname "$0")/.." && pwd)"
export WARDEN_SHARED="${WARDEN_SHARED:-$root/../shared}"
if [ ! -f "$WARDEN_SHARED/eval/bench/short.jsonl" ]; then
    echo "skipping: $WARDEN_SHARED/eval/bench/short.jsonl not found (set WARDEN_SHARED to the shared folder)" >&2
    exit 0
fi
if [ ! -x "$root/target/bench-venv/bin/python" ]; then
    echo "no Presidio environment: run bash bench/setup-presidio.sh first" >&2
    exit 1
fi
cd "$root"
out="$root/target/compare"
mkdir -p "$out"
cargo run --release --quiet -p warden-scan --example latency | tee "$out/warden.txt"
"$root/target/bench-venv/bin/python" "$root/bench/presidio_speed.py" | tee "$out/presidio.txt"
python3 - "$out/warden.txt" "$out/presidio.txt" <<'PY'
import json, re, sys

warden = open(sys.argv[1]).read()
presidio = json.loads(open(sys.argv[2]).read().strip().splitlines()[-1])
short = re.search(r"short\.jsonl: .*?; ([\d.]+) MB/s, ([\d.]+) texts/s; per text p50 ([\d.]+) µs, p99 ([\d.]+) µs", warden)
long = re.search(r"long\.txt: \d+ bytes; ([\d.]+) MB/s", warden)
w_mb, w_tps, w_p50, w_p99 = (float(x) for x in short.groups())
rows = [
    ("short.jsonl MB/s", w_mb, presidio["short_mb_per_s"]),
    ("short.jsonl texts/s", w_tps, presidio["short_texts_per_s"]),
    ("p50 per text (ms)", w_p50 / 1000, presidio["short_p50_ms"]),
    ("p99 per text (ms)", w_p99 / 1000, presidio["short_p99_ms"]),
]
if long and "long_mb_per_s" in presidio:
    rows.append(("long.txt MB/s", float(long.group(1)), presidio["long_mb_per_s"]))
print("\n| measure | Warden | Presidio | Warden faster by |")
print("|---|---:|---:|---:|")
for name, w, p in rows:
    ratio = p / w if "ms" in name else w / p
    print(f"| {name} | {w:.4g} | {p:.4g} | {ratio:,.0f}× |")
PY
