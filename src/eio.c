/* ---- eio.c ---- */
#include "base.h"
#include "crypto.h"
#include "eio.h"
#include "internal.h"

/* ---- Engine.IO packets ---- */

SIOC_API sioc_result sioc_eio_decode(sioc_eio_packet *p, const void *msg, size_t len, int binary) {
    const uint8_t *s = (const uint8_t *)msg;
    memset(p, 0, sizeof *p);
    if (binary) { /* v4 sends binary messages bare: no type byte */
        p->type = SIOC_EIO_MESSAGE;
        p->binary = 1;
        p->data = sioc_bytes_n(s, len);
        return SIOC_OK;
    }
    if (len == 0 || s[0] < '0' || s[0] > '6') return SIOC_ERR_PARSE;
    p->type = s[0] - '0';
    p->data = sioc_bytes_n(s + 1, len - 1);
    return SIOC_OK;
}

SIOC_API void sioc_eio_encode(sioc_buf *out, int type, const void *data, size_t len) {
    if (type < SIOC_EIO_OPEN || type > SIOC_EIO_NOOP) {
        sioc_buf_fail(out, SIOC_ERR_ARG);
        return;
    }
    sioc_buf_putc(out, (char)('0' + type));
    if (len) sioc_buf_put(out, data, len);
}

SIOC_API void sioc_eio_encode_open(sioc_buf *out, const sioc_eio_open *o) {
    const char *c;
    for (c = o->sid ? o->sid : ""; *c; c++) /* written without escaping, so refuse what JSON would escape */
        if ((unsigned char)*c < 0x20 || *c == '"' || *c == '\\') sioc_buf_fail(out, SIOC_ERR_ARG);
    if (!o->sid || !*o->sid) sioc_buf_fail(out, SIOC_ERR_ARG);
    sioc_buf_puts(out, "0{\"sid\":\"");
    sioc_buf_puts(out, o->sid ? o->sid : "");
    sioc_buf_puts(out, o->upgrade_websocket ? "\",\"upgrades\":[\"websocket\"]" : "\",\"upgrades\":[]");
    sioc_buf_puts(out, ",\"pingInterval\":");
    sioc_buf_put_u64(out, o->ping_interval);
    sioc_buf_puts(out, ",\"pingTimeout\":");
    sioc_buf_put_u64(out, o->ping_timeout);
    sioc_buf_puts(out, ",\"maxPayload\":");
    sioc_buf_put_u64(out, o->max_payload);
    sioc_buf_putc(out, '}');
}

/* ---- polling payloads ---- */

SIOC_API void sioc_eio_payload_init(sioc_eio_payload *it, void *body, size_t len) {
    it->p_data = (uint8_t *)body;
    it->p_len = len;
    it->p_pos = 0;
}

/* p_pos == p_len means "a packet must start here" (an empty body, or a trailing separator: both errors, as
   engine.io-parser's split gives an empty packet); p_pos > p_len means the last packet was taken. */
SIOC_API sioc_result sioc_eio_payload_next(sioc_eio_payload *it, sioc_eio_packet *p) {
    uint8_t *s = it->p_data;
    size_t start = it->p_pos, end = start;
    memset(p, 0, sizeof *p);
    if (start > it->p_len) return SIOC_AGAIN;
    while (end < it->p_len && s[end] != (uint8_t)SIOC_EIO_RS) end++;
    it->p_pos = end < it->p_len ? end + 1 : it->p_len + 1;
    if (end == start) return SIOC_ERR_PARSE;
    if (s[start] == 'b') {
        size_t n = 0;
        /* In place: sioc_base64_decode reads each 4-character group before writing its 3 bytes, and writes
           never pass the read position. */
        if (sioc_base64_decode((const char *)s + start + 1, end - start - 1, s + start + 1, end - start - 1, &n) !=
            SIOC_OK)
            return SIOC_ERR_PARSE;
        p->type = SIOC_EIO_MESSAGE;
        p->binary = 1;
        p->data = sioc_bytes_n(s + start + 1, n);
        return SIOC_OK;
    }
    return sioc_eio_decode(p, s + start, end - start, 0);
}

SIOC_API void sioc_eio_polling_add(sioc_buf *out, size_t start, int type, const void *data, size_t len) {
    if (out->len > start) sioc_buf_putc(out, SIOC_EIO_RS);
    sioc_eio_encode(out, type, data, len);
}

/* ---- the request ---- */

static int sioc__eio_is(const char *p, size_t n, const char *lit) {
    return n == strlen(lit) && memcmp(p, lit, n) == 0;
}

SIOC_API sioc_result sioc_eio_parse_query(sioc_eio_query *q, const char *target, size_t len) {
    size_t i = 0, path_end;
    memset(q, 0, sizeof *q);
    if (len == 0) return SIOC_ERR_PARSE;
    while (i < len && target[i] != '?') i++;
    path_end = i;
    q->path = sioc_str_n(target, path_end);
    q->sid = sioc_str_n(target, 0);
    for (i = path_end + 1; i < len;) {
        size_t k = i, eq, end;
        while (i < len && target[i] != '&') i++;
        end = i++;
        for (eq = k; eq < end && target[eq] != '='; eq++) {}
        if (eq == end) continue; /* a key without a value ("t" never comes bare; ignore it) */
        if (sioc__eio_is(target + k, eq - k, "EIO")) {
            size_t d;
            q->eio = 0;
            for (d = eq + 1; d < end && d - eq <= 3 && sioc__is_digit((unsigned char)target[d]); d++)
                q->eio = q->eio * 10 + (target[d] - '0');
            if (d != end || d == eq + 1) q->eio = 0;
        } else if (sioc__eio_is(target + k, eq - k, "transport")) {
            const char *v = target + eq + 1;
            size_t vn = end - eq - 1;
            q->transport = sioc__eio_is(v, vn, "polling")     ? SIOC_EIO_TRANSPORT_POLLING
                           : sioc__eio_is(v, vn, "websocket") ? SIOC_EIO_TRANSPORT_WEBSOCKET
                                                              : SIOC_EIO_TRANSPORT_UNKNOWN;
        } else if (sioc__eio_is(target + k, eq - k, "sid")) {
            q->sid = sioc_str_n(target + eq + 1, end - eq - 1);
        }
    }
    return SIOC_OK;
}

SIOC_API void sioc_eio_error_body(sioc_buf *out, int code) {
    /* rows, not pointers: gc-sections drops them with the table (see sioc_node_event_name) */
    static const char text[][29] = {"Transport unknown", "Session ID unknown", "Bad handshake method",
                                       "Bad request",       "Forbidden",          "Unsupported protocol version"};
    if (code < 0 || code >= (int)SIOC__COUNT(text)) code = SIOC_EIO_ERR_BAD_REQUEST;
    sioc_buf_puts(out, "{\"code\":");
    sioc_buf_put_u64(out, (uint64_t)code);
    sioc_buf_puts(out, ",\"message\":\"");
    sioc_buf_puts(out, text[code]);
    sioc_buf_puts(out, "\"}");
}

/* ---- WebSocket handshake ---- */

#define SIOC__WS_GUID "258EAFA5-E914-47DA-95CA-C5AB0DC85B11"

SIOC_API sioc_result sioc_ws_accept_key(const char *key, size_t len, char out[SIOC_WS_ACCEPT_LEN + 1]) {
    uint8_t raw[18], md[SIOC_SHA1_LEN];
    size_t n = 0;
    sioc_sha1_ctx s;
    out[0] = 0;
    while (len && (*key == ' ' || *key == '\t')) key++, len--;
    while (len && (key[len - 1] == ' ' || key[len - 1] == '\t')) len--;
    if (len != 24 || sioc_base64_decode(key, len, raw, sizeof raw, &n) != SIOC_OK || n != 16) return SIOC_ERR_PARSE;
    sioc_sha1_init(&s);
    sioc_sha1_update(&s, key, len);
    sioc_sha1_update(&s, SIOC__WS_GUID, sizeof SIOC__WS_GUID - 1);
    sioc_sha1_final(&s, md);
    return sioc_base64_encode(md, sizeof md, out, SIOC_WS_ACCEPT_LEN + 1, &n);
}

SIOC_API sioc_result sioc_ws_handshake_response(sioc_buf *out, const char *key, size_t len) {
    char accept[SIOC_WS_ACCEPT_LEN + 1];
    sioc_result e = sioc_ws_accept_key(key, len, accept);
    if (e != SIOC_OK) return e;
    sioc_buf_puts(out, "HTTP/1.1 101 Switching Protocols\r\nUpgrade: websocket\r\nConnection: Upgrade\r\n"
                       "Sec-WebSocket-Accept: ");
    sioc_buf_puts(out, accept);
    sioc_buf_puts(out, "\r\n\r\n");
    return SIOC_OK;
}

/* ---- WebSocket frames ---- */

SIOC_API sioc_result sioc_ws_frame_parse(sioc_ws_frame *f, const void *in, size_t len, int must_mask) {
    const uint8_t *p = (const uint8_t *)in;
    unsigned len7;
    size_t hl = 2;
    memset(f, 0, sizeof *f);
    if (len < 2) return SIOC_AGAIN;
    f->fin = p[0] >> 7;
    f->opcode = p[0] & 0x0F;
    f->masked = p[1] >> 7;
    len7 = p[1] & 0x7Fu;
    if (p[0] & 0x70) return SIOC_ERR_PROTOCOL; /* no extension was negotiated */
    if (f->opcode > SIOC_WS_BINARY && f->opcode < SIOC_WS_CLOSE) return SIOC_ERR_PROTOCOL;
    if (f->opcode > SIOC_WS_PONG) return SIOC_ERR_PROTOCOL;
    if (f->masked != (must_mask ? 1 : 0)) return SIOC_ERR_PROTOCOL; /* RFC 6455 §5.1 both ways */
    if (f->opcode >= SIOC_WS_CLOSE && (!f->fin || len7 > SIOC_WS_MAX_CONTROL)) return SIOC_ERR_PROTOCOL;
    if (len7 == 126) {
        if (len < 4) return SIOC_AGAIN;
        f->len = sioc__load_be16(p + 2);
        if (f->len < 126) return SIOC_ERR_PROTOCOL; /* §5.2: the minimal number of bytes MUST be used */
        hl = 4;
    } else if (len7 == 127) {
        if (len < 10) return SIOC_AGAIN;
        f->len = sioc__load_be64(p + 2);
        if ((f->len >> 63) || f->len <= 0xFFFFu) return SIOC_ERR_PROTOCOL;
        hl = 10;
    } else {
        f->len = len7;
    }
    if (f->masked) {
        if (len < hl + 4) return SIOC_AGAIN;
        memcpy(f->mask, p + hl, 4);
        hl += 4;
    }
    f->header_len = hl;
    return SIOC_OK;
}

SIOC_API void sioc_ws_mask(void *data, size_t n, const uint8_t mask[4], uint64_t offset) {
    uint8_t *d = (uint8_t *)data;
    size_t i;
    for (i = 0; i < n; i++) d[i] ^= mask[(offset + i) & 3u];
}

SIOC_API size_t sioc_ws_frame_header(uint8_t out[SIOC_WS_MAX_HEADER], int fin, int opcode, uint64_t len,
                                     const uint8_t *mask) {
    size_t hl = 2;
    out[0] = (uint8_t)((fin ? 0x80 : 0) | (opcode & 0x0F));
    if (len < 126) {
        out[1] = (uint8_t)len;
    } else if (len <= 0xFFFFu) {
        out[1] = 126;
        sioc__store_be16(out + 2, (uint16_t)len);
        hl = 4;
    } else {
        out[1] = 127;
        sioc__store_be64(out + 2, len);
        hl = 10;
    }
    if (mask) {
        out[1] |= 0x80;
        memcpy(out + hl, mask, 4);
        hl += 4;
    }
    return hl;
}

SIOC_API void sioc_ws_write_frame(sioc_buf *out, int opcode, const void *data, size_t len, const uint8_t *mask) {
    uint8_t hdr[SIOC_WS_MAX_HEADER];
    uint8_t *dst;
    if (opcode >= SIOC_WS_CLOSE && len > SIOC_WS_MAX_CONTROL) {
        sioc_buf_fail(out, SIOC_ERR_ARG);
        return;
    }
    sioc_buf_put(out, hdr, sioc_ws_frame_header(hdr, 1, opcode, len, mask));
    dst = (uint8_t *)sioc_buf_reserve(out, len);
    if (!dst || !len) return;
    memcpy(dst, data, len);
    if (mask) sioc_ws_mask(dst, len, mask, 0);
}

SIOC_API void sioc_ws_write_close(sioc_buf *out, unsigned code, const char *reason, size_t len, const uint8_t *mask) {
    uint8_t payload[SIOC_WS_MAX_CONTROL];
    size_t n = 0;
    if (code) {
        sioc__store_be16(payload, (uint16_t)code);
        n = 2;
        if (len > SIOC_WS_MAX_CONTROL - 2) { /* cut on a character boundary so the reason stays UTF-8 */
            len = SIOC_WS_MAX_CONTROL - 2;
            while (len && ((uint8_t)reason[len] & 0xC0) == 0x80) len--;
        }
        if (len) memcpy(payload + 2, reason, len);
        n += len;
    }
    sioc_ws_write_frame(out, SIOC_WS_CLOSE, payload, n, mask);
}

/* ---- WebSocket reader ---- */

SIOC_API int sioc_utf8_valid(const void *data, size_t len) {
    const uint8_t *s = (const uint8_t *)data;
    size_t i = 0;
    while (i < len) {
        if (s[i] < 0x80) {
            i++;
        } else {
            size_t n = sioc__utf8_seq(s + i, len - i);
            if (!n) return 0;
            i += n;
        }
    }
    return 1;
}

SIOC_API void sioc_ws_reader_init(sioc_ws_reader *r, void *mem, size_t cap, int is_server) {
    memset(r, 0, sizeof *r);
    r->p_msg = (uint8_t *)mem;
    r->p_cap = mem ? cap : 0;
    r->p_must_mask = is_server ? 1 : 0;
}

SIOC_API unsigned sioc_ws_reader_close_code(const sioc_ws_reader *r) { return r->p_close_code; }

static sioc_result sioc__ws_fail(sioc_ws_reader *r, unsigned code) {
    if (!r->p_close_code) r->p_close_code = code;
    return r->p_close_code == SIOC_WS_CLOSE_TOO_BIG       ? SIOC_ERR_LIMIT
           : r->p_close_code == SIOC_WS_CLOSE_INVALID_DATA ? SIOC_ERR_PARSE
                                                          : SIOC_ERR_PROTOCOL;
}

/* Codes a peer may send (RFC 6455 §7.4.1 and the IANA registry): not 1004-1006, 1015 or below 1000. */
static int sioc__ws_close_code_ok(unsigned c) {
    return (c >= 1000 && c <= 1003) || (c >= 1007 && c <= 1014) || (c >= 3000 && c <= 4999);
}

/* A header was parsed: check it against the message in progress and make room. */
static sioc_result sioc__ws_begin_frame(sioc_ws_reader *r, const sioc_ws_frame *f) {
    if (f->opcode == SIOC_WS_CONTINUATION && !r->p_msg_opcode) return sioc__ws_fail(r, SIOC_WS_CLOSE_PROTOCOL);
    if (f->opcode == SIOC_WS_TEXT || f->opcode == SIOC_WS_BINARY) {
        if (r->p_msg_opcode) return sioc__ws_fail(r, SIOC_WS_CLOSE_PROTOCOL); /* a new message inside one */
        r->p_msg_opcode = f->opcode;
        r->p_len = 0;
    }
    if (f->opcode < SIOC_WS_CLOSE && f->len > (uint64_t)(r->p_cap - r->p_len))
        return sioc__ws_fail(r, SIOC_WS_CLOSE_TOO_BIG);
    r->p_frame = *f;
    r->p_in_frame = 1;
    r->p_got = 0;
    return SIOC_OK;
}

/* The current frame is complete: SIOC_OK with a message, SIOC_AGAIN for a non-final fragment, or an error. */
static sioc_result sioc__ws_end_frame(sioc_ws_reader *r, sioc_ws_message *m) {
    const sioc_ws_frame *f = &r->p_frame;
    size_t n = (size_t)f->len;
    r->p_in_frame = 0;
    if (f->opcode >= SIOC_WS_CLOSE) {
        m->opcode = f->opcode;
        m->data = sioc_bytes_n(r->p_ctl, n);
        if (f->opcode != SIOC_WS_CLOSE) return SIOC_OK;
        m->close_code = SIOC_WS_CLOSE_NO_STATUS;
        if (n == 1) return sioc__ws_fail(r, SIOC_WS_CLOSE_PROTOCOL);
        if (n >= 2) {
            m->close_code = sioc__load_be16(r->p_ctl);
            if (!sioc__ws_close_code_ok(m->close_code)) return sioc__ws_fail(r, SIOC_WS_CLOSE_PROTOCOL);
            if (!sioc_utf8_valid(r->p_ctl + 2, n - 2)) return sioc__ws_fail(r, SIOC_WS_CLOSE_INVALID_DATA);
            m->reason = sioc_str_n((const char *)r->p_ctl + 2, n - 2);
        }
        return SIOC_OK;
    }
    if (!f->fin) return SIOC_AGAIN;
    if (r->p_msg_opcode == SIOC_WS_TEXT && !sioc_utf8_valid(r->p_msg, r->p_len))
        return sioc__ws_fail(r, SIOC_WS_CLOSE_INVALID_DATA);
    m->opcode = r->p_msg_opcode;
    m->data = sioc_bytes_n(r->p_msg, r->p_len);
    r->p_msg_opcode = 0;
    return SIOC_OK;
}

SIOC_API sioc_result sioc_ws_read(sioc_ws_reader *r, const void *in, size_t len, size_t *consumed,
                                  sioc_ws_message *m) {
    const uint8_t *p = (const uint8_t *)in;
    size_t pos = 0;
    sioc_result e;
    memset(m, 0, sizeof *m);
    *consumed = 0;
    if (r->p_close_code) return sioc__ws_fail(r, r->p_close_code);
    for (;;) {
        size_t take;
        uint8_t *dst;
        if (!r->p_in_frame) {
            sioc_ws_frame f;
            e = sioc_ws_frame_parse(&f, p + pos, len - pos, r->p_must_mask);
            if (e == SIOC_AGAIN) break;
            if (e != SIOC_OK) e = sioc__ws_fail(r, SIOC_WS_CLOSE_PROTOCOL);
            if (e == SIOC_OK) e = sioc__ws_begin_frame(r, &f);
            if (e != SIOC_OK) {
                *consumed = pos;
                return e;
            }
            pos += f.header_len;
        }
        take = (size_t)SIOC__MIN((uint64_t)(len - pos), r->p_frame.len - r->p_got);
        dst = r->p_frame.opcode >= SIOC_WS_CLOSE ? r->p_ctl + r->p_got : r->p_msg + r->p_len;
        if (take) {
            memcpy(dst, p + pos, take);
            if (r->p_frame.masked) sioc_ws_mask(dst, take, r->p_frame.mask, r->p_got);
        }
        if (r->p_frame.opcode < SIOC_WS_CLOSE) r->p_len += take;
        r->p_got += take;
        pos += take;
        if (r->p_got < r->p_frame.len) break;
        e = sioc__ws_end_frame(r, m);
        if (e != SIOC_AGAIN) {
            *consumed = pos;
            return e;
        }
    }
    *consumed = pos;
    return SIOC_AGAIN;
}
