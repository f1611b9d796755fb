/* ---- tls: the table a TLS backend fills in (selected at compile time by SIOC_TLS) ----
   The HTTP engine talks to TLS only through this table, over byte buffers: ciphertext in and out on the
   socket side, plaintext in and out on the HTTP side. Nothing blocks; a backend reports "not now" by taking or
   giving zero bytes. One backend is compiled in (tls_none.c, tls_mbedtls.c or tls_bearssl.c).
   Rules every backend keeps (see docs/DESIGN.md section 9): refuse a NULL or empty host name, always set the host
   name for SNI and verification, require a trusted chain, seed from the caller's random callback, and keep
   room for a full 16 KB record on the receive side. */
#pragma once
#include "base.h"

struct sioc_http_client;

typedef struct sioc_tls_ops {
    const char *name;
    /* Client-wide state (trust anchors, DRBG) in *out_state; called once from sioc_http_client_init(). */
    sioc_result (*client_init)(struct sioc_http_client *c, void **out_state);
    void (*client_free)(struct sioc_http_client *c, void *state);
    /* Per-connection state of conn_size() bytes, allocated by the engine; open starts the handshake. */
    size_t (*conn_size)(void);
    sioc_result (*open)(struct sioc_http_client *c, void *state, void *conn, const char *host);
    void (*close)(void *conn);
    /* Advance the handshake: SIOC_OK when done, SIOC_AGAIN while in progress, or a typed error
       (SIOC_ERR_TLS_UNTRUSTED, _HOSTNAME, _EXPIRED, _TIME, SIOC_ERR_TLS). */
    sioc_result (*handshake)(void *conn);
    /* Ciphertext from the socket: room, then feed (takes at most room bytes). */
    size_t (*recv_room)(void *conn);
    sioc_result (*feed)(void *conn, const uint8_t *in, size_t len);
    /* Ciphertext for the socket: peek and acknowledge. */
    void (*out)(void *conn, const uint8_t **p, size_t *n);
    void (*out_done)(void *conn, size_t n);
    /* Plaintext to encrypt: *used bytes taken (0 when the send side is full). A backend may require the same
       arguments again after taking 0 (mbedTLS), so callers retry with an unchanged pointer and length. */
    sioc_result (*write)(void *conn, const uint8_t *p, size_t n, size_t *used);
    /* Decrypted plaintext: peek (SIOC_ERR_CLOSED after the peer's close_notify) and acknowledge. */
    sioc_result (*read)(void *conn, const uint8_t **p, size_t *n);
    void (*read_done)(void *conn, size_t n);
    /* The backend's own code for the last failure on conn (0: none), for detail texts. */
    long (*last_error)(void *conn);
} sioc_tls_ops;

/* Name and version of the compiled-in TLS backend: "none", "mbedtls 2.28.3", "bearssl 0.6". */
SIOC_API const char *sioc_tls_backend(void);
