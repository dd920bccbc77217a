#!/usr/bin/env bash
# SPDX-License-Identifier: BSD-2-Clause
# Benchmark (make bench; not a test): replayer -> ring write rate and
# dumper read rate, in packets/s and bytes/s, for 64- and 1500-byte
# packets with 1 and 4 readers, printed next to a plain memcpy of the
# same bytes measured in the same run, as ratios. Release build.
#
#   memcpy: the same packets copied one by one into a buffer of the
#           ring's size (ring_bench memcpy)
#   write:  the replayer's own loop over a generated pcap (libpcap reading
#           included, ring creation not) while N pktring-dump readers
#           follow it live (-w /dev/null)
#   read:   N pktring-dump readers started at once over the full, ended
#           ring (each formats pcap to /dev/null); each reader's rate is
#           its packets over the wall time until all have finished
# Each figure is the best of $REPS runs: the machine may be shared, and
# the best run is the one least disturbed by others.
set -euo pipefail
cd "$(dirname "$0")/.."
B=bin
RB=build/release/bench/ring_bench
REPS=${REPS:-3}
W=$(mktemp -d /dev/shm/pktring-bench.XXXXXX)
trap 'rm -rf "$W"' EXIT
calc() { awk "BEGIN { printf \"%.6f\", $1 }"; }
max() { awk -v a="$1" -v b="$2" 'BEGIN { print (a > b ? a : b) }'; }
rate() { sed -n "s/.* \([0-9.]*\) pkts\/s, \([0-9.]*\) bytes\/s.*/\1/p" "$1"; }

# write_once READERS: packets/s of one replay with READERS live followers
write_once() {
	local k pids="" rp
	rm -f "$W/ring"
	"$B/pktring-replay" -r "$W/ring" -s "$ring" "$W/in.pcap" 2>"$W/replay.out" &
	rp=$!
	for ((k = 0; k < 500; k++)); do [[ -e $W/ring ]] && break; sleep 0.01; done
	for ((k = 0; k < $1; k++)); do
		"$B/pktring-dump" -r "$W/ring" -w /dev/null 2>"$W/follow$k.out" &
		pids+=" $!"
	done
	wait $rp
	for k in $pids; do wait "$k"; done
	rate "$W/replay.out"
}

# read_once READERS: packets/s of each of READERS dumpers over the ring
read_once() {
	local k pids="" t0
	t0=$(date +%s%N)
	for ((k = 0; k < $1; k++)); do
		"$B/pktring-dump" -r "$W/ring" -w /dev/null 2>"$W/read$k.out" &
		pids+=" $!"
	done
	for k in $pids; do wait "$k"; done
	for ((k = 0; k < $1; k++)); do
		grep -q "lost 0," "$W/read$k.out" || echo "note: reader $k lost packets: $(cat "$W/read$k.out")" >&2
	done
	calc "$count / (($(date +%s%N) - $t0) / 1000000000)"
}

row() {	# row SIZE READERS WHAT PPS [NOTE]
	printf '%-6s %-7s %-6s %14.0f %14.0f %9.2f %s\n' "$1" "$2" "$3" "$4" \
		"$(calc "$4 * $1")" "$(calc "$4 / $m_pps")" "${5:-}"
}

echo "best of $REPS runs each; $(nproc) CPUs; load average $(cut -d' ' -f1 /proc/loadavg) at start"
printf '%-6s %-7s %-6s %14s %14s %9s\n' size readers what pkts/s bytes/s vs-memcpy
for size in 64 1500; do
	if ((size == 64)); then count=2000000 ring=256M; else count=300000 ring=512M; fi
	"$RB" gen "$W/in.pcap" $size $count
	m_pps=0
	for ((rep = 0; rep < REPS; rep++)); do
		"$RB" memcpy $size $count $(($(numfmt --from=iec $ring))) >"$W/memcpy.out"
		m_pps=$(max "$m_pps" "$(rate "$W/memcpy.out")")
	done
	row $size - memcpy "$m_pps"
	for readers in 1 4; do
		w_pps=0 r_pps=0
		for ((rep = 0; rep < REPS; rep++)); do
			w_pps=$(max "$w_pps" "$(write_once $readers)")
			r_pps=$(max "$r_pps" "$(read_once $readers)")
		done
		row $size $readers write "$w_pps"
		row $size $readers read "$r_pps" "(each reader; all $readers together: $(calc "$r_pps * $readers" | cut -d. -f1) pkts/s)"
	done
done
