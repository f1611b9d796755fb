/* Test helpers shared by test_cluster_msg.c and test_sio.c: load a JSON vector file with the project's own JSON
   reader, hex helpers, and vector JSON (with {"$bin": hex} for binary) -> msgpack. Trusted input: test code only
   (recursion is fine here). Include after harness.h and sio_cluster.h. */
#ifndef SIOC_TEST_SIO_VEC_H
#define SIOC_TEST_SIO_VEC_H

/* All test allocations come from one static arena (never freed, so no leak reports, and strings handed out stay
   valid for the whole run). */
static unsigned char tv_arena[16u << 20];
static size_t tv_arena_used;

SIOC_T_UNUSED static void *tv_alloc(size_t n) {
    void *p;
    n = (n + 15u) & ~(size_t)15u;
    if (n > sizeof tv_arena - tv_arena_used) {
        fprintf(stderr, "test arena exhausted\n");
        exit(2);
    }
    p = tv_arena + tv_arena_used;
    tv_arena_used += n;
    return p;
}

/* Parse tests/<rel> into *doc. */
SIOC_T_UNUSED static void tv_load(const char *rel, sioc_json *doc) {
    size_t len;
    char *file = sioc_t_read(rel, &len);
    char *text = (char *)tv_alloc(len + 1);
    sioc_json_tok *toks;
    sioc_result e;
    size_t need;
    memcpy(text, file, len + 1);
    free(file);
    e = sioc_json_parse(doc, text, len, NULL, 0);
    need = doc->count;
    if (e != SIOC_ERR_BUFFER_TOO_SMALL && e != SIOC_OK) {
        fprintf(stderr, "%s: JSON parse failed (%d at %lu)\n", rel, (int)e, (unsigned long)doc->error_at);
        exit(2);
    }
    toks = (sioc_json_tok *)tv_alloc((need ? need : 1) * sizeof *toks);
    if (sioc_json_parse(doc, text, len, toks, need) != SIOC_OK) {
        fprintf(stderr, "%s: JSON parse failed\n", rel);
        exit(2);
    }
}

/* Unescaped string value of token t as a view of an arena copy ("" when not a string). */
SIOC_T_UNUSED static sioc_str tv_dup(const sioc_json *doc, int t) {
    size_t n = 0;
    char *b;
    (void)sioc_json_get_str(doc, t, NULL, 0, &n);
    b = (char *)tv_alloc(n + 1);
    if (sioc_json_get_str(doc, t, b, n + 1, &n) != SIOC_OK) n = 0;
    b[n] = 0;
    return sioc_str_c(b);
}

SIOC_T_UNUSED static const char *tv_str(const sioc_json *doc, int t) { return tv_dup(doc, t).ptr; }
SIOC_T_UNUSED static sioc_str tv_sstr(const sioc_json *doc, int t) { return tv_dup(doc, t); }

/* Hex string token -> malloc'd bytes (never NULL, even for ""). */
SIOC_T_UNUSED static uint8_t *tv_hex(const sioc_json *doc, int t, size_t *out_len) {
    sioc_str raw = sioc_json_raw(doc, t);
    uint8_t *out = (uint8_t *)tv_alloc(raw.len / 2 + 1);
    if (sioc_hex_decode(raw.ptr, raw.len, out, raw.len / 2 + 1, out_len) != SIOC_OK) {
        fprintf(stderr, "bad hex in vector\n");
        exit(2);
    }
    return out;
}

SIOC_T_UNUSED static void tv_print_hex(const char *what, const uint8_t *p, size_t n) {
    size_t i;
    fprintf(stderr, "  %s (%lu): ", what, (unsigned long)n);
    for (i = 0; i < n && i < 400; i++) fprintf(stderr, "%02x", p[i]);
    fprintf(stderr, "\n");
}

/* Vector JSON value -> msgpack: {"$bin": hex, ...} is a bin, integers as integers, other numbers as doubles. */
SIOC_T_UNUSED static void tv_json_to_mp(const sioc_json *doc, int t, sioc_msgpack_writer *w) {
    int k;
    switch (sioc_json_type_of(doc, t)) {
    case SIOC_JSON_OBJECT: {
        int bin = sioc_json_find(doc, t, "$bin");
        if (bin >= 0) {
            size_t n;
            uint8_t *b = tv_hex(doc, bin, &n);
            sioc_msgpack_write_bin(w, b, n);
            return;
        }
        sioc_msgpack_write_map(w, (uint32_t)sioc_json_count(doc, t));
        for (k = sioc_json_first(doc, t); k >= 0; k = sioc_json_next(doc, k)) {
            sioc_msgpack_write_cstr(w, tv_str(doc, k));
            tv_json_to_mp(doc, k + 1, w); /* the value follows its key */
        }
        return;
    }
    case SIOC_JSON_ARRAY:
        sioc_msgpack_write_array(w, (uint32_t)sioc_json_count(doc, t));
        for (k = sioc_json_first(doc, t); k >= 0; k = sioc_json_next(doc, k)) tv_json_to_mp(doc, k, w);
        return;
    case SIOC_JSON_STRING: {
        size_t n = 0;
        char *b;
        (void)sioc_json_get_str(doc, t, NULL, 0, &n);
        b = (char *)tv_alloc(n + 1);
        (void)sioc_json_get_str(doc, t, b, n + 1, &n);
        sioc_msgpack_write_str(w, b, n);
        return;
    }
    case SIOC_JSON_NUMBER: {
        int64_t i;
        double f;
        if (sioc_json_get_i64(doc, t, &i) == SIOC_OK) {
            sioc_msgpack_write_int(w, i);
        } else {
            (void)sioc_json_get_f64(doc, t, &f);
            sioc_msgpack_write_double(w, f);
        }
        return;
    }
    case SIOC_JSON_BOOL: {
        int b = 0;
        (void)sioc_json_get_bool(doc, t, &b);
        sioc_msgpack_write_bool(w, b);
        return;
    }
    default: sioc_msgpack_write_nil(w); return;
    }
}

/* Convenience: vector JSON value -> msgpack bytes (arena). */
SIOC_T_UNUSED static uint8_t *tv_mp(const sioc_json *doc, int t, size_t *out_len) {
    static uint8_t scratch[1 << 16];
    uint8_t *mem;
    sioc_buf b;
    sioc_msgpack_writer w;
    sioc_buf_init(&b, scratch, sizeof scratch);
    sioc_msgpack_writer_init(&w, &b);
    tv_json_to_mp(doc, t, &w);
    if (sioc_msgpack_writer_finish(&w) != SIOC_OK) {
        fprintf(stderr, "tv_mp: writer failed\n");
        exit(2);
    }
    mem = (uint8_t *)tv_alloc(b.len);
    memcpy(mem, scratch, b.len);
    *out_len = b.len;
    return mem;
}
#endif
