package cmd

import (
	"strings"

	"github.com/zrep-go/zrep/ssh"
	"github.com/zrep-go/zrep/zfsprops"
)

// checkFS validates filesystem arguments before anything runs.
func checkFS(names ...string) error {
	for _, n := range names {
		if strings.Contains(n, "@") {
			return usagef("%q is a snapshot; this command takes a filesystem (POOL/NAME)", n)
		}
		if err := zfsprops.ValidateFilesystem(n); err != nil {
			return usagef("%v", err)
		}
	}
	return nil
}

func checkHost(name string) error {
	if err := ssh.ValidateHostName(name); err != nil {
		return usagef("%v", err)
	}
	return nil
}
