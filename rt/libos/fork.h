/* fork needs every lock of asis's shared state taken across the host fork: the child
 * has one thread and must not inherit a lock some other thread held. */
#ifndef ASIS_LIBOS_FORK_H
#define ASIS_LIBOS_FORK_H

void fork_lock_all(void);
void fork_unlock_all(void);

#endif
