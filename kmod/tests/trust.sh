#!/usr/bin/env bash
# SPDX-License-Identifier: BSD-2-Clause
# A local user against root's tools: rings and their directory get modes
# that keep packets from other users; a directory another user owns or can
# write, a FIFO, a symbolic link, a file that is not a ring, a name longer
# than PATH_MAX are refused with a clear error, never followed, never
# waited on, never overwritten. The other user is nobody (setpriv).
#
# Runs in a mount namespace of its own with a fresh tmpfs on /dev/shm, so
# /dev/shm/pktring is this test's and no other run's.
set -uo pipefail
if [[ ${TRUST_NS:-} != 1 ]]; then
	export TRUST_NS=1
	exec unshare --mount --propagation private -- bash -c \
		'mount -t tmpfs -o mode=1777 trust-shm /dev/shm && exec "$0" "$@"' "$0" "$@"
fi
. "$(dirname "$0")/lib.sh"

need_corpus vlan.pcap
src=$CORPUS/vlan.pcap
SHM=/dev/shm/pktring
NOBODY=(setpriv --reuid=nobody --regid=nogroup --clear-groups --)
nobody_uid=$(id -u nobody)
mode_of() { stat -c '%a %U:%G' "$1"; }
epoch_of() { od -An -tx8 -j 32 -N 8 "$1" | tr -d ' '; }
# refused NAME "MESSAGE" CMD...: exit ${WANT:-1} within 10 s, MESSAGE on
# stderr, sanitizer clean
refused() {
	local name=$1 msg=$2 rc
	shift 2
	timeout -k 5 10 "$@" >"$WORK/out" 2>"$WORK/err" </dev/null
	rc=$?
	if ((rc == ${WANT:-1})) && grep -qF -- "$msg" "$WORK/err" && sanitizer_clean "$WORK/err"; then
		pass "trust: $name: \"$(head -c 200 "$WORK/err" | tr '\n' ' ')\""
	else
		fail "trust: $name: exit $rc (want ${WANT:-1} with \"$msg\"): $(head -c 300 "$WORK/err")"
	fi
}

# --- modes: rings 0640 in a 0750 directory, --mode and --group ---
"$T/pktring-replay" -q -r grp --group nogroup "$src" 2>"$WORK/err"
check "trust: a writer makes $SHM mode 750 with the ring's group: $(mode_of $SHM)" \
	test "$(mode_of $SHM)" = "750 root:nogroup"
check "trust: --group nogroup: ring $(mode_of $SHM/grp)" test "$(mode_of $SHM/grp)" = "640 root:nogroup"
"$T/pktring-replay" -q -r plain "$src" 2>"$WORK/err"
check "trust: a new ring is mode 640 by default: $(mode_of $SHM/plain)" test "$(mode_of $SHM/plain)" = "640 root:root"
"$T/pktring-replay" -q -r private --mode 0600 "$src" 2>"$WORK/err"
check "trust: --mode 0600: $(mode_of $SHM/private)" test "$(mode_of $SHM/private)" = "600 root:root"
(umask 077 && "$T/pktring-replay" -q -r umask --mode 0640 "$src" 2>"$WORK/err")
check "trust: --mode is kept whatever the umask (077): $(mode_of $SHM/umask)" test "$(mode_of $SHM/umask)" = "640 root:root"
"${NOBODY[@]}" "$T/pktring-dump" -q -r grp -w /dev/null 2>"$WORK/err"
check "trust: nobody in group nogroup reads the nogroup ring" test $? = 0
refused "nobody cannot read root's ring (mode 640, group root)" "Permission denied" \
	"${NOBODY[@]}" "$T/pktring-dump" -r plain -w /dev/null
refused "nobody cannot read a --mode 0600 ring" "Permission denied" \
	"${NOBODY[@]}" "$T/pktring-stat" -r private
"$T/pktring-replay" -q -r other --group daemon "$src" 2>"$WORK/err"
check "trust: a --group whose members cannot enter the directory is warned about: $(head -c 160 "$WORK/err")" \
	grep -q "cannot enter its directory" "$WORK/err"
WANT=2 refused "--mode beyond 0666 is a usage error" "bad --mode '4755'" \
	"$T/pktring-replay" -q -r bad --mode 4755 "$src"
WANT=2 refused "--mode with --append is a usage error" "an appended ring keeps its own" \
	"$T/pktring-replay" -q -r plain --append --mode 0600 "$src"
WANT=2 refused "--group of no group" "no group 'no-such-group'" \
	"$T/pktring-capd" -i lo -r x --group no-such-group

# capd, the other writer
"$T/pktring-capd" -q -i lo -r capd --mode 0600 --group nogroup 2>"$WORK/capd.err" &
capd=$!
wait_file $SHM/capd
sleep 0.2
kill -INT $capd
wait $capd
check "trust: pktring-capd --mode 0600 --group nogroup: $(mode_of $SHM/capd)" \
	test "$(mode_of $SHM/capd)" = "600 root:nogroup"

# --- the directory: another user's, or writable by others ---
rm -rf $SHM
"${NOBODY[@]}" mkdir -m 0755 $SHM
"${NOBODY[@]}" "$T/pktring-replay" -q -r forged "$src" 2>"$WORK/err"
check "trust: nobody made $SHM and a ring in it" test -f $SHM/forged
refused "root's reader refuses a ring in nobody's $SHM" "is owned by uid $nobody_uid, not by root or you" \
	"$T/pktring-dump" -r forged -w /dev/null
refused "root's pktring-stat too" "is owned by uid $nobody_uid" "$T/pktring-stat" -r forged
refused "root's replay will not write into nobody's $SHM" "is owned by uid $nobody_uid" \
	"$T/pktring-replay" -r mine "$src"
check "trust: ... and wrote nothing there: $(ls $SHM | tr '\n' ' ')" test ! -e $SHM/mine
rm -rf $SHM
mkdir -m 0777 $SHM
chmod 0777 $SHM	# whatever the umask
refused "a $SHM writable by others (0777, not sticky)" "writable by others (mode 0777) and not sticky" \
	"$T/pktring-replay" -r mine "$src"
chmod 0770 $SHM
refused "a $SHM writable by its group (0770)" "writable by its group" "$T/pktring-dump" -r mine
rm -rf $SHM

# a sticky directory others write (like /tmp): only root's or our own rings
sticky=/dev/shm/sticky
mkdir -m 1777 $sticky
chmod 1777 $sticky
"${NOBODY[@]}" "$T/pktring-replay" -q -r $sticky/theirs "$src"
"$T/pktring-replay" -q -r $sticky/ours "$src"
refused "a ring of nobody's in a sticky directory" "owned by uid $nobody_uid in a directory others may write" \
	"$T/pktring-dump" -r $sticky/theirs -w /dev/null
"$T/pktring-dump" -q -r $sticky/ours -w /dev/null 2>"$WORK/err"
check "trust: root's own ring in the sticky directory reads" test $? = 0
"${NOBODY[@]}" "$T/pktring-dump" -q -r $sticky/theirs -w /dev/null 2>"$WORK/err"
check "trust: ... and nobody's reads for nobody" test $? = 0
refused "root does not replace nobody's ring there" "owned by uid $nobody_uid" \
	"$T/pktring-replay" -r $sticky/theirs "$src"

# --- what sits at the name: FIFO, symbolic link, a file that is not a ring ---
"$T/pktring-replay" -q -r "$WORK/good" "$src"
mkfifo "$WORK/fifo"
chown nobody "$WORK/fifo"
for tool in pktring-dump pktring-stat; do
	refused "$tool on a FIFO returns at once" "is a FIFO, neither a ring file" "$T/$tool" -r "$WORK/fifo"
done
refused "replay --append to a FIFO" "is a FIFO" "$T/pktring-replay" --append -r "$WORK/fifo" "$src"
refused "replay over a FIFO" "is a FIFO" "$T/pktring-replay" -r "$WORK/fifo" "$src"
check "trust: the FIFO is still there" test -p "$WORK/fifo"
ln -s "$WORK/good" "$WORK/link"
ln -s /etc/shadow "$WORK/shadow"
refused "a symbolic link to a ring is not followed" "is a symbolic link" "$T/pktring-dump" -r "$WORK/link" -w /dev/null
refused "a symbolic link to /etc/shadow is not followed" "is a symbolic link" "$T/pktring-stat" -r "$WORK/shadow"
sum=$(sha256sum <"$WORK/good")
refused "replay --append through a symbolic link" "is a symbolic link" \
	"$T/pktring-replay" --append -r "$WORK/link" "$src"
refused "replay over a symbolic link" "is a symbolic link" "$T/pktring-replay" -r "$WORK/link" "$src"
check "trust: the link and its target are untouched" \
	eval '[[ -L $WORK/link && $(sha256sum <"$WORK/good") == "$sum" ]]'
cp "$src" "$WORK/x.pcap"
refused "replay -r ./x.pcap does not overwrite the pcap" "is not a pktring ring" \
	bash -c 'cd "$1" && exec "$2" -r ./x.pcap "$3"' _ "$WORK" "$T/pktring-replay" "$src"
check "trust: x.pcap is unchanged" cmp -s "$src" "$WORK/x.pcap"
: >"$WORK/empty"
refused "replay over an empty file" "is not a pktring ring" "$T/pktring-replay" -r "$WORK/empty" "$src"
refused "a character device that is not the module's" "not the pktring module's" \
	"$T/pktring-dump" -r /dev/null

# --- names ---
refused "a bare name '..'" "is not a ring name" "$T/pktring-dump" -r ..
long=$WORK/
while ((${#long} + 4 < 4095)); do long+=./; done
long=${long:0:4091}good	# 4095 bytes: names $WORK/good
[[ ${#long} == 4095 ]] || fail "trust: the long name is ${#long} bytes"
"$T/pktring-stat" -r "$long" >/dev/null 2>"$WORK/err"
check "trust: a ring argument of 4095 bytes (PATH_MAX - 1) still opens" test $? = 0
refused "a ring argument of 4096 bytes is refused, not cut to the 4095 that name another ring" \
	"longer than PATH_MAX" "$T/pktring-dump" -r "${long}x" -w /dev/null

# bare names: the kernel device first. A tmpfs /dev of this namespace holds
# /dev/pktring/dev1; no module is loaded on the host, so it is a ring file.
"$T/pktring-replay" -q -r dev1 "$src"
cp "$WORK/good" "$WORK/kernel-ring"
olddev=$(mktemp -d /tmp/trust-olddev.XXXXXX)
unshare --mount --propagation private -- bash -c '
	set -e
	mount --rbind /dev "$4"
	mount -t tmpfs -o mode=755 trust-dev /dev
	mkdir /dev/shm
	mount --rbind "$4/shm" /dev/shm
	for n in null zero urandom random full; do touch /dev/$n; mount --bind "$4/$n" /dev/$n; done
	ln -s /proc/self/fd /dev/fd
	mkdir -m 755 /dev/pktring
	cp "$1/kernel-ring" /dev/pktring/dev1
	"$2/pktring-stat" -r dev1 --json >"$1/bare.json"
	"$2/pktring-replay" -q -r dev1 "$3" 2>"$1/bare-writer.err" || true
' _ "$WORK" "$T" "$src" "$olddev" 2>"$WORK/ns.err"
rmdir "$olddev"
check "trust: a bare name reads /dev/pktring/NAME before $SHM/NAME: $(jq -r .path "$WORK/bare.json" 2>/dev/null) ($(cat "$WORK/ns.err"))" \
	test "$(jq -r .path "$WORK/bare.json" 2>/dev/null)" = /dev/pktring/dev1
check "trust: a writer refuses a bare name the kernel has a ring of: $(head -c 200 "$WORK/bare-writer.err")" \
	grep -q "the kernel module has a ring /dev/pktring/dev1" "$WORK/bare-writer.err"
