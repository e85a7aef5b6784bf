package flow

import "sync"

// viewBox holds the latest view of a flow: View reads it from any
// goroutine while the flow's loop replaces it.
type viewBox[V any] struct {
	mu   sync.Mutex
	last V
}

func (b *viewBox[V]) get() V {
	b.mu.Lock()
	defer b.mu.Unlock()
	return b.last
}

// publish stores v and hands it to on, when set.
func (b *viewBox[V]) publish(v V, on func(V)) {
	b.mu.Lock()
	b.last = v
	b.mu.Unlock()
	if on != nil {
		on(v)
	}
}
