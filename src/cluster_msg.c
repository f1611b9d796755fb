/* ---- cluster_msg.c ---- */
#include "base.h"
#include "internal.h"
#include "msgpack.h"
#include "sio_parser.h"
#include "cluster_msg.h"

/* The type names one after another, each NUL-ended: one array in its own section, so a program that never asks
   for a name drops the words with it (literals behind a pointer table share a pool that gc-sections keeps whole). */
static const char sioc__msg_names[] =
    "UNKNOWN\0"
    "INITIAL_HEARTBEAT\0"
    "HEARTBEAT\0"
    "BROADCAST\0"
    "SOCKETS_JOIN\0"
    "SOCKETS_LEAVE\0"
    "DISCONNECT_SOCKETS\0"
    "FETCH_SOCKETS\0"
    "FETCH_SOCKETS_RESPONSE\0"
    "SERVER_SIDE_EMIT\0"
    "SERVER_SIDE_EMIT_RESPONSE\0"
    "BROADCAST_CLIENT_COUNT\0"
    "BROADCAST_ACK\0"
    "ADAPTER_CLOSE\0";

SIOC_API const char *sioc_msg_type_name(int type) {
    const char *p = sioc__msg_names;
    int i = (type >= 1 && type <= 13) ? type : 0;
    while (i-- > 0) p += strlen(p) + 1;
    return p;
}

SIOC_API int sioc_msg_is_response(int type) {
    return type == SIOC_MSG_FETCH_SOCKETS_RESPONSE || type == SIOC_MSG_SERVER_SIDE_EMIT_RESPONSE ||
           type == SIOC_MSG_BROADCAST_CLIENT_COUNT || type == SIOC_MSG_BROADCAST_ACK;
}

SIOC_API int sioc_msg_has_data(int type) { return type >= SIOC_MSG_BROADCAST && type <= SIOC_MSG_BROADCAST_ACK; }

SIOC_API size_t sioc_msg_type_text(int type, char *out) {
    unsigned t = (type >= 0 && type <= 99) ? (unsigned)type : 0u;
    size_t n = 0;
    if (t >= 10) out[n++] = (char)('0' + t / 10);
    out[n++] = (char)('0' + t % 10);
    out[n] = 0;
    return n;
}

/* ---- lists ---- */

/* A list's next str (the lists of a decoded message were validated; a hand-made list ends at its first item that
   is not a complete str). */
SIOC_API int sioc_msg_list_next_str(sioc_msg_list *it, sioc_str *out) {
    sioc_msgpack_reader r;
    if (it->count == 0) return 0;
    sioc_msgpack_reader_init(&r, it->data, it->len);
    if (sioc_msgpack_read_str(&r, out) != SIOC_OK) {
        it->count = 0;
        return 0;
    }
    it->data += r.pos;
    it->len -= r.pos;
    it->count--;
    return 1;
}

/* Value of `key` in the map at the reader's cursor: SIOC_OK with *out on it, SIOC_ERR_NOT_FOUND when absent. */
static sioc_result sioc__msg_find(const sioc_msgpack_reader *map, const char *key, sioc_msgpack_reader *out) {
    *out = *map;
    return sioc_msgpack_map_find(out, key);
}

static int sioc__msg_peek_type(const sioc_msgpack_reader *r) {
    sioc_msgpack_item it;
    if (sioc_msgpack_peek(r, &it) != SIOC_OK) return SIOC_MSGPACK_NONE;
    return (int)it.type;
}

/* Raw bytes of the value at the cursor (advancing past it). */
static sioc_bytes sioc__msg_raw(sioc_msgpack_reader *r) {
    sioc_bytes b;
    if (sioc_msgpack_read_raw(r, &b) != SIOC_OK) {
        b.ptr = NULL;
        b.len = 0;
    }
    return b;
}

/* An array of strings at the cursor into *out. nil_ok: nil reads as the empty list (opts.rooms/except, §8). */
static sioc_result sioc__msg_read_strs(sioc_msgpack_reader *r, sioc_msg_list *out, int nil_ok) {
    uint32_t n, i;
    sioc_str s;
    out->data = r->data + r->pos;
    out->len = 0;
    out->count = 0;
    if (nil_ok && sioc_msgpack_read_nil(r) == SIOC_OK) return SIOC_OK;
    if (sioc_msgpack_read_array(r, &n) != SIOC_OK) return SIOC_ERR_TYPE;
    out->data = r->data + r->pos;
    for (i = 0; i < n; i++)
        if (sioc_msgpack_read_str(r, &s) != SIOC_OK) return SIOC_ERR_TYPE;
    out->len = (size_t)(r->data + r->pos - out->data);
    out->count = n;
    return SIOC_OK;
}

/* One socket map of a type 8 at the cursor (advancing past it); validate = report why it is malformed. */
static sioc_result sioc__msg_read_socket(sioc_msgpack_reader *r, sioc_msg_socket *s, const char **field) {
    sioc_msgpack_reader f;
    *field = "sockets[]";
    if (sioc__msg_peek_type(r) != SIOC_MSGPACK_MAP) return SIOC_ERR_TYPE;
    *field = "sockets[].id";
    if (sioc__msg_find(r, "id", &f) != SIOC_OK) return SIOC_ERR_PROTOCOL;
    if (sioc_msgpack_read_str(&f, &s->id) != SIOC_OK) return SIOC_ERR_TYPE;
    *field = "sockets[].rooms";
    if (sioc__msg_find(r, "rooms", &f) != SIOC_OK) return SIOC_ERR_PROTOCOL;
    if (sioc__msg_read_strs(&f, &s->rooms, 0) != SIOC_OK) return SIOC_ERR_TYPE;
    s->handshake.ptr = NULL;
    s->handshake.len = 0;
    if (sioc__msg_find(r, "handshake", &f) == SIOC_OK) s->handshake = sioc__msg_raw(&f);
    s->data.ptr = NULL;
    s->data.len = 0;
    if (sioc__msg_find(r, "data", &f) == SIOC_OK) s->data = sioc__msg_raw(&f);
    *field = NULL;
    return sioc_msgpack_skip(r) == SIOC_OK ? SIOC_OK : SIOC_ERR_PARSE;
}

SIOC_API int sioc_msg_list_next_socket(sioc_msg_list *it, sioc_msg_socket *out) {
    sioc_msgpack_reader r;
    const char *field;
    size_t used;
    if (it->count == 0) return 0;
    sioc_msgpack_reader_init(&r, it->data, it->len);
    if (sioc__msg_read_socket(&r, out, &field) != SIOC_OK) {
        it->count = 0;
        return 0;
    }
    used = r.pos;
    it->data += used;
    it->len -= used;
    it->count--;
    return 1;
}

/* ---- decoding ---- */

static sioc_result sioc__msg_fail(sioc_msg *m, sioc_result e, const char *field) {
    m->error_field = field;
    return e;
}

/* A float timeout as whole milliseconds, from the double's bits (no double library on soft-float targets):
   truncated, 0 for anything negative or below 1, UINT64_MAX from 2^64 up. Returns 0 for a NaN. */
static int sioc__msg_f64_ms(double f, uint64_t *out) {
    uint64_t b, m;
    int e;
    memcpy(&b, &f, sizeof b);
    e = (int)((b >> 52) & 0x7FFu);
    m = b & 0xFFFFFFFFFFFFFull;
    if (e == 0x7FF && m) return 0;
    if ((b >> 63) || e < 1023) *out = 0;
    else if (e >= 1023 + 64) *out = UINT64_MAX;
    else *out = e - 1023 >= 52 ? (m | 1ull << 52) << (e - 1023 - 52) : (m | 1ull << 52) >> (52 - (e - 1023));
    return 1;
}

/* The flag names in bit order (SIOC_MSG_FLAG_VOLATILE is bit 0, ... SIOC_MSG_FLAG_EXPECT_SINGLE_RESPONSE bit 3). */
static const char *sioc__msg_flag_name(unsigned bit_index) {
    static const char names[] = "volatile\0compress\0timeout\0expectSingleResponse";
    const char *p = names;
    while (bit_index--) p += strlen(p) + 1;
    return p;
}

/* Flags map at the cursor (or nil); the last duplicate key wins as in a JS object. */
static void sioc__msg_read_flags(sioc_msgpack_reader *r, sioc_msg_flags *fl) {
    sioc_msgpack_reader t = *r;
    sioc_msgpack_item v;
    uint32_t n, i;
    memset(fl, 0, sizeof *fl);
    if (sioc_msgpack_read_map(&t, &n) != SIOC_OK) return; /* nil: {} */
    fl->raw = sioc__msg_raw(r);
    for (i = 0; i < n; i++) {
        unsigned bit = 0, k;
        sioc_str key;
        if (sioc_msgpack_read_str(&t, &key) == SIOC_OK) {
            for (k = 0; k < 4; k++) {
                const char *name = sioc__msg_flag_name(k);
                if (key.len == strlen(name) && memcmp(key.ptr, name, key.len) == 0) bit = 1u << k;
            }
        } else if (sioc_msgpack_skip(&t) != SIOC_OK) { /* an integer key: checked msgpack has no other */
            return;
        }
        if (sioc_msgpack_peek(&t, &v) != SIOC_OK || sioc_msgpack_skip(&t) != SIOC_OK) return;
        if (bit == 0) continue; /* an unknown flag */
        fl->present &= ~bit;
        fl->values &= ~bit;
        if (bit == SIOC_MSG_FLAG_TIMEOUT) {
            if (v.type == SIOC_MSGPACK_UINT) {
                fl->timeout_ms = v.u;
            } else if (v.type == SIOC_MSGPACK_INT) {
                fl->timeout_ms = 0;
            } else if (v.type == SIOC_MSGPACK_FLOAT32 || v.type == SIOC_MSGPACK_FLOAT64) {
                if (!sioc__msg_f64_ms(v.f, &fl->timeout_ms)) continue; /* NaN: treated as absent */
            } else {
                continue; /* another type: treated as absent */
            }
            fl->present |= bit;
        } else if (v.type == SIOC_MSGPACK_BOOL) {
            fl->present |= bit;
            if (v.boolean) fl->values |= bit;
        }
    }
}

/* opts (required) of the data map. */
static sioc_result sioc__msg_read_opts(sioc_msg *m, const sioc_msgpack_reader *data) {
    sioc_msgpack_reader o, f;
    if (sioc__msg_find(data, "opts", &o) != SIOC_OK) return sioc__msg_fail(m, SIOC_ERR_PROTOCOL, "opts");
    if (sioc__msg_peek_type(&o) != SIOC_MSGPACK_MAP) return sioc__msg_fail(m, SIOC_ERR_TYPE, "opts");
    if (sioc__msg_find(&o, "rooms", &f) == SIOC_OK && sioc__msg_read_strs(&f, &m->opts.rooms, 1) != SIOC_OK)
        return sioc__msg_fail(m, SIOC_ERR_TYPE, "opts.rooms");
    if (sioc__msg_find(&o, "except", &f) == SIOC_OK && sioc__msg_read_strs(&f, &m->opts.except, 1) != SIOC_OK)
        return sioc__msg_fail(m, SIOC_ERR_TYPE, "opts.except");
    if (sioc__msg_find(&o, "flags", &f) == SIOC_OK) {
        int t = sioc__msg_peek_type(&f);
        if (t != SIOC_MSGPACK_MAP && t != SIOC_MSGPACK_NIL) return sioc__msg_fail(m, SIOC_ERR_TYPE, "opts.flags");
        sioc__msg_read_flags(&f, &m->opts.flags);
    }
    return SIOC_OK;
}

/* requestId: required (types 7, 8, 10-12) or optional (3, 9). A nil requestId is refused either way (§8, Q3). */
static sioc_result sioc__msg_read_request_id(sioc_msg *m, const sioc_msgpack_reader *data, int required) {
    sioc_msgpack_reader f;
    if (sioc__msg_find(data, "requestId", &f) != SIOC_OK)
        return required ? sioc__msg_fail(m, SIOC_ERR_PROTOCOL, "requestId") : SIOC_OK;
    if (sioc__msg_peek_type(&f) == SIOC_MSGPACK_NIL) return sioc__msg_fail(m, SIOC_ERR_PROTOCOL, "requestId");
    if (sioc_msgpack_read_str(&f, &m->request_id) != SIOC_OK) return sioc__msg_fail(m, SIOC_ERR_TYPE, "requestId");
    m->has_request_id = 1;
    return SIOC_OK;
}

/* [event, args...]: non-empty, the event a string that is not reserved or a number (socket.io-parser's
   isPayloadValid for EVENT, so clients never receive a packet their decoder rejects). */
static sioc_result sioc__msg_check_event_array(sioc_msgpack_reader r, int allow_number) {
    uint32_t n;
    sioc_msgpack_item ev;
    if (sioc_msgpack_read_array(&r, &n) != SIOC_OK || n == 0) return SIOC_ERR_TYPE;
    if (sioc_msgpack_peek(&r, &ev) != SIOC_OK) return SIOC_ERR_TYPE;
    if (ev.type == SIOC_MSGPACK_STR) return sioc_sio_is_reserved_event((const char *)ev.data, ev.len) ? SIOC_ERR_TYPE : SIOC_OK;
    if (allow_number && (ev.type == SIOC_MSGPACK_UINT || ev.type == SIOC_MSGPACK_INT ||
                         ev.type == SIOC_MSGPACK_FLOAT32 || ev.type == SIOC_MSGPACK_FLOAT64))
        return SIOC_OK;
    return SIOC_ERR_TYPE;
}

/* The data map of a message whose msgpack was already checked. */
static sioc_result sioc__msg_decode_data(sioc_msg *m) {
    sioc_msgpack_reader d, f;
    sioc_result e;
    uint64_t u;
    sioc_msgpack_reader_init(&d, m->data.ptr, m->data.len);
    if (sioc__msg_peek_type(&d) != SIOC_MSGPACK_MAP) return sioc__msg_fail(m, SIOC_ERR_TYPE, "data");
    switch (m->type) {
    case SIOC_MSG_BROADCAST: {
        sioc_msgpack_reader p;
        if (sioc__msg_find(&d, "packet", &p) != SIOC_OK) return sioc__msg_fail(m, SIOC_ERR_PROTOCOL, "packet");
        if (sioc__msg_peek_type(&p) != SIOC_MSGPACK_MAP) return sioc__msg_fail(m, SIOC_ERR_TYPE, "packet");
        if (sioc__msg_find(&p, "type", &f) != SIOC_OK) return sioc__msg_fail(m, SIOC_ERR_PROTOCOL, "packet.type");
        if (sioc_msgpack_read_u64(&f, &u) != SIOC_OK || u != 2) return sioc__msg_fail(m, SIOC_ERR_TYPE, "packet.type");
        if (sioc__msg_find(&p, "data", &f) != SIOC_OK) return sioc__msg_fail(m, SIOC_ERR_PROTOCOL, "packet.data");
        if (sioc__msg_check_event_array(f, 1) != SIOC_OK) return sioc__msg_fail(m, SIOC_ERR_TYPE, "packet.data");
        m->packet_data = sioc__msg_raw(&f);
        m->packet = sioc__msg_raw(&p);
        m->has_packet = 1;
        if ((e = sioc__msg_read_request_id(m, &d, 0)) != SIOC_OK) return e;
        return sioc__msg_read_opts(m, &d);
    }
    case SIOC_MSG_SOCKETS_JOIN:
    case SIOC_MSG_SOCKETS_LEAVE:
        if ((e = sioc__msg_read_opts(m, &d)) != SIOC_OK) return e;
        if (sioc__msg_find(&d, "rooms", &f) != SIOC_OK) return sioc__msg_fail(m, SIOC_ERR_PROTOCOL, "rooms");
        if (sioc__msg_read_strs(&f, &m->rooms, 0) != SIOC_OK) return sioc__msg_fail(m, SIOC_ERR_TYPE, "rooms");
        return SIOC_OK;
    case SIOC_MSG_DISCONNECT_SOCKETS:
        if ((e = sioc__msg_read_opts(m, &d)) != SIOC_OK) return e;
        if (sioc__msg_find(&d, "close", &f) == SIOC_OK && sioc_msgpack_read_nil(&f) != SIOC_OK &&
            sioc_msgpack_read_bool(&f, &m->close) != SIOC_OK)
            return sioc__msg_fail(m, SIOC_ERR_TYPE, "close");
        return SIOC_OK;
    case SIOC_MSG_FETCH_SOCKETS:
        if ((e = sioc__msg_read_opts(m, &d)) != SIOC_OK) return e;
        return sioc__msg_read_request_id(m, &d, 1);
#if SIOC_ENABLE_REQUESTS /* else the responses' data is never read (sioc__msg_finish) */
    case SIOC_MSG_FETCH_SOCKETS_RESPONSE: {
        uint32_t n, i;
        const char *field;
        if ((e = sioc__msg_read_request_id(m, &d, 1)) != SIOC_OK) return e;
        if (sioc__msg_find(&d, "sockets", &f) != SIOC_OK) return sioc__msg_fail(m, SIOC_ERR_PROTOCOL, "sockets");
        if (sioc_msgpack_read_array(&f, &n) != SIOC_OK) return sioc__msg_fail(m, SIOC_ERR_TYPE, "sockets");
        m->sockets.data = f.data + f.pos;
        for (i = 0; i < n; i++) {
            sioc_msg_socket s;
            if ((e = sioc__msg_read_socket(&f, &s, &field)) != SIOC_OK) return sioc__msg_fail(m, e, field);
        }
        m->sockets.len = (size_t)(f.data + f.pos - m->sockets.data);
        m->sockets.count = n;
        return SIOC_OK;
    }
#endif
    case SIOC_MSG_SERVER_SIDE_EMIT:
        if ((e = sioc__msg_read_request_id(m, &d, 0)) != SIOC_OK) return e;
        if (sioc__msg_find(&d, "packet", &f) != SIOC_OK) return sioc__msg_fail(m, SIOC_ERR_PROTOCOL, "packet");
        if (sioc__msg_check_event_array(f, 0) != SIOC_OK) return sioc__msg_fail(m, SIOC_ERR_TYPE, "packet");
        m->packet = m->packet_data = sioc__msg_raw(&f);
        m->has_packet = 1;
        return SIOC_OK;
#if SIOC_ENABLE_REQUESTS
    case SIOC_MSG_SERVER_SIDE_EMIT_RESPONSE:
    case SIOC_MSG_BROADCAST_ACK:
        if ((e = sioc__msg_read_request_id(m, &d, 1)) != SIOC_OK) return e;
        if (sioc__msg_find(&d, "packet", &f) == SIOC_OK) { /* absent = undefined on the requester */
            m->packet = sioc__msg_raw(&f);
            m->has_packet = 1;
        }
        return SIOC_OK;
    case SIOC_MSG_BROADCAST_CLIENT_COUNT:
        if ((e = sioc__msg_read_request_id(m, &d, 1)) != SIOC_OK) return e;
        if (sioc__msg_find(&d, "clientCount", &f) != SIOC_OK)
            return sioc__msg_fail(m, SIOC_ERR_PROTOCOL, "clientCount");
        /* Q9: an integer (the requester adds it); a negative count would corrupt its expected-ack total. */
        if (sioc_msgpack_read_u64(&f, &m->client_count) != SIOC_OK)
            return sioc__msg_fail(m, SIOC_ERR_TYPE, "clientCount");
        return SIOC_OK;
#endif
    default:
        return SIOC_OK;
    }
}

static void sioc__msg_clear(sioc_msg *m) {
    memset(m, 0, sizeof *m);
    m->opts.rooms.data = m->opts.except.data = m->rooms.data = m->sockets.data = (const uint8_t *)"";
}

/* After type, uid, nsp are known: data presence rules, then the per-type fields. */
static sioc_result sioc__msg_finish(sioc_msg *m, sioc_bytes data, int data_checked) {
    sioc_result e;
    if (m->type < 1 || m->type > 13) return sioc__msg_fail(m, SIOC_ERR_UNSUPPORTED, "type");
    /* A build that starts no request (SIOC_ENABLE_REQUESTS 0) has no use for an answer: its header is enough. */
    if (!SIOC_ENABLE_REQUESTS && sioc_msg_is_response(m->type)) return SIOC_OK;
    if (data.ptr && !data_checked) {
        e = sioc_msgpack_check_depth(data.ptr, data.len, SIOC_MSGPACK_WRITE_DEPTH);
        if (e != SIOC_OK) return sioc__msg_fail(m, e, "data");
    }
    if (!sioc_msg_has_data(m->type)) return SIOC_OK; /* data on 1, 2, 13 is ignored, as Node does */
    if (!data.ptr) return sioc__msg_fail(m, SIOC_ERR_PROTOCOL, "data");
    m->data = data;
    e = sioc__msg_decode_data(m);
    if (e != SIOC_OK) {
        sioc_msg_type t = (sioc_msg_type)m->type;
        sioc_str uid = m->uid, nsp = m->nsp, req = m->requester_uid;
        const char *field = m->error_field;
        sioc__msg_clear(m); /* no half-decoded fields after a failure; keep what identifies the sender */
        m->type = t;
        m->uid = uid;
        m->nsp = nsp;
        m->requester_uid = req;
        m->error_field = field;
    }
    return e;
}

SIOC_API sioc_result sioc_msg_decode_aws(const sioc_msg_envelope *env, sioc_msg *out) {
    size_t i;
    unsigned t = 0;
    sioc__msg_clear(out);
    if (!env->nsp.ptr) return sioc__msg_fail(out, SIOC_ERR_PROTOCOL, "nsp");
    if (!env->uid.ptr) return sioc__msg_fail(out, SIOC_ERR_PROTOCOL, "uid");
    out->nsp = env->nsp;
    out->uid = env->uid;
    if (env->requester_uid.ptr && env->requester_uid.len > 0) out->requester_uid = env->requester_uid;
    /* Message: the bare decimal type. Node runs parseInt(Body, 10), which also takes " 3" or "3x"; we take
       digits only (a Node sender never writes anything else). */
    if (!env->body.ptr || env->body.len == 0 || env->body.len > 9) return sioc__msg_fail(out, SIOC_ERR_PARSE, "Message");
    for (i = 0; i < env->body.len; i++) {
        char c = env->body.ptr[i];
        if (!sioc__is_digit(c)) return sioc__msg_fail(out, SIOC_ERR_PARSE, "Message");
        t = t * 10u + (unsigned)(c - '0');
    }
    out->type = t > 99 ? 99 : (int)t;
    return sioc__msg_finish(out, env->data, 0);
}

SIOC_API sioc_result sioc_msg_decode_azure(const void *body, size_t len, const sioc_msg_envelope *props,
                                           sioc_msg *out) {
    sioc_msgpack_reader r, f;
    sioc_bytes data;
    uint64_t t;
    sioc_result e;
    sioc__msg_clear(out);
    if (!body && len) return sioc__msg_fail(out, SIOC_ERR_ARG, "body");
    e = sioc_msgpack_check_depth(body, len, SIOC_MSGPACK_WRITE_DEPTH);
    if (e != SIOC_OK) return sioc__msg_fail(out, e, "body");
    sioc_msgpack_reader_init(&r, body, len);
    if (sioc__msg_peek_type(&r) != SIOC_MSGPACK_MAP) return sioc__msg_fail(out, SIOC_ERR_TYPE, "body");
    if (sioc__msg_find(&r, "uid", &f) != SIOC_OK) return sioc__msg_fail(out, SIOC_ERR_PROTOCOL, "uid");
    if (sioc_msgpack_read_str(&f, &out->uid) != SIOC_OK) return sioc__msg_fail(out, SIOC_ERR_TYPE, "uid");
    if (sioc__msg_find(&r, "nsp", &f) != SIOC_OK) return sioc__msg_fail(out, SIOC_ERR_PROTOCOL, "nsp");
    if (sioc_msgpack_read_str(&f, &out->nsp) != SIOC_OK) return sioc__msg_fail(out, SIOC_ERR_TYPE, "nsp");
    if (props) {
        /* Node dispatches by the properties and then uses the body: both must name the same sender/namespace. */
        if (props->nsp.ptr && !sioc_str_eq(props->nsp, out->nsp)) return sioc__msg_fail(out, SIOC_ERR_PROTOCOL, "nsp");
        if (props->uid.ptr && !sioc_str_eq(props->uid, out->uid)) return sioc__msg_fail(out, SIOC_ERR_PROTOCOL, "uid");
        if (props->requester_uid.ptr && props->requester_uid.len > 0) out->requester_uid = props->requester_uid;
    }
    if (sioc__msg_find(&r, "type", &f) != SIOC_OK) return sioc__msg_fail(out, SIOC_ERR_PROTOCOL, "type");
    if (sioc_msgpack_read_u64(&f, &t) != SIOC_OK) return sioc__msg_fail(out, SIOC_ERR_TYPE, "type");
    out->type = t > 99 ? 99 : (int)t;
    data.ptr = NULL;
    data.len = 0;
    if (sioc__msg_find(&r, "data", &f) == SIOC_OK) data = sioc__msg_raw(&f);
    return sioc__msg_finish(out, data, 1);
}

/* ---- encoding ---- */

static void sioc__msg_key(sioc_msgpack_writer *w, const char *k) { sioc_msgpack_write_cstr(w, k); }

static void sioc__msg_write_strs(sioc_msgpack_writer *w, const sioc_str *s, size_t n) {
    size_t i;
    if (n > 0xffffffffu) {
        sioc_buf_fail(w->out, SIOC_ERR_LIMIT);
        return;
    }
    sioc_msgpack_write_array(w, (uint32_t)n);
    for (i = 0; i < n; i++) sioc_msgpack_write_str(w, s[i].ptr, s[i].len);
}

static void sioc__msg_write_list(sioc_msgpack_writer *w, sioc_msg_list l) {
    sioc_str s;
    sioc_msgpack_write_array(w, l.count);
    while (sioc_msg_list_next_str(&l, &s)) sioc_msgpack_write_str(w, s.ptr, s.len);
}

static void sioc__msg_write_flags(sioc_msgpack_writer *w, const sioc_msg_flags *f) {
    static const uint8_t order[4] = {3, 0, 1, 2}; /* bit indexes in Node's key order */
    uint32_t n = 0;
    int i;
    if (f->raw.ptr) {
        sioc_msgpack_write_raw(w, f->raw.ptr, f->raw.len);
        return;
    }
    for (i = 0; i < 4; i++) n += (f->present >> i) & 1u;
    sioc_msgpack_write_map(w, n);
    for (i = 0; i < 4; i++) {
        unsigned bit = 1u << order[i];
        if (!(f->present & bit)) continue;
        sioc__msg_key(w, sioc__msg_flag_name(order[i]));
        if (bit == SIOC_MSG_FLAG_TIMEOUT)
            sioc_msgpack_write_uint(w, f->timeout_ms);
        else
            sioc_msgpack_write_bool(w, (f->values & bit) != 0);
    }
}

SIOC_API void sioc_msg_write_opts(sioc_msgpack_writer *w, const sioc_msg_opts_desc *o) {
    sioc_msgpack_write_map(w, 3);
    sioc__msg_key(w, "rooms");
    sioc__msg_write_strs(w, o->rooms, o->n_rooms);
    sioc__msg_key(w, "except");
    sioc__msg_write_strs(w, o->except, o->n_except);
    sioc__msg_key(w, "flags");
    sioc__msg_write_flags(w, &o->flags);
}

static void sioc__msg_write_opts_view(sioc_msgpack_writer *w, const sioc_msg_opts *o) {
    sioc_msgpack_write_map(w, 3);
    sioc__msg_key(w, "rooms");
    sioc__msg_write_list(w, o->rooms);
    sioc__msg_key(w, "except");
    sioc__msg_write_list(w, o->except);
    sioc__msg_key(w, "flags");
    sioc__msg_write_flags(w, &o->flags);
}

static void sioc__msg_write_raw_or_nil(sioc_msgpack_writer *w, sioc_bytes v) {
    if (v.ptr)
        sioc_msgpack_write_raw(w, v.ptr, v.len);
    else
        sioc_msgpack_write_nil(w);
}

static void sioc__msg_write_request_id(sioc_msgpack_writer *w, sioc_str id) {
    sioc__msg_key(w, "requestId");
    sioc_msgpack_write_str(w, id.ptr, id.len);
}

/* {packet: {type: 2, data}, [requestId], <opts follows>}: the caller writes the opts value. */
static void sioc__msg_broadcast_head(sioc_msgpack_writer *w, sioc_bytes packet_data, const sioc_str *request_id) {
    sioc_msgpack_write_map(w, request_id ? 3u : 2u);
    sioc__msg_key(w, "packet");
    sioc_msgpack_write_map(w, 2);
    sioc__msg_key(w, "type");
    sioc_msgpack_write_uint(w, 2);
    sioc__msg_key(w, "data");
    sioc__msg_write_raw_or_nil(w, packet_data);
    if (request_id) sioc__msg_write_request_id(w, *request_id);
    sioc__msg_key(w, "opts");
}

SIOC_API void sioc_msg_write_broadcast(sioc_msgpack_writer *w, const sioc_msg_opts_desc *opts, sioc_bytes packet_data,
                                       const sioc_str *request_id) {
    sioc__msg_broadcast_head(w, packet_data, request_id);
    sioc_msg_write_opts(w, opts);
}

SIOC_API void sioc_msg_write_sockets_rooms(sioc_msgpack_writer *w, const sioc_msg_opts_desc *opts,
                                           const sioc_str *rooms, size_t n_rooms) {
    sioc_msgpack_write_map(w, 2);
    sioc__msg_key(w, "opts");
    sioc_msg_write_opts(w, opts);
    sioc__msg_key(w, "rooms");
    sioc__msg_write_strs(w, rooms, n_rooms);
}

SIOC_API void sioc_msg_write_disconnect_sockets(sioc_msgpack_writer *w, const sioc_msg_opts_desc *opts, int close) {
    sioc_msgpack_write_map(w, 2);
    sioc__msg_key(w, "opts");
    sioc_msg_write_opts(w, opts);
    sioc__msg_key(w, "close");
    sioc_msgpack_write_bool(w, close != 0);
}

SIOC_API void sioc_msg_write_fetch_sockets(sioc_msgpack_writer *w, const sioc_msg_opts_desc *opts,
                                           sioc_str request_id) {
    sioc_msgpack_write_map(w, 2);
    sioc__msg_key(w, "opts");
    sioc_msg_write_opts(w, opts);
    sioc__msg_write_request_id(w, request_id);
}

SIOC_API void sioc_msg_write_fetch_sockets_response(sioc_msgpack_writer *w, sioc_str request_id, uint32_t n_sockets) {
    sioc_msgpack_write_map(w, 2);
    sioc__msg_write_request_id(w, request_id);
    sioc__msg_key(w, "sockets");
    sioc_msgpack_write_array(w, n_sockets);
}

static void sioc__msg_socket_head(sioc_msgpack_writer *w, sioc_str id, sioc_bytes handshake) {
    sioc_msgpack_write_map(w, 4);
    sioc__msg_key(w, "id");
    sioc_msgpack_write_str(w, id.ptr, id.len);
    sioc__msg_key(w, "handshake");
    if (handshake.ptr)
        sioc_msgpack_write_raw(w, handshake.ptr, handshake.len);
    else
        sioc_msgpack_write_map(w, 0);
    sioc__msg_key(w, "rooms");
}

static void sioc__msg_socket_tail(sioc_msgpack_writer *w, sioc_bytes data) {
    sioc__msg_key(w, "data");
    if (data.ptr)
        sioc_msgpack_write_raw(w, data.ptr, data.len);
    else
        sioc_msgpack_write_map(w, 0);
}

SIOC_API void sioc_msg_write_socket(sioc_msgpack_writer *w, sioc_str id, sioc_bytes handshake, const sioc_str *rooms,
                                    size_t n_rooms, sioc_bytes data) {
    sioc__msg_socket_head(w, id, handshake);
    sioc__msg_write_strs(w, rooms, n_rooms);
    sioc__msg_socket_tail(w, data);
}

SIOC_API void sioc_msg_write_server_side_emit(sioc_msgpack_writer *w, const sioc_str *request_id, sioc_bytes packet) {
    sioc_msgpack_write_map(w, request_id ? 2u : 1u);
    if (request_id) sioc__msg_write_request_id(w, *request_id);
    sioc__msg_key(w, "packet");
    sioc__msg_write_raw_or_nil(w, packet);
}

SIOC_API void sioc_msg_write_ack_response(sioc_msgpack_writer *w, sioc_str request_id, sioc_bytes packet) {
    sioc_msgpack_write_map(w, 2);
    sioc__msg_write_request_id(w, request_id);
    sioc__msg_key(w, "packet");
    sioc__msg_write_raw_or_nil(w, packet);
}

SIOC_API void sioc_msg_write_client_count(sioc_msgpack_writer *w, sioc_str request_id, uint64_t client_count) {
    sioc_msgpack_write_map(w, 2);
    sioc__msg_write_request_id(w, request_id);
    sioc__msg_key(w, "clientCount");
    sioc_msgpack_write_uint(w, client_count);
}

SIOC_API void sioc_msg_azure_begin(sioc_msgpack_writer *w, int type, int has_data) {
    sioc_msgpack_write_map(w, has_data ? 4u : 3u);
    sioc__msg_key(w, "type");
    sioc_msgpack_write_uint(w, type > 0 ? (uint64_t)type : 0u);
    if (has_data) sioc__msg_key(w, "data");
}

SIOC_API void sioc_msg_azure_end(sioc_msgpack_writer *w, sioc_str uid, sioc_str nsp) {
    sioc__msg_key(w, "uid");
    sioc_msgpack_write_str(w, uid.ptr, uid.len);
    sioc__msg_key(w, "nsp");
    sioc_msgpack_write_str(w, nsp.ptr, nsp.len);
}

/* The data value of a decoded message, in canonical form. */
static void sioc__msg_write_data_of(sioc_msgpack_writer *w, const sioc_msg *m) {
    const sioc_str *rid = m->has_request_id ? &m->request_id : NULL;
    switch (m->type) {
    case SIOC_MSG_BROADCAST:
        sioc__msg_broadcast_head(w, m->packet_data, rid);
        sioc__msg_write_opts_view(w, &m->opts);
        break;
    case SIOC_MSG_SOCKETS_JOIN:
    case SIOC_MSG_SOCKETS_LEAVE:
        sioc_msgpack_write_map(w, 2);
        sioc__msg_key(w, "opts");
        sioc__msg_write_opts_view(w, &m->opts);
        sioc__msg_key(w, "rooms");
        sioc__msg_write_list(w, m->rooms);
        break;
    case SIOC_MSG_DISCONNECT_SOCKETS:
        sioc_msgpack_write_map(w, 2);
        sioc__msg_key(w, "opts");
        sioc__msg_write_opts_view(w, &m->opts);
        sioc__msg_key(w, "close");
        sioc_msgpack_write_bool(w, m->close != 0);
        break;
    case SIOC_MSG_FETCH_SOCKETS:
        sioc_msgpack_write_map(w, 2);
        sioc__msg_key(w, "opts");
        sioc__msg_write_opts_view(w, &m->opts);
        sioc__msg_write_request_id(w, m->request_id);
        break;
    case SIOC_MSG_FETCH_SOCKETS_RESPONSE: {
        sioc_msg_list l = m->sockets;
        sioc_msg_socket s;
        sioc_msg_write_fetch_sockets_response(w, m->request_id, m->sockets.count);
        while (sioc_msg_list_next_socket(&l, &s)) {
            sioc__msg_socket_head(w, s.id, s.handshake);
            sioc__msg_write_list(w, s.rooms);
            sioc__msg_socket_tail(w, s.data);
        }
        break;
    }
    case SIOC_MSG_SERVER_SIDE_EMIT:
        sioc_msg_write_server_side_emit(w, rid, m->packet);
        break;
    case SIOC_MSG_SERVER_SIDE_EMIT_RESPONSE:
    case SIOC_MSG_BROADCAST_ACK:
        if (m->has_packet) {
            sioc_msg_write_ack_response(w, m->request_id, m->packet);
        } else { /* the key was absent: keep it absent */
            sioc_msgpack_write_map(w, 1);
            sioc__msg_write_request_id(w, m->request_id);
        }
        break;
    case SIOC_MSG_BROADCAST_CLIENT_COUNT:
        sioc_msg_write_client_count(w, m->request_id, m->client_count);
        break;
    default:
        break;
    }
}

SIOC_API sioc_result sioc_msg_encode_aws_data(const sioc_msg *m, sioc_buf *out) {
    sioc_msgpack_writer w;
    sioc_msgpack_writer_init(&w, out);
    if (sioc_msg_has_data(m->type)) sioc__msg_write_data_of(&w, m);
    return sioc_msgpack_writer_finish(&w);
}

SIOC_API sioc_result sioc_msg_encode_azure(const sioc_msg *m, sioc_buf *out) {
    sioc_msgpack_writer w;
    int has = sioc_msg_has_data(m->type);
    if (m->type < 1 || m->type > 13) {
        sioc_buf_fail(out, SIOC_ERR_ARG);
        return sioc_buf_result(out);
    }
    sioc_msgpack_writer_init(&w, out);
    sioc_msg_azure_begin(&w, m->type, has);
    if (has) sioc__msg_write_data_of(&w, m);
    sioc_msg_azure_end(&w, m->uid, m->nsp);
    return sioc_msgpack_writer_finish(&w);
}
