package idcard

// Nations maps the two-digit GB 3304 code on a resident card to the name
// of the nationality (docs/idcard-protocol.md, "Code tables"): the 56
// nations, 97 其他 and 98 外国血统中国籍人士.
// A map, not an array: the codes 97 and 98 do not follow 56 (the array in
// hev-idcard-reader gets them wrong).
var Nations = map[string]string{
	"01": "汉", "02": "蒙古", "03": "回", "04": "藏", "05": "维吾尔",
	"06": "苗", "07": "彝", "08": "壮", "09": "布依", "10": "朝鲜",
	"11": "满", "12": "侗", "13": "瑶", "14": "白", "15": "土家",
	"16": "哈尼", "17": "哈萨克", "18": "傣", "19": "黎", "20": "傈僳",
	"21": "佤", "22": "畲", "23": "高山", "24": "拉祜", "25": "水",
	"26": "东乡", "27": "纳西", "28": "景颇", "29": "柯尔克孜", "30": "土",
	"31": "达斡尔", "32": "仫佬", "33": "羌", "34": "布朗", "35": "撒拉",
	"36": "毛南", "37": "仡佬", "38": "锡伯", "39": "阿昌", "40": "普米",
	"41": "塔吉克", "42": "怒", "43": "乌孜别克", "44": "俄罗斯", "45": "鄂温克",
	"46": "德昂", "47": "保安", "48": "裕固", "49": "京", "50": "塔塔尔",
	"51": "独龙", "52": "鄂伦春", "53": "赫哲", "54": "门巴", "55": "珞巴",
	"56": "基诺", "97": "其他", "98": "外国血统中国籍人士",
}

// Gender is the sex code of GB/T 2261.1 as the card stores it.
type Gender byte

// The gender codes (docs/idcard-protocol.md, "Code tables").
const (
	GenderUnknown     Gender = 0 // 未知的性别
	GenderMale        Gender = 1 // 男
	GenderFemale      Gender = 2 // 女
	GenderUnspecified Gender = 9 // 未说明的性别
)

// String returns the Chinese word printed on the card.
func (g Gender) String() string {
	switch g {
	case GenderUnknown:
		return "未知"
	case GenderMale:
		return "男"
	case GenderFemale:
		return "女"
	case GenderUnspecified:
		return "未说明"
	}
	return "?"
}

// Code returns the one-character code: "0", "1", "2" or "9".
func (g Gender) Code() string { return string(rune('0' + g)) }

// ParseGender reads a one-character gender code.
func ParseGender(s string) (Gender, bool) {
	switch s {
	case "0":
		return GenderUnknown, true
	case "1":
		return GenderMale, true
	case "2":
		return GenderFemale, true
	case "9":
		return GenderUnspecified, true
	}
	return 0, false
}
