package i18n

import (
	"github.com/shcommunity/kiosk/app/flow"
	"github.com/shcommunity/kiosk/healthcode"
)

// spokenWords holds the words of the prompts that are not a screen's message
// put into sentences: written to be understood when heard once, by an
// elderly resident, in short plain sentences. Numbers are written in words
// (十一位), so the speech engine cannot read them digit by digit.
var spokenWords = map[flow.Prompt][2]string{
	flow.PromptPrinting: {"正在为您打印纸质码，请稍候。", "Printing your paper code now. Please wait."},
	flow.PromptConsent: {
		"您还没有登记随申码，现在可以在这里登记。" +
			"登记会记下您的姓名和身份证号；您愿意的话，也可以留一个联系电话。" +
			"这些信息只用于随申码和公共卫生服务，会一直保存，直到您到柜台要求撤回。" +
			"同意，请点“同意并领取”；不同意，请点“不同意”。",
		"You are not registered yet. You can register here now. " +
			"Registering records your name and your ID card number, and, if you wish, a contact phone number. " +
			"They are used only for the health code and public health services, " +
			"and kept until you ask at a counter to withdraw them. " +
			"To agree, touch: Agree and get my code. If you do not agree, touch: I do not agree.",
	},
	flow.PromptPhone: {
		"如果愿意，可以用屏幕上的数字键，输入您本人或家属的手机号码。不想留电话，请点“跳过”。",
		"If you wish, type your own or a family member's mobile number on the keypad. If not, touch Skip.",
	},
	flow.PromptPhoneInvalid: {
		"这不是手机号码。请输入十一位的手机号码，或者点“跳过”。",
		"That is not a mobile number. Type an eleven digit mobile number, or touch Skip.",
	},
	flow.PromptDeclined: {
		"您选择了不登记，您的信息一点也没有保存。请取回您的身份证。",
		"You chose not to register. Nothing about you was kept. Please take your ID card.",
	},
	flow.PromptCancelled: {
		"身份证已经拿走，本次登记取消了，您的信息一点也没有保存。",
		"The card was taken away, so registering stopped. Nothing about you was kept.",
	},
	flow.PromptEnrolledOffline: {
		"现在网络不通，但您已经登记好了，正在打印回执。网络恢复以后，请在任意一台自助机上再放一次身份证，就能领到纸质码。",
		"The network is down, but you are registered, and a receipt is printing. " +
			"When the network is back, place your card again at any kiosk to get your paper code.",
	},
	flow.PromptAccessRecords: {
		"这是近三十天查询过您随申码的记录，按地点和用途列出。要带走，请点“打印”；看完请点“返回”。",
		"These are the places that looked up your health code in the last thirty days, by place and purpose. " +
			"To take them with you, touch Print. When you are done, touch Back.",
	},
	flow.PromptAccessNone: {
		"近三十天没有人查询过您的随申码。看完请点“返回”。",
		"Nobody looked up your health code in the last thirty days. When you are done, touch Back.",
	},
	flow.PromptHealthConsent: {
		"查看健康服务，要从健康云读取您的家庭医生、老年人免费体检、疫苗接种记录和提醒，不包括诊断和检查结果。" +
			"这些只在您的身份证放在读卡器上时显示，本机不保存。" +
			"同意以后，您的随申码变化和领码记录也会告知健康云，可以随时到服务点柜台撤回。" +
			"同意，请点“同意”；不同意，请点“不同意”。",
		"To show your health services, the kiosk reads your family doctor, free check-up, vaccinations and reminders " +
			"from the health cloud; no diagnosis and no test results. " +
			"They are shown only while your card is on the reader, and the kiosk keeps none of them. " +
			"If you agree, changes to your health code and the codes you take are told to the health cloud too; " +
			"you can withdraw at a counter at any time. " +
			"To agree, touch: I agree. If you do not agree, touch: I do not agree.",
	},
	flow.PromptHealthServices: {
		"这是您的健康服务：家庭医生、免费体检、疫苗接种和提醒。要带走，请点“打印”；看完请点“返回”。",
		"These are your health services: your family doctor, check-up, vaccinations and reminders. " +
			"To take them with you, touch Print. When you are done, touch Back.",
	},
	flow.PromptNoHealthRecord: {
		"健康云中没有您的记录。可以到社区卫生服务中心签约家庭医生。看完请点“返回”。",
		"The health cloud has no record of you. Your community health centre can sign you up with a family doctor. " +
			"When you are done, touch Back.",
	},
	flow.PromptSheetPrinted: {
		"已经打印好了，请从出纸口取走。",
		"It is printed. Please take it from the slot.",
	},
	flow.PromptReadyToPrint: {
		"您的纸质码已经准备好，现在为您打印。",
		"Your paper code is ready and is printing now.",
	},
}

// Spoken returns the words of a prompt in the language: what the kiosk
// says aloud, which is what the screen shows (the same messages, problem
// texts and colour meanings), in whole sentences. The clips in
// assets/voice are rendered from these words (scripts/voicegen), and a
// test fails when a clip is older than its words. It returns "" for
// PromptNone and for a prompt it does not know.
func Spoken(l Lang, p flow.Prompt) string {
	if m, ok := spokenWords[p]; ok {
		return inLang(l, m)
	}
	switch p {
	case flow.PromptPlaceCard:
		return saySentences(l, T(l, StartPrompt), T(l, StartHint))
	case flow.PromptPlaceEither:
		return saySentences(l, T(l, StartPrompt), T(l, StartPromptEither), T(l, StartHint))
	case flow.PromptTakeSlipSSC:
		return saySentences(l, T(l, DoneSSC), T(l, DoneHint))
	case flow.PromptChecking:
		return saySentences(l, T(l, Checking))
	case flow.PromptTakeSlip:
		return saySentences(l, T(l, Done), T(l, DoneHint))
	case flow.PromptHelpCalled:
		return saySentences(l, T(l, HelpRecorded), T(l, HelpComing))
	case flow.PromptColourGreen:
		return sayColour(l, healthcode.Green)
	case flow.PromptColourYellow:
		return sayColour(l, healthcode.Yellow)
	case flow.PromptColourRed:
		return sayColour(l, healthcode.Red)
	case flow.PromptColourUnknown:
		return sayColour(l, "")
	}
	for _, pr := range spokenProblems {
		if flow.ProblemPrompt(pr) == p {
			what, next := ProblemText(l, pr)
			return saySentences(l, what, next)
		}
	}
	return ""
}

// spokenProblems are the problems the self-service screen shows, each
// spoken as the screen writes it: what happened, then what to do
// (ProblemText).
var spokenProblems = []flow.Problem{
	flow.ProblemCardUnreadable, flow.ProblemCardExpired, flow.ProblemCardNotYetValid,
	flow.ProblemCardInvalid, flow.ProblemNotEnrolled, flow.ProblemServiceDown,
	flow.ProblemPaperOut, flow.ProblemCoverOpen, flow.ProblemPrinterDown,
	flow.ProblemReaderDown, flow.ProblemOutOfService, flow.ProblemInternal,
	flow.ProblemSSCUnreadable, flow.ProblemSSCLocked, flow.ProblemNotSSC, flow.ProblemSSCExpired,
}

// sayColour is "您的随申码是绿码。" and the colour's meaning; for no
// colour, that it is unknown and what to do.
func sayColour(l Lang, c healthcode.Colour) string {
	if !c.Valid() {
		return saySentences(l, inLang(l, [2]string{"您的随申码状态未知", "Your health code status is unknown"}), ColourMeaning(l, c))
	}
	return saySentences(l, inLang(l, [2]string{"您的随申码是" + c.Word(), "Your health code status: " + c.EnglishWord()}), ColourMeaning(l, c))
}

// saySentences ends each part with a full stop, in the language's
// punctuation, and joins them: the speech engine pauses at each.
func saySentences(l Lang, parts ...string) string {
	var s string
	for _, p := range parts {
		if l == EN {
			if s != "" {
				s += " "
			}
			s += p + "."
			continue
		}
		s += p + "。"
	}
	return s
}

// inLang is the message of the language from a {Chinese, English} pair.
func inLang(l Lang, m [2]string) string {
	if l == EN {
		return m[1]
	}
	return m[0]
}
