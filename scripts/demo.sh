#!/usr/bin/env bash
# The main job on this machine, end to end:
#   build the ring tools, the connector and topic2pcap; start the local stack
#   (scripts/stack.sh); capture live traffic into a ring with pktring-capd on a veth
#   pair whose other end is in a network namespace made for the demo (or, where
#   that is impossible, replay the project's own test captures into the ring:
#   tests/testdata.sh --corpus); deploy the connector
#   through the Connect REST API with config/connectors/demo-all.json; read the
#   topic back with topic2pcap (Avro decoded through the registry) and print a
#   tcpdump line per packet, then the counts in ring, connector and topic, and loss.
#
#   scripts/demo.sh [--ci] [--replay] [--datagrams N]
#     --ci          non-interactive: no colours or progress lines, exit non-zero on any
#                   mismatch (the end-to-end test runs this)
#     --replay      skip live capture; replay captures of the project's corpus instead
#     --datagrams N UDP datagrams to send from the namespace (default 20)
#
# Output files are in run/demo/: ring.pcap (pktring-dump of the ring), topic.pcap
# (what topic2pcap read back from Kafka), counts.json, replay-files.txt (the captures
# replayed, one path a line). Nothing of an earlier run (connector, topic, ring, these
# files) is removed before the source is known and the build and stack are up.
# The stack keeps running;
# stop it with scripts/stack.sh stop. The namespace and veth pair are removed on exit.
set -euo pipefail

ROOT=$(cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd)
cd "$ROOT"
# On a fresh machine this is the first command run: install the Debian packages the
# build and the demo need (root only; without root the demo replays and needs them present).
if ((EUID == 0)); then
	scripts/install-deps.sh
fi
OUT=$ROOT/run/demo
BIN=$ROOT/kmod/bin
CONNECT=http://127.0.0.1:8083
REGISTRY=http://127.0.0.1:8081/apis/ccompat/v7
BOOTSTRAP=127.0.0.1:9092
command -v jq >/dev/null || { echo "demo: jq is needed (scripts/install-deps.sh installs it)" >&2; exit 1; }
CONFIG=config/connectors/demo-all.json
CONNECTOR=$(jq -r .name "$CONFIG")
RING_NAME=demo
RING=/dev/shm/pktring/$RING_NAME
TOPIC=$(jq -r .topic "$CONFIG")
# The demo's own network: a veth pair, one end in a namespace. 198.18.0.0/15 is the
# benchmarking range (RFC 2544), so it collides with no real network of the host.
NS=pktring-demo
VETH_HOST=pkr-demo0
VETH_NS=pkr-demo1
HOST_IP=198.18.77.1
NS_IP=198.18.77.2
# The fallback source: captures of the project's own corpus (tests/corpus/README.md),
# made on first use. The generator captures these live (as root); without root only
# its hand-made files exist, and the demo replays one of those.
REPLAY_FILES=(tcp.pcap udp.pcap icmp.pcap vlan.pcap qinq.pcap)
REPLAY_HANDMADE=(edge-huge-snaplen.pcap)
WAIT=90 # seconds, for each bounded wait below

ci=0
source_mode=auto
datagrams=20
while (($#)); do
	case $1 in
	--ci) ci=1 ;;
	--replay) source_mode=replay ;;
	--datagrams)
		datagrams=${2:?--datagrams needs a number}
		shift
		;;
	-h | --help)
		sed -n '2,20p' "$0" | sed 's/^# \{0,1\}//'
		exit 0
		;;
	*)
		echo "demo: unknown option '$1' (see --help)" >&2
		exit 2
		;;
	esac
	shift
done
[[ $datagrams =~ ^[0-9]+$ ]] && ((datagrams > 0 && datagrams <= 100000)) ||
	{ echo "demo: --datagrams must be 1..100000" >&2; exit 2; }

step_no=0
step() {
	step_no=$((step_no + 1))
	if ((ci)); then
		echo "demo: [$step_no/8] $*"
	else
		printf '\n\033[1m[%d/8] %s\033[0m\n' "$step_no" "$*"
	fi
}
say() { echo "demo: $*"; }
die() {
	echo "demo: error: $*" >&2
	exit 1
}

# wait_for SECONDS WHAT CMD...: run CMD about twice a second until it succeeds or
# SECONDS of wall time have passed.
wait_for() {
	local secs=$1 what=$2 deadline=$((SECONDS + $1))
	shift 2
	while ((SECONDS < deadline)); do
		"$@" && { ((ci)) || printf '\r\033[K'; return 0; }
		((ci)) || printf '\r  waiting for %s... %ds ' "$what" $((secs - (deadline - SECONDS)))
		sleep 0.5
	done
	((ci)) || echo
	return 1
}

# --- clean up what the demo made (not the stack) -------------------------------------

writer_pid=
cleanup() {
	if [[ -n $writer_pid ]] && kill -0 "$writer_pid" 2>/dev/null; then
		kill -TERM "$writer_pid" 2>/dev/null || true
		wait "$writer_pid" 2>/dev/null || true
	fi
	if ip netns list 2>/dev/null | grep -qw "^$NS"; then
		ip netns del "$NS" 2>/dev/null || true
	fi
	ip link del "$VETH_HOST" 2>/dev/null || true
}
trap cleanup EXIT
trap 'exit 130' INT TERM

# --- 0. the source, known before anything is removed ---------------------------------

live_possible() {
	[[ $(id -u) == 0 ]] || { say "live capture needs root (network namespace, AF_PACKET)"; return 1; }
	command -v ip >/dev/null || { say "live capture needs iproute2"; return 1; }
	ip netns del "$NS" 2>/dev/null || true
	ip link del "$VETH_HOST" 2>/dev/null || true
	ip netns add "$NS" 2>/dev/null || { say "cannot create a network namespace here"; return 1; }
	if ! ip link add "$VETH_HOST" type veth peer name "$VETH_NS" netns "$NS" 2>/dev/null; then
		say "cannot create a veth pair here"
		return 1
	fi
	ip addr add "$HOST_IP/30" dev "$VETH_HOST" && ip link set "$VETH_HOST" up &&
		ip -n "$NS" addr add "$NS_IP/30" dev "$VETH_NS" && ip -n "$NS" link set "$VETH_NS" up &&
		ip -n "$NS" link set lo up
}

# replay_files: the corpus captures to replay (the live ones when the corpus has them)
replay_files() {
	local corpus f
	corpus=$(tests/testdata.sh --corpus) || die "cannot make the test corpus (tests/testdata.sh)"
	for f in "${REPLAY_FILES[@]}"; do
		[[ -r $corpus/$f ]] && files+=("$corpus/$f")
	done
	if ((${#files[@]} == 0)); then
		say "the corpus has no live captures (made as root); replaying its hand-made ones"
		for f in "${REPLAY_HANDMADE[@]}"; do
			[[ -r $corpus/$f ]] || die "the test capture $corpus/$f is missing"
			files+=("$corpus/$f")
		done
	fi
}

mkdir -p "$OUT"
files=()
if [[ $source_mode == auto ]] && live_possible; then
	source_mode=capture
else
	source_mode=replay
	cleanup
	replay_files
fi

# --- 1. build -----------------------------------------------------------------------------

step "building the ring tools (make -C kmod), the connector and topic2pcap (mvn package)"
for tool in jq curl tcpdump tshark; do
	command -v $tool >/dev/null || die "$tool is needed (scripts/install-deps.sh installs it)"
done
make -s -C kmod >"$OUT/build.log" 2>&1 || { tail -n 30 "$OUT/build.log"; die "make -C kmod failed; log: $OUT/build.log"; }
say "building Java modules; the first run downloads dependencies from Maven Central..."
mvn -B -q package -DskipTests >>"$OUT/build.log" 2>&1 ||
	{ tail -n 30 "$OUT/build.log"; die "mvn package failed; log: $OUT/build.log"; }
[[ -d connector/target/plugin/pktring-connector ]] || die "connector plugin dir missing after mvn package"

# --- 2. stack -----------------------------------------------------------------------------

step "starting the local stack (registry, broker, Connect worker)"
# A worker started before the plugin was built would not know the connector.
if curl -sf "$CONNECT/connectors" >/dev/null &&
	! curl -sf "$CONNECT/connector-plugins" | jq -e 'any(.[]; .class == "io.pktring.connect.PktringSourceConnector")' >/dev/null; then
	say "the running worker lacks the pktring plugin; restarting it"
	scripts/stack.sh stop worker
fi
scripts/stack.sh start all

topic_records() { # the sum of the end offsets of TOPIC's partitions
	{ scripts/kafka-tool GetOffsetShell --bootstrap-server $BOOTSTRAP --topic "$1" || true; } |
		awk -F: '{ n += $NF } END { print n + 0 }'
}

# A clean slate from an earlier demo on the same stack: no connector, no topic.
# Remove the connector of an earlier run, offsets too (KIP-875), so this run starts afresh.
connector_gone() { [[ $(curl -s -o /dev/null -w '%{http_code}' "$CONNECT/connectors/$CONNECTOR/status") == 404 ]]; }
connector_stopped() { curl -sf "$CONNECT/connectors/$CONNECTOR/status" | jq -e '.connector.state == "STOPPED"' >/dev/null; }
if ! connector_gone; then
	say "removing connector $CONNECTOR (and its offsets) left from an earlier run"
	curl -sf -o /dev/null -X PUT "$CONNECT/connectors/$CONNECTOR/stop" || die "cannot stop connector $CONNECTOR"
	wait_for $WAIT "the connector to stop" connector_stopped || die "connector $CONNECTOR did not stop"
	curl -sf -o /dev/null -X DELETE "$CONNECT/connectors/$CONNECTOR/offsets" ||
		die "cannot reset the offsets of connector $CONNECTOR"
	curl -sf -o /dev/null -X DELETE "$CONNECT/connectors/$CONNECTOR" || die "cannot delete connector $CONNECTOR"
	wait_for $WAIT "connector removal" connector_gone || die "connector $CONNECTOR was not removed"
fi
topic_exists() { scripts/kafka-tool TopicCommand --bootstrap-server $BOOTSTRAP --list | grep -qx "$TOPIC"; }
topic_gone() { ! topic_exists; }
if topic_exists; then
	say "deleting topic $TOPIC left from an earlier run"
	scripts/kafka-tool TopicCommand --bootstrap-server $BOOTSTRAP --delete --topic "$TOPIC" >/dev/null
	wait_for $WAIT "topic deletion" topic_gone || die "topic $TOPIC was not deleted"
fi

# --- 3. the ring --------------------------------------------------------------------------

ring_state() { "$BIN/pktring-stat" -r "$RING_NAME" --json 2>/dev/null | jq -r .state; }
ring_live() { [[ $(ring_state) == live ]]; }
ring_exists() { [[ -n $(ring_state) ]]; }

rm -f "$OUT"/*.pcap "$OUT"/*.json "$OUT"/*.txt "$RING"
if [[ $source_mode == capture ]]; then
	step "capturing $VETH_HOST live into ring $RING (pktring-capd; the other end is in namespace $NS)"
	"$BIN/pktring-capd" -i "$VETH_HOST" -r "$RING_NAME" --size 16M 2>"$OUT/capd.log" &
	writer_pid=$!
	wait_for 10 "the ring" ring_live ||
		{ cat "$OUT/capd.log" >&2; die "pktring-capd did not bring the ring up"; }
else
	printf '%s\n' "${files[@]}" >"$OUT/replay-files.txt"
	step "live capture not possible here; replaying ${#files[@]} test captures into ring $RING (pktring-replay)"
	"$BIN/pktring-replay" -r "$RING_NAME" --size 16M --rate 200 --hold "${files[@]}" 2>"$OUT/replay.log" &
	writer_pid=$!
	wait_for 10 "the ring" ring_exists ||
		{ cat "$OUT/replay.log" >&2; die "pktring-replay did not create the ring"; }
fi

# --- 4. the connector ---------------------------------------------------------------------

step "deploying the connector: PUT $CONNECT/connectors/$CONNECTOR/config < $CONFIG"
code=$(curl -s -o "$OUT/deploy.json" -w '%{http_code}' -X PUT -H 'Content-Type: application/json' \
	--data @"$CONFIG" "$CONNECT/connectors/$CONNECTOR/config")
[[ $code == 200 || $code == 201 ]] || { cat "$OUT/deploy.json" >&2; echo >&2; die "deploying the connector: HTTP $code"; }
connector_running() {
	local s
	s=$(curl -sf "$CONNECT/connectors/$CONNECTOR/status") || return 1
	if jq -e '.connector.state == "FAILED" or any(.tasks[]; .state == "FAILED")' <<<"$s" >/dev/null; then
		jq -r '.connector.trace // (.tasks[] | select(.state == "FAILED") | .trace)' <<<"$s" | head -n 20 >&2
		die "the connector failed (above); worker log: run/stack/logs/worker.log"
	fi
	jq -e '.connector.state == "RUNNING" and (.tasks | length) > 0 and all(.tasks[]; .state == "RUNNING")' <<<"$s" >/dev/null
}
wait_for $WAIT "the connector to run" connector_running || die "the connector is not RUNNING after ${WAIT}s"
say "connector $CONNECTOR is RUNNING"

# --- 5. traffic ---------------------------------------------------------------------------

if [[ $source_mode == capture ]]; then
	step "sending traffic from namespace $NS to $HOST_IP over the veth pair ($datagrams UDP datagrams, TCP connects)"
	# UDP to a closed port (the host answers ICMP port unreachable) and TCP connects
	# to a closed port (answered with RST): packets in both directions.
	ip netns exec "$NS" timeout 60 bash -c '
		for ((i = 1; i <= '"$datagrams"'; i++)); do
			printf "pktring demo datagram %d\n" $i >/dev/udp/'"$HOST_IP"'/5555
			if ((i % 5 == 0)); then
				timeout 1 bash -c "exec 3<>/dev/tcp/'"$HOST_IP"'/5556" 2>/dev/null || true
			fi
			sleep 0.05
		done' || die "sending traffic in namespace $NS failed"
	sleep 1 # late replies
	# Ending the capture ends the ring; the connector drains it to the head.
	kill -TERM "$writer_pid"
	wait "$writer_pid" || true
	writer_pid=
	cat "$OUT/capd.log"
else
	step "replaying (200 packets/s into the ring)"
	replay_done() { grep -q 'wrote' "$OUT/replay.log"; }
	wait_for $WAIT "the replay" replay_done || die "the replay did not finish"
	kill -TERM "$writer_pid"
	wait "$writer_pid" || true
	writer_pid=
	cat "$OUT/replay.log"
fi
[[ $(ring_state) == ended ]] || die "ring $RING is not ended after its writer stopped"
"$BIN/pktring-stat" -r "$RING_NAME" --json >"$OUT/ring-stat.json"
captured=$(jq .counters.captured "$OUT/ring-stat.json")
"$BIN/pktring-dump" -r "$RING_NAME" -q -w "$OUT/ring.pcap" || die "pktring-dump of the ring failed"
((captured > 0)) || die "the ring captured no packets"

# --- 6. Kafka -----------------------------------------------------------------------------

step "waiting for the $captured packets of the ring in topic $TOPIC"
topic_has_all() { (($(topic_records "$TOPIC") >= captured)); }
wait_for $WAIT "topic $TOPIC" topic_has_all ||
	say "topic $TOPIC has $(topic_records "$TOPIC") of $captured packets after ${WAIT}s; continuing (counted below)"
records=$(topic_records "$TOPIC")

# --- 7. read back -------------------------------------------------------------------------

step "reading topic $TOPIC back (topic2pcap: Avro decoded with the schema from $REGISTRY)"
t2p_status=0
scripts/topic2pcap -b $BOOTSTRAP -r "$REGISTRY" -t "$TOPIC" -w "$OUT/topic.pcap" 2>"$OUT/topic2pcap.log" ||
	t2p_status=$?
cat "$OUT/topic2pcap.log"
((t2p_status == 0)) || die "topic2pcap failed (exit $t2p_status)"
tcpdump -n -tttt --nano -r "$OUT/topic.pcap" 2>/dev/null | tee "$OUT/topic.txt"
# Count packets, not lines (tcpdump prints some packets on several lines).
count_packets() { tshark -n -r "$1" -T fields -e frame.number 2>/dev/null | wc -l; }
read_back=$(count_packets "$OUT/topic.pcap")

# --- 8. counts ----------------------------------------------------------------------------

step "counts"
status=$(curl -sf "$CONNECT/connectors/$CONNECTOR/status")
offsets=$(curl -sf "$CONNECT/connectors/$CONNECTOR/offsets" || echo '{}')
next_seq=$(jq '[.offsets[]?.offset.seq] | max // 0' <<<"$offsets")
drops=$(jq '[.counters | to_entries[] | select(.key | startswith("drop_")) | .value] | add' "$OUT/ring-stat.json")
# The task's metrics, over JMX (the worker's JMX port is on loopback): {"PacketsRead": n, ...}
scripts/kafka-tool JmxTool --jmx-url service:jmx:rmi:///jndi/rmi://127.0.0.1:9875/jmxrmi --one-time true \
	--object-name "io.pktring:type=connector-task-metrics,connector=\"$CONNECTOR\",task=0" \
	--report-format properties 2>/dev/null | sed -n 's/^io\.pktring:[^:]*:\([A-Za-z]*\)=\(-\{0,1\}[0-9][0-9]*\)$/\1 \2/p' |
	jq -R -n '[inputs | split(" ") | {(.[0]): (.[1] | tonumber)}] | add // {}' >"$OUT/connector-metrics.json" ||
	echo '{}' >"$OUT/connector-metrics.json"
ring_dump=$(count_packets "$OUT/ring.pcap")
if jq -e 'any(.tasks[]; .state == "FAILED")' <<<"$status" >/dev/null; then
	jq -r '.tasks[] | select(.state == "FAILED") | .trace' <<<"$status" | head -n 20 >&2
fi
jq -n --arg source "$source_mode" --argjson ring "$(cat "$OUT/ring-stat.json")" --argjson records "$records" \
	--argjson read_back "$read_back" --argjson next_seq "$next_seq" --argjson ring_dump "$ring_dump" \
	--argjson status "$status" --argjson metrics "$(cat "$OUT/connector-metrics.json")" \
	'{source: $source, ring: {seen: $ring.counters.seen, captured: $ring.counters.captured,
	  dropped: ([$ring.counters | to_entries[] | select(.key | startswith("drop_")) | .value] | add),
	  dumped: $ring_dump},
	  connector: {state: $status.connector.state, tasks: [$status.tasks[].state], next_seq: $next_seq,
	  read: $metrics.PacketsRead, published: $metrics.PacketsPublished, lost: $metrics.PacketsLost,
	  lag_bytes: $metrics.RingLag},
	  topic: {records: $records, packets_read_back: $read_back}}' >"$OUT/counts.json"
printf '  %-10s %s\n' \
	"ring" "$(jq -r '.ring | "\(.seen) seen, \(.captured) captured, \(.dropped) dropped before the ring (pktring-stat)"' "$OUT/counts.json")" \
	"connector" "$(jq -r '.connector | "\(.state), tasks \(.tasks | join(",")); \(.read // "?") read, \(.published // "?") published, \(.lost // "?") lost (JMX); offsets committed up to seq \(.next_seq) (REST)"' "$OUT/counts.json")" \
	"topic" "$records records in $TOPIC, $read_back packets read back by topic2pcap"
lost=$((captured - read_back))
lapped=$(jq '.connector.lost // 0' "$OUT/counts.json")
if ((lost == 0 && drops == 0 && lapped == 0)); then
	say "loss: none (every packet the ring captured is in Kafka)"
else
	say "loss: $drops dropped before the ring, $lapped lapped in the connector;" \
		"$lost captured packets not read back from Kafka"
fi
say "files: $OUT/ring.pcap (ring), $OUT/topic.pcap (from Kafka), $OUT/counts.json"
say "the ring file stays for other readers: $RING (kmod/bin/pktring-dump -r $RING_NAME | tcpdump -r -)"
say "the stack keeps running: scripts/stack.sh status | logs | stop"
if ((ci)) && ((lost != 0 || captured != ring_dump)); then
	die "packets differ: ring captured $captured, dumped $ring_dump, read back from Kafka $read_back"
fi
