/* ---- sio_parser.c ---- */
#include "base.h"
#include "internal.h"
#include "crypto.h"
#include "json.h"
#include "msgpack.h"
#include "mpjson.h"
#include "sio_parser.h"

SIOC_API int sioc_sio_is_reserved_event(const char *name, size_t len) {
    /* socket.io-parser RESERVED_EVENTS (client and server side, and Node's EventEmitter internals). */
    static const char reserved[] = "connect\0connect_error\0disconnect\0disconnecting\0newListener\0removeListener";
    const char *p = reserved;
    int i;
    for (i = 0; i < 6; i++, p += strlen(p) + 1)
        if (strlen(p) == len && memcmp(p, name, len) == 0) return 1;
    return 0;
}

/* ---- msgpack -> JSON text, binaries as placeholders ---- */

static void sioc__sio_placeholder(sioc_json_writer *jw, size_t num) {
    sioc_json_write_object_begin(jw);
    sioc_json_write_key(jw, "_placeholder", 12);
    sioc_json_write_bool(jw, 1);
    sioc_json_write_key(jw, "num", 3);
    sioc_json_write_u64(jw, (uint64_t)num);
    sioc_json_write_object_end(jw);
}

/* Number of binary values (bin, and ext other than timestamp) in the one msgpack value at data, and SIOC_OK when
   it is exactly one well-formed value. Linear, no stack: counts the items still owed. */
static sioc_result sioc__sio_count_bins(sioc_bytes data, size_t *out_n) {
    sioc_msgpack_reader r;
    sioc_msgpack_item it;
    uint64_t owed = 1;
    size_t n = 0;
    sioc_msgpack_reader_init(&r, data.ptr, data.len);
    while (owed > 0) {
        sioc_result e = sioc_msgpack_read(&r, &it);
        if (e != SIOC_OK) return e;
        owed--;
        if (it.type == SIOC_MSGPACK_ARRAY) owed += it.len;
        if (it.type == SIOC_MSGPACK_MAP) owed += 2u * (uint64_t)it.len;
        if (it.type == SIOC_MSGPACK_BIN || it.type == SIOC_MSGPACK_EXT) n++;
    }
    *out_n = n;
    return r.pos == r.len ? SIOC_OK : SIOC_ERR_PARSE;
}

typedef struct sioc__sio_att {
    sioc_bytes *att;
    size_t cap, n;
} sioc__sio_att;

/* A binary becomes a placeholder numbered in wire order (the depth-first order socket.io-parser numbers in); an
   extension other than the timestamp becomes Node's ExtData object {type, data}, its data the placeholder. */
static sioc_result sioc__sio_write_bin(void *user, sioc_json_writer *jw, const sioc_msgpack_item *it) {
    sioc__sio_att *a = (sioc__sio_att *)user;
    if (a->n < a->cap) {
        a->att[a->n].ptr = it->data;
        a->att[a->n].len = it->len;
    }
    if (it->type == SIOC_MSGPACK_EXT) {
        sioc_json_write_object_begin(jw);
        sioc_json_write_key(jw, "type", 4);
        sioc_json_write_i64(jw, it->ext_type);
        sioc_json_write_key(jw, "data", 4);
        sioc__sio_placeholder(jw, a->n);
        sioc_json_write_object_end(jw);
    } else {
        sioc__sio_placeholder(jw, a->n);
    }
    a->n++;
    return SIOC_OK;
}

SIOC_API sioc_result sioc_sio_encode(sioc_buf *text, int type, sioc_str nsp, int64_t id, sioc_bytes data,
                                     sioc_bytes *att, size_t att_cap, size_t *out_n_att) {
    size_t bins = 0, n_att = 0;
    sioc_result e;
    if (out_n_att) *out_n_att = 0;
    if (!att) att_cap = 0;
    if (type < SIOC_SIO_CONNECT || type > SIOC_SIO_CONNECT_ERROR) return SIOC_ERR_ARG;
    if (data.ptr) {
        e = sioc__sio_count_bins(data, &bins);
        if (e != SIOC_OK) return e;
    }
    if (bins > 0) {
        /* Only EVENT and ACK have binary variants; Node would JSON-stringify a Buffer elsewhere. */
        if (type != SIOC_SIO_EVENT && type != SIOC_SIO_ACK) return SIOC_ERR_ARG;
        type += 3;
    }
    sioc_buf_putc(text, (char)('0' + type));
    if (bins > 0) {
        sioc_buf_put_u64(text, bins);
        sioc_buf_putc(text, '-');
    }
    if (nsp.len > 0 && !(nsp.len == 1 && nsp.ptr[0] == '/')) {
        sioc_buf_put(text, nsp.ptr, nsp.len);
        sioc_buf_putc(text, ',');
    }
    if (id >= 0) sioc_buf_put_u64(text, (uint64_t)id);
    if (data.ptr) {
        sioc_json_writer jw;
        sioc__sio_att a;
        sioc_mpjson_opts o;
        memset(&o, 0, sizeof o);
        a.att = att;
        a.cap = att_cap;
        a.n = 0;
        o.write_bin = sioc__sio_write_bin;
        o.user = &a;
        sioc_json_writer_init(&jw, text);
        e = sioc_msgpack_to_json(&jw, data, &o);
        if (e != SIOC_OK && e != SIOC_ERR_BUFFER_TOO_SMALL) return e;
        n_att = a.n;
    }
    if (out_n_att) *out_n_att = n_att;
    e = sioc_buf_result(text);
    if (e != SIOC_OK) return e;
    return n_att > att_cap ? SIOC_ERR_BUFFER_TOO_SMALL : SIOC_OK;
}

/* ---- decoding client packets ---- */

/* Object token t is a placeholder ({"_placeholder": true, ...}): 1 and *num set, 0 when it is not one,
   -1 when it is one with a bad num (socket.io-parser: "illegal attachments"). */
static int sioc__sio_placeholder_num(const sioc_json *doc, int t, uint32_t attachments, size_t *num) {
    int ph = sioc_json_find(doc, t, "_placeholder"), nt, b = 0;
    if (ph < 0 || sioc_json_get_bool(doc, ph, &b) != SIOC_OK || !b) return 0;
    nt = sioc_json_find(doc, t, "num");
#if SIOC_ENABLE_FLOAT
    {
        double f;
        if (sioc_json_get_f64(doc, nt, &f) != SIOC_OK) return -1;
        if (!(f >= 0 && f < (double)attachments) || (double)(size_t)f != f) return -1;
        *num = (size_t)f;
    }
#else
    { /* an integer literal (socket.io-client writes no other); "1.0" would need doubles */
        int64_t v;
        if (sioc_json_get_i64(doc, nt, &v) != SIOC_OK || v < 0 || (uint64_t)v >= attachments) return -1;
        *num = (size_t)v;
    }
#endif
    return 1;
}

static int sioc__sio_is_number(const sioc_json *doc, int t) { return sioc_json_type_of(doc, t) == SIOC_JSON_NUMBER; }

/* socket.io-parser's isPayloadValid. */
static int sioc__sio_payload_valid(const sioc_json *doc, int type) {
    sioc_json_type root = sioc_json_type_of(doc, 0);
    switch (type) {
    case SIOC_SIO_CONNECT: return root == SIOC_JSON_OBJECT;
    case SIOC_SIO_DISCONNECT: return 0; /* no payload allowed */
    case SIOC_SIO_CONNECT_ERROR: return root == SIOC_JSON_OBJECT || root == SIOC_JSON_STRING;
    case SIOC_SIO_EVENT:
    case SIOC_SIO_BINARY_EVENT: {
        int first = sioc_json_first(doc, 0);
        char name[16];
        size_t n = 0;
        if (root != SIOC_JSON_ARRAY || first < 0) return 0;
        if (sioc__sio_is_number(doc, first)) return 1;
        if (sioc_json_type_of(doc, first) != SIOC_JSON_STRING) return 0;
        if (sioc_json_get_str(doc, first, name, sizeof name, &n) != SIOC_OK) return 1; /* longer than any */
        return !sioc_sio_is_reserved_event(name, n);
    }
    case SIOC_SIO_ACK:
    case SIOC_SIO_BINARY_ACK: return root == SIOC_JSON_ARRAY;
    default: return 0;
    }
}

SIOC_API sioc_result sioc_sio_decode(sioc_sio_packet *p, const char *s, size_t len, sioc_json_tok *toks, size_t cap,
                                     uint32_t max_attachments) {
    size_t i = 0, j;
    sioc_result e;
    memset(p, 0, sizeof *p);
    p->nsp.ptr = "/";
    p->nsp.len = 1;
    p->id = -1;
    if (max_attachments == 0) max_attachments = SIOC_SIO_MAX_ATTACHMENTS;
    if (!s || len == 0 || s[0] < '0' || s[0] > '6') return SIOC_ERR_PARSE; /* "unknown packet type" */
    p->type = s[0] - '0';
    if (p->type == SIOC_SIO_BINARY_EVENT || p->type == SIOC_SIO_BINARY_ACK) {
        uint64_t n = 0;
        for (j = 1; j < len && sioc__is_digit(s[j]); j++) {
            n = n * 10u + (uint64_t)(s[j] - '0');
            if (n > 0xffffffffu) return SIOC_ERR_LIMIT;
        }
        if (j == 1 || j >= len || s[j] != '-') return SIOC_ERR_PARSE; /* "Illegal attachments" */
        if (n > max_attachments) return SIOC_ERR_LIMIT;                 /* "too many attachments" */
        p->attachments = (uint32_t)n;
        i = j;
    }
    if (i + 1 < len && s[i + 1] == '/') { /* namespace up to ',' or the end */
        j = i + 1;
        while (j < len && s[j] != ',') j++;
        p->nsp.ptr = s + i + 1;
        p->nsp.len = j - (i + 1);
        i = j;
    }
    if (i + 1 < len && sioc__is_digit(s[i + 1])) {
        uint64_t id = 0;
        for (j = i + 1; j < len && sioc__is_digit(s[j]); j++) {
            id = id * 10u + (uint64_t)(s[j] - '0');
            if (id > 9007199254740991u) return SIOC_ERR_PARSE; /* beyond Number.MAX_SAFE_INTEGER */
        }
        p->id = (int64_t)id;
        i = j - 1;
    }
    if (i + 1 >= len) return SIOC_OK; /* no payload */
    e = sioc_json_parse(&p->json, s + i + 1, len - i - 1, toks, cap);
    if (e != SIOC_OK) return e;
    p->has_data = 1;
    if (!sioc__sio_payload_valid(&p->json, p->type)) return SIOC_ERR_PROTOCOL;
    if ((p->type == SIOC_SIO_BINARY_EVENT || p->type == SIOC_SIO_BINARY_ACK) && p->attachments > 0) {
        /* Placeholders are resolved (and checked) only when attachments follow, as socket.io-parser does; a
           placeholder's own content is not looked into. */
        size_t t = 0, num;
        while (t < p->json.count) {
            if (p->json.toks[t].type == SIOC_JSON_OBJECT) {
                int k = sioc__sio_placeholder_num(&p->json, (int)t, p->attachments, &num);
                if (k < 0) return SIOC_ERR_RANGE;
                if (k > 0) {
                    t = p->json.toks[t].next;
                    continue;
                }
            }
            t++;
        }
    }
    return SIOC_OK;
}

typedef struct sioc__sio_ph {
    const sioc_bytes *att;
    size_t n;
} sioc__sio_ph;

/* A placeholder object becomes bin att[num]. */
static int sioc__sio_read_bin(void *user, const sioc_json *doc, int tok, sioc_msgpack_writer *w) {
    const sioc__sio_ph *ph = (const sioc__sio_ph *)user;
    size_t num = 0;
    int k = sioc__sio_placeholder_num(doc, tok, (uint32_t)ph->n, &num);
    if (k < 0) return SIOC_ERR_RANGE;
    if (k > 0) sioc_msgpack_write_bin(w, ph->att[num].ptr, ph->att[num].len);
    return k;
}

SIOC_API sioc_result sioc_sio_json_to_msgpack(const sioc_json *doc, int tok, const sioc_bytes *att, size_t n_att,
                                              sioc_msgpack_writer *w) {
    sioc__sio_ph ph;
    sioc_mpjson_opts o;
    memset(&o, 0, sizeof o);
    ph.att = att;
    ph.n = n_att;
    if (att) {
        o.read_bin = sioc__sio_read_bin;
        o.user = &ph;
    }
    return sioc_json_to_msgpack(doc, tok, w, &o);
}

SIOC_API sioc_result sioc_sio_ack_arg(const sioc_sio_packet *p, const sioc_bytes *att, size_t n_att, sioc_buf *out) {
    sioc_msgpack_writer w;
    sioc_result e = SIOC_OK;
    int first;
    if (p->type != SIOC_SIO_ACK && p->type != SIOC_SIO_BINARY_ACK) return SIOC_ERR_TYPE;
    if (p->type == SIOC_SIO_BINARY_ACK ? n_att != p->attachments : n_att != 0) return SIOC_ERR_ARG;
    sioc_msgpack_writer_init(&w, out);
    first = p->has_data ? sioc_json_first(&p->json, 0) : -1;
    if (first < 0)
        sioc_msgpack_write_nil(&w); /* ack() without arguments: Node sends packet: nil (§8) */
    else
        e = sioc_sio_json_to_msgpack(&p->json, first, p->attachments > 0 ? att : NULL, n_att, &w);
    if (e != SIOC_OK) return e;
    return sioc_msgpack_writer_finish(&w);
}

/* ---- Engine.IO ---- */

SIOC_API void sioc_eio_ws_text(sioc_buf *out, const char *text, size_t len) {
    sioc_buf_putc(out, '4');
    sioc_buf_put(out, text, len);
}

SIOC_API void sioc_eio_polling_add_text(sioc_buf *out, size_t start, const char *text, size_t len) {
    if (out->len > start) sioc_buf_putc(out, '\x1e');
    sioc_eio_ws_text(out, text, len);
}

SIOC_API void sioc_eio_polling_add_binary(sioc_buf *out, size_t start, const void *data, size_t len) {
    const uint8_t *p = (const uint8_t *)data;
    char chunk[SIOC_BASE64_ENCODED_LEN(48) + 1];
    if (out->len > start) sioc_buf_putc(out, '\x1e');
    sioc_buf_putc(out, 'b');
    while (len > 0) { /* 48 bytes (a multiple of 3) at a time, so the pieces join into one base64 text */
        size_t n = SIOC__MIN(len, (size_t)48), m = 0;
        if (sioc_base64_encode(p, n, chunk, sizeof chunk, &m) != SIOC_OK) {
            sioc_buf_fail(out, SIOC_ERR_ARG);
            return;
        }
        sioc_buf_put(out, chunk, m);
        p += n;
        len -= n;
    }
}
