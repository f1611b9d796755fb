/* The cluster member (src/member.h) live, once per transport, over the POSIX sockets it owns:
     --transport aws    against the fauxqs emulator (tests/fauxqs), SNS + SQS
     --transport azure  against the project's Service Bus test broker (tests/sbbroker), REST
     (no argument: both, one after the other)
   Each server is started here on free 127.0.0.1 ports (tests/child.h) and stopped when the run ends. Two members
   join one topic through their own queue / subscription (named "<prefix>-<uid>", two long polls each) and exchange
   a broadcast (a member's own messages never come back: AWS by the filter policy, Azure by the SQL rule of its
   subscription), an ack broadcast, a fetchSockets and a serverSideEmit with ack; the publish sequences reach what was
   queued; an emitter-only member publishes without a queue / subscription; an undecodable message is dropped,
   counted and settled; a queue / subscription deleted under a running member is re-created (NOT_READY, then READY,
   messages flow again); a wrong key is a clear failure (Azure: one retry with a fresh token, then FAILED and no
   more requests; fauxqs does not check signatures, so for AWS this is tests/test_cluster_aws.c test_auth_failure);
   a closed port backs off without a hot loop and closes at once; graceful close sends ADAPTER_CLOSE, then deletes
   the queue and its subscription / the subscription, so they are gone.
   Needs node and `npm ci` in tests/fauxqs and tests/sbbroker; without them a run says SKIPPED and only its offline
   checks count (SIOC_REQUIRE_LIVE=1 makes that a failure). */
#define _POSIX_C_SOURCE 200809L
#define SIOC_ENABLE_POSIX 1
#define SIOC_POSIX_GETADDRINFO 0 /* numeric 127.0.0.1 only: keeps static builds free of NSS */
#define SIO_CLUSTER_IMPLEMENTATION
#include "sio_cluster.h"
#include "tests/harness.h"
#include "tests/child.h"
#include <arpa/inet.h>
#include <netinet/in.h>
#include <sys/socket.h>

#define T_KEY_NAME "RootManageSharedAccessKey"
#define T_KEY "c2VjcmV0"
#define T_AKID "AKIAIOSFODNN7EXAMPLE"
#define T_SECRET "wJalrXUtnFEMI/K7MDENG/bPxRfiCYEXAMPLEKEY"

static sioc_cluster_transport t_tr; /* the transport of this run */
static int t_is_aws(void) { return t_tr == SIOC_CLUSTER_AWS; }

/* ---- the server of this run ---- */

static child_proc t_server;
static char t_endpoint[64];                       /* AWS: fauxqs */
static char t_conn_str[256], t_bad_conn_str[256]; /* Azure: the broker */
static char t_rest_url[64];
static char t_topic[64];

static int t_start_server(char *why, size_t why_cap) {
    int amqp = 0, http = 0;
    int r;
    if (t_is_aws()) return child_start_fauxqs(&t_server, t_endpoint, sizeof t_endpoint, why, why_cap);
    r = child_start_broker(&t_server, T_KEY_NAME "=" T_KEY, "300", NULL, &amqp, &http, NULL, why, why_cap);
    if (r != 1) return r; /* 0: cannot run here (skip), -1: failed */
    snprintf(t_conn_str, sizeof t_conn_str,
             "Endpoint=sb://127.0.0.1:%d;SharedAccessKeyName=" T_KEY_NAME ";SharedAccessKey=" T_KEY
             ";UseDevelopmentEmulator=true",
             amqp);
    snprintf(t_bad_conn_str, sizeof t_bad_conn_str,
             "Endpoint=sb://127.0.0.1:%d;SharedAccessKeyName=" T_KEY_NAME ";SharedAccessKey=wrongkey"
             ";UseDevelopmentEmulator=true",
             amqp);
    snprintf(t_rest_url, sizeof t_rest_url, "http://127.0.0.1:%d", http);
    return 1;
}

/* ---- members ---- */

#define T_EVS 64
typedef struct t_ev {
    int type;
    char text[128];
    char uid[32];
    uint32_t request, ack;
    sioc_result result;
    size_t n_targets, n_sockets;
    int64_t ack_id;
    uint8_t packet[64];
    size_t packet_len;
} t_ev;

typedef struct t_member {
    sioc_cluster c;
    sioc_node *node;
    t_ev evs[T_EVS];
    size_t n_evs;
    int up;
    /* on_error, on_publish */
    size_t n_errs;
    sioc_cluster_op err_op;
    sioc_result err_result;
    int err_status, err_retry_first, err_retry_last;
    char err_op_name[32];
    uint64_t pub_next, pub_ok, pub_bad; /* next first_seq expected; messages accepted / dropped */
    int pub_order_ok;
} t_member;

static t_member t_a, t_b, t_e, t_dead;

static void t_copy(char *dst, size_t cap, sioc_str s) {
    size_t n = s.ptr ? (s.len < cap - 1 ? s.len : cap - 1) : 0;
    if (n) memcpy(dst, s.ptr, n);
    dst[n] = 0;
}

static void t_drain(t_member *m) {
    sioc_node_event ev;
    while (sioc_node_next_event(m->node, &ev) == SIOC_OK) {
        t_ev *e = &m->evs[m->n_evs < T_EVS ? m->n_evs++ : T_EVS - 1];
        sioc_msg_list it = ev.sockets;
        sioc_msg_socket so;
        memset(e, 0, sizeof *e);
        e->type = ev.type;
        t_copy(e->text, sizeof e->text, ev.text);
        t_copy(e->uid, sizeof e->uid, ev.uid);
        e->request = ev.request;
        e->ack = ev.ack;
        e->result = ev.result;
        e->n_targets = ev.n_targets;
        e->ack_id = ev.ack_id;
        if (ev.has_packet && ev.packet.len <= sizeof e->packet) {
            memcpy(e->packet, ev.packet.ptr, ev.packet.len);
            e->packet_len = ev.packet.len;
        }
        if (ev.type == SIOC_NODE_EV_FETCH_SOCKETS)
            while (sioc_msg_list_next_socket(&it, &so)) e->n_sockets++;
    }
}

static const t_ev *t_find(t_member *m, int type, size_t from) {
    size_t i;
    for (i = from; i < m->n_evs; i++)
        if (m->evs[i].type == type) return &m->evs[i];
    return NULL;
}

/* Run every live member for up to ms, or until cond() holds. */
static int t_pump(uint32_t ms, int (*cond)(void)) {
    uint64_t end = sioc_posix_now_ms() + ms;
    t_member *all[4];
    size_t i;
    all[0] = &t_a, all[1] = &t_b, all[2] = &t_e, all[3] = &t_dead;
    while (sioc_posix_now_ms() < end) {
        for (i = 0; i < 4; i++) {
            if (!all[i]->up) continue;
            (void)sioc_cluster_run_posix(&all[i]->c, 2);
            t_drain(all[i]);
        }
        if (cond && cond()) return 1;
    }
    return cond ? cond() : 1;
}

static void t_on_error(void *user, const sioc_cluster_error *e) {
    t_member *m = (t_member *)user;
    if (!m->n_errs) m->err_retry_first = e->will_retry;
    m->n_errs++;
    m->err_op = e->op;
    m->err_result = e->result;
    m->err_status = e->status;
    m->err_retry_last = e->will_retry;
    snprintf(m->err_op_name, sizeof m->err_op_name, "%s", e->op_name);
}

/* Outcomes come in sequence order, each batch right after the previous one. */
static void t_on_publish(void *user, uint64_t first_seq, size_t count, sioc_result result) {
    t_member *m = (t_member *)user;
    if (first_seq != m->pub_next || !count) m->pub_order_ok = 0;
    m->pub_next = first_seq + count;
    if (result == SIOC_OK) m->pub_ok += count;
    else m->pub_bad += count;
}

/* endpoint: AWS endpoint or Azure REST URL; cs: Azure connection string. */
static uint32_t t_orphan_after_s; /* test_orphans: short clean-up clocks for the members it starts */
static int t_no_janitor;          /* test_orphans: the slow member takes no part in the clean-up */
static int t_small;               /* test_too_large: a member sized for 4 KiB messages, 1 per receive */

static int t_member_init(t_member *m, const char *endpoint, const char *cs, int emitter, int filter) {
    sioc_cluster_desc d;
    memset(m, 0, sizeof *m);
    m->pub_next = 1;
    m->pub_order_ok = 1;
    memset(&d, 0, sizeof d);
    d.transport = t_tr;
    /* random and utc_now left NULL: the POSIX ones */
    d.user = m;
    d.on_error = t_on_error;
    d.on_publish = t_on_publish;
    d.node.emitter_only = emitter;
    d.node.heartbeat_interval_ms = 1000;
    d.node.heartbeat_timeout_ms = 4000;
    d.http.connect_timeout_ms = 1000;
    d.topic_name = t_topic;
    d.prefix = "sioc-live";
    d.receives_in_flight = 2; /* two long polls at once, as an option allows */
    d.reply_buffer_size = 2048; /* the least allowed: every start-up, publish and settle reply of both brokers fits */
    d.aws.region = "us-east-1";
    d.aws.credentials.access_key_id = sioc_str_c(T_AKID);
    d.aws.credentials.secret_access_key = sioc_str_c(T_SECRET);
    d.aws.sns_endpoint = d.aws.sqs_endpoint = endpoint;
    d.aws.wait_time_s = 2;
    d.aws.no_filter_policy = !filter;
    d.aws.orphan_after_s = t_orphan_after_s;
    d.aws.orphan_check_s = t_orphan_after_s ? 1 : 0;
    d.aws.no_orphan_cleanup = t_no_janitor;
    if (t_small) d.node.max_message_size = 4096, d.aws.max_messages = 1;
    d.azure.connection_string = cs;
    d.azure.rest_url = endpoint;
    d.azure.timeout_s = 2;
    if (sioc_cluster_init(&m->c, &d) != SIOC_OK) return 0;
    m->node = sioc_cluster_node(&m->c);
    if (sioc_cluster_start(&m->c, sioc_posix_now_ms()) != SIOC_OK) return 0;
    m->up = 1;
    return 1;
}

static int t_join(t_member *m, int emitter) {
    return t_is_aws() ? t_member_init(m, t_endpoint, NULL, emitter, 1)
                      : t_member_init(m, t_rest_url, t_conn_str, emitter, 1);
}

static void t_member_free(t_member *m) {
    m->up = 0;
    sioc_cluster_free(&m->c);
}

static const sioc_cluster_stats *t_st(t_member *m) { return sioc_cluster_get_stats(&m->c); }
static sioc_cluster_state t_state(t_member *m) { return sioc_cluster_get_state(&m->c); }

/* ---- one-off requests on a separate client, which the members never see ---- */

static char t_side_body[32768], t_side_reply[16384];

static void t_aws_call_init(sioc_aws_call *call) {
    memset(call, 0, sizeof *call);
    call->body_mem = t_side_body;
    call->body_cap = sizeof t_side_body;
    call->reply_mem = t_side_reply;
    call->reply_cap = sizeof t_side_reply;
}

static char t_big[100 * 1024 + 1]; /* what 3: a body of 100 KiB */

/* what: 0 send a message "not-a-type" into the queue, 1 delete the queue, 2 receive from it, 3 send t_big. */
static sioc_result t_aws_side(int what, const char *url) {
    sioc_aws_client c;
    sioc_posix px;
    sioc_aws_desc ad;
    sioc_aws_call call;
    sioc_aws_attr at[2];
    sioc_result r = SIOC_ERR_TIMEOUT;
    uint64_t end;
    memset(&ad, 0, sizeof ad);
    ad.region = "us-east-1";
    ad.credentials.access_key_id = sioc_str_c(T_AKID);
    ad.credentials.secret_access_key = sioc_str_c(T_SECRET);
    ad.sns_endpoint = ad.sqs_endpoint = t_endpoint;
    ad.utc_now = sioc_posix_utc_now;
    if (sioc_aws_client_init(&c, &ad) != SIOC_OK) return SIOC_ERR_STATE;
    if (sioc_posix_init(&px, &c.http, NULL, NULL) != SIOC_OK) {
        sioc_aws_client_free(&c);
        return SIOC_ERR_STATE;
    }
    t_aws_call_init(&call);
    at[0].name = sioc_str_c("nsp"), at[0].type = SIOC_AWS_ATTR_STRING;
    at[0].value.ptr = (const uint8_t *)"/", at[0].value.len = 1;
    at[1].name = sioc_str_c("uid"), at[1].type = SIOC_AWS_ATTR_STRING;
    at[1].value.ptr = (const uint8_t *)"badbadbadbadbad0", at[1].value.len = 16;
    if (what == 0)
        r = sioc_aws_sqs_send_message(&c, &call, sioc_str_c(url), sioc_str_c("not-a-type"), at, 2, sioc_posix_now_ms());
    else if (what == 1)
        r = sioc_aws_sqs_delete_queue(&c, &call, sioc_str_c(url), sioc_posix_now_ms());
    else if (what == 3) {
        static char big_body[400 * 1024];
        call.body_mem = big_body;
        call.body_cap = sizeof big_body;
        r = sioc_aws_sqs_send_message(&c, &call, sioc_str_c(url), sioc_str_c(t_big), at, 2, sioc_posix_now_ms());
    }
    else
        r = sioc_aws_sqs_receive_message(&c, &call, sioc_str_c(url), 1, 0, sioc_posix_now_ms());
    if (r == SIOC_OK) {
        r = SIOC_ERR_TIMEOUT;
        end = sioc_posix_now_ms() + 5000;
        while (sioc_posix_now_ms() < end && r == SIOC_ERR_TIMEOUT) {
            sioc_aws_call *done = NULL;
            (void)sioc_posix_run(&px, 5);
            while (sioc_aws_next(&c, sioc_posix_now_ms(), &done) == SIOC_OK)
                if (done == &call) r = call.result;
        }
    }
    sioc_posix_free(&px);
    sioc_aws_client_free(&c);
    return r;
}

/* One request on a side client, waited for (5 s at most). */
static sioc_result t_aws_wait(sioc_aws_client *c, sioc_posix *px, sioc_aws_call *call, sioc_result r) {
    uint64_t end = sioc_posix_now_ms() + 5000;
    if (r != SIOC_OK) return r;
    r = SIOC_ERR_TIMEOUT;
    while (sioc_posix_now_ms() < end && r == SIOC_ERR_TIMEOUT) {
        sioc_aws_call *done = NULL;
        (void)sioc_posix_run(px, 5);
        while (sioc_aws_next(c, sioc_posix_now_ms(), &done) == SIOC_OK)
            if (done == call) r = call->result;
    }
    return r;
}

/* What a Node member makes (tests/interop/aws-adapter.js): a queue "<prefix>-<random>" without tags, the policy,
   a raw subscription without a filter. Its URL into url. */
static char t_node_url[256], t_node_arn[256];
static int t_aws_node_queue(const char *topic_arn) {
    sioc_aws_client c;
    sioc_posix px;
    sioc_aws_desc ad;
    sioc_aws_call call;
    sioc_buf sb;
    sioc_json doc;
    sioc_json_tok toks[64];
    sioc_str v, name = sioc_str_c("QueueArn");
    char scratch[1024];
    int ok = 0;
    memset(&ad, 0, sizeof ad);
    ad.region = "us-east-1";
    ad.credentials.access_key_id = sioc_str_c(T_AKID);
    ad.credentials.secret_access_key = sioc_str_c(T_SECRET);
    ad.sns_endpoint = ad.sqs_endpoint = t_endpoint;
    ad.utc_now = sioc_posix_utc_now;
    if (sioc_aws_client_init(&c, &ad) != SIOC_OK) return 0;
    if (sioc_posix_init(&px, &c.http, NULL, NULL) == SIOC_OK) {
        t_aws_call_init(&call);
        sioc_buf_init(&sb, scratch, sizeof scratch);
        if (t_aws_wait(&c, &px, &call, sioc_aws_sqs_create_queue(&c, &call, sioc_str_c("sioc-live-n0de5eedfeedbeef0"), NULL, 0,
                                                                 NULL, 0, sioc_posix_now_ms())) == SIOC_OK &&
            sioc_json_parse(&doc, (const char *)call.reply.ptr, call.reply.len, toks, 64) == SIOC_OK &&
            sioc_sqs_parse_create_queue(&doc, &sb, &v) == SIOC_OK) {
            t_copy(t_node_url, sizeof t_node_url, v);
            t_aws_call_init(&call);
            if (t_aws_wait(&c, &px, &call, sioc_aws_sqs_get_queue_attributes(&c, &call, sioc_str_c(t_node_url), &name, 1,
                                                                             sioc_posix_now_ms())) == SIOC_OK &&
                sioc_json_parse(&doc, (const char *)call.reply.ptr, call.reply.len, toks, 64) == SIOC_OK &&
                sioc_sqs_parse_queue_attribute(&doc, "QueueArn", &sb, &v) == SIOC_OK) {
                t_copy(t_node_arn, sizeof t_node_arn, v);
                t_aws_call_init(&call);
                ok = t_aws_wait(&c, &px, &call, sioc_aws_sqs_set_queue_policy(&c, &call, sioc_str_c(t_node_url),
                                                                            sioc_str_c(t_node_arn), sioc_str_c(topic_arn),
                                                                            sioc_posix_now_ms())) == SIOC_OK;
                t_aws_call_init(&call);
                ok = ok && t_aws_wait(&c, &px, &call, sioc_aws_sns_subscribe(&c, &call, sioc_str_c(topic_arn),
                                                                            sioc_str_c(t_node_arn), sioc_str_c(""),
                                                                            sioc_posix_now_ms())) == SIOC_OK;
            }
        }
        sioc_posix_free(&px);
    }
    sioc_aws_client_free(&c);
    return ok;
}

/* 1 when the queue is still there (GetQueueAttributes answers), 0 when gone, -1 on another error. */
static int t_aws_queue_exists(const char *url) {
    sioc_aws_client c;
    sioc_posix px;
    sioc_aws_desc ad;
    sioc_aws_call call;
    sioc_str name = sioc_str_c("QueueArn");
    sioc_result r = SIOC_ERR_STATE;
    memset(&ad, 0, sizeof ad);
    ad.region = "us-east-1";
    ad.credentials.access_key_id = sioc_str_c(T_AKID);
    ad.credentials.secret_access_key = sioc_str_c(T_SECRET);
    ad.sns_endpoint = ad.sqs_endpoint = t_endpoint;
    ad.utc_now = sioc_posix_utc_now;
    if (sioc_aws_client_init(&c, &ad) != SIOC_OK) return -1;
    if (sioc_posix_init(&px, &c.http, NULL, NULL) == SIOC_OK) {
        t_aws_call_init(&call);
        r = t_aws_wait(&c, &px, &call, sioc_aws_sqs_get_queue_attributes(&c, &call, sioc_str_c(url), &name, 1,
                                                                         sioc_posix_now_ms()));
        sioc_posix_free(&px);
    }
    sioc_aws_client_free(&c);
    return r == SIOC_OK ? 1 : r == SIOC_ERR_NOT_FOUND ? 0 : -1;
}

static int t_broker_http_x(const char *method, const char *path, const char *extra, const char *body, char *out,
                           size_t cap);

/* Delete the run's topic behind the members' backs (SNS DeleteTopic / ATOM DELETE). */
static int t_delete_topic(const char *topic_arn) {
    char out[2048];
    if (t_is_aws()) {
        sioc_aws_client c;
        sioc_posix px;
        sioc_aws_desc ad;
        sioc_aws_call call;
        sioc_buf b;
        sioc_result r = SIOC_ERR_STATE;
        memset(&ad, 0, sizeof ad);
        ad.region = "us-east-1";
        ad.credentials.access_key_id = sioc_str_c(T_AKID);
        ad.credentials.secret_access_key = sioc_str_c(T_SECRET);
        ad.sns_endpoint = ad.sqs_endpoint = t_endpoint;
        ad.utc_now = sioc_posix_utc_now;
        if (sioc_aws_client_init(&c, &ad) != SIOC_OK) return 0;
        if (sioc_posix_init(&px, &c.http, NULL, NULL) == SIOC_OK) {
            t_aws_call_init(&call);
            sioc_buf_init(&b, call.body_mem, call.body_cap);
            sioc_buf_puts(&b, "Action=DeleteTopic&TopicArn=");
            sioc_pct_encode(&b, topic_arn, strlen(topic_arn), SIOC_PCT_RFC3986);
            sioc_buf_puts(&b, "&Version=2010-03-31");
            r = t_aws_wait(&c, &px, &call, sioc_aws_submit(&c, &call, SIOC_AWS_SNS, "DeleteTopic", b.len, sioc_posix_now_ms()));
            sioc_posix_free(&px);
        }
        sioc_aws_client_free(&c);
        return r == SIOC_OK;
    } else {
        static char extra[1024];
        char token[512], path[128];
        sioc_sas_params sp;
        sioc_buf b;
        memset(&sp, 0, sizeof sp);
        sp.resource_uri = sioc_str_c("https://127.0.0.1/");
        sp.key_name = sioc_str_c(T_KEY_NAME);
        sp.key = sioc_str_c(T_KEY);
        sp.expiry = sioc_posix_utc_now(NULL) + 600;
        sioc_buf_init(&b, token, sizeof token - 1);
        if (sioc_sas_token(&sp, &b) != SIOC_OK) return 0;
        token[b.len] = 0;
        snprintf(extra, sizeof extra, "Authorization: %s\r\n", token);
        snprintf(path, sizeof path, "/%s?api-version=2021-05", topic_arn);
        return t_broker_http_x("DELETE", path, extra, "", out, sizeof out);
    }
}

static sioc_azure_call t_zside;

/* what: 0 get the subscription, 1 delete it, 2 send body with props to the topic. */
static sioc_result t_azure_side(int what, const char *sub, sioc_bytes body, const sioc_azure_prop *props, size_t n) {
    sioc_azure_client c;
    sioc_posix px;
    sioc_azure_desc ad;
    sioc_result r = SIOC_ERR_TIMEOUT;
    uint64_t end;
    memset(&t_zside, 0, sizeof t_zside);
    t_zside.body_mem = t_side_body;
    t_zside.body_cap = sizeof t_side_body;
    t_zside.reply_mem = t_side_reply;
    t_zside.reply_cap = sizeof t_side_reply;
    memset(&ad, 0, sizeof ad);
    ad.connection_string = t_conn_str;
    ad.rest_url = t_rest_url;
    ad.utc_now = sioc_posix_utc_now;
    ad.http.request_head_size = 16384; /* room for a 10 KB property */
    if (sioc_azure_client_init(&c, &ad) != SIOC_OK) return SIOC_ERR_STATE;
    if (sioc_posix_init(&px, &c.http, NULL, NULL) != SIOC_OK) {
        sioc_azure_client_free(&c);
        return SIOC_ERR_STATE;
    }
    if (what == 0) r = sioc_azure_get_subscription(&c, &t_zside, sioc_str_c(t_topic), sioc_str_c(sub), sioc_posix_now_ms());
    else if (what == 1)
        r = sioc_azure_delete_subscription(&c, &t_zside, sioc_str_c(t_topic), sioc_str_c(sub), sioc_posix_now_ms());
    else r = sioc_azure_send(&c, &t_zside, sioc_str_c(t_topic), body, props, n, NULL, sioc_posix_now_ms());
    if (r == SIOC_OK) {
        r = SIOC_ERR_TIMEOUT;
        end = sioc_posix_now_ms() + 5000;
        while (sioc_posix_now_ms() < end && r == SIOC_ERR_TIMEOUT) {
            sioc_azure_call *done = NULL;
            (void)sioc_posix_run(&px, 5);
            while (sioc_azure_next(&c, sioc_posix_now_ms(), &done) == SIOC_OK)
                if (done == &t_zside) r = t_zside.result;
        }
    }
    sioc_posix_free(&px);
    sioc_azure_client_free(&c);
    return r;
}

static sioc_bytes t_nobytes(void) {
    sioc_bytes b;
    b.ptr = NULL;
    b.len = 0;
    return b;
}

/* ---- the scenario ---- */

static int t_both_ready(void) {
    return t_a.node->ready && t_b.node->ready && sioc_node_peer_count(t_a.node, sioc_str_c("/")) == 1 &&
           sioc_node_peer_count(t_b.node, sioc_str_c("/")) == 1;
}

static size_t t_mark_a, t_mark_b;
static int t_a_got_deliver(void) { return t_find(&t_a, SIOC_NODE_EV_DELIVER, t_mark_a) != NULL; }
static int t_b_got_deliver(void) { return t_find(&t_b, SIOC_NODE_EV_DELIVER, t_mark_b) != NULL; }
static int t_a_done(void) { return t_find(&t_a, SIOC_NODE_EV_REQUEST_DONE, t_mark_a) != NULL; }
static int t_b_got_sse(void) { return t_find(&t_b, SIOC_NODE_EV_SERVER_SIDE_EMIT, t_mark_b) != NULL; }

static sioc_bytes t_packet(const char *event, int64_t arg) {
    static uint8_t mem[64];
    sioc_buf b;
    sioc_msgpack_writer w;
    sioc_bytes out;
    sioc_buf_init(&b, mem, sizeof mem);
    sioc_msgpack_writer_init(&w, &b);
    sioc_msgpack_write_array(&w, 2);
    sioc_msgpack_write_cstr(&w, event);
    sioc_msgpack_write_int(&w, arg);
    out.ptr = mem;
    out.len = sioc_msgpack_writer_finish(&w) == SIOC_OK ? b.len : 0;
    return out;
}

static void t_add_socket(t_member *m, const char *id, const char *room) {
    sioc_node_socket_desc sd;
    memset(&sd, 0, sizeof sd);
    CHECK(sioc_node_socket_add(m->node, sioc_str_c("/"), sioc_str_c(id), &sd, sioc_posix_now_ms()) == SIOC_OK);
    CHECK(sioc_node_socket_join(m->node, sioc_str_c("/"), sioc_str_c(id), sioc_str_c(room)) == SIOC_OK);
}

static void test_join(void) {
    char want[96];
    const sioc_cluster_stats *sa, *sb;
    CHECK(t_join(&t_a, 0));
    CHECK(t_join(&t_b, 0));
    t_add_socket(&t_a, "a1", "r");
    t_add_socket(&t_b, "b1", "r");
    CHECK(t_pump(8000, t_both_ready));
    CHECK_EQ_INT(t_state(&t_a), SIOC_CLUSTER_RUNNING);
    CHECK_EQ_INT(sioc_cluster_get_transport(&t_a.c), t_tr);
    CHECK(t_find(&t_a, SIOC_NODE_EV_READY, 0) != NULL && t_find(&t_a, SIOC_NODE_EV_PEER_UP, 0) != NULL);
    snprintf(want, sizeof want, "sioc-live-%s", t_a.node->uid);
    CHECKF(strcmp(sioc_cluster_queue_name(&t_a.c), want) == 0, "queue %s", sioc_cluster_queue_name(&t_a.c));
    CHECK(strcmp(sioc_cluster_uid(&t_a.c), t_a.node->uid) == 0);
    sa = t_st(&t_a), sb = t_st(&t_b);
    CHECK(sa->requests[SIOC_CLUSTER_OP_RECEIVE] >= 2); /* two long polls at once */
    CHECK_EQ_INT(sa->requests[SIOC_CLUSTER_OP_SUBSCRIBE], 1);
    if (t_is_aws()) {
        CHECK(t_a.c.p_sub_arn[0] && t_a.c.p_queue_arn[0] && strstr(t_a.c.p_topic, t_topic) != NULL);
        CHECK_EQ_INT(sa->requests[SIOC_CLUSTER_OP_CREATE_TOPIC], 1);
        CHECK_EQ_INT(sa->requests[SIOC_CLUSTER_OP_CREATE_QUEUE], 1);
    } else {
        CHECK_EQ_INT(sa->requests[SIOC_CLUSTER_OP_GET_TOPIC], 1);
        CHECK(sa->requests[SIOC_CLUSTER_OP_CREATE_TOPIC] + sb->requests[SIOC_CLUSTER_OP_CREATE_TOPIC] >= 1);
        /* the subscription exists, with the AutoDeleteOnIdle we asked for */
        CHECK(t_azure_side(0, sioc_cluster_queue_name(&t_a.c), t_nobytes(), NULL, 0) == SIOC_OK);
        CHECK(strstr(t_side_reply, "<AutoDeleteOnIdle>PT5M</AutoDeleteOnIdle>") != NULL);
    }
    CHECK_EQ_INT(t_a.n_errs + t_b.n_errs, 0);
}

static int t_b_published(void) {
    return sioc_cluster_published_seq(&t_b.c) >= sioc_cluster_queued_seq(&t_b.c) && sioc_cluster_idle(&t_b.c);
}

static void test_broadcast(void) {
    const t_ev *e;
    uint64_t seq;
    t_mark_a = t_a.n_evs;
    CHECK(sioc_node_broadcast(t_b.node, sioc_str_c("/"), NULL, t_packet("hi", 7), sioc_posix_now_ms()) == SIOC_OK);
    seq = sioc_cluster_queued_seq(&t_b.c);
    CHECK(seq >= 1);
    CHECK(t_pump(5000, t_a_got_deliver));
    e = t_find(&t_a, SIOC_NODE_EV_DELIVER, t_mark_a);
    CHECK(e && strcmp(e->text, "2[\"hi\",7]") == 0 && e->n_targets == 1);
    /* every message B queued so far has an outcome, accepted, reported in order */
    CHECK(t_pump(3000, t_b_published));
    CHECK(sioc_cluster_published_seq(&t_b.c) >= seq);
    CHECK(t_b.pub_order_ok && t_b.pub_bad == 0 && t_b.pub_ok == t_b.pub_next - 1 && t_b.pub_ok >= seq);
    CHECK_EQ_INT(t_st(&t_b)->published, t_b.pub_ok);
    /* AWS: the filter policy keeps B's own messages out of B's queue; Azure: the SQL rule B's subscription was
       created with does (its heartbeats and this broadcast never come back): B received nothing of its own */
    CHECK(t_pump(300, NULL));
    CHECK_EQ_INT(t_b.node->counters.ignored_own, 0);
    CHECK_EQ_INT(t_a.node->counters.ignored_own, 0);
    CHECK_EQ_INT(t_st(&t_b)->received, t_b.node->counters.received);
    /* settled, or (AWS pacing) held for a fuller DeleteMessageBatch */
    CHECK(t_st(&t_a)->settled + t_a.c.p_n_settles >= 1);
}

static void test_ack_broadcast(void) {
    const t_ev *e, *done;
    uint32_t req = 0;
    sioc_str rooms[1];
    sioc_node_opts o;
    char ack[64];
    rooms[0] = sioc_str_c("b1");
    memset(&o, 0, sizeof o);
    o.rooms = rooms;
    o.n_rooms = 1;
    t_mark_a = t_a.n_evs;
    t_mark_b = t_b.n_evs;
    CHECK(sioc_node_broadcast_ack(t_a.node, sioc_str_c("/"), &o, t_packet("q", 1), 3000, NULL, &req,
                                  sioc_posix_now_ms()) == SIOC_OK);
    CHECK(t_pump(5000, t_b_got_deliver));
    e = t_find(&t_b, SIOC_NODE_EV_DELIVER, t_mark_b);
    CHECK(e && e->ack_id >= 0);
    if (!e) return;
    snprintf(ack, sizeof ack, "3%lld[\"ok\"]", (long long)e->ack_id);
    CHECK(sioc_node_client_ack_text(t_b.node, sioc_str_c("b1"), ack, strlen(ack), NULL, 0, sioc_posix_now_ms()) ==
          SIOC_OK);
    CHECK(t_pump(5000, t_a_done));
    done = t_find(&t_a, SIOC_NODE_EV_REQUEST_DONE, t_mark_a);
    CHECK(done && done->request == req && done->result == SIOC_OK);
    CHECK(t_find(&t_a, SIOC_NODE_EV_BROADCAST_ACK, t_mark_a) != NULL);
}

static void test_fetch(void) {
    const t_ev *done;
    uint32_t req = 0;
    size_t i, sockets = 0;
    t_mark_a = t_a.n_evs;
    CHECK(sioc_node_fetch_sockets(t_a.node, sioc_str_c("/"), NULL, NULL, &req, sioc_posix_now_ms()) == SIOC_OK);
    CHECK(t_pump(5000, t_a_done));
    done = t_find(&t_a, SIOC_NODE_EV_REQUEST_DONE, t_mark_a);
    CHECK(done && done->result == SIOC_OK);
    for (i = t_mark_a; i < t_a.n_evs; i++)
        if (t_a.evs[i].type == SIOC_NODE_EV_FETCH_SOCKETS) sockets += t_a.evs[i].n_sockets;
    CHECK_EQ_INT(sockets, 2);
}

static void test_server_side_emit(void) {
    const t_ev *e, *resp, *done;
    uint32_t req = 0;
    sioc_bytes pong = t_packet("pong", 9);
    uint8_t want[64];
    size_t want_len = pong.len;
    memcpy(want, pong.ptr, pong.len);
    t_mark_a = t_a.n_evs;
    t_mark_b = t_b.n_evs;
    CHECK(sioc_node_server_side_emit_ack(t_a.node, sioc_str_c("/"), t_packet("ping", 8), NULL, &req,
                                         sioc_posix_now_ms()) == SIOC_OK);
    CHECK(t_pump(5000, t_b_got_sse));
    e = t_find(&t_b, SIOC_NODE_EV_SERVER_SIDE_EMIT, t_mark_b);
    CHECK(e && e->ack != 0 && strcmp(e->uid, t_a.node->uid) == 0);
    if (!e) return;
    CHECK(sioc_node_server_side_ack(t_b.node, e->ack, t_packet("pong", 9), sioc_posix_now_ms()) == SIOC_OK);
    CHECK(t_pump(5000, t_a_done));
    resp = t_find(&t_a, SIOC_NODE_EV_SSE_RESPONSE, t_mark_a);
    CHECK(resp && resp->packet_len == want_len && memcmp(resp->packet, want, want_len) == 0);
    done = t_find(&t_a, SIOC_NODE_EV_REQUEST_DONE, t_mark_a);
    CHECK(done && done->request == req && done->result == SIOC_OK);
}

static int t_e_ready(void) { return t_state(&t_e) == SIOC_CLUSTER_RUNNING; }
static int t_e_closed(void) { return t_state(&t_e) == SIOC_CLUSTER_CLOSED; }

static void test_emitter(void) {
    const t_ev *e;
    CHECK(t_join(&t_e, 1));
    CHECK(t_pump(5000, t_e_ready));
    CHECK_EQ_INT(t_st(&t_e)->requests[SIOC_CLUSTER_OP_CREATE_QUEUE], 0);
    CHECK_EQ_INT(t_st(&t_e)->requests[SIOC_CLUSTER_OP_SUBSCRIBE], 0);
    CHECK_EQ_INT(t_st(&t_e)->requests[SIOC_CLUSTER_OP_RECEIVE], 0);
    CHECK(strcmp(sioc_cluster_queue_name(&t_e.c), "") == 0);
    t_mark_a = t_a.n_evs;
    CHECK(sioc_node_broadcast(t_e.node, sioc_str_c("/"), NULL, t_packet("emit", 2), sioc_posix_now_ms()) == SIOC_OK);
    CHECK(t_pump(5000, t_a_got_deliver));
    e = t_find(&t_a, SIOC_NODE_EV_DELIVER, t_mark_a);
    CHECK(e && strcmp(e->text, "2[\"emit\",2]") == 0);
    CHECK(sioc_cluster_close(&t_e.c, sioc_posix_now_ms()) == SIOC_OK);
    CHECK(t_pump(3000, t_e_closed));
    CHECK_EQ_INT(t_state(&t_e), SIOC_CLUSTER_CLOSED);
    CHECK_EQ_INT(t_st(&t_e)->requests[SIOC_CLUSTER_OP_DELETE_QUEUE], 0);
    CHECK_EQ_INT(t_st(&t_e)->requests[SIOC_CLUSTER_OP_UNSUBSCRIBE], 0);
    CHECK(t_e.pub_ok >= 1 && t_e.pub_bad == 0 && t_e.pub_order_ok);
    t_member_free(&t_e);
}

static uint64_t t_base;
/* Settled, or held for a fuller DeleteMessageBatch (AWS pacing: it goes within 15 s). */
static uint64_t t_a_settled(void) { return t_st(&t_a)->settled + t_a.c.p_n_settles; }
static int t_a_bad(void) { return t_st(&t_a)->bad_messages >= 1 && t_a_settled() > t_base; }

static void test_bad_message(void) {
    t_base = t_a_settled();
    if (t_is_aws()) { /* straight into A's queue */
        CHECK(t_aws_side(0, t_a.c.p_queue_url) == SIOC_OK);
    } else { /* to the topic: a map cut short */
        sioc_azure_prop p[2];
        sioc_bytes body;
        p[0].name = sioc_str_c("nsp"), p[0].type = SIOC_AZURE_PROP_STRING, p[0].value = sioc_str_c("/");
        p[1].name = sioc_str_c("uid"), p[1].type = SIOC_AZURE_PROP_STRING, p[1].value = sioc_str_c("badbadbadbadbad0");
        body.ptr = (const uint8_t *)"\x81\xa4type";
        body.len = 6;
        CHECK(t_azure_side(2, "", body, p, 2) == SIOC_OK);
    }
    CHECK(t_pump(6000, t_a_bad));
    CHECK(t_st(&t_a)->bad_messages >= 1 && t_a.node->counters.malformed >= 1);
    CHECK(t_a_settled() > t_base);
    CHECK_EQ_INT(t_state(&t_a), SIOC_CLUSTER_RUNNING);
}

static int t_pump_list(t_member **ms, size_t n, uint32_t ms_total, int (*cond)(void));
static t_member t_x;
static int t_x_ready_and_known(void) {
    return t_state(&t_x) == SIOC_CLUSTER_RUNNING && sioc_node_peer_count(t_x.node, sioc_str_c("/")) >= 2;
}
static int t_x_closed(void) { return t_state(&t_x) == SIOC_CLUSTER_CLOSED; }
static int t_x_dropped(void) { return t_st(&t_x)->too_large >= 1 && t_st(&t_x)->settled >= 1; }
static int t_x_got_deliver(void) {
    size_t i;
    for (i = 0; i < t_x.n_evs; i++)
        if (t_x.evs[i].type == SIOC_NODE_EV_DELIVER && strcmp(t_x.evs[i].text, "2[\"after\",5]") == 0) return 1;
    return 0;
}

/* A message larger than the member was sized for (a member of 4 KiB messages, one per receive, gets 100 KiB): the
   reply does not fit; the message is dropped, counted and deleted by the receipt handle kept from the reply's end,
   and the queue does not stall: the next broadcast arrives. (With several messages per receive the member first
   switches to one at a time; those come back after their visibility timeout: tests/test_member.c.) */
static void test_too_large(void) {
    t_member *two[3];
    t_small = 1;
    CHECK(t_join(&t_x, 0));
    t_small = 0;
    t_add_socket(&t_x, "x-sock", "x-room");
    two[0] = &t_x, two[1] = &t_a, two[2] = &t_b;
    CHECK(t_pump_list(two, 3, 8000, t_x_ready_and_known));
    memset(t_big, 'x', sizeof t_big - 1);
    CHECK(t_aws_side(3, t_x.c.p_queue_url) == SIOC_OK);
    CHECK(t_pump_list(two, 3, 20000, t_x_dropped));
    CHECK_EQ_INT(t_st(&t_x)->too_large, 1);
    CHECK(t_st(&t_x)->bad_messages >= 1);
    CHECK(sioc_node_broadcast(t_b.node, sioc_str_c("/"), NULL, t_packet("after", 5), sioc_posix_now_ms()) == SIOC_OK);
    CHECK(t_pump_list(two, 3, 8000, t_x_got_deliver));
    CHECK(sioc_cluster_close(&t_x.c, sioc_posix_now_ms()) == SIOC_OK);
    CHECK(t_pump_list(two, 3, 5000, t_x_closed));
    t_member_free(&t_x);
}

static int t_b_recreated(void) {
    return t_st(&t_b)->recreated == 1 && t_state(&t_b) == SIOC_CLUSTER_RUNNING && t_b.node->ready;
}

static void test_queue_deleted(void) {
    char old[96];
    const t_ev *e;
    snprintf(old, sizeof old, "%s", sioc_cluster_queue_name(&t_b.c));
    if (t_is_aws()) {
        CHECK(t_aws_side(1, t_b.c.p_queue_url) == SIOC_OK);
    } else {
        CHECK(t_azure_side(1, old, t_nobytes(), NULL, 0) == SIOC_OK);
        CHECK(!t_zside.existed);
    }
    t_mark_b = t_b.n_evs;
    CHECK(t_pump(12000, t_b_recreated));
    CHECK(t_find(&t_b, SIOC_NODE_EV_NOT_READY, t_mark_b) != NULL);
    CHECK(t_find(&t_b, SIOC_NODE_EV_READY, t_mark_b) != NULL);
    CHECK(t_st(&t_b)->failures[SIOC_CLUSTER_OP_RECEIVE] >= 1);
    CHECK_EQ_INT(t_st(&t_b)->requests[SIOC_CLUSTER_OP_SUBSCRIBE], 2);
    if (t_is_aws()) { /* a new name: SQS refuses a deleted one for 60 s */
        CHECKF(strcmp(old, sioc_cluster_queue_name(&t_b.c)) != 0, "queue %s", sioc_cluster_queue_name(&t_b.c));
        CHECK_EQ_INT(t_st(&t_b)->requests[SIOC_CLUSTER_OP_CREATE_QUEUE], 2);
    } else { /* the same name, there again */
        CHECK(strcmp(old, sioc_cluster_queue_name(&t_b.c)) == 0);
        CHECK(t_azure_side(0, old, t_nobytes(), NULL, 0) == SIOC_OK);
    }
    /* messages reach it again (AWS: through the new subscription, the old one removed) */
    t_mark_b = t_b.n_evs;
    CHECK(sioc_node_broadcast(t_a.node, sioc_str_c("/"), NULL, t_packet("again", 3), sioc_posix_now_ms()) ==
          SIOC_OK);
    CHECK(t_pump(5000, t_b_got_deliver));
    e = t_find(&t_b, SIOC_NODE_EV_DELIVER, t_mark_b);
    CHECK(e && strcmp(e->text, "2[\"again\",3]") == 0);
}

static uint64_t t_restarts_a, t_restarts_b;
/* A noticed (AWS: its next Publish; Azure: its receives) and started over; both are running again. B may only
   notice when A's messages stop reaching it (AWS: peers go silent; the emulator keeps subscriptions across a
   re-created topic, real SNS does not). */
static int t_both_running_again(void) {
    return t_st(&t_a)->restarts + t_st(&t_a)->recreated > t_restarts_a &&
           t_state(&t_a) == SIOC_CLUSTER_RUNNING && t_state(&t_b) == SIOC_CLUSTER_RUNNING && t_a.node->ready &&
           t_b.node->ready;
}

/* The topic deleted under the running cluster (its subscriptions go with it): noticed (a publish or a receive
   fails), re-created with the subscriptions, messages flow again; the time it took is printed. */
static void test_topic_deleted(void) {
    uint64_t t0;
    const t_ev *e;
    t_restarts_a = t_st(&t_a)->restarts + t_st(&t_a)->recreated;
    t_restarts_b = t_st(&t_b)->restarts + t_st(&t_b)->recreated;
    CHECK(t_delete_topic(t_is_aws() ? t_a.c.p_topic : t_topic));
    t0 = sioc_posix_now_ms();
    CHECK(t_pump(20000, t_both_running_again));
    printf("     topic deleted: both members subscribed again after %llu ms\n",
           (unsigned long long)(sioc_posix_now_ms() - t0));
    /* what was published while B had no subscription is lost for B (the broker never took it for B's queue):
       broadcast every second until B gets one, within a few heartbeat timeouts (4 s here) */
    t_mark_b = t_b.n_evs;
    while (!t_b_got_deliver() && sioc_posix_now_ms() - t0 < 25000) {
        CHECK(sioc_node_broadcast(t_a.node, sioc_str_c("/"), NULL, t_packet("topic", 4), sioc_posix_now_ms()) == SIOC_OK);
        (void)t_pump(1000, t_b_got_deliver);
    }
    e = t_find(&t_b, SIOC_NODE_EV_DELIVER, t_mark_b);
    CHECK(e && strcmp(e->text, "2[\"topic\",4]") == 0);
    printf("     topic deleted: broadcasts reach the other member again %llu ms after the deletion\n",
           (unsigned long long)(sioc_posix_now_ms() - t0));
    t_a.n_errs = t_b.n_errs = 0; /* the lost topic was reported, as it should be */
}

static int t_dead_failed(void) { return t_state(&t_dead) == SIOC_CLUSTER_FAILED; }
static int t_dead_closed(void) { return t_state(&t_dead) == SIOC_CLUSTER_CLOSED; }

/* Azure, a wrong key: 401, one retry with a fresh token, then FAILED with SIOC_ERR_AUTH and no more requests. */
static void test_wrong_key(void) {
    uint64_t n;
    CHECK(t_member_init(&t_dead, t_rest_url, t_bad_conn_str, 0, 1));
    CHECK(t_pump(3000, t_dead_failed));
    CHECK_EQ_INT(t_state(&t_dead), SIOC_CLUSTER_FAILED);
    CHECK_EQ_INT(sioc_cluster_last_error(&t_dead.c), SIOC_ERR_AUTH);
    n = t_st(&t_dead)->requests[SIOC_CLUSTER_OP_GET_TOPIC];
    CHECK_EQ_INT(n, 2);
    CHECK_EQ_INT(t_st(&t_dead)->failures[SIOC_CLUSTER_OP_GET_TOPIC], 2);
    /* on_error: retried once, then given up */
    CHECK_EQ_INT(t_dead.n_errs, 2);
    CHECK(t_dead.err_retry_first == 1 && t_dead.err_retry_last == 0);
    CHECK(t_dead.err_op == SIOC_CLUSTER_OP_GET_TOPIC && t_dead.err_result == SIOC_ERR_AUTH &&
          t_dead.err_status == 401 && strcmp(t_dead.err_op_name, "GetTopic") == 0);
    CHECK(t_pump(1500, NULL));
    CHECK_EQ_INT(t_st(&t_dead)->requests[SIOC_CLUSTER_OP_GET_TOPIC], n); /* no hot loop, no loop at all */
    CHECK(!t_dead.node->ready);
    CHECK(sioc_cluster_close(&t_dead.c, sioc_posix_now_ms()) == SIOC_OK);
    CHECK(t_pump(300, t_dead_closed));
    CHECK_EQ_INT(t_state(&t_dead), SIOC_CLUSTER_CLOSED);
    CHECK_EQ_INT(t_st(&t_dead)->requests[SIOC_CLUSTER_OP_DELETE_QUEUE], 0);
    t_member_free(&t_dead);
}

/* Requests to a closed port: retried with growing, jittered delays, never a hot loop; close gives up at once. */
static void test_backoff(void) {
    uint64_t n;
    int first = t_is_aws() ? SIOC_CLUSTER_OP_CREATE_TOPIC : SIOC_CLUSTER_OP_GET_TOPIC;
    /* port 1 (tcpmux): nothing listens there on a test host */
    CHECK(t_member_init(&t_dead, "http://127.0.0.1:1", t_conn_str, 0, 1));
    CHECK(t_pump(3000, NULL));
    n = t_st(&t_dead)->requests[first];
    CHECKF(n >= 3 && n <= 12, "%llu %s attempts in 3 s", (unsigned long long)n, sioc_cluster_op_name(&t_dead.c, first));
    CHECK_EQ_INT(t_st(&t_dead)->failures[first], n);
    CHECK_EQ_INT(t_dead.n_errs, n);
    CHECK(t_dead.err_retry_last == 1 && t_dead.err_status == 0);
    CHECK_EQ_INT(t_state(&t_dead), SIOC_CLUSTER_STARTING);
    CHECK(!t_dead.node->ready);
    CHECK(sioc_cluster_last_error(&t_dead.c) == SIOC_ERR_CONNECT || sioc_cluster_last_error(&t_dead.c) == SIOC_ERR_CLOSED);
    CHECK(sioc_cluster_close(&t_dead.c, sioc_posix_now_ms()) == SIOC_OK);
    CHECK(t_pump(t_is_aws() ? 500 : 2500, t_dead_closed));
    CHECK_EQ_INT(t_state(&t_dead), SIOC_CLUSTER_CLOSED);
    t_member_free(&t_dead);
}

/* ---- Service Bus faults on demand (the broker's POST /$broker/faults) ---- */

/* One request to the broker's plain HTTP port (extra: more header lines, each ending in CRLF); the answer into
   out (NUL-terminated). 1 on a 2xx. */
static int t_broker_http_x(const char *method, const char *path, const char *extra, const char *body, char *out,
                           size_t cap) {
    struct sockaddr_in sa;
    static char req[32768];
    size_t got = 0;
    ssize_t n;
    int fd = socket(AF_INET, SOCK_STREAM, 0), len;
    if (fd < 0) return 0;
    memset(&sa, 0, sizeof sa);
    sa.sin_family = AF_INET;
    sa.sin_port = htons((uint16_t)atoi(strrchr(t_rest_url, ':') + 1));
    sa.sin_addr.s_addr = htonl(0x7f000001u);
    len = snprintf(req, sizeof req,
                   "%s %s HTTP/1.1\r\nHost: 127.0.0.1\r\n%sContent-Length: %lu\r\nConnection: close\r\n\r\n%s", method,
                   path, extra, (unsigned long)strlen(body), body);
    if (len <= 0 || (size_t)len >= sizeof req || connect(fd, (struct sockaddr *)&sa, sizeof sa) != 0 ||
        write(fd, req, (size_t)len) != len) {
        close(fd);
        return 0;
    }
    while (got + 1 < cap && (n = read(fd, out + got, cap - 1 - got)) > 0) got += (size_t)n;
    out[got] = 0;
    close(fd);
    return strncmp(out, "HTTP/1.1 2", 10) == 0;
}

static int t_broker_http(const char *method, const char *path, const char *body, char *out, size_t cap) {
    return t_broker_http_x(method, path, "", body, out, cap);
}

/* Send a message with a custom property of `prop_len` bytes straight to the topic (our own client keeps property
   values within SIOC_AZURE_META_SIZE; Service Bus takes far larger ones). */
static int t_send_big_prop(size_t prop_len) {
    static char extra[16384], big[12288];
    char token[512], out[1024], path[128];
    sioc_sas_params sp;
    sioc_buf b;
    if (prop_len >= sizeof big) return 0;
    memset(&sp, 0, sizeof sp);
    sp.resource_uri = sioc_str_c("https://127.0.0.1/");
    sp.key_name = sioc_str_c(T_KEY_NAME);
    sp.key = sioc_str_c(T_KEY);
    sp.expiry = sioc_posix_utc_now(NULL) + 600;
    sioc_buf_init(&b, token, sizeof token - 1);
    if (sioc_sas_token(&sp, &b) != SIOC_OK) return 0;
    token[b.len] = 0;
    memset(big, 'x', prop_len);
    big[prop_len] = 0;
    snprintf(extra, sizeof extra,
             "Authorization: %s\r\nContent-Type: application/octet-stream\r\nbig: \"%s\"\r\nnsp: \"/\"\r\n"
             "uid: \"bigbigbigbigbig0\"\r\n", token, big);
    snprintf(path, sizeof path, "/%s/messages", t_topic);
    return t_broker_http_x("POST", path, extra, "\x81\xa4type\x03", out, sizeof out);
}

static char t_stats[65536];
/* A number from the broker's stats: "name" at the top, or ready / locked of a subscription of this run's topic. */
static long t_stat(const char *sub, const char *name) {
    sioc_json_tok toks[2048];
    sioc_json doc;
    const char *body;
    int64_t v = -1;
    int at;
    if (!t_broker_http("GET", "/$broker/stats", "", t_stats, sizeof t_stats) || !(body = strstr(t_stats, "\r\n\r\n")))
        return -1;
    body += 4;
    if (sioc_json_parse(&doc, body, strlen(body), toks, 2048) != SIOC_OK) return -1;
    at = sub ? sioc_json_find(&doc, sioc_json_find(&doc, sioc_json_find(&doc, 0, "topics"), t_topic), sub) : 0;
    if (at >= 0) (void)sioc_json_get_i64(&doc, sioc_json_find(&doc, at, name), &v);
    return (long)v;
}

static int t_subs_empty(void) {
    return t_stat(sioc_cluster_queue_name(&t_a.c), "ready") == 0 && t_stat(sioc_cluster_queue_name(&t_a.c), "locked") == 0 &&
           t_stat(sioc_cluster_queue_name(&t_b.c), "ready") == 0 && t_stat(sioc_cluster_queue_name(&t_b.c), "locked") == 0;
}

static size_t t_count_deliver(t_member *m, size_t from, const char *text) {
    size_t i, n = 0;
    for (i = from; i < m->n_evs; i++) n += m->evs[i].type == SIOC_NODE_EV_DELIVER && !strcmp(m->evs[i].text, text);
    return n;
}

static size_t t_want;
static int t_a_has_all(void) {
    return t_count_deliver(&t_a, t_mark_a, "2[\"f\",1]") + t_count_deliver(&t_a, t_mark_a, "2[\"f\",2]") +
               t_count_deliver(&t_a, t_mark_a, "2[\"f\",3]") >= t_want &&
           t_subs_empty();
}

/* Completes failing 5 times in a row (the old rule gave up after 4): retried with backoff while the lock holds,
   so every message is completed and reaches A once. Sends answered 401 three times: re-signed and retried, nothing
   dropped. A 10,000-deep body and a message with a 10 KB property: completed (never unlocked), counted, the
   subscription empties. */
static void test_sb_faults(void) {
    char out[4096];
    long injected0 = t_stat(NULL, "faults_injected"), abandoned0 = t_stat(NULL, "abandoned");
    uint64_t bad0 = t_st(&t_a)->bad_messages, sf0 = t_st(&t_a)->settle_failed + t_st(&t_b)->settle_failed;
    uint64_t pf0 = t_st(&t_b)->publish_failed;
    static uint8_t deep[10002];
    sioc_azure_prop p[2];
    CHECK(t_pump(3000, t_subs_empty));
    CHECK(t_broker_http("POST", "/$broker/faults", "[{\"op\":\"complete\",\"status\":500,\"count\":5}]", out, sizeof out));
    t_mark_a = t_a.n_evs;
    CHECK(sioc_node_broadcast(t_b.node, sioc_str_c("/"), NULL, t_packet("f", 1), sioc_posix_now_ms()) == SIOC_OK);
    CHECK(sioc_node_broadcast(t_b.node, sioc_str_c("/"), NULL, t_packet("f", 2), sioc_posix_now_ms()) == SIOC_OK);
    CHECK(sioc_node_broadcast(t_b.node, sioc_str_c("/"), NULL, t_packet("f", 3), sioc_posix_now_ms()) == SIOC_OK);
    t_want = 3;
    CHECK(t_pump(20000, t_a_has_all));
    CHECK(t_pump(1500, NULL)); /* time for a duplicate to show */
    CHECK_EQ_INT(t_stat(NULL, "faults_injected") - injected0, 5);
    CHECKF(t_count_deliver(&t_a, t_mark_a, "2[\"f\",1]") == 1 && t_count_deliver(&t_a, t_mark_a, "2[\"f\",2]") == 1 &&
               t_count_deliver(&t_a, t_mark_a, "2[\"f\",3]") == 1,
           "deliveries %zu %zu %zu", t_count_deliver(&t_a, t_mark_a, "2[\"f\",1]"),
           t_count_deliver(&t_a, t_mark_a, "2[\"f\",2]"), t_count_deliver(&t_a, t_mark_a, "2[\"f\",3]"));
    CHECK_EQ_INT(t_st(&t_a)->settle_failed + t_st(&t_b)->settle_failed, sf0);
    /* 401 on three sends: fresh tokens, backoff, delivered once */
    injected0 = t_stat(NULL, "faults_injected");
    CHECK(t_broker_http("POST", "/$broker/faults", "[{\"op\":\"send\",\"status\":401,\"count\":3}]", out, sizeof out));
    t_mark_a = t_a.n_evs;
    CHECK(sioc_node_broadcast(t_b.node, sioc_str_c("/"), NULL, t_packet("f", 1), sioc_posix_now_ms()) == SIOC_OK);
    t_want = 1;
    CHECK(t_pump(20000, t_a_has_all));
    CHECK_EQ_INT(t_stat(NULL, "faults_injected") - injected0, 3);
    CHECK_EQ_INT(t_count_deliver(&t_a, t_mark_a, "2[\"f\",1]"), 1);
    CHECK_EQ_INT(t_st(&t_b)->publish_failed, pf0);
    /* a body nested 10,000 deep and a message with a 10 KB property: completed, counted, nothing abandoned */
    memset(deep, 0x91, sizeof deep - 1);
    deep[sizeof deep - 1] = 0xc0;
    p[0].name = sioc_str_c("nsp"), p[0].type = SIOC_AZURE_PROP_STRING, p[0].value = sioc_str_c("/");
    p[1].name = sioc_str_c("uid"), p[1].type = SIOC_AZURE_PROP_STRING, p[1].value = sioc_str_c("deepdeepdeepdeep");
    CHECK(t_azure_side(2, "", sioc_bytes_n(deep, sizeof deep), p, 2) == SIOC_OK);
    CHECK(t_send_big_prop(10240));
    CHECK(t_pump(3000, NULL));
    CHECK(t_pump(10000, t_subs_empty));
    CHECK(t_st(&t_a)->bad_messages >= bad0 + 2);
    CHECK_EQ_INT(t_stat(NULL, "abandoned"), abandoned0);
    CHECK_EQ_INT(t_st(&t_a)->unlocked, 0);
    CHECK_EQ_INT(t_state(&t_a), SIOC_CLUSTER_RUNNING);
    CHECK_EQ_INT(t_state(&t_b), SIOC_CLUSTER_RUNNING);
    t_a.n_errs = t_b.n_errs = 0; /* the faults above were reported, as they should be */
}

/* ---- AWS orphan clean-up ---- */

static t_member t_j1, t_j2, t_k, t_s;
static int t_orphans_ready(void) {
    return sioc_node_peer_count(t_j1.node, sioc_str_c("/")) == 3 && sioc_node_peer_count(t_j2.node, sioc_str_c("/")) == 3 &&
           sioc_node_peer_count(t_s.node, sioc_str_c("/")) == 3;
}

/* Turns of the janitor candidates and of S, a member that is slow but alive: it runs for 300 ms every 1.5 s. */
static void t_orphan_pump(uint32_t ms, uint64_t *k_gone, uint64_t *n_gone, uint64_t t0) {
    uint64_t end = sioc_posix_now_ms() + ms, s_next = 0;
    char k_url[SIOC_CLUSTER_ARN_MAX];
    snprintf(k_url, sizeof k_url, "%s", t_k.c.p_queue_url);
    while (sioc_posix_now_ms() < end && (!*k_gone || !*n_gone)) {
        uint64_t now = sioc_posix_now_ms(), stop;
        (void)sioc_cluster_run_posix(&t_j1.c, 20);
        (void)sioc_cluster_run_posix(&t_j2.c, 20);
        t_drain(&t_j1);
        t_drain(&t_j2);
        if (now >= s_next) {
            for (stop = now + 300; sioc_posix_now_ms() < stop;) (void)sioc_cluster_run_posix(&t_s.c, 20), t_drain(&t_s);
            s_next = sioc_posix_now_ms() + 1500;
        }
        if ((now / 500) % 2 == 0) continue; /* look at the queues every other half second */
        if (!*k_gone && t_aws_queue_exists(k_url) == 0) *k_gone = sioc_posix_now_ms() - t0;
        if (!*n_gone && t_aws_queue_exists(t_node_url) == 0) *n_gone = sioc_posix_now_ms() - t0;
    }
}

/* Run the given members for up to ms or until cond() holds. */
static int t_pump_list(t_member **ms, size_t n, uint32_t ms_total, int (*cond)(void)) {
    uint64_t end = sioc_posix_now_ms() + ms_total;
    size_t i;
    while (sioc_posix_now_ms() < end) {
        for (i = 0; i < n; i++) {
            if (!ms[i]->up) continue;
            (void)sioc_cluster_run_posix(&ms[i]->c, 2);
            t_drain(ms[i]);
        }
        if (cond && cond()) return 1;
    }
    return cond ? cond() : 1;
}

static int t_orphans_closed(void) {
    return t_state(&t_j1) == SIOC_CLUSTER_CLOSED && t_state(&t_j2) == SIOC_CLUSTER_CLOSED &&
           t_state(&t_s) == SIOC_CLUSTER_CLOSED;
}

/* A member killed without a goodbye (its queue and subscription left behind) and a Node-made queue nobody reads
   any more: the member with the lowest live uid removes both after orphan_after_s (3 s here, looking every second);
   the other member removes nothing; a slow but alive member's queue and the live ones stay. */
static void test_orphans(void) {
    uint64_t k_gone = 0, n_gone = 0, t0;
    char s_url[SIOC_CLUSTER_ARN_MAX], j1_url[SIOC_CLUSTER_ARN_MAX], j2_url[SIOC_CLUSTER_ARN_MAX];
    t_member *all[4];
    t_member *jan, *other;
    all[0] = &t_j1, all[1] = &t_j2, all[2] = &t_k, all[3] = &t_s;
    t_orphan_after_s = 3;
    CHECK(t_join(&t_j1, 0) && t_join(&t_j2, 0) && t_join(&t_k, 0));
    t_no_janitor = 1; /* S is pumped in bursts: under load its node may lose its peers for a while and think itself
                         the lowest uid; it stands aside so that the count below is exact */
    CHECK(t_join(&t_s, 0));
    t_no_janitor = 0;
    t_orphan_after_s = 0;
    CHECK(t_pump_list(all, 4, 10000, t_orphans_ready));
    CHECK(t_aws_node_queue(t_j1.c.p_topic));
    snprintf(s_url, sizeof s_url, "%s", t_s.c.p_queue_url);
    snprintf(j1_url, sizeof j1_url, "%s", t_j1.c.p_queue_url);
    snprintf(j2_url, sizeof j2_url, "%s", t_j2.c.p_queue_url);
    /* K dies: no ADAPTER_CLOSE, no DeleteQueue, no Unsubscribe */
    t_k.up = 0;
    t0 = sioc_posix_now_ms();
    t_orphan_pump(30000, &k_gone, &n_gone, t0);
    printf("     orphans: killed member's queue gone %llu ms after the kill, Node-made queue gone after %llu ms "
           "(0: never)\n",
           (unsigned long long)k_gone, (unsigned long long)n_gone);
    CHECK(k_gone > 3000 && k_gone < 20000);
    CHECK(n_gone > 3000 && n_gone < 20000);
    { /* the broker may have deleted before the janitor read the answer */
        t_member *two[2];
        two[0] = &t_j1, two[1] = &t_j2;
        CHECK(t_pump_list(two, 2, 1500, NULL));
    }
    jan = strcmp(t_j1.node->uid, t_j2.node->uid) < 0 ? &t_j1 : &t_j2;
    other = jan == &t_j1 ? &t_j2 : &t_j1; /* the member that is not the janitor */
    CHECK_EQ_INT(t_st(jan)->orphans_deleted, 2);
    CHECK_EQ_INT(t_st(other)->orphans_deleted, 0);
    CHECK(t_st(jan)->requests[SIOC_CLUSTER_OP_LIST_QUEUES] >= 3);
    /* the other looks at the listing and the tags (cached) to know it is not the janitor, but never further */
    CHECK_EQ_INT(t_st(other)->requests[SIOC_CLUSTER_OP_LIST_SUBSCRIPTIONS], 0);
    CHECK_EQ_INT(t_st(other)->requests[SIOC_CLUSTER_OP_DELETE_QUEUE], 0);
    /* nobody alive was touched */
    CHECK_EQ_INT(t_aws_queue_exists(s_url), 1);
    CHECK_EQ_INT(t_aws_queue_exists(j1_url), 1);
    CHECK_EQ_INT(t_aws_queue_exists(j2_url), 1);
    CHECK(t_state(&t_s) == SIOC_CLUSTER_RUNNING && t_s.node->ready);
    sioc_cluster_free(&t_k.c);
    CHECK(sioc_cluster_close(&t_j1.c, sioc_posix_now_ms()) == SIOC_OK);
    CHECK(sioc_cluster_close(&t_j2.c, sioc_posix_now_ms()) == SIOC_OK);
    CHECK(sioc_cluster_close(&t_s.c, sioc_posix_now_ms()) == SIOC_OK);
    CHECK(t_pump_list(all, 4, 10000, t_orphans_closed));
    t_member_free(&t_j1);
    t_member_free(&t_j2);
    t_member_free(&t_s);
}

static int t_both_closed(void) {
    return t_state(&t_a) == SIOC_CLUSTER_CLOSED && t_state(&t_b) == SIOC_CLUSTER_CLOSED;
}
static int t_a_saw_b_leave(void) { return sioc_node_peer_count(t_a.node, sioc_str_c("/")) == 0; }

static void test_close(void) {
    char name_a[96], name_b[96], url_b[SIOC_CLUSTER_ARN_MAX];
    snprintf(name_a, sizeof name_a, "%s", sioc_cluster_queue_name(&t_a.c));
    snprintf(name_b, sizeof name_b, "%s", sioc_cluster_queue_name(&t_b.c));
    snprintf(url_b, sizeof url_b, "%s", t_b.c.p_queue_url);
    CHECK(sioc_cluster_close(&t_b.c, sioc_posix_now_ms()) == SIOC_OK);
    CHECK(t_pump(3000, t_a_saw_b_leave)); /* ADAPTER_CLOSE arrived before the queue / subscription went */
    CHECK(sioc_cluster_close(&t_a.c, sioc_posix_now_ms()) == SIOC_OK);
    CHECK(t_pump(5000, t_both_closed));
    CHECK_EQ_INT(t_st(&t_b)->requests[SIOC_CLUSTER_OP_DELETE_QUEUE], 1);
    CHECK_EQ_INT(t_st(&t_a)->requests[SIOC_CLUSTER_OP_DELETE_QUEUE], 1);
    CHECK(t_st(&t_b)->published >= 1 && t_st(&t_b)->publish_failed == 0);
    CHECK(sioc_cluster_published_seq(&t_b.c) == sioc_cluster_queued_seq(&t_b.c) && t_b.pub_order_ok &&
          t_b.pub_bad == 0);
    CHECK_EQ_INT(t_st(&t_a)->redelivered + t_st(&t_b)->redelivered, 0);
    CHECKF(sioc_cluster_queue_name(&t_a.c)[0] == 0 && sioc_cluster_queue_name(&t_b.c)[0] == 0, "names %s, %s",
           sioc_cluster_queue_name(&t_a.c), sioc_cluster_queue_name(&t_b.c));
    if (t_is_aws()) {
        CHECK(t_st(&t_b)->requests[SIOC_CLUSTER_OP_UNSUBSCRIBE] >= 2); /* the lost queue's subscription, then its own */
        CHECK(t_b.c.p_queue_url[0] == 0 && t_b.c.p_sub_arn[0] == 0);
        CHECK(t_aws_side(2, url_b) == SIOC_ERR_NOT_FOUND); /* the queue is gone */
    } else { /* both subscriptions are gone */
        CHECK(t_azure_side(0, name_a, t_nobytes(), NULL, 0) == SIOC_ERR_NOT_FOUND);
        CHECK(t_azure_side(0, name_b, t_nobytes(), NULL, 0) == SIOC_ERR_NOT_FOUND);
    }
    CHECK_EQ_INT(t_a.n_errs, 0);
    t_member_free(&t_a);
    t_member_free(&t_b);
}

/* Offline: defaults resolved per transport, options checked. */
static void test_desc(void) {
    sioc_cluster_desc d, r;
    sioc_cluster c;
    memset(&d, 0, sizeof d);
    d.transport = t_tr;
    d.own_io = 1;
    r = sioc_cluster_desc_resolved(&d);
    CHECK_EQ_INT(r.transport, t_tr);
    if (t_is_aws()) {
        CHECK(strcmp(r.topic_name, "socket-io") == 0 && strcmp(r.prefix, "socket-io") == 0);
        CHECK_EQ_INT(r.aws.wait_time_s, 20);
        CHECK_EQ_INT(r.receives_in_flight, 1);
        CHECK_EQ_INT(r.aws.retention_s, 3600);
    } else {
        CHECK(strcmp(r.topic_name, "socket.io") == 0 && strcmp(r.prefix, "socket.io") == 0);
        CHECK_EQ_INT(r.azure.timeout_s, 55);
        CHECK_EQ_INT(r.receives_in_flight, 2);
        CHECK_EQ_INT(r.azure.auto_delete_on_idle_s, 300);
    }
    CHECK(sioc_cluster_heap_size(&d) > 0);
    d.receives_in_flight = SIOC_CLUSTER_MAX_RECEIVES + 1;
    CHECK(sioc_cluster_init(&c, &d) == SIOC_ERR_ARG);
    CHECK_EQ_INT(sioc_cluster_heap_size(&d), 0);
    d.receives_in_flight = 1;
    if (t_is_aws()) {
        d.aws.retention_s = 59;
        CHECK(sioc_cluster_init(&c, &d) == SIOC_ERR_ARG);
    } else {
        d.azure.timeout_s = 61;
        CHECK(sioc_cluster_init(&c, &d) == SIOC_ERR_ARG);
        d.azure.timeout_s = 0;
        d.topic_name = "bad/topic";
        CHECK(sioc_cluster_init(&c, &d) == SIOC_ERR_ARG);
        d.topic_name = NULL;
        d.prefix = "a-prefix-far-too-long-for-fifty-chars-x"; /* 39 + 1 + 16 > 50 */
        CHECK_EQ_INT(sioc_cluster_heap_size(&d), 0);
    }
}

static int t_run(sioc_cluster_transport tr) {
    char why[256];
    int started;
    const char *name = tr == SIOC_CLUSTER_AWS ? "test_member_live_aws" : "test_member_live_azure";
    int p0 = sioc_t_passed, f0 = sioc_t_failed, s0 = sioc_t_skipped;
    t_tr = tr;
    RUN(test_desc);
    started = t_start_server(why, sizeof why);
    if (started <= 0) {
        if (started == 0)
            sioc_t_skip(name, t_is_aws() ? "live tests against fauxqs" : "live tests against the broker", why);
        else CHECKF(0, "the server could not start: %s", why);
    } else {
        snprintf(t_topic, sizeof t_topic, "sioc-member-live-%ld", (long)getpid());
        printf("%s at %s\n", t_is_aws() ? "fauxqs" : "broker", t_is_aws() ? t_endpoint : t_rest_url);
        RUN(test_join);
        RUN(test_broadcast);
        RUN(test_ack_broadcast);
        RUN(test_fetch);
        RUN(test_server_side_emit);
        RUN(test_emitter);
        RUN(test_bad_message);
        if (t_is_aws()) RUN(test_too_large);
        RUN(test_queue_deleted);
        RUN(test_topic_deleted);
        if (!t_is_aws()) RUN(test_sb_faults);
        if (!t_is_aws()) RUN(test_wrong_key);
        RUN(test_backoff);
        RUN(test_close);
        if (t_is_aws()) RUN(test_orphans);
        child_stop(&t_server, 5000);
    }
    printf("%s: %d passed, %d failed, %d skipped\n", name, sioc_t_passed - p0, sioc_t_failed - f0,
           sioc_t_skipped - s0);
    return sioc_t_failed != f0;
}

int main(int argc, char **argv) {
    const char *tr = NULL;
    int i;
    signal(SIGPIPE, SIG_IGN);
    for (i = 1; i < argc; i++) {
        if (strcmp(argv[i], "--transport") == 0 && i + 1 < argc) tr = argv[++i];
        else if (strncmp(argv[i], "--transport=", 12) == 0) tr = argv[i] + 12;
        else tr = "?";
    }
    if (tr && strcmp(tr, "aws") == 0) return t_run(SIOC_CLUSTER_AWS);
    if (tr && strcmp(tr, "azure") == 0) return t_run(SIOC_CLUSTER_AZURE);
    if (tr) {
        fprintf(stderr, "usage: %s [--transport aws|azure]\n", argv[0]);
        return 2;
    }
    (void)t_run(SIOC_CLUSTER_AWS);
    (void)t_run(SIOC_CLUSTER_AZURE);
    return sioc_t_report("test_member_live");
}
