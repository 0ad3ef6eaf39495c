#!/usr/bin/env bash
# The packages as agency IT meets them (scripts/test's `package` part): builds them with
# scripts/package, installs both .debs on this machine with dpkg -i, and checks that
#   - the .rpm holds exactly the files the desktop .deb installed;
#   - the installed `kepil` reaches the installed `kepil-store` over TLS on a certificate that
#     only a test CA signed, once that CA is in the operating system's store
#     (update-ca-certificates), with no CA in any policy;
#   - the installed `kepil` obeys /etc/kepil/policy.toml (its store), refuses it when others may
#     write it, and ignores KEPIL_POLICY_FILE, which only test builds honour;
#   - `xdg-open kepil://…` reaches the installed app under Xvfb (the desktop entry's handler,
#     then the running instance's single-instance hand-over);
#   - dpkg --purge leaves nothing behind.
# Needs root, and a machine where neither package nor a system policy is installed already:
# it refuses to touch a real installation. Prints the packages' sizes.
set -euo pipefail
cd "$(dirname "$0")/../.."

die() {
  echo "package test: $*" >&2
  exit 1
}
[ "$(id -u)" = 0 ] || die "needs root to install the packages (dpkg -i); run it as root or in CI"
for p in kepil kepil-store; do
  if dpkg-query -W -f '${Status}' "$p" 2>/dev/null | grep -q 'ok installed'; then
    die "the package $p is installed on this machine; the test would replace and purge it"
  fi
done
[ ! -e /etc/kepil/policy.toml ] || die "/etc/kepil/policy.toml exists; the test would replace it"
ca_name=kepil-install-test
[ ! -e /usr/local/share/ca-certificates/$ca_name.crt ] || die "a test CA is left from an earlier run"

dist=$(mktemp -d)
work=$(mktemp -d)
chmod 0755 "$work"
app_pid=
store_pid=
cleanup() {
  local rc=$?
  [ -z "$app_pid" ] || kill "$app_pid" 2>/dev/null || true
  [ -z "$store_pid" ] || kill "$store_pid" 2>/dev/null || true
  wait 2>/dev/null || true
  rm -f /etc/kepil/policy.toml
  rmdir /etc/kepil 2>/dev/null || true
  if [ -e /usr/local/share/ca-certificates/$ca_name.crt ]; then
    rm -f /usr/local/share/ca-certificates/$ca_name.crt
    update-ca-certificates --fresh >/dev/null 2>&1 || true
  fi
  dpkg --purge kepil kepil-store >/dev/null 2>&1 || true
  if id kepil-store >/dev/null 2>&1; then deluser --system kepil-store >/dev/null 2>&1 || true; fi
  rm -rf "$work" "$dist"
  exit "$rc"
}
trap cleanup EXIT

echo "== package: build" >&2
KEPIL_DIST=$dist bash scripts/package >/dev/null
deb=$(ls "$dist"/kepil_*.deb)
rpm_file=$(ls "$dist"/kepil-*.rpm)
store_deb=$(ls "$dist"/kepil-store_*.deb)

echo "== package: install (dpkg -i)" >&2
dpkg -i "$deb" "$store_deb" >&2

echo "== package: contents" >&2
for f in /usr/bin/kepil /usr/bin/kepil-app /usr/bin/kepil-store /usr/share/kepil/policy.example.toml \
  /usr/lib/systemd/system/kepil-store.service /etc/kepil-store/config.toml; do
  [ -f "$f" ] || die "$f is not installed"
done
desktop_entry=$(dpkg -L kepil | grep '^/usr/share/applications/.*\.desktop$') ||
  die "the .deb installs no desktop entry"
grep -q '^MimeType=.*x-scheme-handler/kepil;' "$desktop_entry" ||
  die "$desktop_entry does not declare the kepil:// scheme"
grep -q 'x-scheme-handler/kepil=' /usr/share/applications/mimeinfo.cache ||
  die "the handler cache does not list kepil:// after install (postinst)"
# The same files in the .rpm as the .deb installed (directories aside).
dpkg -L kepil | while read -r f; do [ -d "$f" ] || echo "$f"; done | sort >"$work/deb.files"
rpm -qlp "$rpm_file" 2>/dev/null | sort >"$work/rpm.files"
diff -u "$work/deb.files" "$work/rpm.files" >&2 || die "the .rpm and the .deb hold different files"
/usr/bin/kepil --version >&2

echo "== package: the installed store, on a CA only the system store trusts" >&2
openssl req -x509 -newkey ec -pkeyopt ec_paramgen_curve:P-256 -nodes -days 2 \
  -subj "/CN=Kepil Install Test CA" -keyout "$work/ca.key" -out "$work/ca.pem" \
  -addext basicConstraints=critical,CA:TRUE -addext keyUsage=critical,keyCertSign,cRLSign 2>/dev/null
openssl req -newkey ec -pkeyopt ec_paramgen_curve:P-256 -nodes -subj "/CN=localhost" \
  -keyout "$work/store.key" -out "$work/store.csr" 2>/dev/null
printf 'subjectAltName=DNS:localhost\nbasicConstraints=CA:FALSE\nextendedKeyUsage=serverAuth\n' >"$work/ext"
openssl x509 -req -in "$work/store.csr" -CA "$work/ca.pem" -CAkey "$work/ca.key" -CAcreateserial \
  -days 2 -extfile "$work/ext" -out "$work/store.pem" 2>/dev/null
port=$(python3 -c 'import socket; s=socket.socket(); s.bind(("127.0.0.1", 0)); print(s.getsockname()[1])')
install -d -o kepil-store -g kepil-store -m 0700 "$work/store"
install -o kepil-store -g kepil-store -m 0600 "$work/store.key" "$work/store/tls.key"
cat >"$work/store.toml" <<EOF
listen = "127.0.0.1:$port"
data_dir = "$work/store"
public_url = "https://localhost:$port"
[tls]
cert = "$work/store.pem"
key = "$work/store/tls.key"
EOF
chmod 0644 "$work/store.toml" "$work/store.pem"
as_store() { runuser -u kepil-store -- /usr/bin/kepil-store --config "$work/store.toml" "$@"; }
as_store migrate >&2
token=$(as_store token create --user sender@agensi.gov.my | tail -n 1)
as_store serve >"$work/store.log" 2>&1 &
store_pid=$!
for _ in $(seq 50); do
  curl -sk "https://localhost:$port/healthz" >/dev/null 2>&1 && break
  sleep 0.2
done

home="$work/home"
mkdir -p "$home"
kepil() {
  env -i PATH=/usr/bin:/bin HOME="$home" KEPIL_CONFIG_DIR="$home/kepil" KEPIL_NO_KEYRING=1 \
    KEPIL_LANG=en KEPIL_TOKEN="$token" KEPIL_POLICY_FILE="$work/other-policy.toml" \
    /usr/bin/kepil "$@"
}
printf '[store]\nurl = "https://kepil.lain.example"\n' >"$work/other-policy.toml"
head -c 3000000 /dev/urandom >"$work/Laporan SULIT.pdf"
mkdir -p /etc/kepil
printf '[store]\nurl = "https://localhost:%s"\nname = "Kepil Ujian"\n' "$port" >/etc/kepil/policy.toml
chmod 0644 /etc/kepil/policy.toml

# Before the CA is in the system's store: refused as untrusted.
if kepil send --classification SULIT --to penerima@agensi.gov.my "$work/Laporan SULIT.pdf" --json \
  >"$work/refused.json" 2>/dev/null; then
  die "kepil reached a store whose CA the system does not trust"
fi
grep -q '"certificate_untrusted"' "$work/refused.json" || die "not refused as untrusted: $(cat "$work/refused.json")"

cp "$work/ca.pem" /usr/local/share/ca-certificates/$ca_name.crt
update-ca-certificates >/dev/null 2>&1

# A policy others may write is not IT's word.
chmod 0666 /etc/kepil/policy.toml
if kepil send --classification SULIT --to penerima@agensi.gov.my "$work/Laporan SULIT.pdf" --json \
  >"$work/unprotected.json" 2>/dev/null; then
  die "kepil sent under a policy file anyone may write"
fi
grep -q '"policy_unprotected"' "$work/unprotected.json" || die "$(cat "$work/unprotected.json")"
chmod 0644 /etc/kepil/policy.toml

# No --store and no KEPIL_STORE: the system policy's store. KEPIL_POLICY_FILE names a policy
# locking another store, which only a test build would read.
kepil send --classification SULIT --to penerima@agensi.gov.my "$work/Laporan SULIT.pdf" --json >"$work/sent.json"
link=$(python3 -c 'import json,sys; print(json.load(open(sys.argv[1]))["recipients"][0]["link"])' "$work/sent.json")
password=$(python3 -c 'import json,sys; print(json.load(open(sys.argv[1]))["recipients"][0]["password"])' "$work/sent.json")
case $link in "https://localhost:$port/"*) ;; *) die "the link is not on the installed store: $link" ;; esac
mkdir -p "$work/received"
printf '%s\n' "$password" | kepil receive "$link" --yes --password-stdin -o "$work/received" --json >&2
cmp "$work/Laporan SULIT.pdf" "$work/received/Laporan SULIT.pdf" || die "received other bytes than were sent"

echo "== package: xdg-open kepil://… into the installed app (Xvfb)" >&2
kepil_link="kepil://${link#https://}"
app_home="$work/app-home"
mkdir -p "$app_home"
cat >"$work/open-link.sh" <<'EOF'
set -euo pipefail
KEPIL_LOG=kepil_app=info /usr/bin/kepil-app >"$APP_LOG" 2>&1 &
app=$!
for _ in $(seq 150); do grep -q 'window set up' "$APP_LOG" && break; sleep 0.2; done
grep -q 'window set up' "$APP_LOG" || { echo "the installed app did not start" >&2; kill $app; exit 1; }
xdg-open "$LINK"
for _ in $(seq 100); do grep -q "a link to the store localhost was handed over" "$APP_LOG" && break; sleep 0.2; done
kill $app
grep -q "a link to the store localhost was handed over" "$APP_LOG"
EOF
env -i PATH=/usr/bin:/bin HOME="$app_home" XDG_CONFIG_HOME="$app_home/.config" \
  XDG_DATA_HOME="$app_home/.local/share" XDG_CACHE_HOME="$app_home/.cache" \
  XDG_DATA_DIRS=/usr/local/share:/usr/share KEPIL_NO_KEYRING=1 APP_LOG="$work/app.log" \
  LINK="$kepil_link" xvfb-run -a -s "-screen 0 1280x800x24" dbus-run-session -- bash "$work/open-link.sh" ||
  die "xdg-open did not hand the link to the installed app; its log: $(cat "$work/app.log")"
if grep -qF "${link#*#}" "$work/app.log" "$work/store.log"; then
  die "the link's secret is in a log"
fi

echo "== package: purge" >&2
kill "$store_pid" && wait "$store_pid" 2>/dev/null || true
store_pid=
dpkg --purge kepil kepil-store >&2
for f in /usr/bin/kepil /usr/bin/kepil-app /usr/bin/kepil-store /var/lib/kepil-store /etc/kepil-store; do
  [ ! -e "$f" ] || die "$f is left after dpkg --purge"
done

echo "== package: sizes (bytes)" >&2
for f in "$deb" "$rpm_file" "$store_deb"; do
  printf '%12s  %s\n' "$(stat -c %s "$f")" "$(basename "$f")" >&2
done
echo "package test: ok" >&2
