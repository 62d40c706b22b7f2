package cmd

import "testing"

func TestSearchPath(t *testing.T) {
	for _, c := range []struct{ env, file, want string }{
		{"/usr/bin:/bin", "", "/usr/bin:/bin:/sbin:/usr/sbin:/usr/local/sbin"},
		{"/usr/local/sbin:/usr/local/bin:/usr/sbin:/usr/bin:/sbin:/bin", "", "/usr/local/sbin:/usr/local/bin:/usr/sbin:/usr/bin:/sbin:/bin"},
		{"/usr/bin:/bin", "/opt/zfs/bin:/usr/bin:/bin", "/opt/zfs/bin:/usr/bin:/bin:/sbin:/usr/sbin:/usr/local/sbin"},
		{"", "", "/usr/local/bin:/usr/bin:/bin:/sbin:/usr/sbin:/usr/local/sbin"},
		{"/usr/bin:/sbin/", "", "/usr/bin:/sbin/:/usr/sbin:/usr/local/sbin"},
	} {
		if got := searchPath(c.env, c.file); got != c.want {
			t.Errorf("searchPath(%q, %q) = %q, want %q", c.env, c.file, got, c.want)
		}
	}
}
