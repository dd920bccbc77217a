#!/usr/bin/env bash
# SPDX-License-Identifier: BSD-2-Clause
# A ring group written by pktring-capd --rings 2 (PACKET_FANOUT_HASH, a
# thread per member) on one end of a veth pair, in network namespaces this
# test creates and removes; 32 two-way UDP flows from the other end. Every
# packet is in exactly one member and the group equals tcpdump's capture of
# the same traffic; both directions of each flow are in the same member;
# the members carry one group identity; the group read merged by time and
# one member alone; stale members of a larger group are removed; a single
# ring and a group do not replace each other.
set -uo pipefail
. "$(dirname "$0")/lib.sh"

if ((EUID != 0)); then
	fail "group capture: needs root (network namespaces)"
	exit 1
fi
tag=pkgr$$
flows=32 per_flow=20
veth_pair "$tag" 10.232.$((RANDOM % 250)) || {
	fail "group capture: cannot create namespaces and a veth pair"
	exit 1
}

G=$WORK/grp
# one capture of the traffic by the group and by tcpdump; 1 when tcpdump,
# the reference, dropped packets (a loaded machine): the round is redone
capture_round() {
	rm -rf "$G" "$WORK"/*.pcap
	bgA "$T/pktring-capd" -i "${tag}a" -r "$G" --rings 2 -s 4M 2>"$WORK/capd.err" &
	pids="$!"
	bgA tcpdump -Z root -U --immediate-mode -B 65536 -i "${tag}a" -w "$WORK/tcpdump.pcap" 2>"$WORK/tcpdump.err" &
	pids+=" $!"
	bgA "$H/udp_echo" server "$ipA" 7007 3 >"$WORK/server.out" &
	pids+=" $!"
	wait_for "$WORK/capd.err" capturing && wait_for "$WORK/tcpdump.err" listening &&
		wait_for "$WORK/server.out" listening || {
		fail "group capture: capture did not start: $(cat "$WORK"/*.err)"
		exit 1
	}
	# a reader of the whole group, following it live
	"$T/pktring-dump" -r "$G" -w "$WORK/follow.pcap" 2>"$WORK/dump-follow.err" &
	follower=$!

	B "$H/udp_echo" client "$ipA" 7007 $flows $per_flow >"$WORK/client.out"
	crc=$?
	sleep 1
	kill -TERM $pids
	for p in $pids; do wait "$p"; done 2>/dev/null
	pids=""
	wait $follower
	td_drops=$(sed -n 's/^\([0-9]*\) packets dropped by kernel/\1/p' "$WORK/tcpdump.err")
	[[ $td_drops == 0 ]]
}
for round in 1 2 3; do
	capture_round && break
	echo "group capture: tcpdump dropped ${td_drops:-?} packets in round $round; again"
done

check "group capture: $flows flows x $per_flow datagrams, all echoed ($(cat "$WORK/client.out"))" test $crc = 0

# identity: one group epoch, member i of 2, by flow
ident=$(for i in 0 1; do
	"$T/pktring-stat" --json -r "$G/$i" |
		jq -r '"\(.group_epoch) \(.ring_index) \(.ring_count) \(.flags) \(.state)"'
done)
read -r ge0 ri0 rc0 fl0 st0 ge1 ri1 rc1 fl1 st1 <<<"$(echo $ident)"
check "group capture: members 0 and 1 of 2, one group epoch, by flow, ended ($(echo $ident))" \
	eval '[[ $ge0 == "$ge1" && $ge0 != 0x0000000000000000 && $ri0 == 0 && $ri1 == 1 &&
		$rc0 == 2 && $rc1 == 2 && $((fl0 & 0x20)) != 0 && $st0 == ended && $st1 == ended ]]'

# every packet exactly once across the group, = tcpdump
for i in 0 1; do
	"$T/pktring-dump" -r "$G" --member $i -w "$WORK/m$i.pcap" 2>>"$WORK/dump.err"
done
"$T/pktring-dump" -r "$G" -w "$WORK/group.pcap" 2>>"$WORK/dump.err"
n_td=$(pcap_count "$WORK/tcpdump.pcap")
n0=$(pcap_count "$WORK/m0.pcap") n1=$(pcap_count "$WORK/m1.pcap")
mergecap -F nsecpcap -w "$WORK/both.pcap" "$WORK/m0.pcap" "$WORK/m1.pcap"
"$H/pcap_compare" --no-ts --unordered "$WORK/tcpdump.pcap" "$WORK/both.pcap" >"$WORK/cmp.out"
check "group capture: the members hold tcpdump's packets, each once ($n_td = $n0 + $n1; tcpdump dropped ${td_drops:-?})" \
	eval '(($? == 0 && n_td >= 2 * flows * per_flow && n0 > 0 && n1 > 0))'
"$H/pcap_compare" "$WORK/both.pcap" "$WORK/group.pcap" >"$WORK/cmp-merged.out"
check "group capture: the group read whole = the members merged by time (mergecap), in order" \
	test $? = 0
"$H/pcap_compare" "$WORK/group.pcap" "$WORK/follow.pcap" >"$WORK/cmp-follow.out"
check "group capture: a reader following the live group got the same, none lost" \
	eval '(($? == 0)) && grep -q "lost 0," "$WORK/dump-follow.err"'
caps=$(for i in 0 1; do "$T/pktring-stat" --json -r "$G/$i" |
	jq -r '"\(.counters.captured) \(.counters.drop_source)"'; done | tr '\n' ' ')
read -r c0 d0 c1 d1 <<<"$caps"
check "group capture: member counters captured $c0 + $c1 = tcpdump, dropped $d0 + $d1 = 0" \
	eval '(($c0 == n0 && $c1 == n1 && d0 == 0 && d1 == 0))'

# both directions of each flow in one member: a flow is its two endpoints
flows_of() {	# PCAP -> "FLOW DIRECTION" per datagram
	tshark -r "$1" -Y udp -T fields -e ip.src -e udp.srcport -e ip.dst -e udp.dstport 2>/dev/null |
		awk '{ a = $1 ":" $2; b = $3 ":" $4
		       print (a < b ? a "-" b : b "-" a), ($3 ~ /\.1$/ ? "in" : "out") }'
}
for i in 0 1; do flows_of "$WORK/m$i.pcap" | sort | uniq -c >"$WORK/flows$i.txt"; done
split=$(comm -12 <(awk '{print $2}' "$WORK/flows0.txt" | sort -u) \
	<(awk '{print $2}' "$WORK/flows1.txt" | sort -u) | wc -l)
f0=$(awk '{print $2}' "$WORK/flows0.txt" | sort -u | wc -l)
f1=$(awk '{print $2}' "$WORK/flows1.txt" | sort -u | wc -l)
whole=$(cat "$WORK/flows0.txt" "$WORK/flows1.txt" | awk '$1 == '$per_flow | wc -l)
check "group capture: each of the $flows flows in one member ($f0 + $f1, $split split), both directions whole there ($whole of $((2 * flows)) flow directions with $per_flow datagrams)" \
	eval '((split == 0 && f0 + f1 == flows && f0 > 0 && f1 > 0 && whole == 2 * flows))'

# a smaller group at the same place removes the stale member; the reader
# sees one member; a single ring and a group do not replace each other
bgA "$T/pktring-capd" -i "${tag}a" -r "$G" --rings 1 -s 1M 2>"$WORK/capd1.err" &
pid=$!
pids=$pid
wait_for "$WORK/capd1.err" capturing
kill -TERM $pid
wait $pid
pids=""
"$T/pktring-dump" -r "$G" -w /dev/null 2>"$WORK/dump1.err"
check "group capture: --rings 1 over a group of 2 leaves one member ($(ls "$G" | tr '\n' ' '))" \
	eval '[[ $(ls "$G") == 0 ]] && ! grep -q "members" "$WORK/dump1.err"'
A "$T/pktring-capd" -i "${tag}a" -r "$G" -s 1M 2>"$WORK/capd-single.err"
rc1=$?
"$T/pktring-replay" -r "$WORK/single" "$CORPUS/$(ls "$CORPUS" | grep -m1 '\.pcap$')" >/dev/null 2>&1
A "$T/pktring-capd" -i "${tag}a" -r "$WORK/single" --rings 2 -s 1M 2>"$WORK/capd-over.err"
rc2=$?
check "group capture: a single ring over a group and a group over a single ring are refused ($rc1 $rc2)" \
	eval '((rc1 == 1 && rc2 == 1)) && grep -q "is a single ring, not a group" "$WORK/capd-over.err" &&
		[[ -f $WORK/single && -d $G ]]'
"$T/pktring-dump" -r "$G" --member 3 -w /dev/null 2>"$WORK/dump-bad.err"
rc3=$?
"$T/pktring-dump" -r "$WORK/single" --member 0 -w /dev/null 2>>"$WORK/dump-bad.err"
rc4=$?
check "group capture: --member out of range or of a plain ring is a usage error ($rc3 $rc4)" \
	eval '((rc3 == 2 && rc4 == 2)) && grep -q "no member 3" "$WORK/dump-bad.err" &&
		grep -q "not a group" "$WORK/dump-bad.err"'
check "group capture: every tool run above was sanitizer clean" sanitizer_clean "$WORK"/*.err
