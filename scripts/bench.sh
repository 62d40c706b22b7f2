#!/usr/bin/env bash
# bench.sh: zrep against the raw `zfs send | ssh | zfs recv` pipe, same hosts,
# same data, same run. Prints seconds and the ratio zrep/raw per case.
#   bash scripts/bench.sh [MiB per transfer, default 256] [rounds, default 3]
set -euo pipefail
cd "$(dirname "$0")/.."
export PATH=$PATH:/usr/local/go/bin
MIB=${1:-256}
ROUNDS=${2:-3}
go build -o bin/zrep .
bash scripts/testhosts.sh up >/dev/null
STATE=${ZREP_TESTHOSTS_DIR:-/var/lib/zrep-testhosts}
ZREP=$PWD/bin/zrep
on() { HOME=$STATE/home PATH=$STATE/bin:$PATH bash scripts/testhosts.sh exec "$@"; }
now() { date +%s.%N; }
ratio() { awk -v a="$1" -v b="$2" 'BEGIN { printf "%.2f", a / b }'; }
report() { printf '%-34s raw %6.3fs   zrep %6.3fs   zrep/raw %s\n' "$1" "$2" "$3" "$(ratio "$3" "$2")"; }

# cleanup destroys the bench datasets, retrying while zfs-fuse calls a
# just-unmounted one busy, and fails if one stays.
cleanup() {
	for h in hosta:pa hostb:pb; do
		on "${h%%:*}" sh -c '
			for d in bench-raw bench-zrep $(seq -f "bench-r%g" 10) $(seq -f "bench-z%g" 10); do
				n=0
				while zfs list "$1/$d" >/dev/null 2>&1 && ! zfs destroy -r "$1/$d" 2>/dev/null; do
					n=$((n + 1))
					[ $n -lt 40 ] || { echo "bench: cannot destroy $1/$d; run scripts/testhosts.sh down, then this again" >&2; exit 1; }
					sleep 0.5
				done
			done' sh "${h#*:}"
	done
}
cleanup
trap cleanup EXIT

on hosta zfs create pa/bench-raw
on hosta zfs create pa/bench-zrep
on hosta zfs snapshot pa/bench-raw@s0
on hosta sh -c 'zfs send pa/bench-raw@s0 | ssh hostb zfs recv -u pb/bench-raw'
on hosta "$ZREP" init pa/bench-zrep hostb pb/bench-zrep >/dev/null

echo "zrep $(git rev-parse --short HEAD 2>/dev/null) on $(nproc) cores; ${MIB} MiB incompressible data per transfer, ${ROUNDS} rounds"
raw_total=0 zrep_total=0
for r in $(seq "$ROUNDS"); do
	on hosta sh -c 'head -c "$1"M /dev/urandom > /tmp/bench.dat; cp /tmp/bench.dat /pa/bench-raw/f'"$r"'; cp /tmp/bench.dat /pa/bench-zrep/f'"$r"'; rm /tmp/bench.dat; sync' sh "$MIB"
	t0=$(now)
	on hosta sh -c 'zfs snapshot pa/bench-raw@s'"$r"' && zfs send -I pa/bench-raw@s'"$((r - 1))"' pa/bench-raw@s'"$r"' | ssh hostb zfs recv pb/bench-raw'
	t1=$(now)
	on hosta "$ZREP" sync pa/bench-zrep
	t2=$(now)
	raw=$(awk -v a="$t0" -v b="$t1" 'BEGIN { print b - a }')
	zr=$(awk -v a="$t1" -v b="$t2" 'BEGIN { print b - a }')
	report "incremental ${MIB} MiB (round $r)" "$raw" "$zr"
	raw_total=$(awk -v a="$raw_total" -v b="$raw" 'BEGIN { print a + b }')
	zrep_total=$(awk -v a="$zrep_total" -v b="$zr" 'BEGIN { print a + b }')
done
report "incremental, all rounds" "$raw_total" "$zrep_total"

# A no-op: nothing changed since the last sync (the cron-every-minute case).
t0=$(now)
on hosta sh -c 'zfs snapshot pa/bench-raw@noop && zfs send -I pa/bench-raw@s'"$ROUNDS"' pa/bench-raw@noop | ssh hostb zfs recv pb/bench-raw'
t1=$(now)
on hosta "$ZREP" sync pa/bench-zrep
t2=$(now)
report "no changes, one pair" "$(awk -v a="$t0" -v b="$t1" 'BEGIN { print b - a }')" "$(awk -v a="$t1" -v b="$t2" 'BEGIN { print b - a }')"

# Ten small pairs to one partner, nothing changed: the raw pipe pays an ssh
# connection per pair, zrep one connection for the whole run.
for i in $(seq 10); do
	on hosta sh -c 'zfs create pa/bench-r$1 && echo x > /pa/bench-r$1/f && zfs snapshot pa/bench-r$1@s0 &&
		zfs send pa/bench-r$1@s0 | ssh hostb zfs recv -u pb/bench-r$1 &&
		zfs create pa/bench-z$1 && echo x > /pa/bench-z$1/f' sh "$i"
	ZREPTAG=bench on hosta "$ZREP" init "pa/bench-z$i" hostb "pb/bench-z$i" >/dev/null
done
t0=$(now)
on hosta sh -c 'for i in $(seq 10); do zfs snapshot pa/bench-r$i@s1 && zfs send -i pa/bench-r$i@s0 pa/bench-r$i@s1 | ssh hostb zfs recv pb/bench-r$i || exit 1; done'
t1=$(now)
ZREPTAG=bench on hosta "$ZREP" sync all
t2=$(now)
report "sync all, 10 pairs, no changes" "$(awk -v a="$t0" -v b="$t1" 'BEGIN { print b - a }')" "$(awk -v a="$t1" -v b="$t2" 'BEGIN { print b - a }')"
for i in $(seq 10); do on hosta sh -c 'zfs snapshot pa/bench-r$1@s2 && zfs send -i pa/bench-r$1@s1 pa/bench-r$1@s2 | ssh hostb zfs recv pb/bench-r$1' sh "$i"; done >/dev/null
t0=$(now)
on hosta sh -c 'for i in $(seq 10); do zfs snapshot pa/bench-r$i@s3 && zfs send -i pa/bench-r$i@s2 pa/bench-r$i@s3 | ssh hostb zfs recv pb/bench-r$i || exit 1; done'
t1=$(now)
ZREPTAG=bench on hosta "$ZREP" sync -j 2 all
t2=$(now)
report "sync -j 2 all, 10 pairs, no changes" "$(awk -v a="$t0" -v b="$t1" 'BEGIN { print b - a }')" "$(awk -v a="$t1" -v b="$t2" 'BEGIN { print b - a }')"
