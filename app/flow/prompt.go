package flow

import "github.com/shcommunity/kiosk/healthcode"

// Prompt names one thing the self-service kiosk says aloud (语音提示), so
// that a resident who does not read well can still use it. Its value is
// stable, in snake_case, and is the file name of the pre-rendered clip
// (assets/voice/<lang>/<prompt>.wav); the words are in package i18n
// (Spoken), and they say what the screen shows.
//
// A flow emits a Prompt when a screen appears and never waits for it to
// be spoken. The colour read-outs are Private: a health status said aloud
// in a public hall is a privacy leak, so they are spoken only when the
// resident asks (读给我听), never when the result appears.
type Prompt string

// The prompts of the self-service screens.
const (
	// PromptNone: nothing to say.
	PromptNone Prompt = ""

	// PromptPlaceCard: the start screen, 请将身份证放在读卡器上.
	PromptPlaceCard Prompt = "place_card"
	// PromptPlaceEither: the start screen of a kiosk whose contact
	// reader is ready, 请放身份证，或插入社保卡.
	PromptPlaceEither Prompt = "place_either"
	// PromptChecking: the card was read, 正在查询，请稍候.
	PromptChecking Prompt = "checking"
	// PromptPrinting: the slip is printing.
	PromptPrinting Prompt = "printing"
	// PromptTakeSlip: the slip is out, 请取走您的纸质码和身份证.
	PromptTakeSlip Prompt = "take_slip"
	// PromptTakeSlipSSC: the slip is out and the resident used her
	// social-security card, 请取走您的纸质码和社保卡.
	PromptTakeSlipSSC Prompt = "take_slip_ssc"
	// PromptConsent: the consent screen read aloud: what registering
	// records, what for, for how long, and which button agrees.
	PromptConsent Prompt = "consent"
	// PromptPhone: the optional phone number on the keypad, or 跳过.
	PromptPhone Prompt = "phone"
	// PromptPhoneInvalid: what was typed is not a mobile number.
	PromptPhoneInvalid Prompt = "phone_invalid"
	// PromptDeclined: the resident declined; nothing was kept.
	PromptDeclined Prompt = "declined"
	// PromptCancelled: the card was taken away mid-enrolment; nothing was
	// kept.
	PromptCancelled Prompt = "cancelled"
	// PromptEnrolledOffline: registered while the network is down; a
	// receipt prints, and the card placed again later gets the code.
	PromptEnrolledOffline Prompt = "enrolled_offline"
	// PromptReadyToPrint: registered; the paper code prints now.
	PromptReadyToPrint Prompt = "ready_to_print"
	// PromptHelpCalled: staff have been called.
	PromptHelpCalled Prompt = "help_called"

	// A resident's own questions after her paper code. Neither answer
	// is read out: who looked her up and her health services are on
	// screen and on paper only, as her colour is.
	//
	// PromptAccessRecords: 谁查询过我 is on screen, with 打印 and 返回.
	PromptAccessRecords Prompt = "access_records"
	// PromptAccessNone: nobody looked her up in the last 30 days.
	PromptAccessNone Prompt = "access_none"
	// PromptHealthConsent: the health-consent screen read aloud: what is
	// read, that the kiosk keeps none of it, what goes to the health
	// cloud, and which button agrees.
	PromptHealthConsent Prompt = "health_consent"
	// PromptHealthServices: 我的健康服务 is on screen, with 打印 and 返回.
	PromptHealthServices Prompt = "health_services"
	// PromptNoHealthRecord: the health cloud has no record of her, and
	// where to sign up with a family doctor.
	PromptNoHealthRecord Prompt = "no_health_record"
	// PromptSheetPrinted: her answer's slip is out.
	PromptSheetPrinted Prompt = "sheet_printed"

	// One prompt per Problem the self-service screen shows: what
	// happened and what to do (ProblemPrompt).
	PromptCardUnreadable  Prompt = "card_unreadable"
	PromptCardExpired     Prompt = "card_expired"
	PromptCardNotYetValid Prompt = "card_not_yet_valid"
	PromptCardInvalid     Prompt = "card_invalid"
	PromptNotEnrolled     Prompt = "not_enrolled"
	PromptServiceDown     Prompt = "service_down"
	PromptPaperOut        Prompt = "paper_out"
	PromptCoverOpen       Prompt = "cover_open"
	PromptPrinterDown     Prompt = "printer_down"
	PromptReaderDown      Prompt = "reader_down"
	PromptOutOfService    Prompt = "out_of_service"
	PromptInternal        Prompt = "internal"
	PromptSSCUnreadable   Prompt = "ssc_unreadable"
	PromptSSCLocked       Prompt = "ssc_locked"
	PromptNotSSC          Prompt = "not_ssc"
	PromptSSCExpired      Prompt = "ssc_expired"

	// The colour read-outs, spoken only on request (Private): the
	// colour's word and what it means, as the screen shows them.
	PromptColourGreen   Prompt = "colour_green"
	PromptColourYellow  Prompt = "colour_yellow"
	PromptColourRed     Prompt = "colour_red"
	PromptColourUnknown Prompt = "colour_unknown"
)

// prompts is every prompt but PromptNone, in the order above.
var prompts = []Prompt{
	PromptPlaceCard, PromptChecking, PromptPrinting, PromptTakeSlip,
	PromptConsent, PromptPhone, PromptPhoneInvalid, PromptDeclined,
	PromptCancelled, PromptEnrolledOffline, PromptReadyToPrint, PromptHelpCalled,
	PromptCardUnreadable, PromptCardExpired, PromptCardNotYetValid, PromptCardInvalid,
	PromptNotEnrolled, PromptServiceDown, PromptPaperOut, PromptCoverOpen,
	PromptPrinterDown, PromptReaderDown, PromptOutOfService, PromptInternal,
	PromptSSCUnreadable, PromptSSCLocked, PromptNotSSC, PromptSSCExpired,
	PromptPlaceEither, PromptTakeSlipSSC,
	PromptAccessRecords, PromptAccessNone, PromptHealthConsent, PromptHealthServices,
	PromptNoHealthRecord, PromptSheetPrinted,
	PromptColourGreen, PromptColourYellow, PromptColourRed, PromptColourUnknown,
}

// Prompts returns every prompt (not PromptNone): one clip per prompt and
// language ships in assets/voice.
func Prompts() []Prompt {
	return append([]Prompt(nil), prompts...)
}

// Private reports whether the prompt says a health status: it is spoken
// only when the resident asks, never when a screen appears.
func (p Prompt) Private() bool {
	switch p {
	case PromptColourGreen, PromptColourYellow, PromptColourRed, PromptColourUnknown:
		return true
	}
	return false
}

// ProblemPrompt is what the kiosk says when the screen shows a problem;
// PromptNone for ProblemNone. A printer fault and a printer that does not
// answer read the same on screen, so they say the same.
func ProblemPrompt(p Problem) Prompt {
	switch p {
	case ProblemNone:
		return PromptNone
	case ProblemCardUnreadable:
		return PromptCardUnreadable
	case ProblemCardExpired:
		return PromptCardExpired
	case ProblemCardNotYetValid:
		return PromptCardNotYetValid
	case ProblemCardInvalid:
		return PromptCardInvalid
	case ProblemNotEnrolled:
		return PromptNotEnrolled
	case ProblemServiceDown:
		return PromptServiceDown
	case ProblemPaperOut:
		return PromptPaperOut
	case ProblemCoverOpen:
		return PromptCoverOpen
	case ProblemPrinterDown, ProblemPrinterFault:
		return PromptPrinterDown
	case ProblemReaderDown:
		return PromptReaderDown
	case ProblemOutOfService:
		return PromptOutOfService
	case ProblemSSCUnreadable:
		return PromptSSCUnreadable
	case ProblemSSCLocked:
		return PromptSSCLocked
	case ProblemNotSSC:
		return PromptNotSSC
	case ProblemSSCExpired:
		return PromptSSCExpired
	}
	return PromptInternal
}

// StatusPrompt is the read-out of a status for the 读给我听 button. A
// status that may not be shown as a colour (pending, unknown, a colour
// from no live or cached answer) says it cannot be confirmed now, as the
// screen does.
func StatusPrompt(s healthcode.Status) Prompt {
	if !s.HasColour() {
		return PromptColourUnknown
	}
	switch s.Colour {
	case healthcode.Green:
		return PromptColourGreen
	case healthcode.Yellow:
		return PromptColourYellow
	}
	return PromptColourRed
}
