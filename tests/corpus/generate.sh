#!/usr/bin/env bash
# SPDX-License-Identifier: BSD-2-Clause
# The project's own corpus of captures: generate.sh OUTDIR
#
# Captures real traffic (tests/corpus/traffic.py) with tcpdump and dumpcap
# inside two network namespaces it creates and removes, and writes the
# hand-made edge files (edge.py). See README.md for the files. Cached: OUTDIR
# is remade only when a file of tests/corpus/ changes, or when the last run
# could not make every capture (no root, no netns, a tool missing). Quiet
# when the cache is used. Exit 0 when at least the hand-made files exist.
set -euo pipefail
here=$(cd "$(dirname "${BASH_SOURCE[0]}")" && pwd)
out=${1:?usage: generate.sh OUTDIR}
mkdir -p "$(dirname "$out")"
out=$(cd "$(dirname "$out")" && pwd)/$(basename "$out")

stamp_of_generator() {
	(cd "$here" && sha256sum -- *) | sha256sum | cut -d' ' -f1
}
want="$(stamp_of_generator) complete"

# One generator at a time per OUTDIR; the others wait, then find it cached.
exec 9>"$out.lock"
flock 9
[[ -f $out/.stamp && $(<"$out/.stamp") == "$want" ]] && exit 0

tmp=$(mktemp -d "$out.new.XXXXXX")
ns_a=pktring-corpus-$$-a
ns_b=pktring-corpus-$$-b
pids=()	# the captures
sink=''	# traffic.py sink
cleanup() {
	local p
	for p in "${pids[@]}" $sink; do kill "$p" 2>/dev/null || true; done
	wait 2>/dev/null || true
	ip netns del "$ns_a" 2>/dev/null || true
	ip netns del "$ns_b" 2>/dev/null || true
	rm -rf "$tmp"
}
trap cleanup EXIT
trap 'exit 1' INT TERM

command -v python3 >/dev/null || {
	echo "generate.sh: python3 is not installed (scripts/install-deps.sh)" >&2
	exit 1
}
python3 "$here/edge.py" "$tmp"

missing=()	# what could not be made, and why
live=(tcp udp icmp ipv6 fragments jumbo vlan qinq loopback tun-raw any-sll2
	tcp-ns snaplen-64)
live_files=("${live[@]/%/.pcap}" mixed.pcapng)

# why_no_live: empty when live captures can be made, else the reason
why_no_live() {
	local t
	((EUID == 0)) || { echo "not root"; return; }
	for t in ip tcpdump dumpcap capinfos; do
		command -v "$t" >/dev/null || { echo "$t is not installed"; return; }
	done
	[[ -c /dev/net/tun ]] || { echo "no /dev/net/tun"; return; }
	ip netns add "$ns_a" 2>/dev/null && ip netns add "$ns_b" 2>/dev/null ||
		echo "cannot create network namespaces"
}

# veth N MTU: veth pair aN (namespace A) - bN (namespace B), fixed MACs
veth() {
	ip -n "$ns_a" link add "a$1" address "02:00:00:00:0$1:01" mtu "$2" \
		type veth peer name "b$1" address "02:00:00:00:0$1:02" \
		netns "$ns_b" mtu "$2"
}

# addr NS DEV ADDR...: addresses (IPv6 without duplicate detection), up
addr() {
	local ns=$1 dev=$2 a
	shift 2
	for a in "$@"; do
		ip -n "$ns" addr add "$a" dev "$dev" nodad 2>/dev/null ||
			ip -n "$ns" addr add "$a" dev "$dev"
	done
	ip -n "$ns" link set "$dev" up
}

# ipv6 NS DEV 0|1: IPv6 off or on for DEV ("default": devices made later)
ipv6() {
	echo $((1 - $3)) |
		ip netns exec "$1" tee "/proc/sys/net/ipv6/conf/$2/disable_ipv6" >/dev/null
}

# Link 0: plain Ethernet (IPv4, IPv6). Link 1: MTU 9000, IPv4 only.
# Links 2 and 3: only the tagged frames traffic.py writes (802.1Q; QinQ).
# tun0 in A: a raw-IP device.
setup_network() {
	local ns side n
	for ns in "$ns_a" "$ns_b"; do
		ip -n "$ns" link set lo up
		ipv6 "$ns" default 0
	done
	veth 0 1500
	veth 1 9000
	veth 2 1500
	veth 3 1500
	for side in a b; do
		ns=$ns_a n=1
		[[ $side == b ]] && ns=$ns_b n=2
		ipv6 "$ns" "${side}0" 1
		addr "$ns" "${side}0" "10.0.0.$n/24" "fd00::$n/64"
		addr "$ns" "${side}1" "10.1.0.$n/24"
		addr "$ns" "${side}2"
		addr "$ns" "${side}3"
	done
	ip -n "$ns_a" tuntap add dev tun0 mode tun
	ipv6 "$ns_a" tun0 1
	addr "$ns_a" tun0 10.99.0.1/24 fd99::1/64
}

# capture NS FILE TOOL-ARGS...: start tcpdump or dumpcap in the background
capture() {
	local ns=$1 file=$2
	shift 2
	ip netns exec "$ns" "$@" -w "$tmp/$file" 2>"$tmp/$file.log" 9>&- &
	pids+=($!)
}

# ready: every capture has opened its interface (up to 10 s)
ready() {
	local i f
	for ((i = 0; i < 200; i++)); do
		for f in "$tmp"/*.log; do
			grep -qE 'listening on|Capturing on' "$f" || {
				sleep 0.05
				continue 2
			}
		done
		return 0
	done
	return 1
}

capture_live() {
	local td=(tcpdump -Z root --immediate-mode -n -i)
	setup_network
	capture "$ns_b" tcp.pcap "${td[@]}" b0 tcp
	capture "$ns_b" tcp-ns.pcap "${td[@]}" b0 --time-stamp-precision=nano tcp
	capture "$ns_b" udp.pcap "${td[@]}" b0 udp
	capture "$ns_b" icmp.pcap "${td[@]}" b0 'icmp or icmp6'
	capture "$ns_b" ipv6.pcap "${td[@]}" b0 ip6
	capture "$ns_b" fragments.pcap "${td[@]}" b0 \
		'(ip and ip[6:2] & 0x3fff != 0) or (ip6 and ip6[6] == 44)'
	capture "$ns_b" snaplen-64.pcap "${td[@]}" b0 -s 64
	capture "$ns_b" jumbo.pcap "${td[@]}" b1
	capture "$ns_b" vlan.pcap "${td[@]}" b2
	capture "$ns_b" qinq.pcap "${td[@]}" b3
	capture "$ns_b" any-sll2.pcap "${td[@]}" any -y LINUX_SLL2
	capture "$ns_b" mixed.pcapng dumpcap -q -i b0 -i b2
	capture "$ns_a" loopback.pcap "${td[@]}" lo
	capture "$ns_a" tun-raw.pcap "${td[@]}" tun0
	# SIGINT is ignored in background jobs of a script: the sink takes TERM
	ip netns exec "$ns_b" python3 "$here/traffic.py" sink \
		>"$tmp/sink.out" 9>&- &
	sink=$!
	local ok=1
	if ! ready || ! wait_sink; then
		echo "generate.sh: captures did not start:" >&2
		ok=0
	elif ! ip netns exec "$ns_a" python3 "$here/traffic.py" send 9>&-; then
		ok=0
	fi
	sleep 0.3	# the last answers reach the captures
	kill -INT "${pids[@]}" 2>/dev/null
	kill -TERM "$sink" 2>/dev/null
	wait "${pids[@]}" "$sink" 2>/dev/null || true
	pids=() sink=
	((ok)) || grep -v 'listening on\|Capturing on\|^File:' "$tmp"/*.log >&2
	rm -f "$tmp"/*.log "$tmp/sink.out"
	((ok))
}

wait_sink() {
	local i
	for ((i = 0; i < 100; i++)); do
		grep -q ready "$tmp/sink.out" && return 0
		sleep 0.05
	done
	return 1
}

# packets FILE: how many packets FILE holds (as capinfos reads it)
packets() {
	capinfos -c -M -T "$1" 2>/dev/null | awk -F'\t' 'NR == 2 { print $2 + 0 }'
}

start=$SECONDS
reason=$(why_no_live)
if [[ -z $reason ]] && ! capture_live; then
	reason="live capture failed (see above)"
fi
for f in "${live_files[@]}"; do
	# a capture that holds no packet was not made
	n=0
	[[ -s $tmp/$f ]] && n=$(packets "$tmp/$f" || true)
	if ((${n:-0} > 0)); then
		continue
	fi
	rm -f "$tmp/$f"
	missing+=("$f")
done

chmod -R a+rX "$tmp"
rm -rf "$out"
mv "$tmp" "$out"
state=complete
if ((${#missing[@]})); then
	state=partial
	echo "generate.sh: could not make ${missing[*]}: ${reason:-no packets captured}" >&2
fi
echo "$(stamp_of_generator) $state" >"$out/.stamp"
echo "generate.sh: corpus in $out ($(find "$out" -name '*.pcap*' | wc -l) files, $((SECONDS - start)) s)"
