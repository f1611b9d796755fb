/* emit.c - push one event to the sockets of a Socket.IO cluster from C, the way @socket.io/aws-sqs-emitter-style
   publishers do: an emitter-only node (uid "emitter", no queue) on the cluster's SNS topic.

       AWS_ACCESS_KEY_ID=... AWS_SECRET_ACCESS_KEY=... AWS_REGION=eu-west-1 \
           ./emit ROOM EVENT TEXT           (plain HTTP endpoints such as an emulator: set AWS_ENDPOINT_URL)

   Every Node server of the cluster delivers io.to(ROOM).emit(EVENT, TEXT) to its clients. The program shows the
   whole loop: client, node, AWS binding, POSIX backend, then a graceful stop. Build:
       cc -std=c99 -O2 -I.. emit.c -o emit -lm          (add -DSIOC_TLS=SIOC_TLS_MBEDTLS ... for https endpoints) */
#define _POSIX_C_SOURCE 200809L
#define SIOC_ENABLE_POSIX 1
#define SIO_CLUSTER_IMPLEMENTATION
#include "sio_cluster.h"
#include <stdio.h>
#include <string.h>

static sioc_aws_client client;
static sioc_posix px;
static sioc_node node;
static sioc_cluster_aws binding;

/* Run the loop until done() says so or the deadline passes; 0 on success. */
static int run_until(int (*done)(void), uint64_t deadline_ms) {
    while (!done()) {
        if (sioc_posix_now_ms() > deadline_ms || binding.state == SIOC_CLUSTER_AWS_FAILED) return 1;
        (void)sioc_cluster_aws_run_posix(&binding, &px, 200);
    }
    return 0;
}
static int running(void) { return binding.state == SIOC_CLUSTER_AWS_RUNNING; }
static int published(void) { return sioc_cluster_aws_idle(&binding); }
static int closed(void) { return binding.state == SIOC_CLUSTER_AWS_CLOSED; }

int main(int argc, char **argv) {
    sioc_aws_desc ad;
    sioc_node_desc nd;
    sioc_cluster_aws_desc cd;
    uint8_t mem[4096];
    sioc_buf pkt;
    sioc_msgpack_writer w;
    sioc_str room;
    sioc_node_opts opts;
    if (argc != 4) {
        fprintf(stderr, "usage: %s ROOM EVENT TEXT\n", argv[0]);
        return 2;
    }
    memset(&ad, 0, sizeof ad);
    memset(&nd, 0, sizeof nd);
    memset(&cd, 0, sizeof cd);
    if (sioc_aws_desc_from_env(&ad) != SIOC_OK) { /* keys, region, endpoints from the AWS_* variables */
        fprintf(stderr, "emit: set AWS_ACCESS_KEY_ID, AWS_SECRET_ACCESS_KEY and AWS_REGION\n");
        return 1;
    }
    ad.utc_now = sioc_posix_utc_now;
    nd.emitter_only = 1;
    cd.random = sioc_posix_random;
    if (sioc_aws_client_init(&client, &ad) != SIOC_OK || sioc_posix_init(&px, &client.http, NULL, NULL) != SIOC_OK ||
        sioc_node_init(&node, &nd) != SIOC_OK || sioc_cluster_aws_init(&binding, &node, &client, &cd) != SIOC_OK ||
        sioc_cluster_aws_start(&binding, sioc_posix_now_ms()) != SIOC_OK) {
        fprintf(stderr, "emit: initialisation failed\n");
        return 1;
    }
    if (run_until(running, sioc_posix_now_ms() + 15000)) { /* emitter-only: CreateTopic, then ready */
        fprintf(stderr, "emit: could not reach the topic: %s\n", sioc_strerror(binding.last_error));
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
        sioc_node_broadcast(&node, sioc_str_c("/"), &opts, sioc_bytes_n(mem, pkt.len), sioc_posix_now_ms()) != SIOC_OK) {
        fprintf(stderr, "emit: cannot build the broadcast\n");
        return 1;
    }
    if (run_until(published, sioc_posix_now_ms() + 15000)) {
        fprintf(stderr, "emit: publish failed: %s\n", sioc_strerror(binding.last_error));
        return 1;
    }
    printf("emitted \"%s\" to room \"%s\"\n", argv[2], argv[1]);

    (void)sioc_cluster_aws_close(&binding, sioc_posix_now_ms());
    (void)run_until(closed, sioc_posix_now_ms() + 5000);
    sioc_cluster_aws_free(&binding);
    sioc_node_free(&node);
    sioc_posix_free(&px);
    sioc_aws_client_free(&client);
    return 0;
}
