/* A build without floating point in the codecs (SIOC_ENABLE_FLOAT 0, the manual's CONFIGURATION), offline: the
   msgpack -> JSON converter writes integers, strings, maps and keys exactly as always and refuses with
   SIOC_ERR_UNSUPPORTED what JS would print through a double (float32, float64, a Date, an integer beyond 2^53
   unless exact integers were asked for); JSON -> msgpack takes safe integer literals and refuses the rest; the
   node delivers an integer packet to its local socket as the exact socket.io frame, and for a packet with a float
   gives an ERROR event (SIOC_ERR_UNSUPPORTED) instead of a DELIVER. */
#define SIOC_ENABLE_FLOAT 0
#define SIO_CLUSTER_IMPLEMENTATION
#include "sio_cluster.h"
#include "tests/harness.h"

static sioc_result t_to_json(const uint8_t *mp, size_t n, unsigned flags, char *out, size_t cap) {
    sioc_buf b;
    sioc_json_writer jw;
    sioc_mpjson_opts o;
    sioc_result r;
    memset(&o, 0, sizeof o);
    o.flags = flags;
    sioc_buf_init(&b, out, cap - 1);
    sioc_json_writer_init(&jw, &b);
    r = sioc_msgpack_to_json(&jw, sioc_bytes_n(mp, n), &o);
    out[b.len < cap ? b.len : cap - 1] = 0;
    return r;
}

static void test_to_json(void) {
    /* [1, -5, "a", {7: true}, 9007199254740992, nil] */
    static const uint8_t ok[] = {0x96, 0x01, 0xfb, 0xa1, 'a', 0x81, 0x07, 0xc3,
                                 0xcf, 0x00, 0x20, 0, 0, 0, 0, 0, 0, 0xc0};
    static const uint8_t f32[] = {0x92, 0x01, 0xca, 0x3f, 0xc0, 0x00, 0x00};
    static const uint8_t f64[] = {0xcb, 0x3f, 0xf8, 0, 0, 0, 0, 0, 0};
    static const uint8_t ts[] = {0xd6, 0xff, 0x00, 0x00, 0x00, 0x01};       /* timestamp 32: 1 s */
    static const uint8_t big[] = {0xcf, 0x00, 0x20, 0, 0, 0, 0, 0, 0x01};   /* 2^53 + 1 */
    static const uint8_t nbig[] = {0xd3, 0xff, 0xdf, 0xff, 0xff, 0xff, 0xff, 0xff, 0xff}; /* -(2^53) - 1 */
    static const uint8_t bigkey[] = {0x81, 0xcf, 0x00, 0x20, 0, 0, 0, 0, 0, 0x01, 0xc0};
    char out[128];
    CHECK_EQ_INT(t_to_json(ok, sizeof ok, 0, out, sizeof out), SIOC_OK);
    CHECKF(!strcmp(out, "[1,-5,\"a\",{\"7\":true},9007199254740992,null]"), "%s", out);
    CHECK_EQ_INT(t_to_json(f32, sizeof f32, 0, out, sizeof out), SIOC_ERR_UNSUPPORTED);
    CHECK_EQ_INT(t_to_json(f64, sizeof f64, 0, out, sizeof out), SIOC_ERR_UNSUPPORTED);
    CHECK_EQ_INT(t_to_json(ts, sizeof ts, 0, out, sizeof out), SIOC_ERR_UNSUPPORTED);
    CHECK_EQ_INT(t_to_json(big, sizeof big, 0, out, sizeof out), SIOC_ERR_UNSUPPORTED);
    CHECK_EQ_INT(t_to_json(nbig, sizeof nbig, 0, out, sizeof out), SIOC_ERR_UNSUPPORTED);
    CHECK_EQ_INT(t_to_json(bigkey, sizeof bigkey, 0, out, sizeof out), SIOC_ERR_UNSUPPORTED);
    /* exact integers need no double */
    CHECK_EQ_INT(t_to_json(big, sizeof big, SIOC_MPJSON_EXACT_INTEGERS, out, sizeof out), SIOC_OK);
    CHECKF(!strcmp(out, "9007199254740993"), "%s", out);
    CHECK_EQ_INT(t_to_json(bigkey, sizeof bigkey, SIOC_MPJSON_EXACT_INTEGERS, out, sizeof out), SIOC_OK);
    CHECKF(!strcmp(out, "{\"9007199254740993\":null}"), "%s", out);
}

static sioc_result t_to_mp(const char *json, uint8_t *out, size_t cap, size_t *len) {
    sioc_json doc;
    sioc_json_tok toks[16];
    sioc_buf b;
    sioc_msgpack_writer w;
    sioc_result r = sioc_json_parse(&doc, json, strlen(json), toks, 16);
    if (r != SIOC_OK) return r;
    sioc_buf_init(&b, out, cap);
    sioc_msgpack_writer_init(&w, &b);
    r = sioc_json_to_msgpack(&doc, 0, &w, NULL);
    *len = b.len;
    return r != SIOC_OK ? r : sioc_msgpack_writer_finish(&w);
}

static void test_to_msgpack(void) {
    static const uint8_t want[] = {0x93, 0x01, 0xfe, 0xcf, 0x00, 0x1f, 0xff, 0xff, 0xff, 0xff, 0xff, 0xff};
    uint8_t out[64];
    size_t n = 0;
    CHECK_EQ_INT(t_to_mp("[1,-2,9007199254740991]", out, sizeof out, &n), SIOC_OK);
    CHECK(n == sizeof want && !memcmp(out, want, n));
    CHECK_EQ_INT(t_to_mp("[1.5]", out, sizeof out, &n), SIOC_ERR_UNSUPPORTED);
    CHECK_EQ_INT(t_to_mp("1e3", out, sizeof out, &n), SIOC_ERR_UNSUPPORTED);
    CHECK_EQ_INT(t_to_mp("9007199254740992", out, sizeof out, &n), SIOC_ERR_UNSUPPORTED);
}

static sioc_result t_rand(void *user, void *buf, size_t len) {
    (void)user;
    memset(buf, 0x3c, len);
    return SIOC_OK;
}

/* A broadcast to the node's own socket: an integer packet is delivered; one with a float is refused, in an
   ERROR event. */
static void test_node_delivery(void) {
    sioc_node n;
    sioc_node_desc d;
    sioc_node_socket_desc sd;
    sioc_node_event ev;
    sioc_node_opts o;
    static const uint8_t ints[] = {0x92, 0xa2, 'e', 'v', 0x02};                   /* ["ev", 2] */
    static const uint8_t flt[] = {0x92, 0xa2, 'e', 'v', 0xca, 0x3f, 0xc0, 0, 0}; /* ["ev", 1.5] */
    int delivered = 0, errors = 0;
    memset(&d, 0, sizeof d);
    d.random = t_rand;
    CHECK_EQ_INT(sioc_node_init(&n, &d), SIOC_OK);
    memset(&sd, 0, sizeof sd);
    CHECK_EQ_INT(sioc_node_socket_add(&n, sioc_str_c("/"), sioc_str_c("s1"), &sd, 1), SIOC_OK);
    memset(&o, 0, sizeof o);
    while (sioc_node_next_event(&n, &ev) == SIOC_OK) {
    }
    CHECK_EQ_INT(sioc_node_broadcast(&n, sioc_str_c("/"), &o, sioc_bytes_n(ints, sizeof ints), 1), SIOC_OK);
    CHECK_EQ_INT(sioc_node_broadcast(&n, sioc_str_c("/"), &o, sioc_bytes_n(flt, sizeof flt), 1), SIOC_OK);
    while (sioc_node_next_event(&n, &ev) == SIOC_OK) {
        if (ev.type == SIOC_NODE_EV_DELIVER) {
            delivered++;
            CHECKF(sioc_str_eq(ev.text, sioc_str_c("2[\"ev\",2]")), "%.*s", (int)ev.text.len, ev.text.ptr);
        } else if (ev.type == SIOC_NODE_EV_ERROR) {
            errors++;
            CHECK_EQ_INT(ev.result, SIOC_ERR_UNSUPPORTED);
        }
    }
    CHECK_EQ_INT(delivered, 1);
    CHECK_EQ_INT(errors, 1);
    sioc_node_free(&n);
}

/* Service Bus's TimeToLive (seconds, with a fraction) is kept as whole seconds. */
static void test_azure_ttl(void) {
    static const char *const in[] = {"922337203685.47754", "1.5", "0.25", "2E+3", "12.5e1", "5e-1", "7", "-3.9",
                                     "1e20"};
    static const double want[] = {922337203685.0, 1.0, 0.0, 2000.0, 125.0, 0.0, 7.0, -3.0, 0};
    size_t i;
    for (i = 0; i < sizeof in / sizeof in[0]; i++) {
        char json[96], scratch[256];
        sioc_buf sb;
        sioc_azure_broker_props bp;
        sioc_result r;
        snprintf(json, sizeof json, "{\"DeliveryCount\":1,\"TimeToLive\":%s}", in[i]);
        sioc_buf_init(&sb, scratch, sizeof scratch);
        memset(&bp, 0, sizeof bp);
        r = sioc_azure_parse_broker_props(json, strlen(json), &sb, &bp);
        if (i + 1 == sizeof in / sizeof in[0]) {
            CHECK_EQ_INT(r, SIOC_ERR_RANGE);
            continue;
        }
        CHECKF(r == SIOC_OK && bp.time_to_live_s == want[i], "%s: %d %f", in[i], (int)r, bp.time_to_live_s);
    }
}

int main(void) {
    RUN(test_azure_ttl);
    RUN(test_to_json);
    RUN(test_to_msgpack);
    RUN(test_node_delivery);
    return sioc_t_report("test_build_nofloat");
}
