/* The HTTP engine over the POSIX backend against the Node test server on 127.0.0.1 (tests/http_server): keep-alive,
   a pool of two, chunked with odd sizes, slow drip, early close, oversized headers, 100-continue, garbage status
   line, reset, stall, stale keep-alive retry, big bodies both ways. Skips (with a message) only when node is absent. */
#define _POSIX_C_SOURCE 200809L
#define SIOC_ENABLE_POSIX 1
#define SIOC_POSIX_GETADDRINFO 0 /* static i686/s390x builds: no glibc NSS warning; loopback needs no DNS */
#define SIO_CLUSTER_IMPLEMENTATION
#include "sio_cluster.h"
#include "harness.h"
#include "http_server/node_server.h"

#include <sys/socket.h>
#include <netinet/in.h>
#include <time.h>

static sioc_http_client g_c;
static sioc_posix g_px;
static int g_ep;

static sioc_result resolve_loopback(void *user, const char *host, uint16_t port, sioc_posix_addr *out) {
    (void)user, (void)host, (void)port;
    return sioc_posix_addr_parse("127.0.0.1", out);
}

static sioc_http_request req_get(const char *target, void *out, size_t cap) {
    sioc_http_request r;
    memset(&r, 0, sizeof r);
    r.method = "GET";
    r.target = target;
    r.body_out = out;
    r.body_out_cap = cap;
    r.idempotent = 1;
    return r;
}

/* Submit and run the loop until the response (or `limit_ms`). The response views stay valid until the next call. */
static int exchange_ep(int ep, const sioc_http_request *req, sioc_http_response *out, uint32_t limit_ms) {
    uint64_t start = sioc_posix_now_ms();
    sioc_result r = sioc_http_submit(&g_c, ep, req, start, NULL);
    CHECKF(r == SIOC_OK, "submit %s: %s", req->target, sioc_strerror(r));
    if (r != SIOC_OK) return 0;
    while (sioc_posix_now_ms() - start < limit_ms) {
        if (sioc_http_next_response(&g_c, out) == SIOC_OK) return 1;
        if (sioc_posix_run(&g_px, 50) != SIOC_OK) CHECK(0);
    }
    CHECKF(0, "no response for %s within %u ms", req->target, (unsigned)limit_ms);
    return 0;
}
static int exchange(const sioc_http_request *req, sioc_http_response *out) { return exchange_ep(g_ep, req, out, 5000); }

static int header_is(const sioc_http_response *r, const char *name, const char *want) {
    sioc_str v;
    return sioc_http_response_header(r, name, &v) == SIOC_OK && v.len == strlen(want) && memcmp(v.ptr, want, v.len) == 0;
}

static void sleep_ms(long ms) {
    struct timespec ts;
    ts.tv_sec = ms / 1000;
    ts.tv_nsec = (ms % 1000) * 1000000L;
    nanosleep(&ts, NULL);
}

static char g_body[1 << 21];

static void test_keep_alive_sequence(void) {
    sioc_http_response resp;
    sioc_http_request req = req_get("/hello", g_body, sizeof g_body);
    char conn_id[16] = "";
    int i;
    uint64_t opened = g_c.stats.conns_opened;
    for (i = 0; i < 5; i++) {
        sioc_str v;
        if (!exchange(&req, &resp)) return;
        CHECK_EQ_INT(resp.result, SIOC_OK);
        CHECK_EQ_INT(resp.status, 200);
        CHECK_MEM(resp.body, resp.body_len, "hello world", 11);
        CHECK(header_is(&resp, "content-type", "text/plain"));
        CHECK_EQ_INT(sioc_http_response_header(&resp, "X-Conn", &v), SIOC_OK);
        if (i == 0 && v.len < sizeof conn_id) {
            memcpy(conn_id, v.ptr, v.len);
            conn_id[v.len] = 0;
        }
        CHECK(header_is(&resp, "x-conn", conn_id)); /* same TCP connection every time */
    }
    CHECK_EQ_INT(g_c.stats.conns_opened - opened, 1);
}

static void test_chunked_and_drip(void) {
    sioc_http_response resp;
    sioc_http_request req = req_get("/chunked", g_body, sizeof g_body);
    char want[400];
    size_t n = 0;
    memcpy(want, "a0123456789abcdef0123456789abcdeABCDEFGHIJ", 42);
    n = 42;
    memset(want + n, 'z', 256);
    n += 256;
    if (exchange(&req, &resp)) {
        CHECK_EQ_INT(resp.result, SIOC_OK);
        CHECK_MEM(resp.body, resp.body_len, want, n);
        CHECK(header_is(&resp, "x-trailer", "yes"));
        CHECK(header_is(&resp, "X-CHECKSUM", "42"));
    }
    req = req_get("/drip", g_body, sizeof g_body);
    if (exchange(&req, &resp)) {
        CHECK_EQ_INT(resp.result, SIOC_OK);
        CHECK_MEM(resp.body, resp.body_len, "drip!123", 8);
        CHECK(header_is(&resp, "x-end", "1"));
    }
    req = req_get("/continue", g_body, sizeof g_body);
    if (exchange(&req, &resp)) {
        CHECK_EQ_INT(resp.result, SIOC_OK);
        CHECK_EQ_INT(resp.status, 200);
        CHECK_MEM(resp.body, resp.body_len, "continued", 9);
    }
    req = req_get("/close-delimited", g_body, sizeof g_body);
    if (exchange(&req, &resp)) {
        CHECK_EQ_INT(resp.result, SIOC_OK);
        CHECK_MEM(resp.body, resp.body_len, "the body runs until the connection ends", 39);
    }
    req = req_get("/status?code=503", g_body, sizeof g_body);
    if (exchange(&req, &resp)) {
        CHECK_EQ_INT(resp.result, SIOC_OK);
        CHECK_EQ_INT(resp.status, 503);
    }
    req = req_get("/hello", g_body, sizeof g_body);
    req.method = "HEAD";
    if (exchange(&req, &resp)) {
        CHECK_EQ_INT(resp.result, SIOC_OK);
        CHECK_EQ_INT(resp.body_total, 0);
    }
    req = req_get("/hello", g_body, sizeof g_body); /* the connection survived the HEAD */
    if (exchange(&req, &resp)) CHECK_MEM(resp.body, resp.body_len, "hello world", 11);
}

static void test_failures(void) {
    sioc_http_response resp;
    sioc_http_request req = req_get("/early-close", g_body, sizeof g_body);
    uint64_t t0;
    if (exchange(&req, &resp)) {
        CHECK_EQ_INT(resp.result, SIOC_ERR_CLOSED);
        CHECK_EQ_INT(resp.status, 200);
        CHECKF(strstr(resp.detail, "closed the connection before the reply was complete") != NULL, "%s", resp.detail);
    }
    req = req_get("/big-header", g_body, sizeof g_body);
    if (exchange(&req, &resp)) {
        CHECK_EQ_INT(resp.result, SIOC_ERR_LIMIT);
        CHECKF(strstr(resp.detail, "reply head over response_head_size") != NULL, "%s", resp.detail);
    }
    req = req_get("/garbage", g_body, sizeof g_body);
    if (exchange(&req, &resp)) {
        CHECK_EQ_INT(resp.result, SIOC_ERR_PROTOCOL);
        CHECKF(strncmp(resp.detail, "localhost:", 10) == 0 && strstr(resp.detail, " sent a malformed HTTP reply"),
               "%s", resp.detail);
    }
    req = req_get("/reset", g_body, sizeof g_body);
    req.idempotent = 0;
    if (exchange(&req, &resp)) {
        CHECK_EQ_INT(resp.result, SIOC_ERR_CLOSED);
        CHECKF(strstr(resp.detail, "closed the connection") != NULL, "%s", resp.detail);
    }
    req = req_get("/stall", g_body, sizeof g_body);
    req.timeout_ms = 300;
    t0 = sioc_posix_now_ms();
    if (exchange(&req, &resp)) {
        uint64_t took = sioc_posix_now_ms() - t0;
        CHECK_EQ_INT(resp.result, SIOC_ERR_TIMEOUT);
        CHECKF(took >= 300 && took < 2000, "stall took %u ms", (unsigned)took);
        CHECKF(strstr(resp.detail, "no complete reply from localhost:") && strstr(resp.detail, " within 300 ms"), "%s",
               resp.detail);
    }
    /* nothing listens there: connect refused */
    {
        int s = socket(AF_INET, SOCK_STREAM, 0), ep;
        struct sockaddr_in sa;
        socklen_t sl = sizeof sa;
        memset(&sa, 0, sizeof sa);
        sa.sin_family = AF_INET;
        sa.sin_addr.s_addr = htonl(0x7f000001);
        CHECK(bind(s, (struct sockaddr *)&sa, sizeof sa) == 0);
        CHECK(getsockname(s, (struct sockaddr *)&sa, &sl) == 0);
        close(s); /* the port is free now and nobody listens */
        CHECK_EQ_INT(sioc_http_endpoint(&g_c, "127.0.0.1", ntohs(sa.sin_port), 0, &ep), SIOC_OK);
        req = req_get("/hello", g_body, sizeof g_body);
        if (exchange_ep(ep, &req, &resp, 5000)) {
            CHECK_EQ_INT(resp.result, SIOC_ERR_CONNECT);
            CHECKF(strstr(resp.detail, "cannot connect to 127.0.0.1:") && strstr(resp.detail, "connection refused"),
                   "%s", resp.detail);
        }
    }
}

/* Numeric addresses as they are; every name fails as a DNS lookup would (no network needed). */
static sioc_result resolve_numeric_only(void *user, const char *host, uint16_t port, sioc_posix_addr *out) {
    (void)user, (void)port;
    return sioc_posix_addr_parse(host, out) == SIOC_OK ? SIOC_OK : SIOC_ERR_CONNECT;
}

/* What a person reads when a connection cannot be made: host:port and the reason, from the POSIX backend. */
static void test_connect_details(void) {
    sioc_http_client c;
    sioc_posix px;
    sioc_http_client_desc d;
    sioc_http_request req = req_get("/", NULL, 0);
    sioc_http_response resp;
    int ep_refused, ep_dns, got = 0;
    uint64_t t0;
    memset(&d, 0, sizeof d);
    CHECK_EQ_INT(sioc_http_client_init(&c, &d), SIOC_OK);
    CHECK_EQ_INT(sioc_posix_init(&px, &c, resolve_numeric_only, NULL), SIOC_OK);
    CHECK_EQ_INT(sioc_http_endpoint(&c, "127.0.0.1", 1, 0, &ep_refused), SIOC_OK); /* port 1: nobody listens */
    CHECK_EQ_INT(sioc_http_endpoint(&c, "sqs.nowhere.invalid", 80, 0, &ep_dns), SIOC_OK);
    t0 = sioc_posix_now_ms();
    CHECK_EQ_INT(sioc_http_submit(&c, ep_refused, &req, t0, NULL), SIOC_OK);
    CHECK_EQ_INT(sioc_http_submit(&c, ep_dns, &req, t0, NULL), SIOC_OK);
    while (got < 2 && sioc_posix_now_ms() - t0 < 5000) {
        if (sioc_posix_run(&px, 50) != SIOC_OK) break;
        while (sioc_http_next_response(&c, &resp) == SIOC_OK) {
            got++;
            CHECK_EQ_INT(resp.result, SIOC_ERR_CONNECT);
            if (strstr(resp.detail, "127.0.0.1:1"))
                CHECKF(strcmp(resp.detail, "cannot connect to 127.0.0.1:1: connection refused (nothing listens on "
                                           "that port?)") == 0, "%s", resp.detail);
            else
                CHECKF(strcmp(resp.detail, "cannot connect to sqs.nowhere.invalid:80: name not resolved (DNS)") == 0,
                       "%s", resp.detail);
            printf("  detail: %s\n", resp.detail);
        }
    }
    CHECK_EQ_INT(got, 2);
    sioc_posix_free(&px);
    sioc_http_client_free(&c);
}

/* The server closes a keep-alive connection while we are idle; we send on it before noticing. */
static void test_stale_keep_alive(void) {
    sioc_http_response resp;
    sioc_http_request req = req_get("/close-after", g_body, sizeof g_body);
    int idem;
    for (idem = 1; idem >= 0; idem--) {
        uint64_t retries = g_c.stats.retries;
        if (!exchange(&req, &resp)) return;
        CHECK_EQ_INT(resp.result, SIOC_OK);
        CHECK_EQ_INT(sioc_http_next_response(&g_c, &resp), SIOC_AGAIN); /* back to the pool, idle */
        sleep_ms(250); /* the server closes 100 ms after answering: its FIN arrives meanwhile */
        req = req_get("/hello", g_body, sizeof g_body);
        req.idempotent = idem;
        if (!exchange(&req, &resp)) return;
        if (idem) {
            CHECK_EQ_INT(resp.result, SIOC_OK);
            CHECK_EQ_INT(resp.retried, 1);
            CHECK_EQ_INT(g_c.stats.retries - retries, 1);
            CHECK_MEM(resp.body, resp.body_len, "hello world", 11);
        } else {
            CHECK_EQ_INT(resp.result, SIOC_ERR_CLOSED);
            CHECK_EQ_INT(resp.retried, 0);
        }
        req = req_get("/close-after", g_body, sizeof g_body);
    }
}

static uint32_t g_stream_sum;
static size_t g_stream_len;
static void on_body(void *tag, const uint8_t *p, size_t n) {
    size_t i;
    (void)tag;
    for (i = 0; i < n; i++) {
        if (p[i] != (uint8_t)((g_stream_len + i) % 251)) g_stream_sum |= 0x80000000u; /* pattern broken */
        g_stream_sum += p[i];
    }
    g_stream_len += n;
}

static void test_big_bodies(void) {
    sioc_http_response resp;
    sioc_http_request req = req_get("/big?n=1000000", g_body, sizeof g_body);
    static uint8_t up[300000];
    size_t i;
    uint32_t sum = 0;
    char num[32];
    int ok = 1;
    if (exchange(&req, &resp)) {
        CHECK_EQ_INT(resp.result, SIOC_OK);
        CHECK_EQ_INT(resp.body_len, 1000000);
        for (i = 0; i < resp.body_len && ok; i++) ok = resp.body[i] == (uint8_t)(i % 251);
        CHECK(ok);
    }
    req = req_get("/big?n=1000000", g_body, 1000);
    if (exchange(&req, &resp)) {
        CHECK_EQ_INT(resp.result, SIOC_ERR_BUFFER_TOO_SMALL);
        CHECK_EQ_INT(resp.body_len, 1000);
        CHECK_EQ_INT(resp.body_total, 1000000);
    }
    req = req_get("/big?n=777777", NULL, 0);
    req.on_body = on_body;
    g_stream_len = 0;
    g_stream_sum = 0;
    if (exchange(&req, &resp)) {
        CHECK_EQ_INT(resp.result, SIOC_OK);
        CHECK_EQ_INT(g_stream_len, 777777);
        CHECK((g_stream_sum & 0x80000000u) == 0);
    }
    for (i = 0; i < sizeof up; i++) {
        up[i] = (uint8_t)(i * 7 + 3);
        sum += up[i];
    }
    req = req_get("/echo?x=1", g_body, sizeof g_body);
    req.method = "POST";
    req.body = up;
    req.body_len = sizeof up;
    req.idempotent = 0;
    if (exchange(&req, &resp)) {
        CHECK_EQ_INT(resp.result, SIOC_OK);
        CHECK(header_is(&resp, "x-method", "POST"));
        CHECK(header_is(&resp, "x-target", "/echo?x=1"));
        CHECK(header_is(&resp, "x-body-len", "300000"));
        snprintf(num, sizeof num, "%lu", (unsigned long)sum);
        CHECK(header_is(&resp, "x-body-sum", num));
        CHECK_MEM(resp.body, resp.body_len, up, sizeof up);
    }
}

/* A slow "long poll" on one connection does not hold up a quick request on the other. */
static void test_pool_parallel(void) {
    sioc_http_response resp;
    sioc_http_request slow = req_get("/delay?ms=400", g_body, 100), quick = req_get("/hello", g_body + 100, 100);
    uint64_t t0 = sioc_posix_now_ms(), quick_at = 0, slow_at = 0;
    uint32_t slow_id, quick_id;
    CHECK_EQ_INT(sioc_http_submit(&g_c, g_ep, &slow, t0, &slow_id), SIOC_OK);
    CHECK_EQ_INT(sioc_http_submit(&g_c, g_ep, &quick, t0, &quick_id), SIOC_OK);
    while ((!quick_at || !slow_at) && sioc_posix_now_ms() - t0 < 5000) {
        if (sioc_posix_run(&g_px, 50) != SIOC_OK) CHECK(0);
        while (sioc_http_next_response(&g_c, &resp) == SIOC_OK) {
            CHECK_EQ_INT(resp.result, SIOC_OK);
            if (resp.id == quick_id) quick_at = sioc_posix_now_ms();
            if (resp.id == slow_id) {
                slow_at = sioc_posix_now_ms();
                CHECK_MEM(resp.body, resp.body_len, "delayed", 7);
            }
        }
    }
    CHECK(quick_at && slow_at);
    CHECKF(quick_at < slow_at && quick_at - t0 < 300, "quick after %u ms, slow after %u ms",
           (unsigned)(quick_at - t0), (unsigned)(slow_at - t0));
    {
        sioc_posix_fd fds[4];
        size_t n = sioc_posix_fds(&g_px, fds, 4);
        CHECK(n >= 1 && n <= 2);
        CHECK(fds[0].fd >= 0 && (fds[0].wants & SIOC_HTTP_WANT_READ));
    }
}

/* Regression: a finished response must stop sioc_posix_wait() from sleeping on quiet sockets (it once waited out
   the whole timeout when the response had arrived during the step before the wait). */
static void test_wait_does_not_sleep_on_ready_response(void) {
    sioc_http_response resp;
    sioc_http_request req = req_get("/hello", g_body, sizeof g_body);
    uint64_t t0 = sioc_posix_now_ms(), t1;
    CHECK_EQ_INT(sioc_http_submit(&g_c, g_ep, &req, t0, NULL), SIOC_OK);
    CHECK_EQ_INT(sioc_http_next_response(&g_c, &resp), SIOC_AGAIN); /* release whatever was held */
    while (sioc_http_responses_ready(&g_c) == 0 && sioc_posix_now_ms() - t0 < 5000)
        if (sioc_posix_run(&g_px, 50) != SIOC_OK) break;
    CHECK_EQ_INT(sioc_http_responses_ready(&g_c), 1);
    t1 = sioc_posix_now_ms();
    CHECK_EQ_INT(sioc_posix_wait(&g_px, t1, 2000), SIOC_OK);
    CHECKF(sioc_posix_now_ms() - t1 < 500, "wait slept %u ms with a response ready", (unsigned)(sioc_posix_now_ms() - t1));
    CHECK_EQ_INT(sioc_http_next_response(&g_c, &resp), SIOC_OK);
    CHECK_MEM(resp.body, resp.body_len, "hello world", 11);
}

int main(void) {
    node_server srv;
    sioc_http_client_desc d;
    int port;
    RUN(test_connect_details); /* no server needed */
    if (!node_available()) {
        sioc_t_skip("test_http_posix", "live HTTP tests", "`node` is not on PATH (Node.js 20 runs the test server)");
        return sioc_t_report("test_http_posix");
    }
    if (node_server_start(&srv, NULL, NULL) != 0) {
        CHECK(0);
        node_server_stop(&srv);
        return sioc_t_report("test_http_posix");
    }
    port = node_server_int(&srv, "plain");
    CHECK(port > 0);
    memset(&d, 0, sizeof d);
    d.conns_per_endpoint = 2;
    d.max_endpoints = 2;
    CHECK_EQ_INT(sioc_http_client_init(&g_c, &d), SIOC_OK);
    CHECK_EQ_INT(sioc_posix_init(&g_px, &g_c, resolve_loopback, NULL), SIOC_OK);
    CHECK_EQ_INT(sioc_http_endpoint(&g_c, "localhost", (uint16_t)port, 0, &g_ep), SIOC_OK);
    RUN(test_keep_alive_sequence);
    RUN(test_chunked_and_drip);
    RUN(test_failures);
    RUN(test_stale_keep_alive);
    RUN(test_big_bodies);
    RUN(test_pool_parallel);
    RUN(test_wait_does_not_sleep_on_ready_response);
    sioc_posix_free(&g_px);
    sioc_http_client_free(&g_c);
    node_server_stop(&srv);
    return sioc_t_report("test_http_posix");
}
