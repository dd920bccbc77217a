#!/usr/bin/env bash
# The kernel module's tests: for every kernel line of kernels.conf, fetch
# the newest headers + image of the line (fetch-kernel.sh), build pktring.ko
# (on the host, or in a Debian unstable chroot for kernels whose headers need
# a newer compiler: sid-chroot.sh); warnings are
# errors), pack an initramfs with busybox, the module, veth/dummy (and 9p)
# modules, the tools and their libraries, boot it in QEMU (TCG) and turn
# the guest's result lines into the exit status. Any kernel WARNING, BUG,
# oops, lockup or sleeping-in-atomic message on the console fails the run.
#
#   kmod/vm/run-tests.sh [LINE...]    default: every line of kernels.conf
#
# Logs: kmod/vm/work/ABI/{build.log,console.log,results.txt}
set -uo pipefail
here=$(cd "$(dirname "$0")" && pwd)
kmod=$(cd "$here/.." && pwd)
repo=$(cd "$kmod/.." && pwd)
work=$here/work
jdk=/usr/lib/jvm/java-17-openjdk-amd64
boot_timeout=${PKTRING_VM_TIMEOUT:-300}
smp=${PKTRING_VM_SMP:-4}	# vCPUs: the per-CPU group tests steer flows to 4
passed=0
failed=0

result() {	# ok|FAIL NAME...
	if [[ $1 == ok ]]; then passed=$((passed + 1)); else failed=$((failed + 1)); fi
	echo "${*:1}"
}

# Host-side tools for the guest: the user-space tools and test helpers
# (make -C kmod), the control tool and the guest test helper.
mkdir -p "$work/bin"
if ! make -C "$kmod" -s tools >"$work/tools.log" 2>&1; then
	result FAIL "user-space tools build (see $work/tools.log)"
fi
cflags=(-O2 -g -Wall -Wextra -Werror -std=gnu11 -D_GNU_SOURCE)
gcc "${cflags[@]}" -o "$work/bin/pktring-ctl" "$kmod/tools/pktring-ctl.c" -lpcap &&
	gcc "${cflags[@]}" -o "$work/bin/pktring-vmtest" "$here/guest/pktring-vmtest.c" -lpcap ||
	{ result FAIL "guest programs build"; exit 1; }

# copy_bin DEST FILE...: files with the shared libraries they load
copy_bin() {
	local dest=$1 f lib
	shift
	for f in "$@"; do
		mkdir -p "$dest$(dirname "$f")"
		cp -L "$f" "$dest$f"
		for lib in $(ldd "$f" 2>/dev/null | grep -o '/[^ ]*'); do
			[[ -e $dest$lib ]] && continue
			mkdir -p "$dest$(dirname "$lib")"
			cp -L "$lib" "$dest$lib"
		done
	done
}

# The Java reader, when the connector has been built: the host JDK, the
# classes and the jars of classpath.txt, shared read-only at the same paths.
java_env() {	# ROOTFS -> prints qemu -virtfs args, writes ROOTFS/java.env
	local rootfs=$1 cpfile=$repo/connector/target/classpath.txt
	local classes=$repo/connector/target/classes m2=$HOME/.m2/repository
	[[ -f $classes/io/pktring/connect/ring/RingCat.class && -f $cpfile && -x $jdk/bin/java ]] || return 0
	cat >"$rootfs/java.env" <<EOT
JAVA=$jdk/bin/java
JAVA_CP=$classes:$(cat "$cpfile")
JAVA_MOUNTS="jdk=$jdk classes=$classes m2=$m2"
EOT
	copy_bin "$rootfs" "$jdk/bin/java" $(find "$jdk/lib" -name '*.so' | grep -v jdk/lib/.*jdk/lib) >/dev/null 2>&1
	rm -rf "$rootfs$jdk"	# the JDK itself comes over 9p
	# Debian's JDK links its conf/ files to /etc/java-17-openjdk
	mkdir -p "$rootfs/etc"
	cp -rL /etc/java-17-openjdk "$rootfs/etc/" 2>/dev/null
	printf -- '-virtfs local,path=%s,mount_tag=%s,security_model=none,readonly=on ' \
		"$jdk" jdk "$classes" classes "$m2" m2
}

# build_host ABI ROOT SRC LOG / build_sid ABI ROOT SRC LOG: pktring.ko in SRC/module
build_host() {
	make -C "$3/module" KDIR="$2/usr/src/linux-headers-$1" >"$4" 2>&1
}
build_sid() {
	local abi=$1 src=$3 log=$4 dir=$work/$1 chroot gcc rc
	gcc=$(dpkg-deb -f "$(grep -m1 "/linux-headers-${abi}_" "$dir/debs.list")" Depends |
		grep -oE 'gcc-[0-9]+' | head -n1)
	chroot=$("$here/sid-chroot.sh" "${gcc:-gcc}") || return 1
	if [[ $(cat "$chroot/.headers" 2>/dev/null) != "$abi" ]]; then
		grep -E '/linux-(headers|kbuild|base)-' "$dir/debs.list" | while read -r deb; do
			dpkg-deb -x "$deb" "$chroot"
		done
		echo "$abi" >"$chroot/.headers"
	fi
	rm -rf "$chroot/build"
	cp -r "$src" "$chroot/build"
	mountpoint -q "$chroot/proc" || mount -t proc proc "$chroot/proc"	# objtool reads it
	chroot "$chroot" make -C /build/module KDIR="/usr/src/linux-headers-$abi" CC="${gcc:-gcc}" >"$log" 2>&1
	rc=$?
	umount "$chroot/proc"
	((rc == 0)) && cp "$chroot/build/module/pktring.ko" "$src/module/"
}

run_kernel() {
	local line=$1 abi version build root dir log rootfs m kernel
	echo "==> kernel line $line"
	read -r abi version build root < <("$here/fetch-kernel.sh" "$line") && [[ -n $root ]] ||
		{ result FAIL "$line: fetch (no package of this kernel line could be fetched)"; return; }
	echo "    linux-image-$abi $version, built on $build"
	tested+=("$line: $abi ($version)")
	dir=$work/$abi
	log=$dir/build.log
	mkdir -p "$dir"

	# build a copy (the tree may be in use): warnings are errors (-Werror
	# in Kbuild), and none may appear in the log
	local src=$dir/src
	rm -rf "$src"
	mkdir -p "$src/module"
	cp -r "$kmod/include" "$src/"
	cp "$kmod"/module/{*.c,*.h,Kbuild,Makefile} "$src/module/"
	if "build_$build" "$abi" "$root" "$src" "$log" && ! grep -qi 'warning' "$log"; then
		result ok "$abi: build without warnings"
		cp "$src/module/pktring.ko" "$dir/pktring.ko"
	else
		grep -i -B2 -A5 'warning\|error' "$log" | head -40
		result FAIL "$abi: build (see $log)"
		return
	fi
	kernel=$root/boot/vmlinuz-$abi
	[[ -f $kernel ]] || kernel=$root/usr/lib/modules/$abi/vmlinuz

	# initramfs
	rootfs=$dir/initramfs
	rm -rf "$rootfs"
	mkdir -p "$rootfs"/{bin,sbin,etc,proc,sys,dev,tmp,run,modules}
	cp /bin/busybox "$rootfs/bin/busybox"
	for m in $(/bin/busybox --list | grep -vx busybox); do
		ln -sf busybox "$rootfs/bin/$m"
	done
	rm -f "$rootfs/bin/ip"
	local ipbin
	ipbin=$(readlink -f "$(command -v ip)")	# iproute2: busybox ip lacks veth peers
	copy_bin "$rootfs" /usr/bin/tcpdump "$ipbin"
	ln -sf /usr/bin/tcpdump "$rootfs/bin/tcpdump"
	ln -sf "$ipbin" "$rootfs/bin/ip"
	local tools=("$work/bin/pktring-ctl" "$work/bin/pktring-vmtest")
	for m in pktring-dump pktring-stat; do
		[[ -x $kmod/bin/$m ]] && tools+=("$kmod/bin/$m")
	done
	# the host tests' UDP sender and pcap comparers: one of each
	tools+=("$kmod/build/release/tests/udp_sender" "$kmod/build/release/tests/pcap_compare"
		"$kmod/build/release/tests/group_compare")
	for m in "${tools[@]}"; do	# into /bin: the host path may be under /tmp
		copy_bin "$rootfs" "$m"
		mv "$rootfs$m" "$rootfs/bin/"
	done
	echo 'root:x:0:0:root:/:/bin/sh' >"$rootfs/etc/passwd"
	echo 'root:x:0:' >"$rootfs/etc/group"
	cp "$dir/pktring.ko" "$rootfs/pktring.ko"
	cp "$here/guest/init" "$here/guest"/*.sh "$rootfs/"
	# veth, dummy and 9p with their dependencies, in load order
	: >"$rootfs/modules.order"
	for m in veth dummy virtio_pci 9pnet_virtio 9p; do
		modprobe -d "$root" -S "$abi" --show-depends "$m" 2>/dev/null |
			awk '$1 == "insmod" {print $2}'
	done | awk '!seen[$0]++' | while read -r path; do
		m=$(basename "$path")
		if [[ $m == *.xz ]]; then
			xz -dc "$path" >"$rootfs/modules/${m%.xz}"
			m=${m%.xz}
		elif [[ $m == *.zst ]]; then
			zstd -qdc "$path" >"$rootfs/modules/${m%.zst}"
			m=${m%.zst}
		else
			cp "$path" "$rootfs/modules/$m"
		fi
		echo "$m" >>"$rootfs/modules.order"
	done
	local virtfs
	virtfs=$(java_env "$rootfs")
	(cd "$rootfs" && find . | cpio -o -H newc --quiet) >"$dir/initramfs.cpio"

	# boot; a second time only when the guest kernel died before /init ran
	# (seen with TCG: an int3 oops in kernel text patching at ~1 s), which
	# is before the module exists; that console is kept as console-early.log
	local t0 rc attempt
	rm -f "$dir/console-early.log"
	for attempt in 1 2; do
		rm -f "$dir/results.txt" "$dir/console.log"
		t0=$SECONDS
		# shellcheck disable=SC2086
		timeout "$boot_timeout" qemu-system-x86_64 -accel tcg -nographic -no-reboot \
			-nic none -m 1G -smp "$smp" -monitor none -serial "file:$dir/console.log" \
			-kernel "$kernel" -initrd "$dir/initramfs.cpio" \
			-append "console=ttyS0 oops=panic panic=-1 ipv6.disable=1" \
			-chardev "file,id=results,path=$dir/results.txt" \
			-device isa-serial,chardev=results \
			$virtfs >"$dir/qemu.log" 2>&1 </dev/null
		rc=$?
		echo "    booted and ran in $((SECONDS - t0)) s (qemu exit $rc)"
		if ((attempt == 1)) && ! grep -q '^PKTRING-BEGIN' "$dir/results.txt" 2>/dev/null &&
			! grep -aq 'pktring' "$dir/console.log"; then
			mv "$dir/console.log" "$dir/console-early.log"
			echo "NOTE $abi: the guest kernel died before /init (see $dir/console-early.log); booting again"
			continue
		fi
		break
	done

	local line
	while IFS= read -r line; do
		line=${line%$'\r'}
		case $line in
		"PKTRING-RESULT ok "*) result ok "$abi: ${line#PKTRING-RESULT ok }" ;;
		"PKTRING-RESULT FAIL "*) result FAIL "$abi: ${line#PKTRING-RESULT FAIL }" ;;
		"PKTRING-RESULT skip "*) echo "SKIP $abi: ${line#PKTRING-RESULT skip }" ;;
		esac
	done < <(cat "$dir/results.txt" 2>/dev/null)
	if ! grep -q '^PKTRING-END' "$dir/results.txt" 2>/dev/null; then
		tail -30 "$dir/console.log"
		result FAIL "$abi: the guest did not finish (qemu exit $rc, see $dir/console.log)"
	fi
	local bad='WARNING:|BUG:|Oops|general protection fault|sleeping function called from invalid context|soft lockup|hard LOCKUP|rcu_sched self-detected stall|rcu: INFO|KASAN|kmemleak|Kernel panic|Call Trace:|refcount_t:|list_add corruption|list_del corruption|UBSAN'
	if grep -aEq "$bad" "$dir/console.log"; then
		grep -aE -A20 "$bad" "$dir/console.log" | head -60
		result FAIL "$abi: kernel complained on the console (see $dir/console.log)"
	else
		result ok "$abi: no WARNING/BUG/oops/lockup on the console"
	fi
}

# kernel coding style: checkpatch.pl --strict (fetched once, cached in work/)
if "$kmod/module/get-checkpatch.sh" >"$work/checkpatch.log" 2>&1 &&
	make -C "$kmod/module" -s checkpatch \
		CHECKPATCH="$work/checkpatch/checkpatch.pl" >>"$work/checkpatch.log" 2>&1; then
	result ok "checkpatch.pl --strict clean"
else
	tail -20 "$work/checkpatch.log"
	result FAIL "checkpatch.pl --strict (see $work/checkpatch.log)"
fi

if (($#)); then
	lines=("$@")
else
	mapfile -t lines < <(grep -Ev '^[[:space:]]*(#|$)' "$here/kernels.conf" | awk '{print $1}')
fi
tested=()
for line in "${lines[@]}"; do
	run_kernel "$line"
done
echo "kernels tested:"
printf '    %s\n' "${tested[@]}"
echo "kernel module tests: $passed passed, $failed failed"
((failed == 0))
