/* sio_cluster.h - a C program as one more member of a Socket.IO v4 cluster whose Node servers use
   @socket.io/aws-sqs-adapter (AWS SNS + SQS) or @socket.io/azure-service-bus-adapter (Azure Service Bus).

   A single-file library (stb style). In exactly one C or C++ file:

       #define SIO_CLUSTER_IMPLEMENTATION

   and include it without the define everywhere else. The repository's docs/ explain the wire (docs/PROTOCOL.md,
   docs/AWS.md, docs/AZURE.md) and the design (docs/DESIGN.md); examples/ holds complete programs.

   BASIC USAGE: A CLUSTER MEMBER (`python3 amalgamate.py --basic-usage FILE` writes this program out; `make test`
   builds it and runs it against a Node Socket.IO server on both clouds)

       #define _POSIX_C_SOURCE 200809L
       #define SIOC_ENABLE_POSIX 1 // built-in sockets: the member moves its own bytes
       #define SIO_CLUSTER_IMPLEMENTATION
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
#ifndef SIO_CLUSTER_H
#define SIO_CLUSTER_H
/* ---- src/prologue.h ---- */
/* ---- prologue: version, configuration defaults, linkage ---- */
#define SIOC_VERSION_MAJOR 0
#define SIOC_VERSION_MINOR 1
#define SIOC_VERSION_PATCH 0
#define SIOC_VERSION_STRING "0.1.0"

/* One file holds the configuration of every translation unit (like MBEDTLS_CONFIG_FILE): build with
   -DSIOC_CONFIG_FILE='"my_sioc_config.h"'; it is read before any default below. */
#ifdef SIOC_CONFIG_FILE
#include SIOC_CONFIG_FILE
#endif

#include <stddef.h>
#include <stdint.h>

#ifndef SIOC_ENABLE_LOG
#define SIOC_ENABLE_LOG 1
#endif
#ifndef SIOC_ENABLE_ERROR_STRINGS
#define SIOC_ENABLE_ERROR_STRINGS 1
#endif
#ifndef SIOC_ENABLE_LIBC_MALLOC
#define SIOC_ENABLE_LIBC_MALLOC 1
#endif
/* Features a device may leave out (the manual's CONFIGURATION says what each removes and costs). */
#ifndef SIOC_ENABLE_RECEIVE
#define SIOC_ENABLE_RECEIVE 1 /* 0: publish only (emitter_only nodes and members); no receive path */
#endif
#ifndef SIOC_ENABLE_FLOAT
#define SIOC_ENABLE_FLOAT 1 /* 0: the msgpack <-> JSON converter refuses floats (no double arithmetic linked) */
#endif
#ifndef SIOC_ENABLE_JANITOR
#define SIOC_ENABLE_JANITOR 1 /* 0: no AWS orphan-queue clean-up (aws.no_orphan_cleanup must be 1) */
#endif
#ifndef SIOC_ENABLE_MD5_CHECK
#define SIOC_ENABLE_MD5_CHECK 1 /* 0: an AWS member does not check received bodies against SQS's MD5OfBody */
#endif
#ifndef SIOC_ENABLE_SKEW_CORRECTION
#define SIOC_ENABLE_SKEW_CORRECTION 1 /* 0: an AWS call refused for clock skew is not re-signed by the server's Date */
#endif
#ifndef SIOC_ENABLE_PUBLISH_BATCH
#define SIOC_ENABLE_PUBLISH_BATCH 1 /* 0: the AWS member sends one SNS Publish per message, never PublishBatch */
#endif
#ifndef SIOC_ENABLE_REQUESTS
#define SIOC_ENABLE_REQUESTS 1 /* 0: the node starts no request (fetchSockets, acks); it still answers others' */
#endif
/* Transports and backends. */
#define SIOC_TLS_NONE 0
#define SIOC_TLS_MBEDTLS 1
#define SIOC_TLS_BEARSSL 2
#ifndef SIOC_TLS
#define SIOC_TLS SIOC_TLS_NONE /* TLS backend: SIOC_TLS_NONE, SIOC_TLS_MBEDTLS or SIOC_TLS_BEARSSL */
#endif
#ifndef SIOC_ENABLE_POSIX
#define SIOC_ENABLE_POSIX 0 /* 1: the built-in POSIX socket backend (posix.h) */
#endif
#ifndef SIOC_ENABLE_AWS
#define SIOC_ENABLE_AWS 1 /* 0 leaves the AWS transport out (SigV4 stays: it is small and pure) */
#endif
#ifndef SIOC_ENABLE_AZURE
#define SIOC_ENABLE_AZURE 1 /* 0 leaves the Azure transport out (SAS stays: it is small and pure) */
#endif
#ifndef SIOC_MAX_JSON_DEPTH
#define SIOC_MAX_JSON_DEPTH 64
#endif
#ifndef SIOC_MAX_MSGPACK_DEPTH
#define SIOC_MAX_MSGPACK_DEPTH 64
#endif
#ifndef SIOC_MAX_XML_DEPTH
#define SIOC_MAX_XML_DEPTH 32
#endif
/* Levels the library wraps around a value it accepted (the deepest: a socket's handshake in a fetchSockets answer
   in an Azure body; in a frame, the placeholder objects of a binary): its writers and message decoders allow this
   much more than the limits above, so a value of the full depth fits in every envelope. Not a setting. */
#define SIOC_ENVELOPE_DEPTH 4

#ifndef SIOC_API
#if defined(SIO_CLUSTER_STATIC) && (defined(__GNUC__) || defined(__clang__))
#define SIOC_API static __attribute__((unused)) /* a private copy need not use every function */
#elif defined(SIO_CLUSTER_STATIC)
#define SIOC_API static
#elif defined(__cplusplus)
/* Functions are extern anyway; empty so that SIOC_NODISCARD's [[nodiscard]] leads the declaration, the only place
   C++ allows a standard attribute before the type ("extern [[nodiscard]] T f()" is ill-formed). */
#define SIOC_API
#define SIOC__API_EMPTY 1
#else
#define SIOC_API extern
#endif
#endif

/* gcc's warn_unused_result cannot be silenced with a (void) cast, which makes deliberate size queries noisy, so
   only clang (which honours the cast) and C++17 (when SIOC_API leaves the front free) get the check. */
#if defined(__cplusplus) && __cplusplus >= 201703L && defined(SIOC__API_EMPTY)
#define SIOC_NODISCARD [[nodiscard]]
#elif defined(__clang__)
#define SIOC_NODISCARD __attribute__((warn_unused_result))
#else
#define SIOC_NODISCARD
#endif

#ifdef __cplusplus
extern "C" {
#endif
/* ---- src/base.h ---- */
/* ---- base: results, spans, output buffer, allocator, logger, byte queue ---- */

/* One list makes both the enum and sioc_strerror(). Negative = error, 0 = ok, positive = not a failure. */
#define SIOC__RESULTS(X)                                                                  \
    X(SIOC_OK, 0, "ok")                                                                   \
    X(SIOC_AGAIN, 1, "in progress: more input or output needed")                          \
    X(SIOC_ERR_ARG, -1, "invalid argument")                                               \
    X(SIOC_ERR_NOMEM, -2, "out of memory")                                                \
    X(SIOC_ERR_BUFFER_TOO_SMALL, -3, "output buffer too small")                           \
    X(SIOC_ERR_PARSE, -4, "malformed input")                                              \
    X(SIOC_ERR_PROTOCOL, -5, "protocol violation by the peer")                            \
    X(SIOC_ERR_HTTP_STATUS, -6, "unexpected HTTP status")                                 \
    X(SIOC_ERR_AUTH, -7, "authentication or authorisation failed")                        \
    X(SIOC_ERR_TLS, -8, "TLS failure")                                                    \
    X(SIOC_ERR_CLOSED, -9, "connection closed")                                           \
    X(SIOC_ERR_TIMEOUT, -10, "timed out")                                                 \
    X(SIOC_ERR_STATE, -11, "call not valid in this state")                                \
    X(SIOC_ERR_UNSUPPORTED, -12, "unsupported")                                           \
    X(SIOC_ERR_DEPENDENCY, -13, "a required callback or library is missing")              \
    X(SIOC_ERR_LIMIT, -14, "a configured limit was exceeded (depth, count or size)")      \
    X(SIOC_ERR_NOT_FOUND, -15, "not found")                                               \
    X(SIOC_ERR_TYPE, -16, "value has another type")                                       \
    X(SIOC_ERR_RANGE, -17, "value out of range")                                          \
    X(SIOC_ERR_TOO_LARGE, -18, "message exceeds the service size limit")                  \
    X(SIOC_ERR_CONNECT, -19, "connection failed")                                         \
    X(SIOC_ERR_TLS_UNTRUSTED, -20, "TLS: certificate not trusted")                        \
    X(SIOC_ERR_TLS_HOSTNAME, -21, "TLS: certificate does not match the host name")        \
    X(SIOC_ERR_TLS_EXPIRED, -22, "TLS: certificate expired or not yet valid")             \
    X(SIOC_ERR_TLS_NO_HOSTNAME, -23, "TLS: no host name given (verification impossible)") \
    X(SIOC_ERR_TLS_TIME, -24, "TLS: current time unknown or implausible")                 \
    X(SIOC_ERR_THROTTLED, -25, "throttled by the service")                                \
    X(SIOC_ERR_SERVER, -26, "server error (5xx)")

typedef enum sioc_result {
#define SIOC__ENUM(name, value, text) name = value,
    SIOC__RESULTS(SIOC__ENUM)
#undef SIOC__ENUM
    SIOC__RESULT_END_ = 2
} sioc_result;

/* Text for a result code; never NULL. "" when SIOC_ENABLE_ERROR_STRINGS is 0. */
SIOC_API const char *sioc_strerror(sioc_result r);

/* Size of the `detail` texts (HTTP responses, AWS and Azure calls and clients, connection strings): one line a person
   can act on ("cannot connect to 127.0.0.1:1: connection refused"), NUL-terminated, truncated to fit, never a
   secret. Empty when SIOC_ENABLE_ERROR_STRINGS is 0. */
#ifndef SIOC_DETAIL_SIZE
#define SIOC_DETAIL_SIZE 128
#endif

/* Read-only views: pointer + length, not NUL-terminated unless said so. */
typedef struct sioc_str {
    const char *ptr;
    size_t len;
} sioc_str;
typedef struct sioc_bytes {
    const uint8_t *ptr;
    size_t len;
} sioc_bytes;

/* Views from pointer + length. */
SIOC_API sioc_str sioc_str_n(const char *p, size_t len);
SIOC_API sioc_bytes sioc_bytes_n(const void *p, size_t len);
/* A view of a NUL-terminated string (NULL gives the empty view). */
SIOC_API sioc_str sioc_str_c(const char *s);
/* 1 when the two views hold the same bytes. */
SIOC_API int sioc_str_eq(sioc_str a, sioc_str b);

/* Bounded output buffer with a sticky error: writers append without checking each call; `len` counts every byte
   asked for, even those that did not fit, so after the last write `len` is the size that was needed and
   sioc_buf_result() tells whether it fit. Memory is the caller's. */
typedef struct sioc_buf {
    uint8_t *data;
    size_t cap;
    size_t len;
    sioc_result err; /* first error other than overflow (overflow is derived from len > cap) */
} sioc_buf;

SIOC_API void sioc_buf_init(sioc_buf *b, void *mem, size_t cap);
SIOC_API void sioc_buf_put(sioc_buf *b, const void *p, size_t n);
SIOC_API void sioc_buf_putc(sioc_buf *b, char c);
SIOC_API void sioc_buf_puts(sioc_buf *b, const char *s);        /* NUL-terminated, NUL not copied */
SIOC_API void sioc_buf_put_u64(sioc_buf *b, uint64_t v);       /* decimal */
SIOC_API void sioc_buf_put_i64(sioc_buf *b, int64_t v);        /* decimal */
SIOC_API void sioc_buf_fail(sioc_buf *b, sioc_result err);     /* record an error; the first one sticks */
/* Claim n bytes at the end and return them to be filled, or NULL when they do not fit (len still grows, so the
   overflow and the size needed stay visible). NULL b: returns NULL. */
SIOC_API void *sioc_buf_reserve(sioc_buf *b, size_t n);
/* SIOC_OK, the sticky error, or SIOC_ERR_BUFFER_TOO_SMALL (then b->len is the size needed). */
SIOC_API sioc_result sioc_buf_result(const sioc_buf *b);

/* Intrusive FIFO of finished requests waiting to be collected (the cloud clients' sioc_*_next). The link is a
   member of the queued struct; the queue never owns memory. Fields are private. */
typedef struct sioc_qlink {
    struct sioc_qlink *p_next;
} sioc_qlink;
typedef struct sioc_queue {
    sioc_qlink *p_head, *p_tail;
} sioc_queue;

/* Memory for stateful objects. `free` gets the size back so pools and arenas stay simple. No realloc. */
typedef struct sioc_allocator {
    void *(*alloc)(size_t n, void *user);
    void (*free)(void *p, size_t n, void *user);
    void *user;
} sioc_allocator;

typedef enum sioc_log_level { SIOC_LOG_ERROR = 0, SIOC_LOG_WARN = 1, SIOC_LOG_INFO = 2, SIOC_LOG_DEBUG = 3 } sioc_log_level;
/* Log sink: called with a NUL-terminated line (no newline). Never receives secrets. */
typedef struct sioc_logger {
    void (*fn)(void *user, sioc_log_level level, const char *line);
    void *user;
    sioc_log_level max_level; /* lines above this level are not formatted at all */
} sioc_logger;

/* Byte queue over caller memory: a contiguous window [head, tail) that is compacted when space runs out.
   Used for connection input/output; the reader peeks and consumes, the writer reserves and commits. */
typedef struct sioc_bq {
    uint8_t *buf;
    size_t cap;
    size_t head;
    size_t tail;
} sioc_bq;

SIOC_API void sioc_bq_init(sioc_bq *q, void *mem, size_t cap);
SIOC_API size_t sioc_bq_len(const sioc_bq *q);
SIOC_API const uint8_t *sioc_bq_peek(const sioc_bq *q, size_t *out_len);
SIOC_API void sioc_bq_consume(sioc_bq *q, size_t n);
/* Contiguous free space (compacting first when that helps); commit what was written. */
SIOC_API uint8_t *sioc_bq_reserve(sioc_bq *q, size_t *out_room);
SIOC_API void sioc_bq_commit(sioc_bq *q, size_t n);
/* Append n bytes; SIOC_ERR_BUFFER_TOO_SMALL (nothing written) when they do not fit. */
SIOC_API SIOC_NODISCARD sioc_result sioc_bq_write(sioc_bq *q, const void *p, size_t n);
/* ---- src/crypto.h ---- */
/* ---- crypto: SHA-256, HMAC-SHA256, SHA-1 (WebSocket handshake only), MD5 (SQS checksums only), base64, hex, constant-time compare, percent-encoding ----
   Pure functions over caller memory; no allocation, no tables in RAM beyond the SHA-256 constants. */

#define SIOC_SHA256_LEN 32
#define SIOC_SHA256_BLOCK 64

typedef struct sioc_sha256_ctx {
    uint32_t h[8];
    uint64_t total; /* bytes hashed so far */
    uint8_t block[SIOC_SHA256_BLOCK];
    size_t used;    /* bytes waiting in block */
} sioc_sha256_ctx;

SIOC_API void sioc_sha256_init(sioc_sha256_ctx *s);
SIOC_API void sioc_sha256_update(sioc_sha256_ctx *s, const void *data, size_t len);
SIOC_API void sioc_sha256_final(sioc_sha256_ctx *s, uint8_t out[SIOC_SHA256_LEN]);
/* One-shot digest. */
SIOC_API void sioc_sha256(const void *data, size_t len, uint8_t out[SIOC_SHA256_LEN]);

/* SHA-1 (FIPS 180-4), only because RFC 6455 builds Sec-WebSocket-Accept from it; never use it for security. */
#define SIOC_SHA1_LEN 20

typedef struct sioc_sha1_ctx {
    uint32_t h[5];
    uint64_t total;
    uint8_t block[64];
    size_t used;
} sioc_sha1_ctx;

SIOC_API void sioc_sha1_init(sioc_sha1_ctx *s);
SIOC_API void sioc_sha1_update(sioc_sha1_ctx *s, const void *data, size_t len);
SIOC_API void sioc_sha1_final(sioc_sha1_ctx *s, uint8_t out[SIOC_SHA1_LEN]);
SIOC_API void sioc_sha1(const void *data, size_t len, uint8_t out[SIOC_SHA1_LEN]);

/* MD5 (RFC 1321), one-shot, only to check the MD5OfBody SQS sends with each message; never for security. */
#define SIOC_MD5_LEN 16
SIOC_API void sioc_md5(const void *data, size_t len, uint8_t out[SIOC_MD5_LEN]);

/* HMAC-SHA256 (RFC 2104); keys longer than 64 bytes are hashed first (RFC 4231 cases 6, 7). */
typedef struct sioc_hmac_sha256_ctx {
    sioc_sha256_ctx inner;
    sioc_sha256_ctx outer;
} sioc_hmac_sha256_ctx;

SIOC_API void sioc_hmac_sha256_init(sioc_hmac_sha256_ctx *h, const void *key, size_t key_len);
SIOC_API void sioc_hmac_sha256_update(sioc_hmac_sha256_ctx *h, const void *data, size_t len);
SIOC_API void sioc_hmac_sha256_final(sioc_hmac_sha256_ctx *h, uint8_t out[SIOC_SHA256_LEN]);
SIOC_API void sioc_hmac_sha256(const void *key, size_t key_len, const void *data, size_t len,
                               uint8_t out[SIOC_SHA256_LEN]);

/* 1 when the n bytes at a and b are equal; time depends only on n. */
SIOC_API int sioc_ct_equal(const void *a, const void *b, size_t n);

/* Lower-case hex. `out` gets 2*n chars plus a NUL (cap >= 2*n+1). */
SIOC_API SIOC_NODISCARD sioc_result sioc_hex_encode(const void *data, size_t n, char *out, size_t cap);
/* Hex (either case) to bytes; SIOC_ERR_PARSE on odd length or a non-hex character. */
SIOC_API SIOC_NODISCARD sioc_result sioc_hex_decode(const char *hex, size_t len, uint8_t *out, size_t cap,
                                                     size_t *out_len);

/* Standard base64 (RFC 4648 section 4) with '=' padding. `out` gets the text plus a NUL. */
#define SIOC_BASE64_ENCODED_LEN(n) ((((n) + 2) / 3) * 4)
SIOC_API SIOC_NODISCARD sioc_result sioc_base64_encode(const void *data, size_t n, char *out, size_t cap,
                                                        size_t *out_len);
/* Strict decoder: length a multiple of 4, padding only at the end, unused bits zero, no whitespace or other
   alphabet; anything else is SIOC_ERR_PARSE. */
SIOC_API SIOC_NODISCARD sioc_result sioc_base64_decode(const char *text, size_t len, uint8_t *out, size_t cap,
                                                        size_t *out_len);

/* Percent-encoding, appended to a sioc_buf.
   SIOC_PCT_RFC3986: everything except A-Z a-z 0-9 - . _ ~ (AWS SigV4 canonical form, upper-case hex).
   SIOC_PCT_URI_COMPONENT: JavaScript encodeURIComponent (also leaves ! ' ( ) * unescaped).
   SIOC_PCT_PATH: like RFC3986 but '/' is kept (a SigV4 canonical URI). */
typedef enum sioc_pct_mode { SIOC_PCT_RFC3986 = 0, SIOC_PCT_URI_COMPONENT = 1, SIOC_PCT_PATH = 2 } sioc_pct_mode;
SIOC_API void sioc_pct_encode(sioc_buf *out, const char *s, size_t len, sioc_pct_mode mode);
/* Decode %XX (and '+' as space when plus_is_space); SIOC_ERR_PARSE on a bad escape. */
SIOC_API SIOC_NODISCARD sioc_result sioc_pct_decode(const char *s, size_t len, int plus_is_space, sioc_buf *out);
/* ---- src/json.h ---- */
/* ---- json: in-place reader over a caller buffer, and a writer into a sioc_buf ----
   The reader tokenizes the whole text in one pass into a caller-supplied token array (like jsmn), without
   recursion and with nesting bounded by SIOC_MAX_JSON_DEPTH. Tokens point into the caller's text, which must stay
   alive while the document is used. Token 0 is the root; a container's children follow it in order, and
   `next` jumps over a whole subtree, so walking is O(1) per step. Object members are stored as key token
   (a string) followed by its value token.

   Strictness (RFC 8259, checked against JSONTestSuite): one value with optional surrounding whitespace
   (space, tab, LF, CR); no BOM, comments, trailing commas or trailing garbage; numbers exactly per the grammar;
   strings must be valid UTF-8 (no overlongs, no UTF-8-encoded surrogates, nothing above U+10FFFF) without raw
   control characters. Choices where RFC 8259 leaves room (the JSONTestSuite i_ cases):
     - \u escapes of lone or mis-ordered surrogates are accepted, like JSON.parse; sioc_json_get_str turns
       each lone one into its 3-byte WTF-8 form (ED A0 80 for \ud800), which the writer turns back into \ud800;
     - numbers of any size or precision are accepted; the getters report overflow (SIOC_ERR_RANGE);
     - a UTF-8 BOM, UTF-16 text and invalid UTF-8 are rejected (SIOC_ERR_PARSE);
     - nesting deeper than SIOC_MAX_JSON_DEPTH (default 64) is rejected (SIOC_ERR_LIMIT);
     - duplicate keys are kept; sioc_json_find returns the last one (as JSON.parse keeps the last). */

typedef enum sioc_json_type {
    SIOC_JSON_INVALID = 0,
    SIOC_JSON_NULL,
    SIOC_JSON_BOOL,
    SIOC_JSON_NUMBER,
    SIOC_JSON_STRING,
    SIOC_JSON_ARRAY,
    SIOC_JSON_OBJECT
} sioc_json_type;

typedef struct sioc_json_tok {
    uint32_t start;  /* offset of the first byte (for strings: after the opening quote) */
    uint32_t len;    /* length in bytes (for strings: without quotes, escapes not decoded; containers: through
                        the closing bracket) */
    uint32_t next;   /* index of the token after this one's subtree */
    uint32_t parent; /* index of the enclosing array or object (for keys and values alike), 0xFFFFFFFF for the root */
    uint32_t count;  /* arrays: elements; objects: members (key+value pairs); others 0 */
    uint8_t type;    /* sioc_json_type */
    uint8_t escaped; /* strings: 1 when the raw text holds backslash escapes */
    uint8_t is_key;  /* 1 for an object member's key */
} sioc_json_tok;

typedef struct sioc_json {
    const char *text;
    size_t text_len;
    sioc_json_tok *toks;
    size_t cap;
    size_t count;       /* tokens used; after SIOC_ERR_BUFFER_TOO_SMALL: tokens the text needs */
    size_t error_at;    /* byte offset of the first error, when parse failed */
} sioc_json;

/* Parse `len` bytes of JSON text (RFC 8259: one value, surrounding whitespace allowed). Returns SIOC_OK,
   SIOC_ERR_PARSE (syntax, bad escape, invalid UTF-8, ...; doc->error_at says where), SIOC_ERR_LIMIT (deeper than
   SIOC_MAX_JSON_DEPTH or text over 4 GiB), or SIOC_ERR_BUFFER_TOO_SMALL (more tokens needed than `cap`; the text
   is still validated to the end and doc->count is the number needed, so cap 0 / toks NULL measures a text). */
SIOC_API SIOC_NODISCARD sioc_result sioc_json_parse(sioc_json *doc, const char *text, size_t len,
                                                     sioc_json_tok *toks, size_t cap);

/* Navigation. Token indexes are ints; -1 means "none" and every function accepts -1 (or any index out of range)
   and propagates -1. Only use a doc whose parse returned SIOC_OK. */
SIOC_API sioc_json_type sioc_json_type_of(const sioc_json *doc, int tok);
SIOC_API int sioc_json_first(const sioc_json *doc, int tok);        /* first element / first key, or -1 */
/* Next sibling, or -1: for an array element the next element; for an object key (or member value) the next key. */
SIOC_API int sioc_json_next(const sioc_json *doc, int tok);
SIOC_API int sioc_json_find(const sioc_json *doc, int obj, const char *key); /* member value by key, or -1 */
SIOC_API int sioc_json_find_n(const sioc_json *doc, int obj, const char *key, size_t key_len);
SIOC_API int sioc_json_at(const sioc_json *doc, int arr, size_t idx); /* array element, or -1 */
/* Path lookup from `tok`: keys separated by '.', array indexes as "[n]": "a.b[2].c", "[0].id"; "" is tok
   itself. Keys are compared after unescaping. Keys with '.' or '[' need sioc_json_find. */
SIOC_API int sioc_json_path(const sioc_json *doc, int tok, const char *path);
SIOC_API size_t sioc_json_count(const sioc_json *doc, int tok); /* elements or members; 0 for others */

/* Typed getters. SIOC_ERR_TYPE when the token has another type, SIOC_ERR_NOT_FOUND for -1. */
/* String value unescaped into `out` (UTF-8, NUL-terminated when it fits); *out_len gets the length without NUL.
   SIOC_ERR_BUFFER_TOO_SMALL with *out_len = bytes needed (without NUL) when cap is not enough (then `out` holds
   the first cap bytes, not terminated). Lone surrogate escapes come out as WTF-8 (see above). */
SIOC_API SIOC_NODISCARD sioc_result sioc_json_get_str(const sioc_json *doc, int tok, char *out, size_t cap,
                                                       size_t *out_len);
/* Raw view of a token's text (strings: without quotes and still escaped; containers: with brackets). */
SIOC_API sioc_str sioc_json_raw(const sioc_json *doc, int tok);
/* 1 when tok is a string whose unescaped value equals the `len` bytes at s, else 0. */
SIOC_API int sioc_json_str_eq(const sioc_json *doc, int tok, const char *s, size_t len);
/* Integer in int64 range without fraction or exponent (1e3 and 1.0 are SIOC_ERR_TYPE); SIOC_ERR_RANGE on
   overflow. */
SIOC_API SIOC_NODISCARD sioc_result sioc_json_get_i64(const sioc_json *doc, int tok, int64_t *out);
/* Any number, correctly rounded to the nearest double (ties to even; no strtod, locale-free). Beyond the double
   range: *out = +-infinity and SIOC_ERR_RANGE; tiny values round to (signed) zero with SIOC_OK. */
SIOC_API SIOC_NODISCARD sioc_result sioc_json_get_f64(const sioc_json *doc, int tok, double *out);
SIOC_API SIOC_NODISCARD sioc_result sioc_json_get_bool(const sioc_json *doc, int tok, int *out);
SIOC_API int sioc_json_is_null(const sioc_json *doc, int tok); /* 1 for a null token, else 0 */

/* Writer: appends to a sioc_buf (sticky errors; check sioc_buf_result at the end). Commas between elements
   and members are inserted automatically; nesting is tracked up to SIOC_JSON_WRITE_DEPTH levels (deeper records
   SIOC_ERR_LIMIT, an end without a begin SIOC_ERR_STATE). A key must be followed by exactly one value. */
/* The writer nests deeper than the reader: a frame is the JSON of a msgpack value (up to SIOC_MAX_MSGPACK_DEPTH, and
   what a received message may carry) with objects around its binaries (SIOC_ENVELOPE_DEPTH). */
#define SIOC_JSON_WRITE_DEPTH                                                                                       \
    ((SIOC_MAX_JSON_DEPTH > SIOC_MAX_MSGPACK_DEPTH ? SIOC_MAX_JSON_DEPTH : SIOC_MAX_MSGPACK_DEPTH) + SIOC_ENVELOPE_DEPTH)
typedef struct sioc_json_writer {
    sioc_buf *out;
    uint32_t depth;
    uint8_t need_comma[SIOC_JSON_WRITE_DEPTH + 1];
    uint8_t after_key;
} sioc_json_writer;

/* Start one JSON value into `out` (the buffer may already hold a prefix such as a socket.io packet header).
   A second top-level value records SIOC_ERR_STATE. */
SIOC_API void sioc_json_writer_init(sioc_json_writer *w, sioc_buf *out);
/* Containers: begin/end pairs; inside an object, each member is write_key then one value. */
SIOC_API void sioc_json_write_object_begin(sioc_json_writer *w);
SIOC_API void sioc_json_write_object_end(sioc_json_writer *w);
SIOC_API void sioc_json_write_array_begin(sioc_json_writer *w);
SIOC_API void sioc_json_write_array_end(sioc_json_writer *w);
SIOC_API void sioc_json_write_key(sioc_json_writer *w, const char *key, size_t len);
/* Strings are UTF-8; escaping follows JavaScript's JSON.stringify exactly (", \, \b \t \n \f \r, other controls
   as \u00xx lower-case; '/', U+007F, U+2028/2029 and non-ASCII unescaped; WTF-8 lone surrogates as \udxxx, a
   WTF-8 high+low pair as the one 4-byte character). Bytes that are not UTF-8 become U+FFFD, one per maximal
   ill-formed subsequence (as TextDecoder does). */
SIOC_API void sioc_json_write_str(sioc_json_writer *w, const char *s, size_t len);
SIOC_API void sioc_json_write_i64(sioc_json_writer *w, int64_t v);
SIOC_API void sioc_json_write_u64(sioc_json_writer *w, uint64_t v);
/* Doubles as JavaScript prints them (shortest round-trip form; NaN and infinities as null, -0 as 0). */
SIOC_API void sioc_json_write_f64(sioc_json_writer *w, double v);
SIOC_API void sioc_json_write_bool(sioc_json_writer *w, int v);
SIOC_API void sioc_json_write_null(sioc_json_writer *w);
/* Pre-encoded JSON text inserted as one value (trusted: not validated). */
SIOC_API void sioc_json_write_raw(sioc_json_writer *w, const char *json, size_t len);

/* Number formatting on its own: v as JavaScript's String(v) into out, NUL-terminated; out needs
   SIOC_JSON_F64_MAX bytes (the longest output, "-0.0000012345678901234567", takes 26). Returns the length.
   NaN and infinities give "NaN", "Infinity", "-Infinity" as JS does (the writer turns them into null). */
#define SIOC_JSON_F64_MAX 32
SIOC_API size_t sioc_json_format_f64(double v, char *out);
/* ---- src/msgpack.h ---- */
/* ---- msgpack: writer into a sioc_buf, pull reader and validator over a complete buffer ----
   Byte-exact with @msgpack/msgpack 2.8.0 default options (docs/PROTOCOL.md §9): the writer always picks the smallest
   form, integral doubles within +-(2^53-1) become integers, other numbers float64 (never float32), strings and
   binaries get the smallest str/bin header, JS Dates the smallest timestamp. Nothing here allocates or recurses.

   Writer. sioc_msgpack_writer appends to a caller's sioc_buf with a sticky error: write straight down, then call
   sioc_msgpack_writer_finish() once. Containers come in two kinds:
     - known count: sioc_msgpack_write_array(w, n) / write_map(w, n), then exactly n values (2n for a map);
     - open count:  sioc_msgpack_begin_array(w) ... sioc_msgpack_end_array(w) (likewise map). begin writes a
       1-byte header; end sets it, or for more than 15 items widens it to 3 or 5 bytes by moving the body up
       (a memmove, so prefer known counts for big collections). A buffer of the final size is always enough.
   The writer tracks nesting (up to SIOC_MSGPACK_WRITE_DEPTH levels, else SIOC_ERR_LIMIT: room for the library's
   envelopes around a value of the full SIOC_MAX_MSGPACK_DEPTH): a known-count container
   closes by itself after its n-th value (later values belong to the enclosing one); an end with an unfinished
   inner container, an odd number of map items or nothing open, and a finish with anything open, give
   SIOC_ERR_STATE. In map key position
   the key "__proto__" is refused with SIOC_ERR_ARG, since it makes Node's decoder throw (docs/PROTOCOL.md Q14).
   Keys should be strings (§9.1); the writer does not reorder them (JS order is the caller's job).

     sioc_buf b; sioc_msgpack_writer w;
     sioc_buf_init(&b, mem, sizeof mem);
     sioc_msgpack_writer_init(&w, &b);
     sioc_msgpack_write_map(&w, 2);
     sioc_msgpack_write_cstr(&w, "requestId"); sioc_msgpack_write_cstr(&w, id);
     sioc_msgpack_write_cstr(&w, "clientCount"); sioc_msgpack_write_uint(&w, n);
     if (sioc_msgpack_writer_finish(&w) != SIOC_OK) ...   (b.len bytes of mem hold the value)

   Reader. sioc_msgpack_reader is a cursor over a complete buffer (kept alive by the caller). sioc_msgpack_read()
   returns the next item: a scalar, a str/bin/ext (a view into the buffer), or only the header of an array/map (the
   cursor then sits on its first element; the caller walks count elements, or 2*count for a map). Malformed input
   (truncation, 0xc1, a count larger than the bytes left, a bad timestamp) records a sticky error in the reader.
   sioc_msgpack_check() validates a whole message first (one value, no trailing bytes, UTF-8, keys, depth); after
   it passed, the reader cannot fail on structure.

   Absent versus nil (§8): sioc_msgpack_map_find() returns SIOC_ERR_NOT_FOUND for an absent key and SIOC_OK with the
   cursor on a nil item for a present nil. */

typedef enum sioc_msgpack_type {
    SIOC_MSGPACK_NONE = 0, /* nothing read (error) */
    SIOC_MSGPACK_NIL,
    SIOC_MSGPACK_BOOL,
    SIOC_MSGPACK_UINT,      /* any integer >= 0, whatever its wire form (value in .u) */
    SIOC_MSGPACK_INT,       /* any integer < 0 (value in .i) */
    SIOC_MSGPACK_FLOAT32,   /* value in .f (widened exactly) */
    SIOC_MSGPACK_FLOAT64,   /* value in .f */
    SIOC_MSGPACK_STR,       /* .data/.len: bytes, not NUL-terminated, not validated by read (see check) */
    SIOC_MSGPACK_BIN,       /* .data/.len */
    SIOC_MSGPACK_ARRAY,     /* .len: element count; the elements follow */
    SIOC_MSGPACK_MAP,       /* .len: pair count; key, value, key, value... follow */
    SIOC_MSGPACK_EXT,       /* .ext_type, .data/.len: an extension other than the timestamp */
    SIOC_MSGPACK_TIMESTAMP  /* extension -1: .ts_sec, .ts_nsec (also .data/.len, .ext_type = -1) */
} sioc_msgpack_type;

/* One item as read. Only the fields named for its type are meaningful. */
typedef struct sioc_msgpack_item {
    sioc_msgpack_type type;
    uint8_t format;         /* the first byte of the item on the wire (0xcc, 0xa5, ...) */
    int8_t ext_type;        /* EXT, TIMESTAMP */
    int boolean;            /* BOOL: 0 or 1 */
    uint32_t len;           /* STR, BIN, EXT, TIMESTAMP: data bytes; ARRAY: elements; MAP: pairs */
    const uint8_t *data;    /* STR, BIN, EXT, TIMESTAMP: points into the reader's buffer */
    uint64_t u;             /* UINT */
    int64_t i;              /* INT */
    double f;               /* FLOAT32, FLOAT64 */
    int64_t ts_sec;         /* TIMESTAMP: seconds since 1970 (may be negative) */
    uint32_t ts_nsec;       /* TIMESTAMP: 0..999999999 */
} sioc_msgpack_item;

/* ---- writer ---- */

/* How deep the writer, sioc_msgpack_skip / read_raw and sioc_msgpack_check_depth may go: a whole message. */
#define SIOC_MSGPACK_WRITE_DEPTH (SIOC_MAX_MSGPACK_DEPTH + SIOC_ENVELOPE_DEPTH)

typedef struct sioc_msgpack_frame_ {
    size_t start;  /* open containers: offset of the 1-byte header slot */
    uint64_t n;    /* known count: items still expected; open: items written so far */
    uint8_t kind;  /* private: array/map x known/open */
} sioc_msgpack_frame_;

typedef struct sioc_msgpack_writer {
    sioc_buf *out;
    uint32_t depth; /* containers currently open (known-count ones with items left, and begin/end ones) */
    sioc_msgpack_frame_ p_frames[SIOC_MSGPACK_WRITE_DEPTH];
} sioc_msgpack_writer;

/* Start writing into `out` (its memory and sticky error belong to the caller; appends after out->len). */
SIOC_API void sioc_msgpack_writer_init(sioc_msgpack_writer *w, sioc_buf *out);
/* SIOC_OK when every container is complete and the bytes fit; SIOC_ERR_STATE when a container is unfinished;
   otherwise sioc_buf_result(out) (SIOC_ERR_BUFFER_TOO_SMALL with out->len = bytes needed). */
SIOC_API SIOC_NODISCARD sioc_result sioc_msgpack_writer_finish(const sioc_msgpack_writer *w);

SIOC_API void sioc_msgpack_write_nil(sioc_msgpack_writer *w);  /* c0: JS null and undefined */
SIOC_API void sioc_msgpack_write_bool(sioc_msgpack_writer *w, int v);
/* Smallest form: >= 0 always unsigned (00-7f, cc, cd, ce, cf); < 0 as e0-ff, d0, d1, d2, d3. Exact for all 64 bits
   (Node reads beyond 2^53 with precision loss). */
SIOC_API void sioc_msgpack_write_int(sioc_msgpack_writer *w, int64_t v);
SIOC_API void sioc_msgpack_write_uint(sioc_msgpack_writer *w, uint64_t v);
/* A JS number: integral and within +-(2^53-1) -> written as an integer (-0 -> 00); anything else (fraction, NaN,
   infinities, 2^53 and beyond) -> float64 cb; every NaN as JS's 7ff8000000000000. */
SIOC_API void sioc_msgpack_write_double(sioc_msgpack_writer *w, double v);
/* UTF-8 text (not validated: received strings may pass through unchanged); header a0-bf, d9, da, db.
   SIOC_ERR_LIMIT beyond 4 GiB - 1. */
SIOC_API void sioc_msgpack_write_str(sioc_msgpack_writer *w, const char *s, size_t len);
SIOC_API void sioc_msgpack_write_cstr(sioc_msgpack_writer *w, const char *s); /* NUL-terminated */
SIOC_API void sioc_msgpack_write_bin(sioc_msgpack_writer *w, const void *p, size_t len); /* c4, c5, c6 */
/* Known-count headers: exactly n values (map: n keys and n values) must follow. */
SIOC_API void sioc_msgpack_write_array(sioc_msgpack_writer *w, uint32_t n);
SIOC_API void sioc_msgpack_write_map(sioc_msgpack_writer *w, uint32_t n);
/* Open-count containers: any number of values between begin and end; end writes the smallest header. */
SIOC_API void sioc_msgpack_begin_array(sioc_msgpack_writer *w);
SIOC_API void sioc_msgpack_end_array(sioc_msgpack_writer *w);
SIOC_API void sioc_msgpack_begin_map(sioc_msgpack_writer *w);
SIOC_API void sioc_msgpack_end_map(sioc_msgpack_writer *w);
/* Extension (fixext d4-d8 when len is 1/2/4/8/16, else c7, c8, c9). */
SIOC_API void sioc_msgpack_write_ext(sioc_msgpack_writer *w, int8_t type, const void *data, size_t len);
/* Timestamp extension -1 in the smallest of the 32/64/96-bit forms; SIOC_ERR_ARG when nsec > 999999999. */
SIOC_API void sioc_msgpack_write_timestamp(sioc_msgpack_writer *w, int64_t sec, uint32_t nsec);
/* A JS Date given as milliseconds since 1970 (what Node writes for `new Date(ms)`). */
SIOC_API void sioc_msgpack_write_date_ms(sioc_msgpack_writer *w, int64_t ms);
/* One complete, already encoded value (for example a span from sioc_msgpack_read_raw), copied as is. Trusted:
   not validated, counted as exactly one value. */
SIOC_API void sioc_msgpack_write_raw(sioc_msgpack_writer *w, const void *p, size_t len);

/* ---- reader ---- */

typedef struct sioc_msgpack_reader {
    const uint8_t *data;
    size_t len;
    size_t pos;          /* offset of the next item */
    sioc_result err;     /* first malformed-input error (sticky): SIOC_ERR_PARSE or SIOC_ERR_LIMIT */
    size_t error_at;     /* offset where it was found */
} sioc_msgpack_reader;

/* Cursor over `len` bytes at `data` (the caller keeps them alive while items are used). */
SIOC_API void sioc_msgpack_reader_init(sioc_msgpack_reader *r, const void *data, size_t len);
/* Read the next item and advance past it (for array/map: past the header only). SIOC_OK, or SIOC_ERR_PARSE
   (truncated, 0xc1, count larger than the bytes left, timestamp of a bad size or nsec > 999999999), sticky. */
SIOC_API SIOC_NODISCARD sioc_result sioc_msgpack_read(sioc_msgpack_reader *r, sioc_msgpack_item *out);
/* Like read without moving the cursor nor recording an error. */
SIOC_API SIOC_NODISCARD sioc_result sioc_msgpack_peek(const sioc_msgpack_reader *r, sioc_msgpack_item *out);
/* Skip one whole value (containers with all their content), iteratively. SIOC_ERR_LIMIT deeper than
   SIOC_MSGPACK_WRITE_DEPTH nested containers (a whole message); SIOC_ERR_PARSE as read. Does not validate UTF-8 or keys. */
SIOC_API SIOC_NODISCARD sioc_result sioc_msgpack_skip(sioc_msgpack_reader *r);
/* Skip one whole value and return its encoded bytes (a view into the buffer, e.g. for write_raw). */
SIOC_API SIOC_NODISCARD sioc_result sioc_msgpack_read_raw(sioc_msgpack_reader *r, sioc_bytes *out);
/* Validate one whole value at the cursor like sioc_msgpack_check (without the trailing-bytes rule), advancing
   past it. */
SIOC_API SIOC_NODISCARD sioc_result sioc_msgpack_reader_check(sioc_msgpack_reader *r);

/* Exactly one complete, well-formed value and nothing after it. Beyond structure it rejects what makes Node's
   decoder throw or what a C node should not trust: 0xc1; trailing bytes (Node: "Extra N of M byte(s)"); str that
   is not UTF-8 (lone surrogates in 3-byte form, as Node writes them, are accepted); map keys other than str or
   integer; the key "__proto__"; timestamps of a bad size. SIOC_OK, SIOC_ERR_PARSE, or SIOC_ERR_LIMIT (deeper than
   SIOC_MAX_MSGPACK_DEPTH: the bound of a value the library accepts). */
SIOC_API SIOC_NODISCARD sioc_result sioc_msgpack_check(const void *data, size_t len);
/* The same with another depth bound, at most SIOC_MSGPACK_WRITE_DEPTH (larger is taken as that): a whole message
   around a value is checked with SIOC_MSGPACK_WRITE_DEPTH. */
SIOC_API SIOC_NODISCARD sioc_result sioc_msgpack_check_depth(const void *data, size_t len, unsigned max_depth);

/* With the cursor on a map: find `key` among its str keys (the last one wins on duplicates, as in Node) and
   leave the cursor on its value. SIOC_ERR_NOT_FOUND (absent) or SIOC_ERR_TYPE (not a map) leave the cursor
   where it was; copy the reader first to look up several keys of one map. Integer keys never match. */
SIOC_API SIOC_NODISCARD sioc_result sioc_msgpack_map_find(sioc_msgpack_reader *r, const char *key);
SIOC_API SIOC_NODISCARD sioc_result sioc_msgpack_map_find_n(sioc_msgpack_reader *r, const char *key, size_t len);

/* Typed reads: on success advance past the item; on SIOC_ERR_TYPE (another type) or SIOC_ERR_RANGE leave the
   cursor unchanged. Integers accept every wire width; read_f64 accepts integers and floats. read_array/read_map
   give the count and leave the cursor on the first element. */
SIOC_API SIOC_NODISCARD sioc_result sioc_msgpack_read_nil(sioc_msgpack_reader *r);
SIOC_API SIOC_NODISCARD sioc_result sioc_msgpack_read_bool(sioc_msgpack_reader *r, int *out);
SIOC_API SIOC_NODISCARD sioc_result sioc_msgpack_read_i64(sioc_msgpack_reader *r, int64_t *out);
SIOC_API SIOC_NODISCARD sioc_result sioc_msgpack_read_u64(sioc_msgpack_reader *r, uint64_t *out);
SIOC_API SIOC_NODISCARD sioc_result sioc_msgpack_read_f64(sioc_msgpack_reader *r, double *out);
SIOC_API SIOC_NODISCARD sioc_result sioc_msgpack_read_str(sioc_msgpack_reader *r, sioc_str *out);
SIOC_API SIOC_NODISCARD sioc_result sioc_msgpack_read_bin(sioc_msgpack_reader *r, sioc_bytes *out);
SIOC_API SIOC_NODISCARD sioc_result sioc_msgpack_read_array(sioc_msgpack_reader *r, uint32_t *out_count);
SIOC_API SIOC_NODISCARD sioc_result sioc_msgpack_read_map(sioc_msgpack_reader *r, uint32_t *out_count);
/* ---- src/mpjson.h ---- */
/* ---- mpjson: one msgpack value as JSON text and one JSON value as msgpack ----
   The two conversions a Socket.IO node makes between its cluster (msgpack) and its clients (JSON); sio_parser.h
   builds its frames and reads client acks with them, and programs (siocat) use them for their own JSON. Both walk
   iteratively (no recursion), allocate nothing and bound the nesting. Binary values have no JSON form of their
   own: a callback writes them, and another may recognise them in JSON.

   msgpack -> JSON, as a Node node prints what @msgpack/msgpack decoded (JSON.stringify): nil -> null; integers
   as JS numbers (beyond +-2^53 the double JS reads: 2^64-1 -> 18446744073709552000) unless
   SIOC_MPJSON_EXACT_INTEGERS keeps every digit; float32/64 as JS prints them (NaN, infinities -> null); str
   escaped as JSON.stringify does; timestamps (ext -1) as Date.toJSON text "1970-01-01T00:00:00.000Z" (null
   outside the JS Date range); integer map keys as their decimal text; bin and every other ext through
   write_bin (SIOC_ERR_TYPE without one). Errors: SIOC_ERR_PARSE (not exactly one well-formed value), SIOC_ERR_TYPE
   (a map key that is not str/integer), SIOC_ERR_LIMIT (deeper than SIOC_MAX_MSGPACK_DEPTH + SIOC_ENVELOPE_DEPTH),
   write_bin's error, else the output buffer's (SIOC_ERR_BUFFER_TOO_SMALL: out->len is the size needed).

   JSON -> msgpack, as JSON.parse then @msgpack/msgpack encode it: numbers as JS numbers (integral within
   +-(2^53-1) as integers, others float64; SIOC_MPJSON_EXACT_INTEGERS keeps any integer literal that fits int64 or
   uint64 exact); strings unescaped (a lone surrogate escape as WTF-8 in strings up to 200 UTF-16 units, U+FFFD
   beyond, as Node's encoder does); objects in text order without their "__proto__" members (Node's decoder throws
   on them, docs/PROTOCOL.md Q14), each first offered to read_bin. Errors: SIOC_ERR_ARG (tok is not a value of doc),
   read_bin's error; the writer's errors stay in the writer (sioc_msgpack_writer_finish).

   SIOC_ENABLE_FLOAT 0 (no double arithmetic): msgpack -> JSON returns SIOC_ERR_UNSUPPORTED for float32/64,
   timestamps and, without SIOC_MPJSON_EXACT_INTEGERS, integers (values or keys) beyond +-2^53; JSON -> msgpack
   leaves SIOC_ERR_UNSUPPORTED in the writer for a number that is not an integer literal within +-(2^53-1). */

#define SIOC_MPJSON_EXACT_INTEGERS 1u /* both ways: 64-bit integers keep every digit (not JS semantics) */

/* Options; NULL means none (no flags, no binary conversion). */
typedef struct sioc_mpjson_opts {
    unsigned flags;
    /* msgpack -> JSON: write exactly one JSON value for `it` (type SIOC_MSGPACK_BIN or SIOC_MSGPACK_EXT). */
    sioc_result (*write_bin)(void *user, sioc_json_writer *jw, const sioc_msgpack_item *it);
    /* JSON -> msgpack: for object token `tok`, 1 after writing the one value that replaces it, 0 to convert it
       as an object, or a negative sioc_result to stop. */
    int (*read_bin)(void *user, const sioc_json *doc, int tok, sioc_msgpack_writer *w);
    void *user;
} sioc_mpjson_opts;

/* One msgpack value (exactly `value`, no trailing bytes) appended to jw as one JSON value. */
SIOC_API SIOC_NODISCARD sioc_result sioc_msgpack_to_json(sioc_json_writer *jw, sioc_bytes value,
                                                         const sioc_mpjson_opts *opts);
/* JSON value `tok` of a parsed doc (a value, not a key) written to w as one msgpack value. */
SIOC_API SIOC_NODISCARD sioc_result sioc_json_to_msgpack(const sioc_json *doc, int tok, sioc_msgpack_writer *w,
                                                         const sioc_mpjson_opts *opts);

/* A ready-made binary convention (the test vectors' and siocat's): bin <-> {"$bin":"<hex>"}, ext <->
   {"$ext":<type>,"$bin":"<hex>"}. The reader takes exactly those objects (hex of either case) and leaves any
   other object alone; a "$bin" that is not even-length hex is SIOC_ERR_PARSE. */
SIOC_API sioc_result sioc_mpjson_write_bin_hex(void *user, sioc_json_writer *jw, const sioc_msgpack_item *it);
SIOC_API int sioc_mpjson_read_bin_hex(void *user, const sioc_json *doc, int tok, sioc_msgpack_writer *w);

/* ---- src/xml.h ---- */
/* ---- xml: non-allocating scanner for AWS Query protocol replies (SNS) ----
   Reads a complete document held in a caller buffer; nothing is copied or allocated, every span points into the
   caller's bytes, which must stay alive while spans are used. Nothing recurses: nesting is tracked in a fixed
   stack of SIOC_MAX_XML_DEPTH open element names inside the reader, so stack use is constant whatever the input.

   Three layers:
   1. A pull tokenizer (sioc_xml_reader + sioc_xml_next): start tag (name + raw attribute span), end tag, text run,
      end of input, each with its depth. It checks well-formedness (XML 1.0 5th ed. + Namespaces in XML) as it
      goes, so reading to SIOC_XML_EOF proves the whole input well-formed.
   2. Lookups on top of it: sioc_xml_find ("CreateTopicResponse/CreateTopicResult/TopicArn" -> raw content span),
      sioc_xml_find_in (the same relative to a content span) and sioc_xml_iter (each repeated child such as
      `member`, as a content span to run relative lookups on). Lookups always scan to the end of their input, so
      a truncated or malformed reply fails even when the wanted field came before the damage.
   3. sioc_xml_text: a raw content span decoded into caller memory.

   What is accepted: an optional UTF-8 byte order mark and `<?xml version="1.x" encoding="UTF-8"
   standalone="yes|no"?>` declaration, comments, processing instructions, CDATA sections, the five predefined
   entities (&lt; &gt; &amp; &apos; &quot;) and numeric character references, in text and attribute values.
   Namespaces: prefixes are not resolved; names must be QNames (at most one ':', not first or last) and path
   segments match the local part (after the ':'), or the whole qualified name when the segment holds a ':'.
   What is rejected (SIOC_ERR_PARSE unless said): unterminated tags, comments, CDATA or references; bad attribute
   syntax (missing '=', unquoted values, '<' in a value, no space between attributes, duplicates); '<' or "]]>"
   in text; mismatched or unclosed end tags; text, a second element or garbage after the root; other entity
   names; invalid UTF-8 or characters outside XML's Char production; an encoding other than UTF-8
   (SIOC_ERR_UNSUPPORTED); a DOCTYPE (SIOC_ERR_UNSUPPORTED: no DTD, hence no entity expansion attacks);
   nesting deeper than SIOC_MAX_XML_DEPTH or more than SIOC_XML_MAX_ATTRS attributes on a tag (SIOC_ERR_LIMIT).
   Non-ASCII name characters are accepted as long as they are valid UTF-8 (the Unicode name classes are not
   checked). */

/* Attributes per tag (bounds the duplicate check; costs 2 words of stack each). AWS replies carry one (xmlns). */
#ifndef SIOC_XML_MAX_ATTRS
#define SIOC_XML_MAX_ATTRS 32
#endif

typedef enum sioc_xml_kind {
    SIOC_XML_EOF = 0, /* the input ended and was well-formed */
    SIOC_XML_START,   /* start tag; an empty-element tag <x/> gives START (empty = 1) then END */
    SIOC_XML_END,     /* end tag */
    SIOC_XML_TEXT     /* a run of character data between two tags: raw, may hold references, CDATA, comments, PIs */
} sioc_xml_kind;

typedef struct sioc_xml_token {
    sioc_xml_kind kind;
    uint32_t depth;  /* START/END: the element's depth (the root, or a top-level element of content, is 1);
                        TEXT: the depth of the enclosing element (0 at the top level of content) */
    uint8_t empty;   /* START: 1 for <x/> */
    sioc_str name;   /* START/END: qualified name as written ("ns:Foo") */
    sioc_str local;  /* START/END: local part of the name ("Foo") */
    sioc_str attrs;  /* START: raw attribute text, from the first attribute to the end of the last (may be empty) */
    sioc_str raw;    /* the markup: "<...>" for START, "</...>" for END (empty, just after "<x/>", for the END of an
                        empty-element tag), the text run itself for TEXT */
} sioc_xml_token;

/* Pull tokenizer state. Transparent so it can live on the stack (~0.6 KB); treat the fields as private. */
typedef struct sioc_xml_reader {
    const char *buf;
    size_t len;
    size_t pos;
    size_t error_at;             /* byte offset of the first error */
    sioc_result err;             /* sticky: once set, every call returns it */
    uint32_t depth;
    uint8_t content;             /* 1: element content (several top-level items), 0: a document */
    uint8_t seen_root;
    uint8_t pending_end;         /* an empty-element tag still owes its END token */
    const char *open[SIOC_MAX_XML_DEPTH]; /* names of the open elements, for end-tag matching */
    size_t open_len[SIOC_MAX_XML_DEPTH];
} sioc_xml_reader;

/* Start reading a whole document: optional BOM and declaration, comments/PIs/whitespace, exactly one root
   element, then only comments/PIs/whitespace. The buffer must stay alive while the reader and its spans are used. */
SIOC_API void sioc_xml_reader_init(sioc_xml_reader *r, const char *xml, size_t len);
/* Start reading element content (what sioc_xml_find returns): text, elements, comments, CDATA in any number,
   no declaration or DOCTYPE. */
SIOC_API void sioc_xml_reader_init_content(sioc_xml_reader *r, const char *xml, size_t len);
/* Next token. SIOC_OK with out->kind set (SIOC_XML_EOF, repeatedly, once the input is used up); otherwise the
   sticky error (SIOC_ERR_PARSE, SIOC_ERR_LIMIT, SIOC_ERR_UNSUPPORTED) with r->error_at. In a document, whitespace,
   comments and PIs outside the root are skipped, not reported. */
SIOC_API SIOC_NODISCARD sioc_result sioc_xml_next(sioc_xml_reader *r, sioc_xml_token *out);

/* Raw content (between the start and end tags; empty for <x/>) of the first element, in document order, whose
   path from the root is `path` ('/'-separated names, the first naming the root). The whole document is checked.
   SIOC_OK, SIOC_ERR_NOT_FOUND, SIOC_ERR_ARG (empty path or segment, more segments than SIOC_MAX_XML_DEPTH), or a
   tokenizer error. Decode the span with sioc_xml_text, or search inside it with sioc_xml_find_in. */
SIOC_API SIOC_NODISCARD sioc_result sioc_xml_find(const char *xml, size_t len, const char *path, sioc_str *out);
/* The same relative to element content (a span from sioc_xml_find or sioc_xml_iter_next): the first segment
   names a top-level element of `content`. */
SIOC_API SIOC_NODISCARD sioc_result sioc_xml_find_in(sioc_str content, const char *path, sioc_str *out);

/* One element as seen by the iterator. */
typedef struct sioc_xml_elem {
    sioc_str name;    /* qualified name as written */
    sioc_str attrs;   /* raw attribute text */
    sioc_str content; /* raw content between the tags (empty for <x/>) */
} sioc_xml_elem;

typedef struct sioc_xml_iter {
    sioc_xml_reader r;
    const char *name; /* NULL: every child */
    size_t name_len;
} sioc_xml_iter;

/* Iterate the top-level elements of `content` named `name` (matched like a path segment; NULL for all), e.g.
   each `member` of the span found at "PublishBatchResponse/PublishBatchResult/Successful". The whole span is
   checked here, so iteration itself cannot fail: SIOC_OK or a tokenizer error. */
SIOC_API SIOC_NODISCARD sioc_result sioc_xml_iter_init(sioc_xml_iter *it, sioc_str content, const char *name);
/* 1 and *out filled for the next matching element, 0 when there are no more. */
SIOC_API int sioc_xml_iter_next(sioc_xml_iter *it, sioc_xml_elem *out);

/* Decode a raw content span into `out` as UTF-8 plus a NUL: references replaced, CDATA sections copied verbatim,
   comments and PIs dropped, line ends normalised to LF (XML 1.0 section 2.11). *out_len gets the decoded length
   without the NUL. SIOC_ERR_BUFFER_TOO_SMALL when cap < *out_len + 1 (*out_len still set: the size needed is
   *out_len + 1; out may be NULL with cap 0 to measure), SIOC_ERR_TYPE when the span holds child elements,
   SIOC_ERR_PARSE when it is not well-formed text. */
SIOC_API SIOC_NODISCARD sioc_result sioc_xml_text(sioc_str raw, char *out, size_t cap, size_t *out_len);
/* ---- src/sas.h ---- */
/* ---- sas: Azure Service Bus shared access signatures and connection strings ----
   Pure functions over caller memory: no allocation, no clock (the caller passes Unix seconds), no global state.
   Token (docs/AZURE.md section 3): "SharedAccessSignature sr=<sr>&sig=<sig>&se=<expiry>&skn=<key name>" where
     sr  = the percent-encoded resource URI, signed exactly as written;
     sig = base64(HMAC-SHA256(key, sr + "\n" + se)), percent-encoded in the token. The key is the UTF-8 bytes
           of the key string as configured: the base64-looking text is NOT decoded (IoT Hub differs here);
     se  = absolute expiry in Unix seconds, plain decimal (64-bit: 2^31 and 2^32 are valid).
   Two encodings are offered so tokens come out byte-identical to the two Node SDK code paths; the service
   accepts either, since it checks the signature over sr as written. */

/* Token lifetime of @azure/core-amqp (seconds); the ATOM management client uses 300 per request. */
#define SIOC_SAS_DEFAULT_LIFETIME 3600
/* Base64 HMAC-SHA256 signature length (without NUL). */
#define SIOC_SAS_SIG_LEN 44
/* Longest key name accepted by sioc_sas_verify (Azure allows 256 characters). */
#define SIOC_SAS_MAX_KEY_NAME 256

typedef enum sioc_sas_style {
    /* sr = encodeURIComponent(uri) (upper-case hex), fields sr, sig, se, skn: @azure/core-amqp (AMQP CBS tokens).
       The recommended choice for a REST client. */
    SIOC_SAS_CASE_PRESERVING = 0,
    /* sr = encodeURIComponent(lower-cased uri) with the hex digits lower-cased too, fields sig, se, skn, sr: the
       @azure/service-bus ATOM administration client. Only ASCII letters are lower-cased. */
    SIOC_SAS_LOWERCASED = 1
} sioc_sas_style;

/* What to sign. Views must stay valid during the call; the key is never copied or logged. */
typedef struct sioc_sas_params {
    sioc_str resource_uri; /* not encoded: "https://ns.servicebus.windows.net/" (namespace root covers all) */
    sioc_str key_name;     /* "RootManageSharedAccessKey" */
    sioc_str key;          /* SharedAccessKey text, used as-is */
    int64_t expiry;        /* absolute Unix seconds, >= 0: typically now + SIOC_SAS_DEFAULT_LIFETIME */
    sioc_sas_style style;
} sioc_sas_params;

/* Append the whole token (the Authorization header value / CBS put-token body) to `out`. Returns SIOC_OK,
   SIOC_ERR_ARG (empty resource URI, key name or key), SIOC_ERR_RANGE (expiry < 0), or the buffer's error
   (SIOC_ERR_BUFFER_TOO_SMALL: out->len is then the size needed). */
SIOC_API SIOC_NODISCARD sioc_result sioc_sas_token(const sioc_sas_params *p, sioc_buf *out);

/* Append the encoded resource URI (the sr value, which is also the first line of the string to sign). */
SIOC_API void sioc_sas_encode_resource(sioc_buf *out, sioc_str uri, sioc_sas_style style);

/* Signature over an already encoded `sr`: base64(HMAC-SHA256(key, sr "\n" expiry)) into out, NUL-terminated
   (44 chars). SIOC_ERR_RANGE when expiry < 0. */
SIOC_API SIOC_NODISCARD sioc_result sioc_sas_sign(sioc_str key, sioc_str sr, int64_t expiry,
                                                   char out[SIOC_SAS_SIG_LEN + 1]);

/* Renewal. A token made at time t with lifetime L (expiry t + L) is replaced at expiry - L/4, so 3600 s tokens
   are renewed every 45 minutes as @azure/service-bus does for CBS. lifetime <= 0 means the default. Returns the
   absolute renewal time (for the caller's timer). */
SIOC_API int64_t sioc_sas_renew_at(int64_t expiry, int64_t lifetime);
/* 1 when a token expiring at `expiry` should be regenerated at `now` (renewal time reached, or no token yet:
   expiry 0), else 0. */
SIOC_API int sioc_sas_should_renew(int64_t now, int64_t expiry, int64_t lifetime);

/* A token taken apart. Views point into the token text and stay percent-encoded. */
typedef struct sioc_sas_token_view {
    sioc_str sr;
    sioc_str sig;
    sioc_str skn;
    int64_t se;
} sioc_sas_token_view;

/* Split "SharedAccessSignature k=v&k=v..." (fields in any order; unknown fields ignored). SIOC_ERR_PARSE when the
   prefix is missing, a field has no '=', sr/sig/se/skn is missing, empty or repeated, or se is not a decimal
   number in int64 range; SIOC_ERR_ARG on NULL out. Used for a ready-made SharedAccessSignature (its se tells
   when it stops working: it cannot be renewed). */
SIOC_API SIOC_NODISCARD sioc_result sioc_sas_parse_token(sioc_str token, sioc_sas_token_view *out);

/* Check a token as the service does: parses, key name equal (after percent-decoding), signature over sr as
   written equal (constant time), now < se. SIOC_OK, SIOC_ERR_PARSE (malformed), SIOC_ERR_AUTH (wrong key name or
   signature, or expired). For tests and local brokers. */
SIOC_API SIOC_NODISCARD sioc_result sioc_sas_verify(sioc_str token, sioc_str key_name, sioc_str key, int64_t now);

/* A Service Bus connection string taken apart (docs/AZURE.md section 2). Views point into the caller's text. */
typedef struct sioc_sas_connstr {
    sioc_str endpoint;            /* Endpoint value as written, "sb://ns.servicebus.windows.net/" */
    sioc_str scheme;              /* "sb" */
    sioc_str host;                /* "ns.servicebus.windows.net", "127.0.0.1", "[::1]" (brackets kept) */
    uint16_t port;                /* port written in the endpoint, 0 when none */
    sioc_str key_name;            /* SharedAccessKeyName (empty with a signature) */
    sioc_str key;                 /* SharedAccessKey (empty with a signature) */
    sioc_str signature;           /* SharedAccessSignature: a whole ready token, or empty */
    int64_t signature_expiry;     /* its se, 0 without one */
    sioc_str entity_path;         /* EntityPath, or empty */
    int use_development_emulator; /* UseDevelopmentEmulator=true: plain TCP/HTTP to a local broker */
    char detail[SIOC_DETAIL_SIZE]; /* after an error: which field is wrong and how (never a value from the text) */
} sioc_sas_connstr;

/* Parse "Endpoint=sb://...;SharedAccessKeyName=...;SharedAccessKey=..." like @azure/service-bus: split on ';',
   skip empty pieces, split each at its FIRST '=' (keys end in '='), trim ASCII whitespace around names and values,
   match names case-insensitively, ignore unknown names; an empty value counts as absent.
   Rejected with SIOC_ERR_PARSE: a piece without '=' or with an empty name; a known name given twice; a control
   character in a value; an Endpoint without "scheme://", with an empty or invalid host, a port that is not
   1..65535, or anything but a path after host[:port]; a SharedAccessSignature that sioc_sas_parse_token refuses;
   UseDevelopmentEmulator other than true/false (any case).
   Rejected with SIOC_ERR_ARG: no Endpoint; SharedAccessSignature together with a key or key name; a key without
   its name or a name without its key; no credentials at all (the SDK would accept that for a TokenCredential,
   which this library does not have). On error *out is zeroed except out->detail, which names the field:
   "connection string: Endpoint missing (Endpoint=sb://<namespace>.servicebus.windows.net/)". */
SIOC_API SIOC_NODISCARD sioc_result sioc_sas_parse_connection_string(sioc_str text, sioc_sas_connstr *out);
/* ---- src/sio_parser.h ---- */
/* ---- sio_parser: socket.io-parser v5 frames (what a node writes to its own clients) and Engine.IO framing ----
   docs/PROTOCOL.md §10. Byte-exact with socket.io-parser 4.2.x / engine.io-parser 5.2.x (parser-vectors.json).

   Encoding: a packet's data is given as msgpack (for a BROADCAST: the packet.data view of a decoded cluster
   message, [event, args...]) and becomes one text frame
       <type>[<attachments>-][<nsp>,][<id>][<JSON.stringify(data)>]
   plus the binary attachments, in depth-first order, each replaced in the JSON by {"_placeholder":true,"num":N}.
   Attachments are views into the msgpack input (no copy): keep it alive while the frames are sent. The packet is
   encoded once and the same frames go to every selected socket (§10.1). The JSON is sioc_msgpack_to_json's
   (mpjson.h: what a Node node prints after decoding with @msgpack/msgpack), with each bin as a placeholder and
   each other extension as {"type":<ext type>,"data":<placeholder>}, which is what Node's ExtData object
   serialises to. Map keys are written in wire order: a Node sender already writes JS order, and duplicate keys
   (never from Node) stay duplicated, which JSON.parse on the client resolves the way a JS object would.

   Decoding (client -> node, §10.6): the header is parsed like socket.io-parser's decodeString (type digit,
   attachment count for 5/6, "/nsp," prefix, decimal ack id) and the rest as JSON into caller tokens, then checked
   like its isPayloadValid. Stricter than Node where Node is sloppy: the attachment count and the id must be plain
   ASCII digits (Node's Number() also takes spaces), the id at most 2^53-1, a placeholder's num an integer. Errors:
     SIOC_ERR_PARSE     empty text, unknown packet type, malformed attachment count or id, JSON syntax
     SIOC_ERR_LIMIT     more attachments than the limit (Node: "too many attachments")
     SIOC_ERR_PROTOCOL  payload not valid for the type (Node: "invalid payload")
     SIOC_ERR_RANGE     a placeholder num outside [0, attachments) (Node: "illegal attachments")
     SIOC_ERR_BUFFER_TOO_SMALL  more JSON tokens needed than the caller gave (doc.count says how many) */

typedef enum sioc_sio_type {
    SIOC_SIO_CONNECT = 0,
    SIOC_SIO_DISCONNECT = 1,
    SIOC_SIO_EVENT = 2,
    SIOC_SIO_ACK = 3,
    SIOC_SIO_CONNECT_ERROR = 4,
    SIOC_SIO_BINARY_EVENT = 5,
    SIOC_SIO_BINARY_ACK = 6
} sioc_sio_type;

/* Default limit of binary attachments per packet, the node's too (sioc_node_desc.max_attachments), so what it
   delivers it also takes back in an ack. socket.io-parser's own default (maxAttachments) is 10. */
#define SIOC_SIO_MAX_ATTACHMENTS 64

/* 1 when `name` is an event name socket.io reserves (connect, connect_error, disconnect, disconnecting,
   newListener, removeListener): clients reject EVENT packets carrying one. */
SIOC_API int sioc_sio_is_reserved_event(const char *name, size_t len);

/* Encode one packet. type: CONNECT, DISCONNECT, EVENT, ACK or CONNECT_ERROR; EVENT and ACK become BINARY_EVENT /
   BINARY_ACK when data holds any bin (or non-timestamp ext). nsp: the namespace ("/" or empty: no prefix);
   id: ack id, or -1 for none; data: one msgpack value, or ptr NULL for no data (DISCONNECT, CONNECT without
   auth). The text frame is appended to `text`; the attachments are stored in att[0..att_cap) and their number in
   *out_n_att (may be NULL when att_cap is 0 and none are expected). Returns SIOC_OK; SIOC_ERR_BUFFER_TOO_SMALL
   when text (see text->len) or att (see *out_n_att) is too small; SIOC_ERR_PARSE / SIOC_ERR_LIMIT / SIOC_ERR_TYPE
   for malformed msgpack, too deep nesting, or map keys that are not str/int; SIOC_ERR_ARG for binary data in
   a packet type that cannot carry it. */
SIOC_API SIOC_NODISCARD sioc_result sioc_sio_encode(sioc_buf *text, int type, sioc_str nsp, int64_t id,
                                                    sioc_bytes data, sioc_bytes *att, size_t att_cap,
                                                    size_t *out_n_att);

/* A decoded client packet. The views point into the text given to sioc_sio_decode. */
typedef struct sioc_sio_packet {
    int type;             /* sioc_sio_type as on the wire (5/6 for binary) */
    sioc_str nsp;         /* "/" when the frame names no namespace */
    int64_t id;           /* ack id, -1 when none */
    uint32_t attachments; /* 5, 6: binary frames that follow this text frame */
    int has_data;         /* 0 when nothing follows the header */
    sioc_json json;       /* the payload (root token 0) when has_data */
} sioc_sio_packet;

/* Decode one text frame (without the Engine.IO "4" prefix). toks/cap: the caller's JSON token array (the payload
   needs one token per JSON value or key). max_attachments 0 means SIOC_SIO_MAX_ATTACHMENTS. Errors: see above. */
SIOC_API SIOC_NODISCARD sioc_result sioc_sio_decode(sioc_sio_packet *p, const char *text, size_t len,
                                                    sioc_json_tok *toks, size_t cap, uint32_t max_attachments);

/* For a decoded ACK / BINARY_ACK: its first argument as one msgpack value appended to `out` (what a node sends as
   the `packet` of a BROADCAST_ACK, §6.3, Q11): nil when the ack has no argument; for BINARY_ACK the placeholders
   become bin with the bytes of att[num] (n_att must equal p->attachments). SIOC_ERR_TYPE for another packet type,
   SIOC_ERR_ARG for a wrong attachment count, else as sioc_sio_json_to_msgpack. */
SIOC_API SIOC_NODISCARD sioc_result sioc_sio_ack_arg(const sioc_sio_packet *p, const sioc_bytes *att, size_t n_att,
                                                     sioc_buf *out);

/* One JSON value (token `tok` of a parsed doc) as msgpack: sioc_json_to_msgpack (mpjson.h, Node's JSON.parse +
   @msgpack/msgpack encode) where, with att non-NULL, objects whose "_placeholder" is true become bin att[num]
   (SIOC_ERR_RANGE for a bad num). */
SIOC_API SIOC_NODISCARD sioc_result sioc_sio_json_to_msgpack(const sioc_json *doc, int tok, const sioc_bytes *att,
                                                             size_t n_att, sioc_msgpack_writer *w);

/* ---- Engine.IO v4 framing (§10.5), for applications that do their own transport ---- */

/* WebSocket: the text message for a socket.io text frame is "4" + text (binary attachments go as binary
   messages unchanged). Appended to out. */
SIOC_API void sioc_eio_ws_text(sioc_buf *out, const char *text, size_t len);
/* HTTP long-polling payload: append one packet to the payload that starts at offset `start` of out; a \x1e
   separator goes before every packet but the first. Text packets are "4" + text, binary ones "b" + base64. */
SIOC_API void sioc_eio_polling_add_text(sioc_buf *out, size_t start, const char *text, size_t len);
SIOC_API void sioc_eio_polling_add_binary(sioc_buf *out, size_t start, const void *data, size_t len);
/* ---- src/eio.h ---- */
/* ---- eio: Engine.IO v4 and WebSocket (RFC 6455) server framing, sans-I/O ----
   What a C program needs to accept a default socket.io-client (HTTP long-polling first, then the upgrade to
   WebSocket) on its own sockets, without any I/O here: the program reads bytes, hands them to these calls and
   writes what they produce. Memory is the caller's; nothing is allocated. The socket.io packets inside Engine.IO
   MESSAGE packets are sio_parser.h's business.

   Engine.IO v4 (engine.io-protocol, docs/PROTOCOL.md §10.5):
     packet          one type digit (0 open, 1 close, 2 ping, 3 pong, 4 message, 5 upgrade, 6 noop) + text data;
                     a binary message is the bytes themselves on WebSocket, "b" + base64 in a polling payload
     polling         a payload is packets joined by the record separator \x1e (GET: server -> client, POST:
                     client -> server)
     open            0{"sid":..,"upgrades":["websocket"],"pingInterval":..,"pingTimeout":..,"maxPayload":..}
     heartbeat       the SERVER pings every pingInterval; a client that does not pong within pingTimeout is gone
     upgrade         client opens a WebSocket with the sid, sends "2probe", server answers "3probe", the server
                     answers the pending poll with a noop "6", the client sends "5" and uses the WebSocket only

   WebSocket (server side): the handshake answer (Sec-WebSocket-Accept = base64(SHA-1(key + GUID))), a frame
   parser that checks RFC 6455 §5 strictly (client frames masked, reserved bits clear, control frames final and at
   most 125 bytes, minimal length encoding, known opcodes), a reader that assembles fragmented messages into
   caller memory across any split of the input (control frames may arrive between fragments), validates text
   and close reasons as UTF-8 and answers with the close code RFC 6455 §7.4 asks for; and the frame writer. */

/* ---- Engine.IO packets ---- */

typedef enum sioc_eio_type {
    SIOC_EIO_OPEN = 0,
    SIOC_EIO_CLOSE = 1,
    SIOC_EIO_PING = 2,
    SIOC_EIO_PONG = 3,
    SIOC_EIO_MESSAGE = 4,
    SIOC_EIO_UPGRADE = 5,
    SIOC_EIO_NOOP = 6
} sioc_eio_type;

#define SIOC_EIO_RS '\x1e' /* record separator between the packets of a polling payload */
#define SIOC_EIO_DEFAULT_MAX_PAYLOAD 1000000u /* engine.io maxHttpBufferSize */

/* A decoded packet. data points into the caller's input (after the type character for text packets). */
typedef struct sioc_eio_packet {
    int type;        /* sioc_eio_type */
    int binary;      /* 1: data is bytes (WebSocket binary message, or "b"+base64 of a polling payload) */
    sioc_bytes data; /* text data or the bytes */
} sioc_eio_packet;

/* One packet from a WebSocket message (binary 1: a binary message, always a MESSAGE). SIOC_ERR_PARSE for an
   empty text message or an unknown type character. */
SIOC_API SIOC_NODISCARD sioc_result sioc_eio_decode(sioc_eio_packet *p, const void *msg, size_t len, int binary);
/* Append one text packet: type digit + data (ptr may be NULL when len is 0). */
SIOC_API void sioc_eio_encode(sioc_buf *out, int type, const void *data, size_t len);

/* The open packet (handshake) fields. */
typedef struct sioc_eio_open {
    const char *sid;         /* the session id the server chose (NUL-terminated, no '"' or '\\') */
    int upgrade_websocket;   /* 1: "upgrades":["websocket"] (offer it on polling sessions only) */
    uint32_t ping_interval;  /* ms, 25000 in engine.io */
    uint32_t ping_timeout;   /* ms, 20000 */
    uint32_t max_payload;    /* bytes, SIOC_EIO_DEFAULT_MAX_PAYLOAD */
} sioc_eio_open;
/* Append the whole open packet "0{...}". SIOC_ERR_ARG (sticky in out) for a sid that would need escaping. */
SIOC_API void sioc_eio_encode_open(sioc_buf *out, const sioc_eio_open *o);

/* ---- HTTP long-polling payloads ---- */

/* Iterator over a POST body. The body is writable: binary packets are base64-decoded in place. */
typedef struct sioc_eio_payload {
    uint8_t *p_data;
    size_t p_len, p_pos;
} sioc_eio_payload;
SIOC_API void sioc_eio_payload_init(sioc_eio_payload *it, void *body, size_t len);
/* Next packet: SIOC_OK, SIOC_AGAIN at the end, SIOC_ERR_PARSE for an empty body or packet, an unknown type, or
   bad base64 (then stop: engine.io closes the session with "parse error"). */
SIOC_API SIOC_NODISCARD sioc_result sioc_eio_payload_next(sioc_eio_payload *it, sioc_eio_packet *p);
/* Append a packet of any type to the payload that starts at offset `start` of out (\x1e before all but the
   first). For MESSAGE packets sio_parser.h's sioc_eio_polling_add_text / _binary do the same. */
SIOC_API void sioc_eio_polling_add(sioc_buf *out, size_t start, int type, const void *data, size_t len);

/* ---- the request ---- */

typedef enum sioc_eio_transport {
    SIOC_EIO_TRANSPORT_UNKNOWN = 0,
    SIOC_EIO_TRANSPORT_POLLING = 1,
    SIOC_EIO_TRANSPORT_WEBSOCKET = 2
} sioc_eio_transport;

/* The Engine.IO query of a request target "/socket.io/?EIO=4&transport=polling&t=...&sid=...". */
typedef struct sioc_eio_query {
    sioc_str path;   /* before '?' */
    int eio;         /* the EIO value, 0 when absent or not a small number */
    int transport;   /* sioc_eio_transport */
    sioc_str sid;    /* empty when absent (a new session) */
} sioc_eio_query;
/* Parse the target. Values are taken as written: engine.io sids and the two transport names never need
   percent-decoding (a '%' in them makes the value unknown). SIOC_ERR_PARSE for an empty target. */
SIOC_API SIOC_NODISCARD sioc_result sioc_eio_parse_query(sioc_eio_query *q, const char *target, size_t len);

/* engine.io's error answers (HTTP 400 with this JSON body, 403 for FORBIDDEN). */
typedef enum sioc_eio_error {
    SIOC_EIO_ERR_UNKNOWN_TRANSPORT = 0,
    SIOC_EIO_ERR_UNKNOWN_SID = 1,
    SIOC_EIO_ERR_BAD_HANDSHAKE_METHOD = 2,
    SIOC_EIO_ERR_BAD_REQUEST = 3,
    SIOC_EIO_ERR_FORBIDDEN = 4,
    SIOC_EIO_ERR_UNSUPPORTED_PROTOCOL_VERSION = 5
} sioc_eio_error;
/* Append {"code":N,"message":"..."} as engine.io writes it. */
SIOC_API void sioc_eio_error_body(sioc_buf *out, int code);

/* ---- WebSocket (RFC 6455) ---- */

typedef enum sioc_ws_opcode {
    SIOC_WS_CONTINUATION = 0x0,
    SIOC_WS_TEXT = 0x1,
    SIOC_WS_BINARY = 0x2,
    SIOC_WS_CLOSE = 0x8,
    SIOC_WS_PING = 0x9,
    SIOC_WS_PONG = 0xA
} sioc_ws_opcode;

/* Close codes this module produces or names. */
#define SIOC_WS_CLOSE_NORMAL 1000
#define SIOC_WS_CLOSE_GOING_AWAY 1001
#define SIOC_WS_CLOSE_PROTOCOL 1002
#define SIOC_WS_CLOSE_NO_STATUS 1005 /* received: a close frame without a code (never sent) */
#define SIOC_WS_CLOSE_INVALID_DATA 1007
#define SIOC_WS_CLOSE_TOO_BIG 1009

#define SIOC_WS_ACCEPT_LEN 28     /* base64 of a SHA-1 */
#define SIOC_WS_MAX_HEADER 14     /* 2 + 8 (length) + 4 (mask) */
#define SIOC_WS_MAX_CONTROL 125

/* Sec-WebSocket-Accept for a Sec-WebSocket-Key: out gets 28 characters and a NUL. SIOC_ERR_PARSE unless the key
   is base64 of 16 bytes (RFC 6455 §4.2.1 item 5; surrounding spaces and tabs are ignored). */
SIOC_API SIOC_NODISCARD sioc_result sioc_ws_accept_key(const char *key, size_t len, char out[SIOC_WS_ACCEPT_LEN + 1]);
/* Append the whole 101 answer for this key (no subprotocol, no extension). Errors as sioc_ws_accept_key (then
   nothing is appended). */
SIOC_API SIOC_NODISCARD sioc_result sioc_ws_handshake_response(sioc_buf *out, const char *key, size_t len);

/* One frame header. */
typedef struct sioc_ws_frame {
    int fin;
    int opcode;         /* sioc_ws_opcode */
    int masked;
    uint8_t mask[4];
    uint64_t len;       /* payload bytes */
    size_t header_len;  /* bytes before the payload */
} sioc_ws_frame;
/* Parse a frame header at the start of in. SIOC_AGAIN when more bytes are needed; SIOC_ERR_PROTOCOL for reserved
   bits, an unknown opcode, a fragmented or longer than 125 bytes control frame, a length not minimally encoded
   or with its top bit set, and (must_mask 1, a server reading a client) an unmasked frame or (must_mask 0, a
   client) a masked one. */
SIOC_API SIOC_NODISCARD sioc_result sioc_ws_frame_parse(sioc_ws_frame *f, const void *in, size_t len, int must_mask);
/* XOR n bytes in place with the mask, as if they started at payload offset `offset` (masking and unmasking). */
SIOC_API void sioc_ws_mask(void *data, size_t n, const uint8_t mask[4], uint64_t offset);
/* Write a frame header into out (at most SIOC_WS_MAX_HEADER bytes); returns its length. mask NULL: unmasked
   (what a server sends). */
SIOC_API size_t sioc_ws_frame_header(uint8_t out[SIOC_WS_MAX_HEADER], int fin, int opcode, uint64_t len,
                                     const uint8_t *mask);
/* Append a whole final frame: header + payload (masked with mask unless NULL). SIOC_ERR_ARG (sticky in out) for
   a control frame longer than 125 bytes. */
SIOC_API void sioc_ws_write_frame(sioc_buf *out, int opcode, const void *data, size_t len, const uint8_t *mask);
/* Append a close frame with a code (0: none) and a reason (truncated to fit 125 bytes). */
SIOC_API void sioc_ws_write_close(sioc_buf *out, unsigned code, const char *reason, size_t len, const uint8_t *mask);

/* A whole message or a control frame from the reader. Views stay valid until the next sioc_ws_read. */
typedef struct sioc_ws_message {
    int opcode;          /* TEXT, BINARY (assembled from every fragment), CLOSE, PING or PONG */
    sioc_bytes data;     /* the payload (a CLOSE: the whole payload, code included) */
    unsigned close_code; /* CLOSE: the code, SIOC_WS_CLOSE_NO_STATUS without one */
    sioc_str reason;     /* CLOSE: the reason text */
} sioc_ws_message;

/* Reassembles messages from a byte stream. Fields are private. */
typedef struct sioc_ws_reader {
    uint8_t *p_msg;
    size_t p_cap, p_len;   /* data message assembled so far */
    int p_must_mask;
    int p_msg_opcode;      /* TEXT/BINARY while a fragmented message is open, 0 otherwise */
    int p_in_frame;        /* a header was parsed, payload bytes pending */
    sioc_ws_frame p_frame;
    uint64_t p_got;        /* payload bytes of the current frame taken so far */
    uint8_t p_ctl[SIOC_WS_MAX_CONTROL];
    unsigned p_close_code; /* what to send after an error, 0 while fine */
} sioc_ws_reader;

/* mem/cap: the largest data message accepted (all fragments together). is_server 1: client frames must be
   masked. */
SIOC_API void sioc_ws_reader_init(sioc_ws_reader *r, void *mem, size_t cap, int is_server);
/* Take bytes from in[0..len): *consumed says how many were used; drop them from your input and keep the rest
   (on SIOC_AGAIN at most an incomplete frame header: payload bytes are absorbed as they come, so the input
   buffer never needs to hold a whole frame). SIOC_OK: *m holds a message or control frame (call again for the
   rest of the input); SIOC_AGAIN: more input needed. Errors, after which the connection must
   be closed with sioc_ws_reader_close_code(): SIOC_ERR_PROTOCOL (1002: a header error, a continuation without a
   message, a new message inside one, a close payload of 1 byte or an invalid close code), SIOC_ERR_LIMIT (1009:
   the message exceeds cap), SIOC_ERR_PARSE (1007: text or close reason not UTF-8). */
SIOC_API SIOC_NODISCARD sioc_result sioc_ws_read(sioc_ws_reader *r, const void *in, size_t len, size_t *consumed,
                                                 sioc_ws_message *m);
/* The close code to send after a reader error (0 while there was none). */
SIOC_API unsigned sioc_ws_reader_close_code(const sioc_ws_reader *r);
/* 1 when the bytes are well-formed UTF-8 (Unicode Table 3-7: no overlongs, surrogates or values above
   U+10FFFF). */
SIOC_API int sioc_utf8_valid(const void *data, size_t len);
/* ---- src/cluster_msg.h ---- */
/* ---- cluster_msg: the 13 cluster message types, decoded and encoded in both transport shapes ----
   docs/PROTOCOL.md §1-3, §8. A message is {type, data?, uid, nsp} plus, for responses, the transport-level
   requesterUid. Two shapes carry it (§2):
     - AWS: SNS `Message` = the type as decimal text; attributes nsp, uid, [requesterUid] (String) and, only when
       the message has data, `data` (Binary) = msgpack of message.data.
     - Azure: the body is msgpack of the whole message {type, data?, uid, nsp} (that key order); application
       properties nsp, uid, [requesterUid].

   Decoding fills a sioc_msg whose fields are views into the caller's input (nothing is allocated or copied; keep
   the input alive while the message is used). Everything is validated before anything is returned: the msgpack is
   checked as a whole (one value, no trailing bytes, UTF-8 strings, bounded depth, no "__proto__" key), then each
   field Node relies on is type-checked, so a decoded message can be used without further checks. Errors:
     SIOC_ERR_PARSE        data/body is not one valid msgpack value (truncated, 0xc1, trailing bytes, bad UTF-8,
                           bad timestamp), or the AWS Message text is not a decimal number
     SIOC_ERR_LIMIT        nesting deeper than SIOC_MSGPACK_WRITE_DEPTH (a value of SIOC_MAX_MSGPACK_DEPTH in the
                           deepest envelope)
     SIOC_ERR_PROTOCOL     a field Node requires is missing (nsp, uid, data of types 3-12, opts, requestId, ...),
                           a present requestId is nil (§8: Node would take the ack path; we drop instead), or the
                           Azure body and properties disagree
     SIOC_ERR_TYPE         a field has the wrong type (rooms not an array of strings, clientCount not an integer,
                           packet.type not 2, event name missing or reserved, ...)
     SIOC_ERR_UNSUPPORTED  the type number is not 1..13: type, uid and nsp are still filled in, so the node can
                           refresh the sender's liveness (§5 rule 1) before dropping it.
   On failure out->error_field names the field at fault ("opts.rooms", "data", ...) for logs and counters.

   Choices where Node is lax (all documented in docs/PROTOCOL.md §8 as allowed): opts.rooms / opts.except absent or nil
   read as empty (rooms empty = every socket, never "nobody"); flags absent or nil read as {}; unknown flags are
   ignored and known flags of another type read as absent; close absent or nil reads as false; unknown keys are
   ignored everywhere; data on types 1, 2, 13 must be valid msgpack but is otherwise ignored.

   Encoding writes into a sioc_msgpack_writer (so into a caller sioc_buf, sticky errors, one check at the end) and
   is byte-exact with what Node writes (cluster-canonical.json): keys in Node's order, smallest integer forms,
   absent optional keys omitted, never a nil requestId. The sioc_msg_write_* functions write one `data` value; for
   AWS that value is the whole `data` attribute, for Azure wrap it between sioc_msg_azure_begin/_end:

     sioc_buf b; sioc_msgpack_writer w;
     sioc_buf_init(&b, mem, sizeof mem); sioc_msgpack_writer_init(&w, &b);
     sioc_msg_azure_begin(&w, SIOC_MSG_BROADCAST, 1);             (AWS: leave out this line ...)
     sioc_msg_write_broadcast(&w, &opts, packet_data, NULL);
     sioc_msg_azure_end(&w, uid, nsp);                            (... and this one)
     if (sioc_msgpack_writer_finish(&w) != SIOC_OK) ...          (b.len bytes of mem: the body / data attribute)
*/

typedef enum sioc_msg_type {
    SIOC_MSG_NONE = 0,
    SIOC_MSG_INITIAL_HEARTBEAT = 1,
    SIOC_MSG_HEARTBEAT = 2,
    SIOC_MSG_BROADCAST = 3,
    SIOC_MSG_SOCKETS_JOIN = 4,
    SIOC_MSG_SOCKETS_LEAVE = 5,
    SIOC_MSG_DISCONNECT_SOCKETS = 6,
    SIOC_MSG_FETCH_SOCKETS = 7,
    SIOC_MSG_FETCH_SOCKETS_RESPONSE = 8,
    SIOC_MSG_SERVER_SIDE_EMIT = 9,
    SIOC_MSG_SERVER_SIDE_EMIT_RESPONSE = 10,
    SIOC_MSG_BROADCAST_CLIENT_COUNT = 11,
    SIOC_MSG_BROADCAST_ACK = 12,
    SIOC_MSG_ADAPTER_CLOSE = 13
} sioc_msg_type;

/* Upstream name of a type ("BROADCAST"), "UNKNOWN" outside 1..13. */
SIOC_API const char *sioc_msg_type_name(int type);
/* 1 for the response types (8, 10, 11, 12), which travel with requesterUid. */
SIOC_API int sioc_msg_is_response(int type);
/* 1 for the types that carry data (3..12); 1, 2 and 13 have none. */
SIOC_API int sioc_msg_has_data(int type);

/* A view of the elements of a validated msgpack array (a list of rooms, or of sockets). It is also its own
   cursor: copy it and call the _next function until it returns 0. */
typedef struct sioc_msg_list {
    const uint8_t *data; /* first element */
    size_t len;          /* bytes of all elements */
    uint32_t count;      /* elements left */
} sioc_msg_list;

/* One entry of a FETCH_SOCKETS_RESPONSE (type 8): {id, handshake, rooms, data}. */
typedef struct sioc_msg_socket {
    sioc_str id;
    sioc_bytes handshake; /* msgpack value as received (a 9-key map from Node); ptr NULL when absent */
    sioc_msg_list rooms;  /* strings, join order; the first is the socket's own id */
    sioc_bytes data;      /* msgpack value (the application's socket.data); ptr NULL when absent */
} sioc_msg_socket;

/* Take the next element of a list of strings / of sockets; 1 when one was taken, 0 at the end. The lists in a
   decoded sioc_msg were validated, so these cannot fail on them. */
SIOC_API int sioc_msg_list_next_str(sioc_msg_list *it, sioc_str *out);
SIOC_API int sioc_msg_list_next_socket(sioc_msg_list *it, sioc_msg_socket *out);

/* Broadcast flags (docs/PROTOCOL.md §4.1). `present` says which keys are there, `values` the value of the present
   boolean ones. Written in the order expectSingleResponse, volatile, compress, timeout (the order Node's operator
   chains produce in every vector), unless `raw` holds a complete msgpack map, which is then written as is. */
#define SIOC_MSG_FLAG_VOLATILE 1u
#define SIOC_MSG_FLAG_COMPRESS 2u
#define SIOC_MSG_FLAG_TIMEOUT 4u
#define SIOC_MSG_FLAG_EXPECT_SINGLE_RESPONSE 8u
typedef struct sioc_msg_flags {
    unsigned present;    /* SIOC_MSG_FLAG_* bits */
    unsigned values;     /* SIOC_MSG_FLAG_* bits set for boolean flags that are true */
    uint64_t timeout_ms; /* when present: integer ms (a fractional or negative number on the wire is truncated /
                            clamped to 0; NaN reads as absent) */
    sioc_bytes raw;      /* decoded: the flags map as received (ptr NULL when absent/nil); encoding: see above */
} sioc_msg_flags;

/* Broadcast options as decoded. Empty rooms means every socket (§4.2). */
typedef struct sioc_msg_opts {
    sioc_msg_list rooms;
    sioc_msg_list except;
    sioc_msg_flags flags;
} sioc_msg_opts;

/* Broadcast options to encode, from C arrays (NULL with n = 0 for an empty list). */
typedef struct sioc_msg_opts_desc {
    const sioc_str *rooms;
    size_t n_rooms;
    const sioc_str *except;
    size_t n_except;
    sioc_msg_flags flags;
} sioc_msg_opts_desc;

/* A decoded message. Which fields are meaningful depends on the type (see each); all views point into the input. */
typedef struct sioc_msg {
    int type;                  /* sioc_msg_type */
    sioc_str uid;              /* sender */
    sioc_str nsp;              /* namespace */
    sioc_str requester_uid;    /* ptr NULL unless the transport carried requesterUid (responses) */
    sioc_bytes data;           /* msgpack of message.data as received; ptr NULL for types without data */
    int has_request_id;        /* 3, 9: 1 = ack requested; 7, 8, 10, 11, 12: always 1 */
    sioc_str request_id;
    sioc_msg_opts opts;        /* 3, 4, 5, 6, 7 */
    int has_packet;            /* 3, 9: always 1; 10, 12: 0 when the key was absent (Node: undefined) */
    sioc_bytes packet;         /* 3: the packet map; 9: [event, args...]; 10, 12: the ack value (nil = acked
                                  without argument) */
    sioc_bytes packet_data;    /* 3, 9: the array [event, args...] (3: packet.data) */
    sioc_msg_list rooms;       /* 4, 5: rooms to join / leave */
    int close;                 /* 6: 1 = also close the connection */
    sioc_msg_list sockets;     /* 8: use sioc_msg_list_next_socket */
    uint64_t client_count;     /* 11 */
    const char *error_field;   /* after a failed decode: static text naming the field at fault */
} sioc_msg;

/* Transport attributes (AWS message attributes / Azure application properties) and, for AWS, the body.
   A ptr NULL means "absent". */
typedef struct sioc_msg_envelope {
    sioc_str body;          /* AWS: the SQS Body (the SNS Message, decimal type); ignored for Azure */
    sioc_str nsp;           /* String attribute / property */
    sioc_str uid;
    sioc_str requester_uid; /* responses only; an empty value counts as absent (as Node's truthiness test) */
    sioc_bytes data;        /* AWS: the Binary `data` attribute; ignored for Azure */
} sioc_msg_envelope;

/* Decode an AWS message (SQS Body + attributes, RawMessageDelivery). SIOC_OK, or an error listed at the top;
   out is fully rewritten either way. The node applies the §2.1 receive order itself (unknown namespace, own uid,
   requesterUid for someone else) on env before calling this, so foreign responses are never decoded. Built with
   SIOC_ENABLE_REQUESTS 0 (a node that asks nothing), both decoders take only the header of a response (8, 10-12):
   type, uid, nsp, requester_uid; its data is neither checked nor read. */
SIOC_API SIOC_NODISCARD sioc_result sioc_msg_decode_aws(const sioc_msg_envelope *env, sioc_msg *out);
/* Decode an Azure body (msgpack of the whole message). props may be NULL; when given, its requester_uid is
   taken, and its nsp and uid, when present, must equal the body's (else SIOC_ERR_PROTOCOL). */
SIOC_API SIOC_NODISCARD sioc_result sioc_msg_decode_azure(const void *body, size_t len,
                                                          const sioc_msg_envelope *props, sioc_msg *out);

/* AWS `Message` text for a type ("3", "11") into out (at least 4 bytes); returns its length. */
SIOC_API size_t sioc_msg_type_text(int type, char *out);

/* ---- encoding: each sioc_msg_write_* writes one complete `data` value ---- */

/* Azure body framing around the data: begin writes {type, ["data":]; with has_data the data value must follow,
   then end writes uid and nsp. Types 1, 2, 13: has_data 0 and nothing in between. */
SIOC_API void sioc_msg_azure_begin(sioc_msgpack_writer *w, int type, int has_data);
SIOC_API void sioc_msg_azure_end(sioc_msgpack_writer *w, sioc_str uid, sioc_str nsp);

/* {rooms, except, flags} (all three always written, §4.1). */
SIOC_API void sioc_msg_write_opts(sioc_msgpack_writer *w, const sioc_msg_opts_desc *opts);
/* 3: {packet: {type: 2, data: <packet_data>}, [requestId,] opts}. packet_data is the msgpack array
   [event, args...] (copied as is, trusted); request_id NULL for a broadcast without acks. */
SIOC_API void sioc_msg_write_broadcast(sioc_msgpack_writer *w, const sioc_msg_opts_desc *opts, sioc_bytes packet_data,
                                       const sioc_str *request_id);
/* 4 and 5: {opts, rooms}. */
SIOC_API void sioc_msg_write_sockets_rooms(sioc_msgpack_writer *w, const sioc_msg_opts_desc *opts,
                                           const sioc_str *rooms, size_t n_rooms);
/* 6: {opts, close}. */
SIOC_API void sioc_msg_write_disconnect_sockets(sioc_msgpack_writer *w, const sioc_msg_opts_desc *opts, int close);
/* 7: {opts, requestId}. */
SIOC_API void sioc_msg_write_fetch_sockets(sioc_msgpack_writer *w, const sioc_msg_opts_desc *opts,
                                           sioc_str request_id);
/* 8: {requestId, sockets: [...]}: call sioc_msg_write_socket exactly n_sockets times after this (0 is a valid
   answer and must be sent, §6.1). */
SIOC_API void sioc_msg_write_fetch_sockets_response(sioc_msgpack_writer *w, sioc_str request_id, uint32_t n_sockets);
/* One socket {id, handshake, rooms, data}; handshake and data are complete msgpack values copied as is (ptr NULL:
   handshake -> {} and data -> {}, what Node sends for an empty object). */
SIOC_API void sioc_msg_write_socket(sioc_msgpack_writer *w, sioc_str id, sioc_bytes handshake, const sioc_str *rooms,
                                    size_t n_rooms, sioc_bytes data);
/* 9: {packet} or, with request_id, {requestId, packet}; packet is the msgpack array [event, args...]. */
SIOC_API void sioc_msg_write_server_side_emit(sioc_msgpack_writer *w, const sioc_str *request_id, sioc_bytes packet);
/* 10 and 12: {requestId, packet}; packet is one msgpack value, ptr NULL writes nil (acked without argument). */
SIOC_API void sioc_msg_write_ack_response(sioc_msgpack_writer *w, sioc_str request_id, sioc_bytes packet);
/* 11: {requestId, clientCount}. */
SIOC_API void sioc_msg_write_client_count(sioc_msgpack_writer *w, sioc_str request_id, uint64_t client_count);

/* Re-encode a decoded message in Node's canonical form (for forwarding and round-trip tests): the AWS data
   attribute (nothing for types 1, 2, 13), or the whole Azure body. Lists, packets and flags are taken from the
   views; extra keys that were ignored on decode are dropped. SIOC_OK or the buffer's error. */
SIOC_API SIOC_NODISCARD sioc_result sioc_msg_encode_aws_data(const sioc_msg *m, sioc_buf *out);
SIOC_API SIOC_NODISCARD sioc_result sioc_msg_encode_azure(const sioc_msg *m, sioc_buf *out);
/* ---- src/local_select.h ---- */
/* ---- local_select: which local sockets an operation reaches (docs/PROTOCOL.md §4.2) ----
   A pure function over a small table the caller keeps for one namespace: its sockets in connection order and
   its rooms with their members in join order (every socket is also in the room named by its own id). It matches
   socket.io-adapter's in-memory Adapter exactly: sockets in any `except` room are excluded; with rooms, each
   listed room is visited in order (unknown rooms skipped) and its members in join order, each socket selected at
   most once; without rooms, every socket in connection order. Only sockets marked connected (namespace handshake
   completed) are selected. Nothing is allocated: the caller passes n_sockets bytes of scratch. */

typedef struct sioc_select_room {
    sioc_str name;
    const uint32_t *members; /* socket indexes, join order */
    uint32_t n_members;
} sioc_select_room;

typedef struct sioc_select_table {
    uint32_t n_sockets;           /* sockets 0..n_sockets-1, in connection order */
    const uint8_t *connected;     /* per socket, non-zero when selectable; NULL: all are */
    const sioc_select_room *rooms;
    uint32_t n_rooms;
    /* Optional room lookup (e.g. a hash table): index into rooms, or -1 when unknown. NULL: linear search. */
    int32_t (*find_room)(void *user, sioc_str name);
    void *user;
} sioc_select_table;

/* Select for decoded opts (rooms/except of a received message). Socket indexes go to out[0..cap) in delivery
   order and their number to *out_n; SIOC_ERR_BUFFER_TOO_SMALL when cap is too small (*out_n is then the number
   needed). scratch: n_sockets bytes, overwritten. */
SIOC_API SIOC_NODISCARD sioc_result sioc_select_sockets(const sioc_select_table *t, const sioc_msg_opts *opts,
                                                        uint8_t *scratch, uint32_t *out, size_t cap, size_t *out_n);
/* The same for options given as C arrays (the node's own operations). */
SIOC_API SIOC_NODISCARD sioc_result sioc_select_sockets_desc(const sioc_select_table *t,
                                                             const sioc_msg_opts_desc *opts, uint8_t *scratch,
                                                             uint32_t *out, size_t cap, size_t *out_n);
/* ---- src/cluster.h ---- */
/* ---- cluster: the node, a transport-neutral, sans-I/O cluster adapter state machine ----
   docs/PROTOCOL.md §4-§8, §10. A sioc_node is one member of a Socket.IO cluster, as ClusterAdapterWithHeartbeat is on a
   Node server, without any transport: the AWS or Azure binding (or a test) feeds it received messages and carries
   its published messages; the application feeds it its local sockets and API calls, and reads events.

     transport -> sioc_node_receive_aws / _azure / sioc_node_receive   (one received message, with now_ms)
     transport <- sioc_node_out_peek / sioc_node_out_pop               (messages to publish, both shapes ready)
     transport -> sioc_node_set_ready(1 / 0)                           (subscription in place / lost)
     app       -> sioc_node_socket_add / _join / _leave / _remove      (local sockets and rooms)
     app       -> sioc_node_broadcast, _fetch_sockets, ...             (operations: applied locally, then published)
     app       <- sioc_node_next_event                                 (frames to deliver, requests, peers, ...)
     both      -> sioc_node_next_deadline / sioc_node_tick              (heartbeats, liveness, request timeouts)

   Identity: one uid for all namespaces (16 lower-case hex from the caller's random callback, or "emitter" in
   emitter-only mode, §1, §7), so an SNS filter policy can stay static (docs/AWS.md §6). Request ids are made the way
   Node makes them: 8 random bytes as 16 lower-case hex.

   Memory: everything is taken once, at init, in one block sized by the desc (fixed-capacity tables: namespaces,
   sockets, rooms, memberships, peers per namespace, requests, pending acks, and two byte queues); see
   sioc_node_heap_size(). Nothing is allocated afterwards: a full table makes the operation fail with
   SIOC_ERR_LIMIT (API calls) or is counted in counters.limits (received messages). Handshake and data of local
   sockets are borrowed from the application (see sioc_node_socket_desc).

   Events and out messages are copied into the node's two queues, so nothing points into the received message
   after sioc_node_receive returns. Views returned by sioc_node_next_event and sioc_node_out_peek stay valid
   until the next call that changes the node (anything but next_event, out_peek, out_count, the event accessors
   and the read-only queries); copy what you keep.

   Where Node behaves badly this node takes the documented "may fix" (docs/PROTOCOL.md §11): heartbeat timer reset by
   every published message (Q1); one response per (requestId, uid) (Q6, Q12); ack broadcasts need a timeout
   (Q7); responder ack registrations expire after flags.timeout (Q8); serverSideEmit auto-ack is opt-in (Q26);
   local-only ack broadcasts count only this node (Q10). */

#ifndef SIOC_NODE_NAME_MAX
#define SIOC_NODE_NAME_MAX 64 /* longest namespace, room name or socket id (bytes); longer ones are refused */
#endif
#ifndef SIOC_NODE_ID_MAX
#define SIOC_NODE_ID_MAX 64 /* longest peer uid or request id kept (Node uses 16) */
#endif
#ifndef SIOC_NODE_SOCKET_ACKS
#define SIOC_NODE_SOCKET_ACKS 8 /* ack broadcasts one socket may have pending at once */
#endif

#define SIOC_NODE_EMITTER_UID "emitter"
#ifndef SIOC_NODE_EMITTER_EVENTS
#define SIOC_NODE_EMITTER_EVENTS 4096 /* default event queue of an emitter: it gets ERROR events only */
#endif

/* Allocation-free configuration. Zero everywhere means the default named in the comment. */
typedef struct sioc_node_desc {
    /* Required (except in emitter-only mode): random bytes for the uid and request ids. */
    sioc_result (*random)(void *user, void *buf, size_t len);
    void *user;               /* passed to random */
    sioc_allocator allocator; /* NULL hooks: malloc/free (SIOC_ENABLE_LIBC_MALLOC) */
    sioc_logger logger;
    int emitter_only;              /* uid "emitter": publishes types 3, 4, 5, 6, 9 only, receives nothing (§7);
                                      its socket, room, peer, request and ack counts resolve to 0 (no tables) and
                                      its event queue to SIOC_NODE_EMITTER_EVENTS bytes */
    int auto_ack_server_side_emit; /* answer every serverSideEmit with ack at once with nil (Q26) */
    uint32_t heartbeat_interval_ms; /* 5000 */
    uint32_t heartbeat_timeout_ms;  /* 10000: a peer silent for longer is gone */
    uint32_t request_timeout_ms;    /* 5000: fetchSockets without flags.timeout, serverSideEmit with ack */
    uint32_t max_namespaces;        /* 8 */
    uint32_t max_sockets;           /* 256 local sockets, all namespaces */
    uint32_t max_rooms;             /* 2 * max_sockets + 64 (each socket's own-id room counts) */
    uint32_t max_memberships;       /* 4 * max_sockets + 64 (socket-in-room pairs, own rooms included) */
    uint32_t max_peers;             /* 32 other nodes per namespace. A full table under a flood of new uids drops
                                       the unconfirmed peer heard from longest ago (PEER_DOWN, SIOC_ERR_LIMIT);
                                       a peer heard again at least half a heartbeat interval after its first
                                       message is confirmed and never pushed out. A real member that joins during
                                       a flood is counted at its first heartbeat once the flood pauses. */
    uint32_t max_requests;          /* 32 pending fetchSockets / serverSideEmit-with-ack / ack broadcasts (no
                                       table at all with SIOC_ENABLE_REQUESTS 0) */
    uint32_t max_acks;              /* 64 pending ack registrations (ack broadcasts delivered here, and
                                       serverSideEmit acks the application still owes) */
    uint32_t max_attachments;       /* 64 binary attachments in one delivered packet */
    uint32_t max_ack_tokens;        /* 256 JSON tokens for a client ACK frame (sioc_node_client_ack_text) */
    uint32_t ack_scratch_size;      /* 16384 bytes: the largest client ack argument (as msgpack) */
    uint32_t out_queue_size;        /* 278528 bytes (one 256 KiB message + headers always fits) */
    uint32_t event_queue_size;      /* 2 * 278528 + 64 * max_sockets bytes: a DELIVER event holds its packet, its
                                       frames and about 40 bytes per target socket, and must fit whole */
    uint32_t max_message_size;      /* 262144: refuse to publish larger messages, counted as SNS counts them
                                       (Message + attribute names, types and values), and Azure bodies */
} sioc_node_desc;

typedef enum sioc_node_state {
    SIOC_NODE_STARTING = 0, /* subscription not (yet, or no longer) in place; operations are queued */
    SIOC_NODE_READY = 1,    /* in the cluster: receiving, heartbeating */
    SIOC_NODE_CLOSING = 2,  /* sioc_node_close called: ADAPTER_CLOSE queued, waiting for the out queue to drain */
    SIOC_NODE_CLOSED = 3
} sioc_node_state;

/* Dropped and handled messages. Every sioc_node_receive* call adds exactly 1 to `received` and 1 to exactly one
   of handled, ignored_*, malformed, late_responses, duplicate_responses. */
typedef struct sioc_node_counters {
    uint64_t received;
    uint64_t handled;
    uint64_t ignored_own;         /* own echo (§2.1 step 3) */
    uint64_t ignored_nsp;         /* unknown namespace (step 2) */
    uint64_t ignored_other;       /* responses for another node (step 4; every response with SIOC_ENABLE_REQUESTS
                                     0), emitter mode, closed node */
    uint64_t malformed;           /* undecodable or invalid message, unknown type: dropped (Q17: alone) */
    uint64_t late_responses;      /* responses to no pending request of ours (late, finished, unknown) */
    uint64_t duplicate_responses; /* a second FETCH/SSE answer or client count from one peer (Q6, Q12) */
    uint64_t published;           /* messages queued for the transport */
    uint64_t publish_failed;      /* internal messages (answers, heartbeats) that did not fit or were too large */
    uint64_t events_dropped;      /* events lost because the event queue was full */
    uint64_t delivered;           /* packets handed to local sockets (DELIVER events) */
    uint64_t limits;              /* a table was full or a name too long: peers, rooms, memberships, acks */
    uint64_t heartbeats;          /* HEARTBEAT messages published */
    uint64_t peers_expired;       /* peers removed by the heartbeat timeout */
    uint64_t peers_evicted;       /* unconfirmed peers pushed out of a full table by a newcomer (a flood of uids) */
} sioc_node_counters;

struct sioc__node_ns;
struct sioc__node_peer;
struct sioc__node_sock;
struct sioc__node_room;
struct sioc__node_mship;
struct sioc__node_req;
struct sioc__node_ack;

/* The node. Transparent so it can live anywhere; read uid, state and counters, leave the p_ fields alone. */
typedef struct sioc_node {
    char uid[SIOC_NODE_ID_MAX + 1]; /* NUL-terminated */
    size_t uid_len;
    sioc_node_state state;
    int ready;
    sioc_node_counters counters;
    /* private */
    sioc_node_desc p_desc;
    void *p_mem;
    size_t p_mem_size;
    int p_owns_mem;
    struct sioc__node_ns *p_ns;
    uint32_t p_n_ns;
    struct sioc__node_peer *p_peers;
    struct sioc__node_sock *p_socks;
    uint32_t p_sock_hwm, p_sock_live;
    uint8_t *p_member;
    struct sioc__node_room *p_rooms;
    uint32_t p_room_free;
    struct sioc__node_mship *p_mships;
    uint32_t p_mship_free;
    uint32_t *p_room_index, *p_sock_index;
    uint32_t p_room_mask, p_sock_mask;
    struct sioc__node_req *p_reqs;
    uint64_t *p_req_hash;
    uint8_t *p_req_state;
    uint32_t p_req_cap, p_req_seq;
    struct sioc__node_ack *p_acks;
    uint32_t p_ack_seq;
    sioc_select_room *p_sel_rooms;
    uint32_t *p_sel_members, *p_sel_out;
    uint8_t *p_sel_scratch;
    uint32_t p_sel_gen, p_sel_n_rooms, p_sel_used, p_sel_ns;
    sioc_bytes *p_att;
    sioc_json_tok *p_toks;
    uint8_t *p_scratch;
    sioc_bq p_out, p_ev;
    uint32_t p_out_count;
} sioc_node;

/* ---- life cycle ---- */

/* The desc with every default filled in (for logs and tests). */
SIOC_API sioc_node_desc sioc_node_desc_resolved(const sioc_node_desc *desc);
/* Bytes sioc_node_init allocates for this desc (one block), 0 when the desc is invalid. */
SIOC_API size_t sioc_node_heap_size(const sioc_node_desc *desc);
/* Set up a node: takes its whole memory block, draws the uid, creates namespace "/". SIOC_ERR_DEPENDENCY without
   `random` (unless emitter-only) or without an allocator when SIOC_ENABLE_LIBC_MALLOC is 0; SIOC_ERR_ARG for
   heartbeat_interval >= heartbeat_timeout or capacities too large; SIOC_ERR_NOMEM; the random callback's error;
   SIOC_ERR_UNSUPPORTED for a receiving node in a build with SIOC_ENABLE_RECEIVE 0 (there the receive calls
   return SIOC_ERR_UNSUPPORTED too). */
SIOC_API SIOC_NODISCARD sioc_result sioc_node_init(sioc_node *n, const sioc_node_desc *desc);
/* The same inside caller memory of sioc_node_heap_size(desc) bytes, 16-byte aligned, owned by the caller. */
SIOC_API SIOC_NODISCARD sioc_result sioc_node_init_preallocated(sioc_node *n, const sioc_node_desc *desc, void *mem);
/* Release the memory (nothing is published: call sioc_node_close first for a graceful leave). */
SIOC_API void sioc_node_free(sioc_node *n);

/* The transport tells whether its subscription is in place. Becoming ready queues INITIAL_HEARTBEAT for every
   namespace (not in emitter mode) and starts heartbeats; both changes give a READY / NOT_READY event.
   SIOC_ERR_STATE once closing. */
SIOC_API SIOC_NODISCARD sioc_result sioc_node_set_ready(sioc_node *n, int ready, uint64_t now_ms);
/* Graceful leave: pending requests finish with SIOC_ERR_CLOSED, ADAPTER_CLOSE is queued for every namespace
   (not in emitter mode), heartbeats stop, received messages are ignored. When the transport has popped every
   queued message the node is CLOSED and a CLOSED event follows: then delete the queue/subscription. */
SIOC_API SIOC_NODISCARD sioc_result sioc_node_close(sioc_node *n, uint64_t now_ms);

/* ---- time ---- */

/* Absolute time (ms, the caller's monotonic clock) of the next timer: heartbeat, peer expiry, request or ack
   timeout. UINT64_MAX when nothing is scheduled. */
SIOC_API uint64_t sioc_node_next_deadline(const sioc_node *n, uint64_t now_ms);
/* Run every timer due at now_ms: expire silent peers (completing requests that only waited for them, §6.4),
   time requests out, publish heartbeats. Call it when the deadline is reached (calling more often is fine). */
SIOC_API void sioc_node_tick(sioc_node *n, uint64_t now_ms);

/* ---- receiving (from the transport) ---- */

/* One AWS message (SQS Body + attributes). Applies docs/PROTOCOL.md §2.1 in order (unknown namespace, own uid,
   response for another node: ignored before decoding), decodes, then acts. Returns SIOC_OK when the message was
   handled or deliberately ignored, else the decoding error (the message was dropped and counted). The transport
   deletes the message either way. */
SIOC_API sioc_result sioc_node_receive_aws(sioc_node *n, const sioc_msg_envelope *env, uint64_t now_ms);
/* One Azure message: the body and (may be NULL) the application properties nsp, uid, requesterUid. */
SIOC_API sioc_result sioc_node_receive_azure(sioc_node *n, const void *body, size_t len,
                                             const sioc_msg_envelope *props, uint64_t now_ms);
/* An already decoded message (the same checks apply). */
SIOC_API sioc_result sioc_node_receive(sioc_node *n, const sioc_msg *m, uint64_t now_ms);

/* ---- publishing (to the transport) ---- */

/* A message to publish. The msgpack is encoded once: `body` is the whole Azure body {type, data?, uid, nsp} and
   `data` the AWS `data` attribute, a part of body (ptr NULL for types 1, 2, 13: no data attribute). AWS:
   Message = `message`, attributes nsp, uid, [requesterUid], [data] in this order. Azure: body + properties. */
typedef struct sioc_node_out {
    int type;               /* sioc_msg_type */
    sioc_str message;       /* AWS SNS Message: the decimal type */
    sioc_str nsp;
    sioc_str uid;           /* this node */
    sioc_str requester_uid; /* responses only (8, 10, 11, 12); ptr NULL otherwise */
    sioc_bytes data;
    sioc_bytes body;
} sioc_node_out;

/* Messages waiting in the out queue. */
SIOC_API size_t sioc_node_out_count(const sioc_node *n);
/* View of the i-th queued message (0 = oldest) without removing it: for batches. SIOC_ERR_NOT_FOUND past the
   end. The views stay valid until the next call that changes the node. */
SIOC_API SIOC_NODISCARD sioc_result sioc_node_out_peek(const sioc_node *n, size_t i, sioc_node_out *out);
/* Remove the `count` oldest messages once the transport has taken them (copied into its request). */
SIOC_API void sioc_node_out_pop(sioc_node *n, size_t count);

/* ---- events (to the application) ---- */

typedef enum sioc_node_event_type {
    SIOC_NODE_EV_NONE = 0,
    SIOC_NODE_EV_READY,             /* set_ready(1): INITIAL_HEARTBEATs queued */
    SIOC_NODE_EV_NOT_READY,         /* set_ready(0) */
    SIOC_NODE_EV_CLOSED,            /* after sioc_node_close, everything queued was handed to the transport */
    SIOC_NODE_EV_PEER_UP,           /* nsp, uid: a node appeared in this namespace */
    SIOC_NODE_EV_PEER_DOWN,         /* nsp, uid, result: SIOC_ERR_TIMEOUT (silent) or SIOC_ERR_CLOSED */
    SIOC_NODE_EV_DELIVER,           /* send text + attachments to every target socket (§10); packet (has_packet
                                       1) is the decoded [event, args...] as msgpack, for programs that do not
                                       speak socket.io-parser */
    SIOC_NODE_EV_DISCONNECT,        /* send text ("1" / "1/nsp,") to the target; it was removed from the node.
                                       With close, every socket sharing its `conn` (all namespaces) gets one,
                                       in connection order, and the last has close = 1: then close the
                                       connection (§10.4) */
    SIOC_NODE_EV_SERVER_SIDE_EMIT,  /* uid, packet = [event, args...]; ack != 0: answer with
                                       sioc_node_server_side_ack (only the first answer counts) */
    SIOC_NODE_EV_FETCH_SOCKETS,     /* request, uid, sockets: one node's part of a fetchSockets result (own uid
                                       for the local part) */
    SIOC_NODE_EV_SSE_RESPONSE,      /* request, uid, packet: one answer to our serverSideEmit with ack
                                       (has_packet 0: answered undefined) */
    SIOC_NODE_EV_CLIENT_COUNT,      /* request, uid, client_count: a node's count for our ack broadcast */
    SIOC_NODE_EV_BROADCAST_ACK,     /* request, uid, packet: one client ack for our ack broadcast */
    SIOC_NODE_EV_REQUEST_DONE,      /* request, result: SIOC_OK (all answered), SIOC_ERR_TIMEOUT, SIOC_ERR_CLOSED;
                                       missing = answers (fetch / serverSideEmit) or acks still missing */
    SIOC_NODE_EV_ERROR              /* result, msg_type, field, uid: a message dropped or not sent, a limit hit */
} sioc_node_event_type;

typedef enum sioc_node_request_kind {
    SIOC_NODE_REQ_FETCH_SOCKETS = 1,
    SIOC_NODE_REQ_SERVER_SIDE_EMIT = 2,
    SIOC_NODE_REQ_BROADCAST_ACK = 3
} sioc_node_request_kind;

/* One event. Which fields are meaningful depends on the type (see the enum). */
typedef struct sioc_node_event {
    sioc_node_event_type type;
    sioc_str nsp;           /* "" for node-wide events */
    sioc_str uid;           /* the peer concerned */
    sioc_result result;
    uint32_t request;       /* the handle the API call returned */
    int request_kind;       /* sioc_node_request_kind */
    void *user;             /* the user pointer given with the request */
    sioc_str text;          /* DELIVER, DISCONNECT: the socket.io text frame (without the Engine.IO "4") */
    size_t n_attachments;   /* DELIVER: binary frames after the text (sioc_node_event_attachment) */
    size_t n_targets;       /* DELIVER, DISCONNECT: sockets to send to (sioc_node_event_target) */
    int64_t ack_id;         /* DELIVER: the ack id in the frame, -1 without */
    int is_volatile;        /* DELIVER: drop for clients that cannot take data right now */
    int compress;           /* DELIVER: per-message deflate wanted (absent flag = 1) */
    int close;              /* DISCONNECT */
    int has_packet;
    sioc_bytes packet;      /* msgpack, see the enum (DELIVER: [event, args...]; the attachments point into it) */
    sioc_msg_list sockets;  /* FETCH_SOCKETS: read with sioc_msg_list_next_socket */
    uint64_t client_count;  /* CLIENT_COUNT */
    uint32_t ack;           /* SERVER_SIDE_EMIT: the ack handle, 0 when none is owed */
    uint64_t missing;       /* REQUEST_DONE */
    int msg_type;           /* ERROR: type of the message concerned, 0 when none */
    const char *field;      /* ERROR: static text naming what failed */
    const uint8_t *p_rec;
} sioc_node_event;

/* A socket an event is for. */
typedef struct sioc_node_target {
    sioc_str id;
    void *user;    /* as given to sioc_node_socket_add */
    uint64_t conn;
} sioc_node_target;

/* Take the oldest event: SIOC_OK, or SIOC_AGAIN when there is none. Views stay valid until the next call that
   changes the node. Drain events after every receive, tick and API call. */
SIOC_API sioc_result sioc_node_next_event(sioc_node *n, sioc_node_event *ev);
/* Target i (< ev->n_targets) of a DELIVER / DISCONNECT event. */
SIOC_API sioc_node_target sioc_node_event_target(const sioc_node_event *ev, size_t i);
/* Binary attachment i (< ev->n_attachments) of a DELIVER event. */
SIOC_API sioc_bytes sioc_node_event_attachment(const sioc_node_event *ev, size_t i);
/* "DELIVER", ... for logs. */
SIOC_API const char *sioc_node_event_name(int type);

/* ---- local sockets (no message is published: rooms are local, §4.2) ---- */

/* What a remote fetchSockets returns for a socket, and how the application finds it again. handshake and data
   are msgpack values borrowed until the socket is removed or sioc_node_socket_set_data replaces them. data ptr
   NULL is written as {}; handshake ptr NULL as the nine keys Node peers expect: {headers: {}, time: issued_ms as
   Date.toString ("Thu Jan 01 1970 00:00:00 GMT+0000 (Coordinated Universal Time)"), address: "", xdomain: false,
   secure: false, issued: issued_ms, url: "/", query: {}, auth: {}}. conn groups the sockets of one client
   connection across namespaces (0: its own). */
typedef struct sioc_node_socket_desc {
    sioc_bytes handshake;
    sioc_bytes data;
    void *user;
    uint64_t conn;
    uint64_t issued_ms; /* wall-clock ms since 1970 when the client connected (handshake ptr NULL only) */
} sioc_node_socket_desc;

/* Register a connected socket (namespace created on demand); it joins the room named by its id. SIOC_ERR_ARG for
   an empty or too long id, an id already present, or a namespace name that does not start with '/';
   SIOC_ERR_LIMIT when a table is full; SIOC_ERR_STATE in emitter mode or once closing. */
SIOC_API SIOC_NODISCARD sioc_result sioc_node_socket_add(sioc_node *n, sioc_str nsp, sioc_str id,
                                                         const sioc_node_socket_desc *sd, uint64_t now_ms);
/* Forget a socket (it leaves every room; its pending acks are dropped). SIOC_ERR_NOT_FOUND. */
SIOC_API SIOC_NODISCARD sioc_result sioc_node_socket_remove(sioc_node *n, sioc_str nsp, sioc_str id);
/* Join / leave one room (joining twice is a no-op). SIOC_ERR_NOT_FOUND, SIOC_ERR_ARG, SIOC_ERR_LIMIT. */
SIOC_API SIOC_NODISCARD sioc_result sioc_node_socket_join(sioc_node *n, sioc_str nsp, sioc_str id, sioc_str room);
SIOC_API SIOC_NODISCARD sioc_result sioc_node_socket_leave(sioc_node *n, sioc_str nsp, sioc_str id, sioc_str room);
/* Replace the borrowed socket.data. */
SIOC_API SIOC_NODISCARD sioc_result sioc_node_socket_set_data(sioc_node *n, sioc_str nsp, sioc_str id,
                                                              sioc_bytes data);
/* The socket's rooms in join order into out[0..cap) (views into the node); *out_n = how many it has.
   SIOC_ERR_NOT_FOUND, SIOC_ERR_BUFFER_TOO_SMALL. */
SIOC_API SIOC_NODISCARD sioc_result sioc_node_socket_rooms(const sioc_node *n, sioc_str nsp, sioc_str id,
                                                           sioc_str *out, size_t cap, size_t *out_n);
/* 1 when the socket exists. */
SIOC_API int sioc_node_socket_exists(const sioc_node *n, sioc_str nsp, sioc_str id);
/* Local sockets of a namespace (0 when it does not exist). */
SIOC_API size_t sioc_node_socket_count(const sioc_node *n, sioc_str nsp);
/* Other live nodes of a namespace: serverCount() - 1. */
SIOC_API size_t sioc_node_peer_count(const sioc_node *n, sioc_str nsp);
/* The uid of live peer i (< sioc_node_peer_count) of a namespace, in no particular order; "" past the end. */
SIOC_API sioc_str sioc_node_peer_uid(const sioc_node *n, sioc_str nsp, size_t i);
/* Create a namespace now (it starts heartbeating if the node is ready). SIOC_ERR_ARG, SIOC_ERR_LIMIT. */
SIOC_API SIOC_NODISCARD sioc_result sioc_node_nsp_open(sioc_node *n, sioc_str nsp, uint64_t now_ms);
/* Take an ack id from the namespace's counter, for the application's own socket.emit(..., ack): ids are shared
   with the ack broadcasts (§10.2). -1 when the namespace cannot be created. */
SIOC_API int64_t sioc_node_next_ack_id(sioc_node *n, sioc_str nsp, uint64_t now_ms);

/* A client answered an ack broadcast (ACK / BINARY_ACK packet decoded by sioc_sio_decode, with its binary
   frames). The first argument travels to the requester (type 12, Q11) or, for this node's own ack broadcast,
   becomes a BROADCAST_ACK event. SIOC_ERR_NOT_FOUND when no ack broadcast with this id is pending for this
   socket (then it is the application's own ack, or late); SIOC_ERR_TYPE for another packet type; SIOC_ERR_LIMIT
   when the argument exceeds ack_scratch_size; the parser's errors for a bad ack; a publish error (then the ack
   stays pending and the call may be repeated). */
SIOC_API SIOC_NODISCARD sioc_result sioc_node_client_ack(sioc_node *n, sioc_str sid, const sioc_sio_packet *p,
                                                         const sioc_bytes *att, size_t n_att, uint64_t now_ms);
/* The same from the raw text frame (without "4"), decoded with the node's own token array (up to max_attachments
   binary frames). */
SIOC_API SIOC_NODISCARD sioc_result sioc_node_client_ack_text(sioc_node *n, sioc_str sid, const char *text,
                                                              size_t len, const sioc_bytes *att, size_t n_att,
                                                              uint64_t now_ms);
/* The same by value, for programs that decode their clients' frames themselves: socket `sid` of `nsp` answered
   ack id `ack_id` (ev->ack_id of the DELIVER) with `value`, its first argument as one msgpack value (ptr NULL:
   no argument, sent as nil). SIOC_ERR_ARG for a value that is not valid msgpack (or deeper than
   SIOC_MAX_MSGPACK_DEPTH); otherwise as sioc_node_client_ack. */
SIOC_API SIOC_NODISCARD sioc_result sioc_node_client_ack_value(sioc_node *n, sioc_str nsp, sioc_str sid,
                                                               int64_t ack_id, sioc_bytes value, uint64_t now_ms);

/* ---- operations (the application's side of the adapter API) ----
   Each applies its local part exactly as Node's in-memory adapter does, then publishes (unless opts->local).
   packet is the msgpack array [event, args...] (binary args as bin). Errors: SIOC_ERR_ARG (bad packet or
   names), SIOC_ERR_STATE (emitter mode forbids it, or closing), SIOC_ERR_LIMIT (request table full),
   SIOC_ERR_TOO_LARGE (over max_message_size), SIOC_ERR_BUFFER_TOO_SMALL (out queue full: pop and retry),
   SIOC_ERR_UNSUPPORTED (a request, one of the three calls with out_request, in a build with SIOC_ENABLE_REQUESTS
   0; answering other nodes' requests still works there); on an error nothing was applied or published. */

/* Broadcast options: io.to(rooms).except(except) with flags. opts NULL = every socket, no flags. */
typedef struct sioc_node_opts {
    const sioc_str *rooms;
    size_t n_rooms;
    const sioc_str *except;
    size_t n_except;
    sioc_msg_flags flags; /* volatile, compress, expectSingleResponse, timeout as Node would send them */
    int local;            /* `.local`: this node only, nothing published */
} sioc_node_opts;

/* io.to(...).emit(event, args...). */
SIOC_API SIOC_NODISCARD sioc_result sioc_node_broadcast(sioc_node *n, sioc_str nsp, const sioc_node_opts *opts,
                                                        sioc_bytes packet, uint64_t now_ms);
/* io.timeout(t).emit(event, args..., cb): timeout_ms is required (Q7). Events: CLIENT_COUNT and BROADCAST_ACK
   as they come, then REQUEST_DONE (SIOC_OK when every node counted and every client acked, else timeout).
   *out_request gets the handle. */
SIOC_API SIOC_NODISCARD sioc_result sioc_node_broadcast_ack(sioc_node *n, sioc_str nsp, const sioc_node_opts *opts,
                                                            sioc_bytes packet, uint32_t timeout_ms, void *user,
                                                            uint32_t *out_request, uint64_t now_ms);
/* socketsJoin / socketsLeave (rooms to join / leave) and disconnectSockets(close). */
SIOC_API SIOC_NODISCARD sioc_result sioc_node_sockets_join(sioc_node *n, sioc_str nsp, const sioc_node_opts *opts,
                                                           const sioc_str *rooms, size_t n_rooms, uint64_t now_ms);
SIOC_API SIOC_NODISCARD sioc_result sioc_node_sockets_leave(sioc_node *n, sioc_str nsp, const sioc_node_opts *opts,
                                                            const sioc_str *rooms, size_t n_rooms, uint64_t now_ms);
SIOC_API SIOC_NODISCARD sioc_result sioc_node_disconnect_sockets(sioc_node *n, sioc_str nsp,
                                                                 const sioc_node_opts *opts, int close,
                                                                 uint64_t now_ms);
/* fetchSockets: a FETCH_SOCKETS event with the local part at once, one per answering node, then REQUEST_DONE
   (timeout: flags.timeout, else request_timeout_ms; Node rejects on timeout, §6.1). Nothing is published when
   opts->local or when no other node is known. */
SIOC_API SIOC_NODISCARD sioc_result sioc_node_fetch_sockets(sioc_node *n, sioc_str nsp, const sioc_node_opts *opts,
                                                            void *user, uint32_t *out_request, uint64_t now_ms);
/* serverSideEmit(event, args...) to the other nodes (event names connect, connection, new_namespace and the
   socket.io reserved ones are refused). */
SIOC_API SIOC_NODISCARD sioc_result sioc_node_server_side_emit(sioc_node *n, sioc_str nsp, sioc_bytes packet,
                                                               uint64_t now_ms);
/* serverSideEmit with ack: SSE_RESPONSE events, then REQUEST_DONE after request_timeout_ms at most (done at
   once when no other node is known). */
SIOC_API SIOC_NODISCARD sioc_result sioc_node_server_side_emit_ack(sioc_node *n, sioc_str nsp, sioc_bytes packet,
                                                                   void *user, uint32_t *out_request,
                                                                   uint64_t now_ms);
/* Answer a SERVER_SIDE_EMIT event's ack with one msgpack value (ptr NULL: no argument, sent as nil).
   SIOC_ERR_NOT_FOUND when already answered or expired. */
SIOC_API SIOC_NODISCARD sioc_result sioc_node_server_side_ack(sioc_node *n, uint32_t ack, sioc_bytes value,
                                                              uint64_t now_ms);

/* ---- for transports that pace their receives ---- */

/* Requests of this node waiting for answers (fetchSockets, serverSideEmit with ack, ack broadcasts): a transport
   that delays receives in a quiet cluster receives at once while any is pending. 0 with SIOC_ENABLE_REQUESTS 0. */
SIOC_API size_t sioc_node_pending_requests(const sioc_node *n);
/* ---- src/tls.h ---- */
/* ---- tls: the table a TLS backend fills in (selected at compile time by SIOC_TLS) ----
   The HTTP engine talks to TLS only through this table, over byte buffers: ciphertext in and out on the
   socket side, plaintext in and out on the HTTP side. Nothing blocks; a backend reports "not now" by taking or
   giving zero bytes. One backend is compiled in (tls_none.c, tls_mbedtls.c or tls_bearssl.c).
   Rules every backend keeps (see docs/DESIGN.md section 9): refuse a NULL or empty host name, always set the host
   name for SNI and verification, require a trusted chain, seed from the caller's random callback, and keep
   room for a full 16 KB record on the receive side. */

struct sioc_http_client;

typedef struct sioc_tls_ops {
    const char *name;
    /* Client-wide state (trust anchors, DRBG) in *out_state; called once from sioc_http_client_init(). */
    sioc_result (*client_init)(struct sioc_http_client *c, void **out_state);
    void (*client_free)(struct sioc_http_client *c, void *state);
    /* Per-connection state of conn_size() bytes, allocated by the engine; open starts the handshake. */
    size_t (*conn_size)(void);
    sioc_result (*open)(struct sioc_http_client *c, void *state, void *conn, const char *host);
    void (*close)(void *conn);
    /* Advance the handshake: SIOC_OK when done, SIOC_AGAIN while in progress, or a typed error
       (SIOC_ERR_TLS_UNTRUSTED, _HOSTNAME, _EXPIRED, _TIME, SIOC_ERR_TLS). */
    sioc_result (*handshake)(void *conn);
    /* Ciphertext from the socket: room, then feed (takes at most room bytes). */
    size_t (*recv_room)(void *conn);
    sioc_result (*feed)(void *conn, const uint8_t *in, size_t len);
    /* Ciphertext for the socket: peek and acknowledge. */
    void (*out)(void *conn, const uint8_t **p, size_t *n);
    void (*out_done)(void *conn, size_t n);
    /* Plaintext to encrypt: *used bytes taken (0 when the send side is full). A backend may require the same
       arguments again after taking 0 (mbedTLS), so callers retry with an unchanged pointer and length. */
    sioc_result (*write)(void *conn, const uint8_t *p, size_t n, size_t *used);
    /* Decrypted plaintext: peek (SIOC_ERR_CLOSED after the peer's close_notify) and acknowledge. */
    sioc_result (*read)(void *conn, const uint8_t **p, size_t *n);
    void (*read_done)(void *conn, size_t n);
    /* The backend's own code for the last failure on conn (0: none), for detail texts. */
    long (*last_error)(void *conn);
} sioc_tls_ops;

/* Name and version of the compiled-in TLS backend: "none", "mbedtls 2.28.3", "bearssl 0.6". */
SIOC_API const char *sioc_tls_backend(void);
/* ---- src/http.h ---- */
/* ---- http: HTTP/1.1 request writer, incremental response parser, caller-driven client engine ----
   Three layers, each usable alone:
     1. sioc_http_write_head(): a request head into a sioc_buf (no I/O, no allocation).
     2. sioc_http_parser: a streaming response parser over caller memory (status line, headers with
        case-insensitive lookup, Content-Length, chunked with extensions and trailers, close-delimited bodies,
        1xx skipped). It never allocates and never copies body bytes: they come back as spans of the input.
     3. sioc_http_client: a connection engine with a fixed pool of keep-alive connections per endpoint. It never
        blocks, sleeps or reads a clock: the caller tells it the time, opens the sockets it asks for, moves bytes
        and EOF in and out, and picks up finished responses. TLS (when compiled in) sits inside the engine, so the
        caller only ever moves ciphertext.
   Memory: everything is taken at sioc_http_client_init() (plus the TLS state when a connection opens); a
   keep-alive request allocates nothing. */

/* ---- configuration defaults (compile time; tested with #if) ---- */
/* SIOC_TLS and SIOC_ENABLE_POSIX are set in the prologue. */
#ifndef SIOC_HTTP_MAX_HOST
#define SIOC_HTTP_MAX_HOST 255 /* longest host name an endpoint may have (DNS limit is 253) */
#endif
#ifndef SIOC_HTTP_DRIVE_BUFFER
/* Stack bytes of sioc_http_drive() (and so of the POSIX backend's turn): one recv() at most this long, and a small
   request's head and body gathered into one send(). 1024 suits a small stack; a request that does not fit goes out
   in two sends. At least 16. */
#define SIOC_HTTP_DRIVE_BUFFER 8192
#endif
#if SIOC_HTTP_DRIVE_BUFFER < 16
#error "SIOC_HTTP_DRIVE_BUFFER must be at least 16"
#endif
#ifndef SIOC_HTTP_MAX_CHUNK_EXT
#define SIOC_HTTP_MAX_CHUNK_EXT 4096 /* bytes of chunk extensions tolerated on one chunk-size line */
#endif

/* ---- 1. request writer ---- */

typedef struct sioc_http_header {
    sioc_str name;
    sioc_str value;
} sioc_http_header;

/* Called with body bytes as they arrive (streaming instead of a buffer). Runs inside sioc_http_conn_feed():
   it must not call any sioc_http_* function on the same client. */
typedef void (*sioc_http_body_fn)(void *tag, const uint8_t *data, size_t len);

/* One request. Strings are copied at submit time except `body`, which is borrowed: it must stay valid and
   unchanged until the request's response is picked up (or the request is cancelled). */
typedef struct sioc_http_request {
    const char *method;              /* "GET", "POST", ... (a token) */
    const char *target;              /* path and query, "/" or "/a/b?x=1" (no spaces or controls) */
    const sioc_http_header *headers; /* extra headers; Host and Content-Length are added by the writer */
    size_t header_count;
    const void *body;                /* may be NULL when body_len is 0 */
    size_t body_len;
    uint32_t timeout_ms;             /* deadline = submit time + this; 0: the client default */
    int idempotent;                  /* 1: may be sent again once if a reused connection dies before any reply */
    void *tag;                       /* returned with the response, and passed to on_body */
    void *body_out;                  /* response body goes here (up to body_out_cap bytes) ... */
    size_t body_out_cap;
    sioc_http_body_fn on_body;       /* ... or here, when set (then body_out is ignored); neither: discarded */
    size_t body_keep_tail;           /* body_out only: when the body overflows, the last body_keep_tail bytes of
                                        body_out hold the end of the body instead (sioc_http_response.tail_len) */
} sioc_http_request;

/* Append "METHOD target HTTP/1.1", "Host: host[:port]" (port left out when it is the scheme's default), the
   caller's headers and Content-Length (always for a body, and 0 for POST/PUT/PATCH without one), then the blank
   line. SIOC_ERR_ARG (also recorded in out->err) for a bad method/target/host, a header name that is not a token,
   a value with CR, LF or NUL, or a caller-supplied Host, Content-Length or Transfer-Encoding header. */
SIOC_API SIOC_NODISCARD sioc_result sioc_http_write_head(sioc_buf *out, const sioc_http_request *req,
                                                          const char *host, uint16_t port, int tls);

/* ---- 2. response parser ---- */

/* Where one header (or trailer) sits in the parser's head memory. */
typedef struct sioc_http_hdr_ref {
    uint32_t name_off, name_len, value_off, value_len;
} sioc_http_hdr_ref;

typedef enum sioc_http_pev {
    SIOC_HTTP_PEV_NEED_MORE = 0, /* all input used; feed more (or call sioc_http_parser_eof) */
    SIOC_HTTP_PEV_HEAD = 1,      /* final status line and headers complete: status and lookups are valid */
    SIOC_HTTP_PEV_BODY = 2,      /* *out_body holds body bytes (a span of the input, already de-chunked) */
    SIOC_HTTP_PEV_DONE = 3       /* response complete (trailers added to the header list); reset before reuse */
} sioc_http_pev;

/* Parser state. Head memory holds the status line, header lines and trailers (without line ends); the
   reference array indexes them. Both are the caller's and must outlive the parser. Fields from `status` on are
   results, valid from SIOC_HTTP_PEV_HEAD until the next reset. */
typedef struct sioc_http_parser {
    /* private (first: the parser reaches them with short loads) */
    uint8_t p_state, p_cr, p_head_request, p_ext_state, p_started;
    sioc_result p_err;
    size_t p_head_len, p_line_start, p_ext_len;
    uint64_t p_remaining;
    char *p_head;
    size_t p_head_cap;
    sioc_http_hdr_ref *p_refs;
    size_t p_ref_cap;
    /* results */
    int status;              /* 100..999 */
    int version_minor;       /* HTTP/1.x */
    int keep_alive;          /* 1 when the connection may carry another request after this response */
    int chunked;             /* 1 for Transfer-Encoding: chunked */
    uint64_t content_length; /* UINT64_MAX when the body is chunked or runs until the connection closes */
    uint64_t body_len;       /* body bytes delivered so far */
    uint32_t keep_alive_timeout_s; /* from "Keep-Alive: timeout=N", 0 when absent */
    size_t header_count;     /* headers, then trailers */
    sioc_str reason;         /* reason phrase (may be empty) */
} sioc_http_parser;

/* Bind the parser to caller memory: `head_mem` of `head_cap` bytes (the limit on status line + headers +
   trailers; 8192 is plenty for AWS and Azure) and `refs` for up to `ref_cap` headers. Then parses a response. */
SIOC_API void sioc_http_parser_init(sioc_http_parser *p, void *head_mem, size_t head_cap, sioc_http_hdr_ref *refs,
                                    size_t ref_cap);
/* Prepare for the next response; head_request = 1 when it answers a HEAD request (no body whatever the headers). */
SIOC_API void sioc_http_parser_reset(sioc_http_parser *p, int head_request);
/* Consume input up to the next event. *out_used bytes of `in` were used; call again with the rest until the event
   is SIOC_HTTP_PEV_NEED_MORE (after HEAD, call even with no input left: a body-less response then gives DONE).
   After DONE nothing more is consumed until reset (SIOC_ERR_STATE). Errors are sticky: SIOC_ERR_PROTOCOL (malformed status line,
   header, chunk framing, conflicting lengths, 101), SIOC_ERR_LIMIT (head memory or header slots exhausted, huge
   chunk extension), SIOC_ERR_UNSUPPORTED (a transfer coding other than chunked). */
SIOC_API SIOC_NODISCARD sioc_result sioc_http_parser_feed(sioc_http_parser *p, const uint8_t *in, size_t len,
                                                           size_t *out_used, sioc_http_pev *out_ev,
                                                           sioc_bytes *out_body);
/* The peer closed the connection. DONE for a body that runs until close; otherwise SIOC_ERR_CLOSED
   (nothing received yet, or a truncated response). */
SIOC_API SIOC_NODISCARD sioc_result sioc_http_parser_eof(sioc_http_parser *p, sioc_http_pev *out_ev);
/* First header (or trailer) called `name`, compared case-insensitively; value with surrounding blanks trimmed.
   SIOC_ERR_NOT_FOUND when absent. */
SIOC_API SIOC_NODISCARD sioc_result sioc_http_parser_header(const sioc_http_parser *p, const char *name,
                                                             sioc_str *out_value);
/* Header i in arrival order (0 <= i < header_count). */
SIOC_API void sioc_http_parser_header_at(const sioc_http_parser *p, size_t i, sioc_str *out_name, sioc_str *out_value);
/* 1 when at least one byte of a response was consumed since the last reset. */
SIOC_API int sioc_http_parser_started(const sioc_http_parser *p);

/* ---- 3. client engine ---- */

struct sioc_tls_ops;

typedef struct sioc_http_client_desc {
    sioc_allocator allocator;    /* zero: malloc/free (when SIOC_ENABLE_LIBC_MALLOC) */
    sioc_logger logger;          /* zero: silent */
    uint32_t max_endpoints;      /* 0 -> 4 distinct (host, port, tls) targets */
    uint32_t conns_per_endpoint; /* 0 -> 2 (a long poll on one, publishes on the other) */
    uint32_t max_requests;       /* 0 -> 16 requests queued, in flight or awaiting pickup */
    uint32_t request_head_size;  /* 0 -> 4096 bytes of request line + headers, per request slot */
    uint32_t response_head_size; /* 0 -> 8192 bytes of status line + headers + trailers, per connection */
    uint32_t max_headers;        /* 0 -> 64 response headers + trailers */
    uint32_t timeout_ms;         /* 0 -> 30000: default request deadline (queueing + connect + exchange) */
    uint32_t connect_timeout_ms; /* 0 -> 10000: TCP connect plus TLS handshake */
    uint32_t idle_timeout_ms;    /* 0 -> 30000: close a keep-alive connection idle this long */
    /* TLS (ignored by SIOC_TLS_NONE): trust anchors as PEM text and/or a PEM file read at init. */
    const char *ca_pem;
    size_t ca_pem_len;           /* 0: strlen(ca_pem) */
    const char *ca_file;
    int tls_offload;             /* SIOC_TLS_NONE only: 1 = the app terminates TLS itself, https endpoints allowed */
    /* Required with a TLS backend: random bytes (seeds the DRBG), and UTC seconds since 1970 (validity). With
       SIOC_ENABLE_POSIX they default to sioc_posix_random and sioc_posix_utc_now. */
    sioc_result (*random)(void *user, void *buf, size_t len);
    int64_t (*utc_now)(void *user);
    void *user;
} sioc_http_client_desc;

typedef struct sioc_http_stats {
    uint64_t requests;    /* submitted */
    uint64_t responses;   /* complete responses received */
    uint64_t conns_opened;
    uint64_t retries;     /* idempotent requests re-sent after a reused connection died */
    uint64_t timeouts;
} sioc_http_stats;

typedef struct sioc_http__ep sioc_http__ep;
typedef struct sioc_http__conn sioc_http__conn;
typedef struct sioc_http__req sioc_http__req;

/* The engine. Transparent so it can live anywhere; touch only through the functions below. */
typedef struct sioc_http_client {
    /* private (first: the engine reaches them with short loads) */
    sioc_http__ep *p_eps;
    sioc_http__conn *p_conns;
    sioc_http__req *p_reqs;
    uint32_t p_n_eps, p_n_conns, p_n_reqs;
    uint64_t p_now, p_seq;
    int p_held; /* request slot whose response was handed out last, or -1 */
    const struct sioc_tls_ops *p_tls;
    void *p_tls_state;
    void *p_mem;
    size_t p_mem_size;
    /* public */
    sioc_http_client_desc desc; /* with defaults filled in */
    sioc_http_stats stats;
    char detail[SIOC_DETAIL_SIZE]; /* why the last sioc_http_client_init() or sioc_http_endpoint() failed */
    char p_tls_why[64]; /* private: why a TLS build has no TLS to offer (no trust anchors, random or clock) */
} sioc_http_client;

/* Set up the engine: all memory for endpoints, connections and request slots is taken here. SIOC_ERR_NOMEM,
   SIOC_ERR_DEPENDENCY (no allocator without libc malloc, DRBG seeding failed), SIOC_ERR_TLS (trust anchors given
   but none readable) or SIOC_ERR_ARG; c->detail says which. On failure nothing is left allocated.
   Trust anchors of a TLS build: ca_pem and/or ca_file when given; otherwise the system store, i.e. the file named
   by the SSL_CERT_FILE environment variable, else the first readable of /etc/ssl/certs/ca-certificates.crt
   (Debian, Ubuntu, Alpine), /etc/pki/tls/certs/ca-bundle.crt (Fedora, RHEL), /etc/ssl/ca-bundle.pem (openSUSE),
   /etc/ssl/cert.pem (macOS, BSD), /usr/local/share/certs/ca-root-nss.crt (FreeBSD). Without any, https endpoints
   are refused (SIOC_ERR_DEPENDENCY, detail says so). */
SIOC_API SIOC_NODISCARD sioc_result sioc_http_client_init(sioc_http_client *c, const sioc_http_client_desc *desc);
/* Free everything. Sockets still open are the caller's to close (sioc_http_conn_wants() != 0 tells which). */
SIOC_API void sioc_http_client_free(sioc_http_client *c);

/* Register (or find) the endpoint host:port, plain or TLS; *out_ep identifies it in sioc_http_submit(). The
   host is copied and is also the TLS server name (SNI and certificate check; IP addresses are not supported
   for TLS: neither backend matches IP SANs). SIOC_ERR_TLS_NO_HOSTNAME for TLS without a host name (refused
   before any byte is sent); SIOC_ERR_DEPENDENCY for TLS in a build without a TLS backend (SIOC_TLS_NONE, unless
   tls_offload: build with -DSIOC_TLS=SIOC_TLS_MBEDTLS or SIOC_TLS_BEARSSL) and for TLS when there are no trust
   anchors, random or utc_now; SIOC_ERR_LIMIT. c->detail says which, naming host:port. */
SIOC_API SIOC_NODISCARD sioc_result sioc_http_endpoint(sioc_http_client *c, const char *host, uint16_t port, int tls,
                                                       int *out_ep);

/* Queue a request for endpoint `ep`. The head is written into the request slot now (see sioc_http_request for
   what is borrowed). *out_id (may be NULL) names it for sioc_http_cancel(). SIOC_ERR_LIMIT when every slot is
   busy, SIOC_ERR_BUFFER_TOO_SMALL when the head exceeds request_head_size, SIOC_ERR_ARG as the writer. */
SIOC_API SIOC_NODISCARD sioc_result sioc_http_submit(sioc_http_client *c, int ep, const sioc_http_request *req,
                                                     uint64_t now_ms, uint32_t *out_id);
/* Forget a request: no response will be delivered and its body is no longer referenced. A request that was on
   the wire closes its connection. SIOC_ERR_NOT_FOUND when unknown or already delivered. */
SIOC_API sioc_result sioc_http_cancel(sioc_http_client *c, uint32_t id);

/* "http[s]://host[:port][/]" (an origin: no path, query or user info) into host (SIOC_HTTP_MAX_HOST + 1 bytes), port
   (80 / 443 by default) and tls. SIOC_ERR_ARG for anything else, SIOC_ERR_UNSUPPORTED for an IPv6 literal. */
SIOC_API SIOC_NODISCARD sioc_result sioc_http_parse_origin(const char *url, char *host, uint16_t *port, int *tls);

/* Bookkeeping of the calls a client layered on the engine hands it (the AWS and Azure clients use it alike): one
   sioc_http_call inside each of its calls, one sioc_http_calls inside the client. Fields are private. */
typedef struct sioc_http_call {
    uint32_t p_id;    /* the engine's request id */
    uint8_t p_state;  /* 0 idle, 1 in flight, 2 finished and not yet collected */
    sioc_qlink p_link; /* in the client's queue of finished calls */
} sioc_http_call;
typedef struct sioc_http_calls {
    sioc_queue p_done;
    uint32_t p_inflight;
} sioc_http_calls;
/* The call was submitted as engine request id. */
SIOC_API void sioc_http_calls_sent(sioc_http_calls *q, sioc_http_call *k, uint32_t id);
/* A response for request id: 1 when it belongs to this call in flight (then it is not in flight any more). */
SIOC_API int sioc_http_calls_answered(sioc_http_calls *q, sioc_http_call *k, uint32_t id);
/* The call is finished: queued for collection. */
SIOC_API void sioc_http_calls_done(sioc_http_calls *q, sioc_http_call *k);
/* The oldest finished call (idle again), NULL when none; 1 from pending when one waits. */
SIOC_API sioc_http_call *sioc_http_calls_pop(sioc_http_calls *q);
SIOC_API int sioc_http_calls_pending(const sioc_http_calls *q);
/* Give up on a call: unlinked when finished, cancelled in the engine when in flight. SIOC_ERR_NOT_FOUND when idle. */
SIOC_API sioc_result sioc_http_calls_cancel(sioc_http_client *c, sioc_http_calls *q, sioc_http_call *k);
/* 1 while the call is in flight or finished and not yet collected. */
SIOC_API int sioc_http_calls_busy(const sioc_http_call *k);

/* A finished request. Views (headers, body) stay valid until the next sioc_http_next_response() call, which
   also returns the connection to the pool (requests submitted meanwhile wait for it rather than open another). */
typedef struct sioc_http_response {
    uint32_t id;
    void *tag;
    sioc_result result;   /* SIOC_OK (any HTTP status), SIOC_ERR_BUFFER_TOO_SMALL (body larger than
                             body_out_cap: body holds the first part, body_total the size), or the failure:
                             SIOC_ERR_TIMEOUT, SIOC_ERR_CLOSED, SIOC_ERR_CONNECT, SIOC_ERR_PROTOCOL, SIOC_ERR_LIMIT,
                             SIOC_ERR_TLS_* ... */
    int status;           /* HTTP status, 0 when no response head arrived */
    const uint8_t *body;  /* body_out contents (NULL when streamed or discarded) */
    size_t body_len;      /* bytes in body */
    uint64_t body_total;  /* body bytes received in total */
    size_t tail_len;      /* overflowed with body_keep_tail: body ends with the body's last tail_len bytes (the
                             bytes between the two parts are gone); 0 otherwise */
    int retried;          /* 1 when the request was sent a second time on a fresh connection */
    char detail[SIOC_DETAIL_SIZE]; /* a failure in words, with host:port: "cannot connect to 127.0.0.1:1:
                                      connection refused", "TLS with h:443 failed: certificate not trusted ..."
                                      ("" on success) */
    const sioc_http_parser *p_parser;
} sioc_http_response;

/* Next finished request in completion order: SIOC_OK and *out filled, or SIOC_AGAIN when none is waiting. */
SIOC_API sioc_result sioc_http_next_response(sioc_http_client *c, sioc_http_response *out);
/* Finished requests waiting for sioc_http_next_response(). An event loop must not sleep while this is > 0. */
SIOC_API size_t sioc_http_responses_ready(const sioc_http_client *c);
/* Response header lookup, case-insensitive (trailers included); SIOC_ERR_NOT_FOUND when absent. */
SIOC_API SIOC_NODISCARD sioc_result sioc_http_response_header(const sioc_http_response *r, const char *name,
                                                               sioc_str *out_value);

/* ---- connections: what the caller's I/O layer does ---- */

typedef enum sioc_http_io_type {
    SIOC_HTTP_IO_OPEN = 1, /* connect a TCP socket to host:port, then sioc_http_conn_opened() (or _failed()) */
    SIOC_HTTP_IO_CLOSE = 2 /* close the socket of `conn`; the slot may be reused by a later OPEN */
} sioc_http_io_type;

typedef struct sioc_http_io_event {
    sioc_http_io_type type;
    int conn;         /* 0 .. sioc_http_conn_count()-1 */
    const char *host; /* OPEN: NUL-terminated, owned by the client */
    uint16_t port;
    int tls;          /* OPEN: 1 for an https endpoint (informational: the engine does the TLS) */
} sioc_http_io_event;

/* Next socket action for the I/O layer: SIOC_OK and *out filled, or SIOC_AGAIN when none. Every OPEN is
   eventually followed by exactly one CLOSE for the same conn. */
SIOC_API sioc_result sioc_http_next_io(sioc_http_client *c, sioc_http_io_event *out);

/* Why `conn` failed, in a few words ("connection refused", "name not resolved", "connection reset by peer"):
   an I/O layer calls this before sioc_http_conn_failed() (or before its transport's connect/send/recv returns the
   error), and the requests' detail texts carry it. Copied (up to 63 bytes); kept until the slot opens again. */
SIOC_API void sioc_http_conn_reason(sioc_http_client *c, int conn, const char *reason);
/* The TCP connection of `conn` is up (the TLS handshake, if any, starts now). */
SIOC_API void sioc_http_conn_opened(sioc_http_client *c, int conn, uint64_t now_ms);
/* The connection failed or broke (connect refused, reset, send error): `err` is what requests see
   (SIOC_ERR_CONNECT, SIOC_ERR_CLOSED for a reset, ...). Unlike sioc_http_conn_eof() a failure never completes a
   body that runs until close. A CLOSE event follows. */
SIOC_API void sioc_http_conn_failed(sioc_http_client *c, int conn, sioc_result err, uint64_t now_ms);
/* The peer closed its side (recv returned 0). */
SIOC_API void sioc_http_conn_eof(sioc_http_client *c, int conn, uint64_t now_ms);
/* Received bytes (ciphertext on TLS). At most sioc_http_conn_recv_room() bytes are taken; *out_used (may be
   NULL) says how many. Returns SIOC_OK, or the error that closed the connection. */
SIOC_API sioc_result sioc_http_conn_feed(sioc_http_client *c, int conn, const void *data, size_t len,
                                         uint64_t now_ms, size_t *out_used);
/* How many bytes sioc_http_conn_feed() takes now (SIZE_MAX on plain connections; 0 on TLS while the engine
   must first send: flush output, then read again). */
SIOC_API size_t sioc_http_conn_recv_room(sioc_http_client *c, int conn);
/* Bytes waiting to be sent on `conn`: *out_data / *out_len (0 when nothing). The view is valid until the next
   call on the client. Report what the socket took with sioc_http_conn_sent(). */
SIOC_API void sioc_http_conn_pending(sioc_http_client *c, int conn, const uint8_t **out_data, size_t *out_len);
SIOC_API void sioc_http_conn_sent(sioc_http_client *c, int conn, size_t n);

#define SIOC_HTTP_WANT_READ 1u       /* the socket is open: poll it for input (and EOF) */
#define SIOC_HTTP_WANT_WRITE 2u      /* output is pending */
#define SIOC_HTTP_WANT_CONNECT 4u    /* an OPEN was handed out and sioc_http_conn_opened() has not come yet */
/* What `conn` waits for (0: slot unused or closed). */
SIOC_API unsigned sioc_http_conn_wants(const sioc_http_client *c, int conn);
/* Number of connection slots (max_endpoints * conns_per_endpoint). */
SIOC_API int sioc_http_conn_count(const sioc_http_client *c);

/* Absolute time (ms, the caller's clock) of the next timer, or UINT64_MAX when nothing is timed. It is the last
   time seen when an OPEN or CLOSE waits for sioc_http_next_io() (serve those before sleeping). */
SIOC_API uint64_t sioc_http_next_deadline(const sioc_http_client *c);
/* Fire timers due at now_ms: request deadlines (SIOC_ERR_TIMEOUT), connect timeouts, idle keep-alive expiry. */
SIOC_API void sioc_http_tick(sioc_http_client *c, uint64_t now_ms);

/* ---- transport interface: drive the engine over the caller's own non-blocking sockets ---- */

/* Never block. connect: start or continue connecting conn to host:port; SIOC_OK when connected, SIOC_AGAIN while
   in progress (it is called again), or an error (SIOC_ERR_CONNECT). send/recv: bytes moved, 0 when the call would
   block, or a negative sioc_result: recv returns SIOC_ERR_CLOSED for an orderly EOF; any other negative value means
   the connection broke (reset, EPIPE), which requests see as SIOC_ERR_CLOSED. close: release the socket.
   Before returning an error, a transport may say why with sioc_http_conn_reason() (the POSIX backend does). */
typedef struct sioc_http_transport {
    sioc_result (*connect)(void *user, int conn, const char *host, uint16_t port);
    long (*send)(void *user, int conn, const uint8_t *data, size_t len);
    long (*recv)(void *user, int conn, uint8_t *buf, size_t cap);
    void (*close)(void *user, int conn);
    void *user;
} sioc_http_transport;

/* One non-blocking pass: serve OPEN/CLOSE events, continue connects, flush output, read what is available,
   fire timers. Call it after the sockets became ready or the deadline passed; then pick up responses. */
SIOC_API sioc_result sioc_http_drive(sioc_http_client *c, const sioc_http_transport *t, uint64_t now_ms);
/* ---- src/posix.h ---- */
/* ---- posix: the built-in socket backend (SIOC_ENABLE_POSIX) ----
   Non-blocking TCP sockets and poll() under the HTTP engine, written against the public API only (it is a
   sioc_http_transport), so it doubles as the reference integration. Three ways to use it:
     - simplest: call sioc_posix_run() in a loop; it waits in poll() until a socket is ready or a timer is due.
     - own loop (epoll, libuv, ...): put the descriptors from sioc_posix_fds() in it, call sioc_posix_step()
       when one is ready or when sioc_http_next_deadline() passes.
     - own sockets entirely: skip this file and implement sioc_http_transport (or the raw conn_* calls).
   DNS: the default resolver is getaddrinfo(), which BLOCKS the calling thread for as long as DNS takes. Programs
   that must never block pass their own resolver (a cache, a fixed address, an async lookup done beforehand).
   In a strict C99 build on glibc, define _POSIX_C_SOURCE 200809L before including this header. */

#if SIOC_ENABLE_POSIX

#ifndef SIOC_POSIX_GETADDRINFO
#define SIOC_POSIX_GETADDRINFO 1 /* 0: sioc_posix_resolve() takes numeric addresses only (static builds) */
#endif
#ifndef SIOC_POSIX_MAX_CONNS
#define SIOC_POSIX_MAX_CONNS 64 /* connection slots the backend can hold (the client's conn count must fit) */
#endif

/* An IP address for one connection. */
typedef struct sioc_posix_addr {
    int family;     /* 4 or 6 */
    uint8_t ip[16]; /* network order; IPv4 uses the first 4 bytes */
} sioc_posix_addr;

/* Turn a host name into an address. Returns SIOC_OK or SIOC_ERR_CONNECT (unknown host). Called from the
   connect step, so it must not block if the program must not block. */
typedef sioc_result (*sioc_posix_resolve_fn)(void *user, const char *host, uint16_t port, sioc_posix_addr *out);

typedef struct sioc_posix {
    sioc_http_client *client;
    sioc_posix_resolve_fn resolve;
    void *resolve_user;
    sioc_http_transport transport; /* this backend as a transport (user = this struct) */
    int fd[SIOC_POSIX_MAX_CONNS];  /* -1 when closed */
} sioc_posix;

/* Attach to a client (which must outlive it). `resolve` NULL: sioc_posix_resolve (getaddrinfo, blocking).
   SIOC_ERR_LIMIT when the client has more connection slots than SIOC_POSIX_MAX_CONNS. */
SIOC_API SIOC_NODISCARD sioc_result sioc_posix_init(sioc_posix *px, sioc_http_client *client,
                                                    sioc_posix_resolve_fn resolve, void *resolve_user);
/* Close every socket still open. */
SIOC_API void sioc_posix_free(sioc_posix *px);
/* One non-blocking pass (sioc_http_drive over these sockets): connects, sends, receives, timers. */
SIOC_API sioc_result sioc_posix_step(sioc_posix *px, uint64_t now_ms);

/* A descriptor and what to wait for: SIOC_HTTP_WANT_READ -> readable, WANT_WRITE / WANT_CONNECT -> writable. */
typedef struct sioc_posix_fd {
    int fd;
    unsigned wants;
} sioc_posix_fd;
/* The open sockets (up to cap); returns how many were written. */
SIOC_API size_t sioc_posix_fds(const sioc_posix *px, sioc_posix_fd *out, size_t cap);
/* Block in poll() until a socket is ready, the client's next deadline, or max_wait_ms (whichever is first);
   returns at once while finished responses wait for sioc_http_next_response(). */
SIOC_API sioc_result sioc_posix_wait(sioc_posix *px, uint64_t now_ms, uint32_t max_wait_ms);
/* step, wait up to max_wait_ms, step again; with the monotonic clock below. */
SIOC_API sioc_result sioc_posix_run(sioc_posix *px, uint32_t max_wait_ms);

/* An engine desc with what a TLS build needs and the caller left empty: random from /dev/urandom and utc_now from
   time(), so https works without configuration (the AWS and Azure clients apply it for you). */
SIOC_API sioc_http_client_desc sioc_posix_http_defaults(const sioc_http_client_desc *desc);

/* Clocks and randomness for descs: CLOCK_MONOTONIC in ms, time() in s, and /dev/urandom. */
SIOC_API uint64_t sioc_posix_now_ms(void);
SIOC_API int64_t sioc_posix_utc_now(void *user);
SIOC_API sioc_result sioc_posix_random(void *user, void *buf, size_t len);
/* getaddrinfo(): the first address found. BLOCKS during DNS. Numeric addresses need no lookup; with
   SIOC_POSIX_GETADDRINFO 0 they are all it accepts (SIOC_ERR_UNSUPPORTED for names). */
SIOC_API sioc_result sioc_posix_resolve(void *user, const char *host, uint16_t port, sioc_posix_addr *out);
/* Numeric "127.0.0.1" or "::1" into an address (no DNS); SIOC_ERR_ARG when it is not one. */
SIOC_API SIOC_NODISCARD sioc_result sioc_posix_addr_parse(const char *text, sioc_posix_addr *out);

#endif /* SIOC_ENABLE_POSIX */
/* ---- src/sigv4.h ---- */
/* ---- sigv4: AWS Signature Version 4 request signing ----
   Pure functions over caller memory: no allocation, no clock (the caller passes the time), no global state. The
   canonical request and string to sign are streamed straight into SHA-256/HMAC, so signing needs no scratch
   buffer; the optional sioc_sigv4_canonical_request / sioc_sigv4_string_to_sign calls write them out for tests.
   Rules: AWS General Reference, "Create a signed AWS API request" (SigV4), non-S3 variant: the path is normalised
   (".", ".." and empty segments removed) and each segment of the path *as sent* is percent-encoded once more. */

#ifndef SIOC_SIGV4_MAX_HEADERS
#define SIOC_SIGV4_MAX_HEADERS 32 /* signed headers per request, including the ones the signer adds */
#endif
#ifndef SIOC_SIGV4_MAX_QUERY
#define SIOC_SIGV4_MAX_QUERY 64 /* query parameters per request */
#endif
#ifndef SIOC_SIGV4_MAX_SEGMENTS
#define SIOC_SIGV4_MAX_SEGMENTS 32 /* path segments kept after normalisation */
#endif

/* A header or query parameter: name and value views (not NUL-terminated). */
typedef struct sioc_sigv4_pair {
    sioc_str name;
    sioc_str value;
} sioc_sigv4_pair;

/* Access keys. The views must stay valid while signing; they are never logged or copied into error text.
   session_token is empty for long-term keys; with temporary keys it is sent and signed as X-Amz-Security-Token. */
typedef struct sioc_sigv4_credentials {
    sioc_str access_key_id;
    sioc_str secret_access_key;
    sioc_str session_token;
} sioc_sigv4_credentials;

/* Flags for sioc_sigv4_params.flags. */
#define SIOC_SIGV4_ADD_CONTENT_SHA256 1u /* also sign x-amz-content-sha256 (not required by SNS/SQS) */
#define SIOC_SIGV4_UNSIGNED_TOKEN 2u     /* leave X-Amz-Security-Token out of the signature (test suite only) */

/* Who signs, for where and when. region and service are lower-case ("us-east-1", "sns"). */
typedef struct sioc_sigv4_params {
    sioc_sigv4_credentials creds;
    sioc_str region;
    sioc_str service;
    int64_t unix_time; /* seconds since 1970-01-01 UTC, years 1970..9999 */
    unsigned flags;
} sioc_sigv4_params;

/* The request as it will be sent. Every header listed is signed (Host is required, exactly as sent, with the
   port when it is not the scheme's default); repeated names are joined with ',' in order. The signer adds
   x-amz-date, x-amz-security-token (with a session token) and x-amz-content-sha256 (when flagged) itself: they must
   not be in `headers`. */
typedef struct sioc_sigv4_request {
    sioc_str method;                 /* "POST" */
    sioc_str path;                   /* path as sent, without the query ("" counts as "/") */
    const sioc_sigv4_pair *query;    /* decoded query parameters, any order (encoded and sorted by the signer) */
    size_t query_count;
    const sioc_sigv4_pair *headers;
    size_t header_count;
    sioc_bytes payload;              /* the body */
    const char *payload_hash;        /* optional: 64 lower-case hex digits of SHA-256(payload); NULL to compute */
} sioc_sigv4_request;

/* Cache of the derived signing key for one (key id, secret, day, region, service), so a steady stream of
   requests costs one HMAC-SHA256 chain per day instead of one per request. Zero-initialise it; keep one per
   (region, service). It holds key material: wipe it (memset) when done with the credentials. */
typedef struct sioc_sigv4_key_cache {
    uint8_t id[SIOC_SHA256_LEN]; /* SHA-256 fingerprint of what the key was derived from */
    sioc_hmac_sha256_ctx mac;    /* HMAC already keyed with the signing key */
    uint8_t valid;
} sioc_sigv4_key_cache;

/* What the caller adds to the request besides Authorization. */
typedef struct sioc_sigv4_result {
    char amz_date[17];     /* X-Amz-Date value, "YYYYMMDDTHHMMSSZ", NUL-terminated */
    char payload_hash[65]; /* lower-case hex SHA-256 of the payload (the X-Amz-Content-Sha256 value) */
    char signature[65];    /* lower-case hex signature */
} sioc_sigv4_result;

/* Sign: fills *out and appends the Authorization header *value* ("AWS4-HMAC-SHA256 Credential=..., SignedHeaders=
   ..., Signature=...") to `authorization`. `cache` may be NULL. Returns SIOC_OK, SIOC_ERR_ARG (missing Host or
   credentials, bad characters in a header name/value, region or service, a header the signer owns),
   SIOC_ERR_LIMIT (more headers, query parameters or path segments than the SIOC_SIGV4_MAX_* limits),
   SIOC_ERR_RANGE (time outside 1970..9999) or the buffer's error. */
SIOC_API SIOC_NODISCARD sioc_result sioc_sigv4_sign(const sioc_sigv4_params *p, const sioc_sigv4_request *req,
                                                     sioc_sigv4_key_cache *cache, sioc_buf *authorization,
                                                     sioc_sigv4_result *out);

/* The canonical request and the string to sign, written out (for tests and debugging; no secret involved). */
SIOC_API SIOC_NODISCARD sioc_result sioc_sigv4_canonical_request(const sioc_sigv4_params *p,
                                                                  const sioc_sigv4_request *req, sioc_buf *out);
SIOC_API SIOC_NODISCARD sioc_result sioc_sigv4_string_to_sign(const sioc_sigv4_params *p,
                                                               const sioc_sigv4_request *req, sioc_buf *out);

/* The derived signing key HMAC(HMAC(HMAC(HMAC("AWS4"+secret, yyyymmdd), region), service), "aws4_request"). */
SIOC_API void sioc_sigv4_signing_key(sioc_str secret, const char yyyymmdd[8], sioc_str region, sioc_str service,
                                     uint8_t out[SIOC_SHA256_LEN]);

/* Unix time to "YYYYMMDDTHHMMSSZ" (+ NUL). SIOC_ERR_RANGE outside years 1970..9999. */
SIOC_API SIOC_NODISCARD sioc_result sioc_sigv4_format_date(int64_t unix_time, char out[17]);
/* An HTTP Date header in IMF-fixdate form ("Mon, 23 Nov 2026 05:47:55 GMT", RFC 9110 section 5.6.7) to Unix
   time, for clock-skew correction. SIOC_ERR_PARSE on any other form or an impossible date. */
SIOC_API SIOC_NODISCARD sioc_result sioc_sigv4_parse_http_date(sioc_str text, int64_t *out_unix_time);
/* ---- src/aws.h ---- */
/* ---- aws: SNS (Query protocol) and SQS (AWS JSON 1.0), as the cluster transport uses them ----
   Three layers, each usable alone:
     1. Request bodies (sioc_sns_write_*, sioc_sqs_write_*): pure writers into a sioc_buf, byte-identical to what the
        AWS SDK for JavaScript sends (docs: docs/AWS.md section 3; checked against captured SDK traffic).
     2. Reply parsers (sioc_sns_parse_*, sioc_sqs_parse_*): pure readers of SNS XML and SQS JSON replies, including
        error replies. Strings come back as views into the reply, or into a caller `scratch` buffer when they had
        to be decoded (XML references, JSON escapes, base64): a scratch as large as the reply is always enough.
     3. sioc_aws_client: signs requests (SigV4) and runs them on the HTTP engine, corrects the clock once when AWS
        says it is skewed (unless SIOC_ENABLE_SKEW_CORRECTION 0), and classifies errors. Request and reply memory
        belong to the caller (sioc_aws_call).
   Nothing here allocates except sioc_aws_client_init (through the HTTP engine). Secrets never reach log lines
   or error text. */

#if SIOC_ENABLE_AWS

#ifndef SIOC_AWS_MAX_ATTRS
#define SIOC_AWS_MAX_ATTRS 10 /* message attributes per message (the service limit) */
#endif
#define SIOC_AWS_MAX_BATCH 10            /* entries per PublishBatch / DeleteMessageBatch (service limit) */
#define SIOC_AWS_MAX_MESSAGE_SIZE 262144 /* SNS: body + attribute names, types and values (256 KiB) */
#define SIOC_AWS_SNS_VERSION "2010-03-31"

/* ---- common types ---- */

typedef enum sioc_aws_attr_type {
    SIOC_AWS_ATTR_STRING = 0, /* DataType "String": value is UTF-8 text */
    SIOC_AWS_ATTR_BINARY = 1, /* DataType "Binary": value is raw bytes (base64 on the wire) */
    SIOC_AWS_ATTR_NUMBER = 2  /* DataType "Number": value is the decimal text */
} sioc_aws_attr_type;

/* A message attribute. Views; for parsed messages they point into the reply or the scratch buffer. */
typedef struct sioc_aws_attr {
    sioc_str name;
    sioc_aws_attr_type type;
    sioc_bytes value;
} sioc_aws_attr;

/* A key/value pair: tags, queue attributes. */
typedef struct sioc_aws_kv {
    sioc_str key;
    sioc_str value;
} sioc_aws_kv;

/* An error reply, copied into fixed arrays (truncated on a UTF-8 boundary; always NUL-terminated). */
typedef struct sioc_aws_error {
    int status;           /* HTTP status */
    char code[64];        /* "NotFound", "QueueDoesNotExist", "Throttling", ... ("" when the reply had none) */
    char message[192];    /* the service's text */
    char request_id[64];
    char legacy_code[64]; /* SQS: the code of the x-amzn-query-error header ("AWS.SimpleQueueService....") */
    int sender_fault;     /* 1: Type "Sender" (the request was wrong), 0: Receiver or unknown */
} sioc_aws_error;

/* Size that counts against SIOC_AWS_MAX_MESSAGE_SIZE: the message plus every attribute's name, data type and
   value (Binary: raw bytes). */
SIOC_API size_t sioc_aws_message_size(sioc_str message, const sioc_aws_attr *attrs, size_t n_attrs);

/* ---- 1. SNS request bodies (application/x-www-form-urlencoded; values RFC 3986-encoded) ----
   Each appends to `out` and returns sioc_buf_result(out), or SIOC_ERR_ARG (empty required field, bad attribute),
   SIOC_ERR_LIMIT (more than SIOC_AWS_MAX_ATTRS attributes or SIOC_AWS_MAX_BATCH entries) or SIOC_ERR_TOO_LARGE
   (a message over SIOC_AWS_MAX_MESSAGE_SIZE, checked before anything is written). */

/* Action=CreateTopic&Version=2010-03-31&Name=...[&Tags.member.N.Key=...&Tags.member.N.Value=...] */
SIOC_API SIOC_NODISCARD sioc_result sioc_sns_write_create_topic(sioc_buf *out, sioc_str name, const sioc_aws_kv *tags,
                                                                 size_t n_tags);
/* Subscribe the queue `queue_arn` (Protocol=sqs) with RawMessageDelivery=true; a non-empty filter_policy (JSON
   text) adds FilterPolicyScope=MessageAttributes and FilterPolicy (docs/AWS.md section 6). */
SIOC_API SIOC_NODISCARD sioc_result sioc_sns_write_subscribe(sioc_buf *out, sioc_str topic_arn, sioc_str queue_arn,
                                                              sioc_str filter_policy);
/* Publish: Message, TopicArn, MessageAttributes.entry.N.* in the given order. */
SIOC_API SIOC_NODISCARD sioc_result sioc_sns_write_publish(sioc_buf *out, sioc_str topic_arn, sioc_str message,
                                                            const sioc_aws_attr *attrs, size_t n_attrs);

/* One PublishBatch entry; `id` must be unique in the batch (1-80 of A-Z a-z 0-9 _ -). */
typedef struct sioc_sns_batch_entry {
    sioc_str id;
    sioc_str message;
    const sioc_aws_attr *attrs;
    size_t n_attrs;
} sioc_sns_batch_entry;

/* PublishBatch of 1..10 entries; each entry and the batch as a whole must fit SIOC_AWS_MAX_MESSAGE_SIZE. */
SIOC_API SIOC_NODISCARD sioc_result sioc_sns_write_publish_batch(sioc_buf *out, sioc_str topic_arn,
                                                                  const sioc_sns_batch_entry *entries, size_t n);
/* Re-sending what a PublishBatch reply listed as failed: keeps, in a body written by sioc_sns_write_publish_batch,
   only the entries whose Id is one of `ids`, renumbered from 1 (in place: the body only shrinks). The Ids stay,
   so the next reply still names the original entries. SIOC_ERR_NOT_FOUND when no entry is kept (the body is
   then unchanged), SIOC_ERR_PROTOCOL when `body` is not such a body. */
SIOC_API SIOC_NODISCARD sioc_result sioc_sns_publish_batch_retain(sioc_buf *body, const sioc_str *ids, size_t n_ids);
SIOC_API SIOC_NODISCARD sioc_result sioc_sns_write_unsubscribe(sioc_buf *out, sioc_str subscription_arn);
/* next_token empty for the first page. */
SIOC_API SIOC_NODISCARD sioc_result sioc_sns_write_list_subscriptions_by_topic(sioc_buf *out, sioc_str topic_arn,
                                                                                sioc_str next_token);

/* ---- 1. SQS request bodies (application/x-amz-json-1.0; X-Amz-Target: AmazonSQS.<Op>) ---- */

/* {"QueueName":...[,"Attributes":{...}][,"tags":{...}]} */
SIOC_API SIOC_NODISCARD sioc_result sioc_sqs_write_create_queue(sioc_buf *out, sioc_str name,
                                                                 const sioc_aws_kv *attrs, size_t n_attrs,
                                                                 const sioc_aws_kv *tags, size_t n_tags);
/* {"QueueUrl":...,"AttributeNames":[...]} */
SIOC_API SIOC_NODISCARD sioc_result sioc_sqs_write_get_queue_attributes(sioc_buf *out, sioc_str queue_url,
                                                                         const sioc_str *names, size_t n);
/* {"QueueUrl":...,"Attributes":{...}} */
SIOC_API SIOC_NODISCARD sioc_result sioc_sqs_write_set_queue_attributes(sioc_buf *out, sioc_str queue_url,
                                                                         const sioc_aws_kv *attrs, size_t n);
/* The queue policy that lets `topic_arn` send to `queue_arn` (docs/AWS.md section 5), as JSON text. ARNs must be
   printable ASCII without '"' or '\' (SIOC_ERR_ARG). */
SIOC_API SIOC_NODISCARD sioc_result sioc_sqs_write_policy(sioc_buf *out, sioc_str queue_arn, sioc_str topic_arn);
/* SetQueueAttributes with exactly that policy as the "Policy" attribute (byte-identical to the Node adapter). */
SIOC_API SIOC_NODISCARD sioc_result sioc_sqs_write_set_queue_policy(sioc_buf *out, sioc_str queue_url,
                                                                     sioc_str queue_arn, sioc_str topic_arn);
/* {"QueueUrl":...,"MessageAttributeNames":["All"],"MaxNumberOfMessages":max,"WaitTimeSeconds":wait}.
   SIOC_ERR_RANGE unless 1 <= max <= 10 and 0 <= wait <= 20. */
SIOC_API SIOC_NODISCARD sioc_result sioc_sqs_write_receive_message(sioc_buf *out, sioc_str queue_url,
                                                                    int max_messages, int wait_seconds);

/* One DeleteMessageBatch entry: the message's MessageId serves as `id`. */
typedef struct sioc_sqs_delete_entry {
    sioc_str id;
    sioc_str receipt_handle;
} sioc_sqs_delete_entry;

/* {"QueueUrl":...,"Entries":[{"Id":...,"ReceiptHandle":...},...]} with 1..10 entries. */
SIOC_API SIOC_NODISCARD sioc_result sioc_sqs_write_delete_message_batch(sioc_buf *out, sioc_str queue_url,
                                                                         const sioc_sqs_delete_entry *entries,
                                                                         size_t n);
/* {"QueueUrl":...} for DeleteQueue and ListQueueTags. */
SIOC_API SIOC_NODISCARD sioc_result sioc_sqs_write_queue_url(sioc_buf *out, sioc_str queue_url);
/* {["QueueNamePrefix":...][,"NextToken":...][,"MaxResults":n]} (empty views and 0 leave a field out). */
SIOC_API SIOC_NODISCARD sioc_result sioc_sqs_write_list_queues(sioc_buf *out, sioc_str prefix, sioc_str next_token,
                                                                int max_results);
/* {"QueueUrl":...,"MessageBody":...[,"MessageAttributes":{...}]} (not used by the cluster; handy in tests). */
SIOC_API SIOC_NODISCARD sioc_result sioc_sqs_write_send_message(sioc_buf *out, sioc_str queue_url, sioc_str body,
                                                                 const sioc_aws_attr *attrs, size_t n_attrs);

/* ---- 2. SNS replies (XML) ----
   Each takes the whole reply body. SIOC_ERR_PARSE / SIOC_ERR_UNSUPPORTED / SIOC_ERR_LIMIT for malformed XML,
   SIOC_ERR_NOT_FOUND when the expected element is missing (an error reply, or another operation's reply),
   SIOC_ERR_BUFFER_TOO_SMALL when scratch is too small (one as large as the reply always suffices; scratch may be
   NULL when no field needs decoding). */

SIOC_API SIOC_NODISCARD sioc_result sioc_sns_parse_create_topic(const char *xml, size_t len, sioc_buf *scratch,
                                                                 sioc_str *out_topic_arn);
SIOC_API SIOC_NODISCARD sioc_result sioc_sns_parse_subscribe(const char *xml, size_t len, sioc_buf *scratch,
                                                              sioc_str *out_subscription_arn);
SIOC_API SIOC_NODISCARD sioc_result sioc_sns_parse_publish(const char *xml, size_t len, sioc_buf *scratch,
                                                            sioc_str *out_message_id);
/* SIOC_OK when the reply is an UnsubscribeResponse. */
SIOC_API SIOC_NODISCARD sioc_result sioc_sns_parse_unsubscribe(const char *xml, size_t len);

/* One entry of a batch reply (PublishBatch or DeleteMessageBatch). */
typedef struct sioc_aws_batch_item {
    sioc_str id;
    sioc_str message_id; /* PublishBatch successes */
    sioc_str code;       /* failures */
    sioc_str message;    /* failures */
    int failed;
    int sender_fault;
} sioc_aws_batch_item;

/* Successes first, then failures, in reply order. Check `failed` even when the HTTP status is 200. */
typedef struct sioc_aws_batch_result {
    sioc_aws_batch_item items[SIOC_AWS_MAX_BATCH];
    size_t count;
    size_t failed;
} sioc_aws_batch_result;

/* SIOC_ERR_LIMIT when the reply lists more than SIOC_AWS_MAX_BATCH entries. */
SIOC_API SIOC_NODISCARD sioc_result sioc_sns_parse_publish_batch(const char *xml, size_t len, sioc_buf *scratch,
                                                                  sioc_aws_batch_result *out);

typedef struct sioc_sns_subscription {
    sioc_str subscription_arn; /* "PendingConfirmation" for unconfirmed ones */
    sioc_str owner;
    sioc_str protocol;
    sioc_str endpoint;
    sioc_str topic_arn;
} sioc_sns_subscription;

/* Up to `cap` subscriptions (*out_count = the number in the reply; SIOC_ERR_BUFFER_TOO_SMALL when more than cap)
   and the NextToken (empty on the last page). */
SIOC_API SIOC_NODISCARD sioc_result sioc_sns_parse_list_subscriptions(const char *xml, size_t len, sioc_buf *scratch,
                                                                       sioc_sns_subscription *out, size_t cap,
                                                                       size_t *out_count, sioc_str *out_next_token);
/* <ErrorResponse><Error><Type/><Code/><Message/></Error><RequestId/></ErrorResponse> into *out (status kept). */
SIOC_API SIOC_NODISCARD sioc_result sioc_sns_parse_error(const char *xml, size_t len, sioc_aws_error *out);

/* ---- 2. SQS replies (JSON; parse the body with sioc_json_parse first) ----
   Unknown keys are ignored and any key order is accepted. SIOC_ERR_NOT_FOUND / SIOC_ERR_TYPE when a required
   key is missing or has another type, SIOC_ERR_BUFFER_TOO_SMALL when scratch is too small (one as large as the
   reply always suffices). Views stay valid while the reply text and scratch do. */

SIOC_API SIOC_NODISCARD sioc_result sioc_sqs_parse_create_queue(const sioc_json *doc, sioc_buf *scratch,
                                                                 sioc_str *out_queue_url);
/* One attribute of a GetQueueAttributes reply, e.g. "QueueArn". */
SIOC_API SIOC_NODISCARD sioc_result sioc_sqs_parse_queue_attribute(const sioc_json *doc, const char *name,
                                                                    sioc_buf *scratch, sioc_str *out_value);

/* A received message. Binary attribute values are decoded from base64 into scratch. */
typedef struct sioc_sqs_message {
    sioc_str message_id;
    sioc_str receipt_handle;
    sioc_str body;
    sioc_str md5_of_body;
    sioc_str md5_of_attrs; /* empty when the message has no attributes */
    sioc_aws_attr attrs[SIOC_AWS_MAX_ATTRS];
    size_t attr_count;
} sioc_sqs_message;

/* ReceiveMessage: up to `cap` messages (an empty reply "{}" gives 0). *out_count = messages in the reply
   (SIOC_ERR_BUFFER_TOO_SMALL when more than cap); SIOC_ERR_LIMIT for more than SIOC_AWS_MAX_ATTRS attributes;
   SIOC_ERR_PARSE for bad base64 or an unknown DataType. */
SIOC_API SIOC_NODISCARD sioc_result sioc_sqs_parse_receive_message(const sioc_json *doc, sioc_buf *scratch,
                                                                    sioc_sqs_message *out, size_t cap,
                                                                    size_t *out_count);
/* One element of that reply's "Messages" array (token `tok` of doc, e.g. from sioc_json_first / _next), read as
   above: for a reader that takes the messages one by one, so that a bad one does not hide the good ones.
   SIOC_ERR_TYPE when tok is not an object. */
SIOC_API SIOC_NODISCARD sioc_result sioc_sqs_parse_message(const sioc_json *doc, int tok, sioc_buf *scratch,
                                                            sioc_sqs_message *out);
/* DeleteMessageBatch: Successful [{Id}] and Failed [{Id, SenderFault, Code, Message}]. */
SIOC_API SIOC_NODISCARD sioc_result sioc_sqs_parse_batch(const sioc_json *doc, sioc_buf *scratch,
                                                          sioc_aws_batch_result *out);
/* ListQueues: QueueUrls (up to cap; *out_count = all) and NextToken (empty when absent). */
SIOC_API SIOC_NODISCARD sioc_result sioc_sqs_parse_list_queues(const sioc_json *doc, sioc_buf *scratch,
                                                                sioc_str *out_urls, size_t cap, size_t *out_count,
                                                                sioc_str *out_next_token);
/* ListQueueTags: {"Tags":{k:v,...}} (absent Tags gives 0). */
SIOC_API SIOC_NODISCARD sioc_result sioc_sqs_parse_list_queue_tags(const sioc_json *doc, sioc_buf *scratch,
                                                                    sioc_aws_kv *out, size_t cap,
                                                                    size_t *out_count);
/* {"__type":"com.amazonaws.sqs#QueueDoesNotExist","message":"..."}: code = text after '#' (and before any ':'),
   message from "message" or "Message". `query_error` is the x-amzn-query-error header ("Code;Sender"), or empty. */
SIOC_API SIOC_NODISCARD sioc_result sioc_sqs_parse_error(const char *json, size_t len, sioc_str query_error,
                                                          sioc_aws_error *out);

/* ---- 3. the client ---- */

typedef enum sioc_aws_service { SIOC_AWS_SNS = 0, SIOC_AWS_SQS = 1 } sioc_aws_service;

/* A parsed endpoint URL. */
typedef struct sioc_aws_endpoint {
    char host[SIOC_HTTP_MAX_HOST + 1];
    uint16_t port;
    int tls;
} sioc_aws_endpoint;

/* "http[s]://host[:port][/]" -> endpoint. SIOC_ERR_ARG for anything else (a path, user info, a query, bad port),
   SIOC_ERR_UNSUPPORTED for an IPv6 literal. */
SIOC_API SIOC_NODISCARD sioc_result sioc_aws_endpoint_parse(const char *url, sioc_aws_endpoint *out);
/* The regional endpoint https://<service>.<region>.amazonaws.com (".amazonaws.com.cn" for cn-* regions). */
SIOC_API SIOC_NODISCARD sioc_result sioc_aws_endpoint_default(sioc_aws_service svc, const char *region,
                                                               sioc_aws_endpoint *out);

/* The headers to send with one signed request, ready for the HTTP engine. Host and Content-Length are the
   engine's; `host` here is the exact Host value that was signed. */
typedef struct sioc_aws_signed {
    sioc_http_header headers[5]; /* content-type, [x-amz-target], x-amz-date, [x-amz-security-token], authorization */
    size_t count;
    char amz_date[17];
    char target[48];             /* "AmazonSQS.<Op>" */
    char host[SIOC_HTTP_MAX_HOST + 8];
    char authorization[640];
} sioc_aws_signed;

/* Sign one POST / request: `op` is the SQS operation name (X-Amz-Target), ignored for SNS (the action is in the
   body). Pure: the time comes in as unix_time; cache may be NULL. */
SIOC_API SIOC_NODISCARD sioc_result sioc_aws_sign(sioc_aws_signed *out, sioc_aws_service svc, const char *op,
                                                  const sioc_aws_endpoint *ep, const char *region,
                                                  const sioc_sigv4_credentials *creds, sioc_bytes body,
                                                  int64_t unix_time, sioc_sigv4_key_cache *cache);

typedef struct sioc_aws_desc {
    const char *region;                  /* required, e.g. "us-east-1"; both services are signed for it (copied) */
    sioc_sigv4_credentials credentials;  /* borrowed: must outlive the client (or sioc_aws_set_credentials) */
    const char *sns_endpoint;            /* NULL: the regional AWS endpoint; "http://127.0.0.1:4566" for emulators
                                            (parsed at init, not kept) */
    const char *sqs_endpoint;            /* ignored by a publish-only build (SIOC_ENABLE_RECEIVE 0) */
    int64_t (*utc_now)(void *user);      /* required: wall-clock seconds since 1970 (X-Amz-Date) */
    void *user;
    sioc_http_client_desc http;          /* the engine's settings (its allocator and logger are used here too) */
    uint32_t timeout_ms;                 /* 0 -> 30000: default per-request deadline */
    int publish_at_most_once;            /* 1: never re-send a Publish whose connection died (may lose it) */
} sioc_aws_desc;

typedef struct sioc_aws_stats {
    uint64_t calls, ok, errors, skew_retries, publish_resends;
} sioc_aws_stats;

typedef struct sioc_aws_client {
    sioc_http_client http;       /* drive it with sioc_http_drive() or the sioc_http_conn_* calls */
    sioc_aws_stats stats;
    int64_t clock_offset_s;      /* added to utc_now(): corrected from a server Date on a skew error */
    char detail[SIOC_DETAIL_SIZE]; /* why sioc_aws_client_init() failed, naming the field */
    /* private */
    sioc_aws_desc p_desc;
    char p_region[48];
    sioc_aws_endpoint p_ep[2];
    int p_http_ep[2];
    sioc_sigv4_key_cache p_keys[2];
    sioc_http_calls p_calls; /* in flight, and finished not yet collected */
} sioc_aws_client;

/* Start: parse the endpoints and set up the HTTP engine (all its memory is taken here). SIOC_ERR_ARG (no region,
   no credentials, bad endpoint), SIOC_ERR_DEPENDENCY (no utc_now; an https endpoint in a build without TLS), or the
   engine's errors; c->detail says which field ("sqs_endpoint \"ftp://x\": expected http[s]://host[:port]"). */
SIOC_API SIOC_NODISCARD sioc_result sioc_aws_client_init(sioc_aws_client *c, const sioc_aws_desc *desc);
SIOC_API void sioc_aws_client_free(sioc_aws_client *c);
/* Replace the credentials (rotation of temporary keys); views borrowed as in the desc. */
SIOC_API void sioc_aws_set_credentials(sioc_aws_client *c, const sioc_sigv4_credentials *creds);

/* One call. The caller owns it and its memory, sets the first block, and keeps all of it in place until the call
   comes back from sioc_aws_next(). */
typedef struct sioc_aws_call {
    void *body_mem;       /* the request body is written here by the sioc_aws_* starters (sioc_aws_submit: the
                             caller wrote it) */
    size_t body_cap;
    void *reply_mem;      /* the reply body lands here */
    size_t reply_cap;
    size_t reply_keep_tail; /* a reply over reply_cap keeps its last bytes here (SIOC_ERR_BUFFER_TOO_SMALL with
                               reply_tail_len set): the receipt handle of a message too large to read */
    uint32_t timeout_ms;  /* 0: the client default (ReceiveMessage: its wait time + 10 s at least) */
    void *user;
    /* results, valid when sioc_aws_next() hands the call back */
    sioc_result result;   /* SIOC_OK for 2xx; SIOC_ERR_NOT_FOUND (NotFound, QueueDoesNotExist),
                             SIOC_ERR_THROTTLED, SIOC_ERR_AUTH, SIOC_ERR_SERVER (5xx), SIOC_ERR_HTTP_STATUS (other),
                             SIOC_ERR_BUFFER_TOO_SMALL (reply over reply_cap), or the transport's error */
    int status;           /* HTTP status, 0 without a reply */
    sioc_bytes reply;     /* the reply body (in reply_mem) */
    size_t reply_tail_len; /* reply over reply_cap with reply_keep_tail: reply ends with the real end's last bytes */
    sioc_aws_error error; /* filled for error replies */
    int skew_retried;     /* 1 when the call was re-signed after a clock-skew error */
    int resent;           /* 1 when the engine re-sent it after a dead keep-alive connection */
    char detail[SIOC_DETAIL_SIZE]; /* a failure in words: "SQS ReceiveMessage: cannot connect to 127.0.0.1:1:
                                      connection refused", "SNS Publish: HTTP 403 InvalidClientTokenId: ..."
                                      ("" on success); also set when a starter refuses the call */
    /* private */
    size_t p_body_len;
    sioc_http_call p_track;
    uint32_t p_timeout;
    uint8_t p_service, p_idempotent;
    char p_op[32];

} sioc_aws_call;

/* Sign and queue a call whose body the caller already wrote into call->body_mem (body_len bytes). `op` is the
   operation name ("Publish", "ReceiveMessage", ...). SIOC_ERR_STATE when the call is already in flight. */
SIOC_API SIOC_NODISCARD sioc_result sioc_aws_submit(sioc_aws_client *c, sioc_aws_call *call, sioc_aws_service svc,
                                                    const char *op, size_t body_len, uint64_t now_ms);

/* Starters: write the body into call->body_mem (errors of the matching writer, e.g. SIOC_ERR_TOO_LARGE), then
   submit. Parse the reply with the matching sioc_sns_parse_* / sioc_sqs_parse_* call. With SIOC_ENABLE_RECEIVE 0
   (a publish-only build) SQS calls are refused: SIOC_ERR_UNSUPPORTED, call->detail says why. */
SIOC_API SIOC_NODISCARD sioc_result sioc_aws_sns_create_topic(sioc_aws_client *c, sioc_aws_call *call, sioc_str name,
                                                              const sioc_aws_kv *tags, size_t n_tags, uint64_t now_ms);
SIOC_API SIOC_NODISCARD sioc_result sioc_aws_sns_subscribe(sioc_aws_client *c, sioc_aws_call *call, sioc_str topic_arn,
                                                           sioc_str queue_arn, sioc_str filter_policy, uint64_t now_ms);
SIOC_API SIOC_NODISCARD sioc_result sioc_aws_sns_publish(sioc_aws_client *c, sioc_aws_call *call, sioc_str topic_arn,
                                                         sioc_str message, const sioc_aws_attr *attrs, size_t n_attrs,
                                                         uint64_t now_ms);
SIOC_API SIOC_NODISCARD sioc_result sioc_aws_sns_publish_batch(sioc_aws_client *c, sioc_aws_call *call,
                                                               sioc_str topic_arn, const sioc_sns_batch_entry *entries,
                                                               size_t n, uint64_t now_ms);
SIOC_API SIOC_NODISCARD sioc_result sioc_aws_sns_unsubscribe(sioc_aws_client *c, sioc_aws_call *call,
                                                             sioc_str subscription_arn, uint64_t now_ms);
SIOC_API SIOC_NODISCARD sioc_result sioc_aws_sns_list_subscriptions_by_topic(sioc_aws_client *c, sioc_aws_call *call,
                                                                              sioc_str topic_arn, sioc_str next_token,
                                                                              uint64_t now_ms);
SIOC_API SIOC_NODISCARD sioc_result sioc_aws_sqs_create_queue(sioc_aws_client *c, sioc_aws_call *call, sioc_str name,
                                                              const sioc_aws_kv *attrs, size_t n_attrs,
                                                              const sioc_aws_kv *tags, size_t n_tags, uint64_t now_ms);
SIOC_API SIOC_NODISCARD sioc_result sioc_aws_sqs_get_queue_attributes(sioc_aws_client *c, sioc_aws_call *call,
                                                                      sioc_str queue_url, const sioc_str *names,
                                                                      size_t n, uint64_t now_ms);
SIOC_API SIOC_NODISCARD sioc_result sioc_aws_sqs_set_queue_policy(sioc_aws_client *c, sioc_aws_call *call,
                                                                  sioc_str queue_url, sioc_str queue_arn,
                                                                  sioc_str topic_arn, uint64_t now_ms);
SIOC_API SIOC_NODISCARD sioc_result sioc_aws_sqs_receive_message(sioc_aws_client *c, sioc_aws_call *call,
                                                                 sioc_str queue_url, int max_messages,
                                                                 int wait_seconds, uint64_t now_ms);
SIOC_API SIOC_NODISCARD sioc_result sioc_aws_sqs_delete_message_batch(sioc_aws_client *c, sioc_aws_call *call,
                                                                      sioc_str queue_url,
                                                                      const sioc_sqs_delete_entry *entries, size_t n,
                                                                      uint64_t now_ms);
SIOC_API SIOC_NODISCARD sioc_result sioc_aws_sqs_delete_queue(sioc_aws_client *c, sioc_aws_call *call,
                                                              sioc_str queue_url, uint64_t now_ms);
SIOC_API SIOC_NODISCARD sioc_result sioc_aws_sqs_list_queues(sioc_aws_client *c, sioc_aws_call *call, sioc_str prefix,
                                                             sioc_str next_token, int max_results, uint64_t now_ms);
SIOC_API SIOC_NODISCARD sioc_result sioc_aws_sqs_list_queue_tags(sioc_aws_client *c, sioc_aws_call *call,
                                                                 sioc_str queue_url, uint64_t now_ms);
SIOC_API SIOC_NODISCARD sioc_result sioc_aws_sqs_send_message(sioc_aws_client *c, sioc_aws_call *call,
                                                              sioc_str queue_url, sioc_str body,
                                                              const sioc_aws_attr *attrs, size_t n_attrs,
                                                              uint64_t now_ms);

/* Collect finished calls: drains the engine's responses (which also returns its connections to the pool),
   re-signs and re-queues a call once after a clock-skew error (SIOC_ENABLE_SKEW_CORRECTION), classifies errors.
   SIOC_OK with *out set to a finished call (it is the caller's again), or SIOC_AGAIN when none is ready. Call it
   after driving the engine, until SIOC_AGAIN. */
SIOC_API sioc_result sioc_aws_next(sioc_aws_client *c, uint64_t now_ms, sioc_aws_call **out);
/* 1 when a finished call waits for sioc_aws_next() without any new byte (for deadlines: call it now). */
SIOC_API int sioc_aws_has_finished(const sioc_aws_client *c);
/* Give up on a call in flight (its memory is no longer referenced). SIOC_ERR_NOT_FOUND when it is not in flight. */
SIOC_API sioc_result sioc_aws_cancel(sioc_aws_client *c, sioc_aws_call *call);

#if SIOC_ENABLE_POSIX
/* Fill region, credentials and endpoints of *desc from the standard environment variables: AWS_REGION (or
   AWS_DEFAULT_REGION), AWS_ACCESS_KEY_ID, AWS_SECRET_ACCESS_KEY, AWS_SESSION_TOKEN, and AWS_ENDPOINT_URL_SNS /
   AWS_ENDPOINT_URL_SQS (each falling back to AWS_ENDPOINT_URL). Fields already set are kept; the views point into
   the environment. SIOC_ERR_NOT_FOUND when region or keys are still missing afterwards. */
SIOC_API SIOC_NODISCARD sioc_result sioc_aws_desc_from_env(sioc_aws_desc *desc);
#endif

#endif /* SIOC_ENABLE_AWS */
/* ---- src/azure.h ---- */
/* ---- azure: Service Bus REST data plane and ATOM management, as the cluster transport uses them ----
   Three layers, each usable alone (docs/AZURE.md sections 4-6; same shape as aws.h):
     1. Request pieces (sioc_azure_write_*): quoted custom property values, the BrokerProperties JSON, and ATOM
        entries byte-identical to what @azure/service-bus 7.9.5's administration client sends.
     2. Response parsers (sioc_azure_parse_*): a peek-locked message from its headers (BrokerProperties JSON,
        Location, quoted custom properties) and body, ATOM error bodies, entity presence.
     3. sioc_azure_client: SAS token per request (renewed before expiry) on the HTTP engine; calls owned by the
        caller; HTTP statuses classified into typed errors for the node's backoff.
   Nothing here allocates except sioc_azure_client_init (through the HTTP engine). Keys and tokens never reach
   log lines or error text. */

#ifndef SIOC_ENABLE_AZURE
#define SIOC_ENABLE_AZURE 1 /* 0 leaves the Azure transport out (the SAS helpers stay: they are small and pure) */
#endif
#if SIOC_ENABLE_AZURE

#ifndef SIOC_AZURE_MAX_PROPS
#define SIOC_AZURE_MAX_PROPS 8 /* custom properties kept per received message (more are counted, not kept) */
#endif
#ifndef SIOC_AZURE_META_SIZE
#define SIOC_AZURE_META_SIZE 2048 /* per call: response headers kept for parsing (Location, BrokerProperties, ...) */
#endif
#define SIOC_AZURE_MAX_META_HEADERS 24
#define SIOC_AZURE_MAX_MESSAGE_SIZE 262144 /* Standard tier: payload plus all properties (docs/AZURE.md 7) */
#define SIOC_AZURE_MAX_NAME 50             /* topic / subscription name length */
#define SIOC_AZURE_API_VERSION "2021-05"
#define SIOC_AZURE_MAX_TIMEOUT_S 60        /* longest receive long poll we ask for (docs/AZURE.md 4.2) */

/* ---- common types ---- */

typedef enum sioc_azure_prop_type {
    SIOC_AZURE_PROP_STRING = 0, /* "text" on the wire */
    SIOC_AZURE_PROP_INT = 1,    /* bare integer (Int64) */
    SIOC_AZURE_PROP_DOUBLE = 2, /* bare floating point */
    SIOC_AZURE_PROP_BOOL = 3    /* true / false */
} sioc_azure_prop_type;

/* A custom (application) property. value: strings unquoted and unescaped; other types the bare wire text. */
typedef struct sioc_azure_prop {
    sioc_str name;
    sioc_azure_prop_type type;
    sioc_str value;
} sioc_azure_prop;

/* What a call's failure means, for retry decisions (docs/AZURE.md 6). */
typedef enum sioc_azure_error_kind {
    SIOC_AZURE_E_NONE = 0,
    SIOC_AZURE_E_BAD_REQUEST,  /* 400: a bug, do not retry */
    SIOC_AZURE_E_AUTH,         /* 401: bad/expired token or key (the client renews its token before the next call) */
    SIOC_AZURE_E_QUOTA,        /* 403: quota exceeded or invalid operation */
    SIOC_AZURE_E_TOO_LARGE,    /* 403 on send: message too large */
    SIOC_AZURE_E_NOT_FOUND,    /* 404 on an entity, or GET of a missing entity (200 with an empty feed) */
    SIOC_AZURE_E_LOCK_LOST,    /* 404 on a lock URI: lock expired or already settled (may be redelivered) */
    SIOC_AZURE_E_CONFLICT,     /* 409 (reported as success by the create calls) */
    SIOC_AZURE_E_ENTITY_GONE,  /* 410: topic or subscription does not exist: re-create, then resume */
    SIOC_AZURE_E_THROTTLED,    /* 429, 503: back off >= 2 s (retry_after_s when given) */
    SIOC_AZURE_E_SERVER,       /* other 5xx: retry with backoff */
    SIOC_AZURE_E_OTHER,        /* any other status */
    SIOC_AZURE_E_TRANSPORT     /* no usable response (timeout, connect, closed, TLS): outcome unknown */
} sioc_azure_error_kind;

/* The operations, for classification and logs. */
typedef enum sioc_azure_op {
    SIOC_AZURE_OP_SEND = 0,
    SIOC_AZURE_OP_RECEIVE,        /* peek-lock */
    SIOC_AZURE_OP_RECEIVE_DELETE, /* receive-and-delete */
    SIOC_AZURE_OP_COMPLETE,
    SIOC_AZURE_OP_UNLOCK,
    SIOC_AZURE_OP_RENEW,
    SIOC_AZURE_OP_GET_TOPIC,
    SIOC_AZURE_OP_CREATE_TOPIC,
    SIOC_AZURE_OP_GET_SUBSCRIPTION,
    SIOC_AZURE_OP_CREATE_SUBSCRIPTION,
    SIOC_AZURE_OP_DELETE_SUBSCRIPTION,
    SIOC_AZURE_OP_COUNT_
} sioc_azure_op;

/* Name of an operation for logs ("send", "receive", ...). */
SIOC_API const char *sioc_azure_op_name(sioc_azure_op op);

/* Map an HTTP status of `op` to a result and kind (pure; what the client does). Success includes 409 on the
   create calls and 404 on delete subscription (both: the wanted state holds). */
SIOC_API sioc_result sioc_azure_classify(sioc_azure_op op, int status, sioc_azure_error_kind *out_kind);

/* 1 when `name` is a valid topic or subscription name: 1..50 of letters, digits, '.', '-', '_' (one path
   segment, never needs percent-encoding). */
SIOC_API int sioc_azure_name_ok(sioc_str name);

/* ---- 1. request pieces ---- */

/* A custom property header value: strings double-quoted (refused with SIOC_ERR_ARG when they contain '"', '\',
   control characters or non-ASCII: Azure documents no escaping, docs/AZURE.md 4.1), other types checked and written
   bare. Appends to out; returns sioc_buf_result(out) or SIOC_ERR_ARG. */
SIOC_API SIOC_NODISCARD sioc_result sioc_azure_write_prop_value(sioc_buf *out, const sioc_azure_prop *p);

/* Settable BrokerProperties of a send; empty/zero fields are left out. */
typedef struct sioc_azure_send_opts {
    sioc_str message_id;     /* never a constant (duplicate detection); empty: the service assigns one */
    uint32_t time_to_live_s; /* 0: the subscription default */
    sioc_str label;
    sioc_str correlation_id;
} sioc_azure_send_opts;

/* The BrokerProperties JSON ({"MessageId":...,"TimeToLive":...,"Label":...,"CorrelationId":...}); nothing is
   appended (and SIOC_OK returned) when every field is empty. */
SIOC_API SIOC_NODISCARD sioc_result sioc_azure_write_broker_props(sioc_buf *out, const sioc_azure_send_opts *o);

/* ISO-8601 duration as the service writes it: 30 -> "PT30S", 300 -> "PT5M", 90000 -> "P1DT1H". 0 -> "PT0S". */
SIOC_API void sioc_azure_write_duration(sioc_buf *out, uint32_t seconds);

/* Topic options; zero fields are left out (service defaults). */
typedef struct sioc_azure_topic_opts {
    uint32_t default_ttl_s;
    uint32_t max_size_mb;
    uint32_t auto_delete_on_idle_s;
    sioc_str updated; /* optional <updated> text, e.g. "2026-11-23T06:30:49.295Z" (the SDK sends the time) */
} sioc_azure_topic_opts;

/* Subscription options; zero fields are left out. A C node sets auto_delete_on_idle_s >= 300 (docs/AZURE.md 5.3). */
typedef struct sioc_azure_sub_opts {
    uint32_t lock_duration_s;
    uint32_t default_ttl_s;
    uint32_t max_delivery_count;
    uint32_t auto_delete_on_idle_s;
    sioc_str updated;
} sioc_azure_sub_opts;

/* ATOM entries for PUT (create): the SDK's envelope, children in the service's element order. opts may be NULL. */
SIOC_API SIOC_NODISCARD sioc_result sioc_azure_write_topic_entry(sioc_buf *out, const sioc_azure_topic_opts *o);
SIOC_API SIOC_NODISCARD sioc_result sioc_azure_write_subscription_entry(sioc_buf *out, const sioc_azure_sub_opts *o);

/* The node's subscription name "<prefix>-<16 lowercase hex of id>" (docs/AZURE.md 1). SIOC_ERR_ARG when the result is
   not a valid name (bad prefix characters, longer than 50). */
SIOC_API SIOC_NODISCARD sioc_result sioc_azure_subscription_name(sioc_buf *out, sioc_str prefix, uint64_t id);

/* ---- 2. response parsers ---- */

/* One custom header value by the quoting rules (both directions, docs/AZURE.md 4.1): "text" (JSON-style escapes
   decoded into scratch when present; scratch may be NULL otherwise), true/false, integer, floating point.
   SIOC_ERR_PARSE for anything else (such a header is not a property), SIOC_ERR_BUFFER_TOO_SMALL for scratch. */
SIOC_API SIOC_NODISCARD sioc_result sioc_azure_parse_prop_value(sioc_str raw, sioc_buf *scratch,
                                                                 sioc_azure_prop_type *out_type, sioc_str *out_value);

/* BrokerProperties of a received message. Strings are views into the JSON or scratch (escapes). */
typedef struct sioc_azure_broker_props {
    sioc_str message_id;
    sioc_str lock_token;
    sioc_str enqueued_time; /* RFC 1123 text */
    sioc_str locked_until;  /* RFC 1123 text */
    sioc_str label;
    sioc_str correlation_id;
    int64_t sequence_number;
    int64_t delivery_count; /* 1 on the first delivery */
    double time_to_live_s;  /* 0 when absent; whole seconds with SIOC_ENABLE_FLOAT 0 */
} sioc_azure_broker_props;

/* Parse the BrokerProperties JSON object (unknown keys ignored, any order). SIOC_ERR_PARSE (not a JSON object),
   SIOC_ERR_TYPE (a known key with another type), SIOC_ERR_LIMIT (too many tokens), SIOC_ERR_BUFFER_TOO_SMALL. */
SIOC_API SIOC_NODISCARD sioc_result sioc_azure_parse_broker_props(const char *json, size_t len, sioc_buf *scratch,
                                                                   sioc_azure_broker_props *out);

/* A received message. Views into the headers, body, and scratch given to the parser. */
typedef struct sioc_azure_message {
    sioc_bytes body;
    sioc_azure_broker_props broker;
    sioc_str location;     /* Location header as returned (absolute lock URI), empty for receive-and-delete */
    sioc_str lock_path;    /* its path: the target of complete / unlock / renew */
    sioc_str content_type;
    sioc_azure_prop props[SIOC_AZURE_MAX_PROPS]; /* custom properties in arrival order */
    size_t prop_count;
    size_t props_dropped;  /* custom properties beyond SIOC_AZURE_MAX_PROPS */
    sioc_msg_envelope env; /* nsp, uid, requester_uid (string properties matched case-insensitively; ptr NULL
                              when absent) for sioc_msg_decode_azure */
} sioc_azure_message;

/* Build a message from response headers and body. Standard HTTP headers are skipped; other headers whose value
   follows the property syntax are custom properties, the rest (e.g. Diagnostic-Id) is ignored. SIOC_ERR_PARSE /
   SIOC_ERR_TYPE for bad BrokerProperties or a Location that is not an absolute http(s) URL or a path. A scratch
   as large as the headers always suffices. */
SIOC_API SIOC_NODISCARD sioc_result sioc_azure_parse_message(const sioc_http_header *headers, size_t n,
                                                              sioc_bytes body, sioc_buf *scratch,
                                                              sioc_azure_message *out);

/* The path (and query) of an absolute URL, or the text itself when it starts with '/'. SIOC_ERR_PARSE else. */
SIOC_API SIOC_NODISCARD sioc_result sioc_azure_url_path(sioc_str url, sioc_str *out_path);

/* The env for sending a cluster message: nsp, uid and (when non-empty) requesterUid as string properties, in
   that order, into out[3]. Returns the count. Views borrowed from env. */
SIOC_API size_t sioc_azure_props_from_env(const sioc_msg_envelope *env, sioc_azure_prop out[3]);

/* ATOM error body <Error><Code>..</Code><Detail>..</Detail></Error>, copied into fixed arrays. */
typedef struct sioc_azure_error {
    int status;               /* HTTP status, 0 without a response */
    sioc_azure_error_kind kind;
    int code;                 /* <Code>, 0 when absent */
    int sub_code;             /* "SubCode=40901" in Detail, 0 when absent */
    uint32_t retry_after_s;   /* Retry-After header (seconds), 0 when absent */
    char detail[192];         /* truncated on a UTF-8 boundary; always NUL-terminated */
} sioc_azure_error;

/* Fill code, sub_code and detail (status, kind, retry_after_s untouched). SIOC_ERR_NOT_FOUND when the body is no
   <Error> document (fields then stay empty). */
SIOC_API SIOC_NODISCARD sioc_result sioc_azure_parse_error(const char *xml, size_t len, sioc_azure_error *out);

/* 1 when an ATOM GET reply describes an entity (holds an <entry>), 0 for an empty <feed> (= does not exist). */
SIOC_API int sioc_azure_atom_has_entry(const char *xml, size_t len);

/* ---- 3. the client ---- */

typedef struct sioc_azure_desc {
    const char *connection_string; /* required: Endpoint + key pair or SharedAccessSignature (copied at init) */
    const char *rest_url;          /* NULL: https://<Endpoint host>/ ; "http://127.0.0.1:<port>" for a local broker
                                      (overrides host and port; never the AMQP port of the connection string) */
    int64_t (*utc_now)(void *user); /* required: wall-clock seconds since 1970 (token expiry) */
    void *user;
    sioc_http_client_desc http;    /* the engine's settings (its logger is used here too) */
    uint32_t timeout_ms;           /* 0 -> 30000: default per-request deadline */
    uint32_t token_lifetime_s;     /* 0 -> SIOC_SAS_DEFAULT_LIFETIME */
} sioc_azure_desc;

typedef struct sioc_azure_stats {
    uint64_t calls, ok, errors, tokens_made, messages_received, empty_receives;
} sioc_azure_stats;

#define SIOC_AZURE_MAX_CONNSTR 1024
#define SIOC_AZURE_MAX_TOKEN 1024

/* The client. It holds views into itself (the copied connection string): do not copy or move it after init. */
typedef struct sioc_azure_client {
    sioc_http_client http; /* drive it with sioc_http_drive() or the sioc_http_conn_* calls */
    sioc_azure_stats stats;
    char detail[SIOC_DETAIL_SIZE]; /* why sioc_azure_client_init() failed, naming the field */
    /* private */
    sioc_azure_desc p_desc;
    char p_cs[SIOC_AZURE_MAX_CONNSTR];
    sioc_sas_connstr p_conn;
    char p_host[SIOC_HTTP_MAX_HOST + 1];
    uint16_t p_port;
    int p_tls, p_http_ep, p_fixed_token;
    char p_token[SIOC_AZURE_MAX_TOKEN];
    size_t p_token_len;
    int64_t p_token_expiry;
    sioc_http_calls p_calls; /* in flight, and finished not yet collected */
} sioc_azure_client;

/* Start: parse the connection string and the REST URL, set up the HTTP engine. SIOC_ERR_ARG (bad connection
   string or URL), SIOC_ERR_LIMIT (connection string over SIOC_AZURE_MAX_CONNSTR), SIOC_ERR_DEPENDENCY (no
   utc_now; an https endpoint in a build without TLS), or the engine's errors; c->detail says which field
   ("connection string: SharedAccessKey without SharedAccessKeyName"). */
SIOC_API SIOC_NODISCARD sioc_result sioc_azure_client_init(sioc_azure_client *c, const sioc_azure_desc *desc);
/* Free the engine and wipe key and token copies. */
SIOC_API void sioc_azure_client_free(sioc_azure_client *c);
/* Use a caller-made token ("SharedAccessSignature sr=...") from now on (copied; no renewal: call again before its
   se). SIOC_ERR_PARSE when it is not a token, SIOC_ERR_LIMIT when longer than SIOC_AZURE_MAX_TOKEN - 1. */
SIOC_API SIOC_NODISCARD sioc_result sioc_azure_set_token(sioc_azure_client *c, sioc_str token);

/* One call. The caller owns it and its memory, sets the first block, and keeps all of it in place until the call
   comes back from sioc_azure_next(). */
typedef struct sioc_azure_call {
    void *body_mem;        /* request body (send: the message is copied here unless it already is; PUT: the entry) */
    size_t body_cap;
    void *reply_mem;       /* the reply body lands here (receive: size it for the largest message) */
    size_t reply_cap;
    uint32_t timeout_ms;   /* 0: the client default (receive: its server timeout + 10 s at least) */
    void *user;
    /* results, valid when sioc_azure_next() hands the call back */
    sioc_azure_op op;
    sioc_result result;    /* SIOC_OK (2xx, and the successes of sioc_azure_classify), SIOC_ERR_AUTH,
                              SIOC_ERR_NOT_FOUND (404, 410, missing entity: see error.kind), SIOC_ERR_THROTTLED,
                              SIOC_ERR_SERVER, SIOC_ERR_TOO_LARGE, SIOC_ERR_LIMIT (403), SIOC_ERR_HTTP_STATUS,
                              SIOC_ERR_BUFFER_TOO_SMALL (reply over reply_cap; a peek-locked message then still has
                              msg.lock_path and msg.broker set, so it can be settled), or the transport's error */
    int status;            /* HTTP status, 0 without a reply */
    sioc_bytes reply;      /* the reply body (in reply_mem) */
    sioc_azure_error error;
    int existed;           /* create: 409 (already there); delete: 404 (already gone) */
    char detail[SIOC_DETAIL_SIZE]; /* a failure in words: "Service Bus receive: cannot connect to 127.0.0.1:1:
                                      connection refused", "... HTTP 401 ..." ("" on success) */
    int has_message;       /* receive: 1 when msg holds a message, 0 after a 204 (nothing within the timeout) */
    sioc_azure_message msg; /* receive: views into reply_mem and the call's own header copy (headers beyond
                               SIOC_AZURE_META_SIZE bytes or SIOC_AZURE_MAX_META_HEADERS are dropped). The call
                               must not move while msg is used. */
    /* private */
    sioc_http_call p_track;
    size_t p_meta_len;
    size_t p_hdr_count;
    sioc_http_header p_hdrs[SIOC_AZURE_MAX_META_HEADERS];
    char p_meta[SIOC_AZURE_META_SIZE];

} sioc_azure_call;

/* Starters: queue the request (SIOC_ERR_STATE when the call is in flight, SIOC_ERR_ARG for a bad name or
   argument, the writers' and the engine's errors). Names are checked with sioc_azure_name_ok. */

/* POST /{topic}/messages: body (copied into body_mem unless it is body_mem), Content-Type
   application/octet-stream, BrokerProperties from opts (may be NULL), one quoted header per property.
   SIOC_ERR_TOO_LARGE when body plus properties exceed SIOC_AZURE_MAX_MESSAGE_SIZE (checked before sending);
   SIOC_ERR_LIMIT for more than SIOC_AZURE_MAX_PROPS properties or over SIOC_AZURE_META_SIZE bytes of header values;
   SIOC_ERR_BUFFER_TOO_SMALL when the body does not fit body_cap. */
SIOC_API SIOC_NODISCARD sioc_result sioc_azure_send(sioc_azure_client *c, sioc_azure_call *call, sioc_str topic,
                                                    sioc_bytes body, const sioc_azure_prop *props, size_t n_props,
                                                    const sioc_azure_send_opts *opts, uint64_t now_ms);
/* POST /{topic}/subscriptions/{sub}/messages/head?timeout=N (peek-lock; 0 <= N <= SIOC_AZURE_MAX_TIMEOUT_S).
   On 201 has_message = 1 and msg is filled; 204 gives SIOC_OK with has_message = 0. Several may be in flight. */
SIOC_API SIOC_NODISCARD sioc_result sioc_azure_receive(sioc_azure_client *c, sioc_azure_call *call, sioc_str topic,
                                                       sioc_str subscription, int timeout_s, uint64_t now_ms);
/* DELETE .../messages/head?timeout=N: receive-and-delete (200 = message, no lock; at-most-once). */
SIOC_API SIOC_NODISCARD sioc_result sioc_azure_receive_and_delete(sioc_azure_client *c, sioc_azure_call *call,
                                                                  sioc_str topic, sioc_str subscription,
                                                                  int timeout_s, uint64_t now_ms);
/* Settle on the lock path (msg.lock_path, copied): DELETE = complete, PUT = unlock (abandon), POST = renew.
   404 gives SIOC_ERR_NOT_FOUND with kind SIOC_AZURE_E_LOCK_LOST. */
SIOC_API SIOC_NODISCARD sioc_result sioc_azure_complete(sioc_azure_client *c, sioc_azure_call *call,
                                                        sioc_str lock_path, uint64_t now_ms);
SIOC_API SIOC_NODISCARD sioc_result sioc_azure_unlock(sioc_azure_client *c, sioc_azure_call *call,
                                                      sioc_str lock_path, uint64_t now_ms);
SIOC_API SIOC_NODISCARD sioc_result sioc_azure_renew_lock(sioc_azure_client *c, sioc_azure_call *call,
                                                          sioc_str lock_path, uint64_t now_ms);
/* ATOM (api-version 2021-05). get: SIOC_OK when the entity exists, SIOC_ERR_NOT_FOUND (404 or an empty feed). */
SIOC_API SIOC_NODISCARD sioc_result sioc_azure_get_topic(sioc_azure_client *c, sioc_azure_call *call,
                                                         sioc_str topic, uint64_t now_ms);
/* create: SIOC_OK on 201, and on 409 with existed = 1. opts may be NULL (the SDK's defaults). */
SIOC_API SIOC_NODISCARD sioc_result sioc_azure_create_topic(sioc_azure_client *c, sioc_azure_call *call,
                                                            sioc_str topic, const sioc_azure_topic_opts *opts,
                                                            uint64_t now_ms);
SIOC_API SIOC_NODISCARD sioc_result sioc_azure_get_subscription(sioc_azure_client *c, sioc_azure_call *call,
                                                                sioc_str topic, sioc_str subscription,
                                                                uint64_t now_ms);
SIOC_API SIOC_NODISCARD sioc_result sioc_azure_create_subscription(sioc_azure_client *c, sioc_azure_call *call,
                                                                   sioc_str topic, sioc_str subscription,
                                                                   const sioc_azure_sub_opts *opts, uint64_t now_ms);
/* delete: SIOC_OK on 200, and on 404 with existed = 1 (already gone). */
SIOC_API SIOC_NODISCARD sioc_result sioc_azure_delete_subscription(sioc_azure_client *c, sioc_azure_call *call,
                                                                   sioc_str topic, sioc_str subscription,
                                                                   uint64_t now_ms);

/* Collect finished calls (drains the engine's responses, which also returns connections to the pool): SIOC_OK
   with *out set (the call is the caller's again), or SIOC_AGAIN. Call after driving the engine, until AGAIN. */
SIOC_API sioc_result sioc_azure_next(sioc_azure_client *c, uint64_t now_ms, sioc_azure_call **out);
/* 1 when a finished call waits for sioc_azure_next() without any new byte (for deadlines: call it now). */
SIOC_API int sioc_azure_has_finished(const sioc_azure_client *c);
/* Give up on a call in flight. SIOC_ERR_NOT_FOUND when it is not in flight. */
SIOC_API sioc_result sioc_azure_cancel(sioc_azure_client *c, sioc_azure_call *call);

/* ---- a subscription created with its own default rule (a SQL filter in place of $Default) ----
   The service applies the subscription's rules before a message is stored for it: a filtered-out message costs
   the subscriber no request. The rule rides in the create request (SubscriptionDescription/DefaultRuleDescription,
   as the administration client sends it), so no extra call is needed. */

/* The SQL filter a member puts on its own subscription, the Node adapter's receive checks moved to the broker: not
   its own messages, no responses for another node:
   (uid IS NULL OR uid <> '<uid>') AND (requesterUid IS NULL OR requesterUid = '' OR requesterUid = '<uid>')
   SIOC_ERR_ARG for a uid that is empty, longer than 64 or not made of letters, digits, '-' and '_'. */
SIOC_API SIOC_NODISCARD sioc_result sioc_azure_write_own_filter(sioc_buf *out, sioc_str uid);
/* The subscription entry (as sioc_azure_write_subscription_entry) with DefaultRuleDescription: SqlFilter `sql`
   (XML-escaped here), EmptyRuleAction, name $Default. */
SIOC_API SIOC_NODISCARD sioc_result sioc_azure_write_subscription_entry_rule(sioc_buf *out,
                                                                             const sioc_azure_sub_opts *o,
                                                                             sioc_str sql);
/* PUT /{topic}/Subscriptions/{sub} with that entry (results as sioc_azure_create_subscription; a subscription that
   exists already keeps its rules: 409). */
SIOC_API SIOC_NODISCARD sioc_result sioc_azure_create_subscription_rule(sioc_azure_client *c, sioc_azure_call *call,
                                                                        sioc_str topic, sioc_str subscription,
                                                                        const sioc_azure_sub_opts *opts, sioc_str sql,
                                                                        uint64_t now_ms);

#endif /* SIOC_ENABLE_AZURE */
/* ---- src/member.h ---- */
/* ---- member: one cluster member over either cloud (the face most programs use) ----
   A sioc_cluster is a whole member of a Socket.IO cluster: the node (cluster.h), the signed client of its cloud
   (aws.h or azure.h) with its HTTP engine (http.h), the POSIX sockets when built in (posix.h), and the binding
   that joins them. The cloud is chosen by configuration:

     AWS SNS + SQS      the @socket.io/aws-sqs-adapter wire (docs/AWS.md): one SNS topic, one SQS queue per member
     Azure Service Bus  the @socket.io/azure-service-bus-adapter wire (docs/AZURE.md): one topic, one subscription
                        per member, over the REST API

   Life:   sioc_cluster_init -> add sockets (sioc_cluster_node + sioc_node_socket_add) -> sioc_cluster_start
           -> loop { sioc_cluster_process; drain sioc_node_next_event; sleep until sioc_cluster_next_deadline }
           -> sioc_cluster_close -> loop until CLOSED -> sioc_cluster_free
     start-up  AWS: CreateTopic -> CreateQueue -> GetQueueAttributes -> SetQueueAttributes(Policy) -> Subscribe
               (raw, FilterPolicy without the member's own messages); Azure: GET topic -> (PUT topic) -> PUT
               subscription "<prefix>-<uid>" with AutoDeleteOnIdle and a SQL rule in place of $Default that keeps
               out the member's own messages and responses for other nodes (sioc_azure_write_own_filter). Then the node is ready (READY event: the
               subscription is in place and INITIAL_HEARTBEAT is queued, not yet published: see the sequences).
               Emitter-only: the topic alone.
     running   long-poll receives -> the node (deliveries, requests, heartbeats) -> every received message is
               settled (AWS DeleteMessageBatch, Azure complete) whatever the node said; the node's out queue is
               published in order (AWS Publish / PublishBatch, Azure one send per message).
     shutdown  ADAPTER_CLOSE published, then the queue and subscription (AWS) or the subscription (Azure) deleted.
     faults    every failed request is retried after a capped exponential backoff with full jitter above a floor
               (throttling waits longer, Retry-After is honoured), never a hot loop; a lost queue / subscription
               or topic is re-created (the node is NOT_READY meanwhile); a message seen again after a failed
               settle is settled without reaching the node twice; a bad message (undecodable, too deep, too large)
               is dropped, counted and settled alone, never given back; a settle is retried while the message's
               lock (Azure) is valid; a 401 is answered with a fresh signature or token and retried with backoff,
               never a reason to drop a message once running. A start-up refused for good (wrong keys, permissions, a name the service rejects) ends in
               FAILED with the reason in sioc_cluster_last_error and the on_error callback.

   Publishing and sequences: every message the node queues (broadcasts, answers, heartbeats) gets the next
   sequence number; sioc_cluster_queued_seq() right after an operation is the sequence of its last message.
   sioc_cluster_published_seq() is the highest sequence S such that every message up to S has an outcome:
   accepted by the broker, or dropped. A message is dropped only when the service refuses it for good (too
   large, a bad value, a key rejected twice), when it does not fit the request buffer, or when close gives up
   after shutdown_timeout_ms; each outcome reaches on_publish when set. A publish whose answer was lost is sent
   again (at-least-once: a peer may then see it twice, counted in stats.ambiguous_retries);
   desc.publish_at_most_once drops it instead (at-most-once). A publish refused before it reached the broker
   (connection refused, throttled, 401) is always retried: that cannot duplicate. A PublishBatch the broker takes
   only in part: the entries it failed through no fault of ours (throttled, internal error) are sent again alone,
   with backoff (stats.batch_resent), those it refused for good are dropped; the reply names every entry, so none
   it took is sent twice. Built with SIOC_ENABLE_PUBLISH_BATCH 0 every message goes in a Publish of its own.

   Pacing (AWS, desc.receive_budget_ms, desc.publish_budget_ms): publishes start at most every publish_budget_ms
   (a full batch of 10 at once), so a steady rate goes out in PublishBatches; after a receive that brought fewer than max_messages the next one starts
   receive_budget_ms after it began (a full one is followed at once), so at a steady rate each receive carries
   several messages; deletes wait until 10 handles are held or the oldest is 15 s old (the visibility timeout is
   30 s), so one DeleteMessageBatch settles several receives. In a quiet cluster the wait is receive_idle_ms. A
   message waits at most that wait plus one receive; heartbeats and requests still meet their timeouts because
   both waits are bounded by them (checked at init) and a request of this node waiting for answers ends any idle
   wait.

   Sans-I/O: sioc_cluster_process never blocks. With SIOC_ENABLE_POSIX the member owns POSIX sockets and
   sioc_cluster_run_posix() is a whole loop turn; without it (or with desc.own_io) the program moves the bytes of
   sioc_cluster_http() itself (http.h). */

#if SIOC_ENABLE_AWS || SIOC_ENABLE_AZURE

#ifndef SIOC_CLUSTER_MAX_RECEIVES
#define SIOC_CLUSTER_MAX_RECEIVES 4 /* receives in flight at most */
#endif
#ifndef SIOC_CLUSTER_SETTLES
#define SIOC_CLUSTER_SETTLES 4 /* Azure: completes / unlocks in flight at once (REST has no batch complete) */
#endif
#define SIOC_CLUSTER_ARN_MAX 384     /* AWS: longest ARN or queue URL kept */
#define SIOC_CLUSTER_HANDLE_MAX 1024 /* AWS: longest receipt handle kept for a delete */
#define SIOC_CLUSTER_LOCK_MAX 512    /* Azure: longest lock path kept for a settle */
#define SIOC_CLUSTER_MSGID_MAX 128   /* longest message id remembered */
#define SIOC_CLUSTER_NSP_MAX 256     /* Azure: longest namespace sent */
#define SIOC_CLUSTER_PENDING 64      /* Azure: settles waiting for a slot */
#define SIOC_CLUSTER_NAME_MAX 96     /* queue or subscription name */
#ifndef SIOC_CLUSTER_JANITOR_MAX
#define SIOC_CLUSTER_JANITOR_MAX 32  /* AWS: other members' queues watched for orphans at once */
#endif

typedef enum sioc_cluster_transport {
    SIOC_CLUSTER_AUTO = 0,  /* Azure when azure.connection_string (or SERVICEBUS_CONNECTION_STRING) is set */
    SIOC_CLUSTER_AWS = 1,   /* SNS + SQS */
    SIOC_CLUSTER_AZURE = 2  /* Service Bus */
} sioc_cluster_transport;

typedef enum sioc_cluster_state {
    SIOC_CLUSTER_IDLE = 0, /* init done, start not called */
    SIOC_CLUSTER_STARTING, /* start-up running (also while re-creating a lost queue, subscription or topic) */
    SIOC_CLUSTER_RUNNING,  /* subscribed (or emitter-only with a topic): the node is ready */
    SIOC_CLUSTER_CLOSING,  /* publishing ADAPTER_CLOSE, then deleting what start-up created */
    SIOC_CLUSTER_CLOSED,   /* done: free it */
    SIOC_CLUSTER_FAILED    /* start-up refused for good: see sioc_cluster_last_error / on_error */
} sioc_cluster_state;

/* Requests by kind, the same for both clouds (names per cloud: sioc_cluster_op_name). */
typedef enum sioc_cluster_op {
    SIOC_CLUSTER_OP_GET_TOPIC = 0,   /* Azure GET topic */
    SIOC_CLUSTER_OP_CREATE_TOPIC,    /* AWS CreateTopic, Azure PUT topic */
    SIOC_CLUSTER_OP_CREATE_QUEUE,    /* AWS CreateQueue */
    SIOC_CLUSTER_OP_QUEUE_ARN,       /* AWS GetQueueAttributes */
    SIOC_CLUSTER_OP_QUEUE_POLICY,    /* AWS SetQueueAttributes */
    SIOC_CLUSTER_OP_SUBSCRIBE,       /* AWS Subscribe, Azure PUT subscription */
    SIOC_CLUSTER_OP_RECEIVE,         /* AWS ReceiveMessage, Azure peek-lock receive */
    SIOC_CLUSTER_OP_SETTLE,          /* AWS DeleteMessageBatch, Azure complete */
    SIOC_CLUSTER_OP_UNLOCK,          /* Azure unlock (abandon) */
    SIOC_CLUSTER_OP_PUBLISH,         /* AWS Publish, Azure send */
    SIOC_CLUSTER_OP_PUBLISH_BATCH,   /* AWS PublishBatch */
    SIOC_CLUSTER_OP_DELETE_QUEUE,    /* AWS DeleteQueue, Azure DELETE subscription */
    SIOC_CLUSTER_OP_UNSUBSCRIBE,     /* AWS Unsubscribe */
    SIOC_CLUSTER_OP_LIST_QUEUES,     /* AWS ListQueues (orphan clean-up) */
    SIOC_CLUSTER_OP_QUEUE_TAGS,      /* AWS ListQueueTags (orphan clean-up) */
    SIOC_CLUSTER_OP_LIST_SUBSCRIPTIONS, /* AWS ListSubscriptionsByTopic (orphan clean-up) */
    SIOC_CLUSTER_OP_COUNT
} sioc_cluster_op;

/* Counters (read with sioc_cluster_get_stats). */
typedef struct sioc_cluster_stats {
    uint64_t requests[SIOC_CLUSTER_OP_COUNT]; /* submitted per kind (retries included) */
    uint64_t failures[SIOC_CLUSTER_OP_COUNT]; /* failed per kind */
    uint64_t received;       /* messages received (bad ones and redeliveries included) */
    uint64_t redelivered;    /* seen before (a settle was lost): settled again, not handed to the node */
    uint64_t bad_messages;   /* undecodable, too large or refused by the node: dropped and settled */
    uint64_t settled;        /* deleted (AWS) or completed (Azure) */
    uint64_t settle_failed;  /* given up: the message comes back after its visibility timeout / lock */
    uint64_t unlocked;       /* Azure: given back because the node could not take it then */
    uint64_t published;      /* accepted by the broker */
    uint64_t publish_failed; /* dropped (see "Publishing and sequences" above) */
    uint64_t ambiguous_retries; /* publishes sent again although the broker may have taken them already (no
                                   answer: timeout, reset, 5xx): a peer may see those twice */
    uint64_t recreated;      /* queue or subscription re-created */
    uint64_t restarts;       /* start-up run again after the topic was lost */
    uint64_t empty_receives; /* long polls that ended without a message */
    uint64_t dedup_short;    /* ids forgotten before their lock / visibility timeout ran out: raise recent_ids */
    uint64_t checksum_failed; /* AWS: MD5OfBody did not match the body (counted in bad_messages too) */
    uint64_t too_large;      /* messages over the receive buffer (node.max_message_size): dropped, counted in
                                bad_messages too, deleted (AWS) or completed (Azure) */
    uint64_t orphans_deleted; /* AWS: other members' orphaned queues (and subscriptions) removed */
    uint64_t batch_resent;   /* AWS: PublishBatch entries the broker failed (not our fault) and sent again alone */
} sioc_cluster_stats;

/* A failed request, for on_error. Views valid during the callback only; never holds a secret. */
typedef struct sioc_cluster_error {
    sioc_cluster_op op;
    const char *op_name;    /* "ReceiveMessage", "Receive", ... */
    sioc_result result;     /* SIOC_ERR_CONNECT, SIOC_ERR_TIMEOUT, SIOC_ERR_THROTTLED, SIOC_ERR_AUTH, ... */
    int status;             /* HTTP status, 0 without a reply */
    const char *code;       /* the service's error code ("QueueDoesNotExist", "" when none) */
    const char *message;    /* the service's text ("" when none) */
    const char *detail;     /* what failed where, for people: "connect 127.0.0.1:4566: connection refused" */
    int will_retry;         /* 1: retried after a backoff; 0: given up (see the state and the counters) */
} sioc_cluster_error;

/* AWS settings. Empty fields come from the environment with SIOC_ENABLE_POSIX (see sioc_cluster_desc_from_env). */
typedef struct sioc_cluster_aws_opts {
    const char *region;                 /* "us-east-1" */
    sioc_sigv4_credentials credentials; /* borrowed for the member's life (or sioc_cluster_set_aws_credentials) */
    const char *sns_endpoint;           /* NULL: https://sns.<region>.amazonaws.com; "http://127.0.0.1:4566" ... */
    const char *sqs_endpoint;           /* NULL: https://sqs.<region>.amazonaws.com */
#if SIOC_ENABLE_AWS
    const sioc_aws_kv *tags;            /* queue tags; none: sioc-cluster=<topic>, sioc-node=<uid> */
    size_t n_tags;
    const sioc_aws_kv *topic_tags;      /* CreateTopic tags (default none: every member must send the same) */
    size_t n_topic_tags;
#endif
    uint32_t retention_s;               /* 0 -> 3600: MessageRetentionPeriod of the queue (60..1209600) */
    int no_filter_policy;               /* 1: subscribe without the FilterPolicy */
    int wait_time_s;                    /* 0 -> 20: ReceiveMessage WaitTimeSeconds (1..20; -1 for short polls) */
    int max_messages;                   /* 0 -> 10 per ReceiveMessage */
    uint32_t receive_buffer_size;       /* 0 -> enough for max_messages of node.max_message_size each */
    /* Orphan clean-up: SQS has no auto-delete, so the member with the lowest live uid removes the queue and the
       subscription of a member that crashed: a queue under "<prefix>-" whose backlog grew at every look for
       orphan_after_s with nothing received from it, whose sioc-node tag (if any) names no live member. Node members'
       queues are covered by the same rule. Only members that run the clean-up take part in the choice (their queues
       carry the tag sioc-janitor=1; custom aws.tags leave it out). Counted in stats.orphans_deleted, logged at
       WARN. The SMALL preset leaves the clean-up to others. */
    uint32_t subscription_check_s;      /* 0 -> 300: how often the subscription is checked (Subscribe again; also
                                           whenever peers go silent): a topic deleted and re-created under the
                                           cluster took it along */
    int no_orphan_cleanup;              /* 1: never remove other members' queues (required with SIOC_ENABLE_JANITOR 0) */
    uint32_t orphan_after_s;            /* 0 -> 600: well above any heartbeat timeout */
    uint32_t orphan_check_s;            /* 0 -> orphan_after_s / 5 (at least 1): how often the janitor looks */
} sioc_cluster_aws_opts;

/* Azure Service Bus settings. */
typedef struct sioc_cluster_azure_opts {
    const char *connection_string;  /* Endpoint=sb://...;SharedAccessKeyName=...;SharedAccessKey=... (copied) */
    const char *rest_url;           /* NULL: https://<Endpoint host>/; "http://127.0.0.1:<port>" for a local broker */
    uint32_t token_lifetime_s;      /* 0: SIOC_SAS_DEFAULT_LIFETIME */
    uint32_t auto_delete_on_idle_s; /* 0 -> 300: a crashed member's subscription goes away by itself */
    uint32_t lock_duration_s;       /* 0: the service default (60 s) */
    uint32_t message_ttl_s;         /* 0: none sent; else TimeToLive of every message */
    int timeout_s;                  /* 0 -> 55: long poll server timeout (1..60) */
    int no_filter_rule;             /* 1: the subscription keeps $Default (own messages and others' responses
                                       come back and are dropped here, a receive and a complete each) */
} sioc_cluster_azure_opts;

/* Everything a member needs. Zero means the documented default everywhere. */
typedef struct sioc_cluster_desc {
    sioc_cluster_transport transport;
    /* Random bytes (uid, request ids, jitter, queue names, TLS seed) and wall-clock seconds since 1970 (request
       signatures, token expiry, certificate validity). Required; with SIOC_ENABLE_POSIX, NULL means
       sioc_posix_random and sioc_posix_utc_now. */
    sioc_result (*random)(void *user, void *buf, size_t len);
    int64_t (*utc_now)(void *user);
    void *user;                  /* passed to every callback */
    sioc_allocator allocator;    /* every block of the member (node, engine, buffers); zero: malloc/free */
    sioc_logger logger;
    sioc_node_desc node;         /* heartbeats, capacities, emitter_only, ... (random, user, allocator and logger
                                    are taken from above when left zero) */
    sioc_http_client_desc http;  /* connections, TLS trust (ca_file / ca_pem), timeouts (same inheritance) */
    const char *topic_name;      /* 0: "socket-io" (AWS) / "socket.io" (Azure), the Node adapters' defaults */
    const char *prefix;          /* 0: same as the topic default: queue or subscription "<prefix>-<uid>" */
    int receives_in_flight;      /* 0 -> 1 (AWS) / 2 (Azure); at most SIOC_CLUSTER_MAX_RECEIVES */
    uint32_t request_timeout_ms; /* 0 -> 10000 for every request but the long polls (their wait + 10 s) */
    uint32_t backoff_base_ms;    /* 0 -> 200: first retry window */
    uint32_t backoff_cap_ms;     /* 0 -> 20000: largest retry window */
    uint32_t backoff_floor_ms;   /* 0 -> 50: added to every jittered delay (throttling: 1 s AWS, 2 s Azure) */
    uint32_t shutdown_timeout_ms;/* 0 -> 10000: close gives up draining and deleting after this long */
    uint32_t recent_ids;         /* 0 -> 4096: ids of received messages remembered (8 bytes + 4 each) so that a
                                    redelivery after a lost settle is settled again without reaching the node;
                                    size it for at least a lock duration / visibility timeout at your rate
                                    (stats.dedup_short counts ids forgotten sooner) */
    uint32_t reply_buffer_size;  /* 0 -> 16384: the reply buffer of each start-up step, publish and settle (the
                                    services answer them in a few KB; the SMALL preset takes 4096; at least 2048;
                                    Service Bus start-up steps, ATOM entries, keep 16384). A longer reply fails
                                    that request, which is retried */
    int own_io;                  /* SIOC_ENABLE_POSIX: 1 = no POSIX sockets, the program drives the engine */
    int publish_at_most_once;    /* 0: at-least-once (a publish whose answer was lost is sent again, counted in
                                    stats.ambiguous_retries); 1: at-most-once (it is dropped instead) */
    /* AWS receive pacing (see "Pacing" above; Service Bus REST takes one message per request: nothing to pace). */
    int receive_budget_ms;       /* 0 -> 30: how long a message may wait so that receives and deletes carry batches;
                                    -1: no pacing (every receive at once, each receive's messages deleted at once) */
    int publish_budget_ms;       /* 0 -> 20: a publish follows the previous one no sooner than this, carrying what
                                    queued meanwhile (one PublishBatch instead of one Publish each); a message after
                                    a quiet spell goes at once; -1: every publish as soon as the slot is free;
                                    ignored with SIOC_ENABLE_PUBLISH_BATCH 0 (nothing to gather) */
    int receive_idle_ms;         /* 0 -> receive_budget_ms: the wait in a quiet cluster (the last receive brought
                                    heartbeats only and no request of this node waits for answers); raise it (up to
                                    heartbeat_timeout - heartbeat_interval - 500 and request_timeout - 500) for an
                                    idle cost that does not grow with the cluster */
    /* Optional: every failed request (with what happens next). */
    void (*on_error)(void *user, const sioc_cluster_error *err);
    /* Optional: the outcome of published messages first_seq .. first_seq + count - 1 (SIOC_OK: accepted). */
    void (*on_publish)(void *user, uint64_t first_seq, size_t count, sioc_result result);
    sioc_cluster_aws_opts aws;
    sioc_cluster_azure_opts azure;
} sioc_cluster_desc;

struct sioc__mslot;
struct sioc__mjcand;

/* The member. Transparent so it can live anywhere (static, stack, your struct); every field is private: use the
   calls below. Do not copy or move it after init. */
typedef struct sioc_cluster {
    /* the fields used most come first (short loads and stores on small targets) */
    sioc_cluster_transport p_transport;
    sioc_cluster_state p_state;
    sioc_result p_last_error;
    int p_inited; /* bit 0 node, bit 1 client, bit 2 posix */
    int p_step;
    struct sioc__mslot *p_slots;
    size_t p_n_slots;
    void *p_mem;
    size_t p_mem_size;
    sioc_http_client *p_http;
    uint32_t p_gen;
    void *p_settles; /* AWS: receipt handles to delete; Azure: locks to settle */
    size_t p_n_settles, p_settle_cap, p_per_receive;
    sioc_json_tok *p_toks;
    size_t p_n_toks;
    uint8_t *p_scratch;
    size_t p_scratch_size;
    int p_have_topic, p_sub_created;
    int p_quiet;                    /* pacing: the last receive brought heartbeats only */
    uint32_t p_settle_hold;         /* pacing: ms a handle may wait for a fuller DeleteMessageBatch (0: none) */
    uint64_t p_close_deadline, p_queued_seq, p_published_seq, p_sent;
    uint64_t p_recv_at, p_quiet_at; /* pacing: earliest next receive while busy / while quiet (0: at once) */
    uint64_t *p_recent;     /* keyed hashes of recent message ids (0 = empty) */
    uint32_t *p_recent_at;  /* when each was seen (s, the caller's clock) */
    uint32_t p_recent_pos;
    uint64_t p_hash_key;
    uint64_t p_seen_expired, p_sub_check_at; /* AWS subscription watch */
    uint64_t p_single_until;                  /* AWS: one message per receive until then (a reply was too large) */
    char p_detail[SIOC_DETAIL_SIZE];
    sioc_cluster_stats p_stats;
    sioc_cluster_desc p_desc; /* resolved */
    char p_name[SIOC_CLUSTER_NAME_MAX];          /* queue or subscription */
    char p_topic[SIOC_CLUSTER_ARN_MAX];          /* AWS topic ARN / Azure topic name */
    char p_queue_url[SIOC_CLUSTER_ARN_MAX];      /* AWS */
    char p_queue_arn[SIOC_CLUSTER_ARN_MAX];      /* AWS */
    char p_sub_arn[SIOC_CLUSTER_ARN_MAX];        /* AWS */
    char p_old_sub[SIOC_CLUSTER_ARN_MAX];        /* AWS: a subscription to remove after a lost queue */
    sioc_node p_node;
    union {
        int none;
#if SIOC_ENABLE_AWS
        sioc_aws_client aws;
#endif
#if SIOC_ENABLE_AZURE
        sioc_azure_client azure;
#endif
    } p_client;
#if SIOC_ENABLE_POSIX
    sioc_posix p_px;
    int p_has_px;
#endif
    /* AWS orphan clean-up (member_janitor.c) */
    int p_has_jan, p_jan_step;
    struct sioc__mjcand *p_jan;
    size_t p_n_jan, p_jan_idx;
    uint64_t p_jan_next;
    char p_jan_token[1024];
    char p_jan_arn[SIOC_CLUSTER_ARN_MAX];
    char p_jan_sub[SIOC_CLUSTER_ARN_MAX];
} sioc_cluster;

/* Two sizes to start from; every capacity can still be set one by one afterwards (heap per preset: README).
     SERVER  the defaults: 256 KiB messages, 256 sockets, 32 peers per namespace, 4096 remembered ids, 10 messages
             per receive (AWS), 2 long polls (Azure)
     SMALL   a device: 16 KiB messages, 16 sockets in 2 namespaces, 8 peers, 8 requests, 1 long poll of 2
             messages, 512 remembered ids, 4 KiB reply buffers, 4 KiB (AWS) / 16 KiB (Azure) response heads, no
             orphan clean-up (AWS).
             Service Bus messages whose properties do not fit 16 KiB of headers cannot be received with it. */
typedef enum sioc_cluster_preset { SIOC_CLUSTER_PRESET_SERVER = 0, SIOC_CLUSTER_PRESET_SMALL = 1 } sioc_cluster_preset;
/* Fill the capacities of `preset` into *desc (set desc->transport first: heads differ per cloud). */
SIOC_API void sioc_cluster_desc_preset(sioc_cluster_desc *desc, sioc_cluster_preset preset);
/* The desc with every default filled in (what init will use). */
SIOC_API sioc_cluster_desc sioc_cluster_desc_resolved(const sioc_cluster_desc *desc);
#if SIOC_ENABLE_POSIX
/* Fill empty fields from the environment: AWS_REGION (or AWS_DEFAULT_REGION, else "us-east-1"),
   AWS_ACCESS_KEY_ID, AWS_SECRET_ACCESS_KEY, AWS_SESSION_TOKEN, AWS_ENDPOINT_URL[_SNS|_SQS]; Azure:
   SERVICEBUS_CONNECTION_STRING, SERVICEBUS_REST_URL. init calls it for you with SIOC_ENABLE_POSIX. */
SIOC_API void sioc_cluster_desc_from_env(sioc_cluster_desc *desc);
#endif
/* Bytes init takes from the allocator for this desc for the node and the member's buffers (0 for a desc init
   would refuse: invalid, or asking for what the build left out).
   The HTTP engine's block comes on top (about 60 KiB with the SMALL preset; see the README's heap table), and with a
   TLS backend its state per connection, taken when a connection opens. */
SIOC_API size_t sioc_cluster_heap_size(const sioc_cluster_desc *desc);
/* Set up the member: node (uid drawn), client, engine, and with SIOC_ENABLE_POSIX (unless own_io) the sockets.
   Nothing is sent before sioc_cluster_start. Errors: SIOC_ERR_ARG (a bad option: on_error is not called, the
   logger names the field), SIOC_ERR_DEPENDENCY (no random / utc_now, no allocator without libc malloc, an https
   endpoint in a build without TLS), SIOC_ERR_NOT_FOUND (no credentials / connection string), SIOC_ERR_NOMEM,
   SIOC_ERR_UNSUPPORTED (a feature the build left out: a receiving member with SIOC_ENABLE_RECEIVE 0, orphan
   clean-up with SIOC_ENABLE_JANITOR 0; the detail names the switch). On error everything taken is released
   again. */
SIOC_API SIOC_NODISCARD sioc_result sioc_cluster_init(sioc_cluster *c, const sioc_cluster_desc *desc);
/* Release everything (nothing is sent: close first for a graceful leave). Safe on a zeroed or freed member. */
SIOC_API void sioc_cluster_free(sioc_cluster *c);
/* Begin start-up. SIOC_ERR_STATE unless IDLE. */
SIOC_API SIOC_NODISCARD sioc_result sioc_cluster_start(sioc_cluster *c, uint64_t now_ms);
/* Graceful leave: the node closes (ADAPTER_CLOSE), what it queued is published, then the queue / subscription
   is deleted; CLOSED when done or after shutdown_timeout_ms. */
SIOC_API SIOC_NODISCARD sioc_result sioc_cluster_close(sioc_cluster *c, uint64_t now_ms);
/* Collect finished requests, feed received messages to the node, submit what is due (publishes, settles,
   receives, retries) and run the node's timers. Call after moving bytes and after every node operation. */
SIOC_API void sioc_cluster_process(sioc_cluster *c, uint64_t now_ms);
/* Earliest time process() has work (node, engine and retry timers; now_ms when there is work already). */
SIOC_API uint64_t sioc_cluster_next_deadline(const sioc_cluster *c, uint64_t now_ms);
/* 1 when nothing the node queued waits to be published or is in flight. */
SIOC_API int sioc_cluster_idle(const sioc_cluster *c);
#if SIOC_ENABLE_POSIX
/* One loop turn over the member's POSIX sockets: process, wait in poll() until a socket or a timer is due or
   max_wait_ms passed, move the bytes, process again; drain sioc_node_next_event after it. SIOC_OK while the member
   lives, SIOC_ERR_CLOSED once it is CLOSED, the reason once FAILED (SIOC_ERR_AUTH, ...); SIOC_ERR_STATE with own_io. */
SIOC_API sioc_result sioc_cluster_run_posix(sioc_cluster *c, uint32_t max_wait_ms);
/* The member's POSIX backend (descriptors for your own poll / epoll: sioc_posix_fds, then sioc_posix_step and
   sioc_cluster_process), NULL with own_io. */
SIOC_API sioc_posix *sioc_cluster_posix(sioc_cluster *c);
#endif

/* ---- accessors ---- */
SIOC_API sioc_node *sioc_cluster_node(sioc_cluster *c);            /* sockets, operations, events */
SIOC_API sioc_http_client *sioc_cluster_http(sioc_cluster *c);     /* the engine, for programs moving bytes */
SIOC_API sioc_cluster_transport sioc_cluster_get_transport(const sioc_cluster *c);
SIOC_API sioc_cluster_state sioc_cluster_get_state(const sioc_cluster *c);
SIOC_API sioc_result sioc_cluster_last_error(const sioc_cluster *c);
/* The last failure in words (an init that failed too: which field, which build; a request: host:port and reason);
   "" when none. Never holds a secret. */
SIOC_API const char *sioc_cluster_last_detail(const sioc_cluster *c);
SIOC_API const sioc_cluster_stats *sioc_cluster_get_stats(const sioc_cluster *c);
SIOC_API const char *sioc_cluster_uid(const sioc_cluster *c);      /* 16 hex, or "emitter" */
SIOC_API const char *sioc_cluster_queue_name(const sioc_cluster *c); /* queue / subscription, "" when none */
/* Sequence of the last message the node queued (0: none yet) and the highest one with an outcome. */
SIOC_API uint64_t sioc_cluster_queued_seq(const sioc_cluster *c);
SIOC_API uint64_t sioc_cluster_published_seq(const sioc_cluster *c);
/* "ReceiveMessage" (AWS) / "Receive" (Azure), ...; "?" out of range. */
SIOC_API const char *sioc_cluster_op_name(const sioc_cluster *c, int op);
/* "IDLE", "STARTING", ... */
SIOC_API const char *sioc_cluster_state_name(int state);
#if SIOC_ENABLE_AWS
/* Rotate temporary AWS keys (borrowed as in the desc). */
SIOC_API void sioc_cluster_set_aws_credentials(sioc_cluster *c, const sioc_sigv4_credentials *creds);
#endif

#endif /* SIOC_ENABLE_AWS || SIOC_ENABLE_AZURE */
/* ---- src/public_end.h ---- */
#ifdef __cplusplus
}
#endif
#endif /* SIO_CLUSTER_H */

#if defined(SIO_CLUSTER_IMPLEMENTATION) && !defined(SIOC__IMPL_DONE)
#define SIOC__IMPL_DONE
/* ---- src/internal.h ---- */
/* ---- internal: private declarations shared by the implementation pieces ----
   Everything here is static (one translation unit in the amalgamation) and named sioc__ / SIOC__. When a src .c
   file is compiled on its own (amalgamate.py --check), this file pulls in the public headers it depends on. */

#include <string.h>

#ifndef SIOC_ASSERT
#include <assert.h>
#define SIOC_ASSERT(x) assert(x)
#endif

#if SIOC_ENABLE_LIBC_MALLOC
#include <stdlib.h>
#endif

#if defined(__GNUC__) || defined(__clang__)
#define SIOC__FN static __attribute__((unused))
#else
#define SIOC__FN static
#endif

/* Keeps a small helper with several callers out of line in a size build (gcc -Os would copy it into each caller);
   a speed build inlines it. */
#if defined(__OPTIMIZE_SIZE__) && (defined(__GNUC__) || defined(__clang__))
#define SIOC__OUTLINE __attribute__((noinline))
#else
#define SIOC__OUTLINE
#endif

#define SIOC__MIN(a, b) ((a) < (b) ? (a) : (b))
#define SIOC__MAX(a, b) ((a) > (b) ? (a) : (b))
#define SIOC__COUNT(a) (sizeof(a) / sizeof((a)[0]))

/* Byte order: the wire formats are big-endian (msgpack, SHA-256) whatever the host is. */
SIOC__FN uint32_t sioc__load_be32(const uint8_t *p) {
    return ((uint32_t)p[0] << 24) | ((uint32_t)p[1] << 16) | ((uint32_t)p[2] << 8) | (uint32_t)p[3];
}
SIOC__FN uint16_t sioc__load_be16(const uint8_t *p) { return (uint16_t)(((unsigned)p[0] << 8) | p[1]); }
SIOC__FN uint64_t sioc__load_be64(const uint8_t *p) {
    return ((uint64_t)sioc__load_be32(p) << 32) | sioc__load_be32(p + 4);
}
SIOC__FN void sioc__store_be32(uint8_t *p, uint32_t v) {
    p[0] = (uint8_t)(v >> 24);
    p[1] = (uint8_t)(v >> 16);
    p[2] = (uint8_t)(v >> 8);
    p[3] = (uint8_t)v;
}
SIOC__FN void sioc__store_be16(uint8_t *p, uint16_t v) {
    p[0] = (uint8_t)(v >> 8);
    p[1] = (uint8_t)v;
}
SIOC__FN void sioc__store_be64(uint8_t *p, uint64_t v) {
    sioc__store_be32(p, (uint32_t)(v >> 32));
    sioc__store_be32(p + 4, (uint32_t)v);
}

/* Detail texts (SIOC_DETAIL_SIZE): start one over a char array, append with sioc_buf_*, end it (NUL, truncated).
   With SIOC_ENABLE_ERROR_STRINGS 0 the texts stay empty. */
SIOC__FN void sioc__detail_start(sioc_buf *b, char *dst, size_t cap) {
    sioc_buf_init(b, dst, SIOC_ENABLE_ERROR_STRINGS ? cap - 1 : 0);
    dst[0] = 0;
}
SIOC__FN void sioc__detail_end(sioc_buf *b) {
    if (b->cap) b->data[SIOC__MIN(b->len, b->cap)] = 0;
}
/* The tail of a failed call's detail: the engine's own detail when it has one, else "HTTP <status> <code>[: <message>]"
   (code falls back to the result's name), else the result's name alone. Shared by the AWS and Service Bus clients. */
SIOC__FN void sioc__detail_reply(sioc_buf *b, const char *engine_detail, int status, sioc_result result,
                                 const char *code, const char *message) {
    if (engine_detail[0]) {
        sioc_buf_puts(b, engine_detail);
    } else if (status) {
        sioc_buf_puts(b, "HTTP ");
        sioc_buf_put_u64(b, (uint64_t)status);
        sioc_buf_putc(b, ' ');
        sioc_buf_puts(b, code[0] ? code : sioc_strerror(result));
        if (message[0]) {
            sioc_buf_puts(b, ": ");
            sioc_buf_puts(b, message);
        }
    } else {
        sioc_buf_puts(b, sioc_strerror(result));
    }
}
/* host:port, with brackets around an IPv6 literal. */
SIOC__FN void sioc__put_hostport(sioc_buf *b, const char *host, uint16_t port) {
    int v6 = strchr(host, ':') != NULL && host[0] != '[';
    if (v6) sioc_buf_putc(b, '[');
    sioc_buf_puts(b, host);
    if (v6) sioc_buf_putc(b, ']');
    sioc_buf_putc(b, ':');
    sioc_buf_put_u64(b, port);
}
/* A whole detail text from up to three pieces (NULL pieces are left out). */
SIOC__FN void sioc__detail_set(char *dst, size_t cap, const char *a, const char *b2, const char *c) {
    sioc_buf b;
    sioc__detail_start(&b, dst, cap);
    if (a) sioc_buf_puts(&b, a);
    if (b2) sioc_buf_puts(&b, b2);
    if (c) sioc_buf_puts(&b, c);
    sioc__detail_end(&b);
}
/* Without SIOC_ENABLE_ERROR_STRINGS the texts would land in an empty detail anyway: leave them out of the binary.
   SIOC__TEXT does the same for one literal passed elsewhere. */
#define SIOC__TEXT(s) (SIOC_ENABLE_ERROR_STRINGS ? (s) : "")
#define SIOC__TEXT_OR_NULL(s) (SIOC_ENABLE_ERROR_STRINGS ? (const char *)(s) : (const char *)0)
#define sioc__detail_set(dst, cap, a, b2, c) \
    (sioc__detail_set)(dst, cap, SIOC__TEXT_OR_NULL(a), SIOC__TEXT_OR_NULL(b2), SIOC__TEXT_OR_NULL(c))

#if SIOC_TLS != SIOC_TLS_NONE
#include <stdio.h>
#include <stdlib.h>
/* The system trust store of a TLS build without ca_pem / ca_file: $SSL_CERT_FILE when set, else the first readable
   well-known bundle (Debian/Ubuntu/Alpine, Fedora/RHEL, openSUSE, macOS/BSD, FreeBSD); NULL when there is none. */
SIOC__FN const char *sioc__tls_system_ca(void) {
    static const char *const paths[] = {"/etc/ssl/certs/ca-certificates.crt", "/etc/pki/tls/certs/ca-bundle.crt",
                                        "/etc/ssl/ca-bundle.pem", "/etc/ssl/cert.pem",
                                        "/usr/local/share/certs/ca-root-nss.crt"};
    const char *env = getenv("SSL_CERT_FILE");
    size_t i;
    if (env && env[0]) return env;
    for (i = 0; i < SIOC__COUNT(paths); i++) {
        FILE *f = fopen(paths[i], "rb");
        if (f) {
            fclose(f);
            return paths[i];
        }
    }
    return NULL;
}
#endif

/* ASCII helpers that ignore the C locale. */
SIOC__FN int sioc__is_digit(int c) { return c >= '0' && c <= '9'; }
SIOC__FN int sioc__to_lower(int c) { return (c >= 'A' && c <= 'Z') ? c + 32 : c; }
/* 1 when c is one of set's characters (NUL never is); and 1 when s starts with prefix. Ours rather than strchr /
   strncmp: newlib-nano's cost a small device over 300 B for a handful of calls. */
SIOC__FN int sioc__in_set(const char *set, int c) {
    while (*set)
        if (*set++ == c) return 1;
    return 0;
}
SIOC__FN int sioc__starts(const char *s, const char *prefix) {
    while (*prefix)
        if (*s++ != *prefix++) return 0;
    return 1;
}
/* strcmp for the library's own short names: a byte loop, where newlib's word-wise strcmp takes 700 bytes of
   Cortex-M flash. */
SIOC__FN int sioc__strcmp(const char *a, const char *b) {
    while (*a && *a == *b) a++, b++;
    return (int)(unsigned char)*a - (int)(unsigned char)*b;
}
/* Value of a hex digit, or -1. */
SIOC__FN int sioc__hex_val(int c) {
    if (c >= '0' && c <= '9') return c - '0';
    if (c >= 'a' && c <= 'f') return c - 'a' + 10;
    if (c >= 'A' && c <= 'F') return c - 'A' + 10;
    return -1;
}
/* Length of the well-formed UTF-8 sequence at p (first byte >= 0x80), or 0 (Unicode Table 3-7: no overlongs,
   no surrogates, nothing above U+10FFFF). */
SIOC__FN size_t sioc__utf8_seq(const uint8_t *p, size_t avail) {
    unsigned c = p[0], lo = 0x80, hi = 0xBF;
    if (c >= 0xC2 && c <= 0xDF) return (avail >= 2 && (p[1] & 0xC0) == 0x80) ? 2 : 0;
    if (c >= 0xE0 && c <= 0xEF) {
        if (c == 0xE0) lo = 0xA0;
        if (c == 0xED) hi = 0x9F;
        return (avail >= 3 && p[1] >= lo && p[1] <= hi && (p[2] & 0xC0) == 0x80) ? 3 : 0;
    }
    if (c >= 0xF0 && c <= 0xF4) {
        if (c == 0xF0) lo = 0x90;
        if (c == 0xF4) hi = 0x8F;
        return (avail >= 4 && p[1] >= lo && p[1] <= hi && (p[2] & 0xC0) == 0x80 && (p[3] & 0xC0) == 0x80) ? 4 : 0;
    }
    return 0;
}

/* n / d, and n % d in *rem, for a 32-bit divisor, in 32-bit steps (base 2^16 for d < 2^16, else bit by bit). On
   32-bit targets a 64-bit `/` calls libgcc's 64-bit division: 700 bytes of Cortex-M flash for a few dates and
   decimals. */
SIOC__FN uint64_t sioc__udiv64_steps(uint64_t n, uint32_t d, uint32_t *rem) {
    uint64_t q = 0;
    uint32_t r = 0;
    int i;
    if (!(n >> 32)) {
        *rem = (uint32_t)n % d;
        return (uint32_t)n / d;
    }
    if (d <= 0xFFFFu) {
        for (i = 48; i >= 0; i -= 16) { /* r < d: (r << 16 | next 16 bits) fits 32 bits */
            uint32_t cur = (r << 16) | (uint32_t)((n >> i) & 0xFFFFu);
            q = (q << 16) | (cur / d);
            r = cur % d;
        }
    } else {
        for (i = 63; i >= 0; i--) { /* r < d < 2^32: one more bit fits 33 bits, kept as a carry */
            uint32_t top = r >> 31;
            r = (r << 1) | (uint32_t)((n >> i) & 1u);
            q <<= 1;
            if (top || r >= d) r -= d, q |= 1u;
        }
    }
    *rem = r;
    return q;
}

/* n / d and n % d: native where registers are 64 bits wide, else the steps above. */
SIOC__FN uint64_t sioc__udiv64(uint64_t n, uint32_t d, uint32_t *rem) {
#if SIZE_MAX > 0xFFFFFFFFu
    *rem = (uint32_t)(n % d);
    return n / d;
#else
    return sioc__udiv64_steps(n, d, rem);
#endif
}

/* Floor division of a signed n (the remainder in [0, d)), as the date algorithms need. */
SIOC__FN int64_t sioc__fdiv64(int64_t n, uint32_t d, uint32_t *rem) {
    uint64_t q;
    uint32_t r;
    if (n >= 0) return (int64_t)sioc__udiv64((uint64_t)n, d, rem);
    q = sioc__udiv64((uint64_t)0 - (uint64_t)n - 1u, d, &r); /* -n - 1 = q d + r  =>  n = -(q + 1) d + (d - 1 - r) */
    *rem = d - 1u - r;
    return -(int64_t)q - 1;
}

/* Days since 1970-01-01 -> proleptic Gregorian civil date (H. Hinnant's era-based algorithm), integer-only. */
SIOC__FN void sioc__civil_from_days(int64_t z, int64_t *y, unsigned *m, unsigned *d) {
    int64_t era;
    uint32_t r;
    unsigned doe, yoe, doy, mp;
    z += 719468;
    era = sioc__fdiv64(z, 146097u, &r);
    doe = (unsigned)r;
    yoe = (doe - doe / 1460u + doe / 36524u - doe / 146096u) / 365u;
    doy = doe - (365u * yoe + yoe / 4u - yoe / 100u);
    mp = (5u * doy + 2u) / 153u;
    *d = doy - (153u * mp + 2u) / 5u + 1u;
    *m = mp < 10 ? mp + 3 : mp - 9;
    *y = (int64_t)yoe + era * 400 + (*m <= 2);
}

/* Copy into a fixed char array, cut on a UTF-8 character boundary, always NUL-terminated (cap > 0). */
SIOC__FN void sioc__copy_fixed(char *dst, size_t cap, sioc_str s) {
    size_t n = SIOC__MIN(s.len, cap - 1);
    if (n < s.len)
        while (n > 0 && ((unsigned char)s.ptr[n] & 0xC0) == 0x80) n--; /* do not split a sequence */
    if (n) memcpy(dst, s.ptr, n);
    dst[n] = 0;
}

/* Clears key material. A plain memset of a buffer nobody reads again is a dead store the optimiser may drop (gcc
   -Os dropped the SigV4 signing key's), so the stores are made observable: an empty asm that may read the memory,
   or, without GNU C, volatile byte stores. */
SIOC__FN void sioc__wipe(void *p, size_t n) {
#if defined(__GNUC__) || defined(__clang__)
    memset(p, 0, n);
    __asm__ __volatile__("" : : "r"(p) : "memory");
#else
    volatile uint8_t *v = (volatile uint8_t *)p;
    while (n--) *v++ = 0;
#endif
}

/* FNV-1a, 64-bit, from h (the offset basis SIOC__FNV64_BASIS, or a keyed start). */
#define SIOC__FNV64_BASIS 0xcbf29ce484222325ull
SIOC__FN uint64_t sioc__fnv1a64(uint64_t h, const char *s, size_t n) {
    size_t i;
    for (i = 0; i < n; i++) h = (h ^ (uint8_t)s[i]) * 0x100000001b3ull;
    return h;
}

/* Offsets inside one allocated block: 16-byte steps keep every member type aligned. */
SIOC__FN size_t sioc__align16(size_t n) { return (n + 15u) & ~(size_t)15u; }

/* Four bytes from the caller's random callback as a number (jitter, ids). */
SIOC__FN uint32_t sioc__rand32(sioc_result (*random)(void *user, void *buf, size_t len), void *user) {
    uint8_t b[4] = {0, 0, 0, 0};
    (void)random(user, b, 4);
    return sioc__load_be32(b);
}

/* When to retry after the `attempts`-th failure in a row: capped exponential backoff with full jitter above a
   floor (never a hot loop): now + floor + uniform[0, min(cap, base * 2^(attempts-1))]. */
SIOC__FN uint64_t sioc__backoff_at(uint64_t now, int attempts, uint32_t base_ms, uint32_t cap_ms, uint64_t floor_ms,
                                   uint32_t random32) {
    int shift = attempts > 21 ? 20 : (attempts > 0 ? attempts - 1 : 0);
    uint64_t window = (uint64_t)base_ms << shift;
    if (window > cap_ms) window = cap_ms;
    return now + floor_ms + (window >= 0xFFFFFFFFu ? random32 : random32 % (uint32_t)(window + 1u));
}

/* The struct that holds a member at address p (intrusive containers). */
#define SIOC__CONTAINER(p, type, member) ((type *)(void *)((char *)(p) - offsetof(type, member)))

/* sioc_queue: append, take the oldest (NULL when empty), unlink one anywhere (0 when not queued). */
SIOC__FN void sioc__queue_push(sioc_queue *q, sioc_qlink *l) {
    l->p_next = NULL;
    if (q->p_tail)
        q->p_tail->p_next = l;
    else
        q->p_head = l;
    q->p_tail = l;
}
SIOC__FN sioc_qlink *sioc__queue_pop(sioc_queue *q) {
    sioc_qlink *l = q->p_head;
    if (!l) return NULL;
    q->p_head = l->p_next;
    if (!q->p_head) q->p_tail = NULL;
    l->p_next = NULL;
    return l;
}
SIOC__FN int sioc__queue_remove(sioc_queue *q, sioc_qlink *l) {
    sioc_qlink **pp = &q->p_head, *prev = NULL;
    while (*pp && *pp != l) {
        prev = *pp;
        pp = &(*pp)->p_next;
    }
    if (!*pp) return 0;
    *pp = l->p_next;
    if (q->p_tail == l) q->p_tail = prev;
    l->p_next = NULL;
    return 1;
}

/* Allocation through the object's hook, falling back to malloc/free when allowed. */
SIOC__FN void *sioc__alloc(const sioc_allocator *a, size_t n) {
    if (a && a->alloc) return a->alloc(n, a->user);
#if SIOC_ENABLE_LIBC_MALLOC
    return malloc(n);
#else
    return NULL;
#endif
}
SIOC__FN void sioc__free(const sioc_allocator *a, void *p, size_t n) {
    if (!p) return;
    if (a && a->free) {
        a->free(p, n, a->user);
        return;
    }
#if SIOC_ENABLE_LIBC_MALLOC
    (void)n;
    free(p);
#endif
}
/* ---- src/base.c ---- */
/* ---- base.c ---- */

SIOC_API const char *sioc_strerror(sioc_result r) {
#if SIOC_ENABLE_ERROR_STRINGS
    switch (r) {
#define SIOC__CASE(name, value, text) \
    case name:                        \
        return text;
        SIOC__RESULTS(SIOC__CASE)
#undef SIOC__CASE
    default:
        break;
    }
    return "unknown result code";
#else
    (void)r;
    return "";
#endif
}

SIOC_API sioc_str sioc_str_n(const char *p, size_t len) {
    sioc_str v;
    v.ptr = p;
    v.len = len;
    return v;
}

SIOC_API sioc_bytes sioc_bytes_n(const void *p, size_t len) {
    sioc_bytes v;
    v.ptr = (const uint8_t *)p;
    v.len = len;
    return v;
}

SIOC_API sioc_str sioc_str_c(const char *s) {
    sioc_str v;
    v.ptr = s ? s : "";
    v.len = s ? strlen(s) : 0;
    return v;
}

SIOC_API int sioc_str_eq(sioc_str a, sioc_str b) {
    return a.len == b.len && (a.len == 0 || memcmp(a.ptr, b.ptr, a.len) == 0);
}

SIOC_API void sioc_buf_init(sioc_buf *b, void *mem, size_t cap) {
    b->data = (uint8_t *)mem;
    b->cap = mem ? cap : 0;
    b->len = 0;
    b->err = SIOC_OK;
}

SIOC_API void sioc_buf_put(sioc_buf *b, const void *p, size_t n) {
    if (b->len < b->cap && n > 0) memcpy(b->data + b->len, p, SIOC__MIN(n, b->cap - b->len));
    b->len = (b->len + n < b->len) ? (size_t)-1 : b->len + n; /* saturate: never wrap around */
}

SIOC_API void sioc_buf_putc(sioc_buf *b, char c) {
    if (b->len < b->cap) b->data[b->len] = (uint8_t)c;
    if (b->len != (size_t)-1) b->len++;
}

SIOC_API void sioc_buf_puts(sioc_buf *b, const char *s) { sioc_buf_put(b, s, strlen(s)); }

SIOC_API void sioc_buf_put_u64(sioc_buf *b, uint64_t v) {
    char tmp[20];
    size_t i = sizeof tmp;
    do {
        uint32_t digit;
        v = sioc__udiv64(v, 10u, &digit);
        tmp[--i] = (char)('0' + (int)digit);
    } while (v != 0);
    sioc_buf_put(b, tmp + i, sizeof tmp - i);
}

SIOC_API void sioc_buf_put_i64(sioc_buf *b, int64_t v) {
    if (v < 0) {
        sioc_buf_putc(b, '-');
        sioc_buf_put_u64(b, (uint64_t)0 - (uint64_t)v); /* well defined for INT64_MIN too */
    } else {
        sioc_buf_put_u64(b, (uint64_t)v);
    }
}

SIOC_API void *sioc_buf_reserve(sioc_buf *b, size_t n) {
    void *p;
    if (!b) return NULL; /* callers with optional scratch space pass NULL for "none" */
    if (b->len > b->cap || b->cap - b->len < n) {
        b->len = (b->len + n < b->len) ? (size_t)-1 : b->len + n;
        return NULL;
    }
    p = b->data + b->len;
    b->len += n;
    return p;
}

SIOC_API void sioc_buf_fail(sioc_buf *b, sioc_result err) {
    if (b->err == SIOC_OK) b->err = err;
}

SIOC_API sioc_result sioc_buf_result(const sioc_buf *b) {
    if (b->err != SIOC_OK) return b->err;
    return b->len > b->cap ? SIOC_ERR_BUFFER_TOO_SMALL : SIOC_OK;
}

SIOC_API void sioc_bq_init(sioc_bq *q, void *mem, size_t cap) {
    q->buf = (uint8_t *)mem;
    q->cap = mem ? cap : 0;
    q->head = q->tail = 0;
}

SIOC_API size_t sioc_bq_len(const sioc_bq *q) { return q->tail - q->head; }

SIOC_API const uint8_t *sioc_bq_peek(const sioc_bq *q, size_t *out_len) {
    *out_len = q->tail - q->head;
    return q->buf + q->head;
}

SIOC_API void sioc_bq_consume(sioc_bq *q, size_t n) {
    SIOC_ASSERT(n <= q->tail - q->head);
    q->head += n;
    if (q->head == q->tail) q->head = q->tail = 0; /* empty: restart at the front for free */
}

SIOC_API uint8_t *sioc_bq_reserve(sioc_bq *q, size_t *out_room) {
    if (q->head > 0 && q->tail == q->cap) { /* only move bytes when the tail is stuck at the end */
        memmove(q->buf, q->buf + q->head, q->tail - q->head);
        q->tail -= q->head;
        q->head = 0;
    }
    *out_room = q->cap - q->tail;
    return q->buf + q->tail;
}

SIOC_API void sioc_bq_commit(sioc_bq *q, size_t n) {
    SIOC_ASSERT(n <= q->cap - q->tail);
    q->tail += n;
}

SIOC_API sioc_result sioc_bq_write(sioc_bq *q, const void *p, size_t n) {
    size_t room;
    uint8_t *dst;
    if (n > q->cap - (q->tail - q->head)) return SIOC_ERR_BUFFER_TOO_SMALL;
    dst = sioc_bq_reserve(q, &room);
    if (room < n) { /* enough space in total, but split: compact now */
        memmove(q->buf, q->buf + q->head, q->tail - q->head);
        q->tail -= q->head;
        q->head = 0;
        dst = q->buf + q->tail;
    }
    if (n) memcpy(dst, p, n);
    q->tail += n;
    return SIOC_OK;
}
/* ---- src/crypto.c ---- */
/* ---- crypto.c ---- */

/* SHA-256 (FIPS 180-4 section 6.2). Written for clarity; a 64-entry message schedule on the stack. */
static const uint32_t sioc__sha256_k[64] = {
    0x428a2f98u, 0x71374491u, 0xb5c0fbcfu, 0xe9b5dba5u, 0x3956c25bu, 0x59f111f1u, 0x923f82a4u, 0xab1c5ed5u,
    0xd807aa98u, 0x12835b01u, 0x243185beu, 0x550c7dc3u, 0x72be5d74u, 0x80deb1feu, 0x9bdc06a7u, 0xc19bf174u,
    0xe49b69c1u, 0xefbe4786u, 0x0fc19dc6u, 0x240ca1ccu, 0x2de92c6fu, 0x4a7484aau, 0x5cb0a9dcu, 0x76f988dau,
    0x983e5152u, 0xa831c66du, 0xb00327c8u, 0xbf597fc7u, 0xc6e00bf3u, 0xd5a79147u, 0x06ca6351u, 0x14292967u,
    0x27b70a85u, 0x2e1b2138u, 0x4d2c6dfcu, 0x53380d13u, 0x650a7354u, 0x766a0abbu, 0x81c2c92eu, 0x92722c85u,
    0xa2bfe8a1u, 0xa81a664bu, 0xc24b8b70u, 0xc76c51a3u, 0xd192e819u, 0xd6990624u, 0xf40e3585u, 0x106aa070u,
    0x19a4c116u, 0x1e376c08u, 0x2748774cu, 0x34b0bcb5u, 0x391c0cb3u, 0x4ed8aa4au, 0x5b9cca4fu, 0x682e6ff3u,
    0x748f82eeu, 0x78a5636fu, 0x84c87814u, 0x8cc70208u, 0x90befffau, 0xa4506cebu, 0xbef9a3f7u, 0xc67178f2u};

#define SIOC__ROR(x, n) (((x) >> (n)) | ((x) << (32 - (n))))

static void sioc__sha256_block(uint32_t h[8], const uint8_t *p) {
    uint32_t w[64], a, b, c, d, e, f, g, hh, t1, t2;
    int i;
    for (i = 0; i < 16; i++) w[i] = sioc__load_be32(p + 4 * i);
    for (i = 16; i < 64; i++) {
        uint32_t s0 = SIOC__ROR(w[i - 15], 7) ^ SIOC__ROR(w[i - 15], 18) ^ (w[i - 15] >> 3);
        uint32_t s1 = SIOC__ROR(w[i - 2], 17) ^ SIOC__ROR(w[i - 2], 19) ^ (w[i - 2] >> 10);
        w[i] = w[i - 16] + s0 + w[i - 7] + s1;
    }
    a = h[0], b = h[1], c = h[2], d = h[3], e = h[4], f = h[5], g = h[6], hh = h[7];
    for (i = 0; i < 64; i++) {
        t1 = hh + (SIOC__ROR(e, 6) ^ SIOC__ROR(e, 11) ^ SIOC__ROR(e, 25)) + ((e & f) ^ (~e & g)) + sioc__sha256_k[i] + w[i];
        t2 = (SIOC__ROR(a, 2) ^ SIOC__ROR(a, 13) ^ SIOC__ROR(a, 22)) + ((a & b) ^ (a & c) ^ (b & c));
        hh = g, g = f, f = e, e = d + t1, d = c, c = b, b = a, a = t1 + t2;
    }
    h[0] += a, h[1] += b, h[2] += c, h[3] += d, h[4] += e, h[5] += f, h[6] += g, h[7] += hh;
}

/* The 64-byte block buffering SHA-256, SHA-1 and MD5 share: h is the chaining state, block/used the partial block,
   total the bytes so far; fn compresses one block. */
typedef void (*sioc__block_fn)(uint32_t *h, const uint8_t *p);

static void sioc__md_update(sioc__block_fn fn, uint32_t *h, uint8_t block[64], size_t *used, uint64_t *total,
                            const void *data, size_t len) {
    const uint8_t *p = (const uint8_t *)data;
    *total += len;
    if (*used) { /* top up a partial block first */
        size_t take = SIOC__MIN(len, 64 - *used);
        memcpy(block + *used, p, take);
        *used += take, p += take, len -= take;
        if (*used < 64) return;
        fn(h, block);
        *used = 0;
    }
    for (; len >= 64; p += 64, len -= 64) fn(h, p);
    if (len) memcpy(block, p, len);
    *used = len;
}

/* The padding: 0x80, zeros, the length in bits in the last 8 bytes (big-endian for SHA, little-endian for MD5). */
static void sioc__md_pad(sioc__block_fn fn, uint32_t *h, uint8_t block[64], size_t used, uint64_t total, int big_endian) {
    uint64_t bits = total * 8u;
    int i;
    block[used++] = 0x80;
    if (used > 56) { /* no room for the length: pad this block out and use one more */
        memset(block + used, 0, 64 - used);
        fn(h, block);
        used = 0;
    }
    memset(block + used, 0, 56 - used);
    if (big_endian) sioc__store_be64(block + 56, bits);
    else
        for (i = 0; i < 8; i++) block[56 + i] = (uint8_t)(bits >> (8 * i));
    fn(h, block);
}

SIOC_API void sioc_sha256_init(sioc_sha256_ctx *s) {
    static const uint32_t iv[8] = {0x6a09e667u, 0xbb67ae85u, 0x3c6ef372u, 0xa54ff53au,
                                   0x510e527fu, 0x9b05688cu, 0x1f83d9abu, 0x5be0cd19u};
    memcpy(s->h, iv, sizeof iv);
    s->total = 0;
    s->used = 0;
}

SIOC_API void sioc_sha256_update(sioc_sha256_ctx *s, const void *data, size_t len) {
    sioc__md_update(sioc__sha256_block, s->h, s->block, &s->used, &s->total, data, len);
}

SIOC_API void sioc_sha256_final(sioc_sha256_ctx *s, uint8_t out[SIOC_SHA256_LEN]) {
    int i;
    sioc__md_pad(sioc__sha256_block, s->h, s->block, s->used, s->total, 1);
    for (i = 0; i < 8; i++) sioc__store_be32(out + 4 * i, s->h[i]);
    sioc__wipe(s, sizeof *s); /* the state may derive from a key (HMAC) */
}

SIOC_API void sioc_sha256(const void *data, size_t len, uint8_t out[SIOC_SHA256_LEN]) {
    sioc_sha256_ctx s;
    sioc_sha256_init(&s);
    sioc_sha256_update(&s, data, len);
    sioc_sha256_final(&s, out);
}

/* SHA-1 (FIPS 180-4 section 6.1): the WebSocket accept key needs it. The buffering is SHA-256's (sioc__md_*). */
#define SIOC__ROL(x, n) (((x) << (n)) | ((x) >> (32 - (n))))

static void sioc__sha1_block(uint32_t h[5], const uint8_t *p) {
    uint32_t w[80], a = h[0], b = h[1], c = h[2], d = h[3], e = h[4], f, k, t;
    int i;
    for (i = 0; i < 16; i++) w[i] = sioc__load_be32(p + 4 * i);
    for (i = 16; i < 80; i++) w[i] = SIOC__ROL(w[i - 3] ^ w[i - 8] ^ w[i - 14] ^ w[i - 16], 1);
    for (i = 0; i < 80; i++) {
        if (i < 20) f = (b & c) | (~b & d), k = 0x5a827999u;
        else if (i < 40) f = b ^ c ^ d, k = 0x6ed9eba1u;
        else if (i < 60) f = (b & c) | (b & d) | (c & d), k = 0x8f1bbcdcu;
        else f = b ^ c ^ d, k = 0xca62c1d6u;
        t = SIOC__ROL(a, 5) + f + e + k + w[i];
        e = d, d = c, c = SIOC__ROL(b, 30), b = a, a = t;
    }
    h[0] += a, h[1] += b, h[2] += c, h[3] += d, h[4] += e;
}

SIOC_API void sioc_sha1_init(sioc_sha1_ctx *s) {
    s->h[0] = 0x67452301u, s->h[1] = 0xefcdab89u, s->h[2] = 0x98badcfeu, s->h[3] = 0x10325476u;
    s->h[4] = 0xc3d2e1f0u;
    s->total = 0;
    s->used = 0;
}

SIOC_API void sioc_sha1_update(sioc_sha1_ctx *s, const void *data, size_t len) {
    sioc__md_update(sioc__sha1_block, s->h, s->block, &s->used, &s->total, data, len);
}

SIOC_API void sioc_sha1_final(sioc_sha1_ctx *s, uint8_t out[SIOC_SHA1_LEN]) {
    int i;
    sioc__md_pad(sioc__sha1_block, s->h, s->block, s->used, s->total, 1);
    for (i = 0; i < 5; i++) sioc__store_be32(out + 4 * i, s->h[i]);
    memset(s, 0, sizeof *s);
}

SIOC_API void sioc_sha1(const void *data, size_t len, uint8_t out[SIOC_SHA1_LEN]) {
    sioc_sha1_ctx s;
    sioc_sha1_init(&s);
    sioc_sha1_update(&s, data, len);
    sioc_sha1_final(&s, out);
}

/* MD5 (RFC 1321): four rounds of sixteen steps over little-endian words. K[i] = floor(2^32 * |sin(i + 1)|). */
static const uint32_t sioc__md5_k[64] = {
    0xd76aa478u, 0xe8c7b756u, 0x242070dbu, 0xc1bdceeeu, 0xf57c0fafu, 0x4787c62au, 0xa8304613u, 0xfd469501u,
    0x698098d8u, 0x8b44f7afu, 0xffff5bb1u, 0x895cd7beu, 0x6b901122u, 0xfd987193u, 0xa679438eu, 0x49b40821u,
    0xf61e2562u, 0xc040b340u, 0x265e5a51u, 0xe9b6c7aau, 0xd62f105du, 0x02441453u, 0xd8a1e681u, 0xe7d3fbc8u,
    0x21e1cde6u, 0xc33707d6u, 0xf4d50d87u, 0x455a14edu, 0xa9e3e905u, 0xfcefa3f8u, 0x676f02d9u, 0x8d2a4c8au,
    0xfffa3942u, 0x8771f681u, 0x6d9d6122u, 0xfde5380cu, 0xa4beea44u, 0x4bdecfa9u, 0xf6bb4b60u, 0xbebfbc70u,
    0x289b7ec6u, 0xeaa127fau, 0xd4ef3085u, 0x04881d05u, 0xd9d4d039u, 0xe6db99e5u, 0x1fa27cf8u, 0xc4ac5665u,
    0xf4292244u, 0x432aff97u, 0xab9423a7u, 0xfc93a039u, 0x655b59c3u, 0x8f0ccc92u, 0xffeff47du, 0x85845dd1u,
    0x6fa87e4fu, 0xfe2ce6e0u, 0xa3014314u, 0x4e0811a1u, 0xf7537e82u, 0xbd3af235u, 0x2ad7d2bbu, 0xeb86d391u};
static const uint8_t sioc__md5_r[16] = {7, 12, 17, 22, 5, 9, 14, 20, 4, 11, 16, 23, 6, 10, 15, 21};

static uint32_t sioc__load_le32(const uint8_t *p) {
    return (uint32_t)p[0] | ((uint32_t)p[1] << 8) | ((uint32_t)p[2] << 16) | ((uint32_t)p[3] << 24);
}

static void sioc__md5_block(uint32_t h[4], const uint8_t *p) {
    uint32_t a = h[0], b = h[1], c = h[2], d = h[3], f, t;
    int i, g;
    for (i = 0; i < 64; i++) {
        int round = i >> 4;
        if (round == 0) f = (b & c) | (~b & d), g = i;
        else if (round == 1) f = (d & b) | (~d & c), g = (5 * i + 1) & 15;
        else if (round == 2) f = b ^ c ^ d, g = (3 * i + 5) & 15;
        else f = c ^ (b | ~d), g = (7 * i) & 15;
        t = d, d = c, c = b;
        b += SIOC__ROL(a + f + sioc__md5_k[i] + sioc__load_le32(p + 4 * g), sioc__md5_r[round * 4 + (i & 3)]);
        a = t;
    }
    h[0] += a, h[1] += b, h[2] += c, h[3] += d;
}

SIOC_API void sioc_md5(const void *data, size_t len, uint8_t out[SIOC_MD5_LEN]) {
    uint32_t h[4] = {0x67452301u, 0xefcdab89u, 0x98badcfeu, 0x10325476u};
    uint8_t block[64];
    uint64_t total = 0;
    size_t used = 0, i;
    sioc__md_update(sioc__md5_block, h, block, &used, &total, data, len);
    sioc__md_pad(sioc__md5_block, h, block, used, total, 0);
    for (i = 0; i < 16; i++) out[i] = (uint8_t)(h[i / 4] >> (8 * (i % 4)));
}

/* HMAC (RFC 2104): H((K ^ opad) || H((K ^ ipad) || m)); both pads are absorbed at init so the context can be
   copied to reuse a key (SigV4 derives four keys in a row). */
SIOC_API void sioc_hmac_sha256_init(sioc_hmac_sha256_ctx *h, const void *key, size_t key_len) {
    uint8_t k[SIOC_SHA256_BLOCK], pad[SIOC_SHA256_BLOCK];
    size_t i;
    memset(k, 0, sizeof k);
    if (key_len > SIOC_SHA256_BLOCK)
        sioc_sha256(key, key_len, k);
    else if (key_len)
        memcpy(k, key, key_len);
    for (i = 0; i < SIOC_SHA256_BLOCK; i++) pad[i] = (uint8_t)(k[i] ^ 0x36u);
    sioc_sha256_init(&h->inner);
    sioc_sha256_update(&h->inner, pad, sizeof pad);
    for (i = 0; i < SIOC_SHA256_BLOCK; i++) pad[i] = (uint8_t)(k[i] ^ 0x5cu);
    sioc_sha256_init(&h->outer);
    sioc_sha256_update(&h->outer, pad, sizeof pad);
    sioc__wipe(k, sizeof k);
    sioc__wipe(pad, sizeof pad);
}

SIOC_API void sioc_hmac_sha256_update(sioc_hmac_sha256_ctx *h, const void *data, size_t len) {
    sioc_sha256_update(&h->inner, data, len);
}

SIOC_API void sioc_hmac_sha256_final(sioc_hmac_sha256_ctx *h, uint8_t out[SIOC_SHA256_LEN]) {
    uint8_t inner[SIOC_SHA256_LEN];
    sioc_sha256_final(&h->inner, inner);
    sioc_sha256_update(&h->outer, inner, sizeof inner);
    sioc_sha256_final(&h->outer, out);
    sioc__wipe(inner, sizeof inner);
}

SIOC_API void sioc_hmac_sha256(const void *key, size_t key_len, const void *data, size_t len,
                               uint8_t out[SIOC_SHA256_LEN]) {
    sioc_hmac_sha256_ctx h;
    sioc_hmac_sha256_init(&h, key, key_len);
    sioc_hmac_sha256_update(&h, data, len);
    sioc_hmac_sha256_final(&h, out);
}

SIOC_API int sioc_ct_equal(const void *a, const void *b, size_t n) {
    const volatile uint8_t *x = (const volatile uint8_t *)a, *y = (const volatile uint8_t *)b;
    uint8_t diff = 0;
    size_t i;
    for (i = 0; i < n; i++) diff = (uint8_t)(diff | (x[i] ^ y[i]));
    return diff == 0;
}

static const char sioc__hex_lower[] = "0123456789abcdef";

SIOC_API sioc_result sioc_hex_encode(const void *data, size_t n, char *out, size_t cap) {
    const uint8_t *p = (const uint8_t *)data;
    size_t i;
    if (n > (SIZE_MAX - 1) / 2 || cap < 2 * n + 1) return SIOC_ERR_BUFFER_TOO_SMALL;
    for (i = 0; i < n; i++) {
        out[2 * i] = sioc__hex_lower[p[i] >> 4];
        out[2 * i + 1] = sioc__hex_lower[p[i] & 15];
    }
    out[2 * n] = 0;
    return SIOC_OK;
}

SIOC_API sioc_result sioc_hex_decode(const char *hex, size_t len, uint8_t *out, size_t cap, size_t *out_len) {
    size_t i;
    if (out_len) *out_len = len / 2;
    if (len % 2) return SIOC_ERR_PARSE;
    if (cap < len / 2) return SIOC_ERR_BUFFER_TOO_SMALL;
    for (i = 0; i < len; i += 2) {
        int hi = sioc__hex_val((unsigned char)hex[i]), lo = sioc__hex_val((unsigned char)hex[i + 1]);
        if (hi < 0 || lo < 0) return SIOC_ERR_PARSE;
        out[i / 2] = (uint8_t)(hi << 4 | lo);
    }
    return SIOC_OK;
}

static const char sioc__b64[] = "ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789+/";

SIOC_API sioc_result sioc_base64_encode(const void *data, size_t n, char *out, size_t cap, size_t *out_len) {
    const uint8_t *p = (const uint8_t *)data;
    size_t need, i, o = 0;
    if (n > (SIZE_MAX / 4) * 3 - 3) return SIOC_ERR_RANGE;
    need = SIOC_BASE64_ENCODED_LEN(n);
    if (out_len) *out_len = need;
    if (cap < need + 1) return SIOC_ERR_BUFFER_TOO_SMALL;
    for (i = 0; i < n; i += 3) {
        uint8_t last[3]; /* the final 1 or 2 bytes, zero-filled to a quantum */
        const uint8_t *q = p + i;
        uint32_t v;
        if (n - i < 3) {
            last[1] = last[2] = 0;
            q = (const uint8_t *)memcpy(last, q, n - i);
        }
        v = (uint32_t)q[0] << 16 | (uint32_t)q[1] << 8 | q[2];
        out[o++] = sioc__b64[v >> 18];
        out[o++] = sioc__b64[(v >> 12) & 63];
        out[o++] = sioc__b64[(v >> 6) & 63];
        out[o++] = sioc__b64[v & 63];
    }
    if (n % 3) out[o - 1] = '='; /* padding over the characters of the zero fill */
    if (n % 3 == 1) out[o - 2] = '=';
    out[o] = 0;
    return SIOC_OK;
}

static int sioc__b64_val(int c) {
    if (c >= 'A' && c <= 'Z') return c - 'A';
    if (c >= 'a' && c <= 'z') return c - 'a' + 26;
    if (c >= '0' && c <= '9') return c - '0' + 52;
    if (c == '+') return 62;
    if (c == '/') return 63;
    return -1;
}

SIOC_API sioc_result sioc_base64_decode(const char *text, size_t len, uint8_t *out, size_t cap, size_t *out_len) {
    size_t i, o = 0, pad = 0, need;
    uint32_t acc = 0;
    if (out_len) *out_len = 0;
    if (len % 4) return SIOC_ERR_PARSE;
    if (len) pad = (text[len - 1] == '=') + (text[len - 1] == '=' && text[len - 2] == '=');
    need = len / 4 * 3 - pad;
    if (out_len) *out_len = need;
    if (cap < need) return SIOC_ERR_BUFFER_TOO_SMALL;
    /* everything before the padding must be alphabet ('=' only at the very end); out never overtakes text, so
       decoding in place works */
    for (i = 0; i < len - pad; i++) {
        int v = sioc__b64_val((unsigned char)text[i]);
        if (v < 0) return SIOC_ERR_PARSE;
        acc = acc << 6 | (uint32_t)v;
        if (i % 4 == 3) {
            out[o++] = (uint8_t)(acc >> 16);
            out[o++] = (uint8_t)(acc >> 8);
            out[o++] = (uint8_t)acc;
        }
    }
    /* a padded quad: 2 characters give 1 byte, 3 give 2; the unused bits must be zero (canonical form) */
    if (pad == 2) {
        if (acc & 15) return SIOC_ERR_PARSE;
        out[o] = (uint8_t)(acc >> 4);
    } else if (pad == 1) {
        if (acc & 3) return SIOC_ERR_PARSE;
        out[o++] = (uint8_t)(acc >> 10);
        out[o] = (uint8_t)(acc >> 2);
    }
    return SIOC_OK;
}

/* Characters left alone: RFC 3986 unreserved (AWS), plus ! ' ( ) * for encodeURIComponent, plus '/' for paths. */
static int sioc__pct_keep(unsigned char c, sioc_pct_mode mode) {
    if ((c >= 'A' && c <= 'Z') || (c >= 'a' && c <= 'z') || (c >= '0' && c <= '9')) return 1;
    if (c == '-' || c == '.' || c == '_' || c == '~') return 1;
    if (mode == SIOC_PCT_URI_COMPONENT) return c == '!' || c == '\'' || c == '(' || c == ')' || c == '*';
    if (mode == SIOC_PCT_PATH) return c == '/';
    return 0;
}

SIOC_API void sioc_pct_encode(sioc_buf *out, const char *s, size_t len, sioc_pct_mode mode) {
    static const char upper[] = "0123456789ABCDEF";
    size_t i, run = 0;
    for (i = 0; i < len; i++) {
        unsigned char c = (unsigned char)s[i];
        char esc[3];
        if (sioc__pct_keep(c, mode)) continue;
        sioc_buf_put(out, s + run, i - run); /* copy the unescaped run in one call */
        esc[0] = '%', esc[1] = upper[c >> 4], esc[2] = upper[c & 15];
        sioc_buf_put(out, esc, 3);
        run = i + 1;
    }
    sioc_buf_put(out, s + run, len - run);
}

SIOC_API sioc_result sioc_pct_decode(const char *s, size_t len, int plus_is_space, sioc_buf *out) {
    size_t i;
    for (i = 0; i < len; i++) {
        char c = s[i];
        if (c == '%') {
            int hi, lo;
            if (len - i < 3) return SIOC_ERR_PARSE;
            hi = sioc__hex_val((unsigned char)s[i + 1]);
            lo = sioc__hex_val((unsigned char)s[i + 2]);
            if (hi < 0 || lo < 0) return SIOC_ERR_PARSE;
            sioc_buf_putc(out, (char)(hi << 4 | lo));
            i += 2;
        } else {
            sioc_buf_putc(out, plus_is_space && c == '+' ? ' ' : c);
        }
    }
    return sioc_buf_result(out);
}
/* ---- src/json.c ---- */
/* ---- json.c ---- */

/* Implementation notes.
   Reader: a single loop with an explicit state; parents are linked through the token array (tok.parent) and the
   kind of each open container (array or object) sits in a bit stack of SIOC_MAX_JSON_DEPTH bits, so the syntax is
   still checked after the token array ran out (to report the count needed). Nothing recurses.

   JSONTestSuite (tests/vectors/json/test_parsing) i_ cases, as decided here:
     accepted (surrogate escapes, like JSON.parse; get_str gives WTF-8 for lone ones):
       i_object_key_lone_2nd_surrogate, i_string_1st_surrogate_but_2nd_missing,
       i_string_1st_valid_surrogate_2nd_invalid, i_string_incomplete_surrogate_and_escape_valid,
       i_string_incomplete_surrogate_pair, i_string_incomplete_surrogates_escape_valid,
       i_string_invalid_lonely_surrogate, i_string_invalid_surrogate, i_string_inverted_surrogates_U+1D11E,
       i_string_lone_second_surrogate
     accepted (syntax is valid; get_i64/get_f64 report SIOC_ERR_RANGE or round to 0):
       i_number_double_huge_neg_exp, i_number_huge_exp, i_number_neg_int_huge_exp, i_number_pos_double_huge_exp,
       i_number_real_neg_overflow, i_number_real_pos_overflow, i_number_real_underflow, i_number_too_big_neg_int,
       i_number_too_big_pos_int, i_number_very_big_negative_int
     rejected with SIOC_ERR_PARSE (not UTF-8 / not UTF-8 JSON text; RFC 8259 section 8.1 forbids the BOM):
       i_string_UTF-16LE_with_BOM, i_string_UTF-8_invalid_sequence, i_string_UTF8_surrogate_U+D800,
       i_string_invalid_utf-8, i_string_iso_latin_1, i_string_lone_utf8_continuation_byte,
       i_string_not_in_unicode_range, i_string_overlong_sequence_2_bytes, i_string_overlong_sequence_6_bytes,
       i_string_overlong_sequence_6_bytes_null, i_string_truncated-utf-8, i_string_utf16BE_no_BOM,
       i_string_utf16LE_no_BOM, i_structure_UTF-8_BOM_empty_object
     rejected with SIOC_ERR_LIMIT: i_structure_500_nested_arrays (depth over SIOC_MAX_JSON_DEPTH)
   Totals: 20 accepted, 15 rejected.

   Numbers: decimal -> double uses an exact fast path (integers up to 2^53, and Clinger's w * 10^e with one
   rounding when the compiler evaluates doubles in double precision) and otherwise a big decimal (800 digits plus
   a sticky bit) that is shifted by powers of two until it lies in [1/2, 1), then rounded to 53 bits. Double ->
   decimal is the exact shortest-digit algorithm of Steele & White / Burger & Dybvig on small big integers, with
   round-half-even boundaries and the closest (then even) last digit, which is what ECMA-262 Number::toString
   prints. Neither uses floating-point library calls, so both are locale-free and exact on every target. */

#define SIOC__JSON_NONE 0xFFFFFFFFu

/* ================================ reader ================================ */

static int sioc__json_ws(unsigned c) { return c == ' ' || c == '\t' || c == '\n' || c == '\r'; }

static int sioc__hex4(const uint8_t *p) {
    int a = sioc__hex_val(p[0]), b = sioc__hex_val(p[1]), c = sioc__hex_val(p[2]), d = sioc__hex_val(p[3]);
    if ((a | b | c | d) < 0) return -1;
    return (a << 12) | (b << 8) | (c << 4) | d;
}

/* The two-character escapes of RFC 8259 section 7, as (letter, byte) pairs; '/' is read but never written. */
static const char sioc__json_esc_pairs[] = "\"\"\\\\b\bf\fn\nr\rt\t//";

/* The byte an escape letter stands for (from_letter), or the letter that escapes a byte; 0 when there is none. */
static unsigned sioc__json_esc(unsigned c, int from_letter) {
    const char *p;
    for (p = sioc__json_esc_pairs; *p; p += 2)
        if ((unsigned char)p[!from_letter] == c) return (unsigned char)p[from_letter];
    return 0;
}

/* Scans a string body from i (after the opening quote). Returns the index of the closing quote, or len + 1 on
   error with *err set to the offending offset. */
static size_t sioc__json_scan_str(const uint8_t *s, size_t len, size_t i, uint8_t *escaped, size_t *err) {
    while (i < len) {
        unsigned c = s[i];
        if (c >= 0x20 && c < 0x80 && c != '"' && c != '\\') {
            i++;
        } else if (c == '"') {
            return i;
        } else if (c == '\\') {
            *escaped = 1;
            if (i + 1 >= len) break;
            if (s[i + 1] == 'u' && i + 6 <= len && sioc__hex4(s + i + 2) >= 0) {
                i += 6;
            } else if (sioc__json_esc(s[i + 1], 1)) {
                i += 2;
            } else {
                *err = i;
                return len + 1;
            }
        } else if (c >= 0x80) {
            size_t n = sioc__utf8_seq(s + i, len - i);
            if (n == 0) {
                *err = i;
                return len + 1;
            }
            i += n;
        } else { /* raw control character */
            *err = i;
            return len + 1;
        }
    }
    *err = len;
    return len + 1;
}

/* Number per RFC 8259 section 6 starting at i; returns its end, or len + 1 with *err set. */
static size_t sioc__json_scan_num(const uint8_t *s, size_t len, size_t i, size_t *err) {
    if (s[i] == '-') i++;
    if (i < len && s[i] == '0') {
        i++;
    } else if (i < len && s[i] >= '1' && s[i] <= '9') {
        while (i < len && sioc__is_digit(s[i])) i++;
    } else {
        *err = i;
        return len + 1;
    }
    if (i < len && s[i] == '.') {
        i++;
        if (i >= len || !sioc__is_digit(s[i])) {
            *err = i;
            return len + 1;
        }
        while (i < len && sioc__is_digit(s[i])) i++;
    }
    if (i < len && (s[i] == 'e' || s[i] == 'E')) {
        i++;
        if (i < len && (s[i] == '+' || s[i] == '-')) i++;
        if (i >= len || !sioc__is_digit(s[i])) {
            *err = i;
            return len + 1;
        }
        while (i < len && sioc__is_digit(s[i])) i++;
    }
    return i;
}

enum { SIOC__JS_VALUE, SIOC__JS_VALUE_OR_CLOSE, SIOC__JS_KEY, SIOC__JS_KEY_OR_CLOSE, SIOC__JS_COLON,
       SIOC__JS_COMMA_OR_CLOSE, SIOC__JS_DONE };

SIOC_API sioc_result sioc_json_parse(sioc_json *doc, const char *text, size_t len, sioc_json_tok *toks, size_t cap) {
    const uint8_t *s = (const uint8_t *)text;
    uint8_t kinds[SIOC_MAX_JSON_DEPTH / 8 + 1] = {0}; /* bit set: the open container at that depth is an object */
    uint32_t depth = 0, cur = SIOC__JSON_NONE;
    size_t ntok = 0, i = 0, err = 0;
    int state = SIOC__JS_VALUE;
    sioc_result bad = SIOC_ERR_PARSE;

    doc->text = text;
    doc->text_len = len;
    doc->toks = toks;
    doc->cap = toks ? cap : 0;
    doc->count = 0;
    doc->error_at = 0;
    if (!toks) cap = 0;
    if (cap > 0x7FFFFFFFu) cap = 0x7FFFFFFFu; /* indexes are ints */
    if (!s) len = 0;
    if (sizeof(size_t) > 4 && ((len >> 31) >> 1) != 0) return SIOC_ERR_LIMIT; /* offsets are 32-bit */

    for (;;) {
        unsigned c;
        size_t t, end;
        int is_obj;
        while (i < len && sioc__json_ws(s[i])) i++;
        if (state == SIOC__JS_DONE) {
            if (i != len) {
                err = i;
                goto fail;
            }
            break;
        }
        if (i >= len) {
            err = i;
            goto fail;
        }
        c = s[i];
        is_obj = depth > 0 && ((kinds[(depth - 1) >> 3] >> ((depth - 1) & 7)) & 1);
        switch (state) {
        case SIOC__JS_VALUE_OR_CLOSE:
        case SIOC__JS_KEY_OR_CLOSE:
        case SIOC__JS_COMMA_OR_CLOSE:
            if (c == (is_obj ? '}' : ']')) {
                if (ntok <= cap && cur != SIOC__JSON_NONE) {
                    sioc_json_tok *k = &toks[cur];
                    k->len = (uint32_t)(i + 1 - k->start);
                    k->next = (uint32_t)ntok;
                    cur = k->parent;
                }
                depth--;
                i++;
                state = depth ? SIOC__JS_COMMA_OR_CLOSE : SIOC__JS_DONE;
                continue;
            }
            if (state == SIOC__JS_COMMA_OR_CLOSE) {
                if (c != ',') {
                    err = i;
                    goto fail;
                }
                i++;
                state = is_obj ? SIOC__JS_KEY : SIOC__JS_VALUE;
                continue;
            }
            if (state == SIOC__JS_KEY_OR_CLOSE) state = SIOC__JS_KEY;
            break;
        default:
            break;
        }

        if (state == SIOC__JS_COLON) {
            if (c != ':') {
                err = i;
                goto fail;
            }
            i++;
            state = SIOC__JS_VALUE;
            continue;
        }

        /* A key or a value starts at i: it takes one token. */
        t = ntok++;
        if (t < cap) {
            toks[t].start = (uint32_t)i;
            toks[t].len = 0;
            toks[t].next = (uint32_t)(t + 1);
            toks[t].parent = cur;
            toks[t].count = 0;
            toks[t].escaped = 0;
            toks[t].is_key = (uint8_t)(state == SIOC__JS_KEY);
            toks[t].type = (uint8_t)SIOC_JSON_INVALID;
            /* arrays count values, objects count keys */
            if (cur != SIOC__JSON_NONE && (state == SIOC__JS_KEY || !is_obj)) toks[cur].count++;
        } else {
            cur = SIOC__JSON_NONE; /* out of tokens: keep validating, stop linking */
        }
        if (state == SIOC__JS_KEY) {
            if (c != '"') {
                err = i;
                goto fail;
            }
        }
        end = len + 1;
        switch (c) {
        case '{':
        case '[':
            if (depth >= SIOC_MAX_JSON_DEPTH) {
                err = i;
                bad = SIOC_ERR_LIMIT;
                goto fail;
            }
            if (c == '{')
                kinds[depth >> 3] = (uint8_t)(kinds[depth >> 3] | (1u << (depth & 7)));
            else
                kinds[depth >> 3] = (uint8_t)(kinds[depth >> 3] & ~(1u << (depth & 7)));
            depth++;
            if (t < cap) {
                toks[t].type = (uint8_t)(c == '{' ? SIOC_JSON_OBJECT : SIOC_JSON_ARRAY);
                cur = (uint32_t)t;
            }
            i++;
            state = c == '{' ? SIOC__JS_KEY_OR_CLOSE : SIOC__JS_VALUE_OR_CLOSE;
            continue;
        case '"': {
            uint8_t esc = 0;
            end = sioc__json_scan_str(s, len, i + 1, &esc, &err);
            if (end > len) goto fail;
            if (t < cap) {
                toks[t].type = (uint8_t)SIOC_JSON_STRING;
                toks[t].start = (uint32_t)(i + 1);
                toks[t].len = (uint32_t)(end - i - 1);
                toks[t].escaped = esc;
            }
            i = end + 1;
            if (state == SIOC__JS_KEY) {
                state = SIOC__JS_COLON;
                continue;
            }
            break;
        }
        case 't':
        case 'f':
        case 'n': {
            const char *word = c == 't' ? "true" : c == 'f' ? "false" : "null";
            size_t wl = c == 'f' ? 5 : 4;
            if (len - i < wl || memcmp(s + i, word, wl) != 0) {
                err = i;
                goto fail;
            }
            if (t < cap) {
                toks[t].type = (uint8_t)(c == 'n' ? SIOC_JSON_NULL : SIOC_JSON_BOOL);
                toks[t].len = (uint32_t)wl;
            }
            i += wl;
            break;
        }
        default:
            if (c != '-' && !sioc__is_digit((int)c)) {
                err = i;
                goto fail;
            }
            end = sioc__json_scan_num(s, len, i, &err);
            if (end > len) goto fail;
            if (t < cap) {
                toks[t].type = (uint8_t)SIOC_JSON_NUMBER;
                toks[t].len = (uint32_t)(end - i);
            }
            i = end;
            break;
        }
        state = depth ? SIOC__JS_COMMA_OR_CLOSE : SIOC__JS_DONE;
    }
    doc->count = ntok;
    if (ntok > cap) return SIOC_ERR_BUFFER_TOO_SMALL;
    return SIOC_OK;
fail:
    doc->count = 0;
    doc->error_at = err;
    return bad;
}

/* ---- navigation ---- */

static const sioc_json_tok *sioc__json_tok(const sioc_json *doc, int tok) {
    if (!doc || tok < 0 || (size_t)tok >= doc->count || (size_t)tok >= doc->cap) return NULL;
    return &doc->toks[tok];
}

SIOC_API sioc_json_type sioc_json_type_of(const sioc_json *doc, int tok) {
    const sioc_json_tok *t = sioc__json_tok(doc, tok);
    return t ? (sioc_json_type)t->type : SIOC_JSON_INVALID;
}

SIOC_API int sioc_json_first(const sioc_json *doc, int tok) {
    const sioc_json_tok *t = sioc__json_tok(doc, tok);
    if (!t || (t->type != SIOC_JSON_ARRAY && t->type != SIOC_JSON_OBJECT) || t->count == 0) return -1;
    return tok + 1;
}

SIOC_API int sioc_json_next(const sioc_json *doc, int tok) {
    const sioc_json_tok *t = sioc__json_tok(doc, tok);
    uint32_t n;
    if (!t || t->parent == SIOC__JSON_NONE) return -1;
    n = t->next;
    if (t->is_key) { /* skip the member's value too */
        const sioc_json_tok *v = sioc__json_tok(doc, tok + 1);
        if (!v) return -1;
        n = v->next;
    }
    return (n < doc->toks[t->parent].next && (size_t)n < doc->count) ? (int)n : -1;
}

SIOC_API int sioc_json_find_n(const sioc_json *doc, int obj, const char *key, size_t key_len) {
    const sioc_json_tok *t = sioc__json_tok(doc, obj);
    int k, found = -1;
    if (!t || t->type != SIOC_JSON_OBJECT || !key) return -1;
    /* the last duplicate wins, as with JSON.parse */
    for (k = sioc_json_first(doc, obj); k >= 0; k = sioc_json_next(doc, k))
        if (sioc_json_str_eq(doc, k, key, key_len)) found = k + 1;
    return sioc__json_tok(doc, found) ? found : -1;
}

SIOC_API int sioc_json_find(const sioc_json *doc, int obj, const char *key) {
    return key ? sioc_json_find_n(doc, obj, key, strlen(key)) : -1;
}

SIOC_API int sioc_json_at(const sioc_json *doc, int arr, size_t idx) {
    const sioc_json_tok *t = sioc__json_tok(doc, arr);
    int e;
    if (!t || t->type != SIOC_JSON_ARRAY || idx >= t->count) return -1;
    for (e = sioc_json_first(doc, arr); e >= 0 && idx > 0; idx--) e = sioc_json_next(doc, e);
    return e;
}

SIOC_API size_t sioc_json_count(const sioc_json *doc, int tok) {
    const sioc_json_tok *t = sioc__json_tok(doc, tok);
    return t ? t->count : 0;
}

SIOC_API int sioc_json_path(const sioc_json *doc, int tok, const char *path) {
    const char *p = path;
    if (!p || !sioc__json_tok(doc, tok)) return -1;
    while (*p && tok >= 0) {
        if (*p == '[') {
            size_t idx = 0;
            p++;
            if (!sioc__is_digit(*p)) return -1;
            while (sioc__is_digit(*p)) {
                if (idx > 0x7FFFFFFFu) return -1; /* token indexes are ints: no array is longer */
                idx = idx * 10 + (size_t)(*p++ - '0');
            }
            if (*p++ != ']') return -1;
            tok = sioc_json_at(doc, tok, idx);
        } else {
            const char *k;
            if (*p == '.') p++;
            k = p;
            while (*p && *p != '.' && *p != '[') p++;
            tok = sioc_json_find_n(doc, tok, k, (size_t)(p - k));
        }
    }
    return tok;
}

SIOC_API sioc_str sioc_json_raw(const sioc_json *doc, int tok) {
    const sioc_json_tok *t = sioc__json_tok(doc, tok);
    sioc_str v;
    v.ptr = t ? doc->text + t->start : "";
    v.len = t ? t->len : 0;
    return v;
}

/* ---- strings ---- */

static size_t sioc__utf8_put(uint8_t *o, uint32_t cp) {
    if (cp < 0x80) {
        o[0] = (uint8_t)cp;
        return 1;
    }
    if (cp < 0x800) {
        o[0] = (uint8_t)(0xC0 | (cp >> 6));
        o[1] = (uint8_t)(0x80 | (cp & 0x3F));
        return 2;
    }
    if (cp < 0x10000) { /* lone surrogates land here too: WTF-8 */
        o[0] = (uint8_t)(0xE0 | (cp >> 12));
        o[1] = (uint8_t)(0x80 | ((cp >> 6) & 0x3F));
        o[2] = (uint8_t)(0x80 | (cp & 0x3F));
        return 3;
    }
    o[0] = (uint8_t)(0xF0 | (cp >> 18));
    o[1] = (uint8_t)(0x80 | ((cp >> 12) & 0x3F));
    o[2] = (uint8_t)(0x80 | ((cp >> 6) & 0x3F));
    o[3] = (uint8_t)(0x80 | (cp & 0x3F));
    return 4;
}

/* Decodes the unit of raw string text at *i (one byte, or one escape / surrogate-pair escape) into o[0..4).
   Returns the number of bytes produced; advances *i. Defensive on malformed text (never reads past n). */
static size_t sioc__json_unit(const uint8_t *s, size_t n, size_t *i, uint8_t *o) {
    size_t k = *i;
    int cp, lo;
    if (s[k] != '\\' || k + 1 >= n) {
        o[0] = s[k];
        *i = k + 1;
        return 1;
    }
    *i = k + 2;
    if (s[k + 1] != 'u') {
        o[0] = (uint8_t)sioc__json_esc(s[k + 1], 1);
        if (!o[0]) o[0] = s[k + 1]; /* a token the reader checked never gets here */
        return 1;
    }
    if (k + 6 > n || (cp = sioc__hex4(s + k + 2)) < 0) {
        o[0] = '?';
        return 1;
    }
    *i = k + 6;
    if (cp >= 0xD800 && cp <= 0xDBFF && k + 12 <= n && s[k + 6] == '\\' && s[k + 7] == 'u' &&
        (lo = sioc__hex4(s + k + 8)) >= 0xDC00 && lo <= 0xDFFF) {
        *i = k + 12;
        cp = 0x10000 + ((cp - 0xD800) << 10) + (lo - 0xDC00);
    }
    return sioc__utf8_put(o, (uint32_t)cp);
}

SIOC_API sioc_result sioc_json_get_str(const sioc_json *doc, int tok, char *out, size_t cap, size_t *out_len) {
    const sioc_json_tok *t = sioc__json_tok(doc, tok);
    const uint8_t *s;
    size_t i = 0, o = 0;
    if (out_len) *out_len = 0;
    if (!t) return SIOC_ERR_NOT_FOUND;
    if (t->type != SIOC_JSON_STRING) return SIOC_ERR_TYPE;
    if (!out) cap = 0;
    s = (const uint8_t *)doc->text + t->start;
    if (!t->escaped) {
        o = t->len;
        if (cap) memcpy(out, s, SIOC__MIN(o, cap));
    } else {
        while (i < t->len) {
            uint8_t u[4];
            size_t m = sioc__json_unit(s, t->len, &i, u), j;
            for (j = 0; j < m; j++, o++)
                if (o < cap) out[o] = (char)u[j];
        }
    }
    if (out_len) *out_len = o;
    if (o >= cap) return SIOC_ERR_BUFFER_TOO_SMALL; /* also when only the NUL does not fit */
    out[o] = 0;
    return SIOC_OK;
}

SIOC_API int sioc_json_str_eq(const sioc_json *doc, int tok, const char *str, size_t len) {
    const sioc_json_tok *t = sioc__json_tok(doc, tok);
    const uint8_t *s;
    size_t i = 0, o = 0;
    if (!t || t->type != SIOC_JSON_STRING || (!str && len)) return 0;
    s = (const uint8_t *)doc->text + t->start;
    if (!t->escaped) return t->len == len && (len == 0 || memcmp(s, str, len) == 0);
    if (len > t->len) return 0; /* escapes only shrink */
    while (i < t->len) {
        uint8_t u[4];
        size_t m = sioc__json_unit(s, t->len, &i, u);
        if (m > len - o || memcmp(u, str + o, m) != 0) return 0;
        o += m;
    }
    return o == len;
}

/* ---- numbers: text -> value ---- */

SIOC_API sioc_result sioc_json_get_i64(const sioc_json *doc, int tok, int64_t *out) {
    const sioc_json_tok *t = sioc__json_tok(doc, tok);
    const char *p;
    size_t i = 0, n;
    uint64_t u = 0, lim;
    int neg;
    if (out) *out = 0;
    if (!t) return SIOC_ERR_NOT_FOUND;
    if (t->type != SIOC_JSON_NUMBER) return SIOC_ERR_TYPE;
    p = doc->text + t->start;
    n = t->len;
    neg = n > 0 && p[0] == '-';
    if (neg) i++;
    if (i >= n) return SIOC_ERR_TYPE;
    for (; i < n; i++) {
        unsigned d;
        if (!sioc__is_digit(p[i])) return SIOC_ERR_TYPE;
        d = (unsigned)(p[i] - '0');
        if (u > UINT64_MAX / 10u || (u == UINT64_MAX / 10u && d > UINT64_MAX % 10u))
            u = UINT64_MAX; /* saturate (u * 10 + d would wrap); the check below reports it */
        else u = u * 10u + d;
    }
    lim = neg ? (uint64_t)1 << 63 : ((uint64_t)1 << 63) - 1;
    if (u > lim) return SIOC_ERR_RANGE;
    if (out) *out = (neg && u) ? -(int64_t)(u - 1) - 1 : (int64_t)u; /* no overflow at -2^63 */
    return SIOC_OK;
}

/* Big decimal: value = 0.d[0]d[1]...d[nd-1] x 10^dp, digits 0..9, d[0] != 0 unless nd == 0. `trunc` records
   that nonzero digits beyond SIOC__DEC_MAX were dropped (a sticky bit for rounding). 800 digits are more than the
   767 significant digits that can matter for a double, so rounding stays exact. */
#define SIOC__DEC_MAX 800
typedef struct sioc__dec {
    uint8_t d[SIOC__DEC_MAX + 24];
    int nd, dp, trunc;
} sioc__dec;

static void sioc__dec_trim(sioc__dec *a) {
    while (a->nd > 0 && a->d[a->nd - 1] == 0) a->nd--;
    if (a->nd == 0) a->dp = 0;
}

/* Divide by 2^k, k <= 60: long division from the top, remainders carried in a uint64. */
static void sioc__dec_shr(sioc__dec *a, unsigned k) {
    int r = 0, w = 0;
    uint64_t n = 0, mask = ((uint64_t)1 << k) - 1;
    while ((n >> k) == 0) {
        if (r >= a->nd) {
            if (n == 0) {
                a->nd = 0;
                a->dp = 0;
                return;
            }
            while ((n >> k) == 0) {
                n *= 10;
                r++;
            }
            break;
        }
        n = n * 10 + a->d[r++];
    }
    a->dp -= r - 1;
    for (; r < a->nd; r++) {
        unsigned c = a->d[r];
        a->d[w++] = (uint8_t)(n >> k);
        n = (n & mask) * 10 + c;
    }
    while (n > 0) {
        unsigned dig = (unsigned)(n >> k);
        n = (n & mask) * 10;
        if (w < SIOC__DEC_MAX)
            a->d[w++] = (uint8_t)dig;
        else if (dig)
            a->trunc = 1;
    }
    a->nd = w;
    sioc__dec_trim(a);
}

/* Multiply by 2^k, k <= 60: from the bottom, writing `extra` places higher (2^k has at most k/3+1 digits). */
static void sioc__dec_shl(sioc__dec *a, unsigned k) {
    int extra = (int)k / 3 + 1, r = a->nd, w = a->nd + extra, total, j;
    uint64_t n = 0;
    uint32_t digit;
    if (a->nd == 0) return;
    while (r > 0) {
        n += (uint64_t)a->d[--r] << k;
        n = sioc__udiv64(n, 10u, &digit);
        a->d[--w] = (uint8_t)digit;
    }
    while (n > 0) {
        n = sioc__udiv64(n, 10u, &digit);
        a->d[--w] = (uint8_t)digit;
    }
    total = a->nd + extra - w;
    memmove(a->d, a->d + w, (size_t)total);
    a->dp += extra - w;
    if (total > SIOC__DEC_MAX) {
        for (j = SIOC__DEC_MAX; j < total; j++)
            if (a->d[j]) a->trunc = 1;
        total = SIOC__DEC_MAX;
    }
    a->nd = total;
    sioc__dec_trim(a);
}

/* Integer part, rounded half to even on the fraction (and the sticky bit). dp <= 19 here. */
static uint64_t sioc__dec_round(const sioc__dec *a) {
    uint64_t n = 0;
    int i;
    for (i = 0; i < a->dp; i++) n = n * 10 + (i < a->nd ? a->d[i] : 0);
    if (a->dp >= 0 && a->dp < a->nd) {
        unsigned f = a->d[a->dp];
        if (f == 5 && a->dp + 1 == a->nd)
            n += (a->trunc || (n & 1)) ? 1 : 0;
        else if (f >= 5)
            n++;
    }
    return n;
}

/* Nearest double, as bits without the sign. Consumes a. */
static uint64_t sioc__dec_to_bits(sioc__dec *a) {
    const uint64_t inf = (uint64_t)0x7FF << 52;
    int e2 = 0, k;
    uint64_t mant;
    if (a->nd == 0) return 0;
    if (a->dp > 310) return inf;
    if (a->dp < -330) return 0;
    while (a->dp > 0) { /* scale down below 1: 2^k <= 10^dp keeps progress and never divides by too much */
        k = a->dp * 3321 / 1000;
        sioc__dec_shr(a, (unsigned)SIOC__MIN(k, 60));
        e2 += SIOC__MIN(k, 60);
    }
    while (a->dp < 0 || (a->dp == 0 && a->d[0] < 5)) { /* up into [1/2, 1) without overshooting 1 */
        k = a->dp == 0 ? 1 : SIOC__MIN(-a->dp * 3321 / 1000, 60);
        sioc__dec_shl(a, (unsigned)k);
        e2 -= k;
    }
    /* value = a * 2^e2 with a in [1/2, 1), so the binary exponent is e2 - 1 */
    e2--;
    if (e2 < -1022) { /* subnormal: align to the fixed exponent */
        int sh = -1022 - e2;
        while (sh > 0) {
            k = SIOC__MIN(sh, 60);
            sioc__dec_shr(a, (unsigned)k);
            sh -= k;
        }
        e2 = -1022;
    }
    if (e2 > 1023) return inf;
    sioc__dec_shl(a, 53);
    mant = sioc__dec_round(a);
    if (mant >> 53) { /* rounded up to 2^53 */
        mant >>= 1;
        e2++;
        if (e2 > 1023) return inf;
    }
    if (mant < ((uint64_t)1 << 52)) return mant; /* subnormal (or zero) */
    return ((uint64_t)(e2 + 1023) << 52) | (mant & (((uint64_t)1 << 52) - 1));
}

static const double sioc__pow10_f64[23] = {1e0,  1e1,  1e2,  1e3,  1e4,  1e5,  1e6,  1e7,  1e8,  1e9,  1e10, 1e11,
                                           1e12, 1e13, 1e14, 1e15, 1e16, 1e17, 1e18, 1e19, 1e20, 1e21, 1e22};

static double sioc__f64_from_bits(uint64_t b) {
    double v;
    memcpy(&v, &b, sizeof v);
    return v;
}

/* Text of a valid JSON number -> nearest double. Returns SIOC_ERR_RANGE (and +-inf) on overflow. */
static sioc_result sioc__json_to_f64(const char *p, size_t n, double *out) {
    sioc__dec a;
    uint64_t w = 0, bits;
    size_t i = 0;
    int neg = n > 0 && p[0] == '-', nsig = 0, e10 = 0, ex = 0, exact = 1, frac = 0, eneg = 0;
    if (neg) i++;
    /* pass 1: up to 19 significant digits in w, value = w * 10^e10 when exact */
    for (; i < n; i++) {
        char c = p[i];
        if (c == '.') {
            frac = 1;
            continue;
        }
        if (c == 'e' || c == 'E') break;
        if (nsig < 19) {
            w = w * 10 + (uint64_t)(c - '0');
            if (w) nsig++;
            if (frac && e10 > -1000000) e10--;
        } else {
            if (c != '0') exact = 0;
            if (!frac && e10 < 1000000) e10++;
        }
    }
    if (i < n) { /* exponent, saturated: far beyond it the result is 0 or infinity anyway */
        i++;
        if (p[i] == '-' || p[i] == '+') eneg = p[i++] == '-';
        for (; i < n; i++)
            if (ex < 1000000) ex = ex * 10 + (p[i] - '0');
        e10 += eneg ? -ex : ex;
    }
    if (w == 0) {
        *out = neg ? -0.0 : 0.0;
        return SIOC_OK;
    }
    if (exact && w <= ((uint64_t)1 << 53)) {
        if (e10 == 0) {
            *out = neg ? -(double)w : (double)w;
            return SIOC_OK;
        }
        if (e10 > 0 && e10 <= 16) { /* exact integer product? */
            uint64_t v = w;
            int k = e10;
            while (k > 0 && v <= ((uint64_t)1 << 53) / 10) {
                v *= 10;
                k--;
            }
            if (k == 0) {
                *out = neg ? -(double)v : (double)v;
                return SIOC_OK;
            }
        }
#if defined(__FLT_EVAL_METHOD__) && __FLT_EVAL_METHOD__ == 0
        /* Clinger's fast path: w and 10^|e10| are exact doubles, so one IEEE operation rounds correctly. Only
           when doubles are evaluated in double precision (not x87 extended, which would round twice). */
        if (e10 > 0 && e10 <= 22) {
            double v = (double)w * sioc__pow10_f64[e10];
            *out = neg ? -v : v;
            return SIOC_OK;
        }
        if (e10 < 0 && e10 >= -22) {
            double v = (double)w / sioc__pow10_f64[-e10];
            *out = neg ? -v : v;
            return SIOC_OK;
        }
#else
        (void)sioc__pow10_f64;
#endif
    }
    /* pass 2: the exact big-decimal route */
    a.nd = 0;
    a.dp = 0;
    a.trunc = 0;
    frac = 0;
    for (i = neg ? 1 : 0; i < n; i++) {
        char c = p[i];
        unsigned d;
        if (c == '.') {
            frac = 1;
            continue;
        }
        if (c == 'e' || c == 'E') break;
        d = (unsigned)(c - '0');
        if (a.nd == 0 && d == 0) {
            if (frac && a.dp > -1000000) a.dp--;
            continue;
        }
        if (!frac && a.dp < 1000000) a.dp++;
        if (a.nd < SIOC__DEC_MAX)
            a.d[a.nd++] = (uint8_t)d;
        else if (d)
            a.trunc = 1;
    }
    a.dp += eneg ? -ex : ex;
    sioc__dec_trim(&a);
    bits = sioc__dec_to_bits(&a);
    if (neg) bits |= (uint64_t)1 << 63;
    *out = sioc__f64_from_bits(bits);
    return ((bits >> 52) & 0x7FF) == 0x7FF ? SIOC_ERR_RANGE : SIOC_OK;
}

SIOC_API sioc_result sioc_json_get_f64(const sioc_json *doc, int tok, double *out) {
    const sioc_json_tok *t = sioc__json_tok(doc, tok);
    double v = 0;
    sioc_result r;
    if (out) *out = 0;
    if (!t) return SIOC_ERR_NOT_FOUND;
    if (t->type != SIOC_JSON_NUMBER || t->len == 0) return SIOC_ERR_TYPE;
    r = sioc__json_to_f64(doc->text + t->start, t->len, &v);
    if (out) *out = v;
    return r;
}

SIOC_API sioc_result sioc_json_get_bool(const sioc_json *doc, int tok, int *out) {
    const sioc_json_tok *t = sioc__json_tok(doc, tok);
    if (out) *out = 0;
    if (!t) return SIOC_ERR_NOT_FOUND;
    if (t->type != SIOC_JSON_BOOL) return SIOC_ERR_TYPE;
    if (out) *out = doc->text[t->start] == 't';
    return SIOC_OK;
}

SIOC_API int sioc_json_is_null(const sioc_json *doc, int tok) {
    const sioc_json_tok *t = sioc__json_tok(doc, tok);
    return t && t->type == SIOC_JSON_NULL;
}

/* ================================ writer ================================ */

/* ---- double -> shortest decimal ---- */

/* Small unsigned big integer, 32-bit limbs, least significant first; n limbs used (top limb nonzero). 40 limbs
   hold the 1135 bits the shortest-digit loop needs for any double. */
#define SIOC__BIG_LIMBS 40
typedef struct sioc__big {
    uint32_t v[SIOC__BIG_LIMBS];
    int n;
} sioc__big;

static void sioc__big_set(sioc__big *a, uint64_t x) {
    a->n = 0;
    while (x) {
        a->v[a->n++] = (uint32_t)x;
        x >>= 32;
    }
}

static void sioc__big_mul_small(sioc__big *a, uint32_t m) {
    uint64_t c = 0;
    int i;
    for (i = 0; i < a->n; i++) {
        c += (uint64_t)a->v[i] * m;
        a->v[i] = (uint32_t)c;
        c >>= 32;
    }
    if (c) {
        SIOC_ASSERT(a->n < SIOC__BIG_LIMBS);
        a->v[a->n++] = (uint32_t)c;
    }
}

static void sioc__big_mul_pow10(sioc__big *a, unsigned k) {
    static const uint32_t p10[10] = {1, 10, 100, 1000, 10000, 100000, 1000000, 10000000, 100000000, 1000000000};
    for (; k >= 9; k -= 9) sioc__big_mul_small(a, p10[9]);
    if (k) sioc__big_mul_small(a, p10[k]);
}

static void sioc__big_shl(sioc__big *a, unsigned bits) {
    unsigned ls = bits / 32, bs = bits % 32;
    uint32_t top;
    int i;
    if (a->n == 0) return;
    SIOC_ASSERT(a->n + (int)ls + 1 <= SIOC__BIG_LIMBS);
    top = bs ? a->v[a->n - 1] >> (32 - bs) : 0;
    for (i = a->n - 1; i >= 0; i--) {
        uint32_t low = (bs && i > 0) ? a->v[i - 1] >> (32 - bs) : 0;
        a->v[i + (int)ls] = (a->v[i] << bs) | low;
    }
    for (i = 0; i < (int)ls; i++) a->v[i] = 0;
    a->n += (int)ls;
    if (top) a->v[a->n++] = top;
}

static int sioc__big_cmp(const sioc__big *a, const sioc__big *b) {
    int i;
    if (a->n != b->n) return a->n < b->n ? -1 : 1;
    for (i = a->n - 1; i >= 0; i--)
        if (a->v[i] != b->v[i]) return a->v[i] < b->v[i] ? -1 : 1;
    return 0;
}

/* out = a + b (out may be a or b) */
static void sioc__big_add(sioc__big *out, const sioc__big *a, const sioc__big *b) {
    int i, n = SIOC__MAX(a->n, b->n);
    uint64_t c = 0;
    for (i = 0; i < n; i++) {
        c += (uint64_t)(i < a->n ? a->v[i] : 0) + (i < b->n ? b->v[i] : 0);
        out->v[i] = (uint32_t)c;
        c >>= 32;
    }
    out->n = n;
    if (c) {
        SIOC_ASSERT(n < SIOC__BIG_LIMBS);
        out->v[out->n++] = (uint32_t)c;
    }
}

/* a -= b, requires a >= b */
static void sioc__big_sub(sioc__big *a, const sioc__big *b) {
    int i;
    uint32_t borrow = 0;
    for (i = 0; i < a->n; i++) {
        uint64_t d = (uint64_t)a->v[i] - (i < b->n ? b->v[i] : 0) - borrow;
        a->v[i] = (uint32_t)d;
        borrow = (uint32_t)(d >> 63);
    }
    while (a->n > 0 && a->v[a->n - 1] == 0) a->n--;
}

/* The same digit generation on uint64 when it cannot overflow: for v = f 2^e with -56 <= e < 0 (about
   1/16 <= v < 2^53, the common case), s stays below 10 * 2^55 < 2^59 and r, m+, m- below 30 s < 2^64. Returns
   0 when v is outside that range. */
static int sioc__f64_digits_u64(uint64_t f, int e, int even, int asym, int k, uint8_t *dig, int *out_k) {
    uint64_t r, s, mm, mp;
    int nd = 0, i;
    if (e < -56 || e >= 0) return 0;
    r = f << (1 + asym);
    s = (uint64_t)1 << (1 - e + asym);
    mm = 1;
    mp = asym ? 2 : 1;
    for (i = 0; i < (k >= 0 ? k : -k); i++) {
        if (k >= 0) {
            s *= 10;
        } else {
            r *= 10;
            mm *= 10;
            mp *= 10;
        }
    }
    while (even ? r + mp >= s : r + mp > s) {
        s *= 10;
        k++;
    }
    if (s >> 59) return 0; /* not expected; the big-integer path copes */
    for (;;) {
        int d, low, high;
        r *= 10;
        mm *= 10;
        mp *= 10;
        for (d = 0; r >= s; d++) r -= s; /* r < 10 s: a digit by at most 9 subtractions, no 64-bit division */
        low = even ? r <= mm : r < mm;
        high = even ? r + mp >= s : r + mp > s;
        if (!low && !high && nd < 17) {
            dig[nd++] = (uint8_t)d;
            continue;
        }
        if (low && high) {
            if (2 * r > s || (2 * r == s && (d & 1))) d++;
        } else if (high || (!low && 2 * r >= s)) {
            d++;
        }
        dig[nd++] = (uint8_t)d;
        break;
    }
    *out_k = k;
    return nd;
}

/* Shortest digits of a finite v > 0 that read back as v (ties of the reader go to even, so an even mantissa owns
   its boundaries), and among those the closest, then the even last digit. Writes digit values to dig (up to 17),
   returns the count; *out_k is such that v ~ 0.d1d2... x 10^k. Steele & White / Burger & Dybvig free-format
   generation on exact integers: v = r/s, half-gaps m-/s and m+/s. */
static int sioc__f64_digits(uint64_t bits, uint8_t *dig, int *out_k) {
    sioc__big r, s, mm, mp_store, tmp;
    const sioc__big *mp = &mm;
    uint64_t frac = bits & (((uint64_t)1 << 52) - 1), f;
    int bexp = (int)((bits >> 52) & 0x7FF), e, even, asym, k, top, nd, i;
    int32_t t;
    if (bexp == 0) {
        f = frac;
        e = -1074;
    } else {
        f = frac | ((uint64_t)1 << 52);
        e = bexp - 1075;
    }
    even = (f & 1) == 0;
    asym = bexp > 1 && frac == 0; /* the gap below a power of two is half the gap above */
    /* k starts at floor(E log10 2) <= the true k, E being the exponent of v's leading bit; 78913 / 2^18 is a
       little under log10 2. */
    for (top = 0; (f >> top) > 1; top++) {
    }
    t = (int32_t)(e + top) * 78913;
    k = t >= 0 ? (int)(t >> 18) : -(int)((-t + 262143) >> 18);
    nd = sioc__f64_digits_u64(f, e, even, asym, k, dig, out_k);
    if (nd) {
        k = *out_k;
    } else {
        sioc__big_set(&r, f);
        sioc__big_set(&mm, 1);
        if (e >= 0) {
            sioc__big_shl(&r, (unsigned)(e + 1 + asym));
            sioc__big_set(&s, asym ? 4 : 2);
            sioc__big_shl(&mm, (unsigned)e);
        } else {
            sioc__big_shl(&r, (unsigned)(1 + asym));
            sioc__big_set(&s, 1);
            sioc__big_shl(&s, (unsigned)(1 - e + asym));
        }
        if (k >= 0) {
            sioc__big_mul_pow10(&s, (unsigned)k);
        } else {
            sioc__big_mul_pow10(&r, (unsigned)-k);
            sioc__big_mul_pow10(&mm, (unsigned)-k);
        }
        if (asym) {
            mp_store = mm;
            sioc__big_shl(&mp_store, 1);
            mp = &mp_store;
        }
        for (;;) { /* smallest k with the upper boundary below 10^k */
            int c;
            sioc__big_add(&tmp, &r, mp);
            c = sioc__big_cmp(&tmp, &s);
            if (even ? c < 0 : c <= 0) break;
            sioc__big_mul_small(&s, 10);
            k++;
        }
        for (;;) {
            int d = 0, low, high, c;
            sioc__big_mul_small(&r, 10);
            sioc__big_mul_small(&mm, 10);
            if (asym) sioc__big_mul_small(&mp_store, 10);
            while (sioc__big_cmp(&r, &s) >= 0) {
                sioc__big_sub(&r, &s);
                d++;
            }
            c = sioc__big_cmp(&r, &mm);
            low = even ? c <= 0 : c < 0;
            sioc__big_add(&tmp, &r, mp);
            c = sioc__big_cmp(&tmp, &s);
            high = even ? c >= 0 : c > 0;
            if (!low && !high && nd < 17) {
                dig[nd++] = (uint8_t)d;
                continue;
            }
            if (low && high) { /* both fit: the closer one, ties to the even digit */
                sioc__big_add(&tmp, &r, &r);
                c = sioc__big_cmp(&tmp, &s);
                if (c > 0 || (c == 0 && (d & 1))) d++;
            } else if (high) {
                d++;
            } else if (!low) { /* 17 digits always suffice; not reached, but never run past the buffer */
                sioc__big_add(&tmp, &r, &r);
                if (sioc__big_cmp(&tmp, &s) >= 0) d++;
            }
            dig[nd++] = (uint8_t)d;
            break;
        }
    }
    for (i = nd - 1; i > 0 && dig[i] == 10; i--) { /* carry (defensive: the bounds rule it out) */
        dig[i] = 0;
        dig[i - 1]++;
    }
    if (dig[0] == 10) {
        dig[0] = 1;
        nd = 1;
        k++;
    }
    while (nd > 1 && dig[nd - 1] == 0) nd--;
    *out_k = k;
    return nd;
}

SIOC_API size_t sioc_json_format_f64(double v, char *out) {
    uint64_t bits;
    uint8_t dig[20];
    int nd, k, i, n = 0, ex;
    memcpy(&bits, &v, sizeof bits);
    if (((bits >> 52) & 0x7FF) == 0x7FF) {
        const char *t = (bits & (((uint64_t)1 << 52) - 1)) ? "NaN" : (bits >> 63) ? "-Infinity" : "Infinity";
        size_t l = strlen(t);
        memcpy(out, t, l + 1);
        return l;
    }
    if ((bits << 1) == 0) { /* +0 and -0 */
        out[0] = '0';
        out[1] = 0;
        return 1;
    }
    if (bits >> 63) out[n++] = '-';
    bits &= ~((uint64_t)1 << 63);
    if (v > -9007199254740992.0 && v < 9007199254740992.0) { /* integral within 2^53: plain integer */
        int64_t iv = (int64_t)v;
        if ((double)iv == v) {
            char tmp[24];
            uint64_t u = (uint64_t)(iv < 0 ? -iv : iv);
            int m = 0;
            do {
                uint32_t digit;
                u = sioc__udiv64(u, 10u, &digit);
                tmp[m++] = (char)('0' + (int)digit);
            } while (u);
            while (m) out[n++] = tmp[--m];
            out[n] = 0;
            return (size_t)n;
        }
    }
    nd = sioc__f64_digits(bits, dig, &k);
    /* ECMA-262 Number::toString: v = 0.digits x 10^k, i.e. s x 10^(k - nd) */
    if (nd <= k && k <= 21) { /* integer: digits then zeros */
        for (i = 0; i < nd; i++) out[n++] = (char)('0' + dig[i]);
        for (; i < k; i++) out[n++] = '0';
    } else if (0 < k && k <= 21) { /* point inside the digits */
        for (i = 0; i < nd; i++) {
            if (i == k) out[n++] = '.';
            out[n++] = (char)('0' + dig[i]);
        }
    } else if (-6 < k && k <= 0) { /* 0.000ddd */
        out[n++] = '0';
        out[n++] = '.';
        for (i = k; i < 0; i++) out[n++] = '0';
        for (i = 0; i < nd; i++) out[n++] = (char)('0' + dig[i]);
    } else { /* d.ddde+x / d.ddde-x */
        out[n++] = (char)('0' + dig[0]);
        if (nd > 1) {
            out[n++] = '.';
            for (i = 1; i < nd; i++) out[n++] = (char)('0' + dig[i]);
        }
        out[n++] = 'e';
        ex = k - 1;
        out[n++] = ex < 0 ? '-' : '+';
        if (ex < 0) ex = -ex;
        if (ex >= 100) out[n++] = (char)('0' + ex / 100);
        if (ex >= 10) out[n++] = (char)('0' + ex / 10 % 10);
        out[n++] = (char)('0' + ex % 10);
    }
    out[n] = 0;
    return (size_t)n;
}

/* ---- structure ---- */

SIOC_API void sioc_json_writer_init(sioc_json_writer *w, sioc_buf *out) {
    memset(w, 0, sizeof *w);
    w->out = out;
}

/* Comma before a value or key unless it follows a key or opens a container. */
static void sioc__json_pre(sioc_json_writer *w) {
    uint32_t d = SIOC__MIN(w->depth, (uint32_t)SIOC_JSON_WRITE_DEPTH);
    if (w->after_key) {
        w->after_key = 0;
        return;
    }
    if (w->need_comma[d]) {
        if (d == 0) sioc_buf_fail(w->out, SIOC_ERR_STATE); /* a second top-level value is not JSON */
        sioc_buf_putc(w->out, ',');
    }
    w->need_comma[d] = 1;
}

static void sioc__json_open(sioc_json_writer *w, char c) {
    sioc__json_pre(w);
    sioc_buf_putc(w->out, c);
    if (w->depth >= SIOC_JSON_WRITE_DEPTH) sioc_buf_fail(w->out, SIOC_ERR_LIMIT);
    if (w->depth < UINT32_MAX) w->depth++;
    if (w->depth <= SIOC_JSON_WRITE_DEPTH) w->need_comma[w->depth] = 0;
}

static void sioc__json_close(sioc_json_writer *w, char c) {
    if (w->depth == 0 || w->after_key) {
        sioc_buf_fail(w->out, SIOC_ERR_STATE);
        w->after_key = 0;
        if (w->depth == 0) return;
    }
    w->depth--;
    sioc_buf_putc(w->out, c);
}

SIOC_API void sioc_json_write_object_begin(sioc_json_writer *w) { sioc__json_open(w, '{'); }
SIOC_API void sioc_json_write_object_end(sioc_json_writer *w) { sioc__json_close(w, '}'); }
SIOC_API void sioc_json_write_array_begin(sioc_json_writer *w) { sioc__json_open(w, '['); }
SIOC_API void sioc_json_write_array_end(sioc_json_writer *w) { sioc__json_close(w, ']'); }

/* ---- strings ---- */

static void sioc__json_put_u16(sioc_buf *b, unsigned cu) {
    static const char hex[] = "0123456789abcdef";
    char e[6];
    e[0] = '\\';
    e[1] = 'u';
    e[2] = hex[(cu >> 12) & 15];
    e[3] = hex[(cu >> 8) & 15];
    e[4] = hex[(cu >> 4) & 15];
    e[5] = hex[cu & 15];
    sioc_buf_put(b, e, 6);
}

/* WTF-8 surrogate (ED A0..BF 80..BF) at p? Returns its code unit, or 0. */
static unsigned sioc__wtf8_surrogate(const uint8_t *p, size_t avail) {
    if (avail < 3 || p[0] != 0xED || p[1] < 0xA0 || p[1] > 0xBF || (p[2] & 0xC0) != 0x80) return 0;
    return 0xD000u | ((unsigned)(p[1] & 0x3F) << 6) | (p[2] & 0x3Fu);
}

/* Length of the maximal ill-formed prefix at p (WHATWG / Unicode "maximal subpart"): 1 to 3 bytes. */
static size_t sioc__utf8_bad_len(const uint8_t *p, size_t avail) {
    unsigned c = p[0], lo = 0x80, hi = 0xBF;
    size_t need, k;
    if (c >= 0xC2 && c <= 0xDF) need = 1;
    else if (c >= 0xE0 && c <= 0xEF) need = 2;
    else if (c >= 0xF0 && c <= 0xF4) need = 3;
    else return 1;
    if (c == 0xE0) lo = 0xA0;
    if (c == 0xED) hi = 0x9F;
    if (c == 0xF0) lo = 0x90;
    if (c == 0xF4) hi = 0x8F;
    if (avail < 2 || p[1] < lo || p[1] > hi) return 1;
    for (k = 2; k <= need && k < avail && (p[k] & 0xC0) == 0x80; k++) {
    }
    return k;
}

static void sioc__json_put_str(sioc_buf *b, const char *str, size_t len) {
    const uint8_t *s = (const uint8_t *)str;
    size_t i = 0, run = 0;
    sioc_buf_putc(b, '"');
    if (!s) len = 0;
    while (i < len) {
        unsigned c = s[i];
        size_t n;
        unsigned hs, ls;
        if (c >= 0x20 && c < 0x80 && c != '"' && c != '\\') {
            i++;
            continue;
        }
        if (c >= 0x80 && (n = sioc__utf8_seq(s + i, len - i)) != 0) {
            i += n;
            continue;
        }
        sioc_buf_put(b, s + run, i - run); /* flush the plain run */
        if (c < 0x80) {
            char e[2];
            e[0] = '\\';
            e[1] = (char)(c == '/' ? 0 : sioc__json_esc(c, 0));
            if (e[1])
                sioc_buf_put(b, e, 2);
            else
                sioc__json_put_u16(b, c);
            i++;
        } else if ((hs = sioc__wtf8_surrogate(s + i, len - i)) != 0) {
            ls = (hs < 0xDC00) ? sioc__wtf8_surrogate(s + i + 3, len - i - 3) : 0;
            if (ls >= 0xDC00) { /* a split pair is one character to JavaScript */
                uint8_t u[4];
                sioc_buf_put(b, u, sioc__utf8_put(u, 0x10000u + ((hs - 0xD800u) << 10) + (ls - 0xDC00u)));
                i += 6;
            } else {
                sioc__json_put_u16(b, hs);
                i += 3;
            }
        } else {
            sioc_buf_put(b, "\xEF\xBF\xBD", 3); /* U+FFFD */
            i += sioc__utf8_bad_len(s + i, len - i);
        }
        run = i;
    }
    sioc_buf_put(b, s + run, i - run);
    sioc_buf_putc(b, '"');
}

SIOC_API void sioc_json_write_key(sioc_json_writer *w, const char *key, size_t len) {
    if (w->after_key) sioc_buf_fail(w->out, SIOC_ERR_STATE);
    sioc__json_pre(w);
    sioc__json_put_str(w->out, key, len);
    sioc_buf_putc(w->out, ':');
    w->after_key = 1;
}

SIOC_API void sioc_json_write_str(sioc_json_writer *w, const char *s, size_t len) {
    sioc__json_pre(w);
    sioc__json_put_str(w->out, s, len);
}

SIOC_API void sioc_json_write_i64(sioc_json_writer *w, int64_t v) {
    sioc__json_pre(w);
    sioc_buf_put_i64(w->out, v);
}

SIOC_API void sioc_json_write_u64(sioc_json_writer *w, uint64_t v) {
    sioc__json_pre(w);
    sioc_buf_put_u64(w->out, v);
}

SIOC_API void sioc_json_write_f64(sioc_json_writer *w, double v) {
    char tmp[SIOC_JSON_F64_MAX];
    uint64_t bits;
    sioc__json_pre(w);
    memcpy(&bits, &v, sizeof bits);
    if (((bits >> 52) & 0x7FF) == 0x7FF) { /* JSON.stringify(NaN / Infinity) */
        sioc_buf_put(w->out, "null", 4);
        return;
    }
    sioc_buf_put(w->out, tmp, sioc_json_format_f64(v, tmp));
}

SIOC_API void sioc_json_write_bool(sioc_json_writer *w, int v) {
    sioc__json_pre(w);
    if (v)
        sioc_buf_put(w->out, "true", 4);
    else
        sioc_buf_put(w->out, "false", 5);
}

SIOC_API void sioc_json_write_null(sioc_json_writer *w) {
    sioc__json_pre(w);
    sioc_buf_put(w->out, "null", 4);
}

SIOC_API void sioc_json_write_raw(sioc_json_writer *w, const char *json, size_t len) {
    sioc__json_pre(w);
    if (json) sioc_buf_put(w->out, json, len);
}
/* ---- src/msgpack.c ---- */
/* ---- msgpack.c ---- */

/* Frame kinds of the writer's nesting stack. Known-count frames hold the items still expected and vanish when
   that reaches 0; open frames (begin/end) count the items written and hold the offset of their reserved header. */
#define SIOC__MPW_ARRAY_KNOWN 1
#define SIOC__MPW_MAP_KNOWN 2
#define SIOC__MPW_ARRAY_OPEN 3
#define SIOC__MPW_MAP_OPEN 4
#define SIOC__MP_SAFE_INT 9007199254740991.0 /* 2^53 - 1: Number.isSafeInteger's bound */

/* Writing continues through an overflow (len keeps counting the size needed) but stops at any other error. */
static int sioc__mpw_live(const sioc_msgpack_writer *w) {
    return w->out->err == SIOC_OK || w->out->err == SIOC_ERR_BUFFER_TOO_SMALL;
}

static void sioc__mpw_fail(sioc_msgpack_writer *w, sioc_result e) { sioc_buf_fail(w->out, e); }

/* The next value written is a map key. */
static int sioc__mpw_at_key(const sioc_msgpack_writer *w) {
    const sioc_msgpack_frame_ *f;
    if (w->depth == 0) return 0;
    f = &w->p_frames[w->depth - 1];
    return (f->kind == SIOC__MPW_MAP_KNOWN || f->kind == SIOC__MPW_MAP_OPEN) && f->n % 2 == 0;
}

/* A value is complete: count it in the enclosing container; known-count containers that become full are
   complete in turn and count in theirs. */
static void sioc__mpw_done(sioc_msgpack_writer *w) {
    while (w->depth > 0) {
        sioc_msgpack_frame_ *f = &w->p_frames[w->depth - 1];
        if (f->kind == SIOC__MPW_ARRAY_OPEN || f->kind == SIOC__MPW_MAP_OPEN) {
            f->n++;
            return;
        }
        if (--f->n > 0) return;
        w->depth--;
    }
}

/* Tag byte followed by `nbytes` (0, 1, 2, 4 or 8) of v in big-endian order. */
static void sioc__mpw_tag(sioc_msgpack_writer *w, uint8_t tag, uint64_t v, int nbytes) {
    uint8_t tmp[9];
    tmp[0] = tag;
    switch (nbytes) {
    case 1: tmp[1] = (uint8_t)v; break;
    case 2: sioc__store_be16(tmp + 1, (uint16_t)v); break;
    case 4: sioc__store_be32(tmp + 1, (uint32_t)v); break;
    case 8: sioc__store_be64(tmp + 1, v); break;
    default: break;
    }
    sioc_buf_put(w->out, tmp, 1 + (size_t)nbytes);
}

/* Header of a str/bin/array/map length: fixed form (when fix_max > 0 and n <= fix_max), else 8/16/32-bit forms
   starting at tag8 (tag8 == 0: no 8-bit form, so 16 and 32 start at tag16). */
static void sioc__mpw_len(sioc_msgpack_writer *w, uint8_t fix, uint32_t fix_max, uint8_t tag8, uint8_t tag16,
                          uint32_t n) {
    if (fix_max > 0 && n <= fix_max)
        sioc__mpw_tag(w, (uint8_t)(fix | n), 0, 0);
    else if (tag8 && n <= 0xff)
        sioc__mpw_tag(w, tag8, n, 1);
    else if (n <= 0xffff)
        sioc__mpw_tag(w, tag16, n, 2);
    else
        sioc__mpw_tag(w, (uint8_t)(tag16 + 1), n, 4);
}

static int sioc__mpw_fits_u32(sioc_msgpack_writer *w, size_t len) {
    if ((len >> 16 >> 16) != 0) { /* len > 2^32 - 1, written so a 32-bit size_t draws no warning */
        sioc__mpw_fail(w, SIOC_ERR_LIMIT);
        return 0;
    }
    return 1;
}

SIOC_API void sioc_msgpack_writer_init(sioc_msgpack_writer *w, sioc_buf *out) {
    SIOC_ASSERT(w && out);
    w->out = out;
    w->depth = 0;
}

SIOC_API sioc_result sioc_msgpack_writer_finish(const sioc_msgpack_writer *w) {
    sioc_result e = sioc_buf_result(w->out);
    if (e != SIOC_OK && e != SIOC_ERR_BUFFER_TOO_SMALL) return e;
    if (w->depth != 0) return SIOC_ERR_STATE;
    return e;
}

SIOC_API void sioc_msgpack_write_nil(sioc_msgpack_writer *w) {
    if (!sioc__mpw_live(w)) return;
    sioc__mpw_tag(w, 0xc0, 0, 0);
    sioc__mpw_done(w);
}

SIOC_API void sioc_msgpack_write_bool(sioc_msgpack_writer *w, int v) {
    if (!sioc__mpw_live(w)) return;
    sioc__mpw_tag(w, v ? 0xc3 : 0xc2, 0, 0);
    sioc__mpw_done(w);
}

/* @msgpack/msgpack encodeNumber: non-negative integers never use the signed forms (§9.1). */
SIOC_API void sioc_msgpack_write_uint(sioc_msgpack_writer *w, uint64_t v) {
    if (!sioc__mpw_live(w)) return;
    if (v < 0x80)
        sioc__mpw_tag(w, (uint8_t)v, 0, 0);
    else if (v <= 0xff)
        sioc__mpw_tag(w, 0xcc, v, 1);
    else if (v <= 0xffff)
        sioc__mpw_tag(w, 0xcd, v, 2);
    else if (v <= 0xffffffffu)
        sioc__mpw_tag(w, 0xce, v, 4);
    else
        sioc__mpw_tag(w, 0xcf, v, 8);
    sioc__mpw_done(w);
}

SIOC_API void sioc_msgpack_write_int(sioc_msgpack_writer *w, int64_t v) {
    uint64_t u = (uint64_t)v; /* two's complement bits; the tag writers take the low bytes */
    if (v >= 0) {
        sioc_msgpack_write_uint(w, u);
        return;
    }
    if (!sioc__mpw_live(w)) return;
    if (v >= -32)
        sioc__mpw_tag(w, (uint8_t)(u & 0xff), 0, 0); /* negative fixint e0..ff */
    else if (v >= -128)
        sioc__mpw_tag(w, 0xd0, u, 1);
    else if (v >= -32768)
        sioc__mpw_tag(w, 0xd1, u, 2);
    else if (v >= -2147483647 - 1)
        sioc__mpw_tag(w, 0xd2, u, 4);
    else
        sioc__mpw_tag(w, 0xd3, u, 8);
    sioc__mpw_done(w);
}

SIOC_API void sioc_msgpack_write_double(sioc_msgpack_writer *w, double v) {
    uint64_t bits;
    /* Number.isSafeInteger: the comparisons are false for NaN and exclude the infinities. */
    if (v >= -SIOC__MP_SAFE_INT && v <= SIOC__MP_SAFE_INT) {
        int64_t i = (int64_t)v;
        if ((double)i == v) { /* integral; -0.0 gives 0 -> 00, as Node writes it */
            sioc_msgpack_write_int(w, i);
            return;
        }
    }
    if (!sioc__mpw_live(w)) return;
    if (v != v)
        bits = 0x7ff8000000000000ULL; /* one NaN, as JS writes it (a C NaN may carry a sign or payload) */
    else
        memcpy(&bits, &v, sizeof bits); /* IEEE 754 binary64 in host order, stored big-endian below */
    sioc__mpw_tag(w, 0xcb, bits, 8);
    sioc__mpw_done(w);
}

SIOC_API void sioc_msgpack_write_str(sioc_msgpack_writer *w, const char *s, size_t len) {
    if (!sioc__mpw_live(w) || !sioc__mpw_fits_u32(w, len)) return;
    if (len == 9 && memcmp(s, "__proto__", 9) == 0 && sioc__mpw_at_key(w)) { /* Q14: Node's decoder throws */
        sioc__mpw_fail(w, SIOC_ERR_ARG);
        return;
    }
    sioc__mpw_len(w, 0xa0, 31, 0xd9, 0xda, (uint32_t)len);
    if (len) sioc_buf_put(w->out, s, len);
    sioc__mpw_done(w);
}

SIOC_API void sioc_msgpack_write_cstr(sioc_msgpack_writer *w, const char *s) {
    sioc_msgpack_write_str(w, s, strlen(s));
}

SIOC_API void sioc_msgpack_write_bin(sioc_msgpack_writer *w, const void *p, size_t len) {
    if (!sioc__mpw_live(w) || !sioc__mpw_fits_u32(w, len)) return;
    sioc__mpw_len(w, 0, 0, 0xc4, 0xc5, (uint32_t)len);
    if (len) sioc_buf_put(w->out, p, len);
    sioc__mpw_done(w);
}

/* Push a nesting frame; SIOC_ERR_LIMIT beyond SIOC_MSGPACK_WRITE_DEPTH (sioc_msgpack_skip's bound too). */
static int sioc__mpw_push(sioc_msgpack_writer *w, uint8_t kind, uint64_t n, size_t start) {
    sioc_msgpack_frame_ *f;
    if (w->depth >= SIOC_MSGPACK_WRITE_DEPTH) {
        sioc__mpw_fail(w, SIOC_ERR_LIMIT);
        return 0;
    }
    f = &w->p_frames[w->depth++];
    f->kind = kind;
    f->n = n;
    f->start = start;
    return 1;
}

static void sioc__mpw_known(sioc_msgpack_writer *w, int is_map, uint32_t n) {
    if (!sioc__mpw_live(w)) return;
    /* An empty container still counts as a level, exactly as sioc_msgpack_check counts it. */
    if (w->depth >= SIOC_MSGPACK_WRITE_DEPTH) {
        sioc__mpw_fail(w, SIOC_ERR_LIMIT);
        return;
    }
    if (is_map)
        sioc__mpw_len(w, 0x80, 15, 0, 0xde, n);
    else
        sioc__mpw_len(w, 0x90, 15, 0, 0xdc, n);
    if (n == 0)
        sioc__mpw_done(w);
    else
        (void)sioc__mpw_push(w, is_map ? SIOC__MPW_MAP_KNOWN : SIOC__MPW_ARRAY_KNOWN,
                             is_map ? 2 * (uint64_t)n : (uint64_t)n, 0);
}

SIOC_API void sioc_msgpack_write_array(sioc_msgpack_writer *w, uint32_t n) { sioc__mpw_known(w, 0, n); }
SIOC_API void sioc_msgpack_write_map(sioc_msgpack_writer *w, uint32_t n) { sioc__mpw_known(w, 1, n); }

static void sioc__mpw_begin(sioc_msgpack_writer *w, uint8_t kind) {
    size_t start = w->out->len;
    if (!sioc__mpw_live(w) || !sioc__mpw_push(w, kind, 0, start)) return;
    sioc_buf_putc(w->out, 0); /* 1-byte header slot, set (and widened if needed) by end */
}

/* Close an open container. begin left a 1-byte slot (the fixarray/fixmap form); with more than 15 items end
   widens it to 3 or 5 bytes by moving the body up. Since the final header is never shorter than the slot, len
   never exceeds the final size: a buffer of the final size is always enough and len is exact after an
   overflow. (Reserving the widest header and moving down would need 4 spare bytes per open container.) */
static void sioc__mpw_end(sioc_msgpack_writer *w, uint8_t kind) {
    sioc_msgpack_frame_ *f;
    sioc_buf *b = w->out;
    uint64_t count;
    uint8_t hdr[5];
    size_t h;
    if (!sioc__mpw_live(w)) return;
    f = w->depth ? &w->p_frames[w->depth - 1] : NULL;
    if (!f || f->kind != kind || (kind == SIOC__MPW_MAP_OPEN && f->n % 2 != 0)) {
        sioc__mpw_fail(w, SIOC_ERR_STATE); /* unbalanced end, unfinished inner container, or key without value */
        return;
    }
    count = kind == SIOC__MPW_MAP_OPEN ? f->n / 2 : f->n;
    if (count > 0xffffffffu) {
        sioc__mpw_fail(w, SIOC_ERR_LIMIT);
        return;
    }
    if (count <= 15) {
        hdr[0] = (uint8_t)((kind == SIOC__MPW_MAP_OPEN ? 0x80 : 0x90) | count);
        h = 1;
    } else if (count <= 0xffff) {
        hdr[0] = kind == SIOC__MPW_MAP_OPEN ? 0xde : 0xdc;
        sioc__store_be16(hdr + 1, (uint16_t)count);
        h = 3;
    } else {
        hdr[0] = kind == SIOC__MPW_MAP_OPEN ? 0xdf : 0xdd;
        sioc__store_be32(hdr + 1, (uint32_t)count);
        h = 5;
    }
    if (b->len <= b->cap && h - 1 <= b->cap - b->len) { /* everything is in memory and the result fits */
        memmove(b->data + f->start + h, b->data + f->start + 1, b->len - f->start - 1);
        memcpy(b->data + f->start, hdr, h);
    } /* else: bytes were already lost or will not fit; len > cap from here on, so only the count matters */
    b->len = (b->len + (h - 1) < b->len) ? (size_t)-1 : b->len + (h - 1);
    w->depth--;
    sioc__mpw_done(w);
}

SIOC_API void sioc_msgpack_begin_array(sioc_msgpack_writer *w) { sioc__mpw_begin(w, SIOC__MPW_ARRAY_OPEN); }
SIOC_API void sioc_msgpack_end_array(sioc_msgpack_writer *w) { sioc__mpw_end(w, SIOC__MPW_ARRAY_OPEN); }
SIOC_API void sioc_msgpack_begin_map(sioc_msgpack_writer *w) { sioc__mpw_begin(w, SIOC__MPW_MAP_OPEN); }
SIOC_API void sioc_msgpack_end_map(sioc_msgpack_writer *w) { sioc__mpw_end(w, SIOC__MPW_MAP_OPEN); }

/* @msgpack/msgpack encodeExtension: fixext for sizes 1, 2, 4, 8, 16, else ext8/16/32. */
static void sioc__mpw_ext_header(sioc_msgpack_writer *w, int8_t type, uint32_t len) {
    uint8_t t = (uint8_t)type;
    switch (len) {
    case 1: sioc__mpw_tag(w, 0xd4, t, 1); return;
    case 2: sioc__mpw_tag(w, 0xd5, t, 1); return;
    case 4: sioc__mpw_tag(w, 0xd6, t, 1); return;
    case 8: sioc__mpw_tag(w, 0xd7, t, 1); return;
    case 16: sioc__mpw_tag(w, 0xd8, t, 1); return;
    default: break;
    }
    sioc__mpw_len(w, 0, 0, 0xc7, 0xc8, len);
    sioc_buf_put(w->out, &t, 1);
}

SIOC_API void sioc_msgpack_write_ext(sioc_msgpack_writer *w, int8_t type, const void *data, size_t len) {
    if (!sioc__mpw_live(w) || !sioc__mpw_fits_u32(w, len)) return;
    sioc__mpw_ext_header(w, type, (uint32_t)len);
    if (len) sioc_buf_put(w->out, data, len);
    sioc__mpw_done(w);
}

/* msgpack spec, timestamp extension: 32-bit form for whole seconds in [0, 2^32), 64-bit form (nsec << 34 | sec)
   for seconds in [0, 2^34), else 96-bit (u32 nsec, i64 sec). Same choice as @msgpack/msgpack. */
SIOC_API void sioc_msgpack_write_timestamp(sioc_msgpack_writer *w, int64_t sec, uint32_t nsec) {
    uint8_t tmp[12];
    if (!sioc__mpw_live(w)) return;
    if (nsec > 999999999u) {
        sioc__mpw_fail(w, SIOC_ERR_ARG);
        return;
    }
    if (sec >= 0 && sec <= 0x3ffffffffLL) {
        if (nsec == 0 && sec <= 0xffffffffLL) {
            sioc__store_be32(tmp, (uint32_t)sec);
            sioc__mpw_ext_header(w, -1, 4);
            sioc_buf_put(w->out, tmp, 4);
        } else {
            sioc__store_be64(tmp, ((uint64_t)nsec << 34) | (uint64_t)sec);
            sioc__mpw_ext_header(w, -1, 8);
            sioc_buf_put(w->out, tmp, 8);
        }
    } else {
        sioc__store_be32(tmp, nsec);
        sioc__store_be64(tmp + 4, (uint64_t)sec);
        sioc__mpw_ext_header(w, -1, 12);
        sioc_buf_put(w->out, tmp, 12);
    }
    sioc__mpw_done(w);
}

SIOC_API void sioc_msgpack_write_date_ms(sioc_msgpack_writer *w, int64_t ms) {
    int64_t sec = ms / 1000, rem = ms % 1000; /* C truncates; JS uses Math.floor */
    if (rem < 0) {
        sec -= 1;
        rem += 1000;
    }
    sioc_msgpack_write_timestamp(w, sec, (uint32_t)rem * 1000000u);
}

SIOC_API void sioc_msgpack_write_raw(sioc_msgpack_writer *w, const void *p, size_t len) {
    if (!sioc__mpw_live(w)) return;
    if (len) sioc_buf_put(w->out, p, len);
    sioc__mpw_done(w);
}

/* ---- reader ---- */

/* Two's complement value of the low `bits` bits of v, without implementation-defined conversions. */
static int64_t sioc__mp_signed(uint64_t v, unsigned bits) {
    uint64_t sign = (uint64_t)1 << (bits - 1);
    if (bits < 64) v &= (sign << 1) - 1;
    if (!(v & sign)) return (int64_t)v;
    if (bits < 64) return (int64_t)v - (int64_t)(sign << 1); /* v - 2^bits: both fit in int64 */
    return -(int64_t)(~v) - 1;
}

static uint64_t sioc__mp_load(const uint8_t *p, unsigned n) {
    switch (n) {
    case 1: return p[0];
    case 2: return sioc__load_be16(p);
    case 4: return sioc__load_be32(p);
    default: return sioc__load_be64(p);
    }
}

/* float32 bits -> the bits of the same value as a float64, exactly (a NaN keeps its payload, quieted, as FPUs
   do), without floating-point arithmetic: on a soft-float target one (double) cast links the double library. */
static uint64_t sioc__mp_f32_to_f64(uint32_t b) {
    uint64_t sign = (uint64_t)(b >> 31) << 63;
    int e = (int)((b >> 23) & 0xFFu);
    uint32_t m = b & 0x7FFFFFu;
    if (e == 0xFF) return sign | 0x7FF0000000000000ull | (m ? 0x0008000000000000ull : 0u) | ((uint64_t)m << 29);
    if (e == 0) {
        if (!m) return sign; /* +-0 */
        e = 1;               /* subnormal: normalise, so the implicit leading 1 is bit 23 */
        while (!(m & 0x800000u)) m <<= 1, e--;
        m &= 0x7FFFFFu;
    }
    return sign | ((uint64_t)(e + 1023 - 127) << 52) | ((uint64_t)m << 29);
}

/* Tags c0..df: the type (low 4 bits) and, above, 1 + log2 of the width of the field after the tag (0: none; 1..4:
   1, 2, 4, 8 bytes). For the types from STR up (str, bin, array, map, ext) that field is the length or count. */
#define SIOC__MPT(type, wl) (uint8_t)(SIOC_MSGPACK_##type | ((wl) << 4))
static const uint8_t sioc__mp_tags[32] = {
    SIOC__MPT(NIL, 0),   SIOC__MPT(NONE, 0),  SIOC__MPT(BOOL, 0),  SIOC__MPT(BOOL, 0),  SIOC__MPT(BIN, 1),
    SIOC__MPT(BIN, 2),   SIOC__MPT(BIN, 3),   SIOC__MPT(EXT, 1),   SIOC__MPT(EXT, 2),   SIOC__MPT(EXT, 3),
    SIOC__MPT(FLOAT32, 3), SIOC__MPT(FLOAT64, 4), SIOC__MPT(UINT, 1), SIOC__MPT(UINT, 2), SIOC__MPT(UINT, 3),
    SIOC__MPT(UINT, 4),  SIOC__MPT(INT, 1),   SIOC__MPT(INT, 2),   SIOC__MPT(INT, 3),   SIOC__MPT(INT, 4),
    SIOC__MPT(EXT, 0),   SIOC__MPT(EXT, 0),   SIOC__MPT(EXT, 0),   SIOC__MPT(EXT, 0),   SIOC__MPT(EXT, 0),
    SIOC__MPT(STR, 1),   SIOC__MPT(STR, 2),   SIOC__MPT(STR, 3),   SIOC__MPT(ARRAY, 2), SIOC__MPT(ARRAY, 3),
    SIOC__MPT(MAP, 2),   SIOC__MPT(MAP, 3)};
#undef SIOC__MPT

/* What an item's header says: enough to validate and skip it without decoding its value. */
typedef struct sioc__mp_head {
    uint8_t type; /* sioc_msgpack_type (TIMESTAMP for a well-formed ext -1) */
    uint8_t hdr;  /* bytes before the payload: tag, the field after it, ext type */
    uint32_t n;   /* str, bin, ext: payload bytes; array: elements; map: pairs */
    size_t size;  /* bytes of the item (for containers: of the header) */
} sioc__mp_head;

/* The header at p (avail bytes). Pure: no state. Every length is checked against avail before any byte past
   the header is touched. */
static sioc_result sioc__mp_head_at(const uint8_t *p, size_t avail, sioc__mp_head *h) {
    unsigned b, t = SIOC_MSGPACK_UINT, w = 0, i;
    uint32_t n = 0;
    size_t hdr, left;
    if (avail == 0) return SIOC_ERR_PARSE;
    b = p[0];
    if (b >= 0xe0) { /* negative fixint */
        t = SIOC_MSGPACK_INT;
    } else if (b >= 0xc0) {
        unsigned e = sioc__mp_tags[b - 0xc0];
        t = e & 15u;
        w = (1u << (e >> 4)) >> 1;
        if (b - 0xd4u <= 4u) n = 1u << (b - 0xd4u); /* fixext: the size is in the tag */
    } else if (b >= 0x80) { /* fixmap, fixarray, fixstr */
        t = b < 0x90 ? SIOC_MSGPACK_MAP : b < 0xa0 ? SIOC_MSGPACK_ARRAY : SIOC_MSGPACK_STR;
        n = b & (b < 0xa0 ? 0x0fu : 0x1fu);
    }
    if (t == SIOC_MSGPACK_NONE) return SIOC_ERR_PARSE; /* 0xc1: never used */
    hdr = 1 + w + (t == SIOC_MSGPACK_EXT); /* tag, field, ext type byte */
    if (avail < hdr) return SIOC_ERR_PARSE;
    left = avail - hdr;
    if (t >= SIOC_MSGPACK_STR) { /* the field is the length or count (at most 4 bytes) */
        for (i = 1; i <= w; i++) n = (n << 8) | p[i];
        /* Every element takes at least one byte: a larger count is a lie, rejected before anyone loops on it. */
        if (n > (t == SIOC_MSGPACK_MAP ? left / 2 : left)) return SIOC_ERR_PARSE;
    }
    h->size = hdr + (t == SIOC_MSGPACK_ARRAY || t == SIOC_MSGPACK_MAP ? 0 : n);
    if (t == SIOC_MSGPACK_EXT && p[hdr - 1] == 0xff) { /* timestamp; Node throws on other sizes */
        const uint8_t *d = p + hdr;
        uint32_t nsec = n == 8 ? sioc__load_be32(d) >> 2 : n == 12 ? sioc__load_be32(d) : 0;
        if ((n != 4 && n != 8 && n != 12) || nsec > 999999999u) return SIOC_ERR_PARSE;
        t = SIOC_MSGPACK_TIMESTAMP;
    }
    h->type = (uint8_t)t;
    h->hdr = (uint8_t)hdr;
    h->n = n;
    return SIOC_OK;
}

/* The item at p whose header is h, decoded into it (zeroed by the caller). */
static void sioc__mp_fill(const uint8_t *p, const sioc__mp_head *h, sioc_msgpack_item *it) {
    uint64_t v;
    unsigned w = h->hdr - 1u; /* scalars: the width of the value field */
    it->format = p[0];
    it->type = (sioc_msgpack_type)h->type;
    /* scalars: the value field, or the tag of a fixint */
    v = w && h->type < SIOC_MSGPACK_STR ? sioc__mp_load(p + 1, w) : p[0];
    switch (h->type) {
    case SIOC_MSGPACK_BOOL: it->boolean = p[0] & 1; break;
    case SIOC_MSGPACK_UINT: it->u = v; break;
    case SIOC_MSGPACK_INT:
        it->i = sioc__mp_signed(v, w ? 8u * w : 8u);
        if (it->i >= 0) { /* non-negative in a signed form: one integer type per sign */
            it->type = SIOC_MSGPACK_UINT;
            it->u = (uint64_t)it->i;
            it->i = 0;
        }
        break;
    case SIOC_MSGPACK_FLOAT32:
        v = sioc__mp_f32_to_f64((uint32_t)v);
        /* fall through */
    case SIOC_MSGPACK_FLOAT64: memcpy(&it->f, &v, sizeof it->f); break;
    case SIOC_MSGPACK_NIL: break;
    case SIOC_MSGPACK_ARRAY:
    case SIOC_MSGPACK_MAP: it->len = h->n; break;
    default: /* STR, BIN, EXT, TIMESTAMP */
        it->len = h->n;
        it->data = p + h->hdr;
        if (h->type < SIOC_MSGPACK_EXT) break;
        it->ext_type = (int8_t)sioc__mp_signed(p[h->hdr - 1], 8);
        if (h->type == SIOC_MSGPACK_TIMESTAMP) { /* sizes and nsec were checked with the header */
            const uint8_t *d = it->data;
            if (h->n == 4) {
                it->ts_sec = (int64_t)sioc__load_be32(d);
            } else if (h->n == 8) {
                uint64_t x = sioc__load_be64(d);
                it->ts_nsec = (uint32_t)(x >> 34);
                it->ts_sec = (int64_t)(x & 0x3ffffffffULL);
            } else {
                it->ts_nsec = sioc__load_be32(d);
                it->ts_sec = sioc__mp_signed(sioc__load_be64(d + 4), 64);
            }
        }
        break;
    }
}

static sioc_result sioc__mp_fail(sioc_msgpack_reader *r, size_t at, sioc_result e) {
    if (r->err == SIOC_OK) {
        r->err = e;
        r->error_at = at;
    }
    return r->err;
}

SIOC_API void sioc_msgpack_reader_init(sioc_msgpack_reader *r, const void *data, size_t len) {
    r->data = (const uint8_t *)data;
    r->len = data ? len : 0;
    r->pos = 0;
    r->err = SIOC_OK;
    r->error_at = 0;
}

/* The header of the item at the cursor, the cursor then past it (for a container: past its header). A malformed
   item is recorded in r (sticky). */
static sioc_result sioc__mp_next(sioc_msgpack_reader *r, sioc__mp_head *h) {
    size_t at = r->pos;
    if (r->err != SIOC_OK) return r->err;
    /* at < len also keeps NULL + 0 out of the pointer arithmetic */
    if (at >= r->len || sioc__mp_head_at(r->data + at, r->len - at, h) != SIOC_OK)
        return sioc__mp_fail(r, at, SIOC_ERR_PARSE);
    r->pos = at + h->size;
    return SIOC_OK;
}

SIOC_API sioc_result sioc_msgpack_read(sioc_msgpack_reader *r, sioc_msgpack_item *out) {
    sioc__mp_head h;
    size_t at = r->pos;
    sioc_result e = sioc__mp_next(r, &h);
    memset(out, 0, sizeof *out);
    if (e == SIOC_OK) sioc__mp_fill(r->data + at, &h, out);
    return e;
}

SIOC_API sioc_result sioc_msgpack_peek(const sioc_msgpack_reader *r, sioc_msgpack_item *out) {
    sioc_msgpack_reader t = *r;
    return sioc_msgpack_read(&t, out);
}

/* UTF-8 as RFC 3629, except that surrogates (U+D800..DFFF in 3 bytes) pass: Node writes a JS string holding a
   lone surrogate that way (§9.1), and the JSON writer turns it back into \udxxx for the clients. */
static int sioc__mp_utf8_ok(const uint8_t *s, size_t n) {
    size_t i = 0;
    while (i < n) {
        uint8_t c = s[i];
        size_t k, need;
        uint8_t lo = 0x80, hi = 0xbf;
        if (c < 0x80) {
            i++;
            continue;
        }
        if (c < 0xc2) return 0; /* continuation byte or overlong 2-byte lead */
        if (c < 0xe0) {
            need = 1;
        } else if (c < 0xf0) {
            need = 2;
            if (c == 0xe0) lo = 0xa0; /* overlong */
        } else if (c < 0xf5) {
            need = 3;
            if (c == 0xf0) lo = 0x90; /* overlong */
            if (c == 0xf4) hi = 0x8f; /* above U+10FFFF */
        } else {
            return 0;
        }
        if (n - i <= need) return 0;
        if (s[i + 1] < lo || s[i + 1] > hi) return 0;
        for (k = 2; k <= need; k++)
            if ((s[i + k] & 0xc0) != 0x80) return 0;
        i += need + 1;
    }
    return 1;
}

/* Walk one whole value without recursion: a stack of items still due per open container. strict adds the
   checks of sioc_msgpack_check (UTF-8, key types, "__proto__"); max_depth <= SIOC_MSGPACK_WRITE_DEPTH. */
static sioc_result sioc__mp_walk(sioc_msgpack_reader *r, int strict, unsigned max_depth) {
    size_t due[SIOC_MSGPACK_WRITE_DEPTH];
    uint8_t is_map[SIOC_MSGPACK_WRITE_DEPTH];
    unsigned depth = 0;
    for (;;) {
        sioc__mp_head h;
        size_t at = r->pos;
        int key = depth > 0 && is_map[depth - 1] && due[depth - 1] % 2 == 0;
        sioc_result e = sioc__mp_next(r, &h);
        if (e != SIOC_OK) return e;
        if (strict) {
            const uint8_t *d = r->data + at + h.hdr;
            if (h.type == SIOC_MSGPACK_STR && !sioc__mp_utf8_ok(d, h.n)) return sioc__mp_fail(r, at, SIOC_ERR_PARSE);
            if (key) {
                /* Node accepts str and number keys (§9.2); we take str and integers only. */
                if (h.type != SIOC_MSGPACK_STR && h.type != SIOC_MSGPACK_UINT && h.type != SIOC_MSGPACK_INT)
                    return sioc__mp_fail(r, at, SIOC_ERR_PARSE);
                if (h.type == SIOC_MSGPACK_STR && h.n == 9 && memcmp(d, "__proto__", 9) == 0)
                    return sioc__mp_fail(r, at, SIOC_ERR_PARSE);
            }
        }
        if (depth > 0) due[depth - 1]--;
        if (h.type == SIOC_MSGPACK_ARRAY || h.type == SIOC_MSGPACK_MAP) {
            if (depth >= max_depth) return sioc__mp_fail(r, at, SIOC_ERR_LIMIT);
            if (h.n > 0) { /* the header check keeps 2 * n within the bytes left, so no overflow */
                due[depth] = h.type == SIOC_MSGPACK_MAP ? 2 * (size_t)h.n : (size_t)h.n;
                is_map[depth] = h.type == SIOC_MSGPACK_MAP;
                depth++;
            }
        }
        while (depth > 0 && due[depth - 1] == 0) depth--;
        if (depth == 0) return SIOC_OK;
    }
}

SIOC_API sioc_result sioc_msgpack_skip(sioc_msgpack_reader *r) { return sioc__mp_walk(r, 0, SIOC_MSGPACK_WRITE_DEPTH); }

SIOC_API sioc_result sioc_msgpack_read_raw(sioc_msgpack_reader *r, sioc_bytes *out) {
    size_t start = r->pos;
    sioc_result e = sioc__mp_walk(r, 0, SIOC_MSGPACK_WRITE_DEPTH);
    out->ptr = r->data + start;
    out->len = e == SIOC_OK ? r->pos - start : 0;
    return e;
}

SIOC_API sioc_result sioc_msgpack_reader_check(sioc_msgpack_reader *r) {
    return sioc__mp_walk(r, 1, SIOC_MAX_MSGPACK_DEPTH);
}

SIOC_API sioc_result sioc_msgpack_check(const void *data, size_t len) {
    return sioc_msgpack_check_depth(data, len, SIOC_MAX_MSGPACK_DEPTH);
}

SIOC_API sioc_result sioc_msgpack_check_depth(const void *data, size_t len, unsigned max_depth) {
    sioc_msgpack_reader r;
    sioc_result e;
    sioc_msgpack_reader_init(&r, data, len);
    e = sioc__mp_walk(&r, 1, SIOC__MIN(max_depth, (unsigned)SIOC_MSGPACK_WRITE_DEPTH));
    if (e != SIOC_OK) return e;
    return r.pos == r.len ? SIOC_OK : SIOC_ERR_PARSE; /* Node: "Extra N of M byte(s) found at buffer[pos]" */
}

/* Typed reads of what the header holds (nil, bool, str, bin, array, map): the item at the cursor when it is of
   type `want`, the cursor then past it (*at: where it starts); otherwise the cursor stays put. */
static sioc_result sioc__mp_typed(sioc_msgpack_reader *r, sioc__mp_head *h, unsigned want, const uint8_t **at) {
    size_t pos = r->pos;
    sioc_result e = sioc__mp_next(r, h);
    if (e != SIOC_OK) return e;
    *at = r->data + pos;
    if (h->type == want) return SIOC_OK;
    r->pos = pos;
    return SIOC_ERR_TYPE;
}

/* Read an item on a copy of the reader; a malformed-input error is carried back to r (sticky). */
static sioc_result sioc__mp_take(sioc_msgpack_reader *r, sioc_msgpack_reader *t, sioc_msgpack_item *it) {
    sioc_result e;
    *t = *r;
    e = sioc_msgpack_read(t, it);
    if (e != SIOC_OK) {
        r->err = t->err;
        r->error_at = t->error_at;
    }
    return e;
}

SIOC_API sioc_result sioc_msgpack_map_find_n(sioc_msgpack_reader *r, const char *key, size_t len) {
    sioc_msgpack_reader t;
    sioc__mp_head m;
    const uint8_t *at;
    size_t found = 0; /* offset of the matching value; 0 cannot be one (the map header comes first) */
    uint32_t i;
    sioc_result e = sioc__mp_typed(r, &m, SIOC_MSGPACK_MAP, &at);
    if (e != SIOC_OK) return e;
    t = *r;
    r->pos = (size_t)(at - r->data); /* the cursor stays on the map until a key is found */
    for (i = 0; i < m.n; i++) {
        size_t kpos = t.pos;
        sioc__mp_head k;
        if (sioc_msgpack_skip(&t) != SIOC_OK) break; /* the whole key, even a container */
        (void)sioc__mp_head_at(t.data + kpos, t.len - kpos, &k); /* cannot fail: skip just read it */
        if (k.type == SIOC_MSGPACK_STR && k.n == len && (len == 0 || memcmp(t.data + kpos + k.hdr, key, len) == 0))
            found = t.pos; /* keep going: the last duplicate wins, as in a JS object */
        if (sioc_msgpack_skip(&t) != SIOC_OK) break;
    }
    if (t.err != SIOC_OK) { /* malformed map: sticky on the caller's reader too */
        r->err = t.err;
        r->error_at = t.error_at;
        return t.err;
    }
    if (!found) return SIOC_ERR_NOT_FOUND;
    r->pos = found;
    return SIOC_OK;
}

SIOC_API sioc_result sioc_msgpack_map_find(sioc_msgpack_reader *r, const char *key) {
    return sioc_msgpack_map_find_n(r, key, strlen(key));
}

SIOC_API sioc_result sioc_msgpack_read_nil(sioc_msgpack_reader *r) {
    sioc__mp_head h;
    const uint8_t *at;
    return sioc__mp_typed(r, &h, SIOC_MSGPACK_NIL, &at);
}

SIOC_API sioc_result sioc_msgpack_read_bool(sioc_msgpack_reader *r, int *out) {
    sioc__mp_head h;
    const uint8_t *at;
    sioc_result e = sioc__mp_typed(r, &h, SIOC_MSGPACK_BOOL, &at);
    if (e == SIOC_OK) *out = at[0] & 1; /* c2 false, c3 true */
    return e;
}

SIOC_API sioc_result sioc_msgpack_read_i64(sioc_msgpack_reader *r, int64_t *out) {
    sioc_msgpack_reader t;
    sioc_msgpack_item it;
    sioc_result e = sioc__mp_take(r, &t, &it);
    if (e != SIOC_OK) return e;
    if (it.type == SIOC_MSGPACK_INT) {
        *out = it.i;
    } else if (it.type == SIOC_MSGPACK_UINT) {
        if (it.u > (uint64_t)INT64_MAX) return SIOC_ERR_RANGE;
        *out = (int64_t)it.u;
    } else {
        return SIOC_ERR_TYPE;
    }
    *r = t;
    return SIOC_OK;
}

SIOC_API sioc_result sioc_msgpack_read_u64(sioc_msgpack_reader *r, uint64_t *out) {
    sioc_msgpack_reader t;
    sioc_msgpack_item it;
    sioc_result e = sioc__mp_take(r, &t, &it);
    if (e != SIOC_OK) return e;
    if (it.type == SIOC_MSGPACK_INT) return SIOC_ERR_RANGE;
    if (it.type != SIOC_MSGPACK_UINT) return SIOC_ERR_TYPE;
    *out = it.u;
    *r = t;
    return SIOC_OK;
}

SIOC_API sioc_result sioc_msgpack_read_f64(sioc_msgpack_reader *r, double *out) {
    sioc_msgpack_reader t;
    sioc_msgpack_item it;
    sioc_result e = sioc__mp_take(r, &t, &it);
    if (e != SIOC_OK) return e;
    switch (it.type) {
    case SIOC_MSGPACK_UINT: *out = (double)it.u; break;
    case SIOC_MSGPACK_INT: *out = (double)it.i; break;
    case SIOC_MSGPACK_FLOAT32:
    case SIOC_MSGPACK_FLOAT64: *out = it.f; break;
    default: return SIOC_ERR_TYPE;
    }
    *r = t;
    return SIOC_OK;
}

/* str and bin: the payload after the header */
static sioc_result sioc__mp_read_data(sioc_msgpack_reader *r, unsigned want, sioc_bytes *out) {
    sioc__mp_head h;
    const uint8_t *at;
    sioc_result e = sioc__mp_typed(r, &h, want, &at);
    if (e == SIOC_OK) {
        out->ptr = at + h.hdr;
        out->len = h.n;
    }
    return e;
}

SIOC_API sioc_result sioc_msgpack_read_str(sioc_msgpack_reader *r, sioc_str *out) {
    sioc_bytes b;
    sioc_result e = sioc__mp_read_data(r, SIOC_MSGPACK_STR, &b);
    if (e == SIOC_OK) {
        out->ptr = (const char *)b.ptr;
        out->len = b.len;
    }
    return e;
}

SIOC_API sioc_result sioc_msgpack_read_bin(sioc_msgpack_reader *r, sioc_bytes *out) {
    return sioc__mp_read_data(r, SIOC_MSGPACK_BIN, out);
}

/* array and map: the count */
static sioc_result sioc__mp_read_count(sioc_msgpack_reader *r, unsigned want, uint32_t *out_count) {
    sioc__mp_head h;
    const uint8_t *at;
    sioc_result e = sioc__mp_typed(r, &h, want, &at);
    if (e == SIOC_OK) *out_count = h.n;
    return e;
}

SIOC_API sioc_result sioc_msgpack_read_array(sioc_msgpack_reader *r, uint32_t *out_count) {
    return sioc__mp_read_count(r, SIOC_MSGPACK_ARRAY, out_count);
}

SIOC_API sioc_result sioc_msgpack_read_map(sioc_msgpack_reader *r, uint32_t *out_count) {
    return sioc__mp_read_count(r, SIOC_MSGPACK_MAP, out_count);
}
/* ---- src/mpjson.c ---- */
/* ---- mpjson.c ---- */

/* ---- msgpack -> JSON ---- */

#if SIOC_ENABLE_FLOAT
/* A JS Date for a msgpack timestamp, as Date.prototype.toJSON prints it (years outside 0..9999 as +-YYYYYY).
   Returns the length, or 0 for an invalid Date (toJSON gives null). */
static size_t sioc__mpj_iso_date(int64_t sec, uint32_t nsec, char *out) {
    /* The same double operations Node runs: new Date(sec * 1e3 + nsec / 1e6), then TimeClip truncates. */
    double t = (double)sec * 1e3 + (double)nsec / 1e6;
    int64_t days, y;
    uint32_t rem, a, parts[6]; /* within the JS range every part fits 32 bits (|year| <= 275760) */
    unsigned mo, d;
    static const char seps[6] = {'-', '-', 'T', ':', ':', '.'};
    char *p = out;
    int i;
    if (!(t <= 8.64e15 && t >= -8.64e15)) return 0;
    days = sioc__fdiv64((int64_t)t, 86400000u, &rem); /* floor: rem is the time of day */
    sioc__civil_from_days(days, &y, &mo, &d);
    a = (uint32_t)(y < 0 ? -y : y);
    if (y < 0 || y > 9999) {
        *p++ = y < 0 ? '-' : '+';
        for (i = 5; i >= 0; i--, a /= 10) p[i] = (char)('0' + (int)(a % 10));
        p += 6;
    } else {
        for (i = 3; i >= 0; i--, a /= 10) p[i] = (char)('0' + (int)(a % 10));
        p += 4;
    }
    parts[0] = mo;
    parts[1] = d;
    parts[2] = rem / 3600000;
    parts[3] = rem / 60000 % 60;
    parts[4] = rem / 1000 % 60;
    parts[5] = rem % 1000;
    for (i = 0; i < 6; i++) {
        *p++ = seps[i];
        if (i == 5) *p++ = (char)('0' + (int)(parts[i] / 100));
        *p++ = (char)('0' + (int)(parts[i] / 10 % 10));
        *p++ = (char)('0' + (int)(parts[i] % 10));
    }
    *p++ = 'Z';
    return (size_t)(p - out);
}
#endif

/* SIOC_ENABLE_FLOAT 0: a value JS would print through a double (a float, a Date, an integer beyond 2^53) cannot be
   written: the conversion fails with SIOC_ERR_UNSUPPORTED rather than link the double library. */
#if SIOC_ENABLE_FLOAT
#define SIOC__MPJ_F64(jw, v) (sioc_json_write_f64((jw), (v)), SIOC_OK)
#else
#define SIOC__MPJ_F64(jw, v) SIOC_ERR_UNSUPPORTED
#endif

/* An integer: exact, or as the double Node reads (beyond 2^53 JS prints the double). */
static sioc_result sioc__mpj_uint(sioc_json_writer *jw, uint64_t u, int exact) {
    if (!exact && u > 9007199254740992u) return SIOC__MPJ_F64(jw, (double)u);
    sioc_json_write_u64(jw, u);
    return SIOC_OK;
}
static sioc_result sioc__mpj_int(sioc_json_writer *jw, int64_t i, int exact) {
    if (!exact && i < -(int64_t)9007199254740992) return SIOC__MPJ_F64(jw, (double)i);
    sioc_json_write_i64(jw, i);
    return SIOC_OK;
}

/* A map key: str as is, an integer as the property name JS gives it (String(n), or the exact digits). */
static sioc_result sioc__mpj_key(sioc_json_writer *jw, const sioc_msgpack_item *it, int exact) {
    char tmp[SIOC_JSON_F64_MAX > 24 ? SIOC_JSON_F64_MAX : 24];
    if (it->type == SIOC_MSGPACK_STR) {
        sioc_json_write_key(jw, (const char *)it->data, it->len);
        return SIOC_OK;
    }
    if (it->type != SIOC_MSGPACK_UINT && it->type != SIOC_MSGPACK_INT) return SIOC_ERR_TYPE;
    /* up to 2^53 String(n) prints every digit */
    if (exact || (it->type == SIOC_MSGPACK_UINT ? it->u <= 9007199254740992u : it->i >= -(int64_t)9007199254740992)) {
        uint64_t u = it->type == SIOC_MSGPACK_UINT ? it->u : (uint64_t)0 - (uint64_t)it->i;
        char *p = tmp + sizeof tmp;
        do {
            uint32_t digit;
            u = sioc__udiv64(u, 10u, &digit);
            *--p = (char)('0' + (int)digit);
        } while (u);
        if (it->type == SIOC_MSGPACK_INT) *--p = '-';
        sioc_json_write_key(jw, p, (size_t)(tmp + sizeof tmp - p));
        return SIOC_OK;
    }
#if SIOC_ENABLE_FLOAT
    sioc_json_write_key(jw, tmp,
                        sioc_json_format_f64(it->type == SIOC_MSGPACK_UINT ? (double)it->u : (double)it->i, tmp));
    return SIOC_OK;
#else
    return SIOC_ERR_UNSUPPORTED;
#endif
}

/* One scalar (or str/bin/ext/timestamp) value. */
static sioc_result sioc__mpj_scalar(sioc_json_writer *jw, const sioc_msgpack_item *it, const sioc_mpjson_opts *o) {
    int exact = (o->flags & SIOC_MPJSON_EXACT_INTEGERS) != 0;
    switch (it->type) {
    case SIOC_MSGPACK_NIL: sioc_json_write_null(jw); return SIOC_OK;
    case SIOC_MSGPACK_BOOL: sioc_json_write_bool(jw, it->boolean); return SIOC_OK;
    case SIOC_MSGPACK_UINT: return sioc__mpj_uint(jw, it->u, exact);
    case SIOC_MSGPACK_INT: return sioc__mpj_int(jw, it->i, exact);
    case SIOC_MSGPACK_FLOAT32:
    case SIOC_MSGPACK_FLOAT64: return SIOC__MPJ_F64(jw, it->f);
    case SIOC_MSGPACK_STR: sioc_json_write_str(jw, (const char *)it->data, it->len); return SIOC_OK;
    case SIOC_MSGPACK_TIMESTAMP: {
#if SIOC_ENABLE_FLOAT
        char tmp[32];
        size_t n = sioc__mpj_iso_date(it->ts_sec, it->ts_nsec, tmp);
        if (n)
            sioc_json_write_str(jw, tmp, n);
        else
            sioc_json_write_null(jw);
        return SIOC_OK;
#else
        return SIOC_ERR_UNSUPPORTED;
#endif
    }
    case SIOC_MSGPACK_BIN:
    case SIOC_MSGPACK_EXT: return o->write_bin ? o->write_bin(o->user, jw, it) : SIOC_ERR_TYPE;
    default: return SIOC_ERR_PARSE;
    }
}

typedef struct sioc__mpj_frame {
    uint64_t left; /* items still to come (map: keys and values) */
    uint8_t is_map;
} sioc__mpj_frame;

SIOC_API sioc_result sioc_msgpack_to_json(sioc_json_writer *jw, sioc_bytes value, const sioc_mpjson_opts *opts) {
    static const sioc_mpjson_opts none = {0, NULL, NULL, NULL};
    sioc__mpj_frame stack[SIOC_MSGPACK_WRITE_DEPTH];
    size_t depth = 0;
    sioc_msgpack_reader r;
    sioc_msgpack_item it;
    const sioc_mpjson_opts *o = opts ? opts : &none;
    if (!value.ptr && value.len) return SIOC_ERR_ARG;
    sioc_msgpack_reader_init(&r, value.ptr, value.len);
    for (;;) {
        sioc_result e = sioc_msgpack_read(&r, &it);
        if (e != SIOC_OK) return e;
        if (depth > 0 && stack[depth - 1].is_map && stack[depth - 1].left % 2 == 0) {
            e = sioc__mpj_key(jw, &it, (o->flags & SIOC_MPJSON_EXACT_INTEGERS) != 0);
        } else if (it.type == SIOC_MSGPACK_ARRAY || it.type == SIOC_MSGPACK_MAP) {
            int is_map = it.type == SIOC_MSGPACK_MAP;
            if (depth == SIOC__COUNT(stack)) return SIOC_ERR_LIMIT;
            if (is_map)
                sioc_json_write_object_begin(jw);
            else
                sioc_json_write_array_begin(jw);
            if (it.len > 0) {
                stack[depth].is_map = (uint8_t)is_map;
                stack[depth].left = is_map ? 2u * (uint64_t)it.len : it.len;
                depth++;
                continue; /* the container completes when its last item does */
            }
            if (is_map)
                sioc_json_write_object_end(jw);
            else
                sioc_json_write_array_end(jw);
        } else {
            e = sioc__mpj_scalar(jw, &it, o);
        }
        if (e != SIOC_OK) return e;
        /* One item is complete: count it, closing every container it completes. */
        while (depth > 0 && --stack[depth - 1].left == 0) {
            if (stack[depth - 1].is_map)
                sioc_json_write_object_end(jw);
            else
                sioc_json_write_array_end(jw);
            depth--;
        }
        if (depth == 0) break;
    }
    if (r.pos != r.len) return SIOC_ERR_PARSE;
    return sioc_buf_result(jw->out);
}

/* ---- JSON -> msgpack ---- */

/* The header of a str, bin or ext (ext_type >= -128) of n bytes; then room for the n bytes, written straight into
   the buffer: returns where they go, or NULL when they do not fit (counted: the buffer reports the size needed). */
static uint8_t *sioc__mpj_reserve(sioc_msgpack_writer *w, int kind, int ext_type, size_t n) {
    static const uint8_t forms[3][3] = {{0xd9, 0xda, 0xdb}, {0xc4, 0xc5, 0xc6}, {0xc7, 0xc8, 0xc9}}; /* str bin ext */
    uint8_t hdr[6];
    size_t h = 1;
    if (n > 0xffffffffu) {
        sioc_buf_fail(w->out, SIOC_ERR_LIMIT);
        return NULL;
    }
    if (kind == 0 && n <= 31) {
        hdr[0] = (uint8_t)(0xa0 | n);
    } else if (kind == 2 && (n == 1 || n == 2 || n == 4 || n == 8 || n == 16)) {
        hdr[0] = (uint8_t)(n == 1 ? 0xd4 : n == 2 ? 0xd5 : n == 4 ? 0xd6 : n == 8 ? 0xd7 : 0xd8); /* fixext */
    } else if (n <= 0xff) {
        hdr[0] = forms[kind][0];
        hdr[h++] = (uint8_t)n;
    } else if (n <= 0xffff) {
        hdr[0] = forms[kind][1];
        sioc__store_be16(hdr + 1, (uint16_t)n);
        h = 3;
    } else {
        hdr[0] = forms[kind][2];
        sioc__store_be32(hdr + 1, (uint32_t)n);
        h = 5;
    }
    if (kind == 2) hdr[h++] = (uint8_t)(int8_t)ext_type;
    sioc_msgpack_write_raw(w, hdr, h); /* counts as the one value; the body follows directly */
    if (w->out->err != SIOC_OK) return NULL;
    return (uint8_t *)sioc_buf_reserve(w->out, n);
}

/* A JSON string token as a msgpack str, unescaped straight into the output buffer. */
static void sioc__mpj_str(sioc_msgpack_writer *w, const sioc_json *doc, int tok) {
    const sioc_json_tok *t = &doc->toks[tok];
    size_t n = 0, k, units = 0;
    uint8_t *dst;
    if (!t->escaped) {
        sioc_msgpack_write_str(w, doc->text + t->start, t->len);
        return;
    }
    (void)sioc_json_get_str(doc, tok, NULL, 0, &n);
    dst = sioc__mpj_reserve(w, 0, 0, n);
    if (!dst) return;
    (void)sioc_json_get_str(doc, tok, (char *)dst, n, &n);
    for (k = 0; k < n; k++)
        if ((dst[k] & 0xc0) != 0x80) units += dst[k] >= 0xf0 ? 2u : 1u;
    if (units > 200) /* Node encodes longer strings with TextEncoder: lone surrogates become U+FFFD */
        for (k = 0; k + 2 < n; k++)
            if (dst[k] == 0xed && dst[k + 1] >= 0xa0) {
                dst[k] = 0xef;
                dst[k + 1] = 0xbf;
                dst[k + 2] = 0xbd;
                k += 2;
            }
}

/* A number: a JS number, or with exact integers any integer literal that fits 64 bits. */
static void sioc__mpj_number(sioc_msgpack_writer *w, const sioc_json *doc, int tok, int exact) {
    if (exact) {
        int64_t i;
        sioc_str raw = sioc_json_raw(doc, tok);
        if (sioc_json_get_i64(doc, tok, &i) == SIOC_OK) {
            sioc_msgpack_write_int(w, i);
            return;
        }
        if (raw.len > 0 && raw.len <= 20 && raw.ptr[0] != '-') { /* beyond int64: a uint64 literal? */
            uint64_t u = 0;
            size_t k;
            for (k = 0; k < raw.len && sioc__is_digit(raw.ptr[k]); k++) {
                unsigned dg = (unsigned)(raw.ptr[k] - '0');
                if (u > (UINT64_MAX - dg) / 10u) break;
                u = u * 10u + dg;
            }
            if (k == raw.len) {
                sioc_msgpack_write_uint(w, u);
                return;
            }
        }
    }
#if SIOC_ENABLE_FLOAT
    {
        double f = 0;
        (void)sioc_json_get_f64(doc, tok, &f); /* out of range: +-Infinity, as JSON.parse */
        sioc_msgpack_write_double(w, f);
    }
#else
    { /* a safe integer literal, as JS keeps it; anything else would need doubles */
        int64_t i;
        if (sioc_json_get_i64(doc, tok, &i) == SIOC_OK && i <= 9007199254740991 && i >= -9007199254740991)
            sioc_msgpack_write_int(w, i);
        else
            sioc_buf_fail(w->out, SIOC_ERR_UNSUPPORTED);
    }
#endif
}

SIOC_API sioc_result sioc_json_to_msgpack(const sioc_json *doc, int tok, sioc_msgpack_writer *w,
                                          const sioc_mpjson_opts *opts) {
    size_t i, end;
    int exact = opts && (opts->flags & SIOC_MPJSON_EXACT_INTEGERS);
    if (!doc || tok < 0 || (size_t)tok >= doc->count || doc->toks[tok].is_key) return SIOC_ERR_ARG;
    i = (size_t)tok;
    end = doc->toks[tok].next;
    while (i < end) {
        const sioc_json_tok *t = &doc->toks[i];
        if (t->is_key) {
            if (sioc_json_str_eq(doc, (int)i, "__proto__", 9)) {
                i = doc->toks[i + 1].next; /* drop the member: Node's decoder would throw on it (Q14) */
                continue;
            }
            sioc__mpj_str(w, doc, (int)i);
            i++;
            continue;
        }
        switch (t->type) {
        case SIOC_JSON_OBJECT: {
            uint32_t members = 0;
            int k = opts && opts->read_bin ? opts->read_bin(opts->user, doc, (int)i, w) : 0;
            if (k < 0) return (sioc_result)k;
            if (k > 0) {
                i = t->next;
                continue;
            }
            for (k = sioc_json_first(doc, (int)i); k >= 0; k = sioc_json_next(doc, k))
                if (!sioc_json_str_eq(doc, k, "__proto__", 9)) members++;
            sioc_msgpack_write_map(w, members);
            break;
        }
        case SIOC_JSON_ARRAY: sioc_msgpack_write_array(w, t->count); break;
        case SIOC_JSON_STRING: sioc__mpj_str(w, doc, (int)i); break;
        case SIOC_JSON_NUMBER: sioc__mpj_number(w, doc, (int)i, exact); break;
        case SIOC_JSON_BOOL: {
            int b = 0;
            (void)sioc_json_get_bool(doc, (int)i, &b);
            sioc_msgpack_write_bool(w, b);
            break;
        }
        default: sioc_msgpack_write_nil(w); break;
        }
        i++;
    }
    return SIOC_OK;
}

/* ---- the {"$bin": hex} convention ---- */

/* n bytes as one JSON string of lower-case hex (nothing to escape: the body goes straight into the buffer). */
static void sioc__mpj_hex(sioc_json_writer *jw, const uint8_t *p, size_t n) {
    static const char digits[] = "0123456789abcdef";
    char *dst;
    size_t k;
    sioc_json_write_raw(jw, "\"", 1); /* the writer places the value (comma, key) */
    dst = (char *)sioc_buf_reserve(jw->out, 2 * n);
    if (dst)
        for (k = 0; k < n; k++) {
            dst[2 * k] = digits[p[k] >> 4];
            dst[2 * k + 1] = digits[p[k] & 15];
        }
    sioc_buf_putc(jw->out, '"');
}

SIOC_API sioc_result sioc_mpjson_write_bin_hex(void *user, sioc_json_writer *jw, const sioc_msgpack_item *it) {
    (void)user;
    sioc_json_write_object_begin(jw);
    if (it->type == SIOC_MSGPACK_EXT) {
        sioc_json_write_key(jw, "$ext", 4);
        sioc_json_write_i64(jw, it->ext_type);
    }
    sioc_json_write_key(jw, "$bin", 4);
    sioc__mpj_hex(jw, it->data, it->len);
    sioc_json_write_object_end(jw);
    return SIOC_OK;
}

SIOC_API int sioc_mpjson_read_bin_hex(void *user, const sioc_json *doc, int tok, sioc_msgpack_writer *w) {
    int hx = sioc_json_find(doc, tok, "$bin"), et = sioc_json_find(doc, tok, "$ext");
    size_t members = sioc_json_count(doc, tok), k;
    int64_t type = 0;
    sioc_str s;
    uint8_t *dst;
    (void)user;
    if (hx < 0 || members != (et >= 0 ? 2u : 1u)) return 0;
    if (sioc_json_type_of(doc, hx) != SIOC_JSON_STRING || doc->toks[hx].escaped) return SIOC_ERR_PARSE;
    if (et >= 0 && (sioc_json_get_i64(doc, et, &type) != SIOC_OK || type < -128 || type > 127))
        return SIOC_ERR_PARSE;
    s = sioc_json_raw(doc, hx);
    if (s.len % 2) return SIOC_ERR_PARSE;
    for (k = 0; k < s.len; k++)
        if (sioc__hex_val(s.ptr[k]) < 0) return SIOC_ERR_PARSE;
    dst = sioc__mpj_reserve(w, et >= 0 ? 2 : 1, (int)type, s.len / 2);
    if (dst)
        for (k = 0; k < s.len / 2; k++)
            dst[k] = (uint8_t)(sioc__hex_val(s.ptr[2 * k]) * 16 + sioc__hex_val(s.ptr[2 * k + 1]));
    return 1;
}
/* ---- src/xml.c ---- */
/* ---- xml.c ---- */

/* >>xml scanner. Grammar references are to XML 1.0 fifth edition (W3C REC-xml-20081126) and Namespaces in XML 1.0
   third edition. Every helper is iterative; the only nesting state is the reader's fixed name stack. */

/* Decoded output: stores what fits, counts everything (so the caller learns the size needed). A NULL sink means
   "check only". Decoding never grows the text (a reference is longer than its UTF-8, CRLF becomes LF), so the
   count cannot overflow. */
typedef struct sioc__xml_sink {
    char *data;
    size_t cap;
    size_t len;
} sioc__xml_sink;

static void sioc__xml_put(sioc__xml_sink *s, const char *p, size_t n) {
    if (!s) return;
    if (s->len < s->cap) memcpy(s->data + s->len, p, SIOC__MIN(n, s->cap - s->len));
    s->len += n;
}

static int sioc__xml_ws(int c) { return c == ' ' || c == '\t' || c == '\n' || c == '\r'; } /* S, section 2.3 */

static size_t sioc__xml_skip_ws(const char *p, size_t len, size_t i) {
    while (i < len && sioc__xml_ws(p[i])) i++;
    return i;
}

/* 1 when p[i..] starts with the NUL-terminated literal lit. */
static int sioc__xml_has(const char *p, size_t len, size_t i, const char *lit) {
    size_t n = strlen(lit);
    return len - i >= n && memcmp(p + i, lit, n) == 0;
}

/* 1 when p[0..n) is the lower-case literal lit but for ASCII case. Callers pass name or EncName characters only,
   among which setting bit 0x20 lower-cases letters and changes nothing that could then match. */
static int sioc__xml_ieq(const char *p, size_t n, const char *lit) {
    size_t k;
    if (n != strlen(lit)) return 0;
    for (k = 0; k < n; k++)
        if ((p[k] | 0x20) != lit[k]) return 0;
    return 1;
}

/* Index of p[0..n) among the words of list (each ends with a NUL, the list with an empty word), or -1. */
static int sioc__xml_pick(const char *p, size_t n, const char *list) {
    int k;
    for (k = 0; *list; k++) {
        size_t m = strlen(list);
        if (m == n && memcmp(p, list, n) == 0) return k;
        list += m + 1;
    }
    return -1;
}

/* Byte length of the character at p[i] when it is valid UTF-8 and matches Char (section 2.2: tab, LF, CR,
   U+0020..U+D7FF, U+E000..U+FFFD, U+10000..U+10FFFF); 0 otherwise (also when truncated). Requires i < len. */
static size_t sioc__xml_char(const char *p, size_t len, size_t i) {
    unsigned c = (unsigned char)p[i];
    size_t n;
    if (c < 0x80) return (c >= 0x20 || ((0x2600u >> c) & 1u)) ? 1u : 0u; /* bits 9, 10, 13: tab, LF, CR */
    n = sioc__utf8_seq((const uint8_t *)p + i, len - i);
    if (n == 3 && c == 0xEF && (unsigned char)p[i + 1] == 0xBF && (unsigned char)p[i + 2] >= 0xBE) return 0;
    return n; /* U+FFFE and U+FFFF excluded above; surrogates and overlongs are not UTF-8 */
}

static int sioc__xml_alpha(int c) { return (unsigned)((c | 0x20) - 'a') < 26u; }

/* End of the QName starting at p[i] (Namespaces in XML section 4: NCName or NCName ':' NCName), or i when there is
   none. ASCII follows NameStartChar/NameChar; any valid non-ASCII character is accepted (Unicode classes are not
   checked, see xml.h). */
static size_t sioc__xml_name(const char *p, size_t len, size_t i) {
    size_t j = i, n;
    int colon = 0, at_start = 1; /* at the start of a name part: no digit, '-' or '.' */
    while (j < len) {
        int c = (unsigned char)p[j];
        n = 1;
        if (!sioc__xml_alpha(c) && c != '_') { /* letters first: the common case */
            if (c == ':') {
                if (colon++ || at_start) return i; /* second colon, or empty prefix */
                j++;
                at_start = 1;
                continue;
            }
            if (c >= 0x80) {
                n = sioc__xml_char(p, len, j);
                if (n == 0) return i;
            } else if (at_start || (!sioc__is_digit(c) && c != '-' && c != '.')) {
                break;
            }
        }
        j += n;
        at_start = 0;
    }
    return at_start ? i : j; /* nothing, or an empty local part after ':' */
}

/* Local part of a QName (after the colon, if any). */
static sioc_str sioc__xml_local(sioc_str name) {
    size_t k;
    for (k = 0; k < name.len; k++)
        if (name.ptr[k] == ':') return sioc_str_n(name.ptr + k + 1, name.len - k - 1);
    return name;
}

/* Path segment match for a START token: a segment with ':' compares with the qualified name, otherwise with the
   local part. */
static int sioc__xml_seg_match(const sioc_xml_token *t, const char *seg, size_t seg_len) {
    return sioc_str_eq(memchr(seg, ':', seg_len) ? t->name : t->local, sioc_str_n(seg, seg_len));
}

/* Reference at p[i] == '&' (section 4.1): one of the five predefined entities (section 4.6; there is no DTD to
   declare others) or a character reference whose value is a Char. Appends its UTF-8 to s; returns the index after
   ';', or 0 when malformed. */
static size_t sioc__xml_ref(const char *p, size_t len, size_t i, sioc__xml_sink *s) {
    size_t j = i + 1, d0, n = 1;
    uint32_t v = 0, base = 10;
    int d;
    char u[4];
    if (j < len && p[j] == '#') {
        if (++j < len && p[j] == 'x') { /* only lower-case x: CharRef ::= '&#x' [0-9a-fA-F]+ ';' */
            base = 16;
            j++;
        }
        for (d0 = j; j < len && p[j] != ';'; j++) {
            d = sioc__hex_val((unsigned char)p[j]);
            if (d < 0 || (uint32_t)d >= base) return 0;
            v = v * base + (uint32_t)d;
            if (v > 0x10FFFFu) return 0; /* checked each step, so v never overflows */
        }
        if (j >= len || j == d0) return 0;
        /* UTF-8: continuation bytes from the end, then the lead byte */
        n = 1u + (v >= 0x80) + (v >= 0x800) + (v >= 0x10000);
        for (d = (int)n; --d > 0; v >>= 6)
            u[d] = (char)(0x80 | (v & 0x3F));
        u[0] = (char)(v | (unsigned char)"\0\0\xC0\xE0\xF0"[n]);
        /* Well-formedness constraint "Legal Character": the value must match Char (no NUL, surrogates, most C0). */
        if (sioc__xml_char(u, n, 0) != n) return 0;
    } else {
        for (d0 = j; j < len && j - d0 < 5 && p[j] != ';'; j++) {
        }
        d = j < len && p[j] == ';' ? sioc__xml_pick(p + d0, j - d0, "lt\0gt\0amp\0apos\0quot\0") : -1;
        if (d < 0) return 0;
        u[0] = "<>&'\""[d];
    }
    sioc__xml_put(s, u, n);
    return j + 1;
}

/* Characters from p[*j] up to the first byte among stop[0..2] that starts the literal end (any such byte when end
   is NULL) or the end of input, each a Char (section 2.2), copied to s with CRLF and lone CR as LF (section 2.11).
   0 with *j at a byte that is not a Char. */
static int sioc__xml_chars(const char *p, size_t len, size_t *j, const char *stop, const char *end, sioc__xml_sink *s) {
    size_t i = *j, run = i, n;
    unsigned s0 = (unsigned char)stop[0], s1 = (unsigned char)stop[1], s2 = (unsigned char)stop[2];
    int ok = 1;
    while (i < len) {
        unsigned c = (unsigned char)p[i];
        if (c == s0 || c == s1 || c == s2) {
            if (!end || sioc__xml_has(p, len, i, end)) break;
        } else if (c >= 0x20 && c < 0x80 && c != '&') { /* the common case, printable ASCII */
            i++;
            continue;
        }
        if (c == '&' && !end) { /* text and attribute values: a reference */
            sioc__xml_put(s, p + run, i - run);
            n = sioc__xml_ref(p, len, i, s);
            if (n == 0) {
                ok = 0;
                break;
            }
            run = i = n;
            continue;
        }
        if (c == '\r') {
            sioc__xml_put(s, p + run, i - run);
            if (i + 1 >= len || p[i + 1] != '\n') sioc__xml_put(s, "\n", 1);
            run = ++i; /* an LF after it starts the next run */
            continue;
        }
        n = sioc__xml_char(p, len, i);
        if (n == 0) {
            ok = 0;
            break;
        }
        i += n;
    }
    if (ok) sioc__xml_put(s, p + run, i - run);
    *j = i;
    return ok;
}

/* Characters from p[j] up to the literal end (comment, PI data, CDATA section), copied to s. Index after end, or 0. */
static size_t sioc__xml_upto(const char *p, size_t len, size_t j, const char *end, sioc__xml_sink *s) {
    if (!sioc__xml_chars(p, len, &j, end, end, s) || j >= len) return 0;
    return j + strlen(end);
}

/* Processing instruction at p[i] == "<?" (section 2.6): a target name without ':' other than [Xx][Mm][Ll], then
   optional data after whitespace, up to "?>". Index after it, or 0. */
static size_t sioc__xml_pi(const char *p, size_t len, size_t i) {
    size_t j = i + 2, t = sioc__xml_name(p, len, j);
    if (t == j || memchr(p + j, ':', t - j) || sioc__xml_ieq(p + j, t - j, "xml")) return 0;
    if (!sioc__xml_has(p, len, t, "?>") && (t >= len || !sioc__xml_ws(p[t]))) return 0;
    return sioc__xml_upto(p, len, t, "?>", NULL);
}

/* S? followed by an attribute name at p[*i] (a start tag's attributes, the declaration's pseudo-attributes): *i
   moves past the whitespace; returns the end of the name, or *i when there is none (no whitespace before it, or no
   name: the tag should end at *i). */
static size_t sioc__xml_attr_name(const char *p, size_t len, size_t *i) {
    size_t s = *i, j = sioc__xml_skip_ws(p, len, s);
    *i = j;
    return j == s ? j : sioc__xml_name(p, len, j);
}

/* Eq and a quoted value at p[*i] (sections 2.3, 3.1): '"' or '\'' delimited, no '<', references well-formed. 1 with
   *i after the closing quote and the raw value from *v0 to *i - 1; 0 with *i where it fails (after Eq when the value
   is bad). */
static int sioc__xml_value(const char *p, size_t len, size_t *i, size_t *v0) {
    size_t j = sioc__xml_skip_ws(p, len, *i);
    char stop[3];
    if (j >= len || p[j] != '=') return 0;
    j = sioc__xml_skip_ws(p, len, j + 1);
    *i = j;
    if (j >= len || (p[j] != '"' && p[j] != '\'')) return 0;
    stop[0] = p[j++];
    stop[1] = stop[2] = '<';
    *v0 = j;
    if (!sioc__xml_chars(p, len, &j, stop, NULL, NULL) || j >= len || p[j] == '<') return 0;
    *i = j + 1;
    return 1;
}

/* A pseudo-attribute's value in the XML declaration (section 2.8): w 0 version (VersionNum ::= '1.' [0-9]+), 1 encoding
   (EncName ::= [A-Za-z] ([A-Za-z0-9._] | '-')*; only UTF-8 is supported: the scanner reads bytes as UTF-8), 2
   standalone (yes or no). SIOC_OK, or the error with *at where it is. */
static sioc_result sioc__xml_decl_value(const char *p, size_t v0, size_t v1, int w, size_t *at) {
    size_t k = v0;
    int c;
    *at = v0;
    if (w == 2) return sioc__xml_pick(p + v0, v1 - v0, "yes\0no\0") < 0 ? SIOC_ERR_PARSE : SIOC_OK;
    if (w == 0 ? v1 - v0 < 3 || p[v0] != '1' || p[(k += 2) - 1] != '.' : v1 == v0 || !sioc__xml_alpha(p[v0]))
        return SIOC_ERR_PARSE;
    for (; k < v1; k++) {
        c = (unsigned char)p[k];
        if (!sioc__is_digit(c) && (w == 0 || (!sioc__xml_alpha(c) && c != '.' && c != '_' && c != '-'))) {
            *at = k;
            return SIOC_ERR_PARSE;
        }
    }
    /* compared case-insensitively (section 4.3.3) */
    return w == 1 && !sioc__xml_ieq(p + v0, v1 - v0, "utf-8") ? SIOC_ERR_UNSUPPORTED : SIOC_OK;
}

#define SIOC__XML_MISC 1 /* prolog or epilog (section 2.8): only whitespace, comments and PIs */
#define SIOC__XML_HEAD 2 /* before the root: a DOCTYPE is unsupported rather than malformed */

/* Character data from p[*pos] up to the next tag ('<' not opening a comment, PI or CDATA section) or the end:
   checked, and decoded into s when s is not NULL; mode (SIOC__XML_MISC/HEAD) for the document's prolog and epilog.
   SIOC_OK with *pos at the stop; the error with *pos at the fault. A '<' that is the last byte stops the run (the
   caller decides). */
static sioc_result sioc__xml_run(const char *p, size_t len, size_t *pos, sioc__xml_sink *s, int mode) {
    size_t i = *pos, e;
    sioc_result res = SIOC_ERR_PARSE;
    for (;;) {
        if (mode) i = sioc__xml_skip_ws(p, len, i);
        else if (!sioc__xml_chars(p, len, &i, "<]]", NULL, s)) goto out;
        if (i >= len) break;
        if (p[i] != '<') {
            /* text outside the root, or "]]>" in text (section 2.4) */
            if (mode || sioc__xml_has(p, len, i, "]]>")) goto out;
            sioc__xml_put(s, "]", 1);
            e = i + 1;
        } else if (i + 1 >= len || (p[i + 1] != '!' && p[i + 1] != '?')) {
            break; /* a tag, or a '<' as the last byte: the caller decides */
        } else if (sioc__xml_has(p, len, i, "<!--")) { /* section 2.5: "--" only in the closing "-->" */
            e = sioc__xml_upto(p, len, i + 4, "--", NULL);
            e = (e && e < len && p[e] == '>') ? e + 1 : 0;
        } else if (p[i + 1] == '?') {
            e = sioc__xml_pi(p, len, i);
        } else if (!mode && sioc__xml_has(p, len, i, "<![CDATA[")) { /* section 2.7: verbatim */
            e = sioc__xml_upto(p, len, i + 9, "]]>", s);
        } else {
            /* No DTD support: refusing it up front also rules out entity-expansion attacks. */
            if ((mode & SIOC__XML_HEAD) && sioc__xml_has(p, len, i, "<!DOCTYPE")) res = SIOC_ERR_UNSUPPORTED;
            goto out;
        }
        if (e == 0) goto out;
        i = e;
    }
    res = SIOC_OK;
out:
    *pos = i;
    return res;
}

static sioc_result sioc__xml_fail(sioc_xml_reader *r, sioc_result e, size_t at) {
    r->err = e;
    r->error_at = at;
    return e;
}

SIOC_API void sioc_xml_reader_init(sioc_xml_reader *r, const char *xml, size_t len) {
    memset(r, 0, sizeof *r);
    r->buf = xml ? xml : "";
    r->len = xml ? len : 0;
    if (!xml && len) sioc__xml_fail(r, SIOC_ERR_ARG, 0);
    /* A UTF-8 byte order mark may open a document (section 4.3.3 / appendix F.1). */
    if (r->len >= 3 && memcmp(r->buf, "\xEF\xBB\xBF", 3) == 0) r->pos = 3;
}

SIOC_API void sioc_xml_reader_init_content(sioc_xml_reader *r, const char *xml, size_t len) {
    sioc_xml_reader_init(r, xml, len);
    r->content = 1;
    r->pos = 0; /* no BOM inside content */
}

/* One loop for every token: text (with the prolog and epilog, which are checked but not reported), start tags
   (section 3.1: '<' Name (S Attribute)* S? ('>' | '/>')), end tags ('</' Name S? '>'), the END owed by <x/>, and
   the XML declaration (section 2.8), read like a start tag whose pseudo-attributes are checked as they come. */
SIOC_API sioc_result sioc_xml_next(sioc_xml_reader *r, sioc_xml_token *t) {
    const char *p = r->buf;
    const char *an[SIOC_XML_MAX_ATTRS];
    size_t al[SIOC_XML_MAX_ATTRS];
    size_t len = r->len, i = r->pos, e, na = 0, a0 = 0, a1 = 0, n0, n1, v0, k;
    sioc_result res = SIOC_ERR_PARSE;
    sioc_xml_kind kind = SIOC_XML_END;
    int prolog, end, decl = 0, stage = 0, w; /* stage: 1 + the index of the declaration's last pseudo-attribute */
    memset(t, 0, sizeof *t); /* SIOC_XML_EOF */
    t->name.ptr = t->local.ptr = t->attrs.ptr = t->raw.ptr = p + i;
    if (r->err != SIOC_OK) return r->err;
    if (r->pending_end) { /* second half of <x/> */
        r->pending_end = 0;
        t->name = sioc_str_n(r->open[r->depth - 1], r->open_len[r->depth - 1]);
        goto emit;
    }
again:
    for (;;) {
        i = e = r->pos;
        prolog = r->depth == 0 && !r->content;
        if (i >= len) {
            if (r->depth > 0 || (!r->content && !r->seen_root)) goto fail;
            return SIOC_OK; /* SIOC_XML_EOF */
        }
        if (p[i] == '<' && i + 1 < len && p[i + 1] != '!' && p[i + 1] != '?') break;
        /* The declaration opens the document (after a BOM): a prolog run never stops at "<?", so before the root
           and a declaration, i <= 3 is the start. */
        if (prolog && !r->seen_root && !stage && i <= 3 && sioc__xml_has(p, len, i, "<?xml") && i + 5 < len &&
            sioc__xml_ws(p[i + 5])) {
            decl = 1;
            break;
        }
        res = sioc__xml_run(p, len, &e, NULL, prolog ? SIOC__XML_MISC | (r->seen_root ? 0 : SIOC__XML_HEAD) : 0);
        if (res != SIOC_OK) goto fail;
        res = SIOC_ERR_PARSE;
        if (e == i) goto fail; /* a '<' as the last byte */
        r->pos = e;
        if (!prolog) {
            kind = SIOC_XML_TEXT;
            t->raw = sioc_str_n(p + i, e - i);
            goto emit;
        }
    }
    end = p[i + 1] == '/';
    if (prolog && (end || r->seen_root)) goto fail; /* one root element */
    i += 1 + (size_t)(end | decl);
    e = i;
    n1 = sioc__xml_name(p, len, i);
    if (n1 == i) goto fail;
    t->name = sioc_str_n(p + i, n1 - i);
    i = n1;
    for (;;) {
        e = i;
        n1 = sioc__xml_attr_name(p, len, &e);
        if (n1 == e) break;
        n0 = e;
        if (end) goto fail;
        if (!decl) {
            /* Well-formedness constraint "Unique Att Spec" (section 3.1); bounded by SIOC_XML_MAX_ATTRS. */
            if (na == SIOC_XML_MAX_ATTRS) {
                res = SIOC_ERR_LIMIT;
                goto fail;
            }
            for (k = 0; k < na; k++)
                if (al[k] == n1 - n0 && memcmp(an[k], p + n0, al[k]) == 0) goto fail;
            an[na] = p + n0;
            al[na++] = n1 - n0;
        }
        e = i = n1;
        if (!sioc__xml_value(p, len, &e, &v0)) goto fail;
        if (decl) { /* version, then optionally encoding and standalone, in that order */
            w = sioc__xml_pick(p + n0, n1 - n0, "version\0encoding\0standalone\0");
            if (w < stage || w > 2 * stage) { /* also w < 0: another name */
                e = n0;
                goto fail;
            }
            stage = w + 1;
            res = sioc__xml_decl_value(p, v0, e - 1, w, &k);
            if (res != SIOC_OK) {
                e = k;
                goto fail;
            }
            res = SIOC_ERR_PARSE;
        }
        if (na == 1) a0 = n0;
        i = a1 = e;
    }
    i = e;
    k = i + (size_t)(i < len && p[i] == "/?"[decl] && !end); /* where '>' must be */
    /* a declaration ends with "?>" and holds a version */
    if (k >= len || p[k] != '>' || k - i < (size_t)decl || decl > stage) goto fail;
    if (decl) {
        r->pos = k + 1;
        decl = 0;
        t->name = t->local;
        goto again;
    }
    t->empty = (uint8_t)(k - i);
    i = e = r->pos;
    t->raw = sioc_str_n(p + i, k + 1 - i);
    if (end) {
        /* "Element Type Match": the innermost open element */
        if (r->depth == 0 || !sioc_str_eq(sioc_str_n(r->open[r->depth - 1], r->open_len[r->depth - 1]), t->name))
            goto fail;
    } else {
        if (r->depth >= SIOC_MAX_XML_DEPTH) {
            res = SIOC_ERR_LIMIT;
            goto fail;
        }
        r->open[r->depth] = t->name.ptr;
        r->open_len[r->depth++] = t->name.len;
        if (!r->content) r->seen_root = 1;
        r->pending_end = t->empty;
        t->attrs = na ? sioc_str_n(p + a0, a1 - a0) : sioc_str_n(p + k + 1, 0);
        kind = SIOC_XML_START;
    }
    r->pos = k + 1;
emit:
    t->kind = kind;
    t->depth = r->depth;
    t->local = sioc__xml_local(t->name);
    if (kind == SIOC_XML_END) r->depth--;
    return SIOC_OK;
fail:
    return sioc__xml_fail(r, res, e);
}

/* The first element, in document order, whose path from the top matches the nseg segments (a NULL segment
   matches any name): its name, attributes and content in *out. Scans to the end (first = 0: find, and so proves the
   whole input well-formed) or stops at that element's end (first = 1: the iterator, whose input is checked). */
static sioc_result sioc__xml_match(sioc_xml_reader *r, const char *const *seg, const size_t *seg_len, size_t nseg,
                                   int first, sioc_xml_elem *out) {
    uint32_t m = 0; /* leading path segments matched by the currently open elements */
    int found = 0;
    sioc_xml_token t;
    sioc_result res;
    out->content.ptr = NULL;
    while ((res = sioc_xml_next(r, &t)) == SIOC_OK && t.kind != SIOC_XML_EOF) {
        if (found) continue; /* keep checking the rest */
        if (t.kind == SIOC_XML_START && t.depth == m + 1 && m < nseg &&
            (!seg[m] || sioc__xml_seg_match(&t, seg[m], seg_len[m]))) {
            if (++m == nseg) {
                out->name = t.name;
                out->attrs = t.attrs;
                out->content.ptr = t.raw.ptr + t.raw.len;
            }
        } else if (t.kind == SIOC_XML_END && t.depth == m) {
            if (out->content.ptr) { /* the end of the element found: m == nseg here */
                out->content.len = (size_t)(t.raw.ptr - out->content.ptr);
                if (first) return SIOC_OK;
                found = 1;
            }
            m--;
        }
    }
    return res != SIOC_OK ? res : found ? SIOC_OK : SIOC_ERR_NOT_FOUND;
}

/* Shared by find and find_in: the reader is positioned at the start. */
static sioc_result sioc__xml_find(sioc_xml_reader *r, const char *path, sioc_str *out) {
    const char *seg[SIOC_MAX_XML_DEPTH];
    size_t seg_len[SIOC_MAX_XML_DEPTH];
    size_t nseg = 0;
    const char *s = path;
    sioc_xml_elem e;
    sioc_result res;
    if (!out) return SIOC_ERR_ARG;
    *out = sioc_str_n("", 0);
    if (!path) return SIOC_ERR_ARG;
    for (;;) {
        const char *q = s;
        while (*q && *q != '/') q++;
        if (q == s || nseg == SIOC_MAX_XML_DEPTH) return SIOC_ERR_ARG;
        seg[nseg] = s;
        seg_len[nseg++] = (size_t)(q - s);
        if (!*q) break;
        s = q + 1;
    }
    res = sioc__xml_match(r, seg, seg_len, nseg, 0, &e);
    if (res == SIOC_OK) *out = e.content;
    return res;
}

SIOC_API sioc_result sioc_xml_find(const char *xml, size_t len, const char *path, sioc_str *out) {
    sioc_xml_reader r;
    sioc_xml_reader_init(&r, xml, len);
    return sioc__xml_find(&r, path, out);
}

SIOC_API sioc_result sioc_xml_find_in(sioc_str content, const char *path, sioc_str *out) {
    sioc_xml_reader r;
    sioc_xml_reader_init_content(&r, content.ptr, content.len);
    return sioc__xml_find(&r, path, out);
}

SIOC_API sioc_result sioc_xml_iter_init(sioc_xml_iter *it, sioc_str content, const char *name) {
    sioc_xml_token t;
    sioc_result res;
    sioc_xml_reader_init_content(&it->r, content.ptr, content.len);
    it->name = name;
    it->name_len = name ? strlen(name) : 0;
    do { /* check everything first, so that iteration never stops half-way on an error */
        res = sioc_xml_next(&it->r, &t);
    } while (res == SIOC_OK && t.kind != SIOC_XML_EOF);
    sioc_xml_reader_init_content(&it->r, content.ptr, content.len);
    if (res != SIOC_OK) sioc__xml_fail(&it->r, res, 0); /* next() then yields nothing */
    return res;
}

SIOC_API int sioc_xml_iter_next(sioc_xml_iter *it, sioc_xml_elem *out) {
    sioc_xml_elem e;
    if (sioc__xml_match(&it->r, &it->name, &it->name_len, 1, 1, &e) != SIOC_OK) return 0;
    if (out) *out = e;
    return 1;
}

SIOC_API sioc_result sioc_xml_text(sioc_str raw, char *out, size_t cap, size_t *out_len) {
    sioc__xml_sink s;
    size_t pos = 0;
    sioc_result res;
    const char *p = raw.ptr ? raw.ptr : "";
    int c;
    if (out_len) *out_len = 0;
    if (!raw.ptr && raw.len) return SIOC_ERR_ARG;
    s.data = out;
    s.cap = out ? cap : 0;
    s.len = 0;
    res = sioc__xml_run(p, raw.len, &pos, &s, 0);
    if (res != SIOC_OK) return res;
    if (pos < raw.len) { /* stopped at '<': a child element's tag, or a stray '<' */
        c = pos + 1 < raw.len ? (unsigned char)p[pos + 1] : 0;
        return (c == '/' || c == '_' || c >= 0x80 || sioc__xml_alpha(c)) ? SIOC_ERR_TYPE : SIOC_ERR_PARSE;
    }
    if (out_len) *out_len = s.len;
    if (s.len >= s.cap) return SIOC_ERR_BUFFER_TOO_SMALL;
    out[s.len] = '\0';
    return SIOC_OK;
}
/* ---- src/sas.c ---- */
/* ---- sas.c ---- */

/* >>sas tokens. Facts: docs/AZURE.md section 3; the two encodings reproduce @azure/core-amqp createSasTokenProvider
   (encodeURIComponent) and the @azure/service-bus ATOM client's SasServiceClientCredentials (lower-cased), checked
   against tests/vectors/sas. */

static const char sioc__sas_prefix[] = "SharedAccessSignature ";
#define SIOC__SAS_PREFIX_LEN (sizeof sioc__sas_prefix - 1)

/* encodeURIComponent keeps A-Z a-z 0-9 - _ . ! ~ * ' ( ) (ECMA-262 uriUnreserved). */
static int sioc__sas_keep(unsigned char c) {
    if ((c >= 'A' && c <= 'Z') || (c >= 'a' && c <= 'z') || (c >= '0' && c <= '9')) return 1;
    return c == '-' || c == '_' || c == '.' || c == '!' || c == '~' || c == '*' || c == '\'' || c == '(' ||
           c == ')';
}

/* Percent-encode s in the given style into a buffer and/or an HMAC, through a small stack chunk so the string to
   sign never needs a scratch buffer of its own. */
static void sioc__sas_encode(const char *s, size_t n, sioc_sas_style style, sioc_buf *buf,
                             sioc_hmac_sha256_ctx *mac) {
    static const char upper[] = "0123456789ABCDEF", lower[] = "0123456789abcdef";
    const char *hex = style == SIOC_SAS_LOWERCASED ? lower : upper;
    char chunk[64];
    size_t used = 0, i;
    for (i = 0; i < n; i++) {
        unsigned char c = (unsigned char)s[i];
        if (style == SIOC_SAS_LOWERCASED) c = (unsigned char)sioc__to_lower(c);
        if (used + 3 > sizeof chunk) {
            if (buf) sioc_buf_put(buf, chunk, used);
            if (mac) sioc_hmac_sha256_update(mac, chunk, used);
            used = 0;
        }
        if (sioc__sas_keep(c)) {
            chunk[used++] = (char)c;
        } else {
            chunk[used++] = '%';
            chunk[used++] = hex[c >> 4];
            chunk[used++] = hex[c & 15];
        }
    }
    if (buf) sioc_buf_put(buf, chunk, used);
    if (mac) sioc_hmac_sha256_update(mac, chunk, used);
}

/* Decimal digits of a non-negative expiry into tmp (no padding); returns the count. */
static size_t sioc__sas_decimal(int64_t v, char tmp[20]) {
    char rev[20];
    size_t n = 0, i;
    uint64_t u = (uint64_t)v;
    do {
        uint32_t digit;
        u = sioc__udiv64(u, 10u, &digit);
        rev[n++] = (char)('0' + (int)digit);
    } while (u != 0);
    for (i = 0; i < n; i++) tmp[i] = rev[n - 1 - i];
    return n;
}

/* Finish HMAC(key, <already fed sr> "\n" se) and base64 it into out (44 chars + NUL). */
static void sioc__sas_finish(sioc_hmac_sha256_ctx *mac, int64_t expiry, char out[SIOC_SAS_SIG_LEN + 1]) {
    uint8_t digest[SIOC_SHA256_LEN];
    char dec[20];
    size_t n = sioc__sas_decimal(expiry, dec), outn = 0;
    sioc_hmac_sha256_update(mac, "\n", 1);
    sioc_hmac_sha256_update(mac, dec, n);
    sioc_hmac_sha256_final(mac, digest);
    /* 32 bytes always fit the 45-byte output. */
    if (sioc_base64_encode(digest, sizeof digest, out, SIOC_SAS_SIG_LEN + 1, &outn) != SIOC_OK) out[0] = 0;
    sioc__wipe(digest, sizeof digest);
    sioc__wipe(mac, sizeof *mac); /* keyed state is key material */
}

SIOC_API void sioc_sas_encode_resource(sioc_buf *out, sioc_str uri, sioc_sas_style style) {
    sioc__sas_encode(uri.ptr, uri.len, style, out, NULL);
}

SIOC_API sioc_result sioc_sas_sign(sioc_str key, sioc_str sr, int64_t expiry, char out[SIOC_SAS_SIG_LEN + 1]) {
    sioc_hmac_sha256_ctx mac;
    out[0] = 0;
    if (expiry < 0) return SIOC_ERR_RANGE;
    sioc_hmac_sha256_init(&mac, key.ptr, key.len);
    sioc_hmac_sha256_update(&mac, sr.ptr, sr.len);
    sioc__sas_finish(&mac, expiry, out);
    return SIOC_OK;
}

SIOC_API sioc_result sioc_sas_token(const sioc_sas_params *p, sioc_buf *out) {
    sioc_hmac_sha256_ctx mac;
    char sig[SIOC_SAS_SIG_LEN + 1];
    sioc_sas_style style;
    if (!p || !out) return SIOC_ERR_ARG;
    if (p->resource_uri.len == 0 || p->key_name.len == 0 || p->key.len == 0) return SIOC_ERR_ARG;
    if (p->expiry < 0) return SIOC_ERR_RANGE;
    style = p->style == SIOC_SAS_LOWERCASED ? SIOC_SAS_LOWERCASED : SIOC_SAS_CASE_PRESERVING;
    sioc_hmac_sha256_init(&mac, p->key.ptr, p->key.len);
    sioc__sas_encode(p->resource_uri.ptr, p->resource_uri.len, style, NULL, &mac);
    sioc__sas_finish(&mac, p->expiry, sig);

    sioc_buf_put(out, sioc__sas_prefix, SIOC__SAS_PREFIX_LEN);
    if (style == SIOC_SAS_CASE_PRESERVING) {
        sioc_buf_puts(out, "sr=");
        sioc__sas_encode(p->resource_uri.ptr, p->resource_uri.len, style, out, NULL);
        sioc_buf_puts(out, "&");
    }
    /* sig, se, skn in both orders. skn is encodeURIComponent-ed (core-amqp does; the ATOM client sends it raw,
       which is the same text for the letters, digits, '.', '-' and '_' that rule names may hold). */
    sioc_buf_puts(out, "sig=");
    sioc_pct_encode(out, sig, SIOC_SAS_SIG_LEN, SIOC_PCT_URI_COMPONENT);
    sioc_buf_puts(out, "&se=");
    sioc_buf_put_i64(out, p->expiry);
    sioc_buf_puts(out, "&skn=");
    sioc_pct_encode(out, p->key_name.ptr, p->key_name.len, SIOC_PCT_URI_COMPONENT);
    if (style == SIOC_SAS_LOWERCASED) {
        sioc_buf_puts(out, "&sr=");
        sioc__sas_encode(p->resource_uri.ptr, p->resource_uri.len, style, out, NULL);
    }
    sioc__wipe(sig, sizeof sig);
    return sioc_buf_result(out);
}

SIOC_API int64_t sioc_sas_renew_at(int64_t expiry, int64_t lifetime) {
    if (lifetime <= 0) lifetime = SIOC_SAS_DEFAULT_LIFETIME;
    return expiry - lifetime / 4;
}

SIOC_API int sioc_sas_should_renew(int64_t now, int64_t expiry, int64_t lifetime) {
    if (expiry <= 0) return 1;
    return now >= sioc_sas_renew_at(expiry, lifetime);
}

/* Decimal int64 without sign, padding-insensitive; SIOC_ERR_PARSE on anything else or overflow. */
static sioc_result sioc__sas_parse_i64(sioc_str s, int64_t *out) {
    uint64_t v = 0;
    size_t i;
    if (s.len == 0) return SIOC_ERR_PARSE;
    for (i = 0; i < s.len; i++) {
        unsigned d;
        if (!sioc__is_digit((unsigned char)s.ptr[i])) return SIOC_ERR_PARSE;
        d = (unsigned)(s.ptr[i] - '0');
        if (v > UINT64_C(0x7FFFFFFFFFFFFFFF) / 10u || (v == UINT64_C(0x7FFFFFFFFFFFFFFF) / 10u && d > 7u))
            return SIOC_ERR_PARSE; /* over INT64_MAX (9223372036854775807) */
        v = v * 10u + d;
    }
    *out = (int64_t)v;
    return SIOC_OK;
}

SIOC_API sioc_result sioc_sas_parse_token(sioc_str token, sioc_sas_token_view *out) {
    size_t i;
    int have_se = 0;
    sioc_str se = {NULL, 0};
    if (!out) return SIOC_ERR_ARG;
    memset(out, 0, sizeof *out);
    if (!token.ptr || token.len < SIOC__SAS_PREFIX_LEN ||
        memcmp(token.ptr, sioc__sas_prefix, SIOC__SAS_PREFIX_LEN) != 0)
        return SIOC_ERR_PARSE;
    i = SIOC__SAS_PREFIX_LEN;
    while (i <= token.len) {
        size_t start = i, eq = 0, end;
        int found_eq = 0;
        sioc_str name, value, *slot = NULL;
        while (i < token.len && token.ptr[i] != '&') {
            if (!found_eq && token.ptr[i] == '=') {
                eq = i;
                found_eq = 1;
            }
            i++;
        }
        end = i;
        i++; /* past '&' (or past the end, which stops the loop) */
        if (!found_eq) return SIOC_ERR_PARSE;
        name.ptr = token.ptr + start;
        name.len = eq - start;
        value.ptr = token.ptr + eq + 1;
        value.len = end - eq - 1;
        if (name.len == 2 && memcmp(name.ptr, "sr", 2) == 0) slot = &out->sr;
        else if (name.len == 3 && memcmp(name.ptr, "sig", 3) == 0) slot = &out->sig;
        else if (name.len == 3 && memcmp(name.ptr, "skn", 3) == 0) slot = &out->skn;
        else if (name.len == 2 && memcmp(name.ptr, "se", 2) == 0) slot = &se;
        if (!slot) continue; /* unknown field: ignored, as the field order and set are free */
        if (slot->ptr || value.len == 0) return SIOC_ERR_PARSE;
        *slot = value;
        if (slot == &se) have_se = 1;
    }
    if (!out->sr.ptr || !out->sig.ptr || !out->skn.ptr || !have_se ||
        sioc__sas_parse_i64(se, &out->se) != SIOC_OK) {
        memset(out, 0, sizeof *out);
        return SIOC_ERR_PARSE;
    }
    return SIOC_OK;
}

SIOC_API sioc_result sioc_sas_verify(sioc_str token, sioc_str key_name, sioc_str key, int64_t now) {
    sioc_sas_token_view v;
    char want[SIOC_SAS_SIG_LEN + 1];
    uint8_t got[SIOC_SAS_SIG_LEN + 1], name[SIOC_SAS_MAX_KEY_NAME];
    sioc_buf b;
    int ok;
    sioc_result r = sioc_sas_parse_token(token, &v);
    if (r != SIOC_OK) return r;
    sioc_buf_init(&b, name, sizeof name);
    if (sioc_pct_decode(v.skn.ptr, v.skn.len, 0, &b) != SIOC_OK) return SIOC_ERR_PARSE;
    if (sioc_buf_result(&b) != SIOC_OK || b.len != key_name.len || memcmp(name, key_name.ptr, b.len) != 0)
        return SIOC_ERR_AUTH;
    sioc_buf_init(&b, got, sizeof got);
    if (sioc_pct_decode(v.sig.ptr, v.sig.len, 0, &b) != SIOC_OK) return SIOC_ERR_PARSE;
    if (sioc_buf_result(&b) != SIOC_OK || b.len != SIOC_SAS_SIG_LEN) return SIOC_ERR_AUTH;
    if (sioc_sas_sign(key, v.sr, v.se, want) != SIOC_OK) return SIOC_ERR_AUTH;
    ok = sioc_ct_equal(want, got, SIOC_SAS_SIG_LEN);
    sioc__wipe(want, sizeof want);
    if (!ok) return SIOC_ERR_AUTH;
    return now < v.se ? SIOC_OK : SIOC_ERR_AUTH;
}

/* >>connection strings */

static int sioc__sas_space(int c) { return c == ' ' || c == '\t' || c == '\r' || c == '\n' || c == '\v' || c == '\f'; }

static sioc_str sioc__sas_trim(const char *p, size_t n) {
    sioc_str s;
    while (n && sioc__sas_space((unsigned char)p[0])) p++, n--;
    while (n && sioc__sas_space((unsigned char)p[n - 1])) n--;
    s.ptr = p;
    s.len = n;
    return s;
}

static int sioc__sas_ieq(sioc_str a, const char *lit) {
    size_t i, n = strlen(lit);
    if (a.len != n) return 0;
    for (i = 0; i < n; i++)
        if (sioc__to_lower((unsigned char)a.ptr[i]) != sioc__to_lower((unsigned char)lit[i])) return 0;
    return 1;
}

/* Host name characters (RFC 3986 reg-name, restricted to what DNS names and IPv4 literals use). */
static int sioc__sas_host_char(int c) {
    return (c >= 'A' && c <= 'Z') || (c >= 'a' && c <= 'z') || sioc__is_digit(c) || c == '-' || c == '.' ||
           c == '_';
}

/* "scheme://host[:port][/path]" into scheme, host, port. */
/* NULL when the Endpoint value is good, else what is wrong with it (its text is not repeated). */
static const char *sioc__sas_endpoint(sioc_str ep, sioc_sas_connstr *out) {
    size_t i = 0, h;
    const char *p = ep.ptr;
    while (i < ep.len && ((p[i] >= 'a' && p[i] <= 'z') || (p[i] >= 'A' && p[i] <= 'Z') ||
                          (i > 0 && (sioc__is_digit((unsigned char)p[i]) || p[i] == '+' || p[i] == '-' ||
                                     p[i] == '.'))))
        i++;
    if (i == 0 || ep.len - i < 3 || memcmp(p + i, "://", 3) != 0) return SIOC__TEXT("Endpoint has no scheme:// ");
    out->scheme.ptr = p;
    out->scheme.len = i;
    i += 3;
    h = i;
    if (i < ep.len && p[i] == '[') { /* IPv6 literal, brackets kept */
        i++;
        while (i < ep.len && (sioc__hex_val((unsigned char)p[i]) >= 0 || p[i] == ':' || p[i] == '.')) i++;
        if (i >= ep.len || p[i] != ']' || i == h + 1) return SIOC__TEXT("Endpoint has a bad [IPv6] host ");
        i++;
    } else {
        while (i < ep.len && sioc__sas_host_char((unsigned char)p[i])) i++;
        if (i == h) return SIOC__TEXT("Endpoint has an empty or invalid host ");
    }
    out->host.ptr = p + h;
    out->host.len = i - h;
    if (i < ep.len && p[i] == ':') {
        uint32_t port = 0;
        size_t d = ++i;
        while (i < ep.len && sioc__is_digit((unsigned char)p[i]) && i - d < 5) port = port * 10u + (uint32_t)(p[i++] - '0');
        if (i == d || port == 0 || port > 65535) return SIOC__TEXT("Endpoint port is not 1..65535 ");
        out->port = (uint16_t)port;
    }
    if (i < ep.len && p[i] != '/') return SIOC__TEXT("Endpoint has more than a path after host[:port] ");
    for (; i < ep.len; i++) /* the path is ignored, but must stay a path */
        if (p[i] == '?' || p[i] == '#' || p[i] == ' ') return SIOC__TEXT("Endpoint has a query or fragment ");
    return NULL;
}

SIOC_API sioc_result sioc_sas_parse_connection_string(sioc_str text, sioc_sas_connstr *out) {
    enum { K_ENDPOINT, K_KEY_NAME, K_KEY, K_SIG, K_ENTITY, K_EMULATOR, K_COUNT };
    static const char names[K_COUNT][23] = { /* rows: dropped with the table (sioc_node_event_name) */
                                            "Endpoint",        "SharedAccessKeyName", "SharedAccessKey",
                                               "SharedAccessSignature", "EntityPath",   "UseDevelopmentEmulator"};
    sioc_str vals[K_COUNT];
    int seen[K_COUNT];
    size_t i = 0, k;
    sioc_result r = SIOC_ERR_PARSE;
    const char *why = NULL, *field = NULL; /* what is wrong, and with which name (for out->detail) */
    if (!out) return SIOC_ERR_ARG;
    memset(out, 0, sizeof *out);
    memset(vals, 0, sizeof vals);
    memset(seen, 0, sizeof seen);
    if (!text.ptr) text.len = 0;
    while (i < text.len) {
        size_t start = i, eq;
        sioc_str piece, name, value;
        while (i < text.len && text.ptr[i] != ';') i++;
        piece = sioc__sas_trim(text.ptr + start, i - start);
        i++;
        if (piece.len == 0) continue;
        for (eq = 0; eq < piece.len && piece.ptr[eq] != '='; eq++) {
        }
        why = SIOC__TEXT("a piece without '=' (expected Name=value;Name=value)");
        if (eq == piece.len) goto fail;
        name = sioc__sas_trim(piece.ptr, eq);
        value = sioc__sas_trim(piece.ptr + eq + 1, piece.len - eq - 1);
        why = SIOC__TEXT("a piece with an empty name before '='");
        if (name.len == 0) goto fail;
        for (k = 0; k < K_COUNT; k++)
            if (sioc__sas_ieq(name, names[k])) break;
        if (k == K_COUNT) continue; /* unknown names are ignored, as the SDK does */
        field = names[k];
        why = SIOC__TEXT(" given twice");
        if (seen[k]) goto fail; /* ambiguous: the SDK would silently keep the last */
        seen[k] = 1;
        why = SIOC__TEXT(" holds a control character");
        for (eq = 0; eq < value.len; eq++) {
            unsigned char c = (unsigned char)value.ptr[eq];
            if (c < 0x20 || c == 0x7f) goto fail; /* values reach HTTP headers: no CR/LF injection */
        }
        field = NULL;
        vals[k] = value;
    }
    if (vals[K_EMULATOR].len) {
        why = SIOC__TEXT("UseDevelopmentEmulator is neither true nor false");
        if (sioc__sas_ieq(vals[K_EMULATOR], "true")) out->use_development_emulator = 1;
        else if (!sioc__sas_ieq(vals[K_EMULATOR], "false")) goto fail;
    }
    r = SIOC_ERR_ARG;
    why = SIOC__TEXT("Endpoint missing ");
    if (vals[K_ENDPOINT].len == 0) goto fail;
    if (vals[K_SIG].len) {
        why = SIOC__TEXT("SharedAccessSignature together with SharedAccessKey or SharedAccessKeyName");
        if (vals[K_KEY].len || vals[K_KEY_NAME].len) goto fail;
    } else if (vals[K_KEY].len == 0 || vals[K_KEY_NAME].len == 0) {
        why = SIOC__TEXT(vals[K_KEY].len         ? "SharedAccessKey without SharedAccessKeyName"
                         : vals[K_KEY_NAME].len ? "SharedAccessKeyName without SharedAccessKey"
                                                 : "no credentials: SharedAccessKeyName + SharedAccessKey, or SharedAccessSignature");
        goto fail;
    }
    r = SIOC_ERR_PARSE;
    out->endpoint = vals[K_ENDPOINT];
    why = sioc__sas_endpoint(vals[K_ENDPOINT], out);
    if (why) goto fail;
    if (vals[K_SIG].len) {
        sioc_sas_token_view v;
        why = SIOC__TEXT("SharedAccessSignature is not a token (SharedAccessSignature sr=..&sig=..&se=..&skn=..)");
        if (sioc_sas_parse_token(vals[K_SIG], &v) != SIOC_OK) goto fail;
        out->signature = vals[K_SIG];
        out->signature_expiry = v.se;
    }
    out->key_name = vals[K_KEY_NAME];
    out->key = vals[K_KEY];
    out->entity_path = vals[K_ENTITY];
    return SIOC_OK;
fail:
    memset(out, 0, sizeof *out);
    {
        size_t n = why ? strlen(why) : 0;
        int example = n > 0 && why[n - 1] == ' '; /* an Endpoint problem: show the expected form */
        sioc_buf b;
        sioc__detail_start(&b, out->detail, sizeof out->detail);
        if (!SIOC_ENABLE_ERROR_STRINGS) return r; /* no text to build */
        sioc_buf_puts(&b, "connection string: ");
        if (field) sioc_buf_puts(&b, field);
        sioc_buf_put(&b, why ? why : "malformed", example ? n - 1 : n);
        if (example) sioc_buf_puts(&b, " (Endpoint=sb://<namespace>.servicebus.windows.net/)");
        sioc__detail_end(&b);
    }
    return r;
}
/* ---- src/sio_parser.c ---- */
/* ---- sio_parser.c ---- */

SIOC_API int sioc_sio_is_reserved_event(const char *name, size_t len) {
    /* socket.io-parser RESERVED_EVENTS (client and server side, and Node's EventEmitter internals). */
    static const char reserved[] = "connect\0connect_error\0disconnect\0disconnecting\0newListener\0removeListener";
    const char *p = reserved;
    int i;
    for (i = 0; i < 6; i++, p += strlen(p) + 1)
        if (strlen(p) == len && memcmp(p, name, len) == 0) return 1;
    return 0;
}

/* ---- msgpack -> JSON text, binaries as placeholders ---- */

static void sioc__sio_placeholder(sioc_json_writer *jw, size_t num) {
    sioc_json_write_object_begin(jw);
    sioc_json_write_key(jw, "_placeholder", 12);
    sioc_json_write_bool(jw, 1);
    sioc_json_write_key(jw, "num", 3);
    sioc_json_write_u64(jw, (uint64_t)num);
    sioc_json_write_object_end(jw);
}

/* Number of binary values (bin, and ext other than timestamp) in the one msgpack value at data, and SIOC_OK when
   it is exactly one well-formed value. Linear, no stack: counts the items still owed. */
static sioc_result sioc__sio_count_bins(sioc_bytes data, size_t *out_n) {
    sioc_msgpack_reader r;
    sioc_msgpack_item it;
    uint64_t owed = 1;
    size_t n = 0;
    sioc_msgpack_reader_init(&r, data.ptr, data.len);
    while (owed > 0) {
        sioc_result e = sioc_msgpack_read(&r, &it);
        if (e != SIOC_OK) return e;
        owed--;
        if (it.type == SIOC_MSGPACK_ARRAY) owed += it.len;
        if (it.type == SIOC_MSGPACK_MAP) owed += 2u * (uint64_t)it.len;
        if (it.type == SIOC_MSGPACK_BIN || it.type == SIOC_MSGPACK_EXT) n++;
    }
    *out_n = n;
    return r.pos == r.len ? SIOC_OK : SIOC_ERR_PARSE;
}

typedef struct sioc__sio_att {
    sioc_bytes *att;
    size_t cap, n;
} sioc__sio_att;

/* A binary becomes a placeholder numbered in wire order (the depth-first order socket.io-parser numbers in); an
   extension other than the timestamp becomes Node's ExtData object {type, data}, its data the placeholder. */
static sioc_result sioc__sio_write_bin(void *user, sioc_json_writer *jw, const sioc_msgpack_item *it) {
    sioc__sio_att *a = (sioc__sio_att *)user;
    if (a->n < a->cap) {
        a->att[a->n].ptr = it->data;
        a->att[a->n].len = it->len;
    }
    if (it->type == SIOC_MSGPACK_EXT) {
        sioc_json_write_object_begin(jw);
        sioc_json_write_key(jw, "type", 4);
        sioc_json_write_i64(jw, it->ext_type);
        sioc_json_write_key(jw, "data", 4);
        sioc__sio_placeholder(jw, a->n);
        sioc_json_write_object_end(jw);
    } else {
        sioc__sio_placeholder(jw, a->n);
    }
    a->n++;
    return SIOC_OK;
}

SIOC_API sioc_result sioc_sio_encode(sioc_buf *text, int type, sioc_str nsp, int64_t id, sioc_bytes data,
                                     sioc_bytes *att, size_t att_cap, size_t *out_n_att) {
    size_t bins = 0, n_att = 0;
    sioc_result e;
    if (out_n_att) *out_n_att = 0;
    if (!att) att_cap = 0;
    if (type < SIOC_SIO_CONNECT || type > SIOC_SIO_CONNECT_ERROR) return SIOC_ERR_ARG;
    if (data.ptr) {
        e = sioc__sio_count_bins(data, &bins);
        if (e != SIOC_OK) return e;
    }
    if (bins > 0) {
        /* Only EVENT and ACK have binary variants; Node would JSON-stringify a Buffer elsewhere. */
        if (type != SIOC_SIO_EVENT && type != SIOC_SIO_ACK) return SIOC_ERR_ARG;
        type += 3;
    }
    sioc_buf_putc(text, (char)('0' + type));
    if (bins > 0) {
        sioc_buf_put_u64(text, bins);
        sioc_buf_putc(text, '-');
    }
    if (nsp.len > 0 && !(nsp.len == 1 && nsp.ptr[0] == '/')) {
        sioc_buf_put(text, nsp.ptr, nsp.len);
        sioc_buf_putc(text, ',');
    }
    if (id >= 0) sioc_buf_put_u64(text, (uint64_t)id);
    if (data.ptr) {
        sioc_json_writer jw;
        sioc__sio_att a;
        sioc_mpjson_opts o;
        memset(&o, 0, sizeof o);
        a.att = att;
        a.cap = att_cap;
        a.n = 0;
        o.write_bin = sioc__sio_write_bin;
        o.user = &a;
        sioc_json_writer_init(&jw, text);
        e = sioc_msgpack_to_json(&jw, data, &o);
        if (e != SIOC_OK && e != SIOC_ERR_BUFFER_TOO_SMALL) return e;
        n_att = a.n;
    }
    if (out_n_att) *out_n_att = n_att;
    e = sioc_buf_result(text);
    if (e != SIOC_OK) return e;
    return n_att > att_cap ? SIOC_ERR_BUFFER_TOO_SMALL : SIOC_OK;
}

/* ---- decoding client packets ---- */

/* Object token t is a placeholder ({"_placeholder": true, ...}): 1 and *num set, 0 when it is not one,
   -1 when it is one with a bad num (socket.io-parser: "illegal attachments"). */
static int sioc__sio_placeholder_num(const sioc_json *doc, int t, uint32_t attachments, size_t *num) {
    int ph = sioc_json_find(doc, t, "_placeholder"), nt, b = 0;
    if (ph < 0 || sioc_json_get_bool(doc, ph, &b) != SIOC_OK || !b) return 0;
    nt = sioc_json_find(doc, t, "num");
#if SIOC_ENABLE_FLOAT
    {
        double f;
        if (sioc_json_get_f64(doc, nt, &f) != SIOC_OK) return -1;
        if (!(f >= 0 && f < (double)attachments) || (double)(size_t)f != f) return -1;
        *num = (size_t)f;
    }
#else
    { /* an integer literal (socket.io-client writes no other); "1.0" would need doubles */
        int64_t v;
        if (sioc_json_get_i64(doc, nt, &v) != SIOC_OK || v < 0 || (uint64_t)v >= attachments) return -1;
        *num = (size_t)v;
    }
#endif
    return 1;
}

static int sioc__sio_is_number(const sioc_json *doc, int t) { return sioc_json_type_of(doc, t) == SIOC_JSON_NUMBER; }

/* socket.io-parser's isPayloadValid. */
static int sioc__sio_payload_valid(const sioc_json *doc, int type) {
    sioc_json_type root = sioc_json_type_of(doc, 0);
    switch (type) {
    case SIOC_SIO_CONNECT: return root == SIOC_JSON_OBJECT;
    case SIOC_SIO_DISCONNECT: return 0; /* no payload allowed */
    case SIOC_SIO_CONNECT_ERROR: return root == SIOC_JSON_OBJECT || root == SIOC_JSON_STRING;
    case SIOC_SIO_EVENT:
    case SIOC_SIO_BINARY_EVENT: {
        int first = sioc_json_first(doc, 0);
        char name[16];
        size_t n = 0;
        if (root != SIOC_JSON_ARRAY || first < 0) return 0;
        if (sioc__sio_is_number(doc, first)) return 1;
        if (sioc_json_type_of(doc, first) != SIOC_JSON_STRING) return 0;
        if (sioc_json_get_str(doc, first, name, sizeof name, &n) != SIOC_OK) return 1; /* longer than any */
        return !sioc_sio_is_reserved_event(name, n);
    }
    case SIOC_SIO_ACK:
    case SIOC_SIO_BINARY_ACK: return root == SIOC_JSON_ARRAY;
    default: return 0;
    }
}

SIOC_API sioc_result sioc_sio_decode(sioc_sio_packet *p, const char *s, size_t len, sioc_json_tok *toks, size_t cap,
                                     uint32_t max_attachments) {
    size_t i = 0, j;
    sioc_result e;
    memset(p, 0, sizeof *p);
    p->nsp.ptr = "/";
    p->nsp.len = 1;
    p->id = -1;
    if (max_attachments == 0) max_attachments = SIOC_SIO_MAX_ATTACHMENTS;
    if (!s || len == 0 || s[0] < '0' || s[0] > '6') return SIOC_ERR_PARSE; /* "unknown packet type" */
    p->type = s[0] - '0';
    if (p->type == SIOC_SIO_BINARY_EVENT || p->type == SIOC_SIO_BINARY_ACK) {
        uint64_t n = 0;
        for (j = 1; j < len && sioc__is_digit(s[j]); j++) {
            n = n * 10u + (uint64_t)(s[j] - '0');
            if (n > 0xffffffffu) return SIOC_ERR_LIMIT;
        }
        if (j == 1 || j >= len || s[j] != '-') return SIOC_ERR_PARSE; /* "Illegal attachments" */
        if (n > max_attachments) return SIOC_ERR_LIMIT;                 /* "too many attachments" */
        p->attachments = (uint32_t)n;
        i = j;
    }
    if (i + 1 < len && s[i + 1] == '/') { /* namespace up to ',' or the end */
        j = i + 1;
        while (j < len && s[j] != ',') j++;
        p->nsp.ptr = s + i + 1;
        p->nsp.len = j - (i + 1);
        i = j;
    }
    if (i + 1 < len && sioc__is_digit(s[i + 1])) {
        uint64_t id = 0;
        for (j = i + 1; j < len && sioc__is_digit(s[j]); j++) {
            id = id * 10u + (uint64_t)(s[j] - '0');
            if (id > 9007199254740991u) return SIOC_ERR_PARSE; /* beyond Number.MAX_SAFE_INTEGER */
        }
        p->id = (int64_t)id;
        i = j - 1;
    }
    if (i + 1 >= len) return SIOC_OK; /* no payload */
    e = sioc_json_parse(&p->json, s + i + 1, len - i - 1, toks, cap);
    if (e != SIOC_OK) return e;
    p->has_data = 1;
    if (!sioc__sio_payload_valid(&p->json, p->type)) return SIOC_ERR_PROTOCOL;
    if ((p->type == SIOC_SIO_BINARY_EVENT || p->type == SIOC_SIO_BINARY_ACK) && p->attachments > 0) {
        /* Placeholders are resolved (and checked) only when attachments follow, as socket.io-parser does; a
           placeholder's own content is not looked into. */
        size_t t = 0, num;
        while (t < p->json.count) {
            if (p->json.toks[t].type == SIOC_JSON_OBJECT) {
                int k = sioc__sio_placeholder_num(&p->json, (int)t, p->attachments, &num);
                if (k < 0) return SIOC_ERR_RANGE;
                if (k > 0) {
                    t = p->json.toks[t].next;
                    continue;
                }
            }
            t++;
        }
    }
    return SIOC_OK;
}

typedef struct sioc__sio_ph {
    const sioc_bytes *att;
    size_t n;
} sioc__sio_ph;

/* A placeholder object becomes bin att[num]. */
static int sioc__sio_read_bin(void *user, const sioc_json *doc, int tok, sioc_msgpack_writer *w) {
    const sioc__sio_ph *ph = (const sioc__sio_ph *)user;
    size_t num = 0;
    int k = sioc__sio_placeholder_num(doc, tok, (uint32_t)ph->n, &num);
    if (k < 0) return SIOC_ERR_RANGE;
    if (k > 0) sioc_msgpack_write_bin(w, ph->att[num].ptr, ph->att[num].len);
    return k;
}

SIOC_API sioc_result sioc_sio_json_to_msgpack(const sioc_json *doc, int tok, const sioc_bytes *att, size_t n_att,
                                              sioc_msgpack_writer *w) {
    sioc__sio_ph ph;
    sioc_mpjson_opts o;
    memset(&o, 0, sizeof o);
    ph.att = att;
    ph.n = n_att;
    if (att) {
        o.read_bin = sioc__sio_read_bin;
        o.user = &ph;
    }
    return sioc_json_to_msgpack(doc, tok, w, &o);
}

SIOC_API sioc_result sioc_sio_ack_arg(const sioc_sio_packet *p, const sioc_bytes *att, size_t n_att, sioc_buf *out) {
    sioc_msgpack_writer w;
    sioc_result e = SIOC_OK;
    int first;
    if (p->type != SIOC_SIO_ACK && p->type != SIOC_SIO_BINARY_ACK) return SIOC_ERR_TYPE;
    if (p->type == SIOC_SIO_BINARY_ACK ? n_att != p->attachments : n_att != 0) return SIOC_ERR_ARG;
    sioc_msgpack_writer_init(&w, out);
    first = p->has_data ? sioc_json_first(&p->json, 0) : -1;
    if (first < 0)
        sioc_msgpack_write_nil(&w); /* ack() without arguments: Node sends packet: nil (§8) */
    else
        e = sioc_sio_json_to_msgpack(&p->json, first, p->attachments > 0 ? att : NULL, n_att, &w);
    if (e != SIOC_OK) return e;
    return sioc_msgpack_writer_finish(&w);
}

/* ---- Engine.IO ---- */

SIOC_API void sioc_eio_ws_text(sioc_buf *out, const char *text, size_t len) {
    sioc_buf_putc(out, '4');
    sioc_buf_put(out, text, len);
}

SIOC_API void sioc_eio_polling_add_text(sioc_buf *out, size_t start, const char *text, size_t len) {
    if (out->len > start) sioc_buf_putc(out, '\x1e');
    sioc_eio_ws_text(out, text, len);
}

SIOC_API void sioc_eio_polling_add_binary(sioc_buf *out, size_t start, const void *data, size_t len) {
    const uint8_t *p = (const uint8_t *)data;
    char chunk[SIOC_BASE64_ENCODED_LEN(48) + 1];
    if (out->len > start) sioc_buf_putc(out, '\x1e');
    sioc_buf_putc(out, 'b');
    while (len > 0) { /* 48 bytes (a multiple of 3) at a time, so the pieces join into one base64 text */
        size_t n = SIOC__MIN(len, (size_t)48), m = 0;
        if (sioc_base64_encode(p, n, chunk, sizeof chunk, &m) != SIOC_OK) {
            sioc_buf_fail(out, SIOC_ERR_ARG);
            return;
        }
        sioc_buf_put(out, chunk, m);
        p += n;
        len -= n;
    }
}
/* ---- src/eio.c ---- */
/* ---- eio.c ---- */

/* ---- Engine.IO packets ---- */

SIOC_API sioc_result sioc_eio_decode(sioc_eio_packet *p, const void *msg, size_t len, int binary) {
    const uint8_t *s = (const uint8_t *)msg;
    memset(p, 0, sizeof *p);
    if (binary) { /* v4 sends binary messages bare: no type byte */
        p->type = SIOC_EIO_MESSAGE;
        p->binary = 1;
        p->data = sioc_bytes_n(s, len);
        return SIOC_OK;
    }
    if (len == 0 || s[0] < '0' || s[0] > '6') return SIOC_ERR_PARSE;
    p->type = s[0] - '0';
    p->data = sioc_bytes_n(s + 1, len - 1);
    return SIOC_OK;
}

SIOC_API void sioc_eio_encode(sioc_buf *out, int type, const void *data, size_t len) {
    if (type < SIOC_EIO_OPEN || type > SIOC_EIO_NOOP) {
        sioc_buf_fail(out, SIOC_ERR_ARG);
        return;
    }
    sioc_buf_putc(out, (char)('0' + type));
    if (len) sioc_buf_put(out, data, len);
}

SIOC_API void sioc_eio_encode_open(sioc_buf *out, const sioc_eio_open *o) {
    const char *c;
    for (c = o->sid ? o->sid : ""; *c; c++) /* written without escaping, so refuse what JSON would escape */
        if ((unsigned char)*c < 0x20 || *c == '"' || *c == '\\') sioc_buf_fail(out, SIOC_ERR_ARG);
    if (!o->sid || !*o->sid) sioc_buf_fail(out, SIOC_ERR_ARG);
    sioc_buf_puts(out, "0{\"sid\":\"");
    sioc_buf_puts(out, o->sid ? o->sid : "");
    sioc_buf_puts(out, o->upgrade_websocket ? "\",\"upgrades\":[\"websocket\"]" : "\",\"upgrades\":[]");
    sioc_buf_puts(out, ",\"pingInterval\":");
    sioc_buf_put_u64(out, o->ping_interval);
    sioc_buf_puts(out, ",\"pingTimeout\":");
    sioc_buf_put_u64(out, o->ping_timeout);
    sioc_buf_puts(out, ",\"maxPayload\":");
    sioc_buf_put_u64(out, o->max_payload);
    sioc_buf_putc(out, '}');
}

/* ---- polling payloads ---- */

SIOC_API void sioc_eio_payload_init(sioc_eio_payload *it, void *body, size_t len) {
    it->p_data = (uint8_t *)body;
    it->p_len = len;
    it->p_pos = 0;
}

/* p_pos == p_len means "a packet must start here" (an empty body, or a trailing separator: both errors, as
   engine.io-parser's split gives an empty packet); p_pos > p_len means the last packet was taken. */
SIOC_API sioc_result sioc_eio_payload_next(sioc_eio_payload *it, sioc_eio_packet *p) {
    uint8_t *s = it->p_data;
    size_t start = it->p_pos, end = start;
    memset(p, 0, sizeof *p);
    if (start > it->p_len) return SIOC_AGAIN;
    while (end < it->p_len && s[end] != (uint8_t)SIOC_EIO_RS) end++;
    it->p_pos = end < it->p_len ? end + 1 : it->p_len + 1;
    if (end == start) return SIOC_ERR_PARSE;
    if (s[start] == 'b') {
        size_t n = 0;
        /* In place: sioc_base64_decode reads each 4-character group before writing its 3 bytes, and writes
           never pass the read position. */
        if (sioc_base64_decode((const char *)s + start + 1, end - start - 1, s + start + 1, end - start - 1, &n) !=
            SIOC_OK)
            return SIOC_ERR_PARSE;
        p->type = SIOC_EIO_MESSAGE;
        p->binary = 1;
        p->data = sioc_bytes_n(s + start + 1, n);
        return SIOC_OK;
    }
    return sioc_eio_decode(p, s + start, end - start, 0);
}

SIOC_API void sioc_eio_polling_add(sioc_buf *out, size_t start, int type, const void *data, size_t len) {
    if (out->len > start) sioc_buf_putc(out, SIOC_EIO_RS);
    sioc_eio_encode(out, type, data, len);
}

/* ---- the request ---- */

static int sioc__eio_is(const char *p, size_t n, const char *lit) {
    return n == strlen(lit) && memcmp(p, lit, n) == 0;
}

SIOC_API sioc_result sioc_eio_parse_query(sioc_eio_query *q, const char *target, size_t len) {
    size_t i = 0, path_end;
    memset(q, 0, sizeof *q);
    if (len == 0) return SIOC_ERR_PARSE;
    while (i < len && target[i] != '?') i++;
    path_end = i;
    q->path = sioc_str_n(target, path_end);
    q->sid = sioc_str_n(target, 0);
    for (i = path_end + 1; i < len;) {
        size_t k = i, eq, end;
        while (i < len && target[i] != '&') i++;
        end = i++;
        for (eq = k; eq < end && target[eq] != '='; eq++) {}
        if (eq == end) continue; /* a key without a value ("t" never comes bare; ignore it) */
        if (sioc__eio_is(target + k, eq - k, "EIO")) {
            size_t d;
            q->eio = 0;
            for (d = eq + 1; d < end && d - eq <= 3 && sioc__is_digit((unsigned char)target[d]); d++)
                q->eio = q->eio * 10 + (target[d] - '0');
            if (d != end || d == eq + 1) q->eio = 0;
        } else if (sioc__eio_is(target + k, eq - k, "transport")) {
            const char *v = target + eq + 1;
            size_t vn = end - eq - 1;
            q->transport = sioc__eio_is(v, vn, "polling")     ? SIOC_EIO_TRANSPORT_POLLING
                           : sioc__eio_is(v, vn, "websocket") ? SIOC_EIO_TRANSPORT_WEBSOCKET
                                                              : SIOC_EIO_TRANSPORT_UNKNOWN;
        } else if (sioc__eio_is(target + k, eq - k, "sid")) {
            q->sid = sioc_str_n(target + eq + 1, end - eq - 1);
        }
    }
    return SIOC_OK;
}

SIOC_API void sioc_eio_error_body(sioc_buf *out, int code) {
    /* rows, not pointers: gc-sections drops them with the table (see sioc_node_event_name) */
    static const char text[][29] = {"Transport unknown", "Session ID unknown", "Bad handshake method",
                                       "Bad request",       "Forbidden",          "Unsupported protocol version"};
    if (code < 0 || code >= (int)SIOC__COUNT(text)) code = SIOC_EIO_ERR_BAD_REQUEST;
    sioc_buf_puts(out, "{\"code\":");
    sioc_buf_put_u64(out, (uint64_t)code);
    sioc_buf_puts(out, ",\"message\":\"");
    sioc_buf_puts(out, text[code]);
    sioc_buf_puts(out, "\"}");
}

/* ---- WebSocket handshake ---- */

#define SIOC__WS_GUID "258EAFA5-E914-47DA-95CA-C5AB0DC85B11"

SIOC_API sioc_result sioc_ws_accept_key(const char *key, size_t len, char out[SIOC_WS_ACCEPT_LEN + 1]) {
    uint8_t raw[18], md[SIOC_SHA1_LEN];
    size_t n = 0;
    sioc_sha1_ctx s;
    out[0] = 0;
    while (len && (*key == ' ' || *key == '\t')) key++, len--;
    while (len && (key[len - 1] == ' ' || key[len - 1] == '\t')) len--;
    if (len != 24 || sioc_base64_decode(key, len, raw, sizeof raw, &n) != SIOC_OK || n != 16) return SIOC_ERR_PARSE;
    sioc_sha1_init(&s);
    sioc_sha1_update(&s, key, len);
    sioc_sha1_update(&s, SIOC__WS_GUID, sizeof SIOC__WS_GUID - 1);
    sioc_sha1_final(&s, md);
    return sioc_base64_encode(md, sizeof md, out, SIOC_WS_ACCEPT_LEN + 1, &n);
}

SIOC_API sioc_result sioc_ws_handshake_response(sioc_buf *out, const char *key, size_t len) {
    char accept[SIOC_WS_ACCEPT_LEN + 1];
    sioc_result e = sioc_ws_accept_key(key, len, accept);
    if (e != SIOC_OK) return e;
    sioc_buf_puts(out, "HTTP/1.1 101 Switching Protocols\r\nUpgrade: websocket\r\nConnection: Upgrade\r\n"
                       "Sec-WebSocket-Accept: ");
    sioc_buf_puts(out, accept);
    sioc_buf_puts(out, "\r\n\r\n");
    return SIOC_OK;
}

/* ---- WebSocket frames ---- */

SIOC_API sioc_result sioc_ws_frame_parse(sioc_ws_frame *f, const void *in, size_t len, int must_mask) {
    const uint8_t *p = (const uint8_t *)in;
    unsigned len7;
    size_t hl = 2;
    memset(f, 0, sizeof *f);
    if (len < 2) return SIOC_AGAIN;
    f->fin = p[0] >> 7;
    f->opcode = p[0] & 0x0F;
    f->masked = p[1] >> 7;
    len7 = p[1] & 0x7Fu;
    if (p[0] & 0x70) return SIOC_ERR_PROTOCOL; /* no extension was negotiated */
    if (f->opcode > SIOC_WS_BINARY && f->opcode < SIOC_WS_CLOSE) return SIOC_ERR_PROTOCOL;
    if (f->opcode > SIOC_WS_PONG) return SIOC_ERR_PROTOCOL;
    if (f->masked != (must_mask ? 1 : 0)) return SIOC_ERR_PROTOCOL; /* RFC 6455 §5.1 both ways */
    if (f->opcode >= SIOC_WS_CLOSE && (!f->fin || len7 > SIOC_WS_MAX_CONTROL)) return SIOC_ERR_PROTOCOL;
    if (len7 == 126) {
        if (len < 4) return SIOC_AGAIN;
        f->len = sioc__load_be16(p + 2);
        if (f->len < 126) return SIOC_ERR_PROTOCOL; /* §5.2: the minimal number of bytes MUST be used */
        hl = 4;
    } else if (len7 == 127) {
        if (len < 10) return SIOC_AGAIN;
        f->len = sioc__load_be64(p + 2);
        if ((f->len >> 63) || f->len <= 0xFFFFu) return SIOC_ERR_PROTOCOL;
        hl = 10;
    } else {
        f->len = len7;
    }
    if (f->masked) {
        if (len < hl + 4) return SIOC_AGAIN;
        memcpy(f->mask, p + hl, 4);
        hl += 4;
    }
    f->header_len = hl;
    return SIOC_OK;
}

SIOC_API void sioc_ws_mask(void *data, size_t n, const uint8_t mask[4], uint64_t offset) {
    uint8_t *d = (uint8_t *)data;
    size_t i;
    for (i = 0; i < n; i++) d[i] ^= mask[(offset + i) & 3u];
}

SIOC_API size_t sioc_ws_frame_header(uint8_t out[SIOC_WS_MAX_HEADER], int fin, int opcode, uint64_t len,
                                     const uint8_t *mask) {
    size_t hl = 2;
    out[0] = (uint8_t)((fin ? 0x80 : 0) | (opcode & 0x0F));
    if (len < 126) {
        out[1] = (uint8_t)len;
    } else if (len <= 0xFFFFu) {
        out[1] = 126;
        sioc__store_be16(out + 2, (uint16_t)len);
        hl = 4;
    } else {
        out[1] = 127;
        sioc__store_be64(out + 2, len);
        hl = 10;
    }
    if (mask) {
        out[1] |= 0x80;
        memcpy(out + hl, mask, 4);
        hl += 4;
    }
    return hl;
}

SIOC_API void sioc_ws_write_frame(sioc_buf *out, int opcode, const void *data, size_t len, const uint8_t *mask) {
    uint8_t hdr[SIOC_WS_MAX_HEADER];
    uint8_t *dst;
    if (opcode >= SIOC_WS_CLOSE && len > SIOC_WS_MAX_CONTROL) {
        sioc_buf_fail(out, SIOC_ERR_ARG);
        return;
    }
    sioc_buf_put(out, hdr, sioc_ws_frame_header(hdr, 1, opcode, len, mask));
    dst = (uint8_t *)sioc_buf_reserve(out, len);
    if (!dst || !len) return;
    memcpy(dst, data, len);
    if (mask) sioc_ws_mask(dst, len, mask, 0);
}

SIOC_API void sioc_ws_write_close(sioc_buf *out, unsigned code, const char *reason, size_t len, const uint8_t *mask) {
    uint8_t payload[SIOC_WS_MAX_CONTROL];
    size_t n = 0;
    if (code) {
        sioc__store_be16(payload, (uint16_t)code);
        n = 2;
        if (len > SIOC_WS_MAX_CONTROL - 2) { /* cut on a character boundary so the reason stays UTF-8 */
            len = SIOC_WS_MAX_CONTROL - 2;
            while (len && ((uint8_t)reason[len] & 0xC0) == 0x80) len--;
        }
        if (len) memcpy(payload + 2, reason, len);
        n += len;
    }
    sioc_ws_write_frame(out, SIOC_WS_CLOSE, payload, n, mask);
}

/* ---- WebSocket reader ---- */

SIOC_API int sioc_utf8_valid(const void *data, size_t len) {
    const uint8_t *s = (const uint8_t *)data;
    size_t i = 0;
    while (i < len) {
        if (s[i] < 0x80) {
            i++;
        } else {
            size_t n = sioc__utf8_seq(s + i, len - i);
            if (!n) return 0;
            i += n;
        }
    }
    return 1;
}

SIOC_API void sioc_ws_reader_init(sioc_ws_reader *r, void *mem, size_t cap, int is_server) {
    memset(r, 0, sizeof *r);
    r->p_msg = (uint8_t *)mem;
    r->p_cap = mem ? cap : 0;
    r->p_must_mask = is_server ? 1 : 0;
}

SIOC_API unsigned sioc_ws_reader_close_code(const sioc_ws_reader *r) { return r->p_close_code; }

static sioc_result sioc__ws_fail(sioc_ws_reader *r, unsigned code) {
    if (!r->p_close_code) r->p_close_code = code;
    return r->p_close_code == SIOC_WS_CLOSE_TOO_BIG       ? SIOC_ERR_LIMIT
           : r->p_close_code == SIOC_WS_CLOSE_INVALID_DATA ? SIOC_ERR_PARSE
                                                          : SIOC_ERR_PROTOCOL;
}

/* Codes a peer may send (RFC 6455 §7.4.1 and the IANA registry): not 1004-1006, 1015 or below 1000. */
static int sioc__ws_close_code_ok(unsigned c) {
    return (c >= 1000 && c <= 1003) || (c >= 1007 && c <= 1014) || (c >= 3000 && c <= 4999);
}

/* A header was parsed: check it against the message in progress and make room. */
static sioc_result sioc__ws_begin_frame(sioc_ws_reader *r, const sioc_ws_frame *f) {
    if (f->opcode == SIOC_WS_CONTINUATION && !r->p_msg_opcode) return sioc__ws_fail(r, SIOC_WS_CLOSE_PROTOCOL);
    if (f->opcode == SIOC_WS_TEXT || f->opcode == SIOC_WS_BINARY) {
        if (r->p_msg_opcode) return sioc__ws_fail(r, SIOC_WS_CLOSE_PROTOCOL); /* a new message inside one */
        r->p_msg_opcode = f->opcode;
        r->p_len = 0;
    }
    if (f->opcode < SIOC_WS_CLOSE && f->len > (uint64_t)(r->p_cap - r->p_len))
        return sioc__ws_fail(r, SIOC_WS_CLOSE_TOO_BIG);
    r->p_frame = *f;
    r->p_in_frame = 1;
    r->p_got = 0;
    return SIOC_OK;
}

/* The current frame is complete: SIOC_OK with a message, SIOC_AGAIN for a non-final fragment, or an error. */
static sioc_result sioc__ws_end_frame(sioc_ws_reader *r, sioc_ws_message *m) {
    const sioc_ws_frame *f = &r->p_frame;
    size_t n = (size_t)f->len;
    r->p_in_frame = 0;
    if (f->opcode >= SIOC_WS_CLOSE) {
        m->opcode = f->opcode;
        m->data = sioc_bytes_n(r->p_ctl, n);
        if (f->opcode != SIOC_WS_CLOSE) return SIOC_OK;
        m->close_code = SIOC_WS_CLOSE_NO_STATUS;
        if (n == 1) return sioc__ws_fail(r, SIOC_WS_CLOSE_PROTOCOL);
        if (n >= 2) {
            m->close_code = sioc__load_be16(r->p_ctl);
            if (!sioc__ws_close_code_ok(m->close_code)) return sioc__ws_fail(r, SIOC_WS_CLOSE_PROTOCOL);
            if (!sioc_utf8_valid(r->p_ctl + 2, n - 2)) return sioc__ws_fail(r, SIOC_WS_CLOSE_INVALID_DATA);
            m->reason = sioc_str_n((const char *)r->p_ctl + 2, n - 2);
        }
        return SIOC_OK;
    }
    if (!f->fin) return SIOC_AGAIN;
    if (r->p_msg_opcode == SIOC_WS_TEXT && !sioc_utf8_valid(r->p_msg, r->p_len))
        return sioc__ws_fail(r, SIOC_WS_CLOSE_INVALID_DATA);
    m->opcode = r->p_msg_opcode;
    m->data = sioc_bytes_n(r->p_msg, r->p_len);
    r->p_msg_opcode = 0;
    return SIOC_OK;
}

SIOC_API sioc_result sioc_ws_read(sioc_ws_reader *r, const void *in, size_t len, size_t *consumed,
                                  sioc_ws_message *m) {
    const uint8_t *p = (const uint8_t *)in;
    size_t pos = 0;
    sioc_result e;
    memset(m, 0, sizeof *m);
    *consumed = 0;
    if (r->p_close_code) return sioc__ws_fail(r, r->p_close_code);
    for (;;) {
        size_t take;
        uint8_t *dst;
        if (!r->p_in_frame) {
            sioc_ws_frame f;
            e = sioc_ws_frame_parse(&f, p + pos, len - pos, r->p_must_mask);
            if (e == SIOC_AGAIN) break;
            if (e != SIOC_OK) e = sioc__ws_fail(r, SIOC_WS_CLOSE_PROTOCOL);
            if (e == SIOC_OK) e = sioc__ws_begin_frame(r, &f);
            if (e != SIOC_OK) {
                *consumed = pos;
                return e;
            }
            pos += f.header_len;
        }
        take = (size_t)SIOC__MIN((uint64_t)(len - pos), r->p_frame.len - r->p_got);
        dst = r->p_frame.opcode >= SIOC_WS_CLOSE ? r->p_ctl + r->p_got : r->p_msg + r->p_len;
        if (take) {
            memcpy(dst, p + pos, take);
            if (r->p_frame.masked) sioc_ws_mask(dst, take, r->p_frame.mask, r->p_got);
        }
        if (r->p_frame.opcode < SIOC_WS_CLOSE) r->p_len += take;
        r->p_got += take;
        pos += take;
        if (r->p_got < r->p_frame.len) break;
        e = sioc__ws_end_frame(r, m);
        if (e != SIOC_AGAIN) {
            *consumed = pos;
            return e;
        }
    }
    *consumed = pos;
    return SIOC_AGAIN;
}
/* ---- src/cluster_msg.c ---- */
/* ---- cluster_msg.c ---- */

/* The type names one after another, each NUL-ended: one array in its own section, so a program that never asks
   for a name drops the words with it (literals behind a pointer table share a pool that gc-sections keeps whole). */
static const char sioc__msg_names[] =
    "UNKNOWN\0"
    "INITIAL_HEARTBEAT\0"
    "HEARTBEAT\0"
    "BROADCAST\0"
    "SOCKETS_JOIN\0"
    "SOCKETS_LEAVE\0"
    "DISCONNECT_SOCKETS\0"
    "FETCH_SOCKETS\0"
    "FETCH_SOCKETS_RESPONSE\0"
    "SERVER_SIDE_EMIT\0"
    "SERVER_SIDE_EMIT_RESPONSE\0"
    "BROADCAST_CLIENT_COUNT\0"
    "BROADCAST_ACK\0"
    "ADAPTER_CLOSE\0";

SIOC_API const char *sioc_msg_type_name(int type) {
    const char *p = sioc__msg_names;
    int i = (type >= 1 && type <= 13) ? type : 0;
    while (i-- > 0) p += strlen(p) + 1;
    return p;
}

SIOC_API int sioc_msg_is_response(int type) {
    return type == SIOC_MSG_FETCH_SOCKETS_RESPONSE || type == SIOC_MSG_SERVER_SIDE_EMIT_RESPONSE ||
           type == SIOC_MSG_BROADCAST_CLIENT_COUNT || type == SIOC_MSG_BROADCAST_ACK;
}

SIOC_API int sioc_msg_has_data(int type) { return type >= SIOC_MSG_BROADCAST && type <= SIOC_MSG_BROADCAST_ACK; }

SIOC_API size_t sioc_msg_type_text(int type, char *out) {
    unsigned t = (type >= 0 && type <= 99) ? (unsigned)type : 0u;
    size_t n = 0;
    if (t >= 10) out[n++] = (char)('0' + t / 10);
    out[n++] = (char)('0' + t % 10);
    out[n] = 0;
    return n;
}

/* ---- lists ---- */

/* A list's next str (the lists of a decoded message were validated; a hand-made list ends at its first item that
   is not a complete str). */
SIOC_API int sioc_msg_list_next_str(sioc_msg_list *it, sioc_str *out) {
    sioc_msgpack_reader r;
    if (it->count == 0) return 0;
    sioc_msgpack_reader_init(&r, it->data, it->len);
    if (sioc_msgpack_read_str(&r, out) != SIOC_OK) {
        it->count = 0;
        return 0;
    }
    it->data += r.pos;
    it->len -= r.pos;
    it->count--;
    return 1;
}

/* Value of `key` in the map at the reader's cursor: SIOC_OK with *out on it, SIOC_ERR_NOT_FOUND when absent. */
static sioc_result sioc__msg_find(const sioc_msgpack_reader *map, const char *key, sioc_msgpack_reader *out) {
    *out = *map;
    return sioc_msgpack_map_find(out, key);
}

static int sioc__msg_peek_type(const sioc_msgpack_reader *r) {
    sioc_msgpack_item it;
    if (sioc_msgpack_peek(r, &it) != SIOC_OK) return SIOC_MSGPACK_NONE;
    return (int)it.type;
}

/* Raw bytes of the value at the cursor (advancing past it). */
static sioc_bytes sioc__msg_raw(sioc_msgpack_reader *r) {
    sioc_bytes b;
    if (sioc_msgpack_read_raw(r, &b) != SIOC_OK) {
        b.ptr = NULL;
        b.len = 0;
    }
    return b;
}

/* An array of strings at the cursor into *out. nil_ok: nil reads as the empty list (opts.rooms/except, §8). */
static sioc_result sioc__msg_read_strs(sioc_msgpack_reader *r, sioc_msg_list *out, int nil_ok) {
    uint32_t n, i;
    sioc_str s;
    out->data = r->data + r->pos;
    out->len = 0;
    out->count = 0;
    if (nil_ok && sioc_msgpack_read_nil(r) == SIOC_OK) return SIOC_OK;
    if (sioc_msgpack_read_array(r, &n) != SIOC_OK) return SIOC_ERR_TYPE;
    out->data = r->data + r->pos;
    for (i = 0; i < n; i++)
        if (sioc_msgpack_read_str(r, &s) != SIOC_OK) return SIOC_ERR_TYPE;
    out->len = (size_t)(r->data + r->pos - out->data);
    out->count = n;
    return SIOC_OK;
}

/* One socket map of a type 8 at the cursor (advancing past it); validate = report why it is malformed. */
static sioc_result sioc__msg_read_socket(sioc_msgpack_reader *r, sioc_msg_socket *s, const char **field) {
    sioc_msgpack_reader f;
    *field = "sockets[]";
    if (sioc__msg_peek_type(r) != SIOC_MSGPACK_MAP) return SIOC_ERR_TYPE;
    *field = "sockets[].id";
    if (sioc__msg_find(r, "id", &f) != SIOC_OK) return SIOC_ERR_PROTOCOL;
    if (sioc_msgpack_read_str(&f, &s->id) != SIOC_OK) return SIOC_ERR_TYPE;
    *field = "sockets[].rooms";
    if (sioc__msg_find(r, "rooms", &f) != SIOC_OK) return SIOC_ERR_PROTOCOL;
    if (sioc__msg_read_strs(&f, &s->rooms, 0) != SIOC_OK) return SIOC_ERR_TYPE;
    s->handshake.ptr = NULL;
    s->handshake.len = 0;
    if (sioc__msg_find(r, "handshake", &f) == SIOC_OK) s->handshake = sioc__msg_raw(&f);
    s->data.ptr = NULL;
    s->data.len = 0;
    if (sioc__msg_find(r, "data", &f) == SIOC_OK) s->data = sioc__msg_raw(&f);
    *field = NULL;
    return sioc_msgpack_skip(r) == SIOC_OK ? SIOC_OK : SIOC_ERR_PARSE;
}

SIOC_API int sioc_msg_list_next_socket(sioc_msg_list *it, sioc_msg_socket *out) {
    sioc_msgpack_reader r;
    const char *field;
    size_t used;
    if (it->count == 0) return 0;
    sioc_msgpack_reader_init(&r, it->data, it->len);
    if (sioc__msg_read_socket(&r, out, &field) != SIOC_OK) {
        it->count = 0;
        return 0;
    }
    used = r.pos;
    it->data += used;
    it->len -= used;
    it->count--;
    return 1;
}

/* ---- decoding ---- */

static sioc_result sioc__msg_fail(sioc_msg *m, sioc_result e, const char *field) {
    m->error_field = field;
    return e;
}

/* A float timeout as whole milliseconds, from the double's bits (no double library on soft-float targets):
   truncated, 0 for anything negative or below 1, UINT64_MAX from 2^64 up. Returns 0 for a NaN. */
static int sioc__msg_f64_ms(double f, uint64_t *out) {
    uint64_t b, m;
    int e;
    memcpy(&b, &f, sizeof b);
    e = (int)((b >> 52) & 0x7FFu);
    m = b & 0xFFFFFFFFFFFFFull;
    if (e == 0x7FF && m) return 0;
    if ((b >> 63) || e < 1023) *out = 0;
    else if (e >= 1023 + 64) *out = UINT64_MAX;
    else *out = e - 1023 >= 52 ? (m | 1ull << 52) << (e - 1023 - 52) : (m | 1ull << 52) >> (52 - (e - 1023));
    return 1;
}

/* The flag names in bit order (SIOC_MSG_FLAG_VOLATILE is bit 0, ... SIOC_MSG_FLAG_EXPECT_SINGLE_RESPONSE bit 3). */
static const char *sioc__msg_flag_name(unsigned bit_index) {
    static const char names[] = "volatile\0compress\0timeout\0expectSingleResponse";
    const char *p = names;
    while (bit_index--) p += strlen(p) + 1;
    return p;
}

/* Flags map at the cursor (or nil); the last duplicate key wins as in a JS object. */
static void sioc__msg_read_flags(sioc_msgpack_reader *r, sioc_msg_flags *fl) {
    sioc_msgpack_reader t = *r;
    sioc_msgpack_item v;
    uint32_t n, i;
    memset(fl, 0, sizeof *fl);
    if (sioc_msgpack_read_map(&t, &n) != SIOC_OK) return; /* nil: {} */
    fl->raw = sioc__msg_raw(r);
    for (i = 0; i < n; i++) {
        unsigned bit = 0, k;
        sioc_str key;
        if (sioc_msgpack_read_str(&t, &key) == SIOC_OK) {
            for (k = 0; k < 4; k++) {
                const char *name = sioc__msg_flag_name(k);
                if (key.len == strlen(name) && memcmp(key.ptr, name, key.len) == 0) bit = 1u << k;
            }
        } else if (sioc_msgpack_skip(&t) != SIOC_OK) { /* an integer key: checked msgpack has no other */
            return;
        }
        if (sioc_msgpack_peek(&t, &v) != SIOC_OK || sioc_msgpack_skip(&t) != SIOC_OK) return;
        if (bit == 0) continue; /* an unknown flag */
        fl->present &= ~bit;
        fl->values &= ~bit;
        if (bit == SIOC_MSG_FLAG_TIMEOUT) {
            if (v.type == SIOC_MSGPACK_UINT) {
                fl->timeout_ms = v.u;
            } else if (v.type == SIOC_MSGPACK_INT) {
                fl->timeout_ms = 0;
            } else if (v.type == SIOC_MSGPACK_FLOAT32 || v.type == SIOC_MSGPACK_FLOAT64) {
                if (!sioc__msg_f64_ms(v.f, &fl->timeout_ms)) continue; /* NaN: treated as absent */
            } else {
                continue; /* another type: treated as absent */
            }
            fl->present |= bit;
        } else if (v.type == SIOC_MSGPACK_BOOL) {
            fl->present |= bit;
            if (v.boolean) fl->values |= bit;
        }
    }
}

/* opts (required) of the data map. */
static sioc_result sioc__msg_read_opts(sioc_msg *m, const sioc_msgpack_reader *data) {
    sioc_msgpack_reader o, f;
    if (sioc__msg_find(data, "opts", &o) != SIOC_OK) return sioc__msg_fail(m, SIOC_ERR_PROTOCOL, "opts");
    if (sioc__msg_peek_type(&o) != SIOC_MSGPACK_MAP) return sioc__msg_fail(m, SIOC_ERR_TYPE, "opts");
    if (sioc__msg_find(&o, "rooms", &f) == SIOC_OK && sioc__msg_read_strs(&f, &m->opts.rooms, 1) != SIOC_OK)
        return sioc__msg_fail(m, SIOC_ERR_TYPE, "opts.rooms");
    if (sioc__msg_find(&o, "except", &f) == SIOC_OK && sioc__msg_read_strs(&f, &m->opts.except, 1) != SIOC_OK)
        return sioc__msg_fail(m, SIOC_ERR_TYPE, "opts.except");
    if (sioc__msg_find(&o, "flags", &f) == SIOC_OK) {
        int t = sioc__msg_peek_type(&f);
        if (t != SIOC_MSGPACK_MAP && t != SIOC_MSGPACK_NIL) return sioc__msg_fail(m, SIOC_ERR_TYPE, "opts.flags");
        sioc__msg_read_flags(&f, &m->opts.flags);
    }
    return SIOC_OK;
}

/* requestId: required (types 7, 8, 10-12) or optional (3, 9). A nil requestId is refused either way (§8, Q3). */
static sioc_result sioc__msg_read_request_id(sioc_msg *m, const sioc_msgpack_reader *data, int required) {
    sioc_msgpack_reader f;
    if (sioc__msg_find(data, "requestId", &f) != SIOC_OK)
        return required ? sioc__msg_fail(m, SIOC_ERR_PROTOCOL, "requestId") : SIOC_OK;
    if (sioc__msg_peek_type(&f) == SIOC_MSGPACK_NIL) return sioc__msg_fail(m, SIOC_ERR_PROTOCOL, "requestId");
    if (sioc_msgpack_read_str(&f, &m->request_id) != SIOC_OK) return sioc__msg_fail(m, SIOC_ERR_TYPE, "requestId");
    m->has_request_id = 1;
    return SIOC_OK;
}

/* [event, args...]: non-empty, the event a string that is not reserved or a number (socket.io-parser's
   isPayloadValid for EVENT, so clients never receive a packet their decoder rejects). */
static sioc_result sioc__msg_check_event_array(sioc_msgpack_reader r, int allow_number) {
    uint32_t n;
    sioc_msgpack_item ev;
    if (sioc_msgpack_read_array(&r, &n) != SIOC_OK || n == 0) return SIOC_ERR_TYPE;
    if (sioc_msgpack_peek(&r, &ev) != SIOC_OK) return SIOC_ERR_TYPE;
    if (ev.type == SIOC_MSGPACK_STR) return sioc_sio_is_reserved_event((const char *)ev.data, ev.len) ? SIOC_ERR_TYPE : SIOC_OK;
    if (allow_number && (ev.type == SIOC_MSGPACK_UINT || ev.type == SIOC_MSGPACK_INT ||
                         ev.type == SIOC_MSGPACK_FLOAT32 || ev.type == SIOC_MSGPACK_FLOAT64))
        return SIOC_OK;
    return SIOC_ERR_TYPE;
}

/* The data map of a message whose msgpack was already checked. */
static sioc_result sioc__msg_decode_data(sioc_msg *m) {
    sioc_msgpack_reader d, f;
    sioc_result e;
    uint64_t u;
    sioc_msgpack_reader_init(&d, m->data.ptr, m->data.len);
    if (sioc__msg_peek_type(&d) != SIOC_MSGPACK_MAP) return sioc__msg_fail(m, SIOC_ERR_TYPE, "data");
    switch (m->type) {
    case SIOC_MSG_BROADCAST: {
        sioc_msgpack_reader p;
        if (sioc__msg_find(&d, "packet", &p) != SIOC_OK) return sioc__msg_fail(m, SIOC_ERR_PROTOCOL, "packet");
        if (sioc__msg_peek_type(&p) != SIOC_MSGPACK_MAP) return sioc__msg_fail(m, SIOC_ERR_TYPE, "packet");
        if (sioc__msg_find(&p, "type", &f) != SIOC_OK) return sioc__msg_fail(m, SIOC_ERR_PROTOCOL, "packet.type");
        if (sioc_msgpack_read_u64(&f, &u) != SIOC_OK || u != 2) return sioc__msg_fail(m, SIOC_ERR_TYPE, "packet.type");
        if (sioc__msg_find(&p, "data", &f) != SIOC_OK) return sioc__msg_fail(m, SIOC_ERR_PROTOCOL, "packet.data");
        if (sioc__msg_check_event_array(f, 1) != SIOC_OK) return sioc__msg_fail(m, SIOC_ERR_TYPE, "packet.data");
        m->packet_data = sioc__msg_raw(&f);
        m->packet = sioc__msg_raw(&p);
        m->has_packet = 1;
        if ((e = sioc__msg_read_request_id(m, &d, 0)) != SIOC_OK) return e;
        return sioc__msg_read_opts(m, &d);
    }
    case SIOC_MSG_SOCKETS_JOIN:
    case SIOC_MSG_SOCKETS_LEAVE:
        if ((e = sioc__msg_read_opts(m, &d)) != SIOC_OK) return e;
        if (sioc__msg_find(&d, "rooms", &f) != SIOC_OK) return sioc__msg_fail(m, SIOC_ERR_PROTOCOL, "rooms");
        if (sioc__msg_read_strs(&f, &m->rooms, 0) != SIOC_OK) return sioc__msg_fail(m, SIOC_ERR_TYPE, "rooms");
        return SIOC_OK;
    case SIOC_MSG_DISCONNECT_SOCKETS:
        if ((e = sioc__msg_read_opts(m, &d)) != SIOC_OK) return e;
        if (sioc__msg_find(&d, "close", &f) == SIOC_OK && sioc_msgpack_read_nil(&f) != SIOC_OK &&
            sioc_msgpack_read_bool(&f, &m->close) != SIOC_OK)
            return sioc__msg_fail(m, SIOC_ERR_TYPE, "close");
        return SIOC_OK;
    case SIOC_MSG_FETCH_SOCKETS:
        if ((e = sioc__msg_read_opts(m, &d)) != SIOC_OK) return e;
        return sioc__msg_read_request_id(m, &d, 1);
#if SIOC_ENABLE_REQUESTS /* else the responses' data is never read (sioc__msg_finish) */
    case SIOC_MSG_FETCH_SOCKETS_RESPONSE: {
        uint32_t n, i;
        const char *field;
        if ((e = sioc__msg_read_request_id(m, &d, 1)) != SIOC_OK) return e;
        if (sioc__msg_find(&d, "sockets", &f) != SIOC_OK) return sioc__msg_fail(m, SIOC_ERR_PROTOCOL, "sockets");
        if (sioc_msgpack_read_array(&f, &n) != SIOC_OK) return sioc__msg_fail(m, SIOC_ERR_TYPE, "sockets");
        m->sockets.data = f.data + f.pos;
        for (i = 0; i < n; i++) {
            sioc_msg_socket s;
            if ((e = sioc__msg_read_socket(&f, &s, &field)) != SIOC_OK) return sioc__msg_fail(m, e, field);
        }
        m->sockets.len = (size_t)(f.data + f.pos - m->sockets.data);
        m->sockets.count = n;
        return SIOC_OK;
    }
#endif
    case SIOC_MSG_SERVER_SIDE_EMIT:
        if ((e = sioc__msg_read_request_id(m, &d, 0)) != SIOC_OK) return e;
        if (sioc__msg_find(&d, "packet", &f) != SIOC_OK) return sioc__msg_fail(m, SIOC_ERR_PROTOCOL, "packet");
        if (sioc__msg_check_event_array(f, 0) != SIOC_OK) return sioc__msg_fail(m, SIOC_ERR_TYPE, "packet");
        m->packet = m->packet_data = sioc__msg_raw(&f);
        m->has_packet = 1;
        return SIOC_OK;
#if SIOC_ENABLE_REQUESTS
    case SIOC_MSG_SERVER_SIDE_EMIT_RESPONSE:
    case SIOC_MSG_BROADCAST_ACK:
        if ((e = sioc__msg_read_request_id(m, &d, 1)) != SIOC_OK) return e;
        if (sioc__msg_find(&d, "packet", &f) == SIOC_OK) { /* absent = undefined on the requester */
            m->packet = sioc__msg_raw(&f);
            m->has_packet = 1;
        }
        return SIOC_OK;
    case SIOC_MSG_BROADCAST_CLIENT_COUNT:
        if ((e = sioc__msg_read_request_id(m, &d, 1)) != SIOC_OK) return e;
        if (sioc__msg_find(&d, "clientCount", &f) != SIOC_OK)
            return sioc__msg_fail(m, SIOC_ERR_PROTOCOL, "clientCount");
        /* Q9: an integer (the requester adds it); a negative count would corrupt its expected-ack total. */
        if (sioc_msgpack_read_u64(&f, &m->client_count) != SIOC_OK)
            return sioc__msg_fail(m, SIOC_ERR_TYPE, "clientCount");
        return SIOC_OK;
#endif
    default:
        return SIOC_OK;
    }
}

static void sioc__msg_clear(sioc_msg *m) {
    memset(m, 0, sizeof *m);
    m->opts.rooms.data = m->opts.except.data = m->rooms.data = m->sockets.data = (const uint8_t *)"";
}

/* After type, uid, nsp are known: data presence rules, then the per-type fields. */
static sioc_result sioc__msg_finish(sioc_msg *m, sioc_bytes data, int data_checked) {
    sioc_result e;
    if (m->type < 1 || m->type > 13) return sioc__msg_fail(m, SIOC_ERR_UNSUPPORTED, "type");
    /* A build that starts no request (SIOC_ENABLE_REQUESTS 0) has no use for an answer: its header is enough. */
    if (!SIOC_ENABLE_REQUESTS && sioc_msg_is_response(m->type)) return SIOC_OK;
    if (data.ptr && !data_checked) {
        e = sioc_msgpack_check_depth(data.ptr, data.len, SIOC_MSGPACK_WRITE_DEPTH);
        if (e != SIOC_OK) return sioc__msg_fail(m, e, "data");
    }
    if (!sioc_msg_has_data(m->type)) return SIOC_OK; /* data on 1, 2, 13 is ignored, as Node does */
    if (!data.ptr) return sioc__msg_fail(m, SIOC_ERR_PROTOCOL, "data");
    m->data = data;
    e = sioc__msg_decode_data(m);
    if (e != SIOC_OK) {
        sioc_msg_type t = (sioc_msg_type)m->type;
        sioc_str uid = m->uid, nsp = m->nsp, req = m->requester_uid;
        const char *field = m->error_field;
        sioc__msg_clear(m); /* no half-decoded fields after a failure; keep what identifies the sender */
        m->type = t;
        m->uid = uid;
        m->nsp = nsp;
        m->requester_uid = req;
        m->error_field = field;
    }
    return e;
}

SIOC_API sioc_result sioc_msg_decode_aws(const sioc_msg_envelope *env, sioc_msg *out) {
    size_t i;
    unsigned t = 0;
    sioc__msg_clear(out);
    if (!env->nsp.ptr) return sioc__msg_fail(out, SIOC_ERR_PROTOCOL, "nsp");
    if (!env->uid.ptr) return sioc__msg_fail(out, SIOC_ERR_PROTOCOL, "uid");
    out->nsp = env->nsp;
    out->uid = env->uid;
    if (env->requester_uid.ptr && env->requester_uid.len > 0) out->requester_uid = env->requester_uid;
    /* Message: the bare decimal type. Node runs parseInt(Body, 10), which also takes " 3" or "3x"; we take
       digits only (a Node sender never writes anything else). */
    if (!env->body.ptr || env->body.len == 0 || env->body.len > 9) return sioc__msg_fail(out, SIOC_ERR_PARSE, "Message");
    for (i = 0; i < env->body.len; i++) {
        char c = env->body.ptr[i];
        if (!sioc__is_digit(c)) return sioc__msg_fail(out, SIOC_ERR_PARSE, "Message");
        t = t * 10u + (unsigned)(c - '0');
    }
    out->type = t > 99 ? 99 : (int)t;
    return sioc__msg_finish(out, env->data, 0);
}

SIOC_API sioc_result sioc_msg_decode_azure(const void *body, size_t len, const sioc_msg_envelope *props,
                                           sioc_msg *out) {
    sioc_msgpack_reader r, f;
    sioc_bytes data;
    uint64_t t;
    sioc_result e;
    sioc__msg_clear(out);
    if (!body && len) return sioc__msg_fail(out, SIOC_ERR_ARG, "body");
    e = sioc_msgpack_check_depth(body, len, SIOC_MSGPACK_WRITE_DEPTH);
    if (e != SIOC_OK) return sioc__msg_fail(out, e, "body");
    sioc_msgpack_reader_init(&r, body, len);
    if (sioc__msg_peek_type(&r) != SIOC_MSGPACK_MAP) return sioc__msg_fail(out, SIOC_ERR_TYPE, "body");
    if (sioc__msg_find(&r, "uid", &f) != SIOC_OK) return sioc__msg_fail(out, SIOC_ERR_PROTOCOL, "uid");
    if (sioc_msgpack_read_str(&f, &out->uid) != SIOC_OK) return sioc__msg_fail(out, SIOC_ERR_TYPE, "uid");
    if (sioc__msg_find(&r, "nsp", &f) != SIOC_OK) return sioc__msg_fail(out, SIOC_ERR_PROTOCOL, "nsp");
    if (sioc_msgpack_read_str(&f, &out->nsp) != SIOC_OK) return sioc__msg_fail(out, SIOC_ERR_TYPE, "nsp");
    if (props) {
        /* Node dispatches by the properties and then uses the body: both must name the same sender/namespace. */
        if (props->nsp.ptr && !sioc_str_eq(props->nsp, out->nsp)) return sioc__msg_fail(out, SIOC_ERR_PROTOCOL, "nsp");
        if (props->uid.ptr && !sioc_str_eq(props->uid, out->uid)) return sioc__msg_fail(out, SIOC_ERR_PROTOCOL, "uid");
        if (props->requester_uid.ptr && props->requester_uid.len > 0) out->requester_uid = props->requester_uid;
    }
    if (sioc__msg_find(&r, "type", &f) != SIOC_OK) return sioc__msg_fail(out, SIOC_ERR_PROTOCOL, "type");
    if (sioc_msgpack_read_u64(&f, &t) != SIOC_OK) return sioc__msg_fail(out, SIOC_ERR_TYPE, "type");
    out->type = t > 99 ? 99 : (int)t;
    data.ptr = NULL;
    data.len = 0;
    if (sioc__msg_find(&r, "data", &f) == SIOC_OK) data = sioc__msg_raw(&f);
    return sioc__msg_finish(out, data, 1);
}

/* ---- encoding ---- */

static void sioc__msg_key(sioc_msgpack_writer *w, const char *k) { sioc_msgpack_write_cstr(w, k); }

static void sioc__msg_write_strs(sioc_msgpack_writer *w, const sioc_str *s, size_t n) {
    size_t i;
    if (n > 0xffffffffu) {
        sioc_buf_fail(w->out, SIOC_ERR_LIMIT);
        return;
    }
    sioc_msgpack_write_array(w, (uint32_t)n);
    for (i = 0; i < n; i++) sioc_msgpack_write_str(w, s[i].ptr, s[i].len);
}

static void sioc__msg_write_list(sioc_msgpack_writer *w, sioc_msg_list l) {
    sioc_str s;
    sioc_msgpack_write_array(w, l.count);
    while (sioc_msg_list_next_str(&l, &s)) sioc_msgpack_write_str(w, s.ptr, s.len);
}

static void sioc__msg_write_flags(sioc_msgpack_writer *w, const sioc_msg_flags *f) {
    static const uint8_t order[4] = {3, 0, 1, 2}; /* bit indexes in Node's key order */
    uint32_t n = 0;
    int i;
    if (f->raw.ptr) {
        sioc_msgpack_write_raw(w, f->raw.ptr, f->raw.len);
        return;
    }
    for (i = 0; i < 4; i++) n += (f->present >> i) & 1u;
    sioc_msgpack_write_map(w, n);
    for (i = 0; i < 4; i++) {
        unsigned bit = 1u << order[i];
        if (!(f->present & bit)) continue;
        sioc__msg_key(w, sioc__msg_flag_name(order[i]));
        if (bit == SIOC_MSG_FLAG_TIMEOUT)
            sioc_msgpack_write_uint(w, f->timeout_ms);
        else
            sioc_msgpack_write_bool(w, (f->values & bit) != 0);
    }
}

SIOC_API void sioc_msg_write_opts(sioc_msgpack_writer *w, const sioc_msg_opts_desc *o) {
    sioc_msgpack_write_map(w, 3);
    sioc__msg_key(w, "rooms");
    sioc__msg_write_strs(w, o->rooms, o->n_rooms);
    sioc__msg_key(w, "except");
    sioc__msg_write_strs(w, o->except, o->n_except);
    sioc__msg_key(w, "flags");
    sioc__msg_write_flags(w, &o->flags);
}

static void sioc__msg_write_opts_view(sioc_msgpack_writer *w, const sioc_msg_opts *o) {
    sioc_msgpack_write_map(w, 3);
    sioc__msg_key(w, "rooms");
    sioc__msg_write_list(w, o->rooms);
    sioc__msg_key(w, "except");
    sioc__msg_write_list(w, o->except);
    sioc__msg_key(w, "flags");
    sioc__msg_write_flags(w, &o->flags);
}

static void sioc__msg_write_raw_or_nil(sioc_msgpack_writer *w, sioc_bytes v) {
    if (v.ptr)
        sioc_msgpack_write_raw(w, v.ptr, v.len);
    else
        sioc_msgpack_write_nil(w);
}

static void sioc__msg_write_request_id(sioc_msgpack_writer *w, sioc_str id) {
    sioc__msg_key(w, "requestId");
    sioc_msgpack_write_str(w, id.ptr, id.len);
}

/* {packet: {type: 2, data}, [requestId], <opts follows>}: the caller writes the opts value. */
static void sioc__msg_broadcast_head(sioc_msgpack_writer *w, sioc_bytes packet_data, const sioc_str *request_id) {
    sioc_msgpack_write_map(w, request_id ? 3u : 2u);
    sioc__msg_key(w, "packet");
    sioc_msgpack_write_map(w, 2);
    sioc__msg_key(w, "type");
    sioc_msgpack_write_uint(w, 2);
    sioc__msg_key(w, "data");
    sioc__msg_write_raw_or_nil(w, packet_data);
    if (request_id) sioc__msg_write_request_id(w, *request_id);
    sioc__msg_key(w, "opts");
}

SIOC_API void sioc_msg_write_broadcast(sioc_msgpack_writer *w, const sioc_msg_opts_desc *opts, sioc_bytes packet_data,
                                       const sioc_str *request_id) {
    sioc__msg_broadcast_head(w, packet_data, request_id);
    sioc_msg_write_opts(w, opts);
}

SIOC_API void sioc_msg_write_sockets_rooms(sioc_msgpack_writer *w, const sioc_msg_opts_desc *opts,
                                           const sioc_str *rooms, size_t n_rooms) {
    sioc_msgpack_write_map(w, 2);
    sioc__msg_key(w, "opts");
    sioc_msg_write_opts(w, opts);
    sioc__msg_key(w, "rooms");
    sioc__msg_write_strs(w, rooms, n_rooms);
}

SIOC_API void sioc_msg_write_disconnect_sockets(sioc_msgpack_writer *w, const sioc_msg_opts_desc *opts, int close) {
    sioc_msgpack_write_map(w, 2);
    sioc__msg_key(w, "opts");
    sioc_msg_write_opts(w, opts);
    sioc__msg_key(w, "close");
    sioc_msgpack_write_bool(w, close != 0);
}

SIOC_API void sioc_msg_write_fetch_sockets(sioc_msgpack_writer *w, const sioc_msg_opts_desc *opts,
                                           sioc_str request_id) {
    sioc_msgpack_write_map(w, 2);
    sioc__msg_key(w, "opts");
    sioc_msg_write_opts(w, opts);
    sioc__msg_write_request_id(w, request_id);
}

SIOC_API void sioc_msg_write_fetch_sockets_response(sioc_msgpack_writer *w, sioc_str request_id, uint32_t n_sockets) {
    sioc_msgpack_write_map(w, 2);
    sioc__msg_write_request_id(w, request_id);
    sioc__msg_key(w, "sockets");
    sioc_msgpack_write_array(w, n_sockets);
}

static void sioc__msg_socket_head(sioc_msgpack_writer *w, sioc_str id, sioc_bytes handshake) {
    sioc_msgpack_write_map(w, 4);
    sioc__msg_key(w, "id");
    sioc_msgpack_write_str(w, id.ptr, id.len);
    sioc__msg_key(w, "handshake");
    if (handshake.ptr)
        sioc_msgpack_write_raw(w, handshake.ptr, handshake.len);
    else
        sioc_msgpack_write_map(w, 0);
    sioc__msg_key(w, "rooms");
}

static void sioc__msg_socket_tail(sioc_msgpack_writer *w, sioc_bytes data) {
    sioc__msg_key(w, "data");
    if (data.ptr)
        sioc_msgpack_write_raw(w, data.ptr, data.len);
    else
        sioc_msgpack_write_map(w, 0);
}

SIOC_API void sioc_msg_write_socket(sioc_msgpack_writer *w, sioc_str id, sioc_bytes handshake, const sioc_str *rooms,
                                    size_t n_rooms, sioc_bytes data) {
    sioc__msg_socket_head(w, id, handshake);
    sioc__msg_write_strs(w, rooms, n_rooms);
    sioc__msg_socket_tail(w, data);
}

SIOC_API void sioc_msg_write_server_side_emit(sioc_msgpack_writer *w, const sioc_str *request_id, sioc_bytes packet) {
    sioc_msgpack_write_map(w, request_id ? 2u : 1u);
    if (request_id) sioc__msg_write_request_id(w, *request_id);
    sioc__msg_key(w, "packet");
    sioc__msg_write_raw_or_nil(w, packet);
}

SIOC_API void sioc_msg_write_ack_response(sioc_msgpack_writer *w, sioc_str request_id, sioc_bytes packet) {
    sioc_msgpack_write_map(w, 2);
    sioc__msg_write_request_id(w, request_id);
    sioc__msg_key(w, "packet");
    sioc__msg_write_raw_or_nil(w, packet);
}

SIOC_API void sioc_msg_write_client_count(sioc_msgpack_writer *w, sioc_str request_id, uint64_t client_count) {
    sioc_msgpack_write_map(w, 2);
    sioc__msg_write_request_id(w, request_id);
    sioc__msg_key(w, "clientCount");
    sioc_msgpack_write_uint(w, client_count);
}

SIOC_API void sioc_msg_azure_begin(sioc_msgpack_writer *w, int type, int has_data) {
    sioc_msgpack_write_map(w, has_data ? 4u : 3u);
    sioc__msg_key(w, "type");
    sioc_msgpack_write_uint(w, type > 0 ? (uint64_t)type : 0u);
    if (has_data) sioc__msg_key(w, "data");
}

SIOC_API void sioc_msg_azure_end(sioc_msgpack_writer *w, sioc_str uid, sioc_str nsp) {
    sioc__msg_key(w, "uid");
    sioc_msgpack_write_str(w, uid.ptr, uid.len);
    sioc__msg_key(w, "nsp");
    sioc_msgpack_write_str(w, nsp.ptr, nsp.len);
}

/* The data value of a decoded message, in canonical form. */
static void sioc__msg_write_data_of(sioc_msgpack_writer *w, const sioc_msg *m) {
    const sioc_str *rid = m->has_request_id ? &m->request_id : NULL;
    switch (m->type) {
    case SIOC_MSG_BROADCAST:
        sioc__msg_broadcast_head(w, m->packet_data, rid);
        sioc__msg_write_opts_view(w, &m->opts);
        break;
    case SIOC_MSG_SOCKETS_JOIN:
    case SIOC_MSG_SOCKETS_LEAVE:
        sioc_msgpack_write_map(w, 2);
        sioc__msg_key(w, "opts");
        sioc__msg_write_opts_view(w, &m->opts);
        sioc__msg_key(w, "rooms");
        sioc__msg_write_list(w, m->rooms);
        break;
    case SIOC_MSG_DISCONNECT_SOCKETS:
        sioc_msgpack_write_map(w, 2);
        sioc__msg_key(w, "opts");
        sioc__msg_write_opts_view(w, &m->opts);
        sioc__msg_key(w, "close");
        sioc_msgpack_write_bool(w, m->close != 0);
        break;
    case SIOC_MSG_FETCH_SOCKETS:
        sioc_msgpack_write_map(w, 2);
        sioc__msg_key(w, "opts");
        sioc__msg_write_opts_view(w, &m->opts);
        sioc__msg_write_request_id(w, m->request_id);
        break;
    case SIOC_MSG_FETCH_SOCKETS_RESPONSE: {
        sioc_msg_list l = m->sockets;
        sioc_msg_socket s;
        sioc_msg_write_fetch_sockets_response(w, m->request_id, m->sockets.count);
        while (sioc_msg_list_next_socket(&l, &s)) {
            sioc__msg_socket_head(w, s.id, s.handshake);
            sioc__msg_write_list(w, s.rooms);
            sioc__msg_socket_tail(w, s.data);
        }
        break;
    }
    case SIOC_MSG_SERVER_SIDE_EMIT:
        sioc_msg_write_server_side_emit(w, rid, m->packet);
        break;
    case SIOC_MSG_SERVER_SIDE_EMIT_RESPONSE:
    case SIOC_MSG_BROADCAST_ACK:
        if (m->has_packet) {
            sioc_msg_write_ack_response(w, m->request_id, m->packet);
        } else { /* the key was absent: keep it absent */
            sioc_msgpack_write_map(w, 1);
            sioc__msg_write_request_id(w, m->request_id);
        }
        break;
    case SIOC_MSG_BROADCAST_CLIENT_COUNT:
        sioc_msg_write_client_count(w, m->request_id, m->client_count);
        break;
    default:
        break;
    }
}

SIOC_API sioc_result sioc_msg_encode_aws_data(const sioc_msg *m, sioc_buf *out) {
    sioc_msgpack_writer w;
    sioc_msgpack_writer_init(&w, out);
    if (sioc_msg_has_data(m->type)) sioc__msg_write_data_of(&w, m);
    return sioc_msgpack_writer_finish(&w);
}

SIOC_API sioc_result sioc_msg_encode_azure(const sioc_msg *m, sioc_buf *out) {
    sioc_msgpack_writer w;
    int has = sioc_msg_has_data(m->type);
    if (m->type < 1 || m->type > 13) {
        sioc_buf_fail(out, SIOC_ERR_ARG);
        return sioc_buf_result(out);
    }
    sioc_msgpack_writer_init(&w, out);
    sioc_msg_azure_begin(&w, m->type, has);
    if (has) sioc__msg_write_data_of(&w, m);
    sioc_msg_azure_end(&w, m->uid, m->nsp);
    return sioc_msgpack_writer_finish(&w);
}
/* ---- src/local_select.c ---- */
/* ---- local_select.c ---- */

#include <string.h>

/* A list of room names from either a decoded message (msgpack list) or C arrays. */
typedef struct sioc__sel_names {
    sioc_msg_list list;
    const sioc_str *arr;
    size_t n, i;
    int is_arr;
} sioc__sel_names;

static int sioc__sel_next(sioc__sel_names *s, sioc_str *out) {
    if (s->is_arr) {
        if (s->i >= s->n || !s->arr) return 0;
        *out = s->arr[s->i++];
        return 1;
    }
    return sioc_msg_list_next_str(&s->list, out);
}

/* The room a name selects, or NULL (unknown, or an index the table does not hold). */
static const sioc_select_room *sioc__sel_room(const sioc_select_table *t, sioc_str name) {
    int32_t r = -1;
    uint32_t i;
    if (t->find_room)
        r = t->find_room(t->user, name);
    else
        for (i = 0; i < t->n_rooms && r < 0; i++)
            if (sioc_str_eq(t->rooms[i].name, name)) r = (int32_t)i;
    return r < 0 || (uint32_t)r >= t->n_rooms ? NULL : &t->rooms[r];
}

#define SIOC__SEL_EXCLUDED 1u
#define SIOC__SEL_SEEN 2u

/* Pass 0 marks the sockets of the except rooms; pass 1 selects those of the rooms (when rooms are named), in room
   then join order, each once; without rooms every connected socket not excluded goes, in slot order. */
static sioc_result sioc__sel_run(const sioc_select_table *t, sioc__sel_names *rooms, sioc__sel_names *except,
                                 int has_rooms, uint8_t *scratch, uint32_t *out, size_t cap, size_t *out_n) {
    size_t n = 0;
    uint32_t i, k;
    int pass;
    sioc_str name;
    if (t->n_sockets) memset(scratch, 0, t->n_sockets);
    for (pass = 0; pass < 2; pass++) {
        sioc__sel_names *l = pass ? rooms : except;
        while ((pass == 0 || has_rooms) && sioc__sel_next(l, &name)) {
            const sioc_select_room *r = sioc__sel_room(t, name);
            for (k = 0; r && k < r->n_members; k++) {
                uint32_t sid = r->members[k];
                if (sid >= t->n_sockets) continue;
                if (pass == 0) {
                    scratch[sid] |= SIOC__SEL_EXCLUDED;
                } else if (!scratch[sid] && (!t->connected || t->connected[sid])) {
                    scratch[sid] |= SIOC__SEL_SEEN;
                    if (n < cap) out[n] = sid;
                    n++;
                }
            }
        }
    }
    for (i = 0; !has_rooms && i < t->n_sockets; i++) {
        if (scratch[i] || (t->connected && !t->connected[i])) continue;
        if (n < cap) out[n] = i;
        n++;
    }
    *out_n = n;
    return n > cap ? SIOC_ERR_BUFFER_TOO_SMALL : SIOC_OK;
}

SIOC_API sioc_result sioc_select_sockets(const sioc_select_table *t, const sioc_msg_opts *opts, uint8_t *scratch,
                                         uint32_t *out, size_t cap, size_t *out_n) {
    sioc__sel_names rooms, except;
    memset(&rooms, 0, sizeof rooms);
    memset(&except, 0, sizeof except);
    rooms.list = opts->rooms;
    except.list = opts->except;
    return sioc__sel_run(t, &rooms, &except, opts->rooms.count > 0, scratch, out, cap, out_n);
}

SIOC_API sioc_result sioc_select_sockets_desc(const sioc_select_table *t, const sioc_msg_opts_desc *opts,
                                              uint8_t *scratch, uint32_t *out, size_t cap, size_t *out_n) {
    sioc__sel_names rooms, except;
    memset(&rooms, 0, sizeof rooms);
    memset(&except, 0, sizeof except);
    rooms.is_arr = except.is_arr = 1;
    rooms.arr = opts->rooms;
    rooms.n = opts->rooms ? opts->n_rooms : 0;
    except.arr = opts->except;
    except.n = opts->except ? opts->n_except : 0;
    return sioc__sel_run(t, &rooms, &except, rooms.n > 0, scratch, out, cap, out_n);
}
/* ---- src/cluster.c ---- */
/* ---- cluster.c: the node state machine (docs/PROTOCOL.md §4-§8, §10) ---- */

#define SIOC__NIL 0xFFFFFFFFu
#define SIOC__NS_NONE 0xFFFFu

/* Built without the receive side (SIOC_ENABLE_RECEIVE 0) every node is an emitter: a constant, so the compiler
   drops what only a receiving node runs (inbound handling, local delivery, requests, heartbeats). */
#if SIOC_ENABLE_RECEIVE
#define SIOC__NODE_EMITTER(n) ((n)->p_desc.emitter_only)
#define SIOC__NODE_RX_OFF SIOC_OK /* what a receive call returns on an emitter or a closed node: ignored */
#else
#define SIOC__NODE_EMITTER(n) 1
#define SIOC__NODE_RX_OFF SIOC_ERR_UNSUPPORTED /* no receive path in this build */
#endif

/* ---- private types ---- */

struct sioc__node_ns {
    char name[SIOC_NODE_NAME_MAX + 1];
    uint32_t len;
    uint32_t n_peers, n_sockets;
    uint64_t next_ack_id; /* §10.2: one counter per namespace, shared with the application's own acks */
    uint64_t last_pub;    /* when this namespace last published a message (heartbeat timer, Q1) */
    struct sioc__node_peer *peers;
    uint8_t *member; /* per socket slot: 1 when the socket belongs here (local_select's `connected`) */
};

struct sioc__node_peer {
    char uid[SIOC_NODE_ID_MAX + 1];
    uint32_t len;
    uint64_t last_seen, first_seen;
    uint64_t hash;
    int confirmed; /* heard again at least half a heartbeat interval after its first message */
};

struct sioc__node_sock {
    uint8_t used, n_acks;
    uint16_t ns;
    uint32_t id_len;
    char id[SIOC_NODE_NAME_MAX + 1];
    sioc_bytes handshake, data; /* borrowed */
    void *user;
    uint64_t conn, issued_ms;
    uint32_t m_first, m_last, n_rooms; /* its memberships in join order */
    uint64_t acks[SIOC_NODE_SOCKET_ACKS]; /* ack ids of ack broadcasts it may still answer */
};

struct sioc__node_room {
    uint8_t used;
    uint16_t ns;
    uint32_t len;
    char name[SIOC_NODE_NAME_MAX + 1];
    uint32_t head, tail, count; /* members in join order */
    uint32_t sel_gen, sel_idx;  /* materialised for the current selection */
    uint32_t next_free;
};

/* One socket in one room, linked both ways: per room (join order, for selection) and per socket (join order,
   for fetchSockets' rooms and for removal). */
struct sioc__node_mship {
    uint32_t room, sock;
    uint32_t rnext, rprev, snext, sprev;
};

#if SIOC_ENABLE_REQUESTS /* built without requests the node keeps no request table (SIOC_ENABLE_REQUESTS 0) */
#define SIOC__REQ_EXPECTED 1u
#define SIOC__REQ_ANSWERED 2u
#define SIOC__REQ_GONE 3u

struct sioc__node_req {
    uint32_t handle; /* 0: free */
    uint8_t kind;    /* sioc_node_request_kind */
    uint16_t ns;
    char id[17];
    uint64_t deadline;
    void *user;
    uint32_t n_uids;  /* responders known (hash + state) */
    uint64_t missing; /* fetch / serverSideEmit: expected responders that have not answered */
    uint64_t expected_servers, servers, expected_acks, acks; /* ack broadcast (§6.3) */
    uint64_t *hash;
    uint8_t *state;
};
#endif

#define SIOC__ACK_CLIENT 1u /* a remote ack broadcast delivered here: client acks go back as type 12 */
#define SIOC__ACK_LOCAL 2u  /* our own ack broadcast: client acks become events */
#define SIOC__ACK_SSE 3u    /* a remote serverSideEmit with ack: the application owes the answer (type 10) */

struct sioc__node_ack {
    uint32_t handle; /* 0: free */
    uint8_t kind;
    uint16_t ns;
    uint64_t ack_id;
#if SIOC_ENABLE_REQUESTS
    uint32_t req; /* SIOC__ACK_LOCAL: our request */
#endif
    uint64_t expires;
    uint64_t remaining; /* sockets that may still ack */
    uint32_t req_len, id_len;
    char requester[SIOC_NODE_ID_MAX + 1];
    char request_id[SIOC_NODE_ID_MAX + 1];
};

/* Record headers in the two byte queues (copied in and out with memcpy; records start 8-aligned). */
typedef struct sioc__node_orec {
    uint32_t size; /* whole record, padded */
    uint16_t type, ns;
    uint32_t req_len; /* requester uid bytes after the header */
    uint32_t body_len, data_off, data_len, has_data;
} sioc__node_orec;

typedef struct sioc__node_erec {
    uint32_t size;
    uint16_t type, ns;
    int32_t result, msg_type;
#if SIOC_ENABLE_REQUESTS /* what only events about our own requests carry */
    int32_t request_kind;
    uint32_t request;
#endif
    uint32_t ack;
#if SIOC_ENABLE_REQUESTS
    void *user;
#endif
    const char *field;
#if SIOC_ENABLE_REQUESTS
    uint64_t client_count, missing;
#endif
    uint64_t conn;
    int64_t ack_id;
    uint32_t n_targets, n_att, n_sockets;
    uint8_t close, is_volatile, compress, has_packet;
    uint32_t uid_off, uid_len, text_off, text_len, pk_off, pk_len, tgt_off, att_off;
} sioc__node_erec;

typedef struct sioc__node_trec {
    void *user;
    uint64_t conn;
    uint32_t id_off, id_len;
} sioc__node_trec;

#define SIOC__ALIGN8(x) (((x) + 7u) & ~(size_t)7u)

/* The 64-bit public counters: inlined, each increment is a load/add/adc/store pair on 32-bit. */
static SIOC__OUTLINE void sioc__node_count(uint64_t *c) { ++*c; }

/* A deadline: a + b, saturating. */
static SIOC__OUTLINE uint64_t sioc__node_add(uint64_t a, uint64_t b) {
    return a > UINT64_MAX - b ? UINT64_MAX : a + b;
}

/* A name the application gives (namespace, socket id, room): at most SIOC_NODE_NAME_MAX bytes of UTF-8, as the
   msgpack decoders of our peers require (a JS string cannot hold anything else). */
static int sioc__node_name_ok(sioc_str s) {
    uint8_t tmp[2 + SIOC_NODE_NAME_MAX];
    if (s.len > SIOC_NODE_NAME_MAX || (s.len && !s.ptr)) return 0;
    tmp[0] = (uint8_t)0xd9; /* str8: validated by the msgpack checker */
    tmp[1] = (uint8_t)s.len;
    if (s.len) memcpy(tmp + 2, s.ptr, s.len);
    return sioc_msgpack_check(tmp, s.len + 2) == SIOC_OK;
}

/* ---- logging ---- */

#if SIOC_ENABLE_LOG
#define SIOC__NODE_LOG(n, lv, what, detail, r) sioc__node_log(n, lv, what, detail, r)
static void sioc__node_log(const sioc_node *n, sioc_log_level lv, const char *what, sioc_str detail, sioc_result r) {
    char line[192];
    sioc_buf b;
    if (!n->p_desc.logger.fn || lv > n->p_desc.logger.max_level) return;
    sioc_buf_init(&b, line, sizeof line - 1);
    sioc_buf_puts(&b, "node ");
    sioc_buf_put(&b, n->uid, n->uid_len);
    sioc_buf_puts(&b, ": ");
    sioc_buf_puts(&b, what);
    if (detail.len) {
        sioc_buf_putc(&b, ' ');
        sioc_buf_put(&b, detail.ptr, SIOC__MIN(detail.len, (size_t)64));
    }
    if (r != SIOC_OK) {
        sioc_buf_puts(&b, ": ");
        sioc_buf_puts(&b, sioc_strerror(r));
    }
    line[SIOC__MIN(b.len, sizeof line - 1)] = 0;
    n->p_desc.logger.fn(n->p_desc.logger.user, lv, line);
}
#else /* nothing evaluated: the detail's helpers (type names, string views) would stay linked */
#define SIOC__NODE_LOG(n, lv, what, detail, r) ((void)0)
#endif

/* ---- hashing and the two name indexes (open addressing, linear probing, backward-shift deletion) ---- */

static uint32_t sioc__node_hash32(uint32_t ns, const char *s, size_t len) {
    uint32_t h = 2166136261u ^ (ns * 16777619u);
    size_t i;
    for (i = 0; i < len; i++) h = (h ^ (uint8_t)s[i]) * 16777619u;
    return h ^ (h >> 15);
}

static SIOC__OUTLINE uint64_t sioc__node_hash64(const char *s, size_t len) {
    return sioc__fnv1a64(SIOC__FNV64_BASIS, s, len);
}

#define SIOC__IDX_ROOM 0
#define SIOC__IDX_SOCK 1

static uint32_t *sioc__node_idx(const sioc_node *n, int kind, uint32_t *mask) {
    *mask = kind == SIOC__IDX_ROOM ? n->p_room_mask : n->p_sock_mask;
    return kind == SIOC__IDX_ROOM ? n->p_room_index : n->p_sock_index;
}

static uint32_t sioc__node_key_hash(const sioc_node *n, int kind, uint32_t slot) {
    if (kind == SIOC__IDX_ROOM) return sioc__node_hash32(n->p_rooms[slot].ns, n->p_rooms[slot].name, n->p_rooms[slot].len);
    return sioc__node_hash32(n->p_socks[slot].ns, n->p_socks[slot].id, n->p_socks[slot].id_len);
}

static int sioc__node_key_eq(const sioc_node *n, int kind, uint32_t slot, uint32_t ns, sioc_str name) {
    if (kind == SIOC__IDX_ROOM) {
        const struct sioc__node_room *r = &n->p_rooms[slot];
        return r->ns == ns && r->len == name.len && (name.len == 0 || memcmp(r->name, name.ptr, name.len) == 0);
    } else {
        const struct sioc__node_sock *s = &n->p_socks[slot];
        return s->ns == ns && s->id_len == name.len && (name.len == 0 || memcmp(s->id, name.ptr, name.len) == 0);
    }
}

static uint32_t sioc__node_idx_find(const sioc_node *n, int kind, uint32_t ns, sioc_str name) {
    uint32_t mask, *t = sioc__node_idx(n, kind, &mask), h;
    if (name.len > SIOC_NODE_NAME_MAX) return SIOC__NIL;
    h = sioc__node_hash32(ns, name.ptr, name.len) & mask;
    while (t[h]) {
        if (sioc__node_key_eq(n, kind, t[h] - 1, ns, name)) return t[h] - 1;
        h = (h + 1) & mask;
    }
    return SIOC__NIL;
}

static void sioc__node_idx_insert(sioc_node *n, int kind, uint32_t slot) {
    uint32_t mask, *t = sioc__node_idx(n, kind, &mask), h = sioc__node_key_hash(n, kind, slot) & mask;
    while (t[h]) h = (h + 1) & mask;
    t[h] = slot + 1;
}

static void sioc__node_idx_remove(sioc_node *n, int kind, uint32_t slot) {
    uint32_t mask, *t = sioc__node_idx(n, kind, &mask), i = sioc__node_key_hash(n, kind, slot) & mask, j;
    while (t[i] && t[i] != slot + 1) i = (i + 1) & mask;
    if (!t[i]) return;
    j = i;
    for (;;) { /* move later entries of the cluster back so no lookup chain is broken */
        uint32_t k;
        j = (j + 1) & mask;
        if (!t[j]) break;
        k = sioc__node_key_hash(n, kind, t[j] - 1) & mask;
        if ((j > i && (k <= i || k > j)) || (j < i && (k <= i && k > j))) {
            t[i] = t[j];
            i = j;
        }
    }
    t[i] = 0;
}

/* ---- desc and memory ---- */

/* The defaults of the sixteen uint32_t settings from heartbeat_interval_ms to max_message_size, in that order:
   base + per_socket * max_sockets (resolved before the settings that scale with it). */
typedef char sioc__node_desc_run[offsetof(sioc_node_desc, max_message_size) -
                                         offsetof(sioc_node_desc, heartbeat_interval_ms) ==
                                     15 * sizeof(uint32_t)
                                 ? 1
                                 : -1];
/* The place of a setting in that run. An emitter's receive-side run (max_sockets .. ack_scratch_size) is 0. */
#define SIOC__NODE_RUN(f) ((offsetof(sioc_node_desc, f) - offsetof(sioc_node_desc, heartbeat_interval_ms)) / 4u)

SIOC_API sioc_node_desc sioc_node_desc_resolved(const sioc_node_desc *desc) {
    static const uint32_t base[16] = {5000, 10000, 5000, 8, 256, 64, 64, 32, 32, 64, SIOC_SIO_MAX_ATTACHMENTS, 256,
                                      16384, 278528, 2 * 278528, 262144};
    /* a DELIVER of the largest packet: the packet and its frames, + about 40 bytes per target socket */
    static const uint8_t per_socket[16] = {0, 0, 0, 0, 0, 2, 4, 0, 0, 0, 0, 0, 0, 0, 64, 0};
    sioc_node_desc d;
    uint8_t *f;
    unsigned i;
    if (desc)
        d = *desc;
    else
        memset(&d, 0, sizeof d);
    f = (uint8_t *)&d + offsetof(sioc_node_desc, heartbeat_interval_ms);
    for (i = 0; i < 16; i++, f += sizeof(uint32_t)) {
        uint32_t v;
        memcpy(&v, f, sizeof v);
        if (d.emitter_only && i >= SIOC__NODE_RUN(max_sockets) && i <= SIOC__NODE_RUN(ack_scratch_size))
            v = 0; /* no sockets, peers, requests or acks: no tables, loops over them run 0 times */
        else if (!v) /* an emitter's events are errors only: no DELIVER to hold */
            v = d.emitter_only && i == SIOC__NODE_RUN(event_queue_size) ? SIOC_NODE_EMITTER_EVENTS
                                                                        : base[i] + per_socket[i] * d.max_sockets;
        memcpy(f, &v, sizeof v);
    }
    return d;
}

/* Carve the block: each array 16-aligned. With mem NULL only the size is computed. */
enum {
    SIOC__L_NS, SIOC__L_PEERS, SIOC__L_SOCKS, SIOC__L_MEMBER, SIOC__L_ROOMS, SIOC__L_MSHIPS, SIOC__L_ROOM_IDX,
    SIOC__L_SOCK_IDX,
#if SIOC_ENABLE_REQUESTS
    SIOC__L_REQS, SIOC__L_REQ_HASH, SIOC__L_REQ_STATE,
#endif
    SIOC__L_ACKS, SIOC__L_SEL_ROOMS,
    SIOC__L_SEL_MEMBERS, SIOC__L_SEL_OUT, SIOC__L_SEL_SCRATCH, SIOC__L_ATT, SIOC__L_TOKS, SIOC__L_SCRATCH,
    SIOC__L_OUT, SIOC__L_EV, SIOC__L_COUNT
};

typedef struct sioc__node_layout {
    size_t off[SIOC__L_COUNT], total;
    uint32_t room_mask, sock_mask, req_cap;
} sioc__node_layout;

static uint32_t sioc__node_pow2(uint32_t v) {
    uint32_t p = 16;
    while (p < v && p < 0x80000000u) p <<= 1;
    return p;
}

/* Each array holds a * b items of `unit` bytes; a and b name a count: below SIOC__LC_DESC one of the derived
   counts, else the offset of a uint32_t field of sioc_node_desc. */
#define SIOC__LC_ONE 0
#define SIOC__LC_ROOM_IDX 1
#define SIOC__LC_SOCK_IDX 2
#define SIOC__LC_REQ_CAP 3
#define SIOC__LC_DESC 4
#define SIOC__LD(f) (uint8_t) offsetof(sioc_node_desc, f)
typedef struct sioc__node_array {
    uint8_t a, b;
    uint16_t unit;
} sioc__node_array;
/* The units fit 16 bits for any SIOC_NODE_NAME_MAX (<= 255: names travel as str8), SIOC_NODE_ID_MAX and
   SIOC_NODE_SOCKET_ACKS a device would set. */
typedef char sioc__node_units_fit[sizeof(struct sioc__node_sock) < 65536 && sizeof(struct sioc__node_ack) < 65536 &&
                                          sizeof(struct sioc__node_peer) < 65536 &&
                                          offsetof(sioc_node_desc, max_message_size) < 256
                                      ? 1
                                      : -1];

static int sioc__node_plan(const sioc_node_desc *d, sioc__node_layout *L) {
    static const sioc__node_array arrays[SIOC__L_COUNT] = {
        {SIOC__LC_ONE, SIOC__LD(max_namespaces), sizeof(struct sioc__node_ns)},
        {SIOC__LD(max_namespaces), SIOC__LD(max_peers), sizeof(struct sioc__node_peer)},
        {SIOC__LC_ONE, SIOC__LD(max_sockets), sizeof(struct sioc__node_sock)},
        {SIOC__LD(max_namespaces), SIOC__LD(max_sockets), 1},
        {SIOC__LC_ONE, SIOC__LD(max_rooms), sizeof(struct sioc__node_room)},
        {SIOC__LC_ONE, SIOC__LD(max_memberships), sizeof(struct sioc__node_mship)},
        {SIOC__LC_ONE, SIOC__LC_ROOM_IDX, sizeof(uint32_t)},
        {SIOC__LC_ONE, SIOC__LC_SOCK_IDX, sizeof(uint32_t)},
#if SIOC_ENABLE_REQUESTS
        {SIOC__LC_ONE, SIOC__LD(max_requests), sizeof(struct sioc__node_req)},
        {SIOC__LD(max_requests), SIOC__LC_REQ_CAP, sizeof(uint64_t)},
        {SIOC__LD(max_requests), SIOC__LC_REQ_CAP, 1},
#endif
        {SIOC__LC_ONE, SIOC__LD(max_acks), sizeof(struct sioc__node_ack)},
        {SIOC__LC_ONE, SIOC__LD(max_rooms), sizeof(sioc_select_room)},
        {SIOC__LC_ONE, SIOC__LD(max_memberships), sizeof(uint32_t)},
        {SIOC__LC_ONE, SIOC__LD(max_sockets), sizeof(uint32_t)},
        {SIOC__LC_ONE, SIOC__LD(max_sockets), 1},
        {SIOC__LC_ONE, SIOC__LD(max_attachments), sizeof(sioc_bytes)},
        {SIOC__LC_ONE, SIOC__LD(max_ack_tokens), sizeof(sioc_json_tok)},
        {SIOC__LC_ONE, SIOC__LD(ack_scratch_size), 1},
        {SIOC__LC_ONE, SIOC__LD(out_queue_size), 1},
        {SIOC__LC_ONE, SIOC__LD(event_queue_size), 1}};
    uint32_t derived[SIOC__LC_DESC];
    uint64_t off = 0; /* 64-bit: with the bounds below nothing wraps, and the total is checked against size_t */
    unsigned i, k;
    /* Keep every count far from overflow on 32-bit targets; these are tables, not buffers. */
    if (d->max_namespaces > 0xfff0u || d->max_sockets > 0x100000u || d->max_rooms > 0x400000u ||
        d->max_memberships > 0x1000000u || d->max_peers > 0x1000u || d->max_requests > 0x1000u ||
        d->max_acks > 0x100000u || d->max_attachments > 0x10000u || d->max_ack_tokens > 0x100000u)
        return 0;
    if (d->max_rooms < d->max_sockets || d->max_memberships < d->max_sockets) return 0;
    L->room_mask = sioc__node_pow2(2 * d->max_rooms) - 1;
    L->sock_mask = sioc__node_pow2(2 * d->max_sockets) - 1;
    L->req_cap = d->max_peers + 8;
    derived[SIOC__LC_ONE] = 1;
    derived[SIOC__LC_ROOM_IDX] = L->room_mask + 1;
    derived[SIOC__LC_SOCK_IDX] = L->sock_mask + 1;
    derived[SIOC__LC_REQ_CAP] = L->req_cap;
    for (i = 0; i < SIOC__L_COUNT; i++) {
        uint64_t bytes = arrays[i].unit;
        for (k = 0; k < 2; k++) {
            unsigned c = k ? arrays[i].b : arrays[i].a;
            uint32_t v;
            if (c < SIOC__LC_DESC)
                v = derived[c];
            else
                memcpy(&v, (const char *)d + c, sizeof v);
            bytes *= v;
        }
        L->off[i] = (size_t)off;
        off += (bytes + 15u) & ~(uint64_t)15u;
    }
    if (off > (uint64_t)(SIZE_MAX / 2)) return 0;
    L->total = (size_t)off;
    return 1;
}
#undef SIOC__LD

SIOC_API size_t sioc_node_heap_size(const sioc_node_desc *desc) {
    sioc_node_desc d = sioc_node_desc_resolved(desc);
    sioc__node_layout L;
    return sioc__node_plan(&d, &L) ? L.total : 0;
}

static sioc_result sioc__node_random_hex(sioc_node *n, char *out /* 17 bytes */) {
    uint8_t b[8];
    sioc_result r;
    if (!n->p_desc.random) return SIOC_ERR_DEPENDENCY;
    r = n->p_desc.random(n->p_desc.user, b, sizeof b);
    if (r != SIOC_OK) return r;
    return sioc_hex_encode(b, sizeof b, out, 17);
}

static uint32_t sioc__node_ns_create(sioc_node *n, sioc_str name, uint64_t now);

static sioc_result sioc__node_setup(sioc_node *n, const sioc_node_desc *desc, void *mem, int owns) {
    sioc_node_desc d = sioc_node_desc_resolved(desc);
    sioc__node_layout L;
    uint8_t *m;
    uint32_t i;
    sioc_result r;
    memset(n, 0, sizeof *n);
    n->p_desc = d;
    if (!sioc__node_plan(&d, &L) || d.heartbeat_interval_ms >= d.heartbeat_timeout_ms) {
        if (owns) sioc__free(&d.allocator, mem, L.total);
        return SIOC_ERR_ARG;
    }
    n->p_mem = mem;
    n->p_mem_size = L.total;
    n->p_owns_mem = owns;
    m = (uint8_t *)mem;
    memset(m, 0, L.off[SIOC__L_OUT]); /* the tables; the two queues (at the end) need no clearing */
    n->p_ns = (struct sioc__node_ns *)(void *)(m + L.off[SIOC__L_NS]);
    n->p_peers = (struct sioc__node_peer *)(void *)(m + L.off[SIOC__L_PEERS]);
    n->p_socks = (struct sioc__node_sock *)(void *)(m + L.off[SIOC__L_SOCKS]);
    n->p_member = m + L.off[SIOC__L_MEMBER];
    n->p_rooms = (struct sioc__node_room *)(void *)(m + L.off[SIOC__L_ROOMS]);
    n->p_mships = (struct sioc__node_mship *)(void *)(m + L.off[SIOC__L_MSHIPS]);
    n->p_room_index = (uint32_t *)(void *)(m + L.off[SIOC__L_ROOM_IDX]);
    n->p_sock_index = (uint32_t *)(void *)(m + L.off[SIOC__L_SOCK_IDX]);
    n->p_room_mask = L.room_mask;
    n->p_sock_mask = L.sock_mask;
#if SIOC_ENABLE_REQUESTS
    n->p_reqs = (struct sioc__node_req *)(void *)(m + L.off[SIOC__L_REQS]);
    n->p_req_hash = (uint64_t *)(void *)(m + L.off[SIOC__L_REQ_HASH]);
    n->p_req_state = m + L.off[SIOC__L_REQ_STATE];
    n->p_req_cap = L.req_cap;
#endif
    n->p_acks = (struct sioc__node_ack *)(void *)(m + L.off[SIOC__L_ACKS]);
    n->p_sel_rooms = (sioc_select_room *)(void *)(m + L.off[SIOC__L_SEL_ROOMS]);
    n->p_sel_members = (uint32_t *)(void *)(m + L.off[SIOC__L_SEL_MEMBERS]);
    n->p_sel_out = (uint32_t *)(void *)(m + L.off[SIOC__L_SEL_OUT]);
    n->p_sel_scratch = m + L.off[SIOC__L_SEL_SCRATCH];
    n->p_att = (sioc_bytes *)(void *)(m + L.off[SIOC__L_ATT]);
    n->p_toks = (sioc_json_tok *)(void *)(m + L.off[SIOC__L_TOKS]);
    n->p_scratch = m + L.off[SIOC__L_SCRATCH];
    sioc_bq_init(&n->p_out, m + L.off[SIOC__L_OUT], d.out_queue_size);
    sioc_bq_init(&n->p_ev, m + L.off[SIOC__L_EV], d.event_queue_size);
    for (i = 0; i < d.max_namespaces; i++) {
        n->p_ns[i].peers = n->p_peers + (size_t)i * d.max_peers;
        n->p_ns[i].member = n->p_member + (size_t)i * d.max_sockets;
    }
    /* an emitter has no requests, rooms or memberships: their tables stay zero */
#if SIOC_ENABLE_REQUESTS
    for (i = 0; i < d.max_requests && !SIOC__NODE_EMITTER(n); i++) {
        n->p_reqs[i].hash = n->p_req_hash + (size_t)i * L.req_cap;
        n->p_reqs[i].state = n->p_req_state + (size_t)i * L.req_cap;
    }
#endif
    for (i = 0; i < d.max_rooms && !SIOC__NODE_EMITTER(n); i++)
        n->p_rooms[i].next_free = i + 1 < d.max_rooms ? i + 1 : SIOC__NIL;
    for (i = 0; i < d.max_memberships && !SIOC__NODE_EMITTER(n); i++)
        n->p_mships[i].rnext = i + 1 < d.max_memberships ? i + 1 : SIOC__NIL;
    n->p_room_free = 0;
    n->p_mship_free = 0;
    n->p_sel_gen = 1;
    if (d.emitter_only) {
        memcpy(n->uid, SIOC_NODE_EMITTER_UID, sizeof SIOC_NODE_EMITTER_UID);
        n->uid_len = sizeof SIOC_NODE_EMITTER_UID - 1;
    } else {
        r = sioc__node_random_hex(n, n->uid);
        if (r != SIOC_OK) {
            sioc_node_free(n);
            return r;
        }
        n->uid_len = 16;
    }
    n->state = SIOC_NODE_STARTING;
    (void)sioc__node_ns_create(n, sioc_str_n("/", 1), 0); /* every server has the main namespace */
    return SIOC_OK;
}

SIOC_API sioc_result sioc_node_init(sioc_node *n, const sioc_node_desc *desc) {
    sioc_node_desc d = sioc_node_desc_resolved(desc);
    size_t size = sioc_node_heap_size(&d);
    void *mem;
    memset(n, 0, sizeof *n);
    if (!SIOC_ENABLE_RECEIVE && !d.emitter_only) return SIOC_ERR_UNSUPPORTED; /* a receiving node is not built in */
    if (!d.random && !d.emitter_only) return SIOC_ERR_DEPENDENCY;
#if !SIOC_ENABLE_LIBC_MALLOC
    if (!d.allocator.alloc) return SIOC_ERR_DEPENDENCY;
#endif
    if (size == 0 || d.heartbeat_interval_ms >= d.heartbeat_timeout_ms) return SIOC_ERR_ARG;
    mem = sioc__alloc(&d.allocator, size);
    if (!mem) return SIOC_ERR_NOMEM;
    return sioc__node_setup(n, &d, mem, 1);
}

SIOC_API sioc_result sioc_node_init_preallocated(sioc_node *n, const sioc_node_desc *desc, void *mem) {
    sioc_node_desc d = sioc_node_desc_resolved(desc);
    memset(n, 0, sizeof *n);
    if (!SIOC_ENABLE_RECEIVE && !d.emitter_only) return SIOC_ERR_UNSUPPORTED;
    if (!d.random && !d.emitter_only) return SIOC_ERR_DEPENDENCY;
    if (!mem || sioc_node_heap_size(&d) == 0) return SIOC_ERR_ARG;
    return sioc__node_setup(n, &d, mem, 0);
}

SIOC_API void sioc_node_free(sioc_node *n) {
    if (n->p_owns_mem && n->p_mem) sioc__free(&n->p_desc.allocator, n->p_mem, n->p_mem_size);
    n->p_mem = NULL;
    n->p_owns_mem = 0;
    n->state = SIOC_NODE_CLOSED;
    n->p_n_ns = 0;
    n->p_sock_hwm = n->p_sock_live = 0;
    n->p_out_count = 0;
    sioc_bq_init(&n->p_out, NULL, 0);
    sioc_bq_init(&n->p_ev, NULL, 0);
}

/* ---- queues ---- */

/* Contiguous free space at the tail of q, compacting first when that gives at least `want` bytes. */
static uint8_t *sioc__node_q_room(sioc_bq *q, size_t want, size_t *room) {
    if (q->cap - q->tail < want && q->head > 0) {
        memmove(q->buf, q->buf + q->head, q->tail - q->head);
        q->tail -= q->head;
        q->head = 0;
    }
    *room = q->cap - q->tail;
    return q->buf + q->tail;
}

/* Event writer: appends parts to a region, counting what did not fit (len > cap means "too small"). */
typedef struct sioc__evw {
    uint8_t *p;
    size_t cap, len;
} sioc__evw;

static uint32_t sioc__evw_put(sioc__evw *w, const void *src, size_t n) {
    size_t off = w->len;
    if (n && off <= w->cap && n <= w->cap - off) {
        if (src)
            memcpy(w->p + off, src, n);
        else
            memset(w->p + off, 0, n); /* reserved, filled in later */
    }
    w->len += n;
    return (uint32_t)off;
}

static void sioc__evw_set(sioc__evw *w, size_t off, const void *src, size_t n) {
    if (off <= w->cap && n <= w->cap - off) memcpy(w->p + off, src, n);
}

/* A sioc_buf over the rest of the writer's region. */
static void sioc__evw_buf(sioc__evw *w, sioc_buf *b) {
    if (w->len < w->cap)
        sioc_buf_init(b, w->p + w->len, w->cap - w->len);
    else
        sioc_buf_init(b, NULL, 0);
}

typedef sioc_result (*sioc__node_fill_fn)(sioc_node *n, sioc__evw *w, sioc__node_erec *h, const void *ctx);

/* Queue one event: `fill` appends the variable parts after the header (and may be run twice, the second time
   after compaction). SIOC_OK, the fill's own error, or SIOC_ERR_BUFFER_TOO_SMALL (counted, event lost). */
static sioc_result sioc__node_emit_fill(sioc_node *n, const sioc__node_erec *proto, sioc__node_fill_fn fill,
                                        const void *ctx) {
    int attempt;
    size_t hdr = SIOC__ALIGN8(sizeof(sioc__node_erec));
    if (!n->p_ev.buf) return SIOC_ERR_STATE;
    for (attempt = 0; attempt < 2; attempt++) {
        sioc__evw w;
        sioc__node_erec h = *proto;
        sioc_result r = SIOC_OK;
        w.p = sioc__node_q_room(&n->p_ev, attempt ? (size_t)-1 : 0, &w.cap);
        w.len = hdr;
        if (fill) r = fill(n, &w, &h, ctx);
        if (r != SIOC_OK) return r;
        w.len = SIOC__ALIGN8(w.len);
        if (w.len <= w.cap) {
            h.size = (uint32_t)w.len;
            memcpy(w.p, &h, sizeof h);
            sioc_bq_commit(&n->p_ev, w.len);
            return SIOC_OK;
        }
        if (n->p_ev.head == 0 || w.len > n->p_ev.cap - (n->p_ev.tail - n->p_ev.head)) break;
    }
    sioc__node_count(&n->counters.events_dropped);
    SIOC__NODE_LOG(n, SIOC_LOG_WARN, "event queue full, event dropped", sioc_str_c(sioc_node_event_name(proto->type)),
                   SIOC_ERR_BUFFER_TOO_SMALL);
    return SIOC_ERR_BUFFER_TOO_SMALL;
}

typedef struct sioc__node_simple {
    sioc_str uid;
    sioc_bytes pk;
} sioc__node_simple;

static sioc_result sioc__node_fill_simple(sioc_node *n, sioc__evw *w, sioc__node_erec *h, const void *ctx) {
    const sioc__node_simple *s = (const sioc__node_simple *)ctx;
    (void)n;
    h->uid_len = (uint32_t)s->uid.len;
    h->uid_off = sioc__evw_put(w, s->uid.ptr, s->uid.len);
    h->pk_len = (uint32_t)s->pk.len;
    h->pk_off = sioc__evw_put(w, s->pk.ptr, s->pk.len);
    return SIOC_OK;
}

static void sioc__node_erec_init(sioc__node_erec *h, int type, uint32_t ns) {
    memset(h, 0, sizeof *h);
    h->type = (uint16_t)type;
    h->ns = (uint16_t)(ns == SIOC__NIL ? SIOC__NS_NONE : ns);
    h->ack_id = -1;
}

/* An event with the peer uid and the packet (each NULL: none); pointers keep the many call sites short. */
static void sioc__node_emit(sioc_node *n, const sioc__node_erec *h, const sioc_str *uid, const sioc_bytes *pk) {
    sioc__node_simple s;
    memset(&s, 0, sizeof s);
    if (uid) s.uid = *uid;
    if (pk) s.pk = *pk;
    (void)sioc__node_emit_fill(n, h, sioc__node_fill_simple, &s);
}

static void sioc__node_error(sioc_node *n, uint32_t ns, sioc_result r, int msg_type, const char *field,
                             const sioc_str *uid /* NULL: none */) {
    sioc__node_erec h;
    sioc__node_erec_init(&h, SIOC_NODE_EV_ERROR, ns);
    h.result = r;
    h.msg_type = msg_type;
    h.field = field;
    sioc__node_emit(n, &h, uid, NULL);
}

SIOC_API const char *sioc_node_event_name(int type) {
    /* rows, not pointers: the words live in the table's own section, which gc-sections drops with it (literals
       share a pool that stays whole while any live code uses one of them) */
    static const char names[][17] = {"NONE",          "READY",        "NOT_READY",       "CLOSED",
                                        "PEER_UP",       "PEER_DOWN",    "DELIVER",         "DISCONNECT",
                                        "SERVER_SIDE_EMIT", "FETCH_SOCKETS", "SSE_RESPONSE", "CLIENT_COUNT",
                                        "BROADCAST_ACK", "REQUEST_DONE", "ERROR"};
    return (type >= 0 && (size_t)type < SIOC__COUNT(names)) ? names[type] : "UNKNOWN";
}

SIOC_API sioc_result sioc_node_next_event(sioc_node *n, sioc_node_event *ev) {
    sioc__node_erec h;
    const uint8_t *p;
    size_t avail;
    memset(ev, 0, sizeof *ev);
    if (!n->p_ev.buf) return SIOC_AGAIN;
    p = sioc_bq_peek(&n->p_ev, &avail);
    if (avail < sizeof h) return SIOC_AGAIN;
    memcpy(&h, p, sizeof h);
    ev->type = (sioc_node_event_type)h.type;
    if (h.ns != SIOC__NS_NONE && h.ns < n->p_n_ns)
        ev->nsp = sioc_str_n(n->p_ns[h.ns].name, n->p_ns[h.ns].len);
    else
        ev->nsp = sioc_str_n("", 0);
    ev->uid = sioc_str_n((const char *)p + h.uid_off, h.uid_len);
    ev->result = (sioc_result)h.result;
#if SIOC_ENABLE_REQUESTS
    ev->request = h.request;
    ev->request_kind = h.request_kind;
    ev->user = h.user;
#endif
    ev->text = sioc_str_n((const char *)p + h.text_off, h.text_len);
    ev->n_attachments = h.n_att;
    ev->n_targets = h.n_targets;
    ev->ack_id = h.ack_id;
    ev->is_volatile = h.is_volatile;
    ev->compress = h.compress;
    ev->close = h.close;
    ev->has_packet = h.has_packet;
    ev->packet = sioc_bytes_n(h.pk_len || h.has_packet ? p + h.pk_off : NULL, h.pk_len);
    if (SIOC_ENABLE_REQUESTS && h.type == SIOC_NODE_EV_FETCH_SOCKETS) {
        ev->sockets.data = p + h.pk_off;
        ev->sockets.len = h.pk_len;
        ev->sockets.count = h.n_sockets;
        ev->packet = sioc_bytes_n(NULL, 0);
    }
#if SIOC_ENABLE_REQUESTS
    ev->client_count = h.client_count;
#endif
    ev->ack = h.ack;
#if SIOC_ENABLE_REQUESTS
    ev->missing = h.missing;
#endif
    ev->msg_type = h.msg_type;
    ev->field = h.field;
    ev->p_rec = p;
    sioc_bq_consume(&n->p_ev, h.size);
    return SIOC_OK;
}

SIOC_API sioc_node_target sioc_node_event_target(const sioc_node_event *ev, size_t i) {
    sioc_node_target t;
    sioc__node_erec h;
    sioc__node_trec r;
    memset(&t, 0, sizeof t);
    t.id = sioc_str_n("", 0);
    if (!ev->p_rec || i >= ev->n_targets) return t;
    memcpy(&h, ev->p_rec, sizeof h);
    memcpy(&r, ev->p_rec + h.tgt_off + i * sizeof r, sizeof r);
    t.id = sioc_str_n((const char *)ev->p_rec + r.id_off, r.id_len);
    t.user = r.user;
    t.conn = r.conn;
    return t;
}

SIOC_API sioc_bytes sioc_node_event_attachment(const sioc_node_event *ev, size_t i) {
    sioc__node_erec h;
    uint32_t e[2];
    if (!ev->p_rec || i >= ev->n_attachments) return sioc_bytes_n(NULL, 0);
    memcpy(&h, ev->p_rec, sizeof h);
    memcpy(e, ev->p_rec + h.att_off + i * sizeof e, sizeof e);
    return sioc_bytes_n(ev->p_rec + e[0], e[1]);
}

/* ---- namespaces ---- */

static uint32_t sioc__node_ns_find(const sioc_node *n, sioc_str name) {
    uint32_t i;
    for (i = 0; i < n->p_n_ns; i++)
        if (n->p_ns[i].len == name.len && memcmp(n->p_ns[i].name, name.ptr, name.len) == 0) return i;
    return SIOC__NIL;
}

static SIOC__OUTLINE int sioc__node_valid_nsp(sioc_str name) {
    return name.ptr && name.len >= 1 && name.ptr[0] == '/' && sioc__node_name_ok(name);
}

typedef struct sioc__node_pub {
    int type;
    const sioc_msg_opts_desc *opts;
    sioc_bytes packet;          /* 3: packet.data; 9: [event, args]; 10, 12: the value (ptr NULL: nil) */
    const sioc_str *request_id; /* NULL: none */
    const sioc_str *rooms;
    size_t n_rooms;
    int close;
    uint64_t client_count;
    const uint32_t *socks; /* 8: socket slots */
    size_t n_socks;
    sioc_str requester; /* responses: ptr non-NULL */
    int check;          /* from the application: validate the encoded body before queueing it */
} sioc__node_pub;

static sioc_result sioc__node_publish(sioc_node *n, uint32_t ns, const sioc__node_pub *p, uint64_t now);

static void sioc__node_pub_init(sioc__node_pub *p, int type) {
    memset(p, 0, sizeof *p);
    p->type = type;
}

/* Publish a message without data (1, 2, 13). */
static sioc_result sioc__node_publish_bare(sioc_node *n, uint32_t ns, int type, uint64_t now) {
    sioc__node_pub p;
    sioc__node_pub_init(&p, type);
    return sioc__node_publish(n, ns, &p, now);
}

static uint32_t sioc__node_ns_create(sioc_node *n, sioc_str name, uint64_t now) {
    struct sioc__node_ns *s;
    uint32_t i = sioc__node_ns_find(n, name);
    if (i != SIOC__NIL) return i;
    if (!sioc__node_valid_nsp(name) || n->p_n_ns >= n->p_desc.max_namespaces) return SIOC__NIL;
    i = n->p_n_ns++;
    s = &n->p_ns[i];
    memcpy(s->name, name.ptr, name.len);
    s->name[name.len] = 0;
    s->len = (uint32_t)name.len;
    s->n_peers = s->n_sockets = 0;
    s->next_ack_id = 0;
    s->last_pub = now;
    /* A namespace that starts on a ready node announces itself (§5 rule 4). */
    if (n->state == SIOC_NODE_READY && !SIOC__NODE_EMITTER(n))
        (void)sioc__node_publish_bare(n, i, SIOC_MSG_INITIAL_HEARTBEAT, now);
    return i;
}

static sioc_result sioc__node_api_ns(sioc_node *n, sioc_str nsp, uint64_t now, uint32_t *out) {
    if (n->state >= SIOC_NODE_CLOSING || !n->p_mem) return SIOC_ERR_STATE;
    if (!sioc__node_valid_nsp(nsp)) return SIOC_ERR_ARG;
    *out = sioc__node_ns_create(n, nsp, now);
    return *out == SIOC__NIL ? SIOC_ERR_LIMIT : SIOC_OK;
}

SIOC_API sioc_result sioc_node_nsp_open(sioc_node *n, sioc_str nsp, uint64_t now_ms) {
    uint32_t ns;
    return sioc__node_api_ns(n, nsp, now_ms, &ns);
}

SIOC_API int64_t sioc_node_next_ack_id(sioc_node *n, sioc_str nsp, uint64_t now_ms) {
    uint32_t ns;
    if (sioc__node_api_ns(n, nsp, now_ms, &ns) != SIOC_OK) return -1;
    return (int64_t)(n->p_ns[ns].next_ack_id++ & 0x1fffffffffffffu);
}

/* ---- rooms and memberships ---- */

static uint32_t sioc__node_room_get(sioc_node *n, uint32_t ns, sioc_str name) {
    struct sioc__node_room *r;
    uint32_t i = sioc__node_idx_find(n, SIOC__IDX_ROOM, ns, name);
    if (i != SIOC__NIL) return i;
    if (name.len > SIOC_NODE_NAME_MAX || n->p_room_free == SIOC__NIL) return SIOC__NIL;
    i = n->p_room_free;
    r = &n->p_rooms[i];
    n->p_room_free = r->next_free;
    r->used = 1;
    r->ns = (uint16_t)ns;
    r->len = (uint32_t)name.len;
    if (name.len) memcpy(r->name, name.ptr, name.len);
    r->name[name.len] = 0;
    r->head = r->tail = SIOC__NIL;
    r->count = 0;
    r->sel_gen = 0;
    sioc__node_idx_insert(n, SIOC__IDX_ROOM, i);
    return i;
}

static void sioc__node_room_release(sioc_node *n, uint32_t i) {
    struct sioc__node_room *r = &n->p_rooms[i];
    if (r->count) return;
    sioc__node_idx_remove(n, SIOC__IDX_ROOM, i);
    r->used = 0;
    r->next_free = n->p_room_free;
    n->p_room_free = i;
}

static uint32_t sioc__node_mship_find(const sioc_node *n, uint32_t sock, uint32_t room) {
    uint32_t m;
    for (m = n->p_socks[sock].m_first; m != SIOC__NIL; m = n->p_mships[m].snext)
        if (n->p_mships[m].room == room) return m;
    return SIOC__NIL;
}

/* The socket joins the room (no-op when it is in already). SIOC_ERR_LIMIT when a table is full. */
static sioc_result sioc__node_join(sioc_node *n, uint32_t sock, sioc_str name) {
    struct sioc__node_sock *s = &n->p_socks[sock];
    struct sioc__node_room *r;
    struct sioc__node_mship *m;
    uint32_t ri, mi;
    if (name.len > SIOC_NODE_NAME_MAX) return SIOC_ERR_ARG;
    ri = sioc__node_room_get(n, s->ns, name);
    if (ri == SIOC__NIL) return SIOC_ERR_LIMIT;
    if (sioc__node_mship_find(n, sock, ri) != SIOC__NIL) return SIOC_OK;
    if (n->p_mship_free == SIOC__NIL) {
        sioc__node_room_release(n, ri);
        return SIOC_ERR_LIMIT;
    }
    mi = n->p_mship_free;
    m = &n->p_mships[mi];
    n->p_mship_free = m->rnext;
    r = &n->p_rooms[ri];
    m->room = ri;
    m->sock = sock;
    m->rnext = SIOC__NIL;
    m->rprev = r->tail;
    if (r->tail != SIOC__NIL)
        n->p_mships[r->tail].rnext = mi;
    else
        r->head = mi;
    r->tail = mi;
    r->count++;
    m->snext = SIOC__NIL;
    m->sprev = s->m_last;
    if (s->m_last != SIOC__NIL)
        n->p_mships[s->m_last].snext = mi;
    else
        s->m_first = mi;
    s->m_last = mi;
    s->n_rooms++;
    return SIOC_OK;
}

static void sioc__node_mship_unlink(sioc_node *n, uint32_t mi) {
    struct sioc__node_mship *m = &n->p_mships[mi];
    struct sioc__node_room *r = &n->p_rooms[m->room];
    struct sioc__node_sock *s = &n->p_socks[m->sock];
    if (m->rprev != SIOC__NIL) n->p_mships[m->rprev].rnext = m->rnext; else r->head = m->rnext;
    if (m->rnext != SIOC__NIL) n->p_mships[m->rnext].rprev = m->rprev; else r->tail = m->rprev;
    r->count--;
    if (m->sprev != SIOC__NIL) n->p_mships[m->sprev].snext = m->snext; else s->m_first = m->snext;
    if (m->snext != SIOC__NIL) n->p_mships[m->snext].sprev = m->sprev; else s->m_last = m->sprev;
    s->n_rooms--;
    sioc__node_room_release(n, m->room);
    m->rnext = n->p_mship_free;
    n->p_mship_free = mi;
}

static void sioc__node_leave(sioc_node *n, uint32_t sock, sioc_str name) {
    uint32_t ri = sioc__node_idx_find(n, SIOC__IDX_ROOM, n->p_socks[sock].ns, name), mi;
    if (ri == SIOC__NIL) return;
    mi = sioc__node_mship_find(n, sock, ri);
    if (mi != SIOC__NIL) sioc__node_mship_unlink(n, mi);
}

/* ---- sockets ---- */

static SIOC__OUTLINE uint32_t sioc__node_sock_find(const sioc_node *n, uint32_t ns, sioc_str id) {
    if (ns == SIOC__NIL) return SIOC__NIL;
    return sioc__node_idx_find(n, SIOC__IDX_SOCK, ns, id);
}

/* Slots are handed out in increasing order so that slot order is connection order (what local_select walks
   for "every socket"); holes left by removals are squeezed out when the end is reached. */
static void sioc__node_sock_compact(sioc_node *n) {
    uint32_t i, j = 0, k, m;
    for (i = 0; i < n->p_sock_hwm; i++) {
        if (!n->p_socks[i].used) continue;
        if (i != j) {
            n->p_socks[j] = n->p_socks[i];
            n->p_socks[i].used = 0;
            for (m = n->p_socks[j].m_first; m != SIOC__NIL; m = n->p_mships[m].snext) n->p_mships[m].sock = j;
        }
        j++;
    }
    n->p_sock_hwm = j;
    memset(n->p_sock_index, 0, ((size_t)n->p_sock_mask + 1) * sizeof(uint32_t));
    for (k = 0; k < n->p_n_ns; k++) memset(n->p_ns[k].member, 0, n->p_desc.max_sockets);
    for (i = 0; i < j; i++) {
        sioc__node_idx_insert(n, SIOC__IDX_SOCK, i);
        n->p_ns[n->p_socks[i].ns].member[i] = 1;
    }
}

static struct sioc__node_ack *sioc__node_ack_find(sioc_node *n, uint32_t ns, uint64_t ack_id) {
    uint32_t i;
    for (i = 0; i < n->p_desc.max_acks; i++) {
        struct sioc__node_ack *a = &n->p_acks[i];
        if (a->handle && (a->kind == SIOC__ACK_CLIENT || a->kind == SIOC__ACK_LOCAL) && a->ns == ns &&
            a->ack_id == ack_id)
            return a;
    }
    return NULL;
}

static void sioc__node_ack_free(struct sioc__node_ack *a) { a->handle = 0; }

static void sioc__node_sock_remove(sioc_node *n, uint32_t sock) {
    struct sioc__node_sock *s = &n->p_socks[sock];
    uint32_t k;
    while (s->m_first != SIOC__NIL) sioc__node_mship_unlink(n, s->m_first);
    for (k = 0; k < s->n_acks; k++) { /* this socket will not ack: registrations can end sooner */
        struct sioc__node_ack *a = sioc__node_ack_find(n, s->ns, s->acks[k]);
        if (a && a->remaining && --a->remaining == 0 && a->kind == SIOC__ACK_CLIENT) sioc__node_ack_free(a);
    }
    sioc__node_idx_remove(n, SIOC__IDX_SOCK, sock);
    n->p_ns[s->ns].member[sock] = 0;
    n->p_ns[s->ns].n_sockets--;
    s->used = 0;
    n->p_sock_live--;
    while (n->p_sock_hwm > 0 && !n->p_socks[n->p_sock_hwm - 1].used) n->p_sock_hwm--;
}

static int sioc__node_valid_value(sioc_bytes b) {
    return b.ptr == NULL || sioc_msgpack_check(b.ptr, b.len) == SIOC_OK;
}

SIOC_API sioc_result sioc_node_socket_add(sioc_node *n, sioc_str nsp, sioc_str id, const sioc_node_socket_desc *sd,
                                          uint64_t now_ms) {
    struct sioc__node_sock *s;
    uint32_t ns, slot;
    sioc_result r;
    if (SIOC__NODE_EMITTER(n)) return SIOC_ERR_STATE;
    if (!id.ptr || id.len == 0 || !sioc__node_name_ok(id)) return SIOC_ERR_ARG;
    if (sd && (!sioc__node_valid_value(sd->handshake) || !sioc__node_valid_value(sd->data))) return SIOC_ERR_ARG;
    r = sioc__node_api_ns(n, nsp, now_ms, &ns);
    if (r != SIOC_OK) return r;
    if (sioc__node_sock_find(n, ns, id) != SIOC__NIL) return SIOC_ERR_ARG;
    if (n->p_sock_live >= n->p_desc.max_sockets) return SIOC_ERR_LIMIT;
    if (n->p_sock_hwm >= n->p_desc.max_sockets) sioc__node_sock_compact(n);
    slot = n->p_sock_hwm++;
    s = &n->p_socks[slot];
    memset(s, 0, sizeof *s);
    s->used = 1;
    s->ns = (uint16_t)ns;
    s->id_len = (uint32_t)id.len;
    memcpy(s->id, id.ptr, id.len);
    s->m_first = s->m_last = SIOC__NIL;
    if (sd) {
        s->handshake = sd->handshake;
        s->data = sd->data;
        s->user = sd->user;
        s->conn = sd->conn;
        s->issued_ms = sd->issued_ms;
    }
    sioc__node_idx_insert(n, SIOC__IDX_SOCK, slot);
    n->p_ns[ns].member[slot] = 1;
    n->p_ns[ns].n_sockets++;
    n->p_sock_live++;
    r = sioc__node_join(n, slot, id); /* every socket is in the room named by its id (§4.2) */
    if (r != SIOC_OK) {
        sioc__node_sock_remove(n, slot);
        return r;
    }
    return SIOC_OK;
}

static sioc_result sioc__node_sock_lookup(const sioc_node *n, sioc_str nsp, sioc_str id, uint32_t *out) {
    uint32_t ns = sioc__node_ns_find(n, nsp);
    *out = sioc__node_sock_find(n, ns, id);
    return *out == SIOC__NIL ? SIOC_ERR_NOT_FOUND : SIOC_OK;
}

SIOC_API sioc_result sioc_node_socket_remove(sioc_node *n, sioc_str nsp, sioc_str id) {
    uint32_t s;
    sioc_result r = sioc__node_sock_lookup(n, nsp, id, &s);
    if (r == SIOC_OK) sioc__node_sock_remove(n, s);
    return r;
}

SIOC_API sioc_result sioc_node_socket_join(sioc_node *n, sioc_str nsp, sioc_str id, sioc_str room) {
    uint32_t s;
    sioc_result r = sioc__node_sock_lookup(n, nsp, id, &s);
    if (r != SIOC_OK) return r;
    if (!sioc__node_name_ok(room)) return SIOC_ERR_ARG;
    return sioc__node_join(n, s, room);
}

SIOC_API sioc_result sioc_node_socket_leave(sioc_node *n, sioc_str nsp, sioc_str id, sioc_str room) {
    uint32_t s;
    sioc_result r = sioc__node_sock_lookup(n, nsp, id, &s);
    if (r != SIOC_OK) return r;
    if (!room.ptr && room.len) return SIOC_ERR_ARG;
    sioc__node_leave(n, s, room);
    return SIOC_OK;
}

SIOC_API sioc_result sioc_node_socket_set_data(sioc_node *n, sioc_str nsp, sioc_str id, sioc_bytes data) {
    uint32_t s;
    sioc_result r = sioc__node_sock_lookup(n, nsp, id, &s);
    if (r != SIOC_OK) return r;
    if (!sioc__node_valid_value(data)) return SIOC_ERR_ARG;
    n->p_socks[s].data = data;
    return SIOC_OK;
}

SIOC_API sioc_result sioc_node_socket_rooms(const sioc_node *n, sioc_str nsp, sioc_str id, sioc_str *out, size_t cap,
                                            size_t *out_n) {
    uint32_t s, m;
    size_t k = 0;
    sioc_result r = sioc__node_sock_lookup(n, nsp, id, &s);
    *out_n = 0;
    if (r != SIOC_OK) return r;
    for (m = n->p_socks[s].m_first; m != SIOC__NIL; m = n->p_mships[m].snext, k++) {
        const struct sioc__node_room *rm = &n->p_rooms[n->p_mships[m].room];
        if (k < cap) out[k] = sioc_str_n(rm->name, rm->len);
    }
    *out_n = k;
    return k > cap ? SIOC_ERR_BUFFER_TOO_SMALL : SIOC_OK;
}

SIOC_API int sioc_node_socket_exists(const sioc_node *n, sioc_str nsp, sioc_str id) {
    uint32_t s;
    return sioc__node_sock_lookup(n, nsp, id, &s) == SIOC_OK;
}

SIOC_API size_t sioc_node_socket_count(const sioc_node *n, sioc_str nsp) {
    uint32_t ns = sioc__node_ns_find(n, nsp);
    return ns == SIOC__NIL ? 0 : n->p_ns[ns].n_sockets;
}

SIOC_API size_t sioc_node_peer_count(const sioc_node *n, sioc_str nsp) {
    uint32_t ns = sioc__node_ns_find(n, nsp);
    return ns == SIOC__NIL ? 0 : n->p_ns[ns].n_peers;
}

SIOC_API sioc_str sioc_node_peer_uid(const sioc_node *n, sioc_str nsp, size_t i) {
    uint32_t ns = sioc__node_ns_find(n, nsp);
    if (ns == SIOC__NIL || i >= n->p_ns[ns].n_peers) return sioc_str_n("", 0);
    return sioc_str_n(n->p_ns[ns].peers[i].uid, n->p_ns[ns].peers[i].len);
}

/* ---- selection (docs/PROTOCOL.md §4.2 through local_select) ---- */

/* local_select asks for rooms by name; the members of each room it names are copied (once per selection) from
   the room's linked list into scratch, in join order. */
static int32_t sioc__node_find_room_cb(void *user, sioc_str name) {
    sioc_node *n = (sioc_node *)user;
    uint32_t ri = sioc__node_idx_find(n, SIOC__IDX_ROOM, n->p_sel_ns, name), m, k;
    struct sioc__node_room *r;
    sioc_select_room *sr;
    if (ri == SIOC__NIL) return -1;
    r = &n->p_rooms[ri];
    if (r->sel_gen == n->p_sel_gen) return (int32_t)r->sel_idx;
    k = n->p_sel_n_rooms++;
    sr = &n->p_sel_rooms[k];
    sr->name = sioc_str_n(r->name, r->len);
    sr->members = n->p_sel_members + n->p_sel_used;
    sr->n_members = r->count;
    for (m = r->head; m != SIOC__NIL; m = n->p_mships[m].rnext) n->p_sel_members[n->p_sel_used++] = n->p_mships[m].sock;
    r->sel_gen = n->p_sel_gen;
    r->sel_idx = k;
    return (int32_t)k;
}

/* Selected socket slots of namespace ns into n->p_sel_out; returns how many. */
static size_t sioc__node_select(sioc_node *n, uint32_t ns, const sioc_msg_opts *mo, const sioc_msg_opts_desc *mo_desc) {
    sioc_select_table t;
    size_t count = 0;
    sioc_result r;
    if (++n->p_sel_gen == 0) { /* wrapped: forget every stamp */
        uint32_t i;
        for (i = 0; i < n->p_desc.max_rooms; i++) n->p_rooms[i].sel_gen = 0;
        n->p_sel_gen = 1;
    }
    n->p_sel_ns = ns;
    n->p_sel_n_rooms = 0;
    n->p_sel_used = 0;
    memset(&t, 0, sizeof t);
    t.n_sockets = n->p_sock_hwm;
    t.connected = n->p_ns[ns].member;
    t.rooms = n->p_sel_rooms;
    t.n_rooms = n->p_desc.max_rooms;
    t.find_room = sioc__node_find_room_cb;
    t.user = n;
    if (mo)
        r = sioc_select_sockets(&t, mo, n->p_sel_scratch, n->p_sel_out, n->p_desc.max_sockets, &count);
    else
        r = sioc_select_sockets_desc(&t, mo_desc, n->p_sel_scratch, n->p_sel_out, n->p_desc.max_sockets, &count);
    return r == SIOC_OK ? count : 0; /* cannot overflow: each socket is selected at most once */
}

/* ---- publishing ---- */

/* A JS Date as Date.prototype.toString prints it in UTC: "Thu Jan 01 1970 00:00:00 GMT+0000 (Coordinated Universal
   Time)"; "Invalid Date" beyond the JS range (8.64e15 ms). Returns the length (out: 80 bytes). */
static size_t sioc__node_date_string(uint64_t ms, char *out) {
    static const char wd[] = "ThuFriSatSunMonTueWed", mn[] = "JanFebMarAprMayJunJulAugSepOctNovDec";
    static const char tail[] = " GMT+0000 (Coordinated Universal Time)";
    uint32_t in_day, days, year;
    int64_t y;
    unsigned mo, d, sec, k;
    char *p = out, digits[8];
    if (ms > 8640000000000000u) {
        memcpy(out, "Invalid Date", 12);
        return 12;
    }
    /* in range, the day count and the year fit 32 bits (1e8 days, year 275760) */
    days = (uint32_t)sioc__udiv64(ms, 86400000u, &in_day);
    sec = (unsigned)(in_day / 1000u);
    sioc__civil_from_days((int64_t)days, &y, &mo, &d);
    memcpy(p, wd + 3 * (days % 7u), 3); /* 1970-01-01 was a Thursday */
    p[3] = ' ';
    memcpy(p + 4, mn + 3 * (mo - 1), 3);
    p[7] = ' ';
    p[8] = (char)('0' + d / 10);
    p[9] = (char)('0' + d % 10);
    p[10] = ' ';
    p += 11;
    for (k = 0, year = (uint32_t)y; year > 0 || k < 4; year /= 10u) /* at least 4 digits */
        digits[k++] = (char)('0' + year % 10u);
    while (k > 0) *p++ = digits[--k];
    *p++ = ' ';
    for (k = 0; k < 3; k++) {
        unsigned v = k == 0 ? sec / 3600u : k == 1 ? sec / 60u % 60u : sec % 60u;
        if (k) *p++ = ':';
        *p++ = (char)('0' + v / 10);
        *p++ = (char)('0' + v % 10);
    }
    memcpy(p, tail, sizeof tail - 1);
    return (size_t)(p - out) + sizeof tail - 1;
}

/* The handshake of a socket the application gave none: the nine keys Node sends (docs/PROTOCOL.md §3), in its order,
   with neutral values and the connection time the application gave (issued_ms). */
static void sioc__node_write_handshake(sioc_msgpack_writer *w, uint64_t issued_ms) {
    /* each key, already a msgpack fixstr, after the kind of its value: '{' an empty map, 'd' the time, 'a' "",
       'f' false, 'i' issued, 'u' "/" */
    static const char keys[] = "{\xa7" "headers" "d\xa4" "time" "a\xa7" "address" "f\xa7" "xdomain" "f\xa6" "secure"
                               "i\xa6" "issued" "u\xa3" "url" "{\xa5" "query" "{\xa4" "auth";
    const char *k = keys;
    char date[80];
    int i;
    sioc_msgpack_write_map(w, 9);
    for (i = 0; i < 9; i++, k += 2 + (k[1] & 31)) {
        sioc_msgpack_write_raw(w, k + 1, 1 + (size_t)(k[1] & 31));
        switch (k[0]) {
        case '{': sioc_msgpack_write_map(w, 0); break;
        case 'd': sioc_msgpack_write_str(w, date, sioc__node_date_string(issued_ms, date)); break;
        case 'f': sioc_msgpack_write_bool(w, 0); break;
        case 'i': sioc_msgpack_write_uint(w, issued_ms); break;
        default: sioc_msgpack_write_str(w, "/", k[0] == 'u'); break; /* "/" or "" */
        }
    }
}

/* One socket of a fetchSockets answer: {id, handshake, rooms, data} (docs/PROTOCOL.md §3, what sioc_msg_write_socket
   writes, with the rooms taken straight from the membership list). */
static void sioc__node_write_socket(const sioc_node *n, sioc_msgpack_writer *w, uint32_t slot) {
    const struct sioc__node_sock *s = &n->p_socks[slot];
    uint32_t m;
    sioc_msgpack_write_map(w, 4);
    sioc_msgpack_write_cstr(w, "id");
    sioc_msgpack_write_str(w, s->id, s->id_len);
    sioc_msgpack_write_cstr(w, "handshake");
    if (s->handshake.ptr)
        sioc_msgpack_write_raw(w, s->handshake.ptr, s->handshake.len);
    else
        sioc__node_write_handshake(w, s->issued_ms);
    sioc_msgpack_write_cstr(w, "rooms");
    sioc_msgpack_write_array(w, s->n_rooms);
    for (m = s->m_first; m != SIOC__NIL; m = n->p_mships[m].snext) {
        const struct sioc__node_room *r = &n->p_rooms[n->p_mships[m].room];
        sioc_msgpack_write_str(w, r->name, r->len);
    }
    sioc_msgpack_write_cstr(w, "data");
    if (s->data.ptr)
        sioc_msgpack_write_raw(w, s->data.ptr, s->data.len);
    else
        sioc_msgpack_write_map(w, 0);
}

static void sioc__node_write_data(const sioc_node *n, sioc_msgpack_writer *w, const sioc__node_pub *p) {
    size_t i;
    /* Answers go only to requests received: a publish-only build leaves their writers out (sioc__node_publish
       refuses the types there). */
    switch (p->type) {
    case SIOC_MSG_BROADCAST: sioc_msg_write_broadcast(w, p->opts, p->packet, p->request_id); break;
    case SIOC_MSG_SOCKETS_JOIN:
    case SIOC_MSG_SOCKETS_LEAVE: sioc_msg_write_sockets_rooms(w, p->opts, p->rooms, p->n_rooms); break;
    case SIOC_MSG_DISCONNECT_SOCKETS: sioc_msg_write_disconnect_sockets(w, p->opts, p->close); break;
    case SIOC_MSG_FETCH_SOCKETS: /* a request: an emitter, or a build without requests, sends none */
        if (SIOC_ENABLE_RECEIVE && SIOC_ENABLE_REQUESTS) sioc_msg_write_fetch_sockets(w, p->opts, *p->request_id);
        break;
    case SIOC_MSG_FETCH_SOCKETS_RESPONSE:
        if (!SIOC_ENABLE_RECEIVE) break;
        sioc_msg_write_fetch_sockets_response(w, *p->request_id, (uint32_t)p->n_socks);
        for (i = 0; i < p->n_socks; i++) sioc__node_write_socket(n, w, p->socks[i]);
        break;
    case SIOC_MSG_SERVER_SIDE_EMIT: sioc_msg_write_server_side_emit(w, p->request_id, p->packet); break;
    case SIOC_MSG_SERVER_SIDE_EMIT_RESPONSE:
    case SIOC_MSG_BROADCAST_ACK:
        if (SIOC_ENABLE_RECEIVE) sioc_msg_write_ack_response(w, *p->request_id, p->packet);
        break;
    case SIOC_MSG_BROADCAST_CLIENT_COUNT:
        if (SIOC_ENABLE_RECEIVE) sioc_msg_write_client_count(w, *p->request_id, p->client_count);
        break;
    default: break;
    }
}

/* The SNS Message: the decimal type, a view into "0".."9" then "10".."13" in one string. */
static sioc_str sioc__node_type_text(int type) {
    static const char digits[] = "012345678910111213";
    unsigned t = (unsigned)type;
    return t < 10 ? sioc_str_n(digits + t, 1) : sioc_str_n(digits + 10 + 2 * (t - 10), 2);
}

/* Encode the message once, as the Azure body with the AWS data inside it, into the out queue. */
static sioc_result sioc__node_publish(sioc_node *n, uint32_t ns, const sioc__node_pub *p, uint64_t now) {
    const struct sioc__node_ns *s = &n->p_ns[ns];
    size_t hdr = SIOC__ALIGN8(sizeof(sioc__node_orec));
    size_t req_len = SIOC_ENABLE_RECEIVE && p->requester.ptr ? p->requester.len : 0; /* answers only */
    int has_data = sioc_msg_has_data(p->type), attempt;
    sioc_result r = SIOC_OK;
    if (!n->p_out.buf) return SIOC_ERR_STATE;
    /* A publish-only build answers nothing: only a received request (or ack) leads here with an answer type. */
    if (!SIOC_ENABLE_RECEIVE && sioc_msg_is_response(p->type)) return SIOC_ERR_UNSUPPORTED;
    for (attempt = 0; attempt < 2; attempt++) {
        size_t room, data_start = 0, data_end = 0, aws, total;
        uint8_t *dst = sioc__node_q_room(&n->p_out, attempt ? (size_t)-1 : 0, &room);
        sioc_buf b;
        sioc_msgpack_writer w;
        sioc__node_orec h;
        if (room < hdr + req_len) {
            sioc_buf_init(&b, NULL, 0);
            b.len = 1; /* too small: only the retry decision below matters */
            r = SIOC_ERR_BUFFER_TOO_SMALL;
        } else {
            sioc_buf_init(&b, dst + hdr + req_len, room - hdr - req_len);
            sioc_msgpack_writer_init(&w, &b);
            sioc_msg_azure_begin(&w, p->type, has_data);
            data_start = b.len;
            if (has_data) sioc__node_write_data(n, &w, p);
            data_end = b.len;
            sioc_msg_azure_end(&w, sioc_str_n(n->uid, n->uid_len), sioc_str_n(s->name, s->len));
            r = sioc_msgpack_writer_finish(&w);
        }
        total = SIOC__ALIGN8(hdr + req_len + b.len);
        if (r == SIOC_OK) {
            /* SNS counts Message + attribute names, data types and values (docs/AWS.md §7). */
            aws = (p->type >= 10 ? 2u : 1u) + 3 + 6 + s->len + 3 + 6 + n->uid_len;
            if (req_len) aws += 12 + 6 + req_len;
            if (has_data) aws += 4 + 6 + (data_end - data_start);
            if (aws > n->p_desc.max_message_size || b.len > n->p_desc.max_message_size) return SIOC_ERR_TOO_LARGE;
            /* Application strings (opts rooms, values) must decode on every peer: UTF-8, no "__proto__" (Q14). */
            if (p->check && sioc_msgpack_check_depth(dst + hdr + req_len, b.len, SIOC_MSGPACK_WRITE_DEPTH) != SIOC_OK)
                return SIOC_ERR_ARG;
            memset(&h, 0, sizeof h);
            h.size = (uint32_t)total;
            h.type = (uint16_t)p->type;
            h.ns = (uint16_t)ns;
            h.req_len = (uint32_t)req_len;
            h.body_len = (uint32_t)b.len;
            h.data_off = (uint32_t)data_start;
            h.data_len = (uint32_t)(data_end - data_start);
            h.has_data = (uint32_t)has_data;
            memcpy(dst, &h, sizeof h);
            if (req_len) memcpy(dst + hdr, p->requester.ptr, req_len);
            sioc_bq_commit(&n->p_out, total);
            n->p_out_count++;
            sioc__node_count(&n->counters.published);
            if (SIOC_ENABLE_RECEIVE && p->type == SIOC_MSG_HEARTBEAT) sioc__node_count(&n->counters.heartbeats);
            /* Q1: any message resets it (a publish-only build sends no answers) */
            if (!SIOC_ENABLE_RECEIVE || !sioc_msg_is_response(p->type)) n->p_ns[ns].last_pub = now;
            return SIOC_OK;
        }
        if (r != SIOC_ERR_BUFFER_TOO_SMALL) return r;
        if (b.len > n->p_desc.max_message_size) return SIOC_ERR_TOO_LARGE; /* b.len: the size it needs */
        if (n->p_out.head == 0 || total > n->p_out.cap - (n->p_out.tail - n->p_out.head)) break;
    }
    return SIOC_ERR_BUFFER_TOO_SMALL;
}

/* Publish something the protocol requires of us (answers, heartbeats): a failure is counted and reported. */
static void sioc__node_publish_internal(sioc_node *n, uint32_t ns, const sioc__node_pub *p, uint64_t now) {
    sioc_result r = sioc__node_publish(n, ns, p, now);
    if (r == SIOC_OK) return;
    sioc__node_count(&n->counters.publish_failed);
    SIOC__NODE_LOG(n, SIOC_LOG_WARN, "could not queue", sioc_str_c(sioc_msg_type_name(p->type)), r);
    sioc__node_error(n, ns, r, p->type, "publish", p->requester.ptr ? &p->requester : NULL);
}

SIOC_API size_t sioc_node_out_count(const sioc_node *n) { return n->p_out_count; }

SIOC_API sioc_result sioc_node_out_peek(const sioc_node *n, size_t i, sioc_node_out *out) {
    const uint8_t *p;
    size_t avail, k;
    sioc__node_orec h;
    size_t hdr = SIOC__ALIGN8(sizeof(sioc__node_orec));
    memset(out, 0, sizeof *out);
    if (i >= n->p_out_count) return SIOC_ERR_NOT_FOUND;
    p = sioc_bq_peek(&n->p_out, &avail);
    for (k = 0;; k++) {
        memcpy(&h, p, sizeof h);
        if (k == i) break;
        p += h.size;
    }
    out->type = h.type;
    out->message = sioc__node_type_text(h.type);
    out->nsp = sioc_str_n(n->p_ns[h.ns].name, n->p_ns[h.ns].len);
    out->uid = sioc_str_n(n->uid, n->uid_len);
    out->requester_uid = SIOC_ENABLE_RECEIVE && h.req_len ? sioc_str_n((const char *)p + hdr, h.req_len) : sioc_str_n(NULL, 0);
    out->body = sioc_bytes_n(p + hdr + h.req_len, h.body_len);
    out->data = h.has_data ? sioc_bytes_n(out->body.ptr + h.data_off, h.data_len) : sioc_bytes_n(NULL, 0);
    return SIOC_OK;
}

static SIOC__OUTLINE void sioc__node_closed_check(sioc_node *n) {
    if (n->state == SIOC_NODE_CLOSING && n->p_out_count == 0) {
        sioc__node_erec h;
        n->state = SIOC_NODE_CLOSED;
        n->ready = 0;
        sioc__node_erec_init(&h, SIOC_NODE_EV_CLOSED, SIOC__NIL);
        sioc__node_emit(n, &h, NULL, NULL);
        SIOC__NODE_LOG(n, SIOC_LOG_INFO, "closed", sioc_str_n("", 0), SIOC_OK);
    }
}

SIOC_API void sioc_node_out_pop(sioc_node *n, size_t count) {
    while (count-- > 0 && n->p_out_count > 0) {
        size_t avail;
        sioc__node_orec h;
        memcpy(&h, sioc_bq_peek(&n->p_out, &avail), sizeof h);
        sioc_bq_consume(&n->p_out, h.size);
        n->p_out_count--;
    }
    sioc__node_closed_check(n);
}

/* ---- delivery to local sockets (§10) ---- */

typedef struct sioc__node_deliver_ctx {
    const uint32_t *sel;
    size_t n_sel;
    sioc_bytes packet_data;
    int type; /* SIOC_SIO_EVENT, or DISCONNECT */
    int64_t ack_id;
} sioc__node_deliver_ctx;

static sioc_result sioc__node_fill_frames(sioc_node *n, sioc__evw *w, sioc__node_erec *h, const void *ctx) {
    const sioc__node_deliver_ctx *c = (const sioc__node_deliver_ctx *)ctx;
    const struct sioc__node_ns *s = &n->p_ns[h->ns];
    sioc__node_trec tr;
    size_t i, n_att = 0;
    sioc_buf b;
    sioc_bytes src;
    int in_copy = 1;
    sioc_result r;
    h->n_targets = (uint32_t)c->n_sel;
    h->tgt_off = sioc__evw_put(w, NULL, c->n_sel * sizeof tr);
    for (i = 0; i < c->n_sel; i++) {
        const struct sioc__node_sock *so = &n->p_socks[c->sel[i]];
        memset(&tr, 0, sizeof tr);
        tr.user = so->user;
        tr.conn = so->conn;
        tr.id_len = so->id_len;
        tr.id_off = sioc__evw_put(w, so->id, so->id_len);
        sioc__evw_set(w, h->tgt_off + i * sizeof tr, &tr, sizeof tr);
    }
    /* DELIVER: the packet itself goes into the event (ev->packet), and the frames are encoded from that copy, so
       the attachments are views into it rather than copies of their own. */
    src = sioc_bytes_n(NULL, 0);
    if (c->type == SIOC_SIO_EVENT) {
        h->has_packet = 1;
        h->pk_len = (uint32_t)c->packet_data.len;
        h->pk_off = sioc__evw_put(w, c->packet_data.ptr, c->packet_data.len);
        in_copy = w->len <= w->cap;
        src = in_copy ? sioc_bytes_n(w->p + h->pk_off, c->packet_data.len) : c->packet_data;
    }
    /* The packet is encoded once for every target (§10.1): the namespace is ours, the id our own ack id. */
    sioc__evw_buf(w, &b);
    r = sioc_sio_encode(&b, c->type, sioc_str_n(s->name, s->len), c->ack_id, src, n->p_att,
                        n->p_desc.max_attachments, &n_att);
    if (r == SIOC_ERR_BUFFER_TOO_SMALL && n_att > n->p_desc.max_attachments) return SIOC_ERR_LIMIT;
    if (r != SIOC_OK && r != SIOC_ERR_BUFFER_TOO_SMALL) return r;
    h->text_off = (uint32_t)w->len;
    h->text_len = (uint32_t)b.len;
    w->len += b.len;
    if (r == SIOC_ERR_BUFFER_TOO_SMALL || !in_copy) return SIOC_OK; /* w->len exceeds the room: the caller retries */
    h->n_att = (uint32_t)n_att;
    w->len = SIOC__ALIGN8(w->len);
    h->att_off = sioc__evw_put(w, NULL, n_att * 2 * sizeof(uint32_t));
    for (i = 0; i < n_att; i++) {
        uint32_t e[2];
        e[0] = (uint32_t)(n->p_att[i].ptr - w->p); /* inside the packet copy */
        e[1] = (uint32_t)n->p_att[i].len;
        sioc__evw_set(w, h->att_off + i * sizeof e, e, sizeof e);
    }
    return SIOC_OK;
}

/* Remember on each target socket that it may answer this ack id. */
static uint64_t sioc__node_sock_add_ack(sioc_node *n, uint32_t slot, uint64_t ack_id) {
    struct sioc__node_sock *s = &n->p_socks[slot];
    uint32_t k;
    if (s->n_acks == SIOC_NODE_SOCKET_ACKS) { /* drop ids whose registration is gone */
        for (k = 0; k < s->n_acks;) {
            if (!sioc__node_ack_find(n, s->ns, s->acks[k]))
                s->acks[k] = s->acks[--s->n_acks];
            else
                k++;
        }
    }
    if (s->n_acks == SIOC_NODE_SOCKET_ACKS) {
        sioc__node_count(&n->counters.limits);
        return 0;
    }
    s->acks[s->n_acks++] = ack_id;
    return 1;
}

/* Deliver a packet ([event, args...]) to the selected sockets; returns the number of sockets it went to (0 when
   the event could not be queued: the error is reported). */
static uint64_t sioc__node_deliver(sioc_node *n, uint32_t ns, const uint32_t *sel, size_t n_sel, sioc_bytes packet_data,
                                   int64_t ack_id, const sioc_msg_flags *fl, struct sioc__node_ack *reg) {
    sioc__node_erec h;
    sioc__node_deliver_ctx c;
    sioc_result r;
    uint64_t acked = 0;
    size_t i;
    if (n_sel == 0) return 0;
    sioc__node_erec_init(&h, SIOC_NODE_EV_DELIVER, ns);
    h.ack_id = ack_id;
    h.is_volatile = (fl->present & SIOC_MSG_FLAG_VOLATILE) && (fl->values & SIOC_MSG_FLAG_VOLATILE);
    h.compress = !(fl->present & SIOC_MSG_FLAG_COMPRESS) || (fl->values & SIOC_MSG_FLAG_COMPRESS);
    c.sel = sel;
    c.n_sel = n_sel;
    c.packet_data = packet_data;
    c.type = SIOC_SIO_EVENT;
    c.ack_id = ack_id;
    r = sioc__node_emit_fill(n, &h, sioc__node_fill_frames, &c);
    if (r != SIOC_OK) {
        if (r != SIOC_ERR_BUFFER_TOO_SMALL) /* a packet the frame encoder refuses (depth, attachments) */
            sioc__node_error(n, ns, r, SIOC_MSG_BROADCAST, "packet", NULL);
        return 0;
    }
    sioc__node_count(&n->counters.delivered);
    if (reg)
        for (i = 0; i < n_sel; i++) acked += sioc__node_sock_add_ack(n, sel[i], (uint64_t)ack_id);
    if (reg) reg->remaining = acked;
    return n_sel;
}

/* Disconnect one socket (§10.4): DISCONNECT frame, removal; with close, every socket of its connection (all
   namespaces, in connection order) goes, and the last event carries close = 1. */
static void sioc__node_disconnect_one(sioc_node *n, uint32_t slot, int close) {
    uint32_t group[1];
    uint64_t conn = n->p_socks[slot].conn;
    int all = close && conn != 0; /* the whole connection goes */
    uint32_t i, last = slot, end = all ? n->p_sock_hwm : slot + 1;
    sioc__node_deliver_ctx c;
    memset(&c, 0, sizeof c);
    c.type = SIOC_SIO_DISCONNECT;
    c.ack_id = -1;
    c.n_sel = 1;
    c.sel = group;
    for (i = 0; all && i < end; i++)
        if (n->p_socks[i].used && n->p_socks[i].conn == conn) last = i;
    for (i = all ? 0 : slot; i < end; i++) {
        sioc__node_erec h;
        if (all && (!n->p_socks[i].used || n->p_socks[i].conn != conn)) continue;
        group[0] = i;
        sioc__node_erec_init(&h, SIOC_NODE_EV_DISCONNECT, n->p_socks[i].ns);
        h.close = (uint8_t)(close && i == last);
        h.conn = conn;
        (void)sioc__node_emit_fill(n, &h, sioc__node_fill_frames, &c);
        sioc__node_sock_remove(n, i);
    }
}

/* ---- peers and requests ---- */

#if SIOC_ENABLE_REQUESTS
static void sioc__node_req_done(sioc_node *n, struct sioc__node_req *q, sioc_result res) {
    sioc__node_erec h;
    uint32_t i;
    sioc__node_erec_init(&h, SIOC_NODE_EV_REQUEST_DONE, q->ns);
    h.result = res;
    h.request = q->handle;
    h.request_kind = q->kind;
    h.user = q->user;
    if (q->kind == SIOC_NODE_REQ_BROADCAST_ACK)
        h.missing = (q->expected_servers > q->servers ? q->expected_servers - q->servers : 0) +
                    (q->expected_acks > q->acks ? q->expected_acks - q->acks : 0);
    else
        h.missing = q->missing;
    if (q->kind == SIOC_NODE_REQ_BROADCAST_ACK) /* the origin forgets its clients' pending acks (§6.3) */
        for (i = 0; i < n->p_desc.max_acks; i++)
            if (n->p_acks[i].handle && n->p_acks[i].kind == SIOC__ACK_LOCAL && n->p_acks[i].req == q->handle)
                sioc__node_ack_free(&n->p_acks[i]);
    q->handle = 0;
    sioc__node_emit(n, &h, NULL, NULL);
}

/* A responder: 1 = an expected one answered, 0 = accepted (unexpected or already removed), -1 = duplicate. */
static int sioc__node_req_mark(const sioc_node *n, struct sioc__node_req *q, uint64_t h) {
    uint32_t i;
    for (i = 0; i < q->n_uids; i++) {
        int expected;
        if (q->hash[i] != h) continue;
        if (q->state[i] == SIOC__REQ_ANSWERED) return -1;
        expected = q->state[i] == SIOC__REQ_EXPECTED;
        q->state[i] = SIOC__REQ_ANSWERED;
        return expected;
    }
    if (q->n_uids >= n->p_req_cap) return -1; /* no room to remember it: refuse rather than double count */
    q->hash[q->n_uids] = h;
    q->state[q->n_uids++] = SIOC__REQ_ANSWERED;
    return 0;
}
#endif

static void sioc__node_peer_remove(sioc_node *n, uint32_t ns, uint32_t idx, sioc_result why) {
    struct sioc__node_ns *s = &n->p_ns[ns];
    struct sioc__node_peer gone = s->peers[idx];
    sioc_str uid = sioc_str_n(gone.uid, gone.len);
    sioc__node_erec h;
#if SIOC_ENABLE_REQUESTS
    uint32_t i, k;
#endif
    s->peers[idx] = s->peers[--s->n_peers];
    sioc__node_erec_init(&h, SIOC_NODE_EV_PEER_DOWN, ns);
    h.result = why;
    sioc__node_emit(n, &h, &uid, NULL);
#if SIOC_ENABLE_REQUESTS
    /* §6.4: the peer no longer counts for pending fetchSockets / serverSideEmit requests. */
    for (i = 0; i < n->p_desc.max_requests; i++) {
        struct sioc__node_req *q = &n->p_reqs[i];
        if (!q->handle || q->ns != ns || q->kind == SIOC_NODE_REQ_BROADCAST_ACK) continue;
        for (k = 0; k < q->n_uids; k++) {
            if (q->hash[k] != gone.hash || q->state[k] != SIOC__REQ_EXPECTED) continue;
            q->state[k] = SIOC__REQ_GONE;
            if (q->missing > 0 && --q->missing == 0) sioc__node_req_done(n, q, SIOC_OK);
            break;
        }
    }
#endif
}

/* A full peer table under a flood of new uids: the unconfirmed peer heard from longest ago goes (PEER_DOWN with
   SIOC_ERR_LIMIT) to make room; confirmed peers are never pushed out. 0 when every place is confirmed. */
static int sioc__node_peer_make_room(sioc_node *n, uint32_t ns) {
    struct sioc__node_ns *s = &n->p_ns[ns];
    uint32_t i, victim = SIOC__NIL;
    for (i = 0; i < s->n_peers; i++)
        if (!s->peers[i].confirmed && (victim == SIOC__NIL || s->peers[i].last_seen < s->peers[victim].last_seen))
            victim = i;
    if (victim == SIOC__NIL) return 0;
    sioc__node_count(&n->counters.peers_evicted);
    sioc__node_peer_remove(n, ns, victim, SIOC_ERR_LIMIT);
    return 1;
}

static int sioc__node_is_emitter_uid(sioc_str uid) {
    return uid.len == sizeof SIOC_NODE_EMITTER_UID - 1 && memcmp(uid.ptr, SIOC_NODE_EMITTER_UID, uid.len) == 0;
}

static uint32_t sioc__node_peer_find(const sioc_node *n, uint32_t ns, sioc_str uid) {
    const struct sioc__node_ns *s = &n->p_ns[ns];
    uint32_t i;
    for (i = 0; i < s->n_peers; i++)
        if (s->peers[i].len == uid.len && memcmp(s->peers[i].uid, uid.ptr, uid.len) == 0) return i;
    return SIOC__NIL;
}

/* §5 rule 1: every message (not response) refreshes its sender; "emitter" never counts. */
static void sioc__node_peer_seen(sioc_node *n, uint32_t ns, sioc_str uid, uint64_t now) {
    struct sioc__node_ns *s = &n->p_ns[ns];
    struct sioc__node_peer *p;
    sioc__node_erec h;
    uint32_t i;
    if (uid.len == 0 || sioc__node_is_emitter_uid(uid)) return;
    i = sioc__node_peer_find(n, ns, uid);
    if (i != SIOC__NIL) {
        p = &s->peers[i];
        p->last_seen = now;
        if (now - p->first_seen >= n->p_desc.heartbeat_interval_ms / 2) p->confirmed = 1;
        return;
    }
    if (uid.len > SIOC_NODE_ID_MAX) {
        sioc__node_count(&n->counters.limits);
        return;
    }
    if (s->n_peers >= n->p_desc.max_peers && !sioc__node_peer_make_room(n, ns)) {
        sioc__node_count(&n->counters.limits); /* every place is held by a confirmed peer: the newcomer waits for one to go */
        return;
    }
    p = &s->peers[s->n_peers++];
    memcpy(p->uid, uid.ptr, uid.len);
    p->uid[uid.len] = 0;
    p->len = (uint32_t)uid.len;
    p->last_seen = p->first_seen = now;
    p->confirmed = 0;
    p->hash = sioc__node_hash64(uid.ptr, uid.len);
    sioc__node_erec_init(&h, SIOC_NODE_EV_PEER_UP, ns);
    sioc__node_emit(n, &h, &uid, NULL);
}

#if SIOC_ENABLE_REQUESTS
static struct sioc__node_req *sioc__node_req_alloc(sioc_node *n, int kind, uint32_t ns, void *user) {
    uint32_t i;
    for (i = 0; i < n->p_desc.max_requests; i++) {
        struct sioc__node_req *q = &n->p_reqs[i];
        if (q->handle) continue;
        if (++n->p_req_seq == 0) n->p_req_seq = 1;
        q->handle = n->p_req_seq;
        q->kind = (uint8_t)kind;
        q->ns = (uint16_t)ns;
        q->id[0] = 0;
        q->deadline = UINT64_MAX;
        q->user = user;
        q->n_uids = 0;
        q->missing = q->expected_servers = q->servers = q->expected_acks = q->acks = 0;
        return q;
    }
    return NULL;
}

/* Expected responders = the live peers right now (§6.1 step 3). */
static void sioc__node_req_snapshot(sioc_node *n, struct sioc__node_req *q) {
    const struct sioc__node_ns *s = &n->p_ns[q->ns];
    uint32_t i;
    for (i = 0; i < s->n_peers && q->n_uids < n->p_req_cap; i++) {
        q->hash[q->n_uids] = s->peers[i].hash;
        q->state[q->n_uids++] = SIOC__REQ_EXPECTED;
    }
    q->missing = q->n_uids;
}

static struct sioc__node_req *sioc__node_req_by_id(sioc_node *n, uint32_t ns, sioc_str id) {
    uint32_t i;
    if (id.len != 16) return NULL;
    for (i = 0; i < n->p_desc.max_requests; i++) {
        struct sioc__node_req *q = &n->p_reqs[i];
        if (q->handle && q->ns == ns && q->id[0] && memcmp(q->id, id.ptr, 16) == 0) return q;
    }
    return NULL;
}

static void sioc__node_back_check(sioc_node *n, struct sioc__node_req *q) {
    if (q->handle && q->servers >= q->expected_servers && q->acks >= q->expected_acks)
        sioc__node_req_done(n, q, SIOC_OK);
}
#endif

static struct sioc__node_ack *sioc__node_ack_alloc(sioc_node *n, int kind, uint32_t ns, uint64_t expires) {
    uint32_t i;
    for (i = 0; i < n->p_desc.max_acks; i++) {
        struct sioc__node_ack *a = &n->p_acks[i];
        if (a->handle) continue;
        memset(a, 0, sizeof *a);
        if (++n->p_ack_seq == 0) n->p_ack_seq = 1;
        a->handle = n->p_ack_seq;
        a->kind = (uint8_t)kind;
        a->ns = (uint16_t)ns;
        a->expires = expires;
        return a;
    }
    sioc__node_count(&n->counters.limits);
    return NULL;
}

/* A registration through which the answers go back to m's requester (uid, requestId). NULL when the table is full,
   or when either id is too long to keep (counted as a limit for a serverSideEmit: a broadcast still delivers). */
static struct sioc__node_ack *sioc__node_ack_for(sioc_node *n, int kind, uint32_t ns, uint64_t expires,
                                                 const sioc_msg *m) {
    struct sioc__node_ack *a;
    if (m->uid.len > SIOC_NODE_ID_MAX || m->request_id.len > SIOC_NODE_ID_MAX) {
        if (kind == SIOC__ACK_SSE) sioc__node_count(&n->counters.limits);
        return NULL;
    }
    a = sioc__node_ack_alloc(n, kind, ns, expires);
    if (a) {
        a->req_len = (uint32_t)m->uid.len;
        memcpy(a->requester, m->uid.ptr, m->uid.len);
        a->id_len = (uint32_t)m->request_id.len;
        memcpy(a->request_id, m->request_id.ptr, m->request_id.len);
    }
    return a;
}

/* ---- handling received messages ---- */

#if SIOC_ENABLE_REQUESTS
static sioc_result sioc__node_on_response(sioc_node *n, uint32_t ns, const sioc_msg *m) {
    struct sioc__node_req *q = sioc__node_req_by_id(n, ns, m->request_id);
    sioc__node_erec h;
    sioc_bytes pk;
    int mark;
    int want = m->type == SIOC_MSG_FETCH_SOCKETS_RESPONSE       ? SIOC_NODE_REQ_FETCH_SOCKETS
               : m->type == SIOC_MSG_SERVER_SIDE_EMIT_RESPONSE ? SIOC_NODE_REQ_SERVER_SIDE_EMIT
                                                               : SIOC_NODE_REQ_BROADCAST_ACK;
    if (!q || q->kind != want) { /* §6.5: unknown, finished or another kind of request */
        sioc__node_count(&n->counters.late_responses);
        return SIOC_OK;
    }
    sioc__node_erec_init(&h, SIOC_NODE_EV_NONE, ns);
    h.request = q->handle;
    h.request_kind = q->kind;
    h.user = q->user;
    if (m->type != SIOC_MSG_BROADCAST_ACK) {
        mark = sioc__node_req_mark(n, q, sioc__node_hash64(m->uid.ptr, m->uid.len));
        if (mark < 0) {
            sioc__node_count(&n->counters.duplicate_responses);
            return SIOC_OK;
        }
    } else {
        mark = 0;
    }
    sioc__node_count(&n->counters.handled);
    switch (m->type) {
    case SIOC_MSG_FETCH_SOCKETS_RESPONSE:
        h.type = SIOC_NODE_EV_FETCH_SOCKETS;
        h.n_sockets = m->sockets.count;
        pk = sioc_bytes_n(m->sockets.data, m->sockets.len);
        sioc__node_emit(n, &h, &m->uid, &pk);
        break;
    case SIOC_MSG_SERVER_SIDE_EMIT_RESPONSE:
    case SIOC_MSG_BROADCAST_ACK:
        h.type = m->type == SIOC_MSG_BROADCAST_ACK ? SIOC_NODE_EV_BROADCAST_ACK : SIOC_NODE_EV_SSE_RESPONSE;
        h.has_packet = (uint8_t)m->has_packet;
        sioc__node_emit(n, &h, &m->uid, m->has_packet ? &m->packet : NULL);
        if (m->type == SIOC_MSG_BROADCAST_ACK) {
            q->acks++;
            sioc__node_back_check(n, q);
            return SIOC_OK;
        }
        break;
    case SIOC_MSG_BROADCAST_CLIENT_COUNT:
        h.type = SIOC_NODE_EV_CLIENT_COUNT;
        h.client_count = m->client_count;
        sioc__node_emit(n, &h, &m->uid, NULL);
        q->servers++;
        q->expected_acks += m->client_count;
        sioc__node_back_check(n, q);
        return SIOC_OK;
    default: break;
    }
    if (mark == 1 && --q->missing == 0) sioc__node_req_done(n, q, SIOC_OK);
    return SIOC_OK;
}
#else
/* Built without requests no response can be ours: ignored as one for another node is (§2.1 step 4). */
static sioc_result sioc__node_on_response(sioc_node *n, uint32_t ns, const sioc_msg *m) {
    (void)ns;
    (void)m;
    sioc__node_count(&n->counters.ignored_other);
    return SIOC_OK;
}
#endif

static uint64_t sioc__node_flag_timeout(const sioc_node *n, const sioc_msg_flags *f) {
    return (f->present & SIOC_MSG_FLAG_TIMEOUT) && f->timeout_ms > 0 ? f->timeout_ms : n->p_desc.request_timeout_ms;
}


static void sioc__node_on_broadcast(sioc_node *n, uint32_t ns, const sioc_msg *m, size_t k, uint64_t now) {
    struct sioc__node_ack *reg = NULL;
    uint64_t delivered;
    int64_t ack_id;
    sioc__node_pub p;
    if (!m->has_request_id) {
        (void)sioc__node_deliver(n, ns, n->p_sel_out, k, m->packet_data, -1, &m->opts.flags, NULL);
        return;
    }
    /* §6.3 responder: our own ack id (consumed even for no socket, as Node does), the registration that maps
       client acks back to (requester, requestId), then the client count, always (Q9). */
    ack_id = (int64_t)(n->p_ns[ns].next_ack_id++ & 0x1fffffffffffffu);
    if (k > 0) {
        reg = sioc__node_ack_for(n, SIOC__ACK_CLIENT, ns, sioc__node_add(now, sioc__node_flag_timeout(n, &m->opts.flags)), m);
        if (reg) reg->ack_id = (uint64_t)ack_id;
    }
    /* Without a registration the clients could not be answered for: deliver as a plain broadcast and count 0,
       so the requester completes instead of waiting for acks that cannot come. */
    delivered = sioc__node_deliver(n, ns, n->p_sel_out, k, m->packet_data, reg ? ack_id : -1, &m->opts.flags, reg);
    /* Count the sockets whose ack we will accept (a socket with too many pending acks got the packet but could
       not be registered), so the requester's expected total is one we can meet. */
    delivered = reg && delivered ? reg->remaining : 0;
    if (reg && delivered == 0) sioc__node_ack_free(reg);
    sioc__node_pub_init(&p, SIOC_MSG_BROADCAST_CLIENT_COUNT);
    p.request_id = &m->request_id;
    p.client_count = delivered;
    p.requester = m->uid;
    sioc__node_publish_internal(n, ns, &p, now);
}

static void sioc__node_on_rooms(sioc_node *n, const sioc_msg *m, size_t k) {
    size_t i;
    for (i = 0; i < k; i++) {
        sioc_msg_list l = m->rooms;
        sioc_str room;
        while (sioc_msg_list_next_str(&l, &room)) {
            if (m->type == SIOC_MSG_SOCKETS_JOIN) {
                if (sioc__node_join(n, n->p_sel_out[i], room) != SIOC_OK) sioc__node_count(&n->counters.limits);
            } else {
                sioc__node_leave(n, n->p_sel_out[i], room);
            }
        }
    }
}

static void sioc__node_disconnect_sel(sioc_node *n, size_t k, int close) {
    size_t i;
    for (i = 0; i < k; i++) /* slots are stable while removing: a slot already gone (same conn) is skipped */
        if (n->p_socks[n->p_sel_out[i]].used) sioc__node_disconnect_one(n, n->p_sel_out[i], close);
}

#if SIOC_ENABLE_REQUESTS
typedef struct sioc__node_sockets_ctx {
    const uint32_t *sel;
    size_t n_sel;
} sioc__node_sockets_ctx;

/* FETCH_SOCKETS event body: the msgpack array of socket maps, like a type 8's `sockets`. */
static sioc_result sioc__node_fill_sockets(sioc_node *n, sioc__evw *w, sioc__node_erec *h, const void *ctx) {
    const sioc__node_sockets_ctx *c = (const sioc__node_sockets_ctx *)ctx;
    sioc_msgpack_writer mw;
    sioc_buf b;
    size_t i;
    sioc_result r;
    h->uid_len = (uint32_t)n->uid_len;
    h->uid_off = sioc__evw_put(w, n->uid, n->uid_len);
    h->n_sockets = (uint32_t)c->n_sel;
    sioc__evw_buf(w, &b);
    sioc_msgpack_writer_init(&mw, &b);
    for (i = 0; i < c->n_sel; i++) sioc__node_write_socket(n, &mw, c->sel[i]);
    r = sioc_msgpack_writer_finish(&mw);
    if (r != SIOC_OK && r != SIOC_ERR_BUFFER_TOO_SMALL) return r;
    h->pk_off = (uint32_t)w->len;
    h->pk_len = (uint32_t)b.len;
    w->len += b.len;
    return SIOC_OK;
}
#endif

static void sioc__node_on_sse(sioc_node *n, uint32_t ns, const sioc_msg *m, uint64_t now) {
    sioc__node_erec h;
    sioc__node_erec_init(&h, SIOC_NODE_EV_SERVER_SIDE_EMIT, ns);
    h.has_packet = 1;
    if (m->has_request_id) {
        if (n->p_desc.auto_ack_server_side_emit) {
            sioc__node_pub p;
            sioc__node_pub_init(&p, SIOC_MSG_SERVER_SIDE_EMIT_RESPONSE);
            p.request_id = &m->request_id;
            p.requester = m->uid;
            sioc__node_publish_internal(n, ns, &p, now);
        } else {
            /* The requester gives up after its fixed 5 s: keep the slot as long. */
            struct sioc__node_ack *a =
                sioc__node_ack_for(n, SIOC__ACK_SSE, ns, sioc__node_add(now, n->p_desc.request_timeout_ms), m);
            if (a) h.ack = a->handle;
        }
    }
    sioc__node_emit(n, &h, &m->uid, &m->packet);
}

static sioc_result sioc__node_process(sioc_node *n, uint32_t ns, const sioc_msg *m, uint64_t now) {
    int addressed = m->requester_uid.ptr != NULL && m->requester_uid.len > 0;
    size_t k = 0;
    sioc__node_pub p;
    if (!addressed && m->type != SIOC_MSG_ADAPTER_CLOSE) sioc__node_peer_seen(n, ns, m->uid, now);
    if (sioc_msg_is_response(m->type)) return sioc__node_on_response(n, ns, m); /* §6.5: with or without requesterUid */
    if (addressed) { /* a non-response addressed to us: Node's response handler ignores it */
        sioc__node_count(&n->counters.ignored_other);
        return SIOC_OK;
    }
    sioc__node_count(&n->counters.handled);
    /* types 3 to 7 act on the sockets their opts select */
    if (m->type >= SIOC_MSG_BROADCAST && m->type <= SIOC_MSG_FETCH_SOCKETS) k = sioc__node_select(n, ns, &m->opts, NULL);
    switch (m->type) {
    case SIOC_MSG_INITIAL_HEARTBEAT: /* §5 rule 4: the newcomer learns us at once */
        sioc__node_pub_init(&p, SIOC_MSG_HEARTBEAT);
        sioc__node_publish_internal(n, ns, &p, now);
        break;
    case SIOC_MSG_HEARTBEAT: break;
    case SIOC_MSG_ADAPTER_CLOSE: {
        uint32_t i = sioc__node_peer_find(n, ns, m->uid);
        if (i != SIOC__NIL) sioc__node_peer_remove(n, ns, i, SIOC_ERR_CLOSED);
        break;
    }
    case SIOC_MSG_BROADCAST: sioc__node_on_broadcast(n, ns, m, k, now); break;
    case SIOC_MSG_SOCKETS_JOIN:
    case SIOC_MSG_SOCKETS_LEAVE: sioc__node_on_rooms(n, m, k); break;
    case SIOC_MSG_DISCONNECT_SOCKETS: sioc__node_disconnect_sel(n, k, m->close); break;
    case SIOC_MSG_FETCH_SOCKETS: { /* §6.1 responder: always answer, even with no socket */
        sioc__node_pub_init(&p, SIOC_MSG_FETCH_SOCKETS_RESPONSE);
        p.n_socks = k;
        p.socks = n->p_sel_out;
        p.request_id = &m->request_id;
        p.requester = m->uid;
        sioc__node_publish_internal(n, ns, &p, now);
        break;
    }
    case SIOC_MSG_SERVER_SIDE_EMIT: sioc__node_on_sse(n, ns, m, now); break;
    default: break;
    }
    return SIOC_OK;
}

/* §2.1 steps 2-4 on the transport attributes. 1 = go on (ns set), 0 = ignored (counted). */
static int sioc__node_is_own(const sioc_node *n, const sioc_str *uid) {
    return uid->len == n->uid_len && memcmp(uid->ptr, n->uid, n->uid_len) == 0;
}

static int sioc__node_admit(sioc_node *n, const sioc_str *nsp, const sioc_str *uid, const sioc_str *requester,
                            uint32_t *ns) {
    *ns = sioc__node_ns_find(n, *nsp);
    if (*ns == SIOC__NIL) {
        sioc__node_count(&n->counters.ignored_nsp);
        return 0;
    }
    if (sioc__node_is_own(n, uid)) {
        sioc__node_count(&n->counters.ignored_own);
        return 0;
    }
    if (requester->ptr && requester->len > 0 && !sioc__node_is_own(n, requester)) {
        sioc__node_count(&n->counters.ignored_other);
        return 0;
    }
    return 1;
}

static int sioc__node_receiving(sioc_node *n) {
    sioc__node_count(&n->counters.received);
    if (!n->p_mem || SIOC__NODE_EMITTER(n) || n->state >= SIOC_NODE_CLOSING) {
        sioc__node_count(&n->counters.ignored_other);
        return 0;
    }
    return 1;
}

static sioc_result sioc__node_dropped(sioc_node *n, uint32_t ns, const sioc_msg *m, sioc_result e) {
    sioc__node_count(&n->counters.malformed);
    SIOC__NODE_LOG(n, SIOC_LOG_DEBUG, "dropped a malformed message", sioc_str_c(m->error_field ? m->error_field : ""), e);
    sioc__node_error(n, ns, e, m->type, m->error_field ? m->error_field : "message",
                     m->uid.ptr ? &m->uid : NULL);
    return e;
}

SIOC_API sioc_result sioc_node_receive_aws(sioc_node *n, const sioc_msg_envelope *env, uint64_t now_ms) {
    sioc_msg m;
    uint32_t ns;
    sioc_result e;
    if (!sioc__node_receiving(n)) return SIOC__NODE_RX_OFF;
    if (!env->nsp.ptr || !env->uid.ptr || !env->body.ptr) { /* §2.1 step 1 (Node: "malformed") */
        memset(&m, 0, sizeof m);
        m.error_field = !env->nsp.ptr ? "nsp" : !env->uid.ptr ? "uid" : "Message";
        return sioc__node_dropped(n, SIOC__NIL, &m, SIOC_ERR_PROTOCOL);
    }
    if (!sioc__node_admit(n, &env->nsp, &env->uid, &env->requester_uid, &ns)) return SIOC_OK;
    e = sioc_msg_decode_aws(env, &m);
    if (e != SIOC_OK) {
        /* An unknown type still refreshes its sender (§5 rule 1): that node is alive, only newer than us. */
        if (e == SIOC_ERR_UNSUPPORTED && !(m.requester_uid.ptr && m.requester_uid.len))
            sioc__node_peer_seen(n, ns, m.uid, now_ms);
        return sioc__node_dropped(n, ns, &m, e);
    }
    return sioc__node_process(n, ns, &m, now_ms);
}

SIOC_API sioc_result sioc_node_receive_azure(sioc_node *n, const void *body, size_t len, const sioc_msg_envelope *props,
                                             uint64_t now_ms) {
    sioc_msg m;
    sioc_str uid;
    uint32_t ns;
    sioc_result e;
    if (!sioc__node_receiving(n)) return SIOC__NODE_RX_OFF;
    if (props) { /* §2.2: dispatch on the properties before decoding */
        if (!props->nsp.ptr) {
            memset(&m, 0, sizeof m);
            m.error_field = "nsp";
            return sioc__node_dropped(n, SIOC__NIL, &m, SIOC_ERR_PROTOCOL);
        }
        uid = props->uid.ptr ? props->uid : sioc_str_n("", 0);
        if (!sioc__node_admit(n, &props->nsp, &uid, &props->requester_uid, &ns))
            return SIOC_OK;
    }
    e = sioc_msg_decode_azure(body, len, props, &m);
    if (e != SIOC_OK) {
        ns = m.nsp.ptr ? sioc__node_ns_find(n, m.nsp) : SIOC__NIL;
        if (e == SIOC_ERR_UNSUPPORTED && ns != SIOC__NIL && !sioc__node_is_own(n, &m.uid) &&
            !(m.requester_uid.ptr && m.requester_uid.len))
            sioc__node_peer_seen(n, ns, m.uid, now_ms);
        return sioc__node_dropped(n, ns, &m, e);
    }
    /* Node uses the body's values from here on (§2.2); decode checked that they agree with the properties. */
    if (!sioc__node_admit(n, &m.nsp, &m.uid, &m.requester_uid, &ns)) return SIOC_OK;
    return sioc__node_process(n, ns, &m, now_ms);
}

SIOC_API sioc_result sioc_node_receive(sioc_node *n, const sioc_msg *m, uint64_t now_ms) {
    uint32_t ns;
    if (!sioc__node_receiving(n)) return SIOC__NODE_RX_OFF;
    if (!m->nsp.ptr || !m->uid.ptr || m->type < 1 || m->type > 13) {
        sioc_msg c = *m;
        if (!c.error_field) c.error_field = !m->nsp.ptr ? "nsp" : !m->uid.ptr ? "uid" : "type";
        return sioc__node_dropped(n, SIOC__NIL, &c, m->type < 1 || m->type > 13 ? SIOC_ERR_UNSUPPORTED : SIOC_ERR_PROTOCOL);
    }
    if (!sioc__node_admit(n, &m->nsp, &m->uid, &m->requester_uid, &ns)) return SIOC_OK;
    return sioc__node_process(n, ns, m, now_ms);
}

/* ---- time ---- */

/* The node's timers, one walk for both calls: with fire, what is due at now_ms runs (§5 rule 3: a peer silent for
   strictly more than the timeout goes; request and ack timeouts, Q8: responders forget ack registrations; §5 rule
   5: heartbeats); returns the earliest deadline of what is still pending. An emitter has no peers, requests, ack
   registrations or heartbeats: no timers. */
/* A timer at t: 1 when it fires now, else 0 with *d lowered to t. */
static SIOC__OUTLINE int sioc__node_due(uint64_t *d, uint64_t t, uint64_t now_ms, int fire) {
    if (fire && now_ms >= t) return 1;
    *d = SIOC__MIN(*d, t);
    return 0;
}

static uint64_t sioc__node_timers(sioc_node *n, uint64_t now_ms, int fire) {
    uint64_t d = UINT64_MAX;
    uint32_t i, k;
    if (!n->p_mem || n->state == SIOC_NODE_CLOSED || SIOC__NODE_EMITTER(n)) return UINT64_MAX;
    for (i = 0; i < n->p_n_ns; i++) {
        struct sioc__node_ns *s = &n->p_ns[i];
        for (k = s->n_peers; k-- > 0;) {
            /* silent for more than the timeout; a deadline past the clock's range never comes */
            uint64_t t = sioc__node_add(s->peers[k].last_seen, (uint64_t)n->p_desc.heartbeat_timeout_ms + 1);
            if (sioc__node_due(&d, t, now_ms, fire && t != UINT64_MAX)) {
                sioc__node_count(&n->counters.peers_expired);
                sioc__node_peer_remove(n, i, k, SIOC_ERR_TIMEOUT);
            }
        }
    }
#if SIOC_ENABLE_REQUESTS
    for (i = 0; i < n->p_desc.max_requests; i++) {
        struct sioc__node_req *q = &n->p_reqs[i];
        if (!q->handle) continue;
        if (sioc__node_due(&d, q->deadline, now_ms, fire)) sioc__node_req_done(n, q, SIOC_ERR_TIMEOUT);
    }
#endif
    for (i = 0; i < n->p_desc.max_acks; i++) {
        struct sioc__node_ack *a = &n->p_acks[i];
        if (!a->handle) continue;
        if (sioc__node_due(&d, a->expires, now_ms, fire)) sioc__node_ack_free(a);
    }
    for (i = 0; i < n->p_n_ns && n->state == SIOC_NODE_READY; i++) {
        struct sioc__node_ns *s = &n->p_ns[i];
        if (sioc__node_due(&d, sioc__node_add(s->last_pub, n->p_desc.heartbeat_interval_ms), now_ms, fire)) {
            sioc__node_pub p;
            sioc__node_pub_init(&p, SIOC_MSG_HEARTBEAT);
            if (sioc__node_publish(n, i, &p, now_ms) != SIOC_OK) {
                sioc__node_count(&n->counters.publish_failed);
                s->last_pub = now_ms; /* try again one interval later, never in a hot loop */
            }
        }
    }
    return d;
}

SIOC_API uint64_t sioc_node_next_deadline(const sioc_node *n, uint64_t now_ms) {
    return sioc__node_timers((sioc_node *)(uintptr_t)n, now_ms, 0); /* without fire nothing is written */
}

SIOC_API void sioc_node_tick(sioc_node *n, uint64_t now_ms) { (void)sioc__node_timers(n, now_ms, 1); }

/* ---- ready / close ---- */

SIOC_API sioc_result sioc_node_set_ready(sioc_node *n, int ready, uint64_t now_ms) {
    sioc__node_erec h;
    sioc_str uid;
    uint32_t i;
    if (!n->p_mem || n->state >= SIOC_NODE_CLOSING) return SIOC_ERR_STATE;
    ready = ready != 0;
    if (ready == n->ready) return SIOC_OK;
    n->ready = ready;
    n->state = ready ? SIOC_NODE_READY : SIOC_NODE_STARTING;
    sioc__node_erec_init(&h, ready ? SIOC_NODE_EV_READY : SIOC_NODE_EV_NOT_READY, SIOC__NIL);
    uid = sioc_str_n(n->uid, n->uid_len);
    sioc__node_emit(n, &h, &uid, NULL);
    SIOC__NODE_LOG(n, SIOC_LOG_INFO, ready ? "ready" : "not ready", sioc_str_n("", 0), SIOC_OK);
    if (ready && !SIOC__NODE_EMITTER(n)) {
        for (i = 0; i < n->p_n_ns; i++) { /* §5 rule 4, docs/AWS.md §2.1 step 6 */
            sioc__node_pub p;
            sioc__node_pub_init(&p, SIOC_MSG_INITIAL_HEARTBEAT);
            sioc__node_publish_internal(n, i, &p, now_ms);
            n->p_ns[i].last_pub = now_ms;
        }
    }
    return SIOC_OK;
}

SIOC_API sioc_result sioc_node_close(sioc_node *n, uint64_t now_ms) {
    uint32_t i;
    if (!n->p_mem || n->state >= SIOC_NODE_CLOSING) return SIOC_ERR_STATE;
    if (!SIOC__NODE_EMITTER(n)) { /* an emitter has no requests or ack registrations, and leaves unannounced */
#if SIOC_ENABLE_REQUESTS
        for (i = 0; i < n->p_desc.max_requests; i++)
            if (n->p_reqs[i].handle) sioc__node_req_done(n, &n->p_reqs[i], SIOC_ERR_CLOSED);
#endif
        for (i = 0; i < n->p_desc.max_acks; i++) sioc__node_ack_free(&n->p_acks[i]);
        for (i = 0; i < n->p_n_ns; i++) { /* docs/AWS.md §2.4 step 1: peers forget us at once (§5 rule 6) */
            sioc__node_pub p;
            sioc__node_pub_init(&p, SIOC_MSG_ADAPTER_CLOSE);
            sioc__node_publish_internal(n, i, &p, now_ms);
        }
    }
    n->state = SIOC_NODE_CLOSING;
    SIOC__NODE_LOG(n, SIOC_LOG_INFO, "closing", sioc_str_n("", 0), SIOC_OK);
    sioc__node_closed_check(n);
    return SIOC_OK;
}

/* ---- client acks ---- */

/* The pending ack broadcast a local socket's answer to ack id `id` belongs to: *slot, *k (its index in the socket's
   ack list) and *a. SIOC_ERR_NOT_FOUND when there is none (a stale id is dropped from the socket). */
static sioc_result sioc__node_ack_lookup(sioc_node *n, uint32_t ns, sioc_str sid, int64_t id, uint32_t *slot,
                                         uint32_t *k, struct sioc__node_ack **a) {
    struct sioc__node_sock *s;
    *slot = sioc__node_sock_find(n, ns, sid);
    if (*slot == SIOC__NIL || id < 0) return SIOC_ERR_NOT_FOUND;
    s = &n->p_socks[*slot];
    for (*k = 0; *k < s->n_acks && s->acks[*k] != (uint64_t)id; (*k)++) {
    }
    if (*k == s->n_acks) return SIOC_ERR_NOT_FOUND;
    *a = sioc__node_ack_find(n, ns, (uint64_t)id);
    if (!*a) { /* expired: the id is stale */
        s->acks[*k] = s->acks[--s->n_acks];
        return SIOC_ERR_NOT_FOUND;
    }
    return SIOC_OK;
}

/* A local client's ack value (one msgpack value) for a pending ack broadcast: published to the requester (type
   12, §6.3 responder step 3), or for our own ack broadcast a BROADCAST_ACK event. */
static sioc_result sioc__node_ack_answer(sioc_node *n, uint32_t ns, uint32_t slot, uint32_t k,
                                         struct sioc__node_ack *a, sioc_bytes value, uint64_t now_ms) {
    struct sioc__node_sock *s = &n->p_socks[slot];
#if SIOC_ENABLE_REQUESTS
    struct sioc__node_req *q = NULL;
#endif
    if (!SIOC_ENABLE_REQUESTS || a->kind == SIOC__ACK_CLIENT) { /* without requests there is no other kind here */
        sioc__node_pub pub;
        sioc_result r;
        sioc_str rid = sioc_str_n(a->request_id, a->id_len);
        sioc__node_pub_init(&pub, SIOC_MSG_BROADCAST_ACK);
        pub.request_id = &rid;
        pub.packet = value;
        pub.requester = sioc_str_n(a->requester, a->req_len);
        r = sioc__node_publish(n, ns, &pub, now_ms);
        if (r != SIOC_OK) return r; /* the ack stays pending: the application may retry */
    }
#if SIOC_ENABLE_REQUESTS
    else {
        sioc__node_erec h;
        uint32_t i;
        for (i = 0; i < n->p_desc.max_requests; i++)
            if (n->p_reqs[i].handle == a->req) q = &n->p_reqs[i];
        if (q) {
            sioc_str uid = sioc_str_n(n->uid, n->uid_len);
            sioc__node_erec_init(&h, SIOC_NODE_EV_BROADCAST_ACK, ns);
            h.request = q->handle;
            h.request_kind = q->kind;
            h.user = q->user;
            h.has_packet = 1;
            sioc__node_emit(n, &h, &uid, &value);
            q->acks++;
        }
    }
#endif
    s->acks[k] = s->acks[--s->n_acks];
    if (a->remaining && --a->remaining == 0) sioc__node_ack_free(a);
#if SIOC_ENABLE_REQUESTS
    if (q) sioc__node_back_check(n, q);
#endif
    return SIOC_OK;
}

SIOC_API sioc_result sioc_node_client_ack(sioc_node *n, sioc_str sid, const sioc_sio_packet *p, const sioc_bytes *att,
                                          size_t n_att, uint64_t now_ms) {
    struct sioc__node_ack *a;
    uint32_t ns, slot, k;
    sioc_buf b;
    sioc_result r;
    if (!n->p_mem) return SIOC_ERR_STATE;
    if (p->type != SIOC_SIO_ACK && p->type != SIOC_SIO_BINARY_ACK) return SIOC_ERR_TYPE;
    ns = sioc__node_ns_find(n, p->nsp);
    r = sioc__node_ack_lookup(n, ns, sid, p->id, &slot, &k, &a);
    if (r != SIOC_OK) return r;
    sioc_buf_init(&b, n->p_scratch, n->p_desc.ack_scratch_size);
    r = sioc_sio_ack_arg(p, att, n_att, &b);
    if (r != SIOC_OK) return r == SIOC_ERR_BUFFER_TOO_SMALL ? SIOC_ERR_LIMIT : r;
    return sioc__node_ack_answer(n, ns, slot, k, a, sioc_bytes_n(n->p_scratch, b.len), now_ms);
}

SIOC_API sioc_result sioc_node_client_ack_text(sioc_node *n, sioc_str sid, const char *text, size_t len,
                                               const sioc_bytes *att, size_t n_att, uint64_t now_ms) {
    sioc_sio_packet p;
    sioc_result r;
    if (!n->p_mem) return SIOC_ERR_STATE;
    r = sioc_sio_decode(&p, text, len, n->p_toks, n->p_desc.max_ack_tokens, n->p_desc.max_attachments);
    if (r != SIOC_OK) return r;
    return sioc_node_client_ack(n, sid, &p, att, n_att, now_ms);
}

SIOC_API sioc_result sioc_node_client_ack_value(sioc_node *n, sioc_str nsp, sioc_str sid, int64_t ack_id,
                                                sioc_bytes value, uint64_t now_ms) {
    static const uint8_t nil = 0xc0; /* ack() without arguments: Node sends packet: nil (§8) */
    struct sioc__node_ack *a;
    uint32_t ns, slot, k;
    sioc_result r;
    if (!n->p_mem) return SIOC_ERR_STATE;
    if (!sioc__node_valid_value(value)) return SIOC_ERR_ARG;
    ns = sioc__node_ns_find(n, nsp);
    r = sioc__node_ack_lookup(n, ns, sid, ack_id, &slot, &k, &a);
    if (r != SIOC_OK) return r;
    return sioc__node_ack_answer(n, ns, slot, k, a, value.ptr ? value : sioc_bytes_n(&nil, 1), now_ms);
}

/* ---- operations ---- */

static sioc_result sioc__node_opts(const sioc_node_opts *o, sioc_msg_opts_desc *d, int *local) {
    memset(d, 0, sizeof *d);
    *local = 0;
    if (!o) return SIOC_OK;
    if ((o->n_rooms && !o->rooms) || (o->n_except && !o->except)) return SIOC_ERR_ARG;
    d->rooms = o->n_rooms ? o->rooms : NULL;
    d->n_rooms = o->n_rooms;
    d->except = o->n_except ? o->except : NULL;
    d->n_except = o->n_except;
    d->flags = o->flags;
    d->flags.raw.ptr = NULL; /* written from the bits, so the timeout we set is what travels */
    d->flags.raw.len = 0;
    *local = o->local != 0;
    return SIOC_OK;
}

/* [event, args...] with a string event name a client and Node accept (sse: also not a namespace event). */
static sioc_result sioc__node_check_packet(sioc_bytes packet, int sse) {
    sioc_msgpack_reader r;
    uint32_t count;
    sioc_str ev;
    if (!packet.ptr || sioc_msgpack_check(packet.ptr, packet.len) != SIOC_OK) return SIOC_ERR_ARG;
    sioc_msgpack_reader_init(&r, packet.ptr, packet.len);
    if (sioc_msgpack_read_array(&r, &count) != SIOC_OK || count == 0) return SIOC_ERR_ARG;
    if (sioc_msgpack_read_str(&r, &ev) != SIOC_OK || sioc_sio_is_reserved_event(ev.ptr, ev.len)) return SIOC_ERR_ARG;
    /* "connect" is reserved already */
    if (sse &&
        ((ev.len == 10 && !memcmp(ev.ptr, "connection", 10)) || (ev.len == 13 && !memcmp(ev.ptr, "new_namespace", 13))))
        return SIOC_ERR_ARG;
    return SIOC_OK;
}

static sioc_result sioc__node_check_names(const sioc_str *names, size_t count) {
    size_t i;
    if (count && !names) return SIOC_ERR_ARG;
    for (i = 0; i < count; i++)
        if (!sioc__node_name_ok(names[i])) return SIOC_ERR_ARG;
    return SIOC_OK;
}

#if SIOC_ENABLE_REQUESTS
/* Publish the message of request q (p: its type and payload set) under a fresh request id, checked as every
   message with the application's values is. */
static sioc_result sioc__node_publish_request(sioc_node *n, uint32_t ns, struct sioc__node_req *q, sioc__node_pub *p,
                                              uint64_t now_ms) {
    sioc_str rid;
    sioc_result r = sioc__node_random_hex(n, q->id);
    if (r != SIOC_OK) return r;
    rid = sioc_str_n(q->id, 16);
    p->request_id = &rid;
    p->check = 1;
    return sioc__node_publish(n, ns, p, now_ms);
}
#else
/* Built without requests (SIOC_ENABLE_REQUESTS 0): a request starter changes nothing. */
static sioc_result sioc__node_no_request(uint32_t *out_request) {
    if (out_request) *out_request = 0;
    return SIOC_ERR_UNSUPPORTED;
}
#endif

SIOC_API sioc_result sioc_node_broadcast(sioc_node *n, sioc_str nsp, const sioc_node_opts *opts, sioc_bytes packet,
                                         uint64_t now_ms) {
    sioc_msg_opts_desc d;
    sioc__node_pub p;
    uint32_t ns;
    int local;
    sioc_result r;
    if ((r = sioc__node_opts(opts, &d, &local)) != SIOC_OK) return r;
    if ((r = sioc__node_check_packet(packet, 0)) != SIOC_OK) return r;
    if ((r = sioc__node_api_ns(n, nsp, now_ms, &ns)) != SIOC_OK) return r;
    if (!local) {
        sioc__node_pub_init(&p, SIOC_MSG_BROADCAST);
        p.check = 1;
        p.opts = &d;
        p.packet = packet;
        if ((r = sioc__node_publish(n, ns, &p, now_ms)) != SIOC_OK) return r;
    }
    if (!SIOC__NODE_EMITTER(n)) /* an emitter has no sockets of its own */
        (void)sioc__node_deliver(n, ns, n->p_sel_out, sioc__node_select(n, ns, NULL, &d), packet, -1, &d.flags, NULL);
    return SIOC_OK;
}

SIOC_API sioc_result sioc_node_broadcast_ack(sioc_node *n, sioc_str nsp, const sioc_node_opts *opts, sioc_bytes packet,
                                             uint32_t timeout_ms, void *user, uint32_t *out_request, uint64_t now_ms) {
#if SIOC_ENABLE_REQUESTS
    sioc_msg_opts_desc d;
    sioc__node_pub p;
    struct sioc__node_req *q;
    struct sioc__node_ack *reg;
    uint32_t ns;
    int local;
    int64_t ack_id;
    size_t k;
    sioc_result r;
    if (out_request) *out_request = 0;
    if (SIOC__NODE_EMITTER(n)) return SIOC_ERR_STATE; /* §7: nothing with a requestId */
    if (timeout_ms == 0) return SIOC_ERR_ARG;         /* Q7 */
    if ((r = sioc__node_opts(opts, &d, &local)) != SIOC_OK) return r;
    if ((r = sioc__node_check_packet(packet, 0)) != SIOC_OK) return r;
    if ((r = sioc__node_api_ns(n, nsp, now_ms, &ns)) != SIOC_OK) return r;
    d.flags.present |= SIOC_MSG_FLAG_TIMEOUT;
    d.flags.timeout_ms = timeout_ms;
    q = sioc__node_req_alloc(n, SIOC_NODE_REQ_BROADCAST_ACK, ns, user);
    if (!q) return SIOC_ERR_LIMIT;
    reg = sioc__node_ack_alloc(n, SIOC__ACK_LOCAL, ns, sioc__node_add(now_ms, timeout_ms));
    if (!reg) {
        q->handle = 0;
        return SIOC_ERR_LIMIT;
    }
    if (!local) {
        sioc__node_pub_init(&p, SIOC_MSG_BROADCAST);
        p.opts = &d;
        p.packet = packet;
        if ((r = sioc__node_publish_request(n, ns, q, &p, now_ms)) != SIOC_OK) goto fail;
    }
    /* §6.3: this node is one server whose client count is its local delivery; the others are the live peers
       at send time (a local-only emit waits for nobody else, unlike Node, Q10). */
    q->expected_servers = 1 + (local ? 0 : n->p_ns[ns].n_peers);
    q->servers = 1;
    q->deadline = sioc__node_add(now_ms, timeout_ms);
    ack_id = (int64_t)(n->p_ns[ns].next_ack_id++ & 0x1fffffffffffffu);
    reg->ack_id = (uint64_t)ack_id;
    reg->req = q->handle;
    k = sioc__node_select(n, ns, NULL, &d);
    (void)sioc__node_deliver(n, ns, n->p_sel_out, k, packet, ack_id, &d.flags, reg);
    q->expected_acks = reg->remaining;
    if (reg->remaining == 0) sioc__node_ack_free(reg);
    if (out_request) *out_request = q->handle;
    sioc__node_back_check(n, q);
    return SIOC_OK;
fail:
    sioc__node_ack_free(reg);
    q->handle = 0;
    return r;
#else
    (void)n; (void)nsp; (void)opts; (void)packet; (void)timeout_ms; (void)user; (void)now_ms;
    return sioc__node_no_request(out_request);
#endif
}

static sioc_result sioc__node_rooms_op(sioc_node *n, int type, sioc_str nsp, const sioc_node_opts *opts,
                                       const sioc_str *rooms, size_t n_rooms, uint64_t now_ms) {
    sioc_msg_opts_desc d;
    sioc__node_pub p;
    uint32_t ns;
    int local;
    size_t k, i, j;
    sioc_result r;
    if ((r = sioc__node_opts(opts, &d, &local)) != SIOC_OK) return r;
    if ((r = sioc__node_check_names(rooms, n_rooms)) != SIOC_OK) return r;
    if ((r = sioc__node_api_ns(n, nsp, now_ms, &ns)) != SIOC_OK) return r;
    if (!local) {
        sioc__node_pub_init(&p, type);
        p.check = 1;
        p.opts = &d;
        p.rooms = rooms;
        p.n_rooms = n_rooms;
        if ((r = sioc__node_publish(n, ns, &p, now_ms)) != SIOC_OK) return r;
    }
    k = sioc__node_select(n, ns, NULL, &d);
    for (i = 0; i < k; i++)
        for (j = 0; j < n_rooms; j++) {
            if (type == SIOC_MSG_SOCKETS_JOIN) {
                if (sioc__node_join(n, n->p_sel_out[i], rooms[j]) != SIOC_OK) sioc__node_count(&n->counters.limits);
            } else {
                sioc__node_leave(n, n->p_sel_out[i], rooms[j]);
            }
        }
    return SIOC_OK;
}

SIOC_API sioc_result sioc_node_sockets_join(sioc_node *n, sioc_str nsp, const sioc_node_opts *opts,
                                            const sioc_str *rooms, size_t n_rooms, uint64_t now_ms) {
    return sioc__node_rooms_op(n, SIOC_MSG_SOCKETS_JOIN, nsp, opts, rooms, n_rooms, now_ms);
}

SIOC_API sioc_result sioc_node_sockets_leave(sioc_node *n, sioc_str nsp, const sioc_node_opts *opts,
                                             const sioc_str *rooms, size_t n_rooms, uint64_t now_ms) {
    return sioc__node_rooms_op(n, SIOC_MSG_SOCKETS_LEAVE, nsp, opts, rooms, n_rooms, now_ms);
}

SIOC_API sioc_result sioc_node_disconnect_sockets(sioc_node *n, sioc_str nsp, const sioc_node_opts *opts, int close,
                                                  uint64_t now_ms) {
    sioc_msg_opts_desc d;
    sioc__node_pub p;
    uint32_t ns;
    int local;
    sioc_result r;
    if ((r = sioc__node_opts(opts, &d, &local)) != SIOC_OK) return r;
    if ((r = sioc__node_api_ns(n, nsp, now_ms, &ns)) != SIOC_OK) return r;
    if (!local) {
        sioc__node_pub_init(&p, SIOC_MSG_DISCONNECT_SOCKETS);
        p.check = 1;
        p.opts = &d;
        p.close = close != 0;
        if ((r = sioc__node_publish(n, ns, &p, now_ms)) != SIOC_OK) return r;
    }
    sioc__node_disconnect_sel(n, sioc__node_select(n, ns, NULL, &d), close != 0);
    return SIOC_OK;
}

SIOC_API sioc_result sioc_node_fetch_sockets(sioc_node *n, sioc_str nsp, const sioc_node_opts *opts, void *user,
                                             uint32_t *out_request, uint64_t now_ms) {
#if SIOC_ENABLE_REQUESTS
    sioc_msg_opts_desc d;
    sioc__node_pub p;
    sioc__node_sockets_ctx c;
    sioc__node_erec h;
    struct sioc__node_req *q;
    uint32_t ns;
    int local;
    sioc_result r;
    if (out_request) *out_request = 0;
    if (SIOC__NODE_EMITTER(n)) return SIOC_ERR_STATE;
    if ((r = sioc__node_opts(opts, &d, &local)) != SIOC_OK) return r;
    if ((r = sioc__node_api_ns(n, nsp, now_ms, &ns)) != SIOC_OK) return r;
    q = sioc__node_req_alloc(n, SIOC_NODE_REQ_FETCH_SOCKETS, ns, user);
    if (!q) return SIOC_ERR_LIMIT;
    if (!local && n->p_ns[ns].n_peers > 0) { /* §6.1 step 3 */
        sioc__node_pub_init(&p, SIOC_MSG_FETCH_SOCKETS);
        p.opts = &d;
        if ((r = sioc__node_publish_request(n, ns, q, &p, now_ms)) != SIOC_OK) {
            q->handle = 0;
            return r;
        }
        sioc__node_req_snapshot(n, q);
        q->deadline = sioc__node_add(now_ms, sioc__node_flag_timeout(n, &d.flags)); /* Q27 */
    }
    if (out_request) *out_request = q->handle;
    c.n_sel = sioc__node_select(n, ns, NULL, &d);
    c.sel = n->p_sel_out;
    sioc__node_erec_init(&h, SIOC_NODE_EV_FETCH_SOCKETS, ns);
    h.request = q->handle;
    h.request_kind = q->kind;
    h.user = user;
    (void)sioc__node_emit_fill(n, &h, sioc__node_fill_sockets, &c);
    if (q->missing == 0) sioc__node_req_done(n, q, SIOC_OK); /* §6.1 step 2: local only */
    return SIOC_OK;
#else
    (void)n; (void)nsp; (void)opts; (void)user; (void)now_ms;
    return sioc__node_no_request(out_request);
#endif
}

SIOC_API sioc_result sioc_node_server_side_emit(sioc_node *n, sioc_str nsp, sioc_bytes packet, uint64_t now_ms) {
    sioc__node_pub p;
    uint32_t ns;
    sioc_result r;
    if ((r = sioc__node_check_packet(packet, 1)) != SIOC_OK) return r;
    if ((r = sioc__node_api_ns(n, nsp, now_ms, &ns)) != SIOC_OK) return r;
    sioc__node_pub_init(&p, SIOC_MSG_SERVER_SIDE_EMIT);
    p.check = 1;
    p.packet = packet;
    return sioc__node_publish(n, ns, &p, now_ms);
}

SIOC_API sioc_result sioc_node_server_side_emit_ack(sioc_node *n, sioc_str nsp, sioc_bytes packet, void *user,
                                                    uint32_t *out_request, uint64_t now_ms) {
#if SIOC_ENABLE_REQUESTS
    sioc__node_pub p;
    struct sioc__node_req *q;
    uint32_t ns;
    sioc_result r;
    if (out_request) *out_request = 0;
    if (SIOC__NODE_EMITTER(n)) return SIOC_ERR_STATE;
    if ((r = sioc__node_check_packet(packet, 1)) != SIOC_OK) return r;
    if ((r = sioc__node_api_ns(n, nsp, now_ms, &ns)) != SIOC_OK) return r;
    q = sioc__node_req_alloc(n, SIOC_NODE_REQ_SERVER_SIDE_EMIT, ns, user);
    if (!q) return SIOC_ERR_LIMIT;
    if (out_request) *out_request = q->handle;
    if (n->p_ns[ns].n_peers == 0) { /* §6.2: nobody to ask, done at once and nothing published */
        sioc__node_req_done(n, q, SIOC_OK);
        return SIOC_OK;
    }
    sioc__node_pub_init(&p, SIOC_MSG_SERVER_SIDE_EMIT);
    p.packet = packet;
    if ((r = sioc__node_publish_request(n, ns, q, &p, now_ms)) != SIOC_OK) goto fail;
    sioc__node_req_snapshot(n, q);
    q->deadline = sioc__node_add(now_ms, n->p_desc.request_timeout_ms);
    return SIOC_OK;
fail:
    q->handle = 0;
    if (out_request) *out_request = 0;
    return r;
#else
    (void)n; (void)nsp; (void)packet; (void)user; (void)now_ms;
    return sioc__node_no_request(out_request);
#endif
}

SIOC_API sioc_result sioc_node_server_side_ack(sioc_node *n, uint32_t ack, sioc_bytes value, uint64_t now_ms) {
    sioc__node_pub p;
    struct sioc__node_ack *a = NULL;
    uint32_t i;
    sioc_result r;
    sioc_str rid;
    if (!n->p_mem || ack == 0) return SIOC_ERR_NOT_FOUND;
    for (i = 0; i < n->p_desc.max_acks; i++)
        if (n->p_acks[i].handle == ack && n->p_acks[i].kind == SIOC__ACK_SSE) a = &n->p_acks[i];
    if (!a) return SIOC_ERR_NOT_FOUND;
    if (!sioc__node_valid_value(value)) return SIOC_ERR_ARG;
    rid = sioc_str_n(a->request_id, a->id_len);
    sioc__node_pub_init(&p, SIOC_MSG_SERVER_SIDE_EMIT_RESPONSE);
    p.check = 1;
    p.request_id = &rid;
    p.packet = value;
    p.requester = sioc_str_n(a->requester, a->req_len);
    r = sioc__node_publish(n, a->ns, &p, now_ms);
    if (r == SIOC_OK) sioc__node_ack_free(a); /* later answers are ignored, as Node's once() */
    return r;
}

/* ---- for transports that pace their receives ---- */

SIOC_API size_t sioc_node_pending_requests(const sioc_node *n) {
#if SIOC_ENABLE_REQUESTS
    size_t k = 0;
    uint32_t i;
    if (!n || !n->p_mem) return 0;
    for (i = 0; i < n->p_desc.max_requests; i++) k += n->p_reqs[i].handle != 0;
    return k;
#else
    (void)n;
    return 0; /* this build starts none */
#endif
}
/* ---- src/http.c ---- */
/* ---- http.c: request writer, response parser, connection engine ----
   Framing follows RFC 9112 (HTTP/1.1 messages): section 4 status line, 5 field lines, 6.3 message body length,
   7.1 chunked coding, 9.3 persistence. The engine is the BearSSL pattern applied to HTTP: the caller moves bytes
   through buffers the engine exposes and acknowledges them; the engine never calls the network. */

#if SIOC_TLS != SIOC_TLS_NONE && SIOC_TLS != SIOC_TLS_MBEDTLS && SIOC_TLS != SIOC_TLS_BEARSSL
#error "SIOC_TLS must be SIOC_TLS_NONE, SIOC_TLS_MBEDTLS or SIOC_TLS_BEARSSL"
#endif

/* Defined by the compiled-in backend (tls_none.c, tls_mbedtls.c or tls_bearssl.c), later in the amalgamation. */
static const sioc_tls_ops *sioc__tls_ops(void);

/* ---- small text helpers (ASCII, locale-free) ---- */

enum { SIOC__HC_TCHAR = 0, SIOC__HC_HOST = 12 };

/* 1 when c is in a character class: bitmaps over 0x20..0x7f, 12 bytes each. SIOC__HC_TCHAR: RFC 9110 5.6.2
   tchar; SIOC__HC_HOST: what a host name of an origin may hold (letters, digits, '-', '.', '_'). */
static int sioc__http_class(int c, int cls) {
    static const uint8_t bits[24] = {0xfa, 0x6c, 0xff, 0x03, 0xfe, 0xff, 0xff, 0xc7, 0xff, 0xff, 0xff, 0x57,
                                     0x00, 0x60, 0xff, 0x03, 0xfe, 0xff, 0xff, 0x87, 0xfe, 0xff, 0xff, 0x07};
    unsigned u = (unsigned)c - 32u;
    return u < 96u && ((bits[cls + (int)(u >> 3)] >> (u & 7u)) & 1u);
}
#define sioc__http_tchar(c) sioc__http_class(c, SIOC__HC_TCHAR)

/* Field value octets (RFC 9110 5.5): VCHAR, SP, HTAB, obs-text; no other controls. */
static int sioc__http_vchar(int c) { return c >= 0x20 ? c != 0x7f : c == '\t'; }

/* 1 when all n bytes at s are field value octets. */
static int sioc__http_vchars(const char *s, size_t n) {
    while (n--)
        if (!sioc__http_vchar((unsigned char)*s++)) return 0;
    return 1;
}

/* a[0..an) equals the string b, ignoring ASCII case. a holds no NUL (names and values are checked before), so
   the end of a shorter b is a mismatch like any other. */
static int sioc__http_ieq(const char *a, size_t an, const char *b) {
    size_t i;
    for (i = 0; i < an; i++)
        if (sioc__to_lower((unsigned char)a[i]) != sioc__to_lower((unsigned char)b[i])) return 0;
    return b[an] == 0;
}

static sioc_str sioc__http_trim(const char *p, size_t n) {
    sioc_str s;
    while (n > 0 && (p[0] == ' ' || p[0] == '\t')) p++, n--;
    while (n > 0 && (p[n - 1] == ' ' || p[n - 1] == '\t')) n--;
    s.ptr = p;
    s.len = n;
    return s;
}

/* The next item of the comma-separated list `v` from *pos on, trimmed (may be empty); 0 after the last one. */
static int sioc__http_item(sioc_str v, size_t *pos, sioc_str *item) {
    size_t i = *pos, j = i;
    if (i > v.len) return 0;
    while (j < v.len && v.ptr[j] != ',') j++;
    *item = sioc__http_trim(v.ptr + i, j - i);
    *pos = j + 1;
    return 1;
}

/* Header names the engine interprets itself; the first three frame the message, so a caller may not set them. */
enum { SIOC__HN_CONTENT_LENGTH, SIOC__HN_TRANSFER_ENCODING, SIOC__HN_HOST, SIOC__HN_CONNECTION, SIOC__HN_KEEP_ALIVE,
       SIOC__HN_OTHER };
static int sioc__http_name_id(const char *s, size_t n) {
    static const char *const names[SIOC__HN_OTHER] = {"content-length", "transfer-encoding", "host", "connection",
                                                      "keep-alive"};
    int i = 0;
    while (i < SIOC__HN_OTHER && !sioc__http_ieq(s, n, names[i])) i++;
    return i;
}

/* ---- 1. request writer ---- */

static int sioc__http_is_token(const char *s) {
    if (!s || !*s) return 0;
    for (; *s; s++)
        if (!sioc__http_tchar((unsigned char)*s)) return 0;
    return 1;
}

SIOC_API sioc_result sioc_http_write_head(sioc_buf *out, const sioc_http_request *req, const char *host,
                                          uint16_t port, int tls) {
    static const char *const body_methods[] = {"POST", "PUT", "PATCH"}; /* Content-Length: 0 even without a body */
    size_t i;
    const char *t;
    int need_cl;
    if (!req || !sioc__http_is_token(req->method) || !req->target || !req->target[0] || !host || !host[0] ||
        (req->header_count && !req->headers) || (req->body_len && !req->body))
        goto bad;
    for (t = req->target; *t; t++) /* origin-form: no blanks, controls or raw non-ASCII */
        if ((unsigned char)*t - 0x21u >= 0x5eu) goto bad;
    for (t = host; *t; t++)
        if ((unsigned char)*t - 0x21u >= 0x5eu || sioc__in_set("/@?#", *t)) goto bad;
    sioc_buf_puts(out, req->method);
    sioc_buf_putc(out, ' ');
    sioc_buf_puts(out, req->target);
    sioc_buf_puts(out, " HTTP/1.1\r\nHost: ");
    if (sioc__in_set(host, ':') && host[0] != '[') { /* IPv6 literal (RFC 3986 3.2.2) */
        sioc_buf_putc(out, '[');
        sioc_buf_puts(out, host);
        sioc_buf_putc(out, ']');
    } else {
        sioc_buf_puts(out, host);
    }
    if (port != (tls ? 443 : 80)) {
        sioc_buf_putc(out, ':');
        sioc_buf_put_u64(out, port);
    }
    sioc_buf_puts(out, "\r\n");
    for (i = 0; i < req->header_count; i++) {
        const sioc_http_header *h = &req->headers[i];
        size_t k;
        if (!h->name.len || !h->name.ptr || (h->value.len && !h->value.ptr)) goto bad;
        for (k = 0; k < h->name.len; k++)
            if (!sioc__http_tchar((unsigned char)h->name.ptr[k])) goto bad;
        if (!sioc__http_vchars(h->value.ptr, h->value.len)) goto bad;
        /* framing belongs to the engine: a second Host or length would be request smuggling */
        if (sioc__http_name_id(h->name.ptr, h->name.len) <= SIOC__HN_HOST) goto bad;
        sioc_buf_put(out, h->name.ptr, h->name.len);
        sioc_buf_puts(out, ": ");
        sioc_buf_put(out, h->value.ptr, h->value.len);
        sioc_buf_puts(out, "\r\n");
    }
    need_cl = req->body_len > 0;
    for (i = 0; i < SIOC__COUNT(body_methods); i++) need_cl |= !sioc__strcmp(req->method, body_methods[i]);
    if (need_cl) {
        sioc_buf_puts(out, "Content-Length: ");
        sioc_buf_put_u64(out, (uint64_t)req->body_len);
        sioc_buf_puts(out, "\r\n");
    }
    sioc_buf_puts(out, "\r\n");
    return sioc_buf_result(out);
bad:
    sioc_buf_fail(out, SIOC_ERR_ARG);
    return SIOC_ERR_ARG;
}

/* ---- 2. response parser ---- */

enum {
    SIOC__HP_STATUS = 0, /* status line */
    SIOC__HP_HEADER,     /* field lines */
    SIOC__HP_TRAILER,    /* trailer lines until the empty one */
    SIOC__HP_BODY_CL,    /* p_remaining body bytes */
    SIOC__HP_CHUNK_DATA, /* p_remaining chunk bytes */
    SIOC__HP_BODY_CLOSE, /* body until EOF (p_remaining UINT64_MAX: never runs out) */
    SIOC__HP_CHUNK_SIZE, /* p_ext_state 3: CRLF after chunk data; then chunk-size [BWS] [; ext] CRLF */
    SIOC__HP_NOBODY,     /* complete: DONE on the next call, without input */
    SIOC__HP_DONE
};

/* Forget the response so far: results and private state, except the memory and the two flags given. */
static void sioc__hp_clear(sioc_http_parser *p, int head_request, int started) {
    memset(p, 0, offsetof(sioc_http_parser, p_head));
    memset(&p->status, 0, sizeof *p - offsetof(sioc_http_parser, status));
    p->content_length = UINT64_MAX;
    p->reason.ptr = p->p_head;
    p->p_head_request = (uint8_t)head_request;
    p->p_started = (uint8_t)started;
}

SIOC_API void sioc_http_parser_init(sioc_http_parser *p, void *head_mem, size_t head_cap, sioc_http_hdr_ref *refs,
                                    size_t ref_cap) {
    memset(p, 0, sizeof *p);
    p->p_head = (char *)head_mem;
    p->p_head_cap = head_mem ? head_cap : 0;
    if (p->p_head_cap > UINT32_MAX) p->p_head_cap = UINT32_MAX; /* offsets are 32-bit */
    p->p_refs = refs;
    p->p_ref_cap = refs ? ref_cap : 0;
    sioc__hp_clear(p, 0, 0);
}

SIOC_API void sioc_http_parser_reset(sioc_http_parser *p, int head_request) { sioc__hp_clear(p, head_request != 0, 0); }

SIOC_API int sioc_http_parser_started(const sioc_http_parser *p) { return p->p_started; }

static sioc_result sioc__hp_fail(sioc_http_parser *p, sioc_result r) {
    if (p->p_err == SIOC_OK) p->p_err = r;
    return p->p_err;
}

SIOC_API void sioc_http_parser_header_at(const sioc_http_parser *p, size_t i, sioc_str *out_name,
                                         sioc_str *out_value) {
    const sioc_http_hdr_ref *r;
    SIOC_ASSERT(i < p->header_count);
    r = &p->p_refs[i];
    if (out_name) {
        out_name->ptr = p->p_head + r->name_off;
        out_name->len = r->name_len;
    }
    if (out_value) {
        out_value->ptr = p->p_head + r->value_off;
        out_value->len = r->value_len;
    }
}

SIOC_API sioc_result sioc_http_parser_header(const sioc_http_parser *p, const char *name, sioc_str *out_value) {
    size_t i;
    for (i = 0; p && i < p->header_count; i++) { /* no parser (a response without a head): nothing found */
        const sioc_http_hdr_ref *r = &p->p_refs[i];
        if (sioc__http_ieq(p->p_head + r->name_off, r->name_len, name)) {
            sioc_http_parser_header_at(p, i, NULL, out_value);
            return SIOC_OK;
        }
    }
    if (out_value) {
        out_value->ptr = "";
        out_value->len = 0;
    }
    return SIOC_ERR_NOT_FOUND;
}

/* The head is complete: work out framing and persistence (RFC 9112 6.3, 9.3). Content-Length may be a list of
   identical values (RFC 9110 8.6); different values, here or across headers, are not tolerated. */
static sioc_result sioc__hp_head_done(sioc_http_parser *p) {
    size_t i;
    int have_cl = 0, have_te = 0, te_chunked = 0, conn_close = 0, conn_ka = 0;
    uint64_t cl = 0;
    for (i = 0; i < p->header_count; i++) {
        sioc_str name, value, item;
        size_t k = 0;
        sioc_http_parser_header_at(p, i, &name, &value);
        int id = sioc__http_name_id(name.ptr, name.len);
        switch (id) {
        case SIOC__HN_CONTENT_LENGTH:
        case SIOC__HN_CONNECTION:
        case SIOC__HN_KEEP_ALIVE:
            while (sioc__http_item(value, &k, &item)) {
                const uint64_t top = (UINT64_MAX - 1) / 10; /* n * 10 + d must stay below UINT64_MAX */
                uint64_t n = 0;
                size_t d;
                if (id == SIOC__HN_CONNECTION) {
                    conn_close |= sioc__http_ieq(item.ptr, item.len, "close");
                    conn_ka |= sioc__http_ieq(item.ptr, item.len, "keep-alive");
                    continue;
                }
                if (id == SIOC__HN_KEEP_ALIVE) { /* the header's first "timeout=N" parameter */
                    uint32_t t = 0;
                    if (item.len < 8 || !sioc__http_ieq(item.ptr, 8, "timeout=")) continue;
                    for (d = 8; d < item.len && sioc__is_digit((unsigned char)item.ptr[d]) && t < 100000000u; d++)
                        t = t * 10u + (uint32_t)(item.ptr[d] - '0');
                    p->keep_alive_timeout_s = t;
                    k = value.len + 1; /* the header's last item */
                    continue;
                }
                if (item.len == 0) return SIOC_ERR_PROTOCOL;
                for (d = 0; d < item.len; d++) {
                    unsigned v = (unsigned char)item.ptr[d] - (unsigned)'0';
                    if (v > 9 || n > top || (n == top && v > (UINT64_MAX - 1) % 10)) return SIOC_ERR_PROTOCOL;
                    n = n * 10 + v;
                }
                if (have_cl && n != cl) return SIOC_ERR_PROTOCOL;
                cl = n;
                have_cl = 1;
            }
            break;
        case SIOC__HN_TRANSFER_ENCODING:
            /* We never send TE, so only a lone "chunked" is expected; any other coding (gzip, chunked twice)
               would hand undecoded bytes to the caller, so it is refused rather than passed through. */
            te_chunked = have_te == 0 && sioc__http_ieq(value.ptr, value.len, "chunked");
            have_te++;
            break;
        default:
            break;
        }
    }
    p->keep_alive = p->version_minor >= 1 ? !conn_close : (conn_ka && !conn_close);
    if (p->p_head_request || p->status == 204 || p->status == 304) {
        p->p_state = SIOC__HP_NOBODY;
        p->content_length = 0;
    } else if (have_te) {
        if (!te_chunked) return SIOC_ERR_UNSUPPORTED;
        p->chunked = 1;
        if (have_cl) p->keep_alive = 0; /* both: TE wins, and the connection is suspect (RFC 9112 6.3 rule 3) */
        p->p_state = SIOC__HP_CHUNK_SIZE;
    } else if (have_cl) {
        p->content_length = cl;
        p->p_remaining = cl;
        p->p_state = cl ? SIOC__HP_BODY_CL : SIOC__HP_NOBODY;
    } else {
        p->keep_alive = 0; /* the body ends when the connection does */
        p->p_remaining = UINT64_MAX;
        p->p_state = SIOC__HP_BODY_CLOSE;
    }
    return SIOC_OK;
}

/* One complete line (without its line end) at p_line_start. *out_ev is set to HEAD or DONE when one is reached.
   Reason phrases and field values are field-value octets: no controls but HTAB. */
static sioc_result sioc__hp_line(sioc_http_parser *p, sioc_http_pev *out_ev) {
    size_t off = p->p_line_start, n = p->p_head_len - off, i;
    const char *s = p->p_head + off;
    sioc_result r;
    if (p->p_state == SIOC__HP_STATUS) {
        /* "HTTP/1.x SSS[ reason]" (RFC 9112 4); "HTTP/1." was checked as it arrived. Only 1.0 and 1.1 are spoken. */
        int status = 0;
        if (n < 12 || (s[7] | 1) != '1' || s[8] != ' ' || (n > 12 && s[12] != ' ') || !sioc__http_vchars(s + 12, n - 12))
            return SIOC_ERR_PROTOCOL;
        for (i = 9; i < 12; i++) {
            unsigned d = (unsigned char)s[i] - (unsigned)'0';
            if (d > 9) return SIOC_ERR_PROTOCOL;
            status = status * 10 + (int)d;
        }
        if (status < 100) return SIOC_ERR_PROTOCOL;
        p->version_minor = s[7] - '0';
        p->status = status;
        p->reason.ptr = s + 12 + (n > 12);
        p->reason.len = n - 12 - (n > 12);
        p->p_state = SIOC__HP_HEADER;
    } else if (n > 0) {
        /* "name: value" (RFC 9112 5): no blank before the colon (which also catches obs-fold) */
        size_t colon = 0;
        sioc_str v;
        sioc_http_hdr_ref *ref;
        while (colon < n && sioc__http_tchar((unsigned char)s[colon])) colon++;
        if (colon == 0 || colon == n || s[colon] != ':' || !sioc__http_vchars(s + colon + 1, n - colon - 1))
            return SIOC_ERR_PROTOCOL;
        if (p->header_count >= p->p_ref_cap) return SIOC_ERR_LIMIT;
        v = sioc__http_trim(s + colon + 1, n - colon - 1);
        ref = &p->p_refs[p->header_count++];
        ref->name_off = (uint32_t)off;
        ref->name_len = (uint32_t)colon;
        ref->value_off = (uint32_t)(v.ptr - p->p_head);
        ref->value_len = (uint32_t)v.len;
    } else if (p->p_state == SIOC__HP_TRAILER) {
        p->p_state = SIOC__HP_DONE;
        *out_ev = SIOC_HTTP_PEV_DONE;
    } else if (p->status < 200) {
        /* Interim response (100 Continue, 103 Early Hints): skip it. 101 would switch protocols: never asked for. */
        if (p->status == 101) return SIOC_ERR_PROTOCOL;
        sioc__hp_clear(p, p->p_head_request, 1);
        return SIOC_OK;
    } else {
        r = sioc__hp_head_done(p);
        if (r != SIOC_OK) return r;
        *out_ev = SIOC_HTTP_PEV_HEAD;
    }
    p->p_line_start = p->p_head_len;
    return SIOC_OK;
}

/* Chunk framing from in[*i] on, up to the end of a chunk-size line. p_ext_state 3: the CRLF after chunk data;
   0: a size line begins, 1: size digits, 2: blanks after them, 4: an extension. */
static sioc_result sioc__hp_chunk_line(sioc_http_parser *p, const uint8_t *in, size_t len, size_t *i) {
    while (*i < len) {
        uint8_t ch = in[(*i)++], es = p->p_ext_state;
        int hv = sioc__hex_val(ch);
        if (ch == '\n') {
            p->p_cr = 0;
            if (es == 3) { /* a size line follows */
                p->p_ext_state = 0;
                p->p_ext_len = 0;
                continue;
            }
            if (es == 0) return SIOC_ERR_PROTOCOL; /* no digits */
            p->p_state = p->p_remaining ? SIOC__HP_CHUNK_DATA : SIOC__HP_TRAILER;
            return SIOC_OK;
        }
        if (p->p_cr) return SIOC_ERR_PROTOCOL;
        if (ch == '\r') {
            p->p_cr = 1;
        } else if (es == 3) {
            return SIOC_ERR_PROTOCOL;
        } else if (es == 4) {
            if (!sioc__http_vchar(ch)) return SIOC_ERR_PROTOCOL;
            if (++p->p_ext_len > SIOC_HTTP_MAX_CHUNK_EXT) return SIOC_ERR_LIMIT;
        } else if (hv >= 0 && es <= 1) {
            if (p->p_remaining >> 59) return SIOC_ERR_PROTOCOL; /* absurd size */
            p->p_remaining = p->p_remaining * 16u + (unsigned)hv;
            p->p_ext_state = 1;
        } else if (es && (ch == ' ' || ch == '\t')) {
            p->p_ext_state = 2;
        } else if (es && ch == ';') {
            p->p_ext_state = 4;
        } else {
            return SIOC_ERR_PROTOCOL;
        }
    }
    return SIOC_OK;
}

SIOC_API sioc_result sioc_http_parser_feed(sioc_http_parser *p, const uint8_t *in, size_t len, size_t *out_used,
                                           sioc_http_pev *out_ev, sioc_bytes *out_body) {
    size_t i = 0;
    sioc_result r = SIOC_OK;
    *out_used = 0;
    *out_ev = SIOC_HTTP_PEV_NEED_MORE;
    out_body->ptr = NULL;
    out_body->len = 0;
    if (p->p_err != SIOC_OK) return p->p_err;
    if (p->p_state == SIOC__HP_DONE) return SIOC_ERR_STATE;
    if (len > 0 && !in) return SIOC_ERR_ARG;
    while (r == SIOC_OK && *out_ev == SIOC_HTTP_PEV_NEED_MORE) {
        uint8_t st = p->p_state;
        if (st == SIOC__HP_NOBODY) {
            p->p_state = SIOC__HP_DONE;
            *out_ev = SIOC_HTTP_PEV_DONE;
            break;
        }
        if (i >= len) break;
        p->p_started = 1;
        if (st <= SIOC__HP_TRAILER) {
            const uint8_t *nl = (const uint8_t *)memchr(in + i, '\n', len - i);
            size_t take = nl ? (size_t)(nl - (in + i)) : len - i;
            if (take > p->p_head_cap - p->p_head_len) {
                r = SIOC_ERR_LIMIT;
                break;
            }
            memcpy(p->p_head + p->p_head_len, in + i, take);
            p->p_head_len += take;
            i += take;
            /* reject a non-HTTP peer at once, not after a line end */
            if (st == SIOC__HP_STATUS && memcmp(p->p_head, "HTTP/1.", SIOC__MIN(p->p_head_len, (size_t)7)) != 0) {
                r = SIOC_ERR_PROTOCOL;
                break;
            }
            if (!nl) break;
            i++; /* the LF; a CR before it is dropped (a lone LF is accepted, RFC 9112 2.2) */
            if (p->p_head_len > p->p_line_start && p->p_head[p->p_head_len - 1] == '\r') p->p_head_len--;
            r = sioc__hp_line(p, out_ev);
        } else if (st <= SIOC__HP_BODY_CLOSE) {
            size_t n = len - i;
            if ((uint64_t)n > p->p_remaining) n = (size_t)p->p_remaining;
            out_body->ptr = in + i;
            out_body->len = n;
            i += n;
            p->body_len += n;
            *out_ev = SIOC_HTTP_PEV_BODY;
            if ((p->p_remaining -= n) == 0) { /* never for BODY_CLOSE */
                p->p_state = (uint8_t)(st == SIOC__HP_BODY_CL ? SIOC__HP_NOBODY : SIOC__HP_CHUNK_SIZE);
                p->p_ext_state = 3;
            }
        } else {
            r = sioc__hp_chunk_line(p, in, len, &i);
        }
    }
    *out_used = i;
    return r != SIOC_OK ? sioc__hp_fail(p, r) : SIOC_OK; /* an error comes without an event or body */
}

SIOC_API sioc_result sioc_http_parser_eof(sioc_http_parser *p, sioc_http_pev *out_ev) {
    *out_ev = SIOC_HTTP_PEV_NEED_MORE;
    if (p->p_err != SIOC_OK) return p->p_err;
    if (p->p_state == SIOC__HP_BODY_CLOSE || p->p_state >= SIOC__HP_NOBODY) {
        p->p_state = SIOC__HP_DONE;
        *out_ev = SIOC_HTTP_PEV_DONE;
        return SIOC_OK;
    }
    return sioc__hp_fail(p, SIOC_ERR_CLOSED);
}

/* ---- 3. client engine ---- */

enum { /* connection states */
    SIOC__CS_FREE = 0,
    SIOC__CS_OPEN_PENDING,  /* OPEN not handed out yet */
    SIOC__CS_CONNECTING,    /* the app is connecting */
    SIOC__CS_HANDSHAKE,     /* TLS handshake */
    SIOC__CS_READY,         /* idle keep-alive connection */
    SIOC__CS_ACTIVE,        /* carrying a request */
    SIOC__CS_HELD,          /* its response is in the app's hands until the next sioc_http_next_response() */
    SIOC__CS_CLOSE_PENDING  /* CLOSE not handed out yet */
};

enum { /* request states */
    SIOC__RS_FREE = 0,
    SIOC__RS_QUEUED,
    SIOC__RS_ACTIVE,
    SIOC__RS_DONE, /* finished, waiting for pickup */
    SIOC__RS_HELD  /* handed out by the last sioc_http_next_response() */
};

struct sioc_http__ep {
    char host[SIOC_HTTP_MAX_HOST + 1];
    uint16_t port;
    uint8_t used, tls, engine_tls;
};

struct sioc_http__conn {
    sioc_http_parser parser;
    uint8_t state, dead, tls;
    int ep, req;             /* req: the request it carries (ACTIVE) or holds (HELD), else -1 */
    sioc_result last_err;    /* why it was closed */
    uint32_t served;         /* responses completed here: > 0 means a reused keep-alive connection */
    uint64_t since;          /* connect start, or idle start */
    uint32_t idle_limit;     /* ms this connection may stay idle */
    size_t out_head, out_body; /* bytes of the request head / body handed over so far */
    void *tls_mem;
    char why[64];            /* the I/O layer's or TLS backend's words for a failure (sioc_http_conn_reason) */
};

struct sioc_http__req {
    uint16_t gen;            /* kept across uses of the slot, like head */
    char *head;
    uint8_t state, idempotent, retried, fresh_only, head_request, overflow; /* from here on cleared at submit */
    int ep, conn, status;    /* conn: the connection carrying it (ACTIVE) or holding its response, else -1 */
    uint64_t deadline;
    uint32_t seq, done_seq;  /* submit and completion order (the low bits of p_seq; compared by sioc__older) */
    size_t head_len;
    const uint8_t *body;
    size_t body_len;
    void *tag;
    uint8_t *body_out;
    size_t body_out_cap, body_stored;
    size_t tail;             /* body_keep_tail: the last `tail` bytes of body_out keep the end once it overflowed */
    sioc_http_body_fn on_body;
    sioc_result result;
    uint64_t body_total;
    uint32_t timeout_ms;     /* the request's own deadline, for its detail text */
    char detail[SIOC_DETAIL_SIZE]; /* written when the request finishes; not cleared */
};

/* 1 when the engine runs TLS on connection k (never in a build without a TLS backend: that code drops out). */
#define SIOC__TLS_ON(k) (SIOC_TLS != SIOC_TLS_NONE && (k)->tls)

static void sioc__http_log(sioc_http_client *c, sioc_log_level lv, const char *what, int conn, sioc_result r) {
#if SIOC_ENABLE_LOG
    char line[160];
    sioc_buf b;
    if (!c->desc.logger.fn || lv > c->desc.logger.max_level) return;
    sioc_buf_init(&b, line, sizeof line - 1);
    sioc_buf_puts(&b, "http: ");
    sioc_buf_puts(&b, what);
    if (conn >= 0) {
        sioc_buf_puts(&b, " conn ");
        sioc_buf_put_u64(&b, (uint64_t)conn);
        if (c->p_conns[conn].ep >= 0) {
            const sioc_http__ep *e = &c->p_eps[c->p_conns[conn].ep];
            sioc_buf_putc(&b, ' ');
            sioc_buf_puts(&b, e->host);
            sioc_buf_putc(&b, ':');
            sioc_buf_put_u64(&b, e->port);
        }
    }
    if (r != SIOC_OK) {
        sioc_buf_puts(&b, ": ");
        sioc_buf_puts(&b, sioc_strerror(r));
    }
    line[SIOC__MIN(b.len, sizeof line - 1)] = 0;
    c->desc.logger.fn(c->desc.logger.user, lv, line);
#else
    (void)c, (void)lv, (void)what, (void)conn, (void)r;
#endif
}

/* One whole line to the logger (detail texts). */
static void sioc__http_log_text(sioc_http_client *c, sioc_log_level lv, const char *text) {
#if SIOC_ENABLE_LOG
    if (c->desc.logger.fn && lv <= c->desc.logger.max_level) c->desc.logger.fn(c->desc.logger.user, lv, text);
#else
    (void)c, (void)lv, (void)text;
#endif
}

/* 1 when sequence number a was taken before b, modulo 2^32: right while live requests are fewer than 2^31
   submissions apart (only the pickup and dispatch order depend on it). */
static int sioc__older(uint32_t a, uint32_t b) { return (int32_t)(a - b) < 0; }

static size_t sioc__align(size_t n) { return (n + 15u) & ~(size_t)15u; }

/* A body larger than body_out: the last `tail` bytes of body_out keep the body's end (a reply's last fields, e.g. a
   receipt handle), shifted left as overflowing bytes arrive. Only an oversized body takes this path. */
static void sioc__req_keep_tail(struct sioc_http__req *r, const uint8_t *p, size_t n) {
    uint8_t *win = r->body_out + r->body_out_cap - r->tail;
    if (n >= r->tail) { /* only the last `tail` bytes count */
        memcpy(win, p + n - r->tail, r->tail);
        return;
    }
    memmove(win, win + n, r->tail - n);
    memcpy(win + r->tail - n, p, n);
}

/* a*b+acc without wrapping; SIZE_MAX on overflow. */
static size_t sioc__mul_add(size_t acc, size_t a, size_t b) {
    size_t m;
    if (acc == SIZE_MAX || (a && b > (SIZE_MAX - 64) / a)) return SIZE_MAX;
    m = sioc__align(a * b);
    return m > SIZE_MAX - 64 - acc ? SIZE_MAX : acc + m;
}

/* The nine uint32_t sizes and times of sioc_http_client_desc from max_endpoints on: the default for 0, and the
   largest value allowed as a power of two (32: no limit). */
#define SIOC__DESC_U32(d, i) \
    ((uint32_t *)(void *)((char *)(d) + offsetof(sioc_http_client_desc, max_endpoints) + 4 * (i)))
typedef char sioc__desc_u32_check[offsetof(sioc_http_client_desc, idle_timeout_ms) -
                                           offsetof(sioc_http_client_desc, max_endpoints) == 32 ? 1 : -1];

SIOC_API sioc_result sioc_http_client_init(sioc_http_client *c, const sioc_http_client_desc *desc) {
    static const uint16_t defaults[9] = {4, 2, 16, 4096, 8192, 64, 30000, 10000, 30000};
    static const uint8_t max_log2[9] = {8, 6, 12, 32, 32, 16, 32, 32, 32};
    sioc_http_client_desc *d = &c->desc;
    size_t total = 0, i, conn_bytes, head_bytes;
    uint8_t *m;
    sioc_result r = SIOC_ERR_ARG;
    const char *why = SIOC__TEXT("http desc: max_endpoints <= 256, conns_per_endpoint <= 64, max_requests <= 4096, "
                                 "max_headers <= 65536");
    memset(c, 0, sizeof *c);
    c->p_held = -1;
    if (!desc) return SIOC_ERR_ARG;
    *d = *desc;
    for (i = 0; i < 9; i++) {
        uint32_t *f = SIOC__DESC_U32(d, i);
        if (!*f) *f = defaults[i];
        if (max_log2[i] < 32 && *f > (1u << max_log2[i])) goto fail;
    }
    if (d->ca_pem && !d->ca_pem_len) d->ca_pem_len = strlen(d->ca_pem);
#if !SIOC_ENABLE_LIBC_MALLOC
    if (!d->allocator.alloc || !d->allocator.free) {
        why = SIOC__TEXT("http desc: no allocator (built with SIOC_ENABLE_LIBC_MALLOC 0)");
        r = SIOC_ERR_DEPENDENCY;
        goto fail;
    }
#endif
    c->p_n_eps = d->max_endpoints;
    c->p_n_conns = d->max_endpoints * d->conns_per_endpoint;
    c->p_n_reqs = d->max_requests;
    head_bytes = sioc__align(d->response_head_size);
    conn_bytes = head_bytes + sioc__mul_add(0, d->max_headers, sizeof(sioc_http_hdr_ref));
    total = sioc__mul_add(total, c->p_n_eps, sizeof(sioc_http__ep));
    total = sioc__mul_add(total, c->p_n_conns, sizeof(sioc_http__conn));
    total = sioc__mul_add(total, c->p_n_reqs, sizeof(sioc_http__req));
    total = sioc__mul_add(total, c->p_n_conns, conn_bytes);
    total = sioc__mul_add(total, c->p_n_reqs, sioc__align(d->request_head_size));
    if (total == SIZE_MAX) {
        why = SIOC__TEXT("http desc: the sizes multiply beyond the address space");
        goto fail;
    }
    m = (uint8_t *)sioc__alloc(&d->allocator, total);
    if (!m) {
        if (SIOC_ENABLE_ERROR_STRINGS) {
            sioc_buf b;
            sioc__detail_start(&b, c->detail, sizeof c->detail);
            sioc_buf_puts(&b, "out of memory: the HTTP engine needs ");
            sioc_buf_put_u64(&b, (uint64_t)total);
            sioc_buf_puts(&b, " bytes");
            sioc__detail_end(&b);
        }
        return SIOC_ERR_NOMEM;
    }
    memset(m, 0, total);
    c->p_mem = m;
    c->p_mem_size = total;
    c->p_eps = (sioc_http__ep *)(void *)m;
    m += sioc__align(c->p_n_eps * sizeof(sioc_http__ep));
    c->p_conns = (sioc_http__conn *)(void *)m;
    m += sioc__align(c->p_n_conns * sizeof(sioc_http__conn));
    c->p_reqs = (sioc_http__req *)(void *)m;
    m += sioc__align(c->p_n_reqs * sizeof(sioc_http__req));
    for (i = 0; i < c->p_n_conns; i++) {
        sioc_http__conn *k = &c->p_conns[i];
        k->ep = -1;
        k->req = -1;
        sioc_http_parser_init(&k->parser, m, d->response_head_size, (sioc_http_hdr_ref *)(void *)(m + head_bytes),
                              d->max_headers);
        m += conn_bytes;
    }
    for (i = 0; i < c->p_n_reqs; i++) {
        sioc_http__req *q = &c->p_reqs[i];
        q->head = (char *)m; /* the rest is set at submit: a free slot is never read */
        q->gen = 1;
        m += sioc__align(d->request_head_size);
    }
    c->p_tls = sioc__tls_ops();
    r = c->p_tls->client_init(c, &c->p_tls_state); /* it explains failures in c->detail, no TLS in p_tls_why */
    if (r != SIOC_OK) {
        if (!c->detail[0]) sioc__detail_set(c->detail, sizeof c->detail, "TLS setup: ", sioc_strerror(r), NULL);
        sioc__free(&d->allocator, c->p_mem, c->p_mem_size);
        c->p_mem = NULL;
    }
    return r;
fail:
    sioc__detail_set(c->detail, sizeof c->detail, why, NULL, NULL);
    return r;
}

static void sioc__conn_free_tls(sioc_http_client *c, sioc_http__conn *k) {
    if (SIOC_TLS != SIOC_TLS_NONE && k->tls_mem) {
        c->p_tls->close(k->tls_mem);
        sioc__free(&c->desc.allocator, k->tls_mem, c->p_tls->conn_size());
        k->tls_mem = NULL;
    }
}

SIOC_API void sioc_http_client_free(sioc_http_client *c) {
    uint32_t i;
    if (!c->p_mem) return;
    for (i = 0; i < c->p_n_conns; i++) sioc__conn_free_tls(c, &c->p_conns[i]);
    c->p_tls->client_free(c, c->p_tls_state);
    sioc__free(&c->desc.allocator, c->p_mem, c->p_mem_size);
    c->p_mem = NULL;
    c->p_tls_state = NULL;
}

SIOC_API sioc_result sioc_http_endpoint(sioc_http_client *c, const char *host, uint16_t port, int tls, int *out_ep) {
    uint32_t i;
    size_t n = host ? strlen(host) : 0;
    int free_ep = -1;
    sioc_result r = SIOC_ERR_ARG;
    const char *why = SIOC__TEXT("endpoint without a host name or port");
    sioc_http__ep *e;
    if (out_ep) *out_ep = -1;
    c->detail[0] = 0;
    tls = tls != 0;
    if (tls && !n) { /* never "verify nothing" */
        why = SIOC__TEXT("https endpoint without a host name: nothing to verify");
        r = SIOC_ERR_TLS_NO_HOSTNAME;
        goto fail;
    }
    if (!n || port == 0 || !c->p_mem) {
        if (!c->p_mem) why = SIOC__TEXT("HTTP client not initialised");
        goto fail;
    }
    if (n > SIOC_HTTP_MAX_HOST) {
        why = SIOC__TEXT("host name longer than SIOC_HTTP_MAX_HOST");
        goto fail;
    }
    if (tls && ((SIOC_TLS == SIOC_TLS_NONE && !c->desc.tls_offload) || (SIOC_TLS != SIOC_TLS_NONE && !c->p_tls_state))) {
        if (SIOC_ENABLE_ERROR_STRINGS) {
            sioc_buf b;
            sioc__detail_start(&b, c->detail, sizeof c->detail);
            sioc_buf_puts(&b, "https://");
            sioc__put_hostport(&b, host, port);
            sioc_buf_puts(&b, SIOC_TLS == SIOC_TLS_NONE
                                  ? " needs a TLS build: -DSIOC_TLS=SIOC_TLS_MBEDTLS or SIOC_TLS_BEARSSL"
                                  : ": ");
            if (SIOC_TLS != SIOC_TLS_NONE) sioc_buf_puts(&b, c->p_tls_why[0] ? c->p_tls_why : "no TLS set up");
            sioc__detail_end(&b);
            sioc__http_log_text(c, SIOC_LOG_ERROR, c->detail);
        }
        return SIOC_ERR_DEPENDENCY;
    }
    for (i = 0; i < c->p_n_eps; i++) {
        e = &c->p_eps[i];
        if (!e->used) {
            if (free_ep < 0) free_ep = (int)i;
        } else if (e->port == port && e->tls == tls && !sioc__strcmp(e->host, host)) {
            free_ep = (int)i;
            goto found;
        }
    }
    if (free_ep < 0) {
        why = SIOC__TEXT("more distinct endpoints than max_endpoints");
        r = SIOC_ERR_LIMIT;
        goto fail;
    }
    e = &c->p_eps[free_ep];
    memcpy(e->host, host, n + 1);
    e->port = port;
    e->tls = (uint8_t)tls;
    if (SIOC_TLS != SIOC_TLS_NONE) e->engine_tls = (uint8_t)tls; /* else it stays 0 */
    e->used = 1;
found:
    if (out_ep) *out_ep = free_ep;
    return SIOC_OK;
fail:
    sioc__detail_set(c->detail, sizeof c->detail, why, NULL, NULL);
    return r;
}

static sioc_http__conn *sioc__conn(const sioc_http_client *c, int conn) {
    if ((uint32_t)conn >= c->p_n_conns) return NULL; /* conn < 0 too */
    return &c->p_conns[conn];
}

/* 1 while the socket of `k` is up (TLS handshake to held response). */
static int sioc__up(const sioc_http__conn *k) {
    return (unsigned)k->state - SIOC__CS_HANDSHAKE <= (unsigned)(SIOC__CS_HELD - SIOC__CS_HANDSHAKE);
}
/* The slot `conn` while its socket is up, else NULL. */
static sioc_http__conn *sioc__conn_up(const sioc_http_client *c, int conn) {
    sioc_http__conn *k = sioc__conn(c, conn);
    return k && sioc__up(k) ? k : NULL;
}

/* What a TLS failure means, for people. */
static const char *sioc__tls_words(sioc_result res) {
    switch (res) {
    case SIOC_ERR_TLS_UNTRUSTED: return "certificate chain not trusted (unknown CA: see ca_file / ca_pem)";
    case SIOC_ERR_TLS_HOSTNAME: return "certificate does not match the host name";
    case SIOC_ERR_TLS_EXPIRED: return "certificate expired or not yet valid";
    case SIOC_ERR_TLS_TIME: return "utc_now() is before 2024: set the clock";
    case SIOC_ERR_TLS_NO_HOSTNAME: return "no host name to verify";
    case SIOC_ERR_DEPENDENCY: return "no trust anchors, random or clock";
    default: return "handshake or record layer failed";
    }
}

static int sioc__is_tls_err(sioc_result res) {
    return res == SIOC_ERR_TLS || (res <= SIOC_ERR_TLS_UNTRUSTED && res >= SIOC_ERR_TLS_TIME);
}

/* The detail text of a failed request: what failed, with host:port and the reason. `ki` is the connection the
   failure happened on (-1: none), `connecting` 1 when it never became usable. */
static void sioc__req_detail(sioc_http_client *c, sioc_http__req *r, int ki, int connecting, sioc_result res) {
    const sioc_http__ep *e = &c->p_eps[r->ep];
    const char *why = ki >= 0 ? c->p_conns[ki].why : "";
    sioc_buf b;
    sioc__detail_start(&b, r->detail, sizeof r->detail);
    if (!SIOC_ENABLE_ERROR_STRINGS) return; /* no text to build: leave the words out of the binary */
    if (res == SIOC_ERR_BUFFER_TOO_SMALL) {
        sioc_buf_puts(&b, "reply body from ");
        sioc__put_hostport(&b, e->host, e->port);
        sioc_buf_puts(&b, " is ");
        sioc_buf_put_u64(&b, r->body_total);
        sioc_buf_puts(&b, " bytes, the buffer holds ");
        sioc_buf_put_u64(&b, r->body_out_cap);
        why = "";
    } else if (sioc__is_tls_err(res)) {
        sioc_buf_puts(&b, "TLS with ");
        sioc__put_hostport(&b, e->host, e->port);
        sioc_buf_puts(&b, " failed: ");
        sioc_buf_puts(&b, sioc__tls_words(res));
    } else if (res == SIOC_ERR_TIMEOUT && !connecting) {
        sioc_buf_puts(&b, ki >= 0 ? "no complete reply from " : "no connection free for ");
        sioc__put_hostport(&b, e->host, e->port);
        sioc_buf_puts(&b, " within ");
        sioc_buf_put_u64(&b, r->timeout_ms);
        sioc_buf_puts(&b, " ms");
    } else if (connecting) {
        sioc_buf_puts(&b, "cannot connect to ");
        sioc__put_hostport(&b, e->host, e->port);
        if (!why[0]) why = res == SIOC_ERR_NOMEM ? "out of memory for the TLS state" : sioc_strerror(res);
    } else {
        sioc__put_hostport(&b, e->host, e->port);
        sioc_buf_putc(&b, ' ');
        sioc_buf_puts(&b, res == SIOC_ERR_CLOSED      ? "closed the connection before the reply was complete"
                          : res == SIOC_ERR_PROTOCOL  ? "sent a malformed HTTP reply"
                          : res == SIOC_ERR_LIMIT     ? "sent a reply head over response_head_size or max_headers"
                          : res == SIOC_ERR_UNSUPPORTED ? "sent a transfer coding other than chunked"
                                                      : sioc_strerror(res));
    }
    if (why[0]) {
        sioc_buf_puts(&b, ": ");
        sioc_buf_puts(&b, why);
    }
    sioc__detail_end(&b);
}

/* Finish request `ri` with `res`; it waits for pickup in completion order. `ki` and `connecting` as in
   sioc__req_detail. */
static void sioc__req_finish(sioc_http_client *c, int ri, sioc_result res, int ki, int connecting) {
    sioc_http__req *r = &c->p_reqs[ri];
    if (!SIOC_ENABLE_ERROR_STRINGS) { /* no text: the detail stays empty from init */
    } else if (res != SIOC_OK) {
        sioc__req_detail(c, r, ki, connecting, res);
    } else {
        r->detail[0] = 0;
    }
    r->state = SIOC__RS_DONE;
    r->result = res;
    r->done_seq = (uint32_t)++c->p_seq;
    if (res == SIOC_ERR_TIMEOUT) c->stats.timeouts++;
}

static void sioc__dispatch(sioc_http_client *c);

/* Close `conn` now: a request on it fails with `err` (or goes back to the queue once, see below); a CLOSE event
   follows when the app had been told to open it. */
static void sioc__conn_close(sioc_http_client *c, int ki, sioc_result err) {
    sioc_http__conn *k = &c->p_conns[ki];
    if (k->state == SIOC__CS_FREE || k->state == SIOC__CS_CLOSE_PENDING) return;
    if (k->last_err == SIOC_OK) k->last_err = err;
    if (k->state == SIOC__CS_ACTIVE) {
        sioc_http__req *r = &c->p_reqs[k->req];
        /* A reused connection the server closed before answering: the request probably never reached the
           application, so an idempotent one goes out once more on a fresh connection (RFC 9112 9.3.1). */
        if (err == SIOC_ERR_CLOSED && r->idempotent && !r->retried && k->served > 0 &&
            !sioc_http_parser_started(&k->parser)) {
            r->state = SIOC__RS_QUEUED;
            r->retried = 1;
            r->fresh_only = 1;
            c->stats.retries++;
            sioc__http_log(c, SIOC_LOG_DEBUG, "retrying request after stale keep-alive", ki, err);
        } else {
            sioc__req_finish(c, k->req, err, ki, 0);
        }
        r->conn = -1;
        k->req = -1;
    }
    if (k->state == SIOC__CS_HELD) { /* the response's views live here: close on release */
        k->dead = 1;
        return;
    }
    sioc__conn_free_tls(c, k);
    if (err != SIOC_OK) sioc__http_log(c, SIOC_LOG_DEBUG, "closing", ki, err);
    k->state = (uint8_t)(k->state == SIOC__CS_OPEN_PENDING ? SIOC__CS_FREE : SIOC__CS_CLOSE_PENDING);
}

/* The connection never became usable: the requests waiting for this endpoint learn why. */
static void sioc__conn_connect_failed(sioc_http_client *c, int ki, sioc_result err) {
    sioc_http__conn *k = &c->p_conns[ki];
    uint32_t i;
    int ep = k->ep;
    if (!SIOC_ENABLE_ERROR_STRINGS) {
        /* no text: k->why stays empty */
    } else if (!k->why[0] && err == SIOC_ERR_TIMEOUT) { /* the engine's own timer: say which step took too long */
        sioc_buf b;
        sioc__detail_start(&b, k->why, sizeof k->why);
        sioc_buf_puts(&b, k->state == SIOC__CS_HANDSHAKE ? "TLS handshake not done within "
                          : k->state == SIOC__CS_OPEN_PENDING ? "the socket was not opened within "
                                                               : "no answer within ");
        sioc_buf_put_u64(&b, c->desc.connect_timeout_ms);
        sioc_buf_puts(&b, " ms (connect_timeout_ms)");
        sioc__detail_end(&b);
    } else if (!k->why[0] && SIOC__TLS_ON(k) && err == SIOC_ERR_TLS && k->tls_mem && c->p_tls->last_error) {
        long code = c->p_tls->last_error(k->tls_mem);
        if (code) {
            sioc_buf b;
            sioc__detail_start(&b, k->why, sizeof k->why);
            sioc_buf_puts(&b, c->p_tls->name);
            if (code < 0) { /* mbedTLS documents its codes as -0xNNNN */
                static const char hex[] = "0123456789abcdef";
                unsigned long v = (unsigned long)-code;
                int shift;
                sioc_buf_puts(&b, " error -0x");
                for (shift = 12; shift >= 0; shift -= 4) sioc_buf_putc(&b, hex[(v >> shift) & 15u]);
            } else {
                sioc_buf_puts(&b, " error ");
                sioc_buf_put_u64(&b, (uint64_t)code);
            }
            sioc__detail_end(&b);
        }
    }
    sioc__http_log(c, SIOC_LOG_WARN, "connect failed", ki, err);
    for (i = 0; i < c->p_n_reqs; i++) {
        sioc_http__req *r = &c->p_reqs[i];
        if (r->state == SIOC__RS_QUEUED && r->ep == ep) sioc__req_finish(c, (int)i, err, ki, 1);
    }
    sioc__conn_close(c, ki, err);
}

/* Start a TLS connection's handshake or make a plain one ready. */
static void sioc__conn_ready(sioc_http_client *c, int ki) {
    sioc_http__conn *k = &c->p_conns[ki];
    k->state = SIOC__CS_READY;
    k->since = c->p_now;
    k->idle_limit = c->desc.idle_timeout_ms;
    sioc__dispatch(c);
}

static void sioc__conn_tls_pump(sioc_http_client *c, int ki);

/* Request bytes still to hand over: the head, then the borrowed body. */
static void sioc__conn_stream(const sioc_http_client *c, const sioc_http__conn *k, const uint8_t **p, size_t *n) {
    const sioc_http__req *r;
    *p = NULL;
    *n = 0;
    if (k->state != SIOC__CS_ACTIVE) return;
    r = &c->p_reqs[k->req];
    if (k->out_head < r->head_len) {
        *p = (const uint8_t *)r->head + k->out_head;
        *n = r->head_len - k->out_head;
    } else if (k->out_body < r->body_len) {
        *p = r->body + k->out_body;
        *n = r->body_len - k->out_body;
    }
}

static void sioc__conn_stream_advance(const sioc_http_client *c, sioc_http__conn *k, size_t n) {
    const sioc_http__req *r = &c->p_reqs[k->req];
    size_t h = SIOC__MIN(n, r->head_len - k->out_head);
    k->out_head += h;
    k->out_body += n - h;
}

static void sioc__assign(sioc_http_client *c, int ri, int ki) {
    sioc_http__req *r = &c->p_reqs[ri];
    sioc_http__conn *k = &c->p_conns[ki];
    r->state = SIOC__RS_ACTIVE;
    r->conn = ki;
    k->state = SIOC__CS_ACTIVE;
    k->req = ri;
    k->out_head = 0;
    k->out_body = 0;
    sioc_http_parser_reset(&k->parser, r->head_request);
    if (SIOC__TLS_ON(k)) sioc__conn_tls_pump(c, ki);
}

/* Hand queued requests (oldest first) to ready connections of their endpoint, and ask for new connections while
   more requests wait than connections are being opened. */
static void sioc__dispatch(sioc_http_client *c) {
    uint32_t per = c->desc.conns_per_endpoint, e;
    for (e = 0; e < c->p_n_eps; e++) { /* endpoints never share connections: each on its own */
        uint32_t waiting, opening = 0, j, i;
        int fresh;
        if (!c->p_eps[e].used) continue;
        for (;;) { /* the oldest request a ready connection can take; count the ones waiting meanwhile */
            int best = -1, ki = -1;
            waiting = 0;
            fresh = 0;
            for (i = 0; i < c->p_n_reqs; i++) {
                sioc_http__req *r = &c->p_reqs[i];
                int cand = -1;
                if (r->state != SIOC__RS_QUEUED || r->ep != (int)e) continue;
                waiting++;
                fresh |= r->fresh_only;
                if (best >= 0 && sioc__older(c->p_reqs[best].seq, r->seq)) continue;
                for (j = e * per; j < (e + 1) * per; j++) {
                    /* most recently used first: one hot connection, the others idle out */
                    sioc_http__conn *k = &c->p_conns[j];
                    if (k->state == SIOC__CS_READY && !(r->fresh_only && k->served > 0) &&
                        (cand < 0 || k->since > c->p_conns[cand].since))
                        cand = (int)j;
                }
                if (cand >= 0) {
                    best = (int)i;
                    ki = cand;
                }
            }
            if (best < 0) break;
            sioc__assign(c, best, ki);
        }
        if (!waiting) continue;
        for (j = e * per; j < (e + 1) * per; j++) {
            /* a held response's connection comes back at the next sioc_http_next_response(): wait for it
               rather than open another (fresh-only retries cannot use it) */
            const sioc_http__conn *k = &c->p_conns[j];
            if (k->state == SIOC__CS_OPEN_PENDING || k->state == SIOC__CS_CONNECTING ||
                k->state == SIOC__CS_HANDSHAKE || (k->state == SIOC__CS_HELD && !k->dead && !fresh))
                opening++;
        }
        for (j = e * per; j < (e + 1) * per && opening < waiting; j++) {
            sioc_http__conn *k = &c->p_conns[j];
            if (k->state != SIOC__CS_FREE) continue;
            k->ep = (int)e;
            k->dead = 0;
            k->last_err = SIOC_OK;
            if (SIOC_ENABLE_ERROR_STRINGS) k->why[0] = 0; /* read only for detail texts */
            k->served = 0;
            k->since = c->p_now;
            if (SIOC_TLS != SIOC_TLS_NONE) k->tls = c->p_eps[e].engine_tls; /* read only through SIOC__TLS_ON */
            k->state = SIOC__CS_OPEN_PENDING;
            if (SIOC__TLS_ON(k)) {
                size_t sz = c->p_tls->conn_size();
                k->tls_mem = sz ? sioc__alloc(&c->desc.allocator, sz) : NULL;
                if (sz && !k->tls_mem) {
                    sioc__conn_connect_failed(c, (int)j, SIOC_ERR_NOMEM);
                    break;
                }
                if (k->tls_mem) memset(k->tls_mem, 0, sz);
            }
            opening++;
        }
    }
}

SIOC_API sioc_result sioc_http_submit(sioc_http_client *c, int ep, const sioc_http_request *req, uint64_t now_ms,
                                      uint32_t *out_id) {
    uint32_t i;
    sioc_http__req *r = NULL;
    sioc_http__ep *e;
    sioc_buf b;
    sioc_result res;
    if (out_id) *out_id = 0;
    if (!c->p_mem || !req || (uint32_t)ep >= c->p_n_eps || !c->p_eps[ep].used) return SIOC_ERR_ARG; /* ep < 0 too */
    c->p_now = now_ms;
    e = &c->p_eps[ep];
    for (i = 0; i < c->p_n_reqs; i++) {
        if (c->p_reqs[i].state == SIOC__RS_FREE) {
            r = &c->p_reqs[i];
            break;
        }
    }
    if (!r) return SIOC_ERR_LIMIT;
    sioc_buf_init(&b, r->head, c->desc.request_head_size);
    res = sioc_http_write_head(&b, req, e->host, e->port, e->tls);
    if (res != SIOC_OK) return res;
    memset(&r->state, 0, offsetof(sioc_http__req, detail) - offsetof(sioc_http__req, state)); /* counts, flags, status, result: 0 */
    r->head_len = b.len;
    r->body = (const uint8_t *)req->body;
    r->body_len = req->body_len;
    r->ep = ep;
    r->conn = -1;
    r->idempotent = (uint8_t)(req->idempotent ? 1 : 0);
    r->head_request = (uint8_t)(sioc__strcmp(req->method, "HEAD") == 0);
    r->timeout_ms = req->timeout_ms ? req->timeout_ms : c->desc.timeout_ms;
    r->deadline = now_ms + r->timeout_ms;
    r->seq = (uint32_t)++c->p_seq;
    r->tag = req->tag;
    r->on_body = req->on_body;
    r->body_out = req->on_body ? NULL : (uint8_t *)req->body_out;
    r->body_out_cap = r->body_out ? req->body_out_cap : 0;
    r->tail = req->body_keep_tail <= r->body_out_cap ? req->body_keep_tail : 0; /* no body_out: cap 0, tail 0 */
    r->state = SIOC__RS_QUEUED;
    c->stats.requests++;
    if (out_id) *out_id = ((uint32_t)r->gen << 16) | i;
    sioc__dispatch(c);
    return SIOC_OK;
}

static int sioc__req_by_id(const sioc_http_client *c, uint32_t id) {
    uint32_t slot = id & 0xffffu;
    if (slot >= c->p_n_reqs || c->p_reqs[slot].gen != (uint16_t)(id >> 16)) return -1;
    return (int)slot;
}

static void sioc__req_free(sioc_http__req *r) {
    r->state = SIOC__RS_FREE;
    r->gen = (uint16_t)(r->gen == 0xFFFFu ? 1u : r->gen + 1u); /* 0 is skipped: an id names a used slot */
}

SIOC_API sioc_result sioc_http_parse_origin(const char *url, char *host, uint16_t *port, int *tls) {
    const char *p, *h;
    size_t hlen;
    unsigned long pv;
    if (!url || !host || !port || !tls) return SIOC_ERR_ARG;
    if (sioc__starts(url, "https://")) *tls = 1, p = url + 8;
    else if (sioc__starts(url, "http://")) *tls = 0, p = url + 7;
    else return SIOC_ERR_ARG;
    if (*p == '[') return SIOC_ERR_UNSUPPORTED;
    for (h = p; *p && *p != ':' && *p != '/'; p++)
        if (!sioc__http_class((unsigned char)*p, SIOC__HC_HOST)) return SIOC_ERR_ARG; /* also '@', '?', '#' */
    hlen = (size_t)(p - h);
    if (hlen == 0 || hlen > SIOC_HTTP_MAX_HOST) return SIOC_ERR_ARG;
    pv = *tls ? 443 : 80;
    if (*p == ':') {
        for (pv = 0; sioc__is_digit((unsigned char)*++p);)
            if ((pv = pv * 10 + (unsigned long)(*p - '0')) > 65535) return SIOC_ERR_ARG;
        if (pv == 0) return SIOC_ERR_ARG; /* also no digits */
    }
    if (*p == '/') p++;
    if (*p) return SIOC_ERR_ARG; /* no path: the clients' targets are their own */
    memcpy(host, h, hlen);
    host[hlen] = 0;
    *port = (uint16_t)pv;
    return SIOC_OK;
}

SIOC_API void sioc_http_calls_sent(sioc_http_calls *q, sioc_http_call *k, uint32_t id) {
    k->p_id = id;
    k->p_state = 1;
    q->p_inflight++;
}

SIOC_API int sioc_http_calls_answered(sioc_http_calls *q, sioc_http_call *k, uint32_t id) {
    if (k->p_state != 1 || k->p_id != id) return 0;
    k->p_state = 0;
    q->p_inflight--;
    return 1;
}

SIOC_API void sioc_http_calls_done(sioc_http_calls *q, sioc_http_call *k) {
    k->p_state = 2;
    sioc__queue_push(&q->p_done, &k->p_link);
}

SIOC_API sioc_http_call *sioc_http_calls_pop(sioc_http_calls *q) {
    sioc_qlink *link = sioc__queue_pop(&q->p_done);
    sioc_http_call *k;
    if (!link) return NULL;
    k = SIOC__CONTAINER(link, sioc_http_call, p_link);
    k->p_state = 0;
    return k;
}

SIOC_API int sioc_http_calls_pending(const sioc_http_calls *q) { return q->p_done.p_head != NULL; }

SIOC_API int sioc_http_calls_busy(const sioc_http_call *k) { return k->p_state != 0; }

SIOC_API sioc_result sioc_http_calls_cancel(sioc_http_client *c, sioc_http_calls *q, sioc_http_call *k) {
    if (!k->p_state) return SIOC_ERR_NOT_FOUND;
    if (k->p_state == 2) { /* finished, not yet collected: unlink it */
        (void)sioc__queue_remove(&q->p_done, &k->p_link);
    } else {
        (void)sioc_http_cancel(c, k->p_id);
        q->p_inflight--;
    }
    k->p_state = 0;
    return SIOC_OK;
}

/* Forget request `ri`: a connection still carrying it (closed: half an exchange) or holding its response (closed
   when dead, else idle again) goes back to the pool. */
static void sioc__req_drop(sioc_http_client *c, int ri) {
    sioc_http__req *r = &c->p_reqs[ri];
    int ki = r->conn;
    if (ki >= 0) {
        sioc_http__conn *k = &c->p_conns[ki];
        if (k->req == ri && (k->state == SIOC__CS_HELD || k->state == SIOC__CS_ACTIVE)) {
            int dead = k->dead || k->state == SIOC__CS_ACTIVE;
            k->req = -1; /* detach first: the close must not finish or retry it */
            k->state = SIOC__CS_READY;
            k->since = c->p_now;
            if (dead) sioc__conn_close(c, ki, SIOC_OK);
        }
    }
    sioc__req_free(r);
    sioc__dispatch(c);
}

SIOC_API sioc_result sioc_http_cancel(sioc_http_client *c, uint32_t id) {
    int ri = sioc__req_by_id(c, id);
    if (ri < 0 || c->p_reqs[ri].state == SIOC__RS_FREE || c->p_reqs[ri].state == SIOC__RS_HELD)
        return SIOC_ERR_NOT_FOUND;
    sioc__req_drop(c, ri);
    return SIOC_OK;
}

SIOC_API sioc_result sioc_http_next_response(sioc_http_client *c, sioc_http_response *out) {
    uint32_t i;
    int best = -1;
    sioc_http__req *r;
    memset(out, 0, sizeof *out);
    if (!c->p_mem) return SIOC_AGAIN;
    if (c->p_held >= 0) { /* give the connection of the response handed out last back to the pool */
        int held = c->p_held;
        c->p_held = -1;
        sioc__req_drop(c, held);
    }
    for (i = 0; i < c->p_n_reqs; i++) {
        if (c->p_reqs[i].state == SIOC__RS_DONE && (best < 0 || sioc__older(c->p_reqs[i].done_seq, c->p_reqs[best].done_seq)))
            best = (int)i;
    }
    if (best < 0) return SIOC_AGAIN;
    r = &c->p_reqs[best];
    r->state = SIOC__RS_HELD;
    c->p_held = best;
    out->id = ((uint32_t)r->gen << 16) | (uint32_t)best;
    out->tag = r->tag;
    out->result = r->result;
    out->status = r->status;
    out->body = r->body_out;
    out->body_len = r->body_stored;
    out->body_total = r->body_total;
    out->tail_len = r->overflow ? r->tail : 0;
    out->retried = r->retried;
    if (SIOC_ENABLE_ERROR_STRINGS) memcpy(out->detail, r->detail, sizeof out->detail); /* else empty */
    if (r->conn >= 0 && c->p_conns[r->conn].state == SIOC__CS_HELD) out->p_parser = &c->p_conns[r->conn].parser;
    return SIOC_OK;
}

SIOC_API size_t sioc_http_responses_ready(const sioc_http_client *c) {
    size_t n = 0;
    uint32_t i;
    for (i = 0; i < c->p_n_reqs; i++) n += c->p_reqs[i].state == SIOC__RS_DONE;
    return n;
}

SIOC_API sioc_result sioc_http_response_header(const sioc_http_response *r, const char *name, sioc_str *out_value) {
    return sioc_http_parser_header(r->p_parser, name, out_value);
}

SIOC_API sioc_result sioc_http_next_io(sioc_http_client *c, sioc_http_io_event *out) {
    uint32_t i;
    memset(out, 0, sizeof *out);
    if (!c->p_mem) return SIOC_AGAIN;
    for (i = 0; i < c->p_n_conns; i++) { /* closes first: they free slots */
        sioc_http__conn *k = &c->p_conns[i];
        if (k->state == SIOC__CS_CLOSE_PENDING) {
            k->state = SIOC__CS_FREE;
            out->type = SIOC_HTTP_IO_CLOSE;
            out->conn = (int)i;
            sioc__dispatch(c);
            return SIOC_OK;
        }
    }
    for (i = 0; i < c->p_n_conns; i++) {
        sioc_http__conn *k = &c->p_conns[i];
        if (k->state == SIOC__CS_OPEN_PENDING) {
            const sioc_http__ep *e = &c->p_eps[k->ep];
            k->state = SIOC__CS_CONNECTING;
            out->type = SIOC_HTTP_IO_OPEN;
            out->conn = (int)i;
            out->host = e->host;
            out->port = e->port;
            out->tls = e->tls;
            c->stats.conns_opened++;
            sioc__http_log(c, SIOC_LOG_DEBUG, "open", (int)i, SIOC_OK);
            return SIOC_OK;
        }
    }
    return SIOC_AGAIN;
}

SIOC_API void sioc_http_conn_reason(sioc_http_client *c, int conn, const char *reason) {
    sioc_http__conn *k = sioc__conn(c, conn);
    if (!k || !reason) return;
    sioc__detail_set(k->why, sizeof k->why, reason, NULL, NULL);
}

SIOC_API void sioc_http_conn_opened(sioc_http_client *c, int conn, uint64_t now_ms) {
    sioc_http__conn *k = sioc__conn(c, conn);
    if (!k || k->state != SIOC__CS_CONNECTING) return;
    c->p_now = now_ms;
    if (SIOC__TLS_ON(k)) {
        sioc_result r = c->p_tls->open(c, c->p_tls_state, k->tls_mem, c->p_eps[k->ep].host);
        if (r != SIOC_OK) {
            sioc__conn_connect_failed(c, conn, r);
            return;
        }
        k->state = SIOC__CS_HANDSHAKE;
        sioc__conn_tls_pump(c, conn);
        return;
    }
    sioc__conn_ready(c, conn);
}

SIOC_API void sioc_http_conn_failed(sioc_http_client *c, int conn, sioc_result err, uint64_t now_ms) {
    sioc_http__conn *k = sioc__conn(c, conn);
    if (!k) return;
    c->p_now = now_ms;
    if (err >= 0) err = SIOC_ERR_CLOSED;
    if (k->state == SIOC__CS_CONNECTING || k->state == SIOC__CS_OPEN_PENDING)
        sioc__conn_connect_failed(c, conn, err == SIOC_ERR_CLOSED ? SIOC_ERR_CONNECT : err);
    else if (SIOC_TLS != SIOC_TLS_NONE && k->state == SIOC__CS_HANDSHAKE)
        sioc__conn_connect_failed(c, conn, err == SIOC_ERR_CLOSED ? SIOC_ERR_TLS : err);
    else
        sioc__conn_close(c, conn, err);
    sioc__dispatch(c);
}

/* The response on `ki` is complete: its request waits for pickup, and the connection is held until then (closed
   afterwards when `dead`). */
static void sioc__conn_done(sioc_http_client *c, int ki, int dead) {
    sioc_http__conn *k = &c->p_conns[ki];
    uint32_t ka = k->parser.keep_alive_timeout_s, idle = c->desc.idle_timeout_ms; /* idle >= 1: a default */
    k->dead |= (uint8_t)dead; /* dead is 0 or 1 */
    k->served++;
    /* close well before the server: after 3/4 of its timeout when that is below ours (ka * 750 < idle) */
    k->idle_limit = ka && ka <= (idle - 1u) / 750u ? ka * 750u : idle;
    k->state = SIOC__CS_HELD;
    c->stats.responses++;
    sioc__req_finish(c, k->req, c->p_reqs[k->req].overflow ? SIOC_ERR_BUFFER_TOO_SMALL : SIOC_OK, ki, 0);
}

/* Plaintext from the peer. */
static void sioc__conn_input(sioc_http_client *c, int ki, const uint8_t *p, size_t n) {
    sioc_http__conn *k = &c->p_conns[ki];
    while (n > 0 || k->parser.p_state == SIOC__HP_NOBODY) { /* NOBODY: a DONE follows without input */
        sioc_http__req *r;
        size_t used;
        sioc_http_pev ev;
        sioc_bytes body;
        sioc_result res;
        if (k->state == SIOC__CS_HELD) { /* bytes after a complete response: no pipelining here */
            k->dead = 1;
            return;
        }
        if (k->state != SIOC__CS_ACTIVE) { /* unsolicited bytes on an idle connection */
            sioc__conn_close(c, ki, SIOC_ERR_PROTOCOL);
            return;
        }
        r = &c->p_reqs[k->req];
        res = sioc_http_parser_feed(&k->parser, p, n, &used, &ev, &body);
        p += used;
        n -= used;
        if (res != SIOC_OK) {
            sioc__http_log(c, SIOC_LOG_WARN, "bad response", ki, res);
            sioc__conn_close(c, ki, res);
            return;
        }
        if (ev == SIOC_HTTP_PEV_HEAD) r->status = k->parser.status;
        if (ev == SIOC_HTTP_PEV_BODY) {
            r->body_total += body.len;
            if (r->on_body) {
                r->on_body(r->tag, body.ptr, body.len);
            } else if (r->body_out) {
                size_t room = r->body_out_cap - r->body_stored, take = SIOC__MIN(room, body.len);
                if (take) memcpy(r->body_out + r->body_stored, body.ptr, take);
                r->body_stored += take;
                if (take < body.len) { /* a tail of 0 keeps nothing */
                    r->overflow = 1;
                    sioc__req_keep_tail(r, body.ptr + take, body.len - take);
                }
            }
        }
        if (ev == SIOC_HTTP_PEV_DONE) {
            const uint8_t *unsent;
            size_t unsent_len;
            sioc__conn_stream(c, k, &unsent, &unsent_len); /* an early answer: the request never finished */
            sioc__conn_done(c, ki, !k->parser.keep_alive || unsent_len > 0 || n > 0);
            return;
        }
    }
}

static void sioc__conn_input_eof(sioc_http_client *c, int ki) {
    sioc_http__conn *k = &c->p_conns[ki];
    if (k->state == SIOC__CS_ACTIVE) {
        sioc_http_pev ev;
        if (sioc_http_parser_eof(&k->parser, &ev) == SIOC_OK && ev == SIOC_HTTP_PEV_DONE) {
            sioc__conn_done(c, ki, 1);
            return;
        }
    }
    if (SIOC_TLS != SIOC_TLS_NONE && k->state == SIOC__CS_HANDSHAKE) { /* only TLS has one */
        if (!k->why[0]) sioc__detail_set(k->why, sizeof k->why, "the peer closed during the handshake", NULL, NULL);
        sioc__conn_connect_failed(c, ki, SIOC_ERR_TLS);
        return;
    }
    sioc__conn_close(c, ki, SIOC_ERR_CLOSED);
}

SIOC_API void sioc_http_conn_eof(sioc_http_client *c, int conn, uint64_t now_ms) {
    sioc_http__conn *k = sioc__conn(c, conn);
    if (!k) return;
    c->p_now = now_ms;
    if (k->state == SIOC__CS_CONNECTING) {
        sioc__conn_connect_failed(c, conn, SIOC_ERR_CONNECT);
    } else if (sioc__up(k)) {
        if (SIOC__TLS_ON(k) && k->tls_mem) sioc__conn_tls_pump(c, conn); /* plaintext still buffered goes first */
        if (sioc__up(k)) sioc__conn_input_eof(c, conn);
    }
    sioc__dispatch(c);
}

/* Move everything TLS can move now: handshake, plaintext out of the request stream, plaintext in to the parser. */
static void sioc__conn_tls_pump(sioc_http_client *c, int ki) {
    sioc_http__conn *k = &c->p_conns[ki];
    const sioc_tls_ops *t = c->p_tls;
    int rounds;
    for (rounds = 0; rounds < 64; rounds++) {
        int progress = 0;
        sioc_result r;
        const uint8_t *p;
        size_t n, used;
        if (!k->tls_mem || !sioc__up(k)) return;
        if (k->state == SIOC__CS_HANDSHAKE) {
            r = t->handshake(k->tls_mem);
            if (r == SIOC_AGAIN) return;
            if (r != SIOC_OK) {
                sioc__conn_connect_failed(c, ki, r);
                return;
            }
            sioc__http_log(c, SIOC_LOG_DEBUG, "tls handshake done", ki, SIOC_OK);
            sioc__conn_ready(c, ki); /* may assign a request, which pumps again */
            continue;
        }
        sioc__conn_stream(c, k, &p, &n);
        if (n > 0) {
            r = t->write(k->tls_mem, p, n, &used);
            if (r != SIOC_OK) {
                sioc__conn_close(c, ki, r);
                return;
            }
            if (used) {
                sioc__conn_stream_advance(c, k, used);
                progress = 1;
            }
        }
        r = t->read(k->tls_mem, &p, &n);
        if (r == SIOC_ERR_CLOSED) { /* close_notify: same as EOF */
            sioc__conn_input_eof(c, ki);
            return;
        }
        if (r != SIOC_OK) {
            sioc__conn_close(c, ki, r);
            return;
        }
        if (n > 0) {
            sioc__conn_input(c, ki, p, n);
            if (k->tls_mem) t->read_done(k->tls_mem, n);
            progress = 1;
        }
        if (!progress) return;
    }
}

SIOC_API size_t sioc_http_conn_recv_room(sioc_http_client *c, int conn) {
    sioc_http__conn *k = sioc__conn_up(c, conn);
    if (!k) return 0;
    if (!SIOC__TLS_ON(k)) return SIZE_MAX;
    return k->tls_mem ? c->p_tls->recv_room(k->tls_mem) : 0;
}

SIOC_API sioc_result sioc_http_conn_feed(sioc_http_client *c, int conn, const void *data, size_t len,
                                         uint64_t now_ms, size_t *out_used) {
    sioc_http__conn *k = sioc__conn(c, conn);
    size_t used = 0;
    sioc_result r = SIOC_OK;
    if (out_used) *out_used = 0;
    if (!k || (len && !data)) return SIOC_ERR_ARG;
    c->p_now = now_ms;
    if (!sioc__up(k)) return SIOC_ERR_STATE;
    if (!SIOC__TLS_ON(k)) {
        used = len;
        sioc__conn_input(c, conn, (const uint8_t *)data, len);
    } else {
        const uint8_t *p = (const uint8_t *)data;
        while (used < len && k->tls_mem) {
            size_t room = c->p_tls->recv_room(k->tls_mem), n = SIOC__MIN(room, len - used);
            if (n == 0) break;
            r = c->p_tls->feed(k->tls_mem, p + used, n);
            if (r != SIOC_OK) {
                if (k->state == SIOC__CS_HANDSHAKE) sioc__conn_connect_failed(c, conn, r);
                else sioc__conn_close(c, conn, r);
                break;
            }
            used += n;
            sioc__conn_tls_pump(c, conn);
        }
    }
    if (out_used) *out_used = used;
    sioc__dispatch(c);
    if (r == SIOC_OK && (k->state == SIOC__CS_CLOSE_PENDING || k->state == SIOC__CS_FREE))
        r = k->last_err != SIOC_OK ? k->last_err : SIOC_ERR_CLOSED;
    return r;
}

SIOC_API void sioc_http_conn_pending(sioc_http_client *c, int conn, const uint8_t **out_data, size_t *out_len) {
    sioc_http__conn *k = sioc__conn_up(c, conn);
    *out_data = NULL;
    *out_len = 0;
    if (!k) return;
    if (!SIOC__TLS_ON(k)) {
        sioc__conn_stream(c, k, out_data, out_len);
        return;
    }
    if (!k->tls_mem) return;
    sioc__conn_tls_pump(c, conn);
    if (k->tls_mem) c->p_tls->out(k->tls_mem, out_data, out_len);
}

SIOC_API void sioc_http_conn_sent(sioc_http_client *c, int conn, size_t n) {
    sioc_http__conn *k = sioc__conn_up(c, conn);
    if (!k || n == 0) return;
    if (!SIOC__TLS_ON(k)) {
        const uint8_t *p;
        size_t avail;
        sioc__conn_stream(c, k, &p, &avail);
        SIOC_ASSERT(n <= avail);
        if (n > avail) n = avail;
        if (n) sioc__conn_stream_advance(c, k, n);
        return;
    }
    if (!k->tls_mem) return;
    c->p_tls->out_done(k->tls_mem, n);
    sioc__conn_tls_pump(c, conn);
}

SIOC_API unsigned sioc_http_conn_wants(const sioc_http_client *c, int conn) {
    const sioc_http__conn *k = sioc__conn(c, conn);
    unsigned w = 0;
    if (!k) return 0;
    if (k->state == SIOC__CS_CONNECTING) return SIOC_HTTP_WANT_CONNECT;
    if (!sioc__up(k)) return 0;
    if (!SIOC__TLS_ON(k)) {
        const uint8_t *p;
        size_t n;
        sioc__conn_stream(c, k, &p, &n);
        return SIOC_HTTP_WANT_READ | (n ? SIOC_HTTP_WANT_WRITE : 0u);
    }
    if (k->tls_mem) {
        const uint8_t *p;
        size_t n;
        c->p_tls->out(k->tls_mem, &p, &n);
        if (n) w |= SIOC_HTTP_WANT_WRITE;
        if (c->p_tls->recv_room(k->tls_mem)) w |= SIOC_HTTP_WANT_READ;
    }
    return w;
}

SIOC_API int sioc_http_conn_count(const sioc_http_client *c) { return (int)c->p_n_conns; }

/* When the timer of `k` fires: the connect timeout while opening, the idle limit while ready; else UINT64_MAX. */
static SIOC__OUTLINE uint64_t sioc__conn_timer(const sioc_http_client *c, const sioc_http__conn *k) {
    if (k->state >= SIOC__CS_OPEN_PENDING && k->state <= SIOC__CS_HANDSHAKE) return k->since + c->desc.connect_timeout_ms;
    return k->state == SIOC__CS_READY ? k->since + k->idle_limit : UINT64_MAX;
}

SIOC_API uint64_t sioc_http_next_deadline(const sioc_http_client *c) {
    uint64_t d = UINT64_MAX;
    uint32_t i;
    for (i = 0; i < c->p_n_reqs; i++) {
        const sioc_http__req *r = &c->p_reqs[i];
        if ((r->state == SIOC__RS_QUEUED || r->state == SIOC__RS_ACTIVE) && r->deadline < d) d = r->deadline;
    }
    for (i = 0; i < c->p_n_conns; i++) {
        const sioc_http__conn *k = &c->p_conns[i];
        /* an OPEN/CLOSE waits for sioc_http_next_io(): attention now */
        uint64_t t = k->state == SIOC__CS_OPEN_PENDING || k->state == SIOC__CS_CLOSE_PENDING ? c->p_now
                                                                                             : sioc__conn_timer(c, k);
        if (t < d) d = t;
    }
    return d;
}

SIOC_API void sioc_http_tick(sioc_http_client *c, uint64_t now_ms) {
    uint32_t i;
    if (!c->p_mem) return;
    c->p_now = now_ms;
    for (i = 0; i < c->p_n_reqs; i++) {
        sioc_http__req *r = &c->p_reqs[i];
        if ((r->state == SIOC__RS_QUEUED || r->state == SIOC__RS_ACTIVE) && r->deadline <= now_ms) {
            if (r->state == SIOC__RS_ACTIVE) /* on r->conn: half an exchange, closed, failing its request */
                sioc__conn_close(c, r->conn, SIOC_ERR_TIMEOUT);
            else /* queued: not on a connection */
                sioc__req_finish(c, (int)i, SIOC_ERR_TIMEOUT, -1, 0);
        }
    }
    for (i = 0; i < c->p_n_conns; i++) {
        sioc_http__conn *k = &c->p_conns[i];
        if (sioc__conn_timer(c, k) > now_ms) continue;
        if (k->state == SIOC__CS_READY) sioc__conn_close(c, (int)i, SIOC_OK);
        else sioc__conn_connect_failed(c, (int)i, SIOC_ERR_TIMEOUT);
    }
    sioc__dispatch(c);
}

/* ---- transport driver: the engine over caller-implemented non-blocking sockets ---- */

/* A plain request whose head is unsent and whose body fits beside it in buf: both copied there (returns the
   length), so they leave in one send() (one syscall and one TCP segment) instead of two. 0: send as it comes. */
static size_t sioc__conn_gather(const sioc_http_client *c, int conn, uint8_t *buf, size_t cap) {
    const sioc_http__conn *k = sioc__conn(c, conn);
    const sioc_http__req *r;
    size_t h;
    if (!k || SIOC__TLS_ON(k) || k->state != SIOC__CS_ACTIVE) return 0;
    r = &c->p_reqs[k->req];
    h = r->head_len - k->out_head;
    if (k->out_head >= r->head_len || k->out_body || !r->body_len || r->body_len > cap - SIOC__MIN(h, cap)) return 0;
    memcpy(buf, r->head + k->out_head, h);
    memcpy(buf + h, r->body, r->body_len);
    return h + r->body_len;
}

/* Start or continue connecting `conn`: 1 once it is connected or failed, 0 while in progress. */
static int sioc__drive_connect(sioc_http_client *c, const sioc_http_transport *t, int conn, uint64_t now_ms) {
    const sioc_http__ep *e = &c->p_eps[c->p_conns[conn].ep];
    sioc_result r = t->connect(t->user, conn, e->host, e->port);
    if (r == SIOC_AGAIN) return 0;
    if (r == SIOC_OK) sioc_http_conn_opened(c, conn, now_ms);
    else sioc_http_conn_failed(c, conn, r, now_ms);
    return 1;
}

SIOC_API sioc_result sioc_http_drive(sioc_http_client *c, const sioc_http_transport *t, uint64_t now_ms) {
    uint8_t buf[SIOC_HTTP_DRIVE_BUFFER];
    int round, n = (int)c->p_n_conns;
    if (!t || !t->connect || !t->send || !t->recv || !t->close) return SIOC_ERR_ARG;
    if (!c->p_mem) return SIOC_ERR_STATE;
    sioc_http_tick(c, now_ms);
    for (round = 0; round < 16; round++) {
        int progress = 0, k;
        sioc_http_io_event ev;
        while (sioc_http_next_io(c, &ev) == SIOC_OK) { /* an OPEN connects in the loop below */
            progress = 1;
            if (ev.type == SIOC_HTTP_IO_CLOSE) t->close(t->user, ev.conn);
        }
        for (k = 0; k < n; k++) {
            int reads;
            sioc_http__conn *kc = &c->p_conns[k];
            if (kc->state == SIOC__CS_CONNECTING) { /* sioc_http_conn_wants() says WANT_CONNECT */
                if (!sioc__drive_connect(c, t, k, now_ms)) continue;
                progress = 1;
            }
            for (;;) { /* flush */
                const uint8_t *p = buf;
                size_t len = sioc__conn_gather(c, k, buf, sizeof buf);
                long s;
                if (len) {
                } else if (SIOC__TLS_ON(kc)) {
                    sioc_http_conn_pending(c, k, &p, &len);
                } else {
                    sioc__conn_stream(c, kc, &p, &len); /* what sioc_http_conn_pending() gives on a plain one */
                }
                if (!len) break;
                s = t->send(t->user, k, p, len);
                if (s == 0) break;
                progress = 1;
                if (s < 0) { /* broken (reset, EPIPE): not an orderly end, but may be retried */
                    sioc_http_conn_failed(c, k, SIOC_ERR_CLOSED, now_ms);
                    break;
                }
                if ((size_t)s > len) s = (long)len;
                if (p == buf || !SIOC__TLS_ON(kc)) sioc__conn_stream_advance(c, kc, (size_t)s);
                else sioc_http_conn_sent(c, k, (size_t)s);
            }
            for (reads = 0; reads < 8; reads++) {
                size_t room = sioc_http_conn_recv_room(c, k); /* 0 unless the socket is open and may be read */
                long got;
                if (room == 0) break;
                got = t->recv(t->user, k, buf, SIOC__MIN(room, sizeof buf));
                if (got == 0) break;
                progress = 1;
                if (got < 0) { /* SIOC_ERR_CLOSED: orderly EOF; anything else: broken */
                    if (got == SIOC_ERR_CLOSED) sioc_http_conn_eof(c, k, now_ms);
                    else sioc_http_conn_failed(c, k, SIOC_ERR_CLOSED, now_ms);
                    break;
                }
                (void)sioc_http_conn_feed(c, k, buf, (size_t)got, now_ms, NULL);
                if (SIOC__TLS_ON(kc)) { /* TLS may need to answer first */
                    if (sioc_http_conn_wants(c, k) & SIOC_HTTP_WANT_WRITE) break;
                } else {
                    const uint8_t *out;
                    size_t out_len;
                    sioc__conn_stream(c, kc, &out, &out_len); /* wants WRITE on a plain one: flush first */
                    if (out_len) break;
                }
            }
        }
        if (!progress) break;
    }
    sioc_http_tick(c, now_ms);
    return SIOC_OK;
}
/* ---- src/tls_none.c ---- */
/* ---- tls_none.c: no TLS compiled in ----
   Plain TCP only. An https endpoint is refused by sioc_http_endpoint() unless the application declared that it
   terminates TLS itself (desc.tls_offload: a modem or offload engine); then the bytes pass through untouched. */

#if SIOC_TLS == SIOC_TLS_NONE

static sioc_result sioc__tlsn_client_init(struct sioc_http_client *c, void **out_state) {
    (void)c;
    *out_state = NULL;
    return SIOC_OK;
}
static void sioc__tlsn_client_free(struct sioc_http_client *c, void *state) { (void)c, (void)state; }
static size_t sioc__tlsn_conn_size(void) { return 0; }
static sioc_result sioc__tlsn_open(struct sioc_http_client *c, void *state, void *conn, const char *host) {
    (void)c, (void)state, (void)conn, (void)host;
    return SIOC_ERR_UNSUPPORTED;
}
static void sioc__tlsn_close(void *conn) { (void)conn; }
static sioc_result sioc__tlsn_handshake(void *conn) {
    (void)conn;
    return SIOC_ERR_UNSUPPORTED;
}
static size_t sioc__tlsn_recv_room(void *conn) {
    (void)conn;
    return 0;
}
static sioc_result sioc__tlsn_feed(void *conn, const uint8_t *in, size_t len) {
    (void)conn, (void)in, (void)len;
    return SIOC_ERR_UNSUPPORTED;
}
static void sioc__tlsn_out(void *conn, const uint8_t **p, size_t *n) {
    (void)conn;
    *p = NULL;
    *n = 0;
}
static void sioc__tlsn_ack(void *conn, size_t n) { (void)conn, (void)n; }
static sioc_result sioc__tlsn_write(void *conn, const uint8_t *p, size_t n, size_t *used) {
    (void)conn, (void)p, (void)n;
    *used = 0;
    return SIOC_ERR_UNSUPPORTED;
}
static sioc_result sioc__tlsn_read(void *conn, const uint8_t **p, size_t *n) {
    (void)conn;
    *p = NULL;
    *n = 0;
    return SIOC_ERR_UNSUPPORTED;
}

static const sioc_tls_ops *sioc__tls_ops(void) {
    static const sioc_tls_ops ops = {"none",
                                     sioc__tlsn_client_init,
                                     sioc__tlsn_client_free,
                                     sioc__tlsn_conn_size,
                                     sioc__tlsn_open,
                                     sioc__tlsn_close,
                                     sioc__tlsn_handshake,
                                     sioc__tlsn_recv_room,
                                     sioc__tlsn_feed,
                                     sioc__tlsn_out,
                                     sioc__tlsn_ack,
                                     sioc__tlsn_write,
                                     sioc__tlsn_read,
                                     sioc__tlsn_ack,
                                     NULL};
    return &ops;
}

SIOC_API const char *sioc_tls_backend(void) { return "none"; }

#endif /* SIOC_TLS == SIOC_TLS_NONE */
/* ---- src/tls_mbedtls.c ---- */
/* ---- tls_mbedtls.c: TLS 1.2 through mbedTLS 2.28 (Debian libmbedtls-dev; link -lmbedtls -lmbedx509 -lmbedcrypto) ----
   The socket side is two byte queues behind custom BIO callbacks that answer WANT_READ / WANT_WRITE when empty or
   full, so mbedTLS never touches a socket. Pitfalls handled (docs/DESIGN.md section 9):
   - mbedtls_ssl_set_hostname() is always called and an empty name is refused first: 2.28.3 silently skips the
     name check when it is never called (CVE-2025-27809).
   - MBEDTLS_SSL_VERIFY_REQUIRED is set explicitly; no verify callback clears any flag.
   - The DRBG is seeded from the caller's random callback; no OS entropy source is used.
   - mbedTLS reads the system clock for certificate validity; the caller's clock can only be checked for
     plausibility (SIOC_ERR_TLS_TIME before 2024).
   - After WANT_WRITE, mbedtls_ssl_write() is called again with the same pointer and length (the engine keeps
     its send position until bytes are taken).
   mbedTLS allocates its record buffers itself (calloc) in mbedtls_ssl_setup(), i.e. when a connection opens. */

#if SIOC_TLS == SIOC_TLS_MBEDTLS

#include <mbedtls/ctr_drbg.h>
#include <mbedtls/ssl.h>
#include <mbedtls/version.h>
#include <mbedtls/x509_crt.h>

#if MBEDTLS_VERSION_NUMBER < 0x02100000 || MBEDTLS_VERSION_NUMBER >= 0x03000000
#error "tls_mbedtls.c is written for mbedTLS 2.16 .. 2.28"
#endif

#define SIOC__MBED_IN 4096          /* ciphertext waiting for mbedTLS (it pulls records out at once) */
#define SIOC__MBED_OUT (16384 + 512) /* ciphertext for the socket: a full record */
#define SIOC__MBED_PLAIN 4096       /* decrypted bytes for the HTTP parser */
#define SIOC__MIN_PLAUSIBLE_UTC 1704067200 /* 2024-01-01: a clock before this is unset */

typedef struct sioc__mbed_client {
    mbedtls_ssl_config conf;
    mbedtls_x509_crt ca;
    mbedtls_ctr_drbg_context drbg;
    sioc_http_client *c;
} sioc__mbed_client;

typedef struct sioc__mbed_conn {
    mbedtls_ssl_context ssl;
    int setup, done, last; /* last: the mbedTLS error code of the last failure */
    sioc_bq in, out;
    size_t plain_off, plain_len;
    uint8_t in_mem[SIOC__MBED_IN];
    uint8_t out_mem[SIOC__MBED_OUT];
    uint8_t plain[SIOC__MBED_PLAIN];
} sioc__mbed_conn;

static int sioc__mbed_entropy(void *user, unsigned char *buf, size_t len) {
    sioc_http_client *c = (sioc_http_client *)user;
    return c->desc.random(c->desc.user, buf, len) == SIOC_OK ? 0 : -1;
}

static void sioc__mbed_client_free(struct sioc_http_client *c, void *state) {
    sioc__mbed_client *m = (sioc__mbed_client *)state;
    if (!m) return;
    mbedtls_ssl_config_free(&m->conf);
    mbedtls_x509_crt_free(&m->ca);
    mbedtls_ctr_drbg_free(&m->drbg);
    sioc__free(&c->desc.allocator, m, sizeof *m);
}

/* Trust anchors from PEM text (may lack its NUL) and/or a file (ca_file, or the system bundle when neither is
   given). A file or buffer of which no certificate parses is an error; single certificates mbedTLS cannot read
   inside a larger bundle are skipped. */
static sioc_result sioc__mbed_load_ca(sioc_http_client *c, sioc__mbed_client *m, const char *file) {
    const sioc_http_client_desc *d = &c->desc;
    int r;
    if (d->ca_pem && d->ca_pem_len) {
        char *tmp = (char *)sioc__alloc(&d->allocator, d->ca_pem_len + 1);
        if (!tmp) return SIOC_ERR_NOMEM;
        memcpy(tmp, d->ca_pem, d->ca_pem_len);
        tmp[d->ca_pem_len] = 0; /* mbedTLS wants the NUL counted in the PEM length */
        r = mbedtls_x509_crt_parse(&m->ca, (const unsigned char *)tmp, d->ca_pem_len + 1);
        sioc__free(&d->allocator, tmp, d->ca_pem_len + 1);
        if (r < 0 || m->ca.version == 0) {
            sioc__detail_set(c->detail, sizeof c->detail, "ca_pem: no certificate could be read", NULL, NULL);
            return SIOC_ERR_TLS;
        }
    }
    if (file) {
        r = mbedtls_x509_crt_parse_file(&m->ca, file);
        if (r < 0 || m->ca.version == 0) {
            sioc__detail_set(c->detail, sizeof c->detail, file, ": no certificate could be read", NULL);
            return SIOC_ERR_TLS;
        }
    }
    return SIOC_OK;
}

static sioc_result sioc__mbed_client_init(struct sioc_http_client *c, void **out_state) {
    sioc__mbed_client *m;
    sioc_result r;
    static const unsigned char pers[] = "sio_cluster.h tls";
    const char *file = c->desc.ca_file, *system = NULL;
    *out_state = NULL;
    /* Without trust anchors, randomness or a clock there is no TLS: sioc_http_endpoint() says so. */
    if (!c->desc.random || !c->desc.utc_now) {
        sioc__detail_set(c->p_tls_why, sizeof c->p_tls_why, "no ", !c->desc.random ? "random" : "utc_now",
                         " callback in the http desc");
        return SIOC_OK;
    }
    if (!c->desc.ca_pem && !file) {
        file = system = sioc__tls_system_ca();
        if (!file) {
            sioc__detail_set(c->p_tls_why, sizeof c->p_tls_why, "no trust anchors: set ca_file (no system CA bundle)",
                             NULL, NULL);
            return SIOC_OK;
        }
    }
    m = (sioc__mbed_client *)sioc__alloc(&c->desc.allocator, sizeof *m);
    if (!m) return SIOC_ERR_NOMEM;
    memset(m, 0, sizeof *m);
    m->c = c;
    mbedtls_ssl_config_init(&m->conf);
    mbedtls_x509_crt_init(&m->ca);
    mbedtls_ctr_drbg_init(&m->drbg);
    r = sioc__mbed_load_ca(c, m, file);
    if (r == SIOC_ERR_TLS && system) { /* an unreadable system bundle is not the caller's error: no TLS, and why */
        sioc__detail_set(c->p_tls_why, sizeof c->p_tls_why, "system CA bundle unreadable: ", system, NULL);
        c->detail[0] = 0;
        sioc__mbed_client_free(c, m);
        return SIOC_OK;
    }
    if (r == SIOC_OK && mbedtls_ctr_drbg_seed(&m->drbg, sioc__mbed_entropy, c, pers, sizeof pers - 1) != 0)
        r = SIOC_ERR_DEPENDENCY;
    if (r == SIOC_OK && mbedtls_ssl_config_defaults(&m->conf, MBEDTLS_SSL_IS_CLIENT, MBEDTLS_SSL_TRANSPORT_STREAM,
                                                    MBEDTLS_SSL_PRESET_DEFAULT) != 0)
        r = SIOC_ERR_TLS;
    if (r != SIOC_OK) {
        sioc__mbed_client_free(c, m);
        return r;
    }
    mbedtls_ssl_conf_authmode(&m->conf, MBEDTLS_SSL_VERIFY_REQUIRED);
    mbedtls_ssl_conf_ca_chain(&m->conf, &m->ca, NULL);
    mbedtls_ssl_conf_rng(&m->conf, mbedtls_ctr_drbg_random, &m->drbg);
    mbedtls_ssl_conf_min_version(&m->conf, MBEDTLS_SSL_MAJOR_VERSION_3, MBEDTLS_SSL_MINOR_VERSION_3);
    mbedtls_ssl_conf_max_version(&m->conf, MBEDTLS_SSL_MAJOR_VERSION_3, MBEDTLS_SSL_MINOR_VERSION_3);
    *out_state = m;
    return SIOC_OK;
}

static size_t sioc__mbed_conn_size(void) { return sizeof(sioc__mbed_conn); }

static int sioc__mbed_bio_send(void *ctx, const unsigned char *buf, size_t len) {
    sioc__mbed_conn *k = (sioc__mbed_conn *)ctx;
    size_t room = k->out.cap - sioc_bq_len(&k->out), n = SIOC__MIN(room, len);
    if (n == 0) return MBEDTLS_ERR_SSL_WANT_WRITE;
    if (n > 0x7fffffff) n = 0x7fffffff;
    if (sioc_bq_write(&k->out, buf, n) != SIOC_OK) return MBEDTLS_ERR_SSL_WANT_WRITE;
    return (int)n;
}

static int sioc__mbed_bio_recv(void *ctx, unsigned char *buf, size_t len) {
    sioc__mbed_conn *k = (sioc__mbed_conn *)ctx;
    size_t avail;
    const uint8_t *p = sioc_bq_peek(&k->in, &avail);
    size_t n = SIOC__MIN(avail, len);
    if (n == 0) return MBEDTLS_ERR_SSL_WANT_READ;
    if (n > 0x7fffffff) n = 0x7fffffff;
    memcpy(buf, p, n);
    sioc_bq_consume(&k->in, n);
    return (int)n;
}

static sioc_result sioc__mbed_open(struct sioc_http_client *c, void *state, void *conn, const char *host) {
    sioc__mbed_conn *k = (sioc__mbed_conn *)conn;
    int64_t now;
    if (!host || !host[0]) return SIOC_ERR_TLS_NO_HOSTNAME; /* before any byte: never "verify nothing" */
    if (!state) return SIOC_ERR_DEPENDENCY;
    now = c->desc.utc_now(c->desc.user);
    if (now < SIOC__MIN_PLAUSIBLE_UTC) return SIOC_ERR_TLS_TIME;
    memset(k, 0, sizeof *k);
    sioc_bq_init(&k->in, k->in_mem, sizeof k->in_mem);
    sioc_bq_init(&k->out, k->out_mem, sizeof k->out_mem);
    mbedtls_ssl_init(&k->ssl);
    k->setup = 1;
    if (mbedtls_ssl_setup(&k->ssl, &((sioc__mbed_client *)state)->conf) != 0) return SIOC_ERR_NOMEM;
    if (mbedtls_ssl_set_hostname(&k->ssl, host) != 0) return SIOC_ERR_TLS_NO_HOSTNAME; /* SNI + name check */
    mbedtls_ssl_set_bio(&k->ssl, k, sioc__mbed_bio_send, sioc__mbed_bio_recv, NULL);
    return SIOC_OK;
}

static void sioc__mbed_close(void *conn) {
    sioc__mbed_conn *k = (sioc__mbed_conn *)conn;
    if (k->setup) mbedtls_ssl_free(&k->ssl);
    k->setup = 0;
}

/* The most specific reason: an untrusted chain makes the other flags meaningless, so it comes first. */
static sioc_result sioc__mbed_error(sioc__mbed_conn *k, int r) {
    if (r == MBEDTLS_ERR_X509_CERT_VERIFY_FAILED) {
        uint32_t f = mbedtls_ssl_get_verify_result(&k->ssl);
        if (f & MBEDTLS_X509_BADCERT_NOT_TRUSTED) return SIOC_ERR_TLS_UNTRUSTED;
        if (f & (MBEDTLS_X509_BADCERT_EXPIRED | MBEDTLS_X509_BADCERT_FUTURE)) return SIOC_ERR_TLS_EXPIRED;
        if (f & MBEDTLS_X509_BADCERT_CN_MISMATCH) return SIOC_ERR_TLS_HOSTNAME;
    }
    return SIOC_ERR_TLS;
}

static int sioc__mbed_again(int r) {
    return r == MBEDTLS_ERR_SSL_WANT_READ || r == MBEDTLS_ERR_SSL_WANT_WRITE ||
           r == MBEDTLS_ERR_SSL_ASYNC_IN_PROGRESS || r == MBEDTLS_ERR_SSL_CRYPTO_IN_PROGRESS;
}

static sioc_result sioc__mbed_handshake(void *conn) {
    sioc__mbed_conn *k = (sioc__mbed_conn *)conn;
    int r;
    if (k->done) return SIOC_OK;
    r = mbedtls_ssl_handshake(&k->ssl);
    if (r == 0) {
        k->done = 1;
        return SIOC_OK;
    }
    if (sioc__mbed_again(r)) return SIOC_AGAIN;
    k->last = r;
    return sioc__mbed_error(k, r);
}

static size_t sioc__mbed_recv_room(void *conn) {
    sioc__mbed_conn *k = (sioc__mbed_conn *)conn;
    return k->in.cap - sioc_bq_len(&k->in);
}

static sioc_result sioc__mbed_feed(void *conn, const uint8_t *in, size_t len) {
    sioc__mbed_conn *k = (sioc__mbed_conn *)conn;
    return sioc_bq_write(&k->in, in, len) == SIOC_OK ? SIOC_OK : SIOC_ERR_BUFFER_TOO_SMALL;
}

static void sioc__mbed_out(void *conn, const uint8_t **p, size_t *n) {
    sioc__mbed_conn *k = (sioc__mbed_conn *)conn;
    *p = sioc_bq_peek(&k->out, n);
}

static void sioc__mbed_out_done(void *conn, size_t n) { sioc_bq_consume(&((sioc__mbed_conn *)conn)->out, n); }

static sioc_result sioc__mbed_write(void *conn, const uint8_t *p, size_t n, size_t *used) {
    sioc__mbed_conn *k = (sioc__mbed_conn *)conn;
    int r;
    *used = 0;
    if (!k->done) return SIOC_OK;
    r = mbedtls_ssl_write(&k->ssl, p, n);
    if (r >= 0) {
        *used = (size_t)r;
        return SIOC_OK;
    }
    if (sioc__mbed_again(r)) return SIOC_OK;
    k->last = r;
    return SIOC_ERR_TLS;
}

static sioc_result sioc__mbed_read(void *conn, const uint8_t **p, size_t *n) {
    sioc__mbed_conn *k = (sioc__mbed_conn *)conn;
    *p = NULL;
    *n = 0;
    if (!k->done) return SIOC_OK;
    if (k->plain_len == 0) {
        int r = mbedtls_ssl_read(&k->ssl, k->plain, sizeof k->plain);
        if (r > 0) {
            k->plain_off = 0;
            k->plain_len = (size_t)r;
        } else if (r == 0 || r == MBEDTLS_ERR_SSL_PEER_CLOSE_NOTIFY) {
            return SIOC_ERR_CLOSED;
        } else if (!sioc__mbed_again(r)) {
            k->last = r;
            return SIOC_ERR_TLS;
        }
    }
    *p = k->plain + k->plain_off;
    *n = k->plain_len;
    return SIOC_OK;
}

static void sioc__mbed_read_done(void *conn, size_t n) {
    sioc__mbed_conn *k = (sioc__mbed_conn *)conn;
    if (n > k->plain_len) n = k->plain_len;
    k->plain_off += n;
    k->plain_len -= n;
}

static long sioc__mbed_last_error(void *conn) { return ((sioc__mbed_conn *)conn)->last; }

static const sioc_tls_ops *sioc__tls_ops(void) {
    static const sioc_tls_ops ops = {"mbedtls",
                                     sioc__mbed_client_init,
                                     sioc__mbed_client_free,
                                     sioc__mbed_conn_size,
                                     sioc__mbed_open,
                                     sioc__mbed_close,
                                     sioc__mbed_handshake,
                                     sioc__mbed_recv_room,
                                     sioc__mbed_feed,
                                     sioc__mbed_out,
                                     sioc__mbed_out_done,
                                     sioc__mbed_write,
                                     sioc__mbed_read,
                                     sioc__mbed_read_done,
                                     sioc__mbed_last_error};
    return &ops;
}

SIOC_API const char *sioc_tls_backend(void) { return "mbedtls " MBEDTLS_VERSION_STRING; }

#endif /* SIOC_TLS == SIOC_TLS_MBEDTLS */
/* ---- src/tls_bearssl.c ---- */
/* ---- tls_bearssl.c: TLS 1.2 through BearSSL 0.6 (Debian libbearssl-dev; link -lbearssl) ----
   BearSSL's engine is already sans-I/O: its four buffers (send-record, receive-record, send-app, receive-app, each
   with an acknowledge call) are the ops one for one; the blocking br_sslio wrapper is not used. BearSSL never
   allocates: the per-connection state (client context, X.509 validator, I/O buffer) is one block from the engine.
   Pitfalls handled (docs/DESIGN.md section 9):
   - br_ssl_client_reset() with a NULL name disables SNI and the name check: an empty name is refused first.
   - Trust anchors are decoded from PEM (BearSSL's streaming PEM and X.509 decoders) and deep-copied.
   - Validity is checked against the caller's clock (br_x509_minimal_set_time, days since year 0 =
     unix / 86400 + 719528); a clock before 2024 fails with SIOC_ERR_TLS_TIME.
   - Entropy comes from the caller's random callback (br_ssl_engine_inject_entropy), never the OS.
   - The receive side always holds a full 16 KB record (AWS and Azure ignore max_fragment_length). */

#if SIOC_TLS == SIOC_TLS_BEARSSL

#include <bearssl.h>
#include <stdio.h> /* ca_file only */

#ifndef SIOC_BEARSSL_BIDI
#define SIOC_BEARSSL_BIDI 1 /* 1: 33 KB full-duplex I/O buffer per connection; 0: 16.7 KB half-duplex */
#endif

#define SIOC__BSSL_MIN_PLAUSIBLE_UTC 1704067200 /* 2024-01-01 */

typedef struct sioc__bssl_client {
    br_x509_trust_anchor *tas;
    size_t n_tas, size; /* size of this block (anchors and their bytes follow the struct) */
} sioc__bssl_client;

typedef struct sioc__bssl_conn {
    br_ssl_client_context cc;
    br_x509_minimal_context xc;
    unsigned char iobuf[SIOC_BEARSSL_BIDI ? BR_SSL_BUFSIZE_BIDI : BR_SSL_BUFSIZE_MONO];
} sioc__bssl_conn;

/* ---- trust anchors ---- */

typedef struct sioc__bssl_sink {
    uint8_t *buf;
    size_t cap, len;
} sioc__bssl_sink;

static void sioc__bssl_append(void *ctx, const void *p, size_t n) {
    sioc__bssl_sink *s = (sioc__bssl_sink *)ctx;
    if (s->buf && n <= s->cap - SIOC__MIN(s->len, s->cap)) memcpy(s->buf + s->len, p, n);
    s->len += n; /* counts even when it does not fit: the first pass measures */
}

/* Every CERTIFICATE object of the PEM text, as DER, one after the other in `der`; lens[] gets their sizes.
   Returns the number of certificates, or -1 on a PEM error. With der == NULL only counts and measures. */
static long sioc__bssl_pem_to_der(const char *pem, size_t len, sioc__bssl_sink *der, size_t *lens, size_t max) {
    br_pem_decoder_context pc;
    long count = 0;
    int in_cert = 0, pushed_nl = 0;
    size_t start = 0;
    br_pem_decoder_init(&pc);
    while (len > 0 || !pushed_nl) {
        size_t used;
        if (len == 0) { /* a final line may lack its newline */
            pem = "\n";
            len = 1;
            pushed_nl = 1;
        }
        used = br_pem_decoder_push(&pc, pem, len);
        pem += used;
        len -= used;
        switch (br_pem_decoder_event(&pc)) {
        case BR_PEM_BEGIN_OBJ: {
            const char *name = br_pem_decoder_name(&pc);
            in_cert = !strcmp(name, "CERTIFICATE") || !strcmp(name, "X509 CERTIFICATE");
            br_pem_decoder_setdest(&pc, in_cert ? sioc__bssl_append : NULL, in_cert ? der : NULL);
            start = der->len;
            break;
        }
        case BR_PEM_END_OBJ:
            if (in_cert) {
                if (lens && (size_t)count < max) lens[count] = der->len - start;
                count++;
            }
            in_cert = 0;
            break;
        case BR_PEM_ERROR:
            return -1;
        default:
            break;
        }
    }
    return count;
}

/* Decode one certificate: subject DN into *dn, key into *out; 0 on success. */
static int sioc__bssl_decode(const uint8_t *der, size_t len, sioc__bssl_sink *dn, br_x509_pkey *out, int *is_ca,
                             br_x509_decoder_context *dc) {
    const br_x509_pkey *pk;
    br_x509_decoder_init(dc, sioc__bssl_append, dn);
    br_x509_decoder_push(dc, der, len);
    pk = br_x509_decoder_get_pkey(dc);
    if (!pk) return -1;
    *out = *pk; /* points into dc: copied out by the caller before dc is reused */
    *is_ca = br_x509_decoder_isCA(dc);
    return 0;
}

static size_t sioc__bssl_key_bytes(const br_x509_pkey *k) {
    return k->key_type == BR_KEYTYPE_RSA ? k->key.rsa.nlen + k->key.rsa.elen : k->key.ec.qlen;
}

/* The PEM texts (buffer and file: ca_file, or the system bundle) joined; caller frees *out with the same size. */
static sioc_result sioc__bssl_gather(const sioc_http_client_desc *d, const char *file, char **out, size_t *out_len) {
    size_t file_len = 0, total;
    FILE *f = NULL;
    char *buf;
    *out = NULL;
    *out_len = 0;
    if (file) {
        long n;
        f = fopen(file, "rb");
        if (!f) return SIOC_ERR_TLS;
        if (fseek(f, 0, SEEK_END) != 0 || (n = ftell(f)) < 0 || fseek(f, 0, SEEK_SET) != 0) {
            fclose(f);
            return SIOC_ERR_TLS;
        }
        file_len = (size_t)n;
    }
    total = (d->ca_pem ? d->ca_pem_len : 0) + 1 + file_len;
    buf = (char *)sioc__alloc(&d->allocator, total);
    if (!buf) {
        if (f) fclose(f);
        return SIOC_ERR_NOMEM;
    }
    if (d->ca_pem && d->ca_pem_len) memcpy(buf, d->ca_pem, d->ca_pem_len);
    buf[d->ca_pem ? d->ca_pem_len : 0] = '\n';
    if (f) {
        size_t got = fread(buf + total - file_len, 1, file_len, f);
        fclose(f);
        if (got != file_len) {
            sioc__free(&d->allocator, buf, total);
            return SIOC_ERR_TLS;
        }
    }
    *out = buf;
    *out_len = total;
    return SIOC_OK;
}

static void sioc__bssl_client_free(struct sioc_http_client *c, void *state) {
    sioc__bssl_client *b = (sioc__bssl_client *)state;
    if (b) sioc__free(&c->desc.allocator, b, b->size);
}

/* Anchors: measure (pass 1), then allocate one block and deep-copy DN and key bytes into it (pass 2). */
static sioc_result sioc__bssl_client_init(struct sioc_http_client *c, void **out_state) {
    const sioc_http_client_desc *d = &c->desc;
    char *pem = NULL;
    size_t pem_len = 0, *lens = NULL, i, off, bytes = 0, block;
    long count;
    sioc__bssl_sink der;
    sioc__bssl_client *b = NULL;
    br_x509_decoder_context *dc = NULL;
    sioc_result r;
    uint8_t *p;
    const char *file = d->ca_file, *system = NULL;
    *out_state = NULL;
    if (!d->random || !d->utc_now) { /* no TLS: sioc_http_endpoint() says so */
        sioc__detail_set(c->p_tls_why, sizeof c->p_tls_why, "no ", !d->random ? "random" : "utc_now",
                         " callback in the http desc");
        return SIOC_OK;
    }
    if (!d->ca_pem && !file) {
        file = system = sioc__tls_system_ca();
        if (!file) {
            sioc__detail_set(c->p_tls_why, sizeof c->p_tls_why, "no trust anchors: set ca_file (no system CA bundle)",
                             NULL, NULL);
            return SIOC_OK;
        }
    }
    r = sioc__bssl_gather(d, file, &pem, &pem_len);
    if (r != SIOC_OK) {
        if (system) { /* an unreadable system bundle is not the caller's error: no TLS, and why */
            sioc__detail_set(c->p_tls_why, sizeof c->p_tls_why, "system CA bundle unreadable: ", system, NULL);
            return SIOC_OK;
        }
        if (file) sioc__detail_set(c->detail, sizeof c->detail, file, ": cannot be read", NULL);
        return r;
    }
    memset(&der, 0, sizeof der);
    count = sioc__bssl_pem_to_der(pem, pem_len, &der, NULL, 0);
    if (count <= 0) {
        sioc__detail_set(c->detail, sizeof c->detail, file ? file : "ca_pem", ": no certificate could be read", NULL);
        r = SIOC_ERR_TLS;
        goto done;
    }
    der.cap = der.len;
    der.len = 0;
    der.buf = (uint8_t *)sioc__alloc(&d->allocator, der.cap);
    lens = (size_t *)sioc__alloc(&d->allocator, (size_t)count * sizeof *lens);
    dc = (br_x509_decoder_context *)sioc__alloc(&d->allocator, sizeof *dc);
    if (!der.buf || !lens || !dc) {
        r = SIOC_ERR_NOMEM;
        goto done;
    }
    if (sioc__bssl_pem_to_der(pem, pem_len, &der, lens, (size_t)count) != count) {
        r = SIOC_ERR_TLS;
        goto done;
    }
    for (i = 0, off = 0; i < (size_t)count; off += lens[i], i++) { /* measure */
        sioc__bssl_sink dn;
        br_x509_pkey key;
        int is_ca;
        memset(&dn, 0, sizeof dn);
        if (sioc__bssl_decode(der.buf + off, lens[i], &dn, &key, &is_ca, dc) != 0) {
            if (system) continue; /* the system bundle may hold a key type BearSSL lacks: that anchor is left out */
            sioc__detail_set(c->detail, sizeof c->detail, file ? file : "ca_pem", ": a certificate BearSSL cannot decode",
                             NULL);
            r = SIOC_ERR_TLS;
            goto done;
        }
        bytes += dn.len + sioc__bssl_key_bytes(&key);
    }
    block = sizeof *b + (size_t)count * sizeof(br_x509_trust_anchor) + bytes;
    b = (sioc__bssl_client *)sioc__alloc(&d->allocator, block);
    if (!b) {
        r = SIOC_ERR_NOMEM;
        goto done;
    }
    memset(b, 0, block);
    b->size = block;
    b->tas = (br_x509_trust_anchor *)(void *)(b + 1);
    p = (uint8_t *)(b->tas + count);
    for (i = 0, off = 0; i < (size_t)count; off += lens[i], i++) { /* copy */
        br_x509_trust_anchor *ta = &b->tas[b->n_tas];
        sioc__bssl_sink dn;
        br_x509_pkey key;
        int is_ca, bad;
        dn.buf = p;
        dn.cap = bytes - (size_t)(p - (uint8_t *)(b->tas + count));
        dn.len = 0;
        bad = sioc__bssl_decode(der.buf + off, lens[i], &dn, &key, &is_ca, dc) != 0;
        if (bad && system) continue; /* left out when measuring too */
        if (bad || dn.len > dn.cap) {
            r = SIOC_ERR_TLS;
            goto done;
        }
        b->n_tas++;
        ta->dn.data = p;
        ta->dn.len = dn.len;
        p += dn.len;
        ta->flags = is_ca ? BR_X509_TA_CA : 0;
        ta->pkey.key_type = key.key_type;
        if (key.key_type == BR_KEYTYPE_RSA) {
            memcpy(p, key.key.rsa.n, key.key.rsa.nlen);
            ta->pkey.key.rsa.n = p;
            ta->pkey.key.rsa.nlen = key.key.rsa.nlen;
            p += key.key.rsa.nlen;
            memcpy(p, key.key.rsa.e, key.key.rsa.elen);
            ta->pkey.key.rsa.e = p;
            ta->pkey.key.rsa.elen = key.key.rsa.elen;
            p += key.key.rsa.elen;
        } else {
            memcpy(p, key.key.ec.q, key.key.ec.qlen);
            ta->pkey.key.ec.curve = key.key.ec.curve;
            ta->pkey.key.ec.q = p;
            ta->pkey.key.ec.qlen = key.key.ec.qlen;
            p += key.key.ec.qlen;
        }
    }
    if (b->n_tas == 0) {
        sioc__detail_set(c->detail, sizeof c->detail, file ? file : "ca_pem", ": no usable certificate", NULL);
        r = SIOC_ERR_TLS;
        goto done;
    }
    *out_state = b;
    b = NULL;
    r = SIOC_OK;
done:
    if (b) sioc__free(&d->allocator, b, b->size);
    if (dc) sioc__free(&d->allocator, dc, sizeof *dc);
    if (lens) sioc__free(&d->allocator, lens, (size_t)count * sizeof *lens);
    if (der.buf) sioc__free(&d->allocator, der.buf, der.cap);
    sioc__free(&d->allocator, pem, pem_len);
    return r;
}

/* ---- connections ---- */

static size_t sioc__bssl_conn_size(void) { return sizeof(sioc__bssl_conn); }

static sioc_result sioc__bssl_error(int err) {
    switch (err) {
    case BR_ERR_X509_NOT_TRUSTED:
        return SIOC_ERR_TLS_UNTRUSTED;
    case BR_ERR_X509_EXPIRED:
        return SIOC_ERR_TLS_EXPIRED;
    case BR_ERR_X509_BAD_SERVER_NAME:
        return SIOC_ERR_TLS_HOSTNAME;
    default:
        return SIOC_ERR_TLS;
    }
}

static sioc_result sioc__bssl_open(struct sioc_http_client *c, void *state, void *conn, const char *host) {
    sioc__bssl_client *b = (sioc__bssl_client *)state;
    sioc__bssl_conn *k = (sioc__bssl_conn *)conn;
    uint8_t seed[32];
    int64_t now;
    if (!host || !host[0]) return SIOC_ERR_TLS_NO_HOSTNAME; /* NULL would switch off SNI and the name check */
    if (!b) return SIOC_ERR_DEPENDENCY;
    now = c->desc.utc_now(c->desc.user);
    if (now < SIOC__BSSL_MIN_PLAUSIBLE_UTC) return SIOC_ERR_TLS_TIME;
    if (c->desc.random(c->desc.user, seed, sizeof seed) != SIOC_OK) return SIOC_ERR_DEPENDENCY;
    br_ssl_client_init_full(&k->cc, &k->xc, b->tas, b->n_tas);
    br_ssl_engine_set_versions(&k->cc.eng, BR_TLS12, BR_TLS12);
    br_ssl_engine_set_buffer(&k->cc.eng, k->iobuf, sizeof k->iobuf, SIOC_BEARSSL_BIDI);
    br_ssl_engine_inject_entropy(&k->cc.eng, seed, sizeof seed);
    memset(seed, 0, sizeof seed);
    br_x509_minimal_set_time(&k->xc, (uint32_t)(now / 86400 + 719528), (uint32_t)(now % 86400));
    if (!br_ssl_client_reset(&k->cc, host, 0)) return sioc__bssl_error(br_ssl_engine_last_error(&k->cc.eng));
    return SIOC_OK;
}

static void sioc__bssl_close(void *conn) { (void)conn; /* nothing allocated inside BearSSL */ }

static sioc_result sioc__bssl_handshake(void *conn) {
    sioc__bssl_conn *k = (sioc__bssl_conn *)conn;
    unsigned st = br_ssl_engine_current_state(&k->cc.eng);
    if (st & BR_SSL_CLOSED) return sioc__bssl_error(br_ssl_engine_last_error(&k->cc.eng));
    return (st & (BR_SSL_SENDAPP | BR_SSL_RECVAPP)) ? SIOC_OK : SIOC_AGAIN; /* app data only after the handshake */
}

static size_t sioc__bssl_recv_room(void *conn) {
    sioc__bssl_conn *k = (sioc__bssl_conn *)conn;
    size_t len = 0;
    return br_ssl_engine_recvrec_buf(&k->cc.eng, &len) ? len : 0;
}

static sioc_result sioc__bssl_feed(void *conn, const uint8_t *in, size_t n) {
    sioc__bssl_conn *k = (sioc__bssl_conn *)conn;
    size_t len = 0;
    unsigned char *buf = br_ssl_engine_recvrec_buf(&k->cc.eng, &len);
    if (!buf || n > len) return SIOC_ERR_BUFFER_TOO_SMALL;
    memcpy(buf, in, n);
    br_ssl_engine_recvrec_ack(&k->cc.eng, n);
    return SIOC_OK;
}

static void sioc__bssl_out(void *conn, const uint8_t **p, size_t *n) {
    sioc__bssl_conn *k = (sioc__bssl_conn *)conn;
    size_t len = 0;
    *p = br_ssl_engine_sendrec_buf(&k->cc.eng, &len);
    *n = *p ? len : 0;
}

static void sioc__bssl_out_done(void *conn, size_t n) {
    br_ssl_engine_sendrec_ack(&((sioc__bssl_conn *)conn)->cc.eng, n);
}

static sioc_result sioc__bssl_write(void *conn, const uint8_t *p, size_t n, size_t *used) {
    sioc__bssl_conn *k = (sioc__bssl_conn *)conn;
    size_t len = 0;
    unsigned char *buf = br_ssl_engine_sendapp_buf(&k->cc.eng, &len);
    *used = 0;
    if (!buf) {
        return (br_ssl_engine_current_state(&k->cc.eng) & BR_SSL_CLOSED)
                   ? sioc__bssl_error(br_ssl_engine_last_error(&k->cc.eng))
                   : SIOC_OK;
    }
    *used = SIOC__MIN(len, n);
    memcpy(buf, p, *used);
    br_ssl_engine_sendapp_ack(&k->cc.eng, *used);
    br_ssl_engine_flush(&k->cc.eng, 0); /* a record now, not when the buffer fills */
    return SIOC_OK;
}

static sioc_result sioc__bssl_read(void *conn, const uint8_t **p, size_t *n) {
    sioc__bssl_conn *k = (sioc__bssl_conn *)conn;
    size_t len = 0;
    *p = br_ssl_engine_recvapp_buf(&k->cc.eng, &len);
    *n = *p ? len : 0;
    if (*p) return SIOC_OK;
    if (br_ssl_engine_current_state(&k->cc.eng) & BR_SSL_CLOSED) {
        int err = br_ssl_engine_last_error(&k->cc.eng);
        return err == BR_ERR_OK ? SIOC_ERR_CLOSED : sioc__bssl_error(err); /* OK: the peer's close_notify */
    }
    return SIOC_OK;
}

static void sioc__bssl_read_done(void *conn, size_t n) {
    br_ssl_engine_recvapp_ack(&((sioc__bssl_conn *)conn)->cc.eng, n);
}

static long sioc__bssl_last_error(void *conn) {
    return (long)br_ssl_engine_last_error(&((sioc__bssl_conn *)conn)->cc.eng);
}

static const sioc_tls_ops *sioc__tls_ops(void) {
    static const sioc_tls_ops ops = {"bearssl",
                                     sioc__bssl_client_init,
                                     sioc__bssl_client_free,
                                     sioc__bssl_conn_size,
                                     sioc__bssl_open,
                                     sioc__bssl_close,
                                     sioc__bssl_handshake,
                                     sioc__bssl_recv_room,
                                     sioc__bssl_feed,
                                     sioc__bssl_out,
                                     sioc__bssl_out_done,
                                     sioc__bssl_write,
                                     sioc__bssl_read,
                                     sioc__bssl_read_done,
                                     sioc__bssl_last_error};
    return &ops;
}

SIOC_API const char *sioc_tls_backend(void) { return "bearssl 0.6"; }

#endif /* SIOC_TLS == SIOC_TLS_BEARSSL */
/* ---- src/posix.c ---- */
/* ---- posix.c: non-blocking sockets + poll() as a sioc_http_transport ----
   Uses only the public HTTP API. OS headers stay inside this #if block. */

#if SIOC_ENABLE_POSIX

#if defined(__GLIBC__) && !defined(_GNU_SOURCE) && (!defined(_POSIX_C_SOURCE) || _POSIX_C_SOURCE < 200112L)
#error "SIOC_ENABLE_POSIX: define _POSIX_C_SOURCE 200809L before including anything (or build with -std=gnu99)"
#endif

#include <errno.h>
#include <fcntl.h>
#if SIOC_POSIX_GETADDRINFO
#include <netdb.h>
#endif
#include <netinet/in.h>
#include <netinet/tcp.h>
#include <arpa/inet.h>
#include <poll.h>
#include <sys/socket.h>
#include <sys/types.h>
#include <time.h>
#include <unistd.h>

#ifdef MSG_NOSIGNAL
#define SIOC__SEND_FLAGS MSG_NOSIGNAL /* EPIPE instead of a process-killing SIGPIPE */
#else
#define SIOC__SEND_FLAGS 0
#endif

SIOC_API sioc_http_client_desc sioc_posix_http_defaults(const sioc_http_client_desc *desc) {
    sioc_http_client_desc d = *desc;
    if (!d.random) d.random = sioc_posix_random;
    if (!d.utc_now) d.utc_now = sioc_posix_utc_now;
    return d;
}

SIOC_API uint64_t sioc_posix_now_ms(void) {
    struct timespec ts;
    if (clock_gettime(CLOCK_MONOTONIC, &ts) != 0) return 0;
    return (uint64_t)ts.tv_sec * 1000u + (uint64_t)ts.tv_nsec / 1000000u;
}

SIOC_API int64_t sioc_posix_utc_now(void *user) {
    (void)user;
    return (int64_t)time(NULL);
}

SIOC_API sioc_result sioc_posix_random(void *user, void *buf, size_t len) {
    uint8_t *p = (uint8_t *)buf;
    int fd;
    (void)user;
    fd = open("/dev/urandom", O_RDONLY | O_CLOEXEC);
    if (fd < 0) return SIOC_ERR_DEPENDENCY;
    while (len > 0) {
        ssize_t n = read(fd, p, len);
        if (n < 0 && errno == EINTR) continue;
        if (n <= 0) {
            close(fd);
            return SIOC_ERR_DEPENDENCY;
        }
        p += n;
        len -= (size_t)n;
    }
    close(fd);
    return SIOC_OK;
}

SIOC_API sioc_result sioc_posix_addr_parse(const char *text, sioc_posix_addr *out) {
    memset(out, 0, sizeof *out);
    if (!text) return SIOC_ERR_ARG;
    if (inet_pton(AF_INET, text, out->ip) == 1) {
        out->family = 4;
        return SIOC_OK;
    }
    if (inet_pton(AF_INET6, text, out->ip) == 1) {
        out->family = 6;
        return SIOC_OK;
    }
    return SIOC_ERR_ARG;
}

SIOC_API sioc_result sioc_posix_resolve(void *user, const char *host, uint16_t port, sioc_posix_addr *out) {
#if SIOC_POSIX_GETADDRINFO
    struct addrinfo hints, *res = NULL, *ai;
    sioc_result r = SIOC_ERR_CONNECT;
#endif
    (void)user, (void)port;
    if (sioc_posix_addr_parse(host, out) == SIOC_OK) return SIOC_OK; /* literal: no lookup */
#if !SIOC_POSIX_GETADDRINFO
    return SIOC_ERR_UNSUPPORTED;
#else
    memset(&hints, 0, sizeof hints);
    hints.ai_family = AF_UNSPEC;
    hints.ai_socktype = SOCK_STREAM;
    if (getaddrinfo(host, NULL, &hints, &res) != 0) return SIOC_ERR_CONNECT;
    for (ai = res; ai; ai = ai->ai_next) {
        if (ai->ai_family == AF_INET) {
            struct sockaddr_in sa;
            memcpy(&sa, ai->ai_addr, sizeof sa);
            out->family = 4;
            memcpy(out->ip, &sa.sin_addr, 4);
            r = SIOC_OK;
            break;
        }
        if (ai->ai_family == AF_INET6) {
            struct sockaddr_in6 sa;
            memcpy(&sa, ai->ai_addr, sizeof sa);
            out->family = 6;
            memcpy(out->ip, &sa.sin6_addr, 16);
            r = SIOC_OK;
            break;
        }
    }
    freeaddrinfo(res);
    return r;
#endif
}

/* A socket error in words for detail texts (the usual ones spelled out, strerror() for the rest). */
static const char *sioc__px_errno_text(int e) {
    switch (e) {
    case ECONNREFUSED: return "connection refused (nothing listens on that port?)";
    case ETIMEDOUT: return "timed out";
    case ENETUNREACH: return "network unreachable";
    case EHOSTUNREACH: return "host unreachable";
    case ECONNRESET: return "connection reset by peer";
    case EPIPE: return "broken pipe (the peer closed)";
    case EADDRNOTAVAIL: return "address not available";
    case EACCES:
    case EPERM: return "not permitted (firewall?)";
    default: return strerror(e);
    }
}

static void sioc__px_reason(sioc_posix *px, int conn, const char *what, int e) {
    char text[64];
    sioc_buf b;
    sioc__detail_start(&b, text, sizeof text);
    if (what) sioc_buf_puts(&b, what);
    sioc_buf_puts(&b, sioc__px_errno_text(e));
    sioc__detail_end(&b);
    sioc_http_conn_reason(px->client, conn, text);
}

static void sioc__px_close_fd(sioc_posix *px, int conn) {
    if (px->fd[conn] >= 0) close(px->fd[conn]);
    px->fd[conn] = -1;
}

/* First call: resolve, create the socket, start connecting. Later calls: has the connect finished? */
static sioc_result sioc__px_connect(void *user, int conn, const char *host, uint16_t port) {
    sioc_posix *px = (sioc_posix *)user;
    int fd = px->fd[conn], one = 1, err = 0;
    socklen_t len = sizeof err;
    struct pollfd pfd;
    if (fd < 0) {
        sioc_posix_addr a;
        struct sockaddr_storage ss;
        socklen_t sl;
        sioc_result r = px->resolve(px->resolve_user, host, port, &a);
        if (r != SIOC_OK) {
            sioc_http_conn_reason(px->client, conn,
                                  r == SIOC_ERR_UNSUPPORTED ? "not a numeric address (built with SIOC_POSIX_GETADDRINFO 0)"
                                                            : "name not resolved (DNS)");
            return SIOC_ERR_CONNECT;
        }
        memset(&ss, 0, sizeof ss);
        if (a.family == 6) {
            struct sockaddr_in6 sa;
            memset(&sa, 0, sizeof sa);
            sa.sin6_family = AF_INET6;
            sa.sin6_port = htons(port);
            memcpy(&sa.sin6_addr, a.ip, 16);
            memcpy(&ss, &sa, sizeof sa);
            sl = (socklen_t)sizeof sa;
        } else {
            struct sockaddr_in sa;
            memset(&sa, 0, sizeof sa);
            sa.sin_family = AF_INET;
            sa.sin_port = htons(port);
            memcpy(&sa.sin_addr, a.ip, 4);
            memcpy(&ss, &sa, sizeof sa);
            sl = (socklen_t)sizeof sa;
        }
        fd = socket(a.family == 6 ? AF_INET6 : AF_INET, SOCK_STREAM, 0);
        if (fd < 0) {
            sioc__px_reason(px, conn, "socket(): ", errno);
            return SIOC_ERR_CONNECT;
        }
        if (fcntl(fd, F_SETFL, fcntl(fd, F_GETFL, 0) | O_NONBLOCK) != 0 || fcntl(fd, F_SETFD, FD_CLOEXEC) != 0) {
            sioc__px_reason(px, conn, "fcntl(): ", errno);
            close(fd);
            return SIOC_ERR_CONNECT;
        }
        /* Head and body go out in separate writes: without this, Nagle + delayed ACK add ~40 ms per request. */
        (void)setsockopt(fd, IPPROTO_TCP, TCP_NODELAY, &one, sizeof one);
#ifdef SO_NOSIGPIPE
        (void)setsockopt(fd, SOL_SOCKET, SO_NOSIGPIPE, &one, sizeof one);
#endif
        px->fd[conn] = fd;
        if (connect(fd, (struct sockaddr *)&ss, sl) == 0) return SIOC_OK;
        if (errno != EINPROGRESS && errno != EINTR) {
            sioc__px_reason(px, conn, NULL, errno);
            sioc__px_close_fd(px, conn);
            return SIOC_ERR_CONNECT;
        }
        return SIOC_AGAIN;
    }
    pfd.fd = fd;
    pfd.events = POLLOUT;
    pfd.revents = 0;
    if (poll(&pfd, 1, 0) <= 0) return SIOC_AGAIN;
    if (getsockopt(fd, SOL_SOCKET, SO_ERROR, &err, &len) != 0) err = errno;
    if (err != 0) {
        sioc__px_reason(px, conn, NULL, err);
        return SIOC_ERR_CONNECT;
    }
    return SIOC_OK;
}

static long sioc__px_send(void *user, int conn, const uint8_t *data, size_t len) {
    sioc_posix *px = (sioc_posix *)user;
    ssize_t n;
    if (px->fd[conn] < 0) return SIOC_ERR_CLOSED;
    n = send(px->fd[conn], data, len, SIOC__SEND_FLAGS);
    if (n >= 0) return (long)n;
    if (errno == EAGAIN || errno == EWOULDBLOCK || errno == EINTR) return 0;
    sioc__px_reason(px, conn, "send: ", errno);
    return SIOC_ERR_CONNECT; /* EPIPE, ECONNRESET: broken */
}

static long sioc__px_recv(void *user, int conn, uint8_t *buf, size_t cap) {
    sioc_posix *px = (sioc_posix *)user;
    ssize_t n;
    if (px->fd[conn] < 0) return SIOC_ERR_CLOSED;
    n = recv(px->fd[conn], buf, cap, 0);
    if (n > 0) return (long)n;
    if (n == 0) return SIOC_ERR_CLOSED; /* orderly EOF */
    if (errno == EAGAIN || errno == EWOULDBLOCK || errno == EINTR) return 0;
    sioc__px_reason(px, conn, "recv: ", errno);
    return SIOC_ERR_CONNECT; /* ECONNRESET and friends */
}

static void sioc__px_close(void *user, int conn) { sioc__px_close_fd((sioc_posix *)user, conn); }

SIOC_API sioc_result sioc_posix_init(sioc_posix *px, sioc_http_client *client, sioc_posix_resolve_fn resolve,
                                     void *resolve_user) {
    int i;
    memset(px, 0, sizeof *px);
    for (i = 0; i < SIOC_POSIX_MAX_CONNS; i++) px->fd[i] = -1;
    if (!client) return SIOC_ERR_ARG;
    if (sioc_http_conn_count(client) > SIOC_POSIX_MAX_CONNS) return SIOC_ERR_LIMIT;
    px->client = client;
    px->resolve = resolve ? resolve : sioc_posix_resolve;
    px->resolve_user = resolve_user;
    px->transport.connect = sioc__px_connect;
    px->transport.send = sioc__px_send;
    px->transport.recv = sioc__px_recv;
    px->transport.close = sioc__px_close;
    px->transport.user = px;
    return SIOC_OK;
}

SIOC_API void sioc_posix_free(sioc_posix *px) {
    int i;
    for (i = 0; i < SIOC_POSIX_MAX_CONNS; i++) sioc__px_close_fd(px, i);
}

/* One step's knowledge of which sockets hold input: the engine reads every connection in every round, so without
   it a step costs a recv() that fails with EAGAIN per idle connection and round. One poll() with no wait tells
   which sockets are worth a recv(); one drained (EAGAIN) is not read again in the same step. */
typedef struct sioc__px_step {
    sioc_posix *px;
    unsigned char ready[SIOC_POSIX_MAX_CONNS];
} sioc__px_step;

static sioc_result sioc__px_step_connect(void *user, int conn, const char *host, uint16_t port) {
    sioc__px_step *s = (sioc__px_step *)user;
    s->ready[conn] = 0; /* a fresh socket has nothing to read in this step */
    return sioc__px_connect(s->px, conn, host, port);
}

static long sioc__px_step_send(void *user, int conn, const uint8_t *data, size_t len) {
    return sioc__px_send(((sioc__px_step *)user)->px, conn, data, len);
}

static long sioc__px_step_recv(void *user, int conn, uint8_t *buf, size_t cap) {
    sioc__px_step *s = (sioc__px_step *)user;
    long n;
    if (!s->ready[conn]) return 0; /* nothing came since poll() looked: no syscall */
    n = sioc__px_recv(s->px, conn, buf, cap);
    if (n == 0) s->ready[conn] = 0;
    return n;
}

static void sioc__px_step_close(void *user, int conn) {
    sioc__px_step *s = (sioc__px_step *)user;
    s->ready[conn] = 0;
    sioc__px_close_fd(s->px, conn);
}

/* Which connections to read in this step: all that want input when one poll() would cost more than it saves. */
static void sioc__px_readable(sioc_posix *px, unsigned char *ready) {
    struct pollfd pfd[SIOC_POSIX_MAX_CONNS];
    int conn[SIOC_POSIX_MAX_CONNS], i, n = sioc_http_conn_count(px->client), k = 0;
    for (i = 0; i < n; i++) {
        /* a socket not wanting input now (TLS buffer full) is read if it comes to want it during the step */
        ready[i] = px->fd[i] >= 0;
        if (px->fd[i] < 0 || !(sioc_http_conn_wants(px->client, i) & SIOC_HTTP_WANT_READ)) continue;
        pfd[k].fd = px->fd[i];
        pfd[k].events = POLLIN;
        pfd[k].revents = 0;
        conn[k++] = i;
    }
    if (k == 1) ready[conn[0]] = 1; /* one recv() is no dearer than the poll() */
    if (k < 2) return;
    if (poll(pfd, (nfds_t)k, 0) < 0) { /* EINTR and friends: read them all, as without the poll */
        for (i = 0; i < k; i++) ready[conn[i]] = 1;
        return;
    }
    for (i = 0; i < k; i++) ready[conn[i]] = pfd[i].revents != 0; /* input, end or error */
}

SIOC_API sioc_result sioc_posix_step(sioc_posix *px, uint64_t now_ms) {
    sioc__px_step s;
    sioc_http_transport t;
    if (!px->client) return SIOC_ERR_STATE;
    s.px = px;
    sioc__px_readable(px, s.ready);
    t.connect = sioc__px_step_connect;
    t.send = sioc__px_step_send;
    t.recv = sioc__px_step_recv;
    t.close = sioc__px_step_close;
    t.user = &s;
    return sioc_http_drive(px->client, &t, now_ms);
}

SIOC_API size_t sioc_posix_fds(const sioc_posix *px, sioc_posix_fd *out, size_t cap) {
    int i, n = sioc_http_conn_count(px->client);
    size_t k = 0;
    for (i = 0; i < n && k < cap; i++) {
        unsigned w;
        if (px->fd[i] < 0) continue;
        w = sioc_http_conn_wants(px->client, i);
        if (!w) continue;
        out[k].fd = px->fd[i];
        out[k].wants = w;
        k++;
    }
    return k;
}

SIOC_API sioc_result sioc_posix_wait(sioc_posix *px, uint64_t now_ms, uint32_t max_wait_ms) {
    struct pollfd pfd[SIOC_POSIX_MAX_CONNS];
    sioc_posix_fd fds[SIOC_POSIX_MAX_CONNS];
    size_t n = sioc_posix_fds(px, fds, SIOC_POSIX_MAX_CONNS), i;
    uint64_t deadline = sioc_http_next_deadline(px->client), wait = max_wait_ms;
    if (deadline != UINT64_MAX) wait = deadline <= now_ms ? 0 : SIOC__MIN(wait, deadline - now_ms);
    if (sioc_http_responses_ready(px->client)) wait = 0; /* the app has work: do not sleep on quiet sockets */
    for (i = 0; i < n; i++) {
        pfd[i].fd = fds[i].fd;
        pfd[i].events = 0;
        pfd[i].revents = 0;
        if (fds[i].wants & SIOC_HTTP_WANT_READ) pfd[i].events |= POLLIN;
        if (fds[i].wants & (SIOC_HTTP_WANT_WRITE | SIOC_HTTP_WANT_CONNECT)) pfd[i].events |= POLLOUT;
    }
    if (poll(pfd, (nfds_t)n, (int)wait) < 0 && errno != EINTR) return SIOC_ERR_DEPENDENCY;
    return SIOC_OK;
}

SIOC_API sioc_result sioc_posix_run(sioc_posix *px, uint32_t max_wait_ms) {
    sioc_result r = sioc_posix_step(px, sioc_posix_now_ms());
    if (r != SIOC_OK) return r;
    r = sioc_posix_wait(px, sioc_posix_now_ms(), max_wait_ms);
    if (r != SIOC_OK) return r;
    return sioc_posix_step(px, sioc_posix_now_ms());
}

#endif /* SIOC_ENABLE_POSIX */
/* ---- src/sigv4.c ---- */
/* ---- sigv4.c ---- */

/* >>dates. Days from 1970-01-01 <-> proleptic Gregorian civil date (the era-based algorithm described by
   H. Hinnant, "chrono-compatible low-level date algorithms"), integer-only and exact for the range we accept. */
static int64_t sioc__days_from_civil(int64_t y, unsigned m, unsigned d) {
    int64_t era;
    uint32_t r;
    unsigned yoe, doy, doe;
    y -= m <= 2;
    era = sioc__fdiv64(y, 400u, &r);
    yoe = (unsigned)r;
    doy = (153u * (m > 2 ? m - 3 : m + 9) + 2u) / 5u + d - 1u;
    doe = yoe * 365u + yoe / 4u - yoe / 100u + doy;
    return era * 146097 + (int64_t)doe - 719468;
}

static void sioc__put_digits(char *p, unsigned v, int n) {
    while (n-- > 0) {
        p[n] = (char)('0' + v % 10u);
        v /= 10u;
    }
}

SIOC_API sioc_result sioc_sigv4_format_date(int64_t t, char out[17]) {
    int64_t y, days;
    unsigned mo, d, secs;
    uint32_t r;
    /* 253402300800 = 10000-01-01T00:00:00Z */
    if (t < 0 || t >= INT64_C(253402300800)) return SIOC_ERR_RANGE;
    days = (int64_t)sioc__udiv64((uint64_t)t, 86400u, &r);
    secs = (unsigned)r;
    sioc__civil_from_days(days, &y, &mo, &d);
    {
        /* YYYYMMDD T HHMMSS: each field's value, its place in out and its width */
        const unsigned v[6] = {(unsigned)y, mo, d, secs / 3600u, secs / 60u % 60u, secs % 60u};
        static const uint8_t at[6] = {0, 4, 6, 9, 11, 13};
        int i;
        for (i = 0; i < 6; i++) sioc__put_digits(out + at[i], v[i], i ? 2 : 4);
    }
    out[8] = 'T';
    out[15] = 'Z';
    out[16] = 0;
    return SIOC_OK;
}

SIOC_API sioc_result sioc_sigv4_parse_http_date(sioc_str s, int64_t *out) {
    /* "Mon, 23 Nov 2026 05:47:55 GMT": 'a' marks the letters of a day or month name, '9' a digit */
    static const char form[] = "aaa, 99 aaa 9999 99:99:99 GMT";
    static const char names[] = "ThuFriSatSunMonTueWed" "JanFebMarAprMayJunJulAugSepOctNovDec"; /* 1970-01-01: Thu */
    const char *p = s.ptr;
    unsigned v[7] = {0, 0, 0, 0, 0, 0, 0}, f = 0, i, k, m, d; /* weekday, day, month, year, hour, minute, second */
    int64_t days, y;
    if (s.len != sizeof form - 1) return SIOC_ERR_PARSE;
    for (i = 0; i < sizeof form - 1; i++) {
        unsigned char c = (unsigned char)p[i];
        if (form[i] == 'a') {
            if (i && form[i - 1] == 'a') continue;
            for (k = 0; k < 19 && memcmp(p + i, names + 3 * k, 3) != 0; k++) {
            }
            v[f++] = k;
        } else if (form[i] == '9') {
            if (!sioc__is_digit(c)) return SIOC_ERR_PARSE;
            v[f] = v[f] * 10u + (unsigned)(c - '0');
            f += form[i + 1] != '9';
        } else if (form[i] != c) {
            return SIOC_ERR_PARSE;
        }
    }
    if (v[0] >= 7 || v[2] < 7 || v[2] >= 19 || v[3] < 1970 || v[4] > 23 || v[5] > 59 || v[6] > 60)
        return SIOC_ERR_PARSE;
    /* an impossible day (31 Nov, 29 Feb 2023) lands on another date when converted back */
    days = sioc__days_from_civil((int64_t)v[3], v[2] - 6, v[1]);
    sioc__civil_from_days(days, &y, &m, &d);
    if (m != v[2] - 6 || d != v[1] || (uint32_t)days % 7u != v[0]) return SIOC_ERR_PARSE; /* wrong weekday: corrupt */
    *out = days * 86400 + (int64_t)(v[4] * 3600u + v[5] * 60u + (v[6] > 59 ? 59 : v[6]));
    return SIOC_OK;
}

/* >>sink: everything canonical goes through here, into a hash (or an HMAC's inner hash) and/or a tap buffer. */
typedef struct sioc__sigv4_sink {
    sioc_sha256_ctx *sha;
    sioc_buf *tap;
} sioc__sigv4_sink;

static void sioc__sink_put(const sioc__sigv4_sink *k, const void *p, size_t n) {
    if (k->sha) sioc_sha256_update(k->sha, p, n);
    if (k->tap) sioc_buf_put(k->tap, p, n);
}
static void sioc__sink_putc(const sioc__sigv4_sink *k, char c) { sioc__sink_put(k, &c, 1); }
static void sioc__sink_puts(const sioc__sigv4_sink *k, const char *s) { sioc__sink_put(k, s, strlen(s)); }

/* SigV4 UriEncode: RFC 3986 unreserved characters kept, the rest %XX (upper-case hex), in slices. */
static void sioc__sink_pct(const sioc__sigv4_sink *k, const char *s, size_t n) {
    char tmp[96];
    sioc_buf b;
    while (n) {
        size_t take = SIOC__MIN(n, sizeof tmp / 3);
        sioc_buf_init(&b, tmp, sizeof tmp);
        sioc_pct_encode(&b, s, take, SIOC_PCT_RFC3986);
        sioc__sink_put(k, tmp, b.len);
        s += take, n -= take;
    }
}

/* A header name lower-cased, or (value = 1) a header value trimmed with inner runs of spaces and tabs collapsed to
   one space; staged in a small buffer so the hash sees few large updates. */
static void sioc__sink_text(const sioc__sigv4_sink *k, sioc_str s, int value) {
    char tmp[64];
    size_t used = 0, i;
    int started = 0, gap = 0;
    for (i = 0; i < s.len; i++) {
        char c = s.ptr[i];
        if (used > sizeof tmp - 2) {
            sioc__sink_put(k, tmp, used);
            used = 0;
        }
        if (value && (c == ' ' || c == '\t')) {
            gap = started;
            continue;
        }
        if (gap) tmp[used++] = ' ';
        gap = 0, started = 1;
        tmp[used++] = value ? c : (char)sioc__to_lower((unsigned char)c);
    }
    sioc__sink_put(k, tmp, used);
}

/* One character of the percent-encoded form of s (-1 at the end): sorting compares the encoded forms without
   encoding whole strings. *sub is the position inside the current character's encoding. */
static int sioc__enc_char(const sioc_str *s, size_t *i, size_t *sub) {
    char t[3], c;
    sioc_buf b;
    if (*i >= s->len) return -1;
    sioc_buf_init(&b, t, sizeof t);
    sioc_pct_encode(&b, s->ptr + *i, 1, SIOC_PCT_RFC3986);
    c = t[*sub];
    if (++*sub == b.len) *sub = 0, ++*i;
    return (unsigned char)c;
}

static int sioc__enc_cmp(sioc_str a, sioc_str b) {
    size_t ia = 0, ib = 0, sa = 0, sb = 0;
    for (;;) {
        int ca = sioc__enc_char(&a, &ia, &sa), cb = sioc__enc_char(&b, &ib, &sb);
        if (ca != cb) return ca < cb ? -1 : 1;
        if (ca < 0) return 0;
    }
}

static int sioc__name_icmp(sioc_str a, sioc_str b) {
    size_t i, n = SIOC__MIN(a.len, b.len);
    for (i = 0; i < n; i++) {
        int ca = sioc__to_lower((unsigned char)a.ptr[i]), cb = sioc__to_lower((unsigned char)b.ptr[i]);
        if (ca != cb) return ca - cb;
    }
    return (int)(a.len > b.len) - (int)(a.len < b.len);
}

static int sioc__name_is(sioc_str name, const char *lower) {
    return sioc__name_icmp(name, sioc_str_c(lower)) == 0;
}

/* Checks of a view: cls 0: [a-z0-9-], 1..64 bytes (region and service: the scope and a header value); 1: visible
   ASCII without ',' and '/' (key id: they delimit the Credential field); 2: visible ASCII (token); 3: no CR, LF or
   NUL (a header value: no injection); 4: 1+ RFC 9110 token characters (a method or header name). A NULL pointer
   with a length fails all. */
static int sioc__chars_ok(sioc_str s, int cls) {
    size_t i;
    if ((s.len && !s.ptr) || ((cls == 0 || cls == 4) && s.len == 0) || (cls == 0 && s.len > 64)) return 0;
    for (i = 0; i < s.len; i++) {
        unsigned char c = (unsigned char)s.ptr[i];
        int alnum = (c >= 'a' && c <= 'z') || sioc__is_digit(c);
        if (cls == 3) {
            if (c == '\r' || c == '\n' || c == 0) return 0;
        } else if (cls == 4) {
            if (!(alnum || (c >= 'A' && c <= 'Z') || sioc__in_set("!#$%&'*+-.^_`|~", c))) return 0;
        } else if (c <= 32 || c >= 127 || (cls == 1 && (c == ',' || c == '/')) || (cls == 0 && !(alnum || c == '-'))) {
            return 0;
        }
    }
    return 1;
}

/* Stable insertion sort into order[]: headers by lower-case name (repeated names keep their order: their values are
   joined with ','), query parameters by encoded name, then encoded value. */
static void sioc__sigv4_sort(const sioc_sigv4_pair *v, size_t n, uint16_t *order, int query) {
    size_t i, j;
    for (i = 0; i < n; i++) {
        for (j = i; j > 0; j--) {
            const sioc_sigv4_pair *a = &v[order[j - 1]], *b = &v[i];
            int c = query ? sioc__enc_cmp(a->name, b->name) : sioc__name_icmp(a->name, b->name);
            if (c == 0 && query) c = sioc__enc_cmp(a->value, b->value);
            if (c <= 0) break;
            order[j] = order[j - 1];
        }
        order[j] = (uint16_t)i;
    }
}

static const char sioc__aws4_request[] = "/aws4_request"; /* the scope's end; without '/' the last key step */

/* Everything the canonical request needs, validated and sorted once. */
typedef struct sioc__sigv4_prep {
    sioc_sigv4_pair hdr[SIOC_SIGV4_MAX_HEADERS];
    uint16_t horder[SIOC_SIGV4_MAX_HEADERS];
    size_t nh;
    uint16_t qorder[SIOC_SIGV4_MAX_QUERY];
    sioc_str seg[SIOC_SIGV4_MAX_SEGMENTS];
    size_t nseg;
    int trailing_slash;
    char amz_date[17];
    char payload_hash[65];
    char scope[8 + 1 + 64 + 1 + 64 + 13 + 1];
    size_t scope_len;
} sioc__sigv4_prep;

/* One of the headers the signer writes itself; 0 when the list is full. */
static int sioc__sigv4_add(sioc__sigv4_prep *w, const char *name, const char *value, size_t len) {
    if (w->nh == SIOC_SIGV4_MAX_HEADERS) return 0;
    w->hdr[w->nh].name = sioc_str_c(name);
    w->hdr[w->nh].value.ptr = value;
    w->hdr[w->nh++].value.len = len;
    return 1;
}

static sioc_result sioc__sigv4_prepare(const sioc_sigv4_params *p, const sioc_sigv4_request *req,
                                       sioc__sigv4_prep *w) {
    size_t i, start;
    int have_host = 0, tok, sha;
    sioc_result r;
    sioc_str path;
    char *sc;

    if (!p || !req) return SIOC_ERR_ARG;
    path = req->path;
    tok = p->creds.session_token.len != 0;
    sha = (p->flags & SIOC_SIGV4_ADD_CONTENT_SHA256) != 0;
    if (!sioc__chars_ok(p->region, 0) || !sioc__chars_ok(p->service, 0) || !p->creds.access_key_id.len ||
        !sioc__chars_ok(p->creds.access_key_id, 1) || !p->creds.secret_access_key.len ||
        !p->creds.secret_access_key.ptr || !sioc__chars_ok(p->creds.session_token, 2) ||
        !sioc__chars_ok(req->method, 4) || (req->header_count && !req->headers) || (req->query_count && !req->query) ||
        (req->payload.len && !req->payload.ptr) || (path.len && !path.ptr))
        return SIOC_ERR_ARG;
    r = sioc_sigv4_format_date(p->unix_time, w->amz_date);
    if (r != SIOC_OK) return r;

    /* headers: the caller's (Host among them, none the signer writes), then the signer's */
    if (req->header_count > SIOC_SIGV4_MAX_HEADERS) return SIOC_ERR_LIMIT;
    for (i = 0; i < req->header_count; i++) {
        const sioc_sigv4_pair *h = &req->headers[i];
        if (!sioc__chars_ok(h->name, 4) || !sioc__chars_ok(h->value, 3)) return SIOC_ERR_ARG;
        if (sioc__name_is(h->name, "host")) have_host = 1;
        if (sioc__name_is(h->name, "authorization") || sioc__name_is(h->name, "x-amz-date") ||
            (tok && sioc__name_is(h->name, "x-amz-security-token")) ||
            (sha && sioc__name_is(h->name, "x-amz-content-sha256")))
            return SIOC_ERR_ARG;
        w->hdr[i] = *h;
    }
    w->nh = i;
    if (!have_host) return SIOC_ERR_ARG;

    if (req->payload_hash) {
        for (i = 0; i < 64; i++) {
            char c = req->payload_hash[i];
            if (!(sioc__is_digit((unsigned char)c) || (c >= 'a' && c <= 'f'))) return SIOC_ERR_ARG;
        }
        if (req->payload_hash[64] != 0) return SIOC_ERR_ARG;
        memcpy(w->payload_hash, req->payload_hash, 65);
    } else {
        uint8_t digest[SIOC_SHA256_LEN];
        sioc_sha256(req->payload.ptr, req->payload.len, digest);
        (void)sioc_hex_encode(digest, sizeof digest, w->payload_hash, sizeof w->payload_hash);
    }

    if (!sioc__sigv4_add(w, "x-amz-date", w->amz_date, 16) ||
        (tok && !(p->flags & SIOC_SIGV4_UNSIGNED_TOKEN) &&
         !sioc__sigv4_add(w, "x-amz-security-token", p->creds.session_token.ptr, p->creds.session_token.len)) ||
        (sha && !sioc__sigv4_add(w, "x-amz-content-sha256", w->payload_hash, 64)))
        return SIOC_ERR_LIMIT;
    sioc__sigv4_sort(w->hdr, w->nh, w->horder, 0);

    /* query: sorted by encoded name, then encoded value */
    if (req->query_count > SIOC_SIGV4_MAX_QUERY) return SIOC_ERR_LIMIT;
    for (i = 0; i < req->query_count; i++) {
        const sioc_sigv4_pair *a = &req->query[i];
        if ((a->name.len && !a->name.ptr) || (a->value.len && !a->value.ptr)) return SIOC_ERR_ARG;
    }
    sioc__sigv4_sort(req->query, req->query_count, w->qorder, 1);

    /* path: remove empty, "." and ".." segments (non-S3 normalisation) */
    w->nseg = 0;
    i = 0;
    while (i < path.len) {
        while (i < path.len && path.ptr[i] == '/') i++;
        start = i;
        while (i < path.len && path.ptr[i] != '/') i++;
        if (i == start) break;
        if (i - start == 1 && path.ptr[start] == '.') continue;
        if (i - start == 2 && path.ptr[start] == '.' && path.ptr[start + 1] == '.') {
            if (w->nseg) w->nseg--;
            continue;
        }
        if (w->nseg == SIOC_SIGV4_MAX_SEGMENTS) return SIOC_ERR_LIMIT;
        w->seg[w->nseg].ptr = path.ptr + start;
        w->seg[w->nseg++].len = i - start;
    }
    w->trailing_slash = path.len > 0 && path.ptr[path.len - 1] == '/';

    /* scope: yyyymmdd/region/service/aws4_request (fits: region and service are at most 64 bytes each) */
    sc = w->scope;
    memcpy(sc, w->amz_date, 8);
    sc += 8;
    *sc++ = '/';
    memcpy(sc, p->region.ptr, p->region.len);
    sc += p->region.len;
    *sc++ = '/';
    memcpy(sc, p->service.ptr, p->service.len);
    sc += p->service.len;
    memcpy(sc, sioc__aws4_request, 13);
    w->scope_len = (size_t)(sc + 13 - w->scope);
    return SIOC_OK;
}

/* 1 when the i-th sorted header repeats the previous one's name. */
static int sioc__hdr_repeat(const sioc__sigv4_prep *w, size_t i) {
    return i > 0 && sioc__name_icmp(w->hdr[w->horder[i - 1]].name, w->hdr[w->horder[i]].name) == 0;
}

/* The signed header list "a;b;c" (names lower-case, each once). */
static void sioc__signed_headers(const sioc__sigv4_prep *w, const sioc__sigv4_sink *k) {
    size_t i;
    for (i = 0; i < w->nh; i++) {
        if (sioc__hdr_repeat(w, i)) continue;
        if (i) sioc__sink_putc(k, ';');
        sioc__sink_text(k, w->hdr[w->horder[i]].name, 0);
    }
}

/* Canonical request (SigV4 task 1) into a hash, and into `tap` when given. */
static void sioc__hash_canonical(const sioc_sigv4_request *req, const sioc__sigv4_prep *w, sioc_buf *tap,
                                 uint8_t out[SIOC_SHA256_LEN]) {
    sioc_sha256_ctx sha;
    sioc__sigv4_sink k;
    size_t i;
    k.sha = &sha, k.tap = tap;
    sioc_sha256_init(&sha);
    sioc__sink_put(&k, req->method.ptr, req->method.len);
    sioc__sink_putc(&k, '\n');
    /* URI: each segment of the path as sent, encoded once more */
    for (i = 0; i < w->nseg; i++) {
        sioc__sink_putc(&k, '/');
        sioc__sink_pct(&k, w->seg[i].ptr, w->seg[i].len);
    }
    if (w->nseg == 0 || w->trailing_slash) sioc__sink_putc(&k, '/');
    for (i = 0; i < req->query_count; i++) {
        const sioc_sigv4_pair *a = &req->query[w->qorder[i]];
        sioc__sink_putc(&k, i ? '&' : '\n');
        sioc__sink_pct(&k, a->name.ptr, a->name.len);
        sioc__sink_putc(&k, '=');
        sioc__sink_pct(&k, a->value.ptr, a->value.len);
    }
    if (!req->query_count) sioc__sink_putc(&k, '\n');
    for (i = 0; i < w->nh; i++) {
        const sioc_sigv4_pair *h = &w->hdr[w->horder[i]];
        if (sioc__hdr_repeat(w, i)) {
            sioc__sink_putc(&k, ','); /* a repeated header: values joined in order */
        } else {
            sioc__sink_putc(&k, '\n');
            sioc__sink_text(&k, h->name, 0);
            sioc__sink_putc(&k, ':');
        }
        sioc__sink_text(&k, h->value, 1);
    }
    sioc__sink_put(&k, "\n\n", 2);
    sioc__signed_headers(w, &k);
    sioc__sink_putc(&k, '\n');
    sioc__sink_put(&k, w->payload_hash, 64);
    sioc_sha256_final(&sha, out);
}

/* String to sign (task 2): "AWS4-HMAC-SHA256\n<amz date>\n<scope>\n<hex of the canonical request's hash>". */
static void sioc__string_to_sign(const sioc__sigv4_prep *w, const uint8_t creq_hash[SIOC_SHA256_LEN],
                                 const sioc__sigv4_sink *k) {
    char hex[65];
    (void)sioc_hex_encode(creq_hash, SIOC_SHA256_LEN, hex, sizeof hex);
    sioc__sink_put(k, "AWS4-HMAC-SHA256 Credential=", 16); /* the algorithm (the literal is shared below) */
    sioc__sink_putc(k, '\n');
    sioc__sink_put(k, w->amz_date, 16);
    sioc__sink_putc(k, '\n');
    sioc__sink_put(k, w->scope, w->scope_len);
    sioc__sink_putc(k, '\n');
    sioc__sink_put(k, hex, 64);
}

SIOC_API void sioc_sigv4_signing_key(sioc_str secret, const char yyyymmdd[8], sioc_str region, sioc_str service,
                                     uint8_t out[SIOC_SHA256_LEN]) {
    uint8_t k[SIOC_SHA256_BLOCK];
    size_t klen;
    if (4 + secret.len <= sizeof k) {
        memcpy(k, "AWS4", 4);
        if (secret.len) memcpy(k + 4, secret.ptr, secret.len);
        klen = 4 + secret.len;
    } else {
        /* HMAC hashes keys longer than a block anyway (RFC 2104): do it here without a big buffer */
        sioc_sha256_ctx s;
        sioc_sha256_init(&s);
        sioc_sha256_update(&s, "AWS4", 4);
        sioc_sha256_update(&s, secret.ptr, secret.len);
        sioc_sha256_final(&s, k);
        klen = SIOC_SHA256_LEN;
    }
    sioc_hmac_sha256(k, klen, yyyymmdd, 8, out);
    sioc_hmac_sha256(out, SIOC_SHA256_LEN, region.ptr, region.len, out);
    sioc_hmac_sha256(out, SIOC_SHA256_LEN, service.ptr, service.len, out);
    sioc_hmac_sha256(out, SIOC_SHA256_LEN, sioc__aws4_request + 1, 12, out);
    sioc__wipe(k, sizeof k);
}

/* A keyed HMAC context for today's signing key, from the cache when it still matches. */
static void sioc__sigv4_key(const sioc_sigv4_params *p, const sioc__sigv4_prep *w, sioc_sigv4_key_cache *cache,
                            sioc_hmac_sha256_ctx *mac) {
    uint8_t id[SIOC_SHA256_LEN], key[SIOC_SHA256_LEN];
    if (cache) {
        /* fingerprint: each field with its length first, so no two field lists hash alike */
        const sioc_str f[3] = {p->creds.access_key_id, p->creds.secret_access_key, {w->scope, w->scope_len}};
        sioc_sha256_ctx s;
        int i;
        sioc_sha256_init(&s);
        for (i = 0; i < 3; i++) {
            uint8_t len[4];
            sioc__store_be32(len, (uint32_t)f[i].len);
            sioc_sha256_update(&s, len, 4);
            sioc_sha256_update(&s, f[i].ptr, f[i].len);
        }
        sioc_sha256_final(&s, id);
        if (cache->valid && sioc_ct_equal(cache->id, id, sizeof id)) {
            *mac = cache->mac;
            return;
        }
    }
    sioc_sigv4_signing_key(p->creds.secret_access_key, w->amz_date, p->region, p->service, key);
    sioc_hmac_sha256_init(mac, key, sizeof key);
    sioc__wipe(key, sizeof key);
    if (cache) {
        memcpy(cache->id, id, sizeof id);
        cache->mac = *mac;
        cache->valid = 1;
    }
}

/* Prepare, then the canonical request's hash (tap: its text) and, with `tap2`, the string to sign's text. */
static sioc_result sioc__sigv4_text(const sioc_sigv4_params *p, const sioc_sigv4_request *req, sioc_buf *tap,
                                    sioc_buf *tap2) {
    sioc__sigv4_prep w;
    uint8_t h[SIOC_SHA256_LEN];
    sioc__sigv4_sink k;
    sioc_result r = sioc__sigv4_prepare(p, req, &w);
    if (r != SIOC_OK) return r;
    sioc__hash_canonical(req, &w, tap, h);
    k.sha = NULL, k.tap = tap2;
    if (tap2) sioc__string_to_sign(&w, h, &k);
    return sioc_buf_result(tap ? tap : tap2);
}

SIOC_API sioc_result sioc_sigv4_canonical_request(const sioc_sigv4_params *p, const sioc_sigv4_request *req,
                                                  sioc_buf *out) {
    return sioc__sigv4_text(p, req, out, NULL);
}

SIOC_API sioc_result sioc_sigv4_string_to_sign(const sioc_sigv4_params *p, const sioc_sigv4_request *req,
                                               sioc_buf *out) {
    return sioc__sigv4_text(p, req, NULL, out);
}

SIOC_API sioc_result sioc_sigv4_sign(const sioc_sigv4_params *p, const sioc_sigv4_request *req,
                                     sioc_sigv4_key_cache *cache, sioc_buf *auth, sioc_sigv4_result *out) {
    sioc__sigv4_prep w;
    uint8_t h[SIOC_SHA256_LEN], sig[SIOC_SHA256_LEN];
    sioc_hmac_sha256_ctx mac;
    sioc__sigv4_sink k;
    sioc_result r;
    if (!auth || !out) return SIOC_ERR_ARG;
    r = sioc__sigv4_prepare(p, req, &w);
    if (r != SIOC_OK) return r;
    sioc__hash_canonical(req, &w, NULL, h);
    sioc__sigv4_key(p, &w, cache, &mac);
    k.sha = &mac.inner, k.tap = NULL; /* an HMAC update is an update of its inner hash */
    sioc__string_to_sign(&w, h, &k);
    sioc_hmac_sha256_final(&mac, sig);
    sioc__wipe(&mac, sizeof mac);
    memcpy(out->amz_date, w.amz_date, sizeof out->amz_date);
    memcpy(out->payload_hash, w.payload_hash, sizeof out->payload_hash);
    (void)sioc_hex_encode(sig, sizeof sig, out->signature, sizeof out->signature);
    /* Authorization: AWS4-HMAC-SHA256 Credential=<key id>/<scope>, SignedHeaders=<list>, Signature=<hex> */
    k.sha = NULL, k.tap = auth;
    sioc__sink_puts(&k, "AWS4-HMAC-SHA256 Credential=");
    sioc__sink_put(&k, p->creds.access_key_id.ptr, p->creds.access_key_id.len);
    sioc__sink_putc(&k, '/');
    sioc__sink_put(&k, w.scope, w.scope_len);
    sioc__sink_puts(&k, ", SignedHeaders=");
    sioc__signed_headers(&w, &k);
    sioc__sink_puts(&k, ", Signature=");
    sioc__sink_put(&k, out->signature, 64);
    return sioc_buf_result(auth);
}
/* ---- src/aws.c ---- */
/* ---- aws.c ---- */

#if SIOC_ENABLE_AWS

/* >>helpers */

static int sioc__has_any(sioc_str s, const char *set) {
    size_t i;
    for (i = 0; i < s.len; i++)
        if (sioc__in_set(set, s.ptr[i])) return 1;
    return 0;
}

static const char *sioc__attr_type_name(sioc_aws_attr_type t) {
    return t == SIOC_AWS_ATTR_BINARY ? "Binary" : t == SIOC_AWS_ATTR_NUMBER ? "Number" : "String";
}

static int sioc__str_ok(sioc_str s) { return s.len == 0 || s.ptr != NULL; }

SIOC_API size_t sioc_aws_message_size(sioc_str message, const sioc_aws_attr *attrs, size_t n) {
    size_t total = message.len, i;
    for (i = 0; attrs && i < n; i++)
        total += attrs[i].name.len + strlen(sioc__attr_type_name(attrs[i].type)) + attrs[i].value.len;
    return total;
}

/* Attributes are checked before anything is written: the service would refuse them anyway, and an early
   SIOC_ERR_TOO_LARGE keeps an oversized message off the network (fauxqs does not count attributes). */
static sioc_result sioc__check_message(sioc_str message, const sioc_aws_attr *attrs, size_t n, size_t *size) {
    size_t i;
    if (!sioc__str_ok(message) || (n && !attrs)) return SIOC_ERR_ARG;
    if (n > SIOC_AWS_MAX_ATTRS) return SIOC_ERR_LIMIT;
    for (i = 0; i < n; i++) {
        const sioc_aws_attr *a = &attrs[i];
        if (a->name.len == 0 || a->name.len > 256 || !a->name.ptr || (a->value.len && !a->value.ptr) ||
            (unsigned)a->type > SIOC_AWS_ATTR_NUMBER)
            return SIOC_ERR_ARG;
    }
    *size = sioc_aws_message_size(message, attrs, n);
    return *size > SIOC_AWS_MAX_MESSAGE_SIZE ? SIOC_ERR_TOO_LARGE : SIOC_OK;
}

/* Standard base64 of p[0..n), appended in 48-byte slices (a multiple of 3, so padding only at the very end),
   percent-encoded for form bodies. */
static void sioc__put_base64(sioc_buf *b, const uint8_t *p, size_t n, int pct) {
    char tmp[SIOC_BASE64_ENCODED_LEN(48) + 1];
    size_t i, olen = 0;
    for (i = 0; i < n; i += 48) {
        size_t k = SIOC__MIN((size_t)48, n - i);
        if (sioc_base64_encode(p + i, k, tmp, sizeof tmp, &olen) != SIOC_OK) {
            sioc_buf_fail(b, SIOC_ERR_ARG);
            return;
        }
        if (pct)
            sioc_pct_encode(b, tmp, olen, SIOC_PCT_RFC3986);
        else
            sioc_buf_put(b, tmp, olen);
    }
}

/* >>SNS request bodies: AWS Query protocol, form-encoded with the RFC 3986 unreserved set (docs/AWS.md 3.1). */

static void sioc__form_action(sioc_buf *b, const char *action) {
    sioc_buf_puts(b, "Action=");
    sioc_buf_puts(b, action);
    sioc_buf_puts(b, "&Version=" SIOC_AWS_SNS_VERSION);
}

#define SIOC__PB_MEMBER "PublishBatchRequestEntries.member."

/* "&[PublishBatchRequestEntries.member.<entry>.]<mid>[<index>]<suffix>=" (entry and index 0: left out) */
static void sioc__form_key(sioc_buf *b, size_t entry, const char *mid, size_t index, const char *suffix) {
    sioc_buf_putc(b, '&');
    if (entry) {
        sioc_buf_puts(b, SIOC__PB_MEMBER);
        sioc_buf_put_u64(b, entry);
        sioc_buf_putc(b, '.');
    }
    sioc_buf_puts(b, mid);
    if (index) sioc_buf_put_u64(b, index);
    sioc_buf_puts(b, suffix);
    sioc_buf_putc(b, '=');
}

static void sioc__form_val(sioc_buf *b, sioc_str v) { sioc_pct_encode(b, v.ptr, v.len, SIOC_PCT_RFC3986); }

static void sioc__form_param(sioc_buf *b, const char *name, sioc_str v) {
    sioc__form_key(b, 0, name, 0, "");
    sioc__form_val(b, v);
}

/* A message with its attributes: Publish (entry 0: Message, TopicArn) or one PublishBatch entry (Id, Message). */
static void sioc__form_message(sioc_buf *b, size_t entry, const char *n1, sioc_str v1, const char *n2, sioc_str v2,
                               const sioc_aws_attr *attrs, size_t n) {
    size_t i;
    sioc__form_key(b, entry, n1, 0, "");
    sioc__form_val(b, v1);
    sioc__form_key(b, entry, n2, 0, "");
    sioc__form_val(b, v2);
    for (i = 0; i < n; i++) {
        const sioc_aws_attr *a = &attrs[i];
        int bin = a->type == SIOC_AWS_ATTR_BINARY;
        sioc__form_key(b, entry, "MessageAttributes.entry.", i + 1, ".Name");
        sioc__form_val(b, a->name);
        sioc__form_key(b, entry, "MessageAttributes.entry.", i + 1, ".Value.DataType");
        sioc_buf_puts(b, sioc__attr_type_name(a->type));
        sioc__form_key(b, entry, "MessageAttributes.entry.", i + 1, bin ? ".Value.BinaryValue" : ".Value.StringValue");
        if (bin)
            sioc__put_base64(b, a->value.ptr, a->value.len, 1);
        else
            sioc__form_val(b, sioc_str_n((const char *)a->value.ptr, a->value.len));
    }
}

SIOC_API sioc_result sioc_sns_write_create_topic(sioc_buf *out, sioc_str name, const sioc_aws_kv *tags, size_t n) {
    size_t i;
    if (!out || name.len == 0 || !name.ptr || (n && !tags)) return SIOC_ERR_ARG;
    if (n > 50) return SIOC_ERR_LIMIT; /* SNS: 50 tags per topic */
    for (i = 0; i < n; i++)
        if (!sioc__str_ok(tags[i].key) || !sioc__str_ok(tags[i].value) || tags[i].key.len == 0) return SIOC_ERR_ARG;
    sioc__form_action(out, "CreateTopic");
    sioc__form_param(out, "Name", name);
    for (i = 0; i < n; i++) {
        sioc__form_key(out, 0, "Tags.member.", i + 1, ".Key");
        sioc__form_val(out, tags[i].key);
        sioc__form_key(out, 0, "Tags.member.", i + 1, ".Value");
        sioc__form_val(out, tags[i].value);
    }
    return sioc_buf_result(out);
}

/* The member-only writers keep their text in arrays, not literals: arrays get sections of their own that
   gc-sections drops with the function, while a literal pool shared with live code stays whole. */
SIOC_API sioc_result sioc_sns_write_subscribe(sioc_buf *out, sioc_str topic_arn, sioc_str queue_arn,
                                              sioc_str filter_policy) {
    static const char endpoint[] = "&Protocol=sqs&Endpoint=";
    static const char raw[] = "&Attributes.entry.1.key=RawMessageDelivery&Attributes.entry.1.value=true";
    static const char filter[] = "&Attributes.entry.2.key=FilterPolicyScope&Attributes.entry.2.value=MessageAttributes"
                                 "&Attributes.entry.3.key=FilterPolicy&Attributes.entry.3.value=";
    if (!out || topic_arn.len == 0 || queue_arn.len == 0 || !topic_arn.ptr || !queue_arn.ptr ||
        !sioc__str_ok(filter_policy))
        return SIOC_ERR_ARG;
    sioc__form_action(out, "Subscribe");
    sioc__form_param(out, "TopicArn", topic_arn);
    sioc_buf_puts(out, endpoint);
    sioc__form_val(out, queue_arn);
    /* raw delivery is required: the SQS body is then the SNS Message and attributes survive (docs/AWS.md 6) */
    sioc_buf_puts(out, raw);
    if (filter_policy.len) {
        sioc_buf_puts(out, filter);
        sioc__form_val(out, filter_policy);
    }
    return sioc_buf_result(out);
}

SIOC_API sioc_result sioc_sns_write_publish(sioc_buf *out, sioc_str topic_arn, sioc_str message,
                                            const sioc_aws_attr *attrs, size_t n) {
    sioc_result r;
    size_t size;
    if (!out || topic_arn.len == 0 || !topic_arn.ptr) return SIOC_ERR_ARG;
    r = sioc__check_message(message, attrs, n, &size);
    if (r != SIOC_OK) return r;
    sioc__form_action(out, "Publish");
    sioc__form_message(out, 0, "Message", message, "TopicArn", topic_arn, attrs, n);
    return sioc_buf_result(out);
}

static int sioc__batch_id_ok(sioc_str id) {
    size_t i;
    if (id.len == 0 || id.len > 80 || !id.ptr) return 0;
    for (i = 0; i < id.len; i++) {
        char c = id.ptr[i];
        if (!((c >= 'A' && c <= 'Z') || (c >= 'a' && c <= 'z') || (c >= '0' && c <= '9') || c == '_' || c == '-'))
            return 0;
    }
    return 1;
}

SIOC_API sioc_result sioc_sns_write_publish_batch(sioc_buf *out, sioc_str topic_arn,
                                                  const sioc_sns_batch_entry *e, size_t n) {
    size_t i, total = 0, size;
    sioc_result r;
    if (!out || topic_arn.len == 0 || !topic_arn.ptr || n == 0 || !e) return SIOC_ERR_ARG;
    if (n > SIOC_AWS_MAX_BATCH) return SIOC_ERR_LIMIT;
    for (i = 0; i < n; i++) {
        if (!sioc__batch_id_ok(e[i].id)) return SIOC_ERR_ARG;
        r = sioc__check_message(e[i].message, e[i].attrs, e[i].n_attrs, &size);
        if (r != SIOC_OK) return r;
        total += size;
    }
    if (total > SIOC_AWS_MAX_MESSAGE_SIZE) return SIOC_ERR_TOO_LARGE; /* the batch as a whole, too */
    sioc__form_action(out, "PublishBatch");
    sioc__form_param(out, "TopicArn", topic_arn);
    for (i = 0; i < n; i++)
        sioc__form_message(out, i + 1, "Id", e[i].id, "Message", e[i].message, e[i].attrs, e[i].n_attrs);
    return sioc_buf_result(out);
}

/* The entry index (1..10) of one form parameter of a PublishBatch body and where its name goes on after the
   index ("." onwards); 0 for a parameter outside the entries. */
static size_t sioc__pb_entry(const uint8_t *p, size_t len, size_t *rest) {
    size_t k = sizeof SIOC__PB_MEMBER - 1, idx = 0;
    if (len <= k || memcmp(p, SIOC__PB_MEMBER, k) != 0) return 0;
    while (k < len && p[k] >= '0' && p[k] <= '9' && idx <= SIOC_AWS_MAX_BATCH) idx = idx * 10u + (size_t)(p[k++] - '0');
    if (k >= len || p[k] != '.' || !idx || idx > SIOC_AWS_MAX_BATCH) return SIOC_AWS_MAX_BATCH + 1u; /* not ours */
    *rest = k;
    return idx;
}

static int sioc__pb_id_in(sioc_str id, const sioc_str *ids, size_t n) {
    size_t i;
    for (i = 0; i < n; i++)
        if (ids[i].len == id.len && memcmp(ids[i].ptr, id.ptr, id.len) == 0) return 1;
    return 0;
}

SIOC_API sioc_result sioc_sns_publish_batch_retain(sioc_buf *body, const sioc_str *ids, size_t n_ids) {
    uint8_t keep[SIOC_AWS_MAX_BATCH + 1]; /* pass 0: 1 for the entries that stay; then their new numbers */
    size_t r, w = 0, kept = 0, i, rest = 0, idx, pass, k = sizeof SIOC__PB_MEMBER - 1;
    uint8_t *d;
    if (!body || !body->data || body->len > body->cap || (n_ids && !ids)) return SIOC_ERR_ARG;
    d = body->data;
    if (body->len < 20 || memcmp(d, "Action=PublishBatch&", 20) != 0) return SIOC_ERR_PROTOCOL;
    memset(keep, 0, sizeof keep);
    /* pass 0 finds which entries stay (by their Id= parameter); pass 1 rewrites in place: a new number never has
       more digits than the old one, so writing stays behind reading */
    for (pass = 0; pass < 2; pass++) {
        for (r = 0; r < body->len; r = i + 1) {
            size_t pre;
            for (i = r; i < body->len && d[i] != '&'; i++) {
            }
            idx = sioc__pb_entry(d + r, i - r, &rest);
            if (idx > SIOC_AWS_MAX_BATCH) return SIOC_ERR_PROTOCOL;
            if (!pass) {
                if (idx && i - r - rest > 4 && memcmp(d + r + rest, ".Id=", 4) == 0)
                    keep[idx] = (uint8_t)sioc__pb_id_in(sioc_str_n((const char *)d + r + rest + 4, i - r - rest - 4),
                                                        ids, n_ids);
                continue;
            }
            if (idx && !keep[idx]) continue;
            if (w) d[w++] = '&';
            pre = idx ? k : i - r; /* the member prefix (then the number and the rest), or the whole parameter */
            memmove(d + w, d + r, pre);
            w += pre;
            if (!idx) continue;
            if (keep[idx] >= 10) d[w++] = '1';
            d[w++] = (uint8_t)('0' + keep[idx] % 10);
            memmove(d + w, d + r + rest, i - r - rest);
            w += i - r - rest;
        }
        for (idx = 1; !pass && idx <= SIOC_AWS_MAX_BATCH; idx++) keep[idx] = keep[idx] ? (uint8_t)++kept : 0;
        if (!kept) return SIOC_ERR_NOT_FOUND;
    }
    body->len = w;
    return SIOC_OK;
}

SIOC_API sioc_result sioc_sns_write_unsubscribe(sioc_buf *out, sioc_str subscription_arn) {
    static const char name[] = "SubscriptionArn";
    if (!out || subscription_arn.len == 0 || !subscription_arn.ptr) return SIOC_ERR_ARG;
    sioc__form_action(out, "Unsubscribe");
    sioc__form_param(out, name, subscription_arn);
    return sioc_buf_result(out);
}

SIOC_API sioc_result sioc_sns_write_list_subscriptions_by_topic(sioc_buf *out, sioc_str topic_arn,
                                                                sioc_str next_token) {
    static const char action[] = "ListSubscriptionsByTopic", next[] = "NextToken";
    if (!out || topic_arn.len == 0 || !topic_arn.ptr || !sioc__str_ok(next_token)) return SIOC_ERR_ARG;
    sioc__form_action(out, action);
    sioc__form_param(out, "TopicArn", topic_arn);
    if (next_token.len) sioc__form_param(out, next, next_token);
    return sioc_buf_result(out);
}

/* >>SQS request bodies: AWS JSON 1.0 (docs/AWS.md 3.2), keys in the SDK's order. */

static void sioc__jkey(sioc_json_writer *w, const char *key) { sioc_json_write_key(w, key, strlen(key)); }
static void sioc__jstr_w(sioc_json_writer *w, sioc_str s) { sioc_json_write_str(w, s.ptr ? s.ptr : "", s.len); }

static void sioc__jmap(sioc_json_writer *w, const char *key, const sioc_aws_kv *kv, size_t n) {
    size_t i;
    sioc__jkey(w, key);
    sioc_json_write_object_begin(w);
    for (i = 0; i < n; i++) {
        sioc_json_write_key(w, kv[i].key.ptr ? kv[i].key.ptr : "", kv[i].key.len);
        sioc__jstr_w(w, kv[i].value);
    }
    sioc_json_write_object_end(w);
}

static int sioc__kv_ok(const sioc_aws_kv *kv, size_t n) {
    size_t i;
    if (n && !kv) return 0;
    for (i = 0; i < n; i++)
        if (!sioc__str_ok(kv[i].key) || !sioc__str_ok(kv[i].value) || kv[i].key.len == 0) return 0;
    return 1;
}

static sioc_result sioc__jdone(sioc_json_writer *w) { return sioc_buf_result(w->out); }

static void sioc__jqueue_url(sioc_json_writer *w, sioc_buf *out, sioc_str url) {
    sioc_json_writer_init(w, out);
    sioc_json_write_object_begin(w);
    sioc__jkey(w, "QueueUrl");
    sioc__jstr_w(w, url);
}

SIOC_API sioc_result sioc_sqs_write_create_queue(sioc_buf *out, sioc_str name, const sioc_aws_kv *attrs,
                                                 size_t n_attrs, const sioc_aws_kv *tags, size_t n_tags) {
    sioc_json_writer w;
    if (!out || name.len == 0 || !name.ptr || !sioc__kv_ok(attrs, n_attrs) || !sioc__kv_ok(tags, n_tags))
        return SIOC_ERR_ARG;
    sioc_json_writer_init(&w, out);
    sioc_json_write_object_begin(&w);
    sioc__jkey(&w, "QueueName");
    sioc__jstr_w(&w, name);
    if (n_attrs) sioc__jmap(&w, "Attributes", attrs, n_attrs);
    if (n_tags) sioc__jmap(&w, "tags", tags, n_tags); /* lower-case in the SQS JSON model */
    sioc_json_write_object_end(&w);
    return sioc__jdone(&w);
}

SIOC_API sioc_result sioc_sqs_write_get_queue_attributes(sioc_buf *out, sioc_str url, const sioc_str *names,
                                                         size_t n) {
    sioc_json_writer w;
    size_t i;
    if (!out || url.len == 0 || !url.ptr || n == 0 || !names) return SIOC_ERR_ARG;
    for (i = 0; i < n; i++)
        if (!sioc__str_ok(names[i])) return SIOC_ERR_ARG;
    sioc__jqueue_url(&w, out, url);
    sioc__jkey(&w, "AttributeNames");
    sioc_json_write_array_begin(&w);
    for (i = 0; i < n; i++) sioc__jstr_w(&w, names[i]);
    sioc_json_write_array_end(&w);
    sioc_json_write_object_end(&w);
    return sioc__jdone(&w);
}

SIOC_API sioc_result sioc_sqs_write_set_queue_attributes(sioc_buf *out, sioc_str url, const sioc_aws_kv *attrs,
                                                         size_t n) {
    sioc_json_writer w;
    if (!out || url.len == 0 || !url.ptr || n == 0 || !sioc__kv_ok(attrs, n)) return SIOC_ERR_ARG;
    sioc__jqueue_url(&w, out, url);
    sioc__jmap(&w, "Attributes", attrs, n);
    sioc_json_write_object_end(&w);
    return sioc__jdone(&w);
}

static int sioc__arn_ok(sioc_str s) {
    size_t i;
    if (s.len == 0 || s.len > 256 || !s.ptr) return 0;
    for (i = 0; i < s.len; i++) {
        unsigned char c = (unsigned char)s.ptr[i];
        if (c < 0x21 || c > 0x7e || c == '"' || c == '\\') return 0;
    }
    return 1;
}

SIOC_API sioc_result sioc_sqs_write_policy(sioc_buf *out, sioc_str queue_arn, sioc_str topic_arn) {
    if (!out || !sioc__arn_ok(queue_arn) || !sioc__arn_ok(topic_arn)) return SIOC_ERR_ARG;
    /* exactly what the Node adapter sends: whitespace-free, keys in this order (docs/AWS.md 5) */
    sioc_buf_puts(out, "{\"Version\":\"2012-10-17\",\"Id\":\"__default_policy_ID\",\"Statement\":[{\"Sid\":"
                       "\"__owner_statement\",\"Effect\":\"Allow\",\"Principal\":\"*\",\"Action\":\"SQS:SendMessage\","
                       "\"Resource\":\"");
    sioc_buf_put(out, queue_arn.ptr, queue_arn.len);
    sioc_buf_puts(out, "\",\"Condition\":{\"ArnEquals\":{\"aws:SourceArn\":\"");
    sioc_buf_put(out, topic_arn.ptr, topic_arn.len);
    sioc_buf_puts(out, "\"}}}]}");
    return sioc_buf_result(out);
}

SIOC_API sioc_result sioc_sqs_write_set_queue_policy(sioc_buf *out, sioc_str url, sioc_str queue_arn,
                                                     sioc_str topic_arn) {
    char policy[800]; /* fixed text (~220 bytes) + two ARNs of at most 256 bytes each */
    sioc_buf pb;
    sioc_aws_kv kv;
    sioc_result r;
    sioc_buf_init(&pb, policy, sizeof policy);
    r = sioc_sqs_write_policy(&pb, queue_arn, topic_arn);
    if (r != SIOC_OK) return r;
    kv.key = sioc_str_c("Policy");
    kv.value.ptr = policy;
    kv.value.len = pb.len;
    return sioc_sqs_write_set_queue_attributes(out, url, &kv, 1);
}

SIOC_API sioc_result sioc_sqs_write_receive_message(sioc_buf *out, sioc_str url, int max_messages, int wait) {
    sioc_json_writer w;
    if (!out || url.len == 0 || !url.ptr) return SIOC_ERR_ARG;
    if (max_messages < 1 || max_messages > 10 || wait < 0 || wait > 20) return SIOC_ERR_RANGE;
    sioc__jqueue_url(&w, out, url);
    sioc__jkey(&w, "MessageAttributeNames");
    sioc_json_write_array_begin(&w);
    sioc_json_write_str(&w, "All", 3);
    sioc_json_write_array_end(&w);
    sioc__jkey(&w, "MaxNumberOfMessages");
    sioc_json_write_i64(&w, max_messages);
    sioc__jkey(&w, "WaitTimeSeconds");
    sioc_json_write_i64(&w, wait);
    sioc_json_write_object_end(&w);
    return sioc__jdone(&w);
}

SIOC_API sioc_result sioc_sqs_write_delete_message_batch(sioc_buf *out, sioc_str url,
                                                         const sioc_sqs_delete_entry *e, size_t n) {
    sioc_json_writer w;
    size_t i;
    if (!out || url.len == 0 || !url.ptr || n == 0 || !e) return SIOC_ERR_ARG;
    if (n > SIOC_AWS_MAX_BATCH) return SIOC_ERR_LIMIT;
    for (i = 0; i < n; i++)
        if (!sioc__batch_id_ok(e[i].id) || e[i].receipt_handle.len == 0 || !e[i].receipt_handle.ptr)
            return SIOC_ERR_ARG;
    sioc__jqueue_url(&w, out, url);
    sioc__jkey(&w, "Entries");
    sioc_json_write_array_begin(&w);
    for (i = 0; i < n; i++) {
        sioc_json_write_object_begin(&w);
        sioc__jkey(&w, "Id");
        sioc__jstr_w(&w, e[i].id);
        sioc__jkey(&w, "ReceiptHandle");
        sioc__jstr_w(&w, e[i].receipt_handle);
        sioc_json_write_object_end(&w);
    }
    sioc_json_write_array_end(&w);
    sioc_json_write_object_end(&w);
    return sioc__jdone(&w);
}

SIOC_API sioc_result sioc_sqs_write_queue_url(sioc_buf *out, sioc_str url) {
    sioc_json_writer w;
    if (!out || url.len == 0 || !url.ptr) return SIOC_ERR_ARG;
    sioc__jqueue_url(&w, out, url);
    sioc_json_write_object_end(&w);
    return sioc__jdone(&w);
}

SIOC_API sioc_result sioc_sqs_write_list_queues(sioc_buf *out, sioc_str prefix, sioc_str next_token,
                                                int max_results) {
    sioc_json_writer w;
    if (!out || !sioc__str_ok(prefix) || !sioc__str_ok(next_token)) return SIOC_ERR_ARG;
    if (max_results < 0 || max_results > 1000) return SIOC_ERR_RANGE;
    sioc_json_writer_init(&w, out);
    sioc_json_write_object_begin(&w);
    if (prefix.len) {
        sioc__jkey(&w, "QueueNamePrefix");
        sioc__jstr_w(&w, prefix);
    }
    if (next_token.len) {
        sioc__jkey(&w, "NextToken");
        sioc__jstr_w(&w, next_token);
    }
    if (max_results) {
        sioc__jkey(&w, "MaxResults");
        sioc_json_write_i64(&w, max_results);
    }
    sioc_json_write_object_end(&w);
    return sioc__jdone(&w);
}

SIOC_API sioc_result sioc_sqs_write_send_message(sioc_buf *out, sioc_str url, sioc_str body,
                                                 const sioc_aws_attr *attrs, size_t n) {
    sioc_json_writer w;
    size_t i;
    sioc_result r;
    if (!out || url.len == 0 || !url.ptr) return SIOC_ERR_ARG;
    r = sioc__check_message(body, attrs, n, &i);
    if (r != SIOC_OK) return r;
    sioc__jqueue_url(&w, out, url);
    sioc__jkey(&w, "MessageBody");
    sioc__jstr_w(&w, body);
    if (n) {
        sioc__jkey(&w, "MessageAttributes");
        sioc_json_write_object_begin(&w);
        for (i = 0; i < n; i++) {
            const sioc_aws_attr *a = &attrs[i];
            sioc_json_write_key(&w, a->name.ptr, a->name.len);
            sioc_json_write_object_begin(&w);
            sioc__jkey(&w, "DataType");
            sioc_json_write_str(&w, sioc__attr_type_name(a->type), 6);
            if (a->type == SIOC_AWS_ATTR_BINARY) {
                sioc__jkey(&w, "BinaryValue");
                /* base64 never needs JSON escaping: open the string through the writer (for its comma
                   bookkeeping), then stream the text straight into the buffer */
                sioc_json_write_raw(&w, "\"", 1);
                sioc__put_base64(out, a->value.ptr, a->value.len, 0);
                sioc_buf_putc(out, '"');
            } else {
                sioc__jkey(&w, "StringValue");
                sioc_json_write_str(&w, (const char *)a->value.ptr, a->value.len);
            }
            sioc_json_write_object_end(&w);
        }
        sioc_json_write_object_end(&w);
    }
    sioc_json_write_object_end(&w);
    return sioc__jdone(&w);
}

/* >>SNS replies */

/* A raw XML content span as text: the span itself when it holds no markup or references, else decoded into
   scratch (decoding never makes text longer, so raw.len + 1 bytes are enough). */
static sioc_result sioc__xml_str(sioc_str raw, sioc_buf *scratch, sioc_str *out) {
    size_t start, n = 0;
    char *p;
    sioc_result r;
    if (!sioc__has_any(raw, "&<\r")) {
        *out = raw;
        return SIOC_OK;
    }
    start = scratch ? scratch->len : 0;
    p = (char *)sioc_buf_reserve(scratch, raw.len + 1);
    if (!p) return SIOC_ERR_BUFFER_TOO_SMALL;
    r = sioc_xml_text(raw, p, raw.len + 1, &n);
    if (r != SIOC_OK) {
        scratch->len = start;
        return r;
    }
    scratch->len = start + n + 1;
    out->ptr = p;
    out->len = n;
    return SIOC_OK;
}

static sioc_result sioc__xml_field(const char *xml, size_t len, const char *path, sioc_buf *scratch,
                                   sioc_str *out) {
    sioc_str raw;
    sioc_result r;
    if (!xml || !out) return SIOC_ERR_ARG;
    r = sioc_xml_find(xml, len, path, &raw);
    if (r != SIOC_OK) return r;
    return sioc__xml_str(raw, scratch, out);
}

static sioc_result sioc__xml_field_in(sioc_str content, const char *path, sioc_buf *scratch, sioc_str *out,
                                      int required) {
    sioc_str raw;
    sioc_result r = sioc_xml_find_in(content, path, &raw);
    if (r == SIOC_ERR_NOT_FOUND && !required) {
        out->ptr = "";
        out->len = 0;
        return SIOC_OK;
    }
    if (r != SIOC_OK) return r;
    return sioc__xml_str(raw, scratch, out);
}

SIOC_API sioc_result sioc_sns_parse_create_topic(const char *xml, size_t len, sioc_buf *scratch, sioc_str *out) {
    return sioc__xml_field(xml, len, "CreateTopicResponse/CreateTopicResult/TopicArn", scratch, out);
}

SIOC_API sioc_result sioc_sns_parse_subscribe(const char *xml, size_t len, sioc_buf *scratch, sioc_str *out) {
    return sioc__xml_field(xml, len, "SubscribeResponse/SubscribeResult/SubscriptionArn", scratch, out);
}

SIOC_API sioc_result sioc_sns_parse_publish(const char *xml, size_t len, sioc_buf *scratch, sioc_str *out) {
    return sioc__xml_field(xml, len, "PublishResponse/PublishResult/MessageId", scratch, out);
}

SIOC_API sioc_result sioc_sns_parse_unsubscribe(const char *xml, size_t len) {
    sioc_str raw;
    if (!xml) return SIOC_ERR_ARG;
    return sioc_xml_find(xml, len, "UnsubscribeResponse", &raw);
}

static int sioc__is_true(sioc_str s) { return s.len == 4 && memcmp(s.ptr, "true", 4) == 0; }

/* The fields of a batch reply entry (PublishBatch, DeleteMessageBatch) and where the first four go. */
static const char *const sioc__batch_names[5] = {"Id", "MessageId", "Code", "Message", "SenderFault"};
static const uint8_t sioc__batch_off[4] = {offsetof(sioc_aws_batch_item, id), offsetof(sioc_aws_batch_item, message_id),
                                           offsetof(sioc_aws_batch_item, code),
                                           offsetof(sioc_aws_batch_item, message)};
#define SIOC__BATCH_FIELD(item, k) ((sioc_str *)(void *)((char *)(item) + sioc__batch_off[k]))

/* Successful/member or Failed/member items of a PublishBatch reply. */
/* A success has Id and MessageId, a failure Id, Code, Message and SenderFault; the first two are required. */
static sioc_result sioc__sns_batch_list(sioc_str list, int failed, sioc_buf *scratch, sioc_aws_batch_result *out) {
    sioc_xml_iter it;
    sioc_xml_elem el;
    sioc_result r = sioc_xml_iter_init(&it, list, "member");
    if (r != SIOC_OK) return r;
    while (sioc_xml_iter_next(&it, &el)) {
        sioc_aws_batch_item *item;
        sioc_str sf;
        int k, n = 0;
        if (out->count == SIOC_AWS_MAX_BATCH) return SIOC_ERR_LIMIT;
        item = &out->items[out->count];
        memset(item, 0, sizeof *item);
        item->failed = failed;
        for (k = 0; k < 5; k++) {
            if (k && (k == 1) == failed) continue;
            r = sioc__xml_field_in(el.content, sioc__batch_names[k], scratch, k < 4 ? SIOC__BATCH_FIELD(item, k) : &sf,
                                   n++ < 2);
            if (r != SIOC_OK) return r;
        }
        if (failed) {
            item->sender_fault = sioc__is_true(sf);
            out->failed++;
        }
        out->count++;
    }
    return SIOC_OK;
}

SIOC_API sioc_result sioc_sns_parse_publish_batch(const char *xml, size_t len, sioc_buf *scratch,
                                                  sioc_aws_batch_result *out) {
    sioc_str res, list;
    sioc_result r;
    if (!xml || !out) return SIOC_ERR_ARG;
    out->count = out->failed = 0;
    r = sioc_xml_find(xml, len, "PublishBatchResponse/PublishBatchResult", &res);
    if (r != SIOC_OK) return r;
    r = sioc_xml_find_in(res, "Successful", &list);
    if (r == SIOC_OK) r = sioc__sns_batch_list(list, 0, scratch, out);
    if (r != SIOC_OK && r != SIOC_ERR_NOT_FOUND) return r;
    r = sioc_xml_find_in(res, "Failed", &list);
    if (r == SIOC_OK) r = sioc__sns_batch_list(list, 1, scratch, out);
    return r == SIOC_ERR_NOT_FOUND ? SIOC_OK : r;
}

SIOC_API sioc_result sioc_sns_parse_list_subscriptions(const char *xml, size_t len, sioc_buf *scratch,
                                                       sioc_sns_subscription *out, size_t cap, size_t *out_count,
                                                       sioc_str *out_next) {
    sioc_str res, list;
    sioc_xml_iter it;
    sioc_xml_elem el;
    size_t count = 0;
    sioc_result r;
    if (!xml || !out_count || !out_next || (cap && !out)) return SIOC_ERR_ARG;
    *out_count = 0;
    out_next->ptr = "";
    out_next->len = 0;
    r = sioc_xml_find(xml, len, "ListSubscriptionsByTopicResponse/ListSubscriptionsByTopicResult", &res);
    if (r != SIOC_OK) return r;
    r = sioc__xml_field_in(res, "NextToken", scratch, out_next, 0);
    if (r != SIOC_OK) return r;
    r = sioc_xml_find_in(res, "Subscriptions", &list);
    if (r == SIOC_ERR_NOT_FOUND) return SIOC_OK;
    if (r == SIOC_OK) r = sioc_xml_iter_init(&it, list, "member");
    if (r != SIOC_OK) return r;
    while (sioc_xml_iter_next(&it, &el)) {
        if (count < cap) {
            sioc_sns_subscription *s = &out[count];
            r = sioc__xml_field_in(el.content, "SubscriptionArn", scratch, &s->subscription_arn, 1);
            if (r == SIOC_OK) r = sioc__xml_field_in(el.content, "Owner", scratch, &s->owner, 0);
            if (r == SIOC_OK) r = sioc__xml_field_in(el.content, "Protocol", scratch, &s->protocol, 0);
            if (r == SIOC_OK) r = sioc__xml_field_in(el.content, "Endpoint", scratch, &s->endpoint, 0);
            if (r == SIOC_OK) r = sioc__xml_field_in(el.content, "TopicArn", scratch, &s->topic_arn, 0);
            if (r != SIOC_OK) return r;
        }
        count++;
    }
    *out_count = count;
    return count > cap ? SIOC_ERR_BUFFER_TOO_SMALL : SIOC_OK;
}

/* An error field into a fixed array: decoded when it fits a small stack buffer, else the raw text, cut. */
static void sioc__xml_fixed(sioc_str content, const char *path, char *dst, size_t cap) {
    sioc_str raw;
    char tmp[256];
    size_t n = 0;
    dst[0] = 0;
    if (sioc_xml_find_in(content, path, &raw) != SIOC_OK) return;
    if (sioc_xml_text(raw, tmp, sizeof tmp, &n) == SIOC_OK) {
        raw.ptr = tmp;
        raw.len = n;
    }
    sioc__copy_fixed(dst, cap, raw);
}

SIOC_API sioc_result sioc_sns_parse_error(const char *xml, size_t len, sioc_aws_error *out) {
    sioc_str root, err;
    char type[16];
    sioc_result r;
    if (!xml || !out) return SIOC_ERR_ARG;
    out->code[0] = out->message[0] = out->request_id[0] = out->legacy_code[0] = 0;
    out->sender_fault = 0;
    r = sioc_xml_find(xml, len, "ErrorResponse", &root);
    if (r != SIOC_OK) return r;
    r = sioc_xml_find_in(root, "Error", &err);
    if (r != SIOC_OK) return r;
    sioc__xml_fixed(err, "Code", out->code, sizeof out->code);
    sioc__xml_fixed(err, "Message", out->message, sizeof out->message);
    sioc__xml_fixed(err, "Type", type, sizeof type);
    sioc__xml_fixed(root, "RequestId", out->request_id, sizeof out->request_id);
    out->sender_fault = sioc__strcmp(type, "Sender") == 0;
    return out->code[0] ? SIOC_OK : SIOC_ERR_NOT_FOUND;
}

/* >>SQS replies */

/* A JSON string token as text: a view of the raw text when it has no escapes, else unescaped into scratch
   (unescaping never makes text longer). */
static sioc_result sioc__jstr(const sioc_json *d, int tok, sioc_buf *scratch, sioc_str *out) {
    size_t start, n = 0;
    char *p;
    sioc_str raw;
    sioc_result r;
    if (tok < 0) return SIOC_ERR_NOT_FOUND;
    if (sioc_json_type_of(d, tok) != SIOC_JSON_STRING) return SIOC_ERR_TYPE;
    raw = sioc_json_raw(d, tok);
    if (!d->toks[tok].escaped) {
        *out = raw;
        return SIOC_OK;
    }
    start = scratch ? scratch->len : 0;
    p = (char *)sioc_buf_reserve(scratch, raw.len + 1);
    if (!p) return SIOC_ERR_BUFFER_TOO_SMALL;
    r = sioc_json_get_str(d, tok, p, raw.len + 1, &n);
    if (r != SIOC_OK) {
        scratch->len = start;
        return r;
    }
    scratch->len = start + n + 1;
    out->ptr = p;
    out->len = n;
    return SIOC_OK;
}

/* An optional string member: absent gives the empty view. */
static sioc_result sioc__jopt(const sioc_json *d, int obj, const char *key, sioc_buf *scratch, sioc_str *out) {
    int t = sioc_json_find(d, obj, key);
    out->ptr = "";
    out->len = 0;
    return t < 0 ? SIOC_OK : sioc__jstr(d, t, scratch, out);
}

static sioc_result sioc__jroot(const sioc_json *d) {
    if (!d || d->count == 0) return SIOC_ERR_ARG;
    return sioc_json_type_of(d, 0) == SIOC_JSON_OBJECT ? SIOC_OK : SIOC_ERR_TYPE;
}

SIOC_API sioc_result sioc_sqs_parse_create_queue(const sioc_json *d, sioc_buf *scratch, sioc_str *out) {
    sioc_result r = sioc__jroot(d);
    if (r != SIOC_OK) return r;
    return sioc__jstr(d, sioc_json_find(d, 0, "QueueUrl"), scratch, out);
}

SIOC_API sioc_result sioc_sqs_parse_queue_attribute(const sioc_json *d, const char *name, sioc_buf *scratch,
                                                    sioc_str *out) {
    int attrs;
    sioc_result r = sioc__jroot(d);
    if (r != SIOC_OK) return r;
    if (!name) return SIOC_ERR_ARG;
    attrs = sioc_json_find(d, 0, "Attributes");
    if (attrs >= 0 && sioc_json_type_of(d, attrs) != SIOC_JSON_OBJECT) return SIOC_ERR_TYPE;
    return sioc__jstr(d, sioc_json_find(d, attrs, name), scratch, out);
}

/* DataType "String", "Number", "Binary", each optionally followed by ".<custom label>". */
static int sioc__data_type(sioc_str t, sioc_aws_attr_type *out) {
    static const char *const names[3] = {"String", "Binary", "Number"};
    int i;
    for (i = 0; i < 3; i++) {
        if (t.len >= 6 && memcmp(t.ptr, names[i], 6) == 0 && (t.len == 6 || t.ptr[6] == '.')) {
            *out = (sioc_aws_attr_type)i;
            return 1;
        }
    }
    return 0;
}

static sioc_result sioc__sqs_attr(const sioc_json *d, int key, sioc_buf *scratch, sioc_aws_attr *a) {
    int obj = key + 1; /* an object member's value follows its key */
    sioc_str type, v;
    sioc_result r = sioc__jstr(d, key, scratch, &a->name);
    if (r != SIOC_OK) return r;
    if (sioc_json_type_of(d, obj) != SIOC_JSON_OBJECT) return SIOC_ERR_TYPE;
    r = sioc__jstr(d, sioc_json_find(d, obj, "DataType"), scratch, &type);
    if (r != SIOC_OK) return r;
    if (!sioc__data_type(type, &a->type)) return SIOC_ERR_PARSE;
    if (a->type == SIOC_AWS_ATTR_BINARY) {
        /* the text as a view of the reply, or unescaped into scratch ("\/" is common) and decoded there in place:
           either way a scratch as large as the reply stays enough */
        int t = sioc_json_find(d, obj, "BinaryValue");
        size_t start = scratch ? scratch->len : 0, n = 0, cap;
        uint8_t *p;
        r = sioc__jstr(d, t, scratch, &v);
        if (r != SIOC_OK) return r;
        if (d->toks[t].escaped) {
            p = scratch->data + start; /* where sioc__jstr unescaped it */
            cap = v.len;
        } else {
            cap = v.len / 4 * 3 + 1;
            p = (uint8_t *)sioc_buf_reserve(scratch, cap);
            if (!p) return SIOC_ERR_BUFFER_TOO_SMALL;
        }
        r = v.len ? sioc_base64_decode(v.ptr, v.len, p, cap, &n) : SIOC_OK;
        if (r != SIOC_OK) {
            scratch->len = start;
            return r == SIOC_ERR_BUFFER_TOO_SMALL ? r : SIOC_ERR_PARSE;
        }
        scratch->len = start + n;
        a->value.ptr = p;
        a->value.len = n;
    } else {
        r = sioc__jstr(d, sioc_json_find(d, obj, "StringValue"), scratch, &v);
        if (r != SIOC_OK) return r;
        a->value.ptr = (const uint8_t *)v.ptr;
        a->value.len = v.len;
    }
    return SIOC_OK;
}

SIOC_API sioc_result sioc_sqs_parse_message(const sioc_json *d, int m, sioc_buf *scratch, sioc_sqs_message *out) {
    static const char names[] = "MessageId\0ReceiptHandle\0Body\0MD5OfBody\0MD5OfMessageAttributes";
    static const uint8_t off[5] = {offsetof(sioc_sqs_message, message_id), offsetof(sioc_sqs_message, receipt_handle),
                                   offsetof(sioc_sqs_message, body), offsetof(sioc_sqs_message, md5_of_body),
                                   offsetof(sioc_sqs_message, md5_of_attrs)};
    const char *name;
    int attrs, k;
    sioc_result r;
    if (!d || !out) return SIOC_ERR_ARG;
    if (sioc_json_type_of(d, m) != SIOC_JSON_OBJECT) return SIOC_ERR_TYPE;
    out->attr_count = 0;
    for (k = 0, name = names; k < 5; k++, name += strlen(name) + 1) { /* the first three are required */
        sioc_str *dst = (sioc_str *)(void *)((char *)out + off[k]);
        r = k < 3 ? sioc__jstr(d, sioc_json_find(d, m, name), scratch, dst) : sioc__jopt(d, m, name, scratch, dst);
        if (r != SIOC_OK) return r;
    }
    attrs = sioc_json_find(d, m, "MessageAttributes");
    if (attrs < 0) return SIOC_OK;
    if (sioc_json_type_of(d, attrs) != SIOC_JSON_OBJECT) return SIOC_ERR_TYPE;
    for (k = sioc_json_first(d, attrs); k >= 0; k = sioc_json_next(d, k)) {
        if (out->attr_count == SIOC_AWS_MAX_ATTRS) return SIOC_ERR_LIMIT;
        r = sioc__sqs_attr(d, k, scratch, &out->attrs[out->attr_count]);
        if (r != SIOC_OK) return r;
        out->attr_count++;
    }
    return SIOC_OK;
}

SIOC_API sioc_result sioc_sqs_parse_receive_message(const sioc_json *d, sioc_buf *scratch, sioc_sqs_message *out,
                                                    size_t cap, size_t *out_count) {
    int msgs, m;
    size_t count = 0;
    sioc_result r = sioc__jroot(d);
    if (!out_count || (cap && !out)) return SIOC_ERR_ARG;
    *out_count = 0;
    if (r != SIOC_OK) return r;
    msgs = sioc_json_find(d, 0, "Messages");
    if (msgs < 0) return SIOC_OK; /* an empty long poll answers {} */
    if (sioc_json_type_of(d, msgs) != SIOC_JSON_ARRAY) return SIOC_ERR_TYPE;
    *out_count = sioc_json_count(d, msgs);
    if (*out_count > cap) return SIOC_ERR_BUFFER_TOO_SMALL;
    for (m = sioc_json_first(d, msgs); m >= 0; m = sioc_json_next(d, m)) {
        r = sioc_sqs_parse_message(d, m, scratch, &out[count]);
        if (r != SIOC_OK) return r;
        count++;
    }
    return SIOC_OK;
}

static sioc_result sioc__sqs_batch_list(const sioc_json *d, int arr, int failed, sioc_buf *scratch,
                                        sioc_aws_batch_result *out) {
    int e;
    if (arr < 0) return SIOC_OK;
    if (sioc_json_type_of(d, arr) != SIOC_JSON_ARRAY) return SIOC_ERR_TYPE;
    for (e = sioc_json_first(d, arr); e >= 0; e = sioc_json_next(d, e)) {
        sioc_aws_batch_item *item;
        sioc_result r;
        int k;
        if (out->count == SIOC_AWS_MAX_BATCH) return SIOC_ERR_LIMIT;
        if (sioc_json_type_of(d, e) != SIOC_JSON_OBJECT) return SIOC_ERR_TYPE;
        item = &out->items[out->count];
        memset(item, 0, sizeof *item);
        item->failed = failed;
        for (k = 0; k < (failed ? 4 : 2); k++) { /* Id (required), MessageId, and for a failure Code, Message */
            r = k ? sioc__jopt(d, e, sioc__batch_names[k], scratch, SIOC__BATCH_FIELD(item, k))
                  : sioc__jstr(d, sioc_json_find(d, e, "Id"), scratch, &item->id);
            if (r != SIOC_OK) return r;
        }
        if (failed) {
            int sf = 0;
            if (sioc_json_get_bool(d, sioc_json_find(d, e, sioc__batch_names[4]), &sf) == SIOC_OK) item->sender_fault = sf;
            out->failed++;
        }
        out->count++;
    }
    return SIOC_OK;
}

SIOC_API sioc_result sioc_sqs_parse_batch(const sioc_json *d, sioc_buf *scratch, sioc_aws_batch_result *out) {
    sioc_result r = sioc__jroot(d);
    if (!out) return SIOC_ERR_ARG;
    out->count = out->failed = 0;
    if (r != SIOC_OK) return r;
    r = sioc__sqs_batch_list(d, sioc_json_find(d, 0, "Successful"), 0, scratch, out);
    if (r != SIOC_OK) return r;
    return sioc__sqs_batch_list(d, sioc_json_find(d, 0, "Failed"), 1, scratch, out);
}

SIOC_API sioc_result sioc_sqs_parse_list_queues(const sioc_json *d, sioc_buf *scratch, sioc_str *urls, size_t cap,
                                                size_t *out_count, sioc_str *out_next) {
    int arr, u;
    size_t i = 0;
    sioc_result r = sioc__jroot(d);
    if (!out_count || !out_next || (cap && !urls)) return SIOC_ERR_ARG;
    *out_count = 0;
    out_next->ptr = "";
    out_next->len = 0;
    if (r != SIOC_OK) return r;
    r = sioc__jopt(d, 0, "NextToken", scratch, out_next);
    if (r != SIOC_OK) return r;
    arr = sioc_json_find(d, 0, "QueueUrls");
    if (arr < 0) return SIOC_OK;
    if (sioc_json_type_of(d, arr) != SIOC_JSON_ARRAY) return SIOC_ERR_TYPE;
    *out_count = sioc_json_count(d, arr);
    if (*out_count > cap) return SIOC_ERR_BUFFER_TOO_SMALL;
    for (u = sioc_json_first(d, arr); u >= 0; u = sioc_json_next(d, u)) {
        r = sioc__jstr(d, u, scratch, &urls[i++]);
        if (r != SIOC_OK) return r;
    }
    return SIOC_OK;
}

SIOC_API sioc_result sioc_sqs_parse_list_queue_tags(const sioc_json *d, sioc_buf *scratch, sioc_aws_kv *out,
                                                    size_t cap, size_t *out_count) {
    int tags, k;
    size_t i = 0;
    sioc_result r = sioc__jroot(d);
    if (!out_count || (cap && !out)) return SIOC_ERR_ARG;
    *out_count = 0;
    if (r != SIOC_OK) return r;
    tags = sioc_json_find(d, 0, "Tags");
    if (tags < 0) return SIOC_OK;
    if (sioc_json_type_of(d, tags) != SIOC_JSON_OBJECT) return SIOC_ERR_TYPE;
    *out_count = sioc_json_count(d, tags);
    if (*out_count > cap) return SIOC_ERR_BUFFER_TOO_SMALL;
    for (k = sioc_json_first(d, tags); k >= 0; k = sioc_json_next(d, k)) {
        r = sioc__jstr(d, k, scratch, &out[i].key);
        if (r == SIOC_OK) r = sioc__jstr(d, k + 1, scratch, &out[i].value);
        if (r != SIOC_OK) return r;
        i++;
    }
    return SIOC_OK;
}

/* An error member into a fixed array (escaped text unescaped through a small stack buffer). */
static void sioc__json_fixed(const sioc_json *d, int tok, char *dst, size_t cap) {
    char tmp[256];
    size_t n = 0;
    sioc_str s;
    dst[0] = 0;
    if (sioc_json_type_of(d, tok) != SIOC_JSON_STRING) return;
    s = sioc_json_raw(d, tok);
    if (sioc_json_get_str(d, tok, tmp, sizeof tmp, &n) == SIOC_OK) {
        s.ptr = tmp;
        s.len = n;
    }
    sioc__copy_fixed(dst, cap, s);
}

SIOC_API sioc_result sioc_sqs_parse_error(const char *json, size_t len, sioc_str query_error, sioc_aws_error *out) {
    sioc_json_tok toks[32];
    sioc_json d;
    sioc_result r;
    int msg;
    if (!out || (!json && len) || !sioc__str_ok(query_error)) return SIOC_ERR_ARG;
    out->code[0] = out->message[0] = out->request_id[0] = out->legacy_code[0] = 0;
    out->sender_fault = 0;
    /* x-amzn-query-error: "AWS.SimpleQueueService.NonExistentQueue;Sender" */
    if (query_error.len) {
        const char *semi = (const char *)memchr(query_error.ptr, ';', query_error.len);
        sioc_str code = query_error;
        if (semi) {
            sioc_str fault;
            code.len = (size_t)(semi - query_error.ptr);
            fault.ptr = semi + 1;
            fault.len = query_error.len - code.len - 1;
            out->sender_fault = sioc_str_eq(fault, sioc_str_c("Sender"));
        }
        sioc__copy_fixed(out->legacy_code, sizeof out->legacy_code, code);
    }
    r = sioc_json_parse(&d, json ? json : "", len, toks, SIOC__COUNT(toks));
    if (r != SIOC_OK) return r;
    if (sioc_json_type_of(&d, 0) != SIOC_JSON_OBJECT) return SIOC_ERR_TYPE;
    {
        /* "__type": "com.amazonaws.sqs#QueueDoesNotExist" (a ':' suffix, when present, is not part of it) */
        char type[128];
        const char *p = type, *q;
        sioc_str code;
        sioc__json_fixed(&d, sioc_json_find(&d, 0, "__type"), type, sizeof type);
        for (q = type; *q; q++)
            if (*q == '#') p = q + 1; /* after the last '#' */
        for (q = p; *q && *q != ':'; q++) {
        }
        code.ptr = p;
        code.len = (size_t)(q - p);
        sioc__copy_fixed(out->code, sizeof out->code, code);
    }
    msg = sioc_json_find(&d, 0, "message");
    if (msg < 0) msg = sioc_json_find(&d, 0, "Message");
    sioc__json_fixed(&d, msg, out->message, sizeof out->message);
    return out->code[0] ? SIOC_OK : SIOC_ERR_NOT_FOUND;
}

/* >>endpoints and signing */

SIOC_API sioc_result sioc_aws_endpoint_parse(const char *url, sioc_aws_endpoint *out) {
    if (!url || !out) return SIOC_ERR_ARG;
    memset(out, 0, sizeof *out);
    return sioc_http_parse_origin(url, out->host, &out->port, &out->tls); /* every call is POST / : no path */
}

/* Regions go into host names and the signing scope: [a-z0-9-] only. */
static int sioc__region_ok(const char *region) {
    size_t i, n = region ? strlen(region) : 0;
    if (n == 0 || n > 40) return 0;
    for (i = 0; i < n; i++)
        if (!((region[i] >= 'a' && region[i] <= 'z') || sioc__is_digit((unsigned char)region[i]) || region[i] == '-'))
            return 0;
    return 1;
}

SIOC_API sioc_result sioc_aws_endpoint_default(sioc_aws_service svc, const char *region, sioc_aws_endpoint *out) {
    sioc_buf b;
    if (!out || !sioc__region_ok(region)) return SIOC_ERR_ARG;
    memset(out, 0, sizeof *out);
    sioc_buf_init(&b, out->host, sizeof out->host);
    sioc_buf_puts(&b, svc == SIOC_AWS_SNS ? "sns." : "sqs.");
    sioc_buf_puts(&b, region);
    sioc_buf_puts(&b, ".amazonaws.com");
    if (sioc__starts(region, "cn-")) sioc_buf_puts(&b, ".cn");
    sioc_buf_putc(&b, 0);
    out->port = 443;
    out->tls = 1;
    return sioc_buf_result(&b);
}

SIOC_API sioc_result sioc_aws_sign(sioc_aws_signed *out, sioc_aws_service svc, const char *op,
                                   const sioc_aws_endpoint *ep, const char *region,
                                   const sioc_sigv4_credentials *creds, sioc_bytes body, int64_t unix_time,
                                   sioc_sigv4_key_cache *cache) {
    /* signed: host, content-type, [x-amz-target]; sent besides Host: content-type, [x-amz-target], x-amz-date,
       [x-amz-security-token] and authorization, no SDK bookkeeping headers (docs/AWS.md 8) */
    static const sioc_str names[6] = {{"host", 4},       {"content-type", 12},         {"x-amz-target", 12},
                                      {"x-amz-date", 10}, {"x-amz-security-token", 20}, {"authorization", 13}};
    sioc_str v[6];
    sioc_sigv4_pair sh[3];
    sioc_sigv4_params p;
    sioc_sigv4_request q;
    sioc_sigv4_result res;
    sioc_buf b;
    sioc_result r;
    size_t i, n = 0;
    int sqs = svc == SIOC_AWS_SQS;
    if (!out || !ep || !region || !creds) return SIOC_ERR_ARG;
    memset(out, 0, sizeof *out);
    memset(&p, 0, sizeof p);
    memset(&q, 0, sizeof q);
    /* the Host value exactly as the HTTP writer sends it: the port only when it is not the scheme's default */
    sioc_buf_init(&b, out->host, sizeof out->host - 1); /* the last byte stays the NUL */
    sioc_buf_puts(&b, ep->host);
    if (ep->port != (ep->tls ? 443 : 80)) {
        sioc_buf_putc(&b, ':');
        sioc_buf_put_u64(&b, ep->port);
    }
    if (sioc_buf_result(&b) != SIOC_OK) return SIOC_ERR_ARG;
    v[0].ptr = out->host, v[0].len = b.len;
    v[1] = sioc_str_c(sqs ? "application/x-amz-json-1.0" : "application/x-www-form-urlencoded");
    if (sqs) {
        sioc_buf_init(&b, out->target, sizeof out->target - 1);
        sioc_buf_puts(&b, "AmazonSQS.");
        sioc_buf_puts(&b, op ? op : "");
        if (!op || !*op || sioc_buf_result(&b) != SIOC_OK) return SIOC_ERR_ARG;
    }
    v[2] = sioc_str_c(out->target); /* empty for SNS: the action is in the body */
    for (i = 0; i < 3; i++) sh[i].name = names[i], sh[i].value = v[i];
    p.creds = *creds;
    p.region = sioc_str_c(region);
    p.service = sioc_str_c(sqs ? "sqs" : "sns");
    p.unix_time = unix_time;
    q.method = sioc_str_c("POST");
    q.path = sioc_str_c("/");
    q.headers = sh;
    q.header_count = 2 + (size_t)sqs;
    q.payload = body;
    sioc_buf_init(&b, out->authorization, sizeof out->authorization - 1);
    r = sioc_sigv4_sign(&p, &q, cache, &b, &res);
    if (r != SIOC_OK) return r;
    memcpy(out->amz_date, res.amz_date, sizeof out->amz_date);
    v[3].ptr = out->amz_date, v[3].len = 16;
    v[4] = creds->session_token;
    v[5].ptr = out->authorization, v[5].len = b.len;
    for (i = 1; i < 6; i++) {
        if (!v[i].len) continue; /* no target (SNS), no token */
        out->headers[n].name = names[i];
        out->headers[n++].value = v[i];
    }
    out->count = n;
    return SIOC_OK;
}

/* >>client */

SIOC__FN const char *sioc__svc_name(int svc) { return svc == SIOC_AWS_SNS ? "SNS" : "SQS"; }

/* The client's detail text after a failed init: which field (endpoint URLs are not secrets and are repeated). */
static sioc_result sioc__aws_init_fail(sioc_aws_client *c, sioc_result r, const char *a, const char *b2,
                                       const char *c2) {
    sioc__detail_set(c->detail, sizeof c->detail, a, b2, c2);
    return r;
}

/* The services a client talks to: a publish-only build (SIOC_ENABLE_RECEIVE 0) refuses SQS calls, so it neither
   parses nor registers sqs_endpoint (a plain-HTTP SNS endpoint then needs no TLS for the unused default). */
#define SIOC__AWS_SERVICES (SIOC_ENABLE_RECEIVE ? 2 : 1)

SIOC_API sioc_result sioc_aws_client_init(sioc_aws_client *c, const sioc_aws_desc *desc) {
    sioc_result r;
    int i;
    if (!c || !desc) return SIOC_ERR_ARG;
    memset(c, 0, sizeof *c);
    if (!sioc__region_ok(desc->region))
        return sioc__aws_init_fail(c, SIOC_ERR_ARG, desc->region && desc->region[0] ? "region is not a region name"
                                                                                    : "region missing",
                                   " (e.g. us-east-1; AWS_REGION)", NULL);
    if (desc->credentials.access_key_id.len == 0 || desc->credentials.secret_access_key.len == 0)
        return sioc__aws_init_fail(c, SIOC_ERR_ARG, "credentials missing: ",
                                   desc->credentials.access_key_id.len == 0 ? "access key id" : "secret access key",
                                   " (AWS_ACCESS_KEY_ID, AWS_SECRET_ACCESS_KEY)");
    if (!desc->utc_now) return sioc__aws_init_fail(c, SIOC_ERR_DEPENDENCY, "aws desc: utc_now missing", NULL, NULL);
    c->p_desc = *desc;
    memcpy(c->p_region, desc->region, strlen(desc->region) + 1); /* checked: at most 40 bytes */
    c->p_desc.region = c->p_region;
    c->p_desc.sns_endpoint = c->p_desc.sqs_endpoint = NULL; /* parsed below; not kept */
    if (!c->p_desc.timeout_ms) c->p_desc.timeout_ms = 30000;
    for (i = 0; i < SIOC__AWS_SERVICES; i++) {
        const char *url = i == SIOC_AWS_SNS ? desc->sns_endpoint : desc->sqs_endpoint;
        r = url ? sioc_aws_endpoint_parse(url, &c->p_ep[i])
                : sioc_aws_endpoint_default((sioc_aws_service)i, desc->region, &c->p_ep[i]);
        if (r != SIOC_OK) {
            sioc_buf b;
            sioc__detail_start(&b, c->detail, sizeof c->detail);
            if (!SIOC_ENABLE_ERROR_STRINGS) return r; /* no text to build */
            sioc_buf_puts(&b, i == SIOC_AWS_SNS ? "sns_endpoint \"" : "sqs_endpoint \"");
            sioc_buf_put(&b, url ? url : "", url ? SIOC__MIN(strlen(url), (size_t)48) : 0);
            sioc_buf_puts(&b, r == SIOC_ERR_UNSUPPORTED ? "\": IPv6 literals are not supported"
                                                        : "\": expected http[s]://host[:port] (AWS_ENDPOINT_URL)");
            sioc__detail_end(&b);
            return r;
        }
    }
#if SIOC_ENABLE_POSIX && SIOC_TLS != SIOC_TLS_NONE
    {
        sioc_http_client_desc hd = sioc_posix_http_defaults(&desc->http); /* https without configuration */
        r = sioc_http_client_init(&c->http, &hd);
    }
#else
    r = sioc_http_client_init(&c->http, &desc->http);
#endif
    if (r != SIOC_OK) return sioc__aws_init_fail(c, r, c->http.detail, NULL, NULL);
    for (i = 0; i < SIOC__AWS_SERVICES; i++) {
        r = sioc_http_endpoint(&c->http, c->p_ep[i].host, c->p_ep[i].port, c->p_ep[i].tls, &c->p_http_ep[i]);
        if (r != SIOC_OK) {
            sioc__aws_init_fail(c, r, c->http.detail, NULL, NULL);
            sioc_http_client_free(&c->http);
            return r;
        }
    }
    return SIOC_OK;
}

SIOC_API void sioc_aws_client_free(sioc_aws_client *c) {
    if (!c) return;
    sioc_http_client_free(&c->http);
    memset(c->p_keys, 0, sizeof c->p_keys); /* derived key material */
}

SIOC_API void sioc_aws_set_credentials(sioc_aws_client *c, const sioc_sigv4_credentials *creds) {
    if (!c || !creds) return;
    c->p_desc.credentials = *creds;
    memset(c->p_keys, 0, sizeof c->p_keys);
}

static void sioc__aws_log(sioc_aws_client *c, sioc_log_level level, const sioc_aws_call *call, const char *what) {
#if SIOC_ENABLE_LOG
    char line[200];
    sioc_buf b;
    const sioc_logger *lg = &c->p_desc.http.logger;
    if (!lg->fn || level > lg->max_level) return;
    /* operation, status and the service's code only: never keys, tokens or signatures */
    sioc_buf_init(&b, line, sizeof line - 1);
    sioc_buf_puts(&b, sioc__svc_name(call->p_service));
    sioc_buf_putc(&b, ' ');
    sioc_buf_puts(&b, call->p_op);
    sioc_buf_puts(&b, ": ");
    sioc_buf_puts(&b, what);
    if (call->status) {
        sioc_buf_puts(&b, " HTTP ");
        sioc_buf_put_u64(&b, (uint64_t)call->status);
    }
    if (call->error.code[0]) {
        sioc_buf_putc(&b, ' ');
        sioc_buf_puts(&b, call->error.code);
    }
    line[SIOC__MIN(b.len, sizeof line - 1)] = 0;
    lg->fn(lg->user, level, line);
#else
    (void)c, (void)level, (void)call, (void)what;
#endif
}

static sioc_result sioc__aws_send(sioc_aws_client *c, sioc_aws_call *call, uint64_t now_ms) {
    sioc_aws_signed s;
    sioc_http_request req;
    sioc_bytes body;
    sioc_result r;
    uint32_t id = 0;
    int svc = call->p_service;
    int64_t t = c->p_desc.utc_now(c->p_desc.user) + c->clock_offset_s;
    body.ptr = (const uint8_t *)call->body_mem;
    body.len = call->p_body_len;
    r = sioc_aws_sign(&s, (sioc_aws_service)svc, call->p_op, &c->p_ep[svc], c->p_desc.region,
                      &c->p_desc.credentials, body, t, &c->p_keys[svc]);
    if (r != SIOC_OK) return r;
    memset(&req, 0, sizeof req);
    req.method = "POST";
    req.target = "/";
    req.headers = s.headers;
    req.header_count = s.count;
    req.body = call->body_mem;
    req.body_len = call->p_body_len;
    req.timeout_ms = call->p_timeout;
    req.idempotent = call->p_idempotent;
    req.tag = call;
    req.body_out = call->reply_mem;
    req.body_out_cap = call->reply_cap;
    req.body_keep_tail = call->reply_keep_tail;
    r = sioc_http_submit(&c->http, c->p_http_ep[svc], &req, now_ms, &id);
    memset(&s, 0, sizeof s);
    if (r != SIOC_OK) return r;
    sioc_http_calls_sent(&c->p_calls, &call->p_track, id);
    return SIOC_OK;
}

/* A call that a starter refused before anything was sent, in words. */
static void sioc__aws_refused(sioc_aws_call *call, int svc, const char *op, sioc_result r) {
    sioc_buf b;
    sioc__detail_start(&b, call->detail, sizeof call->detail);
    if (!SIOC_ENABLE_ERROR_STRINGS) return; /* no text to build: leave the words out of the binary */
    sioc_buf_puts(&b, sioc__svc_name(svc));
    sioc_buf_putc(&b, ' ');
    sioc_buf_puts(&b, op);
    sioc_buf_puts(&b, r == SIOC_ERR_TOO_LARGE          ? ": message over 256 KiB (SIOC_AWS_MAX_MESSAGE_SIZE)"
                      : r == SIOC_ERR_BUFFER_TOO_SMALL ? ": the request body does not fit body_cap"
                      : r == SIOC_ERR_LIMIT            ? ": too many attributes or entries, or no request slot free"
                      : r == SIOC_ERR_UNSUPPORTED      ? ": SQS is not built in (SIOC_ENABLE_RECEIVE 0)"
                                                       : ": refused: ");
    if (r != SIOC_ERR_TOO_LARGE && r != SIOC_ERR_BUFFER_TOO_SMALL && r != SIOC_ERR_LIMIT && r != SIOC_ERR_UNSUPPORTED)
        sioc_buf_puts(&b, sioc_strerror(r));
    sioc__detail_end(&b);
}

static sioc_result sioc__aws_submit(sioc_aws_client *c, sioc_aws_call *call, sioc_aws_service svc, const char *op,
                                    size_t body_len, uint64_t now_ms, uint32_t timeout_floor_ms) {
    size_t oplen;
    sioc_result r;
    if (!c || !call || !op || (svc != SIOC_AWS_SNS && svc != SIOC_AWS_SQS)) return SIOC_ERR_ARG;
    if (sioc_http_calls_busy(&call->p_track)) return SIOC_ERR_STATE;
    if (!SIOC_ENABLE_RECEIVE && svc == SIOC_AWS_SQS) { /* a publish-only build talks to SNS alone */
        sioc__aws_refused(call, svc, op, SIOC_ERR_UNSUPPORTED);
        return SIOC_ERR_UNSUPPORTED;
    }
    oplen = strlen(op);
    if (oplen == 0 || oplen >= sizeof call->p_op || body_len > call->body_cap || (body_len && !call->body_mem))
        return SIOC_ERR_ARG;
    memcpy(call->p_op, op, oplen + 1);
    call->p_service = (uint8_t)svc;
    call->p_body_len = body_len;
    /* the results, from result up to and including the first byte of detail, start out empty */
    memset((char *)call + offsetof(sioc_aws_call, result), 0,
           offsetof(sioc_aws_call, detail) + 1 - offsetof(sioc_aws_call, result));
    call->result = SIOC_AGAIN;
    /* A Publish whose connection died may have been accepted: re-sending can duplicate it (at-least-once, the
       default), not re-sending can lose it (docs/AWS.md 4). Everything else is safe to repeat. */
    call->p_idempotent = (uint8_t)!(c->p_desc.publish_at_most_once && svc == SIOC_AWS_SNS &&
                                    sioc__starts(op, "Publish"));
    call->p_timeout = SIOC__MAX(call->timeout_ms ? call->timeout_ms : c->p_desc.timeout_ms, timeout_floor_ms);
    r = sioc__aws_send(c, call, now_ms);
    if (r == SIOC_OK) c->stats.calls++;
    else sioc__aws_refused(call, svc, op, r);
    return r;
}

SIOC_API sioc_result sioc_aws_submit(sioc_aws_client *c, sioc_aws_call *call, sioc_aws_service svc, const char *op,
                                     size_t body_len, uint64_t now_ms) {
    return sioc__aws_submit(c, call, svc, op, body_len, now_ms, 0);
}

/* Wrap a body writer: write into the call's memory, then submit. */
#define SIOC__AWS_START_FLOOR(svc, op, floor_ms, WRITE)                                 \
    {                                                                                   \
        sioc_buf b_;                                                                    \
        sioc_result r_;                                                                 \
        if (!c || !call) return SIOC_ERR_ARG;                                           \
        if (sioc_http_calls_busy(&call->p_track)) return SIOC_ERR_STATE;                                        \
        sioc_buf_init(&b_, call->body_mem, call->body_cap);                             \
        r_ = WRITE;                                                                     \
        if (r_ != SIOC_OK) {                                                            \
            sioc__aws_refused(call, svc, op, r_);                                       \
            return r_;                                                                  \
        }                                                                               \
        return sioc__aws_submit(c, call, svc, op, b_.len, now_ms, floor_ms);            \
    }
#define SIOC__AWS_START(svc, op, WRITE) SIOC__AWS_START_FLOOR(svc, op, 0, WRITE)

SIOC_API sioc_result sioc_aws_sns_create_topic(sioc_aws_client *c, sioc_aws_call *call, sioc_str name,
                                               const sioc_aws_kv *tags, size_t n_tags, uint64_t now_ms) {
    SIOC__AWS_START(SIOC_AWS_SNS, "CreateTopic", sioc_sns_write_create_topic(&b_, name, tags, n_tags));
}
SIOC_API sioc_result sioc_aws_sns_subscribe(sioc_aws_client *c, sioc_aws_call *call, sioc_str topic_arn,
                                            sioc_str queue_arn, sioc_str filter_policy, uint64_t now_ms) {
    SIOC__AWS_START(SIOC_AWS_SNS, "Subscribe", sioc_sns_write_subscribe(&b_, topic_arn, queue_arn, filter_policy));
}
SIOC_API sioc_result sioc_aws_sns_publish(sioc_aws_client *c, sioc_aws_call *call, sioc_str topic_arn,
                                          sioc_str message, const sioc_aws_attr *attrs, size_t n_attrs,
                                          uint64_t now_ms) {
    SIOC__AWS_START(SIOC_AWS_SNS, "Publish", sioc_sns_write_publish(&b_, topic_arn, message, attrs, n_attrs));
}
SIOC_API sioc_result sioc_aws_sns_publish_batch(sioc_aws_client *c, sioc_aws_call *call, sioc_str topic_arn,
                                                const sioc_sns_batch_entry *entries, size_t n, uint64_t now_ms) {
    SIOC__AWS_START(SIOC_AWS_SNS, "PublishBatch", sioc_sns_write_publish_batch(&b_, topic_arn, entries, n));
}
SIOC_API sioc_result sioc_aws_sns_unsubscribe(sioc_aws_client *c, sioc_aws_call *call, sioc_str subscription_arn,
                                              uint64_t now_ms) {
    SIOC__AWS_START(SIOC_AWS_SNS, "Unsubscribe", sioc_sns_write_unsubscribe(&b_, subscription_arn));
}
SIOC_API sioc_result sioc_aws_sns_list_subscriptions_by_topic(sioc_aws_client *c, sioc_aws_call *call,
                                                              sioc_str topic_arn, sioc_str next_token,
                                                              uint64_t now_ms) {
    SIOC__AWS_START(SIOC_AWS_SNS, "ListSubscriptionsByTopic",
                    sioc_sns_write_list_subscriptions_by_topic(&b_, topic_arn, next_token));
}
SIOC_API sioc_result sioc_aws_sqs_create_queue(sioc_aws_client *c, sioc_aws_call *call, sioc_str name,
                                               const sioc_aws_kv *attrs, size_t n_attrs, const sioc_aws_kv *tags,
                                               size_t n_tags, uint64_t now_ms) {
    SIOC__AWS_START(SIOC_AWS_SQS, "CreateQueue", sioc_sqs_write_create_queue(&b_, name, attrs, n_attrs, tags, n_tags));
}
SIOC_API sioc_result sioc_aws_sqs_get_queue_attributes(sioc_aws_client *c, sioc_aws_call *call, sioc_str queue_url,
                                                       const sioc_str *names, size_t n, uint64_t now_ms) {
    SIOC__AWS_START(SIOC_AWS_SQS, "GetQueueAttributes", sioc_sqs_write_get_queue_attributes(&b_, queue_url, names, n));
}
SIOC_API sioc_result sioc_aws_sqs_set_queue_policy(sioc_aws_client *c, sioc_aws_call *call, sioc_str queue_url,
                                                   sioc_str queue_arn, sioc_str topic_arn, uint64_t now_ms) {
    SIOC__AWS_START(SIOC_AWS_SQS, "SetQueueAttributes",
                    sioc_sqs_write_set_queue_policy(&b_, queue_url, queue_arn, topic_arn));
}
SIOC_API sioc_result sioc_aws_sqs_receive_message(sioc_aws_client *c, sioc_aws_call *call, sioc_str queue_url,
                                                  int max_messages, int wait_seconds, uint64_t now_ms) {
    /* the read deadline must outlast the long poll (docs/AWS.md 2.2) */
    uint32_t floor_ms = (wait_seconds > 0 && wait_seconds <= 20) ? (uint32_t)wait_seconds * 1000u + 10000u : 0;
    SIOC__AWS_START_FLOOR(SIOC_AWS_SQS, "ReceiveMessage", floor_ms,
                          sioc_sqs_write_receive_message(&b_, queue_url, max_messages, wait_seconds));
}
SIOC_API sioc_result sioc_aws_sqs_delete_message_batch(sioc_aws_client *c, sioc_aws_call *call, sioc_str queue_url,
                                                       const sioc_sqs_delete_entry *entries, size_t n,
                                                       uint64_t now_ms) {
    SIOC__AWS_START(SIOC_AWS_SQS, "DeleteMessageBatch",
                    sioc_sqs_write_delete_message_batch(&b_, queue_url, entries, n));
}
SIOC_API sioc_result sioc_aws_sqs_delete_queue(sioc_aws_client *c, sioc_aws_call *call, sioc_str queue_url,
                                               uint64_t now_ms) {
    SIOC__AWS_START(SIOC_AWS_SQS, "DeleteQueue", sioc_sqs_write_queue_url(&b_, queue_url));
}
SIOC_API sioc_result sioc_aws_sqs_list_queues(sioc_aws_client *c, sioc_aws_call *call, sioc_str prefix,
                                              sioc_str next_token, int max_results, uint64_t now_ms) {
    SIOC__AWS_START(SIOC_AWS_SQS, "ListQueues", sioc_sqs_write_list_queues(&b_, prefix, next_token, max_results));
}
SIOC_API sioc_result sioc_aws_sqs_list_queue_tags(sioc_aws_client *c, sioc_aws_call *call, sioc_str queue_url,
                                                  uint64_t now_ms) {
    SIOC__AWS_START(SIOC_AWS_SQS, "ListQueueTags", sioc_sqs_write_queue_url(&b_, queue_url));
}
SIOC_API sioc_result sioc_aws_sqs_send_message(sioc_aws_client *c, sioc_aws_call *call, sioc_str queue_url,
                                               sioc_str body, const sioc_aws_attr *attrs, size_t n_attrs,
                                               uint64_t now_ms) {
    SIOC__AWS_START(SIOC_AWS_SQS, "SendMessage", sioc_sqs_write_send_message(&b_, queue_url, body, attrs, n_attrs));
}

/* Error codes by class (docs/AWS.md 4), each after its class byte: 1 throttled, 2 not found, 3 authentication,
   4 authentication and also what a wrong clock produces (SignatureDoesNotMatch because some endpoints report a
   stale X-Amz-Date that way; the Date comparison in sioc__aws_finish keeps a real key mismatch from a retry). */
static const char sioc__aws_codes[] =
    "\1Throttling\0\1Throttled\0\1ThrottlingException\0\1RequestThrottled\0\1TooManyRequestsException\0"
    "\1RequestLimitExceeded\0\2NotFound\0\2QueueDoesNotExist\0\2AWS.SimpleQueueService.NonExistentQueue\0"
    "\3InvalidClientTokenId\0\3IncompleteSignature\0\3AccessDenied\0\3AccessDeniedException\0"
    "\3AuthorizationError\0\3UnrecognizedClientException\0\3ExpiredToken\0\3ExpiredTokenException\0"
    "\3MissingAuthenticationToken\0\3InvalidSecurity\0\4SignatureDoesNotMatch\0\4RequestExpired\0"
    "\4RequestTimeTooSkewed\0\4InvalidSignatureException\0";

/* The classes of the error's code and legacy code, as bits (1 << class). */
static unsigned sioc__aws_code_classes(const sioc_aws_error *e) {
    const char *s;
    unsigned bits = 0;
    for (s = sioc__aws_codes; *s; s += strlen(s) + 1)
        if (sioc__strcmp(e->code, s + 1) == 0 || sioc__strcmp(e->legacy_code, s + 1) == 0) bits |= 1u << *s;
    return bits;
}

/* Error classes (docs/AWS.md 4): by error code first, whatever the status. */
static sioc_result sioc__aws_classify(const sioc_aws_error *e) {
    unsigned k = sioc__aws_code_classes(e);
    if ((k & 2u) || e->status == 429) return SIOC_ERR_THROTTLED;
    if (k & 4u) return SIOC_ERR_NOT_FOUND;
    if (e->status >= 500) return SIOC_ERR_SERVER;
    if ((k & 24u) || e->status == 401 || e->status == 403) return SIOC_ERR_AUTH;
    return SIOC_ERR_HTTP_STATUS;
}

#define SIOC__AWS_SKEW_MIN_S 60 /* smaller differences cannot explain a rejected signature (AWS allows 5 min) */

/* A failed call in words: "SQS ReceiveMessage: " and the engine's detail, or the HTTP status with the service's
   code and message (never a key or signature: the request's secrets are not in the reply). */
static void sioc__aws_detail(sioc_aws_call *call, const sioc_http_response *r) {
    sioc_buf b;
    sioc__detail_start(&b, call->detail, sizeof call->detail);
    if (!SIOC_ENABLE_ERROR_STRINGS) return; /* no text to build */
    sioc_buf_puts(&b, sioc__svc_name(call->p_service));
    sioc_buf_putc(&b, ' ');
    sioc_buf_puts(&b, call->p_op);
    sioc_buf_puts(&b, ": ");
    sioc__detail_reply(&b, r->detail, call->status, call->result, call->error.code, call->error.message);
    sioc__detail_end(&b);
}

/* One engine response for one of our calls: classify it, or re-sign and re-send it after a clock-skew error.
   Finished calls go to the client's done list (the engine's views die at its next response, so everything is
   taken out of them here). */
static void sioc__aws_finish(sioc_aws_client *c, const sioc_http_response *r, uint64_t now_ms) {
    sioc_aws_call *call = (sioc_aws_call *)r->tag;
    if (!call || !sioc_http_calls_answered(&c->p_calls, &call->p_track, r->id)) return;
    call->status = r->status;
    call->resent |= r->retried;
    if (r->retried && call->p_service == SIOC_AWS_SNS && sioc__starts(call->p_op, "Publish"))
        c->stats.publish_resends++;
    call->reply.ptr = r->body;
    call->reply.len = r->body_len;
    call->reply_tail_len = r->tail_len;
    memset(&call->error, 0, sizeof call->error);
    call->error.status = r->status;
    if (r->result != SIOC_OK) {
        call->result = r->result; /* transport failure (timeout, connect, closed, TLS) or reply over reply_cap */
    } else if (r->status >= 200 && r->status < 300) {
        call->result = SIOC_OK;
    } else {
        const char *body = (const char *)r->body;
        sioc_str date, qe;
        int64_t server_t;
        if (call->p_service == SIOC_AWS_SNS || !SIOC_ENABLE_RECEIVE) { /* publish-only: no SQS call was sent */
            (void)sioc_sns_parse_error(body, r->body_len, &call->error);
        } else {
            if (sioc_http_response_header(r, "x-amzn-query-error", &qe) != SIOC_OK) qe = sioc_str_c("");
            (void)sioc_sqs_parse_error(body, r->body_len, qe, &call->error);
        }
        call->result = sioc__aws_classify(&call->error); /* the parsers leave error.status as set above */
        /* clock skew: correct the offset from the server's Date and re-sign once (docs/AWS.md 4, 7) */
        if (SIOC_ENABLE_SKEW_CORRECTION && !call->skew_retried && (sioc__aws_code_classes(&call->error) & 16u) &&
            sioc_http_response_header(r, "date", &date) == SIOC_OK &&
            sioc_sigv4_parse_http_date(date, &server_t) == SIOC_OK) {
            int64_t local = c->p_desc.utc_now(c->p_desc.user);
            int64_t diff = server_t - (local + c->clock_offset_s);
            if (diff >= SIOC__AWS_SKEW_MIN_S || diff <= -SIOC__AWS_SKEW_MIN_S) {
                c->clock_offset_s = server_t - local;
                call->skew_retried = 1;
                c->stats.skew_retries++;
                sioc__aws_log(c, SIOC_LOG_WARN, call, "clock skew corrected, retrying");
                if (sioc__aws_send(c, call, now_ms) == SIOC_OK) return;
            }
        }
    }
    if (call->result == SIOC_OK) {
        c->stats.ok++;
        call->detail[0] = 0;
    } else {
        c->stats.errors++;
        sioc__aws_detail(call, r);
        sioc__aws_log(c, SIOC_LOG_WARN, call, sioc_strerror(call->result));
    }
    sioc_http_calls_done(&c->p_calls, &call->p_track);
}

SIOC_API sioc_result sioc_aws_next(sioc_aws_client *c, uint64_t now_ms, sioc_aws_call **out) {
    sioc_http_response r;
    sioc_http_call *k;
    if (!c || !out) return SIOC_ERR_ARG;
    *out = NULL;
    /* drain the engine completely: that also hands its last connection back to the pool, so a call submitted
       right after this one returns goes out on the next drive */
    while (sioc_http_next_response(&c->http, &r) == SIOC_OK) sioc__aws_finish(c, &r, now_ms);
    k = sioc_http_calls_pop(&c->p_calls);
    if (!k) return SIOC_AGAIN;
    *out = SIOC__CONTAINER(k, sioc_aws_call, p_track);
    return SIOC_OK;
}

SIOC_API int sioc_aws_has_finished(const sioc_aws_client *c) { return c && sioc_http_calls_pending(&c->p_calls); }

SIOC_API sioc_result sioc_aws_cancel(sioc_aws_client *c, sioc_aws_call *call) {
    if (!c || !call) return SIOC_ERR_NOT_FOUND;
    return sioc_http_calls_cancel(&c->http, &c->p_calls, &call->p_track);
}

#if SIOC_ENABLE_POSIX
#include <stdlib.h> /* getenv */

static sioc_str sioc__env(const char *name) { return sioc_str_c(getenv(name)); }

SIOC_API sioc_result sioc_aws_desc_from_env(sioc_aws_desc *desc) {
    const char *any_ep;
    if (!desc) return SIOC_ERR_ARG;
    if (!desc->region) desc->region = getenv("AWS_REGION");
    if (!desc->region || !*desc->region) desc->region = getenv("AWS_DEFAULT_REGION");
    if (desc->credentials.access_key_id.len == 0) {
        desc->credentials.access_key_id = sioc__env("AWS_ACCESS_KEY_ID");
        desc->credentials.secret_access_key = sioc__env("AWS_SECRET_ACCESS_KEY");
        desc->credentials.session_token = sioc__env("AWS_SESSION_TOKEN");
    }
    any_ep = getenv("AWS_ENDPOINT_URL");
    if (any_ep && !*any_ep) any_ep = NULL;
    if (!desc->sns_endpoint) desc->sns_endpoint = getenv("AWS_ENDPOINT_URL_SNS");
    if (!desc->sns_endpoint || !*desc->sns_endpoint) desc->sns_endpoint = any_ep;
    if (!desc->sqs_endpoint) desc->sqs_endpoint = getenv("AWS_ENDPOINT_URL_SQS");
    if (!desc->sqs_endpoint || !*desc->sqs_endpoint) desc->sqs_endpoint = any_ep;
    if (!desc->region || !*desc->region || desc->credentials.access_key_id.len == 0 ||
        desc->credentials.secret_access_key.len == 0)
        return SIOC_ERR_NOT_FOUND;
    return SIOC_OK;
}
#endif

#endif /* SIOC_ENABLE_AWS */
/* ---- src/azure.c ---- */
/* ---- azure.c ---- */

#if SIOC_ENABLE_AZURE

/* >>helpers (all static names carry sioc__az_: one translation unit in the amalgamation) */

/* Case-insensitive ASCII comparison of a view with a lower-case C string. */
static int sioc__az_name_is(sioc_str name, const char *lower) {
    size_t i, n = strlen(lower);
    if (name.len != n) return 0;
    for (i = 0; i < n; i++)
        if (sioc__to_lower((unsigned char)name.ptr[i]) != lower[i]) return 0;
    return 1;
}

static const char sioc__az_op_names[SIOC_AZURE_OP_COUNT_][20] = { /* rows: dropped with the table (sioc_node_event_name) */
    "send", "receive", "receive-and-delete", "complete", "unlock", "renew-lock", "get-topic", "create-topic",
    "get-subscription", "create-subscription", "delete-subscription"};

SIOC_API const char *sioc_azure_op_name(sioc_azure_op op) {
    return ((unsigned)op < SIOC_AZURE_OP_COUNT_) ? sioc__az_op_names[op] : "?";
}

static int sioc__az_is_lock_op(sioc_azure_op op) {
    return op == SIOC_AZURE_OP_COMPLETE || op == SIOC_AZURE_OP_UNLOCK || op == SIOC_AZURE_OP_RENEW;
}

/* docs/AZURE.md section 6. */
SIOC_API sioc_result sioc_azure_classify(sioc_azure_op op, int status, sioc_azure_error_kind *out_kind) {
    sioc_azure_error_kind k;
    sioc_result r;
    if (status >= 200 && status < 300) {
        k = SIOC_AZURE_E_NONE;
        r = SIOC_OK;
    } else if (status == 409 && (op == SIOC_AZURE_OP_CREATE_TOPIC || op == SIOC_AZURE_OP_CREATE_SUBSCRIPTION)) {
        k = SIOC_AZURE_E_CONFLICT; /* exists: the wanted state holds (Q20) */
        r = SIOC_OK;
    } else if (status == 404 && op == SIOC_AZURE_OP_DELETE_SUBSCRIPTION) {
        k = SIOC_AZURE_E_NOT_FOUND; /* already gone */
        r = SIOC_OK;
    } else if (status == 400) {
        k = SIOC_AZURE_E_BAD_REQUEST;
        r = SIOC_ERR_HTTP_STATUS;
    } else if (status == 401) {
        k = SIOC_AZURE_E_AUTH;
        r = SIOC_ERR_AUTH;
    } else if (status == 403) {
        k = op == SIOC_AZURE_OP_SEND ? SIOC_AZURE_E_TOO_LARGE : SIOC_AZURE_E_QUOTA;
        r = op == SIOC_AZURE_OP_SEND ? SIOC_ERR_TOO_LARGE : SIOC_ERR_LIMIT;
    } else if (status == 404) {
        k = sioc__az_is_lock_op(op) ? SIOC_AZURE_E_LOCK_LOST : SIOC_AZURE_E_NOT_FOUND;
        r = SIOC_ERR_NOT_FOUND;
    } else if (status == 409) {
        k = SIOC_AZURE_E_CONFLICT;
        r = SIOC_ERR_HTTP_STATUS;
    } else if (status == 410) {
        k = SIOC_AZURE_E_ENTITY_GONE;
        r = SIOC_ERR_NOT_FOUND;
    } else if (status == 429 || status == 503) {
        k = SIOC_AZURE_E_THROTTLED;
        r = SIOC_ERR_THROTTLED;
    } else if (status >= 500 && status < 600) {
        k = SIOC_AZURE_E_SERVER;
        r = SIOC_ERR_SERVER;
    } else {
        k = SIOC_AZURE_E_OTHER;
        r = SIOC_ERR_HTTP_STATUS;
    }
    if (out_kind) *out_kind = k;
    return r;
}

SIOC_API int sioc_azure_name_ok(sioc_str name) {
    size_t i;
    if (!name.ptr || name.len == 0 || name.len > SIOC_AZURE_MAX_NAME) return 0;
    for (i = 0; i < name.len; i++) {
        unsigned char ch = (unsigned char)name.ptr[i];
        if (!((ch >= 'a' && ch <= 'z') || (ch >= 'A' && ch <= 'Z') || sioc__is_digit(ch) || ch == '.' || ch == '-' ||
              ch == '_'))
            return 0;
    }
    /* "." and ".." would be path segments of another meaning */
    if ((name.len == 1 && name.ptr[0] == '.') || (name.len == 2 && name.ptr[0] == '.' && name.ptr[1] == '.')) return 0;
    return 1;
}

/* >>request pieces */

/* -?digits, the Int64 syntax of a bare custom property. */
static int sioc__az_is_int(sioc_str v) {
    size_t i = 0;
    if (v.len && v.ptr[0] == '-') i++;
    if (i == v.len || v.len - i > 19) return 0;
    for (; i < v.len; i++)
        if (!sioc__is_digit((unsigned char)v.ptr[i])) return 0;
    return 1;
}

/* A JSON-grammar number (the Double syntax), validated by the JSON reader. */
static int sioc__az_is_number(sioc_str v) {
    sioc_json d;
    sioc_json_tok t[1];
    if (v.len == 0 || v.len > 64) return 0;
    if (sioc_json_parse(&d, v.ptr, v.len, t, 1) != SIOC_OK) return 0;
    return t[0].type == SIOC_JSON_NUMBER;
}

SIOC_API sioc_result sioc_azure_write_prop_value(sioc_buf *out, const sioc_azure_prop *p) {
    size_t i;
    if (!out || !p || (p->value.len && !p->value.ptr)) return SIOC_ERR_ARG;
    switch (p->type) {
    case SIOC_AZURE_PROP_STRING:
        for (i = 0; i < p->value.len; i++) {
            unsigned char ch = (unsigned char)p->value.ptr[i];
            if (ch < 0x20 || ch >= 0x7F || ch == '"' || ch == '\\') return SIOC_ERR_ARG; /* no documented escape */
        }
        sioc_buf_putc(out, '"');
        sioc_buf_put(out, p->value.ptr, p->value.len);
        sioc_buf_putc(out, '"');
        break;
    case SIOC_AZURE_PROP_INT:
        if (!sioc__az_is_int(p->value)) return SIOC_ERR_ARG;
        sioc_buf_put(out, p->value.ptr, p->value.len);
        break;
    case SIOC_AZURE_PROP_DOUBLE:
        if (!sioc__az_is_number(p->value)) return SIOC_ERR_ARG;
        sioc_buf_put(out, p->value.ptr, p->value.len);
        break;
    case SIOC_AZURE_PROP_BOOL:
        if (!sioc_str_eq(p->value, sioc_str_c("true")) && !sioc_str_eq(p->value, sioc_str_c("false")))
            return SIOC_ERR_ARG;
        sioc_buf_put(out, p->value.ptr, p->value.len);
        break;
    default:
        return SIOC_ERR_ARG;
    }
    return sioc_buf_result(out);
}

SIOC_API sioc_result sioc_azure_write_broker_props(sioc_buf *out, const sioc_azure_send_opts *o) {
    sioc_json_writer w;
    if (!out || !o) return SIOC_ERR_ARG;
    if (!o->message_id.len && !o->time_to_live_s && !o->label.len && !o->correlation_id.len) return SIOC_OK;
    sioc_json_writer_init(&w, out);
    sioc_json_write_object_begin(&w);
    if (o->message_id.len) {
        sioc_json_write_key(&w, "MessageId", 9);
        sioc_json_write_str(&w, o->message_id.ptr, o->message_id.len);
    }
    if (o->time_to_live_s) {
        sioc_json_write_key(&w, "TimeToLive", 10);
        sioc_json_write_u64(&w, o->time_to_live_s);
    }
    if (o->label.len) {
        sioc_json_write_key(&w, "Label", 5);
        sioc_json_write_str(&w, o->label.ptr, o->label.len);
    }
    if (o->correlation_id.len) {
        sioc_json_write_key(&w, "CorrelationId", 13);
        sioc_json_write_str(&w, o->correlation_id.ptr, o->correlation_id.len);
    }
    sioc_json_write_object_end(&w);
    return sioc_buf_result(out);
}

SIOC_API void sioc_azure_write_duration(sioc_buf *out, uint32_t s) {
    uint32_t d = s / 86400, h = (s / 3600) % 24, m = (s / 60) % 60, sec = s % 60;
    sioc_buf_putc(out, 'P');
    if (d) {
        sioc_buf_put_u64(out, d);
        sioc_buf_putc(out, 'D');
    }
    if (!h && !m && !sec && d) return;
    sioc_buf_putc(out, 'T');
    if (h) {
        sioc_buf_put_u64(out, h);
        sioc_buf_putc(out, 'H');
    }
    if (m) {
        sioc_buf_put_u64(out, m);
        sioc_buf_putc(out, 'M');
    }
    if (sec || (!h && !m)) {
        sioc_buf_put_u64(out, sec);
        sioc_buf_putc(out, 'S');
    }
}

#define SIOC__AZ_NS_SB "http://schemas.microsoft.com/netservices/2010/10/servicebus/connect"
#define SIOC__AZ_NS_I "http://www.w3.org/2001/XMLSchema-instance"

static void sioc__az_entry_begin(sioc_buf *out, sioc_str updated) {
    sioc_buf_puts(out, "<?xml version=\"1.0\" encoding=\"UTF-8\" standalone=\"yes\"?>"
                       "<entry xmlns=\"http://www.w3.org/2005/Atom\">");
    if (updated.len) {
        sioc_buf_puts(out, "<updated>");
        sioc_buf_put(out, updated.ptr, updated.len);
        sioc_buf_puts(out, "</updated>");
    }
    sioc_buf_puts(out, "<content type=\"application/xml\">");
}

static void sioc__az_dur_elem(sioc_buf *out, const char *name, uint32_t s) {
    if (!s) return;
    sioc_buf_putc(out, '<');
    sioc_buf_puts(out, name);
    sioc_buf_putc(out, '>');
    sioc_azure_write_duration(out, s);
    sioc_buf_puts(out, "</");
    sioc_buf_puts(out, name);
    sioc_buf_putc(out, '>');
}

static void sioc__az_u32_elem(sioc_buf *out, const char *name, uint32_t v) {
    if (!v) return;
    sioc_buf_putc(out, '<');
    sioc_buf_puts(out, name);
    sioc_buf_putc(out, '>');
    sioc_buf_put_u64(out, v);
    sioc_buf_puts(out, "</");
    sioc_buf_puts(out, name);
    sioc_buf_putc(out, '>');
}

static int sioc__az_updated_ok(sioc_str u) {
    size_t i;
    for (i = 0; i < u.len; i++) {
        char ch = u.ptr[i];
        if (!(sioc__is_digit((unsigned char)ch) || ch == '-' || ch == ':' || ch == '.' || ch == 'T' || ch == 'Z' ||
              ch == '+'))
            return 0;
    }
    return 1;
}

/* The element names and their order are the service's (docs/AZURE.md 5.2): misordered values are ignored by it. */
SIOC_API sioc_result sioc_azure_write_topic_entry(sioc_buf *out, const sioc_azure_topic_opts *o) {
    sioc_azure_topic_opts none;
    if (!out) return SIOC_ERR_ARG;
    if (!o) {
        memset(&none, 0, sizeof none);
        o = &none;
    }
    if (!sioc__az_updated_ok(o->updated)) return SIOC_ERR_ARG;
    sioc__az_entry_begin(out, o->updated);
    sioc_buf_puts(out, "<TopicDescription xmlns=\"" SIOC__AZ_NS_SB "\" xmlns:i=\"" SIOC__AZ_NS_I "\"");
    if (!o->default_ttl_s && !o->max_size_mb && !o->auto_delete_on_idle_s) {
        sioc_buf_puts(out, "/>");
    } else {
        sioc_buf_putc(out, '>');
        sioc__az_dur_elem(out, "DefaultMessageTimeToLive", o->default_ttl_s);
        sioc__az_u32_elem(out, "MaxSizeInMegabytes", o->max_size_mb);
        sioc__az_dur_elem(out, "AutoDeleteOnIdle", o->auto_delete_on_idle_s);
        sioc_buf_puts(out, "</TopicDescription>");
    }
    sioc_buf_puts(out, "</content></entry>");
    return sioc_buf_result(out);
}

SIOC_API sioc_result sioc_azure_write_subscription_entry(sioc_buf *out, const sioc_azure_sub_opts *o) {
    sioc_azure_sub_opts none;
    if (!out) return SIOC_ERR_ARG;
    if (!o) {
        memset(&none, 0, sizeof none);
        o = &none;
    }
    if (!sioc__az_updated_ok(o->updated)) return SIOC_ERR_ARG;
    sioc__az_entry_begin(out, o->updated);
    sioc_buf_puts(out, "<SubscriptionDescription xmlns=\"" SIOC__AZ_NS_SB "\" xmlns:i=\"" SIOC__AZ_NS_I "\"");
    if (!o->lock_duration_s && !o->default_ttl_s && !o->max_delivery_count && !o->auto_delete_on_idle_s) {
        sioc_buf_puts(out, "/>");
    } else {
        sioc_buf_putc(out, '>');
        sioc__az_dur_elem(out, "LockDuration", o->lock_duration_s);
        sioc__az_dur_elem(out, "DefaultMessageTimeToLive", o->default_ttl_s);
        sioc__az_u32_elem(out, "MaxDeliveryCount", o->max_delivery_count);
        sioc__az_dur_elem(out, "AutoDeleteOnIdle", o->auto_delete_on_idle_s);
        sioc_buf_puts(out, "</SubscriptionDescription>");
    }
    sioc_buf_puts(out, "</content></entry>");
    return sioc_buf_result(out);
}

SIOC_API sioc_result sioc_azure_subscription_name(sioc_buf *out, sioc_str prefix, uint64_t id) {
    static const char hex[] = "0123456789abcdef";
    char name[SIOC_AZURE_MAX_NAME + 1];
    int i;
    if (!out || !prefix.ptr || prefix.len == 0 || prefix.len + 17 > SIOC_AZURE_MAX_NAME) return SIOC_ERR_ARG;
    memcpy(name, prefix.ptr, prefix.len);
    name[prefix.len] = '-';
    for (i = 0; i < 16; i++) name[prefix.len + 1 + (size_t)i] = hex[(id >> (60 - 4 * i)) & 15];
    if (!sioc_azure_name_ok(sioc_str_n(name, prefix.len + 17))) return SIOC_ERR_ARG;
    sioc_buf_put(out, name, prefix.len + 17);
    return sioc_buf_result(out);
}

/* >>response parsers */

SIOC_API sioc_result sioc_azure_parse_prop_value(sioc_str raw, sioc_buf *scratch, sioc_azure_prop_type *out_type,
                                                 sioc_str *out_value) {
    if (!out_type || !out_value || (raw.len && !raw.ptr)) return SIOC_ERR_ARG;
    out_value->ptr = "";
    out_value->len = 0;
    if (raw.len >= 2 && raw.ptr[0] == '"' && raw.ptr[raw.len - 1] == '"') {
        sioc_str inner = sioc_str_n(raw.ptr + 1, raw.len - 2);
        *out_type = SIOC_AZURE_PROP_STRING;
        if (!memchr(inner.ptr, '\\', inner.len)) {
            if (memchr(inner.ptr, '"', inner.len)) return SIOC_ERR_PARSE;
            *out_value = inner;
            return SIOC_OK;
        }
        {
            /* JSON-style escapes (\", \\, \uXXXX): the quoted value is a JSON string */
            sioc_json d;
            sioc_json_tok t[1];
            size_t start, n = 0;
            char *p;
            sioc_result r = sioc_json_parse(&d, raw.ptr, raw.len, t, 1);
            if (r != SIOC_OK || t[0].type != SIOC_JSON_STRING) return SIOC_ERR_PARSE;
            start = scratch ? scratch->len : 0;
            p = (char *)sioc_buf_reserve(scratch, inner.len + 1); /* unescaping never grows the text */
            if (!p) return SIOC_ERR_BUFFER_TOO_SMALL;
            r = sioc_json_get_str(&d, 0, p, inner.len + 1, &n);
            if (r != SIOC_OK) {
                scratch->len = start;
                return r == SIOC_ERR_BUFFER_TOO_SMALL ? SIOC_ERR_PARSE : r;
            }
            scratch->len = start + n + 1;
            out_value->ptr = p;
            out_value->len = n;
            return SIOC_OK;
        }
    }
    *out_value = raw;
    if (sioc_str_eq(raw, sioc_str_c("true")) || sioc_str_eq(raw, sioc_str_c("false"))) {
        *out_type = SIOC_AZURE_PROP_BOOL;
        return SIOC_OK;
    }
    if (sioc__az_is_int(raw)) {
        *out_type = SIOC_AZURE_PROP_INT;
        return SIOC_OK;
    }
    if (sioc__az_is_number(raw)) {
        *out_type = SIOC_AZURE_PROP_DOUBLE;
        return SIOC_OK;
    }
    out_value->ptr = "";
    return SIOC_ERR_PARSE;
}

#define SIOC__AZ_BP_TOKENS 64 /* BrokerProperties has about a dozen keys */

static sioc_result sioc__az_jstr(const sioc_json *d, int obj, const char *key, sioc_buf *scratch, sioc_str *out) {
    int t = sioc_json_find(d, obj, key);
    size_t n = 0, start;
    char *p;
    sioc_result r;
    out->ptr = "";
    out->len = 0;
    if (t < 0 || sioc_json_is_null(d, t)) return SIOC_OK;
    if (sioc_json_type_of(d, t) != SIOC_JSON_STRING) return SIOC_ERR_TYPE;
    if (!d->toks[t].escaped) {
        *out = sioc_json_raw(d, t);
        return SIOC_OK;
    }
    start = scratch ? scratch->len : 0;
    p = (char *)sioc_buf_reserve(scratch, d->toks[t].len + 1);
    if (!p) return SIOC_ERR_BUFFER_TOO_SMALL;
    r = sioc_json_get_str(d, t, p, d->toks[t].len + 1, &n);
    if (r != SIOC_OK) {
        scratch->len = start;
        return r;
    }
    scratch->len = start + n + 1;
    out->ptr = p;
    out->len = n;
    return SIOC_OK;
}

static sioc_result sioc__az_jint(const sioc_json *d, int obj, const char *key, int64_t *out) {
    int t = sioc_json_find(d, obj, key);
    *out = 0;
    if (t < 0 || sioc_json_is_null(d, t)) return SIOC_OK;
    return sioc_json_get_i64(d, t, out);
}

#if !SIOC_ENABLE_FLOAT
/* SIOC_ENABLE_FLOAT 0: a JSON number of seconds (valid syntax, checked by the parser) as its whole seconds, the
   fraction dropped, built straight into a double's bits: no double arithmetic is linked. SIOC_ERR_RANGE from
   10^18 up. */
static sioc_result sioc__az_whole_seconds(sioc_str t, double *out) {
    uint64_t v = 0, bits = 0;
    size_t i = 0, k;
    long e = 0, shift;
    int neg = t.len && t.ptr[0] == '-', p = 63;
    const char *dot;
    i = (size_t)neg;
    for (k = i; k < t.len && t.ptr[k] != 'e' && t.ptr[k] != 'E'; k++) {
    }
    if (k + 1 < t.len) { /* the exponent */
        size_t x = k + 1 + (t.ptr[k + 1] == '+' || t.ptr[k + 1] == '-');
        for (; x < t.len && e < 100; x++) e = e * 10 + (t.ptr[x] - '0');
        if (t.ptr[k + 1] == '-') e = -e;
    }
    dot = (const char *)memchr(t.ptr + i, '.', k - i);
    shift = (long)((dot ? (size_t)(dot - t.ptr) : k) - i) + e; /* digits left of the point once scaled */
    for (; i < k && shift > 0; i++) {
        if (t.ptr[i] == '.') continue;
        if (v >= 100000000000000000ull) return SIOC_ERR_RANGE;
        v = v * 10u + (uint64_t)(t.ptr[i] - '0');
        shift--;
    }
    for (; shift > 0; shift--) { /* an exponent beyond the digits */
        if (v >= 100000000000000000ull) return SIOC_ERR_RANGE;
        v *= 10u;
    }
    if (v) {
        while (!(v >> p)) p--;
        bits = ((uint64_t)(p + 1023) << 52) | ((p <= 52 ? v << (52 - p) : v >> (p - 52)) & 0xFFFFFFFFFFFFFull);
    }
    if (neg) bits |= 1ull << 63;
    memcpy(out, &bits, sizeof *out);
    return SIOC_OK;
}
#endif

SIOC_API sioc_result sioc_azure_parse_broker_props(const char *json, size_t len, sioc_buf *scratch,
                                                   sioc_azure_broker_props *out) {
    sioc_json d;
    sioc_json_tok toks[SIOC__AZ_BP_TOKENS];
    sioc_result r;
    int ttl;
    if (!out || (len && !json)) return SIOC_ERR_ARG;
    memset(out, 0, sizeof *out);
    r = sioc_json_parse(&d, json ? json : "", len, toks, SIOC__AZ_BP_TOKENS);
    if (r == SIOC_ERR_BUFFER_TOO_SMALL) return SIOC_ERR_LIMIT;
    if (r != SIOC_OK) return r;
    if (sioc_json_type_of(&d, 0) != SIOC_JSON_OBJECT) return SIOC_ERR_PARSE;
    if ((r = sioc__az_jstr(&d, 0, "MessageId", scratch, &out->message_id)) != SIOC_OK) return r;
    if ((r = sioc__az_jstr(&d, 0, "LockToken", scratch, &out->lock_token)) != SIOC_OK) return r;
    if ((r = sioc__az_jstr(&d, 0, "EnqueuedTimeUtc", scratch, &out->enqueued_time)) != SIOC_OK) return r;
    if ((r = sioc__az_jstr(&d, 0, "LockedUntilUtc", scratch, &out->locked_until)) != SIOC_OK) return r;
    if ((r = sioc__az_jstr(&d, 0, "Label", scratch, &out->label)) != SIOC_OK) return r;
    if ((r = sioc__az_jstr(&d, 0, "CorrelationId", scratch, &out->correlation_id)) != SIOC_OK) return r;
    if ((r = sioc__az_jint(&d, 0, "SequenceNumber", &out->sequence_number)) != SIOC_OK) return r;
    if ((r = sioc__az_jint(&d, 0, "DeliveryCount", &out->delivery_count)) != SIOC_OK) return r;
    ttl = sioc_json_find(&d, 0, "TimeToLive");
    if (ttl >= 0 && !sioc_json_is_null(&d, ttl)) {
#if SIOC_ENABLE_FLOAT
        r = sioc_json_get_f64(&d, ttl, &out->time_to_live_s);
#else
        r = SIOC_ERR_TYPE;
        if (sioc_json_type_of(&d, ttl) == SIOC_JSON_NUMBER)
            r = sioc__az_whole_seconds(sioc_json_raw(&d, ttl), &out->time_to_live_s);
#endif
        if (r != SIOC_OK) return r == SIOC_ERR_RANGE ? SIOC_ERR_RANGE : SIOC_ERR_TYPE;
    }
    return SIOC_OK;
}

SIOC_API sioc_result sioc_azure_url_path(sioc_str url, sioc_str *out) {
    size_t i = 0;
    if (!out || !url.ptr) return SIOC_ERR_ARG;
    if (url.len && url.ptr[0] == '/') {
        *out = url;
    } else {
        if (url.len > 8 && memcmp(url.ptr, "https://", 8) == 0)
            i = 8;
        else if (url.len > 7 && memcmp(url.ptr, "http://", 7) == 0)
            i = 7;
        else
            return SIOC_ERR_PARSE;
        while (i < url.len && url.ptr[i] != '/') {
            if (url.ptr[i] == '?' || url.ptr[i] == '#' || url.ptr[i] == '@') return SIOC_ERR_PARSE;
            i++;
        }
        if (i == url.len) return SIOC_ERR_PARSE;
        *out = sioc_str_n(url.ptr + i, url.len - i);
    }
    for (i = 0; i < out->len; i++) { /* a request target: no blanks, controls, fragments */
        unsigned char ch = (unsigned char)out->ptr[i];
        if (ch <= 0x20 || ch >= 0x7F || ch == '#') return SIOC_ERR_PARSE;
    }
    return SIOC_OK;
}

/* Response headers that are never custom properties (lower case). */
static int sioc__az_standard_header(sioc_str n) {
    static const char *const names[] = {
        "date", "server", "content-length", "content-type", "transfer-encoding", "connection", "keep-alive",
        "location", "brokerproperties", "strict-transport-security", "retry-after", "etag", "cache-control",
        "vary", "expires", "pragma", "trailer", "via", "set-cookie", "x-powered-by", "content-encoding",
        "access-control-allow-origin", "age", "last-modified", "www-authenticate", NULL};
    size_t i;
    for (i = 0; names[i]; i++)
        if (sioc__az_name_is(n, names[i])) return 1;
    return n.len > 5 && sioc__az_name_is(sioc_str_n(n.ptr, 5), "x-ms-");
}

SIOC_API sioc_result sioc_azure_parse_message(const sioc_http_header *h, size_t n, sioc_bytes body,
                                              sioc_buf *scratch, sioc_azure_message *out) {
    size_t i;
    sioc_result r;
    if (!out || (n && !h)) return SIOC_ERR_ARG;
    memset(out, 0, sizeof *out);
    out->body = body;
    out->location.ptr = out->lock_path.ptr = out->content_type.ptr = "";
    for (i = 0; i < n; i++) {
        sioc_str name = h[i].name, v = h[i].value;
        if (!name.ptr || (v.len && !v.ptr)) return SIOC_ERR_ARG;
        if (!v.ptr) v.ptr = "";
        if (sioc__az_name_is(name, "brokerproperties")) {
            r = sioc_azure_parse_broker_props(v.ptr, v.len, scratch, &out->broker);
            if (r != SIOC_OK) return r;
        } else if (sioc__az_name_is(name, "location")) {
            out->location = v;
            r = sioc_azure_url_path(v, &out->lock_path);
            if (r != SIOC_OK) return r;
        } else if (sioc__az_name_is(name, "content-type")) {
            out->content_type = v;
        } else if (!sioc__az_standard_header(name)) {
            sioc_azure_prop p;
            p.name = name;
            if (sioc_azure_parse_prop_value(v, scratch, &p.type, &p.value) != SIOC_OK) continue; /* not a property */
            if (p.type == SIOC_AZURE_PROP_STRING) {
                /* the adapter's properties; first one wins on duplicates */
                if (sioc__az_name_is(name, "nsp") && !out->env.nsp.ptr) out->env.nsp = p.value;
                if (sioc__az_name_is(name, "uid") && !out->env.uid.ptr) out->env.uid = p.value;
                if (sioc__az_name_is(name, "requesteruid") && !out->env.requester_uid.ptr)
                    out->env.requester_uid = p.value;
            }
            if (out->prop_count < SIOC_AZURE_MAX_PROPS)
                out->props[out->prop_count++] = p;
            else
                out->props_dropped++;
        }
    }
    return SIOC_OK;
}

SIOC_API size_t sioc_azure_props_from_env(const sioc_msg_envelope *env, sioc_azure_prop out[3]) {
    size_t n = 0;
    if (!env || !out) return 0;
    out[n].name = sioc_str_c("nsp");
    out[n].type = SIOC_AZURE_PROP_STRING;
    out[n++].value = env->nsp;
    out[n].name = sioc_str_c("uid");
    out[n].type = SIOC_AZURE_PROP_STRING;
    out[n++].value = env->uid;
    if (env->requester_uid.ptr && env->requester_uid.len) {
        out[n].name = sioc_str_c("requesterUid");
        out[n].type = SIOC_AZURE_PROP_STRING;
        out[n++].value = env->requester_uid;
    }
    return n;
}

static int sioc__az_parse_uint(sioc_str s, uint32_t *out) {
    size_t i;
    uint64_t v = 0;
    while (s.len && (s.ptr[0] == ' ' || s.ptr[0] == '\t')) s.ptr++, s.len--;
    while (s.len && (s.ptr[s.len - 1] == ' ' || s.ptr[s.len - 1] == '\t')) s.len--;
    if (s.len == 0 || s.len > 9) return 0;
    for (i = 0; i < s.len; i++) {
        if (!sioc__is_digit((unsigned char)s.ptr[i])) return 0;
        v = v * 10 + (uint64_t)(s.ptr[i] - '0');
    }
    *out = (uint32_t)v;
    return 1;
}

SIOC_API sioc_result sioc_azure_parse_error(const char *xml, size_t len, sioc_azure_error *out) {
    sioc_str raw;
    char text[192];
    size_t n = 0;
    uint32_t v;
    if (!out) return SIOC_ERR_ARG;
    out->code = out->sub_code = 0;
    out->detail[0] = 0;
    if (!xml || sioc_xml_find(xml, len, "Error", &raw) != SIOC_OK) return SIOC_ERR_NOT_FOUND;
    if (sioc_xml_find_in(raw, "Code", &raw) == SIOC_OK && sioc_xml_text(raw, text, sizeof text, &n) == SIOC_OK &&
        sioc__az_parse_uint(sioc_str_n(text, n), &v))
        out->code = (int)v;
    if (sioc_xml_find(xml, len, "Error/Detail", &raw) == SIOC_OK) {
        sioc_result r = sioc_xml_text(raw, text, sizeof text, &n);
        const char *sc;
        if (r == SIOC_ERR_BUFFER_TOO_SMALL) n = sizeof text - 1, r = SIOC_OK;
        if (r == SIOC_OK) {
            sioc__copy_fixed(out->detail, sizeof out->detail, sioc_str_n(text, n));
            for (sc = out->detail; *sc && !sioc__starts(sc, "SubCode="); sc++) {} /* strstr: +1 KB on newlib */
            if (*sc) {
                size_t k = 8;
                uint64_t s = 0;
                while (sioc__is_digit((unsigned char)sc[k]) && k < 16) s = s * 10 + (uint64_t)(sc[k++] - '0');
                out->sub_code = (int)s;
            }
        }
    }
    return SIOC_OK;
}

SIOC_API int sioc_azure_atom_has_entry(const char *xml, size_t len) {
    sioc_str raw;
    if (!xml || !len) return 0;
    if (sioc_xml_find(xml, len, "entry", &raw) == SIOC_OK) return 1;
    return 0;
}

/* >>the client */


SIOC_API sioc_result sioc_azure_client_init(sioc_azure_client *c, const sioc_azure_desc *desc) {
    size_t len;
    sioc_result r;
    const char *why = NULL; /* for c->detail */
    if (!c || !desc) return SIOC_ERR_ARG;
    memset(c, 0, sizeof *c);
    if (!desc->connection_string || !desc->utc_now) {
        sioc__detail_set(c->detail, sizeof c->detail, "azure desc: ",
                         !desc->connection_string ? "connection_string missing" : "utc_now missing", NULL);
        return !desc->connection_string ? SIOC_ERR_ARG : SIOC_ERR_DEPENDENCY;
    }
    len = strlen(desc->connection_string);
    if (len >= sizeof c->p_cs) {
        sioc__detail_set(c->detail, sizeof c->detail, "connection string longer than SIOC_AZURE_MAX_CONNSTR", NULL,
                         NULL);
        return SIOC_ERR_LIMIT;
    }
    memcpy(c->p_cs, desc->connection_string, len + 1);
    c->p_desc = *desc;
    c->p_desc.connection_string = c->p_cs;
    c->p_desc.rest_url = NULL; /* parsed below; not kept */
    if (!c->p_desc.timeout_ms) c->p_desc.timeout_ms = 30000;
    if (!c->p_desc.token_lifetime_s) c->p_desc.token_lifetime_s = SIOC_SAS_DEFAULT_LIFETIME;
    r = sioc_sas_parse_connection_string(sioc_str_n(c->p_cs, len), &c->p_conn);
    if (r != SIOC_OK) {
        why = c->p_conn.detail;
        goto fail;
    }
    if (c->p_conn.signature.len) {
        if (c->p_conn.signature.len >= sizeof c->p_token) {
            why = "connection string: SharedAccessSignature longer than SIOC_AZURE_MAX_TOKEN";
            r = SIOC_ERR_LIMIT;
            goto fail;
        }
        memcpy(c->p_token, c->p_conn.signature.ptr, c->p_conn.signature.len);
        c->p_token_len = c->p_conn.signature.len;
        c->p_token_expiry = c->p_conn.signature_expiry;
        c->p_fixed_token = 1;
    }
    if (desc->rest_url) {
        r = sioc_http_parse_origin(desc->rest_url, c->p_host, &c->p_port, &c->p_tls);
        why = "rest_url: expected http[s]://host[:port] without a path";
    } else {
        /* Real Service Bus is HTTPS only (docs/AZURE.md 2): https://<Endpoint host>/ */
        if (c->p_conn.host.len == 0 || c->p_conn.host.len > SIOC_HTTP_MAX_HOST || c->p_conn.host.ptr[0] == '[') {
            why = "connection string: an IPv6 Endpoint host needs rest_url";
            r = SIOC_ERR_ARG;
            goto fail;
        }
        memcpy(c->p_host, c->p_conn.host.ptr, c->p_conn.host.len);
        c->p_host[c->p_conn.host.len] = 0;
        c->p_port = 443;
        c->p_tls = 1;
        r = SIOC_OK;
    }
    if (r != SIOC_OK) goto fail;
#if SIOC_ENABLE_POSIX && SIOC_TLS != SIOC_TLS_NONE
    {
        sioc_http_client_desc hd = sioc_posix_http_defaults(&desc->http); /* https without configuration */
        r = sioc_http_client_init(&c->http, &hd);
    }
#else
    r = sioc_http_client_init(&c->http, &desc->http);
#endif
    why = c->http.detail;
    if (r != SIOC_OK) goto fail;
    r = sioc_http_endpoint(&c->http, c->p_host, c->p_port, c->p_tls, &c->p_http_ep);
    if (r != SIOC_OK) {
        sioc_http_client_free(&c->http);
        goto fail;
    }
    return SIOC_OK;
fail: {
    char text[SIOC_DETAIL_SIZE];
    sioc__detail_set(text, sizeof text, why ? why : sioc_strerror(r), NULL, NULL); /* `why` may point into c */
    memset(c, 0, sizeof *c); /* wipe the key copy */
    memcpy(c->detail, text, sizeof text);
    return r;
}
}

SIOC_API void sioc_azure_client_free(sioc_azure_client *c) {
    if (!c) return;
    sioc_http_client_free(&c->http);
    memset(c->p_cs, 0, sizeof c->p_cs);
    memset(c->p_token, 0, sizeof c->p_token);
    memset(&c->p_conn, 0, sizeof c->p_conn);
}

SIOC_API sioc_result sioc_azure_set_token(sioc_azure_client *c, sioc_str token) {
    sioc_sas_token_view v;
    sioc_result r;
    if (!c) return SIOC_ERR_ARG;
    r = sioc_sas_parse_token(token, &v);
    if (r != SIOC_OK) return r;
    if (token.len >= sizeof c->p_token) return SIOC_ERR_LIMIT;
    memcpy(c->p_token, token.ptr, token.len);
    c->p_token_len = token.len;
    c->p_token_expiry = v.se;
    c->p_fixed_token = 1;
    return SIOC_OK;
}

/* One token for https://<namespace host>/ covers every entity (docs/AZURE.md 3); renewed at 3/4 of its life. */
static sioc_result sioc__az_token(sioc_azure_client *c) {
    int64_t now, life;
    char uri[SIOC_HTTP_MAX_HOST + 16];
    sioc_sas_params p;
    sioc_buf b;
    sioc_result r;
    if (c->p_fixed_token) return SIOC_OK;
    now = c->p_desc.utc_now(c->p_desc.user);
    life = (int64_t)c->p_desc.token_lifetime_s;
    if (c->p_token_len && !sioc_sas_should_renew(now, c->p_token_expiry, life)) return SIOC_OK;
    sioc_buf_init(&b, uri, sizeof uri);
    sioc_buf_puts(&b, "https://");
    sioc_buf_put(&b, c->p_conn.host.ptr, c->p_conn.host.len);
    sioc_buf_putc(&b, '/');
    if (sioc_buf_result(&b) != SIOC_OK) return SIOC_ERR_ARG;
    memset(&p, 0, sizeof p);
    p.resource_uri = sioc_str_n(uri, b.len);
    p.key_name = c->p_conn.key_name;
    p.key = c->p_conn.key;
    p.expiry = now + life;
    p.style = SIOC_SAS_CASE_PRESERVING;
    sioc_buf_init(&b, c->p_token, sizeof c->p_token);
    r = sioc_sas_token(&p, &b);
    if (r != SIOC_OK) {
        c->p_token_len = 0;
        return r;
    }
    c->p_token_len = b.len;
    c->p_token_expiry = p.expiry;
    c->stats.tokens_made++;
    return SIOC_OK;
}

static void sioc__az_log(sioc_azure_client *c, sioc_log_level level, const sioc_azure_call *call, const char *what) {
#if SIOC_ENABLE_LOG
    char line[200];
    sioc_buf b;
    const sioc_logger *lg = &c->p_desc.http.logger;
    if (!lg->fn || level > lg->max_level) return;
    /* operation, status and the service's code only: never keys or tokens */
    sioc_buf_init(&b, line, sizeof line - 1);
    sioc_buf_puts(&b, "Service Bus ");
    sioc_buf_puts(&b, sioc_azure_op_name(call->op));
    sioc_buf_puts(&b, ": ");
    sioc_buf_puts(&b, what);
    if (call->status) {
        sioc_buf_puts(&b, " HTTP ");
        sioc_buf_put_u64(&b, (uint64_t)call->status);
    }
    if (call->error.sub_code) {
        sioc_buf_puts(&b, " SubCode ");
        sioc_buf_put_u64(&b, (uint64_t)call->error.sub_code);
    }
    line[SIOC__MIN(b.len, sizeof line - 1)] = 0;
    lg->fn(lg->user, level, line);
#else
    (void)c, (void)level, (void)call, (void)what;
#endif
}

/* Submit one request with the Authorization header added. `hdrs` has room for one more header at the end. */
static sioc_result sioc__az_submit(sioc_azure_client *c, sioc_azure_call *call, sioc_azure_op op,
                                   const char *method, const char *target, sioc_http_header *hdrs, size_t n_hdrs,
                                   size_t body_len, uint32_t timeout_floor_ms, uint64_t now_ms) {
    uint32_t id = 0;
    sioc_http_request req;
    sioc_result r;
    r = sioc__az_token(c);
    if (r != SIOC_OK) return r;
    hdrs[n_hdrs].name = sioc_str_c("Authorization");
    hdrs[n_hdrs].value = sioc_str_n(c->p_token, c->p_token_len);
    n_hdrs++;
    memset(&req, 0, sizeof req);
    req.method = method;
    req.target = target;
    req.headers = hdrs;
    req.header_count = n_hdrs;
    req.body = body_len ? call->body_mem : NULL;
    req.body_len = body_len;
    req.timeout_ms = SIOC__MAX(call->timeout_ms ? call->timeout_ms : c->p_desc.timeout_ms, timeout_floor_ms);
    /* a send whose connection died may have been accepted: re-sending duplicates (tolerated by the protocol);
       receives lock a message only once answered, settles are idempotent */
    req.idempotent = 1;
    req.tag = call;
    req.body_out = call->reply_mem;
    req.body_out_cap = call->reply_cap;
    call->op = op;
    call->result = SIOC_AGAIN;
    call->status = 0;
    call->reply.ptr = NULL;
    call->reply.len = 0;
    memset(&call->error, 0, sizeof call->error);
    call->existed = 0;
    call->has_message = 0;
    call->detail[0] = 0;
    memset(&call->msg, 0, sizeof call->msg);
    r = sioc_http_submit(&c->http, c->p_http_ep, &req, now_ms, &id);
    if (r != SIOC_OK) {
        sioc__detail_set(call->detail, sizeof call->detail, "Service Bus ", sioc_azure_op_name(op),
                         r == SIOC_ERR_LIMIT ? ": every request slot is busy (http.max_requests)" : ": not submitted");
        return r;
    }
    sioc_http_calls_sent(&c->p_calls, &call->p_track, id);
    c->stats.calls++;
    return SIOC_OK;
}

#define SIOC__AZ_TARGET_MAX 512

static sioc_result sioc__az_check(sioc_azure_client *c, sioc_azure_call *call) {
    if (!c || !call) return SIOC_ERR_ARG;
    if (sioc_http_calls_busy(&call->p_track)) return SIOC_ERR_STATE;
    return SIOC_OK;
}

SIOC_API sioc_result sioc_azure_send(sioc_azure_client *c, sioc_azure_call *call, sioc_str topic, sioc_bytes body,
                                     const sioc_azure_prop *props, size_t n_props, const sioc_azure_send_opts *opts,
                                     uint64_t now_ms) {
    char target[SIOC__AZ_TARGET_MAX], vals[SIOC_AZURE_META_SIZE];
    sioc_http_header hdrs[SIOC_AZURE_MAX_PROPS + 3];
    sioc_buf t, v;
    size_t i, nh = 0, total;
    sioc_result r = sioc__az_check(c, call);
    if (r != SIOC_OK) return r;
    if (!sioc_azure_name_ok(topic) || (body.len && !body.ptr) || (n_props && !props) ||
        n_props > SIOC_AZURE_MAX_PROPS)
        return n_props > SIOC_AZURE_MAX_PROPS ? SIOC_ERR_LIMIT : SIOC_ERR_ARG;
    total = body.len;
    for (i = 0; i < n_props; i++) total += props[i].name.len + props[i].value.len;
    if (total > SIOC_AZURE_MAX_MESSAGE_SIZE) return SIOC_ERR_TOO_LARGE;
    if (body.len > call->body_cap || (body.len && !call->body_mem)) return SIOC_ERR_BUFFER_TOO_SMALL;
    sioc_buf_init(&t, target, sizeof target);
    sioc_buf_putc(&t, '/');
    sioc_buf_put(&t, topic.ptr, topic.len);
    sioc_buf_puts(&t, "/messages");
    sioc_buf_putc(&t, 0);
    hdrs[nh].name = sioc_str_c("Content-Type");
    hdrs[nh++].value = sioc_str_c("application/octet-stream");
    /* header values go one after the other into vals; a view is taken once each is complete */
    sioc_buf_init(&v, vals, sizeof vals);
    if (opts) {
        size_t start = v.len;
        r = sioc_azure_write_broker_props(&v, opts);
        if (r != SIOC_OK) return r;
        if (v.len > start) {
            hdrs[nh].name = sioc_str_c("BrokerProperties");
            hdrs[nh++].value = sioc_str_n(vals + start, v.len - start);
        }
    }
    for (i = 0; i < n_props; i++) {
        size_t start = v.len;
        if (!props[i].name.ptr || props[i].name.len == 0) return SIOC_ERR_ARG;
        r = sioc_azure_write_prop_value(&v, &props[i]);
        if (r == SIOC_ERR_BUFFER_TOO_SMALL) return SIOC_ERR_LIMIT;
        if (r != SIOC_OK) return r;
        hdrs[nh].name = props[i].name; /* the engine refuses names that are not tokens */
        hdrs[nh++].value = sioc_str_n(vals + start, v.len - start);
    }
    if (body.len && body.ptr != (const uint8_t *)call->body_mem) memmove(call->body_mem, body.ptr, body.len);
    return sioc__az_submit(c, call, SIOC_AZURE_OP_SEND, "POST", target, hdrs, nh, body.len, 0, now_ms);
}

static sioc_result sioc__az_head(sioc_azure_client *c, sioc_azure_call *call, sioc_azure_op op, const char *method,
                                 sioc_str topic, sioc_str sub, int timeout_s, uint64_t now_ms) {
    char target[SIOC__AZ_TARGET_MAX];
    sioc_http_header hdrs[1];
    sioc_buf t;
    sioc_result r = sioc__az_check(c, call);
    if (r != SIOC_OK) return r;
    if (!sioc_azure_name_ok(topic) || !sioc_azure_name_ok(sub)) return SIOC_ERR_ARG;
    if (timeout_s < 0 || timeout_s > SIOC_AZURE_MAX_TIMEOUT_S) return SIOC_ERR_RANGE;
    sioc_buf_init(&t, target, sizeof target);
    sioc_buf_putc(&t, '/');
    sioc_buf_put(&t, topic.ptr, topic.len);
    sioc_buf_puts(&t, "/subscriptions/");
    sioc_buf_put(&t, sub.ptr, sub.len);
    sioc_buf_puts(&t, "/messages/head?timeout=");
    sioc_buf_put_u64(&t, (uint64_t)timeout_s);
    sioc_buf_putc(&t, 0);
    /* the HTTP deadline must outlast the server's long poll */
    return sioc__az_submit(c, call, op, method, target, hdrs, 0, 0, (uint32_t)timeout_s * 1000u + 10000u, now_ms);
}

SIOC_API sioc_result sioc_azure_receive(sioc_azure_client *c, sioc_azure_call *call, sioc_str topic, sioc_str sub,
                                        int timeout_s, uint64_t now_ms) {
    return sioc__az_head(c, call, SIOC_AZURE_OP_RECEIVE, "POST", topic, sub, timeout_s, now_ms);
}

SIOC_API sioc_result sioc_azure_receive_and_delete(sioc_azure_client *c, sioc_azure_call *call, sioc_str topic,
                                                   sioc_str sub, int timeout_s, uint64_t now_ms) {
    return sioc__az_head(c, call, SIOC_AZURE_OP_RECEIVE_DELETE, "DELETE", topic, sub, timeout_s, now_ms);
}

static sioc_result sioc__az_settle(sioc_azure_client *c, sioc_azure_call *call, sioc_azure_op op,
                                   const char *method, sioc_str lock_path, uint64_t now_ms) {
    char target[SIOC__AZ_TARGET_MAX];
    sioc_http_header hdrs[1];
    sioc_str path;
    sioc_result r = sioc__az_check(c, call);
    if (r != SIOC_OK) return r;
    if (sioc_azure_url_path(lock_path, &path) != SIOC_OK || path.len >= sizeof target) return SIOC_ERR_ARG;
    memcpy(target, path.ptr, path.len);
    target[path.len] = 0;
    return sioc__az_submit(c, call, op, method, target, hdrs, 0, 0, 0, now_ms);
}

SIOC_API sioc_result sioc_azure_complete(sioc_azure_client *c, sioc_azure_call *call, sioc_str lock_path,
                                         uint64_t now_ms) {
    return sioc__az_settle(c, call, SIOC_AZURE_OP_COMPLETE, "DELETE", lock_path, now_ms);
}
SIOC_API sioc_result sioc_azure_unlock(sioc_azure_client *c, sioc_azure_call *call, sioc_str lock_path,
                                       uint64_t now_ms) {
    return sioc__az_settle(c, call, SIOC_AZURE_OP_UNLOCK, "PUT", lock_path, now_ms);
}
SIOC_API sioc_result sioc_azure_renew_lock(sioc_azure_client *c, sioc_azure_call *call, sioc_str lock_path,
                                           uint64_t now_ms) {
    return sioc__az_settle(c, call, SIOC_AZURE_OP_RENEW, "POST", lock_path, now_ms);
}

/* ATOM: /{topic}[/Subscriptions/{sub}]?api-version=2021-05 */
static sioc_result sioc__az_atom(sioc_azure_client *c, sioc_azure_call *call, sioc_azure_op op, const char *method,
                                 sioc_str topic, const sioc_str *sub, size_t body_len, uint64_t now_ms) {
    char target[SIOC__AZ_TARGET_MAX];
    sioc_http_header hdrs[2];
    size_t nh = 0;
    sioc_buf t;
    sioc_buf_init(&t, target, sizeof target);
    sioc_buf_putc(&t, '/');
    sioc_buf_put(&t, topic.ptr, topic.len);
    if (sub) {
        sioc_buf_puts(&t, "/Subscriptions/");
        sioc_buf_put(&t, sub->ptr, sub->len);
    }
    sioc_buf_puts(&t, "?api-version=" SIOC_AZURE_API_VERSION);
    sioc_buf_putc(&t, 0);
    if (sioc__strcmp(method, "PUT") == 0) {
        hdrs[nh].name = sioc_str_c("Content-Type");
        hdrs[nh++].value = sioc_str_c("application/atom+xml;type=entry;charset=utf-8");
    }
    return sioc__az_submit(c, call, op, method, target, hdrs, nh, body_len, 0, now_ms);
}

static sioc_result sioc__az_names(sioc_azure_client *c, sioc_azure_call *call, sioc_str topic, const sioc_str *sub) {
    sioc_result r = sioc__az_check(c, call);
    if (r != SIOC_OK) return r;
    if (!sioc_azure_name_ok(topic) || (sub && !sioc_azure_name_ok(*sub))) return SIOC_ERR_ARG;
    return SIOC_OK;
}

SIOC_API sioc_result sioc_azure_get_topic(sioc_azure_client *c, sioc_azure_call *call, sioc_str topic,
                                          uint64_t now_ms) {
    sioc_result r = sioc__az_names(c, call, topic, NULL);
    if (r != SIOC_OK) return r;
    return sioc__az_atom(c, call, SIOC_AZURE_OP_GET_TOPIC, "GET", topic, NULL, 0, now_ms);
}

SIOC_API sioc_result sioc_azure_create_topic(sioc_azure_client *c, sioc_azure_call *call, sioc_str topic,
                                             const sioc_azure_topic_opts *opts, uint64_t now_ms) {
    sioc_buf b;
    sioc_result r = sioc__az_names(c, call, topic, NULL);
    if (r != SIOC_OK) return r;
    sioc_buf_init(&b, call->body_mem, call->body_mem ? call->body_cap : 0);
    r = sioc_azure_write_topic_entry(&b, opts);
    if (r != SIOC_OK) return r;
    return sioc__az_atom(c, call, SIOC_AZURE_OP_CREATE_TOPIC, "PUT", topic, NULL, b.len, now_ms);
}

SIOC_API sioc_result sioc_azure_get_subscription(sioc_azure_client *c, sioc_azure_call *call, sioc_str topic,
                                                 sioc_str sub, uint64_t now_ms) {
    sioc_result r = sioc__az_names(c, call, topic, &sub);
    if (r != SIOC_OK) return r;
    return sioc__az_atom(c, call, SIOC_AZURE_OP_GET_SUBSCRIPTION, "GET", topic, &sub, 0, now_ms);
}

SIOC_API sioc_result sioc_azure_create_subscription(sioc_azure_client *c, sioc_azure_call *call, sioc_str topic,
                                                    sioc_str sub, const sioc_azure_sub_opts *opts, uint64_t now_ms) {
    sioc_buf b;
    sioc_result r = sioc__az_names(c, call, topic, &sub);
    if (r != SIOC_OK) return r;
    sioc_buf_init(&b, call->body_mem, call->body_mem ? call->body_cap : 0);
    r = sioc_azure_write_subscription_entry(&b, opts);
    if (r != SIOC_OK) return r;
    return sioc__az_atom(c, call, SIOC_AZURE_OP_CREATE_SUBSCRIPTION, "PUT", topic, &sub, b.len, now_ms);
}

SIOC_API sioc_result sioc_azure_delete_subscription(sioc_azure_client *c, sioc_azure_call *call, sioc_str topic,
                                                    sioc_str sub, uint64_t now_ms) {
    sioc_result r = sioc__az_names(c, call, topic, &sub);
    if (r != SIOC_OK) return r;
    return sioc__az_atom(c, call, SIOC_AZURE_OP_DELETE_SUBSCRIPTION, "DELETE", topic, &sub, 0, now_ms);
}

/* Copy the headers a received message needs out of the engine's view (it dies at the next response). */
static void sioc__az_keep_headers(sioc_azure_call *call, const sioc_http_response *r) {
    size_t i, n = r->p_parser ? r->p_parser->header_count : 0;
    call->p_meta_len = 0;
    call->p_hdr_count = 0;
    for (i = 0; i < n && call->p_hdr_count < SIOC_AZURE_MAX_META_HEADERS; i++) {
        sioc_str name, value;
        sioc_http_parser_header_at(r->p_parser, i, &name, &value);
        if (sioc__az_standard_header(name) && !sioc__az_name_is(name, "location") &&
            !sioc__az_name_is(name, "brokerproperties") && !sioc__az_name_is(name, "content-type"))
            continue;
        if (name.len + value.len > sizeof call->p_meta - call->p_meta_len) continue; /* too big: dropped */
        memcpy(call->p_meta + call->p_meta_len, name.ptr, name.len);
        call->p_hdrs[call->p_hdr_count].name = sioc_str_n(call->p_meta + call->p_meta_len, name.len);
        call->p_meta_len += name.len;
        if (value.len) memcpy(call->p_meta + call->p_meta_len, value.ptr, value.len);
        call->p_hdrs[call->p_hdr_count].value = sioc_str_n(call->p_meta + call->p_meta_len, value.len);
        call->p_meta_len += value.len;
        call->p_hdr_count++;
    }
}

/* A failed call in words: "Service Bus <op>: " and the engine's detail, or the HTTP status and the service's
   text (401/403 with a hint at the key). */
static void sioc__az_detail(sioc_azure_call *call, const sioc_http_response *r) {
    sioc_buf b;
    sioc__detail_start(&b, call->detail, sizeof call->detail);
    if (!SIOC_ENABLE_ERROR_STRINGS) return; /* no text to build: leave the words out of the binary */
    sioc_buf_puts(&b, "Service Bus ");
    sioc_buf_puts(&b, sioc_azure_op_name(call->op));
    sioc_buf_puts(&b, ": ");
    sioc__detail_reply(&b, r->detail, call->status, call->result,
                       call->error.detail[0]   ? call->error.detail
                       : call->status == 401 ? "(check SharedAccessKeyName and SharedAccessKey)"
                                             : "",
                       "");
    sioc__detail_end(&b);
}

static void sioc__az_finish(sioc_azure_client *c, const sioc_http_response *r) {
    sioc_azure_call *call = (sioc_azure_call *)r->tag;
    sioc_str ra;
    if (!call || !sioc_http_calls_answered(&c->p_calls, &call->p_track, r->id)) return;
    call->status = r->status;
    call->reply.ptr = r->body;
    call->reply.len = r->body_len;
    call->error.status = r->status;
    call->detail[0] = 0;
    if (r->result == SIOC_ERR_BUFFER_TOO_SMALL && call->op == SIOC_AZURE_OP_RECEIVE && r->status == 201) {
        /* a locked message larger than reply_cap: keep its lock path so the caller can settle it (otherwise it
           comes back after every lock expiry until dead-lettered) */
        sioc_buf scratch;
        sioc_bytes none = {NULL, 0};
        sioc__az_keep_headers(call, r);
        sioc_buf_init(&scratch, call->p_meta + call->p_meta_len, sizeof call->p_meta - call->p_meta_len);
        (void)sioc_azure_parse_message(call->p_hdrs, call->p_hdr_count, none, &scratch, &call->msg);
        call->result = SIOC_ERR_BUFFER_TOO_SMALL;
        call->error.kind = SIOC_AZURE_E_TOO_LARGE;
    } else if (r->result != SIOC_OK) {
        call->result = r->result; /* transport failure or reply over reply_cap */
        call->error.kind = SIOC_AZURE_E_TRANSPORT;
    } else {
        call->result = sioc_azure_classify(call->op, r->status, &call->error.kind);
        if (call->result == SIOC_OK) {
            call->existed = call->error.kind != SIOC_AZURE_E_NONE;
            call->error.kind = SIOC_AZURE_E_NONE;
            if (call->op == SIOC_AZURE_OP_GET_TOPIC || call->op == SIOC_AZURE_OP_GET_SUBSCRIPTION) {
                if (!sioc_azure_atom_has_entry((const char *)r->body, r->body_len)) {
                    call->result = SIOC_ERR_NOT_FOUND; /* 200 with an empty feed = missing (docs/AZURE.md 5.1) */
                    call->error.kind = SIOC_AZURE_E_NOT_FOUND;
                }
            } else if ((call->op == SIOC_AZURE_OP_RECEIVE && r->status == 201) ||
                       (call->op == SIOC_AZURE_OP_RECEIVE_DELETE && r->status == 200)) {
                sioc_buf scratch;
                sioc_bytes body;
                sioc__az_keep_headers(call, r);
                sioc_buf_init(&scratch, call->p_meta + call->p_meta_len, sizeof call->p_meta - call->p_meta_len);
                body.ptr = r->body;
                body.len = r->body_len;
                call->result = sioc_azure_parse_message(call->p_hdrs, call->p_hdr_count, body, &scratch, &call->msg);
                if (call->result == SIOC_OK) {
                    call->has_message = 1;
                    c->stats.messages_received++;
                } else {
                    call->error.kind = SIOC_AZURE_E_OTHER;
                }
            } else if (call->op == SIOC_AZURE_OP_RECEIVE || call->op == SIOC_AZURE_OP_RECEIVE_DELETE) {
                c->stats.empty_receives++;
            }
        } else {
            (void)sioc_azure_parse_error((const char *)r->body, r->body_len, &call->error);
            if (sioc_http_response_header(r, "retry-after", &ra) == SIOC_OK)
                (void)sioc__az_parse_uint(ra, &call->error.retry_after_s);
            /* a rejected token is regenerated (new se) before the next request (docs/AZURE.md 6) */
            if (call->error.kind == SIOC_AZURE_E_AUTH && !c->p_fixed_token) c->p_token_len = 0;
        }
    }
    if (call->result == SIOC_OK) {
        c->stats.ok++;
    } else {
        c->stats.errors++;
        sioc__az_detail(call, r);
        sioc__az_log(c, call->error.kind == SIOC_AZURE_E_LOCK_LOST ? SIOC_LOG_INFO : SIOC_LOG_WARN, call,
                     sioc_strerror(call->result));
    }
    sioc_http_calls_done(&c->p_calls, &call->p_track);
}

SIOC_API sioc_result sioc_azure_next(sioc_azure_client *c, uint64_t now_ms, sioc_azure_call **out) {
    sioc_http_response r;
    sioc_http_call *k;
    (void)now_ms;
    if (!c || !out) return SIOC_ERR_ARG;
    *out = NULL;
    while (sioc_http_next_response(&c->http, &r) == SIOC_OK) sioc__az_finish(c, &r);
    k = sioc_http_calls_pop(&c->p_calls);
    if (!k) return SIOC_AGAIN;
    *out = SIOC__CONTAINER(k, sioc_azure_call, p_track);
    return SIOC_OK;
}

SIOC_API int sioc_azure_has_finished(const sioc_azure_client *c) { return c && sioc_http_calls_pending(&c->p_calls); }

SIOC_API sioc_result sioc_azure_cancel(sioc_azure_client *c, sioc_azure_call *call) {
    if (!c || !call) return SIOC_ERR_NOT_FOUND;
    return sioc_http_calls_cancel(&c->http, &c->p_calls, &call->p_track);
}

/* ---- a subscription created with its own default rule ---- */

SIOC_API sioc_result sioc_azure_write_own_filter(sioc_buf *out, sioc_str uid) {
    size_t i;
    if (!out || !uid.ptr || !uid.len || uid.len > 64) return SIOC_ERR_ARG;
    for (i = 0; i < uid.len; i++) { /* inside a SQL string literal: nothing that could end it */
        char ch = uid.ptr[i];
        if (!sioc__is_digit((unsigned char)ch) && !((ch | 32) >= 'a' && (ch | 32) <= 'z') && ch != '-' && ch != '_')
            return SIOC_ERR_ARG;
    }
    sioc_buf_puts(out, "(uid IS NULL OR uid <> '");
    sioc_buf_put(out, uid.ptr, uid.len);
    sioc_buf_puts(out, "') AND (requesterUid IS NULL OR requesterUid = '' OR requesterUid = '");
    sioc_buf_put(out, uid.ptr, uid.len);
    sioc_buf_puts(out, "')");
    return sioc_buf_result(out);
}

/* Text as XML character data. */
static void sioc__az_xml_text(sioc_buf *out, sioc_str t) {
    size_t i;
    for (i = 0; i < t.len; i++) {
        switch (t.ptr[i]) {
        case '<': sioc_buf_puts(out, "&lt;"); break;
        case '>': sioc_buf_puts(out, "&gt;"); break;
        case '&': sioc_buf_puts(out, "&amp;"); break;
        case '\'': sioc_buf_puts(out, "&apos;"); break;
        case '"': sioc_buf_puts(out, "&quot;"); break;
        default: sioc_buf_putc(out, t.ptr[i]); break;
        }
    }
}

SIOC_API sioc_result sioc_azure_write_subscription_entry_rule(sioc_buf *out, const sioc_azure_sub_opts *o,
                                                              sioc_str sql) {
    sioc_azure_sub_opts none;
    size_t i;
    if (!out || !sql.ptr || !sql.len) return SIOC_ERR_ARG;
    for (i = 0; i < sql.len; i++)
        if ((unsigned char)sql.ptr[i] < 0x20) return SIOC_ERR_ARG;
    if (!o) {
        memset(&none, 0, sizeof none);
        o = &none;
    }
    if (!sioc__az_updated_ok(o->updated)) return SIOC_ERR_ARG;
    sioc__az_entry_begin(out, o->updated);
    sioc_buf_puts(out, "<SubscriptionDescription xmlns=\"" SIOC__AZ_NS_SB "\" xmlns:i=\"" SIOC__AZ_NS_I "\">");
    sioc__az_dur_elem(out, "LockDuration", o->lock_duration_s);
    sioc__az_dur_elem(out, "DefaultMessageTimeToLive", o->default_ttl_s);
    sioc_buf_puts(out, "<DefaultRuleDescription><Filter i:type=\"SqlFilter\"><SqlExpression>");
    sioc__az_xml_text(out, sql);
    sioc_buf_puts(out, "</SqlExpression></Filter><Action i:type=\"EmptyRuleAction\"/><Name>$Default</Name>"
                       "</DefaultRuleDescription>");
    sioc__az_u32_elem(out, "MaxDeliveryCount", o->max_delivery_count);
    sioc__az_dur_elem(out, "AutoDeleteOnIdle", o->auto_delete_on_idle_s);
    sioc_buf_puts(out, "</SubscriptionDescription></content></entry>");
    return sioc_buf_result(out);
}

SIOC_API sioc_result sioc_azure_create_subscription_rule(sioc_azure_client *c, sioc_azure_call *call, sioc_str topic,
                                                         sioc_str sub, const sioc_azure_sub_opts *opts, sioc_str sql,
                                                         uint64_t now_ms) {
    sioc_buf b;
    sioc_result r = sioc__az_names(c, call, topic, &sub);
    if (r != SIOC_OK) return r;
    sioc_buf_init(&b, call->body_mem, call->body_mem ? call->body_cap : 0);
    r = sioc_azure_write_subscription_entry_rule(&b, opts, sql);
    if (r != SIOC_OK) return r;
    return sioc__az_atom(c, call, SIOC_AZURE_OP_CREATE_SUBSCRIPTION, "PUT", topic, &sub, b.len, now_ms);
}

#endif /* SIOC_ENABLE_AZURE */
/* ---- src/member_int.h ---- */
/* ---- member_int: what the member's shared machinery (member.c) and its two clouds (member_aws.c,
   member_azure.c) share. Private. ----
   member.c owns the slots, their retries and backoff, the deadlines, the publish sequences, the settle queue, the
   recent-id ring, start / close / free and the POSIX turn. A cloud file writes and reads its own requests: the
   start-up and shutdown steps, publishing, settling and receiving. */

/* The AWS janitor is compiled in (prologue.h) only with the receive side: it watches queues, which only a
   receiving member has. */
#define SIOC__M_JANITOR (SIOC_ENABLE_AWS && SIOC_ENABLE_RECEIVE && SIOC_ENABLE_JANITOR)

/* Why init refused, for sioc_cluster_last_detail and the log: left out of a build with neither (the switch texts
   of sioc__m_compiled_in stay, they name what to change). */
#define SIOC__M_TEXT(s) (SIOC_ENABLE_ERROR_STRINGS || SIOC_ENABLE_LOG ? (s) : "")

#if SIOC_ENABLE_AWS || SIOC_ENABLE_AZURE

/* Slot states and kinds. Slots: [0] ctl (start-up / shutdown steps, one at a time), [1] publish, then the settle
   slots (AWS: one DeleteMessageBatch; Azure: SIOC_CLUSTER_SETTLES completes), then the receives. */
enum { SIOC__MS_FREE = 0, SIOC__MS_BUSY = 1, SIOC__MS_WAIT = 2 };
enum { SIOC__MK_CTL = 0, SIOC__MK_PUB = 1, SIOC__MK_SETTLE = 2, SIOC__MK_RECV = 3, SIOC__MK_JANITOR = 4 };
#define SIOC__M_CTL 0u
#define SIOC__M_PUB 1u
#define SIOC__M_SET 2u

/* Pacing (AWS): a DeleteMessageBatch takes 10 handles; a handle waits at most this long for a fuller one (the
   queue's visibility timeout is 30 s: a retried delete still lands in time, a redelivery is settled as seen). */
#define SIOC__M_BATCH 10u /* DeleteMessageBatch and PublishBatch: 10 entries */
#define SIOC__M_SETTLE_HOLD_MS 15000u

/* Generic close phases (p_step while CLOSING): drain the out queue, then the cloud's clean-up steps. */
#define SIOC__M_STEP_DRAIN 100
#define SIOC__M_STEP_CLEANUP 101

typedef struct sioc__mslot {
    int state, kind, op, attempts, auth_retries; /* first: short loads and stores on small targets */
    uint32_t gen;      /* receive: the queue / subscription generation it was sent for */
    uint64_t retry_at;
    uint64_t seq_first; /* publish: sequence of its first message */
    uint64_t deadline;  /* settle: give up after this (0: never) */
    uint64_t sent_at;   /* when the request was last submitted (receive pacing) */
    size_t count;       /* messages in a publish or settle batch */
    size_t accepted;    /* publish: of them taken by the broker in earlier answers (a partial batch re-sent) */
    size_t body_len;
    union {
        int none;
#if SIOC_ENABLE_AWS
        sioc_aws_call aws;
#endif
#if SIOC_ENABLE_AZURE
        sioc_azure_call azure;
#endif
    } call;
    /* Azure send and settle: what a retry needs again (the body stays in body memory) */
    char nsp[SIOC_CLUSTER_NSP_MAX + 1];
    char requester[SIOC_NODE_ID_MAX + 1];
    char msgid[SIOC_CLUSTER_MSGID_MAX + 1];
    int has_requester;
    char lock[SIOC_CLUSTER_LOCK_MAX + 1];
} sioc__mslot;

/* One message waiting to be settled: an AWS receipt handle or an Azure lock path, and the operation. */
typedef struct sioc__msettle {
    int op;
    uint64_t deadline; /* give up after this (the lock expires; 0: never) */
    uint64_t due;      /* send by then at the latest (held for a fuller batch until then) */
    uint16_t len;
    char text[SIOC_CLUSTER_HANDLE_MAX];
} sioc__msettle;

/* A queue the AWS janitor watches (member_janitor.c). */
typedef struct sioc__mjcand {
    char url[SIOC_CLUSTER_ARN_MAX];
    char uid[SIOC_NODE_ID_MAX + 1]; /* its sioc-node tag, "" when none (a Node member's queue) */
    int64_t backlog, in_flight;     /* at the last look, -1 before the first */
    uint64_t suspect_since;         /* first look that saw it grow with nothing received, 0 when not */
    uint8_t seen, tagged, foreign;  /* in the current listing; tags read; another cluster's */
    uint8_t janitor;                /* its member runs a janitor too (sioc-janitor tag): it takes part in the choice */
} sioc__mjcand;

/* Memory a cloud wants: body and reply per slot kind (SIOC__MK_*; a janitor slot only when its reply is not 0),
   and for its parsing. */
typedef struct sioc__mlayout {
    size_t body[5], reply[5];
    size_t n_settle_slots, settle_cap, per_receive, toks, scratch;
} sioc__mlayout;

/* ---- member.c, for the clouds ---- */
SIOC__FN size_t sioc__m_slot_count(const sioc_cluster *c);
static void sioc__m_go(sioc_cluster *c, sioc__mslot *s, int op, uint64_t now);
static sioc_result sioc__m_submit(sioc_cluster *c, sioc__mslot *s, uint64_t now);
static void sioc__m_fail(sioc_cluster *c, sioc__mslot *s, sioc_result r, uint64_t now);
static void sioc__m_report(sioc_cluster *c, sioc__mslot *s, sioc_result r, int will_retry);
static void sioc__m_give_up(sioc_cluster *c, sioc__mslot *s, sioc_result r);
static void sioc__m_set_ready(sioc_cluster *c, int ready, uint64_t now);
static void sioc__m_running(sioc_cluster *c, uint64_t now);
#define SIOC__M_LOST_QUEUE 1 /* the queue / subscription: its handles and locks died, receives still out are stale */
#define SIOC__M_LOST_TOPIC 2
static int sioc__m_lost(sioc_cluster *c, int what, int step, uint64_t now);
static void sioc__m_pub_taken(sioc_cluster *c, sioc__mslot *s, size_t n);
static void sioc__m_pub_outcome(sioc_cluster *c, sioc__mslot *s, size_t accepted, sioc_result r);
static int sioc__m_pub_ambiguous(sioc_cluster *c, sioc__mslot *s, sioc_result r);
static void sioc__m_pub_drop(sioc_cluster *c, sioc__mslot *s, sioc_result r);
static int sioc__m_pacing(const sioc_cluster *c);
#if SIOC_ENABLE_RECEIVE /* the receive side, for the clouds' receive and settle code */
static uint64_t sioc__m_settle_due(const sioc_cluster *c);
static int sioc__m_recv_gone(sioc_cluster *c, sioc__mslot *s, sioc_result r, uint64_t now);
static int sioc__m_settle_push(sioc_cluster *c, int op, sioc_str text, uint64_t deadline, uint64_t now);
#if SIOC_ENABLE_AWS
static void sioc__m_paced(sioc_cluster *c, const sioc__mslot *s, int full, int quiet, uint64_t now);
#endif
static void sioc__m_settle_pop(sioc_cluster *c, size_t n);
static int sioc__m_seen(sioc_cluster *c, sioc_str id, uint64_t now);
#endif
static int sioc__m_emitter(const sioc_cluster *c);
static void sioc__m_log(sioc_cluster *c, const sioc_cluster_desc *d, const char *what);

/* ---- the clouds, for member.c: the same functions in both files, sioc__maws_* and sioc__mazure_* ---- */
#define SIOC__M_CLOUD_DECLS(p)                                                                                  \
    static sioc_result sioc__##p##_layout(const sioc_cluster_desc *d, sioc__mlayout *l);                      \
    static sioc_result sioc__##p##_client_init(sioc_cluster *c);                                              \
    static sioc_result sioc__##p##_start_call(sioc_cluster *c, sioc__mslot *s, uint64_t now);                 \
    static void *sioc__##p##_next(sioc_cluster *c, uint64_t now); /* the finished call's user, or NULL */     \
    static void sioc__##p##_cancel(sioc_cluster *c, sioc__mslot *s);                                          \
    static void sioc__##p##_begin(sioc_cluster *c);                                                           \
    static void sioc__##p##_ctl_step(sioc_cluster *c, uint64_t now);                                          \
    static void sioc__##p##_ctl_done(sioc_cluster *c, sioc__mslot *s, uint64_t now);                          \
    static void sioc__##p##_pub_start(sioc_cluster *c, uint64_t now);                                         \
    static void sioc__##p##_pub_done(sioc_cluster *c, sioc__mslot *s, uint64_t now);                          \
    static void sioc__##p##_error(const sioc__mslot *s, sioc_cluster_error *e);                               \
    static void sioc__##p##_watch(sioc_cluster *c, uint64_t now); /* RUNNING: checks of its own */         \
    static const char *sioc__##p##_op_name(int op);
/* ... and their receive side (SIOC_ENABLE_RECEIVE) */
#define SIOC__M_CLOUD_RX_DECLS(p)                                                                               \
    static int sioc__##p##_can_receive(const sioc_cluster *c);                                                \
    static void sioc__##p##_settle_start(sioc_cluster *c, uint64_t now);                                      \
    static void sioc__##p##_settle_done(sioc_cluster *c, sioc__mslot *s, uint64_t now);                       \
    static void sioc__##p##_recv_start(sioc_cluster *c, sioc__mslot *s, uint64_t now);                        \
    static void sioc__##p##_recv_done(sioc_cluster *c, sioc__mslot *s, uint64_t now);
#if SIOC_ENABLE_AWS
SIOC__M_CLOUD_DECLS(maws)
#if SIOC_ENABLE_RECEIVE
SIOC__M_CLOUD_RX_DECLS(maws)
#endif
#endif
#if SIOC_ENABLE_AZURE
SIOC__M_CLOUD_DECLS(mazure)
#if SIOC_ENABLE_RECEIVE
SIOC__M_CLOUD_RX_DECLS(mazure)
#endif
#endif

#if SIOC__M_JANITOR
static void sioc__mjan_step(sioc_cluster *c, uint64_t now);
static void sioc__mjan_done(sioc_cluster *c, sioc__mslot *s, uint64_t now);
#endif

/* Call the cloud's version of fn. */
#if SIOC_ENABLE_AWS && SIOC_ENABLE_AZURE
#define SIOC__M_CLOUD(c, fn, args) ((c)->p_transport == SIOC_CLUSTER_AZURE ? sioc__mazure_##fn args : sioc__maws_##fn args)
#elif SIOC_ENABLE_AWS
#define SIOC__M_CLOUD(c, fn, args) ((void)(c), sioc__maws_##fn args)
#else
#define SIOC__M_CLOUD(c, fn, args) ((void)(c), sioc__mazure_##fn args)
#endif

#endif /* SIOC_ENABLE_AWS || SIOC_ENABLE_AZURE */
/* ---- src/member.c ---- */
/* ---- member: one cluster member over either cloud (see member.h). The shared machinery: set-up, slots, retries
   with backoff, deadlines, publish sequences, settle queue, recent ids, start, close, free, the POSIX turn. ---- */

#if SIOC_ENABLE_AWS || SIOC_ENABLE_AZURE

/* A constant in a one-cloud build, so the other cloud's branches drop out. */
static int sioc__m_is_azure(const sioc_cluster *c) {
    return SIOC_ENABLE_AZURE && (!SIOC_ENABLE_AWS || c->p_transport == SIOC_CLUSTER_AZURE);
}
/* Constant without the receive side (SIOC_ENABLE_RECEIVE 0), so what only a receiver runs folds away. */
static int sioc__m_emitter(const sioc_cluster *c) { return !SIOC_ENABLE_RECEIVE || c->p_desc.node.emitter_only; }
/* Receive pacing is AWS's (a Service Bus REST receive takes one message: nothing to batch). */
static int sioc__m_pacing(const sioc_cluster *c) {
    return !sioc__m_is_azure(c) && !sioc__m_emitter(c) && c->p_desc.receive_budget_ms > 0;
}
SIOC__FN size_t sioc__m_slot_count(const sioc_cluster *c) { return c->p_n_slots; }

/* ---- configuration ---- */

#if SIOC_ENABLE_POSIX
#include <stdlib.h> /* getenv */

static const char *sioc__m_env(const char *name) {
    const char *v = getenv(name);
    return v && *v ? v : NULL;
}

SIOC_API void sioc_cluster_desc_from_env(sioc_cluster_desc *d) {
    const char *sb = sioc__m_env("SERVICEBUS_CONNECTION_STRING");
    if (!d) return;
    if (d->transport == SIOC_CLUSTER_AUTO) { /* Azure when a connection string is given, or only that is at hand */
        int aws_keys = d->aws.credentials.access_key_id.len || sioc__m_env("AWS_ACCESS_KEY_ID");
        d->transport = (d->azure.connection_string || (sb && !aws_keys)) ? SIOC_CLUSTER_AZURE : SIOC_CLUSTER_AWS;
    }
    if (d->transport == SIOC_CLUSTER_AZURE) {
        if (!d->azure.connection_string) d->azure.connection_string = sb;
        if (!d->azure.rest_url) d->azure.rest_url = sioc__m_env("SERVICEBUS_REST_URL");
    }
#if SIOC_ENABLE_AWS
    if (d->transport == SIOC_CLUSTER_AWS) {
        sioc_aws_desc ad;
        memset(&ad, 0, sizeof ad);
        ad.region = d->aws.region;
        ad.credentials = d->aws.credentials;
        ad.sns_endpoint = d->aws.sns_endpoint;
        ad.sqs_endpoint = d->aws.sqs_endpoint;
        (void)sioc_aws_desc_from_env(&ad);
        d->aws.region = ad.region ? ad.region : "us-east-1";
        d->aws.credentials = ad.credentials;
        d->aws.sns_endpoint = ad.sns_endpoint;
        d->aws.sqs_endpoint = ad.sqs_endpoint;
    }
#endif
    if (!d->random) d->random = sioc_posix_random;
    if (!d->utc_now) d->utc_now = sioc_posix_utc_now;
}
#endif

SIOC_API void sioc_cluster_desc_preset(sioc_cluster_desc *d, sioc_cluster_preset preset) {
    sioc_node_desc *n;
    if (!d || preset != SIOC_CLUSTER_PRESET_SMALL) return; /* SERVER: the defaults */
    n = &d->node;
    n->max_message_size = 16384;
    n->max_namespaces = 2;
    n->max_sockets = 16;
    n->max_rooms = 48;
    n->max_memberships = 96;
    n->max_peers = 8;
    n->max_requests = 8;
    n->max_acks = 16;
    n->max_attachments = 8;
    n->max_ack_tokens = 128;
    n->ack_scratch_size = 4096;
    d->receives_in_flight = 1;
    d->recent_ids = 512;
    d->aws.max_messages = 2;
    d->reply_buffer_size = 4096;
    d->aws.no_orphan_cleanup = 1; /* servers clean up; the janitor takes part only where it runs */
    d->http.max_endpoints = 2;
    d->http.max_requests = 8;
    d->http.request_head_size = 2048;
    d->http.response_head_size = d->transport == SIOC_CLUSTER_AZURE ? 16384 : 4096;
    d->http.max_headers = 48;
}

/* The transport a desc asks for: AUTO is Azure with a connection string. */
static sioc_cluster_transport sioc__m_transport(const sioc_cluster_desc *d) {
    if (d->transport != SIOC_CLUSTER_AUTO) return d->transport;
    return d->azure.connection_string ? SIOC_CLUSTER_AZURE : SIOC_CLUSTER_AWS;
}

/* Plain defaults of 32-bit fields: {offset, AWS default, Azure default}; 0 leaves the field alone, bit 15 means
   KiB ((v & 0x7fff) << 10). A table: one test per field as code would cost more flash. */
#define SIOC__M_DEF(f, aws, az) {(uint16_t)offsetof(sioc_cluster_desc, f), (uint16_t)(aws), (uint16_t)(az)}
#define SIOC__M_KIB(k) (0x8000u | (k))
static const uint16_t sioc__m_defaults[][3] = {
    SIOC__M_DEF(receives_in_flight, 1, 2),
    SIOC__M_DEF(request_timeout_ms, 10000, 10000),
    SIOC__M_DEF(backoff_base_ms, 200, 200),
    SIOC__M_DEF(backoff_cap_ms, 20000, 20000),
    SIOC__M_DEF(backoff_floor_ms, 50, 50),
    SIOC__M_DEF(shutdown_timeout_ms, 10000, 10000),
    SIOC__M_DEF(recent_ids, 4096, 4096),
    SIOC__M_DEF(reply_buffer_size, SIOC__M_KIB(16), SIOC__M_KIB(16)),
    SIOC__M_DEF(receive_budget_ms, 30, 30),
    SIOC__M_DEF(publish_budget_ms, 20, 20),
    /* everything scales with the largest message the application declares (the node refuses larger ones) */
    SIOC__M_DEF(node.max_message_size, SIOC__M_KIB(256), SIOC__M_KIB(256)),
    /* Service Bus may send up to 64 KiB of properties in headers: a receive whose head does not fit could not
       even be settled */
    SIOC__M_DEF(http.response_head_size, 0, SIOC__M_KIB(80)),
    SIOC__M_DEF(http.max_headers, 0, 256),
    SIOC__M_DEF(http.max_endpoints, 2, 1), /* SNS and SQS; the REST host */
    SIOC__M_DEF(aws.retention_s, 3600, 3600),
    SIOC__M_DEF(aws.wait_time_s, 20, 20),
    SIOC__M_DEF(aws.max_messages, 10, 10),
    SIOC__M_DEF(aws.subscription_check_s, 300, 300),
    SIOC__M_DEF(aws.orphan_after_s, 600, 600),
    SIOC__M_DEF(azure.auto_delete_on_idle_s, 300, 300),
    SIOC__M_DEF(azure.timeout_s, 55, 55)};

/* Fill in every default, in place. */
static void sioc__m_resolve(sioc_cluster_desc *d) {
    int az;
    size_t i;
    d->transport = sioc__m_transport(d);
    az = d->transport == SIOC_CLUSTER_AZURE;
    for (i = 0; i < SIOC__COUNT(sioc__m_defaults); i++) { /* int and uint32_t fields alike: memcpy */
        uint32_t v, def = sioc__m_defaults[i][1 + az];
        char *f = (char *)d + sioc__m_defaults[i][0];
        memcpy(&v, f, sizeof v);
        if (v || !def) continue;
        v = def & 0x8000u ? (def & 0x7fffu) << 10 : def;
        memcpy(f, &v, sizeof v);
    }
    if (!d->topic_name || !*d->topic_name) d->topic_name = az ? "socket.io" : "socket-io";
    if (!d->prefix || !*d->prefix) d->prefix = az ? "socket.io" : "socket-io";
    if (!d->receive_idle_ms) d->receive_idle_ms = d->receive_budget_ms;
    if (!d->node.out_queue_size) d->node.out_queue_size = d->node.max_message_size + 16384u;
    if (!d->node.event_queue_size && !d->node.emitter_only) /* an emitter's: the node's own default */
        d->node.event_queue_size =
            d->node.max_message_size + 16384u + 64u * (d->node.max_sockets ? d->node.max_sockets : 256u);
    /* the node, the engine: what they leave empty comes from the member's desc */
    if (!d->node.random) d->node.random = d->random, d->node.user = d->user;
    if (!d->node.allocator.alloc) d->node.allocator = d->allocator;
    if (!d->node.logger.fn) d->node.logger = d->logger;
    if (!d->http.allocator.alloc) d->http.allocator = d->allocator;
    if (!d->http.logger.fn) d->http.logger = d->logger;
    if (!d->http.random) d->http.random = d->random, d->http.user = d->user;
    if (!d->http.utc_now) d->http.utc_now = d->utc_now;
    /* long polls hold a connection each; publishes and settles need at least one more (raised, never lowered) */
    if (!d->http.conns_per_endpoint) d->http.conns_per_endpoint = (uint32_t)d->receives_in_flight + 3u;
    if (d->aws.wait_time_s < 0) d->aws.wait_time_s = 0;
    if (!d->aws.receive_buffer_size && d->aws.max_messages >= 1 && d->aws.max_messages <= 10)
        d->aws.receive_buffer_size = (uint32_t)d->aws.max_messages * (d->node.max_message_size / 3u * 4u + 8192u);
    if (!d->aws.orphan_check_s) d->aws.orphan_check_s = d->aws.orphan_after_s / 5u ? d->aws.orphan_after_s / 5u : 1u;
}

SIOC_API sioc_cluster_desc sioc_cluster_desc_resolved(const sioc_cluster_desc *desc) {
    sioc_cluster_desc d = *desc;
    sioc__m_resolve(&d);
    return d;
}

/* Why init refused: kept for sioc_cluster_last_detail and logged. */
SIOC__FN void sioc__m_log(sioc_cluster *c, const sioc_cluster_desc *d, const char *what) {
    if (c) sioc__copy_fixed(c->p_detail, sizeof c->p_detail, sioc_str_c(what));
#if SIOC_ENABLE_LOG
    if (d->logger.fn) d->logger.fn(d->logger.user, SIOC_LOG_ERROR, what);
#else
    (void)d;
#endif
}

/* Receive slots: none for an emitter. */
static size_t sioc__m_receives(const sioc_cluster_desc *d) {
    return d->node.emitter_only ? 0u : (size_t)d->receives_in_flight;
}

/* Pacing waits must leave a live peer's heartbeat and an answer to a peer's request in time: a peer heartbeating
   every interval is seen within wait + interval, a request within wait. */
static int sioc__m_pacing_ok(const sioc_cluster_desc *d, sioc_cluster *c) {
    sioc_node_desc nd = sioc_node_desc_resolved(&d->node);
    int most = SIOC__MAX(d->receive_budget_ms, d->receive_idle_ms) + SIOC__MAX(d->publish_budget_ms, 0);
    if (d->receive_budget_ms < -1 || d->receive_idle_ms < -1 || d->publish_budget_ms < -1 ||
        (d->receive_budget_ms < 0) != (d->receive_idle_ms < 0)) {
        sioc__m_log(c, d, SIOC__M_TEXT("sioc_cluster: receive_budget_ms / receive_idle_ms: -1 (both, no pacing) or a wait in ms"));
        return 0;
    }
    if (most > 0 && ((uint64_t)most + nd.heartbeat_interval_ms + 500u > nd.heartbeat_timeout_ms ||
                     (uint64_t)most + 500u > nd.request_timeout_ms)) {
        sioc__m_log(c, d, SIOC__M_TEXT("sioc_cluster: receive_budget_ms / receive_idle_ms leave no room for heartbeats or answers"));
        return 0;
    }
    return 1;
}

/* Resolve *d in place and fill *l; the block's size, 0 when an option is out of range (the logger names it). */
static size_t sioc__m_layout(sioc_cluster_desc *d, sioc__mlayout *l, sioc_cluster *c);

/* A desc asking for a feature the build left out (prologue.h): SIOC_ERR_UNSUPPORTED, the detail names the switch. */
static sioc_result sioc__m_compiled_in(sioc_cluster *c, const sioc_cluster_desc *d) {
    const char *why = NULL;
    if (!SIOC_ENABLE_RECEIVE && !d->node.emitter_only)
        why = "sioc_cluster: built with SIOC_ENABLE_RECEIVE 0: only node.emitter_only = 1 members";
    else if (!SIOC__M_JANITOR && SIOC_ENABLE_AWS && !d->node.emitter_only && !d->aws.no_orphan_cleanup &&
             sioc__m_transport(d) == SIOC_CLUSTER_AWS)
        why = "sioc_cluster: built with SIOC_ENABLE_JANITOR 0: set aws.no_orphan_cleanup = 1";
    if (!why) return SIOC_OK;
    sioc__m_log(c, d, why);
    return SIOC_ERR_UNSUPPORTED;
}

SIOC_API size_t sioc_cluster_heap_size(const sioc_cluster_desc *desc) {
    sioc_cluster_desc d;
    sioc__mlayout l;
    size_t own, node;
    if (!desc) return 0;
    d = *desc;
    own = sioc__m_layout(&d, &l, NULL);
    if (!own || sioc__m_compiled_in(NULL, &d) != SIOC_OK) return 0; /* init would refuse it */
    node = sioc_node_heap_size(&d.node);
    return node ? own + node : 0;
}

/* ---- set-up and release ---- */

/* Give the slot's call its body and reply memory. */
static void sioc__m_slot_mem(sioc_cluster *c, sioc__mslot *s, uint8_t *body, size_t body_cap, uint8_t *reply,
                             size_t reply_cap) {
#if SIOC_ENABLE_AZURE
    if (sioc__m_is_azure(c)) {
        s->call.azure.body_mem = body, s->call.azure.body_cap = body_cap;
        s->call.azure.reply_mem = reply, s->call.azure.reply_cap = reply_cap;
        s->call.azure.user = s;
        return;
    }
#endif
#if SIOC_ENABLE_AWS
    s->call.aws.body_mem = body, s->call.aws.body_cap = body_cap;
    s->call.aws.reply_mem = reply, s->call.aws.reply_cap = reply_cap;
    s->call.aws.user = s;
#endif
    (void)c, (void)s, (void)body, (void)body_cap, (void)reply, (void)reply_cap;
}

/* The block, each piece 16-aligned: the slots (ctl, publish, settles, receives, janitor), each slot's body and
   reply, the settle queue, the recent ids and their times, the tokens, the janitor's queues, scratch, one. Its
   size; with mem the member's pointers are set. */
static size_t sioc__m_carve(sioc_cluster *c, uint8_t *mem, const sioc__mlayout *l, const sioc_cluster_desc *d) {
    size_t n[5], k, j, i = 0, off, at[6], area[6];
    n[SIOC__MK_CTL] = n[SIOC__MK_PUB] = 1;
    n[SIOC__MK_SETTLE] = SIOC_ENABLE_RECEIVE ? l->n_settle_slots : 0; /* an emitter build: constants */
    n[SIOC__MK_RECV] = SIOC_ENABLE_RECEIVE ? sioc__m_receives(d) : 0;
    n[SIOC__MK_JANITOR] = SIOC__M_JANITOR && l->reply[SIOC__MK_JANITOR] != 0;
    off = sioc__align16((2u + n[2] + n[3] + n[4]) * sizeof(sioc__mslot));
    for (k = 0; k < 5; k++)
        for (j = 0; j < n[k]; j++, i++) {
            size_t body = sioc__align16(l->body[k]);
            if (mem) {
                sioc__mslot *s = (sioc__mslot *)(void *)mem + i;
                s->kind = (int)k;
                sioc__m_slot_mem(c, s, l->body[k] ? mem + off : NULL, l->body[k], mem + off + body, l->reply[k]);
            }
            off += body + sioc__align16(l->reply[k]);
        }
    area[0] = SIOC_ENABLE_RECEIVE ? l->settle_cap * sizeof(sioc__msettle) : 0;
    area[1] = SIOC_ENABLE_RECEIVE ? (size_t)d->recent_ids * sizeof(uint64_t) : 0;
    area[2] = SIOC_ENABLE_RECEIVE ? (size_t)d->recent_ids * 4u : 0;
    area[3] = SIOC_ENABLE_RECEIVE ? l->toks * sizeof(sioc_json_tok) : 0;
    area[4] = n[SIOC__MK_JANITOR] * SIOC_CLUSTER_JANITOR_MAX * sizeof(sioc__mjcand);
    area[5] = l->scratch;
    for (k = 0; k < 6; k++) at[k] = off, off += sioc__align16(area[k]);
    if (mem) {
        c->p_slots = (sioc__mslot *)(void *)mem;
        c->p_n_slots = i;
        c->p_has_jan = (int)n[SIOC__MK_JANITOR];
        c->p_settles = mem + at[0];
        c->p_recent = (uint64_t *)(void *)(mem + at[1]);
        c->p_recent_at = (uint32_t *)(void *)(mem + at[2]);
        c->p_toks = (sioc_json_tok *)(void *)(mem + at[3]);
        c->p_n_toks = l->toks;
        if (area[4]) c->p_jan = (sioc__mjcand *)(void *)(mem + at[4]);
        c->p_scratch = mem + at[5];
        c->p_scratch_size = l->scratch;
        c->p_settle_cap = l->settle_cap;
        c->p_per_receive = l->per_receive;
    }
    return off;
}

static size_t sioc__m_layout(sioc_cluster_desc *d, sioc__mlayout *l, sioc_cluster *c) {
    sioc_result r;
    const char *why = NULL;
    sioc__m_resolve(d);
    memset(l, 0, sizeof *l);
    if (d->receives_in_flight < 1 || d->receives_in_flight > SIOC_CLUSTER_MAX_RECEIVES)
        why = SIOC__M_TEXT("sioc_cluster: receives_in_flight must be 1..SIOC_CLUSTER_MAX_RECEIVES");
    else if (d->backoff_cap_ms < d->backoff_base_ms)
        why = SIOC__M_TEXT("sioc_cluster: backoff_cap_ms is below backoff_base_ms");
    else if (d->reply_buffer_size < 2048)
        why = SIOC__M_TEXT("sioc_cluster: reply_buffer_size must be at least 2048");
    else if (!sioc__m_pacing_ok(d, c))
        return 0; /* it logged */
    else if (d->http.conns_per_endpoint < (uint32_t)d->receives_in_flight + 2u)
        why = SIOC__M_TEXT("sioc_cluster: http.conns_per_endpoint must be at least receives_in_flight + 2");
    if (why) {
        sioc__m_log(c, d, why);
        return 0;
    }
    r = SIOC_ERR_UNSUPPORTED;
#if SIOC_ENABLE_AWS
    if (d->transport == SIOC_CLUSTER_AWS) r = sioc__maws_layout(d, l);
#endif
#if SIOC_ENABLE_AZURE
    if (d->transport == SIOC_CLUSTER_AZURE) r = sioc__mazure_layout(d, l);
#endif
    if (r != SIOC_OK) {
        sioc__m_log(c, d, r == SIOC_ERR_UNSUPPORTED ? SIOC__M_TEXT("sioc_cluster: this transport is not compiled in")
                                                 : SIOC__M_TEXT("sioc_cluster: an option of the transport is out of range"));
        return 0;
    }
    if (!SIOC_ENABLE_RECEIVE || d->node.emitter_only) { /* publishes only: no receives, settles or remembered ids */
        l->n_settle_slots = l->settle_cap = l->per_receive = l->toks = l->reply[SIOC__MK_JANITOR] = 0;
        l->scratch = SIOC__MAX(l->reply[SIOC__MK_CTL], l->reply[SIOC__MK_PUB]); /* start-up steps, publishes */
        d->recent_ids = 0;
    }
    return sioc__m_carve(c, NULL, l, d);
}

SIOC_API sioc_result sioc_cluster_init(sioc_cluster *c, const sioc_cluster_desc *desc) {
    sioc__mlayout l;
    size_t total;
    uint8_t *mem;
    sioc_result r;
    if (!c || !desc) return SIOC_ERR_ARG;
    memset(c, 0, sizeof *c);
    c->p_desc = *desc;
#if SIOC_ENABLE_POSIX
    sioc_cluster_desc_from_env(&c->p_desc);
#endif
    if (!c->p_desc.random || !c->p_desc.utc_now) {
        sioc__copy_fixed(c->p_detail, sizeof c->p_detail, sioc_str_c(SIOC__M_TEXT("sioc_cluster: random and utc_now callbacks are required")));
        return SIOC_ERR_DEPENDENCY;
    }
    r = sioc__m_compiled_in(c, &c->p_desc);
    if (r != SIOC_OK) return r;
    total = sioc__m_layout(&c->p_desc, &l, c);
    if (!total) return SIOC_ERR_ARG;
    c->p_transport = c->p_desc.transport;
#if !SIOC_ENABLE_LIBC_MALLOC
    if (!c->p_desc.allocator.alloc) return SIOC_ERR_DEPENDENCY;
#endif
    r = sioc_node_init(&c->p_node, &c->p_desc.node);
    if (r != SIOC_OK) goto fail;
    c->p_inited |= 1;
    r = SIOC__M_CLOUD(c, client_init, (c));
    if (r != SIOC_OK) goto fail;
    c->p_http = (sioc_http_client *)(void *)&c->p_client; /* both clients start with their engine */
    c->p_inited |= 2;
#if SIOC_ENABLE_POSIX
    if (!c->p_desc.own_io) {
        r = sioc_posix_init(&c->p_px, c->p_http, NULL, NULL);
        if (r != SIOC_OK) goto fail;
        c->p_inited |= 4;
    }
#endif
    mem = (uint8_t *)sioc__alloc(&c->p_desc.allocator, total);
    if (!mem) {
        r = SIOC_ERR_NOMEM;
        goto fail;
    }
    memset(mem, 0, total);
    c->p_mem = mem;
    c->p_mem_size = total;
    (void)sioc__m_carve(c, mem, &l, &c->p_desc);
    c->p_settle_hold = sioc__m_pacing(c) ? SIOC__M_SETTLE_HOLD_MS : 0u;
    (void)c->p_desc.random(c->p_desc.user, &c->p_hash_key, sizeof c->p_hash_key); /* ids from peers: keyed */
    c->p_state = SIOC_CLUSTER_IDLE;
    return SIOC_OK;
fail:
    if (!c->p_detail[0] && c->p_http && c->p_http->detail[0]) sioc__copy_fixed(c->p_detail, sizeof c->p_detail, sioc_str_c(c->p_http->detail));
    sioc_cluster_free(c);
    return r;
}

static void sioc__m_cancel(sioc_cluster *c, sioc__mslot *s) {
    if (s->state == SIOC__MS_BUSY) SIOC__M_CLOUD(c, cancel, (c, s));
    s->state = SIOC__MS_FREE;
}

SIOC_API void sioc_cluster_free(sioc_cluster *c) {
    size_t i;
    if (!c) return;
    if (c->p_mem) {
        for (i = 0; i < c->p_n_slots; i++) sioc__m_cancel(c, &c->p_slots[i]);
        sioc__free(&c->p_desc.allocator, c->p_mem, c->p_mem_size);
        c->p_mem = NULL;
    }
#if SIOC_ENABLE_POSIX
    if (c->p_inited & 4) sioc_posix_free(&c->p_px);
#endif
#if SIOC_ENABLE_AWS
    if ((c->p_inited & 2) && c->p_transport == SIOC_CLUSTER_AWS) sioc_aws_client_free(&c->p_client.aws);
#endif
#if SIOC_ENABLE_AZURE
    if ((c->p_inited & 2) && c->p_transport == SIOC_CLUSTER_AZURE) sioc_azure_client_free(&c->p_client.azure);
#endif
    if (c->p_inited & 1) sioc_node_free(&c->p_node);
    c->p_inited = 0;
    c->p_http = NULL;
}

/* ---- requests: submit, report, back off ---- */

static void sioc__m_report(sioc_cluster *c, sioc__mslot *s, sioc_result r, int will_retry) {
    c->p_stats.failures[s->op]++;
    c->p_last_error = r;
    if (c->p_desc.on_error) {
        sioc_cluster_error e;
        memset(&e, 0, sizeof e);
        e.op = (sioc_cluster_op)s->op;
        e.op_name = sioc_cluster_op_name(c, s->op);
        e.result = r;
        e.code = e.message = e.detail = "";
        SIOC__M_CLOUD(c, error, (s, &e));
        e.will_retry = will_retry;
        sioc__copy_fixed(c->p_detail, sizeof c->p_detail, sioc_str_c(*e.detail ? e.detail : sioc_strerror(r)));
        c->p_desc.on_error(c->p_desc.user, &e);
    }
}

/* The slot's request failed for good: reported, the slot free. */
static void sioc__m_give_up(sioc_cluster *c, sioc__mslot *s, sioc_result r) {
    s->state = SIOC__MS_FREE;
    sioc__m_report(c, s, r, 0);
}

/* Capped exponential backoff with full jitter above a floor, never a hot loop (docs/DESIGN.md). Throttling waits
   at least 1 s (AWS) or 2 s (Azure) and any Retry-After; the first 401 is retried at once (a fresh signature or
   token), later ones back off like any failure. */
static void sioc__m_fail(sioc_cluster *c, sioc__mslot *s, sioc_result r, uint64_t now) {
    uint32_t floor = c->p_desc.backoff_floor_ms;
    sioc__m_report(c, s, r, 1);
    s->state = SIOC__MS_WAIT;
    if (r == SIOC_ERR_AUTH && !s->auth_retries) {
        s->auth_retries = 1;
        s->retry_at = now + floor;
        return;
    }
    s->attempts++;
    if (r == SIOC_ERR_THROTTLED) {
        uint32_t least = sioc__m_is_azure(c) ? 2000u : 1000u;
        if (floor < least) floor = least;
#if SIOC_ENABLE_AZURE
        if (sioc__m_is_azure(c)) {
            uint64_t ra = (uint64_t)s->call.azure.error.retry_after_s * 1000u;
            if (ra > floor) floor = ra > 600000u ? 600000u : (uint32_t)ra;
        }
#endif
    }
    s->retry_at = sioc__backoff_at(now, s->attempts, c->p_desc.backoff_base_ms, c->p_desc.backoff_cap_ms, floor,
                                   sioc__rand32(c->p_desc.random, c->p_desc.user));
}

/* Submit what the slot holds. A refusal no retry can cure (bad name, too large) is returned with the slot FREE;
   anything else (engine full, no connection yet) becomes a retry. */
static sioc_result sioc__m_submit(sioc_cluster *c, sioc__mslot *s, uint64_t now) {
    sioc_result r;
    c->p_stats.requests[s->op]++;
    s->sent_at = now;
    r = SIOC__M_CLOUD(c, start_call, (c, s, now));
    if (r == SIOC_OK) {
        s->state = SIOC__MS_BUSY;
        return SIOC_OK;
    }
    if (r == SIOC_ERR_ARG || r == SIOC_ERR_TOO_LARGE || r == SIOC_ERR_BUFFER_TOO_SMALL) {
        sioc__m_give_up(c, s, r);
        return r;
    }
    sioc__m_fail(c, s, r, now);
    return SIOC_OK;
}

#if SIOC_ENABLE_RECEIVE
/* A receive failed: 1 when its queue / subscription is gone (the cloud re-creates it), else a retry is set. */
static int sioc__m_recv_gone(sioc_cluster *c, sioc__mslot *s, sioc_result r, uint64_t now) {
    if (r != SIOC_ERR_NOT_FOUND) {
        sioc__m_fail(c, s, r, now);
        return 0;
    }
    sioc__m_give_up(c, s, r);
    return s->gen == c->p_gen; /* a receive sent before the last re-creation tells nothing new */
}
#endif

/* What a refusal for good means for each kind of slot. */
static void sioc__m_refused(sioc_cluster *c, sioc__mslot *s, sioc_result r) {
    if (s->kind == SIOC__MK_PUB) sioc__m_pub_outcome(c, s, 0, r);
    else if (SIOC_ENABLE_RECEIVE && s->kind == SIOC__MK_SETTLE) c->p_stats.settle_failed += s->count ? s->count : 1;
    else if (s->kind == SIOC__MK_CTL) c->p_state = c->p_state == SIOC_CLUSTER_CLOSING ? SIOC_CLUSTER_CLOSED
                                                                                   : SIOC_CLUSTER_FAILED;
}

static void sioc__m_go(sioc_cluster *c, sioc__mslot *s, int op, uint64_t now) {
    sioc_result r;
    s->op = op;
    s->attempts = 0;
    s->auth_retries = 0;
    r = sioc__m_submit(c, s, now);
    if (r != SIOC_OK) sioc__m_refused(c, s, r);
}

/* ---- node readiness, publish sequences, settle queue, recent ids ---- */

static void sioc__m_set_ready(sioc_cluster *c, int ready, uint64_t now) {
    if (c->p_node.state == SIOC_NODE_CLOSING || c->p_node.state == SIOC_NODE_CLOSED) return;
    if (c->p_node.ready != ready) (void)sioc_node_set_ready(&c->p_node, ready, now);
}

static void sioc__m_running(sioc_cluster *c, uint64_t now) {
    c->p_state = SIOC_CLUSTER_RUNNING;
#if SIOC_ENABLE_RECEIVE
    c->p_recv_at = c->p_quiet_at = 0; /* a new queue: receive at once */
    c->p_quiet = 0;
#endif
#if SIOC__M_JANITOR
    if (!c->p_jan_next) { /* the first look, once every live peer had time to be heard (fair election) */
        uint64_t wait = (uint64_t)c->p_desc.aws.orphan_check_s * 1000u, hb = sioc_node_desc_resolved(&c->p_desc.node).heartbeat_timeout_ms;
        c->p_jan_next = now + (wait > hb ? wait : hb);
    }
#endif
    sioc__m_set_ready(c, 1, now);
}

/* Something start-up made is gone: NOT_READY, start-up again at `step`. 0 (nothing done) unless RUNNING. */
static int sioc__m_lost(sioc_cluster *c, int what, int step, uint64_t now) {
    if (c->p_state != SIOC_CLUSTER_RUNNING) return 0;
    if (what & SIOC__M_LOST_TOPIC) {
        c->p_stats.restarts++;
        c->p_have_topic = 0;
    }
    if (what & SIOC__M_LOST_QUEUE) {
        c->p_stats.recreated++;
        c->p_gen++; /* receives still out for the old one may fail later: not a new loss */
        c->p_n_settles = 0;
    }
    sioc__m_set_ready(c, 0, now);
    c->p_state = SIOC_CLUSTER_STARTING;
    c->p_step = step;
    return 1;
}

/* The oldest n out messages leave the node with the next sequences: the first of them. */
static uint64_t sioc__m_take(sioc_cluster *c, size_t n) {
    uint64_t first = c->p_sent + 1u;
    c->p_sent += n;
    sioc_node_out_pop(&c->p_node, n);
    return first;
}

/* The oldest n out messages are in the slot's request now (it keeps them for retries). */
static void sioc__m_pub_taken(sioc_cluster *c, sioc__mslot *s, size_t n) {
    s->seq_first = sioc__m_take(c, n);
    s->count = n;
    s->accepted = 0;
}

/* Messages first .. first + n - 1 have an outcome: `accepted` of them were taken by the broker. */
static void sioc__m_outcome(sioc_cluster *c, uint64_t first, size_t n, size_t accepted, sioc_result r) {
    c->p_stats.published += accepted;
    c->p_stats.publish_failed += n - accepted;
    c->p_published_seq = first + n - 1u;
    if (c->p_desc.on_publish)
        c->p_desc.on_publish(c->p_desc.user, first, n, accepted == n ? SIOC_OK : (r ? r : SIOC_ERR_SERVER));
}

/* The slot's messages have an outcome: `accepted` of them were taken by the broker in this answer (besides those
   taken in earlier answers of a partial batch). */
static void sioc__m_pub_outcome(sioc_cluster *c, sioc__mslot *s, size_t accepted, sioc_result r) {
    size_t n = s->count;
    s->state = SIOC__MS_FREE;
    if (!n) return;
    accepted += s->accepted;
    s->count = 0;
    sioc__m_outcome(c, s->seq_first, n, accepted > n ? n : accepted, r);
}

/* A publish failed without an answer (timeout, reset, 5xx): the broker may have taken it. At-least-once sends it
   again (counted); at-most-once drops it. 1 when it was dropped. */
static int sioc__m_pub_ambiguous(sioc_cluster *c, sioc__mslot *s, sioc_result r) {
    if (r != SIOC_ERR_TIMEOUT && r != SIOC_ERR_CLOSED && r != SIOC_ERR_SERVER && r != SIOC_ERR_PROTOCOL) return 0;
    if (!c->p_desc.publish_at_most_once) {
        c->p_stats.ambiguous_retries++;
        return 0;
    }
    sioc__m_pub_drop(c, s, r);
    return 1;
}

/* The slot's messages are dropped for good (reported, none taken). */
static void sioc__m_pub_drop(sioc_cluster *c, sioc__mslot *s, sioc_result r) {
    sioc__m_report(c, s, r, 0);
    sioc__m_pub_outcome(c, s, 0, r);
}

/* The publish slot's messages and everything still queued in the node go nowhere (no topic, closing gave up). */
static void sioc__m_pub_abandon(sioc_cluster *c, sioc_result r) {
    sioc__mslot *pub = &c->p_slots[SIOC__M_PUB];
    size_t n;
    sioc__m_cancel(c, pub);
    sioc__m_pub_outcome(c, pub, 0, r);
    n = sioc_node_out_count(&c->p_node); /* on_publish may have queued more */
    if (n) sioc__m_outcome(c, sioc__m_take(c, n), n, 0, r);
}

#if SIOC_ENABLE_RECEIVE
static int sioc__m_settle_push(sioc_cluster *c, int op, sioc_str text, uint64_t deadline, uint64_t now) {
    sioc__msettle *e;
    if (!text.len || text.len > SIOC_CLUSTER_HANDLE_MAX || c->p_n_settles >= c->p_settle_cap) {
        c->p_stats.settle_failed++; /* it comes back after its visibility timeout / lock and is settled as seen */
        return 0;
    }
    e = (sioc__msettle *)c->p_settles + c->p_n_settles++;
    e->op = op;
    e->deadline = deadline;
    e->due = now + c->p_settle_hold;
    e->len = (uint16_t)text.len;
    memcpy(e->text, text.ptr, text.len);
    return 1;
}

static void sioc__m_settle_pop(sioc_cluster *c, size_t n) {
    sioc__msettle *q = (sioc__msettle *)c->p_settles;
    if (n > c->p_n_settles) n = c->p_n_settles;
    memmove(q, q + n, (c->p_n_settles - n) * sizeof *q);
    c->p_n_settles -= n;
}
#endif

/* A receive finished: when may the next one start? A full one (a backlog) is followed at once; otherwise the next
   starts receive_budget_ms after this one began, or receive_idle_ms after it ended when it brought heartbeats
   only (a quiet cluster). AWS only (a Service Bus receive takes one message). */
#if SIOC_ENABLE_RECEIVE && SIOC_ENABLE_AWS
static void sioc__m_paced(sioc_cluster *c, const sioc__mslot *s, int full, int quiet, uint64_t now) {
    if (!sioc__m_pacing(c) || full) {
        c->p_recv_at = c->p_quiet_at = 0;
        c->p_quiet = 0;
        return;
    }
    c->p_recv_at = s->sent_at + (uint32_t)c->p_desc.receive_budget_ms;
    c->p_quiet_at = now + (uint32_t)c->p_desc.receive_idle_ms;
    c->p_quiet = quiet;
}
#endif

/* Earliest start of the next publish (0: now): publish_budget_ms after the last one began unless a whole batch
   waits; never held while closing (ADAPTER_CLOSE and what precedes it go at once), nor without PublishBatch
   (SIOC_ENABLE_PUBLISH_BATCH 0: waiting would gather nothing). */
static uint64_t sioc__m_pub_due(const sioc_cluster *c) {
    if (!SIOC_ENABLE_PUBLISH_BATCH || sioc__m_is_azure(c) || c->p_desc.publish_budget_ms <= 0 ||
        c->p_state != SIOC_CLUSTER_RUNNING || sioc_node_out_count(&c->p_node) >= SIOC__M_BATCH)
        return 0;
    return c->p_slots[SIOC__M_PUB].sent_at + (uint32_t)c->p_desc.publish_budget_ms;
}

#if SIOC_ENABLE_RECEIVE
/* When the held settles must go: at once once a batch is full (or without pacing), else when the oldest is due. */
static uint64_t sioc__m_settle_due(const sioc_cluster *c) {
    const sioc__msettle *q = (const sioc__msettle *)c->p_settles;
    if (!c->p_n_settles || c->p_n_settles >= SIOC__M_BATCH) return 0;
    return q[0].due;
}

/* Earliest start of the next receive (0: now), UINT64_MAX while the settle queue has no room for what it may
   bring. A request of ours waiting for answers ends a quiet wait. */
static uint64_t sioc__m_recv_at(const sioc_cluster *c) {
    if (sioc__m_emitter(c) || !SIOC__M_CLOUD(c, can_receive, (c)) ||
        c->p_n_settles + c->p_per_receive * sioc__m_receives(&c->p_desc) > c->p_settle_cap)
        return UINT64_MAX;
    if (!sioc__m_pacing(c)) return 0;
    if (c->p_quiet && (!SIOC_ENABLE_REQUESTS || !sioc_node_pending_requests(&c->p_node))) return c->p_quiet_at;
    return c->p_recv_at;
}
#endif

#if SIOC_ENABLE_RECEIVE
/* A keyed 64-bit hash of a message id (FNV-1a over key and id; never 0). */
static uint64_t sioc__m_id_hash(const sioc_cluster *c, sioc_str id) {
    uint64_t h = sioc__fnv1a64(SIOC__FNV64_BASIS ^ c->p_hash_key, id.ptr, id.len);
    return h ? h : 1u;
}

/* 1 when `id` was seen recently (a redelivery); otherwise it is remembered. An entry pushed out while its message
   could still come back (younger than the lock / visibility timeout) is counted: the ring is too small. */
static int sioc__m_seen(sioc_cluster *c, sioc_str id, uint64_t now) {
    uint64_t h;
    uint32_t i, n = c->p_desc.recent_ids, now_s, window_s, ms;
    if (!id.len || !n) return 0;
    now_s = (uint32_t)sioc__udiv64(now, 1000u, &ms);
    h = sioc__m_id_hash(c, id);
    for (i = 0; i < n; i++)
        if (c->p_recent[i] == h) return 1;
    window_s = sioc__m_is_azure(c) ? (c->p_desc.azure.lock_duration_s ? c->p_desc.azure.lock_duration_s : 60u) : 30u;
    if (c->p_recent[c->p_recent_pos] && now_s - c->p_recent_at[c->p_recent_pos] < window_s) c->p_stats.dedup_short++;
    c->p_recent[c->p_recent_pos] = h;
    c->p_recent_at[c->p_recent_pos] = now_s;
    if (++c->p_recent_pos == n) c->p_recent_pos = 0;
    return 0;
}
#endif

/* ---- driving ---- */

SIOC_API sioc_result sioc_cluster_start(sioc_cluster *c, uint64_t now_ms) {
    if (!c || !c->p_mem) return SIOC_ERR_ARG;
    if (c->p_state != SIOC_CLUSTER_IDLE) return SIOC_ERR_STATE;
    c->p_state = SIOC_CLUSTER_STARTING;
    c->p_step = 0;
    SIOC__M_CLOUD(c, begin, (c));
    if (c->p_state == SIOC_CLUSTER_FAILED) return c->p_last_error;
    sioc_cluster_process(c, now_ms);
    return SIOC_OK;
}

SIOC_API sioc_result sioc_cluster_close(sioc_cluster *c, uint64_t now_ms) {
    size_t i;
    if (!c || !c->p_mem) return SIOC_ERR_ARG;
    if (c->p_state == SIOC_CLUSTER_CLOSING || c->p_state == SIOC_CLUSTER_CLOSED) return SIOC_OK;
    if (c->p_node.state != SIOC_NODE_CLOSING && c->p_node.state != SIOC_NODE_CLOSED)
        (void)sioc_node_close(&c->p_node, now_ms);
    /* no more receives or settles (the queue / subscription goes, its handles and locks with it); a start-up
       step in flight is abandoned; only the publish slot carries on */
    for (i = 0; i < c->p_n_slots; i++)
        if (i != SIOC__M_PUB) sioc__m_cancel(c, &c->p_slots[i]);
    c->p_n_settles = 0;
    if (c->p_state == SIOC_CLUSTER_IDLE || c->p_state == SIOC_CLUSTER_FAILED || !c->p_have_topic)
        sioc__m_pub_abandon(c, SIOC_ERR_CLOSED); /* nowhere to publish */
    if (c->p_state == SIOC_CLUSTER_IDLE) {
        c->p_state = SIOC_CLUSTER_CLOSED;
        return SIOC_OK;
    }
    c->p_state = SIOC_CLUSTER_CLOSING;
    c->p_step = SIOC__M_STEP_DRAIN;
    c->p_close_deadline = now_ms + c->p_desc.shutdown_timeout_ms;
    sioc_cluster_process(c, now_ms);
    return SIOC_OK;
}

static void sioc__m_collect(sioc_cluster *c, uint64_t now) {
    sioc__mslot *s;
    void *user;
    while ((user = SIOC__M_CLOUD(c, next, (c, now))) != NULL) {
        s = (sioc__mslot *)user;
        if (s < c->p_slots || s >= c->p_slots + c->p_n_slots || s->state != SIOC__MS_BUSY)
            continue; /* not ours: the client serves this member alone */
        switch (s->kind) {
        case SIOC__MK_CTL: SIOC__M_CLOUD(c, ctl_done, (c, s, now)); break;
        case SIOC__MK_PUB: SIOC__M_CLOUD(c, pub_done, (c, s, now)); break;
#if SIOC_ENABLE_RECEIVE
        case SIOC__MK_SETTLE: SIOC__M_CLOUD(c, settle_done, (c, s, now)); break;
#if SIOC__M_JANITOR
        case SIOC__MK_JANITOR: sioc__mjan_done(c, s, now); break;
#endif
        default: SIOC__M_CLOUD(c, recv_done, (c, s, now)); break;
#else
        default: break; /* an emitter has no other slots */
#endif
        }
    }
}

/* The states in which a slot kind's retry still goes out, 6 bits (one per sioc_cluster_state) per kind: start-up
   steps while STARTING, RUNNING or CLOSING, publishes until CLOSED or FAILED, the rest only while RUNNING. */
#define SIOC__M_RETRY_STATES                                                                                      \
    (0x0Eul << (6 * SIOC__MK_CTL) | 0x0Ful << (6 * SIOC__MK_PUB) | 0x04ul << (6 * SIOC__MK_SETTLE) |              \
     0x04ul << (6 * SIOC__MK_RECV) | 0x04ul << (6 * SIOC__MK_JANITOR))

/* Retries that are due. Receives and settles restart afresh once the queue or subscription changed; a
   start-up step is written again (a name may have changed meanwhile). */
static void sioc__m_retries(sioc_cluster *c, uint64_t now) {
    size_t i;
    for (i = 0; i < c->p_n_slots; i++) {
        sioc__mslot *s = &c->p_slots[i];
        sioc_result r;
        if (s->state != SIOC__MS_WAIT || now < s->retry_at) continue;
        if (!((SIOC__M_RETRY_STATES >> (s->kind * 6 + (int)c->p_state)) & 1u)) {
            if (SIOC_ENABLE_RECEIVE && s->kind == SIOC__MK_SETTLE) c->p_stats.settle_failed += s->count ? s->count : 1;
            if (SIOC__M_JANITOR && s->kind == SIOC__MK_JANITOR) c->p_jan_step = 0; /* the round starts over later */
            s->state = SIOC__MS_FREE;
            continue;
        }
        if (s->kind == SIOC__MK_CTL) {
            int att = s->attempts, ar = s->auth_retries;
            s->state = SIOC__MS_FREE;
            SIOC__M_CLOUD(c, ctl_step, (c, now));
            s->attempts = att;
            s->auth_retries = ar;
            continue;
        }
        r = sioc__m_submit(c, s, now);
        if (r != SIOC_OK) sioc__m_refused(c, s, r);
    }
}

/* While CLOSING: once the node is closed and its last message published (or the deadline passed), the cloud's
   clean-up steps run. */
static void sioc__m_drain(sioc_cluster *c, uint64_t now) {
    sioc__mslot *pub = &c->p_slots[SIOC__M_PUB];
    int drained = c->p_node.state == SIOC_NODE_CLOSED && pub->state == SIOC__MS_FREE;
    if (!drained && now < c->p_close_deadline) return;
    sioc__m_pub_abandon(c, SIOC_ERR_TIMEOUT); /* a free publish slot holds nothing */
    c->p_step = SIOC__M_STEP_CLEANUP;
    if (now >= c->p_close_deadline) c->p_close_deadline = now + 2000; /* a short try to clean up */
}

SIOC_API void sioc_cluster_process(sioc_cluster *c, uint64_t now_ms) {
    size_t i;
    if (!c || !c->p_mem || c->p_state == SIOC_CLUSTER_IDLE) return;
    sioc__m_collect(c, now_ms);
    sioc__m_retries(c, now_ms);
    sioc_node_tick(&c->p_node, now_ms);
    if (c->p_state == SIOC_CLUSTER_STARTING) SIOC__M_CLOUD(c, ctl_step, (c, now_ms));
    if ((c->p_state == SIOC_CLUSTER_RUNNING || c->p_state == SIOC_CLUSTER_CLOSING ||
         c->p_state == SIOC_CLUSTER_STARTING) && now_ms >= sioc__m_pub_due(c))
        SIOC__M_CLOUD(c, pub_start, (c, now_ms));
    if (c->p_state == SIOC_CLUSTER_RUNNING) {
#if SIOC_ENABLE_RECEIVE
        SIOC__M_CLOUD(c, settle_start, (c, now_ms));
        if (sioc__m_recv_at(c) <= now_ms && now_ms != UINT64_MAX)
            for (i = 0; i < c->p_n_slots; i++)
                if (c->p_slots[i].kind == SIOC__MK_RECV && c->p_slots[i].state == SIOC__MS_FREE)
                    SIOC__M_CLOUD(c, recv_start, (c, &c->p_slots[i], now_ms));
#else
        (void)i;
#endif
        SIOC__M_CLOUD(c, watch, (c, now_ms));
#if SIOC__M_JANITOR
        if (c->p_has_jan) sioc__mjan_step(c, now_ms);
#endif
    }
    if (c->p_state == SIOC_CLUSTER_CLOSING && c->p_step == SIOC__M_STEP_DRAIN) sioc__m_drain(c, now_ms);
    if (c->p_state == SIOC_CLUSTER_CLOSING && c->p_step >= SIOC__M_STEP_CLEANUP) SIOC__M_CLOUD(c, ctl_step, (c, now_ms));
}

static int sioc__m_finished_waiting(const sioc_cluster *c) {
#if SIOC_ENABLE_AWS
    if (!sioc__m_is_azure(c)) return sioc_aws_has_finished(&c->p_client.aws);
#endif
#if SIOC_ENABLE_AZURE
    if (sioc__m_is_azure(c)) return sioc_azure_has_finished(&c->p_client.azure);
#endif
    return 0;
}

SIOC_API uint64_t sioc_cluster_next_deadline(const sioc_cluster *c, uint64_t now_ms) {
    uint64_t d, h;
    size_t i;
    unsigned free_kinds = 0;
    if (!c || !c->p_mem) return UINT64_MAX;
    d = sioc_node_next_deadline(&c->p_node, now_ms);
    h = sioc_http_next_deadline(c->p_http);
    if (h < d) d = h;
    if (sioc_http_responses_ready(c->p_http) || sioc__m_finished_waiting(c)) return now_ms;
    if (c->p_state == SIOC_CLUSTER_IDLE || c->p_state == SIOC_CLUSTER_CLOSED || c->p_state == SIOC_CLUSTER_FAILED)
        return d;
    for (i = 0; i < c->p_n_slots; i++) {
        const sioc__mslot *s = &c->p_slots[i];
        if (s->state == SIOC__MS_WAIT && s->retry_at < d) d = s->retry_at;
        if (s->state == SIOC__MS_FREE) free_kinds |= 1u << s->kind;
    }
#if SIOC_ENABLE_RECEIVE /* a free settle slot and held settles; a free receive slot */
    if (c->p_state == SIOC_CLUSTER_RUNNING) {
        if ((free_kinds & (1u << SIOC__MK_SETTLE)) && c->p_n_settles && (h = sioc__m_settle_due(c)) < d) d = h;
        if ((free_kinds & (1u << SIOC__MK_RECV)) && (h = sioc__m_recv_at(c)) < d) d = h;
    }
#else
    (void)free_kinds;
#endif
    if (c->p_slots[SIOC__M_PUB].state == SIOC__MS_FREE && c->p_have_topic && sioc_node_out_count(&c->p_node)) {
        h = sioc__m_pub_due(c);
        if (h <= now_ms) return now_ms;
        if (h < d) d = h;
    }
    if (c->p_state == SIOC_CLUSTER_CLOSING && c->p_close_deadline < d) d = c->p_close_deadline;
    if (SIOC__M_JANITOR && c->p_has_jan && c->p_state == SIOC_CLUSTER_RUNNING && !c->p_jan_step && c->p_jan_next < d) d = c->p_jan_next;
    return d < now_ms ? now_ms : d;
}

SIOC_API int sioc_cluster_idle(const sioc_cluster *c) {
    if (!c || !c->p_mem) return 1;
    return sioc_node_out_count(&c->p_node) == 0 && c->p_slots[SIOC__M_PUB].state == SIOC__MS_FREE;
}

#if SIOC_ENABLE_POSIX
SIOC_API sioc_result sioc_cluster_run_posix(sioc_cluster *c, uint32_t max_wait_ms) {
    uint64_t now, d;
    uint32_t wait = max_wait_ms;
    if (!c || !c->p_mem) return SIOC_ERR_ARG;
    if (!(c->p_inited & 4)) return SIOC_ERR_STATE;
    now = sioc_posix_now_ms();
    sioc_cluster_process(c, now);
    if (c->p_state != SIOC_CLUSTER_CLOSED && c->p_state != SIOC_CLUSTER_FAILED) {
        d = sioc_cluster_next_deadline(c, now);
        if (d <= now) wait = 0;
        else if (d - now < wait) wait = (uint32_t)(d - now);
        (void)sioc_posix_wait(&c->p_px, now, wait); /* EINTR and friends: the next turn waits again */
        now = sioc_posix_now_ms();
        (void)sioc_posix_step(&c->p_px, now);
        sioc_cluster_process(c, now);
    }
    if (c->p_state == SIOC_CLUSTER_CLOSED) return SIOC_ERR_CLOSED;
    if (c->p_state == SIOC_CLUSTER_FAILED) return c->p_last_error < 0 ? c->p_last_error : SIOC_ERR_STATE;
    return SIOC_OK;
}

SIOC_API sioc_posix *sioc_cluster_posix(sioc_cluster *c) { return c && (c->p_inited & 4) ? &c->p_px : NULL; }
#endif

/* ---- accessors ---- */

SIOC_API sioc_node *sioc_cluster_node(sioc_cluster *c) { return c ? &c->p_node : NULL; }
SIOC_API sioc_http_client *sioc_cluster_http(sioc_cluster *c) { return c ? c->p_http : NULL; }
SIOC_API sioc_cluster_transport sioc_cluster_get_transport(const sioc_cluster *c) {
    return c ? c->p_transport : SIOC_CLUSTER_AUTO;
}
SIOC_API sioc_cluster_state sioc_cluster_get_state(const sioc_cluster *c) {
    return c ? c->p_state : SIOC_CLUSTER_CLOSED;
}
SIOC_API sioc_result sioc_cluster_last_error(const sioc_cluster *c) { return c ? c->p_last_error : SIOC_ERR_ARG; }
SIOC_API const char *sioc_cluster_last_detail(const sioc_cluster *c) { return c ? c->p_detail : ""; }
SIOC_API const sioc_cluster_stats *sioc_cluster_get_stats(const sioc_cluster *c) { return c ? &c->p_stats : NULL; }
SIOC_API const char *sioc_cluster_uid(const sioc_cluster *c) { return c ? c->p_node.uid : ""; }
SIOC_API const char *sioc_cluster_queue_name(const sioc_cluster *c) { return c ? c->p_name : ""; }
SIOC_API uint64_t sioc_cluster_queued_seq(const sioc_cluster *c) { return c ? c->p_node.counters.published : 0; }
SIOC_API uint64_t sioc_cluster_published_seq(const sioc_cluster *c) { return c ? c->p_published_seq : 0; }

SIOC_API const char *sioc_cluster_op_name(const sioc_cluster *c, int op) {
    if (!c || op < 0 || op >= SIOC_CLUSTER_OP_COUNT) return "?";
    return SIOC__M_CLOUD(c, op_name, (op));
}

SIOC_API const char *sioc_cluster_state_name(int state) {
    /* rows, not pointers: gc-sections drops them with the table (see sioc_node_event_name) */
    static const char names[][9] = {"IDLE", "STARTING", "RUNNING", "CLOSING", "CLOSED", "FAILED"};
    return state >= 0 && state < (int)SIOC__COUNT(names) ? names[state] : "?";
}

#if SIOC_ENABLE_AWS
SIOC_API void sioc_cluster_set_aws_credentials(sioc_cluster *c, const sioc_sigv4_credentials *creds) {
    if (c && (c->p_inited & 2) && c->p_transport == SIOC_CLUSTER_AWS) sioc_aws_set_credentials(&c->p_client.aws, creds);
}
#endif

#endif /* SIOC_ENABLE_AWS || SIOC_ENABLE_AZURE */
/* ---- src/member_aws.c ---- */
/* ---- member_aws: the member's requests over SNS + SQS (member.h; docs/AWS.md §2, §4, §6) ----
   Start-up steps, Publish / PublishBatch (SIOC_ENABLE_PUBLISH_BATCH) from the node's out queue,
   DeleteMessageBatch of everything received, long-poll ReceiveMessage and the hand-over of each message to the
   node. Slots, retries and deadlines are member.c's. */

#if SIOC_ENABLE_AWS

/* start-up steps; clean-up steps follow member.c's SIOC__M_STEP_CLEANUP */
enum {
    SIOC__MAWS_S_TOPIC = 0,
    SIOC__MAWS_S_QUEUE,
    SIOC__MAWS_S_ARN,
    SIOC__MAWS_S_POLICY,
    SIOC__MAWS_S_UNSUB_OLD,
    SIOC__MAWS_S_SUBSCRIBE,
    SIOC__MAWS_S_DONE,
    SIOC__MAWS_S_RESUBSCRIBE, /* RUNNING: Subscribe again to check the subscription still exists */
    SIOC__MAWS_S_DELQ = SIOC__M_STEP_CLEANUP,
    SIOC__MAWS_S_UNSUB
};

#define SIOC__MAWS_CTL_BODY 4096u /* a start-up request without tags: 2 KB at most (300-byte ARNs, percent-encoded) */
#define SIOC__MAWS_DEL_BODY (SIOC_AWS_MAX_BATCH * (SIOC_CLUSTER_HANDLE_MAX + 64) + 2 * SIOC_CLUSTER_ARN_MAX)
#define SIOC__MAWS_RECV_BODY 2048u
#define SIOC__MAWS_TAIL 4096u /* the end of a reply too large to read, kept to find its receipt handle */
#if SIOC_ENABLE_PUBLISH_BATCH
#define SIOC__MAWS_PUB_KEYS 16384u /* the form keys of 10 entries around the messages, the topic ARN */
#define SIOC__MAWS_PUB_REPLY(r) (r)
#else /* one Publish: 4 attributes' keys (~500 B) and the ARN percent-encoded; its reply is ~400 B */
#define SIOC__MAWS_PUB_KEYS 4096u
#define SIOC__MAWS_PUB_REPLY(r) SIOC__MIN((r), (size_t)4096u)
#endif

static const char *const sioc__maws_ops[SIOC_CLUSTER_OP_COUNT] = {
    "GetTopic", "CreateTopic", "CreateQueue", "GetQueueAttributes", "SetQueueAttributes", "Subscribe",
    "ReceiveMessage", "DeleteMessageBatch", "Unlock", "Publish", "PublishBatch", "DeleteQueue", "Unsubscribe",
    "ListQueues", "ListQueueTags", "ListSubscriptionsByTopic"};

static const char *sioc__maws_op_name(int op) { return sioc__maws_ops[op]; }

/* The adapter's message attributes: nsp, uid, then requesterUid and data when present. */
static const sioc_str sioc__maws_attr_names[4] = {{"nsp", 3}, {"uid", 3}, {"requesterUid", 12}, {"data", 4}};

#if SIOC_ENABLE_RECEIVE || SIOC_ENABLE_PUBLISH_BATCH
/* Batch entry ids only need to be unique in their batch (docs/AWS.md §3.2): "m0" .. "m9". */
static sioc_str sioc__maws_id(size_t i) {
    static const char ids[] = "m0m1m2m3m4m5m6m7m8m9";
    return sioc_str_n(ids + 2u * i, 2);
}
#endif

static sioc_result sioc__maws_layout(const sioc_cluster_desc *d, sioc__mlayout *l) {
    const sioc_cluster_aws_opts *a = &d->aws;
    size_t max_msg = d->node.max_message_size, reply = d->reply_buffer_size, i;
    size_t ctl = SIOC__MAWS_CTL_BODY; /* and every tag, escaped (JSON \u00XX takes 6 bytes, a %XX 3) */
    if (a->max_messages < 1 || a->max_messages > 10 || a->wait_time_s > 20 || a->retention_s < 60 ||
        a->retention_s > 1209600 || strlen(d->topic_name) > 256 || strlen(d->prefix) > 60 ||
        a->receive_buffer_size < 4096)
        return SIOC_ERR_ARG;
    for (i = 0; i < a->n_tags + a->n_topic_tags; i++) {
        const sioc_aws_kv *t = i < a->n_tags ? &a->tags[i] : &a->topic_tags[i - a->n_tags];
        ctl += 6u * (t->key.len + t->value.len) + 96u;
    }
    l->body[SIOC__MK_CTL] = ctl, l->reply[SIOC__MK_CTL] = reply;
    /* the largest batch (the message size in all), base64 (4/3), then percent-encoded (+ / = take 3 bytes), with
       the attribute names, entry keys and topic ARN around it */
    l->body[SIOC__MK_PUB] = 4u * max_msg + SIOC__MAWS_PUB_KEYS, l->reply[SIOC__MK_PUB] = SIOC__MAWS_PUB_REPLY(reply);
    l->n_settle_slots = 1, l->body[SIOC__MK_SETTLE] = SIOC__MAWS_DEL_BODY, l->reply[SIOC__MK_SETTLE] = reply;
    l->body[SIOC__MK_RECV] = SIOC__MAWS_RECV_BODY, l->reply[SIOC__MK_RECV] = a->receive_buffer_size;
    /* a full delete batch and what the receives in flight may bring (a ReceiveMessage waits for that room) */
    l->settle_cap = SIOC_AWS_MAX_BATCH + (size_t)d->receives_in_flight * (size_t)a->max_messages;
    l->per_receive = (size_t)a->max_messages;
    l->toks = 64u + 128u * (size_t)a->max_messages; /* about 50 per message with its four attributes */
    l->scratch = SIOC__MAX((size_t)a->receive_buffer_size, reply);
    if (SIOC__M_JANITOR && !a->no_orphan_cleanup) { /* pages of 100 queues or subscriptions */
        l->body[SIOC__MK_JANITOR] = 4096u, l->reply[SIOC__MK_JANITOR] = 65536u;
        l->scratch = SIOC__MAX(l->scratch, (size_t)65536u);
        l->toks = SIOC__MAX(l->toks, (size_t)512u);
    }
    return SIOC_OK;
}

static sioc_aws_client *sioc__maws_client(sioc_cluster *c) { return &c->p_client.aws; }

static const sioc_aws_service sioc__maws_svc[SIOC_CLUSTER_OP_COUNT] = {
    SIOC_AWS_SNS, SIOC_AWS_SNS, SIOC_AWS_SQS, SIOC_AWS_SQS, SIOC_AWS_SQS, SIOC_AWS_SNS, SIOC_AWS_SQS,
    SIOC_AWS_SQS, SIOC_AWS_SQS, SIOC_AWS_SNS, SIOC_AWS_SNS, SIOC_AWS_SQS, SIOC_AWS_SNS,
    SIOC_AWS_SQS, SIOC_AWS_SQS, SIOC_AWS_SNS};

/* Sign and send the body already written into the slot. */
static sioc_result sioc__maws_start_call(sioc_cluster *c, sioc__mslot *s, uint64_t now) {
    sioc_aws_call *call = &s->call.aws;
    call->timeout_ms = c->p_desc.request_timeout_ms;
    if (s->op == SIOC_CLUSTER_OP_RECEIVE) call->timeout_ms = (uint32_t)c->p_desc.aws.wait_time_s * 1000u + 10000u;
    call->user = s;
    return sioc_aws_submit(sioc__maws_client(c), call, sioc__maws_svc[s->op], sioc__maws_ops[s->op], s->body_len,
                           now);
}

/* The user pointer (its slot) of the next finished call, NULL when none. */
static void *sioc__maws_next(sioc_cluster *c, uint64_t now) {
    sioc_aws_call *done = NULL;
    return sioc_aws_next(sioc__maws_client(c), now, &done) == SIOC_OK ? done->user : NULL;
}

static sioc_result sioc__maws_client_init(sioc_cluster *c) {
    const sioc_cluster_desc *d = &c->p_desc;
    sioc_aws_desc ad;
    memset(&ad, 0, sizeof ad);
    ad.region = d->aws.region;
    ad.credentials = d->aws.credentials;
    ad.sns_endpoint = d->aws.sns_endpoint, ad.sqs_endpoint = d->aws.sqs_endpoint;
    ad.utc_now = d->utc_now, ad.user = d->user, ad.http = d->http;
    ad.publish_at_most_once = d->publish_at_most_once;
    if (ad.region && ad.credentials.access_key_id.len && ad.credentials.secret_access_key.len) {
        sioc_result r = sioc_aws_client_init(sioc__maws_client(c), &ad);
        if (r != SIOC_OK) /* the client logged it; kept for sioc_cluster_last_detail */
            sioc__copy_fixed(c->p_detail, sizeof c->p_detail, sioc_str_c(sioc__maws_client(c)->detail));
        return r;
    }
    sioc__m_log(c, d, SIOC__M_TEXT("sioc_cluster: AWS region or credentials missing (AWS_ACCESS_KEY_ID, AWS_SECRET_ACCESS_KEY)"));
    return SIOC_ERR_NOT_FOUND;
}

static void sioc__maws_cancel(sioc_cluster *c, sioc__mslot *s) {
    (void)sioc_aws_cancel(sioc__maws_client(c), &s->call.aws);
}

static void sioc__maws_error(const sioc__mslot *s, sioc_cluster_error *e) {
    const sioc_aws_call *call = &s->call.aws;
    e->status = call->status;
    e->code = call->error.code;
    e->message = call->error.message;
    e->detail = call->detail;
}

#if SIOC_ENABLE_RECEIVE
static int sioc__maws_can_receive(const sioc_cluster *c) { return c->p_queue_url[0] != 0; }
#endif

/* Write body `b` into the slot and send it as op. */
static void sioc__maws_go(sioc_cluster *c, sioc__mslot *s, int op, const sioc_buf *b, uint64_t now) {
    s->body_len = b->len;
    sioc__m_go(c, s, op, now);
}

/* ---- start-up and shutdown steps (ctl slot) ---- */

static void sioc__maws_queue_name(sioc_cluster *c, int fresh) {
    sioc_buf b;
    sioc_buf_init(&b, c->p_name, sizeof c->p_name - 1);
    sioc_buf_puts(&b, c->p_desc.prefix);
    sioc_buf_putc(&b, '-');
    if (!fresh) {
        sioc_buf_put(&b, c->p_node.uid, c->p_node.uid_len);
    } else { /* a re-created queue gets a new name: SQS refuses a deleted name for 60 s */
        uint8_t r[8];
        char hex[2 * sizeof r + 1];
        (void)c->p_desc.random(c->p_desc.user, r, sizeof r);
        (void)sioc_hex_encode(r, sizeof r, hex, sizeof hex);
        sioc_buf_put(&b, hex, 2 * sizeof r);
    }
    c->p_name[SIOC__MIN(b.len, sizeof c->p_name - 1)] = 0;
}

static void sioc__maws_begin(sioc_cluster *c) {
    if (!sioc__m_emitter(c)) sioc__maws_queue_name(c, 0);
    c->p_step = SIOC__MAWS_S_TOPIC;
}

#if SIOC_ENABLE_RECEIVE
/* Default queue tags name the cluster and the member, and whether it cleans up orphans (docs/AWS.md §2.4); the
   cluster's name is cut at 127 bytes. Fills tags[3], returns their count, *tp the tags to send. */
static size_t sioc__maws_tags(sioc_cluster *c, sioc_aws_kv *tags, const sioc_aws_kv **tp) {
    size_t tl = strlen(c->p_desc.topic_name);
    *tp = c->p_desc.aws.tags;
    if (*tp && c->p_desc.aws.n_tags) return c->p_desc.aws.n_tags;
    tags[0].key = sioc_str_n("sioc-cluster", 12);
    tags[0].value = sioc_str_n(c->p_desc.topic_name, SIOC__MIN(tl, (size_t)127));
    tags[1].key = sioc_str_n("sioc-node", 9);
    tags[1].value = sioc_str_n(c->p_node.uid, c->p_node.uid_len);
    tags[2].key = sioc_str_n("sioc-janitor", 12);
    tags[2].value = sioc_str_n("1", 1);
    *tp = tags;
    return SIOC__M_JANITOR && c->p_has_jan ? 3 : 2;
}

static sioc_result sioc__maws_write_subscribe(sioc_cluster *c, sioc_buf *b) {
    char fp[3 * SIOC_NODE_ID_MAX + 96];
    sioc_buf fb;
    sioc_buf_init(&fb, fp, sizeof fp - 1);
    if (!c->p_desc.aws.no_filter_policy) { /* docs/AWS.md §6: no own echoes, no responses for others */
        sioc_buf_puts(&fb, "{\"uid\":[{\"anything-but\":[\"");
        sioc_buf_put(&fb, c->p_node.uid, c->p_node.uid_len);
        sioc_buf_puts(&fb, "\"]}],\"requesterUid\":[\"");
        sioc_buf_put(&fb, c->p_node.uid, c->p_node.uid_len);
        sioc_buf_puts(&fb, "\",{\"exists\":false}]}");
    }
    fp[fb.len] = 0;
    return sioc_sns_write_subscribe(b, sioc_str_c(c->p_topic), sioc_str_c(c->p_queue_arn), sioc_str_c(fp));
}
#endif

/* The request of the current step, or a step skipped when it has nothing to do. */
static void sioc__maws_ctl_step(sioc_cluster *c, uint64_t now) {
    sioc__mslot *s = &c->p_slots[SIOC__M_CTL];
#if SIOC_ENABLE_RECEIVE
    sioc_str url;
#endif
    sioc_buf b;
    sioc_result r = SIOC_OK;
    int op = -1;
    if (s->state != SIOC__MS_FREE) return;
    /* steps with nothing to do: no old subscription, no queue or subscription left to delete (an emitter has
       neither) */
#if SIOC_ENABLE_RECEIVE
    if (c->p_step == SIOC__MAWS_S_UNSUB_OLD && !c->p_old_sub[0]) c->p_step = SIOC__MAWS_S_SUBSCRIBE;
    if (c->p_step == SIOC__MAWS_S_DELQ && !c->p_queue_url[0]) c->p_step = SIOC__MAWS_S_UNSUB;
    if (c->p_step == SIOC__MAWS_S_UNSUB && !c->p_sub_arn[0]) {
#else
    if (c->p_step >= SIOC__MAWS_S_DELQ) {
#endif
        c->p_state = SIOC_CLUSTER_CLOSED;
        return;
    }
#if SIOC_ENABLE_RECEIVE
    url = sioc_str_c(c->p_queue_url);
#endif
    sioc_buf_init(&b, s->call.aws.body_mem, s->call.aws.body_cap);
    switch (c->p_step) {
    case SIOC__MAWS_S_TOPIC:
        op = SIOC_CLUSTER_OP_CREATE_TOPIC;
        r = sioc_sns_write_create_topic(&b, sioc_str_c(c->p_desc.topic_name), c->p_desc.aws.topic_tags,
                                        c->p_desc.aws.n_topic_tags);
        break;
#if SIOC_ENABLE_RECEIVE /* an emitter has the topic alone */
    case SIOC__MAWS_S_QUEUE: {
        char ret[16];
        sioc_aws_kv at, tags[3];
        const sioc_aws_kv *tp;
        size_t nt = sioc__maws_tags(c, tags, &tp);
        sioc_buf rb;
        sioc_buf_init(&rb, ret, sizeof ret);
        sioc_buf_put_u64(&rb, c->p_desc.aws.retention_s);
        at.key = sioc_str_n("MessageRetentionPeriod", 22);
        at.value = sioc_str_n(ret, rb.len);
        op = SIOC_CLUSTER_OP_CREATE_QUEUE;
        r = sioc_sqs_write_create_queue(&b, sioc_str_c(c->p_name), &at, 1, tp, nt);
        break;
    }
    case SIOC__MAWS_S_ARN: {
        sioc_str name = sioc_str_c("QueueArn");
        op = SIOC_CLUSTER_OP_QUEUE_ARN;
        r = sioc_sqs_write_get_queue_attributes(&b, url, &name, 1);
        break;
    }
    case SIOC__MAWS_S_POLICY:
        op = SIOC_CLUSTER_OP_QUEUE_POLICY;
        r = sioc_sqs_write_set_queue_policy(&b, url, sioc_str_c(c->p_queue_arn), sioc_str_c(c->p_topic));
        break;
    case SIOC__MAWS_S_SUBSCRIBE:
    case SIOC__MAWS_S_RESUBSCRIBE:
        op = SIOC_CLUSTER_OP_SUBSCRIBE;
        r = sioc__maws_write_subscribe(c, &b);
        break;
    case SIOC__MAWS_S_DELQ:
        op = SIOC_CLUSTER_OP_DELETE_QUEUE;
        r = sioc_sqs_write_queue_url(&b, url);
        break;
    case SIOC__MAWS_S_UNSUB_OLD:
    case SIOC__MAWS_S_UNSUB:
        op = SIOC_CLUSTER_OP_UNSUBSCRIBE;
        r = sioc_sns_write_unsubscribe(&b, sioc_str_c(c->p_step == SIOC__MAWS_S_UNSUB ? c->p_sub_arn : c->p_old_sub));
        break;
#endif
    default:
        return;
    }
    if (r != SIOC_OK) { /* a name or ARN the writers refuse: nothing to retry */
        c->p_last_error = r;
        c->p_state = c->p_state == SIOC_CLUSTER_CLOSING ? SIOC_CLUSTER_CLOSED : SIOC_CLUSTER_FAILED;
        return;
    }
    sioc__maws_go(c, s, op, &b, now);
}

#if SIOC_ENABLE_RECEIVE
/* The queue is gone (QueueDoesNotExist): a new queue (new name) and subscription, the old one removed. */
static void sioc__maws_queue_lost(sioc_cluster *c, uint64_t now) {
    if (!sioc__m_lost(c, SIOC__M_LOST_QUEUE, SIOC__MAWS_S_QUEUE, now)) return;
    memcpy(c->p_old_sub, c->p_sub_arn, sizeof c->p_old_sub);
    c->p_sub_arn[0] = 0;
    c->p_queue_url[0] = 0;
    sioc__maws_queue_name(c, 1);
}
#endif

/* The topic is gone (NotFound on Publish): start-up again; the queue (and its receipt handles) stays ours. */
static void sioc__maws_topic_lost(sioc_cluster *c, uint64_t now) {
    if (!sioc__m_lost(c, SIOC__M_LOST_TOPIC, SIOC__MAWS_S_TOPIC, now)) return;
    c->p_topic[0] = 0;
    if (!SIOC_ENABLE_RECEIVE) return; /* an emitter has no subscription */
    memcpy(c->p_old_sub, c->p_sub_arn, sizeof c->p_old_sub);
    c->p_sub_arn[0] = 0;
}

#if SIOC_ENABLE_RECEIVE
static sioc_result sioc__maws_json(sioc_cluster *c, const sioc_aws_call *call, sioc_json *doc) {
    return sioc_json_parse(doc, (const char *)call->reply.ptr, call->reply.len, c->p_toks, c->p_n_toks);
}
#endif

#if SIOC_ENABLE_RECEIVE
/* A clean-up step finished: gone already counts as done; a failure is retried until the close deadline. */
static void sioc__maws_cleanup_done(sioc_cluster *c, sioc__mslot *s, uint64_t now) {
    sioc_result r = s->call.aws.result;
    if (r != SIOC_OK && r != SIOC_ERR_NOT_FOUND) {
        if (now < c->p_close_deadline) {
            sioc__m_fail(c, s, r, now);
            return;
        }
        sioc__m_report(c, s, r, 0);
    }
    s->state = SIOC__MS_FREE;
    if (c->p_step == SIOC__MAWS_S_DELQ) {
        if (r == SIOC_OK || r == SIOC_ERR_NOT_FOUND) c->p_name[0] = 0; /* no queue any more (as Azure) */
        c->p_queue_url[0] = 0;
        c->p_step = SIOC__MAWS_S_UNSUB;
    } else {
        c->p_sub_arn[0] = 0;
        c->p_state = SIOC_CLUSTER_CLOSED;
    }
}

#endif

/* Read what the step's reply tells (ARNs, URL). */
static sioc_result sioc__maws_ctl_read(sioc_cluster *c, const sioc_aws_call *call) {
    sioc_buf sb;
    sioc_str v;
    char *to = c->p_topic; /* every ARN and URL field holds SIOC_CLUSTER_ARN_MAX */
    sioc_result r = SIOC_OK;
    const char *xml = (const char *)call->reply.ptr;
#if SIOC_ENABLE_RECEIVE
    sioc_json doc;
    if (c->p_step == SIOC__MAWS_S_QUEUE || c->p_step == SIOC__MAWS_S_ARN) r = sioc__maws_json(c, call, &doc);
#endif
    sioc_buf_init(&sb, c->p_scratch, c->p_scratch_size);
    if (r != SIOC_OK) return r;
    switch (c->p_step) {
    case SIOC__MAWS_S_TOPIC:
        r = sioc_sns_parse_create_topic(xml, call->reply.len, &sb, &v);
        if (r == SIOC_OK) c->p_have_topic = 1;
        break;
#if SIOC_ENABLE_RECEIVE
    case SIOC__MAWS_S_QUEUE:
        r = sioc_sqs_parse_create_queue(&doc, &sb, &v);
        to = c->p_queue_url;
        break;
    case SIOC__MAWS_S_ARN:
        r = sioc_sqs_parse_queue_attribute(&doc, "QueueArn", &sb, &v);
        to = c->p_queue_arn;
        break;
    case SIOC__MAWS_S_SUBSCRIBE:
    case SIOC__MAWS_S_RESUBSCRIBE:
        r = sioc_sns_parse_subscribe(xml, call->reply.len, &sb, &v);
        to = c->p_sub_arn;
        break;
#endif
    default:
        return r;
    }
    if (r == SIOC_OK) sioc__copy_fixed(to, SIOC_CLUSTER_ARN_MAX, v);
    return r;
}

/* The next step after a successful one; RUNNING after the last. */
static void sioc__maws_advance(sioc_cluster *c, uint64_t now) {
    if (c->p_step == SIOC__MAWS_S_UNSUB_OLD) c->p_old_sub[0] = 0;
    if (!SIOC_ENABLE_RECEIVE || (c->p_step == SIOC__MAWS_S_TOPIC && sioc__m_emitter(c))) c->p_step = SIOC__MAWS_S_DONE;
    else if (c->p_step == SIOC__MAWS_S_TOPIC && c->p_queue_url[0] && c->p_queue_arn[0])
        c->p_step = SIOC__MAWS_S_UNSUB_OLD; /* restart after a lost topic: the queue is still ours */
    else if (c->p_step == SIOC__MAWS_S_QUEUE) c->p_queue_arn[0] = 0, c->p_step = SIOC__MAWS_S_ARN;
    else c->p_step++;
    if (c->p_step == SIOC__MAWS_S_DONE) sioc__m_running(c, now);
}

#if SIOC_ENABLE_RECEIVE
/* The subscription check while RUNNING: SNS answers a repeated Subscribe with the existing subscription, or makes
   a new one when the old one died (with a deleted and re-created topic); a topic that is gone starts over. */
static void sioc__maws_resubscribed(sioc_cluster *c, sioc__mslot *s, uint64_t now) {
    sioc_aws_call *call = &s->call.aws;
    char old[SIOC_CLUSTER_ARN_MAX];
    s->state = SIOC__MS_FREE;
    c->p_step = SIOC__MAWS_S_DONE;
    if (call->result == SIOC_ERR_NOT_FOUND) {
        sioc__m_report(c, s, call->result, 0);
        sioc__maws_topic_lost(c, now);
        return;
    }
    memcpy(old, c->p_sub_arn, sizeof old);
    if (call->result != SIOC_OK || sioc__maws_ctl_read(c, call) != SIOC_OK) {
        if (call->result != SIOC_OK) sioc__m_report(c, s, call->result, 0); /* looked at again at the next check */
        return;
    }
    if (sioc__strcmp(old, c->p_sub_arn) != 0) c->p_stats.recreated++; /* it was gone: messages flow again */
}
#endif

/* While RUNNING, check the subscription when peers went silent (their messages may no longer reach us: the topic
   was deleted and re-created, taking our subscription along) and every subscription_check_s. */
static void sioc__maws_watch(sioc_cluster *c, uint64_t now) {
    uint64_t expired = c->p_node.counters.peers_expired, next;
    sioc__mslot *s = &c->p_slots[SIOC__M_CTL];
    if (c->p_state != SIOC_CLUSTER_RUNNING || sioc__m_emitter(c) || s->state != SIOC__MS_FREE) return;
    next = now + (uint64_t)c->p_desc.aws.subscription_check_s * 1000u;
    if (!c->p_sub_check_at) c->p_sub_check_at = next;
    if (expired == c->p_seen_expired && now < c->p_sub_check_at) return;
    c->p_seen_expired = expired;
    c->p_sub_check_at = next;
    c->p_step = SIOC__MAWS_S_RESUBSCRIBE;
    sioc__maws_ctl_step(c, now);
}

static void sioc__maws_ctl_done(sioc_cluster *c, sioc__mslot *s, uint64_t now) {
    sioc_aws_call *call = &s->call.aws;
    sioc_result r = call->result;
    int op = s->op;
#if SIOC_ENABLE_RECEIVE /* an emitter sends start-up steps only while STARTING (it has nothing to clean up) */
    if (c->p_state == SIOC_CLUSTER_CLOSING) {
        sioc__maws_cleanup_done(c, s, now);
        return;
    }
    if (c->p_state == SIOC_CLUSTER_RUNNING) {
        sioc__maws_resubscribed(c, s, now);
        return;
    }
#endif
    if (r == SIOC_OK) {
        r = sioc__maws_ctl_read(c, call);
        if (r != SIOC_OK) { /* a 2xx we cannot read: retry as if it had failed */
            call->result = r;
            sioc__m_fail(c, s, r, now);
            return;
        }
        s->state = SIOC__MS_FREE;
        sioc__maws_advance(c, now);
        return;
    }
    if (r == SIOC_ERR_NOT_FOUND) {
#if SIOC_ENABLE_RECEIVE /* an emitter's one step is CreateTopic */
        if (op == SIOC_CLUSTER_OP_UNSUBSCRIBE) { /* the old subscription is gone already: fine */
            s->state = SIOC__MS_FREE;
            c->p_old_sub[0] = 0;
            c->p_step = SIOC__MAWS_S_SUBSCRIBE;
            return;
        }
        /* the queue vanished between steps, or the topic did */
        if (op == SIOC_CLUSTER_OP_SUBSCRIBE && sioc__strcmp(call->error.code, "NotFound") == 0) {
            c->p_step = SIOC__MAWS_S_TOPIC;
        } else if (op != SIOC_CLUSTER_OP_CREATE_TOPIC) {
            sioc__maws_queue_name(c, 1);
            c->p_step = SIOC__MAWS_S_QUEUE;
        }
#else
        (void)op;
#endif
        sioc__m_fail(c, s, r, now);
        s->attempts = 0;
        return;
    }
    if (r == SIOC_ERR_AUTH || r == SIOC_ERR_HTTP_STATUS) { /* docs/AWS.md §4: report, do not retry blindly */
        sioc__m_give_up(c, s, r);
        c->p_state = SIOC_CLUSTER_FAILED;
        return;
    }
    sioc__m_fail(c, s, r, now);
}

#if SIOC_ENABLE_RECEIVE
/* ---- receiving ---- */

/* 1 when SQS sent no MD5OfBody or it matches the body (a corrupted message is dropped, counted and deleted), or
   the check is compiled out (SIOC_ENABLE_MD5_CHECK 0). */
static int sioc__maws_md5_ok(const sioc_sqs_message *m) {
    uint8_t md[SIOC_MD5_LEN];
    char hex[2 * SIOC_MD5_LEN + 1];
    size_t i;
    if (!m->md5_of_body.len || !SIOC_ENABLE_MD5_CHECK) return 1;
    sioc_md5(m->body.ptr, m->body.len, md);
    if (m->md5_of_body.len != 2 * SIOC_MD5_LEN || sioc_hex_encode(md, sizeof md, hex, sizeof hex) != SIOC_OK) return 0;
    for (i = 0; i < 2 * SIOC_MD5_LEN; i++)
        if (sioc__to_lower(m->md5_of_body.ptr[i]) != hex[i]) return 0;
    return 1;
}

/* One message: to the node unless seen before or corrupted; deleted either way. 1 when it was a HEARTBEAT (type
   2: the SNS Message is the decimal type), for pacing. */
/* A message received: counted (bad: dropped as well), and deleted by its receipt handle h (n bytes) when it has
   one (found). */
static void sioc__maws_done_with(sioc_cluster *c, int bad, const char *h, size_t n, int found, uint64_t now) {
    c->p_stats.received++;
    c->p_stats.bad_messages += (unsigned)bad;
    if (found) (void)sioc__m_settle_push(c, SIOC_CLUSTER_OP_SETTLE, sioc_str_n(h, n), 0, now);
}

static int sioc__maws_handle(sioc_cluster *c, const sioc_sqs_message *m, uint64_t now) {
    int bad = 0;
    if (!sioc__maws_md5_ok(m)) {
        bad = 1;
        c->p_stats.checksum_failed++;
    } else if (sioc__m_seen(c, m->message_id, now)) {
        c->p_stats.redelivered++;
    } else {
        sioc_msg_envelope env;
        sioc_str *sv[3];
        size_t i, k;
        memset(&env, 0, sizeof env);
        env.body = m->body;
        sv[0] = &env.nsp, sv[1] = &env.uid, sv[2] = &env.requester_uid;
        for (i = 0; i < m->attr_count; i++) { /* the adapter's attributes by name and type; the last one counts */
            const sioc_aws_attr *a = &m->attrs[i];
            for (k = 0; k < 4 && !sioc_str_eq(a->name, sioc__maws_attr_names[k]); k++) {}
            if (k == 3 && a->type == SIOC_AWS_ATTR_BINARY) env.data = a->value;
            if (k < 3 && a->type == SIOC_AWS_ATTR_STRING)
                sv[k]->ptr = a->value.ptr ? (const char *)a->value.ptr : "", sv[k]->len = a->value.len;
        }
        bad = sioc_node_receive_aws(&c->p_node, &env, now) != SIOC_OK;
    }
    sioc__maws_done_with(c, bad, m->receipt_handle.ptr, m->receipt_handle.len, 1, now);
    return m->body.len == 1 && m->body.ptr[0] == '2';
}

/* The reply did not parse as a whole (a bad message among good ones): take each message alone, so only the bad
   one is dropped (and still deleted). */
static void sioc__maws_one_by_one(sioc_cluster *c, const sioc_json *doc, uint64_t now) {
    int arr = sioc_json_find(doc, 0, "Messages"), el;
    for (el = sioc_json_first(doc, arr); el >= 0; el = sioc_json_next(doc, el)) {
        sioc_buf sb;
        sioc_sqs_message m;
        size_t n = 0;
        char h[SIOC_CLUSTER_HANDLE_MAX + 1];
        int ht;
        sioc_buf_init(&sb, c->p_scratch, c->p_scratch_size);
        if (sioc_sqs_parse_message(doc, el, &sb, &m) == SIOC_OK) {
            (void)sioc__maws_handle(c, &m, now);
            continue;
        }
        /* undecodable: count it and delete it by its receipt handle if it has one */
        ht = sioc_json_find(doc, el, "ReceiptHandle");
        ht = ht >= 0 && sioc_json_get_str(doc, ht, h, sizeof h, &n) == SIOC_OK;
        sioc__maws_done_with(c, 1, h, n, ht, now);
    }
}

/* The receipt handle in a reply (JSON string after "ReceiptHandle"), searched in [p, p + n); 0 when not there. */
static size_t sioc__maws_find_handle(const uint8_t *p, size_t n, char *out, size_t cap) {
    static const char key[] = "\"ReceiptHandle\":\"";
    size_t k = sizeof key - 1, i, o = 0;
    for (i = 0; i + k <= n; i++) {
        if (memcmp(p + i, key, k) != 0) continue;
        for (i += k; i < n && p[i] != '"' && o + 1 < cap; i++) {
            if (p[i] == '\\' && i + 1 < n) i++; /* JSON escapes ("\/") */
            out[o++] = (char)p[i];
        }
        return i < n && p[i] == '"' ? o : 0;
    }
    return 0;
}

/* A reply over the receive buffer: a message larger than the member was sized for. Read one message at a time for
   a while; a single message that does not fit is dropped, counted and deleted by the receipt handle found in what
   was kept of the reply (its start, and its end: reply_keep_tail), so the queue never stalls on it. */
static void sioc__maws_too_large(sioc_cluster *c, sioc__mslot *s, uint64_t now) {
    sioc_aws_call *call = &s->call.aws;
    char h[SIOC_CLUSTER_HANDLE_MAX + 1];
    size_t n = 0, head = call->reply.len - call->reply_tail_len;
    s->state = SIOC__MS_FREE;
    c->p_single_until = now + 120000u; /* past the visibility timeout of the messages of that reply */
    if (s->count > 1) return;          /* several at once: they come back one by one */
    if (call->reply_tail_len)
        n = sioc__maws_find_handle(call->reply.ptr + head, call->reply_tail_len, h, sizeof h);
    if (!n) n = sioc__maws_find_handle(call->reply.ptr, head, h, sizeof h);
    c->p_stats.too_large++;
    sioc__maws_done_with(c, 1, h, n, n != 0, now);
}

static void sioc__maws_recv_start(sioc_cluster *c, sioc__mslot *s, uint64_t now) {
    sioc_buf b;
    int one = now < c->p_single_until; /* after a reply too large: one message at a time, to find the culprit */
    sioc_buf_init(&b, s->call.aws.body_mem, s->call.aws.body_cap);
    if (sioc_sqs_write_receive_message(&b, sioc_str_c(c->p_queue_url), one ? 1 : c->p_desc.aws.max_messages,
                                       c->p_desc.aws.wait_time_s) != SIOC_OK)
        return;
    s->count = one ? 1 : (size_t)c->p_desc.aws.max_messages;
    s->call.aws.reply_keep_tail = SIOC__MAWS_TAIL; /* the end of a reply too large: its receipt handle */
    s->gen = c->p_gen;
    sioc__maws_go(c, s, SIOC_CLUSTER_OP_RECEIVE, &b, now);
}

static void sioc__maws_recv_done(sioc_cluster *c, sioc__mslot *s, uint64_t now) {
    sioc_aws_call *call = &s->call.aws;
    sioc_json doc;
    sioc_buf sb;
    sioc_sqs_message msgs[10];
    size_t n = 0, i, beats = 0;
    int full = 0, quiet = 0;
    if (call->result == SIOC_ERR_BUFFER_TOO_SMALL) {
        sioc__maws_too_large(c, s, now);
        return;
    }
    if (call->result != SIOC_OK) {
        if (sioc__m_recv_gone(c, s, call->result, now)) sioc__maws_queue_lost(c, now);
        return;
    }
    s->state = SIOC__MS_FREE;
    s->attempts = 0;
    sioc_buf_init(&sb, c->p_scratch, c->p_scratch_size);
    if (sioc__maws_json(c, call, &doc) != SIOC_OK) {
        c->p_stats.bad_messages++;
    } else if (sioc_sqs_parse_receive_message(&doc, &sb, msgs, 10, &n) != SIOC_OK) {
        sioc__maws_one_by_one(c, &doc, now);
        full = 1; /* a mixed batch: take the next at once */
    } else {
        if (!n) c->p_stats.empty_receives++;
        for (i = 0; i < n; i++) beats += (size_t)sioc__maws_handle(c, &msgs[i], now);
        full = n >= (size_t)c->p_desc.aws.max_messages;
        quiet = beats == n;
    }
    sioc__m_paced(c, s, full, quiet, now);
}

/* ---- deleting ---- */

static void sioc__maws_settle_start(sioc_cluster *c, uint64_t now) {
    sioc__mslot *s = &c->p_slots[SIOC__M_SET];
    sioc_sqs_delete_entry e[SIOC_AWS_MAX_BATCH];
    const sioc__msettle *q = (const sioc__msettle *)c->p_settles;
    size_t n = SIOC__MIN(c->p_n_settles, (size_t)SIOC_AWS_MAX_BATCH), i;
    sioc_buf b;
    if (s->state != SIOC__MS_FREE || !n || !c->p_queue_url[0]) return;
    if (n < SIOC_AWS_MAX_BATCH && now < sioc__m_settle_due(c)) return; /* held for a fuller batch (pacing) */
    for (i = 0; i < n; i++) {
        e[i].id = sioc__maws_id(i);
        e[i].receipt_handle = sioc_str_n(q[i].text, q[i].len);
    }
    sioc_buf_init(&b, s->call.aws.body_mem, s->call.aws.body_cap);
    if (sioc_sqs_write_delete_message_batch(&b, sioc_str_c(c->p_queue_url), e, n) != SIOC_OK) {
        c->p_stats.settle_failed += n;
    } else {
        s->count = n;
        sioc__maws_go(c, s, SIOC_CLUSTER_OP_SETTLE, &b, now);
    }
    sioc__m_settle_pop(c, n);
}

static void sioc__maws_settle_done(sioc_cluster *c, sioc__mslot *s, uint64_t now) {
    sioc_aws_call *call = &s->call.aws;
    if (call->result == SIOC_OK) {
        sioc_json doc;
        sioc_buf sb;
        sioc_aws_batch_result br;
        s->state = SIOC__MS_FREE;
        sioc_buf_init(&sb, c->p_scratch, c->p_scratch_size);
        if (sioc__maws_json(c, call, &doc) == SIOC_OK && sioc_sqs_parse_batch(&doc, &sb, &br) == SIOC_OK) {
            c->p_stats.settled += br.count - br.failed;
            c->p_stats.settle_failed += br.failed;
        } else {
            c->p_stats.settled += s->count;
        }
        return;
    }
    if (call->result == SIOC_ERR_NOT_FOUND) {
        sioc__m_give_up(c, s, call->result);
        sioc__maws_queue_lost(c, now);
        return;
    }
    sioc__m_fail(c, s, call->result, now);
}

#endif /* SIOC_ENABLE_RECEIVE */

/* ---- publishing ---- */

static size_t sioc__maws_out_attrs(const sioc_node_out *o, sioc_aws_attr *a) {
    const sioc_str *v[3];
    size_t i, k = 0;
    v[0] = &o->nsp, v[1] = &o->uid, v[2] = &o->requester_uid;
    for (i = 0; i < 4; i++) {
        const void *p = i < 3 ? (const void *)v[i]->ptr : (const void *)o->data.ptr;
        if (i >= 2 && !p) continue;
        a[k].name = sioc__maws_attr_names[i];
        a[k].type = i < 3 ? SIOC_AWS_ATTR_STRING : SIOC_AWS_ATTR_BINARY;
        a[k].value = sioc_bytes_n(p, i < 3 ? v[i]->len : o->data.len);
        k++;
    }
    return k;
}

#if SIOC_ENABLE_PUBLISH_BATCH
typedef struct sioc__maws_batch {
    sioc_aws_attr attrs[SIOC_AWS_MAX_BATCH][4];
    sioc_sns_batch_entry e[SIOC_AWS_MAX_BATCH];
} sioc__maws_batch;

/* Up to 10 queued messages that fit one request (256 KiB in all). */
static size_t sioc__maws_gather(sioc_cluster *c, sioc__maws_batch *pb) {
    size_t avail = sioc_node_out_count(&c->p_node), n = 0, total = 0;
    while (n < avail && n < SIOC_AWS_MAX_BATCH) {
        sioc_node_out o;
        size_t na, sz;
        if (sioc_node_out_peek(&c->p_node, n, &o) != SIOC_OK) break;
        na = sioc__maws_out_attrs(&o, pb->attrs[n]);
        sz = sioc_aws_message_size(o.message, pb->attrs[n], na);
        if (n && total + sz > SIOC_AWS_MAX_MESSAGE_SIZE) break;
        total += sz;
        pb->e[n].id = sioc__maws_id(n);
        pb->e[n].message = o.message;
        pb->e[n].attrs = pb->attrs[n];
        pb->e[n].n_attrs = na;
        n++;
    }
    return n;
}
#endif

static void sioc__maws_pub_start(sioc_cluster *c, uint64_t now) {
    sioc__mslot *s = &c->p_slots[SIOC__M_PUB];
#if SIOC_ENABLE_PUBLISH_BATCH
    sioc__maws_batch pb;
#else
    sioc_aws_attr attrs[4];
    sioc_node_out o;
#endif
    while (s->state == SIOC__MS_FREE && c->p_have_topic && sioc_node_out_count(&c->p_node)) {
        sioc_str topic = sioc_str_c(c->p_topic);
        sioc_buf b;
        sioc_result r;
#if SIOC_ENABLE_PUBLISH_BATCH
        size_t n = sioc__maws_gather(c, &pb);
        if (!n) return;
        for (;;) { /* a batch too large for the body goes as its first message alone */
            sioc_buf_init(&b, s->call.aws.body_mem, s->call.aws.body_cap);
            r = n == 1 ? sioc_sns_write_publish(&b, topic, pb.e[0].message, pb.e[0].attrs, pb.e[0].n_attrs)
                       : sioc_sns_write_publish_batch(&b, topic, pb.e, n);
            if (r != SIOC_ERR_BUFFER_TOO_SMALL || n == 1) break;
            n = 1;
        }
#else /* the oldest message alone */
        const size_t n = 1;
        if (sioc_node_out_peek(&c->p_node, 0, &o) != SIOC_OK) return;
        sioc_buf_init(&b, s->call.aws.body_mem, s->call.aws.body_cap);
        r = sioc_sns_write_publish(&b, topic, o.message, attrs, sioc__maws_out_attrs(&o, attrs));
#endif
        sioc__m_pub_taken(c, s, n); /* copied into the request body: the slot keeps it for retries */
        if (r != SIOC_OK) {
            sioc__m_pub_outcome(c, s, 0, r);
            continue;
        }
        sioc__maws_go(c, s, n == 1 ? SIOC_CLUSTER_OP_PUBLISH : SIOC_CLUSTER_OP_PUBLISH_BATCH, &b, now);
    }
}

#if SIOC_ENABLE_PUBLISH_BATCH
/* A PublishBatch answered: the entries it failed through no fault of ours (throttled, an internal error) go again,
   alone, with backoff; those refused for good are dropped. The reply names every entry, so nothing it took is
   sent twice. 1 when a re-send is set; *ok is what this answer took. */
static int sioc__maws_pub_partial(sioc_cluster *c, sioc__mslot *s, size_t *ok, uint64_t now) {
    sioc_aws_call *call = &s->call.aws;
    sioc_aws_batch_result br;
    sioc_str again[SIOC_AWS_MAX_BATCH];
    sioc_buf sb, body;
    sioc_result why = SIOC_ERR_SERVER;
    size_t i, n = 0;
    sioc_buf_init(&sb, c->p_scratch, c->p_scratch_size);
    if (sioc_sns_parse_publish_batch((const char *)call->reply.ptr, call->reply.len, &sb, &br) != SIOC_OK) return 0;
    *ok = br.count - br.failed;
    for (i = 0; i < br.count; i++) {
        if (!br.items[i].failed || br.items[i].sender_fault) continue;
        again[n++] = br.items[i].id;
        if (br.items[i].code.len >= 7 && memcmp(br.items[i].code.ptr, "Throttl", 7) == 0) why = SIOC_ERR_THROTTLED;
    }
    if (!n || (c->p_state == SIOC_CLUSTER_CLOSING && now >= c->p_close_deadline)) return 0;
    sioc_buf_init(&body, call->body_mem, call->body_cap);
    body.len = s->body_len;
    if (sioc_sns_publish_batch_retain(&body, again, n) != SIOC_OK) return 0;
    s->body_len = body.len;
    s->accepted += *ok;
    c->p_stats.batch_resent += n;
    sioc__m_fail(c, s, why, now);
    return 1;
}
#endif

static void sioc__maws_pub_done(sioc_cluster *c, sioc__mslot *s, uint64_t now) {
    sioc_aws_call *call = &s->call.aws;
    size_t ok = s->count - s->accepted;
    if (call->resent) c->p_stats.ambiguous_retries++; /* the engine re-sent it on a fresh connection */
    if (call->result == SIOC_OK) {
#if SIOC_ENABLE_PUBLISH_BATCH
        if (s->op == SIOC_CLUSTER_OP_PUBLISH_BATCH && sioc__maws_pub_partial(c, s, &ok, now)) return;
#endif
        sioc__m_pub_outcome(c, s, ok, SIOC_ERR_HTTP_STATUS);
        return;
    }
    if (call->result == SIOC_ERR_NOT_FOUND && c->p_state == SIOC_CLUSTER_RUNNING) sioc__maws_topic_lost(c, now);
    if (call->result == SIOC_ERR_HTTP_STATUS && call->error.sender_fault) { /* refused (too long, bad value) */
        sioc__m_pub_drop(c, s, call->result);
        return;
    }
    if (c->p_state == SIOC_CLUSTER_CLOSING && now >= c->p_close_deadline) {
        sioc__m_pub_outcome(c, s, 0, SIOC_ERR_TIMEOUT);
        return;
    }
    if (!sioc__m_pub_ambiguous(c, s, call->result)) sioc__m_fail(c, s, call->result, now);
}

#endif /* SIOC_ENABLE_AWS */
/* ---- src/member_azure.c ---- */
/* ---- member_azure: the member's requests over Service Bus REST + ATOM (member.h; docs/AZURE.md §1, §4-6) ----
   Start-up steps, one send per out message, complete (or unlock) of every received message on several slots,
   peek-lock long polls and the hand-over of each message to the node. Slots, retries and deadlines are
   member.c's. */

#if SIOC_ENABLE_AZURE

/* start-up steps; clean-up follows member.c's SIOC__M_STEP_CLEANUP */
enum { SIOC__MAZ_S_TOPIC = 0, SIOC__MAZ_S_CREATE_TOPIC, SIOC__MAZ_S_SUB, SIOC__MAZ_S_DONE,
       SIOC__MAZ_S_DELSUB = SIOC__M_STEP_CLEANUP };

#define SIOC__MAZ_CTL_BODY 4096u
#define SIOC__MAZ_ENTRY_REPLY 16384u /* the topic's and subscription's ATOM entries: a few KB from the service */

static const char *const sioc__mazure_ops[SIOC_CLUSTER_OP_COUNT] = {
    "GetTopic", "CreateTopic", "CreateQueue", "GetQueueAttributes", "SetQueueAttributes", "CreateSubscription",
    "Receive", "Complete", "Unlock", "Send", "SendBatch", "DeleteSubscription", "Unsubscribe", "ListQueues",
    "ListQueueTags", "ListSubscriptions"};

static const char *sioc__mazure_op_name(int op) { return sioc__mazure_ops[op]; }

static sioc_result sioc__mazure_layout(const sioc_cluster_desc *d, sioc__mlayout *l) {
    /* prefix + "-" + 16 hex must stay a valid name (docs/AZURE.md §1) */
    if (d->azure.timeout_s < 1 || d->azure.timeout_s > SIOC_AZURE_MAX_TIMEOUT_S ||
        !sioc_azure_name_ok(sioc_str_c(d->topic_name)) || !sioc_azure_name_ok(sioc_str_c(d->prefix)) ||
        strlen(d->prefix) + 1 + 16 > SIOC_AZURE_MAX_NAME)
        return SIOC_ERR_ARG;
    l->body[SIOC__MK_CTL] = SIOC__MAZ_CTL_BODY;
    l->reply[SIOC__MK_CTL] = SIOC__MAX((size_t)d->reply_buffer_size, (size_t)SIOC__MAZ_ENTRY_REPLY);
    l->body[SIOC__MK_PUB] = d->node.max_message_size, l->reply[SIOC__MK_PUB] = d->reply_buffer_size;
    l->n_settle_slots = SIOC_CLUSTER_SETTLES, l->reply[SIOC__MK_SETTLE] = d->reply_buffer_size;
    /* a whole message; a larger one comes back as SIOC_ERR_BUFFER_TOO_SMALL and is still completed */
    l->reply[SIOC__MK_RECV] = (size_t)d->node.max_message_size + 1024u;
    l->settle_cap = SIOC_CLUSTER_PENDING;
    l->per_receive = 1;
    return SIOC_OK;
}

static sioc_azure_client *sioc__mazure_client(sioc_cluster *c) { return &c->p_client.azure; }

static sioc_result sioc__mazure_send(sioc_cluster *c, sioc__mslot *s, uint64_t now) {
    sioc_azure_call *call = &s->call.azure;
    sioc_azure_prop p[3];
    sioc_azure_send_opts o;
    size_t n = 0;
    p[n].name = sioc_str_c("nsp"), p[n].type = SIOC_AZURE_PROP_STRING, p[n].value = sioc_str_c(s->nsp), n++;
    p[n].name = sioc_str_c("uid"), p[n].type = SIOC_AZURE_PROP_STRING;
    p[n].value = sioc_str_n(c->p_node.uid, c->p_node.uid_len), n++;
    if (s->has_requester) {
        p[n].name = sioc_str_c("requesterUid"), p[n].type = SIOC_AZURE_PROP_STRING;
        p[n].value = sioc_str_c(s->requester), n++;
    }
    memset(&o, 0, sizeof o);
    o.message_id = sioc_str_c(s->msgid); /* unique: duplicate detection and SDK lock renewal key on it */
    o.time_to_live_s = c->p_desc.azure.message_ttl_s;
    return sioc_azure_send(sioc__mazure_client(c), call, sioc_str_c(c->p_topic),
                           sioc_bytes_n(call->body_mem, s->body_len), p, n, &o, now);
}

/* Start (or restart) the slot's request from what the slot holds. */
static sioc_result sioc__mazure_start_call(sioc_cluster *c, sioc__mslot *s, uint64_t now) {
    sioc_azure_client *z = sioc__mazure_client(c);
    sioc_azure_call *call = &s->call.azure;
    sioc_str topic = sioc_str_c(c->p_topic), sub = sioc_str_c(c->p_name);
    call->timeout_ms = c->p_desc.request_timeout_ms;
    call->user = s;
    switch (s->op) {
    case SIOC_CLUSTER_OP_GET_TOPIC: return sioc_azure_get_topic(z, call, topic, now);
    case SIOC_CLUSTER_OP_CREATE_TOPIC: return sioc_azure_create_topic(z, call, topic, NULL, now);
    case SIOC_CLUSTER_OP_SUBSCRIBE: {
        sioc_azure_sub_opts o;
        memset(&o, 0, sizeof o);
        o.lock_duration_s = c->p_desc.azure.lock_duration_s;
        o.auto_delete_on_idle_s = c->p_desc.azure.auto_delete_on_idle_s; /* a crashed member cleans up */
        if (!c->p_desc.azure.no_filter_rule) { /* the broker drops own messages and others' responses for us */
            char sql[256];
            sioc_buf q;
            sioc_buf_init(&q, sql, sizeof sql);
            if (sioc_azure_write_own_filter(&q, sioc_str_n(c->p_node.uid, c->p_node.uid_len)) == SIOC_OK)
                return sioc_azure_create_subscription_rule(z, call, topic, sub, &o, sioc_str_n(sql, q.len), now);
        }
        return sioc_azure_create_subscription(z, call, topic, sub, &o, now);
    }
    case SIOC_CLUSTER_OP_RECEIVE:
        call->timeout_ms = (uint32_t)c->p_desc.azure.timeout_s * 1000u + 10000u;
        return sioc_azure_receive(z, call, topic, sub, c->p_desc.azure.timeout_s, now);
    case SIOC_CLUSTER_OP_SETTLE: return sioc_azure_complete(z, call, sioc_str_c(s->lock), now);
    case SIOC_CLUSTER_OP_UNLOCK: return sioc_azure_unlock(z, call, sioc_str_c(s->lock), now);
    case SIOC_CLUSTER_OP_PUBLISH: return sioc__mazure_send(c, s, now);
    case SIOC_CLUSTER_OP_DELETE_QUEUE: return sioc_azure_delete_subscription(z, call, topic, sub, now);
    default: return SIOC_ERR_ARG;
    }
}

static sioc_result sioc__mazure_client_init(sioc_cluster *c) {
    const sioc_cluster_desc *d = &c->p_desc;
    sioc_azure_desc zd;
    memset(&zd, 0, sizeof zd);
    zd.connection_string = d->azure.connection_string, zd.rest_url = d->azure.rest_url;
    zd.utc_now = d->utc_now, zd.user = d->user, zd.http = d->http;
    zd.token_lifetime_s = d->azure.token_lifetime_s;
    if (zd.connection_string) {
        sioc_result r = sioc_azure_client_init(sioc__mazure_client(c), &zd);
        if (r != SIOC_OK) /* the client logged it; kept for sioc_cluster_last_detail */
            sioc__copy_fixed(c->p_detail, sizeof c->p_detail, sioc_str_c(sioc__mazure_client(c)->detail));
        return r;
    }
    sioc__m_log(c, d, SIOC__M_TEXT("sioc_cluster: Service Bus connection string missing (SERVICEBUS_CONNECTION_STRING)"));
    return SIOC_ERR_NOT_FOUND;
}

static void sioc__mazure_cancel(sioc_cluster *c, sioc__mslot *s) {
    (void)sioc_azure_cancel(sioc__mazure_client(c), &s->call.azure);
}

static void *sioc__mazure_next(sioc_cluster *c, uint64_t now) {
    sioc_azure_call *done = NULL;
    return sioc_azure_next(sioc__mazure_client(c), now, &done) == SIOC_OK ? done->user : NULL;
}

static void sioc__mazure_error(const sioc__mslot *s, sioc_cluster_error *e) {
    e->status = s->call.azure.status;
    e->message = s->call.azure.error.detail;
    e->detail = s->call.azure.detail;
}

#if SIOC_ENABLE_RECEIVE
static int sioc__mazure_can_receive(const sioc_cluster *c) { return c->p_name[0] != 0; }
#endif

/* Nothing to watch: a deleted topic or subscription shows as 404 / 410 on the next receive. */
static void sioc__mazure_watch(sioc_cluster *c, uint64_t now) { (void)c, (void)now; }

/* ---- start-up and shutdown (ctl slot) ---- */

static void sioc__mazure_begin(sioc_cluster *c) {
    sioc_buf b;
    sioc__copy_fixed(c->p_topic, sizeof c->p_topic, sioc_str_c(c->p_desc.topic_name));
    c->p_step = SIOC__MAZ_S_TOPIC;
    if (sioc__m_emitter(c)) return;
    sioc_buf_init(&b, c->p_name, sizeof c->p_name - 1);
    sioc_buf_puts(&b, c->p_desc.prefix);
    sioc_buf_putc(&b, '-');
    sioc_buf_put(&b, c->p_node.uid, c->p_node.uid_len);
    c->p_name[SIOC__MIN(b.len, sizeof c->p_name - 1)] = 0;
    if (sioc_buf_result(&b) != SIOC_OK || !sioc_azure_name_ok(sioc_str_c(c->p_name))) {
        c->p_last_error = SIOC_ERR_ARG;
        c->p_state = SIOC_CLUSTER_FAILED;
    }
}

static void sioc__mazure_ctl_step(sioc_cluster *c, uint64_t now) {
    sioc__mslot *s = &c->p_slots[SIOC__M_CTL];
    if (s->state != SIOC__MS_FREE) return;
    switch (c->p_step) {
    case SIOC__MAZ_S_TOPIC: sioc__m_go(c, s, SIOC_CLUSTER_OP_GET_TOPIC, now); break;
    case SIOC__MAZ_S_CREATE_TOPIC: sioc__m_go(c, s, SIOC_CLUSTER_OP_CREATE_TOPIC, now); break;
    case SIOC__MAZ_S_SUB: sioc__m_go(c, s, SIOC_CLUSTER_OP_SUBSCRIBE, now); break;
    case SIOC__MAZ_S_DELSUB:
        if (!c->p_sub_created || !c->p_name[0]) {
            c->p_state = SIOC_CLUSTER_CLOSED; /* never created: nothing to delete */
            return;
        }
        sioc__m_go(c, s, SIOC_CLUSTER_OP_DELETE_QUEUE, now);
        break;
    default: break;
    }
}

#if SIOC_ENABLE_RECEIVE
/* 410 on receive: the subscription is gone (deleted, or auto-deleted while we could not poll): re-created under
   the same name (the topic too if that is gone: create-subscription then gives 404). */
static void sioc__mazure_sub_lost(sioc_cluster *c, uint64_t now) {
    (void)sioc__m_lost(c, SIOC__M_LOST_QUEUE, SIOC__MAZ_S_SUB, now);
}
#endif

/* 410 on send: the topic is gone, and the subscription with it: start-up again. */
static void sioc__mazure_topic_lost(sioc_cluster *c, uint64_t now) {
    (void)sioc__m_lost(c, SIOC__M_LOST_TOPIC | SIOC__M_LOST_QUEUE, SIOC__MAZ_S_TOPIC, now);
}

static void sioc__mazure_ctl_done(sioc_cluster *c, sioc__mslot *s, uint64_t now) {
    sioc_result r = s->call.azure.result;
    if (c->p_state == SIOC_CLUSTER_CLOSING) { /* delete subscription: 404 is success already */
        if (r != SIOC_OK && now < c->p_close_deadline && r != SIOC_ERR_AUTH) {
            sioc__m_fail(c, s, r, now);
            return;
        }
        if (r != SIOC_OK) sioc__m_report(c, s, r, 0);
        s->state = SIOC__MS_FREE;
        if (r == SIOC_OK) c->p_name[0] = 0;
        c->p_state = SIOC_CLUSTER_CLOSED;
        return;
    }
    if (r == SIOC_OK) {
        s->state = SIOC__MS_FREE;
        if (s->op == SIOC_CLUSTER_OP_GET_TOPIC || s->op == SIOC_CLUSTER_OP_CREATE_TOPIC) {
            c->p_have_topic = 1;
            if (sioc__m_emitter(c)) sioc__m_running(c, now);
            else c->p_step = SIOC__MAZ_S_SUB;
        } else { /* subscription created (or there already: 409) */
            c->p_sub_created = 1;
            c->p_step = SIOC__MAZ_S_DONE;
            sioc__m_running(c, now);
        }
        return;
    }
    if (r == SIOC_ERR_NOT_FOUND) {
        /* GET of a missing topic: create it, as upstream does after any getTopic error; a subscription under a
           missing topic (404): the topic first */
        c->p_step = s->op == SIOC_CLUSTER_OP_GET_TOPIC ? SIOC__MAZ_S_CREATE_TOPIC : SIOC__MAZ_S_TOPIC;
        if (s->op == SIOC_CLUSTER_OP_GET_TOPIC) {
            s->state = SIOC__MS_FREE;
            sioc__mazure_ctl_step(c, now);
            return;
        }
        sioc__m_fail(c, s, r, now);
        s->attempts = 0;
        return;
    }
    if ((r == SIOC_ERR_AUTH && s->auth_retries) || r == SIOC_ERR_HTTP_STATUS) {
        /* a wrong key or rule (already retried once with a fresh token), or a request the service refuses: a clear
           failure, no more requests (docs/AZURE.md §6) */
        sioc__m_give_up(c, s, r);
        c->p_state = SIOC_CLUSTER_FAILED;
        return;
    }
    sioc__m_fail(c, s, r, now);
}

#if SIOC_ENABLE_RECEIVE
/* ---- settling: complete (or unlock) on the lock path as returned, several in flight ---- */

static void sioc__mazure_settle_start(sioc_cluster *c, uint64_t now) {
    size_t i;
    for (i = SIOC__M_SET; i < c->p_n_slots && c->p_n_settles; i++) {
        sioc__mslot *s = &c->p_slots[i];
        const sioc__msettle *q = (const sioc__msettle *)c->p_settles;
        if (s->kind != SIOC__MK_SETTLE || s->state != SIOC__MS_FREE) continue;
        sioc__copy_fixed(s->lock, sizeof s->lock, sioc_str_n(q[0].text, q[0].len));
        s->op = q[0].op;
        s->deadline = q[0].deadline;
        s->count = 1;
        sioc__m_settle_pop(c, 1);
        sioc__m_go(c, s, s->op, now);
    }
}

static void sioc__mazure_settle_done(sioc_cluster *c, sioc__mslot *s, uint64_t now) {
    sioc_result r = s->call.azure.result;
    if (r == SIOC_OK) {
        s->state = SIOC__MS_FREE;
        if (s->op == SIOC_CLUSTER_OP_SETTLE) c->p_stats.settled++;
        else c->p_stats.unlocked++;
        return;
    }
    /* lock lost (404) or entity gone (410): nothing to retry; 400/403: refused; the lock ran out: it comes back
       and is completed as seen. Anything else (5xx, throttling, resets, 401 with a fresh token) is retried with
       backoff while the lock holds. */
    if (r == SIOC_ERR_NOT_FOUND || r == SIOC_ERR_HTTP_STATUS || r == SIOC_ERR_LIMIT || now >= s->deadline ||
        c->p_state != SIOC_CLUSTER_RUNNING) {
        sioc__m_report(c, s, r, 0);
        c->p_stats.settle_failed++;
        s->state = SIOC__MS_FREE;
        return;
    }
    sioc__m_fail(c, s, r, now);
    if (s->retry_at > s->deadline) s->retry_at = s->deadline; /* one last try before the lock goes */
}

/* ---- receiving ---- */

/* When a lock taken now runs out, less a margin for the settle's own trip (the broker started it a little
   earlier than we saw the answer). */
static uint64_t sioc__mazure_lock_deadline(const sioc_cluster *c, uint64_t now) {
    uint64_t lock_ms = (uint64_t)(c->p_desc.azure.lock_duration_s ? c->p_desc.azure.lock_duration_s : 60u) * 1000u;
    return now + (lock_ms > 4000u ? lock_ms - 2000u : lock_ms / 2u);
}

/* One message: to the node unless seen before; completed either way, also when the node refused it (undecodable,
   too deep, too large): a bad message is dropped and counted, never given back to come again. */
static void sioc__mazure_handle(sioc_cluster *c, const sioc_azure_message *m, uint64_t now) {
    c->p_stats.received++;
    if (sioc__m_seen(c, m->broker.message_id, now)) { /* handled before; its complete was lost */
        c->p_stats.redelivered++;
    } else if (sioc_node_receive_azure(&c->p_node, m->body.ptr, m->body.len, &m->env, now) != SIOC_OK) {
        c->p_stats.bad_messages++; /* the node applied the filters before decoding (docs/PROTOCOL.md §2.2) */
    }
    (void)sioc__m_settle_push(c, SIOC_CLUSTER_OP_SETTLE, m->lock_path, sioc__mazure_lock_deadline(c, now), now);
}

static void sioc__mazure_recv_start(sioc_cluster *c, sioc__mslot *s, uint64_t now) {
    s->gen = c->p_gen;
    sioc__m_go(c, s, SIOC_CLUSTER_OP_RECEIVE, now);
}

static void sioc__mazure_recv_done(sioc_cluster *c, sioc__mslot *s, uint64_t now) {
    sioc_azure_call *call = &s->call.azure;
    if (call->result == SIOC_OK) {
        s->state = SIOC__MS_FREE;
        s->attempts = 0;
        s->auth_retries = 0;
        if (!call->has_message) {
            c->p_stats.empty_receives++;
            return;
        }
        if (c->p_state == SIOC_CLUSTER_RUNNING) sioc__mazure_handle(c, &call->msg, now);
        return;
    }
    if (call->result == SIOC_ERR_BUFFER_TOO_SMALL && call->msg.lock_path.len) { /* too large for us: drop it */
        s->state = SIOC__MS_FREE;
        c->p_stats.received++;
        c->p_stats.bad_messages++;
        c->p_stats.too_large++;
        (void)sioc__m_settle_push(c, SIOC_CLUSTER_OP_SETTLE, call->msg.lock_path, sioc__mazure_lock_deadline(c, now),
                                  now);
        return;
    }
    if (c->p_state != SIOC_CLUSTER_RUNNING) { /* re-creating meanwhile: start afresh later */
        s->state = SIOC__MS_FREE;
        return;
    }
    if (sioc__m_recv_gone(c, s, call->result, now)) sioc__mazure_sub_lost(c, now);
}

#endif /* SIOC_ENABLE_RECEIVE */

/* ---- sending: one message per request (the batch form cannot carry binary bodies, docs/AZURE.md 4.1) ---- */

static void sioc__mazure_pub_start(sioc_cluster *c, uint64_t now) {
    sioc__mslot *s = &c->p_slots[SIOC__M_PUB];
    while (s->state == SIOC__MS_FREE && c->p_have_topic && sioc_node_out_count(&c->p_node)) {
        sioc_node_out o;
        sioc_buf b;
        if (sioc_node_out_peek(&c->p_node, 0, &o) != SIOC_OK) return;
        if (o.body.len > s->call.azure.body_cap || o.nsp.len > SIOC_CLUSTER_NSP_MAX ||
            (o.requester_uid.ptr && o.requester_uid.len > SIOC_NODE_ID_MAX)) {
            sioc__m_pub_taken(c, s, 1);
            sioc__m_pub_outcome(c, s, 0, SIOC_ERR_TOO_LARGE);
            continue;
        }
        if (o.body.len) memcpy(s->call.azure.body_mem, o.body.ptr, o.body.len);
        s->body_len = o.body.len;
        sioc__copy_fixed(s->nsp, sizeof s->nsp, o.nsp);
        s->has_requester = o.requester_uid.ptr != NULL && o.requester_uid.len > 0;
        sioc__copy_fixed(s->requester, sizeof s->requester, o.requester_uid);
        sioc__m_pub_taken(c, s, 1); /* copied into the slot: it keeps it for retries */
        /* MessageId "<uid>-<sequence>": unique per message and per member (the uid is random) */
        sioc_buf_init(&b, s->msgid, sizeof s->msgid - 1);
        sioc_buf_put(&b, c->p_node.uid, c->p_node.uid_len);
        sioc_buf_putc(&b, '-');
        sioc_buf_put_u64(&b, s->seq_first);
        s->msgid[SIOC__MIN(b.len, sizeof s->msgid - 1)] = 0;
        sioc__m_go(c, s, SIOC_CLUSTER_OP_PUBLISH, now);
    }
}

static void sioc__mazure_pub_done(sioc_cluster *c, sioc__mslot *s, uint64_t now) {
    sioc_result r = s->call.azure.result;
    if (r == SIOC_OK) {
        sioc__m_pub_outcome(c, s, 1, SIOC_OK);
        return;
    }
    if (r == SIOC_ERR_NOT_FOUND) sioc__mazure_topic_lost(c, now); /* 410: resent once the topic is back */
    /* refused for good (too large, bad value, quota): drop it; a 401 is retried with a fresh token and backoff */
    if (r == SIOC_ERR_TOO_LARGE || r == SIOC_ERR_LIMIT || r == SIOC_ERR_HTTP_STATUS ||
        (c->p_state == SIOC_CLUSTER_CLOSING && now >= c->p_close_deadline)) {
        sioc__m_pub_drop(c, s, r);
        return;
    }
    if (!sioc__m_pub_ambiguous(c, s, r)) sioc__m_fail(c, s, r, now);
}

#endif /* SIOC_ENABLE_AZURE */
/* ---- src/member_janitor.c ---- */
/* ---- member_janitor: orphaned queues on AWS (member.h, docs/AWS.md §2.4) ----
   SQS has no auto-delete: a member that crashed leaves its queue and subscription behind for ever, and every
   Publish keeps fanning out to them. One surviving member at a time (the one with the lowest live uid) looks at the
   queues under the cluster's prefix every orphan_check_s and removes the subscription and the queue of one that
   nobody consumes: its backlog grew at every check for orphan_after_s with no receive (nothing newly in flight),
   and its
   member (when its sioc-node tag names one) is not a live peer. Node members' queues carry no uid (a random name),
   the backlog rule covers them: every live member's heartbeats land there, so a dead queue grows. Just before
   deleting, the queue is looked at once more. A member that is slow but alive receives now and then (messages in
   flight, or a backlog that shrinks), which resets its clock.

   Steps (one request at a time on the janitor slot): ListQueues (pages) -> for each candidate: ListQueueTags once,
   GetQueueAttributes -> for an orphan: GetQueueAttributes again, ListSubscriptionsByTopic (pages) to find its
   subscription, Unsubscribe, DeleteQueue. */

#if SIOC__M_JANITOR

enum {
    SIOC__MJ_IDLE = 0,
    SIOC__MJ_LIST,     /* ListQueues, page by page */
    SIOC__MJ_TAGS,     /* ListQueueTags of the current candidate */
    SIOC__MJ_ATTRS,    /* GetQueueAttributes of the current candidate */
    SIOC__MJ_RECHECK,  /* the same, just before deleting */
    SIOC__MJ_FIND_SUB, /* ListSubscriptionsByTopic, page by page */
    SIOC__MJ_UNSUB,
    SIOC__MJ_DELETE
};

static const char *const sioc__mj_attr_names[] = {"ApproximateNumberOfMessages",
                                                  "ApproximateNumberOfMessagesNotVisible", "QueueArn"};

/* The member's own queue, or one of another cluster (tags say so): never a candidate. */
static int sioc__mj_ours(const sioc_cluster *c, sioc_str url) {
    return sioc_str_eq(url, sioc_str_c(c->p_queue_url));
}

static int sioc__mj_uid_live(const sioc_cluster *c, const char *uid) {
    sioc_str nsp = sioc_str_c("/");
    size_t i, n = sioc_node_peer_count(&c->p_node, nsp);
    for (i = 0; i < n; i++)
        if (sioc_str_eq(sioc_node_peer_uid(&c->p_node, nsp, i), sioc_str_c(uid))) return 1;
    return 0;
}

/* 1 when this member is the janitor: no live member that runs one too (its queue's sioc-janitor tag says so; Node
   members and members with no_orphan_cleanup do not) has a lower uid. Known once every candidate's tags are read. */
static int sioc__mj_elected(const sioc_cluster *c) {
    size_t i;
    for (i = 0; i < c->p_n_jan; i++) {
        const sioc__mjcand *k = &c->p_jan[i];
        if (k->janitor && k->uid[0] && sioc__strcmp(k->uid, c->p_node.uid) < 0 && sioc__mj_uid_live(c, k->uid)) return 0;
    }
    return 1;
}

static sioc__mjcand *sioc__mj_cur(sioc_cluster *c) { return &c->p_jan[c->p_jan_idx]; }

/* Write the request of the current step into the janitor slot and send it. */
static void sioc__mj_send(sioc_cluster *c, uint64_t now) {
    sioc__mslot *s = &c->p_slots[c->p_n_slots - 1];
    sioc__mjcand *k = c->p_jan_idx < c->p_n_jan ? sioc__mj_cur(c) : NULL; /* none while listing */
    sioc_buf b;
    sioc_result r = SIOC_ERR_STATE;
    int op = SIOC_CLUSTER_OP_LIST_QUEUES;
    sioc_str names[3];
    size_t i;
    for (i = 0; i < 3; i++) names[i] = sioc_str_c(sioc__mj_attr_names[i]);
    sioc_buf_init(&b, s->call.aws.body_mem, s->call.aws.body_cap);
    switch (c->p_jan_step) {
    case SIOC__MJ_LIST: {
        char prefix[SIOC_CLUSTER_NAME_MAX];
        sioc_buf pb;
        sioc_buf_init(&pb, prefix, sizeof prefix - 1);
        sioc_buf_puts(&pb, c->p_desc.prefix);
        sioc_buf_putc(&pb, '-');
        prefix[SIOC__MIN(pb.len, sizeof prefix - 1)] = 0;
        r = sioc_sqs_write_list_queues(&b, sioc_str_c(prefix), sioc_str_c(c->p_jan_token), 100);
        break;
    }
    case SIOC__MJ_TAGS:
        op = SIOC_CLUSTER_OP_QUEUE_TAGS;
        r = sioc_sqs_write_queue_url(&b, sioc_str_c(k->url));
        break;
    case SIOC__MJ_ATTRS:
    case SIOC__MJ_RECHECK:
        op = SIOC_CLUSTER_OP_QUEUE_ARN;
        r = sioc_sqs_write_get_queue_attributes(&b, sioc_str_c(k->url), names, 3);
        break;
    case SIOC__MJ_FIND_SUB:
        op = SIOC_CLUSTER_OP_LIST_SUBSCRIPTIONS;
        r = sioc_sns_write_list_subscriptions_by_topic(&b, sioc_str_c(c->p_topic), sioc_str_c(c->p_jan_token));
        break;
    case SIOC__MJ_UNSUB:
        op = SIOC_CLUSTER_OP_UNSUBSCRIBE;
        r = sioc_sns_write_unsubscribe(&b, sioc_str_c(c->p_jan_sub));
        break;
    case SIOC__MJ_DELETE:
        op = SIOC_CLUSTER_OP_DELETE_QUEUE;
        r = sioc_sqs_write_queue_url(&b, sioc_str_c(k->url));
        break;
    default:
        return;
    }
    if (r != SIOC_OK) { /* an URL or ARN the writers refuse: skip it this round */
        c->p_jan_step = SIOC__MJ_IDLE;
        return;
    }
    s->body_len = b.len;
    sioc__m_go(c, s, op, now);
}

static void sioc__mj_round_done(sioc_cluster *c, uint64_t now) {
    c->p_jan_step = SIOC__MJ_IDLE;
    c->p_jan_next = now + (uint64_t)c->p_desc.aws.orphan_check_s * 1000u;
}

/* The next candidate that needs a look: first the tags of new ones (once each), then, when this member is the
   janitor, the attributes of each; or the end of this round. */
static void sioc__mj_next_candidate(sioc_cluster *c, uint64_t now) {
    size_t i;
    for (i = 0; i < c->p_n_jan; i++)
        if (!c->p_jan[i].tagged) {
            c->p_jan_idx = i;
            c->p_jan_step = SIOC__MJ_TAGS;
            sioc__mj_send(c, now);
            return;
        }
    if (!sioc__mj_elected(c)) {
        sioc__mj_round_done(c, now);
        return;
    }
    while (++c->p_jan_idx < c->p_n_jan) {
        if (!sioc__mj_cur(c)->foreign) {
            c->p_jan_step = SIOC__MJ_ATTRS;
            sioc__mj_send(c, now);
            return;
        }
    }
    sioc__mj_round_done(c, now);
}

/* A queue of the listing: known already (seen again), or a new candidate. */
static void sioc__mj_listed(sioc_cluster *c, sioc_str url) {
    size_t i;
    if (sioc__mj_ours(c, url) || url.len >= SIOC_CLUSTER_ARN_MAX) return;
    for (i = 0; i < c->p_n_jan; i++)
        if (sioc_str_eq(url, sioc_str_c(c->p_jan[i].url))) {
            c->p_jan[i].seen = 1;
            return;
        }
    if (c->p_n_jan >= SIOC_CLUSTER_JANITOR_MAX) return; /* looked at in a later round, once others are gone */
    memset(&c->p_jan[c->p_n_jan], 0, sizeof c->p_jan[0]);
    sioc__copy_fixed(c->p_jan[c->p_n_jan].url, SIOC_CLUSTER_ARN_MAX, url);
    c->p_jan[c->p_n_jan].backlog = c->p_jan[c->p_n_jan].in_flight = -1;
    c->p_jan[c->p_n_jan++].seen = 1;
}

/* After the last page: forget queues that are gone, start on the first candidate. */
static void sioc__mj_listing_done(sioc_cluster *c, uint64_t now) {
    size_t i, keep = 0;
    for (i = 0; i < c->p_n_jan; i++)
        if (c->p_jan[i].seen) {
            c->p_jan[i].seen = 0;
            c->p_jan[keep++] = c->p_jan[i];
        }
    c->p_n_jan = keep;
    c->p_jan_idx = (size_t)-1;
    sioc__mj_next_candidate(c, now);
}

/* What a GetQueueAttributes said: 1 when the queue still looks orphaned. A round's look updates the clock; the
   re-check just before deleting only asks that nothing changed: nothing in flight, nothing taken, no live member. */
static int sioc__mj_judge(sioc_cluster *c, sioc__mjcand *k, const sioc_json *doc, int recheck, uint64_t now) {
    sioc_buf sb;
    sioc_str v;
    int64_t backlog = -1, in_flight = -1;
    size_t i;
    sioc_buf_init(&sb, c->p_scratch, c->p_scratch_size);
    if (sioc_sqs_parse_queue_attribute(doc, "ApproximateNumberOfMessages", &sb, &v) == SIOC_OK) {
        backlog = 0;
        for (i = 0; i < v.len && sioc__is_digit(v.ptr[i]); i++) backlog = backlog * 10 + (v.ptr[i] - '0');
    }
    if (sioc_sqs_parse_queue_attribute(doc, "ApproximateNumberOfMessagesNotVisible", &sb, &v) == SIOC_OK) {
        in_flight = 0;
        for (i = 0; i < v.len && sioc__is_digit(v.ptr[i]); i++) in_flight = in_flight * 10 + (v.ptr[i] - '0');
    }
    if (sioc_sqs_parse_queue_attribute(doc, "QueueArn", &sb, &v) == SIOC_OK) sioc__copy_fixed(c->p_jan_arn, sizeof c->p_jan_arn, v);
    if (recheck) /* nothing taken or newly in flight since the look */
        return backlog >= k->backlog && in_flight <= k->in_flight && !(k->uid[0] && sioc__mj_uid_live(c, k->uid));
    /* Consumed since the last look (the backlog shrank, or messages newly in flight: a receive), not growing, or
       its member alive: not an orphan, the clock starts again. A crashed member's own receives stay in flight,
       unchanged, until their visibility timeout: that is no sign of life. */
    if (backlog < 0 || in_flight < 0 || k->backlog < 0 || backlog <= k->backlog ||
        (in_flight > 0 && in_flight != k->in_flight) || (k->uid[0] && sioc__mj_uid_live(c, k->uid))) {
        k->suspect_since = 0;
        k->backlog = backlog;
        k->in_flight = in_flight;
        return 0;
    }
    k->backlog = backlog;
    k->in_flight = in_flight;
    if (!k->suspect_since) k->suspect_since = now;
    return now - k->suspect_since >= (uint64_t)c->p_desc.aws.orphan_after_s * 1000u;
}

/* The tags of a candidate: its member's uid, and whether it belongs to this cluster at all. */
static void sioc__mj_tags(sioc_cluster *c, sioc__mjcand *k, const sioc_json *doc) {
    sioc_aws_kv tags[16];
    size_t n = 0, i;
    sioc_buf sb;
    sioc_buf_init(&sb, c->p_scratch, c->p_scratch_size);
    k->tagged = 1;
    if (sioc_sqs_parse_list_queue_tags(doc, &sb, tags, SIOC__COUNT(tags), &n) != SIOC_OK) n = 0;
    for (i = 0; i < n; i++) {
        if (sioc_str_eq(tags[i].key, sioc_str_c("sioc-node"))) sioc__copy_fixed(k->uid, sizeof k->uid, tags[i].value);
        if (sioc_str_eq(tags[i].key, sioc_str_c("sioc-janitor"))) k->janitor = 1;
        if (sioc_str_eq(tags[i].key, sioc_str_c("sioc-cluster")) &&
            !sioc_str_eq(tags[i].value, sioc_str_c(c->p_desc.topic_name)))
            k->foreign = 1;
    }
}

/* The subscription of the queue being removed, from one page of ListSubscriptionsByTopic. */
static int sioc__mj_find_sub(sioc_cluster *c, const sioc__mslot *s, sioc_str *next) {
    sioc_sns_subscription subs[100];
    size_t n = 0, i;
    sioc_buf sb;
    sioc_buf_init(&sb, c->p_scratch, c->p_scratch_size);
    next->len = 0;
    if (sioc_sns_parse_list_subscriptions((const char *)s->call.aws.reply.ptr, s->call.aws.reply.len, &sb, subs,
                                          SIOC__COUNT(subs), &n, next) != SIOC_OK)
        return 0;
    for (i = 0; i < n; i++)
        if (sioc_str_eq(subs[i].endpoint, sioc_str_c(c->p_jan_arn))) {
            sioc__copy_fixed(c->p_jan_sub, sizeof c->p_jan_sub, subs[i].subscription_arn);
            return 1;
        }
    return 0;
}

/* The queue is gone: counted, logged, dropped from the table. */
static void sioc__mj_removed(sioc_cluster *c, uint64_t now) {
    sioc__mjcand *k = sioc__mj_cur(c);
    c->p_stats.orphans_deleted++;
#if SIOC_ENABLE_LOG
    if (c->p_desc.logger.fn) {
        char line[SIOC_CLUSTER_ARN_MAX + 96];
        sioc_buf b;
        uint32_t ms;
        sioc_buf_init(&b, line, sizeof line - 1);
        sioc_buf_puts(&b, "sioc_cluster: removed the orphaned queue ");
        sioc_buf_puts(&b, k->url);
        sioc_buf_puts(&b, " (growing, never received from, for ");
        sioc_buf_put_u64(&b, sioc__udiv64(now - k->suspect_since, 1000u, &ms));
        sioc_buf_puts(&b, " s)");
        line[SIOC__MIN(b.len, sizeof line - 1)] = 0;
        c->p_desc.logger.fn(c->p_desc.logger.user, SIOC_LOG_WARN, line);
    }
#else
    (void)k, (void)now;
#endif
    c->p_jan[c->p_jan_idx] = c->p_jan[--c->p_n_jan];
    c->p_jan_idx--; /* the one moved here is looked at next */
}

static void sioc__mjan_done(sioc_cluster *c, sioc__mslot *s, uint64_t now) {
    sioc_aws_call *call = &s->call.aws;
    sioc_json doc;
    sioc_str next;
    int step = c->p_jan_step, json_ok;
    if (call->result != SIOC_OK && !(call->result == SIOC_ERR_NOT_FOUND && step >= SIOC__MJ_TAGS)) {
        sioc__m_fail(c, s, call->result, now); /* retried after a backoff, as any request */
        return;
    }
    s->state = SIOC__MS_FREE;
    if (call->result == SIOC_ERR_NOT_FOUND) { /* the candidate is gone already (deleted by its member or another) */
        if (step == SIOC__MJ_DELETE) sioc__mj_removed(c, now);
        else c->p_jan[c->p_jan_idx] = c->p_jan[--c->p_n_jan], c->p_jan_idx--;
        sioc__mj_next_candidate(c, now);
        return;
    }
    json_ok = step != SIOC__MJ_FIND_SUB && step != SIOC__MJ_UNSUB &&
              sioc_json_parse(&doc, (const char *)call->reply.ptr, call->reply.len, c->p_toks, c->p_n_toks) == SIOC_OK;
    switch (step) {
    case SIOC__MJ_LIST: {
        sioc_str urls[100];
        size_t n = 0, i;
        sioc_buf sb;
        sioc_buf_init(&sb, c->p_scratch, c->p_scratch_size);
        next.len = 0;
        if (json_ok && sioc_sqs_parse_list_queues(&doc, &sb, urls, SIOC__COUNT(urls), &n, &next) == SIOC_OK)
            for (i = 0; i < n; i++) sioc__mj_listed(c, urls[i]);
        sioc__copy_fixed(c->p_jan_token, sizeof c->p_jan_token, next);
        if (next.len && next.len < sizeof c->p_jan_token) sioc__mj_send(c, now);
        else sioc__mj_listing_done(c, now);
        return;
    }
    case SIOC__MJ_TAGS:
        if (json_ok) sioc__mj_tags(c, sioc__mj_cur(c), &doc);
        else sioc__mj_cur(c)->tagged = 1;
        c->p_jan_idx = (size_t)-1; /* then the attributes from the first candidate on */
        sioc__mj_next_candidate(c, now);
        return;
    case SIOC__MJ_ATTRS:
    case SIOC__MJ_RECHECK:
        if (json_ok && sioc__mj_judge(c, sioc__mj_cur(c), &doc, step == SIOC__MJ_RECHECK, now) && c->p_jan_arn[0] &&
            sioc__mj_elected(c)) {
            c->p_jan_step = step == SIOC__MJ_ATTRS ? SIOC__MJ_RECHECK : SIOC__MJ_FIND_SUB;
            c->p_jan_token[0] = 0;
            sioc__mj_send(c, now);
            return;
        }
        sioc__mj_next_candidate(c, now);
        return;
    case SIOC__MJ_FIND_SUB:
        if (sioc__mj_find_sub(c, s, &next)) {
            c->p_jan_step = SIOC__MJ_UNSUB;
        } else if (next.len && next.len < sizeof c->p_jan_token) {
            sioc__copy_fixed(c->p_jan_token, sizeof c->p_jan_token, next);
        } else {
            c->p_jan_step = SIOC__MJ_DELETE; /* no subscription left: the queue alone */
        }
        sioc__mj_send(c, now);
        return;
    case SIOC__MJ_UNSUB:
        c->p_jan_step = SIOC__MJ_DELETE;
        sioc__mj_send(c, now);
        return;
    default: /* SIOC__MJ_DELETE */
        sioc__mj_removed(c, now);
        sioc__mj_next_candidate(c, now);
        return;
    }
}

/* Start a round when it is due and this member is the one that looks. */
static void sioc__mjan_step(sioc_cluster *c, uint64_t now) {
    sioc__mslot *s = &c->p_slots[c->p_n_slots - 1];
    if (c->p_state != SIOC_CLUSTER_RUNNING || s->state != SIOC__MS_FREE || c->p_jan_step != SIOC__MJ_IDLE ||
        now < c->p_jan_next || !c->p_queue_url[0])
        return;
    c->p_jan_step = SIOC__MJ_LIST;
    c->p_jan_token[0] = 0;
    sioc__mj_send(c, now);
}

#endif /* SIOC__M_JANITOR */
#endif /* SIO_CLUSTER_IMPLEMENTATION */

/* ---- src/epilogue.h ---- */
/*
------------------------------------------------------------------------------
This software is available under 2 licences -- choose whichever you prefer.
------------------------------------------------------------------------------
ALTERNATIVE A - MIT License
Copyright (c) 2026 the sio_cluster.h authors
Permission is hereby granted, free of charge, to any person obtaining a copy of
this software and associated documentation files (the "Software"), to deal in
the Software without restriction, including without limitation the rights to
use, copy, modify, merge, publish, distribute, sublicense, and/or sell copies
of the Software, and to permit persons to whom the Software is furnished to do
so, subject to the following conditions:
The above copyright notice and this permission notice shall be included in all
copies or substantial portions of the Software.
THE SOFTWARE IS PROVIDED "AS IS", WITHOUT WARRANTY OF ANY KIND, EXPRESS OR
IMPLIED, INCLUDING BUT NOT LIMITED TO THE WARRANTIES OF MERCHANTABILITY,
FITNESS FOR A PARTICULAR PURPOSE AND NONINFRINGEMENT. IN NO EVENT SHALL THE
AUTHORS OR COPYRIGHT HOLDERS BE LIABLE FOR ANY CLAIM, DAMAGES OR OTHER
LIABILITY, WHETHER IN AN ACTION OF CONTRACT, TORT OR OTHERWISE, ARISING FROM,
OUT OF OR IN CONNECTION WITH THE SOFTWARE OR THE USE OR OTHER DEALINGS IN THE
SOFTWARE.
------------------------------------------------------------------------------
ALTERNATIVE B - Public Domain (www.unlicense.org)
This is free and unencumbered software released into the public domain.
Anyone is free to copy, modify, publish, use, compile, sell, or distribute this
software, either in source code form or as a compiled binary, for any purpose,
commercial or non-commercial, and by any means.
In jurisdictions that recognize copyright laws, the author or authors of this
software dedicate any and all copyright interest in the software to the public
domain. We make this dedication for the benefit of the public at large and to
the detriment of our heirs and successors. We intend this dedication to be an
overt act of relinquishment in perpetuity of all present and future rights to
this software under copyright law.
THE SOFTWARE IS PROVIDED "AS IS", WITHOUT WARRANTY OF ANY KIND, EXPRESS OR
IMPLIED, INCLUDING BUT NOT LIMITED TO THE WARRANTIES OF MERCHANTABILITY,
FITNESS FOR A PARTICULAR PURPOSE AND NONINFRINGEMENT. IN NO EVENT SHALL THE
AUTHORS BE LIABLE FOR ANY CLAIM, DAMAGES OR OTHER LIABILITY, WHETHER IN AN
ACTION OF CONTRACT, TORT OR OTHERWISE, ARISING FROM, OUT OF OR IN CONNECTION
WITH THE SOFTWARE OR THE USE OR OTHER DEALINGS IN THE SOFTWARE.
------------------------------------------------------------------------------
*/
