#!/usr/bin/env bash
# testhosts.sh: three isolated ZFS "hosts" on this one machine, for zrep's tests.
#
# Each host is its own mount + UTS namespace with its own zfs-fuse daemon, its own
# file-backed pool, its own hostname and its own sshd on a loopback address:
#
#   hosta  127.0.0.11  pool pa
#   hostb  127.0.0.12  pool pb
#   hostc  127.0.0.13  pool pc
#
# Usage (as root; HOST... defaults to all three hosts):
#   scripts/testhosts.sh [up [HOST...]]         start what is not running; repair broken hosts
#   scripts/testhosts.sh down [--purge] [HOST...]  export pools, stop everything (--purge: delete
#                                               pools and state; shared client state only for all)
#   scripts/testhosts.sh crash HOST...          power loss: SIGKILL every process of HOST (sshd,
#                                               zfs-fuse, namespace); pool not exported; `up` repairs
#   scripts/testhosts.sh status [HOST...]       one line per host; exit 1 unless all are healthy
#   scripts/testhosts.sh exec HOST CMD [ARGS...]   run CMD inside HOST's namespaces
#   scripts/testhosts.sh env                    print export lines for tests
#
# State lives in ${ZREP_TESTHOSTS_DIR:-/var/lib/zrep-testhosts}. Clients use
# HOME=$STATE/home, whose .ssh/config and known_hosts name the hosts. OpenSSH ignores
# $HOME, so `env` also puts $STATE/bin first on PATH, where an ssh wrapper adds -F:
#   eval "$(scripts/testhosts.sh env)"; HOME=$ZREP_TEST_HOME ssh hosta zpool list
set -euo pipefail

PATH=$PATH:/usr/local/sbin:/usr/sbin:/sbin
STATE=${ZREP_TESTHOSTS_DIR:-/var/lib/zrep-testhosts}
HOSTS=(hosta hostb hostc)
declare -A IP=([hosta]=127.0.0.11 [hostb]=127.0.0.12 [hostc]=127.0.0.13)
declare -A POOL=([hosta]=pa [hostb]=pb [hostc]=pc)
POOL_SIZE=2G
SSH_DIR=$STATE/home/.ssh
# Per-host tmpfs mounts (/var/run and /var/lock are symlinks into /run on Debian;
# mount follows them). /run/zrep is zrep's lock directory.
NS_TMPFS=(/var/run/zfs /var/lib/zfs /var/lock/zfs /run/zrep)
WAIT_ZFS=60   # seconds for zfs-fuse to answer
WAIT_SSHD=10  # seconds for sshd to listen

say() { printf '%s\n' "$*"; }
warn() { printf 'testhosts: %s\n' "$*" >&2; }
die() {
	warn "$*"
	exit 1
}

usage() {
	sed -n '/^# Usage/,/^#$/p' "$0" | sed 's/^# \{0,1\}//' >&2
	exit 2
}

# alive PID: PID runs and is not a zombie (daemons we start are reparented to PID 1,
# which may be slow to reap them).
alive() {
	local st
	[[ -n ${1:-} ]] && read -r st 2>/dev/null <"/proc/$1/stat" || return 1
	st=${st##*) }
	[[ ${st:0:1} != Z ]]
}

# readpid FILE: print the number in FILE, fail if there is none.
readpid() {
	local p
	[[ -r $1 ]] && read -r p <"$1" 2>/dev/null && [[ $p =~ ^[0-9]+$ ]] && printf '%s\n' "$p"
}

# nsid PID: the mount and UTS namespaces of PID, as one word.
nsid() {
	local m u
	m=$(readlink "/proc/$1/ns/mnt" 2>/dev/null) && u=$(readlink "/proc/$1/ns/uts" 2>/dev/null) &&
		printf '%s+%s\n' "$m" "$u"
}

# keeper HOST: print the pid of the process that holds HOST's namespaces open,
# if it is alive and still in the namespaces recorded when the host was built.
keeper() {
	local d=$STATE/$1 k want
	k=$(readpid "$d/ns.pid") && read -r want 2>/dev/null <"$d/ns.id" && [[ $(nsid "$k") == "$want" ]] &&
		printf '%s\n' "$k"
}

# ns_pids HOST: every process in HOST's recorded namespaces, whether or not the keeper lives.
ns_pids() {
	local want path link pid
	local -A mnt=()
	read -r want 2>/dev/null <"$STATE/$1/ns.id" || return 0
	# One find for all processes: every "/proc/PID/ns/mnt mnt:[N]" line, then the uts ones.
	while read -r path link; do
		pid=${path#/proc/}
		pid=${pid%%/*}
		case $path in
		*/mnt) mnt[$pid]=$link ;;
		*/uts) [[ ${mnt[$pid]:-}+$link == "$want" && $pid != "$$" && $pid != "$BASHPID" ]] && printf '%s\n' "$pid" ;;
		esac
	done < <(find /proc/[0-9]*/ns/mnt /proc/[0-9]*/ns/uts -maxdepth 0 -printf '%p %l\n' 2>/dev/null)
	return 0
}

in_ns() {
	local k=$1
	shift
	nsenter -t "$k" -m -u -- "$@"
}

# wait_gone SECONDS PID...: wait for the PIDs to exit; fail if some are still alive.
wait_gone() {
	local n=$(($1 * 10)) p left
	shift
	while :; do
		left=()
		for p in "$@"; do alive "$p" && left+=("$p"); done
		((${#left[@]} == 0)) && return 0
		((n-- > 0)) || return 1
		sleep 0.1
		set -- "${left[@]}"
	done
}

# stop SECONDS PID...: SIGTERM, wait, then SIGKILL what is left.
stop() {
	local secs=$1 p
	shift
	(($# > 0)) || return 0
	kill -TERM "$@" 2>/dev/null || true
	wait_gone "$secs" "$@" && return 0
	for p in "$@"; do alive "$p" && warn "pid $p ignored SIGTERM; killing it"; done
	kill -KILL "$@" 2>/dev/null || true
	wait_gone 5 "$@" || warn "pids still alive after SIGKILL: $*"
}

# detach LOG CMD...: start CMD in the background ($! is its pid) so that it outlives the
# caller: its own session, SIGHUP ignored, stdin /dev/null, output to LOG, and none of
# the caller's other descriptors (a CI runner's pipe, our lock).
detach() {
	local log=$1
	shift
	(
		for fd in /proc/"$BASHPID"/fd/*; do
			fd=${fd##*/}
			if ((fd > 2)) && [[ -e /proc/$BASHPID/fd/$fd ]]; then exec {fd}>&-; fi
		done
		exec setsid nohup "$@" </dev/null >>"$log" 2>&1
	) &
}

# port_open IP: something listens on IP:22. Read from /proc/net/tcp rather than by
# connecting, which would leave a line in sshd's log at every check.
port_open() {
	local a b c d want
	IFS=. read -r a b c d <<<"$1"
	printf -v want '%02X%02X%02X%02X:0016' "$d" "$c" "$b" "$a"
	grep -q "^ *[0-9]*: $want [0-9A-F]*:[0-9A-F]* 0A " /proc/net/tcp
}

# ---- health ------------------------------------------------------------------

# ns_ok HOST: keeper alive and the pool answers inside the namespace.
ns_ok() {
	local k
	k=$(keeper "$1") || {
		REASON="namespace keeper not running"
		[[ ! -e $STATE/$1/crashed ]] || REASON="crashed ($(<"$STATE/$1/crashed"))"
		return 1
	}
	timeout 10 nsenter -t "$k" -m -u -- zpool list -H -o name "${POOL[$1]}" >/dev/null 2>&1 || {
		REASON="pool ${POOL[$1]} not answering (zfs-fuse dead or pool not imported)"
		return 1
	}
	# A wedged zfs-fuse still answers zpool list but hangs FUSE requests.
	timeout 5 nsenter -t "$k" -m -u -- ls "/${POOL[$1]}" >/dev/null 2>&1 || {
		REASON="/${POOL[$1]} not answering (zfs-fuse wedged)"
		return 1
	}
}

# sshd_ok HOST: its sshd runs, listens, and runs with the current config.
sshd_ok() {
	local d=$STATE/$1 p
	if ! { p=$(readpid "$d/sshd.pid") && alive "$p"; }; then
		REASON="sshd not running"
		return 1
	fi
	port_open "${IP[$1]}" || {
		REASON="sshd not listening on ${IP[$1]}:22"
		return 1
	}
	[[ ! -e $d/sshd_config.stale ]] || {
		REASON="sshd_config changed"
		return 1
	}
}

healthy() { ns_ok "$1" && sshd_ok "$1"; }

# ---- setup -------------------------------------------------------------------

need_packages() {
	local c
	for c in zfs-fuse zfs zpool sshd ssh-keygen ssh nsenter unshare flock; do
		command -v "$c" >/dev/null 2>&1 || return 0
	done
	return 1
}

install_packages() {
	need_packages || return 0
	command -v apt-get >/dev/null || die "zfs-fuse/openssh/util-linux missing and no apt-get to install them"
	say "installing zfs-fuse openssh-server openssh-client util-linux"
	# Keep packages from starting their system services (a system sshd on 0.0.0.0:22
	# would take the port our sshds need).
	local policy=/usr/sbin/policy-rc.d made=
	if [[ ! -e $policy ]]; then
		printf '#!/bin/sh\nexit 101\n' >"$policy"
		chmod 755 "$policy"
		made=1
	fi
	local rc=0
	{
		apt-get -q update &&
			DEBIAN_FRONTEND=noninteractive apt-get install -y -q \
				-o Dpkg::Options::=--force-confdef -o Dpkg::Options::=--force-confold \
				zfs-fuse openssh-server openssh-client util-linux
	} </dev/null >"$STATE/apt.log" 2>&1 || rc=$?
	[[ -z $made ]] || rm -f "$policy"
	((rc == 0)) || die "apt-get failed (exit $rc); see $STATE/apt.log"
	need_packages && die "packages installed but a command is still missing; see $STATE/apt.log"
	return 0
}

ensure_fuse() {
	[[ -c /dev/fuse ]] && return 0
	modprobe fuse 2>/dev/null || true
	[[ -c /dev/fuse ]] || mknod -m 0666 /dev/fuse c 10 229 || die "cannot create /dev/fuse"
}

# write_if_changed FILE: replace FILE with stdin unless identical; succeed if it changed.
write_if_changed() {
	local tmp
	tmp=$(mktemp "$1.XXXXXX")
	cat >"$tmp"
	if cmp -s "$tmp" "$1"; then
		rm -f "$tmp"
		return 1
	fi
	chmod 644 "$tmp"
	mv -f "$tmp" "$1"
}

# newkey FILE COMMENT: an ed25519 key pair without passphrase, unless FILE has one already.
newkey() {
	[[ -s $1 && -s $1.pub ]] && return 0
	rm -f "$1" "$1.pub"
	ssh-keygen -q -t ed25519 -N '' -C "$2" -f "$1" </dev/null >/dev/null
}

# client_setup: the client key pair, authorized_keys, ssh config and known_hosts.
client_setup() {
	local h key
	mkdir -p "$SSH_DIR"
	chmod 700 "$STATE/home" "$SSH_DIR"
	newkey "$SSH_DIR/id_ed25519" zrep-testhosts
	cut -d' ' -f1,2 "$SSH_DIR/id_ed25519.pub" | write_if_changed "$STATE/authorized_keys" || true
	for h in "${HOSTS[@]}"; do
		printf 'Host %s\n  HostName %s\n  User root\n  IdentityFile %s\n  UserKnownHostsFile %s\n  StrictHostKeyChecking yes\n  BatchMode yes\n\n' \
			"$h" "${IP[$h]}" "$SSH_DIR/id_ed25519" "$SSH_DIR/known_hosts"
	done | write_if_changed "$SSH_DIR/config" || true
	for h in "${HOSTS[@]}"; do
		read -r key <"$STATE/$h/ssh_host_ed25519_key.pub"
		key=${key% *} # drop the comment
		printf '%s,%s %s\n' "$h" "${IP[$h]}" "$key"
	done | write_if_changed "$SSH_DIR/known_hosts" || true
	# OpenSSH takes ~/.ssh from the passwd entry, not from $HOME: this wrapper (first on
	# PATH, see `env`) makes `HOME=$STATE/home ssh hosta` use $STATE/home/.ssh/config.
	mkdir -p "$STATE/bin"
	cat <<'EOF' | write_if_changed "$STATE/bin/ssh" || true
#!/bin/sh
# Written by scripts/testhosts.sh: OpenSSH ignores $HOME; use $HOME/.ssh/config if there is one.
if [ -n "${HOME:-}" ] && [ -f "$HOME/.ssh/config" ]; then
	exec /usr/bin/ssh -F "$HOME/.ssh/config" "$@"
fi
exec /usr/bin/ssh "$@"
EOF
	chmod 755 "$STATE/bin/ssh"
}

# host_key HOST: its directories and host key (client_setup needs every host's).
host_key() {
	mkdir -p "$STATE/$1/vdev"
	newkey "$STATE/$1/ssh_host_ed25519_key" "root@$1"
}

# host_files HOST: sshd_config (marks sshd stale if it changed).
host_files() {
	local h=$1 d=$STATE/$1
	if cat <<EOF | write_if_changed "$d/sshd_config"; then
# Written by scripts/testhosts.sh; rewritten by every \`up\`.
ListenAddress ${IP[$h]}
PidFile $d/sshd.pid
HostKey $d/ssh_host_ed25519_key
AuthorizedKeysFile $STATE/authorized_keys
PermitRootLogin prohibit-password
PubkeyAuthentication yes
PasswordAuthentication no
KbdInteractiveAuthentication no
UsePAM no
MaxSessions 100
MaxStartups 100
# A bash started by sshd sources ~/.bashrc unless SHLVL says it is nested; root's
# .bashrc may run slow things (pyenv init) on every command.
SetEnv SHLVL=1
# The default (post-quantum sntrup761x25519) costs OpenSSH clients ~0.1 s of CPU per connection.
KexAlgorithms curve25519-sha256,curve25519-sha256@libssh.org,ecdh-sha2-nistp256,diffie-hellman-group14-sha256
StrictModes no
PrintMotd no
PrintLastLog no
UseDNS no
Subsystem sftp /usr/lib/openssh/sftp-server
EOF
		: >"$d/sshd_config.stale"
	fi
}

start_sshd() {
	local h=$1 d=$STATE/$1 k old p n
	k=$(keeper "$h") || die "$h: no namespace to start sshd in"
	if old=$(readpid "$d/sshd.pid") && alive "$old"; then stop 5 "$old"; fi
	rm -f "$d/sshd.pid" "$d/sshd_config.stale"
	mkdir -p /run/sshd # privilege separation directory; /run itself is shared
	/usr/sbin/sshd -t -f "$d/sshd_config" >>"$d/sshd.log" 2>&1 || die "$h: bad sshd_config; see $d/sshd.log"
	# sshd daemonizes itself (setsid, stdio to /dev/null) and writes its PidFile.
	# shellcheck disable=SC2094 # sshd -E and the redirections only append
	nsenter -t "$k" -m -u -- /usr/sbin/sshd -f "$d/sshd_config" -E "$d/sshd.log" </dev/null >>"$d/sshd.log" 2>&1 9>&- ||
		die "$h: sshd failed to start; see $d/sshd.log"
	for ((n = WAIT_SSHD * 10; n > 0; n--)); do
		p=$(readpid "$d/sshd.pid") && alive "$p" && port_open "${IP[$h]}" && return 0
		sleep 0.1
	done
	warn "$h: sshd not listening on ${IP[$h]}:22 after ${WAIT_SSHD}s; last lines of $d/sshd.log:"
	tail -n 5 "$d/sshd.log" >&2 || true
	exit 1
}

# pool_holders FILE: pids that have FILE open (an old zfs-fuse must not share a vdev).
pool_holders() {
	{ find /proc/[0-9]*/fd -maxdepth 1 -lname "$1" -printf '%h\n' 2>/dev/null || true; } | cut -d/ -f3 | sort -u
}

build_host() {
	local h=$1 d=$STATE/$1 pool=${POOL[$1]} k zpid n holders what dir
	local vdev=$d/vdev/$pool.img
	for dir in "${NS_TMPFS[@]}"; do mkdir -p "$dir"; done
	rm -f "$d/ns.pid" "$d/ns.pid.new" "$d/ns.id" "$d/crashed"

	# The keeper: a process that only holds the namespaces open.
	# shellcheck disable=SC2016 # $$ and $1 are for the inner sh
	detach "$d/ns.log" unshare --mount --uts --fork --propagation private -- \
		sh -c 'echo $$ >"$1.new" && mv "$1.new" "$1" && exec sleep infinity' sh "$d/ns.pid"
	for ((n = 50; n > 0; n--)); do
		k=$(readpid "$d/ns.pid") && break
		sleep 0.1
	done
	alive "${k:-}" || die "$h: namespace keeper did not start; see $d/ns.log"
	nsid "$k" >"$d/ns.id"
	[[ $(<"$d/ns.id") != "$(nsid $$)" ]] || die "$h: keeper $k is not in a new namespace"

	# shellcheck disable=SC2016 # expanded by the inner sh
	in_ns "$k" sh -euc '
		mount --make-rprivate /
		h=$1; shift
		for dir; do mount -t tmpfs -o mode=0755,size=64m zrep-testhosts "$dir"; done
		hostname "$h"' sh "$h" "${NS_TMPFS[@]}" || die "$h: namespace setup failed"

	detach "$d/zfs-fuse.log" nsenter -t "$k" -m -u -- zfs-fuse --no-daemon --no-kstat-mount -p /var/run/zfs/pid
	zpid=$!
	for ((n = WAIT_ZFS * 10; n > 0; n--)); do
		timeout 10 nsenter -t "$k" -m -u -- zpool list -H >/dev/null 2>&1 && break
		alive "$zpid" || die "$h: zfs-fuse exited at start; see $d/zfs-fuse.log"
		sleep 0.1
	done
	((n > 0)) || die "$h: zfs-fuse did not answer within ${WAIT_ZFS}s; see $d/zfs-fuse.log"
	# With --no-daemon zfs-fuse writes no pidfile; $! is zfs-fuse itself (setsid, nohup
	# and nsenter -m -u all exec without forking).
	[[ $(cat "/proc/$zpid/comm" 2>/dev/null) == zfs-fuse ]] || die "$h: pid $zpid is not zfs-fuse"
	echo "$zpid" >"$d/zfs-fuse.pid"

	# Mountpoint directories left on the shared root by a dead zfs-fuse make
	# the pool's own mount fail ("directory is not empty").
	[[ -d /$pool ]] && find "/$pool" -mindepth 1 -depth -type d -empty -delete 2>/dev/null
	if [[ -e $vdev ]]; then
		holders=$(pool_holders "$vdev")
		[[ -z $holders ]] || die "$h: $vdev is open by pid(s) ${holders//$'\n'/ } (a stray zfs-fuse?); stop them first"
		if ! in_ns "$k" zpool import -d "$d/vdev" "$pool" >>"$d/zfs-fuse.log" 2>&1; then
			# Not exported (zfs-fuse was killed): the pool looks in use by "another system".
			in_ns "$k" zpool import -f -d "$d/vdev" "$pool" >>"$d/zfs-fuse.log" 2>&1 ||
				die "$h: cannot import $pool from $vdev; see $d/zfs-fuse.log (\`down --purge\` starts over)"
		fi
		what="imported"
	else
		truncate -s "$POOL_SIZE" "$vdev.new"
		mv "$vdev.new" "$vdev"
		in_ns "$k" zpool create "$pool" "$vdev" >>"$d/zfs-fuse.log" 2>&1 || {
			rm -f "$vdev"
			die "$h: zpool create $pool failed; see $d/zfs-fuse.log"
		}
		what="created"
	fi
	start_sshd "$h"
	say "$h: up (${IP[$h]}, pool $pool $what)"
}

# ---- teardown ----------------------------------------------------------------

# teardown HOST: export the pool if zfs-fuse answers, then stop every process of the host.
teardown() {
	local h=$1 d=$STATE/$1 pool=${POOL[$1]} k z s p n anchor='' parent='' exported=''
	local -a pids others=()
	k=$(keeper "$h") || k=''
	z=$(readpid "$d/zfs-fuse.pid") || z=''
	s=$(readpid "$d/sshd.pid") || s=''
	# The keeper's parent is `unshare --fork`, which waits for it (and blocks SIGTERM).
	[[ -z $k ]] || parent=$(cut -d' ' -f4 "/proc/$k/stat" 2>/dev/null) || true

	# First sshd, its sessions and any `exec` still running: they may keep datasets busy.
	if alive "$s"; then stop 5 "$s"; fi
	mapfile -t pids < <(ns_pids "$h")
	for p in "${pids[@]}"; do
		[[ $p == "$k" || $p == "$z" || $p == "$parent" ]] || others+=("$p")
	done
	stop 5 "${others[@]}"

	for p in "$k" "$z"; do alive "$p" && anchor=$p && break; done
	if [[ -n $anchor ]] && timeout 10 nsenter -t "$anchor" -m -u -- zpool list -H -o name "$pool" >/dev/null 2>&1; then
		timeout 30 nsenter -t "$anchor" -m -u -- zfs unmount -a >>"$d/zfs-fuse.log" 2>&1 ||
			warn "$h: zfs unmount -a failed; see $d/zfs-fuse.log"
		# Bounded: a wedged zfs-fuse must not hold teardown for long.
		for ((n = 0; n < 5; n++)); do
			if timeout 10 nsenter -t "$anchor" -m -u -- zpool export "$pool" >>"$d/zfs-fuse.log" 2>&1; then
				exported=1
				break
			fi
			sleep 0.5
		done
		[[ -n $exported ]] || warn "$h: zpool export $pool failed; see $d/zfs-fuse.log (next import uses -f)"
	fi
	if alive "$z"; then
		if [[ -n $exported ]]; then
			# Nothing left to flush; on SIGTERM zfs-fuse takes ~4 s to exit.
			kill -KILL "$z"
			wait_gone 5 "$z" || warn "$h: zfs-fuse $z still alive after SIGKILL"
		else
			stop 20 "$z"
		fi
	fi
	if alive "$k"; then stop 5 "$k"; fi
	mapfile -t pids < <(ns_pids "$h")
	stop 5 "${pids[@]}"
	rm -f "$d/ns.pid" "$d/ns.id" "$d/sshd.pid" "$d/zfs-fuse.pid" "$d/crashed"
}

# crash HOST: a power loss. Every process in HOST's namespaces (keeper, zfs-fuse, sshd
# and its sessions, anything entered with nsenter) is stopped at once and then killed
# with SIGKILL: nothing is unmounted, flushed or exported, so the next `up` imports the
# pool with -f. The pid files go (a recycled pid must not pass for the keeper); ns.id
# stays, so `up` still finds any straggler.
crash() {
	local h=$1 d=$STATE/$1 pass
	local -a pids
	# Several passes: a process may fork between the listing and SIGSTOP.
	for ((pass = 0; pass < 5; pass++)); do
		mapfile -t pids < <(ns_pids "$h")
		if ((${#pids[@]} == 0)); then
			((pass > 0)) && break
			say "$h: already down"
			return 0
		fi
		kill -STOP "${pids[@]}" 2>/dev/null || true
		kill -KILL "${pids[@]}" 2>/dev/null || true
		wait_gone 5 "${pids[@]}" || warn "$h: pids still alive after SIGKILL: ${pids[*]}"
	done
	rm -f "$d/ns.pid" "$d/sshd.pid" "$d/zfs-fuse.pid"
	date '+scripts/testhosts.sh crash at %F %T' >"$d/crashed"
	say "$h: crashed"
}

# ---- subcommands -------------------------------------------------------------

need_root() { [[ $(id -u) == 0 ]] || die "must run as root"; }

take_lock() {
	mkdir -p "$STATE"
	exec 9>>"$STATE/.lock"
	flock -w 600 9 || die "another testhosts.sh holds $STATE/.lock"
}

# pick_hosts HOST...: set PICKED to the named hosts, or to all of them if none is named.
pick_hosts() {
	local h
	PICKED=("$@")
	((${#PICKED[@]} > 0)) || PICKED=("${HOSTS[@]}")
	for h in "${PICKED[@]}"; do
		[[ -n ${IP[$h]:-} ]] || die "unknown host '$h' (hosts: ${HOSTS[*]})"
	done
}

cmd_up() {
	local h
	pick_hosts "$@"
	need_root
	[[ $STATE != *[[:space:]]* ]] || die "ZREP_TESTHOSTS_DIR must not contain spaces: $STATE"
	take_lock
	install_packages
	ensure_fuse
	for h in "${HOSTS[@]}"; do host_key "$h"; done
	for h in "${PICKED[@]}"; do host_files "$h"; done
	client_setup
	for h in "${PICKED[@]}"; do
		REASON=
		if healthy "$h"; then
			say "$h: already up (${IP[$h]}, pool ${POOL[$h]})"
		elif ns_ok "$h"; then
			say "$h: $REASON; restarting sshd"
			start_sshd "$h"
			say "$h: up (${IP[$h]}, pool ${POOL[$h]})"
		else
			[[ ! -e $STATE/$h/ns.id ]] || say "$h: $REASON; rebuilding"
			teardown "$h"
			build_host "$h"
		fi
	done
}

cmd_down() {
	local purge='' h
	local -a names=()
	for h; do
		case $h in
		--purge) purge=1 ;;
		-*) usage ;;
		*) names+=("$h") ;;
		esac
	done
	pick_hosts "${names[@]}"
	need_root
	take_lock
	for h in "${PICKED[@]}"; do
		if [[ -e $STATE/$h/ns.id ]]; then
			teardown "$h"
			say "$h: down"
		else
			say "$h: already down"
		fi
	done
	if [[ -n $purge ]]; then
		for h in "${PICKED[@]}"; do
			rm -rf "${STATE:?}/$h"
			rmdir "/${POOL[$h]}" 2>/dev/null || true # empty mountpoint left by zfs
		done
		if ((${#names[@]} > 0)); then
			say "purged ${PICKED[*]}"
			return 0
		fi
		(cd "$STATE" && rm -rf home bin authorized_keys apt.log .lock)
		rmdir "$STATE" 2>/dev/null || true
		say "purged $STATE"
	fi
}

cmd_crash() {
	local h
	(($# > 0)) || usage
	pick_hosts "$@"
	need_root
	take_lock
	for h in "${PICKED[@]}"; do crash "$h"; done
}

cmd_status() {
	local h bad=0 k z s
	pick_hosts "$@"
	for h in "${PICKED[@]}"; do
		REASON=
		if healthy "$h"; then
			k=$(keeper "$h")
			z=$(readpid "$STATE/$h/zfs-fuse.pid") || z='?'
			s=$(readpid "$STATE/$h/sshd.pid") || s='?'
			say "$h: up ${IP[$h]} pool ${POOL[$h]} (keeper $k, zfs-fuse $z, sshd $s)"
		else
			say "$h: DOWN: $REASON"
			bad=1
		fi
	done
	return "$bad"
}

cmd_exec() {
	(($# >= 2)) || usage
	local h=$1 k
	shift
	[[ -n ${IP[$h]:-} ]] || die "unknown host '$h' (hosts: ${HOSTS[*]})"
	k=$(keeper "$h") || die "$h is not up; run scripts/testhosts.sh up"
	# Entering a mount namespace moves to its root; keep the caller's directory instead.
	exec nsenter -t "$k" -m -u --wd="$PWD" -- "$@"
}

cmd_env() {
	local h pools=()
	for h in "${HOSTS[@]}"; do pools+=("${POOL[$h]}"); done
	printf 'export ZREP_TESTHOSTS_DIR=%q\n' "$STATE"
	printf 'export ZREP_TEST_HOME=%q\n' "$STATE/home"
	printf 'export ZREP_TEST_HOSTS=%q\n' "${HOSTS[*]}"
	printf 'export ZREP_TEST_POOLS=%q\n' "${pools[*]}"
	# shellcheck disable=SC2016 # $PATH is expanded by whoever evaluates the output
	printf 'export PATH=%q:"$PATH"\n' "$STATE/bin"
}

main() {
	local cmd=${1:-up}
	(($# == 0)) || shift
	case $cmd in
	env) (($# == 0)) || usage ;;
	up | down | crash | status | exec) ;;
	*) usage ;;
	esac
	case $cmd in
	up) cmd_up "$@" ;;
	down) cmd_down "$@" ;;
	crash) cmd_crash "$@" ;;
	status) cmd_status "$@" ;;
	exec) cmd_exec "$@" ;;
	env) cmd_env ;;
	esac
}

main "$@"
