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
#pragma once
#include "base.h"
#include "msgpack.h"

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
