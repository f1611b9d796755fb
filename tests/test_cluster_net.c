/* Several C nodes in one cluster: every published message travels through the real encoders and decoders (AWS
   and Azure shapes) to every node, with a fake clock. Covers every message type in both directions, liveness
   (heartbeats, expiry, ADAPTER_CLOSE), request completion and timeouts (§6), duplicates (Q6, Q12), emitters (§7),
   hostile input, capacity limits and the API's error paths. */
#define SIO_CLUSTER_IMPLEMENTATION
#include "sio_cluster.h"
#include "harness.h"
#include "sio_vec.h"
#include "cluster_util.h"

#define UA "aaaaaaaaaaaaaaaa"
#define UB "bbbbbbbbbbbbbbbb"
#define UC "cccccccccccccccc"

static trand rands[6];
static const char *const scripts[6][2] = {{UA, NULL}, {UB, NULL}, {UC, NULL},
                                          {"dddddddddddddddd", NULL}, {"eeeeeeeeeeeeeeee", NULL}, {"ffffffffffffffff", NULL}};

static void mknode(sioc_node *n, int k, const sioc_node_desc *extra) {
    sioc_node_desc d;
    trand *r = &rands[k];
    memset(r, 0, sizeof *r);
    r->script = scripts[k];
    r->counter = (uint64_t)k << 32; /* distinct request ids per node */
    if (extra)
        d = *extra;
    else
        memset(&d, 0, sizeof d);
    d.random = trand_fn;
    d.user = r;
    if (sioc_node_init(n, &d) != SIOC_OK) {
        fprintf(stderr, "init failed\n");
        exit(2);
    }
}

static sioc_node_socket_desc sdesc(void *user, uint64_t conn) {
    sioc_node_socket_desc sd;
    memset(&sd, 0, sizeof sd);
    sd.user = user;
    sd.conn = conn;
    return sd;
}

static sioc_node_opts to1(const sioc_str *rooms, size_t n) {
    sioc_node_opts o;
    memset(&o, 0, sizeof o);
    o.rooms = rooms;
    o.n_rooms = n;
    return o;
}

static const sioc_bytes no_value = {NULL, 0};

static size_t counters_sum(const sioc_node *n) {
    const sioc_node_counters *c = &n->counters;
    return (size_t)(c->handled + c->ignored_own + c->ignored_nsp + c->ignored_other + c->malformed +
                    c->late_responses + c->duplicate_responses);
}

/* Answer every pending client ack of the drained DELIVER events with "ok-<socket id>". */
static unsigned clients_ack(sioc_node *n, uint64_t now) {
    tev copy[32];
    size_t i, k, m = n_tevs < 32 ? n_tevs : 32;
    unsigned acked = 0;
    memcpy(copy, tevs, m * sizeof copy[0]);
    for (i = 0; i < m; i++) {
        if (copy[i].type != SIOC_NODE_EV_DELIVER || copy[i].ack_id < 0) continue;
        for (k = 0; k < copy[i].n_targets; k++) {
            char text[128];
            int len = snprintf(text, sizeof text, "3%s%s%lld[\"ok-%s\"]", strcmp(copy[i].nsp, "/") ? copy[i].nsp : "",
                               strcmp(copy[i].nsp, "/") ? "," : "", (long long)copy[i].ack_id, copy[i].target[k]);
            CHECK(sioc_node_client_ack_text(n, S(copy[i].target[k]), text, (size_t)len, NULL, 0, now) == SIOC_OK);
            acked++;
        }
    }
    return acked;
}

/* ---- every operation, three nodes ---- */

static void net_operations(int shape) {
    sioc_node a, b, c;
    bus bs;
    sioc_node_opts o;
    sioc_node_socket_desc sd;
    sioc_str r1 = S("r1"), r2 = S("r2"), r3 = S("r3");
    uint32_t req;
    tev *e;
    uint64_t now = 1000;
    int tag_a1 = 1;
    size_t i;
    mknode(&a, 0, NULL);
    mknode(&b, 1, NULL);
    mknode(&c, 2, NULL);
    bus_init(&bs, shape);
    bus_add(&bs, &a);
    bus_add(&bs, &b);
    bus_add(&bs, &c);
    CHECK(sioc_node_set_ready(&a, 1, now) == SIOC_OK);
    CHECK(sioc_node_set_ready(&b, 1, now) == SIOC_OK);
    CHECK(sioc_node_set_ready(&c, 1, now) == SIOC_OK);
    bus_pump(&bs, now);
    /* 3 INITIAL_HEARTBEATs, each answered by the two others */
    CHECK_EQ_INT(bs.carried, 9);
    CHECK_EQ_INT(sioc_node_peer_count(&a, S("/")), 2);
    CHECK_EQ_INT(sioc_node_peer_count(&b, S("/")), 2);
    CHECK_EQ_INT(sioc_node_peer_count(&c, S("/")), 2);
    CHECK_EQ_INT(a.counters.ignored_own, 3); /* its own 1 and 2 echoed by the bus */
    drain(&a);
    CHECK_EQ_INT(tcount(SIOC_NODE_EV_PEER_UP), 2);
    drain(&b);
    drain(&c);

    sd = sdesc(&tag_a1, 1);
    CHECK(sioc_node_socket_add(&a, S("/"), S("a1"), &sd, now) == SIOC_OK);
    CHECK(sioc_node_socket_join(&a, S("/"), S("a1"), r1) == SIOC_OK);
    sd = sdesc(NULL, 7);
    CHECK(sioc_node_socket_add(&b, S("/"), S("b1"), &sd, now) == SIOC_OK);
    CHECK(sioc_node_socket_join(&b, S("/"), S("b1"), r1) == SIOC_OK);
    CHECK(sioc_node_socket_add(&b, S("/admin"), S("b1x"), &sd, now) == SIOC_OK); /* same connection, /admin */
    sd = sdesc(NULL, 0);
    CHECK(sioc_node_socket_add(&b, S("/"), S("b2"), &sd, now) == SIOC_OK);
    CHECK(sioc_node_socket_join(&b, S("/"), S("b2"), r2) == SIOC_OK);
    CHECK(sioc_node_socket_add(&c, S("/"), S("c1"), &sd, now) == SIOC_OK);
    CHECK(sioc_node_socket_join(&c, S("/"), S("c1"), r2) == SIOC_OK);
    /* B's /admin appeared on a ready node: it announced itself there; nobody else has /admin */
    bus_pump(&bs, now);
    CHECK(bus_last(&bs, "1", UB) && !strcmp(bus_last(&bs, "1", UB)->nsp, "/admin"));
    CHECK_EQ_INT(a.counters.ignored_nsp, 1);
    CHECK_EQ_INT(sioc_node_peer_count(&b, S("/admin")), 0);

    /* broadcast to r1 with binary: A's a1 locally, B's b1 remotely, C nobody; the same frames everywhere */
    o = to1(&r1, 1);
    CHECK(sioc_node_broadcast(&a, S("/"), &o, mp_json("[\"ev\",{\"$bin\":\"0102\"},\"x\"]"), now) == SIOC_OK);
    drain(&a);
    e = tfind(SIOC_NODE_EV_DELIVER, 0);
    CHECK(e && e->n_targets == 1 && !strcmp(e->target[0], "a1") && e->target_user[0] == &tag_a1 && e->conn == 1);
    CHECK(e && !strcmp(e->text, "51-[\"ev\",{\"_placeholder\":true,\"num\":0},\"x\"]") && e->n_att == 1);
    bus_pump(&bs, now);
    drain(&b);
    e = tfind(SIOC_NODE_EV_DELIVER, 0);
    CHECK(e && e->n_targets == 1 && !strcmp(e->target[0], "b1") && e->n_att == 1 && e->att_len[0] == 2);
    CHECK(e && !strcmp(e->text, "51-[\"ev\",{\"_placeholder\":true,\"num\":0},\"x\"]"));
    drain(&c);
    CHECK(tfind(SIOC_NODE_EV_DELIVER, 0) == NULL);

    /* except r1: b2 and c1 */
    memset(&o, 0, sizeof o);
    o.except = &r1;
    o.n_except = 1;
    CHECK(sioc_node_broadcast(&a, S("/"), &o, mp_json("[\"ex\"]"), now) == SIOC_OK);
    drain(&a);
    CHECK(tfind(SIOC_NODE_EV_DELIVER, 0) == NULL);
    bus_pump(&bs, now);
    drain(&b);
    e = tfind(SIOC_NODE_EV_DELIVER, 0);
    CHECK(e && e->n_targets == 1 && !strcmp(e->target[0], "b2") && !strcmp(e->text, "2[\"ex\"]"));
    drain(&c);
    CHECK(tfind(SIOC_NODE_EV_DELIVER, 0) && tfind(SIOC_NODE_EV_DELIVER, 0)->n_targets == 1);

    /* broadcast with acks to everybody: counts from B (2) and C (1), 4 acks in all (a1 locally) */
    CHECK(sioc_node_broadcast_ack(&a, S("/"), NULL, mp_json("[\"q\"]"), 1000, &tag_a1, &req, now) == SIOC_OK);
    drain(&a);
    e = tfind(SIOC_NODE_EV_DELIVER, 0);
    CHECK(e && e->ack_id == 0 && !strcmp(e->text, "20[\"q\"]"));
    CHECK_EQ_INT(clients_ack(&a, now), 1);
    drain(&a);
    CHECK(tfind(SIOC_NODE_EV_BROADCAST_ACK, 0) && !strcmp(tfind(SIOC_NODE_EV_BROADCAST_ACK, 0)->uid, UA));
    bus_pump(&bs, now);
    drain(&b);
    e = tfind(SIOC_NODE_EV_DELIVER, 0);
    CHECK(e && e->n_targets == 2 && e->ack_id == 0);
    CHECK_EQ_INT(clients_ack(&b, now), 2);
    drain(&c);
    CHECK_EQ_INT(clients_ack(&c, now), 1);
    bus_pump(&bs, now);
    drain(&a);
    CHECK_EQ_INT(tcount(SIOC_NODE_EV_CLIENT_COUNT), 2);
    CHECK_EQ_INT(tcount(SIOC_NODE_EV_BROADCAST_ACK), 3);
    e = tfind(SIOC_NODE_EV_REQUEST_DONE, 0);
    CHECK(e && e->request == req && e->result == SIOC_OK && e->missing == 0 && e->user == &tag_a1);
    {
        sioc_bytes want = mp_json("\"ok-b2\"");
        int found = 0;
        for (i = 0; i < n_tevs; i++)
            if (tevs[i].type == SIOC_NODE_EV_BROADCAST_ACK && tevs[i].packet_len == want.len &&
                !memcmp(tevs[i].packet, want.ptr, want.len) && !strcmp(tevs[i].uid, UB))
                found = 1;
        CHECK(found);
    }

    /* fetchSockets from B in r2: its own b2, C's c1, A's nothing */
    o = to1(&r2, 1);
    CHECK(sioc_node_fetch_sockets(&b, S("/"), &o, NULL, &req, now) == SIOC_OK);
    bus_pump(&bs, now);
    drain(&b);
    CHECK_EQ_INT(tcount(SIOC_NODE_EV_FETCH_SOCKETS), 3);
    {
        unsigned total = 0;
        for (i = 0; i < n_tevs; i++)
            if (tevs[i].type == SIOC_NODE_EV_FETCH_SOCKETS) total += tevs[i].n_sockets;
        CHECK_EQ_INT(total, 2);
    }
    e = tfind(SIOC_NODE_EV_REQUEST_DONE, 0);
    CHECK(e && e->result == SIOC_OK && e->request == req);

    /* serverSideEmit with ack from C: A and B answer, C completes */
    CHECK(sioc_node_server_side_emit_ack(&c, S("/"), mp_json("[\"sum\",1,2]"), NULL, &req, now) == SIOC_OK);
    bus_pump(&bs, now);
    drain(&a);
    e = tfind(SIOC_NODE_EV_SERVER_SIDE_EMIT, 0);
    CHECK(e && e->ack && !strcmp(e->uid, UC));
    if (e) CHECK(sioc_node_server_side_ack(&a, e->ack, mp_json("3"), now) == SIOC_OK);
    drain(&b);
    e = tfind(SIOC_NODE_EV_SERVER_SIDE_EMIT, 0);
    if (e) CHECK(sioc_node_server_side_ack(&b, e->ack, no_value, now) == SIOC_OK); /* ack() without args */
    bus_pump(&bs, now);
    drain(&c);
    CHECK_EQ_INT(tcount(SIOC_NODE_EV_SSE_RESPONSE), 2);
    {
        tev *r0 = tfind(SIOC_NODE_EV_SSE_RESPONSE, 0), *r1e = tfind(SIOC_NODE_EV_SSE_RESPONSE, 1);
        tev *fromb = r0 && !strcmp(r0->uid, UB) ? r0 : r1e;
        CHECK(fromb && fromb->has_packet && fromb->packet_len == 1 && fromb->packet[0] == 0xc0); /* nil */
    }
    CHECK(tfind(SIOC_NODE_EV_REQUEST_DONE, 0) && tfind(SIOC_NODE_EV_REQUEST_DONE, 0)->result == SIOC_OK);

    /* serverSideEmit without ack: events with no ack handle, nothing comes back */
    CHECK(sioc_node_server_side_emit(&a, S("/"), mp_json("[\"note\"]"), now) == SIOC_OK);
    bus_pump(&bs, now);
    drain(&b);
    CHECK(tfind(SIOC_NODE_EV_SERVER_SIDE_EMIT, 0) && tfind(SIOC_NODE_EV_SERVER_SIDE_EMIT, 0)->ack == 0);
    CHECK_EQ_INT(sioc_node_out_count(&b), 0);
    drain(&c);

    /* socketsJoin from A (r2 -> r3), socketsLeave from B (r3): applied on every node */
    o = to1(&r2, 1);
    CHECK(sioc_node_sockets_join(&a, S("/"), &o, &r3, 1, now) == SIOC_OK);
    bus_pump(&bs, now);
    {
        sioc_str rs[4];
        size_t k;
        CHECK(sioc_node_socket_rooms(&b, S("/"), S("b2"), rs, 4, &k) == SIOC_OK && k == 3 && sioc_str_eq(rs[2], r3));
        CHECK(sioc_node_socket_rooms(&c, S("/"), S("c1"), rs, 4, &k) == SIOC_OK && k == 3 && sioc_str_eq(rs[2], r3));
    }
    o = to1(&r3, 1);
    CHECK(sioc_node_sockets_leave(&b, S("/"), &o, &r3, 1, now) == SIOC_OK);
    bus_pump(&bs, now);
    {
        sioc_str rs[4];
        size_t k;
        CHECK(sioc_node_socket_rooms(&c, S("/"), S("c1"), rs, 4, &k) == SIOC_OK && k == 2);
        CHECK(sioc_node_socket_rooms(&b, S("/"), S("b2"), rs, 4, &k) == SIOC_OK && k == 2);
    }

    /* disconnectSockets(r1, close) from C: A's a1 closes; B's b1 and its /admin twin b1x (same connection) both
       get their DISCONNECT, the last one asks to close the connection (§10.4) */
    drain(&a);
    drain(&b);
    o = to1(&r1, 1);
    CHECK(sioc_node_disconnect_sockets(&c, S("/"), &o, 1, now) == SIOC_OK);
    bus_pump(&bs, now);
    drain(&a);
    e = tfind(SIOC_NODE_EV_DISCONNECT, 0);
    CHECK(e && !strcmp(e->target[0], "a1") && e->close == 1 && !strcmp(e->text, "1") && e->conn == 1);
    CHECK_EQ_INT(sioc_node_socket_count(&a, S("/")), 0);
    drain(&b);
    CHECK_EQ_INT(tcount(SIOC_NODE_EV_DISCONNECT), 2);
    e = tfind(SIOC_NODE_EV_DISCONNECT, 0);
    CHECK(e && !strcmp(e->target[0], "b1") && e->close == 0 && !strcmp(e->text, "1") && !strcmp(e->nsp, "/"));
    e = tfind(SIOC_NODE_EV_DISCONNECT, 1);
    CHECK(e && !strcmp(e->target[0], "b1x") && e->close == 1 && !strcmp(e->text, "1/admin,") &&
          !strcmp(e->nsp, "/admin"));
    CHECK(!sioc_node_socket_exists(&b, S("/admin"), S("b1x")));
    CHECK(sioc_node_socket_exists(&b, S("/"), S("b2")));

    /* nothing malformed, every message accounted for */
    CHECK_EQ_INT(a.counters.malformed + b.counters.malformed + c.counters.malformed, 0);
    CHECK_EQ_INT(counters_sum(&a), a.counters.received);
    CHECK_EQ_INT(counters_sum(&b), b.counters.received);
    CHECK_EQ_INT(counters_sum(&c), c.counters.received);
    sioc_node_free(&a);
    sioc_node_free(&b);
    sioc_node_free(&c);
}

static void test_net_operations_aws(void) { net_operations(0); }
static void test_net_operations_azure(void) { net_operations(1); }
static void test_net_operations_azure_body(void) { net_operations(2); }

/* ---- time: heartbeats, expiry, timeouts ---- */

/* Advance the cluster to `until`, stepping through every node's deadline, carrying messages each step. */
static void run_until(bus *bs, uint64_t *now, uint64_t until) {
    int guard = 0;
    while (*now < until && guard++ < 100000) {
        uint64_t next = until;
        size_t i;
        for (i = 0; i < bs->count; i++) {
            uint64_t d;
            if (bs->down[i]) continue;
            d = sioc_node_next_deadline(bs->nodes[i], *now);
            if (d < next) next = d;
        }
        if (next < *now) next = *now;
        *now = next;
        for (i = 0; i < bs->count; i++)
            if (!bs->down[i]) sioc_node_tick(bs->nodes[i], *now);
        bus_pump(bs, *now);
        if (*now == until) break;
        if (next == *now && guard > 1) { /* nothing due exactly now any more: move on */
        }
    }
}

static unsigned count_type(bus *bs, const char *type, const char *uid, size_t from) {
    unsigned k = 0;
    size_t i;
    for (i = from; i < bs->n_log; i++) {
        vmsg *m = &bs->log[i % BUS_LOG];
        if (!strcmp(m->message, type) && (!uid || !strcmp(m->uid, uid))) k++;
    }
    return k;
}

static void net_liveness(int shape) {
    sioc_node a, b, c;
    bus bs;
    uint64_t now = 50000, t_c_last;
    size_t mark;
    uint32_t req;
    tev *e;
    mknode(&a, 0, NULL);
    mknode(&b, 1, NULL);
    mknode(&c, 2, NULL);
    bus_init(&bs, shape);
    bus_add(&bs, &a);
    bus_add(&bs, &b);
    bus_add(&bs, &c);
    CHECK(sioc_node_set_ready(&a, 1, now) == SIOC_OK);
    CHECK(sioc_node_set_ready(&b, 1, now) == SIOC_OK);
    CHECK(sioc_node_set_ready(&c, 1, now) == SIOC_OK);
    bus_pump(&bs, now);
    CHECK_EQ_INT(sioc_node_next_deadline(&a, now), now + 5000); /* heartbeat (peers expire at +10001) */
    drain(&a);
    drain(&b);
    drain(&c);

    /* a minute of quiet: each node heartbeats every 5 s (12 times), nobody goes down */
    mark = bs.n_log;
    run_until(&bs, &now, 110000);
    CHECK_EQ_INT(count_type(&bs, "2", UA, mark), 12);
    CHECK_EQ_INT(count_type(&bs, "2", UB, mark), 12);
    CHECK_EQ_INT(a.counters.heartbeats, 12 + 2); /* + its 2 answers to INITIAL_HEARTBEATs */
    drain(&a);
    CHECK_EQ_INT(tcount(SIOC_NODE_EV_PEER_DOWN), 0);
    CHECK_EQ_INT(sioc_node_peer_count(&a, S("/")), 2);
    drain(&b);
    drain(&c);

    /* Q1: while A broadcasts every 2 s it sends no HEARTBEAT (any published message resets the timer) */
    mark = bs.n_log;
    {
        int k;
        for (k = 0; k < 10; k++) {
            run_until(&bs, &now, now + 2000);
            CHECK(sioc_node_broadcast(&a, S("/"), NULL, mp_json("[\"tick\"]"), now) == SIOC_OK);
            bus_pump(&bs, now);
        }
    }
    CHECK_EQ_INT(count_type(&bs, "2", UA, mark), 0);
    CHECK(count_type(&bs, "2", UB, mark) >= 3);
    drain(&a);
    drain(&b);
    drain(&c);
    /* but responses do not reset it (they refresh nobody, Q2): B only answers A's fetches for 20 s and still
       heartbeats every 5 s */
    mark = bs.n_log;
    {
        int k;
        uint64_t start = now;
        for (k = 0; k < 10; k++) {
            run_until(&bs, &now, now + 2000);
            CHECK(sioc_node_fetch_sockets(&a, S("/"), NULL, NULL, &req, now) == SIOC_OK);
            bus_pump(&bs, now);
        }
        CHECK_EQ_INT(count_type(&bs, "8", UB, mark), 10);
        CHECK_EQ_INT(count_type(&bs, "2", UB, mark), (now - start) / 5000);
    }
    drain(&a);
    drain(&b);
    drain(&c);

    /* C crashes: silent. Its last message was at t_c_last; A and B drop it strictly after 10 s. */
    {
        vmsg *last = bus_last(&bs, "2", UC);
        CHECK(last != NULL);
    }
    bs.down[2] = 1;
    t_c_last = now; /* C published nothing after now */
    /* A fetches while C is still counted: B answers, C never does -> timeout after 5 s, partial results kept */
    CHECK(sioc_node_fetch_sockets(&a, S("/"), NULL, NULL, &req, now) == SIOC_OK);
    bus_pump(&bs, now);
    drain(&a);
    CHECK(tfind(SIOC_NODE_EV_REQUEST_DONE, 0) == NULL);
    run_until(&bs, &now, now + 4999);
    drain(&a);
    CHECK(tfind(SIOC_NODE_EV_REQUEST_DONE, 0) == NULL);
    run_until(&bs, &now, now + 1);
    drain(&a);
    e = tfind(SIOC_NODE_EV_REQUEST_DONE, 0);
    CHECK(e && e->request == req && e->result == SIOC_ERR_TIMEOUT && e->missing == 1);
    /* expiry: no later than 10 s after C's last message nobody counts it any more */
    run_until(&bs, &now, t_c_last + 10001);
    drain(&a);
    e = tfind(SIOC_NODE_EV_PEER_DOWN, 0);
    CHECK(e && !strcmp(e->uid, UC) && e->result == SIOC_ERR_TIMEOUT);
    CHECK_EQ_INT(sioc_node_peer_count(&a, S("/")), 1);
    CHECK_EQ_INT(a.counters.peers_expired, 1);
    drain(&b);
    CHECK(tfind(SIOC_NODE_EV_PEER_DOWN, 0) != NULL);
    {
        /* the exact rule: a peer seen at t is kept at t + 10000 and gone at t + 10001 */
        sioc_node x;
        vmsg hb;
        mknode(&x, 3, NULL);
        memset(&hb, 0, sizeof hb);
        strcpy(hb.message, "2");
        strcpy(hb.nsp, "/");
        strcpy(hb.uid, "0123456789abcdef");
        CHECK(vmsg_feed(&x, &hb, 0, 1000) == SIOC_OK);
        CHECK_EQ_INT(sioc_node_next_deadline(&x, 1000), 11001);
        sioc_node_tick(&x, 11000);
        CHECK_EQ_INT(sioc_node_peer_count(&x, S("/")), 1);
        sioc_node_tick(&x, 11001);
        CHECK_EQ_INT(sioc_node_peer_count(&x, S("/")), 0);
        sioc_node_free(&x);
    }

    /* C comes back (a restart would announce itself): one message and it is counted again */
    bs.down[2] = 0;
    CHECK(sioc_node_set_ready(&c, 0, now) == SIOC_OK);
    CHECK(sioc_node_set_ready(&c, 1, now) == SIOC_OK);
    drain(&c);
    CHECK(tfind(SIOC_NODE_EV_NOT_READY, 0) && tfind(SIOC_NODE_EV_READY, 0));
    bus_pump(&bs, now);
    CHECK_EQ_INT(sioc_node_peer_count(&a, S("/")), 2);

    /* graceful leave during a request: B fetches, C closes before answering -> B completes at once (§6.4) */
    drain(&b);
    CHECK(sioc_node_close(&c, now) == SIOC_OK);
    CHECK(sioc_node_fetch_sockets(&b, S("/"), NULL, NULL, &req, now) == SIOC_OK);
    bus_pump(&bs, now);
    drain(&b);
    e = tfind(SIOC_NODE_EV_REQUEST_DONE, 0);
    CHECK(e && e->request == req && e->result == SIOC_OK && e->missing == 0);
    CHECK(tfind(SIOC_NODE_EV_PEER_DOWN, 0) && tfind(SIOC_NODE_EV_PEER_DOWN, 0)->result == SIOC_ERR_CLOSED);
    CHECK_EQ_INT(sioc_node_peer_count(&b, S("/")), 1);
    drain(&c);
    CHECK(c.state == SIOC_NODE_CLOSED && tfind(SIOC_NODE_EV_CLOSED, 0) != NULL);
    CHECK(c.counters.ignored_other > 0); /* B's FETCH arrived while C was closing */

    /* an ack broadcast waits for its timeout when a peer vanishes without answering (§6.3, no early end) */
    {
        sioc_node d;
        sioc_node_socket_desc sd = sdesc(NULL, 0);
        mknode(&d, 3, NULL);
        bs.nodes[2] = &d;
        CHECK(sioc_node_socket_add(&d, S("/"), S("d1"), &sd, now) == SIOC_OK);
        CHECK(sioc_node_set_ready(&d, 1, now) == SIOC_OK);
        bus_pump(&bs, now);
        drain(&a);
        drain(&b);
        CHECK(sioc_node_broadcast_ack(&a, S("/"), NULL, mp_json("[\"q\"]"), 1500, NULL, &req, now) == SIOC_OK);
        bs.down[2] = 1; /* D never sees it */
        bus_pump(&bs, now);
        run_until(&bs, &now, now + 1499);
        drain(&a);
        CHECK_EQ_INT(tcount(SIOC_NODE_EV_CLIENT_COUNT), 1);
        CHECK(tfind(SIOC_NODE_EV_REQUEST_DONE, 0) == NULL);
        run_until(&bs, &now, now + 1);
        drain(&a);
        e = tfind(SIOC_NODE_EV_REQUEST_DONE, 0);
        CHECK(e && e->result == SIOC_ERR_TIMEOUT && e->missing == 1); /* D's count */
        sioc_node_free(&d);
    }
    sioc_node_free(&a);
    sioc_node_free(&b);
    sioc_node_free(&c);
}

static void test_net_liveness_aws(void) { net_liveness(0); }
static void test_net_liveness_azure(void) { net_liveness(1); }

/* ---- duplicates (SQS delivers at least once) ---- */

static void test_duplicates(void) {
    sioc_node a, b, c;
    bus bs;
    uint64_t now = 1000;
    uint32_t req;
    vmsg m7, m8b, m8c, m11b, m11c, m12b;
    sioc_node_out o;
    sioc_node_socket_desc sd = sdesc(NULL, 0);
    tev *e;
    mknode(&a, 0, NULL);
    mknode(&b, 1, NULL);
    mknode(&c, 2, NULL);
    bus_init(&bs, 0);
    bus_add(&bs, &a);
    bus_add(&bs, &b);
    bus_add(&bs, &c);
    CHECK(sioc_node_set_ready(&a, 1, now) == SIOC_OK);
    CHECK(sioc_node_set_ready(&b, 1, now) == SIOC_OK);
    CHECK(sioc_node_set_ready(&c, 1, now) == SIOC_OK);
    bus_pump(&bs, now);
    drain(&a);
    CHECK(sioc_node_socket_add(&b, S("/"), S("b1"), &sd, now) == SIOC_OK);

    /* fetch: B's answer twice (Q6: one per peer), then C's, then C's again (late) */
    CHECK(sioc_node_fetch_sockets(&a, S("/"), NULL, NULL, &req, now) == SIOC_OK);
    CHECK(sioc_node_out_peek(&a, 0, &o) == SIOC_OK);
    vmsg_from_out(&o, &m7);
    sioc_node_out_pop(&a, 1);
    CHECK(vmsg_feed(&b, &m7, 0, now) == SIOC_OK);
    CHECK(vmsg_feed(&b, &m7, 0, now) == SIOC_OK); /* B answers a duplicated request twice, as Node would */
    CHECK(vmsg_feed(&c, &m7, 0, now) == SIOC_OK);
    CHECK_EQ_INT(sioc_node_out_count(&b), 2);
    CHECK(sioc_node_out_peek(&b, 0, &o) == SIOC_OK);
    vmsg_from_out(&o, &m8b);
    CHECK(sioc_node_out_peek(&c, 0, &o) == SIOC_OK);
    vmsg_from_out(&o, &m8c);
    sioc_node_out_pop(&b, 2);
    sioc_node_out_pop(&c, 1);
    drain(&a);
    CHECK(vmsg_feed(&a, &m8b, 0, now) == SIOC_OK);
    CHECK(vmsg_feed(&a, &m8b, 0, now) == SIOC_OK);
    drain(&a);
    CHECK_EQ_INT(tcount(SIOC_NODE_EV_FETCH_SOCKETS), 1);
    CHECK_EQ_INT(a.counters.duplicate_responses, 1);
    CHECK(tfind(SIOC_NODE_EV_REQUEST_DONE, 0) == NULL);
    CHECK(vmsg_feed(&a, &m8c, 0, now) == SIOC_OK);
    drain(&a);
    CHECK(tfind(SIOC_NODE_EV_REQUEST_DONE, 0) && tfind(SIOC_NODE_EV_REQUEST_DONE, 0)->result == SIOC_OK);
    CHECK(vmsg_feed(&a, &m8c, 0, now) == SIOC_OK);
    CHECK_EQ_INT(a.counters.late_responses, 1);

    /* ack broadcast: B's count twice counts once (Q12); each of B's acks counts (type 12 cannot be told apart) */
    CHECK(sioc_node_broadcast_ack(&a, S("/"), NULL, mp_json("[\"q\"]"), 1000, NULL, &req, now) == SIOC_OK);
    CHECK(sioc_node_out_peek(&a, 0, &o) == SIOC_OK);
    vmsg_from_out(&o, &m7);
    sioc_node_out_pop(&a, 1);
    CHECK(vmsg_feed(&b, &m7, 0, now) == SIOC_OK);
    CHECK(vmsg_feed(&c, &m7, 0, now) == SIOC_OK);
    drain(&b);
    CHECK(sioc_node_client_ack_text(&b, S("b1"), "30[1]", 5, NULL, 0, now) == SIOC_OK);
    CHECK(sioc_node_out_peek(&b, 0, &o) == SIOC_OK);
    vmsg_from_out(&o, &m11b);
    CHECK(sioc_node_out_peek(&b, 1, &o) == SIOC_OK);
    vmsg_from_out(&o, &m12b);
    CHECK(!strcmp(m11b.message, "11") && !strcmp(m12b.message, "12"));
    CHECK(sioc_node_out_peek(&c, 0, &o) == SIOC_OK);
    vmsg_from_out(&o, &m11c);
    CHECK(!strcmp(m11c.message, "11"));
    drain(&a);
    CHECK(vmsg_feed(&a, &m11b, 0, now) == SIOC_OK);
    CHECK(vmsg_feed(&a, &m11b, 0, now) == SIOC_OK);
    CHECK_EQ_INT(a.counters.duplicate_responses, 2);
    CHECK(vmsg_feed(&a, &m12b, 0, now) == SIOC_OK);
    drain(&a);
    CHECK(tfind(SIOC_NODE_EV_REQUEST_DONE, 0) == NULL); /* C has not counted yet */
    CHECK(vmsg_feed(&a, &m11c, 0, now) == SIOC_OK);    /* C: 0 clients */
    drain(&a);
    e = tfind(SIOC_NODE_EV_REQUEST_DONE, 0);
    CHECK(e && e->result == SIOC_OK);
    sioc_node_free(&a);
    sioc_node_free(&b);
    sioc_node_free(&c);
}

/* ---- emitters (§7) ---- */

static void test_emitter(void) {
    sioc_node a, b, em;
    sioc_node_desc d;
    bus bs;
    uint64_t now = 1000;
    uint32_t req;
    sioc_node_socket_desc sd = sdesc(NULL, 0);
    sioc_str r1 = S("r1");
    sioc_node_opts o;
    mknode(&a, 0, NULL);
    mknode(&b, 1, NULL);
    memset(&d, 0, sizeof d);
    d.emitter_only = 1; /* no random needed */
    CHECK(sioc_node_init(&em, &d) == SIOC_OK);
    CHECK(strcmp(em.uid, "emitter") == 0);
    { /* no receive-side tables: sockets, rooms, peers, requests and acks resolve to 0, events to errors' room */
        sioc_node_desc r = sioc_node_desc_resolved(&d);
        CHECK(r.max_sockets == 0 && r.max_rooms == 0 && r.max_memberships == 0 && r.max_peers == 0 &&
              r.max_requests == 0 && r.max_acks == 0 && r.max_attachments == 0 && r.max_ack_tokens == 0 &&
              r.ack_scratch_size == 0 && r.event_queue_size == SIOC_NODE_EMITTER_EVENTS);
        CHECKF(sioc_node_heap_size(&d) < (size_t)r.out_queue_size + r.event_queue_size + 8192, "%lu",
               (unsigned long)sioc_node_heap_size(&d));
    }
    bus_init(&bs, 0);
    bus_add(&bs, &a);
    bus_add(&bs, &b);
    bus_add(&bs, &em);
    CHECK(sioc_node_set_ready(&a, 1, now) == SIOC_OK);
    CHECK(sioc_node_set_ready(&b, 1, now) == SIOC_OK);
    CHECK(sioc_node_set_ready(&em, 1, now) == SIOC_OK);
    CHECK_EQ_INT(sioc_node_out_count(&em), 0); /* no INITIAL_HEARTBEAT */
    bus_pump(&bs, now);
    CHECK(sioc_node_socket_add(&b, S("/"), S("b1"), &sd, now) == SIOC_OK);
    CHECK(sioc_node_socket_join(&b, S("/"), S("b1"), r1) == SIOC_OK);
    drain(&b);

    o = to1(&r1, 1);
    CHECK(sioc_node_broadcast(&em, S("/"), &o, mp_json("[\"push\",42]"), now) == SIOC_OK);
    CHECK(sioc_node_server_side_emit(&em, S("/"), mp_json("[\"hi\"]"), now) == SIOC_OK);
    CHECK(sioc_node_sockets_join(&em, S("/"), &o, &r1, 1, now) == SIOC_OK);
    CHECK(sioc_node_disconnect_sockets(&em, S("/x"), NULL, 0, now) == SIOC_OK);
    CHECK(sioc_node_broadcast_ack(&em, S("/"), NULL, mp_json("[\"q\"]"), 100, NULL, &req, now) == SIOC_ERR_STATE);
    CHECK(sioc_node_fetch_sockets(&em, S("/"), NULL, NULL, &req, now) == SIOC_ERR_STATE);
    CHECK(sioc_node_server_side_emit_ack(&em, S("/"), mp_json("[\"q\"]"), NULL, &req, now) == SIOC_ERR_STATE);
    CHECK(sioc_node_socket_add(&em, S("/"), S("s"), &sd, now) == SIOC_ERR_STATE);
    bus_pump(&bs, now);
    drain(&b);
    CHECK(tfind(SIOC_NODE_EV_DELIVER, 0) && !strcmp(tfind(SIOC_NODE_EV_DELIVER, 0)->text, "2[\"push\",42]"));
    CHECK(tfind(SIOC_NODE_EV_SERVER_SIDE_EMIT, 0) && !strcmp(tfind(SIOC_NODE_EV_SERVER_SIDE_EMIT, 0)->uid, "emitter"));
    CHECK(tfind(SIOC_NODE_EV_PEER_UP, 0) == NULL); /* the emitter is never a peer */
    CHECK_EQ_INT(sioc_node_peer_count(&b, S("/")), 1);
    CHECK(em.counters.received > 0 && em.counters.received == em.counters.ignored_other);
    /* a minute: the emitter publishes nothing by itself */
    {
        uint64_t t;
        size_t before = bs.n_log;
        for (t = now; t < now + 60000; t += 500) sioc_node_tick(&em, t);
        CHECK_EQ_INT(sioc_node_out_count(&em), 0);
        CHECK_EQ_INT(bs.n_log, before);
    }
    CHECK(sioc_node_close(&em, now) == SIOC_OK);
    CHECK_EQ_INT(sioc_node_out_count(&em), 0); /* no ADAPTER_CLOSE from an emitter */
    CHECK(em.state == SIOC_NODE_CLOSED);
    sioc_node_free(&a);
    sioc_node_free(&b);
    sioc_node_free(&em);
}

/* ---- hostile and odd input ---- */

static uint64_t xs_state = 0x9e3779b97f4a7c15u;
static uint64_t xs(void) {
    xs_state ^= xs_state << 13;
    xs_state ^= xs_state >> 7;
    xs_state ^= xs_state << 17;
    return xs_state;
}

static void test_hostile(void) {
    sioc_node a;
    sioc_msg_envelope env;
    sioc_node_socket_desc sd = sdesc(NULL, 0);
    uint8_t data[512];
    uint64_t now = 1000;
    unsigned i;
    mknode(&a, 0, NULL);
    CHECK(sioc_node_set_ready(&a, 1, now) == SIOC_OK);
    sioc_node_out_pop(&a, 1);
    CHECK(sioc_node_socket_add(&a, S("/"), S("s1"), &sd, now) == SIOC_OK);
    CHECK(sioc_node_socket_join(&a, S("/"), S("s1"), S("room")) == SIOC_OK);
    drain(&a);

    memset(&env, 0, sizeof env);
    CHECK(sioc_node_receive_aws(&a, &env, now) == SIOC_ERR_PROTOCOL); /* no attributes at all */
    env.nsp = S("/");
    env.uid = S("0000000000000001");
    CHECK(sioc_node_receive_aws(&a, &env, now) == SIOC_ERR_PROTOCOL); /* no Body */
    env.body = S("abc");
    CHECK(sioc_node_receive_aws(&a, &env, now) == SIOC_ERR_PARSE);
    env.body = S("3"); /* BROADCAST without data */
    CHECK(sioc_node_receive_aws(&a, &env, now) == SIOC_ERR_PROTOCOL);
    env.data.ptr = (const uint8_t *)"\xc1";
    env.data.len = 1;
    CHECK(sioc_node_receive_aws(&a, &env, now) == SIOC_ERR_PARSE);
    CHECK_EQ_INT(a.counters.malformed, 5);
    CHECK_EQ_INT(sioc_node_peer_count(&a, S("/")), 0); /* undecodable messages refresh nobody */
    drain(&a);
    CHECK_EQ_INT(tcount(SIOC_NODE_EV_ERROR), 5);
    CHECK(tfind(SIOC_NODE_EV_ERROR, 0)->msg_type == 0);

    /* an unknown type: dropped, but its sender is alive (§5 rule 1) */
    env.body = S("99");
    env.data.ptr = NULL;
    env.data.len = 0;
    CHECK(sioc_node_receive_aws(&a, &env, now) == SIOC_ERR_UNSUPPORTED);
    CHECK_EQ_INT(sioc_node_peer_count(&a, S("/")), 1);
    /* a response for another node is never decoded (garbage data, not counted as malformed) */
    env.body = S("8");
    env.requester_uid = S("ffffffffffffffff");
    env.data.ptr = (const uint8_t *)"\xc1\xc1";
    env.data.len = 2;
    CHECK(sioc_node_receive_aws(&a, &env, now) == SIOC_OK);
    CHECK_EQ_INT(a.counters.ignored_other, 1);
    CHECK_EQ_INT(a.counters.malformed, 6);
    /* a non-response type addressed to us is ignored; a response type without requesterUid goes to response
       handling (§6.5): no such request here, so late */
    env.requester_uid = S(UA);
    env.body = S("2");
    env.data.ptr = NULL;
    CHECK(sioc_node_receive_aws(&a, &env, now) == SIOC_OK);
    CHECK_EQ_INT(a.counters.ignored_other, 2);
    {
        vmsg m;
        memset(&m, 0, sizeof m);
        strcpy(m.message, "11");
        strcpy(m.nsp, "/");
        strcpy(m.uid, "0000000000000002");
        m.has_data = 1;
        {
            sioc_bytes cc = mp_json("{\"requestId\":\"1111111111111111\",\"clientCount\":1}");
            m.data_len = cc.len;
            memcpy(m.data, cc.ptr, cc.len);
        }
        CHECK(vmsg_feed(&a, &m, 0, now) == SIOC_OK);
        CHECK_EQ_INT(a.counters.late_responses, 1);
        CHECK_EQ_INT(sioc_node_peer_count(&a, S("/")), 2); /* it refreshed liveness first */
    }
    /* unknown namespace; an Azure body that is not msgpack; properties that disagree with the body */
    env.requester_uid = S("");
    env.nsp = S("/nope");
    env.body = S("2");
    CHECK(sioc_node_receive_aws(&a, &env, now) == SIOC_OK);
    CHECK_EQ_INT(a.counters.ignored_nsp, 1);
    CHECK(sioc_node_receive_azure(&a, "\x93\x01", 2, NULL, now) == SIOC_ERR_PARSE);
    {
        sioc_msg_envelope props;
        static const uint8_t hb[] = {0x83, 0xa4, 't', 'y', 'p', 'e', 0x02, 0xa3, 'u', 'i', 'd', 0xa1, 'x',
                                     0xa3, 'n', 's', 'p', 0xa1, '/'};
        memset(&props, 0, sizeof props);
        props.nsp = S("/");
        props.uid = S("y");
        CHECK(sioc_node_receive_azure(&a, hb, sizeof hb, &props, now) == SIOC_ERR_PROTOCOL);
        props.uid = S("x");
        CHECK(sioc_node_receive_azure(&a, hb, sizeof hb, &props, now) == SIOC_OK);
        props.nsp.ptr = NULL;
        CHECK(sioc_node_receive_azure(&a, hb, sizeof hb, &props, now) == SIOC_ERR_PROTOCOL);
    }
    /* "emitter" never becomes a peer; its broadcast is delivered */
    {
        vmsg m;
        memset(&m, 0, sizeof m);
        strcpy(m.message, "3");
        strcpy(m.nsp, "/");
        strcpy(m.uid, "emitter");
        m.has_data = 1;
        {
            sioc_bytes pd = mp_json("{\"packet\":{\"type\":2,\"data\":[\"e\"],\"nsp\":\"/zzz\"},"
                                    "\"opts\":{\"rooms\":[\"room\"],\"flags\":{},\"except\":[]}}");
            memcpy(m.data, pd.ptr, pd.len);
            m.data_len = pd.len;
        }
        drain(&a);
        CHECK(vmsg_feed(&a, &m, 0, now) == SIOC_OK);
        drain(&a);
        CHECK(tfind(SIOC_NODE_EV_DELIVER, 0) && !strcmp(tfind(SIOC_NODE_EV_DELIVER, 0)->text, "2[\"e\"]"));
        CHECK(tfind(SIOC_NODE_EV_PEER_UP, 0) == NULL);
    }
    /* a packet the frame encoder refuses (more binaries than max_attachments): an error event, and an ack
       broadcast of it is answered with a client count of 0 so the requester is not kept waiting */
    {
        sioc_buf b;
        sioc_msgpack_writer w;
        sioc_msg_opts_desc od;
        sioc_str rid = S("2222222222222222");
        uint8_t pk[1024];
        sioc_bytes pkb;
        vmsg m;
        sioc_node_out o;
        int k;
        sioc_buf_init(&b, pk, sizeof pk);
        sioc_msgpack_writer_init(&w, &b);
        sioc_msgpack_write_array(&w, 70);
        sioc_msgpack_write_cstr(&w, "many");
        for (k = 0; k < 69; k++) sioc_msgpack_write_bin(&w, "x", 1);
        CHECK(sioc_msgpack_writer_finish(&w) == SIOC_OK);
        pkb.ptr = pk;
        pkb.len = b.len;
        memset(&od, 0, sizeof od);
        memset(&m, 0, sizeof m);
        strcpy(m.message, "3");
        strcpy(m.nsp, "/");
        strcpy(m.uid, "0000000000000004");
        m.has_data = 1;
        sioc_buf_init(&b, m.data, sizeof m.data);
        sioc_msgpack_writer_init(&w, &b);
        sioc_msg_write_broadcast(&w, &od, pkb, &rid);
        CHECK(sioc_msgpack_writer_finish(&w) == SIOC_OK);
        m.data_len = b.len;
        drain(&a);
        sioc_node_out_pop(&a, sioc_node_out_count(&a));
        CHECK(vmsg_feed(&a, &m, 0, now) == SIOC_OK);
        drain(&a);
        CHECK(tfind(SIOC_NODE_EV_DELIVER, 0) == NULL);
        CHECK(tfind(SIOC_NODE_EV_ERROR, 0) && tfind(SIOC_NODE_EV_ERROR, 0)->result == SIOC_ERR_LIMIT);
        CHECK(sioc_node_out_peek(&a, 0, &o) == SIOC_OK && o.type == SIOC_MSG_BROADCAST_CLIENT_COUNT);
        CHECK(o.data.len > 0 && o.data.ptr[o.data.len - 1] == 0x00); /* clientCount: 0 */
        sioc_node_out_pop(&a, 1);
    }
    /* random envelopes of every type: nothing crashes and every message is accounted for */
    for (i = 0; i < 20000; i++) {
        size_t len = (size_t)(xs() % sizeof data), k;
        char type[4];
        uint64_t r = xs();
        for (k = 0; k < len; k++) data[k] = (uint8_t)xs();
        if (r & 1) { /* start like a real data map most of the time */
            data[0] = 0x82;
            if (len > 8) memcpy(data + 1, "\xa6packet", 7);
        }
        memset(&env, 0, sizeof env);
        sioc_msg_type_text((int)(r >> 8) % 15, type);
        env.body = S(type);
        env.nsp = (r >> 16) & 7 ? S("/") : S("/x");
        env.uid = (r >> 20) & 3 ? S("0000000000000003") : S(UA);
        if (((r >> 24) & 3) == 0) env.requester_uid = S(UA);
        env.data.ptr = data;
        env.data.len = len;
        (void)sioc_node_receive_aws(&a, &env, now + i);
        (void)sioc_node_receive_azure(&a, data, len, NULL, now + i);
        if ((i & 63) == 0) {
            sioc_node_tick(&a, now + i);
            sioc_node_out_pop(&a, sioc_node_out_count(&a));
            drain(&a);
        }
    }
    CHECK_EQ_INT(counters_sum(&a), a.counters.received);
    CHECK(a.counters.malformed > 1000);
    sioc_node_free(&a);
}

/* ---- capacities, queues and API errors ---- */

static void test_limits_and_errors(void) {
    sioc_node n;
    sioc_node_desc d;
    sioc_node_socket_desc sd = sdesc(NULL, 0);
    uint64_t now = 1000;
    uint32_t req;
    char id[80];
    int k;
    trand r;

    /* init */
    memset(&d, 0, sizeof d);
    CHECK(sioc_node_init(&n, &d) == SIOC_ERR_DEPENDENCY); /* no random */
    memset(&r, 0, sizeof r);
    r.fail = 1;
    d.random = trand_fn;
    d.user = &r;
    CHECK(sioc_node_init(&n, &d) == SIOC_ERR_DEPENDENCY); /* random failed */
    r.fail = 0;
    d.heartbeat_interval_ms = 10000;
    CHECK(sioc_node_init(&n, &d) == SIOC_ERR_ARG); /* interval must be below the timeout */
    d.heartbeat_interval_ms = 0;
    d.max_sockets = 2000000;
    CHECK(sioc_node_init(&n, &d) == SIOC_ERR_ARG);
    CHECK_EQ_INT(sioc_node_heap_size(&d), 0);
    d.max_sockets = 0;
    d.max_peers = 5000;
    CHECK_EQ_INT(sioc_node_heap_size(&d), 0);
    d.max_peers = 0;
    {
        sioc_node_desc rd;
        memset(&d, 0, sizeof d);
        rd = sioc_node_desc_resolved(&d);
        CHECK(rd.heartbeat_interval_ms == 5000 && rd.heartbeat_timeout_ms == 10000 && rd.request_timeout_ms == 5000);
        CHECK(rd.max_sockets == 256 && rd.max_rooms == 576 && rd.max_memberships == 1088);
    }

    /* sockets: ids, duplicates, capacity, and connection order kept across slot compaction */
    memset(&d, 0, sizeof d);
    d.max_sockets = 10;
    d.max_rooms = 24;
    d.max_memberships = 24;
    mknode(&n, 0, &d);
    CHECK(sioc_node_socket_add(&n, S("/"), S(""), &sd, now) == SIOC_ERR_ARG);
    memset(id, 'x', sizeof id);
    CHECK(sioc_node_socket_add(&n, sioc_str_c(""), S("s"), &sd, now) == SIOC_ERR_ARG);
    CHECK(sioc_node_socket_add(&n, S("nsp"), S("s"), &sd, now) == SIOC_ERR_ARG);
    {
        sioc_str big;
        big.ptr = id;
        big.len = SIOC_NODE_NAME_MAX + 1;
        CHECK(sioc_node_socket_add(&n, S("/"), big, &sd, now) == SIOC_ERR_ARG);
    }
    for (k = 0; k < 10; k++) {
        snprintf(id, sizeof id, "s%d", k);
        CHECK(sioc_node_socket_add(&n, S("/"), S(id), &sd, now) == SIOC_OK);
    }
    CHECK(sioc_node_socket_add(&n, S("/"), S("s0"), &sd, now) == SIOC_ERR_ARG);
    CHECK(sioc_node_socket_add(&n, S("/"), S("s10"), &sd, now) == SIOC_ERR_LIMIT);
    CHECK(sioc_node_socket_remove(&n, S("/"), S("s2")) == SIOC_OK);
    CHECK(sioc_node_socket_remove(&n, S("/"), S("s5")) == SIOC_OK);
    CHECK(sioc_node_socket_remove(&n, S("/"), S("s5")) == SIOC_ERR_NOT_FOUND);
    CHECK(sioc_node_socket_add(&n, S("/"), S("s10"), &sd, now) == SIOC_OK); /* compacts */
    CHECK(sioc_node_socket_join(&n, S("/"), S("s10"), S("late")) == SIOC_OK);
    CHECK(sioc_node_socket_join(&n, S("/"), S("s1"), S("late")) == SIOC_OK);
    drain(&n);
    CHECK(sioc_node_broadcast(&n, S("/"), NULL, mp_json("[\"all\"]"), now) == SIOC_OK);
    drain(&n);
    {
        tev *e = tfind(SIOC_NODE_EV_DELIVER, 0);
        const char *want[] = {"s0", "s1", "s3", "s4", "s6", "s7", "s8", "s9"};
        size_t i;
        CHECK(e && e->n_targets == 9);
        for (i = 0; e && i < 8; i++) CHECK(!strcmp(e->target[i], want[i])); /* connection order */
    }
    {
        sioc_str late = S("late");
        sioc_node_opts o = to1(&late, 1);
        CHECK(sioc_node_broadcast(&n, S("/"), &o, mp_json("[\"late\"]"), now) == SIOC_OK);
        drain(&n);
        CHECK(tfind(SIOC_NODE_EV_DELIVER, 0) && tfind(SIOC_NODE_EV_DELIVER, 0)->n_targets == 2 &&
              !strcmp(tfind(SIOC_NODE_EV_DELIVER, 0)->target[0], "s10")); /* join order in the room */
    }
    /* rooms / memberships full: 10 own rooms + "late" = 11 rooms, 12 memberships of 24 */
    for (k = 0; k < 20; k++) {
        sioc_result e;
        snprintf(id, sizeof id, "room%d", k);
        e = sioc_node_socket_join(&n, S("/"), S("s0"), S(id));
        CHECK(e == SIOC_OK || e == SIOC_ERR_LIMIT);
    }
    CHECK(sioc_node_socket_join(&n, S("/"), S("s0"), S("one-more")) == SIOC_ERR_LIMIT);
    CHECK(sioc_node_socket_join(&n, S("/"), S("nobody"), S("r")) == SIOC_ERR_NOT_FOUND);
    CHECK(sioc_node_socket_remove(&n, S("/"), S("s0")) == SIOC_OK); /* frees its rooms */
    CHECK(sioc_node_socket_join(&n, S("/"), S("s1"), S("one-more")) == SIOC_OK);

    /* packets and names */
    CHECK(sioc_node_broadcast(&n, S("/"), NULL, mp_json("[\"connect\"]"), now) == SIOC_ERR_ARG);
    CHECK(sioc_node_broadcast(&n, S("/"), NULL, mp_json("[]"), now) == SIOC_ERR_ARG);
    CHECK(sioc_node_broadcast(&n, S("/"), NULL, mp_json("{\"a\":1}"), now) == SIOC_ERR_ARG);
    {
        sioc_bytes bad;
        bad.ptr = (const uint8_t *)"\x92\xa1";
        bad.len = 2;
        CHECK(sioc_node_broadcast(&n, S("/"), NULL, bad, now) == SIOC_ERR_ARG);
    }
    CHECK(sioc_node_server_side_emit(&n, S("/"), mp_json("[\"connection\"]"), now) == SIOC_ERR_ARG);
    CHECK(sioc_node_server_side_emit(&n, S("/"), mp_json("[\"new_namespace\"]"), now) == SIOC_ERR_ARG);
    {
        sioc_node_opts o;
        memset(&o, 0, sizeof o);
        o.n_rooms = 2; /* rooms NULL */
        CHECK(sioc_node_broadcast(&n, S("/"), &o, mp_json("[\"x\"]"), now) == SIOC_ERR_ARG);
    }
    /* names and strings must be UTF-8 (peers' decoders reject anything else); "__proto__" never travels (Q14) */
    {
        sioc_str bad = S("\xff\xfe"), ok = S("caf\xc3\xa9");
        sioc_node_opts o = to1(&bad, 1);
        CHECK(sioc_node_socket_add(&n, S("/"), bad, &sd, now) == SIOC_ERR_ARG);
        CHECK(sioc_node_socket_add(&n, S("/\xc3"), S("id"), &sd, now) == SIOC_ERR_ARG);
        CHECK(sioc_node_socket_join(&n, S("/"), S("s1"), bad) == SIOC_ERR_ARG);
        CHECK(sioc_node_socket_join(&n, S("/"), S("s1"), ok) == SIOC_OK);
        CHECK(sioc_node_sockets_join(&n, S("/"), NULL, &bad, 1, now) == SIOC_ERR_ARG);
        CHECK(sioc_node_broadcast(&n, S("/"), &o, mp_json("[\"x\"]"), now) == SIOC_ERR_ARG);
        {
            sioc_bytes proto; /* ["x", {"__proto__": 1}] */
            proto.ptr = (const uint8_t *)"\x92\xa1x\x81\xa9__proto__\x01";
            proto.len = 15;
            CHECK(sioc_node_broadcast(&n, S("/"), NULL, proto, now) == SIOC_ERR_ARG);
        }
        CHECK_EQ_INT(sioc_node_out_count(&n), 2); /* only the two valid broadcasts above */
    }
    /* ack ids are shared with the application's own acks (§10.2) */
    CHECK_EQ_INT(sioc_node_next_ack_id(&n, S("/"), now), 0);
    CHECK(sioc_node_broadcast_ack(&n, S("/"), NULL, mp_json("[\"a\"]"), 100, NULL, &req, now) == SIOC_OK);
    drain(&n);
    CHECK(tfind(SIOC_NODE_EV_DELIVER, 0) && tfind(SIOC_NODE_EV_DELIVER, 0)->ack_id == 1);
    CHECK(sioc_node_client_ack_text(&n, S("s1"), "32[]", 4, NULL, 0, now) == SIOC_ERR_NOT_FOUND); /* app's own */
    CHECK(sioc_node_client_ack_text(&n, S("s1"), "21[\"x\"]", 7, NULL, 0, now) == SIOC_ERR_TYPE);
    CHECK(sioc_node_client_ack_text(&n, S("s1"), "3x", 2, NULL, 0, now) == SIOC_ERR_PARSE);
    CHECK(sioc_node_client_ack_text(&n, S("s1"), "31[]", 4, NULL, 0, now) == SIOC_OK); /* ack() without args */
    drain(&n);
    {
        tev *e = tfind(SIOC_NODE_EV_BROADCAST_ACK, 0);
        CHECK(e && e->packet_len == 1 && e->packet[0] == 0xc0);
    }
    sioc_node_free(&n);

    /* requests table */
    memset(&d, 0, sizeof d);
    d.max_requests = 2;
    mknode(&n, 0, &d);
    CHECK(sioc_node_broadcast_ack(&n, S("/"), NULL, mp_json("[\"a\"]"), 100, NULL, &req, now) == SIOC_OK);
    CHECK(sioc_node_broadcast_ack(&n, S("/"), NULL, mp_json("[\"a\"]"), 100, NULL, &req, now) == SIOC_OK);
    /* both completed at once: no peers, no sockets */
    CHECK(sioc_node_broadcast_ack(&n, S("/"), NULL, mp_json("[\"a\"]"), 100, NULL, &req, now) == SIOC_OK);
    CHECK(sioc_node_socket_add(&n, S("/"), S("s"), &sd, now) == SIOC_OK);
    CHECK(sioc_node_broadcast_ack(&n, S("/"), NULL, mp_json("[\"a\"]"), 100, NULL, &req, now) == SIOC_OK);
    CHECK(sioc_node_broadcast_ack(&n, S("/"), NULL, mp_json("[\"a\"]"), 100, NULL, &req, now) == SIOC_OK);
    CHECK(sioc_node_broadcast_ack(&n, S("/"), NULL, mp_json("[\"a\"]"), 100, NULL, &req, now) == SIOC_ERR_LIMIT);
    sioc_node_tick(&n, now + 100);
    drain(&n);
    CHECK_EQ_INT(tcount(SIOC_NODE_EV_REQUEST_DONE), 5);
    CHECK(tfind(SIOC_NODE_EV_REQUEST_DONE, 4) && tfind(SIOC_NODE_EV_REQUEST_DONE, 4)->result == SIOC_ERR_TIMEOUT);
    sioc_node_free(&n);

    /* out queue full, then drained; message size limit */
    memset(&d, 0, sizeof d);
    d.out_queue_size = 256;
    d.max_message_size = 200;
    mknode(&n, 0, &d);
    CHECK(sioc_node_broadcast(&n, S("/"), NULL, mp_json("[\"aaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaa"
                                                       "aaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaa"
                                                       "aaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaa\"]"),
                              now) == SIOC_ERR_TOO_LARGE);
    for (k = 0; k < 10 && sioc_node_broadcast(&n, S("/"), NULL, mp_json("[\"x\"]"), now) == SIOC_OK; k++) {
    }
    CHECK(k >= 2 && k < 10);
    CHECK(sioc_node_broadcast(&n, S("/"), NULL, mp_json("[\"x\"]"), now) == SIOC_ERR_BUFFER_TOO_SMALL);
    CHECK_EQ_INT(sioc_node_out_count(&n), (size_t)k);
    sioc_node_out_pop(&n, 1);
    CHECK(sioc_node_broadcast(&n, S("/"), NULL, mp_json("[\"x\"]"), now) == SIOC_OK); /* compacted */
    {
        sioc_node_out o;
        CHECK(sioc_node_out_peek(&n, (size_t)k, &o) == SIOC_ERR_NOT_FOUND);
        CHECK(sioc_node_out_peek(&n, (size_t)k - 1, &o) == SIOC_OK && o.type == 3);
    }
    sioc_node_free(&n);

    /* event queue full: counted, the node goes on */
    memset(&d, 0, sizeof d);
    d.event_queue_size = 600;
    mknode(&n, 0, &d);
    CHECK(sioc_node_socket_add(&n, S("/"), S("s"), &sd, now) == SIOC_OK);
    for (k = 0; k < 10; k++) CHECK(sioc_node_broadcast(&n, S("/"), NULL, mp_json("[\"x\"]"), now) == SIOC_OK);
    CHECK(n.counters.events_dropped > 0);
    CHECK(drain(&n) >= 1);
    CHECK(sioc_node_broadcast(&n, S("/"), NULL, mp_json("[\"x\"]"), now) == SIOC_OK);
    CHECK_EQ_INT(drain(&n), 1);
    sioc_node_free(&n);

    /* preallocated memory */
    {
        static uint8_t mem[1 << 20];
        memset(&d, 0, sizeof d);
        d.max_sockets = 16;
        d.out_queue_size = d.event_queue_size = 65536;
        d.random = trand_fn;
        d.user = &r;
        memset(&r, 0, sizeof r);
        r.fill = 0x42;
        CHECK(sioc_node_heap_size(&d) < sizeof mem);
        CHECK(sioc_node_init_preallocated(&n, &d, mem) == SIOC_OK);
        CHECK(strcmp(n.uid, "4242424242424242") == 0);
        CHECK(sioc_node_socket_add(&n, S("/"), S("s"), &sd, now) == SIOC_OK);
        sioc_node_free(&n);
    }
}

/* ---- options and modes ---- */

static void test_modes(void) {
    sioc_node a, b;
    sioc_node_desc d;
    bus bs;
    uint64_t now = 1000;
    uint32_t req;
    sioc_node_socket_desc sd = sdesc(NULL, 0);
    sioc_node_opts o;
    tev *e;
    mknode(&a, 0, NULL);
    memset(&d, 0, sizeof d);
    d.auto_ack_server_side_emit = 1;
    mknode(&b, 1, &d);
    bus_init(&bs, 1);
    bus_add(&bs, &a);
    bus_add(&bs, &b);
    /* before ready: nothing announced, operations queue up, requests see no peer */
    CHECK(sioc_node_broadcast(&a, S("/"), NULL, mp_json("[\"early\"]"), now) == SIOC_OK);
    CHECK_EQ_INT(sioc_node_out_count(&a), 1);
    CHECK_EQ_INT(sioc_node_next_deadline(&a, now), UINT64_MAX);
    CHECK(sioc_node_set_ready(&a, 1, now) == SIOC_OK);
    CHECK(sioc_node_set_ready(&a, 1, now) == SIOC_OK); /* no change, no second INITIAL_HEARTBEAT */
    CHECK_EQ_INT(sioc_node_out_count(&a), 2);
    CHECK(sioc_node_set_ready(&b, 1, now) == SIOC_OK);
    bus_pump(&bs, now);
    CHECK(sioc_node_socket_add(&a, S("/"), S("a1"), &sd, now) == SIOC_OK);
    CHECK(sioc_node_socket_add(&b, S("/"), S("b1"), &sd, now) == SIOC_OK);
    drain(&a);
    drain(&b);

    /* auto-ack (Q26): B answers at once with nil */
    CHECK(sioc_node_server_side_emit_ack(&a, S("/"), mp_json("[\"ping\"]"), NULL, &req, now) == SIOC_OK);
    bus_pump(&bs, now);
    drain(&b);
    e = tfind(SIOC_NODE_EV_SERVER_SIDE_EMIT, 0);
    CHECK(e && e->ack == 0);
    drain(&a);
    e = tfind(SIOC_NODE_EV_SSE_RESPONSE, 0);
    CHECK(e && e->has_packet && e->packet_len == 1 && e->packet[0] == 0xc0);
    CHECK(tfind(SIOC_NODE_EV_REQUEST_DONE, 0) && tfind(SIOC_NODE_EV_REQUEST_DONE, 0)->result == SIOC_OK);

    /* .local: applied here, nothing published; fetch and ack broadcast complete with this node alone */
    memset(&o, 0, sizeof o);
    o.local = 1;
    CHECK(sioc_node_broadcast(&a, S("/"), &o, mp_json("[\"loc\"]"), now) == SIOC_OK);
    CHECK(sioc_node_fetch_sockets(&a, S("/"), &o, NULL, &req, now) == SIOC_OK);
    CHECK(sioc_node_broadcast_ack(&a, S("/"), &o, mp_json("[\"q\"]"), 500, NULL, &req, now) == SIOC_OK);
    CHECK_EQ_INT(sioc_node_out_count(&a), 0);
    drain(&a);
    CHECK(tfind(SIOC_NODE_EV_FETCH_SOCKETS, 0) && tfind(SIOC_NODE_EV_FETCH_SOCKETS, 0)->n_sockets == 1);
    CHECK_EQ_INT(tcount(SIOC_NODE_EV_REQUEST_DONE), 1);
    CHECK(sioc_node_client_ack_text(&a, S("a1"), "30[7]", 5, NULL, 0, now) == SIOC_OK);
    drain(&a);
    CHECK(tfind(SIOC_NODE_EV_REQUEST_DONE, 0) && tfind(SIOC_NODE_EV_REQUEST_DONE, 0)->request == req);

    /* Q8: B forgets its registration for A's ack broadcast after flags.timeout; a late client ack is refused */
    CHECK(sioc_node_broadcast_ack(&a, S("/"), NULL, mp_json("[\"q\"]"), 300, NULL, &req, now) == SIOC_OK);
    bus_pump(&bs, now);
    drain(&b);
    e = tfind(SIOC_NODE_EV_DELIVER, 0);
    CHECK(e && e->ack_id == 0);
    CHECK_EQ_INT(sioc_node_next_deadline(&b, now), now + 300);
    sioc_node_tick(&b, now + 300);
    CHECK(sioc_node_client_ack_text(&b, S("b1"), "30[1]", 5, NULL, 0, now + 300) == SIOC_ERR_NOT_FOUND);
    /* one socket with SIOC_NODE_SOCKET_ACKS pending ack broadcasts: one more cannot be tracked (counted 0, so the
       requester is not kept waiting); once the earlier ones expired, their ids are pruned and it works again */
    {
        int k;
        tev *cc;
        vmsg *last;
        now += 1000;
        drain(&a);
        for (k = 0; k < SIOC_NODE_SOCKET_ACKS; k++)
            CHECK(sioc_node_broadcast_ack(&a, S("/"), NULL, mp_json("[\"q\"]"), 300, NULL, &req, now) == SIOC_OK);
        bus_pump(&bs, now);
        CHECK(sioc_node_broadcast_ack(&a, S("/"), NULL, mp_json("[\"q\"]"), 300, NULL, &req, now) == SIOC_OK);
        bus_pump(&bs, now);
        last = bus_last(&bs, "11", UB);
        CHECK(last && last->data[last->data_len - 1] == 0x00); /* clientCount 0 */
        CHECK(b.counters.limits == 1);
        drain(&a);
        cc = tfind(SIOC_NODE_EV_CLIENT_COUNT, SIOC_NODE_SOCKET_ACKS);
        CHECK(cc && cc->client_count == 0);
        sioc_node_tick(&a, now + 300);
        sioc_node_tick(&b, now + 300);
        now += 300;
        drain(&b);
        drain(&a);
        CHECK(sioc_node_broadcast_ack(&a, S("/"), NULL, mp_json("[\"q\"]"), 300, NULL, &req, now) == SIOC_OK);
        drain(&a);
        CHECK_EQ_INT(clients_ack(&a, now), 1); /* A's own a1: its list was pruned too */
        bus_pump(&bs, now);
        last = bus_last(&bs, "11", UB);
        CHECK(last && last->data[last->data_len - 1] == 0x01);
        drain(&b);
        CHECK(tfind(SIOC_NODE_EV_DELIVER, 0) && tfind(SIOC_NODE_EV_DELIVER, 0)->ack_id == 10);
        CHECK_EQ_INT(clients_ack(&b, now), 1);
        bus_pump(&bs, now);
        drain(&a);
        CHECK(tfind(SIOC_NODE_EV_REQUEST_DONE, 0) && tfind(SIOC_NODE_EV_REQUEST_DONE, 0)->result == SIOC_OK);
    }
    CHECK(strcmp(sioc_node_event_name(SIOC_NODE_EV_DELIVER), "DELIVER") == 0);
    CHECK(strcmp(sioc_node_event_name(99), "UNKNOWN") == 0);
    sioc_node_free(&a);
    sioc_node_free(&b);
}

/* ---- memory: one allocation at init, none per message ---- */

static unsigned n_allocs, n_frees;
static size_t alloc_bytes;
static void *count_alloc(size_t n, void *user) {
    (void)user;
    n_allocs++;
    alloc_bytes += n;
    return malloc(n);
}
static void count_free(void *p, size_t n, void *user) {
    (void)user;
    (void)n;
    n_frees++;
    free(p);
}

static void test_no_steady_state_allocation(void) {
    sioc_node a, b;
    sioc_node_desc d;
    bus bs;
    uint64_t now = 1000;
    uint32_t req;
    int k;
    sioc_node_socket_desc sd = sdesc(NULL, 0);
    memset(&d, 0, sizeof d);
    d.allocator.alloc = count_alloc;
    d.allocator.free = count_free;
    mknode(&a, 0, &d);
    mknode(&b, 1, &d);
    CHECK_EQ_INT(n_allocs, 2);
    CHECK_EQ_INT(alloc_bytes, 2 * sioc_node_heap_size(&d));
    bus_init(&bs, 0);
    bus_add(&bs, &a);
    bus_add(&bs, &b);
    CHECK(sioc_node_set_ready(&a, 1, now) == SIOC_OK);
    CHECK(sioc_node_set_ready(&b, 1, now) == SIOC_OK);
    CHECK(sioc_node_socket_add(&b, S("/"), S("b1"), &sd, now) == SIOC_OK);
    CHECK(sioc_node_socket_add(&a, S("/x"), S("a1"), &sd, now) == SIOC_OK);
    for (k = 0; k < 200; k++) {
        CHECK(sioc_node_broadcast(&a, S("/"), NULL, mp_json("[\"m\",{\"$bin\":\"00\"}]"), now) == SIOC_OK);
        CHECK(sioc_node_fetch_sockets(&a, S("/"), NULL, NULL, &req, now) == SIOC_OK);
        CHECK(sioc_node_broadcast_ack(&a, S("/"), NULL, mp_json("[\"q\"]"), 100, NULL, &req, now) == SIOC_OK);
        bus_pump(&bs, now);
        drain(&b);
        clients_ack(&b, now);
        bus_pump(&bs, now);
        drain(&a);
        now += 700;
        sioc_node_tick(&a, now);
        sioc_node_tick(&b, now);
    }
    CHECK_EQ_INT(n_allocs, 2);
    CHECK(a.counters.published > 600 && b.counters.delivered >= 400);
    sioc_node_free(&a);
    sioc_node_free(&b);
    CHECK_EQ_INT(n_frees, 2);
}

int main(void) {
    sioc_node_desc d;
    size_t def, small;
    memset(&d, 0, sizeof d);
    def = sioc_node_heap_size(&d);
    d.max_namespaces = 2;
    d.max_sockets = 16;
    d.max_peers = 8;
    d.max_requests = 4;
    d.max_acks = 8;
    d.max_attachments = 8;
    d.max_ack_tokens = 32;
    d.ack_scratch_size = 1024;
    d.out_queue_size = d.event_queue_size = 8192;
    small = sioc_node_heap_size(&d);
    printf("RAM per node: sizeof(sioc_node) = %lu + heap %lu bytes with the defaults; + %lu bytes with 2 namespaces, "
           "16 sockets, 8 peers and 8 KiB queues\n",
           (unsigned long)sizeof(sioc_node), (unsigned long)def, (unsigned long)small);
    RUN(test_net_operations_aws);
    RUN(test_net_operations_azure);
    RUN(test_net_operations_azure_body);
    RUN(test_net_liveness_aws);
    RUN(test_net_liveness_azure);
    RUN(test_duplicates);
    RUN(test_emitter);
    RUN(test_hostile);
    RUN(test_limits_and_errors);
    RUN(test_modes);
    RUN(test_no_steady_state_allocation);
    return sioc_t_report("test_cluster_net");
}
