#!/usr/bin/env bash
# Memory of the desktop app across repeated sends, release build, in one run: the proportional
# set size (PSS) of the app and all its WebKit processes when idle after its first screen, then
# after each of SENDS sends (pick a file, SULIT, one recipient, Send, read the result, New
# transfer), each measured 5 s after the send settled. The sends go through the app's local store
# (the package has none, but it is the same send path; this build is the package's plus the
# local store and the `e2e` answers for the file dialog). WebKitWebDriver drives the real window
# under Xvfb, as src-tauri/tests/e2e.rs does.
# Goal (issue 20): idle <= 300 MiB and no growth across repeated sends (the last send's figure
# within 10 MiB of the first send's). Prints the report, then exits 1 if a goal is MISSED.
#
# Usage: bench/app-memory.sh [SENDS=5]
# Needs: Xvfb (xvfb-run), dbus-run-session, WebKitWebDriver, python3 (scripts/setup test).
set -euo pipefail

ROOT="$(cd "$(dirname "$0")/.." && pwd)"
SENDS="${1:-5}"
export CARGO_TARGET_DIR="${CARGO_TARGET_DIR:-$HOME/.cache/kepil/target}"
WORK="$(mktemp -d "${KEPIL_BENCH_DIR:-/tmp}/kepil-app-memory.XXXXXX")"
trap 'rm -rf "$WORK"' EXIT

echo "== building (release, with the local store and the e2e dialog answers)" >&2
npm --prefix "$ROOT/ui" run build >&2
(cd "$ROOT" && cargo build --release --locked -p kepil-app --features e2e,tauri/custom-protocol >&2)
APP="$CARGO_TARGET_DIR/release/kepil-app"
head -c 2000000 /dev/urandom >"$WORK/laporan.bin"

cat >"$WORK/drive.py" <<'EOF'
# Drives the app through WebKitWebDriver's HTTP API (W3C WebDriver) and reads /proc.
import json, os, re, socket, subprocess, sys, time, urllib.request

app, work, sends = sys.argv[1], sys.argv[2], int(sys.argv[3])
home = f"{work}/home"
for sub in ("config", "data", "cache", "state"):
    os.makedirs(f"{home}/{sub}", exist_ok=True)
s = socket.socket(); s.bind(("127.0.0.1", 0)); port = s.getsockname()[1]; s.close()
env = dict(os.environ, HOME=home, XDG_CONFIG_HOME=f"{home}/config", XDG_DATA_HOME=f"{home}/data",
           XDG_CACHE_HOME=f"{home}/cache", XDG_STATE_HOME=f"{home}/state", KEPIL_NO_KEYRING="1",
           KEPIL_POLICY_FILE=f"{work}/no-policy.toml", KEPIL_E2E_PICK_FILES=f"{work}/laporan.bin",
           KEPIL_E2E_PICK_FOLDER=work, KEPIL_LOG="kepil_app=warn")
driver = subprocess.Popen(["/usr/bin/WebKitWebDriver", f"--port={port}"], env=env,
                          stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL)
base = f"http://127.0.0.1:{port}"

def call(method, path, body=None):
    data = None if body is None else json.dumps(body).encode()
    req = urllib.request.Request(base + path, data=data, method=method,
                                 headers={"Content-Type": "application/json"})
    with urllib.request.urlopen(req, timeout=120) as r:
        return json.loads(r.read())["value"]

for _ in range(100):
    try:
        sid = call("POST", "/session", {"capabilities": {"alwaysMatch": {
            "webkitgtk:browserOptions": {"binary": app, "args": []}}}})["sessionId"]
        break
    except OSError:
        time.sleep(0.2)
else:
    sys.exit("WebKitWebDriver never answered")

def find(testid, wait=60):
    end = time.monotonic() + wait
    while True:
        try:
            el = call("POST", f"/session/{sid}/element",
                      {"using": "css selector", "value": f'[data-testid="{testid}"]'})
            return next(iter(el.values()))
        except urllib.error.HTTPError:
            if time.monotonic() > end:
                sys.exit(f"no element {testid}")
            time.sleep(0.1)

def click(testid):
    call("POST", f"/session/{sid}/element/{find(testid)}/click", {})

def type_into(testid, text):
    el = find(testid)
    call("POST", f"/session/{sid}/element/{el}/value", {"text": "\ue009a\ue000\ue003" + text})

def app_pid():
    for e in os.listdir("/proc"):
        if e.isdigit():
            try:
                if open(f"/proc/{e}/comm").read().strip() == "kepil-app":
                    return int(e)
            except OSError:
                pass

def pss_mib():
    kids = {}
    for e in os.listdir("/proc"):
        if e.isdigit():
            try:
                stat = open(f"/proc/{e}/stat").read()
                kids.setdefault(int(stat.rsplit(")", 1)[1].split()[1]), []).append(int(e))
            except OSError:
                pass
    todo, total = [app_pid()], 0
    while todo:
        p = todo.pop()
        todo.extend(kids.get(p, []))
        try:
            total += int(re.search(r"^Pss:\s+(\d+)", open(f"/proc/{p}/smaps_rollup").read(), re.M).group(1))
        except (OSError, AttributeError):
            pass
    return round(total / 1024, 1)

find("local-store-banner")
time.sleep(10)
rows = [("idle", pss_mib())]
for n in range(1, sends + 1):
    click("file-pick")
    find("file-list")
    click("cls-SULIT")
    type_into("recipient-email-0", "penerima@agensi.gov.my")
    click("send-button")
    find("result-title", wait=120)
    click("result-reveal-0")
    find("result-password-0")
    click("send-new")
    click("confirm-ok")
    find("file-pick")
    time.sleep(5)
    rows.append((f"after send {n}", pss_mib()))
call("DELETE", f"/session/{sid}")
driver.terminate()
print(json.dumps(rows))
EOF

echo "== $SENDS sends in the app under Xvfb" >&2
result=$(xvfb-run -a -s "-screen 0 1280x800x24" dbus-run-session -- \
  python3 "$WORK/drive.py" "$APP" "$WORK" "$SENDS" | tail -1)

python3 - "$result" <<'EOF'
import json, sys
rows = json.loads(sys.argv[1])
for name, pss in rows:
    print(f"{name:<14}{pss:>8} MiB")
idle, first, last = rows[0][1], rows[1][1], rows[-1][1]
ok_idle, ok_growth = idle <= 300, last - first <= 10
print(f"idle {idle} MiB (goal <= 300: {'OK' if ok_idle else 'MISSED'}); after send 1 {first} MiB, "
      f"after send {len(rows) - 1} {last} MiB: growth {last - first:+.1f} MiB "
      f"(goal <= +10: {'OK' if ok_growth else 'MISSED'})")
sys.exit(0 if ok_idle and ok_growth else 1)
EOF
