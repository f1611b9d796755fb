/* sio_cluster.h - join a Socket.IO v4 cluster over AWS SNS/SQS or Azure Service Bus from C.

   A single-file library (stb style). Do this in exactly one C or C++ file:

       #define SIO_CLUSTER_IMPLEMENTATION
       #include "sio_cluster.h"

   and include it without the define everywhere else. Define SIO_CLUSTER_STATIC as well to make every
   function static (several translation units may then each carry a private copy).

   WHAT IS INSIDE (each layer has its own file under src/ in the repository)
     base      result codes, spans, a bounded output buffer with sticky errors, allocator, logger, byte queue
     crypto    SHA-256, HMAC-SHA256, base64 (strict), hex, constant-time compare, percent-encoding
     json      in-place JSON reader (caller-owned token array, bounded depth, no recursion) and writer
     msgpack   encoder and decoder, byte-exact with @msgpack/msgpack (as socket.io's cluster adapters use it)
     xml       a small scanner for AWS Query (SNS) replies: element text by path, entities decoded

   CONFIGURATION (define before including; every switch is tested with #if, so build with -Wundef)
     SIOC_ENABLE_LOG            1   keep log text (0 strips it for tiny targets)
     SIOC_ENABLE_ERROR_STRINGS  1   sioc_strerror() returns text (0: returns "")
     SIOC_ENABLE_LIBC_MALLOC    1   malloc/free as the default allocator (0: an allocator hook is mandatory)
     SIOC_ASSERT(x)             assert(x)   programmer errors (NULL where forbidden, wrong state)
     SIOC_MAX_JSON_DEPTH        64  nesting limit of the JSON reader
     SIOC_MAX_MSGPACK_DEPTH     64  nesting limit of the msgpack decoder
     SIOC_MAX_XML_DEPTH         32  nesting limit of the XML scanner

   CONVENTIONS
     - Every fallible call returns sioc_result: SIOC_OK (0), positive values are not failures (SIOC_AGAIN),
       negative values are errors; sioc_strerror() names them.
     - The codecs (crypto, json, msgpack, xml) never allocate: they read caller buffers and write into caller
       buffers. When an output buffer is too small they return SIOC_ERR_BUFFER_TOO_SMALL and report the size
       that was needed, so the caller can retry.
     - No global mutable state, no clock, no randomness inside: time and random bytes come from the caller.
     - Public names start with sioc_ / SIOC_; nothing else is exported.

   QUICK EXAMPLE
       uint8_t mac[32]; char b64[45]; size_t n;
       sioc_hmac_sha256(key, key_len, msg, msg_len, mac);
       if (sioc_base64_encode(mac, 32, b64, sizeof b64, &n) == SIOC_OK) puts(b64);

       sioc_json_tok toks[64]; sioc_json doc;
       if (sioc_json_parse(&doc, text, text_len, toks, 64) == SIOC_OK) {
           int64_t port;
           if (sioc_json_get_i64(&doc, sioc_json_path(&doc, 0, "server.port"), &port) == SIOC_OK) ...
       }

   LICENCE: MIT or public domain (Unlicense), your choice; full text at the end of this file.
*/
