#!/usr/bin/env bash
# SPDX-License-Identifier: BSD-2-Clause
# Many readers, one copy: three pktring-dump processes read one ring at
# the same time while a replayer writes it; none is lapped and all three
# write identical pcaps holding every packet written. Also: dump to a
# pipe works (pktring-dump -w - | tcpdump -r -), -c N and --from latest
# stop where they should, and an idle reader sleeps and stops on SIGTERM.
set -uo pipefail
. "$(dirname "$0")/lib.sh"

need_corpus ipv6.pcap tcp.pcap
src=$CORPUS/ipv6.pcap	# ~50 packets, ~25 KB: ~5000 packets fit the ring
ring=$WORK/shared
n_src=$(pcap_count "$src")
loops=$(((5000 + n_src - 1) / n_src))
expect=$((n_src * loops))

# paced, so the readers follow a live writer (about 1 s)
"$T/pktring-replay" -r "$ring" -s 4M --rate 10000 -l $loops "$src" 2>"$WORK/replay.err" &
replay=$!
wait_file "$ring"
pids=""
for k in 1 2 3; do
	timeout -k 5 30 "$T/pktring-dump" -r "$ring" -w "$WORK/d$k.pcap" 2>"$WORK/d$k.err" &
	pids+=" $!"
done
wait $replay
rc=$?
for p in $pids; do wait "$p" || rc=1; done
check "many readers: replay and three dumpers exit 0 and are sanitizer clean" \
	eval '((rc == 0)) && sanitizer_clean "$WORK"/d?.err "$WORK/replay.err"'
check "many readers: the three pcaps are identical" \
	eval 'cmp -s "$WORK/d1.pcap" "$WORK/d2.pcap" && cmp -s "$WORK/d1.pcap" "$WORK/d3.pcap"'
n=$(pcap_count "$WORK/d1.pcap")
check "many readers: each holds all $expect packets written ($n), none lapped" \
	eval '((n == expect)) && grep -q "lost 0," "$WORK/d1.err" && grep -q "lost 0," "$WORK/d2.err" && grep -q "lost 0," "$WORK/d3.err"'
"$T/pktring-dump" -q -r "$ring" -c "$n_src" -w "$WORK/first.pcap" 2>"$WORK/c.err"
"$H/pcap_compare" "$src" "$WORK/first.pcap" >"$WORK/cmp.out"
check "many readers: -c $n_src gives exactly the first pass of the file" test $? = 0

# a pipe into tcpdump
n_pipe=$("$T/pktring-dump" -q -r "$ring" -w - 2>"$WORK/pipe.err" | tcpdump -r - -w - 2>/dev/null | capinfos -c -M -T - 2>/dev/null | awk -F'\t' 'NR == 2 { print $2 }')
check "many readers: pktring-dump -w - | tcpdump -r - reads $expect packets ($n_pipe)" \
	test "$n_pipe" = "$expect"

# --from latest on a live (held) ring: only what is written after it
"$T/pktring-replay" -q -r "$WORK/live" -s 1M --hold "$CORPUS/tcp.pcap" 2>/dev/null &
holder=$!
wait_file "$WORK/live"
sleep 0.2
"$T/pktring-dump" -r "$WORK/live" --from latest -w "$WORK/latest.pcap" 2>"$WORK/latest.err" &
dumper=$!
t0=$(date +%s%N)
sleep 1
# an idle reader sleeps on the futex instead of spinning
ticks=$(awk '{print $14 + $15}' /proc/$dumper/stat)
kill -TERM $dumper
wait $dumper
drc=$?
ms=$((($(date +%s%N) - t0) / 1000000))
n_latest=$(pcap_count "$WORK/latest.pcap")
check "many readers: --from latest on an idle live ring gives 0 packets ($n_latest), exits 0 on SIGTERM ($drc, stopped: signal)" \
	eval '((n_latest == 0 && drc == 0)) && grep -q "stopped: signal" "$WORK/latest.err"'
check "many readers: an idle reader used $ticks CPU ticks in 1 s (want < 10) and stopped within $((ms - 1000)) ms of SIGTERM (want < 300)" \
	eval '((ticks < 10 && ms < 1300))'
"$T/pktring-dump" -q -r "$WORK/live" --until-end -w "$WORK/ue.pcap" 2>/dev/null
"$H/pcap_compare" "$CORPUS/tcp.pcap" "$WORK/ue.pcap" >"$WORK/cmp.out"
check "many readers: --until-end on a live ring stops at the head, all packets" test $? = 0
kill -TERM $holder
wait $holder
state=$("$T/pktring-stat" --json -r "$WORK/live" | jq -r .state)
check "many readers: replay --hold ends the ring on SIGTERM ($state)" test "$state" = ended

# an idle reader wakes within a millisecond of a new packet (futex)
timeout -k 5 30 "$HA/wake_latency" "$WORK/latency" >"$WORK/latency.out" 2>"$WORK/latency.err"
rc=$?
check "many readers: $(cat "$WORK/latency.out") (want median < 1 ms, p90 < 2 ms)" \
	eval '((rc == 0)) && sanitizer_clean "$WORK/latency.err"'
