"""Turns bench/gateway.sh's results into the Markdown table kept in docs/BENCHMARKS.md."""
import json
import platform
import sys

results_path, ttft_path, cores = sys.argv[1:4]
rows = [json.loads(line) for line in open(results_path) if line.strip()]
ttft = [json.loads(line) for line in open(ttft_path) if line.strip()]
by = {(r["target"], r["rate"]): r for r in rows}
rates = []
for r in rows:
    if r["rate"] not in rates:
        rates.append(r["rate"])
targets = []
for r in rows:
    if r["target"] not in targets:
        targets.append(r["target"])

cpu = "unknown CPU"
try:
    for line in open("/proc/cpuinfo"):
        if line.startswith("model name"):
            cpu = line.split(":", 1)[1].strip()
            break
except OSError:
    pass
print(f"Machine: {cpu}, {cores} cores, {platform.system()} {platform.release()}; "
      "load generator (oha) on the same machine.\n")
print("| rate (req/s) | target | achieved req/s | p50 ms | p99 ms | added p50 ms | added p99 ms | errors | RSS MB (peak) |")
print("|---|---|---|---|---|---|---|---|---|")
for rate in rates:
    direct = by.get(("direct", rate))
    for target in targets:
        r = by.get((target, rate))
        if not r:
            continue
        added50 = added99 = "—"
        if direct and target != "direct":
            added50 = f"{r['p50_ms'] - direct['p50_ms']:.3f}"
            added99 = f"{r['p99_ms'] - direct['p99_ms']:.3f}"
        print(f"| {rate} | {target} | {r['ok_rps']:.0f} | {r['p50_ms']:.3f} | {r['p99_ms']:.3f} | "
              f"{added50} | {added99} | {r['errors']}/{r['total']} | {r['rss_mb']:.0f} ({r['hwm_mb']:.0f}) |")
sat = {t: by.get((t, "max")) for t in targets}
if sat.get("warden") and sat.get("litellm") and sat["litellm"]["ok_rps"] > 0:
    ratio = sat["warden"]["ok_rps"] / sat["litellm"]["ok_rps"]
    print(f"\nSaturation throughput: Warden {sat['warden']['ok_rps']:.0f} req/s vs LiteLLM "
          f"{sat['litellm']['ok_rps']:.0f} req/s = {ratio:.1f}x.")
if ttft:
    print("\n| streams (sequential) | first event p50 / p99 ms | added first event p50 / p99 ms | first content p50 / p99 ms | added first content p50 / p99 ms | whole stream p50 ms | errors |")
    print("|---|---|---|---|---|---|---|")
    base = next((t for t in ttft if t["target"] == "direct"), None)
    for t in ttft:
        added_event = added_content = "—"
        if base and t["target"] != "direct":
            added_event = (f"{t['first_event_p50_ms'] - base['first_event_p50_ms']:.3f} / "
                           f"{t['first_event_p99_ms'] - base['first_event_p99_ms']:.3f}")
            added_content = (f"{t['ttft_p50_ms'] - base['ttft_p50_ms']:.3f} / "
                             f"{t['ttft_p99_ms'] - base['ttft_p99_ms']:.3f}")
        print(f"| {t['target']} | {t['first_event_p50_ms']:.3f} / {t['first_event_p99_ms']:.3f} | {added_event} | "
              f"{t['ttft_p50_ms']:.3f} / {t['ttft_p99_ms']:.3f} | {added_content} | "
              f"{t['total_p50_ms']:.3f} | {t['errors']} |")
