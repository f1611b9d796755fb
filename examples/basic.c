/* basic.c - the manual's "Basic usage": a member with one local socket joins, broadcasts ["hello", "world"], prints
   what is delivered to its socket (its own broadcast and the cluster's) and leaves after 15 s (README). */
#define _POSIX_C_SOURCE 200809L
#define SIOC_ENABLE_POSIX 1
#define SIO_CLUSTER_IMPLEMENTATION
#include "sio_cluster.h"
#include <stdio.h>

int main(void) {
    static sioc_cluster c;
    sioc_cluster_desc d = {0}; /* every field has a default; the cloud is picked from the environment */
    sioc_str nsp = {"/", 1}, id = {"sock1", 5};
    sioc_bytes hello = {(const uint8_t *)"\x92\xa5hello\xa5world", 13}; /* msgpack ["hello", "world"] */
    sioc_node_event ev;
    uint64_t leave_at = sioc_posix_now_ms() + 15000;
    if (sioc_cluster_init(&c, &d) || sioc_node_socket_add(sioc_cluster_node(&c), nsp, id, NULL, 0) ||
        sioc_cluster_start(&c, sioc_posix_now_ms()))
        return 1;
    while (sioc_cluster_run_posix(&c, 1000) == SIOC_OK) {
        while (sioc_node_next_event(sioc_cluster_node(&c), &ev) == SIOC_OK) {
            if (ev.type == SIOC_NODE_EV_READY) /* in the cluster: io.emit("hello", "world") */
                (void)sioc_node_broadcast(sioc_cluster_node(&c), nsp, NULL, hello, sioc_posix_now_ms());
            if (ev.type == SIOC_NODE_EV_DELIVER) /* write "4" + text (+ binary frames) to the client */
                printf("sock1 <- 4%.*s\n", (int)ev.text.len, ev.text.ptr), fflush(stdout);
        }
        if (sioc_posix_now_ms() >= leave_at) (void)sioc_cluster_close(&c, sioc_posix_now_ms());
    }
    sioc_cluster_free(&c);
    return 0;
}
