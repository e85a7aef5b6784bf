package server

// capped is a table of per-key state in this instance's memory that
// holds at most size keys and starts afresh when full, so that its memory
// is bounded whatever the number of keys. Its owner holds the lock and
// gives the size at each write.
type capped[V any] struct {
	m map[string]*V
}

// room makes way for one more key: a new, empty table when there is none
// yet or it holds size keys already.
func (c *capped[V]) room(size int) {
	if c.m == nil || len(c.m) >= size {
		c.m = make(map[string]*V)
	}
}

// get is key's state, nil when it has none.
func (c *capped[V]) get(key string) *V { return c.m[key] }

// put sets key's state to v.
func (c *capped[V]) put(key string, v *V, size int) {
	c.room(size)
	c.m[key] = v
}

// entry is key's state, fresh() when it has none.
func (c *capped[V]) entry(key string, size int, fresh func() *V) *V {
	c.room(size)
	v := c.m[key]
	if v == nil {
		v = fresh()
		c.m[key] = v
	}
	return v
}

// drop forgets key.
func (c *capped[V]) drop(key string) { delete(c.m, key) }
