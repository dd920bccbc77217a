#!/usr/bin/env bash
# The plugin on other workers than the local stack's own (Connect 4.3.1 on Java 17): the main
# job (scripts/demo.sh --ci --replay: ring -> connector -> Kafka -> topic2pcap, every packet
# compared) on
#   - a Connect 3.9.2 worker (the 3.x line), Java 17;
#   - a Connect 4.3.1 worker on Java 25 run with --illegal-native-access=deny, which a
#     future JDK makes the default; the stack's --enable-native-access=ALL-UNNAMED lets JNA in;
#   - the same worker without that flag: the plugin is refused (what the flag is for).
# Each case checks the worker's reported version and JVM before the demo. A table at the end.
#   tests/compat.sh            (about 5 min; stops the local stack first and at the end)
# Java 25: PKTRING_JAVA25_HOME, else /usr/lib/jvm/*25*.
set -uo pipefail
ROOT=$(cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd)
cd "$ROOT"
OUT=$ROOT/run/compat
mkdir -p "$OUT"
JAVA25_HOME=${PKTRING_JAVA25_HOME:-$(ls -d /usr/lib/jvm/*25* 2>/dev/null | head -n 1)}
results=()
failed=0

# run_case NAME WANT_VERSION WANT_JVM_TEXT ENV...: the demo on a worker started with ENV.
run_case() {
	local name=$1 want_version=$2 want_jvm=$3
	shift 3
	local log=$OUT/${name// /-}.log t0=$SECONDS
	echo "==> $name"
	scripts/stack.sh stop >/dev/null 2>&1
	local verdict=ok
	if ! env "$@" scripts/stack.sh start >"$log" 2>&1; then
		verdict="stack did not start"
	else
		local version pid
		version=$(curl -sf http://127.0.0.1:8083/ | jq -r .version)
		pid=$(<run/stack/pids/worker.pid)
		if [[ $version != "$want_version" ]]; then
			verdict="worker reports Connect $version, not $want_version"
		elif ! tr '\0' ' ' <"/proc/$pid/cmdline" | grep -q -- "$want_jvm"; then
			verdict="worker JVM lacks '$want_jvm'"
		elif ! env "$@" scripts/demo.sh --ci --replay >>"$log" 2>&1; then
			verdict="demo failed"
		fi
	fi
	local counts=-
	[[ -f run/demo/counts.json ]] && counts=$(jq -c "{ring: .ring.captured, topic: .topic.packets_read_back}" run/demo/counts.json 2>/dev/null || echo -)
	[[ $verdict == ok ]] || { failed=1; tail -n 20 "$log"; }
	results+=("$(printf '%-52s %-8s %-40s %4d s' "$name" "${verdict%% *}" "$counts" $((SECONDS - t0)))")
	[[ $verdict == ok ]] || results+=("    $verdict (log: $log)")
}

# run_refused NAME ENV...: a worker started with ENV must refuse the plugin's validation with
# Java's illegal native access error (HTTP 500), not run it.
run_refused() {
	local name=$1 t0=$SECONDS
	shift
	local log=$OUT/${name// /-}.log verdict=ok code
	echo "==> $name"
	scripts/stack.sh stop >/dev/null 2>&1
	if ! env "$@" scripts/stack.sh start >"$log" 2>&1; then
		verdict="stack did not start"
	else
		code=$(curl -s -o "$OUT/refused.json" -w '%{http_code}' -X PUT -H 'Content-Type: application/json' \
			--data @config/connectors/demo-all.json \
			http://127.0.0.1:8083/connector-plugins/PktringSourceConnector/config/validate)
		if [[ $code == 200 ]]; then
			verdict="validated without the flag (HTTP 200): the flag would not be needed"
		elif ! grep -q "Illegal native access" run/stack/logs/worker.log; then
			verdict="HTTP $code, but no 'Illegal native access' in the worker log"
		fi
	fi
	[[ $verdict == ok ]] || failed=1
	results+=("$(printf '%-52s %-8s %-40s %4d s' "$name" "${verdict%% *}" "refused (HTTP ${code:-?})" $((SECONDS - t0)))")
	[[ $verdict == ok ]] || results+=("    $verdict (log: $log)")
}

run_case "Connect 3.9.2, Java 17" 3.9.2 "--enable-native-access=ALL-UNNAMED" PKTRING_CONNECT_VERSION=3.9.2
if [[ -x $JAVA25_HOME/bin/java ]]; then
	run_case "Connect 4.3.1, Java 25, --illegal-native-access=deny" 4.3.1 "--illegal-native-access=deny" \
		PKTRING_WORKER_JAVA="$JAVA25_HOME/bin/java" PKTRING_WORKER_JAVA_OPTS=--illegal-native-access=deny
	run_refused "the same without --enable-native-access" PKTRING_WORKER_NATIVE_ACCESS= \
		PKTRING_WORKER_JAVA="$JAVA25_HOME/bin/java" PKTRING_WORKER_JAVA_OPTS=--illegal-native-access=deny
else
	failed=1
	results+=("Connect 4.3.1, Java 25: no Java 25 found (set PKTRING_JAVA25_HOME)")
fi
scripts/stack.sh stop >/dev/null 2>&1

echo
printf '%-52s %-8s %-40s %s\n' "worker" "result" "packets (ring, topic)" "time"
printf '%s\n' "${results[@]}"
exit $failed
