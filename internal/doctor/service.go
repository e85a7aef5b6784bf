package doctor

import (
	"context"
	"encoding/json"
	"errors"
	"fmt"
	"io"
	"net/http"
	"strconv"
	"strings"
	"time"

	"github.com/shcommunity/kiosk/codesvc/api"
	"github.com/shcommunity/kiosk/codesvc/client"
	"github.com/shcommunity/kiosk/sync/syncer"
)

// checkService checks that the service answers, that it accepts this
// device's signed requests, and the clock difference.
func checkService(ctx context.Context, cfg Config, id *syncer.Identity) []Result {
	svc := Result{Check: CheckService}
	base := strings.TrimRight(cfg.ServiceURL, "/")
	if base == "" {
		svc.Level, svc.Detail, svc.Fix = Fail, "no service address in the settings.", "set the code service's address (https://host:port)."
		return []Result{svc}
	}
	if err := client.CheckURL(base); err != nil {
		svc.Level, svc.Detail = Fail, fmt.Sprintf("%s: %v.", base, err)
		svc.Fix = "set the service address to its https:// form and provision the kiosk again with the service fingerprint (docs/security.md)."
		return []Result{svc}
	}
	if cfg.HTTP == nil {
		var pin []byte
		if id != nil {
			pin = id.TLSPin
		}
		cfg.HTTP = client.HTTPClient(pin, nil, cfg.Timeout)
	}
	ctx, cancel := context.WithTimeout(ctx, cfg.Timeout)
	defer cancel()

	serverTime, elapsed, err := health(ctx, cfg, base)
	if err != nil {
		svc.Level, svc.Detail = Fail, fmt.Sprintf("%s: cannot reach it (%v).", base, err)
		svc.Fix = "check the network cable or Wi-Fi and the address in the settings; ask whether the service is down."
		return []Result{svc}
	}
	svc.Detail = fmt.Sprintf("%s: answers (%d ms).", base, elapsed.Milliseconds())
	out := []Result{svc}

	skew := serverTime.Sub(cfg.Now())
	if id != nil {
		dev := Result{Check: CheckDevice}
		c := &client.Client{BaseURL: base, HTTP: cfg.HTTP, DeviceID: id.DeviceID, Key: id.PrivateKey, Now: cfg.Now, Purpose: cfg.purpose()}
		_, err := c.Feed(ctx, "", 1) // every kiosk's role may read its feed, under its mode's purpose
		var ae *api.Error
		switch {
		case err == nil:
			dev.Detail = "the service accepts this kiosk's signed requests."
			skew = c.Skew()
		case errors.As(err, &ae) && ae.Code == api.CodeUnknownDevice:
			dev.Level, dev.Detail = Fail, "the service does not know device "+id.DeviceID+"."
			dev.Fix = "check the service address (test or live service?); otherwise register the kiosk again."
		case errors.As(err, &ae) && ae.Code == api.CodeDeviceRevoked:
			dev.Level, dev.Detail = Fail, "the service has revoked device "+id.DeviceID+"."
			dev.Fix = "ask the service administrator why; register again with a new provisioning code only if told to."
		case errors.As(err, &ae) && ae.Code == api.CodeRoleForbidden:
			dev.Level, dev.Detail = Fail, "device "+id.DeviceID+" has no role at the service (registered before roles)."
			dev.Fix = "ask the service administrator for a new provisioning code with --role and register the kiosk again."
		case errors.As(err, &ae) && ae.Code == api.CodeClockSkew:
			dev.Level, dev.Detail = Fail, "the service refuses this kiosk's clock."
			dev.Fix = "set the date, time and time zone right (see the clock line)."
		default:
			dev.Level, dev.Detail = Fail, fmt.Sprintf("a signed request failed (%v).", err)
			dev.Fix = "run the doctor again; if it stays, call the service administrator with this line."
		}
		out = append(out, dev)
	}

	clock := Result{Check: CheckClock}
	ahead := "behind"
	if skew < 0 {
		ahead = "ahead of"
	}
	switch a := max(skew, -skew); {
	case a > cfg.SkewFail:
		clock.Level = Fail
		clock.Detail = fmt.Sprintf("this computer's clock is %s %s the service's.", span(skew), ahead)
		clock.Fix = "set the date, time and time zone (Asia/Shanghai), and turn on automatic time (NTP)."
	case a > cfg.SkewWarn:
		clock.Level = Warn
		clock.Detail = fmt.Sprintf("this computer's clock is %s %s the service's.", span(skew), ahead)
		clock.Fix = "turn on automatic time (NTP); the kiosk corrects for it meanwhile."
	default:
		clock.Detail = fmt.Sprintf("within %s of the service's.", span(cfg.SkewWarn))
	}
	return append(out, clock)
}

// purpose is what the doctor's signed request declares: the kiosk's.
func (cfg Config) purpose() api.Purpose {
	if cfg.Purpose == "" {
		return api.PurposeSelfService
	}
	return cfg.Purpose
}

// health calls GET /v1/health and returns the service's clock, from the
// X-Server-Time header or the body.
func health(ctx context.Context, cfg Config, base string) (time.Time, time.Duration, error) {
	req, err := http.NewRequestWithContext(ctx, http.MethodGet, base+"/v1/health", nil)
	if err != nil {
		return time.Time{}, 0, err
	}
	start := time.Now()
	resp, err := cfg.HTTP.Do(req)
	if err != nil {
		return time.Time{}, 0, err
	}
	defer resp.Body.Close()
	elapsed := time.Since(start)
	body, err := io.ReadAll(io.LimitReader(resp.Body, 64<<10))
	if err != nil {
		return time.Time{}, elapsed, err
	}
	if resp.StatusCode != http.StatusOK {
		return time.Time{}, elapsed, fmt.Errorf("HTTP %d", resp.StatusCode)
	}
	if s, err := strconv.ParseInt(resp.Header.Get(api.HeaderServerTime), 10, 64); err == nil {
		return time.Unix(s, 0), elapsed, nil
	}
	var h struct {
		Status     string    `json:"status"`
		ServerTime time.Time `json:"server_time"`
	}
	if err := json.Unmarshal(body, &h); err != nil || h.Status != "ok" {
		return time.Time{}, elapsed, errors.New("the answer is not the code service's health report")
	}
	return h.ServerTime, elapsed, nil
}
