/* SigV4 signer: the AWS test suite (tests/vectors/sigv4/<case>/), the SNS/SQS cross-checked vectors
   (sdk-crosscheck.json), every captured SDK request in tests/vectors/aws/ re-signed from its own headers, and the
   date helpers, key cache and argument checks. */
#define SIO_CLUSTER_IMPLEMENTATION
#include "sio_cluster.h"
#include "tests/harness.h"

static const sioc_str k_suite_key_id = {"AKIDEXAMPLE", 11};
static const sioc_str k_suite_secret = {"wJalrXUtnFEMI/K7MDENG+bPxRfiCYEXAMPLEKEY", 40};

/* "YYYYMMDDTHHMMSSZ" or "YYYY-MM-DDTHH:MM:SSZ" to Unix time (test helper, trusted input). */
static int64_t t_parse_time(const char *s) {
    unsigned v[6], i, k = 0;
    size_t pos = 0;
    static const int widths[6] = {4, 2, 2, 2, 2, 2};
    for (i = 0; i < 6; i++) {
        int w;
        while (s[pos] && !sioc__is_digit((unsigned char)s[pos])) pos++;
        v[i] = 0;
        for (w = 0; w < widths[i]; w++) v[i] = v[i] * 10u + (unsigned)(s[pos++] - '0');
        k++;
    }
    (void)k;
    return sioc__days_from_civil((int64_t)v[0], v[1], v[2]) * 86400 + (int64_t)(v[3] * 3600u + v[4] * 60u + v[5]);
}

/* ---- 1. the aws4_testsuite ---- */

#define T_MAX_PAIRS 64

typedef struct t_req {
    char method[16];
    char *path; /* malloc'd */
    sioc_sigv4_pair query[T_MAX_PAIRS];
    size_t nq;
    sioc_sigv4_pair hdr[T_MAX_PAIRS];
    size_t nh;
    const char *body;
    size_t body_len;
    char *store; /* decoded query names/values and joined header values live here */
    size_t store_len, store_cap;
    char x_amz_date[32];
    char token[1024];
} t_req;

static char *t_store(t_req *r, const char *p, size_t n) {
    char *dst = r->store + r->store_len;
    if (r->store_len + n + 1 > r->store_cap) {
        fprintf(stderr, "t_store overflow\n");
        exit(2);
    }
    memcpy(dst, p, n);
    dst[n] = 0;
    r->store_len += n + 1;
    return dst;
}

static sioc_str t_decoded(t_req *r, const char *p, size_t n) {
    char tmp[512];
    sioc_buf b;
    sioc_str out;
    sioc_buf_init(&b, tmp, sizeof tmp);
    if (sioc_pct_decode(p, n, 0, &b) != SIOC_OK || sioc_buf_result(&b) != SIOC_OK) {
        fprintf(stderr, "bad escape in test query\n");
        exit(2);
    }
    out.ptr = t_store(r, tmp, b.len);
    out.len = b.len;
    return out;
}

/* Parse a raw .req: request line (the target may contain spaces), header lines (a line starting with blanks
   continues the previous value, joined with one space), optional blank line and body. */
static void t_parse_req(const char *text, size_t len, t_req *r) {
    const char *end = text + len, *line = text, *nl, *sp, *tail, *q;
    memset(r, 0, sizeof *r);
    r->store_cap = 8192;
    r->store = (char *)malloc(r->store_cap);
    nl = (const char *)memchr(line, '\n', (size_t)(end - line));
    if (!nl) nl = end;
    sp = (const char *)memchr(line, ' ', (size_t)(nl - line));
    memcpy(r->method, line, (size_t)(sp - line));
    tail = nl;
    while (tail > sp && tail[-1] != ' ') tail--; /* " HTTP/1.1" */
    tail--;
    q = (const char *)memchr(sp + 1, '?', (size_t)(tail - (sp + 1)));
    r->path = t_store(r, sp + 1, (size_t)((q ? q : tail) - (sp + 1)));
    if (q) {
        const char *a = q + 1;
        while (a < tail) {
            const char *amp = (const char *)memchr(a, '&', (size_t)(tail - a)), *eq;
            if (!amp) amp = tail;
            eq = (const char *)memchr(a, '=', (size_t)(amp - a));
            r->query[r->nq].name = t_decoded(r, a, (size_t)((eq ? eq : amp) - a));
            r->query[r->nq].value = eq ? t_decoded(r, eq + 1, (size_t)(amp - eq - 1)) : t_decoded(r, "", 0);
            r->nq++;
            a = amp + 1;
        }
    }
    line = nl < end ? nl + 1 : end;
    while (line < end) {
        const char *colon;
        nl = (const char *)memchr(line, '\n', (size_t)(end - line));
        if (!nl) nl = end;
        if (nl == line) { /* blank line: body follows */
            r->body = nl + 1 <= end ? nl + 1 : end;
            r->body_len = (size_t)(end - r->body);
            break;
        }
        if (*line == ' ' || *line == '\t') { /* continuation */
            sioc_sigv4_pair *h = &r->hdr[r->nh - 1];
            char joined[512];
            size_t n = h->value.len;
            memcpy(joined, h->value.ptr, n);
            joined[n++] = ' ';
            memcpy(joined + n, line, (size_t)(nl - line));
            n += (size_t)(nl - line);
            h->value.ptr = t_store(r, joined, n);
            h->value.len = n;
        } else {
            colon = (const char *)memchr(line, ':', (size_t)(nl - line));
            r->hdr[r->nh].name.ptr = line;
            r->hdr[r->nh].name.len = (size_t)(colon - line);
            r->hdr[r->nh].value.ptr = colon + 1;
            r->hdr[r->nh].value.len = (size_t)(nl - colon - 1);
            r->nh++;
        }
        line = nl + 1;
    }
    /* the signer adds X-Amz-Date and X-Amz-Security-Token itself: take them out of the list */
    {
        size_t i, k = 0;
        for (i = 0; i < r->nh; i++) {
            sioc_sigv4_pair h = r->hdr[i];
            if (sioc__name_is(h.name, "x-amz-date")) {
                memcpy(r->x_amz_date, h.value.ptr, SIOC__MIN(h.value.len, sizeof r->x_amz_date - 1));
                continue;
            }
            if (sioc__name_is(h.name, "x-amz-security-token")) {
                memcpy(r->token, h.value.ptr, SIOC__MIN(h.value.len, sizeof r->token - 1));
                continue;
            }
            r->hdr[k++] = h;
        }
        r->nh = k;
    }
}

static void t_suite_case(const char *name) {
    char rel[256], base[128];
    const char *slash = strrchr(name, '/');
    char *req_text, *creq, *sts, *authz;
    size_t req_len, creq_len, sts_len, authz_len;
    t_req r;
    sioc_sigv4_params p;
    sioc_sigv4_request q;
    sioc_sigv4_result res;
    char out[4096], auth[1024];
    sioc_buf b, a;
    sioc_result rc;

    snprintf(base, sizeof base, "%s", slash ? slash + 1 : name);
    snprintf(rel, sizeof rel, "vectors/sigv4/%s/%s.req", name, base);
    req_text = sioc_t_read(rel, &req_len);
    snprintf(rel, sizeof rel, "vectors/sigv4/%s/%s.creq", name, base);
    creq = sioc_t_read(rel, &creq_len);
    snprintf(rel, sizeof rel, "vectors/sigv4/%s/%s.sts", name, base);
    sts = sioc_t_read(rel, &sts_len);
    snprintf(rel, sizeof rel, "vectors/sigv4/%s/%s.authz", name, base);
    authz = sioc_t_read(rel, &authz_len);

    t_parse_req(req_text, req_len, &r);
    CHECKF(strcmp(r.x_amz_date, "20150830T123600Z") == 0, "%s: X-Amz-Date %s", name, r.x_amz_date);

    memset(&p, 0, sizeof p);
    p.creds.access_key_id = k_suite_key_id;
    p.creds.secret_access_key = k_suite_secret;
    p.region = sioc_str_c("us-east-1");
    p.service = sioc_str_c("service");
    p.unix_time = t_parse_time(r.x_amz_date);
    if (strcmp(base, "get-vanilla-with-session-token") == 0) {
        CHECK(r.token[0] == 0); /* not in the .req: the signer must add it */
        p.creds.session_token = sioc_str_c("6e86291e8372ff2a2260956d9b8aae1d763fbf315fa00fa31553b73ebf194267");
    } else if (strcmp(base, "post-sts-header-before") == 0) {
        CHECK(r.token[0] != 0);
        p.creds.session_token = sioc_str_c(r.token);
    } else if (strcmp(base, "post-sts-header-after") == 0) {
        CHECK(r.token[0] == 0); /* added after signing: unsigned */
        p.creds.session_token = sioc_str_c(
            "AQoDYXdzEPT//////////wEXAMPLEtc764bNrC9SAPBSM22wDOk4x4HIZ8j4FZTwdQWLWsKWHGBuFqwAeMicRXmxfpSPfIeoIYRqTflfKD8Y"
            "UuwthAx7mSEI/qkPpKPi/kMcGdQrmGdeehM4IC1NtBmUpp2wUE8phUZampKsburEDy0KPkyQDYwT7WZ0wq5VSXDvp75YU9HFvlRd8Tx6q6fE"
            "8YQcHNVXAkiY9q6d+xo0rKwT38xVqr7ZD0u0iPPkUL64lIZbqBAz+scqKmlzm8FDrypNC9Yjc8fPOLn9FX9KSYvKTr4rvx3iSIlTJabIQwj2"
            "ICCR/oLxBA==");
        p.flags |= SIOC_SIGV4_UNSIGNED_TOKEN;
    } else {
        CHECK(r.token[0] == 0);
    }

    memset(&q, 0, sizeof q);
    q.method = sioc_str_c(r.method);
    q.path = sioc_str_c(r.path);
    q.query = r.query;
    q.query_count = r.nq;
    q.headers = r.hdr;
    q.header_count = r.nh;
    q.payload.ptr = (const uint8_t *)r.body;
    q.payload.len = r.body_len;

    sioc_buf_init(&b, out, sizeof out);
    rc = sioc_sigv4_canonical_request(&p, &q, &b);
    CHECK_EQ_INT(rc, SIOC_OK);
    CHECKF(b.len == creq_len && memcmp(out, creq, creq_len) == 0, "%s: canonical request\n--- got\n%.*s\n--- want\n%s",
           name, (int)b.len, out, creq);

    sioc_buf_init(&b, out, sizeof out);
    rc = sioc_sigv4_string_to_sign(&p, &q, &b);
    CHECK_EQ_INT(rc, SIOC_OK);
    CHECKF(b.len == sts_len && memcmp(out, sts, sts_len) == 0, "%s: string to sign\n--- got\n%.*s\n--- want\n%s", name,
           (int)b.len, out, sts);

    sioc_buf_init(&a, auth, sizeof auth);
    rc = sioc_sigv4_sign(&p, &q, NULL, &a, &res);
    CHECK_EQ_INT(rc, SIOC_OK);
    CHECKF(a.len == authz_len && memcmp(auth, authz, authz_len) == 0, "%s: authorization\n--- got\n%.*s\n--- want\n%s",
           name, (int)a.len, auth, authz);
    CHECK(strcmp(res.amz_date, "20150830T123600Z") == 0);

    free(r.store);
    free(req_text);
    free(creq);
    free(sts);
    free(authz);
}

static int t_suite_cases;

static void test_aws4_testsuite(void) {
    size_t len;
    char *index = sioc_t_read("vectors/sigv4/index.txt", &len);
    char *line = index, *end = index + len;
    while (line < end) {
        char *nl = (char *)memchr(line, '\n', (size_t)(end - line));
        if (!nl) nl = end;
        *nl = 0;
        if (*line) {
            t_suite_case(line);
            t_suite_cases++;
        }
        line = nl + 1;
    }
    CHECK_EQ_INT(t_suite_cases, 34);
    free(index);
}

/* ---- 2. sdk-crosscheck.json ---- */

static int t_cross_cases;

static sioc_str t_json_str(const sioc_json *d, int tok, char *store, size_t cap, size_t *used) {
    sioc_str s = {"", 0};
    size_t n = 0;
    if (sioc_json_get_str(d, tok, store + *used, cap - *used, &n) != SIOC_OK) {
        fprintf(stderr, "json string does not fit the test store\n");
        exit(2);
    }
    s.ptr = store + *used;
    s.len = n;
    *used += n + 1;
    return s;
}

static void t_cross_case(const sioc_json *d, int c) {
    static char store[65536];
    size_t used = 0, i;
    int req = sioc_json_find(d, c, "request"), sig = sioc_json_find(d, c, "signing"),
        exp = sioc_json_find(d, c, "expected"), t;
    sioc_str name = t_json_str(d, sioc_json_find(d, c, "name"), store, sizeof store, &used);
    sioc_sigv4_pair hdr[16], query[32];
    size_t nh = 0, nq = 0;
    uint8_t body[8192], key[32];
    size_t body_len = 0;
    sioc_str b64, ts, want_creq, want_sts, want_key, want_sig, want_auth, want_date;
    sioc_sigv4_params p;
    sioc_sigv4_request q;
    sioc_sigv4_result res;
    char out[8192], hex[65];
    sioc_buf b;
    int added;

    for (t = sioc_json_first(d, sioc_json_find(d, req, "headers")); t >= 0; t = sioc_json_next(d, t)) {
        hdr[nh].name = t_json_str(d, sioc_json_at(d, t, 0), store, sizeof store, &used);
        hdr[nh].value = t_json_str(d, sioc_json_at(d, t, 1), store, sizeof store, &used);
        nh++;
    }
    for (t = sioc_json_first(d, sioc_json_find(d, req, "query")); t >= 0; t = sioc_json_next(d, t)) {
        query[nq].name = t_json_str(d, sioc_json_at(d, t, 0), store, sizeof store, &used);
        query[nq].value = t_json_str(d, sioc_json_at(d, t, 1), store, sizeof store, &used);
        nq++;
    }
    b64 = t_json_str(d, sioc_json_find(d, req, "body_base64"), store, sizeof store, &used);
    CHECK(sioc_base64_decode(b64.ptr, b64.len, body, sizeof body, &body_len) == SIOC_OK);

    memset(&p, 0, sizeof p);
    p.region = t_json_str(d, sioc_json_find(d, sig, "region"), store, sizeof store, &used);
    p.service = t_json_str(d, sioc_json_find(d, sig, "service"), store, sizeof store, &used);
    p.creds.access_key_id = t_json_str(d, sioc_json_find(d, sig, "access_key_id"), store, sizeof store, &used);
    p.creds.secret_access_key = t_json_str(d, sioc_json_find(d, sig, "secret_access_key"), store, sizeof store, &used);
    t = sioc_json_find(d, sig, "session_token");
    if (sioc_json_type_of(d, t) == SIOC_JSON_STRING) p.creds.session_token = t_json_str(d, t, store, sizeof store, &used);
    ts = t_json_str(d, sioc_json_find(d, sig, "timestamp"), store, sizeof store, &used);
    p.unix_time = t_parse_time(ts.ptr);
    added = 0;
    CHECK(sioc_json_get_bool(d, sioc_json_find(d, sig, "add_x_amz_content_sha256"), &added) == SIOC_OK);
    if (added) p.flags |= SIOC_SIGV4_ADD_CONTENT_SHA256;

    memset(&q, 0, sizeof q);
    q.method = t_json_str(d, sioc_json_find(d, req, "method"), store, sizeof store, &used);
    q.path = t_json_str(d, sioc_json_find(d, req, "path"), store, sizeof store, &used);
    q.query = query;
    q.query_count = nq;
    q.headers = hdr;
    q.header_count = nh;
    q.payload.ptr = body;
    q.payload.len = body_len;

    want_creq = t_json_str(d, sioc_json_find(d, exp, "canonical_request"), store, sizeof store, &used);
    want_sts = t_json_str(d, sioc_json_find(d, exp, "string_to_sign"), store, sizeof store, &used);
    want_key = t_json_str(d, sioc_json_find(d, exp, "signing_key_hex"), store, sizeof store, &used);
    want_sig = t_json_str(d, sioc_json_find(d, exp, "signature"), store, sizeof store, &used);
    want_auth = t_json_str(d, sioc_json_find(d, exp, "authorization"), store, sizeof store, &used);
    want_date = t_json_str(d, sioc_json_find(d, exp, "amz_date"), store, sizeof store, &used);

    sioc_buf_init(&b, out, sizeof out);
    CHECK(sioc_sigv4_canonical_request(&p, &q, &b) == SIOC_OK);
    CHECKF(b.len == want_creq.len && memcmp(out, want_creq.ptr, b.len) == 0,
           "%s: canonical request\n--- got\n%.*s\n--- want\n%s", name.ptr, (int)b.len, out, want_creq.ptr);
    sioc_buf_init(&b, out, sizeof out);
    CHECK(sioc_sigv4_string_to_sign(&p, &q, &b) == SIOC_OK);
    CHECKF(b.len == want_sts.len && memcmp(out, want_sts.ptr, b.len) == 0, "%s: string to sign", name.ptr);
    sioc_sigv4_signing_key(p.creds.secret_access_key, want_date.ptr, p.region, p.service, key);
    CHECK(sioc_hex_encode(key, 32, hex, sizeof hex) == SIOC_OK);
    CHECKF(want_key.len == 64 && memcmp(hex, want_key.ptr, 64) == 0, "%s: signing key", name.ptr);
    sioc_buf_init(&b, out, sizeof out);
    CHECK(sioc_sigv4_sign(&p, &q, NULL, &b, &res) == SIOC_OK);
    CHECKF(want_sig.len == 64 && memcmp(res.signature, want_sig.ptr, 64) == 0, "%s: signature", name.ptr);
    CHECKF(b.len == want_auth.len && memcmp(out, want_auth.ptr, b.len) == 0, "%s: authorization\n%.*s\n%s", name.ptr,
           (int)b.len, out, want_auth.ptr);
    CHECK(strcmp(res.amz_date, want_date.ptr) == 0);
    /* the headers the signer says it adds, with their values */
    for (t = sioc_json_first(d, sioc_json_find(d, exp, "headers_added_by_signer")); t >= 0; t = sioc_json_next(d, t)) {
        sioc_str hn = t_json_str(d, sioc_json_at(d, t, 0), store, sizeof store, &used);
        sioc_str hv = t_json_str(d, sioc_json_at(d, t, 1), store, sizeof store, &used);
        if (sioc__name_is(hn, "x-amz-date")) CHECK(strcmp(hv.ptr, res.amz_date) == 0);
        else if (sioc__name_is(hn, "x-amz-security-token")) CHECK(sioc_str_eq(hv, p.creds.session_token));
        else if (sioc__name_is(hn, "x-amz-content-sha256")) CHECK(added && strcmp(hv.ptr, res.payload_hash) == 0);
        else CHECKF(0, "%s: unexpected added header %s", name.ptr, hn.ptr);
    }
    for (i = 0; i < nh; i++) CHECK(hdr[i].name.len > 0);
    t_cross_cases++;
}

static void test_sdk_crosscheck(void) {
    size_t len;
    char *text = sioc_t_read("vectors/sigv4/sdk-crosscheck.json", &len);
    sioc_json_tok *toks = (sioc_json_tok *)malloc(20000 * sizeof *toks);
    sioc_json d;
    int c;
    CHECK(sioc_json_parse(&d, text, len, toks, 20000) == SIOC_OK);
    for (c = sioc_json_first(&d, sioc_json_find(&d, 0, "cases")); c >= 0; c = sioc_json_next(&d, c)) t_cross_case(&d, c);
    CHECK_EQ_INT(t_cross_cases, 23);
    free(toks);
    free(text);
}

/* ---- 3. the captured SDK requests, re-signed from their own signed headers ---- */

static const char *const k_captures[] = {
    "01-sns-CreateTopic.txt", "02-sqs-CreateQueue.txt", "03-sqs-GetQueueAttributes.txt",
    "04-sqs-SetQueueAttributes-Policy.txt", "05-sns-Subscribe-sqs-raw.txt", "06-sns-Publish-INITIAL_HEARTBEAT.txt",
    "07-sns-Publish-HEARTBEAT.txt", "08-sns-Publish-BROADCAST-binary-data.txt",
    "09-sns-Publish-FETCH_SOCKETS_RESPONSE-requesterUid.txt",
    "10-sns-Publish-SERVER_SIDE_EMIT_RESPONSE-requesterUid.txt", "11-sns-Publish-FETCH_SOCKETS-request.txt",
    "12-sns-Publish-ADAPTER_CLOSE.txt", "13-sqs-ReceiveMessage-BROADCAST-String+Binary.txt",
    "14-sqs-ReceiveMessage-2-responses-requesterUid.txt", "15-sqs-ReceiveMessage-empty-longpoll.txt",
    "16-sqs-DeleteMessageBatch.txt", "17-sqs-DeleteQueue.txt", "18-sns-Unsubscribe.txt",
    "19-sns-Subscribe-FilterPolicy.txt", "20-sns-PublishBatch-binary.txt", "21-sqs-SendMessage-binary.txt",
    "22-sqs-SendMessageBatch.txt", "23-sqs-ReceiveMessage-after-SendMessage.txt",
    "24-sqs-error-QueueDoesNotExist.txt", "25-sns-error-NotFound.txt", "26-old-sdk-3.535-sns-Publish-BROADCAST.txt",
    "27-old-sdk-3.536-sqs-ReceiveMessage.txt"};

/* Header value by name among CRLF lines [head, head_end). */
static sioc_str t_cap_header(const char *head, const char *head_end, const char *name) {
    const char *line = head;
    sioc_str none = {NULL, 0};
    while (line < head_end) {
        const char *eol = strstr(line, "\r\n"), *colon;
        if (!eol || eol > head_end) break;
        colon = (const char *)memchr(line, ':', (size_t)(eol - line));
        if (colon) {
            sioc_str n;
            n.ptr = line;
            n.len = (size_t)(colon - line);
            if (sioc__name_is(n, name)) {
                sioc_str v;
                v.ptr = colon + 1;
                while (*v.ptr == ' ') v.ptr++;
                v.len = (size_t)(eol - v.ptr);
                return v;
            }
        }
        line = eol + 2;
    }
    return none;
}

static void test_captures_resign(void) {
    size_t i;
    for (i = 0; i < SIOC__COUNT(k_captures); i++) {
        char rel[256], date[17], *text, *req, *head_end, *body;
        const char *sh, *sh_end, *sv;
        size_t len, nh = 0, body_len;
        sioc_str auth, amz, csha, clen, cred;
        sioc_sigv4_pair hdr[16];
        sioc_sigv4_params p;
        sioc_sigv4_request q;
        sioc_sigv4_result res;
        char out[1024], service[8];
        sioc_buf b;
        snprintf(rel, sizeof rel, "vectors/aws/%s", k_captures[i]);
        text = sioc_t_read(rel, &len);
        req = strstr(text, "======== REQUEST ========\n") + 26;
        head_end = strstr(req, "\r\n\r\n") + 2;
        body = head_end + 2;
        auth = t_cap_header(req, head_end, "authorization");
        amz = t_cap_header(req, head_end, "x-amz-date");
        csha = t_cap_header(req, head_end, "x-amz-content-sha256");
        clen = t_cap_header(req, head_end, "content-length");
        body_len = (size_t)strtoul(clen.ptr, NULL, 10);
        CHECK(auth.ptr && amz.len == 16 && csha.len == 64);
        memcpy(date, amz.ptr, 16);
        date[16] = 0;
        /* Credential=AKIAIOSFODNN7EXAMPLE/20261123/us-east-1/<service>/aws4_request */
        cred.ptr = strstr(auth.ptr, "Credential=") + 11;
        {
            const char *s = cred.ptr;
            int slashes = 0;
            while (slashes < 3) slashes += *s++ == '/';
            memcpy(service, s, 3);
            service[3] = 0;
        }
        sh = strstr(auth.ptr, "SignedHeaders=") + 14;
        sh_end = strchr(sh, ',');
        sv = strstr(auth.ptr, "Signature=") + 10;
        while (sh < sh_end) { /* every signed header except the two the signer adds itself */
            const char *semi = (const char *)memchr(sh, ';', (size_t)(sh_end - sh));
            char hname[64];
            if (!semi) semi = sh_end;
            memcpy(hname, sh, (size_t)(semi - sh));
            hname[semi - sh] = 0;
            if (strcmp(hname, "x-amz-date") != 0 && strcmp(hname, "x-amz-content-sha256") != 0) {
                hdr[nh].name = t_cap_header(req, head_end, hname);
                hdr[nh].name.ptr = hdr[nh].name.ptr ? sh : NULL; /* lower-case name from the list */
                hdr[nh].name.len = (size_t)(semi - sh);
                hdr[nh].value = t_cap_header(req, head_end, hname);
                CHECKF(hdr[nh].value.ptr != NULL, "%s: signed header %s missing", k_captures[i], hname);
                nh++;
            }
            sh = semi + 1;
        }
        memset(&p, 0, sizeof p);
        p.creds.access_key_id = sioc_str_c("AKIAIOSFODNN7EXAMPLE");
        p.creds.secret_access_key = sioc_str_c("wJalrXUtnFEMI/K7MDENG/bPxRfiCYEXAMPLEKEY");
        p.region = sioc_str_c("us-east-1");
        p.service = sioc_str_c(service);
        p.unix_time = t_parse_time(date);
        p.flags = SIOC_SIGV4_ADD_CONTENT_SHA256;
        memset(&q, 0, sizeof q);
        q.method = sioc_str_c("POST");
        q.path = sioc_str_c("/");
        q.headers = hdr;
        q.header_count = nh;
        q.payload.ptr = (const uint8_t *)body;
        q.payload.len = body_len;
        sioc_buf_init(&b, out, sizeof out);
        CHECK(sioc_sigv4_sign(&p, &q, NULL, &b, &res) == SIOC_OK);
        CHECKF(memcmp(res.signature, sv, 64) == 0, "%s: signature %s", k_captures[i], res.signature);
        CHECKF(memcmp(res.payload_hash, csha.ptr, 64) == 0, "%s: payload hash", k_captures[i]);
        CHECK(strcmp(res.amz_date, date) == 0);
        /* the whole Authorization value, byte for byte */
        CHECKF(b.len == auth.len && memcmp(out, auth.ptr, b.len) == 0, "%s: authorization", k_captures[i]);
        free(text);
    }
}

/* ---- 4. helpers, cache, argument checks ---- */

static void test_dates(void) {
    char d[17];
    int64_t t = 0;
    CHECK(sioc_sigv4_format_date(0, d) == SIOC_OK && strcmp(d, "19700101T000000Z") == 0);
    CHECK(sioc_sigv4_format_date(1440938160, d) == SIOC_OK && strcmp(d, "20150830T123600Z") == 0);
    CHECK(sioc_sigv4_format_date(1709251199, d) == SIOC_OK && strcmp(d, "20240229T235959Z") == 0);
    CHECK(sioc_sigv4_format_date(1709251200, d) == SIOC_OK && strcmp(d, "20240301T000000Z") == 0);
    CHECK(sioc_sigv4_format_date(INT64_C(253402300799), d) == SIOC_OK && strcmp(d, "99991231T235959Z") == 0);
    CHECK(sioc_sigv4_format_date(INT64_C(253402300800), d) == SIOC_ERR_RANGE);
    CHECK(sioc_sigv4_format_date(-1, d) == SIOC_ERR_RANGE);
    CHECK(sioc_sigv4_parse_http_date(sioc_str_c("Mon, 23 Nov 2026 05:47:55 GMT"), &t) == SIOC_OK);
    CHECK(sioc_sigv4_format_date(t, d) == SIOC_OK && strcmp(d, "20261123T054755Z") == 0);
    CHECK(t == t_parse_time("20261123T054755Z"));
    CHECK(sioc_sigv4_parse_http_date(sioc_str_c("Thu, 29 Feb 2024 23:59:59 GMT"), &t) == SIOC_OK && t == 1709251199);
    CHECK(sioc_sigv4_parse_http_date(sioc_str_c("Thu, 01 Jan 1970 00:00:00 GMT"), &t) == SIOC_OK && t == 0);
    /* wrong weekday, impossible dates, other forms */
    CHECK(sioc_sigv4_parse_http_date(sioc_str_c("Tue, 23 Nov 2026 05:47:55 GMT"), &t) == SIOC_ERR_PARSE);
    CHECK(sioc_sigv4_parse_http_date(sioc_str_c("Thu, 29 Feb 2023 23:59:59 GMT"), &t) == SIOC_ERR_PARSE);
    CHECK(sioc_sigv4_parse_http_date(sioc_str_c("Mon, 31 Nov 2026 05:47:55 GMT"), &t) == SIOC_ERR_PARSE);
    CHECK(sioc_sigv4_parse_http_date(sioc_str_c("Mon, 23 Nov 2026 24:47:55 GMT"), &t) == SIOC_ERR_PARSE);
    CHECK(sioc_sigv4_parse_http_date(sioc_str_c("Mon, 23 Nov 2026 05:47:55 UTC"), &t) == SIOC_ERR_PARSE);
    CHECK(sioc_sigv4_parse_http_date(sioc_str_c("Monday, 23-Nov-26 05:47:55 GMT"), &t) == SIOC_ERR_PARSE);
    CHECK(sioc_sigv4_parse_http_date(sioc_str_c("Mon, 23 Nov 2026 05:47:5x GMT"), &t) == SIOC_ERR_PARSE);
    CHECK(sioc_sigv4_parse_http_date(sioc_str_c(""), &t) == SIOC_ERR_PARSE);
}

static void t_basic(sioc_sigv4_params *p, sioc_sigv4_request *q, sioc_sigv4_pair *h) {
    memset(p, 0, sizeof *p);
    p->creds.access_key_id = sioc_str_c("AKIAIOSFODNN7EXAMPLE");
    p->creds.secret_access_key = sioc_str_c("wJalrXUtnFEMI/K7MDENG/bPxRfiCYEXAMPLEKEY");
    p->region = sioc_str_c("us-east-1");
    p->service = sioc_str_c("sns");
    p->unix_time = 1440938160;
    h[0].name = sioc_str_c("Host");
    h[0].value = sioc_str_c("sns.us-east-1.amazonaws.com");
    h[1].name = sioc_str_c("Content-Type");
    h[1].value = sioc_str_c("application/x-www-form-urlencoded");
    memset(q, 0, sizeof *q);
    q->method = sioc_str_c("POST");
    q->path = sioc_str_c("/");
    q->headers = h;
    q->header_count = 2;
    q->payload.ptr = (const uint8_t *)"Action=Publish";
    q->payload.len = 14;
}

static void test_key_cache(void) {
    sioc_sigv4_params p;
    sioc_sigv4_request q;
    sioc_sigv4_pair h[2];
    sioc_sigv4_key_cache cache;
    sioc_sigv4_result r1, r2, r3;
    char a1[512], a2[512];
    sioc_buf b1, b2;
    t_basic(&p, &q, h);
    memset(&cache, 0, sizeof cache);
    sioc_buf_init(&b1, a1, sizeof a1);
    sioc_buf_init(&b2, a2, sizeof a2);
    CHECK(sioc_sigv4_sign(&p, &q, NULL, &b1, &r1) == SIOC_OK);
    CHECK(sioc_sigv4_sign(&p, &q, &cache, &b2, &r2) == SIOC_OK);
    CHECK(cache.valid == 1);
    CHECK(strcmp(r1.signature, r2.signature) == 0 && b1.len == b2.len && memcmp(a1, a2, b1.len) == 0);
    /* same day from the cache: identical result, and a poisoned cache entry with a matching id would be used */
    sioc_buf_init(&b2, a2, sizeof a2);
    CHECK(sioc_sigv4_sign(&p, &q, &cache, &b2, &r3) == SIOC_OK && strcmp(r1.signature, r3.signature) == 0);
    {
        sioc_sigv4_key_cache poisoned = cache;
        sioc_hmac_sha256_init(&poisoned.mac, "wrong", 5);
        sioc_buf_init(&b2, a2, sizeof a2);
        CHECK(sioc_sigv4_sign(&p, &q, &poisoned, &b2, &r3) == SIOC_OK && strcmp(r1.signature, r3.signature) != 0);
    }
    /* next day, other secret, other region: the cache must not be reused */
    p.unix_time += 86400;
    sioc_buf_init(&b1, a1, sizeof a1);
    CHECK(sioc_sigv4_sign(&p, &q, NULL, &b1, &r1) == SIOC_OK);
    sioc_buf_init(&b2, a2, sizeof a2);
    CHECK(sioc_sigv4_sign(&p, &q, &cache, &b2, &r2) == SIOC_OK && strcmp(r1.signature, r2.signature) == 0);
    p.creds.secret_access_key = sioc_str_c("another-secret");
    sioc_buf_init(&b1, a1, sizeof a1);
    CHECK(sioc_sigv4_sign(&p, &q, NULL, &b1, &r1) == SIOC_OK);
    sioc_buf_init(&b2, a2, sizeof a2);
    CHECK(sioc_sigv4_sign(&p, &q, &cache, &b2, &r2) == SIOC_OK && strcmp(r1.signature, r2.signature) == 0);
    p.region = sioc_str_c("eu-west-1");
    sioc_buf_init(&b1, a1, sizeof a1);
    CHECK(sioc_sigv4_sign(&p, &q, NULL, &b1, &r1) == SIOC_OK);
    sioc_buf_init(&b2, a2, sizeof a2);
    CHECK(sioc_sigv4_sign(&p, &q, &cache, &b2, &r2) == SIOC_OK && strcmp(r1.signature, r2.signature) == 0);
    /* a secret longer than an HMAC block is hashed first (RFC 2104); must match the plain derivation */
    {
        char longsecret[100];
        uint8_t k1[32], k2[32], kk[32];
        memset(longsecret, 'x', sizeof longsecret);
        sioc_sigv4_signing_key(sioc_str_c(""), "20150830", p.region, p.service, k1);
        (void)k1;
        sioc_str ls;
        ls.ptr = longsecret;
        ls.len = sizeof longsecret;
        sioc_sigv4_signing_key(ls, "20150830", p.region, p.service, k2);
        {
            char kbuf[104];
            memcpy(kbuf, "AWS4", 4);
            memcpy(kbuf + 4, longsecret, sizeof longsecret);
            sioc_hmac_sha256(kbuf, sizeof kbuf, "20150830", 8, kk);
            sioc_hmac_sha256(kk, 32, p.region.ptr, p.region.len, kk);
            sioc_hmac_sha256(kk, 32, p.service.ptr, p.service.len, kk);
            sioc_hmac_sha256(kk, 32, "aws4_request", 12, kk);
        }
        CHECK(memcmp(k2, kk, 32) == 0);
    }
}

static void test_bad_arguments(void) {
    sioc_sigv4_params p;
    sioc_sigv4_request q;
    sioc_sigv4_pair h[SIOC_SIGV4_MAX_HEADERS + 2];
    sioc_sigv4_result r;
    char a[512];
    sioc_buf b;
    size_t i;
#define T_SIGN() (sioc_buf_init(&b, a, sizeof a), sioc_sigv4_sign(&p, &q, NULL, &b, &r))
    t_basic(&p, &q, h);
    CHECK(T_SIGN() == SIOC_OK);
    /* authorization buffer too small: the size needed is reported */
    {
        size_t need = b.len;
        sioc_buf_init(&b, a, 10);
        CHECK(sioc_sigv4_sign(&p, &q, NULL, &b, &r) == SIOC_ERR_BUFFER_TOO_SMALL && b.len == need);
    }
    h[0].name = sioc_str_c("X-Other"); /* no Host */
    CHECK(T_SIGN() == SIOC_ERR_ARG);
    t_basic(&p, &q, h);
    h[1].value = sioc_str_c("text/plain\r\nX-Injected: 1");
    CHECK(T_SIGN() == SIOC_ERR_ARG);
    t_basic(&p, &q, h);
    h[1].name = sioc_str_c("Content Type");
    CHECK(T_SIGN() == SIOC_ERR_ARG);
    t_basic(&p, &q, h);
    h[1].name = sioc_str_c("X-Amz-Date"); /* the signer owns it */
    CHECK(T_SIGN() == SIOC_ERR_ARG);
    t_basic(&p, &q, h);
    p.region = sioc_str_c("us-east-1/../x");
    CHECK(T_SIGN() == SIOC_ERR_ARG);
    t_basic(&p, &q, h);
    p.creds.access_key_id = sioc_str_c("");
    CHECK(T_SIGN() == SIOC_ERR_ARG);
    t_basic(&p, &q, h);
    p.creds.access_key_id = sioc_str_c("AKID, Signature=x");
    CHECK(T_SIGN() == SIOC_ERR_ARG);
    t_basic(&p, &q, h);
    p.creds.session_token = sioc_str_c("tok\nen");
    CHECK(T_SIGN() == SIOC_ERR_ARG);
    t_basic(&p, &q, h);
    p.unix_time = -5;
    CHECK(T_SIGN() == SIOC_ERR_RANGE);
    t_basic(&p, &q, h);
    for (i = 2; i < SIOC_SIGV4_MAX_HEADERS + 2; i++) {
        h[i].name = sioc_str_c("X-Many");
        h[i].value = sioc_str_c("v");
    }
    q.header_count = SIOC_SIGV4_MAX_HEADERS + 2;
    CHECK(T_SIGN() == SIOC_ERR_LIMIT);
    q.header_count = SIOC_SIGV4_MAX_HEADERS - 1; /* + x-amz-date fits */
    CHECK(T_SIGN() == SIOC_OK);
    p.creds.session_token = sioc_str_c("tok"); /* + token does not */
    CHECK(T_SIGN() == SIOC_ERR_LIMIT);
    t_basic(&p, &q, h);
    q.payload_hash = "e3b0c44298fc1c149afbf4c8996fb92427ae41e4649b934ca495991b7852b85"; /* 63 digits */
    CHECK(T_SIGN() == SIOC_ERR_ARG);
    q.payload_hash = "E3B0C44298FC1C149AFBF4C8996FB92427AE41E4649B934CA495991B7852B855"; /* upper case */
    CHECK(T_SIGN() == SIOC_ERR_ARG);
    /* a given payload hash replaces hashing the body */
    q.payload_hash = "e3b0c44298fc1c149afbf4c8996fb92427ae41e4649b934ca495991b7852b855";
    q.payload.ptr = NULL;
    q.payload.len = 0;
    CHECK(T_SIGN() == SIOC_OK && strcmp(r.payload_hash, q.payload_hash) == 0);
    /* deep paths beyond the segment limit */
    {
        char path[3 * (SIOC_SIGV4_MAX_SEGMENTS + 1) + 1];
        for (i = 0; i < SIOC_SIGV4_MAX_SEGMENTS + 1; i++) memcpy(path + 3 * i, "/ab", 3);
        path[sizeof path - 1] = 0;
        t_basic(&p, &q, h);
        q.path = sioc_str_c(path);
        CHECK(T_SIGN() == SIOC_ERR_LIMIT);
        q.path.len -= 3;
        CHECK(T_SIGN() == SIOC_OK);
    }
#undef T_SIGN
}

int main(void) {
    RUN(test_aws4_testsuite);
    RUN(test_sdk_crosscheck);
    RUN(test_captures_resign);
    RUN(test_dates);
    RUN(test_key_cache);
    RUN(test_bad_arguments);
    printf("sigv4 vectors: %d aws4_testsuite cases, %d sdk-crosscheck cases, %d captures\n", t_suite_cases,
           t_cross_cases, (int)SIOC__COUNT(k_captures));
    return sioc_t_report("test_sigv4");
}
