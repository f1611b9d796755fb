/* size_prog.c - the smallest program a user would write over sioc_cluster, for `make size` (bench/size.py): join
   (or only publish), keep one socket, broadcast, drain events, leave. It moves the engine's bytes through the
   transport interface (sioc_http_drive) with stubs that stand for the device's network stack, so the linker keeps
   exactly what such a program needs. Never run: only linked and measured.

   SIZE_PROG = 1  AWS member           (-DSIOC_ENABLE_AZURE=0)
               2  Azure member         (-DSIOC_ENABLE_AWS=0)
               3  AWS emitter only     (-DSIOC_ENABLE_AZURE=0): the topic alone, no queue, no receive path
               4  AWS emitter over the layers: examples/emit_tiny.c's tiny_* functions (one file, SIO_CLUSTER_STATIC) */
#ifndef SIZE_PROG
#define SIZE_PROG 1
#endif

#if SIZE_PROG == 4
#define EMIT_TINY_NO_MAIN
#include "examples/emit_tiny.c"
#else
#define SIO_CLUSTER_IMPLEMENTATION
#include "sio_cluster.h"
#endif

/* The device's side: a network stack and a clock, opaque to the compiler. */
static volatile uint32_t hw_reg;
static uint8_t heap[64];

static sioc_result net_connect(void *user, int conn, const char *host, uint16_t port) {
    (void)user;
    hw_reg = (uint32_t)conn + port + (uint32_t)host[0];
    return hw_reg ? SIOC_OK : SIOC_AGAIN;
}
static long net_send(void *user, int conn, const uint8_t *data, size_t len) {
    (void)user, (void)conn;
    hw_reg = data[0];
    return (long)len;
}
static long net_recv(void *user, int conn, uint8_t *buf, size_t cap) {
    (void)user, (void)conn;
    if (cap) buf[0] = (uint8_t)hw_reg;
    return hw_reg ? 1 : 0;
}
static void net_close(void *user, int conn) {
    (void)user;
    hw_reg = (uint32_t)conn;
}
static sioc_result dev_random(void *user, void *buf, size_t len) {
    (void)user;
    while (len--) ((uint8_t *)buf)[len] = (uint8_t)hw_reg;
    return SIOC_OK;
}
static int64_t dev_utc(void *user) {
    (void)user;
    return (int64_t)hw_reg;
}
static uint64_t dev_ms(void) { return hw_reg; }
static void *dev_alloc(size_t n, void *user) {
    (void)user;
    return n <= sizeof heap ? heap : (void *)(uintptr_t)hw_reg;
}
static void dev_free(void *p, size_t n, void *user) {
    (void)user;
    hw_reg = (uint32_t)(uintptr_t)p + (uint32_t)n;
}
static void deliver(sioc_str sid, sioc_str text) { hw_reg = (uint32_t)(sid.len + text.len) + (uint8_t)text.ptr[0]; }

int main(void);
#if SIZE_PROG == 4
int main(void) {
    static tiny_emitter t;
    static const uint8_t packet[] = {0x92, 0xa2, 'h', 'i', 0xa2, 'o', 'k'}; /* ["hi", "ok"] */
    sioc_aws_desc d;
    sioc_http_transport tr;
    memset(&d, 0, sizeof d);
    d.region = "eu-west-1";
    d.credentials.access_key_id = sioc_str_c("AKIDEXAMPLE");
    d.credentials.secret_access_key = sioc_str_c("secret");
    d.sns_endpoint = "http://10.0.0.1:4566";
    d.utc_now = dev_utc;
    d.http.allocator.alloc = dev_alloc;
    d.http.allocator.free = dev_free;
    tr.connect = net_connect;
    tr.send = net_send;
    tr.recv = net_recv;
    tr.close = net_close;
    tr.user = NULL;
    (void)dev_random;
    (void)deliver;
    if (tiny_init(&t, &d, "socket-io") != SIOC_OK) return 1;
    for (;;) {
        uint64_t now = dev_ms();
        (void)sioc_http_drive(&t.aws.http, &tr, now);
        tiny_step(&t, now);
        if (hw_reg == 1 && tiny_idle(&t)) (void)tiny_emit(&t, sioc_str_c("lobby"), sioc_bytes_n(packet, sizeof packet));
        if (hw_reg == 2) break;
        hw_reg = (uint32_t)tiny_deadline(&t, now);
    }
    sioc_aws_client_free(&t.aws);
    return 0;
}
#else
int main(void) {
    static sioc_cluster c;
    sioc_cluster_desc d;
    sioc_http_transport t;
    sioc_node *node;
    sioc_node_event ev;
    static const uint8_t packet[] = {0x92, 0xa2, 'h', 'i', 0xa2, 'o', 'k'}; /* ["hi", "ok"] */
    sioc_str room = {"lobby", 5};
    sioc_node_opts opts;
    memset(&d, 0, sizeof d);
    d.random = dev_random;
    d.utc_now = dev_utc;
    d.allocator.alloc = dev_alloc;
    d.allocator.free = dev_free;
    d.own_io = 1;
#if SIZE_PROG == 2
    d.transport = SIOC_CLUSTER_AZURE;
    d.azure.connection_string = "Endpoint=sb://example.servicebus.windows.net/;SharedAccessKeyName=k;SharedAccessKey=s";
#else
    d.transport = SIOC_CLUSTER_AWS;
    d.aws.region = "eu-west-1";
    d.aws.credentials.access_key_id = sioc_str_c("AKIDEXAMPLE");
    d.aws.credentials.secret_access_key = sioc_str_c("secret");
    d.aws.sns_endpoint = "http://10.0.0.1:4566";
    d.aws.sqs_endpoint = "http://10.0.0.1:4566";
#endif
#if SIZE_PROG == 3
    d.node.emitter_only = 1;
#endif
    t.connect = net_connect;
    t.send = net_send;
    t.recv = net_recv;
    t.close = net_close;
    t.user = NULL;
    if (sioc_cluster_init(&c, &d) != SIOC_OK) return 1;
    node = sioc_cluster_node(&c);
#if SIZE_PROG != 3
    {
        sioc_node_socket_desc sd;
        memset(&sd, 0, sizeof sd);
        if (sioc_node_socket_add(node, sioc_str_c("/"), sioc_str_c("dev1"), &sd, dev_ms()) != SIOC_OK ||
            sioc_node_socket_join(node, sioc_str_c("/"), sioc_str_c("dev1"), room) != SIOC_OK)
            return 1;
    }
#endif
    if (sioc_cluster_start(&c, dev_ms()) != SIOC_OK) return 1;
    memset(&opts, 0, sizeof opts);
    opts.rooms = &room;
    opts.n_rooms = 1;
    while (sioc_cluster_get_state(&c) != SIOC_CLUSTER_CLOSED && sioc_cluster_get_state(&c) != SIOC_CLUSTER_FAILED) {
        uint64_t now = dev_ms();
        (void)sioc_http_drive(sioc_cluster_http(&c), &t, now);
        sioc_cluster_process(&c, now);
        while (sioc_node_next_event(node, &ev) == SIOC_OK) {
            size_t i;
            if (ev.type == SIOC_NODE_EV_DELIVER)
                for (i = 0; i < ev.n_targets; i++) deliver(sioc_node_event_target(&ev, i).id, ev.text);
        }
        if (hw_reg == 1) (void)sioc_node_broadcast(node, sioc_str_c("/"), &opts, sioc_bytes_n(packet, sizeof packet), now);
        if (hw_reg == 2) (void)sioc_cluster_close(&c, now);
        hw_reg = (uint32_t)sioc_cluster_next_deadline(&c, now);
    }
    sioc_cluster_free(&c);
    return 0;
}
#endif
