/* Engine.IO v4 packets and payloads, the WebSocket handshake, frame parser, reader and writer (src/eio.h).
   Vectors: RFC 6455 §1.3 (accept key) and §5.7 (frames); engine.io-parser's payload format and engine.io's open
   packet as a Node 4.8 server writes them. The reader is fed at every split point and byte by byte. */
#define SIO_CLUSTER_IMPLEMENTATION
#include "sio_cluster.h"
#include "harness.h"

#define STR_EQ(b, lit) CHECK_MEM((b).data, (b).len, lit, sizeof(lit) - 1)

static void test_packets(void) {
    sioc_eio_packet p;
    uint8_t mem[256];
    sioc_buf b;
    sioc_eio_open o;
    CHECK(sioc_eio_decode(&p, "4hello", 6, 0) == SIOC_OK);
    CHECK(p.type == SIOC_EIO_MESSAGE && !p.binary);
    CHECK_MEM(p.data.ptr, p.data.len, "hello", 5);
    CHECK(sioc_eio_decode(&p, "2probe", 6, 0) == SIOC_OK && p.type == SIOC_EIO_PING);
    CHECK_MEM(p.data.ptr, p.data.len, "probe", 5);
    CHECK(sioc_eio_decode(&p, "5", 1, 0) == SIOC_OK && p.type == SIOC_EIO_UPGRADE && p.data.len == 0);
    CHECK(sioc_eio_decode(&p, "6", 1, 0) == SIOC_OK && p.type == SIOC_EIO_NOOP);
    CHECK(sioc_eio_decode(&p, "\x01\x02", 2, 1) == SIOC_OK && p.binary && p.type == SIOC_EIO_MESSAGE);
    CHECK(p.data.len == 2 && p.data.ptr[1] == 2);
    CHECK(sioc_eio_decode(&p, "", 0, 0) == SIOC_ERR_PARSE);
    CHECK(sioc_eio_decode(&p, "7", 1, 0) == SIOC_ERR_PARSE);
    CHECK(sioc_eio_decode(&p, "bAQI=", 5, 0) == SIOC_ERR_PARSE); /* base64 only inside polling payloads */
    CHECK(sioc_eio_decode(&p, "/", 1, 0) == SIOC_ERR_PARSE);

    sioc_buf_init(&b, mem, sizeof mem);
    sioc_eio_encode(&b, SIOC_EIO_PONG, "probe", 5);
    STR_EQ(b, "3probe");
    CHECK(sioc_buf_result(&b) == SIOC_OK);
    sioc_buf_init(&b, mem, sizeof mem);
    sioc_eio_encode(&b, SIOC_EIO_PING, NULL, 0);
    STR_EQ(b, "2");
    sioc_eio_encode(&b, 9, NULL, 0);
    CHECK(sioc_buf_result(&b) == SIOC_ERR_ARG);

    /* the handshake exactly as engine.io 6.6 writes it (key order and all) */
    memset(&o, 0, sizeof o);
    o.sid = "lv_VI97HAXpY6yYWAAAC";
    o.upgrade_websocket = 1;
    o.ping_interval = 25000;
    o.ping_timeout = 20000;
    o.max_payload = SIOC_EIO_DEFAULT_MAX_PAYLOAD;
    sioc_buf_init(&b, mem, sizeof mem);
    sioc_eio_encode_open(&b, &o);
    STR_EQ(b, "0{\"sid\":\"lv_VI97HAXpY6yYWAAAC\",\"upgrades\":[\"websocket\"],\"pingInterval\":25000,"
              "\"pingTimeout\":20000,\"maxPayload\":1000000}");
    o.upgrade_websocket = 0;
    sioc_buf_init(&b, mem, sizeof mem);
    sioc_eio_encode_open(&b, &o);
    STR_EQ(b, "0{\"sid\":\"lv_VI97HAXpY6yYWAAAC\",\"upgrades\":[],\"pingInterval\":25000,"
              "\"pingTimeout\":20000,\"maxPayload\":1000000}");
    o.sid = "a\"b";
    sioc_buf_init(&b, mem, sizeof mem);
    sioc_eio_encode_open(&b, &o);
    CHECK(sioc_buf_result(&b) == SIOC_ERR_ARG);
    o.sid = "";
    sioc_buf_init(&b, mem, sizeof mem);
    sioc_eio_encode_open(&b, &o);
    CHECK(sioc_buf_result(&b) == SIOC_ERR_ARG);
    sioc_buf_init(&b, mem, 10); /* too small: the size needed is reported */
    o.sid = "abc";
    sioc_eio_encode_open(&b, &o);
    CHECK(sioc_buf_result(&b) == SIOC_ERR_BUFFER_TOO_SMALL && b.len > 10);
}

static void test_payload(void) {
    char body[64];
    uint8_t mem[256];
    sioc_eio_payload it;
    sioc_eio_packet p;
    sioc_buf b;
    static const char bad[][12] = {"", "\x1e", "4a\x1e", "\x1e" "4a", "4a\x1e\x1e" "2", "x", "bAQ", "bAQ=x", "b!!!!"};
    size_t i;
    /* what a client POSTs: a message, a pong, a binary message */
    memcpy(body, "4hello\x1e" "3\x1e" "bAQID", 14);
    sioc_eio_payload_init(&it, body, 14);
    CHECK(sioc_eio_payload_next(&it, &p) == SIOC_OK && p.type == SIOC_EIO_MESSAGE && !p.binary);
    CHECK_MEM(p.data.ptr, p.data.len, "hello", 5);
    CHECK(sioc_eio_payload_next(&it, &p) == SIOC_OK && p.type == SIOC_EIO_PONG && p.data.len == 0);
    CHECK(sioc_eio_payload_next(&it, &p) == SIOC_OK && p.type == SIOC_EIO_MESSAGE && p.binary);
    CHECK_MEM(p.data.ptr, p.data.len, "\x01\x02\x03", 3);
    CHECK(sioc_eio_payload_next(&it, &p) == SIOC_AGAIN);
    CHECK(sioc_eio_payload_next(&it, &p) == SIOC_AGAIN);
    /* a single packet and an empty binary message */
    memcpy(body, "b", 1);
    sioc_eio_payload_init(&it, body, 1);
    CHECK(sioc_eio_payload_next(&it, &p) == SIOC_OK && p.binary && p.data.len == 0);
    CHECK(sioc_eio_payload_next(&it, &p) == SIOC_AGAIN);
    for (i = 0; i < SIOC__COUNT(bad); i++) {
        size_t n = strlen(bad[i]), k;
        sioc_result e = SIOC_OK;
        memcpy(body, bad[i], n);
        sioc_eio_payload_init(&it, body, n);
        for (k = 0; k < 4 && e == SIOC_OK; k++) e = sioc_eio_payload_next(&it, &p);
        CHECKF(e == SIOC_ERR_PARSE, "bad payload %u", (unsigned)i);
    }
    /* what the server GETs back: built, then read again (binary round trip through base64) */
    sioc_buf_init(&b, mem, sizeof mem);
    b.len = 3; /* the payload starts after whatever the caller had in the buffer */
    sioc_eio_polling_add(&b, 3, SIOC_EIO_PING, NULL, 0);
    sioc_eio_polling_add_text(&b, 3, "2[\"x\"]", 6);
    sioc_eio_polling_add_binary(&b, 3, "\xff\x00\x80", 3);
    sioc_eio_polling_add(&b, 3, SIOC_EIO_NOOP, NULL, 0);
    CHECK_MEM(b.data + 3, b.len - 3, "2\x1e" "42[\"x\"]\x1e" "b/wCA\x1e" "6", 17);
    sioc_eio_payload_init(&it, b.data + 3, b.len - 3);
    CHECK(sioc_eio_payload_next(&it, &p) == SIOC_OK && p.type == SIOC_EIO_PING);
    CHECK(sioc_eio_payload_next(&it, &p) == SIOC_OK && p.type == SIOC_EIO_MESSAGE);
    CHECK(sioc_eio_payload_next(&it, &p) == SIOC_OK && p.binary);
    CHECK_MEM(p.data.ptr, p.data.len, "\xff\x00\x80", 3);
    CHECK(sioc_eio_payload_next(&it, &p) == SIOC_OK && p.type == SIOC_EIO_NOOP);
    CHECK(sioc_eio_payload_next(&it, &p) == SIOC_AGAIN);
}

/* In-place base64 decoding stays correct for every length (the payload decoder relies on it). */
static void test_payload_binary_lengths(void) {
    uint8_t src[200], mem[400];
    size_t n, i;
    for (i = 0; i < sizeof src; i++) src[i] = (uint8_t)(i * 37 + 11);
    for (n = 0; n <= sizeof src; n++) {
        sioc_buf b;
        sioc_eio_payload it;
        sioc_eio_packet p;
        sioc_buf_init(&b, mem, sizeof mem);
        sioc_eio_polling_add_binary(&b, 0, src, n);
        sioc_eio_polling_add_text(&b, 0, "x", 1);
        sioc_eio_payload_init(&it, mem, b.len);
        CHECK(sioc_eio_payload_next(&it, &p) == SIOC_OK && p.binary);
        CHECK_MEM(p.data.ptr, p.data.len, src, n);
        CHECK(sioc_eio_payload_next(&it, &p) == SIOC_OK && !p.binary);
        CHECK_MEM(p.data.ptr, p.data.len, "x", 1);
    }
}

static void test_query(void) {
    sioc_eio_query q;
    const char *t = "/socket.io/?EIO=4&transport=polling&t=P2rHm2a&sid=lv_VI97HAXpY6yYWAAAC";
    CHECK(sioc_eio_parse_query(&q, t, strlen(t)) == SIOC_OK);
    CHECK_MEM(q.path.ptr, q.path.len, "/socket.io/", 11);
    CHECK(q.eio == 4 && q.transport == SIOC_EIO_TRANSPORT_POLLING);
    CHECK_MEM(q.sid.ptr, q.sid.len, "lv_VI97HAXpY6yYWAAAC", 20);
    t = "/socket.io/?EIO=4&transport=websocket";
    CHECK(sioc_eio_parse_query(&q, t, strlen(t)) == SIOC_OK);
    CHECK(q.eio == 4 && q.transport == SIOC_EIO_TRANSPORT_WEBSOCKET && q.sid.len == 0);
    t = "/socket.io/?EIO=3&transport=flash&x&sid=";
    CHECK(sioc_eio_parse_query(&q, t, strlen(t)) == SIOC_OK);
    CHECK(q.eio == 3 && q.transport == SIOC_EIO_TRANSPORT_UNKNOWN && q.sid.len == 0);
    t = "/socket.io/?EIO=44444&EIO2=4";
    CHECK(sioc_eio_parse_query(&q, t, strlen(t)) == SIOC_OK && q.eio == 0);
    t = "/socket.io/?EIO=4x";
    CHECK(sioc_eio_parse_query(&q, t, strlen(t)) == SIOC_OK && q.eio == 0);
    t = "/index.html";
    CHECK(sioc_eio_parse_query(&q, t, strlen(t)) == SIOC_OK && q.path.len == 11 && q.eio == 0);
    CHECK(sioc_eio_parse_query(&q, "", 0) == SIOC_ERR_PARSE);
}

static void test_error_body(void) {
    uint8_t mem[128];
    sioc_buf b;
    sioc_buf_init(&b, mem, sizeof mem);
    sioc_eio_error_body(&b, SIOC_EIO_ERR_UNKNOWN_SID);
    STR_EQ(b, "{\"code\":1,\"message\":\"Session ID unknown\"}");
    sioc_buf_init(&b, mem, sizeof mem);
    sioc_eio_error_body(&b, 99);
    STR_EQ(b, "{\"code\":3,\"message\":\"Bad request\"}");
}

static void test_handshake(void) {
    char acc[SIOC_WS_ACCEPT_LEN + 1];
    uint8_t mem[256];
    sioc_buf b;
    /* RFC 6455 §1.3 */
    CHECK(sioc_ws_accept_key("dGhlIHNhbXBsZSBub25jZQ==", 24, acc) == SIOC_OK);
    CHECK(strcmp(acc, "s3pPLMBiTxaQ9kYGzzhZRbK+xOo=") == 0);
    CHECK(sioc_ws_accept_key(" dGhlIHNhbXBsZSBub25jZQ==\t", 26, acc) == SIOC_OK);
    CHECK(strcmp(acc, "s3pPLMBiTxaQ9kYGzzhZRbK+xOo=") == 0);
    CHECK(sioc_ws_accept_key("dGhlIHNhbXBsZSBub25jZQ=", 23, acc) == SIOC_ERR_PARSE);
    CHECK(sioc_ws_accept_key("dGhlIHNhbXBsZSBub25jZQ!!", 24, acc) == SIOC_ERR_PARSE);
    CHECK(sioc_ws_accept_key("dGhlIHNhbXBsZSBub25jZWVl", 24, acc) == SIOC_ERR_PARSE); /* 18 bytes */
    CHECK(sioc_ws_accept_key("", 0, acc) == SIOC_ERR_PARSE);
    sioc_buf_init(&b, mem, sizeof mem);
    CHECK(sioc_ws_handshake_response(&b, "dGhlIHNhbXBsZSBub25jZQ==", 24) == SIOC_OK);
    STR_EQ(b, "HTTP/1.1 101 Switching Protocols\r\nUpgrade: websocket\r\nConnection: Upgrade\r\n"
              "Sec-WebSocket-Accept: s3pPLMBiTxaQ9kYGzzhZRbK+xOo=\r\n\r\n");
    sioc_buf_init(&b, mem, sizeof mem);
    CHECK(sioc_ws_handshake_response(&b, "x", 1) == SIOC_ERR_PARSE && b.len == 0);
}

/* RFC 6455 §5.7 examples. */
static void test_frame_parse(void) {
    sioc_ws_frame f;
    static const uint8_t hello[] = {0x81, 0x05, 'H', 'e', 'l', 'l', 'o'};
    static const uint8_t masked[] = {0x81, 0x85, 0x37, 0xfa, 0x21, 0x3d, 0x7f, 0x9f, 0x4d, 0x51, 0x58};
    static const uint8_t b256[] = {0x82, 0x7E, 0x01, 0x00};
    static const uint8_t b64k[] = {0x82, 0x7F, 0, 0, 0, 0, 0, 1, 0, 0};
    uint8_t payload[5];
    size_t k;
    CHECK(sioc_ws_frame_parse(&f, hello, sizeof hello, 0) == SIOC_OK);
    CHECK(f.fin && f.opcode == SIOC_WS_TEXT && !f.masked && f.len == 5 && f.header_len == 2);
    CHECK(sioc_ws_frame_parse(&f, hello, sizeof hello, 1) == SIOC_ERR_PROTOCOL); /* a client must mask */
    CHECK(sioc_ws_frame_parse(&f, masked, sizeof masked, 1) == SIOC_OK);
    CHECK(f.masked && f.len == 5 && f.header_len == 6);
    memcpy(payload, masked + 6, 5);
    sioc_ws_mask(payload, 5, f.mask, 0);
    CHECK_MEM(payload, 5, "Hello", 5);
    memcpy(payload, masked + 6, 5); /* unmasking in two pieces with the offset */
    sioc_ws_mask(payload, 2, f.mask, 0);
    sioc_ws_mask(payload + 2, 3, f.mask, 2);
    CHECK_MEM(payload, 5, "Hello", 5);
    CHECK(sioc_ws_frame_parse(&f, masked, sizeof masked, 0) == SIOC_ERR_PROTOCOL); /* a server must not */
    CHECK(sioc_ws_frame_parse(&f, b256, sizeof b256, 0) == SIOC_OK && f.len == 256 && f.header_len == 4);
    CHECK(sioc_ws_frame_parse(&f, b64k, sizeof b64k, 0) == SIOC_OK && f.len == 65536 && f.header_len == 10);
    for (k = 0; k < sizeof b64k; k++) CHECK(sioc_ws_frame_parse(&f, b64k, k, 0) == SIOC_AGAIN);
    for (k = 0; k < 6; k++) CHECK(sioc_ws_frame_parse(&f, masked, k, 1) == SIOC_AGAIN);
    {
        static const uint8_t bad[][10] = {
            {0xC1, 0x80, 1, 2, 3, 4},              /* RSV1 */
            {0x83, 0x80, 1, 2, 3, 4},              /* opcode 3 */
            {0x8B, 0x80, 1, 2, 3, 4},              /* opcode 0xB */
            {0x09, 0x80, 1, 2, 3, 4},              /* fragmented ping */
            {0x89, 0xFE, 0, 126, 1, 2, 3, 4},      /* ping of 126 */
            {0x82, 0xFE, 0, 125, 1, 2, 3, 4},      /* 16-bit length for 125 */
            {0x82, 0xFF, 0, 0, 0, 0, 0, 0, 0xFF, 0xFF}, /* 64-bit length for 65535 */
            {0x82, 0xFF, 0x80, 0, 0, 0, 0, 0, 0, 0}, /* top bit */
        };
        for (k = 0; k < SIOC__COUNT(bad); k++)
            CHECKF(sioc_ws_frame_parse(&f, bad[k], sizeof bad[k], 1) == SIOC_ERR_PROTOCOL, "bad frame %u",
                   (unsigned)k);
    }
}

static void test_frame_write(void) {
    uint8_t mem[70000], hdr[SIOC_WS_MAX_HEADER];
    static const uint8_t key[4] = {0x37, 0xfa, 0x21, 0x3d};
    static uint8_t big[65536];
    char reason[200];
    sioc_buf b;
    sioc_ws_frame f;
    CHECK(sioc_ws_frame_header(hdr, 1, SIOC_WS_TEXT, 5, NULL) == 2);
    CHECK(hdr[0] == 0x81 && hdr[1] == 5);
    CHECK(sioc_ws_frame_header(hdr, 0, SIOC_WS_BINARY, 256, NULL) == 4);
    CHECK(hdr[0] == 0x02 && hdr[1] == 126 && hdr[2] == 1 && hdr[3] == 0);
    CHECK(sioc_ws_frame_header(hdr, 1, SIOC_WS_BINARY, 65536, key) == 14);
    CHECK(hdr[1] == 0xFF && hdr[7] == 1 && hdr[10] == 0x37);
    sioc_buf_init(&b, mem, sizeof mem);
    sioc_ws_write_frame(&b, SIOC_WS_TEXT, "Hello", 5, key);
    CHECK_MEM(b.data, b.len, "\x81\x85\x37\xfa\x21\x3d\x7f\x9f\x4d\x51\x58", 11);
    sioc_buf_init(&b, mem, sizeof mem);
    sioc_ws_write_frame(&b, SIOC_WS_PING, "Hello", 5, NULL);
    CHECK_MEM(b.data, b.len, "\x89\x05Hello", 7);
    sioc_buf_init(&b, mem, sizeof mem);
    sioc_ws_write_frame(&b, SIOC_WS_BINARY, big, sizeof big, NULL);
    CHECK(b.len == 10 + sizeof big && sioc_ws_frame_parse(&f, mem, b.len, 0) == SIOC_OK && f.len == sizeof big);
    sioc_buf_init(&b, mem, sizeof mem);
    sioc_ws_write_frame(&b, SIOC_WS_PONG, big, 126, NULL);
    CHECK(sioc_buf_result(&b) == SIOC_ERR_ARG);
    sioc_buf_init(&b, mem, sizeof mem);
    sioc_ws_write_close(&b, 1000, "bye", 3, NULL);
    CHECK_MEM(b.data, b.len, "\x88\x05\x03\xe8" "bye", 7);
    sioc_buf_init(&b, mem, sizeof mem);
    sioc_ws_write_close(&b, 0, NULL, 0, NULL);
    CHECK_MEM(b.data, b.len, "\x88\x00", 2);
    /* a long reason is cut to 123 bytes, before a 2-byte character rather than through it */
    memset(reason, 'a', sizeof reason);
    reason[122] = (char)0xC3, reason[123] = (char)0xA9;
    sioc_buf_init(&b, mem, sizeof mem);
    sioc_ws_write_close(&b, 1001, reason, sizeof reason, NULL);
    CHECK(b.len == 2 + 2 + 122 && b.data[1] == 124);
    sioc_buf_init(&b, mem, 4); /* overflow is sticky and sized */
    sioc_ws_write_frame(&b, SIOC_WS_TEXT, "Hello", 5, NULL);
    CHECK(sioc_buf_result(&b) == SIOC_ERR_BUFFER_TOO_SMALL && b.len == 7);
}

/* ---- the reader ---- */

/* The messages a stream gives, written as one line each: "T:text", "B:<hex>", "P:ping", "O:pong", "C:code:reason",
   "E:close code" on an error. */
typedef struct seen {
    char text[4096];
    size_t len;
} seen;

static void seen_add(seen *s, const sioc_ws_message *m) {
    char line[1200];
    size_t n = 0, i;
    const char *tag = m->opcode == SIOC_WS_TEXT ? "T" : m->opcode == SIOC_WS_BINARY ? "B"
                    : m->opcode == SIOC_WS_PING ? "P" : m->opcode == SIOC_WS_PONG ? "O" : "C";
    n = (size_t)snprintf(line, sizeof line, "%s:", tag);
    if (m->opcode == SIOC_WS_CLOSE) {
        n += (size_t)snprintf(line + n, sizeof line - n, "%u:%.*s", m->close_code, (int)m->reason.len, m->reason.ptr);
    } else if (m->opcode == SIOC_WS_BINARY) {
        for (i = 0; i < m->data.len && n + 3 < sizeof line; i++) n += (size_t)snprintf(line + n, 3, "%02x", m->data.ptr[i]);
    } else {
        n += (size_t)snprintf(line + n, sizeof line - n, "%.*s", (int)SIOC__MIN(m->data.len, (size_t)1000), (const char *)m->data.ptr);
    }
    n += (size_t)snprintf(line + n, sizeof line - n, "\n");
    if (s->len + n < sizeof s->text) memcpy(s->text + s->len, line, n), s->len += n;
    s->text[s->len] = 0;
}

/* Feed `in` in pieces: cuts[] are the split points; the caller-side input buffer keeps only what the reader did
   not consume. Returns the reader's final result. */
static sioc_result feed(sioc_ws_reader *r, const uint8_t *in, size_t len, const size_t *cuts, size_t n_cuts, seen *s) {
    uint8_t pend[64 * 1024];
    size_t have = 0, at = 0, c;
    sioc_result e = SIOC_AGAIN;
    s->len = 0;
    s->text[0] = 0;
    for (c = 0; c <= n_cuts; c++) {
        size_t to = c < n_cuts ? cuts[c] : len, used, off = 0;
        memcpy(pend + have, in + at, to - at);
        have += to - at;
        at = to;
        for (;;) {
            sioc_ws_message m;
            e = sioc_ws_read(r, pend + off, have - off, &used, &m);
            off += used;
            if (e == SIOC_OK) {
                seen_add(s, &m);
                continue;
            }
            break;
        }
        memmove(pend, pend + off, have - off);
        have -= off;
        if (e != SIOC_AGAIN) {
            char line[32];
            size_t n = (size_t)snprintf(line, sizeof line, "E:%u\n", sioc_ws_reader_close_code(r));
            memcpy(s->text + s->len, line, n + 1);
            s->len += n;
            return e;
        }
        CHECK(have < SIOC_WS_MAX_HEADER); /* only an incomplete header is ever left over */
    }
    return e;
}

/* A stream with every kind of frame: a masked "Hello", a text message in three fragments with a ping and a pong
   between them (a 2-byte character split across fragments), a 300-byte binary (16-bit length), an empty text
   message, a close with code and reason. */
static size_t build_stream(uint8_t *out, size_t cap) {
    static const uint8_t key1[4] = {1, 2, 3, 4}, key2[4] = {0xde, 0xad, 0xbe, 0xef};
    uint8_t bin[300], hdr[SIOC_WS_MAX_HEADER], tmp[8];
    sioc_buf b;
    size_t i, hl;
    for (i = 0; i < sizeof bin; i++) bin[i] = (uint8_t)i;
    sioc_buf_init(&b, out, cap);
    sioc_ws_write_frame(&b, SIOC_WS_TEXT, "Hello", 5, key1);
    hl = sioc_ws_frame_header(hdr, 0, SIOC_WS_TEXT, 3, key2); /* "ca\xC3" */
    sioc_buf_put(&b, hdr, hl);
    memcpy(tmp, "ca\xC3", 3);
    sioc_ws_mask(tmp, 3, key2, 0);
    sioc_buf_put(&b, tmp, 3);
    sioc_ws_write_frame(&b, SIOC_WS_PING, "p1", 2, key1);
    hl = sioc_ws_frame_header(hdr, 0, SIOC_WS_CONTINUATION, 2, key1); /* "\xA9!" */
    sioc_buf_put(&b, hdr, hl);
    memcpy(tmp, "\xA9!", 2);
    sioc_ws_mask(tmp, 2, key1, 0);
    sioc_buf_put(&b, tmp, 2);
    sioc_ws_write_frame(&b, SIOC_WS_PONG, "", 0, key2);
    hl = sioc_ws_frame_header(hdr, 1, SIOC_WS_CONTINUATION, 0, key2);
    sioc_buf_put(&b, hdr, hl);
    sioc_ws_write_frame(&b, SIOC_WS_BINARY, bin, sizeof bin, key2);
    sioc_ws_write_frame(&b, SIOC_WS_TEXT, "", 0, key1);
    sioc_ws_write_close(&b, 1000, "done", 4, key1);
    return b.len;
}

static const char *expected_stream(void) {
    static char want[2048];
    size_t n, i;
    n = (size_t)snprintf(want, sizeof want, "T:Hello\nP:p1\nO:\nT:ca\xC3\xA9!\nB:");
    for (i = 0; i < 300; i++) n += (size_t)snprintf(want + n, 3, "%02x", (unsigned)(i & 0xFF));
    snprintf(want + n, sizeof want - n, "\nT:\nC:1000:done\n");
    return want;
}

static void test_reader_splits(void) {
    static uint8_t stream[4096], msg[1024];
    static seen s;
    size_t len = build_stream(stream, sizeof stream), cut, i;
    static size_t every[4096];
    sioc_ws_reader r;
    const char *want = expected_stream();
    int bad = 0;
    /* whole */
    sioc_ws_reader_init(&r, msg, sizeof msg, 1);
    CHECK(feed(&r, stream, len, NULL, 0, &s) == SIOC_AGAIN);
    CHECK(strcmp(s.text, want) == 0);
    /* every split into two */
    for (cut = 1; cut < len; cut++) {
        sioc_ws_reader_init(&r, msg, sizeof msg, 1);
        if (feed(&r, stream, len, &cut, 1, &s) != SIOC_AGAIN || strcmp(s.text, want) != 0) bad++;
    }
    CHECKF(bad == 0, "%d split points differ", bad);
    /* byte by byte */
    for (i = 0; i + 1 < len; i++) every[i] = i + 1;
    sioc_ws_reader_init(&r, msg, sizeof msg, 1);
    CHECK(feed(&r, stream, len, every, len - 1, &s) == SIOC_AGAIN);
    CHECK(strcmp(s.text, want) == 0);
}

/* One bad stream, fed whole and byte by byte: the reader must fail with this close code both ways. */
static void expect_fail(const uint8_t *in, size_t len, size_t cap, unsigned code, sioc_result want, const char *what) {
    static uint8_t msg[1024];
    static seen s;
    static size_t every[1024];
    sioc_ws_reader r;
    sioc_ws_message m;
    size_t i, used;
    for (i = 0; i + 1 < len; i++) every[i] = i + 1;
    sioc_ws_reader_init(&r, msg, cap, 1);
    CHECKF(feed(&r, in, len, NULL, 0, &s) == want && sioc_ws_reader_close_code(&r) == code, "%s whole: %s", what, s.text);
    sioc_ws_reader_init(&r, msg, cap, 1);
    CHECKF(feed(&r, in, len, every, len - 1, &s) == want && sioc_ws_reader_close_code(&r) == code, "%s split", what);
    CHECK(sioc_ws_read(&r, in, len, &used, &m) == want && used == 0); /* the error sticks */
}

static void test_reader_errors(void) {
    static const uint8_t k[4] = {9, 8, 7, 6};
    uint8_t s[512], hdr[SIOC_WS_MAX_HEADER];
    sioc_buf b;
    size_t hl;
#define ADD_FRAME(fin, op, data, n)                              \
    do {                                                         \
        uint8_t t_[300];                                         \
        hl = sioc_ws_frame_header(hdr, fin, op, n, k);           \
        sioc_buf_put(&b, hdr, hl);                               \
        memcpy(t_, data, n);                                     \
        sioc_ws_mask(t_, n, k, 0);                               \
        sioc_buf_put(&b, t_, n);                                 \
    } while (0)
    sioc_buf_init(&b, s, sizeof s);
    ADD_FRAME(1, SIOC_WS_CONTINUATION, "x", 1);
    expect_fail(s, b.len, 1024, 1002, SIOC_ERR_PROTOCOL, "continuation without a message");
    sioc_buf_init(&b, s, sizeof s);
    ADD_FRAME(0, SIOC_WS_TEXT, "a", 1);
    ADD_FRAME(1, SIOC_WS_TEXT, "b", 1);
    expect_fail(s, b.len, 1024, 1002, SIOC_ERR_PROTOCOL, "new message inside a fragmented one");
    sioc_buf_init(&b, s, sizeof s);
    ADD_FRAME(1, SIOC_WS_TEXT, "\xC3\x28", 2);
    expect_fail(s, b.len, 1024, 1007, SIOC_ERR_PARSE, "invalid UTF-8");
    sioc_buf_init(&b, s, sizeof s);
    ADD_FRAME(1, SIOC_WS_TEXT, "\xED\xA0\x80", 3);
    expect_fail(s, b.len, 1024, 1007, SIOC_ERR_PARSE, "surrogate");
    sioc_buf_init(&b, s, sizeof s);
    ADD_FRAME(0, SIOC_WS_BINARY, s, 200);
    ADD_FRAME(1, SIOC_WS_CONTINUATION, s, 57);
    expect_fail(s, b.len, 256, 1009, SIOC_ERR_LIMIT, "over the cap across fragments");
    sioc_buf_init(&b, s, sizeof s);
    ADD_FRAME(1, SIOC_WS_CLOSE, "\x03", 1);
    expect_fail(s, b.len, 1024, 1002, SIOC_ERR_PROTOCOL, "close with 1 byte");
    sioc_buf_init(&b, s, sizeof s);
    ADD_FRAME(1, SIOC_WS_CLOSE, "\x03\xed", 2); /* 1005 may not be sent */
    expect_fail(s, b.len, 1024, 1002, SIOC_ERR_PROTOCOL, "close 1005");
    sioc_buf_init(&b, s, sizeof s);
    ADD_FRAME(1, SIOC_WS_CLOSE, "\x03\xe7", 2); /* 999 */
    expect_fail(s, b.len, 1024, 1002, SIOC_ERR_PROTOCOL, "close 999");
    sioc_buf_init(&b, s, sizeof s);
    ADD_FRAME(1, SIOC_WS_CLOSE, "\x03\xe8\xff", 3);
    expect_fail(s, b.len, 1024, 1007, SIOC_ERR_PARSE, "close reason not UTF-8");
    sioc_buf_init(&b, s, sizeof s);
    sioc_ws_write_frame(&b, SIOC_WS_TEXT, "Hi", 2, NULL);
    expect_fail(s, b.len, 1024, 1002, SIOC_ERR_PROTOCOL, "unmasked client frame");
    {   /* a 64-bit length far beyond the cap fails at the header, before any payload */
        static const uint8_t huge[] = {0x82, 0xFF, 0, 0, 0, 1, 0, 0, 0, 0, 1, 2, 3, 4};
        expect_fail(huge, sizeof huge, 1024, 1009, SIOC_ERR_LIMIT, "4 GiB frame");
    }
#undef ADD_FRAME
}

/* A client-side reader (server frames unmasked) and codes 3000-4999 and 1012-1014 accepted. */
static void test_reader_client(void) {
    uint8_t s[64], msg[64];
    sioc_buf b;
    sioc_ws_reader r;
    sioc_ws_message m;
    size_t used;
    sioc_buf_init(&b, s, sizeof s);
    sioc_ws_write_frame(&b, SIOC_WS_TEXT, "40", 2, NULL);
    sioc_ws_write_close(&b, 4000, "", 0, NULL);
    sioc_ws_reader_init(&r, msg, sizeof msg, 0);
    CHECK(sioc_ws_read(&r, s, b.len, &used, &m) == SIOC_OK && m.opcode == SIOC_WS_TEXT && used == 4);
    CHECK_MEM(m.data.ptr, m.data.len, "40", 2);
    CHECK(sioc_ws_read(&r, s + used, b.len - used, &used, &m) == SIOC_OK && m.opcode == SIOC_WS_CLOSE);
    CHECK(m.close_code == 4000 && m.reason.len == 0);
    sioc_buf_init(&b, s, sizeof s);
    sioc_ws_write_close(&b, 0, NULL, 0, NULL);
    CHECK(sioc_ws_read(&r, s, b.len, &used, &m) == SIOC_OK && m.close_code == SIOC_WS_CLOSE_NO_STATUS);
    sioc_buf_init(&b, s, sizeof s);
    sioc_ws_write_close(&b, 1013, "later", 5, NULL);
    CHECK(sioc_ws_read(&r, s, b.len, &used, &m) == SIOC_OK && m.close_code == 1013);
    CHECK_MEM(m.reason.ptr, m.reason.len, "later", 5);
    sioc_ws_reader_init(&r, NULL, 0, 0); /* no message memory: control frames still work, data is too big */
    CHECK(sioc_ws_read(&r, s, b.len, &used, &m) == SIOC_OK && m.opcode == SIOC_WS_CLOSE);
    sioc_buf_init(&b, s, sizeof s);
    sioc_ws_write_frame(&b, SIOC_WS_BINARY, "x", 1, NULL);
    CHECK(sioc_ws_read(&r, s, b.len, &used, &m) == SIOC_ERR_LIMIT);
}

static void test_utf8(void) {
    CHECK(sioc_utf8_valid("", 0));
    CHECK(sioc_utf8_valid("plain", 5));
    CHECK(sioc_utf8_valid("\xC3\xA9\xE2\x82\xAC\xF0\x9F\x98\x80", 9)); /* é € 😀 */
    CHECK(sioc_utf8_valid("\xF4\x8F\xBF\xBF", 4));                     /* U+10FFFF */
    CHECK(!sioc_utf8_valid("\xC0\xAF", 2));                            /* overlong */
    CHECK(!sioc_utf8_valid("\xE0\x80\xAF", 3));
    CHECK(!sioc_utf8_valid("\xED\xA0\x80", 3));                        /* surrogate */
    CHECK(!sioc_utf8_valid("\xF4\x90\x80\x80", 4));                    /* above U+10FFFF */
    CHECK(!sioc_utf8_valid("\xE2\x82", 2));                            /* truncated */
    CHECK(!sioc_utf8_valid("\x80", 1));
    CHECK(!sioc_utf8_valid("\xFF", 1));
}

int main(void) {
    RUN(test_packets);
    RUN(test_payload);
    RUN(test_payload_binary_lengths);
    RUN(test_query);
    RUN(test_error_body);
    RUN(test_handshake);
    RUN(test_frame_parse);
    RUN(test_frame_write);
    RUN(test_reader_splits);
    RUN(test_reader_errors);
    RUN(test_reader_client);
    RUN(test_utf8);
    return sioc_t_report("test_eio");
}
