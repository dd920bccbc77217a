#!/usr/bin/env bash
# SPDX-License-Identifier: GPL-2.0
# A minimal Debian unstable chroot with the compiler the newest kernel's
# headers were built with (their kbuild tools also need unstable's libc).
# Made once with debootstrap and kept in work/sid-chroot; a new compiler
# version in the headers' Depends makes it install that one too. pahole
# (dwarves) is there because the headers warn when it differs from the
# kernel's own build.
#   sid-chroot.sh GCC-PACKAGE     prints the chroot's path
set -euo pipefail
here=$(cd "$(dirname "$0")" && pwd)
# shellcheck source=private-apt.sh
. "$here/private-apt.sh"
gcc=${1:-gcc-16}
dir=$here/work/sid-chroot
pkgs=(${gcc%-for-host} make libc6-dev libelf-dev dwarves)

if [[ ! -f $dir/.made ]]; then
	command -v debootstrap >/dev/null || {
		echo "sid-chroot: debootstrap is not installed (scripts/install-deps.sh installs it)" >&2
		exit 1
	}
	rm -rf "$dir"
	echo "sid-chroot: debootstrap sid with ${pkgs[*]} into $dir" >&2
	debootstrap --variant=minbase --include="$(IFS=,; echo "${pkgs[*]}")" sid "$dir" "$(papt_mirror)" \
		>"$here/work/sid-chroot.log" 2>&1 || {
		tail -20 "$here/work/sid-chroot.log" >&2
		echo "sid-chroot: debootstrap failed (see $here/work/sid-chroot.log)" >&2
		exit 1
	}
	touch "$dir/.made"
fi
missing=()
for p in "${pkgs[@]}"; do
	chroot "$dir" dpkg-query -W -f='${Status}' "$p" 2>/dev/null | grep -q 'ok installed' ||
		missing+=("$p")
done
if ((${#missing[@]})); then
	echo "sid-chroot: installing ${missing[*]}" >&2
	# the mirror may serve a snapshot whose Release has expired (as the
	# host's apt is told to accept); signatures are still checked
	chroot "$dir" apt-get -o Acquire::Check-Valid-Until=false update -qq >&2
	chroot "$dir" apt-get install -y -qq --no-install-recommends "${missing[@]}" >&2
fi
echo "$dir"
