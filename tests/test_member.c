/* The promises of the one cluster face (src/member.h) itself, offline, over the scripted fake SNS/SQS endpoint of
   tests/aws_fake.h with a fake clock (built without the POSIX backend: the test moves the engine's bytes):
   publish sequences (sioc_cluster_queued_seq right after a broadcast, sioc_cluster_published_seq reaching it only
   once the broker answered) and on_publish with the right first_seq / count / result for accepted messages (alone
   and batched), for a publish the service refuses for good (a sender fault: dropped, reported, not retried) and
   for close giving up after shutdown_timeout_ms; init errors (receives_in_flight, http.conns_per_endpoint, missing
   credentials or connection string, no random or clock) with nothing leaked and on_error not called; the heap of
   an Azure member; free on a zeroed or freed member; start twice, close before start; the transport picked by
   AUTO; op and state names for both transports; receive pacing on a simulated queue (batches at 200/s within the
   budget, deletes held for 10 handles or 15 s, a backlog taken at once; a quiet cluster received once per idle
   wait with no live peer expired, a pending request or a message other than a heartbeat ending the wait; waits
   that leave no room for heartbeats or answers refused; publishes at 200/s batched every publish_budget_ms, a lone
   one or a full batch at once, ADAPTER_CLOSE never held). */
#define SIO_CLUSTER_IMPLEMENTATION
#include "sio_cluster.h"
#include "tests/harness.h"

#include "tests/aws_fake.h"

#define T_CS "Endpoint=sb://127.0.0.1:5672;SharedAccessKeyName=k;SharedAccessKey=c2VjcmV0;UseDevelopmentEmulator=true"

static sioc_bytes t_mp(const char *p, size_t n) {
    sioc_bytes b;
    b.ptr = (const uint8_t *)p;
    b.len = n;
    return b;
}

static uint32_t t_rand_ctr;
static sioc_result t_rand(void *user, void *buf, size_t len) {
    uint8_t *p = (uint8_t *)buf;
    size_t i;
    (void)user;
    for (i = 0; i < len; i++) p[i] = (uint8_t)(0x11 * (t_rand_ctr++ % 15 + 1));
    return SIOC_OK;
}

/* on_publish calls, in order */
typedef struct t_pub {
    uint64_t first;
    size_t count;
    sioc_result result;
    uint64_t at;
} t_pub;
static t_pub t_pubs[64];
static size_t t_n_pubs;
static void t_on_publish(void *user, uint64_t first_seq, size_t count, sioc_result result) {
    (void)user;
    if (t_n_pubs < 64) {
        t_pubs[t_n_pubs].first = first_seq;
        t_pubs[t_n_pubs].count = count;
        t_pubs[t_n_pubs].result = result;
        t_pubs[t_n_pubs].at = f_now;
        t_n_pubs++;
    }
}

/* on_error calls */
static size_t t_n_errs;
static sioc_cluster_error t_err; /* the last one (views cleared) */
static char t_err_code[64];
static void t_on_error(void *user, const sioc_cluster_error *e) {
    (void)user;
    t_n_errs++;
    t_err = *e;
    snprintf(t_err_code, sizeof t_err_code, "%s", e->code);
    t_err.code = t_err.message = t_err.detail = NULL;
}

static sioc_cluster t_m;
static sioc_node *t_n;

static sioc_cluster_desc t_aws_desc(void) {
    sioc_cluster_desc d;
    f_member_desc(&d);
    d.random = t_rand;
    d.receive_budget_ms = 0; /* receive pacing by default (what these tests are about) */
    d.on_error = t_on_error;
    d.on_publish = t_on_publish;
    d.publish_budget_ms = -1; /* each publish at once (publish pacing: test_pacing_publish) */
    return d;
}

static sioc_cluster_desc t_azure_desc(void) {
    sioc_cluster_desc d = t_aws_desc();
    memset(&d.aws, 0, sizeof d.aws);
    d.transport = SIOC_CLUSTER_AZURE;
    d.azure.connection_string = T_CS;
    d.azure.rest_url = "http://127.0.0.1:1";
    return d;
}

static void t_drain(void) {
    sioc_node_event ev;
    while (sioc_node_next_event(t_n, &ev) == SIOC_OK) {
    }
}

/* Run for ms of fake time in 1 ms steps. */
static void t_run(uint32_t ms) {
    uint32_t i;
    int k;
    for (i = 0; i <= ms; i++) {
        for (k = 0; k < 4; k++) {
            sioc_cluster_process(&t_m, f_now);
            f_pump();
            sioc_http_tick(f_http, f_now);
            t_drain();
        }
        if (i < ms) f_now++;
    }
}

static size_t t_log_count(const char *op, size_t from) {
    size_t i, c = 0;
    for (i = from; i < f_n_log; i++) c += strcmp(f_log[i], op) == 0;
    return c;
}

static int t_start(sioc_cluster_desc *d) {
    memset(f_conn, 0, sizeof f_conn);
    f_n_log = 0;
    f_now = 1000;
    f_queue_n = 1;
    f_fail_n = 0;
    t_n_pubs = 0;
    t_n_errs = 0;
    if (sioc_cluster_init(&t_m, d) != SIOC_OK) return 0;
    t_n = sioc_cluster_node(&t_m);
    f_http = sioc_cluster_http(&t_m);
    if (!f_http || sioc_cluster_start(&t_m, f_now) != SIOC_OK) return 0;
    t_run(5);
    return sioc_cluster_get_state(&t_m) == SIOC_CLUSTER_RUNNING && t_n->ready;
}

static const sioc_cluster_stats *t_st(void) { return sioc_cluster_get_stats(&t_m); }

/* Accepted messages: sequences, outcomes, on_publish, alone and in a batch. */
static void test_publish_accepted(void) {
    sioc_cluster_desc d = t_aws_desc();
    uint64_t q0, q1;
    size_t mark;
    d.shutdown_timeout_ms = 1000; /* test_close_gives_up */
    CHECK(t_start(&d));
    /* READY queued INITIAL_HEARTBEAT (sequence 1), published by now */
    CHECK_EQ_INT(sioc_cluster_queued_seq(&t_m), 1);
    CHECK_EQ_INT(sioc_cluster_published_seq(&t_m), 1);
    CHECK(t_n_pubs == 1 && t_pubs[0].first == 1 && t_pubs[0].count == 1 && t_pubs[0].result == SIOC_OK);
    CHECK(sioc_cluster_idle(&t_m));
    /* one broadcast: its sequence right after, no outcome before the broker answered */
    q0 = sioc_cluster_queued_seq(&t_m);
    CHECK(sioc_node_broadcast(t_n, sioc_str_c("/"), NULL, t_mp("\x91\xa1x", 3), f_now) == SIOC_OK);
    q1 = sioc_cluster_queued_seq(&t_m);
    CHECK_EQ_INT(q1, q0 + 1);
    CHECK_EQ_INT(sioc_cluster_published_seq(&t_m), q0);
    CHECK(!sioc_cluster_idle(&t_m));
    CHECK_EQ_INT(sioc_cluster_next_deadline(&t_m, f_now), f_now); /* work to do now */
    mark = f_n_log;
    sioc_cluster_process(&t_m, f_now); /* submitted, not yet answered */
    CHECK_EQ_INT(sioc_cluster_published_seq(&t_m), q0);
    CHECK(!sioc_cluster_idle(&t_m));
    t_run(3);
    CHECK_EQ_INT(t_log_count("Publish", mark), 1);
    CHECK_EQ_INT(sioc_cluster_published_seq(&t_m), q1);
    CHECK(t_n_pubs == 2 && t_pubs[1].first == q1 && t_pubs[1].count == 1 && t_pubs[1].result == SIOC_OK);
    CHECK(sioc_cluster_idle(&t_m));
    /* three at once: one PublishBatch, one outcome for all three */
    mark = f_n_log;
    CHECK(sioc_node_broadcast(t_n, sioc_str_c("/"), NULL, t_mp("\x91\xa1y", 3), f_now) == SIOC_OK);
    CHECK(sioc_node_broadcast(t_n, sioc_str_c("/"), NULL, t_mp("\x91\xa1y", 3), f_now) == SIOC_OK);
    CHECK(sioc_node_broadcast(t_n, sioc_str_c("/"), NULL, t_mp("\x91\xa1y", 3), f_now) == SIOC_OK);
    CHECK_EQ_INT(sioc_cluster_queued_seq(&t_m), q1 + 3);
    t_run(3);
    CHECK_EQ_INT(t_log_count("PublishBatch", mark), 1);
    CHECK_EQ_INT(sioc_cluster_published_seq(&t_m), q1 + 3);
    CHECK(t_n_pubs == 3 && t_pubs[2].first == q1 + 1 && t_pubs[2].count == 3 && t_pubs[2].result == SIOC_OK);
    CHECK_EQ_INT(t_st()->published, q1 + 3);
    CHECK_EQ_INT(t_st()->publish_failed, 0);
    CHECK_EQ_INT(t_n_errs, 0);
}

/* A publish the service refuses for good (a sender fault): dropped at once with its result, reported with
   will_retry 0, never retried; the next one goes through. */
static void test_publish_refused(void) {
    uint64_t q;
    size_t mark = f_n_log, pubs = t_n_pubs;
    snprintf(f_fail_op, sizeof f_fail_op, "Publish");
    f_fail_n = 1;
    f_fail_status = 400;
    f_fail_hdr = NULL;
    f_fail_body = "<ErrorResponse><Error><Type>Sender</Type><Code>InvalidParameter</Code><Message>bad value</Message>"
                  "</Error></ErrorResponse>";
    CHECK(sioc_node_broadcast(t_n, sioc_str_c("/"), NULL, t_mp("\x91\xa1z", 3), f_now) == SIOC_OK);
    q = sioc_cluster_queued_seq(&t_m);
    t_run(1000);
    CHECK_EQ_INT(t_log_count("Publish", mark), 1); /* not retried */
    CHECK_EQ_INT(sioc_cluster_published_seq(&t_m), q);
    CHECK(t_n_pubs == pubs + 1 && t_pubs[pubs].first == q && t_pubs[pubs].count == 1 &&
          t_pubs[pubs].result == SIOC_ERR_HTTP_STATUS);
    CHECK_EQ_INT(t_st()->publish_failed, 1);
    CHECK_EQ_INT(t_st()->failures[SIOC_CLUSTER_OP_PUBLISH], 1);
    CHECK_EQ_INT(t_n_errs, 1);
    CHECK(t_err.op == SIOC_CLUSTER_OP_PUBLISH && t_err.result == SIOC_ERR_HTTP_STATUS && t_err.status == 400 &&
          !t_err.will_retry && strcmp(t_err.op_name, "Publish") == 0 && strcmp(t_err_code, "InvalidParameter") == 0);
    CHECK_EQ_INT(sioc_cluster_get_state(&t_m), SIOC_CLUSTER_RUNNING);
    /* the next message is not held up */
    mark = f_n_log;
    CHECK(sioc_node_broadcast(t_n, sioc_str_c("/"), NULL, t_mp("\x91\xa1w", 3), f_now) == SIOC_OK);
    t_run(3);
    CHECK_EQ_INT(t_log_count("Publish", mark), 1);
    CHECK_EQ_INT(sioc_cluster_published_seq(&t_m), q + 1);
    CHECK(t_n_pubs == pubs + 2 && t_pubs[pubs + 1].first == q + 1 && t_pubs[pubs + 1].result == SIOC_OK);
}

/* A publish without an answer the broker may have taken (503): at-least-once sends it again and counts it; the
   same with publish_at_most_once drops it with its result. A throttled publish (never taken) is retried in both. */
static void test_publish_ambiguous(void) {
    int most_once;
    for (most_once = 0; most_once <= 1; most_once++) {
        sioc_cluster_desc d = t_aws_desc();
        size_t mark;
        uint64_t q;
        d.publish_at_most_once = most_once;
        CHECK(t_start(&d));
        mark = f_n_log;
        snprintf(f_fail_op, sizeof f_fail_op, "Publish");
        f_fail_n = 1;
        f_fail_status = 503;
        f_fail_hdr = NULL;
        f_fail_body = "<ErrorResponse><Error><Type>Receiver</Type><Code>ServiceUnavailable</Code><Message>x</Message>"
                      "</Error></ErrorResponse>";
        CHECK(sioc_node_broadcast(t_n, sioc_str_c("/"), NULL, t_mp("\x91\xa1u", 3), f_now) == SIOC_OK);
        q = sioc_cluster_queued_seq(&t_m);
        t_run(2000);
        CHECK_EQ_INT(sioc_cluster_published_seq(&t_m), q);
        CHECK(t_n_pubs >= 2 && t_pubs[t_n_pubs - 1].first == q);
        if (!most_once) {
            CHECK_EQ_INT(t_log_count("Publish", mark), 2);
            CHECK_EQ_INT(t_st()->ambiguous_retries, 1);
            CHECK(t_pubs[t_n_pubs - 1].result == SIOC_OK && t_st()->publish_failed == 0);
        } else {
            CHECK_EQ_INT(t_log_count("Publish", mark), 1);
            CHECK_EQ_INT(t_st()->ambiguous_retries, 0);
            CHECK(t_pubs[t_n_pubs - 1].result == SIOC_ERR_SERVER && t_st()->publish_failed == 1);
        }
        /* throttled: never taken, so retried whatever the mode */
        mark = f_n_log;
        f_fail_n = 1;
        f_fail_status = 400;
        f_fail_body = "<ErrorResponse><Error><Type>Sender</Type><Code>Throttling</Code><Message>Rate exceeded</Message>"
                      "</Error></ErrorResponse>";
        CHECK(sioc_node_broadcast(t_n, sioc_str_c("/"), NULL, t_mp("\x91\xa1u", 3), f_now) == SIOC_OK);
        q = sioc_cluster_queued_seq(&t_m);
        t_run(3000);
        CHECK_EQ_INT(t_log_count("Publish", mark), 2);
        CHECK(t_pubs[t_n_pubs - 1].first == q && t_pubs[t_n_pubs - 1].result == SIOC_OK);
        sioc_cluster_free(&t_m);
        CHECK_EQ_INT(f_bytes, 0);
    }
}

/* A reply larger than the receive buffer (a member sized for 4 KiB messages, two per receive): the next receives
   ask for one message at a time; a single message that still does not fit is dropped, counted and deleted by the
   receipt handle found at the end of the reply (kept by reply_keep_tail); the queue goes on. */
static void test_too_large(void) {
    sioc_cluster_desc d = t_aws_desc();
    static char big[40000];
    size_t mark, i, off;
    d.node.max_message_size = 4096;
    d.aws.max_messages = 2;
    d.receive_budget_ms = -1, d.receive_idle_ms = -1; /* no pacing: the next receive right away */
    CHECK(t_start(&d));
    /* two messages, 40 KB in all: the reply does not fit */
    off = (size_t)snprintf(big, sizeof big, "{\"Messages\":[{\"MessageId\":\"m1\",\"Body\":\"");
    for (i = 0; i < 20000; i++) big[off++] = 'x';
    off += (size_t)snprintf(big + off, sizeof big - off, "\",\"ReceiptHandle\":\"h-one\"},{\"MessageId\":\"m2\",\"Body\":\"");
    for (i = 0; i < 15000; i++) big[off++] = 'y';
    snprintf(big + off, sizeof big - off, "\",\"ReceiptHandle\":\"h-two\"}]}");
    mark = f_n_log;
    CHECK(f_deliver(big));
    t_run(3);
    CHECK_EQ_INT(t_st()->too_large, 0); /* several at once: not yet one message's fault */
    CHECK(t_log_count("ReceiveMessage", mark) >= 1);
    CHECKF(strstr(f_last_body[5], "\"MaxNumberOfMessages\":1") != NULL, "%s", f_last_body[5]);
    /* one message alone that does not fit: deleted by its handle, counted */
    off = (size_t)snprintf(big, sizeof big, "{\"Messages\":[{\"MessageId\":\"m1\",\"Body\":\"");
    for (i = 0; i < 30000; i++) big[off++] = 'z';
    snprintf(big + off, sizeof big - off, "\",\"ReceiptHandle\":\"h-one\"}]}");
    f_n_deleted = 0;
    mark = f_n_log;
    CHECK(f_deliver(big));
    t_run(100);
    CHECK_EQ_INT(t_st()->too_large, 1);
    CHECK(t_st()->bad_messages >= 1);
    CHECK_EQ_INT(t_log_count("DeleteMessageBatch", mark), 1);
    CHECK(f_n_deleted == 1 && strcmp(f_deleted[0], "h-one") == 0);
    CHECK(t_log_count("ReceiveMessage", mark) >= 1); /* and on */
    sioc_cluster_free(&t_m);
    CHECK_EQ_INT(f_bytes, 0);
}

/* Close while the broker fails every publish: retried until shutdown_timeout_ms, then the message in flight and
   ADAPTER_CLOSE get SIOC_ERR_TIMEOUT, and the queue and subscription are still deleted. */
static void test_close_gives_up(void) {
    uint64_t q, t_close;
    size_t mark = f_n_log, pubs = t_n_pubs, i, dropped = 0;
    uint64_t failed0 = t_st()->publish_failed;
    snprintf(f_fail_op, sizeof f_fail_op, "Publish");
    f_fail_n = 100000;
    f_fail_status = 500;
    f_fail_hdr = NULL;
    f_fail_body = "<ErrorResponse><Error><Type>Receiver</Type><Code>InternalError</Code><Message>x</Message></Error>"
                  "</ErrorResponse>";
    CHECK(sioc_node_broadcast(t_n, sioc_str_c("/"), NULL, t_mp("\x91\xa1v", 3), f_now) == SIOC_OK);
    q = sioc_cluster_queued_seq(&t_m);
    t_run(2); /* in flight, failing */
    CHECK(t_log_count("Publish", mark) >= 1);
    CHECK(t_n_errs >= 2 && t_err.will_retry == 1 && t_err.result == SIOC_ERR_SERVER);
    t_close = f_now;
    CHECK(sioc_cluster_close(&t_m, f_now) == SIOC_OK);
    CHECK_EQ_INT(sioc_cluster_get_state(&t_m), SIOC_CLUSTER_CLOSING);
    CHECK(sioc_cluster_queued_seq(&t_m) == q + 1); /* ADAPTER_CLOSE */
    t_run(990);
    CHECK_EQ_INT(t_n_pubs, pubs); /* still trying */
    CHECK(t_log_count("Publish", mark) >= 3);
    t_run(3500);
    f_fail_n = 0;
    CHECK_EQ_INT(sioc_cluster_get_state(&t_m), SIOC_CLUSTER_CLOSED);
    CHECK_EQ_INT(sioc_cluster_published_seq(&t_m), q + 1);
    CHECK(t_n_pubs > pubs);
    for (i = pubs; i < t_n_pubs; i++) {
        CHECKF(t_pubs[i].result == SIOC_ERR_TIMEOUT, "%s", sioc_strerror(t_pubs[i].result));
        CHECKF(t_pubs[i].at >= t_close + 1000 && t_pubs[i].at <= t_close + 1010, "given up after %llu ms",
               (unsigned long long)(t_pubs[i].at - t_close));
        CHECK(t_pubs[i].first == q + dropped); /* in order, nothing left out */
        dropped += t_pubs[i].count;
    }
    CHECK_EQ_INT(dropped, 2);
    CHECK_EQ_INT(t_st()->publish_failed - failed0, 2);
    CHECK_EQ_INT(t_log_count("DeleteQueue", mark), 1);
    CHECK_EQ_INT(t_log_count("Unsubscribe", mark), 1);
    sioc_cluster_free(&t_m);
    CHECK_EQ_INT(f_bytes, 0);
}

/* init refuses bad descs, releases everything taken, and never calls on_error for them. */
static void test_init_errors(void) {
    sioc_cluster_desc d;
    sioc_cluster c;
    t_n_errs = 0;
    d = t_aws_desc();
    d.receives_in_flight = SIOC_CLUSTER_MAX_RECEIVES + 1;
    CHECK_EQ_INT(sioc_cluster_init(&c, &d), SIOC_ERR_ARG);
    CHECK_EQ_INT(sioc_cluster_heap_size(&d), 0);
    d.receives_in_flight = -1;
    CHECK_EQ_INT(sioc_cluster_init(&c, &d), SIOC_ERR_ARG);
    d = t_aws_desc();
    d.http.conns_per_endpoint = 2; /* one long poll needs at least 1 + 2 */
    CHECK_EQ_INT(sioc_cluster_init(&c, &d), SIOC_ERR_ARG);
    d.receives_in_flight = 2;
    d.http.conns_per_endpoint = 3;
    CHECK_EQ_INT(sioc_cluster_init(&c, &d), SIOC_ERR_ARG);
    d.http.conns_per_endpoint = 4;
    CHECK_EQ_INT(sioc_cluster_init(&c, &d), SIOC_OK);
    sioc_cluster_free(&c);
    d = t_aws_desc();
    d.backoff_base_ms = 500;
    d.backoff_cap_ms = 100;
    CHECK_EQ_INT(sioc_cluster_init(&c, &d), SIOC_ERR_ARG);
    /* credentials */
    d = t_aws_desc();
    d.aws.credentials.secret_access_key = sioc_str_c("");
    CHECK_EQ_INT(sioc_cluster_init(&c, &d), SIOC_ERR_NOT_FOUND);
    d = t_aws_desc();
    d.aws.credentials.access_key_id = sioc_str_c("");
    CHECK_EQ_INT(sioc_cluster_init(&c, &d), SIOC_ERR_NOT_FOUND);
    d = t_azure_desc();
    d.azure.connection_string = NULL;
    CHECK_EQ_INT(sioc_cluster_init(&c, &d), SIOC_ERR_NOT_FOUND);
    d.azure.connection_string = "Endpoint=nonsense";
    CHECK(sioc_cluster_init(&c, &d) != SIOC_OK);
    /* no random, no clock: nothing to fall back on without SIOC_ENABLE_POSIX */
    d = t_aws_desc();
    d.random = NULL;
    CHECK_EQ_INT(sioc_cluster_init(&c, &d), SIOC_ERR_DEPENDENCY);
    d = t_aws_desc();
    d.utc_now = NULL;
    CHECK_EQ_INT(sioc_cluster_init(&c, &d), SIOC_ERR_DEPENDENCY);
    d = t_azure_desc();
    d.random = NULL;
    CHECK_EQ_INT(sioc_cluster_init(&c, &d), SIOC_ERR_DEPENDENCY);
    CHECK_EQ_INT(sioc_cluster_init(NULL, &d), SIOC_ERR_ARG);
    CHECK_EQ_INT(sioc_cluster_init(&c, NULL), SIOC_ERR_ARG);
    CHECK_EQ_INT(sioc_cluster_heap_size(NULL), 0);
    /* a failed init leaves a member free can take, and nothing held */
    sioc_cluster_free(&c);
    CHECK_EQ_INT(f_bytes, 0);
    CHECK_EQ_INT(t_n_errs, 0);
}

/* AWS buffers follow the desc: the reply buffer (16 KiB, SMALL 4 KiB, at least 2 KiB; a longer reply fails that
   request, which is retried), a start-up body that grows with the tags (the longest tags, each character escaped
   as JSON's \u00XX, go out whole); Service Bus's publish and settles take the same reply size. */
static void test_aws_buffers(void) {
    static char keys[20][129], vals[20][257];
    static sioc_aws_kv tags[20];
    static char big_reply[3000];
    sioc_cluster_desc d = t_aws_desc(), r;
    size_t i, plain;
    r = sioc_cluster_desc_resolved(&d);
    CHECK_EQ_INT(r.reply_buffer_size, 16384);
    sioc_cluster_desc_preset(&d, SIOC_CLUSTER_PRESET_SMALL);
    r = sioc_cluster_desc_resolved(&d);
    CHECK_EQ_INT(r.reply_buffer_size, 4096);
    d = t_aws_desc();
    d.reply_buffer_size = 2047;
    CHECK_EQ_INT(sioc_cluster_heap_size(&d), 0);
    CHECK_EQ_INT(sioc_cluster_init(&t_m, &d), SIOC_ERR_ARG);
    d.reply_buffer_size = 2048;
    plain = sioc_cluster_heap_size(&d);
    d.reply_buffer_size = 16384; /* the start-up, publish and settle replies each take 14 KiB more */
    CHECK(plain > 0 && plain + 3 * 14336 == sioc_cluster_heap_size(&d));
    /* Service Bus: the publish and the settles take it; the start-up steps keep room for an ATOM entry */
    r = t_azure_desc();
    r.reply_buffer_size = 2048;
    i = sioc_cluster_heap_size(&r);
    r.reply_buffer_size = 16384;
    CHECK(i > 0 && i + (1 + SIOC_CLUSTER_SETTLES) * 14336 == sioc_cluster_heap_size(&r));
    /* the longest tags SQS takes (128-byte keys, 256-byte values), every byte a control character */
    for (i = 0; i < 20; i++) {
        memset(keys[i], 1, 128);
        keys[i][0] = (char)('a' + i);
        memset(vals[i], 2, 256);
        tags[i].key = sioc_str_n(keys[i], 128);
        tags[i].value = sioc_str_n(vals[i], 256);
    }
    d.aws.tags = tags;
    d.aws.n_tags = 0;
    plain = sioc_cluster_heap_size(&d);
    d.aws.n_tags = 20;
    CHECK(sioc_cluster_heap_size(&d) >= plain + 20 * 6 * 384);
    CHECK(t_start(&d));
    CHECK_EQ_INT(t_log_count("CreateQueue", 0), 1);
    CHECK(strstr(f_last_body[1], "\"a\\u0001\\u0001") != NULL);
    sioc_cluster_free(&t_m);
    CHECK_EQ_INT(f_bytes, 0);
    /* a CreateTopic answer longer than the reply buffer: that request fails (reported, retried after a backoff);
       the next answer fits and the member starts */
    d = t_aws_desc();
    d.reply_buffer_size = 2048;
    memset(big_reply, ' ', sizeof big_reply - 1);
    memcpy(big_reply, "<CreateTopicResponse>", 21);
    memset(f_conn, 0, sizeof f_conn);
    f_n_log = t_n_errs = 0;
    snprintf(f_fail_op, sizeof f_fail_op, "CreateTopic");
    f_fail_n = 1;
    f_fail_status = 200;
    f_fail_body = big_reply;
    f_fail_hdr = NULL;
    CHECK_EQ_INT(sioc_cluster_init(&t_m, &d), SIOC_OK);
    t_n = sioc_cluster_node(&t_m);
    f_http = sioc_cluster_http(&t_m);
    CHECK(sioc_cluster_start(&t_m, f_now) == SIOC_OK);
    t_run(5000);
    CHECK_EQ_INT(t_log_count("CreateTopic", 0), 2);
    CHECK_EQ_INT(t_st()->failures[SIOC_CLUSTER_OP_CREATE_TOPIC], 1);
    CHECK(t_n_errs == 1 && t_err.will_retry == 1);
    CHECK_EQ_INT(sioc_cluster_get_state(&t_m), SIOC_CLUSTER_RUNNING);
    sioc_cluster_free(&t_m);
    CHECK_EQ_INT(f_bytes, 0);
}

/* An Azure member: its heap is what heap_size says (plus the engine's block), all of it given back. */
static void test_azure_heap(void) {
    sioc_cluster_desc d = t_azure_desc();
    sioc_cluster c;
    size_t need = sioc_cluster_heap_size(&d);
    CHECK(need > 0);
    CHECK_EQ_INT(sioc_cluster_init(&c, &d), SIOC_OK);
    CHECK(sioc_cluster_http(&c) != NULL);
    if (sioc_cluster_http(&c))
        CHECKF(f_bytes == need + sioc_cluster_http(&c)->p_mem_size, "%lu taken, %lu + %lu sized",
               (unsigned long)f_bytes, (unsigned long)need, (unsigned long)sioc_cluster_http(&c)->p_mem_size);
    CHECK_EQ_INT(sioc_cluster_get_transport(&c), SIOC_CLUSTER_AZURE);
    CHECK_EQ_INT(sioc_cluster_get_state(&c), SIOC_CLUSTER_IDLE);
    CHECK(strcmp(sioc_cluster_queue_name(&c), "") == 0); /* named at start */
    sioc_cluster_free(&c);
    CHECK_EQ_INT(f_bytes, 0);
}

/* A zeroed member: free (twice), process and the accessors are safe; start and close say SIOC_ERR_ARG. Also after
   free, and with NULL. */
static void test_zeroed(void) {
    sioc_cluster z;
    sioc_cluster_desc d = t_aws_desc();
    memset(&z, 0, sizeof z);
    sioc_cluster_free(&z);
    sioc_cluster_free(&z);
    sioc_cluster_process(&z, 5);
    CHECK(sioc_cluster_next_deadline(&z, 5) == UINT64_MAX);
    CHECK_EQ_INT(sioc_cluster_idle(&z), 1);
    CHECK_EQ_INT(sioc_cluster_start(&z, 5), SIOC_ERR_ARG);
    CHECK_EQ_INT(sioc_cluster_close(&z, 5), SIOC_ERR_ARG);
    CHECK(strcmp(sioc_cluster_queue_name(&z), "") == 0);
    CHECK_EQ_INT(sioc_cluster_queued_seq(&z), 0);
    CHECK_EQ_INT(sioc_cluster_published_seq(&z), 0);
    CHECK(sioc_cluster_http(&z) == NULL);
    /* freed */
    CHECK_EQ_INT(sioc_cluster_init(&z, &d), SIOC_OK);
    sioc_cluster_free(&z);
    sioc_cluster_free(&z);
    CHECK_EQ_INT(sioc_cluster_start(&z, 5), SIOC_ERR_ARG);
    CHECK(sioc_cluster_http(&z) == NULL);
    CHECK_EQ_INT(f_bytes, 0);
    /* NULL */
    sioc_cluster_free(NULL);
    sioc_cluster_process(NULL, 5);
    CHECK_EQ_INT(sioc_cluster_start(NULL, 5), SIOC_ERR_ARG);
    CHECK_EQ_INT(sioc_cluster_close(NULL, 5), SIOC_ERR_ARG);
    CHECK_EQ_INT(sioc_cluster_get_state(NULL), SIOC_CLUSTER_CLOSED);
    CHECK(sioc_cluster_node(NULL) == NULL && sioc_cluster_get_stats(NULL) == NULL);
    CHECK(strcmp(sioc_cluster_op_name(NULL, SIOC_CLUSTER_OP_RECEIVE), "?") == 0);
}

/* start twice; close before start; start after close. */
static void test_states(void) {
    sioc_cluster_desc d = t_aws_desc();
    CHECK(t_start(&d));
    CHECK_EQ_INT(sioc_cluster_start(&t_m, f_now), SIOC_ERR_STATE);
    CHECK_EQ_INT(sioc_cluster_get_state(&t_m), SIOC_CLUSTER_RUNNING);
    sioc_cluster_free(&t_m);
    /* close before start: CLOSED at once, nothing sent */
    f_n_log = 0;
    CHECK_EQ_INT(sioc_cluster_init(&t_m, &d), SIOC_OK);
    f_http = sioc_cluster_http(&t_m);
    t_n = sioc_cluster_node(&t_m);
    CHECK_EQ_INT(sioc_cluster_get_state(&t_m), SIOC_CLUSTER_IDLE);
    CHECK_EQ_INT(sioc_cluster_close(&t_m, f_now), SIOC_OK);
    CHECK_EQ_INT(sioc_cluster_get_state(&t_m), SIOC_CLUSTER_CLOSED);
    CHECK_EQ_INT(sioc_cluster_close(&t_m, f_now), SIOC_OK);
    t_run(50);
    CHECK_EQ_INT(f_n_log, 0);
    CHECK_EQ_INT(sioc_cluster_start(&t_m, f_now), SIOC_ERR_STATE);
    CHECK_EQ_INT(sioc_cluster_get_state(&t_m), SIOC_CLUSTER_CLOSED);
    sioc_cluster_free(&t_m);
    CHECK_EQ_INT(f_bytes, 0);
}

/* AUTO: Azure with a connection string, AWS without. */
static void test_auto(void) {
    sioc_cluster_desc d = t_azure_desc();
    sioc_cluster c;
    d.transport = SIOC_CLUSTER_AUTO;
    CHECK_EQ_INT(sioc_cluster_desc_resolved(&d).transport, SIOC_CLUSTER_AZURE);
    CHECK_EQ_INT(sioc_cluster_init(&c, &d), SIOC_OK);
    CHECK_EQ_INT(sioc_cluster_get_transport(&c), SIOC_CLUSTER_AZURE);
    sioc_cluster_free(&c);
    d = t_aws_desc();
    d.transport = SIOC_CLUSTER_AUTO;
    CHECK_EQ_INT(sioc_cluster_desc_resolved(&d).transport, SIOC_CLUSTER_AWS);
    CHECK(strcmp(sioc_cluster_desc_resolved(&d).topic_name, "socket-io") == 0);
    CHECK_EQ_INT(sioc_cluster_init(&c, &d), SIOC_OK);
    CHECK_EQ_INT(sioc_cluster_get_transport(&c), SIOC_CLUSTER_AWS);
    sioc_cluster_free(&c);
    CHECK_EQ_INT(f_bytes, 0);
}

static void test_names(void) {
    sioc_cluster_desc d = t_aws_desc();
    sioc_cluster c;
    CHECK_EQ_INT(sioc_cluster_init(&c, &d), SIOC_OK);
    CHECK(strcmp(sioc_cluster_op_name(&c, SIOC_CLUSTER_OP_CREATE_TOPIC), "CreateTopic") == 0);
    CHECK(strcmp(sioc_cluster_op_name(&c, SIOC_CLUSTER_OP_CREATE_QUEUE), "CreateQueue") == 0);
    CHECK(strcmp(sioc_cluster_op_name(&c, SIOC_CLUSTER_OP_QUEUE_ARN), "GetQueueAttributes") == 0);
    CHECK(strcmp(sioc_cluster_op_name(&c, SIOC_CLUSTER_OP_QUEUE_POLICY), "SetQueueAttributes") == 0);
    CHECK(strcmp(sioc_cluster_op_name(&c, SIOC_CLUSTER_OP_SUBSCRIBE), "Subscribe") == 0);
    CHECK(strcmp(sioc_cluster_op_name(&c, SIOC_CLUSTER_OP_RECEIVE), "ReceiveMessage") == 0);
    CHECK(strcmp(sioc_cluster_op_name(&c, SIOC_CLUSTER_OP_SETTLE), "DeleteMessageBatch") == 0);
    CHECK(strcmp(sioc_cluster_op_name(&c, SIOC_CLUSTER_OP_PUBLISH), "Publish") == 0);
    CHECK(strcmp(sioc_cluster_op_name(&c, SIOC_CLUSTER_OP_PUBLISH_BATCH), "PublishBatch") == 0);
    CHECK(strcmp(sioc_cluster_op_name(&c, SIOC_CLUSTER_OP_DELETE_QUEUE), "DeleteQueue") == 0);
    CHECK(strcmp(sioc_cluster_op_name(&c, SIOC_CLUSTER_OP_UNSUBSCRIBE), "Unsubscribe") == 0);
    CHECK(strcmp(sioc_cluster_op_name(&c, -1), "?") == 0);
    CHECK(strcmp(sioc_cluster_op_name(&c, SIOC_CLUSTER_OP_COUNT), "?") == 0);
    sioc_cluster_free(&c);
    d = t_azure_desc();
    CHECK_EQ_INT(sioc_cluster_init(&c, &d), SIOC_OK);
    CHECK(strcmp(sioc_cluster_op_name(&c, SIOC_CLUSTER_OP_GET_TOPIC), "GetTopic") == 0);
    CHECK(strcmp(sioc_cluster_op_name(&c, SIOC_CLUSTER_OP_CREATE_TOPIC), "CreateTopic") == 0);
    CHECK(strcmp(sioc_cluster_op_name(&c, SIOC_CLUSTER_OP_SUBSCRIBE), "CreateSubscription") == 0);
    CHECK(strcmp(sioc_cluster_op_name(&c, SIOC_CLUSTER_OP_RECEIVE), "Receive") == 0);
    CHECK(strcmp(sioc_cluster_op_name(&c, SIOC_CLUSTER_OP_SETTLE), "Complete") == 0);
    CHECK(strcmp(sioc_cluster_op_name(&c, SIOC_CLUSTER_OP_UNLOCK), "Unlock") == 0);
    CHECK(strcmp(sioc_cluster_op_name(&c, SIOC_CLUSTER_OP_PUBLISH), "Send") == 0);
    CHECK(strcmp(sioc_cluster_op_name(&c, SIOC_CLUSTER_OP_DELETE_QUEUE), "DeleteSubscription") == 0);
    CHECK(strcmp(sioc_cluster_op_name(&c, 99), "?") == 0);
    sioc_cluster_free(&c);
    CHECK(strcmp(sioc_cluster_state_name(SIOC_CLUSTER_IDLE), "IDLE") == 0);
    CHECK(strcmp(sioc_cluster_state_name(SIOC_CLUSTER_RUNNING), "RUNNING") == 0);
    CHECK(strcmp(sioc_cluster_state_name(SIOC_CLUSTER_FAILED), "FAILED") == 0);
    CHECK(strcmp(sioc_cluster_state_name(-1), "?") == 0 && strcmp(sioc_cluster_state_name(6), "?") == 0);
    CHECK_EQ_INT(f_bytes, 0);
}

/* ---- receive pacing (AWS): a simulated queue behind the fake endpoint ---- */

#define T_PEER "aaaabbbbccccdddd"
#define T_QMAX 4096
static uint64_t t_q_at[T_QMAX];   /* when each message entered the queue */
static int t_q_type[T_QMAX];      /* SNS Message: 2 heartbeat, 1 initial heartbeat */
static size_t t_q_head, t_q_tail; /* [head, tail) still in the queue */
static uint64_t t_q_max_wait;     /* longest a message sat in the queue before a receive took it */
static size_t t_q_batches;        /* non-empty receive replies */

static void t_q_reset(void) {
    t_q_head = t_q_tail = 0;
    t_q_max_wait = 0;
    t_q_batches = 0;
}

static void t_q_push(int type) {
    if (t_q_tail < T_QMAX) t_q_at[t_q_tail] = f_now, t_q_type[t_q_tail++] = type;
}

/* A held ReceiveMessage takes up to 10 queued messages (SQS answers a long poll as soon as any is there). */
static void t_q_serve(void) {
    static char json[16384];
    size_t n = 0, off, i;
    int c, held = 0;
    for (c = 0; c < F_CONNS; c++) held |= f_conn[c].open && f_conn[c].held;
    if (!held || t_q_head == t_q_tail) return;
    off = (size_t)snprintf(json, sizeof json, "{\"Messages\":[");
    for (i = t_q_head; i < t_q_tail && n < 10; i++, n++) {
        /* md5("1") / md5("2") */
        const char *md5 = t_q_type[i] == 1 ? "c4ca4238a0b923820dcc509a6f75849b" : "c81e728d9d4c2f636f067f89cc14862c";
        off += (size_t)snprintf(json + off, sizeof json - off,
                                "%s{\"MessageId\":\"id-%lu\",\"ReceiptHandle\":\"h-%lu\",\"MD5OfBody\":\"%s\","
                                "\"Body\":\"%d\","
                                "\"MessageAttributes\":{\"nsp\":{\"DataType\":\"String\",\"StringValue\":\"/\"},"
                                "\"uid\":{\"DataType\":\"String\",\"StringValue\":\"" T_PEER "\"}}}",
                                n ? "," : "", (unsigned long)i, (unsigned long)i, md5, t_q_type[i]);
        if (f_now - t_q_at[i] > t_q_max_wait) t_q_max_wait = f_now - t_q_at[i];
    }
    snprintf(json + off, sizeof json - off, "]}");
    t_q_head = i;
    t_q_batches++;
    (void)f_deliver(json);
}

/* Like t_run, serving the queue every step; `every` ms a message of `type` enters it (0: none). */
static void t_run_q(uint32_t ms, uint32_t every, int type) {
    uint32_t i;
    int k;
    for (i = 0; i <= ms; i++) {
        if (every && f_now % every == 0) t_q_push(type);
        for (k = 0; k < 4; k++) {
            sioc_cluster_process(&t_m, f_now);
            f_pump();
            t_q_serve();
            f_pump();
            sioc_http_tick(f_http, f_now);
            t_drain();
        }
        if (i < ms) f_now++;
    }
}

/* A received message is counted by its peer; PEER_DOWN events seen while draining. */
static size_t t_peer_downs;
static void t_drain_count(void) {
    sioc_node_event ev;
    while (sioc_node_next_event(t_n, &ev) == SIOC_OK) t_peer_downs += ev.type == SIOC_NODE_EV_PEER_DOWN;
}

/* Pacing at a steady rate: after a receive that was not full the next starts receive_budget_ms after it began, so
   at 200/s each receive carries several messages and no message waits longer than the budget plus the step;
   deletes wait for 10 handles; the leftover handles go within 15 s; a full receive is followed at once. */
static void test_pacing_rate(void) {
    sioc_cluster_desc d = t_aws_desc();
    size_t mark, recv, del;
    CHECK(t_start(&d));
    CHECK_EQ_INT(sioc_cluster_desc_resolved(&d).receive_budget_ms, 30);
    CHECK_EQ_INT(sioc_cluster_desc_resolved(&d).receive_idle_ms, 30);
    t_q_reset();
    t_run_q(100, 0, 0);
    mark = f_n_log;
    f_n_deleted = 0;
    t_run_q(5000, 5, 2); /* 200/s for 5 s (the fake endpoint logs 512 requests) */
    recv = t_log_count("ReceiveMessage", mark);
    del = t_log_count("DeleteMessageBatch", mark);
    CHECKF(t_q_tail >= 1000 && t_q_head + 10 >= t_q_tail, "%lu of %lu", (unsigned long)t_q_head,
           (unsigned long)t_q_tail);
    if (getenv("T_VERBOSE"))
        printf("rate: %lu messages, %lu receives, %lu deletes, max wait %lu ms\n", (unsigned long)t_q_tail,
               (unsigned long)recv, (unsigned long)del, (unsigned long)t_q_max_wait);
    CHECKF(recv * 100 <= t_q_tail * 20, "%lu receives for %lu messages", (unsigned long)recv, (unsigned long)t_q_tail);
    CHECKF(del * 100 <= t_q_tail * 11, "%lu deletes for %lu messages", (unsigned long)del, (unsigned long)t_q_tail);
    CHECKF(t_q_max_wait <= 31, "a message waited %lu ms", (unsigned long)t_q_max_wait);
    CHECK_EQ_INT(t_st()->redelivered, 0);
    /* the rate stops: what is held is deleted within 15 s, in one batch */
    t_run_q(5, 0, 0);
    CHECK(t_st()->settled < t_q_head && t_st()->settled + 10 > t_q_head); /* fewer than 10 held */
    t_run_q(14800, 0, 0);
    CHECK(t_st()->settled < t_q_head);
    t_run_q(300, 0, 0);
    CHECK_EQ_INT(t_st()->settled, t_q_head);
    /* a backlog: a full receive is followed at once, its handles deleted at once */
    mark = f_n_log;
    {
        size_t i;
        for (i = 0; i < 25; i++) t_q_push(2);
    }
    t_run_q(3, 0, 0); /* the waiting long poll takes 10, then 10 and 5 at once; the next one is paced */
    CHECK_EQ_INT(t_log_count("ReceiveMessage", mark), 2);
    CHECK_EQ_INT(t_log_count("DeleteMessageBatch", mark), 2);
    CHECK(t_q_head == t_q_tail);
    sioc_cluster_free(&t_m);
}

/* Publish pacing: at 200/s publishes go at most every publish_budget_ms, each carrying what queued meanwhile; a
   broadcast after a quiet spell and a full batch of 10 go at once; ADAPTER_CLOSE is not held. */
static void test_pacing_publish(void) {
    sioc_cluster_desc d = t_aws_desc();
    size_t mark, reqs, i;
    uint64_t q;
    d.publish_budget_ms = 0; /* the default: 20 */
    CHECK(t_start(&d));
    CHECK_EQ_INT(sioc_cluster_desc_resolved(&d).publish_budget_ms, 20);
    t_run(100);
    mark = f_n_log;
    for (i = 0; i < 200; i++) { /* 200/s for 1 s */
        CHECK(sioc_node_broadcast(t_n, sioc_str_c("/"), NULL, t_mp("\x91\xa1p", 3), f_now) == SIOC_OK);
        t_run(5);
    }
    t_run(30);
    reqs = t_log_count("Publish", mark) + t_log_count("PublishBatch", mark);
    CHECKF(reqs >= 45 && reqs <= 52, "%lu publishes for 200 broadcasts", (unsigned long)reqs);
    CHECK_EQ_INT(sioc_cluster_published_seq(&t_m), sioc_cluster_queued_seq(&t_m));
    /* a broadcast after a quiet second: at once */
    t_run(1000);
    mark = f_n_log;
    CHECK(sioc_node_broadcast(t_n, sioc_str_c("/"), NULL, t_mp("\x91\xa1q", 3), f_now) == SIOC_OK);
    q = sioc_cluster_queued_seq(&t_m);
    t_run(2);
    CHECK_EQ_INT(t_log_count("Publish", mark), 1);
    CHECK_EQ_INT(sioc_cluster_published_seq(&t_m), q);
    /* a whole batch right after it: not held */
    mark = f_n_log;
    for (i = 0; i < 10; i++)
        CHECK(sioc_node_broadcast(t_n, sioc_str_c("/"), NULL, t_mp("\x91\xa1r", 3), f_now) == SIOC_OK);
    t_run(2);
    CHECK_EQ_INT(t_log_count("PublishBatch", mark), 1);
    /* one more right after: held until 20 ms after the batch began */
    mark = f_n_log;
    CHECK(sioc_node_broadcast(t_n, sioc_str_c("/"), NULL, t_mp("\x91\xa1s", 3), f_now) == SIOC_OK);
    CHECK(sioc_cluster_next_deadline(&t_m, f_now) > f_now);
    t_run(10);
    CHECK_EQ_INT(t_log_count("Publish", mark), 0);
    t_run(12);
    CHECK_EQ_INT(t_log_count("Publish", mark), 1);
    /* closing: ADAPTER_CLOSE right after a publish is not held */
    mark = f_n_log;
    CHECK(sioc_node_broadcast(t_n, sioc_str_c("/"), NULL, t_mp("\x91\xa1t", 3), f_now) == SIOC_OK);
    t_run(25);
    CHECK(sioc_cluster_close(&t_m, f_now) == SIOC_OK);
    t_run(3);
    CHECK_EQ_INT(t_log_count("Publish", mark), 2);
    sioc_cluster_free(&t_m);
}

/* A quiet cluster (heartbeats only) with receive_idle_ms: one receive per wait whatever the number of peers; a live
   peer is never expired (its heartbeat is at most wait + interval old); a request of ours waiting for answers ends
   the wait at once; a message other than a heartbeat brings the short wait back. Out-of-range waits are refused. */
static void test_pacing_idle(void) {
    sioc_cluster_desc d = t_aws_desc();
    size_t mark, recv;
    uint32_t req = 0;
    d.receive_idle_ms = 4000;
    CHECK(t_start(&d));
    t_q_reset();
    t_peer_downs = 0;
    mark = f_n_log;
    {
        uint32_t i, k;
        for (i = 0; i < 60000; i++) { /* three peers, each heartbeating every 5 s at its own phase */
            if (f_now % 5000 == 0 || f_now % 5000 == 1700 || f_now % 5000 == 3300) t_q_push(2);
            for (k = 0; k < 2; k++) {
                sioc_cluster_process(&t_m, f_now);
                f_pump();
                t_q_serve();
                f_pump();
                sioc_http_tick(f_http, f_now);
                t_drain_count();
            }
            f_now++;
        }
    }
    recv = t_log_count("ReceiveMessage", mark);
    if (getenv("T_VERBOSE"))
        printf("idle: %lu receives, %lu deletes, max wait %lu ms\n", (unsigned long)recv,
               (unsigned long)t_log_count("DeleteMessageBatch", mark), (unsigned long)t_q_max_wait);
    CHECKF(recv <= 16, "%lu receives in an idle minute", (unsigned long)recv);
    CHECKF(t_log_count("DeleteMessageBatch", mark) <= 5, "%lu deletes",
           (unsigned long)t_log_count("DeleteMessageBatch", mark));
    CHECKF(t_q_max_wait <= 4001, "%lu", (unsigned long)t_q_max_wait);
    CHECK_EQ_INT(t_peer_downs, 0);
    CHECK_EQ_INT(sioc_node_peer_count(t_n, sioc_str_c("/")), 1);
    /* a request of ours: the quiet wait ends at once (its answers must not wait) */
    t_run_q(50, 0, 0);
    t_q_push(2);
    t_run_q(20, 0, 0); /* quiet wait running again */
    mark = f_n_log;
    t_run_q(100, 0, 0);
    CHECK_EQ_INT(t_log_count("ReceiveMessage", mark), 0);
    CHECK(sioc_node_fetch_sockets(t_n, sioc_str_c("/"), NULL, NULL, &req, f_now) == SIOC_OK && req != 0);
    CHECK_EQ_INT(sioc_node_pending_requests(t_n), 1);
    t_run_q(2, 0, 0);
    CHECK_EQ_INT(t_log_count("ReceiveMessage", mark), 1);
    /* a message that is not a heartbeat: the next receive follows the budget, not the idle wait */
    t_run_q(6000, 0, 0); /* the request times out; a long poll waits */
    mark = f_n_log;
    t_q_push(1);
    t_run_q(5, 0, 0); /* the long poll began long ago: the next one at once */
    CHECK_EQ_INT(t_log_count("ReceiveMessage", mark), 1);
    t_q_push(1);
    t_run_q(5, 0, 0); /* it brings an INITIAL_HEARTBEAT: the next is due 30 ms after it began */
    CHECK_EQ_INT(t_log_count("ReceiveMessage", mark), 1);
    t_run_q(30, 0, 0);
    CHECK_EQ_INT(t_log_count("ReceiveMessage", mark), 2);
    t_q_push(2);
    t_run_q(3000, 0, 0); /* a heartbeat only: the idle wait again */
    CHECK_EQ_INT(t_log_count("ReceiveMessage", mark), 2);
    t_run_q(1100, 0, 0);
    CHECK_EQ_INT(t_log_count("ReceiveMessage", mark), 3);
    sioc_cluster_free(&t_m);
    /* waits that would let a live peer expire or an answer come late are refused */
    d = t_aws_desc();
    d.receive_idle_ms = 4600; /* + 5000 interval + 500 > 10000 timeout */
    CHECK_EQ_INT(sioc_cluster_init(&t_m, &d), SIOC_ERR_ARG);
    d.receive_idle_ms = 0;
    d.receive_budget_ms = 3000;
    d.node.request_timeout_ms = 3000;
    CHECK_EQ_INT(sioc_cluster_init(&t_m, &d), SIOC_ERR_ARG);
    d = t_aws_desc();
    d.receive_budget_ms = -1;
    d.receive_idle_ms = 100; /* pacing off but an idle wait */
    CHECK_EQ_INT(sioc_cluster_init(&t_m, &d), SIOC_ERR_ARG);
    d.receive_budget_ms = -2;
    d.receive_idle_ms = 0;
    CHECK_EQ_INT(sioc_cluster_init(&t_m, &d), SIOC_ERR_ARG);
    CHECK_EQ_INT(f_bytes, 0);
}

int main(void) {
    RUN(test_publish_accepted);
    RUN(test_publish_refused);
    RUN(test_close_gives_up);
    RUN(test_publish_ambiguous);
    RUN(test_too_large);
    RUN(test_init_errors);
    RUN(test_aws_buffers);
    RUN(test_azure_heap);
    RUN(test_zeroed);
    RUN(test_states);
    RUN(test_auto);
    RUN(test_names);
    RUN(test_pacing_rate);
    RUN(test_pacing_idle);
    RUN(test_pacing_publish);
    CHECK_EQ_INT(f_feed_errors, 0);
    return sioc_t_report("test_member");
}
