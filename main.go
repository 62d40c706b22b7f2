// Command zrep keeps pairs of ZFS filesystems replicated over SSH.
package main

import (
	"os"

	"github.com/zrep-go/zrep/cmd"
)

func main() { os.Exit(cmd.Main(os.Args[1:])) }
