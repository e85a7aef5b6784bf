package verify

import (
	"context"
	"errors"
	"fmt"
	"time"

	"github.com/shcommunity/kiosk/codesvc/token"
	"github.com/shcommunity/kiosk/pii"
)

// The genders of Registration.
const (
	GenderMale   = 1
	GenderFemale = 2
)

// Registration is what a hospital's registration desk may see of the
// holder of a medical-visit credential: what registration needs and
// nothing else (no colour, no ID number). Name is in full, because a
// registration is made in it; it is a pii.Name, so a log line shows it
// redacted.
type Registration struct {
	State      string // StateActive, StateExpired or StateRevoked
	Name       pii.Name
	Gender     int       // GenderMale, GenderFemale, or 0 when unknown
	BirthDate  time.Time // zero when unknown
	CardNumber pii.IDNumber
}

// Registry asks the code service about a medical-visit credential by its
// token ID. The hospital desk's client implements it; an answer that the
// service never issued the credential matches ErrUnknownToken.
type Registry interface {
	Registration(ctx context.Context, tokenID string) (Registration, error)
}

// ErrOffline: the desk could not ask the service. The credential's
// signature was good, but what registration needs is only at the service.
var ErrOffline = errors.New("the service cannot be asked")

// Desk is a hospital registration desk's check of a medical-visit
// credential (就医凭证). It refuses a paper health code.
type Desk struct {
	Trust    *token.TrustList
	Registry Registry         // nil: offline
	Now      func() time.Time // nil: time.Now
}

// DeskResult is what the desk shows its staff.
type DeskResult struct {
	Credential   *token.Credential // nil when the text did not verify
	Registration *Registration     // nil unless the service answered that it is active
	// Explanation is one or two sentences for the staff, Chinese then
	// English; it never holds the name.
	Explanation string
}

// Check verifies a scanned credential text. A paper code is refused at
// once with token.ErrWrongKind. Then the signature and times, offline,
// against the trust list (the token package's errors). Then the service,
// by token ID: an active credential gives the Registration; an expired
// or revoked one is refused (token.ErrExpired, ErrRevoked), one it never
// issued with ErrUnknownToken. Without an answer the result says so with
// ErrOffline: the credential is genuine but the desk has nothing to
// register with.
func (d *Desk) Check(ctx context.Context, text string) (DeskResult, error) {
	now := time.Now()
	if d.Now != nil {
		now = d.Now()
	}
	c, err := d.Trust.VerifyCredential(text, token.VerifyOptions{Now: now})
	if err != nil {
		return DeskResult{Explanation: ExplainCredential(err)}, err
	}
	res := DeskResult{Credential: c}
	if d.Registry == nil {
		res.Explanation = ExplainCredential(ErrOffline)
		return res, ErrOffline
	}
	reg, err := d.Registry.Registration(ctx, c.TokenIDString())
	switch {
	case err == nil:
	case ctx.Err() != nil:
		res.Explanation = ExplainCredential(ctx.Err())
		return res, ctx.Err()
	case errors.Is(err, ErrUnknownToken):
		res.Explanation = ExplainCredential(ErrUnknownToken)
		return res, err
	default:
		res.Explanation = ExplainCredential(ErrOffline)
		return res, fmt.Errorf("%w: %w", ErrOffline, err)
	}
	switch reg.State {
	case StateActive:
		res.Registration = &reg
		res.Explanation = "就医凭证有效，请按以下信息挂号。The medical-visit credential is valid; register with the details below."
		return res, nil
	case StateExpired:
		err = fmt.Errorf("%w: the service says so", token.ErrExpired)
	case StateRevoked:
		err = ErrRevoked
	default:
		err = fmt.Errorf("%w: %q", ErrLiveState, reg.State)
	}
	res.Explanation = ExplainCredential(err)
	return res, err
}

// ExplainCredential gives the desk's text for an error of Desk.Check,
// Chinese then English.
func ExplainCredential(err error) string {
	switch {
	case err == nil:
		return ""
	case errors.Is(err, token.ErrWrongKind):
		return "这是随申码纸码，不是就医凭证，不能用于挂号；请到自助机打印就医凭证或读取社保卡。" +
			"This is a paper health code, not a medical-visit credential; print a credential at a kiosk or read the social-security card."
	case errors.Is(err, token.ErrMalformed):
		return "无法识别此二维码，它不是就医凭证或已损坏。This QR code is not a medical-visit credential or is damaged."
	case errors.Is(err, token.ErrBadSignature), errors.Is(err, token.ErrUnknownKey), errors.Is(err, token.ErrKeyNotValidAt):
		return "此就医凭证的签名无效（被篡改、伪造或密钥不受信任），不能使用。" +
			"This credential's signature is not valid (altered, forged or an untrusted key)."
	case errors.Is(err, token.ErrExpired):
		return "此就医凭证已过期（24 小时有效），请重新打印。This credential has expired (valid 24 hours); print a new one."
	case errors.Is(err, ErrRevoked):
		return "此就医凭证的签发密钥已作废，请重新打印。This credential's signing key was revoked; print a new one."
	case errors.Is(err, ErrUnknownToken):
		return "签发服务没有签发过此就医凭证：这是伪造的，不能使用。The issuing service never issued this credential: it is forged."
	case errors.Is(err, ErrOffline):
		return "凭证签名有效，但无法连接服务取得挂号信息，请稍后重试或读取社保卡。" +
			"The credential is genuine but the service cannot be reached for the registration details; try again or read the card."
	}
	return Explain(err)
}
