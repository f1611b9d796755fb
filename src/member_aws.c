/* ---- member_aws: the member's requests over SNS + SQS (member.h; docs/AWS.md §2, §4, §6) ----
   Start-up steps, Publish / PublishBatch (SIOC_ENABLE_PUBLISH_BATCH) from the node's out queue,
   DeleteMessageBatch of everything received, long-poll ReceiveMessage and the hand-over of each message to the
   node. Slots, retries and deadlines are member.c's. */
#include "base.h"
#include "internal.h"
#include "crypto.h"
#include "json.h"
#include "cluster_msg.h"
#include "cluster.h"
#include "aws.h"
#include "member.h"
#include "member_int.h"

#if SIOC_ENABLE_AWS

/* start-up steps; clean-up steps follow member.c's SIOC__M_STEP_CLEANUP */
enum {
    SIOC__MAWS_S_TOPIC = 0,
    SIOC__MAWS_S_QUEUE,
    SIOC__MAWS_S_ARN,
    SIOC__MAWS_S_POLICY,
    SIOC__MAWS_S_UNSUB_OLD,
    SIOC__MAWS_S_SUBSCRIBE,
    SIOC__MAWS_S_DONE,
    SIOC__MAWS_S_RESUBSCRIBE, /* RUNNING: Subscribe again to check the subscription still exists */
    SIOC__MAWS_S_DELQ = SIOC__M_STEP_CLEANUP,
    SIOC__MAWS_S_UNSUB
};

#define SIOC__MAWS_CTL_BODY 4096u /* a start-up request without tags: 2 KB at most (300-byte ARNs, percent-encoded) */
#define SIOC__MAWS_DEL_BODY (SIOC_AWS_MAX_BATCH * (SIOC_CLUSTER_HANDLE_MAX + 64) + 2 * SIOC_CLUSTER_ARN_MAX)
#define SIOC__MAWS_RECV_BODY 2048u
#define SIOC__MAWS_TAIL 4096u /* the end of a reply too large to read, kept to find its receipt handle */
#if SIOC_ENABLE_PUBLISH_BATCH
#define SIOC__MAWS_PUB_KEYS 16384u /* the form keys of 10 entries around the messages, the topic ARN */
#define SIOC__MAWS_PUB_REPLY(r) (r)
#else /* one Publish: 4 attributes' keys (~500 B) and the ARN percent-encoded; its reply is ~400 B */
#define SIOC__MAWS_PUB_KEYS 4096u
#define SIOC__MAWS_PUB_REPLY(r) SIOC__MIN((r), (size_t)4096u)
#endif

static const char *const sioc__maws_ops[SIOC_CLUSTER_OP_COUNT] = {
    "GetTopic", "CreateTopic", "CreateQueue", "GetQueueAttributes", "SetQueueAttributes", "Subscribe",
    "ReceiveMessage", "DeleteMessageBatch", "Unlock", "Publish", "PublishBatch", "DeleteQueue", "Unsubscribe",
    "ListQueues", "ListQueueTags", "ListSubscriptionsByTopic"};

static const char *sioc__maws_op_name(int op) { return sioc__maws_ops[op]; }

/* The adapter's message attributes: nsp, uid, then requesterUid and data when present. */
static const sioc_str sioc__maws_attr_names[4] = {{"nsp", 3}, {"uid", 3}, {"requesterUid", 12}, {"data", 4}};

#if SIOC_ENABLE_RECEIVE || SIOC_ENABLE_PUBLISH_BATCH
/* Batch entry ids only need to be unique in their batch (docs/AWS.md §3.2): "m0" .. "m9". */
static sioc_str sioc__maws_id(size_t i) {
    static const char ids[] = "m0m1m2m3m4m5m6m7m8m9";
    return sioc_str_n(ids + 2u * i, 2);
}
#endif

static sioc_result sioc__maws_layout(const sioc_cluster_desc *d, sioc__mlayout *l) {
    const sioc_cluster_aws_opts *a = &d->aws;
    size_t max_msg = d->node.max_message_size, reply = d->reply_buffer_size, i;
    size_t ctl = SIOC__MAWS_CTL_BODY; /* and every tag, escaped (JSON \u00XX takes 6 bytes, a %XX 3) */
    if (a->max_messages < 1 || a->max_messages > 10 || a->wait_time_s > 20 || a->retention_s < 60 ||
        a->retention_s > 1209600 || strlen(d->topic_name) > 256 || strlen(d->prefix) > 60 ||
        a->receive_buffer_size < 4096)
        return SIOC_ERR_ARG;
    for (i = 0; i < a->n_tags + a->n_topic_tags; i++) {
        const sioc_aws_kv *t = i < a->n_tags ? &a->tags[i] : &a->topic_tags[i - a->n_tags];
        ctl += 6u * (t->key.len + t->value.len) + 96u;
    }
    l->body[SIOC__MK_CTL] = ctl, l->reply[SIOC__MK_CTL] = reply;
    /* the largest batch (the message size in all), base64 (4/3), then percent-encoded (+ / = take 3 bytes), with
       the attribute names, entry keys and topic ARN around it */
    l->body[SIOC__MK_PUB] = 4u * max_msg + SIOC__MAWS_PUB_KEYS, l->reply[SIOC__MK_PUB] = SIOC__MAWS_PUB_REPLY(reply);
    l->n_settle_slots = 1, l->body[SIOC__MK_SETTLE] = SIOC__MAWS_DEL_BODY, l->reply[SIOC__MK_SETTLE] = reply;
    l->body[SIOC__MK_RECV] = SIOC__MAWS_RECV_BODY, l->reply[SIOC__MK_RECV] = a->receive_buffer_size;
    /* a full delete batch and what the receives in flight may bring (a ReceiveMessage waits for that room) */
    l->settle_cap = SIOC_AWS_MAX_BATCH + (size_t)d->receives_in_flight * (size_t)a->max_messages;
    l->per_receive = (size_t)a->max_messages;
    l->toks = 64u + 128u * (size_t)a->max_messages; /* about 50 per message with its four attributes */
    l->scratch = SIOC__MAX((size_t)a->receive_buffer_size, reply);
    if (SIOC__M_JANITOR && !a->no_orphan_cleanup) { /* pages of 100 queues or subscriptions */
        l->body[SIOC__MK_JANITOR] = 4096u, l->reply[SIOC__MK_JANITOR] = 65536u;
        l->scratch = SIOC__MAX(l->scratch, (size_t)65536u);
        l->toks = SIOC__MAX(l->toks, (size_t)512u);
    }
    return SIOC_OK;
}

static sioc_aws_client *sioc__maws_client(sioc_cluster *c) { return &c->p_client.aws; }

static const sioc_aws_service sioc__maws_svc[SIOC_CLUSTER_OP_COUNT] = {
    SIOC_AWS_SNS, SIOC_AWS_SNS, SIOC_AWS_SQS, SIOC_AWS_SQS, SIOC_AWS_SQS, SIOC_AWS_SNS, SIOC_AWS_SQS,
    SIOC_AWS_SQS, SIOC_AWS_SQS, SIOC_AWS_SNS, SIOC_AWS_SNS, SIOC_AWS_SQS, SIOC_AWS_SNS,
    SIOC_AWS_SQS, SIOC_AWS_SQS, SIOC_AWS_SNS};

/* Sign and send the body already written into the slot. */
static sioc_result sioc__maws_start_call(sioc_cluster *c, sioc__mslot *s, uint64_t now) {
    sioc_aws_call *call = &s->call.aws;
    call->timeout_ms = c->p_desc.request_timeout_ms;
    if (s->op == SIOC_CLUSTER_OP_RECEIVE) call->timeout_ms = (uint32_t)c->p_desc.aws.wait_time_s * 1000u + 10000u;
    call->user = s;
    return sioc_aws_submit(sioc__maws_client(c), call, sioc__maws_svc[s->op], sioc__maws_ops[s->op], s->body_len,
                           now);
}

/* The user pointer (its slot) of the next finished call, NULL when none. */
static void *sioc__maws_next(sioc_cluster *c, uint64_t now) {
    sioc_aws_call *done = NULL;
    return sioc_aws_next(sioc__maws_client(c), now, &done) == SIOC_OK ? done->user : NULL;
}

static sioc_result sioc__maws_client_init(sioc_cluster *c) {
    const sioc_cluster_desc *d = &c->p_desc;
    sioc_aws_desc ad;
    memset(&ad, 0, sizeof ad);
    ad.region = d->aws.region;
    ad.credentials = d->aws.credentials;
    ad.sns_endpoint = d->aws.sns_endpoint, ad.sqs_endpoint = d->aws.sqs_endpoint;
    ad.utc_now = d->utc_now, ad.user = d->user, ad.http = d->http;
    ad.publish_at_most_once = d->publish_at_most_once;
    if (ad.region && ad.credentials.access_key_id.len && ad.credentials.secret_access_key.len) {
        sioc_result r = sioc_aws_client_init(sioc__maws_client(c), &ad);
        if (r != SIOC_OK) /* the client logged it; kept for sioc_cluster_last_detail */
            sioc__copy_fixed(c->p_detail, sizeof c->p_detail, sioc_str_c(sioc__maws_client(c)->detail));
        return r;
    }
    sioc__m_log(c, d, SIOC__M_TEXT("sioc_cluster: AWS region or credentials missing (AWS_ACCESS_KEY_ID, AWS_SECRET_ACCESS_KEY)"));
    return SIOC_ERR_NOT_FOUND;
}

static void sioc__maws_cancel(sioc_cluster *c, sioc__mslot *s) {
    (void)sioc_aws_cancel(sioc__maws_client(c), &s->call.aws);
}

static void sioc__maws_error(const sioc__mslot *s, sioc_cluster_error *e) {
    const sioc_aws_call *call = &s->call.aws;
    e->status = call->status;
    e->code = call->error.code;
    e->message = call->error.message;
    e->detail = call->detail;
}

#if SIOC_ENABLE_RECEIVE
static int sioc__maws_can_receive(const sioc_cluster *c) { return c->p_queue_url[0] != 0; }
#endif

/* Write body `b` into the slot and send it as op. */
static void sioc__maws_go(sioc_cluster *c, sioc__mslot *s, int op, const sioc_buf *b, uint64_t now) {
    s->body_len = b->len;
    sioc__m_go(c, s, op, now);
}

/* ---- start-up and shutdown steps (ctl slot) ---- */

static void sioc__maws_queue_name(sioc_cluster *c, int fresh) {
    sioc_buf b;
    sioc_buf_init(&b, c->p_name, sizeof c->p_name - 1);
    sioc_buf_puts(&b, c->p_desc.prefix);
    sioc_buf_putc(&b, '-');
    if (!fresh) {
        sioc_buf_put(&b, c->p_node.uid, c->p_node.uid_len);
    } else { /* a re-created queue gets a new name: SQS refuses a deleted name for 60 s */
        uint8_t r[8];
        char hex[2 * sizeof r + 1];
        (void)c->p_desc.random(c->p_desc.user, r, sizeof r);
        (void)sioc_hex_encode(r, sizeof r, hex, sizeof hex);
        sioc_buf_put(&b, hex, 2 * sizeof r);
    }
    c->p_name[SIOC__MIN(b.len, sizeof c->p_name - 1)] = 0;
}

static void sioc__maws_begin(sioc_cluster *c) {
    if (!sioc__m_emitter(c)) sioc__maws_queue_name(c, 0);
    c->p_step = SIOC__MAWS_S_TOPIC;
}

#if SIOC_ENABLE_RECEIVE
/* Default queue tags name the cluster and the member, and whether it cleans up orphans (docs/AWS.md §2.4); the
   cluster's name is cut at 127 bytes. Fills tags[3], returns their count, *tp the tags to send. */
static size_t sioc__maws_tags(sioc_cluster *c, sioc_aws_kv *tags, const sioc_aws_kv **tp) {
    size_t tl = strlen(c->p_desc.topic_name);
    *tp = c->p_desc.aws.tags;
    if (*tp && c->p_desc.aws.n_tags) return c->p_desc.aws.n_tags;
    tags[0].key = sioc_str_n("sioc-cluster", 12);
    tags[0].value = sioc_str_n(c->p_desc.topic_name, SIOC__MIN(tl, (size_t)127));
    tags[1].key = sioc_str_n("sioc-node", 9);
    tags[1].value = sioc_str_n(c->p_node.uid, c->p_node.uid_len);
    tags[2].key = sioc_str_n("sioc-janitor", 12);
    tags[2].value = sioc_str_n("1", 1);
    *tp = tags;
    return SIOC__M_JANITOR && c->p_has_jan ? 3 : 2;
}

static sioc_result sioc__maws_write_subscribe(sioc_cluster *c, sioc_buf *b) {
    char fp[3 * SIOC_NODE_ID_MAX + 96];
    sioc_buf fb;
    sioc_buf_init(&fb, fp, sizeof fp - 1);
    if (!c->p_desc.aws.no_filter_policy) { /* docs/AWS.md §6: no own echoes, no responses for others */
        sioc_buf_puts(&fb, "{\"uid\":[{\"anything-but\":[\"");
        sioc_buf_put(&fb, c->p_node.uid, c->p_node.uid_len);
        sioc_buf_puts(&fb, "\"]}],\"requesterUid\":[\"");
        sioc_buf_put(&fb, c->p_node.uid, c->p_node.uid_len);
        sioc_buf_puts(&fb, "\",{\"exists\":false}]}");
    }
    fp[fb.len] = 0;
    return sioc_sns_write_subscribe(b, sioc_str_c(c->p_topic), sioc_str_c(c->p_queue_arn), sioc_str_c(fp));
}
#endif

/* The request of the current step, or a step skipped when it has nothing to do. */
static void sioc__maws_ctl_step(sioc_cluster *c, uint64_t now) {
    sioc__mslot *s = &c->p_slots[SIOC__M_CTL];
#if SIOC_ENABLE_RECEIVE
    sioc_str url;
#endif
    sioc_buf b;
    sioc_result r = SIOC_OK;
    int op = -1;
    if (s->state != SIOC__MS_FREE) return;
    /* steps with nothing to do: no old subscription, no queue or subscription left to delete (an emitter has
       neither) */
#if SIOC_ENABLE_RECEIVE
    if (c->p_step == SIOC__MAWS_S_UNSUB_OLD && !c->p_old_sub[0]) c->p_step = SIOC__MAWS_S_SUBSCRIBE;
    if (c->p_step == SIOC__MAWS_S_DELQ && !c->p_queue_url[0]) c->p_step = SIOC__MAWS_S_UNSUB;
    if (c->p_step == SIOC__MAWS_S_UNSUB && !c->p_sub_arn[0]) {
#else
    if (c->p_step >= SIOC__MAWS_S_DELQ) {
#endif
        c->p_state = SIOC_CLUSTER_CLOSED;
        return;
    }
#if SIOC_ENABLE_RECEIVE
    url = sioc_str_c(c->p_queue_url);
#endif
    sioc_buf_init(&b, s->call.aws.body_mem, s->call.aws.body_cap);
    switch (c->p_step) {
    case SIOC__MAWS_S_TOPIC:
        op = SIOC_CLUSTER_OP_CREATE_TOPIC;
        r = sioc_sns_write_create_topic(&b, sioc_str_c(c->p_desc.topic_name), c->p_desc.aws.topic_tags,
                                        c->p_desc.aws.n_topic_tags);
        break;
#if SIOC_ENABLE_RECEIVE /* an emitter has the topic alone */
    case SIOC__MAWS_S_QUEUE: {
        char ret[16];
        sioc_aws_kv at, tags[3];
        const sioc_aws_kv *tp;
        size_t nt = sioc__maws_tags(c, tags, &tp);
        sioc_buf rb;
        sioc_buf_init(&rb, ret, sizeof ret);
        sioc_buf_put_u64(&rb, c->p_desc.aws.retention_s);
        at.key = sioc_str_n("MessageRetentionPeriod", 22);
        at.value = sioc_str_n(ret, rb.len);
        op = SIOC_CLUSTER_OP_CREATE_QUEUE;
        r = sioc_sqs_write_create_queue(&b, sioc_str_c(c->p_name), &at, 1, tp, nt);
        break;
    }
    case SIOC__MAWS_S_ARN: {
        sioc_str name = sioc_str_c("QueueArn");
        op = SIOC_CLUSTER_OP_QUEUE_ARN;
        r = sioc_sqs_write_get_queue_attributes(&b, url, &name, 1);
        break;
    }
    case SIOC__MAWS_S_POLICY:
        op = SIOC_CLUSTER_OP_QUEUE_POLICY;
        r = sioc_sqs_write_set_queue_policy(&b, url, sioc_str_c(c->p_queue_arn), sioc_str_c(c->p_topic));
        break;
    case SIOC__MAWS_S_SUBSCRIBE:
    case SIOC__MAWS_S_RESUBSCRIBE:
        op = SIOC_CLUSTER_OP_SUBSCRIBE;
        r = sioc__maws_write_subscribe(c, &b);
        break;
    case SIOC__MAWS_S_DELQ:
        op = SIOC_CLUSTER_OP_DELETE_QUEUE;
        r = sioc_sqs_write_queue_url(&b, url);
        break;
    case SIOC__MAWS_S_UNSUB_OLD:
    case SIOC__MAWS_S_UNSUB:
        op = SIOC_CLUSTER_OP_UNSUBSCRIBE;
        r = sioc_sns_write_unsubscribe(&b, sioc_str_c(c->p_step == SIOC__MAWS_S_UNSUB ? c->p_sub_arn : c->p_old_sub));
        break;
#endif
    default:
        return;
    }
    if (r != SIOC_OK) { /* a name or ARN the writers refuse: nothing to retry */
        c->p_last_error = r;
        c->p_state = c->p_state == SIOC_CLUSTER_CLOSING ? SIOC_CLUSTER_CLOSED : SIOC_CLUSTER_FAILED;
        return;
    }
    sioc__maws_go(c, s, op, &b, now);
}

#if SIOC_ENABLE_RECEIVE
/* The queue is gone (QueueDoesNotExist): a new queue (new name) and subscription, the old one removed. */
static void sioc__maws_queue_lost(sioc_cluster *c, uint64_t now) {
    if (!sioc__m_lost(c, SIOC__M_LOST_QUEUE, SIOC__MAWS_S_QUEUE, now)) return;
    memcpy(c->p_old_sub, c->p_sub_arn, sizeof c->p_old_sub);
    c->p_sub_arn[0] = 0;
    c->p_queue_url[0] = 0;
    sioc__maws_queue_name(c, 1);
}
#endif

/* The topic is gone (NotFound on Publish): start-up again; the queue (and its receipt handles) stays ours. */
static void sioc__maws_topic_lost(sioc_cluster *c, uint64_t now) {
    if (!sioc__m_lost(c, SIOC__M_LOST_TOPIC, SIOC__MAWS_S_TOPIC, now)) return;
    c->p_topic[0] = 0;
    if (!SIOC_ENABLE_RECEIVE) return; /* an emitter has no subscription */
    memcpy(c->p_old_sub, c->p_sub_arn, sizeof c->p_old_sub);
    c->p_sub_arn[0] = 0;
}

#if SIOC_ENABLE_RECEIVE
static sioc_result sioc__maws_json(sioc_cluster *c, const sioc_aws_call *call, sioc_json *doc) {
    return sioc_json_parse(doc, (const char *)call->reply.ptr, call->reply.len, c->p_toks, c->p_n_toks);
}
#endif

#if SIOC_ENABLE_RECEIVE
/* A clean-up step finished: gone already counts as done; a failure is retried until the close deadline. */
static void sioc__maws_cleanup_done(sioc_cluster *c, sioc__mslot *s, uint64_t now) {
    sioc_result r = s->call.aws.result;
    if (r != SIOC_OK && r != SIOC_ERR_NOT_FOUND) {
        if (now < c->p_close_deadline) {
            sioc__m_fail(c, s, r, now);
            return;
        }
        sioc__m_report(c, s, r, 0);
    }
    s->state = SIOC__MS_FREE;
    if (c->p_step == SIOC__MAWS_S_DELQ) {
        if (r == SIOC_OK || r == SIOC_ERR_NOT_FOUND) c->p_name[0] = 0; /* no queue any more (as Azure) */
        c->p_queue_url[0] = 0;
        c->p_step = SIOC__MAWS_S_UNSUB;
    } else {
        c->p_sub_arn[0] = 0;
        c->p_state = SIOC_CLUSTER_CLOSED;
    }
}

#endif

/* Read what the step's reply tells (ARNs, URL). */
static sioc_result sioc__maws_ctl_read(sioc_cluster *c, const sioc_aws_call *call) {
    sioc_buf sb;
    sioc_str v;
    char *to = c->p_topic; /* every ARN and URL field holds SIOC_CLUSTER_ARN_MAX */
    sioc_result r = SIOC_OK;
    const char *xml = (const char *)call->reply.ptr;
#if SIOC_ENABLE_RECEIVE
    sioc_json doc;
    if (c->p_step == SIOC__MAWS_S_QUEUE || c->p_step == SIOC__MAWS_S_ARN) r = sioc__maws_json(c, call, &doc);
#endif
    sioc_buf_init(&sb, c->p_scratch, c->p_scratch_size);
    if (r != SIOC_OK) return r;
    switch (c->p_step) {
    case SIOC__MAWS_S_TOPIC:
        r = sioc_sns_parse_create_topic(xml, call->reply.len, &sb, &v);
        if (r == SIOC_OK) c->p_have_topic = 1;
        break;
#if SIOC_ENABLE_RECEIVE
    case SIOC__MAWS_S_QUEUE:
        r = sioc_sqs_parse_create_queue(&doc, &sb, &v);
        to = c->p_queue_url;
        break;
    case SIOC__MAWS_S_ARN:
        r = sioc_sqs_parse_queue_attribute(&doc, "QueueArn", &sb, &v);
        to = c->p_queue_arn;
        break;
    case SIOC__MAWS_S_SUBSCRIBE:
    case SIOC__MAWS_S_RESUBSCRIBE:
        r = sioc_sns_parse_subscribe(xml, call->reply.len, &sb, &v);
        to = c->p_sub_arn;
        break;
#endif
    default:
        return r;
    }
    if (r == SIOC_OK) sioc__copy_fixed(to, SIOC_CLUSTER_ARN_MAX, v);
    return r;
}

/* The next step after a successful one; RUNNING after the last. */
static void sioc__maws_advance(sioc_cluster *c, uint64_t now) {
    if (c->p_step == SIOC__MAWS_S_UNSUB_OLD) c->p_old_sub[0] = 0;
    if (!SIOC_ENABLE_RECEIVE || (c->p_step == SIOC__MAWS_S_TOPIC && sioc__m_emitter(c))) c->p_step = SIOC__MAWS_S_DONE;
    else if (c->p_step == SIOC__MAWS_S_TOPIC && c->p_queue_url[0] && c->p_queue_arn[0])
        c->p_step = SIOC__MAWS_S_UNSUB_OLD; /* restart after a lost topic: the queue is still ours */
    else if (c->p_step == SIOC__MAWS_S_QUEUE) c->p_queue_arn[0] = 0, c->p_step = SIOC__MAWS_S_ARN;
    else c->p_step++;
    if (c->p_step == SIOC__MAWS_S_DONE) sioc__m_running(c, now);
}

#if SIOC_ENABLE_RECEIVE
/* The subscription check while RUNNING: SNS answers a repeated Subscribe with the existing subscription, or makes
   a new one when the old one died (with a deleted and re-created topic); a topic that is gone starts over. */
static void sioc__maws_resubscribed(sioc_cluster *c, sioc__mslot *s, uint64_t now) {
    sioc_aws_call *call = &s->call.aws;
    char old[SIOC_CLUSTER_ARN_MAX];
    s->state = SIOC__MS_FREE;
    c->p_step = SIOC__MAWS_S_DONE;
    if (call->result == SIOC_ERR_NOT_FOUND) {
        sioc__m_report(c, s, call->result, 0);
        sioc__maws_topic_lost(c, now);
        return;
    }
    memcpy(old, c->p_sub_arn, sizeof old);
    if (call->result != SIOC_OK || sioc__maws_ctl_read(c, call) != SIOC_OK) {
        if (call->result != SIOC_OK) sioc__m_report(c, s, call->result, 0); /* looked at again at the next check */
        return;
    }
    if (sioc__strcmp(old, c->p_sub_arn) != 0) c->p_stats.recreated++; /* it was gone: messages flow again */
}
#endif

/* While RUNNING, check the subscription when peers went silent (their messages may no longer reach us: the topic
   was deleted and re-created, taking our subscription along) and every subscription_check_s. */
static void sioc__maws_watch(sioc_cluster *c, uint64_t now) {
    uint64_t expired = c->p_node.counters.peers_expired, next;
    sioc__mslot *s = &c->p_slots[SIOC__M_CTL];
    if (c->p_state != SIOC_CLUSTER_RUNNING || sioc__m_emitter(c) || s->state != SIOC__MS_FREE) return;
    next = now + (uint64_t)c->p_desc.aws.subscription_check_s * 1000u;
    if (!c->p_sub_check_at) c->p_sub_check_at = next;
    if (expired == c->p_seen_expired && now < c->p_sub_check_at) return;
    c->p_seen_expired = expired;
    c->p_sub_check_at = next;
    c->p_step = SIOC__MAWS_S_RESUBSCRIBE;
    sioc__maws_ctl_step(c, now);
}

static void sioc__maws_ctl_done(sioc_cluster *c, sioc__mslot *s, uint64_t now) {
    sioc_aws_call *call = &s->call.aws;
    sioc_result r = call->result;
    int op = s->op;
#if SIOC_ENABLE_RECEIVE /* an emitter sends start-up steps only while STARTING (it has nothing to clean up) */
    if (c->p_state == SIOC_CLUSTER_CLOSING) {
        sioc__maws_cleanup_done(c, s, now);
        return;
    }
    if (c->p_state == SIOC_CLUSTER_RUNNING) {
        sioc__maws_resubscribed(c, s, now);
        return;
    }
#endif
    if (r == SIOC_OK) {
        r = sioc__maws_ctl_read(c, call);
        if (r != SIOC_OK) { /* a 2xx we cannot read: retry as if it had failed */
            call->result = r;
            sioc__m_fail(c, s, r, now);
            return;
        }
        s->state = SIOC__MS_FREE;
        sioc__maws_advance(c, now);
        return;
    }
    if (r == SIOC_ERR_NOT_FOUND) {
#if SIOC_ENABLE_RECEIVE /* an emitter's one step is CreateTopic */
        if (op == SIOC_CLUSTER_OP_UNSUBSCRIBE) { /* the old subscription is gone already: fine */
            s->state = SIOC__MS_FREE;
            c->p_old_sub[0] = 0;
            c->p_step = SIOC__MAWS_S_SUBSCRIBE;
            return;
        }
        /* the queue vanished between steps, or the topic did */
        if (op == SIOC_CLUSTER_OP_SUBSCRIBE && sioc__strcmp(call->error.code, "NotFound") == 0) {
            c->p_step = SIOC__MAWS_S_TOPIC;
        } else if (op != SIOC_CLUSTER_OP_CREATE_TOPIC) {
            sioc__maws_queue_name(c, 1);
            c->p_step = SIOC__MAWS_S_QUEUE;
        }
#else
        (void)op;
#endif
        sioc__m_fail(c, s, r, now);
        s->attempts = 0;
        return;
    }
    if (r == SIOC_ERR_AUTH || r == SIOC_ERR_HTTP_STATUS) { /* docs/AWS.md §4: report, do not retry blindly */
        sioc__m_give_up(c, s, r);
        c->p_state = SIOC_CLUSTER_FAILED;
        return;
    }
    sioc__m_fail(c, s, r, now);
}

#if SIOC_ENABLE_RECEIVE
/* ---- receiving ---- */

/* 1 when SQS sent no MD5OfBody or it matches the body (a corrupted message is dropped, counted and deleted), or
   the check is compiled out (SIOC_ENABLE_MD5_CHECK 0). */
static int sioc__maws_md5_ok(const sioc_sqs_message *m) {
    uint8_t md[SIOC_MD5_LEN];
    char hex[2 * SIOC_MD5_LEN + 1];
    size_t i;
    if (!m->md5_of_body.len || !SIOC_ENABLE_MD5_CHECK) return 1;
    sioc_md5(m->body.ptr, m->body.len, md);
    if (m->md5_of_body.len != 2 * SIOC_MD5_LEN || sioc_hex_encode(md, sizeof md, hex, sizeof hex) != SIOC_OK) return 0;
    for (i = 0; i < 2 * SIOC_MD5_LEN; i++)
        if (sioc__to_lower(m->md5_of_body.ptr[i]) != hex[i]) return 0;
    return 1;
}

/* One message: to the node unless seen before or corrupted; deleted either way. 1 when it was a HEARTBEAT (type
   2: the SNS Message is the decimal type), for pacing. */
/* A message received: counted (bad: dropped as well), and deleted by its receipt handle h (n bytes) when it has
   one (found). */
static void sioc__maws_done_with(sioc_cluster *c, int bad, const char *h, size_t n, int found, uint64_t now) {
    c->p_stats.received++;
    c->p_stats.bad_messages += (unsigned)bad;
    if (found) (void)sioc__m_settle_push(c, SIOC_CLUSTER_OP_SETTLE, sioc_str_n(h, n), 0, now);
}

static int sioc__maws_handle(sioc_cluster *c, const sioc_sqs_message *m, uint64_t now) {
    int bad = 0;
    if (!sioc__maws_md5_ok(m)) {
        bad = 1;
        c->p_stats.checksum_failed++;
    } else if (sioc__m_seen(c, m->message_id, now)) {
        c->p_stats.redelivered++;
    } else {
        sioc_msg_envelope env;
        sioc_str *sv[3];
        size_t i, k;
        memset(&env, 0, sizeof env);
        env.body = m->body;
        sv[0] = &env.nsp, sv[1] = &env.uid, sv[2] = &env.requester_uid;
        for (i = 0; i < m->attr_count; i++) { /* the adapter's attributes by name and type; the last one counts */
            const sioc_aws_attr *a = &m->attrs[i];
            for (k = 0; k < 4 && !sioc_str_eq(a->name, sioc__maws_attr_names[k]); k++) {}
            if (k == 3 && a->type == SIOC_AWS_ATTR_BINARY) env.data = a->value;
            if (k < 3 && a->type == SIOC_AWS_ATTR_STRING)
                sv[k]->ptr = a->value.ptr ? (const char *)a->value.ptr : "", sv[k]->len = a->value.len;
        }
        bad = sioc_node_receive_aws(&c->p_node, &env, now) != SIOC_OK;
    }
    sioc__maws_done_with(c, bad, m->receipt_handle.ptr, m->receipt_handle.len, 1, now);
    return m->body.len == 1 && m->body.ptr[0] == '2';
}

/* The reply did not parse as a whole (a bad message among good ones): take each message alone, so only the bad
   one is dropped (and still deleted). */
static void sioc__maws_one_by_one(sioc_cluster *c, const sioc_json *doc, uint64_t now) {
    int arr = sioc_json_find(doc, 0, "Messages"), el;
    for (el = sioc_json_first(doc, arr); el >= 0; el = sioc_json_next(doc, el)) {
        sioc_buf sb;
        sioc_sqs_message m;
        size_t n = 0;
        char h[SIOC_CLUSTER_HANDLE_MAX + 1];
        int ht;
        sioc_buf_init(&sb, c->p_scratch, c->p_scratch_size);
        if (sioc_sqs_parse_message(doc, el, &sb, &m) == SIOC_OK) {
            (void)sioc__maws_handle(c, &m, now);
            continue;
        }
        /* undecodable: count it and delete it by its receipt handle if it has one */
        ht = sioc_json_find(doc, el, "ReceiptHandle");
        ht = ht >= 0 && sioc_json_get_str(doc, ht, h, sizeof h, &n) == SIOC_OK;
        sioc__maws_done_with(c, 1, h, n, ht, now);
    }
}

/* The receipt handle in a reply (JSON string after "ReceiptHandle"), searched in [p, p + n); 0 when not there. */
static size_t sioc__maws_find_handle(const uint8_t *p, size_t n, char *out, size_t cap) {
    static const char key[] = "\"ReceiptHandle\":\"";
    size_t k = sizeof key - 1, i, o = 0;
    for (i = 0; i + k <= n; i++) {
        if (memcmp(p + i, key, k) != 0) continue;
        for (i += k; i < n && p[i] != '"' && o + 1 < cap; i++) {
            if (p[i] == '\\' && i + 1 < n) i++; /* JSON escapes ("\/") */
            out[o++] = (char)p[i];
        }
        return i < n && p[i] == '"' ? o : 0;
    }
    return 0;
}

/* A reply over the receive buffer: a message larger than the member was sized for. Read one message at a time for
   a while; a single message that does not fit is dropped, counted and deleted by the receipt handle found in what
   was kept of the reply (its start, and its end: reply_keep_tail), so the queue never stalls on it. */
static void sioc__maws_too_large(sioc_cluster *c, sioc__mslot *s, uint64_t now) {
    sioc_aws_call *call = &s->call.aws;
    char h[SIOC_CLUSTER_HANDLE_MAX + 1];
    size_t n = 0, head = call->reply.len - call->reply_tail_len;
    s->state = SIOC__MS_FREE;
    c->p_single_until = now + 120000u; /* past the visibility timeout of the messages of that reply */
    if (s->count > 1) return;          /* several at once: they come back one by one */
    if (call->reply_tail_len)
        n = sioc__maws_find_handle(call->reply.ptr + head, call->reply_tail_len, h, sizeof h);
    if (!n) n = sioc__maws_find_handle(call->reply.ptr, head, h, sizeof h);
    c->p_stats.too_large++;
    sioc__maws_done_with(c, 1, h, n, n != 0, now);
}

static void sioc__maws_recv_start(sioc_cluster *c, sioc__mslot *s, uint64_t now) {
    sioc_buf b;
    int one = now < c->p_single_until; /* after a reply too large: one message at a time, to find the culprit */
    sioc_buf_init(&b, s->call.aws.body_mem, s->call.aws.body_cap);
    if (sioc_sqs_write_receive_message(&b, sioc_str_c(c->p_queue_url), one ? 1 : c->p_desc.aws.max_messages,
                                       c->p_desc.aws.wait_time_s) != SIOC_OK)
        return;
    s->count = one ? 1 : (size_t)c->p_desc.aws.max_messages;
    s->call.aws.reply_keep_tail = SIOC__MAWS_TAIL; /* the end of a reply too large: its receipt handle */
    s->gen = c->p_gen;
    sioc__maws_go(c, s, SIOC_CLUSTER_OP_RECEIVE, &b, now);
}

static void sioc__maws_recv_done(sioc_cluster *c, sioc__mslot *s, uint64_t now) {
    sioc_aws_call *call = &s->call.aws;
    sioc_json doc;
    sioc_buf sb;
    sioc_sqs_message msgs[10];
    size_t n = 0, i, beats = 0;
    int full = 0, quiet = 0;
    if (call->result == SIOC_ERR_BUFFER_TOO_SMALL) {
        sioc__maws_too_large(c, s, now);
        return;
    }
    if (call->result != SIOC_OK) {
        if (sioc__m_recv_gone(c, s, call->result, now)) sioc__maws_queue_lost(c, now);
        return;
    }
    s->state = SIOC__MS_FREE;
    s->attempts = 0;
    sioc_buf_init(&sb, c->p_scratch, c->p_scratch_size);
    if (sioc__maws_json(c, call, &doc) != SIOC_OK) {
        c->p_stats.bad_messages++;
    } else if (sioc_sqs_parse_receive_message(&doc, &sb, msgs, 10, &n) != SIOC_OK) {
        sioc__maws_one_by_one(c, &doc, now);
        full = 1; /* a mixed batch: take the next at once */
    } else {
        if (!n) c->p_stats.empty_receives++;
        for (i = 0; i < n; i++) beats += (size_t)sioc__maws_handle(c, &msgs[i], now);
        full = n >= (size_t)c->p_desc.aws.max_messages;
        quiet = beats == n;
    }
    sioc__m_paced(c, s, full, quiet, now);
}

/* ---- deleting ---- */

static void sioc__maws_settle_start(sioc_cluster *c, uint64_t now) {
    sioc__mslot *s = &c->p_slots[SIOC__M_SET];
    sioc_sqs_delete_entry e[SIOC_AWS_MAX_BATCH];
    const sioc__msettle *q = (const sioc__msettle *)c->p_settles;
    size_t n = SIOC__MIN(c->p_n_settles, (size_t)SIOC_AWS_MAX_BATCH), i;
    sioc_buf b;
    if (s->state != SIOC__MS_FREE || !n || !c->p_queue_url[0]) return;
    if (n < SIOC_AWS_MAX_BATCH && now < sioc__m_settle_due(c)) return; /* held for a fuller batch (pacing) */
    for (i = 0; i < n; i++) {
        e[i].id = sioc__maws_id(i);
        e[i].receipt_handle = sioc_str_n(q[i].text, q[i].len);
    }
    sioc_buf_init(&b, s->call.aws.body_mem, s->call.aws.body_cap);
    if (sioc_sqs_write_delete_message_batch(&b, sioc_str_c(c->p_queue_url), e, n) != SIOC_OK) {
        c->p_stats.settle_failed += n;
    } else {
        s->count = n;
        sioc__maws_go(c, s, SIOC_CLUSTER_OP_SETTLE, &b, now);
    }
    sioc__m_settle_pop(c, n);
}

static void sioc__maws_settle_done(sioc_cluster *c, sioc__mslot *s, uint64_t now) {
    sioc_aws_call *call = &s->call.aws;
    if (call->result == SIOC_OK) {
        sioc_json doc;
        sioc_buf sb;
        sioc_aws_batch_result br;
        s->state = SIOC__MS_FREE;
        sioc_buf_init(&sb, c->p_scratch, c->p_scratch_size);
        if (sioc__maws_json(c, call, &doc) == SIOC_OK && sioc_sqs_parse_batch(&doc, &sb, &br) == SIOC_OK) {
            c->p_stats.settled += br.count - br.failed;
            c->p_stats.settle_failed += br.failed;
        } else {
            c->p_stats.settled += s->count;
        }
        return;
    }
    if (call->result == SIOC_ERR_NOT_FOUND) {
        sioc__m_give_up(c, s, call->result);
        sioc__maws_queue_lost(c, now);
        return;
    }
    sioc__m_fail(c, s, call->result, now);
}

#endif /* SIOC_ENABLE_RECEIVE */

/* ---- publishing ---- */

static size_t sioc__maws_out_attrs(const sioc_node_out *o, sioc_aws_attr *a) {
    const sioc_str *v[3];
    size_t i, k = 0;
    v[0] = &o->nsp, v[1] = &o->uid, v[2] = &o->requester_uid;
    for (i = 0; i < 4; i++) {
        const void *p = i < 3 ? (const void *)v[i]->ptr : (const void *)o->data.ptr;
        if (i >= 2 && !p) continue;
        a[k].name = sioc__maws_attr_names[i];
        a[k].type = i < 3 ? SIOC_AWS_ATTR_STRING : SIOC_AWS_ATTR_BINARY;
        a[k].value = sioc_bytes_n(p, i < 3 ? v[i]->len : o->data.len);
        k++;
    }
    return k;
}

#if SIOC_ENABLE_PUBLISH_BATCH
typedef struct sioc__maws_batch {
    sioc_aws_attr attrs[SIOC_AWS_MAX_BATCH][4];
    sioc_sns_batch_entry e[SIOC_AWS_MAX_BATCH];
} sioc__maws_batch;

/* Up to 10 queued messages that fit one request (256 KiB in all). */
static size_t sioc__maws_gather(sioc_cluster *c, sioc__maws_batch *pb) {
    size_t avail = sioc_node_out_count(&c->p_node), n = 0, total = 0;
    while (n < avail && n < SIOC_AWS_MAX_BATCH) {
        sioc_node_out o;
        size_t na, sz;
        if (sioc_node_out_peek(&c->p_node, n, &o) != SIOC_OK) break;
        na = sioc__maws_out_attrs(&o, pb->attrs[n]);
        sz = sioc_aws_message_size(o.message, pb->attrs[n], na);
        if (n && total + sz > SIOC_AWS_MAX_MESSAGE_SIZE) break;
        total += sz;
        pb->e[n].id = sioc__maws_id(n);
        pb->e[n].message = o.message;
        pb->e[n].attrs = pb->attrs[n];
        pb->e[n].n_attrs = na;
        n++;
    }
    return n;
}
#endif

static void sioc__maws_pub_start(sioc_cluster *c, uint64_t now) {
    sioc__mslot *s = &c->p_slots[SIOC__M_PUB];
#if SIOC_ENABLE_PUBLISH_BATCH
    sioc__maws_batch pb;
#else
    sioc_aws_attr attrs[4];
    sioc_node_out o;
#endif
    while (s->state == SIOC__MS_FREE && c->p_have_topic && sioc_node_out_count(&c->p_node)) {
        sioc_str topic = sioc_str_c(c->p_topic);
        sioc_buf b;
        sioc_result r;
#if SIOC_ENABLE_PUBLISH_BATCH
        size_t n = sioc__maws_gather(c, &pb);
        if (!n) return;
        for (;;) { /* a batch too large for the body goes as its first message alone */
            sioc_buf_init(&b, s->call.aws.body_mem, s->call.aws.body_cap);
            r = n == 1 ? sioc_sns_write_publish(&b, topic, pb.e[0].message, pb.e[0].attrs, pb.e[0].n_attrs)
                       : sioc_sns_write_publish_batch(&b, topic, pb.e, n);
            if (r != SIOC_ERR_BUFFER_TOO_SMALL || n == 1) break;
            n = 1;
        }
#else /* the oldest message alone */
        const size_t n = 1;
        if (sioc_node_out_peek(&c->p_node, 0, &o) != SIOC_OK) return;
        sioc_buf_init(&b, s->call.aws.body_mem, s->call.aws.body_cap);
        r = sioc_sns_write_publish(&b, topic, o.message, attrs, sioc__maws_out_attrs(&o, attrs));
#endif
        sioc__m_pub_taken(c, s, n); /* copied into the request body: the slot keeps it for retries */
        if (r != SIOC_OK) {
            sioc__m_pub_outcome(c, s, 0, r);
            continue;
        }
        sioc__maws_go(c, s, n == 1 ? SIOC_CLUSTER_OP_PUBLISH : SIOC_CLUSTER_OP_PUBLISH_BATCH, &b, now);
    }
}

#if SIOC_ENABLE_PUBLISH_BATCH
/* A PublishBatch answered: the entries it failed through no fault of ours (throttled, an internal error) go again,
   alone, with backoff; those refused for good are dropped. The reply names every entry, so nothing it took is
   sent twice. 1 when a re-send is set; *ok is what this answer took. */
static int sioc__maws_pub_partial(sioc_cluster *c, sioc__mslot *s, size_t *ok, uint64_t now) {
    sioc_aws_call *call = &s->call.aws;
    sioc_aws_batch_result br;
    sioc_str again[SIOC_AWS_MAX_BATCH];
    sioc_buf sb, body;
    sioc_result why = SIOC_ERR_SERVER;
    size_t i, n = 0;
    sioc_buf_init(&sb, c->p_scratch, c->p_scratch_size);
    if (sioc_sns_parse_publish_batch((const char *)call->reply.ptr, call->reply.len, &sb, &br) != SIOC_OK) return 0;
    *ok = br.count - br.failed;
    for (i = 0; i < br.count; i++) {
        if (!br.items[i].failed || br.items[i].sender_fault) continue;
        again[n++] = br.items[i].id;
        if (br.items[i].code.len >= 7 && memcmp(br.items[i].code.ptr, "Throttl", 7) == 0) why = SIOC_ERR_THROTTLED;
    }
    if (!n || (c->p_state == SIOC_CLUSTER_CLOSING && now >= c->p_close_deadline)) return 0;
    sioc_buf_init(&body, call->body_mem, call->body_cap);
    body.len = s->body_len;
    if (sioc_sns_publish_batch_retain(&body, again, n) != SIOC_OK) return 0;
    s->body_len = body.len;
    s->accepted += *ok;
    c->p_stats.batch_resent += n;
    sioc__m_fail(c, s, why, now);
    return 1;
}
#endif

static void sioc__maws_pub_done(sioc_cluster *c, sioc__mslot *s, uint64_t now) {
    sioc_aws_call *call = &s->call.aws;
    size_t ok = s->count - s->accepted;
    if (call->resent) c->p_stats.ambiguous_retries++; /* the engine re-sent it on a fresh connection */
    if (call->result == SIOC_OK) {
#if SIOC_ENABLE_PUBLISH_BATCH
        if (s->op == SIOC_CLUSTER_OP_PUBLISH_BATCH && sioc__maws_pub_partial(c, s, &ok, now)) return;
#endif
        sioc__m_pub_outcome(c, s, ok, SIOC_ERR_HTTP_STATUS);
        return;
    }
    if (call->result == SIOC_ERR_NOT_FOUND && c->p_state == SIOC_CLUSTER_RUNNING) sioc__maws_topic_lost(c, now);
    if (call->result == SIOC_ERR_HTTP_STATUS && call->error.sender_fault) { /* refused (too long, bad value) */
        sioc__m_pub_drop(c, s, call->result);
        return;
    }
    if (c->p_state == SIOC_CLUSTER_CLOSING && now >= c->p_close_deadline) {
        sioc__m_pub_outcome(c, s, 0, SIOC_ERR_TIMEOUT);
        return;
    }
    if (!sioc__m_pub_ambiguous(c, s, call->result)) sioc__m_fail(c, s, call->result, now);
}

#endif /* SIOC_ENABLE_AWS */
