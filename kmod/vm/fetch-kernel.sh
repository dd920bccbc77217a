#!/usr/bin/env bash
# SPDX-License-Identifier: GPL-2.0
# Resolves one kernel line of kernels.conf to the newest package the mirror
# serves, downloads its headers, kbuild and image (never installed) and
# unpacks them into work/ABI/root. A newer point release is taken as it
# comes; the pinned fallback is used only when no newer package of the line
# can be fetched; a line with nothing fetchable at all is an error.
#   fetch-kernel.sh LINE     prints "ABI VERSION BUILD ROOT"
# Downloaded .debs are kept in work/debs (or $PKTRING_KERNEL_CACHE).
set -euo pipefail
here=$(cd "$(dirname "$0")" && pwd)
# shellcheck source=private-apt.sh
. "$here/private-apt.sh"
line=$1
conf=$here/kernels.conf
read -r _ suites build pin_abi pin_version < <(grep -E "^${line//./\\.}[[:space:]]" "$conf") || {
	echo "fetch-kernel: no line '$line' in $conf" >&2
	exit 1
}
debs=${PKTRING_KERNEL_CACHE:-$here/work/debs}
mkdir -p "$debs"

# every suite of the file in one list, so lines do not refresh it in turn
mapfile -t all_suites < <(grep -Ev '^[[:space:]]*(#|$)' "$conf" | awk '{print $2}' | tr , '\n' | sort -u)
papt_update "${all_suites[@]}" || echo "fetch-kernel: cannot refresh package lists; using the cached ones" >&2

# candidates: "VERSION ABI SUITE" of the line's generic amd64 images, newest first
candidates() {
	local names version abi suite
	names=$(papt_cache search --names-only '^linux-image-[0-9].*-amd64$' | awk '{print $1}' |
		grep -Ev -- '-(cloud|rt)-amd64$')
	# shellcheck disable=SC2086
	papt_cache madison $names | while IFS='|' read -r abi version suite; do
		abi=$(echo "$abi" | tr -d ' ')
		abi=${abi#linux-image-}
		version=$(echo "$version" | tr -d ' ')
		suite=$(echo "$suite" | awk '{print $2}' | cut -d/ -f1)
		[[ ,$suites, == *,$suite,* ]] || continue
		[[ $line == newest || $version == "$line".* ]] || continue
		echo "$version $abi $suite"
	done | sort -u | sort -k1,1Vr
}

# packages of one kernel, all of one source build: the image with what it
# is split into (kernel binary, modules, base files on newer kernels) and
# the headers with what they need (common headers, kbuild)
packages() {	# ABI VERSION
	local deps d
	deps=$(for d in "linux-image-$1" "linux-headers-$1"; do
		papt_cache show "$d=$2" 2>/dev/null | grep -m1 '^Depends:' | sed 's/^Depends://'
	done | tr ',|' '\n\n' | awk '{print $1}' |
		grep -E '^linux-(headers|kbuild|base|binary|modules)-[0-9]' | sort -u || true)
	[[ $deps == *linux-headers-* || $deps == *linux-kbuild-* ]] || return 1
	for d in "linux-image-$1" "linux-headers-$1" $deps; do
		echo "$d=$2"
	done
}

debfile() {	# NAME=VERSION: the cached .deb (arch amd64 or all)
	ls "$debs/${1%%=*}_${1#*=}_"*.deb 2>/dev/null | head -n1
}

download() {	# ABI VERSION: prints the packages once all are cached
	local pkgs p missing=()
	pkgs=$(packages "$1" "$2") || return 1
	for p in $pkgs; do
		[[ -n $(debfile "$p") ]] || missing+=("$p")
	done
	if ((${#missing[@]})); then
		(cd "$debs" && papt_get -q download "${missing[@]}" >&2) || return 1
	fi
	for p in $pkgs; do
		[[ -n $(debfile "$p") ]] || return 1
	done
	echo "$pkgs"
}

chosen=
tried=()
while read -r version abi suite; do
	((${#tried[@]} < 3)) || break
	tried+=("$abi=$version")
	if pkgs=$(download "$abi" "$version"); then
		chosen="$abi $version $suite"
		break
	fi
	echo "fetch-kernel: $line: $abi $version ($suite) cannot be fetched, trying an older one" >&2
done < <(candidates)
if [[ -z $chosen ]]; then
	tried+=("$pin_abi=$pin_version")
	if pkgs=$(download "$pin_abi" "$pin_version"); then
		chosen="$pin_abi $pin_version pin"
		echo "fetch-kernel: $line: no newer package could be fetched; using the pinned fallback" >&2
	else
		echo "fetch-kernel: kernel line $line: nothing can be fetched from $suites (tried ${tried[*]})" >&2
		exit 1
	fi
fi
read -r abi version suite <<<"$chosen"
echo "fetch-kernel: kernel line $line -> linux-image-$abi $version ($suite)" >&2

root=$here/work/$abi/root
stamp=$here/work/$abi/.unpacked
if [[ $(cat "$stamp" 2>/dev/null) != "$version" ]]; then
	rm -rf "$root"
	mkdir -p "$root"
	for p in $pkgs; do
		dpkg-deb -x "$(debfile "$p")" "$root"
	done
	# merged /usr (newer kernels): modules under usr/lib, where depmod
	# and modprobe -d look in lib/
	[[ -e $root/lib ]] || ln -s usr/lib "$root/lib"
	# the headers' Makefile includes the common headers by absolute path
	sed -i "s|^include /usr/src/|include $root/usr/src/|" \
		"$root/usr/src/linux-headers-$abi/Makefile"
	depmod -b "$root" "$abi"
	printf '%s\n' $pkgs | while read -r p; do debfile "$p"; done >"$here/work/$abi/debs.list"
	echo "$version" >"$stamp"
fi
echo "$abi $version $build $root"
