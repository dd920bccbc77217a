#!/usr/bin/env bash
# SPDX-License-Identifier: BSD-2-Clause
# What pktring-replay reads: standard input (-) and pipes such as <(...)
# round-trip like files, each input being opened once; an input that cannot
# be opened or read before its first packet leaves an existing ring exactly
# as it was (same bytes, same epoch), with an error naming the input.
set -uo pipefail
. "$(dirname "$0")/lib.sh"

need_corpus udp.pcap tcp.pcap tun-raw.pcap
a=$CORPUS/udp.pcap
ring=$WORK/r

# roundtrip NAME SOURCE-FILE REPLAY-ARGS...: replay, dump, compare with libpcap
roundtrip() {
	local name=$1 src=$2
	shift 2
	"$T/pktring-dump" -q -r "$ring" -w "$WORK/out.pcap" 2>"$WORK/dump.err"
	"$H/pcap_compare" "$src" "$WORK/out.pcap" >"$WORK/cmp.out"
	check "replay inputs: $name round-trips ($(tail -1 "$WORK/cmp.out"))" \
		eval '"$H/pcap_compare" "$src" "$WORK/out.pcap" >/dev/null && sanitizer_clean "$WORK"/*.err'
}

cat "$a" | "$T/pktring-replay" -q -r "$ring" - 2>"$WORK/stdin.err"
roundtrip "standard input (cat FILE | pktring-replay -r R -)" "$a"
"$T/pktring-replay" -q -r "$ring" <(cat "$CORPUS/tcp.pcap") 2>"$WORK/fifo.err"
roundtrip "a pipe (<(cat FILE))" "$CORPUS/tcp.pcap"
"$T/pktring-replay" -q -r "$ring" - <"$a" 2>"$WORK/redirect.err"
roundtrip "standard input from a file (- <FILE)" "$a"

# the reference ring every refusal below must leave alone
"$T/pktring-replay" -q -r "$ring" -s 1M "$a"
sum=$(md5sum <"$ring")
epoch=$("$T/pktring-stat" --json -r "$ring" | jq -r .epoch)
head -c 50 "$a" >"$WORK/first-packet-cut.pcap"	# header + 26 bytes of packet 1
mkdir -p "$WORK/dir"

# untouched NAME MESSAGE REPLAY-ARGS... [< INPUT via STDIN_FROM]: refused,
# exit 1, MESSAGE on stderr, the ring's bytes and epoch unchanged
untouched() {
	local name=$1 msg=$2 rc
	shift 2
	"$T/pktring-replay" -q -r "$ring" "$@" <"${STDIN_FROM:-/dev/null}" 2>"$WORK/refused.err"
	rc=$?
	check "replay inputs: $name: exit $rc, \"$(head -c 150 "$WORK/refused.err" | tr -d '\n')\", ring untouched" \
		eval '((rc == 1)) && grep -qF -- "$msg" "$WORK/refused.err" && sanitizer_clean "$WORK/refused.err" &&
			[[ $(md5sum <"$ring") == "$sum" ]] &&
			[[ $("$T/pktring-stat" --json -r "$ring" | jq -r .epoch) == "$epoch" ]]'
}
untouched "a missing file" "$WORK/none.pcap: No such file" "$WORK/none.pcap"
untouched "a directory" "$WORK/dir:" "$WORK/dir"
printf 'not a capture\n' >"$WORK/text"
STDIN_FROM=$WORK/text untouched "text on standard input" "-:" -
untouched "empty standard input" "-:" -
untouched "a file cut inside its first packet" "first-packet-cut.pcap: truncated" "$WORK/first-packet-cut.pcap"
untouched "a good file, then a missing one" "$WORK/none.pcap" "$a" "$WORK/none.pcap"
untouched "files of different link types" "link type" "$a" "$CORPUS/tun-raw.pcap"
# LINKTYPE 65000 (little-endian at offset 20): libpcap reads it, cannot write it
cp "$a" "$WORK/lt65000.pcap"
printf '\xe8\xfd' | dd of="$WORK/lt65000.pcap" bs=1 seek=20 conv=notrunc status=none
untouched "a link type libpcap cannot write (65000)" "cannot be written to a pcap file" "$WORK/lt65000.pcap"
STDIN_FROM=$a untouched "standard input named twice" "named twice" - -
untouched "--loop over a pipe" "--loop needs regular files" --loop 2 <(cat "$a")
untouched "--append of a missing file" "No such file" --append "$WORK/none.pcap"
