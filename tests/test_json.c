/* JSON reader, getters and writer: JSONTestSuite, truncations, crafted documents, JSON.stringify escaping and
   JavaScript number formatting (table + randomized checks against the C library, used here only as an oracle). */
#define SIO_CLUSTER_IMPLEMENTATION
#include "sio_cluster.h"
#include "harness.h"

#define TOKS 4096
static sioc_json_tok g_toks[TOKS];

static uint64_t dbits(double v) {
    uint64_t b;
    memcpy(&b, &v, sizeof b);
    return b;
}
static double dfrom(uint64_t b) {
    double v;
    memcpy(&v, &b, sizeof v);
    return v;
}

static sioc_result parse_str(sioc_json *doc, const char *s) {
    return sioc_json_parse(doc, s, strlen(s), g_toks, TOKS);
}

/* Walks every token the way a consumer would; returns the number of tokens visited through first/next. */
static size_t walk_all(const sioc_json *doc) {
    size_t t, seen = 0;
    char buf[256];
    for (t = 0; t < doc->count; t++) {
        size_t n = 0;
        sioc_result r;
        double d;
        int64_t i;
        switch (sioc_json_type_of(doc, (int)t)) {
        case SIOC_JSON_STRING:
            r = sioc_json_get_str(doc, (int)t, buf, sizeof buf, &n);
            CHECK(r == SIOC_OK || (r == SIOC_ERR_BUFFER_TOO_SMALL && n >= sizeof buf));
            break;
        case SIOC_JSON_NUMBER:
            r = sioc_json_get_f64(doc, (int)t, &d);
            CHECK(r == SIOC_OK || r == SIOC_ERR_RANGE);
            r = sioc_json_get_i64(doc, (int)t, &i);
            CHECK(r == SIOC_OK || r == SIOC_ERR_RANGE || r == SIOC_ERR_TYPE);
            break;
        case SIOC_JSON_ARRAY:
        case SIOC_JSON_OBJECT: {
            int c;
            size_t k = 0;
            for (c = sioc_json_first(doc, (int)t); c >= 0; c = sioc_json_next(doc, c)) k++;
            CHECK_EQ_INT(k, sioc_json_count(doc, (int)t));
            seen += k;
            break;
        }
        default:
            break;
        }
    }
    return seen;
}

/* i_ cases this implementation accepts (the rest of the i_ cases are rejected); mirrors the list in json.c. */
static const char *const accepted_i[] = {
    "i_object_key_lone_2nd_surrogate.json", "i_string_1st_surrogate_but_2nd_missing.json",
    "i_string_1st_valid_surrogate_2nd_invalid.json", "i_string_incomplete_surrogate_and_escape_valid.json",
    "i_string_incomplete_surrogate_pair.json", "i_string_incomplete_surrogates_escape_valid.json",
    "i_string_invalid_lonely_surrogate.json", "i_string_invalid_surrogate.json",
    "i_string_inverted_surrogates_U+1D11E.json", "i_string_lone_second_surrogate.json",
    "i_number_double_huge_neg_exp.json", "i_number_huge_exp.json", "i_number_neg_int_huge_exp.json",
    "i_number_pos_double_huge_exp.json", "i_number_real_neg_overflow.json", "i_number_real_pos_overflow.json",
    "i_number_real_underflow.json", "i_number_too_big_neg_int.json", "i_number_too_big_pos_int.json",
    "i_number_very_big_negative_int.json"};

static int is_accepted_i(const char *name) {
    size_t k;
    for (k = 0; k < sizeof accepted_i / sizeof accepted_i[0]; k++)
        if (strcmp(name, accepted_i[k]) == 0) return 1;
    return 0;
}

/* Every prefix of a y_ case: accepted exactly when it still holds the whole value (when the value is not a
   bare number, whose prefixes may be numbers too); never a crash or an over-read (tight copies under ASan). */
static void check_prefixes(const char *name, const char *text, size_t len) {
    size_t vs = 0, ve = len, p;
    int numeric;
    while (vs < len && (text[vs] == ' ' || text[vs] == '\t' || text[vs] == '\n' || text[vs] == '\r')) vs++;
    while (ve > vs && (text[ve - 1] == ' ' || text[ve - 1] == '\t' || text[ve - 1] == '\n' || text[ve - 1] == '\r'))
        ve--;
    numeric = vs < len && (text[vs] == '-' || (text[vs] >= '0' && text[vs] <= '9'));
    for (p = 0; p < len; p++) {
        sioc_json doc;
        char *c = (char *)sioc_t_tight(text, p);
        sioc_result r = sioc_json_parse(&doc, c, p, g_toks, TOKS);
        if (!numeric) CHECKF((r == SIOC_OK) == (p >= ve), "%s prefix %u: %d", name, (unsigned)p, (int)r);
        if (r == SIOC_OK) walk_all(&doc);
        free(c);
    }
}

static void test_suite(void) {
    size_t ilen, pos = 0;
    char *index = sioc_t_read("vectors/json/index.txt", &ilen);
    int y = 0, y_ok = 0, n = 0, n_ok = 0, i_acc = 0, i_rej = 0, total = 0;
    while (pos < ilen) {
        char name[200], path[300];
        size_t e = pos, len;
        char *text, *tight;
        sioc_json doc;
        sioc_result r;
        while (e < ilen && index[e] != '\n') e++;
        if (e - pos == 0 || e - pos >= sizeof name) {
            pos = e + 1;
            continue;
        }
        memcpy(name, index + pos, e - pos);
        name[e - pos] = 0;
        pos = e + 1;
        snprintf(path, sizeof path, "vectors/json/test_parsing/%s", name);
        text = sioc_t_read(path, &len);
        tight = (char *)sioc_t_tight(text, len);
        r = sioc_json_parse(&doc, tight, len, g_toks, TOKS);
        total++;
        if (name[0] == 'y') {
            y++;
            CHECKF(r == SIOC_OK, "%s: %d at %u", name, (int)r, (unsigned)doc.error_at);
            if (r == SIOC_OK) {
                y_ok++;
                walk_all(&doc);
            }
            check_prefixes(name, text, len);
        } else if (name[0] == 'n') {
            n++;
            CHECKF(r != SIOC_OK, "%s accepted", name);
            CHECK(r == SIOC_OK || r == SIOC_ERR_PARSE || r == SIOC_ERR_LIMIT);
            if (r != SIOC_OK) n_ok++;
        } else {
            CHECKF((r == SIOC_OK) == is_accepted_i(name), "%s: %d (not the documented choice)", name, (int)r);
            CHECK(r == SIOC_OK || r == SIOC_ERR_PARSE || r == SIOC_ERR_LIMIT);
            if (r == SIOC_OK) {
                i_acc++;
                walk_all(&doc);
            } else {
                i_rej++;
            }
        }
        free(tight);
        free(text);
    }
    free(index);
    CHECK_EQ_INT(total, 318);
    CHECK_EQ_INT(y, 95);
    CHECK_EQ_INT(n, 188);
    CHECK_EQ_INT(i_acc, 20);
    CHECK_EQ_INT(i_rej, 15);
    printf("JSONTestSuite y: %d/%d accepted, n: %d/%d rejected, i: %d (%d accepted, %d rejected)\n", y_ok, y, n_ok, n,
           i_acc + i_rej, i_acc, i_rej);
}

static void test_specific_rejects(void) {
    static const char *const bad[] = {"", " ", "\xEF\xBB\xBF{}", "[1,]", "{\"a\":1,}", "01", "-", "1.", ".5", "1e",
                                      "+1", "[\"\\x\"]", "\"\\u12\"", "\"\x01\"", "\"\xC0\x80\"", "\"\xED\xA0\x80\"",
                                      "\"\xF4\x90\x80\x80\"", "\"\xE2\x82\"", "nul", "truex", "[1 2]", "{\"a\" 1}",
                                      "{1:2}", "[]]", "{}}", "[", "\"abc", "1 2", "\t\f1", "NaN", "-Infinity",
                                      "[01]", "\"\\U0041\""};
    size_t k;
    sioc_json doc;
    for (k = 0; k < sizeof bad / sizeof bad[0]; k++)
        CHECKF(parse_str(&doc, bad[k]) == SIOC_ERR_PARSE, "case %u", (unsigned)k);
    CHECK(parse_str(&doc, "[1,]") == SIOC_ERR_PARSE && doc.error_at == 3);
    CHECK(parse_str(&doc, "{\"a\":tru}") == SIOC_ERR_PARSE && doc.error_at == 5);
    /* embedded NUL outside a string is garbage; inside it is a raw control character */
    CHECK(sioc_json_parse(&doc, "1\0", 2, g_toks, TOKS) == SIOC_ERR_PARSE);
    CHECK(sioc_json_parse(&doc, "\"\0\"", 3, g_toks, TOKS) == SIOC_ERR_PARSE);
    CHECK(sioc_json_parse(&doc, "12", 1, g_toks, TOKS) == SIOC_OK); /* the length counts, not the NUL */
}

static void test_tokens_and_navigation(void) {
    sioc_json doc;
    const char *t = " {\"a\":{\"b\":[1,2,{\"c\":\"x\"}]},\"k\\u00e9y\":true,\"n\":null,\"e\":[],\"o\":{}} ";
    sioc_json_tok small[4];
    int a, b, k;
    CHECK(parse_str(&doc, t) == SIOC_OK);
    CHECK_EQ_INT(doc.count, 18);
    CHECK(sioc_json_type_of(&doc, 0) == SIOC_JSON_OBJECT && sioc_json_count(&doc, 0) == 5);
    CHECK(sioc_json_raw(&doc, 0).len == strlen(t) - 2 && sioc_json_raw(&doc, 0).ptr == t + 1);
    a = sioc_json_find(&doc, 0, "a");
    CHECK(sioc_json_type_of(&doc, a) == SIOC_JSON_OBJECT);
    b = sioc_json_path(&doc, 0, "a.b");
    CHECK(sioc_json_type_of(&doc, b) == SIOC_JSON_ARRAY && sioc_json_count(&doc, b) == 3);
    CHECK(sioc_json_str_eq(&doc, sioc_json_path(&doc, 0, "a.b[2].c"), "x", 1));
    CHECK(sioc_json_path(&doc, 0, "a.b[3]") == -1);
    CHECK(sioc_json_path(&doc, 0, "a.b[x]") == -1);
    CHECK(sioc_json_path(&doc, 0, "a.b[1") == -1);
    CHECK(sioc_json_path(&doc, 0, "a.zz") == -1);
    CHECK(sioc_json_path(&doc, 0, "") == 0);
    CHECK(sioc_json_path(&doc, b, "[1]") == sioc_json_at(&doc, b, 1));
    CHECK(sioc_json_path(&doc, -1, "a") == -1);
    CHECK(sioc_json_path(&doc, 0, NULL) == -1);
    {
        int64_t v = 0;
        CHECK(sioc_json_get_i64(&doc, sioc_json_path(&doc, 0, "a.b[1]"), &v) == SIOC_OK && v == 2);
    }
    /* keys are compared unescaped */
    k = sioc_json_find(&doc, 0, "k\xC3\xA9y");
    {
        int bv = 0;
        CHECK(sioc_json_get_bool(&doc, k, &bv) == SIOC_OK && bv == 1);
    }
    CHECK(sioc_json_find(&doc, 0, "k\\u00e9y") == -1);
    CHECK(sioc_json_is_null(&doc, sioc_json_find(&doc, 0, "n")));
    CHECK(sioc_json_first(&doc, sioc_json_find(&doc, 0, "e")) == -1);
    CHECK(sioc_json_first(&doc, sioc_json_find(&doc, 0, "o")) == -1);
    CHECK(sioc_json_count(&doc, sioc_json_find(&doc, 0, "o")) == 0);
    /* keys: first/next walk keys; next from a value also gives the next key */
    k = sioc_json_first(&doc, 0);
    CHECK(sioc_json_str_eq(&doc, k, "a", 1) && doc.toks[k].is_key);
    k = sioc_json_next(&doc, k);
    CHECK(sioc_json_type_of(&doc, k) == SIOC_JSON_STRING && doc.toks[k].escaped);
    CHECK(sioc_json_next(&doc, a) == k);
    k = sioc_json_next(&doc, sioc_json_next(&doc, sioc_json_next(&doc, k)));
    CHECK(sioc_json_str_eq(&doc, k, "o", 1));
    CHECK(sioc_json_next(&doc, k) == -1);
    CHECK(sioc_json_next(&doc, 0) == -1);
    CHECK(sioc_json_next(&doc, sioc_json_at(&doc, b, 2)) == -1);
    CHECK(sioc_json_at(&doc, b, 0) == b + 1);
    CHECK(sioc_json_at(&doc, 0, 0) == -1); /* not an array */
    CHECK(sioc_json_type_of(&doc, -1) == SIOC_JSON_INVALID && sioc_json_type_of(&doc, 1000) == SIOC_JSON_INVALID);
    CHECK(sioc_json_first(&doc, -1) == -1 && sioc_json_next(&doc, -1) == -1 && sioc_json_find(&doc, -1, "a") == -1);
    CHECK(sioc_json_raw(&doc, -1).len == 0);
    /* the last duplicate wins, as in JSON.parse */
    CHECK(parse_str(&doc, "{\"a\":\"b\",\"a\":\"c\"}") == SIOC_OK);
    CHECK(sioc_json_str_eq(&doc, sioc_json_find(&doc, 0, "a"), "c", 1));
    /* scalars at the top */
    CHECK(parse_str(&doc, " 42 ") == SIOC_OK && doc.count == 1 && sioc_json_type_of(&doc, 0) == SIOC_JSON_NUMBER);
    CHECK(sioc_json_raw(&doc, 0).len == 2);
    /* token array too small: reported, with the count needed */
    CHECK(sioc_json_parse(&doc, t, strlen(t), small, 4) == SIOC_ERR_BUFFER_TOO_SMALL);
    CHECK_EQ_INT(doc.count, 18);
    CHECK(sioc_json_parse(&doc, t, strlen(t), NULL, 0) == SIOC_ERR_BUFFER_TOO_SMALL && doc.count == 18);
    CHECK(sioc_json_parse(&doc, "[1,2,3", 6, small, 2) == SIOC_ERR_PARSE); /* syntax errors still win */
    CHECK(sioc_json_parse(&doc, "[1,2,3]", 7, small, 4) == SIOC_OK && doc.count == 4);
    CHECK(sioc_json_parse(&doc, "[1,2,3]", 7, small, 3) == SIOC_ERR_BUFFER_TOO_SMALL && doc.count == 4);
}

static void test_depth(void) {
    char buf[2 * (SIOC_MAX_JSON_DEPTH + 1) + 1];
    sioc_json doc;
    int d;
    for (d = 0; d < SIOC_MAX_JSON_DEPTH; d++) {
        buf[d] = '[';
        buf[SIOC_MAX_JSON_DEPTH + d] = ']';
    }
    CHECK(sioc_json_parse(&doc, buf, 2 * SIOC_MAX_JSON_DEPTH, g_toks, TOKS) == SIOC_OK);
    CHECK_EQ_INT(doc.count, SIOC_MAX_JSON_DEPTH);
    for (d = 0; d <= SIOC_MAX_JSON_DEPTH; d++) {
        buf[d] = d & 1 ? '[' : '{';
        if (!(d & 1)) buf[d] = '[';
        buf[SIOC_MAX_JSON_DEPTH + 1 + d] = ']';
    }
    CHECK(sioc_json_parse(&doc, buf, 2 * (SIOC_MAX_JSON_DEPTH + 1), g_toks, TOKS) == SIOC_ERR_LIMIT);
    CHECK_EQ_INT(doc.error_at, SIOC_MAX_JSON_DEPTH);
    /* mixed objects and arrays, and the bit stack still right after many open/close cycles */
    CHECK(parse_str(&doc, "{\"a\":[{\"b\":[[],{}]},{\"c\":{\"d\":[1]}}],\"e\":{\"f\":[{}]}}") == SIOC_OK);
    CHECK(sioc_json_type_of(&doc, sioc_json_path(&doc, 0, "a[1].c.d[0]")) == SIOC_JSON_NUMBER);
    CHECK(parse_str(&doc, "{\"a\":[}") == SIOC_ERR_PARSE);
    CHECK(parse_str(&doc, "[{]}") == SIOC_ERR_PARSE);
}

static void test_strings(void) {
    sioc_json doc;
    char out[64];
    size_t n = 0;
    CHECK(parse_str(&doc, "[\"a\\\"b\\\\c\\/d\\b\\f\\n\\r\\t\", \"\\u00e9\\u20AC\\ud83d\\ude00\", \"\\ud800x\", "
                          "\"\\udc00\\ud800\", \"plain\", \"\", \"\\u0000\"]") == SIOC_OK);
    CHECK(sioc_json_get_str(&doc, 1, out, sizeof out, &n) == SIOC_OK);
    CHECK_MEM(out, n, "a\"b\\c/d\b\f\n\r\t", 12);
    CHECK(out[n] == 0);
    CHECK(sioc_json_get_str(&doc, 2, out, sizeof out, &n) == SIOC_OK);
    CHECK_MEM(out, n, "\xC3\xA9\xE2\x82\xAC\xF0\x9F\x98\x80", 9);
    CHECK(sioc_json_str_eq(&doc, 2, "\xC3\xA9\xE2\x82\xAC\xF0\x9F\x98\x80", 9));
    CHECK(!sioc_json_str_eq(&doc, 2, "\xC3\xA9\xE2\x82\xAC\xF0\x9F\x98", 8));
    CHECK(sioc_json_get_str(&doc, 3, out, sizeof out, &n) == SIOC_OK); /* lone surrogate: WTF-8 */
    CHECK_MEM(out, n, "\xED\xA0\x80x", 4);
    CHECK(sioc_json_get_str(&doc, 4, out, sizeof out, &n) == SIOC_OK); /* reversed pair: two lone ones */
    CHECK_MEM(out, n, "\xED\xB0\x80\xED\xA0\x80", 6);
    CHECK(sioc_json_get_str(&doc, 5, out, sizeof out, &n) == SIOC_OK && n == 5 && strcmp(out, "plain") == 0);
    CHECK(sioc_json_get_str(&doc, 6, out, sizeof out, &n) == SIOC_OK && n == 0 && out[0] == 0);
    CHECK(sioc_json_str_eq(&doc, 6, "", 0) && !sioc_json_str_eq(&doc, 6, "a", 1));
    CHECK(sioc_json_get_str(&doc, 7, out, sizeof out, &n) == SIOC_OK && n == 1 && out[0] == 0);
    /* buffer sizes: exact fit without room for the NUL, too small, measuring with NULL */
    memset(out, 'Z', sizeof out);
    CHECK(sioc_json_get_str(&doc, 5, out, 5, &n) == SIOC_ERR_BUFFER_TOO_SMALL && n == 5);
    CHECK(memcmp(out, "plainZ", 6) == 0);
    memset(out, 'Z', sizeof out);
    CHECK(sioc_json_get_str(&doc, 1, out, 3, &n) == SIOC_ERR_BUFFER_TOO_SMALL && n == 12);
    CHECK(memcmp(out, "a\"bZ", 4) == 0);
    CHECK(sioc_json_get_str(&doc, 2, NULL, 0, &n) == SIOC_ERR_BUFFER_TOO_SMALL && n == 9);
    CHECK(sioc_json_get_str(&doc, 6, out, 1, &n) == SIOC_OK && n == 0);
    CHECK(sioc_json_get_str(&doc, 0, out, sizeof out, &n) == SIOC_ERR_TYPE);
    CHECK(sioc_json_get_str(&doc, -1, out, sizeof out, &n) == SIOC_ERR_NOT_FOUND);
    CHECK(sioc_json_raw(&doc, 1).len == 20);
}

static void test_integers(void) {
    static const struct {
        const char *text;
        sioc_result r;
        int64_t v;
    } cases[] = {{"0", SIOC_OK, 0},
                 {"-0", SIOC_OK, 0},
                 {"42", SIOC_OK, 42},
                 {"-42", SIOC_OK, -42},
                 {"9223372036854775807", SIOC_OK, INT64_MAX},
                 {"-9223372036854775808", SIOC_OK, INT64_MIN},
                 {"9223372036854775808", SIOC_ERR_RANGE, 0},
                 {"-9223372036854775809", SIOC_ERR_RANGE, 0},
                 {"18446744073709551615", SIOC_ERR_RANGE, 0},
                 {"18446744073709551616", SIOC_ERR_RANGE, 0},
                 {"123456789012345678901234567890", SIOC_ERR_RANGE, 0},
                 {"1.0", SIOC_ERR_TYPE, 0},
                 {"1e3", SIOC_ERR_TYPE, 0},
                 {"\"1\"", SIOC_ERR_TYPE, 0},
                 {"true", SIOC_ERR_TYPE, 0}};
    size_t k;
    for (k = 0; k < sizeof cases / sizeof cases[0]; k++) {
        sioc_json doc;
        int64_t v = 7;
        sioc_result r;
        CHECK(parse_str(&doc, cases[k].text) == SIOC_OK);
        r = sioc_json_get_i64(&doc, 0, &v);
        CHECKF(r == cases[k].r, "%s: %d", cases[k].text, (int)r);
        if (r == SIOC_OK) CHECKF(v == cases[k].v, "%s", cases[k].text);
    }
    {
        sioc_json doc;
        int b = 5;
        int64_t v;
        double d;
        CHECK(parse_str(&doc, "[false,null]") == SIOC_OK);
        CHECK(sioc_json_get_bool(&doc, 1, &b) == SIOC_OK && b == 0);
        CHECK(sioc_json_get_bool(&doc, 2, &b) == SIOC_ERR_TYPE);
        CHECK(sioc_json_is_null(&doc, 2) && !sioc_json_is_null(&doc, 1) && !sioc_json_is_null(&doc, -1));
        CHECK(sioc_json_get_i64(&doc, 5, &v) == SIOC_ERR_NOT_FOUND);
        CHECK(sioc_json_get_f64(&doc, 2, &d) == SIOC_ERR_TYPE);
        CHECK(sioc_json_get_bool(&doc, -1, &b) == SIOC_ERR_NOT_FOUND);
    }
}

/* get_f64 on text t must give exactly the double with bits `want` (and result r). */
static void check_f64(const char *t, uint64_t want, sioc_result wr) {
    sioc_json doc;
    double d = 1;
    sioc_result r;
    CHECKF(parse_str(&doc, t) == SIOC_OK, "%s", t);
    r = sioc_json_get_f64(&doc, 0, &d);
    CHECKF(r == wr && dbits(d) == want, "%s: got %d %.17g (%016llx) want %016llx", t, (int)r, d,
           (unsigned long long)dbits(d), (unsigned long long)want);
}

static uint64_t g_rng = 0x9E3779B97F4A7C15u;
static uint64_t rnd(void) { /* xorshift64*: deterministic */
    g_rng ^= g_rng >> 12;
    g_rng ^= g_rng << 25;
    g_rng ^= g_rng >> 27;
    return g_rng * 0x2545F4914F6CDD1Du;
}

static void test_parse_doubles(void) {
    int k;
    check_f64("0", 0, SIOC_OK);
    check_f64("-0", (uint64_t)1 << 63, SIOC_OK);
    check_f64("-0.0e-5", (uint64_t)1 << 63, SIOC_OK);
    check_f64("1", 0x3FF0000000000000u, SIOC_OK);
    check_f64("0.1", 0x3FB999999999999Au, SIOC_OK);
    check_f64("123.456", 0x405EDD2F1A9FBE77u, SIOC_OK);
    check_f64("1.7976931348623157e308", 0x7FEFFFFFFFFFFFFFu, SIOC_OK);
    check_f64("1.7976931348623158e308", 0x7FEFFFFFFFFFFFFFu, SIOC_OK); /* rounds down to max */
    check_f64("1.7976931348623159e308", 0x7FF0000000000000u, SIOC_ERR_RANGE);
    check_f64("-1e400", 0xFFF0000000000000u, SIOC_ERR_RANGE);
    check_f64("5e-324", 1, SIOC_OK);
    check_f64("4.9406564584124654e-324", 1, SIOC_OK);
    check_f64("2.4703282292062328e-324", 1, SIOC_OK);                 /* just above half of the minimum */
    check_f64("2.4703282292062327e-324", 0, SIOC_OK);                 /* just below: zero */
    check_f64("2.4703282292062327208828439643411068618252990130716238221279284125033775363510437593264991818081799618"
              "989828234772285886546332835517796989819938739800539093906315035659515570226392290858392449105184435931"
              "802849936536152500319370457678249219365623669863658480757001585769269903706311928279558551332927834338"
              "409351978015531246597263579574622766465272827220056374006485499977096599470454020828166226237857393450"
              "736339007967761930577506740176324673600968951340535537458516661134223766678604162159680461914467291840"
              "300530057530849048765391711386591646239524912623653881879636239373280423891018672348497668235089863388"
              "58792562830275599565752445550725518931369083625477918694866799496832404970582102851318545139621383772"
              "282614543769341253209859132766723632812500000000e-324",
              0, SIOC_OK); /* exactly half of the minimum subnormal: ties to even (0) */
    check_f64("2.4703282292062327208828439643411068618252990130716238221279284125033775363510437593264991818081799618"
              "989828234772285886546332835517796989819938739800539093906315035659515570226392290858392449105184435931"
              "802849936536152500319370457678249219365623669863658480757001585769269903706311928279558551332927834338"
              "409351978015531246597263579574622766465272827220056374006485499977096599470454020828166226237857393450"
              "736339007967761930577506740176324673600968951340535537458516661134223766678604162159680461914467291840"
              "300530057530849048765391711386591646239524912623653881879636239373280423891018672348497668235089863388"
              "58792562830275599565752445550725518931369083625477918694866799496832404970582102851318545139621383772"
              "2826145437693412532098591327667236328125000000001e-324",
              1, SIOC_OK); /* a hair above half, far past the 800 kept digits: the sticky bit decides */
    check_f64("2.2250738585072011e-308", 0x000FFFFFFFFFFFFFu, SIOC_OK); /* the PHP/Java hang value */
    check_f64("2.2250738585072012e-308", 0x0010000000000000u, SIOC_OK);
    check_f64("2.2250738585072014e-308", 0x0010000000000000u, SIOC_OK);
    check_f64("9007199254740993", 0x4340000000000000u, SIOC_OK); /* 2^53+1: tie to even */
    check_f64("9007199254740995", 0x4340000000000002u, SIOC_OK);
    check_f64("9007199254740993.0000000000000000000001", 0x4340000000000001u, SIOC_OK);
    check_f64("1e23", 0x44B52D02C7E14AF6u, SIOC_OK);
    check_f64("8.98846567431158e307", 0x7FE0000000000000u, SIOC_OK);
    check_f64("1e-400", 0, SIOC_OK);
    check_f64("0.000000000000000000000000000000000000000000001e45", 0x3FF0000000000000u, SIOC_OK);
    check_f64("100000000000000000000000000000000000000000000e-44", 0x3FF0000000000000u, SIOC_OK);
    check_f64("18446744073709551615", 0x43F0000000000000u, SIOC_OK);
    check_f64("-123456789012345678901234567890e-10", dbits(-123456789012345678901234567890e-10), SIOC_OK);
    check_f64("1e99999999999999999999", 0x7FF0000000000000u, SIOC_ERR_RANGE);
    check_f64("1e-99999999999999999999", 0, SIOC_OK);
    /* random decimal strings against the C library (glibc's strtod is correctly rounded) */
    for (k = 0; k < 30000; k++) {
        char t[80];
        int nd = 1 + (int)(rnd() % 25), pt = (int)(rnd() % (unsigned)(nd + 1)), e = (int)(rnd() % 700) - 350, i, m = 0;
        if (rnd() & 1) t[m++] = '-';
        for (i = 0; i < nd; i++) {
            if (i == pt && i > 0) t[m++] = '.';
            t[m++] = (char)('0' + (i == 0 && nd > 1 && pt != 1 ? 1 + rnd() % 9 : rnd() % 10));
        }
        if (k % 4) m += snprintf(t + m, sizeof t - (size_t)m, "e%d", k % 3 ? e : e / 16);
        t[m] = 0;
        {
            sioc_json doc;
            double d = 0, want = strtod(t, NULL);
            sioc_result r;
            if (parse_str(&doc, t) != SIOC_OK) continue; /* leading zero forms like 05: not JSON */
            r = sioc_json_get_f64(&doc, 0, &d);
            CHECKF(dbits(d) == dbits(want) && (r == SIOC_OK) == (dbits(want) << 1 != (uint64_t)0x7FF << 53), "%s",
                   t);
        }
    }
    /* exact decimal forms of random doubles (printf %.40e is exact at this length in glibc) parse back exactly */
    for (k = 0; k < 5000; k++) {
        char t[80];
        sioc_json doc;
        uint64_t b = rnd() & 0x7FFFFFFFFFFFFFFFu;
        double v = dfrom(b), d = 0;
        if ((b >> 52) == 0x7FF) continue;
        snprintf(t, sizeof t, "%.40e", v);
        CHECK(parse_str(&doc, t) == SIOC_OK && sioc_json_get_f64(&doc, 0, &d) == SIOC_OK);
        CHECKF(dbits(d) == b, "%s", t);
    }
}

/* ---- writer ---- */

static void check_fmt(double v, const char *want) {
    char out[SIOC_JSON_F64_MAX];
    size_t n = sioc_json_format_f64(v, out);
    CHECKF(n == strlen(want) && strcmp(out, want) == 0, "%.17g: got %s want %s", v, out, want);
}

static void test_format_table(void) {
    /* what node prints for String(x) / JSON.stringify(x) */
    check_fmt(0.1, "0.1");
    check_fmt(1e21, "1e+21");
    check_fmt(1e-7, "1e-7");
    check_fmt(123.456, "123.456");
    check_fmt(5e-324, "5e-324");
    check_fmt(-5e-324, "-5e-324");
    check_fmt(1.7976931348623157e308, "1.7976931348623157e+308");
    check_fmt(-1.7976931348623157e308, "-1.7976931348623157e+308");
    check_fmt(0.000001, "0.000001");
    check_fmt(0.0000015, "0.0000015");
    check_fmt(9007199254740992.0, "9007199254740992");
    check_fmt(9007199254740994.0, "9007199254740994");
    check_fmt(-9007199254740992.0, "-9007199254740992");
    check_fmt(1e20, "100000000000000000000");
    check_fmt(123456789012345680000.0, "123456789012345680000");
    check_fmt(18446744073709551616.0, "18446744073709552000");
    check_fmt(999999999999999900000.0, "999999999999999900000");
    check_fmt(0.30000000000000004, "0.30000000000000004");
    check_fmt(1.0 / 3.0, "0.3333333333333333");
    check_fmt(2.0 / 3.0, "0.6666666666666666");
    check_fmt(-1.5e-10, "-1.5e-10");
    check_fmt(2.2250738585072014e-308, "2.2250738585072014e-308");
    check_fmt(2.225073858507201e-308, "2.225073858507201e-308");
    check_fmt(1e23, "1e+23");
    check_fmt(1e22, "1e+22");
    check_fmt(9.5367431640625e-7, "9.5367431640625e-7");
    check_fmt(1.23e-18, "1.23e-18");
    check_fmt(1.5, "1.5");
    check_fmt(-0.0, "0");
    check_fmt(0.0, "0");
    check_fmt(100.0, "100");
    check_fmt(1e6, "1000000");
    check_fmt(-42.0, "-42");
    check_fmt(4.35, "4.35");
    check_fmt(1.1, "1.1");
    check_fmt(1.0000000000000002, "1.0000000000000002");
    check_fmt(0.9999999999999999, "0.9999999999999999");
    check_fmt(5e-7, "5e-7");
    check_fmt(1.2345e-6, "0.0000012345");
    check_fmt(9.99999999999999e-7, "9.99999999999999e-7");
    check_fmt(1e100, "1e+100");
    check_fmt(1.5e300, "1.5e+300");
    check_fmt(2.5, "2.5");
    check_fmt(8.41e21, "8.41e+21");
    check_fmt(5e-310, "5e-310");
    check_fmt(2.983e-310, "2.983e-310");
    check_fmt(4.4501477170144023e-308, "4.4501477170144023e-308");
    check_fmt(1.7976931348623155e308, "1.7976931348623155e+308");
    check_fmt(3.141592653589793, "3.141592653589793");
    check_fmt(0.7999999999999999, "0.7999999999999999"); /* 0.1 + 0.7 */
    check_fmt(1234.5678, "1234.5678");
    check_fmt(1e-6 * 0.5, "5e-7");
    check_fmt(9007199254740993.0 * 2, "18014398509481984");
    check_fmt(295147905179352830000.0, "295147905179352830000"); /* 2^68 */
    check_fmt(-0.0000012345678901234567, "-0.0000012345678901234567"); /* the longest form: 25 chars */
    check_fmt(-1.2345678901234568e-300, "-1.2345678901234568e-300");
    check_fmt(dfrom(0x7FF8000000000000u), "NaN");
    check_fmt(dfrom(0x7FF0000000000000u), "Infinity");
    check_fmt(dfrom(0xFFF0000000000000u), "-Infinity");
}

/* significant digits of a decimal text (no sign, point, exponent, leading or trailing zeros) */
static void sig_digits(const char *s, char *out) {
    int n = 0;
    for (; *s && *s != 'e' && *s != 'E'; s++) {
        if (*s < '0' || *s > '9') continue;
        if (n == 0 && *s == '0') continue;
        out[n++] = *s;
    }
    while (n > 0 && out[n - 1] == '0') n--;
    out[n] = 0;
}

/* Shortest round-trip check with the C library as oracle: for each length p, the p-digit candidates are printf's
   correctly rounded value D and its neighbours D-1, D+1 (needed next to powers of two, where the gap below is
   half the gap above and the closest p-digit value may miss while a neighbour fits). The first p where one reads
   back as v is the minimum; there, the closest candidate that reads back must be what we printed.
   The oracle needs a correctly rounding strtod: Windows' C runtime (mingw-w64 build under wine) has none, so
   there only the round trip is checked (libc_exact() below; the digit check runs in every other build). */
static int g_libc_exact = 1;
static int libc_exact(void) { /* 6.083493012144511e-210 lies outside the rounding interval of 0x1480000000000000 */
    return strtod("6.083493012144511e-210", NULL) != dfrom(0x1480000000000000u);
}

static void check_shortest(double v) {
    char mine[SIOC_JSON_F64_MAX], ref[64], a[32], b[40];
    int p, found = 0;
    double back, av = v < 0 ? -v : v;
    size_t n = sioc_json_format_f64(v, mine);
    back = strtod(mine, NULL);
    CHECKF(dbits(back) == dbits(v) || (v == 0 && back == 0), "%.17g printed %s", v, mine);
    CHECK(n == strlen(mine) && n < SIOC_JSON_F64_MAX);
    CHECKF((strchr(mine, 'e') == NULL) == (av == 0 || (av >= 1e-6 && av < 1e21)), "%s", mine);
    if (v == 0 || !g_libc_exact) return;
    sig_digits(mine, a);
    for (p = 1; p <= 17 && !found; p++) {
        unsigned long long d = 0;
        int x, j, m;
        char *e;
        snprintf(ref, sizeof ref, "%.*e", p - 1, av);
        e = strchr(ref, 'e');
        x = atoi(e + 1) - (p - 1);
        for (m = 0; ref + m < e; m++)
            if (ref[m] >= '0' && ref[m] <= '9') d = d * 10 + (unsigned long long)(ref[m] - '0');
        for (j = 0; j < 3 && !found; j++) { /* D first (closest), then the neighbours */
            unsigned long long c = j == 0 ? d : j == 1 ? d + 1 : d - 1;
            char cs[40];
            if (c == 0) continue;
            snprintf(cs, sizeof cs, "%llue%d", c, x);
            if (dbits(strtod(cs, NULL)) == dbits(av)) {
                found = 1;
                snprintf(cs, sizeof cs, "%llu", c);
                sig_digits(cs, b);
                if (j > 0) { /* both neighbours may fit: accept either when D itself does not */
                    char other[40], ob[32];
                    unsigned long long c2 = j == 1 ? d - 1 : d + 1;
                    snprintf(other, sizeof other, "%llue%d", c2, x);
                    if (dbits(strtod(other, NULL)) == dbits(av)) {
                        snprintf(other, sizeof other, "%llu", c2);
                        sig_digits(other, ob);
                        if (strcmp(a, ob) == 0) strcpy(b, ob);
                    }
                }
            }
        }
    }
    CHECKF(found && strcmp(a, b) == 0, "%.17g: mine %s, expected digits %s", v, mine, b);
}

static void test_format_random(void) {
    int k;
    for (k = 0; k < 20000; k++) {
        uint64_t b = rnd();
        if (((b >> 52) & 0x7FF) == 0x7FF) continue;
        check_shortest(dfrom(b));
    }
    for (k = 0; k < 5000; k++) { /* short decimals, integers, powers of two and ten, subnormals */
        char t[40];
        double v;
        snprintf(t, sizeof t, "%llue%d", (unsigned long long)(rnd() % 100000), (int)(rnd() % 60) - 30);
        v = strtod(t, NULL);
        check_shortest(v);
        check_shortest(dfrom(rnd() & 0x000FFFFFFFFFFFFFu));
        check_shortest(dfrom((uint64_t)(rnd() % 2046 + 1) << 52));
        check_shortest((double)(int64_t)(rnd() >> (rnd() % 64)));
    }
    for (k = 0; k < 20000; k++) /* 1/16 <= v < 2^54: the uint64 path */
        check_shortest(dfrom(((uint64_t)(1019 + rnd() % 56) << 52) | (rnd() >> 12)));
    check_shortest(dfrom(1));
    check_shortest(dfrom(0x000FFFFFFFFFFFFFu));
    check_shortest(dfrom(0x0010000000000000u));
    check_shortest(dfrom(0x7FEFFFFFFFFFFFFFu));
}

static size_t write_doc(char *mem, size_t cap, int variant) {
    sioc_buf b;
    sioc_json_writer w;
    sioc_buf_init(&b, mem, cap);
    sioc_json_writer_init(&w, &b);
    sioc_json_write_object_begin(&w);
    sioc_json_write_key(&w, "a", 1);
    sioc_json_write_array_begin(&w);
    sioc_json_write_i64(&w, -1);
    sioc_json_write_u64(&w, 18446744073709551615u);
    sioc_json_write_f64(&w, 0.5);
    sioc_json_write_bool(&w, 1);
    sioc_json_write_bool(&w, 0);
    sioc_json_write_null(&w);
    sioc_json_write_array_begin(&w);
    sioc_json_write_array_end(&w);
    sioc_json_write_object_begin(&w);
    sioc_json_write_object_end(&w);
    sioc_json_write_raw(&w, "{\"r\":1}", 7);
    sioc_json_write_array_end(&w);
    sioc_json_write_key(&w, "b\"", 2);
    sioc_json_write_str(&w, "x", 1);
    if (variant == 1) sioc_json_write_array_end(&w); /* wrong: unbalanced */
    sioc_json_write_object_end(&w);
    return b.len;
}

static void test_writer_structure(void) {
    char mem[128];
    const char *want = "{\"a\":[-1,18446744073709551615,0.5,true,false,null,[],{},{\"r\":1}],\"b\\\"\":\"x\"}";
    sioc_buf b;
    sioc_json_writer w;
    size_t n = write_doc(mem, sizeof mem, 0);
    CHECK_MEM(mem, n, want, strlen(want));
    /* too small: the needed size is reported and nothing is written past cap */
    mem[10] = 'Z';
    sioc_buf_init(&b, mem, 10);
    CHECK(write_doc(mem, 10, 0) == strlen(want));
    CHECK(mem[10] == 'Z');
    /* state errors are sticky */
    sioc_buf_init(&b, mem, sizeof mem);
    sioc_json_writer_init(&w, &b);
    sioc_json_write_array_end(&w);
    CHECK(sioc_buf_result(&b) == SIOC_ERR_STATE);
    sioc_buf_init(&b, mem, sizeof mem);
    sioc_json_writer_init(&w, &b);
    sioc_json_write_object_begin(&w);
    sioc_json_write_key(&w, "k", 1);
    sioc_json_write_object_end(&w);
    CHECK(sioc_buf_result(&b) == SIOC_ERR_STATE);
    sioc_buf_init(&b, mem, sizeof mem);
    sioc_json_writer_init(&w, &b);
    sioc_json_write_i64(&w, 1);
    CHECK(sioc_buf_result(&b) == SIOC_OK);
    sioc_json_write_i64(&w, 2);
    CHECK(sioc_buf_result(&b) == SIOC_ERR_STATE);
    {
        char big[4 * (SIOC_JSON_WRITE_DEPTH + 2)];
        int d;
        sioc_buf_init(&b, big, sizeof big);
        sioc_json_writer_init(&w, &b);
        /* the writer goes deeper than the reader: frames wrap placeholders around values of the full depth */
        for (d = 0; d < SIOC_JSON_WRITE_DEPTH; d++) sioc_json_write_array_begin(&w);
        sioc_json_write_i64(&w, 1);
        sioc_json_write_i64(&w, 2);
        for (d = 0; d < SIOC_JSON_WRITE_DEPTH; d++) sioc_json_write_array_end(&w);
        CHECK(sioc_buf_result(&b) == SIOC_OK && b.len == 2 * SIOC_JSON_WRITE_DEPTH + 3);
        CHECK(memcmp(big + SIOC_JSON_WRITE_DEPTH, "1,2]", 4) == 0);
        CHECK(SIOC_JSON_WRITE_DEPTH == SIOC_MAX_JSON_DEPTH + SIOC_ENVELOPE_DEPTH);
        sioc_buf_init(&b, big, sizeof big);
        sioc_json_writer_init(&w, &b);
        for (d = 0; d <= SIOC_JSON_WRITE_DEPTH; d++) sioc_json_write_array_begin(&w);
        for (d = 0; d <= SIOC_JSON_WRITE_DEPTH; d++) sioc_json_write_array_end(&w);
        CHECK(sioc_buf_result(&b) == SIOC_ERR_LIMIT);
    }
}

static void check_escape(const char *in, size_t n, const char *want) {
    char mem[256];
    sioc_buf b;
    sioc_json_writer w;
    sioc_buf_init(&b, mem, sizeof mem);
    sioc_json_writer_init(&w, &b);
    sioc_json_write_str(&w, in, n);
    CHECKF(sioc_buf_result(&b) == SIOC_OK && b.len == strlen(want) && memcmp(mem, want, b.len) == 0, "%s: %.*s",
           want, (int)b.len, mem);
}

static void test_writer_escaping(void) {
    char all[32];
    int k;
    check_escape("", 0, "\"\"");
    check_escape("a\"b\\c/d", 7, "\"a\\\"b\\\\c/d\"");
    for (k = 0; k < 32; k++) all[k] = (char)k;
    check_escape(all, 32,
                 "\"\\u0000\\u0001\\u0002\\u0003\\u0004\\u0005\\u0006\\u0007\\b\\t\\n\\u000b\\f\\r\\u000e\\u000f"
                 "\\u0010\\u0011\\u0012\\u0013\\u0014\\u0015\\u0016\\u0017\\u0018\\u0019\\u001a\\u001b\\u001c\\u001d"
                 "\\u001e\\u001f\"");
    check_escape("\x7F\xE2\x80\xA8\xE2\x80\xA9\xC3\xA9\xF0\x9F\x98\x80", 13,
                 "\"\x7F\xE2\x80\xA8\xE2\x80\xA9\xC3\xA9\xF0\x9F\x98\x80\"");
    check_escape("\xED\xA0\x80", 3, "\"\\ud800\"");
    check_escape("\xED\xBF\xBFz", 4, "\"\\udfffz\"");
    check_escape("\xED\xB0\x80\xED\xA0\x80", 6, "\"\\udc00\\ud800\"");
    check_escape("\xED\xA0\xBD\xED\xB8\x80", 6, "\"\xF0\x9F\x98\x80\""); /* split pair joins up */
    check_escape("\xED\xA0\x80\xED\xA0\x80", 6, "\"\\ud800\\ud800\"");
    check_escape("\xC3", 1, "\"\xEF\xBF\xBD\"");
    check_escape("\xE2\x82x", 3, "\"\xEF\xBF\xBDx\"");          /* one maximal subpart */
    check_escape("\xF0\x80\x80", 3, "\"\xEF\xBF\xBD\xEF\xBF\xBD\xEF\xBF\xBD\""); /* F0 80: bad second byte */
    check_escape("\xC0\xAF", 2, "\"\xEF\xBF\xBD\xEF\xBF\xBD\"");
    check_escape("\xF4\x90\x80\x80", 4, "\"\xEF\xBF\xBD\xEF\xBF\xBD\xEF\xBF\xBD\xEF\xBF\xBD\"");
    check_escape("\xF0\x9F\x98", 3, "\"\xEF\xBF\xBD\"");
    check_escape("\xFF", 1, "\"\xEF\xBF\xBD\"");
    check_escape("\xED\xA0", 2, "\"\xEF\xBF\xBD\xEF\xBF\xBD\"");
}

/* The "JSON.stringify corner cases" vector from the socket.io parser capture, built with the writer. */
static void test_writer_vector(void) {
    size_t len, n = 0;
    char *text = sioc_t_read("vectors/socketio/parser-vectors.json", &len);
    static sioc_json_tok toks[20000];
    sioc_json doc;
    char want[512], mem[512];
    sioc_buf b;
    sioc_json_writer w;
    int enc;
    CHECK(sioc_json_parse(&doc, text, len, toks, 20000) == SIOC_OK);
    CHECK(sioc_json_str_eq(&doc, sioc_json_path(&doc, 0, "jsonCorner.name"), "JSON.stringify corner cases", 27));
    enc = sioc_json_path(&doc, 0, "jsonCorner.encoded[0].text");
    CHECK(sioc_json_get_str(&doc, enc, want, sizeof want, &n) == SIOC_OK);
    sioc_buf_init(&b, mem, sizeof mem);
    sioc_buf_putc(&b, '2');
    sioc_json_writer_init(&w, &b);
    sioc_json_write_array_begin(&w);
    sioc_json_write_str(&w, "j", 1);
    sioc_json_write_null(&w); /* undefined in an array */
    sioc_json_write_object_begin(&w);
    sioc_json_write_key(&w, "n", 1); /* u: undefined is dropped */
    sioc_json_write_null(&w);
    sioc_json_write_object_end(&w);
    sioc_json_write_f64(&w, dfrom(0x7FF8000000000000u));
    sioc_json_write_f64(&w, -0.0);
    sioc_json_write_f64(&w, 1e21);
    sioc_json_write_f64(&w, 1e-7);
    sioc_json_write_f64(&w, 0.1);
    sioc_json_write_f64(&w, 9007199254740992.0);
    sioc_json_write_str(&w, "1970-01-01T00:00:00.000Z", 24);
    sioc_json_write_str(&w, "\xC3\xA9\xE2\x80\xA8\x01\"\\/\xF0\x9F\x98\x80", 13);
    sioc_json_write_str(&w, "\xED\xA0\x80", 3);
    sioc_json_write_array_end(&w);
    CHECK(sioc_buf_result(&b) == SIOC_OK);
    CHECKF(b.len == n && memcmp(mem, want, n) == 0, "\n got %.*s\nwant %s", (int)b.len, mem, want);
    free(text);
}

/* Parse -> write back: texts already in JSON.stringify form come back byte for byte. */
static void test_roundtrip_text(void) {
    static const char *const texts[] = {
        "{\"a\":[1,-2,0.5,1e+21,1e-7,\"x\\n\\u0001\\\"\",true,false,null],\"b\":{},\"c\":[]}",
        "[\"\\ud800\",\"\xF0\x9F\x98\x80\",123.456,-1.5e-10,5e-324,1.7976931348623157e+308]", "\"\\u001f\"", "0"};
    size_t k;
    for (k = 0; k < sizeof texts / sizeof texts[0]; k++) {
        sioc_json doc;
        char mem[512], s[128];
        sioc_buf b;
        sioc_json_writer w;
        CHECK(parse_str(&doc, texts[k]) == SIOC_OK);
        sioc_buf_init(&b, mem, sizeof mem);
        sioc_json_writer_init(&w, &b);
        { /* re-serialise with an explicit stack of open containers */
            int stack[64], sp = 0;
            size_t i;
            for (i = 0; i < doc.count; i++) {
                const sioc_json_tok *tk = &doc.toks[i];
                while (sp > 0 && (size_t)doc.toks[stack[sp - 1]].next == i) {
                    if (doc.toks[stack[--sp]].type == SIOC_JSON_ARRAY)
                        sioc_json_write_array_end(&w);
                    else
                        sioc_json_write_object_end(&w);
                }
                switch (tk->type) {
                case SIOC_JSON_ARRAY: sioc_json_write_array_begin(&w); stack[sp++] = (int)i; break;
                case SIOC_JSON_OBJECT: sioc_json_write_object_begin(&w); stack[sp++] = (int)i; break;
                case SIOC_JSON_STRING: {
                    size_t n = 0;
                    CHECK(sioc_json_get_str(&doc, (int)i, s, sizeof s, &n) == SIOC_OK);
                    if (tk->is_key)
                        sioc_json_write_key(&w, s, n);
                    else
                        sioc_json_write_str(&w, s, n);
                    break;
                }
                case SIOC_JSON_NUMBER: {
                    double d = 0;
                    CHECK(sioc_json_get_f64(&doc, (int)i, &d) == SIOC_OK);
                    sioc_json_write_f64(&w, d);
                    break;
                }
                case SIOC_JSON_BOOL: sioc_json_write_bool(&w, doc.text[tk->start] == 't'); break;
                default: sioc_json_write_null(&w); break;
                }
            }
            while (sp > 0) {
                if (doc.toks[stack[--sp]].type == SIOC_JSON_ARRAY)
                    sioc_json_write_array_end(&w);
                else
                    sioc_json_write_object_end(&w);
            }
        }
        CHECK(sioc_buf_result(&b) == SIOC_OK);
        CHECKF(b.len == strlen(texts[k]) && memcmp(mem, texts[k], b.len) == 0, "%.*s", (int)b.len, mem);
    }
}

int main(void) {
    RUN(test_suite);
    RUN(test_specific_rejects);
    RUN(test_tokens_and_navigation);
    RUN(test_depth);
    RUN(test_strings);
    RUN(test_integers);
    RUN(test_parse_doubles);
    RUN(test_format_table);
    g_libc_exact = libc_exact();
    if (!g_libc_exact) printf("test_json: this C library's strtod does not round correctly: shortest-digit oracle left out\n");
    RUN(test_format_random);
    RUN(test_writer_structure);
    RUN(test_writer_escaping);
    RUN(test_writer_vector);
    RUN(test_roundtrip_text);
    return sioc_t_report("test_json");
}
