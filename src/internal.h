/* ---- internal: private declarations shared by the implementation pieces ----
   Everything here is static (one translation unit in the amalgamation) and named sioc__ / SIOC__. When a src .c
   file is compiled on its own (amalgamate.py --check), this file pulls in the public headers it depends on. */
#pragma once
#include "base.h"

#include <string.h>

#ifndef SIOC_ASSERT
#include <assert.h>
#define SIOC_ASSERT(x) assert(x)
#endif

#if SIOC_ENABLE_LIBC_MALLOC
#include <stdlib.h>
#endif

#if defined(__GNUC__) || defined(__clang__)
#define SIOC__FN static __attribute__((unused))
#else
#define SIOC__FN static
#endif

/* Keeps a small helper with several callers out of line in a size build (gcc -Os would copy it into each caller);
   a speed build inlines it. */
#if defined(__OPTIMIZE_SIZE__) && (defined(__GNUC__) || defined(__clang__))
#define SIOC__OUTLINE __attribute__((noinline))
#else
#define SIOC__OUTLINE
#endif

#define SIOC__MIN(a, b) ((a) < (b) ? (a) : (b))
#define SIOC__MAX(a, b) ((a) > (b) ? (a) : (b))
#define SIOC__COUNT(a) (sizeof(a) / sizeof((a)[0]))

/* Byte order: the wire formats are big-endian (msgpack, SHA-256) whatever the host is. */
SIOC__FN uint32_t sioc__load_be32(const uint8_t *p) {
    return ((uint32_t)p[0] << 24) | ((uint32_t)p[1] << 16) | ((uint32_t)p[2] << 8) | (uint32_t)p[3];
}
SIOC__FN uint16_t sioc__load_be16(const uint8_t *p) { return (uint16_t)(((unsigned)p[0] << 8) | p[1]); }
SIOC__FN uint64_t sioc__load_be64(const uint8_t *p) {
    return ((uint64_t)sioc__load_be32(p) << 32) | sioc__load_be32(p + 4);
}
SIOC__FN void sioc__store_be32(uint8_t *p, uint32_t v) {
    p[0] = (uint8_t)(v >> 24);
    p[1] = (uint8_t)(v >> 16);
    p[2] = (uint8_t)(v >> 8);
    p[3] = (uint8_t)v;
}
SIOC__FN void sioc__store_be16(uint8_t *p, uint16_t v) {
    p[0] = (uint8_t)(v >> 8);
    p[1] = (uint8_t)v;
}
SIOC__FN void sioc__store_be64(uint8_t *p, uint64_t v) {
    sioc__store_be32(p, (uint32_t)(v >> 32));
    sioc__store_be32(p + 4, (uint32_t)v);
}

/* Detail texts (SIOC_DETAIL_SIZE): start one over a char array, append with sioc_buf_*, end it (NUL, truncated).
   With SIOC_ENABLE_ERROR_STRINGS 0 the texts stay empty. */
SIOC__FN void sioc__detail_start(sioc_buf *b, char *dst, size_t cap) {
    sioc_buf_init(b, dst, SIOC_ENABLE_ERROR_STRINGS ? cap - 1 : 0);
    dst[0] = 0;
}
SIOC__FN void sioc__detail_end(sioc_buf *b) {
    if (b->cap) b->data[SIOC__MIN(b->len, b->cap)] = 0;
}
/* The tail of a failed call's detail: the engine's own detail when it has one, else "HTTP <status> <code>[: <message>]"
   (code falls back to the result's name), else the result's name alone. Shared by the AWS and Service Bus clients. */
SIOC__FN void sioc__detail_reply(sioc_buf *b, const char *engine_detail, int status, sioc_result result,
                                 const char *code, const char *message) {
    if (engine_detail[0]) {
        sioc_buf_puts(b, engine_detail);
    } else if (status) {
        sioc_buf_puts(b, "HTTP ");
        sioc_buf_put_u64(b, (uint64_t)status);
        sioc_buf_putc(b, ' ');
        sioc_buf_puts(b, code[0] ? code : sioc_strerror(result));
        if (message[0]) {
            sioc_buf_puts(b, ": ");
            sioc_buf_puts(b, message);
        }
    } else {
        sioc_buf_puts(b, sioc_strerror(result));
    }
}
/* host:port, with brackets around an IPv6 literal. */
SIOC__FN void sioc__put_hostport(sioc_buf *b, const char *host, uint16_t port) {
    int v6 = strchr(host, ':') != NULL && host[0] != '[';
    if (v6) sioc_buf_putc(b, '[');
    sioc_buf_puts(b, host);
    if (v6) sioc_buf_putc(b, ']');
    sioc_buf_putc(b, ':');
    sioc_buf_put_u64(b, port);
}
/* A whole detail text from up to three pieces (NULL pieces are left out). */
SIOC__FN void sioc__detail_set(char *dst, size_t cap, const char *a, const char *b2, const char *c) {
    sioc_buf b;
    sioc__detail_start(&b, dst, cap);
    if (a) sioc_buf_puts(&b, a);
    if (b2) sioc_buf_puts(&b, b2);
    if (c) sioc_buf_puts(&b, c);
    sioc__detail_end(&b);
}
/* Without SIOC_ENABLE_ERROR_STRINGS the texts would land in an empty detail anyway: leave them out of the binary.
   SIOC__TEXT does the same for one literal passed elsewhere. */
#define SIOC__TEXT(s) (SIOC_ENABLE_ERROR_STRINGS ? (s) : "")
#define SIOC__TEXT_OR_NULL(s) (SIOC_ENABLE_ERROR_STRINGS ? (const char *)(s) : (const char *)0)
#define sioc__detail_set(dst, cap, a, b2, c) \
    (sioc__detail_set)(dst, cap, SIOC__TEXT_OR_NULL(a), SIOC__TEXT_OR_NULL(b2), SIOC__TEXT_OR_NULL(c))

#if SIOC_TLS != SIOC_TLS_NONE
#include <stdio.h>
#include <stdlib.h>
/* The system trust store of a TLS build without ca_pem / ca_file: $SSL_CERT_FILE when set, else the first readable
   well-known bundle (Debian/Ubuntu/Alpine, Fedora/RHEL, openSUSE, macOS/BSD, FreeBSD); NULL when there is none. */
SIOC__FN const char *sioc__tls_system_ca(void) {
    static const char *const paths[] = {"/etc/ssl/certs/ca-certificates.crt", "/etc/pki/tls/certs/ca-bundle.crt",
                                        "/etc/ssl/ca-bundle.pem", "/etc/ssl/cert.pem",
                                        "/usr/local/share/certs/ca-root-nss.crt"};
    const char *env = getenv("SSL_CERT_FILE");
    size_t i;
    if (env && env[0]) return env;
    for (i = 0; i < SIOC__COUNT(paths); i++) {
        FILE *f = fopen(paths[i], "rb");
        if (f) {
            fclose(f);
            return paths[i];
        }
    }
    return NULL;
}
#endif

/* ASCII helpers that ignore the C locale. */
SIOC__FN int sioc__is_digit(int c) { return c >= '0' && c <= '9'; }
SIOC__FN int sioc__to_lower(int c) { return (c >= 'A' && c <= 'Z') ? c + 32 : c; }
/* 1 when c is one of set's characters (NUL never is); and 1 when s starts with prefix. Ours rather than strchr /
   strncmp: newlib-nano's cost a small device over 300 B for a handful of calls. */
SIOC__FN int sioc__in_set(const char *set, int c) {
    while (*set)
        if (*set++ == c) return 1;
    return 0;
}
SIOC__FN int sioc__starts(const char *s, const char *prefix) {
    while (*prefix)
        if (*s++ != *prefix++) return 0;
    return 1;
}
/* strcmp for the library's own short names: a byte loop, where newlib's word-wise strcmp takes 700 bytes of
   Cortex-M flash. */
SIOC__FN int sioc__strcmp(const char *a, const char *b) {
    while (*a && *a == *b) a++, b++;
    return (int)(unsigned char)*a - (int)(unsigned char)*b;
}
/* Value of a hex digit, or -1. */
SIOC__FN int sioc__hex_val(int c) {
    if (c >= '0' && c <= '9') return c - '0';
    if (c >= 'a' && c <= 'f') return c - 'a' + 10;
    if (c >= 'A' && c <= 'F') return c - 'A' + 10;
    return -1;
}
/* Length of the well-formed UTF-8 sequence at p (first byte >= 0x80), or 0 (Unicode Table 3-7: no overlongs,
   no surrogates, nothing above U+10FFFF). */
SIOC__FN size_t sioc__utf8_seq(const uint8_t *p, size_t avail) {
    unsigned c = p[0], lo = 0x80, hi = 0xBF;
    if (c >= 0xC2 && c <= 0xDF) return (avail >= 2 && (p[1] & 0xC0) == 0x80) ? 2 : 0;
    if (c >= 0xE0 && c <= 0xEF) {
        if (c == 0xE0) lo = 0xA0;
        if (c == 0xED) hi = 0x9F;
        return (avail >= 3 && p[1] >= lo && p[1] <= hi && (p[2] & 0xC0) == 0x80) ? 3 : 0;
    }
    if (c >= 0xF0 && c <= 0xF4) {
        if (c == 0xF0) lo = 0x90;
        if (c == 0xF4) hi = 0x8F;
        return (avail >= 4 && p[1] >= lo && p[1] <= hi && (p[2] & 0xC0) == 0x80 && (p[3] & 0xC0) == 0x80) ? 4 : 0;
    }
    return 0;
}

/* n / d, and n % d in *rem, for a 32-bit divisor, in 32-bit steps (base 2^16 for d < 2^16, else bit by bit). On
   32-bit targets a 64-bit `/` calls libgcc's 64-bit division: 700 bytes of Cortex-M flash for a few dates and
   decimals. */
SIOC__FN uint64_t sioc__udiv64_steps(uint64_t n, uint32_t d, uint32_t *rem) {
    uint64_t q = 0;
    uint32_t r = 0;
    int i;
    if (!(n >> 32)) {
        *rem = (uint32_t)n % d;
        return (uint32_t)n / d;
    }
    if (d <= 0xFFFFu) {
        for (i = 48; i >= 0; i -= 16) { /* r < d: (r << 16 | next 16 bits) fits 32 bits */
            uint32_t cur = (r << 16) | (uint32_t)((n >> i) & 0xFFFFu);
            q = (q << 16) | (cur / d);
            r = cur % d;
        }
    } else {
        for (i = 63; i >= 0; i--) { /* r < d < 2^32: one more bit fits 33 bits, kept as a carry */
            uint32_t top = r >> 31;
            r = (r << 1) | (uint32_t)((n >> i) & 1u);
            q <<= 1;
            if (top || r >= d) r -= d, q |= 1u;
        }
    }
    *rem = r;
    return q;
}

/* n / d and n % d: native where registers are 64 bits wide, else the steps above. */
SIOC__FN uint64_t sioc__udiv64(uint64_t n, uint32_t d, uint32_t *rem) {
#if SIZE_MAX > 0xFFFFFFFFu
    *rem = (uint32_t)(n % d);
    return n / d;
#else
    return sioc__udiv64_steps(n, d, rem);
#endif
}

/* Floor division of a signed n (the remainder in [0, d)), as the date algorithms need. */
SIOC__FN int64_t sioc__fdiv64(int64_t n, uint32_t d, uint32_t *rem) {
    uint64_t q;
    uint32_t r;
    if (n >= 0) return (int64_t)sioc__udiv64((uint64_t)n, d, rem);
    q = sioc__udiv64((uint64_t)0 - (uint64_t)n - 1u, d, &r); /* -n - 1 = q d + r  =>  n = -(q + 1) d + (d - 1 - r) */
    *rem = d - 1u - r;
    return -(int64_t)q - 1;
}

/* Days since 1970-01-01 -> proleptic Gregorian civil date (H. Hinnant's era-based algorithm), integer-only. */
SIOC__FN void sioc__civil_from_days(int64_t z, int64_t *y, unsigned *m, unsigned *d) {
    int64_t era;
    uint32_t r;
    unsigned doe, yoe, doy, mp;
    z += 719468;
    era = sioc__fdiv64(z, 146097u, &r);
    doe = (unsigned)r;
    yoe = (doe - doe / 1460u + doe / 36524u - doe / 146096u) / 365u;
    doy = doe - (365u * yoe + yoe / 4u - yoe / 100u);
    mp = (5u * doy + 2u) / 153u;
    *d = doy - (153u * mp + 2u) / 5u + 1u;
    *m = mp < 10 ? mp + 3 : mp - 9;
    *y = (int64_t)yoe + era * 400 + (*m <= 2);
}

/* Copy into a fixed char array, cut on a UTF-8 character boundary, always NUL-terminated (cap > 0). */
SIOC__FN void sioc__copy_fixed(char *dst, size_t cap, sioc_str s) {
    size_t n = SIOC__MIN(s.len, cap - 1);
    if (n < s.len)
        while (n > 0 && ((unsigned char)s.ptr[n] & 0xC0) == 0x80) n--; /* do not split a sequence */
    if (n) memcpy(dst, s.ptr, n);
    dst[n] = 0;
}

/* Clears key material. A plain memset of a buffer nobody reads again is a dead store the optimiser may drop (gcc
   -Os dropped the SigV4 signing key's), so the stores are made observable: an empty asm that may read the memory,
   or, without GNU C, volatile byte stores. */
SIOC__FN void sioc__wipe(void *p, size_t n) {
#if defined(__GNUC__) || defined(__clang__)
    memset(p, 0, n);
    __asm__ __volatile__("" : : "r"(p) : "memory");
#else
    volatile uint8_t *v = (volatile uint8_t *)p;
    while (n--) *v++ = 0;
#endif
}

/* FNV-1a, 64-bit, from h (the offset basis SIOC__FNV64_BASIS, or a keyed start). */
#define SIOC__FNV64_BASIS 0xcbf29ce484222325ull
SIOC__FN uint64_t sioc__fnv1a64(uint64_t h, const char *s, size_t n) {
    size_t i;
    for (i = 0; i < n; i++) h = (h ^ (uint8_t)s[i]) * 0x100000001b3ull;
    return h;
}

/* Offsets inside one allocated block: 16-byte steps keep every member type aligned. */
SIOC__FN size_t sioc__align16(size_t n) { return (n + 15u) & ~(size_t)15u; }

/* Four bytes from the caller's random callback as a number (jitter, ids). */
SIOC__FN uint32_t sioc__rand32(sioc_result (*random)(void *user, void *buf, size_t len), void *user) {
    uint8_t b[4] = {0, 0, 0, 0};
    (void)random(user, b, 4);
    return sioc__load_be32(b);
}

/* When to retry after the `attempts`-th failure in a row: capped exponential backoff with full jitter above a
   floor (never a hot loop): now + floor + uniform[0, min(cap, base * 2^(attempts-1))]. */
SIOC__FN uint64_t sioc__backoff_at(uint64_t now, int attempts, uint32_t base_ms, uint32_t cap_ms, uint64_t floor_ms,
                                   uint32_t random32) {
    int shift = attempts > 21 ? 20 : (attempts > 0 ? attempts - 1 : 0);
    uint64_t window = (uint64_t)base_ms << shift;
    if (window > cap_ms) window = cap_ms;
    return now + floor_ms + (window >= 0xFFFFFFFFu ? random32 : random32 % (uint32_t)(window + 1u));
}

/* The struct that holds a member at address p (intrusive containers). */
#define SIOC__CONTAINER(p, type, member) ((type *)(void *)((char *)(p) - offsetof(type, member)))

/* sioc_queue: append, take the oldest (NULL when empty), unlink one anywhere (0 when not queued). */
SIOC__FN void sioc__queue_push(sioc_queue *q, sioc_qlink *l) {
    l->p_next = NULL;
    if (q->p_tail)
        q->p_tail->p_next = l;
    else
        q->p_head = l;
    q->p_tail = l;
}
SIOC__FN sioc_qlink *sioc__queue_pop(sioc_queue *q) {
    sioc_qlink *l = q->p_head;
    if (!l) return NULL;
    q->p_head = l->p_next;
    if (!q->p_head) q->p_tail = NULL;
    l->p_next = NULL;
    return l;
}
SIOC__FN int sioc__queue_remove(sioc_queue *q, sioc_qlink *l) {
    sioc_qlink **pp = &q->p_head, *prev = NULL;
    while (*pp && *pp != l) {
        prev = *pp;
        pp = &(*pp)->p_next;
    }
    if (!*pp) return 0;
    *pp = l->p_next;
    if (q->p_tail == l) q->p_tail = prev;
    l->p_next = NULL;
    return 1;
}

/* Allocation through the object's hook, falling back to malloc/free when allowed. */
SIOC__FN void *sioc__alloc(const sioc_allocator *a, size_t n) {
    if (a && a->alloc) return a->alloc(n, a->user);
#if SIOC_ENABLE_LIBC_MALLOC
    return malloc(n);
#else
    return NULL;
#endif
}
SIOC__FN void sioc__free(const sioc_allocator *a, void *p, size_t n) {
    if (!p) return;
    if (a && a->free) {
        a->free(p, n, a->user);
        return;
    }
#if SIOC_ENABLE_LIBC_MALLOC
    (void)n;
    free(p);
#endif
}
