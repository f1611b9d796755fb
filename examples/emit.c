/* emit.c - push one event to the sockets of a Socket.IO cluster from C, the way emitter-only publishers do: a
   member with uid "emitter" and no queue, publishing on the cluster's topic (AWS SNS or Azure Service Bus).

       AWS_ACCESS_KEY_ID=... AWS_SECRET_ACCESS_KEY=... AWS_REGION=eu-west-1 ./emit ROOM EVENT TEXT
       SERVICEBUS_CONNECTION_STRING='Endpoint=sb://...' ./emit ROOM EVENT TEXT
           (plain HTTP emulators: AWS_ENDPOINT_URL=http://127.0.0.1:PORT, or SERVICEBUS_REST_URL)

   Every Node server of the cluster delivers io.to(ROOM).emit(EVENT, TEXT) to its clients. The program waits until
   the broker accepted the message (publish sequences), then leaves. Build:
       cc -std=c99 -O2 -I.. emit.c -o emit -lm          (add -DSIOC_TLS=SIOC_TLS_MBEDTLS ... for https endpoints) */
#define _POSIX_C_SOURCE 200809L
#define SIOC_ENABLE_POSIX 1
#define SIO_CLUSTER_IMPLEMENTATION
#include "sio_cluster.h"
#include <stdio.h>
#include <string.h>

static sioc_cluster member;
static uint64_t seq; /* the broadcast's sequence */

/* Run the loop until done() says so, start-up fails, or the deadline passes; 0 on success. */
static int run_until(int (*done)(void), uint64_t deadline_ms) {
    while (!done()) {
        if (sioc_posix_now_ms() > deadline_ms || sioc_cluster_get_state(&member) == SIOC_CLUSTER_FAILED) return 1;
        (void)sioc_cluster_run_posix(&member, 200);
    }
    return 0;
}
static int running(void) { return sioc_cluster_get_state(&member) == SIOC_CLUSTER_RUNNING; }
static int published(void) { return sioc_cluster_published_seq(&member) >= seq; }
static int closed(void) { return sioc_cluster_get_state(&member) == SIOC_CLUSTER_CLOSED; }

int main(int argc, char **argv) {
    sioc_cluster_desc d;
    uint8_t mem[4096];
    sioc_buf pkt;
    sioc_msgpack_writer w;
    sioc_str room;
    sioc_node_opts opts;
    sioc_result r;
    if (argc != 4) {
        fprintf(stderr, "usage: %s ROOM EVENT TEXT\n", argv[0]);
        return 2;
    }
    memset(&d, 0, sizeof d); /* cloud, keys and endpoints come from the environment */
    d.node.emitter_only = 1;
    r = sioc_cluster_init(&member, &d);
    if (r != SIOC_OK || sioc_cluster_start(&member, sioc_posix_now_ms()) != SIOC_OK) {
        fprintf(stderr, "emit: %s%s\n", sioc_strerror(r),
                r == SIOC_ERR_NOT_FOUND ? ": set AWS_ACCESS_KEY_ID and AWS_SECRET_ACCESS_KEY, or "
                                          "SERVICEBUS_CONNECTION_STRING" : "");
        return 1;
    }
    if (run_until(running, sioc_posix_now_ms() + 15000)) { /* emitter-only: the topic, then ready */
        fprintf(stderr, "emit: could not reach the topic: %s\n", sioc_strerror(sioc_cluster_last_error(&member)));
        return 1;
    }

    /* The packet is the msgpack array [event, args...]; the node applies io.to(room) and publishes it. */
    sioc_buf_init(&pkt, mem, sizeof mem);
    sioc_msgpack_writer_init(&w, &pkt);
    sioc_msgpack_write_array(&w, 2);
    sioc_msgpack_write_cstr(&w, argv[2]);
    sioc_msgpack_write_cstr(&w, argv[3]);
    room = sioc_str_c(argv[1]);
    memset(&opts, 0, sizeof opts);
    opts.rooms = &room;
    opts.n_rooms = 1;
    if (sioc_msgpack_writer_finish(&w) != SIOC_OK ||
        sioc_node_broadcast(sioc_cluster_node(&member), sioc_str_c("/"), &opts, sioc_bytes_n(mem, pkt.len),
                            sioc_posix_now_ms()) != SIOC_OK) {
        fprintf(stderr, "emit: cannot build the broadcast\n");
        return 1;
    }
    seq = sioc_cluster_queued_seq(&member);
    if (run_until(published, sioc_posix_now_ms() + 15000) || sioc_cluster_get_stats(&member)->publish_failed) {
        fprintf(stderr, "emit: publish failed: %s\n", sioc_strerror(sioc_cluster_last_error(&member)));
        return 1;
    }
    printf("emitted \"%s\" to room \"%s\"\n", argv[2], argv[1]);

    (void)sioc_cluster_close(&member, sioc_posix_now_ms());
    (void)run_until(closed, sioc_posix_now_ms() + 5000);
    sioc_cluster_free(&member);
    return 0;
}
