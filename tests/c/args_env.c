// The initial process state a program starts with: argv, envp and the auxiliary vector
// laid out on the stack as the kernel does, and auxv entries with the kernel's meaning
// (not just present: AT_ENTRY is this program's _start, AT_PHDR its program headers,
// AT_RANDOM 16 readable bytes, AT_EXECFN the path it was started by, and so on).
// Values that are the same for every process on a host are printed; the runner
// compares them with the native run.
// asis-test: args=one 'two words' ""
// asis-test: env=ASIS_TEST_VAR=x
#define _GNU_SOURCE
#include <cpuid.h>
#include <elf.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/auxv.h>
#include <unistd.h>

extern char _start[];
extern const Elf64_Ehdr __ehdr_start;

static const char *yes(int b)
{
	return b ? "yes" : "NO";
}

// The raw entry from the stack (glibc's getauxval(AT_HWCAP) returns its own value).
static Elf64_auxv_t *auxv;
static unsigned long aux(unsigned long type)
{
	for (Elf64_auxv_t *a = auxv; a->a_type != AT_NULL; a++)
		if (a->a_type == type)
			return a->a_un.a_val;
	return 0;
}

static uint64_t fnv1a(uint64_t h, const char *s)
{
	for (; *s; s++) {
		h ^= (unsigned char)*s;
		h *= 0x100000001b3ull;
	}
	return h * 0x100000001b3ull; // the terminator separates entries
}

int main(int argc, char **argv, char **envp)
{
	printf("argc=%d\n", argc);
	for (int i = 0; i < argc; i++)
		printf("argv[%d]=%s\n", i, argv[i]);
	printf("argv[argc] is NULL: %s\n", yes(argv[argc] == NULL));

	// The kernel's layout: argv, NULL, envp, NULL, auxv, all contiguous.
	printf("envp follows argv: %s\n", yes(envp == argv + argc + 1));
	int envc = 0;
	uint64_t h = 0xcbf29ce484222325ull;
	// Left out of the hash: the shell's last command, and the working directory (the
	// runner gives the native and the asis run different ones).
	for (; envp[envc]; envc++)
		if (strncmp(envp[envc], "_=", 2) != 0 && strncmp(envp[envc], "PWD=", 4) != 0 &&
		    strncmp(envp[envc], "OLDPWD=", 7) != 0)
			h = fnv1a(h, envp[envc]);
	printf("env count=%d hash=%016llx\n", envc, (unsigned long long)h);
	const char *sel[] = { "PATH", "HOME", "LANG", "TERM", "ASIS_TEST_VAR" };
	for (size_t i = 0; i < sizeof(sel) / sizeof(sel[0]); i++) {
		const char *v = getenv(sel[i]);
		printf("env %s=%s\n", sel[i], v ? v : "(unset)");
	}

	auxv = (Elf64_auxv_t *)(envp + envc + 1);
	int auxc = 0, consistent = 1;
	while (auxv[auxc].a_type != AT_NULL) {
		// The table glibc read at start-up is this one.
		if (auxv[auxc].a_type != AT_IGNORE && auxv[auxc].a_type != AT_HWCAP &&
		    getauxval(auxv[auxc].a_type) != auxv[auxc].a_un.a_val)
			consistent = 0;
		auxc++;
	}
	printf("auxv follows envp and matches getauxval: %s\n", yes(auxc > 0 && consistent));
	// Strings live above the pointer arrays, at the top of the stack.
	printf("argv/env strings above auxv: %s\n",
	       yes((uintptr_t)argv[0] > (uintptr_t)(auxv + auxc) &&
		   (envc == 0 || (uintptr_t)envp[0] > (uintptr_t)(auxv + auxc))));

	static const struct {
		unsigned long type;
		const char *name;
	} required[] = {
		{ AT_SYSINFO_EHDR, "AT_SYSINFO_EHDR" }, { AT_HWCAP, "AT_HWCAP" },
		{ AT_PAGESZ, "AT_PAGESZ" }, { AT_CLKTCK, "AT_CLKTCK" }, { AT_PHDR, "AT_PHDR" },
		{ AT_PHENT, "AT_PHENT" }, { AT_PHNUM, "AT_PHNUM" }, { AT_BASE, "AT_BASE" },
		{ AT_FLAGS, "AT_FLAGS" }, { AT_ENTRY, "AT_ENTRY" }, { AT_UID, "AT_UID" },
		{ AT_EUID, "AT_EUID" }, { AT_GID, "AT_GID" }, { AT_EGID, "AT_EGID" },
		{ AT_SECURE, "AT_SECURE" }, { AT_RANDOM, "AT_RANDOM" }, { AT_HWCAP2, "AT_HWCAP2" },
		{ AT_EXECFN, "AT_EXECFN" }, { AT_PLATFORM, "AT_PLATFORM" },
		{ AT_MINSIGSTKSZ, "AT_MINSIGSTKSZ" },
	};
	for (size_t i = 0; i < sizeof(required) / sizeof(required[0]); i++) {
		int n = 0;
		for (int j = 0; j < auxc; j++)
			n += auxv[j].a_type == required[i].type;
		printf("%s present once: %s\n", required[i].name, yes(n == 1));
	}

	printf("AT_PAGESZ=%lu\n", aux(AT_PAGESZ));
	printf("AT_PAGESZ == sysconf(_SC_PAGESIZE): %s\n",
	       yes(aux(AT_PAGESZ) == (unsigned long)sysconf(_SC_PAGESIZE)));
	printf("AT_CLKTCK=%lu\n", aux(AT_CLKTCK));
	printf("AT_BASE=%lu (no interpreter)\n", aux(AT_BASE));
	printf("AT_FLAGS=%lu\n", aux(AT_FLAGS));
	printf("AT_SECURE=%lu\n", aux(AT_SECURE));
	printf("AT_UID/EUID/GID/EGID match getuid etc: %s\n",
	       yes(aux(AT_UID) == getuid() && aux(AT_EUID) == geteuid() &&
		   aux(AT_GID) == getgid() && aux(AT_EGID) == getegid()));

	// This program's own image.
	printf("AT_ENTRY == &_start: %s\n", yes(aux(AT_ENTRY) == (uintptr_t)_start));
	printf("AT_PHENT == sizeof(Elf64_Phdr): %s\n", yes(aux(AT_PHENT) == sizeof(Elf64_Phdr)));
	const Elf64_Phdr *ph = (const Elf64_Phdr *)aux(AT_PHDR);
	unsigned long phnum = aux(AT_PHNUM);
	printf("AT_PHNUM > 0 and == e_phnum: %s\n", yes(phnum > 0 && phnum == __ehdr_start.e_phnum));
	printf("AT_PHDR == ELF header + e_phoff: %s\n",
	       yes((uintptr_t)ph == (uintptr_t)&__ehdr_start + __ehdr_start.e_phoff));
	uintptr_t bias = 0;
	int found_first = 0, main_covered = 0, phdr_covered = 0;
	for (unsigned long i = 0; ph && i < phnum; i++)
		if (ph[i].p_type == PT_LOAD && ph[i].p_offset == 0 && !found_first) {
			bias = (uintptr_t)&__ehdr_start - ph[i].p_vaddr;
			found_first = 1;
		}
	for (unsigned long i = 0; found_first && i < phnum; i++) {
		if (ph[i].p_type != PT_LOAD)
			continue;
		uintptr_t lo = ph[i].p_vaddr + bias, hi = lo + ph[i].p_memsz;
		if ((uintptr_t)main >= lo && (uintptr_t)main < hi && (ph[i].p_flags & PF_X))
			main_covered = 1;
		if ((uintptr_t)ph >= lo && (uintptr_t)(ph + phnum) <= hi)
			phdr_covered = 1;
	}
	printf("a PT_LOAD maps the ELF header: %s\n", yes(found_first));
	printf("an executable PT_LOAD covers main: %s\n", yes(main_covered));
	printf("a PT_LOAD covers the program headers: %s\n", yes(phdr_covered));
	printf("AT_ENTRY == e_entry + load bias: %s\n",
	       yes(aux(AT_ENTRY) == __ehdr_start.e_entry + bias));

	const unsigned char *rnd = (const unsigned char *)aux(AT_RANDOM);
	int nonzero = 0;
	for (int i = 0; rnd && i < 16; i++)
		nonzero |= rnd[i];
	printf("AT_RANDOM: 16 readable bytes, not all zero: %s\n", yes(rnd && nonzero));

	const char *execfn = (const char *)aux(AT_EXECFN);
	printf("AT_EXECFN == argv[0]: %s\n", yes(execfn && strcmp(execfn, argv[0]) == 0));
	const char *platform = (const char *)aux(AT_PLATFORM);
	printf("AT_PLATFORM=%s\n", platform ? platform : "(null)");

	unsigned a, b, c, d;
	__cpuid(1, a, b, c, d);
	printf("AT_HWCAP nonzero: %s\n", yes(aux(AT_HWCAP) != 0));
	printf("AT_HWCAP == cpuid(1).edx: %s\n", yes(aux(AT_HWCAP) == d));
	printf("AT_HWCAP2=%#lx\n", aux(AT_HWCAP2));
	printf("AT_MINSIGSTKSZ nonzero: %s\n", yes(aux(AT_MINSIGSTKSZ) != 0));

	return 0;
}
