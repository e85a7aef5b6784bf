package wire

import (
	"context"

	"github.com/shcommunity/kiosk/app/flow"
	"github.com/shcommunity/kiosk/devices/idcard"
	"github.com/shcommunity/kiosk/devices/ssc"
)

// Cards merges the two readers' events into the one stream the flows
// take: the ID card reader's (idcard.Watcher) and the contact reader's
// (ssc.Watcher), each in its own order. Either channel may be nil, for a
// kiosk without that reader. The stream closes when both inputs have
// closed, or when ctx ends.
func Cards(ctx context.Context, ids <-chan idcard.Event, sscs <-chan ssc.Event) <-chan flow.CardEvent {
	out := make(chan flow.CardEvent)
	go func() {
		defer close(out)
		for ids != nil || sscs != nil {
			var e flow.CardEvent
			select {
			case <-ctx.Done():
				return
			case ie, ok := <-ids:
				if !ok {
					ids = nil
					continue
				}
				e = flow.IDCardEvent(ie)
			case se, ok := <-sscs:
				if !ok {
					sscs = nil
					continue
				}
				e = flow.SSCEvent(se)
			}
			select {
			case out <- e:
			case <-ctx.Done():
				e.Wipe()
				return
			}
		}
	}()
	return out
}
