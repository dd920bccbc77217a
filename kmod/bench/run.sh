#!/usr/bin/env bash
# SPDX-License-Identifier: BSD-2-Clause
# Benchmark (make bench; not a test): replayer -> ring write rate and
# dumper read rate, in packets/s and bytes/s, for 64- and 1500-byte
# packets with 1 and 4 readers, printed next to a plain memcpy of the
# same bytes measured in the same run, as ratios. Release build.
#
#   write: pktring-replay of a generated pcap into a fresh ring while N
#          pktring-dump readers follow it live (-w /dev/null)
#   read:  N pktring-dump readers started at once over the full, ended
#          ring (each formats pcap to /dev/null); each reader's rate is
#          its packets over the wall time until all have finished
#   write is the replayer's own loop (reading the pcap with libpcap
#   included); creating the ring (allocating its pages) is not.
set -euo pipefail
cd "$(dirname "$0")/.."
B=bin
RB=build/release/bench/ring_bench
W=$(mktemp -d /dev/shm/pktring-bench.XXXXXX)
trap 'rm -rf "$W"' EXIT
calc() { awk "BEGIN { printf \"%.6f\", $1 }"; }
num() { sed -n "s/.* \([0-9.]*\) pkts\/s, \([0-9.]*\) bytes\/s.*/\1 \2/p" "$1"; }

printf '%-6s %-7s %-6s %14s %14s %9s\n' size readers what pkts/s bytes/s vs-memcpy
for size in 64 1500; do
	if ((size == 64)); then count=2000000 ring=256M ringb=$((256 << 20)); else count=300000 ring=512M ringb=$((512 << 20)); fi
	"$RB" gen "$W/in.pcap" $size $count
	"$RB" memcpy $size $count $ringb >"$W/memcpy.out"
	read -r m_pps m_bps < <(sed -n 's/.* \([0-9.]*\) pkts\/s, \([0-9.]*\) bytes\/s/\1 \2/p' "$W/memcpy.out")
	printf '%-6s %-7s %-6s %14.0f %14.0f %9s\n' $size - memcpy "$m_pps" "$m_bps" 1.00
	for readers in 1 4; do
		rm -f "$W/ring"
		"$B/pktring-replay" -r "$W/ring" -s $ring "$W/in.pcap" 2>"$W/replay.out" &
		rp=$!
		for ((i = 0; i < 500; i++)); do [[ -e $W/ring ]] && break; sleep 0.01; done
		pids=""
		for ((k = 0; k < readers; k++)); do
			"$B/pktring-dump" -r "$W/ring" -w /dev/null 2>"$W/follow$k.out" &
			pids+=" $!"
		done
		wait $rp
		for p in $pids; do wait "$p"; done
		read -r w_pps w_bps < <(num "$W/replay.out")
		printf '%-6s %-7s %-6s %14.0f %14.0f %9.2f\n' $size $readers write "$w_pps" "$w_bps" \
			"$(calc "$w_bps / $m_bps")"
		# all readers at once; the rate is the total over the wall time
		pids=""
		t0=$(date +%s%N)
		for ((k = 0; k < readers; k++)); do
			"$B/pktring-dump" -r "$W/ring" -w /dev/null 2>"$W/read$k.out" &
			pids+=" $!"
		done
		for p in $pids; do wait "$p"; done
		secs=$(calc "($(date +%s%N) - $t0) / 1000000000")
		for ((k = 0; k < readers; k++)); do
			grep -q "lost 0," "$W/read$k.out" || echo "note: reader $k lost packets: $(cat "$W/read$k.out")"
		done
		r_pps=$(calc "$count / $secs")
		r_bps=$(calc "$count * $size / $secs")
		printf '%-6s %-7s %-6s %14.0f %14.0f %9.2f   (each reader; all %d together: %.0f pkts/s)\n' $size $readers read "$r_pps" "$r_bps" \
			"$(calc "$r_bps / $m_bps")" $readers "$(calc "$r_pps * $readers")"
	done
done
echo "(memcpy: the same packets copied one by one into a buffer of the ring's size; $(nproc) CPUs)"
