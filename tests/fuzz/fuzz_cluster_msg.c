/* libFuzzer target: the cluster message decoder, AWS shape (first byte = type, the rest = the `data` attribute)
   and Azure shape (the rest as a whole body). Properties: no crash or over-read on any input; whatever decodes
   re-encodes, the re-encoding decodes again to the same type, and re-encoding that gives the same bytes (the
   canonical form is a fixed point); the lists of a decoded message iterate to their counts; a BROADCAST's packet
   becomes socket.io frames without a parse error. */
#define SIO_CLUSTER_IMPLEMENTATION
#include "sio_cluster.h"
#include <stdlib.h>

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);

static void walk_lists(const sioc_msg *m) {
    sioc_msg_list l;
    sioc_str s;
    sioc_msg_socket so;
    uint32_t n = 0;
    l = m->opts.rooms;
    while (sioc_msg_list_next_str(&l, &s)) n++;
    if (n != m->opts.rooms.count) abort();
    n = 0;
    l = m->rooms;
    while (sioc_msg_list_next_str(&l, &s)) n++;
    if (n != m->rooms.count) abort();
    n = 0;
    l = m->sockets;
    while (sioc_msg_list_next_socket(&l, &so)) {
        sioc_msg_list r = so.rooms;
        uint32_t k = 0;
        while (sioc_msg_list_next_str(&r, &s)) k++;
        if (k != so.rooms.count) abort();
        n++;
    }
    if (n != m->sockets.count) abort();
}

static void frames(const sioc_msg *m) {
    static char text[1 << 16];
    sioc_bytes att[16];
    size_t n_att = 0;
    sioc_buf b;
    sioc_result e;
    if (m->type != SIOC_MSG_BROADCAST) return;
    sioc_buf_init(&b, text, sizeof text);
    e = sioc_sio_encode(&b, SIOC_SIO_EVENT, m->nsp, m->has_request_id ? 7 : -1, m->packet_data, att, 16, &n_att);
    /* the packet passed the message check, so only size and the JSON writer's depth may stop it */
    if (e == SIOC_ERR_PARSE || e == SIOC_ERR_TYPE || e == SIOC_ERR_ARG) abort();
}

/* Re-encode (AWS data or Azure body), decode that again, re-encode again: same bytes. */
static void roundtrip(const sioc_msg *m, int azure, size_t size) {
    size_t cap = 2 * size + 1024;
    uint8_t *a = (uint8_t *)malloc(cap), *b2 = (uint8_t *)malloc(cap);
    sioc_buf b, c;
    sioc_msg m2;
    sioc_result e;
    if (!a || !b2) abort();
    sioc_buf_init(&b, a, cap);
    e = azure ? sioc_msg_encode_azure(m, &b) : sioc_msg_encode_aws_data(m, &b);
    if (e != SIOC_OK) abort();
    if (azure) {
        e = sioc_msg_decode_azure(a, b.len, NULL, &m2);
    } else {
        sioc_msg_envelope env;
        char t[4];
        memset(&env, 0, sizeof env);
        env.body.ptr = t;
        env.body.len = sioc_msg_type_text(m->type, t);
        env.nsp = m->nsp;
        env.uid = m->uid;
        env.data.ptr = sioc_msg_has_data(m->type) ? a : NULL;
        env.data.len = b.len;
        e = sioc_msg_decode_aws(&env, &m2);
    }
    if (e != SIOC_OK || m2.type != m->type) abort();
    sioc_buf_init(&c, b2, cap);
    e = azure ? sioc_msg_encode_azure(&m2, &c) : sioc_msg_encode_aws_data(&m2, &c);
    if (e != SIOC_OK || c.len != b.len || memcmp(a, b2, b.len) != 0) abort();
    free(a);
    free(b2);
}

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size) {
    sioc_msg_envelope env;
    sioc_msg m;
    char t[4];
    if (size < 1) return 0;
    memset(&env, 0, sizeof env);
    env.body.ptr = t;
    env.body.len = sioc_msg_type_text(data[0] & 0x0f, t);
    env.nsp = sioc_str_c("/");
    env.uid = sioc_str_c("aaaaaaaaaaaaaaaa");
    env.data.ptr = data + 1;
    env.data.len = size - 1;
    if (sioc_msg_decode_aws(&env, &m) == SIOC_OK) {
        walk_lists(&m);
        frames(&m);
        roundtrip(&m, 0, size);
    }
    if (sioc_msg_decode_azure(data + 1, size - 1, NULL, &m) == SIOC_OK) {
        walk_lists(&m);
        frames(&m);
        roundtrip(&m, 1, size);
    }
    return 0;
}
