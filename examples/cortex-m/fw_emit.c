/* fw_emit.c - the tiny emitter (examples/emit_tiny.c) as bare-metal firmware on the same board as fw.c: a device
   that only publishes socket.io events to the rooms of an AWS cluster. The same link, relay, provisioning and
   device services (dev.h); instead of a member, emit_tiny.c's tiny_* functions over the library's AWS client.

   Host commands (CMD frames):
     emit ROOM EVENT TEXT   io.to(ROOM).emit(EVENT, TEXT); LOG "queued", then "published N retries=R" once SNS
                            took it ("emit refused: ..." while the previous one is still on its way)
     leave                  finish what is queued, report memory and the link, free everything, BYE 0 */
#include <stddef.h>
#include <stdint.h>
#include <string.h>

static void fw_assert_failed(int line);
#define SIOC_ASSERT(x) ((x) ? (void)0 : fw_assert_failed(__LINE__))
#define EMIT_TINY_NO_MAIN
#include "examples/emit_tiny.c" /* the implementation, SIO_CLUSTER_STATIC, publish-only, SNS only */

#ifndef FW_HEAP_SIZE
#define FW_HEAP_SIZE (16u * 1024u) /* the AWS client's engine takes about 7.5 KB */
#endif
#define FW_VERSION "sioc-fw-emit 1"
#include "dev.h"

static tiny_emitter em;
static uint64_t t_boot, t_start;
static unsigned long reported; /* publishes already reported */
static int ready, leaving;

static sioc_result emitter_init(void) {
    sioc_aws_desc d;
    memset(&d, 0, sizeof d);
    d.region = cfg.region;
    d.credentials.access_key_id = sioc_str_c(cfg.access_key);
    d.credentials.secret_access_key = sioc_str_c(cfg.secret_key);
    d.sns_endpoint = cfg.endpoint;
    d.utc_now = fw_utc_now;
    d.http.allocator.alloc = arena_alloc;
    d.http.allocator.free = arena_free;
    d.http.logger.fn = fw_log;
    d.http.logger.max_level = (sioc_log_level)cfg.log_level;
    d.http.random = fw_random; /* unused without TLS; a TLS build seeds its generator from it */
    if (tiny_init(&em, &d, cfg.topic ? cfg.topic : "socket-io") != SIOC_OK) {
        log_text("init failed: ", em.aws.detail);
        return SIOC_ERR_ARG;
    }
    http = &em.aws.http;
    return SIOC_OK;
}

/* emit ROOM EVENT TEXT  ->  io.to(ROOM).emit(EVENT, TEXT) */
static void cmd_emit(const char *args) {
    uint8_t mem[512];
    sioc_buf b;
    sioc_str room;
    sioc_result r;
    sioc_buf_init(&b, mem, sizeof mem);
    r = dev_emit_args(args, &room, &b);
    if (r == SIOC_OK) r = tiny_emit(&em, room, sioc_bytes_n(mem, b.len));
    log_text(r == SIOC_OK ? "queued" : "emit refused: ", r == SIOC_OK ? NULL : sioc_strerror(r));
}

static void command(const char *text) {
    sioc_str verb = next_word(&text);
    if (sioc_str_eq(verb, sioc_str_c("emit"))) {
        cmd_emit(text);
    } else if (sioc_str_eq(verb, sioc_str_c("leave"))) {
        leaving = 1;
        log_text("leaving", NULL);
    } else {
        log_text("unknown command", NULL);
    }
}

/* What changed since the last turn: the topic found, messages published. */
static void report_progress(void) {
    line l;
    if (!ready && em.topic_arn[0]) {
        ready = 1;
        ln_reset(&l);
        ln_puts(&l, "ready topic=");
        ln_puts(&l, em.topic_arn);
        ln_puts(&l, " join_ms=");
        ln_u64(&l, board_ms() - t_start);
        ln_puts(&l, " boot_ms=");
        ln_u64(&l, board_ms() - t_boot);
        ln_send(&l);
        report_heap("memory");
    }
    if (em.published != reported) {
        reported = em.published;
        ln_reset(&l);
        ln_puts(&l, "published ");
        ln_u64(&l, em.published);
        ln_puts(&l, " retries=");
        ln_u64(&l, em.retries);
        ln_puts(&l, " dropped=");
        ln_u64(&l, em.dropped);
        ln_send(&l);
    }
}

int fw_main(void);
int fw_main(void) {
    static link_frame f; /* assembled across calls of link_recv */
    board_init();
    net_init();
    t_boot = board_ms();
    rng_mix(&t_boot, sizeof t_boot);
    dev_provision(FW_VERSION, &f);
    if (emitter_init() != SIOC_OK) bye(2);
    t_start = board_ms();
    for (;;) {
        uint64_t now = board_ms();
        while (link_recv(&f)) {
            if (f.type == LINK_CMD) command((const char *)f.data);
            else net_frame(&f, now);
        }
        sioc_http_tick(http, now);
        tiny_step(&em, now);
        report_progress();
        net_pump();
        if (leaving && tiny_idle(&em) && !em.busy) break;
        if (tiny_deadline(&em, now) > now && !board_uart_pending() && !sioc_http_responses_ready(http)) board_sleep();
    }
    report_heap("memory");
    dev_report_link();
    sioc_aws_client_free(&em.aws);
    report_heap("freed");
    bye(0);
    return 0;
}
