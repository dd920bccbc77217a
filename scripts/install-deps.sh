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
	python3-confluent-kafka python3-avro	# the Python consumer recipe (tests/consumers/python)
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

# Node.js and npm for the JavaScript consumer recipe (tests/consumers/js). Only when absent:
# a machine's own Node.js (e.g. NodeSource's, which bundles npm) conflicts with Debian's npm.
if ! command -v node >/dev/null || ! command -v npm >/dev/null; then
	echo "install-deps: installing nodejs npm"
	apt-get update -qq
	DEBIAN_FRONTEND=noninteractive apt-get install -y -qq --no-install-recommends nodejs npm >/dev/null
fi
