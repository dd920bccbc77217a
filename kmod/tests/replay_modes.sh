#!/usr/bin/env bash
# SPDX-License-Identifier: BSD-2-Clause
# The replayer's modes and the ring's life cycle: --append continues the
# same epoch and sequence, one writer at a time (flock), --rate and
# --timing pace the packets, --loop repeats, and a ring re-created at the
# same path (a new epoch) is noticed by a reader following the old one.
set -uo pipefail
. "$(dirname "$0")/lib.sh"

need_corpus tcp.pcap udp.pcap
a=$CORPUS/tcp.pcap
b=$CORPUS/udp.pcap
ring=$WORK/r
json() { "$T/pktring-stat" --json -r "$ring" | jq -r "$1"; }

# --append: one epoch, packets of both files in order (oracle: mergecap -a)
"$T/pktring-replay" -q -r "$ring" -s 1M "$a"
epoch1=$(json .epoch)
"$T/pktring-replay" -q -r "$ring" -a "$b" 2>"$WORK/append.err"
rc=$?
epoch2=$(json .epoch)
"$T/pktring-dump" -q -r "$ring" -w "$WORK/ab.pcap"
mergecap -a -F pcap -w "$WORK/ab-ref.pcap" "$a" "$b"
"$H/pcap_compare" "$WORK/ab-ref.pcap" "$WORK/ab.pcap" >"$WORK/cmp.out"
check "replay: --append keeps the epoch ($epoch1 = $epoch2) and adds the second file after the first ($(tail -1 "$WORK/cmp.out"))" \
	eval '((rc == 0)) && [[ $epoch1 == "$epoch2" ]] && "$H/pcap_compare" "$WORK/ab-ref.pcap" "$WORK/ab.pcap" >/dev/null'
n=$(pcap_count "$WORK/ab.pcap")
check "replay: seq_next after append = packets in the ring ($(json .seq_next) = $n)" test "$(json .seq_next)" = "$n"

# a new ring at the path: new epoch; without --append the old one is replaced
"$T/pktring-replay" -q -r "$ring" -s 1M "$b"
check "replay: a new ring gets a new epoch" test "$(json .epoch)" != "$epoch1"

# one writer at a time
"$T/pktring-replay" -q -r "$ring" -s 1M --hold "$a" &
holder=$!
sleep 0.3
"$T/pktring-replay" -q -r "$ring" -s 1M "$b" 2>"$WORK/busy1.err"
rc1=$?
"$T/pktring-replay" -q -r "$ring" -a "$b" 2>"$WORK/busy2.err"
rc2=$?
check "replay: a second writer (new or --append) is refused while one holds the ring ($rc1, $rc2)" \
	eval '((rc1 == 1 && rc2 == 1)) && grep -q "being written by another process" "$WORK/busy1.err" && grep -q "being written by another process" "$WORK/busy2.err"'

# a reader following the held ring sees the ring replaced at its path
"$T/pktring-dump" -r "$ring" -w "$WORK/follow.pcap" 2>"$WORK/follow.err" &
follower=$!
sleep 0.3
kill -TERM $holder
wait $holder
"$T/pktring-replay" -q -r "$ring" -s 1M "$b"
for ((i = 0; i < 50; i++)); do kill -0 $follower 2>/dev/null || break; sleep 0.1; done
wait $follower
frc=$?
check "replay: a reader stops at the end of the old ring (exit $frc: $(grep -o 'stopped: [a-z ()-]*' "$WORK/follow.err"))" \
	eval '((frc == 0)) && grep -Eq "stopped: (the ring has ended|the ring was re-created)" "$WORK/follow.err"'

# a reader idle on a live ring notices a new ring at its path
"$T/pktring-replay" -q -r "$ring" -s 1M --hold "$a" &
holder=$!
sleep 0.3
"$T/pktring-dump" -r "$ring" -w /dev/null 2>"$WORK/epoch.err" &
follower=$!
sleep 0.3
# the holder keeps its flock; a different path is renamed over ours
"$T/pktring-replay" -q -r "$WORK/other" -s 1M "$b"
mv "$WORK/other" "$ring"
for ((i = 0; i < 50; i++)); do kill -0 $follower 2>/dev/null || break; sleep 0.1; done
kill -TERM $follower 2>/dev/null
wait $follower
kill -TERM $holder
wait $holder
check "replay: an idle reader notices the ring was re-created at its path" \
	grep -q "stopped: the ring was re-created (new epoch)" "$WORK/epoch.err"

# pacing: at 100 packets/s never more than 100 a second (plus the first), however busy the
# machine is; a slow machine may write fewer, which is no fault of the pacer.
t0=$(date +%s%N)
"$T/pktring-replay" -q -r "$ring" -s 1M --rate 100 "$a" --loop 0 2>/dev/null &
rp=$!
sleep 0.5
n_half=$(json .seq_next)
ms=$((($(date +%s%N) - t0) / 1000000))
kill -TERM $rp
wait $rp
check "replay: --rate 100 wrote $n_half packets in at most $ms ms (no more than 100/s)" \
	eval '((n_half >= 1 && n_half <= ms / 10 + 2))'

# --timing: the file's own gaps (3 packets, spread 0.6 s apart by editcap)
tcpdump -r "$a" -c 3 -w "$WORK/three-close.pcap" 2>/dev/null
editcap -S -0.6 "$WORK/three-close.pcap" "$WORK/three.pcap"
span=$(tshark -r "$WORK/three.pcap" -T fields -e frame.time_relative 2>/dev/null | tail -1)
want=$(awk -v s="$span" 'BEGIN { printf "%d", s * 1000 }')
t0=$(date +%s%N)
"$T/pktring-replay" -q -r "$ring" -s 1M --timing "$WORK/three.pcap"
ms=$((($(date +%s%N) - t0) / 1000000))
# Never sooner than the file's gaps; later only by what a busy machine adds.
check "replay: --timing took ${ms} ms for a file spanning ${want} ms" eval '((ms >= want - 50 && ms <= want + 5000))'

# --loop N
"$T/pktring-replay" -q -r "$ring" -s 1M --loop 3 "$a"
check "replay: --loop 3 writes the file three times ($(json .seq_next))" \
	test "$(json .seq_next)" = $((3 * $(pcap_count "$a")))
check "replay: all of it sanitizer clean" sanitizer_clean "$WORK"/*.err

# pktring-stat --watch: a refreshing view with rates (JSON lines here)
"$T/pktring-replay" -q -r "$ring" -s 1M --rate 1000 --loop 0 "$a" 2>"$WORK/watch-replay.err" &
rp=$!
wait_file "$ring"
sleep 0.2
timeout -k 5 -s INT 1.6 "$T/pktring-stat" -r "$ring" --json --watch 0.5 >"$WORK/watch.json" 2>"$WORK/watch.err"
kill -TERM $rp
wait $rp
lines=$(wc -l <"$WORK/watch.json")
rate=$(tail -1 "$WORK/watch.json" | jq -r '.rates.captured_per_s // 0 | floor')
# The rate a refresh shows is the replay's, which a busy machine may slow, never speed up.
check "stat: --watch 0.5 printed $lines JSON lines in 1.6 s, last rate $rate packets/s (replay at 1000)" \
	eval '((lines >= 3 && rate >= 100 && rate <= 1400))'
check "stat: sanitizer clean" sanitizer_clean "$WORK/watch.err" "$WORK/watch-replay.err"

# a full /dev/shm: ring creation fails with a clear error, no file left
# (a 1 MiB tmpfs of our own stands in for it; skipped where mount is denied)
small=$WORK/small
mkdir -p "$small"
if mount -t tmpfs -o size=1M tmpfs "$small" 2>/dev/null; then
	"$T/pktring-replay" -q -r "$small/r" -s 4M "$b" 2>"$WORK/full.err"
	rc=$?
	left=$(ls -A "$small")
	umount "$small"
	check "replay: no room for the ring -> exit 1, \"$(cat "$WORK/full.err")\", nothing left behind" \
		eval '((rc == 1)) && grep -q "No space left on device" "$WORK/full.err" && [[ -z $left ]]'
else
	echo "SKIP replay: full /dev/shm (cannot mount a tmpfs here)"
fi
