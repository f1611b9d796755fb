/* TLS through the compiled-in backend (-DSIOC_TLS=SIOC_TLS_MBEDTLS or SIOC_TLS_BEARSSL) against the Node test server
   with certificates made by the openssl CLI at test time: the good chain passes (positive control in the same run);
   unknown CA, wrong host name, expired leaf, a bundle without the test CA, an empty host name, an implausible clock
   and a plain-text server on the TLS port each fail with their own documented error. Built without a backend
   (the default SIOC_TLS_NONE) it checks that https is refused unless the app declares TLS offload. */
#define _POSIX_C_SOURCE 200809L
#define SIOC_ENABLE_POSIX 1
#define SIOC_POSIX_GETADDRINFO 0
#define SIO_CLUSTER_IMPLEMENTATION
#include "sio_cluster.h"
#include "harness.h"
#include "http_server/node_server.h"

static void test_none_refuses_https(void) {
    sioc_http_client c;
    sioc_http_client_desc d;
    int ep;
    memset(&d, 0, sizeof d);
    CHECK_EQ_INT(sioc_http_client_init(&c, &d), SIOC_OK);
    CHECK(strcmp(sioc_tls_backend(), SIOC_TLS == SIOC_TLS_NONE ? "none" : sioc_tls_backend()) == 0);
    CHECK_EQ_INT(sioc_http_endpoint(&c, "", 443, 1, &ep), SIOC_ERR_TLS_NO_HOSTNAME);
    CHECK_EQ_INT(sioc_http_endpoint(&c, NULL, 443, 1, &ep), SIOC_ERR_TLS_NO_HOSTNAME);
#if SIOC_TLS == SIOC_TLS_NONE
    /* a missing dependency, and the detail says how to build with one */
    CHECK_EQ_INT(sioc_http_endpoint(&c, "sqs.eu-west-1.amazonaws.com", 443, 1, &ep), SIOC_ERR_DEPENDENCY);
    CHECKF(strcmp(c.detail, "https://sqs.eu-west-1.amazonaws.com:443 needs a TLS build: -DSIOC_TLS=SIOC_TLS_MBEDTLS "
                            "or SIOC_TLS_BEARSSL") == 0, "%s", c.detail);
    sioc_http_client_free(&c);
    d.tls_offload = 1; /* the app (a modem, an offload engine) does TLS: bytes pass through, OPEN says tls */
    CHECK_EQ_INT(sioc_http_client_init(&c, &d), SIOC_OK);
    CHECK_EQ_INT(sioc_http_endpoint(&c, "sqs.eu-west-1.amazonaws.com", 443, 1, &ep), SIOC_OK);
    CHECK_EQ_INT(sioc_http_endpoint(&c, "", 443, 1, &ep), SIOC_ERR_TLS_NO_HOSTNAME);
    {
        sioc_http_request req;
        sioc_http_io_event ev;
        const uint8_t *p;
        size_t n;
        const char *want = "GET / HTTP/1.1\r\nHost: sqs.eu-west-1.amazonaws.com\r\n\r\n";
        memset(&req, 0, sizeof req);
        req.method = "GET";
        req.target = "/";
        CHECK_EQ_INT(sioc_http_endpoint(&c, "sqs.eu-west-1.amazonaws.com", 443, 1, &ep), SIOC_OK);
        CHECK_EQ_INT(sioc_http_submit(&c, ep, &req, 0, NULL), SIOC_OK);
        CHECK_EQ_INT(sioc_http_next_io(&c, &ev), SIOC_OK);
        CHECK_EQ_INT(ev.tls, 1);
        CHECK_EQ_INT(ev.port, 443);
        sioc_http_conn_opened(&c, ev.conn, 0);
        sioc_http_conn_pending(&c, ev.conn, &p, &n);
        CHECK_MEM(p, n, want, strlen(want));
    }
#else
    /* a POSIX TLS build needs no configuration: /dev/urandom and time() (sioc_posix_http_defaults, which the AWS
       and Azure clients apply themselves) and the system store by default */
    sioc_http_client_free(&c);
    d = sioc_posix_http_defaults(&d);
    CHECK_EQ_INT(sioc_http_client_init(&c, &d), SIOC_OK);
    {
        FILE *f = fopen("/etc/ssl/certs/ca-certificates.crt", "rb");
        if (f) fclose(f);
        if (f || getenv("SSL_CERT_FILE")) CHECK_EQ_INT(sioc_http_endpoint(&c, "localhost", 443, 1, &ep), SIOC_OK);
        else CHECK_EQ_INT(sioc_http_endpoint(&c, "localhost", 443, 1, &ep), SIOC_ERR_DEPENDENCY);
    }
#endif
    sioc_http_client_free(&c);
}

#if SIOC_TLS != SIOC_TLS_NONE

static sioc_result resolve_loopback(void *user, const char *host, uint16_t port, sioc_posix_addr *out) {
    (void)user, (void)host, (void)port;
    return sioc_posix_addr_parse("127.0.0.1", out);
}

static node_server g_srv;

/* A file named relative to the current directory (where the server wrote it), NUL-terminated. */
static char *read_file(const char *path, size_t *out_len) {
    FILE *f = fopen(path, "rb");
    char *buf;
    long n;
    if (!f) return NULL;
    fseek(f, 0, SEEK_END);
    n = ftell(f);
    fseek(f, 0, SEEK_SET);
    buf = (char *)malloc((size_t)n + 1);
    if (buf && fread(buf, 1, (size_t)n, f) != (size_t)n) {
        free(buf);
        buf = NULL;
    }
    fclose(f);
    if (buf) buf[n] = 0;
    if (out_len) *out_len = (size_t)n;
    return buf;
}
static char g_ca_path[1024], g_ca2_path[1024];
static char *g_ca_pem;
static size_t g_ca_len;
static int64_t g_fake_utc; /* 0: the real clock */

static int64_t test_utc(void *user) {
    (void)user;
    return g_fake_utc ? g_fake_utc : sioc_posix_utc_now(NULL);
}

typedef struct tls_env {
    sioc_http_client c;
    sioc_posix px;
} tls_env;

static sioc_result env_init(tls_env *e, const char *ca_pem, size_t ca_len, const char *ca_file) {
    sioc_http_client_desc d;
    sioc_result r;
    memset(&d, 0, sizeof d);
    d.ca_pem = ca_pem;
    d.ca_pem_len = ca_len;
    d.ca_file = ca_file;
    d.random = sioc_posix_random;
    d.utc_now = test_utc;
    d.max_endpoints = 8;
    d.conns_per_endpoint = 1;
    d.connect_timeout_ms = 5000;
    r = sioc_http_client_init(&e->c, &d);
    if (r != SIOC_OK) return r;
    r = sioc_posix_init(&e->px, &e->c, resolve_loopback, NULL);
    CHECK_EQ_INT(r, SIOC_OK);
    return r;
}

static void env_free(tls_env *e) {
    sioc_posix_free(&e->px);
    sioc_http_client_free(&e->c);
}

static char g_body[1 << 20];
static char g_detail[SIOC_DETAIL_SIZE]; /* detail of the last get() */

/* One request to https://host:<server port `which`>/target; returns the result, *status gets the HTTP status. */
static sioc_result get(tls_env *e, const char *host, const char *which, const char *target, int *status,
                       size_t *body_len) {
    sioc_http_request req;
    sioc_http_response resp;
    int ep, port = node_server_int(&g_srv, which);
    uint64_t t0 = sioc_posix_now_ms();
    sioc_result r = sioc_http_endpoint(&e->c, host, (uint16_t)port, 1, &ep);
    *status = 0;
    g_detail[0] = 0;
    if (body_len) *body_len = 0;
    if (r != SIOC_OK) return r;
    memset(&req, 0, sizeof req);
    req.method = "GET";
    req.target = target;
    req.body_out = g_body;
    req.body_out_cap = sizeof g_body;
    req.timeout_ms = 8000;
    r = sioc_http_submit(&e->c, ep, &req, t0, NULL);
    if (r != SIOC_OK) return r;
    while (sioc_posix_now_ms() - t0 < 10000) {
        if (sioc_http_next_response(&e->c, &resp) == SIOC_OK) {
            *status = resp.status;
            if (body_len) *body_len = resp.body_len;
            memcpy(g_detail, resp.detail, sizeof g_detail);
            return resp.result;
        }
        if (sioc_posix_run(&e->px, 50) != SIOC_OK) return SIOC_ERR_STATE;
    }
    return SIOC_ERR_TIMEOUT;
}

static void test_good_chain(void) {
    tls_env e;
    int status;
    size_t n, i;
    int ok = 1;
    if (env_init(&e, g_ca_pem, g_ca_len, NULL) != SIOC_OK) {
        CHECK(0);
        return;
    }
    CHECK_EQ_INT(get(&e, "localhost", "good", "/hello", &status, &n), SIOC_OK);
    CHECK_EQ_INT(status, 200);
    CHECK_MEM(g_body, n, "hello world", 11);
    /* keep-alive over TLS: same connection */
    CHECK_EQ_INT(get(&e, "localhost", "good", "/chunked", &status, &n), SIOC_OK);
    CHECK_EQ_INT(n, 42 + 256);
    /* many full 16 KB records */
    CHECK_EQ_INT(get(&e, "localhost", "good", "/big?n=1000000", &status, &n), SIOC_OK);
    CHECK_EQ_INT(n, 1000000);
    for (i = 0; i < n && ok; i++) ok = (uint8_t)g_body[i] == (uint8_t)(i % 251);
    CHECK(ok);
    CHECK_EQ_INT(e.c.stats.conns_opened, 1);
    env_free(&e);
    /* the CA from a file, and a 300 KB upload */
    if (env_init(&e, NULL, 0, g_ca_path) != SIOC_OK) {
        CHECK(0);
        return;
    }
    {
        static uint8_t up[300000];
        sioc_http_request req;
        sioc_http_response resp;
        int ep;
        uint64_t t0 = sioc_posix_now_ms();
        int got = 0;
        for (i = 0; i < sizeof up; i++) up[i] = (uint8_t)(i * 13 + 1);
        CHECK_EQ_INT(sioc_http_endpoint(&e.c, "localhost", (uint16_t)node_server_int(&g_srv, "good"), 1, &ep), SIOC_OK);
        memset(&req, 0, sizeof req);
        req.method = "POST";
        req.target = "/echo";
        req.body = up;
        req.body_len = sizeof up;
        req.body_out = g_body;
        req.body_out_cap = sizeof g_body;
        CHECK_EQ_INT(sioc_http_submit(&e.c, ep, &req, t0, NULL), SIOC_OK);
        while (!got && sioc_posix_now_ms() - t0 < 10000) {
            if (sioc_posix_run(&e.px, 50) != SIOC_OK) break;
            if (sioc_http_next_response(&e.c, &resp) == SIOC_OK) {
                got = 1;
                CHECK_EQ_INT(resp.result, SIOC_OK);
                CHECK_EQ_INT(resp.status, 200);
                CHECK_MEM(resp.body, resp.body_len, up, sizeof up);
            }
        }
        CHECK(got);
    }
    env_free(&e);
}

static void test_bad_chains(void) {
    tls_env e;
    int status;
    char *ca2;
    size_t ca2_len;
    if (env_init(&e, g_ca_pem, g_ca_len, NULL) != SIOC_OK) {
        CHECK(0);
        return;
    }
    /* each failed check in words, with host:port */
    CHECK_EQ_INT(get(&e, "localhost", "unknownca", "/hello", &status, NULL), SIOC_ERR_TLS_UNTRUSTED);
    CHECKF(strncmp(g_detail, "TLS with localhost:", 19) == 0 &&
               strstr(g_detail, " failed: certificate chain not trusted (unknown CA: see ca_file / ca_pem)"),
           "%s", g_detail);
    CHECK_EQ_INT(get(&e, "localhost", "wrongname", "/hello", &status, NULL), SIOC_ERR_TLS_HOSTNAME);
    CHECKF(strstr(g_detail, " failed: certificate does not match the host name") != NULL, "%s", g_detail);
    CHECK_EQ_INT(get(&e, "localhost", "expired", "/hello", &status, NULL), SIOC_ERR_TLS_EXPIRED);
    CHECKF(strstr(g_detail, " failed: certificate expired or not yet valid") != NULL, "%s", g_detail);
    CHECK_EQ_INT(get(&e, "", "good", "/hello", &status, NULL), SIOC_ERR_TLS_NO_HOSTNAME);
    CHECKF(strcmp(e.c.detail, "https endpoint without a host name: nothing to verify") == 0, "%s", e.c.detail);
    CHECK_EQ_INT(get(&e, "localhost", "plaintext", "/hello", &status, NULL), SIOC_ERR_TLS);
    CHECK_EQ_INT(status, 0);
    /* a plain-HTTP server on the TLS port: a generic failure, with the backend's own code */
    CHECKF(strstr(g_detail, " failed: handshake or record layer failed") && strstr(g_detail, " error "), "%s",
           g_detail);
    printf("  plain HTTP on a TLS port: %s\n", g_detail);
    /* the positive control still passes in the same client */
    CHECK_EQ_INT(get(&e, "localhost", "good", "/hello", &status, NULL), SIOC_OK);
    /* a host name given as an IP address does not match (neither backend matches IP SANs) */
    CHECK_EQ_INT(get(&e, "127.0.0.1", "good", "/hello", &status, NULL), SIOC_ERR_TLS_HOSTNAME);
    /* the backend refuses an empty name itself too, before any byte */
    {
        void *mem = malloc(e.c.p_tls->conn_size());
        memset(mem, 0, e.c.p_tls->conn_size());
        CHECK_EQ_INT(e.c.p_tls->open(&e.c, e.c.p_tls_state, mem, ""), SIOC_ERR_TLS_NO_HOSTNAME);
        CHECK_EQ_INT(e.c.p_tls->open(&e.c, e.c.p_tls_state, mem, NULL), SIOC_ERR_TLS_NO_HOSTNAME);
        e.c.p_tls->close(mem);
        free(mem);
    }
    env_free(&e);
    /* a clock that says 1970 (a fresh client: the handshake is where time counts) */
    if (env_init(&e, g_ca_pem, g_ca_len, NULL) == SIOC_OK) {
        g_fake_utc = 1000;
        CHECK_EQ_INT(get(&e, "localhost", "good", "/hello", &status, NULL), SIOC_ERR_TLS_TIME);
        g_fake_utc = 0;
        CHECK_EQ_INT(get(&e, "localhost", "good", "/hello", &status, NULL), SIOC_OK);
        env_free(&e);
    }
    /* trust anchors that do not include the test CA (a bundle without it) */
    ca2 = read_file(g_ca2_path, &ca2_len);
    CHECK(ca2 != NULL);
    if (ca2 && env_init(&e, ca2, ca2_len, NULL) == SIOC_OK) {
        CHECK_EQ_INT(get(&e, "localhost", "good", "/hello", &status, NULL), SIOC_ERR_TLS_UNTRUSTED);
        CHECK_EQ_INT(get(&e, "localhost", "unknownca", "/hello", &status, NULL), SIOC_OK); /* and its own leaf passes */
        env_free(&e);
    } else {
        CHECK(0);
    }
    free(ca2);
    /* unreadable anchors fail at init */
    {
        sioc_http_client_desc d;
        sioc_http_client c;
        memset(&d, 0, sizeof d);
        d.random = sioc_posix_random;
        d.utc_now = test_utc;
        d.ca_pem = "-----BEGIN CERTIFICATE-----\nnot base64 at all\n-----END CERTIFICATE-----\n";
        CHECK_EQ_INT(sioc_http_client_init(&c, &d), SIOC_ERR_TLS);
        CHECKF(strcmp(c.detail, "ca_pem: no certificate could be read") == 0, "%s", c.detail);
        d.ca_pem = NULL;
        d.ca_file = "/nonexistent/ca.pem";
        CHECK_EQ_INT(sioc_http_client_init(&c, &d), SIOC_ERR_TLS);
        CHECKF(strncmp(c.detail, "/nonexistent/ca.pem: ", 21) == 0, "%s", c.detail);
    }
}

/* Without ca_file / ca_pem a TLS build trusts the system store: $SSL_CERT_FILE, else the usual bundle paths. */
static void test_system_store(void) {
    tls_env e;
    int status, ep;
    const char *old = getenv("SSL_CERT_FILE");
    char saved[1024];
    FILE *f;
    snprintf(saved, sizeof saved, "%s", old ? old : "");
    /* 1. SSL_CERT_FILE names the store: our test CA there, and the good chain passes with no CA in the desc */
    setenv("SSL_CERT_FILE", g_ca_path, 1);
    if (env_init(&e, NULL, 0, NULL) == SIOC_OK) {
        CHECK_EQ_INT(get(&e, "localhost", "good", "/hello", &status, NULL), SIOC_OK);
        CHECK_EQ_INT(status, 200);
        CHECK_EQ_INT(get(&e, "localhost", "unknownca", "/hello", &status, NULL), SIOC_ERR_TLS_UNTRUSTED);
        env_free(&e);
    } else {
        CHECK(0);
    }
    /* 2. a store that cannot be read: no TLS, and the endpoint says why */
    setenv("SSL_CERT_FILE", "/nonexistent/bundle.pem", 1);
    if (env_init(&e, NULL, 0, NULL) == SIOC_OK) {
        CHECK_EQ_INT(sioc_http_endpoint(&e.c, "localhost", 443, 1, &ep), SIOC_ERR_DEPENDENCY);
        CHECKF(strcmp(e.c.detail, "https://localhost:443: system CA bundle unreadable: /nonexistent/bundle.pem") == 0,
               "%s", e.c.detail);
        env_free(&e);
    } else {
        CHECK(0);
    }
    /* 3. the machine's own bundle (where there is one): it loads, and our private test CA is not in it */
    unsetenv("SSL_CERT_FILE");
    f = fopen("/etc/ssl/certs/ca-certificates.crt", "rb");
    if (f) {
        fclose(f);
        if (env_init(&e, NULL, 0, NULL) == SIOC_OK) {
            CHECK_EQ_INT(get(&e, "localhost", "good", "/hello", &status, NULL), SIOC_ERR_TLS_UNTRUSTED);
            CHECKF(strstr(g_detail, "certificate chain not trusted") != NULL, "%s", g_detail);
            env_free(&e);
        } else {
            CHECK(0);
        }
    } else {
        printf("  no /etc/ssl/certs/ca-certificates.crt here: the real system bundle is not tried\n");
    }
    if (saved[0]) setenv("SSL_CERT_FILE", saved, 1);
}

/* Whose clock decides validity: BearSSL takes the caller's (a 2040 clock makes the 30-day leaf expired);
   Debian's mbedTLS reads the system clock, so only an implausible caller clock is caught (test_bad_chains). */
static void test_caller_clock(void) {
    tls_env e;
    int status;
    if (env_init(&e, g_ca_pem, g_ca_len, NULL) != SIOC_OK) {
        CHECK(0);
        return;
    }
    g_fake_utc = 2208988800; /* 2040-01-01 */
#if SIOC_TLS == SIOC_TLS_BEARSSL
    CHECK_EQ_INT(get(&e, "localhost", "good", "/hello", &status, NULL), SIOC_ERR_TLS_EXPIRED);
#else
    CHECK_EQ_INT(get(&e, "localhost", "good", "/hello", &status, NULL), SIOC_OK);
#endif
    g_fake_utc = 0;
    env_free(&e);
}

#endif /* SIOC_TLS != SIOC_TLS_NONE */

int main(void) {
    RUN(test_none_refuses_https);
#if SIOC_TLS != SIOC_TLS_NONE
    {
        size_t base;
        if (!node_available()) {
            sioc_t_skip("test_tls", "TLS live tests", "`node` is not on PATH (Node.js 20 runs the test server)");
            return sioc_t_report("test_tls");
        }
        if (!child_on_path("openssl")) {
            sioc_t_skip("test_tls", "TLS live tests", "the openssl CLI is not on PATH (apt-get install openssl)");
            return sioc_t_report("test_tls");
        }
        if (node_server_start(&g_srv, "--tls", "build/tls-certs") != 0) {
            CHECK(0);
            node_server_stop(&g_srv);
            return sioc_t_report("test_tls");
        }
        node_server_str(&g_srv, "ca", g_ca_path, sizeof g_ca_path);
        base = strlen(g_ca_path) > 6 ? strlen(g_ca_path) - 6 : 0; /* ".../ca.pem" -> ".../ca2.pem" */
        snprintf(g_ca2_path, sizeof g_ca2_path, "%.*sca2.pem", (int)base, g_ca_path);
        g_ca_pem = read_file(g_ca_path, &g_ca_len);
        CHECK(g_ca_pem != NULL);
        printf("TLS backend: %s\n", sioc_tls_backend());
        if (g_ca_pem) {
            RUN(test_good_chain);
            RUN(test_bad_chains);
            RUN(test_system_store);
            RUN(test_caller_clock);
        }
        free(g_ca_pem);
        node_server_stop(&g_srv);
    }
#endif
    return sioc_t_report("test_tls");
}
