#!/usr/bin/env bash
# SPDX-License-Identifier: BSD-2-Clause
# Live capture: pktring-capd on one end of a veth pair, in a network
# namespace this test creates and removes, captures traffic generated on
# the other end. Its packets (count, bytes, lengths) equal what tcpdump
# captures of the same traffic at the same time; a filtered capture holds
# exactly the UDP datagrams sent; when the interface
# disappears, capd says so, exits non-zero and leaves an ended ring.
set -uo pipefail
. "$(dirname "$0")/lib.sh"

if ((EUID != 0)); then
	fail "live capture: needs root (network namespaces)"
	exit 1
fi
tag=pkrt$$
sent=40
veth_pair "$tag" 10.231.$((RANDOM % 250)) || {
	fail "live capture: cannot create namespaces and a veth pair"
	exit 1
}

filter='udp and dst port 9'
bgA "$T/pktring-capd" -i "${tag}a" -r "$WORK/all" -s 4M 2>"$WORK/capd-all.err" &
pids="$!"
bgA "$T/pktring-capd" -i "${tag}a" -r "$WORK/udp" -s 4M --filter "$filter" 2>"$WORK/capd-udp.err" &
pids+=" $!"
bgA tcpdump -Z root -U --immediate-mode -i "${tag}a" -w "$WORK/tcpdump.pcap" 2>"$WORK/tcpdump.err" &
pids+=" $!"
for d in in out; do
	bgA tcpdump -Z root -U --immediate-mode -Q $d -i "${tag}a" -w "$WORK/tcpdump-$d.pcap" 2>"$WORK/tcpdump-$d.err" &
	pids+=" $!"
done
wait_for "$WORK/capd-all.err" capturing && wait_for "$WORK/capd-udp.err" capturing &&
	wait_for "$WORK/tcpdump.err" listening && wait_for "$WORK/tcpdump-in.err" listening &&
	wait_for "$WORK/tcpdump-out.err" listening || {
	fail "live capture: capture did not start: $(cat "$WORK"/*.err)"
	exit 1
}

# a reader attached during the capture (the writer never waits for it)
"$T/pktring-dump" -r "$WORK/all" -w "$WORK/follow.pcap" 2>"$WORK/dump-follow.err" &
follower=$!

# the traffic, generated on the other end: UDP datagrams of many sizes
# (a closed port: A answers some with ICMP, which both captures see too)
B "$H/udp_sender" "$ipA" 9 "$sent" 1 1400
sleep 1
kill -TERM $pids
for p in $pids; do wait "$p"; done 2>/dev/null
pids=""

timeout -k 5 10 "$T/pktring-dump" -r "$WORK/all" -w "$WORK/all.pcap" 2>"$WORK/dump-all.err"
wait $follower
check "live capture: a reader following the live ring got the same packets, none lost" \
	eval 'cmp -s "$WORK/follow.pcap" "$WORK/all.pcap" && grep -q "lost 0," "$WORK/dump-follow.err"'
timeout -k 5 10 "$T/pktring-dump" -r "$WORK/udp" -w "$WORK/udp.pcap" 2>"$WORK/dump-udp.err"
check "live capture: capd and dump clean (no sanitizer report)" \
	sanitizer_clean "$WORK"/capd-*.err "$WORK"/dump-*.err

n_td=$(pcap_count "$WORK/tcpdump.pcap")
n_all=$(pcap_count "$WORK/all.pcap")
echo "live capture: tcpdump $n_td packets, pktring-capd $n_all"
"$H/pcap_compare" --no-ts --unordered "$WORK/tcpdump.pcap" "$WORK/all.pcap" >"$WORK/cmp.out"
check "live capture: pktring-capd's packets (count, bytes, lengths) equal tcpdump's ($n_td, $(tail -1 "$WORK/cmp.out"))" \
	test $? = 0 -a "$n_td" -ge "$sent"

n_udp=$(pcap_count "$WORK/udp.pcap")
n_td_udp=$(tcpdump -r "$WORK/tcpdump.pcap" -w "$WORK/td-udp.pcap" "$filter" 2>/dev/null; pcap_count "$WORK/td-udp.pcap")
check "live capture: filtered ring ('$filter') holds the $sent datagrams sent ($n_udp, tcpdump's filter: $n_td_udp)" \
	test "$n_udp" = "$sent" -a "$n_td_udp" = "$n_udp"

# direction: what the ring marks out / in is what tcpdump -Q out / in sees
for d in in out; do
	"$T/pktring-dump" -q -r "$WORK/all" -Q $d -w "$WORK/all-$d.pcap" 2>>"$WORK/dump-all.err"
	"$H/pcap_compare" --no-ts --unordered "$WORK/tcpdump-$d.pcap" "$WORK/all-$d.pcap" >"$WORK/cmp-$d.out"
	rc=$?
	n=$(pcap_count "$WORK/all-$d.pcap")
	check "live capture: packets marked '$d' in the ring ($n) equal tcpdump -Q $d's" \
		eval '((rc == 0 && n > 0))'
done

dirs=$("$T/pktring-stat" --json -r "$WORK/all" | jq -r '"\(.counters.captured) \(.counters.drop_source) \(.state)"')
check "live capture: ring counters say $n_all captured, 0 dropped, ended ($dirs)" \
	test "$dirs" = "$n_all 0 ended"

# the interface disappears under a running capd
bgA "$T/pktring-capd" -i "${tag}a" -r "$WORK/gone" -s 1M 2>"$WORK/capd-gone.err" &
pid=$!
pids="$pid"
wait_for "$WORK/capd-gone.err" capturing
A ip link del "${tag}a"
for ((i = 0; i < 50; i++)); do kill -0 "$pid" 2>/dev/null || break; sleep 0.1; done
wait "$pid"
rc=$?
pids=""
state=$("$T/pktring-stat" --json -r "$WORK/gone" | jq -r .state)
check "live capture: interface removed -> capd exits non-zero naming it, ring ended (rc $rc, $state)" \
	eval '((rc != 0 && rc < 98)) && grep -q "${tag}a disappeared" "$WORK/capd-gone.err" && [[ $state == ended ]]'

# a raw-IP device (tun): the ring holds the LINKTYPE tcpdump writes in its
# file header (LINKTYPE_RAW), not libpcap's DLT_RAW, and so does its dump
A ip tuntap add dev "${tag}t" mode tun && A ip link set "${tag}t" up
bgA "$T/pktring-capd" -i "${tag}t" -r "$WORK/tun" -s 1M 2>"$WORK/capd-tun.err" &
pid=$!
pids="$pid"
wait_for "$WORK/capd-tun.err" capturing
A timeout -s INT 2 tcpdump -Z root -c 1 -i "${tag}t" -w "$WORK/tcpdump-tun.pcap" 2>/dev/null
kill -TERM "$pid"
wait "$pid"
pids=""
lt_ring=$("$T/pktring-stat" --json -r "$WORK/tun" | jq .linktype)
lt_dump=$("$T/pktring-dump" -q -r "$WORK/tun" -w - | od -An -tu4 -j 20 -N 4 | tr -d ' ')
lt_td=$(od -An -tu4 -j 20 -N 4 "$WORK/tcpdump-tun.pcap" | tr -d ' ')
check "live capture: on a tun device the ring's link type ($lt_ring) and its dump's ($lt_dump) are tcpdump's ($lt_td)" \
	eval '[[ -n $lt_td && $lt_ring == "$lt_td" && $lt_dump == "$lt_td" ]]'

# bad input to capd: clear errors, no ring left half made
A "$T/pktring-capd" -i lo -r "$WORK/bad" --filter 'udp and (' 2>"$WORK/capd-bad1.err"
rc1=$?
A "$T/pktring-capd" -i "${tag}nonexistent" -r "$WORK/bad" 2>"$WORK/capd-bad2.err"
rc2=$?
A "$T/pktring-capd" -i lo -r "$WORK/bad" --size 3M 2>"$WORK/capd-bad3.err"
rc3=$?
check "live capture: capd refuses a bad filter, a missing interface, a bad size ($rc1 $rc2 $rc3)" \
	eval '((rc1 == 1 && rc2 == 1 && rc3 == 1)) && grep -q "filter .udp and (.: " "$WORK/capd-bad1.err" &&
		grep -q "${tag}nonexistent: No such device" "$WORK/capd-bad2.err" &&
		grep -q "not a power of two" "$WORK/capd-bad3.err" && [[ ! -e $WORK/bad ]]'
check "live capture: every tool run above was sanitizer clean" sanitizer_clean "$WORK"/*.err
