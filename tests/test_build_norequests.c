/* A node that never asks the cluster anything (SIOC_ENABLE_REQUESTS 0, the manual's CONFIGURATION), offline.
   Refused: fetchSockets, serverSideEmit with ack and ack broadcasts return SIOC_ERR_UNSUPPORTED and change nothing
   (no message, event, namespace or ack id; no request table in the heap). Kept, in the AWS and both Azure shapes:
   a peer's fetchSockets, serverSideEmit with ack and broadcast with ack (crafted with the public message writers,
   fed through the receive calls) are answered exactly as always (each answer decoded by hand and compared byte for
   byte with what the writers make); a plain broadcast reaches the local sockets; responses addressed to this node
   are ignored as not ours, even undecodable ones. A member on the scripted fake SNS/SQS endpoint
   (tests/aws_fake.h) answers a fetchSockets that arrives over SQS and settles a response for it. */
#define SIOC_ENABLE_REQUESTS 0
#define SIO_CLUSTER_IMPLEMENTATION
#include "sio_cluster.h"
#include "tests/harness.h"
#include "tests/sio_vec.h"
#include "tests/cluster_util.h"

#include "tests/aws_fake.h"

#define A_UID "aaaaaaaaaaaaaaaa"
#define B_UID "bbbbbbbbbbbbbbbb"
#define RID "1111111111111111"
#define ZAB "ZABb8RNMxbze7S8jAAAB"

static const char *const script_b[] = {B_UID, NULL};

/* ---- a writer over one static buffer: w_start(), a sioc_msg_write_* call, then w_done() ---- */

static uint8_t t_wbuf[4096];
static sioc_buf t_b;
static sioc_msgpack_writer t_w;

static sioc_msgpack_writer *w_start(void) {
    sioc_buf_init(&t_b, t_wbuf, sizeof t_wbuf);
    sioc_msgpack_writer_init(&t_w, &t_b);
    return &t_w;
}

/* What was written, copied to the arena (the buffer is reused). */
static sioc_bytes w_done(void) {
    uint8_t *p = (uint8_t *)tv_alloc(t_b.len);
    CHECK(sioc_msgpack_writer_finish(&t_w) == SIOC_OK);
    memcpy(p, t_wbuf, t_b.len);
    return sioc_bytes_n(p, t_b.len);
}

/* A message of `type` from `uid` in "/" (data ptr NULL: none; req NULL: no requesterUid) in both shapes. */
static void t_msg(vmsg *v, int type, const char *uid, const char *req, sioc_bytes data) {
    sioc_msgpack_writer *w;
    sioc_bytes body;
    memset(v, 0, sizeof *v);
    (void)sioc_msg_type_text(type, v->message);
    strcpy(v->nsp, "/");
    strcpy(v->uid, uid);
    v->has_req = req != NULL;
    if (req) strcpy(v->req, req);
    v->has_data = data.ptr != NULL;
    v->data_len = data.len;
    if (data.len) memcpy(v->data, data.ptr, data.len);
    w = w_start();
    sioc_msg_azure_begin(w, type, data.ptr != NULL);
    if (data.ptr) sioc_msgpack_write_raw(w, data.ptr, data.len);
    sioc_msg_azure_end(w, sioc_str_c(uid), sioc_str_c("/"));
    body = w_done();
    v->body_len = body.len;
    memcpy(v->body, body.ptr, body.len);
}

/* Peer A sends one message of `type` (with requesterUid req, may be NULL) to node n in a transport shape. */
static sioc_result a_send(sioc_node *n, int type, const char *req, sioc_bytes data, int shape, uint64_t now) {
    static vmsg v;
    t_msg(&v, type, A_UID, req, data);
    return vmsg_feed(n, &v, shape, now);
}

static sioc_bytes t_none(void) { return sioc_bytes_n(NULL, 0); }

/* The value of `key` in the msgpack map m, as raw bytes (ptr NULL when absent). */
static sioc_bytes mp_key(sioc_bytes m, const char *key) {
    sioc_msgpack_reader r;
    sioc_bytes v = t_none();
    sioc_msgpack_reader_init(&r, m.ptr, m.len);
    if (sioc_msgpack_map_find(&r, key) == SIOC_OK && sioc_msgpack_read_raw(&r, &v) != SIOC_OK) v = t_none();
    return v;
}

static int mp_is_str(sioc_bytes v, const char *want) {
    sioc_msgpack_reader r;
    sioc_str s;
    sioc_msgpack_reader_init(&r, v.ptr, v.len);
    return v.ptr && sioc_msgpack_read_str(&r, &s) == SIOC_OK && sioc_str_eq(s, sioc_str_c(want));
}

static int mp_eq(sioc_bytes a, sioc_bytes b) { return a.ptr && b.ptr && a.len == b.len && !memcmp(a.ptr, b.ptr, a.len); }

/* Node n queued exactly one message: B's answer of `type` to A's request RID, whose data is `want` byte for byte
   in both shapes, and whose requestId reads back. This build's decoder takes a response's header only. Returns
   the data (arena copy); the message is popped. */
static sioc_bytes expect_answer(sioc_node *n, int type, sioc_bytes want) {
    sioc_node_out o;
    sioc_msg_envelope env;
    sioc_msg m;
    sioc_msgpack_writer *w;
    sioc_bytes body, data = t_none();
    char text[4];
    CHECK_EQ_INT(sioc_node_out_count(n), 1);
    if (sioc_node_out_peek(n, 0, &o) != SIOC_OK) return data;
    (void)sioc_msg_type_text(type, text);
    CHECKF(o.type == type && sioc_str_eq(o.message, sioc_str_c(text)), "type %d, want %d", o.type, type);
    CHECK(sioc_str_eq(o.uid, S(B_UID)) && sioc_str_eq(o.nsp, S("/")) && sioc_str_eq(o.requester_uid, S(A_UID)));
    CHECKF(mp_eq(o.data, want), "answer %d differs from the writer's", type);
    w = w_start();
    sioc_msg_azure_begin(w, type, 1);
    sioc_msgpack_write_raw(w, want.ptr, want.len);
    sioc_msg_azure_end(w, S(B_UID), S("/"));
    body = w_done();
    CHECK(mp_eq(o.body, body));
    CHECK(mp_is_str(mp_key(o.data, "requestId"), RID));
    memset(&env, 0, sizeof env);
    env.body = o.message;
    env.nsp = o.nsp;
    env.uid = o.uid;
    env.requester_uid = o.requester_uid;
    env.data = o.data;
    CHECK(sioc_msg_decode_aws(&env, &m) == SIOC_OK);
    CHECK(m.type == type && sioc_str_eq(m.requester_uid, S(A_UID)) && !m.has_request_id && !m.data.ptr);
    if (o.data.ptr) {
        uint8_t *p = (uint8_t *)tv_alloc(o.data.len);
        memcpy(p, o.data.ptr, o.data.len);
        data = sioc_bytes_n(p, o.data.len);
    }
    sioc_node_out_pop(n, 1);
    return data;
}

/* Node B (this build), ready, with A known as a peer; its own INITIAL_HEARTBEAT and the answer to A's popped. */
static void b_start(sioc_node *b, trand *r, sioc_node_desc *d, int shape, uint64_t now) {
    memset(r, 0, sizeof *r);
    r->script = script_b;
    r->fill = 0x22;
    d->random = trand_fn;
    d->user = r;
    d->allocator.alloc = f_alloc;
    d->allocator.free = f_free;
    CHECK_EQ_INT(sioc_node_init(b, d), SIOC_OK);
    CHECK(strcmp(b->uid, B_UID) == 0);
    CHECK(sioc_node_set_ready(b, 1, now) == SIOC_OK);
    CHECK_EQ_INT(sioc_node_out_count(b), 1);
    sioc_node_out_pop(b, 1);
    CHECK(a_send(b, SIOC_MSG_INITIAL_HEARTBEAT, NULL, t_none(), shape, now) == SIOC_OK);
    CHECK_EQ_INT(sioc_node_out_count(b), 1); /* B's HEARTBEAT: the newcomer learns it at once */
    sioc_node_out_pop(b, 1);
    drain(b);
    CHECK(tfind(SIOC_NODE_EV_PEER_UP, 0) != NULL);
    CHECK_EQ_INT(sioc_node_peer_count(b, S("/")), 1);
}

/* ---- refused: the three request starters ---- */

static void test_refused(void) {
    sioc_node b;
    sioc_node_desc d;
    sioc_node_counters before;
    trand r;
    sioc_node_opts o;
    uint32_t req;
    sioc_bytes pkt = mp_json("[\"q\",1]");
    const char *const nsps[] = {"/", "/other"};
    size_t i, small;
    memset(&d, 0, sizeof d);
    d.max_namespaces = 2;
    /* no request table: its capacity does not change the heap */
    d.max_requests = 1;
    small = sioc_node_heap_size(&d);
    d.max_requests = 4096;
    CHECK(small > 0);
    CHECK_EQ_INT(sioc_node_heap_size(&d), small);
    b_start(&b, &r, &d, 0, 1000);
    memcpy(&before, &b.counters, sizeof before);
    memset(&o, 0, sizeof o);
    for (i = 0; i < 2; i++) { /* "/" with a peer that would be asked; a namespace that would be created */
        sioc_str nsp = S(nsps[i]);
        req = 77;
        CHECK_EQ_INT(sioc_node_fetch_sockets(&b, nsp, &o, &r, &req, 1000), SIOC_ERR_UNSUPPORTED);
        CHECK_EQ_INT(req, 0);
        req = 77;
        CHECK_EQ_INT(sioc_node_broadcast_ack(&b, nsp, NULL, pkt, 5000, &r, &req, 1000), SIOC_ERR_UNSUPPORTED);
        CHECK_EQ_INT(req, 0);
        req = 77;
        CHECK_EQ_INT(sioc_node_server_side_emit_ack(&b, nsp, pkt, &r, &req, 1000), SIOC_ERR_UNSUPPORTED);
        CHECK_EQ_INT(req, 0);
        CHECK_EQ_INT(sioc_node_fetch_sockets(&b, nsp, NULL, NULL, NULL, 1000), SIOC_ERR_UNSUPPORTED);
        CHECK_EQ_INT(sioc_node_broadcast_ack(&b, nsp, NULL, pkt, 5000, NULL, NULL, 1000), SIOC_ERR_UNSUPPORTED);
        CHECK_EQ_INT(sioc_node_server_side_emit_ack(&b, nsp, pkt, NULL, NULL, 1000), SIOC_ERR_UNSUPPORTED);
    }
    CHECK_EQ_INT(sioc_node_out_count(&b), 0);
    CHECK_EQ_INT(drain(&b), 0);
    CHECK(memcmp(&before, &b.counters, sizeof before) == 0);
    CHECK_EQ_INT(sioc_node_pending_requests(&b), 0);
    CHECK_EQ_INT(sioc_node_next_ack_id(&b, S("/"), 1000), 0); /* an ack broadcast would have taken id 0 */
    CHECK(sioc_node_nsp_open(&b, S("/third"), 1000) == SIOC_OK); /* the second place is still free */
    CHECK_EQ_INT(sioc_node_out_count(&b), 1);                       /* its INITIAL_HEARTBEAT */
    sioc_node_out_pop(&b, 1);
    /* what needs no answer still goes out: a serverSideEmit without ack */
    CHECK(sioc_node_server_side_emit(&b, S("/"), pkt, 1000) == SIOC_OK);
    {
        sioc_node_out out;
        CHECK(sioc_node_out_peek(&b, 0, &out) == SIOC_OK && out.type == SIOC_MSG_SERVER_SIDE_EMIT && !out.requester_uid.ptr);
        CHECK(sioc_node_out_count(&b) == 1 && !mp_key(out.data, "requestId").ptr && mp_eq(mp_key(out.data, "packet"), pkt));
    }
    sioc_node_free(&b);
    CHECK_EQ_INT(f_bytes, 0);
}

/* ---- kept: answering A's requests, delivering, ignoring responses ---- */

static void answers(int shape) {
    sioc_node b;
    sioc_node_desc d;
    sioc_node_socket_desc sd, s2;
    sioc_msg_opts_desc od;
    trand r;
    tev *e;
    sioc_str room1 = S("room1"), rid = S(RID);
    sioc_bytes hs = mp_json("{\"address\":\"::1\",\"xdomain\":false}"), sdata = mp_json("{\"k\":7}");
    sioc_bytes got, want, ev_pk = mp_json("[\"q\",1]"), pong = mp_json("{\"pong\":7}");
    sioc_str room;
    uint32_t ack;
    uint64_t now = 1000, ignored;
    memset(&d, 0, sizeof d);
    b_start(&b, &r, &d, shape, now);
    memset(&sd, 0, sizeof sd);
    sd.handshake = hs;
    sd.data = sdata;
    CHECK(sioc_node_socket_add(&b, S("/"), S(ZAB), &sd, now) == SIOC_OK);
    CHECK(sioc_node_socket_join(&b, S("/"), S(ZAB), room1) == SIOC_OK);
    memset(&s2, 0, sizeof s2);
    CHECK(sioc_node_socket_add(&b, S("/"), S("other"), &s2, now) == SIOC_OK);
    memset(&od, 0, sizeof od);
    od.rooms = &room1;
    od.n_rooms = 1;

    /* fetchSockets in room1: ZAB with its handshake, rooms in join order and data */
    sioc_msg_write_fetch_sockets(w_start(), &od, rid);
    CHECK(a_send(&b, SIOC_MSG_FETCH_SOCKETS, NULL, w_done(), shape, now) == SIOC_OK);
    {
        sioc_msgpack_writer *w = w_start();
        const sioc_str zab_rooms[] = {S(ZAB), room1};
        sioc_msg_write_fetch_sockets_response(w, rid, 1);
        sioc_msg_write_socket(w, S(ZAB), hs, zab_rooms, 2, sdata);
        want = w_done();
    }
    got = expect_answer(&b, SIOC_MSG_FETCH_SOCKETS_RESPONSE, want);
    {
        sioc_bytes socks = mp_key(got, "sockets"), s0, rooms_v;
        sioc_msgpack_reader rd;
        uint32_t count = 0;
        sioc_msgpack_reader_init(&rd, socks.ptr, socks.len);
        CHECK(socks.ptr && sioc_msgpack_read_array(&rd, &count) == SIOC_OK && count == 1);
        s0 = sioc_bytes_n(rd.data + rd.pos, rd.len - rd.pos);
        CHECK(mp_is_str(mp_key(s0, "id"), ZAB));
        CHECK(mp_eq(mp_key(s0, "handshake"), hs) && mp_eq(mp_key(s0, "data"), sdata));
        rooms_v = mp_key(s0, "rooms");
        sioc_msgpack_reader_init(&rd, rooms_v.ptr, rooms_v.len);
        CHECK(rooms_v.ptr && sioc_msgpack_read_array(&rd, &count) == SIOC_OK && count == 2);
        CHECK(sioc_msgpack_read_str(&rd, &room) == SIOC_OK && sioc_str_eq(room, S(ZAB)));
        CHECK(sioc_msgpack_read_str(&rd, &room) == SIOC_OK && sioc_str_eq(room, room1));
    }
    drain(&b);
    CHECK_EQ_INT(tcount(SIOC_NODE_EV_FETCH_SOCKETS), 0); /* A's request, not ours */

    /* serverSideEmit with ack: an event with an ack handle; the application's answer goes back once */
    sioc_msg_write_server_side_emit(w_start(), &rid, ev_pk);
    CHECK(a_send(&b, SIOC_MSG_SERVER_SIDE_EMIT, NULL, w_done(), shape, now) == SIOC_OK);
    drain(&b);
    e = tfind(SIOC_NODE_EV_SERVER_SIDE_EMIT, 0);
    CHECK(e && e->ack != 0 && !strcmp(e->uid, A_UID) && e->packet_len == ev_pk.len &&
          !memcmp(e->packet, ev_pk.ptr, ev_pk.len));
    ack = e ? e->ack : 0;
    CHECK_EQ_INT(sioc_node_out_count(&b), 0);
    CHECK(sioc_node_server_side_ack(&b, ack, pong, now) == SIOC_OK);
    sioc_msg_write_ack_response(w_start(), rid, pong);
    got = expect_answer(&b, SIOC_MSG_SERVER_SIDE_EMIT_RESPONSE, w_done());
    CHECK(mp_eq(mp_key(got, "packet"), pong));
    CHECK(sioc_node_server_side_ack(&b, ack, pong, now) == SIOC_ERR_NOT_FOUND);

    /* broadcast with ack to room1: ZAB gets it with ack id 0, B counts 1 client, then forwards ZAB's ack */
    od.flags.present = SIOC_MSG_FLAG_TIMEOUT;
    od.flags.timeout_ms = 5000;
    sioc_msg_write_broadcast(w_start(), &od, ev_pk, &rid);
    CHECK(a_send(&b, SIOC_MSG_BROADCAST, NULL, w_done(), shape, now) == SIOC_OK);
    drain(&b);
    e = tfind(SIOC_NODE_EV_DELIVER, 0);
    CHECK(e && e->n_targets == 1 && !strcmp(e->target[0], ZAB) && e->ack_id == 0 && !strcmp(e->text, "20[\"q\",1]"));
    sioc_msg_write_client_count(w_start(), rid, 1);
    got = expect_answer(&b, SIOC_MSG_BROADCAST_CLIENT_COUNT, w_done());
    {
        sioc_bytes cc = mp_key(got, "clientCount");
        CHECK(cc.len == 1 && cc.ptr[0] == 1);
    }
    CHECK(sioc_node_client_ack_text(&b, S(ZAB), "30[\"answer1\"]", 13, NULL, 0, now) == SIOC_OK);
    sioc_msg_write_ack_response(w_start(), rid, mp_json("\"answer1\""));
    got = expect_answer(&b, SIOC_MSG_BROADCAST_ACK, w_done());
    CHECK(mp_is_str(mp_key(got, "packet"), "answer1"));
    CHECK(sioc_node_client_ack_text(&b, S(ZAB), "30[\"answer1\"]", 13, NULL, 0, now) == SIOC_ERR_NOT_FOUND);
    drain(&b);
    CHECK_EQ_INT(tcount(SIOC_NODE_EV_BROADCAST_ACK) + tcount(SIOC_NODE_EV_CLIENT_COUNT), 0);

    /* a plain broadcast: both local sockets, nothing to answer */
    memset(&od, 0, sizeof od);
    sioc_msg_write_broadcast(w_start(), &od, mp_json("[\"hi\"]"), NULL);
    CHECK(a_send(&b, SIOC_MSG_BROADCAST, NULL, w_done(), shape, now) == SIOC_OK);
    drain(&b);
    e = tfind(SIOC_NODE_EV_DELIVER, 0);
    CHECK(e && e->n_targets == 2 && e->ack_id == -1 && !strcmp(e->text, "2[\"hi\"]"));
    CHECK_EQ_INT(sioc_node_out_count(&b), 0);

    /* responses addressed to B, as if B had asked (and one that is not even a valid answer): ignored as not
       ours, with no event, no error and nothing published; one for another node as always */
    ignored = b.counters.ignored_other;
    sioc_msg_write_fetch_sockets_response(w_start(), rid, 0);
    CHECK(a_send(&b, SIOC_MSG_FETCH_SOCKETS_RESPONSE, B_UID, w_done(), shape, now) == SIOC_OK);
    sioc_msg_write_ack_response(w_start(), rid, pong);
    CHECK(a_send(&b, SIOC_MSG_SERVER_SIDE_EMIT_RESPONSE, B_UID, w_done(), shape, now) == SIOC_OK);
    sioc_msg_write_client_count(w_start(), rid, 3);
    CHECK(a_send(&b, SIOC_MSG_BROADCAST_CLIENT_COUNT, B_UID, w_done(), shape, now) == SIOC_OK);
    sioc_msg_write_ack_response(w_start(), rid, pong);
    CHECK(a_send(&b, SIOC_MSG_BROADCAST_ACK, B_UID, w_done(), shape, now) == SIOC_OK);
    CHECK(a_send(&b, SIOC_MSG_FETCH_SOCKETS_RESPONSE, B_UID, mp_json("{\"sockets\":7}"), shape, now) == SIOC_OK);
    CHECK(a_send(&b, SIOC_MSG_BROADCAST_CLIENT_COUNT, "cccccccccccccccc", mp_json("{}"), shape, now) == SIOC_OK);
    CHECK_EQ_INT(b.counters.ignored_other, ignored + 6);
    CHECK_EQ_INT(drain(&b), 0);
    CHECK_EQ_INT(sioc_node_out_count(&b), 0);
    CHECK_EQ_INT(b.counters.malformed + b.counters.late_responses + b.counters.duplicate_responses, 0);
    CHECK_EQ_INT(b.counters.received, b.counters.handled + b.counters.ignored_own + b.counters.ignored_nsp +
                                          b.counters.ignored_other);
    CHECK_EQ_INT(sioc_node_peer_count(&b, S("/")), 1);
    CHECK_EQ_INT(sioc_node_pending_requests(&b), 0);

    /* closing: no request to finish, ADAPTER_CLOSE as always; everything given back */
    CHECK(sioc_node_close(&b, now) == SIOC_OK);
    CHECK_EQ_INT(sioc_node_out_count(&b), 1);
    sioc_node_out_pop(&b, 1);
    drain(&b);
    CHECK(tfind(SIOC_NODE_EV_CLOSED, 0) != NULL && tcount(SIOC_NODE_EV_REQUEST_DONE) == 0);
    sioc_node_free(&b);
    CHECK_EQ_INT(f_bytes, 0);
}

static void test_answers_aws(void) { answers(0); }
static void test_answers_azure(void) { answers(1); }
static void test_answers_azure_noprops(void) { answers(2); }

/* ---- a member on the fake SNS/SQS endpoint ---- */

/* One SQS message from A: Body `type`, the data attribute (base64), requesterUid when req is given. */
static int t_deliver(int type, const char *req, sioc_bytes data, const char *handle) {
    static char json[4096], b64[2048];
    size_t n = 0;
    int off;
    if (sioc_base64_encode(data.ptr, data.len, b64, sizeof b64, &n) != SIOC_OK) return 0;
    off = snprintf(json, sizeof json,
                   "{\"Messages\":[{\"MessageId\":\"%s\",\"ReceiptHandle\":\"%s\",\"Body\":\"%d\","
                   "\"MessageAttributes\":{\"nsp\":{\"DataType\":\"String\",\"StringValue\":\"/\"},"
                   "\"uid\":{\"DataType\":\"String\",\"StringValue\":\"" A_UID "\"},",
                   handle, handle, type);
    if (req)
        off += snprintf(json + off, sizeof json - (size_t)off,
                        "\"requesterUid\":{\"DataType\":\"String\",\"StringValue\":\"%s\"},", req);
    snprintf(json + off, sizeof json - (size_t)off,
             "\"data\":{\"DataType\":\"Binary\",\"BinaryValue\":\"%s\"}}}]}", b64);
    return f_deliver(json);
}

static void test_member(void) {
    static sioc_cluster c;
    sioc_cluster_desc d;
    sioc_node_socket_desc sd;
    sioc_node *n;
    sioc_msg_opts_desc od;
    const char *pub;
    uint32_t req = 77;
    f_member_desc(&d);
    sioc_cluster_desc_preset(&d, SIOC_CLUSTER_PRESET_SMALL);
    CHECK_EQ_INT(f_member_start(&c, &d), SIOC_OK);
    f_member_run(&c, 20);
    CHECK_EQ_INT(sioc_cluster_get_state(&c), SIOC_CLUSTER_RUNNING);
    n = sioc_cluster_node(&c);
    memset(&sd, 0, sizeof sd);
    CHECK(sioc_node_socket_add(n, S("/"), S(ZAB), &sd, f_now) == SIOC_OK);
    CHECK_EQ_INT(sioc_node_fetch_sockets(n, S("/"), NULL, NULL, &req, f_now), SIOC_ERR_UNSUPPORTED);
    CHECK_EQ_INT(req, 0);
    memset(&od, 0, sizeof od);
    sioc_msg_write_fetch_sockets(w_start(), &od, S(RID));
    CHECK(t_deliver(SIOC_MSG_FETCH_SOCKETS, NULL, w_done(), "h1"));
    f_member_run(&c, 50);
    pub = f_last_body[f_op_index("Publish")];
    if (!strstr(pub, "Message=8")) pub = f_last_body[f_op_index("PublishBatch")];
    CHECKF(strstr(pub, "Message=8") && strstr(pub, "requesterUid") && strstr(pub, A_UID), "%s", pub);
    /* a response addressed to the member: settled, ignored, nothing published */
    f_last_body[f_op_index("Publish")][0] = f_last_body[f_op_index("PublishBatch")][0] = 0;
    sioc_msg_write_client_count(w_start(), S(RID), 2);
    CHECK(t_deliver(SIOC_MSG_BROADCAST_CLIENT_COUNT, sioc_cluster_uid(&c), w_done(), "h2"));
    f_member_run(&c, 50);
    CHECK_EQ_INT(sioc_cluster_get_stats(&c)->received, 2);
    CHECK_EQ_INT(sioc_cluster_get_stats(&c)->settled, 2);
    CHECK_EQ_INT(n->counters.ignored_other, 1);
    CHECK_EQ_INT(n->counters.malformed, 0);
    CHECK(!strstr(f_last_body[f_op_index("Publish")], "Message=") &&
          !strstr(f_last_body[f_op_index("PublishBatch")], "Message="));
    CHECK(f_member_finish(&c));
}

int main(void) {
    RUN(test_refused);
    RUN(test_answers_aws);
    RUN(test_answers_azure);
    RUN(test_answers_azure_noprops);
    RUN(test_member);
    return sioc_t_report("test_build_norequests");
}
