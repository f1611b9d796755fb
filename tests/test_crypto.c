/* Known-answer tests for SHA-256, HMAC-SHA256, base64, hex and percent-encoding, read from tests/vectors/crypto
   (NIST/RFC data, see its README) with the library's own JSON reader. */
#define SIO_CLUSTER_IMPLEMENTATION
#include "sio_cluster.h"
#include "harness.h"

static sioc_json doc;
static sioc_json_tok toks[20000];
static char *text;

static void load(const char *rel) {
    size_t n;
    free(text);
    text = sioc_t_read(rel, &n);
    if (sioc_json_parse(&doc, text, n, toks, SIOC__COUNT(toks)) != SIOC_OK) {
        fprintf(stderr, "cannot parse %s\n", rel);
        exit(2);
    }
}

/* A string member decoded into a malloc'd buffer ("" when absent). */
static char *str_of(int tok, const char *key, size_t *out_len) {
    size_t n = 0;
    char *s;
    int v = sioc_json_find(&doc, tok, key);
    if (v < 0) {
        s = (char *)calloc(1, 1);
        if (out_len) *out_len = 0;
        return s;
    }
    (void)sioc_json_get_str(&doc, v, NULL, 0, &n);
    s = (char *)malloc(n + 1);
    if (!s || sioc_json_get_str(&doc, v, s, n + 1, &n) != SIOC_OK) exit(2);
    if (out_len) *out_len = n;
    return s;
}

/* A hex member decoded to bytes (malloc'd); "x_hex" falls back to "x_ascii" when only that is given. */
static uint8_t *hex_of(int tok, const char *key, size_t *out_len) {
    size_t n, kl = strlen(key);
    char *h;
    if (sioc_json_find(&doc, tok, key) < 0 && kl > 4 && kl < 60 && strcmp(key + kl - 4, "_hex") == 0) {
        char alt[64];
        memcpy(alt, key, kl - 4);
        memcpy(alt + kl - 4, "_ascii", 7);
        return (uint8_t *)str_of(tok, alt, out_len);
    }
    h = str_of(tok, key, &n);
    uint8_t *b = (uint8_t *)malloc(n / 2 + 1);
    if (!b || sioc_hex_decode(h, n, b, n / 2 + 1, out_len) != SIOC_OK) exit(2);
    free(h);
    return b;
}

static int check_digest(const uint8_t got[32], int tok, const char *key) {
    char hex[65];
    char *want = str_of(tok, key, NULL);
    int ok = sioc_hex_encode(got, 32, hex, sizeof hex) == SIOC_OK && strcmp(hex, want) == 0;
    if (!ok) fprintf(stderr, "  want %s\n  got  %s\n", want, hex);
    free(want);
    return ok;
}

/* Message of a vector: msg_hex, msg_ascii, or repeat {ascii, count} hashed incrementally. */
static void digest_of(int v, uint8_t out[32]) {
    int rep = sioc_json_find(&doc, v, "repeat");
    sioc_sha256_ctx s;
    sioc_sha256_init(&s);
    if (rep >= 0) {
        int64_t count = 0, i;
        size_t n;
        char *unit = str_of(rep, "ascii", &n);
        CHECK(sioc_json_get_i64(&doc, sioc_json_find(&doc, rep, "count"), &count) == SIOC_OK);
        for (i = 0; i < count; i++) sioc_sha256_update(&s, unit, n);
        free(unit);
    } else if (sioc_json_find(&doc, v, "msg_hex") >= 0) {
        size_t n;
        uint8_t *m = hex_of(v, "msg_hex", &n);
        sioc_sha256_update(&s, m, n);
        free(m);
    } else {
        size_t n;
        char *m = str_of(v, "msg_ascii", &n);
        sioc_sha256_update(&s, m, n);
        free(m);
    }
    sioc_sha256_final(&s, out);
}

static void test_sha256(void) {
    static const char *sets[] = {"fips180_examples", "cavs_short_msg", "cavs_long_msg_first8", "padding_boundaries"};
    size_t k;
    int slow = getenv("SIOC_TEST_SLOW") != NULL, skipped = 0;
    load("vectors/crypto/sha256.json");
    for (k = 0; k < SIOC__COUNT(sets); k++) {
        int set = sioc_json_find(&doc, 0, sets[k]), v, ok = 0, n = 0;
        CHECK(set >= 0);
        for (v = sioc_json_first(&doc, set); v >= 0; v = sioc_json_next(&doc, v)) {
            uint8_t md[32];
            int is_slow = 0;
            (void)sioc_json_get_bool(&doc, sioc_json_find(&doc, v, "slow"), &is_slow);
            if (is_slow && !slow) {
                skipped++;
                continue;
            }
            digest_of(v, md);
            n++;
            if (check_digest(md, v, "md")) ok++;
            else CHECKF(0, "sha256 %s #%d", sets[k], n);
        }
        CHECK(n > 0 && ok == n);
        printf("sha256 %s: %d/%d\n", sets[k], ok, n);
    }
    if (skipped) printf("sha256: %d slow vector(s) skipped (set SIOC_TEST_SLOW=1 for the 1 GiB message)\n", skipped);
}

/* Every split of the input into two update() calls gives the one-shot digest. */
static void test_sha256_splits(void) {
    uint8_t msg[200], one[32], two[32];
    size_t i, cut, bad = 0;
    for (i = 0; i < sizeof msg; i++) msg[i] = (uint8_t)(i * 7 + 3);
    sioc_sha256(msg, sizeof msg, one);
    for (cut = 0; cut <= sizeof msg; cut++) {
        sioc_sha256_ctx s;
        sioc_sha256_init(&s);
        sioc_sha256_update(&s, msg, cut);
        sioc_sha256_update(&s, msg + cut, sizeof msg - cut);
        sioc_sha256_final(&s, two);
        if (memcmp(one, two, 32) != 0) bad++;
    }
    CHECK_EQ_INT(bad, 0);
    {   /* byte by byte */
        sioc_sha256_ctx s;
        sioc_sha256_init(&s);
        for (i = 0; i < sizeof msg; i++) sioc_sha256_update(&s, msg + i, 1);
        sioc_sha256_final(&s, two);
        CHECK(memcmp(one, two, 32) == 0);
    }
}

/* SHA-1: FIPS 180 / RFC 3174 vectors, the million-'a' one fed in uneven pieces, and every split of a
   two-block message. */
static void sha1_hex(const void *d, size_t n, char out[41]) {
    uint8_t md[SIOC_SHA1_LEN];
    sioc_sha1(d, n, md);
    CHECK(sioc_hex_encode(md, sizeof md, out, 41) == SIOC_OK);
}

static void test_sha1(void) {
    char hex[41];
    uint8_t md[SIOC_SHA1_LEN], md2[SIOC_SHA1_LEN];
    static char chunk[1000];
    const char *two = "abcdbcdecdefdefgefghfghighijhijkijkljklmklmnlmnomnopnopq";
    sioc_sha1_ctx s;
    size_t i, cut;
    sha1_hex("", 0, hex);
    CHECK(strcmp(hex, "da39a3ee5e6b4b0d3255bfef95601890afd80709") == 0);
    sha1_hex("abc", 3, hex);
    CHECK(strcmp(hex, "a9993e364706816aba3e25717850c26c9cd0d89d") == 0);
    sha1_hex(two, strlen(two), hex);
    CHECK(strcmp(hex, "84983e441c3bd26ebaae4aa1f95129e5e54670f1") == 0);
    memset(chunk, 'a', sizeof chunk);
    sioc_sha1_init(&s);
    for (i = 0; i < 1000000;) { /* pieces of 1..997 bytes cross every block offset */
        size_t n = SIOC__MIN((size_t)(i % 997) + 1, (size_t)1000000 - i);
        sioc_sha1_update(&s, chunk, n);
        i += n;
    }
    sioc_sha1_final(&s, md);
    CHECK(sioc_hex_encode(md, sizeof md, hex, sizeof hex) == SIOC_OK);
    CHECK(strcmp(hex, "34aa973cd4c4daa4f61eeb2bdbad27316534016f") == 0);
    sioc_sha1(chunk, 130, md);
    for (cut = 0; cut <= 130; cut++) {
        sioc_sha1_init(&s);
        sioc_sha1_update(&s, chunk, cut);
        sioc_sha1_update(&s, chunk + cut, 130 - cut);
        sioc_sha1_final(&s, md2);
        CHECK(memcmp(md, md2, sizeof md) == 0);
    }
}

/* RFC 1321 appendix A.5, and the padding boundaries (55/56, 63/64/65, 119/120, 128 bytes of 'x', from md5sum). */
static void test_md5(void) {
    static const char *const rfc[][2] = {
        {"", "d41d8cd98f00b204e9800998ecf8427e"},
        {"a", "0cc175b9c0f1b6a831c399e269772661"},
        {"abc", "900150983cd24fb0d6963f7d28e17f72"},
        {"message digest", "f96b697d7cb7938d525a2f31aaf161d0"},
        {"abcdefghijklmnopqrstuvwxyz", "c3fcd3d76192e4007dfb496cca67e13b"},
        {"ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789", "d174ab98d277d9f5a5611c2c9f419d9f"},
        {"12345678901234567890123456789012345678901234567890123456789012345678901234567890",
         "57edf4a22be3c955ac49da2e2107b67a"}};
    static const struct { size_t n; const char *md; } xs[] = {
        {55, "04364420e25c512fd958a70738aa8f72"}, {56, "668a72d5ba17f08e62dabcafad6db14b"},
        {63, "7dc2ca208106a2f703567bdff99d8981"}, {64, "c1bb4f81d892b2d57947682aeb252456"},
        {65, "1bc932052302d074bdec39795fe00cf6"}, {119, "ab347a5f68c8a443cfcddc633f12c24f"},
        {120, "fb98667f98096de92620b64f46e1c5b5"}, {128, "d69cb61a6ee87200676eb0d4b90edbcb"}};
    char x[128], hex[33];
    uint8_t md[SIOC_MD5_LEN];
    size_t i;
    for (i = 0; i < SIOC__COUNT(rfc); i++) {
        sioc_md5(rfc[i][0], strlen(rfc[i][0]), md);
        CHECK(sioc_hex_encode(md, sizeof md, hex, sizeof hex) == SIOC_OK);
        CHECKF(strcmp(hex, rfc[i][1]) == 0, "md5(\"%s\") = %s", rfc[i][0], hex);
    }
    memset(x, 'x', sizeof x);
    for (i = 0; i < SIOC__COUNT(xs); i++) {
        sioc_md5(x, xs[i].n, md);
        CHECK(sioc_hex_encode(md, sizeof md, hex, sizeof hex) == SIOC_OK);
        CHECKF(strcmp(hex, xs[i].md) == 0, "md5 of %zu x = %s", xs[i].n, hex);
    }
}

static void test_hmac(void) {
    int set, v, ok = 0, n = 0;
    load("vectors/crypto/hmac-sha256.json");
    for (set = sioc_json_find(&doc, 0, "rfc4231"); set >= 0; set = -1) {
        for (v = sioc_json_first(&doc, set); v >= 0; v = sioc_json_next(&doc, v)) {
            size_t kn, dn;
            uint8_t mac[32], *key = hex_of(v, "key_hex", &kn), *data = hex_of(v, "data_hex", &dn);
            sioc_hmac_sha256(key, kn, data, dn, mac);
            n++;
            if (check_digest(mac, v, "hmac_sha256")) ok++;
            else CHECKF(0, "rfc4231 vector %d", n);
            free(key), free(data);
        }
    }
    set = sioc_json_find(&doc, 0, "extra");
    for (v = sioc_json_first(&doc, set); v >= 0; v = sioc_json_next(&doc, v)) {
        size_t kn, dn;
        uint8_t mac[32], *key = hex_of(v, "key_hex", &kn), *data = hex_of(v, "data_hex", &dn);
        sioc_hmac_sha256(key, kn, data, dn, mac);
        n++;
        if (check_digest(mac, v, "hmac_sha256")) ok++;
        else CHECKF(0, "extra vector %d", n);
        free(key), free(data);
    }
    CHECK(n >= 10 && ok == n);
    printf("hmac-sha256 rfc4231+extra: %d/%d\n", ok, n);

    /* SigV4 signing-key chains: kDate = HMAC("AWS4"+secret, date), then region, service, "aws4_request". */
    ok = n = 0;
    set = sioc_json_find(&doc, 0, "aws_sigv4_signing_key_examples");
    for (v = sioc_json_first(&doc, set); v >= 0; v = sioc_json_next(&doc, v)) {
        static const char *steps[] = {"date", "region", "service"};
        static const char *names[] = {"kDate", "kRegion", "kService", "kSigning"};
        char key[128];
        uint8_t k[32];
        size_t sn, i;
        char *secret = str_of(v, "secret", &sn);
        int good = 1;
        memcpy(key, "AWS4", 4);
        memcpy(key + 4, secret, sn);
        for (i = 0; i < 4; i++) {
            size_t dn;
            char *d = i < 3 ? str_of(v, steps[i], &dn) : NULL;
            if (i == 0) sioc_hmac_sha256(key, sn + 4, d, dn, k);
            else if (i < 3) sioc_hmac_sha256(k, 32, d, dn, k);
            else sioc_hmac_sha256(k, 32, "aws4_request", 12, k);
            good &= check_digest(k, v, names[i]);
            free(d);
        }
        n++;
        ok += good;
        free(secret);
    }
    CHECK(n >= 2 && ok == n);
    printf("hmac-sha256 sigv4 key chains: %d/%d\n", ok, n);
}

static void test_base64(void) {
    static const char *sets[] = {"rfc4648_section10_base64", "rfc4648_section9_examples", "generated"};
    size_t k;
    int ok = 0, n = 0, v;
    load("vectors/crypto/base64.json");
    for (k = 0; k < SIOC__COUNT(sets); k++) {
        int set = sioc_json_find(&doc, 0, sets[k]);
        CHECK(set >= 0);
        for (v = sioc_json_first(&doc, set); v >= 0; v = sioc_json_next(&doc, v)) {
            size_t bn, en, dn, tn;
            uint8_t *bytes = hex_of(v, "input_hex", &bn), back[300];
            char *want = str_of(v, "base64", &tn), enc[400];
            int good = sioc_base64_encode(bytes, bn, enc, sizeof enc, &en) == SIOC_OK && en == tn &&
                       strcmp(enc, want) == 0;
            good = good && sioc_base64_decode(want, tn, back, sizeof back, &dn) == SIOC_OK && dn == bn &&
                   (bn == 0 || memcmp(back, bytes, bn) == 0);
            /* one byte too small must fail without writing past the end */
            if (good && bn > 0) good = sioc_base64_decode(want, tn, back, bn - 1, &dn) == SIOC_ERR_BUFFER_TOO_SMALL;
            if (good) good = sioc_base64_encode(bytes, bn, enc, tn, &en) == SIOC_ERR_BUFFER_TOO_SMALL;
            n++;
            ok += good;
            CHECKF(good, "base64 %s: %s", sets[k], want);
            free(bytes), free(want);
        }
    }
    printf("base64 encode+decode: %d/%d\n", ok, n);
    ok = n = 0;
    v = sioc_json_find(&doc, 0, "decoder_negative_cases_suggested");
    for (v = sioc_json_first(&doc, v); v >= 0; v = sioc_json_next(&doc, v)) {
        char bad[64];
        size_t bl, dn;
        uint8_t out[64];
        CHECK(sioc_json_get_str(&doc, v, bad, sizeof bad, &bl) == SIOC_OK);
        n++;
        if (sioc_base64_decode(bad, bl, out, sizeof out, &dn) == SIOC_ERR_PARSE) ok++;
        else CHECKF(0, "accepted bad base64 \"%s\"", bad);
    }
    CHECK(n == 8 && ok == n);
    printf("base64 strict rejections: %d/%d\n", ok, n);
    {   /* more rejections: padding in the middle, '=' in the third place only, bad chars */
        static const char *more[] = {"Zg==Zg==", "Z=g=", "Zm=v", "Zm9v-A==", "Zm9v_A==", "Zm9\x80"};
        size_t i, dn;
        uint8_t out[16];
        for (i = 0; i < SIOC__COUNT(more); i++)
            CHECKF(sioc_base64_decode(more[i], strlen(more[i]), out, sizeof out, &dn) == SIOC_ERR_PARSE, "%s", more[i]);
    }
}

static void test_hex(void) {
    char out[9];
    uint8_t b[4];
    size_t n;
    static const uint8_t in[4] = {0x00, 0xab, 0x7f, 0xff};
    CHECK(sioc_hex_encode(in, 4, out, sizeof out) == SIOC_OK && strcmp(out, "00ab7fff") == 0);
    CHECK(sioc_hex_encode(in, 4, out, 8) == SIOC_ERR_BUFFER_TOO_SMALL);
    CHECK(sioc_hex_decode("00AB7fFF", 8, b, 4, &n) == SIOC_OK && n == 4 && memcmp(b, in, 4) == 0);
    CHECK(sioc_hex_decode("00a", 3, b, 4, &n) == SIOC_ERR_PARSE);
    CHECK(sioc_hex_decode("0g", 2, b, 4, &n) == SIOC_ERR_PARSE);
    CHECK(sioc_hex_decode("0011223344", 10, b, 4, &n) == SIOC_ERR_BUFFER_TOO_SMALL);
}

static void test_ct_equal(void) {
    CHECK(sioc_ct_equal("abc", "abc", 3));
    CHECK(!sioc_ct_equal("abc", "abd", 3));
    CHECK(sioc_ct_equal("", "x", 0));
}

static void pct(const char *in, sioc_pct_mode mode, const char *want) {
    char mem[256];
    sioc_buf b;
    sioc_buf_init(&b, mem, sizeof mem);
    sioc_pct_encode(&b, in, strlen(in), mode);
    CHECKF(sioc_buf_result(&b) == SIOC_OK && b.len == strlen(want) && memcmp(mem, want, b.len) == 0,
           "pct(%s) = %.*s, want %s", in, (int)b.len, mem, want);
}

static void test_percent(void) {
    char mem[64];
    sioc_buf b;
    /* AWS SigV4: only unreserved characters stay; upper-case hex (aws4_testsuite get-vanilla-query-unreserved). */
    pct("-._~0123456789ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz", SIOC_PCT_RFC3986,
        "-._~0123456789ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz");
    pct("arn:aws:sns:us-east-1:000000000000:socket-io", SIOC_PCT_RFC3986,
        "arn%3Aaws%3Asns%3Aus-east-1%3A000000000000%3Asocket-io");
    pct("a b+c/d*e!'()\xe1\x88\xb4", SIOC_PCT_RFC3986, "a%20b%2Bc%2Fd%2Ae%21%27%28%29%E1%88%B4");
    /* JavaScript encodeURIComponent keeps ! ' ( ) * as well. */
    pct("a b+c/d*e!'()\xe1\x88\xb4", SIOC_PCT_URI_COMPONENT, "a%20b%2Bc%2Fd*e!'()%E1%88%B4");
    pct("sb://ns.servicebus.windows.net/topic", SIOC_PCT_URI_COMPONENT, "sb%3A%2F%2Fns.servicebus.windows.net%2Ftopic");
    pct("/a b/c~", SIOC_PCT_PATH, "/a%20b/c~");
    pct("", SIOC_PCT_RFC3986, "");
    sioc_buf_init(&b, mem, 4);
    sioc_pct_encode(&b, "::", 2, SIOC_PCT_RFC3986);
    CHECK(sioc_buf_result(&b) == SIOC_ERR_BUFFER_TOO_SMALL && b.len == 6);
    sioc_buf_init(&b, mem, sizeof mem);
    CHECK(sioc_pct_decode("a%3Ab+c%2f", 10, 1, &b) == SIOC_OK && b.len == 6 && memcmp(mem, "a:b c/", 6) == 0);
    sioc_buf_init(&b, mem, sizeof mem);
    CHECK(sioc_pct_decode("%4", 2, 0, &b) == SIOC_ERR_PARSE);
    sioc_buf_init(&b, mem, sizeof mem);
    CHECK(sioc_pct_decode("%zz", 3, 0, &b) == SIOC_ERR_PARSE);
}

int main(void) {
    RUN(test_sha256);
    RUN(test_sha256_splits);
    RUN(test_sha1);
    RUN(test_md5);
    RUN(test_hmac);
    RUN(test_base64);
    RUN(test_hex);
    RUN(test_ct_equal);
    RUN(test_percent);
    free(text);
    return sioc_t_report("test_crypto");
}
