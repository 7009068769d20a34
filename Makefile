# asis: one flat build. `make` builds the front end and the runtime into build/,
# `make check` runs every test (tests/run.sh), `make bench` the benchmarks.

BUILD ?= build
CC ?= gcc

COMMON_SRC := common/elf_check.c
# Shared with the unit tests but not with the runtime: the front end's program analyses.
CLI_COMMON_SRC := common/elf_image.c common/pclntab.c common/go_buildinfo.c
CLI_SRC := $(wildcard cli/*.c) $(COMMON_SRC) $(CLI_COMMON_SRC)
RT_C_SRC := $(wildcard rt/lib/*.c rt/pal/*.c rt/loader/*.c rt/libos/*.c rt/vfs/*.c rt/entry/*.c) $(COMMON_SRC)
RT_ASM_SRC := $(wildcard rt/entry/*.S rt/pal/*.S rt/loader/*.S)

WARN := -Wall -Wextra -Wno-unused-parameter -Wshadow -Wstrict-prototypes -Wmissing-prototypes -Werror=implicit-function-declaration

CLI_CFLAGS := -O2 -g $(WARN) -Icommon -D_GNU_SOURCE -MMD -MP
# Zydis decodes x86 to find syscall sites; libmd's SHA-256 keys the patch-plan cache.
# The runtime links neither.
CLI_LIBS := -lZydis -lmd

# The runtime: freestanding static-pie. No libc, no %fs (the app owns it), no vector
# registers (the syscall path must not disturb the app's), the stack protector reads its
# canary from the asis thread block at %gs:8 (rt/libos/tcb.h pins that offset).
RT_CFLAGS := -O2 -g $(WARN) -Icommon -Irt -ffreestanding -nostdlib -fPIE -fno-plt \
    -fno-builtin -fno-asynchronous-unwind-tables -fno-omit-frame-pointer \
    -mgeneral-regs-only -mno-red-zone -fvisibility=hidden \
    -fstack-protector-strong -mstack-protector-guard=tls \
    -mstack-protector-guard-reg=gs -mstack-protector-guard-offset=8 -MMD -MP
RT_LDFLAGS := -nostdlib -static-pie -Wl,-z,noexecstack -Wl,--no-dynamic-linker \
    -Wl,-e,_start -Wl,-z,max-page-size=4096

CLI_OBJ := $(CLI_SRC:%.c=$(BUILD)/cli-obj/%.o)
RT_OBJ := $(RT_C_SRC:%.c=$(BUILD)/rt-obj/%.o) $(RT_ASM_SRC:%.S=$(BUILD)/rt-obj/%.o)

all: $(BUILD)/asis $(BUILD)/asis-rt

# asis's vDSO (rt/vdso): app code, built on its own as a relocation-free shared object
# and carried inside the runtime (rt/loader/vdso_image.S), which maps it for each app.
VDSO_CFLAGS := -O2 $(WARN) -Irt -fPIC -ffreestanding -nostdlib -fno-builtin \
    -fno-stack-protector -mgeneral-regs-only -fasynchronous-unwind-tables
VDSO_LDFLAGS := -shared -Wl,-T,rt/vdso/vdso.lds -Wl,-soname=linux-vdso.so.1 \
    -Wl,--hash-style=both -Wl,--build-id=none -Wl,--eh-frame-hdr -Wl,-Bsymbolic \
    -Wl,-z,max-page-size=4096 -Wl,-z,noexecstack
VDSO_SO := $(BUILD)/vdso/asis-vdso.so

$(VDSO_SO): rt/vdso/vdso.c rt/vdso/vdso_data.h rt/vdso/vdso.lds scripts/check-vdso.sh
	@mkdir -p $(dir $@)
	$(CC) $(VDSO_CFLAGS) $(VDSO_LDFLAGS) -o $@.tmp rt/vdso/vdso.c
	scripts/check-vdso.sh $@.tmp
	mv $@.tmp $@

$(BUILD)/rt-obj/rt/loader/vdso_image.o: $(VDSO_SO)
$(BUILD)/rt-obj/rt/loader/vdso_image.o: RT_CFLAGS += -DASIS_VDSO_SO='"$(VDSO_SO)"'

$(BUILD)/asis: $(CLI_OBJ)
	$(CC) -o $@ $^ $(CLI_LIBS)

$(BUILD)/cli-obj/%.o: %.c
	@mkdir -p $(dir $@)
	$(CC) $(CLI_CFLAGS) -c -o $@ $<

# Link, then refuse a runtime that touches %fs or has a host syscall outside the gate.
$(BUILD)/asis-rt: $(RT_OBJ) scripts/check-runtime.sh
	$(CC) $(RT_CFLAGS) $(RT_LDFLAGS) -o $@.tmp $(RT_OBJ) -lgcc
	scripts/check-runtime.sh $@.tmp
	mv $@.tmp $@

$(BUILD)/rt-obj/%.o: %.c
	@mkdir -p $(dir $@)
	$(CC) $(RT_CFLAGS) -c -o $@ $<

$(BUILD)/rt-obj/%.o: %.S
	@mkdir -p $(dir $@)
	$(CC) $(RT_CFLAGS) -c -o $@ $<

# Unit tests of the front end's parsers, built with libc and sanitizers.
UNIT_SRC := $(wildcard tests/unit/*.c)
UNIT_BIN := $(UNIT_SRC:tests/unit/%.c=$(BUILD)/unit/%)
$(BUILD)/unit/%: tests/unit/%.c $(COMMON_SRC) $(CLI_COMMON_SRC)
	@mkdir -p $(dir $@)
	$(CC) -O1 -g $(WARN) -Icommon -D_GNU_SOURCE -fsanitize=address,undefined -fno-sanitize-recover=all -o $@ $^

unit: $(UNIT_BIN)

check: all unit
	tests/run.sh

bench: all
	bench/run.sh

clean:
	rm -rf $(BUILD)

.PHONY: all unit check bench clean
-include $(shell find $(BUILD) -name '*.d' 2>/dev/null)
