package i18n

import (
	"fmt"
	"maps"
	"strings"
	"time"

	"github.com/shcommunity/kiosk/app/flow"
	"github.com/shcommunity/kiosk/healthcode"
)

// The counter's resident record, its actions beyond enrolment, their
// confirmations and why an action is not offered. These words join the
// messages (Keys, T) when the package starts.
const (
	CounterReportLost     Key = "counter_report_lost"
	CounterWithdraw       Key = "counter_withdraw"
	CounterAccess         Key = "counter_access"
	CounterRecordLoading  Key = "counter_record_loading"
	CounterStatusNow      Key = "counter_status_now"
	CounterSourceLive     Key = "counter_source_live"
	CounterSourceCached   Key = "counter_source_cached"
	CounterSourceNone     Key = "counter_source_none"
	CounterCodes          Key = "counter_codes"
	CounterCodesUnknown   Key = "counter_codes_unknown"
	CounterNotEnrolled    Key = "counter_not_enrolled"
	CounterValidUntil     Key = "counter_valid_until"
	CounterPending        Key = "counter_pending"
	CounterPendingEnrol   Key = "counter_pending_enrol"
	CounterPendingCorrect Key = "counter_pending_correct"
	CounterRefused        Key = "counter_refused"
	CounterAccessTitle    Key = "counter_access_title"
	CounterAccessLoading  Key = "counter_access_loading"
	CounterConfirm        Key = "counter_confirm"
	CounterCancel         Key = "counter_cancel"
	CounterConfirmReissue Key = "counter_confirm_reissue"
	CounterConfirmLost    Key = "counter_confirm_lost"
	CounterConfirmDrop    Key = "counter_confirm_withdraw"
	CounterDropEffect     Key = "counter_withdraw_effect"
	CounterWithdrawn      Key = "counter_withdrawn"
	CounterNeedsService   Key = "counter_needs_service"
	CounterWhyConsent     Key = "counter_why_consent"
	CounterNoActiveCode   Key = "counter_no_active_code"
	CounterNoReason       Key = "counter_no_reason"
	CounterServing        Key = "counter_serving"
	CounterNeedCard       Key = "counter_need_card"
	CounterClauses        Key = "counter_clauses"
)

var counterMessages = map[Key][2]string{
	CounterReportLost:     {"挂失", "Report lost"},
	CounterWithdraw:       {"撤回健康云授权", "Withdraw consent"},
	CounterAccess:         {"谁查询过她", "Who looked her up"},
	CounterRecordLoading:  {"正在查询她的状态和纸质码…", "Reading her status and paper codes…"},
	CounterStatusNow:      {"当前", "Now"},
	CounterSourceLive:     {"服务端实时查询", "asked the service just now"},
	CounterSourceCached:   {"本机保存的答复（离线）", "this kiosk's saved answer (offline)"},
	CounterSourceNone:     {"状态未知：离线且无可显示的答复", "Status unknown: offline, with no answer that may be shown"},
	CounterCodes:          {"纸质码", "Paper codes"},
	CounterCodesUnknown:   {"离线：无法查询她的纸质码", "Offline: her paper codes cannot be listed"},
	CounterNotEnrolled:    {"服务端没有她的登记：请为她登记", "The service has no registration of hers: register her"},
	CounterValidUntil:     {"有效至", "valid until"},
	CounterPending:        {"待处理", "Waiting"},
	CounterPendingEnrol:   {"登记", "Registration"},
	CounterPendingCorrect: {"纠错", "Correction"},
	CounterRefused:        {"被拒收", "refused"},
	CounterAccessTitle:    {"谁查询过她（近30天）", "Who looked her up (30 days)"},
	CounterAccessLoading:  {"正在查询谁查询过她…", "Asking who looked her up…"},
	CounterConfirm:        {"确认", "Confirm"},
	CounterCancel:         {"取消", "Cancel"},
	CounterConfirmReissue: {"确认补打新码？", "Re-issue a new code?"},
	CounterConfirmLost:    {"确认挂失？不打印新码。", "Report lost? No new code is printed."},
	CounterConfirmDrop:    {"确认撤回健康云授权？", "Withdraw her health-cloud consent?"},
	CounterDropEffect:     {"健康云将删除她的资料，自助机不再显示她的健康服务，除非她重新同意。", "The health cloud deletes what it holds of her, and kiosks no longer show her health services unless she agrees again."},
	CounterWithdrawn:      {"已撤回健康云授权", "Health-cloud consent withdrawn"},
	CounterNeedsService:   {"需要联网", "needs the service"},
	CounterWhyConsent:     {"请先勾选同意", "tick consent first"},
	CounterNoActiveCode:   {"她没有有效的纸质码", "she has no valid paper code"},
	CounterNoReason:       {"请先填写纠错原因", "type the reason first"},
	CounterServing:        {"正在办理：", "Serving: "},
	CounterNeedCard:       {"以上办理需先读取居民身份证", "These need the resident's card first"},
	CounterClauses:        {"；", "; "},
}

func init() { maps.Copy(messages, counterMessages) }

// codeStates are the words of a paper code's state.
var codeStates = map[string][2]string{
	string(flow.CodeActive):     {"有效", "valid"},
	string(flow.CodeSuperseded): {"已被新码替代", "replaced by a newer code"},
	string(flow.CodeRevoked):    {"已挂失作废", "reported lost: void"},
	string(flow.CodeExpired):    {"已过期", "expired"},
}

// CodeStateText is a paper code's state in words; an unknown state is
// shown as its code.
func CodeStateText(l Lang, s flow.CodeState) string { return wordOf(l, codeStates, string(s)) }

// StatusLine is the counter's line for her colour now: the colour word,
// its as-of time and where it came from; without a colour, that it is
// unknown and why.
func StatusLine(l Lang, s healthcode.Status) string {
	if !s.HasColour() {
		return T(l, CounterSourceNone)
	}
	from := T(l, CounterSourceLive)
	if s.Source == healthcode.SourceCached {
		from = T(l, CounterSourceCached)
	}
	return fmt.Sprintf("%s %s · %s · %s", T(l, CounterStatusNow), ColourWord(l, s.Colour), AsOfText(l, s.AsOf), from)
}

// CodeLine is one paper code on the counter: its state now first (with
// until when it is valid, or since when it is not), then when and where
// it was issued, so that a line cut short loses the place, not the state.
func CodeLine(l Lang, c flow.Code) string {
	state := CodeStateText(l, c.State)
	switch {
	case c.State == flow.CodeActive:
		state += " · " + T(l, CounterValidUntil) + " " + clock(c.ExpiresAt)
	case !c.StateAt.IsZero():
		state += " " + clock(c.StateAt)
	}
	return fmt.Sprintf("%s · %s %s", state, clock(c.IssuedAt), c.Place)
}

// PendingLine is one item of hers waiting here.
func PendingLine(l Lang, p flow.PendingItem) string {
	kind := T(l, CounterPendingEnrol)
	if p.Kind == flow.PendingCorrection {
		kind = T(l, CounterPendingCorrect)
	}
	s := fmt.Sprintf("%s %s %s %s", kind, T(l, Receipt), p.Receipt, clock(p.Since))
	if p.Refused != "" {
		s += " · " + T(l, CounterRefused) + ": " + p.Refused
	}
	return s
}

// ConsequenceText names what a re-issue or a report of loss does to her
// papers: n of them stop working at once (how many when the codes are
// known, else all she holds).
func ConsequenceText(l Lang, n int, known bool) string {
	switch {
	case !known && l == EN:
		return "Every paper code she holds stops working at once: a scan shows it void."
	case !known:
		return "她手上所有的纸质码将立即作废：扫码显示不能使用。"
	case l == EN:
		return fmt.Sprintf("Her %d valid paper code(s) stop working at once: a scan shows them void. Tell her the old paper can be thrown away.", n)
	}
	return fmt.Sprintf("她现有的 %d 张有效纸质码将立即作废：扫码显示不能使用。请告诉她旧纸可以丢弃。", n)
}

// LostText is the outcome of a report of loss.
func LostText(l Lang, n int) string {
	if l == EN {
		return fmt.Sprintf("%d code(s) reported lost: the old paper is void", n)
	}
	return fmt.Sprintf("已挂失 %d 张纸质码：旧纸已不能使用", n)
}

// UnavailableText says why actions are not offered: "补打、挂失：需要联网".
func UnavailableText(l Lang, actions []string, why string) string {
	if l == EN {
		return strings.Join(actions, ", ") + ": " + why
	}
	return strings.Join(actions, "、") + "：" + why
}

// clock is a time as the counter writes it, in Shanghai's time.
func clock(t time.Time) string {
	if t.IsZero() {
		return "—"
	}
	return t.In(shanghai).Format("2006-01-02 15:04")
}
