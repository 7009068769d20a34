/* Patched syscall sites, the C side of the entry (rt/pal/patch_entry.inc): path E, its slow
 * exit, and host signals that land in a stub or in the entry (docs/patching-design.md
 * sections 3.3, 3.4 and 4). */
#include "libos/patch.h"
#include <stddef.h>
#include "libos/signal.h"
#include "libos/syscall.h"
#include "pal/host.h"

_Static_assert(PATCH_OWNED_SYNC_BITS == OWNED_SYNC, "the entry's copy of OWNED_SYNC");
_Static_assert(sizeof(struct host_ucontext) == UC_SIZE, "E frame size");
#define UC_FIELD(f) offsetof(struct host_ucontext, uc_mcontext.f)
_Static_assert(UC_FIELD(r8) == UC_R8 && UC_FIELD(r11) == UC_R11 && UC_FIELD(r15) == UC_R15,
               "E frame r8-r15");
_Static_assert(UC_FIELD(rdi) == UC_RDI && UC_FIELD(rbx) == UC_RBX && UC_FIELD(rcx) == UC_RCX,
               "E frame rdi-rcx");
_Static_assert(UC_FIELD(rsp) == UC_RSP && UC_FIELD(rip) == UC_RIP &&
                   UC_FIELD(eflags) == UC_EFLAGS && UC_FIELD(fpstate) == UC_FPSTATE,
               "E frame rsp-fpstate");

struct patch_slot *g_patch_slots;
uint16_t g_patch_class[PATCH_CLASS_LIMIT];
/* What the E entry blocks: every signal asis does not own (read by patch_entry.S). */
const kernel_sigset_t g_patch_block_mask = ASYNC_ALL;

static int in_range(uintptr_t rip, const char *lo, const char *hi)
{
    return rip >= (uintptr_t)lo && rip < (uintptr_t)hi;
}

static const struct patch_slot *slot_at(uint64_t k)
{
    return k < g_patch_nslots ? &g_patch_slots[k] : 0;
}

/* The stub slot rip lies in, or 0. */
static const struct patch_slot *stub_slot_of(uintptr_t rip)
{
    if (!g_patch_nslots || rip < g_patch_stub_base)
        return 0;
    return slot_at((rip - g_patch_stub_base) / PATCH_STUB_BYTES);
}

int patch_in_code(uintptr_t rip)
{
    return stub_slot_of(rip) || in_range(rip, pal_patch_entry, pal_patch_e_end);
}

/* Path E, called by the entry on the asis stack with async signals blocked; uc holds the
 * app's registers (no FP state: the runtime never touches it). Returns 0 to leave by the
 * fast exit with t->exit_mask, 1 for the slow exit (patch_settle). */
int patch_dispatch(struct host_ucontext *uc);
int patch_dispatch(struct host_ucontext *uc)
{
    struct tcb *t = tcb_self();
    struct host_mcontext *m = &uc->uc_mcontext;
    const struct patch_slot *s = slot_at(t->patch_site);
    long nr = (int)m->rax; /* as the kernel: the number is eax */
    uc->uc_sigmask = host_mask_of(t->app_sigmask);
    t->trap_uc = uc;
    t->trap_nr = nr;
    t->restart_rip = s ? s->start : m->rip; /* s is always found: the stub gave its index */
    patch_stats_count(PATCH_PATH_E, nr);
    const long args[6] = { (long)m->rdi, (long)m->rsi, (long)m->rdx,
                           (long)m->r10, (long)m->r8,  (long)m->r9 };
    m->rax = (uint64_t)syscall_dispatch(t, nr, args);
    t->trap_uc = 0;
    long ret = (long)m->rax;
    int slow = t->sig_taken || t->patch_tf || t->pass_deferred || t->saved_mask_valid ||
               (t->owned_pending & ~t->app_sigmask) || m->rip != t->patch_ret ||
               signal_is_restart_code(ret);
    if (slow) {
        t->patch_settle_rip = m->rip;
        t->patch_eflags = m->eflags; /* the frame is gone by the time patch_settle runs */
        return 1;
    }
    t->exit_mask = host_mask_of(t->app_sigmask);
    return 0;
}

void patch_settle(struct tcb *t, struct host_ucontext *uc)
{
    /* uc is the app's context with the call's result, but ud2's rip. */
    struct host_mcontext *m = &uc->uc_mcontext;
    m->rip = t->patch_settle_rip;
    m->eflags = (m->eflags & ~FIX_EFLAGS) | (t->patch_eflags & FIX_EFLAGS);
    if (t->patch_tf)
        m->eflags |= EFLAGS_TF; /* cleared by on_fault for asis's code */
    t->patch_tf = 0;
    struct host_ucontext *outer = t->trap_uc;
    t->trap_uc = uc;
    signal_trap_exit(t, uc);
    t->trap_uc = outer;
}

int patch_trap_from_stub(struct tcb *t, struct host_ucontext *uc)
{
    struct host_mcontext *m = &uc->uc_mcontext;
    const struct patch_slot *s = stub_slot_of(m->rip);
    if (!s || m->rip != s->trap + 2)
        return 0;
    /* The app never sees a stub: it made the call at its site. */
    t->restart_rip = s->start;
    m->rip = m->rcx = s->ret;
    return 1;
}

int patch_app_context(struct tcb *t, struct host_ucontext *uc)
{
    struct host_mcontext *m = &uc->uc_mcontext;
    uintptr_t rip = m->rip;
    const struct patch_slot *s = stub_slot_of(rip);
    if (s) {
        /* Before the stub's syscall the call has not started: the app is at the window's
         * start (its instructions are idempotent). After it (the jmp back), it has
         * finished. */
        m->rip = rip >= s->trap + 2 ? s->ret : s->start;
        return 1;
    }
    if (in_range(rip, pal_patch_entry, pal_patch_e_block + 2)) {
        /* Not started. At the first instruction the site index is still only in r11. */
        s = slot_at(rip == (uintptr_t)pal_patch_entry ? m->r11 : t->patch_site);
        if (!s)
            return 0;
        if (rip >= (uintptr_t)pal_patch_e_saved) {
            /* The block's arguments replaced these: the entry saved the app's. */
            m->rdi = t->patch_save[0];
            m->rsi = t->patch_save[1];
            m->rdx = t->patch_save[2];
            m->r10 = t->patch_save[3];
            m->rax = t->patch_save[4];
        }
        m->rip = s->start;
        return 1;
    }
    if (in_range(rip, pal_patch_e_exit, pal_patch_e_jmp)) {
        /* Finished, its registers still in the frame the exit is loading from. */
        const struct host_mcontext *f = &((const struct host_ucontext *)m->rsp)->uc_mcontext;
        m->r8 = f->r8, m->r9 = f->r9, m->r10 = f->r10, m->r11 = f->r11;
        m->r12 = f->r12, m->r13 = f->r13, m->r14 = f->r14, m->r15 = f->r15;
        m->rdi = f->rdi, m->rsi = f->rsi, m->rbp = f->rbp, m->rbx = f->rbx;
        m->rdx = f->rdx, m->rax = f->rax, m->rcx = f->rcx;
        m->eflags = (m->eflags & ~FIX_EFLAGS) | (f->eflags & FIX_EFLAGS);
        m->rip = f->rip;
        m->rsp = f->rsp;
        return 1;
    }
    if (rip == (uintptr_t)pal_patch_e_jmp) {
        m->rip = m->rcx; /* every register is the app's already */
        return 1;
    }
    return 0;
}

void patch_class_init(void)
{
    for (long nr = 0; nr < PATCH_CLASS_LIMIT; nr++)
        g_patch_class[nr] = syscall_patch_class(nr);
}
