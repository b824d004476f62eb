#!/usr/bin/env python3
"""Writes Presidio's predictions for a PII file (JSON lines with `id` and `text`) as JSON lines
`{"id", "findings": [{"entity_type", "start", "end", "score"}]}`, the format
`warden eval pii FILE --predictions PRED` scores.

Usage: target/bench-venv/bin/python bench/presidio_predict.py GOLD.jsonl OUT.jsonl
Write OUT under target/: predictions are measurements, not sources.
"""

import json
import sys

from presidio_common import analyzer


def main() -> None:
    if len(sys.argv) != 3:
        sys.exit("usage: presidio_predict.py GOLD.jsonl OUT.jsonl")
    gold, out = sys.argv[1], sys.argv[2]
    engine = analyzer()
    with open(gold, encoding="utf-8") as rows, open(out, "w", encoding="utf-8") as sink:
        for line in rows:
            if not line.strip():
                continue
            row = json.loads(line)
            results = engine.analyze(text=row["text"], language="en")
            findings = [
                {
                    "entity_type": r.entity_type,
                    "start": r.start,
                    "end": r.end,
                    "score": round(r.score, 4),
                }
                for r in sorted(results, key=lambda r: (r.start, r.end, r.entity_type))
            ]
            sink.write(json.dumps({"id": row["id"], "findings": findings}) + "\n")


if __name__ == "__main__":
    main()
