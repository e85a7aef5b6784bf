package golden

import (
	"fmt"
	"os"
)

// Want returns the content of the golden file at path. With update it
// first writes got there, so the test then passes and the change shows in
// the repository's diff.
func Want(path string, got []byte, update bool) ([]byte, error) {
	if update {
		if err := os.WriteFile(path, got, 0o644); err != nil {
			return nil, err
		}
	}
	want, err := os.ReadFile(path)
	if err != nil {
		return nil, fmt.Errorf("%w (run go test -update to create it)", err)
	}
	return want, nil
}
