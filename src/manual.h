/* sio_cluster.h - join a Socket.IO v4 cluster over AWS SNS/SQS or Azure Service Bus from C.

   A single-file library (stb style). Do this in exactly one C or C++ file:

       #define SIO_CLUSTER_IMPLEMENTATION
       #include "sio_cluster.h"

   and include it without the define everywhere else. Define SIO_CLUSTER_STATIC as well to make every
   function static (several translation units may then each carry a private copy). With SIOC_ENABLE_POSIX=1 in a
   strict C99 build on glibc, define _POSIX_C_SOURCE 200809L before any #include in the implementation file.

   WHAT IS INSIDE (lower layers first; each has its own file pair under src/ in the repository)
     base         result codes, spans, a bounded output buffer with sticky errors, allocator, logger, byte queue
     crypto       SHA-256, HMAC-SHA256, base64 (strict), hex, constant-time compare, percent-encoding
     json         in-place JSON reader (caller-owned token array, bounded depth, no recursion) and writer with
                  JavaScript's escaping and number formatting
     msgpack      encoder and decoder, byte-exact with @msgpack/msgpack (as socket.io's cluster adapters use it)
     xml          a small scanner for AWS Query (SNS) replies: element text by path, entities decoded
     sas          Azure Service Bus SAS tokens and connection strings
     sio_parser   socket.io-parser frames for local clients (text + binary attachments), client ack decoding
     cluster_msg  the 13 cluster message types, encode/decode, AWS and Azure shapes (PROTOCOL.md)
     local_select which local sockets a broadcast reaches (rooms, except)
     cluster      sioc_node: the cluster adapter state machine, transport-neutral (heartbeats, liveness,
                  requests and responses, deliveries)
     http         HTTP/1.1 request writer, streaming response parser, caller-driven keep-alive client engine
     tls          TLS inside the engine: none / mbedTLS / BearSSL (certificates and host names always verified)
     posix        optional non-blocking socket backend (poll), with fds exposed for your own event loop
     sigv4, aws   AWS Signature V4 and the SNS/SQS client

   CONFIGURATION (define before including; every switch is tested with #if, so build with -Wundef)
     SIOC_TLS                   SIOC_TLS_NONE   or SIOC_TLS_MBEDTLS (-lmbedtls -lmbedx509 -lmbedcrypto)
                                                or SIOC_TLS_BEARSSL (-lbearssl); trusts the system store
                                                unless ca_file / ca_pem are given
     SIOC_ENABLE_POSIX          0   1: the built-in socket backend (posix.h)
     SIOC_ENABLE_AWS            1   SNS/SQS transport
     SIOC_ENABLE_AZURE          1   Service Bus transport
     SIOC_ENABLE_LOG            1   keep log text (0 strips it for tiny targets)
     SIOC_ENABLE_ERROR_STRINGS  1   sioc_strerror() returns text (0: returns "")
     SIOC_ENABLE_LIBC_MALLOC    1   malloc/free as the default allocator (0: an allocator hook is mandatory)
     SIOC_ASSERT(x)             assert(x)   programmer errors (NULL where forbidden, wrong state)
     SIOC_MAX_JSON_DEPTH        64  nesting limit of the JSON reader and writer
     SIOC_MAX_MSGPACK_DEPTH     64  nesting limit of the msgpack decoder and writer
     SIOC_MAX_XML_DEPTH         32  nesting limit of the XML scanner
     Per-module limits (SIOC_HTTP_MAX_HOST, SIOC_XML_MAX_ATTRS, SIOC_NODE_NAME_MAX, SIOC_POSIX_MAX_CONNS, ...)
     sit at the top of their module's section below, each with its default and meaning.

   CONVENTIONS
     - Every fallible call returns sioc_result: SIOC_OK (0), positive values are not failures (SIOC_AGAIN),
       negative values are errors; sioc_strerror() names them. Objects keep details of their last error.
     - A failure a person must act on also comes as a `detail` text (SIOC_DETAIL_SIZE chars, never a secret)
       naming host:port and the reason, or the bad field: sioc_aws_call / sioc_azure_call .detail, the clients'
       .detail after a failed init, sioc_http_response.detail, sioc_sas_connstr.detail.
     - The codecs and signers (crypto, json, msgpack, xml, sigv4, sas, cluster_msg, sio_parser, the HTTP writer and
       parser) never allocate: they read caller buffers and write into caller buffers. When an output buffer is
       too small they return SIOC_ERR_BUFFER_TOO_SMALL and report the size that was needed.
     - Stateful objects (HTTP client, node) take their memory once, at init, through the allocator hook in their
       desc; nothing is allocated per request or per message afterwards.
     - Descs are zero-initialised structs: zero means the documented default.
     - No global mutable state, no threads, no clock and no randomness inside: the caller passes now_ms (monotonic)
       to every call that may fire a timer, wall-clock time where a signature needs it, and a random callback.
     - Nothing blocks. The caller moves bytes between the engine and its sockets (or lets the POSIX backend do it),
       calls tick when next_deadline passes, and drains events.
     - Secrets (keys, tokens, signatures) never reach log lines or error text.
     - Public names start with sioc_ / SIOC_; nothing else is exported.

   THE LOOP (what every program does, with the POSIX backend or its own sockets)
       for (;;) {
           handle I/O readiness: feed received bytes / EOF into the HTTP engine (sioc_http_conn_feed, ...),
               send what it has pending (sioc_http_conn_pending / sioc_http_conn_sent);
           run timers: sioc_http_tick(&http, now_ms), sioc_node_tick(&node, now_ms);
           drain events: sioc_node_next_event(&node, &ev) -> deliver frames to your clients, answer requests;
           sleep until I/O or min(sioc_http_next_deadline(&http), sioc_node_next_deadline(&node));
       }

   QUICK EXAMPLES
       uint8_t mac[32]; char b64[45]; size_t n;
       sioc_hmac_sha256(key, key_len, msg, msg_len, mac);
       if (sioc_base64_encode(mac, 32, b64, sizeof b64, &n) == SIOC_OK) puts(b64);

       sioc_json_tok toks[64]; sioc_json doc;
       if (sioc_json_parse(&doc, text, text_len, toks, 64) == SIOC_OK) {
           int64_t port;
           if (sioc_json_get_i64(&doc, sioc_json_path(&doc, 0, "server.port"), &port) == SIOC_OK) ...
       }

       A node (transport-neutral; the AWS/Azure bindings feed it and carry what it publishes):
       sioc_node_desc d = {0}; d.random = my_random; sioc_node node;
       if (sioc_node_init(&node, &d) == SIOC_OK) {
           sioc_node_socket_add(&node, ...);              local sockets and their rooms
           sioc_node_broadcast(&node, ...);               delivered locally, queued for the cluster
       }
       See the cluster section below and examples/ in the repository for complete programs.

   LICENCE: MIT or public domain (Unlicense), your choice; full text at the end of this file.
*/
