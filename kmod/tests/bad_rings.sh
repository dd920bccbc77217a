#!/usr/bin/env bash
# SPDX-License-Identifier: BSD-2-Clause
# Bad input: rings that are too short, have a wrong magic or ABI version,
# a size that is not a power of two, a head beyond the data, or records
# whose lengths point outside the ring. Every reader tool gives a clear
# error naming the ring and the reason, exits 1, and neither crashes,
# hangs nor trips ASan/UBSan.
set -uo pipefail
. "$(dirname "$0")/lib.sh"

# poke FILE OFFSET VALUE BYTES: write VALUE little-endian over the file
poke() {
	local s="" i
	for ((i = 0; i < $4; i++)); do s+=$(printf '\\x%02x' $((($3 >> (8 * i)) & 255))); done
	printf "$s" | dd of="$1" bs=1 seek="$2" conv=notrunc status=none
}

need_corpus vlan.pcap
src=$CORPUS/vlan.pcap	# a few small packets: head stays below 8192
good=$WORK/good
"$T/pktring-replay" -q -r "$good" -s 1M "$src" || {
	fail "bad rings: cannot make the good ring"
	exit 1
}
D=4096		# data offset
HDR_HEAD=128 HDR_RECLAIM=136
head=$(od -An -tu8 -j $HDR_HEAD -N 8 "$good" | tr -d ' ')
((head < 8192)) || fail "bad rings: the good ring's head $head must stay below 8192 for the cases below"

# expect_error NAME "MESSAGE" TOOL...: the tools fail cleanly on $ring
expect_error() {
	local name=$1 msg=$2 tool rc
	shift 2
	for tool in "$@"; do
		timeout -k 5 10 "$T/$tool" -r "$ring" >/dev/null 2>"$WORK/err" </dev/null
		rc=$?
		if ((rc == 1)) && grep -qF -- "$msg" "$WORK/err" && grep -qF -- "$ring" "$WORK/err" &&
			sanitizer_clean "$WORK/err"; then
			pass "bad ring: $name: $tool says \"$(head -c 160 "$WORK/err" | tr -d '\n')\""
		else
			fail "bad ring: $name: $tool exit $rc (want 1 with \"$msg\"): $(head -c 400 "$WORK/err")"
		fi
	done
}
fresh() { ring=$WORK/$1; cp "$good" "$ring"; }

# The table (bad_rings.tsv): one edit of the good ring per line.
while IFS=$'\t' read -r name edit at msg; do
	[[ -z $name || $name == \#* ]] && continue
	fresh "$name"
	read -r op a b c <<<"$edit"
	case $op in
	truncate) truncate -s "$a" "$ring" ;;
	poke) poke "$ring" "$a" $((b)) "$c" ;;
	*) fail "bad rings: $name: unknown edit '$edit'"; continue ;;
	esac
	if [[ $at == open ]]; then
		expect_error "$name ($edit)" "$msg" pktring-dump pktring-stat
	else	# only readers of records can notice
		expect_error "$name ($edit)" "$msg" pktring-dump
	fi
done <"$(dirname "$0")/bad_rings.tsv"
first_len=$(od -An -tu4 -j $D -N 4 "$good" | tr -d ' ')
fresh rec-seq; poke "$ring" $((D + first_len + 8)) 0 8	# 2nd record: seq 1 -> 0
expect_error "sequence going backwards" "sequence went backwards" pktring-dump

ring=$WORK/does-not-exist
expect_error "missing ring" "No such file" pktring-dump pktring-stat
ring=$WORK/dir; mkdir -p "$ring"
expect_error "a directory" "neither a ring file" pktring-dump pktring-stat

# the good ring still reads, so the errors above are the corruption's
"$T/pktring-dump" -r "$good" -w "$WORK/good.pcap" 2>"$WORK/err"
"$H/pcap_compare" "$src" "$WORK/good.pcap" >"$WORK/cmp.out"
check "bad rings: the untouched ring reads fine" test $? = 0

# a snaplen field below its records' lengths: the dump's pcap header must
# still bound them, or readers of the file cut every packet to it
fresh snaplen; poke "$ring" 52 10 4
"$T/pktring-dump" -q -r "$ring" -w "$WORK/snaplen.pcap" 2>"$WORK/err"
"$H/pcap_compare" "$src" "$WORK/snaplen.pcap" >"$WORK/cmp.out"
crc=$?
check "bad rings: snaplen field 10 below the records: the dump's header says $(od -An -tu4 -j 16 -N 4 "$WORK/snaplen.pcap" | tr -d ' '), every byte reads back ($(tail -1 "$WORK/cmp.out"))" \
	eval '((crc == 0)) && sanitizer_clean "$WORK/err"'
