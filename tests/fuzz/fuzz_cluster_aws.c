/* The cluster member's receive path over AWS (src/member.h, member_aws.c): the input is the body of a
   ReceiveMessage reply (hostile JSON, attributes, base64, cluster messages), delivered through the member's HTTP
   engine (own_io) by the fake endpoint of tests/aws_fake.h to a freshly started member. Nothing may crash, every
   call must come back, and close must still end in CLOSED.
   Speed: start-up (init, six signed requests through the fake) runs once; the started member (its struct and
   every block it allocated) and the fake's connection state are saved then and put back before each input, so
   every input meets the same freshly started member without paying for its start-up. The member has the SMALL
   preset's capacities (half a megabyte to put back instead of two). Run with -max_len=16384 (fuzz_cluster_aws.flags). */
#define SIO_CLUSTER_IMPLEMENTATION
#include "sio_cluster.h"
#include "tests/aws_fake.h"

static sioc_result fz_rand(void *user, void *buf, size_t len) {
    (void)user;
    memset(buf, 0x5a, len);
    return SIOC_OK;
}
static int64_t fz_utc(void *user) {
    (void)user;
    return 1796000000;
}

static void fz_run(sioc_cluster *c, int steps) {
    int i;
    sioc_node_event ev;
    for (i = 0; i < steps; i++) {
        sioc_cluster_process(c, f_now);
        f_pump();
        sioc_http_tick(f_http, f_now);
        while (sioc_node_next_event(sioc_cluster_node(c), &ev) == SIOC_OK) {
        }
        f_now++;
    }
}

/* Blocks the member took (all at init: nothing is allocated afterwards), with their saved contents. */
typedef struct fz_block {
    void *p, *saved;
    size_t n;
} fz_block;
static fz_block fz_blocks[8];
static size_t fz_n_blocks;
static void *fz_alloc(size_t n, void *user) {
    void *p = malloc(n);
    (void)user;
    if (!p || fz_n_blocks == 8) abort();
    fz_blocks[fz_n_blocks].p = p;
    fz_blocks[fz_n_blocks++].n = n;
    return p;
}
static void fz_free(void *p, size_t n, void *user) {
    (void)p, (void)n, (void)user;
    abort(); /* the started member is never freed: it is put back */
}

static sioc_cluster fz_c, fz_saved;
typedef struct fz_conn_saved {
    int open, held;
    size_t len;
} fz_conn_saved;
static fz_conn_saved fz_conns[F_CONNS];
static uint64_t fz_now0;
static char fz_queue_url0[sizeof f_queue_url];
static int fz_queue_n0;

static void fz_setup(void) {
    sioc_cluster_desc d;
    sioc_node_socket_desc sd;
    size_t i;
    memset(f_conn, 0, sizeof f_conn);
    f_now = 1000;
    memset(&d, 0, sizeof d);
    d.transport = SIOC_CLUSTER_AWS;
    sioc_cluster_desc_preset(&d, SIOC_CLUSTER_PRESET_SMALL);
    d.aws.region = "us-east-1";
    d.aws.credentials.access_key_id = sioc_str_c("AKIAIOSFODNN7EXAMPLE");
    d.aws.credentials.secret_access_key = sioc_str_c("wJalrXUtnFEMI/K7MDENG/bPxRfiCYEXAMPLEKEY");
    d.aws.sns_endpoint = d.aws.sqs_endpoint = "http://127.0.0.1:4566";
    d.aws.receive_buffer_size = 65536;
    d.random = fz_rand;
    d.utc_now = fz_utc;
    d.allocator.alloc = fz_alloc;
    d.allocator.free = fz_free;
    d.own_io = 1;
    d.node.max_sockets = 8;
    if (sioc_cluster_init(&fz_c, &d) != SIOC_OK) abort();
    f_http = sioc_cluster_http(&fz_c);
    memset(&sd, 0, sizeof sd);
    (void)sioc_node_socket_add(sioc_cluster_node(&fz_c), sioc_str_c("/"), sioc_str_c("s1"), &sd, f_now);
    if (sioc_cluster_start(&fz_c, f_now) != SIOC_OK) abort();
    fz_run(&fz_c, 40);
    if (!sioc_cluster_node(&fz_c)->ready) abort();
    /* save: the member, its blocks, the fake's connections (no request half-read: nothing to keep of `in`) */
    fz_saved = fz_c;
    for (i = 0; i < fz_n_blocks; i++) {
        fz_blocks[i].saved = malloc(fz_blocks[i].n);
        if (!fz_blocks[i].saved) abort();
        memcpy(fz_blocks[i].saved, fz_blocks[i].p, fz_blocks[i].n);
    }
    for (i = 0; i < F_CONNS; i++) {
        if (f_conn[i].len) abort();
        fz_conns[i].open = f_conn[i].open;
        fz_conns[i].held = f_conn[i].held;
        fz_conns[i].len = f_conn[i].len;
    }
    fz_now0 = f_now;
    memcpy(fz_queue_url0, f_queue_url, sizeof f_queue_url);
    fz_queue_n0 = f_queue_n;
}

static void fz_restore(void) {
    size_t i;
    fz_c = fz_saved;
    for (i = 0; i < fz_n_blocks; i++) memcpy(fz_blocks[i].p, fz_blocks[i].saved, fz_blocks[i].n);
    for (i = 0; i < F_CONNS; i++) {
        f_conn[i].open = fz_conns[i].open;
        f_conn[i].held = fz_conns[i].held;
        f_conn[i].len = 0;
    }
    f_now = fz_now0;
    memcpy(f_queue_url, fz_queue_url0, sizeof f_queue_url);
    f_queue_n = fz_queue_n0;
    f_n_log = 0;
    f_n_batches = 0;
    f_n_deleted = 0;
    f_fail_n = 0;
}

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);
int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size) {
    static int ready;
    int conn;
    if (size > 60000) return 0;
    if (!ready) {
        fz_setup();
        ready = 1;
    }
    fz_restore();
    for (conn = 0; conn < F_CONNS; conn++)
        if (f_conn[conn].open && f_conn[conn].held) {
            f_conn[conn].held = 0;
            f_reply_raw(conn, data, size);
            break;
        }
    fz_run(&fz_c, 10);
    if (sioc_cluster_get_state(&fz_c) != SIOC_CLUSTER_RUNNING) abort();
    (void)sioc_cluster_close(&fz_c, f_now);
    fz_run(&fz_c, 20);
    if (sioc_cluster_get_state(&fz_c) != SIOC_CLUSTER_CLOSED) abort();
    return 0;
}
