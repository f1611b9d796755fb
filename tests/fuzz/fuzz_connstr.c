/* libFuzzer target: the Service Bus connection-string parser, and the SAS token parser/verifier beside it.
   Properties: no crash or over-read (the input is an exact-size heap copy); on success every view points inside
   the input, the credential rules hold, and a token signed with the parsed key verifies with it (and only until
   its expiry). */
#define SIO_CLUSTER_IMPLEMENTATION
#include "sio_cluster.h"
#include <stdlib.h>

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);

static int inside(sioc_str s, const char *base, size_t n) {
    if (s.len == 0) return 1;
    return s.ptr >= base && s.ptr + s.len <= base + n;
}

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size) {
    char *text = (char *)malloc(size ? size : 1);
    sioc_str in;
    sioc_sas_connstr c;
    sioc_sas_token_view v;
    if (!text) abort();
    if (size) memcpy(text, data, size);
    in.ptr = text;
    in.len = size;

    if (sioc_sas_parse_connection_string(in, &c) == SIOC_OK) {
        if (!inside(c.endpoint, text, size) || !inside(c.scheme, text, size) || !inside(c.host, text, size) ||
            !inside(c.key_name, text, size) || !inside(c.key, text, size) || !inside(c.signature, text, size) ||
            !inside(c.entity_path, text, size))
            abort();
        if (c.endpoint.len == 0 || c.host.len == 0 || c.scheme.len == 0) abort();
        if (c.signature.len) {
            if (c.key.len || c.key_name.len) abort();
            if (sioc_sas_parse_token(c.signature, &v) != SIOC_OK || v.se != c.signature_expiry) abort();
        } else {
            char mem[1024], uri[600];
            sioc_buf b, u;
            sioc_sas_params p;
            if (c.key.len == 0 || c.key_name.len == 0) abort();
            sioc_buf_init(&u, uri, sizeof uri);
            sioc_buf_puts(&u, "https://");
            sioc_buf_put(&u, c.host.ptr, c.host.len);
            sioc_buf_putc(&u, '/');
            memset(&p, 0, sizeof p);
            p.resource_uri.ptr = uri;
            p.resource_uri.len = SIOC__MIN(u.len, sizeof uri);
            p.key_name = c.key_name;
            p.key = c.key;
            p.expiry = 1000;
            p.style = (size & 1) ? SIOC_SAS_LOWERCASED : SIOC_SAS_CASE_PRESERVING;
            sioc_buf_init(&b, mem, sizeof mem);
            if (sioc_sas_token(&p, &b) == SIOC_OK) {
                sioc_str t;
                t.ptr = mem;
                t.len = b.len;
                if (c.key_name.len <= SIOC_SAS_MAX_KEY_NAME) { /* longer names are refused by verify */
                    if (sioc_sas_verify(t, c.key_name, c.key, 999) != SIOC_OK) abort();
                    if (sioc_sas_verify(t, c.key_name, c.key, 1000) != SIOC_ERR_AUTH) abort();
                }
            } else if (b.len <= sizeof mem) {
                abort(); /* only a too-small buffer may fail here */
            }
        }
    }

    if (sioc_sas_parse_token(in, &v) == SIOC_OK) {
        if (!inside(v.sr, text, size) || !inside(v.sig, text, size) || !inside(v.skn, text, size) || v.se < 0)
            abort();
        if (v.sr.len == 0 || v.sig.len == 0 || v.skn.len == 0) abort();
    }
    (void)sioc_sas_verify(in, sioc_str_c("RootManageSharedAccessKey"), sioc_str_c("c2VjcmV0"), 1795415000);
    free(text);
    return 0;
}
