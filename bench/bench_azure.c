/* bench_azure: the Azure layer's cost per request on this machine (standalone; no network).
     client send        : sioc_azure_send of a 77-byte msgpack body with nsp/uid/requesterUid properties and a
                          MessageId, through the HTTP engine to a scripted in-process peer and back (token cached,
                          head written, 201 parsed and classified)
     client receive     : sioc_azure_receive answered by a 201 with Location, BrokerProperties, three quoted custom
                          properties and the body (head parsed, headers copied, BrokerProperties JSON and properties
                          parsed, envelope filled)
     client complete    : DELETE on the lock path, 200
     SAS token          : sioc_sas_token for the namespace root (what a renewal costs, once per 45 minutes)
     parse message      : sioc_azure_parse_message alone (headers already split)
   Heap allocations per steady-state request are counted. No TLS (add the backend's record cost for HTTPS).
   Build: gcc -std=c99 -O2 -I. bench/bench_azure.c -o build/bench/bench_azure && build/bench/bench_azure [seconds] */
#define _POSIX_C_SOURCE 200809L
#define SIO_CLUSTER_IMPLEMENTATION
#include "sio_cluster.h"
#include <stdio.h>
#include <stdlib.h>
#include <time.h>

static double now_s(void) {
    struct timespec ts;
    clock_gettime(CLOCK_MONOTONIC, &ts);
    return (double)ts.tv_sec + (double)ts.tv_nsec * 1e-9;
}

static volatile size_t sink;

static double us_per_call(void (*fn)(void *), void *arg, double secs) {
    double t0 = now_s(), t;
    long calls = 0;
    do {
        int i;
        for (i = 0; i < 64; i++) fn(arg);
        calls += 64;
        t = now_s() - t0;
    } while (t < secs);
    return t * 1e6 / (double)calls;
}

static const uint8_t k_data[77] = {
    0x82, 0xa6, 0x70, 0x61, 0x63, 0x6b, 0x65, 0x74, 0x82, 0xa4, 0x74, 0x79, 0x70, 0x65, 0x02, 0xa4, 0x64, 0x61, 0x74, 0x61,
    0x94, 0xa4, 0x6e, 0x65, 0x77, 0x73, 0x82, 0xa5, 0x68, 0x65, 0x6c, 0x6c, 0x6f, 0xa5, 0x77, 0x6f, 0x72, 0x6c, 0x64, 0xa1,
    0x6e, 0x2a, 0xc4, 0x03, 0x01, 0x02, 0x03, 0xa1, 0x41, 0xa4, 0x6f, 0x70, 0x74, 0x73, 0x83, 0xa5, 0x72, 0x6f, 0x6f, 0x6d,
    0x73, 0x90, 0xa6, 0x65, 0x78, 0x63, 0x65, 0x70, 0x74, 0x90, 0xa5, 0x66, 0x6c, 0x61, 0x67, 0x73, 0x80};

static size_t g_allocs;
static void *count_alloc(size_t n, void *user) {
    (void)user;
    g_allocs++;
    return malloc(n);
}
static void count_free(void *p, size_t n, void *user) {
    (void)n, (void)user;
    free(p);
}
static int64_t fixed_utc(void *user) {
    (void)user;
    return 1795415449;
}

typedef struct ctx {
    sioc_azure_client c;
    sioc_azure_call call;
    sioc_azure_prop props[3];
    sioc_azure_send_opts opts;
    char body[4096], reply[4096];
    char resp_recv[2048];
    size_t resp_recv_len;
    int conn;
} ctx;

static void pump(ctx *x, const char *resp, size_t len) {
    sioc_http_io_event ev;
    sioc_azure_call *done = NULL;
    const uint8_t *p;
    size_t n;
    while (sioc_http_next_io(&x->c.http, &ev) == SIOC_OK)
        if (ev.type == SIOC_HTTP_IO_OPEN) {
            x->conn = ev.conn;
            sioc_http_conn_opened(&x->c.http, ev.conn, 0);
        }
    for (;;) {
        sioc_http_conn_pending(&x->c.http, x->conn, &p, &n);
        if (!n) break;
        sink += p[n - 1];
        sioc_http_conn_sent(&x->c.http, x->conn, n);
    }
    if (sioc_http_conn_feed(&x->c.http, x->conn, resp, len, 0, NULL) != SIOC_OK) abort();
    if (sioc_azure_next(&x->c, 0, &done) != SIOC_OK || done != &x->call || x->call.result != SIOC_OK) abort();
}

static const char k_created[] =
    "HTTP/1.1 201 Created\r\nContent-Length: 0\r\nDate: Mon, 23 Nov 2026 06:34:54 GMT\r\n\r\n";
static const char k_ok[] = "HTTP/1.1 200 OK\r\nContent-Length: 0\r\nDate: Mon, 23 Nov 2026 06:34:54 GMT\r\n\r\n";
static const char k_lock[] = "/socket.io/subscriptions/socket.io-0123456789abcdef/messages/1/"
                             "45995985-68a4-4b56-bc79-3b2a369c9b39";

static void do_send(void *arg) {
    ctx *x = (ctx *)arg;
    sioc_bytes b;
    b.ptr = k_data;
    b.len = sizeof k_data;
    if (sioc_azure_send(&x->c, &x->call, sioc_str_c("socket.io"), b, x->props, 3, &x->opts, 0) != SIOC_OK) abort();
    pump(x, k_created, sizeof k_created - 1);
}

static void do_receive(void *arg) {
    ctx *x = (ctx *)arg;
    if (sioc_azure_receive(&x->c, &x->call, sioc_str_c("socket.io"), sioc_str_c("socket.io-0123456789abcdef"), 30,
                           0) != SIOC_OK)
        abort();
    pump(x, x->resp_recv, x->resp_recv_len);
    if (!x->call.has_message || x->call.msg.env.uid.len != 16) abort();
}

static void do_complete(void *arg) {
    ctx *x = (ctx *)arg;
    if (sioc_azure_complete(&x->c, &x->call, sioc_str_c(k_lock), 0) != SIOC_OK) abort();
    pump(x, k_ok, sizeof k_ok - 1);
}

static void do_token(void *arg) {
    char tok[512];
    sioc_buf b;
    sioc_sas_params p;
    (void)arg;
    memset(&p, 0, sizeof p);
    p.resource_uri = sioc_str_c("https://ns.servicebus.windows.net/");
    p.key_name = sioc_str_c("RootManageSharedAccessKey");
    p.key = sioc_str_c("c2VjcmV0c2VjcmV0c2VjcmV0c2VjcmV0c2VjcmV0c2U=");
    p.expiry = 1795419049;
    sioc_buf_init(&b, tok, sizeof tok);
    if (sioc_sas_token(&p, &b) != SIOC_OK) abort();
    sink += (size_t)tok[60];
}

typedef struct parse_ctx {
    sioc_http_header h[8];
    size_t n;
    char scratch[1024];
} parse_ctx;

static void do_parse(void *arg) {
    parse_ctx *x = (parse_ctx *)arg;
    sioc_buf s;
    sioc_azure_message m;
    sioc_bytes b;
    b.ptr = k_data;
    b.len = sizeof k_data;
    sioc_buf_init(&s, x->scratch, sizeof x->scratch);
    if (sioc_azure_parse_message(x->h, x->n, b, &s, &m) != SIOC_OK) abort();
    sink += m.prop_count;
}

#define BP "{\"DeliveryCount\":1,\"EnqueuedSequenceNumber\":0,\"EnqueuedTimeUtc\":\"Mon, 23 Nov 2026 06:34:54 GMT\"," \
           "\"SequenceNumber\":1,\"State\":\"Active\",\"TimeToLive\":922337203685.4775,\"MessageId\":"           \
           "\"492ccda3cc554aaabe4e3d9a05269af8\",\"LockToken\":\"45995985-68a4-4b56-bc79-3b2a369c9b39\","        \
           "\"LockedUntilUtc\":\"Mon, 23 Nov 2026 06:35:24 GMT\"}"

int main(int argc, char **argv) {
    double secs = argc > 1 ? atof(argv[1]) : 0.5;
    static ctx x;
    static parse_ctx pc;
    sioc_azure_desc desc;
    size_t before;
    long i;
    double us;
    int k;

    memset(&desc, 0, sizeof desc);
    desc.connection_string = "Endpoint=sb://ns.servicebus.windows.net/;SharedAccessKeyName=RootManageSharedAccessKey;"
                             "SharedAccessKey=c2VjcmV0c2VjcmV0c2VjcmV0c2VjcmV0c2VjcmV0c2U=";
    desc.rest_url = "http://127.0.0.1:45673";
    desc.utc_now = fixed_utc;
    desc.http.allocator.alloc = count_alloc;
    desc.http.allocator.free = count_free;
    desc.http.conns_per_endpoint = 1;
    if (sioc_azure_client_init(&x.c, &desc) != SIOC_OK) return 1;
    x.call.body_mem = x.body;
    x.call.body_cap = sizeof x.body;
    x.call.reply_mem = x.reply;
    x.call.reply_cap = sizeof x.reply;
    x.props[0].name = sioc_str_c("nsp");
    x.props[0].value = sioc_str_c("/");
    x.props[1].name = sioc_str_c("uid");
    x.props[1].value = sioc_str_c("edacffcfacfe18fb");
    x.props[2].name = sioc_str_c("requesterUid");
    x.props[2].value = sioc_str_c("7156e582aa0e2cf2");
    x.opts.message_id = sioc_str_c("492ccda3cc554aaabe4e3d9a05269af8");
    x.resp_recv_len = (size_t)snprintf(
        x.resp_recv, sizeof x.resp_recv,
        "HTTP/1.1 201 Created\r\nContent-Length: %u\r\nContent-Type: application/octet-stream\r\n"
        "Location: https://ns.servicebus.windows.net%s\r\nBrokerProperties: %s\r\nnsp: \"/\"\r\n"
        "uid: \"edacffcfacfe18fb\"\r\nrequesterUid: \"7156e582aa0e2cf2\"\r\nDate: Mon, 23 Nov 2026 06:34:54 GMT\r\n"
        "Strict-Transport-Security: max-age=31536000\r\nServer: Microsoft-HTTPAPI/2.0\r\n\r\n",
        (unsigned)sizeof k_data, k_lock, BP);
    memcpy(x.resp_recv + x.resp_recv_len, k_data, sizeof k_data);
    x.resp_recv_len += sizeof k_data;

    printf("%-44s %10s\n", "azure (bench/bench_azure.c)", "us/op");
    do_send(&x); /* opens the connection, makes the token */
    us = us_per_call(do_send, &x, secs);
    printf("%-44s %10.2f\n", "client send round trip (scripted peer)", us);
    us = us_per_call(do_receive, &x, secs);
    printf("%-44s %10.2f  (%u-byte reply)\n", "client peek-lock receive round trip", us, (unsigned)x.resp_recv_len);
    us = us_per_call(do_complete, &x, secs);
    printf("%-44s %10.2f\n", "client complete round trip", us);
    before = g_allocs;
    for (i = 0; i < 1000; i++) {
        do_send(&x);
        do_receive(&x);
        do_complete(&x);
    }
    printf("%-44s %10.3f  (%u at client init)\n", "heap allocations per steady-state request",
           (double)(g_allocs - before) / 3000.0, (unsigned)before);
    us = us_per_call(do_token, NULL, secs);
    printf("%-44s %10.2f\n", "SAS token (renewal, every 45 min)", us);
    pc.n = 0;
    pc.h[pc.n].name = sioc_str_c("Content-Type");
    pc.h[pc.n++].value = sioc_str_c("application/octet-stream");
    pc.h[pc.n].name = sioc_str_c("Location");
    pc.h[pc.n++].value = sioc_str_c("https://ns.servicebus.windows.net/socket.io/subscriptions/s/messages/1/x");
    pc.h[pc.n].name = sioc_str_c("BrokerProperties");
    pc.h[pc.n++].value = sioc_str_c(BP);
    for (k = 0; k < 3; k++) {
        static char v[3][24];
        snprintf(v[k], sizeof v[k], "\"%.16s\"", k == 0 ? "/" : "edacffcfacfe18fb");
        pc.h[pc.n].name = x.props[k].name;
        pc.h[pc.n++].value = sioc_str_c(v[k]);
    }
    us = us_per_call(do_parse, &pc, secs);
    printf("%-44s %10.2f\n", "parse message (headers + BrokerProperties)", us);
    sioc_azure_client_free(&x.c);
    return (int)(sink & 0);
}
