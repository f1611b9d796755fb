/* ---- sigv4.c ---- */
#include "base.h"
#include "internal.h"
#include "crypto.h"
#include "sigv4.h"

/* >>dates. Days from 1970-01-01 <-> proleptic Gregorian civil date (the era-based algorithm described by
   H. Hinnant, "chrono-compatible low-level date algorithms"), integer-only and exact for the range we accept. */
static int64_t sioc__days_from_civil(int64_t y, unsigned m, unsigned d) {
    int64_t era;
    uint32_t r;
    unsigned yoe, doy, doe;
    y -= m <= 2;
    era = sioc__fdiv64(y, 400u, &r);
    yoe = (unsigned)r;
    doy = (153u * (m > 2 ? m - 3 : m + 9) + 2u) / 5u + d - 1u;
    doe = yoe * 365u + yoe / 4u - yoe / 100u + doy;
    return era * 146097 + (int64_t)doe - 719468;
}

static void sioc__put_digits(char *p, unsigned v, int n) {
    while (n-- > 0) {
        p[n] = (char)('0' + v % 10u);
        v /= 10u;
    }
}

SIOC_API sioc_result sioc_sigv4_format_date(int64_t t, char out[17]) {
    int64_t y, days;
    unsigned mo, d, secs;
    uint32_t r;
    /* 253402300800 = 10000-01-01T00:00:00Z */
    if (t < 0 || t >= INT64_C(253402300800)) return SIOC_ERR_RANGE;
    days = (int64_t)sioc__udiv64((uint64_t)t, 86400u, &r);
    secs = (unsigned)r;
    sioc__civil_from_days(days, &y, &mo, &d);
    {
        /* YYYYMMDD T HHMMSS: each field's value, its place in out and its width */
        const unsigned v[6] = {(unsigned)y, mo, d, secs / 3600u, secs / 60u % 60u, secs % 60u};
        static const uint8_t at[6] = {0, 4, 6, 9, 11, 13};
        int i;
        for (i = 0; i < 6; i++) sioc__put_digits(out + at[i], v[i], i ? 2 : 4);
    }
    out[8] = 'T';
    out[15] = 'Z';
    out[16] = 0;
    return SIOC_OK;
}

SIOC_API sioc_result sioc_sigv4_parse_http_date(sioc_str s, int64_t *out) {
    /* "Mon, 23 Nov 2026 05:47:55 GMT": 'a' marks the letters of a day or month name, '9' a digit */
    static const char form[] = "aaa, 99 aaa 9999 99:99:99 GMT";
    static const char names[] = "ThuFriSatSunMonTueWed" "JanFebMarAprMayJunJulAugSepOctNovDec"; /* 1970-01-01: Thu */
    const char *p = s.ptr;
    unsigned v[7] = {0, 0, 0, 0, 0, 0, 0}, f = 0, i, k, m, d; /* weekday, day, month, year, hour, minute, second */
    int64_t days, y;
    if (s.len != sizeof form - 1) return SIOC_ERR_PARSE;
    for (i = 0; i < sizeof form - 1; i++) {
        unsigned char c = (unsigned char)p[i];
        if (form[i] == 'a') {
            if (i && form[i - 1] == 'a') continue;
            for (k = 0; k < 19 && memcmp(p + i, names + 3 * k, 3) != 0; k++) {
            }
            v[f++] = k;
        } else if (form[i] == '9') {
            if (!sioc__is_digit(c)) return SIOC_ERR_PARSE;
            v[f] = v[f] * 10u + (unsigned)(c - '0');
            f += form[i + 1] != '9';
        } else if (form[i] != c) {
            return SIOC_ERR_PARSE;
        }
    }
    if (v[0] >= 7 || v[2] < 7 || v[2] >= 19 || v[3] < 1970 || v[4] > 23 || v[5] > 59 || v[6] > 60)
        return SIOC_ERR_PARSE;
    /* an impossible day (31 Nov, 29 Feb 2023) lands on another date when converted back */
    days = sioc__days_from_civil((int64_t)v[3], v[2] - 6, v[1]);
    sioc__civil_from_days(days, &y, &m, &d);
    if (m != v[2] - 6 || d != v[1] || (uint32_t)days % 7u != v[0]) return SIOC_ERR_PARSE; /* wrong weekday: corrupt */
    *out = days * 86400 + (int64_t)(v[4] * 3600u + v[5] * 60u + (v[6] > 59 ? 59 : v[6]));
    return SIOC_OK;
}

/* >>sink: everything canonical goes through here, into a hash (or an HMAC's inner hash) and/or a tap buffer. */
typedef struct sioc__sigv4_sink {
    sioc_sha256_ctx *sha;
    sioc_buf *tap;
} sioc__sigv4_sink;

static void sioc__sink_put(const sioc__sigv4_sink *k, const void *p, size_t n) {
    if (k->sha) sioc_sha256_update(k->sha, p, n);
    if (k->tap) sioc_buf_put(k->tap, p, n);
}
static void sioc__sink_putc(const sioc__sigv4_sink *k, char c) { sioc__sink_put(k, &c, 1); }
static void sioc__sink_puts(const sioc__sigv4_sink *k, const char *s) { sioc__sink_put(k, s, strlen(s)); }

/* SigV4 UriEncode: RFC 3986 unreserved characters kept, the rest %XX (upper-case hex), in slices. */
static void sioc__sink_pct(const sioc__sigv4_sink *k, const char *s, size_t n) {
    char tmp[96];
    sioc_buf b;
    while (n) {
        size_t take = SIOC__MIN(n, sizeof tmp / 3);
        sioc_buf_init(&b, tmp, sizeof tmp);
        sioc_pct_encode(&b, s, take, SIOC_PCT_RFC3986);
        sioc__sink_put(k, tmp, b.len);
        s += take, n -= take;
    }
}

/* A header name lower-cased, or (value = 1) a header value trimmed with inner runs of spaces and tabs collapsed to
   one space; staged in a small buffer so the hash sees few large updates. */
static void sioc__sink_text(const sioc__sigv4_sink *k, sioc_str s, int value) {
    char tmp[64];
    size_t used = 0, i;
    int started = 0, gap = 0;
    for (i = 0; i < s.len; i++) {
        char c = s.ptr[i];
        if (used > sizeof tmp - 2) {
            sioc__sink_put(k, tmp, used);
            used = 0;
        }
        if (value && (c == ' ' || c == '\t')) {
            gap = started;
            continue;
        }
        if (gap) tmp[used++] = ' ';
        gap = 0, started = 1;
        tmp[used++] = value ? c : (char)sioc__to_lower((unsigned char)c);
    }
    sioc__sink_put(k, tmp, used);
}

/* One character of the percent-encoded form of s (-1 at the end): sorting compares the encoded forms without
   encoding whole strings. *sub is the position inside the current character's encoding. */
static int sioc__enc_char(const sioc_str *s, size_t *i, size_t *sub) {
    char t[3], c;
    sioc_buf b;
    if (*i >= s->len) return -1;
    sioc_buf_init(&b, t, sizeof t);
    sioc_pct_encode(&b, s->ptr + *i, 1, SIOC_PCT_RFC3986);
    c = t[*sub];
    if (++*sub == b.len) *sub = 0, ++*i;
    return (unsigned char)c;
}

static int sioc__enc_cmp(sioc_str a, sioc_str b) {
    size_t ia = 0, ib = 0, sa = 0, sb = 0;
    for (;;) {
        int ca = sioc__enc_char(&a, &ia, &sa), cb = sioc__enc_char(&b, &ib, &sb);
        if (ca != cb) return ca < cb ? -1 : 1;
        if (ca < 0) return 0;
    }
}

static int sioc__name_icmp(sioc_str a, sioc_str b) {
    size_t i, n = SIOC__MIN(a.len, b.len);
    for (i = 0; i < n; i++) {
        int ca = sioc__to_lower((unsigned char)a.ptr[i]), cb = sioc__to_lower((unsigned char)b.ptr[i]);
        if (ca != cb) return ca - cb;
    }
    return (int)(a.len > b.len) - (int)(a.len < b.len);
}

static int sioc__name_is(sioc_str name, const char *lower) {
    return sioc__name_icmp(name, sioc_str_c(lower)) == 0;
}

/* Checks of a view: cls 0: [a-z0-9-], 1..64 bytes (region and service: the scope and a header value); 1: visible
   ASCII without ',' and '/' (key id: they delimit the Credential field); 2: visible ASCII (token); 3: no CR, LF or
   NUL (a header value: no injection); 4: 1+ RFC 9110 token characters (a method or header name). A NULL pointer
   with a length fails all. */
static int sioc__chars_ok(sioc_str s, int cls) {
    size_t i;
    if ((s.len && !s.ptr) || ((cls == 0 || cls == 4) && s.len == 0) || (cls == 0 && s.len > 64)) return 0;
    for (i = 0; i < s.len; i++) {
        unsigned char c = (unsigned char)s.ptr[i];
        int alnum = (c >= 'a' && c <= 'z') || sioc__is_digit(c);
        if (cls == 3) {
            if (c == '\r' || c == '\n' || c == 0) return 0;
        } else if (cls == 4) {
            if (!(alnum || (c >= 'A' && c <= 'Z') || sioc__in_set("!#$%&'*+-.^_`|~", c))) return 0;
        } else if (c <= 32 || c >= 127 || (cls == 1 && (c == ',' || c == '/')) || (cls == 0 && !(alnum || c == '-'))) {
            return 0;
        }
    }
    return 1;
}

/* Stable insertion sort into order[]: headers by lower-case name (repeated names keep their order: their values are
   joined with ','), query parameters by encoded name, then encoded value. */
static void sioc__sigv4_sort(const sioc_sigv4_pair *v, size_t n, uint16_t *order, int query) {
    size_t i, j;
    for (i = 0; i < n; i++) {
        for (j = i; j > 0; j--) {
            const sioc_sigv4_pair *a = &v[order[j - 1]], *b = &v[i];
            int c = query ? sioc__enc_cmp(a->name, b->name) : sioc__name_icmp(a->name, b->name);
            if (c == 0 && query) c = sioc__enc_cmp(a->value, b->value);
            if (c <= 0) break;
            order[j] = order[j - 1];
        }
        order[j] = (uint16_t)i;
    }
}

static const char sioc__aws4_request[] = "/aws4_request"; /* the scope's end; without '/' the last key step */

/* Everything the canonical request needs, validated and sorted once. */
typedef struct sioc__sigv4_prep {
    sioc_sigv4_pair hdr[SIOC_SIGV4_MAX_HEADERS];
    uint16_t horder[SIOC_SIGV4_MAX_HEADERS];
    size_t nh;
    uint16_t qorder[SIOC_SIGV4_MAX_QUERY];
    sioc_str seg[SIOC_SIGV4_MAX_SEGMENTS];
    size_t nseg;
    int trailing_slash;
    char amz_date[17];
    char payload_hash[65];
    char scope[8 + 1 + 64 + 1 + 64 + 13 + 1];
    size_t scope_len;
} sioc__sigv4_prep;

/* One of the headers the signer writes itself; 0 when the list is full. */
static int sioc__sigv4_add(sioc__sigv4_prep *w, const char *name, const char *value, size_t len) {
    if (w->nh == SIOC_SIGV4_MAX_HEADERS) return 0;
    w->hdr[w->nh].name = sioc_str_c(name);
    w->hdr[w->nh].value.ptr = value;
    w->hdr[w->nh++].value.len = len;
    return 1;
}

static sioc_result sioc__sigv4_prepare(const sioc_sigv4_params *p, const sioc_sigv4_request *req,
                                       sioc__sigv4_prep *w) {
    size_t i, start;
    int have_host = 0, tok, sha;
    sioc_result r;
    sioc_str path;
    char *sc;

    if (!p || !req) return SIOC_ERR_ARG;
    path = req->path;
    tok = p->creds.session_token.len != 0;
    sha = (p->flags & SIOC_SIGV4_ADD_CONTENT_SHA256) != 0;
    if (!sioc__chars_ok(p->region, 0) || !sioc__chars_ok(p->service, 0) || !p->creds.access_key_id.len ||
        !sioc__chars_ok(p->creds.access_key_id, 1) || !p->creds.secret_access_key.len ||
        !p->creds.secret_access_key.ptr || !sioc__chars_ok(p->creds.session_token, 2) ||
        !sioc__chars_ok(req->method, 4) || (req->header_count && !req->headers) || (req->query_count && !req->query) ||
        (req->payload.len && !req->payload.ptr) || (path.len && !path.ptr))
        return SIOC_ERR_ARG;
    r = sioc_sigv4_format_date(p->unix_time, w->amz_date);
    if (r != SIOC_OK) return r;

    /* headers: the caller's (Host among them, none the signer writes), then the signer's */
    if (req->header_count > SIOC_SIGV4_MAX_HEADERS) return SIOC_ERR_LIMIT;
    for (i = 0; i < req->header_count; i++) {
        const sioc_sigv4_pair *h = &req->headers[i];
        if (!sioc__chars_ok(h->name, 4) || !sioc__chars_ok(h->value, 3)) return SIOC_ERR_ARG;
        if (sioc__name_is(h->name, "host")) have_host = 1;
        if (sioc__name_is(h->name, "authorization") || sioc__name_is(h->name, "x-amz-date") ||
            (tok && sioc__name_is(h->name, "x-amz-security-token")) ||
            (sha && sioc__name_is(h->name, "x-amz-content-sha256")))
            return SIOC_ERR_ARG;
        w->hdr[i] = *h;
    }
    w->nh = i;
    if (!have_host) return SIOC_ERR_ARG;

    if (req->payload_hash) {
        for (i = 0; i < 64; i++) {
            char c = req->payload_hash[i];
            if (!(sioc__is_digit((unsigned char)c) || (c >= 'a' && c <= 'f'))) return SIOC_ERR_ARG;
        }
        if (req->payload_hash[64] != 0) return SIOC_ERR_ARG;
        memcpy(w->payload_hash, req->payload_hash, 65);
    } else {
        uint8_t digest[SIOC_SHA256_LEN];
        sioc_sha256(req->payload.ptr, req->payload.len, digest);
        (void)sioc_hex_encode(digest, sizeof digest, w->payload_hash, sizeof w->payload_hash);
    }

    if (!sioc__sigv4_add(w, "x-amz-date", w->amz_date, 16) ||
        (tok && !(p->flags & SIOC_SIGV4_UNSIGNED_TOKEN) &&
         !sioc__sigv4_add(w, "x-amz-security-token", p->creds.session_token.ptr, p->creds.session_token.len)) ||
        (sha && !sioc__sigv4_add(w, "x-amz-content-sha256", w->payload_hash, 64)))
        return SIOC_ERR_LIMIT;
    sioc__sigv4_sort(w->hdr, w->nh, w->horder, 0);

    /* query: sorted by encoded name, then encoded value */
    if (req->query_count > SIOC_SIGV4_MAX_QUERY) return SIOC_ERR_LIMIT;
    for (i = 0; i < req->query_count; i++) {
        const sioc_sigv4_pair *a = &req->query[i];
        if ((a->name.len && !a->name.ptr) || (a->value.len && !a->value.ptr)) return SIOC_ERR_ARG;
    }
    sioc__sigv4_sort(req->query, req->query_count, w->qorder, 1);

    /* path: remove empty, "." and ".." segments (non-S3 normalisation) */
    w->nseg = 0;
    i = 0;
    while (i < path.len) {
        while (i < path.len && path.ptr[i] == '/') i++;
        start = i;
        while (i < path.len && path.ptr[i] != '/') i++;
        if (i == start) break;
        if (i - start == 1 && path.ptr[start] == '.') continue;
        if (i - start == 2 && path.ptr[start] == '.' && path.ptr[start + 1] == '.') {
            if (w->nseg) w->nseg--;
            continue;
        }
        if (w->nseg == SIOC_SIGV4_MAX_SEGMENTS) return SIOC_ERR_LIMIT;
        w->seg[w->nseg].ptr = path.ptr + start;
        w->seg[w->nseg++].len = i - start;
    }
    w->trailing_slash = path.len > 0 && path.ptr[path.len - 1] == '/';

    /* scope: yyyymmdd/region/service/aws4_request (fits: region and service are at most 64 bytes each) */
    sc = w->scope;
    memcpy(sc, w->amz_date, 8);
    sc += 8;
    *sc++ = '/';
    memcpy(sc, p->region.ptr, p->region.len);
    sc += p->region.len;
    *sc++ = '/';
    memcpy(sc, p->service.ptr, p->service.len);
    sc += p->service.len;
    memcpy(sc, sioc__aws4_request, 13);
    w->scope_len = (size_t)(sc + 13 - w->scope);
    return SIOC_OK;
}

/* 1 when the i-th sorted header repeats the previous one's name. */
static int sioc__hdr_repeat(const sioc__sigv4_prep *w, size_t i) {
    return i > 0 && sioc__name_icmp(w->hdr[w->horder[i - 1]].name, w->hdr[w->horder[i]].name) == 0;
}

/* The signed header list "a;b;c" (names lower-case, each once). */
static void sioc__signed_headers(const sioc__sigv4_prep *w, const sioc__sigv4_sink *k) {
    size_t i;
    for (i = 0; i < w->nh; i++) {
        if (sioc__hdr_repeat(w, i)) continue;
        if (i) sioc__sink_putc(k, ';');
        sioc__sink_text(k, w->hdr[w->horder[i]].name, 0);
    }
}

/* Canonical request (SigV4 task 1) into a hash, and into `tap` when given. */
static void sioc__hash_canonical(const sioc_sigv4_request *req, const sioc__sigv4_prep *w, sioc_buf *tap,
                                 uint8_t out[SIOC_SHA256_LEN]) {
    sioc_sha256_ctx sha;
    sioc__sigv4_sink k;
    size_t i;
    k.sha = &sha, k.tap = tap;
    sioc_sha256_init(&sha);
    sioc__sink_put(&k, req->method.ptr, req->method.len);
    sioc__sink_putc(&k, '\n');
    /* URI: each segment of the path as sent, encoded once more */
    for (i = 0; i < w->nseg; i++) {
        sioc__sink_putc(&k, '/');
        sioc__sink_pct(&k, w->seg[i].ptr, w->seg[i].len);
    }
    if (w->nseg == 0 || w->trailing_slash) sioc__sink_putc(&k, '/');
    for (i = 0; i < req->query_count; i++) {
        const sioc_sigv4_pair *a = &req->query[w->qorder[i]];
        sioc__sink_putc(&k, i ? '&' : '\n');
        sioc__sink_pct(&k, a->name.ptr, a->name.len);
        sioc__sink_putc(&k, '=');
        sioc__sink_pct(&k, a->value.ptr, a->value.len);
    }
    if (!req->query_count) sioc__sink_putc(&k, '\n');
    for (i = 0; i < w->nh; i++) {
        const sioc_sigv4_pair *h = &w->hdr[w->horder[i]];
        if (sioc__hdr_repeat(w, i)) {
            sioc__sink_putc(&k, ','); /* a repeated header: values joined in order */
        } else {
            sioc__sink_putc(&k, '\n');
            sioc__sink_text(&k, h->name, 0);
            sioc__sink_putc(&k, ':');
        }
        sioc__sink_text(&k, h->value, 1);
    }
    sioc__sink_put(&k, "\n\n", 2);
    sioc__signed_headers(w, &k);
    sioc__sink_putc(&k, '\n');
    sioc__sink_put(&k, w->payload_hash, 64);
    sioc_sha256_final(&sha, out);
}

/* String to sign (task 2): "AWS4-HMAC-SHA256\n<amz date>\n<scope>\n<hex of the canonical request's hash>". */
static void sioc__string_to_sign(const sioc__sigv4_prep *w, const uint8_t creq_hash[SIOC_SHA256_LEN],
                                 const sioc__sigv4_sink *k) {
    char hex[65];
    (void)sioc_hex_encode(creq_hash, SIOC_SHA256_LEN, hex, sizeof hex);
    sioc__sink_put(k, "AWS4-HMAC-SHA256 Credential=", 16); /* the algorithm (the literal is shared below) */
    sioc__sink_putc(k, '\n');
    sioc__sink_put(k, w->amz_date, 16);
    sioc__sink_putc(k, '\n');
    sioc__sink_put(k, w->scope, w->scope_len);
    sioc__sink_putc(k, '\n');
    sioc__sink_put(k, hex, 64);
}

SIOC_API void sioc_sigv4_signing_key(sioc_str secret, const char yyyymmdd[8], sioc_str region, sioc_str service,
                                     uint8_t out[SIOC_SHA256_LEN]) {
    uint8_t k[SIOC_SHA256_BLOCK];
    size_t klen;
    if (4 + secret.len <= sizeof k) {
        memcpy(k, "AWS4", 4);
        if (secret.len) memcpy(k + 4, secret.ptr, secret.len);
        klen = 4 + secret.len;
    } else {
        /* HMAC hashes keys longer than a block anyway (RFC 2104): do it here without a big buffer */
        sioc_sha256_ctx s;
        sioc_sha256_init(&s);
        sioc_sha256_update(&s, "AWS4", 4);
        sioc_sha256_update(&s, secret.ptr, secret.len);
        sioc_sha256_final(&s, k);
        klen = SIOC_SHA256_LEN;
    }
    sioc_hmac_sha256(k, klen, yyyymmdd, 8, out);
    sioc_hmac_sha256(out, SIOC_SHA256_LEN, region.ptr, region.len, out);
    sioc_hmac_sha256(out, SIOC_SHA256_LEN, service.ptr, service.len, out);
    sioc_hmac_sha256(out, SIOC_SHA256_LEN, sioc__aws4_request + 1, 12, out);
    sioc__wipe(k, sizeof k);
}

/* A keyed HMAC context for today's signing key, from the cache when it still matches. */
static void sioc__sigv4_key(const sioc_sigv4_params *p, const sioc__sigv4_prep *w, sioc_sigv4_key_cache *cache,
                            sioc_hmac_sha256_ctx *mac) {
    uint8_t id[SIOC_SHA256_LEN], key[SIOC_SHA256_LEN];
    if (cache) {
        /* fingerprint: each field with its length first, so no two field lists hash alike */
        const sioc_str f[3] = {p->creds.access_key_id, p->creds.secret_access_key, {w->scope, w->scope_len}};
        sioc_sha256_ctx s;
        int i;
        sioc_sha256_init(&s);
        for (i = 0; i < 3; i++) {
            uint8_t len[4];
            sioc__store_be32(len, (uint32_t)f[i].len);
            sioc_sha256_update(&s, len, 4);
            sioc_sha256_update(&s, f[i].ptr, f[i].len);
        }
        sioc_sha256_final(&s, id);
        if (cache->valid && sioc_ct_equal(cache->id, id, sizeof id)) {
            *mac = cache->mac;
            return;
        }
    }
    sioc_sigv4_signing_key(p->creds.secret_access_key, w->amz_date, p->region, p->service, key);
    sioc_hmac_sha256_init(mac, key, sizeof key);
    sioc__wipe(key, sizeof key);
    if (cache) {
        memcpy(cache->id, id, sizeof id);
        cache->mac = *mac;
        cache->valid = 1;
    }
}

/* Prepare, then the canonical request's hash (tap: its text) and, with `tap2`, the string to sign's text. */
static sioc_result sioc__sigv4_text(const sioc_sigv4_params *p, const sioc_sigv4_request *req, sioc_buf *tap,
                                    sioc_buf *tap2) {
    sioc__sigv4_prep w;
    uint8_t h[SIOC_SHA256_LEN];
    sioc__sigv4_sink k;
    sioc_result r = sioc__sigv4_prepare(p, req, &w);
    if (r != SIOC_OK) return r;
    sioc__hash_canonical(req, &w, tap, h);
    k.sha = NULL, k.tap = tap2;
    if (tap2) sioc__string_to_sign(&w, h, &k);
    return sioc_buf_result(tap ? tap : tap2);
}

SIOC_API sioc_result sioc_sigv4_canonical_request(const sioc_sigv4_params *p, const sioc_sigv4_request *req,
                                                  sioc_buf *out) {
    return sioc__sigv4_text(p, req, out, NULL);
}

SIOC_API sioc_result sioc_sigv4_string_to_sign(const sioc_sigv4_params *p, const sioc_sigv4_request *req,
                                               sioc_buf *out) {
    return sioc__sigv4_text(p, req, NULL, out);
}

SIOC_API sioc_result sioc_sigv4_sign(const sioc_sigv4_params *p, const sioc_sigv4_request *req,
                                     sioc_sigv4_key_cache *cache, sioc_buf *auth, sioc_sigv4_result *out) {
    sioc__sigv4_prep w;
    uint8_t h[SIOC_SHA256_LEN], sig[SIOC_SHA256_LEN];
    sioc_hmac_sha256_ctx mac;
    sioc__sigv4_sink k;
    sioc_result r;
    if (!auth || !out) return SIOC_ERR_ARG;
    r = sioc__sigv4_prepare(p, req, &w);
    if (r != SIOC_OK) return r;
    sioc__hash_canonical(req, &w, NULL, h);
    sioc__sigv4_key(p, &w, cache, &mac);
    k.sha = &mac.inner, k.tap = NULL; /* an HMAC update is an update of its inner hash */
    sioc__string_to_sign(&w, h, &k);
    sioc_hmac_sha256_final(&mac, sig);
    sioc__wipe(&mac, sizeof mac);
    memcpy(out->amz_date, w.amz_date, sizeof out->amz_date);
    memcpy(out->payload_hash, w.payload_hash, sizeof out->payload_hash);
    (void)sioc_hex_encode(sig, sizeof sig, out->signature, sizeof out->signature);
    /* Authorization: AWS4-HMAC-SHA256 Credential=<key id>/<scope>, SignedHeaders=<list>, Signature=<hex> */
    k.sha = NULL, k.tap = auth;
    sioc__sink_puts(&k, "AWS4-HMAC-SHA256 Credential=");
    sioc__sink_put(&k, p->creds.access_key_id.ptr, p->creds.access_key_id.len);
    sioc__sink_putc(&k, '/');
    sioc__sink_put(&k, w.scope, w.scope_len);
    sioc__sink_puts(&k, ", SignedHeaders=");
    sioc__signed_headers(&w, &k);
    sioc__sink_puts(&k, ", Signature=");
    sioc__sink_put(&k, out->signature, 64);
    return sioc_buf_result(auth);
}
