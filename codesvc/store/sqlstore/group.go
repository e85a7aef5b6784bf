package sqlstore

import (
	"context"
	"database/sql"
	"sync"
	"time"
)

// The hot paths' statements are run for concurrent callers together: the
// first caller runs its own call and every call that queued meanwhile as
// one batch (one statement or one transaction: one round trip, one
// commit), and the callers that joined it wait for their answer. Nothing
// waits for a timer: a batch is whatever queued while the previous one
// ran, so a lone call is a batch of one. It pays the queue's
// bookkeeping: on SQLite a lone resident read took about 1 µs more than
// it did on its own statement (BenchmarkReadPath, resident; docs/deploy.md
// has the figures), of a status lookup's 160 µs of CPU.
const (
	// leaderBatches bounds the batches one caller runs for others before
	// it hands the work on to a goroutine of its own and returns.
	leaderBatches = 3
	// batchTimeout bounds one batch of a group whose timeout it is: its
	// callers may have no deadline, and a database that stops answering
	// must not hold them for ever.
	batchTimeout = 10 * time.Second
)

// group queues the calls of one kind (R is a pointer to one call).
type group[R any] struct {
	// take is how many of the queued calls, at least one, the next batch
	// holds.
	take func(queued []R) int
	// run runs one batch and answers each of its calls: it sets their
	// results and closes their done channels.
	run func(ctx context.Context, batch []R)
	// done is the channel run closes once r is answered.
	done func(r R) chan struct{}
	// timeout bounds one batch (batchTimeout); zero for a batch that
	// ignores its context's end anyway (Store.pointCtx), which a timer
	// would only cost.
	timeout time.Duration

	mu      sync.Mutex
	pending []R
	running bool // a caller or goroutine is running batches
}

// do queues r and returns once it is answered, or with ctx's error when
// ctx ends first (r is then still answered, for nobody).
func (g *group[R]) do(ctx context.Context, r R) error {
	if err := ctx.Err(); err != nil {
		return err
	}
	g.mu.Lock()
	g.pending = append(g.pending, r)
	lead := !g.running
	g.running = true
	g.mu.Unlock()
	if lead {
		// The batches serve other callers too: the caller's cancellation
		// must not fail theirs.
		g.drain(context.WithoutCancel(ctx), g.done(r))
	}
	select {
	case <-g.done(r):
		return nil
	case <-ctx.Done():
		return ctx.Err()
	}
}

// drain runs batches while calls queue. A caller (own, its call's done
// channel) runs them until its own call is answered and leaderBatches at
// most, then hands the rest to a goroutine (own nil), which runs them
// until the queue is empty.
func (g *group[R]) drain(ctx context.Context, own chan struct{}) {
	for n := 0; ; n++ {
		g.mu.Lock()
		if len(g.pending) == 0 {
			g.running = false
			g.mu.Unlock()
			return
		}
		if own != nil && n >= leaderBatches && isClosed(own) {
			g.mu.Unlock()
			go g.drain(ctx, nil)
			return
		}
		k := max(1, min(len(g.pending), g.take(g.pending)))
		batch := g.pending[:k:k]
		g.pending = g.pending[k:]
		g.mu.Unlock()
		if g.timeout == 0 {
			g.run(ctx, batch)
			continue
		}
		bctx, cancel := context.WithTimeout(ctx, g.timeout)
		g.run(bctx, batch)
		cancel()
	}
}

func isClosed(c chan struct{}) bool {
	select {
	case <-c:
		return true
	default:
		return false
	}
}

// stmtCache holds a grouped statement prepared once for each batch size
// met: the statement of n rows or keys.
type stmtCache struct {
	mu    sync.Mutex
	stmts map[int]*sql.Stmt
}

// get returns the statement of n, preparing query(n) on p the first time.
func (c *stmtCache) get(ctx context.Context, p pool, n int, query func(n int) string) (*sql.Stmt, error) {
	c.mu.Lock()
	defer c.mu.Unlock()
	if st := c.stmts[n]; st != nil {
		return st, nil
	}
	st, err := p.db.PrepareContext(ctx, p.d.rebind(query(n)))
	if err != nil {
		return nil, err
	}
	if c.stmts == nil {
		c.stmts = make(map[int]*sql.Stmt)
	}
	c.stmts[n] = st
	return st, nil
}

// close closes the prepared statements.
func (c *stmtCache) close() {
	c.mu.Lock()
	defer c.mu.Unlock()
	for _, st := range c.stmts {
		st.Close()
	}
	c.stmts = nil
}
