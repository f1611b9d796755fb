/* libFuzzer target: Engine.IO payloads and queries, the WebSocket frame reader (src/eio.h).
   Byte 0 picks the reader side (bit 0: server) and the piece size for the split feed (bits 1-7).
   Properties: nothing reads or writes out of bounds; a payload whose packets all decode encodes back to exactly
   the input (the decoder accepts canonical payloads only); the reader gives the same messages and the same
   verdict whether the input comes whole or in pieces, and every message it gives, written again as frames and
   read back, is the same message. */
#define SIO_CLUSTER_IMPLEMENTATION
#include "sio_cluster.h"
#include <stdlib.h>

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);

#define CAP 4096

/* The reader over in[0..len) in pieces of `piece` bytes (0: whole), with a caller input buffer that keeps what
   was not consumed. Every message is appended to log as opcode, length, bytes (a CLOSE: code + reason). */
static sioc_result run_reader(const uint8_t *in, size_t len, size_t piece, int server, sioc_buf *log) {
    static uint8_t msg[CAP], pend[CAP + 64];
    sioc_ws_reader r;
    size_t at = 0, have = 0;
    sioc_result e = SIOC_AGAIN;
    sioc_ws_reader_init(&r, msg, sizeof msg, server);
    while (at < len) {
        size_t n = piece ? (len - at < piece ? len - at : piece) : len - at, off = 0, used;
        if (have + n > sizeof pend) n = sizeof pend - have;
        memcpy(pend + have, in + at, n);
        have += n, at += n;
        for (;;) {
            sioc_ws_message m;
            e = sioc_ws_read(&r, pend + off, have - off, &used, &m);
            if (used > have - off) abort();
            off += used;
            if (e != SIOC_OK) break;
            sioc_buf_putc(log, (char)m.opcode);
            sioc_buf_put(log, &m.data.len, sizeof m.data.len);
            sioc_buf_put(log, m.data.ptr, m.data.len);
            if (m.opcode == SIOC_WS_CLOSE) sioc_buf_put(log, &m.close_code, sizeof m.close_code);
        }
        memmove(pend, pend + off, have - off);
        have -= off;
        if (e != SIOC_AGAIN) return e;
        if (have >= SIOC_WS_MAX_HEADER) abort(); /* only an incomplete header may be left */
    }
    return e;
}

/* Every message of a log, written again as masked frames (data messages in two fragments), read back. */
static void rewrite(const sioc_buf *log, int server) {
    static uint8_t frames[3 * CAP + 4096], again_mem[3 * CAP + 4096];
    static const uint8_t key[4] = {0xa1, 0x5c, 0x03, 0xff};
    sioc_buf f, again;
    size_t i = 0;
    sioc_buf_init(&f, frames, sizeof frames);
    while (i < log->len) {
        int op = log->data[i];
        size_t n;
        const uint8_t *p;
        memcpy(&n, log->data + i + 1, sizeof n);
        p = log->data + i + 1 + sizeof n;
        i += 1 + sizeof n + n;
        if (op == SIOC_WS_CLOSE) {
            i += sizeof(unsigned);
            sioc_ws_write_frame(&f, op, p, n, server ? key : NULL); /* the payload as it came */
        } else if (op == SIOC_WS_TEXT || op == SIOC_WS_BINARY) {
            uint8_t h[SIOC_WS_MAX_HEADER];
            size_t half = n / 2, hl;
            uint8_t *d;
            hl = sioc_ws_frame_header(h, 0, op, half, server ? key : NULL);
            sioc_buf_put(&f, h, hl);
            d = (uint8_t *)sioc_buf_reserve(&f, half);
            if (d && half) memcpy(d, p, half), (server ? sioc_ws_mask(d, half, key, 0) : (void)0);
            hl = sioc_ws_frame_header(h, 1, SIOC_WS_CONTINUATION, n - half, server ? key : NULL);
            sioc_buf_put(&f, h, hl);
            d = (uint8_t *)sioc_buf_reserve(&f, n - half);
            if (d && n - half) memcpy(d, p + half, n - half), (server ? sioc_ws_mask(d, n - half, key, 0) : (void)0);
        } else {
            sioc_ws_write_frame(&f, op, p, n, server ? key : NULL);
        }
    }
    if (sioc_buf_result(&f) != SIOC_OK) abort();
    sioc_buf_init(&again, again_mem, sizeof again_mem);
    if (run_reader(frames, f.len, 0, server, &again) != SIOC_AGAIN) abort();
    if (again.len != log->len || memcmp(again.data, log->data, log->len) != 0) abort();
}

static void payload(const uint8_t *data, size_t size) {
    uint8_t *copy = (uint8_t *)malloc(size + 1), *re = (uint8_t *)malloc(2 * size + 16);
    sioc_eio_payload it;
    sioc_eio_packet p;
    sioc_buf b;
    sioc_result e;
    if (!copy || !re) abort();
    memcpy(copy, data, size);
    sioc_eio_payload_init(&it, copy, size);
    sioc_buf_init(&b, re, 2 * size + 16);
    while ((e = sioc_eio_payload_next(&it, &p)) == SIOC_OK) {
        if (p.data.len && (p.data.ptr < copy || p.data.ptr + p.data.len > copy + size)) abort();
        if (p.binary) sioc_eio_polling_add_binary(&b, 0, p.data.ptr, p.data.len);
        else sioc_eio_polling_add(&b, 0, p.type, p.data.ptr, p.data.len);
    }
    if (e == SIOC_AGAIN && (b.len != size || memcmp(re, data, size) != 0)) abort();
    free(copy);
    free(re);
}

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size) {
    static uint8_t log1[3 * CAP + 4096], log2[3 * CAP + 4096];
    sioc_buf a, b;
    sioc_eio_query q;
    sioc_eio_packet pk;
    char acc[SIOC_WS_ACCEPT_LEN + 1];
    int server;
    size_t piece;
    sioc_result e1, e2;
    if (size < 1) return 0;
    server = data[0] & 1;
    piece = (size_t)(data[0] >> 1) + 1;
    data++, size--;
    if (size > 2 * CAP) return 0;
    payload(data, size);
    if (sioc_eio_parse_query(&q, (const char *)data, size) == SIOC_OK) {
        if (q.path.len > size || (q.sid.len && ((const uint8_t *)q.sid.ptr < data ||
                                                (const uint8_t *)q.sid.ptr + q.sid.len > data + size)))
            abort();
    }
    (void)sioc_ws_accept_key((const char *)data, size, acc);
    (void)sioc_eio_decode(&pk, data, size, 0);
    sioc_buf_init(&a, log1, sizeof log1);
    sioc_buf_init(&b, log2, sizeof log2);
    e1 = run_reader(data, size, 0, server, &a);
    e2 = run_reader(data, size, piece, server, &b);
    if (e1 != e2 || sioc_buf_result(&a) != sioc_buf_result(&b)) abort();
    if (sioc_buf_result(&a) == SIOC_OK && (a.len != b.len || memcmp(log1, log2, a.len) != 0)) abort();
    if (sioc_buf_result(&a) == SIOC_OK) rewrite(&a, server);
    return 0;
}
