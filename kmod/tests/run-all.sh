#!/usr/bin/env bash
# SPDX-License-Identifier: BSD-2-Clause
# All user-space ring tests (make test). Runs every script even when one
# fails; ends with "N passed, N failed" and a non-zero exit on failure.
set -uo pipefail
cd "$(dirname "$0")"
export RESULTS
RESULTS=$(mktemp)
trap 'rm -f "$RESULTS"' EXIT

for t in roundtrip.sh timestamps.sh replay_inputs.sh bad_rings.sh protocol.sh trust.sh liveness.sh \
	tool_edges.sh many_readers.sh replay_modes.sh lapping.sh live_capture.sh vlan_capture.sh \
	group_capture.sh group_replay.sh install.sh; do
	echo "== $t"
	start=$SECONDS
	if ! ./"$t"; then
		# a script that dies without recording a failure still fails
		grep -q fail "$RESULTS" || echo fail >>"$RESULTS"
	fi
	echo "== $t: $((SECONDS - start)) s"
done
passed=$(grep -c '^pass$' "$RESULTS")
failed=$(grep -c '^fail$' "$RESULTS")
echo "$passed passed, $failed failed"
((failed == 0 && passed > 0))
