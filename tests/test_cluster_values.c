/* What the node hands over and takes by value, between two nodes on a bus (real encoders and decoders, both
   transport shapes): the decoded packet of a DELIVER, a client ack answered by value, the handshake written for
   a socket the application gave none, and values of the full depth (SIOC_MAX_MSGPACK_DEPTH) through every
   envelope the library writes around them (cluster messages, fetchSockets answers, acks, frames). */
#define SIO_CLUSTER_IMPLEMENTATION
#include "sio_cluster.h"
#include "harness.h"
#include "sio_vec.h"
#include "cluster_util.h"

static const char *const script_a[] = {"aaaaaaaaaaaaaaaa", NULL};
static const char *const script_b[] = {"bbbbbbbbbbbbbbbb", NULL};
static const sioc_mpjson_opts hex_opts = {SIOC_MPJSON_EXACT_INTEGERS, sioc_mpjson_write_bin_hex,
                                          sioc_mpjson_read_bin_hex, NULL};

/* msgpack of a JSON text ({"$bin": hex} for binaries), in arena memory. */
static sioc_bytes MP(const char *json) {
    sioc_json_tok toks[512];
    sioc_json d;
    sioc_buf b;
    sioc_msgpack_writer w;
    uint8_t *mem = (uint8_t *)tv_alloc(4096);
    if (sioc_json_parse(&d, json, strlen(json), toks, 512) != SIOC_OK) {
        fprintf(stderr, "bad test JSON %s\n", json);
        exit(2);
    }
    sioc_buf_init(&b, mem, 4096);
    sioc_msgpack_writer_init(&w, &b);
    if (sioc_json_to_msgpack(&d, 0, &w, &hex_opts) != SIOC_OK || sioc_msgpack_writer_finish(&w) != SIOC_OK) exit(2);
    return sioc_bytes_n(mem, b.len);
}

/* A msgpack value as JSON text (static buffer). */
static const char *JS(const void *p, size_t n) {
    static char out[4096];
    sioc_buf b;
    sioc_json_writer jw;
    sioc_buf_init(&b, out, sizeof out - 1);
    sioc_json_writer_init(&jw, &b);
    if (sioc_msgpack_to_json(&jw, sioc_bytes_n(p, n), &hex_opts) != SIOC_OK) return "<bad>";
    out[b.len] = 0;
    return out;
}

/* Two ready nodes A and B on a bus of the given shape, each knowing the other. */
static void pair(sioc_node *a, sioc_node *b, trand *ra, trand *rb, bus *bs, int shape) {
    sioc_node_desc d;
    memset(ra, 0, sizeof *ra);
    memset(rb, 0, sizeof *rb);
    ra->script = script_a;
    rb->script = script_b;
    memset(&d, 0, sizeof d);
    d.random = trand_fn;
    d.user = ra;
    if (sioc_node_init(a, &d) != SIOC_OK) exit(2);
    d.user = rb;
    if (sioc_node_init(b, &d) != SIOC_OK) exit(2);
    bus_init(bs, shape);
    bus_add(bs, a);
    bus_add(bs, b);
    CHECK(sioc_node_set_ready(a, 1, 1000) == SIOC_OK && sioc_node_set_ready(b, 1, 1000) == SIOC_OK);
    bus_pump(bs, 1000);
    drain(a);
    drain(b);
    CHECK(sioc_node_peer_count(a, S("/")) == 1 && sioc_node_peer_count(b, S("/")) == 1);
}

static void add_sock(sioc_node *n, const char *id, sioc_bytes handshake, sioc_bytes data, uint64_t issued) {
    sioc_node_socket_desc sd;
    memset(&sd, 0, sizeof sd);
    sd.handshake = handshake;
    sd.data = data;
    sd.issued_ms = issued;
    CHECK(sioc_node_socket_add(n, S("/"), S(id), &sd, 1000) == SIOC_OK);
}

/* ---- DELIVER carries the decoded packet ---- */

static void deliver_packet(int shape) {
    sioc_node a, b;
    trand ra, rb;
    bus bs;
    sioc_node_event ev;
    sioc_bytes pk = MP("[\"ev\",1,{\"$bin\":\"0102\"},{\"x\":{\"$bin\":\"03\"}}]");
    int delivers = 0;
    pair(&a, &b, &ra, &rb, &bs, shape);
    add_sock(&a, "sa", sioc_bytes_n(NULL, 0), sioc_bytes_n(NULL, 0), 0);
    add_sock(&b, "sb", sioc_bytes_n(NULL, 0), sioc_bytes_n(NULL, 0), 0);
    CHECK(sioc_node_broadcast(&a, S("/"), NULL, pk, 1000) == SIOC_OK);
    bus_pump(&bs, 1000);
    while (sioc_node_next_event(&b, &ev) == SIOC_OK) { /* B: from the cluster message */
        size_t i;
        if (ev.type != SIOC_NODE_EV_DELIVER) continue;
        delivers++;
        CHECK(ev.has_packet == 1);
        CHECK_MEM(ev.packet.ptr, ev.packet.len, pk.ptr, pk.len);
        CHECK(sioc_str_eq(ev.text, S("52-[\"ev\",1,{\"_placeholder\":true,\"num\":0},{\"x\":{\"_placeholder\":true,\"num\":1}}]")));
        CHECK_EQ_INT(ev.n_attachments, 2);
        for (i = 0; i < ev.n_attachments; i++) { /* views into the packet, not copies */
            sioc_bytes at = sioc_node_event_attachment(&ev, i);
            CHECK(at.ptr > ev.packet.ptr && at.ptr + at.len <= ev.packet.ptr + ev.packet.len);
            CHECK(at.len == (i == 0 ? 2u : 1u) && at.ptr[0] == (i == 0 ? 1 : 3));
        }
    }
    CHECK_EQ_INT(delivers, 1);
    delivers = 0;
    while (sioc_node_next_event(&a, &ev) == SIOC_OK) /* A: its own local part, from the API call */
        if (ev.type == SIOC_NODE_EV_DELIVER) {
            delivers++;
            CHECK(ev.has_packet == 1 && ev.packet.ptr != pk.ptr);
            CHECK_MEM(ev.packet.ptr, ev.packet.len, pk.ptr, pk.len);
            CHECK(ev.n_attachments == 2 && sioc_node_event_attachment(&ev, 1).ptr[0] == 3);
        }
    CHECK_EQ_INT(delivers, 1);
    /* a DISCONNECT has frames but no packet */
    CHECK(sioc_node_disconnect_sockets(&a, S("/"), NULL, 0, 1000) == SIOC_OK);
    CHECK(sioc_node_next_event(&a, &ev) == SIOC_OK && ev.type == SIOC_NODE_EV_DISCONNECT);
    CHECK(ev.has_packet == 0 && ev.packet.len == 0 && sioc_str_eq(ev.text, S("1")));
    {   /* a small event queue: the packet must fit with the frames, else the event is dropped and counted */
        sioc_node c;
        sioc_node_desc d;
        trand rc;
        uint8_t big[600];
        memset(&rc, 0, sizeof rc);
        memset(&d, 0, sizeof d);
        d.random = trand_fn;
        d.user = &rc;
        d.event_queue_size = 1024;
        CHECK(sioc_node_init(&c, &d) == SIOC_OK);
        add_sock(&c, "sc", sioc_bytes_n(NULL, 0), sioc_bytes_n(NULL, 0), 0);
        memcpy(big, "\x92\xa2" "ev\xc5\x02\x50", 7); /* ["ev", bin(592)]: frames small, packet large */
        memset(big + 7, 0x55, 593);
        CHECK(sioc_node_broadcast(&c, S("/"), NULL, sioc_bytes_n(big, 599), 1000) == SIOC_OK);
        CHECK(sioc_node_next_event(&c, &ev) == SIOC_OK && ev.type == SIOC_NODE_EV_DELIVER);
        CHECK(ev.packet.len == 599 && ev.n_attachments == 1 && sioc_node_event_attachment(&ev, 0).len == 592);
        CHECK(sioc_node_event_attachment(&ev, 0).ptr == ev.packet.ptr + 7);
        /* the same size as a string: frames as large as the packet, both do not fit: dropped and counted */
        memcpy(big + 4, "\xda\x02\x50", 3);
        CHECK(sioc_node_broadcast(&c, S("/"), NULL, sioc_bytes_n(big, 599), 1000) == SIOC_OK);
        CHECK(sioc_node_next_event(&c, &ev) == SIOC_AGAIN && c.counters.events_dropped == 1);
        sioc_node_free(&c);
    }
    sioc_node_free(&a);
    sioc_node_free(&b);
}
static void test_deliver_packet_aws(void) { deliver_packet(0); }
static void test_deliver_packet_azure(void) { deliver_packet(1); }

/* ---- a client ack answered by value ---- */

static void ack_by_value(int shape) {
    sioc_node a, b;
    trand ra, rb;
    bus bs;
    uint32_t req = 0;
    tev *e;
    int64_t id_b, id_a;
    sioc_bytes v = MP("{\"ok\":true,\"n\":[1,{\"$bin\":\"ff\"}]}");
    pair(&a, &b, &ra, &rb, &bs, shape);
    add_sock(&a, "sa", sioc_bytes_n(NULL, 0), sioc_bytes_n(NULL, 0), 0);
    add_sock(&b, "sb", sioc_bytes_n(NULL, 0), sioc_bytes_n(NULL, 0), 0);
    add_sock(&b, "sb2", sioc_bytes_n(NULL, 0), sioc_bytes_n(NULL, 0), 0);
    CHECK(sioc_node_broadcast_ack(&a, S("/"), NULL, MP("[\"q\"]"), 5000, NULL, &req, 1000) == SIOC_OK);
    drain(&a);
    e = tfind(SIOC_NODE_EV_DELIVER, 0);
    id_a = e ? e->ack_id : -1;
    bus_pump(&bs, 1000);
    drain(&b);
    e = tfind(SIOC_NODE_EV_DELIVER, 0);
    id_b = e ? e->ack_id : -1;
    CHECK(id_a >= 0 && id_b >= 0 && e && e->n_targets == 2);
    /* refusals first: nothing is consumed */
    CHECK_EQ_INT(sioc_node_client_ack_value(&b, S("/"), S("sb"), id_b + 1, v, 1000), SIOC_ERR_NOT_FOUND);
    CHECK_EQ_INT(sioc_node_client_ack_value(&b, S("/other"), S("sb"), id_b, v, 1000), SIOC_ERR_NOT_FOUND);
    CHECK_EQ_INT(sioc_node_client_ack_value(&b, S("/"), S("nobody"), id_b, v, 1000), SIOC_ERR_NOT_FOUND);
    CHECK_EQ_INT(sioc_node_client_ack_value(&b, S("/"), S("sb"), -1, v, 1000), SIOC_ERR_NOT_FOUND);
    CHECK_EQ_INT(sioc_node_client_ack_value(&b, S("/"), S("sb"), id_b, sioc_bytes_n("\xc1", 1), 1000), SIOC_ERR_ARG);
    CHECK_EQ_INT(sioc_node_client_ack_value(&b, S("/"), S("sb"), id_b, sioc_bytes_n("\x92\xc0", 2), 1000), SIOC_ERR_ARG);
    /* B's two sockets answer: one by value, one with no argument (nil); a second answer is refused */
    CHECK_EQ_INT(sioc_node_client_ack_value(&b, S("/"), S("sb"), id_b, v, 1000), SIOC_OK);
    CHECK_EQ_INT(sioc_node_client_ack_value(&b, S("/"), S("sb"), id_b, v, 1000), SIOC_ERR_NOT_FOUND);
    CHECK_EQ_INT(sioc_node_client_ack_value(&b, S("/"), S("sb2"), id_b, sioc_bytes_n(NULL, 0), 1000), SIOC_OK);
    /* A's own socket answers A's own ack broadcast by value: a BROADCAST_ACK event at once */
    CHECK_EQ_INT(sioc_node_client_ack_value(&a, S("/"), S("sa"), id_a, MP("\"local\""), 1000), SIOC_OK);
    drain(&a);
    e = tfind(SIOC_NODE_EV_BROADCAST_ACK, 0);
    CHECK(e && !strcmp(JS(e->packet, e->packet_len), "\"local\"") && !strcmp(e->uid, a.uid));
    bus_pump(&bs, 1000);
    drain(&a);
    CHECK_EQ_INT(tcount(SIOC_NODE_EV_BROADCAST_ACK), 2);
    e = tfind(SIOC_NODE_EV_BROADCAST_ACK, 0);
    CHECK(e && !strcmp(JS(e->packet, e->packet_len), "{\"ok\":true,\"n\":[1,{\"$bin\":\"ff\"}]}"));
    e = tfind(SIOC_NODE_EV_BROADCAST_ACK, 1);
    CHECK(e && e->packet_len == 1 && e->packet[0] == 0xc0);
    e = tfind(SIOC_NODE_EV_REQUEST_DONE, 0);
    CHECK(e && e->request == req && e->result == SIOC_OK && e->missing == 0);
    CHECK(a.counters.malformed == 0 && b.counters.malformed == 0);
    /* the same answer through the text frame gives the same bytes (11 binaries: above socket.io-parser's 10) */
    CHECK(sioc_node_broadcast_ack(&a, S("/"), NULL, MP("[\"q\"]"), 5000, NULL, &req, 1000) == SIOC_OK);
    bus_pump(&bs, 1000);
    drain(&b);
    e = tfind(SIOC_NODE_EV_DELIVER, 0);
    id_b = e ? e->ack_id : -1;
    {
        char frame[512];
        sioc_bytes att[11];
        uint8_t bytes[11];
        int k;
        size_t len = (size_t)snprintf(frame, sizeof frame, "611-%lld[[", (long long)id_b);
        for (k = 0; k < 11; k++) {
            bytes[k] = (uint8_t)k;
            att[k] = sioc_bytes_n(bytes + k, 1);
            len += (size_t)snprintf(frame + len, sizeof frame - len, "%s{\"_placeholder\":true,\"num\":%d}",
                                    k ? "," : "", k);
        }
        len += (size_t)snprintf(frame + len, sizeof frame - len, "]]");
        CHECK_EQ_INT(sioc_node_client_ack_text(&b, S("sb"), frame, len, att, 11, 1000), SIOC_OK);
    }
    CHECK_EQ_INT(sioc_node_client_ack_value(&b, S("/"), S("sb2"),
                                            id_b, MP("[{\"$bin\":\"00\"},{\"$bin\":\"01\"},{\"$bin\":\"02\"},"
                                                     "{\"$bin\":\"03\"},{\"$bin\":\"04\"},{\"$bin\":\"05\"},"
                                                     "{\"$bin\":\"06\"},{\"$bin\":\"07\"},{\"$bin\":\"08\"},"
                                                     "{\"$bin\":\"09\"},{\"$bin\":\"0a\"}]"),
                                            1000),
                 SIOC_OK);
    bus_pump(&bs, 1000);
    drain(&a);
    CHECK_EQ_INT(tcount(SIOC_NODE_EV_BROADCAST_ACK), 2);
    {
        tev *x = tfind(SIOC_NODE_EV_BROADCAST_ACK, 0), *y = tfind(SIOC_NODE_EV_BROADCAST_ACK, 1);
        CHECK(x && y && x->packet_len > 11 * 3);
        if (x && y) CHECK_MEM(x->packet, x->packet_len, y->packet, y->packet_len);
    }
    sioc_node_free(&a);
    sioc_node_free(&b);
}
static void test_ack_by_value_aws(void) { ack_by_value(0); }
static void test_ack_by_value_azure(void) { ack_by_value(1); }

/* ---- the default handshake ---- */

static void test_date_string(void) {
    static const struct {
        uint64_t ms;
        const char *text; /* new Date(ms).toString() under TZ=UTC, from Node 20 */
    } v[] = {
        {0, "Thu Jan 01 1970 00:00:00 GMT+0000 (Coordinated Universal Time)"},
        {1795415802291u, "Mon Nov 23 2026 06:36:42 GMT+0000 (Coordinated Universal Time)"},
        {951782400000u, "Tue Feb 29 2000 00:00:00 GMT+0000 (Coordinated Universal Time)"},
        {253402300800000u, "Sat Jan 01 10000 00:00:00 GMT+0000 (Coordinated Universal Time)"},
        {8640000000000000u, "Sat Sep 13 275760 00:00:00 GMT+0000 (Coordinated Universal Time)"},
        {8640000000000001u, "Invalid Date"},
        {UINT64_MAX, "Invalid Date"},
    };
    size_t i;
    for (i = 0; i < SIOC__COUNT(v); i++) {
        char out[80];
        size_t n = sioc__node_date_string(v[i].ms, out);
        CHECKF(n == strlen(v[i].text) && memcmp(out, v[i].text, n) == 0, "%s", v[i].text);
    }
}

static void default_handshake(int shape) {
    sioc_node a, b;
    trand ra, rb;
    bus bs;
    uint32_t req = 0;
    size_t i, found = 0;
    pair(&a, &b, &ra, &rb, &bs, shape);
    add_sock(&b, "plain", sioc_bytes_n(NULL, 0), sioc_bytes_n(NULL, 0), 1795415802291u);
    add_sock(&b, "given", MP("{\"auth\":{\"t\":1}}"), MP("{\"d\":2}"), 0);
    CHECK(sioc_node_fetch_sockets(&a, S("/"), NULL, NULL, &req, 1000) == SIOC_OK);
    bus_pump(&bs, 1000);
    drain(&a);
    for (i = 0; i < n_tevs; i++) {
        sioc_msg_list l;
        sioc_msg_socket s;
        if (tevs[i].type != SIOC_NODE_EV_FETCH_SOCKETS || strcmp(tevs[i].uid, b.uid)) continue;
        l.data = tevs[i].packet;
        l.len = tevs[i].packet_len;
        l.count = tevs[i].n_sockets;
        while (sioc_msg_list_next_socket(&l, &s)) {
            found++;
            if (sioc_str_eq(s.id, S("plain"))) {
                CHECK(!strcmp(JS(s.handshake.ptr, s.handshake.len),
                              "{\"headers\":{},\"time\":\"Mon Nov 23 2026 06:36:42 GMT+0000 (Coordinated Universal "
                              "Time)\",\"address\":\"\",\"xdomain\":false,\"secure\":false,\"issued\":1795415802291,"
                              "\"url\":\"/\",\"query\":{},\"auth\":{}}"));
                CHECK(s.handshake.ptr[0] == 0x89); /* nine keys; issued as uint64 cf, as Node writes it */
                CHECK(!strcmp(JS(s.data.ptr, s.data.len), "{}"));
            } else {
                CHECK(!strcmp(JS(s.handshake.ptr, s.handshake.len), "{\"auth\":{\"t\":1}}"));
                CHECK(!strcmp(JS(s.data.ptr, s.data.len), "{\"d\":2}"));
            }
        }
    }
    CHECK_EQ_INT(found, 2);
    CHECK(tfind(SIOC_NODE_EV_REQUEST_DONE, 0) && tfind(SIOC_NODE_EV_REQUEST_DONE, 0)->result == SIOC_OK);
    CHECK(a.counters.malformed == 0);
    sioc_node_free(&a);
    sioc_node_free(&b);
}
static void test_default_handshake_aws(void) { default_handshake(0); }
static void test_default_handshake_azure(void) { default_handshake(1); }

/* ---- values of the full depth through every envelope ---- */

/* prefix, then n nested one-element arrays, then the leaf (hex of msgpack bytes): [[...[leaf]...]]. */
static sioc_bytes deep(const char *prefix_hex, size_t n, const char *leaf_hex) {
    uint8_t *m = (uint8_t *)tv_alloc(n + 64);
    size_t len = 0, k;
    CHECK(sioc_hex_decode(prefix_hex, strlen(prefix_hex), m, 32, &len) == SIOC_OK);
    for (k = 0; k < n; k++) m[len++] = 0x91;
    CHECK(sioc_hex_decode(leaf_hex, strlen(leaf_hex), m + len, 32, &k) == SIOC_OK);
    return sioc_bytes_n(m, len + k);
}

static void full_depth(int shape) {
    sioc_node a, b;
    trand ra, rb;
    bus bs;
    uint32_t req = 0;
    tev *e;
    size_t i;
    /* the packet ["ev", [[...]]] is SIOC_MAX_MSGPACK_DEPTH deep, its innermost level holding a bin */
    const size_t D = SIOC_MAX_MSGPACK_DEPTH;
    sioc_bytes pk = deep("92a26576", D - 1, "c40107");
    sioc_bytes pk_over = deep("92a26576", D, "c0");
    sioc_bytes val = deep("", D, "c0"); /* [[...[nil]...]] */
    sioc_bytes val_over = deep("", D + 1, "c0");
    sioc_bytes map_val = deep("81a161", D - 1, "c0"); /* {"a": [[...]]} */
    char frame[512];
    size_t flen = 0;
    int64_t id_b = -1;
    uint32_t ack = 0;
    pair(&a, &b, &ra, &rb, &bs, shape);
    CHECK(sioc_msgpack_check(pk.ptr, pk.len) == SIOC_OK && sioc_msgpack_check(val.ptr, val.len) == SIOC_OK);
    CHECK(sioc_msgpack_check(map_val.ptr, map_val.len) == SIOC_OK);
    CHECK(sioc_msgpack_check(pk_over.ptr, pk_over.len) == SIOC_ERR_LIMIT);
    /* what the node does not accept, it refuses at the API */
    CHECK_EQ_INT(sioc_node_broadcast(&a, S("/"), NULL, pk_over, 1000), SIOC_ERR_ARG);
    {
        sioc_node_socket_desc sd;
        memset(&sd, 0, sizeof sd);
        sd.handshake = val_over;
        CHECK_EQ_INT(sioc_node_socket_add(&b, S("/"), S("x"), &sd, 1000), SIOC_ERR_ARG);
    }
    add_sock(&a, "sa", sioc_bytes_n(NULL, 0), sioc_bytes_n(NULL, 0), 0);
    add_sock(&b, "sb", val, map_val, 0);

    /* broadcast: cluster message {type, data: {packet: {type, data: P}, opts}} -> B's frames and packet */
    CHECK_EQ_INT(sioc_node_broadcast(&a, S("/"), NULL, pk, 1000), SIOC_OK);
    bus_pump(&bs, 1000);
    drain(&b);
    e = tfind(SIOC_NODE_EV_DELIVER, 0);
    CHECK(e != NULL);
    if (e) {
        sioc_json_tok toks[8];
        sioc_json d;
        CHECK_MEM(e->packet, e->packet_len, pk.ptr, pk.len);
        CHECK(e->n_att == 1 && e->att_len[0] == 1 && e->att[0][0] == 7);
        /* 51-["ev",[[...{"_placeholder":true,"num":0}...]]]: the JSON is one level deeper than the packet */
        flen = (size_t)snprintf(frame, sizeof frame, "51-[\"ev\",");
        for (i = 0; i < D - 1; i++) frame[flen++] = '[';
        flen += (size_t)snprintf(frame + flen, sizeof frame - flen, "{\"_placeholder\":true,\"num\":0}");
        for (i = 0; i < D; i++) frame[flen++] = ']';
        CHECK(e->text_len == flen && memcmp(e->text, frame, flen) == 0);
        CHECK(sioc_json_parse(&d, e->text + 3, e->text_len - 3, toks, 8) == SIOC_ERR_LIMIT); /* deeper than we read */
    }
    /* broadcast with ack, answered by value with a value of the full depth: type 12 {requestId, packet: V} */
    CHECK_EQ_INT(sioc_node_broadcast_ack(&a, S("/"), NULL, MP("[\"q\"]"), 5000, NULL, &req, 1000), SIOC_OK);
    bus_pump(&bs, 1000);
    drain(&b);
    e = tfind(SIOC_NODE_EV_DELIVER, 0);
    if (e) id_b = e->ack_id;
    CHECK_EQ_INT(sioc_node_client_ack_value(&b, S("/"), S("sb"), id_b, val_over, 1000), SIOC_ERR_ARG);
    CHECK_EQ_INT(sioc_node_client_ack_value(&b, S("/"), S("sb"), id_b, val, 1000), SIOC_OK);
    bus_pump(&bs, 1000);
    drain(&a);
    e = tfind(SIOC_NODE_EV_BROADCAST_ACK, 0);
    CHECK(e != NULL);
    if (e) CHECK_MEM(e->packet, e->packet_len, val.ptr, val.len);
    /* serverSideEmit with ack both ways: {requestId, packet: P} and the answer {requestId, packet: [V]} */
    CHECK_EQ_INT(sioc_node_server_side_emit_ack(&a, S("/"), pk, NULL, &req, 1000), SIOC_OK);
    bus_pump(&bs, 1000);
    drain(&b);
    e = tfind(SIOC_NODE_EV_SERVER_SIDE_EMIT, 0);
    CHECK(e != NULL);
    if (e) {
        CHECK_MEM(e->packet, e->packet_len, pk.ptr, pk.len);
        ack = e->ack;
    }
    CHECK_EQ_INT(sioc_node_server_side_ack(&b, ack, val_over, 1000), SIOC_ERR_ARG);
    CHECK_EQ_INT(sioc_node_server_side_ack(&b, ack, val, 1000), SIOC_OK);
    bus_pump(&bs, 1000);
    drain(&a);
    e = tfind(SIOC_NODE_EV_SSE_RESPONSE, 0);
    CHECK(e != NULL && e->has_packet);
    if (e) CHECK_MEM(e->packet, e->packet_len, val.ptr, val.len);
    /* fetchSockets: {requestId, sockets: [{id, handshake: V, rooms, data: V}]} */
    CHECK_EQ_INT(sioc_node_fetch_sockets(&a, S("/"), NULL, NULL, &req, 1000), SIOC_OK);
    bus_pump(&bs, 1000);
    drain(&a);
    for (i = 0; i < n_tevs; i++) {
        sioc_msg_list l;
        sioc_msg_socket s;
        if (tevs[i].type != SIOC_NODE_EV_FETCH_SOCKETS || strcmp(tevs[i].uid, b.uid)) continue;
        l.data = tevs[i].packet;
        l.len = tevs[i].packet_len;
        l.count = tevs[i].n_sockets;
        CHECK(sioc_msg_list_next_socket(&l, &s) == 1);
        CHECK_MEM(s.handshake.ptr, s.handshake.len, val.ptr, val.len);
        CHECK_MEM(s.data.ptr, s.data.len, map_val.ptr, map_val.len);
    }
    e = tfind(SIOC_NODE_EV_REQUEST_DONE, 0);
    CHECK(e && e->result == SIOC_OK);
    /* nothing was dropped or refused on the way */
    CHECK(a.counters.malformed == 0 && b.counters.malformed == 0);
    CHECK(a.counters.publish_failed == 0 && b.counters.publish_failed == 0);
    /* every message the bus carried decodes as a whole message, and the deepest is a full value + envelope */
    {
        size_t k, deepest = 0;
        for (k = 0; k < bs.n_log && k < BUS_LOG; k++) {
            vmsg *m = &bs.log[k];
            size_t dpt;
            CHECK(sioc_msgpack_check_depth(m->body, m->body_len, SIOC_MSGPACK_WRITE_DEPTH) == SIOC_OK);
            for (dpt = 1; dpt <= SIOC_MSGPACK_WRITE_DEPTH; dpt++)
                if (sioc_msgpack_check_depth(m->body, m->body_len, (unsigned)dpt) == SIOC_OK) break;
            if (dpt > deepest) deepest = dpt;
        }
        CHECK_EQ_INT(deepest, SIOC_MSGPACK_WRITE_DEPTH); /* the fetchSockets answer in its Azure body */
    }
    sioc_node_free(&a);
    sioc_node_free(&b);
}
static void test_full_depth_aws(void) { full_depth(0); }
static void test_full_depth_azure(void) { full_depth(1); }

int main(void) {
    RUN(test_deliver_packet_aws);
    RUN(test_deliver_packet_azure);
    RUN(test_ack_by_value_aws);
    RUN(test_ack_by_value_azure);
    RUN(test_date_string);
    RUN(test_default_handshake_aws);
    RUN(test_default_handshake_azure);
    RUN(test_full_depth_aws);
    RUN(test_full_depth_azure);
    return sioc_t_report("test_cluster_values");
}
