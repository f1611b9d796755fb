/* libFuzzer target: the Azure response parsers on hostile input. The first byte picks the parser:
     0: BrokerProperties JSON;  1: one custom property value (and the write/parse round trip of strings);
     2: a header block ("Name: value" lines, a blank line, then the body) as a received message, whose body is
        then decoded as a cluster message with the parsed properties;  3: an ATOM error / feed body;  4: a lock URL.
   Invariants: no crash or out-of-bounds read, views stay inside the input or the scratch buffer. */
#define SIO_CLUSTER_IMPLEMENTATION
#include "sio_cluster.h"

static int t_inside(sioc_str s, const char *a, size_t an, const char *b, size_t bn) {
    if (!s.len) return 1;
    if (s.ptr >= a && s.ptr + s.len <= a + an) return 1;
    return s.ptr >= b && s.ptr + s.len <= b + bn;
}

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);
int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size) {
    static char scratch_mem[8192];
    const char *in;
    size_t n;
    sioc_buf scratch;
    if (size < 1) return 0;
    in = (const char *)data + 1;
    n = size - 1;
    sioc_buf_init(&scratch, scratch_mem, sizeof scratch_mem);
    switch (data[0] % 5) {
    case 0: {
        sioc_azure_broker_props bp;
        if (sioc_azure_parse_broker_props(in, n, &scratch, &bp) == SIOC_OK) {
            if (!t_inside(bp.message_id, in, n, scratch_mem, sizeof scratch_mem) ||
                !t_inside(bp.lock_token, in, n, scratch_mem, sizeof scratch_mem))
                __builtin_trap();
        }
        break;
    }
    case 1: {
        sioc_azure_prop_type ty;
        sioc_str v;
        sioc_str raw;
        raw.ptr = in;
        raw.len = n;
        if (sioc_azure_parse_prop_value(raw, &scratch, &ty, &v) == SIOC_OK &&
            !t_inside(v, in, n, scratch_mem, sizeof scratch_mem))
            __builtin_trap();
        {
            /* what we write, we read back unchanged */
            static char out[4096], sc2[4096];
            sioc_buf b, s2;
            sioc_azure_prop p;
            p.name = sioc_str_c("x");
            p.type = SIOC_AZURE_PROP_STRING;
            p.value = raw;
            sioc_buf_init(&b, out, sizeof out);
            if (sioc_azure_write_prop_value(&b, &p) == SIOC_OK) {
                sioc_str w;
                w.ptr = out;
                w.len = b.len;
                sioc_buf_init(&s2, sc2, sizeof sc2);
                if (sioc_azure_parse_prop_value(w, &s2, &ty, &v) != SIOC_OK || ty != SIOC_AZURE_PROP_STRING ||
                    !sioc_str_eq(v, raw))
                    __builtin_trap();
            }
        }
        break;
    }
    case 2: {
        sioc_http_header h[32];
        size_t nh = 0, i = 0;
        sioc_bytes body = {NULL, 0};
        sioc_azure_message m;
        while (i < n && nh < 32) {
            size_t e = i, colon;
            while (e < n && in[e] != '\n') e++;
            if (e == i) { /* blank line: the body follows */
                body.ptr = (const uint8_t *)in + e + (e < n);
                body.len = n - e - (e < n);
                break;
            }
            for (colon = i; colon < e && in[colon] != ':'; colon++) {
            }
            h[nh].name.ptr = in + i;
            h[nh].name.len = colon - i;
            h[nh].value.ptr = colon < e ? in + colon + 1 : in + e;
            h[nh].value.len = colon < e ? e - colon - 1 : 0;
            while (h[nh].value.len && h[nh].value.ptr[0] == ' ') h[nh].value.ptr++, h[nh].value.len--;
            nh++;
            i = e + 1;
        }
        if (sioc_azure_parse_message(h, nh, body, &scratch, &m) == SIOC_OK) {
            sioc_msg msg;
            size_t k;
            for (k = 0; k < m.prop_count; k++)
                if (!t_inside(m.props[k].value, in, n, scratch_mem, sizeof scratch_mem)) __builtin_trap();
            if (!t_inside(m.lock_path, in, n, scratch_mem, sizeof scratch_mem)) __builtin_trap();
            (void)sioc_msg_decode_azure(m.body.ptr, m.body.len, &m.env, &msg);
        }
        break;
    }
    case 3: {
        sioc_azure_error e;
        memset(&e, 0, sizeof e);
        (void)sioc_azure_parse_error(in, n, &e);
        if (strlen(e.detail) >= sizeof e.detail) __builtin_trap();
        (void)sioc_azure_atom_has_entry(in, n);
        break;
    }
    default: {
        sioc_str url, path;
        url.ptr = in;
        url.len = n;
        if (sioc_azure_url_path(url, &path) == SIOC_OK && !t_inside(path, in, n, in, n)) __builtin_trap();
        break;
    }
    }
    return 0;
}
