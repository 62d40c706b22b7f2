package ssh

import "time"

// SetHandshakeTimeout shortens the handshake deadline for a test.
func SetHandshakeTimeout(d time.Duration) (restore func()) {
	old := handshakeTimeout
	handshakeTimeout = d
	return func() { handshakeTimeout = old }
}
