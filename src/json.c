/* ---- json.c ---- */
#include "base.h"
#include "internal.h"
#include "json.h"

/* Implementation notes.
   Reader: a single loop with an explicit state; parents are linked through the token array (tok.parent) and the
   kind of each open container (array or object) sits in a bit stack of SIOC_MAX_JSON_DEPTH bits, so the syntax is
   still checked after the token array ran out (to report the count needed). Nothing recurses.

   JSONTestSuite (tests/vectors/json/test_parsing) i_ cases, as decided here:
     accepted (surrogate escapes, like JSON.parse; get_str gives WTF-8 for lone ones):
       i_object_key_lone_2nd_surrogate, i_string_1st_surrogate_but_2nd_missing,
       i_string_1st_valid_surrogate_2nd_invalid, i_string_incomplete_surrogate_and_escape_valid,
       i_string_incomplete_surrogate_pair, i_string_incomplete_surrogates_escape_valid,
       i_string_invalid_lonely_surrogate, i_string_invalid_surrogate, i_string_inverted_surrogates_U+1D11E,
       i_string_lone_second_surrogate
     accepted (syntax is valid; get_i64/get_f64 report SIOC_ERR_RANGE or round to 0):
       i_number_double_huge_neg_exp, i_number_huge_exp, i_number_neg_int_huge_exp, i_number_pos_double_huge_exp,
       i_number_real_neg_overflow, i_number_real_pos_overflow, i_number_real_underflow, i_number_too_big_neg_int,
       i_number_too_big_pos_int, i_number_very_big_negative_int
     rejected with SIOC_ERR_PARSE (not UTF-8 / not UTF-8 JSON text; RFC 8259 section 8.1 forbids the BOM):
       i_string_UTF-16LE_with_BOM, i_string_UTF-8_invalid_sequence, i_string_UTF8_surrogate_U+D800,
       i_string_invalid_utf-8, i_string_iso_latin_1, i_string_lone_utf8_continuation_byte,
       i_string_not_in_unicode_range, i_string_overlong_sequence_2_bytes, i_string_overlong_sequence_6_bytes,
       i_string_overlong_sequence_6_bytes_null, i_string_truncated-utf-8, i_string_utf16BE_no_BOM,
       i_string_utf16LE_no_BOM, i_structure_UTF-8_BOM_empty_object
     rejected with SIOC_ERR_LIMIT: i_structure_500_nested_arrays (depth over SIOC_MAX_JSON_DEPTH)
   Totals: 20 accepted, 15 rejected.

   Numbers: decimal -> double uses an exact fast path (integers up to 2^53, and Clinger's w * 10^e with one
   rounding when the compiler evaluates doubles in double precision) and otherwise a big decimal (800 digits plus
   a sticky bit) that is shifted by powers of two until it lies in [1/2, 1), then rounded to 53 bits. Double ->
   decimal is the exact shortest-digit algorithm of Steele & White / Burger & Dybvig on small big integers, with
   round-half-even boundaries and the closest (then even) last digit, which is what ECMA-262 Number::toString
   prints. Neither uses floating-point library calls, so both are locale-free and exact on every target. */

#define SIOC__JSON_NONE 0xFFFFFFFFu

/* ================================ reader ================================ */

static int sioc__json_ws(unsigned c) { return c == ' ' || c == '\t' || c == '\n' || c == '\r'; }

static int sioc__hex4(const uint8_t *p) {
    int a = sioc__hex_val(p[0]), b = sioc__hex_val(p[1]), c = sioc__hex_val(p[2]), d = sioc__hex_val(p[3]);
    if ((a | b | c | d) < 0) return -1;
    return (a << 12) | (b << 8) | (c << 4) | d;
}

/* The two-character escapes of RFC 8259 section 7, as (letter, byte) pairs; '/' is read but never written. */
static const char sioc__json_esc_pairs[] = "\"\"\\\\b\bf\fn\nr\rt\t//";

/* The byte an escape letter stands for (from_letter), or the letter that escapes a byte; 0 when there is none. */
static unsigned sioc__json_esc(unsigned c, int from_letter) {
    const char *p;
    for (p = sioc__json_esc_pairs; *p; p += 2)
        if ((unsigned char)p[!from_letter] == c) return (unsigned char)p[from_letter];
    return 0;
}

/* Scans a string body from i (after the opening quote). Returns the index of the closing quote, or len + 1 on
   error with *err set to the offending offset. */
static size_t sioc__json_scan_str(const uint8_t *s, size_t len, size_t i, uint8_t *escaped, size_t *err) {
    while (i < len) {
        unsigned c = s[i];
        if (c >= 0x20 && c < 0x80 && c != '"' && c != '\\') {
            i++;
        } else if (c == '"') {
            return i;
        } else if (c == '\\') {
            *escaped = 1;
            if (i + 1 >= len) break;
            if (s[i + 1] == 'u' && i + 6 <= len && sioc__hex4(s + i + 2) >= 0) {
                i += 6;
            } else if (sioc__json_esc(s[i + 1], 1)) {
                i += 2;
            } else {
                *err = i;
                return len + 1;
            }
        } else if (c >= 0x80) {
            size_t n = sioc__utf8_seq(s + i, len - i);
            if (n == 0) {
                *err = i;
                return len + 1;
            }
            i += n;
        } else { /* raw control character */
            *err = i;
            return len + 1;
        }
    }
    *err = len;
    return len + 1;
}

/* Number per RFC 8259 section 6 starting at i; returns its end, or len + 1 with *err set. */
static size_t sioc__json_scan_num(const uint8_t *s, size_t len, size_t i, size_t *err) {
    if (s[i] == '-') i++;
    if (i < len && s[i] == '0') {
        i++;
    } else if (i < len && s[i] >= '1' && s[i] <= '9') {
        while (i < len && sioc__is_digit(s[i])) i++;
    } else {
        *err = i;
        return len + 1;
    }
    if (i < len && s[i] == '.') {
        i++;
        if (i >= len || !sioc__is_digit(s[i])) {
            *err = i;
            return len + 1;
        }
        while (i < len && sioc__is_digit(s[i])) i++;
    }
    if (i < len && (s[i] == 'e' || s[i] == 'E')) {
        i++;
        if (i < len && (s[i] == '+' || s[i] == '-')) i++;
        if (i >= len || !sioc__is_digit(s[i])) {
            *err = i;
            return len + 1;
        }
        while (i < len && sioc__is_digit(s[i])) i++;
    }
    return i;
}

enum { SIOC__JS_VALUE, SIOC__JS_VALUE_OR_CLOSE, SIOC__JS_KEY, SIOC__JS_KEY_OR_CLOSE, SIOC__JS_COLON,
       SIOC__JS_COMMA_OR_CLOSE, SIOC__JS_DONE };

SIOC_API sioc_result sioc_json_parse(sioc_json *doc, const char *text, size_t len, sioc_json_tok *toks, size_t cap) {
    const uint8_t *s = (const uint8_t *)text;
    uint8_t kinds[SIOC_MAX_JSON_DEPTH / 8 + 1] = {0}; /* bit set: the open container at that depth is an object */
    uint32_t depth = 0, cur = SIOC__JSON_NONE;
    size_t ntok = 0, i = 0, err = 0;
    int state = SIOC__JS_VALUE;
    sioc_result bad = SIOC_ERR_PARSE;

    doc->text = text;
    doc->text_len = len;
    doc->toks = toks;
    doc->cap = toks ? cap : 0;
    doc->count = 0;
    doc->error_at = 0;
    if (!toks) cap = 0;
    if (cap > 0x7FFFFFFFu) cap = 0x7FFFFFFFu; /* indexes are ints */
    if (!s) len = 0;
    if (sizeof(size_t) > 4 && ((len >> 31) >> 1) != 0) return SIOC_ERR_LIMIT; /* offsets are 32-bit */

    for (;;) {
        unsigned c;
        size_t t, end;
        int is_obj;
        while (i < len && sioc__json_ws(s[i])) i++;
        if (state == SIOC__JS_DONE) {
            if (i != len) {
                err = i;
                goto fail;
            }
            break;
        }
        if (i >= len) {
            err = i;
            goto fail;
        }
        c = s[i];
        is_obj = depth > 0 && ((kinds[(depth - 1) >> 3] >> ((depth - 1) & 7)) & 1);
        switch (state) {
        case SIOC__JS_VALUE_OR_CLOSE:
        case SIOC__JS_KEY_OR_CLOSE:
        case SIOC__JS_COMMA_OR_CLOSE:
            if (c == (is_obj ? '}' : ']')) {
                if (ntok <= cap && cur != SIOC__JSON_NONE) {
                    sioc_json_tok *k = &toks[cur];
                    k->len = (uint32_t)(i + 1 - k->start);
                    k->next = (uint32_t)ntok;
                    cur = k->parent;
                }
                depth--;
                i++;
                state = depth ? SIOC__JS_COMMA_OR_CLOSE : SIOC__JS_DONE;
                continue;
            }
            if (state == SIOC__JS_COMMA_OR_CLOSE) {
                if (c != ',') {
                    err = i;
                    goto fail;
                }
                i++;
                state = is_obj ? SIOC__JS_KEY : SIOC__JS_VALUE;
                continue;
            }
            if (state == SIOC__JS_KEY_OR_CLOSE) state = SIOC__JS_KEY;
            break;
        default:
            break;
        }

        if (state == SIOC__JS_COLON) {
            if (c != ':') {
                err = i;
                goto fail;
            }
            i++;
            state = SIOC__JS_VALUE;
            continue;
        }

        /* A key or a value starts at i: it takes one token. */
        t = ntok++;
        if (t < cap) {
            toks[t].start = (uint32_t)i;
            toks[t].len = 0;
            toks[t].next = (uint32_t)(t + 1);
            toks[t].parent = cur;
            toks[t].count = 0;
            toks[t].escaped = 0;
            toks[t].is_key = (uint8_t)(state == SIOC__JS_KEY);
            toks[t].type = (uint8_t)SIOC_JSON_INVALID;
            /* arrays count values, objects count keys */
            if (cur != SIOC__JSON_NONE && (state == SIOC__JS_KEY || !is_obj)) toks[cur].count++;
        } else {
            cur = SIOC__JSON_NONE; /* out of tokens: keep validating, stop linking */
        }
        if (state == SIOC__JS_KEY) {
            if (c != '"') {
                err = i;
                goto fail;
            }
        }
        end = len + 1;
        switch (c) {
        case '{':
        case '[':
            if (depth >= SIOC_MAX_JSON_DEPTH) {
                err = i;
                bad = SIOC_ERR_LIMIT;
                goto fail;
            }
            if (c == '{')
                kinds[depth >> 3] = (uint8_t)(kinds[depth >> 3] | (1u << (depth & 7)));
            else
                kinds[depth >> 3] = (uint8_t)(kinds[depth >> 3] & ~(1u << (depth & 7)));
            depth++;
            if (t < cap) {
                toks[t].type = (uint8_t)(c == '{' ? SIOC_JSON_OBJECT : SIOC_JSON_ARRAY);
                cur = (uint32_t)t;
            }
            i++;
            state = c == '{' ? SIOC__JS_KEY_OR_CLOSE : SIOC__JS_VALUE_OR_CLOSE;
            continue;
        case '"': {
            uint8_t esc = 0;
            end = sioc__json_scan_str(s, len, i + 1, &esc, &err);
            if (end > len) goto fail;
            if (t < cap) {
                toks[t].type = (uint8_t)SIOC_JSON_STRING;
                toks[t].start = (uint32_t)(i + 1);
                toks[t].len = (uint32_t)(end - i - 1);
                toks[t].escaped = esc;
            }
            i = end + 1;
            if (state == SIOC__JS_KEY) {
                state = SIOC__JS_COLON;
                continue;
            }
            break;
        }
        case 't':
        case 'f':
        case 'n': {
            const char *word = c == 't' ? "true" : c == 'f' ? "false" : "null";
            size_t wl = c == 'f' ? 5 : 4;
            if (len - i < wl || memcmp(s + i, word, wl) != 0) {
                err = i;
                goto fail;
            }
            if (t < cap) {
                toks[t].type = (uint8_t)(c == 'n' ? SIOC_JSON_NULL : SIOC_JSON_BOOL);
                toks[t].len = (uint32_t)wl;
            }
            i += wl;
            break;
        }
        default:
            if (c != '-' && !sioc__is_digit((int)c)) {
                err = i;
                goto fail;
            }
            end = sioc__json_scan_num(s, len, i, &err);
            if (end > len) goto fail;
            if (t < cap) {
                toks[t].type = (uint8_t)SIOC_JSON_NUMBER;
                toks[t].len = (uint32_t)(end - i);
            }
            i = end;
            break;
        }
        state = depth ? SIOC__JS_COMMA_OR_CLOSE : SIOC__JS_DONE;
    }
    doc->count = ntok;
    if (ntok > cap) return SIOC_ERR_BUFFER_TOO_SMALL;
    return SIOC_OK;
fail:
    doc->count = 0;
    doc->error_at = err;
    return bad;
}

/* ---- navigation ---- */

static const sioc_json_tok *sioc__json_tok(const sioc_json *doc, int tok) {
    if (!doc || tok < 0 || (size_t)tok >= doc->count || (size_t)tok >= doc->cap) return NULL;
    return &doc->toks[tok];
}

SIOC_API sioc_json_type sioc_json_type_of(const sioc_json *doc, int tok) {
    const sioc_json_tok *t = sioc__json_tok(doc, tok);
    return t ? (sioc_json_type)t->type : SIOC_JSON_INVALID;
}

SIOC_API int sioc_json_first(const sioc_json *doc, int tok) {
    const sioc_json_tok *t = sioc__json_tok(doc, tok);
    if (!t || (t->type != SIOC_JSON_ARRAY && t->type != SIOC_JSON_OBJECT) || t->count == 0) return -1;
    return tok + 1;
}

SIOC_API int sioc_json_next(const sioc_json *doc, int tok) {
    const sioc_json_tok *t = sioc__json_tok(doc, tok);
    uint32_t n;
    if (!t || t->parent == SIOC__JSON_NONE) return -1;
    n = t->next;
    if (t->is_key) { /* skip the member's value too */
        const sioc_json_tok *v = sioc__json_tok(doc, tok + 1);
        if (!v) return -1;
        n = v->next;
    }
    return (n < doc->toks[t->parent].next && (size_t)n < doc->count) ? (int)n : -1;
}

SIOC_API int sioc_json_find_n(const sioc_json *doc, int obj, const char *key, size_t key_len) {
    const sioc_json_tok *t = sioc__json_tok(doc, obj);
    int k, found = -1;
    if (!t || t->type != SIOC_JSON_OBJECT || !key) return -1;
    /* the last duplicate wins, as with JSON.parse */
    for (k = sioc_json_first(doc, obj); k >= 0; k = sioc_json_next(doc, k))
        if (sioc_json_str_eq(doc, k, key, key_len)) found = k + 1;
    return sioc__json_tok(doc, found) ? found : -1;
}

SIOC_API int sioc_json_find(const sioc_json *doc, int obj, const char *key) {
    return key ? sioc_json_find_n(doc, obj, key, strlen(key)) : -1;
}

SIOC_API int sioc_json_at(const sioc_json *doc, int arr, size_t idx) {
    const sioc_json_tok *t = sioc__json_tok(doc, arr);
    int e;
    if (!t || t->type != SIOC_JSON_ARRAY || idx >= t->count) return -1;
    for (e = sioc_json_first(doc, arr); e >= 0 && idx > 0; idx--) e = sioc_json_next(doc, e);
    return e;
}

SIOC_API size_t sioc_json_count(const sioc_json *doc, int tok) {
    const sioc_json_tok *t = sioc__json_tok(doc, tok);
    return t ? t->count : 0;
}

SIOC_API int sioc_json_path(const sioc_json *doc, int tok, const char *path) {
    const char *p = path;
    if (!p || !sioc__json_tok(doc, tok)) return -1;
    while (*p && tok >= 0) {
        if (*p == '[') {
            size_t idx = 0;
            p++;
            if (!sioc__is_digit(*p)) return -1;
            while (sioc__is_digit(*p)) {
                if (idx > 0x7FFFFFFFu) return -1; /* token indexes are ints: no array is longer */
                idx = idx * 10 + (size_t)(*p++ - '0');
            }
            if (*p++ != ']') return -1;
            tok = sioc_json_at(doc, tok, idx);
        } else {
            const char *k;
            if (*p == '.') p++;
            k = p;
            while (*p && *p != '.' && *p != '[') p++;
            tok = sioc_json_find_n(doc, tok, k, (size_t)(p - k));
        }
    }
    return tok;
}

SIOC_API sioc_str sioc_json_raw(const sioc_json *doc, int tok) {
    const sioc_json_tok *t = sioc__json_tok(doc, tok);
    sioc_str v;
    v.ptr = t ? doc->text + t->start : "";
    v.len = t ? t->len : 0;
    return v;
}

/* ---- strings ---- */

static size_t sioc__utf8_put(uint8_t *o, uint32_t cp) {
    if (cp < 0x80) {
        o[0] = (uint8_t)cp;
        return 1;
    }
    if (cp < 0x800) {
        o[0] = (uint8_t)(0xC0 | (cp >> 6));
        o[1] = (uint8_t)(0x80 | (cp & 0x3F));
        return 2;
    }
    if (cp < 0x10000) { /* lone surrogates land here too: WTF-8 */
        o[0] = (uint8_t)(0xE0 | (cp >> 12));
        o[1] = (uint8_t)(0x80 | ((cp >> 6) & 0x3F));
        o[2] = (uint8_t)(0x80 | (cp & 0x3F));
        return 3;
    }
    o[0] = (uint8_t)(0xF0 | (cp >> 18));
    o[1] = (uint8_t)(0x80 | ((cp >> 12) & 0x3F));
    o[2] = (uint8_t)(0x80 | ((cp >> 6) & 0x3F));
    o[3] = (uint8_t)(0x80 | (cp & 0x3F));
    return 4;
}

/* Decodes the unit of raw string text at *i (one byte, or one escape / surrogate-pair escape) into o[0..4).
   Returns the number of bytes produced; advances *i. Defensive on malformed text (never reads past n). */
static size_t sioc__json_unit(const uint8_t *s, size_t n, size_t *i, uint8_t *o) {
    size_t k = *i;
    int cp, lo;
    if (s[k] != '\\' || k + 1 >= n) {
        o[0] = s[k];
        *i = k + 1;
        return 1;
    }
    *i = k + 2;
    if (s[k + 1] != 'u') {
        o[0] = (uint8_t)sioc__json_esc(s[k + 1], 1);
        if (!o[0]) o[0] = s[k + 1]; /* a token the reader checked never gets here */
        return 1;
    }
    if (k + 6 > n || (cp = sioc__hex4(s + k + 2)) < 0) {
        o[0] = '?';
        return 1;
    }
    *i = k + 6;
    if (cp >= 0xD800 && cp <= 0xDBFF && k + 12 <= n && s[k + 6] == '\\' && s[k + 7] == 'u' &&
        (lo = sioc__hex4(s + k + 8)) >= 0xDC00 && lo <= 0xDFFF) {
        *i = k + 12;
        cp = 0x10000 + ((cp - 0xD800) << 10) + (lo - 0xDC00);
    }
    return sioc__utf8_put(o, (uint32_t)cp);
}

SIOC_API sioc_result sioc_json_get_str(const sioc_json *doc, int tok, char *out, size_t cap, size_t *out_len) {
    const sioc_json_tok *t = sioc__json_tok(doc, tok);
    const uint8_t *s;
    size_t i = 0, o = 0;
    if (out_len) *out_len = 0;
    if (!t) return SIOC_ERR_NOT_FOUND;
    if (t->type != SIOC_JSON_STRING) return SIOC_ERR_TYPE;
    if (!out) cap = 0;
    s = (const uint8_t *)doc->text + t->start;
    if (!t->escaped) {
        o = t->len;
        if (cap) memcpy(out, s, SIOC__MIN(o, cap));
    } else {
        while (i < t->len) {
            uint8_t u[4];
            size_t m = sioc__json_unit(s, t->len, &i, u), j;
            for (j = 0; j < m; j++, o++)
                if (o < cap) out[o] = (char)u[j];
        }
    }
    if (out_len) *out_len = o;
    if (o >= cap) return SIOC_ERR_BUFFER_TOO_SMALL; /* also when only the NUL does not fit */
    out[o] = 0;
    return SIOC_OK;
}

SIOC_API int sioc_json_str_eq(const sioc_json *doc, int tok, const char *str, size_t len) {
    const sioc_json_tok *t = sioc__json_tok(doc, tok);
    const uint8_t *s;
    size_t i = 0, o = 0;
    if (!t || t->type != SIOC_JSON_STRING || (!str && len)) return 0;
    s = (const uint8_t *)doc->text + t->start;
    if (!t->escaped) return t->len == len && (len == 0 || memcmp(s, str, len) == 0);
    if (len > t->len) return 0; /* escapes only shrink */
    while (i < t->len) {
        uint8_t u[4];
        size_t m = sioc__json_unit(s, t->len, &i, u);
        if (m > len - o || memcmp(u, str + o, m) != 0) return 0;
        o += m;
    }
    return o == len;
}

/* ---- numbers: text -> value ---- */

SIOC_API sioc_result sioc_json_get_i64(const sioc_json *doc, int tok, int64_t *out) {
    const sioc_json_tok *t = sioc__json_tok(doc, tok);
    const char *p;
    size_t i = 0, n;
    uint64_t u = 0, lim;
    int neg;
    if (out) *out = 0;
    if (!t) return SIOC_ERR_NOT_FOUND;
    if (t->type != SIOC_JSON_NUMBER) return SIOC_ERR_TYPE;
    p = doc->text + t->start;
    n = t->len;
    neg = n > 0 && p[0] == '-';
    if (neg) i++;
    if (i >= n) return SIOC_ERR_TYPE;
    for (; i < n; i++) {
        unsigned d;
        if (!sioc__is_digit(p[i])) return SIOC_ERR_TYPE;
        d = (unsigned)(p[i] - '0');
        if (u > UINT64_MAX / 10u || (u == UINT64_MAX / 10u && d > UINT64_MAX % 10u))
            u = UINT64_MAX; /* saturate (u * 10 + d would wrap); the check below reports it */
        else u = u * 10u + d;
    }
    lim = neg ? (uint64_t)1 << 63 : ((uint64_t)1 << 63) - 1;
    if (u > lim) return SIOC_ERR_RANGE;
    if (out) *out = (neg && u) ? -(int64_t)(u - 1) - 1 : (int64_t)u; /* no overflow at -2^63 */
    return SIOC_OK;
}

/* Big decimal: value = 0.d[0]d[1]...d[nd-1] x 10^dp, digits 0..9, d[0] != 0 unless nd == 0. `trunc` records
   that nonzero digits beyond SIOC__DEC_MAX were dropped (a sticky bit for rounding). 800 digits are more than the
   767 significant digits that can matter for a double, so rounding stays exact. */
#define SIOC__DEC_MAX 800
typedef struct sioc__dec {
    uint8_t d[SIOC__DEC_MAX + 24];
    int nd, dp, trunc;
} sioc__dec;

static void sioc__dec_trim(sioc__dec *a) {
    while (a->nd > 0 && a->d[a->nd - 1] == 0) a->nd--;
    if (a->nd == 0) a->dp = 0;
}

/* Divide by 2^k, k <= 60: long division from the top, remainders carried in a uint64. */
static void sioc__dec_shr(sioc__dec *a, unsigned k) {
    int r = 0, w = 0;
    uint64_t n = 0, mask = ((uint64_t)1 << k) - 1;
    while ((n >> k) == 0) {
        if (r >= a->nd) {
            if (n == 0) {
                a->nd = 0;
                a->dp = 0;
                return;
            }
            while ((n >> k) == 0) {
                n *= 10;
                r++;
            }
            break;
        }
        n = n * 10 + a->d[r++];
    }
    a->dp -= r - 1;
    for (; r < a->nd; r++) {
        unsigned c = a->d[r];
        a->d[w++] = (uint8_t)(n >> k);
        n = (n & mask) * 10 + c;
    }
    while (n > 0) {
        unsigned dig = (unsigned)(n >> k);
        n = (n & mask) * 10;
        if (w < SIOC__DEC_MAX)
            a->d[w++] = (uint8_t)dig;
        else if (dig)
            a->trunc = 1;
    }
    a->nd = w;
    sioc__dec_trim(a);
}

/* Multiply by 2^k, k <= 60: from the bottom, writing `extra` places higher (2^k has at most k/3+1 digits). */
static void sioc__dec_shl(sioc__dec *a, unsigned k) {
    int extra = (int)k / 3 + 1, r = a->nd, w = a->nd + extra, total, j;
    uint64_t n = 0;
    uint32_t digit;
    if (a->nd == 0) return;
    while (r > 0) {
        n += (uint64_t)a->d[--r] << k;
        n = sioc__udiv64(n, 10u, &digit);
        a->d[--w] = (uint8_t)digit;
    }
    while (n > 0) {
        n = sioc__udiv64(n, 10u, &digit);
        a->d[--w] = (uint8_t)digit;
    }
    total = a->nd + extra - w;
    memmove(a->d, a->d + w, (size_t)total);
    a->dp += extra - w;
    if (total > SIOC__DEC_MAX) {
        for (j = SIOC__DEC_MAX; j < total; j++)
            if (a->d[j]) a->trunc = 1;
        total = SIOC__DEC_MAX;
    }
    a->nd = total;
    sioc__dec_trim(a);
}

/* Integer part, rounded half to even on the fraction (and the sticky bit). dp <= 19 here. */
static uint64_t sioc__dec_round(const sioc__dec *a) {
    uint64_t n = 0;
    int i;
    for (i = 0; i < a->dp; i++) n = n * 10 + (i < a->nd ? a->d[i] : 0);
    if (a->dp >= 0 && a->dp < a->nd) {
        unsigned f = a->d[a->dp];
        if (f == 5 && a->dp + 1 == a->nd)
            n += (a->trunc || (n & 1)) ? 1 : 0;
        else if (f >= 5)
            n++;
    }
    return n;
}

/* Nearest double, as bits without the sign. Consumes a. */
static uint64_t sioc__dec_to_bits(sioc__dec *a) {
    const uint64_t inf = (uint64_t)0x7FF << 52;
    int e2 = 0, k;
    uint64_t mant;
    if (a->nd == 0) return 0;
    if (a->dp > 310) return inf;
    if (a->dp < -330) return 0;
    while (a->dp > 0) { /* scale down below 1: 2^k <= 10^dp keeps progress and never divides by too much */
        k = a->dp * 3321 / 1000;
        sioc__dec_shr(a, (unsigned)SIOC__MIN(k, 60));
        e2 += SIOC__MIN(k, 60);
    }
    while (a->dp < 0 || (a->dp == 0 && a->d[0] < 5)) { /* up into [1/2, 1) without overshooting 1 */
        k = a->dp == 0 ? 1 : SIOC__MIN(-a->dp * 3321 / 1000, 60);
        sioc__dec_shl(a, (unsigned)k);
        e2 -= k;
    }
    /* value = a * 2^e2 with a in [1/2, 1), so the binary exponent is e2 - 1 */
    e2--;
    if (e2 < -1022) { /* subnormal: align to the fixed exponent */
        int sh = -1022 - e2;
        while (sh > 0) {
            k = SIOC__MIN(sh, 60);
            sioc__dec_shr(a, (unsigned)k);
            sh -= k;
        }
        e2 = -1022;
    }
    if (e2 > 1023) return inf;
    sioc__dec_shl(a, 53);
    mant = sioc__dec_round(a);
    if (mant >> 53) { /* rounded up to 2^53 */
        mant >>= 1;
        e2++;
        if (e2 > 1023) return inf;
    }
    if (mant < ((uint64_t)1 << 52)) return mant; /* subnormal (or zero) */
    return ((uint64_t)(e2 + 1023) << 52) | (mant & (((uint64_t)1 << 52) - 1));
}

static const double sioc__pow10_f64[23] = {1e0,  1e1,  1e2,  1e3,  1e4,  1e5,  1e6,  1e7,  1e8,  1e9,  1e10, 1e11,
                                           1e12, 1e13, 1e14, 1e15, 1e16, 1e17, 1e18, 1e19, 1e20, 1e21, 1e22};

static double sioc__f64_from_bits(uint64_t b) {
    double v;
    memcpy(&v, &b, sizeof v);
    return v;
}

/* Text of a valid JSON number -> nearest double. Returns SIOC_ERR_RANGE (and +-inf) on overflow. */
static sioc_result sioc__json_to_f64(const char *p, size_t n, double *out) {
    sioc__dec a;
    uint64_t w = 0, bits;
    size_t i = 0;
    int neg = n > 0 && p[0] == '-', nsig = 0, e10 = 0, ex = 0, exact = 1, frac = 0, eneg = 0;
    if (neg) i++;
    /* pass 1: up to 19 significant digits in w, value = w * 10^e10 when exact */
    for (; i < n; i++) {
        char c = p[i];
        if (c == '.') {
            frac = 1;
            continue;
        }
        if (c == 'e' || c == 'E') break;
        if (nsig < 19) {
            w = w * 10 + (uint64_t)(c - '0');
            if (w) nsig++;
            if (frac && e10 > -1000000) e10--;
        } else {
            if (c != '0') exact = 0;
            if (!frac && e10 < 1000000) e10++;
        }
    }
    if (i < n) { /* exponent, saturated: far beyond it the result is 0 or infinity anyway */
        i++;
        if (p[i] == '-' || p[i] == '+') eneg = p[i++] == '-';
        for (; i < n; i++)
            if (ex < 1000000) ex = ex * 10 + (p[i] - '0');
        e10 += eneg ? -ex : ex;
    }
    if (w == 0) {
        *out = neg ? -0.0 : 0.0;
        return SIOC_OK;
    }
    if (exact && w <= ((uint64_t)1 << 53)) {
        if (e10 == 0) {
            *out = neg ? -(double)w : (double)w;
            return SIOC_OK;
        }
        if (e10 > 0 && e10 <= 16) { /* exact integer product? */
            uint64_t v = w;
            int k = e10;
            while (k > 0 && v <= ((uint64_t)1 << 53) / 10) {
                v *= 10;
                k--;
            }
            if (k == 0) {
                *out = neg ? -(double)v : (double)v;
                return SIOC_OK;
            }
        }
#if defined(__FLT_EVAL_METHOD__) && __FLT_EVAL_METHOD__ == 0
        /* Clinger's fast path: w and 10^|e10| are exact doubles, so one IEEE operation rounds correctly. Only
           when doubles are evaluated in double precision (not x87 extended, which would round twice). */
        if (e10 > 0 && e10 <= 22) {
            double v = (double)w * sioc__pow10_f64[e10];
            *out = neg ? -v : v;
            return SIOC_OK;
        }
        if (e10 < 0 && e10 >= -22) {
            double v = (double)w / sioc__pow10_f64[-e10];
            *out = neg ? -v : v;
            return SIOC_OK;
        }
#else
        (void)sioc__pow10_f64;
#endif
    }
    /* pass 2: the exact big-decimal route */
    a.nd = 0;
    a.dp = 0;
    a.trunc = 0;
    frac = 0;
    for (i = neg ? 1 : 0; i < n; i++) {
        char c = p[i];
        unsigned d;
        if (c == '.') {
            frac = 1;
            continue;
        }
        if (c == 'e' || c == 'E') break;
        d = (unsigned)(c - '0');
        if (a.nd == 0 && d == 0) {
            if (frac && a.dp > -1000000) a.dp--;
            continue;
        }
        if (!frac && a.dp < 1000000) a.dp++;
        if (a.nd < SIOC__DEC_MAX)
            a.d[a.nd++] = (uint8_t)d;
        else if (d)
            a.trunc = 1;
    }
    a.dp += eneg ? -ex : ex;
    sioc__dec_trim(&a);
    bits = sioc__dec_to_bits(&a);
    if (neg) bits |= (uint64_t)1 << 63;
    *out = sioc__f64_from_bits(bits);
    return ((bits >> 52) & 0x7FF) == 0x7FF ? SIOC_ERR_RANGE : SIOC_OK;
}

SIOC_API sioc_result sioc_json_get_f64(const sioc_json *doc, int tok, double *out) {
    const sioc_json_tok *t = sioc__json_tok(doc, tok);
    double v = 0;
    sioc_result r;
    if (out) *out = 0;
    if (!t) return SIOC_ERR_NOT_FOUND;
    if (t->type != SIOC_JSON_NUMBER || t->len == 0) return SIOC_ERR_TYPE;
    r = sioc__json_to_f64(doc->text + t->start, t->len, &v);
    if (out) *out = v;
    return r;
}

SIOC_API sioc_result sioc_json_get_bool(const sioc_json *doc, int tok, int *out) {
    const sioc_json_tok *t = sioc__json_tok(doc, tok);
    if (out) *out = 0;
    if (!t) return SIOC_ERR_NOT_FOUND;
    if (t->type != SIOC_JSON_BOOL) return SIOC_ERR_TYPE;
    if (out) *out = doc->text[t->start] == 't';
    return SIOC_OK;
}

SIOC_API int sioc_json_is_null(const sioc_json *doc, int tok) {
    const sioc_json_tok *t = sioc__json_tok(doc, tok);
    return t && t->type == SIOC_JSON_NULL;
}

/* ================================ writer ================================ */

/* ---- double -> shortest decimal ---- */

/* Small unsigned big integer, 32-bit limbs, least significant first; n limbs used (top limb nonzero). 40 limbs
   hold the 1135 bits the shortest-digit loop needs for any double. */
#define SIOC__BIG_LIMBS 40
typedef struct sioc__big {
    uint32_t v[SIOC__BIG_LIMBS];
    int n;
} sioc__big;

static void sioc__big_set(sioc__big *a, uint64_t x) {
    a->n = 0;
    while (x) {
        a->v[a->n++] = (uint32_t)x;
        x >>= 32;
    }
}

static void sioc__big_mul_small(sioc__big *a, uint32_t m) {
    uint64_t c = 0;
    int i;
    for (i = 0; i < a->n; i++) {
        c += (uint64_t)a->v[i] * m;
        a->v[i] = (uint32_t)c;
        c >>= 32;
    }
    if (c) {
        SIOC_ASSERT(a->n < SIOC__BIG_LIMBS);
        a->v[a->n++] = (uint32_t)c;
    }
}

static void sioc__big_mul_pow10(sioc__big *a, unsigned k) {
    static const uint32_t p10[10] = {1, 10, 100, 1000, 10000, 100000, 1000000, 10000000, 100000000, 1000000000};
    for (; k >= 9; k -= 9) sioc__big_mul_small(a, p10[9]);
    if (k) sioc__big_mul_small(a, p10[k]);
}

static void sioc__big_shl(sioc__big *a, unsigned bits) {
    unsigned ls = bits / 32, bs = bits % 32;
    uint32_t top;
    int i;
    if (a->n == 0) return;
    SIOC_ASSERT(a->n + (int)ls + 1 <= SIOC__BIG_LIMBS);
    top = bs ? a->v[a->n - 1] >> (32 - bs) : 0;
    for (i = a->n - 1; i >= 0; i--) {
        uint32_t low = (bs && i > 0) ? a->v[i - 1] >> (32 - bs) : 0;
        a->v[i + (int)ls] = (a->v[i] << bs) | low;
    }
    for (i = 0; i < (int)ls; i++) a->v[i] = 0;
    a->n += (int)ls;
    if (top) a->v[a->n++] = top;
}

static int sioc__big_cmp(const sioc__big *a, const sioc__big *b) {
    int i;
    if (a->n != b->n) return a->n < b->n ? -1 : 1;
    for (i = a->n - 1; i >= 0; i--)
        if (a->v[i] != b->v[i]) return a->v[i] < b->v[i] ? -1 : 1;
    return 0;
}

/* out = a + b (out may be a or b) */
static void sioc__big_add(sioc__big *out, const sioc__big *a, const sioc__big *b) {
    int i, n = SIOC__MAX(a->n, b->n);
    uint64_t c = 0;
    for (i = 0; i < n; i++) {
        c += (uint64_t)(i < a->n ? a->v[i] : 0) + (i < b->n ? b->v[i] : 0);
        out->v[i] = (uint32_t)c;
        c >>= 32;
    }
    out->n = n;
    if (c) {
        SIOC_ASSERT(n < SIOC__BIG_LIMBS);
        out->v[out->n++] = (uint32_t)c;
    }
}

/* a -= b, requires a >= b */
static void sioc__big_sub(sioc__big *a, const sioc__big *b) {
    int i;
    uint32_t borrow = 0;
    for (i = 0; i < a->n; i++) {
        uint64_t d = (uint64_t)a->v[i] - (i < b->n ? b->v[i] : 0) - borrow;
        a->v[i] = (uint32_t)d;
        borrow = (uint32_t)(d >> 63);
    }
    while (a->n > 0 && a->v[a->n - 1] == 0) a->n--;
}

/* The same digit generation on uint64 when it cannot overflow: for v = f 2^e with -56 <= e < 0 (about
   1/16 <= v < 2^53, the common case), s stays below 10 * 2^55 < 2^59 and r, m+, m- below 30 s < 2^64. Returns
   0 when v is outside that range. */
static int sioc__f64_digits_u64(uint64_t f, int e, int even, int asym, int k, uint8_t *dig, int *out_k) {
    uint64_t r, s, mm, mp;
    int nd = 0, i;
    if (e < -56 || e >= 0) return 0;
    r = f << (1 + asym);
    s = (uint64_t)1 << (1 - e + asym);
    mm = 1;
    mp = asym ? 2 : 1;
    for (i = 0; i < (k >= 0 ? k : -k); i++) {
        if (k >= 0) {
            s *= 10;
        } else {
            r *= 10;
            mm *= 10;
            mp *= 10;
        }
    }
    while (even ? r + mp >= s : r + mp > s) {
        s *= 10;
        k++;
    }
    if (s >> 59) return 0; /* not expected; the big-integer path copes */
    for (;;) {
        int d, low, high;
        r *= 10;
        mm *= 10;
        mp *= 10;
        for (d = 0; r >= s; d++) r -= s; /* r < 10 s: a digit by at most 9 subtractions, no 64-bit division */
        low = even ? r <= mm : r < mm;
        high = even ? r + mp >= s : r + mp > s;
        if (!low && !high && nd < 17) {
            dig[nd++] = (uint8_t)d;
            continue;
        }
        if (low && high) {
            if (2 * r > s || (2 * r == s && (d & 1))) d++;
        } else if (high || (!low && 2 * r >= s)) {
            d++;
        }
        dig[nd++] = (uint8_t)d;
        break;
    }
    *out_k = k;
    return nd;
}

/* Shortest digits of a finite v > 0 that read back as v (ties of the reader go to even, so an even mantissa owns
   its boundaries), and among those the closest, then the even last digit. Writes digit values to dig (up to 17),
   returns the count; *out_k is such that v ~ 0.d1d2... x 10^k. Steele & White / Burger & Dybvig free-format
   generation on exact integers: v = r/s, half-gaps m-/s and m+/s. */
static int sioc__f64_digits(uint64_t bits, uint8_t *dig, int *out_k) {
    sioc__big r, s, mm, mp_store, tmp;
    const sioc__big *mp = &mm;
    uint64_t frac = bits & (((uint64_t)1 << 52) - 1), f;
    int bexp = (int)((bits >> 52) & 0x7FF), e, even, asym, k, top, nd, i;
    int32_t t;
    if (bexp == 0) {
        f = frac;
        e = -1074;
    } else {
        f = frac | ((uint64_t)1 << 52);
        e = bexp - 1075;
    }
    even = (f & 1) == 0;
    asym = bexp > 1 && frac == 0; /* the gap below a power of two is half the gap above */
    /* k starts at floor(E log10 2) <= the true k, E being the exponent of v's leading bit; 78913 / 2^18 is a
       little under log10 2. */
    for (top = 0; (f >> top) > 1; top++) {
    }
    t = (int32_t)(e + top) * 78913;
    k = t >= 0 ? (int)(t >> 18) : -(int)((-t + 262143) >> 18);
    nd = sioc__f64_digits_u64(f, e, even, asym, k, dig, out_k);
    if (nd) {
        k = *out_k;
    } else {
        sioc__big_set(&r, f);
        sioc__big_set(&mm, 1);
        if (e >= 0) {
            sioc__big_shl(&r, (unsigned)(e + 1 + asym));
            sioc__big_set(&s, asym ? 4 : 2);
            sioc__big_shl(&mm, (unsigned)e);
        } else {
            sioc__big_shl(&r, (unsigned)(1 + asym));
            sioc__big_set(&s, 1);
            sioc__big_shl(&s, (unsigned)(1 - e + asym));
        }
        if (k >= 0) {
            sioc__big_mul_pow10(&s, (unsigned)k);
        } else {
            sioc__big_mul_pow10(&r, (unsigned)-k);
            sioc__big_mul_pow10(&mm, (unsigned)-k);
        }
        if (asym) {
            mp_store = mm;
            sioc__big_shl(&mp_store, 1);
            mp = &mp_store;
        }
        for (;;) { /* smallest k with the upper boundary below 10^k */
            int c;
            sioc__big_add(&tmp, &r, mp);
            c = sioc__big_cmp(&tmp, &s);
            if (even ? c < 0 : c <= 0) break;
            sioc__big_mul_small(&s, 10);
            k++;
        }
        for (;;) {
            int d = 0, low, high, c;
            sioc__big_mul_small(&r, 10);
            sioc__big_mul_small(&mm, 10);
            if (asym) sioc__big_mul_small(&mp_store, 10);
            while (sioc__big_cmp(&r, &s) >= 0) {
                sioc__big_sub(&r, &s);
                d++;
            }
            c = sioc__big_cmp(&r, &mm);
            low = even ? c <= 0 : c < 0;
            sioc__big_add(&tmp, &r, mp);
            c = sioc__big_cmp(&tmp, &s);
            high = even ? c >= 0 : c > 0;
            if (!low && !high && nd < 17) {
                dig[nd++] = (uint8_t)d;
                continue;
            }
            if (low && high) { /* both fit: the closer one, ties to the even digit */
                sioc__big_add(&tmp, &r, &r);
                c = sioc__big_cmp(&tmp, &s);
                if (c > 0 || (c == 0 && (d & 1))) d++;
            } else if (high) {
                d++;
            } else if (!low) { /* 17 digits always suffice; not reached, but never run past the buffer */
                sioc__big_add(&tmp, &r, &r);
                if (sioc__big_cmp(&tmp, &s) >= 0) d++;
            }
            dig[nd++] = (uint8_t)d;
            break;
        }
    }
    for (i = nd - 1; i > 0 && dig[i] == 10; i--) { /* carry (defensive: the bounds rule it out) */
        dig[i] = 0;
        dig[i - 1]++;
    }
    if (dig[0] == 10) {
        dig[0] = 1;
        nd = 1;
        k++;
    }
    while (nd > 1 && dig[nd - 1] == 0) nd--;
    *out_k = k;
    return nd;
}

SIOC_API size_t sioc_json_format_f64(double v, char *out) {
    uint64_t bits;
    uint8_t dig[20];
    int nd, k, i, n = 0, ex;
    memcpy(&bits, &v, sizeof bits);
    if (((bits >> 52) & 0x7FF) == 0x7FF) {
        const char *t = (bits & (((uint64_t)1 << 52) - 1)) ? "NaN" : (bits >> 63) ? "-Infinity" : "Infinity";
        size_t l = strlen(t);
        memcpy(out, t, l + 1);
        return l;
    }
    if ((bits << 1) == 0) { /* +0 and -0 */
        out[0] = '0';
        out[1] = 0;
        return 1;
    }
    if (bits >> 63) out[n++] = '-';
    bits &= ~((uint64_t)1 << 63);
    if (v > -9007199254740992.0 && v < 9007199254740992.0) { /* integral within 2^53: plain integer */
        int64_t iv = (int64_t)v;
        if ((double)iv == v) {
            char tmp[24];
            uint64_t u = (uint64_t)(iv < 0 ? -iv : iv);
            int m = 0;
            do {
                uint32_t digit;
                u = sioc__udiv64(u, 10u, &digit);
                tmp[m++] = (char)('0' + (int)digit);
            } while (u);
            while (m) out[n++] = tmp[--m];
            out[n] = 0;
            return (size_t)n;
        }
    }
    nd = sioc__f64_digits(bits, dig, &k);
    /* ECMA-262 Number::toString: v = 0.digits x 10^k, i.e. s x 10^(k - nd) */
    if (nd <= k && k <= 21) { /* integer: digits then zeros */
        for (i = 0; i < nd; i++) out[n++] = (char)('0' + dig[i]);
        for (; i < k; i++) out[n++] = '0';
    } else if (0 < k && k <= 21) { /* point inside the digits */
        for (i = 0; i < nd; i++) {
            if (i == k) out[n++] = '.';
            out[n++] = (char)('0' + dig[i]);
        }
    } else if (-6 < k && k <= 0) { /* 0.000ddd */
        out[n++] = '0';
        out[n++] = '.';
        for (i = k; i < 0; i++) out[n++] = '0';
        for (i = 0; i < nd; i++) out[n++] = (char)('0' + dig[i]);
    } else { /* d.ddde+x / d.ddde-x */
        out[n++] = (char)('0' + dig[0]);
        if (nd > 1) {
            out[n++] = '.';
            for (i = 1; i < nd; i++) out[n++] = (char)('0' + dig[i]);
        }
        out[n++] = 'e';
        ex = k - 1;
        out[n++] = ex < 0 ? '-' : '+';
        if (ex < 0) ex = -ex;
        if (ex >= 100) out[n++] = (char)('0' + ex / 100);
        if (ex >= 10) out[n++] = (char)('0' + ex / 10 % 10);
        out[n++] = (char)('0' + ex % 10);
    }
    out[n] = 0;
    return (size_t)n;
}

/* ---- structure ---- */

SIOC_API void sioc_json_writer_init(sioc_json_writer *w, sioc_buf *out) {
    memset(w, 0, sizeof *w);
    w->out = out;
}

/* Comma before a value or key unless it follows a key or opens a container. */
static void sioc__json_pre(sioc_json_writer *w) {
    uint32_t d = SIOC__MIN(w->depth, (uint32_t)SIOC_JSON_WRITE_DEPTH);
    if (w->after_key) {
        w->after_key = 0;
        return;
    }
    if (w->need_comma[d]) {
        if (d == 0) sioc_buf_fail(w->out, SIOC_ERR_STATE); /* a second top-level value is not JSON */
        sioc_buf_putc(w->out, ',');
    }
    w->need_comma[d] = 1;
}

static void sioc__json_open(sioc_json_writer *w, char c) {
    sioc__json_pre(w);
    sioc_buf_putc(w->out, c);
    if (w->depth >= SIOC_JSON_WRITE_DEPTH) sioc_buf_fail(w->out, SIOC_ERR_LIMIT);
    if (w->depth < UINT32_MAX) w->depth++;
    if (w->depth <= SIOC_JSON_WRITE_DEPTH) w->need_comma[w->depth] = 0;
}

static void sioc__json_close(sioc_json_writer *w, char c) {
    if (w->depth == 0 || w->after_key) {
        sioc_buf_fail(w->out, SIOC_ERR_STATE);
        w->after_key = 0;
        if (w->depth == 0) return;
    }
    w->depth--;
    sioc_buf_putc(w->out, c);
}

SIOC_API void sioc_json_write_object_begin(sioc_json_writer *w) { sioc__json_open(w, '{'); }
SIOC_API void sioc_json_write_object_end(sioc_json_writer *w) { sioc__json_close(w, '}'); }
SIOC_API void sioc_json_write_array_begin(sioc_json_writer *w) { sioc__json_open(w, '['); }
SIOC_API void sioc_json_write_array_end(sioc_json_writer *w) { sioc__json_close(w, ']'); }

/* ---- strings ---- */

static void sioc__json_put_u16(sioc_buf *b, unsigned cu) {
    static const char hex[] = "0123456789abcdef";
    char e[6];
    e[0] = '\\';
    e[1] = 'u';
    e[2] = hex[(cu >> 12) & 15];
    e[3] = hex[(cu >> 8) & 15];
    e[4] = hex[(cu >> 4) & 15];
    e[5] = hex[cu & 15];
    sioc_buf_put(b, e, 6);
}

/* WTF-8 surrogate (ED A0..BF 80..BF) at p? Returns its code unit, or 0. */
static unsigned sioc__wtf8_surrogate(const uint8_t *p, size_t avail) {
    if (avail < 3 || p[0] != 0xED || p[1] < 0xA0 || p[1] > 0xBF || (p[2] & 0xC0) != 0x80) return 0;
    return 0xD000u | ((unsigned)(p[1] & 0x3F) << 6) | (p[2] & 0x3Fu);
}

/* Length of the maximal ill-formed prefix at p (WHATWG / Unicode "maximal subpart"): 1 to 3 bytes. */
static size_t sioc__utf8_bad_len(const uint8_t *p, size_t avail) {
    unsigned c = p[0], lo = 0x80, hi = 0xBF;
    size_t need, k;
    if (c >= 0xC2 && c <= 0xDF) need = 1;
    else if (c >= 0xE0 && c <= 0xEF) need = 2;
    else if (c >= 0xF0 && c <= 0xF4) need = 3;
    else return 1;
    if (c == 0xE0) lo = 0xA0;
    if (c == 0xED) hi = 0x9F;
    if (c == 0xF0) lo = 0x90;
    if (c == 0xF4) hi = 0x8F;
    if (avail < 2 || p[1] < lo || p[1] > hi) return 1;
    for (k = 2; k <= need && k < avail && (p[k] & 0xC0) == 0x80; k++) {
    }
    return k;
}

static void sioc__json_put_str(sioc_buf *b, const char *str, size_t len) {
    const uint8_t *s = (const uint8_t *)str;
    size_t i = 0, run = 0;
    sioc_buf_putc(b, '"');
    if (!s) len = 0;
    while (i < len) {
        unsigned c = s[i];
        size_t n;
        unsigned hs, ls;
        if (c >= 0x20 && c < 0x80 && c != '"' && c != '\\') {
            i++;
            continue;
        }
        if (c >= 0x80 && (n = sioc__utf8_seq(s + i, len - i)) != 0) {
            i += n;
            continue;
        }
        sioc_buf_put(b, s + run, i - run); /* flush the plain run */
        if (c < 0x80) {
            char e[2];
            e[0] = '\\';
            e[1] = (char)(c == '/' ? 0 : sioc__json_esc(c, 0));
            if (e[1])
                sioc_buf_put(b, e, 2);
            else
                sioc__json_put_u16(b, c);
            i++;
        } else if ((hs = sioc__wtf8_surrogate(s + i, len - i)) != 0) {
            ls = (hs < 0xDC00) ? sioc__wtf8_surrogate(s + i + 3, len - i - 3) : 0;
            if (ls >= 0xDC00) { /* a split pair is one character to JavaScript */
                uint8_t u[4];
                sioc_buf_put(b, u, sioc__utf8_put(u, 0x10000u + ((hs - 0xD800u) << 10) + (ls - 0xDC00u)));
                i += 6;
            } else {
                sioc__json_put_u16(b, hs);
                i += 3;
            }
        } else {
            sioc_buf_put(b, "\xEF\xBF\xBD", 3); /* U+FFFD */
            i += sioc__utf8_bad_len(s + i, len - i);
        }
        run = i;
    }
    sioc_buf_put(b, s + run, i - run);
    sioc_buf_putc(b, '"');
}

SIOC_API void sioc_json_write_key(sioc_json_writer *w, const char *key, size_t len) {
    if (w->after_key) sioc_buf_fail(w->out, SIOC_ERR_STATE);
    sioc__json_pre(w);
    sioc__json_put_str(w->out, key, len);
    sioc_buf_putc(w->out, ':');
    w->after_key = 1;
}

SIOC_API void sioc_json_write_str(sioc_json_writer *w, const char *s, size_t len) {
    sioc__json_pre(w);
    sioc__json_put_str(w->out, s, len);
}

SIOC_API void sioc_json_write_i64(sioc_json_writer *w, int64_t v) {
    sioc__json_pre(w);
    sioc_buf_put_i64(w->out, v);
}

SIOC_API void sioc_json_write_u64(sioc_json_writer *w, uint64_t v) {
    sioc__json_pre(w);
    sioc_buf_put_u64(w->out, v);
}

SIOC_API void sioc_json_write_f64(sioc_json_writer *w, double v) {
    char tmp[SIOC_JSON_F64_MAX];
    uint64_t bits;
    sioc__json_pre(w);
    memcpy(&bits, &v, sizeof bits);
    if (((bits >> 52) & 0x7FF) == 0x7FF) { /* JSON.stringify(NaN / Infinity) */
        sioc_buf_put(w->out, "null", 4);
        return;
    }
    sioc_buf_put(w->out, tmp, sioc_json_format_f64(v, tmp));
}

SIOC_API void sioc_json_write_bool(sioc_json_writer *w, int v) {
    sioc__json_pre(w);
    if (v)
        sioc_buf_put(w->out, "true", 4);
    else
        sioc_buf_put(w->out, "false", 5);
}

SIOC_API void sioc_json_write_null(sioc_json_writer *w) {
    sioc__json_pre(w);
    sioc_buf_put(w->out, "null", 4);
}

SIOC_API void sioc_json_write_raw(sioc_json_writer *w, const char *json, size_t len) {
    sioc__json_pre(w);
    if (json) sioc_buf_put(w->out, json, len);
}
