/* sio_cluster.h - a C program as one more member of a Socket.IO v4 cluster whose Node servers use
   @socket.io/aws-sqs-adapter (AWS SNS + SQS) or @socket.io/azure-service-bus-adapter (Azure Service Bus).

   A single-file library (stb style). In exactly one C or C++ file:

       #define SIO_CLUSTER_IMPLEMENTATION
       #include "sio_cluster.h"

   and include it without the define everywhere else. The repository's docs/ explain the wire (docs/PROTOCOL.md,
   docs/AWS.md, docs/AZURE.md) and the design (docs/DESIGN.md); examples/ holds complete programs.

   BASIC USAGE: A CLUSTER MEMBER (`python3 amalgamate.py --basic-usage FILE` writes this program out; `make test`
   builds it and runs it against a Node Socket.IO server on both clouds)

       #define _POSIX_C_SOURCE 200809L
       #define SIOC_ENABLE_POSIX 1 // built-in sockets: the member moves its own bytes
       #define SIO_CLUSTER_IMPLEMENTATION
       #include "sio_cluster.h"
       #include <stdio.h>

       int main(void) {
           static sioc_cluster c;
           static sioc_cluster_desc d; // zero: all defaults; AWS_* or SERVICEBUS_* variables pick the cloud
           sioc_str nsp = {"/", 1}, id = {"sock1", 5};
           sioc_bytes hello = {(const uint8_t *)"\x92\xa5hello\xa5world", 13}; // msgpack ["hello", "world"]
           sioc_node_event ev;
           uint64_t leave_at = sioc_posix_now_ms() + 15000;
           if (sioc_cluster_init(&c, &d) || sioc_node_socket_add(sioc_cluster_node(&c), nsp, id, NULL, 0) ||
               sioc_cluster_start(&c, sioc_posix_now_ms()))
               return 1;
           while (sioc_cluster_run_posix(&c, 1000) == SIOC_OK) { // SIOC_ERR_CLOSED once it has left
               while (sioc_node_next_event(sioc_cluster_node(&c), &ev) == SIOC_OK) {
                   if (ev.type == SIOC_NODE_EV_READY) // in the cluster: io.emit("hello", "world")
                       (void)sioc_node_broadcast(sioc_cluster_node(&c), nsp, NULL, hello, sioc_posix_now_ms());
                   if (ev.type == SIOC_NODE_EV_DELIVER) // a client gets "4" + text (+ binary frames)
                       printf("sock1 <- 4%.*s\n", (int)ev.text.len, ev.text.ptr), fflush(stdout);
               }
               if (sioc_posix_now_ms() >= leave_at) (void)sioc_cluster_close(&c, sioc_posix_now_ms());
           }
           sioc_cluster_free(&c);
           return 0;
       }

   Run it with AWS_ACCESS_KEY_ID, AWS_SECRET_ACCESS_KEY, AWS_REGION (and AWS_ENDPOINT_URL for an emulator), or with
   SERVICEBUS_CONNECTION_STRING (and SERVICEBUS_REST_URL for a local broker). Every Node server of the cluster
   delivers its "hello"; whatever they broadcast to sock1's rooms arrives as DELIVER events.

   THE OBJECTS (one line each)
     sioc_cluster    a whole member: node + cloud client + HTTP engine (+ POSIX sockets). member.h. Start here.
     sioc_node       the cluster adapter: local sockets and rooms, operations, events, heartbeats. cluster.h.
     sioc_aws_client, sioc_azure_client   signed SNS/SQS and Service Bus REST calls, usable alone. aws.h, azure.h.
     sioc_http_client the keep-alive HTTP/1.1 engine the clients run on; you move its bytes or posix does. http.h.
     sioc_posix      the optional non-blocking socket backend (poll) under the engine. posix.h.
     codecs          json, msgpack, xml, base64, SHA-256/HMAC, SigV4, SAS, socket.io frames: pure functions.

   THE LOOP (what every program does)
     With the POSIX backend, one call is a whole turn:
         while (sioc_cluster_run_posix(&c, max_wait_ms) == SIOC_OK) { drain sioc_node_next_event; your work }
     With your own poll()/epoll (the member still owns the sockets):
         for (;;) {
             sioc_cluster_process(&c, now);                          collect answers, submit what is due, timers
             drain sioc_node_next_event(sioc_cluster_node(&c), &ev); deliver frames, answer requests
             n = sioc_posix_fds(sioc_cluster_posix(&c), fds, cap);   add them to your descriptor set
             wait until a descriptor is ready or sioc_cluster_next_deadline(&c, now) (also your own descriptors)
             sioc_posix_step(sioc_cluster_posix(&c), now);            move the bytes
         }
     Without POSIX (an MCU, Windows, an event library): desc.own_io = 1 and move the bytes of
     sioc_cluster_http(&c) yourself (http.h: sioc_http_drive over a sioc_http_transport, or the sioc_http_conn_*
     calls), then sioc_cluster_process as above. Call process after every node operation too: it publishes.

   WHAT IS INSIDE (lower layers first; each has its own file pair under src/ in the repository)
     base         result codes, spans, a bounded output buffer with sticky errors, allocator, logger, byte queue
     crypto       SHA-256, HMAC-SHA256, base64 (strict), hex, constant-time compare, percent-encoding
     json         in-place JSON reader (caller-owned token array, bounded depth, no recursion) and writer with
                  JavaScript's escaping and number formatting
     msgpack      encoder and decoder, byte-exact with @msgpack/msgpack (as socket.io's cluster adapters use it)
     mpjson       one msgpack value as JSON and back, as a Node node converts (binaries through a callback)
     xml          a small scanner for AWS Query (SNS) replies: element text by path, entities decoded
     sas          Azure Service Bus SAS tokens and connection strings
     sio_parser   socket.io-parser frames for local clients (text + binary attachments), client ack decoding
     cluster_msg  the 13 cluster message types, encode/decode, AWS and Azure shapes (docs/PROTOCOL.md)
     local_select which local sockets a broadcast reaches (rooms, except)
     cluster      sioc_node: the transport-neutral cluster adapter state machine
     http         HTTP/1.1 request writer, streaming response parser, caller-driven keep-alive client engine
     tls          TLS inside the engine: none / mbedTLS / BearSSL (certificates and host names always verified)
     posix        optional non-blocking socket backend (poll), with descriptors for your own event loop
     sigv4, aws   AWS Signature V4 and the SNS/SQS client
     azure        the Service Bus REST data plane and ATOM management client
     member       sioc_cluster: one member over either cloud (start-up, receive, settle, publish, retry, close)

   CONFIGURATION (define before including; every switch is tested with #if, so build with -Wundef)
     SIOC_CONFIG_FILE           a file included first (#define SIOC_CONFIG_FILE "my_sioc_config.h"): put every
                                setting there so all translation units agree
     SIOC_TLS                   SIOC_TLS_NONE   or SIOC_TLS_MBEDTLS (-lmbedtls -lmbedx509 -lmbedcrypto)
                                                or SIOC_TLS_BEARSSL (-lbearssl); trusts the system store
                                                unless ca_file / ca_pem are given
     SIOC_ENABLE_POSIX          0   1: the built-in socket backend (posix.h); needs _POSIX_C_SOURCE 200809L first
                                    in a strict C99 build on glibc
     SIOC_ENABLE_AWS            1   SNS/SQS transport
     SIOC_ENABLE_AZURE          1   Service Bus transport
     SIOC_ENABLE_LOG            1   keep log text (0 strips it for tiny targets)
     SIOC_ENABLE_ERROR_STRINGS  1   sioc_strerror() returns text (0: returns "", every `detail` text stays empty
                                    and its words are left out of the binary; with SIOC_ENABLE_LOG 0 too the
                                    member's init refusals leave sioc_cluster_last_detail empty, except the two
                                    naming a feature switch). Saves about 4.2 KB of Cortex-M4 flash in an AWS member
     SIOC_ENABLE_LIBC_MALLOC    1   malloc/free as the default allocator (0: an allocator hook is mandatory)
     SIOC_ENABLE_RECEIVE        1   0: a publish-only build (an emitter, examples/emit.c). Leaves out the member's
                                    receives, settles, queue and subscription steps, the node's inbound handling,
                                    local delivery (so the socket.io text writer and the msgpack -> JSON
                                    converter) and answers to requests (fetchSockets sockets, serverSideEmit and
                                    broadcast acks, client counts), SQS in the AWS client (sqs_endpoint is not
                                    even parsed). Refused, SIOC_ERR_UNSUPPORTED with a detail naming the switch:
                                    a member or node without node.emitter_only = 1, sioc_node_receive*, the
                                    sioc_aws_sqs_* starters. Saves about 35 KB of
                                    Cortex-M4 flash in an emitter (make size)
     SIOC_ENABLE_FLOAT          1   0: no double arithmetic in the library's own paths (a soft-float Cortex-M links
                                    no double library). The msgpack -> JSON converter (socket.io text frames for
                                    local sockets) refuses, SIOC_ERR_UNSUPPORTED, what JS prints through a double:
                                    float32/64 values, msgpack timestamps (Dates), integers beyond 2^53 unless
                                    SIOC_MPJSON_EXACT_INTEGERS; the node reports such a packet in an ERROR event
                                    instead of a DELIVER. JSON -> msgpack takes safe integer literals only;
                                    socket.io placeholders need an integer "num"; Service Bus TimeToLive is kept
                                    in whole seconds. The explicit double calls (sioc_json_get_f64,
                                    sioc_json_write_f64, sioc_msgpack_write_double, ...) still work. For devices
                                    whose events carry no floats or Dates. Saves 5 to 7 KB on Cortex-M4
     SIOC_ENABLE_JANITOR        1   0: no AWS orphan-queue clean-up (member_janitor.c, ListQueues / ListQueueTags /
                                    ListSubscriptionsByTopic). A receiving AWS member must then set
                                    aws.no_orphan_cleanup = 1 (the small preset does), else init returns
                                    SIOC_ERR_UNSUPPORTED with a detail. Saves about 3.9 KB of Cortex-M4 flash
     SIOC_ENABLE_MD5_CHECK      1   0: an AWS member takes a received body without comparing it with the MD5OfBody
                                    SQS sends along (the AWS SDKs let users turn the same check off; TCP and TLS
                                    still guard the bytes). Saves about 720 B of Cortex-M4 flash in an AWS member
     SIOC_ENABLE_SKEW_CORRECTION 1  0: an AWS call refused because the device's clock is off (RequestTimeTooSkewed,
                                    an expired signature) is not re-signed once by the server's Date: it is
                                    refused like a bad signature (SIOC_ERR_AUTH; at start-up the member stops
                                    FAILED with the service's code in on_error). For devices whose utc_now is
                                    right within 5 minutes (an RTC set by SNTP). Saves about 730 B (AWS member),
                                    790 B (AWS emitter) of Cortex-M4 flash
     SIOC_ENABLE_PUBLISH_BATCH  1   0: the AWS member sends every message in an SNS Publish of its own: no
                                    PublishBatch gathering, no re-send of a batch's failed entries, and
                                    publish_budget_ms is ignored (it waits only to gather). Nothing is refused (the
                                    sioc_sns_*publish_batch* codecs stay); retries, throttling, drops, order and
                                    close are as before. The cost: one request per message instead of up to 10.
                                    For a device that publishes a few messages a minute. Saves about 2.1 KB of
                                    Cortex-M4 flash in an AWS member or emitter, and 12 KB of its heap (24 KB with
                                    the default reply_buffer_size: publish buffers sized for one message).
                                    Service Bus sends one per request anyway
     SIOC_ENABLE_REQUESTS       1   0: the node never asks the cluster a question. Leaves out its request table
                                    (heap: about 2 KB with the small preset, 15 KB with the server one), request
                                    timeouts, the handling of responses (ignored as addressed to another node; the
                                    message decoders read only their header) and the events only requests bring
                                    (FETCH_SOCKETS, SSE_RESPONSE, CLIENT_COUNT, BROADCAST_ACK, REQUEST_DONE).
                                    Refused, SIOC_ERR_UNSUPPORTED: sioc_node_fetch_sockets, sioc_node_broadcast_ack,
                                    sioc_node_server_side_emit_ack. Still answers other nodes' requests (its
                                    sockets, serverSideEmit and client acks, client counts). For a device that
                                    only emits and answers. Saves 1.6 to 1.7 KB of Cortex-M4 flash in a member
     SIOC_ASSERT(x)             assert(x)   programmer errors (NULL where forbidden, wrong state)
     SIOC_MAX_JSON_DEPTH        64  nesting limit of the JSON reader (writer: SIOC_JSON_WRITE_DEPTH)
     SIOC_MAX_MSGPACK_DEPTH     64  nesting limit of a msgpack value the library accepts; writers and message
                                    decoders allow SIOC_ENVELOPE_DEPTH (4) more for the envelopes around it
     SIOC_MAX_XML_DEPTH         32  nesting limit of the XML scanner
     SIOC_HTTP_DRIVE_BUFFER   8192  stack buffer of sioc_http_drive() and the POSIX turn (recv size, one-send
                                    gather of a small request): the deepest frame a member's loop has; 1024 suits
                                    a microcontroller's stack (a larger request then goes out in two sends)
     SIO_CLUSTER_STATIC         every function static (several translation units may each carry a private copy)
                                Where a firmware's calls into the library all sit in the file that defines
                                SIO_CLUSTER_IMPLEMENTATION, it also lets the compiler inline and drop across the
                                library as -flto would: about 5 KB less Cortex-M4 flash in a small AWS member
     Per-module limits (SIOC_CLUSTER_MAX_RECEIVES, SIOC_NODE_NAME_MAX, SIOC_HTTP_MAX_HOST, SIOC_POSIX_MAX_CONNS, ...)
     sit at the top of their module's section below, each with its default and meaning.
     Must be identical in every translation unit (they change public structs): SIOC_TLS, SIOC_ENABLE_POSIX,
     SIOC_ENABLE_AWS, SIOC_ENABLE_AZURE and every per-module limit (SIOC_CLUSTER_*, SIOC_NODE_*, SIOC_HTTP_*,
     SIOC_POSIX_*, SIOC_AWS_*, SIOC_AZURE_*, SIOC_SIGV4_*, SIOC_XML_*). The others only matter where
     SIO_CLUSTER_IMPLEMENTATION is defined. SIOC_CONFIG_FILE makes agreeing easy.
     Smallest builds (make size prints each, Cortex-M4 and x86-64, with what every piece costs): an AWS member
     with SIOC_ENABLE_AZURE 0, SIOC_ENABLE_JANITOR 0, SIOC_ENABLE_FLOAT 0, SIOC_ENABLE_LOG 0,
     SIOC_ENABLE_ERROR_STRINGS 0 and the small preset; an AWS emitter with SIOC_ENABLE_AZURE 0, SIOC_ENABLE_RECEIVE 0
     and the two text switches (it does no double arithmetic anyway); an Azure member with SIOC_ENABLE_AWS 0,
     SIOC_ENABLE_FLOAT 0 and the text switches (Service Bus deletes idle subscriptions itself). A device that
     publishes a few messages a minute adds SIOC_ENABLE_PUBLISH_BATCH 0, one that never asks the cluster questions
     SIOC_ENABLE_REQUESTS 0, one with a right clock and a trusted link SIOC_ENABLE_SKEW_CORRECTION 0 and
     SIOC_ENABLE_MD5_CHECK 0 (make size's small programs take all that apply). Servers keep the defaults: orphaned
     SQS queues are only removed by members that run the janitor.
     The smallest AWS emitter skips sioc_cluster and its node: examples/emit_tiny.c writes the cluster message with
     sioc_msg_write_broadcast and publishes it with sioc_aws_client itself, one message at a time with its own
     retries, in one file with SIO_CLUSTER_STATIC: about 23 KB of Cortex-M4 flash against 36 KB (no queue, no
     publish sequences, no Service Bus; the same bytes on the wire).

   CONVENTIONS
     - Every fallible call returns sioc_result: SIOC_OK (0), positive values are not failures (SIOC_AGAIN),
       negative values are errors; sioc_strerror() names them. Objects keep their last error.
     - A failure a person must act on also comes as a `detail` text (SIOC_DETAIL_SIZE chars, never a secret)
       naming host:port and the reason, or the bad field: sioc_aws_call / sioc_azure_call .detail, the clients'
       .detail after a failed init, sioc_http_response.detail, sioc_sas_connstr.detail.
     - The codecs and signers never allocate: they read caller buffers and write into caller buffers. When an
       output buffer is too small they return SIOC_ERR_BUFFER_TOO_SMALL and report the size that was needed.
     - Stateful objects take their memory once, at init, through the allocator hook in their desc; nothing is
       allocated per request or per message afterwards (sioc_cluster_heap_size tells how much). The one exception:
       with a TLS backend, each connection takes its TLS state when it opens (and gives it back when it closes).
     - Descs are zero-initialised structs: zero means the documented default.
     - No global mutable state, no threads, no hidden clock or randomness: the caller passes now_ms (monotonic) to
       every call that may fire a timer, and random / utc_now callbacks (the POSIX ones by default).
     - Nothing blocks (except getaddrinfo in the POSIX backend's default resolver: see posix.h).
     - Secrets (keys, tokens, signatures) never reach log lines or error text.
     - Public names start with sioc_ / SIOC_; nothing else is exported.

   QUICK EXAMPLES (the lower layers on their own)
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
