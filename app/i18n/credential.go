package i18n

import (
	"maps"
	"time"
)

// The medical-visit credential (就医凭证), a slip for a hospital's
// registration desk printed after the paper code. These words join the
// messages (Keys, T) when the package starts.
const (
	CredentialButton   Key = "credential_button"
	CredentialPrinting Key = "credential_printing"
	CredentialDone     Key = "credential_done"
	CredentialDoneSSC  Key = "credential_done_ssc"
	CredentialMeans    Key = "credential_means"
	CredentialCard     Key = "credential_card"
	CredentialNoCard   Key = "credential_no_card"
	CredentialUntil    Key = "credential_until"
)

var credentialMessages = map[Key][2]string{
	CredentialButton:   {"打印就医凭证", "Print hospital slip"},
	CredentialPrinting: {"正在打印就医凭证", "Printing your hospital slip"},
	CredentialDone:     {"请取走就医凭证和身份证", "Take your hospital slip and ID card"},
	CredentialDoneSSC:  {"请取走就医凭证和社保卡", "Take your hospital slip and social-security card"},
	CredentialMeans:    {"到医院挂号窗口出示，用于挂号；\n不含健康状态，不能用于场所核验", "Show it at a hospital's registration desk.\nIt has no health status: not for venues."},
	CredentialCard:     {"社保卡号", "Card no."},
	CredentialNoCard:   {"未读取社保卡（凭身份证办理）", "No social-security card read (ID card)"},
	CredentialUntil:    {"有效期至", "Valid until"},
}

func init() { maps.Copy(messages, credentialMessages) }

// CredentialUntilText is a credential's validity line: "有效期至
// 2026-03-02 17:30", in Shanghai time.
func CredentialUntilText(l Lang, t time.Time) string {
	return T(l, CredentialUntil) + "  " + t.In(shanghai).Format("2006-01-02 15:04")
}
