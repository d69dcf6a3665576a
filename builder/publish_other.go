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

// writeFile writes a new file of the staging folder and returns its
// modification time (Unix nanoseconds), for the digest of the output.
func writeFile(name string, data []byte, perm uint32) (int64, error) {
	if err := os.WriteFile(name, data, os.FileMode(perm)); err != nil {
		return 0, err
	}
	info, err := os.Lstat(name)
	if err != nil {
		return 0, err
	}
	return info.ModTime().UnixNano(), nil
}
