package sscsim

import (
	"net"
	"syscall"
)

// quickAck asks Linux to acknowledge what arrives on conn at once rather
// than after the delayed-ACK timer. vpcd writes the length of a message
// and its bytes in two sends, and without TCP_NODELAY its second send
// waits for the first one's ACK: without this, every command would wait
// out the delayed-ACK timer (about 40 ms). TCP_QUICKACK does not stick,
// so it is set again before every read.
func quickAck(conn net.Conn) {
	tc, ok := conn.(*net.TCPConn)
	if !ok {
		return
	}
	raw, err := tc.SyscallConn()
	if err != nil {
		return
	}
	raw.Control(func(fd uintptr) {
		syscall.SetsockoptInt(int(fd), syscall.IPPROTO_TCP, syscall.TCP_QUICKACK, 1)
	})
}
