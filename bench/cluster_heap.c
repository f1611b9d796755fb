/* Bench helper (bench/cluster_bench.js): the heap the C node takes by construction with siocat's settings, from the
   library's own sizing functions. Prints one JSON line: node (sioc_node_heap_size, default desc), cluster_aws
   (sioc_cluster_aws_heap_size, default desc) and http (the AWS client's engine block, 6 conns/endpoint, 16
   requests, as tools/siocat.c configures it). Build: gcc -std=c99 -O2 -I. bench/cluster_heap.c -o build/bench/cluster_heap -lm */
#define _POSIX_C_SOURCE 200809L
#define SIOC_ENABLE_POSIX 1
#define SIO_CLUSTER_IMPLEMENTATION
#include "sio_cluster.h"

#include <stdio.h>
#include <string.h>

static int64_t fixed_now(void *user) {
    (void)user;
    return 1700000000;
}

static sioc_result no_random(void *user, void *buf, size_t len) {
    (void)user;
    memset(buf, 7, len);
    return SIOC_OK;
}

int main(void) {
    sioc_node_desc nd;
    sioc_cluster_aws_desc cd;
    sioc_aws_desc ad;
    sioc_aws_client client;
    size_t http = 0;
    memset(&nd, 0, sizeof nd);
    memset(&cd, 0, sizeof cd);
    memset(&ad, 0, sizeof ad);
    nd.random = no_random; /* required by the descs; sizes do not depend on it */
    cd.random = no_random;
    ad.region = "us-east-1";
    ad.credentials.access_key_id = sioc_str_c("AKIAIOSFODNN7EXAMPLE");
    ad.credentials.secret_access_key = sioc_str_c("wJalrXUtnFEMI/K7MDENG/bPxRfiCYEXAMPLEKEY");
    ad.sns_endpoint = ad.sqs_endpoint = "http://127.0.0.1:4566";
    ad.utc_now = fixed_now;
    ad.http.conns_per_endpoint = 6;
    ad.http.max_requests = 16;
    if (sioc_aws_client_init(&client, &ad) == SIOC_OK) {
        http = client.http.p_mem_size;
        sioc_aws_client_free(&client);
    }
    printf("{\"node\":%lu,\"cluster_aws\":%lu,\"http\":%lu,\"sizeof_node\":%lu,\"sizeof_cluster_aws\":%lu}\n",
           (unsigned long)sioc_node_heap_size(&nd), (unsigned long)sioc_cluster_aws_heap_size(&cd),
           (unsigned long)http, (unsigned long)sizeof(sioc_node), (unsigned long)sizeof(sioc_cluster_aws));
    return 0;
}
