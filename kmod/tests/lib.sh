# SPDX-License-Identifier: BSD-2-Clause
# Shared by the user-space test scripts: tool paths, a scratch directory,
# pass/fail bookkeeping. Sourced, not run.

KMOD=$(cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd)
REPO=$(cd "$KMOD/.." && pwd)
# Test captures, as tests/testdata.sh defines them: the project's own corpus
# (CORPUS, always), then an external corpus when one is present.
mapfile -t PCAP_DIRS < <("$REPO/tests/testdata.sh")
CORPUS=${PCAP_DIRS[0]:-}
# The tools under test are the ASan/UBSan build; the oracles are release.
T=${T:-$KMOD/build/asan/bin}
H=${H:-$KMOD/build/release/tests}
HA=${HA:-$KMOD/build/asan/tests}
export ASAN_OPTIONS=${ASAN_OPTIONS:-exitcode=99:detect_leaks=1}
export UBSAN_OPTIONS=${UBSAN_OPTIONS:-halt_on_error=1:print_stacktrace=1:exitcode=98}

RESULTS=${RESULTS:-$(mktemp)}
WORK=$(mktemp -d /dev/shm/pktring-test.XXXXXX)
trap 'rm -rf "$WORK"' EXIT

pass() { echo "PASS $*"; echo pass >>"$RESULTS"; }
fail() { echo "FAIL $*"; echo fail >>"$RESULTS"; }
# need_corpus FILE...: the test's captures are in the corpus, or it fails
# here (tests/corpus/generate.sh said why it could not make them)
need_corpus() {
	local f
	[[ -d $CORPUS ]] || { fail "$(basename "$0"): no test corpus (tests/testdata.sh failed)"; exit 1; }
	for f in "$@"; do
		[[ -f $CORPUS/$f ]] && continue
		fail "$(basename "$0"): $f is not in the corpus $CORPUS (needs root: tests/corpus/README.md)"
		exit 1
	done
}
check() {	# check NAME CONDITION-COMMAND...
	local name=$1
	shift
	if "$@"; then pass "$name"; else fail "$name"; fi
}
# A sanitizer report in a tool's stderr fails the test that ran it.
sanitizer_clean() {
	! grep -qE 'AddressSanitizer|LeakSanitizer|runtime error:' "$@"
}
# wait_file PATH: up to 5 s for PATH to exist
wait_file() {
	local i
	for ((i = 0; i < 100; i++)); do
		[[ -e $1 ]] && return 0
		sleep 0.05
	done
	return 1
}
# wait_for FILE TEXT: up to 5 s for TEXT to appear in FILE
wait_for() {
	local i
	for ((i = 0; i < 50; i++)); do
		grep -q "$2" "$1" 2>/dev/null && return 0
		sleep 0.1
	done
	return 1
}
# pcap_count FILE [FILTER]: packets in FILE by an independent reader
# (tshark for a filter, else capinfos); tcpdump's lines are not packets.
pcap_count() {
	if (($# > 1)); then
		tshark -r "$1" -Y "$2" -T fields -e frame.number 2>/dev/null | wc -l
	else
		capinfos -c -M -T "$1" 2>/dev/null | awk -F'\t' 'NR == 2 { print $2 }'
	fi
}

# veth_pair TAG NET: namespaces TAG-a and TAG-b joined by a veth pair
# (TAG"a" in a, TAG"b" in b), up, IPv6 off (no autoconfiguration chatter),
# addresses ipA=NET.1 and ipB=NET.2, loopbacks up and static neighbours
# (no ARP: the traffic is exactly what the test sends). Defines A and B
# (run in a namespace), bgA (with &, $! is the command) and nsA, nsB. At
# exit the processes in $pids are killed and the namespaces deleted.
# Returns 1 when they cannot be made.
veth_pair() {
	local ns
	nsA=$1-a nsB=$1-b ipA=$2.1 ipB=$2.2
	trap veth_cleanup EXIT
	ip netns add "$nsA" && ip netns add "$nsB" &&
		ip link add "${1}a" type veth peer name "${1}b" &&
		ip link set "${1}a" netns "$nsA" && ip link set "${1}b" netns "$nsB" || return 1
	for ns in "$nsA" "$nsB"; do
		ip netns exec "$ns" sysctl -qw net.ipv6.conf.all.disable_ipv6=1 \
			net.ipv6.conf.default.disable_ipv6=1
		ip netns exec "$ns" ip link set lo up
	done
	A ip addr add "$ipA/24" dev "${1}a"
	B ip addr add "$ipB/24" dev "${1}b"
	A ip link set "${1}a" up
	B ip link set "${1}b" up
	A ip neigh replace "$ipB" lladdr "$(B cat /sys/class/net/"${1}b"/address)" dev "${1}a" nud permanent
	B ip neigh replace "$ipA" lladdr "$(A cat /sys/class/net/"${1}a"/address)" dev "${1}b" nud permanent
}
veth_cleanup() {
	[[ -n ${pids:-} ]] && kill $pids 2>/dev/null
	ip netns del "$nsA" 2>/dev/null
	ip netns del "$nsB" 2>/dev/null
	rm -rf "$WORK"
}
A() { ip netns exec "$nsA" "$@"; }
B() { ip netns exec "$nsB" "$@"; }
bgA() { exec ip netns exec "$nsA" "$@"; }
