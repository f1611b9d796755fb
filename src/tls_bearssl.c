/* ---- tls_bearssl.c: TLS 1.2 through BearSSL 0.6 (Debian libbearssl-dev; link -lbearssl) ----
   BearSSL's engine is already sans-I/O: its four buffers (send-record, receive-record, send-app, receive-app, each
   with an acknowledge call) are the ops one for one; the blocking br_sslio wrapper is not used. BearSSL never
   allocates: the per-connection state (client context, X.509 validator, I/O buffer) is one block from the engine.
   Pitfalls handled (docs/DESIGN.md section 9):
   - br_ssl_client_reset() with a NULL name disables SNI and the name check: an empty name is refused first.
   - Trust anchors are decoded from PEM (BearSSL's streaming PEM and X.509 decoders) and deep-copied.
   - Validity is checked against the caller's clock (br_x509_minimal_set_time, days since year 0 =
     unix / 86400 + 719528); a clock before 2024 fails with SIOC_ERR_TLS_TIME.
   - Entropy comes from the caller's random callback (br_ssl_engine_inject_entropy), never the OS.
   - The receive side always holds a full 16 KB record (AWS and Azure ignore max_fragment_length). */
#include "base.h"
#include "internal.h"
#include "tls.h"
#include "http.h"

#if SIOC_TLS == SIOC_TLS_BEARSSL

#include <bearssl.h>
#include <stdio.h> /* ca_file only */

#ifndef SIOC_BEARSSL_BIDI
#define SIOC_BEARSSL_BIDI 1 /* 1: 33 KB full-duplex I/O buffer per connection; 0: 16.7 KB half-duplex */
#endif

#define SIOC__BSSL_MIN_PLAUSIBLE_UTC 1704067200 /* 2024-01-01 */

typedef struct sioc__bssl_client {
    br_x509_trust_anchor *tas;
    size_t n_tas, size; /* size of this block (anchors and their bytes follow the struct) */
} sioc__bssl_client;

typedef struct sioc__bssl_conn {
    br_ssl_client_context cc;
    br_x509_minimal_context xc;
    unsigned char iobuf[SIOC_BEARSSL_BIDI ? BR_SSL_BUFSIZE_BIDI : BR_SSL_BUFSIZE_MONO];
} sioc__bssl_conn;

/* ---- trust anchors ---- */

typedef struct sioc__bssl_sink {
    uint8_t *buf;
    size_t cap, len;
} sioc__bssl_sink;

static void sioc__bssl_append(void *ctx, const void *p, size_t n) {
    sioc__bssl_sink *s = (sioc__bssl_sink *)ctx;
    if (s->buf && n <= s->cap - SIOC__MIN(s->len, s->cap)) memcpy(s->buf + s->len, p, n);
    s->len += n; /* counts even when it does not fit: the first pass measures */
}

/* Every CERTIFICATE object of the PEM text, as DER, one after the other in `der`; lens[] gets their sizes.
   Returns the number of certificates, or -1 on a PEM error. With der == NULL only counts and measures. */
static long sioc__bssl_pem_to_der(const char *pem, size_t len, sioc__bssl_sink *der, size_t *lens, size_t max) {
    br_pem_decoder_context pc;
    long count = 0;
    int in_cert = 0, pushed_nl = 0;
    size_t start = 0;
    br_pem_decoder_init(&pc);
    while (len > 0 || !pushed_nl) {
        size_t used;
        if (len == 0) { /* a final line may lack its newline */
            pem = "\n";
            len = 1;
            pushed_nl = 1;
        }
        used = br_pem_decoder_push(&pc, pem, len);
        pem += used;
        len -= used;
        switch (br_pem_decoder_event(&pc)) {
        case BR_PEM_BEGIN_OBJ: {
            const char *name = br_pem_decoder_name(&pc);
            in_cert = !strcmp(name, "CERTIFICATE") || !strcmp(name, "X509 CERTIFICATE");
            br_pem_decoder_setdest(&pc, in_cert ? sioc__bssl_append : NULL, in_cert ? der : NULL);
            start = der->len;
            break;
        }
        case BR_PEM_END_OBJ:
            if (in_cert) {
                if (lens && (size_t)count < max) lens[count] = der->len - start;
                count++;
            }
            in_cert = 0;
            break;
        case BR_PEM_ERROR:
            return -1;
        default:
            break;
        }
    }
    return count;
}

/* Decode one certificate: subject DN into *dn, key into *out; 0 on success. */
static int sioc__bssl_decode(const uint8_t *der, size_t len, sioc__bssl_sink *dn, br_x509_pkey *out, int *is_ca,
                             br_x509_decoder_context *dc) {
    const br_x509_pkey *pk;
    br_x509_decoder_init(dc, sioc__bssl_append, dn);
    br_x509_decoder_push(dc, der, len);
    pk = br_x509_decoder_get_pkey(dc);
    if (!pk) return -1;
    *out = *pk; /* points into dc: copied out by the caller before dc is reused */
    *is_ca = br_x509_decoder_isCA(dc);
    return 0;
}

static size_t sioc__bssl_key_bytes(const br_x509_pkey *k) {
    return k->key_type == BR_KEYTYPE_RSA ? k->key.rsa.nlen + k->key.rsa.elen : k->key.ec.qlen;
}

/* The PEM texts (buffer and file: ca_file, or the system bundle) joined; caller frees *out with the same size. */
static sioc_result sioc__bssl_gather(const sioc_http_client_desc *d, const char *file, char **out, size_t *out_len) {
    size_t file_len = 0, total;
    FILE *f = NULL;
    char *buf;
    *out = NULL;
    *out_len = 0;
    if (file) {
        long n;
        f = fopen(file, "rb");
        if (!f) return SIOC_ERR_TLS;
        if (fseek(f, 0, SEEK_END) != 0 || (n = ftell(f)) < 0 || fseek(f, 0, SEEK_SET) != 0) {
            fclose(f);
            return SIOC_ERR_TLS;
        }
        file_len = (size_t)n;
    }
    total = (d->ca_pem ? d->ca_pem_len : 0) + 1 + file_len;
    buf = (char *)sioc__alloc(&d->allocator, total);
    if (!buf) {
        if (f) fclose(f);
        return SIOC_ERR_NOMEM;
    }
    if (d->ca_pem && d->ca_pem_len) memcpy(buf, d->ca_pem, d->ca_pem_len);
    buf[d->ca_pem ? d->ca_pem_len : 0] = '\n';
    if (f) {
        size_t got = fread(buf + total - file_len, 1, file_len, f);
        fclose(f);
        if (got != file_len) {
            sioc__free(&d->allocator, buf, total);
            return SIOC_ERR_TLS;
        }
    }
    *out = buf;
    *out_len = total;
    return SIOC_OK;
}

static void sioc__bssl_client_free(struct sioc_http_client *c, void *state) {
    sioc__bssl_client *b = (sioc__bssl_client *)state;
    if (b) sioc__free(&c->desc.allocator, b, b->size);
}

/* Anchors: measure (pass 1), then allocate one block and deep-copy DN and key bytes into it (pass 2). */
static sioc_result sioc__bssl_client_init(struct sioc_http_client *c, void **out_state) {
    const sioc_http_client_desc *d = &c->desc;
    char *pem = NULL;
    size_t pem_len = 0, *lens = NULL, i, off, bytes = 0, block;
    long count;
    sioc__bssl_sink der;
    sioc__bssl_client *b = NULL;
    br_x509_decoder_context *dc = NULL;
    sioc_result r;
    uint8_t *p;
    const char *file = d->ca_file, *system = NULL;
    *out_state = NULL;
    if (!d->random || !d->utc_now) { /* no TLS: sioc_http_endpoint() says so */
        sioc__detail_set(c->p_tls_why, sizeof c->p_tls_why, "no ", !d->random ? "random" : "utc_now",
                         " callback in the http desc");
        return SIOC_OK;
    }
    if (!d->ca_pem && !file) {
        file = system = sioc__tls_system_ca();
        if (!file) {
            sioc__detail_set(c->p_tls_why, sizeof c->p_tls_why, "no trust anchors: set ca_file (no system CA bundle)",
                             NULL, NULL);
            return SIOC_OK;
        }
    }
    r = sioc__bssl_gather(d, file, &pem, &pem_len);
    if (r != SIOC_OK) {
        if (system) { /* an unreadable system bundle is not the caller's error: no TLS, and why */
            sioc__detail_set(c->p_tls_why, sizeof c->p_tls_why, "system CA bundle unreadable: ", system, NULL);
            return SIOC_OK;
        }
        if (file) sioc__detail_set(c->detail, sizeof c->detail, file, ": cannot be read", NULL);
        return r;
    }
    memset(&der, 0, sizeof der);
    count = sioc__bssl_pem_to_der(pem, pem_len, &der, NULL, 0);
    if (count <= 0) {
        sioc__detail_set(c->detail, sizeof c->detail, file ? file : "ca_pem", ": no certificate could be read", NULL);
        r = SIOC_ERR_TLS;
        goto done;
    }
    der.cap = der.len;
    der.len = 0;
    der.buf = (uint8_t *)sioc__alloc(&d->allocator, der.cap);
    lens = (size_t *)sioc__alloc(&d->allocator, (size_t)count * sizeof *lens);
    dc = (br_x509_decoder_context *)sioc__alloc(&d->allocator, sizeof *dc);
    if (!der.buf || !lens || !dc) {
        r = SIOC_ERR_NOMEM;
        goto done;
    }
    if (sioc__bssl_pem_to_der(pem, pem_len, &der, lens, (size_t)count) != count) {
        r = SIOC_ERR_TLS;
        goto done;
    }
    for (i = 0, off = 0; i < (size_t)count; off += lens[i], i++) { /* measure */
        sioc__bssl_sink dn;
        br_x509_pkey key;
        int is_ca;
        memset(&dn, 0, sizeof dn);
        if (sioc__bssl_decode(der.buf + off, lens[i], &dn, &key, &is_ca, dc) != 0) {
            if (system) continue; /* the system bundle may hold a key type BearSSL lacks: that anchor is left out */
            sioc__detail_set(c->detail, sizeof c->detail, file ? file : "ca_pem", ": a certificate BearSSL cannot decode",
                             NULL);
            r = SIOC_ERR_TLS;
            goto done;
        }
        bytes += dn.len + sioc__bssl_key_bytes(&key);
    }
    block = sizeof *b + (size_t)count * sizeof(br_x509_trust_anchor) + bytes;
    b = (sioc__bssl_client *)sioc__alloc(&d->allocator, block);
    if (!b) {
        r = SIOC_ERR_NOMEM;
        goto done;
    }
    memset(b, 0, block);
    b->size = block;
    b->tas = (br_x509_trust_anchor *)(void *)(b + 1);
    p = (uint8_t *)(b->tas + count);
    for (i = 0, off = 0; i < (size_t)count; off += lens[i], i++) { /* copy */
        br_x509_trust_anchor *ta = &b->tas[b->n_tas];
        sioc__bssl_sink dn;
        br_x509_pkey key;
        int is_ca, bad;
        dn.buf = p;
        dn.cap = bytes - (size_t)(p - (uint8_t *)(b->tas + count));
        dn.len = 0;
        bad = sioc__bssl_decode(der.buf + off, lens[i], &dn, &key, &is_ca, dc) != 0;
        if (bad && system) continue; /* left out when measuring too */
        if (bad || dn.len > dn.cap) {
            r = SIOC_ERR_TLS;
            goto done;
        }
        b->n_tas++;
        ta->dn.data = p;
        ta->dn.len = dn.len;
        p += dn.len;
        ta->flags = is_ca ? BR_X509_TA_CA : 0;
        ta->pkey.key_type = key.key_type;
        if (key.key_type == BR_KEYTYPE_RSA) {
            memcpy(p, key.key.rsa.n, key.key.rsa.nlen);
            ta->pkey.key.rsa.n = p;
            ta->pkey.key.rsa.nlen = key.key.rsa.nlen;
            p += key.key.rsa.nlen;
            memcpy(p, key.key.rsa.e, key.key.rsa.elen);
            ta->pkey.key.rsa.e = p;
            ta->pkey.key.rsa.elen = key.key.rsa.elen;
            p += key.key.rsa.elen;
        } else {
            memcpy(p, key.key.ec.q, key.key.ec.qlen);
            ta->pkey.key.ec.curve = key.key.ec.curve;
            ta->pkey.key.ec.q = p;
            ta->pkey.key.ec.qlen = key.key.ec.qlen;
            p += key.key.ec.qlen;
        }
    }
    if (b->n_tas == 0) {
        sioc__detail_set(c->detail, sizeof c->detail, file ? file : "ca_pem", ": no usable certificate", NULL);
        r = SIOC_ERR_TLS;
        goto done;
    }
    *out_state = b;
    b = NULL;
    r = SIOC_OK;
done:
    if (b) sioc__free(&d->allocator, b, b->size);
    if (dc) sioc__free(&d->allocator, dc, sizeof *dc);
    if (lens) sioc__free(&d->allocator, lens, (size_t)count * sizeof *lens);
    if (der.buf) sioc__free(&d->allocator, der.buf, der.cap);
    sioc__free(&d->allocator, pem, pem_len);
    return r;
}

/* ---- connections ---- */

static size_t sioc__bssl_conn_size(void) { return sizeof(sioc__bssl_conn); }

static sioc_result sioc__bssl_error(int err) {
    switch (err) {
    case BR_ERR_X509_NOT_TRUSTED:
        return SIOC_ERR_TLS_UNTRUSTED;
    case BR_ERR_X509_EXPIRED:
        return SIOC_ERR_TLS_EXPIRED;
    case BR_ERR_X509_BAD_SERVER_NAME:
        return SIOC_ERR_TLS_HOSTNAME;
    default:
        return SIOC_ERR_TLS;
    }
}

static sioc_result sioc__bssl_open(struct sioc_http_client *c, void *state, void *conn, const char *host) {
    sioc__bssl_client *b = (sioc__bssl_client *)state;
    sioc__bssl_conn *k = (sioc__bssl_conn *)conn;
    uint8_t seed[32];
    int64_t now;
    if (!host || !host[0]) return SIOC_ERR_TLS_NO_HOSTNAME; /* NULL would switch off SNI and the name check */
    if (!b) return SIOC_ERR_DEPENDENCY;
    now = c->desc.utc_now(c->desc.user);
    if (now < SIOC__BSSL_MIN_PLAUSIBLE_UTC) return SIOC_ERR_TLS_TIME;
    if (c->desc.random(c->desc.user, seed, sizeof seed) != SIOC_OK) return SIOC_ERR_DEPENDENCY;
    br_ssl_client_init_full(&k->cc, &k->xc, b->tas, b->n_tas);
    br_ssl_engine_set_versions(&k->cc.eng, BR_TLS12, BR_TLS12);
    br_ssl_engine_set_buffer(&k->cc.eng, k->iobuf, sizeof k->iobuf, SIOC_BEARSSL_BIDI);
    br_ssl_engine_inject_entropy(&k->cc.eng, seed, sizeof seed);
    memset(seed, 0, sizeof seed);
    br_x509_minimal_set_time(&k->xc, (uint32_t)(now / 86400 + 719528), (uint32_t)(now % 86400));
    if (!br_ssl_client_reset(&k->cc, host, 0)) return sioc__bssl_error(br_ssl_engine_last_error(&k->cc.eng));
    return SIOC_OK;
}

static void sioc__bssl_close(void *conn) { (void)conn; /* nothing allocated inside BearSSL */ }

static sioc_result sioc__bssl_handshake(void *conn) {
    sioc__bssl_conn *k = (sioc__bssl_conn *)conn;
    unsigned st = br_ssl_engine_current_state(&k->cc.eng);
    if (st & BR_SSL_CLOSED) return sioc__bssl_error(br_ssl_engine_last_error(&k->cc.eng));
    return (st & (BR_SSL_SENDAPP | BR_SSL_RECVAPP)) ? SIOC_OK : SIOC_AGAIN; /* app data only after the handshake */
}

static size_t sioc__bssl_recv_room(void *conn) {
    sioc__bssl_conn *k = (sioc__bssl_conn *)conn;
    size_t len = 0;
    return br_ssl_engine_recvrec_buf(&k->cc.eng, &len) ? len : 0;
}

static sioc_result sioc__bssl_feed(void *conn, const uint8_t *in, size_t n) {
    sioc__bssl_conn *k = (sioc__bssl_conn *)conn;
    size_t len = 0;
    unsigned char *buf = br_ssl_engine_recvrec_buf(&k->cc.eng, &len);
    if (!buf || n > len) return SIOC_ERR_BUFFER_TOO_SMALL;
    memcpy(buf, in, n);
    br_ssl_engine_recvrec_ack(&k->cc.eng, n);
    return SIOC_OK;
}

static void sioc__bssl_out(void *conn, const uint8_t **p, size_t *n) {
    sioc__bssl_conn *k = (sioc__bssl_conn *)conn;
    size_t len = 0;
    *p = br_ssl_engine_sendrec_buf(&k->cc.eng, &len);
    *n = *p ? len : 0;
}

static void sioc__bssl_out_done(void *conn, size_t n) {
    br_ssl_engine_sendrec_ack(&((sioc__bssl_conn *)conn)->cc.eng, n);
}

static sioc_result sioc__bssl_write(void *conn, const uint8_t *p, size_t n, size_t *used) {
    sioc__bssl_conn *k = (sioc__bssl_conn *)conn;
    size_t len = 0;
    unsigned char *buf = br_ssl_engine_sendapp_buf(&k->cc.eng, &len);
    *used = 0;
    if (!buf) {
        return (br_ssl_engine_current_state(&k->cc.eng) & BR_SSL_CLOSED)
                   ? sioc__bssl_error(br_ssl_engine_last_error(&k->cc.eng))
                   : SIOC_OK;
    }
    *used = SIOC__MIN(len, n);
    memcpy(buf, p, *used);
    br_ssl_engine_sendapp_ack(&k->cc.eng, *used);
    br_ssl_engine_flush(&k->cc.eng, 0); /* a record now, not when the buffer fills */
    return SIOC_OK;
}

static sioc_result sioc__bssl_read(void *conn, const uint8_t **p, size_t *n) {
    sioc__bssl_conn *k = (sioc__bssl_conn *)conn;
    size_t len = 0;
    *p = br_ssl_engine_recvapp_buf(&k->cc.eng, &len);
    *n = *p ? len : 0;
    if (*p) return SIOC_OK;
    if (br_ssl_engine_current_state(&k->cc.eng) & BR_SSL_CLOSED) {
        int err = br_ssl_engine_last_error(&k->cc.eng);
        return err == BR_ERR_OK ? SIOC_ERR_CLOSED : sioc__bssl_error(err); /* OK: the peer's close_notify */
    }
    return SIOC_OK;
}

static void sioc__bssl_read_done(void *conn, size_t n) {
    br_ssl_engine_recvapp_ack(&((sioc__bssl_conn *)conn)->cc.eng, n);
}

static long sioc__bssl_last_error(void *conn) {
    return (long)br_ssl_engine_last_error(&((sioc__bssl_conn *)conn)->cc.eng);
}

static const sioc_tls_ops *sioc__tls_ops(void) {
    static const sioc_tls_ops ops = {"bearssl",
                                     sioc__bssl_client_init,
                                     sioc__bssl_client_free,
                                     sioc__bssl_conn_size,
                                     sioc__bssl_open,
                                     sioc__bssl_close,
                                     sioc__bssl_handshake,
                                     sioc__bssl_recv_room,
                                     sioc__bssl_feed,
                                     sioc__bssl_out,
                                     sioc__bssl_out_done,
                                     sioc__bssl_write,
                                     sioc__bssl_read,
                                     sioc__bssl_read_done,
                                     sioc__bssl_last_error};
    return &ops;
}

SIOC_API const char *sioc_tls_backend(void) { return "bearssl 0.6"; }

#endif /* SIOC_TLS == SIOC_TLS_BEARSSL */
