/* The cluster member (src/member.h) over AWS, offline: built with own_io = 1, its HTTP engine (sioc_cluster_http) is
   driven by hand (sans-I/O) by a scripted fake SNS/SQS endpoint and a fake clock, so every request, its order and
   its timing are checked exactly:
   start-up sequence (docs/AWS.md §2.1) with retention, tags and filter policy; ready only after Subscribe; receive,
   batched delete of every message; a redelivered MessageId dropped but deleted; a reply with one undecodable
   message handled one message at a time; backoff windows with a floor (5xx, throttling); QueueDoesNotExist ->
   NOT_READY, new queue, old subscription removed, READY; PublishBatch from a backlog; an auth error stops
   start-up; graceful close (ADAPTER_CLOSE, DeleteQueue, Unsubscribe); the heap is what sioc_cluster_heap_size
   says (plus the engine's block) and nothing is allocated in the steady state. */
#define SIO_CLUSTER_IMPLEMENTATION
#include "sio_cluster.h"
#include "tests/harness.h"

#include "tests/aws_fake.h"

/* ---- the member under test ---- */

static sioc_bytes t_mp(const char *p, size_t n) {
    sioc_bytes b;
    b.ptr = (const uint8_t *)p;
    b.len = n;
    return b;
}

static sioc_cluster t_m;
static sioc_node *t_n; /* sioc_cluster_node(&t_m) */
static sioc_cluster_desc t_desc;
static uint32_t t_rand_ctr;
static int t_events[64];
static size_t t_n_events;

static sioc_result t_rand(void *user, void *buf, size_t len) {
    uint8_t *p = (uint8_t *)buf;
    size_t i;
    (void)user;
    for (i = 0; i < len; i++) p[i] = (uint8_t)(0x11 * (t_rand_ctr++ % 15 + 1));
    return SIOC_OK;
}

/* Failed requests as on_error saw them. */
static sioc_cluster_error t_errs[16];
static char t_err_codes[16][64];
static size_t t_n_errs;
static void t_on_error(void *user, const sioc_cluster_error *e) {
    (void)user;
    if (t_n_errs < 16) {
        t_errs[t_n_errs] = *e;
        snprintf(t_err_codes[t_n_errs], sizeof t_err_codes[0], "%s", e->code);
        t_errs[t_n_errs].code = t_errs[t_n_errs].message = t_errs[t_n_errs].detail = NULL; /* views die with the call */
        t_n_errs++;
    }
}

static void t_drain(void) {
    sioc_node_event ev;
    while (sioc_node_next_event(t_n, &ev) == SIOC_OK)
        if (t_n_events < 64) t_events[t_n_events++] = ev.type;
}

static int t_has_event(int type, size_t from) {
    size_t i;
    for (i = from; i < t_n_events; i++)
        if (t_events[i] == type) return 1;
    return 0;
}

/* Run for ms of fake time in 1 ms steps (plenty of passes per step). */
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

static int t_log_find(const char *op, size_t from) {
    size_t i;
    for (i = from; i < f_n_log; i++)
        if (!strcmp(f_log[i], op)) return (int)i;
    return -1;
}

/* Outcomes as on_publish saw them. */
static size_t t_pub_calls, t_pub_count, t_pub_taken_n, t_pub_singles;
static uint64_t t_pub_first;
static sioc_result t_pub_result;
static void t_on_publish(void *user, uint64_t first_seq, size_t count, sioc_result result) {
    (void)user;
    if (count == 1 && result == SIOC_OK) { /* the single Publish ahead, heartbeats */
        t_pub_singles++;
        return;
    }
    t_pub_calls++;
    t_pub_first = first_seq, t_pub_count = count, t_pub_result = result;
}

static void t_desc_init(int emitter) {
    f_member_desc(&t_desc); /* no pacing: each receive at once, deleted at once (pacing: tests/test_member.c) */
    t_desc.random = t_rand;
    t_desc.on_error = t_on_error;
    t_desc.on_publish = t_on_publish;
    t_desc.node.emitter_only = emitter;
}

static int t_setup(int emitter) {
    memset(f_conn, 0, sizeof f_conn);
    f_n_log = 0;
    f_now = 1000;
    f_queue_n = 1;
    t_n_events = 0;
    t_n_errs = 0;
    t_desc_init(emitter);
    if (sioc_cluster_init(&t_m, &t_desc) != SIOC_OK) return 0;
    t_n = sioc_cluster_node(&t_m);
    f_http = sioc_cluster_http(&t_m);
    return f_http && sioc_cluster_start(&t_m, f_now) == SIOC_OK;
}

static void t_teardown(void) { sioc_cluster_free(&t_m); }

static void test_startup(void) {
    char want[320];
    CHECK(t_setup(0));
    CHECK(!t_n->ready);
    t_run(5);
    /* exactly docs/AWS.md §2.1, one step after the other, then the first publish and receive */
    CHECK(f_n_log >= 7 && f_feed_errors == 0);
    CHECK(!strcmp(f_log[0], "CreateTopic") && !strcmp(f_log[1], "CreateQueue") &&
          !strcmp(f_log[2], "GetQueueAttributes") && !strcmp(f_log[3], "SetQueueAttributes") &&
          !strcmp(f_log[4], "Subscribe"));
    CHECK(t_log_count("Publish", 5) == 1 && t_log_count("ReceiveMessage", 5) == 1);
    CHECK(t_n->ready && sioc_cluster_get_state(&t_m) == SIOC_CLUSTER_RUNNING);
    CHECK(t_has_event(SIOC_NODE_EV_READY, 0));
    /* the queue: named after the uid, short retention, tagged; the topic: no tags (must match Node's) */
    snprintf(want, sizeof want, "{\"QueueName\":\"socket-io-%s\",\"Attributes\":{\"MessageRetentionPeriod\":\"3600\"},"
                                "\"tags\":{\"sioc-cluster\":\"socket-io\",\"sioc-node\":\"%s\",\"sioc-janitor\":\"1\"}}",
             t_n->uid, t_n->uid);
    CHECKF(!strcmp(f_last_body[1], want), "%s", f_last_body[1]);
    CHECKF(!strcmp(f_last_body[0], "Action=CreateTopic&Version=2010-03-31&Name=socket-io"), "%s", f_last_body[0]);
    /* the filter policy names the uid (form-encoded JSON) */
    CHECK(strstr(f_last_body[4], "FilterPolicyScope") != NULL && strstr(f_last_body[4], t_n->uid) != NULL &&
          strstr(f_last_body[4], "anything-but") != NULL);
    CHECK(strstr(f_last_body[4], "RawMessageDelivery") != NULL);
    CHECKF(!strcmp(f_last_body[5], "{\"QueueUrl\":\"http://127.0.0.1:4566/000000000000/q1\","
                                   "\"MessageAttributeNames\":[\"All\"],\"MaxNumberOfMessages\":10,\"WaitTimeSeconds\":20}"),
           "%s", f_last_body[5]);
    CHECK(sioc_cluster_get_stats(&t_m)->requests[SIOC_CLUSTER_OP_CREATE_TOPIC] == 1 &&
          sioc_cluster_get_stats(&t_m)->requests[SIOC_CLUSTER_OP_SUBSCRIBE] == 1);
    CHECK(sioc_cluster_idle(&t_m));
}

#define T_PEER "aaaabbbbccccdddd"
/* MD5OfBody as SQS sends it: md5("1"), md5("2") */
#define T_MD5_1 "c4ca4238a0b923820dcc509a6f75849b"
#define T_MD5_2 "c81e728d9d4c2f636f067f89cc14862c"
#define T_MSG(id, handle, body) T_MSG_MD5(id, handle, body, T_MD5_##body)
#define T_MSG_MD5(id, handle, body, md5)                                                                              \
    "{\"MessageId\":\"" id "\",\"ReceiptHandle\":\"" handle "\",\"MD5OfBody\":\"" md5 "\",\"Body\":\"" #body         \
    "\",\"MessageAttributes\":{\"nsp\":{\"DataType\":\"String\",\"StringValue\":\"/\"},\"uid\":{\"DataType\":"       \
    "\"String\",\"StringValue\":\"" T_PEER "\"}}}"

static void test_receive(void) {
    size_t mark = f_n_log, ev_mark = t_n_events, allocs = f_allocs;
    uint64_t recv0 = t_n->counters.received;
    f_n_deleted = 0;
    CHECK(f_deliver("{\"Messages\":[" T_MSG("id-1", "h-1", 1) "," T_MSG("id-2", "h-2", 2) "]}"));
    t_run(3);
    CHECK_EQ_INT(t_n->counters.received - recv0, 2);
    CHECK(t_has_event(SIOC_NODE_EV_PEER_UP, ev_mark));
    CHECK_EQ_INT(t_log_count("DeleteMessageBatch", mark), 1);
    CHECK(f_n_deleted == 2 && !strcmp(f_deleted[0], "h-1") && !strcmp(f_deleted[1], "h-2"));
    CHECK_EQ_INT(t_log_count("ReceiveMessage", mark), 1); /* the next long poll */
    /* the same MessageId again (its delete was lost): dropped, still deleted */
    mark = f_n_log;
    f_n_deleted = 0;
    CHECK(f_deliver("{\"Messages\":[" T_MSG("id-2", "h-2b", 2) "]}"));
    t_run(3);
    CHECK_EQ_INT(t_n->counters.received - recv0, 2);
    CHECK_EQ_INT(sioc_cluster_get_stats(&t_m)->redelivered, 1);
    CHECK(f_n_deleted == 1 && !strcmp(f_deleted[0], "h-2b"));
    /* one undecodable message among good ones: the good one is handled, the bad one counted, both deleted */
    f_n_deleted = 0;
    CHECK(f_deliver("{\"Messages\":[" T_MSG("id-3", "h-3", 2) ",{\"MessageId\":\"id-4\",\"ReceiptHandle\":\"h-4\","
                    "\"Body\":\"3\",\"MessageAttributes\":{\"data\":{\"DataType\":\"Binary\",\"BinaryValue\":\"*!*\"}}}]}"));
    t_run(3);
    CHECK_EQ_INT(t_n->counters.received - recv0, 3);
    CHECK_EQ_INT(sioc_cluster_get_stats(&t_m)->bad_messages, 1);
    CHECK(f_n_deleted == 2 && !strcmp(f_deleted[0], "h-3") && !strcmp(f_deleted[1], "h-4"));
    /* a body that does not match its MD5OfBody (corrupted on the way): dropped, counted, deleted alone; the good
       one beside it is handled */
    f_n_deleted = 0;
    CHECK(f_deliver("{\"Messages\":[" T_MSG_MD5("id-5", "h-5", 2, T_MD5_1) "," T_MSG("id-6", "h-6", 2) "]}"));
    t_run(3);
    CHECK_EQ_INT(t_n->counters.received - recv0, 4);
    CHECK_EQ_INT(sioc_cluster_get_stats(&t_m)->checksum_failed, 1);
    CHECK_EQ_INT(sioc_cluster_get_stats(&t_m)->bad_messages, 2);
    CHECK(f_n_deleted == 2 && !strcmp(f_deleted[0], "h-5") && !strcmp(f_deleted[1], "h-6"));
    /* an empty long poll ends: the next one starts */
    mark = f_n_log;
    CHECK(f_deliver("{}"));
    t_run(2);
    CHECK_EQ_INT(t_log_count("ReceiveMessage", mark), 1);
    CHECK_EQ_INT(t_log_count("DeleteMessageBatch", mark), 0);
    CHECK_EQ_INT(f_allocs - allocs, 0); /* steady state: receives, deletes, publishes allocate nothing */
    CHECK_EQ_INT(sioc_cluster_get_stats(&t_m)->settled, 7); /* h-1, h-2, h-2b, h-3, h-4, h-5, h-6 */
}

static void test_backoff(void) {
    size_t mark = f_n_log;
    int i1, i2, i3;
    uint64_t t1, t2, t3;
    /* Publish fails with 500 twice: retried after floor + jitter within the window, the window doubling */
    snprintf(f_fail_op, sizeof f_fail_op, "Publish");
    f_fail_n = 2;
    f_fail_status = 500;
    f_fail_hdr = NULL;
    f_fail_body = "<ErrorResponse><Error><Type>Receiver</Type><Code>InternalError</Code><Message>x</Message></Error>"
                  "</ErrorResponse>";
    CHECK(sioc_node_server_side_emit(t_n, sioc_str_c("/"), t_mp("\x91\xa1x", 3), f_now) == SIOC_OK);
    t_run(1000);
    i1 = t_log_find("Publish", mark);
    i2 = i1 >= 0 ? t_log_find("Publish", (size_t)i1 + 1) : -1;
    i3 = i2 >= 0 ? t_log_find("Publish", (size_t)i2 + 1) : -1;
    CHECK(i1 >= 0 && i2 >= 0 && i3 >= 0);
    if (i3 < 0) return;
    t1 = f_log_time[i1], t2 = f_log_time[i2], t3 = f_log_time[i3];
    CHECKF(t2 - t1 >= 50 && t2 - t1 <= 250, "first retry after %llu ms", (unsigned long long)(t2 - t1));
    CHECKF(t3 - t2 >= 50 && t3 - t2 <= 450, "second retry after %llu ms", (unsigned long long)(t3 - t2));
    CHECK_EQ_INT(sioc_cluster_get_stats(&t_m)->failures[SIOC_CLUSTER_OP_PUBLISH], 2);
    CHECK_EQ_INT(t_log_count("Publish", (size_t)i3 + 1), 0); /* the third went through */
    /* throttled receive: at least 1 s before the next one */
    mark = f_n_log;
    snprintf(f_fail_op, sizeof f_fail_op, "ReceiveMessage");
    f_fail_n = 1;
    f_fail_status = 400;
    f_fail_hdr = "x-amzn-query-error: AWS.SimpleQueueService.RequestThrottled;Sender\r\n";
    f_fail_body = "{\"__type\":\"com.amazonaws.sqs#RequestThrottled\",\"message\":\"slow down\"}";
    CHECK(f_deliver("{}")); /* ends the held poll; the next ReceiveMessage is refused */
    t_run(3);
    CHECK_EQ_INT(t_log_count("ReceiveMessage", mark), 1);
    CHECK(sioc_cluster_last_error(&t_m) == SIOC_ERR_THROTTLED);
    t_run(990);
    CHECK_EQ_INT(t_log_count("ReceiveMessage", mark), 1);
    t_run(1300);
    CHECK_EQ_INT(t_log_count("ReceiveMessage", mark), 2);
    CHECK(t_n->ready);
}

static void test_queue_lost(void) {
    size_t mark = f_n_log, ev_mark = t_n_events;
    char old_name[96];
    int a, b, c, d, e;
    snprintf(old_name, sizeof old_name, "%s", sioc_cluster_queue_name(&t_m));
    snprintf(f_fail_op, sizeof f_fail_op, "ReceiveMessage");
    f_fail_n = 1;
    f_fail_status = 400;
    f_fail_hdr = "x-amzn-query-error: AWS.SimpleQueueService.NonExistentQueue;Sender\r\n";
    f_fail_body = "{\"__type\":\"com.amazonaws.sqs#QueueDoesNotExist\",\"message\":\"The specified queue does not exist.\"}";
    CHECK(f_deliver("{}"));
    t_run(400);
    CHECK(t_has_event(SIOC_NODE_EV_NOT_READY, ev_mark) && t_has_event(SIOC_NODE_EV_READY, ev_mark));
    a = t_log_find("CreateQueue", mark);
    b = t_log_find("GetQueueAttributes", mark);
    c = t_log_find("SetQueueAttributes", mark);
    d = t_log_find("Unsubscribe", mark);
    e = t_log_find("Subscribe", mark);
    CHECK(a >= 0 && a < b && b < c && c < d && d < e);
    CHECK(strcmp(old_name, sioc_cluster_queue_name(&t_m)) != 0 &&
          strncmp(sioc_cluster_queue_name(&t_m), "socket-io-", 10) == 0);
    CHECK(!strcmp(t_m.p_queue_url, "http://127.0.0.1:4566/000000000000/q2"));
    CHECK(t_n->ready && sioc_cluster_get_state(&t_m) == SIOC_CLUSTER_RUNNING &&
          sioc_cluster_get_stats(&t_m)->recreated == 1);
    CHECK(strstr(f_last_body[5], "/q2\"") != NULL); /* polling the new queue */
}

/* A backlog of n messages while Publish is held back by a failure (a 503): it goes out in PublishBatches. */
static void t_backlog(size_t n) {
    size_t i;
    snprintf(f_fail_op, sizeof f_fail_op, "Publish");
    f_fail_n = 1;
    f_fail_status = 503;
    f_fail_hdr = NULL;
    f_fail_body = "<ErrorResponse><Error><Type>Receiver</Type><Code>Unavailable</Code><Message>x</Message></Error>"
                  "</ErrorResponse>";
    CHECK(sioc_node_server_side_emit(t_n, sioc_str_c("/"), t_mp("\x91\xa1y", 3), f_now) == SIOC_OK);
    t_run(2);
    for (i = 0; i < n; i++)
        CHECK(sioc_node_server_side_emit(t_n, sioc_str_c("/"), t_mp("\x91\xa1z", 3), f_now) == SIOC_OK);
    t_pub_taken_n = (size_t)sioc_cluster_queued_seq(&t_m);
    f_n_batches = 0;
}

static void test_batch(void) {
    size_t mark = f_n_log;
    t_backlog(12);
    t_run(600);
    /* 12 waiting: a full batch of 10, then the remaining 2 */
    CHECK_EQ_INT(t_log_count("PublishBatch", mark), 2);
    CHECKF(f_n_batches == 2 && f_batches[0] == 10 && f_batches[1] == 2, "%lu batches: %lu, %lu",
           (unsigned long)f_n_batches, (unsigned long)f_batches[0], (unsigned long)f_batches[1]);
    CHECK(sioc_cluster_idle(&t_m));
    CHECK_EQ_INT(sioc_cluster_get_stats(&t_m)->published >= 13, 1);
}

static void test_batch_partial(void) {
    sioc_cluster_stats before = *sioc_cluster_get_stats(&t_m);
    const sioc_cluster_stats *st = sioc_cluster_get_stats(&t_m);
    size_t mark = f_n_log;
    /* the broker fails entries 2, 5 and 7 (InternalError, not our fault), then entry 7 again in the re-send: each
       goes again alone, renumbered, with backoff; nothing it took is sent twice */
    t_backlog(10);
    f_batch_fail_mask = (1u << 2) | (1u << 5) | (1u << 7);
    f_batch_fail_times = 2;
    f_batch_fail_sender = 0;
    t_pub_calls = t_pub_singles = 0;
    t_run(8000);
    CHECKF(f_n_batches == 3 && f_batches[0] == 10 && f_batches[1] == 3 && f_batches[2] == 1, "%lu batches",
           (unsigned long)f_n_batches);
    CHECKF(!strcmp(f_batch_ids[0], "m0,m1,m2,m3,m4,m5,m6,m7,m8,m9,"), "%s", f_batch_ids[0]);
    CHECKF(!strcmp(f_batch_ids[1], "m2,m5,m7,"), "%s", f_batch_ids[1]);
    CHECKF(!strcmp(f_batch_ids[2], "m7,"), "%s", f_batch_ids[2]);
    CHECK(strstr(f_last_body[8], "&PublishBatchRequestEntries.member.1.Id=m7&") != NULL);
    CHECK(strstr(f_last_body[8], "member.2.") == NULL);
    CHECK_EQ_INT(st->batch_resent - before.batch_resent, 4);
    CHECK_EQ_INT(st->published - before.published, 10 + t_pub_singles); /* and single Publishes */
    CHECK_EQ_INT(st->publish_failed - before.publish_failed, 0);
    CHECK_EQ_INT(st->failures[SIOC_CLUSTER_OP_PUBLISH_BATCH] - before.failures[SIOC_CLUSTER_OP_PUBLISH_BATCH], 2);
    /* one outcome for the batch, after the last re-send, all taken */
    CHECK_EQ_INT(t_pub_calls, 1);
    CHECK_EQ_INT(t_pub_count, 10);
    CHECK_EQ_INT((int)t_pub_first, (int)t_pub_taken_n - 9);
    CHECK_EQ_INT(t_pub_result, SIOC_OK);
    CHECK(sioc_cluster_published_seq(&t_m) >= t_pub_taken_n);
    CHECK(sioc_cluster_idle(&t_m));
    /* the backoff between the answers: at least the floor, never a hot loop */
    {
        int a = t_log_find("PublishBatch", mark), k = 0;
        size_t i;
        uint64_t at[3] = {0, 0, 0};
        for (i = (size_t)a; a >= 0 && i < f_n_log && k < 3; i++)
            if (!strcmp(f_log[i], "PublishBatch")) at[k++] = f_log_time[i];
        CHECKF(k == 3 && at[1] - at[0] >= 50 && at[2] - at[1] >= 50, "re-sent at +%lu, +%lu ms",
               (unsigned long)(at[1] - at[0]), (unsigned long)(at[2] - at[1]));
    }

    /* entries refused for good (SenderFault): dropped, not sent again */
    before = *st;
    t_backlog(10);
    f_batch_fail_mask = (1u << 1) | (1u << 4);
    f_batch_fail_times = 1;
    f_batch_fail_sender = 1;
    t_pub_calls = t_pub_singles = 0;
    t_run(3000);
    CHECKF(f_n_batches == 1 && f_batches[0] == 10, "%lu batches", (unsigned long)f_n_batches);
    CHECK_EQ_INT(st->batch_resent - before.batch_resent, 0);
    CHECK_EQ_INT(st->published - before.published, 8 + t_pub_singles); /* and single Publishes */
    CHECK_EQ_INT(st->publish_failed - before.publish_failed, 2);
    CHECK_EQ_INT(t_pub_calls, 1);
    CHECK_EQ_INT(t_pub_count, 10);
    CHECK(t_pub_result != SIOC_OK);
    CHECK(sioc_cluster_published_seq(&t_m) >= t_pub_taken_n);
    CHECK(sioc_cluster_idle(&t_m));
}

static void test_close(void) {
    size_t mark = f_n_log;
    int p, dq, un;
    CHECK(sioc_cluster_close(&t_m, f_now) == SIOC_OK);
    t_run(20);
    p = t_log_find("Publish", mark);
    dq = t_log_find("DeleteQueue", mark);
    un = t_log_find("Unsubscribe", mark);
    CHECK(p >= 0 && p < dq && dq < un); /* ADAPTER_CLOSE first, then the queue, then the subscription */
    CHECK(strstr(f_last_body[7], "Message=13") != NULL);
    CHECK_EQ_INT(sioc_cluster_get_state(&t_m), SIOC_CLUSTER_CLOSED);
    CHECK_EQ_INT(t_log_count("ReceiveMessage", mark), 0);
    CHECK(strcmp(sioc_cluster_queue_name(&t_m), "") == 0); /* deleted: no queue any more */
    t_teardown();
}

static void test_auth_failure(void) {
    CHECK(t_setup(0));
    snprintf(f_fail_op, sizeof f_fail_op, "CreateTopic");
    f_fail_n = 1;
    f_fail_status = 403;
    f_fail_hdr = NULL;
    f_fail_body = "<ErrorResponse><Error><Type>Sender</Type><Code>InvalidClientTokenId</Code><Message>bad key</Message>"
                  "</Error></ErrorResponse>";
    t_run(2000);
    CHECK_EQ_INT(sioc_cluster_get_state(&t_m), SIOC_CLUSTER_FAILED);
    CHECK_EQ_INT(f_n_log, 1); /* reported, not retried blindly */
    CHECK(!t_n->ready);
    CHECK(sioc_cluster_last_error(&t_m) == SIOC_ERR_AUTH);
    CHECK_EQ_INT(t_n_errs, 1);
    CHECK(t_errs[0].op == SIOC_CLUSTER_OP_CREATE_TOPIC && t_errs[0].result == SIOC_ERR_AUTH && t_errs[0].status == 403 &&
          !t_errs[0].will_retry && !strcmp(t_err_codes[0], "InvalidClientTokenId"));
    t_teardown();
}

static void test_emitter(void) {
    CHECK(t_setup(1));
    t_run(5);
    CHECK(f_n_log >= 1 && !strcmp(f_log[0], "CreateTopic"));
    CHECK_EQ_INT(t_log_count("CreateQueue", 0), 0);
    CHECK_EQ_INT(t_log_count("ReceiveMessage", 0), 0);
    CHECK_EQ_INT(sioc_cluster_get_state(&t_m), SIOC_CLUSTER_RUNNING);
    CHECK(sioc_node_broadcast(t_n, sioc_str_c("/"), NULL, t_mp("\x91\xa1w", 3), f_now) == SIOC_OK);
    t_run(5);
    CHECK(strstr(f_last_body[7], "StringValue=emitter") != NULL);
    CHECK(sioc_cluster_close(&t_m, f_now) == SIOC_OK);
    t_run(5);
    CHECK_EQ_INT(sioc_cluster_get_state(&t_m), SIOC_CLUSTER_CLOSED);
    CHECK_EQ_INT(t_log_count("DeleteQueue", 0), 0);
    t_teardown();
}

/* The heap: init takes sioc_cluster_heap_size(desc) for the node and the member plus the engine's block, and
   gives all of it back; options out of range size to 0 and fail init with SIOC_ERR_ARG. */
static void test_heap(void) {
    size_t need, before = f_bytes;
    t_desc_init(0);
    t_desc.aws.receive_buffer_size = 65536;
    need = sioc_cluster_heap_size(&t_desc);
    CHECK(need > 3 * 65536 && need < 4u * 1024u * 1024u);
    t_desc.aws.max_messages = 11;
    CHECK_EQ_INT(sioc_cluster_heap_size(&t_desc), 0);
    CHECK_EQ_INT(sioc_cluster_init(&t_m, &t_desc), SIOC_ERR_ARG);
    CHECK_EQ_INT(f_bytes, before);
    t_desc.aws.max_messages = 0;
    CHECK(sioc_cluster_init(&t_m, &t_desc) == SIOC_OK);
    CHECK(sioc_cluster_http(&t_m) != NULL);
    if (sioc_cluster_http(&t_m))
        CHECKF(f_bytes - before == need + sioc_cluster_http(&t_m)->p_mem_size, "%lu taken, %lu + %lu sized",
               (unsigned long)(f_bytes - before), (unsigned long)need,
               (unsigned long)sioc_cluster_http(&t_m)->p_mem_size);
    sioc_cluster_free(&t_m);
    CHECK_EQ_INT(f_bytes, before);
}

int main(void) {
    RUN(test_heap);
    RUN(test_startup);
    RUN(test_receive);
    RUN(test_backoff);
    RUN(test_queue_lost);
    RUN(test_batch);
    RUN(test_batch_partial);
    RUN(test_close);
    RUN(test_auth_failure);
    RUN(test_emitter);
    CHECK_EQ_INT(f_feed_errors, 0); /* every canned reply was taken whole */
    return sioc_t_report("test_cluster_aws");
}
