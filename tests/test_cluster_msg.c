/* Cluster messages (docs/PROTOCOL.md §2, §3, §8): every canonical vector encoded byte-exact in both shapes from the C
   API and re-encoded from its decoding, every captured AWS and Azure message decoded and re-encoded byte-exact,
   every truncation rejected, and hostile variants rejected with the documented error. */
#define SIO_CLUSTER_IMPLEMENTATION
#include "sio_cluster.h"
#include "harness.h"
#include "sio_vec.h"

static uint8_t out_mem[1 << 16];
static int n_canon_publish, n_canon_checked, n_capture_aws, n_capture_azure, n_truncations;

/* ---- building a message from a vector's obj with the C encoding API ---- */

typedef struct strs_store {
    sioc_str v[32];
    char text[32][128];
    size_t n;
} strs_store;

static void strs_from(const sioc_json *d, int arr, strs_store *s) {
    int k;
    s->n = 0;
    for (k = sioc_json_first(d, arr); k >= 0 && s->n < 32; k = sioc_json_next(d, k)) {
        size_t n = 0;
        (void)sioc_json_get_str(d, k, s->text[s->n], sizeof s->text[0], &n);
        s->v[s->n].ptr = s->text[s->n];
        s->v[s->n].len = n;
        s->n++;
    }
}

typedef struct opts_store {
    strs_store rooms, except;
    sioc_msg_opts_desc desc;
} opts_store;

static void flags_from(const sioc_json *d, int fl, sioc_msg_flags *f) {
    int k;
    memset(f, 0, sizeof *f);
    for (k = sioc_json_first(d, fl); k >= 0; k = sioc_json_next(d, k)) {
        const char *key = tv_str(d, k);
        unsigned bit = !strcmp(key, "volatile")               ? SIOC_MSG_FLAG_VOLATILE
                       : !strcmp(key, "compress")             ? SIOC_MSG_FLAG_COMPRESS
                       : !strcmp(key, "timeout")              ? SIOC_MSG_FLAG_TIMEOUT
                       : !strcmp(key, "expectSingleResponse") ? SIOC_MSG_FLAG_EXPECT_SINGLE_RESPONSE
                                                              : 0u;
        int b = 0;
        int64_t t = 0;
        CHECKF(bit != 0, "unexpected flag %s", key);
        f->present |= bit;
        if (bit == SIOC_MSG_FLAG_TIMEOUT) {
            CHECK(sioc_json_get_i64(d, k + 1, &t) == SIOC_OK);
            f->timeout_ms = (uint64_t)t;
        } else {
            CHECK(sioc_json_get_bool(d, k + 1, &b) == SIOC_OK);
            if (b) f->values |= bit;
        }
    }
}

static void opts_from(const sioc_json *d, int opts, opts_store *o) {
    strs_from(d, sioc_json_find(d, opts, "rooms"), &o->rooms);
    strs_from(d, sioc_json_find(d, opts, "except"), &o->except);
    o->desc.rooms = o->rooms.v;
    o->desc.n_rooms = o->rooms.n;
    o->desc.except = o->except.v;
    o->desc.n_except = o->except.n;
    flags_from(d, sioc_json_find(d, opts, "flags"), &o->desc.flags);
}

static sioc_bytes mp_of(const sioc_json *d, int t) {
    sioc_bytes b;
    size_t n = 0;
    b.ptr = t >= 0 ? tv_mp(d, t, &n) : NULL;
    b.len = n;
    return b;
}

/* Write the data value of obj with the sioc_msg_write_* functions. */
static void write_data_from_obj(const sioc_json *d, int obj, sioc_msgpack_writer *w) {
    int data = sioc_json_find(d, obj, "data"), type = 0;
    int64_t t64 = 0;
    int rid_tok = sioc_json_find(d, data, "requestId");
    sioc_str rid = tv_sstr(d, rid_tok);
    opts_store o;
    strs_store rooms;
    (void)sioc_json_get_i64(d, sioc_json_find(d, obj, "type"), &t64);
    type = (int)t64;
    if (sioc_json_find(d, data, "opts") >= 0) opts_from(d, sioc_json_find(d, data, "opts"), &o);
    switch (type) {
    case SIOC_MSG_BROADCAST:
        sioc_msg_write_broadcast(w, &o.desc, mp_of(d, sioc_json_path(d, data, "packet.data")),
                                 rid_tok >= 0 ? &rid : NULL);
        break;
    case SIOC_MSG_SOCKETS_JOIN:
    case SIOC_MSG_SOCKETS_LEAVE:
        strs_from(d, sioc_json_find(d, data, "rooms"), &rooms);
        sioc_msg_write_sockets_rooms(w, &o.desc, rooms.v, rooms.n);
        break;
    case SIOC_MSG_DISCONNECT_SOCKETS: {
        int close = 0;
        (void)sioc_json_get_bool(d, sioc_json_find(d, data, "close"), &close);
        sioc_msg_write_disconnect_sockets(w, &o.desc, close);
        break;
    }
    case SIOC_MSG_FETCH_SOCKETS: sioc_msg_write_fetch_sockets(w, &o.desc, rid); break;
    case SIOC_MSG_FETCH_SOCKETS_RESPONSE: {
        int socks = sioc_json_find(d, data, "sockets"), s;
        sioc_msg_write_fetch_sockets_response(w, rid, (uint32_t)sioc_json_count(d, socks));
        for (s = sioc_json_first(d, socks); s >= 0; s = sioc_json_next(d, s)) {
            strs_from(d, sioc_json_find(d, s, "rooms"), &rooms);
            sioc_msg_write_socket(w, tv_sstr(d, sioc_json_find(d, s, "id")), mp_of(d, sioc_json_find(d, s, "handshake")),
                                  rooms.v, rooms.n, mp_of(d, sioc_json_find(d, s, "data")));
        }
        break;
    }
    case SIOC_MSG_SERVER_SIDE_EMIT:
        sioc_msg_write_server_side_emit(w, rid_tok >= 0 ? &rid : NULL, mp_of(d, sioc_json_find(d, data, "packet")));
        break;
    case SIOC_MSG_SERVER_SIDE_EMIT_RESPONSE:
    case SIOC_MSG_BROADCAST_ACK:
        sioc_msg_write_ack_response(w, rid, mp_of(d, sioc_json_find(d, data, "packet")));
        break;
    case SIOC_MSG_BROADCAST_CLIENT_COUNT: {
        int64_t c = 0;
        (void)sioc_json_get_i64(d, sioc_json_find(d, data, "clientCount"), &c);
        sioc_msg_write_client_count(w, rid, (uint64_t)c);
        break;
    }
    default: break;
    }
}

/* ---- checking a decoded message against a vector's obj ---- */

static int list_eq(sioc_msg_list l, const sioc_json *d, int arr) {
    int k;
    sioc_str s;
    if (l.count != sioc_json_count(d, arr)) return 0;
    for (k = sioc_json_first(d, arr); k >= 0; k = sioc_json_next(d, k)) {
        if (!sioc_msg_list_next_str(&l, &s)) return 0;
        if (!sioc_str_eq(s, tv_sstr(d, k))) return 0;
    }
    return !sioc_msg_list_next_str(&l, &s);
}

static int bytes_eq_mp(sioc_bytes b, const sioc_json *d, int t) {
    size_t n;
    uint8_t *mp = tv_mp(d, t, &n);
    return b.ptr && b.len == n && memcmp(b.ptr, mp, n) == 0;
}

static void check_fields(const sioc_msg *m, const sioc_json *d, int obj, const char *label) {
    int data = sioc_json_find(d, obj, "data"), t;
    int64_t type = 0;
    (void)sioc_json_get_i64(d, sioc_json_find(d, obj, "type"), &type);
    CHECKF(m->type == (int)type, "%s: type %d", label, m->type);
    CHECKF(sioc_str_eq(m->uid, tv_sstr(d, sioc_json_find(d, obj, "uid"))), "%s: uid", label);
    CHECKF(sioc_str_eq(m->nsp, tv_sstr(d, sioc_json_find(d, obj, "nsp"))), "%s: nsp", label);
    if (data < 0) {
        CHECKF(m->data.ptr == NULL, "%s: no data", label);
        return;
    }
    t = sioc_json_find(d, data, "requestId");
    CHECKF(m->has_request_id == (t >= 0), "%s: has_request_id", label);
    if (t >= 0) CHECKF(sioc_str_eq(m->request_id, tv_sstr(d, t)), "%s: requestId", label);
    if ((t = sioc_json_find(d, data, "opts")) >= 0) {
        sioc_msg_flags f;
        CHECKF(list_eq(m->opts.rooms, d, sioc_json_find(d, t, "rooms")), "%s: opts.rooms", label);
        CHECKF(list_eq(m->opts.except, d, sioc_json_find(d, t, "except")), "%s: opts.except", label);
        flags_from(d, sioc_json_find(d, t, "flags"), &f);
        CHECKF(m->opts.flags.present == f.present && m->opts.flags.values == f.values &&
                   m->opts.flags.timeout_ms == (f.present & SIOC_MSG_FLAG_TIMEOUT ? f.timeout_ms : 0),
               "%s: flags %x/%x", label, m->opts.flags.present, m->opts.flags.values);
    }
    switch (m->type) {
    case SIOC_MSG_BROADCAST:
        CHECKF(bytes_eq_mp(m->packet_data, d, sioc_json_path(d, data, "packet.data")), "%s: packet.data", label);
        CHECKF(bytes_eq_mp(m->packet, d, sioc_json_find(d, data, "packet")), "%s: packet", label);
        break;
    case SIOC_MSG_SOCKETS_JOIN:
    case SIOC_MSG_SOCKETS_LEAVE:
        CHECKF(list_eq(m->rooms, d, sioc_json_find(d, data, "rooms")), "%s: rooms", label);
        break;
    case SIOC_MSG_DISCONNECT_SOCKETS: {
        int close = -1;
        (void)sioc_json_get_bool(d, sioc_json_find(d, data, "close"), &close);
        CHECKF(m->close == close, "%s: close", label);
        break;
    }
    case SIOC_MSG_FETCH_SOCKETS_RESPONSE: {
        int socks = sioc_json_find(d, data, "sockets"), s;
        sioc_msg_list l = m->sockets;
        sioc_msg_socket so;
        CHECKF(l.count == sioc_json_count(d, socks), "%s: socket count", label);
        for (s = sioc_json_first(d, socks); s >= 0; s = sioc_json_next(d, s)) {
            CHECK(sioc_msg_list_next_socket(&l, &so));
            CHECKF(sioc_str_eq(so.id, tv_sstr(d, sioc_json_find(d, s, "id"))), "%s: socket id", label);
            CHECKF(list_eq(so.rooms, d, sioc_json_find(d, s, "rooms")), "%s: socket rooms", label);
            CHECKF(bytes_eq_mp(so.handshake, d, sioc_json_find(d, s, "handshake")), "%s: handshake", label);
            CHECKF(bytes_eq_mp(so.data, d, sioc_json_find(d, s, "data")), "%s: socket data", label);
        }
        CHECK(!sioc_msg_list_next_socket(&l, &so));
        break;
    }
    case SIOC_MSG_SERVER_SIDE_EMIT:
    case SIOC_MSG_SERVER_SIDE_EMIT_RESPONSE:
    case SIOC_MSG_BROADCAST_ACK:
        CHECKF(m->has_packet, "%s: has_packet", label);
        CHECKF(bytes_eq_mp(m->packet, d, sioc_json_find(d, data, "packet")), "%s: packet", label);
        break;
    case SIOC_MSG_BROADCAST_CLIENT_COUNT: {
        int64_t c = -1;
        (void)sioc_json_get_i64(d, sioc_json_find(d, data, "clientCount"), &c);
        CHECKF((int64_t)m->client_count == c, "%s: clientCount", label);
        break;
    }
    default: break;
    }
}

/* ---- truncation sweep ---- */

static void truncations_aws(const sioc_msg_envelope *env0, const char *label) {
    size_t cut;
    for (cut = 0; cut < env0->data.len; cut++) {
        sioc_msg_envelope env = *env0;
        sioc_msg m;
        uint8_t *p = (uint8_t *)sioc_t_tight(env0->data.ptr, cut);
        sioc_result e;
        env.data.ptr = p;
        env.data.len = cut;
        e = sioc_msg_decode_aws(&env, &m);
        CHECKF(e == SIOC_ERR_PARSE, "%s: AWS data cut at %lu gave %d", label, (unsigned long)cut, (int)e);
        n_truncations++;
        free(p);
    }
}

static void truncations_azure(const uint8_t *body, size_t len, const char *label) {
    size_t cut;
    for (cut = 0; cut < len; cut++) {
        sioc_msg m;
        uint8_t *p = (uint8_t *)sioc_t_tight(body, cut);
        sioc_result e = sioc_msg_decode_azure(p, cut, NULL, &m);
        CHECKF(e == SIOC_ERR_PARSE, "%s: Azure body cut at %lu gave %d", label, (unsigned long)cut, (int)e);
        n_truncations++;
        free(p);
    }
}

/* ---- canonical vectors ---- */

static void expect_bytes(const char *label, const char *what, const uint8_t *got, size_t got_n, const uint8_t *want,
                         size_t want_n) {
    int ok = got_n == want_n && memcmp(got, want, want_n) == 0;
    CHECKF(ok, "%s: %s differs", label, what);
    if (!ok) {
        tv_print_hex("got ", got, got_n);
        tv_print_hex("want", want, want_n);
    }
}

static void test_canonical(void) {
    sioc_json d;
    int v;
    tv_load("vectors/socketio/cluster-canonical.json", &d);
    for (v = sioc_json_first(&d, sioc_json_find(&d, 0, "vectors")); v >= 0; v = sioc_json_next(&d, v)) {
        const char *kind = tv_str(&d, sioc_json_find(&d, v, "kind"));
        const char *label = tv_str(&d, sioc_json_find(&d, v, "label"));
        int obj = sioc_json_find(&d, v, "obj"), aws = sioc_json_find(&d, v, "aws"), az = sioc_json_find(&d, v, "azure");
        int attrs = sioc_json_find(&d, aws, "MessageAttributes"), a, props;
        sioc_msg_envelope env;
        sioc_msg m, mz;
        sioc_buf b;
        sioc_msgpack_writer w;
        uint8_t *body, *data = NULL;
        size_t body_n, data_n = 0;
        sioc_result e;
        int64_t type = 0;
        char type_text[4];
        if (strcmp(kind, "publish") != 0 && strcmp(kind, "response") != 0) continue;
        n_canon_publish++;
        (void)sioc_json_get_i64(&d, sioc_json_find(&d, obj, "type"), &type);
        memset(&env, 0, sizeof env);
        env.body = tv_dup(&d, sioc_json_find(&d, aws, "Message"));
        for (a = sioc_json_first(&d, attrs); a >= 0; a = sioc_json_next(&d, a)) {
            const char *name = tv_str(&d, sioc_json_at(&d, a, 0));
            int val = sioc_json_at(&d, a, 2);
            if (!strcmp(name, "nsp")) env.nsp = tv_dup(&d, val);
            if (!strcmp(name, "uid")) env.uid = tv_dup(&d, val);
            if (!strcmp(name, "requesterUid")) env.requester_uid = tv_dup(&d, val);
            if (!strcmp(name, "data")) {
                CHECK(!strcmp(tv_str(&d, sioc_json_at(&d, a, 1)), "Binary"));
                data = tv_hex(&d, val, &data_n);
                env.data.ptr = data;
                env.data.len = data_n;
            }
        }
        /* Message text */
        {
            char t[4];
            size_t n = sioc_msg_type_text((int)type, t);
            CHECK(sioc_str_eq(env.body, sioc_str_c(t)) && n == env.body.len);
        }
        /* encode with the C API: AWS data attribute */
        if (data) {
            sioc_buf_init(&b, out_mem, sizeof out_mem);
            sioc_msgpack_writer_init(&w, &b);
            write_data_from_obj(&d, obj, &w);
            CHECK(sioc_msgpack_writer_finish(&w) == SIOC_OK);
            expect_bytes(label, "AWS data (C API)", out_mem, b.len, data, data_n);
        }
        CHECK(sioc_msg_has_data((int)type) == (data != NULL));
        CHECK(sioc_msg_is_response((int)type) == (env.requester_uid.ptr != NULL));
        /* encode with the C API: Azure body */
        body = tv_hex(&d, sioc_json_find(&d, az, "bodyHex"), &body_n);
        sioc_buf_init(&b, out_mem, sizeof out_mem);
        sioc_msgpack_writer_init(&w, &b);
        sioc_msg_azure_begin(&w, (int)type, data != NULL);
        if (data) write_data_from_obj(&d, obj, &w);
        sioc_msg_azure_end(&w, tv_sstr(&d, sioc_json_find(&d, obj, "uid")), tv_sstr(&d, sioc_json_find(&d, obj, "nsp")));
        CHECK(sioc_msgpack_writer_finish(&w) == SIOC_OK);
        expect_bytes(label, "Azure body (C API)", out_mem, b.len, body, body_n);
        /* decode AWS, check fields, re-encode */
        e = sioc_msg_decode_aws(&env, &m);
        CHECKF(e == SIOC_OK, "%s: AWS decode %d (%s)", label, (int)e, m.error_field ? m.error_field : "");
        check_fields(&m, &d, obj, label);
        CHECK(sioc_str_eq(m.requester_uid, env.requester_uid));
        sioc_buf_init(&b, out_mem, sizeof out_mem);
        CHECK(sioc_msg_encode_aws_data(&m, &b) == SIOC_OK);
        expect_bytes(label, "AWS data (re-encoded)", out_mem, b.len, data ? data : out_mem, data_n);
        sioc_buf_init(&b, out_mem, sizeof out_mem);
        CHECK(sioc_msg_encode_azure(&m, &b) == SIOC_OK);
        expect_bytes(label, "Azure body (re-encoded from AWS)", out_mem, b.len, body, body_n);
        /* decode Azure with its application properties */
        props = sioc_json_find(&d, az, "applicationProperties");
        memset(&env, 0, sizeof env);
        env.nsp = tv_dup(&d, sioc_json_find(&d, props, "nsp"));
        env.uid = tv_dup(&d, sioc_json_find(&d, props, "uid"));
        if (sioc_json_find(&d, props, "requesterUid") >= 0)
            env.requester_uid = tv_dup(&d, sioc_json_find(&d, props, "requesterUid"));
        e = sioc_msg_decode_azure(body, body_n, &env, &mz);
        CHECKF(e == SIOC_OK, "%s: Azure decode %d", label, (int)e);
        check_fields(&mz, &d, obj, label);
        CHECK(sioc_str_eq(mz.requester_uid, m.requester_uid));
        sioc_buf_init(&b, out_mem, sizeof out_mem);
        CHECK(sioc_msg_encode_azure(&mz, &b) == SIOC_OK);
        expect_bytes(label, "Azure body (re-encoded)", out_mem, b.len, body, body_n);
        /* every truncation */
        memset(&env, 0, sizeof env);
        env.body.len = sioc_msg_type_text((int)type, type_text);
        env.body.ptr = type_text;
        env.nsp = m.nsp;
        env.uid = m.uid;
        if (data) {
            env.data.ptr = data;
            env.data.len = data_n;
            truncations_aws(&env, label);
        }
        truncations_azure(body, body_n, label);
        n_canon_checked++;
    }
}

/* ---- captures ---- */

static void test_capture_aws(void) {
    sioc_json d;
    int v;
    tv_load("vectors/socketio/cluster-capture-aws.json", &d);
    for (v = sioc_json_first(&d, sioc_json_find(&d, 0, "msgs")); v >= 0; v = sioc_json_next(&d, v)) {
        const char *label = tv_str(&d, sioc_json_find(&d, v, "label"));
        sioc_msg_envelope env;
        sioc_msg m;
        sioc_buf b;
        uint8_t *data = NULL;
        size_t data_n = 0;
        int dec = sioc_json_find(&d, v, "decoded"), rq;
        sioc_result e;
        memset(&env, 0, sizeof env);
        env.body = tv_dup(&d, sioc_json_find(&d, v, "Message"));
        env.nsp = tv_dup(&d, sioc_json_find(&d, v, "nsp"));
        env.uid = tv_dup(&d, sioc_json_find(&d, v, "uid"));
        if ((rq = sioc_json_find(&d, v, "requesterUid")) >= 0) env.requester_uid = tv_dup(&d, rq);
        if (sioc_json_find(&d, v, "dataHex") >= 0) {
            data = tv_hex(&d, sioc_json_find(&d, v, "dataHex"), &data_n);
            env.data.ptr = data;
            env.data.len = data_n;
        }
        e = sioc_msg_decode_aws(&env, &m);
        CHECKF(e == SIOC_OK, "capture %s: decode %d (%s)", label, (int)e, m.error_field ? m.error_field : "");
        CHECK(sioc_msg_is_response(m.type) == (rq >= 0));
        if (dec >= 0 && sioc_json_find(&d, dec, "requestId") >= 0)
            CHECKF(sioc_str_eq(m.request_id, tv_sstr(&d, sioc_json_find(&d, dec, "requestId"))), "capture %s", label);
        if (dec >= 0 && sioc_json_find(&d, dec, "clientCount") >= 0) {
            int64_t c = -1;
            (void)sioc_json_get_i64(&d, sioc_json_find(&d, dec, "clientCount"), &c);
            CHECK((int64_t)m.client_count == c);
        }
        if (m.type == SIOC_MSG_FETCH_SOCKETS_RESPONSE)
            CHECK(m.sockets.count == sioc_json_count(&d, sioc_json_find(&d, dec, "sockets")));
        sioc_buf_init(&b, out_mem, sizeof out_mem);
        CHECK(sioc_msg_encode_aws_data(&m, &b) == SIOC_OK);
        expect_bytes(label, "capture AWS data re-encoded", out_mem, b.len, data ? data : out_mem, data_n);
        if (data) truncations_aws(&env, label);
        if (e == SIOC_OK) n_capture_aws++;
    }
}

static void test_capture_azure(void) {
    sioc_json d;
    int v;
    tv_load("vectors/socketio/cluster-capture-azure.json", &d);
    for (v = sioc_json_first(&d, sioc_json_find(&d, 0, "msgs")); v >= 0; v = sioc_json_next(&d, v)) {
        const char *label = tv_str(&d, sioc_json_find(&d, v, "label"));
        int props = sioc_json_find(&d, v, "applicationProperties"), dec = sioc_json_find(&d, v, "decoded"), rq;
        sioc_msg_envelope env;
        sioc_msg m;
        sioc_buf b;
        size_t n;
        uint8_t *body = tv_hex(&d, sioc_json_find(&d, v, "bodyHex"), &n);
        sioc_result e;
        memset(&env, 0, sizeof env);
        env.nsp = tv_dup(&d, sioc_json_find(&d, props, "nsp"));
        env.uid = tv_dup(&d, sioc_json_find(&d, props, "uid"));
        if ((rq = sioc_json_find(&d, props, "requesterUid")) >= 0) env.requester_uid = tv_dup(&d, rq);
        e = sioc_msg_decode_azure(body, n, &env, &m);
        CHECKF(e == SIOC_OK, "azure capture %s: decode %d (%s)", label, (int)e, m.error_field ? m.error_field : "");
        if (dec >= 0) {
            int64_t t = 0;
            (void)sioc_json_get_i64(&d, sioc_json_find(&d, dec, "type"), &t);
            CHECK(m.type == (int)t);
            CHECK(sioc_msg_is_response(m.type) == (rq >= 0));
            if (sioc_json_path(&d, dec, "data.requestId") >= 0)
                CHECK(sioc_str_eq(m.request_id, tv_sstr(&d, sioc_json_path(&d, dec, "data.requestId"))));
        }
        sioc_buf_init(&b, out_mem, sizeof out_mem);
        CHECK(sioc_msg_encode_azure(&m, &b) == SIOC_OK);
        expect_bytes(label, "capture Azure body re-encoded", out_mem, b.len, body, n);
        truncations_azure(body, n, label);
        if (e == SIOC_OK) n_capture_azure++;
    }
}

/* ---- hostile and edge cases ---- */

static sioc_msgpack_writer hw;
static sioc_buf hb;
static uint8_t hmem[4096];

static sioc_msgpack_writer *hstart(void) {
    sioc_buf_init(&hb, hmem, sizeof hmem);
    sioc_msgpack_writer_init(&hw, &hb);
    return &hw;
}

static sioc_result hdecode(int type, sioc_msg *m) {
    sioc_msg_envelope env;
    char t[4];
    memset(&env, 0, sizeof env);
    env.body.ptr = t;
    env.body.len = sioc_msg_type_text(type, t);
    env.nsp = sioc_str_c("/");
    env.uid = sioc_str_c("cccccccccccccccc");
    env.data.ptr = hmem;
    env.data.len = hb.len;
    return sioc_msg_decode_aws(&env, m);
}

static void k(sioc_msgpack_writer *w, const char *s) { sioc_msgpack_write_cstr(w, s); }

static void empty_opts(sioc_msgpack_writer *w) {
    sioc_msgpack_write_map(w, 3);
    k(w, "rooms");
    sioc_msgpack_write_array(w, 0);
    k(w, "except");
    sioc_msgpack_write_array(w, 0);
    k(w, "flags");
    sioc_msgpack_write_map(w, 0);
}

static void event_packet(sioc_msgpack_writer *w, const char *event) {
    sioc_msgpack_write_map(w, 2);
    k(w, "type");
    sioc_msgpack_write_uint(w, 2);
    k(w, "data");
    sioc_msgpack_write_array(w, 1);
    k(w, event);
}

static void test_hostile(void) {
    sioc_msg m;
    sioc_msgpack_writer *w;
    sioc_msg_envelope env;
    sioc_result e;

    /* BROADCAST with requestId nil: dropped (§8, Q3) */
    w = hstart();
    sioc_msgpack_write_map(w, 3);
    k(w, "packet");
    event_packet(w, "ev");
    k(w, "requestId");
    sioc_msgpack_write_nil(w);
    k(w, "opts");
    empty_opts(w);
    CHECK(sioc_msgpack_writer_finish(w) == SIOC_OK);
    CHECK_EQ_INT(hdecode(3, &m), SIOC_ERR_PROTOCOL);
    CHECK(m.error_field && !strcmp(m.error_field, "requestId"));
    CHECK(m.type == 3 && sioc_str_eq(m.uid, sioc_str_c("cccccccccccccccc")));

    /* requestId of another type */
    w = hstart();
    sioc_msgpack_write_map(w, 3);
    k(w, "packet");
    event_packet(w, "ev");
    k(w, "requestId");
    sioc_msgpack_write_uint(w, 7);
    k(w, "opts");
    empty_opts(w);
    CHECK(sioc_msgpack_writer_finish(w) == SIOC_OK);
    CHECK_EQ_INT(hdecode(3, &m), SIOC_ERR_TYPE);

    /* emitter variant: opts {rooms, flags, except}, packet with nsp, flags unknown + volatile of a wrong type */
    w = hstart();
    sioc_msgpack_write_map(w, 2);
    k(w, "packet");
    sioc_msgpack_write_map(w, 3);
    k(w, "type");
    sioc_msgpack_write_uint(w, 2);
    k(w, "data");
    sioc_msgpack_write_array(w, 2);
    k(w, "ev");
    sioc_msgpack_write_uint(w, 5);
    k(w, "nsp");
    k(w, "/other");
    k(w, "opts");
    sioc_msgpack_write_map(w, 3);
    k(w, "rooms");
    sioc_msgpack_write_array(w, 2);
    k(w, "r1");
    k(w, "r2");
    k(w, "flags");
    sioc_msgpack_write_map(w, 3);
    k(w, "foo");
    sioc_msgpack_write_array(w, 0);
    k(w, "volatile");
    sioc_msgpack_write_uint(w, 1);
    k(w, "compress");
    sioc_msgpack_write_bool(w, 1);
    k(w, "except");
    sioc_msgpack_write_array(w, 1);
    k(w, "x");
    CHECK(sioc_msgpack_writer_finish(w) == SIOC_OK);
    e = hdecode(3, &m);
    CHECK_EQ_INT(e, SIOC_OK);
    CHECK(m.opts.rooms.count == 2 && m.opts.except.count == 1 && !m.has_request_id);
    CHECK(m.opts.flags.present == SIOC_MSG_FLAG_COMPRESS && m.opts.flags.values == SIOC_MSG_FLAG_COMPRESS);
    CHECK(m.packet_data.len == 5 && m.packet_data.ptr[0] == 0x92);
    {
        /* re-encoded in canonical form: packet without nsp, opts in order, flags map kept as received */
        static const uint8_t want_head[] = {0x82, 0xa6, 'p', 'a', 'c', 'k', 'e', 't', 0x82, 0xa4, 't', 'y', 'p', 'e', 0x02};
        sioc_buf b;
        sioc_buf_init(&b, out_mem, sizeof out_mem);
        CHECK(sioc_msg_encode_aws_data(&m, &b) == SIOC_OK);
        CHECK(b.len > sizeof want_head && memcmp(out_mem, want_head, sizeof want_head) == 0);
    }

    /* opts without rooms/except/flags, and with nil ones: every socket */
    w = hstart();
    sioc_msgpack_write_map(w, 2);
    k(w, "packet");
    event_packet(w, "ev");
    k(w, "opts");
    sioc_msgpack_write_map(w, 2);
    k(w, "rooms");
    sioc_msgpack_write_nil(w);
    k(w, "flags");
    sioc_msgpack_write_nil(w);
    CHECK(sioc_msgpack_writer_finish(w) == SIOC_OK);
    CHECK_EQ_INT(hdecode(3, &m), SIOC_OK);
    CHECK(m.opts.rooms.count == 0 && m.opts.except.count == 0 && m.opts.flags.present == 0);

    /* rooms a string (Node would make a Set of its characters): refused */
    w = hstart();
    sioc_msgpack_write_map(w, 2);
    k(w, "packet");
    event_packet(w, "ev");
    k(w, "opts");
    sioc_msgpack_write_map(w, 1);
    k(w, "rooms");
    k(w, "room1");
    CHECK(sioc_msgpack_writer_finish(w) == SIOC_OK);
    CHECK_EQ_INT(hdecode(3, &m), SIOC_ERR_TYPE);
    CHECK(!strcmp(m.error_field, "opts.rooms"));

    /* rooms with a non-string element */
    w = hstart();
    sioc_msgpack_write_map(w, 2);
    k(w, "opts");
    empty_opts(w);
    k(w, "rooms");
    sioc_msgpack_write_array(w, 2);
    k(w, "a");
    sioc_msgpack_write_uint(w, 1);
    CHECK(sioc_msgpack_writer_finish(w) == SIOC_OK);
    CHECK_EQ_INT(hdecode(4, &m), SIOC_ERR_TYPE);

    /* missing opts (Node: poison batch, Q17) */
    w = hstart();
    sioc_msgpack_write_map(w, 1);
    k(w, "packet");
    event_packet(w, "ev");
    CHECK(sioc_msgpack_writer_finish(w) == SIOC_OK);
    CHECK_EQ_INT(hdecode(3, &m), SIOC_ERR_PROTOCOL);
    CHECK(!strcmp(m.error_field, "opts"));

    /* reserved event name, empty data array, packet.type 5 */
    w = hstart();
    sioc_msgpack_write_map(w, 2);
    k(w, "packet");
    event_packet(w, "disconnect");
    k(w, "opts");
    empty_opts(w);
    CHECK(sioc_msgpack_writer_finish(w) == SIOC_OK);
    CHECK_EQ_INT(hdecode(3, &m), SIOC_ERR_TYPE);
    w = hstart();
    sioc_msgpack_write_map(w, 2);
    k(w, "packet");
    sioc_msgpack_write_map(w, 2);
    k(w, "type");
    sioc_msgpack_write_uint(w, 5);
    k(w, "data");
    sioc_msgpack_write_array(w, 1);
    k(w, "ev");
    k(w, "opts");
    empty_opts(w);
    CHECK(sioc_msgpack_writer_finish(w) == SIOC_OK);
    CHECK_EQ_INT(hdecode(3, &m), SIOC_ERR_TYPE);
    CHECK(!strcmp(m.error_field, "packet.type"));

    /* clientCount negative / float / missing */
    w = hstart();
    sioc_msgpack_write_map(w, 2);
    k(w, "requestId");
    k(w, "r");
    k(w, "clientCount");
    sioc_msgpack_write_int(w, -1);
    CHECK(sioc_msgpack_writer_finish(w) == SIOC_OK);
    CHECK_EQ_INT(hdecode(11, &m), SIOC_ERR_TYPE);
    w = hstart();
    sioc_msgpack_write_map(w, 2);
    k(w, "requestId");
    k(w, "r");
    k(w, "clientCount");
    sioc_msgpack_write_double(w, 1.5);
    CHECK(sioc_msgpack_writer_finish(w) == SIOC_OK);
    CHECK_EQ_INT(hdecode(11, &m), SIOC_ERR_TYPE);
    w = hstart();
    sioc_msgpack_write_map(w, 1);
    k(w, "requestId");
    k(w, "r");
    CHECK(sioc_msgpack_writer_finish(w) == SIOC_OK);
    CHECK_EQ_INT(hdecode(11, &m), SIOC_ERR_PROTOCOL);

    /* BROADCAST_ACK without packet: absent (undefined), kept absent when re-encoded; with nil: present */
    CHECK_EQ_INT(hdecode(12, &m), SIOC_OK);
    CHECK(!m.has_packet && m.packet.ptr == NULL);
    {
        sioc_buf b;
        sioc_buf_init(&b, out_mem, sizeof out_mem);
        CHECK(sioc_msg_encode_aws_data(&m, &b) == SIOC_OK);
        CHECK_MEM(out_mem, b.len, hmem, hb.len);
    }
    w = hstart();
    sioc_msg_write_ack_response(w, sioc_str_c("r"), m.packet); /* ptr NULL: nil */
    CHECK(sioc_msgpack_writer_finish(w) == SIOC_OK);
    CHECK_EQ_INT(hdecode(12, &m), SIOC_OK);
    CHECK(m.has_packet && m.packet.len == 1 && m.packet.ptr[0] == 0xc0);

    /* close: nil and absent read as false; a string is refused */
    w = hstart();
    sioc_msgpack_write_map(w, 1);
    k(w, "opts");
    empty_opts(w);
    CHECK(sioc_msgpack_writer_finish(w) == SIOC_OK);
    CHECK_EQ_INT(hdecode(6, &m), SIOC_OK);
    CHECK(m.close == 0);
    w = hstart();
    sioc_msgpack_write_map(w, 2);
    k(w, "opts");
    empty_opts(w);
    k(w, "close");
    k(w, "yes");
    CHECK(sioc_msgpack_writer_finish(w) == SIOC_OK);
    CHECK_EQ_INT(hdecode(6, &m), SIOC_ERR_TYPE);

    /* sockets: not an array; an entry without id */
    w = hstart();
    sioc_msgpack_write_map(w, 2);
    k(w, "requestId");
    k(w, "r");
    k(w, "sockets");
    sioc_msgpack_write_map(w, 0);
    CHECK(sioc_msgpack_writer_finish(w) == SIOC_OK);
    CHECK_EQ_INT(hdecode(8, &m), SIOC_ERR_TYPE);
    w = hstart();
    sioc_msg_write_fetch_sockets_response(w, sioc_str_c("r"), 1);
    sioc_msgpack_write_map(w, 1);
    k(w, "rooms");
    sioc_msgpack_write_array(w, 0);
    CHECK(sioc_msgpack_writer_finish(w) == SIOC_OK);
    CHECK_EQ_INT(hdecode(8, &m), SIOC_ERR_PROTOCOL);
    CHECK(!strcmp(m.error_field, "sockets[].id"));
    /* an empty answer (sent always, §6.1) and a socket with default handshake/data */
    w = hstart();
    sioc_msg_write_fetch_sockets_response(w, sioc_str_c("r"), 0);
    CHECK(sioc_msgpack_writer_finish(w) == SIOC_OK);
    CHECK_EQ_INT(hdecode(8, &m), SIOC_OK);
    CHECK(m.sockets.count == 0);
    {
        sioc_str rooms[2];
        sioc_bytes none = {NULL, 0};
        sioc_msg_socket so;
        sioc_msg_list l;
        rooms[0] = sioc_str_c("sid1");
        rooms[1] = sioc_str_c("room");
        w = hstart();
        sioc_msg_write_fetch_sockets_response(w, sioc_str_c("r"), 1);
        sioc_msg_write_socket(w, sioc_str_c("sid1"), none, rooms, 2, none);
        CHECK(sioc_msgpack_writer_finish(w) == SIOC_OK);
        CHECK_EQ_INT(hdecode(8, &m), SIOC_OK);
        l = m.sockets;
        CHECK(sioc_msg_list_next_socket(&l, &so));
        CHECK(sioc_str_eq(so.id, sioc_str_c("sid1")) && so.rooms.count == 2);
        CHECK(so.handshake.len == 1 && so.handshake.ptr[0] == 0x80 && so.data.len == 1 && so.data.ptr[0] == 0x80);
    }

    /* trailing bytes, 0xc1, bad UTF-8, __proto__ key: all PARSE */
    w = hstart();
    sioc_msg_write_client_count(w, sioc_str_c("r"), 1);
    CHECK(sioc_msgpack_writer_finish(w) == SIOC_OK);
    hmem[hb.len++] = 0x00;
    CHECK_EQ_INT(hdecode(11, &m), SIOC_ERR_PARSE);
    CHECK(!strcmp(m.error_field, "data"));
    hb.len--;
    CHECK_EQ_INT(hdecode(11, &m), SIOC_OK);
    hmem[hb.len - 1] = 0xc1;
    CHECK_EQ_INT(hdecode(11, &m), SIOC_ERR_PARSE);
    w = hstart();
    sioc_msg_write_client_count(w, sioc_str_c("\xc3\x28"), 1);
    CHECK(sioc_msgpack_writer_finish(w) == SIOC_OK);
    CHECK_EQ_INT(hdecode(11, &m), SIOC_ERR_PARSE);
    {
        static const uint8_t proto[] = {0x82, 0xa9, 'r', 'e', 'q', 'u', 'e', 's', 't', 'I', 'd', 0xa1, 'r',
                                        0xa9, '_',  '_', 'p', 'r', 'o', 't', 'o', '_', '_', 0x01};
        memcpy(hmem, proto, sizeof proto);
        hb.len = sizeof proto;
        CHECK_EQ_INT(hdecode(11, &m), SIOC_ERR_PARSE);
    }

    /* deep nesting: limit, never recursion */
    {
        size_t i;
        hb.len = 0;
        for (i = 0; i < 2000; i++) hmem[hb.len++] = 0x91;
        hmem[hb.len++] = 0xc0;
        CHECK_EQ_INT(hdecode(12, &m), SIOC_ERR_LIMIT);
    }

    /* data not a map; data missing; unknown type keeps uid/nsp for liveness; bad Message text */
    w = hstart();
    sioc_msgpack_write_array(w, 0);
    CHECK(sioc_msgpack_writer_finish(w) == SIOC_OK);
    CHECK_EQ_INT(hdecode(7, &m), SIOC_ERR_TYPE);
    memset(&env, 0, sizeof env);
    env.nsp = sioc_str_c("/");
    env.uid = sioc_str_c("u");
    env.body = sioc_str_c("7");
    CHECK_EQ_INT(sioc_msg_decode_aws(&env, &m), SIOC_ERR_PROTOCOL);
    CHECK(!strcmp(m.error_field, "data"));
    env.body = sioc_str_c("14");
    CHECK_EQ_INT(sioc_msg_decode_aws(&env, &m), SIOC_ERR_UNSUPPORTED);
    CHECK(m.type == 14 && sioc_str_eq(m.uid, sioc_str_c("u")) && sioc_str_eq(m.nsp, sioc_str_c("/")));
    env.body = sioc_str_c("3x");
    CHECK_EQ_INT(sioc_msg_decode_aws(&env, &m), SIOC_ERR_PARSE);
    env.body = sioc_str_c("");
    CHECK_EQ_INT(sioc_msg_decode_aws(&env, &m), SIOC_ERR_PARSE);
    env.body = sioc_str_c("2");
    CHECK_EQ_INT(sioc_msg_decode_aws(&env, &m), SIOC_OK);
    CHECK(m.type == 2 && m.data.ptr == NULL);
    env.uid.ptr = NULL;
    CHECK_EQ_INT(sioc_msg_decode_aws(&env, &m), SIOC_ERR_PROTOCOL);
    env.uid = sioc_str_c("u");
    env.nsp.ptr = NULL;
    CHECK_EQ_INT(sioc_msg_decode_aws(&env, &m), SIOC_ERR_PROTOCOL);
    CHECK(!strcmp(m.error_field, "nsp"));
    /* data on a HEARTBEAT: ignored when valid msgpack, refused when not */
    env.nsp = sioc_str_c("/");
    env.data.ptr = (const uint8_t *)"\x80";
    env.data.len = 1;
    CHECK_EQ_INT(sioc_msg_decode_aws(&env, &m), SIOC_OK);
    env.data.ptr = (const uint8_t *)"\x81";
    CHECK_EQ_INT(sioc_msg_decode_aws(&env, &m), SIOC_ERR_PARSE);
    /* empty requesterUid counts as absent */
    env.data.ptr = NULL;
    env.requester_uid = sioc_str_c("");
    CHECK_EQ_INT(sioc_msg_decode_aws(&env, &m), SIOC_OK);
    CHECK(m.requester_uid.ptr == NULL);

    /* Azure: properties disagreeing with the body, body not a map, type not an integer */
    {
        static const uint8_t hb_body[] = {0x83, 0xa4, 't', 'y', 'p', 'e', 0x02, 0xa3, 'u', 'i', 'd', 0xa1, 'b',
                                          0xa3, 'n',  's', 'p', 0xa1, '/'};
        uint8_t body[sizeof hb_body];
        memcpy(body, hb_body, sizeof body);
        memset(&env, 0, sizeof env);
        env.nsp = sioc_str_c("/admin");
        CHECK_EQ_INT(sioc_msg_decode_azure(body, sizeof body, &env, &m), SIOC_ERR_PROTOCOL);
        env.nsp = sioc_str_c("/");
        env.uid = sioc_str_c("a");
        CHECK_EQ_INT(sioc_msg_decode_azure(body, sizeof body, &env, &m), SIOC_ERR_PROTOCOL);
        env.uid = sioc_str_c("b");
        CHECK_EQ_INT(sioc_msg_decode_azure(body, sizeof body, &env, &m), SIOC_OK);
        CHECK_EQ_INT(sioc_msg_decode_azure(body, sizeof body, NULL, &m), SIOC_OK);
        body[6] = 0xff; /* type -1 */
        CHECK_EQ_INT(sioc_msg_decode_azure(body, sizeof body, NULL, &m), SIOC_ERR_TYPE);
        body[6] = 0x0e; /* type 14 */
        CHECK_EQ_INT(sioc_msg_decode_azure(body, sizeof body, NULL, &m), SIOC_ERR_UNSUPPORTED);
        CHECK(sioc_str_eq(m.uid, sioc_str_c("b")));
        body[6] = 0x03; /* BROADCAST without data */
        CHECK_EQ_INT(sioc_msg_decode_azure(body, sizeof body, NULL, &m), SIOC_ERR_PROTOCOL);
        CHECK_EQ_INT(sioc_msg_decode_azure((const uint8_t *)"\x90", 1, NULL, &m), SIOC_ERR_TYPE);
    }
}

/* Encoders: a too-small buffer reports the size needed; flags order and raw flags. */
static void test_encode_edges(void) {
    sioc_msg_opts_desc o;
    sioc_str rooms[1];
    sioc_buf b;
    sioc_msgpack_writer w;
    uint8_t small[8];
    size_t need;
    static const uint8_t flags_want[] = {0x84, 0xb4, 'e', 'x', 'p', 'e', 'c', 't', 'S', 'i', 'n', 'g', 'l', 'e', 'R', 'e',
                                         's',  'p',  'o', 'n', 's', 'e', 0xc3, 0xa8, 'v', 'o', 'l', 'a', 't', 'i', 'l',
                                         'e',  0xc2, 0xa8, 'c', 'o', 'm', 'p', 'r', 'e', 's', 's', 0xc3, 0xa7, 't', 'i',
                                         'm',  'e',  'o', 'u', 't', 0xce, 0x00, 0x01, 0x00, 0x00};
    memset(&o, 0, sizeof o);
    rooms[0] = sioc_str_c("room1");
    o.rooms = rooms;
    o.n_rooms = 1;
    sioc_buf_init(&b, out_mem, sizeof out_mem);
    sioc_msgpack_writer_init(&w, &b);
    sioc_msg_write_disconnect_sockets(&w, &o, 1);
    CHECK(sioc_msgpack_writer_finish(&w) == SIOC_OK);
    need = b.len;
    sioc_buf_init(&b, small, sizeof small);
    sioc_msgpack_writer_init(&w, &b);
    sioc_msg_write_disconnect_sockets(&w, &o, 1);
    CHECK_EQ_INT(sioc_msgpack_writer_finish(&w), SIOC_ERR_BUFFER_TOO_SMALL);
    CHECK_EQ_INT(b.len, need);
    /* all four flags in the fixed order */
    o.flags.present = SIOC_MSG_FLAG_VOLATILE | SIOC_MSG_FLAG_COMPRESS | SIOC_MSG_FLAG_TIMEOUT |
                      SIOC_MSG_FLAG_EXPECT_SINGLE_RESPONSE;
    o.flags.values = SIOC_MSG_FLAG_COMPRESS | SIOC_MSG_FLAG_EXPECT_SINGLE_RESPONSE;
    o.flags.timeout_ms = 65536;
    sioc_buf_init(&b, out_mem, sizeof out_mem);
    sioc_msgpack_writer_init(&w, &b);
    sioc_msg_write_opts(&w, &o);
    CHECK(sioc_msgpack_writer_finish(&w) == SIOC_OK);
    CHECK(b.len > sizeof flags_want && memcmp(out_mem + b.len - sizeof flags_want, flags_want, sizeof flags_want) == 0);
    /* type names and texts */
    CHECK(!strcmp(sioc_msg_type_name(11), "BROADCAST_CLIENT_COUNT"));
    CHECK(!strcmp(sioc_msg_type_name(0), "UNKNOWN") && !strcmp(sioc_msg_type_name(14), "UNKNOWN"));
    { /* every name, in order (they are packed one after another) */
        static const char *const want[14] = {"UNKNOWN", "INITIAL_HEARTBEAT", "HEARTBEAT", "BROADCAST", "SOCKETS_JOIN",
                                             "SOCKETS_LEAVE", "DISCONNECT_SOCKETS", "FETCH_SOCKETS",
                                             "FETCH_SOCKETS_RESPONSE", "SERVER_SIDE_EMIT", "SERVER_SIDE_EMIT_RESPONSE",
                                             "BROADCAST_CLIENT_COUNT", "BROADCAST_ACK", "ADAPTER_CLOSE"};
        int i;
        for (i = 0; i < 14; i++) CHECKF(!strcmp(sioc_msg_type_name(i), want[i]), "%d %s", i, sioc_msg_type_name(i));
        CHECK(!strcmp(sioc_msg_type_name(-1), "UNKNOWN"));
    }
    {
        char t[4];
        CHECK(sioc_msg_type_text(13, t) == 2 && !strcmp(t, "13"));
    }
    /* HEARTBEAT Azure body, §2.3 (34 bytes) */
    {
        static const char want[] = "\x83\xa4type\x02\xa3uid\xb0"
                                   "bbbbbbbbbbbbbbbb\xa3nsp\xa1/";
        sioc_buf_init(&b, out_mem, sizeof out_mem);
        sioc_msgpack_writer_init(&w, &b);
        sioc_msg_azure_begin(&w, SIOC_MSG_HEARTBEAT, 0);
        sioc_msg_azure_end(&w, sioc_str_c("bbbbbbbbbbbbbbbb"), sioc_str_c("/"));
        CHECK(sioc_msgpack_writer_finish(&w) == SIOC_OK);
        CHECK_MEM(out_mem, b.len, want, sizeof want - 1);
        CHECK_EQ_INT(b.len, 34);
    }
}

/* A float timeout flag is read from the double's bits: the same milliseconds as the double expression it replaced,
   for edge values and a sweep over every exponent. */
static void test_float_timeout(void) {
    static const double edge[] = {0.0, -0.0, 0.5, 0.999999, 1.0, 1.5, 2.75, 1e3, 4294967296.5, 9007199254740993.0,
                                  9223372036854775808.0, 18446744073709549568.0, 18446744073709551616.0, 1e300,
                                  -1.0, -1e300, 4.9e-324};
    uint64_t bits, got, bad = 0;
    size_t i;
    double inf, nan_v;
    for (i = 0; i < sizeof edge / sizeof edge[0] + 4096; i++) {
        double f;
        uint64_t want;
        if (i < sizeof edge / sizeof edge[0]) {
            f = edge[i];
        } else { /* every exponent, a few mantissas, both signs */
            bits = ((uint64_t)(i % 2048u) << 52) | (0x9E3779B97F4A7C15ull * i >> 12);
            if (i % 3 == 0) bits |= 1ull << 63;
            if ((i % 2048u) == 2047u) continue; /* inf and NaN: below */
            memcpy(&f, &bits, sizeof f);
        }
        want = f <= 0 ? 0 : f >= 18446744073709551615.0 ? UINT64_MAX : (uint64_t)f;
        got = 12345;
        if (!sioc__msg_f64_ms(f, &got) || got != want) bad++;
    }
    CHECKF(bad == 0, "%lu differ", (unsigned long)bad);
    bits = 0x7FF0000000000000ull;
    memcpy(&inf, &bits, sizeof inf);
    CHECK(sioc__msg_f64_ms(inf, &got) && got == UINT64_MAX);
    CHECK(sioc__msg_f64_ms(-inf, &got) && got == 0);
    bits = 0x7FF8000000000001ull;
    memcpy(&nan_v, &bits, sizeof nan_v);
    CHECK(!sioc__msg_f64_ms(nan_v, &got));
}

int main(void) {
    RUN(test_float_timeout);
    RUN(test_canonical);
    RUN(test_capture_aws);
    RUN(test_capture_azure);
    RUN(test_hostile);
    RUN(test_encode_edges);
    printf("cluster-canonical: %d/%d messages (AWS + Azure, C API + re-encode); captures: AWS %d, Azure %d decoded "
           "and re-encoded; %d truncations rejected\n",
           n_canon_checked, n_canon_publish, n_capture_aws, n_capture_azure, n_truncations);
    return sioc_t_report("test_cluster_msg");
}
