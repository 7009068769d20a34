/* The locks taken across fork (see fork.h), always in the same order. */
#include "libos/fork.h"
#include "libos/mm.h"
#include "libos/syscall.h"
#include "libos/thread.h"
#include "libos/vma.h"
#include "vfs/view.h"

void fork_lock_all(void)
{
    thread_list_lock();
    signal_state_lock();
    mm_brk_lock();
    vma_lock();
    view_cwd_lock();
    view_root_lock();
    socket_names_lock();
}

void fork_unlock_all(void)
{
    socket_names_unlock();
    view_root_unlock();
    view_cwd_unlock();
    vma_unlock();
    mm_brk_unlock();
    signal_state_unlock();
    thread_list_unlock();
}
