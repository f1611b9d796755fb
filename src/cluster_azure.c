/* ---- cluster_azure: the node over Service Bus REST + ATOM (see cluster_azure.h; AZURE.md §1, §4-6) ---- */
#include "base.h"
#include "internal.h"
#include "cluster.h"
#include "http.h"
#include "posix.h"
#include "azure.h"
#include "cluster_azure.h"

#if SIOC_ENABLE_AZURE

/* Slots: one call each with its own memory. ctl runs start-up and shutdown steps one at a time. */
enum { SIOC__CAZ_CTL = 0, SIOC__CAZ_PUB = 1, SIOC__CAZ_SET = 2, SIOC__CAZ_RECV = 2 + SIOC_CLUSTER_AZURE_SETTLES };
enum { SIOC__CAZ_FREE = 0, SIOC__CAZ_BUSY = 1, SIOC__CAZ_WAIT = 2 };
enum { SIOC__CAZ_S_TOPIC = 0, SIOC__CAZ_S_CREATE_TOPIC, SIOC__CAZ_S_SUB, SIOC__CAZ_S_DONE, SIOC__CAZ_S_DRAIN,
       SIOC__CAZ_S_DELSUB };

#define SIOC__CAZ_CTL_BODY 4096u
#define SIOC__CAZ_SMALL_REPLY 16384u
#define SIOC__CAZ_PUB_BODY ((size_t)SIOC_AZURE_MAX_MESSAGE_SIZE)
/* a whole message; a larger one comes back as SIOC_ERR_BUFFER_TOO_SMALL and is still settled */
#define SIOC__CAZ_RECV_REPLY ((size_t)SIOC_AZURE_MAX_MESSAGE_SIZE + 1024u)

typedef struct sioc__caz_slot {
    sioc_azure_call call;
    int state, op, attempts, auth_retries;
    uint32_t gen; /* receive: the subscription generation it was sent for */
    uint64_t retry_at;
    /* send: what a retry needs again (the body stays in body_mem) */
    size_t body_len;
    char nsp[SIOC_CLUSTER_AZURE_NSP_MAX + 1];
    char requester[SIOC_NODE_ID_MAX + 1];
    char msgid[SIOC_CLUSTER_AZURE_MSGID_MAX + 1];
    int has_requester;
    /* settle: the lock path */
    char lock[SIOC_CLUSTER_AZURE_LOCK_MAX + 1];
} sioc__caz_slot;

typedef struct sioc__caz_settle {
    int op; /* SIOC_CLUSTER_AZURE_COMPLETE or _UNLOCK */
    char lock[SIOC_CLUSTER_AZURE_LOCK_MAX + 1];
} sioc__caz_settle;

static const char *const sioc__caz_ops[SIOC_CLUSTER_AZURE_OP_COUNT] = {
    "GetTopic", "CreateTopic", "CreateSubscription", "Receive", "Complete", "Unlock", "Send", "DeleteSubscription"};

SIOC_API const char *sioc_cluster_azure_op_name(int op) {
    return op >= 0 && op < SIOC_CLUSTER_AZURE_OP_COUNT ? sioc__caz_ops[op] : "?";
}

SIOC_API sioc_cluster_azure_desc sioc_cluster_azure_desc_resolved(const sioc_cluster_azure_desc *desc) {
    sioc_cluster_azure_desc d = *desc;
    if (!d.topic_name || !*d.topic_name) d.topic_name = "socket.io";
    if (!d.subscription_prefix || !*d.subscription_prefix) d.subscription_prefix = "socket.io";
    if (!d.auto_delete_on_idle_s) d.auto_delete_on_idle_s = 300;
    if (!d.timeout_s) d.timeout_s = 55;
    if (!d.receives_in_flight) d.receives_in_flight = 2;
    if (!d.request_timeout_ms) d.request_timeout_ms = 10000;
    if (!d.backoff_base_ms) d.backoff_base_ms = 200;
    if (!d.backoff_cap_ms) d.backoff_cap_ms = 20000;
    if (!d.backoff_floor_ms) d.backoff_floor_ms = 50;
    if (!d.shutdown_timeout_ms) d.shutdown_timeout_ms = 10000;
    return d;
}

/* Checks the desc and computes the block size; 0 when the desc is invalid. */
static size_t sioc__caz_layout(const sioc_cluster_azure_desc *desc, sioc_cluster_azure_desc *out) {
    sioc_cluster_azure_desc d;
    size_t total, n_slots;
    if (!desc || !desc->random) return 0;
    d = sioc_cluster_azure_desc_resolved(desc);
    /* prefix + "-" + 16 hex must stay a valid name (AZURE.md §1) */
    if (d.receives_in_flight < 1 || d.receives_in_flight > SIOC_CLUSTER_AZURE_MAX_RECEIVES || d.timeout_s < 1 ||
        d.timeout_s > SIOC_AZURE_MAX_TIMEOUT_S || d.backoff_cap_ms < d.backoff_base_ms ||
        !sioc_azure_name_ok(sioc_str_c(d.topic_name)) || !sioc_azure_name_ok(sioc_str_c(d.subscription_prefix)) ||
        strlen(d.subscription_prefix) + 1 + 16 > SIOC_AZURE_MAX_NAME)
        return 0;
    n_slots = SIOC__CAZ_RECV + (size_t)d.receives_in_flight;
    total = sioc__align16(n_slots * sizeof(sioc__caz_slot));
    total += sioc__align16(SIOC__CAZ_CTL_BODY) + sioc__align16(SIOC__CAZ_SMALL_REPLY);   /* ctl */
    total += sioc__align16(SIOC__CAZ_PUB_BODY) + sioc__align16(SIOC__CAZ_SMALL_REPLY);   /* pub */
    total += SIOC_CLUSTER_AZURE_SETTLES * sioc__align16(SIOC__CAZ_SMALL_REPLY);             /* settles */
    total += (size_t)d.receives_in_flight * sioc__align16(SIOC__CAZ_RECV_REPLY);            /* receives */
    total += sioc__align16(SIOC_CLUSTER_AZURE_PENDING * sizeof(sioc__caz_settle));
    total += sioc__align16((size_t)SIOC_CLUSTER_AZURE_RECENT * (SIOC_CLUSTER_AZURE_MSGID_MAX + 1));
    if (out) *out = d;
    return total;
}

SIOC_API size_t sioc_cluster_azure_heap_size(const sioc_cluster_azure_desc *desc) {
    return sioc__caz_layout(desc, NULL);
}

static size_t sioc__caz_n_slots(const sioc_cluster_azure *cz) {
    return SIOC__CAZ_RECV + (size_t)cz->p_desc.receives_in_flight;
}

static sioc_result sioc__caz_init(sioc_cluster_azure *cz, sioc_node *node, sioc_azure_client *client,
                                  const sioc_cluster_azure_desc *desc, void *block, int owns) {
    sioc_cluster_azure_desc d;
    size_t n_slots, i, total, off;
    uint8_t *mem;
    if (!cz || !node || !client || !desc) return SIOC_ERR_ARG;
    memset(cz, 0, sizeof *cz);
    if (!desc->random) return SIOC_ERR_DEPENDENCY;
    total = sioc__caz_layout(desc, &d);
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
    cz->p_desc = d;
    n_slots = sioc__caz_n_slots(cz);
    cz->p_mem = mem;
    cz->p_mem_size = owns ? total : 0;
    cz->node = node;
    cz->client = client;
    off = 0;
    cz->p_slots = (sioc__caz_slot *)(void *)mem;
    off += sioc__align16(n_slots * sizeof(sioc__caz_slot));
    for (i = 0; i < n_slots; i++) {
        sioc__caz_slot *s = &cz->p_slots[i];
        size_t body = i == SIOC__CAZ_CTL ? SIOC__CAZ_CTL_BODY : i == SIOC__CAZ_PUB ? SIOC__CAZ_PUB_BODY : 0;
        size_t reply = i >= SIOC__CAZ_RECV ? SIOC__CAZ_RECV_REPLY : SIOC__CAZ_SMALL_REPLY;
        if (body) {
            s->call.body_mem = mem + off;
            s->call.body_cap = body;
            off += sioc__align16(body);
        }
        s->call.reply_mem = mem + off;
        s->call.reply_cap = reply;
        off += sioc__align16(reply);
        s->call.user = s;
    }
    cz->p_pending = (sioc__caz_settle *)(void *)(mem + off);
    off += sioc__align16(SIOC_CLUSTER_AZURE_PENDING * sizeof(sioc__caz_settle));
    cz->p_recent = (char(*)[SIOC_CLUSTER_AZURE_MSGID_MAX + 1])(void *)(mem + off);
    sioc__copy_fixed(cz->topic, sizeof cz->topic, sioc_str_c(d.topic_name));
    cz->state = SIOC_CLUSTER_AZURE_IDLE;
    return SIOC_OK;
}

SIOC_API sioc_result sioc_cluster_azure_init(sioc_cluster_azure *cz, sioc_node *node, sioc_azure_client *client,
                                             const sioc_cluster_azure_desc *desc) {
    return sioc__caz_init(cz, node, client, desc, NULL, 1);
}

SIOC_API sioc_result sioc_cluster_azure_init_preallocated(sioc_cluster_azure *cz, sioc_node *node,
                                                          sioc_azure_client *client,
                                                          const sioc_cluster_azure_desc *desc, void *mem) {
    if (!mem) return SIOC_ERR_ARG;
    return sioc__caz_init(cz, node, client, desc, mem, 0);
}

SIOC_API void sioc_cluster_azure_free(sioc_cluster_azure *cz) {
    size_t i;
    if (!cz || !cz->p_mem) return;
    for (i = 0; i < sioc__caz_n_slots(cz); i++)
        if (cz->p_slots[i].state == SIOC__CAZ_BUSY) (void)sioc_azure_cancel(cz->client, &cz->p_slots[i].call);
    if (cz->p_mem_size) sioc__free(&cz->p_desc.allocator, cz->p_mem, cz->p_mem_size); /* 0: the caller's block */
    cz->p_mem = NULL;
}

static void sioc__caz_report(sioc_cluster_azure *cz, sioc__caz_slot *s, sioc_result r) {
    cz->failures[s->op]++;
    cz->last_error = r;
    if (cz->p_desc.on_error) cz->p_desc.on_error(cz->p_desc.user, (sioc_cluster_azure_op)s->op, &s->call);
}

/* Capped exponential backoff with full jitter above a floor, never a hot loop (AZURE.md §6). Throttling waits at
   least 2 s and Retry-After; the first 401 is retried at once (the client made a new token), later ones back off. */
static void sioc__caz_fail(sioc_cluster_azure *cz, sioc__caz_slot *s, sioc_result r, uint64_t now) {
    uint64_t floor = cz->p_desc.backoff_floor_ms;
    sioc__caz_report(cz, s, r);
    if (r == SIOC_ERR_AUTH && !s->auth_retries) {
        s->auth_retries = 1;
        s->retry_at = now + floor;
        s->state = SIOC__CAZ_WAIT;
        return;
    }
    s->attempts++;
    if (r == SIOC_ERR_THROTTLED) {
        uint64_t ra = (uint64_t)s->call.error.retry_after_s * 1000u;
        if (floor < 2000) floor = 2000;
        if (ra > floor) floor = ra > 600000u ? 600000u : ra;
    }
    s->retry_at = sioc__backoff_at(now, s->attempts, cz->p_desc.backoff_base_ms, cz->p_desc.backoff_cap_ms, floor,
                                   sioc__rand32(cz->p_desc.random, cz->p_desc.user));
    s->state = SIOC__CAZ_WAIT;
}

/* Start (or restart) the slot's request from what the slot holds. A refusal before sending is handled by the
   caller of this through the returned result. */
static sioc_result sioc__caz_start_call(sioc_cluster_azure *cz, sioc__caz_slot *s, uint64_t now) {
    sioc_azure_client *c = cz->client;
    sioc_azure_call *call = &s->call;
    sioc_str topic = sioc_str_c(cz->topic), sub = sioc_str_c(cz->subscription);
    call->timeout_ms = cz->p_desc.request_timeout_ms;
    call->user = s;
    switch (s->op) {
    case SIOC_CLUSTER_AZURE_GET_TOPIC: return sioc_azure_get_topic(c, call, topic, now);
    case SIOC_CLUSTER_AZURE_CREATE_TOPIC: return sioc_azure_create_topic(c, call, topic, NULL, now);
    case SIOC_CLUSTER_AZURE_CREATE_SUBSCRIPTION: {
        sioc_azure_sub_opts o;
        memset(&o, 0, sizeof o);
        o.lock_duration_s = cz->p_desc.lock_duration_s;
        o.auto_delete_on_idle_s = cz->p_desc.auto_delete_on_idle_s; /* a crashed node cleans up (AZURE.md 5.3) */
        return sioc_azure_create_subscription(c, call, topic, sub, &o, now);
    }
    case SIOC_CLUSTER_AZURE_RECEIVE:
        s->gen = cz->p_gen;
        call->timeout_ms = (uint32_t)cz->p_desc.timeout_s * 1000u + 10000u;
        return sioc_azure_receive(c, call, topic, sub, cz->p_desc.timeout_s, now);
    case SIOC_CLUSTER_AZURE_COMPLETE: return sioc_azure_complete(c, call, sioc_str_c(s->lock), now);
    case SIOC_CLUSTER_AZURE_UNLOCK: return sioc_azure_unlock(c, call, sioc_str_c(s->lock), now);
    case SIOC_CLUSTER_AZURE_SEND: {
        sioc_azure_prop p[3];
        sioc_azure_send_opts o;
        sioc_bytes body;
        size_t n = 0;
        p[n].name = sioc_str_c("nsp"), p[n].type = SIOC_AZURE_PROP_STRING, p[n].value = sioc_str_c(s->nsp), n++;
        p[n].name = sioc_str_c("uid"), p[n].type = SIOC_AZURE_PROP_STRING;
        p[n].value.ptr = cz->node->uid, p[n].value.len = cz->node->uid_len, n++;
        if (s->has_requester) {
            p[n].name = sioc_str_c("requesterUid"), p[n].type = SIOC_AZURE_PROP_STRING;
            p[n].value = sioc_str_c(s->requester), n++;
        }
        memset(&o, 0, sizeof o);
        o.message_id = sioc_str_c(s->msgid); /* unique: duplicate detection and SDK lock renewal key on it */
        o.time_to_live_s = cz->p_desc.message_ttl_s;
        body.ptr = (const uint8_t *)call->body_mem;
        body.len = s->body_len;
        return sioc_azure_send(c, call, topic, body, p, n, &o, now);
    }
    case SIOC_CLUSTER_AZURE_DELETE_SUBSCRIPTION: return sioc_azure_delete_subscription(c, call, topic, sub, now);
    default: return SIOC_ERR_ARG;
    }
}

/* Submit; a refusal that a retry cannot cure (bad name, too large) is returned with the slot left FREE, anything
   else becomes a retry. */
static sioc_result sioc__caz_submit(sioc_cluster_azure *cz, sioc__caz_slot *s, uint64_t now) {
    sioc_result r;
    cz->requests[s->op]++;
    r = sioc__caz_start_call(cz, s, now);
    if (r == SIOC_OK) {
        s->state = SIOC__CAZ_BUSY;
        return SIOC_OK;
    }
    s->call.result = r;
    if (r == SIOC_ERR_ARG || r == SIOC_ERR_TOO_LARGE || r == SIOC_ERR_LIMIT || r == SIOC_ERR_BUFFER_TOO_SMALL) {
        sioc__caz_report(cz, s, r);
        s->state = SIOC__CAZ_FREE;
        return r;
    }
    sioc__caz_fail(cz, s, r, now); /* engine full, no connection yet...: later */
    return SIOC_OK;
}

static void sioc__caz_go(sioc_cluster_azure *cz, sioc__caz_slot *s, int op, uint64_t now) {
    s->op = op;
    s->attempts = 0;
    s->auth_retries = 0;
    if (sioc__caz_submit(cz, s, now) != SIOC_OK) {
        if (op == SIOC_CLUSTER_AZURE_SEND) cz->publish_failed++;
        else if (op == SIOC_CLUSTER_AZURE_COMPLETE || op == SIOC_CLUSTER_AZURE_UNLOCK) cz->settle_failed++;
        else if (cz->state == SIOC_CLUSTER_AZURE_CLOSING) cz->state = SIOC_CLUSTER_AZURE_CLOSED;
        else if (op != SIOC_CLUSTER_AZURE_RECEIVE) cz->state = SIOC_CLUSTER_AZURE_FAILED; /* a name refused */
    }
}

/* ---- start-up and shutdown (ctl slot) ---- */

static void sioc__caz_set_ready(sioc_cluster_azure *cz, int ready, uint64_t now) {
    if (cz->node->state == SIOC_NODE_CLOSING || cz->node->state == SIOC_NODE_CLOSED) return;
    if (cz->node->ready != ready) (void)sioc_node_set_ready(cz->node, ready, now);
}

static void sioc__caz_ctl_step(sioc_cluster_azure *cz, uint64_t now) {
    sioc__caz_slot *s = &cz->p_slots[SIOC__CAZ_CTL];
    if (s->state != SIOC__CAZ_FREE) return;
    switch (cz->p_step) {
    case SIOC__CAZ_S_TOPIC: sioc__caz_go(cz, s, SIOC_CLUSTER_AZURE_GET_TOPIC, now); break;
    case SIOC__CAZ_S_CREATE_TOPIC: sioc__caz_go(cz, s, SIOC_CLUSTER_AZURE_CREATE_TOPIC, now); break;
    case SIOC__CAZ_S_SUB: sioc__caz_go(cz, s, SIOC_CLUSTER_AZURE_CREATE_SUBSCRIPTION, now); break;
    case SIOC__CAZ_S_DELSUB:
        if (!cz->subscription[0]) {
            cz->state = SIOC_CLUSTER_AZURE_CLOSED;
            return;
        }
        sioc__caz_go(cz, s, SIOC_CLUSTER_AZURE_DELETE_SUBSCRIPTION, now);
        break;
    default: break;
    }
}

static void sioc__caz_running(sioc_cluster_azure *cz, uint64_t now) {
    cz->p_step = SIOC__CAZ_S_DONE;
    cz->state = SIOC_CLUSTER_AZURE_RUNNING;
    sioc__caz_set_ready(cz, 1, now);
}

/* 410 on receive: the subscription is gone (deleted, or auto-deleted while we could not poll). Re-create it under
   the same name (the topic too if that is gone: create-subscription then gives 404), NOT_READY meanwhile. */
static void sioc__caz_sub_lost(sioc_cluster_azure *cz, uint64_t now) {
    if (cz->state != SIOC_CLUSTER_AZURE_RUNNING) return;
    cz->subscriptions_recreated++;
    cz->p_gen++; /* polls still out for the old one may answer 410 later: not a new loss */
    sioc__caz_set_ready(cz, 0, now);
    cz->p_n_pending = 0; /* their locks died with the subscription */
    cz->state = SIOC_CLUSTER_AZURE_STARTING;
    cz->p_step = SIOC__CAZ_S_SUB;
}

/* 410 on send: the topic is gone: start-up again. */
static void sioc__caz_topic_lost(sioc_cluster_azure *cz, uint64_t now) {
    if (cz->state != SIOC_CLUSTER_AZURE_RUNNING) return;
    cz->restarts++;
    sioc__caz_set_ready(cz, 0, now);
    cz->p_have_topic = 0;
    cz->p_n_pending = 0;
    cz->state = SIOC_CLUSTER_AZURE_STARTING;
    cz->p_step = SIOC__CAZ_S_TOPIC;
}

static void sioc__caz_ctl_done(sioc_cluster_azure *cz, sioc__caz_slot *s, uint64_t now) {
    sioc_result r = s->call.result;
    if (cz->state == SIOC_CLUSTER_AZURE_CLOSING) { /* delete subscription: 404 is success already */
        if (r != SIOC_OK && now < cz->p_close_deadline && r != SIOC_ERR_AUTH) {
            sioc__caz_fail(cz, s, r, now);
            return;
        }
        if (r != SIOC_OK) sioc__caz_report(cz, s, r);
        s->state = SIOC__CAZ_FREE;
        if (r == SIOC_OK) cz->subscription[0] = 0;
        cz->state = SIOC_CLUSTER_AZURE_CLOSED;
        return;
    }
    if (r == SIOC_OK) {
        s->state = SIOC__CAZ_FREE;
        if (s->op == SIOC_CLUSTER_AZURE_GET_TOPIC || s->op == SIOC_CLUSTER_AZURE_CREATE_TOPIC) {
            cz->p_have_topic = 1;
            if (cz->node->p_desc.emitter_only) sioc__caz_running(cz, now);
            else cz->p_step = SIOC__CAZ_S_SUB;
        } else { /* subscription created (or there already: 409) */
            cz->p_sub_created = 1;
            sioc__caz_running(cz, now);
        }
        return;
    }
    if (r == SIOC_ERR_NOT_FOUND) {
        /* GET of a missing topic: create it, as upstream does after any getTopic error; a subscription under a
           missing topic (404): the topic first */
        cz->p_step = s->op == SIOC_CLUSTER_AZURE_GET_TOPIC ? SIOC__CAZ_S_CREATE_TOPIC : SIOC__CAZ_S_TOPIC;
        if (s->op == SIOC_CLUSTER_AZURE_GET_TOPIC) {
            s->state = SIOC__CAZ_FREE;
            sioc__caz_ctl_step(cz, now);
            return;
        }
        sioc__caz_fail(cz, s, r, now);
        s->attempts = 0;
        return;
    }
    if ((r == SIOC_ERR_AUTH && s->auth_retries) || r == SIOC_ERR_HTTP_STATUS) {
        /* a wrong key or rule (already retried once with a fresh token), or a request the service refuses: a clear
           failure, no more requests (AZURE.md §6) */
        sioc__caz_report(cz, s, r);
        s->state = SIOC__CAZ_FREE;
        cz->state = SIOC_CLUSTER_AZURE_FAILED;
        return;
    }
    sioc__caz_fail(cz, s, r, now);
}

/* ---- settling: complete (or unlock) on the lock path as returned, several in flight ---- */

static void sioc__caz_queue_settle(sioc_cluster_azure *cz, int op, sioc_str lock) {
    sioc__caz_settle *p;
    if (!lock.len || lock.len > SIOC_CLUSTER_AZURE_LOCK_MAX || cz->p_n_pending >= SIOC_CLUSTER_AZURE_PENDING) {
        cz->settle_failed++; /* the lock expires: redelivered, then completed as seen */
        return;
    }
    p = &cz->p_pending[cz->p_n_pending++];
    p->op = op;
    memcpy(p->lock, lock.ptr, lock.len);
    p->lock[lock.len] = 0;
}

static void sioc__caz_settle_start(sioc_cluster_azure *cz, uint64_t now) {
    size_t i;
    for (i = SIOC__CAZ_SET; i < SIOC__CAZ_RECV && cz->p_n_pending; i++) {
        sioc__caz_slot *s = &cz->p_slots[i];
        if (s->state != SIOC__CAZ_FREE) continue;
        memcpy(s->lock, cz->p_pending[0].lock, sizeof s->lock);
        s->op = cz->p_pending[0].op;
        cz->p_n_pending--;
        memmove(cz->p_pending, cz->p_pending + 1, cz->p_n_pending * sizeof *cz->p_pending);
        sioc__caz_go(cz, s, s->op, now);
    }
}

static void sioc__caz_settle_done(sioc_cluster_azure *cz, sioc__caz_slot *s, uint64_t now) {
    sioc_result r = s->call.result;
    if (r == SIOC_OK) {
        s->state = SIOC__CAZ_FREE;
        if (s->op == SIOC_CLUSTER_AZURE_COMPLETE) cz->completed++;
        else cz->unlocked++;
        return;
    }
    /* lock lost (404) or entity gone (410): nothing to retry; 400/403, or a second 401: give up on it too */
    if (r == SIOC_ERR_NOT_FOUND || r == SIOC_ERR_HTTP_STATUS || r == SIOC_ERR_LIMIT || s->attempts >= 4 ||
        (r == SIOC_ERR_AUTH && s->auth_retries) || cz->state != SIOC_CLUSTER_AZURE_RUNNING) {
        sioc__caz_report(cz, s, r);
        cz->settle_failed++;
        s->state = SIOC__CAZ_FREE;
        return;
    }
    sioc__caz_fail(cz, s, r, now);
}

/* ---- receiving ---- */

static void sioc__caz_handle(sioc_cluster_azure *cz, const sioc_azure_message *m, uint64_t now) {
    sioc_result r;
    cz->received++;
    if (sioc__recent_seen(&cz->p_recent[0][0], SIOC_CLUSTER_AZURE_MSGID_MAX + 1, SIOC_CLUSTER_AZURE_RECENT, &cz->p_recent_pos, m->broker.message_id)) { /* handled before; its complete was lost */
        cz->redelivered++;
        sioc__caz_queue_settle(cz, SIOC_CLUSTER_AZURE_COMPLETE, m->lock_path);
        return;
    }
    /* the node applies the §2.1 filters on the properties (unknown namespace, own uid, foreign responses) before
       decoding, then sioc_msg_decode_azure */
    r = sioc_node_receive_azure(cz->node, m->body.ptr, m->body.len, &m->env, now);
    if (r == SIOC_ERR_NOMEM || r == SIOC_ERR_LIMIT || r == SIOC_ERR_BUFFER_TOO_SMALL) {
        /* the node could not take it now (its queues full): give it back for a later delivery */
        sioc__recent_forget(&cz->p_recent[0][0], SIOC_CLUSTER_AZURE_MSGID_MAX + 1, SIOC_CLUSTER_AZURE_RECENT, m->broker.message_id);
        sioc__caz_queue_settle(cz, SIOC_CLUSTER_AZURE_UNLOCK, m->lock_path);
        return;
    }
    if (r != SIOC_OK) cz->bad_messages++; /* undecodable: dropped and counted, completed so it never comes back */
    sioc__caz_queue_settle(cz, SIOC_CLUSTER_AZURE_COMPLETE, m->lock_path);
}

static void sioc__caz_recv_done(sioc_cluster_azure *cz, sioc__caz_slot *s, uint64_t now) {
    sioc_azure_call *c = &s->call;
    if (c->result == SIOC_OK) {
        s->state = SIOC__CAZ_FREE;
        s->attempts = 0;
        s->auth_retries = 0;
        if (!c->has_message) {
            cz->empty_receives++;
            return;
        }
        if (cz->state == SIOC_CLUSTER_AZURE_RUNNING) sioc__caz_handle(cz, &c->msg, now);
        return;
    }
    if (c->result == SIOC_ERR_BUFFER_TOO_SMALL && c->msg.lock_path.len) { /* too large for us: drop it */
        s->state = SIOC__CAZ_FREE;
        cz->received++;
        cz->bad_messages++;
        sioc__caz_queue_settle(cz, SIOC_CLUSTER_AZURE_COMPLETE, c->msg.lock_path);
        return;
    }
    if (cz->state != SIOC_CLUSTER_AZURE_RUNNING) { /* re-creating meanwhile: start afresh later */
        s->state = SIOC__CAZ_FREE;
        return;
    }
    if (c->result == SIOC_ERR_NOT_FOUND) {
        s->state = SIOC__CAZ_FREE;
        sioc__caz_report(cz, s, c->result);
        if (s->gen == cz->p_gen) sioc__caz_sub_lost(cz, now);
        return;
    }
    sioc__caz_fail(cz, s, c->result, now);
}

/* ---- sending: one message per request (the batch form cannot carry binary bodies, AZURE.md 4.1) ---- */

static void sioc__caz_pub_start(sioc_cluster_azure *cz, uint64_t now) {
    sioc__caz_slot *s = &cz->p_slots[SIOC__CAZ_PUB];
    while (s->state == SIOC__CAZ_FREE && cz->p_have_topic && sioc_node_out_count(cz->node)) {
        sioc_node_out o;
        sioc_buf b;
        if (sioc_node_out_peek(cz->node, 0, &o) != SIOC_OK) return;
        if (o.body.len > s->call.body_cap || o.nsp.len > SIOC_CLUSTER_AZURE_NSP_MAX ||
            (o.requester_uid.ptr && o.requester_uid.len > SIOC_NODE_ID_MAX)) {
            sioc_node_out_pop(cz->node, 1);
            cz->publish_failed++;
            continue;
        }
        if (o.body.len) memcpy(s->call.body_mem, o.body.ptr, o.body.len);
        s->body_len = o.body.len;
        sioc__copy_fixed(s->nsp, sizeof s->nsp, o.nsp);
        s->has_requester = o.requester_uid.ptr != NULL && o.requester_uid.len > 0;
        sioc__copy_fixed(s->requester, sizeof s->requester, o.requester_uid);
        /* MessageId "<uid>-<counter>": unique per message and per node (the uid is random) */
        sioc_buf_init(&b, s->msgid, sizeof s->msgid - 1);
        sioc_buf_put(&b, cz->node->uid, cz->node->uid_len);
        sioc_buf_putc(&b, '-');
        sioc_buf_put_u64(&b, ++cz->p_sent);
        s->msgid[SIOC__MIN(b.len, sizeof s->msgid - 1)] = 0;
        sioc_node_out_pop(cz->node, 1); /* copied into the slot: it keeps it for retries */
        sioc__caz_go(cz, s, SIOC_CLUSTER_AZURE_SEND, now);
    }
}

static void sioc__caz_pub_done(sioc_cluster_azure *cz, sioc__caz_slot *s, uint64_t now) {
    sioc_result r = s->call.result;
    if (r == SIOC_OK) {
        s->state = SIOC__CAZ_FREE;
        cz->published++;
        return;
    }
    if (r == SIOC_ERR_NOT_FOUND) sioc__caz_topic_lost(cz, now); /* 410: resent once the topic is back */
    if (r == SIOC_ERR_TOO_LARGE || r == SIOC_ERR_LIMIT || r == SIOC_ERR_HTTP_STATUS ||
        (r == SIOC_ERR_AUTH && s->auth_retries) ||
        (cz->state == SIOC_CLUSTER_AZURE_CLOSING && now >= cz->p_close_deadline)) {
        sioc__caz_report(cz, s, r); /* refused for good (too large, bad value, quota, key): drop it */
        cz->publish_failed++;
        s->state = SIOC__CAZ_FREE;
        return;
    }
    sioc__caz_fail(cz, s, r, now);
}

/* ---- driving ---- */

SIOC_API sioc_result sioc_cluster_azure_start(sioc_cluster_azure *cz, uint64_t now_ms) {
    if (!cz || !cz->p_mem) return SIOC_ERR_ARG;
    if (cz->state != SIOC_CLUSTER_AZURE_IDLE) return SIOC_ERR_STATE;
    if (!cz->node->p_desc.emitter_only) {
        sioc_buf b;
        sioc_buf_init(&b, cz->subscription, sizeof cz->subscription - 1);
        sioc_buf_puts(&b, cz->p_desc.subscription_prefix);
        sioc_buf_putc(&b, '-');
        sioc_buf_put(&b, cz->node->uid, cz->node->uid_len);
        if (sioc_buf_result(&b) != SIOC_OK) return SIOC_ERR_ARG;
        cz->subscription[b.len] = 0;
        if (!sioc_azure_name_ok(sioc_str_c(cz->subscription))) return SIOC_ERR_ARG;
    }
    cz->state = SIOC_CLUSTER_AZURE_STARTING;
    cz->p_step = SIOC__CAZ_S_TOPIC;
    sioc_cluster_azure_process(cz, now_ms);
    return SIOC_OK;
}

SIOC_API sioc_result sioc_cluster_azure_close(sioc_cluster_azure *cz, uint64_t now_ms) {
    size_t i;
    if (!cz || !cz->p_mem) return SIOC_ERR_ARG;
    if (cz->state == SIOC_CLUSTER_AZURE_CLOSING || cz->state == SIOC_CLUSTER_AZURE_CLOSED) return SIOC_OK;
    if (cz->state == SIOC_CLUSTER_AZURE_IDLE) {
        cz->state = SIOC_CLUSTER_AZURE_CLOSED;
        return SIOC_OK;
    }
    if (cz->node->state != SIOC_NODE_CLOSING && cz->node->state != SIOC_NODE_CLOSED)
        (void)sioc_node_close(cz->node, now_ms);
    /* no more receives or settles (the subscription goes, and its locks with it); a start-up step is abandoned */
    for (i = 0; i < sioc__caz_n_slots(cz); i++) {
        sioc__caz_slot *s = &cz->p_slots[i];
        if (i == SIOC__CAZ_PUB) continue;
        if (s->state == SIOC__CAZ_BUSY) (void)sioc_azure_cancel(cz->client, &s->call);
        s->state = SIOC__CAZ_FREE;
    }
    cz->p_n_pending = 0;
    if (!cz->p_have_topic || cz->state == SIOC_CLUSTER_AZURE_FAILED) { /* nowhere to send */
        sioc_node_out_pop(cz->node, sioc_node_out_count(cz->node));
        if (cz->p_slots[SIOC__CAZ_PUB].state == SIOC__CAZ_BUSY)
            (void)sioc_azure_cancel(cz->client, &cz->p_slots[SIOC__CAZ_PUB].call);
        cz->p_slots[SIOC__CAZ_PUB].state = SIOC__CAZ_FREE;
    }
    if (!cz->p_sub_created) cz->subscription[0] = 0; /* never created: nothing to delete, close at once */
    cz->state = SIOC_CLUSTER_AZURE_CLOSING;
    cz->p_step = SIOC__CAZ_S_DRAIN;
    cz->p_close_deadline = now_ms + cz->p_desc.shutdown_timeout_ms;
    sioc_cluster_azure_process(cz, now_ms);
    return SIOC_OK;
}

static void sioc__caz_collect(sioc_cluster_azure *cz, uint64_t now) {
    sioc_azure_call *done = NULL;
    while (sioc_azure_next(cz->client, now, &done) == SIOC_OK) {
        sioc__caz_slot *s = NULL;
        size_t idx;
        for (idx = 0; idx < sioc__caz_n_slots(cz); idx++)
            if (&cz->p_slots[idx].call == done) {
                s = &cz->p_slots[idx];
                break;
            }
        if (!s || s->state != SIOC__CAZ_BUSY) continue; /* not ours: the client must be the binding's alone */
        if (idx == SIOC__CAZ_CTL) sioc__caz_ctl_done(cz, s, now);
        else if (idx == SIOC__CAZ_PUB) sioc__caz_pub_done(cz, s, now);
        else if (idx < SIOC__CAZ_RECV) sioc__caz_settle_done(cz, s, now);
        else sioc__caz_recv_done(cz, s, now);
    }
}

SIOC_API void sioc_cluster_azure_process(sioc_cluster_azure *cz, uint64_t now_ms) {
    size_t i, n_slots;
    if (!cz || !cz->p_mem || cz->state == SIOC_CLUSTER_AZURE_IDLE) return;
    n_slots = sioc__caz_n_slots(cz);
    sioc__caz_collect(cz, now_ms);
    for (i = 0; i < n_slots; i++) { /* retries that are due */
        sioc__caz_slot *s = &cz->p_slots[i];
        if (s->state != SIOC__CAZ_WAIT || now_ms < s->retry_at) continue;
        if (cz->state == SIOC_CLUSTER_AZURE_FAILED || cz->state == SIOC_CLUSTER_AZURE_CLOSED ||
            (i >= SIOC__CAZ_RECV && cz->state != SIOC_CLUSTER_AZURE_RUNNING) ||
            (i == SIOC__CAZ_CTL && cz->state != SIOC_CLUSTER_AZURE_STARTING && cz->state != SIOC_CLUSTER_AZURE_CLOSING)) {
            s->state = SIOC__CAZ_FREE;
            continue;
        }
        if (i == SIOC__CAZ_CTL) { /* the step may have changed meanwhile: issue the current one */
            int att = s->attempts, ar = s->auth_retries;
            s->state = SIOC__CAZ_FREE;
            sioc__caz_ctl_step(cz, now_ms);
            s->attempts = att;
            s->auth_retries = ar;
            continue;
        }
        (void)sioc__caz_submit(cz, s, now_ms);
        if (s->state == SIOC__CAZ_FREE) { /* refused for good on the retry */
            if (i == SIOC__CAZ_PUB) cz->publish_failed++;
            else if (i < SIOC__CAZ_RECV) cz->settle_failed++;
        }
    }
    sioc_node_tick(cz->node, now_ms);
    if (cz->state == SIOC_CLUSTER_AZURE_STARTING) sioc__caz_ctl_step(cz, now_ms);
    if (cz->state == SIOC_CLUSTER_AZURE_RUNNING || cz->state == SIOC_CLUSTER_AZURE_CLOSING) sioc__caz_pub_start(cz, now_ms);
    if (cz->state == SIOC_CLUSTER_AZURE_RUNNING) {
        sioc__caz_settle_start(cz, now_ms);
        if (!cz->node->p_desc.emitter_only && cz->subscription[0] &&
            cz->p_n_pending + (size_t)cz->p_desc.receives_in_flight <= SIOC_CLUSTER_AZURE_PENDING)
            for (i = SIOC__CAZ_RECV; i < n_slots; i++)
                if (cz->p_slots[i].state == SIOC__CAZ_FREE)
                    sioc__caz_go(cz, &cz->p_slots[i], SIOC_CLUSTER_AZURE_RECEIVE, now_ms);
    }
    if (cz->state == SIOC_CLUSTER_AZURE_CLOSING && cz->p_step == SIOC__CAZ_S_DRAIN) {
        int drained = cz->node->state == SIOC_NODE_CLOSED && cz->p_slots[SIOC__CAZ_PUB].state == SIOC__CAZ_FREE;
        if (drained || now_ms >= cz->p_close_deadline) {
            if (cz->p_slots[SIOC__CAZ_PUB].state == SIOC__CAZ_BUSY)
                (void)sioc_azure_cancel(cz->client, &cz->p_slots[SIOC__CAZ_PUB].call);
            cz->p_slots[SIOC__CAZ_PUB].state = SIOC__CAZ_FREE;
            cz->p_step = SIOC__CAZ_S_DELSUB;
            if (now_ms >= cz->p_close_deadline) cz->p_close_deadline = now_ms + 2000; /* a short try to clean up */
        }
    }
    if (cz->state == SIOC_CLUSTER_AZURE_CLOSING && cz->p_step == SIOC__CAZ_S_DELSUB) sioc__caz_ctl_step(cz, now_ms);
}

SIOC_API uint64_t sioc_cluster_azure_next_deadline(const sioc_cluster_azure *cz, uint64_t now_ms) {
    uint64_t d, h;
    size_t i;
    if (!cz || !cz->p_mem) return UINT64_MAX;
    d = sioc_node_next_deadline(cz->node, now_ms);
    h = sioc_http_next_deadline(&cz->client->http);
    if (h < d) d = h;
    if (sioc_http_responses_ready(&cz->client->http) || cz->client->p_done.p_head) return now_ms;
    if (cz->state == SIOC_CLUSTER_AZURE_IDLE || cz->state == SIOC_CLUSTER_AZURE_CLOSED ||
        cz->state == SIOC_CLUSTER_AZURE_FAILED)
        return d;
    for (i = 0; i < sioc__caz_n_slots(cz); i++)
        if (cz->p_slots[i].state == SIOC__CAZ_WAIT && cz->p_slots[i].retry_at < d) d = cz->p_slots[i].retry_at;
    if (cz->p_slots[SIOC__CAZ_PUB].state == SIOC__CAZ_FREE && cz->p_have_topic && sioc_node_out_count(cz->node))
        return now_ms;
    if (cz->state == SIOC_CLUSTER_AZURE_RUNNING && cz->p_n_pending)
        for (i = SIOC__CAZ_SET; i < SIOC__CAZ_RECV; i++)
            if (cz->p_slots[i].state == SIOC__CAZ_FREE) return now_ms;
    if (cz->state == SIOC_CLUSTER_AZURE_CLOSING && cz->p_close_deadline < d) d = cz->p_close_deadline;
    return d < now_ms ? now_ms : d;
}

SIOC_API int sioc_cluster_azure_idle(const sioc_cluster_azure *cz) {
    if (!cz || !cz->p_mem) return 1;
    return sioc_node_out_count(cz->node) == 0 && cz->p_slots[SIOC__CAZ_PUB].state == SIOC__CAZ_FREE;
}

#if SIOC_ENABLE_POSIX
SIOC_API sioc_result sioc_cluster_azure_run_posix(sioc_cluster_azure *cz, sioc_posix *px, uint32_t max_wait_ms) {
    uint64_t now = sioc_posix_now_ms(), d;
    uint32_t wait = max_wait_ms;
    sioc_result r;
    sioc_cluster_azure_process(cz, now);
    d = sioc_cluster_azure_next_deadline(cz, now);
    if (d <= now) wait = 0;
    else if (d - now < wait) wait = (uint32_t)(d - now);
    r = sioc_posix_wait(px, now, wait);
    now = sioc_posix_now_ms();
    (void)sioc_posix_step(px, now);
    sioc_cluster_azure_process(cz, now);
    return r;
}
#endif

#endif /* SIOC_ENABLE_AZURE */
