#!/usr/bin/env bash
# SPDX-License-Identifier: BSD-2-Clause
# Round trip: every test capture (tests/testdata.sh), replayed into a ring
# and dumped back, gives the packets libpcap reads from the original (bytes, lengths,
# nanosecond timestamps). A file libpcap rejects gives an error naming it,
# a non-zero exit, and a ring that still opens and is ended.
set -uo pipefail
. "$(dirname "$0")/lib.sh"

ring=$WORK/ring
need_corpus udp.pcap
# Every capture of every corpus directory, and the files libpcap refuses:
# the corpus's own (invalid/: truncated, not a capture) and one cut inside
# the file header, made here from a real capture.
mkdir -p "$WORK/bad"
head -c 12 "$CORPUS/udp.pcap" >"$WORK/bad/cut-header.pcap"
# header FILE OFFSET: a 32-bit field of the header of a classic pcap in this
# machine's byte order (as the corpus's are); nothing for other files
header() {
	[[ $(od -An -tx4 -N4 "$1" | tr -d ' ') == a1b2c3d4 || $(od -An -tx4 -N4 "$1" | tr -d ' ') == a1b23c4d ]] &&
		od -An -tu4 -j "$2" -N4 "$1" | tr -d ' '
}
# check_ring_identity FILE: the ring's link type is the LINKTYPE the file's
# header holds (not libpcap's DLT); its snap length is the file's, bounded by
# the 262144 bytes a packet libpcap returns at most (0: no limit); prints why not
check_ring_identity() {
	local hdr_snap hdr_lt ring_snap ring_lt want
	hdr_snap=$(header "$1" 16) || return 0
	hdr_lt=$(($(header "$1" 20) & 0xffff))
	read -r ring_snap ring_lt < <("$T/pktring-stat" --json -r "$ring" | jq -r '"\(.snaplen) \(.linktype)"')
	want=$hdr_snap
	((want == 0 || want > 262144)) && want=262144
	((ring_snap == want)) || echo "ring snaplen $ring_snap, want $want (header $hdr_snap)"
	((ring_lt == hdr_lt)) || echo "ring link type $ring_lt, the file's header holds $hdr_lt"
}
files=()
for d in "${PCAP_DIRS[@]}"; do files+=("$d"/*); done
ok=0 bad=0 rejected=0 partial=0 unrep=0
for f in "${files[@]}" "$CORPUS"/invalid/* "$WORK"/bad/*; do
	[[ -f $f ]] || continue	# the corpus's invalid/ itself
	name=$(basename "$f")
	"$T/pktring-replay" -q -r "$ring" -s 4M "$f" 2>"$WORK/replay.err"
	rc=$?
	"$T/pktring-dump" -q -r "$ring" -w "$WORK/out.pcap" 2>"$WORK/dump.err"
	drc=$?
	"$H/pcap_compare" "$f" "$WORK/out.pcap" >"$WORK/cmp.out"
	crc=$?
	why=""
	if ! sanitizer_clean "$WORK/replay.err" "$WORK/dump.err"; then
		why="sanitizer report"
	elif ((crc == 3)); then
		# libpcap cannot open it: replay must say so, naming the file
		((rc != 0)) && grep -qF "$f" "$WORK/replay.err" || why="rejected file not reported (rc $rc)"
		rejected=$((rejected + 1))
	elif grep -q '^orig=read-error' "$WORK/cmp.out"; then
		# libpcap stops mid-file: the packets before the error, an ended ring
		((rc != 0)) && grep -qF "$f" "$WORK/replay.err" || why="read error not reported (rc $rc)"
		((crc == 0 && drc == 0)) || why="${why:+$why; }partial copy differs: $(tail -1 "$WORK/cmp.out")"
		"$T/pktring-stat" --json -r "$ring" 2>>"$WORK/replay.err" | jq -e '.state == "ended"' >/dev/null ||
			why="${why:+$why; }ring not consistent and ended after the error"
		partial=$((partial + 1))
	else
		((rc == 0 && drc == 0 && crc == 0)) || why="rc $rc/$drc: $(tail -1 "$WORK/cmp.out") $(cat "$WORK/replay.err")"
		[[ -z $why ]] && why=$(check_ring_identity "$f")
	fi
	# packets whose time a ring cannot hold: skipped and reported, exactly
	n=$(sed -n 's/^unrepresentable=\([0-9]*\).*/\1/p' "$WORK/cmp.out")
	if [[ -z $why && ${n:-0} != 0 ]]; then
		[[ $(grep -c 'not representable' "$WORK/replay.err") == "$n" ]] ||
			why="$n unrepresentable timestamps not reported one by one"
		unrep=$((unrep + n))
	fi
	if [[ -n $why ]]; then
		fail "roundtrip $name: $why"
		bad=$((bad + 1))
	else
		echo pass >>"$RESULTS"
		ok=$((ok + 1))
	fi
done
((rejected >= 2 && partial >= 1)) || { fail "roundtrip: the rejected-file cases did not occur"; bad=$((bad + 1)); }
echo "roundtrip: $ok files ok ($rejected rejected by libpcap and reported, $partial cut short by a libpcap error and reported, $unrep packets with unrepresentable timestamps skipped and reported), $bad failed"
((bad == 0))
