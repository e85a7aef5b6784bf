package server_test

import (
	"bytes"
	"context"
	"errors"
	"os"
	"path/filepath"
	"testing"
	"time"

	"github.com/shcommunity/kiosk/codesvc/api"
	"github.com/shcommunity/kiosk/codesvc/client"
	"github.com/shcommunity/kiosk/codesvc/server"
	"github.com/shcommunity/kiosk/codesvc/store"
	"github.com/shcommunity/kiosk/codesvc/store/sqlitestore"
	"github.com/shcommunity/kiosk/codesvc/token"
	"github.com/shcommunity/kiosk/codesvc/verify"
	"github.com/shcommunity/kiosk/pii"
)

// TestCredentialIssueAndDesk: a self-service kiosk issues a medical-visit
// credential for a resident with her social-security card; it verifies
// against the service's trust list as a credential and is refused as a
// paper code; a hospital desk gets her name, gender, birth date and card
// number and nothing else; an ID card's credential has no card number;
// 24 hours later the desk is told it expired and sees nothing of her.
func TestCredentialIssueAndDesk(t *testing.T) {
	e := newEnv(t, server.Options{})
	ctx := context.Background()
	id := e.resident("19491001", 2, "李秀英") // a woman: even 17th digit
	kiosk, _ := e.registerAs("自助机", api.RoleSelfService)
	desk, _ := e.registerAs("瑞金医院挂号处", api.RoleHospital)

	cred, err := kiosk.IssueCredential(ctx, api.CredentialRequest{IDNumber: id.Reveal(), CardNumber: "A12345678"})
	if err != nil {
		t.Fatal(err)
	}
	if cred.MaskedName != "李*英" || cred.MaskedID != id.Masked() || cred.MaskedCardNumber != "A****5678" ||
		!cred.ExpiresAt.Equal(cred.IssuedAt.Add(24*time.Hour)) {
		t.Errorf("credential = %+v; want masked name, ID, card number and 24 hours", cred)
	}
	tl := e.trust()
	c, err := tl.VerifyCredential(cred.Text, token.VerifyOptions{Now: e.clk.Now()})
	if err != nil || c.TokenIDString() != cred.TokenID || c.MaskedName != "李*英" {
		t.Fatalf("VerifyCredential = %+v, %v", c, err)
	}
	v := &verify.Verifier{Trust: tl, Live: kiosk, Now: e.clk.Now}
	if _, err := v.Verify(ctx, cred.Text); !errors.Is(err, token.ErrWrongKind) {
		t.Errorf("a venue check of the credential: %v, want ErrWrongKind", err)
	}

	d := &verify.Desk{Trust: tl, Registry: desk, Now: e.clk.Now}
	res, err := d.Check(ctx, cred.Text)
	if err != nil {
		t.Fatalf("desk: %v", err)
	}
	r := res.Registration
	if r.Name.Reveal() != "李秀英" || r.Gender != verify.GenderFemale || r.BirthDate.Format(time.DateOnly) != "1949-10-01" ||
		r.CardNumber.Reveal() != "A12345678" {
		t.Errorf("registration = %+v (name %q)", r, r.Name.Reveal())
	}

	// With an ID card: no card number anywhere.
	e.clk.Add(time.Minute)
	byID, err := kiosk.IssueCredential(ctx, api.CredentialRequest{IDNumber: id.Reveal()})
	if err != nil || byID.MaskedCardNumber != "" {
		t.Fatalf("ID-card credential: %+v, %v", byID, err)
	}
	if got, err := desk.Credential(ctx, byID.TokenID); err != nil || got.CardNumber != "" || got.Name != "李秀英" {
		t.Errorf("ID-card credential at the desk: %+v, %v; want the name and no card number", got, err)
	}

	e.clk.Add(24 * time.Hour)
	got, err := desk.Credential(ctx, cred.TokenID)
	if err != nil || got.State != api.StateExpired || got.Name != "" || got.BirthDate != "" || got.Gender != "" || got.CardNumber != "" {
		t.Errorf("a day later: %+v, %v; want expired and nothing of her", got, err)
	}
	if _, err := kiosk.IssueCredential(ctx, api.CredentialRequest{IDNumber: id.Reveal(), CardNumber: "a1234567"}); apiCode(err) != api.CodeInvalidField {
		t.Errorf("a bad card number: %v, want invalid_field", err)
	}
	if _, err := kiosk.IssueCredential(ctx, api.CredentialRequest{IDNumber: idNumber(t, "19500101", 3).Reveal()}); apiCode(err) != api.CodeNotEnrolled {
		t.Errorf("a resident not enrolled: %v, want resident_not_enrolled", err)
	}
}

// TestCredentialRoles: only a self-service kiosk or a counter issues a
// credential, only a hospital desk looks one up; a hospital desk cannot
// read a paper code's live status, and a paper code's ID is no
// credential.
func TestCredentialRoles(t *testing.T) {
	e := newEnv(t, server.Options{})
	ctx := context.Background()
	id := e.resident("19480314", 1, "张三丰")
	venue, _ := e.registerAs("venue", api.RoleVenue)
	desk, _ := e.registerAs("desk", api.RoleHospital)
	cred, err := e.c.IssueCredential(client.WithPurpose(ctx, api.PurposeCounter), api.CredentialRequest{IDNumber: id.Reveal()})
	if err != nil {
		t.Fatalf("a counter issues: %v", err)
	}
	paper, err := e.c.IssueToken(ctx, api.IssueTokenRequest{IDNumber: id.Reveal()})
	if err != nil {
		t.Fatal(err)
	}
	for _, tc := range []struct {
		name string
		err  error
		want api.Code
	}{
		{"a venue looks a credential up", second(venue.Credential(client.WithPurpose(ctx, api.PurposeVenueEntry), cred.TokenID)), api.CodeRoleForbidden},
		{"a counter looks a credential up", second(e.c.Credential(ctx, cred.TokenID)), api.CodeRoleForbidden},
		{"a hospital issues", second(desk.IssueCredential(ctx, api.CredentialRequest{IDNumber: id.Reveal()})), api.CodeRoleForbidden},
		{"a venue issues", second(venue.IssueCredential(ctx, api.CredentialRequest{IDNumber: id.Reveal()})), api.CodeRoleForbidden},
		{"a hospital reads a paper code", second(desk.Token(ctx, paper.TokenID)), api.CodePurposeRefused},
		{"a paper code's ID at the desk", second(desk.Credential(ctx, paper.TokenID)), api.CodeUnknownToken},
		{"a counter declares hospital", second(e.c.IssueCredential(client.WithPurpose(ctx, api.PurposeHospital),
			api.CredentialRequest{IDNumber: id.Reveal()})), api.CodePurposeRefused},
	} {
		if code := apiCode(tc.err); code != tc.want {
			t.Errorf("%s: %v, want %s", tc.name, tc.err, tc.want)
		}
	}
}

func second[T any](_ T, err error) error { return err }

// TestCredentialNotOnDisk: the service's database holds neither the
// resident's name nor her card number in the clear after a credential
// was issued and looked up.
func TestCredentialNotOnDisk(t *testing.T) {
	file := filepath.Join(t.TempDir(), "codes.db")
	e := newEnvOn(t, server.Options{}, func(t testing.TB) store.Store {
		st, err := sqlitestore.Open(context.Background(), file)
		if err != nil {
			t.Fatal(err)
		}
		t.Cleanup(func() { st.Close() })
		return st
	})
	ctx := context.Background()
	id := idNumber(t, "19491001", 2)
	// Not e.enrol, whose client ID is made of the ID number.
	if r := e.enrolOn(e.c, "enrol-credential", e.payload(id, "欧阳秀英")); r.Outcome != api.OutcomeAccepted {
		t.Fatalf("enrol: %+v", r)
	}
	desk, _ := e.registerAs("desk", api.RoleHospital)
	cred, err := e.c.IssueCredential(ctx, api.CredentialRequest{IDNumber: id.Reveal(), CardNumber: "Q98765432"})
	if err != nil {
		t.Fatal(err)
	}
	if got, err := desk.Credential(ctx, cred.TokenID); err != nil || got.CardNumber != "Q98765432" {
		t.Fatalf("desk: %+v, %v", got, err)
	}
	var disk []byte
	for _, suffix := range []string{"", "-wal"} {
		b, _ := os.ReadFile(file + suffix)
		disk = append(disk, b...)
	}
	if !bytes.Contains(disk, []byte(cred.TokenID)) {
		t.Fatal("the credential's ID is not in the files: the test reads the wrong files")
	}
	for _, secret := range []string{"Q98765432", "欧阳秀英", id.Reveal(), "1949-10-01"} {
		if bytes.Contains(disk, []byte(secret)) {
			t.Errorf("%s is on disk in the clear", pii.MaskID(secret))
		}
	}
}
