/* ---- member: one cluster member over either cloud (see member.h). The shared machinery: set-up, slots, retries
   with backoff, deadlines, publish sequences, settle queue, recent ids, start, close, free, the POSIX turn. ---- */
#include "base.h"
#include "internal.h"
#include "json.h"
#include "cluster.h"
#include "http.h"
#include "posix.h"
#include "sigv4.h"
#include "aws.h"
#include "azure.h"
#include "member.h"
#include "member_int.h"

#if SIOC_ENABLE_AWS || SIOC_ENABLE_AZURE

/* A constant in a one-cloud build, so the other cloud's branches drop out. */
static int sioc__m_is_azure(const sioc_cluster *c) {
    return SIOC_ENABLE_AZURE && (!SIOC_ENABLE_AWS || c->p_transport == SIOC_CLUSTER_AZURE);
}
/* Constant without the receive side (SIOC_ENABLE_RECEIVE 0), so what only a receiver runs folds away. */
static int sioc__m_emitter(const sioc_cluster *c) { return !SIOC_ENABLE_RECEIVE || c->p_desc.node.emitter_only; }
/* Receive pacing is AWS's (a Service Bus REST receive takes one message: nothing to batch). */
static int sioc__m_pacing(const sioc_cluster *c) {
    return !sioc__m_is_azure(c) && !sioc__m_emitter(c) && c->p_desc.receive_budget_ms > 0;
}
SIOC__FN size_t sioc__m_slot_count(const sioc_cluster *c) { return c->p_n_slots; }

/* ---- configuration ---- */

#if SIOC_ENABLE_POSIX
#include <stdlib.h> /* getenv */

static const char *sioc__m_env(const char *name) {
    const char *v = getenv(name);
    return v && *v ? v : NULL;
}

SIOC_API void sioc_cluster_desc_from_env(sioc_cluster_desc *d) {
    const char *sb = sioc__m_env("SERVICEBUS_CONNECTION_STRING");
    if (!d) return;
    if (d->transport == SIOC_CLUSTER_AUTO) { /* Azure when a connection string is given, or only that is at hand */
        int aws_keys = d->aws.credentials.access_key_id.len || sioc__m_env("AWS_ACCESS_KEY_ID");
        d->transport = (d->azure.connection_string || (sb && !aws_keys)) ? SIOC_CLUSTER_AZURE : SIOC_CLUSTER_AWS;
    }
    if (d->transport == SIOC_CLUSTER_AZURE) {
        if (!d->azure.connection_string) d->azure.connection_string = sb;
        if (!d->azure.rest_url) d->azure.rest_url = sioc__m_env("SERVICEBUS_REST_URL");
    }
#if SIOC_ENABLE_AWS
    if (d->transport == SIOC_CLUSTER_AWS) {
        sioc_aws_desc ad;
        memset(&ad, 0, sizeof ad);
        ad.region = d->aws.region;
        ad.credentials = d->aws.credentials;
        ad.sns_endpoint = d->aws.sns_endpoint;
        ad.sqs_endpoint = d->aws.sqs_endpoint;
        (void)sioc_aws_desc_from_env(&ad);
        d->aws.region = ad.region ? ad.region : "us-east-1";
        d->aws.credentials = ad.credentials;
        d->aws.sns_endpoint = ad.sns_endpoint;
        d->aws.sqs_endpoint = ad.sqs_endpoint;
    }
#endif
    if (!d->random) d->random = sioc_posix_random;
    if (!d->utc_now) d->utc_now = sioc_posix_utc_now;
}
#endif

SIOC_API void sioc_cluster_desc_preset(sioc_cluster_desc *d, sioc_cluster_preset preset) {
    sioc_node_desc *n;
    if (!d || preset != SIOC_CLUSTER_PRESET_SMALL) return; /* SERVER: the defaults */
    n = &d->node;
    n->max_message_size = 16384;
    n->max_namespaces = 2;
    n->max_sockets = 16;
    n->max_rooms = 48;
    n->max_memberships = 96;
    n->max_peers = 8;
    n->max_requests = 8;
    n->max_acks = 16;
    n->max_attachments = 8;
    n->max_ack_tokens = 128;
    n->ack_scratch_size = 4096;
    d->receives_in_flight = 1;
    d->recent_ids = 512;
    d->aws.max_messages = 2;
    d->reply_buffer_size = 4096;
    d->aws.no_orphan_cleanup = 1; /* servers clean up; the janitor takes part only where it runs */
    d->http.max_endpoints = 2;
    d->http.max_requests = 8;
    d->http.request_head_size = 2048;
    d->http.response_head_size = d->transport == SIOC_CLUSTER_AZURE ? 16384 : 4096;
    d->http.max_headers = 48;
}

/* The transport a desc asks for: AUTO is Azure with a connection string. */
static sioc_cluster_transport sioc__m_transport(const sioc_cluster_desc *d) {
    if (d->transport != SIOC_CLUSTER_AUTO) return d->transport;
    return d->azure.connection_string ? SIOC_CLUSTER_AZURE : SIOC_CLUSTER_AWS;
}

/* Plain defaults of 32-bit fields: {offset, AWS default, Azure default}; 0 leaves the field alone, bit 15 means
   KiB ((v & 0x7fff) << 10). A table: one test per field as code would cost more flash. */
#define SIOC__M_DEF(f, aws, az) {(uint16_t)offsetof(sioc_cluster_desc, f), (uint16_t)(aws), (uint16_t)(az)}
#define SIOC__M_KIB(k) (0x8000u | (k))
static const uint16_t sioc__m_defaults[][3] = {
    SIOC__M_DEF(receives_in_flight, 1, 2),
    SIOC__M_DEF(request_timeout_ms, 10000, 10000),
    SIOC__M_DEF(backoff_base_ms, 200, 200),
    SIOC__M_DEF(backoff_cap_ms, 20000, 20000),
    SIOC__M_DEF(backoff_floor_ms, 50, 50),
    SIOC__M_DEF(shutdown_timeout_ms, 10000, 10000),
    SIOC__M_DEF(recent_ids, 4096, 4096),
    SIOC__M_DEF(reply_buffer_size, SIOC__M_KIB(16), SIOC__M_KIB(16)),
    SIOC__M_DEF(receive_budget_ms, 30, 30),
    SIOC__M_DEF(publish_budget_ms, 20, 20),
    /* everything scales with the largest message the application declares (the node refuses larger ones) */
    SIOC__M_DEF(node.max_message_size, SIOC__M_KIB(256), SIOC__M_KIB(256)),
    /* Service Bus may send up to 64 KiB of properties in headers: a receive whose head does not fit could not
       even be settled */
    SIOC__M_DEF(http.response_head_size, 0, SIOC__M_KIB(80)),
    SIOC__M_DEF(http.max_headers, 0, 256),
    SIOC__M_DEF(http.max_endpoints, 2, 1), /* SNS and SQS; the REST host */
    SIOC__M_DEF(aws.retention_s, 3600, 3600),
    SIOC__M_DEF(aws.wait_time_s, 20, 20),
    SIOC__M_DEF(aws.max_messages, 10, 10),
    SIOC__M_DEF(aws.subscription_check_s, 300, 300),
    SIOC__M_DEF(aws.orphan_after_s, 600, 600),
    SIOC__M_DEF(azure.auto_delete_on_idle_s, 300, 300),
    SIOC__M_DEF(azure.timeout_s, 55, 55)};

/* Fill in every default, in place. */
static void sioc__m_resolve(sioc_cluster_desc *d) {
    int az;
    size_t i;
    d->transport = sioc__m_transport(d);
    az = d->transport == SIOC_CLUSTER_AZURE;
    for (i = 0; i < SIOC__COUNT(sioc__m_defaults); i++) { /* int and uint32_t fields alike: memcpy */
        uint32_t v, def = sioc__m_defaults[i][1 + az];
        char *f = (char *)d + sioc__m_defaults[i][0];
        memcpy(&v, f, sizeof v);
        if (v || !def) continue;
        v = def & 0x8000u ? (def & 0x7fffu) << 10 : def;
        memcpy(f, &v, sizeof v);
    }
    if (!d->topic_name || !*d->topic_name) d->topic_name = az ? "socket.io" : "socket-io";
    if (!d->prefix || !*d->prefix) d->prefix = az ? "socket.io" : "socket-io";
    if (!d->receive_idle_ms) d->receive_idle_ms = d->receive_budget_ms;
    if (!d->node.out_queue_size) d->node.out_queue_size = d->node.max_message_size + 16384u;
    if (!d->node.event_queue_size && !d->node.emitter_only) /* an emitter's: the node's own default */
        d->node.event_queue_size =
            d->node.max_message_size + 16384u + 64u * (d->node.max_sockets ? d->node.max_sockets : 256u);
    /* the node, the engine: what they leave empty comes from the member's desc */
    if (!d->node.random) d->node.random = d->random, d->node.user = d->user;
    if (!d->node.allocator.alloc) d->node.allocator = d->allocator;
    if (!d->node.logger.fn) d->node.logger = d->logger;
    if (!d->http.allocator.alloc) d->http.allocator = d->allocator;
    if (!d->http.logger.fn) d->http.logger = d->logger;
    if (!d->http.random) d->http.random = d->random, d->http.user = d->user;
    if (!d->http.utc_now) d->http.utc_now = d->utc_now;
    /* long polls hold a connection each; publishes and settles need at least one more (raised, never lowered) */
    if (!d->http.conns_per_endpoint) d->http.conns_per_endpoint = (uint32_t)d->receives_in_flight + 3u;
    if (d->aws.wait_time_s < 0) d->aws.wait_time_s = 0;
    if (!d->aws.receive_buffer_size && d->aws.max_messages >= 1 && d->aws.max_messages <= 10)
        d->aws.receive_buffer_size = (uint32_t)d->aws.max_messages * (d->node.max_message_size / 3u * 4u + 8192u);
    if (!d->aws.orphan_check_s) d->aws.orphan_check_s = d->aws.orphan_after_s / 5u ? d->aws.orphan_after_s / 5u : 1u;
}

SIOC_API sioc_cluster_desc sioc_cluster_desc_resolved(const sioc_cluster_desc *desc) {
    sioc_cluster_desc d = *desc;
    sioc__m_resolve(&d);
    return d;
}

/* Why init refused: kept for sioc_cluster_last_detail and logged. */
SIOC__FN void sioc__m_log(sioc_cluster *c, const sioc_cluster_desc *d, const char *what) {
    if (c) sioc__copy_fixed(c->p_detail, sizeof c->p_detail, sioc_str_c(what));
#if SIOC_ENABLE_LOG
    if (d->logger.fn) d->logger.fn(d->logger.user, SIOC_LOG_ERROR, what);
#else
    (void)d;
#endif
}

/* Receive slots: none for an emitter. */
static size_t sioc__m_receives(const sioc_cluster_desc *d) {
    return d->node.emitter_only ? 0u : (size_t)d->receives_in_flight;
}

/* Pacing waits must leave a live peer's heartbeat and an answer to a peer's request in time: a peer heartbeating
   every interval is seen within wait + interval, a request within wait. */
static int sioc__m_pacing_ok(const sioc_cluster_desc *d, sioc_cluster *c) {
    sioc_node_desc nd = sioc_node_desc_resolved(&d->node);
    int most = SIOC__MAX(d->receive_budget_ms, d->receive_idle_ms) + SIOC__MAX(d->publish_budget_ms, 0);
    if (d->receive_budget_ms < -1 || d->receive_idle_ms < -1 || d->publish_budget_ms < -1 ||
        (d->receive_budget_ms < 0) != (d->receive_idle_ms < 0)) {
        sioc__m_log(c, d, SIOC__M_TEXT("sioc_cluster: receive_budget_ms / receive_idle_ms: -1 (both, no pacing) or a wait in ms"));
        return 0;
    }
    if (most > 0 && ((uint64_t)most + nd.heartbeat_interval_ms + 500u > nd.heartbeat_timeout_ms ||
                     (uint64_t)most + 500u > nd.request_timeout_ms)) {
        sioc__m_log(c, d, SIOC__M_TEXT("sioc_cluster: receive_budget_ms / receive_idle_ms leave no room for heartbeats or answers"));
        return 0;
    }
    return 1;
}

/* Resolve *d in place and fill *l; the block's size, 0 when an option is out of range (the logger names it). */
static size_t sioc__m_layout(sioc_cluster_desc *d, sioc__mlayout *l, sioc_cluster *c);

/* A desc asking for a feature the build left out (prologue.h): SIOC_ERR_UNSUPPORTED, the detail names the switch. */
static sioc_result sioc__m_compiled_in(sioc_cluster *c, const sioc_cluster_desc *d) {
    const char *why = NULL;
    if (!SIOC_ENABLE_RECEIVE && !d->node.emitter_only)
        why = "sioc_cluster: built with SIOC_ENABLE_RECEIVE 0: only node.emitter_only = 1 members";
    else if (!SIOC__M_JANITOR && SIOC_ENABLE_AWS && !d->node.emitter_only && !d->aws.no_orphan_cleanup &&
             sioc__m_transport(d) == SIOC_CLUSTER_AWS)
        why = "sioc_cluster: built with SIOC_ENABLE_JANITOR 0: set aws.no_orphan_cleanup = 1";
    if (!why) return SIOC_OK;
    sioc__m_log(c, d, why);
    return SIOC_ERR_UNSUPPORTED;
}

SIOC_API size_t sioc_cluster_heap_size(const sioc_cluster_desc *desc) {
    sioc_cluster_desc d;
    sioc__mlayout l;
    size_t own, node;
    if (!desc) return 0;
    d = *desc;
    own = sioc__m_layout(&d, &l, NULL);
    if (!own || sioc__m_compiled_in(NULL, &d) != SIOC_OK) return 0; /* init would refuse it */
    node = sioc_node_heap_size(&d.node);
    return node ? own + node : 0;
}

/* ---- set-up and release ---- */

/* Give the slot's call its body and reply memory. */
static void sioc__m_slot_mem(sioc_cluster *c, sioc__mslot *s, uint8_t *body, size_t body_cap, uint8_t *reply,
                             size_t reply_cap) {
#if SIOC_ENABLE_AZURE
    if (sioc__m_is_azure(c)) {
        s->call.azure.body_mem = body, s->call.azure.body_cap = body_cap;
        s->call.azure.reply_mem = reply, s->call.azure.reply_cap = reply_cap;
        s->call.azure.user = s;
        return;
    }
#endif
#if SIOC_ENABLE_AWS
    s->call.aws.body_mem = body, s->call.aws.body_cap = body_cap;
    s->call.aws.reply_mem = reply, s->call.aws.reply_cap = reply_cap;
    s->call.aws.user = s;
#endif
    (void)c, (void)s, (void)body, (void)body_cap, (void)reply, (void)reply_cap;
}

/* The block, each piece 16-aligned: the slots (ctl, publish, settles, receives, janitor), each slot's body and
   reply, the settle queue, the recent ids and their times, the tokens, the janitor's queues, scratch, one. Its
   size; with mem the member's pointers are set. */
static size_t sioc__m_carve(sioc_cluster *c, uint8_t *mem, const sioc__mlayout *l, const sioc_cluster_desc *d) {
    size_t n[5], k, j, i = 0, off, at[6], area[6];
    n[SIOC__MK_CTL] = n[SIOC__MK_PUB] = 1;
    n[SIOC__MK_SETTLE] = SIOC_ENABLE_RECEIVE ? l->n_settle_slots : 0; /* an emitter build: constants */
    n[SIOC__MK_RECV] = SIOC_ENABLE_RECEIVE ? sioc__m_receives(d) : 0;
    n[SIOC__MK_JANITOR] = SIOC__M_JANITOR && l->reply[SIOC__MK_JANITOR] != 0;
    off = sioc__align16((2u + n[2] + n[3] + n[4]) * sizeof(sioc__mslot));
    for (k = 0; k < 5; k++)
        for (j = 0; j < n[k]; j++, i++) {
            size_t body = sioc__align16(l->body[k]);
            if (mem) {
                sioc__mslot *s = (sioc__mslot *)(void *)mem + i;
                s->kind = (int)k;
                sioc__m_slot_mem(c, s, l->body[k] ? mem + off : NULL, l->body[k], mem + off + body, l->reply[k]);
            }
            off += body + sioc__align16(l->reply[k]);
        }
    area[0] = SIOC_ENABLE_RECEIVE ? l->settle_cap * sizeof(sioc__msettle) : 0;
    area[1] = SIOC_ENABLE_RECEIVE ? (size_t)d->recent_ids * sizeof(uint64_t) : 0;
    area[2] = SIOC_ENABLE_RECEIVE ? (size_t)d->recent_ids * 4u : 0;
    area[3] = SIOC_ENABLE_RECEIVE ? l->toks * sizeof(sioc_json_tok) : 0;
    area[4] = n[SIOC__MK_JANITOR] * SIOC_CLUSTER_JANITOR_MAX * sizeof(sioc__mjcand);
    area[5] = l->scratch;
    for (k = 0; k < 6; k++) at[k] = off, off += sioc__align16(area[k]);
    if (mem) {
        c->p_slots = (sioc__mslot *)(void *)mem;
        c->p_n_slots = i;
        c->p_has_jan = (int)n[SIOC__MK_JANITOR];
        c->p_settles = mem + at[0];
        c->p_recent = (uint64_t *)(void *)(mem + at[1]);
        c->p_recent_at = (uint32_t *)(void *)(mem + at[2]);
        c->p_toks = (sioc_json_tok *)(void *)(mem + at[3]);
        c->p_n_toks = l->toks;
        if (area[4]) c->p_jan = (sioc__mjcand *)(void *)(mem + at[4]);
        c->p_scratch = mem + at[5];
        c->p_scratch_size = l->scratch;
        c->p_settle_cap = l->settle_cap;
        c->p_per_receive = l->per_receive;
    }
    return off;
}

static size_t sioc__m_layout(sioc_cluster_desc *d, sioc__mlayout *l, sioc_cluster *c) {
    sioc_result r;
    const char *why = NULL;
    sioc__m_resolve(d);
    memset(l, 0, sizeof *l);
    if (d->receives_in_flight < 1 || d->receives_in_flight > SIOC_CLUSTER_MAX_RECEIVES)
        why = SIOC__M_TEXT("sioc_cluster: receives_in_flight must be 1..SIOC_CLUSTER_MAX_RECEIVES");
    else if (d->backoff_cap_ms < d->backoff_base_ms)
        why = SIOC__M_TEXT("sioc_cluster: backoff_cap_ms is below backoff_base_ms");
    else if (d->reply_buffer_size < 2048)
        why = SIOC__M_TEXT("sioc_cluster: reply_buffer_size must be at least 2048");
    else if (!sioc__m_pacing_ok(d, c))
        return 0; /* it logged */
    else if (d->http.conns_per_endpoint < (uint32_t)d->receives_in_flight + 2u)
        why = SIOC__M_TEXT("sioc_cluster: http.conns_per_endpoint must be at least receives_in_flight + 2");
    if (why) {
        sioc__m_log(c, d, why);
        return 0;
    }
    r = SIOC_ERR_UNSUPPORTED;
#if SIOC_ENABLE_AWS
    if (d->transport == SIOC_CLUSTER_AWS) r = sioc__maws_layout(d, l);
#endif
#if SIOC_ENABLE_AZURE
    if (d->transport == SIOC_CLUSTER_AZURE) r = sioc__mazure_layout(d, l);
#endif
    if (r != SIOC_OK) {
        sioc__m_log(c, d, r == SIOC_ERR_UNSUPPORTED ? SIOC__M_TEXT("sioc_cluster: this transport is not compiled in")
                                                 : SIOC__M_TEXT("sioc_cluster: an option of the transport is out of range"));
        return 0;
    }
    if (!SIOC_ENABLE_RECEIVE || d->node.emitter_only) { /* publishes only: no receives, settles or remembered ids */
        l->n_settle_slots = l->settle_cap = l->per_receive = l->toks = l->reply[SIOC__MK_JANITOR] = 0;
        l->scratch = SIOC__MAX(l->reply[SIOC__MK_CTL], l->reply[SIOC__MK_PUB]); /* start-up steps, publishes */
        d->recent_ids = 0;
    }
    return sioc__m_carve(c, NULL, l, d);
}

SIOC_API sioc_result sioc_cluster_init(sioc_cluster *c, const sioc_cluster_desc *desc) {
    sioc__mlayout l;
    size_t total;
    uint8_t *mem;
    sioc_result r;
    if (!c || !desc) return SIOC_ERR_ARG;
    memset(c, 0, sizeof *c);
    c->p_desc = *desc;
#if SIOC_ENABLE_POSIX
    sioc_cluster_desc_from_env(&c->p_desc);
#endif
    if (!c->p_desc.random || !c->p_desc.utc_now) {
        sioc__copy_fixed(c->p_detail, sizeof c->p_detail, sioc_str_c(SIOC__M_TEXT("sioc_cluster: random and utc_now callbacks are required")));
        return SIOC_ERR_DEPENDENCY;
    }
    r = sioc__m_compiled_in(c, &c->p_desc);
    if (r != SIOC_OK) return r;
    total = sioc__m_layout(&c->p_desc, &l, c);
    if (!total) return SIOC_ERR_ARG;
    c->p_transport = c->p_desc.transport;
#if !SIOC_ENABLE_LIBC_MALLOC
    if (!c->p_desc.allocator.alloc) return SIOC_ERR_DEPENDENCY;
#endif
    r = sioc_node_init(&c->p_node, &c->p_desc.node);
    if (r != SIOC_OK) goto fail;
    c->p_inited |= 1;
    r = SIOC__M_CLOUD(c, client_init, (c));
    if (r != SIOC_OK) goto fail;
    c->p_http = (sioc_http_client *)(void *)&c->p_client; /* both clients start with their engine */
    c->p_inited |= 2;
#if SIOC_ENABLE_POSIX
    if (!c->p_desc.own_io) {
        r = sioc_posix_init(&c->p_px, c->p_http, NULL, NULL);
        if (r != SIOC_OK) goto fail;
        c->p_inited |= 4;
    }
#endif
    mem = (uint8_t *)sioc__alloc(&c->p_desc.allocator, total);
    if (!mem) {
        r = SIOC_ERR_NOMEM;
        goto fail;
    }
    memset(mem, 0, total);
    c->p_mem = mem;
    c->p_mem_size = total;
    (void)sioc__m_carve(c, mem, &l, &c->p_desc);
    c->p_settle_hold = sioc__m_pacing(c) ? SIOC__M_SETTLE_HOLD_MS : 0u;
    (void)c->p_desc.random(c->p_desc.user, &c->p_hash_key, sizeof c->p_hash_key); /* ids from peers: keyed */
    c->p_state = SIOC_CLUSTER_IDLE;
    return SIOC_OK;
fail:
    if (!c->p_detail[0] && c->p_http && c->p_http->detail[0]) sioc__copy_fixed(c->p_detail, sizeof c->p_detail, sioc_str_c(c->p_http->detail));
    sioc_cluster_free(c);
    return r;
}

static void sioc__m_cancel(sioc_cluster *c, sioc__mslot *s) {
    if (s->state == SIOC__MS_BUSY) SIOC__M_CLOUD(c, cancel, (c, s));
    s->state = SIOC__MS_FREE;
}

SIOC_API void sioc_cluster_free(sioc_cluster *c) {
    size_t i;
    if (!c) return;
    if (c->p_mem) {
        for (i = 0; i < c->p_n_slots; i++) sioc__m_cancel(c, &c->p_slots[i]);
        sioc__free(&c->p_desc.allocator, c->p_mem, c->p_mem_size);
        c->p_mem = NULL;
    }
#if SIOC_ENABLE_POSIX
    if (c->p_inited & 4) sioc_posix_free(&c->p_px);
#endif
#if SIOC_ENABLE_AWS
    if ((c->p_inited & 2) && c->p_transport == SIOC_CLUSTER_AWS) sioc_aws_client_free(&c->p_client.aws);
#endif
#if SIOC_ENABLE_AZURE
    if ((c->p_inited & 2) && c->p_transport == SIOC_CLUSTER_AZURE) sioc_azure_client_free(&c->p_client.azure);
#endif
    if (c->p_inited & 1) sioc_node_free(&c->p_node);
    c->p_inited = 0;
    c->p_http = NULL;
}

/* ---- requests: submit, report, back off ---- */

static void sioc__m_report(sioc_cluster *c, sioc__mslot *s, sioc_result r, int will_retry) {
    c->p_stats.failures[s->op]++;
    c->p_last_error = r;
    if (c->p_desc.on_error) {
        sioc_cluster_error e;
        memset(&e, 0, sizeof e);
        e.op = (sioc_cluster_op)s->op;
        e.op_name = sioc_cluster_op_name(c, s->op);
        e.result = r;
        e.code = e.message = e.detail = "";
        SIOC__M_CLOUD(c, error, (s, &e));
        e.will_retry = will_retry;
        sioc__copy_fixed(c->p_detail, sizeof c->p_detail, sioc_str_c(*e.detail ? e.detail : sioc_strerror(r)));
        c->p_desc.on_error(c->p_desc.user, &e);
    }
}

/* The slot's request failed for good: reported, the slot free. */
static void sioc__m_give_up(sioc_cluster *c, sioc__mslot *s, sioc_result r) {
    s->state = SIOC__MS_FREE;
    sioc__m_report(c, s, r, 0);
}

/* Capped exponential backoff with full jitter above a floor, never a hot loop (docs/DESIGN.md). Throttling waits
   at least 1 s (AWS) or 2 s (Azure) and any Retry-After; the first 401 is retried at once (a fresh signature or
   token), later ones back off like any failure. */
static void sioc__m_fail(sioc_cluster *c, sioc__mslot *s, sioc_result r, uint64_t now) {
    uint32_t floor = c->p_desc.backoff_floor_ms;
    sioc__m_report(c, s, r, 1);
    s->state = SIOC__MS_WAIT;
    if (r == SIOC_ERR_AUTH && !s->auth_retries) {
        s->auth_retries = 1;
        s->retry_at = now + floor;
        return;
    }
    s->attempts++;
    if (r == SIOC_ERR_THROTTLED) {
        uint32_t least = sioc__m_is_azure(c) ? 2000u : 1000u;
        if (floor < least) floor = least;
#if SIOC_ENABLE_AZURE
        if (sioc__m_is_azure(c)) {
            uint64_t ra = (uint64_t)s->call.azure.error.retry_after_s * 1000u;
            if (ra > floor) floor = ra > 600000u ? 600000u : (uint32_t)ra;
        }
#endif
    }
    s->retry_at = sioc__backoff_at(now, s->attempts, c->p_desc.backoff_base_ms, c->p_desc.backoff_cap_ms, floor,
                                   sioc__rand32(c->p_desc.random, c->p_desc.user));
}

/* Submit what the slot holds. A refusal no retry can cure (bad name, too large) is returned with the slot FREE;
   anything else (engine full, no connection yet) becomes a retry. */
static sioc_result sioc__m_submit(sioc_cluster *c, sioc__mslot *s, uint64_t now) {
    sioc_result r;
    c->p_stats.requests[s->op]++;
    s->sent_at = now;
    r = SIOC__M_CLOUD(c, start_call, (c, s, now));
    if (r == SIOC_OK) {
        s->state = SIOC__MS_BUSY;
        return SIOC_OK;
    }
    if (r == SIOC_ERR_ARG || r == SIOC_ERR_TOO_LARGE || r == SIOC_ERR_BUFFER_TOO_SMALL) {
        sioc__m_give_up(c, s, r);
        return r;
    }
    sioc__m_fail(c, s, r, now);
    return SIOC_OK;
}

#if SIOC_ENABLE_RECEIVE
/* A receive failed: 1 when its queue / subscription is gone (the cloud re-creates it), else a retry is set. */
static int sioc__m_recv_gone(sioc_cluster *c, sioc__mslot *s, sioc_result r, uint64_t now) {
    if (r != SIOC_ERR_NOT_FOUND) {
        sioc__m_fail(c, s, r, now);
        return 0;
    }
    sioc__m_give_up(c, s, r);
    return s->gen == c->p_gen; /* a receive sent before the last re-creation tells nothing new */
}
#endif

/* What a refusal for good means for each kind of slot. */
static void sioc__m_refused(sioc_cluster *c, sioc__mslot *s, sioc_result r) {
    if (s->kind == SIOC__MK_PUB) sioc__m_pub_outcome(c, s, 0, r);
    else if (SIOC_ENABLE_RECEIVE && s->kind == SIOC__MK_SETTLE) c->p_stats.settle_failed += s->count ? s->count : 1;
    else if (s->kind == SIOC__MK_CTL) c->p_state = c->p_state == SIOC_CLUSTER_CLOSING ? SIOC_CLUSTER_CLOSED
                                                                                   : SIOC_CLUSTER_FAILED;
}

static void sioc__m_go(sioc_cluster *c, sioc__mslot *s, int op, uint64_t now) {
    sioc_result r;
    s->op = op;
    s->attempts = 0;
    s->auth_retries = 0;
    r = sioc__m_submit(c, s, now);
    if (r != SIOC_OK) sioc__m_refused(c, s, r);
}

/* ---- node readiness, publish sequences, settle queue, recent ids ---- */

static void sioc__m_set_ready(sioc_cluster *c, int ready, uint64_t now) {
    if (c->p_node.state == SIOC_NODE_CLOSING || c->p_node.state == SIOC_NODE_CLOSED) return;
    if (c->p_node.ready != ready) (void)sioc_node_set_ready(&c->p_node, ready, now);
}

static void sioc__m_running(sioc_cluster *c, uint64_t now) {
    c->p_state = SIOC_CLUSTER_RUNNING;
#if SIOC_ENABLE_RECEIVE
    c->p_recv_at = c->p_quiet_at = 0; /* a new queue: receive at once */
    c->p_quiet = 0;
#endif
#if SIOC__M_JANITOR
    if (!c->p_jan_next) { /* the first look, once every live peer had time to be heard (fair election) */
        uint64_t wait = (uint64_t)c->p_desc.aws.orphan_check_s * 1000u, hb = sioc_node_desc_resolved(&c->p_desc.node).heartbeat_timeout_ms;
        c->p_jan_next = now + (wait > hb ? wait : hb);
    }
#endif
    sioc__m_set_ready(c, 1, now);
}

/* Something start-up made is gone: NOT_READY, start-up again at `step`. 0 (nothing done) unless RUNNING. */
static int sioc__m_lost(sioc_cluster *c, int what, int step, uint64_t now) {
    if (c->p_state != SIOC_CLUSTER_RUNNING) return 0;
    if (what & SIOC__M_LOST_TOPIC) {
        c->p_stats.restarts++;
        c->p_have_topic = 0;
    }
    if (what & SIOC__M_LOST_QUEUE) {
        c->p_stats.recreated++;
        c->p_gen++; /* receives still out for the old one may fail later: not a new loss */
        c->p_n_settles = 0;
    }
    sioc__m_set_ready(c, 0, now);
    c->p_state = SIOC_CLUSTER_STARTING;
    c->p_step = step;
    return 1;
}

/* The oldest n out messages leave the node with the next sequences: the first of them. */
static uint64_t sioc__m_take(sioc_cluster *c, size_t n) {
    uint64_t first = c->p_sent + 1u;
    c->p_sent += n;
    sioc_node_out_pop(&c->p_node, n);
    return first;
}

/* The oldest n out messages are in the slot's request now (it keeps them for retries). */
static void sioc__m_pub_taken(sioc_cluster *c, sioc__mslot *s, size_t n) {
    s->seq_first = sioc__m_take(c, n);
    s->count = n;
    s->accepted = 0;
}

/* Messages first .. first + n - 1 have an outcome: `accepted` of them were taken by the broker. */
static void sioc__m_outcome(sioc_cluster *c, uint64_t first, size_t n, size_t accepted, sioc_result r) {
    c->p_stats.published += accepted;
    c->p_stats.publish_failed += n - accepted;
    c->p_published_seq = first + n - 1u;
    if (c->p_desc.on_publish)
        c->p_desc.on_publish(c->p_desc.user, first, n, accepted == n ? SIOC_OK : (r ? r : SIOC_ERR_SERVER));
}

/* The slot's messages have an outcome: `accepted` of them were taken by the broker in this answer (besides those
   taken in earlier answers of a partial batch). */
static void sioc__m_pub_outcome(sioc_cluster *c, sioc__mslot *s, size_t accepted, sioc_result r) {
    size_t n = s->count;
    s->state = SIOC__MS_FREE;
    if (!n) return;
    accepted += s->accepted;
    s->count = 0;
    sioc__m_outcome(c, s->seq_first, n, accepted > n ? n : accepted, r);
}

/* A publish failed without an answer (timeout, reset, 5xx): the broker may have taken it. At-least-once sends it
   again (counted); at-most-once drops it. 1 when it was dropped. */
static int sioc__m_pub_ambiguous(sioc_cluster *c, sioc__mslot *s, sioc_result r) {
    if (r != SIOC_ERR_TIMEOUT && r != SIOC_ERR_CLOSED && r != SIOC_ERR_SERVER && r != SIOC_ERR_PROTOCOL) return 0;
    if (!c->p_desc.publish_at_most_once) {
        c->p_stats.ambiguous_retries++;
        return 0;
    }
    sioc__m_pub_drop(c, s, r);
    return 1;
}

/* The slot's messages are dropped for good (reported, none taken). */
static void sioc__m_pub_drop(sioc_cluster *c, sioc__mslot *s, sioc_result r) {
    sioc__m_report(c, s, r, 0);
    sioc__m_pub_outcome(c, s, 0, r);
}

/* The publish slot's messages and everything still queued in the node go nowhere (no topic, closing gave up). */
static void sioc__m_pub_abandon(sioc_cluster *c, sioc_result r) {
    sioc__mslot *pub = &c->p_slots[SIOC__M_PUB];
    size_t n;
    sioc__m_cancel(c, pub);
    sioc__m_pub_outcome(c, pub, 0, r);
    n = sioc_node_out_count(&c->p_node); /* on_publish may have queued more */
    if (n) sioc__m_outcome(c, sioc__m_take(c, n), n, 0, r);
}

#if SIOC_ENABLE_RECEIVE
static int sioc__m_settle_push(sioc_cluster *c, int op, sioc_str text, uint64_t deadline, uint64_t now) {
    sioc__msettle *e;
    if (!text.len || text.len > SIOC_CLUSTER_HANDLE_MAX || c->p_n_settles >= c->p_settle_cap) {
        c->p_stats.settle_failed++; /* it comes back after its visibility timeout / lock and is settled as seen */
        return 0;
    }
    e = (sioc__msettle *)c->p_settles + c->p_n_settles++;
    e->op = op;
    e->deadline = deadline;
    e->due = now + c->p_settle_hold;
    e->len = (uint16_t)text.len;
    memcpy(e->text, text.ptr, text.len);
    return 1;
}

static void sioc__m_settle_pop(sioc_cluster *c, size_t n) {
    sioc__msettle *q = (sioc__msettle *)c->p_settles;
    if (n > c->p_n_settles) n = c->p_n_settles;
    memmove(q, q + n, (c->p_n_settles - n) * sizeof *q);
    c->p_n_settles -= n;
}
#endif

/* A receive finished: when may the next one start? A full one (a backlog) is followed at once; otherwise the next
   starts receive_budget_ms after this one began, or receive_idle_ms after it ended when it brought heartbeats
   only (a quiet cluster). AWS only (a Service Bus receive takes one message). */
#if SIOC_ENABLE_RECEIVE && SIOC_ENABLE_AWS
static void sioc__m_paced(sioc_cluster *c, const sioc__mslot *s, int full, int quiet, uint64_t now) {
    if (!sioc__m_pacing(c) || full) {
        c->p_recv_at = c->p_quiet_at = 0;
        c->p_quiet = 0;
        return;
    }
    c->p_recv_at = s->sent_at + (uint32_t)c->p_desc.receive_budget_ms;
    c->p_quiet_at = now + (uint32_t)c->p_desc.receive_idle_ms;
    c->p_quiet = quiet;
}
#endif

/* Earliest start of the next publish (0: now): publish_budget_ms after the last one began unless a whole batch
   waits; never held while closing (ADAPTER_CLOSE and what precedes it go at once), nor without PublishBatch
   (SIOC_ENABLE_PUBLISH_BATCH 0: waiting would gather nothing). */
static uint64_t sioc__m_pub_due(const sioc_cluster *c) {
    if (!SIOC_ENABLE_PUBLISH_BATCH || sioc__m_is_azure(c) || c->p_desc.publish_budget_ms <= 0 ||
        c->p_state != SIOC_CLUSTER_RUNNING || sioc_node_out_count(&c->p_node) >= SIOC__M_BATCH)
        return 0;
    return c->p_slots[SIOC__M_PUB].sent_at + (uint32_t)c->p_desc.publish_budget_ms;
}

#if SIOC_ENABLE_RECEIVE
/* When the held settles must go: at once once a batch is full (or without pacing), else when the oldest is due. */
static uint64_t sioc__m_settle_due(const sioc_cluster *c) {
    const sioc__msettle *q = (const sioc__msettle *)c->p_settles;
    if (!c->p_n_settles || c->p_n_settles >= SIOC__M_BATCH) return 0;
    return q[0].due;
}

/* Earliest start of the next receive (0: now), UINT64_MAX while the settle queue has no room for what it may
   bring. A request of ours waiting for answers ends a quiet wait. */
static uint64_t sioc__m_recv_at(const sioc_cluster *c) {
    if (sioc__m_emitter(c) || !SIOC__M_CLOUD(c, can_receive, (c)) ||
        c->p_n_settles + c->p_per_receive * sioc__m_receives(&c->p_desc) > c->p_settle_cap)
        return UINT64_MAX;
    if (!sioc__m_pacing(c)) return 0;
    if (c->p_quiet && (!SIOC_ENABLE_REQUESTS || !sioc_node_pending_requests(&c->p_node))) return c->p_quiet_at;
    return c->p_recv_at;
}
#endif

#if SIOC_ENABLE_RECEIVE
/* A keyed 64-bit hash of a message id (FNV-1a over key and id; never 0). */
static uint64_t sioc__m_id_hash(const sioc_cluster *c, sioc_str id) {
    uint64_t h = sioc__fnv1a64(SIOC__FNV64_BASIS ^ c->p_hash_key, id.ptr, id.len);
    return h ? h : 1u;
}

/* 1 when `id` was seen recently (a redelivery); otherwise it is remembered. An entry pushed out while its message
   could still come back (younger than the lock / visibility timeout) is counted: the ring is too small. */
static int sioc__m_seen(sioc_cluster *c, sioc_str id, uint64_t now) {
    uint64_t h;
    uint32_t i, n = c->p_desc.recent_ids, now_s, window_s, ms;
    if (!id.len || !n) return 0;
    now_s = (uint32_t)sioc__udiv64(now, 1000u, &ms);
    h = sioc__m_id_hash(c, id);
    for (i = 0; i < n; i++)
        if (c->p_recent[i] == h) return 1;
    window_s = sioc__m_is_azure(c) ? (c->p_desc.azure.lock_duration_s ? c->p_desc.azure.lock_duration_s : 60u) : 30u;
    if (c->p_recent[c->p_recent_pos] && now_s - c->p_recent_at[c->p_recent_pos] < window_s) c->p_stats.dedup_short++;
    c->p_recent[c->p_recent_pos] = h;
    c->p_recent_at[c->p_recent_pos] = now_s;
    if (++c->p_recent_pos == n) c->p_recent_pos = 0;
    return 0;
}
#endif

/* ---- driving ---- */

SIOC_API sioc_result sioc_cluster_start(sioc_cluster *c, uint64_t now_ms) {
    if (!c || !c->p_mem) return SIOC_ERR_ARG;
    if (c->p_state != SIOC_CLUSTER_IDLE) return SIOC_ERR_STATE;
    c->p_state = SIOC_CLUSTER_STARTING;
    c->p_step = 0;
    SIOC__M_CLOUD(c, begin, (c));
    if (c->p_state == SIOC_CLUSTER_FAILED) return c->p_last_error;
    sioc_cluster_process(c, now_ms);
    return SIOC_OK;
}

SIOC_API sioc_result sioc_cluster_close(sioc_cluster *c, uint64_t now_ms) {
    size_t i;
    if (!c || !c->p_mem) return SIOC_ERR_ARG;
    if (c->p_state == SIOC_CLUSTER_CLOSING || c->p_state == SIOC_CLUSTER_CLOSED) return SIOC_OK;
    if (c->p_node.state != SIOC_NODE_CLOSING && c->p_node.state != SIOC_NODE_CLOSED)
        (void)sioc_node_close(&c->p_node, now_ms);
    /* no more receives or settles (the queue / subscription goes, its handles and locks with it); a start-up
       step in flight is abandoned; only the publish slot carries on */
    for (i = 0; i < c->p_n_slots; i++)
        if (i != SIOC__M_PUB) sioc__m_cancel(c, &c->p_slots[i]);
    c->p_n_settles = 0;
    if (c->p_state == SIOC_CLUSTER_IDLE || c->p_state == SIOC_CLUSTER_FAILED || !c->p_have_topic)
        sioc__m_pub_abandon(c, SIOC_ERR_CLOSED); /* nowhere to publish */
    if (c->p_state == SIOC_CLUSTER_IDLE) {
        c->p_state = SIOC_CLUSTER_CLOSED;
        return SIOC_OK;
    }
    c->p_state = SIOC_CLUSTER_CLOSING;
    c->p_step = SIOC__M_STEP_DRAIN;
    c->p_close_deadline = now_ms + c->p_desc.shutdown_timeout_ms;
    sioc_cluster_process(c, now_ms);
    return SIOC_OK;
}

static void sioc__m_collect(sioc_cluster *c, uint64_t now) {
    sioc__mslot *s;
    void *user;
    while ((user = SIOC__M_CLOUD(c, next, (c, now))) != NULL) {
        s = (sioc__mslot *)user;
        if (s < c->p_slots || s >= c->p_slots + c->p_n_slots || s->state != SIOC__MS_BUSY)
            continue; /* not ours: the client serves this member alone */
        switch (s->kind) {
        case SIOC__MK_CTL: SIOC__M_CLOUD(c, ctl_done, (c, s, now)); break;
        case SIOC__MK_PUB: SIOC__M_CLOUD(c, pub_done, (c, s, now)); break;
#if SIOC_ENABLE_RECEIVE
        case SIOC__MK_SETTLE: SIOC__M_CLOUD(c, settle_done, (c, s, now)); break;
#if SIOC__M_JANITOR
        case SIOC__MK_JANITOR: sioc__mjan_done(c, s, now); break;
#endif
        default: SIOC__M_CLOUD(c, recv_done, (c, s, now)); break;
#else
        default: break; /* an emitter has no other slots */
#endif
        }
    }
}

/* The states in which a slot kind's retry still goes out, 6 bits (one per sioc_cluster_state) per kind: start-up
   steps while STARTING, RUNNING or CLOSING, publishes until CLOSED or FAILED, the rest only while RUNNING. */
#define SIOC__M_RETRY_STATES                                                                                      \
    (0x0Eul << (6 * SIOC__MK_CTL) | 0x0Ful << (6 * SIOC__MK_PUB) | 0x04ul << (6 * SIOC__MK_SETTLE) |              \
     0x04ul << (6 * SIOC__MK_RECV) | 0x04ul << (6 * SIOC__MK_JANITOR))

/* Retries that are due. Receives and settles restart afresh once the queue or subscription changed; a
   start-up step is written again (a name may have changed meanwhile). */
static void sioc__m_retries(sioc_cluster *c, uint64_t now) {
    size_t i;
    for (i = 0; i < c->p_n_slots; i++) {
        sioc__mslot *s = &c->p_slots[i];
        sioc_result r;
        if (s->state != SIOC__MS_WAIT || now < s->retry_at) continue;
        if (!((SIOC__M_RETRY_STATES >> (s->kind * 6 + (int)c->p_state)) & 1u)) {
            if (SIOC_ENABLE_RECEIVE && s->kind == SIOC__MK_SETTLE) c->p_stats.settle_failed += s->count ? s->count : 1;
            if (SIOC__M_JANITOR && s->kind == SIOC__MK_JANITOR) c->p_jan_step = 0; /* the round starts over later */
            s->state = SIOC__MS_FREE;
            continue;
        }
        if (s->kind == SIOC__MK_CTL) {
            int att = s->attempts, ar = s->auth_retries;
            s->state = SIOC__MS_FREE;
            SIOC__M_CLOUD(c, ctl_step, (c, now));
            s->attempts = att;
            s->auth_retries = ar;
            continue;
        }
        r = sioc__m_submit(c, s, now);
        if (r != SIOC_OK) sioc__m_refused(c, s, r);
    }
}

/* While CLOSING: once the node is closed and its last message published (or the deadline passed), the cloud's
   clean-up steps run. */
static void sioc__m_drain(sioc_cluster *c, uint64_t now) {
    sioc__mslot *pub = &c->p_slots[SIOC__M_PUB];
    int drained = c->p_node.state == SIOC_NODE_CLOSED && pub->state == SIOC__MS_FREE;
    if (!drained && now < c->p_close_deadline) return;
    sioc__m_pub_abandon(c, SIOC_ERR_TIMEOUT); /* a free publish slot holds nothing */
    c->p_step = SIOC__M_STEP_CLEANUP;
    if (now >= c->p_close_deadline) c->p_close_deadline = now + 2000; /* a short try to clean up */
}

SIOC_API void sioc_cluster_process(sioc_cluster *c, uint64_t now_ms) {
    size_t i;
    if (!c || !c->p_mem || c->p_state == SIOC_CLUSTER_IDLE) return;
    sioc__m_collect(c, now_ms);
    sioc__m_retries(c, now_ms);
    sioc_node_tick(&c->p_node, now_ms);
    if (c->p_state == SIOC_CLUSTER_STARTING) SIOC__M_CLOUD(c, ctl_step, (c, now_ms));
    if ((c->p_state == SIOC_CLUSTER_RUNNING || c->p_state == SIOC_CLUSTER_CLOSING ||
         c->p_state == SIOC_CLUSTER_STARTING) && now_ms >= sioc__m_pub_due(c))
        SIOC__M_CLOUD(c, pub_start, (c, now_ms));
    if (c->p_state == SIOC_CLUSTER_RUNNING) {
#if SIOC_ENABLE_RECEIVE
        SIOC__M_CLOUD(c, settle_start, (c, now_ms));
        if (sioc__m_recv_at(c) <= now_ms && now_ms != UINT64_MAX)
            for (i = 0; i < c->p_n_slots; i++)
                if (c->p_slots[i].kind == SIOC__MK_RECV && c->p_slots[i].state == SIOC__MS_FREE)
                    SIOC__M_CLOUD(c, recv_start, (c, &c->p_slots[i], now_ms));
#else
        (void)i;
#endif
        SIOC__M_CLOUD(c, watch, (c, now_ms));
#if SIOC__M_JANITOR
        if (c->p_has_jan) sioc__mjan_step(c, now_ms);
#endif
    }
    if (c->p_state == SIOC_CLUSTER_CLOSING && c->p_step == SIOC__M_STEP_DRAIN) sioc__m_drain(c, now_ms);
    if (c->p_state == SIOC_CLUSTER_CLOSING && c->p_step >= SIOC__M_STEP_CLEANUP) SIOC__M_CLOUD(c, ctl_step, (c, now_ms));
}

static int sioc__m_finished_waiting(const sioc_cluster *c) {
#if SIOC_ENABLE_AWS
    if (!sioc__m_is_azure(c)) return sioc_aws_has_finished(&c->p_client.aws);
#endif
#if SIOC_ENABLE_AZURE
    if (sioc__m_is_azure(c)) return sioc_azure_has_finished(&c->p_client.azure);
#endif
    return 0;
}

SIOC_API uint64_t sioc_cluster_next_deadline(const sioc_cluster *c, uint64_t now_ms) {
    uint64_t d, h;
    size_t i;
    unsigned free_kinds = 0;
    if (!c || !c->p_mem) return UINT64_MAX;
    d = sioc_node_next_deadline(&c->p_node, now_ms);
    h = sioc_http_next_deadline(c->p_http);
    if (h < d) d = h;
    if (sioc_http_responses_ready(c->p_http) || sioc__m_finished_waiting(c)) return now_ms;
    if (c->p_state == SIOC_CLUSTER_IDLE || c->p_state == SIOC_CLUSTER_CLOSED || c->p_state == SIOC_CLUSTER_FAILED)
        return d;
    for (i = 0; i < c->p_n_slots; i++) {
        const sioc__mslot *s = &c->p_slots[i];
        if (s->state == SIOC__MS_WAIT && s->retry_at < d) d = s->retry_at;
        if (s->state == SIOC__MS_FREE) free_kinds |= 1u << s->kind;
    }
#if SIOC_ENABLE_RECEIVE /* a free settle slot and held settles; a free receive slot */
    if (c->p_state == SIOC_CLUSTER_RUNNING) {
        if ((free_kinds & (1u << SIOC__MK_SETTLE)) && c->p_n_settles && (h = sioc__m_settle_due(c)) < d) d = h;
        if ((free_kinds & (1u << SIOC__MK_RECV)) && (h = sioc__m_recv_at(c)) < d) d = h;
    }
#else
    (void)free_kinds;
#endif
    if (c->p_slots[SIOC__M_PUB].state == SIOC__MS_FREE && c->p_have_topic && sioc_node_out_count(&c->p_node)) {
        h = sioc__m_pub_due(c);
        if (h <= now_ms) return now_ms;
        if (h < d) d = h;
    }
    if (c->p_state == SIOC_CLUSTER_CLOSING && c->p_close_deadline < d) d = c->p_close_deadline;
    if (SIOC__M_JANITOR && c->p_has_jan && c->p_state == SIOC_CLUSTER_RUNNING && !c->p_jan_step && c->p_jan_next < d) d = c->p_jan_next;
    return d < now_ms ? now_ms : d;
}

SIOC_API int sioc_cluster_idle(const sioc_cluster *c) {
    if (!c || !c->p_mem) return 1;
    return sioc_node_out_count(&c->p_node) == 0 && c->p_slots[SIOC__M_PUB].state == SIOC__MS_FREE;
}

#if SIOC_ENABLE_POSIX
SIOC_API sioc_result sioc_cluster_run_posix(sioc_cluster *c, uint32_t max_wait_ms) {
    uint64_t now, d;
    uint32_t wait = max_wait_ms;
    if (!c || !c->p_mem) return SIOC_ERR_ARG;
    if (!(c->p_inited & 4)) return SIOC_ERR_STATE;
    now = sioc_posix_now_ms();
    sioc_cluster_process(c, now);
    if (c->p_state != SIOC_CLUSTER_CLOSED && c->p_state != SIOC_CLUSTER_FAILED) {
        d = sioc_cluster_next_deadline(c, now);
        if (d <= now) wait = 0;
        else if (d - now < wait) wait = (uint32_t)(d - now);
        (void)sioc_posix_wait(&c->p_px, now, wait); /* EINTR and friends: the next turn waits again */
        now = sioc_posix_now_ms();
        (void)sioc_posix_step(&c->p_px, now);
        sioc_cluster_process(c, now);
    }
    if (c->p_state == SIOC_CLUSTER_CLOSED) return SIOC_ERR_CLOSED;
    if (c->p_state == SIOC_CLUSTER_FAILED) return c->p_last_error < 0 ? c->p_last_error : SIOC_ERR_STATE;
    return SIOC_OK;
}

SIOC_API sioc_posix *sioc_cluster_posix(sioc_cluster *c) { return c && (c->p_inited & 4) ? &c->p_px : NULL; }
#endif

/* ---- accessors ---- */

SIOC_API sioc_node *sioc_cluster_node(sioc_cluster *c) { return c ? &c->p_node : NULL; }
SIOC_API sioc_http_client *sioc_cluster_http(sioc_cluster *c) { return c ? c->p_http : NULL; }
SIOC_API sioc_cluster_transport sioc_cluster_get_transport(const sioc_cluster *c) {
    return c ? c->p_transport : SIOC_CLUSTER_AUTO;
}
SIOC_API sioc_cluster_state sioc_cluster_get_state(const sioc_cluster *c) {
    return c ? c->p_state : SIOC_CLUSTER_CLOSED;
}
SIOC_API sioc_result sioc_cluster_last_error(const sioc_cluster *c) { return c ? c->p_last_error : SIOC_ERR_ARG; }
SIOC_API const char *sioc_cluster_last_detail(const sioc_cluster *c) { return c ? c->p_detail : ""; }
SIOC_API const sioc_cluster_stats *sioc_cluster_get_stats(const sioc_cluster *c) { return c ? &c->p_stats : NULL; }
SIOC_API const char *sioc_cluster_uid(const sioc_cluster *c) { return c ? c->p_node.uid : ""; }
SIOC_API const char *sioc_cluster_queue_name(const sioc_cluster *c) { return c ? c->p_name : ""; }
SIOC_API uint64_t sioc_cluster_queued_seq(const sioc_cluster *c) { return c ? c->p_node.counters.published : 0; }
SIOC_API uint64_t sioc_cluster_published_seq(const sioc_cluster *c) { return c ? c->p_published_seq : 0; }

SIOC_API const char *sioc_cluster_op_name(const sioc_cluster *c, int op) {
    if (!c || op < 0 || op >= SIOC_CLUSTER_OP_COUNT) return "?";
    return SIOC__M_CLOUD(c, op_name, (op));
}

SIOC_API const char *sioc_cluster_state_name(int state) {
    /* rows, not pointers: gc-sections drops them with the table (see sioc_node_event_name) */
    static const char names[][9] = {"IDLE", "STARTING", "RUNNING", "CLOSING", "CLOSED", "FAILED"};
    return state >= 0 && state < (int)SIOC__COUNT(names) ? names[state] : "?";
}

#if SIOC_ENABLE_AWS
SIOC_API void sioc_cluster_set_aws_credentials(sioc_cluster *c, const sioc_sigv4_credentials *creds) {
    if (c && (c->p_inited & 2) && c->p_transport == SIOC_CLUSTER_AWS) sioc_aws_set_credentials(&c->p_client.aws, creds);
}
#endif

#endif /* SIOC_ENABLE_AWS || SIOC_ENABLE_AZURE */
