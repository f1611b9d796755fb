/* ---- msgpack: writer into a sioc_buf, pull reader and validator over a complete buffer ----
   Byte-exact with @msgpack/msgpack 2.8.0 default options (docs/PROTOCOL.md §9): the writer always picks the smallest
   form, integral doubles within +-(2^53-1) become integers, other numbers float64 (never float32), strings and
   binaries get the smallest str/bin header, JS Dates the smallest timestamp. Nothing here allocates or recurses.

   Writer. sioc_msgpack_writer appends to a caller's sioc_buf with a sticky error: write straight down, then call
   sioc_msgpack_writer_finish() once. Containers come in two kinds:
     - known count: sioc_msgpack_write_array(w, n) / write_map(w, n), then exactly n values (2n for a map);
     - open count:  sioc_msgpack_begin_array(w) ... sioc_msgpack_end_array(w) (likewise map). begin writes a
       1-byte header; end sets it, or for more than 15 items widens it to 3 or 5 bytes by moving the body up
       (a memmove, so prefer known counts for big collections). A buffer of the final size is always enough.
   The writer tracks nesting (up to SIOC_MSGPACK_WRITE_DEPTH levels, else SIOC_ERR_LIMIT: room for the library's
   envelopes around a value of the full SIOC_MAX_MSGPACK_DEPTH): a known-count container
   closes by itself after its n-th value (later values belong to the enclosing one); an end with an unfinished
   inner container, an odd number of map items or nothing open, and a finish with anything open, give
   SIOC_ERR_STATE. In map key position
   the key "__proto__" is refused with SIOC_ERR_ARG, since it makes Node's decoder throw (docs/PROTOCOL.md Q14).
   Keys should be strings (§9.1); the writer does not reorder them (JS order is the caller's job).

     sioc_buf b; sioc_msgpack_writer w;
     sioc_buf_init(&b, mem, sizeof mem);
     sioc_msgpack_writer_init(&w, &b);
     sioc_msgpack_write_map(&w, 2);
     sioc_msgpack_write_cstr(&w, "requestId"); sioc_msgpack_write_cstr(&w, id);
     sioc_msgpack_write_cstr(&w, "clientCount"); sioc_msgpack_write_uint(&w, n);
     if (sioc_msgpack_writer_finish(&w) != SIOC_OK) ...   (b.len bytes of mem hold the value)

   Reader. sioc_msgpack_reader is a cursor over a complete buffer (kept alive by the caller). sioc_msgpack_read()
   returns the next item: a scalar, a str/bin/ext (a view into the buffer), or only the header of an array/map (the
   cursor then sits on its first element; the caller walks count elements, or 2*count for a map). Malformed input
   (truncation, 0xc1, a count larger than the bytes left, a bad timestamp) records a sticky error in the reader.
   sioc_msgpack_check() validates a whole message first (one value, no trailing bytes, UTF-8, keys, depth); after
   it passed, the reader cannot fail on structure.

   Absent versus nil (§8): sioc_msgpack_map_find() returns SIOC_ERR_NOT_FOUND for an absent key and SIOC_OK with the
   cursor on a nil item for a present nil. */
#pragma once
#include "base.h"

typedef enum sioc_msgpack_type {
    SIOC_MSGPACK_NONE = 0, /* nothing read (error) */
    SIOC_MSGPACK_NIL,
    SIOC_MSGPACK_BOOL,
    SIOC_MSGPACK_UINT,      /* any integer >= 0, whatever its wire form (value in .u) */
    SIOC_MSGPACK_INT,       /* any integer < 0 (value in .i) */
    SIOC_MSGPACK_FLOAT32,   /* value in .f (widened exactly) */
    SIOC_MSGPACK_FLOAT64,   /* value in .f */
    SIOC_MSGPACK_STR,       /* .data/.len: bytes, not NUL-terminated, not validated by read (see check) */
    SIOC_MSGPACK_BIN,       /* .data/.len */
    SIOC_MSGPACK_ARRAY,     /* .len: element count; the elements follow */
    SIOC_MSGPACK_MAP,       /* .len: pair count; key, value, key, value... follow */
    SIOC_MSGPACK_EXT,       /* .ext_type, .data/.len: an extension other than the timestamp */
    SIOC_MSGPACK_TIMESTAMP  /* extension -1: .ts_sec, .ts_nsec (also .data/.len, .ext_type = -1) */
} sioc_msgpack_type;

/* One item as read. Only the fields named for its type are meaningful. */
typedef struct sioc_msgpack_item {
    sioc_msgpack_type type;
    uint8_t format;         /* the first byte of the item on the wire (0xcc, 0xa5, ...) */
    int8_t ext_type;        /* EXT, TIMESTAMP */
    int boolean;            /* BOOL: 0 or 1 */
    uint32_t len;           /* STR, BIN, EXT, TIMESTAMP: data bytes; ARRAY: elements; MAP: pairs */
    const uint8_t *data;    /* STR, BIN, EXT, TIMESTAMP: points into the reader's buffer */
    uint64_t u;             /* UINT */
    int64_t i;              /* INT */
    double f;               /* FLOAT32, FLOAT64 */
    int64_t ts_sec;         /* TIMESTAMP: seconds since 1970 (may be negative) */
    uint32_t ts_nsec;       /* TIMESTAMP: 0..999999999 */
} sioc_msgpack_item;

/* ---- writer ---- */

/* How deep the writer, sioc_msgpack_skip / read_raw and sioc_msgpack_check_depth may go: a whole message. */
#define SIOC_MSGPACK_WRITE_DEPTH (SIOC_MAX_MSGPACK_DEPTH + SIOC_ENVELOPE_DEPTH)

typedef struct sioc_msgpack_frame_ {
    size_t start;  /* open containers: offset of the 1-byte header slot */
    uint64_t n;    /* known count: items still expected; open: items written so far */
    uint8_t kind;  /* private: array/map x known/open */
} sioc_msgpack_frame_;

typedef struct sioc_msgpack_writer {
    sioc_buf *out;
    uint32_t depth; /* containers currently open (known-count ones with items left, and begin/end ones) */
    sioc_msgpack_frame_ p_frames[SIOC_MSGPACK_WRITE_DEPTH];
} sioc_msgpack_writer;

/* Start writing into `out` (its memory and sticky error belong to the caller; appends after out->len). */
SIOC_API void sioc_msgpack_writer_init(sioc_msgpack_writer *w, sioc_buf *out);
/* SIOC_OK when every container is complete and the bytes fit; SIOC_ERR_STATE when a container is unfinished;
   otherwise sioc_buf_result(out) (SIOC_ERR_BUFFER_TOO_SMALL with out->len = bytes needed). */
SIOC_API SIOC_NODISCARD sioc_result sioc_msgpack_writer_finish(const sioc_msgpack_writer *w);

SIOC_API void sioc_msgpack_write_nil(sioc_msgpack_writer *w);  /* c0: JS null and undefined */
SIOC_API void sioc_msgpack_write_bool(sioc_msgpack_writer *w, int v);
/* Smallest form: >= 0 always unsigned (00-7f, cc, cd, ce, cf); < 0 as e0-ff, d0, d1, d2, d3. Exact for all 64 bits
   (Node reads beyond 2^53 with precision loss). */
SIOC_API void sioc_msgpack_write_int(sioc_msgpack_writer *w, int64_t v);
SIOC_API void sioc_msgpack_write_uint(sioc_msgpack_writer *w, uint64_t v);
/* A JS number: integral and within +-(2^53-1) -> written as an integer (-0 -> 00); anything else (fraction, NaN,
   infinities, 2^53 and beyond) -> float64 cb; every NaN as JS's 7ff8000000000000. */
SIOC_API void sioc_msgpack_write_double(sioc_msgpack_writer *w, double v);
/* UTF-8 text (not validated: received strings may pass through unchanged); header a0-bf, d9, da, db.
   SIOC_ERR_LIMIT beyond 4 GiB - 1. */
SIOC_API void sioc_msgpack_write_str(sioc_msgpack_writer *w, const char *s, size_t len);
SIOC_API void sioc_msgpack_write_cstr(sioc_msgpack_writer *w, const char *s); /* NUL-terminated */
SIOC_API void sioc_msgpack_write_bin(sioc_msgpack_writer *w, const void *p, size_t len); /* c4, c5, c6 */
/* Known-count headers: exactly n values (map: n keys and n values) must follow. */
SIOC_API void sioc_msgpack_write_array(sioc_msgpack_writer *w, uint32_t n);
SIOC_API void sioc_msgpack_write_map(sioc_msgpack_writer *w, uint32_t n);
/* Open-count containers: any number of values between begin and end; end writes the smallest header. */
SIOC_API void sioc_msgpack_begin_array(sioc_msgpack_writer *w);
SIOC_API void sioc_msgpack_end_array(sioc_msgpack_writer *w);
SIOC_API void sioc_msgpack_begin_map(sioc_msgpack_writer *w);
SIOC_API void sioc_msgpack_end_map(sioc_msgpack_writer *w);
/* Extension (fixext d4-d8 when len is 1/2/4/8/16, else c7, c8, c9). */
SIOC_API void sioc_msgpack_write_ext(sioc_msgpack_writer *w, int8_t type, const void *data, size_t len);
/* Timestamp extension -1 in the smallest of the 32/64/96-bit forms; SIOC_ERR_ARG when nsec > 999999999. */
SIOC_API void sioc_msgpack_write_timestamp(sioc_msgpack_writer *w, int64_t sec, uint32_t nsec);
/* A JS Date given as milliseconds since 1970 (what Node writes for `new Date(ms)`). */
SIOC_API void sioc_msgpack_write_date_ms(sioc_msgpack_writer *w, int64_t ms);
/* One complete, already encoded value (for example a span from sioc_msgpack_read_raw), copied as is. Trusted:
   not validated, counted as exactly one value. */
SIOC_API void sioc_msgpack_write_raw(sioc_msgpack_writer *w, const void *p, size_t len);

/* ---- reader ---- */

typedef struct sioc_msgpack_reader {
    const uint8_t *data;
    size_t len;
    size_t pos;          /* offset of the next item */
    sioc_result err;     /* first malformed-input error (sticky): SIOC_ERR_PARSE or SIOC_ERR_LIMIT */
    size_t error_at;     /* offset where it was found */
} sioc_msgpack_reader;

/* Cursor over `len` bytes at `data` (the caller keeps them alive while items are used). */
SIOC_API void sioc_msgpack_reader_init(sioc_msgpack_reader *r, const void *data, size_t len);
/* Read the next item and advance past it (for array/map: past the header only). SIOC_OK, or SIOC_ERR_PARSE
   (truncated, 0xc1, count larger than the bytes left, timestamp of a bad size or nsec > 999999999), sticky. */
SIOC_API SIOC_NODISCARD sioc_result sioc_msgpack_read(sioc_msgpack_reader *r, sioc_msgpack_item *out);
/* Like read without moving the cursor nor recording an error. */
SIOC_API SIOC_NODISCARD sioc_result sioc_msgpack_peek(const sioc_msgpack_reader *r, sioc_msgpack_item *out);
/* Skip one whole value (containers with all their content), iteratively. SIOC_ERR_LIMIT deeper than
   SIOC_MSGPACK_WRITE_DEPTH nested containers (a whole message); SIOC_ERR_PARSE as read. Does not validate UTF-8 or keys. */
SIOC_API SIOC_NODISCARD sioc_result sioc_msgpack_skip(sioc_msgpack_reader *r);
/* Skip one whole value and return its encoded bytes (a view into the buffer, e.g. for write_raw). */
SIOC_API SIOC_NODISCARD sioc_result sioc_msgpack_read_raw(sioc_msgpack_reader *r, sioc_bytes *out);
/* Validate one whole value at the cursor like sioc_msgpack_check (without the trailing-bytes rule), advancing
   past it. */
SIOC_API SIOC_NODISCARD sioc_result sioc_msgpack_reader_check(sioc_msgpack_reader *r);

/* Exactly one complete, well-formed value and nothing after it. Beyond structure it rejects what makes Node's
   decoder throw or what a C node should not trust: 0xc1; trailing bytes (Node: "Extra N of M byte(s)"); str that
   is not UTF-8 (lone surrogates in 3-byte form, as Node writes them, are accepted); map keys other than str or
   integer; the key "__proto__"; timestamps of a bad size. SIOC_OK, SIOC_ERR_PARSE, or SIOC_ERR_LIMIT (deeper than
   SIOC_MAX_MSGPACK_DEPTH: the bound of a value the library accepts). */
SIOC_API SIOC_NODISCARD sioc_result sioc_msgpack_check(const void *data, size_t len);
/* The same with another depth bound, at most SIOC_MSGPACK_WRITE_DEPTH (larger is taken as that): a whole message
   around a value is checked with SIOC_MSGPACK_WRITE_DEPTH. */
SIOC_API SIOC_NODISCARD sioc_result sioc_msgpack_check_depth(const void *data, size_t len, unsigned max_depth);

/* With the cursor on a map: find `key` among its str keys (the last one wins on duplicates, as in Node) and
   leave the cursor on its value. SIOC_ERR_NOT_FOUND (absent) or SIOC_ERR_TYPE (not a map) leave the cursor
   where it was; copy the reader first to look up several keys of one map. Integer keys never match. */
SIOC_API SIOC_NODISCARD sioc_result sioc_msgpack_map_find(sioc_msgpack_reader *r, const char *key);
SIOC_API SIOC_NODISCARD sioc_result sioc_msgpack_map_find_n(sioc_msgpack_reader *r, const char *key, size_t len);

/* Typed reads: on success advance past the item; on SIOC_ERR_TYPE (another type) or SIOC_ERR_RANGE leave the
   cursor unchanged. Integers accept every wire width; read_f64 accepts integers and floats. read_array/read_map
   give the count and leave the cursor on the first element. */
SIOC_API SIOC_NODISCARD sioc_result sioc_msgpack_read_nil(sioc_msgpack_reader *r);
SIOC_API SIOC_NODISCARD sioc_result sioc_msgpack_read_bool(sioc_msgpack_reader *r, int *out);
SIOC_API SIOC_NODISCARD sioc_result sioc_msgpack_read_i64(sioc_msgpack_reader *r, int64_t *out);
SIOC_API SIOC_NODISCARD sioc_result sioc_msgpack_read_u64(sioc_msgpack_reader *r, uint64_t *out);
SIOC_API SIOC_NODISCARD sioc_result sioc_msgpack_read_f64(sioc_msgpack_reader *r, double *out);
SIOC_API SIOC_NODISCARD sioc_result sioc_msgpack_read_str(sioc_msgpack_reader *r, sioc_str *out);
SIOC_API SIOC_NODISCARD sioc_result sioc_msgpack_read_bin(sioc_msgpack_reader *r, sioc_bytes *out);
SIOC_API SIOC_NODISCARD sioc_result sioc_msgpack_read_array(sioc_msgpack_reader *r, uint32_t *out_count);
SIOC_API SIOC_NODISCARD sioc_result sioc_msgpack_read_map(sioc_msgpack_reader *r, uint32_t *out_count);
