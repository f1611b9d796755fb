/* libFuzzer target: the socket.io packet decoder on arbitrary text. Properties: no crash or over-read; an accepted
   ACK's first argument is valid msgpack; an accepted EVENT/ACK payload converted to msgpack and encoded again by
   sioc_sio_encode is valid socket.io text (decoding it never meets a JSON syntax error or a bad placeholder). */
#define SIO_CLUSTER_IMPLEMENTATION
#include "sio_cluster.h"
#include <stdlib.h>

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);

static sioc_json_tok toks[4096], toks2[4096];
static uint8_t mp[1 << 17];
static char text2[1 << 18];

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size) {
    static const uint8_t bins[SIOC_SIO_MAX_ATTACHMENTS][3] = {{0}, {1}, {2}, {3}, {4}, {5}, {6}, {7}, {8}, {9}};
    sioc_bytes att[SIOC_SIO_MAX_ATTACHMENTS], out_att[64];
    sioc_sio_packet p, p2;
    sioc_buf b, t;
    sioc_msgpack_writer w;
    size_t i, n_att = 0;
    sioc_result e;
    if (sioc_sio_decode(&p, (const char *)data, size, toks, 4096, 0) != SIOC_OK) return 0;
    for (i = 0; i < p.attachments; i++) {
        att[i].ptr = bins[i];
        att[i].len = i % 3;
    }
    if (p.type == SIOC_SIO_ACK || p.type == SIOC_SIO_BINARY_ACK) {
        sioc_buf_init(&b, mp, sizeof mp);
        e = sioc_sio_ack_arg(&p, att, p.attachments, &b);
        if (e == SIOC_OK && sioc_msgpack_check(mp, b.len) != SIOC_OK) abort();
        if (e != SIOC_OK && e != SIOC_ERR_BUFFER_TOO_SMALL) abort();
    }
    if (!p.has_data || p.type == SIOC_SIO_CONNECT || p.type == SIOC_SIO_CONNECT_ERROR) return 0;
    sioc_buf_init(&b, mp, sizeof mp);
    sioc_msgpack_writer_init(&w, &b);
    if (sioc_sio_json_to_msgpack(&p.json, 0, p.attachments ? att : NULL, p.attachments, &w) != SIOC_OK) return 0;
    if (sioc_msgpack_writer_finish(&w) != SIOC_OK) return 0;
    {
        sioc_bytes d;
        d.ptr = mp;
        d.len = b.len;
        sioc_buf_init(&t, text2, sizeof text2);
        e = sioc_sio_encode(&t, p.type == SIOC_SIO_BINARY_EVENT ? SIOC_SIO_EVENT : p.type == SIOC_SIO_BINARY_ACK ? SIOC_SIO_ACK : p.type,
                            p.nsp, p.id, d, out_att, 64, &n_att);
    }
    if (e != SIOC_OK) return 0; /* buffer sizes, or the JSON writer's depth */
    e = sioc_sio_decode(&p2, text2, t.len, toks2, 4096, 64);
    if (e == SIOC_ERR_PARSE || e == SIOC_ERR_RANGE) abort();
    return 0;
}
