#!/usr/bin/env bash
# SPDX-License-Identifier: BSD-2-Clause
# make install / make uninstall into a DESTDIR: every tool (tools/pktring-*.c)
# lands in $(PREFIX)/bin (default /usr/local), runs from there, answers --help
# with its usage on stdout and exit 0, and is removed again by uninstall.
set -uo pipefail
. "$(dirname "$0")/lib.sh"

tools=()
for src in "$KMOD"/tools/pktring-*.c; do
	tools+=("$(basename "$src" .c)")
done
((${#tools[@]} >= 5)) || fail "install: only ${#tools[@]} tools found in $KMOD/tools"

dest=$WORK/dest
make -s -C "$KMOD" install DESTDIR="$dest" >"$WORK/install.log" 2>&1
check "install: make install DESTDIR=... succeeds" test $? -eq 0
for t in "${tools[@]}"; do
	bin=$dest/usr/local/bin/$t
	check "install: $t in PREFIX/bin (default /usr/local), executable" test -x "$bin"
	"$bin" --help >"$WORK/$t.out" 2>"$WORK/$t.err"
	rc=$?
	check "install: $t --help exits 0 (got $rc)" test "$rc" -eq 0
	check "install: $t --help prints its usage on stdout, nothing on stderr" \
		bash -c "grep -q '^usage: $t' '$WORK/$t.out' && ! test -s '$WORK/$t.err'"
	"$bin" --no-such-option >/dev/null 2>&1
	rc=$?
	check "install: $t with a bad option exits 2 (got $rc)" test "$rc" -eq 2
done

make -s -C "$KMOD" uninstall DESTDIR="$dest" >>"$WORK/install.log" 2>&1
check "install: make uninstall succeeds" test $? -eq 0
left=$(find "$dest/usr/local/bin" -type f | wc -l)
check "install: make uninstall removes every tool ($left left)" test "$left" -eq 0

# PREFIX moves the tools; a packager's DESTDIR + PREFIX=/usr
make -s -C "$KMOD" install DESTDIR="$dest" PREFIX=/usr >>"$WORK/install.log" 2>&1
check "install: PREFIX=/usr puts the tools in /usr/bin" \
	test "$(find "$dest/usr/bin" -name 'pktring-*' -type f | wc -l)" -eq "${#tools[@]}"
