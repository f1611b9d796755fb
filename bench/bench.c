/* make bench: throughput of the header's primitives and codecs on this machine.
   Prints one table; the openssl figure (when the openssl CLI exists) is measured by bench/run.sh beside it. */
#define _POSIX_C_SOURCE 200809L
#define SIO_CLUSTER_IMPLEMENTATION
#include "sio_cluster.h"
#include <stdio.h>
#include <stdlib.h>
#include <time.h>

static double now_s(void) {
    struct timespec ts;
    clock_gettime(CLOCK_MONOTONIC, &ts);
    return (double)ts.tv_sec + (double)ts.tv_nsec * 1e-9;
}

static volatile uint8_t sink; /* keeps results alive so the work is not optimised away */

/* Run fn(arg) repeatedly for about `secs`, return bytes/s given `bytes` per call. */
static double rate(void (*fn)(void *), void *arg, size_t bytes, double secs) {
    double t0 = now_s(), t;
    long calls = 0;
    do {
        int i;
        for (i = 0; i < 16; i++) fn(arg);
        calls += 16;
        t = now_s() - t0;
    } while (t < secs);
    return (double)calls * (double)bytes / t;
}

static uint8_t big[16384];

static void do_sha256(void *arg) {
    uint8_t d[32];
    (void)arg;
    sioc_sha256(big, sizeof big, d);
    sink ^= d[0];
}

static void do_hmac(void *arg) {
    uint8_t d[32];
    (void)arg;
    sioc_hmac_sha256("key", 3, big, sizeof big, d);
    sink ^= d[0];
}

static void do_hmac_small(void *arg) { /* SigV4 signs many short strings: per-call overhead matters */
    uint8_t d[32];
    (void)arg;
    sioc_hmac_sha256("AWS4wJalrXUtnFEMI/K7MDENG+bPxRfiCYEXAMPLEKEY", 44, "20261123", 8, d);
    sink ^= d[0];
}

static char b64[SIOC_BASE64_ENCODED_LEN(sizeof big) + 1];
static void do_b64_enc(void *arg) {
    size_t n;
    (void)arg;
    if (sioc_base64_encode(big, sizeof big, b64, sizeof b64, &n) != SIOC_OK) abort();
    sink ^= (uint8_t)b64[0];
}
static void do_b64_dec(void *arg) {
    uint8_t out[sizeof big];
    size_t n;
    (void)arg;
    if (sioc_base64_decode(b64, sizeof b64 - 1, out, sizeof out, &n) != SIOC_OK) abort();
    sink ^= out[0];
}

#include "bench_codecs.h"

int main(int argc, char **argv) {
    double secs = argc > 1 ? atof(argv[1]) : 0.5, openssl = argc > 2 ? atof(argv[2]) : 0;
    double sha;
    size_t i;
    for (i = 0; i < sizeof big; i++) big[i] = (uint8_t)(i * 131 + 7);
    printf("| operation | throughput | note |\n|---|---|---|\n");
    sha = rate(do_sha256, NULL, sizeof big, secs);
    if (openssl > 0)
        printf("| SHA-256 (16 KiB blocks) | %.0f MB/s | openssl speed sha256: %.0f MB/s, ratio %.2f |\n", sha / 1e6,
               openssl / 1e6, sha / openssl);
    else
        printf("| SHA-256 (16 KiB blocks) | %.0f MB/s | openssl CLI not found |\n", sha / 1e6);
    printf("| HMAC-SHA256 (16 KiB) | %.0f MB/s | |\n", rate(do_hmac, NULL, sizeof big, secs) / 1e6);
    printf("| HMAC-SHA256 (8-byte message) | %.2f M ops/s | one SigV4 key-derivation step |\n",
           rate(do_hmac_small, NULL, 1, secs) / 1e6);
    do_b64_enc(NULL);
    printf("| base64 encode | %.0f MB/s | |\n", rate(do_b64_enc, NULL, sizeof big, secs) / 1e6);
    printf("| base64 decode (strict) | %.0f MB/s | |\n", rate(do_b64_dec, NULL, sizeof big, secs) / 1e6);
    bench_codecs(secs);
    return (int)(sink & 0);
}
