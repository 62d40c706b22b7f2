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
	// exportRE is `export NAME…` with no assignment: in a sourced file it
	// only exported what was set already, which a knob needs not.
	exportRE = regexp.MustCompile(`^export(?:[ \t]+[A-Za-z_][A-Za-z0-9_]*)+$`)
	// refRE is the only expansion we do: $VAR, ${VAR}, ${VAR:-default} or
	// ${VAR-default}, the default taken literally, anywhere in a value
	// (PATH=$PATH:/usr/sbin).
	refRE = regexp.MustCompile("^\\$(?:([A-Za-z_][A-Za-z0-9_]*)|\\{([A-Za-z_][A-Za-z0-9_]*)(?:(:?-)([^$`'\"\\\\}]*))?\\})")
)

// loadDefaults reads KEY=VALUE lines; it never runs the file as shell.
// Blank lines, comments (a line starting with '#', or ' #...' after
// white space outside quotes) and `export ` prefixes are allowed; one
// level of quotes is removed ('...' is literal); `export NAME` alone is
// accepted and does nothing. $VAR, ${VAR}, ${VAR:-default} and
// ${VAR-default} are expanded from lookup and the file's earlier lines (an
// empty variable counts as unset, as everywhere in zrep). Any other line — no '=', a bad name, a command
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
		if line == "" || strings.HasPrefix(line, "#") || exportRE.MatchString(line) {
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
		value, ok = expandRefs(inner, get, func(string) bool { return true })
		return key, value, ok
	}
	// Unquoted: anything the shell would read as more than one word or as
	// syntax (FOO=a b runs b) is refused.
	value, ok = expandRefs(v, get, func(lit string) bool { return !strings.ContainsAny(lit, " \t'\"\\`;&|<>()~") })
	return key, value, ok
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

// expandRefs expands the references in s; the text around them must pass
// literalOK, and a '$' that starts no reference ($(…), $1, ${#V}) fails.
func expandRefs(s string, get func(string) string, literalOK func(string) bool) (string, bool) {
	var b strings.Builder
	for {
		i := strings.IndexByte(s, '$')
		lit := s
		if i >= 0 {
			lit = s[:i]
		}
		if !literalOK(lit) {
			return "", false
		}
		b.WriteString(lit)
		if i < 0 {
			return b.String(), true
		}
		m := refRE.FindStringSubmatch(s[i:])
		if m == nil {
			return "", false
		}
		v := get(m[1] + m[2])
		if v == "" && m[3] != "" {
			v = m[4] // ":-" and "-" alike: an empty variable is an unset one
		}
		b.WriteString(v)
		s = s[i+len(m[0]):]
	}
}

// layeredEnv looks a knob up in the environment first, then in the
// defaults file: a one-off `ZREPTAG=x zrep …` beats the file. (Classic
// sourced the file, so an unconditional assignment there beat the
// environment; the README says so.) file is what the file set.
func layeredEnv(getenv func(string) string, warn io.Writer) (get func(string) string, file map[string]string) {
	path := getenv("ZREP_DEFAULTS_FILE")
	if path == "" {
		path = defaultsFile
	}
	file = loadDefaults(path, getenv, warn)
	return func(k string) string {
		if v := getenv(k); v != "" {
			return v
		}
		return file[k]
	}, file
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
	for _, k := range unsupportedKnobs {
		if (k.initOnly && !forInit) || f.Getenv(k.name) == "" {
			continue
		}
		f.warnOnce(k.name, "Warning: %s is set but not supported yet; ignored", k.name)
	}
}

// warnOnce prints a warning about a knob the first time this run asks:
// a run that builds its environment twice (failover) or a command that
// looks again must not repeat it, and cron mails every line.
func (f *Factory) warnOnce(knob, format string, args ...any) {
	f.mu.Lock()
	defer f.mu.Unlock()
	if f.warned == nil {
		f.warned = map[string]bool{}
	}
	if f.warned[knob] {
		return
	}
	f.warned[knob] = true
	fmt.Fprintf(f.IO.ErrOut, format+"\n", args...)
}
