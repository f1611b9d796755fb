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
#pragma once
#include "base.h"
#include "json.h"
#include "sio_parser.h"
#include "cluster_msg.h"
#include "local_select.h"

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
