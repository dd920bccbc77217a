#!/usr/bin/env bash
# The one definition of where test captures live, for shell, C and Java tests.
# Prints one directory per line, each holding *.pcap / *.pcapng files:
#   1. the project's own corpus, build/corpus/ (made by tests/corpus/generate.sh
#      on first use and whenever the generator changes); always present;
#   2. an external corpus, $PKTRING_TESTDATA (default ../shared/testdata/pcap
#      beside the clone), only when that directory exists.
#   tests/testdata.sh            the directories
#   tests/testdata.sh --corpus   only the project's own corpus directory
set -euo pipefail
root=$(cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd)
corpus=$root/build/corpus
"$root/tests/corpus/generate.sh" "$corpus" >&2
echo "$corpus"
[[ ${1:-} == --corpus ]] && exit 0
external=${PKTRING_TESTDATA:-$root/../shared/testdata/pcap}
if [[ -d $external ]]; then
	(cd "$external" && pwd)
fi
