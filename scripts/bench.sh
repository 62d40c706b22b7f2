#!/usr/bin/env bash
# bench.sh: what zrep costs against the floors it cannot beat, on the test hosts
# (scripts/testhosts.sh). Every figure is the median of several rounds and a
# ratio to a floor measured in the same round, so a machine busy with other
# work slows both sides alike.
#
#   bash scripts/bench.sh            full size (about an hour); writes docs/performance.md
#   bash scripts/bench.sh --smoke    tiny sizes, under a minute; prints the tables only
#   bash scripts/bench.sh --out FILE write the report to FILE (- for stdout)
#
# Sizes can be overridden: BENCH_K="20 100 500" (pairs for sync all),
# BENCH_ROUNDS=5 (measured rounds, after one warm-up round), BENCH_FULL_MIB=256,
# BENCH_INC_MIB=32, BENCH_STATUS_N=1000, BENCH_REFRESH_N=50 (pairs per source host),
# BENCH_ONLY="sync transfer status refresh" (sections to run).
#
# Everything it makes is named POOL/bench-* (with tags b*), made by this run
# and destroyed after each section and on exit. Pairs are made with
# ZREP_SAVE_COUNT=1000, so no round expires a snapshot: the figures are the
# unchanged-pair cost without expiry (a pair at its savecount adds one zfs
# destroy per side per run; see the call table).
set -euo pipefail
cd "$(dirname "$0")/.."
export PATH=$PATH:/usr/local/go/bin:/usr/local/sbin:/usr/sbin:/sbin

SMOKE='' OUT=docs/performance.md
while (($#)); do
	case $1 in
	--smoke) SMOKE=1 OUT=- ;;
	--out) OUT=${2:?--out needs a file}; shift ;;
	*) sed -n '2,/^set -e/p' "$0" | sed '$d; s/^# \{0,1\}//' >&2; exit 2 ;;
	esac
	shift
done
if [[ -n $SMOKE ]]; then
	: "${BENCH_K:=3}" "${BENCH_ROUNDS:=3}" "${BENCH_FULL_MIB:=8}" "${BENCH_INC_MIB:=2}"
	: "${BENCH_STATUS_N:=20}" "${BENCH_REFRESH_N:=2}" "${BENCH_WARMUP:=0}"
fi
K_LIST=${BENCH_K:-20 100 500}
ROUNDS=${BENCH_ROUNDS:-5}
WARMUP=${BENCH_WARMUP:-1}
FULL_MIB=${BENCH_FULL_MIB:-256}
INC_MIB=${BENCH_INC_MIB:-32}
STATUS_N=${BENCH_STATUS_N:-1000}
REFRESH_N=${BENCH_REFRESH_N:-50}
ONLY=${BENCH_ONLY:-sync transfer status refresh}
STATE=${ZREP_TESTHOSTS_DIR:-/var/lib/zrep-testhosts}
ZREP=$PWD/bin/zrep
declare -A POOL=([hosta]=pa [hostb]=pb [hostc]=pc)

say() { printf '%s bench: %s\n' "$(date -u +%T)" "$*" >&2; }
die() { say "$*"; exit 1; }

# on HOST CMD...: run CMD inside HOST's namespaces, with the test hosts' ssh
# config (what `testhosts.sh exec` does, without a bash start per call, which
# would land inside the timed region).
keeper() { printf '%s\n' "$(<"$STATE/$1/ns.pid")"; }
on() {
	local h=$1
	shift
	nsenter -t "$(keeper "$h")" -m -u --wd="$PWD" -- env HOME="$STATE/home" PATH="$STATE/bin:$PATH" "$@"
}
# zr HOST TAG ARGS...: zrep on HOST with TAG, pairs made without expiry.
zr() {
	local h=$1 tag=$2
	shift 2
	on "$h" env ZREPTAG="$tag" ZREP_SAVE_COUNT=1000 "$ZREP" "$@"
}

# timed VAR CMD...: run CMD, set VAR to its wall-clock seconds.
timed() {
	local -n _t=$1
	shift
	local t0=$EPOCHREALTIME
	"$@"
	_t=$(awk -v a="$t0" -v b="$EPOCHREALTIME" 'BEGIN { printf "%.3f", b - a }')
}
median() { printf '%s\n' "$@" | sort -g | awk '{ v[NR] = $1 } END { printf "%.3f", NR % 2 ? v[(NR + 1) / 2] : (v[NR / 2] + v[NR / 2 + 1]) / 2 }'; }
min() { printf '%s\n' "$@" | sort -g | head -n 1; }
div() { awk -v a="$1" -v b="$2" 'BEGIN { if (b == 0) print "-"; else printf "%.2f", a / b }'; }
# ratios VAR NUMS DENS: VAR gets the median of the per-round ratios NUMS[i]/DENS[i].
ratios() {
	local -n _r=$1 _n=$2 _d=$3
	local _i _q=()
	for _i in "${!_n[@]}"; do _q+=("$(div "${_n[$_i]}" "${_d[$_i]}")"); done
	_r=$(median "${_q[@]}")
}
names() { seq -f "c%03g" "$1"; }

# sshd accepts: connections HOST's sshd took so far. A run's count is the
# difference; other users of the test hosts can only add to it, so the
# minimum over rounds is reported.
accepts() { grep -c 'Accepted publickey' "$STATE/$1/sshd.log" || true; }

# destroy HOST DS...: zfs destroy -r each, retrying while zfs-fuse calls a
# just-unmounted one busy.
destroy() {
	local h=$1
	shift
	# shellcheck disable=SC2016 # for the inner sh
	on "$h" sh -c '
		for d; do
			n=0
			while zfs list "$d" >/dev/null 2>&1 && ! zfs destroy -r "$d" 2>/dev/null; do
				n=$((n + 1))
				[ $n -lt 40 ] || { echo "bench: cannot destroy $d; run scripts/testhosts.sh down, then this again" >&2; exit 1; }
				sleep 0.5
			done
		done' sh "$@"
}
# destroy_bench: every POOL/bench-* dataset on every host.
destroy_bench() {
	local h
	for h in hosta hostb hostc; do
		# shellcheck disable=SC2046 # names hold no space
		destroy "$h" $(on "$h" zfs list -H -o name -d 1 "${POOL[$h]}" | grep "^${POOL[$h]}/bench-")
	done
}

# mkparent HOST DS: an unmounted parent (its children inherit mountpoint=none:
# hundreds of FUSE mounts would cost the other users of the hosts).
mkparent() { on "$1" zfs create -o mountpoint=none "$2"; }
# mkchildren HOST PARENT N: PARENT/c001… .
mkchildren() {
	# shellcheck disable=SC2016
	on "$1" sh -c 'p=$1; shift; for c; do zfs create "$p/$c" || exit 1; done' sh "$2" $(names "$3")
}
# mkraw SRCHOST PARENT DSTHOST DSTPARENT N: a tree of N children copied
# whole to DSTHOST (one send -R, no SSH), at snapshot @r0 on both sides.
mkraw() {
	mkparent "$1" "$2"
	mkchildren "$1" "$2" "$5"
	on "$1" zfs snapshot -r "$2@r0"
	on "$1" sh -c 'zfs send -R "$1" | nsenter -t "$2" -m -u -- zfs recv -u "$3"' sh "$2@r0" "$(keeper "$3")" "$4"
}
# floor_pairs SRCHOST PARENT DSTHOST DSTPARENT ROUND N: floor (a), one
# snapshot and one send -i | recv per pair, no SSH (recv in DSTHOST's
# namespace through nsenter).
floor_pairs() {
	# shellcheck disable=SC2016
	on "$1" sh -c 'src=$1 k=$2 dst=$3 r=$4; shift 4
		for c; do
			zfs snapshot "$src/$c@r$r" &&
				zfs send -i "$src/$c@r$((r - 1))" "$src/$c@r$r" | nsenter -t "$k" -m -u -- zfs recv -u "$dst/$c" || exit 1
		done' sh "$2" "$(keeper "$3")" "$4" "$5" $(names "$6")
}
# floor_tree SRCHOST PARENT DSTHOST DSTPARENT ROUND: floor (b), one
# snapshot -r and one send -R -I over one SSH connection for the pool.
floor_tree() {
	on "$1" sh -c 'zfs snapshot -r "$1@r$4" && zfs send -R -I "$1@r$(($4 - 1))" "$1@r$4" | ssh "$2" zfs recv -u "$3"' sh "$2" "$3" "$4" "$5"
}
# drop_old SRCHOST PARENT DSTHOST DSTPARENT ROUND: the floors' previous
# snapshots go (one zfs destroy -r each side), so that they do not pile up
# in what zrep reads on the hosts.
# Floor (a) snapshots only the children: the parent gets one here, for -r.
drop_old() {
	local s='zfs list -H -o name "$1" >/dev/null 2>&1 || zfs snapshot "$1"; zfs destroy -r "$1"'
	on "$1" sh -c "$s" sh "$2@r$(($5 - 1))"
	on "$3" sh -c "$s" sh "$4@r$(($5 - 1))"
}
# zinits HOST TAG ARGS: zrep init for each pair c001…, two at a time; ARGS
# holds {} for the child name.
zinits() {
	local h=$1 tag=$2 n=$3
	shift 3
	names "$n" | on "$h" env ZREPTAG="$tag" ZREP_SAVE_COUNT=1000 xargs -P 2 -I{} "$ZREP" init "$@" >/dev/null
}

# trace_counts FILE HOST: zfs/zpool commands zrep ran on HOST (-D lines).
trace_counts() { grep -c "^DEBUG: $2: z" "$1" || true; }
# trace_table FILE K: the -D trace by command, dataset names and numbers
# generalised, per run and per pair.
trace_table() {
	sed -nE 's/^DEBUG: ([a-z]+): (.*)/\1\t\2/p' "$1" |
		sed -E 's/ -H -p -o name,property,value,source//
			s/[a-z0-9]+:master,[a-z0-9]+:src-fs,[^ ]*,guid,createtxg,referenced/{tag props,guid,createtxg,referenced}/
			s/[a-z0-9]+:master,[a-z0-9]+:src-fs,[^ ]*/{tag props}/
			s/p[abc]\/bench-[^ @]*/FS/g; s/@[a-z0-9]+_[0-9a-f]{6}/@SNAP/g
			s/(^|[ ,])b[a-z0-9]+:/\1TAG:/g; s/=[0-9]+/=N/g' |
		sort | uniq -c | sort -k2,2 -k1,1nr |
		awk -v k="$2" '{ n = $1; h = $2; $1 = $2 = ""; sub(/^ +/, "")
			why = ($0 == "zfs" || $0 == "zfs get") ? " (usage text: the feature probe)" : ""
			printf "| %s | `%s`%s | %d | %.2f |\n", h, $0, why, n, n / k }'
}

REPORT=$(mktemp)
# row SECTION LINE: a table row in the report.
row() { printf '%s\n' "$2" >>"$REPORT.$1"; }
# table SECTION HEADER...: start a table in the report.
table() {
	local s=$1
	shift
	printf '%s\n' "$@" >"$REPORT.$s"
}

# ---- sync all, nothing written ------------------------------------------------

bench_sync() {
	local k=$1 tag=bs$1 z=bench-z$1 a=bench-a$1 b=bench-b$1 r
	local -a tz=() ta=() tb=() ca=() cb=()
	say "sync all, K=$k: setup"
	mkparent hosta "pa/$z"
	mkparent hostb "pb/$z"
	mkchildren hosta "pa/$z" "$k"
	zinits hosta "$tag" "$k" "pa/$z/{}" hostb "pb/$z/{}"
	mkraw hosta "pa/$a" hostb "pb/$a" "$k"
	mkraw hosta "pa/$b" hostb "pb/$b" "$k"
	for ((r = 1; r <= WARMUP + ROUNDS; r++)); do
		local fa fb tzr a0 b0
		timed fa floor_pairs hosta "pa/$a" hostb "pb/$a" "$r" "$k"
		timed fb floor_tree hosta "pa/$b" hostb "pb/$b" "$r"
		a0=$(accepts hosta) b0=$(accepts hostb)
		timed tzr zr hosta "$tag" sync all
		drop_old hosta "pa/$a" hostb "pb/$a" "$r"
		drop_old hosta "pa/$b" hostb "pb/$b" "$r"
		((r > WARMUP)) || continue
		ta+=("$fa") tb+=("$fb") tz+=("$tzr")
		ca+=($(($(accepts hosta) - a0))) cb+=($(($(accepts hostb) - b0)))
		say "sync all, K=$k, round $((r - WARMUP)): floor a ${fa}s, floor b ${fb}s, zrep ${tzr}s"
	done
	on hosta env ZREPTAG="$tag" "$ZREP" -D sync all 2>"$REPORT.trace$k"
	local mz ra rb
	mz=$(median "${tz[@]}")
	ratios ra tz ta
	ratios rb tz tb
	row sync "| $k | $mz | $(div "$mz" "$k") | $(median "${ta[@]}") | **$ra** | $(median "${tb[@]}") | **$rb** | $(min "${ca[@]}") / $(min "${cb[@]}") | $(trace_counts "$REPORT.trace$k" hosta) / $(trace_counts "$REPORT.trace$k" hostb) | $(div "$(($(trace_counts "$REPORT.trace$k" hosta) + $(trace_counts "$REPORT.trace$k" hostb)))" "$k") |"
	destroy_bench
}

# ---- transfers ----------------------------------------------------------------

bench_transfer() {
	local r t1 t2
	local -a fr=() fz=() ir=() iz=()
	say "transfers: setup (${FULL_MIB} MiB full, ${INC_MIB} MiB incremental)"
	on hosta zfs create pa/bench-xf
	on hosta sh -c 'head -c "$1"M /dev/urandom >/pa/bench-xf/f && sync' sh "$FULL_MIB"
	on hosta zfs snapshot pa/bench-xf@s0
	for ((r = 1; r <= WARMUP + ROUNDS; r++)); do
		# Alternate who goes first: the second reader finds the data cached.
		if ((r % 2)); then
			timed t1 on hosta sh -c 'zfs send pa/bench-xf@s0 | ssh hostb zfs recv -u pb/bench-xfr'
			timed t2 zr hosta bxf init pa/bench-xf hostb pb/bench-xfz >/dev/null
		else
			timed t2 zr hosta bxf init pa/bench-xf hostb pb/bench-xfz >/dev/null
			timed t1 on hosta sh -c 'zfs send pa/bench-xf@s0 | ssh hostb zfs recv -u pb/bench-xfr'
		fi
		destroy hostb pb/bench-xfr pb/bench-xfz
		zr hosta bxf clear -f pa/bench-xf >/dev/null
		((r > WARMUP)) || continue
		fr+=("$t1") fz+=("$t2")
		say "full transfer, round $((r - WARMUP)): raw ${t1}s, zrep init ${t2}s"
	done
	destroy hosta pa/bench-xf

	on hosta zfs create pa/bench-xr
	on hosta zfs create pa/bench-xz
	on hosta zfs snapshot pa/bench-xr@s0
	on hosta sh -c 'zfs send pa/bench-xr@s0 | ssh hostb zfs recv -u pb/bench-xr'
	zr hosta bxi init pa/bench-xz hostb pb/bench-xz >/dev/null
	for ((r = 1; r <= WARMUP + ROUNDS; r++)); do
		# shellcheck disable=SC2016
		on hosta sh -c 'head -c "$1"M /dev/urandom >/pa/bench-xr/f$2 && cp /pa/bench-xr/f$2 /pa/bench-xz/f$2 && sync' sh "$INC_MIB" "$r"
		if ((r % 2)); then
			timed t1 floor_inc "$r"
			timed t2 zr hosta bxi sync pa/bench-xz
		else
			timed t2 zr hosta bxi sync pa/bench-xz
			timed t1 floor_inc "$r"
		fi
		((r > WARMUP)) || continue
		ir+=("$t1") iz+=("$t2")
		say "incremental transfer, round $((r - WARMUP)): raw ${t1}s, zrep sync ${t2}s"
	done
	local q
	ratios q fz fr
	row transfer "| full, ${FULL_MIB} MiB (\`zrep init\`) | \`zfs send\` \\| \`ssh hostb zfs recv\` | $(median "${fr[@]}") | $(median "${fz[@]}") | **$q** |"
	ratios q iz ir
	row transfer "| incremental, ${INC_MIB} MiB (\`zrep sync\`) | \`zfs snapshot\`; \`zfs send -i\` \\| \`ssh hostb zfs recv\` | $(median "${ir[@]}") | $(median "${iz[@]}") | **$q** |"
	destroy_bench
}
floor_inc() {
	on hosta sh -c 'zfs snapshot pa/bench-xr@s$1 && zfs send -i pa/bench-xr@s$(($1 - 1)) pa/bench-xr@s$1 | ssh hostb zfs recv -u pb/bench-xr' sh "$1"
}

# ---- status -------------------------------------------------------------------

bench_status() {
	local n=$STATUS_N r t1 t2 raw
	local -a sr=() sz=()
	say "status: setup ($n pairs' properties on hosta)"
	mkparent hosta pa/bench-st
	# Half masters, half replicas, each with a sent snapshot: what status -a
	# reads for real pairs, set directly (status reads only this host).
	# shellcheck disable=SC2016
	on hosta sh -c 'now=$(date +%s); i=0
		for c; do
			i=$((i + 1)); fs=pa/bench-st/$c
			if [ $((i % 2)) = 1 ]; then
				zfs create -o bst:master=yes -o bst:src-fs=$fs -o bst:src-host=hosta \
					-o bst:dest-fs=pb/bench-st/$c -o bst:dest-host=hostb -o bst:savecount=5 $fs || exit 1
			else
				zfs create -o bst:src-fs=pb/bench-st/$c -o bst:src-host=hostb \
					-o bst:dest-fs=$fs -o bst:dest-host=hosta -o bst:savecount=5 $fs || exit 1
			fi
			zfs snapshot -o bst:sent=$now $fs@bst_000000 || exit 1
		done' sh $(seq -f "d%04g" "$n")
	# The raw read: the very zfs call status makes, from its -D trace.
	zr hosta bst -D status -a 2>"$REPORT.strace" >/dev/null
	[[ $(grep -c '^DEBUG' "$REPORT.strace") == 1 ]] || say "status -a made more than one zfs call: $(grep -c '^DEBUG' "$REPORT.strace")"
	raw=$(sed -n 's/^DEBUG: hosta: //p' "$REPORT.strace" | head -n 1)
	for ((r = 1; r <= WARMUP + ROUNDS; r++)); do
		timed t1 on hosta sh -c "$raw >/dev/null"
		timed t2 zr hosta bst status -a >/dev/null
		((r > WARMUP)) || continue
		sr+=("$t1") sz+=("$t2")
		say "status -a, round $((r - WARMUP)): raw ${t1}s, zrep ${t2}s"
	done
	local q
	ratios q sz sr
	row status "| \`status -a\`, $n pairs | $(median "${sr[@]}") | $(median "${sz[@]}") | **$q** | $(grep -c '^DEBUG' "$REPORT.strace") |"
	local err
	if err=$(zr hosta bst status --json 2>&1 >/dev/null); then
		local -a jr=() jz=()
		for ((r = 1; r <= WARMUP + ROUNDS; r++)); do
			timed t1 on hosta sh -c "$raw >/dev/null"
			timed t2 zr hosta bst status --json >/dev/null
			((r > WARMUP)) || continue
			jr+=("$t1") jz+=("$t2")
		done
		ratios q jz jr
		row status "| \`status --json\`, $n pairs | $(median "${jr[@]}") | $(median "${jz[@]}") | **$q** | |"
	else
		row status "| \`status --json\`, $n pairs | | | skipped | \`zrep status --json\` failed: ${err//|/\\|} |"
	fi
	destroy_bench
}

# ---- refresh all (pull) -------------------------------------------------------

bench_refresh() {
	local n=$REFRESH_N r t1 t2 a0 b0 c0 h
	local -a fr=() tz=() ca=() cb=() cc=()
	say "refresh all: setup (hostc pulls $n pairs from each of hosta and hostb)"
	mkparent hostc pc/bench-rz
	for h in hosta hostb; do
		mkparent "$h" "${POOL[$h]}/bench-rz"
		mkchildren "$h" "${POOL[$h]}/bench-rz" "$n"
		mkparent hostc "pc/bench-rz/$h"
		zinits hostc brf "$n" --from "$h" "${POOL[$h]}/bench-rz/{}" "pc/bench-rz/$h/{}"
		mkraw "$h" "${POOL[$h]}/bench-ra" hostc "pc/bench-ra-$h" "$n"
	done
	for ((r = 1; r <= WARMUP + ROUNDS; r++)); do
		timed t1 refresh_floor "$r" "$n"
		a0=$(accepts hosta) b0=$(accepts hostb) c0=$(accepts hostc)
		timed t2 zr hostc brf refresh all
		drop_old hosta pa/bench-ra hostc pc/bench-ra-hosta "$r"
		drop_old hostb pb/bench-ra hostc pc/bench-ra-hostb "$r"
		((r > WARMUP)) || continue
		fr+=("$t1") tz+=("$t2")
		ca+=($(($(accepts hosta) - a0))) cb+=($(($(accepts hostb) - b0))) cc+=($(($(accepts hostc) - c0)))
		say "refresh all, round $((r - WARMUP)): floor ${t1}s, zrep ${t2}s"
	done
	on hostc env ZREPTAG=brf "$ZREP" -D refresh all 2>"$REPORT.rtrace"
	local q
	ratios q tz fr
	row refresh "| $((2 * n)) ($n from each) | $(median "${fr[@]}") | $(median "${tz[@]}") | **$q** | $(min "${ca[@]}") / $(min "${cb[@]}") / $(min "${cc[@]}") | $(trace_counts "$REPORT.rtrace" hosta) / $(trace_counts "$REPORT.rtrace" hostb) / $(trace_counts "$REPORT.rtrace" hostc) |"
	destroy_bench
}
refresh_floor() {
	floor_pairs hosta pa/bench-ra hostc pc/bench-ra-hosta "$1" "$2"
	floor_pairs hostb pb/bench-ra hostc pc/bench-ra-hostb "$1" "$2"
}

# ---- run ----------------------------------------------------------------------

[[ $(id -u) == 0 ]] || die "must run as root (the test hosts are namespaces)"
exec 8>>"$STATE/.bench.lock"
flock -n 8 || die "another bench.sh is running ($STATE/.bench.lock)"
bash scripts/ensure-go.sh >/dev/null
go build -o bin/zrep .
bash scripts/testhosts.sh up >/dev/null
bash scripts/testhosts.sh status >/dev/null || die "test hosts are not healthy: bash scripts/testhosts.sh status"
cleanup() {
	destroy_bench || true
	rm -f "$REPORT" "$REPORT".*
}
trap cleanup EXIT
destroy_bench
START=$(date -u '+%Y-%m-%d %H:%M UTC') LOAD0=$(cut -d' ' -f1-3 /proc/loadavg) T0=$SECONDS

table sync '| K pairs | zrep s | zrep s/pair | floor (a) s | zrep/(a) | floor (b) s | zrep/(b) | SSH conns hosta / hostb | zfs calls hosta / hostb | zfs calls/pair |' \
	'|---|---|---|---|---|---|---|---|---|---|'
table transfer '| case | floor (raw pipe) | raw s | zrep s | zrep/raw |' '|---|---|---|---|---|'
table status '| case | raw `zfs get` s | zrep s | zrep/raw | zfs calls |' '|---|---|---|---|---|'
table refresh '| pairs on hostc | floor s | zrep s | zrep/floor | SSH conns to hosta / hostb / hostc | zfs calls on hosta / hostb / hostc |' \
	'|---|---|---|---|---|---|'
for s in $ONLY; do
	case $s in
	sync) for k in $K_LIST; do bench_sync "$k"; done ;;
	transfer) bench_transfer ;;
	status) bench_status ;;
	refresh) bench_refresh ;;
	*) die "BENCH_ONLY: unknown section $s (sync transfer status refresh)" ;;
	esac
done
KMIN=$(printf '%s\n' $K_LIST | sort -n | head -n 1)

results() {
	local s
	for s in $ONLY; do
		case $s in
		sync) printf '\n### `sync all`, nothing written\n\n' ;;
		transfer) printf '\n### Transfers\n\n' ;;
		status) printf '\n### `status`\n\n' ;;
		refresh) printf '\n### `refresh all` on a backup host (hostc) pulling from hosta and hostb\n\n' ;;
		esac
		cat "$REPORT.$s"
	done
	if [[ -e $REPORT.trace$KMIN && $ONLY == *sync* ]]; then
		printf '\n### Where the zfs calls of `sync all` go (K=%s, from `zrep -D`)\n\n' "$KMIN"
		printf '| host | command | per run | per pair |\n|---|---|---|---|\n'
		trace_table "$REPORT.trace$KMIN" "$KMIN"
	fi
}
machine() {
	printf -- '- date: %s; %d rounds measured (after %d warm-up), medians; load average %s at the start, %s at the end; took %d min\n' \
		"$START" "$ROUNDS" "$WARMUP" "$LOAD0" "$(cut -d' ' -f1-3 /proc/loadavg)" $(((SECONDS - T0) / 60))
	printf -- '- machine: %s cores (%s), %s memory, Linux %s\n' "$(nproc)" \
		"$(sed -n 's/^model name[^:]*: //p' /proc/cpuinfo | head -n 1)" "$(free -h | awk '/^Mem:/ { print $2 }')" "$(uname -r)"
	printf -- '- zrep %s (%s), zfs-fuse %s, %s, sshd %s\n' "$(git rev-parse --short HEAD)" "$(go version | cut -d' ' -f3)" \
		"$(dpkg-query -W -f '${Version}' zfs-fuse 2>/dev/null || echo '?')" "$(ssh -V 2>&1 | cut -d, -f1)" "$(ssh -V 2>&1 | cut -d' ' -f1)"
}
if [[ $OUT == - ]]; then
	machine
	results
else
	{
		cat <<EOF
# Performance

What zrep costs against what no replication tool can avoid, on the test
hosts of \`scripts/testhosts.sh\` (three zfs-fuse "hosts" in namespaces on
one machine, real OpenSSH on loopback). Produced by \`bash
scripts/bench.sh\` (the whole file; \`--smoke\` is a one-minute check of
the script itself). Each figure is the median of the rounds; each ratio is
the median of per-round ratios to a floor measured in the same round, so
the other work on a shared machine slows both sides alike.

$(machine)

Floors:
- **(a)** per pair: one \`zfs snapshot\` and one \`zfs send -i | zfs recv\`,
  no SSH (the receive runs in the destination host's namespace through
  \`nsenter\`), one pair after the other.
- **(b)** per pool: one \`zfs snapshot -r\` of the pairs' parent and one
  \`zfs send -R -I | ssh hostb zfs recv\`: the least any tool can do.
- raw pipe: \`zfs send | ssh hostb zfs recv\` (OpenSSH; zrep uses its
  built-in client).

SSH connections are counted from the destination's sshd log (the least of
the rounds: others using the hosts can only add to it), \`zfs\` calls from
zrep's own \`-D\` trace of one more run (each line is one process on that
host). Pairs are made with \`ZREP_SAVE_COUNT=1000\`: no round expires a
snapshot.
$(results)

## Rerun

    bash scripts/bench.sh                      # everything, this file
    bash scripts/bench.sh --smoke              # under a minute, prints the tables
    BENCH_ONLY=sync BENCH_K="20 100" bash scripts/bench.sh --out -   # one section, some sizes

As root, on the test hosts (it brings them up). It makes only
\`POOL/bench-*\` datasets and destroys them after each section.
EOF
	} >"$OUT"
	say "wrote $OUT"
fi
