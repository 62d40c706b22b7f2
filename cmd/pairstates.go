package cmd

import (
	"github.com/spf13/cobra"
	zsync "github.com/zrep-go/zrep/sync"
)

// monitorEnv is the part of the replication environment that reading
// state needs: no lock directory, no knobs, nothing that could refuse a
// read-only view.
func (f *Factory) monitorEnv() (*zsync.Env, error) {
	tag, self, local, err := f.Where()
	if err != nil {
		return nil, err
	}
	return &zsync.Env{Tag: tag, Self: self, Local: local, Hosts: f.Host, Now: f.now,
		Out: f.IO.Out, Err: f.IO.ErrOut}, nil
}

// readStates selects filesystems as status and list do and reads their
// pair state; partners are asked only when told to.
func readStates(c *cobra.Command, f *Factory, all, mastersOnly bool, names []string, partners bool) (*zsync.Env, []zsync.PairState, error) {
	env, err := f.monitorEnv()
	if err != nil {
		return nil, nil, err
	}
	sel, err := selectFilesystems(c, f, all, mastersOnly, names)
	if err != nil {
		return env, nil, err
	}
	states, err := env.PairStates(c.Context(), sel.fs, partners)
	return env, states, err
}
