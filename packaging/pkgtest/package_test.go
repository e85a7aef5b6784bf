package pkgtest

import (
	"bytes"
	"debug/pe"
	"os"
	"os/exec"
	"path/filepath"
	"regexp"
	"strings"
	"sync"
	"testing"
	"unicode/utf16"
)

// artefacts are the outputs of packaging/build.sh.
type artefacts struct {
	dir                string
	version, deb, win  string // from VERSION
	debFile, installer string
	exes               map[string]string // kiosk → .../windows/kiosk.exe
}

var (
	builtOnce sync.Once
	built     artefacts
	buildErr  string
)

// slow skips unless KIOSK_PACKAGE_TESTS=1, then finds the artefacts,
// building them first if they are missing.
func slow(t *testing.T) artefacts {
	t.Helper()
	if os.Getenv("KIOSK_PACKAGE_TESTS") != "1" {
		t.Skip("slow packaging test: set KIOSK_PACKAGE_TESTS=1 to run it (after `make package`, or it runs packaging/build.sh itself)")
	}
	builtOnce.Do(func() { built, buildErr = find(t) })
	if buildErr != "" {
		t.Fatal(buildErr)
	}
	return built
}

func find(t *testing.T) (artefacts, string) {
	dir := os.Getenv("KIOSK_PACKAGE_DIR")
	if dir == "" {
		dir = filepath.Join(root(t), "out", "package")
	}
	a := artefacts{dir: dir, exes: map[string]string{}}
	if _, err := os.Stat(filepath.Join(dir, "VERSION")); err != nil {
		t.Logf("no artefacts in %s: running packaging/build.sh", dir)
		cmd := exec.Command("bash", filepath.Join(root(t), "packaging", "build.sh"), "--out", dir)
		if out, err := cmd.CombinedOutput(); err != nil {
			return a, "packaging/build.sh: " + err.Error() + "\n" + string(out)
		}
	}
	v, err := os.ReadFile(filepath.Join(dir, "VERSION"))
	if err != nil {
		return a, err.Error()
	}
	for _, l := range strings.Split(strings.TrimSpace(string(v)), "\n") {
		k, val, _ := strings.Cut(l, "=")
		switch k {
		case "version":
			a.version = val
		case "deb":
			a.deb = val
		case "windows":
			a.win = val
		}
	}
	a.debFile = filepath.Join(dir, "suishen-kiosk_"+a.deb+"_amd64.deb")
	a.installer = filepath.Join(dir, "suishen-kiosk-setup-"+a.version+".exe")
	for _, c := range []string{"kiosk", "kioskctl", "codeservice"} {
		a.exes[c] = filepath.Join(dir, "windows", c+".exe")
	}
	for _, f := range append([]string{a.debFile, a.installer}, a.exes["kiosk"], a.exes["kioskctl"], a.exes["codeservice"]) {
		st, err := os.Stat(f)
		if err != nil {
			return a, "missing artefact: " + err.Error()
		}
		t.Logf("%-50s %6.1f MiB", filepath.Base(f), float64(st.Size())/(1<<20))
	}
	return a, ""
}

func run(t *testing.T, name string, args ...string) string {
	t.Helper()
	out, err := exec.Command(name, args...).CombinedOutput()
	if err != nil {
		t.Fatalf("%s %s: %v\n%s", name, strings.Join(args, " "), err, out)
	}
	return string(out)
}

func TestDebControl(t *testing.T) {
	a := slow(t)
	for field, want := range map[string]string{
		"Package": "suishen-kiosk", "Version": a.deb, "Architecture": "amd64", "Section": "misc",
	} {
		if got := strings.TrimSpace(run(t, "dpkg-deb", "-f", a.debFile, field)); got != want {
			t.Errorf("%s = %q, want %q", field, got, want)
		}
	}
	deps := run(t, "dpkg-deb", "-f", a.debFile, "Depends")
	for _, want := range []string{"libc6", "libgl1", "libx11-6", "libxcursor1", "libxrandr2", "libxi6"} {
		if !strings.Contains(deps, want) {
			t.Errorf("Depends = %q lacks %s (Fyne needs it)", strings.TrimSpace(deps), want)
		}
	}
	// The kiosk links ALSA's library for its spoken prompts (Oto), so
	// dpkg-shlibdeps finds it.
	if !strings.Contains(deps, "libasound2") {
		t.Errorf("Depends = %q lacks libasound2 (the sound output needs it)", strings.TrimSpace(deps))
	}
	if got := run(t, "dpkg-deb", "-f", a.debFile, "Installed-Size"); strings.TrimSpace(got) == "0" {
		t.Errorf("Installed-Size = %q", got)
	}
}

// TestDebPCSC: the social-security card's reader needs libpcsclite1 at
// run time and recommends pcscd; vsmartcard's vpcd, the tests' virtual
// reader, is neither a dependency nor in the package.
func TestDebPCSC(t *testing.T) {
	a := slow(t)
	if deps := run(t, "dpkg-deb", "-f", a.debFile, "Depends"); !strings.Contains(deps, "libpcsclite1") {
		t.Errorf("Depends = %q lacks libpcsclite1 (kioskctl links it)", strings.TrimSpace(deps))
	}
	if rec := run(t, "dpkg-deb", "-f", a.debFile, "Recommends"); !strings.Contains(rec, "pcscd") {
		t.Errorf("Recommends = %q lacks pcscd", strings.TrimSpace(rec))
	}
	for _, field := range []string{"Pre-Depends", "Depends", "Recommends", "Suggests", "Enhances"} {
		if v := run(t, "dpkg-deb", "-f", a.debFile, field); strings.Contains(v, "vsmartcard") || strings.Contains(v, "vpcd") {
			t.Errorf("%s = %q names the test-only vpcd driver", field, strings.TrimSpace(v))
		}
	}
	listing := run(t, "dpkg-deb", "-c", a.debFile)
	for _, bad := range []string{"vpcd", "reader.conf.d", "/usr/lib/pcsc/"} {
		if strings.Contains(listing, bad) {
			t.Errorf("the package ships %q, a test-only reader driver's file", bad)
		}
	}
}

// debEntry is one line of dpkg-deb -c: mode, owner and path.
type debEntry struct{ mode, owner string }

func TestDebContents(t *testing.T) {
	a := slow(t)
	listing := run(t, "dpkg-deb", "-c", a.debFile)
	entries := map[string]debEntry{}
	for _, l := range strings.Split(strings.TrimSpace(listing), "\n") {
		f := strings.Fields(l)
		if len(f) < 6 {
			t.Fatalf("odd listing line %q", l)
		}
		entries[strings.TrimPrefix(strings.TrimSuffix(f[5], "/"), ".")] = debEntry{f[0], f[1]}
	}
	want := map[string]string{
		"/usr/bin/kiosk":                                "-rwxr-xr-x",
		"/usr/bin/kioskctl":                             "-rwxr-xr-x",
		"/usr/bin/codeservice":                          "-rwxr-xr-x",
		"/usr/share/applications/suishen-kiosk.desktop": "-rw-r--r--",
		"/usr/share/suishen-kiosk/autostart/suishen-kiosk-autostart.desktop": "-rw-r--r--",
		"/usr/share/icons/hicolor/48x48/apps/suishen-kiosk.png":              "-rw-r--r--",
		"/usr/share/icons/hicolor/256x256/apps/suishen-kiosk.png":            "-rw-r--r--",
		"/usr/lib/udev/rules.d/60-suishen-kiosk.rules":                       "-rw-r--r--",
		"/usr/lib/systemd/system/suishen-codeservice.service":                "-rw-r--r--",
		"/usr/lib/sysusers.d/suishen-codeservice.conf":                       "-rw-r--r--",
		"/etc/default/suishen-codeservice":                                   "-rw-r--r--",
		"/usr/share/doc/suishen-kiosk/copyright":                             "-rw-r--r--",
		"/usr/share/doc/suishen-kiosk/changelog.gz":                          "-rw-r--r--",
		"/usr/share/doc/suishen-kiosk/PACKAGING.md":                          "-rw-r--r--",
		"/usr/share/doc/suishen-kiosk/OFL.txt":                               "-rw-r--r--",
	}
	for path, mode := range want {
		e, ok := entries[path]
		if !ok {
			t.Errorf("%s missing from the package", path)
			continue
		}
		if e.mode != mode {
			t.Errorf("%s mode %s, want %s", path, e.mode, mode)
		}
	}
	for path, e := range entries {
		if e.owner != "root/root" {
			t.Errorf("%s owned by %s, want root/root", path, e.owner)
		}
		if strings.HasPrefix(e.mode, "d") && e.mode != "drwxr-xr-x" {
			t.Errorf("directory %s mode %s, want drwxr-xr-x", path, e.mode)
		}
	}
}

func extract(t *testing.T, a artefacts) string {
	t.Helper()
	dir := t.TempDir()
	run(t, "dpkg-deb", "-x", a.debFile, dir)
	ctl := filepath.Join(dir, "DEBIAN")
	run(t, "dpkg-deb", "-e", a.debFile, ctl)
	return dir
}

func TestDebFilesMatchSources(t *testing.T) {
	a := slow(t)
	dir := extract(t, a)
	for inDeb, src := range map[string]string{
		"usr/lib/udev/rules.d/60-suishen-kiosk.rules":        "packaging/linux/60-suishen-kiosk.rules",
		"usr/lib/systemd/system/suishen-codeservice.service": "packaging/linux/suishen-codeservice.service",
		"DEBIAN/postinst": "packaging/linux/postinst",
		"DEBIAN/prerm":    "packaging/linux/prerm",
		"DEBIAN/postrm":   "packaging/linux/postrm",
	} {
		got, err := os.ReadFile(filepath.Join(dir, inDeb))
		if err != nil {
			t.Error(err)
			continue
		}
		if string(got) != readFile(t, src) {
			t.Errorf("%s differs from %s: rebuild the package", inDeb, src)
		}
	}
	conffiles, err := os.ReadFile(filepath.Join(dir, "DEBIAN", "conffiles"))
	if err != nil || string(conffiles) != "/etc/default/suishen-codeservice\n" {
		t.Errorf("conffiles = %q (%v)", conffiles, err)
	}
	validate := needTool(t, "desktop-file-validate")
	for _, f := range []string{"usr/share/applications/suishen-kiosk.desktop", "usr/share/suishen-kiosk/autostart/suishen-kiosk-autostart.desktop"} {
		if out, err := exec.Command(validate, filepath.Join(dir, f)).CombinedOutput(); err != nil || len(out) > 0 {
			t.Errorf("desktop-file-validate %s: %v\n%s", f, err, out)
		}
	}
	// md5sums covers every file and matches.
	cmd := exec.Command("md5sum", "--check", "--quiet", filepath.Join(dir, "DEBIAN", "md5sums"))
	cmd.Dir = dir
	if out, err := cmd.CombinedOutput(); err != nil {
		t.Errorf("md5sum --check: %v\n%s", err, out)
	}
}

func TestDebBinariesRunFromScratchRoot(t *testing.T) {
	a := slow(t)
	dir := extract(t, a)
	for _, c := range []string{"kiosk", "kioskctl", "codeservice"} {
		t.Run(c, func(t *testing.T) {
			cmd := exec.Command(filepath.Join(dir, "usr", "bin", c), "--version")
			// No display: --version must answer before the GUI starts.
			cmd.Env = append(os.Environ(), "DISPLAY=", "WAYLAND_DISPLAY=")
			out, err := cmd.CombinedOutput()
			if err != nil {
				t.Fatalf("%s --version: %v\n%s", c, err, out)
			}
			if !strings.Contains(string(out), a.version) {
				t.Errorf("%s --version = %q, want it to contain %q", c, out, a.version)
			}
		})
	}
}

// utf16le is s as the UTF-16LE bytes a version resource holds.
func utf16le(s string) []byte {
	var b []byte
	for _, u := range utf16.Encode([]rune(s)) {
		b = append(b, byte(u), byte(u>>8))
	}
	return b
}

func TestWindowsExecutables(t *testing.T) {
	a := slow(t)
	for c, path := range a.exes {
		t.Run(c, func(t *testing.T) {
			f, err := pe.Open(path)
			if err != nil {
				t.Fatal(err)
			}
			defer f.Close()
			if f.Machine != pe.IMAGE_FILE_MACHINE_AMD64 {
				t.Errorf("machine %#x, want AMD64", f.Machine)
			}
			oh, ok := f.OptionalHeader.(*pe.OptionalHeader64)
			if !ok {
				t.Fatal("not a PE32+ image")
			}
			wantSub := uint16(pe.IMAGE_SUBSYSTEM_WINDOWS_CUI)
			if c == "kiosk" {
				wantSub = pe.IMAGE_SUBSYSTEM_WINDOWS_GUI // -H=windowsgui: no console window
			}
			if oh.Subsystem != wantSub {
				t.Errorf("subsystem %d, want %d", oh.Subsystem, wantSub)
			}
			rsrc := f.Section(".rsrc")
			if rsrc == nil {
				t.Fatal("no .rsrc section: icon, version and manifest missing")
			}
			data, err := rsrc.Data()
			if err != nil {
				t.Fatal(err)
			}
			for _, want := range []string{"ProductVersion", a.version, c + ".exe"} {
				if !bytes.Contains(data, utf16le(want)) {
					t.Errorf("version resource lacks %q", want)
				}
			}
			if !bytes.Contains(data, []byte("requestedExecutionLevel")) {
				t.Error("no manifest in the resources")
			}
			libs, err := f.ImportedLibraries()
			if err != nil {
				t.Fatal(err)
			}
			for _, l := range libs {
				if regexp.MustCompile(`(?i)^(libgcc|libwinpthread|libstdc\+\+)`).MatchString(l) {
					t.Errorf("imports %s, which is not shipped: link statically", l)
				}
			}
		})
	}
}

func TestInstaller(t *testing.T) {
	a := slow(t)
	f, err := pe.Open(a.installer)
	if err != nil {
		t.Fatalf("installer is not a PE file: %v", err)
	}
	f.Close()
	// The script compiles from the built programs: what build.sh did, into
	// a scratch file, so the check holds for the script in the tree now.
	makensis := needTool(t, "makensis")
	out := filepath.Join(t.TempDir(), "installer.exe")
	ico := filepath.Join(t.TempDir(), "icons")
	run(t, "go", "run", filepath.Join(root(t), "packaging", "internal", "mkicon"), "-out", ico)
	run(t, makensis, "-V2", "-INPUTCHARSET", "UTF8",
		"-DVERSION="+a.version, "-DWINVERSION="+a.win, "-DSRCDIR="+filepath.Join(a.dir, "windows"),
		"-DICON="+filepath.Join(ico, "kiosk.ico"), "-DOUTFILE="+out,
		filepath.Join(root(t), "packaging", "windows", "kiosk.nsi"))
	st, err := os.Stat(out)
	if err != nil {
		t.Fatal(err)
	}
	var total int64
	for _, e := range a.exes {
		s, err := os.Stat(e)
		if err != nil {
			t.Fatal(err)
		}
		total += s.Size()
	}
	// LZMA packs the three programs to well under their total size, but
	// an installer much smaller than the kiosk alone has lost a file.
	kiosk, _ := os.Stat(a.exes["kiosk"])
	if st.Size() < kiosk.Size()/5 || st.Size() > total {
		t.Errorf("installer is %d bytes for %d bytes of programs", st.Size(), total)
	}
}
