// proc_dev: what /proc and /dev tell a program about itself, as a program checks it:
// /proc/self/fd lists exactly the descriptors the program has, and each link names its
// file; exe, cmdline, environ, auxv, maps, status, stat, mountinfo describe this program
// (not asis); the system files Go and its users read exist; the devices behave. Every
// claim is checked against another source (os.Args, getpid, the ELF file, what the
// program opened) and printed as a fact, never as a path of this machine.
package main

import (
	"bufio"
	"bytes"
	"crypto/sha256"
	"debug/buildinfo"
	"debug/elf"
	"encoding/binary"
	"errors"
	"fmt"
	"os"
	"path/filepath"
	"reflect"
	"regexp"
	"runtime"
	"sort"
	"strconv"
	"strings"
	"syscall"
	"unsafe"
)

var exe string // this program's path, resolved

var errnoNames = map[syscall.Errno]string{
	syscall.EPERM: "EPERM", syscall.ENOENT: "ENOENT", syscall.EBADF: "EBADF",
	syscall.EACCES: "EACCES", syscall.EBUSY: "EBUSY", syscall.EEXIST: "EEXIST",
	syscall.ENOTDIR: "ENOTDIR", syscall.EISDIR: "EISDIR", syscall.EINVAL: "EINVAL",
	syscall.ENOSPC: "ENOSPC", syscall.EROFS: "EROFS", syscall.ENXIO: "ENXIO",
	syscall.ENODEV: "ENODEV", syscall.EIO: "EIO", syscall.ENOTTY: "ENOTTY",
	syscall.ELOOP: "ELOOP", syscall.EAGAIN: "EAGAIN",
}

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
	return "error: " + err.Error()
}

func section(name string) { fmt.Printf("\n== %s\n", name) }

func fail(what string, err error) {
	fmt.Printf("FAIL: %s: %s\n", what, outcome(err))
	os.Exit(1)
}

// readAll reads a file with raw syscalls (no Go poller, no extra descriptors left).
func readAll(path string) ([]byte, error) {
	fd, err := syscall.Open(path, syscall.O_RDONLY|syscall.O_CLOEXEC, 0)
	if err != nil {
		return nil, err
	}
	defer syscall.Close(fd)
	return readFd(fd)
}

func readFd(fd int) ([]byte, error) {
	var out []byte
	buf := make([]byte, 65536)
	for {
		n, err := syscall.Read(fd, buf)
		if err == syscall.EINTR {
			continue
		}
		if err != nil {
			return out, err
		}
		if n == 0 {
			return out, nil
		}
		out = append(out, buf[:n]...)
	}
}

func mustRead(path string) []byte {
	b, err := readAll(path)
	if err != nil {
		fail("read "+path, err)
	}
	return b
}

func readlink(path string) string {
	s, err := os.Readlink(path)
	if err != nil {
		return outcome(err)
	}
	return s
}

// listFds: the numbers in /proc/self/fd, and the fd the listing itself used.
func listFds() ([]int, int) {
	dir, err := syscall.Open("/proc/self/fd", syscall.O_RDONLY|syscall.O_DIRECTORY|syscall.O_CLOEXEC, 0)
	if err != nil {
		fail("open /proc/self/fd", err)
	}
	defer syscall.Close(dir)
	var names []string
	buf := make([]byte, 8192)
	for {
		n, err := syscall.ReadDirent(dir, buf)
		if err != nil {
			fail("getdents /proc/self/fd", err)
		}
		if n == 0 {
			break
		}
		_, _, names = syscall.ParseDirent(buf[:n], -1, names)
	}
	var fds []int
	for _, n := range names {
		fd, err := strconv.Atoi(n)
		if err != nil {
			fail("a name in /proc/self/fd: "+n, err)
		}
		fds = append(fds, fd)
	}
	sort.Ints(fds)
	return fds, dir
}

func without(fds []int, drop int) []int {
	var out []int
	for _, fd := range fds {
		if fd != drop {
			out = append(out, fd)
		}
	}
	return out
}

func fdLink(fd int) string { return readlink("/proc/self/fd/" + strconv.Itoa(fd)) }

func main() {
	var err error
	// First, before anything opens a descriptor of its own (the Go poller does).
	descriptors()

	exe, err = filepath.EvalSymlinks(os.Args[0])
	if err != nil {
		fail("EvalSymlinks(os.Args[0])", err)
	}
	exe, _ = filepath.Abs(exe)
	magicLinks()
	self()
	auxv()
	maps()
	status()
	mounts()
	system()
	devices()
}

func descriptors() {
	section("/proc/self/fd")
	fds, dir := listFds()
	fmt.Println("at start, besides the listing's own fd:", without(fds, dir))
	// Not 1 and 2: the test runner points them at different files for each run.
	for _, fd := range without(fds, dir) {
		if fd > 2 {
			fmt.Printf("  %d -> %s\n", fd, fdLink(fd))
		}
	}
	fmt.Println("the listing's own fd is listed:", len(fds) != len(without(fds, dir)))

	// Three descriptors opened with raw syscalls: the lowest free numbers, and exactly
	// these appear.
	var opened []int
	for _, path := range []string{"/dev/null", os.Args[0], "/"} {
		fd, err := syscall.Open(path, syscall.O_RDONLY|syscall.O_CLOEXEC, 0)
		if err != nil {
			fail("open "+path, err)
		}
		opened = append(opened, fd)
	}
	fmt.Println("opened:", opened)
	fds, dir = listFds()
	fmt.Println("listed:", without(fds, dir))
	fmt.Println("links:", fdLink(opened[0]), "|", fdLink(opened[1]) == mustAbs(os.Args[0]), "|", fdLink(opened[2]))
	dup := 100
	if err := syscall.Dup2(opened[0], dup); err != nil {
		fail("dup2", err)
	}
	fds, dir = listFds()
	fmt.Println("after dup2 to 100:", without(fds, dir), "link:", fdLink(dup))

	// fdinfo follows the file offset; /dev/fd/N and /proc/self/fd/N open the file
	// anew, at offset 0.
	buf := make([]byte, 4)
	n, err := syscall.Read(opened[1], buf[:3])
	fmt.Printf("read %d bytes of the exe: %q %s\n", n, buf[:n], outcome(err))
	info := string(mustRead("/proc/self/fdinfo/" + strconv.Itoa(opened[1])))
	fmt.Printf("fdinfo: %q, has flags: %v\n", strings.SplitN(info, "\n", 2)[0], strings.Contains(info, "\nflags:\t"))
	for _, prefix := range []string{"/dev/fd/", "/proc/self/fd/"} {
		fd, err := syscall.Open(prefix+strconv.Itoa(opened[1]), syscall.O_RDONLY|syscall.O_CLOEXEC, 0)
		if err != nil {
			fmt.Println("open "+prefix+"N:", outcome(err))
			continue
		}
		n, err = syscall.Read(fd, buf)
		fmt.Printf("open %sN and read: %q %s, new fd %d\n", prefix, buf[:n], outcome(err), fd)
		syscall.Close(fd)
	}
	for _, fd := range append(opened, dup) {
		syscall.Close(fd)
	}
	fds, dir = listFds()
	fmt.Println("after closing them:", without(fds, dir))
	_, err = syscall.Open("/proc/self/fd/"+strconv.Itoa(dup), syscall.O_RDONLY, 0)
	fmt.Println("open /proc/self/fd/N of a closed fd:", outcome(err))
	fmt.Println("readlink of a closed fd:", fdLink(dup))

	// Links of things that are not paths, and of a removed file.
	var pipe [2]int
	if err := syscall.Pipe2(pipe[:], syscall.O_CLOEXEC); err != nil {
		fail("pipe2", err)
	}
	pipeLink := regexp.MustCompile(`^pipe:\[[0-9]+\]$`)
	fmt.Println("pipe ends link to the same pipe:[N]:", pipeLink.MatchString(fdLink(pipe[0])), fdLink(pipe[0]) == fdLink(pipe[1]))
	syscall.Write(pipe[1], []byte("through the pipe"))
	syscall.Close(pipe[1])
	got, err := readAll("/proc/self/fd/" + strconv.Itoa(pipe[0]))
	fmt.Printf("open /proc/self/fd/N of the read end: %q %s\n", got, outcome(err))
	syscall.Close(pipe[0])
	sock, err := syscall.Socket(syscall.AF_UNIX, syscall.SOCK_STREAM|syscall.SOCK_CLOEXEC, 0)
	if err != nil {
		fail("socket", err)
	}
	fmt.Println("socket links to socket:[N]:", regexp.MustCompile(`^socket:\[[0-9]+\]$`).MatchString(fdLink(sock)))
	_, err = syscall.Open("/proc/self/fd/"+strconv.Itoa(sock), syscall.O_RDONLY, 0)
	fmt.Println("open /proc/self/fd/N of a socket:", outcome(err))
	syscall.Close(sock)
	fmt.Println("stdin links to a pipe:", pipeLink.MatchString(fdLink(0)))
	fmt.Println("stdout links to an absolute path:", strings.HasPrefix(fdLink(1), "/"))

	tmp := filepath.Join(os.TempDir(), "asis-proc-dev-"+strconv.Itoa(os.Getpid()))
	fd, err := syscall.Open(tmp, syscall.O_CREAT|syscall.O_EXCL|syscall.O_RDWR|syscall.O_CLOEXEC, 0o600)
	if err != nil {
		fail("create "+tmp, err)
	}
	syscall.Write(fd, []byte("still here"))
	syscall.Unlink(tmp)
	fmt.Println("removed file's link:", strings.Replace(fdLink(fd), tmp, "$TMPFILE", 1))
	got, err = readAll("/proc/self/fd/" + strconv.Itoa(fd))
	fmt.Printf("open /proc/self/fd/N of the removed file: %q %s\n", got, outcome(err))
	syscall.Close(fd)
	fds, dir = listFds()
	fmt.Println("at the end:", without(fds, dir))
}

func mustAbs(p string) string {
	a, err := filepath.Abs(p)
	if err != nil {
		fail("Abs", err)
	}
	r, err := filepath.EvalSymlinks(a)
	if err != nil {
		fail("EvalSymlinks", err)
	}
	return r
}

func magicLinks() {
	section("/proc/self links")
	fmt.Println("exe is this program:", readlink("/proc/self/exe") == exe)
	e, err := os.Executable()
	fmt.Println("os.Executable is this program:", err == nil && e == exe)
	a, errA := readAll("/proc/self/exe")
	b, errB := readAll(exe)
	fmt.Println("exe has this program's bytes:", errA == nil && errB == nil && sha256.Sum256(a) == sha256.Sum256(b))
	bi, err := buildinfo.ReadFile("/proc/self/exe")
	if err != nil {
		fmt.Println("buildinfo of /proc/self/exe:", outcome(err))
	} else {
		fmt.Println("buildinfo of /proc/self/exe: path", bi.Path, "go version matches:", bi.GoVersion == runtime.Version())
	}
	wd, _ := os.Getwd()
	fmt.Println("cwd is the working directory:", readlink("/proc/self/cwd") == wd)
	fmt.Println("root:", readlink("/proc/self/root"))
	fmt.Println("/proc/self is the pid:", readlink("/proc/self") == strconv.Itoa(os.Getpid()))
	runtime.LockOSThread()
	tid := syscall.Gettid()
	fmt.Println("/proc/thread-self is pid/task/tid:", readlink("/proc/thread-self") == fmt.Sprintf("%d/task/%d", os.Getpid(), tid))
	_, err = os.Stat(fmt.Sprintf("/proc/self/task/%d", tid))
	fmt.Println("this thread is in /proc/self/task:", outcome(err))
	runtime.UnlockOSThread()
}

func self() {
	section("cmdline and environ")
	cmdline := mustRead("/proc/self/cmdline")
	fmt.Printf("args: %q\n", os.Args[1:])
	fmt.Println("cmdline is os.Args:", string(cmdline) == strings.Join(os.Args, "\x00")+"\x00")
	byPid := mustRead("/proc/" + strconv.Itoa(os.Getpid()) + "/cmdline")
	fmt.Println("/proc/PID/cmdline is the same:", bytes.Equal(cmdline, byPid))
	environ := string(mustRead("/proc/self/environ"))
	env := os.Environ()
	fmt.Println("environ is os.Environ:", environ == strings.Join(env, "\x00")+"\x00")
	fmt.Println("environment entries:", len(env))
	fmt.Printf("ASIS_PROC_DEV: %q\n", os.Getenv("ASIS_PROC_DEV"))
}

const (
	atNull        = 0
	atPhdr        = 3
	atPhent       = 4
	atPhnum       = 5
	atPagesz      = 6
	atBase        = 7
	atEntry       = 9
	atUID         = 11
	atEUID        = 12
	atGID         = 13
	atEGID        = 14
	atPlatform    = 15
	atClktck      = 17
	atSecure      = 23
	atRandom      = 25
	atExecfn      = 31
	atSysinfoEhdr = 33
)

// cString reads a NUL-terminated string at an address of this process.
func cString(addr uint64) string {
	var b []byte
	for i := uintptr(0); i < 4096; i++ {
		c := *(*byte)(unsafe.Pointer(uintptr(addr) + i))
		if c == 0 {
			break
		}
		b = append(b, c)
	}
	return string(b)
}

func memory(addr uint64, n int) []byte {
	return unsafe.Slice((*byte)(unsafe.Pointer(uintptr(addr))), n)
}

func auxv() {
	section("/proc/self/auxv")
	raw := mustRead("/proc/self/auxv")
	v := map[uint64]uint64{}
	ended := false
	for i := 0; i+16 <= len(raw); i += 16 {
		k := binary.LittleEndian.Uint64(raw[i:])
		if k == atNull {
			ended = true
			break
		}
		v[k] = binary.LittleEndian.Uint64(raw[i+8:])
	}
	fmt.Println("ends with AT_NULL:", ended)
	f, err := elf.Open(exe)
	if err != nil {
		fail("elf.Open", err)
	}
	defer f.Close()
	fmt.Println("AT_PAGESZ:", v[atPagesz], "AT_CLKTCK:", v[atClktck], "AT_SECURE:", v[atSecure], "AT_BASE:", v[atBase])
	fmt.Println("AT_ENTRY is the ELF entry:", v[atEntry] == f.Entry)
	fmt.Println("AT_PHNUM is the ELF's:", v[atPhnum] == uint64(len(f.Progs)), "AT_PHENT:", v[atPhent])
	// AT_PHDR points at this program's program headers, as they are in the file.
	var phoff uint64
	if ef, err := os.Open(exe); err == nil {
		var hdr elf.Header64
		binary.Read(ef, binary.LittleEndian, &hdr)
		phoff = hdr.Phoff
		want := make([]byte, int(hdr.Phentsize)*int(hdr.Phnum))
		ef.ReadAt(want, int64(phoff))
		ef.Close()
		fmt.Println("AT_PHDR shows the program headers:", v[atPhdr] != 0 && bytes.Equal(memory(v[atPhdr], len(want)), want))
	}
	fmt.Println("AT_UID, AT_EUID, AT_GID, AT_EGID are the ids:", v[atUID] == uint64(os.Getuid()) && v[atEUID] == uint64(os.Geteuid()) &&
		v[atGID] == uint64(os.Getgid()) && v[atEGID] == uint64(os.Getegid()))
	fmt.Println("AT_RANDOM points at 16 bytes:", v[atRandom] != 0 && len(memory(v[atRandom], 16)) == 16)
	fmt.Printf("AT_PLATFORM: %q\n", cString(v[atPlatform]))
	fmt.Println("AT_EXECFN is argv[0]:", v[atExecfn] != 0 && cString(v[atExecfn]) == os.Args[0])
	// Whether there is a vDSO is asis's choice; /proc/self/maps must agree with auxv.
	vdso, elfImage := uint64(0), v[atSysinfoEhdr] != 0 && string(memory(v[atSysinfoEhdr], 4)) == "\x7fELF"
	for _, m := range parseMaps() {
		if m.path == "[vdso]" {
			vdso = m.start
		}
	}
	fmt.Println("AT_SYSINFO_EHDR is an ELF image exactly where maps shows [vdso]:",
		(v[atSysinfoEhdr] == 0 && vdso == 0) || (elfImage && vdso == v[atSysinfoEhdr]))
}

type mapping struct {
	start, end uint64
	perms      string
	path       string
}

func parseMaps() []mapping {
	var ms []mapping
	sc := bufio.NewScanner(bytes.NewReader(mustRead("/proc/self/maps")))
	for sc.Scan() {
		f := strings.Fields(sc.Text())
		if len(f) < 5 {
			fail("maps line "+sc.Text(), nil)
		}
		r := strings.SplitN(f[0], "-", 2)
		s, err1 := strconv.ParseUint(r[0], 16, 64)
		e, err2 := strconv.ParseUint(r[1], 16, 64)
		if err1 != nil || err2 != nil {
			fail("maps range "+f[0], nil)
		}
		m := mapping{start: s, end: e, perms: f[1]}
		if len(f) >= 6 {
			m.path = strings.Join(f[5:], " ")
		}
		ms = append(ms, m)
	}
	return ms
}

func maps() {
	section("/proc/self/maps")
	ms := parseMaps()
	ordered := true
	for i := 1; i < len(ms); i++ {
		if ms[i].start < ms[i-1].end || ms[i].start >= ms[i].end {
			ordered = false
		}
	}
	fmt.Println("sorted, disjoint ranges:", ordered)
	pc := uint64(reflect.ValueOf(main).Pointer())
	text, mainInText := false, false
	others := 0
	named := map[string]bool{}
	for _, m := range ms {
		if m.path == exe && m.perms == "r-xp" {
			text = true
			mainInText = mainInText || (m.start <= pc && pc < m.end)
		}
		if m.path != exe && strings.Contains(m.path, "asis") {
			others++
			fmt.Println("  mentions asis:", m.path)
		}
		if strings.HasPrefix(m.path, "[") {
			named[m.path] = true
		}
	}
	fmt.Println("the exe's text is mapped r-xp:", text)
	fmt.Println("main.main lies in it:", mainInText)
	fmt.Println("lines mentioning asis besides the exe:", others)
	fmt.Println("[stack]:", named["[stack]"])

	// A file this program maps shows up with its path.
	fd, err := syscall.Open(exe, syscall.O_RDONLY|syscall.O_CLOEXEC, 0)
	if err != nil {
		fail("open exe", err)
	}
	mem, err := syscall.Mmap(fd, 0, 8192, syscall.PROT_READ, syscall.MAP_SHARED)
	syscall.Close(fd)
	if err != nil {
		fail("mmap", err)
	}
	addr := uint64(uintptr(unsafe.Pointer(&mem[0])))
	found := "missing"
	for _, m := range parseMaps() {
		if m.start == addr {
			found = fmt.Sprintf("%s, size %d, path is the exe %v", m.perms, m.end-m.start, m.path == exe)
		}
	}
	fmt.Println("a mapping of the exe file:", found)
	syscall.Munmap(mem)
}

func statusField(status, key string) string {
	for _, line := range strings.Split(status, "\n") {
		if strings.HasPrefix(line, key+":") {
			return strings.TrimSpace(line[len(key)+1:])
		}
	}
	return "(missing)"
}

func status() {
	section("/proc/self/status, stat, comm, limits")
	st := string(mustRead("/proc/self/status"))
	comm := filepath.Base(os.Args[0])
	if len(comm) > 15 {
		comm = comm[:15]
	}
	fmt.Println("Name:", statusField(st, "Name"), "is the program's:", statusField(st, "Name") == comm)
	pid := strconv.Itoa(os.Getpid())
	fmt.Println("Pid, Tgid are getpid:", statusField(st, "Pid") == pid, statusField(st, "Tgid") == pid)
	fmt.Println("PPid is getppid:", statusField(st, "PPid") == strconv.Itoa(os.Getppid()))
	uids := strings.Fields(statusField(st, "Uid"))
	fmt.Println("Uid is getuid:", len(uids) == 4 && uids[0] == strconv.Itoa(os.Getuid()))
	threads, err := strconv.Atoi(statusField(st, "Threads"))
	fmt.Println("Threads is a count:", err == nil && threads >= 1)
	fmt.Printf("comm: %q\n", mustRead("/proc/self/comm"))
	stat := string(mustRead("/proc/self/stat"))
	lp, rp := strings.IndexByte(stat, '('), strings.LastIndexByte(stat, ')')
	if lp < 1 || rp < lp {
		fail("parse /proc/self/stat", nil)
	}
	rest := strings.Fields(stat[rp+1:])
	fmt.Println("stat: pid", stat[:lp-1] == pid, "comm", stat[lp+1:rp] == comm, "ppid", len(rest) > 1 && rest[1] == strconv.Itoa(os.Getppid()))

	var lim syscall.Rlimit
	syscall.Getrlimit(syscall.RLIMIT_NOFILE, &lim)
	var soft, hard string
	for _, line := range strings.Split(string(mustRead("/proc/self/limits")), "\n") {
		if strings.HasPrefix(line, "Max open files") {
			f := strings.Fields(line[len("Max open files"):])
			if len(f) >= 2 {
				soft, hard = f[0], f[1]
			}
		}
	}
	fmt.Println("limits: Max open files is getrlimit's:",
		soft == strconv.FormatUint(lim.Cur, 10) && hard == strconv.FormatUint(lim.Max, 10))
}

func mounts() {
	section("mountinfo and mounts")
	lines := strings.Split(strings.TrimRight(string(mustRead("/proc/self/mountinfo")), "\n"), "\n")
	good, root, proc := 0, false, false
	for _, l := range lines {
		f := strings.Fields(l)
		sep := -1
		for i, w := range f {
			if w == "-" {
				sep = i
				break
			}
		}
		if len(f) < 10 || sep < 6 || len(f) < sep+3 {
			fmt.Printf("  bad line: %q\n", l)
			continue
		}
		good++
		root = root || f[4] == "/"
		proc = proc || (f[4] == "/proc" && f[sep+1] == "proc")
	}
	fmt.Println("mountinfo: every line parses:", good == len(lines) && good > 0, "/ is mounted:", root, "/proc is proc:", proc)
	root = false
	for _, l := range strings.Split(string(mustRead("/proc/self/mounts")), "\n") {
		f := strings.Fields(l)
		root = root || (len(f) >= 4 && f[1] == "/")
	}
	fmt.Println("mounts: / is mounted:", root)
}

// fileFact prints how a file starts (or the error), for files Go and programs read.
func fileFact(path string, check func(string) string) {
	b, err := readAll(path)
	if err != nil {
		fmt.Println(path+":", outcome(err))
		return
	}
	fmt.Println(path+":", check(string(b)))
}

func system() {
	section("system files")
	fileFact("/proc/cpuinfo", func(s string) string {
		return fmt.Sprint("starts with processor: ", strings.HasPrefix(s, "processor\t"))
	})
	fileFact("/proc/meminfo", func(s string) string {
		f := strings.Fields(s)
		n, _ := strconv.Atoi(f[1])
		return fmt.Sprint("first is MemTotal ", f[0] == "MemTotal:", ", positive ", n > 0)
	})
	fileFact("/proc/stat", func(s string) string { return fmt.Sprint("starts with cpu: ", strings.HasPrefix(s, "cpu ")) })
	fileFact("/proc/loadavg", func(s string) string { return fmt.Sprint("fields ", len(strings.Fields(s))) })
	fileFact("/proc/uptime", func(s string) string { return fmt.Sprint("fields ", len(strings.Fields(s))) })
	fileFact("/proc/version", func(s string) string {
		return fmt.Sprint("starts with Linux version: ", strings.HasPrefix(s, "Linux version "))
	})
	var uts syscall.Utsname
	syscall.Uname(&uts)
	cstr := func(a [65]int8) string {
		var b []byte
		for _, c := range a {
			if c == 0 {
				break
			}
			b = append(b, byte(c))
		}
		return string(b)
	}
	fileFact("/proc/sys/kernel/hostname", func(s string) string {
		return fmt.Sprint("is uname's nodename: ", strings.TrimSpace(s) == cstr(uts.Nodename))
	})
	fileFact("/proc/sys/kernel/osrelease", func(s string) string {
		return fmt.Sprint("is uname's release: ", strings.TrimSpace(s) == cstr(uts.Release))
	})
	h, err := os.Hostname()
	fmt.Println("os.Hostname is uname's:", err == nil && h == cstr(uts.Nodename))
	// Read by Go's runtime at start and by the net package on Listen.
	identity := func(s string) string { return strings.TrimSpace(s) }
	fileFact("/sys/kernel/mm/transparent_hugepage/hpage_pmd_size", identity)
	fileFact("/proc/sys/net/core/somaxconn", identity)
	names, err := os.ReadDir("/proc")
	self, pidDir, threadSelf := false, false, false
	for _, n := range names {
		self = self || n.Name() == "self"
		threadSelf = threadSelf || n.Name() == "thread-self"
		pidDir = pidDir || n.Name() == strconv.Itoa(os.Getpid())
	}
	fmt.Println("/proc lists self, thread-self, our pid:", outcome(err), self, threadSelf, pidDir)
}

func devices() {
	section("/dev")
	dev := func(path string) {
		var st syscall.Stat_t
		if err := syscall.Stat(path, &st); err != nil {
			fmt.Println(path+":", outcome(err))
			return
		}
		fmt.Printf("%s: char device %v, %d:%d\n", path, st.Mode&syscall.S_IFMT == syscall.S_IFCHR, st.Rdev>>8&0xfff, st.Rdev&0xff|st.Rdev>>12&^0xff)
	}
	for _, d := range []string{"/dev/null", "/dev/zero", "/dev/full", "/dev/random", "/dev/urandom", "/dev/tty"} {
		dev(d)
	}
	rw := func(path string) int {
		fd, err := syscall.Open(path, syscall.O_RDWR|syscall.O_CLOEXEC, 0)
		if err != nil {
			fail("open "+path, err)
		}
		return fd
	}
	buf := make([]byte, 4096)
	fd := rw("/dev/null")
	n, err := syscall.Write(fd, []byte("gone"))
	fmt.Println("/dev/null: write", n, outcome(err))
	n, err = syscall.Read(fd, buf)
	fmt.Println("/dev/null: read", n, outcome(err))
	syscall.Close(fd)

	allZero := func(b []byte) bool { return bytes.Count(b, []byte{0}) == len(b) }
	fd = rw("/dev/zero")
	for i := range buf {
		buf[i] = 1
	}
	n, err = syscall.Read(fd, buf)
	fmt.Println("/dev/zero: read", n, outcome(err), "all zero", allZero(buf[:n]))
	n, err = syscall.Write(fd, []byte("x"))
	fmt.Println("/dev/zero: write", n, outcome(err))
	syscall.Close(fd)

	fd = rw("/dev/full")
	n, err = syscall.Write(fd, []byte("x"))
	fmt.Println("/dev/full: write", n, outcome(err))
	buf[0] = 1
	n, err = syscall.Read(fd, buf[:16])
	fmt.Println("/dev/full: read", n, outcome(err), "all zero", allZero(buf[:n]))
	syscall.Close(fd)

	for _, path := range []string{"/dev/urandom", "/dev/random"} {
		fd, err := syscall.Open(path, syscall.O_RDONLY|syscall.O_CLOEXEC, 0)
		if err != nil {
			fmt.Println(path+":", outcome(err))
			continue
		}
		b1, b2 := make([]byte, 32), make([]byte, 32)
		n1, _ := syscall.Read(fd, b1)
		n2, _ := syscall.Read(fd, b2)
		fmt.Println(path+": read", n1, n2, "differ", !bytes.Equal(b1, b2), "not all zero", !allZero(b1))
		syscall.Close(fd)
	}

	for _, l := range []string{"/dev/fd", "/dev/stdin", "/dev/stdout", "/dev/stderr"} {
		fmt.Println(l, "->", readlink(l))
	}
	// stdin is a pipe (case.conf): /dev/stdin opens the same pipe.
	in, err := readAll("/dev/stdin")
	fmt.Printf("/dev/stdin: %q %s\n", in, outcome(err))
	n, err = syscall.Read(0, buf)
	fmt.Println("fd 0 after that:", n, outcome(err))
	_, err = syscall.Open("/dev/tty", syscall.O_RDWR|syscall.O_CLOEXEC|syscall.O_NOCTTY, 0)
	fmt.Println("open /dev/tty:", outcome(err)) // no controlling terminal in the test runs
	var st syscall.Stat_t
	err = syscall.Stat("/dev/shm", &st)
	fmt.Println("/dev/shm is a directory:", outcome(err), st.Mode&syscall.S_IFMT == syscall.S_IFDIR)
	_, err = syscall.Open("/dev/no-such-device", syscall.O_RDONLY, 0)
	fmt.Println("/dev/no-such-device:", outcome(err))
}
