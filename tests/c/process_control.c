// prctl options that only touch credentials or naming pass through (keepcaps, ambient
// capabilities, securebits, child subreaper, name); PR_GET_TID_ADDRESS reports the
// app's own address; unshare with no flags works; an unknown option is EINVAL.
#define _GNU_SOURCE
#include <errno.h>
#include <sched.h>
#include <stdio.h>
#include <string.h>
#include <sys/prctl.h>
#include <sys/syscall.h>
#include <unistd.h>
#include "lib/outcome.h"


int main(void)
{
    T("PR_SET_KEEPCAPS", prctl(PR_SET_KEEPCAPS, 1, 0, 0, 0));
    T("PR_GET_KEEPCAPS", prctl(PR_GET_KEEPCAPS, 0, 0, 0, 0));
    T("PR_CAP_AMBIENT is set", prctl(PR_CAP_AMBIENT, PR_CAP_AMBIENT_IS_SET, 0, 0, 0));
    T("PR_GET_SECUREBITS", prctl(PR_GET_SECUREBITS, 0, 0, 0, 0));
    T("PR_SET_CHILD_SUBREAPER", prctl(PR_SET_CHILD_SUBREAPER, 1, 0, 0, 0));
    int sub = -1;
    T("PR_GET_CHILD_SUBREAPER", prctl(PR_GET_CHILD_SUBREAPER, &sub, 0, 0, 0));
    printf("subreaper: %d\n", sub);
    T("PR_SET_NAME", prctl(PR_SET_NAME, "renamed", 0, 0, 0));
    char name[16] = { 0 };
    T("PR_GET_NAME", prctl(PR_GET_NAME, name, 0, 0, 0));
    printf("name: %s\n", name);

    int *clear_tid = 0, word = 0;
    T("set_tid_address", syscall(SYS_set_tid_address, &word) > 0);
    T("PR_GET_TID_ADDRESS", prctl(PR_GET_TID_ADDRESS, &clear_tid, 0, 0, 0));
    printf("tid address is the one set: %s\n", clear_tid == &word ? "yes" : "no");
    T("PR_GET_TID_ADDRESS bad ptr", prctl(PR_GET_TID_ADDRESS, (void *)8, 0, 0, 0));

    T("unshare(0)", unshare(0));
    T("prctl unknown option", prctl(12345, 0, 0, 0, 0));
    return 0;
}
