#ifndef ROCKET_CLIBPQ_SHIM_H
#define ROCKET_CLIBPQ_SHIM_H
#include <libpq-fe.h>
#include <poll.h>
#endif
