/* ---- tls_bearssl.c: TLS through BearSSL 0.6 (work in progress) ---- */
#include "internal.h"
#include "http.h"
#include "tls.h"

#if SIOC_TLS == SIOC_TLS_BEARSSL
#error "SIOC_TLS_BEARSSL: not written yet"
#endif
