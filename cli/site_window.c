/* Which instructions before a syscall may move into its stub. The stub re-executes them
 * from the window's start whenever the call restarts or a signal lands before it, so
 * they must give the same result however often they run (docs/patching-design.md 2):
 * no branches, nothing rip-relative (the stub is elsewhere), no memory writes, memory
 * reads only at [rsp + disp], no use of rcx or r11 (the SYSCALL contract's scratch) or
 * writes to rsp, no read of rax (the syscall's result replaces it), and no instruction
 * writes what it or an earlier one of the window reads. */
#include <string.h>

#include "site_scan.h"

#define WINDOW_MIN 5  /* the jmp rel32 */
#define WINDOW_MAX 16 /* patch_site.orig */
#define SYSCALL_LEN 2

/* Register sets: bit i for the 64-bit GPR with Zydis id i (rax = 0 ... r15 = 15), and
 * one bit for the arithmetic flags. */
#define REG_FLAGS (1u << 16)
#define REG_RAX (1u << 0)
#define REG_RCX (1u << 1)
#define REG_RSP (1u << 4)
#define REG_R11 (1u << 11)

struct effect {
    uint32_t reads, writes;
    int movable;       /* within the rules apart from idempotence */
    int64_t rax_value; /* the constant it puts in rax; meaningful if sets_rax_const */
    int sets_rax_const;
};

/* The set bit of a register operand; 0 with *ok = 0 for anything but a GPR or the flags. */
static uint32_t reg_bit(ZydisRegister r, int *ok)
{
    if (r == ZYDIS_REGISTER_FLAGS || r == ZYDIS_REGISTER_EFLAGS || r == ZYDIS_REGISTER_RFLAGS)
        return REG_FLAGS;
    ZydisRegister big = ZydisRegisterGetLargestEnclosing(ZYDIS_MACHINE_MODE_LONG_64, r);
    if (big >= ZYDIS_REGISTER_RAX && big <= ZYDIS_REGISTER_R15)
        return 1u << (big - ZYDIS_REGISTER_RAX);
    *ok = 0;
    return 0;
}

/* The instructions a window may hold at all; the operand rules then decide. */
static int allowed_mnemonic(ZydisMnemonic m)
{
    switch (m) {
    case ZYDIS_MNEMONIC_MOV:
    case ZYDIS_MNEMONIC_MOVZX:
    case ZYDIS_MNEMONIC_MOVSX:
    case ZYDIS_MNEMONIC_MOVSXD:
    case ZYDIS_MNEMONIC_LEA:
    case ZYDIS_MNEMONIC_XOR: /* zeroing idiom only, by the idempotence rule */
    case ZYDIS_MNEMONIC_SUB:
    case ZYDIS_MNEMONIC_NOP:
        return 1;
    default:
        return 0;
    }
}

/* `xor %eax,%eax` and `sub %eax,%eax` read nothing: their result is 0 whatever the input. */
static int is_zero_idiom(const ZydisDecodedInstruction *in, const ZydisDecodedOperand *ops)
{
    return (in->mnemonic == ZYDIS_MNEMONIC_XOR || in->mnemonic == ZYDIS_MNEMONIC_SUB) &&
           in->operand_count_visible == 2 && ops[0].type == ZYDIS_OPERAND_TYPE_REGISTER &&
           ops[1].type == ZYDIS_OPERAND_TYPE_REGISTER && ops[0].reg.value == ops[1].reg.value;
}

static void analyse(const ZydisDecodedInstruction *in, const ZydisDecodedOperand *ops,
                    struct effect *e)
{
    memset(e, 0, sizeof *e);
    e->movable = in->meta.branch_type == ZYDIS_BRANCH_TYPE_NONE &&
                 !(in->attributes & (ZYDIS_ATTRIB_IS_RELATIVE | ZYDIS_ATTRIB_HAS_LOCK |
                                     ZYDIS_ATTRIB_HAS_REP | ZYDIS_ATTRIB_HAS_REPE |
                                     ZYDIS_ATTRIB_HAS_REPNE | ZYDIS_ATTRIB_HAS_SEGMENT_FS |
                                     ZYDIS_ATTRIB_HAS_SEGMENT_GS));
    if (in->mnemonic == ZYDIS_MNEMONIC_NOP)
        return; /* its memory operand is never accessed */
    int zero = is_zero_idiom(in, ops);
    for (int i = 0; i < in->operand_count; i++) {
        const ZydisDecodedOperand *o = &ops[i];
        int ok = 1;
        if (o->type == ZYDIS_OPERAND_TYPE_REGISTER) {
            uint32_t bit = reg_bit(o->reg.value, &ok);
            if ((o->actions & ZYDIS_OPERAND_ACTION_MASK_READ) && !zero)
                e->reads |= bit;
            if (o->actions & ZYDIS_OPERAND_ACTION_MASK_WRITE) {
                e->writes |= bit;
                /* An 8- or 16-bit write keeps the rest of the register: a read of it. */
                if (bit != REG_FLAGS && o->size < 32)
                    e->reads |= bit;
            }
        } else if (o->type == ZYDIS_OPERAND_TYPE_MEMORY) {
            if (o->mem.base != ZYDIS_REGISTER_NONE)
                e->reads |= reg_bit(o->mem.base, &ok);
            if (o->mem.index != ZYDIS_REGISTER_NONE)
                e->reads |= reg_bit(o->mem.index, &ok);
            if (o->mem.type == ZYDIS_MEMOP_TYPE_MEM) {
                /* Stack reads only: nothing else is known not to change under us. */
                ok = ok && !(o->actions & ZYDIS_OPERAND_ACTION_MASK_WRITE) &&
                     o->mem.base == ZYDIS_REGISTER_RSP && o->mem.index == ZYDIS_REGISTER_NONE;
            } else if (o->mem.type != ZYDIS_MEMOP_TYPE_AGEN) {
                ok = 0;
            }
        } else if (o->type != ZYDIS_OPERAND_TYPE_IMMEDIATE) {
            ok = 0;
        }
        e->movable &= ok;
    }
    if (in->cpu_flags) {
        if (in->cpu_flags->tested)
            e->reads |= REG_FLAGS;
        if (in->cpu_flags->modified | in->cpu_flags->set_0 | in->cpu_flags->set_1 |
            in->cpu_flags->undefined)
            e->writes |= REG_FLAGS;
    }
    if (e->writes & REG_RAX) {
        if (zero) {
            e->sets_rax_const = 1;
        } else if (in->mnemonic == ZYDIS_MNEMONIC_MOV && ops[0].size >= 32 &&
                   ops[1].type == ZYDIS_OPERAND_TYPE_IMMEDIATE) {
            e->sets_rax_const = 1;
            e->rax_value = ops[0].size == 32 ? (int64_t)(uint32_t)ops[1].imm.value.u
                                             : ops[1].imm.value.s;
        }
    }
}

void site_window_choose(const ZydisDecoder *dec, const struct prior_insn *prior, int n,
                        int max_prefix, uint64_t syscall_addr, const uint8_t *syscall_bytes,
                        uint8_t kind, struct patch_site *s)
{
    memset(s, 0, sizeof *s);
    s->nr = -1;
    s->name_off = UINT32_MAX;
    uint32_t later_writes = 0; /* of the window's instructions after the one considered */
    int rax_known = 0;         /* the nearest rax writer is known (so nr is settled) */
    unsigned len = SYSCALL_LEN;
    int taken = 0;
    enum patch_trap_reason why = PATCH_REASON_NO_WINDOW;
    while (len < WINDOW_MIN) {
        if (taken >= n || taken >= max_prefix)
            break;
        const struct prior_insn *p = &prior[taken];
        ZydisDecodedInstruction in;
        ZydisDecodedOperand ops[ZYDIS_MAX_OPERAND_COUNT];
        if (p->addr + p->len != syscall_addr - (len - SYSCALL_LEN) ||
            !ZYAN_SUCCESS(ZydisDecoderDecodeFull(dec, p->bytes, p->len, &in, ops)))
            break;
        struct effect e;
        analyse(&in, ops, &e);
        if (!e.movable)
            break;
        /* Before the mnemonic check, so that pop %r12 says why it cannot move. */
        if ((e.writes & e.reads) || (e.reads & later_writes)) {
            why = PATCH_REASON_NOT_IDEMPOTENT;
            break;
        }
        if (!allowed_mnemonic(in.mnemonic) ||
            (e.writes & (REG_RCX | REG_R11 | REG_RSP)) || (e.reads & (REG_RCX | REG_R11 | REG_RAX)) ||
            len + p->len > WINDOW_MAX)
            break;
        if (!rax_known && (e.writes & REG_RAX)) {
            rax_known = 1;
            if (e.sets_rax_const && e.rax_value >= 0 && e.rax_value <= INT32_MAX)
                s->nr = (int32_t)e.rax_value;
        }
        later_writes |= e.writes;
        len += p->len;
        taken++;
    }
    if (len < WINDOW_MIN) {
        s->vaddr = syscall_addr;
        s->len = SYSCALL_LEN;
        s->kind = PATCH_SITE_TRAPPED;
        s->reason = (uint8_t)why;
        memcpy(s->orig, syscall_bytes, SYSCALL_LEN);
        return;
    }
    s->vaddr = syscall_addr - (len - SYSCALL_LEN);
    s->len = (uint8_t)len;
    s->prefix_len = (uint8_t)(len - SYSCALL_LEN);
    s->kind = kind;
    /* The prefix instructions are contiguous: prior[taken - 1] starts the window. */
    memcpy(s->orig, prior[taken - 1].bytes, len - SYSCALL_LEN);
    memcpy(s->orig + len - SYSCALL_LEN, syscall_bytes, SYSCALL_LEN);
}
