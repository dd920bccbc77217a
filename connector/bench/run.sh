#!/usr/bin/env bash
# Connector throughput benchmark (a separate command, not a test).
#
# Runs a real KRaft broker and a real Connect worker in one JVM, publishes rings of 64-byte and
# 1000-byte packets through the connector in per-packet and block mode (Avro values through the
# Apicurio registry of scripts/stack.sh), sends records of the same size with a plain
# KafkaProducer to the same broker in the same run, and prints both with their ratio and the
# time per packet of each step (ring read, conversion, produce).
#
#   connector/bench/run.sh                      # 1,000,000 x 64 B and 200,000 x 1000 B packets
#   BENCH_OPTS="-Dbench.packets.64=200000" connector/bench/run.sh
set -euo pipefail
here=$(cd "$(dirname "$0")" && pwd)
connector=$(dirname "$here")
root=$(dirname "$connector")
target=${PKTRING_TARGET:-$connector/target}

"$root/scripts/stack.sh" start registry
mvn -B -q -f "$connector/pom.xml" -Dpktring.target="$target" test-compile dependency:build-classpath \
	-Dmdep.includeScope=test -Dmdep.outputFile="$target/bench-classpath.txt"
exec java -Xmx6g ${BENCH_OPTS:-} \
	-cp "$target/test-classes:$target/classes:$(cat "$target/bench-classpath.txt")" \
	io.pktring.connect.ConnectorBenchmark
