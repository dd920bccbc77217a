#!/usr/bin/env bash
# Connector benchmarks (commands, not tests), built as the Maven module beside this script.
#
#   connector/bench/run.sh                      # ConnectorBenchmark: 1,000,000 x 64 B and 200,000 x 1000 B packets
#   BENCH_OPTS="-Dbench.packets.64=200000" connector/bench/run.sh
#   connector/bench/run.sh RingReadBench [CAPTURE] [LOOPS]      # Java ring reader next to pktring-dump
#   connector/bench/run.sh ConverterCost [packets] [size] [passes]
#   connector/bench/run.sh GroupBenchmark       # 1 vs 2 tasks on a 2-member ring group (kmod/bench/groups.sh)
#
# ConnectorBenchmark runs a real KRaft broker and a real Connect worker in one JVM, publishes rings
# of 64-byte and 1000-byte packets through the connector in per-packet and block mode (Avro values
# through the Apicurio registry of scripts/stack.sh), sends records of the same size with a plain
# KafkaProducer to the same broker in the same run, and prints both with their ratio and the time
# per packet of each step (ring read, conversion, produce).
set -euo pipefail
here=$(cd "$(dirname "$0")" && pwd)
root=$(cd "$here/../.." && pwd)
main=ConnectorBenchmark
if [[ ${1:-} =~ ^(ConnectorBenchmark|RingReadBench|ConverterCost|GroupBenchmark)$ ]]; then
	main=$1
	shift
fi

[[ $main == RingReadBench ]] || "$root/scripts/stack.sh" start registry
mvn -B -q -f "$root/pom.xml" -pl connector/bench -am package -DskipTests
cd "$root/connector" # the test fixtures find the repository from here
exec java -Xmx6g ${BENCH_OPTS:-} \
	-cp "$here/target/pktring-connector-bench.jar:$(cat "$here/target/classpath.txt")" \
	"io.pktring.connect.bench.$main" "$@"
