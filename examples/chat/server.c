/* The chat's C server: a Socket.IO server for real socket.io-clients (browsers with default options: HTTP
   long-polling, then the upgrade to WebSocket) that is a member of a Socket.IO cluster through sioc_cluster, next
   to Node servers using the AWS SNS/SQS or Azure Service Bus adapter. Plain POSIX sockets and one poll() loop; the
   Engine.IO and WebSocket framing comes from sio_cluster.h (eio.h), the socket.io packets from sio_parser.h, the
   rooms, broadcasts, acks and fetchSockets from the member's node (README.md).

     build   make chat-server   (or: cc -std=c99 -O2 -I../.. server.c -o chat-server -lm)
     run     chat-server --transport aws|azure [--port 3001] [--label C] [--public DIR] [--client-js FILE]
                         [--heartbeat-interval MS] [--heartbeat-timeout MS] [--ping-interval MS]
                         [--ping-timeout MS] [--max-clients N] [--max-payload BYTES] [--topic NAME]
             AWS: AWS_ENDPOINT_URL, AWS_REGION, AWS_ACCESS_KEY_ID, AWS_SECRET_ACCESS_KEY;
             Azure: SERVICEBUS_CONNECTION_STRING and SERVICEBUS_REST_URL (read by sioc_cluster_desc_from_env)
   Prints `CHAT_READY port=<port> uid=<uid>` on stdout once it is in the cluster; SIGTERM / SIGINT leave the
   cluster gracefully (ADAPTER_CLOSE), SIGKILL is a crash the others notice after their heartbeat timeout. */
#define _POSIX_C_SOURCE 200809L
#define SIOC_ENABLE_POSIX 1
#define SIOC_NODE_NAME_MAX 64
#define SIO_CLUSTER_IMPLEMENTATION
#include "sio_cluster.h"

#include <errno.h>
#include <fcntl.h>
#include <netinet/in.h>
#include <netinet/tcp.h>
#include <arpa/inet.h>
#include <poll.h>
#include <signal.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/socket.h>
#include <unistd.h>

/* ======================================================================================================
   Part 1: connections, HTTP, Engine.IO sessions (what any C Socket.IO server needs beside the header)
   ====================================================================================================== */

typedef struct dbuf { /* a growable byte buffer (the example allocates; the library does not) */
    uint8_t *p;
    size_t len, cap;
} dbuf;

static void dbuf_put(dbuf *b, const void *data, size_t n) {
    if (b->len + n > b->cap) {
        size_t cap = b->cap ? b->cap : 256;
        while (cap < b->len + n) cap *= 2;
        b->p = (uint8_t *)realloc(b->p, cap);
        if (!b->p) abort(); /* out of memory in an example: stop loudly */
        b->cap = cap;
    }
    if (n && data) memcpy(b->p + b->len, data, n); /* data NULL: only make room */
    b->len += n;
}
static void dbuf_consume(dbuf *b, size_t n) {
    memmove(b->p, b->p + n, b->len - n);
    b->len -= n;
}
static void dbuf_free(dbuf *b) {
    free(b->p);
    memset(b, 0, sizeof *b);
}
/* A sioc_buf view over the free tail of b with at least `need` bytes. */
static sioc_buf dbuf_tail(dbuf *b, size_t need) {
    sioc_buf s;
    dbuf_put(b, NULL, need);
    b->len -= need;
    sioc_buf_init(&s, b->p + b->len, b->cap - b->len);
    return s;
}
/* Append what a sioc_buf writer produced into the tail (grow and retry when it did not fit). */
#define DBUF_WRITE(b, need, buf, stmt)                                              \
    do {                                                                            \
        size_t need_ = (need);                                                      \
        for (;;) {                                                                  \
            sioc_buf buf = dbuf_tail((b), need_);                                   \
            stmt;                                                                   \
            if (sioc_buf_result(&buf) == SIOC_OK) { (b)->len += buf.len; break; }   \
            if (sioc_buf_result(&buf) != SIOC_ERR_BUFFER_TOO_SMALL) break;          \
            need_ = buf.len;                                                        \
        }                                                                           \
    } while (0)

enum { CONN_HTTP = 0, CONN_WS = 1 };
enum { TR_POLLING = 1, TR_WEBSOCKET = 2 };

struct session;
typedef struct conn {
    int fd, kind, closing;   /* closing: close once `out` is written */
    dbuf in, out;
    struct session *s;       /* WS: its session (also while probing); HTTP: the session whose poll it holds */
    int polling;             /* HTTP: a GET waits for packets */
    sioc_ws_reader ws;
    uint8_t *ws_mem;
    int dirty;               /* in the server's list of connections with output to write */
} conn;

#define MAX_ATT SIOC_SIO_MAX_ATTACHMENTS
typedef struct session {
    char sid[24];            /* Engine.IO session id */
    char sio[24];            /* socket.io socket id, "" until CONNECT */
    int slot, transport, used;
    uint32_t serial;         /* tells a reused slot from the session a pending request was for */
    conn *ws, *probe, *poll; /* the WebSocket (upgraded or direct), the one being probed, the waiting GET */
    dbuf pq;                 /* polling payload waiting for a GET */
    uint64_t ping_at, pong_by;
    int poll_dirty;
    char name[33];
    uint8_t data_mp[128];    /* socket.data as msgpack {name, server}: what fetchSockets returns */
    size_t data_len;
    dbuf bin_text;           /* a BINARY_EVENT / BINARY_ACK waiting for its attachments */
    dbuf att[MAX_ATT];
    uint32_t att_need, att_have;
} session;

typedef struct server {
    int lfd;
    uint16_t port;
    const char *label, *public_dir, *client_js;
    uint32_t ping_interval, ping_timeout, max_payload;
    conn **conns;
    size_t n_conns, max_conns;
    session *sessions;
    size_t max_sessions, n_sessions;
    uint32_t *sid_index;     /* open addressing: slot + 1, 0 empty */
    size_t sid_mask;
    uint32_t next_serial;
    dbuf index_html, client_js_body;
    sioc_cluster member;
    sioc_node *node;
    uint64_t now, timers_at;
    uint64_t msgs_in, msgs_out;
    conn **dirty;            /* connections with output: written at the end of the turn (no scan of all) */
    size_t n_dirty;
    session **polls;         /* polling sessions with packets for a waiting GET */
    size_t n_polls;
} server;

static server *g_sv; /* the one server: conn_write and eio_send note work in its lists */

static volatile sig_atomic_t g_stop;
static void on_signal(int sig) { (void)sig; g_stop = 1; }

static void logf_(const char *fmt, ...) {
    va_list ap;
    va_start(ap, fmt);
    vfprintf(stderr, fmt, ap);
    va_end(ap);
    fputc('\n', stderr);
}

/* Random ids as engine.io makes them: 20 characters of base64url. */
static void random_id(char out[24]) {
    uint8_t raw[15];
    size_t n, i;
    if (sioc_posix_random(NULL, raw, sizeof raw) != SIOC_OK || sioc_base64_encode(raw, sizeof raw, out, 24, &n) != SIOC_OK)
        abort();
    for (i = 0; i < n; i++) out[i] = out[i] == '+' ? '-' : out[i] == '/' ? '_' : out[i];
}

/* ---- sessions by sid ---- */

static size_t sid_hash(const char *s, size_t n) {
    size_t h = 5381, i;
    for (i = 0; i < n; i++) h = h * 33 + (unsigned char)s[i];
    return h;
}
static session *session_find(server *sv, sioc_str sid) {
    size_t i = sid_hash(sid.ptr, sid.len) & sv->sid_mask;
    for (; sv->sid_index[i]; i = (i + 1) & sv->sid_mask) {
        session *s = &sv->sessions[sv->sid_index[i] - 1];
        if (strlen(s->sid) == sid.len && memcmp(s->sid, sid.ptr, sid.len) == 0) return s;
    }
    return NULL;
}
static void sid_index_remove(server *sv, session *s) {
    size_t i = sid_hash(s->sid, strlen(s->sid)) & sv->sid_mask, j;
    while (sv->sid_index[i] != (uint32_t)s->slot + 1) i = (i + 1) & sv->sid_mask;
    sv->sid_index[i] = 0;
    for (j = (i + 1) & sv->sid_mask; sv->sid_index[j]; j = (j + 1) & sv->sid_mask) { /* re-place the cluster */
        uint32_t v = sv->sid_index[j];
        session *o = &sv->sessions[v - 1];
        sv->sid_index[j] = 0;
        i = sid_hash(o->sid, strlen(o->sid)) & sv->sid_mask;
        while (sv->sid_index[i]) i = (i + 1) & sv->sid_mask;
        sv->sid_index[i] = v;
    }
}

/* ---- output ---- */

static void conn_write(conn *c, const void *p, size_t n) {
    dbuf_put(&c->out, p, n);
    if (!c->dirty) c->dirty = 1, g_sv->dirty[g_sv->n_dirty++] = c;
}

static void http_respond(conn *c, int status, const char *type, const void *body, size_t n, int close_after) {
    char head[256];
    const char *text = status == 200 ? "OK" : status == 400 ? "Bad Request" : status == 403 ? "Forbidden"
                     : status == 404 ? "Not Found" : status == 413 ? "Payload Too Large" : "Error";
    int k = snprintf(head, sizeof head, "HTTP/1.1 %d %s\r\nContent-Type: %s\r\nContent-Length: %zu\r\n%s\r\n", status,
                     text, type, n, close_after ? "Connection: close\r\n" : "");
    conn_write(c, head, (size_t)k);
    conn_write(c, body, n);
    if (close_after) c->closing = 1;
}

static void http_error(conn *c, int code) {
    uint8_t mem[96];
    sioc_buf b;
    sioc_buf_init(&b, mem, sizeof mem);
    sioc_eio_error_body(&b, code);
    http_respond(c, code == SIOC_EIO_ERR_FORBIDDEN ? 403 : 400, "application/json", mem, b.len, 0);
}

/* One WebSocket frame: "<type digit><data>" as text, or the bytes as binary. */
static void ws_send(conn *c, int type, const void *data, size_t n, int binary) {
    uint8_t hdr[SIOC_WS_MAX_HEADER];
    char t = (char)('0' + type);
    conn_write(c, hdr, sioc_ws_frame_header(hdr, 1, binary ? SIOC_WS_BINARY : SIOC_WS_TEXT, n + !binary, NULL));
    if (!binary) conn_write(c, &t, 1);
    conn_write(c, data, n);
}

/* Append one packet to a polling payload queue (\x1e between packets), growing it until it fits. */
static void pq_add(dbuf *pq, int type, const void *data, size_t n, int binary) {
    for (;;) {
        sioc_buf b;
        size_t had = pq->len;
        sioc_buf_init(&b, pq->p, pq->cap);
        b.len = had;
        if (binary) sioc_eio_polling_add_binary(&b, 0, data, n);
        else sioc_eio_polling_add(&b, 0, type, data, n);
        if (sioc_buf_result(&b) == SIOC_OK) {
            pq->len = b.len;
            return;
        }
        dbuf_put(pq, NULL, b.len - had); /* grow to the size the packet needs, then write it again */
        pq->len = had;
    }
}

/* An Engine.IO packet to a session, over whichever transport it uses now. */
static void eio_send(session *s, int type, const void *data, size_t n, int binary) {
    if (s->transport == TR_WEBSOCKET && s->ws) ws_send(s->ws, type, data, n, binary);
    else pq_add(&s->pq, type, data, n, binary);
    if (s->transport == TR_POLLING && s->poll && !s->poll_dirty) s->poll_dirty = 1, g_sv->polls[g_sv->n_polls++] = s;
}
static void eio_message(session *s, const void *text, size_t n) { eio_send(s, SIOC_EIO_MESSAGE, text, n, 0); }
static void eio_binary(session *s, const void *data, size_t n) { eio_send(s, SIOC_EIO_MESSAGE, data, n, 1); }
static void eio_control(session *s, int type, const char *data) { eio_send(s, type, data, strlen(data), 0); }

/* Answer the waiting GET with everything queued. */
static void flush_poll(session *s) {
    conn *c = s->poll;
    if (!c || !s->pq.len) return;
    http_respond(c, 200, "text/plain; charset=UTF-8", s->pq.p, s->pq.len, 0);
    s->pq.len = 0;
    c->polling = 0;
    c->s = NULL;
    s->poll = NULL;
}

/* ======================================================================================================
   Part 2: the socket.io layer and the cluster glue (local sockets are the node's sockets)
   ====================================================================================================== */

static void session_close(server *sv, session *s, const char *why);
static void pump(server *sv);

/* A request the node answers later (fetchSockets, broadcast with acks): which client ack it completes. */
typedef struct pending {
    int slot;
    uint32_t serial;
    int64_t ack_id;
    int kind;        /* 1 users (fetchSockets), 2 seen-by (broadcast with acks) */
    uint64_t acks;
    dbuf users;      /* JSON array elements so far */
    size_t n_users;
} pending;

static session *pending_session(server *sv, const pending *p) {
    session *s = &sv->sessions[p->slot];
    return s->used && s->serial == p->serial && s->sio[0] ? s : NULL;
}

/* "3<id>[<json>]": the ack a client's emit(..., callback) waits for. */
static void send_ack(session *s, int64_t id, const char *json, size_t n) {
    dbuf t = {0, 0, 0};
    char head[32];
    int k = snprintf(head, sizeof head, "3%lld[", (long long)id);
    dbuf_put(&t, head, (size_t)k);
    dbuf_put(&t, json, n);
    dbuf_put(&t, "]", 1);
    eio_message(s, t.p, t.len);
    dbuf_free(&t);
}

static void sio_connect(server *sv, session *s, const sioc_sio_packet *p) {
    sioc_node_socket_desc sd;
    sioc_msgpack_writer w;
    sioc_buf b;
    char reply[64];
    int tok = p->has_data ? sioc_json_find(&p->json, 0, "name") : -1;
    sioc_result e;
    strcpy(s->name, "anonymous");
    if (tok >= 0 && sioc_json_get_str(&p->json, tok, s->name, sizeof s->name, NULL) != SIOC_OK)
        strcpy(s->name, "anonymous"); /* too long or not a string */
    random_id(s->sio);
    sioc_buf_init(&b, s->data_mp, sizeof s->data_mp);
    sioc_msgpack_writer_init(&w, &b);
    sioc_msgpack_write_map(&w, 2);
    sioc_msgpack_write_cstr(&w, "name");
    sioc_msgpack_write_cstr(&w, s->name);
    sioc_msgpack_write_cstr(&w, "server");
    sioc_msgpack_write_cstr(&w, sv->label);
    s->data_len = b.len;
    memset(&sd, 0, sizeof sd);
    sd.data = sioc_bytes_n(s->data_mp, s->data_len);
    sd.user = s;
    sd.conn = s->serial;
    e = sioc_node_socket_add(sv->node, sioc_str_c("/"), sioc_str_c(s->sio), &sd, sv->now);
    if (e != SIOC_OK) {
        s->sio[0] = 0;
        eio_message(s, "4{\"message\":\"server full\"}", 26);
        return;
    }
    snprintf(reply, sizeof reply, "0{\"sid\":\"%s\"}", s->sio);
    eio_message(s, reply, strlen(reply));
}

static void sio_disconnect(server *sv, session *s) {
    if (!s->sio[0]) return;
    (void)sioc_node_socket_remove(sv->node, sioc_str_c("/"), sioc_str_c(s->sio));
    s->sio[0] = 0;
}

static int in_room(server *sv, session *s, sioc_str room) {
    sioc_str rooms[16];
    size_t n = 0, i;
    if (sioc_node_socket_rooms(sv->node, sioc_str_c("/"), sioc_str_c(s->sio), rooms, 16, &n) != SIOC_OK) return 0;
    for (i = 0; i < n; i++)
        if (sioc_str_eq(rooms[i], room)) return 1;
    return 0;
}

/* The room an event names: its first argument (a string) or that object's "room". */
static int arg_room(const sioc_json *doc, int arg, sioc_str *room) {
    int t = arg;
    if (arg >= 0 && sioc_json_type_of(doc, arg) == SIOC_JSON_OBJECT) t = sioc_json_find(doc, arg, "room");
    if (t < 0 || sioc_json_type_of(doc, t) != SIOC_JSON_STRING) return 0;
    *room = sioc_json_raw(doc, t); /* the text between the quotes, escapes refused below: plain names only */
    if (room->len == 0 || room->len > 32) return 0;
    for (size_t i = 0; i < room->len; i++)
        if (room->ptr[i] == '\\' || (unsigned char)room->ptr[i] < 0x20) return 0;
    return 1;
}

/* [event, {...the client's object, from, server}]: a chat event as every receiver sees it, msgpack. The object's
   values go through the JSON -> msgpack conversion of a Node server (binary placeholders become bin). */
static sioc_result forward_packet(server *sv, session *s, const char *event, const sioc_json *doc, int obj,
                                  const sioc_bytes *att, size_t n_att, dbuf *out) {
    sioc_result e = SIOC_OK;
    DBUF_WRITE(out, 256, b, {
        sioc_msgpack_writer w;
        int k;
        uint32_t n = 2;
        sioc_msgpack_writer_init(&w, &b);
        for (k = sioc_json_first(doc, obj); k >= 0; k = sioc_json_next(doc, k))
            if (!sioc_json_str_eq(doc, k, "from", 4) && !sioc_json_str_eq(doc, k, "server", 6)) n++;
        sioc_msgpack_write_array(&w, 2);
        sioc_msgpack_write_cstr(&w, event);
        sioc_msgpack_write_map(&w, n);
        for (k = sioc_json_first(doc, obj); k >= 0 && e == SIOC_OK; k = sioc_json_next(doc, k)) {
            char key[64];
            size_t kn = 0;
            if (sioc_json_str_eq(doc, k, "from", 4) || sioc_json_str_eq(doc, k, "server", 6)) continue;
            if (sioc_json_get_str(doc, k, key, sizeof key, &kn) != SIOC_OK) e = SIOC_ERR_ARG;
            sioc_msgpack_write_str(&w, key, kn);
            if (e == SIOC_OK) e = sioc_sio_json_to_msgpack(doc, k + 1, att, n_att, &w); /* the value follows its key */
        }
        sioc_msgpack_write_cstr(&w, "from");
        sioc_msgpack_write_cstr(&w, s->name);
        sioc_msgpack_write_cstr(&w, "server");
        sioc_msgpack_write_cstr(&w, sv->label);
        if (e == SIOC_OK && sioc_msgpack_writer_finish(&w) != SIOC_OK && sioc_buf_result(&b) == SIOC_OK)
            e = SIOC_ERR_ARG;
    });
    return e;
}

/* message / image / typing: to the room except the sender; with a callback, as a broadcast with acks whose
   count comes back as {"seen": N} ("seen by N"). */
static void chat_broadcast(server *sv, session *s, const char *event, const sioc_sio_packet *p, int arg,
                           const sioc_bytes *att, size_t n_att) {
    sioc_str room, except = sioc_str_c(s->sio);
    sioc_node_opts o;
    dbuf pk = {0, 0, 0};
    sioc_result e;
    if (!arg_room(&p->json, arg, &room) || !in_room(sv, s, room) ||
        sioc_json_type_of(&p->json, arg) != SIOC_JSON_OBJECT ||
        forward_packet(sv, s, event, &p->json, arg, att, n_att, &pk) != SIOC_OK) {
        if (p->id >= 0) send_ack(s, p->id, "{\"error\":\"not in that room\"}", 28);
        dbuf_free(&pk);
        return;
    }
    memset(&o, 0, sizeof o);
    o.rooms = &room;
    o.n_rooms = 1;
    o.except = &except;
    o.n_except = 1;
    if (p->id >= 0) {
        pending *q = (pending *)calloc(1, sizeof *q);
        uint32_t req;
        q->slot = s->slot, q->serial = s->serial, q->ack_id = p->id, q->kind = 2;
        e = sioc_node_broadcast_ack(sv->node, sioc_str_c("/"), &o, sioc_bytes_n(pk.p, pk.len), 5000, q, &req, sv->now);
        if (e != SIOC_OK) {
            free(q);
            send_ack(s, p->id, "{\"error\":\"busy\"}", 16);
        }
    } else {
        if (!strcmp(event, "typing")) o.flags.present |= SIOC_MSG_FLAG_VOLATILE, o.flags.values |= SIOC_MSG_FLAG_VOLATILE;
        e = sioc_node_broadcast(sv->node, sioc_str_c("/"), &o, sioc_bytes_n(pk.p, pk.len), sv->now);
    }
    if (e != SIOC_OK) logf_("broadcast %s: %s", event, sioc_strerror(e));
    dbuf_free(&pk);
    pump(sv);
}

static void chat_event(server *sv, session *s, const sioc_sio_packet *p, const sioc_bytes *att, size_t n_att) {
    const sioc_json *doc = &p->json;
    int ev = p->has_data ? sioc_json_at(doc, 0, 0) : -1, arg = p->has_data ? sioc_json_at(doc, 0, 1) : -1;
    sioc_str room;
    sv->msgs_in++;
    if (ev < 0) return;
    if (sioc_json_str_eq(doc, ev, "join", 4) || sioc_json_str_eq(doc, ev, "leave", 5)) {
        int join = sioc_json_str_eq(doc, ev, "join", 4);
        sioc_result e = SIOC_ERR_ARG;
        if (arg_room(doc, arg, &room))
            e = join ? sioc_node_socket_join(sv->node, sioc_str_c("/"), sioc_str_c(s->sio), room)
                     : sioc_node_socket_leave(sv->node, sioc_str_c("/"), sioc_str_c(s->sio), room);
        if (p->id >= 0) {
            char j[96];
            int k = e == SIOC_OK ? snprintf(j, sizeof j, "{\"ok\":true,\"room\":\"%.*s\"}", (int)room.len, room.ptr)
                                 : snprintf(j, sizeof j, "{\"error\":\"%s\"}", sioc_strerror(e));
            send_ack(s, p->id, j, (size_t)k);
        }
    } else if (sioc_json_str_eq(doc, ev, "message", 7) || sioc_json_str_eq(doc, ev, "image", 5) ||
               sioc_json_str_eq(doc, ev, "typing", 6)) {
        char name[8];
        if (sioc_json_get_str(doc, ev, name, sizeof name, NULL) == SIOC_OK)
            chat_broadcast(sv, s, name, p, arg, att, n_att);
    } else if (sioc_json_str_eq(doc, ev, "users", 5) && p->id >= 0) {
        pending *q = (pending *)calloc(1, sizeof *q);
        uint32_t req;
        q->slot = s->slot, q->serial = s->serial, q->ack_id = p->id, q->kind = 1;
        if (sioc_node_fetch_sockets(sv->node, sioc_str_c("/"), NULL, q, &req, sv->now) != SIOC_OK) {
            free(q);
            send_ack(s, p->id, "{\"error\":\"busy\"}", 16);
        }
        pump(sv);
    } else if (p->id >= 0) {
        send_ack(s, p->id, "{\"error\":\"unknown event\"}", 25);
    }
}

/* A whole socket.io packet (text + attachments) from a client. */
static void sio_packet(server *sv, session *s, const char *text, size_t n, const sioc_bytes *att, size_t n_att) {
    static sioc_json_tok toks[4096];
    sioc_sio_packet p;
    sioc_result e = sioc_sio_decode(&p, text, n, toks, sizeof toks / sizeof toks[0], 0);
    if (e != SIOC_OK) {
        session_close(sv, s, "parse error");
        return;
    }
    if ((p.type == SIOC_SIO_BINARY_EVENT || p.type == SIOC_SIO_BINARY_ACK) && n_att < p.attachments) {
        size_t i;
        s->bin_text.len = 0;
        dbuf_put(&s->bin_text, text, n);
        s->att_need = p.attachments, s->att_have = 0;
        for (i = 0; i < MAX_ATT; i++) s->att[i].len = 0;
        return;
    }
    if (p.type != SIOC_SIO_CONNECT && p.nsp.len != 1) { /* only "/" here */
        return;
    }
    switch (p.type) {
    case SIOC_SIO_CONNECT:
        if (p.nsp.len != 1) {
            char r[128];
            int k = snprintf(r, sizeof r, "4%.*s,{\"message\":\"Invalid namespace\"}", (int)SIOC__MIN(p.nsp.len, 64), p.nsp.ptr);
            eio_message(s, r, (size_t)k);
        } else if (!s->sio[0]) {
            sio_connect(sv, s, &p);
        }
        break;
    case SIOC_SIO_DISCONNECT: sio_disconnect(sv, s); break;
    case SIOC_SIO_EVENT:
    case SIOC_SIO_BINARY_EVENT:
        if (s->sio[0]) chat_event(sv, s, &p, att, n_att);
        break;
    case SIOC_SIO_ACK:
    case SIOC_SIO_BINARY_ACK: /* a client's ack of a broadcast with acks ("seen") */
        if (s->sio[0]) (void)sioc_node_client_ack(sv->node, sioc_str_c(s->sio), &p, att, n_att, sv->now);
        pump(sv);
        break;
    default: session_close(sv, s, "bad packet"); break;
    }
}

/* An Engine.IO MESSAGE: text (a socket.io packet) or binary (an attachment of the packet before). */
static void eio_on_message(server *sv, session *s, const sioc_eio_packet *pk) {
    if (pk->binary) {
        sioc_bytes att[MAX_ATT];
        uint32_t i;
        if (s->att_have >= s->att_need) {
            session_close(sv, s, "unexpected binary");
            return;
        }
        s->att[s->att_have].len = 0;
        dbuf_put(&s->att[s->att_have++], pk->data.ptr, pk->data.len);
        if (s->att_have < s->att_need) return;
        for (i = 0; i < s->att_need; i++) att[i] = sioc_bytes_n(s->att[i].p, s->att[i].len);
        s->att_need = 0;
        sio_packet(sv, s, (const char *)s->bin_text.p, s->bin_text.len, att, s->att_have);
        return;
    }
    if (s->att_need) {
        session_close(sv, s, "attachment expected");
        return;
    }
    sio_packet(sv, s, (const char *)pk->data.ptr, pk->data.len, NULL, 0);
}

static void eio_on_packet(server *sv, session *s, const sioc_eio_packet *pk) {
    switch (pk->type) {
    case SIOC_EIO_MESSAGE: eio_on_message(sv, s, pk); break;
    case SIOC_EIO_PONG:
        s->pong_by = 0;
        s->ping_at = sv->now + sv->ping_interval;
        break;
    case SIOC_EIO_CLOSE: session_close(sv, s, "client namespace disconnect"); break;
    default: break; /* ping from a v3 client, noop, upgrade on the wrong transport: ignored like engine.io */
    }
}

/* ---- the node's events: deliveries to local clients, answers to requests ---- */

static void deliver(server *sv, const sioc_node_event *ev) {
    size_t i, k;
    for (i = 0; i < ev->n_targets; i++) {
        session *s = (session *)sioc_node_event_target(ev, i).user;
        if (!s || !s->used) continue;
        if (ev->is_volatile && s->transport == TR_WEBSOCKET && s->ws && s->ws->out.len > 65536) continue;
        eio_message(s, ev->text.ptr, ev->text.len);
        for (k = 0; k < ev->n_attachments; k++) {
            sioc_bytes a = sioc_node_event_attachment(ev, k);
            eio_binary(s, a.ptr, a.len);
        }
        sv->msgs_out++;
    }
}

/* One node's sockets of a fetchSockets answer as JSON objects {id, name, server, rooms}. */
static void collect_users(pending *q, const sioc_node_event *ev) {
    sioc_msg_list it = ev->sockets;
    sioc_msg_socket so;
    while (sioc_msg_list_next_socket(&it, &so)) {
        sioc_msgpack_reader r;
        sioc_str name = sioc_str_c("?"), srv = sioc_str_c("?"), room;
        sioc_msg_list rooms = so.rooms;
        int first = 1;
        if (so.data.ptr) {
            sioc_msgpack_reader_init(&r, so.data.ptr, so.data.len);
            if (sioc_msgpack_map_find(&r, "name") == SIOC_OK) (void)sioc_msgpack_read_str(&r, &name);
            sioc_msgpack_reader_init(&r, so.data.ptr, so.data.len);
            if (sioc_msgpack_map_find(&r, "server") == SIOC_OK) (void)sioc_msgpack_read_str(&r, &srv);
        }
        DBUF_WRITE(&q->users, 256, b, {
            sioc_json_writer w;
            sioc_json_writer_init(&w, &b);
            if (q->n_users) sioc_buf_putc(&b, ',');
            sioc_json_write_object_begin(&w);
            sioc_json_write_key(&w, "id", 2);
            sioc_json_write_str(&w, so.id.ptr, so.id.len);
            sioc_json_write_key(&w, "name", 4);
            sioc_json_write_str(&w, name.ptr, name.len);
            sioc_json_write_key(&w, "server", 6);
            sioc_json_write_str(&w, srv.ptr, srv.len);
            sioc_json_write_key(&w, "rooms", 5);
            sioc_json_write_array_begin(&w);
            rooms = so.rooms;
            first = 1;
            while (sioc_msg_list_next_str(&rooms, &room)) {
                if (first && sioc_str_eq(room, so.id)) { first = 0; continue; } /* its own room */
                first = 0;
                sioc_json_write_str(&w, room.ptr, room.len);
            }
            sioc_json_write_array_end(&w);
            sioc_json_write_object_end(&w);
        });
        q->n_users++;
    }
}

static void request_done(server *sv, pending *q) {
    session *s = pending_session(sv, q);
    char j[96];
    if (s && q->kind == 1) {
        dbuf t = {0, 0, 0};
        int k = snprintf(j, sizeof j, "],\"servers\":%u,\"server\":\"%s\"}",
                         (unsigned)sioc_node_peer_count(sv->node, sioc_str_c("/")) + 1, sv->label);
        dbuf_put(&t, "{\"users\":[", 10);
        dbuf_put(&t, q->users.p, q->users.len);
        dbuf_put(&t, j, (size_t)k);
        send_ack(s, q->ack_id, (const char *)t.p, t.len);
        dbuf_free(&t);
    } else if (s && q->kind == 2) {
        int k = snprintf(j, sizeof j, "{\"seen\":%llu}", (unsigned long long)q->acks);
        send_ack(s, q->ack_id, j, (size_t)k);
    }
    dbuf_free(&q->users);
    free(q);
}

/* Take every event the node has (after each node operation and each member turn). */
static void pump(server *sv) {
    sioc_node_event ev;
    sioc_cluster_process(&sv->member, sv->now);
    while (sioc_node_next_event(sv->node, &ev) == SIOC_OK) {
        switch (ev.type) {
        case SIOC_NODE_EV_DELIVER: deliver(sv, &ev); break;
        case SIOC_NODE_EV_DISCONNECT: {
            size_t i;
            for (i = 0; i < ev.n_targets; i++) {
                session *s = (session *)sioc_node_event_target(&ev, i).user;
                if (!s || !s->used) continue;
                eio_message(s, ev.text.ptr, ev.text.len);
                s->sio[0] = 0; /* the node removed it already */
                if (ev.close) session_close(sv, s, "server namespace disconnect");
            }
            break;
        }
        case SIOC_NODE_EV_FETCH_SOCKETS: collect_users((pending *)ev.user, &ev); break;
        case SIOC_NODE_EV_BROADCAST_ACK: ((pending *)ev.user)->acks++; break;
        case SIOC_NODE_EV_REQUEST_DONE: request_done(sv, (pending *)ev.user); break;
        case SIOC_NODE_EV_SERVER_SIDE_EMIT:
            if (ev.ack) (void)sioc_node_server_side_ack(sv->node, ev.ack, sioc_bytes_n(NULL, 0), sv->now);
            break;
        case SIOC_NODE_EV_PEER_UP:
        case SIOC_NODE_EV_PEER_DOWN:
            logf_("peer %s %.*s (%u servers)", ev.type == SIOC_NODE_EV_PEER_UP ? "up" : "down", (int)ev.uid.len,
                  ev.uid.ptr, (unsigned)sioc_node_peer_count(sv->node, sioc_str_c("/")) + 1);
            break;
        case SIOC_NODE_EV_ERROR: logf_("node: %s (%s)", sioc_strerror(ev.result), ev.field ? ev.field : ""); break;
        default: break;
        }
    }
}

/* ======================================================================================================
   Part 3 (back to the transport): HTTP requests, WebSocket connections, the loop
   ====================================================================================================== */

static session *session_new(server *sv, int transport) {
    size_t i, h;
    session *s = NULL;
    for (i = 0; i < sv->max_sessions; i++)
        if (!sv->sessions[i].used) { s = &sv->sessions[i]; break; }
    if (!s) return NULL;
    i = (size_t)(s - sv->sessions);
    memset(s, 0, sizeof *s);
    s->used = 1;
    s->slot = (int)i;
    s->serial = ++sv->next_serial;
    s->transport = transport;
    do random_id(s->sid);
    while (session_find(sv, sioc_str_c(s->sid)));
    h = sid_hash(s->sid, strlen(s->sid)) & sv->sid_mask;
    while (sv->sid_index[h]) h = (h + 1) & sv->sid_mask;
    sv->sid_index[h] = (uint32_t)i + 1;
    s->ping_at = sv->now + sv->ping_interval;
    sv->n_sessions++;
    return s;
}

static void conn_close_ws(conn *c, unsigned code) {
    uint8_t m[8];
    sioc_buf b;
    sioc_buf_init(&b, m, sizeof m);
    sioc_ws_write_close(&b, code, NULL, 0, NULL);
    conn_write(c, m, b.len);
    c->closing = 1;
}

static void session_close(server *sv, session *s, const char *why) {
    size_t i;
    if (!s->used) return;
    (void)why;
    sio_disconnect(sv, s);
    if (s->poll) { /* engine.io answers a waiting poll with a close packet */
        s->pq.len = 0;
        eio_control(s, SIOC_EIO_CLOSE, "");
        flush_poll(s);
    }
    if (s->ws) s->ws->s = NULL, conn_close_ws(s->ws, SIOC_WS_CLOSE_NORMAL);
    if (s->probe) s->probe->s = NULL, conn_close_ws(s->probe, SIOC_WS_CLOSE_NORMAL);
    if (s->poll_dirty) {
        for (i = 0; i < sv->n_polls; i++)
            if (sv->polls[i] == s) { sv->polls[i] = sv->polls[--sv->n_polls]; break; }
        s->poll_dirty = 0;
    }
    sid_index_remove(sv, s);
    dbuf_free(&s->pq);
    dbuf_free(&s->bin_text);
    for (i = 0; i < MAX_ATT; i++) dbuf_free(&s->att[i]);
    s->used = 0;
    sv->n_sessions--;
    pump(sv);
}

static void send_open(server *sv, session *s) {
    sioc_eio_open o;
    char mem[256];
    sioc_buf b;
    memset(&o, 0, sizeof o);
    o.sid = s->sid;
    o.upgrade_websocket = s->transport == TR_POLLING;
    o.ping_interval = sv->ping_interval;
    o.ping_timeout = sv->ping_timeout;
    o.max_payload = sv->max_payload;
    sioc_buf_init(&b, mem, sizeof mem);
    sioc_eio_encode_open(&b, &o);
    eio_send(s, SIOC_EIO_OPEN, mem + 1, b.len - 1, 0); /* eio_send writes the type digit itself */
}

/* A header's value (case-insensitive name) in the request head, or an empty view. */
static sioc_str header(const char *head, size_t n, const char *name) {
    size_t nl = strlen(name), i = 0;
    while (i < n) {
        size_t e = i;
        while (e < n && head[e] != '\n') e++;
        if (e - i > nl && head[i + nl] == ':') {
            size_t k;
            for (k = 0; k < nl && (head[i + k] | 0x20) == (name[k] | 0x20); k++) {}
            if (k == nl) {
                size_t v = i + nl + 1, ve = e;
                while (v < ve && (head[v] == ' ' || head[v] == '\t')) v++;
                while (ve > v && (head[ve - 1] == '\r' || head[ve - 1] == ' ')) ve--;
                return sioc_str_n(head + v, ve - v);
            }
        }
        i = e + 1;
    }
    return sioc_str_n(head, 0);
}
static int has_token(sioc_str v, const char *tok) { /* "keep-alive, Upgrade" contains "upgrade" */
    size_t n = strlen(tok), i;
    for (i = 0; i + n <= v.len; i++) {
        size_t k;
        for (k = 0; k < n && (v.ptr[i + k] | 0x20) == tok[k]; k++) {}
        if (k == n) return 1;
    }
    return 0;
}

static void ws_accept(server *sv, conn *c, const char *head, size_t hn, const sioc_eio_query *q) {
    sioc_str key = header(head, hn, "Sec-WebSocket-Key");
    session *s;
    dbuf hs = {0, 0, 0};
    if (!has_token(header(head, hn, "Upgrade"), "websocket") || !sioc_str_eq(header(head, hn, "Sec-WebSocket-Version"), sioc_str_c("13"))) {
        http_error(c, SIOC_EIO_ERR_BAD_REQUEST);
        c->closing = 1;
        return;
    }
    if (q->sid.len) {
        s = session_find(sv, q->sid);
        if (!s || s->transport != TR_POLLING || s->probe) {
            http_error(c, SIOC_EIO_ERR_BAD_REQUEST);
            c->closing = 1;
            return;
        }
    } else if (!(s = session_new(sv, TR_WEBSOCKET))) {
        http_respond(c, 503, "text/plain", "full", 4, 1);
        return;
    }
    DBUF_WRITE(&hs, 160, b, {
        if (sioc_ws_handshake_response(&b, key.ptr, key.len) != SIOC_OK) sioc_buf_fail(&b, SIOC_ERR_PARSE);
    });
    if (!hs.len) {
        http_error(c, SIOC_EIO_ERR_BAD_REQUEST);
        c->closing = 1;
        if (!q->sid.len) session_close(sv, s, "bad handshake");
        return;
    }
    conn_write(c, hs.p, hs.len);
    dbuf_free(&hs);
    c->kind = CONN_WS;
    c->s = s;
    c->ws_mem = (uint8_t *)malloc(sv->max_payload);
    sioc_ws_reader_init(&c->ws, c->ws_mem, sv->max_payload, 1);
    if (q->sid.len) {
        s->probe = c;
    } else {
        s->ws = c;
        send_open(sv, s);
    }
}

/* One complete HTTP request (head + body). */
static void http_request(server *sv, conn *c, const char *head, size_t hn, uint8_t *body, size_t bn) {
    const char *sp1 = memchr(head, ' ', hn), *sp2;
    sioc_eio_query q;
    int get;
    if (!sp1 || !(sp2 = memchr(sp1 + 1, ' ', hn - (size_t)(sp1 + 1 - head)))) {
        http_respond(c, 400, "text/plain", "bad request", 11, 1);
        return;
    }
    get = sp1 - head == 3 && !memcmp(head, "GET", 3);
    if (sioc_eio_parse_query(&q, sp1 + 1, (size_t)(sp2 - sp1 - 1)) != SIOC_OK) q.path = sioc_str_c("");
    if (!sioc_str_eq(q.path, sioc_str_c("/socket.io/"))) { /* static files */
        if (!get) http_respond(c, 404, "text/plain", "not found", 9, 0);
        else if (sioc_str_eq(q.path, sioc_str_c("/")) || sioc_str_eq(q.path, sioc_str_c("/index.html")))
            http_respond(c, 200, "text/html; charset=UTF-8", sv->index_html.p, sv->index_html.len, 0);
        else if (sioc_str_eq(q.path, sioc_str_c("/socket.io/socket.io.min.js")) && sv->client_js_body.len)
            http_respond(c, 200, "application/javascript; charset=utf-8", sv->client_js_body.p, sv->client_js_body.len, 0);
        else
            http_respond(c, 404, "text/plain", "not found", 9, 0);
        return;
    }
    if (q.eio != 4) { http_error(c, SIOC_EIO_ERR_UNSUPPORTED_PROTOCOL_VERSION); return; }
    if (q.transport == SIOC_EIO_TRANSPORT_WEBSOCKET) {
        if (!has_token(header(head, hn, "Connection"), "upgrade")) { http_error(c, SIOC_EIO_ERR_BAD_REQUEST); return; }
        { ws_accept(sv, c, head, hn, &q); return; }
    }
    if (q.transport != SIOC_EIO_TRANSPORT_POLLING) { http_error(c, SIOC_EIO_ERR_UNKNOWN_TRANSPORT); return; }
    if (!q.sid.len) { /* handshake */
        session *s;
        if (!get) { http_error(c, SIOC_EIO_ERR_BAD_HANDSHAKE_METHOD); return; }
        if (!(s = session_new(sv, TR_POLLING))) { http_respond(c, 503, "text/plain", "full", 4, 0); return; }
        send_open(sv, s);
        s->poll = c, c->polling = 1, c->s = s;
        flush_poll(s);
        return;
    }
    {
        session *s = session_find(sv, q.sid);
        if (!s || s->transport != TR_POLLING) { http_error(c, SIOC_EIO_ERR_UNKNOWN_SID); return; }
        if (get) {
            if (s->poll) { /* two GETs at once: engine.io closes the session */
                http_error(c, SIOC_EIO_ERR_BAD_REQUEST);
                session_close(sv, s, "overlap from client");
                return;
            }
            s->poll = c, c->polling = 1, c->s = s;
            if (s->probe && !s->pq.len) eio_control(s, SIOC_EIO_NOOP, ""); /* upgrading: release the poll */
            flush_poll(s);
        } else {
            sioc_eio_payload it;
            sioc_eio_packet pk;
            sioc_result e;
            uint32_t serial = s->serial;
            sioc_eio_payload_init(&it, body, bn);
            http_respond(c, 200, "text/html", "ok", 2, 0);
            while ((e = sioc_eio_payload_next(&it, &pk)) == SIOC_OK && s->used && s->serial == serial)
                eio_on_packet(sv, s, &pk);
            if (e != SIOC_AGAIN && s->used && s->serial == serial) session_close(sv, s, "parse error");
        }
    }
}

/* Requests in the input of an HTTP connection (keep-alive: one after the other). */
static void http_input(server *sv, conn *c) {
    while (c->kind == CONN_HTTP && !c->polling && !c->closing) {
        uint8_t *p = c->in.p;
        size_t n = c->in.len, i, hn = 0, bn = 0;
        sioc_str cl;
        for (i = 3; i < n; i++)
            if (p[i] == '\n' && p[i - 1] == '\r' && p[i - 2] == '\n' && p[i - 3] == '\r') { hn = i + 1; break; }
        if (!hn) {
            if (n > 16384) http_respond(c, 400, "text/plain", "header too large", 16, 1);
            return;
        }
        cl = header((const char *)p, hn, "Content-Length");
        for (i = 0; i < cl.len && i < 10; i++) bn = bn * 10 + (size_t)(cl.ptr[i] - '0');
        if (bn > sv->max_payload) { http_respond(c, 413, "text/plain", "too large", 9, 1); return; }
        if (n < hn + bn) return;
        http_request(sv, c, (const char *)p, hn, p + hn, bn);
        dbuf_consume(&c->in, hn + bn);
    }
}

/* A message from a probing WebSocket: "2probe" -> "3probe"; "5" completes the upgrade. */
static void probe_packet(server *sv, session *s, conn *c, const sioc_eio_packet *pk) {
    if (pk->type == SIOC_EIO_PING && pk->data.len == 5 && !memcmp(pk->data.ptr, "probe", 5)) {
        ws_send(c, SIOC_EIO_PONG, "probe", 5, 0);
        if (s->poll && !s->pq.len) eio_control(s, SIOC_EIO_NOOP, "");
        flush_poll(s);
    } else if (pk->type == SIOC_EIO_UPGRADE) {
        sioc_eio_payload it;
        sioc_eio_packet q;
        dbuf old = s->pq;
        memset(&s->pq, 0, sizeof s->pq);
        s->transport = TR_WEBSOCKET;
        s->ws = c;
        s->probe = NULL;
        if (s->poll) { /* the old transport's waiting GET ends with a noop */
            conn *pc = s->poll;
            http_respond(pc, 200, "text/plain; charset=UTF-8", "6", 1, 0);
            pc->polling = 0, pc->s = NULL, s->poll = NULL;
        }
        sioc_eio_payload_init(&it, old.p, old.len); /* what was queued for polling goes over the WebSocket */
        while (old.len && sioc_eio_payload_next(&it, &q) == SIOC_OK)
            ws_send(c, q.type, q.data.ptr, q.data.len, q.binary);
        dbuf_free(&old);
    }
    (void)sv;
}

static void ws_input(server *sv, conn *c) {
    size_t off = 0;
    for (;;) {
        sioc_ws_message m;
        size_t used;
        session *s = c->s;
        sioc_result e = sioc_ws_read(&c->ws, c->in.p + off, c->in.len - off, &used, &m);
        off += used;
        if (e == SIOC_AGAIN) break;
        if (e != SIOC_OK) {
            conn_close_ws(c, sioc_ws_reader_close_code(&c->ws));
            if (s && s->ws == c) session_close(sv, s, "transport error");
            else if (s && s->probe == c) s->probe = NULL;
            c->s = NULL;
            break;
        }
        if (m.opcode == SIOC_WS_PING) {
            uint8_t f[SIOC_WS_MAX_HEADER + SIOC_WS_MAX_CONTROL];
            sioc_buf b;
            sioc_buf_init(&b, f, sizeof f);
            sioc_ws_write_frame(&b, SIOC_WS_PONG, m.data.ptr, m.data.len, NULL);
            conn_write(c, f, b.len);
        } else if (m.opcode == SIOC_WS_CLOSE) {
            conn_close_ws(c, m.close_code == SIOC_WS_CLOSE_NO_STATUS ? 0 : m.close_code);
            if (s && s->ws == c) session_close(sv, s, "transport close");
            else if (s && s->probe == c) s->probe = NULL;
            c->s = NULL;
            break;
        } else if (s && (m.opcode == SIOC_WS_TEXT || m.opcode == SIOC_WS_BINARY)) {
            sioc_eio_packet pk;
            if (sioc_eio_decode(&pk, m.data.ptr, m.data.len, m.opcode == SIOC_WS_BINARY) != SIOC_OK) {
                session_close(sv, s, "parse error");
                break;
            }
            if (s->probe == c) probe_packet(sv, s, c, &pk);
            else if (s->ws == c) eio_on_packet(sv, s, &pk);
        }
    }
    dbuf_consume(&c->in, off);
}

static void conn_free(server *sv, size_t i) {
    conn *c = sv->conns[i];
    session *s = c->s;
    if (s && s->used) {
        if (s->ws == c) session_close(sv, s, "transport close");
        else if (s->probe == c) s->probe = NULL;
        else if (s->poll == c) s->poll = NULL, session_close(sv, s, "poll connection closed prematurely");
    }
    if (c->dirty) {
        size_t k;
        for (k = 0; k < sv->n_dirty; k++)
            if (sv->dirty[k] == c) { sv->dirty[k] = sv->dirty[--sv->n_dirty]; break; }
    }
    close(c->fd);
    dbuf_free(&c->in);
    dbuf_free(&c->out);
    free(c->ws_mem);
    free(c);
    sv->conns[i] = sv->conns[--sv->n_conns];
}

static void conn_read(server *sv, conn *c) {
    for (;;) {
        ssize_t r;
        dbuf_put(&c->in, NULL, 65536);
        c->in.len -= 65536;
        r = read(c->fd, c->in.p + c->in.len, 65536);
        if (r > 0) {
            c->in.len += (size_t)r;
            if (c->kind == CONN_HTTP) http_input(sv, c);
            if (c->kind == CONN_WS) ws_input(sv, c);
            if (c->in.len > (size_t)sv->max_payload + 65536) { c->closing = 2; return; }
            if (r < 65536) return;
            continue;
        }
        if (r == 0 || (errno != EAGAIN && errno != EWOULDBLOCK && errno != EINTR)) c->closing = 2; /* gone */
        return;
    }
}

static int conn_flush(conn *c) { /* 0: keep it, -1: close it */
    while (c->out.len) {
        ssize_t w = write(c->fd, c->out.p, c->out.len);
        if (w > 0) { dbuf_consume(&c->out, (size_t)w); continue; }
        if (w < 0 && (errno == EAGAIN || errno == EWOULDBLOCK)) return 0;
        if (w < 0 && errno == EINTR) continue;
        return -1;
    }
    if (c->out.cap > 262144) dbuf_free(&c->out); /* give a burst's memory back */
    return c->closing ? -1 : 0;
}

static void accept_all(server *sv) {
    for (;;) {
        int fd = accept(sv->lfd, NULL, NULL), one = 1;
        conn *c;
        if (fd < 0) return;
        if (sv->n_conns >= sv->max_conns) { close(fd); continue; }
        fcntl(fd, F_SETFL, fcntl(fd, F_GETFL) | O_NONBLOCK);
        setsockopt(fd, IPPROTO_TCP, TCP_NODELAY, &one, sizeof one);
        c = (conn *)calloc(1, sizeof *c);
        c->fd = fd;
        sv->conns[sv->n_conns++] = c;
    }
}

/* Heartbeats: ping every ping_interval, close when the pong is later than ping_timeout. */
static void timers(server *sv) {
    size_t i;
    for (i = 0; i < sv->max_sessions; i++) {
        session *s = &sv->sessions[i];
        if (!s->used) continue;
        if (s->pong_by && sv->now >= s->pong_by) {
            session_close(sv, s, "ping timeout");
        } else if (!s->pong_by && sv->now >= s->ping_at) {
            eio_control(s, SIOC_EIO_PING, "");
            s->pong_by = sv->now + sv->ping_timeout;
        }
    }
}

static int read_file(const char *path, dbuf *out) {
    FILE *f = fopen(path, "rb");
    char chunk[65536];
    size_t n;
    if (!f) return -1;
    while ((n = fread(chunk, 1, sizeof chunk, f)) > 0) dbuf_put(out, chunk, n);
    fclose(f);
    return 0;
}

static int listen_on(server *sv) {
    struct sockaddr_in a;
    socklen_t al = sizeof a;
    int one = 1;
    sv->lfd = socket(AF_INET, SOCK_STREAM, 0);
    if (sv->lfd < 0) return -1;
    setsockopt(sv->lfd, SOL_SOCKET, SO_REUSEADDR, &one, sizeof one);
    memset(&a, 0, sizeof a);
    a.sin_family = AF_INET;
    a.sin_port = htons(sv->port);
    a.sin_addr.s_addr = htonl(INADDR_LOOPBACK);
    if (bind(sv->lfd, (struct sockaddr *)&a, sizeof a) < 0 || listen(sv->lfd, 1024) < 0) return -1;
    getsockname(sv->lfd, (struct sockaddr *)&a, &al);
    sv->port = ntohs(a.sin_port);
    fcntl(sv->lfd, F_SETFL, fcntl(sv->lfd, F_GETFL) | O_NONBLOCK);
    return 0;
}

/* ======================================================================================================
   Part 2 again: the member (cluster glue) and main
   ====================================================================================================== */

static void on_cluster_error(void *user, const sioc_cluster_error *e) {
    (void)user;
    logf_("cluster: %s failed: %s %s%s%s", e->op_name, sioc_strerror(e->result), e->detail,
          e->will_retry ? " (retrying)" : "", "");
}

static int member_start(server *sv, int transport, uint32_t hb_interval, uint32_t hb_timeout, const char *topic) {
    sioc_cluster_desc d;
    sioc_result e;
    memset(&d, 0, sizeof d);
    d.transport = (sioc_cluster_transport)transport;
    d.topic_name = topic;
    d.on_error = on_cluster_error;
    d.node.heartbeat_interval_ms = hb_interval;
    d.node.heartbeat_timeout_ms = hb_timeout;
    d.node.max_sockets = (uint32_t)sv->max_sessions;
    d.node.max_requests = 1024;
    d.node.max_acks = 4096;
    if (transport == SIOC_CLUSTER_AWS) d.aws.wait_time_s = 2; /* short long polls: a quick, clean leave */
    if ((e = sioc_cluster_init(&sv->member, &d)) != SIOC_OK) {
        logf_("sioc_cluster_init: %s", sioc_strerror(e));
        return -1;
    }
    sv->node = sioc_cluster_node(&sv->member);
    if ((e = sioc_cluster_start(&sv->member, sioc_posix_now_ms())) != SIOC_OK) return -1;
    return 0;
}

/* One turn: poll the listening socket, the clients and the member's sockets together. */
static void loop_once(server *sv, struct pollfd *pf, int stopping) {
    sioc_posix *px = sioc_cluster_posix(&sv->member);
    sioc_posix_fd mfd[SIOC_POSIX_MAX_CONNS];
    size_t nm = sioc_posix_fds(px, mfd, SIOC_POSIX_MAX_CONNS), n = 0, i, nc = sv->n_conns;
    uint64_t d = sioc_cluster_next_deadline(&sv->member, sv->now);
    int wait = 100;
    if (d <= sv->now || sioc_http_responses_ready(sioc_cluster_http(&sv->member))) wait = 0;
    else if (d - sv->now < (uint64_t)wait) wait = (int)(d - sv->now);
    pf[n].fd = stopping ? -1 : sv->lfd, pf[n].events = POLLIN, n++;
    for (i = 0; i < nc; i++) {
        pf[n].fd = sv->conns[i]->fd;
        pf[n].events = (short)(POLLIN | (sv->conns[i]->out.len ? POLLOUT : 0));
        n++;
    }
    for (i = 0; i < nm; i++) {
        pf[n].fd = mfd[i].fd;
        pf[n].events = (short)(((mfd[i].wants & SIOC_HTTP_WANT_READ) ? POLLIN : 0) |
                               ((mfd[i].wants & (SIOC_HTTP_WANT_WRITE | SIOC_HTTP_WANT_CONNECT)) ? POLLOUT : 0));
        n++;
    }
    for (i = 0; i < n; i++) pf[i].revents = 0;
    poll(pf, (nfds_t)n, wait);
    sv->now = sioc_posix_now_ms();
    (void)sioc_posix_step(px, sv->now);
    pump(sv);
    if (pf[0].revents & POLLIN) accept_all(sv);
    for (i = 0; i < nc; i++) { /* conns[0..nc) are the ones polled (new ones were appended after them) */
        conn *c = sv->conns[i];
        if (pf[1 + i].revents & (POLLIN | POLLHUP | POLLERR)) conn_read(sv, c);
    }
    if (sv->now >= sv->timers_at) { /* heartbeats need no finer grain than 50 ms */
        timers(sv);
        sv->timers_at = sv->now + 50;
    }
    for (i = 0; i < sv->n_polls; i++) sv->polls[i]->poll_dirty = 0, flush_poll(sv->polls[i]);
    sv->n_polls = 0;
    for (i = 0; i < sv->n_dirty; i++) { /* write what the turn produced */
        conn *c = sv->dirty[i];
        c->dirty = 0;
        if (conn_flush(c) < 0) c->closing = 2;
        else if (c->out.len) c->dirty = 1, sv->dirty[i] = c; /* kept: compacted below */
    }
    {
        size_t k = 0;
        for (i = 0; i < sv->n_dirty; i++)
            if (sv->dirty[i]->dirty) sv->dirty[k++] = sv->dirty[i];
        sv->n_dirty = k;
    }
    for (i = sv->n_conns; i-- > 0;)
        if (sv->conns[i]->closing == 2) conn_free(sv, i);
}

static void usage(void) {
    fprintf(stderr, "usage: chat-server --transport aws|azure [--port N] [--label NAME] [--public DIR] [--client-js FILE]\n"
                    "       [--heartbeat-interval MS] [--heartbeat-timeout MS] [--ping-interval MS] [--ping-timeout MS]\n"
                    "       [--max-clients N] [--max-payload BYTES] [--topic NAME]\n");
    exit(2);
}

int main(int argc, char **argv) {
    static server sv;
    int i, transport = 0;
    uint32_t hb_interval = 0, hb_timeout = 0;
    const char *topic = NULL;
    char path[1024];
    struct pollfd *pf;
    struct sigaction sa;
    sv.label = "C";
    sv.public_dir = "examples/chat/public";
    sv.ping_interval = 25000, sv.ping_timeout = 20000, sv.max_payload = SIOC_EIO_DEFAULT_MAX_PAYLOAD;
    sv.max_sessions = 1024;
    sv.port = 3001;
    for (i = 1; i < argc; i++) {
        const char *a = argv[i], *v = i + 1 < argc ? argv[i + 1] : NULL;
        if (!v) usage();
        i++;
        if (!strcmp(a, "--transport")) transport = !strcmp(v, "aws") ? SIOC_CLUSTER_AWS : !strcmp(v, "azure") ? SIOC_CLUSTER_AZURE : -1;
        else if (!strcmp(a, "--port")) sv.port = (uint16_t)atoi(v);
        else if (!strcmp(a, "--label")) sv.label = v;
        else if (!strcmp(a, "--public")) sv.public_dir = v;
        else if (!strcmp(a, "--client-js")) sv.client_js = v;
        else if (!strcmp(a, "--heartbeat-interval")) hb_interval = (uint32_t)atoi(v);
        else if (!strcmp(a, "--heartbeat-timeout")) hb_timeout = (uint32_t)atoi(v);
        else if (!strcmp(a, "--ping-interval")) sv.ping_interval = (uint32_t)atoi(v);
        else if (!strcmp(a, "--ping-timeout")) sv.ping_timeout = (uint32_t)atoi(v);
        else if (!strcmp(a, "--max-clients")) sv.max_sessions = (size_t)atoi(v);
        else if (!strcmp(a, "--max-payload")) sv.max_payload = (uint32_t)atoi(v);
        else if (!strcmp(a, "--topic")) topic = v;
        else usage();
    }
    if (transport <= 0 || sv.max_sessions < 1 || strlen(sv.label) > 32 || strchr(sv.label, '"')) usage();
    snprintf(path, sizeof path, "%s/index.html", sv.public_dir);
    if (read_file(path, &sv.index_html) < 0) { logf_("cannot read %s", path); return 1; }
    if (!sv.client_js) {
        snprintf(path, sizeof path, "%s/../node_modules/socket.io-client/dist/socket.io.min.js", sv.public_dir);
        sv.client_js = path;
    }
    if (read_file(sv.client_js, &sv.client_js_body) < 0) logf_("no %s: the page needs it (npm ci in examples/chat)", sv.client_js);
    sv.max_conns = sv.max_sessions * 2 + 16;
    sv.conns = (conn **)calloc(sv.max_conns, sizeof *sv.conns);
    sv.sessions = (session *)calloc(sv.max_sessions, sizeof *sv.sessions);
    for (sv.sid_mask = 1; sv.sid_mask < sv.max_sessions * 2; sv.sid_mask <<= 1) {}
    sv.sid_index = (uint32_t *)calloc(sv.sid_mask, sizeof *sv.sid_index);
    sv.sid_mask--;
    pf = (struct pollfd *)calloc(sv.max_conns + 1 + SIOC_POSIX_MAX_CONNS, sizeof *pf);
    sv.dirty = (conn **)calloc(sv.max_conns, sizeof *sv.dirty);
    sv.polls = (session **)calloc(sv.max_sessions, sizeof *sv.polls);
    if (!sv.conns || !sv.sessions || !sv.sid_index || !pf || !sv.dirty || !sv.polls) return 1;
    g_sv = &sv;
    memset(&sa, 0, sizeof sa);
    sa.sa_handler = on_signal;
    sigaction(SIGTERM, &sa, NULL);
    sigaction(SIGINT, &sa, NULL);
    signal(SIGPIPE, SIG_IGN);
    if (listen_on(&sv) < 0) { logf_("cannot listen on 127.0.0.1:%u: %s", sv.port, strerror(errno)); return 1; }
    if (member_start(&sv, transport, hb_interval, hb_timeout, topic) < 0) return 1;
    sv.now = sioc_posix_now_ms();
    while (sioc_cluster_get_state(&sv.member) == SIOC_CLUSTER_STARTING && !g_stop) loop_once(&sv, pf, 0);
    if (sioc_cluster_get_state(&sv.member) != SIOC_CLUSTER_RUNNING) {
        logf_("cluster start-up failed: %s", sioc_strerror(sioc_cluster_last_error(&sv.member)));
        return 1;
    }
    printf("CHAT_READY port=%u uid=%s\n", sv.port, sioc_cluster_uid(&sv.member));
    fflush(stdout);
    while (!g_stop) loop_once(&sv, pf, 0);
    /* graceful leave: clients are told, the cluster hears ADAPTER_CLOSE, the queue / subscription goes */
    for (i = 0; i < (int)sv.max_sessions; i++)
        if (sv.sessions[i].used) session_close(&sv, &sv.sessions[i], "server shutting down");
    if (sioc_cluster_close(&sv.member, sv.now) == SIOC_OK)
        while (sioc_cluster_get_state(&sv.member) != SIOC_CLUSTER_CLOSED) loop_once(&sv, pf, 1);
    while (sv.n_conns) conn_free(&sv, sv.n_conns - 1);
    sioc_cluster_free(&sv.member);
    logf_("stopped: %llu messages in, %llu delivered", (unsigned long long)sv.msgs_in, (unsigned long long)sv.msgs_out);
    return 0;
}
