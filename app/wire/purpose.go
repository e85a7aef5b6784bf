package wire

import (
	"github.com/shcommunity/kiosk/app/flow"
	"github.com/shcommunity/kiosk/codesvc/api"
)

// ModePurpose is the purpose a kiosk in mode m declares when nothing more
// particular is known (the sync engine's feed, its status look-ups): each
// screen's own calls declare their own (docs/api.md, "Purposes and
// access records").
func ModePurpose(m flow.Mode) api.Purpose {
	switch m {
	case flow.ModeCounter:
		return api.PurposeCounter
	case flow.ModeVenue:
		return api.PurposeVenueEntry
	}
	return api.PurposeSelfService
}
