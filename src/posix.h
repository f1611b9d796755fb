/* ---- posix: the built-in socket backend (SIOC_ENABLE_POSIX) ----
   Non-blocking TCP sockets and poll() under the HTTP engine, written against the public API only (it is a
   sioc_http_transport), so it doubles as the reference integration. Three ways to use it:
     - simplest: call sioc_posix_run() in a loop; it waits in poll() until a socket is ready or a timer is due.
     - own loop (epoll, libuv, ...): put the descriptors from sioc_posix_fds() in it, call sioc_posix_step()
       when one is ready or when sioc_http_next_deadline() passes.
     - own sockets entirely: skip this file and implement sioc_http_transport (or the raw conn_* calls).
   DNS: the default resolver is getaddrinfo(), which BLOCKS the calling thread for as long as DNS takes. Programs
   that must never block pass their own resolver (a cache, a fixed address, an async lookup done beforehand).
   In a strict C99 build on glibc, define _POSIX_C_SOURCE 200809L before including this header. */
#pragma once
#include "base.h"
#include "http.h"

#if SIOC_ENABLE_POSIX

#ifndef SIOC_POSIX_GETADDRINFO
#define SIOC_POSIX_GETADDRINFO 1 /* 0: sioc_posix_resolve() takes numeric addresses only (static builds) */
#endif
#ifndef SIOC_POSIX_MAX_CONNS
#define SIOC_POSIX_MAX_CONNS 64 /* connection slots the backend can hold (the client's conn count must fit) */
#endif

/* An IP address for one connection. */
typedef struct sioc_posix_addr {
    int family;     /* 4 or 6 */
    uint8_t ip[16]; /* network order; IPv4 uses the first 4 bytes */
} sioc_posix_addr;

/* Turn a host name into an address. Returns SIOC_OK or SIOC_ERR_CONNECT (unknown host). Called from the
   connect step, so it must not block if the program must not block. */
typedef sioc_result (*sioc_posix_resolve_fn)(void *user, const char *host, uint16_t port, sioc_posix_addr *out);

typedef struct sioc_posix {
    sioc_http_client *client;
    sioc_posix_resolve_fn resolve;
    void *resolve_user;
    sioc_http_transport transport; /* this backend as a transport (user = this struct) */
    int fd[SIOC_POSIX_MAX_CONNS];  /* -1 when closed */
} sioc_posix;

/* Attach to a client (which must outlive it). `resolve` NULL: sioc_posix_resolve (getaddrinfo, blocking).
   SIOC_ERR_LIMIT when the client has more connection slots than SIOC_POSIX_MAX_CONNS. */
SIOC_API SIOC_NODISCARD sioc_result sioc_posix_init(sioc_posix *px, sioc_http_client *client,
                                                    sioc_posix_resolve_fn resolve, void *resolve_user);
/* Close every socket still open. */
SIOC_API void sioc_posix_free(sioc_posix *px);
/* One non-blocking pass (sioc_http_drive over these sockets): connects, sends, receives, timers. */
SIOC_API sioc_result sioc_posix_step(sioc_posix *px, uint64_t now_ms);

/* A descriptor and what to wait for: SIOC_HTTP_WANT_READ -> readable, WANT_WRITE / WANT_CONNECT -> writable. */
typedef struct sioc_posix_fd {
    int fd;
    unsigned wants;
} sioc_posix_fd;
/* The open sockets (up to cap); returns how many were written. */
SIOC_API size_t sioc_posix_fds(const sioc_posix *px, sioc_posix_fd *out, size_t cap);
/* Block in poll() until a socket is ready, the client's next deadline, or max_wait_ms (whichever is first);
   returns at once while finished responses wait for sioc_http_next_response(). */
SIOC_API sioc_result sioc_posix_wait(sioc_posix *px, uint64_t now_ms, uint32_t max_wait_ms);
/* step, wait up to max_wait_ms, step again; with the monotonic clock below. */
SIOC_API sioc_result sioc_posix_run(sioc_posix *px, uint32_t max_wait_ms);

/* An engine desc with what a TLS build needs and the caller left empty: random from /dev/urandom and utc_now from
   time(), so https works without configuration (the AWS and Azure clients apply it for you). */
SIOC_API sioc_http_client_desc sioc_posix_http_defaults(const sioc_http_client_desc *desc);

/* Clocks and randomness for descs: CLOCK_MONOTONIC in ms, time() in s, and /dev/urandom. */
SIOC_API uint64_t sioc_posix_now_ms(void);
SIOC_API int64_t sioc_posix_utc_now(void *user);
SIOC_API sioc_result sioc_posix_random(void *user, void *buf, size_t len);
/* getaddrinfo(): the first address found. BLOCKS during DNS. Numeric addresses need no lookup; with
   SIOC_POSIX_GETADDRINFO 0 they are all it accepts (SIOC_ERR_UNSUPPORTED for names). */
SIOC_API sioc_result sioc_posix_resolve(void *user, const char *host, uint16_t port, sioc_posix_addr *out);
/* Numeric "127.0.0.1" or "::1" into an address (no DNS); SIOC_ERR_ARG when it is not one. */
SIOC_API SIOC_NODISCARD sioc_result sioc_posix_addr_parse(const char *text, sioc_posix_addr *out);

#endif /* SIOC_ENABLE_POSIX */
