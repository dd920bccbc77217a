#!/usr/bin/env bash
# Live line rate: pktring-capd captures one end of a veth pair (network namespaces this test
# creates and removes) while the other end sends 60-byte UDP frames as fast as it can
# (kmod/tests/udp_sender --flood) for SECONDS; the connector, in block mode in a real Connect
# worker (connector/bench's LineRate: a KRaft broker and a worker in one JVM, no fixed ports),
# publishes the 64 MiB ring. Asserts: no packet lost to lapping (the records' loss counts and
# the task's PacketsLost are 0) and every packet of the ring in Kafka exactly once (the
# distinct seqs in the topic = the ring's captured count, 0..captured-1, no duplicate). Prints
# the rates achieved and, apart, the kernel's drops before the ring (drop_source) and the
# frames the veth pair itself dropped.
#
#   tests/line_rate.sh [SECONDS [MAXCOUNT]]    # root; default 10 s, no cap
#
# MAXCOUNT caps the datagrams sent. tests/run.sh (CI) runs `line_rate.sh 3 300000`: 300,000
# frames fill 46% of the ring, so whether the connector keeps up with a flood on a loaded
# 2-core machine cannot fail CI, while exactly-once delivery of a live flood still can. The
# uncapped run (connector/bench/run.sh --live) is the keep-up figure.
#
# Needs the schema registry (scripts/stack.sh start registry, or PKTRING_REGISTRY_URL), the
# bench module built by `mvn package`, and `make -C kmod`.
set -euo pipefail
ROOT=$(cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd)
cd "$ROOT"
SECONDS_TO_SEND=${1:-10}
MAXCOUNT=${2:-}
SIZE=18 # UDP payload: 14 + 20 + 8 + 18 = 60-byte frames, the Ethernet minimum without FCS
tag=lrate$$
nsA=$tag-a nsB=$tag-b
ring=/dev/shm/pktring-$tag
work=$(mktemp -d)
capd= kafka=

die() { echo "line_rate: FAIL: $*" >&2; exit 1; }
cleanup() {
	[[ -n $capd ]] && kill "$capd" 2>/dev/null && wait "$capd" 2>/dev/null
	[[ -n $kafka ]] && kill "$kafka" 2>/dev/null && wait "$kafka" 2>/dev/null
	ip netns del "$nsA" 2>/dev/null || true
	ip netns del "$nsB" 2>/dev/null || true
	rm -rf "$ring" "$work"
}
trap cleanup EXIT
((EUID == 0)) || die "needs root (network namespaces, AF_PACKET)"
sender=kmod/build/release/tests/udp_sender
[[ -x kmod/bin/pktring-capd && -x $sender ]] || make -s -C kmod
[[ -f connector/bench/target/classpath.txt ]] || mvn -B -q -pl connector/bench -am package -DskipTests

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

# --- Kafka: broker, worker, the block-mode connector on the ring (from its earliest packet)
cp=$ROOT/connector/bench/target/pktring-connector-bench.jar:$(cat connector/bench/target/classpath.txt)
(cd connector && exec java -Xmx2g -cp "$cp" io.pktring.connect.bench.LineRate "$ring" "$work/ready" "$work/done") \
	>"$work/kafka.out" 2>"$work/kafka.err" &
kafka=$!
for ((i = 0; i < 1800; i++)); do
	[[ -e $work/ready ]] && break
	kill -0 "$kafka" 2>/dev/null || die "the worker side exited: $(tail -20 "$work/kafka.err")"
	sleep 0.1
done
[[ -e $work/ready ]] || die "the connector did not start in 180 s: $(tail -20 "$work/kafka.err")"

# --- the flood
sent=$(ip netns exec "$nsB" "$sender" --flood "$SECONDS_TO_SEND" "$ipC" 9 $SIZE $MAXCOUNT)
sleep 0.5
kill -TERM "$capd"
wait "$capd" || die "capd exited $?: $(cat "$work/capd.err")"
capd=
kmod/bin/pktring-stat --json -r "$ring" >"$work/stat.json"
captured=$(jq .counters.captured "$work/stat.json")
drop_source=$(jq .counters.drop_source "$work/stat.json")
veth_drops=$(($(ip netns exec "$nsA" cat /sys/class/net/"${tag}a"/statistics/rx_dropped) +
	$(ip netns exec "$nsB" cat /sys/class/net/"${tag}b"/statistics/tx_dropped)))
read -r n_sent send_s <<<"$(awk '{ print $2, $5 }' <<<"$sent")"
echo "$captured" >"$work/done"
wait "$kafka" || die "the worker side failed: $(tail -20 "$work/kafka.err")"
kafka=
seqs=$(sed -n 's/^line-rate-result: //p' "$work/kafka.out")
[[ -n $seqs ]] || die "no result from the worker side: $(tail -20 "$work/kafka.out" "$work/kafka.err")"

read -r records distinct dups minseq maxseq lost t0 t1 task_lost <<<"$(jq -r \
	'"\(.records) \(.distinct) \(.duplicates) \(.min_seq) \(.max_seq) \(.lost) \(.first_ts) \(.last_ts) \(.task_lost)"' \
	<<<"$seqs")"
awk -v n="$n_sent" -v s="$send_s" -v c="$captured" -v d="$drop_source" -v v="$veth_drops" \
	-v p="$distinct" -v r="$records" -v t0="$t0" -v t1="$t1" 'BEGIN {
	printf "line rate: sent %d frames of 60 bytes in %.2f s (%.0f/s); the ring captured %d (%.0f/s)\n", n, s, n / s, c, c / s
	printf "line rate: kernel drops before the ring (drop_source) %d; frames the veth pair dropped %d\n", d, v
	span = (t1 - t0) / 1000
	printf "line rate: the connector published %d packets in %d records, %.2f s from its first record to its last (%.0f packets/s)\n",
		p, r, span, (span > 0 ? p / span : 0)
}'
echo "line rate: the topic by seq: $seqs"

((captured > 0)) || die "the ring captured nothing"
((lost == 0 && task_lost == 0)) || die "packets lost to lapping: $lost in the records, $task_lost by the task's count"
((dups == 0)) || die "$dups packets in Kafka more than once"
((distinct == captured && minseq == 0 && maxseq == captured - 1)) ||
	die "Kafka holds $distinct distinct packets (seq $minseq..$maxseq), the ring captured $captured"
echo "line rate: ok: each of the $captured captured packets in Kafka exactly once, none lost to lapping"
