#!/usr/bin/env bash
# Installs what building and testing pktring needs on a fresh Debian machine.
# Idempotent: packages already present are skipped quickly.
set -euo pipefail

packages=(
	build-essential libpcap-dev pkg-config	# C tools
	clang libclang-rt-dev			# libFuzzer targets (make -C kmod fuzz)
	tcpdump tshark iproute2 jq curl		# tests compare against these
	kcat					# connector/bench: tshark -T ek | kcat, what users script
	python3 python3-yaml			# docker-compose.yml check, test corpus
	qemu-system-x86 busybox-static cpio kmod	# the kernel module's VM tests
	debootstrap xz-utils zstd		# newest kernel: built in an unstable chroot
	openjdk-17-jdk-headless maven		# connector
)

missing=()
for p in "${packages[@]}"; do
	dpkg-query -W -f='${Status}' "$p" 2>/dev/null | grep -q 'ok installed' ||
		missing+=("$p")
done
if ((${#missing[@]})); then
	echo "install-deps: installing ${missing[*]}"
	export DEBIAN_FRONTEND=noninteractive
	apt-get update -qq
	apt-get install -y -qq --no-install-recommends "${missing[@]}" >/dev/null
fi
