/* libFuzzer target: the HTTP/1.1 response parser (status line, headers, chunked with extensions and trailers,
   close-delimited bodies) and the client engine fed the same bytes as a server's replies.
   Byte 0: bit 0 engine instead of bare parser, bit 1 the request was HEAD; byte 1: feed piece size (1..256).
   The rest is what the server sent. */
#define SIO_CLUSTER_IMPLEMENTATION
#include "sio_cluster.h"

#include <stdlib.h>

static void fuzz_parser(const uint8_t *data, size_t size, size_t piece, int head) {
    char head_mem[512];
    sioc_http_hdr_ref refs[8];
    sioc_http_parser p;
    size_t off = 0;
    sioc_http_parser_init(&p, head_mem, sizeof head_mem, refs, 8);
    sioc_http_parser_reset(&p, head);
    while (off < size) {
        size_t n = size - off < piece ? size - off : piece, used = 0, at = 0;
        for (;;) {
            sioc_http_pev ev;
            sioc_bytes body;
            sioc_result r = sioc_http_parser_feed(&p, data + off + at, n - at, &used, &ev, &body);
            if (used > n - at) abort();
            at += used;
            if (r != SIOC_OK) return;
            if (ev == SIOC_HTTP_PEV_BODY) {
                /* the span lies inside what was just consumed */
                if (body.len == 0 || body.ptr < data + off || body.ptr + body.len > data + off + at) abort();
            } else if (ev == SIOC_HTTP_PEV_HEAD || ev == SIOC_HTTP_PEV_DONE) {
                size_t i;
                sioc_str v;
                if (p.status < 200 || p.status > 999) abort();
                for (i = 0; i < p.header_count; i++) {
                    sioc_str name;
                    sioc_http_parser_header_at(&p, i, &name, &v);
                    if (name.len == 0 || name.ptr < head_mem || name.ptr + name.len > head_mem + sizeof head_mem) abort();
                    if (v.len && (v.ptr < head_mem || v.ptr + v.len > head_mem + sizeof head_mem)) abort();
                }
                (void)sioc_http_parser_header(&p, "content-length", &v);
                if (ev == SIOC_HTTP_PEV_DONE) sioc_http_parser_reset(&p, head); /* the next response follows */
            } else {
                break;
            }
        }
        off += n;
    }
    {
        sioc_http_pev ev;
        (void)sioc_http_parser_eof(&p, &ev);
    }
}

static void on_body(void *tag, const uint8_t *p, size_t n) {
    (void)p;
    *(size_t *)tag += n;
}

static void fuzz_engine(const uint8_t *data, size_t size, size_t piece, int head) {
    sioc_http_client c;
    sioc_http_client_desc d;
    sioc_http_request req;
    sioc_http_response resp;
    sioc_http_io_event ev;
    uint8_t body[64];
    size_t streamed = 0, off = 0;
    uint64_t now = 0;
    int ep, submitted = 0, k;
    memset(&d, 0, sizeof d);
    d.max_endpoints = 1;
    d.conns_per_endpoint = 1;
    d.max_requests = 4;
    d.response_head_size = 256;
    d.max_headers = 6;
    if (sioc_http_client_init(&c, &d) != SIOC_OK) return;
    if (sioc_http_endpoint(&c, "fuzz.test", 80, 0, &ep) != SIOC_OK) abort();
    memset(&req, 0, sizeof req);
    req.method = head ? "HEAD" : "GET";
    req.target = "/";
    req.idempotent = 1;
    req.timeout_ms = 1000;
    while (off <= size && submitted < 64) {
        /* keep one request outstanding; alternate buffered and streamed bodies */
        req.body_out = (submitted & 1) ? NULL : body;
        req.body_out_cap = sizeof body;
        req.on_body = (submitted & 1) ? on_body : NULL;
        req.tag = &streamed;
        if (sioc_http_submit(&c, ep, &req, now, NULL) == SIOC_OK) submitted++;
        while (sioc_http_next_io(&c, &ev) == SIOC_OK)
            if (ev.type == SIOC_HTTP_IO_OPEN) sioc_http_conn_opened(&c, ev.conn, now);
        for (k = 0; k < 8; k++) { /* drain what the engine wants to send */
            const uint8_t *p;
            size_t n;
            sioc_http_conn_pending(&c, 0, &p, &n);
            if (!n) break;
            sioc_http_conn_sent(&c, 0, n);
        }
        if (off == size) {
            sioc_http_conn_eof(&c, 0, now);
            off++;
        } else {
            size_t n = size - off < piece ? size - off : piece;
            (void)sioc_http_conn_feed(&c, 0, data + off, n, now, NULL);
            off += n;
        }
        now += 10;
        sioc_http_tick(&c, now);
        while (sioc_http_next_response(&c, &resp) == SIOC_OK) {
            sioc_str v;
            if (resp.body_len > sizeof body) abort();
            (void)sioc_http_response_header(&resp, "x", &v);
        }
    }
    sioc_http_tick(&c, now + 100000);
    while (sioc_http_next_response(&c, &resp) == SIOC_OK) {
    }
    sioc_http_client_free(&c);
}

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);
int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size) {
    size_t piece;
    if (size < 2) return 0;
    piece = (size_t)data[1] + 1;
    if (data[0] & 1) fuzz_engine(data + 2, size - 2, piece, (data[0] >> 1) & 1);
    else fuzz_parser(data + 2, size - 2, piece, (data[0] >> 1) & 1);
    return 0;
}
