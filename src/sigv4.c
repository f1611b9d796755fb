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
    sioc__put_digits(out, (unsigned)y, 4);
    sioc__put_digits(out + 4, mo, 2);
    sioc__put_digits(out + 6, d, 2);
    out[8] = 'T';
    sioc__put_digits(out + 9, secs / 3600u, 2);
    sioc__put_digits(out + 11, secs / 60u % 60u, 2);
    sioc__put_digits(out + 13, secs % 60u, 2);
    out[15] = 'Z';
    out[16] = 0;
    return SIOC_OK;
}

static int sioc__parse_digits(const char *p, int n, unsigned *out) {
    unsigned v = 0;
    int i;
    for (i = 0; i < n; i++) {
        if (!sioc__is_digit((unsigned char)p[i])) return 0;
        v = v * 10u + (unsigned)(p[i] - '0');
    }
    *out = v;
    return 1;
}

SIOC_API sioc_result sioc_sigv4_parse_http_date(sioc_str s, int64_t *out) {
    static const char days[] = "MonTueWedThuFriSatSun";
    static const char months[] = "JanFebMarAprMayJunJulAugSepOctNovDec";
    static const unsigned char mdays[12] = {31, 29, 31, 30, 31, 30, 31, 31, 30, 31, 30, 31};
    const char *p = s.ptr;
    unsigned d, y, hh, mm, ss, mo = 0, i, wd = 7;
    int64_t days_since;
    uint32_t weekday;
    /* "Mon, 23 Nov 2026 05:47:55 GMT": exactly 29 bytes */
    if (s.len != 29 || p[3] != ',' || p[4] != ' ' || p[7] != ' ' || p[11] != ' ' || p[16] != ' ' || p[19] != ':' ||
        p[22] != ':' || p[25] != ' ' || memcmp(p + 26, "GMT", 3) != 0)
        return SIOC_ERR_PARSE;
    for (i = 0; i < 7; i++)
        if (memcmp(p, days + 3 * i, 3) == 0) wd = i;
    for (i = 0; i < 12; i++)
        if (memcmp(p + 8, months + 3 * i, 3) == 0) mo = i + 1;
    if (wd == 7 || mo == 0 || !sioc__parse_digits(p + 5, 2, &d) || !sioc__parse_digits(p + 12, 4, &y) ||
        !sioc__parse_digits(p + 17, 2, &hh) || !sioc__parse_digits(p + 20, 2, &mm) ||
        !sioc__parse_digits(p + 23, 2, &ss))
        return SIOC_ERR_PARSE;
    if (y < 1970 || d < 1 || d > mdays[mo - 1] || hh > 23 || mm > 59 || ss > 60) return SIOC_ERR_PARSE;
    if (mo == 2 && d == 29 && !((y % 4u == 0 && y % 100u != 0) || y % 400u == 0)) return SIOC_ERR_PARSE;
    days_since = sioc__days_from_civil((int64_t)y, mo, d);
    /* 1970-01-01 was a Thursday (index 3 in `days`); a wrong weekday means a corrupt header */
    (void)sioc__udiv64((uint64_t)days_since + 3u, 7u, &weekday); /* days_since >= 0: the year is 1970 or later */
    if (weekday != wd) return SIOC_ERR_PARSE;
    *out = days_since * 86400 + (int64_t)(hh * 3600u + mm * 60u + (ss > 59 ? 59 : ss));
    return SIOC_OK;
}

/* >>sink: everything canonical goes through here, into a hash and optionally into a tap buffer. */
typedef struct sioc__sigv4_sink {
    sioc_sha256_ctx sha;
    sioc_buf *tap;
} sioc__sigv4_sink;

static void sioc__sink_put(sioc__sigv4_sink *k, const void *p, size_t n) {
    sioc_sha256_update(&k->sha, p, n);
    if (k->tap) sioc_buf_put(k->tap, p, n);
}
static void sioc__sink_putc(sioc__sigv4_sink *k, char c) { sioc__sink_put(k, &c, 1); }

/* RFC 3986 unreserved characters are kept; everything else is %XX with upper-case hex (SigV4 UriEncode). */
static int sioc__sigv4_unreserved(unsigned char c) {
    return (c >= 'A' && c <= 'Z') || (c >= 'a' && c <= 'z') || (c >= '0' && c <= '9') || c == '-' || c == '.' ||
           c == '_' || c == '~';
}

static void sioc__sink_pct(sioc__sigv4_sink *k, const char *s, size_t n) {
    static const char hex[] = "0123456789ABCDEF";
    char tmp[96];
    size_t used = 0, i;
    for (i = 0; i < n; i++) {
        unsigned char c = (unsigned char)s[i];
        if (used > sizeof tmp - 3) {
            sioc__sink_put(k, tmp, used);
            used = 0;
        }
        if (sioc__sigv4_unreserved(c)) {
            tmp[used++] = (char)c;
        } else {
            tmp[used++] = '%';
            tmp[used++] = hex[c >> 4];
            tmp[used++] = hex[c & 15];
        }
    }
    if (used) sioc__sink_put(k, tmp, used);
}

/* Compare two strings as their percent-encoded forms would compare bytewise, without encoding them. */
static int sioc__enc_char(const sioc_str *s, size_t *i, int *sub) {
    static const char hex[] = "0123456789ABCDEF";
    unsigned char c;
    if (*i >= s->len) return -1;
    c = (unsigned char)s->ptr[*i];
    if (sioc__sigv4_unreserved(c)) {
        (*i)++;
        return c;
    }
    if (*sub == 0) {
        *sub = 1;
        return '%';
    }
    if (*sub == 1) {
        *sub = 2;
        return (unsigned char)hex[c >> 4];
    }
    *sub = 0;
    (*i)++;
    return (unsigned char)hex[c & 15];
}

static int sioc__enc_cmp(sioc_str a, sioc_str b) {
    size_t ia = 0, ib = 0;
    int sa = 0, sb = 0;
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
        if (ca != cb) return ca < cb ? -1 : 1;
    }
    return a.len == b.len ? 0 : (a.len < b.len ? -1 : 1);
}

static int sioc__name_is(sioc_str name, const char *lower) {
    return sioc__name_icmp(name, sioc_str_c(lower)) == 0;
}

/* RFC 9110 token characters for header names. */
static int sioc__tchar(unsigned char c) {
    if ((c >= 'A' && c <= 'Z') || (c >= 'a' && c <= 'z') || (c >= '0' && c <= '9')) return 1;
    return c != 0 && strchr("!#$%&'*+-.^_`|~", c) != NULL;
}

static int sioc__header_ok(const sioc_sigv4_pair *h) {
    size_t i;
    if (h->name.len == 0 || (h->name.len && !h->name.ptr) || (h->value.len && !h->value.ptr)) return 0;
    for (i = 0; i < h->name.len; i++)
        if (!sioc__tchar((unsigned char)h->name.ptr[i])) return 0;
    for (i = 0; i < h->value.len; i++) {
        unsigned char c = (unsigned char)h->value.ptr[i];
        if (c == '\r' || c == '\n' || c == 0) return 0; /* header injection */
    }
    return 1;
}

/* Region and service become part of a header value and the scope: keep them to [a-z0-9-]. */
static int sioc__scope_part_ok(sioc_str s) {
    size_t i;
    if (s.len == 0 || s.len > 64 || !s.ptr) return 0;
    for (i = 0; i < s.len; i++) {
        char c = s.ptr[i];
        if (!((c >= 'a' && c <= 'z') || (c >= '0' && c <= '9') || c == '-')) return 0;
    }
    return 1;
}

/* Key id and token are written into headers: visible ASCII only, and no ',' or '/' in the key id (they delimit
   the Credential field). */
static int sioc__visible_ok(sioc_str s, int key_id) {
    size_t i;
    if (s.len && !s.ptr) return 0;
    for (i = 0; i < s.len; i++) {
        unsigned char c = (unsigned char)s.ptr[i];
        if (c <= 32 || c >= 127) return 0;
        if (key_id && (c == ',' || c == '/')) return 0;
    }
    return 1;
}

static void sioc__sink_value(sioc__sigv4_sink *k, sioc_str v) {
    /* trim, and collapse inner runs of spaces/tabs to one space */
    size_t i = 0, end = v.len, run;
    while (i < end && (v.ptr[i] == ' ' || v.ptr[i] == '\t')) i++;
    while (end > i && (v.ptr[end - 1] == ' ' || v.ptr[end - 1] == '\t')) end--;
    while (i < end) {
        run = i;
        while (run < end && v.ptr[run] != ' ' && v.ptr[run] != '\t') run++;
        sioc__sink_put(k, v.ptr + i, run - i);
        if (run >= end) break;
        sioc__sink_putc(k, ' ');
        while (run < end && (v.ptr[run] == ' ' || v.ptr[run] == '\t')) run++;
        i = run;
    }
}

static void sioc__sink_lower(sioc__sigv4_sink *k, sioc_str s) {
    char tmp[64];
    size_t i = 0, n;
    while (i < s.len) {
        n = SIOC__MIN(sizeof tmp, s.len - i);
        {
            size_t j;
            for (j = 0; j < n; j++) tmp[j] = (char)sioc__to_lower((unsigned char)s.ptr[i + j]);
        }
        sioc__sink_put(k, tmp, n);
        i += n;
    }
}

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

static sioc_result sioc__sigv4_prepare(const sioc_sigv4_params *p, const sioc_sigv4_request *req,
                                       sioc__sigv4_prep *w) {
    size_t i, j, start;
    int have_host = 0;
    sioc_result r;
    const sioc_str path = req->path;

    if (!p || !req) return SIOC_ERR_ARG;
    if (!sioc__scope_part_ok(p->region) || !sioc__scope_part_ok(p->service)) return SIOC_ERR_ARG;
    if (p->creds.access_key_id.len == 0 || p->creds.secret_access_key.len == 0 ||
        !p->creds.secret_access_key.ptr || !sioc__visible_ok(p->creds.access_key_id, 1) ||
        !sioc__visible_ok(p->creds.session_token, 0))
        return SIOC_ERR_ARG;
    if (req->method.len == 0 || !req->method.ptr) return SIOC_ERR_ARG;
    for (i = 0; i < req->method.len; i++)
        if (!sioc__tchar((unsigned char)req->method.ptr[i])) return SIOC_ERR_ARG;
    if ((req->header_count && !req->headers) || (req->query_count && !req->query) ||
        (req->payload.len && !req->payload.ptr) || (path.len && !path.ptr))
        return SIOC_ERR_ARG;
    r = sioc_sigv4_format_date(p->unix_time, w->amz_date);
    if (r != SIOC_OK) return r;

    /* headers: the caller's, then the ones the signer owns */
    w->nh = 0;
    if (req->header_count > SIOC_SIGV4_MAX_HEADERS) return SIOC_ERR_LIMIT;
    for (i = 0; i < req->header_count; i++) {
        const sioc_sigv4_pair *h = &req->headers[i];
        if (!sioc__header_ok(h)) return SIOC_ERR_ARG;
        if (sioc__name_is(h->name, "x-amz-date") || sioc__name_is(h->name, "authorization") ||
            (p->creds.session_token.len && sioc__name_is(h->name, "x-amz-security-token")) ||
            ((p->flags & SIOC_SIGV4_ADD_CONTENT_SHA256) && sioc__name_is(h->name, "x-amz-content-sha256")))
            return SIOC_ERR_ARG;
        if (sioc__name_is(h->name, "host")) have_host = 1;
        w->hdr[w->nh++] = *h;
    }
    if (!have_host) return SIOC_ERR_ARG;

    if (req->payload_hash) {
        for (i = 0; i < 64; i++) {
            char c = req->payload_hash[i];
            if (!((c >= '0' && c <= '9') || (c >= 'a' && c <= 'f'))) return SIOC_ERR_ARG;
            w->payload_hash[i] = c;
        }
        if (req->payload_hash[64] != 0) return SIOC_ERR_ARG;
        w->payload_hash[64] = 0;
    } else {
        uint8_t digest[SIOC_SHA256_LEN];
        sioc_sha256(req->payload.len ? req->payload.ptr : (const uint8_t *)"", req->payload.len, digest);
        (void)sioc_hex_encode(digest, sizeof digest, w->payload_hash, sizeof w->payload_hash);
    }

    if (w->nh + 1 + (p->creds.session_token.len && !(p->flags & SIOC_SIGV4_UNSIGNED_TOKEN)) +
            ((p->flags & SIOC_SIGV4_ADD_CONTENT_SHA256) != 0) >
        SIOC_SIGV4_MAX_HEADERS)
        return SIOC_ERR_LIMIT;
    w->hdr[w->nh].name = sioc_str_c("x-amz-date");
    w->hdr[w->nh++].value = sioc_str_c(w->amz_date);
    if (p->creds.session_token.len && !(p->flags & SIOC_SIGV4_UNSIGNED_TOKEN)) {
        w->hdr[w->nh].name = sioc_str_c("x-amz-security-token");
        w->hdr[w->nh++].value = p->creds.session_token;
    }
    if (p->flags & SIOC_SIGV4_ADD_CONTENT_SHA256) {
        w->hdr[w->nh].name = sioc_str_c("x-amz-content-sha256");
        w->hdr[w->nh].value.ptr = w->payload_hash;
        w->hdr[w->nh++].value.len = 64;
    }
    /* stable insertion sort by lower-case name: repeated names keep their order (values joined with ',') */
    for (i = 0; i < w->nh; i++) {
        uint16_t v = (uint16_t)i;
        for (j = i; j > 0 && sioc__name_icmp(w->hdr[w->horder[j - 1]].name, w->hdr[v].name) > 0; j--)
            w->horder[j] = w->horder[j - 1];
        w->horder[j] = v;
    }

    /* query: sorted by encoded name, then encoded value */
    if (req->query_count > SIOC_SIGV4_MAX_QUERY) return SIOC_ERR_LIMIT;
    for (i = 0; i < req->query_count; i++) {
        const sioc_sigv4_pair *a = &req->query[i];
        if ((a->name.len && !a->name.ptr) || (a->value.len && !a->value.ptr)) return SIOC_ERR_ARG;
    }
    for (i = 0; i < req->query_count; i++) {
        uint16_t v = (uint16_t)i;
        for (j = i; j > 0; j--) {
            const sioc_sigv4_pair *a = &req->query[w->qorder[j - 1]], *b = &req->query[v];
            int c = sioc__enc_cmp(a->name, b->name);
            if (c == 0) c = sioc__enc_cmp(a->value, b->value);
            if (c <= 0) break;
            w->qorder[j] = w->qorder[j - 1];
        }
        w->qorder[j] = v;
    }

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

    /* scope: yyyymmdd/region/service/aws4_request */
    {
        sioc_buf b;
        sioc_buf_init(&b, w->scope, sizeof w->scope);
        sioc_buf_put(&b, w->amz_date, 8);
        sioc_buf_putc(&b, '/');
        sioc_buf_put(&b, p->region.ptr, p->region.len);
        sioc_buf_putc(&b, '/');
        sioc_buf_put(&b, p->service.ptr, p->service.len);
        sioc_buf_puts(&b, "/aws4_request");
        w->scope_len = b.len; /* fits: region and service are at most 64 bytes each */
    }
    return SIOC_OK;
}

/* The signed header list "a;b;c" (names lower-case, each once). */
static void sioc__signed_headers(const sioc__sigv4_prep *w, sioc__sigv4_sink *k, sioc_buf *b) {
    size_t i;
    int first = 1;
    for (i = 0; i < w->nh; i++) {
        const sioc_str name = w->hdr[w->horder[i]].name;
        if (i > 0 && sioc__name_icmp(w->hdr[w->horder[i - 1]].name, name) == 0) continue;
        if (!first) {
            if (k) sioc__sink_putc(k, ';');
            if (b) sioc_buf_putc(b, ';');
        }
        first = 0;
        if (k) sioc__sink_lower(k, name);
        if (b) {
            size_t j;
            for (j = 0; j < name.len; j++) sioc_buf_putc(b, (char)sioc__to_lower((unsigned char)name.ptr[j]));
        }
    }
}

/* Canonical request (SigV4 task 1), streamed into the sink. */
static void sioc__canonical(const sioc_sigv4_request *req, const sioc__sigv4_prep *w, sioc__sigv4_sink *k) {
    size_t i;
    sioc__sink_put(k, req->method.ptr, req->method.len);
    sioc__sink_putc(k, '\n');
    /* URI: each segment of the path as sent, encoded once more */
    for (i = 0; i < w->nseg; i++) {
        sioc__sink_putc(k, '/');
        sioc__sink_pct(k, w->seg[i].ptr, w->seg[i].len);
    }
    if (w->nseg == 0 || w->trailing_slash) sioc__sink_putc(k, '/');
    sioc__sink_putc(k, '\n');
    for (i = 0; i < req->query_count; i++) {
        const sioc_sigv4_pair *a = &req->query[w->qorder[i]];
        if (i) sioc__sink_putc(k, '&');
        sioc__sink_pct(k, a->name.ptr, a->name.len);
        sioc__sink_putc(k, '=');
        sioc__sink_pct(k, a->value.ptr, a->value.len);
    }
    sioc__sink_putc(k, '\n');
    for (i = 0; i < w->nh; i++) {
        const sioc_sigv4_pair *h = &w->hdr[w->horder[i]];
        if (i > 0 && sioc__name_icmp(w->hdr[w->horder[i - 1]].name, h->name) == 0) {
            sioc__sink_putc(k, ','); /* a repeated header: values joined in order */
        } else {
            if (i > 0) sioc__sink_putc(k, '\n');
            sioc__sink_lower(k, h->name);
            sioc__sink_putc(k, ':');
        }
        sioc__sink_value(k, h->value);
    }
    sioc__sink_put(k, "\n\n", 2);
    sioc__signed_headers(w, k, NULL);
    sioc__sink_putc(k, '\n');
    sioc__sink_put(k, w->payload_hash, 64);
}

/* String to sign (task 2) into an HMAC and/or a buffer. */
static void sioc__string_to_sign(const sioc__sigv4_prep *w, const uint8_t creq_hash[SIOC_SHA256_LEN],
                                 sioc_hmac_sha256_ctx *mac, sioc_buf *tap) {
    char hex[65];
    const char *parts[6];
    size_t lens[6], i;
    (void)sioc_hex_encode(creq_hash, SIOC_SHA256_LEN, hex, sizeof hex);
    parts[0] = "AWS4-HMAC-SHA256\n", lens[0] = 17;
    parts[1] = w->amz_date, lens[1] = 16;
    parts[2] = "\n", lens[2] = 1;
    parts[3] = w->scope, lens[3] = w->scope_len;
    parts[4] = "\n", lens[4] = 1;
    parts[5] = hex, lens[5] = 64;
    for (i = 0; i < 6; i++) {
        if (mac) sioc_hmac_sha256_update(mac, parts[i], lens[i]);
        if (tap) sioc_buf_put(tap, parts[i], lens[i]);
    }
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
    sioc_hmac_sha256(out, SIOC_SHA256_LEN, "aws4_request", 12, out);
    memset(k, 0, sizeof k);
}

static void sioc__fp_field(sioc_sha256_ctx *s, const void *p, size_t n) {
    uint8_t len[4];
    sioc__store_be32(len, (uint32_t)n);
    sioc_sha256_update(s, len, 4);
    sioc_sha256_update(s, p, n);
}

/* A keyed HMAC context for today's signing key, from the cache when it still matches. */
static void sioc__sigv4_key(const sioc_sigv4_params *p, const sioc__sigv4_prep *w, sioc_sigv4_key_cache *cache,
                            sioc_hmac_sha256_ctx *mac) {
    uint8_t id[SIOC_SHA256_LEN], key[SIOC_SHA256_LEN];
    if (cache) {
        sioc_sha256_ctx s;
        sioc_sha256_init(&s);
        sioc__fp_field(&s, p->creds.access_key_id.ptr, p->creds.access_key_id.len);
        sioc__fp_field(&s, p->creds.secret_access_key.ptr, p->creds.secret_access_key.len);
        sioc__fp_field(&s, w->scope, w->scope_len);
        sioc_sha256_final(&s, id);
        if (cache->valid && sioc_ct_equal(cache->id, id, sizeof id)) {
            *mac = cache->mac;
            return;
        }
    }
    sioc_sigv4_signing_key(p->creds.secret_access_key, w->amz_date, p->region, p->service, key);
    sioc_hmac_sha256_init(mac, key, sizeof key);
    memset(key, 0, sizeof key);
    if (cache) {
        memcpy(cache->id, id, sizeof id);
        cache->mac = *mac;
        cache->valid = 1;
    }
}

static void sioc__hash_canonical(const sioc_sigv4_request *req, const sioc__sigv4_prep *w, sioc_buf *tap,
                                 uint8_t out[SIOC_SHA256_LEN]) {
    sioc__sigv4_sink k;
    sioc_sha256_init(&k.sha);
    k.tap = tap;
    sioc__canonical(req, w, &k);
    sioc_sha256_final(&k.sha, out);
}

SIOC_API sioc_result sioc_sigv4_canonical_request(const sioc_sigv4_params *p, const sioc_sigv4_request *req,
                                                  sioc_buf *out) {
    sioc__sigv4_prep w;
    uint8_t h[SIOC_SHA256_LEN];
    sioc_result r = sioc__sigv4_prepare(p, req, &w);
    if (r != SIOC_OK) return r;
    sioc__hash_canonical(req, &w, out, h);
    return sioc_buf_result(out);
}

SIOC_API sioc_result sioc_sigv4_string_to_sign(const sioc_sigv4_params *p, const sioc_sigv4_request *req,
                                               sioc_buf *out) {
    sioc__sigv4_prep w;
    uint8_t h[SIOC_SHA256_LEN];
    sioc_result r = sioc__sigv4_prepare(p, req, &w);
    if (r != SIOC_OK) return r;
    sioc__hash_canonical(req, &w, NULL, h);
    sioc__string_to_sign(&w, h, NULL, out);
    return sioc_buf_result(out);
}

SIOC_API sioc_result sioc_sigv4_sign(const sioc_sigv4_params *p, const sioc_sigv4_request *req,
                                     sioc_sigv4_key_cache *cache, sioc_buf *auth, sioc_sigv4_result *out) {
    sioc__sigv4_prep w;
    uint8_t h[SIOC_SHA256_LEN], sig[SIOC_SHA256_LEN];
    sioc_hmac_sha256_ctx mac;
    sioc_result r;
    if (!auth || !out) return SIOC_ERR_ARG;
    r = sioc__sigv4_prepare(p, req, &w);
    if (r != SIOC_OK) return r;
    sioc__hash_canonical(req, &w, NULL, h);
    sioc__sigv4_key(p, &w, cache, &mac);
    sioc__string_to_sign(&w, h, &mac, NULL);
    sioc_hmac_sha256_final(&mac, sig);
    memset(&mac, 0, sizeof mac);
    memcpy(out->amz_date, w.amz_date, sizeof out->amz_date);
    memcpy(out->payload_hash, w.payload_hash, sizeof out->payload_hash);
    (void)sioc_hex_encode(sig, sizeof sig, out->signature, sizeof out->signature);
    /* Authorization: AWS4-HMAC-SHA256 Credential=<key id>/<scope>, SignedHeaders=<list>, Signature=<hex> */
    sioc_buf_puts(auth, "AWS4-HMAC-SHA256 Credential=");
    sioc_buf_put(auth, p->creds.access_key_id.ptr, p->creds.access_key_id.len);
    sioc_buf_putc(auth, '/');
    sioc_buf_put(auth, w.scope, w.scope_len);
    sioc_buf_puts(auth, ", SignedHeaders=");
    sioc__signed_headers(&w, NULL, auth);
    sioc_buf_puts(auth, ", Signature=");
    sioc_buf_put(auth, out->signature, 64);
    return sioc_buf_result(auth);
}
