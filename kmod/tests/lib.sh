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
