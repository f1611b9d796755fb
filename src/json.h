/* ---- json: in-place reader over a caller buffer, and a writer into a sioc_buf ----
   The reader tokenizes the whole text in one pass into a caller-supplied token array (like jsmn), without
   recursion and with nesting bounded by SIOC_MAX_JSON_DEPTH. Tokens point into the caller's text, which must stay
   alive while the document is used. Token 0 is the root; a container's children follow it in order, and
   `next` jumps over a whole subtree, so walking is O(1) per step. Object members are stored as key token
   (a string) followed by its value token.

   Strictness (RFC 8259, checked against JSONTestSuite): one value with optional surrounding whitespace
   (space, tab, LF, CR); no BOM, comments, trailing commas or trailing garbage; numbers exactly per the grammar;
   strings must be valid UTF-8 (no overlongs, no UTF-8-encoded surrogates, nothing above U+10FFFF) without raw
   control characters. Choices where RFC 8259 leaves room (the JSONTestSuite i_ cases):
     - \u escapes of lone or mis-ordered surrogates are accepted, like JSON.parse; sioc_json_get_str turns
       each lone one into its 3-byte WTF-8 form (ED A0 80 for \ud800), which the writer turns back into \ud800;
     - numbers of any size or precision are accepted; the getters report overflow (SIOC_ERR_RANGE);
     - a UTF-8 BOM, UTF-16 text and invalid UTF-8 are rejected (SIOC_ERR_PARSE);
     - nesting deeper than SIOC_MAX_JSON_DEPTH (default 64) is rejected (SIOC_ERR_LIMIT);
     - duplicate keys are kept; sioc_json_find returns the last one (as JSON.parse keeps the last). */
#pragma once
#include "base.h"

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
    uint32_t len;    /* length in bytes (for strings: without quotes, escapes not decoded; containers: through
                        the closing bracket) */
    uint32_t next;   /* index of the token after this one's subtree */
    uint32_t parent; /* index of the enclosing array or object (for keys and values alike), 0xFFFFFFFF for the root */
    uint32_t count;  /* arrays: elements; objects: members (key+value pairs); others 0 */
    uint8_t type;    /* sioc_json_type */
    uint8_t escaped; /* strings: 1 when the raw text holds backslash escapes */
    uint8_t is_key;  /* 1 for an object member's key */
} sioc_json_tok;

typedef struct sioc_json {
    const char *text;
    size_t text_len;
    sioc_json_tok *toks;
    size_t cap;
    size_t count;       /* tokens used; after SIOC_ERR_BUFFER_TOO_SMALL: tokens the text needs */
    size_t error_at;    /* byte offset of the first error, when parse failed */
} sioc_json;

/* Parse `len` bytes of JSON text (RFC 8259: one value, surrounding whitespace allowed). Returns SIOC_OK,
   SIOC_ERR_PARSE (syntax, bad escape, invalid UTF-8, ...; doc->error_at says where), SIOC_ERR_LIMIT (deeper than
   SIOC_MAX_JSON_DEPTH or text over 4 GiB), or SIOC_ERR_BUFFER_TOO_SMALL (more tokens needed than `cap`; the text
   is still validated to the end and doc->count is the number needed, so cap 0 / toks NULL measures a text). */
SIOC_API SIOC_NODISCARD sioc_result sioc_json_parse(sioc_json *doc, const char *text, size_t len,
                                                     sioc_json_tok *toks, size_t cap);

/* Navigation. Token indexes are ints; -1 means "none" and every function accepts -1 (or any index out of range)
   and propagates -1. Only use a doc whose parse returned SIOC_OK. */
SIOC_API sioc_json_type sioc_json_type_of(const sioc_json *doc, int tok);
SIOC_API int sioc_json_first(const sioc_json *doc, int tok);        /* first element / first key, or -1 */
/* Next sibling, or -1: for an array element the next element; for an object key (or member value) the next key. */
SIOC_API int sioc_json_next(const sioc_json *doc, int tok);
SIOC_API int sioc_json_find(const sioc_json *doc, int obj, const char *key); /* member value by key, or -1 */
SIOC_API int sioc_json_find_n(const sioc_json *doc, int obj, const char *key, size_t key_len);
SIOC_API int sioc_json_at(const sioc_json *doc, int arr, size_t idx); /* array element, or -1 */
/* Path lookup from `tok`: keys separated by '.', array indexes as "[n]": "a.b[2].c", "[0].id"; "" is tok
   itself. Keys are compared after unescaping. Keys with '.' or '[' need sioc_json_find. */
SIOC_API int sioc_json_path(const sioc_json *doc, int tok, const char *path);
SIOC_API size_t sioc_json_count(const sioc_json *doc, int tok); /* elements or members; 0 for others */

/* Typed getters. SIOC_ERR_TYPE when the token has another type, SIOC_ERR_NOT_FOUND for -1. */
/* String value unescaped into `out` (UTF-8, NUL-terminated when it fits); *out_len gets the length without NUL.
   SIOC_ERR_BUFFER_TOO_SMALL with *out_len = bytes needed (without NUL) when cap is not enough (then `out` holds
   the first cap bytes, not terminated). Lone surrogate escapes come out as WTF-8 (see above). */
SIOC_API SIOC_NODISCARD sioc_result sioc_json_get_str(const sioc_json *doc, int tok, char *out, size_t cap,
                                                       size_t *out_len);
/* Raw view of a token's text (strings: without quotes and still escaped; containers: with brackets). */
SIOC_API sioc_str sioc_json_raw(const sioc_json *doc, int tok);
/* 1 when tok is a string whose unescaped value equals the `len` bytes at s, else 0. */
SIOC_API int sioc_json_str_eq(const sioc_json *doc, int tok, const char *s, size_t len);
/* Integer in int64 range without fraction or exponent (1e3 and 1.0 are SIOC_ERR_TYPE); SIOC_ERR_RANGE on
   overflow. */
SIOC_API SIOC_NODISCARD sioc_result sioc_json_get_i64(const sioc_json *doc, int tok, int64_t *out);
/* Any number, correctly rounded to the nearest double (ties to even; no strtod, locale-free). Beyond the double
   range: *out = +-infinity and SIOC_ERR_RANGE; tiny values round to (signed) zero with SIOC_OK. */
SIOC_API SIOC_NODISCARD sioc_result sioc_json_get_f64(const sioc_json *doc, int tok, double *out);
SIOC_API SIOC_NODISCARD sioc_result sioc_json_get_bool(const sioc_json *doc, int tok, int *out);
SIOC_API int sioc_json_is_null(const sioc_json *doc, int tok); /* 1 for a null token, else 0 */

/* Writer: appends to a sioc_buf (sticky errors; check sioc_buf_result at the end). Commas between elements
   and members are inserted automatically; nesting is tracked up to SIOC_JSON_WRITE_DEPTH levels (deeper records
   SIOC_ERR_LIMIT, an end without a begin SIOC_ERR_STATE). A key must be followed by exactly one value. */
/* The writer nests deeper than the reader: a frame is the JSON of a msgpack value (up to SIOC_MAX_MSGPACK_DEPTH, and
   what a received message may carry) with objects around its binaries (SIOC_ENVELOPE_DEPTH). */
#define SIOC_JSON_WRITE_DEPTH                                                                                       \
    ((SIOC_MAX_JSON_DEPTH > SIOC_MAX_MSGPACK_DEPTH ? SIOC_MAX_JSON_DEPTH : SIOC_MAX_MSGPACK_DEPTH) + SIOC_ENVELOPE_DEPTH)
typedef struct sioc_json_writer {
    sioc_buf *out;
    uint32_t depth;
    uint8_t need_comma[SIOC_JSON_WRITE_DEPTH + 1];
    uint8_t after_key;
} sioc_json_writer;

/* Start one JSON value into `out` (the buffer may already hold a prefix such as a socket.io packet header).
   A second top-level value records SIOC_ERR_STATE. */
SIOC_API void sioc_json_writer_init(sioc_json_writer *w, sioc_buf *out);
/* Containers: begin/end pairs; inside an object, each member is write_key then one value. */
SIOC_API void sioc_json_write_object_begin(sioc_json_writer *w);
SIOC_API void sioc_json_write_object_end(sioc_json_writer *w);
SIOC_API void sioc_json_write_array_begin(sioc_json_writer *w);
SIOC_API void sioc_json_write_array_end(sioc_json_writer *w);
SIOC_API void sioc_json_write_key(sioc_json_writer *w, const char *key, size_t len);
/* Strings are UTF-8; escaping follows JavaScript's JSON.stringify exactly (", \, \b \t \n \f \r, other controls
   as \u00xx lower-case; '/', U+007F, U+2028/2029 and non-ASCII unescaped; WTF-8 lone surrogates as \udxxx, a
   WTF-8 high+low pair as the one 4-byte character). Bytes that are not UTF-8 become U+FFFD, one per maximal
   ill-formed subsequence (as TextDecoder does). */
SIOC_API void sioc_json_write_str(sioc_json_writer *w, const char *s, size_t len);
SIOC_API void sioc_json_write_i64(sioc_json_writer *w, int64_t v);
SIOC_API void sioc_json_write_u64(sioc_json_writer *w, uint64_t v);
/* Doubles as JavaScript prints them (shortest round-trip form; NaN and infinities as null, -0 as 0). */
SIOC_API void sioc_json_write_f64(sioc_json_writer *w, double v);
SIOC_API void sioc_json_write_bool(sioc_json_writer *w, int v);
SIOC_API void sioc_json_write_null(sioc_json_writer *w);
/* Pre-encoded JSON text inserted as one value (trusted: not validated). */
SIOC_API void sioc_json_write_raw(sioc_json_writer *w, const char *json, size_t len);

/* Number formatting on its own: v as JavaScript's String(v) into out, NUL-terminated; out needs
   SIOC_JSON_F64_MAX bytes (the longest output, "-0.0000012345678901234567", takes 26). Returns the length.
   NaN and infinities give "NaN", "Infinity", "-Infinity" as JS does (the writer turns them into null). */
#define SIOC_JSON_F64_MAX 32
SIOC_API size_t sioc_json_format_f64(double v, char *out);
