#!/usr/bin/env bash
# SPDX-License-Identifier: BSD-2-Clause
# Fuzzes the connector's ring reader (RingFuzzTest): Ring.open and RingReader over
# arbitrary bytes, and a writer racing a reader, for SECONDS each (default 600; CI
# runs 60), or for a number of inputs. Prints the figures of each; exits non-zero on
# any crash, hang or miscount, keeping the input in connector/target/fuzz-failures/.
#
#   scripts/fuzz-java.sh [SECONDS]
#   INPUTS=1000000 RACES=200 scripts/fuzz-java.sh     (a count instead of a time)
#   SEED=123 scripts/fuzz-java.sh 60                   (replay a run)
set -euo pipefail
repo=$(cd "$(dirname "$0")/.." && pwd)
args=(-Dpktring.fuzz.seconds="${1:-600}")
if [[ -n ${INPUTS:-}${RACES:-} ]]; then
	args=(-Dpktring.fuzz.inputs="${INPUTS:-1000}" -Dpktring.fuzz.races="${RACES:-4}")
fi
[[ -n ${SEED:-} ]] && args+=(-Dpktring.fuzz.seed="$SEED")
cd "$repo"
set +e
mvn -B -q -pl connector test -Dtest=RingFuzzTest -Dsurefire.failIfNoSpecifiedTests=false \
	"${args[@]}" 2>&1 | sed 's/\x1b\[[0-9;]*m//g' | grep -E 'RingFuzzTest (bytes|race)|FAIL|ERROR|Exception'
exit "${PIPESTATUS[0]}"
