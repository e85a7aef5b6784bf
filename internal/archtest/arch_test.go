package archtest

import (
	"encoding/json"
	"errors"
	"go/ast"
	"go/parser"
	"go/token"
	"io"
	"os/exec"
	"path/filepath"
	"strings"
	"testing"
)

const module = "github.com/shcommunity/kiosk"

type pkg struct {
	ImportPath string
	Dir        string
	Name       string
	GoFiles    []string
	Imports    []string
	Deps       []string
}

// listPackages runs `go list` on the module: the same view of imports the
// compiler has, including build-tagged files for this platform.
func listPackages(t *testing.T) []pkg {
	t.Helper()
	goBin, err := exec.LookPath("go")
	if err != nil {
		t.Fatalf("go command not found: %v", err)
	}
	cmd := exec.Command(goBin, "list", "-json", module+"/...")
	out, err := cmd.Output()
	if err != nil {
		t.Fatalf("go list: %v", err)
	}
	var pkgs []pkg
	dec := json.NewDecoder(strings.NewReader(string(out)))
	for {
		var p pkg
		if err := dec.Decode(&p); errors.Is(err, io.EOF) {
			break
		} else if err != nil {
			t.Fatal(err)
		}
		pkgs = append(pkgs, p)
	}
	if len(pkgs) < 5 {
		t.Fatalf("go list found only %d packages; is the test running inside the module?", len(pkgs))
	}
	return pkgs
}

func rel(path string) string { return strings.TrimPrefix(strings.TrimPrefix(path, module), "/") }

func under(path, dir string) bool {
	r := rel(path)
	return r == dir || strings.HasPrefix(r, dir+"/")
}

// rule: packages under from may not depend (directly or not) on any
// package whose path starts with one of the forbidden prefixes, except
// packages under from itself.
type rule struct {
	from      string
	forbidden []string
	why       string
}

var rules = []rule{
	{"devices", []string{"fyne.io/", module + "/codesvc", module + "/sync", module + "/app"},
		"the device layer knows nothing of the GUI, the service or the sync engine"},
	{"codesvc", []string{"fyne.io/", module + "/devices", module + "/sync", module + "/app"},
		"the code service is a separate program; it shares only pii, sealbox, assets and internal/sqldb with the kiosk"},
	{"pii", []string{"fyne.io/", module + "/"}, "pii is a leaf: everyone imports it"},
	{"healthcode", []string{"fyne.io/", module + "/"}, "the domain's vocabulary is a leaf: every layer imports it"},
	{"devices/conn", []string{"fyne.io/", "go.bug.st/", module + "/"},
		"the device connection is a leaf: every driver, simulator and fake imports it"},
	{"app", []string{module + "/devices/conn/conntest"}, "the transcript fakes are for tests"},
	{"cmd/kiosk", []string{module + "/devices/conn/conntest"}, "the transcript fakes are for tests"},
	{"sealbox", []string{"fyne.io/", module + "/"}, "sealbox is a leaf"},
	{"sync", []string{"fyne.io/", module + "/app", module + "/devices"},
		"the sync engine talks to the store and the service, never to the GUI or the hardware"},
	{"internal", []string{"fyne.io/"}, "only the GUI imports Fyne"},
	{"internal/sqldb", []string{"fyne.io/", module + "/"},
		"the SQL helpers serve the kiosk's store and the service's alike and know neither"},
	{"app/flow", []string{"fyne.io/", module + "/sync", module + "/codesvc/client", module + "/app/wire"},
		"the flows are tested without a screen and reach the store and the service only through their own interfaces"},
	{"app/wire", []string{"fyne.io/"}, "the adapters are plain Go"},
	{"app/rig", []string{"fyne.io/"}, "the rig runs headless in tests and benchmarks"},
	{"app/config", []string{"fyne.io/"}, "configuration is plain Go"},
	{"app/i18n", []string{"fyne.io/"}, "the words are plain Go"},
	{"app/setup", []string{"fyne.io/", module + "/sync", module + "/codesvc/client"},
		"the first-run screen's device tests are plain Go and reach neither the store nor the service"},
	{"app/provision", []string{"fyne.io/"}, "provisioning is plain Go: the screen and kioskctl share it"},
	{"cmd/devsim", []string{"fyne.io/"}, "the simulators run headless"},
	{"cmd/kioskctl", []string{"fyne.io/", module + "/devices/ssc/pcsclab"},
		"the field tool runs on a text console and talks to the system's PC/SC service, never a private one"},
	{"cmd/codeservice", []string{"fyne.io/"}, "the service runs headless"},
	{"internal/crashpoint", []string{"fyne.io/", module + "/"}, "the crash points are a leaf that the write and sync paths call"},
	{"cmd", []string{module + "/app/campaign"}, "the crash campaign is a test; no program the project ships runs it"},
}

func TestImportRules(t *testing.T) {
	for _, p := range listPackages(t) {
		for _, r := range rules {
			if !under(p.ImportPath, r.from) {
				continue
			}
			for _, d := range p.Deps {
				for _, f := range r.forbidden {
					if strings.HasPrefix(d, f) && !under(d, rel(p.ImportPath)) && !under(d, r.from) {
						t.Errorf("%s depends on %s: %s", rel(p.ImportPath), d, r.why)
					}
				}
			}
		}
	}
}

func TestNoTestingInProductionCode(t *testing.T) {
	for _, p := range listPackages(t) {
		for _, imp := range p.Imports {
			if imp == "testing" || strings.HasPrefix(imp, "testing/") {
				t.Errorf("%s imports %s in non-test code", rel(p.ImportPath), imp)
			}
		}
	}
}

func TestOnePackageComment(t *testing.T) {
	for _, p := range listPackages(t) {
		var with []string
		for _, f := range p.GoFiles {
			af, err := parser.ParseFile(token.NewFileSet(), filepath.Join(p.Dir, f), nil, parser.PackageClauseOnly|parser.ParseComments)
			if err != nil {
				t.Fatal(err)
			}
			if af.Doc != nil {
				with = append(with, f)
			}
		}
		switch {
		case len(with) == 0:
			t.Errorf("%s has no package comment", rel(p.ImportPath))
		case len(with) > 1 && p.Name != "main":
			t.Errorf("%s has a package comment in %d files (%v); keep one, in doc.go", rel(p.ImportPath), len(with), with)
		}
	}
}

// colourWords are the words of the three colours, in both languages.
var colourWords = []string{"绿码", "黄码", "红码", "Green code", "Yellow code", "Red code"}

// TestColourWordsInOnePlace: a colour's word is written in package
// healthcode and nowhere else, so that a screen, a slip and a venue
// check cannot disagree on it. Comments may name the words; string
// literals of production code may not.
func TestColourWordsInOnePlace(t *testing.T) {
	for _, p := range listPackages(t) {
		if rel(p.ImportPath) == "healthcode" {
			continue
		}
		for _, f := range p.GoFiles {
			path := filepath.Join(p.Dir, f)
			fset := token.NewFileSet()
			af, err := parser.ParseFile(fset, path, nil, parser.SkipObjectResolution)
			if err != nil {
				t.Fatal(err)
			}
			ast.Inspect(af, func(n ast.Node) bool {
				lit, ok := n.(*ast.BasicLit)
				if !ok || lit.Kind != token.STRING {
					return true
				}
				for _, w := range colourWords {
					if strings.Contains(lit.Value, w) {
						t.Errorf("%s: the colour word %q is written here; use healthcode.Colour's Word or EnglishWord", fset.Position(lit.Pos()), w)
					}
				}
				return true
			})
		}
	}
}

// maxFuncLines is the longest a function outside tests may be without a
// paragraph in its doc comment starting "Length:" that says why.
const maxFuncLines = 80

// TestFunctionLength: no function outside tests is longer than
// maxFuncLines lines (from "func" to its closing brace) unless its doc
// comment says why in a "Length:" paragraph.
func TestFunctionLength(t *testing.T) {
	for _, p := range listPackages(t) {
		for _, f := range p.GoFiles {
			path := filepath.Join(p.Dir, f)
			fset := token.NewFileSet()
			af, err := parser.ParseFile(fset, path, nil, parser.ParseComments|parser.SkipObjectResolution)
			if err != nil {
				t.Fatal(err)
			}
			for _, d := range af.Decls {
				fd, ok := d.(*ast.FuncDecl)
				if !ok || fd.Body == nil {
					continue
				}
				n := fset.Position(fd.End()).Line - fset.Position(fd.Pos()).Line + 1
				if n <= maxFuncLines || fd.Doc != nil && strings.Contains(fd.Doc.Text(), "\nLength: ") {
					continue
				}
				t.Errorf("%s: %s is %d lines; split it, or say why in a \"Length:\" paragraph of its comment",
					fset.Position(fd.Pos()), fd.Name.Name, n)
			}
		}
	}
}
