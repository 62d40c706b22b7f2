package sync

import (
	"context"
	"strconv"
	"time"

	"github.com/zrep-go/zrep/ssh"
	"github.com/zrep-go/zrep/zfsprops"
)

// SideRole is a side's part in its pair, as status reports it.
type SideRole string

const (
	RoleMaster  SideRole = "master"
	RoleReplica SideRole = "replica"
	RoleMissing SideRole = "missing" // the partner has no such filesystem
)

// PairState is one pair as seen from this host: the model behind
// status --json, list --json, status --warn/--crit and zrep metrics.
type PairState struct {
	Tag  zfsprops.Tag
	Host string // this host, as the pair names it
	FS   string
	Role SideRole
	// Partner is the other side; Checked only when it was asked.
	Partner Partner
	// LastSync is the newest local TAG:sent mark (zero: never synced),
	// LastSynced that snapshot's short name, Newest the newest zrep
	// snapshot's (an _unsent one included), Pending how many zrep
	// snapshots after LastSynced wait to be sent (_unsent ones not).
	LastSync           time.Time
	LastSynced, Newest string
	Pending            int
	// Written is written@LastSynced in bytes on a master whose zfs has
	// the property; -1 when not known.
	Written int64
	// LastFailure is the recorded failure of the last sync or refresh,
	// nil after a success; Failures counts every recorded one.
	LastFailure *Failure
	Failures    uint64
	Lock        *LockHolder
	// Broken is why this filesystem's state could not be read.
	Broken error
	// Now is when the state was read; lags are measured from it.
	Now time.Time
}

// Partner is the other side of a pair.
type Partner struct {
	Host, FS string
	Checked  bool
	Err      error    // not reachable, or its state not readable
	Role     SideRole // when read
	LastSync time.Time
}

// Up is a partner that was asked and answered.
func (p Partner) Up() bool { return p.Checked && p.Err == nil }

// Failure is a recorded failed run.
type Failure struct {
	Time    time.Time
	Message string
}

// LockHolder is the zrep that advertises its lock in TAG:lock-pid.
type LockHolder struct {
	PID   int
	Since time.Time // zero when TAG:lock-time is unset
	Live  bool      // the pid is a running zrep on this host
}

// Lag is how long ago the last sync was; ok is false when never.
func (p *PairState) Lag() (time.Duration, bool) {
	if p.LastSync.IsZero() {
		return 0, false
	}
	return max(p.Now.Sub(p.LastSync), 0), true
}

// PairStates reads what the monitoring views show of fss, zrep
// filesystems of this host as ReadAll found them: their snapshots in one
// more local zfs call, the bytes written since the last sync where zfs has
// `written` (one call per master), and with partners each partner host's
// side (one call per host). Only an unreadable local state is an error;
// what cannot be read of one pair is in its state.
func (e *Env) PairStates(ctx context.Context, fss []*zfsprops.Filesystem, partners bool) ([]PairState, error) {
	var names []string
	for _, fs := range fss {
		if fs.Broken == nil {
			names = append(names, fs.Name)
		}
	}
	detail := &zfsprops.Inventory{FS: map[string]*zfsprops.Filesystem{}}
	if len(names) > 0 {
		var err error
		if detail, err = zfsprops.ReadDetail(ctx, e.Local, e.Tag, names...); err != nil {
			return nil, err
		}
	}
	now := e.now()
	states := make([]PairState, 0, len(fss))
	for _, fs := range fss {
		if d := detail.FS[fs.Name]; d != nil {
			fs = d
		}
		states = append(states, e.localState(ctx, fs, now))
	}
	if partners {
		e.readPartners(ctx, states)
	}
	return states, nil
}

// localState is what this host alone tells about fs.
func (e *Env) localState(ctx context.Context, fs *zfsprops.Filesystem, now time.Time) PairState {
	st := PairState{Tag: e.Tag, Host: e.Self, FS: fs.Name, Written: -1, Now: now, Broken: fs.Broken}
	if fs.Broken != nil {
		return st
	}
	cfg := fs.Config(e.Tag)
	st.Role, st.Partner = RoleReplica, Partner{Host: cfg.SrcHost, FS: cfg.SrcFS}
	if cfg.Master {
		st.Role, st.Partner = RoleMaster, Partner{Host: cfg.DestHost, FS: cfg.DestFS}
	}
	snaps := fs.ZrepSnapshots(e.Tag)
	if len(snaps) > 0 {
		st.Newest = snaps[len(snaps)-1].Short()
	}
	if last, ok := fs.LastSent(e.Tag); ok {
		st.LastSync, st.LastSynced = time.Unix(last.SentTime(), 0), last.Short()
	}
	for i := len(snaps) - 1; i >= 0 && snaps[i].Short() != st.LastSynced; i-- {
		if _, unsent, _ := e.Tag.ParseSerial(snaps[i].Short()); !unsent {
			st.Pending++
		}
	}
	if msg := fs.Prop(e.Tag.LastError()).Local(); msg != "" {
		st.LastFailure = &Failure{Time: epoch(fs.Prop(e.Tag.LastAttempt()).Local()), Message: msg}
	}
	st.Failures, _ = strconv.ParseUint(fs.Prop(e.Tag.Failures()).Local(), 10, 64)
	if pid, _ := strconv.Atoi(fs.Prop(e.Tag.LockPID()).Local()); pid > 0 {
		st.Lock = &LockHolder{PID: pid, Since: epoch(fs.Prop(e.Tag.LockTime()).Local()), Live: zrepRunning(pid)}
	}
	if st.Role == RoleMaster && st.LastSynced != "" {
		st.Written = e.writtenSince(ctx, fs.Name, st.LastSynced)
	}
	return st
}

// writtenSince is written@short where zfs has it, else -1. Unlike sync -c
// it does not commit the pool first: a monitor may lag a few seconds
// behind the last writes, and must not cause I/O.
func (e *Env) writtenSince(ctx context.Context, fs, short string) int64 {
	feat, err := e.features(ctx, e.Local)
	if err != nil || !feat.Written {
		return -1
	}
	v, err := zfsprops.ReadValue(ctx, e.Local, "written@"+short, fs, true)
	n, perr := strconv.ParseInt(v, 10, 64)
	if err != nil || perr != nil {
		return -1
	}
	return n
}

// readPartners fills in each partner's side, one zfs call per host.
func (e *Env) readPartners(ctx context.Context, states []PairState) {
	byHost := map[string][]*PairState{}
	var hosts []string
	for i := range states {
		st := &states[i]
		if st.Broken != nil {
			continue
		}
		if _, seen := byHost[st.Partner.Host]; !seen {
			hosts = append(hosts, st.Partner.Host)
		}
		byHost[st.Partner.Host] = append(byHost[st.Partner.Host], st)
	}
	for _, host := range hosts {
		inv, err := e.partnerInventory(ctx, host)
		for _, st := range byHost[host] {
			st.Partner.Checked, st.Partner.Err = true, err
			if err != nil {
				continue
			}
			fs := inv.FS[st.Partner.FS]
			switch {
			case fs == nil:
				st.Partner.Role = RoleMissing
			case fs.Broken != nil:
				st.Partner.Err = fs.Broken
			case !fs.Managed(e.Tag):
				st.Partner.Role = RoleMissing
			case fs.IsMaster(e.Tag):
				st.Partner.Role = RoleMaster
			default:
				st.Partner.Role = RoleReplica
			}
			if fs != nil {
				if last, ok := fs.LastSent(e.Tag); ok {
					st.Partner.LastSync = time.Unix(last.SentTime(), 0)
				}
			}
		}
	}
}

// partnerInventory reads a partner's zrep state; a host zrep cannot name
// or reach is an error that says so.
func (e *Env) partnerInventory(ctx context.Context, host string) (*zfsprops.Inventory, error) {
	if err := ssh.ValidateHostName(host); err != nil {
		return nil, err
	}
	h, err := e.host(ctx, host)
	if err != nil {
		return nil, err
	}
	return zfsprops.ReadAll(ctx, h, e.Tag)
}

func epoch(v string) time.Time {
	n, err := strconv.ParseInt(v, 10, 64)
	if err != nil || n <= 0 {
		return time.Time{}
	}
	return time.Unix(n, 0)
}
