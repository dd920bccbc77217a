#!/bin/sh
# The kernel module's tests, run inside the VM by /init. Each test prints
# "PKTRING-RESULT ok|FAIL NAME detail" to fd 3 (the result port); every
# expected value is computed in the run (tcpdump, libpcap, the ring's own
# counters), never typed in. All waits are bounded.
R=/tmp/r
mkdir -p $R
CLASS=/sys/class/pktring
# busybox sh runs its own applets first: name iproute2 by path
IP=/usr/bin/ip

ok() { echo "PKTRING-RESULT ok $*" >&3; echo "=== ok $*"; }
fail() { echo "PKTRING-RESULT FAIL $*" >&3; echo "=== FAIL $*"; }
sysv() { cat $CLASS/$1 2>/dev/null || echo none; }

# waitpid PID SECONDS: wait for a background job, kill it when it overstays
waitpid() {
	_n=0
	while kill -0 "$1" 2>/dev/null; do
		_n=$((_n + 1))
		if [ $_n -gt $(($2 * 10)) ]; then
			echo "timeout waiting for pid $1"
			kill -9 "$1"
			wait "$1"
			return 124
		fi
		sleep 0.1
	done
	wait "$1"
}

# tcpdump (AF_PACKET, libpcap) on IFACE into OUT, started before the traffic
td_start() {
	_if=$1 _out=$2
	shift 2
	tcpdump -Z root -i "$_if" -s "${SNAP:-0}" -B 65536 --immediate-mode -U \
		-w "$_out" "$@" 2>"$_out.err" &
	TD=$!
	_n=0
	until grep -q listening "$_out.err" 2>/dev/null; do
		_n=$((_n + 1))
		[ $_n -gt 200 ] && break
		sleep 0.1
	done
}
td_stop() {
	sleep 1
	kill -INT $TD
	waitpid $TD 10
	cat "$1.err"
}

field() { sed -n "s/.*$1=\([0-9]*\).*/\1/p"; }

setup_net() {
	$IP link set lo up
	$IP netns add peer || return 1
	$IP link add va type veth peer name vb || return 1
	$IP link set vb netns peer
	$IP addr add 10.9.0.1/24 dev va
	$IP link set va up
	$IP netns exec peer $IP addr add 10.9.0.2/24 dev vb
	$IP netns exec peer $IP link set vb up
	$IP netns exec peer $IP link set lo up
	# permanent neighbours: no ARP of its own making races the captures
	$IP neigh replace 10.9.0.2 dev va nud permanent \
		lladdr "$($IP netns exec peer cat /sys/class/net/vb/address)"
	$IP netns exec peer $IP neigh replace 10.9.0.1 dev vb nud permanent \
		lladdr "$(cat /sys/class/net/va/address)"
	ping -c 1 -W 5 10.9.0.2 >/dev/null
}

# Capture on IFACE equals tcpdump's capture of the same traffic; the
# dumper and an independent reader agree; the counters match.
t_capture() {
	name=$1 ifc=$2 dst=$3
	pktring-ctl add $ifc --size 4M >/dev/null || { fail $name: add; return; }
	td_start $ifc $R/td-$ifc.pcap
	ping -c 3 -i 0.2 $dst >/dev/null
	# two senders at once: softirqs on both CPUs
	udp_sender $dst 5001 300 1 1400 500 4001 &
	s1=$!
	udp_sender $dst 5002 300 1 900 500 4002
	waitpid $s1 30
	td_stop $R/td-$ifc.pcap
	pktring-dump -r /dev/pktring/$ifc --until-end -w $R/ring-$ifc.pcap
	own=$(pktring-vmtest read /dev/pktring/$ifc -w $R/own-$ifc.pcap)
	captured=$(sysv $ifc/counters/captured)
	seen=$(sysv $ifc/counters/seen)
	echo "$own; captured=$captured seen=$seen"
	info=$(pktring-vmtest pcapinfo $R/ring-$ifc.pcap)
	if ! grep -q "^0 packets dropped by kernel" $R/td-$ifc.pcap.err; then
		fail "$name: the reference (tcpdump) dropped packets, no comparison"
	elif ! pcap_compare --no-ts --unordered $R/td-$ifc.pcap $R/ring-$ifc.pcap; then
		fail "$name: dumper's pcap differs from tcpdump's"
	elif ! pcap_compare --no-ts --unordered $R/ring-$ifc.pcap $R/own-$ifc.pcap; then
		fail "$name: dumper and independent reader differ"
	elif [ "$(echo $info | field packets)" != "$captured" ] ||
	     [ "$captured" != "$seen" ] || [ "$captured" -lt 600 ]; then
		fail "$name: counters captured=$captured seen=$seen vs $info"
	elif [ "$2" != lo ] && { [ "$(echo $own | field in)" = 0 ] ||
				  [ "$(echo $own | field out)" = 0 ]; }; then
		fail "$name: not both directions: $own"
	else
		ok "$name $info (= tcpdump, both directions)"
	fi
	pktring-ctl remove $ifc
}

# The control tool: errors named, mode and group applied, list, and a ring
# on an interface of another network namespace.
t_ctl() {
	bad=""
	expect_err() {	# WHAT ERRTEXT CMD...: CMD fails saying ERRTEXT
		_w=$1 _e=$2
		shift 2
		if "$@" 2>$R/ctl.err; then
			bad="$bad $_w:accepted"
		elif ! grep -q "$_e" $R/ctl.err; then
			bad="$bad $_w:$(cat $R/ctl.err)"
		fi
	}
	expect_err no-such-iface "No such device" pktring-ctl add nosuch0
	expect_err size-not-pow2 "Invalid argument" pktring-ctl add va --size 100000
	expect_err record-too-big "Invalid argument" \
		pktring-ctl add va --size 64K --snaplen 65535
	expect_err bad-filter "filter" pktring-ctl add va --filter 'tcp port'
	expect_err remove-unknown "No such file" pktring-ctl remove va
	pktring-ctl add va --size 64K --snaplen 1500 --mode 0440 --group 123 \
		>/dev/null || bad="$bad add"
	expect_err duplicate "File exists" pktring-ctl add va
	perm=$(stat -c '%a %g' /dev/pktring/va)
	[ "$perm" = "440 123" ] || bad="$bad mode/group:$perm"
	udp_sender 10.9.0.2 5001 5 1 100 0
	list=$(pktring-ctl list)
	echo "$list"
	echo "$list" | grep -q "^va .*captured=$(sysv va/counters/captured) " ||
		bad="$bad list"
	pktring-ctl remove va
	[ -e /dev/pktring/va ] && bad="$bad node-left"
	# the interface in the peer namespace, added from inside it
	$IP netns exec peer pktring-ctl add vb --size 64K --snaplen 1500 \
		>/dev/null || bad="$bad netns-add"
	ping -c 2 -i 0.2 10.9.0.2 >/dev/null
	n=$(sysv vb/counters/captured)
	[ "$n" -ge 4 ] 2>/dev/null || bad="$bad netns-captured:$n"
	pktring-ctl remove vb
	if [ -z "$bad" ]; then
		ok "ctl errors named, mode 0440 group 123, list, ring in a netns ($n packets)"
	else
		fail "ctl:$bad"
	fi
}

t_poll() {
	pktring-ctl add va >/dev/null
	pktring-vmtest pollwait /dev/pktring/va 10000 >$R/poll.out &
	p=$!
	sleep 1
	udp_sender 10.9.0.2 5001 1 1 100 0
	waitpid $p 15
	rc=$?
	if [ $rc = 0 ]; then ok "poll-wakes $(cat $R/poll.out)"
	else fail "poll-wakes: $(cat $R/poll.out)"; fi
	pktring-ctl remove va
}

t_refusals() {
	pktring-ctl add va --size 64K --snaplen 1500 >/dev/null
	if pktring-vmtest refusals /dev/pktring/va >$R/ref.out; then
		ok "refusals $(grep -c ^ok $R/ref.out) checks"
	else
		fail "refusals: $(grep FAIL $R/ref.out | tr '\n' ';')"
	fi
	cat $R/ref.out
	pktring-ctl remove va
}

# The kernel writer beats like the user-space ones: a reader of an idle
# ring with a 1 s writer timeout never calls it gone, and a removed ring
# ends explicitly (ENDED), not by silence.
t_liveness() {
	pktring-ctl add va --size 64K --snaplen 1500 >/dev/null || { fail "liveness: add"; return; }
	b1=$(pktring-stat -r va --json -W 0 | sed -n 's/.*"heartbeat":\([0-9]*\).*/\1/p')
	sleep 1
	b2=$(pktring-stat -r va --json -W 0 | sed -n 's/.*"heartbeat":\([0-9]*\).*/\1/p')
	pktring-stat -r va -W 1 >$R/live.txt 2>&1
	src=$?
	pktring-dump -r va -W 1 -w $R/live.pcap 2>$R/live.err &
	d=$!
	sleep 3
	pktring-ctl remove va
	waitpid $d 10
	rc=$?
	cat $R/live.txt $R/live.err
	if [ "$b2" -lt $((b1 + 5)) ] 2>/dev/null || [ -z "$b1" ]; then
		fail "liveness: the kernel ring's heartbeat went $b1 -> $b2 in 1 s"
	elif [ $src != 0 ] || ! grep -q "^writer    alive" $R/live.txt; then
		fail "liveness: pktring-stat: exit $src, $(grep ^writer $R/live.txt)"
	elif [ $rc != 0 ] || ! grep -q "stopped: the ring has ended" $R/live.err; then
		fail "liveness: a 1 s writer timeout on an idle kernel ring: exit $rc: $(tail -c 200 $R/live.err)"
	else
		ok "liveness: heartbeat $b1 -> $b2 in 1 s, writer alive, an idle reader (-W 1) ends with the ring, not by timeout"
	fi
}

# Hardware timestamps only when a ring asks (--hwtstamp); off, every
# record has the kernel's CLOCK_REALTIME. veth gives no NIC time, so with
# it on the records still carry the software time, unflagged.
t_hwtstamp() {
	bad=""
	pktring-ctl add va --size 1M >/dev/null || { fail "hwtstamp: add"; return; }
	f0=$(pktring-stat -r va --json -W 0 | sed -n 's/.*"flags":\([0-9]*\).*/\1/p')
	pktring-ctl remove va
	pktring-ctl add va --size 1M --hwtstamp >/dev/null || { fail "hwtstamp: add --hwtstamp"; return; }
	f1=$(pktring-stat -r va --json -W 0 | sed -n 's/.*"flags":\([0-9]*\).*/\1/p')
	t0=$(pktring-vmtest now)
	udp_sender 10.9.0.2 5001 50 1 300 500
	t1=$(pktring-vmtest now)
	out=$(pktring-vmtest read /dev/pktring/va)
	pktring-ctl remove va
	echo "flags default $f0, --hwtstamp $f1; $out; sent between $t0 and $t1"
	[ $((f0 & 4)) = 0 ] || bad="$bad default-flags:$f0"
	[ $((f1 & 4)) = 4 ] || bad="$bad hwtstamp-flags:$f1"
	[ "$(echo $out | field hwts)" = 0 ] || bad="$bad hwts:$(echo $out | field hwts)"
	[ "$(echo $out | field packets)" -ge 50 ] || bad="$bad packets"
	tmin=$(echo $out | field ts_min) tmax=$(echo $out | field ts_max)
	# the first packets may be ARP from before t0; none after t1
	[ "$tmax" -le "$t1" ] && [ "$tmax" -ge "$t0" ] && [ "$tmin" -gt $((t0 - 10000000000)) ] ||
		bad="$bad times:$tmin..$tmax"
	if [ -z "$bad" ]; then
		ok "hwtstamp: off by default (flags $f0), --hwtstamp sets F_HW_TSTAMP (flags $f1); no NIC time on veth: CLOCK_REALTIME, unflagged"
	else
		fail "hwtstamp:$bad"
	fi
}

# Ring pages are charged to the memory cgroup of whoever adds the ring,
# and count against its limit (ENOMEM, no OOM kill).
t_memcg() {
	cg=/sys/fs/cgroup
	mkdir -p $cg
	mountpoint -q $cg || mount -t cgroup2 none $cg
	if ! echo +memory >$cg/cgroup.subtree_control; then
		fail "memcg: no memory controller"
		return
	fi
	mkdir $cg/adder
	before=$(cat $cg/adder/memory.current)
	sh -c "echo \$\$ >$cg/adder/cgroup.procs && exec pktring-ctl add va --size 64M" >/dev/null
	added=$(cat $cg/adder/memory.current)
	pktring-ctl remove va
	removed=$(cat $cg/adder/memory.current)
	echo 32M >$cg/adder/memory.max
	sh -c "echo \$\$ >$cg/adder/cgroup.procs && exec pktring-ctl add va --size 64M" 2>$R/memcg.err
	rc=$?
	[ $rc = 0 ] && pktring-ctl remove va
	echo "memory.current: $before before, $added with a 64 MiB ring, $removed after remove; over a 32M limit: rc=$rc $(cat $R/memcg.err)"
	rmdir $cg/adder
	if [ $((added - before)) -lt $((64 << 20)) ]; then
		fail "memcg: a 64 MiB ring charged $((added - before)) bytes to its cgroup"
	elif [ $((added - removed)) -lt $((64 << 20)) ]; then
		fail "memcg: removing the ring returned $((added - removed)) bytes"
	elif [ $rc = 0 ] || ! grep -q "Cannot allocate memory" $R/memcg.err; then
		fail "memcg: a 64 MiB ring under a 32M limit: rc=$rc $(cat $R/memcg.err)"
	else
		ok "memcg: a 64 MiB ring charged $(((added - before) >> 20)) MiB to its cgroup, returned on remove, refused (ENOMEM) under a 32M limit"
	fi
}

# A bare ring name is the kernel's ring first: a shared-memory ring of the
# same name does not shadow it.
t_names() {
	pktring-ctl add va --size 64K --snaplen 1500 >/dev/null || { fail "names: add"; return; }
	mkdir -p /dev/shm/pktring
	chmod 0750 /dev/shm/pktring
	pktring-vmtest fakering /dev/shm/pktring/va 12345
	bare=$(pktring-stat -r va --json -W 0)
	byp=$(pktring-stat -r /dev/shm/pktring/va --json -W 0)
	kepoch=$(printf '0x%016x' "$(sysv va/epoch)")
	pktring-ctl remove va
	rm -rf /dev/shm/pktring
	echo "$bare"
	if echo "$bare" | grep -q '"path":"/dev/pktring/va"' &&
	   echo "$bare" | grep -q "\"epoch\":\"$kepoch\"" &&
	   echo "$byp" | grep -q '"epoch":"0x0000000000003039"'; then
		ok "names: 'va' is /dev/pktring/va (epoch $kepoch), not the shared-memory ring of that name"
	else
		fail "names: 'va' read $(echo "$bare" | head -c 120)"
	fi
}

# Two dumpers and the stat tool at once get the same packets; a slow
# reader is lapped and its loss is exact; the fast ones lose nothing.
t_many_readers() {
	pktring-ctl add va --size 256K --snaplen 2048 >/dev/null
	pktring-dump -r /dev/pktring/va -w $R/a.pcap 2>$R/a.err &
	a=$!
	pktring-dump -r /dev/pktring/va -w $R/b.pcap 2>$R/b.err &
	b=$!
	pktring-vmtest read /dev/pktring/va --follow --slow-us 5000 \
		--timeout 120 >$R/slow.out &
	s=$!
	sleep 1
	udp_sender 10.9.0.2 5001 3000 1 300 1000
	sleep 1
	pktring-stat -r /dev/pktring/va --json >$R/stat.json
	captured=$(sysv va/counters/captured)
	pktring-ctl remove va
	waitpid $a 20; waitpid $b 20; waitpid $s 120
	cat $R/a.err $R/b.err $R/slow.out $R/stat.json
	apk=$(pktring-vmtest pcapinfo $R/a.pcap | field packets)
	slost=$(field lost <$R/slow.out)
	sread=$(field packets <$R/slow.out)
	statcap=$(sed -n 's/.*"captured":\([0-9]*\).*/\1/p' $R/stat.json)
	if ! cmp $R/a.pcap $R/b.pcap; then
		fail "many-readers: the two dumpers differ"
	elif [ "$apk" != "$captured" ] || ! grep -q "lost 0," $R/a.err; then
		fail "many-readers: dumper got $apk of $captured packets"
	elif [ "$statcap" != "$captured" ]; then
		fail "many-readers: stat says captured=$statcap, sysfs $captured"
	elif [ "${slost:-0}" -le 0 ] ||
	     [ $((sread + slost)) != "$captured" ] ||
	     ! grep -q "first_seq=0 " $R/slow.out; then
		fail "many-readers: slow reader read=$sread lost=$slost of $captured"
	else
		ok "many-readers dumpers=$apk+$apk stat=$statcap slow: read=$sread lost=$slost"
	fi
}

# A reader blocked in poll(2) on an idle ring is woken with POLLHUP when
# the ring is removed, and its wait queue outlives the removal.
t_poll_end() {
	$IP link add d1 type dummy
	$IP link set d1 up
	pktring-ctl add d1 --size 64K --snaplen 1500 >/dev/null ||
		{ fail "poll-end: add"; return; }
	pktring-vmtest pollend /dev/pktring/d1 20000 >$R/pollend.out &
	p=$!
	_n=0
	until grep -q polling $R/pollend.out || [ $_n -gt 100 ]; do
		_n=$((_n + 1))
		sleep 0.1
	done
	sleep 1
	pktring-ctl remove d1
	waitpid $p 30
	rc=$?
	$IP link del d1
	if [ $rc = 0 ]; then ok "poll-end $(tail -1 $R/pollend.out)"
	else fail "poll-end: rc=$rc $(cat $R/pollend.out)"; fi
}

# mremap cannot grow a mapping; split, moved and forked mappings each hold
# the ring: a child keeps reading it after the parent unmapped and the
# ring was removed, and the memory is returned when the child exits.
t_vmas() {
	pktring-ctl add va --size 1M >/dev/null || { fail "vmas: add"; return; }
	pktring-vmtest vmas /dev/pktring/va >$R/vmas.out &
	p=$!
	_n=0
	until grep -q parent-unmapped $R/vmas.out || [ $_n -gt 200 ]; do
		_n=$((_n + 1))
		sleep 0.1
	done
	live_child=$(sysv live_rings)
	pktring-ctl remove va
	waitpid $p 60
	rc=$?
	cat $R/vmas.out
	if [ $rc != 0 ] || grep -q FAIL $R/vmas.out; then
		fail "vmas: rc=$rc $(grep FAIL $R/vmas.out | tr '\n' ';')"
	elif [ "$live_child" != 1 ] || [ "$(sysv live_rings)" != 0 ] ||
	     [ "$(sysv live_bytes)" != 0 ]; then
		fail "vmas: memory not held by the child or not returned: $live_child -> $(sysv live_rings)/$(sysv live_bytes)"
	else
		ok "vmas mremap-grow refused, split/moved/forked mappings hold the ring, memory returned"
	fi
}

# A ring larger than the machine's memory is refused with ENOMEM, quietly
# (no allocation-failure splat on the console, no OOM kill); an interface's
# alternative name finds its existing ring (EEXIST, no sysfs duplicate).
t_limits() {
	bad=""
	if pktring-ctl add va --size 1G --snaplen 1500 2>$R/big.err; then
		bad="$bad 1G-accepted"
		pktring-ctl remove va
	elif ! grep -q "Cannot allocate memory" $R/big.err; then
		bad="$bad 1G:$(cat $R/big.err)"
	fi
	[ "$(sysv live_rings)" = 0 ] || bad="$bad live_rings:$(sysv live_rings)"
	$IP link property add dev va altname va-alt || bad="$bad altname"
	pktring-ctl add va --size 64K --snaplen 1500 >/dev/null || bad="$bad add"
	if pktring-ctl add va-alt --size 64K --snaplen 1500 2>$R/alt.err; then
		bad="$bad altname-accepted"
		pktring-ctl remove va-alt
	elif ! grep -q "File exists" $R/alt.err; then
		bad="$bad altname:$(cat $R/alt.err)"
	fi
	pktring-ctl remove va
	$IP link property del dev va altname va-alt
	# an interface named like a file of /sys/class/pktring/
	$IP link add live_rings type dummy
	if pktring-ctl add live_rings --size 64K --snaplen 1500 2>$R/cls.err; then
		bad="$bad class-attr-name-accepted"
		pktring-ctl remove live_rings
	elif ! grep -q "File exists" $R/cls.err; then
		bad="$bad class-attr-name:$(cat $R/cls.err)"
	fi
	[ "$(sysv live_rings)" = 0 ] || bad="$bad live_rings-file:$(sysv live_rings)"
	$IP link del live_rings
	if [ -z "$bad" ]; then
		ok "limits: 1G ring refused with ENOMEM; altname of a captured interface, interface named live_rings: EEXIST"
	else
		fail "limits:$bad"
	fi
}

# Filter and snap length as tcpdump applies them to the same traffic.
t_filter() {
	f='udp and dst port 5001'
	pktring-ctl add va --snaplen 100 --filter "$f" >/dev/null ||
		{ fail "filter: add"; return; }
	SNAP=100 td_start va $R/tdf.pcap "$f"
	udp_sender 10.9.0.2 5001 200 1 1400 500 &
	s1=$!
	udp_sender 10.9.0.2 5002 100 1 1400 500
	ping -c 2 -i 0.2 10.9.0.2 >/dev/null
	waitpid $s1 30
	td_stop $R/tdf.pcap
	pktring-dump -r /dev/pktring/va --until-end -w $R/ringf.pcap
	info=$(pktring-vmtest pcapinfo $R/ringf.pcap)
	seen=$(sysv va/counters/seen) captured=$(sysv va/counters/captured)
	filtered=$(sysv va/counters/filtered) trunc=$(sysv va/counters/truncated)
	# the classic BPF program as libpcap compiles it for the interface
	insns=$(sysv va/filter_insns) want=$(tcpdump -i va -d "$f" | grep -c '^(')
	echo "$info seen=$seen captured=$captured filtered=$filtered truncated=$trunc filter_insns=$insns (tcpdump -d: $want)"
	if [ "$insns" != "$want" ]; then
		fail "filter-snaplen: filter_insns=$insns, tcpdump -d compiles $want"
	elif ! grep -q "^0 packets dropped by kernel" $R/tdf.pcap.err; then
		fail "filter-snaplen: the reference (tcpdump) dropped packets"
	elif ! pcap_compare --no-ts --unordered $R/tdf.pcap $R/ringf.pcap; then
		fail "filter-snaplen: differs from tcpdump -s 100 '$f'"
	elif [ "$(echo $info | field maxcaplen)" -gt 100 ] ||
	     [ "$trunc" -le 0 ] || [ "$filtered" -le 0 ] ||
	     [ $((captured + filtered)) != "$seen" ]; then
		fail "filter-snaplen: $info seen=$seen filtered=$filtered truncated=$trunc"
	else
		ok "filter-snaplen $info filtered=$filtered truncated=$trunc (= tcpdump)"
	fi
	pktring-ctl remove va
}

# VLAN tags as on the wire: 802.1Q and QinQ frames arrive on va (the
# receiving kernel moves the outer tag into the skb's metadata). The ring,
# dumped, equals tcpdump's capture of them byte for byte, and a ring
# filtered with 'vlan 100' equals tcpdump's 'vlan 100' capture.
t_vlan() {
	for f in "" "vlan 100"; do
		name="vlan${f:+ filter '$f'}"
		if [ -n "$f" ]; then
			pktring-ctl add va --filter "$f" >/dev/null
		else
			pktring-ctl add va >/dev/null
		fi || { fail "$name: add"; continue; }
		td_start va $R/tdv.pcap $f
		$IP netns exec peer pktring-vmtest vlan vb 3
		td_stop $R/tdv.pcap
		pktring-dump -r /dev/pktring/va --until-end -w $R/ringv.pcap
		info=$(pktring-vmtest pcapinfo $R/ringv.pcap)
		n=$(pktring-vmtest pcapinfo $R/tdv.pcap | field packets)
		# offline, libpcap's filters read the frame's bytes: the tags
		tagged=$(tcpdump -Z root -r $R/tdv.pcap vlan 2>/dev/null | wc -l)
		qinq=$(tcpdump -Z root -r $R/tdv.pcap 'ether[12:2] = 0x88a8' 2>/dev/null | wc -l)
		echo "$name: ring $info; tcpdump $n packets, $tagged tagged, $qinq QinQ"
		if ! grep -q "^0 packets dropped by kernel" $R/tdv.pcap.err; then
			fail "$name: the reference (tcpdump) dropped packets"
		elif ! pcap_compare --no-ts --unordered $R/tdv.pcap $R/ringv.pcap; then
			fail "$name: the ring differs from tcpdump's capture"
		elif [ "$tagged" -eq 0 ] || { [ -z "$f" ] && [ "$qinq" -eq 0 ]; }; then
			fail "$name: no tagged frames to compare ($tagged, QinQ $qinq)"
		else
			ok "$name: $n frames ($tagged tagged, $qinq QinQ) = tcpdump's, byte for byte"
		fi
		pktring-ctl remove va
	done
}

# A reader holds the mapping while traffic flows and the ring goes away.
# It must drain and stop (ended=1); the memory is returned only after it
# unmaps (live_rings/live_bytes).
removal_check() {
	name=$1 reader=$2 flood=$3
	_n=0
	until grep -q lingering $R/hold.out || [ $_n -gt 200 ]; do
		_n=$((_n + 1))
		sleep 0.1
	done
	live_during=$(sysv live_rings)
	waitpid $reader 30
	rc=$?
	kill $flood 2>/dev/null
	waitpid $flood 10
	out=$(cat $R/hold.out)
	echo "$out live_rings during=$live_during after=$(sysv live_rings) bytes=$(sysv live_bytes)"
	if [ $rc != 0 ] || [ "$(echo $out | field ended)" != 1 ]; then
		fail "$name: reader did not end cleanly (rc $rc): $out"
	elif [ "$live_during" != 1 ] || [ "$(sysv live_rings)" != 0 ] ||
	     [ "$(sysv live_bytes)" != 0 ]; then
		fail "$name: memory not held/returned: during=$live_during after=$(sysv live_rings)/$(sysv live_bytes)"
	else
		ok "$name reader ended after $(echo $out | field packets) packets, memory returned"
	fi
}

t_remove_under_load() {
	pktring-ctl add va --size 1M >/dev/null
	pktring-vmtest read /dev/pktring/va --follow --timeout 60 --linger-ms 3000 \
		>$R/hold.out &
	r=$!
	udp_sender 10.9.0.2 5001 1000000 1 200 0 &
	f=$!
	sleep 1
	pktring-ctl remove va
	[ -e /dev/pktring/va ] && fail "remove-under-load: node still there"
	removal_check remove-under-load $r $f
}

t_ifdel_under_load() {
	$IP link add d0 type dummy
	$IP addr add 10.7.0.1/24 dev d0
	$IP link set d0 up
	pktring-ctl add d0 --size 1M >/dev/null || { fail "ifdel: add"; return; }
	pktring-vmtest read /dev/pktring/d0 --follow --timeout 60 --linger-ms 3000 \
		>$R/hold.out &
	r=$!
	udp_sender 10.7.0.2 5001 1000000 1 200 0 &
	f=$!
	sleep 1
	$IP link del d0
	if [ -e /dev/pktring/d0 ] || [ -e $CLASS/d0 ]; then
		fail "ifdel-under-load: ring still listed"
	fi
	removal_check ifdel-under-load $r $f
}

# rmmod while a reader maps a ring and packets flow: refused (the mapping
# holds the module); after the ring ends and the reader unmaps, rmmod
# works, ending a per-CPU group still capturing, and no ring memory is
# left (vmallocinfo).
t_rmmod_under_load() {
	pktring-ctl add va --size 1M >/dev/null
	pktring-ctl add lo --size 1M --per-cpu >/dev/null	# a group, live at unload
	pktring-vmtest read /dev/pktring/va --follow --timeout 60 >$R/hold.out &
	r=$!
	udp_sender 10.9.0.2 5001 1000000 1 200 0 &
	f=$!
	udp_sender 127.0.0.1 5001 1000000 1 200 0 &
	f2=$!
	sleep 1
	if rmmod pktring 2>$R/rmmod.err; then
		fail "rmmod-under-load: unloaded while mapped"
		return
	fi
	busy=$(cat $R/rmmod.err)
	state=$(sysv va/state)
	pktring-ctl remove va
	waitpid $r 30
	kill $f $f2
	waitpid $f 10; waitpid $f2 10
	held=$(grep -c pktring /proc/vmallocinfo)
	if ! rmmod pktring; then
		fail "rmmod-under-load: rmmod failed after the reader left"
		return
	fi
	left=$(grep -c pktring /proc/vmallocinfo)
	echo "rmmod while mapped: $busy; state=$state; $(cat $R/hold.out); vmalloc areas before unload $held, after $left"
	if [ "$state" != 1 ] || [ "$(field ended <$R/hold.out)" != 1 ] ||
	   [ "$left" != 0 ] || [ "$held" = 0 ] || [ -e $CLASS ]; then
		fail "rmmod-under-load: state=$state left=$left held=$held"
	else
		ok "rmmod-under-load refused while mapped, unloaded after: vmalloc areas $held -> $left"
	fi
}

# The connector's Java reader (RingCat) on the module's ring, through the
# host JDK shared read-only over 9p, reads what our reader reads.
t_java() {
	if [ ! -f /java.env ]; then
		echo "PKTRING-RESULT skip java-ringcat: connector not built on the host" >&3
		return
	fi
	. /java.env
	pktring-ctl add va --size 1M >/dev/null
	ping -c 3 -i 0.2 10.9.0.2 >/dev/null
	udp_sender 10.9.0.2 5001 200 1 1400 500
	pktring-vmtest read /dev/pktring/va --lines $R/c.lines >/dev/null
	timeout 120 $JAVA -Xshare:auto -XX:TieredStopAtLevel=1 -cp "$JAVA_CP" \
		io.pktring.connect.ring.RingCat --ring /dev/pktring/va \
		>$R/java.lines 2>$R/java.err
	rc=$?
	cat $R/java.err
	# the ring is live (ARP...): Java read up to the head at its start,
	# so its lines are a prefix of a later C read, no shorter than an
	# earlier one
	pktring-vmtest read /dev/pktring/va --lines $R/c2.lines >/dev/null
	n=$(wc -l <$R/c.lines) nj=$(wc -l <$R/java.lines)
	if [ $rc = 0 ] && [ "$n" -gt 200 ] && [ "$nj" -ge "$n" ] &&
	   head -n "$nj" $R/c2.lines | cmp - $R/java.lines; then
		ok "java-ringcat $nj packets, same lines as the C reader"
	else
		fail "java-ringcat: rc=$rc, $n C lines vs $nj Java lines"
	fi
	pktring-ctl remove va
}

. /groups.sh

for m in $(cat /modules.order); do
	insmod /modules/$m || fail "insmod $m"
done
if [ -f /java.env ]; then
	. /java.env
	for tag in $JAVA_MOUNTS; do
		mkdir -p "${tag#*=}"
		mount -t 9p -o trans=virtio,version=9p2000.L,ro "${tag%%=*}" "${tag#*=}" ||
			fail "java: mount ${tag%%=*}"
	done
fi

if insmod /pktring.ko && [ -c /dev/pktring-ctl ]; then
	ok "insmod pktring.ko ($(uname -r))"
else
	fail "insmod pktring.ko"
	exit 0
fi
if ! setup_net; then
	fail "network setup"
	exit 0
fi
t_capture capture-veth va 10.9.0.2
t_capture capture-lo lo 127.0.0.1
t_ctl
t_limits
t_poll
t_poll_end
t_refusals
t_liveness
t_hwtstamp
t_memcg
t_names
t_vmas
t_many_readers
t_filter
t_vlan
t_group_capture
t_group_limits
t_java
t_remove_under_load
t_ifdel_under_load
t_group_remove_under_load
t_group_ifdel_under_load
t_rmmod_under_load
