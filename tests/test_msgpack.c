/* msgpack writer, reader and checker against @msgpack/msgpack 2.8.0 (tests/vectors/socketio/msgpack-vectors.json:
   68 encode cases, 22 decode cases) and the cluster messages of cluster-canonical.json and the two captures.
   Also: every prefix of every valid input is rejected cleanly, split-point reading agrees with whole-buffer
   reading, depth bombs and lying counts are refused without recursion or over-reads, the writer's open
   containers are byte-exact and report the exact size needed when the buffer is short. */
#define SIO_CLUSTER_IMPLEMENTATION
#include "sio_cluster.h"
#include "harness.h"
#include <math.h>

/* ---------------------------------------------------------------- helpers */

static int hexval(int c) {
    if (c >= '0' && c <= '9') return c - '0';
    if (c >= 'a' && c <= 'f') return c - 'a' + 10;
    if (c >= 'A' && c <= 'F') return c - 'A' + 10;
    return -1;
}

/* Hex text to bytes (malloc'd, exact size, so ASan sees over-reads); *n gets the length. */
static uint8_t *unhex(const char *hex, size_t hex_len, size_t *n) {
    size_t i;
    uint8_t *out = (uint8_t *)malloc(hex_len / 2 ? hex_len / 2 : 1);
    if (!out || hex_len % 2) exit(2);
    for (i = 0; i < hex_len / 2; i++) {
        int a = hexval(hex[2 * i]), b = hexval(hex[2 * i + 1]);
        if (a < 0 || b < 0) exit(2);
        out[i] = (uint8_t)(a * 16 + b);
    }
    *n = hex_len / 2;
    return out;
}

static char hexbuf[4][8192];
/* Lower-case hex of bytes, in one of four rotating static buffers (for messages), truncated when long. */
static const char *tohex(const void *p, size_t n) {
    static int k;
    char *o = hexbuf[k++ & 3];
    size_t i;
    for (i = 0; i < n && i < 4000; i++) sprintf(o + 2 * i, "%02x", ((const uint8_t *)p)[i]);
    o[2 * (i < n ? 4000 : n)] = 0;
    return o;
}

static int bytes_eq_hex(const void *p, size_t n, const char *hex) {
    size_t m;
    uint8_t *b = unhex(hex, strlen(hex), &m);
    int eq = m == n && (n == 0 || memcmp(b, p, n) == 0);
    free(b);
    return eq;
}

/* Reader -> writer copy of one value, item by item (the writer's nesting tracks when the value ends). */
static sioc_result reencode(const uint8_t *in, size_t n, sioc_buf *out) {
    sioc_msgpack_reader r;
    sioc_msgpack_writer w;
    sioc_msgpack_reader_init(&r, in, n);
    sioc_msgpack_writer_init(&w, out);
    do {
        sioc_msgpack_item it;
        sioc_result e = sioc_msgpack_read(&r, &it);
        if (e != SIOC_OK) return e;
        switch (it.type) {
        case SIOC_MSGPACK_NIL: sioc_msgpack_write_nil(&w); break;
        case SIOC_MSGPACK_BOOL: sioc_msgpack_write_bool(&w, it.boolean); break;
        case SIOC_MSGPACK_UINT: sioc_msgpack_write_uint(&w, it.u); break;
        case SIOC_MSGPACK_INT: sioc_msgpack_write_int(&w, it.i); break;
        case SIOC_MSGPACK_FLOAT32:
        case SIOC_MSGPACK_FLOAT64: sioc_msgpack_write_double(&w, it.f); break;
        case SIOC_MSGPACK_STR: sioc_msgpack_write_str(&w, (const char *)it.data, it.len); break;
        case SIOC_MSGPACK_BIN: sioc_msgpack_write_bin(&w, it.data, it.len); break;
        case SIOC_MSGPACK_ARRAY: sioc_msgpack_write_array(&w, it.len); break;
        case SIOC_MSGPACK_MAP: sioc_msgpack_write_map(&w, it.len); break;
        case SIOC_MSGPACK_EXT: sioc_msgpack_write_ext(&w, it.ext_type, it.data, it.len); break;
        case SIOC_MSGPACK_TIMESTAMP: sioc_msgpack_write_timestamp(&w, it.ts_sec, it.ts_nsec); break;
        default: return SIOC_ERR_STATE;
        }
    } while (w.depth > 0 && sioc_buf_result(out) == SIOC_OK);
    if (r.pos != n) return SIOC_ERR_PARSE;
    return sioc_msgpack_writer_finish(&w);
}

/* Per-set results for the closing summary line. */
static int enc_pass, enc_total, dec_pass, dec_total, canon_pass, canon_total, cap_pass, cap_total;

/* Every valid input seen, kept for the prefix and split-point tests. */
#define MAX_VALID 512
static uint8_t *valid_in[MAX_VALID];
static size_t valid_len[MAX_VALID];
static int valid_n;
static void keep_valid(const uint8_t *p, size_t n) {
    if (valid_n < MAX_VALID) {
        valid_in[valid_n] = (uint8_t *)sioc_t_tight(p, n);
        valid_len[valid_n++] = n;
    }
}

/* JSON file from tests/ parsed with the project's reader (tokens malloc'd; free both with free_json). */
static char *load_json(const char *rel, sioc_json *doc) {
    size_t len, cap = 1u << 16;
    char *text = sioc_t_read(rel, &len);
    sioc_json_tok *toks = (sioc_json_tok *)malloc(cap * sizeof *toks);
    sioc_result e;
    if (!toks) exit(2);
    e = sioc_json_parse(doc, text, len, toks, cap);
    if (e != SIOC_OK) {
        fprintf(stderr, "%s: JSON parse failed: %s at %lu\n", rel, sioc_strerror(e), (unsigned long)doc->error_at);
        exit(2);
    }
    return text;
}
static void free_json(char *text, sioc_json *doc) {
    free(doc->toks);
    free(text);
}

/* A string token into a malloc'd NUL-terminated copy (NULL when tok is not a string). */
static char *json_str(const sioc_json *doc, int tok) {
    size_t n = 0;
    char *s;
    if (sioc_json_type_of(doc, tok) != SIOC_JSON_STRING) return NULL;
    if (sioc_json_get_str(doc, tok, NULL, 0, &n) != SIOC_ERR_BUFFER_TOO_SMALL && n != 0) return NULL;
    s = (char *)malloc(n + 1);
    if (!s || sioc_json_get_str(doc, tok, s, n + 1, &n) != SIOC_OK) exit(2);
    return s;
}

/* ---------------------------------------------------------------- encode vectors */

enum { ENC_HEX = 0, ENC_REFUSE = 1, ENC_LOCAL = 2 };

/* Write the C equivalent of encode case i. Returns the vector's "js" text (NULL past the last case). *mode says
   how to judge it: ENC_HEX compare with the vector's hex; ENC_REFUSE Node throws and the C writer must refuse the
   analogous sequence; ENC_LOCAL Node throws on a JS-only type, C writes its nearest value as *local_hex. */
static const char *enc_case(int i, sioc_msgpack_writer *w, int *mode, const char **local_hex) {
    static char a256[256];
    memset(a256, 'a', sizeof a256);
    *mode = ENC_HEX;
    *local_hex = NULL;
    switch (i) {
    case 0: sioc_msgpack_write_int(w, 0); return "0";
    case 1: sioc_msgpack_write_int(w, 1); return "1";
    case 2: sioc_msgpack_write_int(w, 127); return "127";
    case 3: sioc_msgpack_write_int(w, 128); return "128";
    case 4: sioc_msgpack_write_int(w, 255); return "255";
    case 5: sioc_msgpack_write_int(w, 256); return "256";
    case 6: sioc_msgpack_write_uint(w, 65535); return "65535";
    case 7: sioc_msgpack_write_uint(w, 65536); return "65536";
    case 8: sioc_msgpack_write_int(w, 4294967295LL); return "4294967295";
    case 9: sioc_msgpack_write_int(w, 4294967296LL); return "4294967296";
    case 10: sioc_msgpack_write_uint(w, 1795415802291ULL); return "1795415802291 (a handshake.issued)";
    case 11: sioc_msgpack_write_double(w, 9007199254740991.0); return "9007199254740991";
    /* A JS number 2^53 is not a safe integer: Node writes float64. C's write_int(2^53) would be exact (cf);
       the JS-number equivalent is write_double. */
    case 12: sioc_msgpack_write_double(w, 9007199254740992.0); return "9007199254740992 (2**53, not a safe integer -> float64)";
    case 13: sioc_msgpack_write_double(w, 18446744073709551616.0); return "18446744073709551616 (2**64)";
    case 14: sioc_msgpack_write_int(w, -1); return "-1";
    case 15: sioc_msgpack_write_int(w, -32); return "-32";
    case 16: sioc_msgpack_write_int(w, -33); return "-33";
    case 17: sioc_msgpack_write_int(w, -128); return "-128";
    case 18: sioc_msgpack_write_int(w, -129); return "-129";
    case 19: sioc_msgpack_write_int(w, -32768); return "-32768";
    case 20: sioc_msgpack_write_int(w, -32769); return "-32769";
    case 21: sioc_msgpack_write_int(w, -2147483647LL - 1); return "-2147483648";
    case 22: sioc_msgpack_write_int(w, -2147483649LL); return "-2147483649";
    case 23: sioc_msgpack_write_double(w, -9007199254740991.0); return "-9007199254740991";
    case 24: sioc_msgpack_write_double(w, -0.0); return "-0";
    case 25: sioc_msgpack_write_double(w, 1.5); return "1.5";
    case 26: sioc_msgpack_write_double(w, 0.1); return "0.1";
    case 27: sioc_msgpack_write_double(w, -2.5); return "-2.5";
    case 28: sioc_msgpack_write_double(w, 3.0); return "3.0";
    case 29: sioc_msgpack_write_double(w, -NAN); return "NaN"; /* any C NaN becomes JS's one NaN */
    case 30: sioc_msgpack_write_double(w, HUGE_VAL); return "Infinity";
    case 31: sioc_msgpack_write_double(w, -HUGE_VAL); return "-Infinity";
    case 32: sioc_msgpack_write_bool(w, 1); return "true";
    case 33: sioc_msgpack_write_bool(w, 0); return "false";
    case 34: sioc_msgpack_write_nil(w); return "null";
    case 35: sioc_msgpack_write_nil(w); return "undefined"; /* C has one "no value"; both are c0 */
    case 36: sioc_msgpack_write_str(w, "", 0); return "\"\"";
    case 37: sioc_msgpack_write_cstr(w, "a"); return "\"a\"";
    case 38: sioc_msgpack_write_cstr(w, "\xc3\xa9"); return "\"\xc3\xa9\"";
    case 39: sioc_msgpack_write_cstr(w, "\xe2\x82\xac"); return "\"\xe2\x82\xac\"";
    case 40: sioc_msgpack_write_cstr(w, "\xf0\x9f\x98\x80"); return "\"\xf0\x9f\x98\x80\"";
    case 41: sioc_msgpack_write_str(w, a256, 31); return "\"a\" x31";
    case 42: sioc_msgpack_write_str(w, a256, 32); return "\"a\" x32";
    case 43: sioc_msgpack_write_str(w, a256, 256); return "\"a\" x256";
    /* C strings are bytes: a lone surrogate exists only as the WTF-8 bytes Node wrote; they pass through. */
    case 44: sioc_msgpack_write_cstr(w, "\xed\xa0\x80"); return "\"\\ud800\" (lone surrogate)";
    case 45: sioc_msgpack_write_bin(w, "\x03\x04", 2); return "Buffer.from([3,4])";
    case 46: sioc_msgpack_write_bin(w, "\x03\x04", 2); return "new Uint8Array([3,4])";
    /* An ArrayBuffer has no C counterpart; what Node puts on the wire is an empty map (Q24). */
    case 47: sioc_msgpack_write_map(w, 0); return "new Uint8Array([3,4]).buffer (ArrayBuffer!)";
    /* Typed arrays travel as their raw bytes in host order (JS on little-endian): C writes the bytes explicitly. */
    case 48: sioc_msgpack_write_bin(w, "\x01\x00", 2); return "new Int16Array([1])";
    case 49: sioc_msgpack_write_bin(w, NULL, 0); return "Buffer.alloc(0)";
    case 50: sioc_msgpack_write_array(w, 0); return "[]";
    case 51: /* open-count containers: end writes the smallest header */
        sioc_msgpack_begin_array(w);
        sioc_msgpack_write_int(w, 1);
        sioc_msgpack_begin_array(w);
        sioc_msgpack_write_int(w, 2);
        sioc_msgpack_end_array(w);
        sioc_msgpack_end_array(w);
        return "[1,[2]]";
    case 52: {
        int k;
        sioc_msgpack_begin_array(w); /* 16 elements: dc 0010 after the body moved down by 2 bytes */
        for (k = 0; k < 16; k++) sioc_msgpack_write_int(w, 0);
        sioc_msgpack_end_array(w);
        return "new Array(16).fill(0)";
    }
    case 53: /* a hole reads as undefined, written as nil */
        sioc_msgpack_write_array(w, 2);
        sioc_msgpack_write_nil(w);
        sioc_msgpack_write_int(w, 1);
        return "[ , 1] (hole)";
    case 54:
        sioc_msgpack_begin_map(w);
        sioc_msgpack_end_map(w);
        return "{}";
    case 55:
        sioc_msgpack_write_map(w, 1);
        sioc_msgpack_write_cstr(w, "a");
        sioc_msgpack_write_int(w, 1);
        return "{a:1}";
    case 56:
        sioc_msgpack_write_map(w, 1);
        sioc_msgpack_write_cstr(w, "a");
        sioc_msgpack_write_nil(w);
        return "{a:undefined}";
    case 57:
        sioc_msgpack_begin_map(w);
        sioc_msgpack_write_cstr(w, "b");
        sioc_msgpack_write_int(w, 1);
        sioc_msgpack_write_cstr(w, "a");
        sioc_msgpack_write_int(w, 2);
        sioc_msgpack_end_map(w);
        return "{b:1,a:2}";
    case 58: /* the writer keeps the caller's order; JS order (integer-like keys first, ascending) is the caller's */
        sioc_msgpack_write_map(w, 3);
        sioc_msgpack_write_cstr(w, "1");
        sioc_msgpack_write_int(w, 0);
        sioc_msgpack_write_cstr(w, "2");
        sioc_msgpack_write_int(w, 0);
        sioc_msgpack_write_cstr(w, "b");
        sioc_msgpack_write_int(w, 0);
        return "{\"2\":0,\"1\":0,b:0}";
    /* JS Map and Set have no own enumerable keys: Node writes an empty map, so does C for "no fields". */
    case 59: sioc_msgpack_write_map(w, 0); return "new Map([[1,'x']])";
    case 60: sioc_msgpack_write_map(w, 0); return "new Set([1])";
    case 61: sioc_msgpack_write_date_ms(w, 0); return "new Date(0)";
    case 62: sioc_msgpack_write_date_ms(w, 1700000000000LL); return "new Date(1700000000000)";
    case 63: sioc_msgpack_write_date_ms(w, 1700000000123LL); return "new Date(1700000000123)";
    case 64: sioc_msgpack_write_date_ms(w, -1); return "new Date(-1)";
    /* BigInt: C integers are not a separate type; int64 10 is written exactly, as any integer. */
    case 65:
        sioc_msgpack_write_int(w, 10);
        *mode = ENC_LOCAL;
        *local_hex = "0a";
        return "10n";
    /* Functions have no C value. The analogue of "a value the encoder cannot write" is a sequence the writer
       refuses: an end with nothing open. */
    case 66:
        sioc_msgpack_end_array(w);
        *mode = ENC_REFUSE;
        return "() => 1";
    /* {toJSON(){...}}: the key is writable, its function value is not; a map left with a key and no value. */
    case 67:
        sioc_msgpack_begin_map(w);
        sioc_msgpack_write_cstr(w, "toJSON");
        sioc_msgpack_end_map(w);
        *mode = ENC_REFUSE;
        return "{toJSON(){...}} (own function property)";
    default: return NULL;
    }
}

static void test_encode_vectors(void) {
    sioc_json doc;
    char *text = load_json("vectors/socketio/msgpack-vectors.json", &doc);
    int arr = sioc_json_find(&doc, 0, "encode"), tok, i = 0, pass = 0;
    for (tok = sioc_json_first(&doc, arr); tok >= 0; tok = sioc_json_next(&doc, tok), i++) {
        uint8_t mem[512];
        sioc_buf b;
        sioc_msgpack_writer w;
        int mode, ok = 0;
        const char *local_hex, *js;
        char *want_js = json_str(&doc, sioc_json_find(&doc, tok, "js"));
        char *hex = json_str(&doc, sioc_json_find(&doc, tok, "hex"));
        int throws = sioc_json_find(&doc, tok, "throws") >= 0;
        sioc_result e;
        sioc_buf_init(&b, mem, sizeof mem);
        sioc_msgpack_writer_init(&w, &b);
        js = enc_case(i, &w, &mode, &local_hex);
        e = sioc_msgpack_writer_finish(&w);
        CHECKF(js && want_js && strcmp(js, want_js) == 0, "case %d: table says %s, vector says %s", i, js ? js : "-",
               want_js ? want_js : "-");
        if (mode == ENC_HEX) {
            ok = hex && !throws && e == SIOC_OK && bytes_eq_hex(mem, b.len, hex);
            CHECKF(ok, "encode %d %s: got %s (%s), want %s", i, want_js, tohex(mem, b.len), sioc_strerror(e),
                   hex ? hex : "(throws)");
            if (ok) {
                keep_valid(mem, b.len);
                CHECKF(sioc_msgpack_check(mem, b.len) == SIOC_OK, "check of encode %d", i);
            }
        } else if (mode == ENC_REFUSE) {
            ok = throws && e == SIOC_ERR_STATE;
            CHECKF(ok, "encode %d %s: writer gave %s", i, want_js, sioc_strerror(e));
        } else {
            ok = throws && e == SIOC_OK && bytes_eq_hex(mem, b.len, local_hex);
            CHECKF(ok, "encode %d %s: got %s", i, want_js, tohex(mem, b.len));
        }
        pass += ok;
        free(want_js);
        free(hex);
    }
    CHECK_EQ_INT(i, 68);
    enc_pass = pass;
    enc_total = i;
    free_json(text, &doc);
}

/* ---------------------------------------------------------------- decode vectors */

/* Days since 1970-01-01 to a civil date, by walking years and months (plain, and exact for any test date). */
static void civil(int64_t days, int *y, int *m, int *d) {
    static const int mdays[12] = {31, 28, 31, 30, 31, 30, 31, 31, 30, 31, 30, 31};
    int year = 1970, mon = 0;
    for (;;) {
        int leap = (year % 4 == 0 && year % 100 != 0) || year % 400 == 0, len = 365 + leap;
        if (days < 0) {
            year--;
            leap = (year % 4 == 0 && year % 100 != 0) || year % 400 == 0;
            days += 365 + leap;
            continue;
        }
        if (days < len) break;
        days -= len;
        year++;
    }
    for (;;) {
        int leap = (year % 4 == 0 && year % 100 != 0) || year % 400 == 0;
        int len = mdays[mon] + (mon == 1 ? leap : 0);
        if (days < len) break;
        days -= len;
        mon++;
    }
    *y = year;
    *m = mon + 1;
    *d = (int)days + 1;
}

/* Date.prototype.toISOString of the Date Node builds from a timestamp: ms = sec * 1e3 + nsec / 1e6, truncated. */
static void iso_of_timestamp(int64_t sec, uint32_t nsec, char *out, size_t cap) {
    double msd = (double)sec * 1e3 + (double)nsec / 1e6;
    int64_t ms = (int64_t)msd, days, rem;
    int y, mo, d;
    days = ms / 86400000;
    rem = ms % 86400000;
    if (rem < 0) {
        rem += 86400000;
        days--;
    }
    civil(days, &y, &mo, &d);
    snprintf(out, cap, "%04d-%02d-%02dT%02d:%02d:%02d.%03dZ", y, mo, d, (int)(rem / 3600000), (int)(rem / 60000 % 60),
             (int)(rem / 1000 % 60), (int)(rem % 1000));
}

/* JSON.stringify of a decoded value (small trusted test data, so recursion is fine here). Map keys: str as is,
   integers as their decimal text (Node makes them string keys). */
static int render(sioc_msgpack_reader *r, sioc_buf *o) {
    sioc_msgpack_item it;
    uint32_t k;
    size_t j;
    if (sioc_msgpack_read(r, &it) != SIOC_OK) return 0;
    switch (it.type) {
    case SIOC_MSGPACK_NIL: sioc_buf_puts(o, "null"); return 1;
    case SIOC_MSGPACK_BOOL: sioc_buf_puts(o, it.boolean ? "true" : "false"); return 1;
    case SIOC_MSGPACK_UINT: sioc_buf_put_u64(o, it.u); return 1;
    case SIOC_MSGPACK_INT: sioc_buf_put_i64(o, it.i); return 1;
    case SIOC_MSGPACK_STR:
        sioc_buf_putc(o, '"');
        for (j = 0; j < it.len; j++) {
            char c = (char)it.data[j];
            if (c == '"' || c == '\\') sioc_buf_putc(o, '\\');
            sioc_buf_putc(o, c);
        }
        sioc_buf_putc(o, '"');
        return 1;
    case SIOC_MSGPACK_ARRAY:
        sioc_buf_putc(o, '[');
        for (k = 0; k < it.len; k++) {
            if (k) sioc_buf_putc(o, ',');
            if (!render(r, o)) return 0;
        }
        sioc_buf_putc(o, ']');
        return 1;
    case SIOC_MSGPACK_MAP:
        sioc_buf_putc(o, '{');
        for (k = 0; k < it.len; k++) {
            sioc_msgpack_item key;
            if (k) sioc_buf_putc(o, ',');
            if (sioc_msgpack_peek(r, &key) != SIOC_OK) return 0;
            if (key.type == SIOC_MSGPACK_STR) {
                if (!render(r, o)) return 0;
            } else {
                sioc_buf_putc(o, '"');
                if (!render(r, o)) return 0;
                sioc_buf_putc(o, '"');
            }
            sioc_buf_putc(o, ':');
            if (!render(r, o)) return 0;
        }
        sioc_buf_putc(o, '}');
        return 1;
    default: return 0;
    }
}

static void test_decode_vectors(void) {
    sioc_json doc;
    char *text = load_json("vectors/socketio/msgpack-vectors.json", &doc);
    int arr = sioc_json_find(&doc, 0, "decode"), tok, i = 0, pass = 0;
    for (tok = sioc_json_first(&doc, arr); tok >= 0; tok = sioc_json_next(&doc, tok), i++) {
        char *hex = json_str(&doc, sioc_json_find(&doc, tok, "hex"));
        char *what = json_str(&doc, sioc_json_find(&doc, tok, "what"));
        int res = sioc_json_find(&doc, tok, "result");
        char *type = json_str(&doc, sioc_json_find(&doc, res, "type"));
        size_t n;
        uint8_t *in = unhex(hex, strlen(hex), &n);
        sioc_result c = sioc_msgpack_check(in, n);
        sioc_msgpack_reader r;
        sioc_msgpack_item it;
        int ok = 0;
        sioc_msgpack_reader_init(&r, in, n);
        if (sioc_json_find(&doc, res, "throws") >= 0) {
            ok = c == SIOC_ERR_PARSE; /* c1, bad key type, __proto__, truncated, trailing bytes */
        } else if (c == SIOC_OK && type && sioc_msgpack_read(&r, &it) == SIOC_OK) {
            char *s;
            if (strcmp(type, "Uint8Array") == 0 || strcmp(type, "Buffer") == 0) {
                s = json_str(&doc, sioc_json_find(&doc, res, "bytes"));
                ok = it.type == SIOC_MSGPACK_BIN && bytes_eq_hex(it.data, it.len, s);
                free(s);
            } else if (strcmp(type, "number") == 0) {
                double want, got = it.type == SIOC_MSGPACK_UINT    ? (double)it.u
                                   : it.type == SIOC_MSGPACK_INT   ? (double)it.i
                                                                   : it.f;
                s = json_str(&doc, sioc_json_find(&doc, res, "value")); /* the JS number as text */
                want = strtod(s, NULL);
                ok = it.type != SIOC_MSGPACK_NONE && got == want; /* JS sees the double; C keeps it exact too */
                free(s);
            } else if (strcmp(type, "null") == 0) {
                ok = it.type == SIOC_MSGPACK_NIL;
            } else if (strcmp(type, "object") == 0) {
                char out[256];
                sioc_buf o;
                sioc_buf_init(&o, out, sizeof out - 1);
                sioc_msgpack_reader_init(&r, in, n);
                s = json_str(&doc, sioc_json_find(&doc, res, "json"));
                ok = render(&r, &o) && sioc_buf_result(&o) == SIOC_OK && o.len == strlen(s) &&
                     memcmp(out, s, o.len) == 0;
                free(s);
            } else if (strcmp(type, "Date") == 0) {
                char iso[64];
                s = json_str(&doc, sioc_json_find(&doc, res, "iso"));
                iso_of_timestamp(it.ts_sec, it.ts_nsec, iso, sizeof iso);
                ok = it.type == SIOC_MSGPACK_TIMESTAMP && strcmp(iso, s) == 0;
                free(s);
            } else if (strcmp(type, "ExtData") == 0) {
                int64_t et = 0;
                s = json_str(&doc, sioc_json_find(&doc, res, "data"));
                CHECK(sioc_json_get_i64(&doc, sioc_json_find(&doc, res, "extType"), &et) == SIOC_OK);
                ok = it.type == SIOC_MSGPACK_EXT && it.ext_type == et && bytes_eq_hex(it.data, it.len, s);
                free(s);
            } else if (strcmp(type, "string") == 0) {
                s = json_str(&doc, sioc_json_find(&doc, res, "value"));
                ok = it.type == SIOC_MSGPACK_STR && it.len == strlen(s) && memcmp(it.data, s, it.len) == 0;
                free(s);
            }
        } else if (type && strcmp(type, "string") == 0) {
            /* Node decodes short strings without validating UTF-8 ("a2 c3 28" gives a string); the C checker
               validates (docs/PROTOCOL.md §9.2: SHOULD) and rejects, while the plain reader still yields the bytes. */
            ok = c == SIOC_ERR_PARSE && sioc_msgpack_read(&r, &it) == SIOC_OK && it.type == SIOC_MSGPACK_STR &&
                 bytes_eq_hex(it.data, it.len, hex + 2);
        }
        CHECKF(ok, "decode %d (%s) %s: check %s", i, what, hex, sioc_strerror(c));
        pass += ok;
        if (c == SIOC_OK) keep_valid(in, n);
        free(in);
        free(hex);
        free(what);
        free(type);
    }
    CHECK_EQ_INT(i, 22);
    dec_pass = pass;
    dec_total = i;
    free_json(text, &doc);
}

/* Exact values beyond what the JS double shows, and the typed readers on the decode inputs. */
static void test_decode_exact(void) {
    static const uint8_t u53[] = {0xcf, 0x00, 0x20, 0, 0, 0, 0, 0, 0x01};
    static const uint8_t umax[] = {0xcf, 0xff, 0xff, 0xff, 0xff, 0xff, 0xff, 0xff, 0xff};
    static const uint8_t m1[] = {0xd3, 0xff, 0xff, 0xff, 0xff, 0xff, 0xff, 0xff, 0xff};
    static const uint8_t pos_i8[] = {0xd0, 0x05};
    static const uint8_t f32[] = {0xca, 0x3f, 0xc0, 0x00, 0x00};
    sioc_msgpack_reader r;
    uint64_t u = 0;
    int64_t i = 0;
    double d = 0;
    sioc_str str;
    sioc_msgpack_item it;
    sioc_msgpack_reader_init(&r, u53, sizeof u53);
    CHECK(sioc_msgpack_read_u64(&r, &u) == SIOC_OK && u == 9007199254740993ULL);
    sioc_msgpack_reader_init(&r, umax, sizeof umax);
    CHECK(sioc_msgpack_read_i64(&r, &i) == SIOC_ERR_RANGE && r.pos == 0 && r.err == SIOC_OK);
    CHECK(sioc_msgpack_read_u64(&r, &u) == SIOC_OK && u == UINT64_MAX && r.pos == 9);
    sioc_msgpack_reader_init(&r, m1, sizeof m1);
    CHECK(sioc_msgpack_read_u64(&r, &u) == SIOC_ERR_RANGE && r.pos == 0);
    CHECK(sioc_msgpack_read_i64(&r, &i) == SIOC_OK && i == -1);
    sioc_msgpack_reader_init(&r, pos_i8, sizeof pos_i8); /* one integer type per sign, whatever the form */
    CHECK(sioc_msgpack_peek(&r, &it) == SIOC_OK && it.type == SIOC_MSGPACK_UINT && it.u == 5 && it.format == 0xd0);
    CHECK(r.pos == 0);
    sioc_msgpack_reader_init(&r, f32, sizeof f32);
    CHECK(sioc_msgpack_read_str(&r, &str) == SIOC_ERR_TYPE && r.pos == 0);
    CHECK(sioc_msgpack_read_f64(&r, &d) == SIOC_OK && d == 1.5);
    sioc_msgpack_reader_init(&r, pos_i8, sizeof pos_i8);
    CHECK(sioc_msgpack_read_f64(&r, &d) == SIOC_OK && d == 5.0);
}

/* ---------------------------------------------------------------- cluster messages */

/* Structural equality of a msgpack value with the decoded JSON `obj` of the vectors (binary as {"$bin": hex}),
   map members looked up by key with map_find (order-insensitive, and it exercises absent vs present). */
static int same_as_json(sioc_msgpack_reader *r, const sioc_json *doc, int tok) {
    sioc_msgpack_item it;
    switch (sioc_json_type_of(doc, tok)) {
    case SIOC_JSON_NULL: return sioc_msgpack_read_nil(r) == SIOC_OK;
    case SIOC_JSON_BOOL: {
        int a = 0, b = 0;
        return sioc_json_get_bool(doc, tok, &a) == SIOC_OK && sioc_msgpack_read_bool(r, &b) == SIOC_OK && a == b;
    }
    case SIOC_JSON_NUMBER: {
        int64_t a = 0, b = 0;
        double x = 0, y = 0;
        if (sioc_json_get_i64(doc, tok, &a) == SIOC_OK) return sioc_msgpack_read_i64(r, &b) == SIOC_OK && a == b;
        return sioc_json_get_f64(doc, tok, &x) == SIOC_OK && sioc_msgpack_read_f64(r, &y) == SIOC_OK && x == y;
    }
    case SIOC_JSON_STRING: {
        sioc_str s;
        char *want = json_str(doc, tok);
        int eq = sioc_msgpack_read_str(r, &s) == SIOC_OK && s.len == strlen(want) && memcmp(s.ptr, want, s.len) == 0;
        free(want);
        return eq;
    }
    case SIOC_JSON_ARRAY: {
        uint32_t n = 0, k;
        int e;
        if (sioc_msgpack_read_array(r, &n) != SIOC_OK || n != sioc_json_count(doc, tok)) return 0;
        for (k = 0, e = sioc_json_first(doc, tok); k < n; k++, e = sioc_json_next(doc, e))
            if (!same_as_json(r, doc, e)) return 0;
        return 1;
    }
    case SIOC_JSON_OBJECT: {
        int bin = sioc_json_find(doc, tok, "$bin"), key;
        uint32_t n = 0;
        sioc_msgpack_reader map = *r;
        if (bin >= 0 && sioc_json_count(doc, tok) == 1) {
            sioc_bytes b;
            char *hex = json_str(doc, bin);
            int eq = sioc_msgpack_read_bin(r, &b) == SIOC_OK && bytes_eq_hex(b.ptr, b.len, hex);
            free(hex);
            return eq;
        }
        if (sioc_msgpack_peek(r, &it) != SIOC_OK || it.type != SIOC_MSGPACK_MAP) return 0;
        n = it.len;
        if (n != sioc_json_count(doc, tok)) return 0;
        for (key = sioc_json_first(doc, tok); key >= 0; key = sioc_json_next(doc, key)) {
            sioc_msgpack_reader v = map;
            char *name = json_str(doc, key);
            int eq = sioc_msgpack_map_find(&v, name) == SIOC_OK && same_as_json(&v, doc, key + 1);
            free(name);
            if (!eq) return 0;
        }
        return sioc_msgpack_skip(r) == SIOC_OK;
    }
    default: return 0;
    }
}

/* check OK, re-encoding gives the same bytes, and (when obj >= 0) the content equals the JSON view. */
static int cluster_one(const char *hex, const sioc_json *doc, int obj, const char *label) {
    size_t n;
    uint8_t *in = unhex(hex, strlen(hex), &n), *out = (uint8_t *)malloc(n + 16);
    sioc_buf b;
    sioc_result e;
    int ok;
    if (!out) exit(2);
    sioc_buf_init(&b, out, n + 16);
    e = reencode(in, n, &b);
    ok = sioc_msgpack_check(in, n) == SIOC_OK && e == SIOC_OK && b.len == n && memcmp(in, out, n) == 0;
    CHECKF(ok, "%s: re-encode %s gave %s", label, sioc_strerror(e), tohex(out, b.len < n + 16 ? b.len : n + 16));
    if (ok && obj >= 0) {
        sioc_msgpack_reader r;
        sioc_msgpack_reader_init(&r, in, n);
        ok = same_as_json(&r, doc, obj) && r.pos == n;
        CHECKF(ok, "%s: decoded content differs from obj", label);
    }
    if (ok) keep_valid(in, n);
    free(in);
    free(out);
    return ok;
}

static void test_cluster_canonical(void) {
    sioc_json doc;
    char *text = load_json("vectors/socketio/cluster-canonical.json", &doc);
    int vec = sioc_json_find(&doc, 0, "vectors"), v, total = 0, pass = 0;
    for (v = sioc_json_first(&doc, vec); v >= 0; v = sioc_json_next(&doc, v)) {
        int obj = sioc_json_find(&doc, v, "obj"), attrs = sioc_json_path(&doc, v, "aws.MessageAttributes"), a;
        int body = sioc_json_path(&doc, v, "azure.bodyHex");
        char *label = json_str(&doc, sioc_json_find(&doc, v, "label"));
        for (a = sioc_json_first(&doc, attrs); a >= 0; a = sioc_json_next(&doc, a)) {
            if (sioc_json_str_eq(&doc, sioc_json_at(&doc, a, 0), "data", 4)) {
                char *hex = json_str(&doc, sioc_json_at(&doc, a, 2));
                total++;
                pass += cluster_one(hex, &doc, sioc_json_find(&doc, obj, "data"), label);
                free(hex);
            }
        }
        if (body >= 0) { /* Azure: msgpack of the whole message {type, data, uid, nsp, ...} */
            char *hex = json_str(&doc, body);
            total++;
            pass += cluster_one(hex, &doc, obj, label);
            free(hex);
        }
        free(label);
    }
    canon_pass = pass;
    canon_total = total;
    CHECK(total >= 30 && pass == total);
    free_json(text, &doc);
}

static void test_cluster_captures(void) {
    static const char *const files[] = {"vectors/socketio/cluster-capture-aws.json",
                                        "vectors/socketio/cluster-capture-azure.json"};
    static const char *const keys[] = {"dataHex", "bodyHex"};
    int f, total = 0, pass = 0;
    for (f = 0; f < 2; f++) {
        sioc_json doc;
        char *text = load_json(files[f], &doc);
        int m;
        for (m = sioc_json_first(&doc, sioc_json_find(&doc, 0, "msgs")); m >= 0; m = sioc_json_next(&doc, m)) {
            char *hex = json_str(&doc, sioc_json_find(&doc, m, keys[f]));
            if (!hex) continue;
            total++;
            pass += cluster_one(hex, &doc, -1, files[f]);
            free(hex);
        }
        free_json(text, &doc);
    }
    cap_pass = pass;
    cap_total = total;
    CHECK(total > 50 && pass == total);
}

/* A few reads a cluster node does, on the annotated BROADCAST of docs/PROTOCOL.md §3 (absent vs nil included). */
static void test_cluster_reads(void) {
    static const char bc[] = "82a67061636b657482a47479706502a46461746194a47465737401a132c4020304a46f70747383a5726f"
                             "6f6d7391a5726f6f6d31a665786365707490a5666c61677380";
    size_t n;
    uint8_t *in = unhex(bc, strlen(bc), &n);
    sioc_msgpack_reader r, p, o;
    sioc_str s;
    int64_t type = 0;
    uint32_t count = 0;
    sioc_bytes raw;
    CHECK(n == 67 && sioc_msgpack_check(in, n) == SIOC_OK);
    sioc_msgpack_reader_init(&r, in, n);
    p = r;
    CHECK(sioc_msgpack_map_find(&p, "requestId") == SIOC_ERR_NOT_FOUND && p.pos == 0 && p.err == SIOC_OK);
    CHECK(sioc_msgpack_map_find(&p, "packet") == SIOC_OK);
    o = p;
    CHECK(sioc_msgpack_map_find(&o, "type") == SIOC_OK && sioc_msgpack_read_i64(&o, &type) == SIOC_OK && type == 2);
    o = p;
    CHECK(sioc_msgpack_map_find(&o, "data") == SIOC_OK && sioc_msgpack_read_array(&o, &count) == SIOC_OK &&
          count == 4);
    CHECK(sioc_msgpack_read_str(&o, &s) == SIOC_OK && s.len == 4 && memcmp(s.ptr, "test", 4) == 0);
    o = r;
    CHECK(sioc_msgpack_map_find(&o, "opts") == SIOC_OK && sioc_msgpack_map_find(&o, "rooms") == SIOC_OK);
    CHECK(sioc_msgpack_read_array(&o, &count) == SIOC_OK && count == 1);
    CHECK(sioc_msgpack_read_str(&o, &s) == SIOC_OK && s.len == 5 && memcmp(s.ptr, "room1", 5) == 0);
    o = p; /* the packet as raw bytes, spliced into a new message: byte-exact pass-through */
    CHECK(sioc_msgpack_read_raw(&o, &raw) == SIOC_OK && raw.len == 25 && raw.ptr == in + 8);
    {
        uint8_t mem[128];
        sioc_buf b;
        sioc_msgpack_writer w;
        sioc_buf_init(&b, mem, sizeof mem);
        sioc_msgpack_writer_init(&w, &b);
        sioc_msgpack_begin_map(&w);
        sioc_msgpack_write_cstr(&w, "packet");
        sioc_msgpack_write_raw(&w, raw.ptr, raw.len);
        sioc_msgpack_write_cstr(&w, "opts");
        sioc_msgpack_write_map(&w, 3);
        sioc_msgpack_write_cstr(&w, "rooms");
        sioc_msgpack_write_array(&w, 1);
        sioc_msgpack_write_cstr(&w, "room1");
        sioc_msgpack_write_cstr(&w, "except");
        sioc_msgpack_begin_array(&w);
        sioc_msgpack_end_array(&w);
        sioc_msgpack_write_cstr(&w, "flags");
        sioc_msgpack_write_map(&w, 0);
        sioc_msgpack_end_map(&w);
        CHECK(sioc_msgpack_writer_finish(&w) == SIOC_OK && b.len == n && memcmp(mem, in, n) == 0);
    }
    free(in);
}

/* map_find: nil is present, duplicates resolve to the last, non-str keys are stepped over, errors are sticky. */
static void test_map_find(void) {
    static const uint8_t m[] = {0x84, 0xa1, 'a', 0x01, 0xa9, 'r', 'e', 'q', 'u', 'e', 's', 't', 'I', 'd', 0xc0,
                                0x91, 0x81, 0xa1, 'a', 0x05, 0xc3, 0xa1, 'a', 0x02};
    static const uint8_t trunc[] = {0x82, 0xa1, 'a', 0x01, 0xa1}; /* the count fits the bytes; the 2nd key does not */
    static const uint8_t notmap[] = {0x91, 0x01};
    sioc_msgpack_reader r, t;
    sioc_msgpack_item it;
    int64_t v = 0;
    sioc_msgpack_reader_init(&r, m, sizeof m);
    CHECK(sioc_msgpack_skip(&r) == SIOC_OK && r.pos == sizeof m);
    sioc_msgpack_reader_init(&r, m, sizeof m);
    t = r;
    CHECK(sioc_msgpack_map_find(&t, "requestId") == SIOC_OK && sioc_msgpack_peek(&t, &it) == SIOC_OK &&
          it.type == SIOC_MSGPACK_NIL);
    t = r;
    CHECK(sioc_msgpack_map_find(&t, "a") == SIOC_OK && sioc_msgpack_read_i64(&t, &v) == SIOC_OK && v == 2);
    t = r;
    CHECK(sioc_msgpack_map_find(&t, "b") == SIOC_ERR_NOT_FOUND && t.pos == 0 && t.err == SIOC_OK);
    CHECK(sioc_msgpack_map_find_n(&t, "requestIdX", 9) == SIOC_OK);
    CHECK(sioc_msgpack_check(m, sizeof m) == SIOC_ERR_PARSE); /* an array key: the checker refuses it */
    sioc_msgpack_reader_init(&r, notmap, sizeof notmap);
    CHECK(sioc_msgpack_map_find(&r, "a") == SIOC_ERR_TYPE && r.pos == 0 && r.err == SIOC_OK);
    sioc_msgpack_reader_init(&r, trunc, sizeof trunc);
    CHECK(sioc_msgpack_map_find(&r, "a") == SIOC_ERR_PARSE && r.err == SIOC_ERR_PARSE && r.error_at == 4);
    CHECK(sioc_msgpack_read(&r, &it) == SIOC_ERR_PARSE && it.type == SIOC_MSGPACK_NONE); /* sticky */
}

/* ---------------------------------------------------------------- hostile input */

static int item_same(const sioc_msgpack_item *a, const sioc_msgpack_item *b) {
    return a->type == b->type && a->format == b->format && a->len == b->len && a->u == b->u && a->i == b->i &&
           memcmp(&a->f, &b->f, sizeof a->f) == 0 && a->data == b->data && a->boolean == b->boolean &&
           a->ext_type == b->ext_type && a->ts_sec == b->ts_sec && a->ts_nsec == b->ts_nsec;
}

/* Every strict prefix of a valid input is refused cleanly (tight copies: ASan sees any over-read), and reading
   item by item from the prefix agrees with the whole buffer up to the first item that does not fit. */
static void test_prefixes_and_splits(void) {
    int v, bad = 0, splits = 0;
    for (v = 0; v < valid_n; v++) {
        const uint8_t *full = valid_in[v];
        size_t n = valid_len[v], k;
        for (k = 0; k < n; k++) {
            uint8_t *pre = (uint8_t *)sioc_t_tight(full, k);
            sioc_msgpack_reader a, b;
            sioc_result e = sioc_msgpack_check(pre, k);
            if (e != SIOC_ERR_PARSE) bad++;
            sioc_msgpack_reader_init(&b, pre, k);
            if (sioc_msgpack_skip(&b) != SIOC_ERR_PARSE) bad++;
            sioc_msgpack_reader_init(&a, full, n);
            sioc_msgpack_reader_init(&b, pre, k);
            for (;;) { /* one item at a time from both */
                sioc_msgpack_item x, y;
                size_t at = a.pos;
                long ox, oy;
                if (sioc_msgpack_read(&a, &x) != SIOC_OK) break; /* the full buffer ran out first: fine */
                if (sioc_msgpack_read(&b, &y) != SIOC_OK) {
                    /* must fail exactly on this item, and only when it does not fit in the prefix or is a
                       container whose count cannot fit in the bytes left (the count guard) */
                    int guard = (x.type == SIOC_MSGPACK_ARRAY && x.len > k - a.pos) ||
                                (x.type == SIOC_MSGPACK_MAP && 2 * (size_t)x.len > k - a.pos);
                    if (b.error_at != at || (a.pos <= k && !guard)) bad++;
                    break;
                }
                /* views point into different copies: compare offsets */
                ox = x.data ? (long)(x.data - full) : -1;
                oy = y.data ? (long)(y.data - pre) : -1;
                x.data = y.data = NULL;
                if (ox != oy || !item_same(&x, &y)) {
                    bad++;
                    break;
                }
            }
            splits++;
            free(pre);
        }
        CHECK(sioc_msgpack_check(full, n) == SIOC_OK);
    }
    CHECKF(bad == 0, "%d prefix/split mismatches", bad);
    printf("msgpack: %d valid inputs, %d prefixes refused and read item by item at each split point\n", valid_n,
           splits);
}

static void test_depth(void) {
    size_t n = 100001, i;
    uint8_t *bomb = (uint8_t *)malloc(n), *ok;
    sioc_msgpack_reader r;
    sioc_bytes raw;
    if (!bomb) exit(2);
    memset(bomb, 0x91, n - 1); /* 100000 nested one-element arrays, then nil */
    bomb[n - 1] = 0xc0;
    CHECK(sioc_msgpack_check(bomb, n) == SIOC_ERR_LIMIT);
    sioc_msgpack_reader_init(&r, bomb, n);
    CHECK(sioc_msgpack_skip(&r) == SIOC_ERR_LIMIT && r.error_at == SIOC_MSGPACK_WRITE_DEPTH); /* a message */
    CHECK(sioc_msgpack_check_depth(bomb, n, 3) == SIOC_ERR_LIMIT);
    CHECK(sioc_msgpack_check_depth(bomb + n - 4, 4, 3) == SIOC_OK); /* [[[nil]]] */
    CHECK(sioc_msgpack_check_depth(bomb + n - 5, 5, 3) == SIOC_ERR_LIMIT);
    CHECK(sioc_msgpack_check_depth(bomb + n - 1 - SIOC_MSGPACK_WRITE_DEPTH, SIOC_MSGPACK_WRITE_DEPTH + 1, 9999) == SIOC_OK);
    CHECK(sioc_msgpack_check_depth(bomb + n - 2 - SIOC_MSGPACK_WRITE_DEPTH, SIOC_MSGPACK_WRITE_DEPTH + 2, 9999) ==
          SIOC_ERR_LIMIT); /* capped at SIOC_MSGPACK_WRITE_DEPTH */
    CHECK(sioc_msgpack_check(bomb + n - 1 - SIOC_MAX_MSGPACK_DEPTH, SIOC_MAX_MSGPACK_DEPTH + 1) == SIOC_OK);
    CHECK(sioc_msgpack_check(bomb + n - 2 - SIOC_MAX_MSGPACK_DEPTH, SIOC_MAX_MSGPACK_DEPTH + 2) == SIOC_ERR_LIMIT);
    sioc_msgpack_reader_init(&r, bomb, n);
    CHECK(sioc_msgpack_read_raw(&r, &raw) == SIOC_ERR_LIMIT && raw.len == 0);
    CHECK(sioc_msgpack_check(bomb, n - 1) == SIOC_ERR_LIMIT); /* unterminated too */
    for (i = 0; i + 3 <= n - 1; i += 3) { /* maps: {"a": {"a": ...}} */
        bomb[i] = 0x81;
        bomb[i + 1] = 0xa1;
        bomb[i + 2] = 'a';
    }
    bomb[n - 2] = 0xc0;
    CHECK(sioc_msgpack_check(bomb, n - 1) == SIOC_ERR_LIMIT);
    CHECK(sioc_msgpack_check(bomb + 1, n - 1) == SIOC_ERR_PARSE); /* starts mid-way: a str then trailing bytes */
    CHECK(sioc_msgpack_check(bomb, 3 * 70) == SIOC_ERR_LIMIT);    /* 70 levels, truncated: the depth trips first */
    CHECK(sioc_msgpack_check(bomb, 3 * 64) == SIOC_ERR_PARSE);    /* 64 levels, truncated */
    /* exactly the limit passes, one more level does not (empty containers count as a level) */
    ok = bomb + n - 1 - SIOC_MAX_MSGPACK_DEPTH;
    memset(ok, 0x91, SIOC_MAX_MSGPACK_DEPTH);
    ok[SIOC_MAX_MSGPACK_DEPTH - 1] = 0x90;
    CHECK(sioc_msgpack_check(ok, SIOC_MAX_MSGPACK_DEPTH) == SIOC_OK);
    ok[SIOC_MAX_MSGPACK_DEPTH - 1] = 0x91;
    ok[SIOC_MAX_MSGPACK_DEPTH] = 0x90;
    CHECK(sioc_msgpack_check(ok, SIOC_MAX_MSGPACK_DEPTH + 1) == SIOC_ERR_LIMIT);
    ok[SIOC_MAX_MSGPACK_DEPTH] = 0xc0;
    CHECK(sioc_msgpack_check(ok + 1, SIOC_MAX_MSGPACK_DEPTH) == SIOC_OK);
    free(bomb);
}

/* Inputs that must be refused (hex, expected result of check). */
static void test_hostile(void) {
    static const struct {
        const char *hex;
        sioc_result check;
        sioc_result skip; /* structural walk without the strict rules */
    } cases[] = {
        {"", SIOC_ERR_PARSE, SIOC_ERR_PARSE},
        {"c1", SIOC_ERR_PARSE, SIOC_ERR_PARSE},
        {"91c1", SIOC_ERR_PARSE, SIOC_ERR_PARSE},
        {"ddffffffff", SIOC_ERR_PARSE, SIOC_ERR_PARSE},     /* 4 G elements, no bytes */
        {"dfffffffff00", SIOC_ERR_PARSE, SIOC_ERR_PARSE},   /* 4 G pairs */
        {"dcffff00", SIOC_ERR_PARSE, SIOC_ERR_PARSE},
        {"de0002000000", SIOC_ERR_PARSE, SIOC_ERR_PARSE},   /* 2 pairs need 4 bytes, 3 left */
        {"de0002c0c0c0c0", SIOC_ERR_PARSE, SIOC_OK},        /* nil keys: structure fine, keys refused */
        {"dbffffffff61", SIOC_ERR_PARSE, SIOC_ERR_PARSE},
        {"c6ffffffff", SIOC_ERR_PARSE, SIOC_ERR_PARSE},
        {"c9ffffffff01", SIOC_ERR_PARSE, SIOC_ERR_PARSE},
        {"c701", SIOC_ERR_PARSE, SIOC_ERR_PARSE},           /* ext8 without its type byte */
        {"d80100", SIOC_ERR_PARSE, SIOC_ERR_PARSE},         /* fixext16 short */
        {"cf00", SIOC_ERR_PARSE, SIOC_ERR_PARSE},
        {"cb0000", SIOC_ERR_PARSE, SIOC_ERR_PARSE},
        {"ca", SIOC_ERR_PARSE, SIOC_ERR_PARSE},
        {"d9", SIOC_ERR_PARSE, SIOC_ERR_PARSE},
        {"81", SIOC_ERR_PARSE, SIOC_ERR_PARSE},
        {"81a161", SIOC_ERR_PARSE, SIOC_ERR_PARSE},
        {"81ca3fc0000000", SIOC_ERR_PARSE, SIOC_OK},        /* float key: Node takes it, we refuse (§9.2) */
        {"81c40161c0", SIOC_ERR_PARSE, SIOC_OK},            /* bin key */
        {"81d0ff00", SIOC_OK, SIOC_OK},                     /* negative integer key: allowed */
        {"a180", SIOC_ERR_PARSE, SIOC_OK},                  /* lone continuation byte */
        {"a2c080", SIOC_ERR_PARSE, SIOC_OK},                /* overlong */
        {"a3e08080", SIOC_ERR_PARSE, SIOC_OK},              /* overlong */
        {"a4f0808080", SIOC_ERR_PARSE, SIOC_OK},            /* overlong */
        {"a4f4908080", SIOC_ERR_PARSE, SIOC_OK},            /* above U+10FFFF */
        {"a4f8888080", SIOC_ERR_PARSE, SIOC_OK},
        {"a2e282", SIOC_ERR_PARSE, SIOC_OK},                /* truncated sequence */
        {"a3eda080", SIOC_OK, SIOC_OK},                     /* lone surrogate as Node writes it */
        {"a6eda0bdedb880", SIOC_OK, SIOC_OK},               /* surrogate pair in 3+3 bytes (CESU) passes too */
        {"a4f48fbfbf", SIOC_OK, SIOC_OK},                   /* U+10FFFF */
        {"d6ff00", SIOC_ERR_PARSE, SIOC_ERR_PARSE},         /* truncated timestamp */
        {"d5ff0000", SIOC_ERR_PARSE, SIOC_ERR_PARSE},       /* timestamp of 2 bytes: Node throws */
        {"d7ffffffffffffffffff", SIOC_ERR_PARSE, SIOC_ERR_PARSE}, /* nsec 2^30-1 */
        {"c70cff3b9aca000000000000000000", SIOC_ERR_PARSE, SIOC_ERR_PARSE}, /* nsec 1e9 */
        {"c70cff3b9ac9ff8000000000000000", SIOC_OK, SIOC_OK},       /* nsec 999999999, sec -2^63 */
        {"d5010000", SIOC_OK, SIOC_OK},                     /* other ext of 2 bytes */
        {"c0c0", SIOC_ERR_PARSE, SIOC_OK},                  /* trailing byte: check only */
        {"81a95f5f70726f746f5f5fc0", SIOC_ERR_PARSE, SIOC_OK},
        {"81a95f5f70726f746f5f5e01", SIOC_OK, SIOC_OK},
        {"92a95f5f70726f746f5f5f01", SIOC_OK, SIOC_OK},     /* "__proto__" as a value is harmless */
    };
    size_t i;
    sioc_msgpack_reader nul;
    CHECK(sioc_msgpack_check(NULL, 0) == SIOC_ERR_PARSE);
    sioc_msgpack_reader_init(&nul, NULL, 5);
    CHECK(sioc_msgpack_skip(&nul) == SIOC_ERR_PARSE && nul.len == 0);
    for (i = 0; i < SIOC__COUNT(cases); i++) {
        size_t n;
        uint8_t *in = unhex(cases[i].hex, strlen(cases[i].hex), &n);
        sioc_msgpack_reader r;
        sioc_result c = sioc_msgpack_check(in, n), s;
        sioc_msgpack_reader_init(&r, in, n);
        s = sioc_msgpack_skip(&r);
        CHECKF(c == cases[i].check, "check %s: %s", cases[i].hex, sioc_strerror(c));
        CHECKF(s == cases[i].skip, "skip %s: %s", cases[i].hex, sioc_strerror(s));
        if (s != SIOC_OK) CHECKF(r.err == s && r.error_at <= n, "%s at %lu", cases[i].hex, (unsigned long)r.error_at);
        free(in);
    }
}

/* A count larger than the bytes left is refused at the header itself, so a caller looping on a count read
   with sioc_msgpack_read never starts. */
static void test_lying_counts(void) {
    static const char *const lies[] = {"ddffffffff", "dd00000002c0", "dcffff00", "9f0000", "df7fffffff",
                                       "de0002000000", "8f00000000000000000000000000"};
    size_t i;
    for (i = 0; i < SIOC__COUNT(lies); i++) {
        size_t n;
        uint8_t *in = unhex(lies[i], strlen(lies[i]), &n);
        sioc_msgpack_reader r;
        sioc_msgpack_item it;
        uint32_t c = 0;
        sioc_msgpack_reader_init(&r, in, n);
        CHECKF(sioc_msgpack_read(&r, &it) == SIOC_ERR_PARSE && r.error_at == 0 && r.pos == 0, "%s", lies[i]);
        sioc_msgpack_reader_init(&r, in, n);
        CHECK(sioc_msgpack_read_array(&r, &c) == SIOC_ERR_PARSE && c == 0 && r.err == SIOC_ERR_PARSE);
        free(in);
    }
}

/* ---------------------------------------------------------------- writer */

static void test_writer_forms(void) {
    static const struct {
        int64_t v;
        const char *hex;
    } ints[] = {{0, "00"},
                {127, "7f"},
                {128, "cc80"},
                {255, "ccff"},
                {256, "cd0100"},
                {65535, "cdffff"},
                {65536, "ce00010000"},
                {4294967295LL, "ceffffffff"},
                {4294967296LL, "cf0000000100000000"},
                {INT64_MAX, "cf7fffffffffffffff"},
                {-1, "ff"},
                {-32, "e0"},
                {-33, "d0df"},
                {-128, "d080"},
                {-129, "d1ff7f"},
                {-32768, "d18000"},
                {-32769, "d2ffff7fff"},
                {-2147483647LL - 1, "d280000000"},
                {-2147483649LL, "d3ffffffff7fffffff"},
                {INT64_MIN, "d38000000000000000"}};
    static const struct {
        double v;
        const char *hex;
    } dbl[] = {{0.5, "cb3fe0000000000000"},
               {1e21, "cb444b1ae4d6e2ef50"},
               {-9007199254740992.0, "cbc340000000000000"},
               {9007199254740991.0, "cf001fffffffffffff"},
               {-1.0, "ff"},
               {255.0, "ccff"}};
    static const struct {
        size_t len;
        const char *str_hdr, *bin_hdr;
    } lens[] = {{0, "a0", "c400"},          {31, "bf", "c41f"},          {32, "d920", "c420"},
                {255, "d9ff", "c4ff"},      {256, "da0100", "c50100"},   {65535, "daffff", "c5ffff"},
                {65536, "db00010000", "c600010000"}};
    static const struct {
        size_t len;
        const char *hdr;
    } exts[] = {{1, "d405"}, {2, "d505"}, {4, "d605"}, {8, "d705"}, {16, "d805"}, {0, "c70005"}, {3, "c70305"},
                {17, "c71105"}, {256, "c8010005"}, {65536, "c90001000005"}};
    static const struct {
        int64_t sec;
        uint32_t nsec;
        const char *hex;
    } ts[] = {{0, 0, "d6ff00000000"},
              {0xffffffffLL, 0, "d6ffffffffff"},
              {0x100000000LL, 0, "d7ff0000000100000000"},
              {0x3ffffffffLL, 999999999, "d7ffee6b27ffffffffff"},
              {0x400000000LL, 0, "c70cff000000000000000400000000"},
              {-1, 0, "c70cff00000000ffffffffffffffff"},
              {1, 1, "d7ff0000000400000001"}};
    uint8_t *mem = (uint8_t *)malloc(70000), *payload = (uint8_t *)calloc(1, 65536);
    sioc_buf b;
    sioc_msgpack_writer w;
    size_t i;
    if (!mem || !payload) exit(2);
    for (i = 0; i < SIOC__COUNT(ints); i++) {
        sioc_msgpack_reader r;
        int64_t back = 0;
        sioc_buf_init(&b, mem, 64);
        sioc_msgpack_writer_init(&w, &b);
        sioc_msgpack_write_int(&w, ints[i].v);
        CHECKF(sioc_msgpack_writer_finish(&w) == SIOC_OK && bytes_eq_hex(mem, b.len, ints[i].hex), "int %s: %s",
               ints[i].hex, tohex(mem, b.len));
        sioc_msgpack_reader_init(&r, mem, b.len);
        CHECK(sioc_msgpack_read_i64(&r, &back) == SIOC_OK && back == ints[i].v && r.pos == b.len);
    }
    sioc_buf_init(&b, mem, 64);
    sioc_msgpack_writer_init(&w, &b);
    sioc_msgpack_write_uint(&w, UINT64_MAX);
    CHECK(bytes_eq_hex(mem, b.len, "cfffffffffffffffff"));
    for (i = 0; i < SIOC__COUNT(dbl); i++) {
        sioc_buf_init(&b, mem, 64);
        sioc_msgpack_writer_init(&w, &b);
        sioc_msgpack_write_double(&w, dbl[i].v);
        CHECKF(bytes_eq_hex(mem, b.len, dbl[i].hex), "double %s: %s", dbl[i].hex, tohex(mem, b.len));
    }
    for (i = 0; i < SIOC__COUNT(lens); i++) {
        size_t h = strlen(lens[i].str_hdr) / 2;
        sioc_buf_init(&b, mem, 70000);
        sioc_msgpack_writer_init(&w, &b);
        sioc_msgpack_write_str(&w, (const char *)payload, lens[i].len);
        CHECKF(b.len == h + lens[i].len && bytes_eq_hex(mem, h, lens[i].str_hdr), "str %lu: %s",
               (unsigned long)lens[i].len, tohex(mem, h));
        CHECK(sioc_msgpack_check(mem, b.len) == SIOC_OK); /* NUL bytes are valid UTF-8 */
        h = strlen(lens[i].bin_hdr) / 2;
        sioc_buf_init(&b, mem, 70000);
        sioc_msgpack_writer_init(&w, &b);
        sioc_msgpack_write_bin(&w, payload, lens[i].len);
        CHECKF(b.len == h + lens[i].len && bytes_eq_hex(mem, h, lens[i].bin_hdr), "bin %lu", (unsigned long)lens[i].len);
        CHECK(sioc_msgpack_check(mem, b.len) == SIOC_OK);
    }
    for (i = 0; i < SIOC__COUNT(exts); i++) {
        size_t h = strlen(exts[i].hdr) / 2;
        sioc_msgpack_reader r;
        sioc_msgpack_item it;
        sioc_buf_init(&b, mem, 70000);
        sioc_msgpack_writer_init(&w, &b);
        sioc_msgpack_write_ext(&w, 5, payload, exts[i].len);
        CHECKF(b.len == h + exts[i].len && bytes_eq_hex(mem, h, exts[i].hdr), "ext %lu: %s",
               (unsigned long)exts[i].len, tohex(mem, h));
        sioc_msgpack_reader_init(&r, mem, b.len);
        CHECK(sioc_msgpack_read(&r, &it) == SIOC_OK && it.type == SIOC_MSGPACK_EXT && it.ext_type == 5 &&
              it.len == exts[i].len && r.pos == b.len);
    }
    for (i = 0; i < SIOC__COUNT(ts); i++) {
        sioc_msgpack_reader r;
        sioc_msgpack_item it;
        sioc_buf_init(&b, mem, 64);
        sioc_msgpack_writer_init(&w, &b);
        sioc_msgpack_write_timestamp(&w, ts[i].sec, ts[i].nsec);
        CHECKF(bytes_eq_hex(mem, b.len, ts[i].hex), "timestamp %s: %s", ts[i].hex, tohex(mem, b.len));
        sioc_msgpack_reader_init(&r, mem, b.len);
        CHECK(sioc_msgpack_read(&r, &it) == SIOC_OK && it.type == SIOC_MSGPACK_TIMESTAMP && it.ext_type == -1 &&
              it.ts_sec == ts[i].sec && it.ts_nsec == ts[i].nsec);
    }
    sioc_buf_init(&b, mem, 64);
    sioc_msgpack_writer_init(&w, &b);
    sioc_msgpack_write_timestamp(&w, 0, 1000000000u);
    CHECK(sioc_msgpack_writer_finish(&w) == SIOC_ERR_ARG && b.len == 0);
    sioc_buf_init(&b, mem, 64);
    sioc_msgpack_writer_init(&w, &b);
    sioc_msgpack_write_date_ms(&w, -1500); /* floor: sec -2, 500 ms */
    CHECK(bytes_eq_hex(mem, b.len, "c70cff1dcd6500fffffffffffffffe"));
    free(mem);
    free(payload);
}

/* Open containers: every header size, nesting to the limit, and byte-exact output. */
static void test_writer_open(void) {
    static const uint32_t counts[] = {0, 1, 15, 16, 65535, 65536};
    uint8_t *mem = (uint8_t *)malloc(140000);
    sioc_buf b;
    sioc_msgpack_writer w;
    size_t i;
    uint32_t k;
    if (!mem) exit(2);
    for (i = 0; i < SIOC__COUNT(counts); i++) {
        uint32_t c = counts[i];
        size_t h = c <= 15 ? 1 : c <= 0xffff ? 3 : 5;
        sioc_msgpack_reader r;
        uint32_t got = 0;
        sioc_buf_init(&b, mem, 140000);
        sioc_msgpack_writer_init(&w, &b);
        sioc_msgpack_begin_array(&w);
        for (k = 0; k < c; k++) sioc_msgpack_write_int(&w, k & 0x7f);
        sioc_msgpack_end_array(&w);
        CHECK(sioc_msgpack_writer_finish(&w) == SIOC_OK && b.len == h + c);
        sioc_msgpack_reader_init(&r, mem, b.len);
        CHECK(sioc_msgpack_read_array(&r, &got) == SIOC_OK && got == c && r.pos == h && (c == 0 || mem[h] == 0));
        CHECK(c < 2 || (mem[b.len - 1] == ((c - 1) & 0x7f)));
        CHECK(sioc_msgpack_check(mem, b.len) == SIOC_OK);
        sioc_buf_init(&b, mem, 140000);
        sioc_msgpack_writer_init(&w, &b);
        sioc_msgpack_begin_map(&w);
        for (k = 0; k < c; k++) {
            sioc_msgpack_write_int(&w, 1); /* integer keys: legal, and the checker allows them */
            sioc_msgpack_write_nil(&w);
        }
        sioc_msgpack_end_map(&w);
        CHECK(sioc_msgpack_writer_finish(&w) == SIOC_OK && b.len == h + 2 * (size_t)c);
        sioc_msgpack_reader_init(&r, mem, b.len);
        CHECK(sioc_msgpack_read_map(&r, &got) == SIOC_OK && got == c && r.pos == h);
        CHECK(sioc_msgpack_check(mem, b.len) == SIOC_OK);
    }
    /* nesting: SIOC_MAX_MSGPACK_DEPTH open containers, mixed with known-count ones */
    sioc_buf_init(&b, mem, 1000);
    sioc_msgpack_writer_init(&w, &b);
    for (k = 0; k < SIOC_MAX_MSGPACK_DEPTH; k++) {
        if (k % 2)
            sioc_msgpack_begin_array(&w);
        else
            sioc_msgpack_write_array(&w, 1);
    }
    for (k = SIOC_MAX_MSGPACK_DEPTH; k-- > 0;)
        if (k % 2) sioc_msgpack_end_array(&w);
    CHECK(sioc_msgpack_writer_finish(&w) == SIOC_OK && b.len == SIOC_MAX_MSGPACK_DEPTH); /* 63 x 91, then 90 */
    CHECK(mem[0] == 0x91 && mem[SIOC_MAX_MSGPACK_DEPTH - 2] == 0x91 && mem[SIOC_MAX_MSGPACK_DEPTH - 1] == 0x90);
    sioc_buf_init(&b, mem, 1000);
    sioc_msgpack_writer_init(&w, &b);
    for (k = 0; k < SIOC_MAX_MSGPACK_DEPTH; k++) sioc_msgpack_begin_array(&w);
    for (k = 0; k < SIOC_MAX_MSGPACK_DEPTH; k++) sioc_msgpack_end_array(&w);
    CHECK(sioc_msgpack_writer_finish(&w) == SIOC_OK && b.len == SIOC_MAX_MSGPACK_DEPTH);
    CHECK(mem[0] == 0x91 && mem[SIOC_MAX_MSGPACK_DEPTH - 2] == 0x91 && mem[SIOC_MAX_MSGPACK_DEPTH - 1] == 0x90);
    CHECK(sioc_msgpack_check(mem, b.len) == SIOC_OK);
    sioc_msgpack_begin_array(&w); /* a second top-level value, one level deeper than the writer goes */
    for (k = 0; k < SIOC_MSGPACK_WRITE_DEPTH; k++) sioc_msgpack_begin_array(&w);
    CHECK(sioc_msgpack_writer_finish(&w) == SIOC_ERR_LIMIT);
    sioc_buf_init(&b, mem, 1000); /* the writer goes SIOC_ENVELOPE_DEPTH deeper than a value: room for envelopes */
    sioc_msgpack_writer_init(&w, &b);
    for (k = 0; k < SIOC_MSGPACK_WRITE_DEPTH - 1; k++) sioc_msgpack_write_array(&w, 1);
    sioc_msgpack_write_array(&w, 0);
    CHECK(sioc_msgpack_writer_finish(&w) == SIOC_OK && b.len == SIOC_MSGPACK_WRITE_DEPTH);
    CHECK(sioc_msgpack_check(mem, b.len) == SIOC_ERR_LIMIT);
    CHECK(sioc_msgpack_check_depth(mem, b.len, SIOC_MSGPACK_WRITE_DEPTH) == SIOC_OK);
    sioc_buf_init(&b, mem, 1000);
    sioc_msgpack_writer_init(&w, &b);
    for (k = 0; k < SIOC_MSGPACK_WRITE_DEPTH; k++) sioc_msgpack_write_array(&w, 1);
    sioc_msgpack_write_array(&w, 0); /* an empty array is a level too, as the checker counts */
    CHECK(sioc_msgpack_writer_finish(&w) == SIOC_ERR_LIMIT);
    free(mem);
}

/* Misuse is recorded once and stops the writer; later calls change nothing. */
static void test_writer_state(void) {
    uint8_t mem[64];
    sioc_buf b;
    sioc_msgpack_writer w;
    size_t len;
    sioc_buf_init(&b, mem, sizeof mem);
    sioc_msgpack_writer_init(&w, &b);
    sioc_msgpack_end_map(&w);
    CHECK(sioc_msgpack_writer_finish(&w) == SIOC_ERR_STATE);
    sioc_buf_init(&b, mem, sizeof mem);
    sioc_msgpack_writer_init(&w, &b);
    sioc_msgpack_begin_map(&w);
    sioc_msgpack_write_cstr(&w, "k");
    sioc_msgpack_end_map(&w); /* key without value */
    CHECK(sioc_msgpack_writer_finish(&w) == SIOC_ERR_STATE);
    len = b.len;
    sioc_msgpack_write_int(&w, 1);
    CHECK(b.len == len);
    sioc_buf_init(&b, mem, sizeof mem);
    sioc_msgpack_writer_init(&w, &b);
    sioc_msgpack_begin_array(&w);
    sioc_msgpack_end_map(&w); /* wrong kind */
    CHECK(sioc_msgpack_writer_finish(&w) == SIOC_ERR_STATE);
    sioc_buf_init(&b, mem, sizeof mem);
    sioc_msgpack_writer_init(&w, &b);
    sioc_msgpack_begin_array(&w);
    sioc_msgpack_write_map(&w, 1);
    sioc_msgpack_write_cstr(&w, "k");
    sioc_msgpack_end_array(&w); /* inner known map unfinished */
    CHECK(sioc_msgpack_writer_finish(&w) == SIOC_ERR_STATE);
    sioc_buf_init(&b, mem, sizeof mem);
    sioc_msgpack_writer_init(&w, &b);
    sioc_msgpack_write_map(&w, 1);
    sioc_msgpack_write_cstr(&w, "__proto__"); /* Q14 */
    CHECK(sioc_msgpack_writer_finish(&w) == SIOC_ERR_ARG && b.len == 1);
    sioc_buf_init(&b, mem, sizeof mem);
    sioc_msgpack_writer_init(&w, &b);
    sioc_msgpack_write_array(&w, 1);
    sioc_msgpack_write_cstr(&w, "__proto__"); /* a value, not a key */
    sioc_msgpack_begin_map(&w);
    sioc_msgpack_write_cstr(&w, "x");
    sioc_msgpack_write_cstr(&w, "__proto__");
    sioc_msgpack_end_map(&w);
    CHECK(sioc_msgpack_writer_finish(&w) == SIOC_OK && bytes_eq_hex(mem, b.len, "91a95f5f70726f746f5f5f81a178a95f5f70726f746f5f5f"));
    sioc_buf_init(&b, mem, sizeof mem);
    sioc_msgpack_writer_init(&w, &b);
    sioc_msgpack_write_array(&w, 2);
    sioc_msgpack_write_nil(&w);
    CHECK(sioc_msgpack_writer_finish(&w) == SIOC_ERR_STATE && w.depth == 1);
    sioc_buf_fail(&b, SIOC_ERR_PARSE); /* an error already in the caller's buffer stops the writer too */
    len = b.len;
    sioc_msgpack_write_nil(&w);
    CHECK(b.len == len && sioc_msgpack_writer_finish(&w) == SIOC_ERR_PARSE);
}

/* The annotated BROADCAST written with open containers into every buffer size: short buffers report
   BUFFER_TOO_SMALL with len = the exact size needed, never an OK with a hole. */
static void write_broadcast(sioc_msgpack_writer *w) {
    sioc_msgpack_begin_map(w);
    sioc_msgpack_write_cstr(w, "packet");
    sioc_msgpack_begin_map(w);
    sioc_msgpack_write_cstr(w, "type");
    sioc_msgpack_write_int(w, 2);
    sioc_msgpack_write_cstr(w, "data");
    sioc_msgpack_begin_array(w);
    sioc_msgpack_write_cstr(w, "test");
    sioc_msgpack_write_double(w, 1.0);
    sioc_msgpack_write_cstr(w, "2");
    sioc_msgpack_write_bin(w, "\x03\x04", 2);
    sioc_msgpack_end_array(w);
    sioc_msgpack_end_map(w);
    sioc_msgpack_write_cstr(w, "opts");
    sioc_msgpack_begin_map(w);
    sioc_msgpack_write_cstr(w, "rooms");
    sioc_msgpack_begin_array(w);
    sioc_msgpack_write_cstr(w, "room1");
    sioc_msgpack_end_array(w);
    sioc_msgpack_write_cstr(w, "except");
    sioc_msgpack_begin_array(w);
    sioc_msgpack_end_array(w);
    sioc_msgpack_write_cstr(w, "flags");
    sioc_msgpack_begin_map(w);
    sioc_msgpack_end_map(w);
    sioc_msgpack_end_map(w);
    sioc_msgpack_end_map(w);
}

static void test_writer_sizes(void) {
    static const char want[] = "82a67061636b657482a47479706502a46461746194a47465737401a132c4020304a46f70747383a572"
                               "6f6f6d7391a5726f6f6d31a665786365707490a5666c61677380";
    uint8_t mem[128];
    size_t cap, bad = 0;
    for (cap = 0; cap <= 80; cap++) {
        uint8_t *m = (uint8_t *)malloc(cap ? cap : 1); /* exact size: ASan sees any write past cap */
        sioc_buf b;
        sioc_msgpack_writer w;
        sioc_result e;
        if (!m) exit(2);
        sioc_buf_init(&b, cap ? m : NULL, cap);
        sioc_msgpack_writer_init(&w, &b);
        write_broadcast(&w);
        e = sioc_msgpack_writer_finish(&w);
        if (cap < 67 && (e != SIOC_ERR_BUFFER_TOO_SMALL || b.len != 67)) bad++;
        if (cap >= 67 && (e != SIOC_OK || !bytes_eq_hex(m, b.len, want))) bad++;
        free(m);
    }
    CHECKF(bad == 0, "%lu buffer sizes misbehaved", (unsigned long)bad);
    {
        sioc_buf b;
        sioc_msgpack_writer w;
        sioc_buf_init(&b, mem, sizeof mem);
        b.len = 3; /* appends after what the buffer holds */
        memcpy(mem, "xyz", 3);
        sioc_msgpack_writer_init(&w, &b);
        write_broadcast(&w);
        CHECK(sioc_msgpack_writer_finish(&w) == SIOC_OK && b.len == 70 && memcmp(mem, "xyz", 3) == 0 &&
              bytes_eq_hex(mem + 3, 67, want));
    }
}

/* float32 -> double is done on the bits (no double library on soft-float targets): the same value as the
   compiler's cast for every sign and exponent, subnormals and zeros included, 1/4099 of all patterns; a NaN stays a
   NaN (its payload is not compared: FPUs differ in how they quiet one). */
static void test_float32_widening(void) {
    uint64_t b, bad = 0, n = 0;
    for (b = 0; b <= 0xFFFFFFFFull; b += (b < 0x1000u || (b & 0x7FFFFFFFu) >= 0x7F7FF000u) ? 1u : 4099u) {
        uint8_t in[5];
        uint32_t bits = (uint32_t)b;
        float f;
        double want;
        sioc_msgpack_reader r;
        sioc_msgpack_item it;
        in[0] = 0xca;
        in[1] = (uint8_t)(bits >> 24), in[2] = (uint8_t)(bits >> 16), in[3] = (uint8_t)(bits >> 8), in[4] = (uint8_t)bits;
        memcpy(&f, &bits, sizeof f);
        want = (double)f;
        sioc_msgpack_reader_init(&r, in, sizeof in);
        n++;
        if (sioc_msgpack_peek(&r, &it) != SIOC_OK || it.type != SIOC_MSGPACK_FLOAT32) {
            bad++;
            continue;
        }
        if (want != want) bad += it.f == it.f;
        else if (memcmp(&it.f, &want, sizeof want) != 0) bad++; /* bitwise: -0.0 stays -0.0 */
    }
    CHECKF(bad == 0 && n > 1000000, "%lu of %lu differ", (unsigned long)bad, (unsigned long)n);
}

int main(void) {
    RUN(test_float32_widening);
    RUN(test_encode_vectors);
    RUN(test_decode_vectors);
    RUN(test_decode_exact);
    RUN(test_cluster_canonical);
    RUN(test_cluster_captures);
    RUN(test_cluster_reads);
    RUN(test_map_find);
    RUN(test_hostile);
    RUN(test_lying_counts);
    RUN(test_depth);
    RUN(test_writer_forms);
    RUN(test_writer_open);
    RUN(test_writer_state);
    RUN(test_writer_sizes);
    RUN(test_prefixes_and_splits); /* last: uses every valid input collected above */
    {
        int v;
        for (v = 0; v < valid_n; v++) free(valid_in[v]);
    }
    printf("msgpack vectors: encode %d/%d, decode %d/%d, cluster-canonical %d/%d, captures %d/%d (round trip)\n",
           enc_pass, enc_total, dec_pass, dec_total, canon_pass, canon_total, cap_pass, cap_total);
    return sioc_t_report("test_msgpack");
}
