#ifndef ROCKET_CMICROHTTPD_SHIM_H
#define ROCKET_CMICROHTTPD_SHIM_H

#include <stdint.h>
#include <string.h>
#include <sys/types.h>
#include <sys/socket.h>
#include <netinet/in.h>
#include <arpa/inet.h>
#include <microhttpd.h>

/* Swift cannot call C variadics, so these static inline shims wrap the calls
   Rocket makes with a fixed argument list. */

typedef void *(*rocket_mhd_uri_log_callback)(void *cls, const char *uri, struct MHD_Connection *connection);

/* Starts a daemon bound to `host` (IPv4 or IPv6 literal) and `port` (0 picks
   a free one). Returns NULL when the address does not parse or the daemon
   cannot start (errno tells why). */
static inline struct MHD_Daemon *
rocket_mhd_start(unsigned int flags, const char *host, uint16_t port,
                 unsigned int connection_limit, unsigned int connection_timeout,
                 unsigned int thread_pool_size, size_t connection_memory_limit,
                 MHD_AccessHandlerCallback handler,
                 rocket_mhd_uri_log_callback uri_log,
                 MHD_RequestCompletedCallback completed,
                 void *cls)
{
  struct sockaddr_in v4;
  struct sockaddr_in6 v6;
  const struct sockaddr *address;
  memset(&v4, 0, sizeof v4);
  memset(&v6, 0, sizeof v6);
  if (inet_pton(AF_INET, host, &v4.sin_addr) == 1) {
    v4.sin_family = AF_INET;
    v4.sin_port = htons(port);
    address = (const struct sockaddr *) &v4;
  } else if (inet_pton(AF_INET6, host, &v6.sin6_addr) == 1) {
    v6.sin6_family = AF_INET6;
    v6.sin6_port = htons(port);
    address = (const struct sockaddr *) &v6;
    flags |= MHD_USE_IPv6;
  } else {
    return NULL;
  }
  /* Every option through MHD_OPTION_ARRAY; the thread pool entry only when
     a pool is wanted (libmicrohttpd warns about a pool of one). */
  struct MHD_OptionItem options[] = {
    { MHD_OPTION_SOCK_ADDR, 0, (void *) address },
    { MHD_OPTION_CONNECTION_LIMIT, (intptr_t) connection_limit, NULL },
    { MHD_OPTION_CONNECTION_TIMEOUT, (intptr_t) connection_timeout, NULL },
    { MHD_OPTION_CONNECTION_MEMORY_LIMIT, (intptr_t) connection_memory_limit, NULL },
    { MHD_OPTION_LISTEN_BACKLOG_SIZE, 4096, NULL },
    { MHD_OPTION_LISTENING_ADDRESS_REUSE, 1, NULL },
    { MHD_OPTION_URI_LOG_CALLBACK, (intptr_t) uri_log, cls },
    { MHD_OPTION_NOTIFY_COMPLETED, (intptr_t) completed, cls },
    { thread_pool_size > 1 ? MHD_OPTION_THREAD_POOL_SIZE : MHD_OPTION_END, (intptr_t) thread_pool_size, NULL },
    { MHD_OPTION_END, 0, NULL },
  };
  return MHD_start_daemon(flags, port, NULL, NULL, handler, cls, MHD_OPTION_ARRAY, options, MHD_OPTION_END);
}

static inline uint16_t rocket_mhd_bound_port(struct MHD_Daemon *daemon)
{
  const union MHD_DaemonInfo *info = MHD_get_daemon_info(daemon, MHD_DAEMON_INFO_BIND_PORT);
  return info ? info->port : 0;
}

static inline unsigned int rocket_mhd_connection_count(struct MHD_Daemon *daemon)
{
  const union MHD_DaemonInfo *info = MHD_get_daemon_info(daemon, MHD_DAEMON_INFO_CURRENT_CONNECTIONS);
  return info ? info->num_connections : 0;
}

static inline void rocket_mhd_set_timeout(struct MHD_Connection *connection, unsigned int seconds)
{
  MHD_set_connection_option(connection, MHD_CONNECTION_OPTION_TIMEOUT, seconds);
}

static inline struct MHD_Response *rocket_mhd_response_copy(size_t size, const void *bytes)
{
  return MHD_create_response_from_buffer(size, (void *) bytes, MHD_RESPMEM_MUST_COPY);
}

static inline ssize_t rocket_mhd_end_of_stream(void) { return MHD_CONTENT_READER_END_OF_STREAM; }
static inline ssize_t rocket_mhd_end_with_error(void) { return MHD_CONTENT_READER_END_WITH_ERROR; }
static inline uint64_t rocket_mhd_size_unknown(void) { return MHD_SIZE_UNKNOWN; }

#endif
