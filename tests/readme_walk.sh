#!/usr/bin/env bash
# Walks README.md as a newcomer does: every command line of its ```sh blocks, in the
# README's order, as written, in a fresh `git clone` of this repository (its committed
# HEAD) with nothing beside it. A command that cannot run on this machine is skipped
# with the reason; a command this script has no rule for, or a code block without a
# language (sh for commands, text for the rest), fails the walk, so the README cannot
# grow a command nobody ran.
#
#   tests/readme_walk.sh        as root (live demo, network namespace, make install), with
#                               the local stack's ports free (stop any running stack first)
#
# Where a reader would wait or act between commands, the walk does too: the capture
# daemon runs in the background (in a network namespace whose interface is named eth0,
# so "pktring-capd -i eth0" runs as written without touching this machine's eth0),
# traffic is sent before a topic of that ring is read, and a connector is seen STOPPED
# before its offsets are deleted. `scripts/stack.sh stop` and `make -C kmod uninstall`
# run last. Ends with "N walked, N skipped, N failed"; exit status 1 if any failed.
set -uo pipefail

ROOT=$(cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd)
WALK=$ROOT/run/readme-walk
CLONE=$WALK/pktring
LOG=$WALK/log
CONNECT=http://127.0.0.1:8083
STEP_TIMEOUT=900 # seconds per command: the first demo builds everything
# The capture namespace: its end of a veth pair is named eth0, as in the README.
NS=pkr-newcomer-walk
VETH=pkrnc-walk0
HOST_IP=198.18.78.1
NS_IP=198.18.78.2

walk_rings=()	# rings the walk's daemons made, removed at the end if the README did not
walked=0
skipped=0
failed=0
deferred=()
declare -A capd_pids	# ring path -> its capture daemon, running in the namespace
made_group=	# a group the README names that this machine lacked, made for the walk

say() { echo "walk: $*"; }
fail_step() {
	echo "    FAIL: $*" >&2
	failed=$((failed + 1))
}

# Whatever happened, nothing of the walk stays: daemon, namespace, the clone's stack, the
# installed tools (the deferred commands did this already when the walk got that far).
cleanup() {
	local ring
	stop_capd
	for ring in "${walk_rings[@]}"; do [[ -e $ring ]] && rm -rf "$ring"; done
	[[ -n $made_group ]] && groupdel "$made_group" 2>/dev/null
	ip netns del $NS 2>/dev/null
	ip link del $VETH 2>/dev/null
	if [[ -x $CLONE/scripts/stack.sh ]]; then
		"$CLONE/scripts/stack.sh" stop >/dev/null 2>&1
		make -s -C "$CLONE/kmod" uninstall >/dev/null 2>&1
	fi
}
trap cleanup EXIT
trap 'exit 130' INT TERM

# --- the clone ---------------------------------------------------------------------------

((EUID == 0)) || { echo "walk: needs root (live demo, network namespace, make install)" >&2; exit 1; }
for port in 8081 8083 9092 9093 9875; do
	if (exec 3<>"/dev/tcp/127.0.0.1/$port") 2>/dev/null; then
		echo "walk: port 127.0.0.1:$port is in use; stop the running stack first (scripts/stack.sh stop)" >&2
		exit 1
	fi
done
rm -rf "$WALK"
mkdir -p "$LOG"
git clone -q "$ROOT" "$CLONE" || { echo "walk: git clone of $ROOT failed" >&2; exit 1; }
cd "$CLONE" || exit 1
say "a bare clone of $(git -C "$ROOT" rev-parse --short HEAD) in $CLONE (nothing beside it: $(ls "$WALK" | tr '\n' ' '))"

# --- the capture namespace ---------------------------------------------------------------

make_namespace() {
	ip netns del $NS 2>/dev/null
	ip link del $VETH 2>/dev/null
	ip netns add $NS && ip link add $VETH type veth peer name eth0 netns $NS &&
		ip addr add $HOST_IP/30 dev $VETH && ip link set $VETH up &&
		ip -n $NS addr add $NS_IP/30 dev eth0 && ip -n $NS link set eth0 up && ip -n $NS link set lo up
}

send_traffic() { # UDP datagrams from this host to the namespace's eth0
	local i
	for ((i = 1; i <= 30; i++)); do
		echo "readme walk datagram $i" >/dev/udp/$NS_IP/5555
		sleep 0.02
	done
}

stop_capd() {	# [RING]: its daemon, or every one
	local ring rings=("$@")
	(($#)) || rings=("${!capd_pids[@]}")
	for ring in "${rings[@]}"; do
		[[ -n ${capd_pids[$ring]:-} ]] || continue
		kill -INT "${capd_pids[$ring]}" 2>/dev/null
		wait "${capd_pids[$ring]}" 2>/dev/null
		unset "capd_pids[$ring]"
	done
}

# --- what to do with each command ----------------------------------------------------------

# plan CMD: sets ACTION (run | skip | capd | defer) and REASON
plan() {
	ACTION=run
	REASON=
	case $1 in
	scripts/test-all.sh*)
		ACTION=skip REASON="CI's entry point; this walk is one of its stages" ;;
	*dkms* | *modprobe* | "mkdir -p /usr/src/pktring"* | pktring-ctl\ *)
		ACTION=skip REASON="the kernel module cannot be loaded on this machine (kmod/vm/run-tests.sh tests it in QEMU)" ;;
	*"docker compose"*)
		ACTION=skip REASON="no Docker engine here (tests/check_compose.py checks docker-compose.yml)" ;;
	*wireshark*)
		ACTION=skip REASON="needs Wireshark and a display" ;;
	"pktring-capd -i eth0 "*)
		ACTION=capd ;;
	"scripts/stack.sh stop" | "make -C kmod uninstall")
		ACTION=defer ;;
	esac
}

# before CMD: what a reader does before running it
before() {
	case $1 in
	*"topic2pcap -t pktring.eth0"*)
		# The connector reads from the latest packet: wait until its task runs, then send.
		local name deadline=$((SECONDS + 60))
		name=$(jq -r .name config/connectors/host-eth0-capd.json)
		until curl -sf "$CONNECT/connectors/$name/status" |
			jq -e '(.tasks | length) > 0 and all(.tasks[]; .state == "RUNNING")' >/dev/null; do
			((SECONDS < deadline)) || break
			sleep 0.5
		done
		send_traffic
		;;
	"pktring-dump -r "*)
		send_traffic ;; # something on eth0 to read
	curl*/connectors/*/status)
		# a reader who just created the connector gives the worker a moment to start it
		local name=${1%/status} deadline=$((SECONDS + 30))
		name=${name##*/}
		until curl -sf "$CONNECT/connectors/$name/status" |
			jq -e '.connector.state == "RUNNING" and all(.tasks[]; .state == "RUNNING")' >/dev/null; do
			((SECONDS < deadline)) || break
			sleep 0.5
		done
		;;
	"rm /dev/shm/pktring/"*)
		local f=${1#rm }
		stop_capd "${f%% *}" ;; # Ctrl-C in that daemon's terminal
	esac
}

# check CMD OUT: what the reader looks for in the result (exit status 0 is checked already)
check() {
	local cmd=$1 out=$2
	case $cmd in
	"scripts/demo.sh "*"--replay"*)
		jq -e '.source == "replay"' run/demo/counts.json >/dev/null || fail_step "the demo did not replay" ;;
	"scripts/demo.sh "*)
		jq -e '.source == "capture"' run/demo/counts.json >/dev/null || fail_step "the demo did not capture live" ;;
	*config/validate*)
		grep -q '"error_count":0' "$out" || fail_step "validation reported errors: $(head -c 300 "$out")" ;;
	curl\ *)
		! grep -q '"error_code"' "$out" || fail_step "the worker answered with an error: $(head -c 300 "$out")"
		case $cmd in
		*/stop)
			local name deadline=$((SECONDS + 60))
			name=$(sed 's#.*/connectors/\([^/]*\)/stop.*#\1#' <<<"$cmd")
			until curl -sf "$CONNECT/connectors/$name/status" | jq -e '.connector.state == "STOPPED"' >/dev/null; do
				((SECONDS < deadline)) || { fail_step "connector $name not STOPPED"; break; }
				sleep 0.5
			done
			;;
		*/status)
			grep -q '"RUNNING"' "$out" || fail_step "not RUNNING: $(head -c 300 "$out")" ;;
		esac
		;;
	*"| tcpdump -n -r -"*)
		local n
		n=$(grep -cE '^[0-9]{2}:[0-9]{2}:[0-9]{2}\.[0-9]+ ' "$out")
		[[ $cmd == *"-c 10"* ]] && ((n != 10)) && fail_step "tcpdump printed $n packets, expected 10"
		((n > 0)) || fail_step "tcpdump printed no packet"
		;;
	*JmxTool*)
		grep -q PacketsRead "$out" || fail_step "no connector metrics over JMX: $(head -c 300 "$out")" ;;
	*"make -C kmod install"*)
		local t
		for t in pktring-capd pktring-replay pktring-dump pktring-stat pktring-ctl; do
			[[ $(command -v $t) == /usr/local/bin/$t ]] || fail_step "$t is not on PATH from /usr/local/bin"
			$t --help >/dev/null 2>&1 || fail_step "$t --help exited non-zero"
		done
		;;
	"rm /dev/shm/pktring/"*)
		local f=${cmd#rm }
		f=${f%% *}
		[[ ! -e $f ]] || fail_step "$f is still there" ;;
	esac
}

# run_cmd N CMD BARE: run CMD as written from the clone, output in $LOG/N.out; BARE is
# the command on one line without its comment, for the checks
run_cmd() {
	local n=$1 cmd=$2 bare=$3 rc
	timeout -k 10 $STEP_TIMEOUT bash -c "$cmd" >"$LOG/$n.out" 2>&1 </dev/null
	rc=$?
	if ((rc != 0)); then
		tail -n 15 "$LOG/$n.out" >&2
		fail_step "exit status $rc (output: $LOG/$n.out)"
		return
	fi
	check "$bare" "$LOG/$n.out"
}

# start_capd N CMD: the capture daemon, as written, in the namespace, in the background,
# beside the daemons of other rings (a ring group's daemon beside a single ring's)
start_capd() {
	local n=$1 cmd=$2 ring i pid
	ring=/dev/shm/pktring/$(sed 's/.* -r \([^ ]*\).*/\1/' <<<"$cmd")
	stop_capd "$ring"
	walk_rings+=("$ring")
	# the README gives the ring to the Connect worker's group, as a real host has it
	if [[ $cmd =~ --group\ ([a-z_][a-z0-9_-]*) ]] && ! getent group "${BASH_REMATCH[1]}" >/dev/null; then
		groupadd --system "${BASH_REMATCH[1]}" && made_group=${BASH_REMATCH[1]}
	fi
	ip netns exec $NS bash -c "exec $cmd" >"$LOG/$n.out" 2>&1 </dev/null &
	pid=$!
	capd_pids[$ring]=$pid
	for ((i = 0; i < 100; i++)); do
		# a ring, or every member of a ring group, live
		kmod/bin/pktring-stat -r "$ring" --json 2>/dev/null |
			jq -e '[.state // (.members[] | .state)] | all(. == "live")' >/dev/null && return 0
		kill -0 $pid 2>/dev/null || break
		sleep 0.1
	done
	cat "$LOG/$n.out" >&2
	fail_step "the capture daemon brought no live ring up at $ring"
	stop_capd "$ring"
}

# --- the README's commands -------------------------------------------------------------------

# without_comment LINE: LINE without a trailing "# comment" (a # outside quotes after a blank)
without_comment() {
	local s=$1 out= q= c i
	for ((i = 0; i < ${#s}; i++)); do
		c=${s:i:1}
		if [[ -n $q ]]; then
			[[ $c == "$q" ]] && q=
		elif [[ $c == "'" || $c == '"' ]]; then
			q=$c
		elif [[ $c == '#' ]] && { ((i == 0)) || [[ ${s:i-1:1} == ' ' ]]; }; then
			break
		fi
		out+=$c
	done
	echo "${out%"${out##*[![:space:]]}"}"
}

# Each command: its first line number, TAB, the text (continuation lines joined by newlines).
commands() {
	local n=0 in=0 lang cmd= start t line
	while IFS= read -r line || [[ -n $line ]]; do
		n=$((n + 1))
		t=${line#"${line%%[![:space:]]*}"}
		if [[ $t == '```'* ]]; then
			if ((in)); then
				in=0
			else
				in=1
				lang=${t#'```'}
				[[ -n $lang ]] || printf 'ERROR\tREADME.md:%s: a code block without a language (sh or text)\0' "$n"
			fi
			continue
		fi
		((in)) && [[ $lang == sh ]] || continue
		if [[ -z $cmd ]]; then
			[[ -z $t || $t == '#'* ]] && continue
			start=$n
			cmd=$t
		else
			cmd+=$'\n'$t
		fi
		if [[ $t != *\\ ]]; then
			printf '%s\t%s\0' "$start" "$cmd"
			cmd=
		fi
	done <README.md
}

make_namespace || { echo "walk: cannot make the capture namespace $NS" >&2; exit 1; }
t0=$SECONDS
while IFS=$'\t' read -r -d '' n cmd; do
	if [[ $n == ERROR ]]; then
		fail_step "$cmd"
		continue
	fi
	shown=$(tr '\n' ' ' <<<"$cmd" | sed 's/\\ */ /g; s/  */ /g')
	bare=$(without_comment "$shown")
	plan "$bare"
	case $ACTION in
	skip)
		skipped=$((skipped + 1))
		echo "--- README.md:$n SKIP $shown"
		echo "    ($REASON)"
		;;
	defer)
		deferred+=("$n"$'\t'"$bare")
		echo "--- README.md:$n (at the end) $shown"
		;;
	capd)
		walked=$((walked + 1))
		echo "--- README.md:$n $shown   (in namespace $NS, in the background)"
		start_capd "$n" "$bare"
		;;
	run)
		walked=$((walked + 1))
		echo "--- README.md:$n $shown"
		before "$bare"
		s0=$SECONDS
		run_cmd "$n" "$cmd" "$bare"
		echo "    ($((SECONDS - s0)) s)"
		;;
	esac
done < <(commands)

stop_capd
for d in "${deferred[@]}"; do
	n=${d%%$'\t'*}
	cmd=${d#*$'\t'}
	walked=$((walked + 1))
	echo "--- README.md:$n $cmd"
	run_cmd "$n" "$cmd" "$cmd"
done

echo
echo "README walk: $walked walked, $skipped skipped, $failed failed ($((SECONDS - t0)) s)"
((failed == 0))
