/* ---- mpjson: one msgpack value as JSON text and one JSON value as msgpack ----
   The two conversions a Socket.IO node makes between its cluster (msgpack) and its clients (JSON); sio_parser.h
   builds its frames and reads client acks with them, and programs (siocat) use them for their own JSON. Both walk
   iteratively (no recursion), allocate nothing and bound the nesting. Binary values have no JSON form of their
   own: a callback writes them, and another may recognise them in JSON.

   msgpack -> JSON, as a Node node prints what @msgpack/msgpack decoded (JSON.stringify): nil -> null; integers
   as JS numbers (beyond +-2^53 the double JS reads: 2^64-1 -> 18446744073709552000) unless
   SIOC_MPJSON_EXACT_INTEGERS keeps every digit; float32/64 as JS prints them (NaN, infinities -> null); str
   escaped as JSON.stringify does; timestamps (ext -1) as Date.toJSON text "1970-01-01T00:00:00.000Z" (null
   outside the JS Date range); integer map keys as their decimal text; bin and every other ext through
   write_bin (SIOC_ERR_TYPE without one). Errors: SIOC_ERR_PARSE (not exactly one well-formed value), SIOC_ERR_TYPE
   (a map key that is not str/integer), SIOC_ERR_LIMIT (deeper than SIOC_MAX_MSGPACK_DEPTH + SIOC_ENVELOPE_DEPTH),
   write_bin's error, else the output buffer's (SIOC_ERR_BUFFER_TOO_SMALL: out->len is the size needed).

   JSON -> msgpack, as JSON.parse then @msgpack/msgpack encode it: numbers as JS numbers (integral within
   +-(2^53-1) as integers, others float64; SIOC_MPJSON_EXACT_INTEGERS keeps any integer literal that fits int64 or
   uint64 exact); strings unescaped (a lone surrogate escape as WTF-8 in strings up to 200 UTF-16 units, U+FFFD
   beyond, as Node's encoder does); objects in text order without their "__proto__" members (Node's decoder throws
   on them, docs/PROTOCOL.md Q14), each first offered to read_bin. Errors: SIOC_ERR_ARG (tok is not a value of doc),
   read_bin's error; the writer's errors stay in the writer (sioc_msgpack_writer_finish).

   SIOC_ENABLE_FLOAT 0 (no double arithmetic): msgpack -> JSON returns SIOC_ERR_UNSUPPORTED for float32/64,
   timestamps and, without SIOC_MPJSON_EXACT_INTEGERS, integers (values or keys) beyond +-2^53; JSON -> msgpack
   leaves SIOC_ERR_UNSUPPORTED in the writer for a number that is not an integer literal within +-(2^53-1). */
#pragma once
#include "base.h"
#include "json.h"
#include "msgpack.h"

#define SIOC_MPJSON_EXACT_INTEGERS 1u /* both ways: 64-bit integers keep every digit (not JS semantics) */

/* Options; NULL means none (no flags, no binary conversion). */
typedef struct sioc_mpjson_opts {
    unsigned flags;
    /* msgpack -> JSON: write exactly one JSON value for `it` (type SIOC_MSGPACK_BIN or SIOC_MSGPACK_EXT). */
    sioc_result (*write_bin)(void *user, sioc_json_writer *jw, const sioc_msgpack_item *it);
    /* JSON -> msgpack: for object token `tok`, 1 after writing the one value that replaces it, 0 to convert it
       as an object, or a negative sioc_result to stop. */
    int (*read_bin)(void *user, const sioc_json *doc, int tok, sioc_msgpack_writer *w);
    void *user;
} sioc_mpjson_opts;

/* One msgpack value (exactly `value`, no trailing bytes) appended to jw as one JSON value. */
SIOC_API SIOC_NODISCARD sioc_result sioc_msgpack_to_json(sioc_json_writer *jw, sioc_bytes value,
                                                         const sioc_mpjson_opts *opts);
/* JSON value `tok` of a parsed doc (a value, not a key) written to w as one msgpack value. */
SIOC_API SIOC_NODISCARD sioc_result sioc_json_to_msgpack(const sioc_json *doc, int tok, sioc_msgpack_writer *w,
                                                         const sioc_mpjson_opts *opts);

/* A ready-made binary convention (the test vectors' and siocat's): bin <-> {"$bin":"<hex>"}, ext <->
   {"$ext":<type>,"$bin":"<hex>"}. The reader takes exactly those objects (hex of either case) and leaves any
   other object alone; a "$bin" that is not even-length hex is SIOC_ERR_PARSE. */
SIOC_API sioc_result sioc_mpjson_write_bin_hex(void *user, sioc_json_writer *jw, const sioc_msgpack_item *it);
SIOC_API int sioc_mpjson_read_bin_hex(void *user, const sioc_json *doc, int tok, sioc_msgpack_writer *w);

