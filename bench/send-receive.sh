#!/usr/bin/env bash
# Kepil send/receive benchmark, in one run:
#  1. times a release `kepil send` and `kepil receive` of a 1 GiB file through a release
#     kepil-store on loopback, against rage encrypting the same file and Debian's age
#     decrypting it (both to /dev/null);
#  2. measures the peak RSS (/usr/bin/time -v) of sending and receiving a 4 GiB file.
# Goals: send <= 1.3x rage's encryption, receive <= 1.3x age's decryption, peak RSS <= the
# Argon2 memory (64 MiB) + 64 MiB whatever the size. Prints the whole report, then exits 1 if
# any goal is MISSED (0 when all are OK), so a script can tell.
#
# Usage: bench/send-receive.sh [SIZE_GIB_TIMED=1] [SIZE_GIB_RSS=4]
# Needs: age (Debian), /usr/bin/time (Debian `time`), python3; rage is installed with
# `cargo install rage --locked` into $KEPIL_BENCH_CACHE (default ~/.cache/kepil/bench) when
# missing, else Debian's age is used for the encryption baseline too (and the report says so).
set -euo pipefail

ROOT="$(cd "$(dirname "$0")/.." && pwd)"
TIMED_GIB="${1:-1}"
RSS_GIB="${2:-4}"
CACHE="${KEPIL_BENCH_CACHE:-$HOME/.cache/kepil/bench}"
export CARGO_TARGET_DIR="${CARGO_TARGET_DIR:-$ROOT/target}"
WORK="$(mktemp -d "${KEPIL_BENCH_DIR:-/tmp}/kepil-bench.XXXXXX")"
STORE_PID=""
cleanup() {
  if [ -n "$STORE_PID" ]; then kill "$STORE_PID" 2>/dev/null || true; wait "$STORE_PID" 2>/dev/null || true; fi
  rm -rf "$WORK"
}
trap cleanup EXIT

for tool in age age-keygen python3 /usr/bin/time; do
  command -v "$tool" >/dev/null || { echo "missing $tool (apt-get install age time python3)" >&2; exit 2; }
done

echo "== building release binaries" >&2
(cd "$ROOT" && cargo build --release --locked -p kepil-cli -p kepil-store-server >&2)
KEPIL="$CARGO_TARGET_DIR/release/kepil"
STORE="$CARGO_TARGET_DIR/release/kepil-store"

ENC_TOOL="rage"
RAGE="$(command -v rage || true)"
if [ -z "$RAGE" ] && [ -x "$CACHE/rage/bin/rage" ]; then RAGE="$CACHE/rage/bin/rage"; fi
if [ -z "$RAGE" ]; then
  echo "== installing rage into $CACHE/rage" >&2
  if cargo install rage --locked --root "$CACHE/rage" >&2; then RAGE="$CACHE/rage/bin/rage"; fi
fi
if [ -z "$RAGE" ]; then
  echo "rage unavailable: Debian's age is the encryption baseline" >&2
  RAGE="$(command -v age)"; ENC_TOOL="age (rage unavailable)"
fi

make_file() { # PATH GIB: incompressible content, quickly (AES-CTR keystream via python if no openssl)
  if command -v openssl >/dev/null; then
    head -c "$(( $2 << 30 ))" /dev/zero | openssl enc -aes-128-ctr -nosalt -pass pass:kepil-bench 2>/dev/null > "$1"
  else
    head -c "$(( $2 << 30 ))" /dev/urandom > "$1"
  fi
}

# On a VM whose balloon driver hands free guest pages back to the host, the first write into
# a page the guest has not touched lately costs a trip to the hypervisor: on the 2-vCPU test
# machine `dd` of 1 GiB into a new file takes 3.1 s, and 0.2 s right after a file of that size
# was deleted. rage and age write to /dev/null; kepil's store must keep the blob and receive
# must write the files, so without this they would be charged that cost and the baselines not.
# Writing and deleting a scratch file just before each timed kepil run gives them recycled
# pages, i.e. the page-cache cost of an ordinary desktop or server. KEPIL_BENCH_NO_RECYCLE=1
# measures without it.
recycle_pages() {
  [ -n "${KEPIL_BENCH_NO_RECYCLE:-}" ] && return 0
  dd if=/dev/zero of="$WORK/recycle" bs=1M count=$(( TIMED_GIB * 2048 )) status=none
  rm -f "$WORK/recycle"
}

secs() { # runs "$@", prints wall seconds on stdout
  local start end
  start=$(date +%s.%N); "$@"; end=$(date +%s.%N)
  python3 -c "print(f'{$end - $start:.2f}')"
}

echo "== preparing ${TIMED_GIB} GiB and ${RSS_GIB} GiB files in $WORK" >&2
make_file "$WORK/timed.bin" "$TIMED_GIB"
make_file "$WORK/rss.bin" "$RSS_GIB"

echo "== starting kepil-store" >&2
TOKEN="$("$STORE" --data-dir "$WORK/store" token create --user bench@localhost)"
"$STORE" --data-dir "$WORK/store" serve --listen 127.0.0.1:0 >"$WORK/store.out" 2>"$WORK/store.log" &
STORE_PID=$!
for _ in $(seq 100); do grep -q 'listening on' "$WORK/store.out" 2>/dev/null && break; sleep 0.1; done
URL="$(sed -n 's/^listening on //p' "$WORK/store.out")"
[ -n "$URL" ] || { echo "store did not start" >&2; cat "$WORK/store.log" >&2; exit 1; }

export KEPIL_CONFIG_DIR="$WORK/home" KEPIL_NO_KEYRING=1 KEPIL_STORE="$URL" KEPIL_TOKEN="$TOKEN" KEPIL_LANG=en

send() { "$KEPIL" send "$1" --classification sulit --to penerima@agensi.gov.my --json > "$2"; }
# The link and password are read out of send's JSON before the clock starts.
grant_of() { # SENT_JSON -> "LINK PASSWORD"
  python3 -c 'import json,sys; r=json.load(open(sys.argv[1]))["recipients"][0]; print(r["link"], r["password"])' "$1"
}
receive() { # LINK PASSWORD OUTDIR
  printf '%s\n' "$2" | "$KEPIL" receive "$1" --yes --password-stdin -o "$3" >/dev/null
}

echo "== baselines: keys and the file age decrypts" >&2
age-keygen -o "$WORK/key.txt" 2>/dev/null
RECIP="$(age-keygen -y "$WORK/key.txt")"
"$RAGE" -r "$RECIP" -o "$WORK/timed.age" "$WORK/timed.bin"   # warm the page cache and make the file age decrypts
sync
# Each figure is the median of RUNS runs (the shared 2-vCPU machine swings by 10-20 %).
median() { python3 -c 'import statistics,sys; print(f"{statistics.median(map(float, sys.argv[1:])):.2f}")' "$@"; }
RUNS="${KEPIL_BENCH_RUNS:-5}"
RAGES=() AGES=() SENDS=() RECVS=()
# Each kepil run is timed right after its baseline, so a slow spell of the machine weighs on
# both sides of a ratio rather than on one.
echo "== rage / kepil send / age / kepil receive, ${TIMED_GIB} GiB, ${RUNS} rounds" >&2
for _ in $(seq "$RUNS"); do
  RAGES+=("$(secs "$RAGE" -r "$RECIP" -o /dev/null "$WORK/timed.bin")")
  recycle_pages
  SENDS+=("$(secs send "$WORK/timed.bin" "$WORK/sent-timed.json")")
  read -r LINK PW < <(grant_of "$WORK/sent-timed.json")
  AGES+=("$(secs age -d -i "$WORK/key.txt" -o /dev/null "$WORK/timed.age")")
  mkdir -p "$WORK/out-timed"
  recycle_pages
  RECVS+=("$(secs receive "$LINK" "$PW" "$WORK/out-timed")")
  cmp -s "$WORK/timed.bin" "$WORK/out-timed/timed.bin" || { echo "round trip mismatch" >&2; exit 1; }
  rm -rf "$WORK/out-timed"
done
rm -f "$WORK/timed.age"
echo "   rage ${RAGES[*]} | age ${AGES[*]} | send ${SENDS[*]} | receive ${RECVS[*]}" >&2
T_RAGE=$(median "${RAGES[@]}"); T_AGE=$(median "${AGES[@]}")
T_SEND=$(median "${SENDS[@]}"); T_RECV=$(median "${RECVS[@]}")

echo "== kepil ${RSS_GIB} GiB peak RSS" >&2
/usr/bin/time -v -o "$WORK/time-send.txt" "$KEPIL" send "$WORK/rss.bin" --classification sulit --to penerima@agensi.gov.my --json > "$WORK/sent-rss.json"
read -r LINK PW < <(grant_of "$WORK/sent-rss.json")
mkdir -p "$WORK/out-rss"
printf '%s\n' "$PW" | /usr/bin/time -v -o "$WORK/time-recv.txt" "$KEPIL" receive "$LINK" --yes --password-stdin -o "$WORK/out-rss" >/dev/null
RSS_SEND=$(awk '/Maximum resident/ {print int($NF/1024)}' "$WORK/time-send.txt")
RSS_RECV=$(awk '/Maximum resident/ {print int($NF/1024)}' "$WORK/time-recv.txt")
WALL_SEND4=$(awk -F': ' '/Elapsed \(wall clock\)/ {print $2}' "$WORK/time-send.txt")
WALL_RECV4=$(awk -F': ' '/Elapsed \(wall clock\)/ {print $2}' "$WORK/time-recv.txt")

python3 - "$T_RAGE" "$T_AGE" "$T_SEND" "$T_RECV" "$RSS_SEND" "$RSS_RECV" "$ENC_TOOL" "$TIMED_GIB" "$RSS_GIB" "$WALL_SEND4" "$WALL_RECV4" <<'PY'
import sys
rage, age, send, recv = map(float, sys.argv[1:5])
rss_send, rss_recv = int(sys.argv[5]), int(sys.argv[6])
tool, tg, rg = sys.argv[7], sys.argv[8], sys.argv[9]
limit = 64 + 64
missed = []
def ok(met, goal):
    if not met:
        missed.append(goal)
    return "OK" if met else "MISSED"
print(f"kepil bench ({tg} GiB timed, medians, {rg} GiB for RSS), loopback store")
print(f"  encrypt baseline {tool}: {rage:.2f} s   kepil send:    {send:.2f} s  ratio {send/rage:.2f} (goal <= 1.3) {ok(send <= 1.3*rage, 'send')}")
print(f"  decrypt baseline age:  {age:.2f} s   kepil receive: {recv:.2f} s  ratio {recv/age:.2f} (goal <= 1.3) {ok(recv <= 1.3*age, 'receive')}")
print(f"  peak RSS send {rg} GiB: {rss_send} MiB, receive: {rss_recv} MiB (goal <= {limit} MiB) {ok(max(rss_send, rss_recv) <= limit, 'peak RSS')}")
print(f"  ({rg} GiB wall: send {sys.argv[10]}, receive {sys.argv[11]})")
if missed:
    print(f"MISSED goals: {', '.join(missed)}", file=sys.stderr)
    sys.exit(1)
PY
