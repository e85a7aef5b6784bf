package speaker

import (
	"fmt"
	"io"
	"sync"
	"time"

	"github.com/ebitengine/oto/v3"
)

// deviceBuffer is how much sound the device output holds ahead of the
// speaker: what a newer prompt or mute may still let through, and the
// margin against gaps when the machine is busy.
const deviceBuffer = 100 * time.Millisecond

// Device opens the machine's sound device through Oto (ALSA's default
// device on Linux, WASAPI or WinMM on Windows) for mono 16-bit sound at
// rate samples a second. Oto allows one device per process: a second
// Device fails. It returns an error when there is no device to play on.
func Device(rate int) (Output, error) {
	quietALSA()
	ctx, ready, err := oto.NewContext(&oto.NewContextOptions{
		SampleRate: rate, ChannelCount: 1, Format: oto.FormatSignedInt16LE, BufferSize: deviceBuffer,
	})
	if err != nil {
		return nil, fmt.Errorf("speaker: sound device: %w", err)
	}
	<-ready
	if err := ctx.Err(); err != nil {
		return nil, fmt.Errorf("speaker: sound device: %w", err)
	}
	d := &device{ctx: ctx, high: 2 * int(int64(rate)*int64(deviceBuffer)/int64(time.Second)),
		drained: make(chan struct{}, 1), closed: make(chan struct{})}
	d.player = ctx.NewPlayer(d)
	d.player.SetBufferSize(d.high)
	d.player.Play()
	return d, nil
}

// device feeds Oto's player, which reads from it on Oto's goroutine: the
// samples written, then silence, so that the device is never starved and
// Oto never sees the end of the stream.
type device struct {
	ctx    *oto.Context
	player *oto.Player
	high   int // bytes queued before Write waits

	mu      sync.Mutex
	queue   []byte
	drained chan struct{} // a Read took bytes from the queue
	closed  chan struct{}
	once    sync.Once
}

// Read gives Oto the queued samples and silence after them.
func (d *device) Read(b []byte) (int, error) {
	select {
	case <-d.closed:
		return 0, io.EOF
	default:
	}
	d.mu.Lock()
	n := copy(b, d.queue)
	d.queue = d.queue[:copy(d.queue, d.queue[n:])]
	d.mu.Unlock()
	clear(b[n:])
	select {
	case d.drained <- struct{}{}:
	default:
	}
	return len(b) &^ 1, nil
}

// Seek lets the player drop its buffer (Drop); the stream has no
// position.
func (d *device) Seek(int64, int) (int64, error) { return 0, nil }

// Write queues the samples and waits while more than the device buffer is
// queued. A device that stopped with an error returns it.
func (d *device) Write(s []int16) error {
	for {
		select {
		case <-d.closed:
			return ErrClosed
		default:
		}
		d.mu.Lock()
		if len(d.queue) < d.high {
			for _, v := range s {
				d.queue = append(d.queue, byte(v), byte(uint16(v)>>8))
			}
			d.mu.Unlock()
			return nil
		}
		d.mu.Unlock()
		select {
		case <-d.drained:
		case <-d.closed:
			return ErrClosed
		case <-time.After(time.Second):
			// Oto stops reading when the device fails (a USB speaker
			// pulled out); say so rather than wait for ever.
			if err := d.ctx.Err(); err != nil {
				return fmt.Errorf("speaker: sound device: %w", err)
			}
		}
	}
}

// Drop empties the queue and the player's buffer.
func (d *device) Drop() {
	d.mu.Lock()
	d.queue = d.queue[:0]
	d.mu.Unlock()
	_, _ = d.player.Seek(0, io.SeekCurrent)
}

// Close stops the sound. Oto has no way to release its device, so it is
// suspended and stays the process's until it exits.
func (d *device) Close() error {
	var err error
	d.once.Do(func() {
		close(d.closed)
		d.player.Pause()
		err = d.ctx.Suspend()
	})
	if err != nil {
		return fmt.Errorf("speaker: sound device: %w", err)
	}
	return nil
}
