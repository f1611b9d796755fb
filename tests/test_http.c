/* HTTP/1.1 writer, response parser (every response at every split point and byte by byte) and the client engine
   driven by a scripted peer with a fake clock: pool, keep-alive, retry, deadlines, held responses, allocations. */
#define SIO_CLUSTER_IMPLEMENTATION
#include "sio_cluster.h"
#include "harness.h"

#ifndef SIOC_T_NAME
#define SIOC_T_NAME "test_http" /* test_build_smallbuf.c runs this suite again */
#endif

/* ---------------------------------------------------------------- writer */

static void test_writer(void) {
    char mem[512];
    sioc_buf b;
    sioc_http_request req;
    sioc_http_header h[2];
    const char *want;
    memset(&req, 0, sizeof req);
    req.method = "GET";
    req.target = "/a/b?x=1&y=%20";
    h[0].name = sioc_str_c("X-Amz-Date");
    h[0].value = sioc_str_c("20150830T123600Z");
    h[1].name = sioc_str_c("accept");
    h[1].value = sioc_str_c("*/*");
    req.headers = h;
    req.header_count = 2;
    sioc_buf_init(&b, mem, sizeof mem);
    CHECK_EQ_INT(sioc_http_write_head(&b, &req, "sqs.eu-west-1.amazonaws.com", 443, 1), SIOC_OK);
    want = "GET /a/b?x=1&y=%20 HTTP/1.1\r\nHost: sqs.eu-west-1.amazonaws.com\r\nX-Amz-Date: 20150830T123600Z\r\n"
           "accept: */*\r\n\r\n";
    CHECK_MEM(mem, b.len, want, strlen(want));

    /* POST with a body, a non-default port, and an empty POST gets Content-Length: 0 */
    req.method = "POST";
    req.target = "/";
    req.headers = NULL;
    req.header_count = 0;
    req.body = "abc";
    req.body_len = 3;
    sioc_buf_init(&b, mem, sizeof mem);
    CHECK_EQ_INT(sioc_http_write_head(&b, &req, "127.0.0.1", 8080, 0), SIOC_OK);
    want = "POST / HTTP/1.1\r\nHost: 127.0.0.1:8080\r\nContent-Length: 3\r\n\r\n";
    CHECK_MEM(mem, b.len, want, strlen(want));
    req.body = NULL;
    req.body_len = 0;
    sioc_buf_init(&b, mem, sizeof mem);
    CHECK_EQ_INT(sioc_http_write_head(&b, &req, "::1", 80, 0), SIOC_OK);
    want = "POST / HTTP/1.1\r\nHost: [::1]\r\nContent-Length: 0\r\n\r\n";
    CHECK_MEM(mem, b.len, want, strlen(want));
    req.method = "DELETE";
    sioc_buf_init(&b, mem, sizeof mem);
    CHECK_EQ_INT(sioc_http_write_head(&b, &req, "h", 443, 0), SIOC_OK);
    want = "DELETE / HTTP/1.1\r\nHost: h:443\r\n\r\n";
    CHECK_MEM(mem, b.len, want, strlen(want));

    /* too small: the size needed is reported */
    sioc_buf_init(&b, mem, 10);
    CHECK_EQ_INT(sioc_http_write_head(&b, &req, "h", 443, 0), SIOC_ERR_BUFFER_TOO_SMALL);
    CHECK_EQ_INT(b.len, strlen(want));

    /* refused inputs */
    {
        static const char *const bad_targets[] = {"", "/a b", "/a\r\nX: y", "/\x7f", "/\xc3\xa9"};
        static const char *const bad_hosts[] = {"", "a b", "a/b", "a\r\n", "u@h"};
        size_t i;
        req.method = "GET";
        for (i = 0; i < SIOC__COUNT(bad_targets); i++) {
            req.target = bad_targets[i];
            sioc_buf_init(&b, mem, sizeof mem);
            CHECK_EQ_INT(sioc_http_write_head(&b, &req, "h", 80, 0), SIOC_ERR_ARG);
            CHECK_EQ_INT(sioc_buf_result(&b), SIOC_ERR_ARG);
        }
        req.target = "/";
        for (i = 0; i < SIOC__COUNT(bad_hosts); i++) {
            sioc_buf_init(&b, mem, sizeof mem);
            CHECK_EQ_INT(sioc_http_write_head(&b, &req, bad_hosts[i], 80, 0), SIOC_ERR_ARG);
        }
        req.method = "GE T";
        sioc_buf_init(&b, mem, sizeof mem);
        CHECK_EQ_INT(sioc_http_write_head(&b, &req, "h", 80, 0), SIOC_ERR_ARG);
        req.method = "GET";
        req.headers = h;
        req.header_count = 1;
        h[0].name = sioc_str_c("X-Inject");
        h[0].value = sioc_str_c("a\r\nHost: evil");
        sioc_buf_init(&b, mem, sizeof mem);
        CHECK_EQ_INT(sioc_http_write_head(&b, &req, "h", 80, 0), SIOC_ERR_ARG);
        h[0].name = sioc_str_c("Bad Name");
        h[0].value = sioc_str_c("v");
        sioc_buf_init(&b, mem, sizeof mem);
        CHECK_EQ_INT(sioc_http_write_head(&b, &req, "h", 80, 0), SIOC_ERR_ARG);
        h[0].name = sioc_str_c("content-length");
        sioc_buf_init(&b, mem, sizeof mem);
        CHECK_EQ_INT(sioc_http_write_head(&b, &req, "h", 80, 0), SIOC_ERR_ARG);
        h[0].name = sioc_str_c("HOST");
        sioc_buf_init(&b, mem, sizeof mem);
        CHECK_EQ_INT(sioc_http_write_head(&b, &req, "h", 80, 0), SIOC_ERR_ARG);
        h[0].name = sioc_str_c("Transfer-Encoding");
        sioc_buf_init(&b, mem, sizeof mem);
        CHECK_EQ_INT(sioc_http_write_head(&b, &req, "h", 80, 0), SIOC_ERR_ARG);
    }
}

/* ---------------------------------------------------------------- parser */

typedef struct pcase {
    const char *name;
    const char *text;      /* response bytes */
    int head_request;
    int eof;               /* 1: the connection closes after the bytes */
    sioc_result want;      /* final result */
    int status;
    const char *body;
    int keep_alive;
    const char *hname, *hvalue; /* a header (or trailer) lookup to check, or NULL */
} pcase;

static char g_big_chunk_body[] = "0123456789abcdef0123456789abcde"; /* 31 bytes, chunk size 1f */

static const pcase g_cases[] = {
    {"content-length", "HTTP/1.1 200 OK\r\nContent-Length: 5\r\nContent-Type: text/plain\r\n\r\nhello", 0, 0, SIOC_OK,
     200, "hello", 1, "content-type", "text/plain"},
    {"chunked odd sizes, extensions, trailers",
     "HTTP/1.1 200 OK\r\nTransfer-Encoding: chunked\r\nX-Before: 1\r\n\r\n"
     "1\r\na\r\n1f;name=value;q=\"x y\"\r\n0123456789abcdef0123456789abcde\r\n0A \t;ext\r\nABCDEFGHIJ\r\n"
     "2;a;b=c\r\n!!\r\n000\r\nX-Trailer: yes\r\nX-Other:  two  \r\n\r\n",
     0, 0, SIOC_OK, 200, "a0123456789abcdef0123456789abcdeABCDEFGHIJ!!", 1, "x-trailer", "yes"},
    {"chunked, trailer value trimmed",
     "HTTP/1.1 200 OK\r\ntransfer-encoding: CHUNKED\r\n\r\n3\r\nabc\r\n0\r\nX-Other:  two  \r\n\r\n", 0, 0, SIOC_OK,
     200, "abc", 1, "X-OTHER", "two"},
    {"chunked without trailers, bare LF", "HTTP/1.1 200 OK\nTransfer-Encoding: chunked\n\n4\nwxyz\n0\n\n", 0, 0,
     SIOC_OK, 200, "wxyz", 1, NULL, NULL},
    {"close-delimited", "HTTP/1.1 200 OK\r\nConnection: close\r\n\r\nuntil the end", 0, 1, SIOC_OK, 200,
     "until the end", 0, "connection", "close"},
    {"http/1.0 close-delimited", "HTTP/1.0 200 OK\r\nServer: old\r\n\r\nold body", 0, 1, SIOC_OK, 200, "old body", 0,
     "server", "old"},
    {"http/1.0 keep-alive", "HTTP/1.0 200 OK\r\nConnection: Keep-Alive\r\nContent-Length: 2\r\n\r\nok", 0, 0, SIOC_OK,
     200, "ok", 1, NULL, NULL},
    {"100-continue skipped",
     "HTTP/1.1 100 Continue\r\n\r\nHTTP/1.1 201 Created\r\nContent-Length: 2\r\nLocation: /x\r\n\r\nok", 0, 0,
     SIOC_OK, 201, "ok", 1, "location", "/x"},
    {"103 early hints skipped",
     "HTTP/1.1 103 Early Hints\r\nLink: </s.css>\r\n\r\nHTTP/1.1 200 OK\r\nContent-Length: 0\r\n\r\n", 0, 0, SIOC_OK,
     200, "", 1, NULL, NULL},
    {"204 no body", "HTTP/1.1 204 No Content\r\nX-Ms-Request-Id: abc\r\n\r\n", 0, 0, SIOC_OK, 204, "", 1,
     "x-ms-request-id", "abc"},
    {"304 ignores length", "HTTP/1.1 304 Not Modified\r\nContent-Length: 10\r\n\r\n", 0, 0, SIOC_OK, 304, "", 1, NULL,
     NULL},
    {"HEAD ignores length", "HTTP/1.1 200 OK\r\nContent-Length: 10\r\n\r\n", 1, 0, SIOC_OK, 200, "", 1, NULL, NULL},
    {"connection close with length", "HTTP/1.1 200 OK\r\nConnection: keep-alive, Close\r\nContent-Length: 1\r\n\r\nx",
     0, 0, SIOC_OK, 200, "x", 0, NULL, NULL},
    {"empty reason", "HTTP/1.1 200 \r\nContent-Length: 0\r\n\r\n", 0, 0, SIOC_OK, 200, "", 1, NULL, NULL},
    {"no reason", "HTTP/1.1 503\r\nContent-Length: 0\r\nRetry-After: 3\r\n\r\n", 0, 0, SIOC_OK, 503, "", 1,
     "retry-after", "3"},
    {"repeated identical length", "HTTP/1.1 200 OK\r\nContent-Length: 3, 3\r\nContent-Length: 3\r\n\r\nabc", 0, 0,
     SIOC_OK, 200, "abc", 1, NULL, NULL},
    {"keep-alive timeout", "HTTP/1.1 200 OK\r\nKeep-Alive: max=100, timeout=5\r\nContent-Length: 0\r\n\r\n", 0, 0,
     SIOC_OK, 200, "", 1, "keep-alive", "max=100, timeout=5"},
    {"empty header value, obs-text", "HTTP/1.1 200 OK\r\nX-Empty:\r\nX-Latin: caf\xe9\r\nContent-Length: 0\r\n\r\n", 0,
     0, SIOC_OK, 200, "", 1, "x-latin", "caf\xe9"},
    {"te and cl: te wins, no reuse", "HTTP/1.1 200 OK\r\nContent-Length: 100\r\nTransfer-Encoding: chunked\r\n\r\n"
     "2\r\nhi\r\n0\r\n\r\n", 0, 0, SIOC_OK, 200, "hi", 0, NULL, NULL},
    /* failures */
    {"garbage status line", "SSH-2.0-OpenSSH_9.2\r\n\r\n", 0, 0, SIOC_ERR_PROTOCOL, 0, "", 0, NULL, NULL},
    {"http/2 status line", "HTTP/2 200\r\n\r\n", 0, 0, SIOC_ERR_PROTOCOL, 0, "", 0, NULL, NULL},
    {"two-digit status", "HTTP/1.1 20 OK\r\n\r\n", 0, 0, SIOC_ERR_PROTOCOL, 0, "", 0, NULL, NULL},
    {"four-digit status", "HTTP/1.1 2000 OK\r\n\r\n", 0, 0, SIOC_ERR_PROTOCOL, 0, "", 0, NULL, NULL},
    {"status 099", "HTTP/1.1 099 OK\r\n\r\n", 0, 0, SIOC_ERR_PROTOCOL, 0, "", 0, NULL, NULL},
    {"lowercase http", "http/1.1 200 OK\r\n\r\n", 0, 0, SIOC_ERR_PROTOCOL, 0, "", 0, NULL, NULL},
    {"header without colon", "HTTP/1.1 200 OK\r\nNoColon\r\n\r\n", 0, 0, SIOC_ERR_PROTOCOL, 0, "", 0, NULL, NULL},
    {"blank before colon", "HTTP/1.1 200 OK\r\nContent-Length : 1\r\n\r\nx", 0, 0, SIOC_ERR_PROTOCOL, 0, "", 0, NULL,
     NULL},
    {"obs-fold", "HTTP/1.1 200 OK\r\nX-A: 1\r\n continued\r\n\r\n", 0, 0, SIOC_ERR_PROTOCOL, 0, "", 0, NULL, NULL},
    {"bare CR in value", "HTTP/1.1 200 OK\r\nX-A: a\rb\r\n\r\n", 0, 0, SIOC_ERR_PROTOCOL, 0, "", 0, NULL, NULL},
    {"NUL in value", "HTTP/1.1 200 OK\r\nX-A: a\x01" "b\r\n\r\n", 0, 0, SIOC_ERR_PROTOCOL, 0, "", 0, NULL, NULL},
    {"conflicting lengths", "HTTP/1.1 200 OK\r\nContent-Length: 5\r\nContent-Length: 6\r\n\r\nhello", 0, 0,
     SIOC_ERR_PROTOCOL, 0, "", 0, NULL, NULL},
    {"conflicting length list", "HTTP/1.1 200 OK\r\nContent-Length: 5, 6\r\n\r\nhello", 0, 0, SIOC_ERR_PROTOCOL, 0,
     "", 0, NULL, NULL},
    {"negative length", "HTTP/1.1 200 OK\r\nContent-Length: -1\r\n\r\n", 0, 0, SIOC_ERR_PROTOCOL, 0, "", 0, NULL,
     NULL},
    {"huge length", "HTTP/1.1 200 OK\r\nContent-Length: 99999999999999999999999\r\n\r\n", 0, 0, SIOC_ERR_PROTOCOL, 0,
     "", 0, NULL, NULL},
    {"101 switching", "HTTP/1.1 101 Switching Protocols\r\nUpgrade: websocket\r\n\r\n", 0, 0, SIOC_ERR_PROTOCOL, 0,
     "", 0, NULL, NULL},
    {"gzip transfer coding", "HTTP/1.1 200 OK\r\nTransfer-Encoding: gzip\r\n\r\nxx", 0, 0, SIOC_ERR_UNSUPPORTED, 0,
     "", 0, NULL, NULL},
    {"gzip, chunked", "HTTP/1.1 200 OK\r\nTransfer-Encoding: gzip, chunked\r\n\r\n0\r\n\r\n", 0, 0,
     SIOC_ERR_UNSUPPORTED, 0, "", 0, NULL, NULL},
    {"bad chunk size", "HTTP/1.1 200 OK\r\nTransfer-Encoding: chunked\r\n\r\nzz\r\n", 0, 0, SIOC_ERR_PROTOCOL, 200,
     "", 0, NULL, NULL},
    {"empty chunk size", "HTTP/1.1 200 OK\r\nTransfer-Encoding: chunked\r\n\r\n\r\n", 0, 0, SIOC_ERR_PROTOCOL, 200, "",
     0, NULL, NULL},
    {"chunk data without CRLF", "HTTP/1.1 200 OK\r\nTransfer-Encoding: chunked\r\n\r\n3\r\nabcX\r\n0\r\n\r\n", 0, 0,
     SIOC_ERR_PROTOCOL, 200, "abc", 0, NULL, NULL},
    {"chunk size overflow", "HTTP/1.1 200 OK\r\nTransfer-Encoding: chunked\r\n\r\nfffffffffffffffffff\r\n", 0, 0,
     SIOC_ERR_PROTOCOL, 200, "", 0, NULL, NULL},
    {"lone CR in chunk line", "HTTP/1.1 200 OK\r\nTransfer-Encoding: chunked\r\n\r\n5\rX", 0, 0, SIOC_ERR_PROTOCOL,
     200, "", 0, NULL, NULL},
    {"bad trailer", "HTTP/1.1 200 OK\r\nTransfer-Encoding: chunked\r\n\r\n1\r\nz\r\n0\r\nbad trailer\r\n\r\n", 0, 0,
     SIOC_ERR_PROTOCOL, 200, "z", 0, NULL, NULL},
    {"truncated length body", "HTTP/1.1 200 OK\r\nContent-Length: 10\r\n\r\nabc", 0, 1, SIOC_ERR_CLOSED, 200, "abc",
     1, NULL, NULL},
    {"truncated chunked body", "HTTP/1.1 200 OK\r\nTransfer-Encoding: chunked\r\n\r\n5\r\nab", 0, 1, SIOC_ERR_CLOSED,
     200, "ab", 1, NULL, NULL},
    {"truncated head", "HTTP/1.1 200 OK\r\nContent-Le", 0, 1, SIOC_ERR_CLOSED, 0, "", 0, NULL, NULL},
    {"nothing at all", "", 0, 1, SIOC_ERR_CLOSED, 0, "", 0, NULL, NULL},
};

typedef struct presult {
    sioc_result res;
    int status, keep_alive, heads, dones;
    char body[256];
    size_t body_len;
    char hvalue[64];
    int hfound;
} presult;

static char g_head[1024];
static sioc_http_hdr_ref g_refs[16];

/* Feed `text` in pieces whose ends are listed in cuts[] (ascending, last = len). */
static void parse_pieces(const pcase *pc, const size_t *cuts, size_t ncuts, presult *out) {
    sioc_http_parser p;
    size_t start = 0, ci;
    memset(out, 0, sizeof *out);
    sioc_http_parser_init(&p, g_head, sizeof g_head, g_refs, SIOC__COUNT(g_refs));
    sioc_http_parser_reset(&p, pc->head_request);
    for (ci = 0; ci < ncuts && out->res == SIOC_OK && !out->dones; ci++) {
        size_t end = cuts[ci], off = 0, n = end - start;
        uint8_t *piece = (uint8_t *)sioc_t_tight(pc->text + start, n); /* over-reads hit the end of the block */
        for (;;) {
            size_t used;
            sioc_http_pev ev;
            sioc_bytes body;
            sioc_result r = sioc_http_parser_feed(&p, piece + off, n - off, &used, &ev, &body);
            off += used;
            if (r != SIOC_OK) {
                out->res = r;
                break;
            }
            if (ev == SIOC_HTTP_PEV_NEED_MORE) break;
            if (ev == SIOC_HTTP_PEV_HEAD) {
                out->heads++;
                out->status = p.status;
            }
            if (ev == SIOC_HTTP_PEV_BODY) {
                if (body.len == 0) out->res = SIOC_ERR_STATE; /* never an empty body event */
                if (out->body_len + body.len <= sizeof out->body) memcpy(out->body + out->body_len, body.ptr, body.len);
                out->body_len += body.len;
            }
            if (ev == SIOC_HTTP_PEV_DONE) {
                out->dones++;
                break;
            }
        }
        free(piece);
        start = end;
    }
    if (out->res == SIOC_OK && !out->dones && pc->eof) {
        sioc_http_pev ev;
        out->res = sioc_http_parser_eof(&p, &ev);
        if (out->res == SIOC_OK && ev == SIOC_HTTP_PEV_DONE) out->dones++;
    }
    if (out->res == SIOC_OK && !out->dones) out->res = SIOC_AGAIN;
    out->keep_alive = p.keep_alive;
    if (pc->hname) {
        sioc_str v;
        out->hfound = sioc_http_parser_header(&p, pc->hname, &v) == SIOC_OK;
        if (out->hfound && v.len < sizeof out->hvalue) {
            memcpy(out->hvalue, v.ptr, v.len);
            out->hvalue[v.len] = 0;
        }
    }
}

static int presult_ok(const pcase *pc, const presult *r) {
    if (r->res != pc->want) return 0;
    if (pc->want == SIOC_OK) {
        if (r->status != pc->status || r->heads != 1 || r->dones != 1 || r->keep_alive != pc->keep_alive) return 0;
        if (pc->hname && (!r->hfound || strcmp(r->hvalue, pc->hvalue) != 0)) return 0;
    }
    if (pc->want == SIOC_OK || pc->want == SIOC_ERR_CLOSED)
        if (r->body_len != strlen(pc->body) || memcmp(r->body, pc->body, r->body_len) != 0) return 0;
    return 1;
}

static void test_parser_cases(void) {
    size_t i;
    for (i = 0; i < SIOC__COUNT(g_cases); i++) {
        const pcase *pc = &g_cases[i];
        size_t len = strlen(pc->text), s, cuts[2], *each;
        presult r;
        int bad_split = -1;
        cuts[0] = len;
        parse_pieces(pc, cuts, 1, &r);
        CHECKF(presult_ok(pc, &r), "%s: one shot gives %s status %d body %.*s", pc->name, sioc_strerror(r.res),
               r.status, (int)r.body_len, r.body);
        for (s = 0; s <= len; s++) { /* every split point */
            cuts[0] = s;
            cuts[1] = len;
            parse_pieces(pc, cuts, 2, &r);
            if (!presult_ok(pc, &r) && bad_split < 0) bad_split = (int)s;
        }
        CHECKF(bad_split < 0, "%s: split at %d gives %s", pc->name, bad_split, sioc_strerror(r.res));
        each = (size_t *)malloc((len + 1) * sizeof *each); /* byte by byte */
        for (s = 0; s < len; s++) each[s] = s + 1;
        parse_pieces(pc, each, len, &r);
        CHECKF(presult_ok(pc, &r), "%s: byte by byte gives %s", pc->name, sioc_strerror(r.res));
        free(each);
    }
    (void)g_big_chunk_body;
}

static void test_parser_limits(void) {
    sioc_http_parser p;
    char head[64];
    sioc_http_hdr_ref refs[2];
    size_t used;
    sioc_http_pev ev;
    sioc_bytes body;
    const char *t;
    char big[6000];
    size_t i;

    /* head larger than its memory */
    sioc_http_parser_init(&p, head, sizeof head, refs, 2);
    t = "HTTP/1.1 200 OK\r\nX-Long: 0123456789012345678901234567890123456789012345678901234567890123456789\r\n\r\n";
    CHECK_EQ_INT(sioc_http_parser_feed(&p, (const uint8_t *)t, strlen(t), &used, &ev, &body), SIOC_ERR_LIMIT);
    CHECK_EQ_INT(sioc_http_parser_feed(&p, (const uint8_t *)t, strlen(t), &used, &ev, &body), SIOC_ERR_LIMIT);
    /* more headers than slots */
    sioc_http_parser_init(&p, head, sizeof head, refs, 2);
    t = "HTTP/1.1 200 OK\r\nA: 1\r\nB: 2\r\nC: 3\r\n\r\n";
    CHECK_EQ_INT(sioc_http_parser_feed(&p, (const uint8_t *)t, strlen(t), &used, &ev, &body), SIOC_ERR_LIMIT);
    /* chunk extension over SIOC_HTTP_MAX_CHUNK_EXT */
    sioc_http_parser_init(&p, head, sizeof head, refs, 2);
    t = "HTTP/1.1 200 OK\r\nTransfer-Encoding: chunked\r\n\r\n";
    CHECK_EQ_INT(sioc_http_parser_feed(&p, (const uint8_t *)t, strlen(t), &used, &ev, &body), SIOC_OK);
    CHECK_EQ_INT(ev, SIOC_HTTP_PEV_HEAD);
    memset(big, 'e', sizeof big);
    big[0] = '1';
    big[1] = ';';
    CHECK_EQ_INT(sioc_http_parser_feed(&p, (const uint8_t *)big, sizeof big, &used, &ev, &body), SIOC_ERR_LIMIT);
    /* after DONE nothing is consumed until reset */
    sioc_http_parser_init(&p, head, sizeof head, refs, 2);
    t = "HTTP/1.1 200 OK\r\nContent-Length: 1\r\n\r\nxHTTP/1.1";
    CHECK_EQ_INT(sioc_http_parser_feed(&p, (const uint8_t *)t, strlen(t), &used, &ev, &body), SIOC_OK);
    CHECK_EQ_INT(ev, SIOC_HTTP_PEV_HEAD);
    i = used;
    CHECK_EQ_INT(sioc_http_parser_feed(&p, (const uint8_t *)t + i, strlen(t) - i, &used, &ev, &body), SIOC_OK);
    CHECK_EQ_INT(ev, SIOC_HTTP_PEV_BODY);
    i += used;
    CHECK_EQ_INT(sioc_http_parser_feed(&p, (const uint8_t *)t + i, strlen(t) - i, &used, &ev, &body), SIOC_OK);
    CHECK_EQ_INT(ev, SIOC_HTTP_PEV_DONE);
    CHECK_EQ_INT(used, 0);
    CHECK_EQ_INT(strlen(t) - i, 8);
    CHECK_EQ_INT(sioc_http_parser_feed(&p, (const uint8_t *)t + i, strlen(t) - i, &used, &ev, &body), SIOC_ERR_STATE);
    sioc_http_parser_reset(&p, 0);
    CHECK(!sioc_http_parser_started(&p));
    CHECK_EQ_INT(sioc_http_parser_feed(&p, (const uint8_t *)t + i, strlen(t) - i, &used, &ev, &body), SIOC_OK);
    CHECK(sioc_http_parser_started(&p));
    /* header_at in arrival order */
    sioc_http_parser_init(&p, head, sizeof head, refs, 2);
    t = "HTTP/1.1 200 OK\r\nA: 1\r\nb:2\r\n\r\n";
    CHECK_EQ_INT(sioc_http_parser_feed(&p, (const uint8_t *)t, strlen(t), &used, &ev, &body), SIOC_OK);
    CHECK_EQ_INT(p.header_count, 2);
    {
        sioc_str n, v;
        sioc_http_parser_header_at(&p, 1, &n, &v);
        CHECK_MEM(n.ptr, n.len, "b", 1);
        CHECK_MEM(v.ptr, v.len, "2", 1);
        CHECK_EQ_INT(sioc_http_parser_header(&p, "c", &v), SIOC_ERR_NOT_FOUND);
        CHECK_EQ_INT(v.len, 0);
        CHECK_MEM(p.reason.ptr, p.reason.len, "OK", 2);
    }
    /* a long body in one span, content_length reported */
    sioc_http_parser_init(&p, head, sizeof head, refs, 2);
    t = "HTTP/1.1 200 OK\r\nContent-Length: 6000\r\n\r\n";
    CHECK_EQ_INT(sioc_http_parser_feed(&p, (const uint8_t *)t, strlen(t), &used, &ev, &body), SIOC_OK);
    CHECK_EQ_INT(p.content_length, 6000);
    CHECK_EQ_INT(sioc_http_parser_feed(&p, (const uint8_t *)big, sizeof big, &used, &ev, &body), SIOC_OK);
    CHECK_EQ_INT(ev, SIOC_HTTP_PEV_BODY);
    CHECK_EQ_INT(body.len, 6000);
    CHECK(body.ptr == (const uint8_t *)big);
}

/* ---------------------------------------------------------------- engine with a scripted peer */

typedef struct counting {
    long allocs, frees, live_bytes;
    long fail_at; /* allocation number that fails (-1: never) */
} counting;

static void *count_alloc(size_t n, void *user) {
    counting *a = (counting *)user;
    if (a->fail_at >= 0 && a->allocs == a->fail_at) {
        a->allocs++;
        return NULL;
    }
    a->allocs++;
    a->live_bytes += (long)n;
    return malloc(n);
}
static void count_free(void *p, size_t n, void *user) {
    counting *a = (counting *)user;
    a->frees++;
    a->live_bytes -= (long)n;
    free(p);
}

static counting g_count;

static void make_client(sioc_http_client *c, uint32_t per_ep) {
    sioc_http_client_desc d;
    memset(&d, 0, sizeof d);
    memset(&g_count, 0, sizeof g_count);
    g_count.fail_at = -1;
    d.allocator.alloc = count_alloc;
    d.allocator.free = count_free;
    d.allocator.user = &g_count;
    d.conns_per_endpoint = per_ep;
    d.max_requests = 8;
    CHECK_EQ_INT(sioc_http_client_init(c, &d), SIOC_OK);
}

static sioc_http_request get_req(const char *target, void *out, size_t cap) {
    sioc_http_request r;
    memset(&r, 0, sizeof r);
    r.method = "GET";
    r.target = target;
    r.body_out = out;
    r.body_out_cap = cap;
    r.idempotent = 1;
    return r;
}

/* Everything the engine wants sent on conn, as a string (the scripted peer "receives" it). */
static size_t take_output(sioc_http_client *c, int conn, char *dst, size_t cap) {
    size_t total = 0;
    for (;;) {
        const uint8_t *p;
        size_t n;
        sioc_http_conn_pending(c, conn, &p, &n);
        if (!n) break;
        if (n > 3) n = n / 2 + 1; /* acknowledge in odd pieces, as a busy socket would */
        if (total + n < cap) memcpy(dst + total, p, n);
        total += n;
        sioc_http_conn_sent(c, conn, n);
    }
    if (total < cap) dst[total] = 0;
    return total;
}

static int expect_io(sioc_http_client *c, sioc_http_io_type type, int conn) {
    sioc_http_io_event ev;
    if (sioc_http_next_io(c, &ev) != SIOC_OK) return 0;
    return ev.type == type && (conn < 0 || ev.conn == conn) ? (conn < 0 ? ev.conn + 1 : 1) : 0;
}

static int no_io(sioc_http_client *c) {
    sioc_http_io_event ev;
    return sioc_http_next_io(c, &ev) == SIOC_AGAIN;
}

static void feed_str(sioc_http_client *c, int conn, const char *s, uint64_t now) {
    size_t used = 0;
    (void)sioc_http_conn_feed(c, conn, s, strlen(s), now, &used);
    CHECK_EQ_INT(used, strlen(s));
}

static const char *const OK5 = "HTTP/1.1 200 OK\r\nContent-Length: 5\r\nX-Id: one\r\n\r\nhello";

static void test_engine_basic(void) {
    sioc_http_client c;
    sioc_http_io_event ev;
    sioc_http_response resp;
    sioc_http_request req;
    char out[256], body[64];
    int ep, ep2;
    uint32_t id;
    sioc_str v;
    make_client(&c, 2);
    CHECK_EQ_INT(sioc_http_endpoint(&c, "example.test", 8080, 0, &ep), SIOC_OK);
    CHECK_EQ_INT(sioc_http_endpoint(&c, "example.test", 8080, 0, &ep2), SIOC_OK);
    CHECK_EQ_INT(ep, ep2);
    CHECK_EQ_INT(sioc_http_endpoint(&c, "", 443, 1, &ep2), SIOC_ERR_TLS_NO_HOSTNAME);
    CHECK_EQ_INT(sioc_http_endpoint(&c, NULL, 443, 1, &ep2), SIOC_ERR_TLS_NO_HOSTNAME);
    CHECKF(strstr(c.detail, "without a host name") != NULL, "%s", c.detail);
#if SIOC_TLS == SIOC_TLS_NONE
    /* https in a build without TLS: a missing dependency, and the detail says how to get one */
    CHECK_EQ_INT(sioc_http_endpoint(&c, "example.test", 443, 1, &ep2), SIOC_ERR_DEPENDENCY);
    CHECKF(strcmp(c.detail, "https://example.test:443 needs a TLS build: -DSIOC_TLS=SIOC_TLS_MBEDTLS or "
                            "SIOC_TLS_BEARSSL") == 0, "%s", c.detail);
#endif
    CHECK_EQ_INT(sioc_http_next_deadline(&c), UINT64_MAX);
    req = get_req("/one", body, sizeof body);
    req.tag = &c;
    CHECK_EQ_INT(sioc_http_submit(&c, ep, &req, 1000, &id), SIOC_OK);
    CHECK_EQ_INT(sioc_http_next_deadline(&c), 1000); /* an OPEN waits to be taken: now */
    CHECK_EQ_INT(sioc_http_responses_ready(&c), 0);
    CHECK_EQ_INT(sioc_http_next_io(&c, &ev), SIOC_OK);
    CHECK_EQ_INT(sioc_http_next_deadline(&c), 1000 + 10000); /* then the connect timeout */
    CHECK_EQ_INT(ev.type, SIOC_HTTP_IO_OPEN);
    CHECK_EQ_INT(ev.conn, 0);
    CHECK(ev.host && strcmp(ev.host, "example.test") == 0);
    CHECK_EQ_INT(ev.port, 8080);
    CHECK_EQ_INT(sioc_http_next_io(&c, &ev), SIOC_AGAIN);
    CHECK_EQ_INT(sioc_http_conn_wants(&c, 0), SIOC_HTTP_WANT_CONNECT);
    sioc_http_conn_opened(&c, 0, 1001);
    CHECK_EQ_INT(sioc_http_conn_wants(&c, 0), SIOC_HTTP_WANT_READ | SIOC_HTTP_WANT_WRITE);
    CHECK_EQ_INT(sioc_http_next_deadline(&c), 1000 + 30000);
    take_output(&c, 0, out, sizeof out);
    CHECK(strcmp(out, "GET /one HTTP/1.1\r\nHost: example.test:8080\r\n\r\n") == 0);
    CHECK_EQ_INT(sioc_http_conn_wants(&c, 0), SIOC_HTTP_WANT_READ);
    feed_str(&c, 0, OK5, 1002);
    CHECK_EQ_INT(sioc_http_responses_ready(&c), 1);
    CHECK_EQ_INT(sioc_http_next_response(&c, &resp), SIOC_OK);
    CHECK_EQ_INT(sioc_http_responses_ready(&c), 0);
    CHECK_EQ_INT(resp.result, SIOC_OK);
    CHECK_EQ_INT(resp.id, id);
    CHECK(resp.tag == &c);
    CHECK_EQ_INT(resp.status, 200);
    CHECK_MEM(resp.body, resp.body_len, "hello", 5);
    CHECK_EQ_INT(resp.body_total, 5);
    CHECK_EQ_INT(resp.retried, 0);
    CHECK_EQ_INT(sioc_http_response_header(&resp, "x-ID", &v), SIOC_OK);
    CHECK_MEM(v.ptr, v.len, "one", 3);
    CHECK_EQ_INT(sioc_http_cancel(&c, id), SIOC_ERR_NOT_FOUND); /* delivered */
    CHECK_EQ_INT(sioc_http_next_response(&c, &resp), SIOC_AGAIN);
    CHECK_EQ_INT(sioc_http_next_deadline(&c), 1002 + 30000); /* idle expiry */

    /* keep-alive: the next request reuses conn 0, no OPEN */
    req = get_req("/two", body, sizeof body);
    CHECK_EQ_INT(sioc_http_submit(&c, ep, &req, 2000, NULL), SIOC_OK);
    CHECK_EQ_INT(sioc_http_next_io(&c, &ev), SIOC_AGAIN);
    take_output(&c, 0, out, sizeof out);
    CHECK(strcmp(out, "GET /two HTTP/1.1\r\nHost: example.test:8080\r\n\r\n") == 0);
    feed_str(&c, 0, "HTTP/1.1 200 OK\r\nTransfer-Encoding: chunked\r\n\r\n2\r\nab\r\n1;x=y\r\nc\r\n0\r\nT: 1\r\n\r\n", 2001);
    CHECK_EQ_INT(sioc_http_next_response(&c, &resp), SIOC_OK);
    CHECK_EQ_INT(resp.result, SIOC_OK);
    CHECK_MEM(resp.body, resp.body_len, "abc", 3);
    CHECK_EQ_INT(sioc_http_response_header(&resp, "t", &v), SIOC_OK);
    CHECK_EQ_INT(c.stats.conns_opened, 1);
    CHECK_EQ_INT(sioc_http_next_response(&c, &resp), SIOC_AGAIN);

    /* idle expiry closes the connection */
    sioc_http_tick(&c, 2001 + 29999);
    CHECK_EQ_INT(sioc_http_next_io(&c, &ev), SIOC_AGAIN);
    sioc_http_tick(&c, 2001 + 30000);
    CHECK_EQ_INT(sioc_http_next_deadline(&c), 2001 + 30000); /* the CLOSE waits */
    CHECK(expect_io(&c, SIOC_HTTP_IO_CLOSE, 0));
    CHECK_EQ_INT(sioc_http_conn_wants(&c, 0), 0);
    CHECK_EQ_INT(sioc_http_next_deadline(&c), UINT64_MAX);
    sioc_http_client_free(&c);
    CHECK_EQ_INT(g_count.live_bytes, 0);
}

/* A long poll occupies conn 0; a publish opens conn 1 and finishes first; a third request waits for a free
   connection; a response picked up keeps its views while the other connection moves on. */
static void test_engine_pool(void) {
    sioc_http_client c;
    sioc_http_response resp;
    sioc_http_request req;
    char out[256], b1[64], b2[64], b3[64];
    int ep;
    sioc_str v;
    make_client(&c, 2);
    CHECK_EQ_INT(sioc_http_endpoint(&c, "h", 80, 0, &ep), SIOC_OK);
    req = get_req("/poll", b1, sizeof b1);
    req.timeout_ms = 25000;
    CHECK_EQ_INT(sioc_http_submit(&c, ep, &req, 0, NULL), SIOC_OK);
    CHECK(expect_io(&c, SIOC_HTTP_IO_OPEN, 0));
    sioc_http_conn_opened(&c, 0, 1);
    take_output(&c, 0, out, sizeof out);
    req = get_req("/publish", b2, sizeof b2);
    req.method = "POST";
    req.body = "payload";
    req.body_len = 7;
    req.idempotent = 0;
    CHECK_EQ_INT(sioc_http_submit(&c, ep, &req, 10, NULL), SIOC_OK);
    CHECK(expect_io(&c, SIOC_HTTP_IO_OPEN, 1));
    sioc_http_conn_opened(&c, 1, 11);
    take_output(&c, 1, out, sizeof out);
    CHECK(strcmp(out, "POST /publish HTTP/1.1\r\nHost: h\r\nContent-Length: 7\r\n\r\npayload") == 0);
    req = get_req("/third", b3, sizeof b3);
    CHECK_EQ_INT(sioc_http_submit(&c, ep, &req, 12, NULL), SIOC_OK);
    CHECK(no_io(&c)); /* both connections are taken: /third waits */
    feed_str(&c, 1, "HTTP/1.1 200 OK\r\nContent-Length: 4\r\nX-Which: publish\r\n\r\ndone", 20);
    /* conn 1 is held until the publish response is picked up: /third is not sent yet */
    CHECK_EQ_INT(sioc_http_conn_wants(&c, 1), SIOC_HTTP_WANT_READ);
    CHECK_EQ_INT(sioc_http_next_response(&c, &resp), SIOC_OK);
    CHECK_MEM(resp.body, resp.body_len, "done", 4);
    take_output(&c, 1, out, sizeof out); /* still held */
    CHECK_EQ_INT(strlen(out), 0);
    feed_str(&c, 0, "HTTP/1.1 200 OK\r\nContent-Length: 2\r\nX-Which: poll\r\n\r\n{}", 30);
    /* the publish response's views are intact although conn 0 finished meanwhile */
    CHECK_EQ_INT(sioc_http_response_header(&resp, "x-which", &v), SIOC_OK);
    CHECK_MEM(v.ptr, v.len, "publish", 7);
    CHECK_EQ_INT(sioc_http_next_response(&c, &resp), SIOC_OK); /* releases conn 1: /third goes out on it */
    CHECK_MEM(resp.body, resp.body_len, "{}", 2);
    take_output(&c, 1, out, sizeof out);
    CHECK(strncmp(out, "GET /third ", 11) == 0);
    feed_str(&c, 1, "HTTP/1.1 404 Not Found\r\nContent-Length: 0\r\n\r\n", 40);
    CHECK_EQ_INT(sioc_http_next_response(&c, &resp), SIOC_OK);
    CHECK_EQ_INT(resp.status, 404);
    CHECK_EQ_INT(resp.body_len, 0);
    CHECK_EQ_INT(c.stats.conns_opened, 2);
    CHECK_EQ_INT(sioc_http_next_response(&c, &resp), SIOC_AGAIN);
    sioc_http_client_free(&c);
    CHECK_EQ_INT(g_count.live_bytes, 0);
}

/* Serve one request on conn k fully (from a fresh or reused connection). */
static void serve(sioc_http_client *c, int k, const char *response, uint64_t now) {
    char out[512];
    take_output(c, k, out, sizeof out);
    feed_str(c, k, response, now);
}

static void test_engine_retry(void) {
    sioc_http_client c;
    sioc_http_response resp;
    sioc_http_request req;
    char b[64];
    int ep, k;
    make_client(&c, 1);
    CHECK_EQ_INT(sioc_http_endpoint(&c, "h", 80, 0, &ep), SIOC_OK);
    req = get_req("/", b, sizeof b);
    CHECK_EQ_INT(sioc_http_submit(&c, ep, &req, 0, NULL), SIOC_OK);
    CHECK(expect_io(&c, SIOC_HTTP_IO_OPEN, 0));
    sioc_http_conn_opened(&c, 0, 0);
    serve(&c, 0, OK5, 1);
    CHECK_EQ_INT(sioc_http_next_response(&c, &resp), SIOC_OK);
    CHECK_EQ_INT(sioc_http_next_response(&c, &resp), SIOC_AGAIN);

    /* 1. idempotent on a reused connection, peer closes before answering: re-sent once on a fresh one */
    req = get_req("/again", b, sizeof b);
    CHECK_EQ_INT(sioc_http_submit(&c, ep, &req, 100, NULL), SIOC_OK);
    {
        char out[256];
        take_output(&c, 0, out, sizeof out);
        CHECK(strncmp(out, "GET /again ", 11) == 0);
    }
    sioc_http_conn_eof(&c, 0, 101);
    CHECK(expect_io(&c, SIOC_HTTP_IO_CLOSE, 0));
    CHECK(expect_io(&c, SIOC_HTTP_IO_OPEN, 0));
    CHECK_EQ_INT(sioc_http_next_response(&c, &resp), SIOC_AGAIN);
    sioc_http_conn_opened(&c, 0, 102);
    {
        char out[256];
        take_output(&c, 0, out, sizeof out);
        CHECK(strncmp(out, "GET /again ", 11) == 0);
    }
    feed_str(&c, 0, OK5, 103);
    CHECK_EQ_INT(sioc_http_next_response(&c, &resp), SIOC_OK);
    CHECK_EQ_INT(resp.result, SIOC_OK);
    CHECK_EQ_INT(resp.retried, 1);
    CHECK_EQ_INT(c.stats.retries, 1);
    CHECK_EQ_INT(sioc_http_next_response(&c, &resp), SIOC_AGAIN);

    /* 2. the same with a reset (conn_failed CLOSED) */
    req = get_req("/reset", b, sizeof b);
    CHECK_EQ_INT(sioc_http_submit(&c, ep, &req, 200, NULL), SIOC_OK);
    serve(&c, 0, "", 200);
    sioc_http_conn_failed(&c, 0, SIOC_ERR_CLOSED, 201);
    CHECK(expect_io(&c, SIOC_HTTP_IO_CLOSE, 0));
    CHECK(expect_io(&c, SIOC_HTTP_IO_OPEN, 0));
    sioc_http_conn_opened(&c, 0, 202);
    /* the fresh connection dies too: no second retry */
    serve(&c, 0, "", 203);
    sioc_http_conn_eof(&c, 0, 204);
    CHECK_EQ_INT(sioc_http_next_response(&c, &resp), SIOC_OK);
    CHECK_EQ_INT(resp.result, SIOC_ERR_CLOSED);
    CHECKF(strcmp(resp.detail, "h:80 closed the connection before the reply was complete") == 0, "%s", resp.detail);
    CHECK_EQ_INT(resp.status, 0);
    CHECK(expect_io(&c, SIOC_HTTP_IO_CLOSE, 0));
    CHECK_EQ_INT(sioc_http_next_response(&c, &resp), SIOC_AGAIN);

    /* 3. non-idempotent: not retried */
    req = get_req("/x", b, sizeof b);
    CHECK_EQ_INT(sioc_http_submit(&c, ep, &req, 300, NULL), SIOC_OK);
    k = expect_io(&c, SIOC_HTTP_IO_OPEN, 0);
    CHECK(k);
    sioc_http_conn_opened(&c, 0, 300);
    serve(&c, 0, OK5, 301);
    CHECK_EQ_INT(sioc_http_next_response(&c, &resp), SIOC_OK);
    CHECK_EQ_INT(sioc_http_next_response(&c, &resp), SIOC_AGAIN);
    req = get_req("/post", b, sizeof b);
    req.method = "POST";
    req.idempotent = 0;
    CHECK_EQ_INT(sioc_http_submit(&c, ep, &req, 302, NULL), SIOC_OK);
    serve(&c, 0, "", 302);
    sioc_http_conn_eof(&c, 0, 303);
    CHECK_EQ_INT(sioc_http_next_response(&c, &resp), SIOC_OK);
    CHECK_EQ_INT(resp.result, SIOC_ERR_CLOSED);
    CHECK_EQ_INT(resp.retried, 0);
    CHECK(expect_io(&c, SIOC_HTTP_IO_CLOSE, 0));
    CHECK(no_io(&c));

    /* 4. idempotent, reused, but part of the answer arrived: not retried */
    req = get_req("/y", b, sizeof b);
    CHECK_EQ_INT(sioc_http_submit(&c, ep, &req, 400, NULL), SIOC_OK);
    CHECK(expect_io(&c, SIOC_HTTP_IO_OPEN, 0));
    sioc_http_conn_opened(&c, 0, 400);
    serve(&c, 0, OK5, 401);
    CHECK_EQ_INT(sioc_http_next_response(&c, &resp), SIOC_OK);
    CHECK_EQ_INT(sioc_http_next_response(&c, &resp), SIOC_AGAIN);
    req = get_req("/z", b, sizeof b);
    CHECK_EQ_INT(sioc_http_submit(&c, ep, &req, 402, NULL), SIOC_OK);
    serve(&c, 0, "HTTP/1.1 200 OK\r\nContent-Len", 403);
    sioc_http_conn_eof(&c, 0, 404);
    CHECK_EQ_INT(sioc_http_next_response(&c, &resp), SIOC_OK);
    CHECK_EQ_INT(resp.result, SIOC_ERR_CLOSED);
    CHECK(expect_io(&c, SIOC_HTTP_IO_CLOSE, 0));

    /* 5. idle connection closed by the peer: closed quietly, the next request opens a new one */
    req = get_req("/a", b, sizeof b);
    CHECK_EQ_INT(sioc_http_submit(&c, ep, &req, 500, NULL), SIOC_OK);
    CHECK(expect_io(&c, SIOC_HTTP_IO_OPEN, 0));
    sioc_http_conn_opened(&c, 0, 500);
    serve(&c, 0, OK5, 501);
    CHECK_EQ_INT(sioc_http_next_response(&c, &resp), SIOC_OK);
    CHECK_EQ_INT(sioc_http_next_response(&c, &resp), SIOC_AGAIN);
    sioc_http_conn_eof(&c, 0, 502);
    CHECK(expect_io(&c, SIOC_HTTP_IO_CLOSE, 0));
    CHECK_EQ_INT(sioc_http_next_response(&c, &resp), SIOC_AGAIN);
    /* garbage on an idle connection closes it as well */
    req = get_req("/b", b, sizeof b);
    CHECK_EQ_INT(sioc_http_submit(&c, ep, &req, 600, NULL), SIOC_OK);
    CHECK(expect_io(&c, SIOC_HTTP_IO_OPEN, 0));
    sioc_http_conn_opened(&c, 0, 600);
    serve(&c, 0, OK5, 601);
    CHECK_EQ_INT(sioc_http_next_response(&c, &resp), SIOC_OK);
    CHECK_EQ_INT(sioc_http_next_response(&c, &resp), SIOC_AGAIN);
    CHECK_EQ_INT(sioc_http_conn_feed(&c, 0, "HTTP/1.1 408 Request Timeout\r\n\r\n", 32, 602, NULL), SIOC_ERR_PROTOCOL);
    CHECK(expect_io(&c, SIOC_HTTP_IO_CLOSE, 0));
    sioc_http_client_free(&c);
    CHECK_EQ_INT(g_count.live_bytes, 0);
}

/* A request slot's generation skips 0 when it wraps (an id never looks like a fresh slot's), and a cancelled id never
   names the slot's next request. */
static void test_engine_ids(void) {
    sioc_http_client c;
    sioc_http_request req;
    char b[8];
    int ep;
    uint32_t id, first = 0, i, zero_gen = 0, other_slot = 0, stale_ok = 0;
    make_client(&c, 1);
    CHECK_EQ_INT(sioc_http_endpoint(&c, "h", 80, 0, &ep), SIOC_OK);
    req = get_req("/1", b, sizeof b);
    for (i = 0; i < 70000u; i++) { /* one slot, reused: its generation wraps once */
        if (sioc_http_submit(&c, ep, &req, 0, &id) != SIOC_OK) break;
        if (i == 0) first = id;
        if ((id >> 16) == 0) zero_gen++;
        if ((id & 0xffffu) != (first & 0xffffu)) other_slot++;
        if (sioc_http_cancel(&c, id) != SIOC_OK) break;
        if (sioc_http_cancel(&c, id) == SIOC_OK) stale_ok++;
    }
    CHECK_EQ_INT(i, 70000);
    CHECK_EQ_INT(other_slot, 0);
    CHECK_EQ_INT(zero_gen, 0);
    CHECK_EQ_INT(stale_ok, 0);
    sioc_http_client_free(&c);
}

static void test_engine_failures(void) {
    sioc_http_client c;
    sioc_http_response resp;
    sioc_http_request req;
    char b[8];
    int ep;
    uint32_t id1, id2;
    make_client(&c, 1);
    CHECK_EQ_INT(sioc_http_endpoint(&c, "h", 80, 0, &ep), SIOC_OK);

    /* connect failure fails every request queued for the endpoint */
    req = get_req("/1", b, sizeof b);
    CHECK_EQ_INT(sioc_http_submit(&c, ep, &req, 0, &id1), SIOC_OK);
    CHECK_EQ_INT(sioc_http_submit(&c, ep, &req, 0, &id2), SIOC_OK);
    CHECK(expect_io(&c, SIOC_HTTP_IO_OPEN, 0));
    sioc_http_conn_reason(&c, 0, "connection refused"); /* what an I/O layer knows, before it reports the failure */
    sioc_http_conn_failed(&c, 0, SIOC_ERR_CONNECT, 5);
    CHECK(expect_io(&c, SIOC_HTTP_IO_CLOSE, 0));
    CHECK_EQ_INT(sioc_http_next_response(&c, &resp), SIOC_OK);
    CHECK_EQ_INT(resp.result, SIOC_ERR_CONNECT);
    CHECK_EQ_INT(resp.id, id1);
    CHECKF(strcmp(resp.detail, "cannot connect to h:80: connection refused") == 0, "%s", resp.detail);
    CHECK_EQ_INT(sioc_http_next_response(&c, &resp), SIOC_OK);
    CHECK_EQ_INT(resp.id, id2);
    CHECKF(strcmp(resp.detail, "cannot connect to h:80: connection refused") == 0, "%s", resp.detail);
    CHECK_EQ_INT(sioc_http_next_response(&c, &resp), SIOC_AGAIN);

    /* connect timeout */
    CHECK_EQ_INT(sioc_http_submit(&c, ep, &req, 1000, NULL), SIOC_OK);
    CHECK(expect_io(&c, SIOC_HTTP_IO_OPEN, 0));
    CHECK_EQ_INT(sioc_http_next_deadline(&c), 11000);
    sioc_http_tick(&c, 11000);
    CHECK(expect_io(&c, SIOC_HTTP_IO_CLOSE, 0));
    CHECK_EQ_INT(sioc_http_next_response(&c, &resp), SIOC_OK);
    CHECK_EQ_INT(resp.result, SIOC_ERR_TIMEOUT);
    CHECKF(strcmp(resp.detail, "cannot connect to h:80: no answer within 10000 ms (connect_timeout_ms)") == 0, "%s",
           resp.detail); /* the reason of the earlier connection is gone: the slot was reopened */

    /* request deadline while waiting for the answer (a stalled server) */
    req.timeout_ms = 500;
    CHECK_EQ_INT(sioc_http_submit(&c, ep, &req, 20000, NULL), SIOC_OK);
    CHECK(expect_io(&c, SIOC_HTTP_IO_OPEN, 0));
    sioc_http_conn_opened(&c, 0, 20001);
    serve(&c, 0, "HTTP/1.1 200 OK\r\n", 20002);
    CHECK_EQ_INT(sioc_http_next_deadline(&c), 20500);
    sioc_http_tick(&c, 20499);
    CHECK_EQ_INT(sioc_http_next_response(&c, &resp), SIOC_AGAIN);
    sioc_http_tick(&c, 20500);
    CHECK_EQ_INT(sioc_http_next_response(&c, &resp), SIOC_OK);
    CHECK_EQ_INT(resp.result, SIOC_ERR_TIMEOUT);
    CHECKF(strcmp(resp.detail, "no complete reply from h:80 within 500 ms") == 0, "%s", resp.detail);
    CHECK(expect_io(&c, SIOC_HTTP_IO_CLOSE, 0));
    CHECK_EQ_INT(c.stats.timeouts, 2);

    /* body larger than the buffer: first bytes kept, size reported, connection still reusable */
    req.timeout_ms = 0;
    CHECK_EQ_INT(sioc_http_submit(&c, ep, &req, 30000, NULL), SIOC_OK);
    CHECK(expect_io(&c, SIOC_HTTP_IO_OPEN, 0));
    sioc_http_conn_opened(&c, 0, 30000);
    serve(&c, 0, "HTTP/1.1 200 OK\r\nContent-Length: 12\r\n\r\n0123456789ab", 30001);
    CHECK_EQ_INT(sioc_http_next_response(&c, &resp), SIOC_OK);
    CHECK_EQ_INT(resp.result, SIOC_ERR_BUFFER_TOO_SMALL);
    CHECK_MEM(resp.body, resp.body_len, "01234567", 8);
    CHECK_EQ_INT(resp.body_total, 12);
    CHECKF(strcmp(resp.detail, "reply body from h:80 is 12 bytes, the buffer holds 8") == 0, "%s", resp.detail);
    /* protocol error: request fails, connection closes */
    CHECK_EQ_INT(sioc_http_submit(&c, ep, &req, 30002, NULL), SIOC_OK);
    CHECK_EQ_INT(sioc_http_next_response(&c, &resp), SIOC_AGAIN); /* releases conn 0 */
    serve(&c, 0, "HTTP/1.1 200 OK\r\nContent-Length: x\r\n\r\n", 30003);
    CHECK_EQ_INT(sioc_http_next_response(&c, &resp), SIOC_OK);
    CHECK_EQ_INT(resp.result, SIOC_ERR_PROTOCOL);
    CHECKF(strcmp(resp.detail, "h:80 sent a malformed HTTP reply") == 0, "%s", resp.detail);
    CHECK(expect_io(&c, SIOC_HTTP_IO_CLOSE, 0));

    /* Connection: close closes after pickup; close-delimited body completes at EOF */
    CHECK_EQ_INT(sioc_http_submit(&c, ep, &req, 40000, NULL), SIOC_OK);
    CHECK(expect_io(&c, SIOC_HTTP_IO_OPEN, 0));
    sioc_http_conn_opened(&c, 0, 40000);
    serve(&c, 0, "HTTP/1.1 200 OK\r\nConnection: close\r\n\r\nbye", 40001);
    CHECK_EQ_INT(sioc_http_next_response(&c, &resp), SIOC_AGAIN);
    sioc_http_conn_eof(&c, 0, 40002);
    CHECK(no_io(&c)); /* held until picked up */
    CHECK_EQ_INT(sioc_http_next_response(&c, &resp), SIOC_OK);
    CHECK_EQ_INT(resp.result, SIOC_OK);
    CHECK_EQ_INT(resp.detail[0], 0);
    CHECK_MEM(resp.body, resp.body_len, "bye", 3);
    CHECK_EQ_INT(sioc_http_next_response(&c, &resp), SIOC_AGAIN);
    CHECK(expect_io(&c, SIOC_HTTP_IO_CLOSE, 0));

    /* cancel: queued, then active */
    CHECK_EQ_INT(sioc_http_submit(&c, ep, &req, 50000, &id1), SIOC_OK);
    CHECK_EQ_INT(sioc_http_cancel(&c, id1), SIOC_OK);
    CHECK_EQ_INT(sioc_http_cancel(&c, id1), SIOC_ERR_NOT_FOUND);
    CHECK(expect_io(&c, SIOC_HTTP_IO_OPEN, 0)); /* the open had been asked for already */
    sioc_http_conn_opened(&c, 0, 50001);
    CHECK_EQ_INT(sioc_http_submit(&c, ep, &req, 50002, &id2), SIOC_OK);
    serve(&c, 0, "HTTP/1.1 200 OK\r\n", 50003);
    CHECK_EQ_INT(sioc_http_cancel(&c, id2), SIOC_OK);
    CHECK(expect_io(&c, SIOC_HTTP_IO_CLOSE, 0));
    CHECK_EQ_INT(sioc_http_next_response(&c, &resp), SIOC_AGAIN);
    CHECK_EQ_INT(sioc_http_next_deadline(&c), UINT64_MAX);

    /* early answer before the body went out: delivered, connection not reused */
    req.method = "PUT";
    req.body = "0123456789";
    req.body_len = 10;
    CHECK_EQ_INT(sioc_http_submit(&c, ep, &req, 60000, NULL), SIOC_OK);
    CHECK(expect_io(&c, SIOC_HTTP_IO_OPEN, 0));
    sioc_http_conn_opened(&c, 0, 60000);
    feed_str(&c, 0, "HTTP/1.1 413 Payload Too Large\r\nContent-Length: 0\r\n\r\n", 60001);
    CHECK_EQ_INT(sioc_http_next_response(&c, &resp), SIOC_OK);
    CHECK_EQ_INT(resp.status, 413);
    CHECK_EQ_INT(sioc_http_next_response(&c, &resp), SIOC_AGAIN);
    CHECK(expect_io(&c, SIOC_HTTP_IO_CLOSE, 0));

    /* slot exhaustion and a head too large for its slot */
    {
        int i;
        sioc_result r = SIOC_OK;
        req.method = "GET";
        req.body = NULL;
        req.body_len = 0;
        for (i = 0; i < 9 && r == SIOC_OK; i++) r = sioc_http_submit(&c, ep, &req, 70000, NULL);
        CHECK_EQ_INT(r, SIOC_ERR_LIMIT);
        CHECK_EQ_INT(i, 9);
    }
    sioc_http_client_free(&c);
    CHECK_EQ_INT(g_count.live_bytes, 0);
    {
        sioc_http_client_desc d;
        sioc_http_header h;
        char big[300];
        memset(&d, 0, sizeof d);
        d.request_head_size = 128;
        CHECK_EQ_INT(sioc_http_client_init(&c, &d), SIOC_OK);
        CHECK_EQ_INT(sioc_http_endpoint(&c, "h", 80, 0, &ep), SIOC_OK);
        memset(big, 'v', sizeof big);
        h.name = sioc_str_c("X-Big");
        h.value.ptr = big;
        h.value.len = sizeof big;
        req = get_req("/", NULL, 0);
        req.headers = &h;
        req.header_count = 1;
        CHECK_EQ_INT(sioc_http_submit(&c, ep, &req, 0, NULL), SIOC_ERR_BUFFER_TOO_SMALL);
        CHECK_EQ_INT(sioc_http_submit(&c, 3, &req, 0, NULL), SIOC_ERR_ARG);
        sioc_http_client_free(&c);
    }
}

typedef struct streamed {
    char data[64];
    size_t len;
    int calls;
} streamed;

static void on_body(void *tag, const uint8_t *p, size_t n) {
    streamed *s = (streamed *)tag;
    if (s->len + n <= sizeof s->data) memcpy(s->data + s->len, p, n);
    s->len += n;
    s->calls++;
}

static void test_engine_stream_and_head(void) {
    sioc_http_client c;
    sioc_http_response resp;
    sioc_http_request req;
    streamed st;
    int ep;
    const char *resp_text = "HTTP/1.1 200 OK\r\nTransfer-Encoding: chunked\r\n\r\n3\r\nabc\r\n4\r\ndefg\r\n0\r\n\r\n";
    size_t i;
    make_client(&c, 1);
    CHECK_EQ_INT(sioc_http_endpoint(&c, "h", 80, 0, &ep), SIOC_OK);
    memset(&st, 0, sizeof st);
    req = get_req("/s", NULL, 0);
    req.on_body = on_body;
    req.tag = &st;
    CHECK_EQ_INT(sioc_http_submit(&c, ep, &req, 0, NULL), SIOC_OK);
    CHECK(expect_io(&c, SIOC_HTTP_IO_OPEN, 0));
    sioc_http_conn_opened(&c, 0, 0);
    {
        char out[128];
        take_output(&c, 0, out, sizeof out);
    }
    for (i = 0; resp_text[i]; i++) CHECK_EQ_INT(sioc_http_conn_feed(&c, 0, resp_text + i, 1, 1, NULL), SIOC_OK);
    CHECK_EQ_INT(sioc_http_next_response(&c, &resp), SIOC_OK);
    CHECK_EQ_INT(resp.result, SIOC_OK);
    CHECK(resp.body == NULL);
    CHECK_EQ_INT(resp.body_total, 7);
    CHECK_MEM(st.data, st.len, "abcdefg", 7);
    CHECK_EQ_INT(st.calls, 7);
    /* HEAD: Content-Length without a body */
    req = get_req("/h", NULL, 0);
    req.method = "HEAD";
    CHECK_EQ_INT(sioc_http_submit(&c, ep, &req, 2, NULL), SIOC_OK);
    CHECK_EQ_INT(sioc_http_next_response(&c, &resp), SIOC_AGAIN);
    serve(&c, 0, "HTTP/1.1 200 OK\r\nContent-Length: 1000\r\n\r\n", 3);
    CHECK_EQ_INT(sioc_http_next_response(&c, &resp), SIOC_OK);
    CHECK_EQ_INT(resp.result, SIOC_OK);
    CHECK_EQ_INT(resp.body_total, 0);
    /* and the connection is still good */
    req = get_req("/after", NULL, 0);
    CHECK_EQ_INT(sioc_http_submit(&c, ep, &req, 4, NULL), SIOC_OK);
    CHECK_EQ_INT(sioc_http_next_response(&c, &resp), SIOC_AGAIN);
    serve(&c, 0, OK5, 5);
    CHECK_EQ_INT(sioc_http_next_response(&c, &resp), SIOC_OK);
    CHECK_EQ_INT(resp.result, SIOC_OK);
    CHECK_EQ_INT(c.stats.conns_opened, 1);
    /* Keep-Alive: timeout=4 shortens the idle limit to 3 s */
    req = get_req("/ka", NULL, 0);
    CHECK_EQ_INT(sioc_http_submit(&c, ep, &req, 10000, NULL), SIOC_OK);
    CHECK_EQ_INT(sioc_http_next_response(&c, &resp), SIOC_AGAIN);
    serve(&c, 0, "HTTP/1.1 200 OK\r\nKeep-Alive: timeout=4\r\nContent-Length: 0\r\n\r\n", 10001);
    CHECK_EQ_INT(sioc_http_next_response(&c, &resp), SIOC_OK);
    CHECK_EQ_INT(sioc_http_next_response(&c, &resp), SIOC_AGAIN);
    CHECK_EQ_INT(sioc_http_next_deadline(&c), 10001 + 3000);
    sioc_http_client_free(&c);
}

/* Steady state: after the connection is open, requests allocate nothing. Then every allocation of init fails
   in turn and leaves nothing behind. */
static void test_engine_allocations(void) {
    sioc_http_client c;
    sioc_http_response resp;
    sioc_http_request req;
    char b[16];
    int ep, i;
    long before;
    make_client(&c, 1);
    CHECK_EQ_INT(sioc_http_endpoint(&c, "h", 80, 0, &ep), SIOC_OK);
    req = get_req("/", b, sizeof b);
    CHECK_EQ_INT(sioc_http_submit(&c, ep, &req, 0, NULL), SIOC_OK);
    CHECK(expect_io(&c, SIOC_HTTP_IO_OPEN, 0));
    sioc_http_conn_opened(&c, 0, 0);
    serve(&c, 0, OK5, 1);
    CHECK_EQ_INT(sioc_http_next_response(&c, &resp), SIOC_OK);
    before = g_count.allocs;
    for (i = 0; i < 1000; i++) {
        CHECK_EQ_INT(sioc_http_submit(&c, ep, &req, (uint64_t)i, NULL), SIOC_OK);
        CHECK_EQ_INT(sioc_http_next_response(&c, &resp), SIOC_AGAIN); /* releases the previous one */
        serve(&c, 0, OK5, (uint64_t)i);
        CHECK_EQ_INT(sioc_http_next_response(&c, &resp), SIOC_OK);
    }
    CHECK_EQ_INT(g_count.allocs - before, 0);
    CHECK_EQ_INT(c.stats.conns_opened, 1);
    CHECK_EQ_INT(c.stats.responses, 1001);
    sioc_http_client_free(&c);
    CHECK_EQ_INT(g_count.live_bytes, 0);
    CHECK_EQ_INT(g_count.allocs, g_count.frees);
    {
        long k;
        sioc_http_client_desc d;
        memset(&d, 0, sizeof d);
        d.allocator.alloc = count_alloc;
        d.allocator.free = count_free;
        d.allocator.user = &g_count;
        for (k = 0;; k++) {
            sioc_result r;
            memset(&g_count, 0, sizeof g_count);
            g_count.fail_at = k;
            r = sioc_http_client_init(&c, &d);
            CHECK(r == SIOC_OK || r == SIOC_ERR_NOMEM);
            if (r == SIOC_OK) {
                sioc_http_client_free(&c);
                CHECK_EQ_INT(g_count.live_bytes, 0);
                break;
            }
            CHECK_EQ_INT(g_count.live_bytes, 0);
        }
        CHECK(k >= 1);
    }
}

/* ---------------------------------------------------------------- transport driver with an in-memory peer */

typedef struct fake_net {
    int connected[8], connect_calls[8], closed[8];
    char sent[8][512];
    size_t sent_len[8];
    const char *reply[8];
    size_t reply_off[8];
    int eof_after_reply[8];
    size_t send_limit; /* bytes accepted per send call */
} fake_net;

static sioc_result fake_connect(void *user, int conn, const char *host, uint16_t port) {
    fake_net *f = (fake_net *)user;
    (void)host, (void)port;
    f->connect_calls[conn]++;
    if (f->connect_calls[conn] < 2) return SIOC_AGAIN; /* in progress on the first call */
    f->connected[conn] = 1;
    return SIOC_OK;
}
static long fake_send(void *user, int conn, const uint8_t *data, size_t len) {
    fake_net *f = (fake_net *)user;
    size_t n = SIOC__MIN(len, f->send_limit);
    if (f->sent_len[conn] + n > sizeof f->sent[conn]) return SIOC_ERR_CLOSED;
    memcpy(f->sent[conn] + f->sent_len[conn], data, n);
    f->sent_len[conn] += n;
    return (long)n;
}
static long fake_recv(void *user, int conn, uint8_t *buf, size_t cap) {
    fake_net *f = (fake_net *)user;
    const char *r = f->reply[conn];
    size_t left, n;
    if (!r || f->sent_len[conn] == 0) return 0;
    left = strlen(r) - f->reply_off[conn];
    if (left == 0) return f->eof_after_reply[conn] ? SIOC_ERR_CLOSED : 0;
    n = SIOC__MIN(SIOC__MIN(left, cap), (size_t)7);
    memcpy(buf, r + f->reply_off[conn], n);
    f->reply_off[conn] += n;
    return (long)n;
}
static void fake_close(void *user, int conn) {
    fake_net *f = (fake_net *)user;
    f->closed[conn]++;
    f->connected[conn] = 0;
}

static void test_drive(void) {
    sioc_http_client c;
    sioc_http_response resp;
    sioc_http_request req;
    sioc_http_transport t;
    fake_net f;
    char b[64];
    int ep, i;
    memset(&f, 0, sizeof f);
    f.send_limit = 5;
    f.reply[0] = "HTTP/1.1 200 OK\r\nContent-Length: 11\r\nConnection: close\r\n\r\nhello world";
    f.eof_after_reply[0] = 1;
    t.connect = fake_connect;
    t.send = fake_send;
    t.recv = fake_recv;
    t.close = fake_close;
    t.user = &f;
    make_client(&c, 1);
    CHECK_EQ_INT(sioc_http_endpoint(&c, "h", 80, 0, &ep), SIOC_OK);
    req = get_req("/drive", b, sizeof b);
    req.method = "POST";
    req.body = "xyz";
    req.body_len = 3;
    CHECK_EQ_INT(sioc_http_submit(&c, ep, &req, 0, NULL), SIOC_OK);
    for (i = 0; i < 10 && sioc_http_next_response(&c, &resp) == SIOC_AGAIN; i++)
        CHECK_EQ_INT(sioc_http_drive(&c, &t, (uint64_t)i), SIOC_OK);
    CHECK_EQ_INT(resp.result, SIOC_OK);
    CHECK_MEM(resp.body, resp.body_len, "hello world", 11);
    CHECK_EQ_INT(f.connect_calls[0], 2);
    CHECKF(f.sent_len[0] == 55 && memcmp(f.sent[0], "POST /drive HTTP/1.1\r\nHost: h\r\nContent-Length: 3\r\n\r\nxyz", 55) == 0,
           "%d [%.*s]", (int)f.sent_len[0], (int)f.sent_len[0], f.sent[0]);
    CHECK_EQ_INT(sioc_http_next_response(&c, &resp), SIOC_AGAIN); /* releases: Connection: close */
    CHECK_EQ_INT(sioc_http_drive(&c, &t, 20), SIOC_OK);
    CHECK_EQ_INT(f.closed[0], 1);
    CHECK_EQ_INT(sioc_http_drive(&c, NULL, 20), SIOC_ERR_ARG);
    sioc_http_client_free(&c);
    CHECK_EQ_INT(g_count.live_bytes, 0);
}

int main(void) {
    RUN(test_writer);
    RUN(test_parser_cases);
    RUN(test_parser_limits);
    RUN(test_engine_basic);
    RUN(test_engine_pool);
    RUN(test_engine_retry);
    RUN(test_engine_failures);
    RUN(test_engine_ids);
    RUN(test_engine_stream_and_head);
    RUN(test_engine_allocations);
    RUN(test_drive);
    return sioc_t_report(SIOC_T_NAME);
}
