// Child processes with os/exec; see case.conf.
package main

import (
	"bytes"
	"errors"
	"fmt"
	"os"
	"os/exec"
	"path/filepath"
	"strings"
)

func main() {
	if len(os.Args) > 1 && os.Args[1] == "child" {
		fmt.Printf("child args=%q env=%s\n", os.Args[2:], os.Getenv("ASIS_CHILD_VAR"))
		if len(os.Args) > 2 && os.Args[2] == "fail" {
			os.Exit(7)
		}
		return
	}
	if len(os.Args) > 1 && os.Args[1] == "upper" {
		var b bytes.Buffer
		b.ReadFrom(os.Stdin)
		fmt.Print(strings.ToUpper(b.String()))
		return
	}
	self, err := os.Executable()
	fmt.Println("executable is this program:", err == nil && filepath.Base(self) == filepath.Base(os.Args[0]))
	cmd := exec.Command(self, "child", "a b", "c")
	cmd.Env = append(os.Environ(), "ASIS_CHILD_VAR=hello")
	out, err := cmd.Output()
	fmt.Printf("output=%q err=%v\n", out, err)
	err = exec.Command(self, "child", "fail").Run()
	var ee *exec.ExitError
	fmt.Println("exit code:", errors.As(err, &ee) && ee.ExitCode() == 7)
	c := exec.Command(self, "upper")
	c.Stdin = strings.NewReader("piped text\n")
	out, err = c.Output()
	fmt.Printf("piped=%q err=%v\n", out, err)
	_, err = exec.Command("/nonexistent/prog").Output()
	fmt.Println("missing program error:", err != nil)
	dir, _ := os.MkdirTemp("", "asis-exec")
	defer os.RemoveAll(dir)
	script := filepath.Join(dir, "script")
	os.WriteFile(script, []byte("#!"+self+" child\n"), 0755)
	out, err = exec.Command(script, "x").Output()
	fmt.Printf("script=%q err=%v\n", strings.ReplaceAll(string(out), dir, "DIR"), err)
}
