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
#pragma once
#include "base.h"

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
