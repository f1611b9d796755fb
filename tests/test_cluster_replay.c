/* Replay of the real 3-node AWS capture (cluster-capture-aws.json, 16 scenarios) with a C node in place of one of
   the Node servers, in both transport shapes (the Azure body is framed around the captured data):
     - as node1 (a responder): every message the others published is fed in; every message node1 published that
       is not timer-driven must come out of the C node byte for byte (heartbeat answers, client counts, acks,
       fetchSockets answers with the captured handshake, serverSideEmit answers, ADAPTER_CLOSE), and the frames
       it hands to its socket must be node1's engineWrites;
     - as node0 (the requester): each of node0's publishes is reproduced by the matching API call, byte for
       byte, and the others' answers complete the requests with node0's `results`. */
#define SIO_CLUSTER_IMPLEMENTATION
#include "sio_cluster.h"
#include "harness.h"
#include "sio_vec.h"
#include "cluster_util.h"

static sioc_json cap;

#define NODE0 "a5a3c498884d1d29"
#define NODE1 "929dc994bf3e0c21"
#define NODE0_CUSTOM "f639a1f3cd21842b"
#define NODE1_CUSTOM "308f3359544166d2"
#define SOCK0 "rlmKyOvHmr6t04RXAAAA"
#define SOCK1 "ZABb8RNMxbze7S8jAAAB"

static const char *cstr(int obj, const char *key) {
    int t = sioc_json_find(&cap, obj, key);
    return t >= 0 ? tv_str(&cap, t) : "";
}

/* A captured message as a vmsg (AWS parts as captured; the Azure body framed around the same data). */
static void cap_vmsg(int m, vmsg *v) {
    int a, attrs = sioc_json_find(&cap, m, "attrs");
    sioc_buf b;
    sioc_msgpack_writer w;
    memset(v, 0, sizeof *v);
    tcopy(v->message, sizeof v->message, S(cstr(m, "Message")));
    tcopy(v->nsp, sizeof v->nsp, S(cstr(m, "nsp")));
    tcopy(v->uid, sizeof v->uid, S(cstr(m, "uid")));
    for (a = sioc_json_first(&cap, attrs); a >= 0; a = sioc_json_next(&cap, a)) {
        if (sioc_json_str_eq(&cap, a, "requesterUid", 12)) {
            v->has_req = 1;
            tcopy(v->req, sizeof v->req, S(cstr(m, "requesterUid")));
        }
        if (sioc_json_str_eq(&cap, a, "data", 4)) {
            size_t n;
            uint8_t *d = tv_hex(&cap, sioc_json_find(&cap, m, "dataHex"), &n);
            v->has_data = 1;
            v->data_len = n;
            memcpy(v->data, d, n);
        }
    }
    sioc_buf_init(&b, v->body, sizeof v->body);
    sioc_msgpack_writer_init(&w, &b);
    sioc_msg_azure_begin(&w, atoi(v->message), v->has_data);
    if (v->has_data) sioc_msgpack_write_raw(&w, v->data, v->data_len);
    sioc_msg_azure_end(&w, S(v->uid), S(v->nsp));
    CHECK(sioc_msgpack_writer_finish(&w) == SIOC_OK);
    v->body_len = b.len;
}

/* Compare an out message with a captured one; for /custom the uid differs by design (one uid for all
   namespaces), so only type, nsp, requester and data are compared there. */
static int out_matches(const sioc_node_out *o, const vmsg *want, int custom) {
    vmsg got;
    vmsg_from_out(o, &got);
    if (strcmp(got.message, want->message) || strcmp(got.nsp, want->nsp) || got.has_req != want->has_req ||
        strcmp(got.req, want->req) || got.has_data != want->has_data || got.data_len != want->data_len ||
        memcmp(got.data, want->data, got.data_len)) {
        fprintf(stderr, "  got %s %s req %s, want %s %s req %s\n", got.message, got.nsp, got.req, want->message,
                want->nsp, want->req);
        tv_print_hex("got data", got.data, got.data_len);
        tv_print_hex("want data", want->data, want->data_len);
        return 0;
    }
    if (!custom && (strcmp(got.uid, want->uid) || got.body_len != want->body_len ||
                    memcmp(got.body, want->body, got.body_len))) {
        tv_print_hex("got body", got.body, got.body_len);
        tv_print_hex("want body", want->body, want->body_len);
        return 0;
    }
    return 1;
}

/* ---- the fake application around the C node ---- */

typedef struct frame_rec {
    char label[64];
    char text[1024];
    uint8_t bin[16];
    size_t bin_len;
    int has_bin;
} frame_rec;

static frame_rec frames[64];
static size_t n_frames;
static const char *cur_label = "";
static int n_acks_sent, n_sse_acked;

/* JSON value (vector convention) each client acks with, per scenario and node. */
static const char *client_ack_value(int role) {
    if (!strcmp(cur_label, "broadcast-with-ack")) return role ? "\"answer1\"" : "\"answer0\"";
    if (!strcmp(cur_label, "broadcast-with-ack-binary")) return role ? "{\"$bin\":\"01\"}" : "{\"$bin\":\"00\"}";
    if (!strcmp(cur_label, "remote-socket-emitWithAck")) return "\"pong1\"";
    return NULL;
}

/* The client's ACK frame for ack id `id` carrying `value`, built with the parser's encoder, then handed back. */
static void client_acks(sioc_node *n, const char *sid, int64_t id, const char *value, uint64_t now) {
    char json[128], text[128];
    sioc_bytes att[4];
    size_t n_att = 0;
    sioc_buf b;
    snprintf(json, sizeof json, "[%s]", value);
    sioc_buf_init(&b, text, sizeof text);
    CHECK(sioc_sio_encode(&b, SIOC_SIO_ACK, S("/"), id, mp_json(json), att, 4, &n_att) == SIOC_OK);
    CHECK(sioc_node_client_ack_text(n, S(sid), text, b.len, att, n_att, now) == SIOC_OK);
    n_acks_sent++;
}

/* Drain events: record frames, let clients answer ack broadcasts, answer serverSideEmit with ack. */
static void app_run(sioc_node *n, int role, uint64_t now) {
    size_t i;
    drain(n);
    for (i = 0; i < n_tevs; i++) {
        tev *e = &tevs[i];
        if ((e->type == SIOC_NODE_EV_DELIVER || e->type == SIOC_NODE_EV_DISCONNECT) && n_frames < 64) {
            frame_rec *f = &frames[n_frames++];
            memset(f, 0, sizeof *f);
            snprintf(f->label, sizeof f->label, "%s", cur_label);
            snprintf(f->text, sizeof f->text, "%s", e->text);
            f->has_bin = e->n_att > 0;
            if (e->n_att) {
                f->bin_len = e->att_len[0];
                memcpy(f->bin, e->att[0], e->att_len[0] < 16 ? e->att_len[0] : 16);
            }
        }
    }
    /* act after reading everything (acting may overwrite the event queue) */
    for (i = 0; i < n_tevs; i++) {
        tev e = tevs[i];
        if (e.type == SIOC_NODE_EV_DELIVER && e.ack_id >= 0 && client_ack_value(role))
            client_acks(n, e.target[0], e.ack_id, client_ack_value(role), now);
        if (e.type == SIOC_NODE_EV_SERVER_SIDE_EMIT && e.ack) {
            CHECK(sioc_node_server_side_ack(n, e.ack, mp_json("{\"pong\":7,\"from\":1}"), now) == SIOC_OK);
            n_sse_acked++;
        }
    }
}

/* node's engineWrites of `server` equal the recorded frames, in order. */
static void check_engine_writes(const char *server) {
    int ws = sioc_json_find(&cap, 0, "engineWrites"), w;
    size_t k = 0, compared = 0;
    for (w = sioc_json_first(&cap, ws); w >= 0; w = sioc_json_next(&cap, w)) {
        int pk = sioc_json_find(&cap, w, "packets"), p0 = sioc_json_at(&cap, pk, 0), p1 = sioc_json_at(&cap, pk, 1);
        const char *label = cstr(w, "label");
        if (strcmp(cstr(w, "server"), server) || !strcmp(label, "startup")) continue; /* CONNECT replies: app's */
        CHECKF(k < n_frames, "%s: missing frame for %s", server, label);
        if (k >= n_frames) return;
        CHECKF(!strcmp(frames[k].label, label), "%s: frame %lu in %s, want %s", server, (unsigned long)k,
               frames[k].label, label);
        CHECKF(!strcmp(frames[k].text, cstr(p0, "text")), "%s: %s vs %s", label, frames[k].text, cstr(p0, "text"));
        CHECK(frames[k].has_bin == (p1 >= 0));
        if (p1 >= 0) {
            size_t n;
            uint8_t *b = tv_hex(&cap, sioc_json_find(&cap, p1, "binaryHex"), &n);
            CHECK_MEM(frames[k].bin, frames[k].bin_len, b, n);
        }
        k++;
        compared++;
    }
    CHECKF(k == n_frames, "%s: %lu frames delivered, %lu captured", server, (unsigned long)n_frames, (unsigned long)k);
    CHECK(compared > 0);
}

static int is_timer_heartbeat(int m) {
    const char *label = cstr(m, "label");
    return !strcmp(cstr(m, "Message"), "2") && strcmp(label, "startup") && strcmp(label, "custom-namespace");
}

/* The socket each server had, with the handshake and data node1 sent in its fetchSockets answer. */
static void captured_socket_desc(const char *uid, const char *sid, sioc_node_socket_desc *sd) {
    int ms = sioc_json_find(&cap, 0, "msgs"), m;
    memset(sd, 0, sizeof sd[0]);
    for (m = sioc_json_first(&cap, ms); m >= 0; m = sioc_json_next(&cap, m)) {
        vmsg v;
        sioc_msg_envelope env;
        sioc_msg msg;
        sioc_msg_socket so;
        sioc_msg_list l;
        uint8_t *copy;
        if (strcmp(cstr(m, "Message"), "8") || strcmp(cstr(m, "uid"), uid)) continue;
        cap_vmsg(m, &v);
        copy = (uint8_t *)tv_alloc(v.data_len);
        memcpy(copy, v.data, v.data_len);
        memset(&env, 0, sizeof env);
        env.body = S("8");
        env.nsp = S("/");
        env.uid = S(uid);
        env.data.ptr = copy;
        env.data.len = v.data_len;
        if (sioc_msg_decode_aws(&env, &msg) != SIOC_OK) continue;
        for (l = msg.sockets; sioc_msg_list_next_socket(&l, &so);) {
            if (!sioc_str_eq(so.id, S(sid))) continue;
            sd->handshake = so.handshake;
            sd->data = so.data;
            return;
        }
    }
}

/* ---- node1: the responder ---- */

static void replay_node1(int shape) {
    static const char *const script[] = {NODE1, NULL};
    sioc_node n;
    sioc_node_desc d;
    sioc_node_socket_desc sd;
    trand r;
    int ms = sioc_json_find(&cap, 0, "msgs"), m, custom_open = 0, closed = 0;
    uint64_t now = 100000;
    unsigned compared = 0, fed = 0;
    memset(&r, 0, sizeof r);
    r.script = script;
    memset(&d, 0, sizeof d);
    d.random = trand_fn;
    d.user = &r;
    CHECK(sioc_node_init(&n, &d) == SIOC_OK);
    captured_socket_desc(NODE1, SOCK1, &sd);
    CHECK(sd.handshake.ptr != NULL && sd.data.ptr != NULL);
    CHECK(sioc_node_socket_add(&n, S("/"), S(SOCK1), &sd, now) == SIOC_OK);
    CHECK(sioc_node_socket_join(&n, S("/"), S(SOCK1), S("room1")) == SIOC_OK);
    CHECK(sioc_node_set_ready(&n, 1, now) == SIOC_OK);
    n_frames = 0;
    n_acks_sent = n_sse_acked = 0;
    for (m = sioc_json_first(&cap, ms); m >= 0; m = sioc_json_next(&cap, m)) {
        vmsg v;
        const char *uid = cstr(m, "uid");
        int mine = !strcmp(uid, NODE1) || !strcmp(uid, NODE1_CUSTOM);
        cur_label = cstr(m, "label");
        now += 10;
        cap_vmsg(m, &v);
        if (!strcmp(v.nsp, "/custom") && !custom_open) {
            CHECK(sioc_node_nsp_open(&n, S("/custom"), now) == SIOC_OK); /* announces itself (type 1) */
            custom_open = 1;
        }
        if (!mine) {
            CHECK(vmsg_feed(&n, &v, shape, now) == SIOC_OK);
            fed++;
            app_run(&n, 1, now);
            if (!strcmp(cur_label, "sockets-join") || !strcmp(cur_label, "sockets-leave")) { /* results: rooms1 */
                sioc_str rs[8];
                size_t k = 0;
                int join = !strcmp(cur_label, "sockets-join");
                CHECK(sioc_node_socket_rooms(&n, S("/"), S(SOCK1), rs, 8, &k) == SIOC_OK);
                CHECK(k == (join ? 4u : 3u) && sioc_str_eq(rs[0], S(SOCK1)) && sioc_str_eq(rs[1], S("room1")));
                CHECK(join ? sioc_str_eq(rs[2], S("room2")) && sioc_str_eq(rs[3], S("room3"))
                           : sioc_str_eq(rs[2], S("room3")));
            }
            continue;
        }
        if (is_timer_heartbeat(m)) continue; /* driven by node1's clock, not by a message */
        if (!strcmp(v.message, "13") && !closed) {
            CHECK(sioc_node_close(&n, now) == SIOC_OK);
            closed = 1;
        }
        {
            sioc_node_out o;
            CHECKF(sioc_node_out_peek(&n, 0, &o) == SIOC_OK, "%s: node1 published type %s, C node nothing", cur_label,
                   v.message);
            if (sioc_node_out_peek(&n, 0, &o) == SIOC_OK) {
                CHECKF(out_matches(&o, &v, !strcmp(v.nsp, "/custom")), "%s: type %s", cur_label, v.message);
                sioc_node_out_pop(&n, 1);
                compared++;
            }
        }
    }
    CHECK_EQ_INT(sioc_node_out_count(&n), 0);
    CHECK(n.state == SIOC_NODE_CLOSED);
    CHECK_EQ_INT(n.counters.malformed, 0);
    CHECK_EQ_INT(n_acks_sent, 3);
    CHECK_EQ_INT(n_sse_acked, 1);
    check_engine_writes("node1");
    /* what node1 published and the C node reproduced: 3 + 3 (start-up, custom), 3 x 11, 3 x 12, 2 x 8, 1 x 10,
       2 x 13 */
    CHECK_EQ_INT(compared, 17);
    CHECK(fed > 40);
    sioc_node_free(&n);
}

static void test_replay_node1_aws(void) { replay_node1(0); }
static void test_replay_node1_azure(void) { replay_node1(1); }

/* ---- node0: the requester ---- */

typedef struct strs {
    sioc_str v[16];
    size_t n;
} strs;

static void strs_of(sioc_msg_list l, strs *s) {
    s->n = 0;
    while (s->n < 16 && sioc_msg_list_next_str(&l, &s->v[s->n])) s->n++;
}

/* Reproduce one of node0's publishes with the API call that makes it; returns the request handle, if any. */
static uint32_t api_call_for(sioc_node *n, const vmsg *v, uint64_t now) {
    sioc_msg_envelope env;
    sioc_msg m;
    sioc_node_opts o;
    strs rooms, except, jr;
    uint32_t req = 0;
    memset(&env, 0, sizeof env);
    env.body = S(v->message);
    env.nsp = S(v->nsp);
    env.uid = S(v->uid);
    env.data.ptr = v->has_data ? v->data : NULL;
    env.data.len = v->data_len;
    CHECK(sioc_msg_decode_aws(&env, &m) == SIOC_OK);
    memset(&o, 0, sizeof o);
    strs_of(m.opts.rooms, &rooms);
    strs_of(m.opts.except, &except);
    o.rooms = rooms.v;
    o.n_rooms = rooms.n;
    o.except = except.v;
    o.n_except = except.n;
    o.flags = m.opts.flags;
    o.flags.raw.ptr = NULL;
    switch (m.type) {
    case SIOC_MSG_BROADCAST:
        if (m.has_request_id)
            CHECK(sioc_node_broadcast_ack(n, m.nsp, &o, m.packet_data, (uint32_t)m.opts.flags.timeout_ms, NULL, &req,
                                          now) == SIOC_OK);
        else
            CHECK(sioc_node_broadcast(n, m.nsp, &o, m.packet_data, now) == SIOC_OK);
        break;
    case SIOC_MSG_SOCKETS_JOIN:
    case SIOC_MSG_SOCKETS_LEAVE:
        strs_of(m.rooms, &jr);
        if (m.type == SIOC_MSG_SOCKETS_JOIN)
            CHECK(sioc_node_sockets_join(n, m.nsp, &o, jr.v, jr.n, now) == SIOC_OK);
        else
            CHECK(sioc_node_sockets_leave(n, m.nsp, &o, jr.v, jr.n, now) == SIOC_OK);
        break;
    case SIOC_MSG_DISCONNECT_SOCKETS: CHECK(sioc_node_disconnect_sockets(n, m.nsp, &o, m.close, now) == SIOC_OK); break;
    case SIOC_MSG_FETCH_SOCKETS: CHECK(sioc_node_fetch_sockets(n, m.nsp, &o, NULL, &req, now) == SIOC_OK); break;
    case SIOC_MSG_SERVER_SIDE_EMIT:
        if (m.has_request_id)
            CHECK(sioc_node_server_side_emit_ack(n, m.nsp, m.packet, NULL, &req, now) == SIOC_OK);
        else
            CHECK(sioc_node_server_side_emit(n, m.nsp, m.packet, now) == SIOC_OK);
        break;
    default: CHECKF(0, "unexpected type %d", m.type); break;
    }
    return req;
}

/* Per-request results gathered from events. */
typedef struct req_result {
    uint32_t handle;
    char label[64];
    int done, result;
    unsigned parts, sockets;
    size_t n_values;
    uint8_t values[4][64];
    size_t value_len[4];
} req_result;

static req_result results[16];
static size_t n_results;

static req_result *result_for(uint32_t h) {
    size_t i;
    for (i = 0; i < n_results; i++)
        if (results[i].handle == h) return &results[i];
    return NULL;
}

static void collect(void) {
    size_t i;
    for (i = 0; i < n_tevs; i++) {
        tev *e = &tevs[i];
        req_result *q = e->request ? result_for(e->request) : NULL;
        if (!q) continue;
        switch (e->type) {
        case SIOC_NODE_EV_FETCH_SOCKETS:
            q->parts++;
            q->sockets += e->n_sockets;
            break;
        case SIOC_NODE_EV_BROADCAST_ACK:
        case SIOC_NODE_EV_SSE_RESPONSE:
            if (q->n_values < 4 && e->packet_len <= 64) {
                memcpy(q->values[q->n_values], e->packet, e->packet_len);
                q->value_len[q->n_values++] = e->packet_len;
            }
            break;
        case SIOC_NODE_EV_REQUEST_DONE:
            q->done++;
            q->result = e->result;
            break;
        default: break;
        }
    }
}

/* The request's values are these JSON values (vector convention), in any order. */
static int values_are(const req_result *q, const char *const *want, size_t n) {
    size_t i, k;
    int used[4] = {0, 0, 0, 0};
    if (q->n_values != n) return 0;
    for (i = 0; i < n; i++) {
        sioc_bytes w = mp_json(want[i]);
        for (k = 0; k < n; k++)
            if (!used[k] && q->value_len[k] == w.len && !memcmp(q->values[k], w.ptr, w.len)) break;
        if (k == n) return 0;
        used[k] = 1;
    }
    return 1;
}

static void replay_node0(int shape) {
    static const char *const script[] = {NODE0,
                                         "83aee52e1476286e",
                                         "8c63d0ad5e9f570b",
                                         "d2697d8e4f8033bb",
                                         "dc1305b81c178474",
                                         "c1c6b69c6f0f7bfe",
                                         "9f4000a7fec7f186",
                                         NULL};
    sioc_node n;
    sioc_node_desc d;
    sioc_node_socket_desc sd;
    trand r;
    int ms = sioc_json_find(&cap, 0, "msgs"), m, custom_open = 0, closed = 0;
    uint64_t now = 200000;
    unsigned compared = 0;
    req_result *q;
    memset(&r, 0, sizeof r);
    r.script = script;
    memset(&d, 0, sizeof d);
    d.random = trand_fn;
    d.user = &r;
    CHECK(sioc_node_init(&n, &d) == SIOC_OK);
    memset(&sd, 0, sizeof sd);
    CHECK(sioc_node_socket_add(&n, S("/"), S(SOCK0), &sd, now) == SIOC_OK);
    CHECK(sioc_node_set_ready(&n, 1, now) == SIOC_OK);
    n_frames = 0;
    n_results = 0;
    n_acks_sent = 0;
    for (m = sioc_json_first(&cap, ms); m >= 0; m = sioc_json_next(&cap, m)) {
        vmsg v;
        const char *uid = cstr(m, "uid");
        int mine = !strcmp(uid, NODE0) || !strcmp(uid, NODE0_CUSTOM);
        cur_label = cstr(m, "label");
        now += 10;
        cap_vmsg(m, &v);
        if (!strcmp(v.nsp, "/custom") && !custom_open) {
            CHECK(sioc_node_nsp_open(&n, S("/custom"), now) == SIOC_OK);
            custom_open = 1;
        }
        if (!mine) {
            CHECK(vmsg_feed(&n, &v, shape, now) == SIOC_OK);
            app_run(&n, 0, now);
            collect();
            continue;
        }
        if (is_timer_heartbeat(m)) continue;
        if (!strcmp(v.message, "13")) {
            if (!closed) CHECK(sioc_node_close(&n, now) == SIOC_OK);
            closed = 1;
        } else if (strcmp(v.message, "1") && strcmp(v.message, "2") && sioc_node_out_count(&n) == 0) {
            uint32_t h = api_call_for(&n, &v, now);
            if (h && n_results < 16) {
                memset(&results[n_results], 0, sizeof results[0]);
                results[n_results].handle = h;
                snprintf(results[n_results].label, sizeof results[0].label, "%s", cur_label);
                n_results++;
            }
            app_run(&n, 0, now);
            collect();
        }
        {
            sioc_node_out o;
            CHECKF(sioc_node_out_peek(&n, 0, &o) == SIOC_OK, "%s: node0 published %s, C node nothing", cur_label,
                   v.message);
            if (sioc_node_out_peek(&n, 0, &o) == SIOC_OK) {
                CHECKF(out_matches(&o, &v, !strcmp(v.nsp, "/custom")), "%s: type %s", cur_label, v.message);
                sioc_node_out_pop(&n, 1);
                compared++;
            }
        }
        if (!strcmp(cur_label, "close-node2")) CHECK_EQ_INT(sioc_node_peer_count(&n, S("/")), 1);
    }
    drain(&n);
    collect();
    CHECK_EQ_INT(sioc_node_out_count(&n), 0);
    CHECK(n.state == SIOC_NODE_CLOSED);
    CHECK_EQ_INT(n.counters.malformed, 0);
    CHECK_EQ_INT(n.counters.late_responses, 0);
    CHECK_EQ_INT(n_acks_sent, 2); /* node0's own client answered its two ack broadcasts */
    check_engine_writes("node0");
    CHECK_EQ_INT(n_results, 6);
    {
        const char *const ack_text[] = {"\"answer0\"", "\"answer1\"", "\"answer2\""};
        const char *const ack_bin[] = {"{\"$bin\":\"00\"}", "{\"$bin\":\"01\"}", "{\"$bin\":\"02\"}"};
        const char *const pong1[] = {"\"pong1\""};
        const char *const sse[] = {"{\"pong\":7,\"from\":1}", "{\"pong\":7,\"from\":2}"};
        size_t i;
        for (i = 0; i < n_results; i++) {
            q = &results[i];
            CHECKF(q->done == 1 && q->result == SIOC_OK, "%s: done %d result %d", q->label, q->done, q->result);
        }
        CHECK(values_are(&results[0], ack_text, 3));
        CHECK(values_are(&results[1], ack_bin, 3));
        CHECK(results[2].parts == 3 && results[2].sockets == 3); /* results: count 3 (local + 2 remote) */
        CHECK(results[3].parts == 3 && results[3].sockets == 1); /* RemoteSocket lookup: node1's socket only */
        CHECK(values_are(&results[4], pong1, 1));                /* results: resp "pong1" */
        CHECK(values_are(&results[5], sse, 2));
    }
    /* node0 published: 3 at start-up, 4 broadcasts, 4 in /custom, 2 ack broadcasts, 2 fetches and the
       RemoteSocket ack broadcast, join, leave, 2 serverSideEmits, 2 disconnects, 2 ADAPTER_CLOSE */
    CHECK_EQ_INT(compared, 24);
    sioc_node_free(&n);
}

static void test_replay_node0_aws(void) { replay_node0(0); }
static void test_replay_node0_azure(void) { replay_node0(1); }

int main(void) {
    tv_load("vectors/socketio/cluster-capture-aws.json", &cap);
    RUN(test_replay_node1_aws);
    RUN(test_replay_node1_azure);
    RUN(test_replay_node0_aws);
    RUN(test_replay_node0_azure);
    return sioc_t_report("test_cluster_replay");
}
