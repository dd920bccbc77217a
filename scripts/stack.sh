#!/usr/bin/env bash
# The local stack: a schema registry with the Confluent REST API (Apicurio, H2 file storage),
# a single-node KRaft broker and a Kafka Connect distributed worker with the pktring
# plugin, all from Maven Central artifacts, all on 127.0.0.1.
#
#   scripts/stack.sh start [all|registry|broker|worker]   (default all)
#   scripts/stack.sh stop [all|registry|broker|worker]   (default all)
#   scripts/stack.sh status | logs [registry|broker|worker] | install
#
# Everything lives under run/stack/ (lib/ jars, data/, logs/, pids/). The registry's schemas
# (data/registry) and the broker's storage (data/kafka) are kept while parts are stopped and
# started one by one, so topics stay decodable; a full `stop` removes all data (topics,
# schemas, connectors, offsets). Logs are kept.
#
# Ports: registry 8081 (Confluent API at /apis/ccompat/v7), broker 9092 (controller
# 9093), Connect REST 8083, the worker's JMX 9875.
#
# The worker runs with --enable-native-access=ALL-UNNAMED: the plugin calls native code
# through JNA, which Java 22+ warns about and a JVM run with --illegal-native-access=deny
# refuses. Other workers to run the plugin on (tests/compat.sh):
#   PKTRING_CONNECT_VERSION=3.9.2   the worker's Connect runtime (default: the broker's Kafka)
#   PKTRING_WORKER_JAVA=/path/java  the worker's JVM (default: the stack's)
#   PKTRING_WORKER_JAVA_OPTS=...    more options for the worker's JVM
#   PKTRING_WORKER_NATIVE_ACCESS=   no --enable-native-access (to see what a worker without it does)
set -euo pipefail

ROOT=$(cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd)
STACK=${PKTRING_STACK_DIR:-$ROOT/run/stack}
LIB=$STACK/lib
LOGS=$STACK/logs
PIDS=$STACK/pids
DATA=$STACK/data
CONF=$STACK/conf
PLUGIN_DIR=${PKTRING_PLUGIN_DIR:-$ROOT/connector/target/plugin}
JAVA=${JAVA_HOME:+$JAVA_HOME/bin/}java

KAFKA_VERSION=4.3.1
CONNECT_VERSION=${PKTRING_CONNECT_VERSION:-$KAFKA_VERSION}
WORKER_JAVA=${PKTRING_WORKER_JAVA:-$JAVA}
NATIVE_ACCESS=${PKTRING_WORKER_NATIVE_ACCESS-ALL-UNNAMED}
# Word-split on purpose: several options in one variable.
read -r -a WORKER_JAVA_OPTS <<<"${PKTRING_WORKER_JAVA_OPTS:-}"
APICURIO_VERSION=2.6.13.Final
REGISTRY_PORT=8081
BROKER_PORT=9092
CONTROLLER_PORT=9093
WORKER_PORT=8083
WORKER_JMX_PORT=9875
# Readiness waits, seconds; generous for a loaded 2-core CI machine.
READY_TIMEOUT=${PKTRING_STACK_TIMEOUT:-120}
STOP_TIMEOUT=30

COMPONENTS=(registry broker worker)

say() { echo "stack: $*" >&2; }
die() { echo "stack: error: $*" >&2; exit 1; }

port_open() { (exec 3<>"/dev/tcp/127.0.0.1/$1") 2>/dev/null; }

port_of() {
	case $1 in
	registry) echo $REGISTRY_PORT ;;
	broker) echo $BROKER_PORT ;;
	worker) echo $WORKER_PORT ;;
	esac
}

# The pid of a running component we started, or nothing. A pid file whose process
# is gone (a crash, a reboot) or belongs to another program is stale and removed.
running_pid() {
	local f=$PIDS/$1.pid pid
	[[ -f $f ]] || return 0
	pid=$(<"$f")
	if [[ $pid =~ ^[0-9]+$ ]] && [[ -r /proc/$pid/cmdline ]] &&
		tr '\0' ' ' <"/proc/$pid/cmdline" | grep -q -- "-Dpktring.stack=$1 "; then
		echo "$pid"
	else
		say "$1: removing stale pid file (process $pid is gone; crashed or killed)"
		rm -f "$f"
	fi
}

# --- fetching the artifacts (first run only) ---------------------------------------

mvn_stack() {
	mkdir -p "$LOGS"
	mvn -B -f "$ROOT/scripts/stack/pom.xml" -Dstack.lib="$LIB" "$@" >"$LOGS/maven.log" 2>&1 || {
		tail -n 30 "$LOGS/maven.log" >&2
		die "fetching artifacts with Maven failed; Maven Central must be reachable (log: $LOGS/maven.log)"
	}
}

install_registry() {
	[[ -f $LIB/registry/.complete ]] && return 0
	say "fetching Apicurio Registry $APICURIO_VERSION from Maven Central (first run only)..."
	rm -rf "$LIB/registry"
	mvn_stack -P registry dependency:unpack
	[[ -f $LIB/registry/apicurio-registry-app-$APICURIO_VERSION-runner.jar ]] ||
		die "the registry assembly did not unpack into $LIB/registry"
	touch "$LIB/registry/.complete"
}

install_kafka() {
	[[ -f $LIB/kafka/.complete ]] && return 0
	say "fetching Kafka $KAFKA_VERSION (broker, Connect) from Maven Central (first run only)..."
	rm -rf "$LIB/kafka"
	mvn_stack -P kafka dependency:copy-dependencies
	[[ -f $LIB/kafka/kafka_2.13-$KAFKA_VERSION.jar ]] || die "Kafka jars missing in $LIB/kafka"
	touch "$LIB/kafka/.complete"
}

# The Connect runtime of another Kafka version for the worker (first run only).
install_connect() {
	[[ $CONNECT_VERSION == "$KAFKA_VERSION" ]] && return 0
	[[ -f $LIB/connect-$CONNECT_VERSION/.complete ]] && return 0
	say "fetching Kafka Connect $CONNECT_VERSION from Maven Central (first run only)..."
	rm -rf "$LIB/connect-$CONNECT_VERSION"
	mvn -B -f "$ROOT/scripts/stack/pom.xml" -Dstack.lib="$LIB" -P kafka -Dkafka.version="$CONNECT_VERSION" \
		-Dstack.kafka.dir="$LIB/connect-$CONNECT_VERSION" dependency:copy-dependencies >"$LOGS/maven-connect.log" 2>&1 ||
		die "fetching Connect $CONNECT_VERSION failed (log: $LOGS/maven-connect.log)"
	[[ -f $LIB/connect-$CONNECT_VERSION/connect-runtime-$CONNECT_VERSION.jar ]] ||
		die "Connect $CONNECT_VERSION jars missing in $LIB/connect-$CONNECT_VERSION"
	touch "$LIB/connect-$CONNECT_VERSION/.complete"
}

# The classpath of the worker: the broker's Kafka, or the Connect version asked for.
worker_classpath() {
	if [[ $CONNECT_VERSION == "$KAFKA_VERSION" ]]; then
		echo "$LIB/kafka/*"
	else
		echo "$LIB/connect-$CONNECT_VERSION/*"
	fi
}

install_converter() {
	[[ -f $LIB/plugins/apicurio-converter/.complete ]] && return 0
	install_kafka
	say "fetching the Apicurio Avro converter $APICURIO_VERSION (first run only)..."
	rm -rf "$LIB/plugins/apicurio-converter"
	mvn_stack -P converter dependency:copy-dependencies
	# The converter jar has no META-INF/services manifest; Kafka's own tool writes one
	# so that plugin.discovery=service_load finds it.
	"$JAVA" -cp "$LIB/kafka/*" org.apache.kafka.tools.ConnectPluginPath sync-manifests \
		--plugin-path "$LIB/plugins" >"$LIB/plugins/sync-manifests.log" 2>&1 ||
		die "connect-plugin-path sync-manifests failed, see $LIB/plugins/sync-manifests.log"
	touch "$LIB/plugins/apicurio-converter/.complete"
}

# --- starting ------------------------------------------------------------------------

# launch NAME LOGFILE CMD...: start CMD in its own session (so it outlives this
# script and a Ctrl-C in the terminal), record its pid.
launch() {
	local name=$1 log=$2
	shift 2
	mkdir -p "$PIDS" "$LOGS"
	# Keep the previous run's log (it may hold why that run crashed).
	[[ -f $log ]] && mv -f "$log" "$log.1"
	setsid "$@" >>"$log" 2>&1 </dev/null &
	echo $! >"$PIDS/$name.pid"
}

# wait_ready NAME CHECK...: poll CHECK every second until it succeeds, the process
# dies, or READY_TIMEOUT passes. Shows progress.
wait_ready() {
	local name=$1 pid i
	shift
	pid=$(<"$PIDS/$name.pid")
	for ((i = 0; i < READY_TIMEOUT; i++)); do
		if "$@"; then
			if ((i > 0)) && [[ -t 2 ]]; then echo >&2; fi
			[[ -n ${quiet:-} && $i == 0 ]] || say "$name ready after ${i}s (pid $pid)"
			return 0
		fi
		if ! kill -0 "$pid" 2>/dev/null; then
			[[ -t 2 ]] && echo >&2
			rm -f "$PIDS/$name.pid"
			tail -n 30 "$LOGS/$name.log" >&2 || true
			die "$name exited while starting; log: $LOGS/$name.log"
		fi
		if [[ -t 2 ]]; then
			printf '\rstack: waiting for %s... %ds ' "$name" "$i" >&2
		elif ((i % 10 == 9)); then
			say "waiting for $name... ${i}s"
		fi
		sleep 1
	done
	[[ -t 2 ]] && echo >&2
	tail -n 30 "$LOGS/$name.log" >&2 || true
	die "$name not ready after ${READY_TIMEOUT}s; log: $LOGS/$name.log (stop with: scripts/stack.sh stop)"
}

# Returns 0 when NAME is already up (nothing to do); fails when its port is taken
# by something that is not ours.
already_running() {
	local name=$1 port pid
	port=$(port_of "$name")
	pid=$(running_pid "$name")
	if [[ -n $pid ]]; then
		say "$name already running (pid $pid, 127.0.0.1:$port)"
		return 0
	fi
	if port_open "$port"; then
		die "$name: port 127.0.0.1:$port is in use by another program (not started by this script)"
	fi
	return 1
}

registry_ready() { curl -sf -o /dev/null "http://127.0.0.1:$REGISTRY_PORT/apis/ccompat/v7/subjects"; }

start_registry() {
	if already_running registry; then
		quiet=1 wait_ready registry registry_ready # it may still be starting (a concurrent start)
		return 0
	fi
	install_registry
	# Schemas in an H2 file (Apicurio 2.6's SQL storage) under data/registry: the ids in
	# records already in the broker stay resolvable when the registry alone is restarted.
	mkdir -p "$DATA/registry"
	[[ -f $DATA/registry/registry.mv.db ]] &&
		say "registry: keeping the schemas in $DATA/registry (a full stop removes them)"
	say "starting schema registry (Apicurio $APICURIO_VERSION, schemas in $DATA/registry) on 127.0.0.1:$REGISTRY_PORT"
	launch registry "$LOGS/registry.log" "$JAVA" -Dpktring.stack=registry -Xmx384m \
		-Dquarkus.http.host=127.0.0.1 -Dquarkus.http.port=$REGISTRY_PORT \
		"-Dquarkus.datasource.jdbc.url=jdbc:h2:file:$DATA/registry/registry" \
		-jar "$LIB/registry/apicurio-registry-app-$APICURIO_VERSION-runner.jar"
	wait_ready registry registry_ready
}

broker_ready() {
	port_open $BROKER_PORT && grep -q 'Kafka Server started' "$LOGS/broker.log"
}

start_broker() {
	if already_running broker; then
		quiet=1 wait_ready broker broker_ready # it may still be starting (a concurrent start)
		return 0
	fi
	install_kafka
	mkdir -p "$DATA/kafka" "$CONF"
	{
		cat "$ROOT/config/local/broker.properties"
		echo "log.dirs=$DATA/kafka"
	} >"$CONF/broker.properties"
	# Storage is formatted once and kept until a full stop: a restarted broker keeps its
	# topics, among them the worker's internal (compacted) topics, whose loss would stop
	# the worker. The registry keeps its schemas the same way, so the ids stay valid.
	if [[ -f $DATA/kafka/meta.properties ]]; then
		say "broker: keeping the storage in $DATA/kafka (a full stop removes it)"
	else
		say "formatting broker storage"
		"$JAVA" -cp "$LIB/kafka/*" -Dlog4j2.configurationFile="$ROOT/config/local/log4j2.properties" \
			kafka.tools.StorageTool format -t "$("$JAVA" -cp "$LIB/kafka/*" kafka.tools.StorageTool random-uuid 2>/dev/null)" \
			-c "$CONF/broker.properties" >"$LOGS/broker-format.log" 2>&1 ||
			die "formatting broker storage failed; log: $LOGS/broker-format.log"
	fi
	say "starting broker (Kafka $KAFKA_VERSION, KRaft) on 127.0.0.1:$BROKER_PORT"
	launch broker "$LOGS/broker.log" "$JAVA" -Dpktring.stack=broker -Xmx768m \
		-Dlog4j2.configurationFile="$ROOT/config/local/log4j2.properties" \
		-cp "$LIB/kafka/*" kafka.Kafka "$CONF/broker.properties"
	wait_ready broker broker_ready
}

worker_ready() { curl -sf -o /dev/null "http://127.0.0.1:$WORKER_PORT/connectors"; }

start_worker() {
	if already_running worker; then
		quiet=1 wait_ready worker worker_ready # it may still be starting (a concurrent start)
		return 0
	fi
	install_kafka
	install_converter
	install_connect
	[[ -n $(running_pid broker) ]] || die "worker needs the broker: scripts/stack.sh start broker"
	[[ -n $(running_pid registry) ]] ||
		say "note: the registry is not running; the Avro converter needs it (scripts/stack.sh start registry)"
	local plugin_path=$LIB/plugins
	if [[ -d $PLUGIN_DIR ]]; then
		plugin_path+=",$PLUGIN_DIR"
	else
		say "note: $PLUGIN_DIR not found; build the connector (mvn package) for the pktring plugin"
	fi
	mkdir -p "$CONF"
	{
		cat "$ROOT/config/local/worker.properties"
		echo "plugin.path=$plugin_path"
	} >"$CONF/worker.properties"
	say "starting Connect $CONNECT_VERSION worker on 127.0.0.1:$WORKER_PORT (plugin.path=$plugin_path)"
	launch worker "$LOGS/worker.log" "$WORKER_JAVA" -Dpktring.stack=worker -Xmx768m -Djava.rmi.server.hostname=127.0.0.1 \
		${NATIVE_ACCESS:+--enable-native-access=$NATIVE_ACCESS} "${WORKER_JAVA_OPTS[@]}" \
		-Dlog4j2.configurationFile="$ROOT/config/local/log4j2.properties" \
		-cp "$(worker_classpath)" org.apache.kafka.connect.cli.ConnectDistributed "$CONF/worker.properties"
	wait_ready worker worker_ready
	# JMX (the connector's metrics) on loopback only, without auth: local use. Started
	# through jcmd because the -Dcom.sun.management.jmxremote.* flags also open a local
	# connector port on every interface.
	local jcmd_bin
	jcmd_bin=$(dirname "$(command -v "$WORKER_JAVA")")/jcmd
	"$jcmd_bin" "$(<"$PIDS/worker.pid")" ManagementAgent.start jmxremote.port=$WORKER_JMX_PORT \
		jmxremote.rmi.port=$WORKER_JMX_PORT jmxremote.host=127.0.0.1 jmxremote.authenticate=false \
		jmxremote.ssl=false >"$LOGS/worker-jmx.log" 2>&1 &&
		say "worker JMX on 127.0.0.1:$WORKER_JMX_PORT" ||
		say "note: worker JMX not started (see $LOGS/worker-jmx.log); metrics need it"
}

# --- stopping and status ---------------------------------------------------------------

stop_one() {
	local name=$1 pid i
	pid=$(running_pid "$name")
	[[ -n $pid ]] || return 0
	say "stopping $name (pid $pid)"
	kill -TERM "$pid" 2>/dev/null || true
	for ((i = 0; i < STOP_TIMEOUT * 5; i++)); do
		kill -0 "$pid" 2>/dev/null || break
		sleep 0.2
	done
	if kill -0 "$pid" 2>/dev/null; then
		say "$name did not stop in ${STOP_TIMEOUT}s; killing it"
		kill -KILL "$pid" 2>/dev/null || true
		sleep 0.5
	fi
	rm -f "$PIDS/$name.pid"
}

cmd_stop() {
	local name
	case ${1:-all} in
	all)
		for name in worker broker registry; do
			stop_one "$name"
		done
		rm -rf "$DATA"
		say "stopped; data removed (topics, schemas, connectors and their offsets); logs kept in $LOGS"
		;;
	registry | broker | worker)
		stop_one "$1"
		say "$1 stopped; the stack's data is kept until a full stop (scripts/stack.sh stop)"
		;;
	*) die "unknown part '$1' (all|registry|broker|worker)" ;;
	esac
}

cmd_status() {
	local name pid port all=0
	for name in "${COMPONENTS[@]}"; do
		pid=$(running_pid "$name")
		port=$(port_of "$name")
		if [[ -n $pid ]] && port_open "$port"; then
			printf '%-9s running  pid %-8s 127.0.0.1:%s\n' "$name" "$pid" "$port"
		elif [[ -n $pid ]]; then
			printf '%-9s starting pid %-8s 127.0.0.1:%s not open yet\n' "$name" "$pid" "$port"
			all=1
		else
			printf '%-9s stopped\n' "$name"
			all=1
		fi
	done
	return $all
}

cmd_logs() {
	local name
	for name in "${@:-${COMPONENTS[@]}}"; do
		[[ -f $LOGS/$name.log ]] || { say "no log for $name"; continue; }
		echo "==> $LOGS/$name.log <=="
		tail -n 100 "$LOGS/$name.log"
	done
}

java_check() {
	local v
	v=$("$JAVA" -XshowSettings:properties -version 2>&1 | sed -n 's/^ *java.specification.version = //p')
	[[ -n $v ]] || die "no java found (set JAVA_HOME or put Java 17+ on PATH)"
	((${v%%.*} >= 17)) || die "Java 17 or newer needed, found $v ($JAVA)"
}

main() {
	local cmd=${1:-}
	shift || true
	case $cmd in
	start)
		java_check
		command -v curl >/dev/null || die "curl is needed"
		case ${1:-all} in
		all) start_registry; start_broker; start_worker ;;
		registry) start_registry ;;
		broker) start_broker ;;
		worker) start_worker ;;
		*) die "unknown part '$1' (all|registry|broker|worker)" ;;
		esac
		;;
	stop) cmd_stop "$@" ;;
	status) cmd_status ;;
	logs) cmd_logs "$@" ;;
	install) java_check; install_registry; install_kafka; install_converter ;;
	*)
		echo "usage: $0 start|stop [all|registry|broker|worker] | status | logs [NAME] | install" >&2
		exit 2
		;;
	esac
}

main "$@"
