/* ---- member_azure: the member's requests over Service Bus REST + ATOM (member.h; docs/AZURE.md §1, §4-6) ----
   Start-up steps, one send per out message, complete (or unlock) of every received message on several slots,
   peek-lock long polls and the hand-over of each message to the node. Slots, retries and deadlines are
   member.c's. */
#include "base.h"
#include "internal.h"
#include "cluster.h"
#include "azure.h"
#include "member.h"
#include "member_int.h"

#if SIOC_ENABLE_AZURE

/* start-up steps; clean-up follows member.c's SIOC__M_STEP_CLEANUP */
enum { SIOC__MAZ_S_TOPIC = 0, SIOC__MAZ_S_CREATE_TOPIC, SIOC__MAZ_S_SUB, SIOC__MAZ_S_DONE,
       SIOC__MAZ_S_DELSUB = SIOC__M_STEP_CLEANUP };

#define SIOC__MAZ_CTL_BODY 4096u
#define SIOC__MAZ_ENTRY_REPLY 16384u /* the topic's and subscription's ATOM entries: a few KB from the service */

static const char *const sioc__mazure_ops[SIOC_CLUSTER_OP_COUNT] = {
    "GetTopic", "CreateTopic", "CreateQueue", "GetQueueAttributes", "SetQueueAttributes", "CreateSubscription",
    "Receive", "Complete", "Unlock", "Send", "SendBatch", "DeleteSubscription", "Unsubscribe", "ListQueues",
    "ListQueueTags", "ListSubscriptions"};

static const char *sioc__mazure_op_name(int op) { return sioc__mazure_ops[op]; }

static sioc_result sioc__mazure_layout(const sioc_cluster_desc *d, sioc__mlayout *l) {
    /* prefix + "-" + 16 hex must stay a valid name (docs/AZURE.md §1) */
    if (d->azure.timeout_s < 1 || d->azure.timeout_s > SIOC_AZURE_MAX_TIMEOUT_S ||
        !sioc_azure_name_ok(sioc_str_c(d->topic_name)) || !sioc_azure_name_ok(sioc_str_c(d->prefix)) ||
        strlen(d->prefix) + 1 + 16 > SIOC_AZURE_MAX_NAME)
        return SIOC_ERR_ARG;
    l->body[SIOC__MK_CTL] = SIOC__MAZ_CTL_BODY;
    l->reply[SIOC__MK_CTL] = SIOC__MAX((size_t)d->reply_buffer_size, (size_t)SIOC__MAZ_ENTRY_REPLY);
    l->body[SIOC__MK_PUB] = d->node.max_message_size, l->reply[SIOC__MK_PUB] = d->reply_buffer_size;
    l->n_settle_slots = SIOC_CLUSTER_SETTLES, l->reply[SIOC__MK_SETTLE] = d->reply_buffer_size;
    /* a whole message; a larger one comes back as SIOC_ERR_BUFFER_TOO_SMALL and is still completed */
    l->reply[SIOC__MK_RECV] = (size_t)d->node.max_message_size + 1024u;
    l->settle_cap = SIOC_CLUSTER_PENDING;
    l->per_receive = 1;
    return SIOC_OK;
}

static sioc_azure_client *sioc__mazure_client(sioc_cluster *c) { return &c->p_client.azure; }

static sioc_result sioc__mazure_send(sioc_cluster *c, sioc__mslot *s, uint64_t now) {
    sioc_azure_call *call = &s->call.azure;
    sioc_azure_prop p[3];
    sioc_azure_send_opts o;
    size_t n = 0;
    p[n].name = sioc_str_c("nsp"), p[n].type = SIOC_AZURE_PROP_STRING, p[n].value = sioc_str_c(s->nsp), n++;
    p[n].name = sioc_str_c("uid"), p[n].type = SIOC_AZURE_PROP_STRING;
    p[n].value = sioc_str_n(c->p_node.uid, c->p_node.uid_len), n++;
    if (s->has_requester) {
        p[n].name = sioc_str_c("requesterUid"), p[n].type = SIOC_AZURE_PROP_STRING;
        p[n].value = sioc_str_c(s->requester), n++;
    }
    memset(&o, 0, sizeof o);
    o.message_id = sioc_str_c(s->msgid); /* unique: duplicate detection and SDK lock renewal key on it */
    o.time_to_live_s = c->p_desc.azure.message_ttl_s;
    return sioc_azure_send(sioc__mazure_client(c), call, sioc_str_c(c->p_topic),
                           sioc_bytes_n(call->body_mem, s->body_len), p, n, &o, now);
}

/* Start (or restart) the slot's request from what the slot holds. */
static sioc_result sioc__mazure_start_call(sioc_cluster *c, sioc__mslot *s, uint64_t now) {
    sioc_azure_client *z = sioc__mazure_client(c);
    sioc_azure_call *call = &s->call.azure;
    sioc_str topic = sioc_str_c(c->p_topic), sub = sioc_str_c(c->p_name);
    call->timeout_ms = c->p_desc.request_timeout_ms;
    call->user = s;
    switch (s->op) {
    case SIOC_CLUSTER_OP_GET_TOPIC: return sioc_azure_get_topic(z, call, topic, now);
    case SIOC_CLUSTER_OP_CREATE_TOPIC: return sioc_azure_create_topic(z, call, topic, NULL, now);
    case SIOC_CLUSTER_OP_SUBSCRIBE: {
        sioc_azure_sub_opts o;
        memset(&o, 0, sizeof o);
        o.lock_duration_s = c->p_desc.azure.lock_duration_s;
        o.auto_delete_on_idle_s = c->p_desc.azure.auto_delete_on_idle_s; /* a crashed member cleans up */
        if (!c->p_desc.azure.no_filter_rule) { /* the broker drops own messages and others' responses for us */
            char sql[256];
            sioc_buf q;
            sioc_buf_init(&q, sql, sizeof sql);
            if (sioc_azure_write_own_filter(&q, sioc_str_n(c->p_node.uid, c->p_node.uid_len)) == SIOC_OK)
                return sioc_azure_create_subscription_rule(z, call, topic, sub, &o, sioc_str_n(sql, q.len), now);
        }
        return sioc_azure_create_subscription(z, call, topic, sub, &o, now);
    }
    case SIOC_CLUSTER_OP_RECEIVE:
        call->timeout_ms = (uint32_t)c->p_desc.azure.timeout_s * 1000u + 10000u;
        return sioc_azure_receive(z, call, topic, sub, c->p_desc.azure.timeout_s, now);
    case SIOC_CLUSTER_OP_SETTLE: return sioc_azure_complete(z, call, sioc_str_c(s->lock), now);
    case SIOC_CLUSTER_OP_UNLOCK: return sioc_azure_unlock(z, call, sioc_str_c(s->lock), now);
    case SIOC_CLUSTER_OP_PUBLISH: return sioc__mazure_send(c, s, now);
    case SIOC_CLUSTER_OP_DELETE_QUEUE: return sioc_azure_delete_subscription(z, call, topic, sub, now);
    default: return SIOC_ERR_ARG;
    }
}

static sioc_result sioc__mazure_client_init(sioc_cluster *c) {
    const sioc_cluster_desc *d = &c->p_desc;
    sioc_azure_desc zd;
    memset(&zd, 0, sizeof zd);
    zd.connection_string = d->azure.connection_string, zd.rest_url = d->azure.rest_url;
    zd.utc_now = d->utc_now, zd.user = d->user, zd.http = d->http;
    zd.token_lifetime_s = d->azure.token_lifetime_s;
    if (zd.connection_string) {
        sioc_result r = sioc_azure_client_init(sioc__mazure_client(c), &zd);
        if (r != SIOC_OK) /* the client logged it; kept for sioc_cluster_last_detail */
            sioc__copy_fixed(c->p_detail, sizeof c->p_detail, sioc_str_c(sioc__mazure_client(c)->detail));
        return r;
    }
    sioc__m_log(c, d, SIOC__M_TEXT("sioc_cluster: Service Bus connection string missing (SERVICEBUS_CONNECTION_STRING)"));
    return SIOC_ERR_NOT_FOUND;
}

static void sioc__mazure_cancel(sioc_cluster *c, sioc__mslot *s) {
    (void)sioc_azure_cancel(sioc__mazure_client(c), &s->call.azure);
}

static void *sioc__mazure_next(sioc_cluster *c, uint64_t now) {
    sioc_azure_call *done = NULL;
    return sioc_azure_next(sioc__mazure_client(c), now, &done) == SIOC_OK ? done->user : NULL;
}

static void sioc__mazure_error(const sioc__mslot *s, sioc_cluster_error *e) {
    e->status = s->call.azure.status;
    e->message = s->call.azure.error.detail;
    e->detail = s->call.azure.detail;
}

#if SIOC_ENABLE_RECEIVE
static int sioc__mazure_can_receive(const sioc_cluster *c) { return c->p_name[0] != 0; }
#endif

/* Nothing to watch: a deleted topic or subscription shows as 404 / 410 on the next receive. */
static void sioc__mazure_watch(sioc_cluster *c, uint64_t now) { (void)c, (void)now; }

/* ---- start-up and shutdown (ctl slot) ---- */

static void sioc__mazure_begin(sioc_cluster *c) {
    sioc_buf b;
    sioc__copy_fixed(c->p_topic, sizeof c->p_topic, sioc_str_c(c->p_desc.topic_name));
    c->p_step = SIOC__MAZ_S_TOPIC;
    if (sioc__m_emitter(c)) return;
    sioc_buf_init(&b, c->p_name, sizeof c->p_name - 1);
    sioc_buf_puts(&b, c->p_desc.prefix);
    sioc_buf_putc(&b, '-');
    sioc_buf_put(&b, c->p_node.uid, c->p_node.uid_len);
    c->p_name[SIOC__MIN(b.len, sizeof c->p_name - 1)] = 0;
    if (sioc_buf_result(&b) != SIOC_OK || !sioc_azure_name_ok(sioc_str_c(c->p_name))) {
        c->p_last_error = SIOC_ERR_ARG;
        c->p_state = SIOC_CLUSTER_FAILED;
    }
}

static void sioc__mazure_ctl_step(sioc_cluster *c, uint64_t now) {
    sioc__mslot *s = &c->p_slots[SIOC__M_CTL];
    if (s->state != SIOC__MS_FREE) return;
    switch (c->p_step) {
    case SIOC__MAZ_S_TOPIC: sioc__m_go(c, s, SIOC_CLUSTER_OP_GET_TOPIC, now); break;
    case SIOC__MAZ_S_CREATE_TOPIC: sioc__m_go(c, s, SIOC_CLUSTER_OP_CREATE_TOPIC, now); break;
    case SIOC__MAZ_S_SUB: sioc__m_go(c, s, SIOC_CLUSTER_OP_SUBSCRIBE, now); break;
    case SIOC__MAZ_S_DELSUB:
        if (!c->p_sub_created || !c->p_name[0]) {
            c->p_state = SIOC_CLUSTER_CLOSED; /* never created: nothing to delete */
            return;
        }
        sioc__m_go(c, s, SIOC_CLUSTER_OP_DELETE_QUEUE, now);
        break;
    default: break;
    }
}

#if SIOC_ENABLE_RECEIVE
/* 410 on receive: the subscription is gone (deleted, or auto-deleted while we could not poll): re-created under
   the same name (the topic too if that is gone: create-subscription then gives 404). */
static void sioc__mazure_sub_lost(sioc_cluster *c, uint64_t now) {
    (void)sioc__m_lost(c, SIOC__M_LOST_QUEUE, SIOC__MAZ_S_SUB, now);
}
#endif

/* 410 on send: the topic is gone, and the subscription with it: start-up again. */
static void sioc__mazure_topic_lost(sioc_cluster *c, uint64_t now) {
    (void)sioc__m_lost(c, SIOC__M_LOST_TOPIC | SIOC__M_LOST_QUEUE, SIOC__MAZ_S_TOPIC, now);
}

static void sioc__mazure_ctl_done(sioc_cluster *c, sioc__mslot *s, uint64_t now) {
    sioc_result r = s->call.azure.result;
    if (c->p_state == SIOC_CLUSTER_CLOSING) { /* delete subscription: 404 is success already */
        if (r != SIOC_OK && now < c->p_close_deadline && r != SIOC_ERR_AUTH) {
            sioc__m_fail(c, s, r, now);
            return;
        }
        if (r != SIOC_OK) sioc__m_report(c, s, r, 0);
        s->state = SIOC__MS_FREE;
        if (r == SIOC_OK) c->p_name[0] = 0;
        c->p_state = SIOC_CLUSTER_CLOSED;
        return;
    }
    if (r == SIOC_OK) {
        s->state = SIOC__MS_FREE;
        if (s->op == SIOC_CLUSTER_OP_GET_TOPIC || s->op == SIOC_CLUSTER_OP_CREATE_TOPIC) {
            c->p_have_topic = 1;
            if (sioc__m_emitter(c)) sioc__m_running(c, now);
            else c->p_step = SIOC__MAZ_S_SUB;
        } else { /* subscription created (or there already: 409) */
            c->p_sub_created = 1;
            c->p_step = SIOC__MAZ_S_DONE;
            sioc__m_running(c, now);
        }
        return;
    }
    if (r == SIOC_ERR_NOT_FOUND) {
        /* GET of a missing topic: create it, as upstream does after any getTopic error; a subscription under a
           missing topic (404): the topic first */
        c->p_step = s->op == SIOC_CLUSTER_OP_GET_TOPIC ? SIOC__MAZ_S_CREATE_TOPIC : SIOC__MAZ_S_TOPIC;
        if (s->op == SIOC_CLUSTER_OP_GET_TOPIC) {
            s->state = SIOC__MS_FREE;
            sioc__mazure_ctl_step(c, now);
            return;
        }
        sioc__m_fail(c, s, r, now);
        s->attempts = 0;
        return;
    }
    if ((r == SIOC_ERR_AUTH && s->auth_retries) || r == SIOC_ERR_HTTP_STATUS) {
        /* a wrong key or rule (already retried once with a fresh token), or a request the service refuses: a clear
           failure, no more requests (docs/AZURE.md §6) */
        sioc__m_give_up(c, s, r);
        c->p_state = SIOC_CLUSTER_FAILED;
        return;
    }
    sioc__m_fail(c, s, r, now);
}

#if SIOC_ENABLE_RECEIVE
/* ---- settling: complete (or unlock) on the lock path as returned, several in flight ---- */

static void sioc__mazure_settle_start(sioc_cluster *c, uint64_t now) {
    size_t i;
    for (i = SIOC__M_SET; i < c->p_n_slots && c->p_n_settles; i++) {
        sioc__mslot *s = &c->p_slots[i];
        const sioc__msettle *q = (const sioc__msettle *)c->p_settles;
        if (s->kind != SIOC__MK_SETTLE || s->state != SIOC__MS_FREE) continue;
        sioc__copy_fixed(s->lock, sizeof s->lock, sioc_str_n(q[0].text, q[0].len));
        s->op = q[0].op;
        s->deadline = q[0].deadline;
        s->count = 1;
        sioc__m_settle_pop(c, 1);
        sioc__m_go(c, s, s->op, now);
    }
}

static void sioc__mazure_settle_done(sioc_cluster *c, sioc__mslot *s, uint64_t now) {
    sioc_result r = s->call.azure.result;
    if (r == SIOC_OK) {
        s->state = SIOC__MS_FREE;
        if (s->op == SIOC_CLUSTER_OP_SETTLE) c->p_stats.settled++;
        else c->p_stats.unlocked++;
        return;
    }
    /* lock lost (404) or entity gone (410): nothing to retry; 400/403: refused; the lock ran out: it comes back
       and is completed as seen. Anything else (5xx, throttling, resets, 401 with a fresh token) is retried with
       backoff while the lock holds. */
    if (r == SIOC_ERR_NOT_FOUND || r == SIOC_ERR_HTTP_STATUS || r == SIOC_ERR_LIMIT || now >= s->deadline ||
        c->p_state != SIOC_CLUSTER_RUNNING) {
        sioc__m_report(c, s, r, 0);
        c->p_stats.settle_failed++;
        s->state = SIOC__MS_FREE;
        return;
    }
    sioc__m_fail(c, s, r, now);
    if (s->retry_at > s->deadline) s->retry_at = s->deadline; /* one last try before the lock goes */
}

/* ---- receiving ---- */

/* When a lock taken now runs out, less a margin for the settle's own trip (the broker started it a little
   earlier than we saw the answer). */
static uint64_t sioc__mazure_lock_deadline(const sioc_cluster *c, uint64_t now) {
    uint64_t lock_ms = (uint64_t)(c->p_desc.azure.lock_duration_s ? c->p_desc.azure.lock_duration_s : 60u) * 1000u;
    return now + (lock_ms > 4000u ? lock_ms - 2000u : lock_ms / 2u);
}

/* One message: to the node unless seen before; completed either way, also when the node refused it (undecodable,
   too deep, too large): a bad message is dropped and counted, never given back to come again. */
static void sioc__mazure_handle(sioc_cluster *c, const sioc_azure_message *m, uint64_t now) {
    c->p_stats.received++;
    if (sioc__m_seen(c, m->broker.message_id, now)) { /* handled before; its complete was lost */
        c->p_stats.redelivered++;
    } else if (sioc_node_receive_azure(&c->p_node, m->body.ptr, m->body.len, &m->env, now) != SIOC_OK) {
        c->p_stats.bad_messages++; /* the node applied the filters before decoding (docs/PROTOCOL.md §2.2) */
    }
    (void)sioc__m_settle_push(c, SIOC_CLUSTER_OP_SETTLE, m->lock_path, sioc__mazure_lock_deadline(c, now), now);
}

static void sioc__mazure_recv_start(sioc_cluster *c, sioc__mslot *s, uint64_t now) {
    s->gen = c->p_gen;
    sioc__m_go(c, s, SIOC_CLUSTER_OP_RECEIVE, now);
}

static void sioc__mazure_recv_done(sioc_cluster *c, sioc__mslot *s, uint64_t now) {
    sioc_azure_call *call = &s->call.azure;
    if (call->result == SIOC_OK) {
        s->state = SIOC__MS_FREE;
        s->attempts = 0;
        s->auth_retries = 0;
        if (!call->has_message) {
            c->p_stats.empty_receives++;
            return;
        }
        if (c->p_state == SIOC_CLUSTER_RUNNING) sioc__mazure_handle(c, &call->msg, now);
        return;
    }
    if (call->result == SIOC_ERR_BUFFER_TOO_SMALL && call->msg.lock_path.len) { /* too large for us: drop it */
        s->state = SIOC__MS_FREE;
        c->p_stats.received++;
        c->p_stats.bad_messages++;
        c->p_stats.too_large++;
        (void)sioc__m_settle_push(c, SIOC_CLUSTER_OP_SETTLE, call->msg.lock_path, sioc__mazure_lock_deadline(c, now),
                                  now);
        return;
    }
    if (c->p_state != SIOC_CLUSTER_RUNNING) { /* re-creating meanwhile: start afresh later */
        s->state = SIOC__MS_FREE;
        return;
    }
    if (sioc__m_recv_gone(c, s, call->result, now)) sioc__mazure_sub_lost(c, now);
}

#endif /* SIOC_ENABLE_RECEIVE */

/* ---- sending: one message per request (the batch form cannot carry binary bodies, docs/AZURE.md 4.1) ---- */

static void sioc__mazure_pub_start(sioc_cluster *c, uint64_t now) {
    sioc__mslot *s = &c->p_slots[SIOC__M_PUB];
    while (s->state == SIOC__MS_FREE && c->p_have_topic && sioc_node_out_count(&c->p_node)) {
        sioc_node_out o;
        sioc_buf b;
        if (sioc_node_out_peek(&c->p_node, 0, &o) != SIOC_OK) return;
        if (o.body.len > s->call.azure.body_cap || o.nsp.len > SIOC_CLUSTER_NSP_MAX ||
            (o.requester_uid.ptr && o.requester_uid.len > SIOC_NODE_ID_MAX)) {
            sioc__m_pub_taken(c, s, 1);
            sioc__m_pub_outcome(c, s, 0, SIOC_ERR_TOO_LARGE);
            continue;
        }
        if (o.body.len) memcpy(s->call.azure.body_mem, o.body.ptr, o.body.len);
        s->body_len = o.body.len;
        sioc__copy_fixed(s->nsp, sizeof s->nsp, o.nsp);
        s->has_requester = o.requester_uid.ptr != NULL && o.requester_uid.len > 0;
        sioc__copy_fixed(s->requester, sizeof s->requester, o.requester_uid);
        sioc__m_pub_taken(c, s, 1); /* copied into the slot: it keeps it for retries */
        /* MessageId "<uid>-<sequence>": unique per message and per member (the uid is random) */
        sioc_buf_init(&b, s->msgid, sizeof s->msgid - 1);
        sioc_buf_put(&b, c->p_node.uid, c->p_node.uid_len);
        sioc_buf_putc(&b, '-');
        sioc_buf_put_u64(&b, s->seq_first);
        s->msgid[SIOC__MIN(b.len, sizeof s->msgid - 1)] = 0;
        sioc__m_go(c, s, SIOC_CLUSTER_OP_PUBLISH, now);
    }
}

static void sioc__mazure_pub_done(sioc_cluster *c, sioc__mslot *s, uint64_t now) {
    sioc_result r = s->call.azure.result;
    if (r == SIOC_OK) {
        sioc__m_pub_outcome(c, s, 1, SIOC_OK);
        return;
    }
    if (r == SIOC_ERR_NOT_FOUND) sioc__mazure_topic_lost(c, now); /* 410: resent once the topic is back */
    /* refused for good (too large, bad value, quota): drop it; a 401 is retried with a fresh token and backoff */
    if (r == SIOC_ERR_TOO_LARGE || r == SIOC_ERR_LIMIT || r == SIOC_ERR_HTTP_STATUS ||
        (c->p_state == SIOC_CLUSTER_CLOSING && now >= c->p_close_deadline)) {
        sioc__m_pub_drop(c, s, r);
        return;
    }
    if (!sioc__m_pub_ambiguous(c, s, r)) sioc__m_fail(c, s, r, now);
}

#endif /* SIOC_ENABLE_AZURE */
