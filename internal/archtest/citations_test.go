package archtest

import (
	"bufio"
	"errors"
	"io/fs"
	"os"
	"os/exec"
	"path/filepath"
	"regexp"
	"sort"
	"strings"
	"testing"
)

// The citation rule of ARCHITECTURE.md ("Invariants", "The repository
// stands alone"): code, comments and docs cite the repository's own files
// or public sources, never a file outside the repository.
//
// The strings below are built in pieces, and the section sign is written
// as an escape, so that this file passes its own test.

// outside are fragments of paths that lie outside the repository: a
// development machine's work, home and root directories and the shared
// notes folder next to the repository.
var outside = []string{
	"/" + "work/",
	"../" + "shared",
	"shared/" + "reference",
	"shared/" + "SYSTEM" + ".md",
	"/" + "root/",
	"/" + "home/",
}

// kioskHome is the one home directory the docs may name: the kiosk
// account the Debian package's instructions set up, in examples of what an
// installed kiosk prints (packaging/PACKAGING.md, "Diagnosing").
const kioskHome = "/" + "home/kiosk/"

const sectionSign = "\u00a7"

var (
	// section is a section number: the sign, an optional space, and a
	// number such as 4, 4.3 or 10.9.
	section = regexp.MustCompile(sectionSign + `\s?\d+(?:\.\d+)*`)
	// document is the end of the text before a section number when that
	// text names a public document: an upper-case name and a number
	// (RFC 9285, ISO/IEC 18004, GB/T 2261.1, NIST SP 800-63B) or a title
	// ending in Manual, Specification, Reference, Standard or Guidelines.
	document = regexp.MustCompile(`(?:\b[A-Z][A-Z0-9]+(?:/[A-Z]+)?\s[0-9][0-9A-Za-z.:-]*|\b(?:Manual|Specification|Reference|Standard|Guidelines))\s*$`)
	// continuation is the text between two section numbers of one list:
	// "4.3 and 4.4", "3, 10.9".
	continuation = regexp.MustCompile(`^\s*(?:,|and|or|to|–|-)?\s*$`)
	// markdownName is a Markdown file name as prose or a path names it.
	markdownName = regexp.MustCompile(`[A-Za-z0-9_.-]+\.md\b`)
)

// lineProblems returns what is wrong with one line: a path outside the
// repository, a Markdown file the repository does not have (markdown
// holds the base names of those it has), or a section number that follows
// no public document.
func lineProblems(line string, markdown map[string]bool) []string {
	var probs []string
	for _, frag := range outside {
		for rest := line; ; {
			i := strings.Index(rest, frag)
			if i < 0 {
				break
			}
			if !strings.HasPrefix(rest[i:], kioskHome) {
				probs = append(probs, "a path outside the repository ("+frag+")")
				break
			}
			rest = rest[i+len(kioskHome):]
		}
	}
	for _, word := range strings.Fields(line) {
		if strings.Contains(word, "://") {
			continue // a URL names a public file, which may be Markdown
		}
		for _, name := range markdownName.FindAllString(word, -1) {
			if base := filepath.Base(name); !markdown[base] {
				probs = append(probs, "names "+base+", which is not in the repository")
			}
		}
	}
	prevEnd, prevCited := -1, false
	for _, m := range section.FindAllStringIndex(line, -1) {
		// A number is cited when a document name comes right before it,
		// or when it continues a list whose previous number was cited.
		cited := document.MatchString(line[:m[0]]) ||
			prevEnd >= 0 && prevCited && continuation.MatchString(line[prevEnd:m[0]])
		if !cited {
			probs = append(probs, "cites "+line[m[0]:m[1]]+" without the public document it belongs to before it on the line")
		}
		prevEnd, prevCited = m[1], cited
	}
	return probs
}

// moduleRoot is the directory of go.mod, two levels above this package.
func moduleRoot(t *testing.T) string {
	t.Helper()
	root, err := filepath.Abs(filepath.Join("..", ".."))
	if err != nil {
		t.Fatal(err)
	}
	mod, err := os.ReadFile(filepath.Join(root, "go.mod"))
	if err != nil || !strings.HasPrefix(string(mod), "module "+module+"\n") {
		t.Fatalf("%s is not the root of %s (go.mod: %v)", root, module, err)
	}
	return root
}

// sourceFiles lists the .go and .md files of the repository, relative to
// root: those git tracks and those it would add (not ignored). Outside a
// git checkout (a source archive) it walks the tree instead.
func sourceFiles(t *testing.T, root string) []string {
	t.Helper()
	cmd := exec.Command("git", "ls-files", "-z", "--cached", "--others", "--exclude-standard", "--", "*.go", "*.md")
	cmd.Dir = root
	out, err := cmd.Output()
	if err == nil {
		var files []string
		for _, f := range strings.Split(string(out), "\x00") {
			if f != "" {
				files = append(files, filepath.FromSlash(f))
			}
		}
		return files
	}
	t.Logf("git ls-files: %v; walking %s instead", err, root)
	var files []string
	err = filepath.WalkDir(root, func(path string, d fs.DirEntry, err error) error {
		if err != nil {
			return err
		}
		name := d.Name()
		if d.IsDir() {
			if path != root && (strings.HasPrefix(name, ".") || name == "out" || name == "bin") {
				return filepath.SkipDir
			}
			return nil
		}
		if strings.HasSuffix(name, ".go") || strings.HasSuffix(name, ".md") {
			rel, err := filepath.Rel(root, path)
			if err != nil {
				return err
			}
			files = append(files, rel)
		}
		return nil
	})
	if err != nil {
		t.Fatal(err)
	}
	return files
}

func TestCitations(t *testing.T) {
	root := moduleRoot(t)
	files := sourceFiles(t, root)
	if len(files) < 50 {
		t.Fatalf("found only %d .go and .md files under %s", len(files), root)
	}
	markdown := make(map[string]bool)
	for _, f := range files {
		if strings.HasSuffix(f, ".md") {
			markdown[filepath.Base(f)] = true
		}
	}
	for _, f := range files {
		fh, err := os.Open(filepath.Join(root, f))
		if errors.Is(err, fs.ErrNotExist) {
			continue // deleted in the work tree, not yet in the index
		}
		if err != nil {
			t.Fatal(err)
		}
		sc := bufio.NewScanner(fh)
		sc.Buffer(make([]byte, 0, 64*1024), 1<<20)
		for n := 1; sc.Scan(); n++ {
			for _, p := range lineProblems(sc.Text(), markdown) {
				t.Errorf("%s:%d: %s: cite docs/... or the public source instead", filepath.ToSlash(f), n, p)
			}
		}
		if err := sc.Err(); err != nil {
			t.Errorf("%s: %v", f, err)
		}
		fh.Close()
	}
}

var (
	// sectionCite is a citation of a section of a Markdown file by its
	// heading: docs/escpos.md, "Paper and dots"; ARCHITECTURE.md
	// ("Invariants": ...); [token.md](token.md), "Measured sizes".
	sectionCite = regexp.MustCompile(`([A-Za-z0-9_-]+\.md)\)?,? \(?"([^"]+)"`)
	heading     = regexp.MustCompile(`^#+\s+(.+?)\s*$`)
	boldLabel   = regexp.MustCompile(`\*\*([^*]+)\*\*`)
)

// sectionNames returns the headings and bold paragraph labels of a
// Markdown text: the names a citation may give.
func sectionNames(text string) []string {
	var names []string
	for _, line := range strings.Split(text, "\n") {
		if m := heading.FindStringSubmatch(line); m != nil {
			names = append(names, m[1])
		}
		for _, m := range boldLabel.FindAllStringSubmatch(line, -1) {
			names = append(names, strings.TrimRight(strings.TrimSpace(m[1]), ":."))
		}
	}
	return names
}

// names reports whether a cited section is one of names: the whole name,
// or its start up to a separator ("Sessions" for "Sessions — POST
// /v1/sessions", "The venue check" for "The venue check (codesvc/verify)").
func names(sections []string, cited string) bool {
	for _, s := range sections {
		if s == cited {
			return true
		}
		if rest, ok := strings.CutPrefix(s, cited); ok && strings.IndexAny(rest[:1], " :(,") == 0 {
			return true
		}
	}
	return false
}

// joinLines joins a file's lines into one text, without the comment
// markers of Go, so that a citation broken over two comment lines reads
// whole. start[i] is where line i+1 begins in the text.
func joinLines(text string, goFile bool) (joined string, start []int) {
	var b strings.Builder
	for _, line := range strings.Split(text, "\n") {
		line = strings.TrimSpace(line)
		if goFile {
			line = strings.TrimPrefix(strings.TrimPrefix(line, "//"), " ")
		}
		start = append(start, b.Len())
		b.WriteString(line)
		b.WriteByte(' ')
	}
	return b.String(), start
}

// TestCitedSections checks that every section cited by its heading
// exists, so that renaming a heading in docs/ cannot leave a comment
// pointing nowhere.
func TestCitedSections(t *testing.T) {
	root := moduleRoot(t)
	files := sourceFiles(t, root)
	sections := make(map[string][]string) // by base name
	texts := make(map[string]string)
	for _, f := range files {
		b, err := os.ReadFile(filepath.Join(root, f))
		if errors.Is(err, fs.ErrNotExist) {
			continue
		}
		if err != nil {
			t.Fatal(err)
		}
		texts[f] = string(b)
		if strings.HasSuffix(f, ".md") {
			base := filepath.Base(f)
			sections[base] = append(sections[base], sectionNames(string(b))...)
		}
	}
	cites := 0
	for f, text := range texts {
		joined, start := joinLines(text, strings.HasSuffix(f, ".go"))
		for _, m := range sectionCite.FindAllStringSubmatchIndex(joined, -1) {
			file, cited := joined[m[2]:m[3]], joined[m[4]:m[5]]
			got, ok := sections[file]
			if !ok {
				continue // TestCitations reports a missing file
			}
			cites++
			if !names(got, cited) {
				line := sort.SearchInts(start, m[0]+1)
				t.Errorf("%s:%d: cites %s, %q, which has no such heading", filepath.ToSlash(f), line, file, cited)
			}
		}
	}
	if cites < 20 {
		t.Errorf("found only %d citations of sections; is the pattern still right?", cites)
	}
}

func TestCitationRule(t *testing.T) {
	s := sectionSign
	markdown := map[string]bool{"idcard-protocol.md": true, "token.md": true, "README.md": true}
	tests := []struct {
		line string
		bad  int // how many problems
	}{
		{"// DefaultArgon2 follows RFC 9106 " + s + "4's second recommended option", 0},
		{"// The examples of RFC 9285 " + s + "4.3 and " + s + "4.4.", 0},
		{"// lockout follows NIST SP 800-63B " + s + "5.2.2 (rate limiting", 0},
		{"// (file modes of the Debian Policy Manual " + s + "3, " + s + "10.9; dpkg-deb(1))", 0},
		{"// a QR code as ISO/IEC 18004 " + s + "7.3 says, GB/T 2261.1 " + s + "2", 0},
		{"// (docs/idcard-protocol.md, \"Status codes\")", 0},
		{"// see docs/token.md and migrations/README.md", 0},
		{"// https://github.com/ehn-dcc-development/hcert-spec/blob/main/hcert_spec" + ".md", 0},
		{"OK    database  " + kioskHome + ".local/share/shcommunity-kiosk/kiosk.db", 0},
		{"`" + s + "` and a number", 0},

		{"// SW3 status codes (" + s + "1.4).", 1},
		{"// Golden reply frames from device-protocols" + ".md " + s + "1.3.", 2},
		{"// following the project's storage rules (style guide " + s + "32, " + s + "34)", 2},
		{"// RFC 9285 " + s + "4.3 and the notes' " + s + "2", 1},
		{"// It follows " + outside[0] + outside[2] + "/device-protocols" + ".md", 3},
		{"see ../" + "shared/notes.txt", 1},
		{"GOPATH=" + outside[4] + "go", 1},
		{"built in " + outside[5] + "alice/src", 1},
		{outside[5] + "kiosk/ then " + outside[5] + "bob/", 1},
	}
	for _, tt := range tests {
		got := lineProblems(tt.line, markdown)
		if len(got) != tt.bad {
			t.Errorf("%q: %d problems %q, want %d", tt.line, len(got), got, tt.bad)
		}
	}
}
