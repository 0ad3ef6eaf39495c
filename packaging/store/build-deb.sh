#!/usr/bin/env bash
# build-deb.sh BINARY OUTDIR: builds OUTDIR/kepil-store_<version>_<arch>.deb from a built
# `kepil-store` binary (crate kepil-store-server) and prints the path of the .deb.
#
# Environment (all optional):
#   KEPIL_PKG_VERSION     package version; must start with the workspace version (default:
#                         that version), e.g. 0.1.0-2 or 0.1.0+agency1
#   KEPIL_PKG_MAINTAINER  the Maintainer field
#   SOURCE_DATE_EPOCH     timestamp of the files and the changelog (default: the last commit)
set -euo pipefail
umask 022

die() {
    echo "build-deb.sh: $*" >&2
    exit 1
}

[[ $# -eq 2 ]] || die "usage: build-deb.sh BINARY OUTDIR"
[[ -f $1 && -x $1 ]] || die "$1 is not an executable file"
# Absolute, so a bare name is never looked up on PATH when it is run below.
binary=$(realpath "$1")
outdir=$2
here=$(cd "$(dirname "${BASH_SOURCE[0]}")" && pwd)
repo=$(cd "$here/../.." && pwd)

for tool in dpkg dpkg-deb strip objdump gzip md5sum; do
    command -v "$tool" >/dev/null || die "$tool is missing (apt-get install dpkg-dev binutils)"
done

# The crate takes `version.workspace = true`; the value is in the root [workspace.package].
crate_toml=$repo/crates/store-server/Cargo.toml
if grep -Eq '^version\.workspace[[:space:]]*=[[:space:]]*true' "$crate_toml"; then
    upstream=$(sed -n '/^\[workspace\.package\]/,/^\[/s/^version[[:space:]]*=[[:space:]]*"\([^"]*\)".*/\1/p' \
        "$repo/Cargo.toml")
else
    upstream=$(sed -n '/^\[package\]/,/^\[/s/^version[[:space:]]*=[[:space:]]*"\([^"]*\)".*/\1/p' \
        "$crate_toml")
fi
[[ -n $upstream ]] || die "no version found in $repo/Cargo.toml"

version=${KEPIL_PKG_VERSION:-$upstream}
[[ $version == "$upstream" || $version == "$upstream"[-+~]* ]] ||
    die "KEPIL_PKG_VERSION=$version does not start with the binary's version $upstream"
[[ $version =~ ^[0-9][A-Za-z0-9.+~-]*$ ]] || die "$version is not a Debian version"

# A stale binary from another release would be packaged under the wrong version.
binary_version=$("$binary" --version) || die "$binary --version failed (another architecture?)"
[[ $binary_version == "kepil-store $upstream" ]] ||
    die "$binary says '$binary_version', the workspace is at $upstream"

# Only a library build without the `server` feature has these messages; such a store could
# not use PostgreSQL, S3, TLS or sign-in. crates/store-server always turns `server` on.
for marker in 'this build of the store library was made without it' \
    'this build of the store library has no TLS' 'this build has no sign-in support'; do
    if grep -qF "$marker" "$binary"; then
        die "$binary lacks PostgreSQL, S3, TLS or sign-in: build it with cargo build -p kepil-store-server"
    fi
done

arch=$(dpkg --print-architecture)
maintainer=${KEPIL_PKG_MAINTAINER:-Kepil maintainers <kepil@example.invalid>}
if [[ -z ${SOURCE_DATE_EPOCH:-} ]]; then
    SOURCE_DATE_EPOCH=$(git -C "$repo" log -1 --format=%ct 2>/dev/null || date +%s)
fi
export SOURCE_DATE_EPOCH

work=$(mktemp -d)
trap 'rm -rf "$work"' EXIT
root=$work/root
doc=$root/usr/share/doc/kepil-store

install -d "$root/DEBIAN" "$root/usr/bin" "$root/usr/lib/systemd/system" "$doc" \
    "$root/etc/kepil-store"
install -m 0755 "$binary" "$root/usr/bin/kepil-store"
# What dh_strip does to an executable.
strip --remove-section=.comment --remove-section=.note "$root/usr/bin/kepil-store"
install -m 0644 "$here/kepil-store.service" "$root/usr/lib/systemd/system/kepil-store.service"
# 0644 root:root in the archive; postinst's dpkg-statoverride makes it 0640 root:kepil-store
# (and the directory 0750), which dpkg then keeps on every upgrade.
install -m 0644 "$here/config.toml" "$root/etc/kepil-store/config.toml"
install -m 0644 "$here/copyright" "$doc/copyright"
install -m 0644 "$here/README.md" "$doc/README.Debian"
changelog_date=$(date -u -R -d "@$SOURCE_DATE_EPOCH")
cat >"$work/changelog.Debian" <<EOF
kepil-store ($version) unstable; urgency=medium

  * kepil-store $upstream, packaged from the Kepil workspace by
    packaging/store/build-deb.sh.

 -- $maintainer  $changelog_date
EOF
# Policy 12.7: a version without a Debian revision is a native package's, named changelog.gz.
if [[ $version == *-* ]]; then
    changelog=$doc/changelog.Debian.gz
else
    changelog=$doc/changelog.gz
fi
gzip -9n <"$work/changelog.Debian" >"$changelog"
chmod 0644 "$changelog"

# The manual page is made from the binary's own --help, so it cannot fall behind it: the
# top-level help, then one subsection per (sub)command without the global options again.
help_roff() {
    "$binary" "$@" --help | awk -v title="kepil-store${*:+ $*}" -v top=$# '
        function esc(s) {
            gsub(/\\/, "\\e", s)
            gsub(/-/, "\\-", s)
            if (s ~ /^[.\047]/) s = "\\&" s
            return s
        }
        NR == 1 {
            if (top > 0) print ".SS \"" esc(title) "\""
            print esc($0)
            next
        }
        /^Usage: / { sub(/^Usage: /, ""); print ".PP\n\\fBUsage:\\fR " esc($0); next }
        /^[A-Z][a-z]+:$/ { section = $0; shown = 0; next }
        NF == 0 { next }
        {
            line = $0
            sub(/^ +/, "", line)
            cut = index(line, "  ")
            term = cut ? substr(line, 1, cut - 1) : line
            desc = cut ? substr(line, cut) : ""
            sub(/^ +/, "", desc)
            if (term == "help") next
            if (top > 0 && term ~ /^(--config|--data-dir|--blobs|--metadata|-h, --help)/) next
            if (!shown) { print ".PP\n\\fB" section "\\fR"; shown = 1 }
            print ".TP\n\\fB" esc(term) "\\fR\n" esc(desc)
        }'
}

subcommands() {
    "$binary" "$@" --help |
        awk '/^Commands:$/ { on = 1; next } /^[A-Z][a-z]+:$/ { on = 0 } on && NF && $1 != "help" { print $1 }'
}

help_tree() {
    local sub
    help_roff "$@"
    for sub in $(subcommands "$@"); do
        help_tree "$@" "$sub"
    done
}

write_manpage() {
    printf '.TH KEPIL\\-STORE 1 "%s" "kepil-store %s" "Kepil"\n' \
        "$(date -u -d "@$SOURCE_DATE_EPOCH" +%Y-%m-%d)" "$upstream"
    printf '.SH NAME\nkepil\\-store \\- Kepil temporary store for encrypted attachments\n'
    printf '.SH SYNOPSIS\n.B kepil\\-store\n[\\fIOPTIONS\\fR] \\fICOMMAND\\fR\n'
    printf '.SH DESCRIPTION\n'
    help_roff
    printf '.SH COMMANDS\n'
    for sub in $(subcommands); do
        help_tree "$sub"
    done
    cat <<'ROFF'
.SH FILES
.TP
.I /etc/kepil\-store/config.toml
The service's configuration (KEPIL_STORE_CONFIG); pass it with \fB\-\-config\fR when running
commands by hand, as the kepil\-store user.
.TP
.I /etc/kepil\-store/environment
Optional secrets for the service (PGPASSWORD, AWS_ACCESS_KEY_ID, AWS_SECRET_ACCESS_KEY).
.TP
.I /var/lib/kepil\-store
store.db, blobs/, audit.jsonl and master.key.
.SH SEE ALSO
.BR systemctl (1),
.BR journalctl (1),
.I /usr/share/doc/kepil\-store/README.Debian
ROFF
}

shlibs_depends() {
    local exe=$1
    if command -v dpkg-shlibdeps >/dev/null; then
        # dpkg-shlibdeps wants to run in a source tree: give it the least it reads.
        mkdir -p "$work/src/debian"
        printf 'Source: kepil-store\n\nPackage: kepil-store\nArchitecture: any\n' \
            >"$work/src/debian/control"
        (cd "$work/src" && dpkg-shlibdeps -O "$exe") | sed -n 's/^shlibs:Depends=//p'
        return
    fi
    # Without dpkg-dev: libc6 at the newest GLIBC_ symbol version the binary imports.
    local glibc needed lib deps=()
    glibc=$(objdump -T "$exe" | grep -o 'GLIBC_[0-9][0-9.]*' | sed 's/GLIBC_//' |
        sort -uV | tail -n1)
    needed=$(objdump -p "$exe" | awk '$1 == "NEEDED" { print $2 }')
    for lib in $needed; do
        case $lib in
            libc.so.6 | libm.so.6 | ld-linux*.so.* | libpthread.so.0 | libdl.so.2 | librt.so.1) ;;
            libgcc_s.so.1) deps+=("libgcc-s1 (>= 4.2)") ;;
            *) die "no Debian package known for $lib: install dpkg-dev for dpkg-shlibdeps" ;;
        esac
    done
    [[ -n $glibc ]] || die "no GLIBC_ symbol versions in $exe"
    deps=("libc6 (>= $glibc)" "${deps[@]}")
    local joined
    joined=$(printf '%s, ' "${deps[@]}")
    echo "${joined%, }"
}
install -d "$root/usr/share/man/man1"
write_manpage | gzip -9n >"$root/usr/share/man/man1/kepil-store.1.gz"
chmod 0644 "$root/usr/share/man/man1/kepil-store.1.gz"
shlibs=$(shlibs_depends "$root/usr/bin/kepil-store")
[[ -n $shlibs ]] || die "could not compute the shared library dependencies"

installed_size=$(du -sk --exclude=DEBIAN "$root" | cut -f1)
# Quoted replacements: bash 5.2 would otherwise expand '&' in them to the matched text.
control=$(<"$here/control")
control=${control//@VERSION@/"$version"}
control=${control//@ARCH@/"$arch"}
control=${control//@MAINTAINER@/"$maintainer"}
control=${control//@INSTALLED_SIZE@/"$installed_size"}
control=${control//@SHLIBS_DEPENDS@/"$shlibs"}
printf '%s\n' "$control" >"$root/DEBIAN/control"
install -m 0644 "$here/conffiles" "$root/DEBIAN/conffiles"
for script in postinst prerm postrm; do
    install -m 0755 "$here/$script" "$root/DEBIAN/$script"
done
# Conffiles are left out, as dh_md5sums does: dpkg tracks their checksums itself.
(cd "$root" && find usr -type f -print0 | LC_ALL=C sort -z | xargs -0 md5sum) \
    >"$root/DEBIAN/md5sums"
chmod 0644 "$root/DEBIAN/md5sums"
find "$root" -exec touch -h -d "@$SOURCE_DATE_EPOCH" {} +

mkdir -p "$outdir"
deb=$(cd "$outdir" && pwd)/kepil-store_${version}_${arch}.deb
dpkg-deb --root-owner-group -Zxz --build "$root" "$deb" >/dev/null
echo "$deb"
