/* ---- sas.c ---- */
#include "base.h"
#include "internal.h"
#include "crypto.h"
#include "sas.h"

/* >>sas tokens. Facts: docs/AZURE.md section 3; the two encodings reproduce @azure/core-amqp createSasTokenProvider
   (encodeURIComponent) and the @azure/service-bus ATOM client's SasServiceClientCredentials (lower-cased), checked
   against tests/vectors/sas. */

static const char sioc__sas_prefix[] = "SharedAccessSignature ";
#define SIOC__SAS_PREFIX_LEN (sizeof sioc__sas_prefix - 1)

/* encodeURIComponent keeps A-Z a-z 0-9 - _ . ! ~ * ' ( ) (ECMA-262 uriUnreserved). */
static int sioc__sas_keep(unsigned char c) {
    if ((c >= 'A' && c <= 'Z') || (c >= 'a' && c <= 'z') || (c >= '0' && c <= '9')) return 1;
    return c == '-' || c == '_' || c == '.' || c == '!' || c == '~' || c == '*' || c == '\'' || c == '(' ||
           c == ')';
}

/* Percent-encode s in the given style into a buffer and/or an HMAC, through a small stack chunk so the string to
   sign never needs a scratch buffer of its own. */
static void sioc__sas_encode(const char *s, size_t n, sioc_sas_style style, sioc_buf *buf,
                             sioc_hmac_sha256_ctx *mac) {
    static const char upper[] = "0123456789ABCDEF", lower[] = "0123456789abcdef";
    const char *hex = style == SIOC_SAS_LOWERCASED ? lower : upper;
    char chunk[64];
    size_t used = 0, i;
    for (i = 0; i < n; i++) {
        unsigned char c = (unsigned char)s[i];
        if (style == SIOC_SAS_LOWERCASED) c = (unsigned char)sioc__to_lower(c);
        if (used + 3 > sizeof chunk) {
            if (buf) sioc_buf_put(buf, chunk, used);
            if (mac) sioc_hmac_sha256_update(mac, chunk, used);
            used = 0;
        }
        if (sioc__sas_keep(c)) {
            chunk[used++] = (char)c;
        } else {
            chunk[used++] = '%';
            chunk[used++] = hex[c >> 4];
            chunk[used++] = hex[c & 15];
        }
    }
    if (buf) sioc_buf_put(buf, chunk, used);
    if (mac) sioc_hmac_sha256_update(mac, chunk, used);
}

/* Decimal digits of a non-negative expiry into tmp (no padding); returns the count. */
static size_t sioc__sas_decimal(int64_t v, char tmp[20]) {
    char rev[20];
    size_t n = 0, i;
    uint64_t u = (uint64_t)v;
    do {
        uint32_t digit;
        u = sioc__udiv64(u, 10u, &digit);
        rev[n++] = (char)('0' + (int)digit);
    } while (u != 0);
    for (i = 0; i < n; i++) tmp[i] = rev[n - 1 - i];
    return n;
}

/* Finish HMAC(key, <already fed sr> "\n" se) and base64 it into out (44 chars + NUL). */
static void sioc__sas_finish(sioc_hmac_sha256_ctx *mac, int64_t expiry, char out[SIOC_SAS_SIG_LEN + 1]) {
    uint8_t digest[SIOC_SHA256_LEN];
    char dec[20];
    size_t n = sioc__sas_decimal(expiry, dec), outn = 0;
    sioc_hmac_sha256_update(mac, "\n", 1);
    sioc_hmac_sha256_update(mac, dec, n);
    sioc_hmac_sha256_final(mac, digest);
    /* 32 bytes always fit the 45-byte output. */
    if (sioc_base64_encode(digest, sizeof digest, out, SIOC_SAS_SIG_LEN + 1, &outn) != SIOC_OK) out[0] = 0;
    sioc__wipe(digest, sizeof digest);
    sioc__wipe(mac, sizeof *mac); /* keyed state is key material */
}

SIOC_API void sioc_sas_encode_resource(sioc_buf *out, sioc_str uri, sioc_sas_style style) {
    sioc__sas_encode(uri.ptr, uri.len, style, out, NULL);
}

SIOC_API sioc_result sioc_sas_sign(sioc_str key, sioc_str sr, int64_t expiry, char out[SIOC_SAS_SIG_LEN + 1]) {
    sioc_hmac_sha256_ctx mac;
    out[0] = 0;
    if (expiry < 0) return SIOC_ERR_RANGE;
    sioc_hmac_sha256_init(&mac, key.ptr, key.len);
    sioc_hmac_sha256_update(&mac, sr.ptr, sr.len);
    sioc__sas_finish(&mac, expiry, out);
    return SIOC_OK;
}

SIOC_API sioc_result sioc_sas_token(const sioc_sas_params *p, sioc_buf *out) {
    sioc_hmac_sha256_ctx mac;
    char sig[SIOC_SAS_SIG_LEN + 1];
    sioc_sas_style style;
    if (!p || !out) return SIOC_ERR_ARG;
    if (p->resource_uri.len == 0 || p->key_name.len == 0 || p->key.len == 0) return SIOC_ERR_ARG;
    if (p->expiry < 0) return SIOC_ERR_RANGE;
    style = p->style == SIOC_SAS_LOWERCASED ? SIOC_SAS_LOWERCASED : SIOC_SAS_CASE_PRESERVING;
    sioc_hmac_sha256_init(&mac, p->key.ptr, p->key.len);
    sioc__sas_encode(p->resource_uri.ptr, p->resource_uri.len, style, NULL, &mac);
    sioc__sas_finish(&mac, p->expiry, sig);

    sioc_buf_put(out, sioc__sas_prefix, SIOC__SAS_PREFIX_LEN);
    if (style == SIOC_SAS_CASE_PRESERVING) {
        sioc_buf_puts(out, "sr=");
        sioc__sas_encode(p->resource_uri.ptr, p->resource_uri.len, style, out, NULL);
        sioc_buf_puts(out, "&");
    }
    /* sig, se, skn in both orders. skn is encodeURIComponent-ed (core-amqp does; the ATOM client sends it raw,
       which is the same text for the letters, digits, '.', '-' and '_' that rule names may hold). */
    sioc_buf_puts(out, "sig=");
    sioc_pct_encode(out, sig, SIOC_SAS_SIG_LEN, SIOC_PCT_URI_COMPONENT);
    sioc_buf_puts(out, "&se=");
    sioc_buf_put_i64(out, p->expiry);
    sioc_buf_puts(out, "&skn=");
    sioc_pct_encode(out, p->key_name.ptr, p->key_name.len, SIOC_PCT_URI_COMPONENT);
    if (style == SIOC_SAS_LOWERCASED) {
        sioc_buf_puts(out, "&sr=");
        sioc__sas_encode(p->resource_uri.ptr, p->resource_uri.len, style, out, NULL);
    }
    sioc__wipe(sig, sizeof sig);
    return sioc_buf_result(out);
}

SIOC_API int64_t sioc_sas_renew_at(int64_t expiry, int64_t lifetime) {
    if (lifetime <= 0) lifetime = SIOC_SAS_DEFAULT_LIFETIME;
    return expiry - lifetime / 4;
}

SIOC_API int sioc_sas_should_renew(int64_t now, int64_t expiry, int64_t lifetime) {
    if (expiry <= 0) return 1;
    return now >= sioc_sas_renew_at(expiry, lifetime);
}

/* Decimal int64 without sign, padding-insensitive; SIOC_ERR_PARSE on anything else or overflow. */
static sioc_result sioc__sas_parse_i64(sioc_str s, int64_t *out) {
    uint64_t v = 0;
    size_t i;
    if (s.len == 0) return SIOC_ERR_PARSE;
    for (i = 0; i < s.len; i++) {
        unsigned d;
        if (!sioc__is_digit((unsigned char)s.ptr[i])) return SIOC_ERR_PARSE;
        d = (unsigned)(s.ptr[i] - '0');
        if (v > UINT64_C(0x7FFFFFFFFFFFFFFF) / 10u || (v == UINT64_C(0x7FFFFFFFFFFFFFFF) / 10u && d > 7u))
            return SIOC_ERR_PARSE; /* over INT64_MAX (9223372036854775807) */
        v = v * 10u + d;
    }
    *out = (int64_t)v;
    return SIOC_OK;
}

SIOC_API sioc_result sioc_sas_parse_token(sioc_str token, sioc_sas_token_view *out) {
    size_t i;
    int have_se = 0;
    sioc_str se = {NULL, 0};
    if (!out) return SIOC_ERR_ARG;
    memset(out, 0, sizeof *out);
    if (!token.ptr || token.len < SIOC__SAS_PREFIX_LEN ||
        memcmp(token.ptr, sioc__sas_prefix, SIOC__SAS_PREFIX_LEN) != 0)
        return SIOC_ERR_PARSE;
    i = SIOC__SAS_PREFIX_LEN;
    while (i <= token.len) {
        size_t start = i, eq = 0, end;
        int found_eq = 0;
        sioc_str name, value, *slot = NULL;
        while (i < token.len && token.ptr[i] != '&') {
            if (!found_eq && token.ptr[i] == '=') {
                eq = i;
                found_eq = 1;
            }
            i++;
        }
        end = i;
        i++; /* past '&' (or past the end, which stops the loop) */
        if (!found_eq) return SIOC_ERR_PARSE;
        name.ptr = token.ptr + start;
        name.len = eq - start;
        value.ptr = token.ptr + eq + 1;
        value.len = end - eq - 1;
        if (name.len == 2 && memcmp(name.ptr, "sr", 2) == 0) slot = &out->sr;
        else if (name.len == 3 && memcmp(name.ptr, "sig", 3) == 0) slot = &out->sig;
        else if (name.len == 3 && memcmp(name.ptr, "skn", 3) == 0) slot = &out->skn;
        else if (name.len == 2 && memcmp(name.ptr, "se", 2) == 0) slot = &se;
        if (!slot) continue; /* unknown field: ignored, as the field order and set are free */
        if (slot->ptr || value.len == 0) return SIOC_ERR_PARSE;
        *slot = value;
        if (slot == &se) have_se = 1;
    }
    if (!out->sr.ptr || !out->sig.ptr || !out->skn.ptr || !have_se ||
        sioc__sas_parse_i64(se, &out->se) != SIOC_OK) {
        memset(out, 0, sizeof *out);
        return SIOC_ERR_PARSE;
    }
    return SIOC_OK;
}

SIOC_API sioc_result sioc_sas_verify(sioc_str token, sioc_str key_name, sioc_str key, int64_t now) {
    sioc_sas_token_view v;
    char want[SIOC_SAS_SIG_LEN + 1];
    uint8_t got[SIOC_SAS_SIG_LEN + 1], name[SIOC_SAS_MAX_KEY_NAME];
    sioc_buf b;
    int ok;
    sioc_result r = sioc_sas_parse_token(token, &v);
    if (r != SIOC_OK) return r;
    sioc_buf_init(&b, name, sizeof name);
    if (sioc_pct_decode(v.skn.ptr, v.skn.len, 0, &b) != SIOC_OK) return SIOC_ERR_PARSE;
    if (sioc_buf_result(&b) != SIOC_OK || b.len != key_name.len || memcmp(name, key_name.ptr, b.len) != 0)
        return SIOC_ERR_AUTH;
    sioc_buf_init(&b, got, sizeof got);
    if (sioc_pct_decode(v.sig.ptr, v.sig.len, 0, &b) != SIOC_OK) return SIOC_ERR_PARSE;
    if (sioc_buf_result(&b) != SIOC_OK || b.len != SIOC_SAS_SIG_LEN) return SIOC_ERR_AUTH;
    if (sioc_sas_sign(key, v.sr, v.se, want) != SIOC_OK) return SIOC_ERR_AUTH;
    ok = sioc_ct_equal(want, got, SIOC_SAS_SIG_LEN);
    sioc__wipe(want, sizeof want);
    if (!ok) return SIOC_ERR_AUTH;
    return now < v.se ? SIOC_OK : SIOC_ERR_AUTH;
}

/* >>connection strings */

static int sioc__sas_space(int c) { return c == ' ' || c == '\t' || c == '\r' || c == '\n' || c == '\v' || c == '\f'; }

static sioc_str sioc__sas_trim(const char *p, size_t n) {
    sioc_str s;
    while (n && sioc__sas_space((unsigned char)p[0])) p++, n--;
    while (n && sioc__sas_space((unsigned char)p[n - 1])) n--;
    s.ptr = p;
    s.len = n;
    return s;
}

static int sioc__sas_ieq(sioc_str a, const char *lit) {
    size_t i, n = strlen(lit);
    if (a.len != n) return 0;
    for (i = 0; i < n; i++)
        if (sioc__to_lower((unsigned char)a.ptr[i]) != sioc__to_lower((unsigned char)lit[i])) return 0;
    return 1;
}

/* Host name characters (RFC 3986 reg-name, restricted to what DNS names and IPv4 literals use). */
static int sioc__sas_host_char(int c) {
    return (c >= 'A' && c <= 'Z') || (c >= 'a' && c <= 'z') || sioc__is_digit(c) || c == '-' || c == '.' ||
           c == '_';
}

/* "scheme://host[:port][/path]" into scheme, host, port. */
/* NULL when the Endpoint value is good, else what is wrong with it (its text is not repeated). */
static const char *sioc__sas_endpoint(sioc_str ep, sioc_sas_connstr *out) {
    size_t i = 0, h;
    const char *p = ep.ptr;
    while (i < ep.len && ((p[i] >= 'a' && p[i] <= 'z') || (p[i] >= 'A' && p[i] <= 'Z') ||
                          (i > 0 && (sioc__is_digit((unsigned char)p[i]) || p[i] == '+' || p[i] == '-' ||
                                     p[i] == '.'))))
        i++;
    if (i == 0 || ep.len - i < 3 || memcmp(p + i, "://", 3) != 0) return SIOC__TEXT("Endpoint has no scheme:// ");
    out->scheme.ptr = p;
    out->scheme.len = i;
    i += 3;
    h = i;
    if (i < ep.len && p[i] == '[') { /* IPv6 literal, brackets kept */
        i++;
        while (i < ep.len && (sioc__hex_val((unsigned char)p[i]) >= 0 || p[i] == ':' || p[i] == '.')) i++;
        if (i >= ep.len || p[i] != ']' || i == h + 1) return SIOC__TEXT("Endpoint has a bad [IPv6] host ");
        i++;
    } else {
        while (i < ep.len && sioc__sas_host_char((unsigned char)p[i])) i++;
        if (i == h) return SIOC__TEXT("Endpoint has an empty or invalid host ");
    }
    out->host.ptr = p + h;
    out->host.len = i - h;
    if (i < ep.len && p[i] == ':') {
        uint32_t port = 0;
        size_t d = ++i;
        while (i < ep.len && sioc__is_digit((unsigned char)p[i]) && i - d < 5) port = port * 10u + (uint32_t)(p[i++] - '0');
        if (i == d || port == 0 || port > 65535) return SIOC__TEXT("Endpoint port is not 1..65535 ");
        out->port = (uint16_t)port;
    }
    if (i < ep.len && p[i] != '/') return SIOC__TEXT("Endpoint has more than a path after host[:port] ");
    for (; i < ep.len; i++) /* the path is ignored, but must stay a path */
        if (p[i] == '?' || p[i] == '#' || p[i] == ' ') return SIOC__TEXT("Endpoint has a query or fragment ");
    return NULL;
}

SIOC_API sioc_result sioc_sas_parse_connection_string(sioc_str text, sioc_sas_connstr *out) {
    enum { K_ENDPOINT, K_KEY_NAME, K_KEY, K_SIG, K_ENTITY, K_EMULATOR, K_COUNT };
    static const char names[K_COUNT][23] = { /* rows: dropped with the table (sioc_node_event_name) */
                                            "Endpoint",        "SharedAccessKeyName", "SharedAccessKey",
                                               "SharedAccessSignature", "EntityPath",   "UseDevelopmentEmulator"};
    sioc_str vals[K_COUNT];
    int seen[K_COUNT];
    size_t i = 0, k;
    sioc_result r = SIOC_ERR_PARSE;
    const char *why = NULL, *field = NULL; /* what is wrong, and with which name (for out->detail) */
    if (!out) return SIOC_ERR_ARG;
    memset(out, 0, sizeof *out);
    memset(vals, 0, sizeof vals);
    memset(seen, 0, sizeof seen);
    if (!text.ptr) text.len = 0;
    while (i < text.len) {
        size_t start = i, eq;
        sioc_str piece, name, value;
        while (i < text.len && text.ptr[i] != ';') i++;
        piece = sioc__sas_trim(text.ptr + start, i - start);
        i++;
        if (piece.len == 0) continue;
        for (eq = 0; eq < piece.len && piece.ptr[eq] != '='; eq++) {
        }
        why = SIOC__TEXT("a piece without '=' (expected Name=value;Name=value)");
        if (eq == piece.len) goto fail;
        name = sioc__sas_trim(piece.ptr, eq);
        value = sioc__sas_trim(piece.ptr + eq + 1, piece.len - eq - 1);
        why = SIOC__TEXT("a piece with an empty name before '='");
        if (name.len == 0) goto fail;
        for (k = 0; k < K_COUNT; k++)
            if (sioc__sas_ieq(name, names[k])) break;
        if (k == K_COUNT) continue; /* unknown names are ignored, as the SDK does */
        field = names[k];
        why = SIOC__TEXT(" given twice");
        if (seen[k]) goto fail; /* ambiguous: the SDK would silently keep the last */
        seen[k] = 1;
        why = SIOC__TEXT(" holds a control character");
        for (eq = 0; eq < value.len; eq++) {
            unsigned char c = (unsigned char)value.ptr[eq];
            if (c < 0x20 || c == 0x7f) goto fail; /* values reach HTTP headers: no CR/LF injection */
        }
        field = NULL;
        vals[k] = value;
    }
    if (vals[K_EMULATOR].len) {
        why = SIOC__TEXT("UseDevelopmentEmulator is neither true nor false");
        if (sioc__sas_ieq(vals[K_EMULATOR], "true")) out->use_development_emulator = 1;
        else if (!sioc__sas_ieq(vals[K_EMULATOR], "false")) goto fail;
    }
    r = SIOC_ERR_ARG;
    why = SIOC__TEXT("Endpoint missing ");
    if (vals[K_ENDPOINT].len == 0) goto fail;
    if (vals[K_SIG].len) {
        why = SIOC__TEXT("SharedAccessSignature together with SharedAccessKey or SharedAccessKeyName");
        if (vals[K_KEY].len || vals[K_KEY_NAME].len) goto fail;
    } else if (vals[K_KEY].len == 0 || vals[K_KEY_NAME].len == 0) {
        why = SIOC__TEXT(vals[K_KEY].len         ? "SharedAccessKey without SharedAccessKeyName"
                         : vals[K_KEY_NAME].len ? "SharedAccessKeyName without SharedAccessKey"
                                                 : "no credentials: SharedAccessKeyName + SharedAccessKey, or SharedAccessSignature");
        goto fail;
    }
    r = SIOC_ERR_PARSE;
    out->endpoint = vals[K_ENDPOINT];
    why = sioc__sas_endpoint(vals[K_ENDPOINT], out);
    if (why) goto fail;
    if (vals[K_SIG].len) {
        sioc_sas_token_view v;
        why = SIOC__TEXT("SharedAccessSignature is not a token (SharedAccessSignature sr=..&sig=..&se=..&skn=..)");
        if (sioc_sas_parse_token(vals[K_SIG], &v) != SIOC_OK) goto fail;
        out->signature = vals[K_SIG];
        out->signature_expiry = v.se;
    }
    out->key_name = vals[K_KEY_NAME];
    out->key = vals[K_KEY];
    out->entity_path = vals[K_ENTITY];
    return SIOC_OK;
fail:
    memset(out, 0, sizeof *out);
    {
        size_t n = why ? strlen(why) : 0;
        int example = n > 0 && why[n - 1] == ' '; /* an Endpoint problem: show the expected form */
        sioc_buf b;
        sioc__detail_start(&b, out->detail, sizeof out->detail);
        if (!SIOC_ENABLE_ERROR_STRINGS) return r; /* no text to build */
        sioc_buf_puts(&b, "connection string: ");
        if (field) sioc_buf_puts(&b, field);
        sioc_buf_put(&b, why ? why : "malformed", example ? n - 1 : n);
        if (example) sioc_buf_puts(&b, " (Endpoint=sb://<namespace>.servicebus.windows.net/)");
        sioc__detail_end(&b);
    }
    return r;
}
