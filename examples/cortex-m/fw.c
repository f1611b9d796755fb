/* fw.c - a Socket.IO cluster member as bare-metal firmware on the MPS2 AN385 board (Cortex-M3, QEMU
   -M mps2-an385). No operating system, no libc malloc, no sockets: a super-loop drives the library, UART0 carries
   every HTTP connection of the library to a host relay (link.h, README.md), SysTick is the millisecond clock, the
   relay tells the wall-clock time (SigV4 signs with it) and seeds the random generator.

   The application is small on purpose: one virtual socket (its id and rooms come in the CONFIG frame) whose
   deliveries are printed as LOG lines, and a few commands from the host (CMD frames): emit, count, leave. The
   device's services (heap arena, randomness, clock, the link's connections) are in dev.h. */
#include <stddef.h>
#include <stdint.h>
#include <string.h>

static void fw_assert_failed(int line);
#define SIOC_ASSERT(x) ((x) ? (void)0 : fw_assert_failed(__LINE__))
#define SIO_CLUSTER_STATIC /* every call into the library sits in this file: gcc may inline and drop across it */
#define SIO_CLUSTER_IMPLEMENTATION
#include "sio_cluster.h"

#ifndef FW_HEAP_SIZE
#define FW_HEAP_SIZE (320u * 1024u) /* the member below takes about 260 KB (README.md) */
#endif
#define FW_VERSION "sioc-fw 1"
#include "dev.h"

/* Hex of p[0..n) (the hash and binary attachments of a delivery). */
static void ln_hex(line *l, const uint8_t *p, size_t n) {
    static const char hex[] = "0123456789abcdef";
    while (n--) {
        char t[2];
        t[0] = hex[*p >> 4];
        t[1] = hex[*p++ & 15];
        ln_put(l, t, 2);
    }
}

/* ---- the member ---- */

static sioc_cluster member;
static sioc_node *node; /* its node: sockets, operations, events; its engine is dev.h's `http` (own_io) */

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

/* emit ROOM EVENT TEXT  ->  io.to(ROOM).emit(EVENT, TEXT) */
static void cmd_emit(const char *args, uint64_t now) {
    uint8_t mem[512];
    sioc_buf b;
    sioc_node_opts opts;
    sioc_str room;
    sioc_result r;
    sioc_buf_init(&b, mem, sizeof mem);
    r = dev_emit_args(args, &room, &b);
    memset(&opts, 0, sizeof opts);
    opts.rooms = &room;
    opts.n_rooms = room.len ? 1 : 0;
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

/* ---- the super-loop ---- */

int fw_main(void);
int fw_main(void) {
    static link_frame f; /* assembled across calls of link_recv */
    uint64_t now;
    int started = 0;
    sioc_result r;

    board_init();
    net_init();
    t_boot = board_ms();
    rng_mix(&t_boot, sizeof t_boot);
    dev_provision(FW_VERSION, &f);

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

    report_heap("memory");
    dev_report_link();
    sioc_cluster_free(&member);
    report_heap("freed");
    bye(0);
    return 0;
}
