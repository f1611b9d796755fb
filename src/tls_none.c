/* ---- tls_none.c: no TLS compiled in ----
   Plain TCP only. An https endpoint is refused by sioc_http_endpoint() unless the application declared that it
   terminates TLS itself (desc.tls_offload: a modem or offload engine); then the bytes pass through untouched. */
#include "base.h"
#include "tls.h"

#if SIOC_TLS == SIOC_TLS_NONE

static sioc_result sioc__tlsn_client_init(struct sioc_http_client *c, void **out_state) {
    (void)c;
    *out_state = NULL;
    return SIOC_OK;
}
static void sioc__tlsn_client_free(struct sioc_http_client *c, void *state) { (void)c, (void)state; }
static size_t sioc__tlsn_conn_size(void) { return 0; }
static sioc_result sioc__tlsn_open(struct sioc_http_client *c, void *state, void *conn, const char *host) {
    (void)c, (void)state, (void)conn, (void)host;
    return SIOC_ERR_UNSUPPORTED;
}
static void sioc__tlsn_close(void *conn) { (void)conn; }
static sioc_result sioc__tlsn_handshake(void *conn) {
    (void)conn;
    return SIOC_ERR_UNSUPPORTED;
}
static size_t sioc__tlsn_recv_room(void *conn) {
    (void)conn;
    return 0;
}
static sioc_result sioc__tlsn_feed(void *conn, const uint8_t *in, size_t len) {
    (void)conn, (void)in, (void)len;
    return SIOC_ERR_UNSUPPORTED;
}
static void sioc__tlsn_out(void *conn, const uint8_t **p, size_t *n) {
    (void)conn;
    *p = NULL;
    *n = 0;
}
static void sioc__tlsn_ack(void *conn, size_t n) { (void)conn, (void)n; }
static sioc_result sioc__tlsn_write(void *conn, const uint8_t *p, size_t n, size_t *used) {
    (void)conn, (void)p, (void)n;
    *used = 0;
    return SIOC_ERR_UNSUPPORTED;
}
static sioc_result sioc__tlsn_read(void *conn, const uint8_t **p, size_t *n) {
    (void)conn;
    *p = NULL;
    *n = 0;
    return SIOC_ERR_UNSUPPORTED;
}

static const sioc_tls_ops *sioc__tls_ops(void) {
    static const sioc_tls_ops ops = {"none",
                                     sioc__tlsn_client_init,
                                     sioc__tlsn_client_free,
                                     sioc__tlsn_conn_size,
                                     sioc__tlsn_open,
                                     sioc__tlsn_close,
                                     sioc__tlsn_handshake,
                                     sioc__tlsn_recv_room,
                                     sioc__tlsn_feed,
                                     sioc__tlsn_out,
                                     sioc__tlsn_ack,
                                     sioc__tlsn_write,
                                     sioc__tlsn_read,
                                     sioc__tlsn_ack,
                                     NULL};
    return &ops;
}

SIOC_API const char *sioc_tls_backend(void) { return "none"; }

#endif /* SIOC_TLS == SIOC_TLS_NONE */
