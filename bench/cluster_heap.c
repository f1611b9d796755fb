/* Bench helper (bench/cluster_bench.js): the heap a cluster member (src/member.h) takes by construction, per
   transport, with the member's defaults. Prints one JSON line:
     node           sioc_node_heap_size of the member's node desc
     cluster_aws    the AWS member's own buffers (sioc_cluster_heap_size minus the node)
     http           the AWS member's HTTP engine block (its defaults: receives_in_flight + 3 conns per endpoint)
     member_aws     every byte sioc_cluster_init took from the allocator (node + buffers + engine)
     cluster_azure, http_azure, member_azure   the same for Service Bus
     sizeof_node, sizeof_cluster               the structs themselves
   Build: gcc -std=c99 -O2 -I. bench/cluster_heap.c -o build/bench/cluster_heap -lm */
#define SIO_CLUSTER_IMPLEMENTATION
#include "sio_cluster.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>

static int64_t fixed_now(void *user) {
    (void)user;
    return 1700000000;
}

static sioc_result fixed_random(void *user, void *buf, size_t len) {
    (void)user;
    memset(buf, 7, len); /* required by the desc; sizes do not depend on it */
    return SIOC_OK;
}

static size_t held; /* bytes the member holds */
static void *count_alloc(size_t n, void *user) {
    (void)user;
    held += n;
    return malloc(n);
}
static void count_free(void *p, size_t n, void *user) {
    (void)user;
    if (p) held -= n;
    free(p);
}

typedef struct sizes {
    size_t node, own, http, total;
} sizes;

static sizes measure(sioc_cluster_transport tr) {
    static sioc_cluster c;
    sioc_cluster_desc d, r;
    sizes s;
    memset(&s, 0, sizeof s);
    memset(&d, 0, sizeof d);
    d.transport = tr;
    d.random = fixed_random;
    d.utc_now = fixed_now;
    d.own_io = 1;
    d.allocator.alloc = count_alloc;
    d.allocator.free = count_free;
    d.aws.region = "us-east-1";
    d.aws.credentials.access_key_id = sioc_str_c("AKIAIOSFODNN7EXAMPLE");
    d.aws.credentials.secret_access_key = sioc_str_c("wJalrXUtnFEMI/K7MDENG/bPxRfiCYEXAMPLEKEY");
    d.aws.sns_endpoint = d.aws.sqs_endpoint = "http://127.0.0.1:4566";
    d.azure.connection_string = "Endpoint=sb://127.0.0.1;SharedAccessKeyName=k;SharedAccessKey=c2VjcmV0";
    d.azure.rest_url = "http://127.0.0.1:5300";
    r = sioc_cluster_desc_resolved(&d);
    s.node = sioc_node_heap_size(&r.node);
    s.own = sioc_cluster_heap_size(&d) - s.node;
    held = 0;
    if (sioc_cluster_init(&c, &d) == SIOC_OK) {
        s.total = held;
        s.http = sioc_cluster_http(&c)->p_mem_size;
        sioc_cluster_free(&c);
    }
    return s;
}

int main(void) {
    sizes a = measure(SIOC_CLUSTER_AWS), z = measure(SIOC_CLUSTER_AZURE);
    printf("{\"node\":%lu,\"cluster_aws\":%lu,\"http\":%lu,\"member_aws\":%lu,\"cluster_azure\":%lu,\"http_azure\":%lu,"
           "\"member_azure\":%lu,\"sizeof_node\":%lu,\"sizeof_cluster\":%lu}\n",
           (unsigned long)a.node, (unsigned long)a.own, (unsigned long)a.http, (unsigned long)a.total,
           (unsigned long)z.own, (unsigned long)z.http, (unsigned long)z.total, (unsigned long)sizeof(sioc_node),
           (unsigned long)sizeof(sioc_cluster));
    return !(a.total && z.total);
}
