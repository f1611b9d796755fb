/* ---- cluster_azure: the node over Service Bus REST + ATOM (see cluster_azure.h; AZURE.md §1, §4-6) ---- */
#include "internal.h"

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

static size_t sioc__caz_align(size_t n) { return (n + 15u) & ~(size_t)15u; }

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
    total = sioc__caz_align(n_slots * sizeof(sioc__caz_slot));
    total += sioc__caz_align(SIOC__CAZ_CTL_BODY) + sioc__caz_align(SIOC__CAZ_SMALL_REPLY);   /* ctl */
    total += sioc__caz_align(SIOC__CAZ_PUB_BODY) + sioc__caz_align(SIOC__CAZ_SMALL_REPLY);   /* pub */
    total += SIOC_CLUSTER_AZURE_SETTLES * sioc__caz_align(SIOC__CAZ_SMALL_REPLY);             /* settles */
    total += (size_t)d.receives_in_flight * sioc__caz_align(SIOC__CAZ_RECV_REPLY);            /* receives */
    total += sioc__caz_align(SIOC_CLUSTER_AZURE_PENDING * sizeof(sioc__caz_settle));
    total += sioc__caz_align((size_t)SIOC_CLUSTER_AZURE_RECENT * (SIOC_CLUSTER_AZURE_MSGID_MAX + 1));
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
    off += sioc__caz_align(n_slots * sizeof(sioc__caz_slot));
    for (i = 0; i < n_slots; i++) {
        sioc__caz_slot *s = &cz->p_slots[i];
        size_t body = i == SIOC__CAZ_CTL ? SIOC__CAZ_CTL_BODY : i == SIOC__CAZ_PUB ? SIOC__CAZ_PUB_BODY : 0;
        size_t reply = i >= SIOC__CAZ_RECV ? SIOC__CAZ_RECV_REPLY : SIOC__CAZ_SMALL_REPLY;
        if (body) {
            s->call.body_mem = mem + off;
            s->call.body_cap = body;
            off += sioc__caz_align(body);
        }
        s->call.reply_mem = mem + off;
        s->call.reply_cap = reply;
        off += sioc__caz_align(reply);
        s->call.user = s;
    }
    cz->p_pending = (sioc__caz_settle *)(void *)(mem + off);
    off += sioc__caz_align(SIOC_CLUSTER_AZURE_PENDING * sizeof(sioc__caz_settle));
    cz->p_recent = (char(*)[SIOC_CLUSTER_AZURE_MSGID_MAX + 1])(void *)(mem + off);
    sioc__copy_cstr(cz->topic, sizeof cz->topic, d.topic_name);
    cz->state = SIOC_CLUSTER_AZURE_IDLE;
    return SIOC_OK;
}
