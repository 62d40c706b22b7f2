package cmd

import (
	"os"
	"path/filepath"
	"testing"
)

// /etc/default/zrep is read as KEY=VALUE lines, never run; the environment
// wins over it.
func TestDefaultsFile(t *testing.T) {
	path := filepath.Join(t.TempDir(), "zrep")
	os.WriteFile(path, []byte("# comment\nZREP_SAVE_COUNT=10\nexport ZREPTAG=\"zrep-b\"\nZREP_SEND_FLAGS='-c -e'\nSSH=$(touch /tmp/pwned)\nnot a line\n"), 0o644)
	env := map[string]string{"ZREP_DEFAULTS_FILE": path, "ZREPTAG": "fromenv"}
	get := layeredEnv(func(k string) string { return env[k] })
	for k, want := range map[string]string{
		"ZREP_SAVE_COUNT": "10", "ZREPTAG": "fromenv", "ZREP_SEND_FLAGS": "-c -e", "SSH": "$(touch /tmp/pwned)", "ZREP_R": "",
	} {
		if got := get(k); got != want {
			t.Errorf("%s = %q, want %q", k, got, want)
		}
	}
}
