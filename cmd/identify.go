package cmd

import (
	"bytes"
	"context"
	"fmt"
	"io"
	"strings"

	"github.com/zrep-go/zrep/ssh"
)

// identifyScript prints the partner's host name, then its zrep defaults
// file: read as text here, never run there.
const identifyScript = "uname -n; echo; cat " + defaultsFile + " 2>/dev/null; true"

// identify is the name a partner's own zrep would write in TAG:src-host:
// ZREP_SRC_HOST from its /etc/default/zrep, else uname -n up to the first
// dot. Failover needs it to make the partner master under its own name.
func identify(ctx context.Context, h ssh.Host) (string, error) {
	out, err := h.Run(ctx, []string{"sh", "-c", identifyScript}, nil)
	if err != nil {
		return "", fmt.Errorf("asking %s for its host name: %w", h.Name(), err)
	}
	uname, file, _ := bytes.Cut(out, []byte("\n"))
	name, _, _ := strings.Cut(strings.TrimSpace(string(uname)), ".")
	vals := parseDefaults(bytes.NewReader(file), h.Name()+":"+defaultsFile, func(string) string { return "" }, io.Discard)
	if v := vals["ZREP_SRC_HOST"]; v != "" {
		name = v
	}
	if err := ssh.ValidateHostName(name); err != nil {
		return "", fmt.Errorf("%s says its host name is %q: %w", h.Name(), name, err)
	}
	return name, nil
}
