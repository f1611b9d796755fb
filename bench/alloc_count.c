/* Bench-only LD_PRELOAD shim (bench/cluster_bench.js): counts malloc/calloc/realloc/free calls and bytes asked for
   in a process it is preloaded into, live, in a file the bench reads while the process runs. Linux + glibc only
   (forwards to glibc's __libc_* entry points, so no dlsym, which itself allocates).
   Build: gcc -O2 -shared -fPIC bench/alloc_count.c -o build/bench/alloc_count.so
   Use:   SIOC_ALLOC_COUNT_FILE=/tmp/x LD_PRELOAD=build/bench/alloc_count.so prog
   The file holds 6 little-endian uint64: allocations (malloc+calloc+realloc with a new block), frees, bytes asked,
   malloc, calloc, realloc calls. Counts before the constructor ran (loader) go to a private copy, then are added. */
#define _GNU_SOURCE
#include <fcntl.h>
#include <stddef.h>
#include <stdint.h>
#include <stdlib.h>
#include <sys/mman.h>
#include <unistd.h>

extern void *__libc_malloc(size_t);
extern void *__libc_calloc(size_t, size_t);
extern void *__libc_realloc(void *, size_t);
extern void __libc_free(void *);

enum { C_ALLOCS, C_FREES, C_BYTES, C_MALLOC, C_CALLOC, C_REALLOC, C_N };
static uint64_t early[C_N];
static volatile uint64_t *cnt = early;

__attribute__((constructor)) static void ac_init(void) {
    const char *path = getenv("SIOC_ALLOC_COUNT_FILE");
    int fd;
    void *m;
    int i;
    if (!path) return;
    fd = open(path, O_RDWR | O_CREAT | O_TRUNC, 0600);
    if (fd < 0) return;
    if (ftruncate(fd, (off_t)(C_N * sizeof(uint64_t))) != 0) {
        close(fd);
        return;
    }
    m = mmap(NULL, C_N * sizeof(uint64_t), PROT_READ | PROT_WRITE, MAP_SHARED, fd, 0);
    close(fd);
    if (m == MAP_FAILED) return;
    for (i = 0; i < C_N; i++) ((volatile uint64_t *)m)[i] = early[i];
    cnt = (volatile uint64_t *)m;
}

void *malloc(size_t n) {
    cnt[C_MALLOC]++;
    cnt[C_ALLOCS]++;
    cnt[C_BYTES] += n;
    return __libc_malloc(n);
}
void *calloc(size_t a, size_t b) {
    cnt[C_CALLOC]++;
    cnt[C_ALLOCS]++;
    cnt[C_BYTES] += a * b;
    return __libc_calloc(a, b);
}
void *realloc(void *p, size_t n) {
    void *q = __libc_realloc(p, n);
    cnt[C_REALLOC]++;
    if (q != p) cnt[C_ALLOCS]++;
    if (q != p && p) cnt[C_FREES]++;
    cnt[C_BYTES] += n;
    return q;
}
void free(void *p) {
    if (p) cnt[C_FREES]++;
    __libc_free(p);
}
