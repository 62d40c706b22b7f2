package cmd

import (
	"bufio"
	"os"
	"strings"
)

// defaultsFile is classic zrep's configuration file. ZREP_DEFAULTS_FILE
// points elsewhere (tests, and hosts that keep several configurations).
const defaultsFile = "/etc/default/zrep"

// loadDefaults reads KEY=VALUE lines; it never runs the file as shell.
// Comments, blank lines and `export ` prefixes are allowed, and one level
// of matching quotes is removed.
func loadDefaults(path string) map[string]string {
	vals := map[string]string{}
	f, err := os.Open(path)
	if err != nil {
		return vals
	}
	defer f.Close()
	sc := bufio.NewScanner(f)
	for sc.Scan() {
		line := strings.TrimSpace(sc.Text())
		line = strings.TrimPrefix(line, "export ")
		if line == "" || strings.HasPrefix(line, "#") {
			continue
		}
		k, v, ok := strings.Cut(line, "=")
		if !ok || strings.ContainsAny(k, " \t") {
			continue
		}
		if len(v) >= 2 && (v[0] == '"' || v[0] == '\'') && v[len(v)-1] == v[0] {
			v = v[1 : len(v)-1]
		}
		vals[k] = v
	}
	return vals
}

// layeredEnv looks a knob up in the environment first, then in the
// defaults file: a one-off `ZREPTAG=x zrep …` beats the file.
func layeredEnv(getenv func(string) string) func(string) string {
	path := getenv("ZREP_DEFAULTS_FILE")
	if path == "" {
		path = defaultsFile
	}
	file := loadDefaults(path)
	return func(k string) string {
		if v := getenv(k); v != "" {
			return v
		}
		return file[k]
	}
}
