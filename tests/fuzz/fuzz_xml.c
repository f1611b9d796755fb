/* libFuzzer target for the XML scanner: tokenize the input as a document and as element content, decode every
   text run, run path lookups (fixed SNS paths and paths built from the input's own element names), iterate children.
   Besides memory safety it checks invariants: spans stay inside the input, depth stays bounded, decoded text is
   never longer than its source, and find agrees with a full scan on whether the input is well-formed. */
#define SIO_CLUSTER_IMPLEMENTATION
#include "sio_cluster.h"

#include <stdlib.h>

#define FZ_ASSERT(x) \
    do {             \
        if (!(x)) abort(); \
    } while (0)

static const char *fz_base;
static size_t fz_len;

static void fz_in_input(sioc_str s) {
    if (s.len == 0) return;
    FZ_ASSERT(s.ptr >= fz_base && s.len <= fz_len && (size_t)(s.ptr - fz_base) <= fz_len - s.len);
}

static void fz_decode(sioc_str raw) {
    char out[256];
    size_t n = 0;
    sioc_result r;
    fz_in_input(raw);
    r = sioc_xml_text(raw, out, sizeof out, &n);
    if (r == SIOC_OK) {
        FZ_ASSERT(n < sizeof out && out[n] == 0 && n <= raw.len);
    } else if (r == SIOC_ERR_BUFFER_TOO_SMALL) {
        FZ_ASSERT(n >= sizeof out && n <= raw.len);
    } else {
        FZ_ASSERT(r == SIOC_ERR_PARSE || r == SIOC_ERR_TYPE);
    }
    r = sioc_xml_text(raw, NULL, 0, &n); /* measuring only */
    FZ_ASSERT(r != SIOC_OK);
}

/* Read everything; returns the result and collects up to 3 names along the first descent as a path. */
static sioc_result fz_scan(const char *data, size_t len, int content, char *path, size_t cap) {
    sioc_xml_reader r;
    sioc_xml_token t;
    sioc_result res;
    size_t plen = 0;
    uint32_t want_depth = 1;
    int collecting = 1; /* the path follows one chain: stop once its last element closes */
    if (content) sioc_xml_reader_init_content(&r, data, len);
    else sioc_xml_reader_init(&r, data, len);
    if (cap) path[0] = 0;
    for (;;) {
        res = sioc_xml_next(&r, &t);
        if (res != SIOC_OK) {
            FZ_ASSERT(r.error_at <= len);
            FZ_ASSERT(sioc_xml_next(&r, &t) == res); /* sticky */
            return res;
        }
        if (t.kind == SIOC_XML_EOF) return SIOC_OK;
        FZ_ASSERT(t.depth <= SIOC_MAX_XML_DEPTH);
        fz_in_input(t.raw);
        if (t.kind == SIOC_XML_TEXT) {
            FZ_ASSERT(t.raw.len > 0);
            fz_decode(t.raw);
        } else {
            FZ_ASSERT(t.depth >= 1 && t.name.len > 0 && t.local.len > 0 && t.local.len <= t.name.len);
            fz_in_input(t.name);
            fz_in_input(t.attrs);
            if (t.kind == SIOC_XML_END && t.depth + 1 == want_depth) collecting = 0;
            if (collecting && t.kind == SIOC_XML_START && t.depth == want_depth && want_depth <= 3 &&
                memchr(t.local.ptr, '/', t.local.len) == NULL && plen + t.local.len + 2 < cap) {
                if (plen) path[plen++] = '/';
                memcpy(path + plen, t.local.ptr, t.local.len);
                plen += t.local.len;
                path[plen] = 0;
                want_depth++;
            }
        }
    }
}

static void fz_iterate(sioc_str content) {
    sioc_xml_iter it;
    sioc_xml_elem m;
    int count = 0;
    if (sioc_xml_iter_init(&it, content, NULL) != SIOC_OK) {
        FZ_ASSERT(sioc_xml_iter_next(&it, &m) == 0);
        return;
    }
    while (sioc_xml_iter_next(&it, &m) && count++ < 64) {
        sioc_str inner;
        char path[64];
        fz_in_input(m.content);
        fz_in_input(m.name);
        fz_decode(m.content);
        /* the content of a checked element is itself valid content */
        FZ_ASSERT(fz_scan(m.content.ptr, m.content.len, 1, path, sizeof path) == SIOC_OK);
        if (path[0]) {
            FZ_ASSERT(sioc_xml_find_in(m.content, path, &inner) == SIOC_OK);
            fz_in_input(inner);
            fz_decode(inner);
        }
    }
}

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);
int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size) {
    static const char *const paths[] = {
        "CreateTopicResponse/CreateTopicResult/TopicArn",
        "SubscribeResponse/SubscribeResult/SubscriptionArn",
        "PublishResponse/PublishResult/MessageId",
        "PublishBatchResponse/PublishBatchResult/Successful",
        "PublishBatchResponse/PublishBatchResult/Failed",
        "ListSubscriptionsByTopicResponse/ListSubscriptionsByTopicResult/NextToken",
        "ErrorResponse/Error/Code",
        "ErrorResponse/Error/Message",
        "R/A",
    };
    const char *xml = (const char *)data;
    char path[128];
    sioc_result doc, r;
    sioc_str s;
    size_t i;
    fz_base = xml;
    fz_len = size;

    doc = fz_scan(xml, size, 0, path, sizeof path);
    for (i = 0; i < sizeof paths / sizeof paths[0]; i++) {
        r = sioc_xml_find(xml, size, paths[i], &s);
        /* find scans the whole input: it fails exactly when the scan does, with the same code */
        FZ_ASSERT(doc == SIOC_OK ? (r == SIOC_OK || r == SIOC_ERR_NOT_FOUND) : r == doc);
        if (r == SIOC_OK) {
            fz_in_input(s);
            fz_decode(s);
            fz_iterate(s);
        }
    }
    if (doc == SIOC_OK && path[0]) {
        FZ_ASSERT(sioc_xml_find(xml, size, path, &s) == SIOC_OK); /* a path seen in the input is found */
        fz_in_input(s);
        fz_decode(s);
        fz_iterate(s);
    }
    /* the same bytes as element content */
    if (fz_scan(xml, size, 1, path, sizeof path) == SIOC_OK) {
        sioc_str all;
        all.ptr = xml;
        all.len = size;
        fz_iterate(all);
        if (path[0]) FZ_ASSERT(sioc_xml_find_in(all, path, &s) == SIOC_OK);
    }
    fz_decode(sioc_str_n(xml, size));
    return 0;
}
