/* The cluster member's receive path over AWS (src/member.h, member_aws.c): the input is the body of a
   ReceiveMessage reply (hostile JSON, attributes, base64, cluster messages), delivered through the member's HTTP
   engine (own_io) by the fake endpoint of tests/aws_fake.h to a freshly started member. Nothing may crash, every
   call must come back, and close must still end in CLOSED. */
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

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);
int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size) {
    static sioc_cluster c;
    sioc_cluster_desc d;
    int conn;
    if (size > 60000) return 0;
    memset(f_conn, 0, sizeof f_conn);
    f_n_log = 0;
    f_now = 1000;
    memset(&d, 0, sizeof d);
    d.transport = SIOC_CLUSTER_AWS;
    d.aws.region = "us-east-1";
    d.aws.credentials.access_key_id = sioc_str_c("AKIAIOSFODNN7EXAMPLE");
    d.aws.credentials.secret_access_key = sioc_str_c("wJalrXUtnFEMI/K7MDENG/bPxRfiCYEXAMPLEKEY");
    d.aws.sns_endpoint = d.aws.sqs_endpoint = "http://127.0.0.1:4566";
    d.aws.receive_buffer_size = 65536;
    d.random = fz_rand;
    d.utc_now = fz_utc;
    d.own_io = 1;
    d.node.max_sockets = 8;
    if (sioc_cluster_init(&c, &d) != SIOC_OK) abort();
    f_http = sioc_cluster_http(&c);
    {
        sioc_node_socket_desc sd;
        memset(&sd, 0, sizeof sd);
        (void)sioc_node_socket_add(sioc_cluster_node(&c), sioc_str_c("/"), sioc_str_c("s1"), &sd, f_now);
    }
    if (sioc_cluster_start(&c, f_now) != SIOC_OK) abort();
    fz_run(&c, 40);
    if (!sioc_cluster_node(&c)->ready) abort();
    for (conn = 0; conn < F_CONNS; conn++)
        if (f_conn[conn].open && f_conn[conn].held) {
            f_conn[conn].held = 0;
            f_reply_raw(conn, data, size);
            break;
        }
    fz_run(&c, 10);
    if (sioc_cluster_get_state(&c) != SIOC_CLUSTER_RUNNING) abort();
    (void)sioc_cluster_close(&c, f_now);
    fz_run(&c, 20);
    if (sioc_cluster_get_state(&c) != SIOC_CLUSTER_CLOSED) abort();
    sioc_cluster_free(&c);
    return 0;
}
