/* ---- crypto: SHA-256, HMAC-SHA256, SHA-1 (WebSocket handshake only), MD5 (SQS checksums only), base64, hex, constant-time compare, percent-encoding ----
   Pure functions over caller memory; no allocation, no tables in RAM beyond the SHA-256 constants. */

#define SIOC_SHA256_LEN 32
#define SIOC_SHA256_BLOCK 64

typedef struct sioc_sha256_ctx {
    uint32_t h[8];
    uint64_t total; /* bytes hashed so far */
    uint8_t block[SIOC_SHA256_BLOCK];
    size_t used;    /* bytes waiting in block */
} sioc_sha256_ctx;

SIOC_API void sioc_sha256_init(sioc_sha256_ctx *s);
SIOC_API void sioc_sha256_update(sioc_sha256_ctx *s, const void *data, size_t len);
SIOC_API void sioc_sha256_final(sioc_sha256_ctx *s, uint8_t out[SIOC_SHA256_LEN]);
/* One-shot digest. */
SIOC_API void sioc_sha256(const void *data, size_t len, uint8_t out[SIOC_SHA256_LEN]);

/* SHA-1 (FIPS 180-4), only because RFC 6455 builds Sec-WebSocket-Accept from it; never use it for security. */
#define SIOC_SHA1_LEN 20

typedef struct sioc_sha1_ctx {
    uint32_t h[5];
    uint64_t total;
    uint8_t block[64];
    size_t used;
} sioc_sha1_ctx;

SIOC_API void sioc_sha1_init(sioc_sha1_ctx *s);
SIOC_API void sioc_sha1_update(sioc_sha1_ctx *s, const void *data, size_t len);
SIOC_API void sioc_sha1_final(sioc_sha1_ctx *s, uint8_t out[SIOC_SHA1_LEN]);
SIOC_API void sioc_sha1(const void *data, size_t len, uint8_t out[SIOC_SHA1_LEN]);

/* MD5 (RFC 1321), one-shot, only to check the MD5OfBody SQS sends with each message; never for security. */
#define SIOC_MD5_LEN 16
SIOC_API void sioc_md5(const void *data, size_t len, uint8_t out[SIOC_MD5_LEN]);

/* HMAC-SHA256 (RFC 2104); keys longer than 64 bytes are hashed first (RFC 4231 cases 6, 7). */
typedef struct sioc_hmac_sha256_ctx {
    sioc_sha256_ctx inner;
    sioc_sha256_ctx outer;
} sioc_hmac_sha256_ctx;

SIOC_API void sioc_hmac_sha256_init(sioc_hmac_sha256_ctx *h, const void *key, size_t key_len);
SIOC_API void sioc_hmac_sha256_update(sioc_hmac_sha256_ctx *h, const void *data, size_t len);
SIOC_API void sioc_hmac_sha256_final(sioc_hmac_sha256_ctx *h, uint8_t out[SIOC_SHA256_LEN]);
SIOC_API void sioc_hmac_sha256(const void *key, size_t key_len, const void *data, size_t len,
                               uint8_t out[SIOC_SHA256_LEN]);

/* 1 when the n bytes at a and b are equal; time depends only on n. */
SIOC_API int sioc_ct_equal(const void *a, const void *b, size_t n);

/* Lower-case hex. `out` gets 2*n chars plus a NUL (cap >= 2*n+1). */
SIOC_API SIOC_NODISCARD sioc_result sioc_hex_encode(const void *data, size_t n, char *out, size_t cap);
/* Hex (either case) to bytes; SIOC_ERR_PARSE on odd length or a non-hex character. */
SIOC_API SIOC_NODISCARD sioc_result sioc_hex_decode(const char *hex, size_t len, uint8_t *out, size_t cap,
                                                     size_t *out_len);

/* Standard base64 (RFC 4648 section 4) with '=' padding. `out` gets the text plus a NUL. */
#define SIOC_BASE64_ENCODED_LEN(n) ((((n) + 2) / 3) * 4)
SIOC_API SIOC_NODISCARD sioc_result sioc_base64_encode(const void *data, size_t n, char *out, size_t cap,
                                                        size_t *out_len);
/* Strict decoder: length a multiple of 4, padding only at the end, unused bits zero, no whitespace or other
   alphabet; anything else is SIOC_ERR_PARSE. */
SIOC_API SIOC_NODISCARD sioc_result sioc_base64_decode(const char *text, size_t len, uint8_t *out, size_t cap,
                                                        size_t *out_len);

/* Percent-encoding, appended to a sioc_buf.
   SIOC_PCT_RFC3986: everything except A-Z a-z 0-9 - . _ ~ (AWS SigV4 canonical form, upper-case hex).
   SIOC_PCT_URI_COMPONENT: JavaScript encodeURIComponent (also leaves ! ' ( ) * unescaped).
   SIOC_PCT_PATH: like RFC3986 but '/' is kept (a SigV4 canonical URI). */
typedef enum sioc_pct_mode { SIOC_PCT_RFC3986 = 0, SIOC_PCT_URI_COMPONENT = 1, SIOC_PCT_PATH = 2 } sioc_pct_mode;
SIOC_API void sioc_pct_encode(sioc_buf *out, const char *s, size_t len, sioc_pct_mode mode);
/* Decode %XX (and '+' as space when plus_is_space); SIOC_ERR_PARSE on a bad escape. */
SIOC_API SIOC_NODISCARD sioc_result sioc_pct_decode(const char *s, size_t len, int plus_is_space, sioc_buf *out);
