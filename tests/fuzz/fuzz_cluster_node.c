/* libFuzzer target: arbitrary messages and calls into a node (src/cluster.h). Properties: no crash, leak or
   over-read; every received message lands in exactly one counter (received == handled + ignored_* + malformed +
   late + duplicate); every queued out message and event can be read back; the node stays usable.
   Input, first byte:
     bit 7 clear: one message like fuzz_cluster_msg's inputs (low nibble = type, the rest = the AWS data attribute
       and, separately, the Azure body), bits 4-6 pick the sender and requesterUid;
     bit 7 set: a sequence of operations, each an opcode byte, a length byte and that many payload bytes. */
#define SIO_CLUSTER_IMPLEMENTATION
#include "sio_cluster.h"
#include <stdlib.h>

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);

static sioc_result fz_random(void *user, void *buf, size_t len) {
    uint64_t *c = (uint64_t *)user;
    size_t i;
    ++*c;
    for (i = 0; i < len; i++) ((uint8_t *)buf)[i] = (uint8_t)(*c >> (8 * (i % 8)));
    return SIOC_OK;
}

static const char *const uids[4] = {"0123456789abcdef", "fedcba9876543210", "emitter", ""};

static void fz_check_counters(const sioc_node *n) {
    const sioc_node_counters *c = &n->counters;
    if (c->received != c->handled + c->ignored_own + c->ignored_nsp + c->ignored_other + c->malformed +
                           c->late_responses + c->duplicate_responses)
        abort();
}

/* Read every queued out message and event (the transport and the application would). */
static void fz_drain(sioc_node *n, int pop) {
    sioc_node_event ev;
    sioc_node_out o;
    size_t i, k, count = sioc_node_out_count(n);
    for (i = 0; i < count; i++) {
        if (sioc_node_out_peek(n, i, &o) != SIOC_OK) abort();
        if (o.body.len == 0 || (o.data.ptr && (o.data.ptr < o.body.ptr || o.data.ptr + o.data.len > o.body.ptr + o.body.len)))
            abort();
        if (sioc_msgpack_check(o.body.ptr, o.body.len) != SIOC_OK) abort(); /* what we publish is valid msgpack */
    }
    if (pop) sioc_node_out_pop(n, count);
    while (sioc_node_next_event(n, &ev) == SIOC_OK) {
        volatile size_t sink = ev.text.len + ev.packet.len;
        for (k = 0; k < ev.n_targets; k++) sink += sioc_node_event_target(&ev, k).id.len;
        for (k = 0; k < ev.n_attachments; k++) sink += sioc_node_event_attachment(&ev, k).len;
        (void)sink;
    }
}

static void fz_message(sioc_node *n, int type, int who, const uint8_t *p, size_t len, uint64_t now) {
    sioc_msg_envelope env;
    char t[4];
    memset(&env, 0, sizeof env);
    sioc_msg_type_text(type, t);
    env.body = sioc_str_c(t);
    env.nsp = (who & 4) ? sioc_str_c("/admin") : sioc_str_c("/");
    env.uid = sioc_str_c((who & 3) == 3 ? n->uid : uids[who & 3]);
    if (who & 8) env.requester_uid = sioc_str_c(n->uid);
    if (who & 16) env.requester_uid = sioc_str_c("someoneelse");
    env.data.ptr = p;
    env.data.len = len;
    (void)sioc_node_receive_aws(n, &env, now);
    (void)sioc_node_receive_azure(n, p, len, (who & 32) ? &env : NULL, now);
}

static sioc_str fz_name(const uint8_t *p, size_t len) {
    sioc_str s;
    s.ptr = (const char *)p;
    s.len = len > 70 ? 70 : len;
    return s;
}

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size) {
    sioc_node n;
    sioc_node_desc d;
    sioc_node_socket_desc sd;
    uint64_t counter = 0, now = 1000;
    size_t i = 0;
    static const uint8_t hs[] = {0x81, 0xa4, 'a', 'u', 't', 'h', 0x80};
    if (size < 1) return 0;
    memset(&d, 0, sizeof d);
    d.random = fz_random;
    d.user = &counter;
    d.max_sockets = 16;
    d.max_peers = 4;
    d.max_requests = 4;
    d.max_acks = 8;
    d.out_queue_size = 8192;
    d.event_queue_size = 8192;
    d.max_ack_tokens = 64;
    d.ack_scratch_size = 1024;
    d.emitter_only = size > 1 && data[0] == 0xff;
    if (sioc_node_init(&n, &d) != SIOC_OK) abort();
    memset(&sd, 0, sizeof sd);
    sd.handshake.ptr = hs;
    sd.handshake.len = sizeof hs;
    sd.conn = 1;
    if (!d.emitter_only) {
        if (sioc_node_socket_add(&n, sioc_str_c("/"), sioc_str_c("s1"), &sd, now) != SIOC_OK) abort();
        if (sioc_node_socket_add(&n, sioc_str_c("/admin"), sioc_str_c("s1"), &sd, now) != SIOC_OK) abort();
        if (sioc_node_socket_join(&n, sioc_str_c("/"), sioc_str_c("s1"), sioc_str_c("room1")) != SIOC_OK) abort();
        sd.conn = 0;
        if (sioc_node_socket_add(&n, sioc_str_c("/"), sioc_str_c("s2"), &sd, now) != SIOC_OK) abort();
    }
    (void)sioc_node_set_ready(&n, 1, now);
    fz_message(&n, 2, 0, NULL, 0, now); /* a peer, so requests publish */
    if (!(data[0] & 0x80)) {
        fz_message(&n, data[0] & 0x0f, (data[0] >> 4) & 7, data + 1, size - 1, now);
        fz_check_counters(&n);
        fz_drain(&n, 1);
    } else {
        i = 1;
        while (i + 2 <= size) {
            uint8_t op = data[i], len = data[i + 1];
            const uint8_t *p = data + i + 2;
            sioc_bytes pk;
            uint32_t req;
            sioc_node_opts o;
            sioc_str room = sioc_str_c("room1");
            if ((size_t)len > size - i - 2) len = (uint8_t)(size - i - 2);
            i += 2 + (size_t)len;
            pk.ptr = p;
            pk.len = len;
            memset(&o, 0, sizeof o);
            if (op & 0x40) {
                o.rooms = &room;
                o.n_rooms = 1;
            }
            o.local = (op & 0x20) != 0;
            switch (op & 0x1f) {
            case 0: case 1: case 2: case 3: /* a message of a type from the payload's first byte */
                if (len) fz_message(&n, p[0] & 0x0f, op | (p[0] >> 4), p + 1, (size_t)len - 1, now);
                break;
            case 4: now += (uint64_t)(len ? p[0] : 1) * 97; sioc_node_tick(&n, now); break;
            case 5: now = sioc_node_next_deadline(&n, now) == UINT64_MAX ? now : sioc_node_next_deadline(&n, now);
                sioc_node_tick(&n, now);
                break;
            case 6: (void)sioc_node_broadcast(&n, sioc_str_c("/"), &o, pk, now); break;
            case 7: (void)sioc_node_broadcast_ack(&n, sioc_str_c("/"), &o, pk, 1 + (op & 0x80), NULL, &req, now); break;
            case 8: (void)sioc_node_fetch_sockets(&n, sioc_str_c("/"), &o, NULL, &req, now); break;
            case 9: (void)sioc_node_server_side_emit(&n, sioc_str_c("/"), pk, now); break;
            case 10: (void)sioc_node_server_side_emit_ack(&n, sioc_str_c("/"), pk, NULL, &req, now); break;
            case 11: {
                sioc_str r = fz_name(p, len);
                (void)sioc_node_sockets_join(&n, sioc_str_c("/"), &o, &r, 1, now);
                break;
            }
            case 12: {
                sioc_str r = fz_name(p, len);
                (void)sioc_node_sockets_leave(&n, sioc_str_c("/"), &o, &r, 1, now);
                break;
            }
            case 13: (void)sioc_node_disconnect_sockets(&n, sioc_str_c("/"), &o, op >> 7, now); break;
            case 14: (void)sioc_node_socket_add(&n, (op & 0x80) ? sioc_str_c("/admin") : sioc_str_c("/"), fz_name(p, len), &sd, now); break;
            case 15: (void)sioc_node_socket_remove(&n, sioc_str_c("/"), fz_name(p, len)); break;
            case 16: (void)sioc_node_socket_join(&n, sioc_str_c("/"), sioc_str_c("s2"), fz_name(p, len)); break;
            case 17: (void)sioc_node_socket_leave(&n, sioc_str_c("/"), sioc_str_c("s1"), fz_name(p, len)); break;
            case 18: { /* a client's ACK frame for s1 or s2 (text + up to 2 attachments from the payload) */
                sioc_bytes att[2];
                att[0].ptr = p;
                att[0].len = len / 2;
                att[1] = att[0];
                (void)sioc_node_client_ack_text(&n, (op & 0x80) ? sioc_str_c("s1") : sioc_str_c("s2"),
                                                (const char *)p, len, att, (op >> 6) & 2, now);
                break;
            }
            case 19: { /* the application answers a serverSideEmit: ack handles are small numbers */
                uint32_t ack = len ? p[0] & 15 : 1;
                sioc_bytes v;
                v.ptr = len > 1 ? p + 1 : NULL;
                v.len = len > 1 ? (size_t)len - 1 : 0;
                (void)sioc_node_server_side_ack(&n, ack, v, now);
                break;
            }
            case 20: fz_drain(&n, 1); break;
            case 21: fz_drain(&n, 0); break;
            case 22: (void)sioc_node_set_ready(&n, op >> 7, now); break;
            case 23: (void)sioc_node_close(&n, now); break;
            case 24: (void)sioc_node_nsp_open(&n, fz_name(p, len), now); break;
            case 25: (void)sioc_node_receive_azure(&n, p, len, NULL, now); break;
            case 26: if (len) sioc_node_out_pop(&n, p[0] & 3); break;
            default: (void)sioc_node_next_ack_id(&n, sioc_str_c("/"), now); break;
            }
            fz_check_counters(&n);
        }
        fz_drain(&n, 1);
    }
    sioc_node_free(&n);
    return 0;
}
