/* A scripted fake SNS + SQS endpoint for offline tests of the cluster binding: it drives an sioc_http_client by
   hand (OPEN -> opened, request bytes out, canned replies in), logs every operation with the fake time, answers
   ReceiveMessage only when told (f_deliver), and fails the next N requests of one operation on demand. Shared by
   tests/test_cluster_aws.c and tests/fuzz/fuzz_cluster_aws.c. Everything is static (one includer per program). */
#ifndef SIOC_TESTS_AWS_FAKE_H
#define SIOC_TESTS_AWS_FAKE_H
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#if defined(__GNUC__) || defined(__clang__)
#define F_UNUSED __attribute__((unused))
#else
#define F_UNUSED
#endif
/* The fake is scaffolding: in fuzzers its compares would only feed noise to the coverage feedback and cost time
   (it scans every request), so it is left out of the coverage instrumentation. */
#define F_NOCOV
#ifdef __clang__
#if __clang_major__ >= 13
#undef F_NOCOV
#define F_NOCOV __attribute__((no_sanitize("coverage")))
#endif
#endif

#define F_CONNS 8
typedef struct fconn {
    int open;
    char in[1 << 20];
    size_t len;
    int held; /* a ReceiveMessage waiting for messages */
} fconn;

static fconn f_conn[F_CONNS];
static char f_log[512][32];
static size_t f_n_log;
static uint64_t f_log_time[512];
static char f_last_body[32][8192]; /* last body per op (by first letter hash: see f_body) */
static uint64_t f_now;

/* failure injection: the next `f_fail_n` requests of op `f_fail_op` get this reply */
static char f_fail_op[32];
static int f_fail_n, f_fail_status;
static const char *f_fail_body, *f_fail_hdr;

/* The fake clock as UTC seconds, and an allocator that counts what is held (a member's desc.utc_now and
   desc.allocator in the tests). */
F_UNUSED static int64_t f_utc(void *user) {
    (void)user;
    return 1796000000 + (int64_t)(f_now / 1000);
}
static size_t f_allocs, f_bytes; /* allocations made, bytes held */
F_UNUSED static void *f_alloc(size_t n, void *user) {
    (void)user;
    f_allocs++;
    f_bytes += n;
    return malloc(n);
}
F_UNUSED static void f_free(void *p, size_t n, void *user) {
    (void)user;
    if (p) f_bytes -= n;
    free(p);
}

F_UNUSED static sioc_result f_rand(void *user, void *buf, size_t len) {
    (void)user;
    memset(buf, 0x5a, len);
    return SIOC_OK;
}

/* An AWS member of this fake: own_io (the test moves the engine's bytes), the fake clock and allocator, no pacing. */
F_UNUSED static void f_member_desc(sioc_cluster_desc *d) {
    memset(d, 0, sizeof *d);
    d->transport = SIOC_CLUSTER_AWS;
    d->aws.region = "us-east-1";
    d->aws.credentials.access_key_id = sioc_str_c("AKIAIOSFODNN7EXAMPLE");
    d->aws.credentials.secret_access_key = sioc_str_c("wJalrXUtnFEMI/K7MDENG/bPxRfiCYEXAMPLEKEY");
    d->aws.sns_endpoint = d->aws.sqs_endpoint = "http://127.0.0.1:4566";
    d->random = f_rand;
    d->utc_now = f_utc;
    d->allocator.alloc = f_alloc;
    d->allocator.free = f_free;
    d->own_io = 1;
    d->receive_budget_ms = -1;
    d->publish_budget_ms = -1;
}

static sioc_http_client *f_http;
static size_t f_feed_errors;

F_NOCOV static int f_ieq(char a, char b) {
    if (a >= 'A' && a <= 'Z') a = (char)(a + 32);
    if (b >= 'A' && b <= 'Z') b = (char)(b + 32);
    return a == b;
}

F_NOCOV static const char *f_find_ci(const char *hay, size_t n, const char *needle) {
    size_t k = strlen(needle), i, j;
    for (i = 0; i + k <= n; i++) {
        for (j = 0; j < k && f_ieq(hay[i + j], needle[j]); j++) {
        }
        if (j == k) return hay + i;
    }
    return NULL;
}

F_NOCOV static void f_reply(int conn, int status, const char *ctype, const char *extra_hdr, const char *body) {
    static char resp[1 << 16];
    size_t used = 0;
    int n = snprintf(resp, sizeof resp, "HTTP/1.1 %d X\r\nContent-Type: %s\r\n%sContent-Length: %lu\r\n\r\n%s", status,
                     ctype, extra_hdr ? extra_hdr : "", (unsigned long)strlen(body), body);
    if (n < 0 || (size_t)n >= sizeof resp) return;
    (void)sioc_http_conn_feed(f_http, conn, resp, (size_t)n, f_now, &used);
    f_feed_errors += used != (size_t)n;
}

/* The same with a raw body of any bytes (fuzzing). */
F_NOCOV F_UNUSED static void f_reply_raw(int conn, const uint8_t *body, size_t len) {
    static char head[128];
    size_t used = 0;
    int n = snprintf(head, sizeof head, "HTTP/1.1 200 OK\r\nContent-Type: application/x-amz-json-1.0\r\n"
                                        "Content-Length: %lu\r\n\r\n", (unsigned long)len);
    (void)sioc_http_conn_feed(f_http, conn, head, (size_t)n, f_now, &used);
    if (len) (void)sioc_http_conn_feed(f_http, conn, body, len, f_now, &used);
}

F_NOCOV static int f_op_index(const char *op) {
    static const char *const ops[] = {"CreateTopic", "CreateQueue", "GetQueueAttributes", "SetQueueAttributes",
                                      "Subscribe", "ReceiveMessage", "DeleteMessageBatch", "Publish",
                                      "PublishBatch", "DeleteQueue", "Unsubscribe"};
    int i;
    for (i = 0; i < 11; i++)
        if (!strcmp(ops[i], op)) return i;
    return 31;
}

static char f_queue_url[128] = "http://127.0.0.1:4566/000000000000/q1";
static int f_queue_n = 1;
static size_t f_batches[16], f_n_batches;
/* PublishBatch: the Ids of each request ("m0,m3,"), and entries (by place, bit 0 the first) the next one fails */
static char f_batch_ids[16][64];
static unsigned f_batch_fail_mask;
static int f_batch_fail_times;  /* how many PublishBatch requests in a row fail those places */
static int f_batch_fail_sender; /* SenderFault of those failures */
static char f_deleted[64][64];
static size_t f_n_deleted;
/* Optional: every request's operation and whole body, before it is answered (tests that compare bodies). */
static void (*f_on_body)(const char *op, const char *body, size_t len);

F_NOCOV static void f_handle(int conn, const char *req, size_t hdr_len, const char *body, size_t body_len) {
    char op[32] = "";
    const char *t = f_find_ci(req, hdr_len, "x-amz-target: AmazonSQS.");
    static char b[8192];
    size_t bl = body_len < sizeof b - 1 ? body_len : sizeof b - 1;
    memcpy(b, body, bl);
    b[bl] = 0;
    if (t) {
        size_t i = 0;
        t += 24;
        while (t[i] != '\r' && i < sizeof op - 1) op[i] = t[i], i++;
        op[i] = 0;
    } else if (!strncmp(b, "Action=", 7)) {
        size_t i = 0;
        while (b[7 + i] && b[7 + i] != '&' && i < sizeof op - 1) op[i] = b[7 + i], i++;
        op[i] = 0;
    }
    if (f_n_log < 512) {
        snprintf(f_log[f_n_log], sizeof f_log[0], "%s", op);
        f_log_time[f_n_log++] = f_now;
    }
    snprintf(f_last_body[f_op_index(op)], sizeof f_last_body[0], "%s", b);
    if (f_on_body) f_on_body(op, body, body_len);
    if (f_fail_n > 0 && !strcmp(op, f_fail_op)) {
        f_fail_n--;
        f_reply(conn, f_fail_status, t ? "application/x-amz-json-1.0" : "text/xml", f_fail_hdr, f_fail_body);
        return;
    }
    if (!strcmp(op, "CreateTopic"))
        f_reply(conn, 200, "text/xml", NULL,
                "<CreateTopicResponse xmlns=\"http://sns.amazonaws.com/doc/2010-03-31/\"><CreateTopicResult>"
                "<TopicArn>arn:aws:sns:us-east-1:000000000000:socket-io</TopicArn></CreateTopicResult>"
                "</CreateTopicResponse>");
    else if (!strcmp(op, "CreateQueue")) {
        char r[256];
        snprintf(f_queue_url, sizeof f_queue_url, "http://127.0.0.1:4566/000000000000/q%d", f_queue_n++);
        snprintf(r, sizeof r, "{\"QueueUrl\":\"%s\"}", f_queue_url);
        f_reply(conn, 200, "application/x-amz-json-1.0", NULL, r);
    } else if (!strcmp(op, "GetQueueAttributes"))
        f_reply(conn, 200, "application/x-amz-json-1.0", NULL,
                "{\"Attributes\":{\"QueueArn\":\"arn:aws:sqs:us-east-1:000000000000:q\"}}");
    else if (!strcmp(op, "SetQueueAttributes") || !strcmp(op, "DeleteQueue"))
        f_reply(conn, 200, "application/x-amz-json-1.0", NULL, "{}");
    else if (!strcmp(op, "Subscribe"))
        f_reply(conn, 200, "text/xml", NULL,
                "<SubscribeResponse xmlns=\"http://sns.amazonaws.com/doc/2010-03-31/\"><SubscribeResult>"
                "<SubscriptionArn>arn:aws:sns:us-east-1:000000000000:socket-io:sub</SubscriptionArn>"
                "</SubscribeResult></SubscribeResponse>");
    else if (!strcmp(op, "Unsubscribe"))
        f_reply(conn, 200, "text/xml", NULL,
                "<UnsubscribeResponse xmlns=\"http://sns.amazonaws.com/doc/2010-03-31/\"><ResponseMetadata>"
                "<RequestId>x</RequestId></ResponseMetadata></UnsubscribeResponse>");
    else if (!strcmp(op, "Publish"))
        f_reply(conn, 200, "text/xml", NULL,
                "<PublishResponse xmlns=\"http://sns.amazonaws.com/doc/2010-03-31/\"><PublishResult>"
                "<MessageId>m</MessageId></PublishResult></PublishResponse>");
    else if (!strcmp(op, "PublishBatch")) {
        static char r[4096], fl[2048];
        char ids[10][16];
        size_t n = 0, i, fo = 0;
        const char *p = b;
        int off;
        while ((p = strstr(p, ".Id=")) != NULL && n < 10) { /* the Ids as sent */
            size_t k = 0;
            p += 4;
            while (p[k] && p[k] != '&' && k < 15) ids[n][k] = p[k], k++;
            ids[n++][k] = 0;
        }
        if (f_n_batches < 16) {
            f_batch_ids[f_n_batches][0] = 0;
            for (i = 0; i < n; i++)
                snprintf(f_batch_ids[f_n_batches] + strlen(f_batch_ids[f_n_batches]),
                         sizeof f_batch_ids[0] - strlen(f_batch_ids[f_n_batches]), "%s,", ids[i]);
            f_batches[f_n_batches++] = n;
        }
        off = snprintf(r, sizeof r, "<PublishBatchResponse xmlns=\"http://sns.amazonaws.com/doc/2010-03-31/\">"
                                    "<PublishBatchResult><Successful>");
        fl[0] = 0;
        for (i = 0; i < n; i++) {
            if (f_batch_fail_times > 0 && (f_batch_fail_mask & (1u << i)))
                fo += (size_t)snprintf(fl + fo, sizeof fl - fo, "<member><Id>%s</Id><Code>%s</Code><Message>x</Message>"
                                       "<SenderFault>%s</SenderFault></member>", ids[i],
                                       f_batch_fail_sender ? "InvalidParameter" : "InternalError",
                                       f_batch_fail_sender ? "true" : "false");
            else
                off += snprintf(r + off, sizeof r - (size_t)off, "<member><Id>%s</Id><MessageId>x%lu</MessageId>"
                                "</member>", ids[i], (unsigned long)i);
        }
        if (f_batch_fail_times > 0) f_batch_fail_times--;
        snprintf(r + off, sizeof r - (size_t)off, "</Successful><Failed>%s</Failed></PublishBatchResult>"
                 "</PublishBatchResponse>", fl);
        f_reply(conn, 200, "text/xml", NULL, r);
    } else if (!strcmp(op, "DeleteMessageBatch")) {
        static char r[1024];
        const char *p = b;
        size_t n = 0, i;
        int off;
        while ((p = strstr(p, "\"ReceiptHandle\":\"")) != NULL) {
            i = 0;
            p += 17;
            n++;
            if (f_n_deleted >= 64) continue;
            while (p[i] && p[i] != '"' && i < 63) f_deleted[f_n_deleted][i] = p[i], i++;
            f_deleted[f_n_deleted++][i] = 0;
        }
        off = snprintf(r, sizeof r, "{\"Successful\":[");
        for (i = 0; i < n && i < 10; i++) /* the ids the binding gives its entries: m0, m1, ... */
            off += snprintf(r + off, sizeof r - (size_t)off, "%s{\"Id\":\"m%lu\"}", i ? "," : "", (unsigned long)i);
        snprintf(r + off, sizeof r - (size_t)off, "],\"Failed\":[]}");
        f_reply(conn, 200, "application/x-amz-json-1.0", NULL, r);
    } else if (!strcmp(op, "ReceiveMessage")) {
        f_conn[conn].held = 1;
    } else {
        f_reply(conn, 400, "application/x-amz-json-1.0", NULL, "{\"__type\":\"x#Unknown\",\"message\":\"?\"}");
    }
}

/* Move bytes: OPEN/CLOSE, request bytes out, complete requests answered. */
F_NOCOV static void f_pump(void) {
    sioc_http_io_event io;
    int c;
    while (sioc_http_next_io(f_http, &io) == SIOC_OK) {
        if (io.type == SIOC_HTTP_IO_OPEN) {
            f_conn[io.conn].open = 1;
            f_conn[io.conn].len = 0;
            f_conn[io.conn].held = 0;
            sioc_http_conn_opened(f_http, io.conn, f_now);
        } else {
            f_conn[io.conn].open = 0;
            f_conn[io.conn].held = 0;
        }
    }
    for (c = 0; c < sioc_http_conn_count(f_http) && c < F_CONNS; c++) {
        const uint8_t *data;
        size_t n;
        const char *end, *cl;
        fconn *fc = &f_conn[c];
        if (!fc->open) continue;
        sioc_http_conn_pending(f_http, c, &data, &n);
        if (n) {
            if (fc->len + n > sizeof fc->in) n = sizeof fc->in - fc->len;
            memcpy(fc->in + fc->len, data, n);
            fc->len += n;
            sioc_http_conn_sent(f_http, c, n);
        }
        if (fc->held || !fc->len) continue;
        end = f_find_ci(fc->in, fc->len, "\r\n\r\n");
        if (!end) continue;
        cl = f_find_ci(fc->in, (size_t)(end - fc->in), "content-length: ");
        {
            size_t hdr = (size_t)(end - fc->in) + 4, blen = cl ? (size_t)strtoul(cl + 16, NULL, 10) : 0;
            if (fc->len < hdr + blen) continue;
            f_handle(c, fc->in, hdr, fc->in + hdr, blen);
            memmove(fc->in, fc->in + hdr + blen, fc->len - hdr - blen);
            fc->len -= hdr + blen;
        }
    }
}

/* Answer the (first) held ReceiveMessage with this JSON. 0 when none was waiting. */
F_NOCOV F_UNUSED static int f_deliver(const char *json) {
    int c;
    for (c = 0; c < F_CONNS; c++)
        if (f_conn[c].open && f_conn[c].held) {
            f_conn[c].held = 0;
            f_reply(c, 200, "application/x-amz-json-1.0", NULL, json);
            return 1;
        }
    return 0;
}

/* A member on a fresh fake (no connection, empty log, the clock at 1 s): init and start; SIOC_OK when both went. */
F_UNUSED static sioc_result f_member_start(sioc_cluster *c, const sioc_cluster_desc *d) {
    sioc_result r;
    memset(f_conn, 0, sizeof f_conn);
    f_n_log = 0;
    f_now = 1000;
    r = sioc_cluster_init(c, d);
    if (r != SIOC_OK) return r;
    f_http = sioc_cluster_http(c);
    return sioc_cluster_start(c, f_now);
}

/* Run that member for ms of fake time, one turn per ms. */
F_UNUSED static void f_member_run(sioc_cluster *c, uint32_t ms) {
    uint32_t i;
    for (i = 0; i < ms; i++, f_now++) sioc_cluster_process(c, f_now), f_pump(), sioc_http_tick(f_http, f_now);
}

/* Close that member, run it to CLOSED and free it: 1 when it got there, holding nothing, every reply fed cleanly. */
F_UNUSED static int f_member_finish(sioc_cluster *c) {
    int ok = sioc_cluster_close(c, f_now) == SIOC_OK;
    f_member_run(c, 50);
    ok = ok && sioc_cluster_get_state(c) == SIOC_CLUSTER_CLOSED;
    sioc_cluster_free(c);
    return ok && f_bytes == 0 && f_feed_errors == 0;
}

#endif
