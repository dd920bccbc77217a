#!/usr/bin/env bash
# SPDX-License-Identifier: BSD-2-Clause
# The tools at their edges: bytes from a ring or a path that reach a
# terminal or a JSON parser, sizes that overflow, a stop signal that comes
# between the check and the sleep.
set -uo pipefail
. "$(dirname "$0")/lib.sh"

need_corpus vlan.pcap
src=$CORPUS/vlan.pcap

# --- ifname from the ring reaches the terminal escaped ---
ring=$WORK/esc
"$T/pktring-replay" -q -r "$ring" "$src"
printf '\033]2;pwn\007\033[2J' | dd of="$ring" bs=1 seek=64 conv=notrunc status=none	# ctl.ifname
"$T/pktring-stat" -r "$ring" >"$WORK/esc.out" 2>&1
check "edges: pktring-stat prints a ring's ifname with escape bytes as text: $(grep ^source "$WORK/esc.out" | head -c 80)" \
	eval '! grep -q $'"'"'\033'"'"' "$WORK/esc.out" && grep -q "x1b]2;pwn" "$WORK/esc.out"'
"$T/pktring-stat" -r "$ring" --json >"$WORK/esc.json" 2>&1
check "edges: ... and --json gives it as a JSON string: $(jq -c .ifname "$WORK/esc.json" 2>&1)" \
	test "$(jq -r .ifname "$WORK/esc.json" 2>/dev/null)" = $'\033]2;pwn\007\033[2J'

# --- JSON for any path ---
for name in 'quote"d' 'back\slash' $'new\nline' $'tab\there' $'ctl\001x' 'utf8-é€😀' $'bad-\xff\xfe-utf8' $'cut-\xe2\x82'; do
	dir=$WORK/j$RANDOM
	mkdir "$dir"
	"$T/pktring-replay" -q -r "$dir/$name" "$src" 2>"$WORK/err" || { fail "edges: replay to '$name': $(cat "$WORK/err")"; continue; }
	"$T/pktring-stat" -r "$dir/$name" --json >"$WORK/j.json" 2>"$WORK/err"
	got=$(jq -r .path "$WORK/j.json" 2>&1)
	# bytes that are not UTF-8 come back as U+FFFD
	want=$dir/$(printf '%s' "$name" | iconv -f utf-8 -t utf-8 -c 2>/dev/null)
	case $name in
	bad-*) want=$dir/bad-$'\xef\xbf\xbd\xef\xbf\xbd'-utf8 ;;
	cut-*) want=$dir/cut-$'\xef\xbf\xbd\xef\xbf\xbd' ;;
	esac
	check "edges: --json path $(printf '%q' "$name") parses and reads back as $(printf '%q' "${want##*/}")" \
		test "$got" = "$want"
done

# --- sizes that overflow are refused, not wrapped ---
big=17592186044432M	# (2^44 + 16) MiB = 2^64 + 16 MiB
for tool in pktring-replay pktring-capd; do
	args=(-r "$WORK/big" --size $big)
	[[ $tool == pktring-capd ]] && args+=(-i lo) || args+=("$src")
	timeout 10 "$T/$tool" "${args[@]}" >/dev/null 2>"$WORK/err"
	rc=$?
	check "edges: $tool --size $big (wraps to 16 MiB in 64 bits): exit $rc, $(head -c 100 "$WORK/err")" \
		eval '((rc == 2)) && grep -q "bad --size" "$WORK/err" && [[ ! -e $WORK/big ]]'
done
for args in "--size $big" "--size -1" "--snaplen 5G" "--mode 4755" "--group no-such-group" "--mode x"; do
	# refused before the control device is opened: no module needed
	"$T/pktring-ctl" add lo $args >/dev/null 2>"$WORK/err"
	rc=$?
	check "edges: pktring-ctl add lo $args: exit $rc, $(head -c 100 "$WORK/err")" \
		eval '((rc == 2)) && grep -q "pktring-ctl: bad" "$WORK/err"'
done

# --- a stop signal between the check and the sleep (replay --hold) ---
cc -shared -fPIC -o "$WORK/signal_gap.so" "$KMOD/tests/preload/signal_gap.c" -ldl
timeout -k 2 5 env LD_PRELOAD="$WORK/signal_gap.so" "$KMOD/bin/pktring-replay" -q -r "$WORK/hold" --hold "$src" 2>"$WORK/err"
rc=$?
state=$(od -An -tu4 -j 148 -N 4 "$WORK/hold" | tr -d ' ')
check "edges: replay --hold with SIGTERM arriving just before it sleeps: exit $rc (124: slept through it), ring state $state (2: ended)" \
	eval '((rc == 0 && state == 2))'
