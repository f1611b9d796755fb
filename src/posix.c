/* ---- posix.c: non-blocking sockets + poll() as a sioc_http_transport ----
   Uses only the public HTTP API. OS headers stay inside this #if block. */
#include "base.h"
#include "internal.h"
#include "http.h"
#include "posix.h"

#if SIOC_ENABLE_POSIX

#if defined(__GLIBC__) && !defined(_GNU_SOURCE) && (!defined(_POSIX_C_SOURCE) || _POSIX_C_SOURCE < 200112L)
#error "SIOC_ENABLE_POSIX: define _POSIX_C_SOURCE 200809L before including anything (or build with -std=gnu99)"
#endif

#include <errno.h>
#include <fcntl.h>
#if SIOC_POSIX_GETADDRINFO
#include <netdb.h>
#endif
#include <netinet/in.h>
#include <netinet/tcp.h>
#include <arpa/inet.h>
#include <poll.h>
#include <sys/socket.h>
#include <sys/types.h>
#include <time.h>
#include <unistd.h>

#ifdef MSG_NOSIGNAL
#define SIOC__SEND_FLAGS MSG_NOSIGNAL /* EPIPE instead of a process-killing SIGPIPE */
#else
#define SIOC__SEND_FLAGS 0
#endif

SIOC_API sioc_http_client_desc sioc_posix_http_defaults(const sioc_http_client_desc *desc) {
    sioc_http_client_desc d = *desc;
    if (!d.random) d.random = sioc_posix_random;
    if (!d.utc_now) d.utc_now = sioc_posix_utc_now;
    return d;
}

SIOC_API uint64_t sioc_posix_now_ms(void) {
    struct timespec ts;
    if (clock_gettime(CLOCK_MONOTONIC, &ts) != 0) return 0;
    return (uint64_t)ts.tv_sec * 1000u + (uint64_t)ts.tv_nsec / 1000000u;
}

SIOC_API int64_t sioc_posix_utc_now(void *user) {
    (void)user;
    return (int64_t)time(NULL);
}

SIOC_API sioc_result sioc_posix_random(void *user, void *buf, size_t len) {
    uint8_t *p = (uint8_t *)buf;
    int fd;
    (void)user;
    fd = open("/dev/urandom", O_RDONLY | O_CLOEXEC);
    if (fd < 0) return SIOC_ERR_DEPENDENCY;
    while (len > 0) {
        ssize_t n = read(fd, p, len);
        if (n < 0 && errno == EINTR) continue;
        if (n <= 0) {
            close(fd);
            return SIOC_ERR_DEPENDENCY;
        }
        p += n;
        len -= (size_t)n;
    }
    close(fd);
    return SIOC_OK;
}

SIOC_API sioc_result sioc_posix_addr_parse(const char *text, sioc_posix_addr *out) {
    memset(out, 0, sizeof *out);
    if (!text) return SIOC_ERR_ARG;
    if (inet_pton(AF_INET, text, out->ip) == 1) {
        out->family = 4;
        return SIOC_OK;
    }
    if (inet_pton(AF_INET6, text, out->ip) == 1) {
        out->family = 6;
        return SIOC_OK;
    }
    return SIOC_ERR_ARG;
}

SIOC_API sioc_result sioc_posix_resolve(void *user, const char *host, uint16_t port, sioc_posix_addr *out) {
#if SIOC_POSIX_GETADDRINFO
    struct addrinfo hints, *res = NULL, *ai;
    sioc_result r = SIOC_ERR_CONNECT;
#endif
    (void)user, (void)port;
    if (sioc_posix_addr_parse(host, out) == SIOC_OK) return SIOC_OK; /* literal: no lookup */
#if !SIOC_POSIX_GETADDRINFO
    return SIOC_ERR_UNSUPPORTED;
#else
    memset(&hints, 0, sizeof hints);
    hints.ai_family = AF_UNSPEC;
    hints.ai_socktype = SOCK_STREAM;
    if (getaddrinfo(host, NULL, &hints, &res) != 0) return SIOC_ERR_CONNECT;
    for (ai = res; ai; ai = ai->ai_next) {
        if (ai->ai_family == AF_INET) {
            struct sockaddr_in sa;
            memcpy(&sa, ai->ai_addr, sizeof sa);
            out->family = 4;
            memcpy(out->ip, &sa.sin_addr, 4);
            r = SIOC_OK;
            break;
        }
        if (ai->ai_family == AF_INET6) {
            struct sockaddr_in6 sa;
            memcpy(&sa, ai->ai_addr, sizeof sa);
            out->family = 6;
            memcpy(out->ip, &sa.sin6_addr, 16);
            r = SIOC_OK;
            break;
        }
    }
    freeaddrinfo(res);
    return r;
#endif
}

/* A socket error in words for detail texts (the usual ones spelled out, strerror() for the rest). */
static const char *sioc__px_errno_text(int e) {
    switch (e) {
    case ECONNREFUSED: return "connection refused (nothing listens on that port?)";
    case ETIMEDOUT: return "timed out";
    case ENETUNREACH: return "network unreachable";
    case EHOSTUNREACH: return "host unreachable";
    case ECONNRESET: return "connection reset by peer";
    case EPIPE: return "broken pipe (the peer closed)";
    case EADDRNOTAVAIL: return "address not available";
    case EACCES:
    case EPERM: return "not permitted (firewall?)";
    default: return strerror(e);
    }
}

static void sioc__px_reason(sioc_posix *px, int conn, const char *what, int e) {
    char text[64];
    sioc_buf b;
    sioc__detail_start(&b, text, sizeof text);
    if (what) sioc_buf_puts(&b, what);
    sioc_buf_puts(&b, sioc__px_errno_text(e));
    sioc__detail_end(&b);
    sioc_http_conn_reason(px->client, conn, text);
}

static void sioc__px_close_fd(sioc_posix *px, int conn) {
    if (px->fd[conn] >= 0) close(px->fd[conn]);
    px->fd[conn] = -1;
}

/* First call: resolve, create the socket, start connecting. Later calls: has the connect finished? */
static sioc_result sioc__px_connect(void *user, int conn, const char *host, uint16_t port) {
    sioc_posix *px = (sioc_posix *)user;
    int fd = px->fd[conn], one = 1, err = 0;
    socklen_t len = sizeof err;
    struct pollfd pfd;
    if (fd < 0) {
        sioc_posix_addr a;
        struct sockaddr_storage ss;
        socklen_t sl;
        sioc_result r = px->resolve(px->resolve_user, host, port, &a);
        if (r != SIOC_OK) {
            sioc_http_conn_reason(px->client, conn,
                                  r == SIOC_ERR_UNSUPPORTED ? "not a numeric address (built with SIOC_POSIX_GETADDRINFO 0)"
                                                            : "name not resolved (DNS)");
            return SIOC_ERR_CONNECT;
        }
        memset(&ss, 0, sizeof ss);
        if (a.family == 6) {
            struct sockaddr_in6 sa;
            memset(&sa, 0, sizeof sa);
            sa.sin6_family = AF_INET6;
            sa.sin6_port = htons(port);
            memcpy(&sa.sin6_addr, a.ip, 16);
            memcpy(&ss, &sa, sizeof sa);
            sl = (socklen_t)sizeof sa;
        } else {
            struct sockaddr_in sa;
            memset(&sa, 0, sizeof sa);
            sa.sin_family = AF_INET;
            sa.sin_port = htons(port);
            memcpy(&sa.sin_addr, a.ip, 4);
            memcpy(&ss, &sa, sizeof sa);
            sl = (socklen_t)sizeof sa;
        }
        fd = socket(a.family == 6 ? AF_INET6 : AF_INET, SOCK_STREAM, 0);
        if (fd < 0) {
            sioc__px_reason(px, conn, "socket(): ", errno);
            return SIOC_ERR_CONNECT;
        }
        if (fcntl(fd, F_SETFL, fcntl(fd, F_GETFL, 0) | O_NONBLOCK) != 0 || fcntl(fd, F_SETFD, FD_CLOEXEC) != 0) {
            sioc__px_reason(px, conn, "fcntl(): ", errno);
            close(fd);
            return SIOC_ERR_CONNECT;
        }
        /* Head and body go out in separate writes: without this, Nagle + delayed ACK add ~40 ms per request. */
        (void)setsockopt(fd, IPPROTO_TCP, TCP_NODELAY, &one, sizeof one);
#ifdef SO_NOSIGPIPE
        (void)setsockopt(fd, SOL_SOCKET, SO_NOSIGPIPE, &one, sizeof one);
#endif
        px->fd[conn] = fd;
        if (connect(fd, (struct sockaddr *)&ss, sl) == 0) return SIOC_OK;
        if (errno != EINPROGRESS && errno != EINTR) {
            sioc__px_reason(px, conn, NULL, errno);
            sioc__px_close_fd(px, conn);
            return SIOC_ERR_CONNECT;
        }
        return SIOC_AGAIN;
    }
    pfd.fd = fd;
    pfd.events = POLLOUT;
    pfd.revents = 0;
    if (poll(&pfd, 1, 0) <= 0) return SIOC_AGAIN;
    if (getsockopt(fd, SOL_SOCKET, SO_ERROR, &err, &len) != 0) err = errno;
    if (err != 0) {
        sioc__px_reason(px, conn, NULL, err);
        return SIOC_ERR_CONNECT;
    }
    return SIOC_OK;
}

static long sioc__px_send(void *user, int conn, const uint8_t *data, size_t len) {
    sioc_posix *px = (sioc_posix *)user;
    ssize_t n;
    if (px->fd[conn] < 0) return SIOC_ERR_CLOSED;
    n = send(px->fd[conn], data, len, SIOC__SEND_FLAGS);
    if (n >= 0) return (long)n;
    if (errno == EAGAIN || errno == EWOULDBLOCK || errno == EINTR) return 0;
    sioc__px_reason(px, conn, "send: ", errno);
    return SIOC_ERR_CONNECT; /* EPIPE, ECONNRESET: broken */
}

static long sioc__px_recv(void *user, int conn, uint8_t *buf, size_t cap) {
    sioc_posix *px = (sioc_posix *)user;
    ssize_t n;
    if (px->fd[conn] < 0) return SIOC_ERR_CLOSED;
    n = recv(px->fd[conn], buf, cap, 0);
    if (n > 0) return (long)n;
    if (n == 0) return SIOC_ERR_CLOSED; /* orderly EOF */
    if (errno == EAGAIN || errno == EWOULDBLOCK || errno == EINTR) return 0;
    sioc__px_reason(px, conn, "recv: ", errno);
    return SIOC_ERR_CONNECT; /* ECONNRESET and friends */
}

static void sioc__px_close(void *user, int conn) { sioc__px_close_fd((sioc_posix *)user, conn); }

SIOC_API sioc_result sioc_posix_init(sioc_posix *px, sioc_http_client *client, sioc_posix_resolve_fn resolve,
                                     void *resolve_user) {
    int i;
    memset(px, 0, sizeof *px);
    for (i = 0; i < SIOC_POSIX_MAX_CONNS; i++) px->fd[i] = -1;
    if (!client) return SIOC_ERR_ARG;
    if (sioc_http_conn_count(client) > SIOC_POSIX_MAX_CONNS) return SIOC_ERR_LIMIT;
    px->client = client;
    px->resolve = resolve ? resolve : sioc_posix_resolve;
    px->resolve_user = resolve_user;
    px->transport.connect = sioc__px_connect;
    px->transport.send = sioc__px_send;
    px->transport.recv = sioc__px_recv;
    px->transport.close = sioc__px_close;
    px->transport.user = px;
    return SIOC_OK;
}

SIOC_API void sioc_posix_free(sioc_posix *px) {
    int i;
    for (i = 0; i < SIOC_POSIX_MAX_CONNS; i++) sioc__px_close_fd(px, i);
}

/* One step's knowledge of which sockets hold input: the engine reads every connection in every round, so without
   it a step costs a recv() that fails with EAGAIN per idle connection and round. One poll() with no wait tells
   which sockets are worth a recv(); one drained (EAGAIN) is not read again in the same step. */
typedef struct sioc__px_step {
    sioc_posix *px;
    unsigned char ready[SIOC_POSIX_MAX_CONNS];
} sioc__px_step;

static sioc_result sioc__px_step_connect(void *user, int conn, const char *host, uint16_t port) {
    sioc__px_step *s = (sioc__px_step *)user;
    s->ready[conn] = 0; /* a fresh socket has nothing to read in this step */
    return sioc__px_connect(s->px, conn, host, port);
}

static long sioc__px_step_send(void *user, int conn, const uint8_t *data, size_t len) {
    return sioc__px_send(((sioc__px_step *)user)->px, conn, data, len);
}

static long sioc__px_step_recv(void *user, int conn, uint8_t *buf, size_t cap) {
    sioc__px_step *s = (sioc__px_step *)user;
    long n;
    if (!s->ready[conn]) return 0; /* nothing came since poll() looked: no syscall */
    n = sioc__px_recv(s->px, conn, buf, cap);
    if (n == 0) s->ready[conn] = 0;
    return n;
}

static void sioc__px_step_close(void *user, int conn) {
    sioc__px_step *s = (sioc__px_step *)user;
    s->ready[conn] = 0;
    sioc__px_close_fd(s->px, conn);
}

/* Which connections to read in this step: all that want input when one poll() would cost more than it saves. */
static void sioc__px_readable(sioc_posix *px, unsigned char *ready) {
    struct pollfd pfd[SIOC_POSIX_MAX_CONNS];
    int conn[SIOC_POSIX_MAX_CONNS], i, n = sioc_http_conn_count(px->client), k = 0;
    for (i = 0; i < n; i++) {
        /* a socket not wanting input now (TLS buffer full) is read if it comes to want it during the step */
        ready[i] = px->fd[i] >= 0;
        if (px->fd[i] < 0 || !(sioc_http_conn_wants(px->client, i) & SIOC_HTTP_WANT_READ)) continue;
        pfd[k].fd = px->fd[i];
        pfd[k].events = POLLIN;
        pfd[k].revents = 0;
        conn[k++] = i;
    }
    if (k == 1) ready[conn[0]] = 1; /* one recv() is no dearer than the poll() */
    if (k < 2) return;
    if (poll(pfd, (nfds_t)k, 0) < 0) { /* EINTR and friends: read them all, as without the poll */
        for (i = 0; i < k; i++) ready[conn[i]] = 1;
        return;
    }
    for (i = 0; i < k; i++) ready[conn[i]] = pfd[i].revents != 0; /* input, end or error */
}

SIOC_API sioc_result sioc_posix_step(sioc_posix *px, uint64_t now_ms) {
    sioc__px_step s;
    sioc_http_transport t;
    if (!px->client) return SIOC_ERR_STATE;
    s.px = px;
    sioc__px_readable(px, s.ready);
    t.connect = sioc__px_step_connect;
    t.send = sioc__px_step_send;
    t.recv = sioc__px_step_recv;
    t.close = sioc__px_step_close;
    t.user = &s;
    return sioc_http_drive(px->client, &t, now_ms);
}

SIOC_API size_t sioc_posix_fds(const sioc_posix *px, sioc_posix_fd *out, size_t cap) {
    int i, n = sioc_http_conn_count(px->client);
    size_t k = 0;
    for (i = 0; i < n && k < cap; i++) {
        unsigned w;
        if (px->fd[i] < 0) continue;
        w = sioc_http_conn_wants(px->client, i);
        if (!w) continue;
        out[k].fd = px->fd[i];
        out[k].wants = w;
        k++;
    }
    return k;
}

SIOC_API sioc_result sioc_posix_wait(sioc_posix *px, uint64_t now_ms, uint32_t max_wait_ms) {
    struct pollfd pfd[SIOC_POSIX_MAX_CONNS];
    sioc_posix_fd fds[SIOC_POSIX_MAX_CONNS];
    size_t n = sioc_posix_fds(px, fds, SIOC_POSIX_MAX_CONNS), i;
    uint64_t deadline = sioc_http_next_deadline(px->client), wait = max_wait_ms;
    if (deadline != UINT64_MAX) wait = deadline <= now_ms ? 0 : SIOC__MIN(wait, deadline - now_ms);
    if (sioc_http_responses_ready(px->client)) wait = 0; /* the app has work: do not sleep on quiet sockets */
    for (i = 0; i < n; i++) {
        pfd[i].fd = fds[i].fd;
        pfd[i].events = 0;
        pfd[i].revents = 0;
        if (fds[i].wants & SIOC_HTTP_WANT_READ) pfd[i].events |= POLLIN;
        if (fds[i].wants & (SIOC_HTTP_WANT_WRITE | SIOC_HTTP_WANT_CONNECT)) pfd[i].events |= POLLOUT;
    }
    if (poll(pfd, (nfds_t)n, (int)wait) < 0 && errno != EINTR) return SIOC_ERR_DEPENDENCY;
    return SIOC_OK;
}

SIOC_API sioc_result sioc_posix_run(sioc_posix *px, uint32_t max_wait_ms) {
    sioc_result r = sioc_posix_step(px, sioc_posix_now_ms());
    if (r != SIOC_OK) return r;
    r = sioc_posix_wait(px, sioc_posix_now_ms(), max_wait_ms);
    if (r != SIOC_OK) return r;
    return sioc_posix_step(px, sioc_posix_now_ms());
}

#endif /* SIOC_ENABLE_POSIX */
