#!/usr/bin/env bash
# SPDX-License-Identifier: BSD-2-Clause
# A writer that dies: killed with -9, its ring stays LIVE, and its readers
# must say "writer gone" within their --writer-timeout, after reading all
# it wrote, instead of waiting forever -- while a writer that is merely
# quiet (idle, or blocked on a pipe) is never taken for dead. A ring file
# truncated under its readers or its writer is an error message and exit
# 1, not a death by SIGBUS.
set -uo pipefail
. "$(dirname "$0")/lib.sh"

need_corpus vlan.pcap
src=$CORPUS/vlan.pcap
n_src=$(pcap_count "$src")
beat() { "$T/pktring-stat" -r "$1" --json -W 0 | jq -r .heartbeat; }
# wait_or_kill PID SECONDS: its exit status; killed (137) when it overstays
wait_or_kill() {
	timeout "$2" tail --pid="$1" -f /dev/null
	kill -9 "$1" 2>/dev/null
	wait "$1"
}
# elapsed CMD...: run CMD, set rc and ms
elapsed() {
	local t0=$EPOCHREALTIME
	"$@"
	rc=$?
	ms=$(echo "($EPOCHREALTIME - $t0) * 1000 / 1" | bc)
}

# --- a live, idle writer beats and is alive ---
ring=$WORK/idle
"$T/pktring-replay" -q -r "$ring" --hold "$src" &
writer=$!
wait_file "$ring"
b1=$(beat "$ring")
sleep 0.3
b2=$(beat "$ring")
check "liveness: an idle --hold writer beats: heartbeat $b1 -> $b2 in 0.3 s" eval '((b2 >= b1 + 3))'
elapsed "$T/pktring-stat" -r "$ring" >"$WORK/stat.out" 2>"$WORK/stat.err"
check "liveness: pktring-stat says writer alive, exit $rc in $ms ms" \
	eval '((rc == 0 && ms < 1000)) && grep -q "^writer    alive" "$WORK/stat.out"'
timeout -k 5 10 "$T/pktring-dump" -r "$ring" -W 1 -w "$WORK/idle.pcap" 2>"$WORK/idle.err" &
reader=$!
sleep 2.5
kill -TERM $reader
wait $reader
rc=$?
check "liveness: a reader with --writer-timeout 1 follows an idle writer for 2.5 s without calling it gone (exit $rc: $(tail -c 120 "$WORK/idle.err"))" \
	eval '((rc == 0)) && grep -q "stopped: signal" "$WORK/idle.err"'

# --- killed with -9: gone, after everything was read ---
kill -9 $writer
wait $writer 2>/dev/null
elapsed timeout -k 5 20 "$T/pktring-dump" -r "$ring" -W 1 -w "$WORK/killed.pcap" 2>"$WORK/killed.err"
check "liveness: pktring-dump of a ring whose writer was killed -9: exit $rc after $ms ms: $(head -c 200 "$WORK/killed.err")" \
	eval '((rc == 1 && ms >= 1000 && ms < 3000)) && grep -q "writer gone" "$WORK/killed.err" && sanitizer_clean "$WORK/killed.err"'
"$H/pcap_compare" "$src" "$WORK/killed.pcap" >"$WORK/cmp.out"
rc=$?
check "liveness: ... and it wrote every packet the writer had written ($(pcap_count "$WORK/killed.pcap") of $n_src, $(tail -1 "$WORK/cmp.out"))" \
	eval '((rc == 0)) && [[ $(pcap_count "$WORK/killed.pcap") == "$n_src" ]]'
elapsed timeout -k 5 20 "$T/pktring-stat" -r "$ring" -W 1 >"$WORK/stat.out" 2>"$WORK/stat.err"
check "liveness: pktring-stat of that ring: exit $rc after $ms ms, $(grep '^writer' "$WORK/stat.out"): $(head -c 160 "$WORK/stat.err")" \
	eval '((rc == 1 && ms >= 1000 && ms < 3000)) && grep -q "^writer    gone" "$WORK/stat.out" && grep -q "writer gone" "$WORK/stat.err"'
elapsed timeout -k 5 20 "$T/pktring-stat" -r "$ring" -W 1 --json >"$WORK/stat.json" 2>"$WORK/stat.err"
check "liveness: pktring-stat --json: writer $(jq -r .writer "$WORK/stat.json"), exit $rc" \
	eval '((rc == 1)) && [[ $(jq -r .writer "$WORK/stat.json") == gone ]]'
elapsed timeout -k 5 20 "$T/pktring-stat" -r "$ring" -W 0 >"$WORK/stat.out" 2>"$WORK/stat.err"
check "liveness: pktring-stat -W 0 (never judge) of that ring: exit $rc after $ms ms, $(grep '^writer' "$WORK/stat.out")" \
	eval '((rc == 0 && ms < 1000)) && grep -q "^writer    unknown" "$WORK/stat.out"'
elapsed timeout -k 5 20 "$T/pktring-dump" -r "$ring" -W 0.5 --from latest -w /dev/null 2>"$WORK/killed.err"
check "liveness: --writer-timeout 0.5 from latest: exit $rc after $ms ms" \
	eval '((rc == 1 && ms >= 500 && ms < 2000)) && grep -q "writer gone" "$WORK/killed.err"'

# a writer killed while a reader follows it
ring=$WORK/follow
"$T/pktring-replay" -q -r "$ring" --rate 200 --loop 0 "$src" &
writer=$!
wait_file "$ring"
timeout -k 5 20 "$T/pktring-dump" -r "$ring" -W 1 -w "$WORK/follow.pcap" 2>"$WORK/follow.err" &
reader=$!
sleep 1
kill -9 $writer
wait $writer 2>/dev/null
t0=$EPOCHREALTIME
wait $reader
rc=$?
ms=$(echo "($EPOCHREALTIME - $t0) * 1000 / 1" | bc)
seq_next=$(od -An -tu8 -j 152 -N 8 "$ring" | tr -d ' ')
check "liveness: a reader following a writer killed -9 stops $ms ms later (exit $rc) with all $seq_next packets: $(pcap_count "$WORK/follow.pcap") written, $(grep -o 'lost [0-9]*' "$WORK/follow.err" | head -1)" \
	eval '((rc == 1 && ms < 3000)) && [[ $(pcap_count "$WORK/follow.pcap") == "$seq_next" ]] && grep -q "lost 0," "$WORK/follow.err"'

# a writer blocked reading a pipe is quiet, not gone
ring=$WORK/pipe
(cat "$src"; sleep 3) | "$T/pktring-replay" -q -r "$ring" - &
writer=$!
wait_file "$ring"
elapsed timeout -k 5 20 "$T/pktring-dump" -r "$ring" -W 1 -w /dev/null 2>"$WORK/pipe.err"
check "liveness: a writer blocked on its input pipe for 3 s is not gone (exit $rc after $ms ms: $(tail -c 100 "$WORK/pipe.err"))" \
	eval '((rc == 0 && ms >= 2500)) && grep -q "stopped: the ring has ended" "$WORK/pipe.err"'
wait_or_kill $writer 10 >/dev/null

# capd, killed -9
"$T/pktring-capd" -q -i lo -r "$WORK/capd" 2>"$WORK/capd.err" &
writer=$!
wait_file "$WORK/capd"
sleep 0.3
kill -9 $writer
wait $writer 2>/dev/null
elapsed timeout -k 5 20 "$T/pktring-stat" -r "$WORK/capd" -W 1 >/dev/null 2>"$WORK/stat.err"
check "liveness: pktring-capd killed -9: pktring-stat says writer gone (exit $rc after $ms ms)" \
	eval '((rc == 1)) && grep -q "writer gone" "$WORK/stat.err"'

# --- truncated under the mapping: an error, not SIGBUS ---
ring=$WORK/trunc-idle
"$T/pktring-replay" -q -r "$ring" --hold "$src" 2>"$WORK/tw.err" &
writer=$!
wait_file "$ring"
timeout -k 5 20 "$T/pktring-dump" -r "$ring" -w /dev/null 2>"$WORK/t1.err" &
reader=$!
timeout -k 5 20 "$T/pktring-stat" -r "$ring" --watch 0.2 >/dev/null 2>"$WORK/t2.err" &
stat=$!
sleep 0.5
truncate -s 0 "$ring"
wait $reader
rc=$?
check "liveness: a reader idle on a ring truncated to 0 bytes: exit $rc: $(head -c 200 "$WORK/t1.err")" \
	eval '((rc == 1)) && grep -q "truncated to 0 bytes" "$WORK/t1.err" && sanitizer_clean "$WORK/t1.err"'
wait $stat
rc=$?
check "liveness: pktring-stat --watch on it: exit $rc: $(head -c 200 "$WORK/t2.err")" \
	eval '((rc == 1)) && grep -q "truncated to 0 bytes" "$WORK/t2.err" && sanitizer_clean "$WORK/t2.err"'
wait_or_kill $writer 10
rc=$?
check "liveness: its writer (idle, beating): exit $rc: $(head -c 200 "$WORK/tw.err")" \
	eval '((rc == 1)) && grep -q "truncated under its mapping" "$WORK/tw.err"'

# a reader copying records when the data area goes (held back by a full pipe)
ring=$WORK/trunc-data
"$T/pktring-replay" -q -r "$ring" -s 4M --loop 2000 "$src"
{ timeout -k 5 20 "$T/pktring-dump" -r "$ring" -w - 2>"$WORK/t3.err"; echo $? >"$WORK/t3.rc"; } |
	{ sleep 1; cat >/dev/null; } &
sleep 0.5
truncate -s 8192 "$ring"
wait
rc=$(cat "$WORK/t3.rc")
check "liveness: a reader whose ring's data area is truncated while it reads: exit $rc: $(head -c 200 "$WORK/t3.err")" \
	eval '((rc == 1)) && grep -q "truncated to 8192 bytes" "$WORK/t3.err" && sanitizer_clean "$WORK/t3.err"'

# the writer's file truncated under it
ring=$WORK/trunc-writer
"$T/pktring-replay" -q -r "$ring" --rate 1000 --loop 0 "$src" 2>"$WORK/t4.err" &
writer=$!
wait_file "$ring"
sleep 0.3
truncate -s 0 "$ring"
wait_or_kill $writer 10
rc=$?
check "liveness: a writer whose ring file is truncated under it: exit $rc: $(head -c 200 "$WORK/t4.err")" \
	eval '((rc == 1)) && grep -q "truncated under its mapping" "$WORK/t4.err"'
