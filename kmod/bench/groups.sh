#!/usr/bin/env bash
# SPDX-License-Identifier: BSD-2-Clause
# Ring-group benchmark (not a test): does a ring group scale with the cores?
#
#  1. user-space group writers (bench/group_writers.c): 1 and 2 writer
#     threads, thread i pinned to CPU i and the only writer of member i, as
#     pktring-capd --rings writes; 64-byte packets flat out for $SECONDS s;
#     total packets/s, the ratio 2 writers / 1 writer, and each writer's
#     packets per CPU-second and share of a CPU (what the machine gave it).
#  2. the connector (connector/bench/run.sh GroupBenchmark; needs the
#     registry of scripts/stack.sh, which run.sh starts): packets/s with 1
#     task (member 0 of a 2-member group) and 2 tasks (the whole group, a task
#     per member) against one in-JVM broker, and the ratio. The broker, worker
#     and tasks share the machine's cores. Skipped with GROUPS_BENCH_CONNECTOR=0.
#
# Each figure is the best of $REPS runs (the machine may be shared).
#   kmod/bench/groups.sh           REPS=3 SECONDS=3 RING_SIZE=16M
set -euo pipefail
cd "$(dirname "$0")/.."
make -s tools
GW=build/release/bench/group_writers
REPS=${REPS:-3}
SECS=${SECONDS_PER_RUN:-3}
export RING_SIZE=${RING_SIZE:-16M}
G=$(mktemp -d /dev/shm/pktring-groups-bench.XXXXXX)
trap 'rm -rf "$G"' EXIT

# best N: "pkts/s per-cpu-s cpu-share%" of the best of $REPS runs
best() {
	local r line best_line="" best_rate=0
	for ((r = 0; r < REPS; r++)); do
		line=$("$GW" rate "$G/g" "$1" 64 "$SECS" |
			sed -n 's/^summary pkts_per_s=\([0-9]*\) per_cpu_s=\([0-9]*\) cpu_share=\([0-9]*\)/\1 \2 \3/p')
		if ((${line%% *} > best_rate)); then
			best_rate=${line%% *}
			best_line=$line
		fi
	done
	echo "$best_line"
}
echo "user-space group writers, 64-byte packets, $RING_SIZE per member, best of $REPS x $SECS s; load average $(cut -d' ' -f1-3 /proc/loadavg) on $(nproc) CPUs"
read -r r1 p1 c1 <<<"$(best 1)"
read -r r2 p2 c2 <<<"$(best 2)"
printf '%-9s %14s %20s %18s\n' writers "packets/s" "per CPU-second each" "CPU share each"
printf '%-9s %14.0f %20.0f %17s%%\n' 1 "$r1" "$p1" "$c1"
printf '%-9s %14.0f %20.0f %17s%%\n' 2 "$r2" "$p2" "$c2"
awk -v a="$r1" -v b="$r2" -v p1="$p1" -v p2="$p2" 'BEGIN {
	printf "ratio 2/1: %.2fx packets/s (goal >= 1.8x); per CPU-second each writer keeps %.0f%% of the single writer'"'"'s rate\n", b / a, 100 * p2 / p1 }'
echo "(the writers share nothing: a ratio below 2x with a CPU share below 100% is the machine's other load, not the ring)"

if [[ ${GROUPS_BENCH_CONNECTOR:-1} != 0 ]]; then
	echo
	../connector/bench/run.sh GroupBenchmark
fi
