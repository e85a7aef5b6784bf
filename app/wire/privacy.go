package wire

import (
	"context"
	"errors"
	"fmt"
	"time"

	"github.com/shcommunity/kiosk/app/flow"
	"github.com/shcommunity/kiosk/app/i18n"
	"github.com/shcommunity/kiosk/codesvc/api"
	"github.com/shcommunity/kiosk/codesvc/client"
	"github.com/shcommunity/kiosk/devices/slip"
	"github.com/shcommunity/kiosk/pii"
)

var (
	_ flow.PrivacyBackend = (*Backend)(nil)
	_ flow.SheetPrinter   = (*Printer)(nil)
)

// askPrivately puts one of her own questions to the service, declared
// as self-service: she asks on her own card. Nothing of the answer is
// written to the kiosk's store. what names the question in an error;
// on an error the answer is the zero value, whatever ask returned.
func askPrivately[T any](ctx context.Context, b *Backend, what string, ask func(context.Context) (T, error)) (T, error) {
	var zero T
	if b.Client == nil {
		return zero, flow.ErrServiceUnavailable
	}
	ctx, cancel := context.WithTimeout(client.WithPurpose(ctx, api.PurposeSelfService), b.timeout())
	defer cancel()
	v, err := ask(ctx)
	if err != nil {
		return zero, fmt.Errorf("%s: %w", what, classifyPrivacy(err))
	}
	return v, nil
}

// AccessRecords implements flow.PrivacyBackend.
func (b *Backend) AccessRecords(ctx context.Context, r flow.Resident) (flow.AccessList, error) {
	return askPrivately(ctx, b, "access records", func(ctx context.Context) (flow.AccessList, error) {
		resp, err := b.Client.AccessRecords(ctx, r.Number, "")
		return accessList(resp), err
	})
}

// HealthServices implements flow.PrivacyBackend.
func (b *Backend) HealthServices(ctx context.Context, r flow.Resident) (flow.HealthServices, error) {
	return askPrivately(ctx, b, "health services", func(ctx context.Context) (flow.HealthServices, error) {
		h, err := b.Client.HealthServices(ctx, r.Number, "")
		return healthServices(h), err
	})
}

// accessList is the service's answer to 谁查询过我 in the flow's terms.
func accessList(resp api.AccessResponse) flow.AccessList {
	a := flow.AccessList{Since: resp.Since, More: resp.More, Groups: make([]flow.AccessGroup, 0, len(resp.Groups))}
	for _, g := range resp.Groups {
		a.Groups = append(a.Groups, flow.AccessGroup{Place: g.Place, Purpose: string(g.Purpose), Count: g.Count, First: g.First, Last: g.Last})
	}
	return a
}

// healthServices is the service's answer to 我的健康服务 in the flow's
// terms.
func healthServices(h api.HealthServices) flow.HealthServices {
	out := flow.HealthServices{FamilyDoctor: h.FamilyDoctor, Centre: h.Centre, CentrePhone: h.CentrePhone,
		ConsentVersion: h.Consent.Version}
	if c := h.CheckUp; c != nil {
		out.CheckUp = &flow.CheckUp{Year: c.Year, Done: c.Done, Next: c.Next}
	}
	for _, v := range h.Vaccinations {
		out.Vaccinations = append(out.Vaccinations, flow.Vaccination{Date: v.Date, Vaccine: string(v.Vaccine)})
	}
	for _, r := range h.Reminders {
		out.Reminders = append(out.Reminders, flow.Reminder{Kind: string(r.Kind), Date: r.Date, Vaccine: string(r.Vaccine)})
	}
	return out
}

// AgreeHealth implements flow.PrivacyBackend.
func (b *Backend) AgreeHealth(ctx context.Context, r flow.Resident, version string) error {
	_, err := askPrivately(ctx, b, "health consent", func(ctx context.Context) (api.HealthConsent, error) {
		return b.Client.HealthConsent(ctx, r.Number, true, version, "")
	})
	return err
}

// classifyPrivacy is classify with the health services' two answers.
func classifyPrivacy(err error) error {
	var ae *api.Error
	if errors.As(err, &ae) {
		switch ae.Code {
		case api.CodeConsentRequired:
			return fmt.Errorf("%w: %w", flow.ErrConsentRequired, err)
		case api.CodeNoHealthRecord:
			return fmt.Errorf("%w: %w", flow.ErrNoHealthRecord, err)
		}
	}
	return classify(err)
}

// PrintAccess implements flow.SheetPrinter: who looked her up, in
// Chinese, as every slip is.
func (p *Printer) PrintAccess(ctx context.Context, who flow.Who, a flow.AccessList) error {
	return p.printSheet(ctx, AccessSheet(who, a, p.Centre, time.Now()))
}

// PrintHealth implements flow.SheetPrinter.
func (p *Printer) PrintHealth(ctx context.Context, who flow.Who, h flow.HealthServices) error {
	return p.printSheet(ctx, HealthSheet(who, h, p.Centre, time.Now()))
}

func (p *Printer) printSheet(ctx context.Context, s slip.Sheet) error {
	if p.Withdraw != "" {
		s.Footer = append(s.Footer, "撤回同意或更正信息：", p.Withdraw)
	}
	job, err := slip.EncodeSheet(s, p.Driver.Profile())
	if err != nil {
		return fmt.Errorf("print sheet: %w", err)
	}
	return p.send(ctx, "print sheet", job)
}

// AccessSheet is the slip of who looked her up: every group of the list,
// not only the page on screen.
func AccessSheet(who flow.Who, a flow.AccessList, centre string, now time.Time) slip.Sheet {
	lines := make([]string, 0, len(a.Groups)+1)
	for _, g := range a.Groups {
		lines = append(lines, i18n.AccessLine(i18n.ZH, g))
	}
	if len(lines) == 0 {
		lines = append(lines, i18n.T(i18n.ZH, i18n.AccessNone))
	}
	if a.More {
		lines = append(lines, i18n.T(i18n.ZH, i18n.AccessMore))
	}
	return slip.Sheet{Title: i18n.T(i18n.ZH, i18n.AccessTitle), Name: pii.Name(who.MaskedName), ID: pii.IDNumber(who.MaskedID),
		PrintedAt: now, Centre: centre, Sections: []slip.Section{{Heading: i18n.AccessSinceText(i18n.ZH, a.Since), Lines: lines}}}
}

// HealthSheet is the slip of her health services.
func HealthSheet(who flow.Who, h flow.HealthServices, centre string, now time.Time) slip.Sheet {
	s := slip.Sheet{Title: i18n.T(i18n.ZH, i18n.HealthTitle), Name: pii.Name(who.MaskedName), ID: pii.IDNumber(who.MaskedID),
		PrintedAt: now, Centre: centre}
	for _, sec := range i18n.HealthSections(i18n.ZH, h) {
		s.Sections = append(s.Sections, slip.Section{Heading: sec.Heading, Lines: sec.Lines})
	}
	return s
}

// ResidentAccess is 谁查询过我 asked at a counter for the resident in
// front of the worker: declared as counter service, under the worker's
// session (api.HeaderWorkerSession), as every counter action is.
func (c *Counter) ResidentAccess(ctx context.Context, workerID string, r flow.Resident) (flow.AccessList, error) {
	ctx, cancel, err := c.atCounter(ctx, workerID)
	if err != nil {
		return flow.AccessList{}, err
	}
	defer cancel()
	resp, err := c.Client.AccessRecords(ctx, r.Number, workerID)
	if err != nil {
		return flow.AccessList{}, fmt.Errorf("access records: %w", classifyPrivacy(err))
	}
	return accessList(resp), nil
}

// WithdrawHealth withdraws, at a counter, the resident's consent to see
// her health services and to have her code's changes told to the health
// cloud; the worker's session goes with it.
func (c *Counter) WithdrawHealth(ctx context.Context, workerID string, r flow.Resident) error {
	ctx, cancel, err := c.atCounter(ctx, workerID)
	if err != nil {
		return err
	}
	defer cancel()
	if _, err := c.Client.HealthConsent(ctx, r.Number, false, "", workerID); err != nil {
		return fmt.Errorf("health consent: %w", classifyPrivacy(err))
	}
	return nil
}

// atCounter is ctx declaring counter service with workerID's session and
// the backend's timeout, or ErrLoginAgain or ErrServiceUnavailable.
func (c *Counter) atCounter(ctx context.Context, workerID string) (context.Context, context.CancelFunc, error) {
	ctx, _, err := c.worker(client.WithPurpose(ctx, api.PurposeCounter), workerID)
	if err != nil {
		return ctx, func() {}, err
	}
	ctx, cancel := context.WithTimeout(ctx, c.timeout())
	return ctx, cancel, nil
}
