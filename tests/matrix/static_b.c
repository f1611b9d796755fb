#define SIO_CLUSTER_STATIC
#define SIO_CLUSTER_IMPLEMENTATION
#include "sio_cluster.h"
#include <stdio.h>

int static_a_digest_byte(void);

int main(void) {
    uint8_t d[SIOC_SHA256_LEN];
    sioc_sha256("abc", 3, d);
    /* SHA-256("abc") starts with 0xba in both copies */
    if (d[0] != 0xba || static_a_digest_byte() != 0xba) {
        puts("static copies disagree");
        return 1;
    }
    puts("static: two SIO_CLUSTER_STATIC copies link and agree");
    return 0;
}
