/* The HTTP suite again with a 32-byte sioc_http_drive() buffer (SIOC_HTTP_DRIVE_BUFFER, for small stacks): a
   request that does not fit is streamed (head, then body) instead of gathered into one send, and a reply comes in
   32-byte reads; the bytes on the wire and the responses are the same. */
#define SIOC_HTTP_DRIVE_BUFFER 32
#define SIOC_T_NAME "test_build_smallbuf"
#include "tests/test_http.c"
