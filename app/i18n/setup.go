package i18n

import (
	"maps"

	"github.com/shcommunity/kiosk/app/flow"
)

// The first-run screen's device step: the reader and the printer picked
// from the serial ports, a test of each and the paper width; then the
// mode's name on the service step. These words join the messages (Keys,
// T) when the package starts.
const (
	SetupDevices   Key = "setup_devices"
	SetupService   Key = "setup_service"
	SetupReader    Key = "setup_reader"
	SetupPrinter   Key = "setup_printer"
	SetupPickPort  Key = "setup_pick_port"
	SetupPortPath  Key = "setup_port_path"
	SetupNoPorts   Key = "setup_no_ports"
	SetupPortsList Key = "setup_ports_list"
	SetupRefresh   Key = "setup_refresh"
	SetupTestRead  Key = "setup_test_read"
	SetupTestPrint Key = "setup_test_print"
	SetupReading   Key = "setup_reading"
	SetupPrinting  Key = "setup_printing"
	SetupReadOK    Key = "setup_read_ok"
	SetupPrintOK   Key = "setup_print_ok"
	SetupPaper     Key = "setup_paper"
	SetupNext      Key = "setup_next"
	SetupBack      Key = "setup_back"
	SetupMode      Key = "setup_mode"

	// What a device test found, from setup.FaultOf.
	SetupNoPort         Key = "setup_no_port"
	SetupPortMissing    Key = "setup_port_missing"
	SetupPortBusy       Key = "setup_port_busy"
	SetupPortPermission Key = "setup_port_permission"
	SetupUnplugged      Key = "setup_unplugged"
	SetupNoCard         Key = "setup_no_card"
	SetupReaderSilent   Key = "setup_reader_silent"
	SetupCardExpired    Key = "setup_card_expired"
	SetupCardInvalid    Key = "setup_card_invalid"
	SetupPaperOut       Key = "setup_paper_out"
	SetupCoverOpen      Key = "setup_cover_open"
	SetupPrinterSilent  Key = "setup_printer_silent"
	SetupPrinterFault   Key = "setup_printer_fault"
	SetupFailed         Key = "setup_failed"

	// The modes' names.
	ModeSelfName    Key = "mode_self"
	ModeCounterName Key = "mode_counter"
	ModeVenueName   Key = "mode_venue"
)

var setupMessages = map[Key][2]string{
	SetupDevices:   {"第一步：读卡器和打印机", "Step 1: the reader and the printer"},
	SetupService:   {"第二步：连接服务", "Step 2: the code service"},
	SetupReader:    {"身份证读卡器", "ID card reader"},
	SetupPrinter:   {"打印机", "Printer"},
	SetupPickPort:  {"选择串口", "Choose a port"},
	SetupPortPath:  {"串口，如 /dev/ttyUSB0、COM3", "Port, e.g. /dev/ttyUSB0, COM3"},
	SetupNoPorts:   {"未发现串口：请插好设备后点“刷新”，或直接输入串口", "No serial ports found: plug the devices in and tap Refresh, or type the port"},
	SetupPortsList: {"发现的串口：", "Serial ports found: "},
	SetupRefresh:   {"刷新", "Refresh"},
	SetupTestRead:  {"测试读卡", "Test read"},
	SetupTestPrint: {"打印测试页", "Print a test slip"},
	SetupReading:   {"请把身份证放在读卡器上…", "Place an ID card on the reader…"},
	SetupPrinting:  {"正在打印测试页…", "Printing a test slip…"},
	SetupReadOK:    {"读卡正常：", "The reader works: "},
	SetupPrintOK:   {"测试页已打印，请查看打印机", "Test slip printed: look at the printer"},
	SetupPaper:     {"纸宽", "Paper width"},
	SetupNext:      {"下一步", "Next"},
	SetupBack:      {"上一步", "Back"},
	SetupMode:      {"用途", "Used for"},

	SetupNoPort:         {"请先选择或输入串口", "Choose or type a port first"},
	SetupPortMissing:    {"找不到这个串口：请检查连线后点“刷新”", "Port not found: check the cable and tap Refresh"},
	SetupPortBusy:       {"串口被其他程序占用：请关闭那个程序", "Another program has the port open: close it"},
	SetupPortPermission: {"没有打开串口的权限（Linux：把本账户加入 dialout 组，再重新登录）", "No permission to open the port (Linux: add this account to the dialout group and log in again)"},
	SetupUnplugged:      {"设备已断开：请检查 USB 线", "The device was unplugged: check the USB cable"},
	SetupNoCard:         {"没有读到卡：请把身份证平放在读卡器上再试", "No card read: lay an ID card flat on the reader and try again"},
	SetupReaderSilent:   {"读卡器没有应答：请检查电源、连线和波特率，或这个串口不是读卡器", "The reader does not answer: check its power, cable and baud rate, or this port is not the reader"},
	SetupCardExpired:    {"读卡器正常，但这张证件已过期", "The reader works, but this card has expired"},
	SetupCardInvalid:    {"读卡器正常，但这张证件的信息有误", "The reader works, but this card's data is inconsistent"},
	SetupPaperOut:       {"打印机缺纸：请装入新纸卷并合上盖子", "The printer is out of paper: load a new roll and close the cover"},
	SetupCoverOpen:      {"打印机的盖子没有合上", "The printer's cover is open: close it"},
	SetupPrinterSilent:  {"打印机没有应答：请检查电源、连线和波特率，或这个串口不是打印机", "The printer does not answer: check its power, cable and baud rate, or this port is not the printer"},
	SetupPrinterFault:   {"打印机故障：请关机，清理纸张后再开机", "Printer fault: switch it off, clear the paper, switch it on"},
	SetupFailed:         {"测试失败：", "The test failed: "},

	ModeSelfName:    {"自助机", "Self-service"},
	ModeCounterName: {"柜台", "Counter"},
	ModeVenueName:   {"场所核验", "Venue check"},
}

func init() { maps.Copy(messages, setupMessages) }

// ModeName is a mode's name on the screens.
func ModeName(l Lang, m flow.Mode) string {
	switch m {
	case flow.ModeCounter:
		return T(l, ModeCounterName)
	case flow.ModeVenue:
		return T(l, ModeVenueName)
	}
	return T(l, ModeSelfName)
}
