#!/usr/bin/env python3
"""Times Microsoft Presidio's AnalyzerEngine (English, default recognizers, spaCy's small model)
on the shared bench corpus, one process, one thread: texts/s, MB/s and p50/p99 per text on
short.jsonl, and seconds per long.txt (100 KiB). Warden's figures come from
`cargo run --release -p warden-scan --example latency` over the same files (bench/compare.sh runs both and prints the ratios).

Usage: target/bench-venv/bin/python bench/presidio_speed.py [BENCH_DIR] [--rounds N]
BENCH_DIR defaults to $WARDEN_SHARED/eval/bench, else ../shared/eval/bench beside the repository.
"""

import argparse
import json
import os
import statistics
import sys
import time
from pathlib import Path

from presidio_common import analyzer


def bench_dir(arg: str | None) -> Path:
    if arg:
        return Path(arg)
    shared = os.environ.get("WARDEN_SHARED")
    if shared:
        return Path(shared) / "eval" / "bench"
    return Path(__file__).resolve().parent.parent.parent / "shared" / "eval" / "bench"


def percentile(values: list[float], q: float) -> float:
    ordered = sorted(values)
    return ordered[round((len(ordered) - 1) * q)]


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("bench_dir", nargs="?")
    parser.add_argument("--rounds", type=int, default=1, help="passes over short.jsonl")
    args = parser.parse_args()
    folder = bench_dir(args.bench_dir)
    short_path, long_path = folder / "short.jsonl", folder / "long.txt"
    if not short_path.exists():
        print(f"skipping: {short_path} not found (set WARDEN_SHARED)", file=sys.stderr)
        return
    texts = [json.loads(l)["text"] for l in short_path.read_text(encoding="utf-8").splitlines() if l]
    engine = analyzer()
    engine.analyze(text="warm up: jane.doe@example.com https://example.org", language="en")

    per_text = []
    for _ in range(args.rounds):
        for text in texts:
            start = time.perf_counter()
            engine.analyze(text=text, language="en")
            per_text.append(time.perf_counter() - start)
    total = sum(per_text)
    n_bytes = sum(len(t.encode("utf-8")) for t in texts) * args.rounds
    result = {
        "engine": "presidio-analyzer 2.2.366 + en_core_web_sm 3.8.0",
        "short_texts": len(per_text),
        "short_bytes": n_bytes,
        "short_texts_per_s": len(per_text) / total,
        "short_mb_per_s": n_bytes / 1e6 / total,
        "short_p50_ms": percentile(per_text, 0.50) * 1e3,
        "short_p99_ms": percentile(per_text, 0.99) * 1e3,
        "short_mean_ms": statistics.fmean(per_text) * 1e3,
    }
    if long_path.exists():
        long_text = long_path.read_text(encoding="utf-8")
        start = time.perf_counter()
        engine.analyze(text=long_text, language="en")
        seconds = time.perf_counter() - start
        result["long_bytes"] = len(long_text.encode("utf-8"))
        result["long_s"] = seconds
        result["long_mb_per_s"] = result["long_bytes"] / 1e6 / seconds
    print(
        f"presidio short.jsonl: {result['short_texts']} texts; {result['short_mb_per_s']:.4f} MB/s, "
        f"{result['short_texts_per_s']:.1f} texts/s; per text p50 {result['short_p50_ms']:.1f} ms, "
        f"p99 {result['short_p99_ms']:.1f} ms"
    )
    if "long_s" in result:
        print(f"presidio long.txt: {result['long_s']:.2f} s ({result['long_mb_per_s']:.4f} MB/s)")
    print(json.dumps(result))


if __name__ == "__main__":
    main()
