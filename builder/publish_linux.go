package builder

import (
	"errors"
	"io"
	"os"

	"golang.org/x/sys/unix"
)

// errNoExchange says that the file system cannot swap two folders in one step.
var errNoExchange = errors.New("no atomic exchange of folders")

// exchange swaps the folders a and b in one step (renameat2 with
// RENAME_EXCHANGE: ext4, XFS, Btrfs, tmpfs and others; not NFS).
func exchange(a, b string) error {
	err := unix.Renameat2(unix.AT_FDCWD, a, unix.AT_FDCWD, b, unix.RENAME_EXCHANGE)
	switch {
	case err == nil:
		return nil
	case errors.Is(err, unix.ENOSYS), errors.Is(err, unix.EINVAL), errors.Is(err, unix.EOPNOTSUPP):
		return errNoExchange
	}
	return &os.LinkError{Op: "exchange", Old: a, New: b, Err: err}
}

// writable reports, as an error naming it, a folder whose entries this
// process may not remove.
func writable(dir string) error {
	if err := unix.Access(dir, unix.W_OK|unix.X_OK); err != nil {
		return &os.PathError{Op: "write", Path: dir, Err: err}
	}
	return nil
}

// lockDir takes an exclusive lock on the folder dir (flock, released when
// the process ends, even by kill -9), so that two builds never publish
// into the same place at once.
func lockDir(dir string) (unlock func(), err error) {
	fd, err := unix.Open(dir, unix.O_RDONLY|unix.O_DIRECTORY|unix.O_CLOEXEC, 0)
	if err != nil {
		return nil, &os.PathError{Op: "lock", Path: dir, Err: err}
	}
	if err := unix.Flock(fd, unix.LOCK_EX|unix.LOCK_NB); err != nil {
		unix.Close(fd)
		if errors.Is(err, unix.EWOULDBLOCK) {
			return nil, errBusy
		}
		return nil, &os.PathError{Op: "lock", Path: dir, Err: err}
	}
	return func() { unix.Close(fd) }, nil
}

// writeFile writes a new file of the staging folder, as os.WriteFile does
// but in four system calls, and returns its modification time (Unix
// nanoseconds), for the digest of the output: an *os.File would also try,
// and fail, to register a regular file with the network poller (an
// epoll_ctl and four fcntl a file, 47,000 files a build).
func writeFile(name string, data []byte, perm uint32) (mtime int64, err error) {
	open := func() (int, error) {
		return unix.Open(name, unix.O_WRONLY|unix.O_CREAT|unix.O_TRUNC|unix.O_CLOEXEC, perm)
	}
	fd, err := open()
	for errors.Is(err, unix.EINTR) {
		fd, err = open()
	}
	if err != nil {
		return 0, &os.PathError{Op: "open", Path: name, Err: err}
	}
	fail := func(op string, err error) (int64, error) {
		unix.Close(fd)
		return 0, &os.PathError{Op: op, Path: name, Err: err}
	}
	for len(data) > 0 {
		n, err := unix.Write(fd, data)
		if errors.Is(err, unix.EINTR) {
			continue
		}
		if err == nil && n == 0 {
			err = io.ErrShortWrite
		}
		if err != nil {
			return fail("write", err)
		}
		data = data[n:]
	}
	var st unix.Stat_t
	if err := unix.Fstat(fd, &st); err != nil {
		return fail("stat", err)
	}
	if err := unix.Close(fd); err != nil {
		return 0, &os.PathError{Op: "close", Path: name, Err: err}
	}
	return st.Mtim.Nano(), nil
}
