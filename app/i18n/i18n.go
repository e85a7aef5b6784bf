package i18n

import (
	"fmt"
	"os"
	"slices"
	"strings"
	"time"

	"github.com/shcommunity/kiosk/app/flow"
	"github.com/shcommunity/kiosk/healthcode"
)

// Lang is a language of the screens.
type Lang string

// The two languages. Chinese is the default.
const (
	ZH Lang = "zh-CN"
	EN Lang = "en"
)

// Default is the language a kiosk starts in.
const Default = ZH

// Parse reads a language setting ("zh", "zh-CN", "en", "en_US.UTF-8");
// anything else, including the C and POSIX locales, is Chinese.
func Parse(s string) Lang {
	s = strings.ToLower(strings.TrimSpace(s))
	if strings.HasPrefix(s, "en") {
		return EN
	}
	return ZH
}

// FromEnv picks the language from LANGUAGE, LC_ALL, LC_MESSAGES and LANG
// as a hint only: a kiosk is Chinese unless English is asked for, and an
// unset, C or POSIX locale never stops it.
func FromEnv() Lang {
	for _, k := range []string{"KIOSK_LANG", "LANGUAGE", "LC_ALL", "LC_MESSAGES", "LANG"} {
		if v := os.Getenv(k); v != "" && v != "C" && v != "POSIX" && !strings.HasPrefix(v, "C.") {
			return Parse(v)
		}
	}
	return Default
}

// Other returns the language the switch button offers.
func (l Lang) Other() Lang {
	if l == EN {
		return ZH
	}
	return EN
}

// Key names a message.
type Key string

// The messages.
const (
	Title        Key = "title"
	StartPrompt  Key = "start_prompt"
	StartHint    Key = "start_hint"
	Checking     Key = "checking"
	Printing     Key = "printing"
	Done         Key = "done"
	DoneHint     Key = "done_hint"
	HelpButton   Key = "help_button"
	HelpComing   Key = "help_coming"
	HelpRecorded Key = "help_recorded"
	BackButton   Key = "back_button"
	LangButton   Key = "lang_button"
	AsOf         Key = "as_of"
	Cached       Key = "cached"
	Unknown      Key = "unknown"
	UnknownMeans Key = "unknown_means"
	PendingTitle Key = "pending_title"
	PendingMeans Key = "pending_means"
	Receipt      Key = "receipt"
	Reprint      Key = "reprint"
	// UncheckedMeans: the slip of a resident whose status could not be
	// checked offline (flow.TicketUnchecked).
	UncheckedMeans Key = "unchecked_means"
	ReaderOn       Key = "reader_on"
	ReaderOff      Key = "reader_off"
	// The social-security card: the line under the start screen's and
	// the venue check's prompt on a kiosk whose contact reader is ready,
	// the last words to a resident who used hers, and the card named
	// where a resident's details show.
	StartPromptEither Key = "start_prompt_either"
	DoneSSC           Key = "done_ssc"
	SourceSSC         Key = "source_ssc"
	Online            Key = "online"
	Offline           Key = "offline"
	Waiting           Key = "waiting"
	Damaged           Key = "damaged"
	VenuePrompt       Key = "venue_prompt"
	VenueScan         Key = "venue_scan"
	CannotVerify      Key = "cannot_verify"
	Refused           Key = "refused"
	PreviewLabel      Key = "preview_label"
	NameLabel         Key = "name_label"
	IDLabel           Key = "id_label"
	PrinterPrefix     Key = "printer"
	ExitTitle         Key = "exit_title"
	ExitPrompt        Key = "exit_prompt"
	ExitShort         Key = "exit_short"
	ExitChecking      Key = "exit_checking"
	ExitNoPIN         Key = "exit_no_pin"
	ExitBroken        Key = "exit_broken"
	ExitOK            Key = "exit_ok"
	ExitCancel        Key = "exit_cancel"
	ExitDelete        Key = "exit_delete"

	// Enrolment of a resident alone at the self-service kiosk.
	ConsentTitle         Key = "consent_title"
	ConsentNew           Key = "consent_new"
	ConsentOffline       Key = "consent_offline"
	ConsentWhat          Key = "consent_what"
	ConsentWhy           Key = "consent_why"
	ConsentHowLong       Key = "consent_how_long"
	ConsentAgree         Key = "consent_agree"
	ConsentDecline       Key = "consent_decline"
	PhoneTitle           Key = "phone_title"
	PhoneHint            Key = "phone_hint"
	PhoneRefused         Key = "phone_refused"
	PhoneConfirm         Key = "phone_confirm"
	PhoneSkip            Key = "phone_skip"
	PhoneDelete          Key = "phone_delete"
	Enrolling            Key = "enrolling"
	EnrolledPrinting     Key = "enrolled_printing"
	EnrolledOfflineTitle Key = "enrolled_offline_title"
	DeclinedTitle        Key = "declined_title"
	DeclinedHint         Key = "declined_hint"
	CancelledNotice      Key = "cancelled_notice"
	ReadAloud            Key = "read_aloud"
	SayAgain             Key = "say_again"

	// The community worker's counter screen.
	CounterLoginTitle  Key = "counter_login_title"
	CounterWorkerID    Key = "counter_worker_id"
	CounterPassword    Key = "counter_password"
	CounterLogin       Key = "counter_login"
	CounterLoginFailed Key = "counter_login_failed"
	CounterLogout      Key = "counter_logout"
	CounterWorker      Key = "counter_worker"
	CounterPlaceCard   Key = "counter_place_card"
	CounterResident    Key = "counter_resident"
	CounterFamily      Key = "counter_family"
	CounterFamilyNone  Key = "counter_family_none"
	CounterFamilyWait  Key = "counter_family_wait"
	CounterFamilyRead  Key = "counter_family_read"
	CounterManualID    Key = "counter_manual_id"
	CounterManual      Key = "counter_manual"
	CounterPhone       Key = "counter_phone"
	CounterConsent     Key = "counter_consent"
	CounterEnrol       Key = "counter_enrol"
	CounterReissue     Key = "counter_reissue"
	CounterClear       Key = "counter_clear"
	CounterReason      Key = "counter_reason"
	CounterCorrect     Key = "counter_correct"
	CounterBusy        Key = "counter_busy"
	CounterNoConsent   Key = "counter_no_consent"
	CounterNoResident  Key = "counter_no_resident"
	CounterPrinted     Key = "counter_printed"
	CounterAccepted    Key = "counter_accepted"
	CounterDashboard   Key = "counter_dashboard"
	CounterRefresh     Key = "counter_refresh"
	CounterNever       Key = "counter_never"
	CounterLastSync    Key = "counter_last_sync"
	CounterHelpCalls   Key = "counter_help_calls"
	CounterCalls       Key = "counter_calls"
	CounterRejected    Key = "counter_rejected"
	CounterReady       Key = "counter_ready"
	CounterUnchecked   Key = "counter_unchecked"
	CounterWatch       Key = "counter_watch"
	CounterPrintAgain  Key = "counter_print_again"
	CounterSlipExpired Key = "counter_slip_expired"
	CounterMinor       Key = "counter_minor"
	CounterGuardian    Key = "counter_guardian"
	CounterMinorTag    Key = "counter_minor_tag"

	// The first-run provisioning screen.
	ProvisionTitle   Key = "provision_title"
	ProvisionURL     Key = "provision_url"
	ProvisionCode    Key = "provision_code"
	ProvisionFinger  Key = "provision_fingerprint"
	ProvisionCentre  Key = "provision_centre"
	ProvisionButton  Key = "provision_button"
	ProvisionWorking Key = "provision_working"
	ProvisionFailed  Key = "provision_failed"
)

var messages = map[Key][2]string{
	Title:       {"随申码 · 自助打印", "Health code · self-service"},
	StartPrompt: {"请将身份证放在读卡器上", "Please place your ID card on the reader"},
	StartHint:   {"放好后请不要移开，稍等几秒", "Leave it there and wait a few seconds"},
	Checking:    {"正在查询，请稍候", "Checking, please wait"},
	Printing:    {"正在打印纸质码，请稍候", "Printing your paper code, please wait"},
	Done:        {"请取走您的纸质码和身份证", "Please take your paper code and your ID card"},
	DoneHint:    {"纸质码从下方出纸口取出", "The paper code comes out of the slot below"},
	HelpButton:  {"呼叫工作人员", "Call staff"},

	HelpComing:   {"工作人员马上就来", "A member of staff is coming"},
	HelpRecorded: {"已通知工作人员，请在此稍候", "Staff have been told; please wait here"},
	BackButton:   {"返回", "Back"},
	LangButton:   {"English", "中文"},
	AsOf:         {"截至", "as of"},
	Cached:       {"离线：显示本机保存的状态", "Offline: the status this kiosk holds"},
	Unknown:      {"状态未知", "Status unknown"},
	UnknownMeans: {"暂时无法确认您的颜色，请联系工作人员", "Your colour cannot be confirmed now; please ask staff"},
	PendingTitle: {"待同步回执", "Pending receipt"},
	PendingMeans: {"网络恢复后，在任一自助机再放一次身份证即可打印纸质码，或凭回执到柜台领取", "When the network is back, place your card on any kiosk again to print your code, or bring this receipt to the counter"},
	Receipt:      {"回执号", "Receipt"},
	Reprint:      {"补打：本机保存的纸质码", "Re-print of the code this kiosk holds"},
	UncheckedMeans: {"离线时无法核验您的状态，已打印说明。网络恢复后再放一次身份证，或到柜台查询",
		"Offline: your status cannot be checked, and the slip says so. Place your card again once the network is back, or ask at the counter"},
	ReaderOn:  {"读卡器已连接", "Reader connected"},
	ReaderOff: {"读卡器未连接", "Reader not connected"},

	StartPromptEither: {"也可以插入社保卡", "Or insert your social-security card"},
	DoneSSC:           {"请取走您的纸质码和社保卡", "Take your code and your social-security card"},
	SourceSSC:         {"社保卡", "Social-security card"},
	Online:            {"在线", "Online"},
	Offline:           {"离线", "Offline"},
	Waiting:           {"待上传", "waiting"},
	Damaged:           {"本机数据异常，暂停服务，请联系技术人员", "Local data damaged: out of service, call a technician"},
	VenuePrompt:       {"请刷身份证或扫描纸质码", "Tap an ID card or scan a paper code"},
	VenueScan:         {"扫码内容", "Scanned code"},
	CannotVerify:      {"无法核验", "Cannot verify"},
	Refused:           {"不能使用", "Not valid"},
	PreviewLabel:      {"纸质码预览（与打印一致）", "Paper code preview (exactly as printed)"},
	NameLabel:         {"姓名", "Name"},
	IDLabel:           {"证件号", "ID"},
	PrinterPrefix:     {"打印机", "Printer"},
	ExitTitle:         {"工作人员退出", "Staff exit"},
	ExitPrompt:        {"请输入退出密码", "Enter the exit PIN"},
	ExitShort:         {"退出密码为6到12位数字", "The exit PIN is 6 to 12 digits"},
	ExitChecking:      {"正在核对…", "Checking…"},
	ExitNoPIN:         {"未设置退出密码，无法在屏幕上退出。请技术人员先设置退出密码。", "No exit PIN is set, so the kiosk cannot be left from the screen. A technician must set one first."},
	ExitBroken:        {"退出密码设置已损坏，请技术人员重新设置。", "The stored exit PIN is damaged; a technician must set it again."},
	ExitOK:            {"确定", "OK"},
	ExitCancel:        {"取消", "Cancel"},
	ExitDelete:        {"删除", "Delete"},

	CounterLoginTitle:  {"社区工作人员登录", "Community worker login"},
	CounterWorkerID:    {"工号", "Worker ID"},
	CounterPassword:    {"密码", "Password"},
	CounterLogin:       {"登录", "Log in"},
	CounterLoginFailed: {"工号或密码不正确，或已被锁定，请稍后再试", "Wrong worker ID or password, or locked out; try again later"},
	CounterLogout:      {"退出", "Log out"},
	CounterWorker:      {"工作人员", "Worker"},
	CounterPlaceCard:   {"请将居民身份证放在读卡器上", "Place the resident's ID card on the reader"},
	CounterResident:    {"居民", "Resident"},
	CounterFamily:      {"家属代办：", "Family member: "},
	CounterFamilyNone:  {"无", "none"},
	CounterFamilyWait:  {"请放家属的身份证", "Place the family member's ID card"},
	CounterFamilyRead:  {"读家属卡", "Family card"},
	CounterManualID:    {"身份证号（读卡失败时手动录入）", "ID number (type it if the card cannot be read)"},
	CounterManual:      {"手动录入", "Type in"},
	CounterPhone:       {"联系电话（本人或家属）", "Phone (the resident's or a family member's)"},
	CounterConsent:     {"已告知并取得本人（或家属）同意", "Told the resident (or family); they agree"},
	CounterEnrol:       {"登记并打印", "Register and print"},
	CounterReissue:     {"补打新码", "Re-issue"},
	CounterClear:       {"清除", "Clear"},
	CounterReason:      {"纠错原因", "Correction reason"},
	CounterCorrect:     {"提交纠错", "Send correction"},
	CounterBusy:        {"正在办理，请稍候", "Working on it, please wait"},
	CounterNoConsent:   {"请先取得并勾选同意", "Get consent and tick the box first"},
	CounterNoResident:  {"请先读取居民身份证", "Read the resident's ID card first"},
	CounterPrinted:     {"已打印纸质码", "Paper code printed"},
	CounterAccepted:    {"已受理，回执号", "Accepted; receipt"},
	CounterDashboard:   {"工作台", "Dashboard"},
	CounterRefresh:     {"刷新", "Refresh"},
	CounterNever:       {"从未", "never"},
	CounterLastSync:    {"最近同步", "last sync"},
	CounterHelpCalls:   {"呼叫工作人员", "Calls for staff"},
	CounterCalls:       {"需回访（颜色已变）", "To call back (colour changed)"},
	CounterRejected:    {"被拒收（需处理）", "Rejected (needs handling)"},
	CounterReady:       {"纸质码已生成、尚未领取", "Code ready, not yet printed"},
	CounterUnchecked:   {"离线打印、状态未核验（请为其查询）", "Printed offline without a status check (check it for them)"},
	CounterWatch:       {"状态应变未变（请纠错核查）", "Status should have changed (check for a correction)"},
	CounterPrintAgain:  {"再次打印", "Print again"},
	CounterSlipExpired: {"状态已过期，请重新发码", "The status has expired: re-issue the code"},
	CounterMinor:       {"未成年人（户口簿）", "Minor (household register)"},
	CounterGuardian:    {"监护人：", "Guardian: "},
	CounterMinorTag:    {"（未满16周岁）", " (under 16)"},

	ProvisionTitle:   {"首次开通", "First run"},
	ProvisionURL:     {"服务地址 https://codes.example", "Service URL, e.g. https://codes.example"},
	ProvisionCode:    {"开通码", "Provisioning code"},
	ProvisionFinger:  {"服务指纹（与开通码一起给出）", "Service fingerprint (given with the code)"},
	ProvisionCentre:  {"服务点名称", "Centre name"},
	ProvisionButton:  {"开通", "Provision"},
	ProvisionWorking: {"正在开通…", "Registering…"},
	ProvisionFailed:  {"开通失败，请核对服务地址、开通码和服务指纹。", "Provisioning failed; check the service URL, the provisioning code and the service fingerprint."},

	ConsentTitle:   {"登记随申码", "Register for your health code"},
	ConsentNew:     {"您还没有随申码。现在登记，马上就能领取纸质码。", "No health code yet? Register to get it now."},
	ConsentOffline: {"网络暂时不通，无法确认您是否已有随申码。\n现在登记，网络恢复后即可领取纸质码。", "Offline: this kiosk cannot check for a code.\nRegister now: it is ready once back online."},
	ConsentWhat:    {"记录：姓名、身份证号码，和您自愿留下的电话", "Recorded: name, ID number, a phone if you wish"},
	ConsentWhy:     {"用途：只用于随申码和公共卫生服务", "Used only for the health code and public health"},
	ConsentHowLong: {"保存：到您在社区服务中心柜台申请撤回为止", "Kept until you withdraw at a community counter"},
	ConsentAgree:   {"同意并领取", "Agree and get my code"},
	ConsentDecline: {"不同意", "I do not agree"},
	PhoneTitle:     {"联系电话（可以不填）", "Contact phone (optional)"},
	PhoneHint:      {"可以填写您或家人的手机号码", "Your or a family member's mobile number"},
	PhoneRefused:   {"这不是手机号码。\n请输入11位手机号码，或按“跳过”", "That is not a mobile number.\nEnter 11 digits, or touch Skip"},
	PhoneConfirm:   {"确定", "OK"},
	PhoneSkip:      {"跳过", "Skip"},
	PhoneDelete:    {"删除", "Delete"},
	Enrolling:      {"正在为您登记，请稍候", "Registering you, please wait"},

	EnrolledPrinting:     {"登记成功，正在打印纸质码", "Registered: printing your paper code"},
	EnrolledOfflineTitle: {"已为您登记", "You are registered"},
	DeclinedTitle:        {"您选择了不登记", "You chose not to register"},
	DeclinedHint:         {"您的信息没有保存。请取回身份证", "Nothing about you was kept. Please take your ID card"},
	CancelledNotice:      {"刚才的登记已取消，信息没有保存", "The registration was cancelled; nothing was kept"},
	ReadAloud:            {"读给我听", "Read it to me"},
	SayAgain:             {"再听一遍", "Say it again"},
}

// Keys returns every message key, sorted: the tests check each against
// the bundled font and for a word in both languages.
func Keys() []Key {
	ks := make([]Key, 0, len(messages))
	for k := range messages {
		ks = append(ks, k)
	}
	slices.Sort(ks)
	return ks
}

// T returns the message in the language.
func T(l Lang, k Key) string {
	m, ok := messages[k]
	if !ok {
		return string(k)
	}
	return inLang(l, m)
}

// ColourWord is the word a colour block always carries: colour is never
// the only way the kiosk says it.
func ColourWord(l Lang, c healthcode.Colour) string {
	switch {
	case !c.Valid() && l == EN:
		return "Unknown"
	case !c.Valid():
		return "状态未知"
	case l == EN:
		return c.EnglishWord()
	}
	return c.Word()
}

// colourMeanings say in plain words what each colour means for the
// resident.
var colourMeanings = map[healthcode.Colour][2]string{
	healthcode.Green:  {"可以正常出行，进出场所出示此码", "You may go about as usual; show this code at entrances"},
	healthcode.Yellow: {"请减少外出，按社区要求做核酸检测", "Please limit going out and take a test as your community asks"},
	healthcode.Red:    {"请留在家中，听从社区和医生安排", "Please stay at home and follow your community's and doctor's advice"},
}

// ColourMeaning says in plain words what the colour means for the
// resident; without a colour, what to do when it is unknown.
func ColourMeaning(l Lang, c healthcode.Colour) string {
	return inLang(l, entryOr(colourMeanings, c, messages[UnknownMeans]))
}

// problemWords are what went wrong and what to do next: {what, next} in
// Chinese, then in English.
var problemWords = map[flow.Problem][4]string{
	flow.ProblemCardUnreadable:  {"身份证读取不成功", "请把身份证平放在读卡器中间，再试一次", "The card could not be read", "Lay the card flat in the middle of the reader and try again"},
	flow.ProblemCardExpired:     {"您的身份证已过期", "请联系工作人员，由工作人员帮您办理", "Your ID card has expired", "Please ask a member of staff to help you"},
	flow.ProblemCardNotYetValid: {"这张身份证还未生效", "请联系工作人员", "This card is not valid yet", "Please ask a member of staff"},
	flow.ProblemCardInvalid:     {"这张卡无法识别", "请联系工作人员核对证件", "This card cannot be recognised", "Please ask a member of staff to check it"},
	flow.ProblemNotEnrolled:     {"您还没有登记随申码", "请到柜台，工作人员帮您登记", "You are not registered yet", "Please go to the counter; staff will register you"},
	flow.ProblemServiceDown:     {"暂时连不上服务", "请稍后再试，或联系工作人员", "The service cannot be reached", "Please try again later or ask staff"},
	flow.ProblemPaperOut:        {"打印机缺纸", "请联系工作人员", "The printer is out of paper", "Please ask a member of staff"},
	flow.ProblemCoverOpen:       {"打印机盖子开着", "请联系工作人员", "The printer cover is open", "Please ask a member of staff"},
	flow.ProblemPrinterDown:     {"打印机暂时不能使用", "请联系工作人员", "The printer is not working", "Please ask a member of staff"},
	flow.ProblemPrinterFault:    {"打印机暂时不能使用", "请联系工作人员", "The printer is not working", "Please ask a member of staff"},
	flow.ProblemReaderDown:      {"读卡器暂时不能使用", "请联系工作人员", "The card reader is not working", "Please ask a member of staff"},
	flow.ProblemOutOfService:    {"这台机器暂停服务", "请到柜台，由工作人员为您办理", "This kiosk is out of service", "Please go to the counter; staff will help you"},
	flow.ProblemSSCUnreadable: {"社保卡读取不成功", "请把社保卡芯片朝里、正面朝上插到底再试", "The social-security card could not be read",
		"Insert it chip first, face up, all the way, and try again"},
	flow.ProblemSSCLocked: {"这张社保卡已锁定", "今天请改用身份证；到社保网点解锁", "This social-security card is locked",
		"Use your ID card; a social-security office unlocks it"},
	flow.ProblemNotSSC: {"这不是社保卡", "请插入社保卡，不是银行卡或交通卡", "This is not a social-security card",
		"Insert your social-security card, or use your ID card"},
	flow.ProblemSSCExpired: {"您的社保卡已过期", "今天请改用身份证；到社保网点换卡", "Your social-security card has expired",
		"Use your ID card; renew it at a social-security office"},
}

// ProblemText returns what went wrong and what to do next, in plain words.
func ProblemText(l Lang, p flow.Problem) (what, next string) {
	m := entryOr(problemWords, p, [4]string{"出了点问题", "请联系工作人员", "Something went wrong", "Please ask a member of staff"})
	if l == EN {
		return m[2], m[3]
	}
	return m[0], m[1]
}

// printerWords are the status bar's words for the printer.
var printerWords = map[flow.PrinterState][2]string{
	flow.PrinterReady:    {"打印机就绪", "Printer ready"},
	flow.PrinterPaperLow: {"打印纸快用完", "Paper low"},
	flow.PrinterPaperOut: {"打印机缺纸", "Out of paper"},
	flow.PrinterCover:    {"打印机盖子开着", "Printer cover open"},
	flow.PrinterFault:    {"打印机故障", "Printer fault"},
	flow.PrinterOffline:  {"打印机未连接", "Printer not connected"},
}

// PrinterText is the status bar's word for the printer; a state it has
// no words for is still being checked.
func PrinterText(l Lang, s flow.PrinterState) string {
	return inLang(l, entryOr(printerWords, s, [2]string{"打印机检查中", "Checking printer"}))
}

// entryOr is the table's entry for k, or fallback when it has none.
func entryOr[K comparable, V any](table map[K]V, k K, fallback V) V {
	if v, ok := table[k]; ok {
		return v
	}
	return fallback
}

// shanghai is the zone residents read times in; a fixed offset avoids
// depending on the host's time zone database.
var shanghai = time.FixedZone("CST", 8*60*60)

// AsOfText is the "as of" line of a status: "截至 2026-03-01 17:30".
func AsOfText(l Lang, t time.Time) string {
	if t.IsZero() {
		return ""
	}
	return fmt.Sprintf("%s %s", T(l, AsOf), t.In(shanghai).Format("2006-01-02 15:04"))
}

// contactWords are the status bar's words for the contact reader of
// social-security cards (the card slot). They are short: the status bar
// is one line, and with them it still fits a portrait screen.
var contactWords = map[flow.ContactState][2]string{
	flow.ContactReady:     {"社保卡可用", "Slot ready"},
	flow.ContactNoReader:  {"社保卡不可用", "Slot off"},
	flow.ContactNoService: {"社保卡服务停止", "Slot: no service"},
}

// ContactText is the status bar's words for the card slot
// (contactWords); "" when the kiosk has none to show.
func ContactText(l Lang, s flow.ContactState) string {
	m, ok := contactWords[s]
	if !ok {
		return ""
	}
	return inLang(l, m)
}

// WaitingText is the status bar's link text: "在线" or "离线 · 待上传 3".
func WaitingText(l Lang, link flow.Link) string {
	if link.Damaged {
		return T(l, Damaged)
	}
	s := T(l, Offline)
	if link.Online {
		s = T(l, Online)
	}
	if link.Waiting > 0 {
		s += fmt.Sprintf(" · %s %d", T(l, Waiting), link.Waiting)
	}
	return s
}

// ExitWrongText says the exit PIN was wrong and how many tries are left
// before the dialog locks.
func ExitWrongText(l Lang, left int) string {
	if l == EN {
		return fmt.Sprintf("Wrong PIN; %d more tries before a lockout", left)
	}
	return fmt.Sprintf("密码不正确，还可以再试 %d 次", left)
}

// ExitLockedText says the exit dialog refuses every PIN until a time
// (Shanghai time, as the screens show every time).
func ExitLockedText(l Lang, until time.Time) string {
	at := until.In(shanghai).Format("15:04")
	if l == EN {
		return "Too many wrong PINs; try again after " + at
	}
	return "错误次数过多，请在 " + at + " 以后再试"
}

// ProblemLine is a problem on one line, what went wrong and what to do
// next, joined the way the language punctuates.
func ProblemLine(l Lang, p flow.Problem) string {
	what, next := ProblemText(l, p)
	if l == EN {
		return what + "; " + next
	}
	return what + "，" + next
}

// ManualInvalidText says a typed ID number was refused, and why (the
// reason is pii.IDError's stable Reason, never the number).
func ManualInvalidText(l Lang, reason string) string {
	switch {
	case reason == flow.MinorNoGuardian && l == EN:
		return "Read the guardian's ID card first (Family card), then type the child's number"
	case reason == flow.MinorNoGuardian:
		return "请先读取监护人的身份证（读家属卡），再录入未成年人的证件号"
	case reason == flow.MinorNotMinor && l == EN:
		return "This number is of someone 16 or older: enrol them with their own card"
	case reason == flow.MinorNotMinor:
		return "该证件号的持有人已满16周岁，请用本人身份证登记"
	case l == EN:
		return "Invalid ID number (" + reason + "); please check it"
	}
	return "身份证号无效（" + reason + "），请核对"
}

// TodayText is the dashboard's count of today's actions.
func TodayText(l Lang, n int) string {
	if l == EN {
		return fmt.Sprintf("%d done today", n)
	}
	return fmt.Sprintf("今日办理 %d 项", n)
}

// watchReasons are the words of the watch list's reasons (api.Watch*).
var watchReasons = map[string][2]string{
	"still_yellow_after_arrival": {"14天已满，颜色未随之改变", "the 14 days ended and the colour did not change"},
	"close_contact_open":         {"密接观察超过14天未解除", "close-contact observation open past 14 days"},
	"correction_pending":         {"纠错申请超过24小时未处理", "correction waiting more than 24 hours"},
	"late_event":                 {"事件补录，期间颜色有误", "event recorded late; the colour was wrong meanwhile"},
}

// WatchReason says why a resident is on the counter's watch list; an
// unknown reason is shown as its code.
func WatchReason(l Lang, reason string) string { return wordOf(l, watchReasons, reason) }

// ListTitle is a dashboard list's title with its length: "需回访（颜色已变）（2）".
func ListTitle(l Lang, k Key, n int) string {
	if l == EN {
		return fmt.Sprintf("%s (%d)", T(l, k), n)
	}
	return fmt.Sprintf("%s（%d）", T(l, k), n)
}
