# SPDX-License-Identifier: GPL-2.0
# A private apt configuration for fetching kernel packages from any Debian
# suite (stable, security, backports, unstable) without touching the
# machine's own sources or package state. Sourced, not run.
#   papt_update SUITE...   writes the sources and refreshes the lists when
#                          they are missing, older than 6 h, or for other suites
#   papt_cache ARGS...     apt-cache with the private configuration
#   papt_get ARGS...       apt-get with the private configuration

PAPT_DIR=${PAPT_DIR:-$(cd "$(dirname "${BASH_SOURCE[0]}")" && pwd)/work/apt}
PAPT_OPTS=(
	-o "Dir::Etc::SourceList=$PAPT_DIR/sources.list"
	-o Dir::Etc::SourceParts=/dev/null
	-o "Dir::State::Lists=$PAPT_DIR/lists"
	-o "Dir::Cache=$PAPT_DIR/cache"
	-o "Dir::State::status=$PAPT_DIR/status"
	-o APT::Architecture=amd64
	-o APT::Sandbox::User=root
	-o Debug::NoLocking=1
)

papt_cache() { apt-cache "${PAPT_OPTS[@]}" "$@"; }
papt_get() { apt-get "${PAPT_OPTS[@]}" "$@"; }

# The mirror the machine already uses (deb.debian.org when none is set).
papt_mirror() {
	local m
	m=$(grep -rhs '^URIs:.*debian/\?$' /etc/apt/sources.list.d/*.sources | head -n1 | awk '{print $2}')
	[[ -z $m ]] && m=$(grep -hs '^deb .*debian/\? ' /etc/apt/sources.list | head -n1 | awk '{print $2}')
	echo "${m:-http://deb.debian.org/debian}"
}
papt_security_mirror() {
	local m
	m=$(grep -rhs '^URIs:.*debian-security/\?$' /etc/apt/sources.list.d/*.sources | head -n1 | awk '{print $2}')
	[[ -z $m ]] && m=$(grep -hs '^deb .*debian-security/\? ' /etc/apt/sources.list | head -n1 | awk '{print $2}')
	echo "${m:-http://deb.debian.org/debian-security}"
}

papt_update() {	# SUITE...
	local mirror security suite sources key
	mirror=$(papt_mirror)
	security=$(papt_security_mirror)
	mkdir -p "$PAPT_DIR"/{lists/partial,cache/archives/partial}
	touch "$PAPT_DIR/status"
	key=/usr/share/keyrings/debian-archive-keyring.gpg
	sources=$(for suite in "$@"; do
		if [[ $suite == *-security ]]; then
			echo "deb [signed-by=$key] $security $suite main"
		else
			echo "deb [signed-by=$key] $mirror $suite main"
		fi
	done)
	if [[ $sources == "$(cat "$PAPT_DIR/sources.list" 2>/dev/null)" ]] &&
		[[ -n $(find "$PAPT_DIR/lists" -maxdepth 1 -name '*_Packages*' -mmin -360 2>/dev/null) ]]; then
		return 0
	fi
	echo "$sources" >"$PAPT_DIR/sources.list"
	papt_get -q update >&2
}
