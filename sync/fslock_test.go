package sync

import (
	"os/exec"
	"testing"
	"time"
)

// A lock-pid left behind by a killed run must not block the pair once
// that PID belongs to something else.
func TestZrepRunning(t *testing.T) {
	if zrepRunning(1) {
		t.Error("pid 1 is not zrep")
	}
	c := exec.Command("bash", "-c", "exec -a zrep sleep 30")
	if err := c.Start(); err != nil {
		t.Skip(err)
	}
	defer c.Process.Kill()
	// Until it execs, the child's command line is still ours.
	deadline := time.Now().Add(5 * time.Second)
	for !zrepRunning(c.Process.Pid) {
		if time.Now().After(deadline) {
			t.Fatal("a process named zrep must count as running")
		}
		time.Sleep(10 * time.Millisecond)
	}
	c.Process.Kill()
	c.Wait()
	if zrepRunning(c.Process.Pid) {
		t.Error("a dead process must not count")
	}
}
