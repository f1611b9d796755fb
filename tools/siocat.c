/* siocat: netcat for a Socket.IO cluster over SNS + SQS (default) or Azure Service Bus (--transport azure). Speaks the JSON-lines protocol of
   tests/interop/SIOCAT.md: events on stdout (one JSON object per line), commands on stdin, logs on stderr.
   Build: cc -std=c99 -O2 -I. -o build/siocat tools/siocat.c   (POSIX; TLS endpoints need a TLS backend) */
#define _POSIX_C_SOURCE 200809L
#define SIOC_ENABLE_POSIX 1
#define SIO_CLUSTER_IMPLEMENTATION
#include "sio_cluster.h"

#include <errno.h>
#include <poll.h>
#include <signal.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>
#include <unistd.h>

#define MAX_SOCKETS 256
#define MAX_NSPS 16
#define MAX_PENDING 64
#define LINE_MAX_BYTES (4u << 20)

/* ---- growable text buffer (the app may allocate; the library does not) ---- */

typedef struct tbuf {
    char *p;
    size_t len, cap;
} tbuf;

static void tb_put(tbuf *b, const char *s, size_t n) {
    if (b->len + n + 1 > b->cap) {
        size_t nc = b->cap ? b->cap * 2 : 1024;
        while (nc < b->len + n + 1) nc *= 2;
        b->p = (char *)realloc(b->p, nc);
        if (!b->p) {
            fprintf(stderr, "siocat: out of memory\n");
            exit(1);
        }
        b->cap = nc;
    }
    memcpy(b->p + b->len, s, n);
    b->len += n;
    b->p[b->len] = 0;
}
static void tb_puts(tbuf *b, const char *s) { tb_put(b, s, strlen(s)); }

/* JSON text of one value into a tbuf through the library's writer (sized by a retry). */
typedef struct jw {
    sioc_buf buf;
    sioc_json_writer w;
    char *mem;
    size_t cap;
} jw;

static char g_out_mem[8u << 20];

static void jw_begin(jw *j) {
    j->mem = g_out_mem;
    j->cap = sizeof g_out_mem;
    sioc_buf_init(&j->buf, j->mem, j->cap - 2);
    sioc_json_writer_init(&j->w, &j->buf);
}

static void jw_emit(jw *j) {
    if (sioc_buf_result(&j->buf) != SIOC_OK) {
        fprintf(stderr, "siocat: output line too long (%lu bytes)\n", (unsigned long)j->buf.len);
        return;
    }
    j->mem[j->buf.len] = '\n';
    fwrite(j->mem, 1, j->buf.len + 1, stdout);
    fflush(stdout);
}

static void jw_key(jw *j, const char *k) { sioc_json_write_key(&j->w, k, strlen(k)); }
static void jw_kstr(jw *j, const char *k, const char *v, size_t n) {
    jw_key(j, k);
    sioc_json_write_str(&j->w, v, n);
}
static void jw_kcstr(jw *j, const char *k, const char *v) { jw_kstr(j, k, v, strlen(v)); }

static void hex_of(tbuf *t, const uint8_t *p, size_t n) {
    static const char hx[] = "0123456789abcdef";
    size_t i;
    for (i = 0; i < n; i++) {
        char c[2];
        c[0] = hx[p[i] >> 4];
        c[1] = hx[p[i] & 15];
        tb_put(t, c, 2);
    }
}

static void jw_hex(jw *j, const uint8_t *p, size_t n) {
    tbuf t = {0, 0, 0};
    tb_puts(&t, "");
    hex_of(&t, p, n);
    sioc_json_write_str(&j->w, t.p, t.len);
    free(t.p);
}

/* ---- msgpack <-> JSON through the library (mpjson): binaries as {"$bin":hex} both ways (SIOCAT.md) ---- */

/* bin and ext alike as {"$bin":hex}: siocat's lines know one binary form */
static sioc_result write_bin(void *user, sioc_json_writer *w, const sioc_msgpack_item *it) {
    jw *j = (jw *)user;
    sioc_json_write_object_begin(w);
    jw_key(j, "$bin");
    jw_hex(j, it->data, it->len);
    sioc_json_write_object_end(w);
    return SIOC_OK;
}

/* One msgpack value as JSON (absent: {}); 0, or -1 when it does not decode. */
static int mp_to_json(jw *j, sioc_bytes v) {
    sioc_mpjson_opts o;
    if (!v.ptr) {
        sioc_json_write_object_begin(&j->w);
        sioc_json_write_object_end(&j->w);
        return 0;
    }
    memset(&o, 0, sizeof o);
    o.write_bin = write_bin;
    o.user = j;
    return sioc_msgpack_to_json(&j->w, v, &o) == SIOC_OK ? 0 : -1;
}

/* The JSON value at token t as msgpack; 0, or -1 on a bad value. */
static int json_to_mp(const sioc_json *d, int t, sioc_msgpack_writer *w) {
    sioc_mpjson_opts o;
    memset(&o, 0, sizeof o);
    o.read_bin = sioc_mpjson_read_bin_hex;
    return sioc_json_to_msgpack(d, t, w, &o) == SIOC_OK ? 0 : -1;
}

/* ---- state ---- */

typedef struct vsock {
    char id[SIOC_NODE_NAME_MAX + 1];
    char nsp[SIOC_NODE_NAME_MAX + 1];
    char rooms[16][SIOC_NODE_NAME_MAX + 1];
    int n_rooms;
    uint8_t handshake[512];
    size_t handshake_len;
    int alive;
} vsock;

typedef struct pending {
    int used;
    uint32_t request;
    char cmd[32];
    tbuf id;    /* raw JSON of the command's id */
    tbuf items; /* JSON values gathered so far, comma separated */
    size_t n_items;
} pending;

static sioc_cluster g_cl; /* the member: node, client, sockets (AWS or Azure, chosen by --transport) */
static sioc_node *g_nd;   /* its node */
static vsock g_socks[MAX_SOCKETS];
static int g_n_socks;
static char g_nsps[MAX_NSPS][SIOC_NODE_NAME_MAX + 1];
static int g_n_nsps;
static pending g_pend[MAX_PENDING];
static const char *g_label = "";
static int g_emitter;
static char *g_auto_ack; /* JSON text */
static uint8_t g_auto_ack_mp[4096];
static size_t g_auto_ack_len;
static volatile sig_atomic_t g_stop;
static int g_ready_printed, g_closing, g_aws_errors_quiet;

static void on_signal(int sig) {
    (void)sig;
    g_stop = 1;
}

static uint64_t now_ms(void) { return sioc_posix_now_ms(); }

static int nsp_known(const char *nsp, size_t len) {
    int i;
    for (i = 0; i < g_n_nsps; i++)
        if (strlen(g_nsps[i]) == len && memcmp(g_nsps[i], nsp, len) == 0) return 1;
    return 0;
}

static void nsp_add(const char *nsp) {
    if (nsp_known(nsp, strlen(nsp)) || g_n_nsps >= MAX_NSPS) return;
    snprintf(g_nsps[g_n_nsps++], SIOC_NODE_NAME_MAX + 1, "%s", nsp);
}

static void print_error(const char *where, const char *msg) {
    jw j;
    jw_begin(&j);
    sioc_json_write_object_begin(&j.w);
    jw_kcstr(&j, "ev", "error");
    jw_kcstr(&j, "where", where);
    jw_kcstr(&j, "message", msg);
    sioc_json_write_object_end(&j.w);
    jw_emit(&j);
}

static void on_member_error(void *user, const sioc_cluster_error *e) {
    char msg[640], status[16] = "";
    (void)user;
    if (e->status) snprintf(status, sizeof status, "HTTP %d ", e->status);
    if (*e->detail) /* the library's own words: operation, host:port, reason */
        snprintf(msg, sizeof msg, "%s failed: %s; %s", e->op_name, e->detail, e->will_retry ? "retrying" : "giving up");
    else
        snprintf(msg, sizeof msg, "%s failed: %s%s%s%s%s; %s", e->op_name, status, sioc_strerror(e->result),
                 *e->code ? " " : "", e->code, *e->message ? ": " : "", e->will_retry ? "retrying" : "giving up");
    fprintf(stderr, "siocat[%s]: %s\n", g_label, msg);
    if (!g_aws_errors_quiet)
        print_error(sioc_cluster_get_transport(&g_cl) == SIOC_CLUSTER_AZURE ? "azure" : "aws", msg);
}

/* JS Date.prototype.toString() in UTC, as the handshake's "time" (SIOCAT.md §6). */
static void js_date_string(time_t t, char *out, size_t cap) {
    struct tm tmv;
    gmtime_r(&t, &tmv);
    strftime(out, cap, "%a %b %d %Y %H:%M:%S GMT+0000 (Coordinated Universal Time)", &tmv);
}

static void build_handshake(vsock *s) {
    sioc_buf b;
    sioc_msgpack_writer w;
    char tbuf_[96];
    time_t t = time(NULL);
    struct timespec ts;
    clock_gettime(CLOCK_REALTIME, &ts);
    js_date_string(t, tbuf_, sizeof tbuf_);
    sioc_buf_init(&b, s->handshake, sizeof s->handshake);
    sioc_msgpack_writer_init(&w, &b);
    sioc_msgpack_write_map(&w, 9);
    sioc_msgpack_write_cstr(&w, "headers");
    sioc_msgpack_write_map(&w, 0);
    sioc_msgpack_write_cstr(&w, "time");
    sioc_msgpack_write_cstr(&w, tbuf_);
    sioc_msgpack_write_cstr(&w, "address");
    sioc_msgpack_write_cstr(&w, "127.0.0.1");
    sioc_msgpack_write_cstr(&w, "xdomain");
    sioc_msgpack_write_bool(&w, 0);
    sioc_msgpack_write_cstr(&w, "secure");
    sioc_msgpack_write_bool(&w, 0);
    sioc_msgpack_write_cstr(&w, "issued");
    sioc_msgpack_write_int(&w, (int64_t)ts.tv_sec * 1000 + ts.tv_nsec / 1000000);
    sioc_msgpack_write_cstr(&w, "url");
    sioc_msgpack_write_cstr(&w, "/socket.io/?EIO=4&transport=websocket");
    sioc_msgpack_write_cstr(&w, "query");
    sioc_msgpack_write_map(&w, 2);
    sioc_msgpack_write_cstr(&w, "EIO");
    sioc_msgpack_write_cstr(&w, "4");
    sioc_msgpack_write_cstr(&w, "transport");
    sioc_msgpack_write_cstr(&w, "websocket");
    sioc_msgpack_write_cstr(&w, "auth");
    sioc_msgpack_write_map(&w, 0);
    s->handshake_len = sioc_msgpack_writer_finish(&w) == SIOC_OK ? b.len : 0;
}

static int parse_socket_flag(const char *arg) {
    vsock *s;
    const char *at, *eq, *p;
    if (g_n_socks >= MAX_SOCKETS) return -1;
    s = &g_socks[g_n_socks];
    memset(s, 0, sizeof *s);
    eq = strchr(arg, '=');
    at = strchr(arg, '@');
    if (at && eq && at > eq) at = NULL;
    {
        size_t idlen = (size_t)((at ? at : eq ? eq : arg + strlen(arg)) - arg);
        if (!idlen || idlen > SIOC_NODE_NAME_MAX) return -1;
        memcpy(s->id, arg, idlen);
    }
    if (at) {
        size_t nl = (size_t)((eq ? eq : at + strlen(at)) - at - 1);
        if (!nl || nl > SIOC_NODE_NAME_MAX) return -1;
        memcpy(s->nsp, at + 1, nl);
    } else {
        strcpy(s->nsp, "/");
    }
    if (eq) {
        p = eq + 1;
        while (*p && s->n_rooms < 16) {
            const char *c = strchr(p, ',');
            size_t rl = c ? (size_t)(c - p) : strlen(p);
            if (rl && rl <= SIOC_NODE_NAME_MAX) memcpy(s->rooms[s->n_rooms++], p, rl);
            if (!c) break;
            p = c + 1;
        }
    }
    s->alive = 1;
    g_n_socks++;
    return 0;
}

static vsock *find_sock(sioc_str nsp, sioc_str id) {
    int i;
    for (i = 0; i < g_n_socks; i++) {
        vsock *s = &g_socks[i];
        if (s->alive && sioc_str_eq(sioc_str_c(s->id), id) && sioc_str_eq(sioc_str_c(s->nsp), nsp)) return s;
    }
    return NULL;
}

/* ---- pending requests ---- */

static pending *pend_new(uint32_t request, const char *cmd, const char *id_json) {
    int i;
    for (i = 0; i < MAX_PENDING; i++) {
        if (!g_pend[i].used) {
            pending *p = &g_pend[i];
            p->used = 1;
            p->request = request;
            snprintf(p->cmd, sizeof p->cmd, "%s", cmd);
            p->id.len = 0;
            tb_puts(&p->id, id_json);
            p->items.len = 0;
            tb_puts(&p->items, "");
            p->n_items = 0;
            return p;
        }
    }
    return NULL;
}

static pending *pend_find(uint32_t request) {
    int i;
    for (i = 0; i < MAX_PENDING; i++)
        if (g_pend[i].used && g_pend[i].request == request) return &g_pend[i];
    return NULL;
}

static void pend_add_json(pending *p, const char *json, size_t len) {
    if (p->n_items++) tb_put(&p->items, ",", 1);
    tb_put(&p->items, json, len);
}

/* ---- result lines ---- */

static void result_begin(jw *j, const char *id_json, const char *cmd, int ok) {
    jw_begin(j);
    sioc_json_write_object_begin(&j->w);
    jw_kcstr(j, "ev", "result");
    jw_key(j, "id");
    sioc_json_write_raw(&j->w, id_json, strlen(id_json));
    jw_kcstr(j, "cmd", cmd);
    jw_key(j, "ok");
    sioc_json_write_bool(&j->w, ok);
}

static int g_in_drain;
static void drain_events(void);

static void result_simple(const char *id_json, const char *cmd, int ok, const char *err) {
    jw j;
    if (!g_in_drain) drain_events(); /* local deliveries first, as a Node server writes them before returning */
    result_begin(&j, id_json, cmd, ok);
    if (!ok && err) jw_kcstr(&j, "error", err);
    sioc_json_write_object_end(&j.w);
    jw_emit(&j);
}

/* ---- events from the node ---- */

static void print_ready(void) {
    jw j;
    int i, k;
    jw_begin(&j);
    sioc_json_write_object_begin(&j.w);
    jw_kcstr(&j, "ev", "ready");
    jw_kcstr(&j, "kind", "siocat");
    jw_kcstr(&j, "label", g_label);
    jw_key(&j, "uids");
    sioc_json_write_object_begin(&j.w);
    for (i = 0; i < g_n_nsps; i++) jw_kstr(&j, g_nsps[i], g_nd->uid, g_nd->uid_len);
    sioc_json_write_object_end(&j.w);
    if (!g_emitter)
        jw_kcstr(&j, sioc_cluster_get_transport(&g_cl) == SIOC_CLUSTER_AZURE ? "subscription" : "queue",
                 sioc_cluster_queue_name(&g_cl));
    jw_key(&j, "sockets");
    sioc_json_write_array_begin(&j.w);
    for (i = 0; i < g_n_socks; i++) {
        if (!g_socks[i].alive) continue;
        sioc_json_write_object_begin(&j.w);
        jw_kcstr(&j, "id", g_socks[i].id);
        jw_kcstr(&j, "nsp", g_socks[i].nsp);
        jw_key(&j, "rooms");
        sioc_json_write_array_begin(&j.w);
        for (k = 0; k < g_socks[i].n_rooms; k++)
            sioc_json_write_str(&j.w, g_socks[i].rooms[k], strlen(g_socks[i].rooms[k]));
        sioc_json_write_array_end(&j.w);
        sioc_json_write_object_end(&j.w);
    }
    sioc_json_write_array_end(&j.w);
    sioc_json_write_object_end(&j.w);
    jw_emit(&j);
}

/* One socket of a fetchSockets answer as JSON into the pending request. */
static void pend_add_socket(pending *p, sioc_str id, sioc_bytes handshake, sioc_msg_list rooms, sioc_bytes data) {
    jw j;
    sioc_str r;
    jw_begin(&j);
    sioc_json_write_object_begin(&j.w);
    jw_kstr(&j, "id", id.ptr, id.len);
    jw_key(&j, "handshake");
    (void)mp_to_json(&j, handshake);
    jw_key(&j, "rooms");
    sioc_json_write_array_begin(&j.w);
    while (sioc_msg_list_next_str(&rooms, &r)) sioc_json_write_str(&j.w, r.ptr, r.len);
    sioc_json_write_array_end(&j.w);
    jw_key(&j, "data");
    (void)mp_to_json(&j, data);
    sioc_json_write_object_end(&j.w);
    if (sioc_buf_result(&j.buf) == SIOC_OK) pend_add_json(p, j.mem, j.buf.len);
}

static void pend_add_value(pending *p, int has, sioc_bytes v) {
    jw j;
    jw_begin(&j);
    if (!has || !v.ptr) sioc_json_write_null(&j.w);
    else if (mp_to_json(&j, v) != 0) return;
    if (sioc_buf_result(&j.buf) == SIOC_OK) pend_add_json(p, j.mem, j.buf.len);
}

static void request_done(const sioc_node_event *ev) {
    pending *p = pend_find(ev->request);
    jw j;
    char err[96];
    if (!p) return;
    if (ev->request_kind == SIOC_NODE_REQ_FETCH_SOCKETS) {
        if (ev->result != SIOC_OK) {
            snprintf(err, sizeof err, "timeout reached: missing %llu responses", (unsigned long long)ev->missing);
            result_simple(p->id.p, p->cmd, 0, err);
        } else {
            result_begin(&j, p->id.p, p->cmd, 1);
            jw_key(&j, "sockets");
            tb_puts(&p->items, ""); /* the gathered values, already JSON: concatenated as one array */
            {
                tbuf arr = {0, 0, 0};
                tb_puts(&arr, "[");
                tb_put(&arr, p->items.p, p->items.len);
                tb_puts(&arr, "]");
                sioc_json_write_raw(&j.w, arr.p, arr.len);
                free(arr.p);
            }
            sioc_json_write_object_end(&j.w);
            jw_emit(&j);
        }
    } else {
        tbuf arr = {0, 0, 0};
        tb_puts(&arr, "[");
        tb_put(&arr, p->items.p, p->items.len);
        tb_puts(&arr, "]");
        result_begin(&j, p->id.p, p->cmd, 1);
        jw_key(&j, "err");
        if (ev->result == SIOC_OK) sioc_json_write_null(&j.w);
        else if (ev->request_kind == SIOC_NODE_REQ_BROADCAST_ACK)
            sioc_json_write_str(&j.w, "operation has timed out", 23);
        else {
            snprintf(err, sizeof err, "timeout reached: missing %llu responses", (unsigned long long)ev->missing);
            sioc_json_write_str(&j.w, err, strlen(err));
        }
        jw_key(&j, ev->request_kind == SIOC_NODE_REQ_BROADCAST_ACK ? "acks" : "responses");
        sioc_json_write_raw(&j.w, arr.p, arr.len);
        sioc_json_write_object_end(&j.w);
        jw_emit(&j);
        free(arr.p);
    }
    p->used = 0;
}

static void drain_events(void) {
    sioc_node_event ev;
    g_in_drain = 1;
    while (sioc_node_next_event(g_nd, &ev) == SIOC_OK) {
        jw j;
        size_t i, k;
        switch (ev.type) {
        case SIOC_NODE_EV_NOT_READY:
            if (g_ready_printed && !g_closing) {
                jw_begin(&j);
                sioc_json_write_object_begin(&j.w);
                jw_kcstr(&j, "ev", "notReady");
                jw_kcstr(&j, "reason", "subscription lost");
                sioc_json_write_object_end(&j.w);
                jw_emit(&j);
                g_ready_printed = 0;
            }
            break;
        case SIOC_NODE_EV_PEER_UP:
        case SIOC_NODE_EV_PEER_DOWN:
            jw_begin(&j);
            sioc_json_write_object_begin(&j.w);
            jw_kcstr(&j, "ev", ev.type == SIOC_NODE_EV_PEER_UP ? "nodeUp" : "nodeDown");
            jw_kstr(&j, "nsp", ev.nsp.ptr, ev.nsp.len);
            jw_kstr(&j, "uid", ev.uid.ptr, ev.uid.len);
            if (ev.type == SIOC_NODE_EV_PEER_DOWN)
                jw_kcstr(&j, "reason", ev.result == SIOC_ERR_TIMEOUT ? "timeout" : "close");
            sioc_json_write_object_end(&j.w);
            jw_emit(&j);
            break;
        case SIOC_NODE_EV_DELIVER:
        case SIOC_NODE_EV_DISCONNECT:
            for (i = 0; i < ev.n_targets; i++) {
                sioc_node_target t = sioc_node_event_target(&ev, i);
                jw_begin(&j);
                sioc_json_write_object_begin(&j.w);
                jw_kcstr(&j, "ev", "deliver");
                jw_kstr(&j, "nsp", ev.nsp.ptr, ev.nsp.len);
                jw_kstr(&j, "sid", t.id.ptr, t.id.len);
                jw_kstr(&j, "text", ev.text.ptr, ev.text.len);
                jw_key(&j, "bin");
                sioc_json_write_array_begin(&j.w);
                for (k = 0; k < ev.n_attachments; k++) {
                    sioc_bytes a = sioc_node_event_attachment(&ev, k);
                    jw_hex(&j, a.ptr, a.len);
                }
                sioc_json_write_array_end(&j.w);
                sioc_json_write_object_end(&j.w);
                jw_emit(&j);
                if (ev.type == SIOC_NODE_EV_DISCONNECT) {
                    vsock *s = find_sock(ev.nsp, t.id);
                    if (s) s->alive = 0;
                    jw_begin(&j);
                    sioc_json_write_object_begin(&j.w);
                    jw_kcstr(&j, "ev", "disconnect");
                    jw_kstr(&j, "nsp", ev.nsp.ptr, ev.nsp.len);
                    jw_kstr(&j, "sid", t.id.ptr, t.id.len);
                    jw_key(&j, "close");
                    sioc_json_write_bool(&j.w, ev.close != 0);
                    sioc_json_write_object_end(&j.w);
                    jw_emit(&j);
                }
            }
            break;
        case SIOC_NODE_EV_SERVER_SIDE_EMIT: {
            sioc_msgpack_reader r;
            sioc_msgpack_item it;
            uint32_t n = 0, a;
            jw_begin(&j);
            sioc_json_write_object_begin(&j.w);
            jw_kcstr(&j, "ev", "serverSideEmit");
            jw_kstr(&j, "nsp", ev.nsp.ptr, ev.nsp.len);
            sioc_msgpack_reader_init(&r, ev.packet.ptr, ev.packet.len);
            if (sioc_msgpack_read_array(&r, &n) == SIOC_OK && n >= 1 && sioc_msgpack_peek(&r, &it) == SIOC_OK) {
                sioc_bytes raw;
                jw_key(&j, "event");
                if (sioc_msgpack_read_raw(&r, &raw) == SIOC_OK) (void)mp_to_json(&j, raw);
                jw_key(&j, "args");
                sioc_json_write_array_begin(&j.w);
                for (a = 1; a < n; a++)
                    if (sioc_msgpack_read_raw(&r, &raw) == SIOC_OK) (void)mp_to_json(&j, raw);
                sioc_json_write_array_end(&j.w);
            }
            if (ev.ack) {
                jw_key(&j, "ackId");
                sioc_json_write_u64(&j.w, ev.ack);
            }
            sioc_json_write_object_end(&j.w);
            jw_emit(&j);
            if (ev.ack && g_auto_ack) {
                sioc_bytes v;
                v.ptr = g_auto_ack_mp;
                v.len = g_auto_ack_len;
                (void)sioc_node_server_side_ack(g_nd, ev.ack, v, now_ms());
            }
            break;
        }
        case SIOC_NODE_EV_FETCH_SOCKETS: {
            pending *p = pend_find(ev.request);
            sioc_msg_list it = ev.sockets;
            sioc_msg_socket so;
            if (!p) break;
            while (sioc_msg_list_next_socket(&it, &so)) pend_add_socket(p, so.id, so.handshake, so.rooms, so.data);
            break;
        }
        case SIOC_NODE_EV_SSE_RESPONSE:
        case SIOC_NODE_EV_BROADCAST_ACK: {
            pending *p = pend_find(ev.request);
            if (p) pend_add_value(p, ev.has_packet, ev.packet);
            break;
        }
        case SIOC_NODE_EV_REQUEST_DONE: request_done(&ev); break;
        case SIOC_NODE_EV_ERROR: {
            char msg[256];
            snprintf(msg, sizeof msg, "%s (type %d, %s, from %.*s)", sioc_strerror(ev.result), ev.msg_type,
                     ev.field ? ev.field : "-", (int)ev.uid.len, ev.uid.ptr ? ev.uid.ptr : "");
            print_error("receive", msg);
            break;
        }
        default: break;
        }
    }
    g_in_drain = 0;
}

/* ---- commands ---- */

static sioc_json_tok g_toks[1u << 16];
static char g_names[64][SIOC_NODE_NAME_MAX + 1];
static sioc_str g_rooms[32], g_except[32], g_target[32];
static int g_name_used;
static uint8_t g_packet[LINE_MAX_BYTES + 1024];

/* Array of strings at key into out (views into g_names). -1 when malformed. */
static int str_list(const sioc_json *d, int obj, const char *key, sioc_str *out, size_t cap, size_t *n) {
    int arr = sioc_json_find(d, obj, key), el;
    *n = 0;
    if (arr < 0) return 0;
    if (sioc_json_type_of(d, arr) != SIOC_JSON_ARRAY) return -1;
    for (el = sioc_json_first(d, arr); el >= 0; el = sioc_json_next(d, el)) {
        size_t len = 0;
        if (*n >= cap || g_name_used >= 64) return -1;
        if (sioc_json_get_str(d, el, g_names[g_name_used], SIOC_NODE_NAME_MAX + 1, &len) != SIOC_OK) return -1;
        out[*n].ptr = g_names[g_name_used++];
        out[*n].len = len;
        (*n)++;
    }
    return 0;
}

static int get_bool(const sioc_json *d, int obj, const char *key) {
    int t = sioc_json_find(d, obj, key), v = 0;
    if (t >= 0 && sioc_json_get_bool(d, t, &v) != SIOC_OK) v = 0;
    return v;
}

static int64_t get_int(const sioc_json *d, int obj, const char *key, int64_t def) {
    int t = sioc_json_find(d, obj, key);
    int64_t v = def;
    double f;
    if (t < 0) return def;
    if (sioc_json_get_i64(d, t, &v) == SIOC_OK) return v;
    if (sioc_json_get_f64(d, t, &f) == SIOC_OK) return (int64_t)f;
    return def;
}

/* [event, ...args] as msgpack into g_packet. */
static int build_packet(const sioc_json *d, int obj, sioc_bytes *out) {
    sioc_buf b;
    sioc_msgpack_writer w;
    int ev = sioc_json_find(d, obj, "event"), args = sioc_json_find(d, obj, "args"), el;
    size_t n = 0;
    if (ev < 0 || sioc_json_type_of(d, ev) != SIOC_JSON_STRING) return -1;
    if (args >= 0 && sioc_json_type_of(d, args) != SIOC_JSON_ARRAY) return -1;
    if (args >= 0) n = sioc_json_count(d, args);
    sioc_buf_init(&b, g_packet, sizeof g_packet);
    sioc_msgpack_writer_init(&w, &b);
    sioc_msgpack_write_array(&w, (uint32_t)(n + 1));
    if (json_to_mp(d, ev, &w) != 0) return -1;
    for (el = sioc_json_first(d, args); el >= 0; el = sioc_json_next(d, el))
        if (json_to_mp(d, el, &w) != 0) return -1;
    if (sioc_msgpack_writer_finish(&w) != SIOC_OK) return -1;
    out->ptr = g_packet;
    out->len = b.len;
    return 0;
}

static void start_close(void) {
    if (g_closing) return;
    g_closing = 1;
    (void)sioc_cluster_close(&g_cl, now_ms());
}

static void command(char *line, size_t len) {
    sioc_json d;
    char cmd[32], id_json[256], nspbuf[SIOC_NODE_NAME_MAX + 1];
    int t;
    size_t n = 0, n_rooms = 0, n_except = 0, n_target = 0;
    sioc_str nsp;
    sioc_node_opts opts;
    sioc_result r = SIOC_OK;
    uint64_t now = now_ms();
    while (len && (line[len - 1] == '\r' || line[len - 1] == ' ')) len--;
    if (!len) return;
    if (sioc_json_parse(&d, line, len, g_toks, sizeof g_toks / sizeof g_toks[0]) != SIOC_OK ||
        sioc_json_type_of(&d, 0) != SIOC_JSON_OBJECT) {
        print_error("command", "not a JSON object");
        return;
    }
    t = sioc_json_find(&d, 0, "id");
    if (t < 0) strcpy(id_json, "null");
    else {
        sioc_str raw = sioc_json_raw(&d, t);
        if (sioc_json_type_of(&d, t) == SIOC_JSON_STRING) snprintf(id_json, sizeof id_json, "\"%.*s\"", (int)raw.len, raw.ptr);
        else snprintf(id_json, sizeof id_json, "%.*s", (int)raw.len, raw.ptr);
    }
    t = sioc_json_find(&d, 0, "cmd");
    if (t < 0 || sioc_json_get_str(&d, t, cmd, sizeof cmd, &n) != SIOC_OK) {
        result_simple(id_json, "", 0, "missing cmd");
        return;
    }
    t = sioc_json_find(&d, 0, "nsp");
    strcpy(nspbuf, "/");
    if (t >= 0 && sioc_json_get_str(&d, t, nspbuf, sizeof nspbuf, &n) != SIOC_OK) {
        result_simple(id_json, cmd, 0, "bad nsp");
        return;
    }
    nsp = sioc_str_c(nspbuf);
    g_name_used = 0;
    memset(&opts, 0, sizeof opts);
    if (str_list(&d, 0, "rooms", g_rooms, 32, &n_rooms) || str_list(&d, 0, "except", g_except, 32, &n_except) ||
        str_list(&d, 0, "target", g_target, 32, &n_target)) {
        result_simple(id_json, cmd, 0, "bad rooms/except/target");
        return;
    }
    opts.rooms = g_rooms;
    opts.n_rooms = n_rooms;
    opts.except = g_except;
    opts.n_except = n_except;

    if (!strcmp(cmd, "close") || !strcmp(cmd, "quit")) {
        result_simple(id_json, cmd, 1, NULL);
        start_close();
        return;
    }
    if (!strcmp(cmd, "serverSideAck")) {
        int64_t ack = get_int(&d, 0, "ackId", -1);
        int args = sioc_json_find(&d, 0, "args");
        sioc_bytes v;
        v.ptr = NULL;
        v.len = 0;
        if (args >= 0 && sioc_json_count(&d, args) > 0) {
            sioc_buf b;
            sioc_msgpack_writer w;
            sioc_buf_init(&b, g_packet, sizeof g_packet);
            sioc_msgpack_writer_init(&w, &b);
            if (json_to_mp(&d, sioc_json_first(&d, args), &w) != 0 || sioc_msgpack_writer_finish(&w) != SIOC_OK) {
                result_simple(id_json, cmd, 0, "bad args");
                return;
            }
            v.ptr = g_packet;
            v.len = b.len;
        }
        r = ack > 0 && ack <= 0xffffffffLL ? sioc_node_server_side_ack(g_nd, (uint32_t)ack, v, now)
                                           : SIOC_ERR_NOT_FOUND;
        result_simple(id_json, cmd, r == SIOC_OK, sioc_strerror(r));
        return;
    }
    if (!nsp_known(nsp.ptr, nsp.len)) {
        result_simple(id_json, cmd, 0, "namespace not joined");
        return;
    }
    if (!strcmp(cmd, "serverCount")) {
        jw j;
        if (g_emitter) {
            result_simple(id_json, cmd, 0, "emitter-only");
            return;
        }
        result_begin(&j, id_json, cmd, 1);
        jw_key(&j, "count");
        sioc_json_write_u64(&j.w, 1 + sioc_node_peer_count(g_nd, nsp));
        sioc_json_write_object_end(&j.w);
        jw_emit(&j);
        return;
    }
    if (!strcmp(cmd, "broadcast")) {
        sioc_bytes packet;
        int fl = sioc_json_find(&d, 0, "flags");
        if (build_packet(&d, 0, &packet) != 0) {
            result_simple(id_json, cmd, 0, "bad event or args");
            return;
        }
        if (fl >= 0) {
            int v = sioc_json_find(&d, fl, "volatile"), c = sioc_json_find(&d, fl, "compress"), b = 0;
            if (v >= 0 && sioc_json_get_bool(&d, v, &b) == SIOC_OK) {
                opts.flags.present |= SIOC_MSG_FLAG_VOLATILE;
                if (b) opts.flags.values |= SIOC_MSG_FLAG_VOLATILE;
            }
            if (c >= 0 && sioc_json_get_bool(&d, c, &b) == SIOC_OK) {
                opts.flags.present |= SIOC_MSG_FLAG_COMPRESS;
                if (b) opts.flags.values |= SIOC_MSG_FLAG_COMPRESS;
            }
        }
        if (get_bool(&d, 0, "ack")) {
            uint32_t req = 0;
            int64_t to = get_int(&d, 0, "timeout", 0);
            if (g_emitter || to <= 0) {
                result_simple(id_json, cmd, 0, g_emitter ? "emitter-only" : "timeout required with ack");
                return;
            }
            r = sioc_node_broadcast_ack(g_nd, nsp, &opts, packet, (uint32_t)to, NULL, &req, now);
            if (r == SIOC_OK && !pend_new(req, cmd, id_json)) r = SIOC_ERR_LIMIT;
            if (r != SIOC_OK) result_simple(id_json, cmd, 0, sioc_strerror(r));
        } else {
            r = sioc_node_broadcast(g_nd, nsp, &opts, packet, now);
            result_simple(id_json, cmd, r == SIOC_OK, sioc_strerror(r));
        }
        return;
    }
    if (!strcmp(cmd, "serverSideEmit")) {
        sioc_bytes packet;
        if (build_packet(&d, 0, &packet) != 0) {
            result_simple(id_json, cmd, 0, "bad event or args");
            return;
        }
        if (get_bool(&d, 0, "ack")) {
            uint32_t req = 0;
            if (g_emitter) {
                result_simple(id_json, cmd, 0, "emitter-only");
                return;
            }
            r = sioc_node_server_side_emit_ack(g_nd, nsp, packet, NULL, &req, now);
            if (r == SIOC_OK && !pend_new(req, cmd, id_json)) r = SIOC_ERR_LIMIT;
            if (r != SIOC_OK) result_simple(id_json, cmd, 0, sioc_strerror(r));
        } else {
            r = sioc_node_server_side_emit(g_nd, nsp, packet, now);
            result_simple(id_json, cmd, r == SIOC_OK, sioc_strerror(r));
        }
        return;
    }
    if (!strcmp(cmd, "fetchSockets")) {
        uint32_t req = 0;
        int64_t to = get_int(&d, 0, "timeout", 0);
        if (g_emitter) {
            result_simple(id_json, cmd, 0, "emitter-only");
            return;
        }
        if (to > 0) {
            opts.flags.present |= SIOC_MSG_FLAG_TIMEOUT;
            opts.flags.timeout_ms = (uint64_t)to;
        }
        /* the pending entry must exist before the call: the local part comes out as an event at once */
        {
            pending *p = pend_new(0xffffffffu, cmd, id_json);
            if (!p) {
                result_simple(id_json, cmd, 0, "too many requests");
                return;
            }
            r = sioc_node_fetch_sockets(g_nd, nsp, &opts, NULL, &req, now);
            if (r != SIOC_OK) {
                p->used = 0;
                result_simple(id_json, cmd, 0, sioc_strerror(r));
                return;
            }
            p->request = req;
        }
        return;
    }
    if (!strcmp(cmd, "socketsJoin") || !strcmp(cmd, "socketsLeave")) {
        r = cmd[7] == 'J' ? sioc_node_sockets_join(g_nd, nsp, &opts, g_target, n_target, now)
                          : sioc_node_sockets_leave(g_nd, nsp, &opts, g_target, n_target, now);
        result_simple(id_json, cmd, r == SIOC_OK, sioc_strerror(r));
        return;
    }
    if (!strcmp(cmd, "disconnectSockets")) {
        r = sioc_node_disconnect_sockets(g_nd, nsp, &opts, get_bool(&d, 0, "close"), now);
        result_simple(id_json, cmd, r == SIOC_OK, sioc_strerror(r));
        return;
    }
    if (!strcmp(cmd, "clientPacket")) {
        char sid[SIOC_NODE_NAME_MAX + 1];
        static char text[LINE_MAX_BYTES];
        static uint8_t binmem[LINE_MAX_BYTES];
        sioc_bytes att[64];
        size_t n_att = 0, used = 0, tl = 0;
        int st = sioc_json_find(&d, 0, "sid"), tx = sioc_json_find(&d, 0, "text"), bn = sioc_json_find(&d, 0, "bin"), el;
        if (st < 0 || tx < 0 || sioc_json_get_str(&d, st, sid, sizeof sid, &n) != SIOC_OK ||
            sioc_json_get_str(&d, tx, text, sizeof text, &tl) != SIOC_OK) {
            result_simple(id_json, cmd, 0, "sid and text required");
            return;
        }
        if (!sioc_node_socket_exists(g_nd, nsp, sioc_str_c(sid))) {
            result_simple(id_json, cmd, 0, "unknown socket");
            return;
        }
        for (el = sioc_json_first(&d, bn); el >= 0; el = sioc_json_next(&d, el)) {
            sioc_str hx = sioc_json_raw(&d, el);
            size_t m;
            if (n_att >= 64 || hx.len % 2 || used + hx.len / 2 > sizeof binmem ||
                sioc_hex_decode(hx.ptr, hx.len, binmem + used, sizeof binmem - used, &m) != SIOC_OK) {
                result_simple(id_json, cmd, 0, "bad bin");
                return;
            }
            att[n_att].ptr = binmem + used;
            att[n_att].len = hx.len / 2;
            used += hx.len / 2;
            n_att++;
        }
        r = sioc_node_client_ack_text(g_nd, sioc_str_c(sid), text, tl, att, n_att, now);
        result_simple(id_json, cmd, r == SIOC_OK, sioc_strerror(r));
        return;
    }
    result_simple(id_json, cmd, 0, "unknown cmd");
}

/* ---- main ---- */

static const char g_usage[] =
    "usage: siocat [--label NAME] [--nsp NSP]... [--socket ID[@NSP][=ROOM,...]]...\n"
    "              [--heartbeat-interval MS] [--heartbeat-timeout MS] [--topic NAME] [--queue-prefix P]\n"
    "              [--wait-time-seconds N] [--endpoint URL] [--region R] [--auto-ack JSON] [--emitter]\n"
    "              [--no-filter-policy] [--retention-seconds N] [--receives-in-flight N]\n"
    "              [--transport aws|azure] [--connection-string CS] [--rest-url URL]\n"
    "              [--subscription-prefix P] [--ca-file PEM] [--startup-timeout MS]\n"
    "              [--receive-budget MS|off] [--receive-idle MS] [--publish-budget MS|off]\n"
    "              [--no-filter-rule]\n"
    "Environment: AWS_ENDPOINT_URL[_SNS|_SQS], AWS_REGION, AWS_ACCESS_KEY_ID, AWS_SECRET_ACCESS_KEY,\n"
    "AWS_SESSION_TOKEN; azure: SERVICEBUS_CONNECTION_STRING, SERVICEBUS_REST_URL (e.g. the local test\n"
    "broker's http://127.0.0.1:PORT; default https://<Endpoint host>/). JSON-line commands on stdin,\n"
    "events on stdout (tests/interop/SIOCAT.md). Exit status: 0 after a graceful leave, 1 when start-up\n"
    "failed or never finished (--startup-timeout), 2 for a bad command line.\n";

/* A bad command line: say which flag and value, then the usage, exit 2. */
static void bad_flag(const char *flag, const char *value, const char *why) {
    if (value) fprintf(stderr, "siocat: %s %s: %s\n", flag, value, why);
    else fprintf(stderr, "siocat: %s: %s\n", flag, why);
    fputs(g_usage, stderr);
    exit(2);
}

static uint32_t arg_u32(const char *flag, const char *v) {
    char *end;
    unsigned long x = strtoul(v, &end, 10);
    if (!*v || *end || x > 0xffffffffUL) bad_flag(flag, v, "not a number (0..4294967295)");
    return (uint32_t)x;
}

static void needv(const char *flag, const char *v) {
    if (!v) bad_flag(flag, NULL, "needs a value");
}

static char g_linebuf[LINE_MAX_BYTES];
static size_t g_line_len;

/* The command line into the member's desc and siocat's own settings. */
static void parse_args(int argc, char **argv, sioc_cluster_desc *d, uint32_t *startup_ms) {
    int i;
    for (i = 1; i < argc; i++) {
        const char *a = argv[i];
        const char *v = i + 1 < argc ? argv[i + 1] : NULL;
        static const char *const flags[] = {"--label", "--nsp", "--socket", "--heartbeat-interval",
            "--heartbeat-timeout", "--topic", "--queue-prefix", "--subscription-prefix", "--wait-time-seconds",
            "--receives-in-flight", "--retention-seconds", "--endpoint", "--region", "--auto-ack", "--transport",
            "--connection-string", "--rest-url", "--ca-file", "--startup-timeout", "--receive-budget", "--receive-idle",
            "--publish-budget",
            "--emitter", "--no-filter-policy", "--no-filter-rule", "--help", "-h"};
        size_t f, n_flags = sizeof flags / sizeof flags[0];
        for (f = 0; f < n_flags && strcmp(a, flags[f]) != 0; f++) continue;
        if (f == n_flags) bad_flag(a, NULL, "unknown flag");
        if (f < n_flags - 5) needv(a, v), i++; /* all but the last five take a value */
        if (!strcmp(a, "--help") || !strcmp(a, "-h")) {
            fputs(g_usage, stdout);
            exit(0);
        } else if (!strcmp(a, "--label")) g_label = v;
        else if (!strcmp(a, "--nsp")) {
            if (v[0] != '/' || strlen(v) > SIOC_NODE_NAME_MAX) bad_flag(a, v, "a namespace starts with '/' (64 bytes at most)");
            nsp_add(v);
        } else if (!strcmp(a, "--socket")) {
            if (parse_socket_flag(v) != 0) bad_flag(a, v, "expected ID[@NSP][=ROOM,...]");
            nsp_add(g_socks[g_n_socks - 1].nsp);
        } else if (!strcmp(a, "--heartbeat-interval")) d->node.heartbeat_interval_ms = arg_u32(a, v);
        else if (!strcmp(a, "--heartbeat-timeout")) d->node.heartbeat_timeout_ms = arg_u32(a, v);
        else if (!strcmp(a, "--topic")) d->topic_name = v;
        else if (!strcmp(a, "--queue-prefix") || !strcmp(a, "--subscription-prefix")) d->prefix = v;
        else if (!strcmp(a, "--wait-time-seconds")) {
            uint32_t w = arg_u32(a, v);
            if (w > 20) bad_flag(a, v, "0..20");
            d->aws.wait_time_s = w ? (int)w : -1;
            d->azure.timeout_s = w ? (int)w : 1;
        } else if (!strcmp(a, "--receives-in-flight")) {
            d->receives_in_flight = (int)arg_u32(a, v);
            if (d->receives_in_flight < 1 || d->receives_in_flight > SIOC_CLUSTER_MAX_RECEIVES)
                bad_flag(a, v, "1..4");
        } else if (!strcmp(a, "--retention-seconds")) d->aws.retention_s = arg_u32(a, v);
        else if (!strcmp(a, "--endpoint")) d->aws.sns_endpoint = d->aws.sqs_endpoint = v;
        else if (!strcmp(a, "--region")) d->aws.region = v;
        else if (!strcmp(a, "--auto-ack")) g_auto_ack = argv[i];
        else if (!strcmp(a, "--emitter")) g_emitter = 1;
        else if (!strcmp(a, "--no-filter-policy")) d->aws.no_filter_policy = 1;
        else if (!strcmp(a, "--no-filter-rule")) d->azure.no_filter_rule = 1;
        else if (!strcmp(a, "--receive-budget")) d->receive_budget_ms = !strcmp(v, "off") ? -1 : (int)arg_u32(a, v);
        else if (!strcmp(a, "--receive-idle")) d->receive_idle_ms = (int)arg_u32(a, v);
        else if (!strcmp(a, "--publish-budget")) d->publish_budget_ms = !strcmp(v, "off") ? -1 : (int)arg_u32(a, v);
        else if (!strcmp(a, "--transport")) {
            if (!strcmp(v, "azure")) d->transport = SIOC_CLUSTER_AZURE;
            else if (!strcmp(v, "aws")) d->transport = SIOC_CLUSTER_AWS;
            else bad_flag(a, v, "aws or azure");
        } else if (!strcmp(a, "--connection-string")) d->azure.connection_string = v;
        else if (!strcmp(a, "--rest-url")) d->azure.rest_url = v;
        else if (!strcmp(a, "--ca-file")) d->http.ca_file = v;
        else if (!strcmp(a, "--startup-timeout")) *startup_ms = arg_u32(a, v);
        else bad_flag(a, NULL, "unknown flag");
    }
}

static void parse_auto_ack(void) {
    sioc_json d;
    sioc_buf b;
    sioc_msgpack_writer w;
    if (!g_auto_ack) return;
    sioc_buf_init(&b, g_auto_ack_mp, sizeof g_auto_ack_mp);
    sioc_msgpack_writer_init(&w, &b);
    if (sioc_json_parse(&d, g_auto_ack, strlen(g_auto_ack), g_toks, 4096) != SIOC_OK || json_to_mp(&d, 0, &w) != 0 ||
        sioc_msgpack_writer_finish(&w) != SIOC_OK)
        bad_flag("--auto-ack", g_auto_ack, "not a JSON value");
    g_auto_ack_len = b.len;
}

static void log_line(void *user, sioc_log_level level, const char *line) {
    (void)user, (void)level;
    fprintf(stderr, "siocat[%s]: %s\n", g_label, line);
}

/* Namespaces and virtual sockets into the node; 0 on success. */
static int add_sockets(void) {
    int i, k;
    sioc_result r = SIOC_OK;
    for (i = 0; i < g_n_nsps && !g_emitter && r == SIOC_OK; i++)
        r = sioc_node_nsp_open(g_nd, sioc_str_c(g_nsps[i]), now_ms());
    for (i = 0; i < g_n_socks && !g_emitter && r == SIOC_OK; i++) {
        vsock *s = &g_socks[i];
        sioc_node_socket_desc sd;
        build_handshake(s);
        memset(&sd, 0, sizeof sd);
        sd.handshake.ptr = s->handshake;
        sd.handshake.len = s->handshake_len;
        sd.user = s;
        r = sioc_node_socket_add(g_nd, sioc_str_c(s->nsp), sioc_str_c(s->id), &sd, now_ms());
        for (k = 0; r == SIOC_OK && k < s->n_rooms; k++)
            r = sioc_node_socket_join(g_nd, sioc_str_c(s->nsp), sioc_str_c(s->id), sioc_str_c(s->rooms[k]));
    }
    return r == SIOC_OK ? 0 : -1;
}

/* Request counts per operation and the message counters, for the idle-cost report. */
static void free_pending(void) {
    int i;
    for (i = 0; i < MAX_PENDING; i++) {
        free(g_pend[i].id.p);
        free(g_pend[i].items.p);
    }
}

static void print_stats(void) {
    const sioc_cluster_stats *st = sioc_cluster_get_stats(&g_cl);
    int op;
    fprintf(stderr, "siocat[%s]: requests", g_label);
    for (op = 0; op < SIOC_CLUSTER_OP_COUNT; op++)
        if (st->requests[op])
            fprintf(stderr, " %s=%llu", sioc_cluster_op_name(&g_cl, op), (unsigned long long)st->requests[op]);
    fprintf(stderr, "; received %llu, settled %llu, published %llu, bad %llu, redelivered %llu\n",
            (unsigned long long)st->received, (unsigned long long)st->settled, (unsigned long long)st->published,
            (unsigned long long)st->bad_messages, (unsigned long long)st->redelivered);
}

static void read_stdin(int *stdin_open) {
    ssize_t got;
    char *start = g_linebuf, *nl;
    if (g_line_len >= sizeof g_linebuf) g_line_len = 0; /* an overlong line is dropped */
    got = read(0, g_linebuf + g_line_len, sizeof g_linebuf - g_line_len);
    if (got <= 0) {
        *stdin_open = 0;
        start_close();
        return;
    }
    g_line_len += (size_t)got;
    while ((nl = (char *)memchr(start, '\n', g_line_len - (size_t)(start - g_linebuf))) != NULL) {
        sioc_cluster_process(&g_cl, now_ms());
        drain_events();
        command(start, (size_t)(nl - start));
        drain_events();
        start = nl + 1;
    }
    g_line_len -= (size_t)(start - g_linebuf);
    memmove(g_linebuf, start, g_line_len);
}

int main(int argc, char **argv) {
    sioc_cluster_desc d;
    uint32_t startup_ms = 0;
    uint64_t started_at;
    int stdin_open = 1, exit_code = 0, ever_ran = 0;
    sioc_result r;
    struct sigaction sa;
    char msg[256];

    memset(&d, 0, sizeof d);
    nsp_add("/");
    parse_args(argc, argv, &d, &startup_ms);
    parse_auto_ack();
    setvbuf(stdout, NULL, _IOLBF, 0);
    memset(&sa, 0, sizeof sa);
    sa.sa_handler = on_signal;
    sigaction(SIGTERM, &sa, NULL);
    sigaction(SIGINT, &sa, NULL);
    signal(SIGPIPE, SIG_IGN);

    d.node.emitter_only = g_emitter;
    d.on_error = on_member_error;
    d.logger.fn = log_line;
    d.logger.max_level = SIOC_LOG_ERROR; /* failed requests come through on_member_error, with their details */
    d.http.max_requests = 16;
    r = sioc_cluster_init(&g_cl, &d);
    if (r != SIOC_OK) {
        snprintf(msg, sizeof msg, "cluster member: %s: %s%s", sioc_strerror(r), sioc_cluster_last_detail(&g_cl),
                 r == SIOC_ERR_NOT_FOUND ? " (see --help)" : "");
        print_error("startup", msg);
        return 1;
    }
    g_nd = sioc_cluster_node(&g_cl);
    if (add_sockets() != 0) {
        print_error("startup", "namespace or socket refused");
        return 1;
    }
    r = sioc_cluster_start(&g_cl, now_ms());
    if (r != SIOC_OK) {
        snprintf(msg, sizeof msg, "cluster: %s", sioc_strerror(r));
        print_error("startup", msg);
        return 1;
    }
    started_at = now_ms();
    fprintf(stderr, "siocat[%s]: uid %s, %s %s\n", g_label, g_nd->uid,
            sioc_cluster_get_transport(&g_cl) == SIOC_CLUSTER_AZURE ? "subscription" : "queue",
            g_emitter ? "(none)" : sioc_cluster_queue_name(&g_cl));

    for (;;) {
        struct pollfd pfd[SIOC_POSIX_MAX_CONNS + 1];
        sioc_posix_fd fds[SIOC_POSIX_MAX_CONNS];
        size_t nf, k;
        uint64_t now = now_ms(), dl;
        int timeout;
        sioc_cluster_state st;
        if (g_stop && !g_closing) start_close();
        sioc_cluster_process(&g_cl, now);
        drain_events();
        st = sioc_cluster_get_state(&g_cl);
        if (st == SIOC_CLUSTER_RUNNING) ever_ran = 1;
        if (st == SIOC_CLUSTER_RUNNING && g_nd->ready && !g_ready_printed && !g_closing && sioc_cluster_idle(&g_cl)) {
            print_ready();
            g_ready_printed = 1;
        }
        if (st == SIOC_CLUSTER_CLOSED) {
            jw j;
            jw_begin(&j);
            sioc_json_write_object_begin(&j.w);
            jw_kcstr(&j, "ev", "closed");
            sioc_json_write_object_end(&j.w);
            jw_emit(&j);
            if (!ever_ran) exit_code = 1; /* it never joined: not a success */
            break;
        }
        if (st == SIOC_CLUSTER_FAILED) {
            snprintf(msg, sizeof msg, "%s refused start-up: %s",
                     sioc_cluster_get_transport(&g_cl) == SIOC_CLUSTER_AZURE ? "Azure" : "AWS",
                     sioc_strerror(sioc_cluster_last_error(&g_cl)));
            print_error("startup", msg);
            exit_code = 1;
            break;
        }
        if (startup_ms && !ever_ran && !g_closing && now - started_at >= startup_ms) {
            snprintf(msg, sizeof msg, "start-up did not finish within %u ms (last error: %s)", (unsigned)startup_ms,
                     sioc_strerror(sioc_cluster_last_error(&g_cl)));
            print_error("startup", msg);
            exit_code = 1;
            break;
        }
        dl = sioc_cluster_next_deadline(&g_cl, now);
        timeout = dl <= now ? 0 : dl - now > 1000 ? 1000 : (int)(dl - now);
        nf = sioc_posix_fds(sioc_cluster_posix(&g_cl), fds, SIOC_POSIX_MAX_CONNS);
        for (k = 0; k < nf; k++) {
            pfd[k].fd = fds[k].fd;
            pfd[k].events = (short)(((fds[k].wants & SIOC_HTTP_WANT_READ) ? POLLIN : 0) |
                                    ((fds[k].wants & (SIOC_HTTP_WANT_WRITE | SIOC_HTTP_WANT_CONNECT)) ? POLLOUT : 0));
            pfd[k].revents = 0;
        }
        pfd[nf].fd = stdin_open && !g_closing ? 0 : -1;
        pfd[nf].events = POLLIN;
        pfd[nf].revents = 0;
        if (poll(pfd, nf + 1, timeout) < 0 && errno != EINTR) break;
        (void)sioc_posix_step(sioc_cluster_posix(&g_cl), now_ms());
        if (pfd[nf].revents & (POLLIN | POLLHUP | POLLERR)) read_stdin(&stdin_open);
    }
    print_stats();
    sioc_cluster_free(&g_cl);
    free_pending();
    return exit_code;
}
