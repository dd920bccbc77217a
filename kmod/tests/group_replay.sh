#!/usr/bin/env bash
# SPDX-License-Identifier: BSD-2-Clause
# pktring-replay --rings N: the corpus's captures written into ring groups
# of 3 by a symmetric flow hash. Read whole, merged by time, a group holds
# exactly the file's packets and equals mergecap of its members; every
# flow (both directions) is in one member; a group of 1 is the file.
set -uo pipefail
. "$(dirname "$0")/lib.sh"
need_corpus mixed.pcapng tcp.pcap ipv6.pcap udp.pcap icmp.pcap vlan.pcap qinq.pcap fragments.pcap tun-raw.pcap

# flows PCAP: the flow of each unfragmented IP packet, endpoints sorted
# (fragments hash on addresses alone, so they may be in another member)
# (the outer header when an ICMP error carries another)
flows() {
	tshark -r "$1" -o ip.defragment:FALSE -o ipv6.defragment:FALSE \
		-Y '(ip or ipv6) and !ipv6.fraghdr' -T fields -E separator='|' \
		-e ip.flags.mf -e ip.frag_offset -e ip.src -e ipv6.src -e tcp.srcport -e udp.srcport \
		-e ip.dst -e ipv6.dst -e tcp.dstport -e udp.dstport 2>/dev/null |
		awk -F'|' 'function first(v) { sub(/,.*/, "", v); return v }
			first($1) == "1" || first($1) == "True" || (first($2) != "" && first($2) != 0) { next }
			{ a = first($3) first($4) ":" first($5) first($6)
			  b = first($7) first($8) ":" first($9) first($10)
			  print (a < b ? a "-" b : b "-" a) }' | sort -u
}

for f in mixed.pcapng tcp.pcap ipv6.pcap udp.pcap icmp.pcap vlan.pcap qinq.pcap fragments.pcap tun-raw.pcap; do
	g=$WORK/${f%.*}
	"$T/pktring-replay" -q -r "$g" --rings 3 "$CORPUS/$f" 2>"$WORK/replay-$f.err"
	rc=$?
	"$T/pktring-dump" -q -r "$g" -w "$WORK/$f.all.pcap" 2>"$WORK/dump-$f.err"
	for i in 0 1 2; do
		"$T/pktring-dump" -q -r "$g" --member $i -w "$WORK/$f.m$i.pcap" 2>>"$WORK/dump-$f.err"
	done
	"$H/pcap_compare" --unordered "$CORPUS/$f" "$WORK/$f.all.pcap" >"$WORK/cmp-$f.out"
	same=$?
	mergecap -F nsecpcap -w "$WORK/$f.merged.pcap" "$WORK/$f".m{0,1,2}.pcap
	"$H/pcap_compare" "$WORK/$f.merged.pcap" "$WORK/$f.all.pcap" >"$WORK/cmp-merged-$f.out"
	merged=$?
	split=$(for i in 0 1 2; do flows "$WORK/$f.m$i.pcap"; done | sort | uniq -d | wc -l)
	nflows=$(flows "$CORPUS/$f" | wc -l)
	used=$(for i in 0 1 2; do [[ $(pcap_count "$WORK/$f.m$i.pcap") -gt 0 ]] && echo; done | wc -l)
	check "group replay $f: the group holds the file's packets, = mergecap of its members, $nflows flows each in one member ($split split, $used members used)" \
		eval '((rc == 0 && same == 0 && merged == 0 && split == 0))'
done

# the group's flows spread: mixed.pcapng has flows in more than one member
used=$(for i in 0 1 2; do [[ $(pcap_count "$WORK/mixed.pcapng.m$i.pcap") -gt 0 ]] && echo; done | wc -l)
check "group replay: mixed.pcapng's flows land in $used of 3 members" test "$used" -ge 2

"$T/pktring-replay" -q -r "$WORK/one" --rings 1 "$CORPUS/tcp.pcap" 2>"$WORK/replay-one.err"
"$T/pktring-dump" -q -r "$WORK/one" -w "$WORK/one.pcap" 2>"$WORK/dump-one.err"
check "group replay: a group of 1 is the file, in order" "$H/pcap_compare" "$CORPUS/tcp.pcap" "$WORK/one.pcap"

"$T/pktring-replay" -q -r "$WORK/mixed" --rings 2 --append "$CORPUS/tcp.pcap" 2>"$WORK/replay-append.err"
rc=$?
check "group replay: --append with --rings is a usage error ($rc)" \
	eval '((rc == 2)) && grep -q "append" "$WORK/replay-append.err"'
check "group replay: every tool run above was sanitizer clean" sanitizer_clean "$WORK"/*.err
