/* The node state machine (src/cluster.h) against the canonical vectors (docs/PROTOCOL.md §12), both transport shapes:
   as responder B it must react to A's messages as the Node adapter did (frames delivered, answers byte-exact),
   and as requester A its own operations must publish A's vectors byte-exact and its requests must complete from
   B's answers. Deterministic: fake clock, scripted randomness, no I/O. */
#define SIO_CLUSTER_IMPLEMENTATION
#include "sio_cluster.h"
#include "harness.h"
#include "sio_vec.h"
#include "cluster_util.h"

#define A_UID "aaaaaaaaaaaaaaaa"
#define B_UID "bbbbbbbbbbbbbbbb"
#define ZAB "ZABb8RNMxbze7S8jAAAB"

static const char *const script_a[] = {"aaaaaaaaaaaaaaaa", NULL};
static const char *const script_b[] = {"bbbbbbbbbbbbbbbb", NULL};

static void node_init(sioc_node *n, trand *r, const char *const *script, sioc_node_desc *extra) {
    sioc_node_desc d;
    memset(r, 0, sizeof *r);
    r->script = script;
    r->fill = 0x11; /* every later request id is 1111111111111111, as in the vectors */
    if (extra)
        d = *extra;
    else
        memset(&d, 0, sizeof d);
    d.random = trand_fn;
    d.user = r;
    if (sioc_node_init(n, &d) != SIOC_OK) {
        fprintf(stderr, "node init failed\n");
        exit(2);
    }
}

static void feed_canon(sioc_node *n, const char *type, const char *kind, const char *from, const char *label,
                       int shape, uint64_t now) {
    vmsg m;
    int v = canon_find(type, kind, from, label, 0);
    CHECKF(v >= 0, "vector %s/%s missing", type, kind);
    if (v < 0) return;
    canon_vmsg(v, &m);
    CHECK(vmsg_feed(n, &m, shape, now) == SIOC_OK);
}

/* The out queue holds exactly one message and it is this canonical vector; then it is popped. */
static void expect_out_canon(sioc_node *n, const char *type, const char *kind, const char *from, const char *label) {
    vmsg m;
    int v = canon_find(type, kind, from, label, 0);
    CHECKF(v >= 0, "vector %s missing", type);
    if (v < 0) return;
    canon_vmsg(v, &m);
    CHECK_EQ_INT(sioc_node_out_count(n), 1);
    CHECKF(out_equals(n, 0, &m), "%s %s", type, label ? label : "");
    sioc_node_out_pop(n, sioc_node_out_count(n));
}

/* The writeToEngine vector with this label: its text frame and optional binary frame. */
static void engine_frames(const char *label, const char **text, uint8_t **bin, size_t *bin_len) {
    int v = canon_find(NULL, "writeToEngine", NULL, label, 0), pk;
    *text = NULL;
    *bin = NULL;
    *bin_len = 0;
    if (v < 0) return;
    pk = sioc_json_find(&canon, v, "packets");
    *text = tv_str(&canon, sioc_json_at(&canon, pk, 0));
    if (sioc_json_count(&canon, pk) > 1) {
        const char *b = tv_str(&canon, sioc_json_at(&canon, pk, 1)); /* "<bin 0304>" */
        size_t n = strlen(b) - 6;
        *bin = (uint8_t *)tv_alloc(n / 2 + 1);
        if (sioc_hex_decode(b + 5, n, *bin, n / 2 + 1, bin_len) != SIOC_OK) *bin_len = 0;
    }
}

/* The handshake and data of socket ZAB in B's canonical fetchSockets answer (so B's own answer can be compared
   byte for byte). */
static void zab_desc(sioc_node_socket_desc *sd) {
    int v = canon_find("FETCH_SOCKETS_RESPONSE", "response", B_UID, NULL, 0);
    int s = sioc_json_path(&canon, v, "obj.data.sockets[0]");
    size_t n;
    memset(sd, 0, sizeof *sd);
    sd->handshake.ptr = tv_mp(&canon, sioc_json_find(&canon, s, "handshake"), &n);
    sd->handshake.len = n;
    sd->data.ptr = tv_mp(&canon, sioc_json_find(&canon, s, "data"), &n);
    sd->data.len = n;
    sd->user = (void *)&canon;
}

static void rooms_are(sioc_node *n, const char *id, const char *const *want, size_t n_want) {
    sioc_str r[8];
    size_t k = 0, i;
    CHECK(sioc_node_socket_rooms(n, S("/"), S(id), r, 8, &k) == SIOC_OK);
    CHECK_EQ_INT(k, n_want);
    for (i = 0; i < k && i < n_want; i++) CHECKF(sioc_str_eq(r[i], S(want[i])), "room %lu", (unsigned long)i);
}

/* ---- B answers A's canonical messages exactly as the Node adapter did ---- */

static void responder_b(int shape) {
    sioc_node b;
    trand r;
    sioc_node_socket_desc sd, s2;
    const char *text;
    uint8_t *bin;
    size_t bin_len;
    tev *e;
    uint32_t ack;
    uint64_t now = 1000;
    node_init(&b, &r, script_b, NULL);
    CHECK(strcmp(b.uid, B_UID) == 0);
    CHECK(sioc_node_set_ready(&b, 1, now) == SIOC_OK);
    CHECK_EQ_INT(sioc_node_out_count(&b), 1); /* B's own INITIAL_HEARTBEAT */
    sioc_node_out_pop(&b, 1);
    drain(&b);
    CHECK(tfind(SIOC_NODE_EV_READY, 0) != NULL);
    zab_desc(&sd);
    CHECK(sioc_node_socket_add(&b, S("/"), S(ZAB), &sd, now) == SIOC_OK);
    CHECK(sioc_node_socket_join(&b, S("/"), S(ZAB), S("room1")) == SIOC_OK);
    CHECK(sioc_node_socket_join(&b, S("/"), S(ZAB), S("room3")) == SIOC_OK);

    /* INITIAL_HEARTBEAT -> B counts A and answers with HEARTBEAT (the canonical one) */
    feed_canon(&b, "INITIAL_HEARTBEAT", "publish", A_UID, NULL, shape, now);
    expect_out_canon(&b, "HEARTBEAT", "publish", B_UID, NULL);
    drain(&b);
    e = tfind(SIOC_NODE_EV_PEER_UP, 0);
    CHECK(e && !strcmp(e->uid, A_UID) && !strcmp(e->nsp, "/"));
    CHECK_EQ_INT(sioc_node_peer_count(&b, S("/")), 1);

    /* BROADCAST to room1 with binary -> the frames Node wrote to the engine */
    feed_canon(&b, "BROADCAST", "publish", A_UID, "BROADCAST to room1 with binary", shape, now);
    engine_frames("BROADCAST to room1 with binary", &text, &bin, &bin_len);
    drain(&b);
    e = tfind(SIOC_NODE_EV_DELIVER, 0);
    CHECK(e != NULL && text != NULL);
    if (e && text) {
        CHECK(strcmp(e->text, text) == 0);
        CHECK_EQ_INT(e->n_att, 1);
        CHECK_MEM(e->att[0], e->att_len[0], bin, bin_len);
        CHECK_EQ_INT(e->n_targets, 1);
        CHECK(strcmp(e->target[0], ZAB) == 0 && e->target_user[0] == (void *)&canon);
        CHECK(e->ack_id == -1 && e->compress == 1 && e->is_volatile == 0);
    }
    CHECK_EQ_INT(sioc_node_out_count(&b), 0);

    /* except room1, volatile + compress false: ZAB (in room1) gets nothing, a socket outside does */
    memset(&s2, 0, sizeof s2);
    CHECK(sioc_node_socket_add(&b, S("/"), S("other"), &s2, now) == SIOC_OK);
    feed_canon(&b, "BROADCAST", "publish", A_UID, "BROADCAST to all, flags volatile+compress, except room1", shape, now);
    drain(&b);
    e = tfind(SIOC_NODE_EV_DELIVER, 0);
    CHECK(e && e->n_targets == 1 && !strcmp(e->target[0], "other") && !strcmp(e->text, "2[\"v\",1]"));
    CHECK(e && e->is_volatile == 1 && e->compress == 0);
    CHECK(sioc_node_socket_remove(&b, S("/"), S("other")) == SIOC_OK);

    /* BROADCAST with ack: delivered with B's ack id 0, client count 1 answered at once (canonical bytes), then
       the client's ack becomes the canonical BROADCAST_ACK */
    feed_canon(&b, "BROADCAST", "publish", A_UID, "BROADCAST with ack (requestId), flags.timeout", shape, now);
    engine_frames("BROADCAST with ack (requestId), flags.timeout", &text, &bin, &bin_len);
    drain(&b);
    e = tfind(SIOC_NODE_EV_DELIVER, 0);
    CHECK(e && text && !strcmp(e->text, text) && e->ack_id == 0 && e->n_targets == 1);
    expect_out_canon(&b, "BROADCAST_CLIENT_COUNT", "response", B_UID, NULL);
    CHECK(sioc_node_client_ack_text(&b, S(ZAB), "30[\"answer1\"]", 13, NULL, 0, now) == SIOC_OK);
    expect_out_canon(&b, "BROADCAST_ACK", "response", B_UID, NULL);
    /* the same ack again, or an ack nobody asked for, is not forwarded */
    CHECK(sioc_node_client_ack_text(&b, S(ZAB), "30[\"answer1\"]", 13, NULL, 0, now) == SIOC_ERR_NOT_FOUND);
    CHECK(sioc_node_client_ack_text(&b, S(ZAB), "39[\"x\"]", 7, NULL, 0, now) == SIOC_ERR_NOT_FOUND);
    CHECK_EQ_INT(sioc_node_out_count(&b), 0);

    /* FETCH_SOCKETS: B's answer is the canonical one, byte for byte (handshake, rooms in join order, data) */
    feed_canon(&b, "FETCH_SOCKETS", "publish", A_UID, NULL, shape, now);
    expect_out_canon(&b, "FETCH_SOCKETS_RESPONSE", "response", B_UID, NULL);

    /* SOCKETS_JOIN (room1 -> room2, room3), SOCKETS_LEAVE (ZAB leaves room2) */
    feed_canon(&b, "SOCKETS_JOIN", "publish", A_UID, NULL, shape, now);
    {
        const char *const want[] = {ZAB, "room1", "room3", "room2"};
        rooms_are(&b, ZAB, want, 4);
    }
    feed_canon(&b, "SOCKETS_LEAVE", "publish", A_UID, NULL, shape, now);
    {
        const char *const want[] = {ZAB, "room1", "room3"};
        rooms_are(&b, ZAB, want, 3);
    }
    CHECK_EQ_INT(sioc_node_out_count(&b), 0);

    /* SERVER_SIDE_EMIT without ack: to the application, nothing published */
    feed_canon(&b, "SERVER_SIDE_EMIT", "publish", A_UID, "SERVER_SIDE_EMIT (no ack)", shape, now);
    drain(&b);
    e = tfind(SIOC_NODE_EV_SERVER_SIDE_EMIT, 0);
    {
        sioc_bytes want = mp_json("[\"hello\",\"world\",1,{\"$bin\":\"05\"}]");
        CHECK(e && e->ack == 0 && !strcmp(e->uid, A_UID));
        CHECK(e && e->packet_len == want.len && !memcmp(e->packet, want.ptr, want.len));
    }
    CHECK_EQ_INT(sioc_node_out_count(&b), 0);

    /* SERVER_SIDE_EMIT with ack: the application answers {pong: 7}: the canonical response */
    feed_canon(&b, "SERVER_SIDE_EMIT", "publish", A_UID, "SERVER_SIDE_EMIT (with ack)", shape, now);
    drain(&b);
    e = tfind(SIOC_NODE_EV_SERVER_SIDE_EMIT, 0);
    CHECK(e && e->ack != 0);
    ack = e ? e->ack : 0;
    CHECK(sioc_node_server_side_ack(&b, ack, mp_json("{\"pong\":7}"), now) == SIOC_OK);
    expect_out_canon(&b, "SERVER_SIDE_EMIT_RESPONSE", "response", B_UID, NULL);
    CHECK(sioc_node_server_side_ack(&b, ack, mp_json("{\"pong\":8}"), now) == SIOC_ERR_NOT_FOUND); /* once */

    /* DISCONNECT_SOCKETS room3, close: ZAB gets "1", is removed, and its connection is to be closed */
    feed_canon(&b, "DISCONNECT_SOCKETS", "publish", A_UID, NULL, shape, now);
    drain(&b);
    e = tfind(SIOC_NODE_EV_DISCONNECT, 0);
    CHECK(e && !strcmp(e->text, "1") && e->close == 1 && e->n_targets == 1 && !strcmp(e->target[0], ZAB));
    CHECK(!sioc_node_socket_exists(&b, S("/"), S(ZAB)));
    CHECK_EQ_INT(sioc_node_socket_count(&b, S("/")), 0);

    /* B's own ADAPTER_CLOSE echoed back: ignored. A's: A is gone at once. */
    {
        uint64_t own = b.counters.ignored_own;
        feed_canon(&b, "ADAPTER_CLOSE", "publish", B_UID, NULL, shape, now);
        CHECK_EQ_INT(b.counters.ignored_own, own + 1);
    }
    feed_canon(&b, "ADAPTER_CLOSE", "publish", A_UID, NULL, shape, now);
    drain(&b);
    e = tfind(SIOC_NODE_EV_PEER_DOWN, 0);
    CHECK(e && !strcmp(e->uid, A_UID) && e->result == SIOC_ERR_CLOSED);
    CHECK_EQ_INT(sioc_node_peer_count(&b, S("/")), 0);
    CHECK_EQ_INT(b.counters.malformed, 0);
    CHECK_EQ_INT(b.counters.received, b.counters.handled + b.counters.ignored_own + b.counters.ignored_nsp +
                                          b.counters.ignored_other + b.counters.late_responses +
                                          b.counters.duplicate_responses);
    sioc_node_free(&b);
}

static void test_responder_aws(void) { responder_b(0); }
static void test_responder_azure(void) { responder_b(1); }
static void test_responder_azure_noprops(void) { responder_b(2); }

/* ---- A's operations publish A's canonical messages, and B's canonical answers complete them ---- */

static sioc_node_opts opts_rooms(const sioc_str *rooms, size_t n) {
    sioc_node_opts o;
    memset(&o, 0, sizeof o);
    o.rooms = rooms;
    o.n_rooms = n;
    return o;
}

static void requester_a(int shape) {
    sioc_node a;
    trand r;
    sioc_node_opts o;
    sioc_str room1 = S("room1"), room3 = S("room3"), zab = S(ZAB), rooms23[2];
    uint32_t req = 0;
    int user_tag = 7;
    tev *e;
    uint64_t now = 5000;
    node_init(&a, &r, script_a, NULL);
    CHECK(strcmp(a.uid, A_UID) == 0);
    CHECK(sioc_node_set_ready(&a, 1, now) == SIOC_OK);
    expect_out_canon(&a, "INITIAL_HEARTBEAT", "publish", A_UID, NULL);
    feed_canon(&a, "HEARTBEAT", "publish", B_UID, NULL, shape, now);
    CHECK_EQ_INT(sioc_node_peer_count(&a, S("/")), 1);
    CHECK_EQ_INT(sioc_node_out_count(&a), 0); /* a HEARTBEAT is not answered */
    drain(&a);

    o = opts_rooms(&room1, 1);
    CHECK(sioc_node_broadcast(&a, S("/"), &o, mp_json("[\"test\",1,\"2\",{\"$bin\":\"0304\"}]"), now) == SIOC_OK);
    expect_out_canon(&a, "BROADCAST", "publish", A_UID, "BROADCAST to room1 with binary");

    memset(&o, 0, sizeof o);
    o.except = &room1;
    o.n_except = 1;
    o.flags.present = SIOC_MSG_FLAG_VOLATILE | SIOC_MSG_FLAG_COMPRESS;
    o.flags.values = SIOC_MSG_FLAG_VOLATILE;
    CHECK(sioc_node_broadcast(&a, S("/"), &o, mp_json("[\"v\",1]"), now) == SIOC_OK);
    expect_out_canon(&a, "BROADCAST", "publish", A_UID, "BROADCAST to all, flags volatile+compress, except room1");

    /* broadcast with ack: B's client count and ack complete it (A has no local socket) */
    CHECK(sioc_node_broadcast_ack(&a, S("/"), NULL, mp_json("[\"ask\",\"q?\"]"), 0, NULL, &req, now) == SIOC_ERR_ARG);
    CHECK(sioc_node_broadcast_ack(&a, S("/"), NULL, mp_json("[\"ask\",\"q?\"]"), 1000, &user_tag, &req, now) == SIOC_OK);
    CHECK(req != 0);
    expect_out_canon(&a, "BROADCAST", "publish", A_UID, "BROADCAST with ack (requestId), flags.timeout");
    feed_canon(&a, "BROADCAST_CLIENT_COUNT", "response", B_UID, NULL, shape, now);
    drain(&a);
    e = tfind(SIOC_NODE_EV_CLIENT_COUNT, 0);
    CHECK(e && e->client_count == 1 && e->request == req && !strcmp(e->uid, B_UID) && e->user == &user_tag);
    CHECK(tfind(SIOC_NODE_EV_REQUEST_DONE, 0) == NULL);
    feed_canon(&a, "BROADCAST_ACK", "response", B_UID, NULL, shape, now);
    drain(&a);
    e = tfind(SIOC_NODE_EV_BROADCAST_ACK, 0);
    {
        sioc_bytes want = mp_json("\"answer1\"");
        CHECK(e && e->packet_len == want.len && !memcmp(e->packet, want.ptr, want.len) && e->request == req);
    }
    e = tfind(SIOC_NODE_EV_REQUEST_DONE, 0);
    CHECK(e && e->request == req && e->result == SIOC_OK && e->missing == 0 &&
          e->kind == SIOC_NODE_REQ_BROADCAST_ACK && e->user == &user_tag);

    rooms23[0] = S("room2");
    rooms23[1] = room3;
    o = opts_rooms(&room1, 1);
    CHECK(sioc_node_sockets_join(&a, S("/"), &o, rooms23, 2, now) == SIOC_OK);
    expect_out_canon(&a, "SOCKETS_JOIN", "publish", A_UID, NULL);
    o = opts_rooms(&zab, 1);
    CHECK(sioc_node_sockets_leave(&a, S("/"), &o, rooms23, 1, now) == SIOC_OK);
    expect_out_canon(&a, "SOCKETS_LEAVE", "publish", A_UID, NULL);

    /* fetchSockets: local part (empty) at once, B's part, then done */
    CHECK(sioc_node_fetch_sockets(&a, S("/"), NULL, NULL, &req, now) == SIOC_OK);
    expect_out_canon(&a, "FETCH_SOCKETS", "publish", A_UID, NULL);
    drain(&a);
    e = tfind(SIOC_NODE_EV_FETCH_SOCKETS, 0);
    CHECK(e && e->n_sockets == 0 && !strcmp(e->uid, A_UID) && e->request == req);
    CHECK(tfind(SIOC_NODE_EV_REQUEST_DONE, 0) == NULL);
    feed_canon(&a, "FETCH_SOCKETS_RESPONSE", "response", B_UID, NULL, shape, now);
    drain(&a);
    e = tfind(SIOC_NODE_EV_FETCH_SOCKETS, 0);
    CHECK(e && e->n_sockets == 1 && !strcmp(e->uid, B_UID));
    if (e) {
        sioc_msg_list l;
        sioc_msg_socket so;
        l.data = e->packet;
        l.len = e->packet_len;
        l.count = e->n_sockets;
        CHECK(sioc_msg_list_next_socket(&l, &so) == 1 && sioc_str_eq(so.id, S(ZAB)) && so.rooms.count == 3);
    }
    e = tfind(SIOC_NODE_EV_REQUEST_DONE, 0);
    CHECK(e && e->result == SIOC_OK && e->kind == SIOC_NODE_REQ_FETCH_SOCKETS);
    /* a late copy of the answer (SQS at-least-once) is ignored */
    feed_canon(&a, "FETCH_SOCKETS_RESPONSE", "response", B_UID, NULL, shape, now);
    CHECK_EQ_INT(a.counters.late_responses, 1);
    CHECK_EQ_INT(drain(&a), 0);

    CHECK(sioc_node_server_side_emit(&a, S("/"), mp_json("[\"hello\",\"world\",1,{\"$bin\":\"05\"}]"), now) == SIOC_OK);
    expect_out_canon(&a, "SERVER_SIDE_EMIT", "publish", A_UID, "SERVER_SIDE_EMIT (no ack)");
    CHECK(sioc_node_server_side_emit_ack(&a, S("/"), mp_json("[\"ping\",7]"), NULL, &req, now) == SIOC_OK);
    expect_out_canon(&a, "SERVER_SIDE_EMIT", "publish", A_UID, "SERVER_SIDE_EMIT (with ack)");
    feed_canon(&a, "SERVER_SIDE_EMIT_RESPONSE", "response", B_UID, NULL, shape, now);
    drain(&a);
    e = tfind(SIOC_NODE_EV_SSE_RESPONSE, 0);
    {
        sioc_bytes want = mp_json("{\"pong\":7}");
        CHECK(e && e->has_packet && e->packet_len == want.len && !memcmp(e->packet, want.ptr, want.len));
    }
    e = tfind(SIOC_NODE_EV_REQUEST_DONE, 0);
    CHECK(e && e->result == SIOC_OK && e->request == req && e->kind == SIOC_NODE_REQ_SERVER_SIDE_EMIT);

    o = opts_rooms(&room3, 1);
    CHECK(sioc_node_disconnect_sockets(&a, S("/"), &o, 1, now) == SIOC_OK);
    expect_out_canon(&a, "DISCONNECT_SOCKETS", "publish", A_UID, NULL);

    CHECK(sioc_node_close(&a, now) == SIOC_OK);
    CHECK(a.state == SIOC_NODE_CLOSING);
    CHECK(sioc_node_broadcast(&a, S("/"), NULL, mp_json("[\"late\"]"), now) == SIOC_ERR_STATE);
    expect_out_canon(&a, "ADAPTER_CLOSE", "publish", A_UID, NULL);
    CHECK(a.state == SIOC_NODE_CLOSED);
    drain(&a);
    CHECK(tfind(SIOC_NODE_EV_CLOSED, 0) != NULL);
    CHECK(sioc_node_next_deadline(&a, now) == UINT64_MAX);
    sioc_node_free(&a);
}

/* One HEARTBEAT from uid in "/". */
static void heartbeat_from(sioc_node *n, const char *uid, uint64_t now) {
    sioc_msg m;
    memset(&m, 0, sizeof m);
    m.type = SIOC_MSG_HEARTBEAT;
    m.uid = sioc_str_c(uid);
    m.nsp = sioc_str_c("/");
    CHECK(sioc_node_receive(n, &m, now) == SIOC_OK);
}

static int peer_known(const sioc_node *n, const char *uid) {
    size_t i;
    for (i = 0; i < sioc_node_peer_count(n, sioc_str_c("/")); i++)
        if (sioc_str_eq(sioc_node_peer_uid(n, sioc_str_c("/"), i), sioc_str_c(uid))) return 1;
    return 0;
}

/* A flood of 300 fake uids (once each) against an 8-place peer table: a confirmed peer (heard twice) is never
   pushed out; a real member that joins during the flood is counted at its first heartbeat after the flood and
   stays (confirmed at its second); the table never grows; the flood is counted. */
static void test_peer_flood(void) {
    sioc_node n;
    trand r;
    sioc_node_desc d;
    sioc_node_event ev;
    uint64_t now = 1000;
    char fake[24];
    int i;
    memset(&d, 0, sizeof d);
    d.max_peers = 8;
    d.heartbeat_interval_ms = 5000;
    d.heartbeat_timeout_ms = 10000;
    node_init(&n, &r, script_b, &d);
    CHECK(sioc_node_set_ready(&n, 1, now) == SIOC_OK);
    heartbeat_from(&n, "confirmedpeer000", now);
    now += 5000;
    sioc_node_tick(&n, now);
    heartbeat_from(&n, "confirmedpeer000", now); /* heard again: confirmed */
    for (i = 0; i < 300; i++) {
        snprintf(fake, sizeof fake, "fake%012d", i);
        heartbeat_from(&n, fake, now + (uint64_t)i);
        if (i == 150) heartbeat_from(&n, "realmember000000", now + (uint64_t)i); /* joins during the flood */
        CHECK(sioc_node_peer_count(&n, sioc_str_c("/")) <= 8);
        CHECK(peer_known(&n, "confirmedpeer000"));
    }
    CHECK(n.counters.peers_evicted >= 290);
    /* its next heartbeat (5 s later, the flood over): counted again, and then confirmed by the one after */
    now += 5000;
    sioc_node_tick(&n, now);
    heartbeat_from(&n, "confirmedpeer000", now);
    heartbeat_from(&n, "realmember000000", now);
    CHECK(peer_known(&n, "realmember000000"));
    now += 5000;
    sioc_node_tick(&n, now);
    heartbeat_from(&n, "confirmedpeer000", now);
    heartbeat_from(&n, "realmember000000", now);
    for (i = 0; i < 300; i++) { /* a second flood cannot push either out now */
        snprintf(fake, sizeof fake, "again%011d", i);
        heartbeat_from(&n, fake, now + (uint64_t)i);
    }
    CHECK(peer_known(&n, "realmember000000") && peer_known(&n, "confirmedpeer000"));
    CHECK(sioc_node_peer_count(&n, sioc_str_c("/")) <= 8);
    while (sioc_node_next_event(&n, &ev) == SIOC_OK) {
    }
    sioc_node_free(&n);
}

static void test_requester_aws(void) { requester_a(0); }
static void test_requester_azure(void) { requester_a(1); }

int main(void) {
    canon_load();
    RUN(test_responder_aws);
    RUN(test_responder_azure);
    RUN(test_responder_azure_noprops);
    RUN(test_requester_aws);
    RUN(test_requester_azure);
    RUN(test_peer_flood);
    return sioc_t_report("test_cluster");
}
