/* libFuzzer target for the AWS layer: every SNS (XML) and SQS (JSON) reply parser, the SQS error parser, the HTTP
   Date parser, the endpoint parser, and the SigV4 canonicaliser fed with hostile paths, queries and header values.
   Invariants besides memory safety: every returned view lies inside the input or inside the scratch buffer; a
   scratch as large as the reply is always enough (documented guarantee); signing with and without the key cache
   gives the same signature. */
#define SIO_CLUSTER_IMPLEMENTATION
#include "sio_cluster.h"

#include <stdlib.h>

#define FZ_ASSERT(x)         \
    do {                     \
        if (!(x)) abort();   \
    } while (0)

static const char *fz_in, *fz_scratch;
static size_t fz_len, fz_scratch_cap;

static void fz_view(const void *p, size_t n) {
    const char *s = (const char *)p;
    if (n == 0) return;
    FZ_ASSERT((s >= fz_in && n <= fz_len && (size_t)(s - fz_in) <= fz_len - n) ||
              (s >= fz_scratch && n <= fz_scratch_cap && (size_t)(s - fz_scratch) <= fz_scratch_cap - n));
}
static void fz_str(sioc_str s) { fz_view(s.ptr, s.len); }

static void fz_batch(const sioc_aws_batch_result *b) {
    size_t i;
    FZ_ASSERT(b->count <= SIOC_AWS_MAX_BATCH && b->failed <= b->count);
    for (i = 0; i < b->count; i++) {
        fz_str(b->items[i].id);
        fz_str(b->items[i].message_id);
        fz_str(b->items[i].code);
        fz_str(b->items[i].message);
    }
}

/* What a member does with a reply's failed entries: keep them in the batch it sent (Ids m0..m9) to send again. */
static void fz_retain(const sioc_aws_batch_result *b) {
    static char body[4096];
    sioc_sns_batch_entry e[SIOC_AWS_MAX_BATCH];
    char ids[SIOC_AWS_MAX_BATCH][3];
    sioc_str failed[SIOC_AWS_MAX_BATCH];
    size_t i, n = 0, len;
    sioc_buf w;
    sioc_result r;
    for (i = 0; i < SIOC_AWS_MAX_BATCH; i++) {
        ids[i][0] = 'm', ids[i][1] = (char)('0' + (int)i), ids[i][2] = 0;
        memset(&e[i], 0, sizeof e[i]);
        e[i].id = sioc_str_c(ids[i]);
        e[i].message = sioc_str_c("2");
    }
    for (i = 0; i < b->count; i++)
        if (b->items[i].failed) failed[n++] = b->items[i].id;
    sioc_buf_init(&w, body, sizeof body);
    FZ_ASSERT(sioc_sns_write_publish_batch(&w, sioc_str_c("arn:aws:sns:us-east-1:1:t"), e, SIOC_AWS_MAX_BATCH) == SIOC_OK);
    len = w.len;
    r = sioc_sns_publish_batch_retain(&w, failed, n);
    FZ_ASSERT(r == SIOC_OK || r == SIOC_ERR_NOT_FOUND);
    FZ_ASSERT(r == SIOC_OK ? w.len <= len : w.len == len);
}

static void fz_error(const sioc_aws_error *e) {
    FZ_ASSERT(memchr(e->code, 0, sizeof e->code) && memchr(e->message, 0, sizeof e->message) &&
              memchr(e->request_id, 0, sizeof e->request_id) && memchr(e->legacy_code, 0, sizeof e->legacy_code));
}

static void fz_sns(const char *t, size_t n, char *scratch) {
    sioc_buf sb;
    sioc_str v;
    sioc_aws_batch_result br;
    sioc_sns_subscription subs[8];
    sioc_aws_error e;
    size_t count = 0, i;
    sioc_result r;
#define FZ_SB() sioc_buf_init(&sb, scratch, n)
    FZ_SB();
    r = sioc_sns_parse_create_topic(t, n, &sb, &v);
    FZ_ASSERT(r != SIOC_ERR_BUFFER_TOO_SMALL);
    if (r == SIOC_OK) fz_str(v);
    FZ_SB();
    r = sioc_sns_parse_subscribe(t, n, &sb, &v);
    FZ_ASSERT(r != SIOC_ERR_BUFFER_TOO_SMALL);
    if (r == SIOC_OK) fz_str(v);
    FZ_SB();
    r = sioc_sns_parse_publish(t, n, &sb, &v);
    FZ_ASSERT(r != SIOC_ERR_BUFFER_TOO_SMALL);
    if (r == SIOC_OK) fz_str(v);
    (void)sioc_sns_parse_unsubscribe(t, n);
    FZ_SB();
    r = sioc_sns_parse_publish_batch(t, n, &sb, &br);
    FZ_ASSERT(r != SIOC_ERR_BUFFER_TOO_SMALL);
    if (r == SIOC_OK) fz_batch(&br), fz_retain(&br);
    FZ_SB();
    r = sioc_sns_parse_list_subscriptions(t, n, &sb, subs, 8, &count, &v);
    FZ_ASSERT(r != SIOC_ERR_BUFFER_TOO_SMALL || count > 8);
    if (r == SIOC_OK) {
        fz_str(v);
        for (i = 0; i < count; i++) {
            fz_str(subs[i].subscription_arn);
            fz_str(subs[i].endpoint);
            fz_str(subs[i].topic_arn);
            fz_str(subs[i].owner);
            fz_str(subs[i].protocol);
        }
    }
    r = sioc_sns_parse_error(t, n, &e);
    fz_error(&e);
#undef FZ_SB
}

static sioc_json_tok fz_toks[4096];
static sioc_sqs_message fz_msgs[32];

static void fz_sqs(const char *t, size_t n, char *scratch) {
    sioc_json d;
    sioc_buf sb;
    sioc_str v, urls[32];
    sioc_aws_kv kv[32];
    sioc_aws_batch_result br;
    sioc_aws_error e;
    size_t count = 0, i, k;
    sioc_result r;
    sioc_str qe;
    /* the first line doubles as an x-amzn-query-error header */
    qe.ptr = t;
    qe.len = 0;
    while (qe.len < n && qe.len < 80 && t[qe.len] != '\n') qe.len++;
    r = sioc_sqs_parse_error(t, n, qe, &e);
    fz_error(&e);
    if (sioc_json_parse(&d, t, n, fz_toks, sizeof fz_toks / sizeof fz_toks[0]) != SIOC_OK) return;
#define FZ_SB() sioc_buf_init(&sb, scratch, n)
    FZ_SB();
    r = sioc_sqs_parse_create_queue(&d, &sb, &v);
    FZ_ASSERT(r != SIOC_ERR_BUFFER_TOO_SMALL);
    if (r == SIOC_OK) fz_str(v);
    FZ_SB();
    r = sioc_sqs_parse_queue_attribute(&d, "QueueArn", &sb, &v);
    FZ_ASSERT(r != SIOC_ERR_BUFFER_TOO_SMALL);
    if (r == SIOC_OK) fz_str(v);
    FZ_SB();
    r = sioc_sqs_parse_receive_message(&d, &sb, fz_msgs, 32, &count);
    FZ_ASSERT(r != SIOC_ERR_BUFFER_TOO_SMALL || count > 32);
    if (r == SIOC_OK) {
        FZ_ASSERT(count <= 32);
        for (i = 0; i < count; i++) {
            const sioc_sqs_message *m = &fz_msgs[i];
            fz_str(m->message_id);
            fz_str(m->receipt_handle);
            fz_str(m->body);
            fz_str(m->md5_of_body);
            fz_str(m->md5_of_attrs);
            FZ_ASSERT(m->attr_count <= SIOC_AWS_MAX_ATTRS);
            for (k = 0; k < m->attr_count; k++) {
                fz_str(m->attrs[k].name);
                fz_view(m->attrs[k].value.ptr, m->attrs[k].value.len);
            }
        }
    }
    FZ_SB();
    r = sioc_sqs_parse_batch(&d, &sb, &br);
    FZ_ASSERT(r != SIOC_ERR_BUFFER_TOO_SMALL);
    if (r == SIOC_OK) fz_batch(&br);
    FZ_SB();
    r = sioc_sqs_parse_list_queues(&d, &sb, urls, 32, &count, &v);
    FZ_ASSERT(r != SIOC_ERR_BUFFER_TOO_SMALL || count > 32);
    if (r == SIOC_OK)
        for (i = 0; i < count; i++) fz_str(urls[i]);
    FZ_SB();
    r = sioc_sqs_parse_list_queue_tags(&d, &sb, kv, 32, &count);
    FZ_ASSERT(r != SIOC_ERR_BUFFER_TOO_SMALL || count > 32);
    if (r == SIOC_OK)
        for (i = 0; i < count; i++) {
            fz_str(kv[i].key);
            fz_str(kv[i].value);
        }
#undef FZ_SB
}

/* Split the input in three: path, a header value, a query name=value; sign. */
static void fz_sign(const char *t, size_t n) {
    sioc_sigv4_params p;
    sioc_sigv4_request q;
    sioc_sigv4_pair h[3], qp[2];
    sioc_sigv4_result r1, r2;
    sioc_sigv4_key_cache cache;
    char a1[1024], a2[1024];
    sioc_buf b1, b2;
    size_t third = n / 3;
    sioc_result x1, x2;
    memset(&p, 0, sizeof p);
    p.creds.access_key_id = sioc_str_c("AKIDEXAMPLE");
    p.creds.secret_access_key = sioc_str_c("wJalrXUtnFEMI/K7MDENG+bPxRfiCYEXAMPLEKEY");
    p.region = sioc_str_c("us-east-1");
    p.service = sioc_str_c("sqs");
    p.unix_time = 1440938160 + (int64_t)(n * 7919);
    h[0].name = sioc_str_c("Host");
    h[0].value = sioc_str_c("example.amazonaws.com");
    h[1].name = sioc_str_c("X-Fuzz");
    h[1].value.ptr = t + third;
    h[1].value.len = third;
    h[2].name = sioc_str_c("x-fuzz");
    h[2].value.ptr = t;
    h[2].value.len = third / 2;
    qp[0].name.ptr = t + 2 * third;
    qp[0].name.len = (n - 2 * third) / 2;
    qp[0].value.ptr = t + 2 * third + qp[0].name.len;
    qp[0].value.len = n - 2 * third - qp[0].name.len;
    qp[1] = qp[0];
    qp[1].value.len /= 2;
    memset(&q, 0, sizeof q);
    q.method = sioc_str_c("POST");
    q.path.ptr = t;
    q.path.len = third;
    q.query = qp;
    q.query_count = 2;
    q.headers = h;
    q.header_count = 3;
    q.payload.ptr = (const uint8_t *)t;
    q.payload.len = n;
    memset(&cache, 0, sizeof cache);
    sioc_buf_init(&b1, a1, sizeof a1);
    sioc_buf_init(&b2, a2, sizeof a2);
    /* Signing dominates this target's time, so each input signs twice: with an empty cache (the key derived, as
       without one) and from the filled cache. Every 8th input size also signs without a cache. */
    x1 = sioc_sigv4_sign(&p, &q, &cache, &b1, &r1);
    x2 = sioc_sigv4_sign(&p, &q, &cache, &b2, &r2); /* from the cache */
    FZ_ASSERT(x1 == x2);
    if (x1 == SIOC_OK) FZ_ASSERT(memcmp(r1.signature, r2.signature, 65) == 0 && b1.len == b2.len);
    if (n % 8 == 0) {
        sioc_buf_init(&b2, a2, sizeof a2);
        x2 = sioc_sigv4_sign(&p, &q, NULL, &b2, &r2);
        FZ_ASSERT(x1 == x2);
        if (x1 == SIOC_OK) FZ_ASSERT(memcmp(r1.signature, r2.signature, 65) == 0 && b1.len == b2.len);
    }
}

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);
int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size) {
    char *t = (char *)malloc(size ? size : 1), *scratch = (char *)malloc(size ? size : 1);
    char url[320];
    int64_t when;
    sioc_aws_endpoint ep;
    if (!t || !scratch) abort();
    if (size) memcpy(t, data, size);
    fz_in = t;
    fz_len = size;
    fz_scratch = scratch;
    fz_scratch_cap = size;
    fz_sns(t, size, scratch);
    fz_sqs(t, size, scratch);
    fz_sign(t, size);
    {
        sioc_str s;
        s.ptr = t;
        s.len = size;
        if (sioc_sigv4_parse_http_date(s, &when) == SIOC_OK) {
            char d[17];
            FZ_ASSERT(sioc_sigv4_format_date(when, d) == SIOC_OK);
        }
    }
    if (size < sizeof url) {
        memcpy(url, t, size);
        url[size] = 0;
        if (sioc_aws_endpoint_parse(url, &ep) == SIOC_OK) FZ_ASSERT(ep.port != 0 && ep.host[0] != 0);
    }
    free(scratch);
    free(t);
    return 0;
}
