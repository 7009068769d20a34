/* rdtsc emulation (--rdtsc=emulate). With PR_SET_TSC(PR_TSC_SIGSEGV) the CPU refuses
 * rdtsc and rdtscp in user mode and the kernel sends SIGSEGV (si_code SI_KERNEL); asis
 * answers with CLOCK_MONOTONIC_RAW scaled to the host TSC's rate, measured between the
 * runtime's start and the app's first instruction. The value is monotonic across the
 * process's threads and advances as the host TSC does; it is not the host TSC itself,
 * which an enclave cannot trust or read. docs/vdso-design.md. */
#include "libos/rdtsc.h"
#include "pal/host.h"

int g_rdtsc_emulate;

#define CLOCK_MONOTONIC_RAW 4

/* The measurement must span long enough for the clock readings' own cost not to matter. */
#define CALIBRATION_MIN_NS 1000000ULL

static uint64_t tsc_read(void)
{
    uint32_t lo, hi;
    __asm__ volatile("lfence; rdtsc" : "=a"(lo), "=d"(hi));
    return (uint64_t)hi << 32 | lo;
}

static uint64_t raw_ns(void)
{
    struct host_timespec ts;
    host_syscall2(__NR_clock_gettime, CLOCK_MONOTONIC_RAW, &ts);
    return (uint64_t)ts.tv_sec * 1000000000ULL + (uint64_t)ts.tv_nsec;
}

/* A TSC reading and the clock at the same moment: the clock read between two TSC reads. */
struct tsc_sample {
    uint64_t tsc, ns;
};

static struct tsc_sample sample(void)
{
    uint64_t before = tsc_read();
    uint64_t ns = raw_ns();
    uint64_t after = tsc_read();
    return (struct tsc_sample){ before + (after - before) / 2, ns };
}

static struct tsc_sample g_start;
/* TSC ticks per nanosecond in 32.32 fixed point. */
static uint64_t g_ticks_per_ns_fp32;

void rdtsc_calibration_start(void)
{
    if (!g_rdtsc_emulate)
        return;
    /* A runtime started by the app's execve inherits the switched-off TSC (Linux keeps
     * PR_SET_TSC across execve): on again for the measurement. */
    host_syscall2(__NR_prctl, PR_SET_TSC, PR_TSC_ENABLE);
    g_start = sample();
}

int rdtsc_emulation_enable(void)
{
    struct tsc_sample end;
    do
        end = sample();
    while (end.ns - g_start.ns < CALIBRATION_MIN_NS);
    unsigned __int128 ticks = end.tsc - g_start.tsc;
    g_ticks_per_ns_fp32 = (uint64_t)((ticks << 32) / (end.ns - g_start.ns));
    return (int)host_syscall2(__NR_prctl, PR_SET_TSC, PR_TSC_SIGSEGV);
}

static uint64_t emulated_tsc(void)
{
    return (uint64_t)(((unsigned __int128)raw_ns() * g_ticks_per_ns_fp32) >> 32);
}

int rdtsc_emulate_fault(const struct host_siginfo *si, struct host_ucontext *uc)
{
    if (!g_rdtsc_emulate || si->si_signo != SIGSEGV || si->si_code != SI_KERNEL)
        return 0;
    struct host_mcontext *m = &uc->uc_mcontext;
    uint8_t insn[3];
    if (copy_from_app(insn, (const void *)m->rip, 2) != 0 || insn[0] != 0x0f)
        return 0;
    size_t len;
    if (insn[1] == 0x31) {
        len = 2; /* rdtsc */
    } else if (insn[1] == 0x01 && copy_from_app(insn + 2, (const void *)(m->rip + 2), 1) == 0 &&
               insn[2] == 0xf9) {
        len = 3; /* rdtscp: ecx = IA32_TSC_AUX, which Linux sets to node << 12 | cpu */
        unsigned cpu = 0, node = 0;
        host_syscall3(__NR_getcpu, &cpu, &node, 0);
        m->rcx = (uint64_t)(node << 12 | (cpu & 0xfff));
    } else {
        return 0;
    }
    uint64_t tsc = emulated_tsc();
    m->rax = (uint32_t)tsc;
    m->rdx = tsc >> 32;
    m->rip += len;
    return 1;
}
