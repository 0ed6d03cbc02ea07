package issue

import (
	"os"

	"golang.org/x/sys/unix"
)

// fsyncEachFile is false on Linux: instead of one fsync per PDF, the
// batch flushes the whole file system (syncfs) once before it is marked
// finished. A PDF lost or cut by a power failure before that is printed
// again by --resume from the register, which is committed first.
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
