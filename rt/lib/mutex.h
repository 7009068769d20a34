/* A futex-based mutex for asis's shared state (VMA list, thread list, signal table).
 * Never held while calling into the app or while blocking on the app's behalf. */
#ifndef ASIS_LIB_MUTEX_H
#define ASIS_LIB_MUTEX_H

struct mutex {
    volatile int state; /* 0 free, 1 locked, 2 locked with waiters */
};

void mutex_lock(struct mutex *m);
void mutex_unlock(struct mutex *m);

#endif
