// args_env: the program sees its arguments and environment exactly as given.
package main

import (
	"fmt"
	"os"
	"path/filepath"
	"strings"
)

func main() {
	// argv[0] is the path the runner passed; only its base name is the same in both runs.
	fmt.Printf("argv0 base: %s\n", filepath.Base(os.Args[0]))
	fmt.Printf("argc: %d\n", len(os.Args)-1)
	for i, a := range os.Args[1:] {
		fmt.Printf("arg[%d] = %q (%d bytes)\n", i+1, a, len(a))
	}

	for _, k := range []string{"ASIS_T_ONE", "ASIS_T_SPACE", "ASIS_T_EQ", "ASIS_T_EMPTY", "ASIS_T_MISSING"} {
		v, found := os.LookupEnv(k)
		fmt.Printf("env %s: found=%v value=%q\n", k, found, v)
	}
	fmt.Printf("getenv of missing is empty: %v\n", os.Getenv("ASIS_T_MISSING") == "")

	env := os.Environ()
	fmt.Printf("environ non-empty: %v\n", len(env) > 0)

	// The same variables must show up in os.Environ() too, once each.
	seen := map[string]int{}
	for _, kv := range env {
		if !strings.Contains(kv, "=") {
			fmt.Printf("environ entry without '=': %q\n", kv)
			os.Exit(1)
		}
		if strings.HasPrefix(kv, "ASIS_T_") {
			seen[kv]++
		}
	}
	for _, want := range []string{"ASIS_T_ONE=one", "ASIS_T_SPACE=with space", "ASIS_T_EQ=a=b=c", "ASIS_T_EMPTY="} {
		if seen[want] != 1 {
			fmt.Printf("environ has %q %d times, want once\n", want, seen[want])
			os.Exit(1)
		}
	}
	fmt.Println("environ entries ok")
}
