#!/usr/bin/env bash
# Connector benchmarks (commands, not tests), built as the Maven module beside this script.
#
#   connector/bench/run.sh [--quick] [--live]     # ConnectorBenchmark (~8 min; --quick: ~3 min smoke run)
#   BENCH_QUICK=1 connector/bench/run.sh          # the same as --quick
#   connector/bench/run.sh line-rate [SECONDS]    # only the live test, tests/line_rate.sh (root)
#   connector/bench/run.sh RingReadBench [CAPTURE] [LOOPS]      # Java ring reader next to pktring-dump
#   connector/bench/run.sh ConverterCost [packets] [size] [passes]
#   connector/bench/run.sh GroupBenchmark       # 1 vs 2 tasks on a 2-member ring group (kmod/bench/groups.sh)
#
# ConnectorBenchmark runs a real KRaft broker and a real Connect worker in one JVM, with Avro values
# through the Apicurio registry of scripts/stack.sh (started here), and prints in one run: every
# record mode through the worker with each value converter on the classpath, a plain KafkaProducer
# of per-packet records and of pre-encoded block records (the ceiling), tshark -T ek | kcat on a
# pcap of the same packets, the worker's CPU and allocation per packet at 1 k and 10 k packets/s
# and at full rate, an idle connector's CPU, and where the time per packet goes (README.md).
# --live then runs tests/line_rate.sh (capd on a veth pair into the local stack's worker).
set -euo pipefail
here=$(cd "$(dirname "$0")" && pwd)
root=$(cd "$here/../.." && pwd)
main=ConnectorBenchmark
live=
opts=()
if [[ ${1:-} == line-rate ]]; then
	shift
	exec "$root/tests/line_rate.sh" "$@"
fi
if [[ ${1:-} =~ ^(ConnectorBenchmark|RingReadBench|ConverterCost|GroupBenchmark)$ ]]; then
	main=$1
	shift
fi
while [[ $main == ConnectorBenchmark && $# -gt 0 ]]; do
	case $1 in
	--quick) BENCH_QUICK=1 ;;
	--live) live=1 ;;
	*) echo "run.sh: unknown option $1 (--quick, --live)" >&2; exit 2 ;;
	esac
	shift
done
[[ ${BENCH_QUICK:-} == 1 ]] && opts+=(-Dbench.quick=true)

# The stack's registry, unless PKTRING_REGISTRY_URL names another (its Confluent API, .../apis/ccompat/v7).
[[ $main == RingReadBench || -n ${PKTRING_REGISTRY_URL:-} ]] || "$root/scripts/stack.sh" start registry
[[ -x $root/kmod/bin/pktring-replay ]] || make -s -C "$root/kmod"
mvn -B -q -f "$root/pom.xml" -pl connector/bench -am package -DskipTests
(
	cd "$root/connector" # the test fixtures find the repository from here
	java -Xmx4g "${opts[@]}" ${BENCH_OPTS:-} \
		-cp "$here/target/pktring-connector-bench.jar:$(cat "$here/target/classpath.txt")" \
		"io.pktring.connect.bench.$main" "$@"
)
if [[ -n $live ]]; then
	"$root/tests/line_rate.sh"
fi
