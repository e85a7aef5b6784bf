package main

import (
	"context"
	"crypto/ed25519"
	"crypto/rand"
	"encoding/base64"
	"encoding/json"
	"errors"
	"flag"
	"fmt"
	"io"
	"os"
	"time"

	"github.com/shcommunity/kiosk/codesvc/api"
	"github.com/shcommunity/kiosk/codesvc/client"
	"github.com/shcommunity/kiosk/codesvc/token"
	"github.com/shcommunity/kiosk/codesvc/verify"
)

const deskUsage = `usage:
  codeservice desk register --url URL --code CODE --fingerprint FP --file FILE [--name NAME]
  codeservice desk check --file FILE TEXT

A hospital registration desk's check of a medical-visit credential (就医凭证)
for a desk without a kiosk. register provisions the desk once, with a code
from "codeservice admin device provision --role hospital", and keeps its
identity in FILE (mode 0600); check verifies a scanned credential against
the service's trust list and prints what registration needs: name, gender,
birth date and social-security card number. Each check is recorded by the
service as an access of purpose hospital_registration.`

// deskFile is a registered desk's identity. The key is the device's
// Ed25519 seed: whoever has the file is the desk, so it is written 0600
// and never overwritten.
type deskFile struct {
	URL       string `json:"url"`
	DeviceID  string `json:"device_id"`
	Key       string `json:"key"`                  // Ed25519 seed, base64url
	Pin       string `json:"tls_pin,omitempty"`    // SPKI hash of the service's TLS key, base64url
	TrustRoot string `json:"trust_root_key"`       // the pinned trust root, base64url
	Note      string `json:"registered,omitempty"` // when, for the person who finds the file
}

// shanghaiTime is the desk's clock for the credential's validity.
var shanghaiTime = time.FixedZone("CST", 8*60*60)

func deskCmd(ctx context.Context, args []string, out io.Writer) error {
	if len(args) > 0 {
		switch args[0] {
		case "register":
			return deskRegister(ctx, args[1:], out)
		case "check":
			return deskCheck(ctx, args[1:], out)
		case "help", "-h", "-help", "--help":
			fmt.Fprintln(out, deskUsage)
			return nil
		}
	}
	return errors.New(deskUsage)
}

func deskRegister(ctx context.Context, args []string, out io.Writer) error {
	fs := flag.NewFlagSet("desk register", flag.ContinueOnError)
	url := fs.String("url", "", "the code service's URL")
	code := fs.String("code", "", "the one-time code from `codeservice admin device provision --role hospital`")
	fp := fs.String("fingerprint", "", "the service fingerprint printed with the code")
	file := fs.String("file", "", "where to keep the desk's identity (created, mode 0600)")
	name := fs.String("name", "hospital registration desk", "the desk's name, shown in the residents' access records")
	if err := fs.Parse(args); err != nil {
		return err
	}
	if *url == "" || *code == "" || *fp == "" || *file == "" || fs.NArg() != 0 {
		return errors.New(deskUsage)
	}
	// Made before the code is spent, so that a file that cannot be written
	// does not waste it.
	f, err := os.OpenFile(*file, os.O_WRONLY|os.O_CREATE|os.O_EXCL, 0o600)
	if err != nil {
		return fmt.Errorf("desk: %w", err)
	}
	defer f.Close()
	_, key, err := ed25519.GenerateKey(rand.Reader)
	if err != nil {
		return err
	}
	p, err := client.Provision(ctx, client.Provisioning{BaseURL: *url, Code: *code, Fingerprint: *fp, Name: *name, Key: key})
	if err != nil {
		f.Close()
		os.Remove(*file)
		return fmt.Errorf("desk register: %w", err)
	}
	enc := base64.RawURLEncoding
	d := deskFile{URL: *url, DeviceID: p.Response.DeviceID, Key: enc.EncodeToString(key.Seed()), Pin: enc.EncodeToString(p.Pin),
		TrustRoot: p.Response.TrustRootKey, Note: time.Now().UTC().Format(time.RFC3339)}
	if err := json.NewEncoder(f).Encode(d); err != nil {
		return fmt.Errorf("desk: %w", err)
	}
	if err := f.Close(); err != nil {
		return fmt.Errorf("desk: %w", err)
	}
	fmt.Fprintf(out, "Registered as hospital desk %s with %s; its identity is in %s (keep it 0600).\n", d.DeviceID, d.URL, *file)
	return nil
}

// loadDesk reads a desk's identity and makes its client, which declares
// hospital registration on every request.
func loadDesk(file string) (*client.Client, ed25519.PublicKey, error) {
	data, err := os.ReadFile(file)
	if err != nil {
		return nil, nil, fmt.Errorf("desk: %w", err)
	}
	var d deskFile
	if err := json.Unmarshal(data, &d); err != nil {
		return nil, nil, fmt.Errorf("desk: %s: %w", file, err)
	}
	enc := base64.RawURLEncoding
	seed, err1 := enc.DecodeString(d.Key)
	pin, err2 := enc.DecodeString(d.Pin)
	root, err3 := enc.DecodeString(d.TrustRoot)
	if err := errors.Join(err1, err2, err3); err != nil || len(seed) != ed25519.SeedSize || len(root) != ed25519.PublicKeySize || d.DeviceID == "" {
		return nil, nil, fmt.Errorf("desk: %s is not a desk's identity (register again)", file)
	}
	if len(pin) == 0 {
		pin = nil
	}
	c := &client.Client{BaseURL: d.URL, HTTP: client.HTTPClient(pin, nil, 15*time.Second), DeviceID: d.DeviceID,
		Key: ed25519.NewKeyFromSeed(seed), Purpose: api.PurposeHospital}
	return c, ed25519.PublicKey(root), nil
}

func deskCheck(ctx context.Context, args []string, out io.Writer) error {
	fs := flag.NewFlagSet("desk check", flag.ContinueOnError)
	file := fs.String("file", "", "the desk's identity, from desk register")
	if err := fs.Parse(args); err != nil {
		return err
	}
	if *file == "" || fs.NArg() != 1 {
		return errors.New(deskUsage)
	}
	c, root, err := loadDesk(*file)
	if err != nil {
		return err
	}
	raw, err := c.TrustList(ctx)
	if err != nil {
		return fmt.Errorf("desk: trust list: %w", err)
	}
	tl, err := token.ParseTrustList(raw, root)
	if err != nil {
		return fmt.Errorf("desk: trust list: %w", err)
	}
	desk := &verify.Desk{Trust: tl, Registry: c}
	res, err := desk.Check(ctx, fs.Arg(0))
	var ae *api.Error
	if errors.As(err, &ae) && ae.Code == api.CodeRoleForbidden {
		return fmt.Errorf("%w (this device is not a hospital desk: provision one with `codeservice admin device provision --role hospital`)", err)
	}
	if err != nil {
		return fmt.Errorf("%w (%s)", err, res.Explanation)
	}
	r := res.Registration
	gender := "—"
	switch r.Gender {
	case verify.GenderMale:
		gender = "男 male"
	case verify.GenderFemale:
		gender = "女 female"
	}
	birth := "—"
	if !r.BirthDate.IsZero() {
		birth = r.BirthDate.Format(time.DateOnly)
	}
	card := "—"
	if r.CardNumber != "" {
		card = r.CardNumber.Reveal() // registration is made on it
	}
	// The name in full, for the registration it is made in; this goes to
	// the desk's screen only, never to a log.
	fmt.Fprintf(out, "就医凭证 medical-visit credential %s, valid until %s\n姓名 name: %s\n性别 gender: %s\n出生日期 birth date: %s\n社保卡号 card number: %s\n%s\n",
		res.Credential.TokenIDString(), res.Credential.ExpiresAt.In(shanghaiTime).Format("2006-01-02 15:04"),
		r.Name.Reveal(), gender, birth, card, res.Explanation)
	return nil
}
