// Package failover changes which side of a zrep pair is master: a planned
// failover run on the master, a takeover run on the replica, and the -L
// forms for when the partner is down. Everything done on the partner is a
// plain zfs command over the run's one connection, so no role change
// depends on a zrep binary there (classic #208 left both sides read-only).
//
// A planned change first takes the master flag off the old master, so no
// cron run on either side can sync in the middle, and sets it on the new
// master last; if a step fails, the steps done so far are undone and the
// old master stays master.
package failover
