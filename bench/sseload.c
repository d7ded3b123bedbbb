/*
 * sseload: a small, fast Server-Sent Events load client for benchmarking
 * Rocket (PostgreSQL -> SSE). One process and one thread drive up to tens of
 * thousands of concurrent streams with level-triggered epoll over
 * non-blocking sockets. It measures per-event latency from the writer's
 * commit timestamp (a "ts" column, microseconds since the epoch,
 * CLOCK_REALTIME) to the moment the bytes are read (or, with --kernel-ts,
 * to the kernel's receive timestamp of those bytes).
 *
 * Build (from the repository root; libc only, no -lm):
 *     mkdir -p .build && cc -O2 -Wall -Wextra -o .build/sseload bench/sseload.c
 * or: make -C bench
 *
 * Run `sseload --help` for the options. The JSON report format is described
 * in bench/README.md.
 *
 * Design notes
 * - Level-triggered epoll, at most one read() of 64 KiB per ready socket per
 *   epoll_wait() round, so every stream gets its turn and the client never
 *   spins. One shared read buffer.
 * - Incremental parsing with O(1) memory per connection (under 300 bytes):
 *   HTTP headers are buffered (up to 64 KiB) only until the status and headers
 *   are parsed; the body is de-chunked in place; SSE lines are parsed as a
 *   stream and never buffered. Values of the timestamp field are found with a
 *   streaming matcher that keeps a carry of at most 128 bytes across reads,
 *   so a 1 MB data line split over many reads costs no extra memory. A line
 *   longer than --max-line (default 8 MiB) drops the connection (`oversize`).
 * - Both `"ts":123` (row objects inside add/replace ops) and field-mode patch
 *   ops `{"op":"replace","path":"/items/7/ts","value":123}` are recognised.
 */
#define _GNU_SOURCE
#include <errno.h>
#include <getopt.h>
#include <netdb.h>
#include <netinet/in.h>
#include <netinet/tcp.h>
#include <signal.h>
#include <stdarg.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>
#include <sys/epoll.h>
#include <sys/resource.h>
#include <sys/socket.h>
#include <time.h>
#include <unistd.h>

#define READ_BUF_SIZE   (64 * 1024)
#define HDR_MAX         (64 * 1024)
#define CARRY_MAX       128
#define FIELD_MAX       7
#define NAME_MAX_LEN    31
#define TS_FIELD_MAX    32
#define PEND_MAX        65536
#define MAX_HEADERS     64
#define NERRNO          160

/* ------------------------------------------------------------------------ */
/* Options                                                                  */

static struct {
    const char *url;
    const char *method;
    const char *headers[MAX_HEADERS];
    int nheaders;
    uint64_t connections;
    double ramp;            /* connections started per second; 0 = all at once */
    double duration;        /* seconds, counted once every connection is resolved; <0 = unbounded */
    double warmup;
    uint64_t stop_reading;
    const char *ts_field;
    double ts_mult;         /* ts value * ts_mult = microseconds */
    const char *json_out;
    uint64_t expect;
    int quiet, hold, progress;
    double connect_timeout, drain_timeout, drain_idle;
    uint64_t max_samples;
    uint64_t max_line;
    int rcvbuf;
    int kernel_ts;
} opt;

/* ------------------------------------------------------------------------ */
/* Connection state                                                         */

enum { ST_IDLE, ST_CONNECTING, ST_SENDING, ST_HEADERS, ST_BODY, ST_CLOSED };
enum { BM_CHUNKED, BM_LENGTH, BM_CLOSE };
enum { CH_SIZE, CH_EXT, CH_DATA, CH_DATA_END, CH_TRAILER, CH_TRAILER_LINE };
enum { LS_START, LS_FIELD, LS_SPACE, LS_VALUE };
enum { FK_SKIP, FK_EVENT, FK_DATA_SCAN, FK_DATA_SKIP };
enum { EV_NONE, EV_PATCH, EV_RESET, EV_OVERFLOW, EV_OTHER, EV_COUNT };

struct conn {
    int fd;
    uint32_t idx;
    uint8_t state, body_mode, chunk_state, line_state;
    uint8_t field_kind, ev_name, field_len, name_len;
    uint8_t carry_len;
    unsigned has_data : 1, skip_lf : 1, stopped : 1, done : 1, resolved : 1,
             established : 1, server_closed : 1, drain_done : 1, chunk_digits : 1,
             body_started : 1;
    uint32_t overflow_seen;
    uint32_t req_sent;
    uint64_t body_left;     /* bytes left in the current chunk, or of Content-Length */
    uint64_t line_len;
    uint64_t patches;
    int64_t t_mark;         /* monotonic us: connect start; last receive while draining */
    int64_t t_caught;       /* while draining: when the backlog was first read to the end */
    char *hdr;
    uint32_t hdr_len, hdr_cap;
    double *pend;           /* ts values (us) of an event whose name is not yet known */
    uint32_t pend_len, pend_cap;
    char field[FIELD_MAX + 1];
    char name[NAME_MAX_LEN + 1];
    uint8_t carry[CARRY_MAX];
};

/* ------------------------------------------------------------------------ */
/* Statistics                                                               */

struct stats {
    uint64_t established, failed;
    uint64_t f_connect, f_timeout, f_status, f_eof, f_bad;
    uint64_t closed_by_server, closed_after_overflow, overflow_events;
    uint64_t oversize, protocol_errors;
    uint64_t ev[EV_COUNT];
    uint64_t comments, bytes, ts_values, ts_dropped, kernel_ts_missing;
    uint64_t status_codes[600];
    uint64_t connect_errno[NERRNO + 1];
};

static struct stats S;          /* live */
static struct stats SE;         /* snapshot at the end of the measurement */

static struct {                 /* the measurement window (after warmup) */
    uint64_t patch_events, samples, negative;
    double sum, min, max;
} W;

static int32_t *lat_buf;
static uint64_t lat_n;          /* stored samples */

static struct conn *conns;
static uint64_t g_started, g_resolved, g_done, g_open, g_stopped;
static int g_ep = -1;
static int g_measuring, g_draining;
static int64_t g_now_rt;        /* CLOCK_REALTIME, us, refreshed after every read */
static int64_t g_now;           /* CLOCK_MONOTONIC, us */
static volatile sig_atomic_t g_stop;
static uint64_t g_rng = 0x9e3779b97f4a7c15ULL;

static char *g_req;
static size_t g_req_len;
static struct sockaddr_storage g_addr;
static socklen_t g_addrlen;
static char g_needle[TS_FIELD_MAX + 2];
static size_t g_needle_len;
static uint8_t g_buf[READ_BUF_SIZE];

/* ------------------------------------------------------------------------ */
/* Helpers                                                                  */

static void die(int code, const char *fmt, ...)
{
    va_list ap;
    va_start(ap, fmt);
    fputs("sseload: ", stderr);
    vfprintf(stderr, fmt, ap);
    fputc('\n', stderr);
    va_end(ap);
    exit(code);
}

static void note(const char *fmt, ...)
{
    va_list ap;
    if (opt.quiet) return;
    va_start(ap, fmt);
    fputs("sseload: ", stderr);
    vfprintf(stderr, fmt, ap);
    fputc('\n', stderr);
    va_end(ap);
}

static int64_t mono_us(void)
{
    struct timespec ts;
    clock_gettime(CLOCK_MONOTONIC, &ts);
    return (int64_t)ts.tv_sec * 1000000 + ts.tv_nsec / 1000;
}

static int64_t real_us(void)
{
    struct timespec ts;
    clock_gettime(CLOCK_REALTIME, &ts);
    return (int64_t)ts.tv_sec * 1000000 + ts.tv_nsec / 1000;
}

static uint64_t rng_next(void)
{
    uint64_t x = g_rng;
    x ^= x >> 12;
    x ^= x << 25;
    x ^= x >> 27;
    g_rng = x;
    return x * 0x2545F4914F6CDD1DULL;
}

static void *xmalloc(size_t n)
{
    void *p = malloc(n);
    if (!p) die(1, "out of memory (%zu bytes)", n);
    return p;
}

static const char *errno_name(int e)
{
    switch (e) {
    case ECONNREFUSED: return "ECONNREFUSED";
    case ECONNRESET: return "ECONNRESET";
    case ETIMEDOUT: return "ETIMEDOUT";
    case EADDRNOTAVAIL: return "EADDRNOTAVAIL";
    case EADDRINUSE: return "EADDRINUSE";
    case EMFILE: return "EMFILE";
    case ENFILE: return "ENFILE";
    case ENOBUFS: return "ENOBUFS";
    case ENOMEM: return "ENOMEM";
    case EPIPE: return "EPIPE";
    case EHOSTUNREACH: return "EHOSTUNREACH";
    case ENETUNREACH: return "ENETUNREACH";
    case EAGAIN: return "EAGAIN";
    default: return NULL;
    }
}

/* ------------------------------------------------------------------------ */
/* Latency samples                                                          */

static void record_latency(double lat_us)
{
    if (!g_measuring) return;
    W.samples++;
    W.sum += lat_us;
    if (W.samples == 1 || lat_us < W.min) W.min = lat_us;
    if (W.samples == 1 || lat_us > W.max) W.max = lat_us;
    if (lat_us < 0) W.negative++;
    double r = lat_us < 0 ? lat_us - 0.5 : lat_us + 0.5;
    int32_t v = r >= 2147483647.0 ? INT32_MAX : r <= -2147483648.0 ? INT32_MIN : (int32_t)r;
    if (lat_n < opt.max_samples) {
        lat_buf[lat_n++] = v;
    } else {            /* reservoir sampling (Algorithm R) */
        uint64_t j = rng_next() % W.samples;
        if (j < opt.max_samples) lat_buf[j] = v;
    }
}

/* ------------------------------------------------------------------------ */
/* Connection lifecycle                                                     */

static void mark_done(struct conn *c)
{
    if (!c->done) { c->done = 1; g_done++; }
}

static void conn_release(struct conn *c)
{
    if (c->fd >= 0) { close(c->fd); c->fd = -1; g_open--; }
    c->state = ST_CLOSED;
    free(c->hdr); c->hdr = NULL; c->hdr_len = c->hdr_cap = 0;
    free(c->pend); c->pend = NULL; c->pend_len = c->pend_cap = 0;
    mark_done(c);
}

enum { FAIL_CONNECT, FAIL_TIMEOUT, FAIL_STATUS, FAIL_EOF, FAIL_BAD };

/* A connection that ended before its stream was established. */
static void conn_fail(struct conn *c, int kind, int err)
{
    if (c->state == ST_CLOSED) return;
    S.failed++;
    switch (kind) {
    case FAIL_CONNECT:
        S.f_connect++;
        S.connect_errno[err > 0 && err < NERRNO ? err : NERRNO]++;
        break;
    case FAIL_TIMEOUT: S.f_timeout++; break;
    case FAIL_STATUS: S.f_status++; break;
    case FAIL_EOF: S.f_eof++; break;
    default: S.f_bad++; break;
    }
    if (!c->resolved) { c->resolved = 1; g_resolved++; }
    conn_release(c);
}

/* The server ended an established stream (EOF, reset, or end of body). */
static void conn_server_closed(struct conn *c)
{
    if (c->state == ST_CLOSED) return;
    c->server_closed = 1;
    S.closed_by_server++;
    if (c->overflow_seen) S.closed_after_overflow++;
    conn_release(c);
}

/* The client drops an established stream (protocol error, oversize). */
static void conn_drop(struct conn *c)
{
    conn_release(c);
}

static void stop_reading(struct conn *c)
{
    c->stopped = 1;
    g_stopped++;
    epoll_ctl(g_ep, EPOLL_CTL_DEL, c->fd, NULL);
    mark_done(c);
}

/* ------------------------------------------------------------------------ */
/* Timestamp matching                                                       */

static void on_ts(struct conn *c, double ts_us)
{
    S.ts_values++;
    if (c->ev_name == EV_PATCH) {
        record_latency((double)g_now_rt - ts_us);
        return;
    }
    /* Unnamed so far: keep until the event ends and its name is known. */
    if (c->pend_len == c->pend_cap) {
        if (c->pend_cap >= PEND_MAX) { S.ts_dropped++; return; }
        uint32_t cap = c->pend_cap ? c->pend_cap * 2 : 16;
        double *p = realloc(c->pend, cap * sizeof *p);
        if (!p) { S.ts_dropped++; return; }
        c->pend = p;
        c->pend_cap = cap;
    }
    c->pend[c->pend_len++] = ts_us;
}

static inline int is_ws(uint8_t ch) { return ch == ' ' || ch == '\t'; }
static inline int is_num(uint8_t ch)
{
    return (ch >= '0' && ch <= '9') || ch == '.' || ch == '-' || ch == '+' || ch == 'e' || ch == 'E';
}

/* The needle (`<field>"`) starts at buf[i], i >= 1. Decides whether the match
 * starting at buf[i-1] (`"` for `"ts":N`, `/` for `/ts","value":N`) is a
 * timestamp. Returns 1 (recorded), 0 (not a timestamp) or -1 (undecided: the
 * buffer ends first and final is false). */
static int try_match(struct conn *c, const uint8_t *buf, size_t n, size_t i, int final)
{
    static const char value_key[] = ",\"value\":";
    size_t k = i + g_needle_len;
    uint8_t pre = buf[i - 1];
    if (pre == '"') {
        while (k < n && is_ws(buf[k])) k++;
        if (k >= n) return final ? 0 : -1;
        if (buf[k] != ':') return 0;
        k++;
    } else if (pre == '/') {
        for (size_t j = 0; j < sizeof value_key - 1; j++, k++) {
            if (k >= n) return final ? 0 : -1;
            if (buf[k] != (uint8_t)value_key[j]) return 0;
        }
    } else {
        return 0;
    }
    while (k < n && is_ws(buf[k])) k++;
    if (k >= n) return final ? 0 : -1;
    if (buf[k] == '"') {
        k++;
        if (k >= n) return final ? 0 : -1;
    }
    size_t start = k;
    while (k < n && is_num(buf[k])) k++;
    if (k >= n && !final) return -1;
    size_t len = k - start;
    if (len == 0 || len > 40) return 0;

    const uint8_t *s = buf + start;
    double ts;
    size_t d = (s[0] == '-') ? 1 : 0;
    int64_t iv = 0;
    size_t j = d;
    while (j < len && s[j] >= '0' && s[j] <= '9' && j - d < 18) iv = iv * 10 + (s[j++] - '0');
    if (j == len && j > d) {
        ts = (double)(d ? -iv : iv);
    } else {
        char tmp[48];
        memcpy(tmp, s, len);
        tmp[len] = 0;
        char *end;
        ts = strtod(tmp, &end);
        if (end == tmp) return 0;
    }
    on_ts(c, ts * opt.ts_mult);
    return 1;
}

/* Decides every match that starts at a position s < hi of buf[0..n). Returns
 * the first start position that cannot be decided yet (needs more bytes), or
 * SIZE_MAX. With final set, the end of buf ends the value. */
static size_t ts_scan(struct conn *c, const uint8_t *buf, size_t n, size_t hi, int final)
{
    size_t i = 1;
    while (i <= hi && i + g_needle_len <= n) {
        const uint8_t *f = memmem(buf + i, n - i, g_needle, g_needle_len);
        if (!f) break;
        i = (size_t)(f - buf);
        if (i > hi) break;
        if (try_match(c, buf, n, i, final) < 0) {
            if (n - (i - 1) < CARRY_MAX) return i - 1;
            /* absurdly long: not a timestamp */
        }
        i++;
    }
    if (final) return SIZE_MAX;
    /* A start this close to the end cannot hold the whole needle yet. */
    size_t tail = n > g_needle_len ? n - g_needle_len : 0;
    return tail < hi ? tail : SIZE_MAX;
}

/* Feeds the next bytes of a data line to the streaming matcher. */
static void ts_stream(struct conn *c, const uint8_t *p, size_t n)
{
    if (c->carry_len) {
        uint8_t tmp[2 * CARRY_MAX];
        size_t m = n < CARRY_MAX ? n : CARRY_MAX;
        size_t cl = c->carry_len;
        memcpy(tmp, c->carry, cl);
        memcpy(tmp + cl, p, m);
        size_t u = ts_scan(c, tmp, cl + m, cl, 0);
        if (u != SIZE_MAX) {
            /* still undecided: then all of p fits (m == n) */
            c->carry_len = (uint8_t)(cl + m - u);
            memmove(c->carry, tmp + u, c->carry_len);
            return;
        }
        c->carry_len = 0;
    }
    size_t u = ts_scan(c, p, n, n, 0);
    if (u != SIZE_MAX) {
        c->carry_len = (uint8_t)(n - u);
        memcpy(c->carry, p + u, c->carry_len);
    }
}

static void ts_flush(struct conn *c)
{
    if (c->carry_len) {
        ts_scan(c, c->carry, c->carry_len, c->carry_len, 1);
        c->carry_len = 0;
    }
}

/* ------------------------------------------------------------------------ */
/* SSE parsing                                                              */

static void dispatch(struct conn *c)
{
    if (c->has_data || c->ev_name != EV_NONE) {
        S.ev[c->ev_name]++;
        if (c->ev_name == EV_PATCH || c->ev_name == EV_NONE) {
            for (uint32_t i = 0; i < c->pend_len; i++) record_latency((double)g_now_rt - c->pend[i]);
            c->patches++;
            if (g_measuring) W.patch_events++;
            if (opt.expect && c->patches == opt.expect) mark_done(c);
            if (c->idx < opt.stop_reading && !c->stopped && !g_draining) stop_reading(c);
        } else if (c->ev_name == EV_OVERFLOW) {
            S.overflow_events++;
            c->overflow_seen++;
        }
    }
    c->has_data = 0;
    c->ev_name = EV_NONE;
    c->pend_len = 0;
}

static void classify_field(struct conn *c)
{
    size_t n = c->field_len;
    c->field_kind = FK_SKIP;
    if (n == 4 && memcmp(c->field, "data", 4) == 0) {
        c->has_data = 1;
        c->field_kind = (c->ev_name == EV_PATCH || c->ev_name == EV_NONE) ? FK_DATA_SCAN : FK_DATA_SKIP;
    } else if (n == 5 && memcmp(c->field, "event", 5) == 0) {
        c->field_kind = FK_EVENT;
        c->name_len = 0;
    }
}

static void end_line(struct conn *c)
{
    if (c->field_kind == FK_EVENT) {
        size_t n = c->name_len;
        if (n == 0) c->ev_name = EV_NONE;
        else if (n == 5 && memcmp(c->name, "patch", 5) == 0) c->ev_name = EV_PATCH;
        else if (n == 5 && memcmp(c->name, "reset", 5) == 0) c->ev_name = EV_RESET;
        else if (n == 8 && memcmp(c->name, "overflow", 8) == 0) c->ev_name = EV_OVERFLOW;
        else c->ev_name = EV_OTHER;
    } else if (c->field_kind == FK_DATA_SCAN) {
        ts_flush(c);
    }
    c->field_kind = FK_SKIP;
    c->line_len = 0;
    c->line_state = LS_START;
}

static inline const uint8_t *find_eol(const uint8_t *p, size_t n)
{
    const uint8_t *lf = memchr(p, '\n', n);
    const uint8_t *cr = memchr(p, '\r', lf ? (size_t)(lf - p) : n);
    return cr ? cr : lf;
}

/* Returns -1 when the connection was closed. */
static int sse_feed(struct conn *c, const uint8_t *p, size_t n)
{
    if (!c->body_started) {
        c->body_started = 1;
        if (n >= 3 && p[0] == 0xEF && p[1] == 0xBB && p[2] == 0xBF) { p += 3; n -= 3; }
    }
    while (n > 0) {
        if (c->skip_lf) {
            c->skip_lf = 0;
            if (*p == '\n') { p++; n--; continue; }
        }
        switch (c->line_state) {
        case LS_START: {
            uint8_t ch = *p;
            if (ch == '\n' || ch == '\r') {
                dispatch(c);
                c->skip_lf = ch == '\r';
                p++; n--;
                continue;
            }
            c->line_len = 0;
            if (ch == ':') {
                S.comments++;
                c->field_kind = FK_SKIP;
                c->line_state = LS_VALUE;
                p++; n--;
                continue;
            }
            c->field_len = 0;
            c->line_state = LS_FIELD;
        }
            __attribute__((fallthrough));
        case LS_FIELD:
            while (n > 0) {
                uint8_t ch = *p;
                if (ch == ':' || ch == '\n' || ch == '\r') break;
                if (c->field_len < FIELD_MAX) c->field[c->field_len] = (char)ch;
                if (c->field_len < 255) c->field_len++;
                c->line_len++;
                p++; n--;
            }
            if (opt.max_line && c->line_len > opt.max_line) { S.oversize++; conn_drop(c); return -1; }
            if (n == 0) return 0;
            classify_field(c);
            if (*p == ':') { p++; n--; c->line_state = LS_SPACE; }
            else c->line_state = LS_VALUE;      /* no colon: empty value */
            continue;
        case LS_SPACE:
            if (*p == ' ') { p++; n--; }
            c->line_state = LS_VALUE;
            continue;
        case LS_VALUE: {
            const uint8_t *e = find_eol(p, n);
            size_t len = e ? (size_t)(e - p) : n;
            c->line_len += len;
            if (opt.max_line && c->line_len > opt.max_line) { S.oversize++; conn_drop(c); return -1; }
            if (len) {
                switch (c->field_kind) {
                case FK_EVENT: {
                    size_t room = NAME_MAX_LEN - c->name_len;
                    size_t k = len < room ? len : room;
                    memcpy(c->name + c->name_len, p, k);
                    c->name_len = (uint8_t)(c->name_len + k);
                    if (len > room) c->name_len = NAME_MAX_LEN;   /* too long: "other" */
                    break;
                }
                case FK_DATA_SCAN:
                    if (e && !c->carry_len) ts_scan(c, p, len, len, 1);   /* whole line here */
                    else ts_stream(c, p, len);
                    break;
                default:
                    break;
                }
            }
            if (!e) return 0;
            end_line(c);
            c->skip_lf = *e == '\r';
            len++;
            p += len; n -= len;
            continue;
        }
        }
    }
    return 0;
}

/* ------------------------------------------------------------------------ */
/* HTTP body                                                                */

static inline int hexval(uint8_t ch)
{
    if (ch >= '0' && ch <= '9') return ch - '0';
    if (ch >= 'a' && ch <= 'f') return ch - 'a' + 10;
    if (ch >= 'A' && ch <= 'F') return ch - 'A' + 10;
    return -1;
}

static int protocol_error(struct conn *c)
{
    S.protocol_errors++;
    conn_drop(c);
    return -1;
}

static int body_feed(struct conn *c, const uint8_t *p, size_t n)
{
    if (c->body_mode == BM_CLOSE) return sse_feed(c, p, n);
    if (c->body_mode == BM_LENGTH) {
        size_t take = n < c->body_left ? n : (size_t)c->body_left;
        if (take && sse_feed(c, p, take) < 0) return -1;
        c->body_left -= take;
        if (c->body_left == 0) { conn_server_closed(c); return -1; }
        return 0;
    }
    while (n > 0) {
        switch (c->chunk_state) {
        case CH_SIZE: {
            int v = hexval(*p);
            if (v >= 0) {
                if (c->body_left >> 56) return protocol_error(c);
                c->body_left = c->body_left * 16 + (uint64_t)v;
                c->chunk_digits = 1;
                p++; n--;
                continue;
            }
            if (!c->chunk_digits) return protocol_error(c);
            c->chunk_state = CH_EXT;
            continue;
        }
        case CH_EXT: {
            const uint8_t *lf = memchr(p, '\n', n);
            if (!lf) return 0;
            n -= (size_t)(lf + 1 - p);
            p = lf + 1;
            c->chunk_digits = 0;
            c->chunk_state = c->body_left ? CH_DATA : CH_TRAILER;
            continue;
        }
        case CH_DATA: {
            size_t take = n < c->body_left ? n : (size_t)c->body_left;
            if (sse_feed(c, p, take) < 0) return -1;
            p += take; n -= take;
            c->body_left -= take;
            if (c->body_left == 0) c->chunk_state = CH_DATA_END;
            continue;
        }
        case CH_DATA_END: {
            uint8_t ch = *p;
            p++; n--;
            if (ch == '\r') continue;
            if (ch == '\n') { c->chunk_state = CH_SIZE; continue; }
            return protocol_error(c);
        }
        case CH_TRAILER:
            if (*p == '\r') { p++; n--; continue; }
            if (*p == '\n') { conn_server_closed(c); return -1; }   /* end of the chunked body */
            c->chunk_state = CH_TRAILER_LINE;
            continue;
        case CH_TRAILER_LINE: {
            const uint8_t *lf = memchr(p, '\n', n);
            if (!lf) return 0;
            n -= (size_t)(lf + 1 - p);
            p = lf + 1;
            c->chunk_state = CH_TRAILER;
            continue;
        }
        }
    }
    return 0;
}

/* ------------------------------------------------------------------------ */
/* HTTP response head                                                       */

static int header_is(const char *line, size_t len, const char *name, const char **value, size_t *vlen)
{
    size_t nl = strlen(name);
    if (len <= nl || line[nl] != ':' || strncasecmp(line, name, nl) != 0) return 0;
    size_t i = nl + 1;
    while (i < len && is_ws((uint8_t)line[i])) i++;
    *value = line + i;
    *vlen = len - i;
    while (*vlen && is_ws((uint8_t)(*value)[*vlen - 1])) (*vlen)--;
    return 1;
}

static int hdr_feed(struct conn *c, const uint8_t *p, size_t n);

/* head: the response head (status line and headers, without the blank line). */
static int parse_head(struct conn *c, const char *head, size_t len, const uint8_t *rest, size_t rest_n)
{
    const char *eol = memchr(head, '\n', len);
    size_t l0 = eol ? (size_t)(eol - head) : len;
    if (l0 < 12 || strncmp(head, "HTTP/1.", 7) != 0 || head[8] != ' ') {
        conn_fail(c, FAIL_BAD, 0);
        return -1;
    }
    int code = 0;
    for (int i = 9; i < 12; i++) {
        if (head[i] < '0' || head[i] > '9') { conn_fail(c, FAIL_BAD, 0); return -1; }
        code = code * 10 + (head[i] - '0');
    }
    if (code >= 100 && code < 200 && code != 101) {     /* interim response: read the next head */
        c->hdr_len = 0;
        return rest_n ? hdr_feed(c, rest, rest_n) : 0;
    }
    if (code != 200) {
        S.status_codes[code < 600 ? code : 599]++;
        conn_fail(c, FAIL_STATUS, 0);
        return -1;
    }
    int chunked = 0, have_length = 0;
    uint64_t length = 0;
    const char *line = eol ? eol + 1 : head + len;
    const char *end = head + len;
    while (line < end) {
        const char *nl = memchr(line, '\n', (size_t)(end - line));
        size_t ll = nl ? (size_t)(nl - line) : (size_t)(end - line);
        size_t trimmed = ll && line[ll - 1] == '\r' ? ll - 1 : ll;
        const char *v;
        size_t vl;
        if (header_is(line, trimmed, "transfer-encoding", &v, &vl)) {
            for (size_t i = 0; i + 7 <= vl; i++)
                if (strncasecmp(v + i, "chunked", 7) == 0) chunked = 1;
        } else if (header_is(line, trimmed, "content-length", &v, &vl)) {
            have_length = 1;
            length = 0;
            for (size_t i = 0; i < vl && v[i] >= '0' && v[i] <= '9'; i++) length = length * 10 + (uint64_t)(v[i] - '0');
        }
        line += ll + 1;
    }
    free(c->hdr);
    c->hdr = NULL;
    c->hdr_len = c->hdr_cap = 0;
    c->established = 1;
    S.established++;
    if (!c->resolved) { c->resolved = 1; g_resolved++; }
    c->state = ST_BODY;
    if (chunked) {
        c->body_mode = BM_CHUNKED;
        c->chunk_state = CH_SIZE;
        c->body_left = 0;
    } else if (have_length) {
        c->body_mode = BM_LENGTH;
        c->body_left = length;
        if (length == 0) { conn_server_closed(c); return -1; }
    } else {
        c->body_mode = BM_CLOSE;
    }
    return rest_n ? body_feed(c, rest, rest_n) : 0;
}

static int hdr_feed(struct conn *c, const uint8_t *p, size_t n)
{
    size_t old = c->hdr_len;
    size_t take = n;
    if (old + take > HDR_MAX) take = HDR_MAX - old;
    if (old + take > c->hdr_cap) {
        size_t cap = c->hdr_cap ? c->hdr_cap : 1024;
        while (cap < old + take) cap *= 2;
        if (cap > HDR_MAX) cap = HDR_MAX;
        char *h = realloc(c->hdr, cap);
        if (!h) { conn_fail(c, FAIL_BAD, 0); return -1; }
        c->hdr = h;
        c->hdr_cap = (uint32_t)cap;
    }
    memcpy(c->hdr + old, p, take);
    c->hdr_len = (uint32_t)(old + take);
    /* The head ends at an empty line: LF followed by LF or CRLF. */
    size_t from = old > 2 ? old - 2 : 0;
    const char *h = c->hdr;
    size_t hl = c->hdr_len;
    for (;;) {
        const char *lf = memchr(h + from, '\n', hl - from);
        if (!lf) break;
        size_t i = (size_t)(lf - h);
        size_t end = 0;
        if (i + 1 < hl && h[i + 1] == '\n') end = i + 2;
        else if (i + 2 < hl && h[i + 1] == '\r' && h[i + 2] == '\n') end = i + 3;
        if (end) {
            /* body bytes start at p + (end - old) */
            size_t off = end - old;
            return parse_head(c, h, i, p + off, n - off);
        }
        from = i + 1;
    }
    if (c->hdr_len >= HDR_MAX) { conn_fail(c, FAIL_BAD, 0); return -1; }
    return 0;
}

/* ------------------------------------------------------------------------ */
/* Socket I/O                                                               */

static void conn_send(struct conn *c)
{
    while (c->req_sent < g_req_len) {
        ssize_t w = send(c->fd, g_req + c->req_sent, g_req_len - c->req_sent, MSG_NOSIGNAL);
        if (w < 0) {
            if (errno == EAGAIN || errno == EWOULDBLOCK) return;
            if (errno == EINTR) continue;
            conn_fail(c, FAIL_CONNECT, errno);
            return;
        }
        c->req_sent += (uint32_t)w;
    }
    struct epoll_event ev = { .events = EPOLLIN, .data.ptr = c };
    if (epoll_ctl(g_ep, EPOLL_CTL_MOD, c->fd, &ev) < 0) { conn_fail(c, FAIL_CONNECT, errno); return; }
    c->state = ST_HEADERS;
}

static void conn_start(struct conn *c)
{
    c->t_mark = g_now;
    int fd = socket(g_addr.ss_family, SOCK_STREAM | SOCK_NONBLOCK | SOCK_CLOEXEC, 0);
    if (fd < 0) { c->state = ST_CONNECTING; conn_fail(c, FAIL_CONNECT, errno); return; }
    c->fd = fd;
    g_open++;
    c->state = ST_CONNECTING;
    int one = 1;
    setsockopt(fd, IPPROTO_TCP, TCP_NODELAY, &one, sizeof one);
    if (opt.rcvbuf > 0) setsockopt(fd, SOL_SOCKET, SO_RCVBUF, &opt.rcvbuf, sizeof opt.rcvbuf);
    if (opt.kernel_ts) setsockopt(fd, SOL_SOCKET, SO_TIMESTAMPNS, &one, sizeof one);
    if (connect(fd, (struct sockaddr *)&g_addr, g_addrlen) < 0 && errno != EINPROGRESS) {
        conn_fail(c, FAIL_CONNECT, errno);
        return;
    }
    struct epoll_event ev = { .events = EPOLLOUT, .data.ptr = c };
    if (epoll_ctl(g_ep, EPOLL_CTL_ADD, fd, &ev) < 0) conn_fail(c, FAIL_CONNECT, errno);
}

/* read(), or recvmsg() picking up the kernel's receive timestamp
 * (SO_TIMESTAMPNS: when the last segment of this read arrived). Sets
 * g_now_rt, the arrival time used for the latencies of this read. */
static ssize_t sock_read(struct conn *c)
{
    if (!opt.kernel_ts) {
        ssize_t r = read(c->fd, g_buf, sizeof g_buf);
        if (r > 0) g_now_rt = real_us();
        return r;
    }
    struct iovec iov = { .iov_base = g_buf, .iov_len = sizeof g_buf };
    union { char buf[CMSG_SPACE(sizeof(struct timespec))]; struct cmsghdr align; } cbuf;
    struct msghdr msg = { .msg_iov = &iov, .msg_iovlen = 1, .msg_control = cbuf.buf, .msg_controllen = sizeof cbuf.buf };
    ssize_t r = recvmsg(c->fd, &msg, 0);
    if (r > 0) {
        g_now_rt = 0;
        for (struct cmsghdr *cm = CMSG_FIRSTHDR(&msg); cm; cm = CMSG_NXTHDR(&msg, cm)) {
            if (cm->cmsg_level == SOL_SOCKET && cm->cmsg_type == SCM_TIMESTAMPNS) {
                struct timespec ts;
                memcpy(&ts, CMSG_DATA(cm), sizeof ts);
                g_now_rt = (int64_t)ts.tv_sec * 1000000 + ts.tv_nsec / 1000;
            }
        }
        if (!g_now_rt) { g_now_rt = real_us(); S.kernel_ts_missing++; }
    }
    return r;
}

/* One read; returns the number of bytes read, 0 on EAGAIN, -1 when closed. */
static ssize_t conn_read(struct conn *c)
{
    ssize_t r = sock_read(c);
    if (r > 0) {
        S.bytes += (uint64_t)r;
        int rc = c->state == ST_HEADERS ? hdr_feed(c, g_buf, (size_t)r) : body_feed(c, g_buf, (size_t)r);
        return rc < 0 ? -1 : r;
    }
    if (r < 0 && (errno == EAGAIN || errno == EWOULDBLOCK || errno == EINTR)) return 0;
    /* EOF or error */
    if (c->state == ST_HEADERS) conn_fail(c, FAIL_EOF, 0);
    else if (c->state == ST_BODY && c->body_mode == BM_CLOSE && r == 0) {
        if (c->field_kind == FK_DATA_SCAN) ts_flush(c);
        conn_server_closed(c);
    } else conn_server_closed(c);
    return -1;
}

static void on_event(struct conn *c, uint32_t events)
{
    switch (c->state) {
    case ST_CONNECTING: {
        int err = 0;
        socklen_t len = sizeof err;
        if (getsockopt(c->fd, SOL_SOCKET, SO_ERROR, &err, &len) < 0) err = errno;
        if (err) { conn_fail(c, FAIL_CONNECT, err); return; }
        if (!(events & (EPOLLOUT | EPOLLERR | EPOLLHUP))) return;
        c->state = ST_SENDING;
        conn_send(c);
        return;
    }
    case ST_SENDING:
        conn_send(c);
        return;
    case ST_HEADERS:
    case ST_BODY:
        if (c->stopped && !g_draining) return;
        conn_read(c);
        return;
    default:
        return;
    }
}

/* ------------------------------------------------------------------------ */
/* Setup                                                                    */

static void usage(FILE *f)
{
    fputs(
"usage: sseload --url http://HOST[:PORT]/PATH[?QUERY] --connections N [options]\n"
"\n"
"Holds N concurrent Server-Sent Events streams over one epoll loop and\n"
"measures, for every `patch` (or unnamed) event, now - ts for each numeric\n"
"\"ts\" field in its data (ts = commit time in us since the epoch).\n"
"\n"
"  -u, --url URL             stream to open (http only)\n"
"  -X, --method M            request method (default GET; e.g. SUBSCRIBE)\n"
"  -H, --header 'N: V'       extra request header, repeatable (Accept:\n"
"                            text/event-stream is sent unless one is given)\n"
"  -c, --connections N       concurrent streams (required)\n"
"  -r, --ramp-per-sec R      new connections per second (default 2000; 0 = all at once)\n"
"  -d, --duration S          seconds to run once all connections are up (or\n"
"                            failed); the first --warmup of them are not measured\n"
"  -w, --warmup S            seconds whose latencies are discarded (default 0)\n"
"      --stop-reading K      connections 0..K-1 stop reading after their first\n"
"                            patch event (slow subscribers); drained at the end\n"
"      --ts-field NAME       timestamp field (default ts)\n"
"      --ts-unit U           unit of the field: us (default), ms, s, ns\n"
"  -o, --json-out FILE       write the JSON report there (default stdout)\n"
"  -e, --expect-events M     stop once every reading connection got M patch events\n"
"  -q, --quiet               no summary or progress on stderr\n"
"      --hold                keep the connections open until SIGINT/SIGTERM or\n"
"                            --duration, printing the count every second\n"
"      --progress            print a status line every second\n"
"      --connect-timeout S   fail a connection without a response head after S (default 10)\n"
"      --drain-timeout S     at most S seconds to drain the slow connections (default 5)\n"
"      --max-samples N       latency samples kept; reservoir beyond (default 20000000)\n"
"      --max-line BYTES      drop a connection on a longer SSE line (default 8388608; 0 = no limit)\n"
"      --rcvbuf BYTES        SO_RCVBUF for every socket (default: kernel autotuning)\n"
"      --kernel-ts           arrival time = kernel receive timestamp (SO_TIMESTAMPNS)\n"
"                            instead of the clock after read(): leaves out the time\n"
"                            a ready socket waits for this client's single thread\n"
"  -h, --help\n"
"\n"
"Exit status: 0 done, 1 runtime error, 2 usage error or too many connections.\n",
        f);
}

static uint64_t parse_u64(const char *s, const char *what)
{
    char *end;
    errno = 0;
    unsigned long long v = strtoull(s, &end, 10);
    if (errno || end == s || *end || *s == '-') die(2, "invalid %s: '%s'", what, s);
    return v;
}

static double parse_secs(const char *s, const char *what)
{
    char *end;
    errno = 0;
    double v = strtod(s, &end);
    if (errno || end == s || *end || !(v >= 0)) die(2, "invalid %s: '%s'", what, s);
    return v;
}

struct url { char host[256]; char port[16]; char hostport[300]; const char *path; };

static void parse_url(const char *u, struct url *out)
{
    if (strncmp(u, "http://", 7) != 0) die(2, "only http:// URLs are supported: '%s'", u);
    const char *h = u + 7;
    const char *path = strchr(h, '/');
    const char *q = strchr(h, '?');
    if (q && (!path || q < path)) path = q;
    size_t auth_len = path ? (size_t)(path - h) : strlen(h);
    if (auth_len == 0 || auth_len >= sizeof out->hostport) die(2, "bad URL host: '%s'", u);
    memcpy(out->hostport, h, auth_len);
    out->hostport[auth_len] = 0;
    const char *hp = out->hostport, *colon;
    if (hp[0] == '[') {
        const char *rb = strchr(hp, ']');
        if (!rb) die(2, "bad IPv6 literal in '%s'", u);
        snprintf(out->host, sizeof out->host, "%.*s", (int)(rb - hp - 1), hp + 1);
        colon = rb[1] == ':' ? rb + 1 : NULL;
    } else {
        colon = strrchr(hp, ':');
        size_t hl = colon ? (size_t)(colon - hp) : strlen(hp);
        snprintf(out->host, sizeof out->host, "%.*s", (int)hl, hp);
    }
    snprintf(out->port, sizeof out->port, "%s", colon ? colon + 1 : "80");
    out->path = path ? path : "/";
}

static void on_signal(int sig)
{
    (void)sig;
    if (g_stop) _exit(130);
    g_stop = 1;
}

/* ------------------------------------------------------------------------ */
/* Report                                                                   */

static int cmp_i32(const void *a, const void *b)
{
    int32_t x = *(const int32_t *)a, y = *(const int32_t *)b;
    return (x > y) - (x < y);
}

static double pct(double q, uint64_t n)
{
    /* nearest rank */
    double r = q * (double)n;
    uint64_t k = (uint64_t)r;
    if ((double)k < r) k++;
    if (k == 0) k = 1;
    if (k > n) k = n;
    return lat_buf[k - 1] / 1000.0;
}

static void json_num(FILE *f, const char *key, double v, int have, const char *sep)
{
    if (have) fprintf(f, "\"%s\": %.3f%s", key, v, sep);
    else fprintf(f, "\"%s\": null%s", key, sep);
}

static void json_str(FILE *f, const char *s)
{
    fputc('"', f);
    for (; *s; s++) {
        unsigned char ch = (unsigned char)*s;
        if (ch == '"' || ch == '\\') fprintf(f, "\\%c", ch);
        else if (ch < 0x20) fprintf(f, "\\u%04x", ch);
        else fputc(ch, f);
    }
    fputc('"', f);
}

int main(int argc, char **argv)
{
    opt.method = "GET";
    opt.ramp = 2000;
    opt.duration = -1;
    opt.ts_field = "ts";
    opt.ts_mult = 1;
    opt.connect_timeout = 10;
    opt.drain_timeout = 5;
    opt.drain_idle = 0.5;
    opt.max_samples = 20000000;
    opt.max_line = 8u << 20;

    enum { O_STOP = 256, O_TSF, O_TSU, O_HOLD, O_PROG, O_CTO, O_DTO, O_MAXS, O_MAXL, O_RCVBUF, O_KTS };
    static const struct option longopts[] = {
        { "url", required_argument, 0, 'u' },
        { "method", required_argument, 0, 'X' },
        { "header", required_argument, 0, 'H' },
        { "connections", required_argument, 0, 'c' },
        { "ramp-per-sec", required_argument, 0, 'r' },
        { "duration", required_argument, 0, 'd' },
        { "warmup", required_argument, 0, 'w' },
        { "stop-reading", required_argument, 0, O_STOP },
        { "ts-field", required_argument, 0, O_TSF },
        { "ts-unit", required_argument, 0, O_TSU },
        { "json-out", required_argument, 0, 'o' },
        { "expect-events", required_argument, 0, 'e' },
        { "quiet", no_argument, 0, 'q' },
        { "hold", no_argument, 0, O_HOLD },
        { "progress", no_argument, 0, O_PROG },
        { "connect-timeout", required_argument, 0, O_CTO },
        { "drain-timeout", required_argument, 0, O_DTO },
        { "max-samples", required_argument, 0, O_MAXS },
        { "max-line", required_argument, 0, O_MAXL },
        { "rcvbuf", required_argument, 0, O_RCVBUF },
        { "kernel-ts", no_argument, 0, O_KTS },
        { "help", no_argument, 0, 'h' },
        { 0, 0, 0, 0 },
    };
    int ch;
    while ((ch = getopt_long(argc, argv, "u:X:H:c:r:d:w:o:e:qh", longopts, NULL)) != -1) {
        switch (ch) {
        case 'u': opt.url = optarg; break;
        case 'X': opt.method = optarg; break;
        case 'H':
            if (opt.nheaders == MAX_HEADERS) die(2, "at most %d --header options", MAX_HEADERS);
            if (strpbrk(optarg, "\r\n") || !strchr(optarg, ':')) die(2, "bad header '%s' (want 'Name: value')", optarg);
            opt.headers[opt.nheaders++] = optarg;
            break;
        case 'c': opt.connections = parse_u64(optarg, "--connections"); break;
        case 'r': opt.ramp = parse_secs(optarg, "--ramp-per-sec"); break;
        case 'd': opt.duration = parse_secs(optarg, "--duration"); break;
        case 'w': opt.warmup = parse_secs(optarg, "--warmup"); break;
        case O_STOP: opt.stop_reading = parse_u64(optarg, "--stop-reading"); break;
        case O_TSF:
            opt.ts_field = optarg;
            if (!*optarg || strlen(optarg) > TS_FIELD_MAX || strpbrk(optarg, "\"\\"))
                die(2, "--ts-field: 1..%d characters, no quote or backslash", TS_FIELD_MAX);
            break;
        case O_TSU:
            if (!strcmp(optarg, "us")) opt.ts_mult = 1;
            else if (!strcmp(optarg, "ms")) opt.ts_mult = 1e3;
            else if (!strcmp(optarg, "s")) opt.ts_mult = 1e6;
            else if (!strcmp(optarg, "ns")) opt.ts_mult = 1e-3;
            else die(2, "--ts-unit: us, ms, s or ns");
            break;
        case 'o': opt.json_out = optarg; break;
        case 'e': opt.expect = parse_u64(optarg, "--expect-events"); break;
        case 'q': opt.quiet = 1; break;
        case O_HOLD: opt.hold = 1; break;
        case O_PROG: opt.progress = 1; break;
        case O_CTO: opt.connect_timeout = parse_secs(optarg, "--connect-timeout"); break;
        case O_DTO: opt.drain_timeout = parse_secs(optarg, "--drain-timeout"); break;
        case O_MAXS: opt.max_samples = parse_u64(optarg, "--max-samples"); break;
        case O_MAXL: opt.max_line = parse_u64(optarg, "--max-line"); break;
        case O_RCVBUF: opt.rcvbuf = (int)parse_u64(optarg, "--rcvbuf"); break;
        case O_KTS: opt.kernel_ts = 1; break;
        case 'h': usage(stdout); return 0;
        default: usage(stderr); return 2;
        }
    }
    if (optind < argc) die(2, "unexpected argument '%s' (see --help)", argv[optind]);
    if (!opt.url) die(2, "--url is required (see --help)");
    if (opt.connections == 0) die(2, "--connections N (N >= 1) is required");
    if (opt.duration < 0 && !opt.hold && !opt.expect) die(2, "--duration is required (or --hold / --expect-events)");
    if (opt.stop_reading > opt.connections) opt.stop_reading = opt.connections;
    if (opt.max_samples == 0) opt.max_samples = 1;
    for (const char *m = opt.method; *m; m++)
        if (*m <= ' ' || *m >= 127) die(2, "bad method '%s'", opt.method);

    /* File descriptors */
    struct rlimit rl;
    if (getrlimit(RLIMIT_NOFILE, &rl) < 0) die(1, "getrlimit: %s", strerror(errno));
    rlim_t before = rl.rlim_cur;
    if (rl.rlim_cur < rl.rlim_max) {
        rl.rlim_cur = rl.rlim_max;
        if (setrlimit(RLIMIT_NOFILE, &rl) < 0) {
            rl.rlim_cur = 1048576;      /* hard limit "unlimited": try nr_open's default */
            if (rl.rlim_cur > rl.rlim_max || setrlimit(RLIMIT_NOFILE, &rl) < 0) rl.rlim_cur = before;
        }
    }
    uint64_t nofile = (uint64_t)rl.rlim_cur;
    note("RLIMIT_NOFILE %llu (was %llu, hard %llu)", (unsigned long long)nofile,
         (unsigned long long)before, (unsigned long long)rl.rlim_max);
    if (opt.connections + 16 > nofile) {
        fprintf(stderr, "sseload: %llu connections need about %llu file descriptors but RLIMIT_NOFILE is %llu "
                "(raise the hard limit: ulimit -Hn, LimitNOFILE=, or docker --ulimit nofile=)\n",
                (unsigned long long)opt.connections, (unsigned long long)(opt.connections + 16),
                (unsigned long long)nofile);
        return 2;
    }
    {
        FILE *f = fopen("/proc/sys/net/ipv4/ip_local_port_range", "r");
        unsigned lo, hi;
        if (f) {
            if (fscanf(f, "%u %u", &lo, &hi) == 2 && hi >= lo && opt.connections > (uint64_t)(hi - lo + 1))
                note("warning: %llu connections but only %u local ports (net.ipv4.ip_local_port_range)",
                     (unsigned long long)opt.connections, hi - lo + 1);
            fclose(f);
        }
    }

    /* Target */
    struct url url;
    parse_url(opt.url, &url);
    struct addrinfo hints = { .ai_family = AF_UNSPEC, .ai_socktype = SOCK_STREAM }, *ai;
    int gai = getaddrinfo(url.host, url.port, &hints, &ai);
    if (gai) die(2, "cannot resolve %s:%s: %s", url.host, url.port, gai_strerror(gai));
    memcpy(&g_addr, ai->ai_addr, ai->ai_addrlen);
    g_addrlen = ai->ai_addrlen;
    freeaddrinfo(ai);

    /* Request */
    int have_accept = 0;
    size_t cap = strlen(opt.method) + strlen(url.path) + strlen(url.hostport) + 128;
    for (int i = 0; i < opt.nheaders; i++) {
        cap += strlen(opt.headers[i]) + 2;
        if (strncasecmp(opt.headers[i], "accept:", 7) == 0) have_accept = 1;
    }
    g_req = xmalloc(cap);
    size_t off = (size_t)snprintf(g_req, cap, "%s %s HTTP/1.1\r\nHost: %s\r\n", opt.method, url.path, url.hostport);
    if (!have_accept) off += (size_t)snprintf(g_req + off, cap - off, "Accept: text/event-stream\r\n");
    for (int i = 0; i < opt.nheaders; i++) off += (size_t)snprintf(g_req + off, cap - off, "%s\r\n", opt.headers[i]);
    off += (size_t)snprintf(g_req + off, cap - off, "\r\n");
    g_req_len = off;

    snprintf(g_needle, sizeof g_needle, "%s\"", opt.ts_field);
    g_needle_len = strlen(g_needle);

    /* Signals */
    struct sigaction sa = { .sa_handler = SIG_IGN };
    sigemptyset(&sa.sa_mask);
    sigaction(SIGPIPE, &sa, NULL);
    sa.sa_handler = on_signal;
    sigaction(SIGINT, &sa, NULL);
    sigaction(SIGTERM, &sa, NULL);

    /* State. Pages of the sample buffer are only touched as samples arrive. */
    conns = calloc(opt.connections, sizeof *conns);
    lat_buf = malloc(opt.max_samples * sizeof *lat_buf);
    if (!conns || !lat_buf) die(1, "out of memory");
    for (uint64_t i = 0; i < opt.connections; i++) { conns[i].fd = -1; conns[i].idx = (uint32_t)i; }
    g_ep = epoll_create1(EPOLL_CLOEXEC);
    if (g_ep < 0) die(1, "epoll_create1: %s", strerror(errno));
    g_rng ^= (uint64_t)real_us();

    note("%s %s: %llu connections, ramp %g/s", opt.method, opt.url, (unsigned long long)opt.connections, opt.ramp);

    /* Main loop */
    enum { END_NONE, END_DURATION, END_EXPECT, END_SIGNAL, END_ALL_CLOSED };
    static const char *const end_names[] = { "none", "duration", "expect_events", "signal", "all_closed" };
    int ended_by = END_NONE;
    const uint64_t N = opt.connections;
    struct epoll_event evs[1024];
    int64_t t0 = mono_us();
    g_now = t0;
    int64_t t_ready = -1, t_meas = -1, t_end = -1;
    int64_t next_sweep = t0 + 250000, next_progress = t0 + 1000000;
    uint64_t last_patches = 0;
    int ready = 0;
    const int show_progress = !opt.quiet && (opt.hold || opt.progress);

    for (;;) {
        g_now = mono_us();
        if (g_started < N) {
            uint64_t target = N;
            if (opt.ramp > 0) {
                double want = opt.ramp * (double)(g_now - t0) / 1e6 + 1;
                if (want < (double)N) target = (uint64_t)want;
            }
            while (g_started < target) conn_start(&conns[g_started++]);
        }
        if (!ready && g_started == N && g_resolved == N) {
            ready = 1;
            t_ready = g_now;
            note("all connections resolved after %.2f s: %llu established, %llu failed", (t_ready - t0) / 1e6,
                 (unsigned long long)S.established, (unsigned long long)S.failed);
        }
        if (ready && !g_measuring && t_meas < 0 && g_now >= t_ready + (int64_t)(opt.warmup * 1e6)) {
            g_measuring = 1;
            t_meas = g_now;
        }
        if (g_stop) { ended_by = END_SIGNAL; break; }
        if (ready && opt.duration >= 0 && g_now >= t_ready + (int64_t)(opt.duration * 1e6)) { ended_by = END_DURATION; break; }
        if (ready && opt.expect && g_done >= N) { ended_by = END_EXPECT; break; }
        if (ready && !opt.hold && g_open == 0) { ended_by = END_ALL_CLOSED; break; }

        if (g_now >= next_sweep) {
            next_sweep = g_now + 250000;
            if (!ready) {
                int64_t limit = (int64_t)(opt.connect_timeout * 1e6);
                for (uint64_t i = 0; i < g_started; i++) {
                    struct conn *c = &conns[i];
                    if (c->state >= ST_CONNECTING && c->state <= ST_HEADERS && g_now - c->t_mark > limit)
                        conn_fail(c, FAIL_TIMEOUT, 0);
                }
            }
        }
        if (g_now >= next_progress) {
            next_progress += 1000000;
            if (next_progress < g_now) next_progress = g_now + 1000000;
            if (show_progress) {
                uint64_t p = S.ev[EV_PATCH] + S.ev[EV_NONE];
                fprintf(stderr, "sseload: %6.1fs established %llu/%llu open %llu failed %llu closed_by_server %llu"
                        " patch %llu (+%llu) bytes %llu\n", (g_now - t0) / 1e6,
                        (unsigned long long)S.established, (unsigned long long)N, (unsigned long long)g_open,
                        (unsigned long long)S.failed, (unsigned long long)S.closed_by_server,
                        (unsigned long long)p, (unsigned long long)(p - last_patches), (unsigned long long)S.bytes);
                last_patches = p;
            }
        }

        /* Sleep until the next thing to do (at most 50 ms). */
        int64_t wait = 50000;
        if (g_started < N) wait = opt.ramp > 0 ? (int64_t)(1e6 / opt.ramp) : 0;
        int64_t deadlines[4] = { next_sweep, next_progress, -1, -1 };
        if (ready && t_meas < 0) deadlines[2] = t_ready + (int64_t)(opt.warmup * 1e6);
        if (ready && opt.duration >= 0) deadlines[3] = t_ready + (int64_t)(opt.duration * 1e6);
        for (int i = 0; i < 4; i++)
            if (deadlines[i] >= 0 && deadlines[i] - g_now < wait) wait = deadlines[i] - g_now;
        int timeout = wait <= 0 ? 0 : (int)((wait + 999) / 1000);
        if (timeout > 50) timeout = 50;
        if (g_started < N && timeout < 1 && opt.ramp > 0) timeout = 1;

        int nev = epoll_wait(g_ep, evs, (int)(sizeof evs / sizeof evs[0]), timeout);
        if (nev < 0) {
            if (errno == EINTR) continue;
            die(1, "epoll_wait: %s", strerror(errno));
        }
        for (int i = 0; i < nev; i++) on_event(evs[i].data.ptr, evs[i].events);
    }

    /* End of the measurement */
    g_now = mono_us();
    t_end = g_now;
    g_measuring = 0;
    SE = S;
    uint64_t open_at_end = g_open;
    double meas_s = t_meas >= 0 ? (t_end - t_meas) / 1e6 : 0;
    double ramp_s = t_ready >= 0 ? (t_ready - t0) / 1e6 : (t_end - t0) / 1e6;

    uint64_t pc_n = 0, pc_min = 0, pc_max = 0;
    double pc_sum = 0;
    for (uint64_t i = opt.stop_reading; i < N; i++) {
        struct conn *c = &conns[i];
        if (!c->established) continue;
        if (pc_n == 0 || c->patches < pc_min) pc_min = c->patches;
        if (pc_n == 0 || c->patches > pc_max) pc_max = c->patches;
        pc_sum += (double)c->patches;
        pc_n++;
    }

    /* Close the readers, then drain the stopped (slow) connections to see
     * whether the server closed them, and with an overflow event or not. */
    g_draining = 1;
    uint64_t slow_pending = 0, slow_drained_bytes = 0;
    for (uint64_t i = 0; i < N; i++) {
        struct conn *c = &conns[i];
        if (c->state == ST_CLOSED || c->state == ST_IDLE) continue;
        if (!c->stopped) { conn_release(c); continue; }
        struct epoll_event ev = { .events = EPOLLIN, .data.ptr = c };
        epoll_ctl(g_ep, EPOLL_CTL_ADD, c->fd, &ev);
        c->t_mark = g_now;
        slow_pending++;
    }
    if (slow_pending) note("draining %llu stopped connections", (unsigned long long)slow_pending);
    int64_t drain_end = g_now + (int64_t)(opt.drain_timeout * 1e6);
    int64_t idle = (int64_t)(opt.drain_idle * 1e6);
    while (slow_pending) {
        g_now = mono_us();
        if (g_now >= drain_end) break;
        slow_pending = 0;
        for (uint64_t i = 0; i < opt.stop_reading; i++) {
            struct conn *c = &conns[i];
            if (!c->stopped || c->state == ST_CLOSED || c->drain_done) continue;
            /* Still open: nothing arrived for a while, or the backlog was read
             * to the end and no close followed within the same grace. */
            if (g_now - c->t_mark > idle || (c->t_caught && g_now - c->t_caught > idle)) {
                c->drain_done = 1;
                continue;
            }
            slow_pending++;
        }
        if (!slow_pending) break;
        int nev = epoll_wait(g_ep, evs, (int)(sizeof evs / sizeof evs[0]), 50);
        if (nev < 0 && errno != EINTR) break;
        g_now = mono_us();
        for (int i = 0; i < nev; i++) {
            struct conn *c = evs[i].data.ptr;
            if (c->state == ST_CLOSED || c->drain_done) continue;
            for (int k = 0; k < 16; k++) {
                uint64_t b = S.bytes;
                ssize_t r = conn_read(c);
                if (r < 0) break;
                slow_drained_bytes += S.bytes - b;
                if (r == 0) {
                    if (!c->t_caught) c->t_caught = g_now;
                    break;
                }
                c->t_mark = g_now;
            }
        }
    }
    uint64_t slow_closed = 0, slow_overflow_events = 0, slow_closed_after_overflow = 0, slow_open = 0;
    for (uint64_t i = 0; i < opt.stop_reading; i++) {
        struct conn *c = &conns[i];
        if (!c->stopped) continue;
        slow_overflow_events += c->overflow_seen;
        if (c->server_closed) {
            slow_closed++;
            if (c->overflow_seen) slow_closed_after_overflow++;
        } else if (c->state != ST_CLOSED) {
            slow_open++;
        }
    }
    for (uint64_t i = 0; i < N; i++)
        if (conns[i].state != ST_CLOSED && conns[i].state != ST_IDLE) conn_release(&conns[i]);

    /* Latency percentiles */
    uint64_t n = lat_n;
    if (n) qsort(lat_buf, n, sizeof *lat_buf, cmp_i32);
    int have = n > 0;
    double p50 = have ? pct(0.50, n) : 0, p90 = have ? pct(0.90, n) : 0, p99 = have ? pct(0.99, n) : 0;
    double p999 = have ? pct(0.999, n) : 0;
    double mean = W.samples ? W.sum / (double)W.samples / 1000.0 : 0;
    uint64_t w_patch = W.patch_events;
    double patch_rate = meas_s > 0 ? (double)w_patch / meas_s : 0;
    double ts_rate = meas_s > 0 ? (double)W.samples / meas_s : 0;
    struct rusage ru;
    getrusage(RUSAGE_SELF, &ru);
    double cpu_s = ru.ru_utime.tv_sec + ru.ru_stime.tv_sec + (ru.ru_utime.tv_usec + ru.ru_stime.tv_usec) / 1e6;

    FILE *f = stdout;
    if (opt.json_out && !(f = fopen(opt.json_out, "w"))) die(1, "cannot write %s: %s", opt.json_out, strerror(errno));
    fprintf(f, "{\n  \"url\": ");
    json_str(f, opt.url);
    fprintf(f, ",\n  \"method\": ");
    json_str(f, opt.method);
    fprintf(f, ",\n  \"connections\": %llu,\n  \"established\": %llu,\n  \"failed\": %llu,\n",
            (unsigned long long)N, (unsigned long long)SE.established, (unsigned long long)SE.failed);
    fprintf(f, "  \"failures\": {\"connect\": %llu, \"timeout\": %llu, \"status\": %llu, \"eof_before_headers\": %llu,"
            " \"bad_response\": %llu},\n", (unsigned long long)SE.f_connect, (unsigned long long)SE.f_timeout,
            (unsigned long long)SE.f_status, (unsigned long long)SE.f_eof, (unsigned long long)SE.f_bad);
    fprintf(f, "  \"connect_errors\": {");
    const char *sep = "";
    for (int e = 0; e <= NERRNO; e++) {
        if (!SE.connect_errno[e]) continue;
        const char *nm = e < NERRNO ? errno_name(e) : "other";
        if (nm) fprintf(f, "%s\"%s\": %llu", sep, nm, (unsigned long long)SE.connect_errno[e]);
        else fprintf(f, "%s\"errno_%d\": %llu", sep, e, (unsigned long long)SE.connect_errno[e]);
        sep = ", ";
    }
    fprintf(f, "},\n  \"status_errors\": {");
    sep = "";
    for (int code = 0; code < 600; code++) {
        if (!SE.status_codes[code]) continue;
        fprintf(f, "%s\"%d\": %llu", sep, code, (unsigned long long)SE.status_codes[code]);
        sep = ", ";
    }
    fprintf(f, "},\n");
    fprintf(f, "  \"closed_by_server\": %llu,\n  \"closed_after_overflow\": %llu,\n  \"overflow_events\": %llu,\n"
            "  \"oversize\": %llu,\n  \"protocol_errors\": %llu,\n  \"open_at_end\": %llu,\n",
            (unsigned long long)SE.closed_by_server, (unsigned long long)SE.closed_after_overflow,
            (unsigned long long)SE.overflow_events, (unsigned long long)SE.oversize,
            (unsigned long long)SE.protocol_errors, (unsigned long long)open_at_end);
    fprintf(f, "  \"events\": {\"patch\": %llu, \"reset\": %llu, \"overflow\": %llu, \"message\": %llu, \"other\": %llu},\n",
            (unsigned long long)SE.ev[EV_PATCH], (unsigned long long)SE.ev[EV_RESET],
            (unsigned long long)SE.ev[EV_OVERFLOW], (unsigned long long)SE.ev[EV_NONE],
            (unsigned long long)SE.ev[EV_OTHER]);
    fprintf(f, "  \"keepalive_comments\": %llu,\n  \"ts_values\": %llu,\n  \"ts_dropped\": %llu,\n",
            (unsigned long long)SE.comments, (unsigned long long)SE.ts_values, (unsigned long long)SE.ts_dropped);
    fprintf(f, "  \"arrival_clock\": \"%s\",\n", opt.kernel_ts ? "kernel" : "read");
    if (opt.kernel_ts) fprintf(f, "  \"kernel_ts_missing\": %llu,\n", (unsigned long long)SE.kernel_ts_missing);
    fprintf(f, "  \"latency_samples\": %llu,\n  \"latency_samples_kept\": %llu,\n  \"negative_latencies\": %llu,\n",
            (unsigned long long)W.samples, (unsigned long long)n, (unsigned long long)W.negative);
    fprintf(f, "  \"latency_ms\": {");
    json_num(f, "min", W.min / 1000.0, W.samples > 0, ", ");
    json_num(f, "p50", p50, have, ", ");
    json_num(f, "p90", p90, have, ", ");
    json_num(f, "p99", p99, have, ", ");
    json_num(f, "p999", p999, have, ", ");
    json_num(f, "max", W.max / 1000.0, W.samples > 0, ", ");
    json_num(f, "mean", mean, W.samples > 0, "");
    fprintf(f, "},\n");
    fprintf(f, "  \"bytes\": %llu,\n  \"ramp_s\": %.3f,\n  \"warmup_s\": %.3f,\n  \"duration_s\": %.3f,\n"
            "  \"elapsed_s\": %.3f,\n", (unsigned long long)SE.bytes, ramp_s, opt.warmup, meas_s, (t_end - t0) / 1e6);
    fprintf(f, "  \"patch_events\": %llu,\n  \"patch_events_per_s\": %.1f,\n  \"ts_values_per_s\": %.1f,\n",
            (unsigned long long)w_patch, patch_rate, ts_rate);
    fprintf(f, "  \"patches_per_connection\": {\"connections\": %llu, \"min\": %llu, \"max\": %llu, \"mean\": %.2f},\n",
            (unsigned long long)pc_n, (unsigned long long)pc_min, (unsigned long long)pc_max,
            pc_n ? pc_sum / (double)pc_n : 0.0);
    fprintf(f, "  \"slow\": {\"count\": %llu, \"stopped\": %llu, \"closed_by_server\": %llu, \"closed_after_overflow\": %llu,"
            " \"overflow_events\": %llu, \"still_open\": %llu, \"drained_bytes\": %llu},\n",
            (unsigned long long)opt.stop_reading, (unsigned long long)g_stopped, (unsigned long long)slow_closed,
            (unsigned long long)slow_closed_after_overflow, (unsigned long long)slow_overflow_events,
            (unsigned long long)slow_open, (unsigned long long)slow_drained_bytes);
    fprintf(f, "  \"nofile_limit\": %llu,\n  \"client_cpu_s\": %.3f,\n  \"client_maxrss_kb\": %ld,\n  \"ended_by\": \"%s\"\n}\n",
            (unsigned long long)nofile, cpu_s, ru.ru_maxrss, end_names[ended_by]);
    if (f != stdout) fclose(f);
    else fflush(f);

    if (!opt.quiet) {
        char lat[200] = "no latency samples";
        if (have)
            snprintf(lat, sizeof lat, "%llu samples p50 %.2f p90 %.2f p99 %.2f p99.9 %.2f max %.2f ms",
                     (unsigned long long)W.samples, p50, p90, p99, p999, W.max / 1000.0);
        fprintf(stderr, "sseload: %llu/%llu established, %llu failed, %llu closed by server (%llu overflow); "
                "patch %llu reset %llu; %s; %.0f patch/s %.0f ts/s over %.1f s; %.1f MB; slow %llu/%llu closed; "
                "cpu %.1f s; ended by %s\n",
                (unsigned long long)SE.established, (unsigned long long)N, (unsigned long long)SE.failed,
                (unsigned long long)SE.closed_by_server, (unsigned long long)SE.overflow_events,
                (unsigned long long)SE.ev[EV_PATCH], (unsigned long long)SE.ev[EV_RESET], lat, patch_rate, ts_rate,
                meas_s, SE.bytes / 1e6, (unsigned long long)slow_closed, (unsigned long long)g_stopped, cpu_s,
                end_names[ended_by]);
    }
    return 0;
}
