/* ---- base.c ---- */
#include "base.h"
#include "internal.h"

SIOC_API const char *sioc_strerror(sioc_result r) {
#if SIOC_ENABLE_ERROR_STRINGS
    switch (r) {
#define SIOC__CASE(name, value, text) \
    case name:                        \
        return text;
        SIOC__RESULTS(SIOC__CASE)
#undef SIOC__CASE
    default:
        break;
    }
    return "unknown result code";
#else
    (void)r;
    return "";
#endif
}

SIOC_API sioc_str sioc_str_n(const char *p, size_t len) {
    sioc_str v;
    v.ptr = p;
    v.len = len;
    return v;
}

SIOC_API sioc_bytes sioc_bytes_n(const void *p, size_t len) {
    sioc_bytes v;
    v.ptr = (const uint8_t *)p;
    v.len = len;
    return v;
}

SIOC_API sioc_str sioc_str_c(const char *s) {
    sioc_str v;
    v.ptr = s ? s : "";
    v.len = s ? strlen(s) : 0;
    return v;
}

SIOC_API int sioc_str_eq(sioc_str a, sioc_str b) {
    return a.len == b.len && (a.len == 0 || memcmp(a.ptr, b.ptr, a.len) == 0);
}

SIOC_API void sioc_buf_init(sioc_buf *b, void *mem, size_t cap) {
    b->data = (uint8_t *)mem;
    b->cap = mem ? cap : 0;
    b->len = 0;
    b->err = SIOC_OK;
}

SIOC_API void sioc_buf_put(sioc_buf *b, const void *p, size_t n) {
    if (b->len < b->cap && n > 0) memcpy(b->data + b->len, p, SIOC__MIN(n, b->cap - b->len));
    b->len = (b->len + n < b->len) ? (size_t)-1 : b->len + n; /* saturate: never wrap around */
}

SIOC_API void sioc_buf_putc(sioc_buf *b, char c) {
    if (b->len < b->cap) b->data[b->len] = (uint8_t)c;
    if (b->len != (size_t)-1) b->len++;
}

SIOC_API void sioc_buf_puts(sioc_buf *b, const char *s) { sioc_buf_put(b, s, strlen(s)); }

SIOC_API void sioc_buf_put_u64(sioc_buf *b, uint64_t v) {
    char tmp[20];
    size_t i = sizeof tmp;
    do {
        uint32_t digit;
        v = sioc__udiv64(v, 10u, &digit);
        tmp[--i] = (char)('0' + (int)digit);
    } while (v != 0);
    sioc_buf_put(b, tmp + i, sizeof tmp - i);
}

SIOC_API void sioc_buf_put_i64(sioc_buf *b, int64_t v) {
    if (v < 0) {
        sioc_buf_putc(b, '-');
        sioc_buf_put_u64(b, (uint64_t)0 - (uint64_t)v); /* well defined for INT64_MIN too */
    } else {
        sioc_buf_put_u64(b, (uint64_t)v);
    }
}

SIOC_API void *sioc_buf_reserve(sioc_buf *b, size_t n) {
    void *p;
    if (!b) return NULL; /* callers with optional scratch space pass NULL for "none" */
    if (b->len > b->cap || b->cap - b->len < n) {
        b->len = (b->len + n < b->len) ? (size_t)-1 : b->len + n;
        return NULL;
    }
    p = b->data + b->len;
    b->len += n;
    return p;
}

SIOC_API void sioc_buf_fail(sioc_buf *b, sioc_result err) {
    if (b->err == SIOC_OK) b->err = err;
}

SIOC_API sioc_result sioc_buf_result(const sioc_buf *b) {
    if (b->err != SIOC_OK) return b->err;
    return b->len > b->cap ? SIOC_ERR_BUFFER_TOO_SMALL : SIOC_OK;
}

SIOC_API void sioc_bq_init(sioc_bq *q, void *mem, size_t cap) {
    q->buf = (uint8_t *)mem;
    q->cap = mem ? cap : 0;
    q->head = q->tail = 0;
}

SIOC_API size_t sioc_bq_len(const sioc_bq *q) { return q->tail - q->head; }

SIOC_API const uint8_t *sioc_bq_peek(const sioc_bq *q, size_t *out_len) {
    *out_len = q->tail - q->head;
    return q->buf + q->head;
}

SIOC_API void sioc_bq_consume(sioc_bq *q, size_t n) {
    SIOC_ASSERT(n <= q->tail - q->head);
    q->head += n;
    if (q->head == q->tail) q->head = q->tail = 0; /* empty: restart at the front for free */
}

SIOC_API uint8_t *sioc_bq_reserve(sioc_bq *q, size_t *out_room) {
    if (q->head > 0 && q->tail == q->cap) { /* only move bytes when the tail is stuck at the end */
        memmove(q->buf, q->buf + q->head, q->tail - q->head);
        q->tail -= q->head;
        q->head = 0;
    }
    *out_room = q->cap - q->tail;
    return q->buf + q->tail;
}

SIOC_API void sioc_bq_commit(sioc_bq *q, size_t n) {
    SIOC_ASSERT(n <= q->cap - q->tail);
    q->tail += n;
}

SIOC_API sioc_result sioc_bq_write(sioc_bq *q, const void *p, size_t n) {
    size_t room;
    uint8_t *dst;
    if (n > q->cap - (q->tail - q->head)) return SIOC_ERR_BUFFER_TOO_SMALL;
    dst = sioc_bq_reserve(q, &room);
    if (room < n) { /* enough space in total, but split: compact now */
        memmove(q->buf, q->buf + q->head, q->tail - q->head);
        q->tail -= q->head;
        q->head = 0;
        dst = q->buf + q->tail;
    }
    if (n) memcpy(dst, p, n);
    q->tail += n;
    return SIOC_OK;
}
