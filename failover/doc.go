// Package failover changes which side of a zrep pair is master: planned
// failover and takeover, and the -L forms for when the partner is down.
// It arrives with the role-change milestone; sync/ holds what exists now.
package failover
