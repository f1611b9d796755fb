/* ---- base: results, spans, output buffer, allocator, logger, byte queue ---- */
#pragma once
#include "prologue.h"

/* One list makes both the enum and sioc_strerror(). Negative = error, 0 = ok, positive = not a failure. */
#define SIOC__RESULTS(X)                                                                  \
    X(SIOC_OK, 0, "ok")                                                                   \
    X(SIOC_AGAIN, 1, "in progress: more input or output needed")                          \
    X(SIOC_ERR_ARG, -1, "invalid argument")                                               \
    X(SIOC_ERR_NOMEM, -2, "out of memory")                                                \
    X(SIOC_ERR_BUFFER_TOO_SMALL, -3, "output buffer too small")                           \
    X(SIOC_ERR_PARSE, -4, "malformed input")                                              \
    X(SIOC_ERR_PROTOCOL, -5, "protocol violation by the peer")                            \
    X(SIOC_ERR_HTTP_STATUS, -6, "unexpected HTTP status")                                 \
    X(SIOC_ERR_AUTH, -7, "authentication or authorisation failed")                        \
    X(SIOC_ERR_TLS, -8, "TLS failure")                                                    \
    X(SIOC_ERR_CLOSED, -9, "connection closed")                                           \
    X(SIOC_ERR_TIMEOUT, -10, "timed out")                                                 \
    X(SIOC_ERR_STATE, -11, "call not valid in this state")                                \
    X(SIOC_ERR_UNSUPPORTED, -12, "unsupported")                                           \
    X(SIOC_ERR_DEPENDENCY, -13, "a required callback or library is missing")              \
    X(SIOC_ERR_LIMIT, -14, "a configured limit was exceeded (depth, count or size)")      \
    X(SIOC_ERR_NOT_FOUND, -15, "not found")                                               \
    X(SIOC_ERR_TYPE, -16, "value has another type")                                       \
    X(SIOC_ERR_RANGE, -17, "value out of range")                                          \
    X(SIOC_ERR_TOO_LARGE, -18, "message exceeds the service size limit")                  \
    X(SIOC_ERR_CONNECT, -19, "connection failed")                                         \
    X(SIOC_ERR_TLS_UNTRUSTED, -20, "TLS: certificate not trusted")                        \
    X(SIOC_ERR_TLS_HOSTNAME, -21, "TLS: certificate does not match the host name")        \
    X(SIOC_ERR_TLS_EXPIRED, -22, "TLS: certificate expired or not yet valid")             \
    X(SIOC_ERR_TLS_NO_HOSTNAME, -23, "TLS: no host name given (verification impossible)") \
    X(SIOC_ERR_TLS_TIME, -24, "TLS: current time unknown or implausible")                 \
    X(SIOC_ERR_THROTTLED, -25, "throttled by the service")                                \
    X(SIOC_ERR_SERVER, -26, "server error (5xx)")

typedef enum sioc_result {
#define SIOC__ENUM(name, value, text) name = value,
    SIOC__RESULTS(SIOC__ENUM)
#undef SIOC__ENUM
    SIOC__RESULT_END_ = 2
} sioc_result;

/* Text for a result code; never NULL. "" when SIOC_ENABLE_ERROR_STRINGS is 0. */
SIOC_API const char *sioc_strerror(sioc_result r);

/* Size of the `detail` texts (HTTP responses, AWS and Azure calls and clients, connection strings): one line a person
   can act on ("cannot connect to 127.0.0.1:1: connection refused"), NUL-terminated, truncated to fit, never a
   secret. Empty when SIOC_ENABLE_ERROR_STRINGS is 0. */
#ifndef SIOC_DETAIL_SIZE
#define SIOC_DETAIL_SIZE 128
#endif

/* Read-only views: pointer + length, not NUL-terminated unless said so. */
typedef struct sioc_str {
    const char *ptr;
    size_t len;
} sioc_str;
typedef struct sioc_bytes {
    const uint8_t *ptr;
    size_t len;
} sioc_bytes;

/* Views from pointer + length. */
SIOC_API sioc_str sioc_str_n(const char *p, size_t len);
SIOC_API sioc_bytes sioc_bytes_n(const void *p, size_t len);
/* A view of a NUL-terminated string (NULL gives the empty view). */
SIOC_API sioc_str sioc_str_c(const char *s);
/* 1 when the two views hold the same bytes. */
SIOC_API int sioc_str_eq(sioc_str a, sioc_str b);

/* Bounded output buffer with a sticky error: writers append without checking each call; `len` counts every byte
   asked for, even those that did not fit, so after the last write `len` is the size that was needed and
   sioc_buf_result() tells whether it fit. Memory is the caller's. */
typedef struct sioc_buf {
    uint8_t *data;
    size_t cap;
    size_t len;
    sioc_result err; /* first error other than overflow (overflow is derived from len > cap) */
} sioc_buf;

SIOC_API void sioc_buf_init(sioc_buf *b, void *mem, size_t cap);
SIOC_API void sioc_buf_put(sioc_buf *b, const void *p, size_t n);
SIOC_API void sioc_buf_putc(sioc_buf *b, char c);
SIOC_API void sioc_buf_puts(sioc_buf *b, const char *s);        /* NUL-terminated, NUL not copied */
SIOC_API void sioc_buf_put_u64(sioc_buf *b, uint64_t v);       /* decimal */
SIOC_API void sioc_buf_put_i64(sioc_buf *b, int64_t v);        /* decimal */
SIOC_API void sioc_buf_fail(sioc_buf *b, sioc_result err);     /* record an error; the first one sticks */
/* Claim n bytes at the end and return them to be filled, or NULL when they do not fit (len still grows, so the
   overflow and the size needed stay visible). NULL b: returns NULL. */
SIOC_API void *sioc_buf_reserve(sioc_buf *b, size_t n);
/* SIOC_OK, the sticky error, or SIOC_ERR_BUFFER_TOO_SMALL (then b->len is the size needed). */
SIOC_API sioc_result sioc_buf_result(const sioc_buf *b);

/* Intrusive FIFO of finished requests waiting to be collected (the cloud clients' sioc_*_next). The link is a
   member of the queued struct; the queue never owns memory. Fields are private. */
typedef struct sioc_qlink {
    struct sioc_qlink *p_next;
} sioc_qlink;
typedef struct sioc_queue {
    sioc_qlink *p_head, *p_tail;
} sioc_queue;

/* Memory for stateful objects. `free` gets the size back so pools and arenas stay simple. No realloc. */
typedef struct sioc_allocator {
    void *(*alloc)(size_t n, void *user);
    void (*free)(void *p, size_t n, void *user);
    void *user;
} sioc_allocator;

typedef enum sioc_log_level { SIOC_LOG_ERROR = 0, SIOC_LOG_WARN = 1, SIOC_LOG_INFO = 2, SIOC_LOG_DEBUG = 3 } sioc_log_level;
/* Log sink: called with a NUL-terminated line (no newline). Never receives secrets. */
typedef struct sioc_logger {
    void (*fn)(void *user, sioc_log_level level, const char *line);
    void *user;
    sioc_log_level max_level; /* lines above this level are not formatted at all */
} sioc_logger;

/* Byte queue over caller memory: a contiguous window [head, tail) that is compacted when space runs out.
   Used for connection input/output; the reader peeks and consumes, the writer reserves and commits. */
typedef struct sioc_bq {
    uint8_t *buf;
    size_t cap;
    size_t head;
    size_t tail;
} sioc_bq;

SIOC_API void sioc_bq_init(sioc_bq *q, void *mem, size_t cap);
SIOC_API size_t sioc_bq_len(const sioc_bq *q);
SIOC_API const uint8_t *sioc_bq_peek(const sioc_bq *q, size_t *out_len);
SIOC_API void sioc_bq_consume(sioc_bq *q, size_t n);
/* Contiguous free space (compacting first when that helps); commit what was written. */
SIOC_API uint8_t *sioc_bq_reserve(sioc_bq *q, size_t *out_room);
SIOC_API void sioc_bq_commit(sioc_bq *q, size_t n);
/* Append n bytes; SIOC_ERR_BUFFER_TOO_SMALL (nothing written) when they do not fit. */
SIOC_API SIOC_NODISCARD sioc_result sioc_bq_write(sioc_bq *q, const void *p, size_t n);
