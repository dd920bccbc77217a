#!/usr/bin/env bash
# SPDX-License-Identifier: BSD-2-Clause
# Timestamps exact for every value a classic pcap can hold: each capture
# of the corpus, replayed and dumped, gives per packet the time the file's
# own bytes hold (pcap_times: unsigned 32-bit seconds and fraction, the
# fraction in the magic's unit and possibly a second or more), not what
# libpcap's signed fields make of it. The edge files hold fractions from 0
# to 2^32 - 1 in microsecond and nanosecond files.
set -uo pipefail
. "$(dirname "$0")/lib.sh"

need_corpus edge-frac-high-us.pcap edge-frac-high-ns.pcap
ring=$WORK/r
n=0 edges=0
for f in "$CORPUS"/*.pcap; do
	"$H/pcap_times" "$f" >"$WORK/want" || continue	# not a classic pcap
	"$T/pktring-replay" -q -r "$ring" -s 4M "$f" 2>"$WORK/replay.err" &&
		"$T/pktring-dump" -q -r "$ring" -w "$WORK/out.pcap" 2>"$WORK/dump.err" &&
		"$H/pcap_times" "$WORK/out.pcap" >"$WORK/got"
	if cmp -s "$WORK/want" "$WORK/got" && sanitizer_clean "$WORK"/*.err; then
		echo pass >>"$RESULTS"
		n=$((n + 1))
		[[ $f == */edge-frac-high-* ]] && edges=$((edges + 1))
	else
		fail "timestamps: $(basename "$f"): $(diff "$WORK/want" "$WORK/got" | head -4 | tr '\n' ' ')$(head -c 200 "$WORK/replay.err")"
	fi
done
check "timestamps: $n classic pcap captures give the times their bytes hold, the two with fractions up to 2^32 - 1 among them" \
	test "$edges" = 2
