/* ---- crypto.c ---- */
#include "base.h"
#include "internal.h"
#include "crypto.h"

/* SHA-256 (FIPS 180-4 section 6.2). Written for clarity; a 64-entry message schedule on the stack. */
static const uint32_t sioc__sha256_k[64] = {
    0x428a2f98u, 0x71374491u, 0xb5c0fbcfu, 0xe9b5dba5u, 0x3956c25bu, 0x59f111f1u, 0x923f82a4u, 0xab1c5ed5u,
    0xd807aa98u, 0x12835b01u, 0x243185beu, 0x550c7dc3u, 0x72be5d74u, 0x80deb1feu, 0x9bdc06a7u, 0xc19bf174u,
    0xe49b69c1u, 0xefbe4786u, 0x0fc19dc6u, 0x240ca1ccu, 0x2de92c6fu, 0x4a7484aau, 0x5cb0a9dcu, 0x76f988dau,
    0x983e5152u, 0xa831c66du, 0xb00327c8u, 0xbf597fc7u, 0xc6e00bf3u, 0xd5a79147u, 0x06ca6351u, 0x14292967u,
    0x27b70a85u, 0x2e1b2138u, 0x4d2c6dfcu, 0x53380d13u, 0x650a7354u, 0x766a0abbu, 0x81c2c92eu, 0x92722c85u,
    0xa2bfe8a1u, 0xa81a664bu, 0xc24b8b70u, 0xc76c51a3u, 0xd192e819u, 0xd6990624u, 0xf40e3585u, 0x106aa070u,
    0x19a4c116u, 0x1e376c08u, 0x2748774cu, 0x34b0bcb5u, 0x391c0cb3u, 0x4ed8aa4au, 0x5b9cca4fu, 0x682e6ff3u,
    0x748f82eeu, 0x78a5636fu, 0x84c87814u, 0x8cc70208u, 0x90befffau, 0xa4506cebu, 0xbef9a3f7u, 0xc67178f2u};

#define SIOC__ROR(x, n) (((x) >> (n)) | ((x) << (32 - (n))))

static void sioc__sha256_block(uint32_t h[8], const uint8_t *p) {
    uint32_t w[64], a, b, c, d, e, f, g, hh, t1, t2;
    int i;
    for (i = 0; i < 16; i++) w[i] = sioc__load_be32(p + 4 * i);
    for (i = 16; i < 64; i++) {
        uint32_t s0 = SIOC__ROR(w[i - 15], 7) ^ SIOC__ROR(w[i - 15], 18) ^ (w[i - 15] >> 3);
        uint32_t s1 = SIOC__ROR(w[i - 2], 17) ^ SIOC__ROR(w[i - 2], 19) ^ (w[i - 2] >> 10);
        w[i] = w[i - 16] + s0 + w[i - 7] + s1;
    }
    a = h[0], b = h[1], c = h[2], d = h[3], e = h[4], f = h[5], g = h[6], hh = h[7];
    for (i = 0; i < 64; i++) {
        t1 = hh + (SIOC__ROR(e, 6) ^ SIOC__ROR(e, 11) ^ SIOC__ROR(e, 25)) + ((e & f) ^ (~e & g)) + sioc__sha256_k[i] + w[i];
        t2 = (SIOC__ROR(a, 2) ^ SIOC__ROR(a, 13) ^ SIOC__ROR(a, 22)) + ((a & b) ^ (a & c) ^ (b & c));
        hh = g, g = f, f = e, e = d + t1, d = c, c = b, b = a, a = t1 + t2;
    }
    h[0] += a, h[1] += b, h[2] += c, h[3] += d, h[4] += e, h[5] += f, h[6] += g, h[7] += hh;
}

/* The 64-byte block buffering SHA-256, SHA-1 and MD5 share: h is the chaining state, block/used the partial block,
   total the bytes so far; fn compresses one block. */
typedef void (*sioc__block_fn)(uint32_t *h, const uint8_t *p);

static void sioc__md_update(sioc__block_fn fn, uint32_t *h, uint8_t block[64], size_t *used, uint64_t *total,
                            const void *data, size_t len) {
    const uint8_t *p = (const uint8_t *)data;
    *total += len;
    if (*used) { /* top up a partial block first */
        size_t take = SIOC__MIN(len, 64 - *used);
        memcpy(block + *used, p, take);
        *used += take, p += take, len -= take;
        if (*used < 64) return;
        fn(h, block);
        *used = 0;
    }
    for (; len >= 64; p += 64, len -= 64) fn(h, p);
    if (len) memcpy(block, p, len);
    *used = len;
}

/* The padding: 0x80, zeros, the length in bits in the last 8 bytes (big-endian for SHA, little-endian for MD5). */
static void sioc__md_pad(sioc__block_fn fn, uint32_t *h, uint8_t block[64], size_t used, uint64_t total, int big_endian) {
    uint64_t bits = total * 8u;
    int i;
    block[used++] = 0x80;
    if (used > 56) { /* no room for the length: pad this block out and use one more */
        memset(block + used, 0, 64 - used);
        fn(h, block);
        used = 0;
    }
    memset(block + used, 0, 56 - used);
    if (big_endian) sioc__store_be64(block + 56, bits);
    else
        for (i = 0; i < 8; i++) block[56 + i] = (uint8_t)(bits >> (8 * i));
    fn(h, block);
}

SIOC_API void sioc_sha256_init(sioc_sha256_ctx *s) {
    static const uint32_t iv[8] = {0x6a09e667u, 0xbb67ae85u, 0x3c6ef372u, 0xa54ff53au,
                                   0x510e527fu, 0x9b05688cu, 0x1f83d9abu, 0x5be0cd19u};
    memcpy(s->h, iv, sizeof iv);
    s->total = 0;
    s->used = 0;
}

SIOC_API void sioc_sha256_update(sioc_sha256_ctx *s, const void *data, size_t len) {
    sioc__md_update(sioc__sha256_block, s->h, s->block, &s->used, &s->total, data, len);
}

SIOC_API void sioc_sha256_final(sioc_sha256_ctx *s, uint8_t out[SIOC_SHA256_LEN]) {
    int i;
    sioc__md_pad(sioc__sha256_block, s->h, s->block, s->used, s->total, 1);
    for (i = 0; i < 8; i++) sioc__store_be32(out + 4 * i, s->h[i]);
    sioc__wipe(s, sizeof *s); /* the state may derive from a key (HMAC) */
}

SIOC_API void sioc_sha256(const void *data, size_t len, uint8_t out[SIOC_SHA256_LEN]) {
    sioc_sha256_ctx s;
    sioc_sha256_init(&s);
    sioc_sha256_update(&s, data, len);
    sioc_sha256_final(&s, out);
}

/* SHA-1 (FIPS 180-4 section 6.1): the WebSocket accept key needs it. The buffering is SHA-256's (sioc__md_*). */
#define SIOC__ROL(x, n) (((x) << (n)) | ((x) >> (32 - (n))))

static void sioc__sha1_block(uint32_t h[5], const uint8_t *p) {
    uint32_t w[80], a = h[0], b = h[1], c = h[2], d = h[3], e = h[4], f, k, t;
    int i;
    for (i = 0; i < 16; i++) w[i] = sioc__load_be32(p + 4 * i);
    for (i = 16; i < 80; i++) w[i] = SIOC__ROL(w[i - 3] ^ w[i - 8] ^ w[i - 14] ^ w[i - 16], 1);
    for (i = 0; i < 80; i++) {
        if (i < 20) f = (b & c) | (~b & d), k = 0x5a827999u;
        else if (i < 40) f = b ^ c ^ d, k = 0x6ed9eba1u;
        else if (i < 60) f = (b & c) | (b & d) | (c & d), k = 0x8f1bbcdcu;
        else f = b ^ c ^ d, k = 0xca62c1d6u;
        t = SIOC__ROL(a, 5) + f + e + k + w[i];
        e = d, d = c, c = SIOC__ROL(b, 30), b = a, a = t;
    }
    h[0] += a, h[1] += b, h[2] += c, h[3] += d, h[4] += e;
}

SIOC_API void sioc_sha1_init(sioc_sha1_ctx *s) {
    s->h[0] = 0x67452301u, s->h[1] = 0xefcdab89u, s->h[2] = 0x98badcfeu, s->h[3] = 0x10325476u;
    s->h[4] = 0xc3d2e1f0u;
    s->total = 0;
    s->used = 0;
}

SIOC_API void sioc_sha1_update(sioc_sha1_ctx *s, const void *data, size_t len) {
    sioc__md_update(sioc__sha1_block, s->h, s->block, &s->used, &s->total, data, len);
}

SIOC_API void sioc_sha1_final(sioc_sha1_ctx *s, uint8_t out[SIOC_SHA1_LEN]) {
    int i;
    sioc__md_pad(sioc__sha1_block, s->h, s->block, s->used, s->total, 1);
    for (i = 0; i < 5; i++) sioc__store_be32(out + 4 * i, s->h[i]);
    memset(s, 0, sizeof *s);
}

SIOC_API void sioc_sha1(const void *data, size_t len, uint8_t out[SIOC_SHA1_LEN]) {
    sioc_sha1_ctx s;
    sioc_sha1_init(&s);
    sioc_sha1_update(&s, data, len);
    sioc_sha1_final(&s, out);
}

/* MD5 (RFC 1321): four rounds of sixteen steps over little-endian words. K[i] = floor(2^32 * |sin(i + 1)|). */
static const uint32_t sioc__md5_k[64] = {
    0xd76aa478u, 0xe8c7b756u, 0x242070dbu, 0xc1bdceeeu, 0xf57c0fafu, 0x4787c62au, 0xa8304613u, 0xfd469501u,
    0x698098d8u, 0x8b44f7afu, 0xffff5bb1u, 0x895cd7beu, 0x6b901122u, 0xfd987193u, 0xa679438eu, 0x49b40821u,
    0xf61e2562u, 0xc040b340u, 0x265e5a51u, 0xe9b6c7aau, 0xd62f105du, 0x02441453u, 0xd8a1e681u, 0xe7d3fbc8u,
    0x21e1cde6u, 0xc33707d6u, 0xf4d50d87u, 0x455a14edu, 0xa9e3e905u, 0xfcefa3f8u, 0x676f02d9u, 0x8d2a4c8au,
    0xfffa3942u, 0x8771f681u, 0x6d9d6122u, 0xfde5380cu, 0xa4beea44u, 0x4bdecfa9u, 0xf6bb4b60u, 0xbebfbc70u,
    0x289b7ec6u, 0xeaa127fau, 0xd4ef3085u, 0x04881d05u, 0xd9d4d039u, 0xe6db99e5u, 0x1fa27cf8u, 0xc4ac5665u,
    0xf4292244u, 0x432aff97u, 0xab9423a7u, 0xfc93a039u, 0x655b59c3u, 0x8f0ccc92u, 0xffeff47du, 0x85845dd1u,
    0x6fa87e4fu, 0xfe2ce6e0u, 0xa3014314u, 0x4e0811a1u, 0xf7537e82u, 0xbd3af235u, 0x2ad7d2bbu, 0xeb86d391u};
static const uint8_t sioc__md5_r[16] = {7, 12, 17, 22, 5, 9, 14, 20, 4, 11, 16, 23, 6, 10, 15, 21};

static uint32_t sioc__load_le32(const uint8_t *p) {
    return (uint32_t)p[0] | ((uint32_t)p[1] << 8) | ((uint32_t)p[2] << 16) | ((uint32_t)p[3] << 24);
}

static void sioc__md5_block(uint32_t h[4], const uint8_t *p) {
    uint32_t a = h[0], b = h[1], c = h[2], d = h[3], f, t;
    int i, g;
    for (i = 0; i < 64; i++) {
        int round = i >> 4;
        if (round == 0) f = (b & c) | (~b & d), g = i;
        else if (round == 1) f = (d & b) | (~d & c), g = (5 * i + 1) & 15;
        else if (round == 2) f = b ^ c ^ d, g = (3 * i + 5) & 15;
        else f = c ^ (b | ~d), g = (7 * i) & 15;
        t = d, d = c, c = b;
        b += SIOC__ROL(a + f + sioc__md5_k[i] + sioc__load_le32(p + 4 * g), sioc__md5_r[round * 4 + (i & 3)]);
        a = t;
    }
    h[0] += a, h[1] += b, h[2] += c, h[3] += d;
}

SIOC_API void sioc_md5(const void *data, size_t len, uint8_t out[SIOC_MD5_LEN]) {
    uint32_t h[4] = {0x67452301u, 0xefcdab89u, 0x98badcfeu, 0x10325476u};
    uint8_t block[64];
    uint64_t total = 0;
    size_t used = 0, i;
    sioc__md_update(sioc__md5_block, h, block, &used, &total, data, len);
    sioc__md_pad(sioc__md5_block, h, block, used, total, 0);
    for (i = 0; i < 16; i++) out[i] = (uint8_t)(h[i / 4] >> (8 * (i % 4)));
}

/* HMAC (RFC 2104): H((K ^ opad) || H((K ^ ipad) || m)); both pads are absorbed at init so the context can be
   copied to reuse a key (SigV4 derives four keys in a row). */
SIOC_API void sioc_hmac_sha256_init(sioc_hmac_sha256_ctx *h, const void *key, size_t key_len) {
    uint8_t k[SIOC_SHA256_BLOCK], pad[SIOC_SHA256_BLOCK];
    size_t i;
    memset(k, 0, sizeof k);
    if (key_len > SIOC_SHA256_BLOCK)
        sioc_sha256(key, key_len, k);
    else if (key_len)
        memcpy(k, key, key_len);
    for (i = 0; i < SIOC_SHA256_BLOCK; i++) pad[i] = (uint8_t)(k[i] ^ 0x36u);
    sioc_sha256_init(&h->inner);
    sioc_sha256_update(&h->inner, pad, sizeof pad);
    for (i = 0; i < SIOC_SHA256_BLOCK; i++) pad[i] = (uint8_t)(k[i] ^ 0x5cu);
    sioc_sha256_init(&h->outer);
    sioc_sha256_update(&h->outer, pad, sizeof pad);
    sioc__wipe(k, sizeof k);
    sioc__wipe(pad, sizeof pad);
}

SIOC_API void sioc_hmac_sha256_update(sioc_hmac_sha256_ctx *h, const void *data, size_t len) {
    sioc_sha256_update(&h->inner, data, len);
}

SIOC_API void sioc_hmac_sha256_final(sioc_hmac_sha256_ctx *h, uint8_t out[SIOC_SHA256_LEN]) {
    uint8_t inner[SIOC_SHA256_LEN];
    sioc_sha256_final(&h->inner, inner);
    sioc_sha256_update(&h->outer, inner, sizeof inner);
    sioc_sha256_final(&h->outer, out);
    sioc__wipe(inner, sizeof inner);
}

SIOC_API void sioc_hmac_sha256(const void *key, size_t key_len, const void *data, size_t len,
                               uint8_t out[SIOC_SHA256_LEN]) {
    sioc_hmac_sha256_ctx h;
    sioc_hmac_sha256_init(&h, key, key_len);
    sioc_hmac_sha256_update(&h, data, len);
    sioc_hmac_sha256_final(&h, out);
}

SIOC_API int sioc_ct_equal(const void *a, const void *b, size_t n) {
    const volatile uint8_t *x = (const volatile uint8_t *)a, *y = (const volatile uint8_t *)b;
    uint8_t diff = 0;
    size_t i;
    for (i = 0; i < n; i++) diff = (uint8_t)(diff | (x[i] ^ y[i]));
    return diff == 0;
}

static const char sioc__hex_lower[] = "0123456789abcdef";

SIOC_API sioc_result sioc_hex_encode(const void *data, size_t n, char *out, size_t cap) {
    const uint8_t *p = (const uint8_t *)data;
    size_t i;
    if (n > (SIZE_MAX - 1) / 2 || cap < 2 * n + 1) return SIOC_ERR_BUFFER_TOO_SMALL;
    for (i = 0; i < n; i++) {
        out[2 * i] = sioc__hex_lower[p[i] >> 4];
        out[2 * i + 1] = sioc__hex_lower[p[i] & 15];
    }
    out[2 * n] = 0;
    return SIOC_OK;
}

SIOC_API sioc_result sioc_hex_decode(const char *hex, size_t len, uint8_t *out, size_t cap, size_t *out_len) {
    size_t i;
    if (out_len) *out_len = len / 2;
    if (len % 2) return SIOC_ERR_PARSE;
    if (cap < len / 2) return SIOC_ERR_BUFFER_TOO_SMALL;
    for (i = 0; i < len; i += 2) {
        int hi = sioc__hex_val((unsigned char)hex[i]), lo = sioc__hex_val((unsigned char)hex[i + 1]);
        if (hi < 0 || lo < 0) return SIOC_ERR_PARSE;
        out[i / 2] = (uint8_t)(hi << 4 | lo);
    }
    return SIOC_OK;
}

static const char sioc__b64[] = "ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789+/";

SIOC_API sioc_result sioc_base64_encode(const void *data, size_t n, char *out, size_t cap, size_t *out_len) {
    const uint8_t *p = (const uint8_t *)data;
    size_t need, i, o = 0;
    if (n > (SIZE_MAX / 4) * 3 - 3) return SIOC_ERR_RANGE;
    need = SIOC_BASE64_ENCODED_LEN(n);
    if (out_len) *out_len = need;
    if (cap < need + 1) return SIOC_ERR_BUFFER_TOO_SMALL;
    for (i = 0; i < n; i += 3) {
        uint8_t last[3]; /* the final 1 or 2 bytes, zero-filled to a quantum */
        const uint8_t *q = p + i;
        uint32_t v;
        if (n - i < 3) {
            last[1] = last[2] = 0;
            q = (const uint8_t *)memcpy(last, q, n - i);
        }
        v = (uint32_t)q[0] << 16 | (uint32_t)q[1] << 8 | q[2];
        out[o++] = sioc__b64[v >> 18];
        out[o++] = sioc__b64[(v >> 12) & 63];
        out[o++] = sioc__b64[(v >> 6) & 63];
        out[o++] = sioc__b64[v & 63];
    }
    if (n % 3) out[o - 1] = '='; /* padding over the characters of the zero fill */
    if (n % 3 == 1) out[o - 2] = '=';
    out[o] = 0;
    return SIOC_OK;
}

static int sioc__b64_val(int c) {
    if (c >= 'A' && c <= 'Z') return c - 'A';
    if (c >= 'a' && c <= 'z') return c - 'a' + 26;
    if (c >= '0' && c <= '9') return c - '0' + 52;
    if (c == '+') return 62;
    if (c == '/') return 63;
    return -1;
}

SIOC_API sioc_result sioc_base64_decode(const char *text, size_t len, uint8_t *out, size_t cap, size_t *out_len) {
    size_t i, o = 0, pad = 0, need;
    uint32_t acc = 0;
    if (out_len) *out_len = 0;
    if (len % 4) return SIOC_ERR_PARSE;
    if (len) pad = (text[len - 1] == '=') + (text[len - 1] == '=' && text[len - 2] == '=');
    need = len / 4 * 3 - pad;
    if (out_len) *out_len = need;
    if (cap < need) return SIOC_ERR_BUFFER_TOO_SMALL;
    /* everything before the padding must be alphabet ('=' only at the very end); out never overtakes text, so
       decoding in place works */
    for (i = 0; i < len - pad; i++) {
        int v = sioc__b64_val((unsigned char)text[i]);
        if (v < 0) return SIOC_ERR_PARSE;
        acc = acc << 6 | (uint32_t)v;
        if (i % 4 == 3) {
            out[o++] = (uint8_t)(acc >> 16);
            out[o++] = (uint8_t)(acc >> 8);
            out[o++] = (uint8_t)acc;
        }
    }
    /* a padded quad: 2 characters give 1 byte, 3 give 2; the unused bits must be zero (canonical form) */
    if (pad == 2) {
        if (acc & 15) return SIOC_ERR_PARSE;
        out[o] = (uint8_t)(acc >> 4);
    } else if (pad == 1) {
        if (acc & 3) return SIOC_ERR_PARSE;
        out[o++] = (uint8_t)(acc >> 10);
        out[o] = (uint8_t)(acc >> 2);
    }
    return SIOC_OK;
}

/* Characters left alone: RFC 3986 unreserved (AWS), plus ! ' ( ) * for encodeURIComponent, plus '/' for paths. */
static int sioc__pct_keep(unsigned char c, sioc_pct_mode mode) {
    if ((c >= 'A' && c <= 'Z') || (c >= 'a' && c <= 'z') || (c >= '0' && c <= '9')) return 1;
    if (c == '-' || c == '.' || c == '_' || c == '~') return 1;
    if (mode == SIOC_PCT_URI_COMPONENT) return c == '!' || c == '\'' || c == '(' || c == ')' || c == '*';
    if (mode == SIOC_PCT_PATH) return c == '/';
    return 0;
}

SIOC_API void sioc_pct_encode(sioc_buf *out, const char *s, size_t len, sioc_pct_mode mode) {
    static const char upper[] = "0123456789ABCDEF";
    size_t i, run = 0;
    for (i = 0; i < len; i++) {
        unsigned char c = (unsigned char)s[i];
        char esc[3];
        if (sioc__pct_keep(c, mode)) continue;
        sioc_buf_put(out, s + run, i - run); /* copy the unescaped run in one call */
        esc[0] = '%', esc[1] = upper[c >> 4], esc[2] = upper[c & 15];
        sioc_buf_put(out, esc, 3);
        run = i + 1;
    }
    sioc_buf_put(out, s + run, len - run);
}

SIOC_API sioc_result sioc_pct_decode(const char *s, size_t len, int plus_is_space, sioc_buf *out) {
    size_t i;
    for (i = 0; i < len; i++) {
        char c = s[i];
        if (c == '%') {
            int hi, lo;
            if (len - i < 3) return SIOC_ERR_PARSE;
            hi = sioc__hex_val((unsigned char)s[i + 1]);
            lo = sioc__hex_val((unsigned char)s[i + 2]);
            if (hi < 0 || lo < 0) return SIOC_ERR_PARSE;
            sioc_buf_putc(out, (char)(hi << 4 | lo));
            i += 2;
        } else {
            sioc_buf_putc(out, plus_is_space && c == '+' ? ' ' : c);
        }
    }
    return sioc_buf_result(out);
}
