/* ---- sigv4: AWS Signature Version 4 request signing ----
   Pure functions over caller memory: no allocation, no clock (the caller passes the time), no global state. The
   canonical request and string to sign are streamed straight into SHA-256/HMAC, so signing needs no scratch
   buffer; the optional sioc_sigv4_canonical_request / sioc_sigv4_string_to_sign calls write them out for tests.
   Rules: AWS General Reference, "Create a signed AWS API request" (SigV4), non-S3 variant: the path is normalised
   (".", ".." and empty segments removed) and each segment of the path *as sent* is percent-encoded once more. */
#pragma once
#include "base.h"
#include "crypto.h"

#ifndef SIOC_SIGV4_MAX_HEADERS
#define SIOC_SIGV4_MAX_HEADERS 32 /* signed headers per request, including the ones the signer adds */
#endif
#ifndef SIOC_SIGV4_MAX_QUERY
#define SIOC_SIGV4_MAX_QUERY 64 /* query parameters per request */
#endif
#ifndef SIOC_SIGV4_MAX_SEGMENTS
#define SIOC_SIGV4_MAX_SEGMENTS 32 /* path segments kept after normalisation */
#endif

/* A header or query parameter: name and value views (not NUL-terminated). */
typedef struct sioc_sigv4_pair {
    sioc_str name;
    sioc_str value;
} sioc_sigv4_pair;

/* Access keys. The views must stay valid while signing; they are never logged or copied into error text.
   session_token is empty for long-term keys; with temporary keys it is sent and signed as X-Amz-Security-Token. */
typedef struct sioc_sigv4_credentials {
    sioc_str access_key_id;
    sioc_str secret_access_key;
    sioc_str session_token;
} sioc_sigv4_credentials;

/* Flags for sioc_sigv4_params.flags. */
#define SIOC_SIGV4_ADD_CONTENT_SHA256 1u /* also sign x-amz-content-sha256 (not required by SNS/SQS) */
#define SIOC_SIGV4_UNSIGNED_TOKEN 2u     /* leave X-Amz-Security-Token out of the signature (test suite only) */

/* Who signs, for where and when. region and service are lower-case ("us-east-1", "sns"). */
typedef struct sioc_sigv4_params {
    sioc_sigv4_credentials creds;
    sioc_str region;
    sioc_str service;
    int64_t unix_time; /* seconds since 1970-01-01 UTC, years 1970..9999 */
    unsigned flags;
} sioc_sigv4_params;

/* The request as it will be sent. Every header listed is signed (Host is required, exactly as sent, with the
   port when it is not the scheme's default); repeated names are joined with ',' in order. The signer adds
   x-amz-date, x-amz-security-token (with a session token) and x-amz-content-sha256 (when flagged) itself: they must
   not be in `headers`. */
typedef struct sioc_sigv4_request {
    sioc_str method;                 /* "POST" */
    sioc_str path;                   /* path as sent, without the query ("" counts as "/") */
    const sioc_sigv4_pair *query;    /* decoded query parameters, any order (encoded and sorted by the signer) */
    size_t query_count;
    const sioc_sigv4_pair *headers;
    size_t header_count;
    sioc_bytes payload;              /* the body */
    const char *payload_hash;        /* optional: 64 lower-case hex digits of SHA-256(payload); NULL to compute */
} sioc_sigv4_request;

/* Cache of the derived signing key for one (key id, secret, day, region, service), so a steady stream of
   requests costs one HMAC-SHA256 chain per day instead of one per request. Zero-initialise it; keep one per
   (region, service). It holds key material: wipe it (memset) when done with the credentials. */
typedef struct sioc_sigv4_key_cache {
    uint8_t id[SIOC_SHA256_LEN]; /* SHA-256 fingerprint of what the key was derived from */
    sioc_hmac_sha256_ctx mac;    /* HMAC already keyed with the signing key */
    uint8_t valid;
} sioc_sigv4_key_cache;

/* What the caller adds to the request besides Authorization. */
typedef struct sioc_sigv4_result {
    char amz_date[17];     /* X-Amz-Date value, "YYYYMMDDTHHMMSSZ", NUL-terminated */
    char payload_hash[65]; /* lower-case hex SHA-256 of the payload (the X-Amz-Content-Sha256 value) */
    char signature[65];    /* lower-case hex signature */
} sioc_sigv4_result;

/* Sign: fills *out and appends the Authorization header *value* ("AWS4-HMAC-SHA256 Credential=..., SignedHeaders=
   ..., Signature=...") to `authorization`. `cache` may be NULL. Returns SIOC_OK, SIOC_ERR_ARG (missing Host or
   credentials, bad characters in a header name/value, region or service, a header the signer owns),
   SIOC_ERR_LIMIT (more headers, query parameters or path segments than the SIOC_SIGV4_MAX_* limits),
   SIOC_ERR_RANGE (time outside 1970..9999) or the buffer's error. */
SIOC_API SIOC_NODISCARD sioc_result sioc_sigv4_sign(const sioc_sigv4_params *p, const sioc_sigv4_request *req,
                                                     sioc_sigv4_key_cache *cache, sioc_buf *authorization,
                                                     sioc_sigv4_result *out);

/* The canonical request and the string to sign, written out (for tests and debugging; no secret involved). */
SIOC_API SIOC_NODISCARD sioc_result sioc_sigv4_canonical_request(const sioc_sigv4_params *p,
                                                                  const sioc_sigv4_request *req, sioc_buf *out);
SIOC_API SIOC_NODISCARD sioc_result sioc_sigv4_string_to_sign(const sioc_sigv4_params *p,
                                                               const sioc_sigv4_request *req, sioc_buf *out);

/* The derived signing key HMAC(HMAC(HMAC(HMAC("AWS4"+secret, yyyymmdd), region), service), "aws4_request"). */
SIOC_API void sioc_sigv4_signing_key(sioc_str secret, const char yyyymmdd[8], sioc_str region, sioc_str service,
                                     uint8_t out[SIOC_SHA256_LEN]);

/* Unix time to "YYYYMMDDTHHMMSSZ" (+ NUL). SIOC_ERR_RANGE outside years 1970..9999. */
SIOC_API SIOC_NODISCARD sioc_result sioc_sigv4_format_date(int64_t unix_time, char out[17]);
/* An HTTP Date header in IMF-fixdate form ("Mon, 23 Nov 2026 05:47:55 GMT", RFC 9110 section 5.6.7) to Unix
   time, for clock-skew correction. SIOC_ERR_PARSE on any other form or an impossible date. */
SIOC_API SIOC_NODISCARD sioc_result sioc_sigv4_parse_http_date(sioc_str text, int64_t *out_unix_time);
