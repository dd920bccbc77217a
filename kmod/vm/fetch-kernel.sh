#!/usr/bin/env bash
# Downloads and unpacks one pinned kernel (headers + image) from kernels.conf
# into work/ABI/root. Idempotent: does nothing when already unpacked.
#   fetch-kernel.sh ABI      prints the unpacked root
set -euo pipefail
here=$(cd "$(dirname "$0")" && pwd)
abi=$1
read -r _ version suite kbuild < <(grep -E "^${abi//+/\\+}[[:space:]]" "$here/kernels.conf") || {
	echo "fetch-kernel: $abi is not in kernels.conf" >&2
	exit 1
}
work=$here/work/$abi
root=$work/root
if [[ -f $work/.unpacked ]]; then
	echo "$root"
	exit 0
fi

# bookworm-backports from the mirror this machine already uses
if [[ $suite == bookworm-backports ]] &&
	! grep -rqs bookworm-backports /etc/apt/sources.list /etc/apt/sources.list.d/; then
	mirror=$(grep -rhs '^URIs:' /etc/apt/sources.list.d/debian.sources | head -n1 | awk '{print $2}')
	mirror=${mirror:-http://deb.debian.org/debian}
	cat >/etc/apt/sources.list.d/bookworm-backports.sources <<EOS
Types: deb
URIs: $mirror
Suites: bookworm-backports
Components: main
Signed-By: /usr/share/keyrings/debian-archive-keyring.gpg
EOS
	apt-get update -qq >&2
fi
pkgs=("linux-headers-$abi" "linux-headers-${abi%-amd64}-common" "$kbuild" "linux-image-$abi")
if ! apt-cache show "linux-image-$abi=$version" >/dev/null 2>&1; then
	apt-get update -qq >&2
fi
rm -rf "$work"
mkdir -p "$work/debs" "$root"
(cd "$work/debs" && apt-get download -q "${pkgs[@]/%/=$version}" >&2) || {
	echo "fetch-kernel: cannot download ${pkgs[*]} at $version" >&2
	exit 1
}
for deb in "$work"/debs/*.deb; do
	dpkg-deb -x "$deb" "$root"
done
rm -rf "$work/debs"
# the headers' Makefile includes the common headers by absolute path
sed -i "s|^include /usr/src/|include $root/usr/src/|" \
	"$root/usr/src/linux-headers-$abi/Makefile"
depmod -b "$root" "$abi"
touch "$work/.unpacked"
echo "$root"
