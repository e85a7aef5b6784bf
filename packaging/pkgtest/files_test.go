package pkgtest

import (
	"bufio"
	"os"
	"os/exec"
	"path/filepath"
	"regexp"
	"runtime"
	"strings"
	"testing"

	"github.com/shcommunity/kiosk/sync/keystore"
)

// root is the repository root, two levels up from this package.
func root(t *testing.T) string {
	t.Helper()
	r, err := filepath.Abs(filepath.Join("..", ".."))
	if err != nil {
		t.Fatal(err)
	}
	return r
}

func readFile(t *testing.T, rel string) string {
	t.Helper()
	b, err := os.ReadFile(filepath.Join(root(t), rel))
	if err != nil {
		t.Fatal(err)
	}
	return string(b)
}

func needTool(t *testing.T, name string) string {
	t.Helper()
	p, err := exec.LookPath(name)
	if err != nil {
		t.Skipf("%s is not installed (packaging/build.sh installs it through scripts/deps.sh): %v", name, err)
	}
	return p
}

func TestVersionMapping(t *testing.T) {
	if runtime.GOOS != "linux" {
		t.Skip("build.sh runs on Debian/Ubuntu only")
	}
	tests := []struct{ git, deb, win string }{
		{"v1.2.3", "1.2.3", "1.2.3.0"},
		{"v1.2.3-4-gabc1234", "1.2.3+4.gabc1234", "1.2.3.4"},
		{"v1.2.3-4-gabc1234-dirty", "1.2.3+4.gabc1234.dirty", "1.2.3.4"},
		{"v1.2.3-dirty", "1.2.3+dirty", "1.2.3.0"},
		{"v2", "2", "2.0.0.0"},
		{"e221e9e", "0~git.e221e9e", "0.0.0.0"},
		{"e221e9e-dirty", "0~git.e221e9e.dirty", "0.0.0.0"},
		{"v1.2.99999", "1.2.99999", "1.2.65535.0"},
	}
	for _, tt := range tests {
		t.Run(tt.git, func(t *testing.T) {
			cmd := exec.Command("bash", filepath.Join(root(t), "packaging", "build.sh"), "--print-versions")
			cmd.Env = append(os.Environ(), "VERSION="+tt.git)
			out, err := cmd.CombinedOutput()
			if err != nil {
				t.Fatalf("build.sh --print-versions: %v\n%s", err, out)
			}
			want := "version=" + tt.git + "\ndeb=" + tt.deb + "\nwindows=" + tt.win + "\n"
			if string(out) != want {
				t.Errorf("got\n%s\nwant\n%s", out, want)
			}
		})
	}
}

// udevRule is one rule line: its key-operator-value triples.
type udevRule struct {
	line int
	keys map[string]string // "ATTRS{idVendor}==" → "1a86"
}

var udevKey = regexp.MustCompile(`^\s*([A-Z_]+(?:\{[^}]+\})?)\s*(==|!=|\+=|-=|:=|=)\s*"([^"]*)"\s*(?:,|$)`)

func parseUdev(t *testing.T, text string) (rules []udevRule, labels, gotos map[string]int) {
	t.Helper()
	labels, gotos = map[string]int{}, map[string]int{}
	sc := bufio.NewScanner(strings.NewReader(text))
	for n := 1; sc.Scan(); n++ {
		line := strings.TrimSpace(sc.Text())
		if line == "" || strings.HasPrefix(line, "#") {
			continue
		}
		r := udevRule{line: n, keys: map[string]string{}}
		for rest := line; rest != ""; {
			m := udevKey.FindStringSubmatch(rest)
			if m == nil {
				t.Fatalf("udev rules line %d: cannot parse %q", n, rest)
			}
			r.keys[m[1]+m[2]] = m[3]
			switch m[1] + m[2] {
			case "LABEL=":
				labels[m[3]] = n
			case "GOTO=":
				gotos[m[3]] = n
			}
			rest = strings.TrimSpace(rest[len(m[0]):])
		}
		rules = append(rules, r)
	}
	return rules, labels, gotos
}

func TestUdevRules(t *testing.T) {
	rules, labels, gotos := parseUdev(t, readFile(t, "packaging/linux/60-suishen-kiosk.rules"))
	for g, n := range gotos {
		if _, ok := labels[g]; !ok {
			t.Errorf("line %d: GOTO %q has no LABEL", n, g)
		}
	}
	for _, id := range []struct{ vid, pid, chip string }{
		{"1a86", "7523", "CH340"}, {"067b", "2303", "PL2303"}, {"10c4", "ea60", "CP210x"}, {"0403", "6001", "FTDI"},
	} {
		t.Run(id.chip, func(t *testing.T) {
			found := false
			for _, r := range rules {
				if r.keys["ATTRS{idVendor}=="] != id.vid || r.keys["ATTRS{idProduct}=="] != id.pid {
					continue
				}
				found = true
				for k, want := range map[string]string{"GROUP=": "dialout", "MODE=": "0660", "ENV{ID_MM_DEVICE_IGNORE}=": "1"} {
					if got := r.keys[k]; got != want {
						t.Errorf("line %d: %s%q, want %q", r.line, k, got, want)
					}
				}
			}
			if !found {
				t.Errorf("no rule for %s:%s", id.vid, id.pid)
			}
		})
	}
	links := map[string]bool{}
	for _, r := range rules {
		if l := r.keys["SYMLINK+="]; l != "" {
			links[l] = true
		}
	}
	for _, l := range []string{"suishen-reader", "suishen-printer"} {
		if !links[l] {
			t.Errorf("no rule makes /dev/%s", l)
		}
	}
}

func TestDesktopEntries(t *testing.T) {
	for file, execLine := range map[string]string{
		"packaging/linux/suishen-kiosk.desktop":           "kiosk",
		"packaging/linux/suishen-kiosk-autostart.desktop": "kiosk --kiosk",
	} {
		t.Run(filepath.Base(file), func(t *testing.T) {
			text := readFile(t, file)
			for _, want := range []string{"\nExec=" + execLine + "\n", "\nIcon=suishen-kiosk\n", "\nType=Application\n"} {
				if !strings.Contains(text, want) {
					t.Errorf("%s lacks %q", file, strings.TrimSpace(want))
				}
			}
			validate := needTool(t, "desktop-file-validate")
			if out, err := exec.Command(validate, filepath.Join(root(t), file)).CombinedOutput(); err != nil || len(out) > 0 {
				t.Errorf("desktop-file-validate %s: %v\n%s", file, err, out)
			}
		})
	}
}

func TestSystemdUnit(t *testing.T) {
	unit := readFile(t, "packaging/linux/suishen-codeservice.service")
	for _, want := range []string{
		"User=suishen-codeservice", "StateDirectory=suishen-codeservice", "StateDirectoryMode=0700",
		"NoNewPrivileges=yes", "ProtectSystem=strict", "ProtectHome=yes", "PrivateTmp=yes", "PrivateDevices=yes",
		"CapabilityBoundingSet=\n", "SystemCallFilter=@system-service", "RestrictAddressFamilies=AF_INET AF_INET6 AF_UNIX",
		"ExecStart=/usr/bin/codeservice $CODESERVICE_ARGS", "EnvironmentFile=-/etc/default/suishen-codeservice",
	} {
		if !strings.Contains(unit, want) {
			t.Errorf("unit lacks %q", strings.TrimSpace(want))
		}
	}
	def := readFile(t, "packaging/linux/suishen-codeservice.default")
	if !strings.Contains(def, "--db /var/lib/suishen-codeservice/") {
		t.Errorf("default args do not keep the database in the state directory:\n%s", def)
	}
	// Every suggested address off loopback comes with TLS (the service
	// refuses one without it).
	for _, line := range strings.Split(def, "\n") {
		if strings.Contains(line, "--addr") && !strings.Contains(line, "--addr 127.0.0.1") && !strings.Contains(line, "--tls-cert") {
			t.Errorf("a suggested non-loopback address without TLS: %s", line)
		}
	}
	sysusers := readFile(t, "packaging/linux/suishen-codeservice.sysusers")
	if !regexp.MustCompile(`(?m)^u suishen-codeservice `).MatchString(sysusers) {
		t.Errorf("sysusers file does not declare the account:\n%s", sysusers)
	}
}

func TestMaintainerScriptsParse(t *testing.T) {
	for _, s := range []string{"postinst", "prerm", "postrm"} {
		t.Run(s, func(t *testing.T) {
			path := filepath.Join(root(t), "packaging", "linux", s)
			st, err := os.Stat(path)
			if err != nil {
				t.Fatal(err)
			}
			if st.Mode().Perm()&0o111 == 0 {
				t.Errorf("%s is not executable (mode %v)", s, st.Mode())
			}
			if out, err := exec.Command("sh", "-n", path).CombinedOutput(); err != nil {
				t.Errorf("sh -n %s: %v\n%s", s, err, out)
			}
		})
	}
	if out, err := exec.Command("bash", "-n", filepath.Join(root(t), "packaging", "build.sh")).CombinedOutput(); err != nil {
		t.Errorf("bash -n build.sh: %v\n%s", err, out)
	}
}

func TestNSISScriptNamesTheDataDirs(t *testing.T) {
	nsi := readFile(t, "packaging/windows/kiosk.nsi")
	for _, want := range []string{
		`!define APPDIR "shcommunity-kiosk"`, `RMDir /r "$APPDATA\${APPDIR}"`, `RMDir /r "$LOCALAPPDATA\${APPDIR}"`,
		`!define KEYDIR "` + keystore.DirName + `"`, `RMDir /r "$APPDATA\${KEYDIR}"`,
		`Section /o "un.$(SecUnData)"`, `Section /o "$(SecKiosk)"`, `"$INSTDIR\kiosk.exe" --kiosk`,
	} {
		if !strings.Contains(nsi, want) {
			t.Errorf("kiosk.nsi lacks %s", want)
		}
	}
}
