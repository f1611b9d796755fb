/* Service Bus SAS tokens and connection strings: every vector in tests/vectors/sas (copied from the reference set,
   see its README), read with the library's own JSON reader, plus connection-string accept/reject tables, token
   parsing and verification, renewal timing and truncation/buffer-size sweeps. */
#define SIO_CLUSTER_IMPLEMENTATION
#include "sio_cluster.h"
#include "harness.h"

static sioc_json doc;
static sioc_json_tok toks[8000];
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

/* A string member unescaped into a malloc'd buffer ("" when absent or not a string). */
static char *str_of(int tok, const char *path) {
    size_t n = 0;
    char *s;
    int v = sioc_json_path(&doc, tok, path);
    if (v < 0 || sioc_json_type_of(&doc, v) != SIOC_JSON_STRING) return (char *)calloc(1, 1);
    (void)sioc_json_get_str(&doc, v, NULL, 0, &n);
    s = (char *)malloc(n + 1);
    if (!s || sioc_json_get_str(&doc, v, s, n + 1, &n) != SIOC_OK) exit(2);
    return s;
}

static int64_t i64_of(int tok, const char *path) {
    int64_t v = -1;
    if (sioc_json_get_i64(&doc, sioc_json_path(&doc, tok, path), &v) != SIOC_OK) return -1;
    return v;
}

static sioc_str S(const char *s) { return sioc_str_c(s); }

/* sioc_sas_token into a static buffer, NUL-terminated; NULL on error. */
static const char *make_token(const char *uri, const char *key_name, const char *key, int64_t se,
                              sioc_sas_style style) {
    static char out[2048];
    sioc_buf b;
    sioc_sas_params p;
    memset(&p, 0, sizeof p);
    p.resource_uri = S(uri);
    p.key_name = S(key_name);
    p.key = S(key);
    p.expiry = se;
    p.style = style;
    sioc_buf_init(&b, out, sizeof out - 1);
    if (sioc_sas_token(&p, &b) != SIOC_OK) return NULL;
    out[b.len] = 0;
    return out;
}

static const char *encode(const char *uri, sioc_sas_style style) {
    static char out[2048];
    sioc_buf b;
    sioc_buf_init(&b, out, sizeof out - 1);
    sioc_sas_encode_resource(&b, S(uri), style);
    if (sioc_buf_result(&b) != SIOC_OK) return "";
    out[b.len] = 0;
    return out;
}

static const char *urlenc(const char *s) {
    static char out[256];
    sioc_buf b;
    sioc_buf_init(&b, out, sizeof out - 1);
    sioc_pct_encode(&b, s, strlen(s), SIOC_PCT_URI_COMPONENT);
    if (sioc_buf_result(&b) != SIOC_OK) return "";
    out[b.len] = 0;
    return out;
}

/* "<sr>\n<se>" as the vectors write the string to sign. */
static int sts_eq(const char *sts, const char *sr, int64_t se) {
    char tmp[2100];
    snprintf(tmp, sizeof tmp, "%s\n%lld", sr, (long long)se);
    return strcmp(tmp, sts) == 0;
}

/* Checks shared by every full vector; returns 1 when all passed. */
static int check_token_vector(const char *name, const char *key_name, const char *key, const char *sr, int64_t se,
                              const char *sig_b64, const char *sig_url, const char *token) {
    char sig[SIOC_SAS_SIG_LEN + 1];
    sioc_sas_token_view v;
    int ok = 1;
    ok &= sioc_sas_sign(S(key), S(sr), se, sig) == SIOC_OK && strcmp(sig, sig_b64) == 0;
    ok &= strcmp(urlenc(sig), sig_url) == 0;
    ok &= sioc_sas_parse_token(S(token), &v) == SIOC_OK && v.se == se && v.sr.len == strlen(sr) &&
          memcmp(v.sr.ptr, sr, v.sr.len) == 0 && v.sig.len == strlen(sig_url) &&
          memcmp(v.sig.ptr, sig_url, v.sig.len) == 0;
    ok &= sioc_sas_verify(S(token), S(key_name), S(key), se - 1) == SIOC_OK;
    ok &= sioc_sas_verify(S(token), S(key_name), S(key), se) == SIOC_ERR_AUTH;      /* expired */
    ok &= sioc_sas_verify(S(token), S(key_name), S("wrong"), se - 1) == SIOC_ERR_AUTH; /* wrong key */
    ok &= sioc_sas_verify(S(token), S("other"), S(key), se - 1) == SIOC_ERR_AUTH;     /* wrong key name */
    CHECKF(ok, "%s", name);
    return ok;
}

static void test_generated_vectors(void) {
    static const char *forms[] = {"case_preserving", "lowercased"};
    int arr, v, n = 0, good = 0;
    load("vectors/sas/sas-vectors.json");
    arr = sioc_json_find(&doc, 0, "vectors");
    CHECK(sioc_json_count(&doc, arr) == 16);
    for (v = sioc_json_first(&doc, arr); v >= 0; v = sioc_json_next(&doc, v)) {
        char *name = str_of(v, "name"), *uri = str_of(v, "input.resource_uri"), *kn = str_of(v, "input.key_name");
        char *key = str_of(v, "input.key"), *key_hex = str_of(v, "input.key_utf8_hex");
        char hex[512];
        int64_t se = i64_of(v, "input.expiry");
        size_t f;
        /* the key is its UTF-8 text, byte for byte */
        CHECK(sioc_hex_encode(key, strlen(key), hex, sizeof hex) == SIOC_OK && strcmp(hex, key_hex) == 0);
        for (f = 0; f < 2; f++) {
            int form = sioc_json_find(&doc, v, forms[f]), ok = 1;
            sioc_sas_style style = f ? SIOC_SAS_LOWERCASED : SIOC_SAS_CASE_PRESERVING;
            char *sr = str_of(form, "encoded_resource_uri"), *sts = str_of(form, "string_to_sign");
            char *sig = str_of(form, "signature_base64"), *sigu = str_of(form, "signature_urlencoded");
            char *token = str_of(form, "token");
            const char *mine;
            n++;
            ok &= strcmp(encode(uri, style), sr) == 0;
            ok &= sts_eq(sts, sr, se);
            mine = make_token(uri, kn, key, se, style);
            ok &= mine != NULL && strcmp(mine, token) == 0;
            if (mine && strcmp(mine, token) != 0) fprintf(stderr, "  want %s\n  got  %s\n", token, mine);
            ok &= check_token_vector(name, kn, key, sr, se, sig, sigu, token);
            CHECKF(ok, "%s/%s", name, forms[f]);
            good += ok;
            free(sr), free(sts), free(sig), free(sigu), free(token);
        }
        free(name), free(uri), free(kn), free(key), free(key_hex);
    }
    printf("sas-vectors.json: %d/%d forms (16 vectors x 2 encodings)\n", good, n);
    CHECK(n == 32 && good == n);
}

static void test_wire_vectors(void) {
    int v, n = 0, good = 0;
    load("vectors/sas/sdk-wire-captured.json");
    for (v = sioc_json_first(&doc, 0); v >= 0; v = sioc_json_next(&doc, v)) {
        char *id = str_of(v, "id"), *kn = str_of(v, "key_name"), *key = str_of(v, "key");
        char *uri = str_of(v, "resource_uri"), *sr = str_of(v, "sr"), *sts = str_of(v, "string_to_sign");
        char *sig = str_of(v, "sig_base64"), *sigu = str_of(v, "sig_urlencoded"), *token = str_of(v, "token");
        char *wrong = str_of(v, "wrong_sig_base64_if_key_is_base64_decoded");
        int64_t se = i64_of(v, "se");
        int ok = 1, lower_order = strncmp(token, "SharedAccessSignature sig=", 26) == 0;
        int lower_sr = strcmp(encode(uri, SIOC_SAS_LOWERCASED), sr) == 0;
        int upper_sr = strcmp(encode(uri, SIOC_SAS_CASE_PRESERVING), sr) == 0;
        n++;
        ok &= lower_sr || upper_sr;
        ok &= sts_eq(sts, sr, se);
        if ((lower_order && lower_sr) || (!lower_order && upper_sr)) {
            const char *mine = make_token(uri, kn, key, se, lower_order ? SIOC_SAS_LOWERCASED : SIOC_SAS_CASE_PRESERVING);
            ok &= mine && strcmp(mine, token) == 0;
        } else {
            /* edge-lowercase-percent: lower-case sr in core-amqp's field order, which no SDK emits as a whole;
               the token must still be exactly sr + signature in that order. */
            char tmp[1024];
            snprintf(tmp, sizeof tmp, "SharedAccessSignature sr=%s&sig=%s&se=%lld&skn=%s", sr, sigu, (long long)se,
                     kn);
            ok &= strcmp(tmp, token) == 0;
        }
        ok &= check_token_vector(id, kn, key, sr, se, sig, sigu, token);
        if (wrong[0]) { /* the key is NOT base64-decoded: decoding it gives this other signature */
            uint8_t raw[64], mac[32];
            char b64[SIOC_SAS_SIG_LEN + 1];
            size_t rn = 0, bn = 0;
            ok &= sioc_base64_decode(key, strlen(key), raw, sizeof raw, &rn) == SIOC_OK;
            sioc_hmac_sha256(raw, rn, sts, strlen(sts), mac);
            ok &= sioc_base64_encode(mac, 32, b64, sizeof b64, &bn) == SIOC_OK && strcmp(b64, wrong) == 0;
            ok &= strcmp(wrong, sig) != 0;
        }
        CHECKF(ok, "%s", id);
        good += ok;
        free(id), free(kn), free(key), free(uri), free(sr), free(sts), free(sig), free(sigu), free(token), free(wrong);
    }
    printf("sdk-wire-captured.json: %d/%d vectors\n", good, n);
    CHECK(n == 8 && good == n);
}

/* Base64 of HMAC-SHA256 with raw key bytes, for the published cases that are not SAS-shaped. */
static void hmac_b64(const void *key, size_t kn, const char *msg, char out[SIOC_SAS_SIG_LEN + 1]) {
    uint8_t mac[32];
    size_t n = 0;
    sioc_hmac_sha256(key, kn, msg, strlen(msg), mac);
    if (sioc_base64_encode(mac, 32, out, SIOC_SAS_SIG_LEN + 1, &n) != SIOC_OK) out[0] = 0;
}

static void test_published_examples(void) {
    int arr, e, n = 0, good = 0;
    load("vectors/sas/published-examples.json");
    arr = sioc_json_find(&doc, 0, "examples");
    for (e = sioc_json_first(&doc, arr); e >= 0; e = sioc_json_next(&doc, e)) {
        char *name = str_of(e, "name");
        int ok = 1;
        n++;
        if (strstr(name, "TestTokenProviderWithKey")) {
            char *tok = str_of(e, "expected.token"), *sts = str_of(e, "expected.string_to_sign");
            char *sig = str_of(e, "expected.signature_base64");
            char mine_sig[SIOC_SAS_SIG_LEN + 1];
            int64_t se = i64_of(e, "input.expiry");
            const char *mine = make_token("audience", "keyName", "key", se, SIOC_SAS_CASE_PRESERVING);
            ok &= se == 1578099723 && mine && strcmp(mine, tok) == 0 && sts_eq(sts, "audience", se);
            ok &= sioc_sas_sign(S("key"), S("audience"), se, mine_sig) == SIOC_OK && strcmp(mine_sig, sig) == 0;
            free(tok), free(sts), free(sig);
        } else if (strstr(name, "TestNewSigner")) {
            char *uri = str_of(e, "input.resource_uri"), *sr = str_of(e, "expected.sr");
            ok &= strcmp(encode(uri, SIOC_SAS_LOWERCASED), sr) == 0; /* Go lower-cases hex digits too */
            free(uri), free(sr);
        } else if (strstr(name, "core-amqp signString")) {
            char *key = str_of(e, "input.key"), *msg = str_of(e, "input.string_to_sign");
            char *sig = str_of(e, "expected.signature_base64"), *sigu = str_of(e, "expected.signature_urlencoded");
            char mine[SIOC_SAS_SIG_LEN + 1];
            hmac_b64(key, strlen(key), msg, mine);
            ok &= strcmp(mine, sig) == 0 && strcmp(urlenc(mine), sigu) == 0;
            free(key), free(msg), free(sig), free(sigu);
        } else if (strstr(name, "createSasTokenProvider")) {
            /* token_regex: "SharedAccessSignature sr=sb%3A%2F%2Fhostname.servicebus.windows.net%2F&sig=(.*)&se=\d{10}&skn=sakName" */
            static const char head[] = "SharedAccessSignature sr=sb%3A%2F%2Fhostname.servicebus.windows.net%2F&sig=";
            const char *mine = make_token("sb://hostname.servicebus.windows.net/", "sakName", "sak",
                                          1700000000 + SIOC_SAS_DEFAULT_LIFETIME, SIOC_SAS_CASE_PRESERVING);
            const char *se = mine ? strstr(mine, "&se=") : NULL;
            char *re = str_of(e, "expected.token_regex");
            ok &= strncmp(re, head, sizeof head - 1) == 0 && mine && strncmp(mine, head, sizeof head - 1) == 0;
            ok &= se && strlen(se) == 4 + 10 + 12 && strcmp(se + 14, "&skn=sakName") == 0;
            free(re);
        } else if (strstr(name, "MS docs")) {
            /* format only: field order sig, se, skn, sr (the administration client's order) */
            char *fmt = str_of(e, "expected.token_format");
            const char *mine = make_token("https://contoso.servicebus.windows.net/", "keyName", "k", 1438205742,
                                          SIOC_SAS_LOWERCASED);
            ok &= strncmp(fmt, "SharedAccessSignature sig=", 26) == 0 && mine &&
                  strncmp(mine, "SharedAccessSignature sig=", 26) == 0 && strstr(mine, "&se=1438205742&skn=keyName&sr=");
            free(fmt);
        } else if (strstr(name, "azure-sdk-for-c")) {
            /* string to sign and token layout; IoT Hub passwords without skn are not Service Bus tokens */
            char *host = str_of(e, "input.hostname"), *dev = str_of(e, "input.device_id"), *sts = str_of(e, "expected.string_to_sign");
            char *pw = str_of(e, "expected.password"), *pwk = str_of(e, "expected.password_with_key_name");
            char *ph = str_of(e, "input.signature_placeholder"), uri[256];
            int64_t se = i64_of(e, "input.expiry");
            sioc_sas_token_view tv;
            snprintf(uri, sizeof uri, "%s/devices/%s", host, dev);
            ok &= sts_eq(sts, encode(uri, SIOC_SAS_CASE_PRESERVING), se);
            ok &= sioc_sas_parse_token(S(pwk), &tv) == SIOC_OK && tv.se == se && tv.sig.len == strlen(urlenc(ph)) &&
                  memcmp(tv.sig.ptr, urlenc(ph), tv.sig.len) == 0 && tv.skn.len == 11;
            ok &= sioc_sas_parse_token(S(pw), &tv) == SIOC_ERR_PARSE;
            free(host), free(dev), free(sts), free(pw), free(pwk), free(ph);
        } else if (strstr(name, "IoT Hub style computed")) {
            char *sts = str_of(e, "input.string_to_sign"), *kb = str_of(e, "input.key_base64");
            char *want = str_of(e, "expected.signature_base64");
            char *as_text = str_of(e, "expected.signature_if_key_used_as_utf8_text_WRONG_FOR_IOTHUB");
            char *pw = str_of(e, "expected.password"), mine[SIOC_SAS_SIG_LEN + 1], tmp[512];
            const char *nl = strchr(sts, '\n');
            uint8_t raw[64];
            size_t rn = 0;
            int64_t se = 0;
            ok &= nl != NULL;
            if (nl) {
                sioc_str sr;
                sr.ptr = sts;
                sr.len = (size_t)(nl - sts);
                se = (int64_t)strtoll(nl + 1, NULL, 10);
                /* sioc_sas_sign uses the key as text: that is the IoT-Hub-wrong, Service-Bus-right answer */
                ok &= sioc_sas_sign(S(kb), sr, se, mine) == SIOC_OK && strcmp(mine, as_text) == 0;
                ok &= sioc_base64_decode(kb, strlen(kb), raw, sizeof raw, &rn) == SIOC_OK;
                hmac_b64(raw, rn, sts, mine);
                ok &= strcmp(mine, want) == 0;
                snprintf(tmp, sizeof tmp, "SharedAccessSignature sr=%.*s&sig=%s&se=%lld", (int)sr.len, sr.ptr,
                         urlenc(want), (long long)se);
                ok &= strcmp(tmp, pw) == 0;
            }
            free(sts), free(kb), free(want), free(as_text), free(pw);
        } else {
            ok = 0;
            fprintf(stderr, "  unknown example %s\n", name);
        }
        CHECKF(ok, "%s", name);
        good += ok;
        free(name);
    }
    printf("published-examples.json: %d/%d examples\n", good, n);
    CHECK(n == 7 && good == n);
}

/* Every prefix of a token parses or fails cleanly (ASan watches the tight copies); the token buffer reports the
   exact size at every capacity. */
static void test_truncation_and_sizes(void) {
    const char *tok = make_token("https://contoso.servicebus.windows.net/socket.io", "RootManageSharedAccessKey",
                                 "yBlsTfoXJmU2nmyb6UjAL3Zk8QxMSWo6OCMutbK7OSM=", 1700003600, SIOC_SAS_CASE_PRESERVING);
    char full[512];
    size_t len, cut, bad = 0, okc = 0;
    sioc_sas_params p;
    CHECK(tok != NULL);
    if (!tok) return;
    strcpy(full, tok);
    len = strlen(full);
    for (cut = 0; cut <= len; cut++) {
        char *t = (char *)sioc_t_tight(full, cut);
        sioc_sas_token_view v;
        sioc_str s;
        s.ptr = t;
        s.len = cut;
        if (sioc_sas_parse_token(s, &v) == SIOC_OK) okc++;
        (void)sioc_sas_verify(s, S("RootManageSharedAccessKey"), S("k"), 0);
        free(t);
    }
    /* parses once se has at least one digit: "...&se=1" up to the end of skn */
    CHECK(okc > 0 && okc < len);
    memset(&p, 0, sizeof p);
    p.resource_uri = S("https://contoso.servicebus.windows.net/socket.io");
    p.key_name = S("RootManageSharedAccessKey");
    p.key = S("yBlsTfoXJmU2nmyb6UjAL3Zk8QxMSWo6OCMutbK7OSM=");
    p.expiry = 1700003600;
    for (cut = 0; cut < len + 2; cut++) {
        char *mem = (char *)malloc(cut ? cut : 1);
        sioc_buf b;
        sioc_result r;
        sioc_buf_init(&b, mem, cut);
        r = sioc_sas_token(&p, &b);
        if (cut < len ? (r != SIOC_ERR_BUFFER_TOO_SMALL || b.len != len)
                      : (r != SIOC_OK || b.len != len || memcmp(mem, full, len) != 0))
            bad++;
        free(mem);
    }
    CHECK_EQ_INT(bad, 0);
    /* argument errors */
    p.expiry = -1;
    {
        char mem[512];
        sioc_buf b;
        char sig[SIOC_SAS_SIG_LEN + 1];
        sioc_buf_init(&b, mem, sizeof mem);
        CHECK(sioc_sas_token(&p, &b) == SIOC_ERR_RANGE);
        p.expiry = 5;
        p.key = S("");
        CHECK(sioc_sas_token(&p, &b) == SIOC_ERR_ARG);
        CHECK(sioc_sas_sign(S("k"), S("x"), -5, sig) == SIOC_ERR_RANGE);
    }
}

static void test_parse_token(void) {
    sioc_sas_token_view v;
    static const char *bad[] = {
        "",
        "SharedAccessSignature",
        "SharedAccessSignature ",
        "sharedaccesssignature sr=a&sig=b&se=1&skn=c",
        "SharedAccessSignature sr=a&sig=b&se=1",                 /* no skn */
        "SharedAccessSignature sr=a&sig=b&skn=c",                /* no se */
        "SharedAccessSignature sig=b&se=1&skn=c",                /* no sr */
        "SharedAccessSignature sr=a&sig=b&se=1&skn=c&sr=d",      /* repeated */
        "SharedAccessSignature sr=a&sig=b&se=-1&skn=c",
        "SharedAccessSignature sr=a&sig=b&se=1x&skn=c",
        "SharedAccessSignature sr=a&sig=b&se=9223372036854775808&skn=c", /* int64 overflow */
        "SharedAccessSignature sr=a&sig=&se=1&skn=c",
        "SharedAccessSignature sr=a&sig=b&se=1&skn=c&",
        "SharedAccessSignature sr=a&sig=b&se=1&skn=c&junk",
    };
    size_t i;
    for (i = 0; i < SIOC__COUNT(bad); i++) CHECKF(sioc_sas_parse_token(S(bad[i]), &v) == SIOC_ERR_PARSE, "%s", bad[i]);
    CHECK(sioc_sas_parse_token(S("SharedAccessSignature skn=c&x=y&se=9223372036854775807&sig=b&sr=a"), &v) == SIOC_OK);
    CHECK(v.se == INT64_C(9223372036854775807) && v.sr.len == 1 && v.sr.ptr[0] == 'a' && v.skn.ptr[0] == 'c');
    CHECK(sioc_sas_parse_token(S("SharedAccessSignature sr=a&sig=b&se=1&skn=c"), NULL) == SIOC_ERR_ARG);
    /* verify: a malformed signature length or escape is refused, not crashed on */
    CHECK(sioc_sas_verify(S("SharedAccessSignature sr=a&sig=%zz&se=5&skn=c"), S("c"), S("k"), 1) == SIOC_ERR_PARSE);
    CHECK(sioc_sas_verify(S("SharedAccessSignature sr=a&sig=abc&se=5&skn=c"), S("c"), S("k"), 1) == SIOC_ERR_AUTH);
}

static void test_renewal(void) {
    /* 3600 s tokens are renewed every 45 minutes, like @azure/service-bus's CBS renewal */
    int64_t t0 = 1700000000, exp = t0 + SIOC_SAS_DEFAULT_LIFETIME;
    CHECK(sioc_sas_renew_at(exp, SIOC_SAS_DEFAULT_LIFETIME) == t0 + 2700);
    CHECK(sioc_sas_renew_at(exp, 0) == t0 + 2700);
    CHECK(sioc_sas_should_renew(t0, exp, 0) == 0);
    CHECK(sioc_sas_should_renew(t0 + 2699, exp, 0) == 0);
    CHECK(sioc_sas_should_renew(t0 + 2700, exp, 0) == 1);
    CHECK(sioc_sas_should_renew(exp + 10, exp, 0) == 1);
    CHECK(sioc_sas_should_renew(t0, 0, 0) == 1); /* no token yet */
    CHECK(sioc_sas_renew_at(t0 + 300, 300) == t0 + 225);
    CHECK(sioc_sas_should_renew(t0 + 224, t0 + 300, 300) == 0);
    CHECK(sioc_sas_should_renew(t0 + 225, t0 + 300, 300) == 1);
}

static int str_is(sioc_str s, const char *lit) { return s.len == strlen(lit) && memcmp(s.ptr, lit, s.len) == 0; }

static void test_connection_strings(void) {
    sioc_sas_connstr c;
    static const struct {
        const char *text;
        sioc_result want;
        const char *detail; /* after "connection string: " (a prefix of the rest) */
    } cases[] = {
        /* accepted */
        {"Endpoint=sb://ns.servicebus.windows.net/;SharedAccessKeyName=Root;SharedAccessKey=abc=", SIOC_OK, NULL},
        {"  endpoint = sb://ns.servicebus.windows.net/ ; sharedaccesskeyname=Root ;SHAREDACCESSKEY= a ;;", SIOC_OK, NULL},
        {"Endpoint=sb://[::1]:5672;SharedAccessKeyName=R;SharedAccessKey=k;UseDevelopmentEmulator=TRUE", SIOC_OK, NULL},
        {"Endpoint=sb://h;SharedAccessKeyName=R;SharedAccessKey=k;UseDevelopmentEmulator=false;Foo=bar", SIOC_OK, NULL},
        {"Endpoint=sb://h;SharedAccessKeyName=R;SharedAccessKey=k;EntityPath=", SIOC_OK, NULL},
        {"Endpoint=sb://h/;SharedAccessSignature=SharedAccessSignature sr=a&sig=b&se=42&skn=c", SIOC_OK, NULL},
        /* syntax: SIOC_ERR_PARSE */
        {"Endpoint=sb://h;SharedAccessKeyName=R;SharedAccessKey=k;novalue", SIOC_ERR_PARSE, "a piece without '=' (expected Name=value;Name=value)"},
        {"Endpoint=sb://h;=x;SharedAccessKeyName=R;SharedAccessKey=k", SIOC_ERR_PARSE, "a piece with an empty name before '='"},
        {"Endpoint=sb://h;Endpoint=sb://g;SharedAccessKeyName=R;SharedAccessKey=k", SIOC_ERR_PARSE, "Endpoint given twice"},
        {"Endpoint=sb://h;SharedAccessKeyName=R\r\nX: y;SharedAccessKey=k", SIOC_ERR_PARSE, "SharedAccessKeyName holds a control character"},
        {"Endpoint=ns.servicebus.windows.net;SharedAccessKeyName=R;SharedAccessKey=k", SIOC_ERR_PARSE, "Endpoint has no scheme:// (Endpoint=sb://<namespace>.servicebus.windows.net/)"},
        {"Endpoint=sb://;SharedAccessKeyName=R;SharedAccessKey=k", SIOC_ERR_PARSE, "Endpoint has an empty or invalid host ("},
        {"Endpoint=sb://h:0;SharedAccessKeyName=R;SharedAccessKey=k", SIOC_ERR_PARSE, "Endpoint port is not 1..65535 ("},
        {"Endpoint=sb://h:65536;SharedAccessKeyName=R;SharedAccessKey=k", SIOC_ERR_PARSE, "Endpoint port is not 1..65535 ("},
        {"Endpoint=sb://h:;SharedAccessKeyName=R;SharedAccessKey=k", SIOC_ERR_PARSE, "Endpoint port is not 1..65535 ("},
        {"Endpoint=sb://h:5672x;SharedAccessKeyName=R;SharedAccessKey=k", SIOC_ERR_PARSE, "Endpoint has more than a path after host[:port] ("},
        {"Endpoint=sb://us@h;SharedAccessKeyName=R;SharedAccessKey=k", SIOC_ERR_PARSE, "Endpoint has more than a path after host[:port] ("},
        {"Endpoint=sb://h/?x;SharedAccessKeyName=R;SharedAccessKey=k", SIOC_ERR_PARSE, "Endpoint has a query or fragment ("},
        {"Endpoint=sb://[::1;SharedAccessKeyName=R;SharedAccessKey=k", SIOC_ERR_PARSE, "Endpoint has a bad [IPv6] host ("},
        {"Endpoint=sb://h;SharedAccessKeyName=R;SharedAccessKey=k;UseDevelopmentEmulator=1", SIOC_ERR_PARSE, "UseDevelopmentEmulator is neither true nor false"},
        {"Endpoint=sb://h;SharedAccessSignature=sr=a&sig=b&se=42&skn=c", SIOC_ERR_PARSE, "SharedAccessSignature is not a token ("},
        /* missing or conflicting fields: SIOC_ERR_ARG */
        {"", SIOC_ERR_ARG, "Endpoint missing (Endpoint=sb://"},
        {";;", SIOC_ERR_ARG, "Endpoint missing ("},
        {"SharedAccessKeyName=R;SharedAccessKey=k", SIOC_ERR_ARG, "Endpoint missing ("},
        {"Endpoint=;SharedAccessKeyName=R;SharedAccessKey=k", SIOC_ERR_ARG, "Endpoint missing ("},
        {"Endpoint=sb://h;SharedAccessKeyName=R", SIOC_ERR_ARG, "SharedAccessKeyName without SharedAccessKey"},
        {"Endpoint=sb://h;SharedAccessKey=k", SIOC_ERR_ARG, "SharedAccessKey without SharedAccessKeyName"},
        {"Endpoint=sb://h", SIOC_ERR_ARG, "no credentials: SharedAccessKeyName + SharedAccessKey, or SharedAccessSignature"},
        {"Endpoint=sb://h;SharedAccessKeyName=R;SharedAccessKey=k;SharedAccessSignature=SharedAccessSignature sr=a&sig=b&se=1&skn=c",
         SIOC_ERR_ARG, "SharedAccessSignature together with SharedAccessKey or SharedAccessKeyName"},
    };
    size_t i;
    for (i = 0; i < SIOC__COUNT(cases); i++) {
        sioc_result r = sioc_sas_parse_connection_string(S(cases[i].text), &c);
        CHECKF(r == cases[i].want, "case %u \"%s\": %d", (unsigned)i, cases[i].text, (int)r);
        if (r != SIOC_OK) CHECK(c.endpoint.ptr == NULL && c.key.len == 0 && c.port == 0);
        if (r != SIOC_OK && cases[i].detail)
            CHECKF(strncmp(c.detail, "connection string: ", 19) == 0 &&
                       strncmp(c.detail + 19, cases[i].detail, strlen(cases[i].detail)) == 0,
                   "case %u: detail \"%s\"", (unsigned)i, c.detail);
        if (r == SIOC_OK) CHECK_EQ_INT(c.detail[0], 0);
        /* never a value from the text: key "k" and key name "R" are not repeated */
        if (r != SIOC_OK) CHECK(strstr(c.detail, "=k") == NULL && strstr(c.detail, "=R") == NULL);
    }
    CHECK(sioc_sas_parse_connection_string(S("Endpoint=sb://h;SharedAccessKeyName=R;SharedAccessKey=k"), NULL) ==
          SIOC_ERR_ARG);

    /* fields: the real form, keys ending in '=' */
    CHECK(sioc_sas_parse_connection_string(
              S("Endpoint=sb://contoso.servicebus.windows.net/;SharedAccessKeyName=RootManageSharedAccessKey;"
                "SharedAccessKey=yBlsTfoXJmU2nmyb6UjAL3Zk8QxMSWo6OCMutbK7OSM=;EntityPath=socket.io"),
              &c) == SIOC_OK);
    CHECK(str_is(c.endpoint, "sb://contoso.servicebus.windows.net/") && str_is(c.scheme, "sb"));
    CHECK(str_is(c.host, "contoso.servicebus.windows.net") && c.port == 0);
    CHECK(str_is(c.key_name, "RootManageSharedAccessKey"));
    CHECK(str_is(c.key, "yBlsTfoXJmU2nmyb6UjAL3Zk8QxMSWo6OCMutbK7OSM="));
    CHECK(str_is(c.entity_path, "socket.io") && c.signature.len == 0 && c.use_development_emulator == 0);

    /* the test broker's AMQP form (docs/AZURE.md section 8) */
    CHECK(sioc_sas_parse_connection_string(S("Endpoint=sb://127.0.0.1:45672;SharedAccessKeyName=RootManageSharedAccessKey;"
                                             "SharedAccessKey=c2VjcmV0;UseDevelopmentEmulator=true"),
                                           &c) == SIOC_OK);
    CHECK(str_is(c.host, "127.0.0.1") && c.port == 45672 && c.use_development_emulator == 1 && str_is(c.key, "c2VjcmV0"));

    /* trimmed, case-insensitive names */
    CHECK(sioc_sas_parse_connection_string(
              S("  endpoint = sb://ns.servicebus.windows.net/ ; sharedaccesskeyname=Root ;SHAREDACCESSKEY= a= ;;"), &c) ==
          SIOC_OK);
    CHECK(str_is(c.host, "ns.servicebus.windows.net") && str_is(c.key_name, "Root") && str_is(c.key, "a="));

    CHECK(sioc_sas_parse_connection_string(S("Endpoint=sb://[::1]:5672/;SharedAccessKeyName=R;SharedAccessKey=k"), &c) ==
          SIOC_OK);
    CHECK(str_is(c.host, "[::1]") && c.port == 5672);

    /* a ready token: kept whole, its expiry exposed (it cannot be renewed) */
    CHECK(sioc_sas_parse_connection_string(
              S("Endpoint=sb://h/;SharedAccessSignature=SharedAccessSignature sr=a&sig=b%3D&se=1700003600&skn=c"), &c) ==
          SIOC_OK);
    CHECK(str_is(c.signature, "SharedAccessSignature sr=a&sig=b%3D&se=1700003600&skn=c"));
    CHECK(c.signature_expiry == 1700003600 && c.key.len == 0 && c.key_name.len == 0);
}

/* A token made for the namespace root verifies, and a second connection-string round trip signs the same. */
static void test_roundtrip(void) {
    sioc_sas_connstr c;
    const char *tok;
    CHECK(sioc_sas_parse_connection_string(
              S("Endpoint=sb://127.0.0.1:45672;SharedAccessKeyName=RootManageSharedAccessKey;SharedAccessKey=c2VjcmV0;"
                "UseDevelopmentEmulator=true"),
              &c) == SIOC_OK);
    tok = make_token("sb://127.0.0.1:45672/socket.io", "RootManageSharedAccessKey", "c2VjcmV0", 1795418653,
                     SIOC_SAS_CASE_PRESERVING);
    /* the CBS put-token body captured from @azure/core-amqp (sdk-wire-captured.json, core-amqp-cbs-captured) */
    CHECK(tok && strcmp(tok, "SharedAccessSignature sr=sb%3A%2F%2F127.0.0.1%3A45672%2Fsocket.io&sig=QH8ynH%2F%2B1a2uNi9uKMzJ"
                             "%2FUsB8U31IkFQRgHq6cGjEac%3D&se=1795418653&skn=RootManageSharedAccessKey") == 0);
    CHECK(tok && sioc_sas_verify(S(tok), c.key_name, c.key, 1795418000) == SIOC_OK);
    /* key names are percent-encoded in the token and compared decoded */
    tok = make_token("https://h/", "a b&c", "k", 100, SIOC_SAS_CASE_PRESERVING);
    CHECK(tok && strstr(tok, "&skn=a%20b%26c") != NULL && sioc_sas_verify(S(tok), S("a b&c"), S("k"), 1) == SIOC_OK);
    /* non-ASCII bytes are percent-encoded byte by byte (encodeURIComponent on UTF-8) */
    CHECK(strcmp(encode("https://h/\xc3\xa9", SIOC_SAS_CASE_PRESERVING), "https%3A%2F%2Fh%2F%C3%A9") == 0);
    CHECK(strcmp(encode("https://H/\xc3\x89", SIOC_SAS_LOWERCASED), "https%3a%2f%2fh%2f%c3%89") == 0);
}

int main(void) {
    RUN(test_generated_vectors);
    RUN(test_wire_vectors);
    RUN(test_published_examples);
    RUN(test_truncation_and_sizes);
    RUN(test_parse_token);
    RUN(test_renewal);
    RUN(test_connection_strings);
    RUN(test_roundtrip);
    free(text);
    return sioc_t_report("test_sas");
}
