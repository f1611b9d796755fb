/* A publish-only build (SIOC_ENABLE_RECEIVE 0, the manual's CONFIGURATION), offline: what it leaves out answers
   with a clear error and frees what it took (a receiving member on either cloud: SIOC_ERR_UNSUPPORTED with a
   detail naming the switch; a receiving node; the node's receive calls; the AWS client's SQS starters, refused
   before anything is sent, with a detail; the SQS endpoint, neither parsed nor set up), and what it keeps works: an emitter member on the scripted fake SNS/SQS
   endpoint (tests/aws_fake.h) takes the topic alone, publishes a broadcast and closes, never calling SQS. */
#define SIOC_ENABLE_RECEIVE 0
#define SIO_CLUSTER_IMPLEMENTATION
#include "sio_cluster.h"
#include "tests/harness.h"

#include "tests/aws_fake.h"

#define T_CS "Endpoint=sb://127.0.0.1:5672;SharedAccessKeyName=k;SharedAccessKey=c2VjcmV0;UseDevelopmentEmulator=true"

static void t_aws_desc(sioc_cluster_desc *d, int emitter) {
    f_member_desc(d);
    d->node.emitter_only = emitter;
}

/* A member that would receive: refused on both clouds, the detail names the switch, nothing held. */
static void test_member_refused(void) {
    sioc_cluster c;
    sioc_cluster_desc d;
    t_aws_desc(&d, 0);
    CHECK_EQ_INT(sioc_cluster_heap_size(&d), 0); /* what init refuses has no size */
    CHECK_EQ_INT(sioc_cluster_init(&c, &d), SIOC_ERR_UNSUPPORTED);
    CHECKF(strstr(sioc_cluster_last_detail(&c), "SIOC_ENABLE_RECEIVE") != NULL, "%s", sioc_cluster_last_detail(&c));
    CHECK_EQ_INT(f_bytes, 0);
    sioc_cluster_free(&c);
    memset(&d, 0, sizeof d);
    d.transport = SIOC_CLUSTER_AZURE;
    d.azure.connection_string = T_CS;
    d.azure.rest_url = "http://127.0.0.1:1";
    d.random = f_rand;
    d.utc_now = f_utc;
    d.allocator.alloc = f_alloc;
    d.allocator.free = f_free;
    d.own_io = 1;
    CHECK_EQ_INT(sioc_cluster_init(&c, &d), SIOC_ERR_UNSUPPORTED);
    CHECK(strstr(sioc_cluster_last_detail(&c), "SIOC_ENABLE_RECEIVE") != NULL);
    CHECK_EQ_INT(f_bytes, 0);
    sioc_cluster_free(&c);
    /* an Azure emitter is fine */
    d.node.emitter_only = 1;
    CHECK(sioc_cluster_heap_size(&d) > 0);
    CHECK_EQ_INT(sioc_cluster_init(&c, &d), SIOC_OK);
    sioc_cluster_free(&c);
    CHECK_EQ_INT(f_bytes, 0);
}

/* The node: only emitters; its receive calls say the path is not built in; an emitter still broadcasts. */
static void test_node(void) {
    sioc_node n;
    sioc_node_desc d;
    sioc_msg_envelope env;
    sioc_msg m;
    sioc_node_socket_desc sd;
    static const uint8_t pkt[] = {0x91, 0xa1, 'w'};
    memset(&d, 0, sizeof d);
    d.random = f_rand;
    d.allocator.alloc = f_alloc;
    d.allocator.free = f_free;
    CHECK_EQ_INT(sioc_node_init(&n, &d), SIOC_ERR_UNSUPPORTED);
    CHECK_EQ_INT(f_bytes, 0);
    d.emitter_only = 1;
    CHECK_EQ_INT(sioc_node_init(&n, &d), SIOC_OK);
    memset(&env, 0, sizeof env);
    env.nsp = sioc_str_c("/");
    env.uid = sioc_str_c("0123456789abcdef");
    env.body = sioc_str_c("2");
    CHECK_EQ_INT(sioc_node_receive_aws(&n, &env, 1), SIOC_ERR_UNSUPPORTED);
    CHECK_EQ_INT(sioc_node_receive_azure(&n, "\x80", 1, NULL, 1), SIOC_ERR_UNSUPPORTED);
    memset(&m, 0, sizeof m);
    m.type = SIOC_MSG_HEARTBEAT;
    m.nsp = env.nsp;
    m.uid = env.uid;
    CHECK_EQ_INT(sioc_node_receive(&n, &m, 1), SIOC_ERR_UNSUPPORTED);
    memset(&sd, 0, sizeof sd);
    CHECK_EQ_INT(sioc_node_socket_add(&n, sioc_str_c("/"), sioc_str_c("s1"), &sd, 1), SIOC_ERR_STATE);
    CHECK_EQ_INT(sioc_node_broadcast(&n, sioc_str_c("/"), NULL, sioc_bytes_n(pkt, sizeof pkt), 1), SIOC_OK);
    CHECK_EQ_INT(sioc_node_out_count(&n), 1);
    sioc_node_free(&n);
    CHECK_EQ_INT(f_bytes, 0);
}

/* An AWS client desc on the fake endpoint (SNS only: sqs_endpoint left empty). */
static void t_client_desc(sioc_aws_desc *d) {
    memset(d, 0, sizeof *d);
    d->region = "us-east-1";
    d->credentials.access_key_id = sioc_str_c("AKIAIOSFODNN7EXAMPLE");
    d->credentials.secret_access_key = sioc_str_c("secret");
    d->sns_endpoint = "http://127.0.0.1:4566";
    d->utc_now = f_utc;
    d->http.allocator.alloc = f_alloc;
    d->http.allocator.free = f_free;
}

/* The AWS client talks to SNS alone: an SQS starter is refused before anything is sent, in words. */
static void test_aws_client(void) {
    static sioc_aws_client c;
    sioc_aws_desc d;
    sioc_aws_call call;
    uint8_t body[1024], reply[1024];
    sioc_aws_call *done = NULL;
    t_client_desc(&d);
    d.sqs_endpoint = d.sns_endpoint;
    CHECK_EQ_INT(sioc_aws_client_init(&c, &d), SIOC_OK);
    memset(&call, 0, sizeof call);
    call.body_mem = body, call.body_cap = sizeof body;
    call.reply_mem = reply, call.reply_cap = sizeof reply;
    CHECK_EQ_INT(sioc_aws_sqs_receive_message(&c, &call, sioc_str_c("http://127.0.0.1:4566/0/q"), 1, 0, 1),
                 SIOC_ERR_UNSUPPORTED);
    CHECKF(strstr(call.detail, "SQS ReceiveMessage") != NULL && strstr(call.detail, "SIOC_ENABLE_RECEIVE") != NULL,
           "%s", call.detail);
    CHECK_EQ_INT(c.stats.calls, 0);
    CHECK(sioc_aws_next(&c, 1, &done) != SIOC_OK); /* nothing was queued */
    sioc_aws_client_free(&c);
    CHECK_EQ_INT(f_bytes, 0);
}

/* Nor does it set up SQS: with SNS alone on plain HTTP, the default SQS endpoint (https) asks for no TLS, a bad
   sqs_endpoint is not looked at, and one endpoint slot is enough (before, init failed on each). */
static void test_aws_client_sns_only(void) {
    static sioc_aws_client c;
    sioc_aws_desc d;
    t_client_desc(&d);
    d.http.max_endpoints = 1;
    CHECKF(sioc_aws_client_init(&c, &d) == SIOC_OK, "%s", c.detail);
    sioc_aws_client_free(&c);
    d.sqs_endpoint = "ftp://nowhere";
    CHECKF(sioc_aws_client_init(&c, &d) == SIOC_OK, "%s", c.detail);
    sioc_aws_client_free(&c);
    CHECK_EQ_INT(f_bytes, 0);
}

/* What the build keeps: an emitter member takes the topic, publishes and closes; SQS is never called. */
static void test_emitter_runs(void) {
    static sioc_cluster c;
    sioc_cluster_desc d;
    sioc_node *n;
    uint32_t i;
    t_aws_desc(&d, 1);
    CHECK_EQ_INT(f_member_start(&c, &d), SIOC_OK);
    n = sioc_cluster_node(&c);
    f_member_run(&c, 20);
    CHECK_EQ_INT(sioc_cluster_get_state(&c), SIOC_CLUSTER_RUNNING);
    CHECK(sioc_node_broadcast(n, sioc_str_c("/"), NULL, sioc_bytes_n("\x91\xa1w", 3), f_now) == SIOC_OK);
    f_member_run(&c, 20);
    CHECK_EQ_INT(sioc_cluster_published_seq(&c), 1);
    CHECK(sioc_cluster_close(&c, f_now) == SIOC_OK);
    f_member_run(&c, 20);
    CHECK_EQ_INT(sioc_cluster_get_state(&c), SIOC_CLUSTER_CLOSED);
    CHECK(f_n_log >= 2 && !strcmp(f_log[0], "CreateTopic") && !strcmp(f_log[1], "Publish"));
    for (i = 0; i < f_n_log; i++) /* SQS operations: the queue's */
        CHECKF(strstr("CreateTopic Publish PublishBatch", f_log[i]) != NULL, "%s", f_log[i]);
    CHECK(strstr(f_last_body[f_op_index("Publish")], "StringValue=emitter") != NULL);
    sioc_cluster_free(&c);
    CHECK_EQ_INT(f_bytes, 0);
    CHECK_EQ_INT(f_feed_errors, 0);
}

int main(void) {
    RUN(test_member_refused);
    RUN(test_node);
    RUN(test_aws_client);
    RUN(test_aws_client_sns_only);
    RUN(test_emitter_runs);
    return sioc_t_report("test_build_emitter");
}
