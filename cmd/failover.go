package cmd

import (
	"strings"

	"github.com/spf13/cobra"
	"github.com/zrep-go/zrep/failover"
)

// RoleOptions are failover's and takeover's parsed arguments.
type RoleOptions struct {
	failover.Options
	Takeover bool
	// ForceEmpty (--force-empty) lets the last sync send a source that
	// looks emptied.
	ForceEmpty bool
}

// NewCmdFailover is `zrep failover [-f] [-L] FS[@SNAP] [REMOTEHOST]`.
func NewCmdFailover(f *Factory, runF func(*RoleOptions) error) *cobra.Command {
	return newRoleCmd(f, runF, false, "failover [-f] [-L] FS[@SNAP] [REMOTEHOST]",
		"Make the partner master (run on the master)",
		`Hand the master role of FS to its partner: FS is made read-only, one last
sync sends what is new, then the partner becomes master and writable and
FS its read-only replica. Everything on the partner is done with plain zfs
commands. If a step fails, what was done is undone and FS stays master.

  -L   local only, for the old master coming back after "zrep takeover -L"
       on the partner: FS is rolled back to its last sent snapshot (newer
       zrep snapshots are destroyed) and made a replica, without contacting
       the partner. Then run "zrep sync" on the new master.
  @SNAP  roll both sides back to SNAP instead of sending (with -L: this side).`)
}

// NewCmdTakeover is `zrep takeover [-f] [-L] FS[@SNAP] [REMOTEHOST]`.
func NewCmdTakeover(f *Factory, runF func(*RoleOptions) error) *cobra.Command {
	return newRoleCmd(f, runF, true, "takeover [-f] [-L] FS[@SNAP] [REMOTEHOST]",
		"Make this side master (run on the replica)",
		`Take the master role of FS from its partner: the partner is made read-only,
its last changes are pulled here, then FS becomes master and writable and
the partner its read-only replica. If a step fails, what was done is undone
and the partner stays master.

  -L   local only, for when the master is down: FS becomes master at the last
       snapshot it received. When the old master is back, run there
       "zrep failover -L FS", then "zrep sync FS" here.
  @SNAP  roll back to SNAP first (both sides; with -L: this side).`)
}

func newRoleCmd(f *Factory, runF func(*RoleOptions) error, takeover bool, use, short, long string) *cobra.Command {
	o := &RoleOptions{Takeover: takeover}
	c := &cobra.Command{
		Use:   use,
		Short: short,
		Long:  long,
		Args: func(c *cobra.Command, args []string) error {
			if len(args) < 1 || len(args) > 2 {
				return usagef("%s takes FS[@SNAP] [REMOTEHOST], got %d arguments", c.Name(), len(args))
			}
			return nil
		},
		RunE: func(c *cobra.Command, args []string) error {
			o.FS, o.Snap = failover.Parse(args[0])
			check := checkFS(o.FS)
			if strings.Contains(args[0], "@") {
				check = checkSnap(args[0])
			}
			if check != nil {
				return check
			}
			if len(args) == 2 {
				o.Remote = args[1]
				if err := checkHost(o.Remote); err != nil {
					return err
				}
			}
			o.Discard = o.RecvForce
			o.RecvForce = o.RecvForce || f.Getenv("ZREP_FORCE") != ""
			if runF != nil {
				return runF(o)
			}
			r, err := f.Roles()
			if err != nil {
				return err
			}
			r.ForceEmpty = r.ForceEmpty || o.ForceEmpty
			if takeover {
				return r.Takeover(c.Context(), o.Options)
			}
			return r.Failover(c.Context(), o.Options)
		},
	}
	c.Flags().BoolVarP(&o.Local, "local", "L", false, "local only: do not contact the partner")
	c.Flags().BoolVarP(&o.RecvForce, "force", "f", false, "zfs recv -F on the receiver; a rollback may destroy snapshots zrep did not make")
	c.Flags().BoolVar(&o.ForceEmpty, "force-empty", false, "send the last sync even if the source looks emptied (also $ZREP_FORCE_EMPTY=yes)")
	return c
}
