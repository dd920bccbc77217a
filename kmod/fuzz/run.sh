#!/usr/bin/env bash
# SPDX-License-Identifier: BSD-2-Clause
# Runs every libFuzzer target (build/fuzz/bin/*_fuzz, "make fuzz-build") for
# SECONDS each and prints one line per target: executions, rate, corpus,
# crashes, hangs. Exits non-zero when a target crashed, hung, tripped a
# sanitizer or ran fewer than MIN_EXECS (default 1) inputs.
#
#   fuzz/run.sh [SECONDS]          (make -C kmod fuzz FUZZ_SECONDS=600)
#
# Seeds: the captures of tests/testdata.sh (replay_fuzz), and rings the
# release pktring-replay makes of them, small enough to be inputs
# (ring_reader_fuzz). The corpus grows in build/fuzz/corpus/TARGET between
# runs; a crash or hang leaves its input in build/fuzz/artifacts/TARGET/.
set -uo pipefail
kmod=$(cd "$(dirname "$0")/.." && pwd)
repo=$(cd "$kmod/.." && pwd)
seconds=${1:-600}
min_execs=${MIN_EXECS:-1}
out=$kmod/build/fuzz
bin=$out/bin
mapfile -t dirs < <("$repo/tests/testdata.sh")

seed_pcaps() {	# DIR: every capture up to 64 KiB
	local d f
	mkdir -p "$1"
	for d in "${dirs[@]}"; do
		[[ -d $d ]] || continue
		find "$d" -type f \( -name '*.pcap' -o -name '*.pcapng' -o -name '*.cap' \) -size -64k |
			while read -r f; do cp "$f" "$1/$(echo "$f" | md5sum | cut -c1-16)"; done
	done
}

seed_rings() {	# DIR: rings of 4 to 64 KiB of data, lapped, of the corpus
	local tmp n=0 f size
	tmp=$(mktemp -d /dev/shm/pktring-fuzz-seed.XXXXXX)
	mkdir -p "$1"
	for f in "${dirs[0]}"/*.pcap; do
		# cut to 1500 bytes a packet, so that max_record fits a small ring
		editcap -F pcap -s 1500 "$f" "$tmp/in.pcap" 2>/dev/null || continue
		for size in 4k 16k 64k; do
			n=$((n + 1))
			"$kmod/bin/pktring-replay" -q -r "$tmp/r" -s $size --loop 3 "$tmp/in.pcap" 2>/dev/null &&
				cp "$tmp/r" "$1/ring-$n"
		done
	done
	rm -rf "$tmp"
}

status=0
printf '%-18s %8s %12s %9s %8s %8s %6s\n' target seconds executions exec/s corpus crashes hangs
for t in "$bin"/*_fuzz; do
	name=$(basename "$t")
	corpus=$out/corpus/$name seeds=$out/seeds/$name art=$out/artifacts/$name
	mkdir -p "$corpus" "$art"
	if [[ ! -d $seeds ]]; then
		case $name in
		ring_reader_fuzz) seed_rings "$seeds" ;;
		*) seed_pcaps "$seeds" ;;
		esac
	fi
	before=$(find "$art" -type f | wc -l)
	case $name in
	ring_reader_fuzz) max_len=$((4096 + 65536)) ;;
	*) max_len=65536 ;;
	esac
	"$t" -max_total_time="$seconds" -timeout=10 -rss_limit_mb=2048 -max_len=$max_len \
		-print_final_stats=1 -artifact_prefix="$art/" "$corpus" "$seeds" \
		>"$out/$name.log" 2>&1
	rc=$?
	execs=$(sed -n 's/^stat::number_of_executed_units: *//p' "$out/$name.log" | tail -1)
	rate=$(sed -n 's/^stat::average_exec_per_sec: *//p' "$out/$name.log" | tail -1)
	crashes=$(find "$art" -type f \( -name 'crash-*' -o -name 'leak-*' -o -name 'oom-*' \) | wc -l)
	hangs=$(find "$art" -type f -name 'timeout-*' | wc -l)
	new=$(($(find "$art" -type f | wc -l) - before))
	printf '%-18s %8s %12s %9s %8s %8s %6s\n' "$name" "$seconds" "${execs:-?}" "${rate:-?}" \
		"$(find "$corpus" -type f | wc -l)" "$crashes" "$hangs"
	if ((rc != 0 || new > 0 || ${execs:-0} < min_execs)) ||
		grep -qE 'ERROR: (AddressSanitizer|LeakSanitizer|libFuzzer)|runtime error:' "$out/$name.log"; then
		echo "  $name: FAILED (exit $rc, $new new artifacts in $art; log $out/$name.log):"
		grep -E 'ERROR|runtime error|SUMMARY|==[0-9]+==' "$out/$name.log" | head -10 | sed 's/^/    /'
		status=1
	fi
done
exit $status
