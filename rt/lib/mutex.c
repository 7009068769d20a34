/* Futex mutex (Drepper, "Futexes Are Tricky", mutex #3). */
#include "lib/mutex.h"
#include "pal/host.h"

void mutex_lock(struct mutex *m)
{
    int c = __sync_val_compare_and_swap(&m->state, 0, 1);
    if (c == 0)
        return;
    if (c != 2)
        c = __atomic_exchange_n(&m->state, 2, __ATOMIC_ACQUIRE);
    while (c != 0) {
        host_futex(&m->state, FUTEX_WAIT_PRIVATE, 2, 0);
        c = __atomic_exchange_n(&m->state, 2, __ATOMIC_ACQUIRE);
    }
}

void mutex_unlock(struct mutex *m)
{
    if (__atomic_exchange_n(&m->state, 0, __ATOMIC_RELEASE) == 2)
        host_futex(&m->state, FUTEX_WAKE_PRIVATE, 1, 0);
}
