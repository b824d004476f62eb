#!/usr/bin/env python3
"""Prints the tables of docs/ACCURACY.md: Warden and Presidio on every labelled PII set, by split.

Usage: scripts/accuracy.py [WARDEN_BINARY] > /tmp/tables.md
Reads ../shared/eval (or $WARDEN_SHARED/eval); Presidio's predictions come from
target/presidio/<set>.jsonl (written by bench/presidio_predict.py, e.g. synth_v2.jsonl,
evaluator_generated.jsonl, generated_large.jsonl) or, for synth_v2, from the
baseline file shipped with the evaluation data. Scoring is `warden eval pii --json` (same rules as
score_pii.py; URL and DOMAIN_NAME scored as one family).
"""
import json
import os
import subprocess
import sys

ROOT = os.path.dirname(os.path.dirname(os.path.abspath(__file__)))
SHARED = os.environ.get("WARDEN_SHARED", os.path.join(ROOT, "..", "shared"))
EVAL = os.path.join(SHARED, "eval")
WARDEN = sys.argv[1] if len(sys.argv) > 1 else os.path.join(ROOT, "target", "release", "warden")
SETS = ["presidio_research_synth_v2", "presidio_evaluator_generated", "presidio_research_generated_large"]
PRESIDIO_TYPES = ["PERSON", "LOCATION", "ORGANIZATION", "NRP", "DATE_TIME", "PHONE_NUMBER", "EMAIL_ADDRESS",
                  "CREDIT_CARD", "IBAN_CODE", "IP_ADDRESS", "US_SSN", "URL", "US_DRIVER_LICENSE"]


def presidio_predictions(name):
    short = name.replace("presidio_research_", "").replace("presidio_", "")
    for path in (os.path.join(ROOT, "target", "presidio", f"{short}.jsonl"),
                 os.path.join(EVAL, "baselines", f"presidio_predictions_{name.replace('presidio_research_', '')}.jsonl")):
        if os.path.exists(path):
            return path
    return None


def score(gold, split, predictions=None):
    cmd = [WARDEN, "eval", "pii", gold, "--split", split, "--json"]
    if predictions:
        cmd += ["--predictions", predictions]
    out = subprocess.run(cmd, check=True, capture_output=True, text=True).stdout
    return json.loads(out)


def f(x):
    return f"{x:.3f}"


def main():
    summary = ["| set | split | system | rows | typed F1 | typed P | typed R | any recall | any precision |",
               "|---|---|---|---|---|---|---|---|---|"]
    per_type = []
    for name in SETS:
        gold = os.path.join(EVAL, "pii", f"{name}.jsonl")
        if not os.path.exists(gold):
            continue
        pred = presidio_predictions(name)
        results = {}
        for split in ["all", "dev", "holdout"]:
            systems = [("Warden", score(gold, split))]
            if pred:
                systems.append(("Presidio", score(gold, split, pred)))
            for system, r in systems:
                results[(split, system)] = r
                summary.append(f"| {name} | {split} | {system} | {r['rows']} | {f(r['micro_f1_typed'])} | "
                               f"{f(r['micro_p'])} | {f(r['micro_r'])} | {f(r['any_recall'])} | {f(r['any_precision'])} |")
        per_type.append(f"\n### {name}\n")
        per_type.append("| type | gold (all) | Warden P | Warden R | Warden F1 (all) | F1 dev | F1 holdout | Presidio F1 (all) |")
        per_type.append("|---|---|---|---|---|---|---|---|")
        w = results[("all", "Warden")]["types"]
        p = results.get(("all", "Presidio"), {}).get("types", {})
        for t in sorted(w):
            if w[t]["gold"] == 0 and w[t]["pred"] == 0:
                continue
            dev = results[("dev", "Warden")]["types"].get(t)
            hold = results[("holdout", "Warden")]["types"].get(t)
            pres = p.get(t)
            if not p or t not in PRESIDIO_TYPES:
                pres_f1 = "—"
            else:
                pres_f1 = f(pres["f1"]) if pres else "0.000"
            per_type.append(f"| {t} | {w[t]['gold']} | {f(w[t]['precision'])} | {f(w[t]['recall'])} | {f(w[t]['f1'])} | "
                            f"{f(dev['f1']) if dev else '—'} | {f(hold['f1']) if hold else '—'} | {pres_f1} |")
    print("\n".join(summary))
    print("\n".join(per_type))


if __name__ == "__main__":
    main()
