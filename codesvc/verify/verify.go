package verify

import (
	"context"
	"errors"
	"fmt"
	"time"

	"github.com/shcommunity/kiosk/codesvc/rules"
	"github.com/shcommunity/kiosk/codesvc/token"
	"github.com/shcommunity/kiosk/healthcode"
)

// The states of a token at the service (LiveStatus.State).
const (
	StateActive     = "active"     // the current token of its resident
	StateRevoked    = "revoked"    // reported lost or withdrawn
	StateSuperseded = "superseded" // a newer token was issued (re-issue)
	StateExpired    = "expired"    // past its ExpiresAt at the service's clock
)

// Sources of Result.Colour.
const (
	SourceLive  = "live"  // the service's answer, just now
	SourceClaim = "claim" // the token's own fresh status claim (offline)
	SourceNone  = "none"  // no colour can be trusted
)

// Refusals that come from the service rather than from the paper.
var (
	ErrRevoked    = errors.New("token revoked")
	ErrSuperseded = errors.New("token superseded by a newer one")
	// ErrLiveState: the service answered with a state this code does not
	// know; the token is refused rather than guessed at.
	ErrLiveState = errors.New("unknown live token state")
	// ErrUnknownToken: the service that issued the token (its issuer is
	// the trust list's own) says it never issued it. The signature is
	// right, so the signing key has leaked: the paper is a forgery. A
	// Live implementation returns an error matching it for that answer
	// only.
	ErrUnknownToken = errors.New("token unknown to its issuing service")
)

// Live asks the code service about a token. Worker S's client implements
// it; a nil Live means the verifier is offline.
type Live interface {
	TokenStatus(ctx context.Context, tokenID string) (LiveStatus, error)
}

// LiveStatus is the service's answer for one token ID.
type LiveStatus struct {
	State      string       // StateActive, StateRevoked, StateSuperseded or StateExpired
	Status     rules.Status // the resident's status now (meaningful when State is active)
	MaskedName string
}

// Verifier is the venue check of a paper code.
type Verifier struct {
	Trust *token.TrustList
	Live  Live             // nil: offline
	Now   func() time.Time // nil: time.Now
	// StatusFreshness bounds the trust in a token's own status claim; 0 is
	// token.DefaultStatusFreshness (24h).
	StatusFreshness time.Duration
}

// Result is what the checker shows the staff.
type Result struct {
	Claims *token.Claims     // nil when the paper did not verify
	Live   *LiveStatus       // nil when the service was not asked or did not answer
	Colour healthcode.Colour // "" = cannot verify: never show a colour then
	Source string            // SourceLive, SourceClaim or SourceNone
	// Explanation is one or two sentences for the staff, in Chinese then
	// English, with the "as of" time when the colour is not live.
	Explanation string
}

// Verify checks a scanned token text. A medical-visit credential is
// refused at once with token.ErrWrongKind. Then the signature and times,
// offline, against the trust list; a failure there is returned as the
// token package's error (ErrBadSignature, ErrExpired, …). Then, when Live is
// set, the service's answer: a revoked or superseded token is refused with
// ErrRevoked or ErrSuperseded, an expired one with token.ErrExpired, and an
// active one gets the live colour. When the service cannot be asked or does
// not answer, a fresh status claim in the token gives the colour (Source
// "claim", with its as-of time); with no fresh claim the result is
// "cannot verify" (Colour "", Source "none") and no error: never a stale
// green. But a definite "never issued" (ErrUnknownToken) about a token of
// the trust list's own issuer is a refusal, not a reason to trust the
// token's own claim: only a leaked key signs such a token.
//
// On an error the Result still carries the Explanation to show (and the
// claims when the paper itself verified).
func (v *Verifier) Verify(ctx context.Context, text string) (Result, error) {
	now := time.Now()
	if v.Now != nil {
		now = v.Now()
	}
	if token.KindOf(text) == token.KindCredential {
		err := fmt.Errorf("%w: a medical-visit credential is not a paper code", token.ErrWrongKind)
		return Result{Source: SourceNone, Explanation: Explain(err)}, err
	}
	claims, err := v.Trust.Verify(text, token.VerifyOptions{Now: now, StatusFreshness: v.StatusFreshness})
	if err != nil {
		return Result{Source: SourceNone, Explanation: Explain(err)}, err
	}
	res := Result{Claims: claims, Source: SourceNone}

	var liveErr error
	if v.Live != nil {
		ls, err := v.Live.TokenStatus(ctx, claims.TokenIDString())
		if err == nil {
			res.Live = &ls
			return v.live(res, ls)
		}
		if ctx.Err() != nil {
			res.Explanation = Explain(ctx.Err())
			return res, ctx.Err()
		}
		if errors.Is(err, ErrUnknownToken) && claims.Issuer == v.Trust.Issuer {
			res.Explanation = Explain(ErrUnknownToken)
			return res, err
		}
		liveErr = err
	}

	offline := "离线核验。Offline check."
	if liveErr != nil {
		offline = "无法连接服务，离线核验。The service did not answer; offline check."
	}
	switch {
	case claims.Status != nil:
		res.Colour, res.Source = claims.Status.Colour, SourceClaim
		asOf := claims.Status.AsOf.In(shanghai).Format(timeLayout)
		res.Explanation = fmt.Sprintf("%s 纸码签名有效；码上状态为%s，截至 %s（非实时）。"+
			"The paper code is genuine; the status printed in it is %s as of %s (not live).",
			offline, colourZH(res.Colour), asOf, res.Colour, asOf)
	case claims.StatusStale:
		res.Explanation = offline + " 纸码签名有效，但码上状态已过时，无法确认当前颜色，请核验身份证或联网查询。" +
			"The paper code is genuine but its status is out of date: the colour cannot be verified; check the ID card or go online."
	default:
		res.Explanation = offline + " 纸码签名有效，但码上没有状态，无法确认当前颜色，请核验身份证或联网查询。" +
			"The paper code is genuine but carries no status: the colour cannot be verified; check the ID card or go online."
	}
	return res, nil
}

// live turns the service's answer into a result.
func (v *Verifier) live(res Result, ls LiveStatus) (Result, error) {
	res.Source = SourceLive
	switch ls.State {
	case StateActive:
	case StateRevoked:
		res.Explanation = "此纸码已挂失或作废，不能使用，请核验身份证。This paper code was reported lost or withdrawn and is not valid; check the ID card."
		return res, ErrRevoked
	case StateSuperseded:
		res.Explanation = "此纸码已被新码取代（已补办），旧码不能使用，请出示新码或核验身份证。" +
			"This paper code was replaced by a newer one and is not valid; ask for the new code or check the ID card."
		return res, ErrSuperseded
	case StateExpired:
		res.Explanation = Explain(token.ErrExpired)
		return res, fmt.Errorf("%w: the service says so", token.ErrExpired)
	default:
		res.Explanation = "服务返回了未知的纸码状态，无法核验。The service gave an unknown state for this code: cannot verify."
		return res, fmt.Errorf("%w: %q", ErrLiveState, ls.State)
	}
	if !ls.Status.Colour.Valid() {
		res.Source = SourceNone
		res.Explanation = "服务没有给出颜色，无法核验。The service gave no colour: cannot verify."
		return res, nil
	}
	res.Colour = ls.Status.Colour
	res.Explanation = fmt.Sprintf("实时查询：%s。Live check: %s.", colourZH(res.Colour), res.Colour)
	return res, nil
}

// shanghai is the zone staff read times in; the fixed offset avoids
// depending on the host's tz database.
var shanghai = time.FixedZone("CST", 8*60*60)

const timeLayout = "2006-01-02 15:04"

// colourZH is the colour's word for the staff text, "无颜色" for none.
func colourZH(c healthcode.Colour) string {
	if w := c.Word(); w != "" {
		return w
	}
	return "无颜色"
}

// Explain gives the staff text for an error of Verify: what went wrong and
// what to do, in Chinese then English.
func Explain(err error) string {
	switch {
	case err == nil:
		return ""
	case errors.Is(err, token.ErrWrongKind):
		return "这是就医凭证，不是随申码纸码，不能用于场所核验；请出示随申码纸码或身份证。" +
			"This is a medical-visit credential, not a paper health code; it is not valid at a venue: ask for the paper code or the ID card."
	case errors.Is(err, token.ErrMalformed):
		return "无法识别此二维码，它不是随申码纸码或已损坏。This QR code is not a paper health code or is damaged."
	case errors.Is(err, token.ErrUnsupportedVersion):
		return "此纸码的格式版本本机不支持，请更新核验程序或核验身份证。This code's format is newer than this checker; update it or check the ID card."
	case errors.Is(err, token.ErrUnknownKey):
		return "此纸码的签发密钥不在信任列表中（可能是其他地区的码或信任列表未更新），请核验身份证。" +
			"This code was signed by a key not in the trust list (another region, or an old list); check the ID card."
	case errors.Is(err, token.ErrBadSignature):
		return "签名无效：此纸码被篡改或伪造，不能使用。Bad signature: this code was altered or forged and is not valid."
	case errors.Is(err, token.ErrKeyNotValidAt):
		return "签名密钥在签发时不在有效期内，此纸码不能使用。The signing key was not valid when this code was issued; the code is not valid."
	case errors.Is(err, token.ErrExpired):
		return "此纸码已过期，请重新申领。This paper code has expired; a new one must be issued."
	case errors.Is(err, token.ErrNotYetValid):
		return "此纸码的签发时间晚于本机时间，请检查本机时钟。This code was issued after this checker's clock time; check the clock."
	case errors.Is(err, ErrRevoked):
		return "此纸码已挂失或作废。This paper code was reported lost or withdrawn."
	case errors.Is(err, ErrSuperseded):
		return "此纸码已被新码取代。This paper code was replaced by a newer one."
	case errors.Is(err, ErrUnknownToken):
		return "签发服务没有签发过此纸码：这是伪造的纸码，不能使用，请核验身份证。" +
			"The issuing service never issued this paper code: it is forged and not valid; check the ID card."
	case errors.Is(err, context.Canceled), errors.Is(err, context.DeadlineExceeded):
		return "核验被中断，请重试。The check was interrupted; try again."
	}
	return "无法核验此纸码。This paper code cannot be verified."
}
