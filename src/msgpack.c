/* ---- msgpack.c ---- */
#include "base.h"
#include "internal.h"
#include "msgpack.h"

/* Frame kinds of the writer's nesting stack. Known-count frames hold the items still expected and vanish when
   that reaches 0; open frames (begin/end) count the items written and hold the offset of their reserved header. */
#define SIOC__MPW_ARRAY_KNOWN 1
#define SIOC__MPW_MAP_KNOWN 2
#define SIOC__MPW_ARRAY_OPEN 3
#define SIOC__MPW_MAP_OPEN 4
#define SIOC__MP_SAFE_INT 9007199254740991.0 /* 2^53 - 1: Number.isSafeInteger's bound */

/* Writing continues through an overflow (len keeps counting the size needed) but stops at any other error. */
static int sioc__mpw_live(const sioc_msgpack_writer *w) {
    return w->out->err == SIOC_OK || w->out->err == SIOC_ERR_BUFFER_TOO_SMALL;
}

static void sioc__mpw_fail(sioc_msgpack_writer *w, sioc_result e) { sioc_buf_fail(w->out, e); }

/* The next value written is a map key. */
static int sioc__mpw_at_key(const sioc_msgpack_writer *w) {
    const sioc_msgpack_frame_ *f;
    if (w->depth == 0) return 0;
    f = &w->p_frames[w->depth - 1];
    return (f->kind == SIOC__MPW_MAP_KNOWN || f->kind == SIOC__MPW_MAP_OPEN) && f->n % 2 == 0;
}

/* A value is complete: count it in the enclosing container; known-count containers that become full are
   complete in turn and count in theirs. */
static void sioc__mpw_done(sioc_msgpack_writer *w) {
    while (w->depth > 0) {
        sioc_msgpack_frame_ *f = &w->p_frames[w->depth - 1];
        if (f->kind == SIOC__MPW_ARRAY_OPEN || f->kind == SIOC__MPW_MAP_OPEN) {
            f->n++;
            return;
        }
        if (--f->n > 0) return;
        w->depth--;
    }
}

/* Tag byte followed by `nbytes` (0, 1, 2, 4 or 8) of v in big-endian order. */
static void sioc__mpw_tag(sioc_msgpack_writer *w, uint8_t tag, uint64_t v, int nbytes) {
    uint8_t tmp[9];
    tmp[0] = tag;
    switch (nbytes) {
    case 1: tmp[1] = (uint8_t)v; break;
    case 2: sioc__store_be16(tmp + 1, (uint16_t)v); break;
    case 4: sioc__store_be32(tmp + 1, (uint32_t)v); break;
    case 8: sioc__store_be64(tmp + 1, v); break;
    default: break;
    }
    sioc_buf_put(w->out, tmp, 1 + (size_t)nbytes);
}

/* Header of a str/bin/array/map length: fixed form (when fix_max > 0 and n <= fix_max), else 8/16/32-bit forms
   starting at tag8 (tag8 == 0: no 8-bit form, so 16 and 32 start at tag16). */
static void sioc__mpw_len(sioc_msgpack_writer *w, uint8_t fix, uint32_t fix_max, uint8_t tag8, uint8_t tag16,
                          uint32_t n) {
    if (fix_max > 0 && n <= fix_max)
        sioc__mpw_tag(w, (uint8_t)(fix | n), 0, 0);
    else if (tag8 && n <= 0xff)
        sioc__mpw_tag(w, tag8, n, 1);
    else if (n <= 0xffff)
        sioc__mpw_tag(w, tag16, n, 2);
    else
        sioc__mpw_tag(w, (uint8_t)(tag16 + 1), n, 4);
}

static int sioc__mpw_fits_u32(sioc_msgpack_writer *w, size_t len) {
    if ((len >> 16 >> 16) != 0) { /* len > 2^32 - 1, written so a 32-bit size_t draws no warning */
        sioc__mpw_fail(w, SIOC_ERR_LIMIT);
        return 0;
    }
    return 1;
}

SIOC_API void sioc_msgpack_writer_init(sioc_msgpack_writer *w, sioc_buf *out) {
    SIOC_ASSERT(w && out);
    w->out = out;
    w->depth = 0;
}

SIOC_API sioc_result sioc_msgpack_writer_finish(const sioc_msgpack_writer *w) {
    sioc_result e = sioc_buf_result(w->out);
    if (e != SIOC_OK && e != SIOC_ERR_BUFFER_TOO_SMALL) return e;
    if (w->depth != 0) return SIOC_ERR_STATE;
    return e;
}

SIOC_API void sioc_msgpack_write_nil(sioc_msgpack_writer *w) {
    if (!sioc__mpw_live(w)) return;
    sioc__mpw_tag(w, 0xc0, 0, 0);
    sioc__mpw_done(w);
}

SIOC_API void sioc_msgpack_write_bool(sioc_msgpack_writer *w, int v) {
    if (!sioc__mpw_live(w)) return;
    sioc__mpw_tag(w, v ? 0xc3 : 0xc2, 0, 0);
    sioc__mpw_done(w);
}

/* @msgpack/msgpack encodeNumber: non-negative integers never use the signed forms (§9.1). */
SIOC_API void sioc_msgpack_write_uint(sioc_msgpack_writer *w, uint64_t v) {
    if (!sioc__mpw_live(w)) return;
    if (v < 0x80)
        sioc__mpw_tag(w, (uint8_t)v, 0, 0);
    else if (v <= 0xff)
        sioc__mpw_tag(w, 0xcc, v, 1);
    else if (v <= 0xffff)
        sioc__mpw_tag(w, 0xcd, v, 2);
    else if (v <= 0xffffffffu)
        sioc__mpw_tag(w, 0xce, v, 4);
    else
        sioc__mpw_tag(w, 0xcf, v, 8);
    sioc__mpw_done(w);
}

SIOC_API void sioc_msgpack_write_int(sioc_msgpack_writer *w, int64_t v) {
    uint64_t u = (uint64_t)v; /* two's complement bits; the tag writers take the low bytes */
    if (v >= 0) {
        sioc_msgpack_write_uint(w, u);
        return;
    }
    if (!sioc__mpw_live(w)) return;
    if (v >= -32)
        sioc__mpw_tag(w, (uint8_t)(u & 0xff), 0, 0); /* negative fixint e0..ff */
    else if (v >= -128)
        sioc__mpw_tag(w, 0xd0, u, 1);
    else if (v >= -32768)
        sioc__mpw_tag(w, 0xd1, u, 2);
    else if (v >= -2147483647 - 1)
        sioc__mpw_tag(w, 0xd2, u, 4);
    else
        sioc__mpw_tag(w, 0xd3, u, 8);
    sioc__mpw_done(w);
}

SIOC_API void sioc_msgpack_write_double(sioc_msgpack_writer *w, double v) {
    uint64_t bits;
    /* Number.isSafeInteger: the comparisons are false for NaN and exclude the infinities. */
    if (v >= -SIOC__MP_SAFE_INT && v <= SIOC__MP_SAFE_INT) {
        int64_t i = (int64_t)v;
        if ((double)i == v) { /* integral; -0.0 gives 0 -> 00, as Node writes it */
            sioc_msgpack_write_int(w, i);
            return;
        }
    }
    if (!sioc__mpw_live(w)) return;
    if (v != v)
        bits = 0x7ff8000000000000ULL; /* one NaN, as JS writes it (a C NaN may carry a sign or payload) */
    else
        memcpy(&bits, &v, sizeof bits); /* IEEE 754 binary64 in host order, stored big-endian below */
    sioc__mpw_tag(w, 0xcb, bits, 8);
    sioc__mpw_done(w);
}

SIOC_API void sioc_msgpack_write_str(sioc_msgpack_writer *w, const char *s, size_t len) {
    if (!sioc__mpw_live(w) || !sioc__mpw_fits_u32(w, len)) return;
    if (len == 9 && memcmp(s, "__proto__", 9) == 0 && sioc__mpw_at_key(w)) { /* Q14: Node's decoder throws */
        sioc__mpw_fail(w, SIOC_ERR_ARG);
        return;
    }
    sioc__mpw_len(w, 0xa0, 31, 0xd9, 0xda, (uint32_t)len);
    if (len) sioc_buf_put(w->out, s, len);
    sioc__mpw_done(w);
}

SIOC_API void sioc_msgpack_write_cstr(sioc_msgpack_writer *w, const char *s) {
    sioc_msgpack_write_str(w, s, strlen(s));
}

SIOC_API void sioc_msgpack_write_bin(sioc_msgpack_writer *w, const void *p, size_t len) {
    if (!sioc__mpw_live(w) || !sioc__mpw_fits_u32(w, len)) return;
    sioc__mpw_len(w, 0, 0, 0xc4, 0xc5, (uint32_t)len);
    if (len) sioc_buf_put(w->out, p, len);
    sioc__mpw_done(w);
}

/* Push a nesting frame; SIOC_ERR_LIMIT beyond SIOC_MSGPACK_WRITE_DEPTH (sioc_msgpack_skip's bound too). */
static int sioc__mpw_push(sioc_msgpack_writer *w, uint8_t kind, uint64_t n, size_t start) {
    sioc_msgpack_frame_ *f;
    if (w->depth >= SIOC_MSGPACK_WRITE_DEPTH) {
        sioc__mpw_fail(w, SIOC_ERR_LIMIT);
        return 0;
    }
    f = &w->p_frames[w->depth++];
    f->kind = kind;
    f->n = n;
    f->start = start;
    return 1;
}

static void sioc__mpw_known(sioc_msgpack_writer *w, int is_map, uint32_t n) {
    if (!sioc__mpw_live(w)) return;
    /* An empty container still counts as a level, exactly as sioc_msgpack_check counts it. */
    if (w->depth >= SIOC_MSGPACK_WRITE_DEPTH) {
        sioc__mpw_fail(w, SIOC_ERR_LIMIT);
        return;
    }
    if (is_map)
        sioc__mpw_len(w, 0x80, 15, 0, 0xde, n);
    else
        sioc__mpw_len(w, 0x90, 15, 0, 0xdc, n);
    if (n == 0)
        sioc__mpw_done(w);
    else
        (void)sioc__mpw_push(w, is_map ? SIOC__MPW_MAP_KNOWN : SIOC__MPW_ARRAY_KNOWN,
                             is_map ? 2 * (uint64_t)n : (uint64_t)n, 0);
}

SIOC_API void sioc_msgpack_write_array(sioc_msgpack_writer *w, uint32_t n) { sioc__mpw_known(w, 0, n); }
SIOC_API void sioc_msgpack_write_map(sioc_msgpack_writer *w, uint32_t n) { sioc__mpw_known(w, 1, n); }

static void sioc__mpw_begin(sioc_msgpack_writer *w, uint8_t kind) {
    size_t start = w->out->len;
    if (!sioc__mpw_live(w) || !sioc__mpw_push(w, kind, 0, start)) return;
    sioc_buf_putc(w->out, 0); /* 1-byte header slot, set (and widened if needed) by end */
}

/* Close an open container. begin left a 1-byte slot (the fixarray/fixmap form); with more than 15 items end
   widens it to 3 or 5 bytes by moving the body up. Since the final header is never shorter than the slot, len
   never exceeds the final size: a buffer of the final size is always enough and len is exact after an
   overflow. (Reserving the widest header and moving down would need 4 spare bytes per open container.) */
static void sioc__mpw_end(sioc_msgpack_writer *w, uint8_t kind) {
    sioc_msgpack_frame_ *f;
    sioc_buf *b = w->out;
    uint64_t count;
    uint8_t hdr[5];
    size_t h;
    if (!sioc__mpw_live(w)) return;
    f = w->depth ? &w->p_frames[w->depth - 1] : NULL;
    if (!f || f->kind != kind || (kind == SIOC__MPW_MAP_OPEN && f->n % 2 != 0)) {
        sioc__mpw_fail(w, SIOC_ERR_STATE); /* unbalanced end, unfinished inner container, or key without value */
        return;
    }
    count = kind == SIOC__MPW_MAP_OPEN ? f->n / 2 : f->n;
    if (count > 0xffffffffu) {
        sioc__mpw_fail(w, SIOC_ERR_LIMIT);
        return;
    }
    if (count <= 15) {
        hdr[0] = (uint8_t)((kind == SIOC__MPW_MAP_OPEN ? 0x80 : 0x90) | count);
        h = 1;
    } else if (count <= 0xffff) {
        hdr[0] = kind == SIOC__MPW_MAP_OPEN ? 0xde : 0xdc;
        sioc__store_be16(hdr + 1, (uint16_t)count);
        h = 3;
    } else {
        hdr[0] = kind == SIOC__MPW_MAP_OPEN ? 0xdf : 0xdd;
        sioc__store_be32(hdr + 1, (uint32_t)count);
        h = 5;
    }
    if (b->len <= b->cap && h - 1 <= b->cap - b->len) { /* everything is in memory and the result fits */
        memmove(b->data + f->start + h, b->data + f->start + 1, b->len - f->start - 1);
        memcpy(b->data + f->start, hdr, h);
    } /* else: bytes were already lost or will not fit; len > cap from here on, so only the count matters */
    b->len = (b->len + (h - 1) < b->len) ? (size_t)-1 : b->len + (h - 1);
    w->depth--;
    sioc__mpw_done(w);
}

SIOC_API void sioc_msgpack_begin_array(sioc_msgpack_writer *w) { sioc__mpw_begin(w, SIOC__MPW_ARRAY_OPEN); }
SIOC_API void sioc_msgpack_end_array(sioc_msgpack_writer *w) { sioc__mpw_end(w, SIOC__MPW_ARRAY_OPEN); }
SIOC_API void sioc_msgpack_begin_map(sioc_msgpack_writer *w) { sioc__mpw_begin(w, SIOC__MPW_MAP_OPEN); }
SIOC_API void sioc_msgpack_end_map(sioc_msgpack_writer *w) { sioc__mpw_end(w, SIOC__MPW_MAP_OPEN); }

/* @msgpack/msgpack encodeExtension: fixext for sizes 1, 2, 4, 8, 16, else ext8/16/32. */
static void sioc__mpw_ext_header(sioc_msgpack_writer *w, int8_t type, uint32_t len) {
    uint8_t t = (uint8_t)type;
    switch (len) {
    case 1: sioc__mpw_tag(w, 0xd4, t, 1); return;
    case 2: sioc__mpw_tag(w, 0xd5, t, 1); return;
    case 4: sioc__mpw_tag(w, 0xd6, t, 1); return;
    case 8: sioc__mpw_tag(w, 0xd7, t, 1); return;
    case 16: sioc__mpw_tag(w, 0xd8, t, 1); return;
    default: break;
    }
    sioc__mpw_len(w, 0, 0, 0xc7, 0xc8, len);
    sioc_buf_put(w->out, &t, 1);
}

SIOC_API void sioc_msgpack_write_ext(sioc_msgpack_writer *w, int8_t type, const void *data, size_t len) {
    if (!sioc__mpw_live(w) || !sioc__mpw_fits_u32(w, len)) return;
    sioc__mpw_ext_header(w, type, (uint32_t)len);
    if (len) sioc_buf_put(w->out, data, len);
    sioc__mpw_done(w);
}

/* msgpack spec, timestamp extension: 32-bit form for whole seconds in [0, 2^32), 64-bit form (nsec << 34 | sec)
   for seconds in [0, 2^34), else 96-bit (u32 nsec, i64 sec). Same choice as @msgpack/msgpack. */
SIOC_API void sioc_msgpack_write_timestamp(sioc_msgpack_writer *w, int64_t sec, uint32_t nsec) {
    uint8_t tmp[12];
    if (!sioc__mpw_live(w)) return;
    if (nsec > 999999999u) {
        sioc__mpw_fail(w, SIOC_ERR_ARG);
        return;
    }
    if (sec >= 0 && sec <= 0x3ffffffffLL) {
        if (nsec == 0 && sec <= 0xffffffffLL) {
            sioc__store_be32(tmp, (uint32_t)sec);
            sioc__mpw_ext_header(w, -1, 4);
            sioc_buf_put(w->out, tmp, 4);
        } else {
            sioc__store_be64(tmp, ((uint64_t)nsec << 34) | (uint64_t)sec);
            sioc__mpw_ext_header(w, -1, 8);
            sioc_buf_put(w->out, tmp, 8);
        }
    } else {
        sioc__store_be32(tmp, nsec);
        sioc__store_be64(tmp + 4, (uint64_t)sec);
        sioc__mpw_ext_header(w, -1, 12);
        sioc_buf_put(w->out, tmp, 12);
    }
    sioc__mpw_done(w);
}

SIOC_API void sioc_msgpack_write_date_ms(sioc_msgpack_writer *w, int64_t ms) {
    int64_t sec = ms / 1000, rem = ms % 1000; /* C truncates; JS uses Math.floor */
    if (rem < 0) {
        sec -= 1;
        rem += 1000;
    }
    sioc_msgpack_write_timestamp(w, sec, (uint32_t)rem * 1000000u);
}

SIOC_API void sioc_msgpack_write_raw(sioc_msgpack_writer *w, const void *p, size_t len) {
    if (!sioc__mpw_live(w)) return;
    if (len) sioc_buf_put(w->out, p, len);
    sioc__mpw_done(w);
}

/* ---- reader ---- */

/* Two's complement value of the low `bits` bits of v, without implementation-defined conversions. */
static int64_t sioc__mp_signed(uint64_t v, unsigned bits) {
    uint64_t sign = (uint64_t)1 << (bits - 1);
    if (bits < 64) v &= (sign << 1) - 1;
    if (!(v & sign)) return (int64_t)v;
    if (bits < 64) return (int64_t)v - (int64_t)(sign << 1); /* v - 2^bits: both fit in int64 */
    return -(int64_t)(~v) - 1;
}

static uint64_t sioc__mp_load(const uint8_t *p, unsigned n) {
    switch (n) {
    case 1: return p[0];
    case 2: return sioc__load_be16(p);
    case 4: return sioc__load_be32(p);
    default: return sioc__load_be64(p);
    }
}

/* float32 bits -> the bits of the same value as a float64, exactly (a NaN keeps its payload, quieted, as FPUs
   do), without floating-point arithmetic: on a soft-float target one (double) cast links the double library. */
static uint64_t sioc__mp_f32_to_f64(uint32_t b) {
    uint64_t sign = (uint64_t)(b >> 31) << 63;
    int e = (int)((b >> 23) & 0xFFu);
    uint32_t m = b & 0x7FFFFFu;
    if (e == 0xFF) return sign | 0x7FF0000000000000ull | (m ? 0x0008000000000000ull : 0u) | ((uint64_t)m << 29);
    if (e == 0) {
        if (!m) return sign; /* +-0 */
        e = 1;               /* subnormal: normalise, so the implicit leading 1 is bit 23 */
        while (!(m & 0x800000u)) m <<= 1, e--;
        m &= 0x7FFFFFu;
    }
    return sign | ((uint64_t)(e + 1023 - 127) << 52) | ((uint64_t)m << 29);
}

/* Tags c0..df: the type (low 4 bits) and, above, 1 + log2 of the width of the field after the tag (0: none; 1..4:
   1, 2, 4, 8 bytes). For the types from STR up (str, bin, array, map, ext) that field is the length or count. */
#define SIOC__MPT(type, wl) (uint8_t)(SIOC_MSGPACK_##type | ((wl) << 4))
static const uint8_t sioc__mp_tags[32] = {
    SIOC__MPT(NIL, 0),   SIOC__MPT(NONE, 0),  SIOC__MPT(BOOL, 0),  SIOC__MPT(BOOL, 0),  SIOC__MPT(BIN, 1),
    SIOC__MPT(BIN, 2),   SIOC__MPT(BIN, 3),   SIOC__MPT(EXT, 1),   SIOC__MPT(EXT, 2),   SIOC__MPT(EXT, 3),
    SIOC__MPT(FLOAT32, 3), SIOC__MPT(FLOAT64, 4), SIOC__MPT(UINT, 1), SIOC__MPT(UINT, 2), SIOC__MPT(UINT, 3),
    SIOC__MPT(UINT, 4),  SIOC__MPT(INT, 1),   SIOC__MPT(INT, 2),   SIOC__MPT(INT, 3),   SIOC__MPT(INT, 4),
    SIOC__MPT(EXT, 0),   SIOC__MPT(EXT, 0),   SIOC__MPT(EXT, 0),   SIOC__MPT(EXT, 0),   SIOC__MPT(EXT, 0),
    SIOC__MPT(STR, 1),   SIOC__MPT(STR, 2),   SIOC__MPT(STR, 3),   SIOC__MPT(ARRAY, 2), SIOC__MPT(ARRAY, 3),
    SIOC__MPT(MAP, 2),   SIOC__MPT(MAP, 3)};
#undef SIOC__MPT

/* What an item's header says: enough to validate and skip it without decoding its value. */
typedef struct sioc__mp_head {
    uint8_t type; /* sioc_msgpack_type (TIMESTAMP for a well-formed ext -1) */
    uint8_t hdr;  /* bytes before the payload: tag, the field after it, ext type */
    uint32_t n;   /* str, bin, ext: payload bytes; array: elements; map: pairs */
    size_t size;  /* bytes of the item (for containers: of the header) */
} sioc__mp_head;

/* The header at p (avail bytes). Pure: no state. Every length is checked against avail before any byte past
   the header is touched. */
static sioc_result sioc__mp_head_at(const uint8_t *p, size_t avail, sioc__mp_head *h) {
    unsigned b, t = SIOC_MSGPACK_UINT, w = 0, i;
    uint32_t n = 0;
    size_t hdr, left;
    if (avail == 0) return SIOC_ERR_PARSE;
    b = p[0];
    if (b >= 0xe0) { /* negative fixint */
        t = SIOC_MSGPACK_INT;
    } else if (b >= 0xc0) {
        unsigned e = sioc__mp_tags[b - 0xc0];
        t = e & 15u;
        w = (1u << (e >> 4)) >> 1;
        if (b - 0xd4u <= 4u) n = 1u << (b - 0xd4u); /* fixext: the size is in the tag */
    } else if (b >= 0x80) { /* fixmap, fixarray, fixstr */
        t = b < 0x90 ? SIOC_MSGPACK_MAP : b < 0xa0 ? SIOC_MSGPACK_ARRAY : SIOC_MSGPACK_STR;
        n = b & (b < 0xa0 ? 0x0fu : 0x1fu);
    }
    if (t == SIOC_MSGPACK_NONE) return SIOC_ERR_PARSE; /* 0xc1: never used */
    hdr = 1 + w + (t == SIOC_MSGPACK_EXT); /* tag, field, ext type byte */
    if (avail < hdr) return SIOC_ERR_PARSE;
    left = avail - hdr;
    if (t >= SIOC_MSGPACK_STR) { /* the field is the length or count (at most 4 bytes) */
        for (i = 1; i <= w; i++) n = (n << 8) | p[i];
        /* Every element takes at least one byte: a larger count is a lie, rejected before anyone loops on it. */
        if (n > (t == SIOC_MSGPACK_MAP ? left / 2 : left)) return SIOC_ERR_PARSE;
    }
    h->size = hdr + (t == SIOC_MSGPACK_ARRAY || t == SIOC_MSGPACK_MAP ? 0 : n);
    if (t == SIOC_MSGPACK_EXT && p[hdr - 1] == 0xff) { /* timestamp; Node throws on other sizes */
        const uint8_t *d = p + hdr;
        uint32_t nsec = n == 8 ? sioc__load_be32(d) >> 2 : n == 12 ? sioc__load_be32(d) : 0;
        if ((n != 4 && n != 8 && n != 12) || nsec > 999999999u) return SIOC_ERR_PARSE;
        t = SIOC_MSGPACK_TIMESTAMP;
    }
    h->type = (uint8_t)t;
    h->hdr = (uint8_t)hdr;
    h->n = n;
    return SIOC_OK;
}

/* The item at p whose header is h, decoded into it (zeroed by the caller). */
static void sioc__mp_fill(const uint8_t *p, const sioc__mp_head *h, sioc_msgpack_item *it) {
    uint64_t v;
    unsigned w = h->hdr - 1u; /* scalars: the width of the value field */
    it->format = p[0];
    it->type = (sioc_msgpack_type)h->type;
    /* scalars: the value field, or the tag of a fixint */
    v = w && h->type < SIOC_MSGPACK_STR ? sioc__mp_load(p + 1, w) : p[0];
    switch (h->type) {
    case SIOC_MSGPACK_BOOL: it->boolean = p[0] & 1; break;
    case SIOC_MSGPACK_UINT: it->u = v; break;
    case SIOC_MSGPACK_INT:
        it->i = sioc__mp_signed(v, w ? 8u * w : 8u);
        if (it->i >= 0) { /* non-negative in a signed form: one integer type per sign */
            it->type = SIOC_MSGPACK_UINT;
            it->u = (uint64_t)it->i;
            it->i = 0;
        }
        break;
    case SIOC_MSGPACK_FLOAT32:
        v = sioc__mp_f32_to_f64((uint32_t)v);
        /* fall through */
    case SIOC_MSGPACK_FLOAT64: memcpy(&it->f, &v, sizeof it->f); break;
    case SIOC_MSGPACK_NIL: break;
    case SIOC_MSGPACK_ARRAY:
    case SIOC_MSGPACK_MAP: it->len = h->n; break;
    default: /* STR, BIN, EXT, TIMESTAMP */
        it->len = h->n;
        it->data = p + h->hdr;
        if (h->type < SIOC_MSGPACK_EXT) break;
        it->ext_type = (int8_t)sioc__mp_signed(p[h->hdr - 1], 8);
        if (h->type == SIOC_MSGPACK_TIMESTAMP) { /* sizes and nsec were checked with the header */
            const uint8_t *d = it->data;
            if (h->n == 4) {
                it->ts_sec = (int64_t)sioc__load_be32(d);
            } else if (h->n == 8) {
                uint64_t x = sioc__load_be64(d);
                it->ts_nsec = (uint32_t)(x >> 34);
                it->ts_sec = (int64_t)(x & 0x3ffffffffULL);
            } else {
                it->ts_nsec = sioc__load_be32(d);
                it->ts_sec = sioc__mp_signed(sioc__load_be64(d + 4), 64);
            }
        }
        break;
    }
}

static sioc_result sioc__mp_fail(sioc_msgpack_reader *r, size_t at, sioc_result e) {
    if (r->err == SIOC_OK) {
        r->err = e;
        r->error_at = at;
    }
    return r->err;
}

SIOC_API void sioc_msgpack_reader_init(sioc_msgpack_reader *r, const void *data, size_t len) {
    r->data = (const uint8_t *)data;
    r->len = data ? len : 0;
    r->pos = 0;
    r->err = SIOC_OK;
    r->error_at = 0;
}

/* The header of the item at the cursor, the cursor then past it (for a container: past its header). A malformed
   item is recorded in r (sticky). */
static sioc_result sioc__mp_next(sioc_msgpack_reader *r, sioc__mp_head *h) {
    size_t at = r->pos;
    if (r->err != SIOC_OK) return r->err;
    /* at < len also keeps NULL + 0 out of the pointer arithmetic */
    if (at >= r->len || sioc__mp_head_at(r->data + at, r->len - at, h) != SIOC_OK)
        return sioc__mp_fail(r, at, SIOC_ERR_PARSE);
    r->pos = at + h->size;
    return SIOC_OK;
}

SIOC_API sioc_result sioc_msgpack_read(sioc_msgpack_reader *r, sioc_msgpack_item *out) {
    sioc__mp_head h;
    size_t at = r->pos;
    sioc_result e = sioc__mp_next(r, &h);
    memset(out, 0, sizeof *out);
    if (e == SIOC_OK) sioc__mp_fill(r->data + at, &h, out);
    return e;
}

SIOC_API sioc_result sioc_msgpack_peek(const sioc_msgpack_reader *r, sioc_msgpack_item *out) {
    sioc_msgpack_reader t = *r;
    return sioc_msgpack_read(&t, out);
}

/* UTF-8 as RFC 3629, except that surrogates (U+D800..DFFF in 3 bytes) pass: Node writes a JS string holding a
   lone surrogate that way (§9.1), and the JSON writer turns it back into \udxxx for the clients. */
static int sioc__mp_utf8_ok(const uint8_t *s, size_t n) {
    size_t i = 0;
    while (i < n) {
        uint8_t c = s[i];
        size_t k, need;
        uint8_t lo = 0x80, hi = 0xbf;
        if (c < 0x80) {
            i++;
            continue;
        }
        if (c < 0xc2) return 0; /* continuation byte or overlong 2-byte lead */
        if (c < 0xe0) {
            need = 1;
        } else if (c < 0xf0) {
            need = 2;
            if (c == 0xe0) lo = 0xa0; /* overlong */
        } else if (c < 0xf5) {
            need = 3;
            if (c == 0xf0) lo = 0x90; /* overlong */
            if (c == 0xf4) hi = 0x8f; /* above U+10FFFF */
        } else {
            return 0;
        }
        if (n - i <= need) return 0;
        if (s[i + 1] < lo || s[i + 1] > hi) return 0;
        for (k = 2; k <= need; k++)
            if ((s[i + k] & 0xc0) != 0x80) return 0;
        i += need + 1;
    }
    return 1;
}

/* Walk one whole value without recursion: a stack of items still due per open container. strict adds the
   checks of sioc_msgpack_check (UTF-8, key types, "__proto__"); max_depth <= SIOC_MSGPACK_WRITE_DEPTH. */
static sioc_result sioc__mp_walk(sioc_msgpack_reader *r, int strict, unsigned max_depth) {
    size_t due[SIOC_MSGPACK_WRITE_DEPTH];
    uint8_t is_map[SIOC_MSGPACK_WRITE_DEPTH];
    unsigned depth = 0;
    for (;;) {
        sioc__mp_head h;
        size_t at = r->pos;
        int key = depth > 0 && is_map[depth - 1] && due[depth - 1] % 2 == 0;
        sioc_result e = sioc__mp_next(r, &h);
        if (e != SIOC_OK) return e;
        if (strict) {
            const uint8_t *d = r->data + at + h.hdr;
            if (h.type == SIOC_MSGPACK_STR && !sioc__mp_utf8_ok(d, h.n)) return sioc__mp_fail(r, at, SIOC_ERR_PARSE);
            if (key) {
                /* Node accepts str and number keys (§9.2); we take str and integers only. */
                if (h.type != SIOC_MSGPACK_STR && h.type != SIOC_MSGPACK_UINT && h.type != SIOC_MSGPACK_INT)
                    return sioc__mp_fail(r, at, SIOC_ERR_PARSE);
                if (h.type == SIOC_MSGPACK_STR && h.n == 9 && memcmp(d, "__proto__", 9) == 0)
                    return sioc__mp_fail(r, at, SIOC_ERR_PARSE);
            }
        }
        if (depth > 0) due[depth - 1]--;
        if (h.type == SIOC_MSGPACK_ARRAY || h.type == SIOC_MSGPACK_MAP) {
            if (depth >= max_depth) return sioc__mp_fail(r, at, SIOC_ERR_LIMIT);
            if (h.n > 0) { /* the header check keeps 2 * n within the bytes left, so no overflow */
                due[depth] = h.type == SIOC_MSGPACK_MAP ? 2 * (size_t)h.n : (size_t)h.n;
                is_map[depth] = h.type == SIOC_MSGPACK_MAP;
                depth++;
            }
        }
        while (depth > 0 && due[depth - 1] == 0) depth--;
        if (depth == 0) return SIOC_OK;
    }
}

SIOC_API sioc_result sioc_msgpack_skip(sioc_msgpack_reader *r) { return sioc__mp_walk(r, 0, SIOC_MSGPACK_WRITE_DEPTH); }

SIOC_API sioc_result sioc_msgpack_read_raw(sioc_msgpack_reader *r, sioc_bytes *out) {
    size_t start = r->pos;
    sioc_result e = sioc__mp_walk(r, 0, SIOC_MSGPACK_WRITE_DEPTH);
    out->ptr = r->data + start;
    out->len = e == SIOC_OK ? r->pos - start : 0;
    return e;
}

SIOC_API sioc_result sioc_msgpack_reader_check(sioc_msgpack_reader *r) {
    return sioc__mp_walk(r, 1, SIOC_MAX_MSGPACK_DEPTH);
}

SIOC_API sioc_result sioc_msgpack_check(const void *data, size_t len) {
    return sioc_msgpack_check_depth(data, len, SIOC_MAX_MSGPACK_DEPTH);
}

SIOC_API sioc_result sioc_msgpack_check_depth(const void *data, size_t len, unsigned max_depth) {
    sioc_msgpack_reader r;
    sioc_result e;
    sioc_msgpack_reader_init(&r, data, len);
    e = sioc__mp_walk(&r, 1, SIOC__MIN(max_depth, (unsigned)SIOC_MSGPACK_WRITE_DEPTH));
    if (e != SIOC_OK) return e;
    return r.pos == r.len ? SIOC_OK : SIOC_ERR_PARSE; /* Node: "Extra N of M byte(s) found at buffer[pos]" */
}

/* Typed reads of what the header holds (nil, bool, str, bin, array, map): the item at the cursor when it is of
   type `want`, the cursor then past it (*at: where it starts); otherwise the cursor stays put. */
static sioc_result sioc__mp_typed(sioc_msgpack_reader *r, sioc__mp_head *h, unsigned want, const uint8_t **at) {
    size_t pos = r->pos;
    sioc_result e = sioc__mp_next(r, h);
    if (e != SIOC_OK) return e;
    *at = r->data + pos;
    if (h->type == want) return SIOC_OK;
    r->pos = pos;
    return SIOC_ERR_TYPE;
}

/* Read an item on a copy of the reader; a malformed-input error is carried back to r (sticky). */
static sioc_result sioc__mp_take(sioc_msgpack_reader *r, sioc_msgpack_reader *t, sioc_msgpack_item *it) {
    sioc_result e;
    *t = *r;
    e = sioc_msgpack_read(t, it);
    if (e != SIOC_OK) {
        r->err = t->err;
        r->error_at = t->error_at;
    }
    return e;
}

SIOC_API sioc_result sioc_msgpack_map_find_n(sioc_msgpack_reader *r, const char *key, size_t len) {
    sioc_msgpack_reader t;
    sioc__mp_head m;
    const uint8_t *at;
    size_t found = 0; /* offset of the matching value; 0 cannot be one (the map header comes first) */
    uint32_t i;
    sioc_result e = sioc__mp_typed(r, &m, SIOC_MSGPACK_MAP, &at);
    if (e != SIOC_OK) return e;
    t = *r;
    r->pos = (size_t)(at - r->data); /* the cursor stays on the map until a key is found */
    for (i = 0; i < m.n; i++) {
        size_t kpos = t.pos;
        sioc__mp_head k;
        if (sioc_msgpack_skip(&t) != SIOC_OK) break; /* the whole key, even a container */
        (void)sioc__mp_head_at(t.data + kpos, t.len - kpos, &k); /* cannot fail: skip just read it */
        if (k.type == SIOC_MSGPACK_STR && k.n == len && (len == 0 || memcmp(t.data + kpos + k.hdr, key, len) == 0))
            found = t.pos; /* keep going: the last duplicate wins, as in a JS object */
        if (sioc_msgpack_skip(&t) != SIOC_OK) break;
    }
    if (t.err != SIOC_OK) { /* malformed map: sticky on the caller's reader too */
        r->err = t.err;
        r->error_at = t.error_at;
        return t.err;
    }
    if (!found) return SIOC_ERR_NOT_FOUND;
    r->pos = found;
    return SIOC_OK;
}

SIOC_API sioc_result sioc_msgpack_map_find(sioc_msgpack_reader *r, const char *key) {
    return sioc_msgpack_map_find_n(r, key, strlen(key));
}

SIOC_API sioc_result sioc_msgpack_read_nil(sioc_msgpack_reader *r) {
    sioc__mp_head h;
    const uint8_t *at;
    return sioc__mp_typed(r, &h, SIOC_MSGPACK_NIL, &at);
}

SIOC_API sioc_result sioc_msgpack_read_bool(sioc_msgpack_reader *r, int *out) {
    sioc__mp_head h;
    const uint8_t *at;
    sioc_result e = sioc__mp_typed(r, &h, SIOC_MSGPACK_BOOL, &at);
    if (e == SIOC_OK) *out = at[0] & 1; /* c2 false, c3 true */
    return e;
}

SIOC_API sioc_result sioc_msgpack_read_i64(sioc_msgpack_reader *r, int64_t *out) {
    sioc_msgpack_reader t;
    sioc_msgpack_item it;
    sioc_result e = sioc__mp_take(r, &t, &it);
    if (e != SIOC_OK) return e;
    if (it.type == SIOC_MSGPACK_INT) {
        *out = it.i;
    } else if (it.type == SIOC_MSGPACK_UINT) {
        if (it.u > (uint64_t)INT64_MAX) return SIOC_ERR_RANGE;
        *out = (int64_t)it.u;
    } else {
        return SIOC_ERR_TYPE;
    }
    *r = t;
    return SIOC_OK;
}

SIOC_API sioc_result sioc_msgpack_read_u64(sioc_msgpack_reader *r, uint64_t *out) {
    sioc_msgpack_reader t;
    sioc_msgpack_item it;
    sioc_result e = sioc__mp_take(r, &t, &it);
    if (e != SIOC_OK) return e;
    if (it.type == SIOC_MSGPACK_INT) return SIOC_ERR_RANGE;
    if (it.type != SIOC_MSGPACK_UINT) return SIOC_ERR_TYPE;
    *out = it.u;
    *r = t;
    return SIOC_OK;
}

SIOC_API sioc_result sioc_msgpack_read_f64(sioc_msgpack_reader *r, double *out) {
    sioc_msgpack_reader t;
    sioc_msgpack_item it;
    sioc_result e = sioc__mp_take(r, &t, &it);
    if (e != SIOC_OK) return e;
    switch (it.type) {
    case SIOC_MSGPACK_UINT: *out = (double)it.u; break;
    case SIOC_MSGPACK_INT: *out = (double)it.i; break;
    case SIOC_MSGPACK_FLOAT32:
    case SIOC_MSGPACK_FLOAT64: *out = it.f; break;
    default: return SIOC_ERR_TYPE;
    }
    *r = t;
    return SIOC_OK;
}

/* str and bin: the payload after the header */
static sioc_result sioc__mp_read_data(sioc_msgpack_reader *r, unsigned want, sioc_bytes *out) {
    sioc__mp_head h;
    const uint8_t *at;
    sioc_result e = sioc__mp_typed(r, &h, want, &at);
    if (e == SIOC_OK) {
        out->ptr = at + h.hdr;
        out->len = h.n;
    }
    return e;
}

SIOC_API sioc_result sioc_msgpack_read_str(sioc_msgpack_reader *r, sioc_str *out) {
    sioc_bytes b;
    sioc_result e = sioc__mp_read_data(r, SIOC_MSGPACK_STR, &b);
    if (e == SIOC_OK) {
        out->ptr = (const char *)b.ptr;
        out->len = b.len;
    }
    return e;
}

SIOC_API sioc_result sioc_msgpack_read_bin(sioc_msgpack_reader *r, sioc_bytes *out) {
    return sioc__mp_read_data(r, SIOC_MSGPACK_BIN, out);
}

/* array and map: the count */
static sioc_result sioc__mp_read_count(sioc_msgpack_reader *r, unsigned want, uint32_t *out_count) {
    sioc__mp_head h;
    const uint8_t *at;
    sioc_result e = sioc__mp_typed(r, &h, want, &at);
    if (e == SIOC_OK) *out_count = h.n;
    return e;
}

SIOC_API sioc_result sioc_msgpack_read_array(sioc_msgpack_reader *r, uint32_t *out_count) {
    return sioc__mp_read_count(r, SIOC_MSGPACK_ARRAY, out_count);
}

SIOC_API sioc_result sioc_msgpack_read_map(sioc_msgpack_reader *r, uint32_t *out_count) {
    return sioc__mp_read_count(r, SIOC_MSGPACK_MAP, out_count);
}
