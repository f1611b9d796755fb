/* A build without SNS PublishBatch (SIOC_ENABLE_PUBLISH_BATCH 0, the manual's CONFIGURATION) and without Azure,
   offline on the scripted fake SNS/SQS endpoint (tests/aws_fake.h), for a receiving member and an emitter:
   messages queued together go as that many Publish requests, in order, never a PublishBatch, each body the one
   sioc_sns_write_publish writes for the message (what the default build sends for a single message), at once
   (publish_budget_ms gathers nothing here); a throttled Publish is sent again after a backoff and taken once; a
   Publish the service refuses for good (a sender fault) drops that message alone; close publishes what is queued
   before it ends; the largest message fits the smaller request buffer. Nothing is refused: the PublishBatch codecs
   stay callable. */
#define SIOC_ENABLE_PUBLISH_BATCH 0
#define SIOC_ENABLE_AZURE 0
#define SIO_CLUSTER_IMPLEMENTATION
#include "sio_cluster.h"
#include "tests/harness.h"

#include "tests/aws_fake.h"

#define T_MAX 16
#define T_BODY 32768

/* Publish bodies as the fake got them, and those expected, in order. */
static char t_got[T_MAX][T_BODY], t_want[T_MAX][T_BODY];
static size_t t_got_len[T_MAX], t_want_len[T_MAX], t_n_got, t_n_want, t_n_batch;

static void t_on_body(const char *op, const char *body, size_t len) {
    if (!strcmp(op, "PublishBatch")) t_n_batch++;
    if (strcmp(op, "Publish") != 0 || t_n_got >= T_MAX || len > T_BODY) return;
    memcpy(t_got[t_n_got], body, len);
    t_got_len[t_n_got++] = len;
}

/* on_publish: outcomes in order */
static uint64_t t_out_first[T_MAX];
static size_t t_out_count[T_MAX], t_n_out;
static sioc_result t_out_result[T_MAX];
static void t_on_publish(void *user, uint64_t first, size_t count, sioc_result r) {
    (void)user;
    if (t_n_out >= T_MAX) return;
    t_out_first[t_n_out] = first, t_out_count[t_n_out] = count, t_out_result[t_n_out++] = r;
}

/* The body the library's single-message writer makes for queued message i, with the member's attributes: nsp,
   uid, then requesterUid and data when present. */
static void t_expect(sioc_cluster *c, size_t i) {
    sioc_node_out o;
    sioc_aws_attr a[4];
    size_t n = 0;
    sioc_buf b;
    if (t_n_want >= T_MAX || sioc_node_out_peek(sioc_cluster_node(c), i, &o) != SIOC_OK) return;
    memset(a, 0, sizeof a);
    a[n].name = sioc_str_c("nsp"), a[n].type = SIOC_AWS_ATTR_STRING;
    a[n++].value = sioc_bytes_n(o.nsp.ptr, o.nsp.len);
    a[n].name = sioc_str_c("uid"), a[n].type = SIOC_AWS_ATTR_STRING;
    a[n++].value = sioc_bytes_n(o.uid.ptr, o.uid.len);
    if (o.requester_uid.ptr)
        a[n].name = sioc_str_c("requesterUid"), a[n].type = SIOC_AWS_ATTR_STRING,
        a[n++].value = sioc_bytes_n(o.requester_uid.ptr, o.requester_uid.len);
    if (o.data.ptr) a[n].name = sioc_str_c("data"), a[n].type = SIOC_AWS_ATTR_BINARY, a[n++].value = o.data;
    sioc_buf_init(&b, t_want[t_n_want], T_BODY);
    CHECK_EQ_INT(sioc_sns_write_publish(&b, sioc_str_c("arn:aws:sns:us-east-1:000000000000:socket-io"), o.message,
                                        a, n), SIOC_OK);
    t_want_len[t_n_want++] = b.len;
}

/* Everything queued now is expected next, in order. */
static void t_expect_queued(sioc_cluster *c) {
    size_t i, n = sioc_node_out_count(sioc_cluster_node(c));
    for (i = 0; i < n; i++) t_expect(c, i);
}

/* Got body i is want body j, byte for byte, and a plain Publish. */
static void t_same(size_t i, size_t j) {
    CHECKF(i < t_n_got && j < t_n_want, "publish %lu of %lu", (unsigned long)i, (unsigned long)t_n_got);
    if (i >= t_n_got || j >= t_n_want) return;
    CHECKF(t_got_len[i] == t_want_len[j] && !memcmp(t_got[i], t_want[j], t_want_len[j]), "publish %lu: %.300s",
           (unsigned long)i, t_got[i]);
    CHECK(!strncmp(t_got[i], "Action=Publish&Version=2010-03-31&Message=", 42));
}

static void t_reset(void) {
    t_n_got = t_n_want = t_n_batch = t_n_out = 0;
    f_on_body = t_on_body;
}

static sioc_result t_emit(sioc_cluster *c, char tag) {
    uint8_t pkt[4] = {0x92, 0xa1, 'e', 0};
    pkt[3] = (uint8_t)tag; /* a positive fixint: the packet ["e", tag] */
    return sioc_node_broadcast(sioc_cluster_node(c), sioc_str_c("/"), NULL, sioc_bytes_n(pkt, sizeof pkt), f_now);
}

static sioc_result t_start(sioc_cluster *c, int emitter, uint32_t max_message_size) {
    sioc_cluster_desc d;
    f_member_desc(&d);
    d.node.emitter_only = emitter;
    d.publish_budget_ms = 50; /* would hold messages for a PublishBatch; here there is none to gather */
    d.on_publish = t_on_publish;
    d.node.max_message_size = max_message_size;
    return f_member_start(c, &d);
}

static void t_finish(sioc_cluster *c) {
    CHECK(sioc_cluster_close(c, f_now) == SIOC_OK);
    f_member_run(c, 50);
    CHECK_EQ_INT(sioc_cluster_get_state(c), SIOC_CLUSTER_CLOSED);
    sioc_cluster_free(c);
    CHECK_EQ_INT(f_bytes, 0);
    CHECK_EQ_INT(f_feed_errors, 0);
    CHECK_EQ_INT(t_n_batch, 0);
}

/* Five messages queued in one turn: five Publish requests in order, each the single-message body, within a few
   ms (no pacing wait); each has its own outcome. */
static void t_several(int emitter) {
    static sioc_cluster c;
    size_t i, mark;
    uint64_t t0;
    t_reset();
    CHECK_EQ_INT(t_start(&c, emitter, 0), SIOC_OK);
    f_member_run(&c, 20);
    CHECK_EQ_INT(sioc_cluster_get_state(&c), SIOC_CLUSTER_RUNNING);
    f_member_run(&c, 200); /* the start-up heartbeat published and answered */
    t_n_got = t_n_want = t_n_out = 0;
    mark = f_n_log, t0 = f_now;
    for (i = 0; i < 5; i++) CHECK_EQ_INT(t_emit(&c, (char)('0' + i)), SIOC_OK);
    t_expect_queued(&c);
    CHECK_EQ_INT(t_n_want, 5);
    f_member_run(&c, 30);
    CHECK_EQ_INT(t_n_got, 5);
    for (i = 0; i < 5; i++) t_same(i, i);
    for (i = mark; i < f_n_log; i++)
        CHECKF(!strcmp(f_log[i], "Publish") || !strcmp(f_log[i], "ReceiveMessage"), "%s", f_log[i]);
    CHECKF(f_log_time[f_n_log - 1] - t0 < 20, "last Publish after %lu ms",
           (unsigned long)(f_log_time[f_n_log - 1] - t0));
    CHECK_EQ_INT(t_n_out, 5);
    for (i = 0; i < t_n_out; i++)
        CHECK(t_out_count[i] == 1 && t_out_result[i] == SIOC_OK && t_out_first[i] == t_out_first[0] + i);
    CHECK_EQ_INT(sioc_cluster_published_seq(&c), sioc_cluster_queued_seq(&c));
    CHECK_EQ_INT(sioc_cluster_get_stats(&c)->batch_resent, 0);
    CHECK(!strcmp(sioc_cluster_op_name(&c, SIOC_CLUSTER_OP_PUBLISH_BATCH), "PublishBatch")); /* the name stays */
    t_finish(&c);
}

static void test_several(void) {
    t_several(0);
    t_several(1);
}

/* Throttled: sent again after the backoff and taken once, the next message behind it; a sender fault drops that
   message alone. */
static void test_refusals(void) {
    static sioc_cluster c;
    const sioc_cluster_stats *st;
    sioc_cluster_stats before;
    size_t mark;
    uint64_t t1;
    t_reset();
    CHECK_EQ_INT(t_start(&c, 0, 0), SIOC_OK);
    f_member_run(&c, 220);
    st = sioc_cluster_get_stats(&c);
    before = *st;
    t_n_got = t_n_want = t_n_out = 0;
    snprintf(f_fail_op, sizeof f_fail_op, "Publish");
    f_fail_n = 1;
    f_fail_status = 400;
    f_fail_hdr = NULL;
    f_fail_body = "<ErrorResponse><Error><Type>Sender</Type><Code>Throttling</Code><Message>Rate exceeded</Message>"
                  "</Error></ErrorResponse>";
    mark = f_n_log;
    CHECK_EQ_INT(t_emit(&c, 'a'), SIOC_OK);
    CHECK_EQ_INT(t_emit(&c, 'b'), SIOC_OK);
    t_expect_queued(&c);
    f_member_run(&c, 5);
    CHECK_EQ_INT(t_n_got, 1);
    CHECK_EQ_INT(sioc_cluster_last_error(&c), SIOC_ERR_THROTTLED);
    t1 = f_log_time[f_n_log - 1];
    f_member_run(&c, 3000);
    CHECK_EQ_INT(t_n_got, 3); /* a (refused), a again, then b */
    t_same(0, 0), t_same(1, 0), t_same(2, 1);
    CHECK(f_n_log >= mark + 3);
    if (f_n_log >= mark + 3) {
        size_t i, k = 0, at[3] = {0, 0, 0};
        for (i = mark; i < f_n_log && k < 3; i++)
            if (!strcmp(f_log[i], "Publish")) at[k++] = i;
        CHECKF(f_log_time[at[1]] - t1 >= 50, "retried after %lu ms", (unsigned long)(f_log_time[at[1]] - t1));
    }
    CHECK_EQ_INT(st->published - before.published, 2);
    CHECK_EQ_INT(st->publish_failed - before.publish_failed, 0);
    CHECK_EQ_INT(st->failures[SIOC_CLUSTER_OP_PUBLISH] - before.failures[SIOC_CLUSTER_OP_PUBLISH], 1);
    CHECK(t_n_out == 2 && t_out_result[0] == SIOC_OK && t_out_result[1] == SIOC_OK && t_out_count[0] == 1);
    /* refused for good: c dropped (reported), d published */
    t_n_got = t_n_want = t_n_out = 0;
    before = *st;
    f_fail_n = 1;
    f_fail_body = "<ErrorResponse><Error><Type>Sender</Type><Code>InvalidParameter</Code><Message>bad</Message>"
                  "</Error></ErrorResponse>";
    CHECK_EQ_INT(t_emit(&c, 'c'), SIOC_OK);
    CHECK_EQ_INT(t_emit(&c, 'd'), SIOC_OK);
    t_expect_queued(&c);
    f_member_run(&c, 3000);
    CHECK_EQ_INT(t_n_got, 2);
    t_same(0, 0), t_same(1, 1);
    CHECK_EQ_INT(st->published - before.published, 1);
    CHECK_EQ_INT(st->publish_failed - before.publish_failed, 1);
    CHECK(t_n_out == 2 && t_out_result[0] != SIOC_OK && t_out_count[0] == 1 && t_out_result[1] == SIOC_OK &&
          t_out_first[1] == t_out_first[0] + 1);
    CHECK_EQ_INT(sioc_cluster_published_seq(&c), sioc_cluster_queued_seq(&c));
    t_finish(&c);
}

/* Close right after queueing: what is queued goes first, one Publish each, then the member closes. */
static void t_close_flush(int emitter) {
    static sioc_cluster c;
    size_t i;
    t_reset();
    CHECK_EQ_INT(t_start(&c, emitter, 0), SIOC_OK);
    f_member_run(&c, 220);
    t_n_got = t_n_want = t_n_out = 0;
    for (i = 0; i < 3; i++) CHECK_EQ_INT(t_emit(&c, (char)('x' + i)), SIOC_OK);
    t_expect_queued(&c);
    CHECK(sioc_cluster_close(&c, f_now) == SIOC_OK);
    f_member_run(&c, 100);
    CHECK_EQ_INT(sioc_cluster_get_state(&c), SIOC_CLUSTER_CLOSED);
    CHECKF(t_n_got >= 3, "%lu publishes", (unsigned long)t_n_got); /* and the node's close message, if any */
    for (i = 0; i < 3; i++) t_same(i, i);
    CHECK_EQ_INT(sioc_cluster_published_seq(&c), sioc_cluster_queued_seq(&c));
    CHECK_EQ_INT(sioc_cluster_get_stats(&c)->publish_failed, 0);
    sioc_cluster_free(&c);
    CHECK_EQ_INT(f_bytes, 0);
    CHECK_EQ_INT(t_n_batch, 0);
}

static void test_close_flush(void) {
    t_close_flush(0);
    t_close_flush(1);
}

/* The request buffer is sized for one message: the largest message the node takes, its data all '/' in base64
   (4 bytes on the wire per byte), still goes out. */
static void test_largest(void) {
    static sioc_cluster c;
    static uint8_t pkt[4096];
    size_t n = 4000;
    sioc_result r = SIOC_ERR_TOO_LARGE;
    t_reset();
    CHECK_EQ_INT(t_start(&c, 1, 4096), SIOC_OK);
    f_member_run(&c, 220);
    t_n_got = t_n_want = t_n_out = 0;
    CHECK(c.p_slots[SIOC__M_PUB].call.aws.body_cap == 4u * 4096u + 4096u); /* 4 x the message, one message's keys */
    CHECK(c.p_slots[SIOC__M_PUB].call.aws.reply_cap == 4096u);
    memset(pkt, 0xff, sizeof pkt);
    pkt[0] = 0x92, pkt[1] = 0xa1, pkt[2] = 'e', pkt[3] = 0xc5; /* ["e", bin16] */
    for (; n > 100 && r == SIOC_ERR_TOO_LARGE; n--) { /* the largest the node takes */
        pkt[4] = (uint8_t)((n - 6) >> 8), pkt[5] = (uint8_t)(n - 6);
        r = sioc_node_broadcast(sioc_cluster_node(&c), sioc_str_c("/"), NULL, sioc_bytes_n(pkt, n), f_now);
    }
    CHECK_EQ_INT(r, SIOC_OK);
    CHECKF(n > 3900, "%lu", (unsigned long)n);
    t_expect_queued(&c);
    f_member_run(&c, 30);
    CHECK_EQ_INT(t_n_got, 1);
    t_same(0, 0);
    CHECKF(t_got_len[0] > 4u * 3900u, "%lu", (unsigned long)t_got_len[0]);
    CHECK(t_n_out == 1 && t_out_result[0] == SIOC_OK);
    t_finish(&c);
}

/* Nothing is refused: the PublishBatch writer, reply parser and re-send trimmer still work for a program's own
   use. */
static void test_codecs_stay(void) {
    static const char reply[] =
        "<PublishBatchResponse><PublishBatchResult><Successful><member><Id>a</Id><MessageId>1</MessageId></member>"
        "</Successful><Failed><member><Id>b</Id><Code>InternalError</Code><Message>x</Message><SenderFault>false"
        "</SenderFault></member></Failed></PublishBatchResult></PublishBatchResponse>";
    char body[2048], scratch[512];
    sioc_sns_batch_entry e[2];
    sioc_aws_batch_result br;
    sioc_buf b, sb;
    sioc_str keep = sioc_str_c("b");
    memset(e, 0, sizeof e);
    e[0].id = sioc_str_c("a"), e[0].message = sioc_str_c("1");
    e[1].id = sioc_str_c("b"), e[1].message = sioc_str_c("2");
    sioc_buf_init(&b, body, sizeof body);
    CHECK_EQ_INT(sioc_sns_write_publish_batch(&b, sioc_str_c("arn:aws:sns:us-east-1:000000000000:t"), e, 2), SIOC_OK);
    CHECK(b.len > 12 && !memcmp(body, "Action=PublishBatch&", 20));
    sioc_buf_init(&sb, scratch, sizeof scratch);
    CHECK_EQ_INT(sioc_sns_parse_publish_batch(reply, sizeof reply - 1, &sb, &br), SIOC_OK);
    CHECK(br.count == 2 && br.failed == 1);
    CHECK_EQ_INT(sioc_sns_publish_batch_retain(&b, &keep, 1), SIOC_OK);
    CHECK(b.len < sizeof body);
    body[b.len < sizeof body ? b.len : sizeof body - 1] = 0;
    CHECKF(strstr(body, "Message=2") != NULL && strstr(body, "Message=1") == NULL, "%s", body); /* b alone */
}

int main(void) {
    RUN(test_several);
    RUN(test_refusals);
    RUN(test_close_flush);
    RUN(test_largest);
    RUN(test_codecs_stay);
    return sioc_t_report("test_build_nobatch");
}
