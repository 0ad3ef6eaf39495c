#!/usr/bin/env bash
# Malware scanning's cost (issue 16), in one run: a release `kepil send` and `kepil receive` of
# a 1 GiB file through a release kepil-store on loopback, with scanning off and with scanning
# on (a real clamd on a Unix socket), alternated round by round so a slow spell of the machine
# weighs on both sides. Prints the medians and the on/off ratios.
#
# The clamd is Debian's clamav-daemon with a database this script writes (the EICAR string and
# the project's test marker, as in crates/test-support/src/clamd.rs): this machine has no
# network for freshclam. An official database (millions of signatures) makes clamd's own scan
# slower; what this measures is Kepil's part (one read, the stream to clamd, the wait for the
# verdict at each file's end) plus the engine's pass over the bytes with a small database.
#
# Usage: bench/scan.sh [SIZE_GIB=1]   (KEPIL_BENCH_RUNS rounds, default 3)
# Needs: clamd and clamdscan (Debian clamav-daemon, clamdscan), python3.
set -euo pipefail

ROOT="$(cd "$(dirname "$0")/.." && pwd)"
GIB="${1:-1}"
RUNS="${KEPIL_BENCH_RUNS:-3}"
export CARGO_TARGET_DIR="${CARGO_TARGET_DIR:-$ROOT/target}"
WORK="$(mktemp -d "${KEPIL_BENCH_DIR:-/tmp}/kepil-scan-bench.XXXXXX")"
STORE_PID="" CLAMD_PID=""
cleanup() {
  for pid in "$STORE_PID" "$CLAMD_PID"; do
    if [ -n "$pid" ]; then kill "$pid" 2>/dev/null || true; wait "$pid" 2>/dev/null || true; fi
  done
  rm -rf "$WORK"
}
trap cleanup EXIT

for tool in /usr/sbin/clamd python3; do
  command -v "$tool" >/dev/null || { echo "missing $tool (apt-get install clamav-daemon python3)" >&2; exit 2; }
done

echo "== building release binaries" >&2
(cd "$ROOT" && cargo build --release --locked -p kepil-cli -p kepil-store-server >&2)
KEPIL="$CARGO_TARGET_DIR/release/kepil"
STORE="$CARGO_TARGET_DIR/release/kepil-store"

echo "== ${GIB} GiB of incompressible data in $WORK" >&2
head -c "$(( GIB << 30 ))" /dev/zero | openssl enc -aes-128-ctr -nosalt -pass pass:kepil-bench 2>/dev/null > "$WORK/file.bin" \
  || head -c "$(( GIB << 30 ))" /dev/urandom > "$WORK/file.bin"

echo "== starting clamd" >&2
mkdir -p "$WORK/clamd/db"
hex() { python3 -c 'import sys; print(sys.argv[1].encode().hex())' "$1"; }
{
  echo "Kepil.Test.Eicar:0:*:$(hex 'X5O!P%@AP[4\PZX54(P^)7CC)7}$EICAR-STANDARD-ANTIVIRUS-TEST-FILE!$H+H*')"
  echo "Kepil.Test.Marker:0:*:$(hex 'KEPIL-TEST-MALWARE-MARKER-7f3a')"
} > "$WORK/clamd/db/kepil-test.ndb"
cat > "$WORK/clamd/clamd.conf" <<EOF
Foreground yes
LocalSocket $WORK/clamd/clamd.sock
DatabaseDirectory $WORK/clamd/db
LogFile $WORK/clamd/clamd.log
PidFile $WORK/clamd/clamd.pid
TemporaryDirectory $WORK/clamd
StreamMaxLength 4000M
MaxFileSize 4000M
MaxScanSize 4000M
LogClean yes
AlertExceedsMax yes
EOF
/usr/sbin/clamd -c "$WORK/clamd/clamd.conf" >/dev/null 2>&1 &
CLAMD_PID=$!
for _ in $(seq 600); do [ -S "$WORK/clamd/clamd.sock" ] && break; sleep 0.1; done
[ -S "$WORK/clamd/clamd.sock" ] || { echo "clamd did not start" >&2; cat "$WORK/clamd/clamd.log" >&2; exit 1; }
SCANNER="unix:$WORK/clamd/clamd.sock"

echo "== starting kepil-store" >&2
TOKEN="$("$STORE" --data-dir "$WORK/store" token create --user bench@localhost)"
"$STORE" --data-dir "$WORK/store" serve --listen 127.0.0.1:0 >"$WORK/store.out" 2>"$WORK/store.log" &
STORE_PID=$!
for _ in $(seq 100); do grep -q 'listening on' "$WORK/store.out" 2>/dev/null && break; sleep 0.1; done
URL="$(sed -n 's/^listening on //p' "$WORK/store.out")"
[ -n "$URL" ] || { echo "store did not start" >&2; cat "$WORK/store.log" >&2; exit 1; }
export KEPIL_CONFIG_DIR="$WORK/home" KEPIL_NO_KEYRING=1 KEPIL_STORE="$URL" KEPIL_TOKEN="$TOKEN" KEPIL_LANG=en

secs() { local start end; start=$(date +%s.%N); "$@"; end=$(date +%s.%N); python3 -c "print(f'{$end - $start:.2f}')"; }
median() { python3 -c 'import statistics,sys; print(f"{statistics.median(map(float, sys.argv[1:])):.2f}")' "$@"; }
# $1: the scanner ("" for none)
send() { env ${1:+KEPIL_SCANNER="$1"} "$KEPIL" send "$WORK/file.bin" --classification sulit --to penerima@agensi.gov.my --json > "$2"; }
grant_of() { python3 -c 'import json,sys; r=json.load(open(sys.argv[1]))["recipients"][0]; print(r["link"], r["password"])' "$1"; }
scanned() { python3 -c 'import json,sys; sys.exit(0 if json.load(open(sys.argv[1]))["scan"] else 1)' "$1"; }
receive() { printf '%s\n' "$3" | env ${1:+KEPIL_SCANNER="$1"} "$KEPIL" receive "$2" --yes --password-stdin -o "$4" >/dev/null; }

cat "$WORK/file.bin" > /dev/null   # the file is in the page cache for every run alike
# clamd alone on the same file through the same INSTREAM command (Debian's clamdscan): what
# the engine costs whoever asks, the floor for a scanned send or receive.
engine_only() { clamdscan --no-summary --stream -c "$WORK/clamd/clamd.conf" "$WORK/file.bin" >/dev/null; }
SEND_OFF=() SEND_ON=() RECV_OFF=() RECV_ON=() ENGINE=()
echo "== ${RUNS} rounds: clamdscan alone, send off/on, receive off/on" >&2
for _ in $(seq "$RUNS"); do
  ENGINE+=("$(secs engine_only)")
  SEND_OFF+=("$(secs send "" "$WORK/off.json")")
  scanned "$WORK/off.json" && { echo "an unscanned send says scanned" >&2; exit 1; }
  SEND_ON+=("$(secs send "$SCANNER" "$WORK/on.json")")
  scanned "$WORK/on.json" || { echo "the scanned send was not scanned" >&2; exit 1; }
  read -r LINK PW < <(grant_of "$WORK/off.json")
  mkdir -p "$WORK/out"; RECV_OFF+=("$(secs receive "" "$LINK" "$PW" "$WORK/out")"); rm -rf "$WORK/out"
  read -r LINK PW < <(grant_of "$WORK/on.json")
  mkdir -p "$WORK/out"; RECV_ON+=("$(secs receive "$SCANNER" "$LINK" "$PW" "$WORK/out")")
  cmp -s "$WORK/file.bin" "$WORK/out/file.bin" || { echo "round trip mismatch" >&2; exit 1; }
  rm -rf "$WORK/out"
done
echo "   clamdscan ${ENGINE[*]} | send off ${SEND_OFF[*]} | on ${SEND_ON[*]} | receive off ${RECV_OFF[*]} | on ${RECV_ON[*]}" >&2
SCANS=$(grep -c '): OK$' "$WORK/clamd/clamd.log" || true)

python3 - "$(median "${SEND_OFF[@]}")" "$(median "${SEND_ON[@]}")" "$(median "${RECV_OFF[@]}")" "$(median "${RECV_ON[@]}")" "$GIB" "$RUNS" "$SCANS" "$(/usr/sbin/clamd --version)" "$(median "${ENGINE[@]}")" <<'PY'
import sys
s_off, s_on, r_off, r_on = map(float, sys.argv[1:5])
gib, runs, scans, engine = sys.argv[5], sys.argv[6], sys.argv[7], sys.argv[8]
alone = float(sys.argv[9])
print(f"kepil scan bench: {gib} GiB, medians of {runs} rounds, loopback store, {engine} (2-signature database)")
print(f"  send:    off {s_off:.2f} s   on {s_on:.2f} s   ratio {s_on/s_off:.2f}")
print(f"  receive: off {r_off:.2f} s   on {r_on:.2f} s   ratio {r_on/r_off:.2f}")
print(f"  clamd alone (clamdscan --stream, same file): {alone:.2f} s; what scanning adds over it: send {s_on - s_off - alone:+.2f} s, receive {r_on - r_off - alone:+.2f} s")
print(f"  clean verdicts in clamd's log: {scans} (expected {3*int(runs)}: clamdscan, send, receive)")
PY
