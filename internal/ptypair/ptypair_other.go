//go:build !linux

package ptypair

// Open is not available on this platform.
func Open() (*Pair, error) { return nil, ErrUnsupported }
