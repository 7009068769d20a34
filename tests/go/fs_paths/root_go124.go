//go:build go1.24

// os.Root (Go 1.24): lookups confined to a directory, which Go implements with openat
// and O_NOFOLLOW one component at a time and readlinkat for the symlinks it meets.
package main

import (
	"fmt"
	"io"
	"os"
)

func init() { extraSections = append(extraSections, rootSection) }

func rootRead(what string, r *os.Root, name string) {
	f, err := r.Open(name)
	if err != nil {
		show(what, err)
		return
	}
	defer f.Close()
	b, err := io.ReadAll(f)
	if err != nil {
		show(what+" (read)", err)
		return
	}
	fmt.Printf("%s: %q\n", what, b)
}

func rootSection() {
	section("os.Root")
	symlink("f", "a/in")
	symlink("sub2/../f", "a/in2")
	symlink(p("a/f"), "a/absin")
	r, err := os.OpenRoot(p("a"))
	if err != nil {
		show("OpenRoot", err)
		return
	}
	defer r.Close()
	fmt.Println("Name:", hide(r.Name()))
	rootRead("Open f", r, "f")
	rootRead("Open sub2/../f", r, "sub2/../f")
	rootRead("Open in (link inside)", r, "in")
	rootRead("Open in2 (link with .. inside)", r, "in2")
	rootRead("Open ../top.txt", r, "../top.txt")
	rootRead("Open sub2/../../top.txt", r, "sub2/../../top.txt")
	rootRead("Open torel (link out)", r, "torel")
	rootRead("Open tob/f (dir link out)", r, "tob/f")
	rootRead("Open absin (absolute link)", r, "absin")
	rootRead("Open absolute path", r, p("a/f"))
	rootRead("Open missing", r, "missing")
	rootRead("Open f/x", r, "f/x")

	f, err := r.Create("created")
	show("Create created", err)
	if err == nil {
		f.WriteString("via root")
		f.Close()
	}
	showRead("  a/created", p("a/created"))
	_, err = r.OpenFile("created", os.O_CREATE|os.O_EXCL|os.O_WRONLY, 0o644)
	show("OpenFile O_EXCL on it", err)
	_, err = r.Create("../escape")
	show("Create ../escape", err)
	fmt.Println("  $T/escape:", exists(p("escape")))
	show("Mkdir rd", r.Mkdir("rd", 0o755))
	show("Mkdir ../rd", r.Mkdir("../rd", 0o755))
	fmt.Println("  $T/rd:", exists(p("rd")))
	st, err := r.Stat("rd")
	fmt.Println("Stat rd:", outcome(err), err == nil && st.IsDir())
	st, err = r.Lstat("in")
	fmt.Println("Lstat in:", outcome(err), err == nil && st.Mode()&os.ModeSymlink != 0)
	_, err = r.Stat("torel")
	show("Stat torel (link out)", err)
	sub, err := r.OpenRoot("sub2")
	show("OpenRoot sub2", err)
	if err == nil {
		rootRead("  sub2 root: Open ../f", sub, "../f")
		sub.Close()
	}
	show("Remove created", r.Remove("created"))
	show("Remove rd", r.Remove("rd"))
	show("Remove ../top.txt", r.Remove("../top.txt"))
	showRead("  $T/top.txt", p("top.txt"))
	_, err = os.OpenInRoot(p("a"), "../top.txt")
	show("OpenInRoot a ../top.txt", err)
	for _, n := range []string{"in", "in2", "absin"} {
		must("remove "+n, os.Remove(p("a/"+n)))
	}
}
