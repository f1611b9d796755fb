/* ---- cluster_aws: the node over SNS + SQS (see cluster_aws.h; AWS.md §2, §4, §6) ---- */
#include "base.h"
#include "internal.h"
#include "json.h"
#include "cluster_msg.h"
#include "cluster.h"
#include "http.h"
#include "posix.h"
#include "aws.h"
#include "cluster_aws.h"

#if SIOC_ENABLE_AWS

/* Slots: one call each, with its own body and reply memory. ctl runs start-up and shutdown steps one at a time. */
enum { SIOC__CAWS_CTL = 0, SIOC__CAWS_PUB = 1, SIOC__CAWS_DEL = 2, SIOC__CAWS_RECV = 3 };
enum { SIOC__CAWS_FREE = 0, SIOC__CAWS_BUSY = 1, SIOC__CAWS_WAIT = 2 };
/* start-up / shutdown steps */
enum {
    SIOC__CAWS_S_TOPIC = 0,
    SIOC__CAWS_S_QUEUE,
    SIOC__CAWS_S_ARN,
    SIOC__CAWS_S_POLICY,
    SIOC__CAWS_S_UNSUB_OLD,
    SIOC__CAWS_S_SUBSCRIBE,
    SIOC__CAWS_S_DONE,
    SIOC__CAWS_S_DRAIN,
    SIOC__CAWS_S_DELQ,
    SIOC__CAWS_S_UNSUB
};

#define SIOC__CAWS_CTL_BODY 16384u
#define SIOC__CAWS_SMALL_REPLY 16384u
/* A whole SNS request: 256 KiB of payload, base64 (4/3) then percent-encoded (+, /, = become 3 bytes). */
#define SIOC__CAWS_PUB_BODY (800u * 1024u)
#define SIOC__CAWS_DEL_BODY (SIOC_AWS_MAX_BATCH * (SIOC_CLUSTER_AWS_HANDLE_MAX + 64) + 2 * SIOC_CLUSTER_AWS_ARN_MAX)
#define SIOC__CAWS_RECV_BODY 2048u
#define SIOC__CAWS_TOKS 4096u
/* One message alone (256 KiB body or data in base64, plus the JSON around it). */
#define SIOC__CAWS_ONE_MAX (SIOC_AWS_MAX_MESSAGE_SIZE / 3u * 4u + 16384u)
#define SIOC__CAWS_ONE_SIZE(rbs) ((rbs) < SIOC__CAWS_ONE_MAX ? (rbs) : SIOC__CAWS_ONE_MAX)

typedef struct sioc__caws_slot {
    sioc_aws_call call;
    int state, op, attempts;
    sioc_aws_service svc;
    size_t body_len;
    size_t count; /* messages in a publish or delete batch */
    uint64_t retry_at;
} sioc__caws_slot;

typedef struct sioc__caws_del {
    uint16_t len;
    char handle[SIOC_CLUSTER_AWS_HANDLE_MAX];
} sioc__caws_del;

static const char *const sioc__caws_ops[SIOC_CLUSTER_AWS_OP_COUNT] = {
    "CreateTopic", "CreateQueue", "GetQueueAttributes", "SetQueueAttributes", "Subscribe", "ReceiveMessage",
    "DeleteMessageBatch", "Publish", "PublishBatch", "DeleteQueue", "Unsubscribe"};

SIOC_API const char *sioc_cluster_aws_op_name(int op) {
    return op >= 0 && op < SIOC_CLUSTER_AWS_OP_COUNT ? sioc__caws_ops[op] : "?";
}

SIOC_API sioc_cluster_aws_desc sioc_cluster_aws_desc_resolved(const sioc_cluster_aws_desc *desc) {
    sioc_cluster_aws_desc d = *desc;
    if (!d.topic_name || !*d.topic_name) d.topic_name = "socket-io";
    if (!d.queue_prefix || !*d.queue_prefix) d.queue_prefix = "socket-io";
    if (!d.retention_s) d.retention_s = 3600;
    if (!d.wait_time_s) d.wait_time_s = 20;
    if (d.wait_time_s < 0) d.wait_time_s = 0;
    if (!d.receives_in_flight) d.receives_in_flight = 1;
    if (!d.max_messages) d.max_messages = 10;
    if (!d.request_timeout_ms) d.request_timeout_ms = 10000;
    if (!d.backoff_base_ms) d.backoff_base_ms = 200;
    if (!d.backoff_cap_ms) d.backoff_cap_ms = 20000;
    if (!d.backoff_floor_ms) d.backoff_floor_ms = 50;
    if (!d.shutdown_timeout_ms) d.shutdown_timeout_ms = 10000;
    if (!d.receive_buffer_size && d.max_messages >= 1 && d.max_messages <= 10)
        d.receive_buffer_size = (uint32_t)d.max_messages * (SIOC_AWS_MAX_MESSAGE_SIZE / 3u * 4u + 8192u);
    return d;
}

/* Checks the desc and computes the block size; 0 when the desc is invalid. */
static size_t sioc__caws_layout(const sioc_cluster_aws_desc *desc, sioc_cluster_aws_desc *out) {
    sioc_cluster_aws_desc d;
    size_t total;
    if (!desc || !desc->random) return 0;
    d = sioc_cluster_aws_desc_resolved(desc);
    if (d.receives_in_flight < 1 || d.receives_in_flight > SIOC_CLUSTER_AWS_MAX_RECEIVES || d.max_messages < 1 ||
        d.max_messages > 10 || d.wait_time_s > 20 || d.retention_s < 60 || d.retention_s > 1209600 ||
        d.backoff_cap_ms < d.backoff_base_ms || strlen(d.topic_name) > 256 || strlen(d.queue_prefix) > 60 ||
        d.receive_buffer_size < 4096)
        return 0;
    /* one block: slots, ctl, pub, del, receives (body + reply), deletes, recent ids, tokens, scratch */
    total = sioc__align16((SIOC__CAWS_RECV + (size_t)d.receives_in_flight) * sizeof(sioc__caws_slot));
    total += sioc__align16(SIOC__CAWS_CTL_BODY) + sioc__align16(SIOC__CAWS_SMALL_REPLY);
    total += sioc__align16(SIOC__CAWS_PUB_BODY) + sioc__align16(SIOC__CAWS_SMALL_REPLY);
    total += sioc__align16(SIOC__CAWS_DEL_BODY) + sioc__align16(SIOC__CAWS_SMALL_REPLY);
    total += (size_t)d.receives_in_flight *
             (sioc__align16(SIOC__CAWS_RECV_BODY) + sioc__align16(d.receive_buffer_size));
    total += sioc__align16(((size_t)d.receives_in_flight + 1u) * 10u * sizeof(sioc__caws_del));
    total += sioc__align16((size_t)SIOC_CLUSTER_AWS_RECENT * (SIOC_CLUSTER_AWS_MSGID_MAX + 1));
    total += sioc__align16(SIOC__CAWS_TOKS * sizeof(sioc_json_tok));
    total += sioc__align16(d.receive_buffer_size);                       /* scratch */
    total += sioc__align16(SIOC__CAWS_ONE_SIZE(d.receive_buffer_size)); /* one message re-wrapped alone */
    if (out) *out = d;
    return total;
}

SIOC_API size_t sioc_cluster_aws_heap_size(const sioc_cluster_aws_desc *desc) { return sioc__caws_layout(desc, NULL); }

static sioc_result sioc__caws_init(sioc_cluster_aws *ca, sioc_node *node, sioc_aws_client *client,
                                   const sioc_cluster_aws_desc *desc, void *block, int owns) {
    sioc_cluster_aws_desc d;
    size_t n_slots, i, total, off;
    uint8_t *mem;
    if (!ca || !node || !client || !desc) return SIOC_ERR_ARG;
    memset(ca, 0, sizeof *ca);
    if (!desc->random) return SIOC_ERR_DEPENDENCY;
    total = sioc__caws_layout(desc, &d);
    if (!total) return SIOC_ERR_ARG;
    if (block) {
        mem = (uint8_t *)block;
    } else {
#if !SIOC_ENABLE_LIBC_MALLOC
        if (!d.allocator.alloc) return SIOC_ERR_DEPENDENCY;
#endif
        mem = (uint8_t *)sioc__alloc(&d.allocator, total);
        if (!mem) return SIOC_ERR_NOMEM;
    }
    memset(mem, 0, total);
    n_slots = SIOC__CAWS_RECV + (size_t)d.receives_in_flight;
    ca->p_mem = mem;
    ca->p_mem_size = owns ? total : 0;
    ca->p_desc = d;
    ca->node = node;
    ca->client = client;
    off = 0;
    ca->p_slots = (sioc__caws_slot *)(void *)mem;
    off += sioc__align16(n_slots * sizeof(sioc__caws_slot));
    for (i = 0; i < n_slots; i++) {
        sioc__caws_slot *s = &ca->p_slots[i];
        size_t body = i == SIOC__CAWS_CTL ? SIOC__CAWS_CTL_BODY
                    : i == SIOC__CAWS_PUB ? SIOC__CAWS_PUB_BODY
                    : i == SIOC__CAWS_DEL ? SIOC__CAWS_DEL_BODY
                                          : SIOC__CAWS_RECV_BODY;
        size_t reply = i >= SIOC__CAWS_RECV ? d.receive_buffer_size : SIOC__CAWS_SMALL_REPLY;
        s->call.body_mem = mem + off;
        s->call.body_cap = body;
        off += sioc__align16(body);
        s->call.reply_mem = mem + off;
        s->call.reply_cap = reply;
        off += sioc__align16(reply);
        s->call.user = s;
    }
    ca->p_dels = (sioc__caws_del *)(void *)(mem + off);
    off += sioc__align16(((size_t)d.receives_in_flight + 1u) * 10u * sizeof(sioc__caws_del));
    ca->p_recent = (char(*)[SIOC_CLUSTER_AWS_MSGID_MAX + 1])(void *)(mem + off);
    off += sioc__align16((size_t)SIOC_CLUSTER_AWS_RECENT * (SIOC_CLUSTER_AWS_MSGID_MAX + 1));
    ca->p_toks = (sioc_json_tok *)(void *)(mem + off);
    ca->p_n_toks = SIOC__CAWS_TOKS;
    off += sioc__align16(SIOC__CAWS_TOKS * sizeof(sioc_json_tok));
    ca->p_scratch = mem + off;
    ca->p_scratch_size = d.receive_buffer_size;
    off += sioc__align16(d.receive_buffer_size);
    ca->p_one = mem + off;
    ca->p_one_size = SIOC__CAWS_ONE_SIZE(d.receive_buffer_size);
    ca->state = SIOC_CLUSTER_AWS_IDLE;
    return SIOC_OK;
}

SIOC_API sioc_result sioc_cluster_aws_init(sioc_cluster_aws *ca, sioc_node *node, sioc_aws_client *client,
                                           const sioc_cluster_aws_desc *desc) {
    return sioc__caws_init(ca, node, client, desc, NULL, 1);
}

SIOC_API sioc_result sioc_cluster_aws_init_preallocated(sioc_cluster_aws *ca, sioc_node *node,
                                                        sioc_aws_client *client, const sioc_cluster_aws_desc *desc,
                                                        void *mem) {
    if (!mem) return SIOC_ERR_ARG;
    return sioc__caws_init(ca, node, client, desc, mem, 0);
}

static size_t sioc__caws_n_slots(const sioc_cluster_aws *ca) {
    return SIOC__CAWS_RECV + (size_t)ca->p_desc.receives_in_flight;
}

SIOC_API void sioc_cluster_aws_free(sioc_cluster_aws *ca) {
    size_t i;
    if (!ca || !ca->p_mem) return;
    for (i = 0; i < sioc__caws_n_slots(ca); i++)
        if (ca->p_slots[i].state == SIOC__CAWS_BUSY) (void)sioc_aws_cancel(ca->client, &ca->p_slots[i].call);
    if (ca->p_mem_size) sioc__free(&ca->p_desc.allocator, ca->p_mem, ca->p_mem_size); /* 0: the caller's block */
    ca->p_mem = NULL;
}

/* Submit the body already in the slot. A refusal by the client (slots full...) becomes a retry. */
static void sioc__caws_fail(sioc_cluster_aws *ca, sioc__caws_slot *s, sioc_result r, uint64_t now);

static void sioc__caws_submit(sioc_cluster_aws *ca, sioc__caws_slot *s, uint64_t now) {
    sioc_result r;
    uint32_t timeout = ca->p_desc.request_timeout_ms;
    if (s->op == SIOC_CLUSTER_AWS_RECEIVE_MESSAGE) timeout = (uint32_t)ca->p_desc.wait_time_s * 1000u + 10000u;
    s->call.timeout_ms = timeout;
    s->call.user = s;
    ca->requests[s->op]++;
    r = sioc_aws_submit(ca->client, &s->call, s->svc, sioc__caws_ops[s->op], s->body_len, now);
    if (r != SIOC_OK) {
        s->state = SIOC__CAWS_BUSY;
        s->call.result = r;
        sioc__caws_fail(ca, s, r, now);
        return;
    }
    s->state = SIOC__CAWS_BUSY;
}

/* Write a body with `b` (already filled by the caller's writer) and submit it as op. */
static void sioc__caws_go(sioc_cluster_aws *ca, sioc__caws_slot *s, int op, sioc_aws_service svc, const sioc_buf *b,
                          uint64_t now) {
    s->op = op;
    s->svc = svc;
    s->attempts = 0;
    s->body_len = b->len;
    sioc__caws_submit(ca, s, now);
}

/* Capped exponential backoff with full jitter above a floor (AWS.md §4: never a hot loop). */
static void sioc__caws_fail(sioc_cluster_aws *ca, sioc__caws_slot *s, sioc_result r, uint64_t now) {
    uint32_t floor = ca->p_desc.backoff_floor_ms;
    ca->failures[s->op]++;
    ca->last_error = r;
    if (ca->p_desc.on_error) ca->p_desc.on_error(ca->p_desc.user, (sioc_cluster_aws_op)s->op, &s->call);
    s->attempts++;
    if (r == SIOC_ERR_THROTTLED && floor < 1000) floor = 1000;
    s->retry_at = sioc__backoff_at(now, s->attempts, ca->p_desc.backoff_base_ms, ca->p_desc.backoff_cap_ms, floor,
                                   sioc__rand32(ca->p_desc.random, ca->p_desc.user));
    s->state = SIOC__CAWS_WAIT;
}

/* ---- start-up and shutdown steps (ctl slot) ---- */

static void sioc__caws_set_ready(sioc_cluster_aws *ca, int ready, uint64_t now) {
    if (ca->node->state == SIOC_NODE_CLOSING || ca->node->state == SIOC_NODE_CLOSED) return;
    if (ca->node->ready != ready) (void)sioc_node_set_ready(ca->node, ready, now);
}

static void sioc__caws_new_queue_name(sioc_cluster_aws *ca, int fresh) {
    sioc_buf b;
    sioc_buf_init(&b, ca->queue_name, sizeof ca->queue_name - 1);
    sioc_buf_puts(&b, ca->p_desc.queue_prefix);
    sioc_buf_putc(&b, '-');
    if (!fresh) {
        sioc_buf_put(&b, ca->node->uid, ca->node->uid_len);
    } else {
        uint8_t r[8];
        size_t i;
        static const char hex[] = "0123456789abcdef";
        (void)ca->p_desc.random(ca->p_desc.user, r, sizeof r);
        for (i = 0; i < sizeof r; i++) {
            sioc_buf_putc(&b, hex[r[i] >> 4]);
            sioc_buf_putc(&b, hex[r[i] & 15]);
        }
    }
    ca->queue_name[b.len < sizeof ca->queue_name ? b.len : sizeof ca->queue_name - 1] = 0;
}

static void sioc__caws_ctl_step(sioc_cluster_aws *ca, uint64_t now) {
    sioc__caws_slot *s = &ca->p_slots[SIOC__CAWS_CTL];
    sioc_buf b;
    sioc_result r = SIOC_OK;
    char tagv[2][128];
    sioc_aws_kv tags[2];
    const sioc_aws_kv *tp = ca->p_desc.tags;
    size_t nt = ca->p_desc.n_tags;
    if (s->state != SIOC__CAWS_FREE) return;
    if (!tp || !nt) { /* default tags name the cluster and the node, for a janitor (AWS.md §2.4) */
        sioc_buf tb;
        sioc_buf_init(&tb, tagv[0], sizeof tagv[0] - 1);
        sioc_buf_puts(&tb, ca->p_desc.topic_name);
        tagv[0][SIOC__MIN(tb.len, sizeof tagv[0] - 1)] = 0;
        sioc__copy_fixed(tagv[1], sizeof tagv[1], sioc_str_c(ca->node->uid));
        tags[0].key = sioc_str_c("sioc-cluster");
        tags[0].value = sioc_str_c(tagv[0]);
        tags[1].key = sioc_str_c("sioc-node");
        tags[1].value = sioc_str_c(tagv[1]);
        tp = tags;
        nt = 2;
    }
    sioc_buf_init(&b, s->call.body_mem, s->call.body_cap);
    switch (ca->p_step) {
    case SIOC__CAWS_S_TOPIC:
        r = sioc_sns_write_create_topic(&b, sioc_str_c(ca->p_desc.topic_name), ca->p_desc.topic_tags,
                                        ca->p_desc.n_topic_tags);
        if (r == SIOC_OK) sioc__caws_go(ca, s, SIOC_CLUSTER_AWS_CREATE_TOPIC, SIOC_AWS_SNS, &b, now);
        break;
    case SIOC__CAWS_S_QUEUE: {
        char ret[16];
        sioc_aws_kv at;
        sioc_buf rb;
        sioc_buf_init(&rb, ret, sizeof ret - 1);
        sioc_buf_put_u64(&rb, ca->p_desc.retention_s);
        ret[rb.len] = 0;
        at.key = sioc_str_c("MessageRetentionPeriod");
        at.value = sioc_str_c(ret);
        r = sioc_sqs_write_create_queue(&b, sioc_str_c(ca->queue_name), &at, 1, tp, nt);
        if (r == SIOC_OK) sioc__caws_go(ca, s, SIOC_CLUSTER_AWS_CREATE_QUEUE, SIOC_AWS_SQS, &b, now);
        break;
    }
    case SIOC__CAWS_S_ARN: {
        sioc_str name = sioc_str_c("QueueArn");
        r = sioc_sqs_write_get_queue_attributes(&b, sioc_str_c(ca->queue_url), &name, 1);
        if (r == SIOC_OK) sioc__caws_go(ca, s, SIOC_CLUSTER_AWS_GET_QUEUE_ATTRIBUTES, SIOC_AWS_SQS, &b, now);
        break;
    }
    case SIOC__CAWS_S_POLICY:
        r = sioc_sqs_write_set_queue_policy(&b, sioc_str_c(ca->queue_url), sioc_str_c(ca->queue_arn),
                                            sioc_str_c(ca->topic_arn));
        if (r == SIOC_OK) sioc__caws_go(ca, s, SIOC_CLUSTER_AWS_SET_QUEUE_ATTRIBUTES, SIOC_AWS_SQS, &b, now);
        break;
    case SIOC__CAWS_S_UNSUB_OLD:
        if (!ca->p_old_sub[0]) {
            ca->p_step = SIOC__CAWS_S_SUBSCRIBE;
            sioc__caws_ctl_step(ca, now);
            return;
        }
        r = sioc_sns_write_unsubscribe(&b, sioc_str_c(ca->p_old_sub));
        if (r == SIOC_OK) sioc__caws_go(ca, s, SIOC_CLUSTER_AWS_UNSUBSCRIBE, SIOC_AWS_SNS, &b, now);
        break;
    case SIOC__CAWS_S_SUBSCRIBE: {
        char fp[3 * SIOC_NODE_ID_MAX + 96];
        sioc_buf fb;
        sioc_buf_init(&fb, fp, sizeof fp - 1);
        if (!ca->p_desc.no_filter_policy) { /* AWS.md §6: no own echoes, no responses for others */
            sioc_buf_puts(&fb, "{\"uid\":[{\"anything-but\":[\"");
            sioc_buf_put(&fb, ca->node->uid, ca->node->uid_len);
            sioc_buf_puts(&fb, "\"]}],\"requesterUid\":[\"");
            sioc_buf_put(&fb, ca->node->uid, ca->node->uid_len);
            sioc_buf_puts(&fb, "\",{\"exists\":false}]}");
        }
        fp[fb.len] = 0;
        r = sioc_sns_write_subscribe(&b, sioc_str_c(ca->topic_arn), sioc_str_c(ca->queue_arn), sioc_str_c(fp));
        if (r == SIOC_OK) sioc__caws_go(ca, s, SIOC_CLUSTER_AWS_SUBSCRIBE, SIOC_AWS_SNS, &b, now);
        break;
    }
    case SIOC__CAWS_S_DELQ:
        if (!ca->queue_url[0]) {
            ca->p_step = SIOC__CAWS_S_UNSUB;
            sioc__caws_ctl_step(ca, now);
            return;
        }
        r = sioc_sqs_write_queue_url(&b, sioc_str_c(ca->queue_url));
        if (r == SIOC_OK) sioc__caws_go(ca, s, SIOC_CLUSTER_AWS_DELETE_QUEUE, SIOC_AWS_SQS, &b, now);
        break;
    case SIOC__CAWS_S_UNSUB:
        if (!ca->subscription_arn[0]) {
            ca->state = SIOC_CLUSTER_AWS_CLOSED;
            return;
        }
        r = sioc_sns_write_unsubscribe(&b, sioc_str_c(ca->subscription_arn));
        if (r == SIOC_OK) sioc__caws_go(ca, s, SIOC_CLUSTER_AWS_UNSUBSCRIBE, SIOC_AWS_SNS, &b, now);
        break;
    default:
        return;
    }
    if (r != SIOC_OK) { /* a name or ARN the writers refuse: nothing to retry */
        ca->last_error = r;
        ca->state = ca->state == SIOC_CLUSTER_AWS_CLOSING ? SIOC_CLUSTER_AWS_CLOSED : SIOC_CLUSTER_AWS_FAILED;
    }
}

/* The queue is gone (QueueDoesNotExist): a new queue and subscription, NOT_READY meanwhile. */
static void sioc__caws_queue_lost(sioc_cluster_aws *ca, uint64_t now) {
    if (ca->state != SIOC_CLUSTER_AWS_RUNNING) return;
    ca->queues_recreated++;
    sioc__caws_set_ready(ca, 0, now);
    memcpy(ca->p_old_sub, ca->subscription_arn, sizeof ca->p_old_sub);
    ca->subscription_arn[0] = 0;
    ca->queue_url[0] = 0;
    ca->p_n_dels = 0; /* their receipt handles died with the queue */
    sioc__caws_new_queue_name(ca, 1);
    ca->state = SIOC_CLUSTER_AWS_STARTING;
    ca->p_step = SIOC__CAWS_S_QUEUE;
}

static void sioc__caws_topic_lost(sioc_cluster_aws *ca, uint64_t now) {
    if (ca->state != SIOC_CLUSTER_AWS_RUNNING) return;
    ca->restarts++;
    sioc__caws_set_ready(ca, 0, now);
    memcpy(ca->p_old_sub, ca->subscription_arn, sizeof ca->p_old_sub);
    ca->subscription_arn[0] = 0;
    ca->topic_arn[0] = 0;
    ca->state = SIOC_CLUSTER_AWS_STARTING;
    ca->p_step = SIOC__CAWS_S_TOPIC;
}

static sioc_result sioc__caws_json(sioc_cluster_aws *ca, const sioc_aws_call *call, sioc_json *doc) {
    return sioc_json_parse(doc, (const char *)call->reply.ptr, call->reply.len, ca->p_toks, ca->p_n_toks);
}

static void sioc__caws_ctl_done(sioc_cluster_aws *ca, sioc__caws_slot *s, uint64_t now) {
    sioc_aws_call *c = &s->call;
    sioc_buf sb;
    sioc_str v;
    sioc_json doc;
    sioc_result r = c->result;
    int op = s->op;
    sioc_buf_init(&sb, ca->p_scratch, ca->p_scratch_size);
    if (ca->state == SIOC_CLUSTER_AWS_CLOSING) { /* DeleteQueue, Unsubscribe: gone already counts as done */
        if (r != SIOC_OK && r != SIOC_ERR_NOT_FOUND) {
            if (now < ca->p_close_deadline) {
                sioc__caws_fail(ca, s, r, now);
                return;
            }
            ca->failures[op]++;
            ca->last_error = r;
        }
        s->state = SIOC__CAWS_FREE;
        if (ca->p_step == SIOC__CAWS_S_DELQ) {
            ca->queue_url[0] = 0;
            ca->p_step = SIOC__CAWS_S_UNSUB;
        } else {
            ca->subscription_arn[0] = 0;
            ca->state = SIOC_CLUSTER_AWS_CLOSED;
        }
        return;
    }
    if (r == SIOC_OK) {
        switch (ca->p_step) {
        case SIOC__CAWS_S_TOPIC:
            r = sioc_sns_parse_create_topic((const char *)c->reply.ptr, c->reply.len, &sb, &v);
            if (r == SIOC_OK) sioc__copy_fixed(ca->topic_arn, sizeof ca->topic_arn, v);
            break;
        case SIOC__CAWS_S_QUEUE:
            r = sioc__caws_json(ca, c, &doc);
            if (r == SIOC_OK) r = sioc_sqs_parse_create_queue(&doc, &sb, &v);
            if (r == SIOC_OK) sioc__copy_fixed(ca->queue_url, sizeof ca->queue_url, v);
            break;
        case SIOC__CAWS_S_ARN:
            r = sioc__caws_json(ca, c, &doc);
            if (r == SIOC_OK) r = sioc_sqs_parse_queue_attribute(&doc, "QueueArn", &sb, &v);
            if (r == SIOC_OK) sioc__copy_fixed(ca->queue_arn, sizeof ca->queue_arn, v);
            break;
        case SIOC__CAWS_S_SUBSCRIBE:
            r = sioc_sns_parse_subscribe((const char *)c->reply.ptr, c->reply.len, &sb, &v);
            if (r == SIOC_OK) sioc__copy_fixed(ca->subscription_arn, sizeof ca->subscription_arn, v);
            break;
        default:
            break;
        }
        if (r != SIOC_OK) { /* a 2xx we cannot read: retry as if it had failed */
            c->result = r;
            sioc__caws_fail(ca, s, r, now);
            return;
        }
        s->state = SIOC__CAWS_FREE;
        if (ca->p_step == SIOC__CAWS_S_UNSUB_OLD) ca->p_old_sub[0] = 0;
        if (ca->p_step == SIOC__CAWS_S_TOPIC && ca->node->p_desc.emitter_only) ca->p_step = SIOC__CAWS_S_SUBSCRIBE;
        else if (ca->p_step == SIOC__CAWS_S_TOPIC && ca->queue_url[0] && ca->queue_arn[0])
            ca->p_step = SIOC__CAWS_S_UNSUB_OLD; /* restart after a lost topic: the queue is still ours */
        else if (ca->p_step == SIOC__CAWS_S_QUEUE) ca->queue_arn[0] = 0, ca->p_step = SIOC__CAWS_S_ARN;
        else ca->p_step++;
        if (ca->p_step == SIOC__CAWS_S_DONE || (ca->p_step == SIOC__CAWS_S_SUBSCRIBE && ca->node->p_desc.emitter_only)) {
            ca->p_step = SIOC__CAWS_S_DONE;
            ca->state = SIOC_CLUSTER_AWS_RUNNING;
            sioc__caws_set_ready(ca, 1, now);
        }
        return;
    }
    if (r == SIOC_ERR_NOT_FOUND) {
        if (op == SIOC_CLUSTER_AWS_UNSUBSCRIBE) { /* the old subscription is gone already: fine */
            s->state = SIOC__CAWS_FREE;
            ca->p_old_sub[0] = 0;
            ca->p_step = SIOC__CAWS_S_SUBSCRIBE;
            return;
        }
        /* the queue vanished between steps, or the topic did */
        if (op == SIOC_CLUSTER_AWS_SUBSCRIBE && strcmp(c->error.code, "NotFound") == 0) ca->p_step = SIOC__CAWS_S_TOPIC;
        else if (op != SIOC_CLUSTER_AWS_CREATE_TOPIC) {
            sioc__caws_new_queue_name(ca, 1);
            ca->p_step = SIOC__CAWS_S_QUEUE;
        }
        sioc__caws_fail(ca, s, r, now);
        s->attempts = 0;
        return;
    }
    if (r == SIOC_ERR_AUTH || r == SIOC_ERR_HTTP_STATUS) { /* AWS.md §4: report, do not retry blindly */
        ca->failures[op]++;
        ca->last_error = r;
        if (ca->p_desc.on_error) ca->p_desc.on_error(ca->p_desc.user, (sioc_cluster_aws_op)op, c);
        s->state = SIOC__CAWS_FREE;
        ca->state = SIOC_CLUSTER_AWS_FAILED;
        return;
    }
    sioc__caws_fail(ca, s, r, now);
}

/* ---- receiving ---- */

static size_t sioc__caws_del_cap(const sioc_cluster_aws *ca) {
    return ((size_t)ca->p_desc.receives_in_flight + 1u) * 10u;
}

static void sioc__caws_queue_delete(sioc_cluster_aws *ca, sioc_str handle) {
    sioc__caws_del *d;
    if (!handle.len || handle.len > SIOC_CLUSTER_AWS_HANDLE_MAX || ca->p_n_dels >= sioc__caws_del_cap(ca)) {
        ca->delete_failed++; /* comes back after the visibility timeout and is dropped as seen */
        return;
    }
    d = &ca->p_dels[ca->p_n_dels++];
    memcpy(d->handle, handle.ptr, handle.len);
    d->len = (uint16_t)handle.len;
}

static sioc_str sioc__caws_attr_str(const sioc_sqs_message *m, const char *name, int want_binary,
                                    sioc_bytes *out_bin) {
    size_t i;
    sioc_str s;
    s.ptr = NULL;
    s.len = 0;
    for (i = 0; i < m->attr_count; i++) {
        if (!sioc_str_eq(m->attrs[i].name, sioc_str_c(name))) continue;
        if (want_binary) {
            if (m->attrs[i].type == SIOC_AWS_ATTR_BINARY) *out_bin = m->attrs[i].value;
        } else if (m->attrs[i].type == SIOC_AWS_ATTR_STRING) {
            s.ptr = (const char *)m->attrs[i].value.ptr;
            s.len = m->attrs[i].value.len;
            if (!s.ptr) s.ptr = "";
        }
    }
    return s;
}

static void sioc__caws_handle(sioc_cluster_aws *ca, const sioc_sqs_message *m, uint64_t now) {
    sioc_msg_envelope env;
    ca->received++;
    if (sioc__recent_seen(&ca->p_recent[0][0], SIOC_CLUSTER_AWS_MSGID_MAX + 1, SIOC_CLUSTER_AWS_RECENT, &ca->p_recent_pos, m->message_id)) {
        ca->redelivered++;
    } else {
        memset(&env, 0, sizeof env);
        env.body = m->body;
        env.nsp = sioc__caws_attr_str(m, "nsp", 0, NULL);
        env.uid = sioc__caws_attr_str(m, "uid", 0, NULL);
        env.requester_uid = sioc__caws_attr_str(m, "requesterUid", 0, NULL);
        (void)sioc__caws_attr_str(m, "data", 1, &env.data);
        if (sioc_node_receive_aws(ca->node, &env, now) != SIOC_OK) ca->bad_messages++;
    }
    sioc__caws_queue_delete(ca, m->receipt_handle);
}

/* The reply did not parse as a whole (a bad message among good ones): take each message alone, so only the bad
   one is dropped (and still deleted). */
static void sioc__caws_one_by_one(sioc_cluster_aws *ca, const sioc_json *doc, uint64_t now) {
    int arr = sioc_json_find(doc, 0, "Messages"), el;
    uint8_t *one = ca->p_one;
    for (el = sioc_json_first(doc, arr); el >= 0; el = sioc_json_next(doc, el)) {
        sioc_str raw = sioc_json_raw(doc, el);
        sioc_buf ob, sb;
        sioc_json d1;
        sioc_sqs_message m;
        size_t n = 0;
        sioc_result r;
        sioc_json_tok toks[128];
        sioc_buf_init(&ob, one, ca->p_one_size);
        sioc_buf_puts(&ob, "{\"Messages\":[");
        sioc_buf_put(&ob, raw.ptr, raw.len);
        sioc_buf_puts(&ob, "]}");
        r = sioc_buf_result(&ob);
        if (r == SIOC_OK) r = sioc_json_parse(&d1, (const char *)one, ob.len, toks, SIOC__COUNT(toks));
        sioc_buf_init(&sb, ca->p_scratch, ca->p_scratch_size);
        if (r == SIOC_OK) r = sioc_sqs_parse_receive_message(&d1, &sb, &m, 1, &n);
        if (r == SIOC_OK && n == 1) {
            sioc__caws_handle(ca, &m, now);
            continue;
        }
        /* undecodable: count it and delete it by its receipt handle if it has one */
        ca->received++;
        ca->bad_messages++;
        {
            char h[SIOC_CLUSTER_AWS_HANDLE_MAX + 1];
            int ht = sioc_json_find(doc, el, "ReceiptHandle");
            if (ht >= 0 && sioc_json_get_str(doc, ht, h, sizeof h, &n) == SIOC_OK) {
                sioc_str hs;
                hs.ptr = h;
                hs.len = n;
                sioc__caws_queue_delete(ca, hs);
            }
        }
    }
}

static void sioc__caws_recv_done(sioc_cluster_aws *ca, sioc__caws_slot *s, uint64_t now) {
    sioc_aws_call *c = &s->call;
    sioc_json doc;
    sioc_buf sb;
    sioc_sqs_message msgs[10];
    size_t n = 0, i;
    sioc_result r;
    if (c->result != SIOC_OK) {
        if (c->result == SIOC_ERR_NOT_FOUND) {
            s->state = SIOC__CAWS_FREE;
            sioc__caws_queue_lost(ca, now);
            ca->failures[s->op]++;
            if (ca->p_desc.on_error) ca->p_desc.on_error(ca->p_desc.user, (sioc_cluster_aws_op)s->op, c);
            return;
        }
        sioc__caws_fail(ca, s, c->result, now);
        return;
    }
    s->state = SIOC__CAWS_FREE;
    s->attempts = 0;
    r = sioc__caws_json(ca, c, &doc);
    if (r != SIOC_OK) {
        ca->bad_messages++;
        return;
    }
    sioc_buf_init(&sb, ca->p_scratch, ca->p_scratch_size);
    r = sioc_sqs_parse_receive_message(&doc, &sb, msgs, 10, &n);
    if (r != SIOC_OK) {
        sioc__caws_one_by_one(ca, &doc, now);
        return;
    }
    for (i = 0; i < n; i++) sioc__caws_handle(ca, &msgs[i], now);
}

/* ---- deleting ---- */

static void sioc__caws_del_start(sioc_cluster_aws *ca, uint64_t now) {
    sioc__caws_slot *s = &ca->p_slots[SIOC__CAWS_DEL];
    sioc_sqs_delete_entry e[SIOC_AWS_MAX_BATCH];
    char ids[SIOC_AWS_MAX_BATCH][4];
    size_t n = SIOC__MIN(ca->p_n_dels, (size_t)SIOC_AWS_MAX_BATCH), i;
    sioc_buf b;
    if (s->state != SIOC__CAWS_FREE || !n || !ca->queue_url[0]) return;
    for (i = 0; i < n; i++) { /* batch ids only need to be unique in the batch (AWS.md §3.2) */
        ids[i][0] = 'm';
        ids[i][1] = (char)('0' + (int)i);
        ids[i][2] = 0;
        e[i].id = sioc_str_c(ids[i]);
        e[i].receipt_handle.ptr = ca->p_dels[i].handle;
        e[i].receipt_handle.len = ca->p_dels[i].len;
    }
    sioc_buf_init(&b, s->call.body_mem, s->call.body_cap);
    if (sioc_sqs_write_delete_message_batch(&b, sioc_str_c(ca->queue_url), e, n) != SIOC_OK) {
        ca->delete_failed += n;
    } else {
        sioc__caws_go(ca, s, SIOC_CLUSTER_AWS_DELETE_MESSAGE_BATCH, SIOC_AWS_SQS, &b, now);
        s->count = n;
    }
    memmove(ca->p_dels, ca->p_dels + n, (ca->p_n_dels - n) * sizeof *ca->p_dels);
    ca->p_n_dels -= n;
}

static void sioc__caws_del_done(sioc_cluster_aws *ca, sioc__caws_slot *s, uint64_t now) {
    sioc_aws_call *c = &s->call;
    if (c->result == SIOC_OK) {
        sioc_json doc;
        sioc_buf sb;
        sioc_aws_batch_result br;
        size_t n = s->count;
        s->state = SIOC__CAWS_FREE;
        sioc_buf_init(&sb, ca->p_scratch, ca->p_scratch_size);
        if (sioc__caws_json(ca, c, &doc) == SIOC_OK && sioc_sqs_parse_batch(&doc, &sb, &br) == SIOC_OK) {
            ca->deleted += br.count - br.failed;
            ca->delete_failed += br.failed;
        } else {
            ca->deleted += n;
        }
        return;
    }
    if (c->result == SIOC_ERR_NOT_FOUND) {
        s->state = SIOC__CAWS_FREE;
        ca->failures[s->op]++;
        sioc__caws_queue_lost(ca, now);
        return;
    }
    if (ca->state == SIOC_CLUSTER_AWS_CLOSING && now >= ca->p_close_deadline) {
        s->state = SIOC__CAWS_FREE;
        return;
    }
    sioc__caws_fail(ca, s, c->result, now);
}

/* ---- publishing ---- */

typedef struct sioc__caws_pub_scratch {
    sioc_aws_attr attrs[SIOC_AWS_MAX_BATCH][4];
    sioc_sns_batch_entry e[SIOC_AWS_MAX_BATCH];
    char ids[SIOC_AWS_MAX_BATCH][4];
} sioc__caws_pub_scratch;

static size_t sioc__caws_out_attrs(const sioc_node_out *o, sioc_aws_attr *a) {
    size_t k = 0;
    a[k].name = sioc_str_c("nsp"), a[k].type = SIOC_AWS_ATTR_STRING;
    a[k].value.ptr = (const uint8_t *)o->nsp.ptr, a[k].value.len = o->nsp.len, k++;
    a[k].name = sioc_str_c("uid"), a[k].type = SIOC_AWS_ATTR_STRING;
    a[k].value.ptr = (const uint8_t *)o->uid.ptr, a[k].value.len = o->uid.len, k++;
    if (o->requester_uid.ptr) {
        a[k].name = sioc_str_c("requesterUid"), a[k].type = SIOC_AWS_ATTR_STRING;
        a[k].value.ptr = (const uint8_t *)o->requester_uid.ptr, a[k].value.len = o->requester_uid.len, k++;
    }
    if (o->data.ptr) {
        a[k].name = sioc_str_c("data"), a[k].type = SIOC_AWS_ATTR_BINARY;
        a[k].value = o->data, k++;
    }
    return k;
}

static void sioc__caws_pub_start(sioc_cluster_aws *ca, uint64_t now) {
    sioc__caws_slot *s = &ca->p_slots[SIOC__CAWS_PUB];
    sioc__caws_pub_scratch ps;
    size_t avail = sioc_node_out_count(ca->node), n = 0, total = 0;
    sioc_buf b;
    sioc_result r;
    while (s->state == SIOC__CAWS_FREE && avail && ca->topic_arn[0]) {
        n = 0;
        total = 0;
        while (n < avail && n < SIOC_AWS_MAX_BATCH) {
            sioc_node_out o;
            size_t na, sz;
            if (sioc_node_out_peek(ca->node, n, &o) != SIOC_OK) break;
            na = sioc__caws_out_attrs(&o, ps.attrs[n]);
            sz = sioc_aws_message_size(o.message, ps.attrs[n], na);
            if (n && total + sz > SIOC_AWS_MAX_MESSAGE_SIZE) break;
            total += sz;
            ps.ids[n][0] = 'm';
            ps.ids[n][1] = (char)('0' + (int)n);
            ps.ids[n][2] = 0;
            ps.e[n].id = sioc_str_c(ps.ids[n]);
            ps.e[n].message = o.message;
            ps.e[n].attrs = ps.attrs[n];
            ps.e[n].n_attrs = na;
            n++;
        }
        if (!n) return;
        sioc_buf_init(&b, s->call.body_mem, s->call.body_cap);
        if (n == 1) r = sioc_sns_write_publish(&b, sioc_str_c(ca->topic_arn), ps.e[0].message, ps.e[0].attrs,
                                               ps.e[0].n_attrs);
        else r = sioc_sns_write_publish_batch(&b, sioc_str_c(ca->topic_arn), ps.e, n);
        if (r == SIOC_ERR_BUFFER_TOO_SMALL && n > 1) {
            n = 1;
            sioc_buf_init(&b, s->call.body_mem, s->call.body_cap);
            r = sioc_sns_write_publish(&b, sioc_str_c(ca->topic_arn), ps.e[0].message, ps.e[0].attrs,
                                       ps.e[0].n_attrs);
        }
        sioc_node_out_pop(ca->node, n); /* copied into the request body: the slot keeps it for retries */
        avail -= n;
        if (r != SIOC_OK) {
            ca->publish_entry_failed += n;
            continue;
        }
        sioc__caws_go(ca, s, n == 1 ? SIOC_CLUSTER_AWS_PUBLISH : SIOC_CLUSTER_AWS_PUBLISH_BATCH, SIOC_AWS_SNS, &b,
                      now);
        s->count = n;
    }
}

static void sioc__caws_pub_done(sioc_cluster_aws *ca, sioc__caws_slot *s, uint64_t now) {
    sioc_aws_call *c = &s->call;
    size_t n = s->count;
    if (c->result == SIOC_OK) {
        s->state = SIOC__CAWS_FREE;
        if (s->op == SIOC_CLUSTER_AWS_PUBLISH_BATCH) {
            sioc_buf sb;
            sioc_aws_batch_result br;
            sioc_buf_init(&sb, ca->p_scratch, ca->p_scratch_size);
            if (sioc_sns_parse_publish_batch((const char *)c->reply.ptr, c->reply.len, &sb, &br) == SIOC_OK) {
                n = br.count - br.failed;
                ca->publish_entry_failed += br.failed;
            }
        }
        ca->published += n;
        return;
    }
    if (c->result == SIOC_ERR_NOT_FOUND && ca->state == SIOC_CLUSTER_AWS_RUNNING) sioc__caws_topic_lost(ca, now);
    if (c->result == SIOC_ERR_HTTP_STATUS && c->error.sender_fault) { /* refused (too long, bad value): drop */
        ca->failures[s->op]++;
        ca->publish_entry_failed++;
        if (ca->p_desc.on_error) ca->p_desc.on_error(ca->p_desc.user, (sioc_cluster_aws_op)s->op, c);
        s->state = SIOC__CAWS_FREE;
        return;
    }
    if (ca->state == SIOC_CLUSTER_AWS_CLOSING && now >= ca->p_close_deadline) {
        s->state = SIOC__CAWS_FREE;
        return;
    }
    sioc__caws_fail(ca, s, c->result, now);
}

/* ---- driving ---- */

SIOC_API sioc_result sioc_cluster_aws_start(sioc_cluster_aws *ca, uint64_t now_ms) {
    if (!ca || !ca->p_mem) return SIOC_ERR_ARG;
    if (ca->state != SIOC_CLUSTER_AWS_IDLE) return SIOC_ERR_STATE;
    if (!ca->node->p_desc.emitter_only) sioc__caws_new_queue_name(ca, 0);
    ca->state = SIOC_CLUSTER_AWS_STARTING;
    ca->p_step = SIOC__CAWS_S_TOPIC;
    sioc_cluster_aws_process(ca, now_ms);
    return SIOC_OK;
}

SIOC_API sioc_result sioc_cluster_aws_close(sioc_cluster_aws *ca, uint64_t now_ms) {
    size_t i;
    if (!ca || !ca->p_mem) return SIOC_ERR_ARG;
    if (ca->state == SIOC_CLUSTER_AWS_CLOSING || ca->state == SIOC_CLUSTER_AWS_CLOSED) return SIOC_OK;
    if (ca->node->state != SIOC_NODE_CLOSING && ca->node->state != SIOC_NODE_CLOSED)
        (void)sioc_node_close(ca->node, now_ms);
    /* no more receives (the queue goes away); a start-up step in flight is abandoned */
    for (i = 0; i < sioc__caws_n_slots(ca); i++) {
        sioc__caws_slot *s = &ca->p_slots[i];
        if (i == SIOC__CAWS_PUB || i == SIOC__CAWS_DEL) continue;
        if (s->state == SIOC__CAWS_BUSY) (void)sioc_aws_cancel(ca->client, &s->call);
        s->state = SIOC__CAWS_FREE;
    }
    if (!ca->topic_arn[0]) sioc_node_out_pop(ca->node, sioc_node_out_count(ca->node)); /* nowhere to publish */
    ca->state = SIOC_CLUSTER_AWS_CLOSING;
    ca->p_step = SIOC__CAWS_S_DRAIN;
    ca->p_close_deadline = now_ms + ca->p_desc.shutdown_timeout_ms;
    sioc_cluster_aws_process(ca, now_ms);
    return SIOC_OK;
}

static void sioc__caws_collect(sioc_cluster_aws *ca, uint64_t now) {
    sioc_aws_call *done = NULL;
    while (sioc_aws_next(ca->client, now, &done) == SIOC_OK) {
        sioc__caws_slot *s = NULL;
        size_t idx;
        for (idx = 0; idx < sioc__caws_n_slots(ca); idx++)
            if (&ca->p_slots[idx].call == done) {
                s = &ca->p_slots[idx];
                break;
            }
        if (!s || s->state != SIOC__CAWS_BUSY) continue; /* not ours: the client must be the binding's alone */
        if (idx == SIOC__CAWS_CTL) sioc__caws_ctl_done(ca, s, now);
        else if (idx == SIOC__CAWS_PUB) sioc__caws_pub_done(ca, s, now);
        else if (idx == SIOC__CAWS_DEL) sioc__caws_del_done(ca, s, now);
        else sioc__caws_recv_done(ca, s, now);
    }
}

static void sioc__caws_recv_start(sioc_cluster_aws *ca, sioc__caws_slot *s, uint64_t now) {
    sioc_buf b;
    sioc_buf_init(&b, s->call.body_mem, s->call.body_cap);
    if (sioc_sqs_write_receive_message(&b, sioc_str_c(ca->queue_url), ca->p_desc.max_messages,
                                       ca->p_desc.wait_time_s) != SIOC_OK)
        return;
    sioc__caws_go(ca, s, SIOC_CLUSTER_AWS_RECEIVE_MESSAGE, SIOC_AWS_SQS, &b, now);
}

SIOC_API void sioc_cluster_aws_process(sioc_cluster_aws *ca, uint64_t now_ms) {
    size_t i, n_slots;
    if (!ca || !ca->p_mem || ca->state == SIOC_CLUSTER_AWS_IDLE) return;
    n_slots = sioc__caws_n_slots(ca);
    sioc__caws_collect(ca, now_ms);
    /* retries that are due */
    for (i = 0; i < n_slots; i++) {
        sioc__caws_slot *s = &ca->p_slots[i];
        if (s->state == SIOC__CAWS_WAIT && now_ms >= s->retry_at) {
            if (i >= SIOC__CAWS_RECV && (ca->state != SIOC_CLUSTER_AWS_RUNNING || !ca->queue_url[0])) {
                s->state = SIOC__CAWS_FREE; /* the queue changed meanwhile: start afresh */
                continue;
            }
            if (i == SIOC__CAWS_CTL && ca->state != SIOC_CLUSTER_AWS_STARTING && ca->state != SIOC_CLUSTER_AWS_CLOSING) {
                s->state = SIOC__CAWS_FREE;
                continue;
            }
            if (i == SIOC__CAWS_CTL) { /* a step may have changed (queue renamed): write it again */
                int att = s->attempts;
                s->state = SIOC__CAWS_FREE;
                sioc__caws_ctl_step(ca, now_ms);
                s->attempts = att;
                continue;
            }
            sioc__caws_submit(ca, s, now_ms);
        }
    }
    sioc_node_tick(ca->node, now_ms);
    if (ca->state == SIOC_CLUSTER_AWS_STARTING) sioc__caws_ctl_step(ca, now_ms);
    sioc__caws_pub_start(ca, now_ms);
    sioc__caws_del_start(ca, now_ms);
    if (ca->state == SIOC_CLUSTER_AWS_RUNNING && ca->queue_url[0] && !ca->node->p_desc.emitter_only &&
        ca->p_n_dels + (size_t)ca->p_desc.max_messages <= sioc__caws_del_cap(ca)) {
        for (i = SIOC__CAWS_RECV; i < n_slots; i++)
            if (ca->p_slots[i].state == SIOC__CAWS_FREE) sioc__caws_recv_start(ca, &ca->p_slots[i], now_ms);
    }
    if (ca->state == SIOC_CLUSTER_AWS_CLOSING && ca->p_step == SIOC__CAWS_S_DRAIN) {
        int drained = ca->node->state == SIOC_NODE_CLOSED && ca->p_slots[SIOC__CAWS_PUB].state == SIOC__CAWS_FREE &&
                      ca->p_slots[SIOC__CAWS_DEL].state == SIOC__CAWS_FREE && !ca->p_n_dels;
        if (drained || now_ms >= ca->p_close_deadline) {
            if (ca->p_slots[SIOC__CAWS_PUB].state == SIOC__CAWS_BUSY)
                (void)sioc_aws_cancel(ca->client, &ca->p_slots[SIOC__CAWS_PUB].call);
            if (ca->p_slots[SIOC__CAWS_DEL].state == SIOC__CAWS_BUSY)
                (void)sioc_aws_cancel(ca->client, &ca->p_slots[SIOC__CAWS_DEL].call);
            ca->p_slots[SIOC__CAWS_PUB].state = ca->p_slots[SIOC__CAWS_DEL].state = SIOC__CAWS_FREE;
            ca->p_n_dels = 0;
            ca->p_step = SIOC__CAWS_S_DELQ;
            if (now_ms >= ca->p_close_deadline) ca->p_close_deadline = now_ms + 2000; /* a short try to clean up */
        }
    }
    if (ca->state == SIOC_CLUSTER_AWS_CLOSING && ca->p_step >= SIOC__CAWS_S_DELQ) sioc__caws_ctl_step(ca, now_ms);
}

SIOC_API uint64_t sioc_cluster_aws_next_deadline(const sioc_cluster_aws *ca, uint64_t now_ms) {
    uint64_t d, h;
    size_t i;
    if (!ca || !ca->p_mem) return UINT64_MAX;
    d = sioc_node_next_deadline(ca->node, now_ms);
    h = sioc_http_next_deadline(&ca->client->http);
    if (h < d) d = h;
    if (sioc_http_responses_ready(&ca->client->http) || ca->client->p_done.p_head) return now_ms;
    if (ca->state == SIOC_CLUSTER_AWS_IDLE || ca->state == SIOC_CLUSTER_AWS_CLOSED ||
        ca->state == SIOC_CLUSTER_AWS_FAILED)
        return d;
    for (i = 0; i < sioc__caws_n_slots(ca); i++)
        if (ca->p_slots[i].state == SIOC__CAWS_WAIT && ca->p_slots[i].retry_at < d) d = ca->p_slots[i].retry_at;
    if (ca->p_slots[SIOC__CAWS_PUB].state == SIOC__CAWS_FREE && ca->topic_arn[0] && sioc_node_out_count(ca->node))
        return now_ms;
    if (ca->p_slots[SIOC__CAWS_DEL].state == SIOC__CAWS_FREE && ca->p_n_dels) return now_ms;
    if (ca->state == SIOC_CLUSTER_AWS_CLOSING && ca->p_close_deadline < d) d = ca->p_close_deadline;
    return d < now_ms ? now_ms : d;
}

SIOC_API int sioc_cluster_aws_idle(const sioc_cluster_aws *ca) {
    if (!ca || !ca->p_mem) return 1;
    return sioc_node_out_count(ca->node) == 0 && ca->p_slots[SIOC__CAWS_PUB].state == SIOC__CAWS_FREE;
}

#if SIOC_ENABLE_POSIX
SIOC_API sioc_result sioc_cluster_aws_run_posix(sioc_cluster_aws *ca, sioc_posix *px, uint32_t max_wait_ms) {
    uint64_t now = sioc_posix_now_ms(), d;
    uint32_t wait = max_wait_ms;
    sioc_result r;
    sioc_cluster_aws_process(ca, now);
    d = sioc_cluster_aws_next_deadline(ca, now);
    if (d <= now) wait = 0;
    else if (d - now < wait) wait = (uint32_t)(d - now);
    r = sioc_posix_wait(px, now, wait);
    now = sioc_posix_now_ms();
    (void)sioc_posix_step(px, now);
    sioc_cluster_aws_process(ca, now);
    return r;
}
#endif

#endif /* SIOC_ENABLE_AWS */
