#!/usr/bin/env bash
# SPDX-License-Identifier: BSD-2-Clause
# No torn reads under lapping: lapping_torture (ASan/UBSan build) runs a
# flat-out writer for 10 s on a 64 KiB ring with three readers, one slow.
set -uo pipefail
. "$(dirname "$0")/lib.sh"

secs=${LAPPING_SECONDS:-10}
timeout -k 5 $((secs + 30)) "$HA/lapping_torture" "$WORK/lap" "$secs" 64k >"$WORK/out" 2>"$WORK/err"
rc=$?
cat "$WORK/out"
laps=$(sed -n 's/^writer: .*(\([0-9]*\) laps)$/\1/p' "$WORK/out")
check "lapping: writer lapped the ring ${laps:-0} times in $secs s (want > 100)" test "${laps:-0}" -gt 100
check "lapping: three readers, zero torn, reported loss == sequence gap, sanitizer clean (rc $rc)" \
	eval '((rc == 0)) && [[ $(grep -c ": ok$" "$WORK/out") == 3 ]] && sanitizer_clean "$WORK/err"'

# The control experiment: the same readers without R4 see torn copies, so
# the checksums above would have caught a missing or misplaced barrier.
timeout -k 5 30 "$HA/lapping_torture" --skip-r4 "$WORK/lap" 4 64k >"$WORK/control" 2>"$WORK/err"
cat "$WORK/control"
check "lapping: control: readers skipping R4 do see torn copies ($(grep -c 'as expected' "$WORK/control") of 3)" \
	eval 'grep -q "as expected" "$WORK/control" && sanitizer_clean "$WORK/err"'
