/* libFuzzer target: the strict base64 decoder (and the hex and percent decoders beside it).
   Property: anything the strict decoder accepts is canonical, so encoding it again gives back the exact input. */
#define SIO_CLUSTER_IMPLEMENTATION
#include "sio_cluster.h"
#include <stdlib.h>

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size) {
    const char *text = (const char *)data;
    size_t cap = size, n = 0, m = 0;
    uint8_t *out = (uint8_t *)malloc(cap ? cap : 1);
    char *again = (char *)malloc(size + 1);
    sioc_buf b;
    if (!out || !again) abort();
    if (sioc_base64_decode(text, size, out, cap, &n) == SIOC_OK) {
        if (sioc_base64_encode(out, n, again, size + 1, &m) != SIOC_OK || m != size || memcmp(again, text, size) != 0)
            abort();
    }
    if (size % 2 == 0 && sioc_hex_decode(text, size, out, cap, &n) == SIOC_OK && n != size / 2) abort();
    sioc_buf_init(&b, out, cap);
    if (sioc_pct_decode(text, size, 1, &b) == SIOC_OK && b.len > size) abort();
    free(out);
    free(again);
    return 0;
}
