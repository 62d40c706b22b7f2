#!/usr/bin/env bash
# openzfs.sh: three ZFS "hosts" on real in-kernel OpenZFS 2.3, for zrep's tests.
#
# One qemu guest (Debian bookworm, kernel 6.12 and OpenZFS 2.3 from bookworm-backports)
# runs three hosts, each an sshd in its own UTS namespace (own hostname, own zrep lock
# directory through ZREP_RUNDIR), with its own pool on its own virtio disk:
#
#   hosta  127.0.0.11  pool pa   (from this machine: 127.0.0.1:$PORT+1)
#   hostb  127.0.0.12  pool pb   (from this machine: 127.0.0.1:$PORT+2)
#   hostc  127.0.0.13  pool pc   (from this machine: 127.0.0.1:$PORT+3)
#
# Isolation is by convention only: there is one kernel, so every host sees every pool
# (`zfs list` on hosta lists pb too) and a mount made by one host is everyone's. Tests
# keep to their own host's pool; hosts talk to one another over ssh (127.0.0.x:22
# inside the guest), as in production. The guest reaches nothing outside itself.
#
# Usage (as root):
#   scripts/openzfs.sh build                  build the guest image unless cached
#   scripts/openzfs.sh up                     build if needed, boot the guest, start hosts
#   scripts/openzfs.sh down [--purge]         stop the guest (--purge: delete pools and
#                                             state; never the image cache)
#   scripts/openzfs.sh status                 one line per host; exit 1 unless all healthy
#   scripts/openzfs.sh exec HOST CMD [ARGS...]   run CMD on HOST over ssh (exit code kept)
#   scripts/openzfs.sh env                    print export lines for tests
#
# The image is cached in ${ZREP_OPENZFS_CACHE:-/var/cache/zrep-openzfs}/HASH, HASH over
# the build code and its settings: a second build costs nothing. State (overlay, pool
# disks, keys, logs) lives in ${ZREP_OPENZFS_DIR:-/var/lib/zrep-openzfs}; $STATE/share is
# shared into the guest by 9p at the same path (tests put their work directories and
# the zrep binary there). Clients use HOME=$STATE/home, whose .ssh/config names the
# hosts; `env` puts $STATE/bin first on PATH, where an ssh wrapper adds -F:
#   eval "$(scripts/openzfs.sh env)"; HOME=$ZREP_TEST_HOME ssh hosta zpool list
# Inside the guest root (and the user zu, uid 1000) reach every host by name with no
# prompt: `ssh hostb zfs list` from hosta works.
# Knobs: ZREP_OPENZFS_PORT (first forwarded port, default 10220), ZREP_OPENZFS_SMP,
# ZREP_OPENZFS_MEM (MiB), ZREP_OPENZFS_POOL_SIZE.
set -euo pipefail

PATH=$PATH:/usr/local/sbin:/usr/sbin:/sbin
STATE=${ZREP_OPENZFS_DIR:-/var/lib/zrep-openzfs}
CACHE=${ZREP_OPENZFS_CACHE:-/var/cache/zrep-openzfs}
SHARE=$STATE/share
HOSTS=(hosta hostb hostc)
declare -A IP=([hosta]=127.0.0.11 [hostb]=127.0.0.12 [hostc]=127.0.0.13)
declare -A POOL=([hosta]=pa [hostb]=pb [hostc]=pc)
declare -A NUM=([hosta]=1 [hostb]=2 [hostc]=3)
PORT=${ZREP_OPENZFS_PORT:-10220} # guest's own sshd; host N at PORT+N
SMP=${ZREP_OPENZFS_SMP:-2}
MEM=${ZREP_OPENZFS_MEM:-3072}
POOL_SIZE=${ZREP_OPENZFS_POOL_SIZE:-2G}
BOOT_TRIES=4
WAIT_SSH=150 # seconds for the guest's sshd after qemu starts (TCG boots in 30-60 s)
SSH_DIR=$STATE/home/.ssh

# Image settings: part of the cache key.
SUITE=bookworm
LABEL=zrepozfs
GUEST_PKGS=systemd-sysv,udev,kmod,iproute2,openssh-server,openssh-client,procps,ca-certificates
INITRD_MODULES="virtio_pci virtio_blk ext4"
IMAGE_SIZE=4G
# Packages only the module build needs (purged when brought in by it).
BUILD_ONLY='zfs-dkms|dkms|build-essential|(gcc|g\+\+|cpp)(-[0-9]+)?(-.*)?|make|patch|dpkg-dev|libdpkg-perl'
BUILD_ONLY+='|linux-headers-.*|linux-kbuild-.*|linux-compiler-.*|libc6-dev|libc-dev-bin|linux-libc-dev|libcrypt-dev'
BUILD_ONLY+='|libnsl-dev|libtirpc-dev|rpcsvc-proto|lib(gcc|stdc\+\+)-[0-9]+-dev|binutils.*|libbinutils|libctf.*'
BUILD_ONLY+='|libgprofng.*|libsframe.*|lib(asan|lsan|tsan|ubsan|hwasan|itm|quadmath|cc1)[0-9]*|libisl[0-9]+'
BUILD_ONLY+='|libmpc[0-9]+|libmpfr[0-9]+|perl|perl-modules-.*|libperl[0-9.]*|xz-utils'

say() { printf '%s\n' "$*"; }
warn() { printf 'openzfs: %s\n' "$*" >&2; }
die() {
	warn "$*"
	exit 1
}

usage() {
	sed -n '/^# Usage/,/^#$/p' "$0" | sed 's/^# \{0,1\}//' >&2
	exit 2
}

need_root() { [[ $(id -u) == 0 ]] || die "must run as root"; }

# ---- host packages -----------------------------------------------------------

host_packages() {
	local c missing=()
	declare -A pkg=([debootstrap]=debootstrap [qemu-system-x86_64]=qemu-system-x86 [qemu-img]=qemu-utils
		[mkfs.ext4]=e2fsprogs [ssh]=openssh-client [ssh-keygen]=openssh-client [flock]=util-linux)
	for c in "${!pkg[@]}"; do
		command -v "$c" >/dev/null 2>&1 || missing+=("${pkg[$c]}")
	done
	((${#missing[@]} > 0)) || return 0
	command -v apt-get >/dev/null || die "missing ${missing[*]} and no apt-get to install them"
	mkdir -p "$STATE"
	say "installing ${missing[*]}"
	{
		apt-get -q update &&
			DEBIAN_FRONTEND=noninteractive apt-get install -y -q --no-install-recommends "${missing[@]}"
	} </dev/null >"$STATE/apt.log" 2>&1 || die "apt-get failed; see $STATE/apt.log"
}

# mirror: the Debian mirror (and security mirror) the host's own apt sources use.
mirror() {
	local want=$1 f uri='' line
	for f in /etc/apt/sources.list.d/*.sources; do
		[[ -r $f ]] || continue
		while read -r line; do
			case $line in
			URIs:*) uri=${line#URIs:} uri=${uri# } uri=${uri%% *} ;;
			Suites:*) [[ " ${line#Suites:} " == *" $want "* && -n $uri ]] && printf '%s\n' "$uri" && return 0 ;;
			'') uri= ;;
			esac
		done <"$f"
	done
	if [[ -r /etc/apt/sources.list ]]; then
		# deb [opts] URI SUITE COMPONENTS...
		line=$(grep -E "^deb[[:space:]]" /etc/apt/sources.list | sed 's/\[[^]]*\]//' | awk -v s="$want" '$3 == s {print $2; exit}')
		[[ -z $line ]] || {
			printf '%s\n' "$line"
			return 0
		}
	fi
	return 1
}

MIRROR=$(mirror "$SUITE" 2>/dev/null || echo http://deb.debian.org/debian)
SECMIRROR=$(mirror "$SUITE-security" 2>/dev/null || echo http://deb.debian.org/debian-security)

# ---- image build -------------------------------------------------------------
# Everything from here to "end of image build" is hashed into the cache key.

# in_root CMD...: run CMD in the image's chroot, no stdin, no services started.
in_root() {
	DEBIAN_FRONTEND=noninteractive LC_ALL=C.UTF-8 chroot "$ROOTFS" "$@" </dev/null
}

apt_in_root() {
	in_root apt-get -q -y -o Dpkg::Options::=--force-confdef -o Dpkg::Options::=--force-confold "$@"
}

# phase NAME: one progress line; the details go to the log.
phase() {
	PHASE=$1
	printf '  %s (%ds)\n' "$1" "$((SECONDS - T0))"
	printf '\n==== %s\n' "$1" >&3
}

build_debootstrap() {
	phase "debootstrap $SUITE from $MIRROR"
	debootstrap --variant=minbase --components=main,contrib --include="$GUEST_PKGS" \
		"$SUITE" "$ROOTFS" "$MIRROR" >&3 2>&1
	mount --bind /proc "$ROOTFS/proc"
	mount --bind /sys "$ROOTFS/sys"
	mount --bind /dev "$ROOTFS/dev"
	mount --bind /dev/pts "$ROOTFS/dev/pts"
	cat >"$ROOTFS/etc/apt/sources.list" <<EOF
deb $MIRROR $SUITE main contrib
deb $MIRROR $SUITE-updates main contrib
deb $MIRROR $SUITE-backports main contrib
deb $SECMIRROR $SUITE-security main contrib
EOF
	printf 'APT::Install-Recommends "false";\nAPT::Install-Suggests "false";\n' >"$ROOTFS/etc/apt/apt.conf.d/90zrep"
	printf '#!/bin/sh\nexit 101\n' >"$ROOTFS/usr/sbin/policy-rc.d"
	chmod 755 "$ROOTFS/usr/sbin/policy-rc.d"
	printf 'zfs-dkms zfs-dkms/note-incompatible-licenses note\n' >"$ROOTFS/tmp/debconf.sel"
	in_root debconf-set-selections /tmp/debconf.sel
	# A small initramfs: only what mounts an ext4 root on virtio.
	mkdir -p "$ROOTFS/etc/initramfs-tools"
	printf 'MODULES=list\nBUSYBOX=n\nCOMPRESS=gzip\n' >"$ROOTFS/etc/initramfs-tools/initramfs.conf"
	printf '%s\n' $INITRD_MODULES >"$ROOTFS/etc/initramfs-tools/modules"
	apt_in_root update >&3 2>&1
}

build_kernel_zfs() {
	phase "kernel from $SUITE-backports"
	apt_in_root -t "$SUITE-backports" install linux-image-amd64 initramfs-tools >&3 2>&1
	KVER=$(cd "$ROOTFS/lib/modules" && ls | sort -V | tail -n 1)
	in_root dpkg-query -W -f '${Package}\n' | sort >"$WORK/pkgs.before"
	phase "compilers and headers"
	apt_in_root -t "$SUITE-backports" install linux-headers-amd64 >&3 2>&1
	apt_in_root install dkms build-essential xz-utils >&3 2>&1
	phase "zfs-dkms (compiles the module, the long part)"
	apt_in_root -t "$SUITE-backports" install zfs-dkms >&3 2>&1
	apt_in_root -t "$SUITE-backports" install zfsutils-linux >&3 2>&1
	in_root modinfo -k "$KVER" zfs >&3 2>&1 || die "zfs module not built for $KVER"
	in_root dpkg-query -W -f '${Package}\n' | sort >"$WORK/pkgs.after"
}

build_slim() {
	local ko keep
	phase "slimming"
	# Keep the built modules, uncompressed (faster to load), where dkms does not look.
	mkdir -p "$WORK/ko" "$ROOTFS/lib/modules/$KVER/extra/zfs"
	find "$ROOTFS/lib/modules/$KVER/updates" -name '*.ko*' -exec cp {} "$WORK/ko/" \;
	# The compilers, headers and dkms go (only what the build step brought in).
	comm -13 "$WORK/pkgs.before" "$WORK/pkgs.after" | grep -E "^($BUILD_ONLY)\$" >"$WORK/pkgs.purge" || true
	in_root dpkg --purge zfs-dkms >&3 2>&1
	in_root dpkg --purge --force-depends $(grep -vx zfs-dkms "$WORK/pkgs.purge") >&3 2>&1
	rm -rf "$ROOTFS/lib/modules/$KVER/updates"
	for ko in "$WORK"/ko/*; do
		case $ko in
		*.xz) xz -dc "$ko" >"$ROOTFS/lib/modules/$KVER/extra/zfs/$(basename "${ko%.xz}")" ;;
		*.zst) zstd -dqc "$ko" >"$ROOTFS/lib/modules/$KVER/extra/zfs/$(basename "${ko%.zst}")" ;;
		*.gz) gzip -dc "$ko" >"$ROOTFS/lib/modules/$KVER/extra/zfs/$(basename "${ko%.gz}")" ;;
		*) cp "$ko" "$ROOTFS/lib/modules/$KVER/extra/zfs/" ;;
		esac
	done
	# Drivers a virtio guest never loads.
	(cd "$ROOTFS/lib/modules/$KVER/kernel" && rm -rf sound drivers/gpu drivers/media drivers/net/wireless \
		drivers/infiniband drivers/staging drivers/bluetooth drivers/iio drivers/usb drivers/hid \
		drivers/input drivers/scsi drivers/net/ethernet drivers/isdn drivers/mtd drivers/video \
		drivers/platform drivers/hwmon drivers/thunderbolt drivers/nfc net/wireless net/bluetooth \
		net/mac80211 net/netfilter fs/btrfs fs/xfs fs/ocfs2 fs/gfs2 fs/nfs fs/nfsd fs/smb fs/ceph)
	in_root depmod -a "$KVER" >&3 2>&1
	in_root modinfo -k "$KVER" zfs >&3 2>&1 || die "zfs module lost while slimming"
	in_root apt-get clean
	rm -rf "$ROOTFS"/var/lib/apt/lists/* "$ROOTFS"/usr/share/doc/* "$ROOTFS"/usr/share/man/* \
		"$ROOTFS"/usr/share/locale/* "$ROOTFS"/usr/share/info/* "$ROOTFS"/var/cache/debconf/*-old \
		"$ROOTFS"/var/log/*.log "$ROOTFS"/usr/src/*
}

build_config() {
	local u
	phase "guest configuration"
	echo zrep-openzfs >"$ROOTFS/etc/hostname"
	printf '127.0.0.1 localhost zrep-openzfs\n' >"$ROOTFS/etc/hosts"
	printf 'LABEL=%s / ext4 defaults,noatime 0 1\n' "$LABEL" >"$ROOTFS/etc/fstab"
	mkdir -p "$ROOTFS/etc/systemd/network"
	# slirp's fixed addresses: no DHCP wait.
	printf '[Match]\nName=eth0\n\n[Network]\nAddress=10.0.2.15/24\nGateway=10.0.2.2\nDNS=10.0.2.3\n' \
		>"$ROOTFS/etc/systemd/network/50-slirp.network"
	in_root systemctl enable systemd-networkd >&3 2>&1
	for u in zfs-import-cache.service zfs-import-scan.service zfs-import.target zfs-mount.service \
		zfs-share.service zfs-zed.service zfs-volume-wait.service systemd-udev-settle.service \
		systemd-networkd-wait-online.service serial-getty@ttyS0.service getty@tty1.service \
		apt-daily.timer apt-daily-upgrade.timer e2scrub_all.timer fstrim.timer systemd-timesyncd.service \
		zfs-scrub-monthly@.timer zfs-trim-monthly@.timer; do
		in_root systemctl mask "$u" >&3 2>&1
	done
	in_root zgenhostid -f >&3 2>&1
	# The guest's own sshd (management; the hosts' sshds come at `up`), on a port of its own.
	rm -f "$ROOTFS"/etc/ssh/ssh_host_*
	ssh-keygen -q -t ed25519 -N '' -C zrep-openzfs -f "$ROOTFS/etc/ssh/ssh_host_ed25519_key" </dev/null
	cp "$ROOTFS/etc/ssh/ssh_host_ed25519_key.pub" "$WORK/out/guest_host_key.pub"
	cat >"$ROOTFS/etc/ssh/sshd_config.d/zrep.conf" <<'EOF'
Port 2200
HostKey /etc/ssh/ssh_host_ed25519_key
PermitRootLogin prohibit-password
PasswordAuthentication no
KbdInteractiveAuthentication no
UsePAM no
UseDNS no
PrintMotd no
MaxSessions 100
MaxStartups 100
KexAlgorithms curve25519-sha256,curve25519-sha256@libssh.org
EOF
	ssh-keygen -q -t ed25519 -N '' -C zrep-openzfs-admin -f "$WORK/out/admin_key" </dev/null
	mkdir -p -m 700 "$ROOTFS/root/.ssh"
	cp "$WORK/out/admin_key.pub" "$ROOTFS/root/.ssh/authorized_keys"
	chmod 600 "$ROOTFS/root/.ssh/authorized_keys"
	in_root useradd -m -u 1000 -s /bin/bash zu
	# Keep root's and zu's shells quick: no rc files do anything.
	: >"$ROOTFS/root/.bashrc"
	: >"$ROOTFS/home/zu/.bashrc"
	rm -f "$ROOTFS/usr/sbin/policy-rc.d"
	# The kernel and initrd boot directly (-kernel/-initrd).
	cp "$ROOTFS/boot/vmlinuz-$KVER" "$WORK/out/vmlinuz"
	cp "$ROOTFS/boot/initrd.img-$KVER" "$WORK/out/initrd.img"
	in_root zfs version >"$WORK/out/zfs-version" 2>&1 || true
	echo "$KVER" >"$WORK/out/kver"
}

build_disk() {
	phase "disk image"
	umount -R "$ROOTFS/dev/pts" "$ROOTFS/dev" "$ROOTFS/sys" "$ROOTFS/proc"
	mkfs.ext4 -q -L "$LABEL" -E root_owner=0:0 -d "$ROOTFS" "$WORK/disk.raw" "$IMAGE_SIZE" >&3 2>&1
	qemu-img convert -c -O qcow2 "$WORK/disk.raw" "$WORK/out/base.qcow2" >&3 2>&1
	rm -f "$WORK/disk.raw"
}

# end of image build

image_key() {
	{
		declare -f in_root apt_in_root build_debootstrap build_kernel_zfs build_slim build_config build_disk
		printf '%s\n' "$SUITE" "$LABEL" "$GUEST_PKGS" "$INITRD_MODULES" "$IMAGE_SIZE" "$MIRROR" "$SECMIRROR" "$BUILD_ONLY"
	} | sha256sum | cut -c1-16
}

IMAGE=$CACHE/$(image_key)

image_ok() { [[ -s $IMAGE/base.qcow2 && -s $IMAGE/vmlinuz && -s $IMAGE/initrd.img && -e $IMAGE/done ]]; }

cleanup_build() {
	local m
	[[ -n ${ROOTFS:-} ]] || return 0
	for m in dev/pts dev sys proc; do
		if mountpoint -q "$ROOTFS/$m" 2>/dev/null; then umount -l "$ROOTFS/$m" || true; fi
	done
	# Never rm -rf across a bind mount of the host's /dev or /proc.
	if grep -q " $WORK/" /proc/mounts; then
		warn "mounts left under $WORK; not deleting it"
		return 0
	fi
	rm -rf "${WORK:?}"
}

# build_exit: on failure, say which phase and show the log's tail; always clean up.
build_exit() {
	local rc=$?
	if ((rc != 0)); then
		warn "image build failed in phase '$PHASE' (exit $rc); last lines of $BUILD_LOG:"
		tail -n 30 "$BUILD_LOG" >&2 || true
	fi
	cleanup_build
	trap - EXIT
	exit "$rc"
}

cmd_build() {
	need_root
	image_ok && return 0
	host_packages
	mkdir -p "$CACHE"
	exec 8>>"$CACHE/.lock"
	flock -w 3600 8 || die "another build holds $CACHE/.lock"
	image_ok && return 0 # built while we waited
	local log=$CACHE/build-${IMAGE##*/}.log
	WORK=$(mktemp -d "$CACHE/build.XXXXXX")
	ROOTFS=$WORK/rootfs
	mkdir -p "$WORK/out"
	T0=$SECONDS
	PHASE=start
	BUILD_LOG=$log
	trap build_exit EXIT
	say "building the OpenZFS guest image ${IMAGE##*/} (6-15 min; log: $log)"
	exec 3>"$log"
	build_debootstrap
	build_kernel_zfs
	build_slim
	build_config
	build_disk
	exec 3>&-
	rm -rf "$IMAGE"
	mv "$WORK/out" "$IMAGE"
	date '+%F %T' >"$IMAGE/done"
	trap - EXIT
	cleanup_build
	say "image built in $((SECONDS - T0))s: $IMAGE ($(du -m "$IMAGE/base.qcow2" | cut -f1) MiB, $(head -n1 "$IMAGE/zfs-version"))"
}

# ---- guest -------------------------------------------------------------------

# alive PID: PID runs and is not a zombie.
alive() {
	local st
	[[ -n ${1:-} ]] && read -r st 2>/dev/null <"/proc/$1/stat" || return 1
	st=${st##*) }
	[[ ${st:0:1} != Z ]]
}

readpid() {
	local p
	[[ -r $1 ]] && read -r p <"$1" 2>/dev/null && [[ $p =~ ^[0-9]+$ ]] && printf '%s\n' "$p"
}

qemu_pid() {
	local p
	p=$(readpid "$STATE/qemu.pid") && alive "$p" && [[ $(cat "/proc/$p/comm" 2>/dev/null) == qemu* ]] && printf '%s\n' "$p"
}

# write_if_changed FILE: replace FILE with stdin unless identical.
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

newkey() {
	[[ -s $1 && -s $1.pub ]] && return 0
	rm -f "$1" "$1.pub"
	ssh-keygen -q -t ed25519 -N '' -C "$2" -f "$1" </dev/null >/dev/null
}

# gssh ARGS...: ssh to the guest's own sshd (root, the image's admin key).
gssh() {
	ssh -F "$SSH_DIR/config" zrep-openzfs "$@"
}

# client_setup: keys for the machine and the guest's users, the machine's ssh config.
client_setup() {
	local h g=$STATE/guest
	mkdir -p "$SSH_DIR" "$g" "$STATE/bin" "$STATE/ctl" "$SHARE/bin" "$SHARE/work"
	chmod 700 "$STATE/home" "$SSH_DIR" "$g" "$STATE/ctl"
	chmod 1777 "$SHARE/work"
	newkey "$SSH_DIR/id_ed25519" zrep-openzfs-client
	cp "$IMAGE/admin_key" "$SSH_DIR/admin_key"
	chmod 600 "$SSH_DIR/admin_key"
	newkey "$g/root_key" root@zrep-openzfs
	newkey "$g/zu_key" zu@zrep-openzfs
	for h in "${HOSTS[@]}"; do newkey "$g/ssh_host_${h}_key" "root@$h"; done
	{
		printf 'Host zrep-openzfs\n  HostName 127.0.0.1\n  Port %s\n  User root\n  IdentityFile %s\n' "$PORT" "$SSH_DIR/admin_key"
		printf '  HostKeyAlias zrep-openzfs\n  UserKnownHostsFile %s\n  StrictHostKeyChecking yes\n  BatchMode yes\n' "$SSH_DIR/known_hosts"
		printf '  ConnectTimeout 10\n  ServerAliveInterval 15\n\n'
		for h in "${HOSTS[@]}"; do
			printf 'Host %s\n  HostName 127.0.0.1\n  Port %s\n  User root\n  IdentityFile %s\n' "$h" "$((PORT + NUM[$h]))" "$SSH_DIR/id_ed25519"
			printf '  HostKeyAlias %s\n  UserKnownHostsFile %s\n  StrictHostKeyChecking yes\n  BatchMode yes\n' "$h" "$SSH_DIR/known_hosts"
			# One connection per host and user, reused: a TCG guest takes ~0.5 s per handshake.
			printf '  ControlMaster auto\n  ControlPath %s/%%r@%%n\n  ControlPersist 600\n' "$STATE/ctl"
			printf '  ConnectTimeout 10\n  ServerAliveInterval 15\n\n'
		done
	} | write_if_changed "$SSH_DIR/config" || true
	{
		printf 'zrep-openzfs %s\n' "$(cut -d' ' -f1,2 "$IMAGE/guest_host_key.pub")"
		for h in "${HOSTS[@]}"; do printf '%s %s\n' "$h" "$(cut -d' ' -f1,2 "$g/ssh_host_${h}_key.pub")"; done
	} | write_if_changed "$SSH_DIR/known_hosts" || true
	# HOME for tests on the hosts, in the share so that this machine sees it too: the
	# guest root's key, and the hosts by their addresses inside the guest.
	local sh=$SHARE/home/.ssh
	mkdir -p "$sh"
	chmod 700 "$SHARE/home" "$sh"
	cp "$g/root_key" "$sh/id_ed25519"
	cp "$g/root_key.pub" "$sh/id_ed25519.pub"
	chmod 600 "$sh/id_ed25519"
	for h in "${HOSTS[@]}"; do
		printf 'Host %s\n  HostName %s\n  User root\n  IdentityFile %s\n  UserKnownHostsFile %s\n  StrictHostKeyChecking yes\n  BatchMode yes\n\n' \
			"$h" "${IP[$h]}" "$sh/id_ed25519" "$sh/known_hosts"
	done | write_if_changed "$sh/config" || true
	for h in "${HOSTS[@]}"; do
		printf '%s,%s %s\n' "$h" "${IP[$h]}" "$(cut -d' ' -f1,2 "$g/ssh_host_${h}_key.pub")"
	done | write_if_changed "$sh/known_hosts" || true
	cat <<'EOF' | write_if_changed "$STATE/bin/ssh" || true
#!/bin/sh
# Written by scripts/openzfs.sh: OpenSSH ignores $HOME; use $HOME/.ssh/config if there is one.
if [ -n "${HOME:-}" ] && [ -f "$HOME/.ssh/config" ]; then
	exec /usr/bin/ssh -F "$HOME/.ssh/config" "$@"
fi
exec /usr/bin/ssh "$@"
EOF
	chmod 755 "$STATE/bin/ssh"
}

# disks: one sparse raw disk per pool (kept across boots; `down --purge` deletes them).
disks() {
	local h f
	mkdir -p "$STATE/disks"
	for h in "${HOSTS[@]}"; do
		f=$STATE/disks/${POOL[$h]}.raw
		[[ -e $f ]] || truncate -s "$POOL_SIZE" "$f"
	done
}

# accel: KVM only where it can boot a stock kernel (not under a PVM hypervisor).
accel() {
	if [[ -r /dev/kvm && -w /dev/kvm && ! -e /sys/module/kvm_pvm ]] && { : <>/dev/kvm; } 2>/dev/null; then
		printf '%s\n' -accel kvm -cpu host -machine q35 -nodefaults
	else
		printf '%s\n' -accel tcg,thread=multi,tb-size=512 -cpu max -machine q35 -nodefaults
	fi
}

PANIC_RE='Kernel panic|Oops|BUG: (kernel|unable)|general protection fault'

# boot_once: start qemu on a fresh overlay; succeed when the guest's sshd answers.
boot_once() {
	local h fwd n
	local -a args
	rm -f "$STATE/overlay.qcow2" "$STATE/qemu.pid" "$STATE/console.log"
	qemu-img create -q -f qcow2 -b "$IMAGE/base.qcow2" -F qcow2 "$STATE/overlay.qcow2"
	fwd="hostfwd=tcp:127.0.0.1:$PORT-:2200"
	for h in "${HOSTS[@]}"; do fwd+=",hostfwd=tcp:127.0.0.1:$((PORT + NUM[$h]))-:$((2210 + NUM[$h]))"; done
	mapfile -t args < <(accel)
	args+=(-name zrep-openzfs -smp "$SMP" -m "$MEM" -no-reboot -display none
		-kernel "$IMAGE/vmlinuz" -initrd "$IMAGE/initrd.img"
		-append "root=LABEL=$LABEL rw console=ttyS0 panic=-1 mitigations=off net.ifnames=0 systemd.show_status=0"
		-drive "file=$STATE/overlay.qcow2,if=virtio,format=qcow2,cache=unsafe"
		-netdev "user,id=n0,restrict=on,$fwd" -device virtio-net-pci,netdev=n0
		-virtfs "local,path=$SHARE,mount_tag=zrepshare,security_model=none,id=zrepshare"
		-serial "file:$STATE/console.log" -pidfile "$STATE/qemu.pid" -daemonize)
	for h in "${HOSTS[@]}"; do
		args+=(-drive "file=$STATE/disks/${POOL[$h]}.raw,if=none,id=d${POOL[$h]},format=raw,cache=unsafe"
			-device "virtio-blk-pci,drive=d${POOL[$h]},serial=${POOL[$h]}")
	done
	qemu-system-x86_64 "${args[@]}" </dev/null >"$STATE/qemu.log" 2>&1 9>&- 8>&- ||
		die "qemu failed to start: $(tail -n 3 "$STATE/qemu.log")"
	for ((n = 0; n < WAIT_SSH; n += 2)); do
		if grep -qE "$PANIC_RE" "$STATE/console.log" 2>/dev/null; then
			REASON="kernel: $(grep -m1 -E "$PANIC_RE" "$STATE/console.log")"
			return 1
		fi
		qemu_pid >/dev/null || {
			REASON="qemu exited"
			return 1
		}
		timeout 4 ssh -F "$SSH_DIR/config" -o ConnectTimeout=3 zrep-openzfs true </dev/null >/dev/null 2>&1 && return 0
		sleep 2
	done
	REASON="no ssh after ${WAIT_SSH}s"
	return 1
}

stop_qemu() {
	local p n
	p=$(qemu_pid) || return 0
	kill -TERM "$p" 2>/dev/null || true
	for ((n = 0; n < 50; n++)); do
		alive "$p" || break
		sleep 0.1
	done
	if alive "$p"; then kill -KILL "$p" 2>/dev/null || true; fi
	rm -f "$STATE/qemu.pid"
}

boot() {
	local try t0
	for ((try = 1; try <= BOOT_TRIES; try++)); do
		t0=$SECONDS
		REASON=
		if boot_once; then
			say "guest booted in $((SECONDS - t0))s (smp $SMP, ${MEM} MiB, try $try)"
			printf '%s smp=%s try=%s %ss\n' "$(date '+%F %T')" "$SMP" "$try" "$((SECONDS - t0))" >>"$STATE/boots.log"
			return 0
		fi
		warn "boot try $try failed after $((SECONDS - t0))s: $REASON"
		printf '%s smp=%s try=%s FAILED %ss: %s\n' "$(date '+%F %T')" "$SMP" "$try" "$((SECONDS - t0))" "$REASON" >>"$STATE/boots.log"
		cp "$STATE/console.log" "$STATE/console-failed-$try.log" 2>/dev/null || true
		stop_qemu
	done
	tail -n 20 "$STATE/console.log" >&2 || true
	die "guest did not boot in $BOOT_TRIES tries; console: $STATE/console.log"
}

# The provisioning script, run as root in the guest; idempotent. Argument: SHARE.
# Expects the keys in /etc/zrep-hosts (provision copies them first).
# shellcheck disable=SC2016 # expanded in the guest
GUEST_SETUP='set -eu
share=$1 d=/etc/zrep-hosts
export PATH=/usr/local/sbin:/usr/local/bin:/usr/sbin:/usr/bin:/sbin:/bin
mkdir -p "$share" /run/zrep-hosts /run/sshd
if ! mountpoint -q "$share"; then
	modprobe 9pnet_virtio
	mount -t 9p -o trans=virtio,version=9p2000.L,msize=524288,cache=none zrepshare "$share"
fi
modprobe zfs
for pool in pa pb pc; do
	zpool list -H "$pool" >/dev/null 2>&1 && continue
	dev=/dev/disk/by-id/virtio-$pool
	n=0; while [ ! -e "$dev" ] && [ $n -lt 50 ]; do sleep 0.1; n=$((n+1)); done
	if zpool import -f -d "$dev" "$pool" >/dev/null 2>&1; then echo "imported $pool"; else
		zpool create -f -m "/$pool" "$pool" "$dev"
		echo "created $pool"
	fi
done
sed -i "/ host[abc]\$/d" /etc/hosts
printf "127.0.0.11 hosta\n127.0.0.12 hostb\n127.0.0.13 hostc\n" >>/etc/hosts
# useradd leaves the password "!" (locked): sshd without PAM refuses locked accounts.
usermod -p "*" zu
for u in root zu; do
	home=$(getent passwd "$u" | cut -d: -f6)
	mkdir -p "$home/.ssh"
	cp "$d/${u}_key" "$home/.ssh/id_ed25519"
	cp "$d/${u}_key.pub" "$home/.ssh/id_ed25519.pub"
	{ cat "$d/${u}_key.pub" "$d/client_key.pub"; [ "$u" != root ] || cat "$d/admin_key.pub"; } >"$home/.ssh/authorized_keys"
	: >"$home/.ssh/known_hosts"
	: >"$home/.ssh/config"
	for h in hosta hostb hostc; do
		case $h in hosta) ip=127.0.0.11;; hostb) ip=127.0.0.12;; *) ip=127.0.0.13;; esac
		printf "%s,%s %s\n" "$h" "$ip" "$(cut -d" " -f1,2 "$d/ssh_host_${h}_key.pub")" >>"$home/.ssh/known_hosts"
		printf "Host %s\n  HostName %s\n  User %s\n  IdentityFile %s/.ssh/id_ed25519\n  UserKnownHostsFile %s/.ssh/known_hosts\n  StrictHostKeyChecking yes\n  BatchMode yes\n\n" \
			"$h" "$ip" "$u" "$home" "$home" >>"$home/.ssh/config"
	done
	: >"$home/.bashrc"
	chown -R "$u:" "$home/.ssh"
	chmod 700 "$home/.ssh"
	chmod 600 "$home/.ssh/id_ed25519" "$home/.ssh/authorized_keys"
done
chmod 600 "$d"/*_key
for h in hosta hostb hostc; do
	case $h in hosta) n=1;; hostb) n=2;; *) n=3;; esac
	mkdir -p "/run/zrep-hosts/$h"
	cat >"$d/$h.sshd_config" <<EOF
ListenAddress 127.0.0.1$n:22
ListenAddress 0.0.0.0:221$n
PidFile /run/zrep-hosts/$h.pid
HostKey $d/ssh_host_${h}_key
PermitRootLogin prohibit-password
PubkeyAuthentication yes
PasswordAuthentication no
KbdInteractiveAuthentication no
UsePAM no
MaxSessions 100
MaxStartups 100
SetEnv SHLVL=1 ZREP_RUNDIR=/run/zrep-hosts/$h
KexAlgorithms curve25519-sha256,curve25519-sha256@libssh.org
StrictModes no
PrintMotd no
PrintLastLog no
UseDNS no
Subsystem sftp /usr/lib/openssh/sftp-server
EOF
	pid=$(cat "/run/zrep-hosts/$h.pid" 2>/dev/null || true)
	if [ -n "$pid" ] && kill -0 "$pid" 2>/dev/null; then
		cmp -s "$d/$h.sshd_config" "/run/zrep-hosts/$h.sshd_config" && continue
		kill "$pid"; sleep 0.5
	fi
	/usr/sbin/sshd -t -f "$d/$h.sshd_config"
	unshare --uts sh -c "hostname $h && exec /usr/sbin/sshd -f $d/$h.sshd_config" </dev/null >/dev/null 2>&1
	cp "$d/$h.sshd_config" "/run/zrep-hosts/$h.sshd_config"
	echo "started sshd for $h"
done
'

# provision: copy the keys into the guest and run GUEST_SETUP there.
provision() {
	local g=$STATE/guest
	cp "$SSH_DIR/id_ed25519.pub" "$g/client_key.pub"
	cp "$IMAGE/admin_key.pub" "$g/admin_key.pub"
	tar -C "$g" -cf - . | gssh 'rm -rf /etc/zrep-hosts && mkdir -m 700 /etc/zrep-hosts && tar -C /etc/zrep-hosts -xf -' ||
		die "cannot copy keys into the guest"
	gssh bash -c "$(printf %q "$GUEST_SETUP")" setup "$(printf %q "$SHARE")" </dev/null >"$STATE/provision.log" 2>&1 ||
		die "guest setup failed: $(tail -n 5 "$STATE/provision.log")"
	printf '%s-%s\n' "$(setup_key)" "$(qemu_pid)" >"$STATE/provisioned"
}

setup_key() { printf '%s' "$GUEST_SETUP" | sha256sum | cut -c1-16; }

# host_ok HOST: HOST answers as itself over its forwarded port and its pool is online.
host_ok() {
	local out
	out=$(timeout 20 ssh -F "$SSH_DIR/config" "$1" "hostname; zpool list -H -o health ${POOL[$1]}" </dev/null 2>&1) || {
		REASON="ssh failed: ${out##*$'\n'}"
		return 1
	}
	[[ $out == "$1"$'\n'ONLINE ]] || {
		REASON="unexpected answer: ${out//$'\n'/ }"
		return 1
	}
}

guest_ok() {
	qemu_pid >/dev/null || {
		REASON="qemu not running"
		return 1
	}
	timeout 10 ssh -F "$SSH_DIR/config" zrep-openzfs true </dev/null >/dev/null 2>&1 || {
		REASON="guest sshd not answering"
		return 1
	}
}

all_ok() {
	local h
	guest_ok || return 1
	for h in "${HOSTS[@]}"; do host_ok "$h" || return 1; done
}

# close_masters: end the shared ssh connections (ControlMaster) to the hosts.
close_masters() {
	local s
	for s in "$STATE"/ctl/*; do
		[[ -S $s ]] || continue
		ssh -F "$SSH_DIR/config" -o ControlPath="$s" -O exit "${s##*@}" </dev/null >/dev/null 2>&1 || true
	done
	rm -f "$STATE"/ctl/*
}

take_lock() {
	mkdir -p "$STATE"
	exec 9>>"$STATE/.lock"
	flock -w 900 9 || die "another openzfs.sh holds $STATE/.lock"
}

cmd_up() {
	local t0=$SECONDS h
	need_root
	[[ $STATE != *[[:space:]]* ]] || die "ZREP_OPENZFS_DIR must not contain spaces: $STATE"
	cmd_build
	take_lock
	client_setup
	disks
	REASON=
	if all_ok; then
		if [[ $(cat "$STATE/provisioned" 2>/dev/null) != "$(setup_key)-$(qemu_pid)" ]]; then
			provision # this script's guest setup changed since the guest was set up
		fi
		say "already up (guest pid $(qemu_pid))"
		return 0
	fi
	if ! guest_ok; then
		say "guest: $REASON; booting"
		close_masters
		stop_qemu
		boot
	fi
	provision
	for h in "${HOSTS[@]}"; do
		REASON=
		host_ok "$h" || die "$h: $REASON (see $STATE/provision.log)"
		say "$h: up (127.0.0.1:$((PORT + NUM[$h])), in the guest ${IP[$h]}, pool ${POOL[$h]})"
	done
	[[ -e $STATE/READY ]] || date '+%F %T' >"$STATE/READY"
	say "up in $((SECONDS - t0))s"
}

cmd_down() {
	local purge=''
	case ${1:-} in
	--purge) purge=1 ;;
	'') ;;
	*) usage ;;
	esac
	need_root
	take_lock
	close_masters
	if qemu_pid >/dev/null; then
		# Export the pools so that the next import is clean; then power off.
		timeout 60 ssh -F "$SSH_DIR/config" zrep-openzfs 'zpool export -a; sync' </dev/null >/dev/null 2>&1 || true
		stop_qemu
		say "guest: down"
	else
		say "guest: already down"
	fi
	rm -f "$STATE/overlay.qcow2"
	if [[ -n $purge ]]; then
		(cd "$STATE" && rm -rf disks guest home bin ctl share overlay.qcow2 ./*.log READY provisioned .lock)
		rmdir "$STATE" 2>/dev/null || true
		say "purged $STATE (image cache $CACHE kept)"
	fi
}

cmd_status() {
	local h bad=0
	REASON=
	if ! guest_ok; then
		for h in "${HOSTS[@]}"; do say "$h: DOWN: $REASON"; done
		return 1
	fi
	for h in "${HOSTS[@]}"; do
		REASON=
		if host_ok "$h"; then
			say "$h: up 127.0.0.1:$((PORT + NUM[$h])) (guest ${IP[$h]}) pool ${POOL[$h]} (qemu $(qemu_pid))"
		else
			say "$h: DOWN: $REASON"
			bad=1
		fi
	done
	return "$bad"
}

cmd_exec() {
	(($# >= 2)) || usage
	local h=$1 q
	shift
	[[ -n ${IP[$h]:-} ]] || die "unknown host '$h' (hosts: ${HOSTS[*]})"
	[[ -e $SSH_DIR/config ]] || die "not set up; run scripts/openzfs.sh up"
	# The remote side is root's bash: quote every word for it.
	printf -v q '%q ' "$@"
	exec ssh -F "$SSH_DIR/config" "$h" -- "$q"
}

cmd_env() {
	local h pools=()
	for h in "${HOSTS[@]}"; do pools+=("${POOL[$h]}"); done
	printf 'export ZREP_OPENZFS_DIR=%q\n' "$STATE"
	printf 'export ZREP_OPENZFS_SHARE=%q\n' "$SHARE"
	printf 'export ZREP_TEST_HOME=%q\n' "$STATE/home"
	printf 'export ZREP_TEST_GUEST_HOME=/root\n'
	printf 'export ZREP_TEST_HOSTS=%q\n' "${HOSTS[*]}"
	printf 'export ZREP_TEST_POOLS=%q\n' "${pools[*]}"
	# shellcheck disable=SC2016 # $PATH is expanded by whoever evaluates the output
	printf 'export PATH=%q:"$PATH"\n' "$STATE/bin"
}

main() {
	local cmd=${1:-up}
	(($# == 0)) || shift
	case $cmd in
	build | status | env) (($# == 0)) || usage ;;
	up | down | exec) ;;
	*) usage ;;
	esac
	case $cmd in
	build) cmd_build ;;
	up) cmd_up ;;
	down) cmd_down "$@" ;;
	status) cmd_status ;;
	exec) cmd_exec "$@" ;;
	env) cmd_env ;;
	esac
}

main "$@"
