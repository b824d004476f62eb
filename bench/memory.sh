#!/usr/bin/env bash
# Peak memory of `warden scan` on a large file: builds the release binary, writes a text file of
# SIZE_MB megabytes (default 1024) under target/ made of the shared bench document long.txt repeated
# with variations (each copy numbered, its digits rotated), then runs
# `/usr/bin/time -v target/release/warden scan FILE` and prints the maximum resident set size.
#
# Usage: bash bench/memory.sh            (WARDEN_SHARED=/path/to/shared if not ../shared)
#        SIZE_MB=100 bash bench/memory.sh
# The process runs under `ulimit -v` (LIMIT_GB, default 16) so that a scanner holding the whole
# file in memory fails on its own instead of pushing the machine into the out-of-memory killer.
set -euo pipefail
root="$(cd "$(dirname "$0")/.." && pwd)"
shared="${WARDEN_SHARED:-$root/../shared}"
long="$shared/eval/bench/long.txt"
size_mb="${SIZE_MB:-1024}"
limit_gb="${LIMIT_GB:-16}"
if [ ! -f "$long" ]; then
    echo "skipping: $long not found (set WARDEN_SHARED to the shared folder)" >&2
    exit 0
fi
cd "$root"
cargo build --release --quiet -p warden
file="$root/target/memory-${size_mb}MB.txt"
if [ ! -f "$file" ] || [ "$(stat -c %s "$file")" -lt $((size_mb * 1000000)) ]; then
    python3 - "$long" "$file" "$size_mb" <<'PY'
import sys

source, target, size_mb = sys.argv[1], sys.argv[2], int(sys.argv[3])
text = open(source, encoding="utf-8").read()
goal = size_mb * 1_000_000
written = 0
with open(target, "w", encoding="utf-8") as out:
    copy = 0
    while written < goal:
        rotate = str.maketrans("0123456789", "0123456789"[copy % 10:] + "0123456789"[: copy % 10])
        chunk = f"Document {copy}\n\n" + text.translate(rotate) + "\n"
        out.write(chunk)
        written += len(chunk.encode("utf-8"))
        copy += 1
PY
fi
echo "file: $file ($(stat -c %s "$file") bytes)"
report="$root/target/memory-${size_mb}MB.time"
set +e
(
    ulimit -v $((limit_gb * 1024 * 1024))
    /usr/bin/time -v "$root/target/release/warden" scan "$file" > /dev/null 2> "$report"
)
status=$?
set -e
grep -E "Maximum resident set size|Elapsed \(wall clock\)|User time|System time|Exit status" "$report" || cat "$report"
echo "exit status $status (0: nothing found, 1: findings, 2 or other: error)"
