/* ---- cluster.c: the node state machine (docs/PROTOCOL.md §4-§8, §10) ---- */
#include "base.h"
#include "internal.h"
#include "crypto.h"
#include "json.h"
#include "msgpack.h"
#include "sio_parser.h"
#include "cluster_msg.h"
#include "local_select.h"
#include "cluster.h"

#define SIOC__NIL 0xFFFFFFFFu
#define SIOC__NS_NONE 0xFFFFu

/* Built without the receive side (SIOC_ENABLE_RECEIVE 0) every node is an emitter: a constant, so the compiler
   drops what only a receiving node runs (inbound handling, local delivery, requests, heartbeats). */
#if SIOC_ENABLE_RECEIVE
#define SIOC__NODE_EMITTER(n) ((n)->p_desc.emitter_only)
#define SIOC__NODE_RX_OFF SIOC_OK /* what a receive call returns on an emitter or a closed node: ignored */
#else
#define SIOC__NODE_EMITTER(n) 1
#define SIOC__NODE_RX_OFF SIOC_ERR_UNSUPPORTED /* no receive path in this build */
#endif

/* ---- private types ---- */

struct sioc__node_ns {
    char name[SIOC_NODE_NAME_MAX + 1];
    uint32_t len;
    uint32_t n_peers, n_sockets;
    uint64_t next_ack_id; /* §10.2: one counter per namespace, shared with the application's own acks */
    uint64_t last_pub;    /* when this namespace last published a message (heartbeat timer, Q1) */
    struct sioc__node_peer *peers;
    uint8_t *member; /* per socket slot: 1 when the socket belongs here (local_select's `connected`) */
};

struct sioc__node_peer {
    char uid[SIOC_NODE_ID_MAX + 1];
    uint32_t len;
    uint64_t last_seen, first_seen;
    uint64_t hash;
    int confirmed; /* heard again at least half a heartbeat interval after its first message */
};

struct sioc__node_sock {
    uint8_t used, n_acks;
    uint16_t ns;
    uint32_t id_len;
    char id[SIOC_NODE_NAME_MAX + 1];
    sioc_bytes handshake, data; /* borrowed */
    void *user;
    uint64_t conn, issued_ms;
    uint32_t m_first, m_last, n_rooms; /* its memberships in join order */
    uint64_t acks[SIOC_NODE_SOCKET_ACKS]; /* ack ids of ack broadcasts it may still answer */
};

struct sioc__node_room {
    uint8_t used;
    uint16_t ns;
    uint32_t len;
    char name[SIOC_NODE_NAME_MAX + 1];
    uint32_t head, tail, count; /* members in join order */
    uint32_t sel_gen, sel_idx;  /* materialised for the current selection */
    uint32_t next_free;
};

/* One socket in one room, linked both ways: per room (join order, for selection) and per socket (join order,
   for fetchSockets' rooms and for removal). */
struct sioc__node_mship {
    uint32_t room, sock;
    uint32_t rnext, rprev, snext, sprev;
};

#if SIOC_ENABLE_REQUESTS /* built without requests the node keeps no request table (SIOC_ENABLE_REQUESTS 0) */
#define SIOC__REQ_EXPECTED 1u
#define SIOC__REQ_ANSWERED 2u
#define SIOC__REQ_GONE 3u

struct sioc__node_req {
    uint32_t handle; /* 0: free */
    uint8_t kind;    /* sioc_node_request_kind */
    uint16_t ns;
    char id[17];
    uint64_t deadline;
    void *user;
    uint32_t n_uids;  /* responders known (hash + state) */
    uint64_t missing; /* fetch / serverSideEmit: expected responders that have not answered */
    uint64_t expected_servers, servers, expected_acks, acks; /* ack broadcast (§6.3) */
    uint64_t *hash;
    uint8_t *state;
};
#endif

#define SIOC__ACK_CLIENT 1u /* a remote ack broadcast delivered here: client acks go back as type 12 */
#define SIOC__ACK_LOCAL 2u  /* our own ack broadcast: client acks become events */
#define SIOC__ACK_SSE 3u    /* a remote serverSideEmit with ack: the application owes the answer (type 10) */

struct sioc__node_ack {
    uint32_t handle; /* 0: free */
    uint8_t kind;
    uint16_t ns;
    uint64_t ack_id;
#if SIOC_ENABLE_REQUESTS
    uint32_t req; /* SIOC__ACK_LOCAL: our request */
#endif
    uint64_t expires;
    uint64_t remaining; /* sockets that may still ack */
    uint32_t req_len, id_len;
    char requester[SIOC_NODE_ID_MAX + 1];
    char request_id[SIOC_NODE_ID_MAX + 1];
};

/* Record headers in the two byte queues (copied in and out with memcpy; records start 8-aligned). */
typedef struct sioc__node_orec {
    uint32_t size; /* whole record, padded */
    uint16_t type, ns;
    uint32_t req_len; /* requester uid bytes after the header */
    uint32_t body_len, data_off, data_len, has_data;
} sioc__node_orec;

typedef struct sioc__node_erec {
    uint32_t size;
    uint16_t type, ns;
    int32_t result, msg_type;
#if SIOC_ENABLE_REQUESTS /* what only events about our own requests carry */
    int32_t request_kind;
    uint32_t request;
#endif
    uint32_t ack;
#if SIOC_ENABLE_REQUESTS
    void *user;
#endif
    const char *field;
#if SIOC_ENABLE_REQUESTS
    uint64_t client_count, missing;
#endif
    uint64_t conn;
    int64_t ack_id;
    uint32_t n_targets, n_att, n_sockets;
    uint8_t close, is_volatile, compress, has_packet;
    uint32_t uid_off, uid_len, text_off, text_len, pk_off, pk_len, tgt_off, att_off;
} sioc__node_erec;

typedef struct sioc__node_trec {
    void *user;
    uint64_t conn;
    uint32_t id_off, id_len;
} sioc__node_trec;

#define SIOC__ALIGN8(x) (((x) + 7u) & ~(size_t)7u)

/* The 64-bit public counters: inlined, each increment is a load/add/adc/store pair on 32-bit. */
static SIOC__OUTLINE void sioc__node_count(uint64_t *c) { ++*c; }

/* A deadline: a + b, saturating. */
static SIOC__OUTLINE uint64_t sioc__node_add(uint64_t a, uint64_t b) {
    return a > UINT64_MAX - b ? UINT64_MAX : a + b;
}

/* A name the application gives (namespace, socket id, room): at most SIOC_NODE_NAME_MAX bytes of UTF-8, as the
   msgpack decoders of our peers require (a JS string cannot hold anything else). */
static int sioc__node_name_ok(sioc_str s) {
    uint8_t tmp[2 + SIOC_NODE_NAME_MAX];
    if (s.len > SIOC_NODE_NAME_MAX || (s.len && !s.ptr)) return 0;
    tmp[0] = (uint8_t)0xd9; /* str8: validated by the msgpack checker */
    tmp[1] = (uint8_t)s.len;
    if (s.len) memcpy(tmp + 2, s.ptr, s.len);
    return sioc_msgpack_check(tmp, s.len + 2) == SIOC_OK;
}

/* ---- logging ---- */

#if SIOC_ENABLE_LOG
#define SIOC__NODE_LOG(n, lv, what, detail, r) sioc__node_log(n, lv, what, detail, r)
static void sioc__node_log(const sioc_node *n, sioc_log_level lv, const char *what, sioc_str detail, sioc_result r) {
    char line[192];
    sioc_buf b;
    if (!n->p_desc.logger.fn || lv > n->p_desc.logger.max_level) return;
    sioc_buf_init(&b, line, sizeof line - 1);
    sioc_buf_puts(&b, "node ");
    sioc_buf_put(&b, n->uid, n->uid_len);
    sioc_buf_puts(&b, ": ");
    sioc_buf_puts(&b, what);
    if (detail.len) {
        sioc_buf_putc(&b, ' ');
        sioc_buf_put(&b, detail.ptr, SIOC__MIN(detail.len, (size_t)64));
    }
    if (r != SIOC_OK) {
        sioc_buf_puts(&b, ": ");
        sioc_buf_puts(&b, sioc_strerror(r));
    }
    line[SIOC__MIN(b.len, sizeof line - 1)] = 0;
    n->p_desc.logger.fn(n->p_desc.logger.user, lv, line);
}
#else /* nothing evaluated: the detail's helpers (type names, string views) would stay linked */
#define SIOC__NODE_LOG(n, lv, what, detail, r) ((void)0)
#endif

/* ---- hashing and the two name indexes (open addressing, linear probing, backward-shift deletion) ---- */

static uint32_t sioc__node_hash32(uint32_t ns, const char *s, size_t len) {
    uint32_t h = 2166136261u ^ (ns * 16777619u);
    size_t i;
    for (i = 0; i < len; i++) h = (h ^ (uint8_t)s[i]) * 16777619u;
    return h ^ (h >> 15);
}

static SIOC__OUTLINE uint64_t sioc__node_hash64(const char *s, size_t len) {
    return sioc__fnv1a64(SIOC__FNV64_BASIS, s, len);
}

#define SIOC__IDX_ROOM 0
#define SIOC__IDX_SOCK 1

static uint32_t *sioc__node_idx(const sioc_node *n, int kind, uint32_t *mask) {
    *mask = kind == SIOC__IDX_ROOM ? n->p_room_mask : n->p_sock_mask;
    return kind == SIOC__IDX_ROOM ? n->p_room_index : n->p_sock_index;
}

static uint32_t sioc__node_key_hash(const sioc_node *n, int kind, uint32_t slot) {
    if (kind == SIOC__IDX_ROOM) return sioc__node_hash32(n->p_rooms[slot].ns, n->p_rooms[slot].name, n->p_rooms[slot].len);
    return sioc__node_hash32(n->p_socks[slot].ns, n->p_socks[slot].id, n->p_socks[slot].id_len);
}

static int sioc__node_key_eq(const sioc_node *n, int kind, uint32_t slot, uint32_t ns, sioc_str name) {
    if (kind == SIOC__IDX_ROOM) {
        const struct sioc__node_room *r = &n->p_rooms[slot];
        return r->ns == ns && r->len == name.len && (name.len == 0 || memcmp(r->name, name.ptr, name.len) == 0);
    } else {
        const struct sioc__node_sock *s = &n->p_socks[slot];
        return s->ns == ns && s->id_len == name.len && (name.len == 0 || memcmp(s->id, name.ptr, name.len) == 0);
    }
}

static uint32_t sioc__node_idx_find(const sioc_node *n, int kind, uint32_t ns, sioc_str name) {
    uint32_t mask, *t = sioc__node_idx(n, kind, &mask), h;
    if (name.len > SIOC_NODE_NAME_MAX) return SIOC__NIL;
    h = sioc__node_hash32(ns, name.ptr, name.len) & mask;
    while (t[h]) {
        if (sioc__node_key_eq(n, kind, t[h] - 1, ns, name)) return t[h] - 1;
        h = (h + 1) & mask;
    }
    return SIOC__NIL;
}

static void sioc__node_idx_insert(sioc_node *n, int kind, uint32_t slot) {
    uint32_t mask, *t = sioc__node_idx(n, kind, &mask), h = sioc__node_key_hash(n, kind, slot) & mask;
    while (t[h]) h = (h + 1) & mask;
    t[h] = slot + 1;
}

static void sioc__node_idx_remove(sioc_node *n, int kind, uint32_t slot) {
    uint32_t mask, *t = sioc__node_idx(n, kind, &mask), i = sioc__node_key_hash(n, kind, slot) & mask, j;
    while (t[i] && t[i] != slot + 1) i = (i + 1) & mask;
    if (!t[i]) return;
    j = i;
    for (;;) { /* move later entries of the cluster back so no lookup chain is broken */
        uint32_t k;
        j = (j + 1) & mask;
        if (!t[j]) break;
        k = sioc__node_key_hash(n, kind, t[j] - 1) & mask;
        if ((j > i && (k <= i || k > j)) || (j < i && (k <= i && k > j))) {
            t[i] = t[j];
            i = j;
        }
    }
    t[i] = 0;
}

/* ---- desc and memory ---- */

/* The defaults of the sixteen uint32_t settings from heartbeat_interval_ms to max_message_size, in that order:
   base + per_socket * max_sockets (resolved before the settings that scale with it). */
typedef char sioc__node_desc_run[offsetof(sioc_node_desc, max_message_size) -
                                         offsetof(sioc_node_desc, heartbeat_interval_ms) ==
                                     15 * sizeof(uint32_t)
                                 ? 1
                                 : -1];
/* The place of a setting in that run. An emitter's receive-side run (max_sockets .. ack_scratch_size) is 0. */
#define SIOC__NODE_RUN(f) ((offsetof(sioc_node_desc, f) - offsetof(sioc_node_desc, heartbeat_interval_ms)) / 4u)

SIOC_API sioc_node_desc sioc_node_desc_resolved(const sioc_node_desc *desc) {
    static const uint32_t base[16] = {5000, 10000, 5000, 8, 256, 64, 64, 32, 32, 64, SIOC_SIO_MAX_ATTACHMENTS, 256,
                                      16384, 278528, 2 * 278528, 262144};
    /* a DELIVER of the largest packet: the packet and its frames, + about 40 bytes per target socket */
    static const uint8_t per_socket[16] = {0, 0, 0, 0, 0, 2, 4, 0, 0, 0, 0, 0, 0, 0, 64, 0};
    sioc_node_desc d;
    uint8_t *f;
    unsigned i;
    if (desc)
        d = *desc;
    else
        memset(&d, 0, sizeof d);
    f = (uint8_t *)&d + offsetof(sioc_node_desc, heartbeat_interval_ms);
    for (i = 0; i < 16; i++, f += sizeof(uint32_t)) {
        uint32_t v;
        memcpy(&v, f, sizeof v);
        if (d.emitter_only && i >= SIOC__NODE_RUN(max_sockets) && i <= SIOC__NODE_RUN(ack_scratch_size))
            v = 0; /* no sockets, peers, requests or acks: no tables, loops over them run 0 times */
        else if (!v) /* an emitter's events are errors only: no DELIVER to hold */
            v = d.emitter_only && i == SIOC__NODE_RUN(event_queue_size) ? SIOC_NODE_EMITTER_EVENTS
                                                                        : base[i] + per_socket[i] * d.max_sockets;
        memcpy(f, &v, sizeof v);
    }
    return d;
}

/* Carve the block: each array 16-aligned. With mem NULL only the size is computed. */
enum {
    SIOC__L_NS, SIOC__L_PEERS, SIOC__L_SOCKS, SIOC__L_MEMBER, SIOC__L_ROOMS, SIOC__L_MSHIPS, SIOC__L_ROOM_IDX,
    SIOC__L_SOCK_IDX,
#if SIOC_ENABLE_REQUESTS
    SIOC__L_REQS, SIOC__L_REQ_HASH, SIOC__L_REQ_STATE,
#endif
    SIOC__L_ACKS, SIOC__L_SEL_ROOMS,
    SIOC__L_SEL_MEMBERS, SIOC__L_SEL_OUT, SIOC__L_SEL_SCRATCH, SIOC__L_ATT, SIOC__L_TOKS, SIOC__L_SCRATCH,
    SIOC__L_OUT, SIOC__L_EV, SIOC__L_COUNT
};

typedef struct sioc__node_layout {
    size_t off[SIOC__L_COUNT], total;
    uint32_t room_mask, sock_mask, req_cap;
} sioc__node_layout;

static uint32_t sioc__node_pow2(uint32_t v) {
    uint32_t p = 16;
    while (p < v && p < 0x80000000u) p <<= 1;
    return p;
}

/* Each array holds a * b items of `unit` bytes; a and b name a count: below SIOC__LC_DESC one of the derived
   counts, else the offset of a uint32_t field of sioc_node_desc. */
#define SIOC__LC_ONE 0
#define SIOC__LC_ROOM_IDX 1
#define SIOC__LC_SOCK_IDX 2
#define SIOC__LC_REQ_CAP 3
#define SIOC__LC_DESC 4
#define SIOC__LD(f) (uint8_t) offsetof(sioc_node_desc, f)
typedef struct sioc__node_array {
    uint8_t a, b;
    uint16_t unit;
} sioc__node_array;
/* The units fit 16 bits for any SIOC_NODE_NAME_MAX (<= 255: names travel as str8), SIOC_NODE_ID_MAX and
   SIOC_NODE_SOCKET_ACKS a device would set. */
typedef char sioc__node_units_fit[sizeof(struct sioc__node_sock) < 65536 && sizeof(struct sioc__node_ack) < 65536 &&
                                          sizeof(struct sioc__node_peer) < 65536 &&
                                          offsetof(sioc_node_desc, max_message_size) < 256
                                      ? 1
                                      : -1];

static int sioc__node_plan(const sioc_node_desc *d, sioc__node_layout *L) {
    static const sioc__node_array arrays[SIOC__L_COUNT] = {
        {SIOC__LC_ONE, SIOC__LD(max_namespaces), sizeof(struct sioc__node_ns)},
        {SIOC__LD(max_namespaces), SIOC__LD(max_peers), sizeof(struct sioc__node_peer)},
        {SIOC__LC_ONE, SIOC__LD(max_sockets), sizeof(struct sioc__node_sock)},
        {SIOC__LD(max_namespaces), SIOC__LD(max_sockets), 1},
        {SIOC__LC_ONE, SIOC__LD(max_rooms), sizeof(struct sioc__node_room)},
        {SIOC__LC_ONE, SIOC__LD(max_memberships), sizeof(struct sioc__node_mship)},
        {SIOC__LC_ONE, SIOC__LC_ROOM_IDX, sizeof(uint32_t)},
        {SIOC__LC_ONE, SIOC__LC_SOCK_IDX, sizeof(uint32_t)},
#if SIOC_ENABLE_REQUESTS
        {SIOC__LC_ONE, SIOC__LD(max_requests), sizeof(struct sioc__node_req)},
        {SIOC__LD(max_requests), SIOC__LC_REQ_CAP, sizeof(uint64_t)},
        {SIOC__LD(max_requests), SIOC__LC_REQ_CAP, 1},
#endif
        {SIOC__LC_ONE, SIOC__LD(max_acks), sizeof(struct sioc__node_ack)},
        {SIOC__LC_ONE, SIOC__LD(max_rooms), sizeof(sioc_select_room)},
        {SIOC__LC_ONE, SIOC__LD(max_memberships), sizeof(uint32_t)},
        {SIOC__LC_ONE, SIOC__LD(max_sockets), sizeof(uint32_t)},
        {SIOC__LC_ONE, SIOC__LD(max_sockets), 1},
        {SIOC__LC_ONE, SIOC__LD(max_attachments), sizeof(sioc_bytes)},
        {SIOC__LC_ONE, SIOC__LD(max_ack_tokens), sizeof(sioc_json_tok)},
        {SIOC__LC_ONE, SIOC__LD(ack_scratch_size), 1},
        {SIOC__LC_ONE, SIOC__LD(out_queue_size), 1},
        {SIOC__LC_ONE, SIOC__LD(event_queue_size), 1}};
    uint32_t derived[SIOC__LC_DESC];
    uint64_t off = 0; /* 64-bit: with the bounds below nothing wraps, and the total is checked against size_t */
    unsigned i, k;
    /* Keep every count far from overflow on 32-bit targets; these are tables, not buffers. */
    if (d->max_namespaces > 0xfff0u || d->max_sockets > 0x100000u || d->max_rooms > 0x400000u ||
        d->max_memberships > 0x1000000u || d->max_peers > 0x1000u || d->max_requests > 0x1000u ||
        d->max_acks > 0x100000u || d->max_attachments > 0x10000u || d->max_ack_tokens > 0x100000u)
        return 0;
    if (d->max_rooms < d->max_sockets || d->max_memberships < d->max_sockets) return 0;
    L->room_mask = sioc__node_pow2(2 * d->max_rooms) - 1;
    L->sock_mask = sioc__node_pow2(2 * d->max_sockets) - 1;
    L->req_cap = d->max_peers + 8;
    derived[SIOC__LC_ONE] = 1;
    derived[SIOC__LC_ROOM_IDX] = L->room_mask + 1;
    derived[SIOC__LC_SOCK_IDX] = L->sock_mask + 1;
    derived[SIOC__LC_REQ_CAP] = L->req_cap;
    for (i = 0; i < SIOC__L_COUNT; i++) {
        uint64_t bytes = arrays[i].unit;
        for (k = 0; k < 2; k++) {
            unsigned c = k ? arrays[i].b : arrays[i].a;
            uint32_t v;
            if (c < SIOC__LC_DESC)
                v = derived[c];
            else
                memcpy(&v, (const char *)d + c, sizeof v);
            bytes *= v;
        }
        L->off[i] = (size_t)off;
        off += (bytes + 15u) & ~(uint64_t)15u;
    }
    if (off > (uint64_t)(SIZE_MAX / 2)) return 0;
    L->total = (size_t)off;
    return 1;
}
#undef SIOC__LD

SIOC_API size_t sioc_node_heap_size(const sioc_node_desc *desc) {
    sioc_node_desc d = sioc_node_desc_resolved(desc);
    sioc__node_layout L;
    return sioc__node_plan(&d, &L) ? L.total : 0;
}

static sioc_result sioc__node_random_hex(sioc_node *n, char *out /* 17 bytes */) {
    uint8_t b[8];
    sioc_result r;
    if (!n->p_desc.random) return SIOC_ERR_DEPENDENCY;
    r = n->p_desc.random(n->p_desc.user, b, sizeof b);
    if (r != SIOC_OK) return r;
    return sioc_hex_encode(b, sizeof b, out, 17);
}

static uint32_t sioc__node_ns_create(sioc_node *n, sioc_str name, uint64_t now);

static sioc_result sioc__node_setup(sioc_node *n, const sioc_node_desc *desc, void *mem, int owns) {
    sioc_node_desc d = sioc_node_desc_resolved(desc);
    sioc__node_layout L;
    uint8_t *m;
    uint32_t i;
    sioc_result r;
    memset(n, 0, sizeof *n);
    n->p_desc = d;
    if (!sioc__node_plan(&d, &L) || d.heartbeat_interval_ms >= d.heartbeat_timeout_ms) {
        if (owns) sioc__free(&d.allocator, mem, L.total);
        return SIOC_ERR_ARG;
    }
    n->p_mem = mem;
    n->p_mem_size = L.total;
    n->p_owns_mem = owns;
    m = (uint8_t *)mem;
    memset(m, 0, L.off[SIOC__L_OUT]); /* the tables; the two queues (at the end) need no clearing */
    n->p_ns = (struct sioc__node_ns *)(void *)(m + L.off[SIOC__L_NS]);
    n->p_peers = (struct sioc__node_peer *)(void *)(m + L.off[SIOC__L_PEERS]);
    n->p_socks = (struct sioc__node_sock *)(void *)(m + L.off[SIOC__L_SOCKS]);
    n->p_member = m + L.off[SIOC__L_MEMBER];
    n->p_rooms = (struct sioc__node_room *)(void *)(m + L.off[SIOC__L_ROOMS]);
    n->p_mships = (struct sioc__node_mship *)(void *)(m + L.off[SIOC__L_MSHIPS]);
    n->p_room_index = (uint32_t *)(void *)(m + L.off[SIOC__L_ROOM_IDX]);
    n->p_sock_index = (uint32_t *)(void *)(m + L.off[SIOC__L_SOCK_IDX]);
    n->p_room_mask = L.room_mask;
    n->p_sock_mask = L.sock_mask;
#if SIOC_ENABLE_REQUESTS
    n->p_reqs = (struct sioc__node_req *)(void *)(m + L.off[SIOC__L_REQS]);
    n->p_req_hash = (uint64_t *)(void *)(m + L.off[SIOC__L_REQ_HASH]);
    n->p_req_state = m + L.off[SIOC__L_REQ_STATE];
    n->p_req_cap = L.req_cap;
#endif
    n->p_acks = (struct sioc__node_ack *)(void *)(m + L.off[SIOC__L_ACKS]);
    n->p_sel_rooms = (sioc_select_room *)(void *)(m + L.off[SIOC__L_SEL_ROOMS]);
    n->p_sel_members = (uint32_t *)(void *)(m + L.off[SIOC__L_SEL_MEMBERS]);
    n->p_sel_out = (uint32_t *)(void *)(m + L.off[SIOC__L_SEL_OUT]);
    n->p_sel_scratch = m + L.off[SIOC__L_SEL_SCRATCH];
    n->p_att = (sioc_bytes *)(void *)(m + L.off[SIOC__L_ATT]);
    n->p_toks = (sioc_json_tok *)(void *)(m + L.off[SIOC__L_TOKS]);
    n->p_scratch = m + L.off[SIOC__L_SCRATCH];
    sioc_bq_init(&n->p_out, m + L.off[SIOC__L_OUT], d.out_queue_size);
    sioc_bq_init(&n->p_ev, m + L.off[SIOC__L_EV], d.event_queue_size);
    for (i = 0; i < d.max_namespaces; i++) {
        n->p_ns[i].peers = n->p_peers + (size_t)i * d.max_peers;
        n->p_ns[i].member = n->p_member + (size_t)i * d.max_sockets;
    }
    /* an emitter has no requests, rooms or memberships: their tables stay zero */
#if SIOC_ENABLE_REQUESTS
    for (i = 0; i < d.max_requests && !SIOC__NODE_EMITTER(n); i++) {
        n->p_reqs[i].hash = n->p_req_hash + (size_t)i * L.req_cap;
        n->p_reqs[i].state = n->p_req_state + (size_t)i * L.req_cap;
    }
#endif
    for (i = 0; i < d.max_rooms && !SIOC__NODE_EMITTER(n); i++)
        n->p_rooms[i].next_free = i + 1 < d.max_rooms ? i + 1 : SIOC__NIL;
    for (i = 0; i < d.max_memberships && !SIOC__NODE_EMITTER(n); i++)
        n->p_mships[i].rnext = i + 1 < d.max_memberships ? i + 1 : SIOC__NIL;
    n->p_room_free = 0;
    n->p_mship_free = 0;
    n->p_sel_gen = 1;
    if (d.emitter_only) {
        memcpy(n->uid, SIOC_NODE_EMITTER_UID, sizeof SIOC_NODE_EMITTER_UID);
        n->uid_len = sizeof SIOC_NODE_EMITTER_UID - 1;
    } else {
        r = sioc__node_random_hex(n, n->uid);
        if (r != SIOC_OK) {
            sioc_node_free(n);
            return r;
        }
        n->uid_len = 16;
    }
    n->state = SIOC_NODE_STARTING;
    (void)sioc__node_ns_create(n, sioc_str_n("/", 1), 0); /* every server has the main namespace */
    return SIOC_OK;
}

SIOC_API sioc_result sioc_node_init(sioc_node *n, const sioc_node_desc *desc) {
    sioc_node_desc d = sioc_node_desc_resolved(desc);
    size_t size = sioc_node_heap_size(&d);
    void *mem;
    memset(n, 0, sizeof *n);
    if (!SIOC_ENABLE_RECEIVE && !d.emitter_only) return SIOC_ERR_UNSUPPORTED; /* a receiving node is not built in */
    if (!d.random && !d.emitter_only) return SIOC_ERR_DEPENDENCY;
#if !SIOC_ENABLE_LIBC_MALLOC
    if (!d.allocator.alloc) return SIOC_ERR_DEPENDENCY;
#endif
    if (size == 0 || d.heartbeat_interval_ms >= d.heartbeat_timeout_ms) return SIOC_ERR_ARG;
    mem = sioc__alloc(&d.allocator, size);
    if (!mem) return SIOC_ERR_NOMEM;
    return sioc__node_setup(n, &d, mem, 1);
}

SIOC_API sioc_result sioc_node_init_preallocated(sioc_node *n, const sioc_node_desc *desc, void *mem) {
    sioc_node_desc d = sioc_node_desc_resolved(desc);
    memset(n, 0, sizeof *n);
    if (!SIOC_ENABLE_RECEIVE && !d.emitter_only) return SIOC_ERR_UNSUPPORTED;
    if (!d.random && !d.emitter_only) return SIOC_ERR_DEPENDENCY;
    if (!mem || sioc_node_heap_size(&d) == 0) return SIOC_ERR_ARG;
    return sioc__node_setup(n, &d, mem, 0);
}

SIOC_API void sioc_node_free(sioc_node *n) {
    if (n->p_owns_mem && n->p_mem) sioc__free(&n->p_desc.allocator, n->p_mem, n->p_mem_size);
    n->p_mem = NULL;
    n->p_owns_mem = 0;
    n->state = SIOC_NODE_CLOSED;
    n->p_n_ns = 0;
    n->p_sock_hwm = n->p_sock_live = 0;
    n->p_out_count = 0;
    sioc_bq_init(&n->p_out, NULL, 0);
    sioc_bq_init(&n->p_ev, NULL, 0);
}

/* ---- queues ---- */

/* Contiguous free space at the tail of q, compacting first when that gives at least `want` bytes. */
static uint8_t *sioc__node_q_room(sioc_bq *q, size_t want, size_t *room) {
    if (q->cap - q->tail < want && q->head > 0) {
        memmove(q->buf, q->buf + q->head, q->tail - q->head);
        q->tail -= q->head;
        q->head = 0;
    }
    *room = q->cap - q->tail;
    return q->buf + q->tail;
}

/* Event writer: appends parts to a region, counting what did not fit (len > cap means "too small"). */
typedef struct sioc__evw {
    uint8_t *p;
    size_t cap, len;
} sioc__evw;

static uint32_t sioc__evw_put(sioc__evw *w, const void *src, size_t n) {
    size_t off = w->len;
    if (n && off <= w->cap && n <= w->cap - off) {
        if (src)
            memcpy(w->p + off, src, n);
        else
            memset(w->p + off, 0, n); /* reserved, filled in later */
    }
    w->len += n;
    return (uint32_t)off;
}

static void sioc__evw_set(sioc__evw *w, size_t off, const void *src, size_t n) {
    if (off <= w->cap && n <= w->cap - off) memcpy(w->p + off, src, n);
}

/* A sioc_buf over the rest of the writer's region. */
static void sioc__evw_buf(sioc__evw *w, sioc_buf *b) {
    if (w->len < w->cap)
        sioc_buf_init(b, w->p + w->len, w->cap - w->len);
    else
        sioc_buf_init(b, NULL, 0);
}

typedef sioc_result (*sioc__node_fill_fn)(sioc_node *n, sioc__evw *w, sioc__node_erec *h, const void *ctx);

/* Queue one event: `fill` appends the variable parts after the header (and may be run twice, the second time
   after compaction). SIOC_OK, the fill's own error, or SIOC_ERR_BUFFER_TOO_SMALL (counted, event lost). */
static sioc_result sioc__node_emit_fill(sioc_node *n, const sioc__node_erec *proto, sioc__node_fill_fn fill,
                                        const void *ctx) {
    int attempt;
    size_t hdr = SIOC__ALIGN8(sizeof(sioc__node_erec));
    if (!n->p_ev.buf) return SIOC_ERR_STATE;
    for (attempt = 0; attempt < 2; attempt++) {
        sioc__evw w;
        sioc__node_erec h = *proto;
        sioc_result r = SIOC_OK;
        w.p = sioc__node_q_room(&n->p_ev, attempt ? (size_t)-1 : 0, &w.cap);
        w.len = hdr;
        if (fill) r = fill(n, &w, &h, ctx);
        if (r != SIOC_OK) return r;
        w.len = SIOC__ALIGN8(w.len);
        if (w.len <= w.cap) {
            h.size = (uint32_t)w.len;
            memcpy(w.p, &h, sizeof h);
            sioc_bq_commit(&n->p_ev, w.len);
            return SIOC_OK;
        }
        if (n->p_ev.head == 0 || w.len > n->p_ev.cap - (n->p_ev.tail - n->p_ev.head)) break;
    }
    sioc__node_count(&n->counters.events_dropped);
    SIOC__NODE_LOG(n, SIOC_LOG_WARN, "event queue full, event dropped", sioc_str_c(sioc_node_event_name(proto->type)),
                   SIOC_ERR_BUFFER_TOO_SMALL);
    return SIOC_ERR_BUFFER_TOO_SMALL;
}

typedef struct sioc__node_simple {
    sioc_str uid;
    sioc_bytes pk;
} sioc__node_simple;

static sioc_result sioc__node_fill_simple(sioc_node *n, sioc__evw *w, sioc__node_erec *h, const void *ctx) {
    const sioc__node_simple *s = (const sioc__node_simple *)ctx;
    (void)n;
    h->uid_len = (uint32_t)s->uid.len;
    h->uid_off = sioc__evw_put(w, s->uid.ptr, s->uid.len);
    h->pk_len = (uint32_t)s->pk.len;
    h->pk_off = sioc__evw_put(w, s->pk.ptr, s->pk.len);
    return SIOC_OK;
}

static void sioc__node_erec_init(sioc__node_erec *h, int type, uint32_t ns) {
    memset(h, 0, sizeof *h);
    h->type = (uint16_t)type;
    h->ns = (uint16_t)(ns == SIOC__NIL ? SIOC__NS_NONE : ns);
    h->ack_id = -1;
}

/* An event with the peer uid and the packet (each NULL: none); pointers keep the many call sites short. */
static void sioc__node_emit(sioc_node *n, const sioc__node_erec *h, const sioc_str *uid, const sioc_bytes *pk) {
    sioc__node_simple s;
    memset(&s, 0, sizeof s);
    if (uid) s.uid = *uid;
    if (pk) s.pk = *pk;
    (void)sioc__node_emit_fill(n, h, sioc__node_fill_simple, &s);
}

static void sioc__node_error(sioc_node *n, uint32_t ns, sioc_result r, int msg_type, const char *field,
                             const sioc_str *uid /* NULL: none */) {
    sioc__node_erec h;
    sioc__node_erec_init(&h, SIOC_NODE_EV_ERROR, ns);
    h.result = r;
    h.msg_type = msg_type;
    h.field = field;
    sioc__node_emit(n, &h, uid, NULL);
}

SIOC_API const char *sioc_node_event_name(int type) {
    /* rows, not pointers: the words live in the table's own section, which gc-sections drops with it (literals
       share a pool that stays whole while any live code uses one of them) */
    static const char names[][17] = {"NONE",          "READY",        "NOT_READY",       "CLOSED",
                                        "PEER_UP",       "PEER_DOWN",    "DELIVER",         "DISCONNECT",
                                        "SERVER_SIDE_EMIT", "FETCH_SOCKETS", "SSE_RESPONSE", "CLIENT_COUNT",
                                        "BROADCAST_ACK", "REQUEST_DONE", "ERROR"};
    return (type >= 0 && (size_t)type < SIOC__COUNT(names)) ? names[type] : "UNKNOWN";
}

SIOC_API sioc_result sioc_node_next_event(sioc_node *n, sioc_node_event *ev) {
    sioc__node_erec h;
    const uint8_t *p;
    size_t avail;
    memset(ev, 0, sizeof *ev);
    if (!n->p_ev.buf) return SIOC_AGAIN;
    p = sioc_bq_peek(&n->p_ev, &avail);
    if (avail < sizeof h) return SIOC_AGAIN;
    memcpy(&h, p, sizeof h);
    ev->type = (sioc_node_event_type)h.type;
    if (h.ns != SIOC__NS_NONE && h.ns < n->p_n_ns)
        ev->nsp = sioc_str_n(n->p_ns[h.ns].name, n->p_ns[h.ns].len);
    else
        ev->nsp = sioc_str_n("", 0);
    ev->uid = sioc_str_n((const char *)p + h.uid_off, h.uid_len);
    ev->result = (sioc_result)h.result;
#if SIOC_ENABLE_REQUESTS
    ev->request = h.request;
    ev->request_kind = h.request_kind;
    ev->user = h.user;
#endif
    ev->text = sioc_str_n((const char *)p + h.text_off, h.text_len);
    ev->n_attachments = h.n_att;
    ev->n_targets = h.n_targets;
    ev->ack_id = h.ack_id;
    ev->is_volatile = h.is_volatile;
    ev->compress = h.compress;
    ev->close = h.close;
    ev->has_packet = h.has_packet;
    ev->packet = sioc_bytes_n(h.pk_len || h.has_packet ? p + h.pk_off : NULL, h.pk_len);
    if (SIOC_ENABLE_REQUESTS && h.type == SIOC_NODE_EV_FETCH_SOCKETS) {
        ev->sockets.data = p + h.pk_off;
        ev->sockets.len = h.pk_len;
        ev->sockets.count = h.n_sockets;
        ev->packet = sioc_bytes_n(NULL, 0);
    }
#if SIOC_ENABLE_REQUESTS
    ev->client_count = h.client_count;
#endif
    ev->ack = h.ack;
#if SIOC_ENABLE_REQUESTS
    ev->missing = h.missing;
#endif
    ev->msg_type = h.msg_type;
    ev->field = h.field;
    ev->p_rec = p;
    sioc_bq_consume(&n->p_ev, h.size);
    return SIOC_OK;
}

SIOC_API sioc_node_target sioc_node_event_target(const sioc_node_event *ev, size_t i) {
    sioc_node_target t;
    sioc__node_erec h;
    sioc__node_trec r;
    memset(&t, 0, sizeof t);
    t.id = sioc_str_n("", 0);
    if (!ev->p_rec || i >= ev->n_targets) return t;
    memcpy(&h, ev->p_rec, sizeof h);
    memcpy(&r, ev->p_rec + h.tgt_off + i * sizeof r, sizeof r);
    t.id = sioc_str_n((const char *)ev->p_rec + r.id_off, r.id_len);
    t.user = r.user;
    t.conn = r.conn;
    return t;
}

SIOC_API sioc_bytes sioc_node_event_attachment(const sioc_node_event *ev, size_t i) {
    sioc__node_erec h;
    uint32_t e[2];
    if (!ev->p_rec || i >= ev->n_attachments) return sioc_bytes_n(NULL, 0);
    memcpy(&h, ev->p_rec, sizeof h);
    memcpy(e, ev->p_rec + h.att_off + i * sizeof e, sizeof e);
    return sioc_bytes_n(ev->p_rec + e[0], e[1]);
}

/* ---- namespaces ---- */

static uint32_t sioc__node_ns_find(const sioc_node *n, sioc_str name) {
    uint32_t i;
    for (i = 0; i < n->p_n_ns; i++)
        if (n->p_ns[i].len == name.len && memcmp(n->p_ns[i].name, name.ptr, name.len) == 0) return i;
    return SIOC__NIL;
}

static SIOC__OUTLINE int sioc__node_valid_nsp(sioc_str name) {
    return name.ptr && name.len >= 1 && name.ptr[0] == '/' && sioc__node_name_ok(name);
}

typedef struct sioc__node_pub {
    int type;
    const sioc_msg_opts_desc *opts;
    sioc_bytes packet;          /* 3: packet.data; 9: [event, args]; 10, 12: the value (ptr NULL: nil) */
    const sioc_str *request_id; /* NULL: none */
    const sioc_str *rooms;
    size_t n_rooms;
    int close;
    uint64_t client_count;
    const uint32_t *socks; /* 8: socket slots */
    size_t n_socks;
    sioc_str requester; /* responses: ptr non-NULL */
    int check;          /* from the application: validate the encoded body before queueing it */
} sioc__node_pub;

static sioc_result sioc__node_publish(sioc_node *n, uint32_t ns, const sioc__node_pub *p, uint64_t now);

static void sioc__node_pub_init(sioc__node_pub *p, int type) {
    memset(p, 0, sizeof *p);
    p->type = type;
}

/* Publish a message without data (1, 2, 13). */
static sioc_result sioc__node_publish_bare(sioc_node *n, uint32_t ns, int type, uint64_t now) {
    sioc__node_pub p;
    sioc__node_pub_init(&p, type);
    return sioc__node_publish(n, ns, &p, now);
}

static uint32_t sioc__node_ns_create(sioc_node *n, sioc_str name, uint64_t now) {
    struct sioc__node_ns *s;
    uint32_t i = sioc__node_ns_find(n, name);
    if (i != SIOC__NIL) return i;
    if (!sioc__node_valid_nsp(name) || n->p_n_ns >= n->p_desc.max_namespaces) return SIOC__NIL;
    i = n->p_n_ns++;
    s = &n->p_ns[i];
    memcpy(s->name, name.ptr, name.len);
    s->name[name.len] = 0;
    s->len = (uint32_t)name.len;
    s->n_peers = s->n_sockets = 0;
    s->next_ack_id = 0;
    s->last_pub = now;
    /* A namespace that starts on a ready node announces itself (§5 rule 4). */
    if (n->state == SIOC_NODE_READY && !SIOC__NODE_EMITTER(n))
        (void)sioc__node_publish_bare(n, i, SIOC_MSG_INITIAL_HEARTBEAT, now);
    return i;
}

static sioc_result sioc__node_api_ns(sioc_node *n, sioc_str nsp, uint64_t now, uint32_t *out) {
    if (n->state >= SIOC_NODE_CLOSING || !n->p_mem) return SIOC_ERR_STATE;
    if (!sioc__node_valid_nsp(nsp)) return SIOC_ERR_ARG;
    *out = sioc__node_ns_create(n, nsp, now);
    return *out == SIOC__NIL ? SIOC_ERR_LIMIT : SIOC_OK;
}

SIOC_API sioc_result sioc_node_nsp_open(sioc_node *n, sioc_str nsp, uint64_t now_ms) {
    uint32_t ns;
    return sioc__node_api_ns(n, nsp, now_ms, &ns);
}

SIOC_API int64_t sioc_node_next_ack_id(sioc_node *n, sioc_str nsp, uint64_t now_ms) {
    uint32_t ns;
    if (sioc__node_api_ns(n, nsp, now_ms, &ns) != SIOC_OK) return -1;
    return (int64_t)(n->p_ns[ns].next_ack_id++ & 0x1fffffffffffffu);
}

/* ---- rooms and memberships ---- */

static uint32_t sioc__node_room_get(sioc_node *n, uint32_t ns, sioc_str name) {
    struct sioc__node_room *r;
    uint32_t i = sioc__node_idx_find(n, SIOC__IDX_ROOM, ns, name);
    if (i != SIOC__NIL) return i;
    if (name.len > SIOC_NODE_NAME_MAX || n->p_room_free == SIOC__NIL) return SIOC__NIL;
    i = n->p_room_free;
    r = &n->p_rooms[i];
    n->p_room_free = r->next_free;
    r->used = 1;
    r->ns = (uint16_t)ns;
    r->len = (uint32_t)name.len;
    if (name.len) memcpy(r->name, name.ptr, name.len);
    r->name[name.len] = 0;
    r->head = r->tail = SIOC__NIL;
    r->count = 0;
    r->sel_gen = 0;
    sioc__node_idx_insert(n, SIOC__IDX_ROOM, i);
    return i;
}

static void sioc__node_room_release(sioc_node *n, uint32_t i) {
    struct sioc__node_room *r = &n->p_rooms[i];
    if (r->count) return;
    sioc__node_idx_remove(n, SIOC__IDX_ROOM, i);
    r->used = 0;
    r->next_free = n->p_room_free;
    n->p_room_free = i;
}

static uint32_t sioc__node_mship_find(const sioc_node *n, uint32_t sock, uint32_t room) {
    uint32_t m;
    for (m = n->p_socks[sock].m_first; m != SIOC__NIL; m = n->p_mships[m].snext)
        if (n->p_mships[m].room == room) return m;
    return SIOC__NIL;
}

/* The socket joins the room (no-op when it is in already). SIOC_ERR_LIMIT when a table is full. */
static sioc_result sioc__node_join(sioc_node *n, uint32_t sock, sioc_str name) {
    struct sioc__node_sock *s = &n->p_socks[sock];
    struct sioc__node_room *r;
    struct sioc__node_mship *m;
    uint32_t ri, mi;
    if (name.len > SIOC_NODE_NAME_MAX) return SIOC_ERR_ARG;
    ri = sioc__node_room_get(n, s->ns, name);
    if (ri == SIOC__NIL) return SIOC_ERR_LIMIT;
    if (sioc__node_mship_find(n, sock, ri) != SIOC__NIL) return SIOC_OK;
    if (n->p_mship_free == SIOC__NIL) {
        sioc__node_room_release(n, ri);
        return SIOC_ERR_LIMIT;
    }
    mi = n->p_mship_free;
    m = &n->p_mships[mi];
    n->p_mship_free = m->rnext;
    r = &n->p_rooms[ri];
    m->room = ri;
    m->sock = sock;
    m->rnext = SIOC__NIL;
    m->rprev = r->tail;
    if (r->tail != SIOC__NIL)
        n->p_mships[r->tail].rnext = mi;
    else
        r->head = mi;
    r->tail = mi;
    r->count++;
    m->snext = SIOC__NIL;
    m->sprev = s->m_last;
    if (s->m_last != SIOC__NIL)
        n->p_mships[s->m_last].snext = mi;
    else
        s->m_first = mi;
    s->m_last = mi;
    s->n_rooms++;
    return SIOC_OK;
}

static void sioc__node_mship_unlink(sioc_node *n, uint32_t mi) {
    struct sioc__node_mship *m = &n->p_mships[mi];
    struct sioc__node_room *r = &n->p_rooms[m->room];
    struct sioc__node_sock *s = &n->p_socks[m->sock];
    if (m->rprev != SIOC__NIL) n->p_mships[m->rprev].rnext = m->rnext; else r->head = m->rnext;
    if (m->rnext != SIOC__NIL) n->p_mships[m->rnext].rprev = m->rprev; else r->tail = m->rprev;
    r->count--;
    if (m->sprev != SIOC__NIL) n->p_mships[m->sprev].snext = m->snext; else s->m_first = m->snext;
    if (m->snext != SIOC__NIL) n->p_mships[m->snext].sprev = m->sprev; else s->m_last = m->sprev;
    s->n_rooms--;
    sioc__node_room_release(n, m->room);
    m->rnext = n->p_mship_free;
    n->p_mship_free = mi;
}

static void sioc__node_leave(sioc_node *n, uint32_t sock, sioc_str name) {
    uint32_t ri = sioc__node_idx_find(n, SIOC__IDX_ROOM, n->p_socks[sock].ns, name), mi;
    if (ri == SIOC__NIL) return;
    mi = sioc__node_mship_find(n, sock, ri);
    if (mi != SIOC__NIL) sioc__node_mship_unlink(n, mi);
}

/* ---- sockets ---- */

static SIOC__OUTLINE uint32_t sioc__node_sock_find(const sioc_node *n, uint32_t ns, sioc_str id) {
    if (ns == SIOC__NIL) return SIOC__NIL;
    return sioc__node_idx_find(n, SIOC__IDX_SOCK, ns, id);
}

/* Slots are handed out in increasing order so that slot order is connection order (what local_select walks
   for "every socket"); holes left by removals are squeezed out when the end is reached. */
static void sioc__node_sock_compact(sioc_node *n) {
    uint32_t i, j = 0, k, m;
    for (i = 0; i < n->p_sock_hwm; i++) {
        if (!n->p_socks[i].used) continue;
        if (i != j) {
            n->p_socks[j] = n->p_socks[i];
            n->p_socks[i].used = 0;
            for (m = n->p_socks[j].m_first; m != SIOC__NIL; m = n->p_mships[m].snext) n->p_mships[m].sock = j;
        }
        j++;
    }
    n->p_sock_hwm = j;
    memset(n->p_sock_index, 0, ((size_t)n->p_sock_mask + 1) * sizeof(uint32_t));
    for (k = 0; k < n->p_n_ns; k++) memset(n->p_ns[k].member, 0, n->p_desc.max_sockets);
    for (i = 0; i < j; i++) {
        sioc__node_idx_insert(n, SIOC__IDX_SOCK, i);
        n->p_ns[n->p_socks[i].ns].member[i] = 1;
    }
}

static struct sioc__node_ack *sioc__node_ack_find(sioc_node *n, uint32_t ns, uint64_t ack_id) {
    uint32_t i;
    for (i = 0; i < n->p_desc.max_acks; i++) {
        struct sioc__node_ack *a = &n->p_acks[i];
        if (a->handle && (a->kind == SIOC__ACK_CLIENT || a->kind == SIOC__ACK_LOCAL) && a->ns == ns &&
            a->ack_id == ack_id)
            return a;
    }
    return NULL;
}

static void sioc__node_ack_free(struct sioc__node_ack *a) { a->handle = 0; }

static void sioc__node_sock_remove(sioc_node *n, uint32_t sock) {
    struct sioc__node_sock *s = &n->p_socks[sock];
    uint32_t k;
    while (s->m_first != SIOC__NIL) sioc__node_mship_unlink(n, s->m_first);
    for (k = 0; k < s->n_acks; k++) { /* this socket will not ack: registrations can end sooner */
        struct sioc__node_ack *a = sioc__node_ack_find(n, s->ns, s->acks[k]);
        if (a && a->remaining && --a->remaining == 0 && a->kind == SIOC__ACK_CLIENT) sioc__node_ack_free(a);
    }
    sioc__node_idx_remove(n, SIOC__IDX_SOCK, sock);
    n->p_ns[s->ns].member[sock] = 0;
    n->p_ns[s->ns].n_sockets--;
    s->used = 0;
    n->p_sock_live--;
    while (n->p_sock_hwm > 0 && !n->p_socks[n->p_sock_hwm - 1].used) n->p_sock_hwm--;
}

static int sioc__node_valid_value(sioc_bytes b) {
    return b.ptr == NULL || sioc_msgpack_check(b.ptr, b.len) == SIOC_OK;
}

SIOC_API sioc_result sioc_node_socket_add(sioc_node *n, sioc_str nsp, sioc_str id, const sioc_node_socket_desc *sd,
                                          uint64_t now_ms) {
    struct sioc__node_sock *s;
    uint32_t ns, slot;
    sioc_result r;
    if (SIOC__NODE_EMITTER(n)) return SIOC_ERR_STATE;
    if (!id.ptr || id.len == 0 || !sioc__node_name_ok(id)) return SIOC_ERR_ARG;
    if (sd && (!sioc__node_valid_value(sd->handshake) || !sioc__node_valid_value(sd->data))) return SIOC_ERR_ARG;
    r = sioc__node_api_ns(n, nsp, now_ms, &ns);
    if (r != SIOC_OK) return r;
    if (sioc__node_sock_find(n, ns, id) != SIOC__NIL) return SIOC_ERR_ARG;
    if (n->p_sock_live >= n->p_desc.max_sockets) return SIOC_ERR_LIMIT;
    if (n->p_sock_hwm >= n->p_desc.max_sockets) sioc__node_sock_compact(n);
    slot = n->p_sock_hwm++;
    s = &n->p_socks[slot];
    memset(s, 0, sizeof *s);
    s->used = 1;
    s->ns = (uint16_t)ns;
    s->id_len = (uint32_t)id.len;
    memcpy(s->id, id.ptr, id.len);
    s->m_first = s->m_last = SIOC__NIL;
    if (sd) {
        s->handshake = sd->handshake;
        s->data = sd->data;
        s->user = sd->user;
        s->conn = sd->conn;
        s->issued_ms = sd->issued_ms;
    }
    sioc__node_idx_insert(n, SIOC__IDX_SOCK, slot);
    n->p_ns[ns].member[slot] = 1;
    n->p_ns[ns].n_sockets++;
    n->p_sock_live++;
    r = sioc__node_join(n, slot, id); /* every socket is in the room named by its id (§4.2) */
    if (r != SIOC_OK) {
        sioc__node_sock_remove(n, slot);
        return r;
    }
    return SIOC_OK;
}

static sioc_result sioc__node_sock_lookup(const sioc_node *n, sioc_str nsp, sioc_str id, uint32_t *out) {
    uint32_t ns = sioc__node_ns_find(n, nsp);
    *out = sioc__node_sock_find(n, ns, id);
    return *out == SIOC__NIL ? SIOC_ERR_NOT_FOUND : SIOC_OK;
}

SIOC_API sioc_result sioc_node_socket_remove(sioc_node *n, sioc_str nsp, sioc_str id) {
    uint32_t s;
    sioc_result r = sioc__node_sock_lookup(n, nsp, id, &s);
    if (r == SIOC_OK) sioc__node_sock_remove(n, s);
    return r;
}

SIOC_API sioc_result sioc_node_socket_join(sioc_node *n, sioc_str nsp, sioc_str id, sioc_str room) {
    uint32_t s;
    sioc_result r = sioc__node_sock_lookup(n, nsp, id, &s);
    if (r != SIOC_OK) return r;
    if (!sioc__node_name_ok(room)) return SIOC_ERR_ARG;
    return sioc__node_join(n, s, room);
}

SIOC_API sioc_result sioc_node_socket_leave(sioc_node *n, sioc_str nsp, sioc_str id, sioc_str room) {
    uint32_t s;
    sioc_result r = sioc__node_sock_lookup(n, nsp, id, &s);
    if (r != SIOC_OK) return r;
    if (!room.ptr && room.len) return SIOC_ERR_ARG;
    sioc__node_leave(n, s, room);
    return SIOC_OK;
}

SIOC_API sioc_result sioc_node_socket_set_data(sioc_node *n, sioc_str nsp, sioc_str id, sioc_bytes data) {
    uint32_t s;
    sioc_result r = sioc__node_sock_lookup(n, nsp, id, &s);
    if (r != SIOC_OK) return r;
    if (!sioc__node_valid_value(data)) return SIOC_ERR_ARG;
    n->p_socks[s].data = data;
    return SIOC_OK;
}

SIOC_API sioc_result sioc_node_socket_rooms(const sioc_node *n, sioc_str nsp, sioc_str id, sioc_str *out, size_t cap,
                                            size_t *out_n) {
    uint32_t s, m;
    size_t k = 0;
    sioc_result r = sioc__node_sock_lookup(n, nsp, id, &s);
    *out_n = 0;
    if (r != SIOC_OK) return r;
    for (m = n->p_socks[s].m_first; m != SIOC__NIL; m = n->p_mships[m].snext, k++) {
        const struct sioc__node_room *rm = &n->p_rooms[n->p_mships[m].room];
        if (k < cap) out[k] = sioc_str_n(rm->name, rm->len);
    }
    *out_n = k;
    return k > cap ? SIOC_ERR_BUFFER_TOO_SMALL : SIOC_OK;
}

SIOC_API int sioc_node_socket_exists(const sioc_node *n, sioc_str nsp, sioc_str id) {
    uint32_t s;
    return sioc__node_sock_lookup(n, nsp, id, &s) == SIOC_OK;
}

SIOC_API size_t sioc_node_socket_count(const sioc_node *n, sioc_str nsp) {
    uint32_t ns = sioc__node_ns_find(n, nsp);
    return ns == SIOC__NIL ? 0 : n->p_ns[ns].n_sockets;
}

SIOC_API size_t sioc_node_peer_count(const sioc_node *n, sioc_str nsp) {
    uint32_t ns = sioc__node_ns_find(n, nsp);
    return ns == SIOC__NIL ? 0 : n->p_ns[ns].n_peers;
}

SIOC_API sioc_str sioc_node_peer_uid(const sioc_node *n, sioc_str nsp, size_t i) {
    uint32_t ns = sioc__node_ns_find(n, nsp);
    if (ns == SIOC__NIL || i >= n->p_ns[ns].n_peers) return sioc_str_n("", 0);
    return sioc_str_n(n->p_ns[ns].peers[i].uid, n->p_ns[ns].peers[i].len);
}

/* ---- selection (docs/PROTOCOL.md §4.2 through local_select) ---- */

/* local_select asks for rooms by name; the members of each room it names are copied (once per selection) from
   the room's linked list into scratch, in join order. */
static int32_t sioc__node_find_room_cb(void *user, sioc_str name) {
    sioc_node *n = (sioc_node *)user;
    uint32_t ri = sioc__node_idx_find(n, SIOC__IDX_ROOM, n->p_sel_ns, name), m, k;
    struct sioc__node_room *r;
    sioc_select_room *sr;
    if (ri == SIOC__NIL) return -1;
    r = &n->p_rooms[ri];
    if (r->sel_gen == n->p_sel_gen) return (int32_t)r->sel_idx;
    k = n->p_sel_n_rooms++;
    sr = &n->p_sel_rooms[k];
    sr->name = sioc_str_n(r->name, r->len);
    sr->members = n->p_sel_members + n->p_sel_used;
    sr->n_members = r->count;
    for (m = r->head; m != SIOC__NIL; m = n->p_mships[m].rnext) n->p_sel_members[n->p_sel_used++] = n->p_mships[m].sock;
    r->sel_gen = n->p_sel_gen;
    r->sel_idx = k;
    return (int32_t)k;
}

/* Selected socket slots of namespace ns into n->p_sel_out; returns how many. */
static size_t sioc__node_select(sioc_node *n, uint32_t ns, const sioc_msg_opts *mo, const sioc_msg_opts_desc *mo_desc) {
    sioc_select_table t;
    size_t count = 0;
    sioc_result r;
    if (++n->p_sel_gen == 0) { /* wrapped: forget every stamp */
        uint32_t i;
        for (i = 0; i < n->p_desc.max_rooms; i++) n->p_rooms[i].sel_gen = 0;
        n->p_sel_gen = 1;
    }
    n->p_sel_ns = ns;
    n->p_sel_n_rooms = 0;
    n->p_sel_used = 0;
    memset(&t, 0, sizeof t);
    t.n_sockets = n->p_sock_hwm;
    t.connected = n->p_ns[ns].member;
    t.rooms = n->p_sel_rooms;
    t.n_rooms = n->p_desc.max_rooms;
    t.find_room = sioc__node_find_room_cb;
    t.user = n;
    if (mo)
        r = sioc_select_sockets(&t, mo, n->p_sel_scratch, n->p_sel_out, n->p_desc.max_sockets, &count);
    else
        r = sioc_select_sockets_desc(&t, mo_desc, n->p_sel_scratch, n->p_sel_out, n->p_desc.max_sockets, &count);
    return r == SIOC_OK ? count : 0; /* cannot overflow: each socket is selected at most once */
}

/* ---- publishing ---- */

/* A JS Date as Date.prototype.toString prints it in UTC: "Thu Jan 01 1970 00:00:00 GMT+0000 (Coordinated Universal
   Time)"; "Invalid Date" beyond the JS range (8.64e15 ms). Returns the length (out: 80 bytes). */
static size_t sioc__node_date_string(uint64_t ms, char *out) {
    static const char wd[] = "ThuFriSatSunMonTueWed", mn[] = "JanFebMarAprMayJunJulAugSepOctNovDec";
    static const char tail[] = " GMT+0000 (Coordinated Universal Time)";
    uint32_t in_day, days, year;
    int64_t y;
    unsigned mo, d, sec, k;
    char *p = out, digits[8];
    if (ms > 8640000000000000u) {
        memcpy(out, "Invalid Date", 12);
        return 12;
    }
    /* in range, the day count and the year fit 32 bits (1e8 days, year 275760) */
    days = (uint32_t)sioc__udiv64(ms, 86400000u, &in_day);
    sec = (unsigned)(in_day / 1000u);
    sioc__civil_from_days((int64_t)days, &y, &mo, &d);
    memcpy(p, wd + 3 * (days % 7u), 3); /* 1970-01-01 was a Thursday */
    p[3] = ' ';
    memcpy(p + 4, mn + 3 * (mo - 1), 3);
    p[7] = ' ';
    p[8] = (char)('0' + d / 10);
    p[9] = (char)('0' + d % 10);
    p[10] = ' ';
    p += 11;
    for (k = 0, year = (uint32_t)y; year > 0 || k < 4; year /= 10u) /* at least 4 digits */
        digits[k++] = (char)('0' + year % 10u);
    while (k > 0) *p++ = digits[--k];
    *p++ = ' ';
    for (k = 0; k < 3; k++) {
        unsigned v = k == 0 ? sec / 3600u : k == 1 ? sec / 60u % 60u : sec % 60u;
        if (k) *p++ = ':';
        *p++ = (char)('0' + v / 10);
        *p++ = (char)('0' + v % 10);
    }
    memcpy(p, tail, sizeof tail - 1);
    return (size_t)(p - out) + sizeof tail - 1;
}

/* The handshake of a socket the application gave none: the nine keys Node sends (docs/PROTOCOL.md §3), in its order,
   with neutral values and the connection time the application gave (issued_ms). */
static void sioc__node_write_handshake(sioc_msgpack_writer *w, uint64_t issued_ms) {
    /* each key, already a msgpack fixstr, after the kind of its value: '{' an empty map, 'd' the time, 'a' "",
       'f' false, 'i' issued, 'u' "/" */
    static const char keys[] = "{\xa7" "headers" "d\xa4" "time" "a\xa7" "address" "f\xa7" "xdomain" "f\xa6" "secure"
                               "i\xa6" "issued" "u\xa3" "url" "{\xa5" "query" "{\xa4" "auth";
    const char *k = keys;
    char date[80];
    int i;
    sioc_msgpack_write_map(w, 9);
    for (i = 0; i < 9; i++, k += 2 + (k[1] & 31)) {
        sioc_msgpack_write_raw(w, k + 1, 1 + (size_t)(k[1] & 31));
        switch (k[0]) {
        case '{': sioc_msgpack_write_map(w, 0); break;
        case 'd': sioc_msgpack_write_str(w, date, sioc__node_date_string(issued_ms, date)); break;
        case 'f': sioc_msgpack_write_bool(w, 0); break;
        case 'i': sioc_msgpack_write_uint(w, issued_ms); break;
        default: sioc_msgpack_write_str(w, "/", k[0] == 'u'); break; /* "/" or "" */
        }
    }
}

/* One socket of a fetchSockets answer: {id, handshake, rooms, data} (docs/PROTOCOL.md §3, what sioc_msg_write_socket
   writes, with the rooms taken straight from the membership list). */
static void sioc__node_write_socket(const sioc_node *n, sioc_msgpack_writer *w, uint32_t slot) {
    const struct sioc__node_sock *s = &n->p_socks[slot];
    uint32_t m;
    sioc_msgpack_write_map(w, 4);
    sioc_msgpack_write_cstr(w, "id");
    sioc_msgpack_write_str(w, s->id, s->id_len);
    sioc_msgpack_write_cstr(w, "handshake");
    if (s->handshake.ptr)
        sioc_msgpack_write_raw(w, s->handshake.ptr, s->handshake.len);
    else
        sioc__node_write_handshake(w, s->issued_ms);
    sioc_msgpack_write_cstr(w, "rooms");
    sioc_msgpack_write_array(w, s->n_rooms);
    for (m = s->m_first; m != SIOC__NIL; m = n->p_mships[m].snext) {
        const struct sioc__node_room *r = &n->p_rooms[n->p_mships[m].room];
        sioc_msgpack_write_str(w, r->name, r->len);
    }
    sioc_msgpack_write_cstr(w, "data");
    if (s->data.ptr)
        sioc_msgpack_write_raw(w, s->data.ptr, s->data.len);
    else
        sioc_msgpack_write_map(w, 0);
}

static void sioc__node_write_data(const sioc_node *n, sioc_msgpack_writer *w, const sioc__node_pub *p) {
    size_t i;
    /* Answers go only to requests received: a publish-only build leaves their writers out (sioc__node_publish
       refuses the types there). */
    switch (p->type) {
    case SIOC_MSG_BROADCAST: sioc_msg_write_broadcast(w, p->opts, p->packet, p->request_id); break;
    case SIOC_MSG_SOCKETS_JOIN:
    case SIOC_MSG_SOCKETS_LEAVE: sioc_msg_write_sockets_rooms(w, p->opts, p->rooms, p->n_rooms); break;
    case SIOC_MSG_DISCONNECT_SOCKETS: sioc_msg_write_disconnect_sockets(w, p->opts, p->close); break;
    case SIOC_MSG_FETCH_SOCKETS: /* a request: an emitter, or a build without requests, sends none */
        if (SIOC_ENABLE_RECEIVE && SIOC_ENABLE_REQUESTS) sioc_msg_write_fetch_sockets(w, p->opts, *p->request_id);
        break;
    case SIOC_MSG_FETCH_SOCKETS_RESPONSE:
        if (!SIOC_ENABLE_RECEIVE) break;
        sioc_msg_write_fetch_sockets_response(w, *p->request_id, (uint32_t)p->n_socks);
        for (i = 0; i < p->n_socks; i++) sioc__node_write_socket(n, w, p->socks[i]);
        break;
    case SIOC_MSG_SERVER_SIDE_EMIT: sioc_msg_write_server_side_emit(w, p->request_id, p->packet); break;
    case SIOC_MSG_SERVER_SIDE_EMIT_RESPONSE:
    case SIOC_MSG_BROADCAST_ACK:
        if (SIOC_ENABLE_RECEIVE) sioc_msg_write_ack_response(w, *p->request_id, p->packet);
        break;
    case SIOC_MSG_BROADCAST_CLIENT_COUNT:
        if (SIOC_ENABLE_RECEIVE) sioc_msg_write_client_count(w, *p->request_id, p->client_count);
        break;
    default: break;
    }
}

/* The SNS Message: the decimal type, a view into "0".."9" then "10".."13" in one string. */
static sioc_str sioc__node_type_text(int type) {
    static const char digits[] = "012345678910111213";
    unsigned t = (unsigned)type;
    return t < 10 ? sioc_str_n(digits + t, 1) : sioc_str_n(digits + 10 + 2 * (t - 10), 2);
}

/* Encode the message once, as the Azure body with the AWS data inside it, into the out queue. */
static sioc_result sioc__node_publish(sioc_node *n, uint32_t ns, const sioc__node_pub *p, uint64_t now) {
    const struct sioc__node_ns *s = &n->p_ns[ns];
    size_t hdr = SIOC__ALIGN8(sizeof(sioc__node_orec));
    size_t req_len = SIOC_ENABLE_RECEIVE && p->requester.ptr ? p->requester.len : 0; /* answers only */
    int has_data = sioc_msg_has_data(p->type), attempt;
    sioc_result r = SIOC_OK;
    if (!n->p_out.buf) return SIOC_ERR_STATE;
    /* A publish-only build answers nothing: only a received request (or ack) leads here with an answer type. */
    if (!SIOC_ENABLE_RECEIVE && sioc_msg_is_response(p->type)) return SIOC_ERR_UNSUPPORTED;
    for (attempt = 0; attempt < 2; attempt++) {
        size_t room, data_start = 0, data_end = 0, aws, total;
        uint8_t *dst = sioc__node_q_room(&n->p_out, attempt ? (size_t)-1 : 0, &room);
        sioc_buf b;
        sioc_msgpack_writer w;
        sioc__node_orec h;
        if (room < hdr + req_len) {
            sioc_buf_init(&b, NULL, 0);
            b.len = 1; /* too small: only the retry decision below matters */
            r = SIOC_ERR_BUFFER_TOO_SMALL;
        } else {
            sioc_buf_init(&b, dst + hdr + req_len, room - hdr - req_len);
            sioc_msgpack_writer_init(&w, &b);
            sioc_msg_azure_begin(&w, p->type, has_data);
            data_start = b.len;
            if (has_data) sioc__node_write_data(n, &w, p);
            data_end = b.len;
            sioc_msg_azure_end(&w, sioc_str_n(n->uid, n->uid_len), sioc_str_n(s->name, s->len));
            r = sioc_msgpack_writer_finish(&w);
        }
        total = SIOC__ALIGN8(hdr + req_len + b.len);
        if (r == SIOC_OK) {
            /* SNS counts Message + attribute names, data types and values (docs/AWS.md §7). */
            aws = (p->type >= 10 ? 2u : 1u) + 3 + 6 + s->len + 3 + 6 + n->uid_len;
            if (req_len) aws += 12 + 6 + req_len;
            if (has_data) aws += 4 + 6 + (data_end - data_start);
            if (aws > n->p_desc.max_message_size || b.len > n->p_desc.max_message_size) return SIOC_ERR_TOO_LARGE;
            /* Application strings (opts rooms, values) must decode on every peer: UTF-8, no "__proto__" (Q14). */
            if (p->check && sioc_msgpack_check_depth(dst + hdr + req_len, b.len, SIOC_MSGPACK_WRITE_DEPTH) != SIOC_OK)
                return SIOC_ERR_ARG;
            memset(&h, 0, sizeof h);
            h.size = (uint32_t)total;
            h.type = (uint16_t)p->type;
            h.ns = (uint16_t)ns;
            h.req_len = (uint32_t)req_len;
            h.body_len = (uint32_t)b.len;
            h.data_off = (uint32_t)data_start;
            h.data_len = (uint32_t)(data_end - data_start);
            h.has_data = (uint32_t)has_data;
            memcpy(dst, &h, sizeof h);
            if (req_len) memcpy(dst + hdr, p->requester.ptr, req_len);
            sioc_bq_commit(&n->p_out, total);
            n->p_out_count++;
            sioc__node_count(&n->counters.published);
            if (SIOC_ENABLE_RECEIVE && p->type == SIOC_MSG_HEARTBEAT) sioc__node_count(&n->counters.heartbeats);
            /* Q1: any message resets it (a publish-only build sends no answers) */
            if (!SIOC_ENABLE_RECEIVE || !sioc_msg_is_response(p->type)) n->p_ns[ns].last_pub = now;
            return SIOC_OK;
        }
        if (r != SIOC_ERR_BUFFER_TOO_SMALL) return r;
        if (b.len > n->p_desc.max_message_size) return SIOC_ERR_TOO_LARGE; /* b.len: the size it needs */
        if (n->p_out.head == 0 || total > n->p_out.cap - (n->p_out.tail - n->p_out.head)) break;
    }
    return SIOC_ERR_BUFFER_TOO_SMALL;
}

/* Publish something the protocol requires of us (answers, heartbeats): a failure is counted and reported. */
static void sioc__node_publish_internal(sioc_node *n, uint32_t ns, const sioc__node_pub *p, uint64_t now) {
    sioc_result r = sioc__node_publish(n, ns, p, now);
    if (r == SIOC_OK) return;
    sioc__node_count(&n->counters.publish_failed);
    SIOC__NODE_LOG(n, SIOC_LOG_WARN, "could not queue", sioc_str_c(sioc_msg_type_name(p->type)), r);
    sioc__node_error(n, ns, r, p->type, "publish", p->requester.ptr ? &p->requester : NULL);
}

SIOC_API size_t sioc_node_out_count(const sioc_node *n) { return n->p_out_count; }

SIOC_API sioc_result sioc_node_out_peek(const sioc_node *n, size_t i, sioc_node_out *out) {
    const uint8_t *p;
    size_t avail, k;
    sioc__node_orec h;
    size_t hdr = SIOC__ALIGN8(sizeof(sioc__node_orec));
    memset(out, 0, sizeof *out);
    if (i >= n->p_out_count) return SIOC_ERR_NOT_FOUND;
    p = sioc_bq_peek(&n->p_out, &avail);
    for (k = 0;; k++) {
        memcpy(&h, p, sizeof h);
        if (k == i) break;
        p += h.size;
    }
    out->type = h.type;
    out->message = sioc__node_type_text(h.type);
    out->nsp = sioc_str_n(n->p_ns[h.ns].name, n->p_ns[h.ns].len);
    out->uid = sioc_str_n(n->uid, n->uid_len);
    out->requester_uid = SIOC_ENABLE_RECEIVE && h.req_len ? sioc_str_n((const char *)p + hdr, h.req_len) : sioc_str_n(NULL, 0);
    out->body = sioc_bytes_n(p + hdr + h.req_len, h.body_len);
    out->data = h.has_data ? sioc_bytes_n(out->body.ptr + h.data_off, h.data_len) : sioc_bytes_n(NULL, 0);
    return SIOC_OK;
}

static SIOC__OUTLINE void sioc__node_closed_check(sioc_node *n) {
    if (n->state == SIOC_NODE_CLOSING && n->p_out_count == 0) {
        sioc__node_erec h;
        n->state = SIOC_NODE_CLOSED;
        n->ready = 0;
        sioc__node_erec_init(&h, SIOC_NODE_EV_CLOSED, SIOC__NIL);
        sioc__node_emit(n, &h, NULL, NULL);
        SIOC__NODE_LOG(n, SIOC_LOG_INFO, "closed", sioc_str_n("", 0), SIOC_OK);
    }
}

SIOC_API void sioc_node_out_pop(sioc_node *n, size_t count) {
    while (count-- > 0 && n->p_out_count > 0) {
        size_t avail;
        sioc__node_orec h;
        memcpy(&h, sioc_bq_peek(&n->p_out, &avail), sizeof h);
        sioc_bq_consume(&n->p_out, h.size);
        n->p_out_count--;
    }
    sioc__node_closed_check(n);
}

/* ---- delivery to local sockets (§10) ---- */

typedef struct sioc__node_deliver_ctx {
    const uint32_t *sel;
    size_t n_sel;
    sioc_bytes packet_data;
    int type; /* SIOC_SIO_EVENT, or DISCONNECT */
    int64_t ack_id;
} sioc__node_deliver_ctx;

static sioc_result sioc__node_fill_frames(sioc_node *n, sioc__evw *w, sioc__node_erec *h, const void *ctx) {
    const sioc__node_deliver_ctx *c = (const sioc__node_deliver_ctx *)ctx;
    const struct sioc__node_ns *s = &n->p_ns[h->ns];
    sioc__node_trec tr;
    size_t i, n_att = 0;
    sioc_buf b;
    sioc_bytes src;
    int in_copy = 1;
    sioc_result r;
    h->n_targets = (uint32_t)c->n_sel;
    h->tgt_off = sioc__evw_put(w, NULL, c->n_sel * sizeof tr);
    for (i = 0; i < c->n_sel; i++) {
        const struct sioc__node_sock *so = &n->p_socks[c->sel[i]];
        memset(&tr, 0, sizeof tr);
        tr.user = so->user;
        tr.conn = so->conn;
        tr.id_len = so->id_len;
        tr.id_off = sioc__evw_put(w, so->id, so->id_len);
        sioc__evw_set(w, h->tgt_off + i * sizeof tr, &tr, sizeof tr);
    }
    /* DELIVER: the packet itself goes into the event (ev->packet), and the frames are encoded from that copy, so
       the attachments are views into it rather than copies of their own. */
    src = sioc_bytes_n(NULL, 0);
    if (c->type == SIOC_SIO_EVENT) {
        h->has_packet = 1;
        h->pk_len = (uint32_t)c->packet_data.len;
        h->pk_off = sioc__evw_put(w, c->packet_data.ptr, c->packet_data.len);
        in_copy = w->len <= w->cap;
        src = in_copy ? sioc_bytes_n(w->p + h->pk_off, c->packet_data.len) : c->packet_data;
    }
    /* The packet is encoded once for every target (§10.1): the namespace is ours, the id our own ack id. */
    sioc__evw_buf(w, &b);
    r = sioc_sio_encode(&b, c->type, sioc_str_n(s->name, s->len), c->ack_id, src, n->p_att,
                        n->p_desc.max_attachments, &n_att);
    if (r == SIOC_ERR_BUFFER_TOO_SMALL && n_att > n->p_desc.max_attachments) return SIOC_ERR_LIMIT;
    if (r != SIOC_OK && r != SIOC_ERR_BUFFER_TOO_SMALL) return r;
    h->text_off = (uint32_t)w->len;
    h->text_len = (uint32_t)b.len;
    w->len += b.len;
    if (r == SIOC_ERR_BUFFER_TOO_SMALL || !in_copy) return SIOC_OK; /* w->len exceeds the room: the caller retries */
    h->n_att = (uint32_t)n_att;
    w->len = SIOC__ALIGN8(w->len);
    h->att_off = sioc__evw_put(w, NULL, n_att * 2 * sizeof(uint32_t));
    for (i = 0; i < n_att; i++) {
        uint32_t e[2];
        e[0] = (uint32_t)(n->p_att[i].ptr - w->p); /* inside the packet copy */
        e[1] = (uint32_t)n->p_att[i].len;
        sioc__evw_set(w, h->att_off + i * sizeof e, e, sizeof e);
    }
    return SIOC_OK;
}

/* Remember on each target socket that it may answer this ack id. */
static uint64_t sioc__node_sock_add_ack(sioc_node *n, uint32_t slot, uint64_t ack_id) {
    struct sioc__node_sock *s = &n->p_socks[slot];
    uint32_t k;
    if (s->n_acks == SIOC_NODE_SOCKET_ACKS) { /* drop ids whose registration is gone */
        for (k = 0; k < s->n_acks;) {
            if (!sioc__node_ack_find(n, s->ns, s->acks[k]))
                s->acks[k] = s->acks[--s->n_acks];
            else
                k++;
        }
    }
    if (s->n_acks == SIOC_NODE_SOCKET_ACKS) {
        sioc__node_count(&n->counters.limits);
        return 0;
    }
    s->acks[s->n_acks++] = ack_id;
    return 1;
}

/* Deliver a packet ([event, args...]) to the selected sockets; returns the number of sockets it went to (0 when
   the event could not be queued: the error is reported). */
static uint64_t sioc__node_deliver(sioc_node *n, uint32_t ns, const uint32_t *sel, size_t n_sel, sioc_bytes packet_data,
                                   int64_t ack_id, const sioc_msg_flags *fl, struct sioc__node_ack *reg) {
    sioc__node_erec h;
    sioc__node_deliver_ctx c;
    sioc_result r;
    uint64_t acked = 0;
    size_t i;
    if (n_sel == 0) return 0;
    sioc__node_erec_init(&h, SIOC_NODE_EV_DELIVER, ns);
    h.ack_id = ack_id;
    h.is_volatile = (fl->present & SIOC_MSG_FLAG_VOLATILE) && (fl->values & SIOC_MSG_FLAG_VOLATILE);
    h.compress = !(fl->present & SIOC_MSG_FLAG_COMPRESS) || (fl->values & SIOC_MSG_FLAG_COMPRESS);
    c.sel = sel;
    c.n_sel = n_sel;
    c.packet_data = packet_data;
    c.type = SIOC_SIO_EVENT;
    c.ack_id = ack_id;
    r = sioc__node_emit_fill(n, &h, sioc__node_fill_frames, &c);
    if (r != SIOC_OK) {
        if (r != SIOC_ERR_BUFFER_TOO_SMALL) /* a packet the frame encoder refuses (depth, attachments) */
            sioc__node_error(n, ns, r, SIOC_MSG_BROADCAST, "packet", NULL);
        return 0;
    }
    sioc__node_count(&n->counters.delivered);
    if (reg)
        for (i = 0; i < n_sel; i++) acked += sioc__node_sock_add_ack(n, sel[i], (uint64_t)ack_id);
    if (reg) reg->remaining = acked;
    return n_sel;
}

/* Disconnect one socket (§10.4): DISCONNECT frame, removal; with close, every socket of its connection (all
   namespaces, in connection order) goes, and the last event carries close = 1. */
static void sioc__node_disconnect_one(sioc_node *n, uint32_t slot, int close) {
    uint32_t group[1];
    uint64_t conn = n->p_socks[slot].conn;
    int all = close && conn != 0; /* the whole connection goes */
    uint32_t i, last = slot, end = all ? n->p_sock_hwm : slot + 1;
    sioc__node_deliver_ctx c;
    memset(&c, 0, sizeof c);
    c.type = SIOC_SIO_DISCONNECT;
    c.ack_id = -1;
    c.n_sel = 1;
    c.sel = group;
    for (i = 0; all && i < end; i++)
        if (n->p_socks[i].used && n->p_socks[i].conn == conn) last = i;
    for (i = all ? 0 : slot; i < end; i++) {
        sioc__node_erec h;
        if (all && (!n->p_socks[i].used || n->p_socks[i].conn != conn)) continue;
        group[0] = i;
        sioc__node_erec_init(&h, SIOC_NODE_EV_DISCONNECT, n->p_socks[i].ns);
        h.close = (uint8_t)(close && i == last);
        h.conn = conn;
        (void)sioc__node_emit_fill(n, &h, sioc__node_fill_frames, &c);
        sioc__node_sock_remove(n, i);
    }
}

/* ---- peers and requests ---- */

#if SIOC_ENABLE_REQUESTS
static void sioc__node_req_done(sioc_node *n, struct sioc__node_req *q, sioc_result res) {
    sioc__node_erec h;
    uint32_t i;
    sioc__node_erec_init(&h, SIOC_NODE_EV_REQUEST_DONE, q->ns);
    h.result = res;
    h.request = q->handle;
    h.request_kind = q->kind;
    h.user = q->user;
    if (q->kind == SIOC_NODE_REQ_BROADCAST_ACK)
        h.missing = (q->expected_servers > q->servers ? q->expected_servers - q->servers : 0) +
                    (q->expected_acks > q->acks ? q->expected_acks - q->acks : 0);
    else
        h.missing = q->missing;
    if (q->kind == SIOC_NODE_REQ_BROADCAST_ACK) /* the origin forgets its clients' pending acks (§6.3) */
        for (i = 0; i < n->p_desc.max_acks; i++)
            if (n->p_acks[i].handle && n->p_acks[i].kind == SIOC__ACK_LOCAL && n->p_acks[i].req == q->handle)
                sioc__node_ack_free(&n->p_acks[i]);
    q->handle = 0;
    sioc__node_emit(n, &h, NULL, NULL);
}

/* A responder: 1 = an expected one answered, 0 = accepted (unexpected or already removed), -1 = duplicate. */
static int sioc__node_req_mark(const sioc_node *n, struct sioc__node_req *q, uint64_t h) {
    uint32_t i;
    for (i = 0; i < q->n_uids; i++) {
        int expected;
        if (q->hash[i] != h) continue;
        if (q->state[i] == SIOC__REQ_ANSWERED) return -1;
        expected = q->state[i] == SIOC__REQ_EXPECTED;
        q->state[i] = SIOC__REQ_ANSWERED;
        return expected;
    }
    if (q->n_uids >= n->p_req_cap) return -1; /* no room to remember it: refuse rather than double count */
    q->hash[q->n_uids] = h;
    q->state[q->n_uids++] = SIOC__REQ_ANSWERED;
    return 0;
}
#endif

static void sioc__node_peer_remove(sioc_node *n, uint32_t ns, uint32_t idx, sioc_result why) {
    struct sioc__node_ns *s = &n->p_ns[ns];
    struct sioc__node_peer gone = s->peers[idx];
    sioc_str uid = sioc_str_n(gone.uid, gone.len);
    sioc__node_erec h;
#if SIOC_ENABLE_REQUESTS
    uint32_t i, k;
#endif
    s->peers[idx] = s->peers[--s->n_peers];
    sioc__node_erec_init(&h, SIOC_NODE_EV_PEER_DOWN, ns);
    h.result = why;
    sioc__node_emit(n, &h, &uid, NULL);
#if SIOC_ENABLE_REQUESTS
    /* §6.4: the peer no longer counts for pending fetchSockets / serverSideEmit requests. */
    for (i = 0; i < n->p_desc.max_requests; i++) {
        struct sioc__node_req *q = &n->p_reqs[i];
        if (!q->handle || q->ns != ns || q->kind == SIOC_NODE_REQ_BROADCAST_ACK) continue;
        for (k = 0; k < q->n_uids; k++) {
            if (q->hash[k] != gone.hash || q->state[k] != SIOC__REQ_EXPECTED) continue;
            q->state[k] = SIOC__REQ_GONE;
            if (q->missing > 0 && --q->missing == 0) sioc__node_req_done(n, q, SIOC_OK);
            break;
        }
    }
#endif
}

/* A full peer table under a flood of new uids: the unconfirmed peer heard from longest ago goes (PEER_DOWN with
   SIOC_ERR_LIMIT) to make room; confirmed peers are never pushed out. 0 when every place is confirmed. */
static int sioc__node_peer_make_room(sioc_node *n, uint32_t ns) {
    struct sioc__node_ns *s = &n->p_ns[ns];
    uint32_t i, victim = SIOC__NIL;
    for (i = 0; i < s->n_peers; i++)
        if (!s->peers[i].confirmed && (victim == SIOC__NIL || s->peers[i].last_seen < s->peers[victim].last_seen))
            victim = i;
    if (victim == SIOC__NIL) return 0;
    sioc__node_count(&n->counters.peers_evicted);
    sioc__node_peer_remove(n, ns, victim, SIOC_ERR_LIMIT);
    return 1;
}

static int sioc__node_is_emitter_uid(sioc_str uid) {
    return uid.len == sizeof SIOC_NODE_EMITTER_UID - 1 && memcmp(uid.ptr, SIOC_NODE_EMITTER_UID, uid.len) == 0;
}

static uint32_t sioc__node_peer_find(const sioc_node *n, uint32_t ns, sioc_str uid) {
    const struct sioc__node_ns *s = &n->p_ns[ns];
    uint32_t i;
    for (i = 0; i < s->n_peers; i++)
        if (s->peers[i].len == uid.len && memcmp(s->peers[i].uid, uid.ptr, uid.len) == 0) return i;
    return SIOC__NIL;
}

/* §5 rule 1: every message (not response) refreshes its sender; "emitter" never counts. */
static void sioc__node_peer_seen(sioc_node *n, uint32_t ns, sioc_str uid, uint64_t now) {
    struct sioc__node_ns *s = &n->p_ns[ns];
    struct sioc__node_peer *p;
    sioc__node_erec h;
    uint32_t i;
    if (uid.len == 0 || sioc__node_is_emitter_uid(uid)) return;
    i = sioc__node_peer_find(n, ns, uid);
    if (i != SIOC__NIL) {
        p = &s->peers[i];
        p->last_seen = now;
        if (now - p->first_seen >= n->p_desc.heartbeat_interval_ms / 2) p->confirmed = 1;
        return;
    }
    if (uid.len > SIOC_NODE_ID_MAX) {
        sioc__node_count(&n->counters.limits);
        return;
    }
    if (s->n_peers >= n->p_desc.max_peers && !sioc__node_peer_make_room(n, ns)) {
        sioc__node_count(&n->counters.limits); /* every place is held by a confirmed peer: the newcomer waits for one to go */
        return;
    }
    p = &s->peers[s->n_peers++];
    memcpy(p->uid, uid.ptr, uid.len);
    p->uid[uid.len] = 0;
    p->len = (uint32_t)uid.len;
    p->last_seen = p->first_seen = now;
    p->confirmed = 0;
    p->hash = sioc__node_hash64(uid.ptr, uid.len);
    sioc__node_erec_init(&h, SIOC_NODE_EV_PEER_UP, ns);
    sioc__node_emit(n, &h, &uid, NULL);
}

#if SIOC_ENABLE_REQUESTS
static struct sioc__node_req *sioc__node_req_alloc(sioc_node *n, int kind, uint32_t ns, void *user) {
    uint32_t i;
    for (i = 0; i < n->p_desc.max_requests; i++) {
        struct sioc__node_req *q = &n->p_reqs[i];
        if (q->handle) continue;
        if (++n->p_req_seq == 0) n->p_req_seq = 1;
        q->handle = n->p_req_seq;
        q->kind = (uint8_t)kind;
        q->ns = (uint16_t)ns;
        q->id[0] = 0;
        q->deadline = UINT64_MAX;
        q->user = user;
        q->n_uids = 0;
        q->missing = q->expected_servers = q->servers = q->expected_acks = q->acks = 0;
        return q;
    }
    return NULL;
}

/* Expected responders = the live peers right now (§6.1 step 3). */
static void sioc__node_req_snapshot(sioc_node *n, struct sioc__node_req *q) {
    const struct sioc__node_ns *s = &n->p_ns[q->ns];
    uint32_t i;
    for (i = 0; i < s->n_peers && q->n_uids < n->p_req_cap; i++) {
        q->hash[q->n_uids] = s->peers[i].hash;
        q->state[q->n_uids++] = SIOC__REQ_EXPECTED;
    }
    q->missing = q->n_uids;
}

static struct sioc__node_req *sioc__node_req_by_id(sioc_node *n, uint32_t ns, sioc_str id) {
    uint32_t i;
    if (id.len != 16) return NULL;
    for (i = 0; i < n->p_desc.max_requests; i++) {
        struct sioc__node_req *q = &n->p_reqs[i];
        if (q->handle && q->ns == ns && q->id[0] && memcmp(q->id, id.ptr, 16) == 0) return q;
    }
    return NULL;
}

static void sioc__node_back_check(sioc_node *n, struct sioc__node_req *q) {
    if (q->handle && q->servers >= q->expected_servers && q->acks >= q->expected_acks)
        sioc__node_req_done(n, q, SIOC_OK);
}
#endif

static struct sioc__node_ack *sioc__node_ack_alloc(sioc_node *n, int kind, uint32_t ns, uint64_t expires) {
    uint32_t i;
    for (i = 0; i < n->p_desc.max_acks; i++) {
        struct sioc__node_ack *a = &n->p_acks[i];
        if (a->handle) continue;
        memset(a, 0, sizeof *a);
        if (++n->p_ack_seq == 0) n->p_ack_seq = 1;
        a->handle = n->p_ack_seq;
        a->kind = (uint8_t)kind;
        a->ns = (uint16_t)ns;
        a->expires = expires;
        return a;
    }
    sioc__node_count(&n->counters.limits);
    return NULL;
}

/* A registration through which the answers go back to m's requester (uid, requestId). NULL when the table is full,
   or when either id is too long to keep (counted as a limit for a serverSideEmit: a broadcast still delivers). */
static struct sioc__node_ack *sioc__node_ack_for(sioc_node *n, int kind, uint32_t ns, uint64_t expires,
                                                 const sioc_msg *m) {
    struct sioc__node_ack *a;
    if (m->uid.len > SIOC_NODE_ID_MAX || m->request_id.len > SIOC_NODE_ID_MAX) {
        if (kind == SIOC__ACK_SSE) sioc__node_count(&n->counters.limits);
        return NULL;
    }
    a = sioc__node_ack_alloc(n, kind, ns, expires);
    if (a) {
        a->req_len = (uint32_t)m->uid.len;
        memcpy(a->requester, m->uid.ptr, m->uid.len);
        a->id_len = (uint32_t)m->request_id.len;
        memcpy(a->request_id, m->request_id.ptr, m->request_id.len);
    }
    return a;
}

/* ---- handling received messages ---- */

#if SIOC_ENABLE_REQUESTS
static sioc_result sioc__node_on_response(sioc_node *n, uint32_t ns, const sioc_msg *m) {
    struct sioc__node_req *q = sioc__node_req_by_id(n, ns, m->request_id);
    sioc__node_erec h;
    sioc_bytes pk;
    int mark;
    int want = m->type == SIOC_MSG_FETCH_SOCKETS_RESPONSE       ? SIOC_NODE_REQ_FETCH_SOCKETS
               : m->type == SIOC_MSG_SERVER_SIDE_EMIT_RESPONSE ? SIOC_NODE_REQ_SERVER_SIDE_EMIT
                                                               : SIOC_NODE_REQ_BROADCAST_ACK;
    if (!q || q->kind != want) { /* §6.5: unknown, finished or another kind of request */
        sioc__node_count(&n->counters.late_responses);
        return SIOC_OK;
    }
    sioc__node_erec_init(&h, SIOC_NODE_EV_NONE, ns);
    h.request = q->handle;
    h.request_kind = q->kind;
    h.user = q->user;
    if (m->type != SIOC_MSG_BROADCAST_ACK) {
        mark = sioc__node_req_mark(n, q, sioc__node_hash64(m->uid.ptr, m->uid.len));
        if (mark < 0) {
            sioc__node_count(&n->counters.duplicate_responses);
            return SIOC_OK;
        }
    } else {
        mark = 0;
    }
    sioc__node_count(&n->counters.handled);
    switch (m->type) {
    case SIOC_MSG_FETCH_SOCKETS_RESPONSE:
        h.type = SIOC_NODE_EV_FETCH_SOCKETS;
        h.n_sockets = m->sockets.count;
        pk = sioc_bytes_n(m->sockets.data, m->sockets.len);
        sioc__node_emit(n, &h, &m->uid, &pk);
        break;
    case SIOC_MSG_SERVER_SIDE_EMIT_RESPONSE:
    case SIOC_MSG_BROADCAST_ACK:
        h.type = m->type == SIOC_MSG_BROADCAST_ACK ? SIOC_NODE_EV_BROADCAST_ACK : SIOC_NODE_EV_SSE_RESPONSE;
        h.has_packet = (uint8_t)m->has_packet;
        sioc__node_emit(n, &h, &m->uid, m->has_packet ? &m->packet : NULL);
        if (m->type == SIOC_MSG_BROADCAST_ACK) {
            q->acks++;
            sioc__node_back_check(n, q);
            return SIOC_OK;
        }
        break;
    case SIOC_MSG_BROADCAST_CLIENT_COUNT:
        h.type = SIOC_NODE_EV_CLIENT_COUNT;
        h.client_count = m->client_count;
        sioc__node_emit(n, &h, &m->uid, NULL);
        q->servers++;
        q->expected_acks += m->client_count;
        sioc__node_back_check(n, q);
        return SIOC_OK;
    default: break;
    }
    if (mark == 1 && --q->missing == 0) sioc__node_req_done(n, q, SIOC_OK);
    return SIOC_OK;
}
#else
/* Built without requests no response can be ours: ignored as one for another node is (§2.1 step 4). */
static sioc_result sioc__node_on_response(sioc_node *n, uint32_t ns, const sioc_msg *m) {
    (void)ns;
    (void)m;
    sioc__node_count(&n->counters.ignored_other);
    return SIOC_OK;
}
#endif

static uint64_t sioc__node_flag_timeout(const sioc_node *n, const sioc_msg_flags *f) {
    return (f->present & SIOC_MSG_FLAG_TIMEOUT) && f->timeout_ms > 0 ? f->timeout_ms : n->p_desc.request_timeout_ms;
}


static void sioc__node_on_broadcast(sioc_node *n, uint32_t ns, const sioc_msg *m, size_t k, uint64_t now) {
    struct sioc__node_ack *reg = NULL;
    uint64_t delivered;
    int64_t ack_id;
    sioc__node_pub p;
    if (!m->has_request_id) {
        (void)sioc__node_deliver(n, ns, n->p_sel_out, k, m->packet_data, -1, &m->opts.flags, NULL);
        return;
    }
    /* §6.3 responder: our own ack id (consumed even for no socket, as Node does), the registration that maps
       client acks back to (requester, requestId), then the client count, always (Q9). */
    ack_id = (int64_t)(n->p_ns[ns].next_ack_id++ & 0x1fffffffffffffu);
    if (k > 0) {
        reg = sioc__node_ack_for(n, SIOC__ACK_CLIENT, ns, sioc__node_add(now, sioc__node_flag_timeout(n, &m->opts.flags)), m);
        if (reg) reg->ack_id = (uint64_t)ack_id;
    }
    /* Without a registration the clients could not be answered for: deliver as a plain broadcast and count 0,
       so the requester completes instead of waiting for acks that cannot come. */
    delivered = sioc__node_deliver(n, ns, n->p_sel_out, k, m->packet_data, reg ? ack_id : -1, &m->opts.flags, reg);
    /* Count the sockets whose ack we will accept (a socket with too many pending acks got the packet but could
       not be registered), so the requester's expected total is one we can meet. */
    delivered = reg && delivered ? reg->remaining : 0;
    if (reg && delivered == 0) sioc__node_ack_free(reg);
    sioc__node_pub_init(&p, SIOC_MSG_BROADCAST_CLIENT_COUNT);
    p.request_id = &m->request_id;
    p.client_count = delivered;
    p.requester = m->uid;
    sioc__node_publish_internal(n, ns, &p, now);
}

static void sioc__node_on_rooms(sioc_node *n, const sioc_msg *m, size_t k) {
    size_t i;
    for (i = 0; i < k; i++) {
        sioc_msg_list l = m->rooms;
        sioc_str room;
        while (sioc_msg_list_next_str(&l, &room)) {
            if (m->type == SIOC_MSG_SOCKETS_JOIN) {
                if (sioc__node_join(n, n->p_sel_out[i], room) != SIOC_OK) sioc__node_count(&n->counters.limits);
            } else {
                sioc__node_leave(n, n->p_sel_out[i], room);
            }
        }
    }
}

static void sioc__node_disconnect_sel(sioc_node *n, size_t k, int close) {
    size_t i;
    for (i = 0; i < k; i++) /* slots are stable while removing: a slot already gone (same conn) is skipped */
        if (n->p_socks[n->p_sel_out[i]].used) sioc__node_disconnect_one(n, n->p_sel_out[i], close);
}

#if SIOC_ENABLE_REQUESTS
typedef struct sioc__node_sockets_ctx {
    const uint32_t *sel;
    size_t n_sel;
} sioc__node_sockets_ctx;

/* FETCH_SOCKETS event body: the msgpack array of socket maps, like a type 8's `sockets`. */
static sioc_result sioc__node_fill_sockets(sioc_node *n, sioc__evw *w, sioc__node_erec *h, const void *ctx) {
    const sioc__node_sockets_ctx *c = (const sioc__node_sockets_ctx *)ctx;
    sioc_msgpack_writer mw;
    sioc_buf b;
    size_t i;
    sioc_result r;
    h->uid_len = (uint32_t)n->uid_len;
    h->uid_off = sioc__evw_put(w, n->uid, n->uid_len);
    h->n_sockets = (uint32_t)c->n_sel;
    sioc__evw_buf(w, &b);
    sioc_msgpack_writer_init(&mw, &b);
    for (i = 0; i < c->n_sel; i++) sioc__node_write_socket(n, &mw, c->sel[i]);
    r = sioc_msgpack_writer_finish(&mw);
    if (r != SIOC_OK && r != SIOC_ERR_BUFFER_TOO_SMALL) return r;
    h->pk_off = (uint32_t)w->len;
    h->pk_len = (uint32_t)b.len;
    w->len += b.len;
    return SIOC_OK;
}
#endif

static void sioc__node_on_sse(sioc_node *n, uint32_t ns, const sioc_msg *m, uint64_t now) {
    sioc__node_erec h;
    sioc__node_erec_init(&h, SIOC_NODE_EV_SERVER_SIDE_EMIT, ns);
    h.has_packet = 1;
    if (m->has_request_id) {
        if (n->p_desc.auto_ack_server_side_emit) {
            sioc__node_pub p;
            sioc__node_pub_init(&p, SIOC_MSG_SERVER_SIDE_EMIT_RESPONSE);
            p.request_id = &m->request_id;
            p.requester = m->uid;
            sioc__node_publish_internal(n, ns, &p, now);
        } else {
            /* The requester gives up after its fixed 5 s: keep the slot as long. */
            struct sioc__node_ack *a =
                sioc__node_ack_for(n, SIOC__ACK_SSE, ns, sioc__node_add(now, n->p_desc.request_timeout_ms), m);
            if (a) h.ack = a->handle;
        }
    }
    sioc__node_emit(n, &h, &m->uid, &m->packet);
}

static sioc_result sioc__node_process(sioc_node *n, uint32_t ns, const sioc_msg *m, uint64_t now) {
    int addressed = m->requester_uid.ptr != NULL && m->requester_uid.len > 0;
    size_t k = 0;
    sioc__node_pub p;
    if (!addressed && m->type != SIOC_MSG_ADAPTER_CLOSE) sioc__node_peer_seen(n, ns, m->uid, now);
    if (sioc_msg_is_response(m->type)) return sioc__node_on_response(n, ns, m); /* §6.5: with or without requesterUid */
    if (addressed) { /* a non-response addressed to us: Node's response handler ignores it */
        sioc__node_count(&n->counters.ignored_other);
        return SIOC_OK;
    }
    sioc__node_count(&n->counters.handled);
    /* types 3 to 7 act on the sockets their opts select */
    if (m->type >= SIOC_MSG_BROADCAST && m->type <= SIOC_MSG_FETCH_SOCKETS) k = sioc__node_select(n, ns, &m->opts, NULL);
    switch (m->type) {
    case SIOC_MSG_INITIAL_HEARTBEAT: /* §5 rule 4: the newcomer learns us at once */
        sioc__node_pub_init(&p, SIOC_MSG_HEARTBEAT);
        sioc__node_publish_internal(n, ns, &p, now);
        break;
    case SIOC_MSG_HEARTBEAT: break;
    case SIOC_MSG_ADAPTER_CLOSE: {
        uint32_t i = sioc__node_peer_find(n, ns, m->uid);
        if (i != SIOC__NIL) sioc__node_peer_remove(n, ns, i, SIOC_ERR_CLOSED);
        break;
    }
    case SIOC_MSG_BROADCAST: sioc__node_on_broadcast(n, ns, m, k, now); break;
    case SIOC_MSG_SOCKETS_JOIN:
    case SIOC_MSG_SOCKETS_LEAVE: sioc__node_on_rooms(n, m, k); break;
    case SIOC_MSG_DISCONNECT_SOCKETS: sioc__node_disconnect_sel(n, k, m->close); break;
    case SIOC_MSG_FETCH_SOCKETS: { /* §6.1 responder: always answer, even with no socket */
        sioc__node_pub_init(&p, SIOC_MSG_FETCH_SOCKETS_RESPONSE);
        p.n_socks = k;
        p.socks = n->p_sel_out;
        p.request_id = &m->request_id;
        p.requester = m->uid;
        sioc__node_publish_internal(n, ns, &p, now);
        break;
    }
    case SIOC_MSG_SERVER_SIDE_EMIT: sioc__node_on_sse(n, ns, m, now); break;
    default: break;
    }
    return SIOC_OK;
}

/* §2.1 steps 2-4 on the transport attributes. 1 = go on (ns set), 0 = ignored (counted). */
static int sioc__node_is_own(const sioc_node *n, const sioc_str *uid) {
    return uid->len == n->uid_len && memcmp(uid->ptr, n->uid, n->uid_len) == 0;
}

static int sioc__node_admit(sioc_node *n, const sioc_str *nsp, const sioc_str *uid, const sioc_str *requester,
                            uint32_t *ns) {
    *ns = sioc__node_ns_find(n, *nsp);
    if (*ns == SIOC__NIL) {
        sioc__node_count(&n->counters.ignored_nsp);
        return 0;
    }
    if (sioc__node_is_own(n, uid)) {
        sioc__node_count(&n->counters.ignored_own);
        return 0;
    }
    if (requester->ptr && requester->len > 0 && !sioc__node_is_own(n, requester)) {
        sioc__node_count(&n->counters.ignored_other);
        return 0;
    }
    return 1;
}

static int sioc__node_receiving(sioc_node *n) {
    sioc__node_count(&n->counters.received);
    if (!n->p_mem || SIOC__NODE_EMITTER(n) || n->state >= SIOC_NODE_CLOSING) {
        sioc__node_count(&n->counters.ignored_other);
        return 0;
    }
    return 1;
}

static sioc_result sioc__node_dropped(sioc_node *n, uint32_t ns, const sioc_msg *m, sioc_result e) {
    sioc__node_count(&n->counters.malformed);
    SIOC__NODE_LOG(n, SIOC_LOG_DEBUG, "dropped a malformed message", sioc_str_c(m->error_field ? m->error_field : ""), e);
    sioc__node_error(n, ns, e, m->type, m->error_field ? m->error_field : "message",
                     m->uid.ptr ? &m->uid : NULL);
    return e;
}

SIOC_API sioc_result sioc_node_receive_aws(sioc_node *n, const sioc_msg_envelope *env, uint64_t now_ms) {
    sioc_msg m;
    uint32_t ns;
    sioc_result e;
    if (!sioc__node_receiving(n)) return SIOC__NODE_RX_OFF;
    if (!env->nsp.ptr || !env->uid.ptr || !env->body.ptr) { /* §2.1 step 1 (Node: "malformed") */
        memset(&m, 0, sizeof m);
        m.error_field = !env->nsp.ptr ? "nsp" : !env->uid.ptr ? "uid" : "Message";
        return sioc__node_dropped(n, SIOC__NIL, &m, SIOC_ERR_PROTOCOL);
    }
    if (!sioc__node_admit(n, &env->nsp, &env->uid, &env->requester_uid, &ns)) return SIOC_OK;
    e = sioc_msg_decode_aws(env, &m);
    if (e != SIOC_OK) {
        /* An unknown type still refreshes its sender (§5 rule 1): that node is alive, only newer than us. */
        if (e == SIOC_ERR_UNSUPPORTED && !(m.requester_uid.ptr && m.requester_uid.len))
            sioc__node_peer_seen(n, ns, m.uid, now_ms);
        return sioc__node_dropped(n, ns, &m, e);
    }
    return sioc__node_process(n, ns, &m, now_ms);
}

SIOC_API sioc_result sioc_node_receive_azure(sioc_node *n, const void *body, size_t len, const sioc_msg_envelope *props,
                                             uint64_t now_ms) {
    sioc_msg m;
    sioc_str uid;
    uint32_t ns;
    sioc_result e;
    if (!sioc__node_receiving(n)) return SIOC__NODE_RX_OFF;
    if (props) { /* §2.2: dispatch on the properties before decoding */
        if (!props->nsp.ptr) {
            memset(&m, 0, sizeof m);
            m.error_field = "nsp";
            return sioc__node_dropped(n, SIOC__NIL, &m, SIOC_ERR_PROTOCOL);
        }
        uid = props->uid.ptr ? props->uid : sioc_str_n("", 0);
        if (!sioc__node_admit(n, &props->nsp, &uid, &props->requester_uid, &ns))
            return SIOC_OK;
    }
    e = sioc_msg_decode_azure(body, len, props, &m);
    if (e != SIOC_OK) {
        ns = m.nsp.ptr ? sioc__node_ns_find(n, m.nsp) : SIOC__NIL;
        if (e == SIOC_ERR_UNSUPPORTED && ns != SIOC__NIL && !sioc__node_is_own(n, &m.uid) &&
            !(m.requester_uid.ptr && m.requester_uid.len))
            sioc__node_peer_seen(n, ns, m.uid, now_ms);
        return sioc__node_dropped(n, ns, &m, e);
    }
    /* Node uses the body's values from here on (§2.2); decode checked that they agree with the properties. */
    if (!sioc__node_admit(n, &m.nsp, &m.uid, &m.requester_uid, &ns)) return SIOC_OK;
    return sioc__node_process(n, ns, &m, now_ms);
}

SIOC_API sioc_result sioc_node_receive(sioc_node *n, const sioc_msg *m, uint64_t now_ms) {
    uint32_t ns;
    if (!sioc__node_receiving(n)) return SIOC__NODE_RX_OFF;
    if (!m->nsp.ptr || !m->uid.ptr || m->type < 1 || m->type > 13) {
        sioc_msg c = *m;
        if (!c.error_field) c.error_field = !m->nsp.ptr ? "nsp" : !m->uid.ptr ? "uid" : "type";
        return sioc__node_dropped(n, SIOC__NIL, &c, m->type < 1 || m->type > 13 ? SIOC_ERR_UNSUPPORTED : SIOC_ERR_PROTOCOL);
    }
    if (!sioc__node_admit(n, &m->nsp, &m->uid, &m->requester_uid, &ns)) return SIOC_OK;
    return sioc__node_process(n, ns, m, now_ms);
}

/* ---- time ---- */

/* The node's timers, one walk for both calls: with fire, what is due at now_ms runs (§5 rule 3: a peer silent for
   strictly more than the timeout goes; request and ack timeouts, Q8: responders forget ack registrations; §5 rule
   5: heartbeats); returns the earliest deadline of what is still pending. An emitter has no peers, requests, ack
   registrations or heartbeats: no timers. */
/* A timer at t: 1 when it fires now, else 0 with *d lowered to t. */
static SIOC__OUTLINE int sioc__node_due(uint64_t *d, uint64_t t, uint64_t now_ms, int fire) {
    if (fire && now_ms >= t) return 1;
    *d = SIOC__MIN(*d, t);
    return 0;
}

static uint64_t sioc__node_timers(sioc_node *n, uint64_t now_ms, int fire) {
    uint64_t d = UINT64_MAX;
    uint32_t i, k;
    if (!n->p_mem || n->state == SIOC_NODE_CLOSED || SIOC__NODE_EMITTER(n)) return UINT64_MAX;
    for (i = 0; i < n->p_n_ns; i++) {
        struct sioc__node_ns *s = &n->p_ns[i];
        for (k = s->n_peers; k-- > 0;) {
            /* silent for more than the timeout; a deadline past the clock's range never comes */
            uint64_t t = sioc__node_add(s->peers[k].last_seen, (uint64_t)n->p_desc.heartbeat_timeout_ms + 1);
            if (sioc__node_due(&d, t, now_ms, fire && t != UINT64_MAX)) {
                sioc__node_count(&n->counters.peers_expired);
                sioc__node_peer_remove(n, i, k, SIOC_ERR_TIMEOUT);
            }
        }
    }
#if SIOC_ENABLE_REQUESTS
    for (i = 0; i < n->p_desc.max_requests; i++) {
        struct sioc__node_req *q = &n->p_reqs[i];
        if (!q->handle) continue;
        if (sioc__node_due(&d, q->deadline, now_ms, fire)) sioc__node_req_done(n, q, SIOC_ERR_TIMEOUT);
    }
#endif
    for (i = 0; i < n->p_desc.max_acks; i++) {
        struct sioc__node_ack *a = &n->p_acks[i];
        if (!a->handle) continue;
        if (sioc__node_due(&d, a->expires, now_ms, fire)) sioc__node_ack_free(a);
    }
    for (i = 0; i < n->p_n_ns && n->state == SIOC_NODE_READY; i++) {
        struct sioc__node_ns *s = &n->p_ns[i];
        if (sioc__node_due(&d, sioc__node_add(s->last_pub, n->p_desc.heartbeat_interval_ms), now_ms, fire)) {
            sioc__node_pub p;
            sioc__node_pub_init(&p, SIOC_MSG_HEARTBEAT);
            if (sioc__node_publish(n, i, &p, now_ms) != SIOC_OK) {
                sioc__node_count(&n->counters.publish_failed);
                s->last_pub = now_ms; /* try again one interval later, never in a hot loop */
            }
        }
    }
    return d;
}

SIOC_API uint64_t sioc_node_next_deadline(const sioc_node *n, uint64_t now_ms) {
    return sioc__node_timers((sioc_node *)(uintptr_t)n, now_ms, 0); /* without fire nothing is written */
}

SIOC_API void sioc_node_tick(sioc_node *n, uint64_t now_ms) { (void)sioc__node_timers(n, now_ms, 1); }

/* ---- ready / close ---- */

SIOC_API sioc_result sioc_node_set_ready(sioc_node *n, int ready, uint64_t now_ms) {
    sioc__node_erec h;
    sioc_str uid;
    uint32_t i;
    if (!n->p_mem || n->state >= SIOC_NODE_CLOSING) return SIOC_ERR_STATE;
    ready = ready != 0;
    if (ready == n->ready) return SIOC_OK;
    n->ready = ready;
    n->state = ready ? SIOC_NODE_READY : SIOC_NODE_STARTING;
    sioc__node_erec_init(&h, ready ? SIOC_NODE_EV_READY : SIOC_NODE_EV_NOT_READY, SIOC__NIL);
    uid = sioc_str_n(n->uid, n->uid_len);
    sioc__node_emit(n, &h, &uid, NULL);
    SIOC__NODE_LOG(n, SIOC_LOG_INFO, ready ? "ready" : "not ready", sioc_str_n("", 0), SIOC_OK);
    if (ready && !SIOC__NODE_EMITTER(n)) {
        for (i = 0; i < n->p_n_ns; i++) { /* §5 rule 4, docs/AWS.md §2.1 step 6 */
            sioc__node_pub p;
            sioc__node_pub_init(&p, SIOC_MSG_INITIAL_HEARTBEAT);
            sioc__node_publish_internal(n, i, &p, now_ms);
            n->p_ns[i].last_pub = now_ms;
        }
    }
    return SIOC_OK;
}

SIOC_API sioc_result sioc_node_close(sioc_node *n, uint64_t now_ms) {
    uint32_t i;
    if (!n->p_mem || n->state >= SIOC_NODE_CLOSING) return SIOC_ERR_STATE;
    if (!SIOC__NODE_EMITTER(n)) { /* an emitter has no requests or ack registrations, and leaves unannounced */
#if SIOC_ENABLE_REQUESTS
        for (i = 0; i < n->p_desc.max_requests; i++)
            if (n->p_reqs[i].handle) sioc__node_req_done(n, &n->p_reqs[i], SIOC_ERR_CLOSED);
#endif
        for (i = 0; i < n->p_desc.max_acks; i++) sioc__node_ack_free(&n->p_acks[i]);
        for (i = 0; i < n->p_n_ns; i++) { /* docs/AWS.md §2.4 step 1: peers forget us at once (§5 rule 6) */
            sioc__node_pub p;
            sioc__node_pub_init(&p, SIOC_MSG_ADAPTER_CLOSE);
            sioc__node_publish_internal(n, i, &p, now_ms);
        }
    }
    n->state = SIOC_NODE_CLOSING;
    SIOC__NODE_LOG(n, SIOC_LOG_INFO, "closing", sioc_str_n("", 0), SIOC_OK);
    sioc__node_closed_check(n);
    return SIOC_OK;
}

/* ---- client acks ---- */

/* The pending ack broadcast a local socket's answer to ack id `id` belongs to: *slot, *k (its index in the socket's
   ack list) and *a. SIOC_ERR_NOT_FOUND when there is none (a stale id is dropped from the socket). */
static sioc_result sioc__node_ack_lookup(sioc_node *n, uint32_t ns, sioc_str sid, int64_t id, uint32_t *slot,
                                         uint32_t *k, struct sioc__node_ack **a) {
    struct sioc__node_sock *s;
    *slot = sioc__node_sock_find(n, ns, sid);
    if (*slot == SIOC__NIL || id < 0) return SIOC_ERR_NOT_FOUND;
    s = &n->p_socks[*slot];
    for (*k = 0; *k < s->n_acks && s->acks[*k] != (uint64_t)id; (*k)++) {
    }
    if (*k == s->n_acks) return SIOC_ERR_NOT_FOUND;
    *a = sioc__node_ack_find(n, ns, (uint64_t)id);
    if (!*a) { /* expired: the id is stale */
        s->acks[*k] = s->acks[--s->n_acks];
        return SIOC_ERR_NOT_FOUND;
    }
    return SIOC_OK;
}

/* A local client's ack value (one msgpack value) for a pending ack broadcast: published to the requester (type
   12, §6.3 responder step 3), or for our own ack broadcast a BROADCAST_ACK event. */
static sioc_result sioc__node_ack_answer(sioc_node *n, uint32_t ns, uint32_t slot, uint32_t k,
                                         struct sioc__node_ack *a, sioc_bytes value, uint64_t now_ms) {
    struct sioc__node_sock *s = &n->p_socks[slot];
#if SIOC_ENABLE_REQUESTS
    struct sioc__node_req *q = NULL;
#endif
    if (!SIOC_ENABLE_REQUESTS || a->kind == SIOC__ACK_CLIENT) { /* without requests there is no other kind here */
        sioc__node_pub pub;
        sioc_result r;
        sioc_str rid = sioc_str_n(a->request_id, a->id_len);
        sioc__node_pub_init(&pub, SIOC_MSG_BROADCAST_ACK);
        pub.request_id = &rid;
        pub.packet = value;
        pub.requester = sioc_str_n(a->requester, a->req_len);
        r = sioc__node_publish(n, ns, &pub, now_ms);
        if (r != SIOC_OK) return r; /* the ack stays pending: the application may retry */
    }
#if SIOC_ENABLE_REQUESTS
    else {
        sioc__node_erec h;
        uint32_t i;
        for (i = 0; i < n->p_desc.max_requests; i++)
            if (n->p_reqs[i].handle == a->req) q = &n->p_reqs[i];
        if (q) {
            sioc_str uid = sioc_str_n(n->uid, n->uid_len);
            sioc__node_erec_init(&h, SIOC_NODE_EV_BROADCAST_ACK, ns);
            h.request = q->handle;
            h.request_kind = q->kind;
            h.user = q->user;
            h.has_packet = 1;
            sioc__node_emit(n, &h, &uid, &value);
            q->acks++;
        }
    }
#endif
    s->acks[k] = s->acks[--s->n_acks];
    if (a->remaining && --a->remaining == 0) sioc__node_ack_free(a);
#if SIOC_ENABLE_REQUESTS
    if (q) sioc__node_back_check(n, q);
#endif
    return SIOC_OK;
}

SIOC_API sioc_result sioc_node_client_ack(sioc_node *n, sioc_str sid, const sioc_sio_packet *p, const sioc_bytes *att,
                                          size_t n_att, uint64_t now_ms) {
    struct sioc__node_ack *a;
    uint32_t ns, slot, k;
    sioc_buf b;
    sioc_result r;
    if (!n->p_mem) return SIOC_ERR_STATE;
    if (p->type != SIOC_SIO_ACK && p->type != SIOC_SIO_BINARY_ACK) return SIOC_ERR_TYPE;
    ns = sioc__node_ns_find(n, p->nsp);
    r = sioc__node_ack_lookup(n, ns, sid, p->id, &slot, &k, &a);
    if (r != SIOC_OK) return r;
    sioc_buf_init(&b, n->p_scratch, n->p_desc.ack_scratch_size);
    r = sioc_sio_ack_arg(p, att, n_att, &b);
    if (r != SIOC_OK) return r == SIOC_ERR_BUFFER_TOO_SMALL ? SIOC_ERR_LIMIT : r;
    return sioc__node_ack_answer(n, ns, slot, k, a, sioc_bytes_n(n->p_scratch, b.len), now_ms);
}

SIOC_API sioc_result sioc_node_client_ack_text(sioc_node *n, sioc_str sid, const char *text, size_t len,
                                               const sioc_bytes *att, size_t n_att, uint64_t now_ms) {
    sioc_sio_packet p;
    sioc_result r;
    if (!n->p_mem) return SIOC_ERR_STATE;
    r = sioc_sio_decode(&p, text, len, n->p_toks, n->p_desc.max_ack_tokens, n->p_desc.max_attachments);
    if (r != SIOC_OK) return r;
    return sioc_node_client_ack(n, sid, &p, att, n_att, now_ms);
}

SIOC_API sioc_result sioc_node_client_ack_value(sioc_node *n, sioc_str nsp, sioc_str sid, int64_t ack_id,
                                                sioc_bytes value, uint64_t now_ms) {
    static const uint8_t nil = 0xc0; /* ack() without arguments: Node sends packet: nil (§8) */
    struct sioc__node_ack *a;
    uint32_t ns, slot, k;
    sioc_result r;
    if (!n->p_mem) return SIOC_ERR_STATE;
    if (!sioc__node_valid_value(value)) return SIOC_ERR_ARG;
    ns = sioc__node_ns_find(n, nsp);
    r = sioc__node_ack_lookup(n, ns, sid, ack_id, &slot, &k, &a);
    if (r != SIOC_OK) return r;
    return sioc__node_ack_answer(n, ns, slot, k, a, value.ptr ? value : sioc_bytes_n(&nil, 1), now_ms);
}

/* ---- operations ---- */

static sioc_result sioc__node_opts(const sioc_node_opts *o, sioc_msg_opts_desc *d, int *local) {
    memset(d, 0, sizeof *d);
    *local = 0;
    if (!o) return SIOC_OK;
    if ((o->n_rooms && !o->rooms) || (o->n_except && !o->except)) return SIOC_ERR_ARG;
    d->rooms = o->n_rooms ? o->rooms : NULL;
    d->n_rooms = o->n_rooms;
    d->except = o->n_except ? o->except : NULL;
    d->n_except = o->n_except;
    d->flags = o->flags;
    d->flags.raw.ptr = NULL; /* written from the bits, so the timeout we set is what travels */
    d->flags.raw.len = 0;
    *local = o->local != 0;
    return SIOC_OK;
}

/* [event, args...] with a string event name a client and Node accept (sse: also not a namespace event). */
static sioc_result sioc__node_check_packet(sioc_bytes packet, int sse) {
    sioc_msgpack_reader r;
    uint32_t count;
    sioc_str ev;
    if (!packet.ptr || sioc_msgpack_check(packet.ptr, packet.len) != SIOC_OK) return SIOC_ERR_ARG;
    sioc_msgpack_reader_init(&r, packet.ptr, packet.len);
    if (sioc_msgpack_read_array(&r, &count) != SIOC_OK || count == 0) return SIOC_ERR_ARG;
    if (sioc_msgpack_read_str(&r, &ev) != SIOC_OK || sioc_sio_is_reserved_event(ev.ptr, ev.len)) return SIOC_ERR_ARG;
    /* "connect" is reserved already */
    if (sse &&
        ((ev.len == 10 && !memcmp(ev.ptr, "connection", 10)) || (ev.len == 13 && !memcmp(ev.ptr, "new_namespace", 13))))
        return SIOC_ERR_ARG;
    return SIOC_OK;
}

static sioc_result sioc__node_check_names(const sioc_str *names, size_t count) {
    size_t i;
    if (count && !names) return SIOC_ERR_ARG;
    for (i = 0; i < count; i++)
        if (!sioc__node_name_ok(names[i])) return SIOC_ERR_ARG;
    return SIOC_OK;
}

#if SIOC_ENABLE_REQUESTS
/* Publish the message of request q (p: its type and payload set) under a fresh request id, checked as every
   message with the application's values is. */
static sioc_result sioc__node_publish_request(sioc_node *n, uint32_t ns, struct sioc__node_req *q, sioc__node_pub *p,
                                              uint64_t now_ms) {
    sioc_str rid;
    sioc_result r = sioc__node_random_hex(n, q->id);
    if (r != SIOC_OK) return r;
    rid = sioc_str_n(q->id, 16);
    p->request_id = &rid;
    p->check = 1;
    return sioc__node_publish(n, ns, p, now_ms);
}
#else
/* Built without requests (SIOC_ENABLE_REQUESTS 0): a request starter changes nothing. */
static sioc_result sioc__node_no_request(uint32_t *out_request) {
    if (out_request) *out_request = 0;
    return SIOC_ERR_UNSUPPORTED;
}
#endif

SIOC_API sioc_result sioc_node_broadcast(sioc_node *n, sioc_str nsp, const sioc_node_opts *opts, sioc_bytes packet,
                                         uint64_t now_ms) {
    sioc_msg_opts_desc d;
    sioc__node_pub p;
    uint32_t ns;
    int local;
    sioc_result r;
    if ((r = sioc__node_opts(opts, &d, &local)) != SIOC_OK) return r;
    if ((r = sioc__node_check_packet(packet, 0)) != SIOC_OK) return r;
    if ((r = sioc__node_api_ns(n, nsp, now_ms, &ns)) != SIOC_OK) return r;
    if (!local) {
        sioc__node_pub_init(&p, SIOC_MSG_BROADCAST);
        p.check = 1;
        p.opts = &d;
        p.packet = packet;
        if ((r = sioc__node_publish(n, ns, &p, now_ms)) != SIOC_OK) return r;
    }
    if (!SIOC__NODE_EMITTER(n)) /* an emitter has no sockets of its own */
        (void)sioc__node_deliver(n, ns, n->p_sel_out, sioc__node_select(n, ns, NULL, &d), packet, -1, &d.flags, NULL);
    return SIOC_OK;
}

SIOC_API sioc_result sioc_node_broadcast_ack(sioc_node *n, sioc_str nsp, const sioc_node_opts *opts, sioc_bytes packet,
                                             uint32_t timeout_ms, void *user, uint32_t *out_request, uint64_t now_ms) {
#if SIOC_ENABLE_REQUESTS
    sioc_msg_opts_desc d;
    sioc__node_pub p;
    struct sioc__node_req *q;
    struct sioc__node_ack *reg;
    uint32_t ns;
    int local;
    int64_t ack_id;
    size_t k;
    sioc_result r;
    if (out_request) *out_request = 0;
    if (SIOC__NODE_EMITTER(n)) return SIOC_ERR_STATE; /* §7: nothing with a requestId */
    if (timeout_ms == 0) return SIOC_ERR_ARG;         /* Q7 */
    if ((r = sioc__node_opts(opts, &d, &local)) != SIOC_OK) return r;
    if ((r = sioc__node_check_packet(packet, 0)) != SIOC_OK) return r;
    if ((r = sioc__node_api_ns(n, nsp, now_ms, &ns)) != SIOC_OK) return r;
    d.flags.present |= SIOC_MSG_FLAG_TIMEOUT;
    d.flags.timeout_ms = timeout_ms;
    q = sioc__node_req_alloc(n, SIOC_NODE_REQ_BROADCAST_ACK, ns, user);
    if (!q) return SIOC_ERR_LIMIT;
    reg = sioc__node_ack_alloc(n, SIOC__ACK_LOCAL, ns, sioc__node_add(now_ms, timeout_ms));
    if (!reg) {
        q->handle = 0;
        return SIOC_ERR_LIMIT;
    }
    if (!local) {
        sioc__node_pub_init(&p, SIOC_MSG_BROADCAST);
        p.opts = &d;
        p.packet = packet;
        if ((r = sioc__node_publish_request(n, ns, q, &p, now_ms)) != SIOC_OK) goto fail;
    }
    /* §6.3: this node is one server whose client count is its local delivery; the others are the live peers
       at send time (a local-only emit waits for nobody else, unlike Node, Q10). */
    q->expected_servers = 1 + (local ? 0 : n->p_ns[ns].n_peers);
    q->servers = 1;
    q->deadline = sioc__node_add(now_ms, timeout_ms);
    ack_id = (int64_t)(n->p_ns[ns].next_ack_id++ & 0x1fffffffffffffu);
    reg->ack_id = (uint64_t)ack_id;
    reg->req = q->handle;
    k = sioc__node_select(n, ns, NULL, &d);
    (void)sioc__node_deliver(n, ns, n->p_sel_out, k, packet, ack_id, &d.flags, reg);
    q->expected_acks = reg->remaining;
    if (reg->remaining == 0) sioc__node_ack_free(reg);
    if (out_request) *out_request = q->handle;
    sioc__node_back_check(n, q);
    return SIOC_OK;
fail:
    sioc__node_ack_free(reg);
    q->handle = 0;
    return r;
#else
    (void)n; (void)nsp; (void)opts; (void)packet; (void)timeout_ms; (void)user; (void)now_ms;
    return sioc__node_no_request(out_request);
#endif
}

static sioc_result sioc__node_rooms_op(sioc_node *n, int type, sioc_str nsp, const sioc_node_opts *opts,
                                       const sioc_str *rooms, size_t n_rooms, uint64_t now_ms) {
    sioc_msg_opts_desc d;
    sioc__node_pub p;
    uint32_t ns;
    int local;
    size_t k, i, j;
    sioc_result r;
    if ((r = sioc__node_opts(opts, &d, &local)) != SIOC_OK) return r;
    if ((r = sioc__node_check_names(rooms, n_rooms)) != SIOC_OK) return r;
    if ((r = sioc__node_api_ns(n, nsp, now_ms, &ns)) != SIOC_OK) return r;
    if (!local) {
        sioc__node_pub_init(&p, type);
        p.check = 1;
        p.opts = &d;
        p.rooms = rooms;
        p.n_rooms = n_rooms;
        if ((r = sioc__node_publish(n, ns, &p, now_ms)) != SIOC_OK) return r;
    }
    k = sioc__node_select(n, ns, NULL, &d);
    for (i = 0; i < k; i++)
        for (j = 0; j < n_rooms; j++) {
            if (type == SIOC_MSG_SOCKETS_JOIN) {
                if (sioc__node_join(n, n->p_sel_out[i], rooms[j]) != SIOC_OK) sioc__node_count(&n->counters.limits);
            } else {
                sioc__node_leave(n, n->p_sel_out[i], rooms[j]);
            }
        }
    return SIOC_OK;
}

SIOC_API sioc_result sioc_node_sockets_join(sioc_node *n, sioc_str nsp, const sioc_node_opts *opts,
                                            const sioc_str *rooms, size_t n_rooms, uint64_t now_ms) {
    return sioc__node_rooms_op(n, SIOC_MSG_SOCKETS_JOIN, nsp, opts, rooms, n_rooms, now_ms);
}

SIOC_API sioc_result sioc_node_sockets_leave(sioc_node *n, sioc_str nsp, const sioc_node_opts *opts,
                                             const sioc_str *rooms, size_t n_rooms, uint64_t now_ms) {
    return sioc__node_rooms_op(n, SIOC_MSG_SOCKETS_LEAVE, nsp, opts, rooms, n_rooms, now_ms);
}

SIOC_API sioc_result sioc_node_disconnect_sockets(sioc_node *n, sioc_str nsp, const sioc_node_opts *opts, int close,
                                                  uint64_t now_ms) {
    sioc_msg_opts_desc d;
    sioc__node_pub p;
    uint32_t ns;
    int local;
    sioc_result r;
    if ((r = sioc__node_opts(opts, &d, &local)) != SIOC_OK) return r;
    if ((r = sioc__node_api_ns(n, nsp, now_ms, &ns)) != SIOC_OK) return r;
    if (!local) {
        sioc__node_pub_init(&p, SIOC_MSG_DISCONNECT_SOCKETS);
        p.check = 1;
        p.opts = &d;
        p.close = close != 0;
        if ((r = sioc__node_publish(n, ns, &p, now_ms)) != SIOC_OK) return r;
    }
    sioc__node_disconnect_sel(n, sioc__node_select(n, ns, NULL, &d), close != 0);
    return SIOC_OK;
}

SIOC_API sioc_result sioc_node_fetch_sockets(sioc_node *n, sioc_str nsp, const sioc_node_opts *opts, void *user,
                                             uint32_t *out_request, uint64_t now_ms) {
#if SIOC_ENABLE_REQUESTS
    sioc_msg_opts_desc d;
    sioc__node_pub p;
    sioc__node_sockets_ctx c;
    sioc__node_erec h;
    struct sioc__node_req *q;
    uint32_t ns;
    int local;
    sioc_result r;
    if (out_request) *out_request = 0;
    if (SIOC__NODE_EMITTER(n)) return SIOC_ERR_STATE;
    if ((r = sioc__node_opts(opts, &d, &local)) != SIOC_OK) return r;
    if ((r = sioc__node_api_ns(n, nsp, now_ms, &ns)) != SIOC_OK) return r;
    q = sioc__node_req_alloc(n, SIOC_NODE_REQ_FETCH_SOCKETS, ns, user);
    if (!q) return SIOC_ERR_LIMIT;
    if (!local && n->p_ns[ns].n_peers > 0) { /* §6.1 step 3 */
        sioc__node_pub_init(&p, SIOC_MSG_FETCH_SOCKETS);
        p.opts = &d;
        if ((r = sioc__node_publish_request(n, ns, q, &p, now_ms)) != SIOC_OK) {
            q->handle = 0;
            return r;
        }
        sioc__node_req_snapshot(n, q);
        q->deadline = sioc__node_add(now_ms, sioc__node_flag_timeout(n, &d.flags)); /* Q27 */
    }
    if (out_request) *out_request = q->handle;
    c.n_sel = sioc__node_select(n, ns, NULL, &d);
    c.sel = n->p_sel_out;
    sioc__node_erec_init(&h, SIOC_NODE_EV_FETCH_SOCKETS, ns);
    h.request = q->handle;
    h.request_kind = q->kind;
    h.user = user;
    (void)sioc__node_emit_fill(n, &h, sioc__node_fill_sockets, &c);
    if (q->missing == 0) sioc__node_req_done(n, q, SIOC_OK); /* §6.1 step 2: local only */
    return SIOC_OK;
#else
    (void)n; (void)nsp; (void)opts; (void)user; (void)now_ms;
    return sioc__node_no_request(out_request);
#endif
}

SIOC_API sioc_result sioc_node_server_side_emit(sioc_node *n, sioc_str nsp, sioc_bytes packet, uint64_t now_ms) {
    sioc__node_pub p;
    uint32_t ns;
    sioc_result r;
    if ((r = sioc__node_check_packet(packet, 1)) != SIOC_OK) return r;
    if ((r = sioc__node_api_ns(n, nsp, now_ms, &ns)) != SIOC_OK) return r;
    sioc__node_pub_init(&p, SIOC_MSG_SERVER_SIDE_EMIT);
    p.check = 1;
    p.packet = packet;
    return sioc__node_publish(n, ns, &p, now_ms);
}

SIOC_API sioc_result sioc_node_server_side_emit_ack(sioc_node *n, sioc_str nsp, sioc_bytes packet, void *user,
                                                    uint32_t *out_request, uint64_t now_ms) {
#if SIOC_ENABLE_REQUESTS
    sioc__node_pub p;
    struct sioc__node_req *q;
    uint32_t ns;
    sioc_result r;
    if (out_request) *out_request = 0;
    if (SIOC__NODE_EMITTER(n)) return SIOC_ERR_STATE;
    if ((r = sioc__node_check_packet(packet, 1)) != SIOC_OK) return r;
    if ((r = sioc__node_api_ns(n, nsp, now_ms, &ns)) != SIOC_OK) return r;
    q = sioc__node_req_alloc(n, SIOC_NODE_REQ_SERVER_SIDE_EMIT, ns, user);
    if (!q) return SIOC_ERR_LIMIT;
    if (out_request) *out_request = q->handle;
    if (n->p_ns[ns].n_peers == 0) { /* §6.2: nobody to ask, done at once and nothing published */
        sioc__node_req_done(n, q, SIOC_OK);
        return SIOC_OK;
    }
    sioc__node_pub_init(&p, SIOC_MSG_SERVER_SIDE_EMIT);
    p.packet = packet;
    if ((r = sioc__node_publish_request(n, ns, q, &p, now_ms)) != SIOC_OK) goto fail;
    sioc__node_req_snapshot(n, q);
    q->deadline = sioc__node_add(now_ms, n->p_desc.request_timeout_ms);
    return SIOC_OK;
fail:
    q->handle = 0;
    if (out_request) *out_request = 0;
    return r;
#else
    (void)n; (void)nsp; (void)packet; (void)user; (void)now_ms;
    return sioc__node_no_request(out_request);
#endif
}

SIOC_API sioc_result sioc_node_server_side_ack(sioc_node *n, uint32_t ack, sioc_bytes value, uint64_t now_ms) {
    sioc__node_pub p;
    struct sioc__node_ack *a = NULL;
    uint32_t i;
    sioc_result r;
    sioc_str rid;
    if (!n->p_mem || ack == 0) return SIOC_ERR_NOT_FOUND;
    for (i = 0; i < n->p_desc.max_acks; i++)
        if (n->p_acks[i].handle == ack && n->p_acks[i].kind == SIOC__ACK_SSE) a = &n->p_acks[i];
    if (!a) return SIOC_ERR_NOT_FOUND;
    if (!sioc__node_valid_value(value)) return SIOC_ERR_ARG;
    rid = sioc_str_n(a->request_id, a->id_len);
    sioc__node_pub_init(&p, SIOC_MSG_SERVER_SIDE_EMIT_RESPONSE);
    p.check = 1;
    p.request_id = &rid;
    p.packet = value;
    p.requester = sioc_str_n(a->requester, a->req_len);
    r = sioc__node_publish(n, a->ns, &p, now_ms);
    if (r == SIOC_OK) sioc__node_ack_free(a); /* later answers are ignored, as Node's once() */
    return r;
}

/* ---- for transports that pace their receives ---- */

SIOC_API size_t sioc_node_pending_requests(const sioc_node *n) {
#if SIOC_ENABLE_REQUESTS
    size_t k = 0;
    uint32_t i;
    if (!n || !n->p_mem) return 0;
    for (i = 0; i < n->p_desc.max_requests; i++) k += n->p_reqs[i].handle != 0;
    return k;
#else
    (void)n;
    return 0; /* this build starts none */
#endif
}
