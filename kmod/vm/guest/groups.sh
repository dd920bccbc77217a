#!/bin/sh
# Ring groups (pktring-ctl add --per-cpu), sourced by tests.sh after its
# helpers: one ring per CPU, each written only by its CPU. Flows are steered
# to CPUs by pinning their senders (taskset): a datagram sent from CPU k is
# transmitted on CPU k, and the peer's answer comes back on CPU k (veth
# hands packets to the backlog of the sending CPU).

# members IFACE: the member indexes of IFACE's group, from sysfs
members() {
	seq 0 $(($(sysv $1/ring_count) - 1))
}

# The group's identity, the steering of flows to members, and the members
# merged by time = tcpdump's capture (count, bytes, contents, each member's
# order); counters folded in the group's sysfs directory.
t_group_capture() {
	ncpu=$(nproc)
	if [ "$ncpu" -lt 2 ]; then
		fail "group-capture: needs at least 2 CPUs, the VM has $ncpu"
		return
	fi
	pktring-ctl add va --per-cpu --size 4M >$R/g.paths ||
		{ fail "group-capture: add"; return; }
	count=$(sysv va/ring_count) gep=$(sysv va/group_epoch)
	bad=""
	[ "$count" -ge "$ncpu" ] 2>/dev/null || bad="$bad ring_count=$count<$ncpu"
	[ "$gep" != 0 ] && [ "$gep" != none ] || bad="$bad group_epoch=$gep"
	[ "$(wc -l <$R/g.paths)" = "$count" ] || bad="$bad ctl-printed:$(wc -l <$R/g.paths)"
	: >$R/g.epochs
	for i in $(members va); do
		[ -c /dev/pktring/va/$i ] || bad="$bad no-node-$i"
		[ "$(sysv va:$i/ring_index)" = "$i" ] || bad="$bad index-$i"
		[ "$(sysv va:$i/ring_count)" = "$count" ] || bad="$bad count-$i"
		[ "$(sysv va:$i/group_epoch)" = "$gep" ] || bad="$bad group-epoch-$i"
		sysv va:$i/epoch >>$R/g.epochs
	done
	[ "$(sort -u $R/g.epochs | wc -l)" = "$count" ] || bad="$bad epochs-not-distinct"
	pktring-ctl list >$R/g.list
	grep -q "^va group ring_count=$count " $R/g.list &&
		grep -q "^  va:1 ring_index=1 " $R/g.list || bad="$bad list"
	if [ -n "$bad" ]; then
		cat $R/g.paths $R/g.list
		fail "group-identity:$bad"
	else
		ok "group-identity $count members, group_epoch $gep, own epochs, /dev/pktring/va/N, list"
	fi

	# one UDP flow per CPU, its sender pinned there, and a ping from CPU 0
	td_start va $R/tdg.pcap
	pids=""
	for cpu in $(seq 0 $((ncpu - 1))); do
		taskset -c $cpu udp_sender 10.9.0.2 $((5100 + cpu)) 300 1 \
			1000 300 $((4100 + cpu)) &
		pids="$pids $!"
	done
	taskset -c 0 ping -c 3 -i 0.2 10.9.0.2 >/dev/null
	for p in $pids; do waitpid $p 60; done
	td_stop $R/tdg.pcap
	files="" sum=0
	for i in $(members va); do
		pktring-vmtest read /dev/pktring/va/$i -w $R/m$i.pcap >$R/m$i.out
		files="$files $R/m$i.pcap"
		sum=$((sum + $(sysv va:$i/counters/captured)))
	done
	group_compare $R/tdg.pcap -w $R/merged.pcap $files >$R/gcmp.out
	gcmp=$?
	cat $R/gcmp.out
	# each flow exactly in the member of its CPU
	steer="" used=0 per=""
	for i in $(members va); do
		n=$(tcpdump -Z root -r $R/m$i.pcap udp 2>/dev/null | wc -l)
		[ "$n" -gt 0 ] && used=$((used + 1))
		per="$per m$i=$(pktring-vmtest pcapinfo $R/m$i.pcap | field packets)/udp$n"
		for cpu in $(seq 0 $((ncpu - 1))); do
			want=0
			[ "$cpu" = "$i" ] && want=300
			got=$(tcpdump -Z root -r $R/m$i.pcap \
				"udp dst port $((5100 + cpu))" 2>/dev/null | wc -l)
			[ "$got" = "$want" ] || steer="$steer m$i:port$((5100 + cpu))=$got/$want"
		done
	done
	# the tools read the group whole: pktring-dump merges it by time as
	# the independent reader did; pktring-stat sums the members
	pktring-dump -r /dev/pktring/va --until-end -w $R/gdump.pcap 2>$R/gdump.err
	pcap_compare $R/merged.pcap $R/gdump.pcap >$R/gseq.out
	gseq=$?
	pktring-stat -r /dev/pktring/va --json >$R/gstat.json
	statcap=$(sed -n 's/^{"group":"[^"]*"[^{]*{[^}]*"captured":\([0-9]*\).*/\1/p' $R/gstat.json)
	cat $R/gdump.err $R/gseq.out
	tdn=$(pktring-vmtest pcapinfo $R/tdg.pcap | field packets)
	gcap=$(sysv va/counters/captured) gseen=$(sysv va/counters/seen)
	echo "tcpdump $tdn packets; group captured=$gcap seen=$gseen, members sum $sum; $used members hold UDP"
	if ! grep -q "^0 packets dropped by kernel" $R/tdg.pcap.err; then
		fail "group-capture: the reference (tcpdump) dropped packets, no comparison"
	elif [ $gcmp != 0 ]; then
		fail "group-capture: the members merged by time differ from tcpdump's capture"
	elif [ -n "$steer" ] || [ "$used" -lt 2 ]; then
		fail "group-capture: flows not in their CPU's member:$steer ($used members used)"
	elif [ "$gcap" != "$sum" ] || [ "$gcap" != "$tdn" ] ||
	     [ "$gseen" != "$gcap" ] || [ "$statcap" != "$gcap" ]; then
		fail "group-capture: folded counters captured=$gcap seen=$gseen, members $sum, tcpdump $tdn, pktring-stat $statcap"
	elif [ $gseq != 0 ] || ! grep -q "lost 0," $R/gdump.err; then
		fail "group-capture: pktring-dump of the group differs from the members merged by time"
	else
		ok "group-capture $tdn packets in $used members ($per) = tcpdump (merged by time, each member in order) = pktring-dump of the group; each CPU's flow in its member; folded counters = pktring-stat's"
	fi

	# a reader blocked in poll(2) on a member wakes when its CPU writes
	pktring-vmtest pollwait /dev/pktring/va/1 10000 >$R/gpoll.out &
	p=$!
	sleep 1
	taskset -c 1 udp_sender 10.9.0.2 5001 1 1 100 0
	if waitpid $p 15; then ok "group-poll-wakes member 1: $(cat $R/gpoll.out)"
	else fail "group-poll-wakes: $(cat $R/gpoll.out)"; fi
	pktring-ctl remove va
	if [ -e /dev/pktring/va ] || [ -e $CLASS/va ] || [ -e $CLASS/va:0 ]; then
		fail "group-remove: still listed"
	fi
}

# Refusals that only groups have, and the control ABI of before groups.
t_group_limits() {
	bad=""
	# every possible CPU's ring must fit: 4 x 512M on a 1G guest does not
	if pktring-ctl add va --per-cpu --size 512M 2>$R/gbig.err; then
		bad="$bad 512M-per-cpu-accepted"
		pktring-ctl remove va
	elif ! grep -q "Cannot allocate memory" $R/gbig.err; then
		bad="$bad 512M:$(cat $R/gbig.err)"
	fi
	[ "$(sysv live_rings)" = 0 ] || bad="$bad live_rings:$(sysv live_rings)"
	pktring-ctl add va --per-cpu --size 64K --snaplen 1500 >/dev/null || bad="$bad add"
	if pktring-ctl add va --size 64K --snaplen 1500 2>$R/gdup.err; then
		bad="$bad single-over-group-accepted"
	elif ! grep -q "File exists" $R/gdup.err; then
		bad="$bad dup:$(cat $R/gdup.err)"
	fi
	pktring-ctl remove va
	# a pktring-ctl built before groups passes a 48-byte struct
	pktring-vmtest addv1 va >/dev/null || bad="$bad ioctl-v1"
	[ -c /dev/pktring/va ] && [ "$(sysv va/ring_count)" = 1 ] &&
		[ "$(sysv va/group_epoch)" = 0 ] || bad="$bad v1-ring"
	pktring-ctl remove va
	if [ -z "$bad" ]; then
		ok "group-limits: a group that cannot fit is ENOMEM, an interface has one group or ring (EEXIST), the 48-byte add ioctl still makes a single ring"
	else
		fail "group-limits:$bad"
	fi
}

# The group goes away (remove, interface deleted) while a reader maps one
# member and its CPU floods: the reader drains and ends, the other members
# are freed at once, the mapped one when the reader unmaps; rmmod is
# refused while the member is mapped.
t_group_remove_under_load() {
	pktring-ctl add va --per-cpu --size 1M >/dev/null ||
		{ fail "group-remove-under-load: add"; return; }
	pktring-vmtest read /dev/pktring/va/1 --follow --timeout 60 \
		--linger-ms 3000 >$R/hold.out &
	r=$!
	taskset -c 1 udp_sender 10.9.0.2 5001 1000000 1 200 0 &
	f=$!
	sleep 1
	if rmmod pktring 2>/dev/null; then
		fail "group-remove-under-load: rmmod while a member is mapped"
		return
	fi
	pktring-ctl remove va
	[ -e /dev/pktring/va ] && fail "group-remove-under-load: nodes still there"
	removal_check group-remove-under-load $r $f
}

t_group_ifdel_under_load() {
	$IP link add d0 type dummy
	$IP addr add 10.7.0.1/24 dev d0
	$IP link set d0 up
	pktring-ctl add d0 --per-cpu --size 1M >/dev/null ||
		{ fail "group-ifdel: add"; return; }
	pktring-vmtest read /dev/pktring/d0/0 --follow --timeout 60 \
		--linger-ms 3000 >$R/hold.out &
	r=$!
	taskset -c 0 udp_sender 10.7.0.2 5001 1000000 1 200 0 &
	f=$!
	sleep 1
	$IP link del d0
	if [ -e /dev/pktring/d0 ] || [ -e $CLASS/d0 ] || [ -e $CLASS/d0:0 ]; then
		fail "group-ifdel-under-load: group still listed"
	fi
	removal_check group-ifdel-under-load $r $f
}
