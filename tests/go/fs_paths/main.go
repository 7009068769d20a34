// fs_paths: path resolution as Linux does it, in a fresh temporary directory: "..",
// symlinks (relative, absolute, dangling, loops, the limit of 40), O_NOFOLLOW, trailing
// slashes, the *at calls relative to directory fds, renames and hard links, the working
// directory (chdir, getcwd, /proc/self/cwd) when its directory is renamed or removed,
// long names, statfs, openat2's RESOLVE_* flags, and os.RemoveAll next to symlinks that
// point out of the tree. Under asis these all go through its view of the file system.
// Only stable facts are printed (names, errno names, contents); the temporary directory
// is printed as $T.
package main

import (
	"errors"
	"fmt"
	"io/fs"
	"os"
	"path/filepath"
	"sort"
	"strconv"
	"strings"
	"syscall"
	"unsafe"
)

// Not all of these are in the syscall package of every Go release the tests use.
const (
	atFdcwd          = -100
	atSymlinkNofollw = 0x100
	atRemovedir      = 0x200
	atSymlinkFollow  = 0x400
	atEmptyPath      = 0x1000
	oPath            = 0x200000
	renameNoreplace  = 1
	renameExchange   = 2
	sysRenameat2     = 316
	sysOpenat2       = 437
	resolveNoXdev    = 0x01
	resolveNoMagic   = 0x02
	resolveNoSymlink = 0x04
	resolveBeneath   = 0x08
	resolveInRoot    = 0x10
	procSuperMagic   = 0x9fa0
)

var (
	T     string // the temporary directory as os.MkdirTemp named it
	realT string // the same with symlinks resolved (the kernel reports this one)
)

// extraSections run at the end; files built only by newer toolchains add to it.
var extraSections []func()

func p(rel string) string { return T + "/" + rel } // no cleaning: ".." must reach the kernel

func hide(s string) string {
	s = strings.ReplaceAll(s, realT, "$T")
	return strings.ReplaceAll(s, T, "$T")
}

var errnoNames = map[syscall.Errno]string{
	syscall.EPERM: "EPERM", syscall.ENOENT: "ENOENT", syscall.EBADF: "EBADF",
	syscall.EACCES: "EACCES", syscall.EBUSY: "EBUSY", syscall.EEXIST: "EEXIST",
	syscall.EXDEV: "EXDEV", syscall.ENOTDIR: "ENOTDIR", syscall.EISDIR: "EISDIR",
	syscall.EINVAL: "EINVAL", syscall.ENOSPC: "ENOSPC", syscall.EROFS: "EROFS",
	syscall.EMLINK: "EMLINK", syscall.ERANGE: "ERANGE", syscall.ENAMETOOLONG: "ENAMETOOLONG",
	syscall.ENOSYS: "ENOSYS", syscall.ENOTEMPTY: "ENOTEMPTY", syscall.ELOOP: "ELOOP",
	syscall.EAGAIN: "EAGAIN", syscall.EFAULT: "EFAULT", syscall.ENXIO: "ENXIO",
	syscall.ENODEV: "ENODEV", syscall.EOPNOTSUPP: "EOPNOTSUPP",
}

// outcome: "ok", an errno's name, or a non-errno error's text with $T for the path.
func outcome(err error) string {
	if err == nil {
		return "ok"
	}
	var errno syscall.Errno
	if errors.As(err, &errno) {
		if n, ok := errnoNames[errno]; ok {
			return n
		}
		return "errno " + strconv.Itoa(int(errno))
	}
	return "error: " + hide(err.Error())
}

func show(what string, err error) { fmt.Printf("%s: %s\n", what, outcome(err)) }

func section(name string) { fmt.Printf("\n== %s\n", name) }

// must stops the test on a failure of its own setup.
func must(what string, err error) {
	if err != nil {
		fmt.Printf("FAIL: %s: %s\n", what, outcome(err))
		os.RemoveAll(T)
		os.Exit(1)
	}
}

func write(rel, content string) { must("write "+rel, os.WriteFile(p(rel), []byte(content), 0o644)) }

func symlink(target, rel string) { must("symlink "+rel, os.Symlink(target, p(rel))) }

// showRead prints the content of a file or the error of reading it.
func showRead(what, path string) {
	b, err := os.ReadFile(path)
	if err != nil {
		show(what, err)
		return
	}
	fmt.Printf("%s: %q\n", what, b)
}

type fdResult struct {
	fd  int
	err error
}

func fdOf(fd int, err error) fdResult { return fdResult{fd, err} }

// showFd reads a raw fd to the end, prints the content, and closes it.
func showFd(what string, r fdResult) {
	fd, err := r.fd, r.err
	if err != nil {
		show(what, err)
		return
	}
	defer syscall.Close(fd)
	var out []byte
	buf := make([]byte, 4096)
	for {
		n, err := syscall.Read(fd, buf)
		if err != nil {
			show(what+" (read)", err)
			return
		}
		if n == 0 {
			break
		}
		out = append(out, buf[:n]...)
	}
	fmt.Printf("%s: %q\n", what, out)
}

func kind(mode uint32) string {
	switch mode & syscall.S_IFMT {
	case syscall.S_IFREG:
		return "file"
	case syscall.S_IFDIR:
		return "dir"
	case syscall.S_IFLNK:
		return "symlink"
	case syscall.S_IFIFO:
		return "fifo"
	case syscall.S_IFCHR:
		return "chardev"
	case syscall.S_IFSOCK:
		return "socket"
	}
	return "other"
}

func showStat(what, path string) {
	var st syscall.Stat_t
	if err := syscall.Stat(path, &st); err != nil {
		show(what, err)
		return
	}
	fmt.Printf("%s: %s\n", what, kind(st.Mode))
}

func showLstat(what, path string) {
	var st syscall.Stat_t
	if err := syscall.Lstat(path, &st); err != nil {
		show(what, err)
		return
	}
	fmt.Printf("%s: %s\n", what, kind(st.Mode))
}

func showReadlink(what, path string) {
	s, err := os.Readlink(path)
	if err != nil {
		show(what, err)
		return
	}
	fmt.Printf("%s: %q\n", what, hide(s))
}

// sameFile: whether two paths name the same file, or the first error.
func sameFile(a, b string) string {
	sa, err := os.Stat(a)
	if err != nil {
		return outcome(err)
	}
	sb, err := os.Stat(b)
	if err != nil {
		return outcome(err)
	}
	return strconv.FormatBool(os.SameFile(sa, sb))
}

func exists(path string) string {
	_, err := os.Lstat(path)
	if errors.Is(err, fs.ErrNotExist) {
		return "gone"
	}
	if err != nil {
		return outcome(err)
	}
	return "exists"
}

func nlink(path string) string {
	var st syscall.Stat_t
	if err := syscall.Lstat(path, &st); err != nil {
		return outcome(err)
	}
	return strconv.Itoa(int(st.Nlink))
}

func listDir(path string) string {
	names, err := readNames(path)
	if err != nil {
		return outcome(err)
	}
	if len(names) == 0 {
		return "(empty)"
	}
	return strings.Join(names, " ")
}

func readNames(path string) ([]string, error) {
	f, err := os.Open(path)
	if err != nil {
		return nil, err
	}
	defer f.Close()
	names, err := f.Readdirnames(-1)
	sort.Strings(names)
	return names, err
}

// The *at calls the syscall package lacks.
func bytePtr(s string) *byte {
	b, err := syscall.BytePtrFromString(s)
	must("BytePtrFromString", err)
	return b
}

func errnoErr(e syscall.Errno) error {
	if e != 0 {
		return e
	}
	return nil
}

func linkat(olddir int, oldpath string, newdir int, newpath string, flags int) error {
	_, _, e := syscall.Syscall6(syscall.SYS_LINKAT, uintptr(olddir), uintptr(unsafe.Pointer(bytePtr(oldpath))),
		uintptr(newdir), uintptr(unsafe.Pointer(bytePtr(newpath))), uintptr(flags), 0)
	return errnoErr(e)
}

func symlinkat(target string, dir int, path string) error {
	_, _, e := syscall.Syscall(syscall.SYS_SYMLINKAT, uintptr(unsafe.Pointer(bytePtr(target))),
		uintptr(dir), uintptr(unsafe.Pointer(bytePtr(path))))
	return errnoErr(e)
}

func readlinkat(dir int, path string) (string, error) {
	buf := make([]byte, 8192)
	n, _, e := syscall.Syscall6(syscall.SYS_READLINKAT, uintptr(dir), uintptr(unsafe.Pointer(bytePtr(path))),
		uintptr(unsafe.Pointer(&buf[0])), uintptr(len(buf)), 0, 0)
	if e != 0 {
		return "", e
	}
	return string(buf[:n]), nil
}

func fstatat(dir int, path string, st *syscall.Stat_t, flags int) error {
	_, _, e := syscall.Syscall6(syscall.SYS_NEWFSTATAT, uintptr(dir), uintptr(unsafe.Pointer(bytePtr(path))),
		uintptr(unsafe.Pointer(st)), uintptr(flags), 0, 0)
	return errnoErr(e)
}

func unlinkat(dir int, path string, flags int) error {
	_, _, e := syscall.Syscall(syscall.SYS_UNLINKAT, uintptr(dir), uintptr(unsafe.Pointer(bytePtr(path))), uintptr(flags))
	return errnoErr(e)
}

func renameat2(olddir int, oldpath string, newdir int, newpath string, flags int) error {
	_, _, e := syscall.Syscall6(sysRenameat2, uintptr(olddir), uintptr(unsafe.Pointer(bytePtr(oldpath))),
		uintptr(newdir), uintptr(unsafe.Pointer(bytePtr(newpath))), uintptr(flags), 0)
	return errnoErr(e)
}

type openHow struct{ flags, mode, resolve uint64 }

func openat2(dir int, path string, flags int, resolve uint64) (int, error) {
	how := openHow{flags: uint64(flags | syscall.O_CLOEXEC), resolve: resolve}
	fd, _, e := syscall.Syscall6(sysOpenat2, uintptr(dir), uintptr(unsafe.Pointer(bytePtr(path))),
		uintptr(unsafe.Pointer(&how)), unsafe.Sizeof(how), 0, 0)
	if e != 0 {
		return -1, e
	}
	return int(fd), nil
}

func openDir(path string) int {
	fd, err := syscall.Open(path, syscall.O_RDONLY|syscall.O_DIRECTORY|syscall.O_CLOEXEC, 0)
	must("open dir "+hide(path), err)
	return fd
}

// extended: with the argument "openat2", also openat2's RESOLVE_* flags and a walk up
// from a directory deeper than PATH_MAX (case.conf).
var extended = len(os.Args) > 1 && os.Args[1] == "openat2"

func main() {
	var err error
	T, err = os.MkdirTemp("", "asis-fs-paths-")
	must("MkdirTemp", err)
	defer os.RemoveAll(T)
	realT, err = filepath.EvalSymlinks(T)
	must("EvalSymlinks of the temp dir", err)
	start, err := os.Getwd()
	must("Getwd", err)

	// The tree most sections use.
	for _, d := range []string{"a", "b", "b/c", "a/sub2"} {
		must("mkdir "+d, os.Mkdir(p(d), 0o755))
	}
	write("top.txt", "top")
	write("a/f", "a/f")
	write("b/marker", "b/marker")
	write("b/c/f", "b/c/f")

	dotdot()
	symlinks()
	trailingSlashes()
	namesAndErrors()
	atCalls()
	renamesAndLinks()
	workingDirectory(start)
	deepTree(start)
	removeAll()
	statfs()
	if extended {
		resolveFlags()
	}
	for _, f := range extraSections {
		f()
	}
	must("chdir back", os.Chdir(start))
}

func dotdot() {
	section(`".." and odd spellings`)
	showRead("a/../top.txt", p("a/../top.txt"))
	showRead("a/./../a/sub2/../f", p("a/./../a/sub2/../f"))
	showRead("a//f", p("a//f"))
	showRead("///top.txt after $T", T+"///top.txt")
	// ".." is physical: a missing or non-directory component fails even when ".."
	// would cancel it out on paper.
	showRead("missing/../top.txt", p("missing/../top.txt"))
	showRead("top.txt/../top.txt", p("top.txt/../top.txt"))
	showRead("a/f/..", p("a/f/.."))
	fmt.Println("/../../.. is /:", sameFile("/../../..", "/"))
	fmt.Println("/.. is /:", sameFile("/..", "/"))
	showRead("$T, 40 x /.., $T/top.txt", T+strings.Repeat("/..", 40)+T+"/top.txt")
	showRead("/./ and // in front of $T", "/.//."+T+"/top.txt")
}

func symlinks() {
	section("symlinks")
	symlink("../b/marker", "a/torel")
	symlink(p("b/marker"), "a/toabs")
	symlink("../b/c", "a/tob")
	symlink("top.txt", "l3")
	symlink("l3", "l2")
	symlink("l2", "l1")
	showRead("relative link (resolved from its own directory)", p("a/torel"))
	showRead("absolute link", p("a/toabs"))
	showRead("chain of 3", p("l1"))
	showRead("through a directory link", p("a/tob/f"))
	// ".." after a symlink goes to the parent of the link's target, not of the link.
	showRead("a/tob/../marker", p("a/tob/../marker"))
	showRead("a/tob/../../top.txt", p("a/tob/../../top.txt"))
	showReadlink("readlink a/torel", p("a/torel"))
	showReadlink("readlink a/toabs", p("a/toabs"))
	showReadlink("readlink of a file", p("top.txt"))
	showReadlink("readlink of a missing name", p("nothing"))
	showReadlink("readlink a/tob/ (trailing slash follows)", p("a/tob/"))
	showLstat("lstat a/tob", p("a/tob"))
	showStat("stat a/tob", p("a/tob"))
	showLstat("lstat a/tob/", p("a/tob/"))
	ev, err := filepath.EvalSymlinks(p("a/tob/../marker"))
	fmt.Printf("EvalSymlinks a/tob/../marker: %s %s\n", outcome(err), hide(ev))
	ev, err = filepath.EvalSymlinks(p("l1"))
	fmt.Printf("EvalSymlinks l1: %s %s\n", outcome(err), hide(ev))

	// Dangling links and O_CREAT: the target is created (unless O_EXCL).
	symlink("nowhere.txt", "dang")
	symlink("nodir/x", "dang2")
	symlink(p("abs-created"), "dang3")
	showStat("stat dangling", p("dang"))
	showLstat("lstat dangling", p("dang"))
	_, err = os.OpenFile(p("dang"), os.O_CREATE|os.O_EXCL|os.O_WRONLY, 0o644)
	show("O_CREAT|O_EXCL through a dangling link", err)
	fmt.Println("  its target:", exists(p("nowhere.txt")))
	fd, err := syscall.Open(p("dang"), syscall.O_CREAT|syscall.O_WRONLY|syscall.O_CLOEXEC, 0o644)
	show("O_CREAT through a dangling link", err)
	if err == nil {
		syscall.Write(fd, []byte("made through dang"))
		syscall.Close(fd)
	}
	showRead("  its target", p("nowhere.txt"))
	_, err = os.OpenFile(p("dang2"), os.O_CREATE|os.O_WRONLY, 0o644)
	show("O_CREAT through a link into a missing directory", err)
	fd, err = syscall.Open(p("dang3"), syscall.O_CREAT|syscall.O_WRONLY|syscall.O_CLOEXEC, 0o644)
	show("O_CREAT through an absolute dangling link", err)
	if err == nil {
		syscall.Close(fd)
	}
	fmt.Println("  its target:", exists(p("abs-created")))
	show("symlink with an empty target", os.Symlink("", p("empty-link")))

	// Loops and the limit of 40 links per lookup.
	symlink("loopB", "loopA")
	symlink("loopA", "loopB")
	symlink("self", "self")
	symlink(".", "dot")
	_, err = os.Open(p("loopA"))
	show("open a 2-link loop", err)
	showStat("stat a 2-link loop", p("loopA"))
	showLstat("lstat a 2-link loop", p("loopA"))
	showStat("stat a link to itself", p("self"))
	showRead("40 x dot/ then top.txt", T+"/"+strings.Repeat("dot/", 40)+"top.txt")
	showRead("41 x dot/ then top.txt", T+"/"+strings.Repeat("dot/", 41)+"top.txt")
	must("mkdir chain", os.Mkdir(p("chain"), 0o755))
	for i := 0; i < 40; i++ {
		symlink("c"+strconv.Itoa(i+1), "chain/c"+strconv.Itoa(i))
	}
	symlink("../top.txt", "chain/c40")
	showRead("chain of 40 links", p("chain/c1"))
	showRead("chain of 41 links", p("chain/c0"))
	_, err = filepath.EvalSymlinks(p("loopA"))
	fmt.Println("EvalSymlinks of a loop fails:", err != nil)

	// O_NOFOLLOW concerns only the last component.
	_, err = syscall.Open(p("a/torel"), syscall.O_RDONLY|syscall.O_NOFOLLOW, 0)
	show("O_NOFOLLOW on a symlink", err)
	showFd("O_NOFOLLOW with a symlink earlier in the path", fdOf(openFd(p("a/tob/f"), syscall.O_RDONLY|syscall.O_NOFOLLOW)))
	showFd("O_NOFOLLOW on a file", fdOf(openFd(p("top.txt"), syscall.O_RDONLY|syscall.O_NOFOLLOW)))
	fd, err = syscall.Open(p("a/torel"), oPath|syscall.O_NOFOLLOW|syscall.O_CLOEXEC, 0)
	if err != nil {
		show("O_PATH|O_NOFOLLOW on a symlink", err)
	} else {
		var st syscall.Stat_t
		err = syscall.Fstat(fd, &st)
		fmt.Printf("O_PATH|O_NOFOLLOW on a symlink: fstat %s, %s\n", outcome(err), kind(st.Mode))
		s, err := readlinkat(fd, "")
		fmt.Printf("  readlinkat(fd, \"\"): %s %q\n", outcome(err), s)
		syscall.Close(fd)
	}
	_, err = syscall.Open(p("top.txt"), syscall.O_RDONLY|syscall.O_DIRECTORY, 0)
	show("O_DIRECTORY on a file", err)
	fd, err = syscall.Open(p("a/tob"), syscall.O_RDONLY|syscall.O_DIRECTORY, 0)
	show("O_DIRECTORY on a link to a directory", err)
	if err == nil {
		syscall.Close(fd)
	}
	_, err = syscall.Open(p("a/tob"), syscall.O_RDONLY|syscall.O_DIRECTORY|syscall.O_NOFOLLOW, 0)
	show("O_DIRECTORY|O_NOFOLLOW on a link to a directory", err)
	symlink("top.txt/", "toslash")
	showRead("link whose target ends in /", p("toslash"))
}

func openFd(path string, flags int) (int, error) {
	return syscall.Open(path, flags|syscall.O_CLOEXEC, 0)
}

func trailingSlashes() {
	section("trailing slashes")
	showRead("open top.txt/", p("top.txt/"))
	_, err := syscall.Open(p("top.txt/"), syscall.O_CREAT|syscall.O_WRONLY, 0o644)
	show("O_CREAT top.txt/", err)
	_, err = syscall.Open(p("newfile/"), syscall.O_CREAT|syscall.O_WRONLY, 0o644)
	show("O_CREAT newfile/", err)
	fmt.Println("  newfile:", exists(p("newfile")))
	show("mkdir nd/", syscall.Mkdir(p("nd/"), 0o755))
	showStat("stat nd/", p("nd/"))
	showStat("stat nd//.", p("nd//."))
	show("rmdir nd/", syscall.Rmdir(p("nd/")))
	show("unlink top.txt/", syscall.Unlink(p("top.txt/")))
	show("rename top.txt to x/", syscall.Rename(p("top.txt"), p("x/")))
	show("rename a/ to a2/", syscall.Rename(p("a/"), p("a2/")))
	show("rename a2 back to a", syscall.Rename(p("a2"), p("a")))
	show("rmdir a/.", syscall.Rmdir(p("a/.")))
	show("rmdir a/..", syscall.Rmdir(p("a/..")))
	showLstat("lstat dang/", p("dang/"))
	show("mkdir dang (a symlink)", syscall.Mkdir(p("dang"), 0o755))
	show("unlink a/tob/", syscall.Unlink(p("a/tob/")))
	show("rmdir a/tob/", syscall.Rmdir(p("a/tob/")))
	show("rmdir a/tob", syscall.Rmdir(p("a/tob")))
	showLstat("a/tob still", p("a/tob"))
}

func namesAndErrors() {
	section("ENOTDIR, EEXIST, ENAMETOOLONG")
	show("mkdir an existing dir", syscall.Mkdir(p("a"), 0o755))
	show("mkdir an existing file", syscall.Mkdir(p("top.txt"), 0o755))
	show("mkdir under a file", syscall.Mkdir(p("top.txt/x"), 0o755))
	show("mkdir under a missing dir", syscall.Mkdir(p("missing/x"), 0o755))
	show("symlink onto an existing name", syscall.Symlink("x", p("top.txt")))
	show("link onto an existing name", syscall.Link(p("a/f"), p("top.txt")))
	show("stat under a file", syscall.Stat(p("top.txt/x"), &syscall.Stat_t{}))
	show("open empty path", func() error { _, err := syscall.Open("", syscall.O_RDONLY, 0); return err }())

	name255 := strings.Repeat("n", 255)
	fd, err := syscall.Open(p(name255), syscall.O_CREAT|syscall.O_WRONLY|syscall.O_CLOEXEC, 0o644)
	show("create a 255-byte name", err)
	if err == nil {
		syscall.Close(fd)
		must("unlink 255", syscall.Unlink(p(name255)))
	}
	_, err = syscall.Open(p(name255+"n"), syscall.O_CREAT|syscall.O_WRONLY, 0o644)
	show("create a 256-byte name", err)
	show("stat a 256-byte name", syscall.Stat(p(name255+"n"), &syscall.Stat_t{}))
	show("stat a 256-byte name before a missing dir", syscall.Stat(p("missing/"+name255+"n"), &syscall.Stat_t{}))

	// A path of 4095 bytes plus the NUL is the longest the kernel takes.
	tail := "/top.txt"
	path4095 := T + strings.Repeat("/", 4095-len(T)-len(tail)) + tail
	showRead("path of 4095 bytes", path4095)
	showRead("path of 4096 bytes", "/"+path4095)
	long := strings.Repeat("x", 4095)
	err = syscall.Symlink(long, p("longlink"))
	show("symlink with a 4095-byte target", err)
	if err == nil {
		s, err := os.Readlink(p("longlink"))
		fmt.Printf("  readlink: %s, %d bytes, same %v\n", outcome(err), len(s), s == long)
		showRead("  open it", p("longlink"))
		must("unlink longlink", syscall.Unlink(p("longlink")))
	}
	show("symlink with a 4096-byte target", syscall.Symlink(long+"x", p("longlink2")))

	must("mkfifo", syscall.Mkfifo(p("fifo"), 0o644))
	showLstat("mkfifo makes", p("fifo"))
	must("remove fifo", os.Remove(p("fifo")))
}

func atCalls() {
	section("*at calls relative to directory fds")
	a := openDir(p("a"))
	b := openDir(p("b"))
	defer syscall.Close(a)
	defer syscall.Close(b)
	showFd("openat(a, f)", fdOf(syscall.Openat(a, "f", syscall.O_RDONLY|syscall.O_CLOEXEC, 0)))
	showFd("openat(a, ../top.txt)", fdOf(syscall.Openat(a, "../top.txt", syscall.O_RDONLY|syscall.O_CLOEXEC, 0)))
	showFd("openat(a, ../../../../../../.."+"$T/top.txt)",
		fdOf(syscall.Openat(a, "../../../../../../.."+T+"/top.txt", syscall.O_RDONLY|syscall.O_CLOEXEC, 0)))
	showFd("openat(a, absolute $T/b/marker)", fdOf(syscall.Openat(a, p("b/marker"), syscall.O_RDONLY|syscall.O_CLOEXEC, 0)))
	showFd("openat(a, torel)", fdOf(syscall.Openat(a, "torel", syscall.O_RDONLY|syscall.O_CLOEXEC, 0)))
	_, err := syscall.Openat(a, "", syscall.O_RDONLY, 0)
	show("openat(a, \"\")", err)
	fd, err := syscall.Openat(a, "..", syscall.O_RDONLY|syscall.O_CLOEXEC, 0)
	if err == nil {
		var s1, s2 syscall.Stat_t
		syscall.Fstat(fd, &s1)
		syscall.Stat(T, &s2)
		fmt.Println("openat(a, ..) is $T:", s1.Ino == s2.Ino && s1.Dev == s2.Dev)
		syscall.Close(fd)
	} else {
		show("openat(a, ..)", err)
	}
	var st syscall.Stat_t
	err = fstatat(a, "", &st, atEmptyPath)
	fmt.Printf("fstatat(a, \"\", AT_EMPTY_PATH): %s %s\n", outcome(err), kind(st.Mode))
	err = fstatat(a, "torel", &st, atSymlinkNofollw)
	fmt.Printf("fstatat(a, torel, AT_SYMLINK_NOFOLLOW): %s %s\n", outcome(err), kind(st.Mode))
	err = fstatat(a, "torel", &st, 0)
	fmt.Printf("fstatat(a, torel, 0): %s %s size %d\n", outcome(err), kind(st.Mode), st.Size)
	err = fstatat(a, "tob/", &st, atSymlinkNofollw)
	fmt.Printf("fstatat(a, tob/, AT_SYMLINK_NOFOLLOW): %s %s\n", outcome(err), kind(st.Mode))

	show("mkdirat(a, sub)", syscall.Mkdirat(a, "sub", 0o755))
	fd, err = syscall.Openat(a, "sub/new", syscall.O_CREAT|syscall.O_WRONLY|syscall.O_CLOEXEC, 0o644)
	show("openat(a, sub/new, O_CREAT)", err)
	if err == nil {
		syscall.Write(fd, []byte("new"))
		syscall.Close(fd)
	}
	show("renameat(a, sub/new, b, moved)", syscall.Renameat(a, "sub/new", b, "moved"))
	showRead("  b/moved", p("b/moved"))
	fmt.Println("  a/sub/new:", exists(p("a/sub/new")))
	show("linkat(a, f, b, flink, 0)", linkat(a, "f", b, "flink", 0))
	fmt.Println("  nlink of a/f:", nlink(p("a/f")))
	show("linkat(a, torel, a, hl-nofollow, 0)", linkat(a, "torel", a, "hl-nofollow", 0))
	showLstat("  it is", p("a/hl-nofollow"))
	show("linkat(a, torel, a, hl-follow, AT_SYMLINK_FOLLOW)", linkat(a, "torel", a, "hl-follow", atSymlinkFollow))
	showLstat("  it is", p("a/hl-follow"))
	showRead("  content", p("a/hl-follow"))
	show("linkat(a, sub, a, dirlink, 0)", linkat(a, "sub", a, "dirlink", 0))
	show("symlinkat(f, a, sl)", symlinkat("f", a, "sl"))
	s, err := readlinkat(a, "sl")
	fmt.Printf("readlinkat(a, sl): %s %q\n", outcome(err), s)
	show("unlinkat(a, sl, 0)", unlinkat(a, "sl", 0))
	show("unlinkat(a, sub, 0)", unlinkat(a, "sub", 0))
	show("unlinkat(a, sub, AT_REMOVEDIR)", unlinkat(a, "sub", atRemovedir))
	show("unlinkat(a, f, AT_REMOVEDIR)", unlinkat(a, "f", atRemovedir))
	show("unlinkat(a, hl-nofollow, 0)", unlinkat(a, "hl-nofollow", 0))
	show("unlinkat(a, hl-follow, 0)", unlinkat(a, "hl-follow", 0))
	show("unlinkat(b, flink, 0)", unlinkat(b, "flink", 0))
	show("unlinkat(b, moved, 0)", unlinkat(b, "moved", 0))

	// A file fd or a closed fd as the directory: only absolute paths work.
	file, err := syscall.Open(p("top.txt"), syscall.O_RDONLY|syscall.O_CLOEXEC, 0)
	must("open top.txt", err)
	_, err = syscall.Openat(file, "x", syscall.O_RDONLY, 0)
	show("openat(file fd, x)", err)
	showFd("openat(file fd, absolute)", fdOf(syscall.Openat(file, p("a/f"), syscall.O_RDONLY|syscall.O_CLOEXEC, 0)))
	err = fstatat(file, "", &st, atEmptyPath)
	fmt.Printf("fstatat(file fd, \"\", AT_EMPTY_PATH): %s %s size %d\n", outcome(err), kind(st.Mode), st.Size)
	syscall.Close(file)
	_, err = syscall.Openat(file, "x", syscall.O_RDONLY, 0)
	show("openat(closed fd, x)", err)
	showFd("openat(closed fd, absolute)", fdOf(syscall.Openat(file, p("a/f"), syscall.O_RDONLY|syscall.O_CLOEXEC, 0)))

	// A directory fd follows its directory when it is renamed.
	must("mkdir mv1", os.Mkdir(p("mv1"), 0o755))
	write("mv1/inner", "inner")
	mv := openDir(p("mv1"))
	must("rename mv1 mv2", os.Rename(p("mv1"), p("mv2")))
	showFd("after rename: openat(fd, inner)", fdOf(syscall.Openat(mv, "inner", syscall.O_RDONLY|syscall.O_CLOEXEC, 0)))
	show("after rename: mkdirat(fd, made)", syscall.Mkdirat(mv, "made", 0o755))
	fmt.Println("  mv2/made:", exists(p("mv2/made")))
	showReadlink("after rename: readlink /proc/self/fd/N", "/proc/self/fd/"+strconv.Itoa(mv))
	fmt.Println("after rename: /proc/self/fd/N/.. is $T:", sameFile("/proc/self/fd/"+strconv.Itoa(mv)+"/..", T))
	syscall.Close(mv)

	// ... and keeps naming it after it is removed, where nothing can be created.
	must("mkdir gone", os.Mkdir(p("gone"), 0o755))
	gone := openDir(p("gone"))
	must("rmdir gone", syscall.Rmdir(p("gone")))
	_, err = syscall.Openat(gone, "x", syscall.O_CREAT|syscall.O_WRONLY, 0o644)
	show("removed dir: openat(fd, x, O_CREAT)", err)
	show("removed dir: mkdirat(fd, y)", syscall.Mkdirat(gone, "y", 0o755))
	err = syscall.Fstat(gone, &st)
	fmt.Printf("removed dir: fstat %s, nlink %d\n", outcome(err), st.Nlink)
	_, err = syscall.ReadDirent(gone, make([]byte, 4096))
	show("removed dir: getdents", err)
	showReadlink("removed dir: readlink /proc/self/fd/N", "/proc/self/fd/"+strconv.Itoa(gone))
	syscall.Close(gone)
}

func renamesAndLinks() {
	section("renames and hard links")
	must("mkdir r", os.Mkdir(p("r"), 0o755))
	for _, d := range []string{"r/d1", "r/empty", "r/full", "r/d1/inner"} {
		must("mkdir "+d, os.Mkdir(p(d), 0o755))
	}
	write("r/d1/f", "d1/f")
	write("r/full/x", "x")
	write("r/file", "file")
	write("r/other", "other")
	show("rename dir over an empty dir", syscall.Rename(p("r/d1"), p("r/empty")))
	showRead("  r/empty/f", p("r/empty/f"))
	fmt.Println("  r/d1:", exists(p("r/d1")))
	show("rename dir over a non-empty dir", syscall.Rename(p("r/empty"), p("r/full")))
	show("rename file over a dir", syscall.Rename(p("r/file"), p("r/full")))
	show("rename dir over a file", syscall.Rename(p("r/full"), p("r/file")))
	show("rename dir into its own subdir", syscall.Rename(p("r/empty"), p("r/empty/inner/x")))
	show("rename a missing name", syscall.Rename(p("r/missing"), p("r/x")))
	show("rename into a missing dir", syscall.Rename(p("r/file"), p("r/missing/x")))
	show("rename r/empty/.. away", syscall.Rename(p("r/empty/.."), p("r2")))
	show("rename a file to itself", syscall.Rename(p("r/file"), p("r/file")))
	showRead("  r/file", p("r/file"))
	must("link", os.Link(p("r/file"), p("r/twin")))
	show("rename onto its own hard link", syscall.Rename(p("r/file"), p("r/twin")))
	fmt.Println("  both names:", exists(p("r/file")), exists(p("r/twin")))
	show("rename file over file", syscall.Rename(p("r/other"), p("r/twin")))
	showRead("  r/twin", p("r/twin"))
	fmt.Println("  nlink of r/file:", nlink(p("r/file")))
	show("renameat2 RENAME_NOREPLACE onto an existing name", renameat2(atFdcwd, p("r/file"), atFdcwd, p("r/twin"), renameNoreplace))
	show("renameat2 RENAME_NOREPLACE onto a new name", renameat2(atFdcwd, p("r/twin"), atFdcwd, p("r/twin2"), renameNoreplace))
	show("renameat2 RENAME_EXCHANGE", renameat2(atFdcwd, p("r/file"), atFdcwd, p("r/twin2"), renameExchange))
	showRead("  r/file", p("r/file"))
	showRead("  r/twin2", p("r/twin2"))
	show("renameat2 RENAME_EXCHANGE with a missing name", renameat2(atFdcwd, p("r/file"), atFdcwd, p("r/nope"), renameExchange))
	symlink("file", "r/sym")
	show("rename a symlink", syscall.Rename(p("r/sym"), p("r/sym2")))
	showReadlink("  it still points at", p("r/sym2"))
	showRead("  r/file unmoved", p("r/file"))

	// Hard links share the data; a directory cannot have one.
	must("write h1", os.WriteFile(p("r/h1"), []byte("one"), 0o644))
	show("link h1 h2", syscall.Link(p("r/h1"), p("r/h2")))
	fmt.Println("  nlink:", nlink(p("r/h1")), nlink(p("r/h2")))
	must("write through h2", os.WriteFile(p("r/h2"), []byte("written via h2"), 0o644))
	showRead("  h1", p("r/h1"))
	show("link a directory", syscall.Link(p("r/empty"), p("r/dirlink")))
	show("link a missing file", syscall.Link(p("r/missing"), p("r/x")))
	show("link into a missing dir", syscall.Link(p("r/h1"), p("r/missing/x")))
	show("link h1/ (trailing slash)", syscall.Link(p("r/h1/"), p("r/h3")))
	show("link onto h2/", syscall.Link(p("r/h1"), p("r/h4/")))
	must("remove h1", os.Remove(p("r/h1")))
	showRead("  h2 after removing h1", p("r/h2"))
	fmt.Println("  nlink of h2:", nlink(p("r/h2")))
	show("link through a symlink (not followed)", syscall.Link(p("r/sym2"), p("r/symhard")))
	showLstat("  it is", p("r/symhard"))
	fmt.Println("listing of r:", listDir(p("r")))
}

func getwd() string {
	wd, err := syscall.Getwd()
	if err != nil {
		return outcome(err)
	}
	if len(wd) > 200 {
		return "(a path of more than 200 bytes)"
	}
	return hide(wd)
}

func workingDirectory(start string) {
	section("working directory")
	must("chdir a", os.Chdir(p("a")))
	fmt.Println("getcwd in a:", getwd())
	wd, err := os.Getwd()
	fmt.Println("os.Getwd in a:", outcome(err), hide(wd))
	showReadlink("readlink /proc/self/cwd", "/proc/self/cwd")
	showRead("relative f", "f")
	showRead("relative ../top.txt", "../top.txt")
	showRead("/proc/self/cwd/f", "/proc/self/cwd/f")
	fmt.Println("/proc/self/cwd/.. is $T:", sameFile("/proc/self/cwd/..", T))
	showRead("/proc/self/cwd/../top.txt", "/proc/self/cwd/../top.txt")
	show("chdir tob (a link to b/c)", os.Chdir("tob"))
	fmt.Println("getcwd:", getwd())
	showRead("relative ../marker", "../marker")
	show("chdir ..", os.Chdir(".."))
	fmt.Println("getcwd:", getwd())
	show("chdir to a file", os.Chdir(p("top.txt")))
	show("chdir to a missing dir", os.Chdir(p("missing")))
	fmt.Println("getcwd after failed chdirs:", getwd())
	fd := openDir(p("b/c"))
	show("fchdir b/c", syscall.Fchdir(fd))
	syscall.Close(fd)
	fmt.Println("getcwd:", getwd())
	show("chdir /", os.Chdir("/"))
	fmt.Println("getcwd:", getwd())
	show("chdir ../../..", os.Chdir("../../.."))
	fmt.Println("getcwd:", getwd())
	fmt.Println("/proc/self/root/.. is /:", sameFile("/proc/self/root/..", "/"))
	showReadlink("readlink /proc/self/root", "/proc/self/root")
	showRead("/proc/self/root/$T/top.txt", "/proc/self/root"+T+"/top.txt")

	// The working directory is a directory, not a path: renaming it keeps us in it.
	must("mkdir cw1", os.Mkdir(p("cw1"), 0o755))
	must("chdir cw1", os.Chdir(p("cw1")))
	must("write inside", os.WriteFile("inside", []byte("inside cw"), 0o644))
	must("rename cw1 cw2", os.Rename(p("cw1"), p("cw2")))
	fmt.Println("getcwd after its dir was renamed:", getwd())
	showReadlink("readlink /proc/self/cwd", "/proc/self/cwd")
	showRead("relative read", "inside")
	show("relative mkdir", os.Mkdir("sub", 0o755))
	fmt.Println("  cw2/sub:", exists(p("cw2/sub")))
	fmt.Println(". is cw2:", sameFile(".", p("cw2")))

	// Removed: getcwd fails, nothing can be created, ".." still leads out.
	must("mkdir cwgone", os.Mkdir(p("cwgone"), 0o755))
	must("chdir cwgone", os.Chdir(p("cwgone")))
	must("rmdir cwgone", syscall.Rmdir(p("cwgone")))
	fmt.Println("getcwd after its dir was removed:", getwd())
	showReadlink("readlink /proc/self/cwd", "/proc/self/cwd")
	_, err = os.Create("x")
	show("create in it", err)
	_, err = os.Stat(".")
	show("stat .", err)
	show("chdir ..", os.Chdir(".."))
	fmt.Println("getcwd:", getwd())
	must("chdir back", os.Chdir(start))
}

// deepTree: a path longer than PATH_MAX can be built and used one directory at a time,
// and os.RemoveAll removes it (it works with *at calls relative to parent fds).
func deepTree(start string) {
	section("a tree deeper than PATH_MAX")
	comp := strings.Repeat("d", 200)
	dir := openDir(T)
	depth := 0
	for i := 0; i < 25; i++ {
		if err := syscall.Mkdirat(dir, comp, 0o755); err != nil {
			show("mkdirat at depth "+strconv.Itoa(i), err)
			break
		}
		next, err := syscall.Openat(dir, comp, syscall.O_RDONLY|syscall.O_DIRECTORY|syscall.O_CLOEXEC, 0)
		if err != nil {
			show("openat at depth "+strconv.Itoa(i), err)
			break
		}
		syscall.Close(dir)
		dir = next
		depth++
	}
	fmt.Printf("depth %d, path length about %d\n", depth, depth*201)
	fd, err := syscall.Openat(dir, "bottom", syscall.O_CREAT|syscall.O_WRONLY|syscall.O_CLOEXEC, 0o644)
	show("create at the bottom", err)
	if err == nil {
		syscall.Write(fd, []byte("deep"))
		syscall.Close(fd)
	}
	show("fchdir to the bottom", syscall.Fchdir(dir))
	syscall.Close(dir)
	showRead("relative read there", "bottom")
	fmt.Println("getcwd there:", getwd())
	show("relative mkdir there", os.Mkdir("more", 0o755))
	if extended {
		showRead("../"+comp[:3]+".../bottom", "../"+comp+"/bottom")
	}
	must("chdir back", os.Chdir(start))
	show("RemoveAll of the deep tree", os.RemoveAll(p(comp)))
	fmt.Println("  it is", exists(p(comp)))
}

func removeAll() {
	section("os.RemoveAll next to symlinks that point out of the tree")
	must("mkdir outside", os.Mkdir(p("outside"), 0o755))
	write("outside/keep.txt", "keep")
	write("outside-file.txt", "outside file")
	for _, d := range []string{"tree", "tree/d1", "tree/d1/d2"} {
		must("mkdir "+d, os.Mkdir(p(d), 0o755))
	}
	write("tree/d1/d2/file", "file")
	symlink("../../outside", "tree/d1/relout")
	symlink(p("outside"), "tree/d1/absout")
	symlink("../outside-file.txt", "tree/fileout")
	symlink(p("outside/keep.txt"), "tree/d1/d2/abskeep")
	symlink("..", "tree/d1/d2/up")
	symlink("nowhere", "tree/dang")
	must("link", os.Link(p("outside-file.txt"), p("tree/hard")))
	show("RemoveAll(tree)", os.RemoveAll(p("tree")))
	fmt.Println("  tree:", exists(p("tree")))
	fmt.Println("  outside:", listDir(p("outside")))
	showRead("  outside/keep.txt", p("outside/keep.txt"))
	showRead("  outside-file.txt", p("outside-file.txt"))
	fmt.Println("  nlink of outside-file.txt:", nlink(p("outside-file.txt")))
	symlink("outside", "tlink")
	show("RemoveAll of a symlink to a dir", os.RemoveAll(p("tlink")))
	fmt.Println("  the link:", exists(p("tlink")), "outside:", listDir(p("outside")))
	symlink("outside", "tlink")
	err := os.RemoveAll(p("tlink/"))
	fmt.Println("  RemoveAll(tlink/):", outcome(err), "link:", exists(p("tlink")))
	show("RemoveAll of a missing name", os.RemoveAll(p("missing")))
	show("RemoveAll of a file", os.RemoveAll(p("outside-file.txt")))
	fmt.Println("  outside-file.txt:", exists(p("outside-file.txt")))
}

func statfs() {
	section("statfs")
	var a, b, c syscall.Statfs_t
	err := syscall.Statfs(T, &a)
	show("statfs $T", err)
	fd := openDir(T)
	show("fstatfs", syscall.Fstatfs(fd, &b))
	syscall.Close(fd)
	fmt.Println("  same type and block size:", a.Type == b.Type && a.Bsize == b.Bsize)
	fmt.Println("  sane sizes:", a.Bsize > 0 && a.Blocks > 0 && a.Bfree <= a.Blocks && a.Namelen > 0)
	show("statfs through a symlink", syscall.Statfs(p("a/tob"), &c))
	fmt.Println("  same type:", c.Type == a.Type)
	show("statfs missing", syscall.Statfs(p("missing"), &c))
	show("statfs under a file", syscall.Statfs(p("top.txt/x"), &c))
	err = syscall.Statfs("/proc", &c)
	fmt.Println("statfs /proc:", outcome(err), "procfs", c.Type == procSuperMagic)
	err = syscall.Statfs("/proc/self/fd", &c)
	fmt.Println("statfs /proc/self/fd:", outcome(err), "procfs", c.Type == procSuperMagic)
}

// resolveFlags: openat2 confines a lookup when the program asks for it. Only with the
// argument "openat2" (see case.conf).
func resolveFlags() {
	section("openat2 RESOLVE_*")
	a := openDir(p("a"))
	defer syscall.Close(a)
	try := func(what string, dir int, path string, resolve uint64) {
		fd, err := openat2(dir, path, syscall.O_RDONLY, resolve)
		if err != nil {
			show(what, err)
			return
		}
		showFd(what, fdResult{fd, nil})
	}
	_, err := openat2(a, "f", syscall.O_RDONLY, 0)
	if err == syscall.ENOSYS {
		fmt.Println("openat2: ENOSYS") // a kernel before 5.6
		return
	}
	try("BENEATH f", a, "f", resolveBeneath)
	try("BENEATH sub2/../f", a, "sub2/../f", resolveBeneath)
	try("BENEATH ../top.txt", a, "../top.txt", resolveBeneath)
	try("BENEATH torel (link out)", a, "torel", resolveBeneath)
	try("BENEATH absolute", a, p("a/f"), resolveBeneath)
	try("IN_ROOT /f", a, "/f", resolveInRoot)
	try("IN_ROOT ../../f", a, "../../f", resolveInRoot)
	try("IN_ROOT toabs (absolute link, now under a)", a, "toabs", resolveInRoot)
	symlink("/f", "a/rootf")
	try("IN_ROOT rootf -> /f", a, "rootf", resolveInRoot)
	try("plain rootf -> /f", a, "rootf", 0)
	try("NO_SYMLINKS torel", a, "torel", resolveNoSymlink)
	try("NO_SYMLINKS tob/f", a, "tob/f", resolveNoSymlink)
	try("NO_SYMLINKS f", a, "f", resolveNoSymlink)
	f, err := syscall.Open(p("top.txt"), syscall.O_RDONLY|syscall.O_CLOEXEC, 0)
	must("open top.txt", err)
	magic := "/proc/self/fd/" + strconv.Itoa(f)
	try("plain /proc/self/fd/N", atFdcwd, magic, 0)
	try("NO_MAGICLINKS /proc/self/fd/N", atFdcwd, magic, resolveNoMagic)
	syscall.Close(f)
	try("NO_XDEV /proc/self/comm from /", atFdcwd, "/proc/self/comm", resolveNoXdev)
	how := openHow{flags: syscall.O_RDONLY, resolve: 1 << 40}
	_, _, e := syscall.Syscall6(sysOpenat2, uintptr(a), uintptr(unsafe.Pointer(bytePtr("f"))),
		uintptr(unsafe.Pointer(&how)), unsafe.Sizeof(how), 0, 0)
	show("unknown RESOLVE bit", errnoErr(e))
	_, _, e = syscall.Syscall6(sysOpenat2, uintptr(a), uintptr(unsafe.Pointer(bytePtr("f"))),
		uintptr(unsafe.Pointer(&how)), 8, 0, 0)
	show("open_how too small", errnoErr(e))
}
