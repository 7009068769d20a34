//go:build go1.25

// The os.Root methods Go 1.25 added: they resolve both names inside the root.
package main

import (
	"fmt"
	"os"
)

func init() { extraSections = append(extraSections, root125Section) }

func root125Section() {
	section("os.Root (Go 1.25 methods)")
	r, err := os.OpenRoot(p("a"))
	if err != nil {
		show("OpenRoot", err)
		return
	}
	defer r.Close()
	show("WriteFile w", r.WriteFile("w", []byte("written"), 0o644))
	b, err := r.ReadFile("w")
	fmt.Printf("ReadFile w: %s %q\n", outcome(err), b)
	_, err = r.ReadFile("../top.txt")
	show("ReadFile ../top.txt", err)
	show("Rename w w2", r.Rename("w", "w2"))
	show("Rename w2 ../w3", r.Rename("w2", "../w3"))
	fmt.Println("  $T/w3:", exists(p("w3")))
	show("Link w2 w4", r.Link("w2", "w4"))
	show("Link w2 ../w5", r.Link("w2", "../w5"))
	fmt.Println("  nlink of a/w2:", nlink(p("a/w2")))
	show("Symlink w2 sl", r.Symlink("w2", "sl"))
	s, err := r.Readlink("sl")
	fmt.Printf("Readlink sl: %s %q\n", outcome(err), s)
	s, err = r.Readlink("torel")
	fmt.Printf("Readlink torel: %s %q\n", outcome(err), s)
	show("Chmod w2 0600", r.Chmod("w2", 0o600))
	st, err := os.Stat(p("a/w2"))
	if err == nil {
		fmt.Println("  mode:", st.Mode().Perm())
	}
	show("MkdirAll m/n/o", r.MkdirAll("m/n/o", 0o755))
	show("MkdirAll ../m", r.MkdirAll("../m", 0o755))
	fmt.Println("  $T/m:", exists(p("m")))
	must("write a/m/n/f", os.WriteFile(p("a/m/n/f"), nil, 0o644))
	symlink("../../../../outside2", "a/m/out")
	must("mkdir outside2", os.Mkdir(p("outside2"), 0o755))
	write("outside2/keep", "keep")
	show("RemoveAll m", r.RemoveAll("m"))
	fmt.Println("  a/m:", exists(p("a/m")), " outside2/keep:", exists(p("outside2/keep")))
	show("RemoveAll ..", r.RemoveAll(".."))
	fmt.Println("  $T/top.txt:", exists(p("top.txt")))
	for _, n := range []string{"w2", "w4", "sl"} {
		must("remove "+n, os.Remove(p("a/"+n)))
	}
}
