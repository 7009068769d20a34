// files: the usual file operations in a fresh temporary directory, and the errors a
// program checks for. The temporary path is never printed (it differs between runs).
package main

import (
	"bytes"
	"crypto/sha256"
	"errors"
	"fmt"
	"io"
	"io/fs"
	"os"
	"path/filepath"
	"syscall"
)

var dir string

func p(name string) string { return filepath.Join(dir, name) }

func must(what string, err error) {
	if err != nil {
		// The error text contains the temporary path; print it with the path removed.
		fmt.Printf("FAIL: %s: %v\n", what, errors.Unwrap(err))
		os.RemoveAll(dir)
		os.Exit(1)
	}
}

func main() {
	var err error
	dir, err = os.MkdirTemp("", "asis-files-")
	must("MkdirTemp", err)
	defer os.RemoveAll(dir)
	st, err := os.Stat(dir)
	must("stat temp dir", err)
	fmt.Printf("temp dir: is dir %v, mode %v\n", st.IsDir(), st.Mode().Perm())

	// Create, write, read back.
	must("write", os.WriteFile(p("a.txt"), []byte("hello\n"), 0o644))
	b, err := os.ReadFile(p("a.txt"))
	must("read", err)
	fmt.Printf("read back: %q\n", b)

	// Append.
	f, err := os.OpenFile(p("a.txt"), os.O_APPEND|os.O_WRONLY, 0)
	must("open append", err)
	n, err := f.WriteString("world\n")
	must("append", err)
	must("close", f.Close())
	b, err = os.ReadFile(p("a.txt"))
	must("read after append", err)
	fmt.Printf("appended %d bytes, now: %q\n", n, b)

	// Seek, ReadAt, Truncate on an open file.
	f, err = os.OpenFile(p("a.txt"), os.O_RDWR, 0)
	must("open rdwr", err)
	off, err := f.Seek(-6, io.SeekEnd)
	must("seek", err)
	buf := make([]byte, 6)
	_, err = io.ReadFull(f, buf)
	must("read after seek", err)
	fmt.Printf("seek to %d, read %q\n", off, buf)
	_, err = f.ReadAt(buf[:4], 1)
	must("readat", err)
	fmt.Printf("ReadAt(1): %q\n", buf[:4])
	_, err = f.Read(buf)
	fmt.Printf("read after the last byte: io.EOF %v\n", err == io.EOF || errors.Is(err, io.EOF))
	must("truncate", f.Truncate(3))
	must("close", f.Close())
	st, err = os.Stat(p("a.txt"))
	must("stat", err)
	fmt.Printf("after truncate: size %d, regular %v\n", st.Size(), st.Mode().IsRegular())

	// Mode: with the umask applied on creation, and set exactly with Chmod.
	fmt.Printf("mode after create 0644: %v\n", st.Mode().Perm())
	must("chmod", os.Chmod(p("a.txt"), 0o600))
	st, err = os.Stat(p("a.txt"))
	must("stat", err)
	fmt.Printf("mode after chmod 0600: %v\n", st.Mode().Perm())

	// Rename: the old name is gone, the new one has the data.
	must("rename", os.Rename(p("a.txt"), p("b.txt")))
	_, err = os.Stat(p("a.txt"))
	fmt.Printf("old name after rename: ErrNotExist %v\n", errors.Is(err, fs.ErrNotExist))
	b, err = os.ReadFile(p("b.txt"))
	must("read renamed", err)
	fmt.Printf("renamed content: %q\n", b)

	// O_EXCL on an existing file.
	_, err = os.OpenFile(p("b.txt"), os.O_CREATE|os.O_EXCL|os.O_WRONLY, 0o644)
	fmt.Printf("O_EXCL on existing: ErrExist %v\n", errors.Is(err, fs.ErrExist))

	// A 1 MiB file written in odd-sized chunks reads back identical.
	big := make([]byte, 1<<20)
	for i := range big {
		big[i] = byte(i*7 + i>>8)
	}
	f, err = os.Create(p("big.bin"))
	must("create big", err)
	for off := 0; off < len(big); off += 12345 {
		end := off + 12345
		if end > len(big) {
			end = len(big)
		}
		_, err = f.Write(big[off:end])
		must("write big", err)
	}
	must("close big", f.Close())
	got, err := os.ReadFile(p("big.bin"))
	must("read big", err)
	fmt.Printf("1 MiB file: equal %v, sha256 %x\n", bytes.Equal(got, big), sha256.Sum256(got))

	// Subdirectory, symlink, hard link, and a sorted listing.
	must("mkdir", os.Mkdir(p("sub"), 0o755))
	must("write in sub", os.WriteFile(p("sub/c.txt"), []byte("c"), 0o644))
	must("symlink", os.Symlink("b.txt", p("link")))
	target, err := os.Readlink(p("link"))
	must("readlink", err)
	lst, err := os.Lstat(p("link"))
	must("lstat", err)
	st, err = os.Stat(p("link"))
	must("stat through link", err)
	fmt.Printf("symlink: target %q, lstat is link %v, stat size %d\n", target, lst.Mode()&fs.ModeSymlink != 0, st.Size())
	must("link", os.Link(p("b.txt"), p("hard")))
	st, err = os.Stat(p("hard"))
	must("stat hard", err)
	if sys, ok := st.Sys().(*syscall.Stat_t); ok {
		fmt.Printf("hard link: nlink %d\n", sys.Nlink)
	}
	entries, err := os.ReadDir(dir)
	must("readdir", err)
	for _, e := range entries {
		info, err := e.Info()
		must("info", err)
		size := info.Size()
		if e.IsDir() {
			size = 0 // directory sizes depend on the file system
		}
		fmt.Printf("  %-8s dir=%-5v type=%v size=%d\n", e.Name(), e.IsDir(), e.Type(), size)
	}

	// Relative paths after Chdir.
	wd, err := os.Getwd()
	must("getwd", err)
	must("chdir", os.Chdir(p("sub")))
	b, err = os.ReadFile("c.txt")
	must("relative read", err)
	here, err := os.Getwd()
	must("getwd in sub", err)
	real, err := filepath.EvalSymlinks(p("sub"))
	must("evalsymlinks", err)
	fmt.Printf("after chdir: relative read %q, getwd is sub %v\n", b, here == real || here == p("sub"))
	must("chdir back", os.Chdir(wd))

	// Errors a program checks for.
	_, err = os.Open(p("missing"))
	fmt.Printf("open missing: ErrNotExist %v, is *PathError %v\n", errors.Is(err, fs.ErrNotExist), isPathError(err))
	_, err = os.ReadFile(p("missing/x"))
	fmt.Printf("read under missing dir: ErrNotExist %v\n", errors.Is(err, fs.ErrNotExist))
	_, err = os.ReadFile(p("b.txt/x"))
	fmt.Printf("read under a file: ENOTDIR %v\n", errors.Is(err, syscall.ENOTDIR))
	err = os.Remove(p("sub"))
	fmt.Printf("remove non-empty dir: ENOTEMPTY %v\n", errors.Is(err, syscall.ENOTEMPTY))
	err = os.Mkdir(p("sub"), 0o755)
	fmt.Printf("mkdir existing: ErrExist %v\n", errors.Is(err, fs.ErrExist))
	_, err = os.ReadDir(p("b.txt"))
	fmt.Printf("readdir of a file: error %v\n", err != nil)

	// Remove files, then the directories.
	for _, name := range []string{"sub/c.txt", "b.txt", "big.bin", "link", "hard"} {
		must("remove "+name, os.Remove(p(name)))
	}
	must("remove sub", os.Remove(p("sub")))
	entries, err = os.ReadDir(dir)
	must("readdir after removes", err)
	fmt.Printf("entries after removes: %d\n", len(entries))
	must("remove dir", os.Remove(dir))
	_, err = os.Stat(dir)
	fmt.Printf("temp dir after remove: ErrNotExist %v\n", errors.Is(err, fs.ErrNotExist))
}

func isPathError(err error) bool {
	var pe *fs.PathError
	return errors.As(err, &pe)
}
