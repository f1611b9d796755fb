/* fw.c - a Socket.IO cluster member as bare-metal firmware on the MPS2 AN385 board (Cortex-M3, QEMU
   -M mps2-an385). No operating system, no libc malloc, no sockets: a super-loop drives the library, UART0 carries
   every HTTP connection of the library to a host relay (link.h, README.md), SysTick is the millisecond clock, the
   relay tells the wall-clock time (SigV4 signs with it) and seeds the random generator.

   The application is small on purpose: one virtual socket (its id and rooms come in the CONFIG frame) whose
   deliveries are printed as LOG lines, and a few commands from the host (CMD frames): emit, count, leave. */
#include <stddef.h>
#include <stdint.h>
#include <string.h>

#include "board.h"
#include "link.h"

static void fw_assert_failed(int line);
#define SIOC_ASSERT(x) ((x) ? (void)0 : fw_assert_failed(__LINE__))
#define SIO_CLUSTER_STATIC /* every call into the library sits in this file: gcc may inline and drop across it */
#define SIO_CLUSTER_IMPLEMENTATION
#include "sio_cluster.h"

#ifndef FW_HEAP_SIZE
#define FW_HEAP_SIZE (320u * 1024u) /* the member below takes about 260 KB (README.md) */
#endif
#define FW_VERSION "sioc-fw 1"

/* ---- text lines (no printf: it would cost more flash than the rest of the application) ---- */

typedef struct line {
    char buf[LINK_MAX + 1];
    size_t len;
} line;

static void ln_reset(line *l) { l->len = 0; l->buf[0] = 0; }
static void ln_put(line *l, const char *s, size_t n) {
    if (n > LINK_MAX - l->len) n = LINK_MAX - l->len;
    memcpy(l->buf + l->len, s, n);
    l->len += n;
    l->buf[l->len] = 0;
}
static void ln_puts(line *l, const char *s) { ln_put(l, s, strlen(s)); }
static void ln_u64(line *l, uint64_t v) {
    char t[21];
    size_t i = sizeof t;
    do t[--i] = (char)('0' + v % 10); while ((v /= 10) != 0);
    ln_put(l, t + i, sizeof t - i);
}
static void ln_hex(line *l, const uint8_t *p, size_t n) {
    static const char hex[] = "0123456789abcdef";
    while (n--) {
        char t[2];
        t[0] = hex[*p >> 4];
        t[1] = hex[*p++ & 15];
        ln_put(l, t, 2);
    }
}
static void ln_send(line *l) { link_send(LINK_LOG, LINK_NO_CONN, l->buf, l->len); }

static void log_text(const char *a, const char *b) {
    line l;
    ln_reset(&l);
    ln_puts(&l, a);
    if (b) ln_puts(&l, b);
    ln_send(&l);
}

/* ---- heap: a bump arena for the library's allocator hook (it allocates only at init) ---- */

static uint8_t arena[FW_HEAP_SIZE] __attribute__((section(".noinit"), aligned(16)));
static size_t arena_top, heap_in_use, heap_peak;
static size_t blocks[8], n_blocks; /* the first allocations' sizes, for the memory report */

static void *arena_alloc(size_t n, void *user) {
    size_t need = (n + 15u) & ~(size_t)15u;
    (void)user;
    if (need > sizeof arena - arena_top) return NULL;
    arena_top += need;
    heap_in_use += need;
    if (n_blocks < 8) blocks[n_blocks++] = n;
    if (heap_in_use > heap_peak) heap_peak = heap_in_use;
    return arena + arena_top - need;
}

static void arena_free(void *p, size_t n, void *user) {
    size_t need = (n + 15u) & ~(size_t)15u;
    (void)user;
    if (!p) return;
    heap_in_use -= need;
    if ((uint8_t *)p + need == arena + arena_top) arena_top -= need; /* the last block: give it back */
    if (heap_in_use == 0) arena_top = 0;
}

/* ---- randomness: SHA-256 over a key from the relay's 32 seed bytes and SysTick jitter, and a counter ----
   out_i = SHA-256(key || counter_i); after each request key = SHA-256(key || counter || "rekey"), so earlier
   outputs cannot be recomputed from a later state. Jitter (the SysTick count at moments set by host timing) is
   mixed in at boot and whenever a frame from the host arrives during start-up. */

static uint8_t rng_key[32];
static uint64_t rng_ctr;

static void rng_mix(const void *data, size_t len) {
    sioc_sha256_ctx s;
    uint32_t j = board_jitter();
    sioc_sha256_init(&s);
    sioc_sha256_update(&s, rng_key, sizeof rng_key);
    sioc_sha256_update(&s, data, len);
    sioc_sha256_update(&s, &j, sizeof j);
    sioc_sha256_final(&s, rng_key);
}

static sioc_result fw_random(void *user, void *buf, size_t len) {
    uint8_t *out = (uint8_t *)buf, block[32];
    sioc_sha256_ctx s;
    (void)user;
    while (len) {
        size_t n = len < sizeof block ? len : sizeof block;
        sioc_sha256_init(&s);
        sioc_sha256_update(&s, rng_key, sizeof rng_key);
        sioc_sha256_update(&s, &rng_ctr, sizeof rng_ctr);
        sioc_sha256_final(&s, block);
        rng_ctr++;
        memcpy(out, block, n);
        out += n;
        len -= n;
    }
    rng_mix("rekey", 5);
    return SIOC_OK;
}

/* ---- wall clock: the relay's TIME frame plus SysTick since it arrived ---- */

static int64_t utc_base_ms = -1;
static uint64_t utc_base_tick;

static int64_t fw_utc_now(void *user) {
    (void)user;
    if (utc_base_ms < 0) return 0; /* unknown: the library refuses to sign */
    return (utc_base_ms + (int64_t)(board_ms() - utc_base_tick)) / 1000;
}

/* ---- the library's log lines go to the host as LOG frames ---- */

static void fw_log(void *user, sioc_log_level level, const char *text) {
    static const char *const names[] = {"lib E ", "lib W ", "lib I ", "lib D "};
    (void)user;
    log_text(names[level & 3], text);
}

/* ---- configuration from the CONFIG frame ---- */

#define CFG_TEXT 768
static struct {
    char text[CFG_TEXT]; /* the frame's lines, NUL-separated in place */
    const char *endpoint, *region, *access_key, *secret_key, *topic, *prefix, *socket_id, *rooms;
    uint32_t heartbeat_ms, heartbeat_timeout_ms, wait_s, log_level;
    int have;
} cfg;

static uint32_t parse_u32(const char *s) {
    uint32_t v = 0;
    while (*s >= '0' && *s <= '9') v = v * 10u + (uint32_t)(*s++ - '0');
    return v;
}

static void cfg_parse(const uint8_t *data, size_t len) {
    char *p, *end;
    if (len >= sizeof cfg.text) len = sizeof cfg.text - 1;
    memcpy(cfg.text, data, len);
    cfg.text[len] = 0;
    cfg.region = "us-east-1";
    cfg.socket_id = "";
    cfg.rooms = "";
    cfg.log_level = SIOC_LOG_WARN;
    for (p = cfg.text; *p; p = end) {
        char *eq, *nl = strchr(p, '\n');
        end = nl ? nl + 1 : p + strlen(p);
        if (nl) *nl = 0;
        eq = strchr(p, '=');
        if (!eq) continue;
        *eq++ = 0;
        if (!strcmp(p, "endpoint")) cfg.endpoint = eq;
        else if (!strcmp(p, "region")) cfg.region = eq;
        else if (!strcmp(p, "access_key")) cfg.access_key = eq;
        else if (!strcmp(p, "secret_key")) cfg.secret_key = eq;
        else if (!strcmp(p, "topic")) cfg.topic = eq;
        else if (!strcmp(p, "prefix")) cfg.prefix = eq;
        else if (!strcmp(p, "socket")) cfg.socket_id = eq;
        else if (!strcmp(p, "rooms")) cfg.rooms = eq;
        else if (!strcmp(p, "heartbeat_ms")) cfg.heartbeat_ms = parse_u32(eq);
        else if (!strcmp(p, "heartbeat_timeout_ms")) cfg.heartbeat_timeout_ms = parse_u32(eq);
        else if (!strcmp(p, "wait_s")) cfg.wait_s = parse_u32(eq);
        else if (!strcmp(p, "log_level")) cfg.log_level = parse_u32(eq);
    }
    cfg.have = 1;
}

/* ---- the member ---- */

static sioc_cluster member;
static sioc_node *node;        /* its node: sockets, operations, events */
static sioc_http_client *http; /* its engine: the firmware moves the bytes (own_io) */

static sioc_result member_init(void) {
    sioc_cluster_desc d;
    sioc_result r;
    memset(&d, 0, sizeof d);
    d.transport = SIOC_CLUSTER_AWS;
    d.random = fw_random;
    d.utc_now = fw_utc_now;
    d.allocator.alloc = arena_alloc;
    d.allocator.free = arena_free;
    d.logger.fn = fw_log;
    d.logger.max_level = (sioc_log_level)cfg.log_level;
    d.own_io = 1;
    d.topic_name = cfg.topic;
    d.prefix = cfg.prefix;
    /* Sized for a small device: a few sockets and peers, messages up to 8 KiB. */
    d.node.heartbeat_interval_ms = cfg.heartbeat_ms;
    d.node.heartbeat_timeout_ms = cfg.heartbeat_timeout_ms;
    d.node.max_namespaces = 2;
    d.node.max_sockets = 4;
    d.node.max_peers = 8;
    d.node.max_requests = 4;
    d.node.max_acks = 4;
    d.node.max_attachments = 8;
    d.node.max_ack_tokens = 64;
    d.node.ack_scratch_size = 1024;
    d.node.max_message_size = 8192;
    d.node.out_queue_size = 16384;
    d.node.event_queue_size = 16384;
    d.http.max_endpoints = 2;      /* SNS and SQS */
    d.http.conns_per_endpoint = 3; /* the long poll, publishes, deletes (the least the member takes) */
    d.http.max_requests = 8;
    d.http.request_head_size = 2048;
    d.http.response_head_size = 2048;
    d.http.max_headers = 24;
    d.aws.region = cfg.region;
    d.aws.credentials.access_key_id = sioc_str_c(cfg.access_key);
    d.aws.credentials.secret_access_key = sioc_str_c(cfg.secret_key);
    d.aws.sns_endpoint = cfg.endpoint;
    d.aws.sqs_endpoint = cfg.endpoint;
    d.aws.wait_time_s = (int)cfg.wait_s;
    d.aws.max_messages = 4;
    d.aws.receive_buffer_size = 32768;
    d.reply_buffer_size = 4096;     /* start-up, publish and delete replies: a few hundred bytes from SNS/SQS */
    d.recent_ids = 512;             /* message ids remembered against redelivery (the SMALL preset's) */
    d.aws.no_orphan_cleanup = 1; /* servers clean up orphaned queues: built with SIOC_ENABLE_JANITOR 0 */
    r = sioc_cluster_init(&member, &d);
    if (r != SIOC_OK) return r;
    node = sioc_cluster_node(&member);
    http = sioc_cluster_http(&member);
    return SIOC_OK;
}

static int member_state(void) { return (int)sioc_cluster_get_state(&member); }

/* ---- the engine's connections over the link ----
   Each OPEN gets a fresh wire id (1..254, cycling), so frames still in flight for a closed connection can never
   be taken for a later one that reuses the engine's slot. */

#define MAX_CONNS 8
static uint8_t wire_of[MAX_CONNS]; /* engine conn -> wire id, 0: none */
static int8_t conn_of[256];         /* wire id -> engine conn, -1: none */
static uint8_t next_wire = 1;

static void net_init(void) {
    memset(conn_of, -1, sizeof conn_of);
    memset(wire_of, 0, sizeof wire_of);
}

static uint8_t wire_alloc(int conn) {
    while (conn_of[next_wire] >= 0 || next_wire == 0 || next_wire == LINK_NO_CONN) next_wire++;
    conn_of[next_wire] = (int8_t)conn;
    wire_of[conn] = next_wire;
    return next_wire++;
}

/* Serve the engine's OPEN / CLOSE requests and send what it has pending. */
static void net_pump(void) {
    sioc_http_io_event ev;
    int k, n = sioc_http_conn_count(http);
    while (sioc_http_next_io(http, &ev) == SIOC_OK) {
        if (ev.conn < 0 || ev.conn >= MAX_CONNS) continue;
        if (ev.type == SIOC_HTTP_IO_OPEN) {
            uint8_t p[2 + SIOC_HTTP_MAX_HOST];
            size_t hl = strlen(ev.host);
            uint8_t w = wire_alloc(ev.conn);
            p[0] = (uint8_t)(ev.port & 0xFF);
            p[1] = (uint8_t)(ev.port >> 8);
            memcpy(p + 2, ev.host, hl);
            link_send(LINK_OPEN, w, p, 2 + hl);
        } else if (wire_of[ev.conn]) {
            uint8_t w = wire_of[ev.conn];
            link_send(LINK_CLOSE, w, NULL, 0);
            conn_of[w] = -1;
            wire_of[ev.conn] = 0;
        }
    }
    for (k = 0; k < n && k < MAX_CONNS; k++) {
        const uint8_t *p;
        size_t len;
        if (!wire_of[k]) continue;
        for (;;) {
            sioc_http_conn_pending(http, k, &p, &len);
            if (!len) break;
            if (len > LINK_MAX) len = LINK_MAX;
            link_send(LINK_DATA, wire_of[k], p, len);
            sioc_http_conn_sent(http, k, len);
        }
    }
}

static void net_frame(const link_frame *f, uint64_t now) {
    int k = conn_of[f->conn];
    if (k < 0) return; /* a connection already closed here: late bytes are dropped */
    if (f->type == LINK_OPENED) {
        sioc_http_conn_opened(http, k, now);
    } else if (f->type == LINK_DATA) {
        (void)sioc_http_conn_feed(http, k, f->data, f->len, now, NULL);
    } else if (f->type == LINK_CLOSE) {
        uint8_t why = f->len ? f->data[0] : LINK_CLOSE_EOF;
        if (why == LINK_CLOSE_EOF) sioc_http_conn_eof(http, k, now);
        else sioc_http_conn_failed(http, k, why == LINK_CLOSE_CONNECT ? SIOC_ERR_CONNECT : SIOC_ERR_CLOSED, now);
    }
}

/* ---- the application: node events and host commands ---- */

static uint64_t t_boot, t_start, t_ready;
static int leaving;

/* FNV-1a, 32 bits: lets the host check a frame longer than one LOG line. */
static uint32_t fnv1a(const char *p, size_t n) {
    uint32_t h = 2166136261u;
    while (n--) h = (h ^ (uint8_t)*p++) * 16777619u;
    return h;
}

static void report_delivery(const sioc_node_event *ev) {
    size_t i, a;
    line l;
    for (i = 0; i < ev->n_targets; i++) {
        sioc_node_target t = sioc_node_event_target(ev, i);
        uint32_t h = fnv1a(ev->text.ptr, ev->text.len);
        uint8_t hb[4];
        hb[0] = (uint8_t)(h >> 24), hb[1] = (uint8_t)(h >> 16), hb[2] = (uint8_t)(h >> 8), hb[3] = (uint8_t)h;
        ln_reset(&l);
        ln_puts(&l, "deliver ");
        ln_put(&l, t.id.ptr, t.id.len);
        ln_puts(&l, " len=");
        ln_u64(&l, ev->text.len);
        ln_puts(&l, " fnv=");
        ln_hex(&l, hb, 4);
        ln_puts(&l, " bin=");
        for (a = 0; a < ev->n_attachments; a++) {
            sioc_bytes b = sioc_node_event_attachment(ev, a);
            if (a) ln_puts(&l, ",");
            ln_hex(&l, b.ptr, b.len);
        }
        ln_puts(&l, " ");
        ln_put(&l, ev->text.ptr, ev->text.len);
        ln_send(&l);
    }
}

static void report_heap(const char *what) {
    line l;
    size_t i;
    ln_reset(&l);
    ln_puts(&l, what);
    ln_puts(&l, " heap_in_use=");
    ln_u64(&l, heap_in_use);
    ln_puts(&l, " heap_peak=");
    ln_u64(&l, heap_peak);
    ln_puts(&l, " arena=");
    ln_u64(&l, sizeof arena);
    ln_puts(&l, " blocks=");
    for (i = 0; i < n_blocks; i++) {
        if (i) ln_puts(&l, ",");
        ln_u64(&l, blocks[i]);
    }
    ln_puts(&l, " stack_used=");
    ln_u64(&l, board_stack_used());
    ln_puts(&l, " stack_size=");
    ln_u64(&l, board_stack_size());
    ln_send(&l);
}

static void drain_events(void) {
    sioc_node_event ev;
    line l;
    while (sioc_node_next_event(node, &ev) == SIOC_OK) {
        switch (ev.type) {
        case SIOC_NODE_EV_READY:
            t_ready = board_ms();
            ln_reset(&l);
            ln_puts(&l, "ready uid=");
            ln_puts(&l, sioc_cluster_uid(&member));
            ln_puts(&l, " queue=");
            ln_puts(&l, sioc_cluster_queue_name(&member));
            ln_puts(&l, " join_ms=");
            ln_u64(&l, t_ready - t_start);
            ln_puts(&l, " boot_ms=");
            ln_u64(&l, t_ready - t_boot);
            ln_send(&l);
            report_heap("memory");
            break;
        case SIOC_NODE_EV_DELIVER:
            report_delivery(&ev);
            break;
        case SIOC_NODE_EV_PEER_UP:
        case SIOC_NODE_EV_PEER_DOWN:
            ln_reset(&l);
            ln_puts(&l, ev.type == SIOC_NODE_EV_PEER_UP ? "peer_up " : "peer_down ");
            ln_put(&l, ev.nsp.ptr, ev.nsp.len);
            ln_puts(&l, " ");
            ln_put(&l, ev.uid.ptr, ev.uid.len);
            ln_send(&l);
            break;
        case SIOC_NODE_EV_ERROR:
            ln_reset(&l);
            ln_puts(&l, "node_error ");
            ln_puts(&l, ev.field ? ev.field : "?");
            ln_send(&l);
            break;
        default:
            break;
        }
    }
}

/* Split off the next space-separated word of *s. */
static sioc_str next_word(const char **s) {
    const char *p = *s, *b;
    while (*p == ' ') p++;
    b = p;
    while (*p && *p != ' ') p++;
    *s = p;
    return sioc_str_n(b, (size_t)(p - b));
}

/* emit ROOM EVENT TEXT  ->  io.to(ROOM).emit(EVENT, TEXT) */
static void cmd_emit(const char *args, uint64_t now) {
    uint8_t mem[512];
    sioc_buf b;
    sioc_msgpack_writer w;
    sioc_node_opts opts;
    sioc_str room = next_word(&args), event = next_word(&args);
    sioc_result r;
    while (*args == ' ') args++;
    sioc_buf_init(&b, mem, sizeof mem);
    sioc_msgpack_writer_init(&w, &b);
    sioc_msgpack_write_array(&w, 2);
    sioc_msgpack_write_str(&w, event.ptr, event.len);
    sioc_msgpack_write_cstr(&w, args);
    memset(&opts, 0, sizeof opts);
    opts.rooms = &room;
    opts.n_rooms = room.len ? 1 : 0;
    r = sioc_msgpack_writer_finish(&w);
    if (r == SIOC_OK) r = sioc_node_broadcast(node, sioc_str_c("/"), &opts, sioc_bytes_n(mem, b.len), now);
    log_text(r == SIOC_OK ? "emitted" : "emit failed: ", r == SIOC_OK ? NULL : sioc_strerror(r));
}

static void command(const char *text, uint64_t now) {
    sioc_str verb = next_word(&text);
    if (sioc_str_eq(verb, sioc_str_c("emit"))) {
        cmd_emit(text, now);
    } else if (sioc_str_eq(verb, sioc_str_c("count"))) { /* serverCount as this member sees it */
        line l;
        ln_reset(&l);
        ln_puts(&l, "count ");
        ln_u64(&l, sioc_node_peer_count(node, sioc_str_c("/")) + 1);
        ln_send(&l);
    } else if (sioc_str_eq(verb, sioc_str_c("leave"))) {
        if (!leaving && sioc_cluster_close(&member, now) == SIOC_OK) leaving = 1;
        log_text(leaving ? "leaving" : "leave refused", NULL);
    } else if (sioc_str_eq(verb, sioc_str_c("stats"))) {
        report_heap("memory");
    } else {
        log_text("unknown command", NULL);
    }
}

static sioc_result add_socket(uint64_t now) {
    sioc_node_socket_desc sd;
    const char *p = cfg.rooms;
    sioc_str id = sioc_str_c(cfg.socket_id);
    sioc_result r;
    if (!id.len) return SIOC_OK;
    memset(&sd, 0, sizeof sd);
    r = sioc_node_socket_add(node, sioc_str_c("/"), id, &sd, now);
    while (r == SIOC_OK && *p) {
        const char *c = strchr(p, ',');
        size_t n = c ? (size_t)(c - p) : strlen(p);
        if (n) r = sioc_node_socket_join(node, sioc_str_c("/"), id, sioc_str_n(p, n));
        p += n + (c ? 1 : 0);
    }
    return r;
}

/* ---- faults ---- */

static void bye(uint8_t status) {
    link_send(LINK_BYE, LINK_NO_CONN, &status, 1);
    for (;;) __asm volatile("wfi");
}

static void fw_assert_failed(int line_no) {
    line l;
    ln_reset(&l);
    ln_puts(&l, "assert failed at sio_cluster.h line ");
    ln_u64(&l, (uint64_t)line_no);
    ln_send(&l);
    bye(3);
}

void fw_fault(const uint32_t *frame);
void fw_fault(const uint32_t *frame) {
    line l;
    ln_reset(&l);
    ln_puts(&l, "hard fault pc=");
    ln_u64(&l, frame[6]);
    ln_puts(&l, " lr=");
    ln_u64(&l, frame[5]);
    ln_send(&l);
    bye(4);
}

/* ---- the super-loop ---- */

int fw_main(void);
int fw_main(void) {
    static link_frame f; /* assembled across calls of link_recv */
    uint64_t now;
    int have_time = 0, have_seed = 0, started = 0;
    sioc_result r;

    board_init();
    net_init();
    t_boot = board_ms();
    rng_mix(&t_boot, sizeof t_boot);
    link_send_text(LINK_HELLO, FW_VERSION);

    /* Provisioning: the relay answers HELLO with SEED, TIME and CONFIG. */
    while (!(have_time && have_seed && cfg.have)) {
        if (!link_recv(&f)) {
            board_sleep();
            continue;
        }
        rng_mix(f.data, f.len); /* every frame's arrival time adds jitter */
        if (f.type == LINK_SEED) {
            have_seed = 1;
        } else if (f.type == LINK_TIME && f.len == 8) {
            int64_t ms = 0;
            int i;
            for (i = 7; i >= 0; i--) ms = ms * 256 + f.data[i];
            utc_base_ms = ms;
            utc_base_tick = board_ms();
            have_time = 1;
        } else if (f.type == LINK_CONFIG) {
            cfg_parse(f.data, f.len);
        }
    }
    if (!cfg.endpoint || !cfg.access_key || !cfg.secret_key) {
        log_text("config lacks endpoint, access_key or secret_key", NULL);
        bye(2);
    }

    r = member_init();
    if (r == SIOC_OK) r = add_socket(board_ms());
    if (r != SIOC_OK) {
        log_text("init failed: ", sioc_strerror(r));
        report_heap("memory");
        bye(2);
    }
    t_start = board_ms();
    if (sioc_cluster_start(&member, t_start) != SIOC_OK) bye(2);
    started = 1;

    for (;;) {
        uint64_t deadline;
        now = board_ms();
        while (link_recv(&f)) {
            if (f.type == LINK_CMD) command((const char *)f.data, now);
            else net_frame(&f, now);
        }
        sioc_http_tick(http, now);
        sioc_cluster_process(&member, now);
        drain_events();
        net_pump();
        if (member_state() == SIOC_CLUSTER_FAILED) {
            log_text("start-up failed: ", sioc_strerror(sioc_cluster_last_error(&member)));
            bye(1);
        }
        if (started && leaving && member_state() == SIOC_CLUSTER_CLOSED) break;
        deadline = sioc_cluster_next_deadline(&member, now);
        if (sioc_http_next_deadline(http) < deadline) deadline = sioc_http_next_deadline(http);
        if (deadline > now && !board_uart_pending() && !sioc_http_responses_ready(http)) board_sleep();
    }

    {
        line l;
        const link_stats *ls = link_get_stats();
        report_heap("memory");
        ln_reset(&l);
        ln_puts(&l, "closed link_frames_in=");
        ln_u64(&l, ls->frames_in);
        ln_puts(&l, " link_frames_out=");
        ln_u64(&l, ls->frames_out);
        ln_puts(&l, " link_bytes_in=");
        ln_u64(&l, ls->bytes_in);
        ln_puts(&l, " link_bytes_out=");
        ln_u64(&l, ls->bytes_out);
        ln_puts(&l, " bad_frames=");
        ln_u64(&l, ls->bad_frames);
        ln_puts(&l, " uart_ring_hwm=");
        ln_u64(&l, board_uart_ring_hwm());
        ln_send(&l);
    }
    sioc_cluster_free(&member);
    report_heap("freed");
    bye(0);
    return 0;
}
