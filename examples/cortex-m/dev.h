/* dev.h - what both firmware programs need of the device (fw.c: the member; fw_emit.c: the tiny emitter): text
   lines to the host, the heap arena behind the allocator hook, the random generator, the wall clock, the library's
   log lines, the configuration, the engine's connections over the link, provisioning and fault reports. All static:
   include it after sio_cluster.h in the program's one file (the program defines FW_HEAP_SIZE first; each program
   is one translation unit with SIO_CLUSTER_STATIC). */
#ifndef FW_DEV_H
#define FW_DEV_H
#include "board.h"
#include "link.h"

static void bye(uint8_t status);

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

/* ---- host commands ---- */

/* Split off the next space-separated word of *s. */
static sioc_str next_word(const char **s) {
    const char *p = *s, *b;
    while (*p == ' ') p++;
    b = p;
    while (*p && *p != ' ') p++;
    *s = p;
    return sioc_str_n(b, (size_t)(p - b));
}

/* The arguments of "emit ROOM EVENT TEXT": the room, and the packet [EVENT, TEXT] in msgpack written into b. */
static sioc_result dev_emit_args(const char *args, sioc_str *room, sioc_buf *b) {
    sioc_msgpack_writer w;
    sioc_str event;
    *room = next_word(&args);
    event = next_word(&args);
    while (*args == ' ') args++;
    sioc_msgpack_writer_init(&w, b);
    sioc_msgpack_write_array(&w, 2);
    sioc_msgpack_write_str(&w, event.ptr, event.len);
    sioc_msgpack_write_cstr(&w, args);
    return sioc_msgpack_writer_finish(&w);
}

/* ---- the engine's connections over the link ----
   Each OPEN gets a fresh wire id (1..254, cycling), so frames still in flight for a closed connection can never
   be taken for a later one that reuses the engine's slot. */

#define MAX_CONNS 8
static sioc_http_client *http; /* the engine whose connections ride the link (the program sets it) */
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

/* ---- provisioning: HELLO, then the relay's SEED, TIME and CONFIG (f: the program's frame buffer) ---- */

static void dev_provision(const char *version, link_frame *f) {
    int have_time = 0, have_seed = 0;
    link_send_text(LINK_HELLO, version);
    while (!(have_time && have_seed && cfg.have)) {
        if (!link_recv(f)) {
            board_sleep();
            continue;
        }
        rng_mix(f->data, f->len); /* every frame's arrival time adds jitter */
        if (f->type == LINK_SEED) {
            have_seed = 1;
        } else if (f->type == LINK_TIME && f->len == 8) {
            int64_t ms = 0;
            int i;
            for (i = 7; i >= 0; i--) ms = ms * 256 + f->data[i];
            utc_base_ms = ms;
            utc_base_tick = board_ms();
            have_time = 1;
        } else if (f->type == LINK_CONFIG) {
            cfg_parse(f->data, f->len);
        }
    }
    if (!cfg.endpoint || !cfg.access_key || !cfg.secret_key) {
        log_text("config lacks endpoint, access_key or secret_key", NULL);
        bye(2);
    }
}

/* The link's counters, at the end of a run. */
static void dev_report_link(void) {
    line l;
    const link_stats *ls = link_get_stats();
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

#endif
