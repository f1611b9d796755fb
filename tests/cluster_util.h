/* Helpers for the node tests (test_cluster*.c): scripted randomness, copied events, canonical vectors as
   messages in both transport shapes, and a bus that carries published messages between nodes through the real
   decoders. Include after harness.h, sio_cluster.h and sio_vec.h. */
#ifndef SIOC_TEST_CLUSTER_UTIL_H
#define SIOC_TEST_CLUSTER_UTIL_H

/* ---- randomness: a script of 8-byte chunks given as 16 hex chars, then a fixed fill byte ---- */

typedef struct trand {
    const char *const *script; /* NULL-terminated list of 16-hex strings */
    size_t pos;
    uint8_t fill;
    int fail; /* 1: return SIOC_ERR_DEPENDENCY */
    unsigned calls;
    uint64_t counter; /* after the script: fill != 0 repeats fill; fill == 0 writes this counter (distinct ids) */
} trand;

SIOC_T_UNUSED static sioc_result trand_fn(void *user, void *buf, size_t len) {
    trand *t = (trand *)user;
    uint8_t *b = (uint8_t *)buf;
    t->calls++;
    if (t->fail) return SIOC_ERR_DEPENDENCY;
    if (t->script && t->script[t->pos] && len == 8) {
        size_t got;
        if (sioc_hex_decode(t->script[t->pos], 16, b, 8, &got) != SIOC_OK || got != 8) return SIOC_ERR_ARG;
        t->pos++;
        return SIOC_OK;
    }
    if (t->fill) {
        memset(b, t->fill, len);
    } else {
        size_t i;
        uint64_t c = ++t->counter;
        for (i = 0; i < len; i++) b[i] = (uint8_t)(i < 8 ? c >> (8 * (7 - i % 8)) : 0);
    }
    return SIOC_OK;
}

/* ---- events, copied out of the node ---- */

#define TEV_MAX 256
typedef struct tev {
    int type;
    char nsp[40];
    char uid[72];
    int result;
    uint32_t request;
    int kind;
    void *user;
    char text[1024];
    size_t text_len;
    size_t n_att;
    uint8_t att[4][64];
    size_t att_len[4];
    size_t n_targets;
    char target[8][72];
    void *target_user[8];
    uint64_t conn;
    int close;
    int64_t ack_id;
    int is_volatile, compress;
    int has_packet;
    uint8_t packet[4096];
    size_t packet_len;
    uint32_t n_sockets;
    uint64_t client_count;
    uint32_t ack;
    uint64_t missing;
    int msg_type;
} tev;

static tev tevs[TEV_MAX];
static size_t n_tevs;

SIOC_T_UNUSED static void tcopy(char *dst, size_t cap, sioc_str s) {
    size_t n = s.len < cap - 1 ? s.len : cap - 1;
    if (n) memcpy(dst, s.ptr, n);
    dst[n] = 0;
}

/* Drain every event of n into tevs[] (replacing what was there); returns the count. */
SIOC_T_UNUSED static size_t drain(sioc_node *n) {
    sioc_node_event ev;
    n_tevs = 0;
    while (sioc_node_next_event(n, &ev) == SIOC_OK) {
        tev *t;
        size_t i;
        if (n_tevs == TEV_MAX) continue;
        t = &tevs[n_tevs++];
        memset(t, 0, sizeof *t);
        t->type = ev.type;
        tcopy(t->nsp, sizeof t->nsp, ev.nsp);
        tcopy(t->uid, sizeof t->uid, ev.uid);
        t->result = ev.result;
        t->request = ev.request;
        t->kind = ev.request_kind;
        t->user = ev.user;
        tcopy(t->text, sizeof t->text, ev.text);
        t->text_len = ev.text.len;
        t->n_att = ev.n_attachments;
        for (i = 0; i < ev.n_attachments && i < 4; i++) {
            sioc_bytes a = sioc_node_event_attachment(&ev, i);
            t->att_len[i] = a.len;
            if (a.len <= 64 && a.len) memcpy(t->att[i], a.ptr, a.len);
        }
        t->n_targets = ev.n_targets;
        for (i = 0; i < ev.n_targets && i < 8; i++) {
            sioc_node_target tg = sioc_node_event_target(&ev, i);
            tcopy(t->target[i], sizeof t->target[i], tg.id);
            t->target_user[i] = tg.user;
            t->conn = tg.conn;
        }
        t->close = ev.close;
        t->ack_id = ev.ack_id;
        t->is_volatile = ev.is_volatile;
        t->compress = ev.compress;
        t->has_packet = ev.has_packet;
        if (ev.type == SIOC_NODE_EV_FETCH_SOCKETS) {
            t->n_sockets = ev.sockets.count;
            t->packet_len = ev.sockets.len;
            if (ev.sockets.len <= sizeof t->packet && ev.sockets.len) memcpy(t->packet, ev.sockets.data, ev.sockets.len);
        } else {
            t->packet_len = ev.packet.len;
            if (ev.packet.len <= sizeof t->packet && ev.packet.len) memcpy(t->packet, ev.packet.ptr, ev.packet.len);
        }
        t->client_count = ev.client_count;
        t->ack = ev.ack;
        t->missing = ev.missing;
        t->msg_type = ev.msg_type;
    }
    return n_tevs;
}

/* The k-th drained event of a type (k from 0), or NULL. */
SIOC_T_UNUSED static tev *tfind(int type, int k) {
    size_t i;
    for (i = 0; i < n_tevs; i++)
        if (tevs[i].type == type && k-- == 0) return &tevs[i];
    return NULL;
}

SIOC_T_UNUSED static size_t tcount(int type) {
    size_t i, c = 0;
    for (i = 0; i < n_tevs; i++) c += tevs[i].type == type;
    return c;
}

/* ---- messages in both shapes ---- */

typedef struct vmsg {
    char message[8];
    char nsp[72], uid[72], req[72];
    int has_req, has_data;
    uint8_t data[4096];
    size_t data_len;
    uint8_t body[4200];
    size_t body_len;
} vmsg;

/* An out message of a node as a vmsg (copied: the node may then pop it). */
SIOC_T_UNUSED static void vmsg_from_out(const sioc_node_out *o, vmsg *v) {
    memset(v, 0, sizeof *v);
    tcopy(v->message, sizeof v->message, o->message);
    tcopy(v->nsp, sizeof v->nsp, o->nsp);
    tcopy(v->uid, sizeof v->uid, o->uid);
    v->has_req = o->requester_uid.ptr != NULL;
    if (v->has_req) tcopy(v->req, sizeof v->req, o->requester_uid);
    v->has_data = o->data.ptr != NULL;
    v->data_len = o->data.len < sizeof v->data ? o->data.len : 0;
    if (v->data_len) memcpy(v->data, o->data.ptr, v->data_len);
    v->body_len = o->body.len < sizeof v->body ? o->body.len : 0;
    if (v->body_len) memcpy(v->body, o->body.ptr, v->body_len);
}

/* Feed a vmsg to a node: shape 0 = AWS (Message + attributes), 1 = Azure (body + properties), 2 = Azure body
   without properties. */
SIOC_T_UNUSED static sioc_result vmsg_feed(sioc_node *n, const vmsg *v, int shape, uint64_t now) {
    sioc_msg_envelope env;
    memset(&env, 0, sizeof env);
    env.nsp = sioc_str_c(v->nsp);
    env.uid = sioc_str_c(v->uid);
    if (v->has_req) env.requester_uid = sioc_str_c(v->req);
    if (shape == 0) {
        env.body = sioc_str_c(v->message);
        if (v->has_data) {
            env.data.ptr = v->data_len ? v->data : (const uint8_t *)"";
            env.data.len = v->data_len;
        }
        return sioc_node_receive_aws(n, &env, now);
    }
    return sioc_node_receive_azure(n, v->body, v->body_len, shape == 1 ? &env : NULL, now);
}

/* ---- canonical vectors ---- */

static sioc_json canon;
static int canon_loaded;

SIOC_T_UNUSED static void canon_load(void) {
    if (!canon_loaded) tv_load("vectors/socketio/cluster-canonical.json", &canon);
    canon_loaded = 1;
}

/* The n-th vector of an upstream type name with a kind ("publish", "response", "writeToEngine", ...) and a
   sender (NULL: any); -1 when missing. label may be NULL. */
SIOC_T_UNUSED static int canon_find(const char *type, const char *kind, const char *from, const char *label, int nth) {
    int vs = sioc_json_find(&canon, 0, "vectors"), v;
    for (v = sioc_json_first(&canon, vs); v >= 0; v = sioc_json_next(&canon, v)) {
        int t = sioc_json_find(&canon, v, "type"), k = sioc_json_find(&canon, v, "kind");
        int f = sioc_json_find(&canon, v, "from"), l = sioc_json_find(&canon, v, "label");
        if (type && !sioc_json_str_eq(&canon, t, type, strlen(type))) continue;
        if (kind && !sioc_json_str_eq(&canon, k, kind, strlen(kind))) continue;
        if (from && !sioc_json_str_eq(&canon, f, from, strlen(from))) continue;
        if (label && !sioc_json_str_eq(&canon, l, label, strlen(label))) continue;
        if (nth-- == 0) return v;
    }
    return -1;
}

/* A canonical vector (publish/response) as a vmsg. */
SIOC_T_UNUSED static void canon_vmsg(int v, vmsg *m) {
    int aws = sioc_json_find(&canon, v, "aws"), attrs = sioc_json_find(&canon, aws, "MessageAttributes"), a;
    int az = sioc_json_find(&canon, v, "azure");
    size_t n;
    uint8_t *b;
    memset(m, 0, sizeof *m);
    tcopy(m->message, sizeof m->message, tv_sstr(&canon, sioc_json_find(&canon, aws, "Message")));
    for (a = sioc_json_first(&canon, attrs); a >= 0; a = sioc_json_next(&canon, a)) {
        const char *name = tv_str(&canon, sioc_json_at(&canon, a, 0));
        int val = sioc_json_at(&canon, a, 2);
        if (!strcmp(name, "nsp")) tcopy(m->nsp, sizeof m->nsp, tv_sstr(&canon, val));
        if (!strcmp(name, "uid")) tcopy(m->uid, sizeof m->uid, tv_sstr(&canon, val));
        if (!strcmp(name, "requesterUid")) {
            m->has_req = 1;
            tcopy(m->req, sizeof m->req, tv_sstr(&canon, val));
        }
        if (!strcmp(name, "data")) {
            b = tv_hex(&canon, val, &n);
            m->has_data = 1;
            m->data_len = n;
            memcpy(m->data, b, n);
        }
    }
    b = tv_hex(&canon, sioc_json_find(&canon, az, "bodyHex"), &n);
    m->body_len = n;
    memcpy(m->body, b, n);
}

/* out message i of node n equals the vmsg in every part of both shapes. */
SIOC_T_UNUSED static int out_equals(const sioc_node *n, size_t i, const vmsg *want) {
    sioc_node_out o;
    vmsg got;
    if (sioc_node_out_peek(n, i, &o) != SIOC_OK) {
        fprintf(stderr, "  no out message %lu\n", (unsigned long)i);
        return 0;
    }
    vmsg_from_out(&o, &got);
    if (strcmp(got.message, want->message) || strcmp(got.nsp, want->nsp) || strcmp(got.uid, want->uid) ||
        got.has_req != want->has_req || strcmp(got.req, want->req) || got.has_data != want->has_data ||
        got.data_len != want->data_len || memcmp(got.data, want->data, got.data_len) ||
        got.body_len != want->body_len || memcmp(got.body, want->body, got.body_len)) {
        fprintf(stderr, "  out %s nsp %s uid %s req %s vs want %s %s %s %s\n", got.message, got.nsp, got.uid, got.req,
                want->message, want->nsp, want->uid, want->req);
        tv_print_hex("got data", got.data, got.data_len);
        tv_print_hex("want data", want->data, want->data_len);
        tv_print_hex("got body", got.body, got.body_len);
        tv_print_hex("want body", want->body, want->body_len);
        return 0;
    }
    return 1;
}

/* msgpack from a JSON text written in the vector convention ({"$bin": hex}); arena memory. */
SIOC_T_UNUSED static sioc_bytes mp_json(const char *json) {
    sioc_json d;
    sioc_json_tok toks[256];
    sioc_bytes b;
    size_t n = 0;
    char *copy = (char *)tv_alloc(strlen(json) + 1);
    memcpy(copy, json, strlen(json) + 1);
    b.ptr = NULL;
    b.len = 0;
    if (sioc_json_parse(&d, copy, strlen(copy), toks, 256) != SIOC_OK) {
        fprintf(stderr, "bad test JSON %s\n", json);
        exit(2);
    }
    b.ptr = tv_mp(&d, 0, &n);
    b.len = n;
    return b;
}

/* ---- a bus: every published message goes to every other attached node (and back to its sender, which must
   ignore it), in one shape; a node marked down neither sends nor receives. ---- */

#define BUS_MAX 6
#define BUS_LOG 512
typedef struct bus {
    sioc_node *nodes[BUS_MAX];
    int down[BUS_MAX];
    size_t count;
    int shape;
    size_t n_log;
    vmsg *log; /* every message carried (BUS_LOG ring, arena) */
    unsigned long carried;
    int echo; /* also deliver to the sender */
} bus;

static vmsg *bus_shared_log; /* one bus at a time: the log memory is reused */

SIOC_T_UNUSED static void bus_init(bus *b, int shape) {
    vmsg **shared_log = &bus_shared_log;
    memset(b, 0, sizeof *b);
    b->shape = shape;
    b->echo = 1;
    if (!*shared_log) *shared_log = (vmsg *)tv_alloc(sizeof(vmsg) * BUS_LOG);
    b->log = *shared_log;
}

SIOC_T_UNUSED static void bus_add(bus *b, sioc_node *n) { b->nodes[b->count++] = n; }

/* Move messages until every queue is empty (bounded). Returns how many were carried. */
SIOC_T_UNUSED static unsigned long bus_pump(bus *b, uint64_t now) {
    unsigned long moved = 0;
    int progress = 1, rounds = 0;
    while (progress && rounds++ < 100) {
        size_t i, j;
        progress = 0;
        for (i = 0; i < b->count; i++) {
            sioc_node_out o;
            vmsg *m;
            if (b->down[i]) continue;
            while (sioc_node_out_peek(b->nodes[i], 0, &o) == SIOC_OK) {
                m = &b->log[b->n_log++ % BUS_LOG];
                vmsg_from_out(&o, m);
                sioc_node_out_pop(b->nodes[i], 1);
                moved++;
                progress = 1;
                for (j = 0; j < b->count; j++) {
                    if (b->down[j] || (j == i && !b->echo)) continue;
                    (void)vmsg_feed(b->nodes[j], m, b->shape, now);
                }
            }
        }
    }
    b->carried += moved;
    return moved;
}

/* The last message carried by the bus of a type ("3"), from a uid (NULL: any). */
SIOC_T_UNUSED static vmsg *bus_last(bus *b, const char *type, const char *uid) {
    size_t k;
    for (k = b->n_log; k-- > 0 && b->n_log - k <= BUS_LOG;) {
        vmsg *m = &b->log[k % BUS_LOG];
        if (!strcmp(m->message, type) && (!uid || !strcmp(m->uid, uid))) return m;
    }
    return NULL;
}

SIOC_T_UNUSED static sioc_str S(const char *s) { return sioc_str_c(s); }

#endif
