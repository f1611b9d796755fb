/* bench_aws: the AWS layer's cost per request on this machine (standalone; no network).
     signed Publish     : form body (nsp, uid, 77-byte Binary data, as in capture 08) + SigV4 with the per-day key
                          cache + the HTTP head, i.e. everything the client does before bytes hit a socket
     ... first of day   : the same with the signing-key derivation (cache miss)
     parsed Receive x10 : sioc_json_parse + sioc_sqs_parse_receive_message of a 10-message reply (String + Binary
                          attributes, base64 decoded), scratch and tokens reused
     client round trip  : sioc_aws_sns_publish through the HTTP engine to a scripted in-process peer and back
                          (sign, queue, write, parse the reply head, classify), with heap allocations counted
   Build: gcc -std=c99 -O2 -I. bench/bench_aws.c -o build/bench/bench_aws && build/bench/bench_aws [seconds] */
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

/* Microseconds per call of fn(arg), run for about `secs`. */
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

#define TOPIC "arn:aws:sns:us-east-1:000000000000:socket-io"
static const uint8_t k_data[77] = {
    0x82, 0xa6, 0x70, 0x61, 0x63, 0x6b, 0x65, 0x74, 0x82, 0xa4, 0x74, 0x79, 0x70, 0x65, 0x02, 0xa4, 0x64, 0x61, 0x74, 0x61,
    0x94, 0xa4, 0x6e, 0x65, 0x77, 0x73, 0x82, 0xa5, 0x68, 0x65, 0x6c, 0x6c, 0x6f, 0xa5, 0x77, 0x6f, 0x72, 0x6c, 0x64, 0xa1,
    0x6e, 0x2a, 0xc4, 0x03, 0x01, 0x02, 0x03, 0xa1, 0x41, 0xa4, 0x6f, 0x70, 0x74, 0x73, 0x83, 0xa5, 0x72, 0x6f, 0x6f, 0x6d,
    0x73, 0x90, 0xa6, 0x65, 0x78, 0x63, 0x65, 0x70, 0x74, 0x90, 0xa5, 0x66, 0x6c, 0x61, 0x67, 0x73, 0x80};

typedef struct pub_ctx {
    sioc_aws_attr attrs[3];
    sioc_aws_endpoint ep;
    sioc_sigv4_credentials creds;
    sioc_sigv4_key_cache cache;
    int use_cache;
    int64_t t;
    uint8_t body[2048];
    char head[2048];
} pub_ctx;

static void do_publish(void *arg) {
    pub_ctx *c = (pub_ctx *)arg;
    sioc_buf b, h;
    sioc_aws_signed s;
    sioc_bytes body;
    sioc_http_request req;
    sioc_buf_init(&b, c->body, sizeof c->body);
    if (sioc_sns_write_publish(&b, sioc_str_c(TOPIC), sioc_str_c("3"), c->attrs, 3) != SIOC_OK) abort();
    body.ptr = c->body;
    body.len = b.len;
    if (!c->use_cache) memset(&c->cache, 0, sizeof c->cache);
    if (sioc_aws_sign(&s, SIOC_AWS_SNS, "Publish", &c->ep, "us-east-1", &c->creds, body, c->t, &c->cache) != SIOC_OK)
        abort();
    memset(&req, 0, sizeof req);
    req.method = "POST";
    req.target = "/";
    req.headers = s.headers;
    req.header_count = s.count;
    req.body = c->body;
    req.body_len = b.len;
    sioc_buf_init(&h, c->head, sizeof c->head);
    if (sioc_http_write_head(&h, &req, c->ep.host, c->ep.port, c->ep.tls) != SIOC_OK) abort();
    sink += h.len + (size_t)s.authorization[100];
}

typedef struct recv_ctx {
    char *json;
    size_t len;
    sioc_json_tok toks[1024];
    char scratch[65536];
    sioc_sqs_message msgs[10];
} recv_ctx;

static void do_receive(void *arg) {
    recv_ctx *c = (recv_ctx *)arg;
    sioc_json d;
    sioc_buf sb;
    size_t n = 0;
    if (sioc_json_parse(&d, c->json, c->len, c->toks, 1024) != SIOC_OK) abort();
    sioc_buf_init(&sb, c->scratch, sizeof c->scratch);
    if (sioc_sqs_parse_receive_message(&d, &sb, c->msgs, 10, &n) != SIOC_OK || n != 10) abort();
    sink += c->msgs[9].attrs[3].value.len;
}

/* A 10-message reply shaped like the captured ones: nsp, uid, requesterUid, and a 512-byte Binary data each. */
static char *make_reply(size_t *out_len) {
    static uint8_t data[512];
    char b64[SIOC_BASE64_ENCODED_LEN(512) + 1];
    size_t blen = 0, i;
    sioc_buf b;
    char *mem = (char *)malloc(32768);
    for (i = 0; i < sizeof data; i++) data[i] = (uint8_t)(i * 37 + 11);
    if (!mem || sioc_base64_encode(data, sizeof data, b64, sizeof b64, &blen) != SIOC_OK) abort();
    sioc_buf_init(&b, mem, 32768);
    sioc_buf_puts(&b, "{\"Messages\":[");
    for (i = 0; i < 10; i++) {
        if (i) sioc_buf_putc(&b, ',');
        sioc_buf_puts(&b, "{\"MessageId\":\"a1d975b9-48d4-4166-9b43-f09ff08dbe4");
        sioc_buf_put_u64(&b, i);
        sioc_buf_puts(&b, "\",\"ReceiptHandle\":\"AQEBwJnKyrHigUMZj6rYigCgxlaS3SLy0a5f+Ye3n9Zwu7ALrLYo/TC5Pd9j2p4eN7"
                          "kcWq8HjX2LK7pNeQE7pZgx+1wGpgEjJAT9y2i0l6N1z==");
        sioc_buf_put_u64(&b, i);
        sioc_buf_puts(&b, "\",\"MD5OfBody\":\"c9f0f895fb98ab9159f51fd0297e236d\",\"Body\":\"8\","
                          "\"MD5OfMessageAttributes\":\"5b7e8f25c705d39a30fcefd4b123c67c\",\"MessageAttributes\":{"
                          "\"nsp\":{\"DataType\":\"String\",\"StringValue\":\"/\"},"
                          "\"uid\":{\"DataType\":\"String\",\"StringValue\":\"40a189265d7d5a3d\"},"
                          "\"requesterUid\":{\"DataType\":\"String\",\"StringValue\":\"edacffcfacfe18fb\"},"
                          "\"data\":{\"DataType\":\"Binary\",\"BinaryValue\":\"");
        sioc_buf_put(&b, b64, blen);
        sioc_buf_puts(&b, "\"}}}");
    }
    sioc_buf_puts(&b, "]}");
    if (sioc_buf_result(&b) != SIOC_OK) abort();
    *out_len = b.len;
    return mem;
}

/* ---- the client against a scripted peer ---- */

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
    return 1795412875;
}

typedef struct client_ctx {
    sioc_aws_client c;
    sioc_aws_call call;
    sioc_aws_attr attrs[3];
    char body[4096], reply[4096];
    int conn;
} client_ctx;

static const char k_reply[] =
    "HTTP/1.1 200 OK\r\ncontent-type: text/xml\r\ncontent-length: 293\r\nDate: Mon, 23 Nov 2026 05:47:55 GMT\r\n"
    "Connection: keep-alive\r\n\r\n"
    "<PublishResponse xmlns=\"http://sns.amazonaws.com/doc/2010-03-31/\">\n  <PublishResult>\n"
    "    <MessageId>a2b7da85-0413-4acd-a974-687bb20dcc3b</MessageId>\n  </PublishResult>\n  <ResponseMetadata>\n"
    "    <RequestId>cbd659b4-5d42-4919-9139-2e36743fd5bd</RequestId>\n  </ResponseMetadata>\n</PublishResponse>\n";

static void do_client(void *arg) {
    client_ctx *x = (client_ctx *)arg;
    sioc_http_io_event ev;
    sioc_aws_call *done = NULL;
    const uint8_t *p;
    size_t n;
    if (sioc_aws_sns_publish(&x->c, &x->call, sioc_str_c(TOPIC), sioc_str_c("3"), x->attrs, 3, 0) != SIOC_OK) abort();
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
    if (sioc_http_conn_feed(&x->c.http, x->conn, k_reply, sizeof k_reply - 1, 0, NULL) != SIOC_OK) abort();
    if (sioc_aws_next(&x->c, 0, &done) != SIOC_OK || done != &x->call || x->call.result != SIOC_OK) abort();
}

int main(int argc, char **argv) {
    double secs = argc > 1 ? atof(argv[1]) : 0.5;
    static pub_ctx pc;
    static recv_ctx rc;
    static client_ctx cc;
    double us;
    size_t before;
    long i;

    memset(&pc, 0, sizeof pc);
    pc.attrs[0].name = sioc_str_c("nsp");
    pc.attrs[0].type = SIOC_AWS_ATTR_STRING;
    pc.attrs[0].value.ptr = (const uint8_t *)"/";
    pc.attrs[0].value.len = 1;
    pc.attrs[1].name = sioc_str_c("uid");
    pc.attrs[1].type = SIOC_AWS_ATTR_STRING;
    pc.attrs[1].value.ptr = (const uint8_t *)"edacffcfacfe18fb";
    pc.attrs[1].value.len = 16;
    pc.attrs[2].name = sioc_str_c("data");
    pc.attrs[2].type = SIOC_AWS_ATTR_BINARY;
    pc.attrs[2].value.ptr = k_data;
    pc.attrs[2].value.len = sizeof k_data;
    pc.creds.access_key_id = sioc_str_c("AKIAIOSFODNN7EXAMPLE");
    pc.creds.secret_access_key = sioc_str_c("wJalrXUtnFEMI/K7MDENG/bPxRfiCYEXAMPLEKEY");
    pc.t = 1795412875;
    if (sioc_aws_endpoint_default(SIOC_AWS_SNS, "us-east-1", &pc.ep) != SIOC_OK) return 1;

    printf("%-44s %10s\n", "aws (bench/bench_aws.c)", "us/op");
    pc.use_cache = 1;
    us = us_per_call(do_publish, &pc, secs);
    printf("%-44s %10.2f\n", "signed Publish (body+SigV4+head, key cached)", us);
    pc.use_cache = 0;
    us = us_per_call(do_publish, &pc, secs);
    printf("%-44s %10.2f\n", "signed Publish, first of the day (key derived)", us);

    rc.json = make_reply(&rc.len);
    us = us_per_call(do_receive, &rc, secs);
    printf("%-44s %10.2f  (%u-byte reply)\n", "parsed ReceiveMessage of 10 messages", us, (unsigned)rc.len);

    {
        sioc_aws_desc desc;
        memset(&desc, 0, sizeof desc);
        desc.region = "us-east-1";
        desc.credentials = pc.creds;
        desc.sns_endpoint = "http://127.0.0.1:4566";
        desc.sqs_endpoint = "http://127.0.0.1:4566";
        desc.utc_now = fixed_utc;
        desc.http.allocator.alloc = count_alloc;
        desc.http.allocator.free = count_free;
        desc.http.conns_per_endpoint = 1;
        if (sioc_aws_client_init(&cc.c, &desc) != SIOC_OK) return 1;
        memcpy(cc.attrs, pc.attrs, sizeof cc.attrs);
        cc.call.body_mem = cc.body;
        cc.call.body_cap = sizeof cc.body;
        cc.call.reply_mem = cc.reply;
        cc.call.reply_cap = sizeof cc.reply;
        do_client(&cc); /* opens the connection */
        us = us_per_call(do_client, &cc, secs);
        printf("%-44s %10.2f\n", "client Publish round trip (scripted peer)", us);
        before = g_allocs;
        for (i = 0; i < 1000; i++) do_client(&cc);
        printf("%-44s %10.3f  (%u at client init)\n", "heap allocations per steady-state request",
               (double)(g_allocs - before) / 1000.0, (unsigned)g_allocs);
        sioc_aws_client_free(&cc.c);
    }
    free(rc.json);
    return (int)(sink & 0);
}
