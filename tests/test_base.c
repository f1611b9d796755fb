/* Base layer: result strings, spans, the sticky output buffer and the byte queue. */
#define SIO_CLUSTER_IMPLEMENTATION
#include "sio_cluster.h"
#include "harness.h"

static void test_strerror(void) {
    CHECK(strcmp(sioc_strerror(SIOC_OK), "ok") == 0);
    CHECK(strcmp(sioc_strerror(SIOC_ERR_BUFFER_TOO_SMALL), "output buffer too small") == 0);
    CHECK(strcmp(sioc_strerror((sioc_result)-999), "unknown result code") == 0);
    CHECK(SIOC_AGAIN > 0 && SIOC_ERR_ARG < 0);
}

static void test_str(void) {
    CHECK(sioc_str_c(NULL).len == 0);
    CHECK(sioc_str_eq(sioc_str_c("abc"), sioc_str_c("abc")));
    CHECK(!sioc_str_eq(sioc_str_c("abc"), sioc_str_c("abd")));
    CHECK(!sioc_str_eq(sioc_str_c("ab"), sioc_str_c("abc")));
    CHECK(sioc_str_eq(sioc_str_c(""), sioc_str_c(NULL)));
}

static void test_buf(void) {
    char mem[8];
    sioc_buf b;
    sioc_buf_init(&b, mem, sizeof mem);
    sioc_buf_puts(&b, "abc");
    sioc_buf_put_i64(&b, -42);
    CHECK(sioc_buf_result(&b) == SIOC_OK && b.len == 6 && memcmp(mem, "abc-42", 6) == 0);
    sioc_buf_put_u64(&b, 18446744073709551615u);
    CHECK(sioc_buf_result(&b) == SIOC_ERR_BUFFER_TOO_SMALL);
    CHECK_EQ_INT(b.len, 26); /* the size that would have been needed */
    CHECK(memcmp(mem, "abc-4218", 8) == 0); /* wrote what fit, nothing past cap */
    sioc_buf_init(&b, mem, sizeof mem);
    sioc_buf_put_i64(&b, INT64_MIN);
    CHECK_EQ_INT(b.len, 20);
    sioc_buf_init(&b, mem, sizeof mem);
    sioc_buf_fail(&b, SIOC_ERR_PARSE);
    sioc_buf_fail(&b, SIOC_ERR_RANGE);
    CHECK(sioc_buf_result(&b) == SIOC_ERR_PARSE); /* the first error sticks */
    sioc_buf_init(&b, NULL, 100);                 /* measuring pass: no memory, only the length */
    sioc_buf_puts(&b, "hello");
    CHECK(b.len == 5 && sioc_buf_result(&b) == SIOC_ERR_BUFFER_TOO_SMALL);
}

static void test_bq(void) {
    uint8_t mem[8], *w;
    const uint8_t *r;
    size_t n, room;
    sioc_bq q;
    sioc_bq_init(&q, mem, sizeof mem);
    CHECK(sioc_bq_write(&q, "abcdef", 6) == SIOC_OK);
    sioc_bq_consume(&q, 4);
    CHECK(sioc_bq_len(&q) == 2);
    CHECK(sioc_bq_write(&q, "ghijkl", 6) == SIOC_OK); /* fits only after compaction */
    r = sioc_bq_peek(&q, &n);
    CHECK(n == 8 && memcmp(r, "efghijkl", 8) == 0);
    CHECK(sioc_bq_write(&q, "x", 1) == SIOC_ERR_BUFFER_TOO_SMALL);
    sioc_bq_consume(&q, 8);
    CHECK(sioc_bq_len(&q) == 0);
    w = sioc_bq_reserve(&q, &room);
    CHECK(room == 8);
    memcpy(w, "123", 3);
    sioc_bq_commit(&q, 3);
    sioc_bq_consume(&q, 1);
    r = sioc_bq_peek(&q, &n);
    CHECK(n == 2 && memcmp(r, "23", 2) == 0);
}

/* 64-bit division in 32-bit steps (what 32-bit targets use instead of libgcc's) against the compiler's, for small
   and large divisors, quotients of every size, and floor division of negative numbers. */
static void test_div64(void) {
    static const uint32_t ds[] = {1, 2, 7, 10, 400, 1000, 65535, 65536, 65537, 86400, 146097, 86400000,
                                  0x7FFFFFFFu, 0x80000000u, 0xFFFFFFFFu};
    uint64_t x = 0x9E3779B97F4A7C15ull, bad = 0;
    size_t i, k;
    for (i = 0; i < 4000; i++) {
        uint64_t n;
        x ^= x << 13, x ^= x >> 7, x ^= x << 17;
        n = i < 8 ? (i < 4 ? i : UINT64_MAX - (i - 4)) : x >> (i % 64);
        for (k = 0; k < sizeof ds / sizeof ds[0]; k++) {
            uint32_t r = 0, r2 = 0;
            int64_t sn = (int64_t)(n >> 1) * ((i & 1) ? -1 : 1), fq;
            uint64_t q = sioc__udiv64_steps(n, ds[k], &r);
            bad += q != n / ds[k] || r != n % ds[k];
            fq = sioc__fdiv64(sn, ds[k], &r2); /* floor: fq * d + r2 == sn, 0 <= r2 < d */
            bad += (uint64_t)fq * ds[k] + r2 != (uint64_t)sn || r2 >= ds[k];
        }
    }
    CHECKF(bad == 0, "%lu wrong", (unsigned long)bad);
}

int main(void) {
    RUN(test_div64);
    RUN(test_strerror);
    RUN(test_str);
    RUN(test_buf);
    RUN(test_bq);
    return sioc_t_report("test_base");
}
