"""Streamed chat completions: time to the first event (the stream has started), time to the first
content token, and the whole stream; prints one JSON line with p50/p99 in ms.

Usage: ttft.py URL KEY BODY_JSON_FILE TARGET_NAME [N=300]
The first content delta's arrival is timed from the request's start, over one keep-alive connection,
sequentially (so the figure is latency, not queueing).
"""
import json
import sys
import time

try:
    import httpx2 as httpx
except ImportError:
    import httpx

url, key, body_file, target = sys.argv[1:5]
n = int(sys.argv[5]) if len(sys.argv) > 5 else 300
body = open(body_file, "rb").read()
headers = {"authorization": f"Bearer {key}", "content-type": "application/json"}
times, events, totals, errors = [], [], [], 0
with httpx.Client(timeout=30) as client:
    for i in range(n + 20):
        start = time.perf_counter()
        first = None
        event = None
        try:
            with client.stream("POST", url, content=body, headers=headers) as response:
                for line in response.iter_lines():
                    if event is None and line.startswith("data: "):
                        event = time.perf_counter() - start
                    if first is None and line.startswith("data: ") and '"content":"' in line \
                            and '"content":""' not in line:
                        first = time.perf_counter() - start
            total = time.perf_counter() - start
        except Exception:
            errors += 1
            continue
        if i >= 20 and first is not None:  # the first 20 warm up
            times.append(first)
            events.append(event)
            totals.append(total)


def pct(values, p):
    values = sorted(values)
    return values[min(len(values) - 1, int(p / 100 * len(values)))] * 1000 if values else 0.0


print(json.dumps({"target": target, "n": len(times), "errors": errors,
                  "first_event_p50_ms": pct(events, 50), "first_event_p99_ms": pct(events, 99),
                  "ttft_p50_ms": pct(times, 50), "ttft_p99_ms": pct(times, 99),
                  "total_p50_ms": pct(totals, 50), "total_p99_ms": pct(totals, 99)}))
