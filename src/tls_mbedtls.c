/* ---- tls_mbedtls.c: TLS through mbedTLS 2.28 (work in progress) ---- */
#include "internal.h"
#include "http.h"
#include "tls.h"

#if SIOC_TLS == SIOC_TLS_MBEDTLS
#error "SIOC_TLS_MBEDTLS: not written yet"
#endif
