/* msgpack <-> JSON (src/mpjson.h): hand-made vectors whose expected text is what Node prints
   (JSON.stringify of the @msgpack/msgpack decoding) and whose expected bytes are what Node encodes after
   JSON.parse; big numbers both ways, escapes, binaries through the callbacks, nesting limits, buffer sizing. */
#define SIO_CLUSTER_IMPLEMENTATION
#include "sio_cluster.h"
#include "harness.h"

static const sioc_mpjson_opts hex_opts = {0, sioc_mpjson_write_bin_hex, sioc_mpjson_read_bin_hex, NULL};
static const sioc_mpjson_opts exact_opts = {SIOC_MPJSON_EXACT_INTEGERS, sioc_mpjson_write_bin_hex,
                                            sioc_mpjson_read_bin_hex, NULL};

/* msgpack given as hex -> JSON text (NULL want: expect the error `err`). */
static void to_json(const char *hex, const sioc_mpjson_opts *o, sioc_result err, const char *want) {
    uint8_t mp[512];
    char out[1024];
    size_t n = 0;
    sioc_buf b;
    sioc_json_writer jw;
    sioc_result e;
    if (sioc_hex_decode(hex, strlen(hex), mp, sizeof mp, &n) != SIOC_OK) {
        CHECKF(0, "bad test hex %s", hex);
        return;
    }
    sioc_buf_init(&b, out, sizeof out - 1);
    sioc_json_writer_init(&jw, &b);
    e = sioc_msgpack_to_json(&jw, sioc_bytes_n(mp, n), o);
    CHECKF(e == err, "%s: result %d, want %d", hex, (int)e, (int)err);
    if (want && e == SIOC_OK) {
        out[b.len] = 0;
        CHECKF(strcmp(out, want) == 0, "%s: got %s want %s", hex, out, want);
    }
}

/* JSON text -> msgpack, compared as hex (NULL want: expect the error `err`). */
static void to_mp(const char *json, const sioc_mpjson_opts *o, sioc_result err, const char *want) {
    sioc_json_tok toks[256];
    sioc_json d;
    uint8_t mp[512];
    char hex[1100];
    sioc_buf b;
    sioc_msgpack_writer w;
    sioc_result e;
    if (sioc_json_parse(&d, json, strlen(json), toks, 256) != SIOC_OK) {
        CHECKF(0, "bad test JSON %s", json);
        return;
    }
    sioc_buf_init(&b, mp, sizeof mp);
    sioc_msgpack_writer_init(&w, &b);
    e = sioc_json_to_msgpack(&d, 0, &w, o);
    if (e == SIOC_OK) e = sioc_msgpack_writer_finish(&w);
    CHECKF(e == err, "%s: result %d, want %d", json, (int)e, (int)err);
    if (want && e == SIOC_OK) {
        CHECK(sioc_hex_encode(mp, b.len, hex, sizeof hex) == SIOC_OK);
        CHECKF(strcmp(hex, want) == 0, "%s: got %s want %s", json, hex, want);
    }
}

static void test_scalars(void) {
    to_json("c0", NULL, SIOC_OK, "null");
    to_json("c3", NULL, SIOC_OK, "true");
    to_json("c2", NULL, SIOC_OK, "false");
    to_json("7f", NULL, SIOC_OK, "127");
    to_json("ff", NULL, SIOC_OK, "-1");
    to_json("d080", NULL, SIOC_OK, "-128");
    to_json("cdffff", NULL, SIOC_OK, "65535");
    to_json("cb3ff8000000000000", NULL, SIOC_OK, "1.5");
    to_json("ca3dcccccd", NULL, SIOC_OK, "0.10000000149011612"); /* float32 0.1 widened, as JS prints it */
    to_json("cb7ff8000000000000", NULL, SIOC_OK, "null");       /* NaN */
    to_json("cbfff0000000000000", NULL, SIOC_OK, "null");       /* -Infinity */
    to_json("cb8000000000000000", NULL, SIOC_OK, "0");          /* -0 */
    to_json("cb4415af1d78b58c40", NULL, SIOC_OK, "100000000000000000000"); /* 1e20 */
    to_json("cb444b1ae4d6e2ef50", NULL, SIOC_OK, "1e+21");
}

static void test_big_numbers(void) {
    /* JS reads 64-bit integers as doubles: beyond 2^53 it prints the double */
    to_json("cf0020000000000000", NULL, SIOC_OK, "9007199254740992");
    to_json("cf0020000000000001", NULL, SIOC_OK, "9007199254740992");
    to_json("cfffffffffffffffff", NULL, SIOC_OK, "18446744073709552000");
    to_json("d38000000000000000", NULL, SIOC_OK, "-9223372036854776000");
    to_json("d3ffe0000000000000", NULL, SIOC_OK, "-9007199254740992");
    /* exact: every digit */
    to_json("cf0020000000000001", &exact_opts, SIOC_OK, "9007199254740993");
    to_json("cfffffffffffffffff", &exact_opts, SIOC_OK, "18446744073709551615");
    to_json("d38000000000000000", &exact_opts, SIOC_OK, "-9223372036854775808");
    /* integer keys: String(n) in JS, or exact */
    to_json("81cfffffffffffffffffc0", NULL, SIOC_OK, "{\"18446744073709552000\":null}");
    to_json("81cfffffffffffffffffc0", &exact_opts, SIOC_OK, "{\"18446744073709551615\":null}");
    to_json("82ff01d3800000000000000002", &exact_opts, SIOC_OK, "{\"-1\":1,\"-9223372036854775808\":2}");
    to_json("8101c0", NULL, SIOC_OK, "{\"1\":null}");
    /* JSON -> msgpack, as JSON.parse + @msgpack/msgpack: integral within 2^53 -> integer, else float64 */
    to_mp("[1,-1,1.5,1e3,1.0,-0]", NULL, SIOC_OK, "9601ffcb3ff8000000000000cd03e80100");
    to_mp("9007199254740991", NULL, SIOC_OK, "cf001fffffffffffff");
    to_mp("9007199254740993", NULL, SIOC_OK, "cb4340000000000000");
    to_mp("18446744073709551615", NULL, SIOC_OK, "cb43f0000000000000");
    to_mp("-9223372036854775808", NULL, SIOC_OK, "cbc3e0000000000000");
    to_mp("1e400", NULL, SIOC_OK, "cb7ff0000000000000"); /* Infinity, as JSON.parse */
    /* exact: integer literals that fit 64 bits stay integers */
    to_mp("9007199254740993", &exact_opts, SIOC_OK, "cf0020000000000001");
    to_mp("18446744073709551615", &exact_opts, SIOC_OK, "cfffffffffffffffff");
    to_mp("-9223372036854775808", &exact_opts, SIOC_OK, "d38000000000000000");
    to_mp("18446744073709551616", &exact_opts, SIOC_OK, "cb43f0000000000000"); /* too big: a double */
    to_mp("1.5", &exact_opts, SIOC_OK, "cb3ff8000000000000");
}

static void test_strings(void) {
    to_json("a0", NULL, SIOC_OK, "\"\"");
    to_json("a5225c0a0901", NULL, SIOC_OK, "\"\\\"\\\\\\n\\t\\u0001\"");
    to_json("a3e280a8", NULL, SIOC_OK, "\"\xe2\x80\xa8\"");       /* U+2028 unescaped, as JSON.stringify */
    to_json("a4f09f9880", NULL, SIOC_OK, "\"\xf0\x9f\x98\x80\"");  /* 4-byte character */
    to_json("a3eda080", NULL, SIOC_OK, "\"\\ud800\"");              /* a lone surrogate (WTF-8) */
    to_json("a2c328", NULL, SIOC_OK, "\"\xef\xbf\xbd(\"");           /* not UTF-8: U+FFFD */
    to_mp("\"a\\\"b\\\\c\\n\\u0001\\u00e9\"", NULL, SIOC_OK, "a96122625c630a01c3a9");
    to_mp("\"\\ud83d\\ude00\"", NULL, SIOC_OK, "a4f09f9880");
    to_mp("\"\\ud800\"", NULL, SIOC_OK, "a3eda080"); /* as Node's short-string encoder writes it */
    to_mp("\"plain\"", NULL, SIOC_OK, "a5706c61696e");
}

static void test_containers(void) {
    to_json("93c0c291a0", NULL, SIOC_OK, "[null,false,[\"\"]]");
    to_json("82a16101a16292c0c3", NULL, SIOC_OK, "{\"a\":1,\"b\":[null,true]}");
    to_json("9080", NULL, SIOC_ERR_PARSE, NULL);  /* two values */
    to_json("92c0", NULL, SIOC_ERR_PARSE, NULL);  /* truncated */
    to_json("81c0c0", NULL, SIOC_ERR_TYPE, NULL); /* a nil key */
    to_json("d6ff00000000", NULL, SIOC_OK, "\"1970-01-01T00:00:00.000Z\"");
    to_json("d6ff5f5e0ffe", NULL, SIOC_OK, "\"2020-09-13T12:26:38.000Z\"");
    to_json("c70cff00000000000009184e72a000", NULL, SIOC_OK, "null"); /* 1e13 s: beyond the JS Date range */
    to_mp("{\"a\":[1,{\"b\":null}],\"__proto__\":{\"x\":1},\"c\":true}", NULL, SIOC_OK, "82a161920181a162c0a163c3");
    to_mp("[]", NULL, SIOC_OK, "90");
    to_mp("{}", NULL, SIOC_OK, "80");
}

static void test_binary(void) {
    /* without a callback a binary has no JSON form */
    to_json("c4020102", NULL, SIOC_ERR_TYPE, NULL);
    to_json("c4020102", &hex_opts, SIOC_OK, "{\"$bin\":\"0102\"}");
    to_json("c400", &hex_opts, SIOC_OK, "{\"$bin\":\"\"}");
    to_json("92c401ffd405ab", &hex_opts, SIOC_OK, "[{\"$bin\":\"ff\"},{\"$ext\":5,\"$bin\":\"ab\"}]");
    to_json("c70305010203", &hex_opts, SIOC_OK, "{\"$ext\":5,\"$bin\":\"010203\"}");
    to_mp("{\"$bin\":\"0aFF\"}", &hex_opts, SIOC_OK, "c4020aff");
    to_mp("{\"$bin\":\"\"}", &hex_opts, SIOC_OK, "c400");
    to_mp("{\"$ext\":-2,\"$bin\":\"01\"}", &hex_opts, SIOC_OK, "d4fe01");
    to_mp("{\"$ext\":5,\"$bin\":\"010203\"}", &hex_opts, SIOC_OK, "c70305010203");
    to_mp("[{\"$bin\":\"00\",\"x\":1}]", &hex_opts, SIOC_OK, "9182a42462696ea23030a17801"); /* not a binary */
    to_mp("{\"$bin\":\"0g\"}", &hex_opts, SIOC_ERR_PARSE, NULL);
    to_mp("{\"$bin\":\"abc\"}", &hex_opts, SIOC_ERR_PARSE, NULL);
    to_mp("{\"$bin\":1}", &hex_opts, SIOC_ERR_PARSE, NULL);
    to_mp("{\"$ext\":300,\"$bin\":\"00\"}", &hex_opts, SIOC_ERR_PARSE, NULL);
    to_mp("{\"$bin\":\"0102\"}", NULL, SIOC_OK, "81a42462696ea430313032"); /* no callback: an object */
    { /* a 300-byte binary (bin 16 header) both ways */
        static char json[700], want[2000];
        uint8_t raw[303];
        size_t k;
        raw[0] = 0xc5;
        raw[1] = 0x01;
        raw[2] = 0x2c;
        for (k = 0; k < 300; k++) raw[3 + k] = (uint8_t)k;
        strcpy(json, "{\"$bin\":\"");
        CHECK(sioc_hex_encode(raw + 3, 300, json + strlen(json), 601) == SIOC_OK);
        strcat(json, "\"}");
        CHECK(sioc_hex_encode(raw, sizeof raw, want, sizeof want) == SIOC_OK);
        to_mp(json, &hex_opts, SIOC_OK, want);
        to_json(want, &hex_opts, SIOC_OK, json);
    }
}

/* A round trip JSON -> msgpack -> JSON gives the same text (for a text in the canonical form). */
static void test_round_trip(void) {
    static const char *const docs[] = {
        "[\"ev\",{\"a\":[1,2.5,-3],\"b\":\"x\\\"y\\u0000\",\"c\":{\"$bin\":\"00ff\"}},null,true,1e+21]",
        "{\"n\":[[[[]]]],\"e\":{},\"s\":\"\xc3\xa9\xe2\x80\xa8\"}",
        "[18446744073709551615,-9223372036854775808,9007199254740993]",
    };
    size_t i;
    for (i = 0; i < SIOC__COUNT(docs); i++) {
        sioc_json_tok toks[64];
        sioc_json d;
        uint8_t mp[512];
        char out[512];
        sioc_buf b, o;
        sioc_msgpack_writer w;
        sioc_json_writer jw;
        const sioc_mpjson_opts *opts = i == 2 ? &exact_opts : &hex_opts;
        CHECK(sioc_json_parse(&d, docs[i], strlen(docs[i]), toks, 64) == SIOC_OK);
        sioc_buf_init(&b, mp, sizeof mp);
        sioc_msgpack_writer_init(&w, &b);
        CHECK(sioc_json_to_msgpack(&d, 0, &w, opts) == SIOC_OK && sioc_msgpack_writer_finish(&w) == SIOC_OK);
        CHECK(sioc_msgpack_check(mp, b.len) == SIOC_OK);
        sioc_buf_init(&o, out, sizeof out - 1);
        sioc_json_writer_init(&jw, &o);
        CHECK(sioc_msgpack_to_json(&jw, sioc_bytes_n(mp, b.len), opts) == SIOC_OK);
        out[o.len] = 0;
        CHECKF(strcmp(out, docs[i]) == 0, "round trip %s -> %s", docs[i], out);
    }
}

/* Nesting: a msgpack value goes as deep as a whole message (SIOC_MSGPACK_WRITE_DEPTH), JSON as the reader allows. */
static void test_nesting(void) {
    static uint8_t mp[200];
    static char json[400];
    sioc_json_tok toks[SIOC_MAX_JSON_DEPTH + 4];
    sioc_json d;
    sioc_buf b;
    sioc_json_writer jw;
    sioc_msgpack_writer w;
    size_t k, depth;
    for (depth = SIOC_MAX_MSGPACK_DEPTH; depth <= SIOC_MSGPACK_WRITE_DEPTH + 1; depth++) {
        sioc_result e;
        memset(mp, 0x91, depth); /* [[[...[nil]...]]] */
        mp[depth] = 0xc0;
        sioc_buf_init(&b, json, sizeof json);
        sioc_json_writer_init(&jw, &b);
        e = sioc_msgpack_to_json(&jw, sioc_bytes_n(mp, depth + 1), NULL);
        CHECKF(e == (depth <= SIOC_MSGPACK_WRITE_DEPTH ? SIOC_OK : SIOC_ERR_LIMIT), "depth %lu: %d",
               (unsigned long)depth, (int)e);
        if (e == SIOC_OK) CHECK(b.len == 2 * depth + 4 && json[depth] == 'n' && json[b.len - 1] == ']');
    }
    /* the deepest JSON the reader takes converts, and comes back the same */
    for (k = 0; k < SIOC_MAX_JSON_DEPTH; k++) json[k] = '[';
    for (k = 0; k < SIOC_MAX_JSON_DEPTH; k++) json[SIOC_MAX_JSON_DEPTH + k] = ']';
    CHECK(sioc_json_parse(&d, json, 2 * SIOC_MAX_JSON_DEPTH, toks, SIOC__COUNT(toks)) == SIOC_OK);
    sioc_buf_init(&b, mp, sizeof mp);
    sioc_msgpack_writer_init(&w, &b);
    CHECK(sioc_json_to_msgpack(&d, 0, &w, NULL) == SIOC_OK && sioc_msgpack_writer_finish(&w) == SIOC_OK);
    CHECK(b.len == SIOC_MAX_JSON_DEPTH && mp[0] == 0x91 && mp[b.len - 1] == 0x90);
    CHECK(sioc_json_parse(&d, json, 2 * SIOC_MAX_JSON_DEPTH + 2, toks, SIOC__COUNT(toks)) != SIOC_OK);
}

static void test_sizes_and_args(void) {
    uint8_t mp[] = {0x92, 0xa3, 'a', 'b', 'c', 0xc4, 0x02, 0x01, 0x02};
    char out[64];
    sioc_buf b;
    sioc_json_writer jw;
    size_t need, cap;
    sioc_json_tok toks[8];
    sioc_json d;
    sioc_msgpack_writer w;
    /* measure with a too small buffer, then every size below the need fails and the need succeeds */
    sioc_buf_init(&b, NULL, 0);
    sioc_json_writer_init(&jw, &b);
    CHECK(sioc_msgpack_to_json(&jw, sioc_bytes_n(mp, sizeof mp), &hex_opts) == SIOC_ERR_BUFFER_TOO_SMALL);
    need = b.len;
    CHECK(need == strlen("[\"abc\",{\"$bin\":\"0102\"}]"));
    for (cap = 0; cap <= need; cap++) {
        sioc_buf_init(&b, out, cap);
        sioc_json_writer_init(&jw, &b);
        CHECK(sioc_msgpack_to_json(&jw, sioc_bytes_n(mp, sizeof mp), &hex_opts) ==
              (cap < need ? SIOC_ERR_BUFFER_TOO_SMALL : SIOC_OK));
        CHECK(b.len == need);
    }
    CHECK(memcmp(out, "[\"abc\",{\"$bin\":\"0102\"}]", need) == 0);
    {
        static const char src[] = "[\"a\\nb\",{\"$bin\":\"0102\"}]";
        CHECK(sioc_json_parse(&d, src, sizeof src - 1, toks, 8) == SIOC_OK);
    }
    for (cap = 0; cap <= 9; cap++) { /* escaped strings and binaries are written in place: sizes still right */
        uint8_t m[16];
        sioc_buf_init(&b, m, cap);
        sioc_msgpack_writer_init(&w, &b);
        CHECK(sioc_json_to_msgpack(&d, 0, &w, &hex_opts) == SIOC_OK);
        CHECK(sioc_msgpack_writer_finish(&w) == (cap < 9 ? SIOC_ERR_BUFFER_TOO_SMALL : SIOC_OK) && b.len == 9);
        if (cap == 9) CHECK(memcmp(m, "\x92\xa3" "a\nb\xc4\x02\x01\x02", 9) == 0);
    }
    sioc_buf_init(&b, out, sizeof out);
    sioc_msgpack_writer_init(&w, &b);
    CHECK(sioc_json_to_msgpack(&d, 1, &w, NULL) == SIOC_OK); /* a value inside the doc */
    CHECK(sioc_json_to_msgpack(&d, 3, &w, NULL) == SIOC_ERR_ARG); /* a key */
    CHECK(sioc_json_to_msgpack(&d, 99, &w, NULL) == SIOC_ERR_ARG);
    CHECK(sioc_json_to_msgpack(&d, -1, &w, NULL) == SIOC_ERR_ARG);
    sioc_json_writer_init(&jw, &b);
    CHECK(sioc_msgpack_to_json(&jw, sioc_bytes_n(NULL, 3), NULL) == SIOC_ERR_ARG);
    CHECK(sioc_msgpack_to_json(&jw, sioc_bytes_n(NULL, 0), NULL) == SIOC_ERR_PARSE); /* nothing to read */
}

int main(void) {
    RUN(test_scalars);
    RUN(test_big_numbers);
    RUN(test_strings);
    RUN(test_containers);
    RUN(test_binary);
    RUN(test_round_trip);
    RUN(test_nesting);
    RUN(test_sizes_and_args);
    return sioc_t_report("test_mpjson");
}
