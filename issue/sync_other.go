//go:build !linux

package issue

// fsyncEachFile is true where syncfs is not available: each PDF is synced
// before it is renamed to its final name.
const fsyncEachFile = true

func syncDir(dir string) error { return nil }
