/* ---- tls_mbedtls.c: TLS 1.2 through mbedTLS 2.28 (Debian libmbedtls-dev; link -lmbedtls -lmbedx509 -lmbedcrypto) ----
   The socket side is two byte queues behind custom BIO callbacks that answer WANT_READ / WANT_WRITE when empty or
   full, so mbedTLS never touches a socket. Pitfalls handled (docs/DESIGN.md section 9):
   - mbedtls_ssl_set_hostname() is always called and an empty name is refused first: 2.28.3 silently skips the
     name check when it is never called (CVE-2025-27809).
   - MBEDTLS_SSL_VERIFY_REQUIRED is set explicitly; no verify callback clears any flag.
   - The DRBG is seeded from the caller's random callback; no OS entropy source is used.
   - mbedTLS reads the system clock for certificate validity; the caller's clock can only be checked for
     plausibility (SIOC_ERR_TLS_TIME before 2024).
   - After WANT_WRITE, mbedtls_ssl_write() is called again with the same pointer and length (the engine keeps
     its send position until bytes are taken).
   mbedTLS allocates its record buffers itself (calloc) in mbedtls_ssl_setup(), i.e. when a connection opens. */
#include "base.h"
#include "internal.h"
#include "tls.h"
#include "http.h"

#if SIOC_TLS == SIOC_TLS_MBEDTLS

#include <mbedtls/ctr_drbg.h>
#include <mbedtls/ssl.h>
#include <mbedtls/version.h>
#include <mbedtls/x509_crt.h>

#if MBEDTLS_VERSION_NUMBER < 0x02100000 || MBEDTLS_VERSION_NUMBER >= 0x03000000
#error "tls_mbedtls.c is written for mbedTLS 2.16 .. 2.28"
#endif

#define SIOC__MBED_IN 4096          /* ciphertext waiting for mbedTLS (it pulls records out at once) */
#define SIOC__MBED_OUT (16384 + 512) /* ciphertext for the socket: a full record */
#define SIOC__MBED_PLAIN 4096       /* decrypted bytes for the HTTP parser */
#define SIOC__MIN_PLAUSIBLE_UTC 1704067200 /* 2024-01-01: a clock before this is unset */

typedef struct sioc__mbed_client {
    mbedtls_ssl_config conf;
    mbedtls_x509_crt ca;
    mbedtls_ctr_drbg_context drbg;
    sioc_http_client *c;
} sioc__mbed_client;

typedef struct sioc__mbed_conn {
    mbedtls_ssl_context ssl;
    int setup, done, last; /* last: the mbedTLS error code of the last failure */
    sioc_bq in, out;
    size_t plain_off, plain_len;
    uint8_t in_mem[SIOC__MBED_IN];
    uint8_t out_mem[SIOC__MBED_OUT];
    uint8_t plain[SIOC__MBED_PLAIN];
} sioc__mbed_conn;

static int sioc__mbed_entropy(void *user, unsigned char *buf, size_t len) {
    sioc_http_client *c = (sioc_http_client *)user;
    return c->desc.random(c->desc.user, buf, len) == SIOC_OK ? 0 : -1;
}

static void sioc__mbed_client_free(struct sioc_http_client *c, void *state) {
    sioc__mbed_client *m = (sioc__mbed_client *)state;
    if (!m) return;
    mbedtls_ssl_config_free(&m->conf);
    mbedtls_x509_crt_free(&m->ca);
    mbedtls_ctr_drbg_free(&m->drbg);
    sioc__free(&c->desc.allocator, m, sizeof *m);
}

/* Trust anchors from PEM text (may lack its NUL) and/or a file (ca_file, or the system bundle when neither is
   given). A file or buffer of which no certificate parses is an error; single certificates mbedTLS cannot read
   inside a larger bundle are skipped. */
static sioc_result sioc__mbed_load_ca(sioc_http_client *c, sioc__mbed_client *m, const char *file) {
    const sioc_http_client_desc *d = &c->desc;
    int r;
    if (d->ca_pem && d->ca_pem_len) {
        char *tmp = (char *)sioc__alloc(&d->allocator, d->ca_pem_len + 1);
        if (!tmp) return SIOC_ERR_NOMEM;
        memcpy(tmp, d->ca_pem, d->ca_pem_len);
        tmp[d->ca_pem_len] = 0; /* mbedTLS wants the NUL counted in the PEM length */
        r = mbedtls_x509_crt_parse(&m->ca, (const unsigned char *)tmp, d->ca_pem_len + 1);
        sioc__free(&d->allocator, tmp, d->ca_pem_len + 1);
        if (r < 0 || m->ca.version == 0) {
            sioc__detail_set(c->detail, sizeof c->detail, "ca_pem: no certificate could be read", NULL, NULL);
            return SIOC_ERR_TLS;
        }
    }
    if (file) {
        r = mbedtls_x509_crt_parse_file(&m->ca, file);
        if (r < 0 || m->ca.version == 0) {
            sioc__detail_set(c->detail, sizeof c->detail, file, ": no certificate could be read", NULL);
            return SIOC_ERR_TLS;
        }
    }
    return SIOC_OK;
}

static sioc_result sioc__mbed_client_init(struct sioc_http_client *c, void **out_state) {
    sioc__mbed_client *m;
    sioc_result r;
    static const unsigned char pers[] = "sio_cluster.h tls";
    const char *file = c->desc.ca_file, *system = NULL;
    *out_state = NULL;
    /* Without trust anchors, randomness or a clock there is no TLS: sioc_http_endpoint() says so. */
    if (!c->desc.random || !c->desc.utc_now) {
        sioc__detail_set(c->p_tls_why, sizeof c->p_tls_why, "no ", !c->desc.random ? "random" : "utc_now",
                         " callback in the http desc");
        return SIOC_OK;
    }
    if (!c->desc.ca_pem && !file) {
        file = system = sioc__tls_system_ca();
        if (!file) {
            sioc__detail_set(c->p_tls_why, sizeof c->p_tls_why, "no trust anchors: set ca_file (no system CA bundle)",
                             NULL, NULL);
            return SIOC_OK;
        }
    }
    m = (sioc__mbed_client *)sioc__alloc(&c->desc.allocator, sizeof *m);
    if (!m) return SIOC_ERR_NOMEM;
    memset(m, 0, sizeof *m);
    m->c = c;
    mbedtls_ssl_config_init(&m->conf);
    mbedtls_x509_crt_init(&m->ca);
    mbedtls_ctr_drbg_init(&m->drbg);
    r = sioc__mbed_load_ca(c, m, file);
    if (r == SIOC_ERR_TLS && system) { /* an unreadable system bundle is not the caller's error: no TLS, and why */
        sioc__detail_set(c->p_tls_why, sizeof c->p_tls_why, "system CA bundle unreadable: ", system, NULL);
        c->detail[0] = 0;
        sioc__mbed_client_free(c, m);
        return SIOC_OK;
    }
    if (r == SIOC_OK && mbedtls_ctr_drbg_seed(&m->drbg, sioc__mbed_entropy, c, pers, sizeof pers - 1) != 0)
        r = SIOC_ERR_DEPENDENCY;
    if (r == SIOC_OK && mbedtls_ssl_config_defaults(&m->conf, MBEDTLS_SSL_IS_CLIENT, MBEDTLS_SSL_TRANSPORT_STREAM,
                                                    MBEDTLS_SSL_PRESET_DEFAULT) != 0)
        r = SIOC_ERR_TLS;
    if (r != SIOC_OK) {
        sioc__mbed_client_free(c, m);
        return r;
    }
    mbedtls_ssl_conf_authmode(&m->conf, MBEDTLS_SSL_VERIFY_REQUIRED);
    mbedtls_ssl_conf_ca_chain(&m->conf, &m->ca, NULL);
    mbedtls_ssl_conf_rng(&m->conf, mbedtls_ctr_drbg_random, &m->drbg);
    mbedtls_ssl_conf_min_version(&m->conf, MBEDTLS_SSL_MAJOR_VERSION_3, MBEDTLS_SSL_MINOR_VERSION_3);
    mbedtls_ssl_conf_max_version(&m->conf, MBEDTLS_SSL_MAJOR_VERSION_3, MBEDTLS_SSL_MINOR_VERSION_3);
    *out_state = m;
    return SIOC_OK;
}

static size_t sioc__mbed_conn_size(void) { return sizeof(sioc__mbed_conn); }

static int sioc__mbed_bio_send(void *ctx, const unsigned char *buf, size_t len) {
    sioc__mbed_conn *k = (sioc__mbed_conn *)ctx;
    size_t room = k->out.cap - sioc_bq_len(&k->out), n = SIOC__MIN(room, len);
    if (n == 0) return MBEDTLS_ERR_SSL_WANT_WRITE;
    if (n > 0x7fffffff) n = 0x7fffffff;
    if (sioc_bq_write(&k->out, buf, n) != SIOC_OK) return MBEDTLS_ERR_SSL_WANT_WRITE;
    return (int)n;
}

static int sioc__mbed_bio_recv(void *ctx, unsigned char *buf, size_t len) {
    sioc__mbed_conn *k = (sioc__mbed_conn *)ctx;
    size_t avail;
    const uint8_t *p = sioc_bq_peek(&k->in, &avail);
    size_t n = SIOC__MIN(avail, len);
    if (n == 0) return MBEDTLS_ERR_SSL_WANT_READ;
    if (n > 0x7fffffff) n = 0x7fffffff;
    memcpy(buf, p, n);
    sioc_bq_consume(&k->in, n);
    return (int)n;
}

static sioc_result sioc__mbed_open(struct sioc_http_client *c, void *state, void *conn, const char *host) {
    sioc__mbed_conn *k = (sioc__mbed_conn *)conn;
    int64_t now;
    if (!host || !host[0]) return SIOC_ERR_TLS_NO_HOSTNAME; /* before any byte: never "verify nothing" */
    if (!state) return SIOC_ERR_DEPENDENCY;
    now = c->desc.utc_now(c->desc.user);
    if (now < SIOC__MIN_PLAUSIBLE_UTC) return SIOC_ERR_TLS_TIME;
    memset(k, 0, sizeof *k);
    sioc_bq_init(&k->in, k->in_mem, sizeof k->in_mem);
    sioc_bq_init(&k->out, k->out_mem, sizeof k->out_mem);
    mbedtls_ssl_init(&k->ssl);
    k->setup = 1;
    if (mbedtls_ssl_setup(&k->ssl, &((sioc__mbed_client *)state)->conf) != 0) return SIOC_ERR_NOMEM;
    if (mbedtls_ssl_set_hostname(&k->ssl, host) != 0) return SIOC_ERR_TLS_NO_HOSTNAME; /* SNI + name check */
    mbedtls_ssl_set_bio(&k->ssl, k, sioc__mbed_bio_send, sioc__mbed_bio_recv, NULL);
    return SIOC_OK;
}

static void sioc__mbed_close(void *conn) {
    sioc__mbed_conn *k = (sioc__mbed_conn *)conn;
    if (k->setup) mbedtls_ssl_free(&k->ssl);
    k->setup = 0;
}

/* The most specific reason: an untrusted chain makes the other flags meaningless, so it comes first. */
static sioc_result sioc__mbed_error(sioc__mbed_conn *k, int r) {
    if (r == MBEDTLS_ERR_X509_CERT_VERIFY_FAILED) {
        uint32_t f = mbedtls_ssl_get_verify_result(&k->ssl);
        if (f & MBEDTLS_X509_BADCERT_NOT_TRUSTED) return SIOC_ERR_TLS_UNTRUSTED;
        if (f & (MBEDTLS_X509_BADCERT_EXPIRED | MBEDTLS_X509_BADCERT_FUTURE)) return SIOC_ERR_TLS_EXPIRED;
        if (f & MBEDTLS_X509_BADCERT_CN_MISMATCH) return SIOC_ERR_TLS_HOSTNAME;
    }
    return SIOC_ERR_TLS;
}

static int sioc__mbed_again(int r) {
    return r == MBEDTLS_ERR_SSL_WANT_READ || r == MBEDTLS_ERR_SSL_WANT_WRITE ||
           r == MBEDTLS_ERR_SSL_ASYNC_IN_PROGRESS || r == MBEDTLS_ERR_SSL_CRYPTO_IN_PROGRESS;
}

static sioc_result sioc__mbed_handshake(void *conn) {
    sioc__mbed_conn *k = (sioc__mbed_conn *)conn;
    int r;
    if (k->done) return SIOC_OK;
    r = mbedtls_ssl_handshake(&k->ssl);
    if (r == 0) {
        k->done = 1;
        return SIOC_OK;
    }
    if (sioc__mbed_again(r)) return SIOC_AGAIN;
    k->last = r;
    return sioc__mbed_error(k, r);
}

static size_t sioc__mbed_recv_room(void *conn) {
    sioc__mbed_conn *k = (sioc__mbed_conn *)conn;
    return k->in.cap - sioc_bq_len(&k->in);
}

static sioc_result sioc__mbed_feed(void *conn, const uint8_t *in, size_t len) {
    sioc__mbed_conn *k = (sioc__mbed_conn *)conn;
    return sioc_bq_write(&k->in, in, len) == SIOC_OK ? SIOC_OK : SIOC_ERR_BUFFER_TOO_SMALL;
}

static void sioc__mbed_out(void *conn, const uint8_t **p, size_t *n) {
    sioc__mbed_conn *k = (sioc__mbed_conn *)conn;
    *p = sioc_bq_peek(&k->out, n);
}

static void sioc__mbed_out_done(void *conn, size_t n) { sioc_bq_consume(&((sioc__mbed_conn *)conn)->out, n); }

static sioc_result sioc__mbed_write(void *conn, const uint8_t *p, size_t n, size_t *used) {
    sioc__mbed_conn *k = (sioc__mbed_conn *)conn;
    int r;
    *used = 0;
    if (!k->done) return SIOC_OK;
    r = mbedtls_ssl_write(&k->ssl, p, n);
    if (r >= 0) {
        *used = (size_t)r;
        return SIOC_OK;
    }
    if (sioc__mbed_again(r)) return SIOC_OK;
    k->last = r;
    return SIOC_ERR_TLS;
}

static sioc_result sioc__mbed_read(void *conn, const uint8_t **p, size_t *n) {
    sioc__mbed_conn *k = (sioc__mbed_conn *)conn;
    *p = NULL;
    *n = 0;
    if (!k->done) return SIOC_OK;
    if (k->plain_len == 0) {
        int r = mbedtls_ssl_read(&k->ssl, k->plain, sizeof k->plain);
        if (r > 0) {
            k->plain_off = 0;
            k->plain_len = (size_t)r;
        } else if (r == 0 || r == MBEDTLS_ERR_SSL_PEER_CLOSE_NOTIFY) {
            return SIOC_ERR_CLOSED;
        } else if (!sioc__mbed_again(r)) {
            k->last = r;
            return SIOC_ERR_TLS;
        }
    }
    *p = k->plain + k->plain_off;
    *n = k->plain_len;
    return SIOC_OK;
}

static void sioc__mbed_read_done(void *conn, size_t n) {
    sioc__mbed_conn *k = (sioc__mbed_conn *)conn;
    if (n > k->plain_len) n = k->plain_len;
    k->plain_off += n;
    k->plain_len -= n;
}

static long sioc__mbed_last_error(void *conn) { return ((sioc__mbed_conn *)conn)->last; }

static const sioc_tls_ops *sioc__tls_ops(void) {
    static const sioc_tls_ops ops = {"mbedtls",
                                     sioc__mbed_client_init,
                                     sioc__mbed_client_free,
                                     sioc__mbed_conn_size,
                                     sioc__mbed_open,
                                     sioc__mbed_close,
                                     sioc__mbed_handshake,
                                     sioc__mbed_recv_room,
                                     sioc__mbed_feed,
                                     sioc__mbed_out,
                                     sioc__mbed_out_done,
                                     sioc__mbed_write,
                                     sioc__mbed_read,
                                     sioc__mbed_read_done,
                                     sioc__mbed_last_error};
    return &ops;
}

SIOC_API const char *sioc_tls_backend(void) { return "mbedtls " MBEDTLS_VERSION_STRING; }

#endif /* SIOC_TLS == SIOC_TLS_MBEDTLS */
