#!/usr/bin/env bash
# SPDX-License-Identifier: BSD-2-Clause
# The ring protocol where a writer and a reader race: interleavings played
# out exactly (protocol_races), a control page changed under a reader
# opening it (open_race) and under a writer appending (replay --append),
# and the epochs new rings get.
set -uo pipefail
. "$(dirname "$0")/lib.sh"

need_corpus vlan.pcap
src=$CORPUS/vlan.pcap

"$HA/protocol_races" >"$WORK/races.out" 2>&1
rc=$?
while read -r line; do
	case $line in
	ok\ *) pass "protocol: ${line#ok }" ;;
	*) fail "protocol: $line" ;;
	esac
done <"$WORK/races.out"
check "protocol: protocol_races exit $rc, sanitizer clean" eval '((rc == 0)) && sanitizer_clean "$WORK/races.out"'

# A reader opening while the page's data_size flips: never a mapping
# past the end of the file (SIGBUS), never a size other than the true one.
"$T/pktring-replay" -q -r "$WORK/flip" -s 1M "$src"
"$HA/open_race" "$WORK/flip" 20000 >"$WORK/race.out" 2>&1
rc=$?
check "protocol: $(head -c 300 "$WORK/race.out") (exit $rc)" \
	eval '((rc == 0)) && sanitizer_clean "$WORK/race.out"'

# A writer appending while another process edits the control page: size,
# max record and head changed under it must not move where it writes.
poke() {	# poke FILE OFFSET VALUE BYTES
	local s="" i
	for ((i = 0; i < $4; i++)); do s+=$(printf '\\x%02x' $((($3 >> (8 * i)) & 255))); done
	printf "$s" | dd of="$1" bs=1 seek="$2" conv=notrunc status=none
}
ring=$WORK/edited
"$T/pktring-replay" -q -r "$ring" -s 1M "$src"
size=$(stat -c %s "$ring")
"$T/pktring-replay" -r "$ring" --append --rate 500 --loop 0 "$src" 2>"$WORK/append.err" &
writer=$!
sleep 0.3
poke "$ring" 24 $((1 << 30)) 8				# data_size
poke "$ring" 88 $((1 << 29)) 4				# max_record
poke "$ring" 128 $(((1 << 40) + (1 << 29))) 8		# head: 512 MiB into a 1 GiB "ring"
sleep 0.3
kill -TERM $writer
wait $writer
rc=$?
check "protocol: replay --append with the page edited under it (size 2^30, max record 2^29, head 2^40 + 2^29): exit $rc, the file still $(stat -c %s "$ring") bytes ($(tail -c 200 "$WORK/append.err"))" \
	eval '((rc == 0)) && [[ $(stat -c %s "$ring") == "$size" ]] && sanitizer_clean "$WORK/append.err"'
poke "$ring" 24 $((1 << 20)) 8
poke "$ring" 88 "$(od -An -tu4 -j 88 -N 4 "$WORK/flip" | tr -d ' ')" 4
wrote=$(sed -n 's/.*wrote \([0-9]*\) packets.*/\1/p' "$WORK/append.err")
timeout -k 5 20 "$T/pktring-dump" -r "$ring" -w "$WORK/edited.pcap" 2>"$WORK/dump.err"
rc=$?
n_src=$(pcap_count "$src")
check "protocol: ... and the ring reads back whole once the page is put right: $(pcap_count "$WORK/edited.pcap") packets = $n_src + $wrote appended, $(grep -o 'lost [0-9]*' "$WORK/dump.err" | head -1)" \
	eval '((rc == 0)) && [[ $(pcap_count "$WORK/edited.pcap") == $((n_src + wrote)) ]] && grep -q "lost 0," "$WORK/dump.err"'

# Epochs: random, non-zero, below 2^53 (exact in a double, which JSON
# tools use). 20 rings from a 64-bit random draw all fall there with
# probability 2^-220.
bad=0
epochs=()
for i in $(seq 20); do
	"$T/pktring-replay" -q -r "$WORK/epoch" "$src"
	e=$(od -An -tu8 -j 32 -N 8 "$WORK/epoch" | tr -d ' ')
	epochs+=("$e")
	((e > 0 && e < (1 << 53))) || bad=$((bad + 1))
done
distinct=$(printf '%s\n' "${epochs[@]}" | sort -u | wc -l)
check "protocol: 20 new rings: epochs in [1, 2^53), $distinct distinct (e.g. ${epochs[0]}), $bad outside" \
	eval '((bad == 0 && distinct == 20))'
e=$(echo "{\"epoch\":${epochs[19]}}" | jq .epoch)
check "protocol: an epoch as a JSON number survives jq $(jq --version): ${epochs[19]} -> $e" \
	test "$e" = "${epochs[19]}"
