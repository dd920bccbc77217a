#!/usr/bin/env bash
# Fetches scripts/checkpatch.pl (with spelling.txt and const_structs) from
# Debian's linux-source-6.1 package into kmod/vm/work/checkpatch/, for
# "make checkpatch". Idempotent.
set -euo pipefail
dest=$(cd "$(dirname "$0")/.." && pwd)/vm/work/checkpatch
[[ -x $dest/checkpatch.pl ]] && exit 0
tmp=$(mktemp -d)
trap 'rm -rf "$tmp"' EXIT
(cd "$tmp" && apt-get download -q linux-source-6.1 >/dev/null)
dpkg-deb --fsys-tarfile "$tmp"/linux-source-6.1_*.deb |
	tar -xO ./usr/src/linux-source-6.1.tar.xz |
	tar -xJ -C "$tmp" linux-source-6.1/scripts/checkpatch.pl \
		linux-source-6.1/scripts/spelling.txt \
		linux-source-6.1/scripts/const_structs.checkpatch
mkdir -p "$dest"
cp "$tmp"/linux-source-6.1/scripts/* "$dest/"
chmod +x "$dest/checkpatch.pl"
