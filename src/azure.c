/* ---- azure.c ---- */
#include "base.h"
#include "internal.h"
#include "json.h"
#include "xml.h"
#include "sas.h"
#include "cluster_msg.h"
#include "http.h"
#include "posix.h"
#include "azure.h"

#if SIOC_ENABLE_AZURE

/* >>helpers (all static names carry sioc__az_: one translation unit in the amalgamation) */

/* Case-insensitive ASCII comparison of a view with a lower-case C string. */
static int sioc__az_name_is(sioc_str name, const char *lower) {
    size_t i, n = strlen(lower);
    if (name.len != n) return 0;
    for (i = 0; i < n; i++)
        if (sioc__to_lower((unsigned char)name.ptr[i]) != lower[i]) return 0;
    return 1;
}

static const char sioc__az_op_names[SIOC_AZURE_OP_COUNT_][20] = { /* rows: dropped with the table (sioc_node_event_name) */
    "send", "receive", "receive-and-delete", "complete", "unlock", "renew-lock", "get-topic", "create-topic",
    "get-subscription", "create-subscription", "delete-subscription"};

SIOC_API const char *sioc_azure_op_name(sioc_azure_op op) {
    return ((unsigned)op < SIOC_AZURE_OP_COUNT_) ? sioc__az_op_names[op] : "?";
}

static int sioc__az_is_lock_op(sioc_azure_op op) {
    return op == SIOC_AZURE_OP_COMPLETE || op == SIOC_AZURE_OP_UNLOCK || op == SIOC_AZURE_OP_RENEW;
}

/* docs/AZURE.md section 6. */
SIOC_API sioc_result sioc_azure_classify(sioc_azure_op op, int status, sioc_azure_error_kind *out_kind) {
    sioc_azure_error_kind k;
    sioc_result r;
    if (status >= 200 && status < 300) {
        k = SIOC_AZURE_E_NONE;
        r = SIOC_OK;
    } else if (status == 409 && (op == SIOC_AZURE_OP_CREATE_TOPIC || op == SIOC_AZURE_OP_CREATE_SUBSCRIPTION)) {
        k = SIOC_AZURE_E_CONFLICT; /* exists: the wanted state holds (Q20) */
        r = SIOC_OK;
    } else if (status == 404 && op == SIOC_AZURE_OP_DELETE_SUBSCRIPTION) {
        k = SIOC_AZURE_E_NOT_FOUND; /* already gone */
        r = SIOC_OK;
    } else if (status == 400) {
        k = SIOC_AZURE_E_BAD_REQUEST;
        r = SIOC_ERR_HTTP_STATUS;
    } else if (status == 401) {
        k = SIOC_AZURE_E_AUTH;
        r = SIOC_ERR_AUTH;
    } else if (status == 403) {
        k = op == SIOC_AZURE_OP_SEND ? SIOC_AZURE_E_TOO_LARGE : SIOC_AZURE_E_QUOTA;
        r = op == SIOC_AZURE_OP_SEND ? SIOC_ERR_TOO_LARGE : SIOC_ERR_LIMIT;
    } else if (status == 404) {
        k = sioc__az_is_lock_op(op) ? SIOC_AZURE_E_LOCK_LOST : SIOC_AZURE_E_NOT_FOUND;
        r = SIOC_ERR_NOT_FOUND;
    } else if (status == 409) {
        k = SIOC_AZURE_E_CONFLICT;
        r = SIOC_ERR_HTTP_STATUS;
    } else if (status == 410) {
        k = SIOC_AZURE_E_ENTITY_GONE;
        r = SIOC_ERR_NOT_FOUND;
    } else if (status == 429 || status == 503) {
        k = SIOC_AZURE_E_THROTTLED;
        r = SIOC_ERR_THROTTLED;
    } else if (status >= 500 && status < 600) {
        k = SIOC_AZURE_E_SERVER;
        r = SIOC_ERR_SERVER;
    } else {
        k = SIOC_AZURE_E_OTHER;
        r = SIOC_ERR_HTTP_STATUS;
    }
    if (out_kind) *out_kind = k;
    return r;
}

SIOC_API int sioc_azure_name_ok(sioc_str name) {
    size_t i;
    if (!name.ptr || name.len == 0 || name.len > SIOC_AZURE_MAX_NAME) return 0;
    for (i = 0; i < name.len; i++) {
        unsigned char ch = (unsigned char)name.ptr[i];
        if (!((ch >= 'a' && ch <= 'z') || (ch >= 'A' && ch <= 'Z') || sioc__is_digit(ch) || ch == '.' || ch == '-' ||
              ch == '_'))
            return 0;
    }
    /* "." and ".." would be path segments of another meaning */
    if ((name.len == 1 && name.ptr[0] == '.') || (name.len == 2 && name.ptr[0] == '.' && name.ptr[1] == '.')) return 0;
    return 1;
}

/* >>request pieces */

/* -?digits, the Int64 syntax of a bare custom property. */
static int sioc__az_is_int(sioc_str v) {
    size_t i = 0;
    if (v.len && v.ptr[0] == '-') i++;
    if (i == v.len || v.len - i > 19) return 0;
    for (; i < v.len; i++)
        if (!sioc__is_digit((unsigned char)v.ptr[i])) return 0;
    return 1;
}

/* A JSON-grammar number (the Double syntax), validated by the JSON reader. */
static int sioc__az_is_number(sioc_str v) {
    sioc_json d;
    sioc_json_tok t[1];
    if (v.len == 0 || v.len > 64) return 0;
    if (sioc_json_parse(&d, v.ptr, v.len, t, 1) != SIOC_OK) return 0;
    return t[0].type == SIOC_JSON_NUMBER;
}

SIOC_API sioc_result sioc_azure_write_prop_value(sioc_buf *out, const sioc_azure_prop *p) {
    size_t i;
    if (!out || !p || (p->value.len && !p->value.ptr)) return SIOC_ERR_ARG;
    switch (p->type) {
    case SIOC_AZURE_PROP_STRING:
        for (i = 0; i < p->value.len; i++) {
            unsigned char ch = (unsigned char)p->value.ptr[i];
            if (ch < 0x20 || ch >= 0x7F || ch == '"' || ch == '\\') return SIOC_ERR_ARG; /* no documented escape */
        }
        sioc_buf_putc(out, '"');
        sioc_buf_put(out, p->value.ptr, p->value.len);
        sioc_buf_putc(out, '"');
        break;
    case SIOC_AZURE_PROP_INT:
        if (!sioc__az_is_int(p->value)) return SIOC_ERR_ARG;
        sioc_buf_put(out, p->value.ptr, p->value.len);
        break;
    case SIOC_AZURE_PROP_DOUBLE:
        if (!sioc__az_is_number(p->value)) return SIOC_ERR_ARG;
        sioc_buf_put(out, p->value.ptr, p->value.len);
        break;
    case SIOC_AZURE_PROP_BOOL:
        if (!sioc_str_eq(p->value, sioc_str_c("true")) && !sioc_str_eq(p->value, sioc_str_c("false")))
            return SIOC_ERR_ARG;
        sioc_buf_put(out, p->value.ptr, p->value.len);
        break;
    default:
        return SIOC_ERR_ARG;
    }
    return sioc_buf_result(out);
}

SIOC_API sioc_result sioc_azure_write_broker_props(sioc_buf *out, const sioc_azure_send_opts *o) {
    sioc_json_writer w;
    if (!out || !o) return SIOC_ERR_ARG;
    if (!o->message_id.len && !o->time_to_live_s && !o->label.len && !o->correlation_id.len) return SIOC_OK;
    sioc_json_writer_init(&w, out);
    sioc_json_write_object_begin(&w);
    if (o->message_id.len) {
        sioc_json_write_key(&w, "MessageId", 9);
        sioc_json_write_str(&w, o->message_id.ptr, o->message_id.len);
    }
    if (o->time_to_live_s) {
        sioc_json_write_key(&w, "TimeToLive", 10);
        sioc_json_write_u64(&w, o->time_to_live_s);
    }
    if (o->label.len) {
        sioc_json_write_key(&w, "Label", 5);
        sioc_json_write_str(&w, o->label.ptr, o->label.len);
    }
    if (o->correlation_id.len) {
        sioc_json_write_key(&w, "CorrelationId", 13);
        sioc_json_write_str(&w, o->correlation_id.ptr, o->correlation_id.len);
    }
    sioc_json_write_object_end(&w);
    return sioc_buf_result(out);
}

SIOC_API void sioc_azure_write_duration(sioc_buf *out, uint32_t s) {
    uint32_t d = s / 86400, h = (s / 3600) % 24, m = (s / 60) % 60, sec = s % 60;
    sioc_buf_putc(out, 'P');
    if (d) {
        sioc_buf_put_u64(out, d);
        sioc_buf_putc(out, 'D');
    }
    if (!h && !m && !sec && d) return;
    sioc_buf_putc(out, 'T');
    if (h) {
        sioc_buf_put_u64(out, h);
        sioc_buf_putc(out, 'H');
    }
    if (m) {
        sioc_buf_put_u64(out, m);
        sioc_buf_putc(out, 'M');
    }
    if (sec || (!h && !m)) {
        sioc_buf_put_u64(out, sec);
        sioc_buf_putc(out, 'S');
    }
}

#define SIOC__AZ_NS_SB "http://schemas.microsoft.com/netservices/2010/10/servicebus/connect"
#define SIOC__AZ_NS_I "http://www.w3.org/2001/XMLSchema-instance"

static void sioc__az_entry_begin(sioc_buf *out, sioc_str updated) {
    sioc_buf_puts(out, "<?xml version=\"1.0\" encoding=\"UTF-8\" standalone=\"yes\"?>"
                       "<entry xmlns=\"http://www.w3.org/2005/Atom\">");
    if (updated.len) {
        sioc_buf_puts(out, "<updated>");
        sioc_buf_put(out, updated.ptr, updated.len);
        sioc_buf_puts(out, "</updated>");
    }
    sioc_buf_puts(out, "<content type=\"application/xml\">");
}

static void sioc__az_dur_elem(sioc_buf *out, const char *name, uint32_t s) {
    if (!s) return;
    sioc_buf_putc(out, '<');
    sioc_buf_puts(out, name);
    sioc_buf_putc(out, '>');
    sioc_azure_write_duration(out, s);
    sioc_buf_puts(out, "</");
    sioc_buf_puts(out, name);
    sioc_buf_putc(out, '>');
}

static void sioc__az_u32_elem(sioc_buf *out, const char *name, uint32_t v) {
    if (!v) return;
    sioc_buf_putc(out, '<');
    sioc_buf_puts(out, name);
    sioc_buf_putc(out, '>');
    sioc_buf_put_u64(out, v);
    sioc_buf_puts(out, "</");
    sioc_buf_puts(out, name);
    sioc_buf_putc(out, '>');
}

static int sioc__az_updated_ok(sioc_str u) {
    size_t i;
    for (i = 0; i < u.len; i++) {
        char ch = u.ptr[i];
        if (!(sioc__is_digit((unsigned char)ch) || ch == '-' || ch == ':' || ch == '.' || ch == 'T' || ch == 'Z' ||
              ch == '+'))
            return 0;
    }
    return 1;
}

/* The element names and their order are the service's (docs/AZURE.md 5.2): misordered values are ignored by it. */
SIOC_API sioc_result sioc_azure_write_topic_entry(sioc_buf *out, const sioc_azure_topic_opts *o) {
    sioc_azure_topic_opts none;
    if (!out) return SIOC_ERR_ARG;
    if (!o) {
        memset(&none, 0, sizeof none);
        o = &none;
    }
    if (!sioc__az_updated_ok(o->updated)) return SIOC_ERR_ARG;
    sioc__az_entry_begin(out, o->updated);
    sioc_buf_puts(out, "<TopicDescription xmlns=\"" SIOC__AZ_NS_SB "\" xmlns:i=\"" SIOC__AZ_NS_I "\"");
    if (!o->default_ttl_s && !o->max_size_mb && !o->auto_delete_on_idle_s) {
        sioc_buf_puts(out, "/>");
    } else {
        sioc_buf_putc(out, '>');
        sioc__az_dur_elem(out, "DefaultMessageTimeToLive", o->default_ttl_s);
        sioc__az_u32_elem(out, "MaxSizeInMegabytes", o->max_size_mb);
        sioc__az_dur_elem(out, "AutoDeleteOnIdle", o->auto_delete_on_idle_s);
        sioc_buf_puts(out, "</TopicDescription>");
    }
    sioc_buf_puts(out, "</content></entry>");
    return sioc_buf_result(out);
}

SIOC_API sioc_result sioc_azure_write_subscription_entry(sioc_buf *out, const sioc_azure_sub_opts *o) {
    sioc_azure_sub_opts none;
    if (!out) return SIOC_ERR_ARG;
    if (!o) {
        memset(&none, 0, sizeof none);
        o = &none;
    }
    if (!sioc__az_updated_ok(o->updated)) return SIOC_ERR_ARG;
    sioc__az_entry_begin(out, o->updated);
    sioc_buf_puts(out, "<SubscriptionDescription xmlns=\"" SIOC__AZ_NS_SB "\" xmlns:i=\"" SIOC__AZ_NS_I "\"");
    if (!o->lock_duration_s && !o->default_ttl_s && !o->max_delivery_count && !o->auto_delete_on_idle_s) {
        sioc_buf_puts(out, "/>");
    } else {
        sioc_buf_putc(out, '>');
        sioc__az_dur_elem(out, "LockDuration", o->lock_duration_s);
        sioc__az_dur_elem(out, "DefaultMessageTimeToLive", o->default_ttl_s);
        sioc__az_u32_elem(out, "MaxDeliveryCount", o->max_delivery_count);
        sioc__az_dur_elem(out, "AutoDeleteOnIdle", o->auto_delete_on_idle_s);
        sioc_buf_puts(out, "</SubscriptionDescription>");
    }
    sioc_buf_puts(out, "</content></entry>");
    return sioc_buf_result(out);
}

SIOC_API sioc_result sioc_azure_subscription_name(sioc_buf *out, sioc_str prefix, uint64_t id) {
    static const char hex[] = "0123456789abcdef";
    char name[SIOC_AZURE_MAX_NAME + 1];
    int i;
    if (!out || !prefix.ptr || prefix.len == 0 || prefix.len + 17 > SIOC_AZURE_MAX_NAME) return SIOC_ERR_ARG;
    memcpy(name, prefix.ptr, prefix.len);
    name[prefix.len] = '-';
    for (i = 0; i < 16; i++) name[prefix.len + 1 + (size_t)i] = hex[(id >> (60 - 4 * i)) & 15];
    if (!sioc_azure_name_ok(sioc_str_n(name, prefix.len + 17))) return SIOC_ERR_ARG;
    sioc_buf_put(out, name, prefix.len + 17);
    return sioc_buf_result(out);
}

/* >>response parsers */

SIOC_API sioc_result sioc_azure_parse_prop_value(sioc_str raw, sioc_buf *scratch, sioc_azure_prop_type *out_type,
                                                 sioc_str *out_value) {
    if (!out_type || !out_value || (raw.len && !raw.ptr)) return SIOC_ERR_ARG;
    out_value->ptr = "";
    out_value->len = 0;
    if (raw.len >= 2 && raw.ptr[0] == '"' && raw.ptr[raw.len - 1] == '"') {
        sioc_str inner = sioc_str_n(raw.ptr + 1, raw.len - 2);
        *out_type = SIOC_AZURE_PROP_STRING;
        if (!memchr(inner.ptr, '\\', inner.len)) {
            if (memchr(inner.ptr, '"', inner.len)) return SIOC_ERR_PARSE;
            *out_value = inner;
            return SIOC_OK;
        }
        {
            /* JSON-style escapes (\", \\, \uXXXX): the quoted value is a JSON string */
            sioc_json d;
            sioc_json_tok t[1];
            size_t start, n = 0;
            char *p;
            sioc_result r = sioc_json_parse(&d, raw.ptr, raw.len, t, 1);
            if (r != SIOC_OK || t[0].type != SIOC_JSON_STRING) return SIOC_ERR_PARSE;
            start = scratch ? scratch->len : 0;
            p = (char *)sioc_buf_reserve(scratch, inner.len + 1); /* unescaping never grows the text */
            if (!p) return SIOC_ERR_BUFFER_TOO_SMALL;
            r = sioc_json_get_str(&d, 0, p, inner.len + 1, &n);
            if (r != SIOC_OK) {
                scratch->len = start;
                return r == SIOC_ERR_BUFFER_TOO_SMALL ? SIOC_ERR_PARSE : r;
            }
            scratch->len = start + n + 1;
            out_value->ptr = p;
            out_value->len = n;
            return SIOC_OK;
        }
    }
    *out_value = raw;
    if (sioc_str_eq(raw, sioc_str_c("true")) || sioc_str_eq(raw, sioc_str_c("false"))) {
        *out_type = SIOC_AZURE_PROP_BOOL;
        return SIOC_OK;
    }
    if (sioc__az_is_int(raw)) {
        *out_type = SIOC_AZURE_PROP_INT;
        return SIOC_OK;
    }
    if (sioc__az_is_number(raw)) {
        *out_type = SIOC_AZURE_PROP_DOUBLE;
        return SIOC_OK;
    }
    out_value->ptr = "";
    return SIOC_ERR_PARSE;
}

#define SIOC__AZ_BP_TOKENS 64 /* BrokerProperties has about a dozen keys */

static sioc_result sioc__az_jstr(const sioc_json *d, int obj, const char *key, sioc_buf *scratch, sioc_str *out) {
    int t = sioc_json_find(d, obj, key);
    size_t n = 0, start;
    char *p;
    sioc_result r;
    out->ptr = "";
    out->len = 0;
    if (t < 0 || sioc_json_is_null(d, t)) return SIOC_OK;
    if (sioc_json_type_of(d, t) != SIOC_JSON_STRING) return SIOC_ERR_TYPE;
    if (!d->toks[t].escaped) {
        *out = sioc_json_raw(d, t);
        return SIOC_OK;
    }
    start = scratch ? scratch->len : 0;
    p = (char *)sioc_buf_reserve(scratch, d->toks[t].len + 1);
    if (!p) return SIOC_ERR_BUFFER_TOO_SMALL;
    r = sioc_json_get_str(d, t, p, d->toks[t].len + 1, &n);
    if (r != SIOC_OK) {
        scratch->len = start;
        return r;
    }
    scratch->len = start + n + 1;
    out->ptr = p;
    out->len = n;
    return SIOC_OK;
}

static sioc_result sioc__az_jint(const sioc_json *d, int obj, const char *key, int64_t *out) {
    int t = sioc_json_find(d, obj, key);
    *out = 0;
    if (t < 0 || sioc_json_is_null(d, t)) return SIOC_OK;
    return sioc_json_get_i64(d, t, out);
}

#if !SIOC_ENABLE_FLOAT
/* SIOC_ENABLE_FLOAT 0: a JSON number of seconds (valid syntax, checked by the parser) as its whole seconds, the
   fraction dropped, built straight into a double's bits: no double arithmetic is linked. SIOC_ERR_RANGE from
   10^18 up. */
static sioc_result sioc__az_whole_seconds(sioc_str t, double *out) {
    uint64_t v = 0, bits = 0;
    size_t i = 0, k;
    long e = 0, shift;
    int neg = t.len && t.ptr[0] == '-', p = 63;
    const char *dot;
    i = (size_t)neg;
    for (k = i; k < t.len && t.ptr[k] != 'e' && t.ptr[k] != 'E'; k++) {
    }
    if (k + 1 < t.len) { /* the exponent */
        size_t x = k + 1 + (t.ptr[k + 1] == '+' || t.ptr[k + 1] == '-');
        for (; x < t.len && e < 100; x++) e = e * 10 + (t.ptr[x] - '0');
        if (t.ptr[k + 1] == '-') e = -e;
    }
    dot = (const char *)memchr(t.ptr + i, '.', k - i);
    shift = (long)((dot ? (size_t)(dot - t.ptr) : k) - i) + e; /* digits left of the point once scaled */
    for (; i < k && shift > 0; i++) {
        if (t.ptr[i] == '.') continue;
        if (v >= 100000000000000000ull) return SIOC_ERR_RANGE;
        v = v * 10u + (uint64_t)(t.ptr[i] - '0');
        shift--;
    }
    for (; shift > 0; shift--) { /* an exponent beyond the digits */
        if (v >= 100000000000000000ull) return SIOC_ERR_RANGE;
        v *= 10u;
    }
    if (v) {
        while (!(v >> p)) p--;
        bits = ((uint64_t)(p + 1023) << 52) | ((p <= 52 ? v << (52 - p) : v >> (p - 52)) & 0xFFFFFFFFFFFFFull);
    }
    if (neg) bits |= 1ull << 63;
    memcpy(out, &bits, sizeof *out);
    return SIOC_OK;
}
#endif

SIOC_API sioc_result sioc_azure_parse_broker_props(const char *json, size_t len, sioc_buf *scratch,
                                                   sioc_azure_broker_props *out) {
    sioc_json d;
    sioc_json_tok toks[SIOC__AZ_BP_TOKENS];
    sioc_result r;
    int ttl;
    if (!out || (len && !json)) return SIOC_ERR_ARG;
    memset(out, 0, sizeof *out);
    r = sioc_json_parse(&d, json ? json : "", len, toks, SIOC__AZ_BP_TOKENS);
    if (r == SIOC_ERR_BUFFER_TOO_SMALL) return SIOC_ERR_LIMIT;
    if (r != SIOC_OK) return r;
    if (sioc_json_type_of(&d, 0) != SIOC_JSON_OBJECT) return SIOC_ERR_PARSE;
    if ((r = sioc__az_jstr(&d, 0, "MessageId", scratch, &out->message_id)) != SIOC_OK) return r;
    if ((r = sioc__az_jstr(&d, 0, "LockToken", scratch, &out->lock_token)) != SIOC_OK) return r;
    if ((r = sioc__az_jstr(&d, 0, "EnqueuedTimeUtc", scratch, &out->enqueued_time)) != SIOC_OK) return r;
    if ((r = sioc__az_jstr(&d, 0, "LockedUntilUtc", scratch, &out->locked_until)) != SIOC_OK) return r;
    if ((r = sioc__az_jstr(&d, 0, "Label", scratch, &out->label)) != SIOC_OK) return r;
    if ((r = sioc__az_jstr(&d, 0, "CorrelationId", scratch, &out->correlation_id)) != SIOC_OK) return r;
    if ((r = sioc__az_jint(&d, 0, "SequenceNumber", &out->sequence_number)) != SIOC_OK) return r;
    if ((r = sioc__az_jint(&d, 0, "DeliveryCount", &out->delivery_count)) != SIOC_OK) return r;
    ttl = sioc_json_find(&d, 0, "TimeToLive");
    if (ttl >= 0 && !sioc_json_is_null(&d, ttl)) {
#if SIOC_ENABLE_FLOAT
        r = sioc_json_get_f64(&d, ttl, &out->time_to_live_s);
#else
        r = SIOC_ERR_TYPE;
        if (sioc_json_type_of(&d, ttl) == SIOC_JSON_NUMBER)
            r = sioc__az_whole_seconds(sioc_json_raw(&d, ttl), &out->time_to_live_s);
#endif
        if (r != SIOC_OK) return r == SIOC_ERR_RANGE ? SIOC_ERR_RANGE : SIOC_ERR_TYPE;
    }
    return SIOC_OK;
}

SIOC_API sioc_result sioc_azure_url_path(sioc_str url, sioc_str *out) {
    size_t i = 0;
    if (!out || !url.ptr) return SIOC_ERR_ARG;
    if (url.len && url.ptr[0] == '/') {
        *out = url;
    } else {
        if (url.len > 8 && memcmp(url.ptr, "https://", 8) == 0)
            i = 8;
        else if (url.len > 7 && memcmp(url.ptr, "http://", 7) == 0)
            i = 7;
        else
            return SIOC_ERR_PARSE;
        while (i < url.len && url.ptr[i] != '/') {
            if (url.ptr[i] == '?' || url.ptr[i] == '#' || url.ptr[i] == '@') return SIOC_ERR_PARSE;
            i++;
        }
        if (i == url.len) return SIOC_ERR_PARSE;
        *out = sioc_str_n(url.ptr + i, url.len - i);
    }
    for (i = 0; i < out->len; i++) { /* a request target: no blanks, controls, fragments */
        unsigned char ch = (unsigned char)out->ptr[i];
        if (ch <= 0x20 || ch >= 0x7F || ch == '#') return SIOC_ERR_PARSE;
    }
    return SIOC_OK;
}

/* Response headers that are never custom properties (lower case). */
static int sioc__az_standard_header(sioc_str n) {
    static const char *const names[] = {
        "date", "server", "content-length", "content-type", "transfer-encoding", "connection", "keep-alive",
        "location", "brokerproperties", "strict-transport-security", "retry-after", "etag", "cache-control",
        "vary", "expires", "pragma", "trailer", "via", "set-cookie", "x-powered-by", "content-encoding",
        "access-control-allow-origin", "age", "last-modified", "www-authenticate", NULL};
    size_t i;
    for (i = 0; names[i]; i++)
        if (sioc__az_name_is(n, names[i])) return 1;
    return n.len > 5 && sioc__az_name_is(sioc_str_n(n.ptr, 5), "x-ms-");
}

SIOC_API sioc_result sioc_azure_parse_message(const sioc_http_header *h, size_t n, sioc_bytes body,
                                              sioc_buf *scratch, sioc_azure_message *out) {
    size_t i;
    sioc_result r;
    if (!out || (n && !h)) return SIOC_ERR_ARG;
    memset(out, 0, sizeof *out);
    out->body = body;
    out->location.ptr = out->lock_path.ptr = out->content_type.ptr = "";
    for (i = 0; i < n; i++) {
        sioc_str name = h[i].name, v = h[i].value;
        if (!name.ptr || (v.len && !v.ptr)) return SIOC_ERR_ARG;
        if (!v.ptr) v.ptr = "";
        if (sioc__az_name_is(name, "brokerproperties")) {
            r = sioc_azure_parse_broker_props(v.ptr, v.len, scratch, &out->broker);
            if (r != SIOC_OK) return r;
        } else if (sioc__az_name_is(name, "location")) {
            out->location = v;
            r = sioc_azure_url_path(v, &out->lock_path);
            if (r != SIOC_OK) return r;
        } else if (sioc__az_name_is(name, "content-type")) {
            out->content_type = v;
        } else if (!sioc__az_standard_header(name)) {
            sioc_azure_prop p;
            p.name = name;
            if (sioc_azure_parse_prop_value(v, scratch, &p.type, &p.value) != SIOC_OK) continue; /* not a property */
            if (p.type == SIOC_AZURE_PROP_STRING) {
                /* the adapter's properties; first one wins on duplicates */
                if (sioc__az_name_is(name, "nsp") && !out->env.nsp.ptr) out->env.nsp = p.value;
                if (sioc__az_name_is(name, "uid") && !out->env.uid.ptr) out->env.uid = p.value;
                if (sioc__az_name_is(name, "requesteruid") && !out->env.requester_uid.ptr)
                    out->env.requester_uid = p.value;
            }
            if (out->prop_count < SIOC_AZURE_MAX_PROPS)
                out->props[out->prop_count++] = p;
            else
                out->props_dropped++;
        }
    }
    return SIOC_OK;
}

SIOC_API size_t sioc_azure_props_from_env(const sioc_msg_envelope *env, sioc_azure_prop out[3]) {
    size_t n = 0;
    if (!env || !out) return 0;
    out[n].name = sioc_str_c("nsp");
    out[n].type = SIOC_AZURE_PROP_STRING;
    out[n++].value = env->nsp;
    out[n].name = sioc_str_c("uid");
    out[n].type = SIOC_AZURE_PROP_STRING;
    out[n++].value = env->uid;
    if (env->requester_uid.ptr && env->requester_uid.len) {
        out[n].name = sioc_str_c("requesterUid");
        out[n].type = SIOC_AZURE_PROP_STRING;
        out[n++].value = env->requester_uid;
    }
    return n;
}

static int sioc__az_parse_uint(sioc_str s, uint32_t *out) {
    size_t i;
    uint64_t v = 0;
    while (s.len && (s.ptr[0] == ' ' || s.ptr[0] == '\t')) s.ptr++, s.len--;
    while (s.len && (s.ptr[s.len - 1] == ' ' || s.ptr[s.len - 1] == '\t')) s.len--;
    if (s.len == 0 || s.len > 9) return 0;
    for (i = 0; i < s.len; i++) {
        if (!sioc__is_digit((unsigned char)s.ptr[i])) return 0;
        v = v * 10 + (uint64_t)(s.ptr[i] - '0');
    }
    *out = (uint32_t)v;
    return 1;
}

SIOC_API sioc_result sioc_azure_parse_error(const char *xml, size_t len, sioc_azure_error *out) {
    sioc_str raw;
    char text[192];
    size_t n = 0;
    uint32_t v;
    if (!out) return SIOC_ERR_ARG;
    out->code = out->sub_code = 0;
    out->detail[0] = 0;
    if (!xml || sioc_xml_find(xml, len, "Error", &raw) != SIOC_OK) return SIOC_ERR_NOT_FOUND;
    if (sioc_xml_find_in(raw, "Code", &raw) == SIOC_OK && sioc_xml_text(raw, text, sizeof text, &n) == SIOC_OK &&
        sioc__az_parse_uint(sioc_str_n(text, n), &v))
        out->code = (int)v;
    if (sioc_xml_find(xml, len, "Error/Detail", &raw) == SIOC_OK) {
        sioc_result r = sioc_xml_text(raw, text, sizeof text, &n);
        const char *sc;
        if (r == SIOC_ERR_BUFFER_TOO_SMALL) n = sizeof text - 1, r = SIOC_OK;
        if (r == SIOC_OK) {
            sioc__copy_fixed(out->detail, sizeof out->detail, sioc_str_n(text, n));
            for (sc = out->detail; *sc && !sioc__starts(sc, "SubCode="); sc++) {} /* strstr: +1 KB on newlib */
            if (*sc) {
                size_t k = 8;
                uint64_t s = 0;
                while (sioc__is_digit((unsigned char)sc[k]) && k < 16) s = s * 10 + (uint64_t)(sc[k++] - '0');
                out->sub_code = (int)s;
            }
        }
    }
    return SIOC_OK;
}

SIOC_API int sioc_azure_atom_has_entry(const char *xml, size_t len) {
    sioc_str raw;
    if (!xml || !len) return 0;
    if (sioc_xml_find(xml, len, "entry", &raw) == SIOC_OK) return 1;
    return 0;
}

/* >>the client */


SIOC_API sioc_result sioc_azure_client_init(sioc_azure_client *c, const sioc_azure_desc *desc) {
    size_t len;
    sioc_result r;
    const char *why = NULL; /* for c->detail */
    if (!c || !desc) return SIOC_ERR_ARG;
    memset(c, 0, sizeof *c);
    if (!desc->connection_string || !desc->utc_now) {
        sioc__detail_set(c->detail, sizeof c->detail, "azure desc: ",
                         !desc->connection_string ? "connection_string missing" : "utc_now missing", NULL);
        return !desc->connection_string ? SIOC_ERR_ARG : SIOC_ERR_DEPENDENCY;
    }
    len = strlen(desc->connection_string);
    if (len >= sizeof c->p_cs) {
        sioc__detail_set(c->detail, sizeof c->detail, "connection string longer than SIOC_AZURE_MAX_CONNSTR", NULL,
                         NULL);
        return SIOC_ERR_LIMIT;
    }
    memcpy(c->p_cs, desc->connection_string, len + 1);
    c->p_desc = *desc;
    c->p_desc.connection_string = c->p_cs;
    c->p_desc.rest_url = NULL; /* parsed below; not kept */
    if (!c->p_desc.timeout_ms) c->p_desc.timeout_ms = 30000;
    if (!c->p_desc.token_lifetime_s) c->p_desc.token_lifetime_s = SIOC_SAS_DEFAULT_LIFETIME;
    r = sioc_sas_parse_connection_string(sioc_str_n(c->p_cs, len), &c->p_conn);
    if (r != SIOC_OK) {
        why = c->p_conn.detail;
        goto fail;
    }
    if (c->p_conn.signature.len) {
        if (c->p_conn.signature.len >= sizeof c->p_token) {
            why = "connection string: SharedAccessSignature longer than SIOC_AZURE_MAX_TOKEN";
            r = SIOC_ERR_LIMIT;
            goto fail;
        }
        memcpy(c->p_token, c->p_conn.signature.ptr, c->p_conn.signature.len);
        c->p_token_len = c->p_conn.signature.len;
        c->p_token_expiry = c->p_conn.signature_expiry;
        c->p_fixed_token = 1;
    }
    if (desc->rest_url) {
        r = sioc_http_parse_origin(desc->rest_url, c->p_host, &c->p_port, &c->p_tls);
        why = "rest_url: expected http[s]://host[:port] without a path";
    } else {
        /* Real Service Bus is HTTPS only (docs/AZURE.md 2): https://<Endpoint host>/ */
        if (c->p_conn.host.len == 0 || c->p_conn.host.len > SIOC_HTTP_MAX_HOST || c->p_conn.host.ptr[0] == '[') {
            why = "connection string: an IPv6 Endpoint host needs rest_url";
            r = SIOC_ERR_ARG;
            goto fail;
        }
        memcpy(c->p_host, c->p_conn.host.ptr, c->p_conn.host.len);
        c->p_host[c->p_conn.host.len] = 0;
        c->p_port = 443;
        c->p_tls = 1;
        r = SIOC_OK;
    }
    if (r != SIOC_OK) goto fail;
#if SIOC_ENABLE_POSIX && SIOC_TLS != SIOC_TLS_NONE
    {
        sioc_http_client_desc hd = sioc_posix_http_defaults(&desc->http); /* https without configuration */
        r = sioc_http_client_init(&c->http, &hd);
    }
#else
    r = sioc_http_client_init(&c->http, &desc->http);
#endif
    why = c->http.detail;
    if (r != SIOC_OK) goto fail;
    r = sioc_http_endpoint(&c->http, c->p_host, c->p_port, c->p_tls, &c->p_http_ep);
    if (r != SIOC_OK) {
        sioc_http_client_free(&c->http);
        goto fail;
    }
    return SIOC_OK;
fail: {
    char text[SIOC_DETAIL_SIZE];
    sioc__detail_set(text, sizeof text, why ? why : sioc_strerror(r), NULL, NULL); /* `why` may point into c */
    memset(c, 0, sizeof *c); /* wipe the key copy */
    memcpy(c->detail, text, sizeof text);
    return r;
}
}

SIOC_API void sioc_azure_client_free(sioc_azure_client *c) {
    if (!c) return;
    sioc_http_client_free(&c->http);
    memset(c->p_cs, 0, sizeof c->p_cs);
    memset(c->p_token, 0, sizeof c->p_token);
    memset(&c->p_conn, 0, sizeof c->p_conn);
}

SIOC_API sioc_result sioc_azure_set_token(sioc_azure_client *c, sioc_str token) {
    sioc_sas_token_view v;
    sioc_result r;
    if (!c) return SIOC_ERR_ARG;
    r = sioc_sas_parse_token(token, &v);
    if (r != SIOC_OK) return r;
    if (token.len >= sizeof c->p_token) return SIOC_ERR_LIMIT;
    memcpy(c->p_token, token.ptr, token.len);
    c->p_token_len = token.len;
    c->p_token_expiry = v.se;
    c->p_fixed_token = 1;
    return SIOC_OK;
}

/* One token for https://<namespace host>/ covers every entity (docs/AZURE.md 3); renewed at 3/4 of its life. */
static sioc_result sioc__az_token(sioc_azure_client *c) {
    int64_t now, life;
    char uri[SIOC_HTTP_MAX_HOST + 16];
    sioc_sas_params p;
    sioc_buf b;
    sioc_result r;
    if (c->p_fixed_token) return SIOC_OK;
    now = c->p_desc.utc_now(c->p_desc.user);
    life = (int64_t)c->p_desc.token_lifetime_s;
    if (c->p_token_len && !sioc_sas_should_renew(now, c->p_token_expiry, life)) return SIOC_OK;
    sioc_buf_init(&b, uri, sizeof uri);
    sioc_buf_puts(&b, "https://");
    sioc_buf_put(&b, c->p_conn.host.ptr, c->p_conn.host.len);
    sioc_buf_putc(&b, '/');
    if (sioc_buf_result(&b) != SIOC_OK) return SIOC_ERR_ARG;
    memset(&p, 0, sizeof p);
    p.resource_uri = sioc_str_n(uri, b.len);
    p.key_name = c->p_conn.key_name;
    p.key = c->p_conn.key;
    p.expiry = now + life;
    p.style = SIOC_SAS_CASE_PRESERVING;
    sioc_buf_init(&b, c->p_token, sizeof c->p_token);
    r = sioc_sas_token(&p, &b);
    if (r != SIOC_OK) {
        c->p_token_len = 0;
        return r;
    }
    c->p_token_len = b.len;
    c->p_token_expiry = p.expiry;
    c->stats.tokens_made++;
    return SIOC_OK;
}

static void sioc__az_log(sioc_azure_client *c, sioc_log_level level, const sioc_azure_call *call, const char *what) {
#if SIOC_ENABLE_LOG
    char line[200];
    sioc_buf b;
    const sioc_logger *lg = &c->p_desc.http.logger;
    if (!lg->fn || level > lg->max_level) return;
    /* operation, status and the service's code only: never keys or tokens */
    sioc_buf_init(&b, line, sizeof line - 1);
    sioc_buf_puts(&b, "Service Bus ");
    sioc_buf_puts(&b, sioc_azure_op_name(call->op));
    sioc_buf_puts(&b, ": ");
    sioc_buf_puts(&b, what);
    if (call->status) {
        sioc_buf_puts(&b, " HTTP ");
        sioc_buf_put_u64(&b, (uint64_t)call->status);
    }
    if (call->error.sub_code) {
        sioc_buf_puts(&b, " SubCode ");
        sioc_buf_put_u64(&b, (uint64_t)call->error.sub_code);
    }
    line[SIOC__MIN(b.len, sizeof line - 1)] = 0;
    lg->fn(lg->user, level, line);
#else
    (void)c, (void)level, (void)call, (void)what;
#endif
}

/* Submit one request with the Authorization header added. `hdrs` has room for one more header at the end. */
static sioc_result sioc__az_submit(sioc_azure_client *c, sioc_azure_call *call, sioc_azure_op op,
                                   const char *method, const char *target, sioc_http_header *hdrs, size_t n_hdrs,
                                   size_t body_len, uint32_t timeout_floor_ms, uint64_t now_ms) {
    uint32_t id = 0;
    sioc_http_request req;
    sioc_result r;
    r = sioc__az_token(c);
    if (r != SIOC_OK) return r;
    hdrs[n_hdrs].name = sioc_str_c("Authorization");
    hdrs[n_hdrs].value = sioc_str_n(c->p_token, c->p_token_len);
    n_hdrs++;
    memset(&req, 0, sizeof req);
    req.method = method;
    req.target = target;
    req.headers = hdrs;
    req.header_count = n_hdrs;
    req.body = body_len ? call->body_mem : NULL;
    req.body_len = body_len;
    req.timeout_ms = SIOC__MAX(call->timeout_ms ? call->timeout_ms : c->p_desc.timeout_ms, timeout_floor_ms);
    /* a send whose connection died may have been accepted: re-sending duplicates (tolerated by the protocol);
       receives lock a message only once answered, settles are idempotent */
    req.idempotent = 1;
    req.tag = call;
    req.body_out = call->reply_mem;
    req.body_out_cap = call->reply_cap;
    call->op = op;
    call->result = SIOC_AGAIN;
    call->status = 0;
    call->reply.ptr = NULL;
    call->reply.len = 0;
    memset(&call->error, 0, sizeof call->error);
    call->existed = 0;
    call->has_message = 0;
    call->detail[0] = 0;
    memset(&call->msg, 0, sizeof call->msg);
    r = sioc_http_submit(&c->http, c->p_http_ep, &req, now_ms, &id);
    if (r != SIOC_OK) {
        sioc__detail_set(call->detail, sizeof call->detail, "Service Bus ", sioc_azure_op_name(op),
                         r == SIOC_ERR_LIMIT ? ": every request slot is busy (http.max_requests)" : ": not submitted");
        return r;
    }
    sioc_http_calls_sent(&c->p_calls, &call->p_track, id);
    c->stats.calls++;
    return SIOC_OK;
}

#define SIOC__AZ_TARGET_MAX 512

static sioc_result sioc__az_check(sioc_azure_client *c, sioc_azure_call *call) {
    if (!c || !call) return SIOC_ERR_ARG;
    if (sioc_http_calls_busy(&call->p_track)) return SIOC_ERR_STATE;
    return SIOC_OK;
}

SIOC_API sioc_result sioc_azure_send(sioc_azure_client *c, sioc_azure_call *call, sioc_str topic, sioc_bytes body,
                                     const sioc_azure_prop *props, size_t n_props, const sioc_azure_send_opts *opts,
                                     uint64_t now_ms) {
    char target[SIOC__AZ_TARGET_MAX], vals[SIOC_AZURE_META_SIZE];
    sioc_http_header hdrs[SIOC_AZURE_MAX_PROPS + 3];
    sioc_buf t, v;
    size_t i, nh = 0, total;
    sioc_result r = sioc__az_check(c, call);
    if (r != SIOC_OK) return r;
    if (!sioc_azure_name_ok(topic) || (body.len && !body.ptr) || (n_props && !props) ||
        n_props > SIOC_AZURE_MAX_PROPS)
        return n_props > SIOC_AZURE_MAX_PROPS ? SIOC_ERR_LIMIT : SIOC_ERR_ARG;
    total = body.len;
    for (i = 0; i < n_props; i++) total += props[i].name.len + props[i].value.len;
    if (total > SIOC_AZURE_MAX_MESSAGE_SIZE) return SIOC_ERR_TOO_LARGE;
    if (body.len > call->body_cap || (body.len && !call->body_mem)) return SIOC_ERR_BUFFER_TOO_SMALL;
    sioc_buf_init(&t, target, sizeof target);
    sioc_buf_putc(&t, '/');
    sioc_buf_put(&t, topic.ptr, topic.len);
    sioc_buf_puts(&t, "/messages");
    sioc_buf_putc(&t, 0);
    hdrs[nh].name = sioc_str_c("Content-Type");
    hdrs[nh++].value = sioc_str_c("application/octet-stream");
    /* header values go one after the other into vals; a view is taken once each is complete */
    sioc_buf_init(&v, vals, sizeof vals);
    if (opts) {
        size_t start = v.len;
        r = sioc_azure_write_broker_props(&v, opts);
        if (r != SIOC_OK) return r;
        if (v.len > start) {
            hdrs[nh].name = sioc_str_c("BrokerProperties");
            hdrs[nh++].value = sioc_str_n(vals + start, v.len - start);
        }
    }
    for (i = 0; i < n_props; i++) {
        size_t start = v.len;
        if (!props[i].name.ptr || props[i].name.len == 0) return SIOC_ERR_ARG;
        r = sioc_azure_write_prop_value(&v, &props[i]);
        if (r == SIOC_ERR_BUFFER_TOO_SMALL) return SIOC_ERR_LIMIT;
        if (r != SIOC_OK) return r;
        hdrs[nh].name = props[i].name; /* the engine refuses names that are not tokens */
        hdrs[nh++].value = sioc_str_n(vals + start, v.len - start);
    }
    if (body.len && body.ptr != (const uint8_t *)call->body_mem) memmove(call->body_mem, body.ptr, body.len);
    return sioc__az_submit(c, call, SIOC_AZURE_OP_SEND, "POST", target, hdrs, nh, body.len, 0, now_ms);
}

static sioc_result sioc__az_head(sioc_azure_client *c, sioc_azure_call *call, sioc_azure_op op, const char *method,
                                 sioc_str topic, sioc_str sub, int timeout_s, uint64_t now_ms) {
    char target[SIOC__AZ_TARGET_MAX];
    sioc_http_header hdrs[1];
    sioc_buf t;
    sioc_result r = sioc__az_check(c, call);
    if (r != SIOC_OK) return r;
    if (!sioc_azure_name_ok(topic) || !sioc_azure_name_ok(sub)) return SIOC_ERR_ARG;
    if (timeout_s < 0 || timeout_s > SIOC_AZURE_MAX_TIMEOUT_S) return SIOC_ERR_RANGE;
    sioc_buf_init(&t, target, sizeof target);
    sioc_buf_putc(&t, '/');
    sioc_buf_put(&t, topic.ptr, topic.len);
    sioc_buf_puts(&t, "/subscriptions/");
    sioc_buf_put(&t, sub.ptr, sub.len);
    sioc_buf_puts(&t, "/messages/head?timeout=");
    sioc_buf_put_u64(&t, (uint64_t)timeout_s);
    sioc_buf_putc(&t, 0);
    /* the HTTP deadline must outlast the server's long poll */
    return sioc__az_submit(c, call, op, method, target, hdrs, 0, 0, (uint32_t)timeout_s * 1000u + 10000u, now_ms);
}

SIOC_API sioc_result sioc_azure_receive(sioc_azure_client *c, sioc_azure_call *call, sioc_str topic, sioc_str sub,
                                        int timeout_s, uint64_t now_ms) {
    return sioc__az_head(c, call, SIOC_AZURE_OP_RECEIVE, "POST", topic, sub, timeout_s, now_ms);
}

SIOC_API sioc_result sioc_azure_receive_and_delete(sioc_azure_client *c, sioc_azure_call *call, sioc_str topic,
                                                   sioc_str sub, int timeout_s, uint64_t now_ms) {
    return sioc__az_head(c, call, SIOC_AZURE_OP_RECEIVE_DELETE, "DELETE", topic, sub, timeout_s, now_ms);
}

static sioc_result sioc__az_settle(sioc_azure_client *c, sioc_azure_call *call, sioc_azure_op op,
                                   const char *method, sioc_str lock_path, uint64_t now_ms) {
    char target[SIOC__AZ_TARGET_MAX];
    sioc_http_header hdrs[1];
    sioc_str path;
    sioc_result r = sioc__az_check(c, call);
    if (r != SIOC_OK) return r;
    if (sioc_azure_url_path(lock_path, &path) != SIOC_OK || path.len >= sizeof target) return SIOC_ERR_ARG;
    memcpy(target, path.ptr, path.len);
    target[path.len] = 0;
    return sioc__az_submit(c, call, op, method, target, hdrs, 0, 0, 0, now_ms);
}

SIOC_API sioc_result sioc_azure_complete(sioc_azure_client *c, sioc_azure_call *call, sioc_str lock_path,
                                         uint64_t now_ms) {
    return sioc__az_settle(c, call, SIOC_AZURE_OP_COMPLETE, "DELETE", lock_path, now_ms);
}
SIOC_API sioc_result sioc_azure_unlock(sioc_azure_client *c, sioc_azure_call *call, sioc_str lock_path,
                                       uint64_t now_ms) {
    return sioc__az_settle(c, call, SIOC_AZURE_OP_UNLOCK, "PUT", lock_path, now_ms);
}
SIOC_API sioc_result sioc_azure_renew_lock(sioc_azure_client *c, sioc_azure_call *call, sioc_str lock_path,
                                           uint64_t now_ms) {
    return sioc__az_settle(c, call, SIOC_AZURE_OP_RENEW, "POST", lock_path, now_ms);
}

/* ATOM: /{topic}[/Subscriptions/{sub}]?api-version=2021-05 */
static sioc_result sioc__az_atom(sioc_azure_client *c, sioc_azure_call *call, sioc_azure_op op, const char *method,
                                 sioc_str topic, const sioc_str *sub, size_t body_len, uint64_t now_ms) {
    char target[SIOC__AZ_TARGET_MAX];
    sioc_http_header hdrs[2];
    size_t nh = 0;
    sioc_buf t;
    sioc_buf_init(&t, target, sizeof target);
    sioc_buf_putc(&t, '/');
    sioc_buf_put(&t, topic.ptr, topic.len);
    if (sub) {
        sioc_buf_puts(&t, "/Subscriptions/");
        sioc_buf_put(&t, sub->ptr, sub->len);
    }
    sioc_buf_puts(&t, "?api-version=" SIOC_AZURE_API_VERSION);
    sioc_buf_putc(&t, 0);
    if (sioc__strcmp(method, "PUT") == 0) {
        hdrs[nh].name = sioc_str_c("Content-Type");
        hdrs[nh++].value = sioc_str_c("application/atom+xml;type=entry;charset=utf-8");
    }
    return sioc__az_submit(c, call, op, method, target, hdrs, nh, body_len, 0, now_ms);
}

static sioc_result sioc__az_names(sioc_azure_client *c, sioc_azure_call *call, sioc_str topic, const sioc_str *sub) {
    sioc_result r = sioc__az_check(c, call);
    if (r != SIOC_OK) return r;
    if (!sioc_azure_name_ok(topic) || (sub && !sioc_azure_name_ok(*sub))) return SIOC_ERR_ARG;
    return SIOC_OK;
}

SIOC_API sioc_result sioc_azure_get_topic(sioc_azure_client *c, sioc_azure_call *call, sioc_str topic,
                                          uint64_t now_ms) {
    sioc_result r = sioc__az_names(c, call, topic, NULL);
    if (r != SIOC_OK) return r;
    return sioc__az_atom(c, call, SIOC_AZURE_OP_GET_TOPIC, "GET", topic, NULL, 0, now_ms);
}

SIOC_API sioc_result sioc_azure_create_topic(sioc_azure_client *c, sioc_azure_call *call, sioc_str topic,
                                             const sioc_azure_topic_opts *opts, uint64_t now_ms) {
    sioc_buf b;
    sioc_result r = sioc__az_names(c, call, topic, NULL);
    if (r != SIOC_OK) return r;
    sioc_buf_init(&b, call->body_mem, call->body_mem ? call->body_cap : 0);
    r = sioc_azure_write_topic_entry(&b, opts);
    if (r != SIOC_OK) return r;
    return sioc__az_atom(c, call, SIOC_AZURE_OP_CREATE_TOPIC, "PUT", topic, NULL, b.len, now_ms);
}

SIOC_API sioc_result sioc_azure_get_subscription(sioc_azure_client *c, sioc_azure_call *call, sioc_str topic,
                                                 sioc_str sub, uint64_t now_ms) {
    sioc_result r = sioc__az_names(c, call, topic, &sub);
    if (r != SIOC_OK) return r;
    return sioc__az_atom(c, call, SIOC_AZURE_OP_GET_SUBSCRIPTION, "GET", topic, &sub, 0, now_ms);
}

SIOC_API sioc_result sioc_azure_create_subscription(sioc_azure_client *c, sioc_azure_call *call, sioc_str topic,
                                                    sioc_str sub, const sioc_azure_sub_opts *opts, uint64_t now_ms) {
    sioc_buf b;
    sioc_result r = sioc__az_names(c, call, topic, &sub);
    if (r != SIOC_OK) return r;
    sioc_buf_init(&b, call->body_mem, call->body_mem ? call->body_cap : 0);
    r = sioc_azure_write_subscription_entry(&b, opts);
    if (r != SIOC_OK) return r;
    return sioc__az_atom(c, call, SIOC_AZURE_OP_CREATE_SUBSCRIPTION, "PUT", topic, &sub, b.len, now_ms);
}

SIOC_API sioc_result sioc_azure_delete_subscription(sioc_azure_client *c, sioc_azure_call *call, sioc_str topic,
                                                    sioc_str sub, uint64_t now_ms) {
    sioc_result r = sioc__az_names(c, call, topic, &sub);
    if (r != SIOC_OK) return r;
    return sioc__az_atom(c, call, SIOC_AZURE_OP_DELETE_SUBSCRIPTION, "DELETE", topic, &sub, 0, now_ms);
}

/* Copy the headers a received message needs out of the engine's view (it dies at the next response). */
static void sioc__az_keep_headers(sioc_azure_call *call, const sioc_http_response *r) {
    size_t i, n = r->p_parser ? r->p_parser->header_count : 0;
    call->p_meta_len = 0;
    call->p_hdr_count = 0;
    for (i = 0; i < n && call->p_hdr_count < SIOC_AZURE_MAX_META_HEADERS; i++) {
        sioc_str name, value;
        sioc_http_parser_header_at(r->p_parser, i, &name, &value);
        if (sioc__az_standard_header(name) && !sioc__az_name_is(name, "location") &&
            !sioc__az_name_is(name, "brokerproperties") && !sioc__az_name_is(name, "content-type"))
            continue;
        if (name.len + value.len > sizeof call->p_meta - call->p_meta_len) continue; /* too big: dropped */
        memcpy(call->p_meta + call->p_meta_len, name.ptr, name.len);
        call->p_hdrs[call->p_hdr_count].name = sioc_str_n(call->p_meta + call->p_meta_len, name.len);
        call->p_meta_len += name.len;
        if (value.len) memcpy(call->p_meta + call->p_meta_len, value.ptr, value.len);
        call->p_hdrs[call->p_hdr_count].value = sioc_str_n(call->p_meta + call->p_meta_len, value.len);
        call->p_meta_len += value.len;
        call->p_hdr_count++;
    }
}

/* A failed call in words: "Service Bus <op>: " and the engine's detail, or the HTTP status and the service's
   text (401/403 with a hint at the key). */
static void sioc__az_detail(sioc_azure_call *call, const sioc_http_response *r) {
    sioc_buf b;
    sioc__detail_start(&b, call->detail, sizeof call->detail);
    if (!SIOC_ENABLE_ERROR_STRINGS) return; /* no text to build: leave the words out of the binary */
    sioc_buf_puts(&b, "Service Bus ");
    sioc_buf_puts(&b, sioc_azure_op_name(call->op));
    sioc_buf_puts(&b, ": ");
    sioc__detail_reply(&b, r->detail, call->status, call->result,
                       call->error.detail[0]   ? call->error.detail
                       : call->status == 401 ? "(check SharedAccessKeyName and SharedAccessKey)"
                                             : "",
                       "");
    sioc__detail_end(&b);
}

static void sioc__az_finish(sioc_azure_client *c, const sioc_http_response *r) {
    sioc_azure_call *call = (sioc_azure_call *)r->tag;
    sioc_str ra;
    if (!call || !sioc_http_calls_answered(&c->p_calls, &call->p_track, r->id)) return;
    call->status = r->status;
    call->reply.ptr = r->body;
    call->reply.len = r->body_len;
    call->error.status = r->status;
    call->detail[0] = 0;
    if (r->result == SIOC_ERR_BUFFER_TOO_SMALL && call->op == SIOC_AZURE_OP_RECEIVE && r->status == 201) {
        /* a locked message larger than reply_cap: keep its lock path so the caller can settle it (otherwise it
           comes back after every lock expiry until dead-lettered) */
        sioc_buf scratch;
        sioc_bytes none = {NULL, 0};
        sioc__az_keep_headers(call, r);
        sioc_buf_init(&scratch, call->p_meta + call->p_meta_len, sizeof call->p_meta - call->p_meta_len);
        (void)sioc_azure_parse_message(call->p_hdrs, call->p_hdr_count, none, &scratch, &call->msg);
        call->result = SIOC_ERR_BUFFER_TOO_SMALL;
        call->error.kind = SIOC_AZURE_E_TOO_LARGE;
    } else if (r->result != SIOC_OK) {
        call->result = r->result; /* transport failure or reply over reply_cap */
        call->error.kind = SIOC_AZURE_E_TRANSPORT;
    } else {
        call->result = sioc_azure_classify(call->op, r->status, &call->error.kind);
        if (call->result == SIOC_OK) {
            call->existed = call->error.kind != SIOC_AZURE_E_NONE;
            call->error.kind = SIOC_AZURE_E_NONE;
            if (call->op == SIOC_AZURE_OP_GET_TOPIC || call->op == SIOC_AZURE_OP_GET_SUBSCRIPTION) {
                if (!sioc_azure_atom_has_entry((const char *)r->body, r->body_len)) {
                    call->result = SIOC_ERR_NOT_FOUND; /* 200 with an empty feed = missing (docs/AZURE.md 5.1) */
                    call->error.kind = SIOC_AZURE_E_NOT_FOUND;
                }
            } else if ((call->op == SIOC_AZURE_OP_RECEIVE && r->status == 201) ||
                       (call->op == SIOC_AZURE_OP_RECEIVE_DELETE && r->status == 200)) {
                sioc_buf scratch;
                sioc_bytes body;
                sioc__az_keep_headers(call, r);
                sioc_buf_init(&scratch, call->p_meta + call->p_meta_len, sizeof call->p_meta - call->p_meta_len);
                body.ptr = r->body;
                body.len = r->body_len;
                call->result = sioc_azure_parse_message(call->p_hdrs, call->p_hdr_count, body, &scratch, &call->msg);
                if (call->result == SIOC_OK) {
                    call->has_message = 1;
                    c->stats.messages_received++;
                } else {
                    call->error.kind = SIOC_AZURE_E_OTHER;
                }
            } else if (call->op == SIOC_AZURE_OP_RECEIVE || call->op == SIOC_AZURE_OP_RECEIVE_DELETE) {
                c->stats.empty_receives++;
            }
        } else {
            (void)sioc_azure_parse_error((const char *)r->body, r->body_len, &call->error);
            if (sioc_http_response_header(r, "retry-after", &ra) == SIOC_OK)
                (void)sioc__az_parse_uint(ra, &call->error.retry_after_s);
            /* a rejected token is regenerated (new se) before the next request (docs/AZURE.md 6) */
            if (call->error.kind == SIOC_AZURE_E_AUTH && !c->p_fixed_token) c->p_token_len = 0;
        }
    }
    if (call->result == SIOC_OK) {
        c->stats.ok++;
    } else {
        c->stats.errors++;
        sioc__az_detail(call, r);
        sioc__az_log(c, call->error.kind == SIOC_AZURE_E_LOCK_LOST ? SIOC_LOG_INFO : SIOC_LOG_WARN, call,
                     sioc_strerror(call->result));
    }
    sioc_http_calls_done(&c->p_calls, &call->p_track);
}

SIOC_API sioc_result sioc_azure_next(sioc_azure_client *c, uint64_t now_ms, sioc_azure_call **out) {
    sioc_http_response r;
    sioc_http_call *k;
    (void)now_ms;
    if (!c || !out) return SIOC_ERR_ARG;
    *out = NULL;
    while (sioc_http_next_response(&c->http, &r) == SIOC_OK) sioc__az_finish(c, &r);
    k = sioc_http_calls_pop(&c->p_calls);
    if (!k) return SIOC_AGAIN;
    *out = SIOC__CONTAINER(k, sioc_azure_call, p_track);
    return SIOC_OK;
}

SIOC_API int sioc_azure_has_finished(const sioc_azure_client *c) { return c && sioc_http_calls_pending(&c->p_calls); }

SIOC_API sioc_result sioc_azure_cancel(sioc_azure_client *c, sioc_azure_call *call) {
    if (!c || !call) return SIOC_ERR_NOT_FOUND;
    return sioc_http_calls_cancel(&c->http, &c->p_calls, &call->p_track);
}

/* ---- a subscription created with its own default rule ---- */

SIOC_API sioc_result sioc_azure_write_own_filter(sioc_buf *out, sioc_str uid) {
    size_t i;
    if (!out || !uid.ptr || !uid.len || uid.len > 64) return SIOC_ERR_ARG;
    for (i = 0; i < uid.len; i++) { /* inside a SQL string literal: nothing that could end it */
        char ch = uid.ptr[i];
        if (!sioc__is_digit((unsigned char)ch) && !((ch | 32) >= 'a' && (ch | 32) <= 'z') && ch != '-' && ch != '_')
            return SIOC_ERR_ARG;
    }
    sioc_buf_puts(out, "(uid IS NULL OR uid <> '");
    sioc_buf_put(out, uid.ptr, uid.len);
    sioc_buf_puts(out, "') AND (requesterUid IS NULL OR requesterUid = '' OR requesterUid = '");
    sioc_buf_put(out, uid.ptr, uid.len);
    sioc_buf_puts(out, "')");
    return sioc_buf_result(out);
}

/* Text as XML character data. */
static void sioc__az_xml_text(sioc_buf *out, sioc_str t) {
    size_t i;
    for (i = 0; i < t.len; i++) {
        switch (t.ptr[i]) {
        case '<': sioc_buf_puts(out, "&lt;"); break;
        case '>': sioc_buf_puts(out, "&gt;"); break;
        case '&': sioc_buf_puts(out, "&amp;"); break;
        case '\'': sioc_buf_puts(out, "&apos;"); break;
        case '"': sioc_buf_puts(out, "&quot;"); break;
        default: sioc_buf_putc(out, t.ptr[i]); break;
        }
    }
}

SIOC_API sioc_result sioc_azure_write_subscription_entry_rule(sioc_buf *out, const sioc_azure_sub_opts *o,
                                                              sioc_str sql) {
    sioc_azure_sub_opts none;
    size_t i;
    if (!out || !sql.ptr || !sql.len) return SIOC_ERR_ARG;
    for (i = 0; i < sql.len; i++)
        if ((unsigned char)sql.ptr[i] < 0x20) return SIOC_ERR_ARG;
    if (!o) {
        memset(&none, 0, sizeof none);
        o = &none;
    }
    if (!sioc__az_updated_ok(o->updated)) return SIOC_ERR_ARG;
    sioc__az_entry_begin(out, o->updated);
    sioc_buf_puts(out, "<SubscriptionDescription xmlns=\"" SIOC__AZ_NS_SB "\" xmlns:i=\"" SIOC__AZ_NS_I "\">");
    sioc__az_dur_elem(out, "LockDuration", o->lock_duration_s);
    sioc__az_dur_elem(out, "DefaultMessageTimeToLive", o->default_ttl_s);
    sioc_buf_puts(out, "<DefaultRuleDescription><Filter i:type=\"SqlFilter\"><SqlExpression>");
    sioc__az_xml_text(out, sql);
    sioc_buf_puts(out, "</SqlExpression></Filter><Action i:type=\"EmptyRuleAction\"/><Name>$Default</Name>"
                       "</DefaultRuleDescription>");
    sioc__az_u32_elem(out, "MaxDeliveryCount", o->max_delivery_count);
    sioc__az_dur_elem(out, "AutoDeleteOnIdle", o->auto_delete_on_idle_s);
    sioc_buf_puts(out, "</SubscriptionDescription></content></entry>");
    return sioc_buf_result(out);
}

SIOC_API sioc_result sioc_azure_create_subscription_rule(sioc_azure_client *c, sioc_azure_call *call, sioc_str topic,
                                                         sioc_str sub, const sioc_azure_sub_opts *opts, sioc_str sql,
                                                         uint64_t now_ms) {
    sioc_buf b;
    sioc_result r = sioc__az_names(c, call, topic, &sub);
    if (r != SIOC_OK) return r;
    sioc_buf_init(&b, call->body_mem, call->body_mem ? call->body_cap : 0);
    r = sioc_azure_write_subscription_entry_rule(&b, opts, sql);
    if (r != SIOC_OK) return r;
    return sioc__az_atom(c, call, SIOC_AZURE_OP_CREATE_SUBSCRIPTION, "PUT", topic, &sub, b.len, now_ms);
}

#endif /* SIOC_ENABLE_AZURE */
