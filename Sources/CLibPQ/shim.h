#ifndef ROCKET_CLIBPQ_SHIM_H
#define ROCKET_CLIBPQ_SHIM_H
#include <libpq-fe.h>
#include <poll.h>
#include <sys/eventfd.h>

/* eventfd helpers for PostgresWakeup (the EFD_* flags are not imported by Swift's Glibc module). */

/** A non-blocking, close-on-exec eventfd with counter 0; -1 and errno on failure. */
static inline int rocket_eventfd_open(void) {
    return eventfd(0, EFD_CLOEXEC | EFD_NONBLOCK);
}

/** Adds 1 to the counter, making the descriptor readable; 0 on success, -1 and errno on failure. */
static inline int rocket_eventfd_signal(int fd) {
    return eventfd_write(fd, (eventfd_t)1);
}

/** Resets the counter to 0 (non-blocking); 0 if it was signalled, -1 (EAGAIN) if it was not. */
static inline int rocket_eventfd_drain(int fd) {
    eventfd_t value = 0;
    return eventfd_read(fd, &value);
}
#endif
