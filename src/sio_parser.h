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
#pragma once
#include "base.h"
#include "json.h"
#include "msgpack.h"

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
