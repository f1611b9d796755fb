/* The consumer of tests/cmake: includes the header through the target's (or pkg-config's) include path, builds
   the implementation, and uses it: one JSON document, one SAS signature. Prints "consumer ok <version>". */
#define SIO_CLUSTER_IMPLEMENTATION
#include <sio_cluster.h>
#include <stdio.h>
#include <string.h>

int main(void) {
    static const char text[] = "{\"ok\":[1,2,3]}";
    sioc_json_tok tok[16];
    sioc_json doc;
    char sig[SIOC_SAS_SIG_LEN + 1];
    if (sioc_json_parse(&doc, text, strlen(text), tok, 16) != SIOC_OK || doc.count != 6) return 1;
    if (sioc_sas_sign(sioc_str_c("key"), sioc_str_c("sb%3a%2f%2fns"), 1700000000, sig) != SIOC_OK) return 1;
    printf("consumer ok %s\n", SIOC_VERSION_STRING);
    return 0;
}
