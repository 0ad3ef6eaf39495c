#!/usr/bin/env bash
# Load test of the store on loopback against a release build:
# 100 concurrent 10 MiB uploads, then 100 concurrent proofs + downloads, then a proof burst.
# Prints throughput, proof latency p50/p99 and the store's peak RSS (VmHWM).
# usage: bench/store-load.sh [N=100] [SIZE_MIB=10]
set -euo pipefail
cd "$(dirname "$0")/.."
N="${1:-100}"
SIZE_MIB="${2:-10}"
cargo build --release -p kepil-store --bin kepil-store --example load
TARGET="${CARGO_TARGET_DIR:-target}/release"
DATA="$(mktemp -d)"
trap 'kill "$PID" 2>/dev/null || true; wait "$PID" 2>/dev/null || true; rm -rf "$DATA"' EXIT
TOKEN="$("$TARGET/kepil-store" token create --user bench@agensi.gov.my --data-dir "$DATA")"
# The per-address proof limit protects real stores; the whole bench comes from one address.
KEPIL_STORE_PROOF_RATE_PER_MINUTE=1000000 RUST_LOG=warn \
  "$TARGET/kepil-store" serve --listen 127.0.0.1:0 --data-dir "$DATA" > "$DATA/stdout" &
PID=$!
for _ in $(seq 100); do grep -q "listening on" "$DATA/stdout" 2>/dev/null && break; sleep 0.1; done
BASE="$(sed -n 's/^listening on //p' "$DATA/stdout")"
"$TARGET/examples/load" "$BASE" "$TOKEN" "$N" "$SIZE_MIB" "$PID"
