#!/usr/bin/env bash
# Live line rate: pktring-capd captures one end of a veth pair (network namespaces this test
# creates and removes) while the other end sends 60-byte UDP frames as fast as it can
# (kmod/tests/udp_sender --flood) for SECONDS; the connector, in block mode on the local
# stack's worker, publishes the 64 MiB ring. Asserts: no packet lost to lapping (the records'
# loss counts and the task's PacketsLost are 0), and every packet of the ring is in Kafka
# exactly once (the distinct seqs in the topic = the ring's captured count, 0..captured-1, no
# duplicate). Prints the rates achieved and, apart, the kernel's drops before the ring
# (drop_source) and the frames the veth pair itself dropped.
#
#   tests/line_rate.sh [SECONDS [MAXCOUNT]]    # root; default 10 s, no cap
#
# MAXCOUNT caps the datagrams sent. tests/run.sh (CI) runs `line_rate.sh 3 300000`: 300,000
# frames fill 46% of the ring, so whether the connector keeps up with a flood on a loaded
# machine cannot fail CI, while exactly-once delivery of a live flood still can. The uncapped
# run (connector/bench/run.sh --live) is the keep-up figure.
#
# Uses the local stack (scripts/stack.sh start, done here), the plugin and the bench module
# built by `mvn package`, and `make -C kmod`.
set -euo pipefail
ROOT=$(cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd)
cd "$ROOT"
SECONDS_TO_SEND=${1:-10}
MAXCOUNT=${2:-}
CONNECT=http://127.0.0.1:8083
BOOTSTRAP=127.0.0.1:9092
SIZE=18 # UDP payload: 14 + 20 + 8 + 18 = 60-byte frames, the Ethernet minimum without FCS
tag=lrate$$
nsA=$tag-a nsB=$tag-b
ring=/dev/shm/pktring-$tag
name=line-rate-$tag
work=$(mktemp -d)
capd=

die() { echo "line_rate: FAIL: $*" >&2; exit 1; }
cleanup() {
	[[ -n $capd ]] && kill "$capd" 2>/dev/null && wait "$capd" 2>/dev/null
	curl -s -o /dev/null -X DELETE "$CONNECT/connectors/$name" || true
	scripts/kafka-tool TopicCommand --bootstrap-server $BOOTSTRAP --delete --topic "$name" >/dev/null 2>&1 || true
	ip netns del "$nsA" 2>/dev/null || true
	ip netns del "$nsB" 2>/dev/null || true
	rm -rf "$ring" "$work"
}
trap cleanup EXIT
((EUID == 0)) || die "needs root (network namespaces, AF_PACKET)"
sender=kmod/build/release/tests/udp_sender
[[ -x kmod/bin/pktring-capd && -x $sender ]] || make -s -C kmod
[[ -f connector/bench/target/classpath.txt && -d connector/target/plugin ]] ||
	mvn -B -q -pl connector/bench -am package -DskipTests
scripts/stack.sh start all

# --- the link: B sends to a third address on A's segment (a static neighbour with a MAC
# nobody has), so A's kernel drops the frames right after the capture tap, as on a
# monitoring port; no ARP, no ICMP, no IPv6 chatter.
ipA=10.232.$((RANDOM % 250)).1
ipB=${ipA%.1}.2 ipC=${ipA%.1}.3
ip netns add "$nsA"
ip netns add "$nsB"
ip link add "${tag}a" type veth peer name "${tag}b"
ip link set "${tag}a" netns "$nsA"
ip link set "${tag}b" netns "$nsB"
for ns in "$nsA" "$nsB"; do
	ip netns exec "$ns" sysctl -qw net.ipv6.conf.all.disable_ipv6=1 net.ipv6.conf.default.disable_ipv6=1
	ip -n "$ns" link set lo up
done
ip -n "$nsA" addr add "$ipA/24" dev "${tag}a"
ip -n "$nsB" addr add "$ipB/24" dev "${tag}b"
ip -n "$nsA" link set "${tag}a" up
ip -n "$nsB" link set "${tag}b" up
ip -n "$nsB" neigh replace "$ipC" lladdr 02:00:00:00:00:03 dev "${tag}b" nud permanent

ip netns exec "$nsA" kmod/bin/pktring-capd -i "${tag}a" -r "$ring" -s 64M 2>"$work/capd.err" &
capd=$!
for ((i = 0; i < 100; i++)); do
	grep -q capturing "$work/capd.err" 2>/dev/null && break
	sleep 0.1
done
grep -q capturing "$work/capd.err" || die "capd did not start: $(cat "$work/capd.err")"

# --- the connector: block mode, earliest, the worker's send time as the record timestamp
cat >"$work/connector.json" <<EOF
{
  "connector.class": "io.pktring.connect.PktringSourceConnector",
  "tasks.max": "1",
  "ring.paths": "$ring",
  "topic": "$name",
  "start.position": "earliest",
  "record.mode": "block",
  "record.timestamp": "publish",
  "topic.creation.default.replication.factor": "1",
  "topic.creation.default.partitions": "1"
}
EOF
code=$(curl -s -o "$work/put.out" -w '%{http_code}' -X PUT -H 'Content-Type: application/json' \
	--data @"$work/connector.json" "$CONNECT/connectors/$name/config")
[[ $code == 201 || $code == 200 ]] || die "deploying the connector: HTTP $code $(cat "$work/put.out")"
for ((i = 0; i < 120; i++)); do
	curl -sf "$CONNECT/connectors/$name/status" 2>/dev/null |
		jq -e '.tasks | length > 0 and all(.[]; .state == "RUNNING")' >/dev/null 2>&1 && break
	sleep 0.5
done
((i < 120)) || die "connector not running: $(curl -s "$CONNECT/connectors/$name/status")"

# --- the flood
sent=$(ip netns exec "$nsB" "$sender" --flood "$SECONDS_TO_SEND" "$ipC" 9 $SIZE $MAXCOUNT)
sleep 0.5
kill -TERM "$capd"
wait "$capd" || die "capd exited $?: $(cat "$work/capd.err")"
capd=
kmod/bin/pktring-stat --json -r "$ring" >"$work/stat.json"
captured=$(jq .counters.captured "$work/stat.json")
drop_source=$(jq .counters.drop_source "$work/stat.json")
veth_drops=$(( $(ip netns exec "$nsA" cat /sys/class/net/"${tag}a"/statistics/rx_dropped) +
	$(ip netns exec "$nsB" cat /sys/class/net/"${tag}b"/statistics/tx_dropped) ))
read -r n_sent send_s <<<"$(awk '{ print $2, $5 }' <<<"$sent")"

# --- what Kafka holds, by seq
cp=$ROOT/connector/bench/target/pktring-connector-bench.jar:$(cat connector/bench/target/classpath.txt)
(cd connector && java -cp "$cp" io.pktring.connect.bench.TopicSeqs $BOOTSTRAP "$name" "$captured" 30000) \
	>"$work/seqs.json" 2>"$work/seqs.err" || die "reading the topic: $(tail -5 "$work/seqs.err")"
seqs=$(tail -1 "$work/seqs.json")
jmx_lost=$(scripts/kafka-tool JmxTool --jmx-url service:jmx:rmi:///jndi/rmi://127.0.0.1:9875/jmxrmi --one-time true \
	--object-name "io.pktring:type=connector-task-metrics,connector=\"$name\",task=0" --attributes PacketsLost \
	--report-format properties 2>/dev/null | sed -n 's/.*:PacketsLost=\([0-9]*\)$/\1/p' | tail -1)

read -r records distinct dups minseq maxseq lost t0 t1 <<<"$(jq -r \
	'"\(.records) \(.distinct) \(.duplicates) \(.min_seq) \(.max_seq) \(.lost) \(.first_ts) \(.last_ts)"' <<<"$seqs")"
awk -v n="$n_sent" -v s="$send_s" -v c="$captured" -v d="$drop_source" -v v="$veth_drops" \
	-v p="$distinct" -v r="$records" -v t0="$t0" -v t1="$t1" 'BEGIN {
	printf "line rate: sent %d frames of 60 bytes in %.2f s (%.0f/s); ring captured %d (%.0f/s)\n", n, s, n / s, c, c / s
	printf "line rate: kernel drops before the ring (drop_source) %d; dropped by the veth pair %d\n", d, v
	span = (t1 - t0) / 1000
	printf "line rate: connector published %d packets in %d records, %.2f s from first to last record (%.0f packets/s)\n",
		p, r, span, span > 0 ? p / span : 0
}'
echo "line rate: topic by seq: $seqs; task PacketsLost ${jmx_lost:-?}"

((captured > 0)) || die "the ring captured nothing"
((lost == 0)) || die "$lost packets lost to lapping (the records' loss counts)"
[[ -z $jmx_lost || $jmx_lost == 0 ]] || die "the task counted $jmx_lost packets lost to lapping"
((dups == 0)) || die "$dups packets in Kafka more than once"
((distinct == captured && minseq == 0 && maxseq == captured - 1)) ||
	die "Kafka holds $distinct distinct packets (seq $minseq..$maxseq), the ring captured $captured"
echo "line rate: ok: every one of the $captured captured packets in Kafka exactly once, none lost to lapping"
