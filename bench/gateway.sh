#!/usr/bin/env bash
# Gateway load benchmark: the mock upstream called directly, through Warden, and through LiteLLM proxy,
# each driven by the same compiled load generator (oha) at fixed rates and at saturation, with ~1 KB
# prompts full of personal data (the mock echoes them, so answers are ~1 KB too and inspected).
#
# Usage: bench/gateway.sh [SECONDS_PER_RUN]      (default 15)
# Env:   RATES="100 500 1000 2000"   TARGETS="direct warden litellm"   CONNECTIONS=64
#        SKIP_LOAD=1 (only the stream timings; the load table is the last run's)
# Writes target/bench/gateway/report.md (and the raw oha JSON next to it) and prints the report.
set -euo pipefail

cd "$(dirname "$0")/.."
ROOT=$PWD
DURATION=${1:-15}
RATES=${RATES:-"100 500 1000 2000"}
TARGETS=${TARGETS:-"direct warden litellm"}
CONNECTIONS=${CONNECTIONS:-64}
OUT=$ROOT/target/bench/gateway
TOOLS=$ROOT/target/bench-tools
mkdir -p "$OUT" "$TOOLS"

log() { printf '== %s\n' "$*" >&2; }

# --- tools -----------------------------------------------------------------------------------
OHA=$(command -v oha || true)
[ -z "$OHA" ] && [ -x "$TOOLS/bin/oha" ] && OHA=$TOOLS/bin/oha
if [ -z "$OHA" ]; then
    log "installing oha (the load generator) into $TOOLS"
    cargo install oha --version 1.16.0 --locked --root "$TOOLS" >&2
    OHA=$TOOLS/bin/oha
fi
LITELLM_VENV=$TOOLS/litellm-venv
if [[ " $TARGETS " == *" litellm "* ]] && [ ! -x "$LITELLM_VENV/bin/litellm" ]; then
    log "installing litellm[proxy] into $LITELLM_VENV"
    python3 -m venv "$LITELLM_VENV"
    "$LITELLM_VENV/bin/pip" install -q 'litellm[proxy]' httpx >&2
fi
log "building warden and warden-mock (release)"
cargo build --release --locked -p warden -p warden-testkit >&2
cargo build --release --locked -p warden-gateway --example ttft >&2
WARDEN=$ROOT/target/release/warden
MOCK=$ROOT/target/release/warden-mock

# --- processes -------------------------------------------------------------------------------
PIDS=()
cleanup() { for pid in "${PIDS[@]}"; do kill "$pid" 2>/dev/null || true; done; wait 2>/dev/null || true; }
trap cleanup EXIT

free_port() { python3 -c 'import socket; s=socket.socket(); s.bind(("127.0.0.1",0)); print(s.getsockname()[1])'; }
wait_http() { for _ in $(seq 1 200); do curl -s -o /dev/null "$1" && return 0; sleep 0.1; done; log "not up: $1"; return 1; }
rss_kb() { awk '/VmRSS/ {print $2}' "/proc/$1/status" 2>/dev/null || echo 0; }
hwm_kb() { awk '/VmHWM/ {print $2}' "/proc/$1/status" 2>/dev/null || echo 0; }

MOCK_PORT=$(free_port)
"$MOCK" --listen "127.0.0.1:$MOCK_PORT" --api-key sk-mock --no-record > "$OUT/mock.log" 2>&1 &
PIDS+=($!)
wait_http "http://127.0.0.1:$MOCK_PORT/v1/models" || true

DATA=$(mktemp -d)
KEY=$("$WARDEN" keys create --name bench --role user --json --data-dir "$DATA" | python3 -c 'import json,sys; print(json.load(sys.stdin)["key"])')
cat > "$DATA/warden.toml" <<EOF
[[upstreams]]
name = "mock"
base_url = "http://127.0.0.1:$MOCK_PORT/v1"
api_key = "env:BENCH_MOCK_KEY"
models = ["gpt-4o-mini"]
EOF
WARDEN_PORT=$(free_port)
BENCH_MOCK_KEY=sk-mock "$WARDEN" serve --config "$DATA/warden.toml" --data-dir "$DATA" \
    --listen "127.0.0.1:$WARDEN_PORT" > "$OUT/warden.log" 2>&1 &
WARDEN_PID=$!
PIDS+=($WARDEN_PID)
wait_http "http://127.0.0.1:$WARDEN_PORT/healthz"

LITELLM_PID=
if [[ " $TARGETS " == *" litellm "* ]]; then
    LITELLM_PORT=$(free_port)
    cat > "$DATA/litellm.yaml" <<EOF
model_list:
  - model_name: gpt-4o-mini
    litellm_params:
      model: openai/gpt-4o-mini
      api_base: http://127.0.0.1:$MOCK_PORT/v1
      api_key: sk-mock
litellm_settings:
  drop_params: true
  set_verbose: false
general_settings:
  master_key: sk-litellm-master
EOF
    LITELLM_LOG=ERROR "$LITELLM_VENV/bin/litellm" --config "$DATA/litellm.yaml" --host 127.0.0.1 \
        --port "$LITELLM_PORT" --num_workers 1 > "$OUT/litellm.log" 2>&1 &
    LITELLM_PID=$!
    PIDS+=($LITELLM_PID)
    wait_http "http://127.0.0.1:$LITELLM_PORT/health/liveliness"
fi

# --- the request -----------------------------------------------------------------------------
BODY=$OUT/body.json
STREAM_BODY=$OUT/stream-body.json
python3 - "$BODY" "$STREAM_BODY" <<'EOF'
import json, sys
prompt = ("Please draft a reply to Margaret Holloway (margaret.holloway@example.org, +1 415 555 0132) "
          "about her claim. Her SSN is 536-90-4399 and she lives at 1420 Pine Street, Springfield. "
          "Her colleague David Okafor (d.okafor@example.net) asked to be copied. The card on file is "
          "4111 1111 1111 1111 and the account IBAN is GB82 WEST 1234 5698 7654 32. ")
while len(prompt) < 1000:
    prompt += "Keep the tone friendly, short and precise, and mention the next steps clearly. "
body = {"model": "gpt-4o-mini", "messages": [{"role": "user", "content": prompt[:1024]}]}
json.dump(body, open(sys.argv[1], "w"))
body["stream"] = True
json.dump(body, open(sys.argv[2], "w"))
EOF

url_of() {
    case $1 in
        direct) echo "http://127.0.0.1:$MOCK_PORT/v1/chat/completions sk-mock" ;;
        warden) echo "http://127.0.0.1:$WARDEN_PORT/v1/chat/completions $KEY" ;;
        litellm) echo "http://127.0.0.1:$LITELLM_PORT/v1/chat/completions sk-litellm-master" ;;
    esac
}
pid_of() {
    case $1 in direct) echo "${PIDS[0]}" ;; warden) echo "$WARDEN_PID" ;; litellm) echo "$LITELLM_PID" ;; esac
}

run_oha() { # target rate(or 'max') -> json file
    local target=$1 rate=$2 url key file
    read -r url key < <(url_of "$target")
    file=$OUT/$target-$rate.json
    local rate_args=()
    [ "$rate" != max ] && rate_args=(-q "$rate" --latency-correction)
    # Warm up, then measure.
    "$OHA" --no-tui -z 2s -c "$CONNECTIONS" "${rate_args[@]}" -m POST -H "authorization: Bearer $key" \
        -H 'content-type: application/json' -D "$BODY" --output-format json "$url" > /dev/null 2>&1 || true
    "$OHA" --no-tui -w -z "${DURATION}s" -c "$CONNECTIONS" "${rate_args[@]}" -m POST -H "authorization: Bearer $key" \
        -H 'content-type: application/json' -D "$BODY" --output-format json "$url" > "$file" 2>/dev/null || true
    echo "$file"
}

RESULTS=$OUT/results.jsonl
[ "${SKIP_LOAD:-0}" = 1 ] && RATES=SKIP   # streams only: keep the last load results
[ "$RATES" != SKIP ] && : > "$RESULTS"
for rate in $RATES max; do
    [ "$RATES" = SKIP ] && break
    for target in $TARGETS; do
        log "$target at $rate req/s for ${DURATION}s"
        file=$(run_oha "$target" "$rate")
        pid=$(pid_of "$target")
        python3 - "$file" "$target" "$rate" "$(rss_kb "$pid")" "$(hwm_kb "$pid")" >> "$RESULTS" <<'EOF'
import json, sys
path, target, rate, rss, hwm = sys.argv[1:]
try:
    data = json.load(open(path))
except Exception:
    data = {}
summary = data.get("summary", {})
pct = data.get("latencyPercentiles", {})
codes = data.get("statusCodeDistribution", {})
errors = data.get("errorDistribution", {})
total = sum(codes.values()) + sum(errors.values())
ok = codes.get("200", 0)
print(json.dumps({
    "target": target, "rate": rate,
    "rps": summary.get("requestsPerSec", 0.0),
    "ok_rps": summary.get("requestsPerSec", 0.0) * (ok / total if total else 0),
    "p50_ms": (pct.get("p50") or 0) * 1000, "p99_ms": (pct.get("p99") or 0) * 1000,
    "errors": total - ok, "total": total, "rss_mb": int(rss) / 1024, "hwm_mb": int(hwm) / 1024,
}))
EOF
    done
done

# --- streams: added time to first event and first token ---------------------------------------
TTFT=$OUT/ttft.jsonl
: > "$TTFT"
for target in $TARGETS; do
    read -r url key < <(url_of "$target")
    log "$target: time to first event and first token over 300 streams"
    "$ROOT/target/release/examples/ttft" "$url" "$key" "$STREAM_BODY" "$target" >> "$TTFT"
done

python3 "$ROOT/bench/gateway_report.py" "$RESULTS" "$TTFT" "$(nproc)" > "$OUT/report.md"
cat "$OUT/report.md"
