package sync

import (
	"context"
	"errors"
	"fmt"
	"time"

	"github.com/zrep-go/zrep/lock"
	"github.com/zrep-go/zrep/ssh"
	"github.com/zrep-go/zrep/zfsprops"
)

// Role is what a command needs the filesystem on this host to be.
type Role int

const (
	// AnyRole is either side of a pair (expire); a master must be ours.
	AnyRole Role = iota
	// MasterRole is the master, on the host its TAG:src-host names.
	MasterRole
	// ReplicaRole is a replica, whose master TAG:src-host/src-fs name.
	ReplicaRole
	// SourceRole is the side TAG:src-host names, master flag set or not:
	// sentsync makes it the master.
	SourceRole
	// RepairRole is any filesystem, paired or not, corrupt properties
	// too: the commands that repair or undo a pairing (clear, changeconfig).
	RepairRole
)

// PartnerMode says whether an operation reads the partner.
type PartnerMode int

const (
	NoPartner PartnerMode = iota
	WithPartner
	// PartnerIfMaster reads it when this side is master (expire: a
	// replica expires alone).
	PartnerIfMaster
)

// PairOp is one guarded operation on a pair: what the command needs, so
// that WithPair can refuse everything else before anything changes.
type PairOp struct {
	// Name is the command ("sync", "failover"), for messages; Cmd is it
	// as suggested back, with %s for the filesystem ("sync %s").
	Name, Cmd string
	// Verb is what is refused, in "cannot VERB" ("snapshot it"); Name
	// when empty.
	Verb    string
	Role    Role
	Partner PartnerMode
	// Reach is the name to reach the partner by (failover's and
	// takeover's REMOTEHOST); "" takes the pair's TAG:dest-host or
	// TAG:src-host.
	Reach string
	// Quiet is sync -q: a busy pair synced within this long is skipped;
	// Quietable says the command takes -q at all.
	Quiet     time.Duration
	Quietable bool
	// Reading names the first call to the partner in the error when it
	// cannot be reached, with %s for HOST:FS ("sending to %s"); "reading
	// %s" when empty.
	Reading string
	// Alone is the command that goes on without the partner (takeover
	// -L FS), suggested when the partner is down.
	Alone string
	// Intent is what to do with an interrupted role change found on
	// either side: recover it first, unless the command says otherwise.
	Intent IntentMode
	// Check refuses, before anything changes, what only the command
	// knows to refuse (a missing snapshot, a non-root role change).
	Check func(ctx context.Context, p *Pair) error
}

func (op PairOp) verb() string {
	if op.Verb != "" {
		return op.Verb
	}
	return op.Name
}

// Pair is what a guarded operation hands its command: the pair's
// environment (recursive when either side records it), this side, and
// the partner when it was read. Both are locked: here by flock and
// TAG:lock-pid, there checked for a live zrep's TAG:lock-pid.
type Pair struct {
	*Env
	Cfg   zfsprops.Config // this side's pairing
	Here  Side
	There Side // There.FS is nil when the partner was not read
}

// WithPair runs fn on the pair of name, guarded: it takes the local lock
// and reads the filesystem, checks its role and properties against op,
// advertises the lock in TAG:lock-pid, reads the partner and checks its
// properties, its lock and for split brain, and only then calls fn. Every
// refusal is a typed error carrying its fix, and changes nothing.
//
// An interrupted role change found on either side is completed or undone
// first (recoverIntent), and the operation then starts over on the pair as
// it is now.
func (e *Env) WithPair(ctx context.Context, name string, op PairOp, fn func(context.Context, *Pair) error) error {
	for try := 0; ; try++ {
		err := e.withPair(ctx, name, op, fn)
		if !errors.Is(err, errRecovered) || try == 2 {
			return err
		}
	}
}

func (e *Env) withPair(ctx context.Context, name string, op PairOp, fn func(context.Context, *Pair) error) error {
	held, fs, err := e.lockAndRead(ctx, name)
	var ne *zfsprops.NotExistError
	var lb *lock.BusyError
	switch {
	case errors.As(err, &ne) && ne.Name == name:
		return &NoSuchFSError{ne}
	case errors.As(err, &lb):
		return e.busy(fs, &BusyError{BusyError: lb, Quiet: op.Quietable}, op)
	case err != nil:
		return err
	}
	defer held.Unlock()
	p := &Pair{Env: e.ForPair(fs), Cfg: fs.Config(e.Tag), Here: Side{e.Local, e.Self, fs}}
	if in, ok := p.IntentOf(fs); ok && op.Intent == RecoverIntent && op.Role != RepairRole {
		return p.recoverIntent(ctx, in, true)
	}
	if err := p.checkHere(op); err != nil {
		return err
	}
	if op.Check != nil {
		if err := op.Check(ctx, p); err != nil {
			return err
		}
	}
	l, err := e.claim(ctx, fs, held)
	if errors.As(err, &lb) {
		return e.busy(fs, &BusyError{BusyError: lb, Quiet: op.Quietable}, op)
	}
	if err != nil {
		return err
	}
	defer l.unlock(context.WithoutCancel(ctx))
	if op.Partner == WithPartner || op.Partner == PartnerIfMaster && p.Cfg.Master {
		if err := p.readPartner(ctx, op); err != nil {
			return err
		}
	}
	return fn(ctx, p)
}

// busy decides, for a busy filesystem, between a silent skip (-q) and an
// error.
func (e *Env) busy(fs *zfsprops.Filesystem, busy *BusyError, op PairOp) error {
	if op.Quiet <= 0 || fs == nil {
		return busy
	}
	last, ok := fs.LastSent(e.Tag)
	if !ok {
		return &QuietError{busy, fmt.Sprintf("quiet mode, but %s was never synced", fs.Name)}
	}
	age := e.now().Sub(time.Unix(last.SentTime(), 0))
	if age > op.Quiet {
		return &QuietError{busy, fmt.Sprintf("quiet time limit of %d seconds exceeded (last sync %s ago)", int(op.Quiet.Seconds()), age.Round(time.Second))}
	}
	e.say("Quiet mode: skipping busy fs %s at %s", fs.Name, e.now().Format(time.UnixDate))
	return &SkippedError{FS: fs.Name}
}

// master is whether this side acts as the pair's source in op.
func (p *Pair) master(op PairOp) bool {
	switch op.Role {
	case MasterRole, SourceRole:
		return true
	case AnyRole:
		return p.Cfg.Master
	}
	return false
}

// checkHere refuses a filesystem whose properties do not fit op.
func (p *Pair) checkHere(op PairOp) error {
	fs, cfg, name := p.Here.FS, p.Cfg, p.Here.FS.Name
	if op.Role == RepairRole {
		return nil
	}
	if err := fs.CheckConfig(p.Tag, p.Self); err != nil {
		return err
	}
	if err := p.halfPaired(op); err != nil {
		return err
	}
	if !fs.Managed(p.Tag) {
		fix := "run: " + p.Zrep("init %s DESTHOST DESTFS", name)
		switch op.Role {
		case ReplicaRole:
			fix = "on the source host run: " + p.Zrep("init SRCFS %s %s", p.Self, name)
		case SourceRole:
			fix = "first run here: " + p.Zrep("changeconfig %s DESTHOST DESTFS", name)
		}
		verb := op.Verb
		if op.Role == MasterRole && op.Verb == "" {
			verb = "" // "not initialised for zrep" says it for sync
		}
		return &NotPairedError{Host: p.Self, FS: name, Verb: verb, Fix: fix}
	}
	if op.Role == ReplicaRole {
		if cfg.Master {
			return &AlreadyMasterError{Host: p.Self, FS: name, Verb: op.verb(),
				Fix: fmt.Sprintf("to send its changes, run %s; zrep status -v shows the pair", p.Zrep("sync %s", name))}
		}
		return p.partnerNames(op, p.Tag.SrcHost(), cfg.SrcHost, p.Tag.SrcFS(), cfg.SrcFS,
			"set the pair's source with: "+p.Zrep("changeconfig -d %s SRCHOST SRCFS", name))
	}
	if !p.master(op) {
		return nil
	}
	if op.Role == MasterRole && !cfg.Master && cfg.SrcHost == p.Self && cfg.SrcFS == name {
		// It names itself as the source, yet is not master.
		fix := fmt.Sprintf("%s is missing, yet it names itself as the source of %s:%s; if it is still the master (zrep status on %s says that side is not), set it again: zfs set %s=yes %s",
			p.Tag.Master(), cfg.DestHost, cfg.DestFS, cfg.DestHost, p.Tag.Master(), name)
		if len(fs.ZrepSnapshots(p.Tag)) <= 1 {
			// Only _000000: an init that never finished.
			fix = fmt.Sprintf("its init to %s:%s did not finish; run the same init again to finish it: %s",
				cfg.DestHost, cfg.DestFS, p.Zrep("init %s %s %s", name, cfg.DestHost, cfg.DestFS))
		}
		return &NotMasterError{Host: p.Self, FS: name, Op: op.verb(), SrcHost: cfg.SrcHost, SrcFS: cfg.SrcFS, Fix: fix}
	}
	if op.Role == MasterRole && cfg.Master && cfg.SrcHost == "" {
		return &PartnerNameError{Host: p.Self, FS: name, Prop: p.Tag.SrcHost(), Why: "it is marked master",
			Fix: fmt.Sprintf("if %s is this pair's master, set it again: zfs set %s=%s %s", p.Self, p.Tag.SrcHost(), p.Self, name)}
	}
	if op.Role == MasterRole && !cfg.Master {
		fix := fmt.Sprintf("its master is %s:%s; run %s on %s", cfg.SrcHost, cfg.SrcFS, p.Zrep(op.Cmd, cfg.SrcFS), cfg.SrcHost)
		switch op.Name {
		case "sync":
			fix += ", or " + p.Zrep("refresh %s", name) + " here to pull"
		case "failover":
			fix = fmt.Sprintf("it is already a replica of %s:%s; to make this side master run %s", cfg.SrcHost, cfg.SrcFS, p.Zrep("takeover %s", name))
		}
		return &NotMasterError{Host: p.Self, FS: name, Op: op.verb(), SrcHost: cfg.SrcHost, SrcFS: cfg.SrcFS, Fix: fix}
	}
	if cfg.SrcHost != p.Self {
		fix := fmt.Sprintf("%s says its master host is %q; run %s there, or set ZREP_SRC_HOST if this host was renamed",
			p.Tag.SrcHost(), cfg.SrcHost, p.Zrep(op.Cmd, name))
		if op.Role == SourceRole {
			fix = "to make this side the source, first run here: " + p.Zrep("changeconfig %s DESTHOST DESTFS", name)
		}
		return &ForeignMasterError{Host: p.Self, FS: name, Owner: cfg.SrcHost, Prop: p.Tag.SrcHost(), Verb: op.verb(),
			Master: cfg.Master, Fix: fix}
	}
	return p.partnerNames(op, p.Tag.DestHost(), cfg.DestHost, p.Tag.DestFS(), cfg.DestFS,
		"set the partner with: "+p.Zrep("changeconfig %s DESTHOST DESTFS", name))
}

// halfPaired refuses, on the master's side, a pairing one of whose
// partner properties was removed by hand: zrep snapshots and the other
// names are still there, and init would start the pair over.
func (p *Pair) halfPaired(op PairOp) error {
	fs, cfg := p.Here.FS, p.Cfg
	if op.Role != MasterRole || (cfg.DestFS != "" && cfg.DestHost != "") {
		return nil
	}
	zs := fs.ZrepSnapshots(p.Tag)
	if len(zs) == 0 || (cfg.DestFS == "" && cfg.DestHost == "" && cfg.SrcFS == "") {
		return nil
	}
	missing := p.Tag.DestFS()
	if cfg.DestFS != "" {
		missing = p.Tag.DestHost()
	}
	return &HalfPairError{Host: p.Self, FS: fs.Name, Snap: zs[len(zs)-1].Short(), Prop: missing,
		Fix: fmt.Sprintf("set it again (the replica's zfs get %s,%s shows the values): zfs set %s=VALUE %s",
			p.Tag.DestFS(), p.Tag.DestHost(), missing, fs.Name)}
}

// partnerNames refuses a pairing whose partner host or filesystem is
// unset (CheckConfig refused the ones set to garbage).
func (p *Pair) partnerNames(op PairOp, hostProp, host, fsProp, fs, fix string) error {
	switch {
	case host == "":
		return &PartnerNameError{Host: p.Self, FS: p.Here.FS.Name, Prop: hostProp, Fix: fix}
	case fs == "":
		return &PartnerNameError{Host: p.Self, FS: p.Here.FS.Name, Prop: fsProp, Fix: fix}
	}
	return nil
}

// readPartner reaches and reads the partner, and refuses one that does
// not fit: missing, corrupt, paired elsewhere, busy, or a second master.
func (p *Pair) readPartner(ctx context.Context, op PairOp) error {
	name, cfg := p.Here.FS.Name, p.Cfg
	role, host, fs := "destination", cfg.DestHost, cfg.DestFS
	if !p.master(op) {
		role, host, fs = "source", cfg.SrcHost, cfg.SrcFS
	}
	if op.Reach != "" {
		host = op.Reach
	}
	reading := op.Reading
	if reading == "" {
		reading = "reading %s"
	}
	down := func(err error) error {
		return &PartnerDownError{What: fmt.Sprintf(reading, host+":"+fs), Host: host, Alone: op.Alone, Err: err}
	}
	h, err := p.Hosts(host)
	if err != nil {
		return down(err)
	}
	there, err := zfsprops.ReadOne(ctx, h, p.Tag, fs)
	var ne *zfsprops.NotExistError
	if errors.As(err, &ne) {
		fix := fmt.Sprintf("check %s and %s on %s (zrep changeconfig fixes them), or to start over %s, then zrep init",
			p.Tag.DestHost(), p.Tag.DestFS(), name, p.startOver(name))
		if role == "source" {
			fix = fmt.Sprintf("check %s and %s on %s (zrep changeconfig -d fixes them)", p.Tag.SrcHost(), p.Tag.SrcFS(), name)
		}
		return &PartnerMissingError{Role: role, Host: host, FS: fs, Of: name, Fix: fix}
	}
	var ue *ssh.UnreachableError
	if errors.As(err, &ue) {
		return down(err)
	}
	if err != nil {
		return err
	}
	if err := there.CheckConfig(p.Tag, host); err != nil {
		return err
	}
	p.There = Side{h, host, there}
	if in, ok := p.IntentOf(there); ok && op.Intent == RecoverIntent {
		return p.recoverIntent(ctx, in, false)
	}
	// The epochs fence a returning old master on either side.
	if err := p.fence(p.Here, p.There); err != nil {
		return err
	}
	tcfg := there.Config(p.Tag)
	if p.master(op) {
		if there.IsMaster(p.Tag) {
			return &SplitBrainError{Host: p.Self, FS: name, PeerHost: host, PeerFS: fs,
				Cmd: p.Zrep("failover -L %s", fs) + " on " + host, Master: p.Tag.Master()}
		}
		if tcfg.SrcFS != "" && tcfg.SrcFS != name {
			return &MispairedError{Host: host, FS: fs, Names: tcfg.SrcFS, Want: name}
		}
	} else {
		if !there.IsMaster(p.Tag) {
			return &PartnerNotMasterError{Host: p.Self, FS: name, PeerHost: host, PeerFS: fs, Verb: op.verb(),
				Alone: p.Zrep("takeover -L %s", name)}
		}
		if tcfg.DestFS != name {
			return &MispairedError{Host: host, FS: fs, Names: tcfg.DestFS, Want: name}
		}
	}
	// Not ours to flock: a zrep running there shows in its lock-pid; one
	// left by a killed run is cleared.
	busy, err := p.PartnerLock(ctx, p.There, there.Prop(p.Tag.LockPID()).Local())
	if err != nil {
		return err
	}
	if busy != nil {
		return p.busy(p.Here.FS, &BusyError{BusyError: busy, Remote: host, Prop: p.Tag.LockPID(), Quiet: op.Quietable}, op)
	}
	p.Env = p.ForPair(there)
	return nil
}
