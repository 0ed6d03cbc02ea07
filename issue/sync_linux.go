package issue

import (
	"os"

	"golang.org/x/sys/unix"
)

// fsyncEachFile is false on Linux: instead of one fsync per PDF, the
// writer flushes the whole file system (syncfs) before each register
// commit, so every PDF the register records is on disk.
const fsyncEachFile = false

// syncDir flushes the file system holding dir to disk.
func syncDir(dir string) error {
	f, err := os.Open(dir)
	if err != nil {
		return err
	}
	defer f.Close()
	return unix.Syncfs(int(f.Fd()))
}
