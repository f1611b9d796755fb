/* libFuzzer target: msgpack -> JSON -> msgpack (src/mpjson.h) with the {"$bin": hex} callbacks and exact integers.
   Properties: no input crashes or over-reads; every value the checker accepts converts to JSON that the JSON
   reader takes back (unless the binaries' objects make it one level deeper than the reader goes), converts again
   to msgpack the checker accepts, and from there the conversion is a fixed point (JSON text stable). */
#define SIO_CLUSTER_IMPLEMENTATION
#include "sio_cluster.h"
#include <stdlib.h>

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);

static const sioc_mpjson_opts opts = {SIOC_MPJSON_EXACT_INTEGERS, sioc_mpjson_write_bin_hex, sioc_mpjson_read_bin_hex,
                                      NULL};

/* msgpack -> JSON into a malloc'd buffer sized by a first measuring pass. */
static char *to_json(const uint8_t *mp, size_t n, size_t *len) {
    sioc_buf b;
    sioc_json_writer jw;
    char *out;
    sioc_buf_init(&b, NULL, 0);
    sioc_json_writer_init(&jw, &b);
    if (sioc_msgpack_to_json(&jw, sioc_bytes_n(mp, n), &opts) != SIOC_ERR_BUFFER_TOO_SMALL) abort();
    out = (char *)malloc(b.len + 1);
    *len = b.len;
    sioc_buf_init(&b, out, *len);
    sioc_json_writer_init(&jw, &b);
    if (sioc_msgpack_to_json(&jw, sioc_bytes_n(mp, n), &opts) != SIOC_OK || b.len != *len) abort();
    return out;
}

/* JSON -> msgpack (malloc'd), or NULL when the reader refuses the text as too deep. */
static uint8_t *to_mp(const char *json, size_t len, size_t *n) {
    sioc_json d;
    sioc_json_tok *toks;
    sioc_buf b;
    sioc_msgpack_writer w;
    uint8_t *out;
    sioc_result e = sioc_json_parse(&d, json, len, NULL, 0);
    if (e == SIOC_ERR_LIMIT) return NULL;
    if (e != SIOC_ERR_BUFFER_TOO_SMALL && e != SIOC_OK) abort();
    toks = (sioc_json_tok *)malloc((d.count ? d.count : 1) * sizeof *toks);
    if (sioc_json_parse(&d, json, len, toks, d.count) != SIOC_OK) abort();
    sioc_buf_init(&b, NULL, 0); /* measure, then write into exactly that much */
    sioc_msgpack_writer_init(&w, &b);
    if (sioc_json_to_msgpack(&d, 0, &w, &opts) != SIOC_OK) abort();
    if (sioc_msgpack_writer_finish(&w) != (b.len ? SIOC_ERR_BUFFER_TOO_SMALL : SIOC_OK)) abort();
    *n = b.len;
    out = (uint8_t *)malloc(*n ? *n : 1);
    sioc_buf_init(&b, out, *n);
    sioc_msgpack_writer_init(&w, &b);
    if (sioc_json_to_msgpack(&d, 0, &w, &opts) != SIOC_OK || sioc_msgpack_writer_finish(&w) != SIOC_OK) abort();
    if (b.len != *n) abort();
    free(toks);
    return out;
}

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size) {
    size_t j1, j2, j3, m2, m3;
    char *json1, *json2, *json3;
    uint8_t *mp2, *mp3;
    {   /* whatever the input, the conversion returns (no crash), into a small buffer too */
        char small[64];
        sioc_buf b;
        sioc_json_writer jw;
        sioc_buf_init(&b, small, sizeof small);
        sioc_json_writer_init(&jw, &b);
        (void)sioc_msgpack_to_json(&jw, sioc_bytes_n(data, size), &opts);
    }
    if (sioc_msgpack_check(data, size) != SIOC_OK) return 0;
    json1 = to_json(data, size, &j1);
    mp2 = to_mp(json1, j1, &m2);
    if (mp2) {
        if (sioc_msgpack_check_depth(mp2, m2, SIOC_MSGPACK_WRITE_DEPTH) != SIOC_OK) abort();
        json2 = to_json(mp2, m2, &j2);
        mp3 = to_mp(json2, j2, &m3);
        if (!mp3) abort();
        json3 = to_json(mp3, m3, &j3);
        if (j2 != j3 || memcmp(json2, json3, j2) != 0) abort();
        free(json2);
        free(json3);
        free(mp3);
        free(mp2);
    }
    free(json1);
    return 0;
}
