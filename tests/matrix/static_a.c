/* Two translation units each carry a private (SIO_CLUSTER_STATIC) copy of the implementation and link together. */
#define SIO_CLUSTER_STATIC
#define SIO_CLUSTER_IMPLEMENTATION
#include "sio_cluster.h"

int static_a_digest_byte(void);
int static_a_digest_byte(void) {
    uint8_t d[SIOC_SHA256_LEN];
    sioc_sha256("abc", 3, d);
    return d[0];
}
