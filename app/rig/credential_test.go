package rig_test

import (
	"context"
	"crypto/ed25519"
	"crypto/rand"
	"errors"
	"net/http"
	"strings"
	"testing"
	"time"

	"golang.org/x/text/encoding/simplifiedchinese"

	"github.com/shcommunity/kiosk/app/flow"
	"github.com/shcommunity/kiosk/codesvc/api"
	"github.com/shcommunity/kiosk/codesvc/client"
	"github.com/shcommunity/kiosk/codesvc/token"
	"github.com/shcommunity/kiosk/codesvc/verify"
)

// TestSSCMedicalCredential: 李秀英 carries only her social-security card.
// At the self-service kiosk she takes her paper code, then 打印就医凭证
// prints her medical-visit credential: masked name and card number, a
// day's validity, no colour. A hospital desk verifies it and gets her
// name, gender, birth date and card number from the service; a venue
// refuses it; the desk refuses her paper code.
func TestSSCMedicalCredential(t *testing.T) {
	k := startTwoModes(t)
	ctx := context.Background()

	k.insert(t, "ssc-yellow")
	v := k.selfUntil(t, settled)
	if v.Step != flow.StepDone || v.Ticket.Kind != flow.TicketCode || !v.CanCredential {
		t.Fatalf("step %q problem %q ticket %q, offered %v; want her code and 打印就医凭证", v.Step, v.Problem, v.Ticket.Kind, v.CanCredential)
	}
	paperQR := decodeQR(t, k.nextSlip(t).Image)
	k.self.MedicalCredential()
	v = k.selfUntil(t, func(v flow.SelfView) bool {
		return v.Step == flow.StepError || v.Step == flow.StepDone && v.Ticket.Kind == flow.TicketCredential
	})
	if v.Step != flow.StepDone || v.Ticket.MaskedCardNumber != "D****0002" || v.Ticket.Status.HasColour() {
		t.Fatalf("after 打印就医凭证: step %q problem %q ticket %+v", v.Step, v.Problem, v.Ticket)
	}
	s := k.nextSlip(t)
	credQR := decodeQR(t, s.Image)
	if credQR != v.Ticket.QR || !strings.HasPrefix(credQR, token.CredentialPrefix) {
		t.Fatalf("the credential's QR %q, want the issued %q", credQR, v.Ticket.QR)
	}
	text, err := simplifiedchinese.GBK.NewDecoder().String(string(s.Raw))
	if err != nil {
		t.Fatal(err)
	}
	for _, w := range []string{"就医凭证", "李*英", "社保卡号：D****0002", "有效期至", "不含健康状态"} {
		if !strings.Contains(text, w) {
			t.Errorf("%q not on the credential's slip", w)
		}
	}
	for _, n := range []string{"D00000002", "李秀英", "黄码"} {
		if strings.Contains(text, n) {
			t.Errorf("the credential's slip says %q", n)
		}
	}
	k.removeAtSelf(t)

	desk := hospitalDesk(t, k)
	res, err := desk.Check(ctx, credQR)
	if err != nil {
		t.Fatalf("the hospital desk: %v (%s)", err, res.Explanation)
	}
	r := res.Registration
	if r.Name.Reveal() != "李秀英" || r.Gender != verify.GenderFemale || r.BirthDate.Format(time.DateOnly) != "1955-09-22" ||
		r.CardNumber.Reveal() != "D00000002" {
		t.Errorf("registration %+v (name %q)", r, r.Name.Reveal())
	}
	if _, err := desk.Check(ctx, paperQR); !errors.Is(err, token.ErrWrongKind) {
		t.Errorf("her paper code at the desk: %v, want ErrWrongKind", err)
	}

	k.router.SetActive(flow.ModeVenue)
	k.venueUntil(t, func(v flow.VenueView) bool { return v.Step == flow.VenueReady })
	k.venue.Scan(credQR)
	vv := k.venueUntil(t, func(v flow.VenueView) bool { return v.Step == flow.VenueResult || v.Step == flow.VenueRefused })
	if vv.Step != flow.VenueRefused || vv.Check.Status.HasColour() || !strings.Contains(vv.Check.Explanation, "就医凭证") {
		t.Errorf("the credential at the venue: %+v; want it refused as a medical-visit credential", vv)
	}
}

// hospitalDesk registers a hospital's registration desk with the rig's
// service and returns its check, on the trust list the kiosk holds.
func hospitalDesk(t *testing.T, k *twoModes) *verify.Desk {
	t.Helper()
	ctx := context.Background()
	code, _, err := k.Service.ProvisionDevice(ctx, "瑞金医院挂号处", api.RoleHospital)
	if err != nil {
		t.Fatal(err)
	}
	_, key, _ := ed25519.GenerateKey(rand.Reader)
	c, _, err := client.Register(ctx, k.URL, http.DefaultClient, code, "瑞金医院挂号处", key)
	if err != nil {
		t.Fatal(err)
	}
	c.Purpose = api.PurposeHospital
	tl, err := k.Engine.TrustList(ctx)
	if err != nil {
		t.Fatal(err)
	}
	return &verify.Desk{Trust: tl, Registry: c}
}
