#!/usr/bin/env bash
# Runs every pktring test exactly as CI does: installs what is missing,
# builds the C tools, the kernel module and the connector, then runs the
# user-space ring tests, the kernel module's tests in QEMU (two kernels),
# the connector's unit and integration tests against a real broker, worker
# and schema registry, the end-to-end tests of the main job, and every README
# command as written on a bare clone (tests/readme_walk.sh).
#
# Every stage runs even when an earlier one failed, so one run shows all
# failures; the exit status is non-zero if any stage failed.
set -uo pipefail
cd "$(dirname "$0")/.."

passed=0
failed=0
failures=()

# stage NAME MINUTES COMMAND...: a stage that hangs is killed after MINUTES, so
# a stuck test fails the run instead of eating CI's time.
stage() {
	local name=$1 minutes=$2
	shift 2
	echo
	echo "==> $name"
	local t0=$SECONDS
	if timeout -k 30 "${minutes}m" "$@"; then
		passed=$((passed + 1))
		echo "<== $name: ok ($((SECONDS - t0)) s)"
	else
		failed=$((failed + 1))
		failures+=("$name")
		echo "<== $name: FAILED ($((SECONDS - t0)) s)"
	fi
}

scripts/install-deps.sh || exit 1

stage "build C tools" 5 make -C kmod
stage "build connector" 15 mvn -B -q package -DskipTests
stage "ring tests (user space)" 10 make -C kmod test
stage "fuzzing (60 s a target)" 10 make -C kmod fuzz FUZZ_SECONDS=60
stage "kernel module tests (QEMU)" 20 kmod/vm/run-tests.sh
stage "schema registry" 5 scripts/stack.sh start registry
stage "connector tests" 25 mvn -B verify
stage "end-to-end tests" 15 tests/run.sh
scripts/stack.sh stop >/dev/null 2>&1 || true
stage "README walk (a bare clone)" 30 tests/readme_walk.sh

echo
((failed)) && echo "failed stages: ${failures[*]}"
echo "stages: $passed passed, $failed failed"
((failed == 0))
