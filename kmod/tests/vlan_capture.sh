#!/usr/bin/env bash
# SPDX-License-Identifier: BSD-2-Clause
# VLAN tags as on the wire: 802.1Q (with priority, DEI, VLAN 0 and an
# all-zero TCI) and QinQ (802.1ad outside 802.1Q, and a 0x9100 outer TPID)
# frames arrive on a veth end in a namespace this test creates; the
# receiving kernel moves the outer tag into the skb's metadata. pktring-capd
# puts it back: its ring, dumped, is byte for byte (and to the nanosecond)
# tcpdump's capture of the same frames, also cut to a snap length, and a
# ring filtered with 'vlan 100' holds exactly tcpdump's 'vlan 100' capture.
set -uo pipefail
. "$(dirname "$0")/lib.sh"

if ((EUID != 0)); then
	fail "vlan capture: needs root (network namespaces)"
	exit 1
fi
tag=pkrv$$
nsA=$tag-a nsB=$tag-b
pids=""
cleanup() {
	[[ -n $pids ]] && kill $pids 2>/dev/null
	ip netns del "$nsA" 2>/dev/null
	ip netns del "$nsB" 2>/dev/null
	rm -rf "$WORK"
}
trap cleanup EXIT
B() { ip netns exec "$nsB" "$@"; }
bgB() { exec ip netns exec "$nsB" "$@"; }	# with &: $! is the command

ip netns add "$nsA" && ip netns add "$nsB" &&
	ip -n "$nsA" link add "${tag}a" type veth peer name "${tag}b" netns "$nsB" || {
	fail "vlan capture: cannot create namespaces and a veth pair"
	exit 1
}
for ns in "$nsA" "$nsB"; do
	# only the frames we send: no IPv6 chatter, no addresses
	echo 1 | ip netns exec "$ns" tee /proc/sys/net/ipv6/conf/default/disable_ipv6 >/dev/null
	echo 1 | ip netns exec "$ns" tee /proc/sys/net/ipv6/conf/all/disable_ipv6 >/dev/null
done
ip -n "$nsA" link set "${tag}a" up
ip -n "$nsB" link set "${tag}b" up

filter='vlan 100'
bgB "$T/pktring-capd" -i "${tag}b" -r "$WORK/all" -s 1M 2>"$WORK/capd-all.err" &
pids+=" $!"
bgB "$T/pktring-capd" -i "${tag}b" -r "$WORK/v100" -s 1M --filter "$filter" 2>"$WORK/capd-v100.err" &
pids+=" $!"
bgB "$T/pktring-capd" -i "${tag}b" -r "$WORK/cut" -s 1M --snaplen 60 2>"$WORK/capd-cut.err" &
pids+=" $!"
bgB tcpdump -Z root -U --immediate-mode --time-stamp-precision=nano -i "${tag}b" \
	-w "$WORK/tcpdump.pcap" 2>"$WORK/tcpdump.err" &
pids+=" $!"
# not --immediate-mode: libpcap then uses TPACKET_V2 frames sized so that
# the kernel cuts a 60-byte snap length to 58; tcpdump by default cuts at 60
bgB tcpdump -Z root -U --time-stamp-precision=nano -i "${tag}b" \
	-s 60 -w "$WORK/tcpdump-cut.pcap" 2>"$WORK/tcpdump-cut.err" &
pids+=" $!"
bgB tcpdump -Z root -U --immediate-mode --time-stamp-precision=nano -i "${tag}b" \
	-w "$WORK/tcpdump-v100.pcap" "$filter" 2>"$WORK/tcpdump-v100.err" &
pids+=" $!"
wait_for "$WORK/capd-all.err" capturing && wait_for "$WORK/capd-v100.err" capturing &&
	wait_for "$WORK/capd-cut.err" capturing && wait_for "$WORK/tcpdump.err" listening &&
	wait_for "$WORK/tcpdump-v100.err" listening && wait_for "$WORK/tcpdump-cut.err" listening || {
	fail "vlan capture: the captures did not start: $(cat "$WORK"/*.err)"
	exit 1
}
# 802.1Q and QinQ frames, both on the one veth
ip netns exec "$nsA" python3 "$REPO/tests/corpus/traffic.py" tagged "${tag}a" "${tag}a" || {
	fail "vlan capture: cannot send the tagged frames"
	exit 1
}
sleep 1.5	# tcpdump's TPACKET_V3 blocks are handed over within 1 s
kill -INT $pids
wait $pids 2>/dev/null
pids=""

for r in all v100 cut; do
	timeout -k 5 10 "$T/pktring-dump" -q -r "$WORK/$r" -w "$WORK/$r.pcap" 2>"$WORK/dump-$r.err"
done
n=$(pcap_count "$WORK/tcpdump.pcap")
tags=$(tshark -r "$WORK/tcpdump.pcap" -Y vlan -T fields -e frame.number 2>/dev/null | wc -l)
"$H/pcap_compare" "$WORK/tcpdump.pcap" "$WORK/all.pcap" >"$WORK/cmp.out"
check "vlan capture: capd's ring is tcpdump's capture, byte for byte and to the ns ($n frames, $tags tagged; $(tail -1 "$WORK/cmp.out"))" \
	eval '((n >= 12 && tags >= 12)) && "$H/pcap_compare" "$WORK/tcpdump.pcap" "$WORK/all.pcap" >/dev/null'
n100=$(pcap_count "$WORK/tcpdump-v100.pcap")
"$H/pcap_compare" "$WORK/tcpdump-v100.pcap" "$WORK/v100.pcap" >"$WORK/cmp.out"
check "vlan capture: a '$filter' ring holds tcpdump's '$filter' capture ($n100 frames: $(tail -1 "$WORK/cmp.out"))" \
	eval '((n100 > 0)) && "$H/pcap_compare" "$WORK/tcpdump-v100.pcap" "$WORK/v100.pcap" >/dev/null'
"$H/pcap_compare" "$WORK/tcpdump-cut.pcap" "$WORK/cut.pcap" >"$WORK/cmp.out"
check "vlan capture: cut at 60 bytes, the tag counted in, as tcpdump -s 60 cuts ($(tail -1 "$WORK/cmp.out"))" \
	eval '"$H/pcap_compare" "$WORK/tcpdump-cut.pcap" "$WORK/cut.pcap" >/dev/null'
qinq=$(tshark -r "$WORK/all.pcap" -Y 'eth.type == 0x88a8' -T fields -e frame.number 2>/dev/null | wc -l)
check "vlan capture: the ring's QinQ frames keep their 802.1ad outer TPID ($qinq)" \
	eval '((qinq >= 4))'
check "vlan capture: capd and dump sanitizer clean" \
	sanitizer_clean "$WORK"/capd-*.err "$WORK"/dump-*.err
