#!/usr/bin/env bash
# Compares Kepil's package encryption with the age tools, and measures Kepil's peak memory on a
# 4 GiB file both ways.
#
#   bench/age-compare.sh            # needs: cargo, age + age-keygen (apt-get install age),
#                                   # /usr/bin/time (apt-get install time); rage if installed
#
# 1. A 1 GiB random file (in the page cache) is encrypted to one X25519 recipient by
#    Kepil (crates/core/examples/encrypt_file, release build), `age -r` and `rage -r`, each
#    writing to /dev/null so the figure is the tool's own speed, not the disk's. Best of
#    RUNS (default 3) runs, to damp other load on the machine. Kepil also hashes every file
#    (SHA-256) on the way, which age does not.
# 2. A 4 GiB file is encrypted to disk and extracted again by Kepil, reporting MB/s and peak
#    RSS (constant memory: it should stay a few MiB whatever the size).
#
# Environment: BENCH_DIR (scratch space, default /tmp; needs ~9 GiB free), RUNS,
# CARGO_TARGET_DIR (as for cargo).
set -euo pipefail

RUNS=${RUNS:-3}
ROOT=$(cd "$(dirname "$0")/.." && pwd)
TARGET=${CARGO_TARGET_DIR:-$ROOT/target}
EX=$TARGET/release/examples

need() { command -v "$1" >/dev/null || { echo "missing $1: $2" >&2; exit 1; }; }
need age "apt-get install age"
need age-keygen "apt-get install age"
need bc "apt-get install bc"
need column "apt-get install bsdextrautils"
[ -x /usr/bin/time ] || { echo "missing /usr/bin/time: apt-get install time" >&2; exit 1; }

echo "building the examples (release)..." >&2
(cd "$ROOT" && cargo build --release --quiet -p kepil-core --example encrypt_file --example decrypt_file)

WORK=$(mktemp -d "${BENCH_DIR:-/tmp}/kepil-bench.XXXXXX")
trap 'rm -rf "$WORK"' EXIT
age-keygen -o "$WORK/id.txt" 2>/dev/null
RECIPIENT=$(age-keygen -y "$WORK/id.txt")

# run LABEL BYTES CMD...: runs CMD under /usr/bin/time -v, prints "LABEL seconds MB/s RSS".
run() {
    local label=$1 bytes=$2
    shift 2
    local start end secs rss
    start=$(date +%s.%N)
    /usr/bin/time -v -o "$WORK/time.txt" "$@" >/dev/null 2>"$WORK/stderr.txt" || {
        cat "$WORK/stderr.txt" >&2
        exit 1
    }
    end=$(date +%s.%N)
    secs=$(echo "$end - $start" | bc -l)
    rss=$(awk -F': ' '/Maximum resident set size/ {print $2}' "$WORK/time.txt")
    printf '%s %.3f %.0f %s\n' "$label" "$secs" "$(echo "$bytes / $secs / 1000000" | bc -l)" "$rss"
}

# best LABEL BYTES CMD...: best of RUNS runs.
best() {
    local label=$1 bytes=$2
    shift 2
    for _ in $(seq "$RUNS"); do run "$label" "$bytes" "$@"; done | sort -k2 -n | head -1
}

SIZE=$((1024 * 1024 * 1024))
echo "making a 1 GiB random file..." >&2
head -c "$SIZE" /dev/urandom >"$WORK/in.bin"
cat "$WORK/in.bin" >/dev/null

{
    echo "tool seconds MB/s peak_RSS_KiB"
    best kepil "$SIZE" "$EX/encrypt_file" "$RECIPIENT" "$WORK/in.bin" /dev/null
    best age "$SIZE" age -r "$RECIPIENT" -o /dev/null "$WORK/in.bin"
    if command -v rage >/dev/null; then
        best rage "$SIZE" rage -r "$RECIPIENT" -o /dev/null "$WORK/in.bin"
    else
        echo "rage - - not_installed"
    fi
} >"$WORK/encrypt.txt"
echo
echo "== encrypt 1 GiB to one recipient, output to /dev/null (best of $RUNS) =="
column -t "$WORK/encrypt.txt"
rm -f "$WORK/in.bin"

BIG=$((4 * SIZE))
echo >&2
echo "making a 4 GiB file..." >&2
head -c "$BIG" /dev/urandom >"$WORK/big.bin"
mkdir "$WORK/out"
{
    echo "step seconds MB/s peak_RSS_KiB"
    run encrypt_4GiB_to_disk "$BIG" "$EX/encrypt_file" "$RECIPIENT" "$WORK/big.bin" "$WORK/big.kepil"
    rm -f "$WORK/big.bin"
    run extract_4GiB_to_disk "$BIG" "$EX/decrypt_file" "$WORK/id.txt" "$WORK/big.kepil" "$WORK/out"
} >"$WORK/big.txt"
echo
echo "== Kepil, 4 GiB file, to and from disk =="
column -t "$WORK/big.txt"
