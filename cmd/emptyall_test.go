package cmd

import (
	"testing"

	"github.com/zrep-go/zrep/ssh/sshtest"
)

// A sync all or refresh all that selects nothing while this host has
// pairs of the tag that another host name or role would select warns
// once; a plain replica host (sync all on hostb) and a host with no pairs
// stay silent.
func TestEmptyAllWarns(t *testing.T) {
	master := func(host string) string {
		return "pa/prod\tzrep:master\tyes\tlocal\npa/prod\tzrep:src-fs\tpa/prod\tlocal\npa/prod\tzrep:src-host\t" + host +
			"\tlocal\npa/prod\tzrep:dest-fs\tpb/prod\tlocal\npa/prod\tzrep:dest-host\thostb\tlocal\n"
	}
	replica := "pb/prod\tzrep:src-fs\tpa/prod\treceived\npb/prod\tzrep:src-host\thosta\treceived\npb/prod\tzrep:dest-fs\tpb/prod\treceived\npb/prod\tzrep:dest-host\thostb\treceived\n"
	for _, c := range []struct {
		args      []string
		inventory string
		want      string
	}{
		{[]string{"sync", "all"}, master("oldname"), `Warning: sync all: nothing here is master under this host's name "hosta", but pa/prod (master host "oldname") is master under another name; if this host was renamed, set ZREP_SRC_HOST in /etc/default/zrep` + "\n"},
		{[]string{"refresh", "all"}, master("hosta"), "Warning: refresh all: nothing to pull with tag zrep: pa/prod is master here (zrep sync all sends from a master; refresh pulls into a replica)\n"},
		{[]string{"sync", "all"}, replica, ""},
		{[]string{"sync", "all"}, "", ""},
		{[]string{"refresh", "all"}, "", ""},
	} {
		local := sshtest.New(t, "localhost")
		local.Expect(readAllArgv("zrep")).Returns(c.inventory).Times(2)
		out, errOut, code := runWith(t, local, map[string]string{"ZREP_RUNDIR": t.TempDir()}, c.args...)
		if code != 0 || out != "" || errOut != c.want {
			t.Errorf("%v on %q: exit %d, stdout %q, stderr\n%s\nwant\n%s", c.args, c.inventory, code, out, errOut, c.want)
		}
	}
}
