/* ---- sio_parser.c ---- */
#include "base.h"
#include "internal.h"
#include "crypto.h"
#include "json.h"
#include "msgpack.h"
#include "sio_parser.h"

SIOC_API int sioc_sio_is_reserved_event(const char *name, size_t len) {
    /* socket.io-parser RESERVED_EVENTS (client and server side, and Node's EventEmitter internals). */
    static const char *const reserved[6] = {"connect",       "connect_error", "disconnect",
                                            "disconnecting", "newListener",   "removeListener"};
    size_t i;
    for (i = 0; i < SIOC__COUNT(reserved); i++)
        if (strlen(reserved[i]) == len && memcmp(reserved[i], name, len) == 0) return 1;
    return 0;
}

/* ---- msgpack -> JSON text (JSON.stringify of what @msgpack/msgpack decodes) ---- */

/* JS Date for a msgpack timestamp, as Date.prototype.toJSON prints it: "YYYY-MM-DDTHH:MM:SS.mmmZ" (years outside
   0..9999 as +/-YYYYYY). Returns the length, or 0 for an invalid Date (toJSON gives null). */
static size_t sioc__sio_iso_date(int64_t sec, uint32_t nsec, char *out) {
    /* The same double operations Node runs: new Date(sec * 1e3 + nsec / 1e6), then TimeClip truncates. */
    double t = (double)sec * 1e3 + (double)nsec / 1e6;
    int64_t ms, days, rem, z, era, doe, yoe, y, doy, mp, d, m;
    char *p = out;
    int i;
    if (!(t <= 8.64e15 && t >= -8.64e15)) return 0;
    ms = (int64_t)t;
    days = ms / 86400000;
    rem = ms % 86400000;
    if (rem < 0) {
        rem += 86400000;
        days--;
    }
    /* Civil date from days since 1970-01-01 (proleptic Gregorian, 400-year eras). */
    z = days + 719468;
    era = (z >= 0 ? z : z - 146096) / 146097;
    doe = z - era * 146097;
    yoe = (doe - doe / 1460 + doe / 36524 - doe / 146096) / 365;
    y = yoe + era * 400;
    doy = doe - (365 * yoe + yoe / 4 - yoe / 100);
    mp = (5 * doy + 2) / 153;
    d = doy - (153 * mp + 2) / 5 + 1;
    m = mp < 10 ? mp + 3 : mp - 9;
    if (m <= 2) y++;
    if (y < 0 || y > 9999) {
        int64_t a = y < 0 ? -y : y;
        *p++ = y < 0 ? '-' : '+';
        for (i = 5; i >= 0; i--, a /= 10) p[i] = (char)('0' + (int)(a % 10));
        p += 6;
    } else {
        for (i = 3; i >= 0; i--, y /= 10) p[i] = (char)('0' + (int)(y % 10));
        p += 4;
    }
    {
        int64_t parts[6];
        static const char seps[6] = {'-', '-', 'T', ':', ':', '.'};
        parts[0] = m;
        parts[1] = d;
        parts[2] = rem / 3600000;
        parts[3] = rem / 60000 % 60;
        parts[4] = rem / 1000 % 60;
        parts[5] = rem % 1000;
        for (i = 0; i < 6; i++) {
            *p++ = seps[i];
            if (i == 5) *p++ = (char)('0' + (int)(parts[i] / 100));
            *p++ = (char)('0' + (int)(parts[i] / 10 % 10));
            *p++ = (char)('0' + (int)(parts[i] % 10));
        }
    }
    *p++ = 'Z';
    return (size_t)(p - out);
}

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

typedef struct sioc__sio_frame {
    uint64_t left; /* items still to come (map: keys and values) */
    int is_map;
} sioc__sio_frame;

/* The JSON text of one msgpack value, binaries replaced by placeholders numbered in wire order (which is the
   depth-first traversal order). Iterative with an explicit, bounded stack. */
static sioc_result sioc__sio_to_json(sioc_json_writer *jw, sioc_bytes data, sioc_bytes *att, size_t att_cap,
                                     size_t *n_att) {
    sioc__sio_frame stack[SIOC_MAX_MSGPACK_DEPTH];
    size_t depth = 0;
    sioc_msgpack_reader r;
    sioc_msgpack_item it;
    char tmp[SIOC_JSON_F64_MAX];
    size_t n;
    sioc_msgpack_reader_init(&r, data.ptr, data.len);
    for (;;) {
        int is_key = depth > 0 && stack[depth - 1].is_map && stack[depth - 1].left % 2 == 0;
        sioc_result e = sioc_msgpack_read(&r, &it);
        if (e != SIOC_OK) return e;
        if (is_key) {
            /* @msgpack/msgpack takes str and number keys; a number becomes the property name String(n). */
            if (it.type == SIOC_MSGPACK_STR) {
                sioc_json_write_key(jw, (const char *)it.data, it.len);
            } else if (it.type == SIOC_MSGPACK_UINT || it.type == SIOC_MSGPACK_INT) {
                double v = it.type == SIOC_MSGPACK_UINT ? (double)it.u : (double)it.i;
                n = sioc_json_format_f64(v, tmp);
                sioc_json_write_key(jw, tmp, n);
            } else {
                return SIOC_ERR_TYPE;
            }
        } else {
            switch (it.type) {
            case SIOC_MSGPACK_NIL: sioc_json_write_null(jw); break;
            case SIOC_MSGPACK_BOOL: sioc_json_write_bool(jw, it.boolean); break;
            case SIOC_MSGPACK_UINT:
                /* Node reads 64-bit integers as doubles: beyond 2^53 print the double, as JS would. */
                if (it.u <= 9007199254740992u)
                    sioc_json_write_u64(jw, it.u);
                else
                    sioc_json_write_f64(jw, (double)it.u);
                break;
            case SIOC_MSGPACK_INT:
                if (it.i >= -(int64_t)9007199254740992)
                    sioc_json_write_i64(jw, it.i);
                else
                    sioc_json_write_f64(jw, (double)it.i);
                break;
            case SIOC_MSGPACK_FLOAT32:
            case SIOC_MSGPACK_FLOAT64: sioc_json_write_f64(jw, it.f); break;
            case SIOC_MSGPACK_STR: sioc_json_write_str(jw, (const char *)it.data, it.len); break;
            case SIOC_MSGPACK_TIMESTAMP:
                n = sioc__sio_iso_date(it.ts_sec, it.ts_nsec, tmp);
                if (n)
                    sioc_json_write_str(jw, tmp, n);
                else
                    sioc_json_write_null(jw);
                break;
            case SIOC_MSGPACK_BIN:
            case SIOC_MSGPACK_EXT:
                if (*n_att < att_cap) {
                    att[*n_att].ptr = it.data;
                    att[*n_att].len = it.len;
                }
                if (it.type == SIOC_MSGPACK_EXT) { /* Node's ExtData {type, data} object */
                    sioc_json_write_object_begin(jw);
                    sioc_json_write_key(jw, "type", 4);
                    sioc_json_write_i64(jw, it.ext_type);
                    sioc_json_write_key(jw, "data", 4);
                    sioc__sio_placeholder(jw, *n_att);
                    sioc_json_write_object_end(jw);
                } else {
                    sioc__sio_placeholder(jw, *n_att);
                }
                (*n_att)++;
                break;
            case SIOC_MSGPACK_ARRAY:
            case SIOC_MSGPACK_MAP:
                if (it.type == SIOC_MSGPACK_ARRAY)
                    sioc_json_write_array_begin(jw);
                else
                    sioc_json_write_object_begin(jw);
                if (it.len > 0) {
                    if (depth == SIOC__COUNT(stack)) return SIOC_ERR_LIMIT;
                    stack[depth].is_map = it.type == SIOC_MSGPACK_MAP;
                    stack[depth].left = stack[depth].is_map ? 2u * (uint64_t)it.len : it.len;
                    depth++;
                    continue; /* the container completes when its last item does */
                }
                if (it.type == SIOC_MSGPACK_ARRAY)
                    sioc_json_write_array_end(jw);
                else
                    sioc_json_write_object_end(jw);
                break;
            default: return SIOC_ERR_PARSE;
            }
        }
        /* One item is complete: count it, closing every container it completes. */
        while (depth > 0 && --stack[depth - 1].left == 0) {
            if (stack[depth - 1].is_map)
                sioc_json_write_object_end(jw);
            else
                sioc_json_write_array_end(jw);
            depth--;
        }
        if (depth == 0) break;
    }
    return r.pos == r.len ? SIOC_OK : SIOC_ERR_PARSE;
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
        sioc_json_writer_init(&jw, text);
        e = sioc__sio_to_json(&jw, data, att, att_cap, &n_att);
        if (e != SIOC_OK) return e;
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
    double f;
    if (ph < 0 || sioc_json_get_bool(doc, ph, &b) != SIOC_OK || !b) return 0;
    nt = sioc_json_find(doc, t, "num");
    if (sioc_json_get_f64(doc, nt, &f) != SIOC_OK) return -1;
    if (!(f >= 0 && f < (double)attachments) || (double)(size_t)f != f) return -1;
    *num = (size_t)f;
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

/* A JSON string token as a msgpack str, unescaped straight into the output buffer. */
static void sioc__sio_mp_str(sioc_msgpack_writer *w, const sioc_json *doc, int tok) {
    const sioc_json_tok *t = &doc->toks[tok];
    sioc_buf *b = w->out;
    uint8_t hdr[5];
    size_t n = 0, h;
    if (!t->escaped) {
        sioc_msgpack_write_str(w, doc->text + t->start, t->len);
        return;
    }
    (void)sioc_json_get_str(doc, tok, NULL, 0, &n);
    if (n <= 31) {
        hdr[0] = (uint8_t)(0xa0 | n);
        h = 1;
    } else if (n <= 0xff) {
        hdr[0] = 0xd9;
        hdr[1] = (uint8_t)n;
        h = 2;
    } else if (n <= 0xffff) {
        hdr[0] = 0xda;
        sioc__store_be16(hdr + 1, (uint16_t)n);
        h = 3;
    } else {
        hdr[0] = 0xdb;
        sioc__store_be32(hdr + 1, (uint32_t)n); /* n < text length < 4 GiB (the JSON reader's bound) */
        h = 5;
    }
    sioc_msgpack_write_raw(w, hdr, h); /* counts as the one value; the body follows directly */
    if (b->err != SIOC_OK && b->err != SIOC_ERR_BUFFER_TOO_SMALL) return;
    if (b->len <= b->cap && b->cap - b->len >= n) {
        uint8_t *dst = b->data + b->len;
        size_t k, units = 0;
        (void)sioc_json_get_str(doc, tok, (char *)dst, b->cap - b->len, &n);
        for (k = 0; k < n; k++)
            if ((dst[k] & 0xc0) != 0x80) units += dst[k] >= 0xf0 ? 2u : 1u;
        if (units > 200) /* Node encodes longer strings with TextEncoder: lone surrogates become U+FFFD */
            for (k = 0; k + 2 < n; k++)
                if (dst[k] == 0xed && dst[k + 1] >= 0xa0) {
                    dst[k] = 0xef;
                    dst[k + 1] = 0xbf;
                    dst[k + 2] = 0xbd;
                    k += 2;
                }
    }
    b->len = (b->len + n < b->len) ? (size_t)-1 : b->len + n;
}

SIOC_API sioc_result sioc_sio_json_to_msgpack(const sioc_json *doc, int tok, const sioc_bytes *att, size_t n_att,
                                              sioc_msgpack_writer *w) {
    size_t i, end;
    if (tok < 0 || (size_t)tok >= doc->count || doc->toks[tok].is_key) return SIOC_ERR_ARG;
    i = (size_t)tok;
    end = doc->toks[tok].next;
    while (i < end) {
        const sioc_json_tok *t = &doc->toks[i];
        if (t->is_key) {
            if (sioc_json_str_eq(doc, (int)i, "__proto__", 9)) {
                i = doc->toks[i + 1].next; /* drop the member: Node's decoder would throw on it (Q14) */
                continue;
            }
            sioc__sio_mp_str(w, doc, (int)i);
            i++;
            continue;
        }
        switch (t->type) {
        case SIOC_JSON_OBJECT: {
            size_t num = 0;
            uint32_t members = 0;
            int k = att ? sioc__sio_placeholder_num(doc, (int)i, (uint32_t)n_att, &num) : 0;
            if (k < 0) return SIOC_ERR_RANGE;
            if (k > 0) {
                sioc_msgpack_write_bin(w, att[num].ptr, att[num].len);
                i = t->next;
                continue;
            }
            for (k = sioc_json_first(doc, (int)i); k >= 0; k = sioc_json_next(doc, k))
                if (!sioc_json_str_eq(doc, k, "__proto__", 9)) members++;
            sioc_msgpack_write_map(w, members);
            break;
        }
        case SIOC_JSON_ARRAY: sioc_msgpack_write_array(w, t->count); break;
        case SIOC_JSON_STRING: sioc__sio_mp_str(w, doc, (int)i); break;
        case SIOC_JSON_NUMBER: {
            double f = 0;
            (void)sioc_json_get_f64(doc, (int)i, &f); /* out of range: +-Infinity, as JSON.parse */
            sioc_msgpack_write_double(w, f);
            break;
        }
        case SIOC_JSON_BOOL: {
            int b = 0;
            (void)sioc_json_get_bool(doc, (int)i, &b);
            sioc_msgpack_write_bool(w, b);
            break;
        }
        default: sioc_msgpack_write_nil(w); break;
        }
        i++;
    }
    return SIOC_OK;
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
