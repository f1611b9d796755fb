/* ---- http.c: request writer, response parser, connection engine ----
   Framing follows RFC 9112 (HTTP/1.1 messages): section 4 status line, 5 field lines, 6.3 message body length,
   7.1 chunked coding, 9.3 persistence. The engine is the BearSSL pattern applied to HTTP: the caller moves bytes
   through buffers the engine exposes and acknowledges them; the engine never calls the network. */
#include "base.h"
#include "internal.h"
#include "tls.h"
#include "http.h"

#if SIOC_TLS != SIOC_TLS_NONE && SIOC_TLS != SIOC_TLS_MBEDTLS && SIOC_TLS != SIOC_TLS_BEARSSL
#error "SIOC_TLS must be SIOC_TLS_NONE, SIOC_TLS_MBEDTLS or SIOC_TLS_BEARSSL"
#endif

/* Defined by the compiled-in backend (tls_none.c, tls_mbedtls.c or tls_bearssl.c), later in the amalgamation. */
static const sioc_tls_ops *sioc__tls_ops(void);

/* ---- small text helpers (ASCII, locale-free) ---- */

enum { SIOC__HC_TCHAR = 0, SIOC__HC_HOST = 12 };

/* 1 when c is in a character class: bitmaps over 0x20..0x7f, 12 bytes each. SIOC__HC_TCHAR: RFC 9110 5.6.2
   tchar; SIOC__HC_HOST: what a host name of an origin may hold (letters, digits, '-', '.', '_'). */
static int sioc__http_class(int c, int cls) {
    static const uint8_t bits[24] = {0xfa, 0x6c, 0xff, 0x03, 0xfe, 0xff, 0xff, 0xc7, 0xff, 0xff, 0xff, 0x57,
                                     0x00, 0x60, 0xff, 0x03, 0xfe, 0xff, 0xff, 0x87, 0xfe, 0xff, 0xff, 0x07};
    unsigned u = (unsigned)c - 32u;
    return u < 96u && ((bits[cls + (int)(u >> 3)] >> (u & 7u)) & 1u);
}
#define sioc__http_tchar(c) sioc__http_class(c, SIOC__HC_TCHAR)

/* Field value octets (RFC 9110 5.5): VCHAR, SP, HTAB, obs-text; no other controls. */
static int sioc__http_vchar(int c) { return c >= 0x20 ? c != 0x7f : c == '\t'; }

/* 1 when all n bytes at s are field value octets. */
static int sioc__http_vchars(const char *s, size_t n) {
    while (n--)
        if (!sioc__http_vchar((unsigned char)*s++)) return 0;
    return 1;
}

/* a[0..an) equals the string b, ignoring ASCII case. a holds no NUL (names and values are checked before), so
   the end of a shorter b is a mismatch like any other. */
static int sioc__http_ieq(const char *a, size_t an, const char *b) {
    size_t i;
    for (i = 0; i < an; i++)
        if (sioc__to_lower((unsigned char)a[i]) != sioc__to_lower((unsigned char)b[i])) return 0;
    return b[an] == 0;
}

static sioc_str sioc__http_trim(const char *p, size_t n) {
    sioc_str s;
    while (n > 0 && (p[0] == ' ' || p[0] == '\t')) p++, n--;
    while (n > 0 && (p[n - 1] == ' ' || p[n - 1] == '\t')) n--;
    s.ptr = p;
    s.len = n;
    return s;
}

/* The next item of the comma-separated list `v` from *pos on, trimmed (may be empty); 0 after the last one. */
static int sioc__http_item(sioc_str v, size_t *pos, sioc_str *item) {
    size_t i = *pos, j = i;
    if (i > v.len) return 0;
    while (j < v.len && v.ptr[j] != ',') j++;
    *item = sioc__http_trim(v.ptr + i, j - i);
    *pos = j + 1;
    return 1;
}

/* Header names the engine interprets itself; the first three frame the message, so a caller may not set them. */
enum { SIOC__HN_CONTENT_LENGTH, SIOC__HN_TRANSFER_ENCODING, SIOC__HN_HOST, SIOC__HN_CONNECTION, SIOC__HN_KEEP_ALIVE,
       SIOC__HN_OTHER };
static int sioc__http_name_id(const char *s, size_t n) {
    static const char *const names[SIOC__HN_OTHER] = {"content-length", "transfer-encoding", "host", "connection",
                                                      "keep-alive"};
    int i = 0;
    while (i < SIOC__HN_OTHER && !sioc__http_ieq(s, n, names[i])) i++;
    return i;
}

/* ---- 1. request writer ---- */

static int sioc__http_is_token(const char *s) {
    if (!s || !*s) return 0;
    for (; *s; s++)
        if (!sioc__http_tchar((unsigned char)*s)) return 0;
    return 1;
}

SIOC_API sioc_result sioc_http_write_head(sioc_buf *out, const sioc_http_request *req, const char *host,
                                          uint16_t port, int tls) {
    static const char *const body_methods[] = {"POST", "PUT", "PATCH"}; /* Content-Length: 0 even without a body */
    size_t i;
    const char *t;
    int need_cl;
    if (!req || !sioc__http_is_token(req->method) || !req->target || !req->target[0] || !host || !host[0] ||
        (req->header_count && !req->headers) || (req->body_len && !req->body))
        goto bad;
    for (t = req->target; *t; t++) /* origin-form: no blanks, controls or raw non-ASCII */
        if ((unsigned char)*t - 0x21u >= 0x5eu) goto bad;
    for (t = host; *t; t++)
        if ((unsigned char)*t - 0x21u >= 0x5eu || sioc__in_set("/@?#", *t)) goto bad;
    sioc_buf_puts(out, req->method);
    sioc_buf_putc(out, ' ');
    sioc_buf_puts(out, req->target);
    sioc_buf_puts(out, " HTTP/1.1\r\nHost: ");
    if (sioc__in_set(host, ':') && host[0] != '[') { /* IPv6 literal (RFC 3986 3.2.2) */
        sioc_buf_putc(out, '[');
        sioc_buf_puts(out, host);
        sioc_buf_putc(out, ']');
    } else {
        sioc_buf_puts(out, host);
    }
    if (port != (tls ? 443 : 80)) {
        sioc_buf_putc(out, ':');
        sioc_buf_put_u64(out, port);
    }
    sioc_buf_puts(out, "\r\n");
    for (i = 0; i < req->header_count; i++) {
        const sioc_http_header *h = &req->headers[i];
        size_t k;
        if (!h->name.len || !h->name.ptr || (h->value.len && !h->value.ptr)) goto bad;
        for (k = 0; k < h->name.len; k++)
            if (!sioc__http_tchar((unsigned char)h->name.ptr[k])) goto bad;
        if (!sioc__http_vchars(h->value.ptr, h->value.len)) goto bad;
        /* framing belongs to the engine: a second Host or length would be request smuggling */
        if (sioc__http_name_id(h->name.ptr, h->name.len) <= SIOC__HN_HOST) goto bad;
        sioc_buf_put(out, h->name.ptr, h->name.len);
        sioc_buf_puts(out, ": ");
        sioc_buf_put(out, h->value.ptr, h->value.len);
        sioc_buf_puts(out, "\r\n");
    }
    need_cl = req->body_len > 0;
    for (i = 0; i < SIOC__COUNT(body_methods); i++) need_cl |= !sioc__strcmp(req->method, body_methods[i]);
    if (need_cl) {
        sioc_buf_puts(out, "Content-Length: ");
        sioc_buf_put_u64(out, (uint64_t)req->body_len);
        sioc_buf_puts(out, "\r\n");
    }
    sioc_buf_puts(out, "\r\n");
    return sioc_buf_result(out);
bad:
    sioc_buf_fail(out, SIOC_ERR_ARG);
    return SIOC_ERR_ARG;
}

/* ---- 2. response parser ---- */

enum {
    SIOC__HP_STATUS = 0, /* status line */
    SIOC__HP_HEADER,     /* field lines */
    SIOC__HP_TRAILER,    /* trailer lines until the empty one */
    SIOC__HP_BODY_CL,    /* p_remaining body bytes */
    SIOC__HP_CHUNK_DATA, /* p_remaining chunk bytes */
    SIOC__HP_BODY_CLOSE, /* body until EOF (p_remaining UINT64_MAX: never runs out) */
    SIOC__HP_CHUNK_SIZE, /* p_ext_state 3: CRLF after chunk data; then chunk-size [BWS] [; ext] CRLF */
    SIOC__HP_NOBODY,     /* complete: DONE on the next call, without input */
    SIOC__HP_DONE
};

/* Forget the response so far: results and private state, except the memory and the two flags given. */
static void sioc__hp_clear(sioc_http_parser *p, int head_request, int started) {
    memset(p, 0, offsetof(sioc_http_parser, p_head));
    memset(&p->status, 0, sizeof *p - offsetof(sioc_http_parser, status));
    p->content_length = UINT64_MAX;
    p->reason.ptr = p->p_head;
    p->p_head_request = (uint8_t)head_request;
    p->p_started = (uint8_t)started;
}

SIOC_API void sioc_http_parser_init(sioc_http_parser *p, void *head_mem, size_t head_cap, sioc_http_hdr_ref *refs,
                                    size_t ref_cap) {
    memset(p, 0, sizeof *p);
    p->p_head = (char *)head_mem;
    p->p_head_cap = head_mem ? head_cap : 0;
    if (p->p_head_cap > UINT32_MAX) p->p_head_cap = UINT32_MAX; /* offsets are 32-bit */
    p->p_refs = refs;
    p->p_ref_cap = refs ? ref_cap : 0;
    sioc__hp_clear(p, 0, 0);
}

SIOC_API void sioc_http_parser_reset(sioc_http_parser *p, int head_request) { sioc__hp_clear(p, head_request != 0, 0); }

SIOC_API int sioc_http_parser_started(const sioc_http_parser *p) { return p->p_started; }

static sioc_result sioc__hp_fail(sioc_http_parser *p, sioc_result r) {
    if (p->p_err == SIOC_OK) p->p_err = r;
    return p->p_err;
}

SIOC_API void sioc_http_parser_header_at(const sioc_http_parser *p, size_t i, sioc_str *out_name,
                                         sioc_str *out_value) {
    const sioc_http_hdr_ref *r;
    SIOC_ASSERT(i < p->header_count);
    r = &p->p_refs[i];
    if (out_name) {
        out_name->ptr = p->p_head + r->name_off;
        out_name->len = r->name_len;
    }
    if (out_value) {
        out_value->ptr = p->p_head + r->value_off;
        out_value->len = r->value_len;
    }
}

SIOC_API sioc_result sioc_http_parser_header(const sioc_http_parser *p, const char *name, sioc_str *out_value) {
    size_t i;
    for (i = 0; p && i < p->header_count; i++) { /* no parser (a response without a head): nothing found */
        const sioc_http_hdr_ref *r = &p->p_refs[i];
        if (sioc__http_ieq(p->p_head + r->name_off, r->name_len, name)) {
            sioc_http_parser_header_at(p, i, NULL, out_value);
            return SIOC_OK;
        }
    }
    if (out_value) {
        out_value->ptr = "";
        out_value->len = 0;
    }
    return SIOC_ERR_NOT_FOUND;
}

/* The head is complete: work out framing and persistence (RFC 9112 6.3, 9.3). Content-Length may be a list of
   identical values (RFC 9110 8.6); different values, here or across headers, are not tolerated. */
static sioc_result sioc__hp_head_done(sioc_http_parser *p) {
    size_t i;
    int have_cl = 0, have_te = 0, te_chunked = 0, conn_close = 0, conn_ka = 0;
    uint64_t cl = 0;
    for (i = 0; i < p->header_count; i++) {
        sioc_str name, value, item;
        size_t k = 0;
        sioc_http_parser_header_at(p, i, &name, &value);
        int id = sioc__http_name_id(name.ptr, name.len);
        switch (id) {
        case SIOC__HN_CONTENT_LENGTH:
        case SIOC__HN_CONNECTION:
        case SIOC__HN_KEEP_ALIVE:
            while (sioc__http_item(value, &k, &item)) {
                const uint64_t top = (UINT64_MAX - 1) / 10; /* n * 10 + d must stay below UINT64_MAX */
                uint64_t n = 0;
                size_t d;
                if (id == SIOC__HN_CONNECTION) {
                    conn_close |= sioc__http_ieq(item.ptr, item.len, "close");
                    conn_ka |= sioc__http_ieq(item.ptr, item.len, "keep-alive");
                    continue;
                }
                if (id == SIOC__HN_KEEP_ALIVE) { /* the header's first "timeout=N" parameter */
                    uint32_t t = 0;
                    if (item.len < 8 || !sioc__http_ieq(item.ptr, 8, "timeout=")) continue;
                    for (d = 8; d < item.len && sioc__is_digit((unsigned char)item.ptr[d]) && t < 100000000u; d++)
                        t = t * 10u + (uint32_t)(item.ptr[d] - '0');
                    p->keep_alive_timeout_s = t;
                    k = value.len + 1; /* the header's last item */
                    continue;
                }
                if (item.len == 0) return SIOC_ERR_PROTOCOL;
                for (d = 0; d < item.len; d++) {
                    unsigned v = (unsigned char)item.ptr[d] - (unsigned)'0';
                    if (v > 9 || n > top || (n == top && v > (UINT64_MAX - 1) % 10)) return SIOC_ERR_PROTOCOL;
                    n = n * 10 + v;
                }
                if (have_cl && n != cl) return SIOC_ERR_PROTOCOL;
                cl = n;
                have_cl = 1;
            }
            break;
        case SIOC__HN_TRANSFER_ENCODING:
            /* We never send TE, so only a lone "chunked" is expected; any other coding (gzip, chunked twice)
               would hand undecoded bytes to the caller, so it is refused rather than passed through. */
            te_chunked = have_te == 0 && sioc__http_ieq(value.ptr, value.len, "chunked");
            have_te++;
            break;
        default:
            break;
        }
    }
    p->keep_alive = p->version_minor >= 1 ? !conn_close : (conn_ka && !conn_close);
    if (p->p_head_request || p->status == 204 || p->status == 304) {
        p->p_state = SIOC__HP_NOBODY;
        p->content_length = 0;
    } else if (have_te) {
        if (!te_chunked) return SIOC_ERR_UNSUPPORTED;
        p->chunked = 1;
        if (have_cl) p->keep_alive = 0; /* both: TE wins, and the connection is suspect (RFC 9112 6.3 rule 3) */
        p->p_state = SIOC__HP_CHUNK_SIZE;
    } else if (have_cl) {
        p->content_length = cl;
        p->p_remaining = cl;
        p->p_state = cl ? SIOC__HP_BODY_CL : SIOC__HP_NOBODY;
    } else {
        p->keep_alive = 0; /* the body ends when the connection does */
        p->p_remaining = UINT64_MAX;
        p->p_state = SIOC__HP_BODY_CLOSE;
    }
    return SIOC_OK;
}

/* One complete line (without its line end) at p_line_start. *out_ev is set to HEAD or DONE when one is reached.
   Reason phrases and field values are field-value octets: no controls but HTAB. */
static sioc_result sioc__hp_line(sioc_http_parser *p, sioc_http_pev *out_ev) {
    size_t off = p->p_line_start, n = p->p_head_len - off, i;
    const char *s = p->p_head + off;
    sioc_result r;
    if (p->p_state == SIOC__HP_STATUS) {
        /* "HTTP/1.x SSS[ reason]" (RFC 9112 4); "HTTP/1." was checked as it arrived. Only 1.0 and 1.1 are spoken. */
        int status = 0;
        if (n < 12 || (s[7] | 1) != '1' || s[8] != ' ' || (n > 12 && s[12] != ' ') || !sioc__http_vchars(s + 12, n - 12))
            return SIOC_ERR_PROTOCOL;
        for (i = 9; i < 12; i++) {
            unsigned d = (unsigned char)s[i] - (unsigned)'0';
            if (d > 9) return SIOC_ERR_PROTOCOL;
            status = status * 10 + (int)d;
        }
        if (status < 100) return SIOC_ERR_PROTOCOL;
        p->version_minor = s[7] - '0';
        p->status = status;
        p->reason.ptr = s + 12 + (n > 12);
        p->reason.len = n - 12 - (n > 12);
        p->p_state = SIOC__HP_HEADER;
    } else if (n > 0) {
        /* "name: value" (RFC 9112 5): no blank before the colon (which also catches obs-fold) */
        size_t colon = 0;
        sioc_str v;
        sioc_http_hdr_ref *ref;
        while (colon < n && sioc__http_tchar((unsigned char)s[colon])) colon++;
        if (colon == 0 || colon == n || s[colon] != ':' || !sioc__http_vchars(s + colon + 1, n - colon - 1))
            return SIOC_ERR_PROTOCOL;
        if (p->header_count >= p->p_ref_cap) return SIOC_ERR_LIMIT;
        v = sioc__http_trim(s + colon + 1, n - colon - 1);
        ref = &p->p_refs[p->header_count++];
        ref->name_off = (uint32_t)off;
        ref->name_len = (uint32_t)colon;
        ref->value_off = (uint32_t)(v.ptr - p->p_head);
        ref->value_len = (uint32_t)v.len;
    } else if (p->p_state == SIOC__HP_TRAILER) {
        p->p_state = SIOC__HP_DONE;
        *out_ev = SIOC_HTTP_PEV_DONE;
    } else if (p->status < 200) {
        /* Interim response (100 Continue, 103 Early Hints): skip it. 101 would switch protocols: never asked for. */
        if (p->status == 101) return SIOC_ERR_PROTOCOL;
        sioc__hp_clear(p, p->p_head_request, 1);
        return SIOC_OK;
    } else {
        r = sioc__hp_head_done(p);
        if (r != SIOC_OK) return r;
        *out_ev = SIOC_HTTP_PEV_HEAD;
    }
    p->p_line_start = p->p_head_len;
    return SIOC_OK;
}

/* Chunk framing from in[*i] on, up to the end of a chunk-size line. p_ext_state 3: the CRLF after chunk data;
   0: a size line begins, 1: size digits, 2: blanks after them, 4: an extension. */
static sioc_result sioc__hp_chunk_line(sioc_http_parser *p, const uint8_t *in, size_t len, size_t *i) {
    while (*i < len) {
        uint8_t ch = in[(*i)++], es = p->p_ext_state;
        int hv = sioc__hex_val(ch);
        if (ch == '\n') {
            p->p_cr = 0;
            if (es == 3) { /* a size line follows */
                p->p_ext_state = 0;
                p->p_ext_len = 0;
                continue;
            }
            if (es == 0) return SIOC_ERR_PROTOCOL; /* no digits */
            p->p_state = p->p_remaining ? SIOC__HP_CHUNK_DATA : SIOC__HP_TRAILER;
            return SIOC_OK;
        }
        if (p->p_cr) return SIOC_ERR_PROTOCOL;
        if (ch == '\r') {
            p->p_cr = 1;
        } else if (es == 3) {
            return SIOC_ERR_PROTOCOL;
        } else if (es == 4) {
            if (!sioc__http_vchar(ch)) return SIOC_ERR_PROTOCOL;
            if (++p->p_ext_len > SIOC_HTTP_MAX_CHUNK_EXT) return SIOC_ERR_LIMIT;
        } else if (hv >= 0 && es <= 1) {
            if (p->p_remaining >> 59) return SIOC_ERR_PROTOCOL; /* absurd size */
            p->p_remaining = p->p_remaining * 16u + (unsigned)hv;
            p->p_ext_state = 1;
        } else if (es && (ch == ' ' || ch == '\t')) {
            p->p_ext_state = 2;
        } else if (es && ch == ';') {
            p->p_ext_state = 4;
        } else {
            return SIOC_ERR_PROTOCOL;
        }
    }
    return SIOC_OK;
}

SIOC_API sioc_result sioc_http_parser_feed(sioc_http_parser *p, const uint8_t *in, size_t len, size_t *out_used,
                                           sioc_http_pev *out_ev, sioc_bytes *out_body) {
    size_t i = 0;
    sioc_result r = SIOC_OK;
    *out_used = 0;
    *out_ev = SIOC_HTTP_PEV_NEED_MORE;
    out_body->ptr = NULL;
    out_body->len = 0;
    if (p->p_err != SIOC_OK) return p->p_err;
    if (p->p_state == SIOC__HP_DONE) return SIOC_ERR_STATE;
    if (len > 0 && !in) return SIOC_ERR_ARG;
    while (r == SIOC_OK && *out_ev == SIOC_HTTP_PEV_NEED_MORE) {
        uint8_t st = p->p_state;
        if (st == SIOC__HP_NOBODY) {
            p->p_state = SIOC__HP_DONE;
            *out_ev = SIOC_HTTP_PEV_DONE;
            break;
        }
        if (i >= len) break;
        p->p_started = 1;
        if (st <= SIOC__HP_TRAILER) {
            const uint8_t *nl = (const uint8_t *)memchr(in + i, '\n', len - i);
            size_t take = nl ? (size_t)(nl - (in + i)) : len - i;
            if (take > p->p_head_cap - p->p_head_len) {
                r = SIOC_ERR_LIMIT;
                break;
            }
            memcpy(p->p_head + p->p_head_len, in + i, take);
            p->p_head_len += take;
            i += take;
            /* reject a non-HTTP peer at once, not after a line end */
            if (st == SIOC__HP_STATUS && memcmp(p->p_head, "HTTP/1.", SIOC__MIN(p->p_head_len, (size_t)7)) != 0) {
                r = SIOC_ERR_PROTOCOL;
                break;
            }
            if (!nl) break;
            i++; /* the LF; a CR before it is dropped (a lone LF is accepted, RFC 9112 2.2) */
            if (p->p_head_len > p->p_line_start && p->p_head[p->p_head_len - 1] == '\r') p->p_head_len--;
            r = sioc__hp_line(p, out_ev);
        } else if (st <= SIOC__HP_BODY_CLOSE) {
            size_t n = len - i;
            if ((uint64_t)n > p->p_remaining) n = (size_t)p->p_remaining;
            out_body->ptr = in + i;
            out_body->len = n;
            i += n;
            p->body_len += n;
            *out_ev = SIOC_HTTP_PEV_BODY;
            if ((p->p_remaining -= n) == 0) { /* never for BODY_CLOSE */
                p->p_state = (uint8_t)(st == SIOC__HP_BODY_CL ? SIOC__HP_NOBODY : SIOC__HP_CHUNK_SIZE);
                p->p_ext_state = 3;
            }
        } else {
            r = sioc__hp_chunk_line(p, in, len, &i);
        }
    }
    *out_used = i;
    return r != SIOC_OK ? sioc__hp_fail(p, r) : SIOC_OK; /* an error comes without an event or body */
}

SIOC_API sioc_result sioc_http_parser_eof(sioc_http_parser *p, sioc_http_pev *out_ev) {
    *out_ev = SIOC_HTTP_PEV_NEED_MORE;
    if (p->p_err != SIOC_OK) return p->p_err;
    if (p->p_state == SIOC__HP_BODY_CLOSE || p->p_state >= SIOC__HP_NOBODY) {
        p->p_state = SIOC__HP_DONE;
        *out_ev = SIOC_HTTP_PEV_DONE;
        return SIOC_OK;
    }
    return sioc__hp_fail(p, SIOC_ERR_CLOSED);
}

/* ---- 3. client engine ---- */

enum { /* connection states */
    SIOC__CS_FREE = 0,
    SIOC__CS_OPEN_PENDING,  /* OPEN not handed out yet */
    SIOC__CS_CONNECTING,    /* the app is connecting */
    SIOC__CS_HANDSHAKE,     /* TLS handshake */
    SIOC__CS_READY,         /* idle keep-alive connection */
    SIOC__CS_ACTIVE,        /* carrying a request */
    SIOC__CS_HELD,          /* its response is in the app's hands until the next sioc_http_next_response() */
    SIOC__CS_CLOSE_PENDING  /* CLOSE not handed out yet */
};

enum { /* request states */
    SIOC__RS_FREE = 0,
    SIOC__RS_QUEUED,
    SIOC__RS_ACTIVE,
    SIOC__RS_DONE, /* finished, waiting for pickup */
    SIOC__RS_HELD  /* handed out by the last sioc_http_next_response() */
};

struct sioc_http__ep {
    char host[SIOC_HTTP_MAX_HOST + 1];
    uint16_t port;
    uint8_t used, tls, engine_tls;
};

struct sioc_http__conn {
    sioc_http_parser parser;
    uint8_t state, dead, tls;
    int ep, req;             /* req: the request it carries (ACTIVE) or holds (HELD), else -1 */
    sioc_result last_err;    /* why it was closed */
    uint32_t served;         /* responses completed here: > 0 means a reused keep-alive connection */
    uint64_t since;          /* connect start, or idle start */
    uint32_t idle_limit;     /* ms this connection may stay idle */
    size_t out_head, out_body; /* bytes of the request head / body handed over so far */
    void *tls_mem;
    char why[64];            /* the I/O layer's or TLS backend's words for a failure (sioc_http_conn_reason) */
};

struct sioc_http__req {
    uint16_t gen;            /* kept across uses of the slot, like head */
    char *head;
    uint8_t state, idempotent, retried, fresh_only, head_request, overflow; /* from here on cleared at submit */
    int ep, conn, status;    /* conn: the connection carrying it (ACTIVE) or holding its response, else -1 */
    uint64_t deadline;
    uint32_t seq, done_seq;  /* submit and completion order (the low bits of p_seq; compared by sioc__older) */
    size_t head_len;
    const uint8_t *body;
    size_t body_len;
    void *tag;
    uint8_t *body_out;
    size_t body_out_cap, body_stored;
    size_t tail;             /* body_keep_tail: the last `tail` bytes of body_out keep the end once it overflowed */
    sioc_http_body_fn on_body;
    sioc_result result;
    uint64_t body_total;
    uint32_t timeout_ms;     /* the request's own deadline, for its detail text */
    char detail[SIOC_DETAIL_SIZE]; /* written when the request finishes; not cleared */
};

/* 1 when the engine runs TLS on connection k (never in a build without a TLS backend: that code drops out). */
#define SIOC__TLS_ON(k) (SIOC_TLS != SIOC_TLS_NONE && (k)->tls)

static void sioc__http_log(sioc_http_client *c, sioc_log_level lv, const char *what, int conn, sioc_result r) {
#if SIOC_ENABLE_LOG
    char line[160];
    sioc_buf b;
    if (!c->desc.logger.fn || lv > c->desc.logger.max_level) return;
    sioc_buf_init(&b, line, sizeof line - 1);
    sioc_buf_puts(&b, "http: ");
    sioc_buf_puts(&b, what);
    if (conn >= 0) {
        sioc_buf_puts(&b, " conn ");
        sioc_buf_put_u64(&b, (uint64_t)conn);
        if (c->p_conns[conn].ep >= 0) {
            const sioc_http__ep *e = &c->p_eps[c->p_conns[conn].ep];
            sioc_buf_putc(&b, ' ');
            sioc_buf_puts(&b, e->host);
            sioc_buf_putc(&b, ':');
            sioc_buf_put_u64(&b, e->port);
        }
    }
    if (r != SIOC_OK) {
        sioc_buf_puts(&b, ": ");
        sioc_buf_puts(&b, sioc_strerror(r));
    }
    line[SIOC__MIN(b.len, sizeof line - 1)] = 0;
    c->desc.logger.fn(c->desc.logger.user, lv, line);
#else
    (void)c, (void)lv, (void)what, (void)conn, (void)r;
#endif
}

/* One whole line to the logger (detail texts). */
static void sioc__http_log_text(sioc_http_client *c, sioc_log_level lv, const char *text) {
#if SIOC_ENABLE_LOG
    if (c->desc.logger.fn && lv <= c->desc.logger.max_level) c->desc.logger.fn(c->desc.logger.user, lv, text);
#else
    (void)c, (void)lv, (void)text;
#endif
}

/* 1 when sequence number a was taken before b, modulo 2^32: right while live requests are fewer than 2^31
   submissions apart (only the pickup and dispatch order depend on it). */
static int sioc__older(uint32_t a, uint32_t b) { return (int32_t)(a - b) < 0; }

static size_t sioc__align(size_t n) { return (n + 15u) & ~(size_t)15u; }

/* A body larger than body_out: the last `tail` bytes of body_out keep the body's end (a reply's last fields, e.g. a
   receipt handle), shifted left as overflowing bytes arrive. Only an oversized body takes this path. */
static void sioc__req_keep_tail(struct sioc_http__req *r, const uint8_t *p, size_t n) {
    uint8_t *win = r->body_out + r->body_out_cap - r->tail;
    if (n >= r->tail) { /* only the last `tail` bytes count */
        memcpy(win, p + n - r->tail, r->tail);
        return;
    }
    memmove(win, win + n, r->tail - n);
    memcpy(win + r->tail - n, p, n);
}

/* a*b+acc without wrapping; SIZE_MAX on overflow. */
static size_t sioc__mul_add(size_t acc, size_t a, size_t b) {
    size_t m;
    if (acc == SIZE_MAX || (a && b > (SIZE_MAX - 64) / a)) return SIZE_MAX;
    m = sioc__align(a * b);
    return m > SIZE_MAX - 64 - acc ? SIZE_MAX : acc + m;
}

/* The nine uint32_t sizes and times of sioc_http_client_desc from max_endpoints on: the default for 0, and the
   largest value allowed as a power of two (32: no limit). */
#define SIOC__DESC_U32(d, i) \
    ((uint32_t *)(void *)((char *)(d) + offsetof(sioc_http_client_desc, max_endpoints) + 4 * (i)))
typedef char sioc__desc_u32_check[offsetof(sioc_http_client_desc, idle_timeout_ms) -
                                           offsetof(sioc_http_client_desc, max_endpoints) == 32 ? 1 : -1];

SIOC_API sioc_result sioc_http_client_init(sioc_http_client *c, const sioc_http_client_desc *desc) {
    static const uint16_t defaults[9] = {4, 2, 16, 4096, 8192, 64, 30000, 10000, 30000};
    static const uint8_t max_log2[9] = {8, 6, 12, 32, 32, 16, 32, 32, 32};
    sioc_http_client_desc *d = &c->desc;
    size_t total = 0, i, conn_bytes, head_bytes;
    uint8_t *m;
    sioc_result r = SIOC_ERR_ARG;
    const char *why = SIOC__TEXT("http desc: max_endpoints <= 256, conns_per_endpoint <= 64, max_requests <= 4096, "
                                 "max_headers <= 65536");
    memset(c, 0, sizeof *c);
    c->p_held = -1;
    if (!desc) return SIOC_ERR_ARG;
    *d = *desc;
    for (i = 0; i < 9; i++) {
        uint32_t *f = SIOC__DESC_U32(d, i);
        if (!*f) *f = defaults[i];
        if (max_log2[i] < 32 && *f > (1u << max_log2[i])) goto fail;
    }
    if (d->ca_pem && !d->ca_pem_len) d->ca_pem_len = strlen(d->ca_pem);
#if !SIOC_ENABLE_LIBC_MALLOC
    if (!d->allocator.alloc || !d->allocator.free) {
        why = SIOC__TEXT("http desc: no allocator (built with SIOC_ENABLE_LIBC_MALLOC 0)");
        r = SIOC_ERR_DEPENDENCY;
        goto fail;
    }
#endif
    c->p_n_eps = d->max_endpoints;
    c->p_n_conns = d->max_endpoints * d->conns_per_endpoint;
    c->p_n_reqs = d->max_requests;
    head_bytes = sioc__align(d->response_head_size);
    conn_bytes = head_bytes + sioc__mul_add(0, d->max_headers, sizeof(sioc_http_hdr_ref));
    total = sioc__mul_add(total, c->p_n_eps, sizeof(sioc_http__ep));
    total = sioc__mul_add(total, c->p_n_conns, sizeof(sioc_http__conn));
    total = sioc__mul_add(total, c->p_n_reqs, sizeof(sioc_http__req));
    total = sioc__mul_add(total, c->p_n_conns, conn_bytes);
    total = sioc__mul_add(total, c->p_n_reqs, sioc__align(d->request_head_size));
    if (total == SIZE_MAX) {
        why = SIOC__TEXT("http desc: the sizes multiply beyond the address space");
        goto fail;
    }
    m = (uint8_t *)sioc__alloc(&d->allocator, total);
    if (!m) {
        if (SIOC_ENABLE_ERROR_STRINGS) {
            sioc_buf b;
            sioc__detail_start(&b, c->detail, sizeof c->detail);
            sioc_buf_puts(&b, "out of memory: the HTTP engine needs ");
            sioc_buf_put_u64(&b, (uint64_t)total);
            sioc_buf_puts(&b, " bytes");
            sioc__detail_end(&b);
        }
        return SIOC_ERR_NOMEM;
    }
    memset(m, 0, total);
    c->p_mem = m;
    c->p_mem_size = total;
    c->p_eps = (sioc_http__ep *)(void *)m;
    m += sioc__align(c->p_n_eps * sizeof(sioc_http__ep));
    c->p_conns = (sioc_http__conn *)(void *)m;
    m += sioc__align(c->p_n_conns * sizeof(sioc_http__conn));
    c->p_reqs = (sioc_http__req *)(void *)m;
    m += sioc__align(c->p_n_reqs * sizeof(sioc_http__req));
    for (i = 0; i < c->p_n_conns; i++) {
        sioc_http__conn *k = &c->p_conns[i];
        k->ep = -1;
        k->req = -1;
        sioc_http_parser_init(&k->parser, m, d->response_head_size, (sioc_http_hdr_ref *)(void *)(m + head_bytes),
                              d->max_headers);
        m += conn_bytes;
    }
    for (i = 0; i < c->p_n_reqs; i++) {
        sioc_http__req *q = &c->p_reqs[i];
        q->head = (char *)m; /* the rest is set at submit: a free slot is never read */
        q->gen = 1;
        m += sioc__align(d->request_head_size);
    }
    c->p_tls = sioc__tls_ops();
    r = c->p_tls->client_init(c, &c->p_tls_state); /* it explains failures in c->detail, no TLS in p_tls_why */
    if (r != SIOC_OK) {
        if (!c->detail[0]) sioc__detail_set(c->detail, sizeof c->detail, "TLS setup: ", sioc_strerror(r), NULL);
        sioc__free(&d->allocator, c->p_mem, c->p_mem_size);
        c->p_mem = NULL;
    }
    return r;
fail:
    sioc__detail_set(c->detail, sizeof c->detail, why, NULL, NULL);
    return r;
}

static void sioc__conn_free_tls(sioc_http_client *c, sioc_http__conn *k) {
    if (SIOC_TLS != SIOC_TLS_NONE && k->tls_mem) {
        c->p_tls->close(k->tls_mem);
        sioc__free(&c->desc.allocator, k->tls_mem, c->p_tls->conn_size());
        k->tls_mem = NULL;
    }
}

SIOC_API void sioc_http_client_free(sioc_http_client *c) {
    uint32_t i;
    if (!c->p_mem) return;
    for (i = 0; i < c->p_n_conns; i++) sioc__conn_free_tls(c, &c->p_conns[i]);
    c->p_tls->client_free(c, c->p_tls_state);
    sioc__free(&c->desc.allocator, c->p_mem, c->p_mem_size);
    c->p_mem = NULL;
    c->p_tls_state = NULL;
}

SIOC_API sioc_result sioc_http_endpoint(sioc_http_client *c, const char *host, uint16_t port, int tls, int *out_ep) {
    uint32_t i;
    size_t n = host ? strlen(host) : 0;
    int free_ep = -1;
    sioc_result r = SIOC_ERR_ARG;
    const char *why = SIOC__TEXT("endpoint without a host name or port");
    sioc_http__ep *e;
    if (out_ep) *out_ep = -1;
    c->detail[0] = 0;
    tls = tls != 0;
    if (tls && !n) { /* never "verify nothing" */
        why = SIOC__TEXT("https endpoint without a host name: nothing to verify");
        r = SIOC_ERR_TLS_NO_HOSTNAME;
        goto fail;
    }
    if (!n || port == 0 || !c->p_mem) {
        if (!c->p_mem) why = SIOC__TEXT("HTTP client not initialised");
        goto fail;
    }
    if (n > SIOC_HTTP_MAX_HOST) {
        why = SIOC__TEXT("host name longer than SIOC_HTTP_MAX_HOST");
        goto fail;
    }
    if (tls && ((SIOC_TLS == SIOC_TLS_NONE && !c->desc.tls_offload) || (SIOC_TLS != SIOC_TLS_NONE && !c->p_tls_state))) {
        if (SIOC_ENABLE_ERROR_STRINGS) {
            sioc_buf b;
            sioc__detail_start(&b, c->detail, sizeof c->detail);
            sioc_buf_puts(&b, "https://");
            sioc__put_hostport(&b, host, port);
            sioc_buf_puts(&b, SIOC_TLS == SIOC_TLS_NONE
                                  ? " needs a TLS build: -DSIOC_TLS=SIOC_TLS_MBEDTLS or SIOC_TLS_BEARSSL"
                                  : ": ");
            if (SIOC_TLS != SIOC_TLS_NONE) sioc_buf_puts(&b, c->p_tls_why[0] ? c->p_tls_why : "no TLS set up");
            sioc__detail_end(&b);
            sioc__http_log_text(c, SIOC_LOG_ERROR, c->detail);
        }
        return SIOC_ERR_DEPENDENCY;
    }
    for (i = 0; i < c->p_n_eps; i++) {
        e = &c->p_eps[i];
        if (!e->used) {
            if (free_ep < 0) free_ep = (int)i;
        } else if (e->port == port && e->tls == tls && !sioc__strcmp(e->host, host)) {
            free_ep = (int)i;
            goto found;
        }
    }
    if (free_ep < 0) {
        why = SIOC__TEXT("more distinct endpoints than max_endpoints");
        r = SIOC_ERR_LIMIT;
        goto fail;
    }
    e = &c->p_eps[free_ep];
    memcpy(e->host, host, n + 1);
    e->port = port;
    e->tls = (uint8_t)tls;
    if (SIOC_TLS != SIOC_TLS_NONE) e->engine_tls = (uint8_t)tls; /* else it stays 0 */
    e->used = 1;
found:
    if (out_ep) *out_ep = free_ep;
    return SIOC_OK;
fail:
    sioc__detail_set(c->detail, sizeof c->detail, why, NULL, NULL);
    return r;
}

static sioc_http__conn *sioc__conn(const sioc_http_client *c, int conn) {
    if ((uint32_t)conn >= c->p_n_conns) return NULL; /* conn < 0 too */
    return &c->p_conns[conn];
}

/* 1 while the socket of `k` is up (TLS handshake to held response). */
static int sioc__up(const sioc_http__conn *k) {
    return (unsigned)k->state - SIOC__CS_HANDSHAKE <= (unsigned)(SIOC__CS_HELD - SIOC__CS_HANDSHAKE);
}
/* The slot `conn` while its socket is up, else NULL. */
static sioc_http__conn *sioc__conn_up(const sioc_http_client *c, int conn) {
    sioc_http__conn *k = sioc__conn(c, conn);
    return k && sioc__up(k) ? k : NULL;
}

/* What a TLS failure means, for people. */
static const char *sioc__tls_words(sioc_result res) {
    switch (res) {
    case SIOC_ERR_TLS_UNTRUSTED: return "certificate chain not trusted (unknown CA: see ca_file / ca_pem)";
    case SIOC_ERR_TLS_HOSTNAME: return "certificate does not match the host name";
    case SIOC_ERR_TLS_EXPIRED: return "certificate expired or not yet valid";
    case SIOC_ERR_TLS_TIME: return "utc_now() is before 2024: set the clock";
    case SIOC_ERR_TLS_NO_HOSTNAME: return "no host name to verify";
    case SIOC_ERR_DEPENDENCY: return "no trust anchors, random or clock";
    default: return "handshake or record layer failed";
    }
}

static int sioc__is_tls_err(sioc_result res) {
    return res == SIOC_ERR_TLS || (res <= SIOC_ERR_TLS_UNTRUSTED && res >= SIOC_ERR_TLS_TIME);
}

/* The detail text of a failed request: what failed, with host:port and the reason. `ki` is the connection the
   failure happened on (-1: none), `connecting` 1 when it never became usable. */
static void sioc__req_detail(sioc_http_client *c, sioc_http__req *r, int ki, int connecting, sioc_result res) {
    const sioc_http__ep *e = &c->p_eps[r->ep];
    const char *why = ki >= 0 ? c->p_conns[ki].why : "";
    sioc_buf b;
    sioc__detail_start(&b, r->detail, sizeof r->detail);
    if (!SIOC_ENABLE_ERROR_STRINGS) return; /* no text to build: leave the words out of the binary */
    if (res == SIOC_ERR_BUFFER_TOO_SMALL) {
        sioc_buf_puts(&b, "reply body from ");
        sioc__put_hostport(&b, e->host, e->port);
        sioc_buf_puts(&b, " is ");
        sioc_buf_put_u64(&b, r->body_total);
        sioc_buf_puts(&b, " bytes, the buffer holds ");
        sioc_buf_put_u64(&b, r->body_out_cap);
        why = "";
    } else if (sioc__is_tls_err(res)) {
        sioc_buf_puts(&b, "TLS with ");
        sioc__put_hostport(&b, e->host, e->port);
        sioc_buf_puts(&b, " failed: ");
        sioc_buf_puts(&b, sioc__tls_words(res));
    } else if (res == SIOC_ERR_TIMEOUT && !connecting) {
        sioc_buf_puts(&b, ki >= 0 ? "no complete reply from " : "no connection free for ");
        sioc__put_hostport(&b, e->host, e->port);
        sioc_buf_puts(&b, " within ");
        sioc_buf_put_u64(&b, r->timeout_ms);
        sioc_buf_puts(&b, " ms");
    } else if (connecting) {
        sioc_buf_puts(&b, "cannot connect to ");
        sioc__put_hostport(&b, e->host, e->port);
        if (!why[0]) why = res == SIOC_ERR_NOMEM ? "out of memory for the TLS state" : sioc_strerror(res);
    } else {
        sioc__put_hostport(&b, e->host, e->port);
        sioc_buf_putc(&b, ' ');
        sioc_buf_puts(&b, res == SIOC_ERR_CLOSED      ? "closed the connection before the reply was complete"
                          : res == SIOC_ERR_PROTOCOL  ? "sent a malformed HTTP reply"
                          : res == SIOC_ERR_LIMIT     ? "sent a reply head over response_head_size or max_headers"
                          : res == SIOC_ERR_UNSUPPORTED ? "sent a transfer coding other than chunked"
                                                      : sioc_strerror(res));
    }
    if (why[0]) {
        sioc_buf_puts(&b, ": ");
        sioc_buf_puts(&b, why);
    }
    sioc__detail_end(&b);
}

/* Finish request `ri` with `res`; it waits for pickup in completion order. `ki` and `connecting` as in
   sioc__req_detail. */
static void sioc__req_finish(sioc_http_client *c, int ri, sioc_result res, int ki, int connecting) {
    sioc_http__req *r = &c->p_reqs[ri];
    if (!SIOC_ENABLE_ERROR_STRINGS) { /* no text: the detail stays empty from init */
    } else if (res != SIOC_OK) {
        sioc__req_detail(c, r, ki, connecting, res);
    } else {
        r->detail[0] = 0;
    }
    r->state = SIOC__RS_DONE;
    r->result = res;
    r->done_seq = (uint32_t)++c->p_seq;
    if (res == SIOC_ERR_TIMEOUT) c->stats.timeouts++;
}

static void sioc__dispatch(sioc_http_client *c);

/* Close `conn` now: a request on it fails with `err` (or goes back to the queue once, see below); a CLOSE event
   follows when the app had been told to open it. */
static void sioc__conn_close(sioc_http_client *c, int ki, sioc_result err) {
    sioc_http__conn *k = &c->p_conns[ki];
    if (k->state == SIOC__CS_FREE || k->state == SIOC__CS_CLOSE_PENDING) return;
    if (k->last_err == SIOC_OK) k->last_err = err;
    if (k->state == SIOC__CS_ACTIVE) {
        sioc_http__req *r = &c->p_reqs[k->req];
        /* A reused connection the server closed before answering: the request probably never reached the
           application, so an idempotent one goes out once more on a fresh connection (RFC 9112 9.3.1). */
        if (err == SIOC_ERR_CLOSED && r->idempotent && !r->retried && k->served > 0 &&
            !sioc_http_parser_started(&k->parser)) {
            r->state = SIOC__RS_QUEUED;
            r->retried = 1;
            r->fresh_only = 1;
            c->stats.retries++;
            sioc__http_log(c, SIOC_LOG_DEBUG, "retrying request after stale keep-alive", ki, err);
        } else {
            sioc__req_finish(c, k->req, err, ki, 0);
        }
        r->conn = -1;
        k->req = -1;
    }
    if (k->state == SIOC__CS_HELD) { /* the response's views live here: close on release */
        k->dead = 1;
        return;
    }
    sioc__conn_free_tls(c, k);
    if (err != SIOC_OK) sioc__http_log(c, SIOC_LOG_DEBUG, "closing", ki, err);
    k->state = (uint8_t)(k->state == SIOC__CS_OPEN_PENDING ? SIOC__CS_FREE : SIOC__CS_CLOSE_PENDING);
}

/* The connection never became usable: the requests waiting for this endpoint learn why. */
static void sioc__conn_connect_failed(sioc_http_client *c, int ki, sioc_result err) {
    sioc_http__conn *k = &c->p_conns[ki];
    uint32_t i;
    int ep = k->ep;
    if (!SIOC_ENABLE_ERROR_STRINGS) {
        /* no text: k->why stays empty */
    } else if (!k->why[0] && err == SIOC_ERR_TIMEOUT) { /* the engine's own timer: say which step took too long */
        sioc_buf b;
        sioc__detail_start(&b, k->why, sizeof k->why);
        sioc_buf_puts(&b, k->state == SIOC__CS_HANDSHAKE ? "TLS handshake not done within "
                          : k->state == SIOC__CS_OPEN_PENDING ? "the socket was not opened within "
                                                               : "no answer within ");
        sioc_buf_put_u64(&b, c->desc.connect_timeout_ms);
        sioc_buf_puts(&b, " ms (connect_timeout_ms)");
        sioc__detail_end(&b);
    } else if (!k->why[0] && SIOC__TLS_ON(k) && err == SIOC_ERR_TLS && k->tls_mem && c->p_tls->last_error) {
        long code = c->p_tls->last_error(k->tls_mem);
        if (code) {
            sioc_buf b;
            sioc__detail_start(&b, k->why, sizeof k->why);
            sioc_buf_puts(&b, c->p_tls->name);
            if (code < 0) { /* mbedTLS documents its codes as -0xNNNN */
                static const char hex[] = "0123456789abcdef";
                unsigned long v = (unsigned long)-code;
                int shift;
                sioc_buf_puts(&b, " error -0x");
                for (shift = 12; shift >= 0; shift -= 4) sioc_buf_putc(&b, hex[(v >> shift) & 15u]);
            } else {
                sioc_buf_puts(&b, " error ");
                sioc_buf_put_u64(&b, (uint64_t)code);
            }
            sioc__detail_end(&b);
        }
    }
    sioc__http_log(c, SIOC_LOG_WARN, "connect failed", ki, err);
    for (i = 0; i < c->p_n_reqs; i++) {
        sioc_http__req *r = &c->p_reqs[i];
        if (r->state == SIOC__RS_QUEUED && r->ep == ep) sioc__req_finish(c, (int)i, err, ki, 1);
    }
    sioc__conn_close(c, ki, err);
}

/* Start a TLS connection's handshake or make a plain one ready. */
static void sioc__conn_ready(sioc_http_client *c, int ki) {
    sioc_http__conn *k = &c->p_conns[ki];
    k->state = SIOC__CS_READY;
    k->since = c->p_now;
    k->idle_limit = c->desc.idle_timeout_ms;
    sioc__dispatch(c);
}

static void sioc__conn_tls_pump(sioc_http_client *c, int ki);

/* Request bytes still to hand over: the head, then the borrowed body. */
static void sioc__conn_stream(const sioc_http_client *c, const sioc_http__conn *k, const uint8_t **p, size_t *n) {
    const sioc_http__req *r;
    *p = NULL;
    *n = 0;
    if (k->state != SIOC__CS_ACTIVE) return;
    r = &c->p_reqs[k->req];
    if (k->out_head < r->head_len) {
        *p = (const uint8_t *)r->head + k->out_head;
        *n = r->head_len - k->out_head;
    } else if (k->out_body < r->body_len) {
        *p = r->body + k->out_body;
        *n = r->body_len - k->out_body;
    }
}

static void sioc__conn_stream_advance(const sioc_http_client *c, sioc_http__conn *k, size_t n) {
    const sioc_http__req *r = &c->p_reqs[k->req];
    size_t h = SIOC__MIN(n, r->head_len - k->out_head);
    k->out_head += h;
    k->out_body += n - h;
}

static void sioc__assign(sioc_http_client *c, int ri, int ki) {
    sioc_http__req *r = &c->p_reqs[ri];
    sioc_http__conn *k = &c->p_conns[ki];
    r->state = SIOC__RS_ACTIVE;
    r->conn = ki;
    k->state = SIOC__CS_ACTIVE;
    k->req = ri;
    k->out_head = 0;
    k->out_body = 0;
    sioc_http_parser_reset(&k->parser, r->head_request);
    if (SIOC__TLS_ON(k)) sioc__conn_tls_pump(c, ki);
}

/* Hand queued requests (oldest first) to ready connections of their endpoint, and ask for new connections while
   more requests wait than connections are being opened. */
static void sioc__dispatch(sioc_http_client *c) {
    uint32_t per = c->desc.conns_per_endpoint, e;
    for (e = 0; e < c->p_n_eps; e++) { /* endpoints never share connections: each on its own */
        uint32_t waiting, opening = 0, j, i;
        int fresh;
        if (!c->p_eps[e].used) continue;
        for (;;) { /* the oldest request a ready connection can take; count the ones waiting meanwhile */
            int best = -1, ki = -1;
            waiting = 0;
            fresh = 0;
            for (i = 0; i < c->p_n_reqs; i++) {
                sioc_http__req *r = &c->p_reqs[i];
                int cand = -1;
                if (r->state != SIOC__RS_QUEUED || r->ep != (int)e) continue;
                waiting++;
                fresh |= r->fresh_only;
                if (best >= 0 && sioc__older(c->p_reqs[best].seq, r->seq)) continue;
                for (j = e * per; j < (e + 1) * per; j++) {
                    /* most recently used first: one hot connection, the others idle out */
                    sioc_http__conn *k = &c->p_conns[j];
                    if (k->state == SIOC__CS_READY && !(r->fresh_only && k->served > 0) &&
                        (cand < 0 || k->since > c->p_conns[cand].since))
                        cand = (int)j;
                }
                if (cand >= 0) {
                    best = (int)i;
                    ki = cand;
                }
            }
            if (best < 0) break;
            sioc__assign(c, best, ki);
        }
        if (!waiting) continue;
        for (j = e * per; j < (e + 1) * per; j++) {
            /* a held response's connection comes back at the next sioc_http_next_response(): wait for it
               rather than open another (fresh-only retries cannot use it) */
            const sioc_http__conn *k = &c->p_conns[j];
            if (k->state == SIOC__CS_OPEN_PENDING || k->state == SIOC__CS_CONNECTING ||
                k->state == SIOC__CS_HANDSHAKE || (k->state == SIOC__CS_HELD && !k->dead && !fresh))
                opening++;
        }
        for (j = e * per; j < (e + 1) * per && opening < waiting; j++) {
            sioc_http__conn *k = &c->p_conns[j];
            if (k->state != SIOC__CS_FREE) continue;
            k->ep = (int)e;
            k->dead = 0;
            k->last_err = SIOC_OK;
            if (SIOC_ENABLE_ERROR_STRINGS) k->why[0] = 0; /* read only for detail texts */
            k->served = 0;
            k->since = c->p_now;
            if (SIOC_TLS != SIOC_TLS_NONE) k->tls = c->p_eps[e].engine_tls; /* read only through SIOC__TLS_ON */
            k->state = SIOC__CS_OPEN_PENDING;
            if (SIOC__TLS_ON(k)) {
                size_t sz = c->p_tls->conn_size();
                k->tls_mem = sz ? sioc__alloc(&c->desc.allocator, sz) : NULL;
                if (sz && !k->tls_mem) {
                    sioc__conn_connect_failed(c, (int)j, SIOC_ERR_NOMEM);
                    break;
                }
                if (k->tls_mem) memset(k->tls_mem, 0, sz);
            }
            opening++;
        }
    }
}

SIOC_API sioc_result sioc_http_submit(sioc_http_client *c, int ep, const sioc_http_request *req, uint64_t now_ms,
                                      uint32_t *out_id) {
    uint32_t i;
    sioc_http__req *r = NULL;
    sioc_http__ep *e;
    sioc_buf b;
    sioc_result res;
    if (out_id) *out_id = 0;
    if (!c->p_mem || !req || (uint32_t)ep >= c->p_n_eps || !c->p_eps[ep].used) return SIOC_ERR_ARG; /* ep < 0 too */
    c->p_now = now_ms;
    e = &c->p_eps[ep];
    for (i = 0; i < c->p_n_reqs; i++) {
        if (c->p_reqs[i].state == SIOC__RS_FREE) {
            r = &c->p_reqs[i];
            break;
        }
    }
    if (!r) return SIOC_ERR_LIMIT;
    sioc_buf_init(&b, r->head, c->desc.request_head_size);
    res = sioc_http_write_head(&b, req, e->host, e->port, e->tls);
    if (res != SIOC_OK) return res;
    memset(&r->state, 0, offsetof(sioc_http__req, detail) - offsetof(sioc_http__req, state)); /* counts, flags, status, result: 0 */
    r->head_len = b.len;
    r->body = (const uint8_t *)req->body;
    r->body_len = req->body_len;
    r->ep = ep;
    r->conn = -1;
    r->idempotent = (uint8_t)(req->idempotent ? 1 : 0);
    r->head_request = (uint8_t)(sioc__strcmp(req->method, "HEAD") == 0);
    r->timeout_ms = req->timeout_ms ? req->timeout_ms : c->desc.timeout_ms;
    r->deadline = now_ms + r->timeout_ms;
    r->seq = (uint32_t)++c->p_seq;
    r->tag = req->tag;
    r->on_body = req->on_body;
    r->body_out = req->on_body ? NULL : (uint8_t *)req->body_out;
    r->body_out_cap = r->body_out ? req->body_out_cap : 0;
    r->tail = req->body_keep_tail <= r->body_out_cap ? req->body_keep_tail : 0; /* no body_out: cap 0, tail 0 */
    r->state = SIOC__RS_QUEUED;
    c->stats.requests++;
    if (out_id) *out_id = ((uint32_t)r->gen << 16) | i;
    sioc__dispatch(c);
    return SIOC_OK;
}

static int sioc__req_by_id(const sioc_http_client *c, uint32_t id) {
    uint32_t slot = id & 0xffffu;
    if (slot >= c->p_n_reqs || c->p_reqs[slot].gen != (uint16_t)(id >> 16)) return -1;
    return (int)slot;
}

static void sioc__req_free(sioc_http__req *r) {
    r->state = SIOC__RS_FREE;
    r->gen = (uint16_t)(r->gen == 0xFFFFu ? 1u : r->gen + 1u); /* 0 is skipped: an id names a used slot */
}

SIOC_API sioc_result sioc_http_parse_origin(const char *url, char *host, uint16_t *port, int *tls) {
    const char *p, *h;
    size_t hlen;
    unsigned long pv;
    if (!url || !host || !port || !tls) return SIOC_ERR_ARG;
    if (sioc__starts(url, "https://")) *tls = 1, p = url + 8;
    else if (sioc__starts(url, "http://")) *tls = 0, p = url + 7;
    else return SIOC_ERR_ARG;
    if (*p == '[') return SIOC_ERR_UNSUPPORTED;
    for (h = p; *p && *p != ':' && *p != '/'; p++)
        if (!sioc__http_class((unsigned char)*p, SIOC__HC_HOST)) return SIOC_ERR_ARG; /* also '@', '?', '#' */
    hlen = (size_t)(p - h);
    if (hlen == 0 || hlen > SIOC_HTTP_MAX_HOST) return SIOC_ERR_ARG;
    pv = *tls ? 443 : 80;
    if (*p == ':') {
        for (pv = 0; sioc__is_digit((unsigned char)*++p);)
            if ((pv = pv * 10 + (unsigned long)(*p - '0')) > 65535) return SIOC_ERR_ARG;
        if (pv == 0) return SIOC_ERR_ARG; /* also no digits */
    }
    if (*p == '/') p++;
    if (*p) return SIOC_ERR_ARG; /* no path: the clients' targets are their own */
    memcpy(host, h, hlen);
    host[hlen] = 0;
    *port = (uint16_t)pv;
    return SIOC_OK;
}

SIOC_API void sioc_http_calls_sent(sioc_http_calls *q, sioc_http_call *k, uint32_t id) {
    k->p_id = id;
    k->p_state = 1;
    q->p_inflight++;
}

SIOC_API int sioc_http_calls_answered(sioc_http_calls *q, sioc_http_call *k, uint32_t id) {
    if (k->p_state != 1 || k->p_id != id) return 0;
    k->p_state = 0;
    q->p_inflight--;
    return 1;
}

SIOC_API void sioc_http_calls_done(sioc_http_calls *q, sioc_http_call *k) {
    k->p_state = 2;
    sioc__queue_push(&q->p_done, &k->p_link);
}

SIOC_API sioc_http_call *sioc_http_calls_pop(sioc_http_calls *q) {
    sioc_qlink *link = sioc__queue_pop(&q->p_done);
    sioc_http_call *k;
    if (!link) return NULL;
    k = SIOC__CONTAINER(link, sioc_http_call, p_link);
    k->p_state = 0;
    return k;
}

SIOC_API int sioc_http_calls_pending(const sioc_http_calls *q) { return q->p_done.p_head != NULL; }

SIOC_API int sioc_http_calls_busy(const sioc_http_call *k) { return k->p_state != 0; }

SIOC_API sioc_result sioc_http_calls_cancel(sioc_http_client *c, sioc_http_calls *q, sioc_http_call *k) {
    if (!k->p_state) return SIOC_ERR_NOT_FOUND;
    if (k->p_state == 2) { /* finished, not yet collected: unlink it */
        (void)sioc__queue_remove(&q->p_done, &k->p_link);
    } else {
        (void)sioc_http_cancel(c, k->p_id);
        q->p_inflight--;
    }
    k->p_state = 0;
    return SIOC_OK;
}

/* Forget request `ri`: a connection still carrying it (closed: half an exchange) or holding its response (closed
   when dead, else idle again) goes back to the pool. */
static void sioc__req_drop(sioc_http_client *c, int ri) {
    sioc_http__req *r = &c->p_reqs[ri];
    int ki = r->conn;
    if (ki >= 0) {
        sioc_http__conn *k = &c->p_conns[ki];
        if (k->req == ri && (k->state == SIOC__CS_HELD || k->state == SIOC__CS_ACTIVE)) {
            int dead = k->dead || k->state == SIOC__CS_ACTIVE;
            k->req = -1; /* detach first: the close must not finish or retry it */
            k->state = SIOC__CS_READY;
            k->since = c->p_now;
            if (dead) sioc__conn_close(c, ki, SIOC_OK);
        }
    }
    sioc__req_free(r);
    sioc__dispatch(c);
}

SIOC_API sioc_result sioc_http_cancel(sioc_http_client *c, uint32_t id) {
    int ri = sioc__req_by_id(c, id);
    if (ri < 0 || c->p_reqs[ri].state == SIOC__RS_FREE || c->p_reqs[ri].state == SIOC__RS_HELD)
        return SIOC_ERR_NOT_FOUND;
    sioc__req_drop(c, ri);
    return SIOC_OK;
}

SIOC_API sioc_result sioc_http_next_response(sioc_http_client *c, sioc_http_response *out) {
    uint32_t i;
    int best = -1;
    sioc_http__req *r;
    memset(out, 0, sizeof *out);
    if (!c->p_mem) return SIOC_AGAIN;
    if (c->p_held >= 0) { /* give the connection of the response handed out last back to the pool */
        int held = c->p_held;
        c->p_held = -1;
        sioc__req_drop(c, held);
    }
    for (i = 0; i < c->p_n_reqs; i++) {
        if (c->p_reqs[i].state == SIOC__RS_DONE && (best < 0 || sioc__older(c->p_reqs[i].done_seq, c->p_reqs[best].done_seq)))
            best = (int)i;
    }
    if (best < 0) return SIOC_AGAIN;
    r = &c->p_reqs[best];
    r->state = SIOC__RS_HELD;
    c->p_held = best;
    out->id = ((uint32_t)r->gen << 16) | (uint32_t)best;
    out->tag = r->tag;
    out->result = r->result;
    out->status = r->status;
    out->body = r->body_out;
    out->body_len = r->body_stored;
    out->body_total = r->body_total;
    out->tail_len = r->overflow ? r->tail : 0;
    out->retried = r->retried;
    if (SIOC_ENABLE_ERROR_STRINGS) memcpy(out->detail, r->detail, sizeof out->detail); /* else empty */
    if (r->conn >= 0 && c->p_conns[r->conn].state == SIOC__CS_HELD) out->p_parser = &c->p_conns[r->conn].parser;
    return SIOC_OK;
}

SIOC_API size_t sioc_http_responses_ready(const sioc_http_client *c) {
    size_t n = 0;
    uint32_t i;
    for (i = 0; i < c->p_n_reqs; i++) n += c->p_reqs[i].state == SIOC__RS_DONE;
    return n;
}

SIOC_API sioc_result sioc_http_response_header(const sioc_http_response *r, const char *name, sioc_str *out_value) {
    return sioc_http_parser_header(r->p_parser, name, out_value);
}

SIOC_API sioc_result sioc_http_next_io(sioc_http_client *c, sioc_http_io_event *out) {
    uint32_t i;
    memset(out, 0, sizeof *out);
    if (!c->p_mem) return SIOC_AGAIN;
    for (i = 0; i < c->p_n_conns; i++) { /* closes first: they free slots */
        sioc_http__conn *k = &c->p_conns[i];
        if (k->state == SIOC__CS_CLOSE_PENDING) {
            k->state = SIOC__CS_FREE;
            out->type = SIOC_HTTP_IO_CLOSE;
            out->conn = (int)i;
            sioc__dispatch(c);
            return SIOC_OK;
        }
    }
    for (i = 0; i < c->p_n_conns; i++) {
        sioc_http__conn *k = &c->p_conns[i];
        if (k->state == SIOC__CS_OPEN_PENDING) {
            const sioc_http__ep *e = &c->p_eps[k->ep];
            k->state = SIOC__CS_CONNECTING;
            out->type = SIOC_HTTP_IO_OPEN;
            out->conn = (int)i;
            out->host = e->host;
            out->port = e->port;
            out->tls = e->tls;
            c->stats.conns_opened++;
            sioc__http_log(c, SIOC_LOG_DEBUG, "open", (int)i, SIOC_OK);
            return SIOC_OK;
        }
    }
    return SIOC_AGAIN;
}

SIOC_API void sioc_http_conn_reason(sioc_http_client *c, int conn, const char *reason) {
    sioc_http__conn *k = sioc__conn(c, conn);
    if (!k || !reason) return;
    sioc__detail_set(k->why, sizeof k->why, reason, NULL, NULL);
}

SIOC_API void sioc_http_conn_opened(sioc_http_client *c, int conn, uint64_t now_ms) {
    sioc_http__conn *k = sioc__conn(c, conn);
    if (!k || k->state != SIOC__CS_CONNECTING) return;
    c->p_now = now_ms;
    if (SIOC__TLS_ON(k)) {
        sioc_result r = c->p_tls->open(c, c->p_tls_state, k->tls_mem, c->p_eps[k->ep].host);
        if (r != SIOC_OK) {
            sioc__conn_connect_failed(c, conn, r);
            return;
        }
        k->state = SIOC__CS_HANDSHAKE;
        sioc__conn_tls_pump(c, conn);
        return;
    }
    sioc__conn_ready(c, conn);
}

SIOC_API void sioc_http_conn_failed(sioc_http_client *c, int conn, sioc_result err, uint64_t now_ms) {
    sioc_http__conn *k = sioc__conn(c, conn);
    if (!k) return;
    c->p_now = now_ms;
    if (err >= 0) err = SIOC_ERR_CLOSED;
    if (k->state == SIOC__CS_CONNECTING || k->state == SIOC__CS_OPEN_PENDING)
        sioc__conn_connect_failed(c, conn, err == SIOC_ERR_CLOSED ? SIOC_ERR_CONNECT : err);
    else if (SIOC_TLS != SIOC_TLS_NONE && k->state == SIOC__CS_HANDSHAKE)
        sioc__conn_connect_failed(c, conn, err == SIOC_ERR_CLOSED ? SIOC_ERR_TLS : err);
    else
        sioc__conn_close(c, conn, err);
    sioc__dispatch(c);
}

/* The response on `ki` is complete: its request waits for pickup, and the connection is held until then (closed
   afterwards when `dead`). */
static void sioc__conn_done(sioc_http_client *c, int ki, int dead) {
    sioc_http__conn *k = &c->p_conns[ki];
    uint32_t ka = k->parser.keep_alive_timeout_s, idle = c->desc.idle_timeout_ms; /* idle >= 1: a default */
    k->dead |= (uint8_t)dead; /* dead is 0 or 1 */
    k->served++;
    /* close well before the server: after 3/4 of its timeout when that is below ours (ka * 750 < idle) */
    k->idle_limit = ka && ka <= (idle - 1u) / 750u ? ka * 750u : idle;
    k->state = SIOC__CS_HELD;
    c->stats.responses++;
    sioc__req_finish(c, k->req, c->p_reqs[k->req].overflow ? SIOC_ERR_BUFFER_TOO_SMALL : SIOC_OK, ki, 0);
}

/* Plaintext from the peer. */
static void sioc__conn_input(sioc_http_client *c, int ki, const uint8_t *p, size_t n) {
    sioc_http__conn *k = &c->p_conns[ki];
    while (n > 0 || k->parser.p_state == SIOC__HP_NOBODY) { /* NOBODY: a DONE follows without input */
        sioc_http__req *r;
        size_t used;
        sioc_http_pev ev;
        sioc_bytes body;
        sioc_result res;
        if (k->state == SIOC__CS_HELD) { /* bytes after a complete response: no pipelining here */
            k->dead = 1;
            return;
        }
        if (k->state != SIOC__CS_ACTIVE) { /* unsolicited bytes on an idle connection */
            sioc__conn_close(c, ki, SIOC_ERR_PROTOCOL);
            return;
        }
        r = &c->p_reqs[k->req];
        res = sioc_http_parser_feed(&k->parser, p, n, &used, &ev, &body);
        p += used;
        n -= used;
        if (res != SIOC_OK) {
            sioc__http_log(c, SIOC_LOG_WARN, "bad response", ki, res);
            sioc__conn_close(c, ki, res);
            return;
        }
        if (ev == SIOC_HTTP_PEV_HEAD) r->status = k->parser.status;
        if (ev == SIOC_HTTP_PEV_BODY) {
            r->body_total += body.len;
            if (r->on_body) {
                r->on_body(r->tag, body.ptr, body.len);
            } else if (r->body_out) {
                size_t room = r->body_out_cap - r->body_stored, take = SIOC__MIN(room, body.len);
                if (take) memcpy(r->body_out + r->body_stored, body.ptr, take);
                r->body_stored += take;
                if (take < body.len) { /* a tail of 0 keeps nothing */
                    r->overflow = 1;
                    sioc__req_keep_tail(r, body.ptr + take, body.len - take);
                }
            }
        }
        if (ev == SIOC_HTTP_PEV_DONE) {
            const uint8_t *unsent;
            size_t unsent_len;
            sioc__conn_stream(c, k, &unsent, &unsent_len); /* an early answer: the request never finished */
            sioc__conn_done(c, ki, !k->parser.keep_alive || unsent_len > 0 || n > 0);
            return;
        }
    }
}

static void sioc__conn_input_eof(sioc_http_client *c, int ki) {
    sioc_http__conn *k = &c->p_conns[ki];
    if (k->state == SIOC__CS_ACTIVE) {
        sioc_http_pev ev;
        if (sioc_http_parser_eof(&k->parser, &ev) == SIOC_OK && ev == SIOC_HTTP_PEV_DONE) {
            sioc__conn_done(c, ki, 1);
            return;
        }
    }
    if (SIOC_TLS != SIOC_TLS_NONE && k->state == SIOC__CS_HANDSHAKE) { /* only TLS has one */
        if (!k->why[0]) sioc__detail_set(k->why, sizeof k->why, "the peer closed during the handshake", NULL, NULL);
        sioc__conn_connect_failed(c, ki, SIOC_ERR_TLS);
        return;
    }
    sioc__conn_close(c, ki, SIOC_ERR_CLOSED);
}

SIOC_API void sioc_http_conn_eof(sioc_http_client *c, int conn, uint64_t now_ms) {
    sioc_http__conn *k = sioc__conn(c, conn);
    if (!k) return;
    c->p_now = now_ms;
    if (k->state == SIOC__CS_CONNECTING) {
        sioc__conn_connect_failed(c, conn, SIOC_ERR_CONNECT);
    } else if (sioc__up(k)) {
        if (SIOC__TLS_ON(k) && k->tls_mem) sioc__conn_tls_pump(c, conn); /* plaintext still buffered goes first */
        if (sioc__up(k)) sioc__conn_input_eof(c, conn);
    }
    sioc__dispatch(c);
}

/* Move everything TLS can move now: handshake, plaintext out of the request stream, plaintext in to the parser. */
static void sioc__conn_tls_pump(sioc_http_client *c, int ki) {
    sioc_http__conn *k = &c->p_conns[ki];
    const sioc_tls_ops *t = c->p_tls;
    int rounds;
    for (rounds = 0; rounds < 64; rounds++) {
        int progress = 0;
        sioc_result r;
        const uint8_t *p;
        size_t n, used;
        if (!k->tls_mem || !sioc__up(k)) return;
        if (k->state == SIOC__CS_HANDSHAKE) {
            r = t->handshake(k->tls_mem);
            if (r == SIOC_AGAIN) return;
            if (r != SIOC_OK) {
                sioc__conn_connect_failed(c, ki, r);
                return;
            }
            sioc__http_log(c, SIOC_LOG_DEBUG, "tls handshake done", ki, SIOC_OK);
            sioc__conn_ready(c, ki); /* may assign a request, which pumps again */
            continue;
        }
        sioc__conn_stream(c, k, &p, &n);
        if (n > 0) {
            r = t->write(k->tls_mem, p, n, &used);
            if (r != SIOC_OK) {
                sioc__conn_close(c, ki, r);
                return;
            }
            if (used) {
                sioc__conn_stream_advance(c, k, used);
                progress = 1;
            }
        }
        r = t->read(k->tls_mem, &p, &n);
        if (r == SIOC_ERR_CLOSED) { /* close_notify: same as EOF */
            sioc__conn_input_eof(c, ki);
            return;
        }
        if (r != SIOC_OK) {
            sioc__conn_close(c, ki, r);
            return;
        }
        if (n > 0) {
            sioc__conn_input(c, ki, p, n);
            if (k->tls_mem) t->read_done(k->tls_mem, n);
            progress = 1;
        }
        if (!progress) return;
    }
}

SIOC_API size_t sioc_http_conn_recv_room(sioc_http_client *c, int conn) {
    sioc_http__conn *k = sioc__conn_up(c, conn);
    if (!k) return 0;
    if (!SIOC__TLS_ON(k)) return SIZE_MAX;
    return k->tls_mem ? c->p_tls->recv_room(k->tls_mem) : 0;
}

SIOC_API sioc_result sioc_http_conn_feed(sioc_http_client *c, int conn, const void *data, size_t len,
                                         uint64_t now_ms, size_t *out_used) {
    sioc_http__conn *k = sioc__conn(c, conn);
    size_t used = 0;
    sioc_result r = SIOC_OK;
    if (out_used) *out_used = 0;
    if (!k || (len && !data)) return SIOC_ERR_ARG;
    c->p_now = now_ms;
    if (!sioc__up(k)) return SIOC_ERR_STATE;
    if (!SIOC__TLS_ON(k)) {
        used = len;
        sioc__conn_input(c, conn, (const uint8_t *)data, len);
    } else {
        const uint8_t *p = (const uint8_t *)data;
        while (used < len && k->tls_mem) {
            size_t room = c->p_tls->recv_room(k->tls_mem), n = SIOC__MIN(room, len - used);
            if (n == 0) break;
            r = c->p_tls->feed(k->tls_mem, p + used, n);
            if (r != SIOC_OK) {
                if (k->state == SIOC__CS_HANDSHAKE) sioc__conn_connect_failed(c, conn, r);
                else sioc__conn_close(c, conn, r);
                break;
            }
            used += n;
            sioc__conn_tls_pump(c, conn);
        }
    }
    if (out_used) *out_used = used;
    sioc__dispatch(c);
    if (r == SIOC_OK && (k->state == SIOC__CS_CLOSE_PENDING || k->state == SIOC__CS_FREE))
        r = k->last_err != SIOC_OK ? k->last_err : SIOC_ERR_CLOSED;
    return r;
}

SIOC_API void sioc_http_conn_pending(sioc_http_client *c, int conn, const uint8_t **out_data, size_t *out_len) {
    sioc_http__conn *k = sioc__conn_up(c, conn);
    *out_data = NULL;
    *out_len = 0;
    if (!k) return;
    if (!SIOC__TLS_ON(k)) {
        sioc__conn_stream(c, k, out_data, out_len);
        return;
    }
    if (!k->tls_mem) return;
    sioc__conn_tls_pump(c, conn);
    if (k->tls_mem) c->p_tls->out(k->tls_mem, out_data, out_len);
}

SIOC_API void sioc_http_conn_sent(sioc_http_client *c, int conn, size_t n) {
    sioc_http__conn *k = sioc__conn_up(c, conn);
    if (!k || n == 0) return;
    if (!SIOC__TLS_ON(k)) {
        const uint8_t *p;
        size_t avail;
        sioc__conn_stream(c, k, &p, &avail);
        SIOC_ASSERT(n <= avail);
        if (n > avail) n = avail;
        if (n) sioc__conn_stream_advance(c, k, n);
        return;
    }
    if (!k->tls_mem) return;
    c->p_tls->out_done(k->tls_mem, n);
    sioc__conn_tls_pump(c, conn);
}

SIOC_API unsigned sioc_http_conn_wants(const sioc_http_client *c, int conn) {
    const sioc_http__conn *k = sioc__conn(c, conn);
    unsigned w = 0;
    if (!k) return 0;
    if (k->state == SIOC__CS_CONNECTING) return SIOC_HTTP_WANT_CONNECT;
    if (!sioc__up(k)) return 0;
    if (!SIOC__TLS_ON(k)) {
        const uint8_t *p;
        size_t n;
        sioc__conn_stream(c, k, &p, &n);
        return SIOC_HTTP_WANT_READ | (n ? SIOC_HTTP_WANT_WRITE : 0u);
    }
    if (k->tls_mem) {
        const uint8_t *p;
        size_t n;
        c->p_tls->out(k->tls_mem, &p, &n);
        if (n) w |= SIOC_HTTP_WANT_WRITE;
        if (c->p_tls->recv_room(k->tls_mem)) w |= SIOC_HTTP_WANT_READ;
    }
    return w;
}

SIOC_API int sioc_http_conn_count(const sioc_http_client *c) { return (int)c->p_n_conns; }

/* When the timer of `k` fires: the connect timeout while opening, the idle limit while ready; else UINT64_MAX. */
static SIOC__OUTLINE uint64_t sioc__conn_timer(const sioc_http_client *c, const sioc_http__conn *k) {
    if (k->state >= SIOC__CS_OPEN_PENDING && k->state <= SIOC__CS_HANDSHAKE) return k->since + c->desc.connect_timeout_ms;
    return k->state == SIOC__CS_READY ? k->since + k->idle_limit : UINT64_MAX;
}

SIOC_API uint64_t sioc_http_next_deadline(const sioc_http_client *c) {
    uint64_t d = UINT64_MAX;
    uint32_t i;
    for (i = 0; i < c->p_n_reqs; i++) {
        const sioc_http__req *r = &c->p_reqs[i];
        if ((r->state == SIOC__RS_QUEUED || r->state == SIOC__RS_ACTIVE) && r->deadline < d) d = r->deadline;
    }
    for (i = 0; i < c->p_n_conns; i++) {
        const sioc_http__conn *k = &c->p_conns[i];
        /* an OPEN/CLOSE waits for sioc_http_next_io(): attention now */
        uint64_t t = k->state == SIOC__CS_OPEN_PENDING || k->state == SIOC__CS_CLOSE_PENDING ? c->p_now
                                                                                             : sioc__conn_timer(c, k);
        if (t < d) d = t;
    }
    return d;
}

SIOC_API void sioc_http_tick(sioc_http_client *c, uint64_t now_ms) {
    uint32_t i;
    if (!c->p_mem) return;
    c->p_now = now_ms;
    for (i = 0; i < c->p_n_reqs; i++) {
        sioc_http__req *r = &c->p_reqs[i];
        if ((r->state == SIOC__RS_QUEUED || r->state == SIOC__RS_ACTIVE) && r->deadline <= now_ms) {
            if (r->state == SIOC__RS_ACTIVE) /* on r->conn: half an exchange, closed, failing its request */
                sioc__conn_close(c, r->conn, SIOC_ERR_TIMEOUT);
            else /* queued: not on a connection */
                sioc__req_finish(c, (int)i, SIOC_ERR_TIMEOUT, -1, 0);
        }
    }
    for (i = 0; i < c->p_n_conns; i++) {
        sioc_http__conn *k = &c->p_conns[i];
        if (sioc__conn_timer(c, k) > now_ms) continue;
        if (k->state == SIOC__CS_READY) sioc__conn_close(c, (int)i, SIOC_OK);
        else sioc__conn_connect_failed(c, (int)i, SIOC_ERR_TIMEOUT);
    }
    sioc__dispatch(c);
}

/* ---- transport driver: the engine over caller-implemented non-blocking sockets ---- */

/* A plain request whose head is unsent and whose body fits beside it in buf: both copied there (returns the
   length), so they leave in one send() (one syscall and one TCP segment) instead of two. 0: send as it comes. */
static size_t sioc__conn_gather(const sioc_http_client *c, int conn, uint8_t *buf, size_t cap) {
    const sioc_http__conn *k = sioc__conn(c, conn);
    const sioc_http__req *r;
    size_t h;
    if (!k || SIOC__TLS_ON(k) || k->state != SIOC__CS_ACTIVE) return 0;
    r = &c->p_reqs[k->req];
    h = r->head_len - k->out_head;
    if (k->out_head >= r->head_len || k->out_body || !r->body_len || r->body_len > cap - SIOC__MIN(h, cap)) return 0;
    memcpy(buf, r->head + k->out_head, h);
    memcpy(buf + h, r->body, r->body_len);
    return h + r->body_len;
}

/* Start or continue connecting `conn`: 1 once it is connected or failed, 0 while in progress. */
static int sioc__drive_connect(sioc_http_client *c, const sioc_http_transport *t, int conn, uint64_t now_ms) {
    const sioc_http__ep *e = &c->p_eps[c->p_conns[conn].ep];
    sioc_result r = t->connect(t->user, conn, e->host, e->port);
    if (r == SIOC_AGAIN) return 0;
    if (r == SIOC_OK) sioc_http_conn_opened(c, conn, now_ms);
    else sioc_http_conn_failed(c, conn, r, now_ms);
    return 1;
}

SIOC_API sioc_result sioc_http_drive(sioc_http_client *c, const sioc_http_transport *t, uint64_t now_ms) {
    uint8_t buf[SIOC_HTTP_DRIVE_BUFFER];
    int round, n = (int)c->p_n_conns;
    if (!t || !t->connect || !t->send || !t->recv || !t->close) return SIOC_ERR_ARG;
    if (!c->p_mem) return SIOC_ERR_STATE;
    sioc_http_tick(c, now_ms);
    for (round = 0; round < 16; round++) {
        int progress = 0, k;
        sioc_http_io_event ev;
        while (sioc_http_next_io(c, &ev) == SIOC_OK) { /* an OPEN connects in the loop below */
            progress = 1;
            if (ev.type == SIOC_HTTP_IO_CLOSE) t->close(t->user, ev.conn);
        }
        for (k = 0; k < n; k++) {
            int reads;
            sioc_http__conn *kc = &c->p_conns[k];
            if (kc->state == SIOC__CS_CONNECTING) { /* sioc_http_conn_wants() says WANT_CONNECT */
                if (!sioc__drive_connect(c, t, k, now_ms)) continue;
                progress = 1;
            }
            for (;;) { /* flush */
                const uint8_t *p = buf;
                size_t len = sioc__conn_gather(c, k, buf, sizeof buf);
                long s;
                if (len) {
                } else if (SIOC__TLS_ON(kc)) {
                    sioc_http_conn_pending(c, k, &p, &len);
                } else {
                    sioc__conn_stream(c, kc, &p, &len); /* what sioc_http_conn_pending() gives on a plain one */
                }
                if (!len) break;
                s = t->send(t->user, k, p, len);
                if (s == 0) break;
                progress = 1;
                if (s < 0) { /* broken (reset, EPIPE): not an orderly end, but may be retried */
                    sioc_http_conn_failed(c, k, SIOC_ERR_CLOSED, now_ms);
                    break;
                }
                if ((size_t)s > len) s = (long)len;
                if (p == buf || !SIOC__TLS_ON(kc)) sioc__conn_stream_advance(c, kc, (size_t)s);
                else sioc_http_conn_sent(c, k, (size_t)s);
            }
            for (reads = 0; reads < 8; reads++) {
                size_t room = sioc_http_conn_recv_room(c, k); /* 0 unless the socket is open and may be read */
                long got;
                if (room == 0) break;
                got = t->recv(t->user, k, buf, SIOC__MIN(room, sizeof buf));
                if (got == 0) break;
                progress = 1;
                if (got < 0) { /* SIOC_ERR_CLOSED: orderly EOF; anything else: broken */
                    if (got == SIOC_ERR_CLOSED) sioc_http_conn_eof(c, k, now_ms);
                    else sioc_http_conn_failed(c, k, SIOC_ERR_CLOSED, now_ms);
                    break;
                }
                (void)sioc_http_conn_feed(c, k, buf, (size_t)got, now_ms, NULL);
                if (SIOC__TLS_ON(kc)) { /* TLS may need to answer first */
                    if (sioc_http_conn_wants(c, k) & SIOC_HTTP_WANT_WRITE) break;
                } else {
                    const uint8_t *out;
                    size_t out_len;
                    sioc__conn_stream(c, kc, &out, &out_len); /* wants WRITE on a plain one: flush first */
                    if (out_len) break;
                }
            }
        }
        if (!progress) break;
    }
    sioc_http_tick(c, now_ms);
    return SIOC_OK;
}
