/* socket.io-parser frames and Engine.IO framing (docs/PROTOCOL.md §10): parser-vectors.json (encode, jsonCorner,
   decode, engine), the frames Node nodes wrote to their clients in the AWS and Azure captures (engineWrites) and in
   cluster-canonical.json (writeToEngine), re-derived from the captured BROADCAST messages, plus edge cases. */
#define SIO_CLUSTER_IMPLEMENTATION
#include "sio_cluster.h"
#include "harness.h"
#include "sio_vec.h"

static char text_mem[1 << 16];
static int n_encode, n_decode, n_engine_writes, n_corner, n_engine;

/* Compare frames (text + attachments) with a vector list [{text}, {binaryHex}...] or ["text", "<bin hex>"...]. */
static void expect_frames(const sioc_json *d, int list, const sioc_buf *text, const sioc_bytes *att, size_t n_att,
                          const char *label) {
    int f, i = 0;
    for (f = sioc_json_first(d, list); f >= 0; f = sioc_json_next(d, f), i++) {
        if (sioc_json_type_of(d, f) == SIOC_JSON_STRING) { /* canonical writeToEngine notation */
            sioc_str s = tv_sstr(d, f);
            if (i == 0) {
                CHECKF(sioc_str_eq(s, sioc_str_c("")) == 0 && text->len == s.len && !memcmp(text->data, s.ptr, s.len),
                       "%s: text %.*s", label, (int)text->len, (const char *)text->data);
            } else {
                uint8_t bin[256];
                size_t n = 0;
                CHECK(s.len > 6 && !memcmp(s.ptr, "<bin ", 5));
                CHECK(sioc_hex_decode(s.ptr + 5, s.len - 6, bin, sizeof bin, &n) == SIOC_OK);
                CHECKF((size_t)i <= n_att && att[i - 1].len == n && !memcmp(att[i - 1].ptr, bin, n), "%s: bin %d", label, i);
            }
        } else if (i == 0) {
            sioc_str s = tv_sstr(d, sioc_json_find(d, f, "text"));
            CHECKF(text->len == s.len && !memcmp(text->data, s.ptr, s.len), "%s: text %.*s\n   want %s", label,
                   (int)text->len, (const char *)text->data, s.ptr);
        } else {
            size_t n = 0;
            uint8_t *bin = tv_hex(d, sioc_json_find(d, f, "binaryHex"), &n);
            CHECKF((size_t)i <= n_att && att[i - 1].len == n && (n == 0 || !memcmp(att[i - 1].ptr, bin, n)),
                   "%s: attachment %d", label, i - 1);
        }
    }
    CHECKF((size_t)i == n_att + 1, "%s: %lu attachments, want %d", label, (unsigned long)n_att, i - 1);
}

static void test_encode_vectors(void) {
    sioc_json d;
    int v;
    tv_load("vectors/socketio/parser-vectors.json", &d);
    for (v = sioc_json_first(&d, sioc_json_find(&d, 0, "encode")); v >= 0; v = sioc_json_next(&d, v)) {
        const char *name = tv_str(&d, sioc_json_find(&d, v, "name"));
        int pk = sioc_json_find(&d, v, "packet"), idt = sioc_json_find(&d, pk, "id"), dt = sioc_json_find(&d, pk, "data");
        int64_t type = 0, id = -1;
        sioc_bytes data = {NULL, 0}, att[8];
        size_t n_att = 99;
        sioc_buf text;
        sioc_result e;
        (void)sioc_json_get_i64(&d, sioc_json_find(&d, pk, "type"), &type);
        if (idt >= 0) CHECK(sioc_json_get_i64(&d, idt, &id) == SIOC_OK);
        if (dt >= 0) data.ptr = tv_mp(&d, dt, &data.len);
        sioc_buf_init(&text, text_mem, sizeof text_mem);
        e = sioc_sio_encode(&text, (int)type, tv_sstr(&d, sioc_json_find(&d, pk, "nsp")), id, data, att, 8, &n_att);
        CHECKF(e == SIOC_OK, "%s: %d", name, (int)e);
        expect_frames(&d, sioc_json_find(&d, v, "encoded"), &text, att, n_att, name);
        n_encode++;
    }
}

/* JSON.stringify corner cases, as they arrive through msgpack ({u: undefined} cannot cross msgpack: it arrives as
   nil, so the map holds only n; the expected text drops the member the same way). */
static void test_json_corner(void) {
    sioc_json d;
    int c;
    uint8_t mp[256];
    sioc_buf b, text;
    sioc_msgpack_writer w;
    sioc_bytes data;
    size_t n_att = 9;
    static const uint8_t neg0[] = {0xcb, 0x80, 0, 0, 0, 0, 0, 0, 0}, nan[] = {0xcb, 0x7f, 0xf8, 0, 0, 0, 0, 0, 0},
                         two53[] = {0xcb, 0x43, 0x40, 0, 0, 0, 0, 0, 0};
    tv_load("vectors/socketio/parser-vectors.json", &d);
    c = sioc_json_find(&d, 0, "jsonCorner");
    sioc_buf_init(&b, mp, sizeof mp);
    sioc_msgpack_writer_init(&w, &b);
    sioc_msgpack_write_array(&w, 12);
    sioc_msgpack_write_cstr(&w, "j");
    sioc_msgpack_write_nil(&w);
    sioc_msgpack_write_map(&w, 1);
    sioc_msgpack_write_cstr(&w, "n");
    sioc_msgpack_write_nil(&w);
    sioc_msgpack_write_raw(&w, nan, sizeof nan);
    sioc_msgpack_write_raw(&w, neg0, sizeof neg0);
    sioc_msgpack_write_double(&w, 1e21);
    sioc_msgpack_write_double(&w, 1e-7);
    sioc_msgpack_write_double(&w, 0.1);
    sioc_msgpack_write_raw(&w, two53, sizeof two53);
    sioc_msgpack_write_date_ms(&w, 0);
    sioc_msgpack_write_cstr(&w, "\xc3\xa9\xe2\x80\xa8\x01\"\\/\xf0\x9f\x98\x80");
    sioc_msgpack_write_cstr(&w, "\xed\xa0\x80");
    CHECK(sioc_msgpack_writer_finish(&w) == SIOC_OK);
    data.ptr = mp;
    data.len = b.len;
    sioc_buf_init(&text, text_mem, sizeof text_mem);
    CHECK(sioc_sio_encode(&text, SIOC_SIO_EVENT, sioc_str_c("/"), -1, data, NULL, 0, &n_att) == SIOC_OK);
    CHECK(n_att == 0);
    expect_frames(&d, sioc_json_find(&d, c, "encoded"), &text, NULL, 0, "jsonCorner");
    n_corner++;
}

static int norm_type(int t) { return t == SIOC_SIO_BINARY_EVENT ? 2 : t == SIOC_SIO_BINARY_ACK ? 3 : t; }

static void test_decode_vectors(void) {
    sioc_json d;
    int v;
    static sioc_json_tok toks[256];
    tv_load("vectors/socketio/parser-vectors.json", &d);
    for (v = sioc_json_first(&d, sioc_json_find(&d, 0, "decode")); v >= 0; v = sioc_json_next(&d, v)) {
        sioc_str in = tv_sstr(&d, sioc_json_find(&d, v, "input"));
        int dec = sioc_json_find(&d, v, "decoded"), thr = sioc_json_find(&d, v, "throws"), a, k;
        sioc_bytes att[8];
        size_t n_att = 0;
        sioc_sio_packet p;
        sioc_result e;
        for (a = sioc_json_first(&d, sioc_json_find(&d, v, "attachments")); a >= 0 && n_att < 8; a = sioc_json_next(&d, a)) {
            att[n_att].ptr = tv_hex(&d, a, &att[n_att].len);
            n_att++;
        }
        { /* every prefix, placed at the end of its allocation: no over-read, whatever the verdict */
            size_t cut;
            for (cut = 0; cut < in.len; cut++) {
                char *q = (char *)sioc_t_tight(in.ptr, cut);
                (void)sioc_sio_decode(&p, q, cut, toks, SIOC__COUNT(toks), 0);
                free(q);
            }
        }
        e = sioc_sio_decode(&p, in.ptr, in.len, toks, SIOC__COUNT(toks), 10); /* Node's maxAttachments */
        if (thr >= 0) {
            const char *why = tv_str(&d, thr);
            sioc_result want = !strcmp(why, "too many attachments")  ? SIOC_ERR_LIMIT
                               : !strcmp(why, "illegal attachments") ? SIOC_ERR_RANGE
                               : !strcmp(why, "invalid payload")     ? (e == SIOC_ERR_PARSE ? SIOC_ERR_PARSE : SIOC_ERR_PROTOCOL)
                                                                     : SIOC_ERR_PARSE;
            CHECKF(e == want, "decode %s: %d, want %d (%s)", in.ptr, (int)e, (int)want, why);
        } else {
            int64_t t = -1, id = -1;
            CHECKF(e == SIOC_OK, "decode %s: %d", in.ptr, (int)e);
            (void)sioc_json_get_i64(&d, sioc_json_find(&d, dec, "type"), &t);
            if (sioc_json_find(&d, dec, "id") >= 0) (void)sioc_json_get_i64(&d, sioc_json_find(&d, dec, "id"), &id);
            CHECKF(norm_type(p.type) == (int)t, "decode %s: type %d", in.ptr, p.type);
            CHECKF(sioc_str_eq(p.nsp, tv_sstr(&d, sioc_json_find(&d, dec, "nsp"))), "decode %s: nsp", in.ptr);
            CHECKF(p.id == id, "decode %s: id %lld", in.ptr, (long long)p.id);
            CHECK(p.attachments == n_att);
            k = sioc_json_find(&d, dec, "data");
            CHECK(p.has_data == (k >= 0));
            if (k >= 0 && e == SIOC_OK) { /* the payload through JSON -> msgpack, placeholders resolved */
                uint8_t mp[512];
                sioc_buf b;
                sioc_msgpack_writer w;
                size_t want_n;
                uint8_t *want = tv_mp(&d, k, &want_n);
                sioc_buf_init(&b, mp, sizeof mp);
                sioc_msgpack_writer_init(&w, &b);
                CHECK(sioc_sio_json_to_msgpack(&p.json, 0, n_att ? att : NULL, n_att, &w) == SIOC_OK);
                CHECK(sioc_msgpack_writer_finish(&w) == SIOC_OK);
                CHECKF(b.len == want_n && !memcmp(mp, want, want_n), "decode %s: data", in.ptr);
            }
        }
        n_decode++;
    }
}

static void test_engine_vectors(void) {
    sioc_json d;
    int eng;
    sioc_buf b;
    sioc_str s;
    static const char frame[] = "51-[\"test\",1,\"2\",{\"_placeholder\":true,\"num\":0}]";
    tv_load("vectors/socketio/parser-vectors.json", &d);
    eng = sioc_json_find(&d, 0, "engine");
    sioc_buf_init(&b, text_mem, sizeof text_mem);
    sioc_eio_ws_text(&b, "2[\"hello\",\"world\"]", 18);
    s = tv_sstr(&d, sioc_json_find(&d, eng, "wsTextPayload"));
    CHECK_MEM(text_mem, b.len, s.ptr, s.len);
    sioc_buf_init(&b, text_mem, sizeof text_mem);
    sioc_buf_put(&b, "xyz", 3); /* the payload may start anywhere in the buffer */
    sioc_eio_polling_add_text(&b, 3, frame, sizeof frame - 1);
    sioc_eio_polling_add_binary(&b, 3, "\x03\x04", 2);
    s = tv_sstr(&d, sioc_json_find(&d, eng, "pollingPayload"));
    CHECK_MEM(text_mem + 3, b.len - 3, s.ptr, s.len);
    CHECK(sioc_buf_result(&b) == SIOC_OK);
    /* a long binary crosses the 48-byte chunks of the base64 writer */
    {
        uint8_t bin[100];
        char want[200];
        size_t i, n = 0;
        for (i = 0; i < sizeof bin; i++) bin[i] = (uint8_t)(i * 7);
        CHECK(sioc_base64_encode(bin, sizeof bin, want, sizeof want, &n) == SIOC_OK);
        sioc_buf_init(&b, text_mem, sizeof text_mem);
        sioc_eio_polling_add_binary(&b, 0, bin, sizeof bin);
        CHECK(b.len == n + 1 && text_mem[0] == 'b' && !memcmp(text_mem + 1, want, n));
    }
    n_engine += 2;
}

/* Frames Node wrote for a captured BROADCAST (or DISCONNECT_SOCKETS), re-derived from the captured message. The
   ack id is the receiving node's own counter, so it is taken from the expected text. */
static int64_t expected_id(const char *t) {
    size_t i = 1;
    int64_t id = -1;
    if (t[0] == '5' || t[0] == '6') {
        while (t[i] && t[i] != '-') i++;
        i++;
    }
    if (t[i] == '/')
        while (t[i] && t[i] != ',') i++;
    if (t[i] == ',') i++;
    while (sioc__is_digit(t[i])) id = (id < 0 ? 0 : id * 10) + (t[i++] - '0');
    return id;
}

static void derive_frames(const sioc_msg *m, const sioc_json *d, int write, const char *label) {
    int pk = sioc_json_find(d, write, "packets");
    const char *want = tv_str(d, sioc_json_find(d, sioc_json_first(d, pk), "text"));
    sioc_buf text;
    sioc_bytes att[8];
    size_t n_att = 0;
    sioc_result e;
    sioc_bytes none = {NULL, 0};
    sioc_buf_init(&text, text_mem, sizeof text_mem);
    if (m->type == SIOC_MSG_BROADCAST) {
        CHECKF(m->has_request_id == (expected_id(want) >= 0), "%s: ack id", label);
        e = sioc_sio_encode(&text, SIOC_SIO_EVENT, m->nsp, expected_id(want), m->packet_data, att, 8, &n_att);
    } else {
        e = sioc_sio_encode(&text, SIOC_SIO_DISCONNECT, m->nsp, -1, none, NULL, 0, NULL);
    }
    CHECKF(e == SIOC_OK, "%s: encode %d", label, (int)e);
    expect_frames(d, pk, &text, att, n_att, label);
    n_engine_writes++;
}

static void test_capture_frames(const char *file, int azure) {
    sioc_json d;
    int wr, msgs;
    tv_load(file, &d);
    msgs = sioc_json_find(&d, 0, "msgs");
    for (wr = sioc_json_first(&d, sioc_json_find(&d, 0, "engineWrites")); wr >= 0; wr = sioc_json_next(&d, wr)) {
        const char *label = tv_str(&d, sioc_json_find(&d, wr, "label"));
        int mt, found = 0;
        for (mt = sioc_json_first(&d, msgs); mt >= 0 && !found; mt = sioc_json_next(&d, mt)) {
            sioc_msg m;
            sioc_result e;
            if (strcmp(tv_str(&d, sioc_json_find(&d, mt, "label")), label) != 0) continue;
            if (azure) {
                size_t n;
                uint8_t *body = tv_hex(&d, sioc_json_find(&d, mt, "bodyHex"), &n);
                e = sioc_msg_decode_azure(body, n, NULL, &m);
            } else {
                sioc_msg_envelope env;
                memset(&env, 0, sizeof env);
                env.body = tv_sstr(&d, sioc_json_find(&d, mt, "Message"));
                env.nsp = tv_sstr(&d, sioc_json_find(&d, mt, "nsp"));
                env.uid = tv_sstr(&d, sioc_json_find(&d, mt, "uid"));
                if (sioc_json_find(&d, mt, "dataHex") >= 0)
                    env.data.ptr = tv_hex(&d, sioc_json_find(&d, mt, "dataHex"), &env.data.len);
                e = sioc_msg_decode_aws(&env, &m);
            }
            CHECK(e == SIOC_OK);
            if (m.type != SIOC_MSG_BROADCAST && m.type != SIOC_MSG_DISCONNECT_SOCKETS) continue;
            derive_frames(&m, &d, wr, label);
            found = 1;
        }
        /* CONNECT replies at start-up come from no cluster message */
        CHECKF(found || !strcmp(label, "startup"), "%s: no message for this engine write", label);
    }
}

static void test_canonical_frames(void) {
    sioc_json d;
    int v;
    sioc_msg last;
    int have = 0;
    tv_load("vectors/socketio/cluster-canonical.json", &d);
    for (v = sioc_json_first(&d, sioc_json_find(&d, 0, "vectors")); v >= 0; v = sioc_json_next(&d, v)) {
        const char *kind = tv_str(&d, sioc_json_find(&d, v, "kind"));
        int az = sioc_json_find(&d, v, "azure");
        if (!strcmp(kind, "publish")) {
            size_t n;
            uint8_t *body = tv_hex(&d, sioc_json_find(&d, az, "bodyHex"), &n);
            have = sioc_msg_decode_azure(body, n, NULL, &last) == SIOC_OK;
        } else if (!strcmp(kind, "writeToEngine")) {
            CHECK(have && last.type == SIOC_MSG_BROADCAST);
            if (have) {
                sioc_buf text;
                sioc_bytes att[4];
                size_t n_att = 0;
                int pk = sioc_json_find(&d, v, "packets");
                const char *want = tv_str(&d, sioc_json_first(&d, pk));
                sioc_buf_init(&text, text_mem, sizeof text_mem);
                CHECK(sioc_sio_encode(&text, SIOC_SIO_EVENT, last.nsp, expected_id(want), last.packet_data, att, 4,
                                      &n_att) == SIOC_OK);
                expect_frames(&d, pk, &text, att, n_att, "canonical writeToEngine");
                n_engine_writes++;
            }
        }
    }
}

/* ---- edge cases ---- */

static sioc_result enc(const uint8_t *mp, size_t n, const char *nsp, int64_t id, sioc_bytes *att, size_t cap,
                       size_t *n_att) {
    sioc_buf text;
    sioc_bytes data;
    sioc_result e;
    data.ptr = mp;
    data.len = n;
    sioc_buf_init(&text, text_mem, sizeof text_mem - 1);
    e = sioc_sio_encode(&text, SIOC_SIO_EVENT, sioc_str_c(nsp), id, data, att, cap, n_att);
    text_mem[text.len < sizeof text_mem ? text.len : sizeof text_mem - 1] = 0;
    return e;
}

static void test_encode_edges(void) {
    uint8_t mp[512];
    sioc_buf b;
    sioc_msgpack_writer w;
    sioc_bytes att[4];
    size_t n_att = 0, i;
    /* timestamps of every form, before 1970, after 9999, beyond the Date range; ext; big integers; float32; int
       keys; empty containers */
    static const uint8_t ts96_far[] = {0xc7, 0x0c, 0xff, 0, 0, 0, 0, 0x7f, 0xff, 0xff, 0xff, 0xff, 0xff, 0xff, 0xff};
    static const uint8_t f32[] = {0xca, 0x3d, 0xcc, 0xcc, 0xcd};
    static const uint8_t ext5[] = {0xd5, 0x05, 0xab, 0xcd};
    static const char want[] =
        "53-/x,3[\"e\",\"2023-11-14T22:13:20.123Z\",\"1969-12-31T23:59:59.999Z\",\"+010000-01-01T00:00:00.000Z\","
        "\"-000001-12-31T23:59:59.000Z\",null,{\"type\":5,\"data\":{\"_placeholder\":true,\"num\":0}},"
        "18446744073709552000,9007199254740992,-9223372036854776000,0.10000000149011612,{\"7\":[],\"-2\":{}},"
        "{\"_placeholder\":true,\"num\":1},[{\"a\":{\"_placeholder\":true,\"num\":2}}]]";
    sioc_buf_init(&b, mp, sizeof mp);
    sioc_msgpack_writer_init(&w, &b);
    sioc_msgpack_write_array(&w, 14);
    sioc_msgpack_write_cstr(&w, "e");
    sioc_msgpack_write_date_ms(&w, 1700000000123);
    sioc_msgpack_write_date_ms(&w, -1);
    sioc_msgpack_write_date_ms(&w, 253402300800000); /* 10000-01-01 */
    sioc_msgpack_write_timestamp(&w, -62167219201, 0); /* year -1, last second */
    sioc_msgpack_write_raw(&w, ts96_far, sizeof ts96_far);
    sioc_msgpack_write_raw(&w, ext5, sizeof ext5);
    sioc_msgpack_write_uint(&w, UINT64_MAX);
    sioc_msgpack_write_uint(&w, 9007199254740993u); /* 2^53+1: Node reads the double 2^53 */
    sioc_msgpack_write_int(&w, INT64_MIN);
    sioc_msgpack_write_raw(&w, f32, sizeof f32);
    sioc_msgpack_write_map(&w, 2);
    sioc_msgpack_write_uint(&w, 7);
    sioc_msgpack_write_array(&w, 0);
    sioc_msgpack_write_int(&w, -2);
    sioc_msgpack_write_map(&w, 0);
    sioc_msgpack_write_bin(&w, "", 0);
    sioc_msgpack_write_array(&w, 1);
    sioc_msgpack_write_map(&w, 1);
    sioc_msgpack_write_cstr(&w, "a");
    sioc_msgpack_write_bin(&w, "\x09", 1);
    CHECK(sioc_msgpack_writer_finish(&w) == SIOC_OK);
    CHECK_EQ_INT(enc(mp, b.len, "/x", 3, att, 4, &n_att), SIOC_OK);
    CHECKF(!strcmp(text_mem, want), "got  %s\nwant %s", text_mem, want);
    CHECK(n_att == 3 && att[0].len == 2 && att[0].ptr[0] == 0xab && att[1].len == 0 && att[2].len == 1);
    /* too few attachment slots: the count needed, and BUFFER_TOO_SMALL */
    CHECK_EQ_INT(enc(mp, b.len, "/", -1, att, 2, &n_att), SIOC_ERR_BUFFER_TOO_SMALL);
    CHECK(n_att == 3);
    /* text buffer too small: size needed reported */
    {
        sioc_buf t;
        char small[10];
        sioc_bytes data;
        data.ptr = mp;
        data.len = b.len;
        sioc_buf_init(&t, small, sizeof small);
        CHECK_EQ_INT(sioc_sio_encode(&t, SIOC_SIO_EVENT, sioc_str_c("/x"), 3, data, att, 4, &n_att), SIOC_ERR_BUFFER_TOO_SMALL);
        CHECK_EQ_INT(t.len, strlen(want));
    }
    /* malformed input: every truncation, trailing bytes, deep nesting, a bin key */
    for (i = 0; i < b.len; i++) {
        uint8_t *p = (uint8_t *)sioc_t_tight(mp, i);
        CHECKF(enc(p, i, "/", -1, att, 4, &n_att) == SIOC_ERR_PARSE, "cut %lu", (unsigned long)i);
        free(p);
    }
    mp[b.len] = 0xc0;
    CHECK_EQ_INT(enc(mp, b.len + 1, "/", -1, att, 4, &n_att), SIOC_ERR_PARSE);
    for (i = 0; i < 200; i++) mp[i] = 0x91;
    mp[200] = 0x01;
    CHECK_EQ_INT(enc(mp, 201, "/", -1, att, 4, &n_att), SIOC_ERR_LIMIT);
    {
        static const uint8_t binkey[] = {0x92, 0xa1, 'e', 0x81, 0xc4, 0x01, 0x00, 0x01};
        CHECK_EQ_INT(enc(binkey, sizeof binkey, "/", -1, att, 4, &n_att), SIOC_ERR_TYPE);
    }
    /* binary in a CONNECT: refused; DISCONNECT frames; ACK becomes BINARY_ACK */
    {
        static const uint8_t withbin[] = {0x91, 0xc4, 0x01, 0x07};
        sioc_bytes data, none = {NULL, 0};
        sioc_buf t;
        data.ptr = withbin;
        data.len = sizeof withbin;
        sioc_buf_init(&t, text_mem, sizeof text_mem);
        CHECK_EQ_INT(sioc_sio_encode(&t, SIOC_SIO_CONNECT, sioc_str_c("/"), -1, data, att, 4, &n_att), SIOC_ERR_ARG);
        sioc_buf_init(&t, text_mem, sizeof text_mem);
        CHECK_EQ_INT(sioc_sio_encode(&t, SIOC_SIO_ACK, sioc_str_c("/"), 5, data, att, 4, &n_att), SIOC_OK);
        CHECK_MEM(text_mem, t.len, "61-5[{\"_placeholder\":true,\"num\":0}]", 35);
        sioc_buf_init(&t, text_mem, sizeof text_mem);
        CHECK_EQ_INT(sioc_sio_encode(&t, SIOC_SIO_DISCONNECT, sioc_str_c("/admin"), -1, none, NULL, 0, NULL), SIOC_OK);
        CHECK_MEM(text_mem, t.len, "1/admin,", 8);
        sioc_buf_init(&t, text_mem, sizeof text_mem);
        CHECK_EQ_INT(sioc_sio_encode(&t, 7, sioc_str_c("/"), -1, none, NULL, 0, NULL), SIOC_ERR_ARG);
    }
}

static void test_decode_edges(void) {
    sioc_json_tok toks[64];
    sioc_sio_packet p;
    uint8_t out[256];
    sioc_buf b;
    sioc_bytes att[2];
#define DEC(s) sioc_sio_decode(&p, s, sizeof s - 1, toks, 64, 0)
    CHECK_EQ_INT(DEC("2/admin"), SIOC_OK);
    CHECK(p.type == 2 && sioc_str_eq(p.nsp, sioc_str_c("/admin")) && p.id == -1 && !p.has_data);
    CHECK_EQ_INT(DEC("3/admin,17"), SIOC_OK);
    CHECK(p.id == 17 && !p.has_data);
    CHECK_EQ_INT(DEC(""), SIOC_ERR_PARSE);
    CHECK_EQ_INT(DEC("5-[\"a\"]"), SIOC_ERR_PARSE);
    CHECK_EQ_INT(DEC("51[\"a\"]"), SIOC_ERR_PARSE);
    CHECK_EQ_INT(DEC("599999999999-[\"a\"]"), SIOC_ERR_LIMIT);
    /* the default attachment limit is the node's (64), not socket.io-parser's 10 */
    CHECK(SIOC_SIO_MAX_ATTACHMENTS == 64);
    CHECK_EQ_INT(DEC("564-[\"a\"]"), SIOC_OK);
    CHECK_EQ_INT(DEC("565-[\"a\"]"), SIOC_ERR_LIMIT);
    CHECK_EQ_INT(sioc_sio_decode(&p, "511-[\"a\"]", 7, toks, 64, 10), SIOC_ERR_LIMIT);
    CHECK_EQ_INT(DEC("399999999999999999[1]"), SIOC_ERR_PARSE);
    CHECK_EQ_INT(DEC("39007199254740991[1]"), SIOC_OK);
    CHECK_EQ_INT(DEC("1[]"), SIOC_ERR_PROTOCOL);
    CHECK_EQ_INT(DEC("4\"boom\""), SIOC_OK);
    CHECK_EQ_INT(DEC("4[1]"), SIOC_ERR_PROTOCOL);
    CHECK_EQ_INT(DEC("2[\"newListener\"]"), SIOC_ERR_PROTOCOL);
    CHECK_EQ_INT(DEC("2[\"conn\\u0065ct\"]"), SIOC_ERR_PROTOCOL); /* reserved even when escaped */
    CHECK_EQ_INT(DEC("2[7,1]"), SIOC_OK);
    CHECK_EQ_INT(DEC("2[null]"), SIOC_ERR_PROTOCOL);
    CHECK_EQ_INT(DEC("3{}"), SIOC_ERR_PROTOCOL);
    CHECK_EQ_INT(DEC("62-1[{\"_placeholder\":true,\"num\":1.5}]"), SIOC_ERR_RANGE);
    CHECK_EQ_INT(DEC("62-1[{\"_placeholder\":true,\"num\":\"0\"}]"), SIOC_ERR_RANGE);
    CHECK_EQ_INT(DEC("62-1[{\"_placeholder\":false,\"num\":9}]"), SIOC_OK);
    CHECK_EQ_INT(sioc_sio_decode(&p, "2[1,2,3,4,5,6,7,8,9]", 20, toks, 4, 0), SIOC_ERR_BUFFER_TOO_SMALL);
    CHECK_EQ_INT(sioc_sio_decode(&p, "63-1[1]", 7, toks, 64, 2), SIOC_ERR_LIMIT);

    /* ack arguments as msgpack */
    sioc_buf_init(&b, out, sizeof out);
    CHECK_EQ_INT(DEC("35[\"ok\",2]"), SIOC_OK);
    CHECK_EQ_INT(sioc_sio_ack_arg(&p, NULL, 0, &b), SIOC_OK);
    CHECK_MEM(out, b.len, "\xa2ok", 3);
    sioc_buf_init(&b, out, sizeof out);
    CHECK_EQ_INT(DEC("30[]"), SIOC_OK);
    CHECK_EQ_INT(sioc_sio_ack_arg(&p, NULL, 0, &b), SIOC_OK);
    CHECK_MEM(out, b.len, "\xc0", 1);
    sioc_buf_init(&b, out, sizeof out);
    CHECK_EQ_INT(DEC("30"), SIOC_OK);
    CHECK_EQ_INT(sioc_sio_ack_arg(&p, NULL, 0, &b), SIOC_OK);
    CHECK_MEM(out, b.len, "\xc0", 1);
    CHECK_EQ_INT(DEC("2[\"x\"]"), SIOC_OK);
    CHECK_EQ_INT(sioc_sio_ack_arg(&p, NULL, 0, &b), SIOC_ERR_TYPE);
    /* BINARY_ACK: placeholders resolved at any depth, wrong attachment count refused */
    att[0].ptr = (const uint8_t *)"\x01\x02";
    att[0].len = 2;
    att[1].ptr = (const uint8_t *)"";
    att[1].len = 0;
    CHECK_EQ_INT(DEC("62-/admin,9[{\"b\":[{\"_placeholder\":true,\"num\":1}],\"a\":{\"num\":0,\"_placeholder\":true}}]"),
                 SIOC_OK);
    CHECK(p.id == 9 && sioc_str_eq(p.nsp, sioc_str_c("/admin")));
    CHECK_EQ_INT(sioc_sio_ack_arg(&p, att, 1, &b), SIOC_ERR_ARG);
    sioc_buf_init(&b, out, sizeof out);
    CHECK_EQ_INT(sioc_sio_ack_arg(&p, att, 2, &b), SIOC_OK);
    CHECK_MEM(out, b.len, "\x82\xa1" "b\x91\xc4\x00\xa1" "a\xc4\x02\x01\x02", 12);
    /* ACK (not binary): a placeholder-looking object stays an object */
    sioc_buf_init(&b, out, sizeof out);
    CHECK_EQ_INT(DEC("31[{\"_placeholder\":true,\"num\":0}]"), SIOC_OK);
    CHECK_EQ_INT(sioc_sio_ack_arg(&p, NULL, 0, &b), SIOC_OK);
    CHECK(b.len == 20 && out[0] == 0x82 && out[19] == 0x00);
    /* numbers as JS numbers, escapes, __proto__ dropped, lone surrogates */
    sioc_buf_init(&b, out, sizeof out);
    CHECK_EQ_INT(DEC("31[[1.0,1.5,-0,1e400,-33,4294967296,\"a\\nb\\u00e9\\ud800\",{\"__proto__\":1,\"k\":true,\"n\":null}]]"),
                 SIOC_OK);
    CHECK_EQ_INT(sioc_sio_ack_arg(&p, NULL, 0, &b), SIOC_OK);
    {
        static const uint8_t want[] = {0x98, 0x01, 0xcb, 0x3f, 0xf8, 0, 0, 0, 0, 0, 0, 0x00, 0xcb, 0x7f, 0xf0, 0, 0,
                                       0, 0, 0, 0, 0xd0, 0xdf, 0xcf, 0, 0, 0, 1, 0, 0, 0, 0, 0xa8, 'a', '\n', 'b',
                                       0xc3, 0xa9, 0xed, 0xa0, 0x80, 0x82, 0xa1, 'k', 0xc3, 0xa1, 'n', 0xc0};
        CHECK_MEM(out, b.len, want, sizeof want);
        if (b.len != sizeof want || memcmp(out, want, sizeof want)) tv_print_hex("got", out, b.len);
    }
    /* a long string (> 200 UTF-16 units) with a lone surrogate: U+FFFD, as Node's TextEncoder path */
    {
        static char text[400];
        static sioc_json_tok t2[8];
        static uint8_t o2[512];
        size_t n = 0, i;
        memcpy(text, "3[\"", 3);
        n = 3;
        for (i = 0; i < 210; i++) text[n++] = 'x';
        memcpy(text + n, "\\udc00\"]", 8);
        n += 8;
        CHECK_EQ_INT(sioc_sio_decode(&p, text, n, t2, 8, 0), SIOC_OK);
        sioc_buf_init(&b, o2, sizeof o2);
        CHECK_EQ_INT(sioc_sio_ack_arg(&p, NULL, 0, &b), SIOC_OK);
        CHECK(b.len == 2 + 213 && o2[0] == 0xd9 && o2[1] == 213 && !memcmp(o2 + 2 + 210, "\xef\xbf\xbd", 3));
        /* output buffer too small: size needed */
        sioc_buf_init(&b, o2, 10);
        CHECK_EQ_INT(sioc_sio_ack_arg(&p, NULL, 0, &b), SIOC_ERR_BUFFER_TOO_SMALL);
        CHECK_EQ_INT(b.len, 2 + 213);
    }
#undef DEC
}

int main(void) {
    RUN(test_encode_vectors);
    RUN(test_json_corner);
    RUN(test_decode_vectors);
    RUN(test_engine_vectors);
    test_capture_frames("vectors/socketio/cluster-capture-aws.json", 0);
    test_capture_frames("vectors/socketio/cluster-capture-azure.json", 1);
    RUN(test_canonical_frames);
    RUN(test_encode_edges);
    RUN(test_decode_edges);
    printf("parser-vectors: encode %d, jsonCorner %d, decode %d, engine %d; engine writes re-derived from captured "
           "messages: %d\n",
           n_encode, n_corner, n_decode, n_engine, n_engine_writes);
    return sioc_t_report("test_sio");
}
