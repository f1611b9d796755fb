/* Minimal test harness: CHECK macros, explicit RUN registration, one "N passed, N failed, N skipped" line per
   program (tests/run.sh adds them up; a part that cannot run here says SKIPPED with the reason, see sioc_t_skip).
   Tests include the implementation directly, so they can reach sioc__ internals. Data files are read relative
   to the tests folder (SIOC_TEST_DIR, default "tests"), so binaries run under qemu-user as well. */
#ifndef SIOC_TEST_HARNESS_H
#define SIOC_TEST_HARNESS_H
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#if defined(__GNUC__) || defined(__clang__)
#define SIOC_T_UNUSED __attribute__((unused))
#else
#define SIOC_T_UNUSED
#endif

static int sioc_t_passed, sioc_t_failed, sioc_t_skipped;
static const char *sioc_t_current = "";

#define CHECK(expr)                                                                                   \
    do {                                                                                              \
        if (expr) {                                                                                   \
            sioc_t_passed++;                                                                          \
        } else {                                                                                      \
            sioc_t_failed++;                                                                          \
            fprintf(stderr, "FAIL %s:%d in %s: %s\n", __FILE__, __LINE__, sioc_t_current, #expr);      \
        }                                                                                             \
    } while (0)

/* Like CHECK, with a printf-style context line on failure. */
#define CHECKF(expr, ...)                                                                             \
    do {                                                                                              \
        if (expr) {                                                                                   \
            sioc_t_passed++;                                                                          \
        } else {                                                                                      \
            sioc_t_failed++;                                                                          \
            fprintf(stderr, "FAIL %s:%d in %s: %s: ", __FILE__, __LINE__, sioc_t_current, #expr);     \
            fprintf(stderr, __VA_ARGS__);                                                             \
            fputc('\n', stderr);                                                                      \
        }                                                                                             \
    } while (0)

#define CHECK_EQ_INT(a, b) CHECKF((long long)(a) == (long long)(b), "%lld != %lld", (long long)(a), (long long)(b))
#define CHECK_MEM(a, an, b, bn) CHECK((size_t)(an) == (size_t)(bn) && memcmp((a), (b), (size_t)(an)) == 0)

#define RUN(fn)                \
    do {                       \
        sioc_t_current = #fn; \
        fn();                  \
    } while (0)

SIOC_T_UNUSED static int sioc_t_report(const char *name) {
    printf("%s: %d passed, %d failed, %d skipped\n", name, sioc_t_passed, sioc_t_failed, sioc_t_skipped);
    return sioc_t_failed ? 1 : 0;
}

/* 1 when every test must run (CI: SIOC_REQUIRE_ALL=1; SIOC_REQUIRE_LIVE=1 is the older name): a skip then fails. */
SIOC_T_UNUSED static int sioc_t_require_all(void) {
    const char *a = getenv("SIOC_REQUIRE_ALL"), *l = getenv("SIOC_REQUIRE_LIVE");
    return (a && strcmp(a, "1") == 0) || (l && strcmp(l, "1") == 0);
}

/* A part of the program that cannot run here (no server, no tool): one "SKIPPED" line that tests/run.sh always
   shows, counted as skipped - or as failed under SIOC_REQUIRE_ALL=1, so a broken install never looks green. */
SIOC_T_UNUSED static void sioc_t_skip(const char *name, const char *what, const char *why) {
    if (sioc_t_require_all()) {
        sioc_t_failed++;
        printf("FAIL %s: %s did not run (SIOC_REQUIRE_ALL=1): %s\n", name, what, why);
    } else {
        sioc_t_skipped++;
        printf("SKIPPED %s: %s: %s\n", name, what, why);
    }
}

/* Whole file from the tests folder into a malloc'd, NUL-terminated buffer; exits the program when missing. */
SIOC_T_UNUSED static char *sioc_t_read(const char *rel, size_t *out_len) {
    const char *dir = getenv("SIOC_TEST_DIR");
    char path[1024];
    FILE *f;
    long n;
    char *buf;
    snprintf(path, sizeof path, "%s/%s", dir ? dir : "tests", rel);
    f = fopen(path, "rb");
    if (!f) {
        fprintf(stderr, "cannot open %s\n", path);
        exit(2);
    }
    fseek(f, 0, SEEK_END);
    n = ftell(f);
    fseek(f, 0, SEEK_SET);
    buf = (char *)malloc((size_t)n + 1);
    if (!buf || fread(buf, 1, (size_t)n, f) != (size_t)n) {
        fprintf(stderr, "cannot read %s\n", path);
        exit(2);
    }
    buf[n] = 0;
    fclose(f);
    if (out_len) *out_len = (size_t)n;
    return buf;
}

/* Copy of `n` bytes placed so that the last byte sits right before the end of a malloc block: ASan then catches
   any over-read (a light version of picohttpparser's guard pages). Free with free(). */
SIOC_T_UNUSED static void *sioc_t_tight(const void *p, size_t n) {
    void *q = malloc(n ? n : 1);
    if (!q) exit(2);
    if (n) memcpy(q, p, n);
    return q;
}
#endif
