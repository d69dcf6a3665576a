//go:build !linux

package builder

import (
	"errors"
	"os"
)

// errNoExchange says that the file system cannot swap two folders in one step.
var errNoExchange = errors.New("no atomic exchange of folders")

// exchange is not available here: the commit falls back on two renames.
func exchange(a, b string) error { return errNoExchange }

// writable is checked by the removal itself here.
func writable(dir string) error { return nil }

// lockDir does not lock here: do not run two builds at once.
func lockDir(dir string) (unlock func(), err error) { return func() {}, nil }

// writeFile writes a new file of the staging folder.
func writeFile(name string, data []byte, perm uint32) error {
	return os.WriteFile(name, data, os.FileMode(perm))
}
