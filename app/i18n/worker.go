package i18n

import (
	"fmt"
	"maps"
)

// The worker panel behind the exit PIN: the spoken prompts' volume and
// mute, then leave or go back. These words join the messages (Keys, T)
// when the package starts.
const (
	WorkerTitle      Key = "worker_title"
	WorkerQuieter    Key = "worker_quieter"
	WorkerLouder     Key = "worker_louder"
	WorkerMute       Key = "worker_mute"
	WorkerUnmute     Key = "worker_unmute"
	WorkerTry        Key = "worker_try"
	WorkerSave       Key = "worker_save"
	WorkerSaved      Key = "worker_saved"
	WorkerSaveFailed Key = "worker_save_failed"
	WorkerExit       Key = "worker_exit"
)

var workerMessages = map[Key][2]string{
	WorkerTitle:      {"工作人员设置", "Staff settings"},
	WorkerQuieter:    {"调小", "Quieter"},
	WorkerLouder:     {"调大", "Louder"},
	WorkerMute:       {"静音", "Mute"},
	WorkerUnmute:     {"取消静音", "Unmute"},
	WorkerTry:        {"试听", "Try"},
	WorkerSave:       {"保存", "Save"},
	WorkerSaved:      {"已保存，下次启动仍然有效", "Saved; kept after a restart"},
	WorkerSaveFailed: {"保存失败，本次运行仍然有效；请联系技术人员", "Not saved (it holds until a restart); call a technician"},
	WorkerExit:       {"退出程序", "Exit the kiosk"},
}

func init() { maps.Copy(messages, workerMessages) }

// VolumeText is the worker panel's volume line: "语音提示音量 80%", or
// that the prompts are muted.
func VolumeText(l Lang, percent int, muted bool) string {
	switch {
	case muted && l == EN:
		return fmt.Sprintf("Voice prompts muted (volume %d%%)", percent)
	case muted:
		return fmt.Sprintf("语音提示已静音（音量 %d%%）", percent)
	case l == EN:
		return fmt.Sprintf("Voice prompts volume %d%%", percent)
	}
	return fmt.Sprintf("语音提示音量 %d%%", percent)
}
