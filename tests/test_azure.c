/* Azure Service Bus client, offline: ATOM entries, paths and headers against the captured administration-client
   traffic (tests/vectors/azure/admin-atom-capture.txt), custom property quoting both ways, BrokerProperties and
   message parsing of every message in the REST observer capture (bodies decoded as cluster messages), ATOM error
   bodies, status classification, and the client driven over the HTTP engine by a scripted peer (SAS header,
   receive / 204 / settle, 401 token regeneration, 409 and 404 as success, Retry-After, secrets kept out of logs). */
#define SIO_CLUSTER_IMPLEMENTATION
#include "sio_cluster.h"
#include "tests/harness.h"

static int t_eq(sioc_str s, const char *want) { return sioc_str_eq(s, sioc_str_c(want)); }
static sioc_str S(const char *s) { return sioc_str_c(s); }

/* ---- the ATOM capture: requests separated by "----" lines, LF line ends ---- */

typedef struct t_atom {
    char method[8];
    char target[160];
    char ctype[64];
    const char *body;
    size_t body_len;
} t_atom;

static char *t_atom_text; /* the t_atom views point into it; freed at the end */

static size_t t_atom_load(t_atom *out, size_t cap) {
    size_t len, n = 0;
    char *text = sioc_t_read("vectors/azure/admin-atom-capture.txt", &len);
    t_atom_text = text;
    char *p = text, *end = text + len;
    while (p < end && n < cap) {
        char *sep = strstr(p, "\n----\n"), *hdr_end, *line;
        t_atom *a = &out[n];
        if (!sep) sep = end;
        memset(a, 0, sizeof *a);
        if (sscanf(p, "%7s %159s", a->method, a->target) != 2) break;
        hdr_end = strstr(p, "\n\n");
        if (!hdr_end || hdr_end > sep) hdr_end = sep;
        for (line = strchr(p, '\n') + 1; line < hdr_end; line = strchr(line, '\n') + 1) {
            if (strncmp(line, "content-type: ", 14) == 0) {
                size_t l = (size_t)(strchr(line, '\n') - line - 14);
                memcpy(a->ctype, line + 14, SIOC__MIN(l, sizeof a->ctype - 1));
            }
        }
        a->body = hdr_end + 2 < sep ? hdr_end + 2 : sep;
        a->body_len = (size_t)(sep - a->body);
        while (a->body_len && a->body[a->body_len - 1] == '\n') a->body_len--;
        n++;
        p = sep + 6;
    }
    return n;
}

/* the <updated> value inside a captured body */
static sioc_str t_updated(const t_atom *a) {
    const char *u = strstr(a->body, "<updated>");
    sioc_str s = {NULL, 0};
    if (!u || u > a->body + a->body_len) return s;
    s.ptr = u + 9;
    s.len = (size_t)(strstr(s.ptr, "</updated>") - s.ptr);
    return s;
}

static t_atom t_atoms[16];
static size_t t_n_atoms;

static void test_atom_bodies(void) {
    char mem[2048];
    sioc_buf b;
    sioc_azure_topic_opts to;
    sioc_azure_sub_opts so;
    t_n_atoms = t_atom_load(t_atoms, 16);
    CHECK_EQ_INT(t_n_atoms, 8);
    /* 2: create topic, defaults */
    CHECK(strcmp(t_atoms[1].method, "PUT") == 0 && strcmp(t_atoms[1].target, "/socket.io?api-version=2021-05") == 0);
    memset(&to, 0, sizeof to);
    to.updated = t_updated(&t_atoms[1]);
    sioc_buf_init(&b, mem, sizeof mem);
    CHECK(sioc_azure_write_topic_entry(&b, &to) == SIOC_OK);
    CHECK_MEM(b.data, b.len, t_atoms[1].body, t_atoms[1].body_len);
    /* 3: create subscription, defaults */
    memset(&so, 0, sizeof so);
    so.updated = t_updated(&t_atoms[2]);
    sioc_buf_init(&b, mem, sizeof mem);
    CHECK(sioc_azure_write_subscription_entry(&b, &so) == SIOC_OK);
    CHECK_MEM(b.data, b.len, t_atoms[2].body, t_atoms[2].body_len);
    /* 4: with options, element order LockDuration, DefaultMessageTimeToLive, MaxDeliveryCount, AutoDeleteOnIdle */
    so.updated = t_updated(&t_atoms[3]);
    so.lock_duration_s = 30;
    so.default_ttl_s = 60;
    so.max_delivery_count = 3;
    so.auto_delete_on_idle_s = 300;
    sioc_buf_init(&b, mem, sizeof mem);
    CHECK(sioc_azure_write_subscription_entry(&b, &so) == SIOC_OK);
    CHECKF(b.len == t_atoms[3].body_len && memcmp(b.data, t_atoms[3].body, b.len) == 0, "ours\n%.*s\ncapture\n%.*s",
           (int)b.len, (const char *)b.data, (int)t_atoms[3].body_len, t_atoms[3].body);
    CHECK(strcmp(t_atoms[3].ctype, "application/atom+xml;type=entry;charset=utf-8") == 0);
    /* without <updated> (optional) and too small a buffer */
    sioc_buf_init(&b, mem, 10);
    CHECK(sioc_azure_write_topic_entry(&b, NULL) == SIOC_ERR_BUFFER_TOO_SMALL);
    CHECK(b.len == t_atoms[1].body_len - 43); /* without "<updated>2026-11-23T06:30:49.295Z</updated>" */
    {
        sioc_azure_topic_opts bad;
        memset(&bad, 0, sizeof bad);
        bad.updated = sioc_str_c("<x>");
        sioc_buf_init(&b, mem, sizeof mem);
        CHECK(sioc_azure_write_topic_entry(&b, &bad) == SIOC_ERR_ARG);
    }
    /* durations */
    {
        static const struct {
            uint32_t s;
            const char *want;
        } d[] = {{0, "PT0S"},       {30, "PT30S"},    {60, "PT1M"},     {300, "PT5M"},   {3600, "PT1H"},
                 {3661, "PT1H1M1S"}, {86400, "P1D"}, {90000, "P1DT1H"}, {90061, "P1DT1H1M1S"}, {86401, "P1DT1S"}};
        size_t i;
        for (i = 0; i < SIOC__COUNT(d); i++) {
            sioc_buf_init(&b, mem, sizeof mem);
            sioc_azure_write_duration(&b, d[i].s);
            CHECKF(b.len == strlen(d[i].want) && memcmp(mem, d[i].want, b.len) == 0, "%u -> %.*s", d[i].s,
                   (int)b.len, mem);
        }
    }
    /* subscription names */
    sioc_buf_init(&b, mem, sizeof mem);
    CHECK(sioc_azure_subscription_name(&b, sioc_str_c("socket.io"), 0x0123456789abcdefULL) == SIOC_OK);
    CHECK_MEM(b.data, b.len, "socket.io-0123456789abcdef", 26);
    CHECK(sioc_azure_subscription_name(&b, sioc_str_c("a/b"), 1) == SIOC_ERR_ARG);
    CHECK(sioc_azure_subscription_name(&b, sioc_str_c("0123456789012345678901234567890123"), 1) == SIOC_ERR_ARG);
    CHECK(sioc_azure_name_ok(sioc_str_c("socket.io")) && sioc_azure_name_ok(sioc_str_c("a_b-C.9")));
    CHECK(!sioc_azure_name_ok(sioc_str_c("")) && !sioc_azure_name_ok(sioc_str_c("a b")) &&
          !sioc_azure_name_ok(sioc_str_c("..")) && !sioc_azure_name_ok(sioc_str_c("a%2f")) &&
          !sioc_azure_name_ok(sioc_str_c("012345678901234567890123456789012345678901234567890")));
}

/* ---- custom property quoting ---- */

static void test_props(void) {
    char mem[256], smem[256];
    sioc_buf b, s;
    sioc_azure_prop p;
    sioc_azure_prop_type ty;
    sioc_str v;
    size_t i;
    static const struct {
        sioc_azure_prop_type type;
        const char *value, *wire; /* wire NULL: refused */
    } w[] = {{SIOC_AZURE_PROP_STRING, "/", "\"/\""},
             {SIOC_AZURE_PROP_STRING, "7156e582aa0e2cf2", "\"7156e582aa0e2cf2\""},
             {SIOC_AZURE_PROP_STRING, "12345", "\"12345\""}, /* digits only: still a string */
             {SIOC_AZURE_PROP_STRING, "", "\"\""},
             {SIOC_AZURE_PROP_STRING, "a\"b", NULL},
             {SIOC_AZURE_PROP_STRING, "a\\b", NULL},
             {SIOC_AZURE_PROP_STRING, "a\nb", NULL},
             {SIOC_AZURE_PROP_STRING, "caf\xc3\xa9", NULL},
             {SIOC_AZURE_PROP_INT, "-42", "-42"},
             {SIOC_AZURE_PROP_INT, "4x", NULL},
             {SIOC_AZURE_PROP_INT, "", NULL},
             {SIOC_AZURE_PROP_DOUBLE, "1.5", "1.5"},
             {SIOC_AZURE_PROP_DOUBLE, "1e3", "1e3"},
             {SIOC_AZURE_PROP_DOUBLE, "NaN", NULL},
             {SIOC_AZURE_PROP_BOOL, "true", "true"},
             {SIOC_AZURE_PROP_BOOL, "True", NULL}};
    for (i = 0; i < SIOC__COUNT(w); i++) {
        sioc_result r;
        p.name = sioc_str_c("x");
        p.type = w[i].type;
        p.value = sioc_str_c(w[i].value);
        sioc_buf_init(&b, mem, sizeof mem);
        r = sioc_azure_write_prop_value(&b, &p);
        if (w[i].wire) {
            CHECKF(r == SIOC_OK && b.len == strlen(w[i].wire) && memcmp(mem, w[i].wire, b.len) == 0, "case %u",
                   (unsigned)i);
            /* and back */
            sioc_buf_init(&s, smem, sizeof smem);
            CHECK(sioc_azure_parse_prop_value(sioc_str_c(w[i].wire), &s, &ty, &v) == SIOC_OK);
            CHECKF(ty == w[i].type && t_eq(v, w[i].value), "back %u", (unsigned)i);
        } else {
            CHECKF(r == SIOC_ERR_ARG, "case %u refused: %d", (unsigned)i, r);
        }
    }
    /* what a receiver may see: JSON-style escapes, bare numbers, garbage */
    sioc_buf_init(&s, smem, sizeof smem);
    CHECK(sioc_azure_parse_prop_value(sioc_str_c("\"caf\\u00e9 \\\"q\\\"\""), &s, &ty, &v) == SIOC_OK);
    CHECK(ty == SIOC_AZURE_PROP_STRING && t_eq(v, "caf\xc3\xa9 \"q\""));
    CHECK(sioc_azure_parse_prop_value(sioc_str_c("7"), &s, &ty, &v) == SIOC_OK && ty == SIOC_AZURE_PROP_INT);
    CHECK(sioc_azure_parse_prop_value(sioc_str_c("2.0"), &s, &ty, &v) == SIOC_OK && ty == SIOC_AZURE_PROP_DOUBLE);
    CHECK(sioc_azure_parse_prop_value(sioc_str_c("false"), &s, &ty, &v) == SIOC_OK && ty == SIOC_AZURE_PROP_BOOL);
    CHECK(sioc_azure_parse_prop_value(sioc_str_c("abc"), &s, &ty, &v) == SIOC_ERR_PARSE);
    CHECK(sioc_azure_parse_prop_value(sioc_str_c("\"a\"b\""), &s, &ty, &v) == SIOC_ERR_PARSE);
    CHECK(sioc_azure_parse_prop_value(sioc_str_c("\"\\x\""), &s, &ty, &v) == SIOC_ERR_PARSE);
    CHECK(sioc_azure_parse_prop_value(sioc_str_c("\""), &s, &ty, &v) == SIOC_ERR_PARSE);
    CHECK(sioc_azure_parse_prop_value(sioc_str_c(""), &s, &ty, &v) == SIOC_ERR_PARSE);
    sioc_buf_init(&s, smem, 3);
    CHECK(sioc_azure_parse_prop_value(sioc_str_c("\"\\u00e9abc\""), &s, &ty, &v) == SIOC_ERR_BUFFER_TOO_SMALL);
    /* from an envelope */
    {
        sioc_msg_envelope env;
        sioc_azure_prop out[3];
        memset(&env, 0, sizeof env);
        env.nsp = sioc_str_c("/");
        env.uid = sioc_str_c("u1");
        CHECK(sioc_azure_props_from_env(&env, out) == 2 && t_eq(out[0].name, "nsp") && t_eq(out[1].value, "u1"));
        env.requester_uid = sioc_str_c("r");
        CHECK(sioc_azure_props_from_env(&env, out) == 3 && t_eq(out[2].name, "requesterUid"));
    }
    /* BrokerProperties writer */
    {
        sioc_azure_send_opts o;
        memset(&o, 0, sizeof o);
        sioc_buf_init(&b, mem, sizeof mem);
        CHECK(sioc_azure_write_broker_props(&b, &o) == SIOC_OK && b.len == 0);
        o.message_id = sioc_str_c("m-1");
        o.time_to_live_s = 60;
        o.label = sioc_str_c("l\"");
        CHECK(sioc_azure_write_broker_props(&b, &o) == SIOC_OK);
        {
            static const char want[] = "{\"MessageId\":\"m-1\",\"TimeToLive\":60,\"Label\":\"l\\\"\"}";
            CHECK_MEM(b.data, b.len, want, sizeof want - 1);
        }
    }
}

/* ---- response parsing: every message of the REST observer capture ---- */

static sioc_json_tok t_toks[512];

static void test_parse_capture(void) {
    size_t len, lines = 0;
    char *text = sioc_t_read("vectors/azure/rest-observer-capture.jsonl", &len);
    char *line = text;
    while (line < text + len && *line) {
        char *eol = strchr(line, '\n');
        sioc_json d;
        int ch, bp, body_hex, dec, k;
        static char names[8][32], vals[8][128], meta[1024];
        static uint8_t body[4096];
        sioc_http_header h[12];
        size_t nh = 0, n = 0, body_len = 0;
        sioc_buf scratch;
        sioc_azure_message m;
        sioc_msg msg;
        int64_t want_type = -1, i64;
        if (!eol) eol = text + len;
        CHECK(sioc_json_parse(&d, line, (size_t)(eol - line), t_toks, SIOC__COUNT(t_toks)) == SIOC_OK);
        bp = sioc_json_find(&d, 0, "brokerProperties");
        h[nh].name = sioc_str_c("BrokerProperties");
        h[nh++].value = sioc_json_raw(&d, bp);
        h[nh].name = sioc_str_c("Location");
        h[nh++].value = sioc_str_c("http://127.0.0.1:1234/socket.io/subscriptions/s/messages/1/abc");
        h[nh].name = sioc_str_c("Content-Type");
        h[nh++].value = sioc_str_c("application/octet-stream");
        h[nh].name = sioc_str_c("Date");
        h[nh++].value = sioc_str_c("Mon, 23 Nov 2026 06:34:54 GMT");
        h[nh].name = sioc_str_c("Diagnostic-Id"); /* ignored: not the property syntax */
        h[nh++].value = sioc_str_c("00-abc-def-01");
        ch = sioc_json_find(&d, 0, "customHeaders");
        for (k = sioc_json_first(&d, ch); k >= 0 && n < 8; k = sioc_json_next(&d, k), n++) {
            size_t l;
            CHECK(sioc_json_get_str(&d, k, names[n], sizeof names[n], &l) == SIOC_OK);
            h[nh].name = sioc_str_c(names[n]);
            CHECK(sioc_json_get_str(&d, k + 1, vals[n], sizeof vals[n], &l) == SIOC_OK);
            h[nh++].value = sioc_str_c(vals[n]);
        }
        body_hex = sioc_json_find(&d, 0, "bodyHex");
        {
            sioc_str hx = sioc_json_raw(&d, body_hex);
            CHECK(sioc_hex_decode(hx.ptr, hx.len, body, sizeof body, &body_len) == SIOC_OK);
        }
        dec = sioc_json_path(&d, 0, "bodyDecoded.type");
        CHECK(sioc_json_get_i64(&d, dec, &want_type) == SIOC_OK);
        sioc_buf_init(&scratch, meta, sizeof meta);
        {
            sioc_bytes bb;
            bb.ptr = body;
            bb.len = body_len;
            CHECK(sioc_azure_parse_message(h, nh, bb, &scratch, &m) == SIOC_OK);
        }
        CHECK(sioc_json_get_i64(&d, sioc_json_path(&d, bp, "SequenceNumber"), &i64) == SIOC_OK &&
              m.broker.sequence_number == i64);
        CHECK(m.broker.delivery_count == 1 && m.broker.lock_token.len == 36 && m.broker.message_id.len == 32);
        CHECK(sioc_json_str_eq(&d, sioc_json_path(&d, bp, "LockToken"), m.broker.lock_token.ptr,
                               m.broker.lock_token.len));
        CHECK(t_eq(m.broker.enqueued_time, "Mon, 23 Nov 2026 06:34:54 GMT") || m.broker.enqueued_time.len == 29);
        CHECK(m.broker.time_to_live_s > 9.2e11);
        CHECK(t_eq(m.lock_path, "/socket.io/subscriptions/s/messages/1/abc"));
        CHECK(t_eq(m.content_type, "application/octet-stream"));
        CHECK(m.prop_count == n && m.props_dropped == 0);
        CHECK(m.env.nsp.ptr && t_eq(m.env.nsp, "/") && m.env.uid.len == 16);
        CHECK((m.env.requester_uid.ptr != NULL) == (n == 3));
        CHECK(sioc_msg_decode_azure(m.body.ptr, m.body.len, &m.env, &msg) == SIOC_OK);
        CHECK_EQ_INT(msg.type, want_type);
        CHECK(sioc_str_eq(msg.uid, m.env.uid));
        lines++;
        line = eol + 1;
    }
    CHECK_EQ_INT(lines, 18);
    free(text);
}

static void test_parse_edges(void) {
    char meta[512];
    sioc_buf s;
    sioc_azure_broker_props bp;
    sioc_azure_message m;
    sioc_http_header h[SIOC_AZURE_MAX_PROPS + 4];
    sioc_bytes none = {NULL, 0};
    size_t i;
    static char nm[SIOC_AZURE_MAX_PROPS + 2][8];
    sioc_buf_init(&s, meta, sizeof meta);
    CHECK(sioc_azure_parse_broker_props("{\"MessageId\":\"a\\u0062\",\"DeliveryCount\":3,\"SequenceNumber\":"
                                        "9007199254740993,\"TimeToLive\":1.5,\"Unknown\":[1,{}]}",
                                        strlen("{\"MessageId\":\"a\\u0062\",\"DeliveryCount\":3,\"SequenceNumber\":"
                                               "9007199254740993,\"TimeToLive\":1.5,\"Unknown\":[1,{}]}"),
                                        &s, &bp) == SIOC_OK);
    CHECK(t_eq(bp.message_id, "ab") && bp.delivery_count == 3 && bp.sequence_number == 9007199254740993LL &&
          bp.time_to_live_s == 1.5);
    CHECK(sioc_azure_parse_broker_props("[]", 2, &s, &bp) == SIOC_ERR_PARSE);
    CHECK(sioc_azure_parse_broker_props("{\"DeliveryCount\":\"1\"}", 21, &s, &bp) == SIOC_ERR_TYPE);
    CHECK(sioc_azure_parse_broker_props("{\"MessageId\":1}", 15, &s, &bp) == SIOC_ERR_TYPE);
    CHECK(sioc_azure_parse_broker_props("{\"DeliveryCount\":1.5}", 21, &s, &bp) == SIOC_ERR_TYPE);
    CHECK(sioc_azure_parse_broker_props("{", 1, &s, &bp) == SIOC_ERR_PARSE);
    CHECK(sioc_azure_parse_broker_props("", 0, &s, &bp) == SIOC_ERR_PARSE);
    {
        static char many[2000];
        size_t n = 0;
        n += (size_t)sprintf(many + n, "{\"a\":[");
        for (i = 0; i < 100; i++) n += (size_t)sprintf(many + n, "%s1", i ? "," : "");
        n += (size_t)sprintf(many + n, "]}");
        CHECK(sioc_azure_parse_broker_props(many, n, &s, &bp) == SIOC_ERR_LIMIT);
    }
    /* lower-cased names (the broker's --lowercase-props), extra properties beyond the limit, bad Location */
    h[0].name = sioc_str_c("NSP");
    h[0].value = sioc_str_c("\"/admin\"");
    h[1].name = sioc_str_c("requesteruid");
    h[1].value = sioc_str_c("\"r1\"");
    h[2].name = sioc_str_c("uid");
    h[2].value = sioc_str_c("7"); /* an integer uid is not the adapter's string */
    for (i = 0; i < SIOC_AZURE_MAX_PROPS; i++) {
        sprintf(nm[i], "p%u", (unsigned)i);
        h[3 + i].name = sioc_str_c(nm[i]);
        h[3 + i].value = sioc_str_c("true");
    }
    sioc_buf_init(&s, meta, sizeof meta);
    CHECK(sioc_azure_parse_message(h, 3 + SIOC_AZURE_MAX_PROPS, none, &s, &m) == SIOC_OK);
    CHECK(t_eq(m.env.nsp, "/admin") && t_eq(m.env.requester_uid, "r1") && m.env.uid.ptr == NULL);
    CHECK(m.prop_count == SIOC_AZURE_MAX_PROPS && m.props_dropped == 3);
    CHECK(m.props[2].type == SIOC_AZURE_PROP_INT && m.lock_path.len == 0);
    h[0].name = sioc_str_c("Location");
    h[0].value = sioc_str_c("ftp://x/y");
    CHECK(sioc_azure_parse_message(h, 1, none, &s, &m) == SIOC_ERR_PARSE);
    h[0].value = sioc_str_c("https://host");
    CHECK(sioc_azure_parse_message(h, 1, none, &s, &m) == SIOC_ERR_PARSE);
    h[0].value = sioc_str_c("https://h/a b");
    CHECK(sioc_azure_parse_message(h, 1, none, &s, &m) == SIOC_ERR_PARSE);
    h[0].value = sioc_str_c("/t/subscriptions/s/messages/1/x");
    CHECK(sioc_azure_parse_message(h, 1, none, &s, &m) == SIOC_OK && t_eq(m.lock_path, h[0].value.ptr));
    h[0].name = sioc_str_c("BrokerProperties");
    h[0].value = sioc_str_c("nope");
    CHECK(sioc_azure_parse_message(h, 1, none, &s, &m) == SIOC_ERR_PARSE);
    /* ATOM bodies */
    {
        sioc_azure_error e;
        static const char err[] = "<Error><Code>409</Code><Detail>Conflict. SubCode=40901. TrackingId:x</Detail>"
                                  "</Error>";
        static const char feed[] = "<?xml version=\"1.0\" encoding=\"utf-8\"?><feed xmlns=\"http://www.w3.org/2005/"
                                   "Atom\"><title type=\"text\">Publicly Listed Services</title></feed>";
        static const char entry[] = "<entry xmlns=\"http://www.w3.org/2005/Atom\"><id>https://h/socket.io</id>"
                                    "<title type=\"text\">socket.io</title></entry>";
        memset(&e, 0, sizeof e);
        CHECK(sioc_azure_parse_error(err, sizeof err - 1, &e) == SIOC_OK);
        CHECK(e.code == 409 && e.sub_code == 40901 && strncmp(e.detail, "Conflict.", 9) == 0);
        CHECK(sioc_azure_parse_error(feed, sizeof feed - 1, &e) == SIOC_ERR_NOT_FOUND && e.code == 0);
        CHECK(sioc_azure_parse_error("<Error", 6, &e) == SIOC_ERR_NOT_FOUND);
        CHECK(!sioc_azure_atom_has_entry(feed, sizeof feed - 1) && sioc_azure_atom_has_entry(entry, sizeof entry - 1));
        CHECK(!sioc_azure_atom_has_entry("", 0) && !sioc_azure_atom_has_entry("<entry", 6));
    }
}

static void test_classify(void) {
    static const struct {
        sioc_azure_op op;
        int status;
        sioc_result r;
        sioc_azure_error_kind k;
    } t[] = {{SIOC_AZURE_OP_SEND, 201, SIOC_OK, SIOC_AZURE_E_NONE},
             {SIOC_AZURE_OP_RECEIVE, 204, SIOC_OK, SIOC_AZURE_E_NONE},
             {SIOC_AZURE_OP_SEND, 400, SIOC_ERR_HTTP_STATUS, SIOC_AZURE_E_BAD_REQUEST},
             {SIOC_AZURE_OP_SEND, 401, SIOC_ERR_AUTH, SIOC_AZURE_E_AUTH},
             {SIOC_AZURE_OP_SEND, 403, SIOC_ERR_TOO_LARGE, SIOC_AZURE_E_TOO_LARGE},
             {SIOC_AZURE_OP_CREATE_SUBSCRIPTION, 403, SIOC_ERR_LIMIT, SIOC_AZURE_E_QUOTA},
             {SIOC_AZURE_OP_COMPLETE, 404, SIOC_ERR_NOT_FOUND, SIOC_AZURE_E_LOCK_LOST},
             {SIOC_AZURE_OP_UNLOCK, 404, SIOC_ERR_NOT_FOUND, SIOC_AZURE_E_LOCK_LOST},
             {SIOC_AZURE_OP_GET_TOPIC, 404, SIOC_ERR_NOT_FOUND, SIOC_AZURE_E_NOT_FOUND},
             {SIOC_AZURE_OP_CREATE_TOPIC, 409, SIOC_OK, SIOC_AZURE_E_CONFLICT},
             {SIOC_AZURE_OP_CREATE_SUBSCRIPTION, 409, SIOC_OK, SIOC_AZURE_E_CONFLICT},
             {SIOC_AZURE_OP_SEND, 409, SIOC_ERR_HTTP_STATUS, SIOC_AZURE_E_CONFLICT},
             {SIOC_AZURE_OP_DELETE_SUBSCRIPTION, 404, SIOC_OK, SIOC_AZURE_E_NOT_FOUND},
             {SIOC_AZURE_OP_RECEIVE, 410, SIOC_ERR_NOT_FOUND, SIOC_AZURE_E_ENTITY_GONE},
             {SIOC_AZURE_OP_SEND, 429, SIOC_ERR_THROTTLED, SIOC_AZURE_E_THROTTLED},
             {SIOC_AZURE_OP_SEND, 503, SIOC_ERR_THROTTLED, SIOC_AZURE_E_THROTTLED},
             {SIOC_AZURE_OP_SEND, 500, SIOC_ERR_SERVER, SIOC_AZURE_E_SERVER},
             {SIOC_AZURE_OP_SEND, 302, SIOC_ERR_HTTP_STATUS, SIOC_AZURE_E_OTHER}};
    size_t i;
    for (i = 0; i < SIOC__COUNT(t); i++) {
        sioc_azure_error_kind k = SIOC_AZURE_E_OTHER;
        sioc_result r = sioc_azure_classify(t[i].op, t[i].status, &k);
        CHECKF(r == t[i].r && k == t[i].k, "%s %d -> %d/%d", sioc_azure_op_name(t[i].op), t[i].status, r, (int)k);
    }
    CHECK(strcmp(sioc_azure_op_name(SIOC_AZURE_OP_COUNT_), "?") == 0);
}

/* ---- the client over a scripted peer ---- */

static int64_t t_clock = 1795415449; /* 2026-11-23T06:30:49Z, the capture's time */
static int64_t t_utc_now(void *user) {
    (void)user;
    return t_clock;
}

static char t_log[8192];
static size_t t_log_len;
static void t_logger(void *user, sioc_log_level level, const char *line) {
    size_t n = strlen(line);
    (void)user, (void)level;
    if (t_log_len + n + 1 < sizeof t_log) {
        memcpy(t_log + t_log_len, line, n);
        t_log[t_log_len + n] = '\n';
        t_log_len += n + 1;
    }
}

static int t_conn = -1;
static size_t t_take(sioc_azure_client *c, char *out, size_t cap) {
    sioc_http_io_event ev;
    const uint8_t *p;
    size_t n = 0, total = 0;
    while (sioc_http_next_io(&c->http, &ev) == SIOC_OK) {
        if (ev.type == SIOC_HTTP_IO_OPEN) {
            CHECK(strcmp(ev.host, "127.0.0.1") == 0 && ev.port == 45673 && ev.tls == 0);
            t_conn = ev.conn;
            sioc_http_conn_opened(&c->http, ev.conn, 0);
        }
    }
    for (;;) {
        sioc_http_conn_pending(&c->http, t_conn, &p, &n);
        if (n == 0) break;
        if (total + n < cap) memcpy(out + total, p, n);
        total += n;
        sioc_http_conn_sent(&c->http, t_conn, n);
    }
    if (total < cap) out[total] = 0;
    return total;
}

static void t_feed(sioc_azure_client *c, const char *resp) {
    size_t used = 0, len = strlen(resp);
    CHECK(sioc_http_conn_feed(&c->http, t_conn, resp, len, 0, &used) == SIOC_OK && used == len);
}

static int t_starts(const char *s, const char *prefix) { return strncmp(s, prefix, strlen(prefix)) == 0; }

/* A response with the right Content-Length. */
static void t_reply(sioc_azure_client *c, const char *status, const char *extra, const char *body) {
    static char resp[4096];
    snprintf(resp, sizeof resp, "HTTP/1.1 %s\r\n%sContent-Length: %u\r\n\r\n%s", status, extra,
             (unsigned)strlen(body), body);
    t_feed(c, resp);
}

static sioc_str t_hdr(const char *wire, const char *name) {
    char pat[64];
    const char *p, *e;
    sioc_str none = {NULL, 0};
    snprintf(pat, sizeof pat, "\r\n%s: ", name);
    p = strstr(wire, pat);
    if (!p) return none;
    p += strlen(pat);
    e = strstr(p, "\r\n");
    return sioc_str_n(p, (size_t)(e - p));
}

static sioc_azure_call *t_next(sioc_azure_client *c) {
    sioc_azure_call *done = NULL;
    CHECK(sioc_azure_next(c, 0, &done) == SIOC_OK);
    return done;
}

static void test_client(void) {
    static char body_mem[4096], reply_mem[8192], wire[8192];
    static const char cs[] = "Endpoint=sb://127.0.0.1:45672;SharedAccessKeyName=RootManageSharedAccessKey;"
                             "SharedAccessKey=c2VjcmV0;UseDevelopmentEmulator=true";
    sioc_azure_client c;
    sioc_azure_desc desc;
    sioc_azure_call call, *done;
    sioc_str v;
    size_t n;
    static const uint8_t msgpack[] = {0x83, 0xa4, 0x74, 0x79, 0x70, 0x65, 0x01, 0xa3, 0x75, 0x69, 0x64, 0xa1,
                                      0x61, 0xa3, 0x6e, 0x73, 0x70, 0xa1, 0x2f};
    sioc_bytes body;
    sioc_azure_prop props[3];
    sioc_msg_envelope env;
    sioc_azure_send_opts so;

    memset(&desc, 0, sizeof desc);
    desc.connection_string = cs;
    desc.rest_url = "http://127.0.0.1:45673";
    desc.http.conns_per_endpoint = 1;
    desc.http.logger.fn = t_logger;
    desc.http.logger.max_level = SIOC_LOG_DEBUG;
    CHECK(sioc_azure_client_init(&c, &desc) == SIOC_ERR_DEPENDENCY);
    CHECKF(strcmp(c.detail, "azure desc: utc_now missing") == 0, "%s", c.detail);
    desc.utc_now = t_utc_now;
    desc.rest_url = "http://127.0.0.1:45673/path";
    CHECK(sioc_azure_client_init(&c, &desc) == SIOC_ERR_ARG);
    CHECKF(strcmp(c.detail, "rest_url: expected http[s]://host[:port] without a path") == 0, "%s", c.detail);
    desc.rest_url = "http://127.0.0.1:45673";
    desc.connection_string = "Endpoint=sb://x;SharedAccessKeyName=a";
    CHECK(sioc_azure_client_init(&c, &desc) == SIOC_ERR_ARG);
    CHECKF(strcmp(c.detail, "connection string: SharedAccessKeyName without SharedAccessKey") == 0, "%s", c.detail);
    desc.connection_string = "Endpoint=x.servicebus.windows.net;SharedAccessKeyName=a;SharedAccessKey=s3cr3t";
    CHECK(sioc_azure_client_init(&c, &desc) == SIOC_ERR_PARSE);
    CHECKF(strcmp(c.detail, "connection string: Endpoint has no scheme:// (Endpoint=sb://<namespace>.servicebus."
                            "windows.net/)") == 0, "%s", c.detail);
#if SIOC_TLS == SIOC_TLS_NONE
    /* real Service Bus is https: a build without TLS says how to get one */
    desc.rest_url = NULL;
    desc.connection_string = "Endpoint=sb://x.servicebus.windows.net/;SharedAccessKeyName=a;SharedAccessKey=s3cr3t";
    CHECK(sioc_azure_client_init(&c, &desc) == SIOC_ERR_DEPENDENCY);
    CHECKF(strcmp(c.detail, "https://x.servicebus.windows.net:443 needs a TLS build: -DSIOC_TLS=SIOC_TLS_MBEDTLS or "
                            "SIOC_TLS_BEARSSL") == 0, "%s", c.detail);
    desc.rest_url = "http://127.0.0.1:45673";
#endif
    CHECK(strstr(c.detail, "s3cr3t") == NULL && c.p_cs[0] == 0); /* no key in the text, the copy wiped */
    desc.connection_string = cs;
    CHECK(sioc_azure_client_init(&c, &desc) == SIOC_OK);
    memset(&call, 0, sizeof call);
    call.body_mem = body_mem;
    call.body_cap = sizeof body_mem;
    call.reply_mem = reply_mem;
    call.reply_cap = sizeof reply_mem;

    /* 1. create the subscription with options: path, content type, body as the SDK's, a SAS token */
    {
        sioc_azure_sub_opts o;
        const t_atom *a = &t_atoms[3];
        memset(&o, 0, sizeof o);
        o.updated = t_updated(a);
        o.lock_duration_s = 30;
        o.default_ttl_s = 60;
        o.max_delivery_count = 3;
        o.auto_delete_on_idle_s = 300;
        CHECK(sioc_azure_create_subscription(&c, &call, sioc_str_c("socket.io"), sioc_str_c("with-options"), &o, 0) ==
              SIOC_OK);
        CHECK(sioc_azure_create_subscription(&c, &call, sioc_str_c("socket.io"), sioc_str_c("x"), &o, 0) ==
              SIOC_ERR_STATE);
        n = t_take(&c, wire, sizeof wire);
        CHECK(n > a->body_len && memcmp(wire + n - a->body_len, a->body, a->body_len) == 0);
        CHECK(t_starts(wire, "PUT /socket.io/Subscriptions/with-options?api-version=2021-05 HTTP/1.1\r\n"));
        CHECK(t_starts(wire + 4, a->target));
        v = t_hdr(wire, "Content-Type");
        CHECK(v.ptr && t_eq(v, a->ctype));
        v = t_hdr(wire, "Authorization");
        CHECK(v.ptr && sioc_sas_verify(v, sioc_str_c("RootManageSharedAccessKey"), sioc_str_c("c2VjcmV0"), t_clock) ==
                           SIOC_OK);
        {
            sioc_sas_token_view tv;
            CHECK(sioc_sas_parse_token(v, &tv) == SIOC_OK && t_eq(tv.sr, "https%3A%2F%2F127.0.0.1%2F") &&
                  tv.se == t_clock + 3600);
        }
        CHECK(sioc_azure_next(&c, 0, &done) == SIOC_AGAIN);
        t_reply(&c, "409 Conflict", "", "<Error><Code>409</Code><Detail>SubCode=40900.</Detail></Error>");
        done = t_next(&c);
        CHECK(done == &call && call.result == SIOC_OK && call.existed == 1 && call.status == 409);
    }
    /* 2. get topic: empty feed = missing; an entry = present */
    CHECK(sioc_azure_get_topic(&c, &call, sioc_str_c("socket.io"), 0) == SIOC_OK);
    n = t_take(&c, wire, sizeof wire);
    CHECK(t_starts(wire, "GET /socket.io?api-version=2021-05 HTTP/1.1\r\n") && !t_hdr(wire, "Content-Type").ptr);
    t_reply(&c, "200 OK", "", "<feed xmlns=\"http://www.w3.org/2005/Atom\"></feed>");
    done = t_next(&c);
    CHECK(done && call.result == SIOC_ERR_NOT_FOUND && call.error.kind == SIOC_AZURE_E_NOT_FOUND);
    CHECK(sioc_azure_get_topic(&c, &call, sioc_str_c("socket.io"), 0) == SIOC_OK);
    (void)t_take(&c, wire, sizeof wire);
    t_reply(&c, "200 OK", "", "<entry><id>x</id><title/></entry>");
    done = t_next(&c);
    CHECK(done && call.result == SIOC_OK);
    /* 3. send: quoted properties, BrokerProperties, body bytes */
    memset(&env, 0, sizeof env);
    env.nsp = sioc_str_c("/");
    env.uid = sioc_str_c("12345");
    env.requester_uid = sioc_str_c("7156e582aa0e2cf2");
    body.ptr = msgpack;
    body.len = sizeof msgpack;
    memset(&so, 0, sizeof so);
    so.message_id = sioc_str_c("0011");
    CHECK(sioc_azure_send(&c, &call, sioc_str_c("socket.io"), body, props, sioc_azure_props_from_env(&env, props), &so,
                          0) == SIOC_OK);
    n = t_take(&c, wire, sizeof wire);
    {
        static const char want[] = "POST /socket.io/messages HTTP/1.1\r\nHost: 127.0.0.1:45673\r\n"
                                   "Content-Type: application/octet-stream\r\n"
                                   "BrokerProperties: {\"MessageId\":\"0011\"}"
                                   "\r\nnsp: \"/\"\r\nuid: \"12345\"\r\nrequesterUid: \"7156e582aa0e2cf2\"\r\n"
                                   "Authorization: SharedAccessSignature sr=";
        CHECKF(strncmp(wire, want, sizeof want - 1) == 0, "%s", wire);
        CHECK(n > sizeof msgpack && memcmp(wire + n - sizeof msgpack, msgpack, sizeof msgpack) == 0);
        CHECK(t_eq(t_hdr(wire, "Content-Length"), "19"));
    }
    t_feed(&c, "HTTP/1.1 201 Created\r\nContent-Length: 0\r\n\r\n");
    done = t_next(&c);
    CHECK(done && call.result == SIOC_OK && call.status == 201);
    /* refused before sending: a quote in a namespace, too large */
    env.nsp = sioc_str_c("/a\"b");
    CHECK(sioc_azure_send(&c, &call, sioc_str_c("socket.io"), body, props, sioc_azure_props_from_env(&env, props), NULL,
                          0) == SIOC_ERR_ARG);
    {
        static uint8_t big[SIOC_AZURE_MAX_MESSAGE_SIZE];
        sioc_bytes bb;
        bb.ptr = big;
        bb.len = sizeof big;
        env.nsp = sioc_str_c("/");
        CHECK(sioc_azure_send(&c, &call, sioc_str_c("socket.io"), bb, props, sioc_azure_props_from_env(&env, props),
                              NULL, 0) == SIOC_ERR_TOO_LARGE);
        bb.len = sizeof body_mem + 1;
        CHECK(sioc_azure_send(&c, &call, sioc_str_c("socket.io"), bb, NULL, 0, NULL, 0) == SIOC_ERR_BUFFER_TOO_SMALL);
    }
    CHECK(sioc_azure_send(&c, &call, sioc_str_c("bad/topic"), body, NULL, 0, NULL, 0) == SIOC_ERR_ARG);
    /* 4. receive: a message with Location, BrokerProperties, properties (chunked body), then 204 */
    CHECK(sioc_azure_receive(&c, &call, sioc_str_c("socket.io"), sioc_str_c("sub-1"), 61, 0) == SIOC_ERR_RANGE);
    CHECK(sioc_azure_receive(&c, &call, sioc_str_c("socket.io"), sioc_str_c("sub-1"), 30, 0) == SIOC_OK);
    n = t_take(&c, wire, sizeof wire);
    CHECK(t_starts(wire, "POST /socket.io/subscriptions/sub-1/messages/head?timeout=30 HTTP/1.1\r\n"));
    CHECK(t_eq(t_hdr(wire, "Content-Length"), "0"));
    t_feed(&c, "HTTP/1.1 201 Created\r\nTransfer-Encoding: chunked\r\nContent-Type: application/octet-stream\r\n"
               "Location: http://127.0.0.1:45673/socket.io/subscriptions/sub-1/messages/7/"
               "45995985-68a4-4b56-bc79-3b2a369c9b39\r\n"
               "BrokerProperties: {\"DeliveryCount\":2,\"SequenceNumber\":7,\"MessageId\":\"m\\u0031\","
               "\"LockToken\":\"45995985-68a4-4b56-bc79-3b2a369c9b39\",\"LockedUntilUtc\":\"Mon, 23 Nov 2026 "
               "06:35:24 GMT\"}\r\n"
               "nsp: \"/\"\r\nUID: \"a\"\r\nrequesterUid: \"7156e582aa0e2cf2\"\r\nDiagnostic-Id: x y\r\n"
               "Date: Mon, 23 Nov 2026 06:34:54 GMT\r\n\r\n"
               "6\r\n\x83\xa4type\r\nb\r\n\x01\xa3uid\xa1\x61\xa3nsp\r\n2\r\n\xa1/\r\n0\r\n\r\n");
    done = t_next(&c);
    CHECK(done && call.result == SIOC_OK && call.has_message == 1);
    CHECK(call.msg.body.len == sizeof msgpack && memcmp(call.msg.body.ptr, msgpack, sizeof msgpack) == 0);
    CHECK(call.msg.broker.delivery_count == 2 && call.msg.broker.sequence_number == 7);
    CHECK(t_eq(call.msg.broker.message_id, "m1") && call.msg.broker.lock_token.len == 36);
    CHECK(t_eq(call.msg.lock_path, "/socket.io/subscriptions/sub-1/messages/7/45995985-68a4-4b56-bc79-3b2a369c9b39"));
    CHECK(call.msg.prop_count == 3 && t_eq(call.msg.env.uid, "a") && t_eq(call.msg.env.requester_uid,
                                                                          "7156e582aa0e2cf2"));
    {
        sioc_msg m;
        CHECK(sioc_msg_decode_azure(call.msg.body.ptr, call.msg.body.len, &call.msg.env, &m) == SIOC_OK &&
              m.type == 1);
    }
    {
        /* settle on the path as returned: complete (DELETE), then unlock (PUT) and renew (POST) */
        static char lock[256];
        sioc_azure_call c2;
        memcpy(lock, call.msg.lock_path.ptr, call.msg.lock_path.len);
        lock[call.msg.lock_path.len] = 0;
        memset(&c2, 0, sizeof c2);
        CHECK(sioc_azure_complete(&c, &c2, sioc_str_c(lock), 0) == SIOC_OK);
        n = t_take(&c, wire, sizeof wire);
        CHECK(t_starts(wire, "DELETE /socket.io/subscriptions/sub-1/messages/7/"));
        t_feed(&c, "HTTP/1.1 404 Not Found\r\nContent-Length: 0\r\n\r\n");
        done = t_next(&c);
        CHECK(done == &c2 && c2.result == SIOC_ERR_NOT_FOUND && c2.error.kind == SIOC_AZURE_E_LOCK_LOST);
        CHECK(sioc_azure_unlock(&c, &c2, sioc_str_c(lock), 0) == SIOC_OK);
        n = t_take(&c, wire, sizeof wire);
        CHECK(t_starts(wire, "PUT /socket.io/subscriptions/sub-1/messages/7/") &&
              t_eq(t_hdr(wire, "Content-Length"), "0"));
        t_feed(&c, "HTTP/1.1 200 OK\r\nContent-Length: 0\r\n\r\n");
        done = t_next(&c);
        CHECK(done == &c2 && c2.result == SIOC_OK);
        CHECK(sioc_azure_renew_lock(&c, &c2, sioc_str_c("http://h/x/y"), 0) == SIOC_OK);
        n = t_take(&c, wire, sizeof wire);
        CHECK(t_starts(wire, "POST /x/y HTTP/1.1\r\n"));
        t_feed(&c, "HTTP/1.1 200 OK\r\nContent-Length: 0\r\n\r\n");
        done = t_next(&c);
        CHECK(done == &c2 && c2.result == SIOC_OK);
        CHECK(sioc_azure_complete(&c, &c2, sioc_str_c("nope"), 0) == SIOC_ERR_ARG);
    }
    CHECK(sioc_azure_receive(&c, &call, sioc_str_c("socket.io"), sioc_str_c("sub-1"), 1, 0) == SIOC_OK);
    (void)t_take(&c, wire, sizeof wire);
    t_feed(&c, "HTTP/1.1 204 No Content\r\nContent-Length: 0\r\n\r\n");
    done = t_next(&c);
    CHECK(done && call.result == SIOC_OK && call.has_message == 0 && c.stats.empty_receives == 1);
    /* a message over reply_cap: the lock path survives so it can be settled */
    {
        sioc_azure_call small;
        static char sreply[4];
        memset(&small, 0, sizeof small);
        small.reply_mem = sreply;
        small.reply_cap = sizeof sreply;
        CHECK(sioc_azure_receive(&c, &small, sioc_str_c("socket.io"), sioc_str_c("sub-1"), 1, 0) == SIOC_OK);
        (void)t_take(&c, wire, sizeof wire);
        t_reply(&c, "201 Created",
                "Location: http://127.0.0.1:45673/socket.io/subscriptions/sub-1/messages/9/L\r\n"
                "BrokerProperties: {\"SequenceNumber\":9,\"LockToken\":\"L\"}\r\n",
                "0123456789");
        done = t_next(&c);
        CHECK(done == &small && small.result == SIOC_ERR_BUFFER_TOO_SMALL && small.has_message == 0 &&
              small.error.kind == SIOC_AZURE_E_TOO_LARGE);
        CHECK(t_eq(small.msg.lock_path, "/socket.io/subscriptions/sub-1/messages/9/L") &&
              small.msg.broker.sequence_number == 9);
    }
    /* 5. 410 (subscription gone), 429 with Retry-After, 500 */
    CHECK(sioc_azure_receive(&c, &call, sioc_str_c("socket.io"), sioc_str_c("sub-1"), 1, 0) == SIOC_OK);
    (void)t_take(&c, wire, sizeof wire);
    t_feed(&c, "HTTP/1.1 410 Gone\r\nContent-Length: 0\r\n\r\n");
    done = t_next(&c);
    CHECK(done && call.result == SIOC_ERR_NOT_FOUND && call.error.kind == SIOC_AZURE_E_ENTITY_GONE);
    CHECK(sioc_azure_send(&c, &call, sioc_str_c("socket.io"), body, NULL, 0, NULL, 0) == SIOC_OK);
    (void)t_take(&c, wire, sizeof wire);
    t_feed(&c, "HTTP/1.1 429 Too Many\r\nRetry-After: 3\r\nContent-Length: 0\r\n\r\n");
    done = t_next(&c);
    CHECK(done && call.result == SIOC_ERR_THROTTLED && call.error.retry_after_s == 3);
    CHECK(sioc_azure_delete_subscription(&c, &call, sioc_str_c("socket.io"), sioc_str_c("sub-1"), 0) == SIOC_OK);
    n = t_take(&c, wire, sizeof wire);
    CHECK(t_starts(wire, "DELETE /socket.io/Subscriptions/sub-1?api-version=2021-05 HTTP/1.1\r\n"));
    t_feed(&c, "HTTP/1.1 500 Oops\r\nContent-Length: 0\r\n\r\n");
    done = t_next(&c);
    CHECK(done && call.result == SIOC_ERR_SERVER && call.error.kind == SIOC_AZURE_E_SERVER);
    /* 6. 401: the token is regenerated (new se) for the next request */
    {
        sioc_sas_token_view tv;
        int64_t se1;
        CHECK(sioc_azure_create_topic(&c, &call, sioc_str_c("socket.io"), NULL, 0) == SIOC_OK);
        (void)t_take(&c, wire, sizeof wire);
        CHECK(sioc_sas_parse_token(t_hdr(wire, "Authorization"), &tv) == SIOC_OK);
        se1 = tv.se;
        t_reply(&c, "401 Unauthorized", "", "<Error><Code>401</Code><Detail>bad signature</Detail></Error>");
        done = t_next(&c);
        CHECK(done && call.result == SIOC_ERR_AUTH && call.error.code == 401 &&
              strcmp(call.error.detail, "bad signature") == 0);
        CHECKF(strcmp(call.detail, "Service Bus create-topic: HTTP 401 bad signature") == 0, "%s", call.detail);
        t_clock += 10;
        CHECK(sioc_azure_create_topic(&c, &call, sioc_str_c("socket.io"), NULL, 0) == SIOC_OK);
        (void)t_take(&c, wire, sizeof wire);
        CHECK(sioc_sas_parse_token(t_hdr(wire, "Authorization"), &tv) == SIOC_OK && tv.se == se1 + 10);
        t_feed(&c, "HTTP/1.1 201 Created\r\nContent-Length: 0\r\n\r\n");
        done = t_next(&c);
        CHECK(done && call.result == SIOC_OK && call.existed == 0);
        /* renewal at 3/4 of the lifetime, not before */
        t_clock += 2600;
        CHECK(sioc_azure_get_topic(&c, &call, sioc_str_c("socket.io"), 0) == SIOC_OK);
        (void)t_take(&c, wire, sizeof wire);
        CHECK(sioc_sas_parse_token(t_hdr(wire, "Authorization"), &tv) == SIOC_OK && tv.se == se1 + 10);
        t_feed(&c, "HTTP/1.1 404 Not Found\r\nContent-Length: 0\r\n\r\n");
        (void)t_next(&c);
        t_clock += 100;
        CHECK(sioc_azure_get_topic(&c, &call, sioc_str_c("socket.io"), 0) == SIOC_OK);
        (void)t_take(&c, wire, sizeof wire);
        CHECK(sioc_sas_parse_token(t_hdr(wire, "Authorization"), &tv) == SIOC_OK && tv.se == t_clock + 3600);
        t_feed(&c, "HTTP/1.1 404 Not Found\r\nContent-Length: 0\r\n\r\n");
        done = t_next(&c);
        CHECK(done && call.result == SIOC_ERR_NOT_FOUND);
    }
    /* 7. a caller token is used as given */
    {
        static const char tok[] = "SharedAccessSignature sr=x&sig=y&se=1795419049&skn=k";
        CHECK(sioc_azure_set_token(&c, sioc_str_c("nope")) == SIOC_ERR_PARSE);
        CHECK(sioc_azure_set_token(&c, sioc_str_c(tok)) == SIOC_OK);
        CHECK(sioc_azure_get_topic(&c, &call, sioc_str_c("socket.io"), 0) == SIOC_OK);
        (void)t_take(&c, wire, sizeof wire);
        CHECK(t_eq(t_hdr(wire, "Authorization"), tok));
        CHECK(sioc_azure_cancel(&c, &call) == SIOC_OK && sioc_azure_cancel(&c, &call) == SIOC_ERR_NOT_FOUND);
    }
    /* secrets never logged */
    CHECK(t_log_len > 0 && !strstr(t_log, "c2VjcmV0") && !strstr(t_log, "sig=") && strstr(t_log, "HTTP 410"));
    sioc_azure_client_free(&c);
}

/* Every captured administration-client request, made by our client: same method, target, content type and body. */
static void test_capture_requests(void) {
    static char body_mem[2048], reply_mem[2048], wire[8192];
    static const char cs[] = "Endpoint=sb://127.0.0.1:45672;SharedAccessKeyName=RootManageSharedAccessKey;"
                             "SharedAccessKey=c2VjcmV0";
    sioc_azure_client c;
    sioc_azure_desc desc;
    sioc_azure_call call;
    size_t i, n;
    memset(&desc, 0, sizeof desc);
    desc.connection_string = cs;
    desc.rest_url = "http://127.0.0.1:45673";
    desc.utc_now = t_utc_now;
    desc.http.conns_per_endpoint = 1;
    CHECK(sioc_azure_client_init(&c, &desc) == SIOC_OK);
    memset(&call, 0, sizeof call);
    call.body_mem = body_mem;
    call.body_cap = sizeof body_mem;
    call.reply_mem = reply_mem;
    call.reply_cap = sizeof reply_mem;
    t_conn = -1;
    for (i = 0; i < t_n_atoms; i++) {
        const t_atom *a = &t_atoms[i];
        char topic[64], sub[64], line[256];
        const char *q = strchr(a->target, '?'), *sl = strstr(a->target, "/Subscriptions/");
        sioc_result r = SIOC_ERR_ARG;
        size_t tl = (size_t)((sl ? sl : q) - a->target - 1);
        memcpy(topic, a->target + 1, tl);
        topic[tl] = 0;
        sub[0] = 0;
        if (sl) {
            size_t sn = (size_t)(q - sl - 15);
            memcpy(sub, sl + 15, sn);
            sub[sn] = 0;
        }
        if (strcmp(a->method, "GET") == 0) {
            r = sl ? sioc_azure_get_subscription(&c, &call, S(topic), S(sub), 0)
                   : sioc_azure_get_topic(&c, &call, S(topic), 0);
        } else if (strcmp(a->method, "DELETE") == 0) {
            r = sioc_azure_delete_subscription(&c, &call, S(topic), S(sub), 0);
        } else if (!sl) {
            sioc_azure_topic_opts o;
            memset(&o, 0, sizeof o);
            o.updated = t_updated(a);
            r = sioc_azure_create_topic(&c, &call, S(topic), &o, 0);
        } else {
            sioc_azure_sub_opts o;
            memset(&o, 0, sizeof o);
            o.updated = t_updated(a);
            if (strstr(a->body, "<LockDuration>") && strstr(a->body, "<LockDuration>") < a->body + a->body_len) {
                o.lock_duration_s = 30;
                o.default_ttl_s = 60;
                o.max_delivery_count = 3;
                o.auto_delete_on_idle_s = 300;
            }
            r = sioc_azure_create_subscription(&c, &call, S(topic), S(sub), &o, 0);
        }
        CHECKF(r == SIOC_OK, "request %u", (unsigned)i);
        n = t_take(&c, wire, sizeof wire);
        snprintf(line, sizeof line, "%s %s HTTP/1.1\r\n", a->method, a->target);
        CHECKF(t_starts(wire, line), "request %u: %.80s", (unsigned)i, wire);
        if (a->ctype[0])
            CHECK(t_eq(t_hdr(wire, "Content-Type"), a->ctype));
        else
            CHECK(t_hdr(wire, "Content-Type").ptr == NULL);
        CHECKF(n >= a->body_len && memcmp(wire + n - a->body_len, a->body, a->body_len) == 0, "request %u body",
               (unsigned)i);
        if (a->body_len) {
            char cl[16];
            snprintf(cl, sizeof cl, "%u", (unsigned)a->body_len);
            CHECKF(t_eq(t_hdr(wire, "Content-Length"), cl), "request %u length", (unsigned)i);
        }
        t_reply(&c, "200 OK", "", "<entry/>");
        CHECK(t_next(&c) == &call);
    }
    sioc_azure_client_free(&c);
}

int main(void) {
    RUN(test_atom_bodies);
    RUN(test_props);
    RUN(test_parse_capture);
    RUN(test_parse_edges);
    RUN(test_classify);
    RUN(test_client);
    RUN(test_capture_requests);
    free(t_atom_text);
    return sioc_t_report("test_azure");
}
