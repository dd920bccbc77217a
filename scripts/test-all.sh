#!/usr/bin/env bash
# Runs every pktring test exactly as CI does: installs what is missing,
# builds the C tools, the kernel module and the connector, then runs the
# user-space ring tests, the kernel module's tests in QEMU (two kernels),
# the connector's unit and integration tests against a real broker, worker
# and schema registry, and the end-to-end tests of the main job.
#
# Every stage runs even when an earlier one failed, so one run shows all
# failures; the exit status is non-zero if any stage failed.
set -uo pipefail
cd "$(dirname "$0")/.."

passed=0
failed=0
failures=()

stage() {
	local name=$1
	shift
	echo
	echo "==> $name"
	local t0=$SECONDS
	if "$@"; then
		passed=$((passed + 1))
		echo "<== $name: ok ($((SECONDS - t0)) s)"
	else
		failed=$((failed + 1))
		failures+=("$name")
		echo "<== $name: FAILED ($((SECONDS - t0)) s)"
	fi
}

scripts/install-deps.sh || exit 1

stage "build C tools" make -C kmod
stage "build connector" mvn -B -q package -DskipTests
stage "ring tests (user space)" make -C kmod test
stage "kernel module tests (QEMU)" kmod/vm/run-tests.sh
stage "schema registry" scripts/stack.sh start registry
stage "connector tests" mvn -B verify
stage "end-to-end tests" tests/run.sh
scripts/stack.sh stop >/dev/null 2>&1 || true

echo
((failed)) && echo "failed stages: ${failures[*]}"
echo "stages: $passed passed, $failed failed"
((failed == 0))
