/* libFuzzer target for the JSON reader and writer. Arbitrary bytes are parsed with a tiny and a large token
   array (same verdict, same token count); when they parse, every token is read through the getters, the
   document is re-serialised with the writer, and that output must parse again and re-serialise identically.
   Numbers are cross-checked against the C library's strtod (an oracle only; the library never calls it). */
#define SIO_CLUSTER_IMPLEMENTATION
#include "sio_cluster.h"
#include <stdlib.h>
#include <stdio.h>

#define BIG 8192
static sioc_json_tok g_big[BIG];
static sioc_json_tok g_small[4];

static void must(int cond) {
    if (!cond) abort();
}

/* Re-serialise a parsed document; returns the size needed (written into out when it fits). */
static size_t reserialise(const sioc_json *doc, char *out, size_t cap, char *tmp, size_t tmp_cap) {
    sioc_buf b;
    sioc_json_writer w;
    int stack[SIOC_MAX_JSON_DEPTH + 1], sp = 0;
    size_t i;
    sioc_buf_init(&b, out, cap);
    sioc_json_writer_init(&w, &b);
    for (i = 0; i < doc->count; i++) {
        const sioc_json_tok *t = &doc->toks[i];
        while (sp > 0 && (size_t)doc->toks[stack[sp - 1]].next == i) {
            if (doc->toks[stack[--sp]].type == SIOC_JSON_ARRAY)
                sioc_json_write_array_end(&w);
            else
                sioc_json_write_object_end(&w);
        }
        switch (t->type) {
        case SIOC_JSON_ARRAY:
        case SIOC_JSON_OBJECT:
            must(sp <= SIOC_MAX_JSON_DEPTH);
            if (t->type == SIOC_JSON_ARRAY)
                sioc_json_write_array_begin(&w);
            else
                sioc_json_write_object_begin(&w);
            stack[sp++] = (int)i;
            break;
        case SIOC_JSON_STRING: {
            size_t n = 0;
            sioc_result r = sioc_json_get_str(doc, (int)i, tmp, tmp_cap, &n);
            must(r == SIOC_OK && n < tmp_cap);
            must(sioc_json_str_eq(doc, (int)i, tmp, n));
            if (n > 0) must(!sioc_json_str_eq(doc, (int)i, tmp, n - 1));
            if (t->is_key) {
                if (doc->toks[t->parent].count <= 32) /* keep it linear on big objects */
                    must(sioc_json_find_n(doc, (int)t->parent, tmp, n) > (int)i);
                sioc_json_write_key(&w, tmp, n);
            } else {
                sioc_json_write_str(&w, tmp, n);
            }
            break;
        }
        case SIOC_JSON_NUMBER: {
            double d = 0, ref;
            int64_t v;
            char num[64];
            sioc_result r = sioc_json_get_f64(doc, (int)i, &d);
            must(r == SIOC_OK || r == SIOC_ERR_RANGE);
            if (t->len < sizeof num) { /* oracle: glibc strtod is correctly rounded */
                memcpy(num, doc->text + t->start, t->len);
                num[t->len] = 0;
                ref = strtod(num, NULL);
                must(memcmp(&ref, &d, sizeof d) == 0);
            }
            r = sioc_json_get_i64(doc, (int)i, &v);
            must(r == SIOC_OK || r == SIOC_ERR_RANGE || r == SIOC_ERR_TYPE);
            if (r == SIOC_OK && v > -(1LL << 53) && v < (1LL << 53)) must((double)v == d);
            {
                char f[SIOC_JSON_F64_MAX];
                size_t fl = sioc_json_format_f64(d, f);
                double back = strtod(f, NULL);
                must(fl == strlen(f));
                if (d == d && r != SIOC_ERR_RANGE) must(back == d);
            }
            sioc_json_write_f64(&w, d);
            break;
        }
        case SIOC_JSON_BOOL: {
            int bv = 2;
            must(sioc_json_get_bool(doc, (int)i, &bv) == SIOC_OK && (bv == 0 || bv == 1));
            sioc_json_write_bool(&w, bv);
            break;
        }
        case SIOC_JSON_NULL:
            must(sioc_json_is_null(doc, (int)i));
            sioc_json_write_null(&w);
            break;
        default:
            abort();
        }
    }
    while (sp > 0) {
        if (doc->toks[stack[--sp]].type == SIOC_JSON_ARRAY)
            sioc_json_write_array_end(&w);
        else
            sioc_json_write_object_end(&w);
    }
    must(sioc_buf_result(&b) == SIOC_OK || sioc_buf_result(&b) == SIOC_ERR_BUFFER_TOO_SMALL);
    return b.len;
}

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);
int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size) {
    sioc_json doc, small, again;
    sioc_result r, rs;
    char *out, *out2, *tmp;
    size_t cap, n, n2, t;
    r = sioc_json_parse(&doc, (const char *)data, size, g_big, BIG);
    rs = sioc_json_parse(&small, (const char *)data, size, g_small, 4);
    if (r == SIOC_OK) {
        must(rs == (doc.count <= 4 ? SIOC_OK : SIOC_ERR_BUFFER_TOO_SMALL));
        must(small.count == doc.count);
    } else if (r == SIOC_ERR_BUFFER_TOO_SMALL) {
        must(rs == SIOC_ERR_BUFFER_TOO_SMALL && small.count == doc.count);
        return 0;
    } else {
        must(r == SIOC_ERR_PARSE || r == SIOC_ERR_LIMIT);
        must(rs == r && small.error_at == doc.error_at && doc.error_at <= size);
        return 0;
    }
    /* navigation invariants */
    for (t = 0; t < doc.count; t++) {
        int c, k = 0;
        must(doc.toks[t].next > t && doc.toks[t].next <= doc.count);
        must((size_t)doc.toks[t].start + doc.toks[t].len <= size);
        for (c = sioc_json_first(&doc, (int)t); c >= 0; c = sioc_json_next(&doc, c)) k++;
        must((size_t)k == sioc_json_count(&doc, (int)t));
        if (doc.toks[t].type == SIOC_JSON_ARRAY && k > 0) must(sioc_json_at(&doc, (int)t, (size_t)k - 1) >= 0);
    }
    cap = size * 8 + 64;
    out = (char *)malloc(cap);
    out2 = (char *)malloc(cap);
    tmp = (char *)malloc(size * 2 + 8);
    must(out && out2 && tmp);
    n = reserialise(&doc, out, cap, tmp, size * 2 + 8);
    must(n <= cap);
    /* the writer's output is JSON in canonical form: parsing it and writing again gives the same bytes */
    must(sioc_json_parse(&again, out, n, g_big, BIG) == SIOC_OK);
    must(again.count == doc.count);
    free(tmp);
    tmp = (char *)malloc(n * 2 + 8);
    must(tmp != NULL);
    n2 = reserialise(&again, out2, cap, tmp, n * 2 + 8);
    must(n2 == n && memcmp(out, out2, n) == 0);
    free(out);
    free(out2);
    free(tmp);
    return 0;
}
