/* bench_http: client CPU per HTTP request and per TLS handshake on loopback, and heap allocations per
   steady-state request, through the public API and the POSIX backend against the Node test server
   (tests/http_server/server.js; the bench skips with a message when node is absent).
     keep-alive GET     : GET /hello (11-byte body) again and again on one open connection
     handshake          : GET /bye, which the server answers with Connection: close, so every request pays a new
                          TCP connection + TLS handshake (ECDHE-ECDSA P-256, TLS 1.2)
   CPU is this process's CPU time (CLOCK_PROCESS_CPUTIME_ID), so the server's work is not counted. Allocations
   are counted twice: through the client's allocator hook, and process-wide by wrapping malloc/calloc/realloc
   (glibc), which also sees what mbedTLS allocates by itself.
   Build (one binary per TLS backend; run from the repository root):
     gcc -std=c99 -O2 -I. bench/bench_http.c -o build/bench/bench_http
     gcc -std=c99 -O2 -I. -DSIOC_TLS=SIOC_TLS_MBEDTLS bench/bench_http.c -o build/bench/bench_http_mbedtls \
         -lmbedtls -lmbedx509 -lmbedcrypto
     gcc -std=c99 -O2 -I. -DSIOC_TLS=SIOC_TLS_BEARSSL bench/bench_http.c -o build/bench/bench_http_bearssl -lbearssl
   Usage: build/bench/bench_http [seconds per row = 1]   (make bench passes 1) */
#define _GNU_SOURCE /* __libc_malloc and friends, for the process-wide count */
#define SIOC_ENABLE_POSIX 1
#define SIOC_POSIX_GETADDRINFO 0
#define SIO_CLUSTER_IMPLEMENTATION
#include "sio_cluster.h"
#include "tests/http_server/node_server.h"
#include <stdio.h>
#include <stdlib.h>
#include <time.h>

/* ---- process-wide allocation counter (glibc): every malloc in this process, libraries included ---- */
#if defined(__GLIBC__)
extern void *__libc_malloc(size_t);
extern void *__libc_calloc(size_t, size_t);
extern void *__libc_realloc(void *, size_t);
extern void __libc_free(void *);
static volatile long g_libc_allocs;
void *malloc(size_t n) {
    g_libc_allocs++;
    return __libc_malloc(n);
}
void *calloc(size_t a, size_t b) {
    g_libc_allocs++;
    return __libc_calloc(a, b);
}
void *realloc(void *p, size_t n) {
    g_libc_allocs++;
    return __libc_realloc(p, n);
}
void free(void *p) { __libc_free(p); }
#define PROCESS_ALLOCS() g_libc_allocs
#else
#define PROCESS_ALLOCS() 0L
#endif

/* ---- the client's allocator hook ---- */
static long g_hook_allocs;
static void *hook_alloc(size_t n, void *user) {
    (void)user;
    g_hook_allocs++;
    return malloc(n);
}
static void hook_free(void *p, size_t n, void *user) {
    (void)n, (void)user;
    free(p);
}

static double cpu_s(void) {
    struct timespec ts;
    clock_gettime(CLOCK_PROCESS_CPUTIME_ID, &ts);
    return (double)ts.tv_sec + (double)ts.tv_nsec * 1e-9;
}
static double wall_s(void) {
    struct timespec ts;
    clock_gettime(CLOCK_MONOTONIC, &ts);
    return (double)ts.tv_sec + (double)ts.tv_nsec * 1e-9;
}

static sioc_result resolve_loopback(void *user, const char *host, uint16_t port, sioc_posix_addr *out) {
    (void)user, (void)host, (void)port;
    return sioc_posix_addr_parse("127.0.0.1", out);
}

static char g_ca_pem[8192];
static size_t g_ca_len;

typedef struct bench_env {
    sioc_http_client c;
    sioc_posix px;
    int ep;
} bench_env;

static int env_init(bench_env *e, int port, int tls) {
    sioc_http_client_desc d;
    memset(&d, 0, sizeof d);
    d.allocator.alloc = hook_alloc;
    d.allocator.free = hook_free;
    d.max_endpoints = 1;
    d.conns_per_endpoint = 1;
    d.random = sioc_posix_random;
    d.utc_now = sioc_posix_utc_now;
    if (tls) {
        d.ca_pem = g_ca_pem;
        d.ca_pem_len = g_ca_len;
    }
    if (sioc_http_client_init(&e->c, &d) != SIOC_OK) return -1;
    if (sioc_posix_init(&e->px, &e->c, resolve_loopback, NULL) != SIOC_OK) return -1;
    if (sioc_http_endpoint(&e->c, "localhost", (uint16_t)port, tls, &e->ep) != SIOC_OK) return -1;
    return 0;
}

static void env_free(bench_env *e) {
    sioc_posix_free(&e->px);
    sioc_http_client_free(&e->c);
}

/* One request, driven to completion with the simplest loop (sioc_posix_run). */
static int one(bench_env *e, const char *target) {
    static char body[256];
    sioc_http_request req;
    sioc_http_response resp;
    memset(&req, 0, sizeof req);
    req.method = "GET";
    req.target = target;
    req.body_out = body;
    req.body_out_cap = sizeof body;
    req.idempotent = 1;
    if (sioc_http_submit(&e->c, e->ep, &req, sioc_posix_now_ms(), NULL) != SIOC_OK) return -1;
    for (;;) {
        if (sioc_http_next_response(&e->c, &resp) == SIOC_OK)
            return resp.result == SIOC_OK && resp.status == 200 ? 0 : -1;
        if (sioc_posix_run(&e->px, 1000) != SIOC_OK) return -1;
    }
}

static void bench_keep_alive(const char *label, int port, int tls, double secs) {
    bench_env e;
    int i;
    double c0, w0, c1, w1;
    long h0, p0, h1, p1;
    if (env_init(&e, port, tls) != 0) {
        printf("%-34s: setup failed\n", label);
        return;
    }
    for (i = 0; i < 200; i++) /* warm-up: connection open, handshake, caches */
        if (one(&e, "/hello") != 0) {
            printf("%-34s: request failed\n", label);
            env_free(&e);
            return;
        }
    h0 = g_hook_allocs;
    p0 = PROCESS_ALLOCS();
    c0 = cpu_s();
    w0 = wall_s();
    for (i = 0; wall_s() - w0 < secs; i++)
        if (one(&e, "/hello") != 0) break;
    c1 = cpu_s();
    w1 = wall_s();
    h1 = g_hook_allocs;
    p1 = PROCESS_ALLOCS();
    printf("%-34s: %7.1f us CPU/request  (wall %6.1f us)  allocs/request: hook %.3f, process %.3f  [%d req, %llu conn]\n",
           label, (c1 - c0) * 1e6 / i, (w1 - w0) * 1e6 / i, (double)(h1 - h0) / i, (double)(p1 - p0) / i, i,
           (unsigned long long)e.c.stats.conns_opened);
    env_free(&e);
}

static double bench_new_conns(const char *label, int port, int tls, double secs) {
    bench_env e;
    int i;
    double c0, w0, c1, w1, per;
    long h0, p0;
    if (env_init(&e, port, tls) != 0) {
        printf("%-34s: setup failed\n", label);
        return 0;
    }
    for (i = 0; i < 5; i++) (void)one(&e, "/bye");
    h0 = g_hook_allocs;
    p0 = PROCESS_ALLOCS();
    c0 = cpu_s();
    w0 = wall_s();
    for (i = 0; wall_s() - w0 < secs; i++)
        if (one(&e, "/bye") != 0) break;
    c1 = cpu_s();
    w1 = wall_s();
    per = (c1 - c0) * 1e6 / i;
    printf("%-34s: %7.1f us CPU/connection (wall %6.1f us)  allocs/connection: hook %.2f, process %.2f  [%d conn]\n",
           label, per, (w1 - w0) * 1e6 / i, (double)(g_hook_allocs - h0) / i, (double)(PROCESS_ALLOCS() - p0) / i, i);
    env_free(&e);
    return per;
}

int main(int argc, char **argv) {
    node_server plain, tls;
    double secs = argc > 1 ? atof(argv[1]) : 1.0;
    if (!node_available()) {
        printf("bench_http: SKIP (`node` not on PATH; the bench needs the Node test server)\n");
        return 0;
    }
    printf("bench_http: TLS backend %s; client CPU only (the Node server runs in its own process)\n",
           sioc_tls_backend());
    if (node_server_start(&plain, NULL, NULL) != 0) return 1;
    bench_keep_alive("http  keep-alive GET", node_server_int(&plain, "plain"), 0, secs);
    bench_new_conns("http  new connection per GET", node_server_int(&plain, "plain"), 0, secs);
    node_server_stop(&plain);
#if SIOC_TLS != SIOC_TLS_NONE
    if (node_server_start(&tls, "--tls", "build/tls-certs") != 0) return 1;
    {
        char path[1024];
        FILE *f;
        node_server_str(&tls, "ca", path, sizeof path);
        f = fopen(path, "rb");
        if (!f) return 1;
        g_ca_len = fread(g_ca_pem, 1, sizeof g_ca_pem - 1, f);
        fclose(f);
    }
    {
        const char *be = SIOC_TLS == SIOC_TLS_MBEDTLS ? "mbedtls" : "bearssl";
        char label[64], label2[64];
        snprintf(label, sizeof label, "https keep-alive GET (%s)", be);
        snprintf(label2, sizeof label2, "https new conn+handshake (%s)", be);
        bench_keep_alive(label, node_server_int(&tls, "good"), 1, secs);
        (void)bench_new_conns(label2, node_server_int(&tls, "good"), 1, secs);
    }
    node_server_stop(&tls);
#else
    (void)tls;
#endif
    return 0;
}
