/* ---- mpjson.c ---- */
#include "base.h"
#include "internal.h"
#include "json.h"
#include "msgpack.h"
#include "mpjson.h"

/* ---- msgpack -> JSON ---- */

#if SIOC_ENABLE_FLOAT
/* A JS Date for a msgpack timestamp, as Date.prototype.toJSON prints it (years outside 0..9999 as +-YYYYYY).
   Returns the length, or 0 for an invalid Date (toJSON gives null). */
static size_t sioc__mpj_iso_date(int64_t sec, uint32_t nsec, char *out) {
    /* The same double operations Node runs: new Date(sec * 1e3 + nsec / 1e6), then TimeClip truncates. */
    double t = (double)sec * 1e3 + (double)nsec / 1e6;
    int64_t days, y;
    uint32_t rem, a, parts[6]; /* within the JS range every part fits 32 bits (|year| <= 275760) */
    unsigned mo, d;
    static const char seps[6] = {'-', '-', 'T', ':', ':', '.'};
    char *p = out;
    int i;
    if (!(t <= 8.64e15 && t >= -8.64e15)) return 0;
    days = sioc__fdiv64((int64_t)t, 86400000u, &rem); /* floor: rem is the time of day */
    sioc__civil_from_days(days, &y, &mo, &d);
    a = (uint32_t)(y < 0 ? -y : y);
    if (y < 0 || y > 9999) {
        *p++ = y < 0 ? '-' : '+';
        for (i = 5; i >= 0; i--, a /= 10) p[i] = (char)('0' + (int)(a % 10));
        p += 6;
    } else {
        for (i = 3; i >= 0; i--, a /= 10) p[i] = (char)('0' + (int)(a % 10));
        p += 4;
    }
    parts[0] = mo;
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
    *p++ = 'Z';
    return (size_t)(p - out);
}
#endif

/* SIOC_ENABLE_FLOAT 0: a value JS would print through a double (a float, a Date, an integer beyond 2^53) cannot be
   written: the conversion fails with SIOC_ERR_UNSUPPORTED rather than link the double library. */
#if SIOC_ENABLE_FLOAT
#define SIOC__MPJ_F64(jw, v) (sioc_json_write_f64((jw), (v)), SIOC_OK)
#else
#define SIOC__MPJ_F64(jw, v) SIOC_ERR_UNSUPPORTED
#endif

/* An integer: exact, or as the double Node reads (beyond 2^53 JS prints the double). */
static sioc_result sioc__mpj_uint(sioc_json_writer *jw, uint64_t u, int exact) {
    if (!exact && u > 9007199254740992u) return SIOC__MPJ_F64(jw, (double)u);
    sioc_json_write_u64(jw, u);
    return SIOC_OK;
}
static sioc_result sioc__mpj_int(sioc_json_writer *jw, int64_t i, int exact) {
    if (!exact && i < -(int64_t)9007199254740992) return SIOC__MPJ_F64(jw, (double)i);
    sioc_json_write_i64(jw, i);
    return SIOC_OK;
}

/* A map key: str as is, an integer as the property name JS gives it (String(n), or the exact digits). */
static sioc_result sioc__mpj_key(sioc_json_writer *jw, const sioc_msgpack_item *it, int exact) {
    char tmp[SIOC_JSON_F64_MAX > 24 ? SIOC_JSON_F64_MAX : 24];
    if (it->type == SIOC_MSGPACK_STR) {
        sioc_json_write_key(jw, (const char *)it->data, it->len);
        return SIOC_OK;
    }
    if (it->type != SIOC_MSGPACK_UINT && it->type != SIOC_MSGPACK_INT) return SIOC_ERR_TYPE;
    /* up to 2^53 String(n) prints every digit */
    if (exact || (it->type == SIOC_MSGPACK_UINT ? it->u <= 9007199254740992u : it->i >= -(int64_t)9007199254740992)) {
        uint64_t u = it->type == SIOC_MSGPACK_UINT ? it->u : (uint64_t)0 - (uint64_t)it->i;
        char *p = tmp + sizeof tmp;
        do {
            uint32_t digit;
            u = sioc__udiv64(u, 10u, &digit);
            *--p = (char)('0' + (int)digit);
        } while (u);
        if (it->type == SIOC_MSGPACK_INT) *--p = '-';
        sioc_json_write_key(jw, p, (size_t)(tmp + sizeof tmp - p));
        return SIOC_OK;
    }
#if SIOC_ENABLE_FLOAT
    sioc_json_write_key(jw, tmp,
                        sioc_json_format_f64(it->type == SIOC_MSGPACK_UINT ? (double)it->u : (double)it->i, tmp));
    return SIOC_OK;
#else
    return SIOC_ERR_UNSUPPORTED;
#endif
}

/* One scalar (or str/bin/ext/timestamp) value. */
static sioc_result sioc__mpj_scalar(sioc_json_writer *jw, const sioc_msgpack_item *it, const sioc_mpjson_opts *o) {
    int exact = (o->flags & SIOC_MPJSON_EXACT_INTEGERS) != 0;
    switch (it->type) {
    case SIOC_MSGPACK_NIL: sioc_json_write_null(jw); return SIOC_OK;
    case SIOC_MSGPACK_BOOL: sioc_json_write_bool(jw, it->boolean); return SIOC_OK;
    case SIOC_MSGPACK_UINT: return sioc__mpj_uint(jw, it->u, exact);
    case SIOC_MSGPACK_INT: return sioc__mpj_int(jw, it->i, exact);
    case SIOC_MSGPACK_FLOAT32:
    case SIOC_MSGPACK_FLOAT64: return SIOC__MPJ_F64(jw, it->f);
    case SIOC_MSGPACK_STR: sioc_json_write_str(jw, (const char *)it->data, it->len); return SIOC_OK;
    case SIOC_MSGPACK_TIMESTAMP: {
#if SIOC_ENABLE_FLOAT
        char tmp[32];
        size_t n = sioc__mpj_iso_date(it->ts_sec, it->ts_nsec, tmp);
        if (n)
            sioc_json_write_str(jw, tmp, n);
        else
            sioc_json_write_null(jw);
        return SIOC_OK;
#else
        return SIOC_ERR_UNSUPPORTED;
#endif
    }
    case SIOC_MSGPACK_BIN:
    case SIOC_MSGPACK_EXT: return o->write_bin ? o->write_bin(o->user, jw, it) : SIOC_ERR_TYPE;
    default: return SIOC_ERR_PARSE;
    }
}

typedef struct sioc__mpj_frame {
    uint64_t left; /* items still to come (map: keys and values) */
    uint8_t is_map;
} sioc__mpj_frame;

SIOC_API sioc_result sioc_msgpack_to_json(sioc_json_writer *jw, sioc_bytes value, const sioc_mpjson_opts *opts) {
    static const sioc_mpjson_opts none = {0, NULL, NULL, NULL};
    sioc__mpj_frame stack[SIOC_MSGPACK_WRITE_DEPTH];
    size_t depth = 0;
    sioc_msgpack_reader r;
    sioc_msgpack_item it;
    const sioc_mpjson_opts *o = opts ? opts : &none;
    if (!value.ptr && value.len) return SIOC_ERR_ARG;
    sioc_msgpack_reader_init(&r, value.ptr, value.len);
    for (;;) {
        sioc_result e = sioc_msgpack_read(&r, &it);
        if (e != SIOC_OK) return e;
        if (depth > 0 && stack[depth - 1].is_map && stack[depth - 1].left % 2 == 0) {
            e = sioc__mpj_key(jw, &it, (o->flags & SIOC_MPJSON_EXACT_INTEGERS) != 0);
        } else if (it.type == SIOC_MSGPACK_ARRAY || it.type == SIOC_MSGPACK_MAP) {
            int is_map = it.type == SIOC_MSGPACK_MAP;
            if (depth == SIOC__COUNT(stack)) return SIOC_ERR_LIMIT;
            if (is_map)
                sioc_json_write_object_begin(jw);
            else
                sioc_json_write_array_begin(jw);
            if (it.len > 0) {
                stack[depth].is_map = (uint8_t)is_map;
                stack[depth].left = is_map ? 2u * (uint64_t)it.len : it.len;
                depth++;
                continue; /* the container completes when its last item does */
            }
            if (is_map)
                sioc_json_write_object_end(jw);
            else
                sioc_json_write_array_end(jw);
        } else {
            e = sioc__mpj_scalar(jw, &it, o);
        }
        if (e != SIOC_OK) return e;
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
    if (r.pos != r.len) return SIOC_ERR_PARSE;
    return sioc_buf_result(jw->out);
}

/* ---- JSON -> msgpack ---- */

/* The header of a str, bin or ext (ext_type >= -128) of n bytes; then room for the n bytes, written straight into
   the buffer: returns where they go, or NULL when they do not fit (counted: the buffer reports the size needed). */
static uint8_t *sioc__mpj_reserve(sioc_msgpack_writer *w, int kind, int ext_type, size_t n) {
    static const uint8_t forms[3][3] = {{0xd9, 0xda, 0xdb}, {0xc4, 0xc5, 0xc6}, {0xc7, 0xc8, 0xc9}}; /* str bin ext */
    uint8_t hdr[6];
    size_t h = 1;
    if (n > 0xffffffffu) {
        sioc_buf_fail(w->out, SIOC_ERR_LIMIT);
        return NULL;
    }
    if (kind == 0 && n <= 31) {
        hdr[0] = (uint8_t)(0xa0 | n);
    } else if (kind == 2 && (n == 1 || n == 2 || n == 4 || n == 8 || n == 16)) {
        hdr[0] = (uint8_t)(n == 1 ? 0xd4 : n == 2 ? 0xd5 : n == 4 ? 0xd6 : n == 8 ? 0xd7 : 0xd8); /* fixext */
    } else if (n <= 0xff) {
        hdr[0] = forms[kind][0];
        hdr[h++] = (uint8_t)n;
    } else if (n <= 0xffff) {
        hdr[0] = forms[kind][1];
        sioc__store_be16(hdr + 1, (uint16_t)n);
        h = 3;
    } else {
        hdr[0] = forms[kind][2];
        sioc__store_be32(hdr + 1, (uint32_t)n);
        h = 5;
    }
    if (kind == 2) hdr[h++] = (uint8_t)(int8_t)ext_type;
    sioc_msgpack_write_raw(w, hdr, h); /* counts as the one value; the body follows directly */
    if (w->out->err != SIOC_OK) return NULL;
    return (uint8_t *)sioc_buf_reserve(w->out, n);
}

/* A JSON string token as a msgpack str, unescaped straight into the output buffer. */
static void sioc__mpj_str(sioc_msgpack_writer *w, const sioc_json *doc, int tok) {
    const sioc_json_tok *t = &doc->toks[tok];
    size_t n = 0, k, units = 0;
    uint8_t *dst;
    if (!t->escaped) {
        sioc_msgpack_write_str(w, doc->text + t->start, t->len);
        return;
    }
    (void)sioc_json_get_str(doc, tok, NULL, 0, &n);
    dst = sioc__mpj_reserve(w, 0, 0, n);
    if (!dst) return;
    (void)sioc_json_get_str(doc, tok, (char *)dst, n, &n);
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

/* A number: a JS number, or with exact integers any integer literal that fits 64 bits. */
static void sioc__mpj_number(sioc_msgpack_writer *w, const sioc_json *doc, int tok, int exact) {
    if (exact) {
        int64_t i;
        sioc_str raw = sioc_json_raw(doc, tok);
        if (sioc_json_get_i64(doc, tok, &i) == SIOC_OK) {
            sioc_msgpack_write_int(w, i);
            return;
        }
        if (raw.len > 0 && raw.len <= 20 && raw.ptr[0] != '-') { /* beyond int64: a uint64 literal? */
            uint64_t u = 0;
            size_t k;
            for (k = 0; k < raw.len && sioc__is_digit(raw.ptr[k]); k++) {
                unsigned dg = (unsigned)(raw.ptr[k] - '0');
                if (u > (UINT64_MAX - dg) / 10u) break;
                u = u * 10u + dg;
            }
            if (k == raw.len) {
                sioc_msgpack_write_uint(w, u);
                return;
            }
        }
    }
#if SIOC_ENABLE_FLOAT
    {
        double f = 0;
        (void)sioc_json_get_f64(doc, tok, &f); /* out of range: +-Infinity, as JSON.parse */
        sioc_msgpack_write_double(w, f);
    }
#else
    { /* a safe integer literal, as JS keeps it; anything else would need doubles */
        int64_t i;
        if (sioc_json_get_i64(doc, tok, &i) == SIOC_OK && i <= 9007199254740991 && i >= -9007199254740991)
            sioc_msgpack_write_int(w, i);
        else
            sioc_buf_fail(w->out, SIOC_ERR_UNSUPPORTED);
    }
#endif
}

SIOC_API sioc_result sioc_json_to_msgpack(const sioc_json *doc, int tok, sioc_msgpack_writer *w,
                                          const sioc_mpjson_opts *opts) {
    size_t i, end;
    int exact = opts && (opts->flags & SIOC_MPJSON_EXACT_INTEGERS);
    if (!doc || tok < 0 || (size_t)tok >= doc->count || doc->toks[tok].is_key) return SIOC_ERR_ARG;
    i = (size_t)tok;
    end = doc->toks[tok].next;
    while (i < end) {
        const sioc_json_tok *t = &doc->toks[i];
        if (t->is_key) {
            if (sioc_json_str_eq(doc, (int)i, "__proto__", 9)) {
                i = doc->toks[i + 1].next; /* drop the member: Node's decoder would throw on it (Q14) */
                continue;
            }
            sioc__mpj_str(w, doc, (int)i);
            i++;
            continue;
        }
        switch (t->type) {
        case SIOC_JSON_OBJECT: {
            uint32_t members = 0;
            int k = opts && opts->read_bin ? opts->read_bin(opts->user, doc, (int)i, w) : 0;
            if (k < 0) return (sioc_result)k;
            if (k > 0) {
                i = t->next;
                continue;
            }
            for (k = sioc_json_first(doc, (int)i); k >= 0; k = sioc_json_next(doc, k))
                if (!sioc_json_str_eq(doc, k, "__proto__", 9)) members++;
            sioc_msgpack_write_map(w, members);
            break;
        }
        case SIOC_JSON_ARRAY: sioc_msgpack_write_array(w, t->count); break;
        case SIOC_JSON_STRING: sioc__mpj_str(w, doc, (int)i); break;
        case SIOC_JSON_NUMBER: sioc__mpj_number(w, doc, (int)i, exact); break;
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

/* ---- the {"$bin": hex} convention ---- */

/* n bytes as one JSON string of lower-case hex (nothing to escape: the body goes straight into the buffer). */
static void sioc__mpj_hex(sioc_json_writer *jw, const uint8_t *p, size_t n) {
    static const char digits[] = "0123456789abcdef";
    char *dst;
    size_t k;
    sioc_json_write_raw(jw, "\"", 1); /* the writer places the value (comma, key) */
    dst = (char *)sioc_buf_reserve(jw->out, 2 * n);
    if (dst)
        for (k = 0; k < n; k++) {
            dst[2 * k] = digits[p[k] >> 4];
            dst[2 * k + 1] = digits[p[k] & 15];
        }
    sioc_buf_putc(jw->out, '"');
}

SIOC_API sioc_result sioc_mpjson_write_bin_hex(void *user, sioc_json_writer *jw, const sioc_msgpack_item *it) {
    (void)user;
    sioc_json_write_object_begin(jw);
    if (it->type == SIOC_MSGPACK_EXT) {
        sioc_json_write_key(jw, "$ext", 4);
        sioc_json_write_i64(jw, it->ext_type);
    }
    sioc_json_write_key(jw, "$bin", 4);
    sioc__mpj_hex(jw, it->data, it->len);
    sioc_json_write_object_end(jw);
    return SIOC_OK;
}

SIOC_API int sioc_mpjson_read_bin_hex(void *user, const sioc_json *doc, int tok, sioc_msgpack_writer *w) {
    int hx = sioc_json_find(doc, tok, "$bin"), et = sioc_json_find(doc, tok, "$ext");
    size_t members = sioc_json_count(doc, tok), k;
    int64_t type = 0;
    sioc_str s;
    uint8_t *dst;
    (void)user;
    if (hx < 0 || members != (et >= 0 ? 2u : 1u)) return 0;
    if (sioc_json_type_of(doc, hx) != SIOC_JSON_STRING || doc->toks[hx].escaped) return SIOC_ERR_PARSE;
    if (et >= 0 && (sioc_json_get_i64(doc, et, &type) != SIOC_OK || type < -128 || type > 127))
        return SIOC_ERR_PARSE;
    s = sioc_json_raw(doc, hx);
    if (s.len % 2) return SIOC_ERR_PARSE;
    for (k = 0; k < s.len; k++)
        if (sioc__hex_val(s.ptr[k]) < 0) return SIOC_ERR_PARSE;
    dst = sioc__mpj_reserve(w, et >= 0 ? 2 : 1, (int)type, s.len / 2);
    if (dst)
        for (k = 0; k < s.len / 2; k++)
            dst[k] = (uint8_t)(sioc__hex_val(s.ptr[2 * k]) * 16 + sioc__hex_val(s.ptr[2 * k + 1]));
    return 1;
}
