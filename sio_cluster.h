/* sio_cluster.h - join a Socket.IO v4 cluster over AWS SNS/SQS or Azure Service Bus from C.

   A single-file library (stb style). Do this in exactly one C or C++ file:

       #define SIO_CLUSTER_IMPLEMENTATION

   and include it without the define everywhere else. Define SIO_CLUSTER_STATIC as well to make every
   function static (several translation units may then each carry a private copy).

   WHAT IS INSIDE (each layer has its own file under src/ in the repository)
     base      result codes, spans, a bounded output buffer with sticky errors, allocator, logger, byte queue
     crypto    SHA-256, HMAC-SHA256, base64 (strict), hex, constant-time compare, percent-encoding
     json      in-place JSON reader (caller-owned token array, bounded depth, no recursion) and writer
     msgpack   encoder and decoder, byte-exact with @msgpack/msgpack (as socket.io's cluster adapters use it)
     xml       a small scanner for AWS Query (SNS) replies: element text by path, entities decoded

   CONFIGURATION (define before including; every switch is tested with #if, so build with -Wundef)
     SIOC_ENABLE_LOG            1   keep log text (0 strips it for tiny targets)
     SIOC_ENABLE_ERROR_STRINGS  1   sioc_strerror() returns text (0: returns "")
     SIOC_ENABLE_LIBC_MALLOC    1   malloc/free as the default allocator (0: an allocator hook is mandatory)
     SIOC_ASSERT(x)             assert(x)   programmer errors (NULL where forbidden, wrong state)
     SIOC_MAX_JSON_DEPTH        64  nesting limit of the JSON reader
     SIOC_MAX_MSGPACK_DEPTH     64  nesting limit of the msgpack decoder
     SIOC_MAX_XML_DEPTH         32  nesting limit of the XML scanner

   CONVENTIONS
     - Every fallible call returns sioc_result: SIOC_OK (0), positive values are not failures (SIOC_AGAIN),
       negative values are errors; sioc_strerror() names them.
     - The codecs (crypto, json, msgpack, xml) never allocate: they read caller buffers and write into caller
       buffers. When an output buffer is too small they return SIOC_ERR_BUFFER_TOO_SMALL and report the size
       that was needed, so the caller can retry.
     - No global mutable state, no clock, no randomness inside: time and random bytes come from the caller.
     - Public names start with sioc_ / SIOC_; nothing else is exported.

   QUICK EXAMPLE
       uint8_t mac[32]; char b64[45]; size_t n;
       sioc_hmac_sha256(key, key_len, msg, msg_len, mac);
       if (sioc_base64_encode(mac, 32, b64, sizeof b64, &n) == SIOC_OK) puts(b64);

       sioc_json_tok toks[64]; sioc_json doc;
       if (sioc_json_parse(&doc, text, text_len, toks, 64) == SIOC_OK) {
           int64_t port;
           if (sioc_json_get_i64(&doc, sioc_json_path(&doc, 0, "server.port"), &port) == SIOC_OK) ...
       }

   LICENCE: MIT or public domain (Unlicense), your choice; full text at the end of this file.
*/
#ifndef SIO_CLUSTER_H
#define SIO_CLUSTER_H
/* ---- src/prologue.h ---- */
/* ---- prologue: version, configuration defaults, linkage ---- */
#define SIOC_VERSION_MAJOR 0
#define SIOC_VERSION_MINOR 1
#define SIOC_VERSION_PATCH 0
#define SIOC_VERSION_STRING "0.1.0"

#include <stddef.h>
#include <stdint.h>

#ifndef SIOC_ENABLE_LOG
#define SIOC_ENABLE_LOG 1
#endif
#ifndef SIOC_ENABLE_ERROR_STRINGS
#define SIOC_ENABLE_ERROR_STRINGS 1
#endif
#ifndef SIOC_ENABLE_LIBC_MALLOC
#define SIOC_ENABLE_LIBC_MALLOC 1
#endif
#ifndef SIOC_MAX_JSON_DEPTH
#define SIOC_MAX_JSON_DEPTH 64
#endif
#ifndef SIOC_MAX_MSGPACK_DEPTH
#define SIOC_MAX_MSGPACK_DEPTH 64
#endif
#ifndef SIOC_MAX_XML_DEPTH
#define SIOC_MAX_XML_DEPTH 32
#endif

#ifndef SIOC_API
#if defined(SIO_CLUSTER_STATIC)
#define SIOC_API static
#else
#define SIOC_API extern
#endif
#endif

/* gcc's warn_unused_result cannot be silenced with a (void) cast, which makes deliberate size queries noisy, so
   only clang (which honours the cast) and C++17 get the check. */
#if defined(__cplusplus) && __cplusplus >= 201703L
#define SIOC_NODISCARD [[nodiscard]]
#elif defined(__clang__)
#define SIOC_NODISCARD __attribute__((warn_unused_result))
#else
#define SIOC_NODISCARD
#endif

#ifdef __cplusplus
extern "C" {
#endif
/* ---- src/base.h ---- */
/* ---- base: results, spans, output buffer, allocator, logger, byte queue ---- */

/* One list makes both the enum and sioc_strerror(). Negative = error, 0 = ok, positive = not a failure. */
#define SIOC__RESULTS(X)                                                                  \
    X(SIOC_OK, 0, "ok")                                                                   \
    X(SIOC_AGAIN, 1, "in progress: more input or output needed")                          \
    X(SIOC_ERR_ARG, -1, "invalid argument")                                               \
    X(SIOC_ERR_NOMEM, -2, "out of memory")                                                \
    X(SIOC_ERR_BUFFER_TOO_SMALL, -3, "output buffer too small")                           \
    X(SIOC_ERR_PARSE, -4, "malformed input")                                              \
    X(SIOC_ERR_PROTOCOL, -5, "protocol violation by the peer")                            \
    X(SIOC_ERR_HTTP_STATUS, -6, "unexpected HTTP status")                                 \
    X(SIOC_ERR_AUTH, -7, "authentication or authorisation failed")                        \
    X(SIOC_ERR_TLS, -8, "TLS failure")                                                    \
    X(SIOC_ERR_CLOSED, -9, "connection closed")                                           \
    X(SIOC_ERR_TIMEOUT, -10, "timed out")                                                 \
    X(SIOC_ERR_STATE, -11, "call not valid in this state")                                \
    X(SIOC_ERR_UNSUPPORTED, -12, "unsupported")                                           \
    X(SIOC_ERR_DEPENDENCY, -13, "a required callback or library is missing")              \
    X(SIOC_ERR_LIMIT, -14, "a configured limit was exceeded (depth, count or size)")      \
    X(SIOC_ERR_NOT_FOUND, -15, "not found")                                               \
    X(SIOC_ERR_TYPE, -16, "value has another type")                                       \
    X(SIOC_ERR_RANGE, -17, "value out of range")                                          \
    X(SIOC_ERR_TOO_LARGE, -18, "message exceeds the service size limit")                  \
    X(SIOC_ERR_CONNECT, -19, "connection failed")                                         \
    X(SIOC_ERR_TLS_UNTRUSTED, -20, "TLS: certificate not trusted")                        \
    X(SIOC_ERR_TLS_HOSTNAME, -21, "TLS: certificate does not match the host name")        \
    X(SIOC_ERR_TLS_EXPIRED, -22, "TLS: certificate expired or not yet valid")             \
    X(SIOC_ERR_TLS_NO_HOSTNAME, -23, "TLS: no host name given (verification impossible)") \
    X(SIOC_ERR_TLS_TIME, -24, "TLS: current time unknown or implausible")                 \
    X(SIOC_ERR_THROTTLED, -25, "throttled by the service")                                \
    X(SIOC_ERR_SERVER, -26, "server error (5xx)")

typedef enum sioc_result {
#define SIOC__ENUM(name, value, text) name = value,
    SIOC__RESULTS(SIOC__ENUM)
#undef SIOC__ENUM
    SIOC__RESULT_END_ = 2
} sioc_result;

/* Text for a result code; never NULL. "" when SIOC_ENABLE_ERROR_STRINGS is 0. */
SIOC_API const char *sioc_strerror(sioc_result r);

/* Read-only views: pointer + length, not NUL-terminated unless said so. */
typedef struct sioc_str {
    const char *ptr;
    size_t len;
} sioc_str;
typedef struct sioc_bytes {
    const uint8_t *ptr;
    size_t len;
} sioc_bytes;

/* A view of a NUL-terminated string (NULL gives the empty view). */
SIOC_API sioc_str sioc_str_c(const char *s);
/* 1 when the two views hold the same bytes. */
SIOC_API int sioc_str_eq(sioc_str a, sioc_str b);

/* Bounded output buffer with a sticky error: writers append without checking each call; `len` counts every byte
   asked for, even those that did not fit, so after the last write `len` is the size that was needed and
   sioc_buf_result() tells whether it fit. Memory is the caller's. */
typedef struct sioc_buf {
    uint8_t *data;
    size_t cap;
    size_t len;
    sioc_result err; /* first error other than overflow (overflow is derived from len > cap) */
} sioc_buf;

SIOC_API void sioc_buf_init(sioc_buf *b, void *mem, size_t cap);
SIOC_API void sioc_buf_put(sioc_buf *b, const void *p, size_t n);
SIOC_API void sioc_buf_putc(sioc_buf *b, char c);
SIOC_API void sioc_buf_puts(sioc_buf *b, const char *s);        /* NUL-terminated, NUL not copied */
SIOC_API void sioc_buf_put_u64(sioc_buf *b, uint64_t v);       /* decimal */
SIOC_API void sioc_buf_put_i64(sioc_buf *b, int64_t v);        /* decimal */
SIOC_API void sioc_buf_fail(sioc_buf *b, sioc_result err);     /* record an error; the first one sticks */
/* SIOC_OK, the sticky error, or SIOC_ERR_BUFFER_TOO_SMALL (then b->len is the size needed). */
SIOC_API sioc_result sioc_buf_result(const sioc_buf *b);

/* Memory for stateful objects. `free` gets the size back so pools and arenas stay simple. No realloc. */
typedef struct sioc_allocator {
    void *(*alloc)(size_t n, void *user);
    void (*free)(void *p, size_t n, void *user);
    void *user;
} sioc_allocator;

typedef enum sioc_log_level { SIOC_LOG_ERROR = 0, SIOC_LOG_WARN = 1, SIOC_LOG_INFO = 2, SIOC_LOG_DEBUG = 3 } sioc_log_level;
/* Log sink: called with a NUL-terminated line (no newline). Never receives secrets. */
typedef struct sioc_logger {
    void (*fn)(void *user, sioc_log_level level, const char *line);
    void *user;
    sioc_log_level max_level; /* lines above this level are not formatted at all */
} sioc_logger;

/* Byte queue over caller memory: a contiguous window [head, tail) that is compacted when space runs out.
   Used for connection input/output; the reader peeks and consumes, the writer reserves and commits. */
typedef struct sioc_bq {
    uint8_t *buf;
    size_t cap;
    size_t head;
    size_t tail;
} sioc_bq;

SIOC_API void sioc_bq_init(sioc_bq *q, void *mem, size_t cap);
SIOC_API size_t sioc_bq_len(const sioc_bq *q);
SIOC_API const uint8_t *sioc_bq_peek(const sioc_bq *q, size_t *out_len);
SIOC_API void sioc_bq_consume(sioc_bq *q, size_t n);
/* Contiguous free space (compacting first when that helps); commit what was written. */
SIOC_API uint8_t *sioc_bq_reserve(sioc_bq *q, size_t *out_room);
SIOC_API void sioc_bq_commit(sioc_bq *q, size_t n);
/* Append n bytes; SIOC_ERR_BUFFER_TOO_SMALL (nothing written) when they do not fit. */
SIOC_API SIOC_NODISCARD sioc_result sioc_bq_write(sioc_bq *q, const void *p, size_t n);
/* ---- src/crypto.h ---- */
/* ---- crypto: SHA-256, HMAC-SHA256, base64, hex, constant-time compare, percent-encoding ----
   Pure functions over caller memory; no allocation, no tables in RAM beyond the SHA-256 constants. */

#define SIOC_SHA256_LEN 32
#define SIOC_SHA256_BLOCK 64

typedef struct sioc_sha256_ctx {
    uint32_t h[8];
    uint64_t total; /* bytes hashed so far */
    uint8_t block[SIOC_SHA256_BLOCK];
    size_t used;    /* bytes waiting in block */
} sioc_sha256_ctx;

SIOC_API void sioc_sha256_init(sioc_sha256_ctx *s);
SIOC_API void sioc_sha256_update(sioc_sha256_ctx *s, const void *data, size_t len);
SIOC_API void sioc_sha256_final(sioc_sha256_ctx *s, uint8_t out[SIOC_SHA256_LEN]);
/* One-shot digest. */
SIOC_API void sioc_sha256(const void *data, size_t len, uint8_t out[SIOC_SHA256_LEN]);

/* HMAC-SHA256 (RFC 2104); keys longer than 64 bytes are hashed first (RFC 4231 cases 6, 7). */
typedef struct sioc_hmac_sha256_ctx {
    sioc_sha256_ctx inner;
    sioc_sha256_ctx outer;
} sioc_hmac_sha256_ctx;

SIOC_API void sioc_hmac_sha256_init(sioc_hmac_sha256_ctx *h, const void *key, size_t key_len);
SIOC_API void sioc_hmac_sha256_update(sioc_hmac_sha256_ctx *h, const void *data, size_t len);
SIOC_API void sioc_hmac_sha256_final(sioc_hmac_sha256_ctx *h, uint8_t out[SIOC_SHA256_LEN]);
SIOC_API void sioc_hmac_sha256(const void *key, size_t key_len, const void *data, size_t len,
                               uint8_t out[SIOC_SHA256_LEN]);

/* 1 when the n bytes at a and b are equal; time depends only on n. */
SIOC_API int sioc_ct_equal(const void *a, const void *b, size_t n);

/* Lower-case hex. `out` gets 2*n chars plus a NUL (cap >= 2*n+1). */
SIOC_API SIOC_NODISCARD sioc_result sioc_hex_encode(const void *data, size_t n, char *out, size_t cap);
/* Hex (either case) to bytes; SIOC_ERR_PARSE on odd length or a non-hex character. */
SIOC_API SIOC_NODISCARD sioc_result sioc_hex_decode(const char *hex, size_t len, uint8_t *out, size_t cap,
                                                     size_t *out_len);

/* Standard base64 (RFC 4648 section 4) with '=' padding. `out` gets the text plus a NUL. */
#define SIOC_BASE64_ENCODED_LEN(n) ((((n) + 2) / 3) * 4)
SIOC_API SIOC_NODISCARD sioc_result sioc_base64_encode(const void *data, size_t n, char *out, size_t cap,
                                                        size_t *out_len);
/* Strict decoder: length a multiple of 4, padding only at the end, unused bits zero, no whitespace or other
   alphabet; anything else is SIOC_ERR_PARSE. */
SIOC_API SIOC_NODISCARD sioc_result sioc_base64_decode(const char *text, size_t len, uint8_t *out, size_t cap,
                                                        size_t *out_len);

/* Percent-encoding, appended to a sioc_buf.
   SIOC_PCT_RFC3986: everything except A-Z a-z 0-9 - . _ ~ (AWS SigV4 canonical form, upper-case hex).
   SIOC_PCT_URI_COMPONENT: JavaScript encodeURIComponent (also leaves ! ' ( ) * unescaped).
   SIOC_PCT_PATH: like RFC3986 but '/' is kept (a SigV4 canonical URI). */
typedef enum sioc_pct_mode { SIOC_PCT_RFC3986 = 0, SIOC_PCT_URI_COMPONENT = 1, SIOC_PCT_PATH = 2 } sioc_pct_mode;
SIOC_API void sioc_pct_encode(sioc_buf *out, const char *s, size_t len, sioc_pct_mode mode);
/* Decode %XX (and '+' as space when plus_is_space); SIOC_ERR_PARSE on a bad escape. */
SIOC_API SIOC_NODISCARD sioc_result sioc_pct_decode(const char *s, size_t len, int plus_is_space, sioc_buf *out);
/* ---- src/json.h ---- */
/* ---- json: in-place reader over a caller buffer, and a writer into a sioc_buf ----
   The reader tokenizes the whole text in one pass into a caller-supplied token array (like jsmn), without
   recursion and with nesting bounded by SIOC_MAX_JSON_DEPTH. Tokens point into the caller's text, which must stay
   alive while the document is used. Token 0 is the root; a container's children follow it in order, and
   `next` jumps over a whole subtree, so walking is O(1) per step. Object members are stored as key token
   (a string) followed by its value token. */

typedef enum sioc_json_type {
    SIOC_JSON_INVALID = 0,
    SIOC_JSON_NULL,
    SIOC_JSON_BOOL,
    SIOC_JSON_NUMBER,
    SIOC_JSON_STRING,
    SIOC_JSON_ARRAY,
    SIOC_JSON_OBJECT
} sioc_json_type;

typedef struct sioc_json_tok {
    uint32_t start;  /* offset of the first byte (for strings: after the opening quote) */
    uint32_t len;    /* length in bytes (for strings: without quotes, escapes not decoded) */
    uint32_t next;   /* index of the token after this one's subtree */
    uint32_t count;  /* arrays: elements; objects: members (key+value pairs); others 0 */
    uint8_t type;    /* sioc_json_type */
    uint8_t escaped; /* strings: 1 when the raw text holds backslash escapes */
} sioc_json_tok;

typedef struct sioc_json {
    const char *text;
    size_t text_len;
    sioc_json_tok *toks;
    size_t cap;
    size_t count;       /* tokens used */
    size_t error_at;    /* byte offset of the first error, when parse failed */
} sioc_json;

/* Parse `len` bytes of JSON text (RFC 8259: one value, surrounding whitespace allowed). Returns SIOC_OK,
   SIOC_ERR_PARSE (syntax, bad escape, invalid UTF-8, ...; doc->error_at says where), SIOC_ERR_LIMIT (deeper than
   SIOC_MAX_JSON_DEPTH or text over 4 GiB), or SIOC_ERR_BUFFER_TOO_SMALL (more tokens needed than `cap`). */
SIOC_API SIOC_NODISCARD sioc_result sioc_json_parse(sioc_json *doc, const char *text, size_t len,
                                                     sioc_json_tok *toks, size_t cap);

/* Navigation. Token indexes are ints; -1 means "none" and every function accepts -1 and propagates it. */
SIOC_API sioc_json_type sioc_json_type_of(const sioc_json *doc, int tok);
SIOC_API int sioc_json_first(const sioc_json *doc, int tok);        /* first element / first key, or -1 */
SIOC_API int sioc_json_next(const sioc_json *doc, int tok);         /* next sibling (for keys: next key), or -1 */
SIOC_API int sioc_json_find(const sioc_json *doc, int obj, const char *key); /* member value by key, or -1 */
SIOC_API int sioc_json_find_n(const sioc_json *doc, int obj, const char *key, size_t key_len);
SIOC_API int sioc_json_at(const sioc_json *doc, int arr, size_t index); /* array element, or -1 */
/* Path lookup from `tok`: keys separated by '.', array indexes as "[n]": "a.b[2].c". Keys with '.' or '['
   need sioc_json_find. */
SIOC_API int sioc_json_path(const sioc_json *doc, int tok, const char *path);
SIOC_API size_t sioc_json_count(const sioc_json *doc, int tok); /* elements or members */

/* Typed getters. SIOC_ERR_TYPE when the token has another type, SIOC_ERR_NOT_FOUND for -1. */
/* String value unescaped into `out` (UTF-8, NUL-terminated when it fits); *out_len gets the length without NUL.
   SIOC_ERR_BUFFER_TOO_SMALL with *out_len = bytes needed (without NUL) when cap is not enough. */
SIOC_API SIOC_NODISCARD sioc_result sioc_json_get_str(const sioc_json *doc, int tok, char *out, size_t cap,
                                                       size_t *out_len);
/* Raw view of a token's text (strings: without quotes and still escaped). */
SIOC_API sioc_str sioc_json_raw(const sioc_json *doc, int tok);
/* 1 when tok is a string whose unescaped value equals s. */
SIOC_API int sioc_json_str_eq(const sioc_json *doc, int tok, const char *s, size_t len);
/* Integer in int64 range without fraction or exponent (1e3 is SIOC_ERR_TYPE); SIOC_ERR_RANGE on overflow. */
SIOC_API SIOC_NODISCARD sioc_result sioc_json_get_i64(const sioc_json *doc, int tok, int64_t *out);
/* Any number, correctly rounded to the nearest double. */
SIOC_API SIOC_NODISCARD sioc_result sioc_json_get_f64(const sioc_json *doc, int tok, double *out);
SIOC_API SIOC_NODISCARD sioc_result sioc_json_get_bool(const sioc_json *doc, int tok, int *out);
SIOC_API int sioc_json_is_null(const sioc_json *doc, int tok);

/* Writer: appends to a sioc_buf (sticky errors; check sioc_buf_result at the end). Commas between elements
   and members are inserted automatically; nesting is tracked up to SIOC_MAX_JSON_DEPTH levels. */
typedef struct sioc_json_writer {
    sioc_buf *out;
    uint32_t depth;
    uint8_t need_comma[SIOC_MAX_JSON_DEPTH + 1];
    uint8_t after_key;
} sioc_json_writer;

SIOC_API void sioc_json_writer_init(sioc_json_writer *w, sioc_buf *out);
SIOC_API void sioc_json_write_object_begin(sioc_json_writer *w);
SIOC_API void sioc_json_write_object_end(sioc_json_writer *w);
SIOC_API void sioc_json_write_array_begin(sioc_json_writer *w);
SIOC_API void sioc_json_write_array_end(sioc_json_writer *w);
SIOC_API void sioc_json_write_key(sioc_json_writer *w, const char *key, size_t len);
/* Strings are UTF-8; escaping follows JavaScript's JSON.stringify exactly (", \, \b \t \n \f \r, other controls
   as \u00xx lower-case; '/', U+007F, U+2028/2029 and non-ASCII unescaped; WTF-8 lone surrogates as \udxxx). */
SIOC_API void sioc_json_write_str(sioc_json_writer *w, const char *s, size_t len);
SIOC_API void sioc_json_write_i64(sioc_json_writer *w, int64_t v);
SIOC_API void sioc_json_write_u64(sioc_json_writer *w, uint64_t v);
/* Doubles as JavaScript prints them (shortest round-trip form; NaN and infinities as null, -0 as 0). */
SIOC_API void sioc_json_write_f64(sioc_json_writer *w, double v);
SIOC_API void sioc_json_write_bool(sioc_json_writer *w, int v);
SIOC_API void sioc_json_write_null(sioc_json_writer *w);
/* Pre-encoded JSON text inserted as one value (trusted: not validated). */
SIOC_API void sioc_json_write_raw(sioc_json_writer *w, const char *json, size_t len);
/* ---- src/msgpack.h ---- */
/* ---- msgpack (public part) ---- */
/* ---- src/xml.h ---- */
/* ---- xml: non-allocating scanner for AWS Query protocol replies (SNS) ----
   Reads a complete document held in a caller buffer; nothing is copied or allocated, every span points into the
   caller's bytes, which must stay alive while spans are used. Nothing recurses: nesting is tracked in a fixed
   stack of SIOC_MAX_XML_DEPTH open element names inside the reader, so stack use is constant whatever the input.

   Three layers:
   1. A pull tokenizer (sioc_xml_reader + sioc_xml_next): start tag (name + raw attribute span), end tag, text run,
      end of input, each with its depth. It checks well-formedness (XML 1.0 5th ed. + Namespaces in XML) as it
      goes, so reading to SIOC_XML_EOF proves the whole input well-formed.
   2. Lookups on top of it: sioc_xml_find ("CreateTopicResponse/CreateTopicResult/TopicArn" -> raw content span),
      sioc_xml_find_in (the same relative to a content span) and sioc_xml_iter (each repeated child such as
      `member`, as a content span to run relative lookups on). Lookups always scan to the end of their input, so
      a truncated or malformed reply fails even when the wanted field came before the damage.
   3. sioc_xml_text: a raw content span decoded into caller memory.

   What is accepted: an optional UTF-8 byte order mark and `<?xml version="1.x" encoding="UTF-8"
   standalone="yes|no"?>` declaration, comments, processing instructions, CDATA sections, the five predefined
   entities (&lt; &gt; &amp; &apos; &quot;) and numeric character references, in text and attribute values.
   Namespaces: prefixes are not resolved; names must be QNames (at most one ':', not first or last) and path
   segments match the local part (after the ':'), or the whole qualified name when the segment holds a ':'.
   What is rejected (SIOC_ERR_PARSE unless said): unterminated tags, comments, CDATA or references; bad attribute
   syntax (missing '=', unquoted values, '<' in a value, no space between attributes, duplicates); '<' or "]]>"
   in text; mismatched or unclosed end tags; text, a second element or garbage after the root; other entity
   names; invalid UTF-8 or characters outside XML's Char production; an encoding other than UTF-8
   (SIOC_ERR_UNSUPPORTED); a DOCTYPE (SIOC_ERR_UNSUPPORTED: no DTD, hence no entity expansion attacks);
   nesting deeper than SIOC_MAX_XML_DEPTH or more than SIOC_XML_MAX_ATTRS attributes on a tag (SIOC_ERR_LIMIT).
   Non-ASCII name characters are accepted as long as they are valid UTF-8 (the Unicode name classes are not
   checked). */

/* Attributes per tag (bounds the duplicate check). AWS replies carry at most one (xmlns). */
#define SIOC_XML_MAX_ATTRS 32

typedef enum sioc_xml_kind {
    SIOC_XML_EOF = 0, /* the input ended and was well-formed */
    SIOC_XML_START,   /* start tag; an empty-element tag <x/> gives START (empty = 1) then END */
    SIOC_XML_END,     /* end tag */
    SIOC_XML_TEXT     /* a run of character data between two tags: raw, may hold references, CDATA, comments, PIs */
} sioc_xml_kind;

typedef struct sioc_xml_token {
    sioc_xml_kind kind;
    uint32_t depth;  /* START/END: the element's depth (the root, or a top-level element of content, is 1);
                        TEXT: the depth of the enclosing element (0 at the top level of content) */
    uint8_t empty;   /* START: 1 for <x/> */
    sioc_str name;   /* START/END: qualified name as written ("ns:Foo") */
    sioc_str local;  /* START/END: local part of the name ("Foo") */
    sioc_str attrs;  /* START: raw attribute text, from the first attribute to the end of the last (may be empty) */
    sioc_str raw;    /* the markup: "<...>" for START, "</...>" for END (empty, just after "<x/>", for the END of an
                        empty-element tag), the text run itself for TEXT */
} sioc_xml_token;

/* Pull tokenizer state. Transparent so it can live on the stack (~0.6 KB); treat the fields as private. */
typedef struct sioc_xml_reader {
    const char *buf;
    size_t len;
    size_t pos;
    size_t error_at;             /* byte offset of the first error */
    sioc_result err;             /* sticky: once set, every call returns it */
    uint32_t depth;
    uint8_t content;             /* 1: element content (several top-level items), 0: a document */
    uint8_t seen_root;
    uint8_t pending_end;         /* an empty-element tag still owes its END token */
    uint8_t done;
    const char *open[SIOC_MAX_XML_DEPTH]; /* names of the open elements, for end-tag matching */
    size_t open_len[SIOC_MAX_XML_DEPTH];
} sioc_xml_reader;

/* Start reading a whole document: optional BOM and declaration, comments/PIs/whitespace, exactly one root
   element, then only comments/PIs/whitespace. The buffer must stay alive while the reader and its spans are used. */
SIOC_API void sioc_xml_reader_init(sioc_xml_reader *r, const char *xml, size_t len);
/* Start reading element content (what sioc_xml_find returns): text, elements, comments, CDATA in any number,
   no declaration or DOCTYPE. */
SIOC_API void sioc_xml_reader_init_content(sioc_xml_reader *r, const char *xml, size_t len);
/* Next token. SIOC_OK with out->kind set (SIOC_XML_EOF, repeatedly, once the input is used up); otherwise the
   sticky error (SIOC_ERR_PARSE, SIOC_ERR_LIMIT, SIOC_ERR_UNSUPPORTED) with r->error_at. In a document, whitespace,
   comments and PIs outside the root are skipped, not reported. */
SIOC_API SIOC_NODISCARD sioc_result sioc_xml_next(sioc_xml_reader *r, sioc_xml_token *out);

/* Raw content (between the start and end tags; empty for <x/>) of the first element, in document order, whose
   path from the root is `path` ('/'-separated names, the first naming the root). The whole document is checked.
   SIOC_OK, SIOC_ERR_NOT_FOUND, SIOC_ERR_ARG (empty path or segment, more segments than SIOC_MAX_XML_DEPTH), or a
   tokenizer error. Decode the span with sioc_xml_text, or search inside it with sioc_xml_find_in. */
SIOC_API SIOC_NODISCARD sioc_result sioc_xml_find(const char *xml, size_t len, const char *path, sioc_str *out);
/* The same relative to element content (a span from sioc_xml_find or sioc_xml_iter_next): the first segment
   names a top-level element of `content`. */
SIOC_API SIOC_NODISCARD sioc_result sioc_xml_find_in(sioc_str content, const char *path, sioc_str *out);

/* One element as seen by the iterator. */
typedef struct sioc_xml_elem {
    sioc_str name;    /* qualified name as written */
    sioc_str attrs;   /* raw attribute text */
    sioc_str content; /* raw content between the tags (empty for <x/>) */
} sioc_xml_elem;

typedef struct sioc_xml_iter {
    sioc_xml_reader r;
    const char *name; /* NULL: every child */
    size_t name_len;
} sioc_xml_iter;

/* Iterate the top-level elements of `content` named `name` (matched like a path segment; NULL for all), e.g.
   each `member` of the span found at "PublishBatchResponse/PublishBatchResult/Successful". The whole span is
   checked here, so iteration itself cannot fail: SIOC_OK or a tokenizer error. */
SIOC_API SIOC_NODISCARD sioc_result sioc_xml_iter_init(sioc_xml_iter *it, sioc_str content, const char *name);
/* 1 and *out filled for the next matching element, 0 when there are no more. */
SIOC_API int sioc_xml_iter_next(sioc_xml_iter *it, sioc_xml_elem *out);

/* Decode a raw content span into `out` as UTF-8 plus a NUL: references replaced, CDATA sections copied verbatim,
   comments and PIs dropped, line ends normalised to LF (XML 1.0 section 2.11). *out_len gets the decoded length
   without the NUL. SIOC_ERR_BUFFER_TOO_SMALL when cap < *out_len + 1 (*out_len still set: the size needed is
   *out_len + 1; out may be NULL with cap 0 to measure), SIOC_ERR_TYPE when the span holds child elements,
   SIOC_ERR_PARSE when it is not well-formed text. */
SIOC_API SIOC_NODISCARD sioc_result sioc_xml_text(sioc_str raw, char *out, size_t cap, size_t *out_len);
/* ---- src/public_end.h ---- */
#ifdef __cplusplus
}
#endif
#endif /* SIO_CLUSTER_H */

#if defined(SIO_CLUSTER_IMPLEMENTATION) && !defined(SIOC__IMPL_DONE)
#define SIOC__IMPL_DONE
/* ---- src/internal.h ---- */
/* ---- internal: private declarations shared by the implementation pieces ----
   Everything here is static (one translation unit in the amalgamation) and named sioc__ / SIOC__. When a src .c
   file is compiled on its own (amalgamate.py --check), this file pulls in the public headers it depends on. */

#include <string.h>

#ifndef SIOC_ASSERT
#include <assert.h>
#define SIOC_ASSERT(x) assert(x)
#endif

#if SIOC_ENABLE_LIBC_MALLOC
#include <stdlib.h>
#endif

#if defined(__GNUC__) || defined(__clang__)
#define SIOC__FN static __attribute__((unused))
#else
#define SIOC__FN static
#endif

#define SIOC__MIN(a, b) ((a) < (b) ? (a) : (b))
#define SIOC__MAX(a, b) ((a) > (b) ? (a) : (b))
#define SIOC__COUNT(a) (sizeof(a) / sizeof((a)[0]))

/* Byte order: the wire formats are big-endian (msgpack, SHA-256) whatever the host is. */
SIOC__FN uint32_t sioc__load_be32(const uint8_t *p) {
    return ((uint32_t)p[0] << 24) | ((uint32_t)p[1] << 16) | ((uint32_t)p[2] << 8) | (uint32_t)p[3];
}
SIOC__FN uint16_t sioc__load_be16(const uint8_t *p) { return (uint16_t)(((unsigned)p[0] << 8) | p[1]); }
SIOC__FN uint64_t sioc__load_be64(const uint8_t *p) {
    return ((uint64_t)sioc__load_be32(p) << 32) | sioc__load_be32(p + 4);
}
SIOC__FN void sioc__store_be32(uint8_t *p, uint32_t v) {
    p[0] = (uint8_t)(v >> 24);
    p[1] = (uint8_t)(v >> 16);
    p[2] = (uint8_t)(v >> 8);
    p[3] = (uint8_t)v;
}
SIOC__FN void sioc__store_be16(uint8_t *p, uint16_t v) {
    p[0] = (uint8_t)(v >> 8);
    p[1] = (uint8_t)v;
}
SIOC__FN void sioc__store_be64(uint8_t *p, uint64_t v) {
    sioc__store_be32(p, (uint32_t)(v >> 32));
    sioc__store_be32(p + 4, (uint32_t)v);
}

/* ASCII helpers that ignore the C locale. */
SIOC__FN int sioc__is_digit(int c) { return c >= '0' && c <= '9'; }
SIOC__FN int sioc__to_lower(int c) { return (c >= 'A' && c <= 'Z') ? c + 32 : c; }
/* Value of a hex digit, or -1. */
SIOC__FN int sioc__hex_val(int c) {
    if (c >= '0' && c <= '9') return c - '0';
    if (c >= 'a' && c <= 'f') return c - 'a' + 10;
    if (c >= 'A' && c <= 'F') return c - 'A' + 10;
    return -1;
}

/* Allocation through the object's hook, falling back to malloc/free when allowed. */
SIOC__FN void *sioc__alloc(const sioc_allocator *a, size_t n) {
    if (a && a->alloc) return a->alloc(n, a->user);
#if SIOC_ENABLE_LIBC_MALLOC
    return malloc(n);
#else
    return NULL;
#endif
}
SIOC__FN void sioc__free(const sioc_allocator *a, void *p, size_t n) {
    if (!p) return;
    if (a && a->free) {
        a->free(p, n, a->user);
        return;
    }
#if SIOC_ENABLE_LIBC_MALLOC
    (void)n;
    free(p);
#endif
}
/* ---- src/base.c ---- */
/* ---- base.c ---- */

SIOC_API const char *sioc_strerror(sioc_result r) {
#if SIOC_ENABLE_ERROR_STRINGS
    switch (r) {
#define SIOC__CASE(name, value, text) \
    case name:                        \
        return text;
        SIOC__RESULTS(SIOC__CASE)
#undef SIOC__CASE
    default:
        break;
    }
    return "unknown result code";
#else
    (void)r;
    return "";
#endif
}

SIOC_API sioc_str sioc_str_c(const char *s) {
    sioc_str v;
    v.ptr = s ? s : "";
    v.len = s ? strlen(s) : 0;
    return v;
}

SIOC_API int sioc_str_eq(sioc_str a, sioc_str b) {
    return a.len == b.len && (a.len == 0 || memcmp(a.ptr, b.ptr, a.len) == 0);
}

SIOC_API void sioc_buf_init(sioc_buf *b, void *mem, size_t cap) {
    b->data = (uint8_t *)mem;
    b->cap = mem ? cap : 0;
    b->len = 0;
    b->err = SIOC_OK;
}

SIOC_API void sioc_buf_put(sioc_buf *b, const void *p, size_t n) {
    if (b->len < b->cap && n > 0) memcpy(b->data + b->len, p, SIOC__MIN(n, b->cap - b->len));
    b->len = (b->len + n < b->len) ? (size_t)-1 : b->len + n; /* saturate: never wrap around */
}

SIOC_API void sioc_buf_putc(sioc_buf *b, char c) {
    if (b->len < b->cap) b->data[b->len] = (uint8_t)c;
    if (b->len != (size_t)-1) b->len++;
}

SIOC_API void sioc_buf_puts(sioc_buf *b, const char *s) { sioc_buf_put(b, s, strlen(s)); }

SIOC_API void sioc_buf_put_u64(sioc_buf *b, uint64_t v) {
    char tmp[20];
    size_t i = sizeof tmp;
    do {
        tmp[--i] = (char)('0' + (int)(v % 10u));
        v /= 10u;
    } while (v != 0);
    sioc_buf_put(b, tmp + i, sizeof tmp - i);
}

SIOC_API void sioc_buf_put_i64(sioc_buf *b, int64_t v) {
    if (v < 0) {
        sioc_buf_putc(b, '-');
        sioc_buf_put_u64(b, (uint64_t)0 - (uint64_t)v); /* well defined for INT64_MIN too */
    } else {
        sioc_buf_put_u64(b, (uint64_t)v);
    }
}

SIOC_API void sioc_buf_fail(sioc_buf *b, sioc_result err) {
    if (b->err == SIOC_OK) b->err = err;
}

SIOC_API sioc_result sioc_buf_result(const sioc_buf *b) {
    if (b->err != SIOC_OK) return b->err;
    return b->len > b->cap ? SIOC_ERR_BUFFER_TOO_SMALL : SIOC_OK;
}

SIOC_API void sioc_bq_init(sioc_bq *q, void *mem, size_t cap) {
    q->buf = (uint8_t *)mem;
    q->cap = mem ? cap : 0;
    q->head = q->tail = 0;
}

SIOC_API size_t sioc_bq_len(const sioc_bq *q) { return q->tail - q->head; }

SIOC_API const uint8_t *sioc_bq_peek(const sioc_bq *q, size_t *out_len) {
    *out_len = q->tail - q->head;
    return q->buf + q->head;
}

SIOC_API void sioc_bq_consume(sioc_bq *q, size_t n) {
    SIOC_ASSERT(n <= q->tail - q->head);
    q->head += n;
    if (q->head == q->tail) q->head = q->tail = 0; /* empty: restart at the front for free */
}

SIOC_API uint8_t *sioc_bq_reserve(sioc_bq *q, size_t *out_room) {
    if (q->head > 0 && q->tail == q->cap) { /* only move bytes when the tail is stuck at the end */
        memmove(q->buf, q->buf + q->head, q->tail - q->head);
        q->tail -= q->head;
        q->head = 0;
    }
    *out_room = q->cap - q->tail;
    return q->buf + q->tail;
}

SIOC_API void sioc_bq_commit(sioc_bq *q, size_t n) {
    SIOC_ASSERT(n <= q->cap - q->tail);
    q->tail += n;
}

SIOC_API sioc_result sioc_bq_write(sioc_bq *q, const void *p, size_t n) {
    size_t room;
    uint8_t *dst;
    if (n > q->cap - (q->tail - q->head)) return SIOC_ERR_BUFFER_TOO_SMALL;
    dst = sioc_bq_reserve(q, &room);
    if (room < n) { /* enough space in total, but split: compact now */
        memmove(q->buf, q->buf + q->head, q->tail - q->head);
        q->tail -= q->head;
        q->head = 0;
        dst = q->buf + q->tail;
    }
    if (n) memcpy(dst, p, n);
    q->tail += n;
    return SIOC_OK;
}
/* ---- src/crypto.c ---- */
/* ---- crypto.c ---- */

/* SHA-256 (FIPS 180-4 section 6.2). Written for clarity; a 64-entry message schedule on the stack. */
static const uint32_t sioc__sha256_k[64] = {
    0x428a2f98u, 0x71374491u, 0xb5c0fbcfu, 0xe9b5dba5u, 0x3956c25bu, 0x59f111f1u, 0x923f82a4u, 0xab1c5ed5u,
    0xd807aa98u, 0x12835b01u, 0x243185beu, 0x550c7dc3u, 0x72be5d74u, 0x80deb1feu, 0x9bdc06a7u, 0xc19bf174u,
    0xe49b69c1u, 0xefbe4786u, 0x0fc19dc6u, 0x240ca1ccu, 0x2de92c6fu, 0x4a7484aau, 0x5cb0a9dcu, 0x76f988dau,
    0x983e5152u, 0xa831c66du, 0xb00327c8u, 0xbf597fc7u, 0xc6e00bf3u, 0xd5a79147u, 0x06ca6351u, 0x14292967u,
    0x27b70a85u, 0x2e1b2138u, 0x4d2c6dfcu, 0x53380d13u, 0x650a7354u, 0x766a0abbu, 0x81c2c92eu, 0x92722c85u,
    0xa2bfe8a1u, 0xa81a664bu, 0xc24b8b70u, 0xc76c51a3u, 0xd192e819u, 0xd6990624u, 0xf40e3585u, 0x106aa070u,
    0x19a4c116u, 0x1e376c08u, 0x2748774cu, 0x34b0bcb5u, 0x391c0cb3u, 0x4ed8aa4au, 0x5b9cca4fu, 0x682e6ff3u,
    0x748f82eeu, 0x78a5636fu, 0x84c87814u, 0x8cc70208u, 0x90befffau, 0xa4506cebu, 0xbef9a3f7u, 0xc67178f2u};

#define SIOC__ROR(x, n) (((x) >> (n)) | ((x) << (32 - (n))))

static void sioc__sha256_block(uint32_t h[8], const uint8_t *p) {
    uint32_t w[64], a, b, c, d, e, f, g, hh, t1, t2;
    int i;
    for (i = 0; i < 16; i++) w[i] = sioc__load_be32(p + 4 * i);
    for (i = 16; i < 64; i++) {
        uint32_t s0 = SIOC__ROR(w[i - 15], 7) ^ SIOC__ROR(w[i - 15], 18) ^ (w[i - 15] >> 3);
        uint32_t s1 = SIOC__ROR(w[i - 2], 17) ^ SIOC__ROR(w[i - 2], 19) ^ (w[i - 2] >> 10);
        w[i] = w[i - 16] + s0 + w[i - 7] + s1;
    }
    a = h[0], b = h[1], c = h[2], d = h[3], e = h[4], f = h[5], g = h[6], hh = h[7];
    for (i = 0; i < 64; i++) {
        t1 = hh + (SIOC__ROR(e, 6) ^ SIOC__ROR(e, 11) ^ SIOC__ROR(e, 25)) + ((e & f) ^ (~e & g)) + sioc__sha256_k[i] + w[i];
        t2 = (SIOC__ROR(a, 2) ^ SIOC__ROR(a, 13) ^ SIOC__ROR(a, 22)) + ((a & b) ^ (a & c) ^ (b & c));
        hh = g, g = f, f = e, e = d + t1, d = c, c = b, b = a, a = t1 + t2;
    }
    h[0] += a, h[1] += b, h[2] += c, h[3] += d, h[4] += e, h[5] += f, h[6] += g, h[7] += hh;
}

SIOC_API void sioc_sha256_init(sioc_sha256_ctx *s) {
    static const uint32_t iv[8] = {0x6a09e667u, 0xbb67ae85u, 0x3c6ef372u, 0xa54ff53au,
                                   0x510e527fu, 0x9b05688cu, 0x1f83d9abu, 0x5be0cd19u};
    memcpy(s->h, iv, sizeof iv);
    s->total = 0;
    s->used = 0;
}

SIOC_API void sioc_sha256_update(sioc_sha256_ctx *s, const void *data, size_t len) {
    const uint8_t *p = (const uint8_t *)data;
    s->total += len;
    if (s->used) { /* top up a partial block first */
        size_t take = SIOC__MIN(len, SIOC_SHA256_BLOCK - s->used);
        memcpy(s->block + s->used, p, take);
        s->used += take, p += take, len -= take;
        if (s->used < SIOC_SHA256_BLOCK) return;
        sioc__sha256_block(s->h, s->block);
        s->used = 0;
    }
    for (; len >= SIOC_SHA256_BLOCK; p += SIOC_SHA256_BLOCK, len -= SIOC_SHA256_BLOCK) sioc__sha256_block(s->h, p);
    if (len) memcpy(s->block, p, len);
    s->used = len;
}

SIOC_API void sioc_sha256_final(sioc_sha256_ctx *s, uint8_t out[SIOC_SHA256_LEN]) {
    uint64_t bits = s->total * 8u;
    int i;
    s->block[s->used++] = 0x80;
    if (s->used > 56) { /* no room for the length: pad this block out and use one more */
        memset(s->block + s->used, 0, SIOC_SHA256_BLOCK - s->used);
        sioc__sha256_block(s->h, s->block);
        s->used = 0;
    }
    memset(s->block + s->used, 0, 56 - s->used);
    sioc__store_be64(s->block + 56, bits);
    sioc__sha256_block(s->h, s->block);
    for (i = 0; i < 8; i++) sioc__store_be32(out + 4 * i, s->h[i]);
    memset(s, 0, sizeof *s); /* the state may derive from a key (HMAC) */
}

SIOC_API void sioc_sha256(const void *data, size_t len, uint8_t out[SIOC_SHA256_LEN]) {
    sioc_sha256_ctx s;
    sioc_sha256_init(&s);
    sioc_sha256_update(&s, data, len);
    sioc_sha256_final(&s, out);
}

/* HMAC (RFC 2104): H((K ^ opad) || H((K ^ ipad) || m)); both pads are absorbed at init so the context can be
   copied to reuse a key (SigV4 derives four keys in a row). */
SIOC_API void sioc_hmac_sha256_init(sioc_hmac_sha256_ctx *h, const void *key, size_t key_len) {
    uint8_t k[SIOC_SHA256_BLOCK], pad[SIOC_SHA256_BLOCK];
    size_t i;
    memset(k, 0, sizeof k);
    if (key_len > SIOC_SHA256_BLOCK)
        sioc_sha256(key, key_len, k);
    else if (key_len)
        memcpy(k, key, key_len);
    for (i = 0; i < SIOC_SHA256_BLOCK; i++) pad[i] = (uint8_t)(k[i] ^ 0x36u);
    sioc_sha256_init(&h->inner);
    sioc_sha256_update(&h->inner, pad, sizeof pad);
    for (i = 0; i < SIOC_SHA256_BLOCK; i++) pad[i] = (uint8_t)(k[i] ^ 0x5cu);
    sioc_sha256_init(&h->outer);
    sioc_sha256_update(&h->outer, pad, sizeof pad);
    memset(k, 0, sizeof k);
    memset(pad, 0, sizeof pad);
}

SIOC_API void sioc_hmac_sha256_update(sioc_hmac_sha256_ctx *h, const void *data, size_t len) {
    sioc_sha256_update(&h->inner, data, len);
}

SIOC_API void sioc_hmac_sha256_final(sioc_hmac_sha256_ctx *h, uint8_t out[SIOC_SHA256_LEN]) {
    uint8_t inner[SIOC_SHA256_LEN];
    sioc_sha256_final(&h->inner, inner);
    sioc_sha256_update(&h->outer, inner, sizeof inner);
    sioc_sha256_final(&h->outer, out);
    memset(inner, 0, sizeof inner);
}

SIOC_API void sioc_hmac_sha256(const void *key, size_t key_len, const void *data, size_t len,
                               uint8_t out[SIOC_SHA256_LEN]) {
    sioc_hmac_sha256_ctx h;
    sioc_hmac_sha256_init(&h, key, key_len);
    sioc_hmac_sha256_update(&h, data, len);
    sioc_hmac_sha256_final(&h, out);
}

SIOC_API int sioc_ct_equal(const void *a, const void *b, size_t n) {
    const volatile uint8_t *x = (const volatile uint8_t *)a, *y = (const volatile uint8_t *)b;
    uint8_t diff = 0;
    size_t i;
    for (i = 0; i < n; i++) diff = (uint8_t)(diff | (x[i] ^ y[i]));
    return diff == 0;
}

static const char sioc__hex_lower[] = "0123456789abcdef";

SIOC_API sioc_result sioc_hex_encode(const void *data, size_t n, char *out, size_t cap) {
    const uint8_t *p = (const uint8_t *)data;
    size_t i;
    if (n > (SIZE_MAX - 1) / 2 || cap < 2 * n + 1) return SIOC_ERR_BUFFER_TOO_SMALL;
    for (i = 0; i < n; i++) {
        out[2 * i] = sioc__hex_lower[p[i] >> 4];
        out[2 * i + 1] = sioc__hex_lower[p[i] & 15];
    }
    out[2 * n] = 0;
    return SIOC_OK;
}

SIOC_API sioc_result sioc_hex_decode(const char *hex, size_t len, uint8_t *out, size_t cap, size_t *out_len) {
    size_t i;
    if (out_len) *out_len = len / 2;
    if (len % 2) return SIOC_ERR_PARSE;
    if (cap < len / 2) return SIOC_ERR_BUFFER_TOO_SMALL;
    for (i = 0; i < len; i += 2) {
        int hi = sioc__hex_val((unsigned char)hex[i]), lo = sioc__hex_val((unsigned char)hex[i + 1]);
        if (hi < 0 || lo < 0) return SIOC_ERR_PARSE;
        out[i / 2] = (uint8_t)(hi << 4 | lo);
    }
    return SIOC_OK;
}

static const char sioc__b64[] = "ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789+/";

SIOC_API sioc_result sioc_base64_encode(const void *data, size_t n, char *out, size_t cap, size_t *out_len) {
    const uint8_t *p = (const uint8_t *)data;
    size_t need, i, o = 0;
    if (n > (SIZE_MAX / 4) * 3 - 3) return SIOC_ERR_RANGE;
    need = SIOC_BASE64_ENCODED_LEN(n);
    if (out_len) *out_len = need;
    if (cap < need + 1) return SIOC_ERR_BUFFER_TOO_SMALL;
    for (i = 0; i + 2 < n; i += 3) {
        uint32_t v = (uint32_t)p[i] << 16 | (uint32_t)p[i + 1] << 8 | p[i + 2];
        out[o++] = sioc__b64[v >> 18];
        out[o++] = sioc__b64[(v >> 12) & 63];
        out[o++] = sioc__b64[(v >> 6) & 63];
        out[o++] = sioc__b64[v & 63];
    }
    if (i < n) { /* 1 or 2 bytes left: pad to a full quantum */
        uint32_t v = (uint32_t)p[i] << 16 | (i + 1 < n ? (uint32_t)p[i + 1] << 8 : 0u);
        out[o++] = sioc__b64[v >> 18];
        out[o++] = sioc__b64[(v >> 12) & 63];
        out[o++] = i + 1 < n ? sioc__b64[(v >> 6) & 63] : '=';
        out[o++] = '=';
    }
    out[o] = 0;
    return SIOC_OK;
}

static int sioc__b64_val(int c) {
    if (c >= 'A' && c <= 'Z') return c - 'A';
    if (c >= 'a' && c <= 'z') return c - 'a' + 26;
    if (c >= '0' && c <= '9') return c - '0' + 52;
    if (c == '+') return 62;
    if (c == '/') return 63;
    return -1;
}

SIOC_API sioc_result sioc_base64_decode(const char *text, size_t len, uint8_t *out, size_t cap, size_t *out_len) {
    size_t i, o = 0, pad = 0, need;
    if (out_len) *out_len = 0;
    if (len % 4) return SIOC_ERR_PARSE;
    if (len) pad = (text[len - 1] == '=') + (text[len - 1] == '=' && text[len - 2] == '=');
    need = len / 4 * 3 - pad;
    if (out_len) *out_len = need;
    if (cap < need) return SIOC_ERR_BUFFER_TOO_SMALL;
    for (i = 0; i < len; i += 4) {
        int v[4], k, last = (i + 4 == len);
        uint32_t bits;
        for (k = 0; k < 4; k++) {
            v[k] = sioc__b64_val((unsigned char)text[i + k]);
            /* '=' is allowed only as the last one or two characters of the text */
            if (v[k] < 0 && !(last && text[i + k] == '=' && k >= 4 - (int)pad)) return SIOC_ERR_PARSE;
        }
        bits = (uint32_t)v[0] << 18 | (uint32_t)v[1] << 12;
        if (last && pad == 2) {
            if (v[1] & 15) return SIOC_ERR_PARSE; /* non-canonical: unused bits must be zero */
            out[o++] = (uint8_t)(bits >> 16);
        } else if (last && pad == 1) {
            if (v[2] & 3) return SIOC_ERR_PARSE;
            bits |= (uint32_t)v[2] << 6;
            out[o++] = (uint8_t)(bits >> 16);
            out[o++] = (uint8_t)(bits >> 8);
        } else {
            bits |= (uint32_t)v[2] << 6 | (uint32_t)v[3];
            out[o++] = (uint8_t)(bits >> 16);
            out[o++] = (uint8_t)(bits >> 8);
            out[o++] = (uint8_t)bits;
        }
    }
    return SIOC_OK;
}

/* Characters left alone: RFC 3986 unreserved (AWS), plus ! ' ( ) * for encodeURIComponent, plus '/' for paths. */
static int sioc__pct_keep(unsigned char c, sioc_pct_mode mode) {
    if ((c >= 'A' && c <= 'Z') || (c >= 'a' && c <= 'z') || (c >= '0' && c <= '9')) return 1;
    if (c == '-' || c == '.' || c == '_' || c == '~') return 1;
    if (mode == SIOC_PCT_URI_COMPONENT) return c == '!' || c == '\'' || c == '(' || c == ')' || c == '*';
    if (mode == SIOC_PCT_PATH) return c == '/';
    return 0;
}

SIOC_API void sioc_pct_encode(sioc_buf *out, const char *s, size_t len, sioc_pct_mode mode) {
    static const char upper[] = "0123456789ABCDEF";
    size_t i, run = 0;
    for (i = 0; i < len; i++) {
        unsigned char c = (unsigned char)s[i];
        char esc[3];
        if (sioc__pct_keep(c, mode)) continue;
        sioc_buf_put(out, s + run, i - run); /* copy the unescaped run in one call */
        esc[0] = '%', esc[1] = upper[c >> 4], esc[2] = upper[c & 15];
        sioc_buf_put(out, esc, 3);
        run = i + 1;
    }
    sioc_buf_put(out, s + run, len - run);
}

SIOC_API sioc_result sioc_pct_decode(const char *s, size_t len, int plus_is_space, sioc_buf *out) {
    size_t i;
    for (i = 0; i < len; i++) {
        char c = s[i];
        if (c == '%') {
            int hi, lo;
            if (len - i < 3) return SIOC_ERR_PARSE;
            hi = sioc__hex_val((unsigned char)s[i + 1]);
            lo = sioc__hex_val((unsigned char)s[i + 2]);
            if (hi < 0 || lo < 0) return SIOC_ERR_PARSE;
            sioc_buf_putc(out, (char)(hi << 4 | lo));
            i += 2;
        } else {
            sioc_buf_putc(out, plus_is_space && c == '+' ? ' ' : c);
        }
    }
    return sioc_buf_result(out);
}
/* ---- src/json.c ---- */
/* ---- json.c ---- */
/* ---- src/msgpack.c ---- */
/* ---- msgpack.c ---- */
/* ---- src/xml.c ---- */
/* ---- xml.c ---- */
#endif /* SIO_CLUSTER_IMPLEMENTATION */

/* ---- src/epilogue.h ---- */
/*
------------------------------------------------------------------------------
This software is available under 2 licences -- choose whichever you prefer.
------------------------------------------------------------------------------
ALTERNATIVE A - MIT License
Copyright (c) 2026 the sio_cluster.h authors
Permission is hereby granted, free of charge, to any person obtaining a copy of
this software and associated documentation files (the "Software"), to deal in
the Software without restriction, including without limitation the rights to
use, copy, modify, merge, publish, distribute, sublicense, and/or sell copies
of the Software, and to permit persons to whom the Software is furnished to do
so, subject to the following conditions:
The above copyright notice and this permission notice shall be included in all
copies or substantial portions of the Software.
THE SOFTWARE IS PROVIDED "AS IS", WITHOUT WARRANTY OF ANY KIND, EXPRESS OR
IMPLIED, INCLUDING BUT NOT LIMITED TO THE WARRANTIES OF MERCHANTABILITY,
FITNESS FOR A PARTICULAR PURPOSE AND NONINFRINGEMENT. IN NO EVENT SHALL THE
AUTHORS OR COPYRIGHT HOLDERS BE LIABLE FOR ANY CLAIM, DAMAGES OR OTHER
LIABILITY, WHETHER IN AN ACTION OF CONTRACT, TORT OR OTHERWISE, ARISING FROM,
OUT OF OR IN CONNECTION WITH THE SOFTWARE OR THE USE OR OTHER DEALINGS IN THE
SOFTWARE.
------------------------------------------------------------------------------
ALTERNATIVE B - Public Domain (www.unlicense.org)
This is free and unencumbered software released into the public domain.
Anyone is free to copy, modify, publish, use, compile, sell, or distribute this
software, either in source code form or as a compiled binary, for any purpose,
commercial or non-commercial, and by any means.
In jurisdictions that recognize copyright laws, the author or authors of this
software dedicate any and all copyright interest in the software to the public
domain. We make this dedication for the benefit of the public at large and to
the detriment of our heirs and successors. We intend this dedication to be an
overt act of relinquishment in perpetuity of all present and future rights to
this software under copyright law.
THE SOFTWARE IS PROVIDED "AS IS", WITHOUT WARRANTY OF ANY KIND, EXPRESS OR
IMPLIED, INCLUDING BUT NOT LIMITED TO THE WARRANTIES OF MERCHANTABILITY,
FITNESS FOR A PARTICULAR PURPOSE AND NONINFRINGEMENT. IN NO EVENT SHALL THE
AUTHORS BE LIABLE FOR ANY CLAIM, DAMAGES OR OTHER LIABILITY, WHETHER IN AN
ACTION OF CONTRACT, TORT OR OTHERWISE, ARISING FROM, OUT OF OR IN CONNECTION
WITH THE SOFTWARE OR THE USE OR OTHER DEALINGS IN THE SOFTWARE.
------------------------------------------------------------------------------
*/
