/* libFuzzer target: the msgpack checker, reader cursor, skip, map_find and writer.
   Properties: no input crashes or over-reads; anything the checker accepts is one value that skip covers exactly;
   re-encoding it (reader -> writer) gives output the checker accepts, that re-encodes to itself (canonical form
   is a fixed point), and the open-count writer (begin/end) gives the same bytes as the known-count one, also
   reporting the exact size when the buffer is short. */
#define SIO_CLUSTER_IMPLEMENTATION
#include "sio_cluster.h"
#include <stdlib.h>

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);

/* Reader -> writer copy of one value. open = 1 writes containers with begin/end (counts found by a stack kept
   here), open = 0 with known-count headers. */
static sioc_result reencode(const uint8_t *in, size_t n, sioc_buf *out, int open) {
    sioc_msgpack_reader r;
    sioc_msgpack_writer w;
    uint64_t due[SIOC_MAX_MSGPACK_DEPTH + 1];
    uint8_t is_map[SIOC_MAX_MSGPACK_DEPTH + 1];
    unsigned depth = 0;
    sioc_msgpack_reader_init(&r, in, n);
    sioc_msgpack_writer_init(&w, out);
    do {
        sioc_msgpack_item it;
        sioc_result e = sioc_msgpack_read(&r, &it);
        int container = 0;
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
        case SIOC_MSGPACK_EXT: sioc_msgpack_write_ext(&w, it.ext_type, it.data, it.len); break;
        case SIOC_MSGPACK_TIMESTAMP: sioc_msgpack_write_timestamp(&w, it.ts_sec, it.ts_nsec); break;
        case SIOC_MSGPACK_ARRAY:
        case SIOC_MSGPACK_MAP:
            container = 1;
            if (!open) {
                if (it.type == SIOC_MSGPACK_MAP)
                    sioc_msgpack_write_map(&w, it.len);
                else
                    sioc_msgpack_write_array(&w, it.len);
            } else if (it.type == SIOC_MSGPACK_MAP) {
                sioc_msgpack_begin_map(&w);
            } else {
                sioc_msgpack_begin_array(&w);
            }
            break;
        default: return SIOC_ERR_STATE;
        }
        if (open) { /* track counts to know when to end */
            if (depth > 0) due[depth - 1]--;
            if (container) {
                if (depth > SIOC_MAX_MSGPACK_DEPTH) return SIOC_ERR_LIMIT;
                due[depth] = it.type == SIOC_MSGPACK_MAP ? 2 * (uint64_t)it.len : it.len;
                is_map[depth++] = it.type == SIOC_MSGPACK_MAP;
            }
            while (depth > 0 && due[depth - 1] == 0) {
                if (is_map[--depth])
                    sioc_msgpack_end_map(&w);
                else
                    sioc_msgpack_end_array(&w);
            }
        }
    } while ((open ? depth : w.depth) > 0 && (sioc_buf_result(out) == SIOC_OK ||
                                             sioc_buf_result(out) == SIOC_ERR_BUFFER_TOO_SMALL));
    if (r.pos != n) return SIOC_ERR_PARSE;
    return sioc_msgpack_writer_finish(&w);
}

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size) {
    static const char *const keys[] = {"packet", "opts", "requestId", "data", "", "a"};
    sioc_result c = sioc_msgpack_check(data, size), s;
    sioc_msgpack_reader r;
    sioc_msgpack_item it;
    sioc_bytes raw;
    size_t i, steps = 0;

    /* the cursor alone: every read advances or fails, and a failure is sticky */
    sioc_msgpack_reader_init(&r, data, size);
    while (r.pos < size) {
        size_t before = r.pos;
        if (sioc_msgpack_read(&r, &it) != SIOC_OK) {
            if (r.err == SIOC_OK || sioc_msgpack_read(&r, &it) != r.err) abort();
            break;
        }
        if (r.pos <= before || r.pos > size || ++steps > size) abort();
        if ((it.type == SIOC_MSGPACK_STR || it.type == SIOC_MSGPACK_BIN || it.type == SIOC_MSGPACK_EXT) &&
            (it.data < data || it.data + it.len > data + size))
            abort();
    }

    /* skip: the structural walk agrees with the checker */
    sioc_msgpack_reader_init(&r, data, size);
    s = sioc_msgpack_read_raw(&r, &raw);
    if (c == SIOC_OK && (s != SIOC_OK || r.pos != size || raw.len != size)) abort();
    /* depth is structural: the walk allows the envelope levels above the value limit (msgpack.h), no more */
    if (c == SIOC_ERR_LIMIT && s == SIOC_OK &&
        sioc_msgpack_check_depth(data, size, SIOC_MAX_MSGPACK_DEPTH + SIOC_ENVELOPE_DEPTH) == SIOC_ERR_LIMIT)
        abort();

    /* map lookups and typed reads never crash, and leave the cursor in the buffer */
    for (i = 0; i < sizeof keys / sizeof keys[0]; i++) {
        sioc_msgpack_reader t;
        sioc_msgpack_reader_init(&t, data, size);
        if (sioc_msgpack_map_find(&t, keys[i]) == SIOC_OK) {
            sioc_str str;
            int64_t v;
            if (t.pos >= size) abort();
            sioc_msgpack_reader u = t;
            if (sioc_msgpack_map_find(&u, "type") == SIOC_OK && sioc_msgpack_read_i64(&u, &v) == SIOC_OK &&
                u.pos > size)
                abort();
            if (sioc_msgpack_read_str(&t, &str) == SIOC_OK && str.ptr + str.len > (const char *)data + size) abort();
        }
    }

    if (c == SIOC_OK) {
        size_t cap = 2 * size + 16; /* float32 (5 bytes) may become float64 (9) */
        uint8_t *a = (uint8_t *)malloc(cap), *b = (uint8_t *)malloc(cap), *small = (uint8_t *)malloc(cap);
        sioc_buf ba, bb, bs;
        if (!a || !b || !small) abort();
        sioc_buf_init(&ba, a, cap);
        if (reencode(data, size, &ba, 0) != SIOC_OK) abort();
        if (sioc_msgpack_check(a, ba.len) != SIOC_OK) abort();
        sioc_buf_init(&bb, b, cap);
        if (reencode(a, ba.len, &bb, 0) != SIOC_OK || bb.len != ba.len || memcmp(a, b, ba.len) != 0) abort();
        sioc_buf_init(&bb, b, cap);
        if (reencode(data, size, &bb, 1) != SIOC_OK || bb.len != ba.len || memcmp(a, b, ba.len) != 0) abort();
        if (ba.len > 0) { /* one byte short: the exact size is reported, not OK with a hole */
            sioc_buf_init(&bs, small, ba.len - 1);
            if (reencode(data, size, &bs, 1) != SIOC_ERR_BUFFER_TOO_SMALL || bs.len != ba.len) abort();
            sioc_buf_init(&bs, small, ba.len / 2);
            if (reencode(data, size, &bs, 1) != SIOC_ERR_BUFFER_TOO_SMALL || bs.len != ba.len) abort();
        }
        free(a);
        free(b);
        free(small);
    }
    return 0;
}
