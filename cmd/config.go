package cmd

import (
	"bufio"
	"fmt"
	"io"
	"os"
	"regexp"
	"strings"
)

// defaultsFile is classic zrep's configuration file. ZREP_DEFAULTS_FILE
// points elsewhere (tests, and hosts that keep several configurations).
const defaultsFile = "/etc/default/zrep"

var (
	keyRE = regexp.MustCompile(`^[A-Za-z_][A-Za-z0-9_]*$`)
	// refRE is the only expansion we do: a value that is entirely $VAR,
	// ${VAR}, ${VAR:-default} or ${VAR-default}, default taken literally.
	refRE = regexp.MustCompile("^\\$(?:([A-Za-z_][A-Za-z0-9_]*)|\\{([A-Za-z_][A-Za-z0-9_]*)(?:(:?-)([^$`'\"\\\\}]*))?\\})$")
)

// loadDefaults reads KEY=VALUE lines; it never runs the file as shell.
// Blank lines, comments (a line starting with '#', or ' #...' after
// white space outside quotes) and `export ` prefixes are allowed; one
// level of quotes is removed ('...' is literal). A value that is entirely
// $VAR, ${VAR}, ${VAR:-default} or ${VAR-default} is expanded from lookup
// and the file's earlier lines (an empty variable counts as unset, as
// everywhere in zrep). Any other line — no '=', a bad name, a command
// substitution or other '$' form, unquoted white space or shell syntax —
// is skipped with one warning on warn: classic sourced the file as shell,
// and we would rather say so than guess what it meant.
func loadDefaults(path string, lookup func(string) string, warn io.Writer) map[string]string {
	f, err := os.Open(path)
	if err != nil {
		return map[string]string{}
	}
	defer f.Close()
	return parseDefaults(f, path, lookup, warn)
}

// parseDefaults is loadDefaults for a file already open (or read from a
// partner); name is how warnings call it.
func parseDefaults(r io.Reader, name string, lookup func(string) string, warn io.Writer) map[string]string {
	vals := map[string]string{}
	get := func(k string) string {
		if v := lookup(k); v != "" {
			return v
		}
		return vals[k]
	}
	sc := bufio.NewScanner(r)
	for n := 1; sc.Scan(); n++ {
		line := strings.TrimSpace(sc.Text())
		if line == "" || strings.HasPrefix(line, "#") {
			continue
		}
		k, v, ok := parseAssignment(line, get)
		if !ok {
			fmt.Fprintf(warn, "Warning: %s:%d: cannot read %q, ignored\n", name, n, line)
			continue
		}
		vals[k] = v
	}
	return vals
}

// parseAssignment reads one non-blank, non-comment line.
func parseAssignment(line string, get func(string) string) (key, value string, ok bool) {
	if rest, found := strings.CutPrefix(line, "export"); found && rest != "" && (rest[0] == ' ' || rest[0] == '\t') {
		line = strings.TrimLeft(rest, " \t")
	}
	key, v, found := strings.Cut(line, "=")
	if !found || !keyRE.MatchString(key) {
		return "", "", false
	}
	v, ok = stripComment(v)
	if !ok {
		return "", "", false
	}
	switch {
	case v == "":
		return key, "", true
	case v[0] == '\'':
		inner := v[1:]
		if len(v) < 2 || !strings.HasSuffix(inner, "'") || strings.Contains(inner[:len(inner)-1], "'") {
			return "", "", false
		}
		return key, inner[:len(inner)-1], true
	case v[0] == '"':
		inner := v[1:]
		if len(v) < 2 || !strings.HasSuffix(inner, `"`) {
			return "", "", false
		}
		inner = inner[:len(inner)-1]
		if strings.ContainsAny(inner, "\"\\`") {
			return "", "", false
		}
		value, ok = expandRef(inner, get)
		return key, value, ok
	}
	if strings.Contains(v, "$") {
		value, ok = expandRef(v, get)
		return key, value, ok
	}
	// Unquoted: anything the shell would read as more than one word or as
	// syntax (FOO=a b runs b) is refused.
	if strings.ContainsAny(v, " \t'\"\\`;&|<>()~") {
		return "", "", false
	}
	return key, v, true
}

// stripComment cuts a trailing ` #...` that is outside quotes and
// follows white space, and trailing white space; ok is false when a
// quote is not closed.
func stripComment(v string) (string, bool) {
	var quote byte
	for i := 0; i < len(v); i++ {
		c := v[i]
		switch {
		case quote != 0:
			if c == quote {
				quote = 0
			}
		case c == '\'' || c == '"':
			quote = c
		case c == '#' && i > 0 && (v[i-1] == ' ' || v[i-1] == '\t'):
			return strings.TrimRight(v[:i], " \t"), true
		}
	}
	return strings.TrimRight(v, " \t"), quote == 0
}

// expandRef returns s unchanged when it has no '$', expands it when it is
// one whole-value reference, and fails otherwise.
func expandRef(s string, get func(string) string) (string, bool) {
	if !strings.Contains(s, "$") {
		return s, true
	}
	m := refRE.FindStringSubmatch(s)
	if m == nil {
		return "", false
	}
	name := m[1] + m[2]
	v := get(name)
	if v == "" && m[3] != "" {
		v = m[4] // ":-" and "-" alike: an empty variable is an unset one
	}
	return v, true
}

// layeredEnv looks a knob up in the environment first, then in the
// defaults file: a one-off `ZREPTAG=x zrep …` beats the file. (Classic
// sourced the file, so an unconditional assignment there beat the
// environment; the README says so.)
func layeredEnv(getenv func(string) string, warn io.Writer) func(string) string {
	path := getenv("ZREP_DEFAULTS_FILE")
	if path == "" {
		path = defaultsFile
	}
	file := loadDefaults(path, getenv, warn)
	return func(k string) string {
		if v := getenv(k); v != "" {
			return v
		}
		return file[k]
	}
}

// unsupportedKnobs are classic knobs we do not implement yet, in the
// order their warnings print; initOnly ones matter only to init.
var unsupportedKnobs = []struct {
	name     string
	initOnly bool
}{
	{"BBCP", false},
}

// warnUnsupported prints one warning per unsupported knob that is set
// (environment or defaults file) and matters to the command, once per run.
func (f *Factory) warnUnsupported(command string) {
	forInit := command == "init"
	f.mu.Lock()
	defer f.mu.Unlock()
	if f.warned == nil {
		f.warned = map[string]bool{}
	}
	for _, k := range unsupportedKnobs {
		if (k.initOnly && !forInit) || f.warned[k.name] || f.Getenv(k.name) == "" {
			continue
		}
		f.warned[k.name] = true
		fmt.Fprintf(f.IO.ErrOut, "Warning: %s is set but not supported yet; ignored\n", k.name)
	}
}
