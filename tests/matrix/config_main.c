/* Built with -DSIOC_CONFIG_FILE='"tests/matrix/config.h"': the settings of that one file are seen by the
   header and by the implementation (error strings off, JSON depth 3, Azure left out), defaults stay otherwise. */
#define SIO_CLUSTER_IMPLEMENTATION
#include "sio_cluster.h"

#include <stdio.h>

#if SIOC_MAX_JSON_DEPTH != 3 || SIOC_ENABLE_AZURE != 0 || SIOC_ENABLE_AWS != 1 || SIOC_MAX_MSGPACK_DEPTH != 64
#error "SIOC_CONFIG_FILE was not applied"
#endif

int main(void) {
    sioc_json doc;
    sioc_json_tok toks[16];
    int bad = 0;
    bad |= sioc_json_parse(&doc, "[[[1]]]", 7, toks, 16) != SIOC_OK;        /* depth 3: allowed */
    bad |= sioc_json_parse(&doc, "[[[[1]]]]", 9, toks, 16) == SIOC_OK;      /* depth 4: over the file's limit */
    bad |= sioc_strerror(SIOC_ERR_BUFFER_TOO_SMALL)[0] != 0;                /* strings off */
    printf("config file: %s\n", bad ? "NOT applied" : "applied");
    return bad;
}
