/* The AWS cluster binding's receive path: the input is the body of a ReceiveMessage reply (hostile JSON,
   attributes, base64, cluster messages), delivered through the HTTP engine by the fake endpoint of
   tests/aws_fake.h to a freshly started node. Nothing may crash, and every call must come back. */
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

static void fz_run(sioc_cluster_aws *ca, sioc_node *n, int steps) {
    int i;
    sioc_node_event ev;
    for (i = 0; i < steps; i++) {
        sioc_cluster_aws_process(ca, f_now);
        f_pump();
        sioc_http_tick(f_http, f_now);
        while (sioc_node_next_event(n, &ev) == SIOC_OK) {
        }
        f_now++;
    }
}

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);
int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size) {
    static sioc_aws_client c;
    static sioc_node n;
    static sioc_cluster_aws ca;
    sioc_aws_desc ad;
    sioc_node_desc nd;
    sioc_cluster_aws_desc cd;
    int conn;
    if (size > 60000) return 0;
    memset(f_conn, 0, sizeof f_conn);
    f_n_log = 0;
    f_now = 1000;
    memset(&ad, 0, sizeof ad);
    ad.region = "us-east-1";
    ad.credentials.access_key_id = sioc_str_c("AKIAIOSFODNN7EXAMPLE");
    ad.credentials.secret_access_key = sioc_str_c("wJalrXUtnFEMI/K7MDENG/bPxRfiCYEXAMPLEKEY");
    ad.sns_endpoint = ad.sqs_endpoint = "http://127.0.0.1:4566";
    ad.utc_now = fz_utc;
    ad.http.conns_per_endpoint = 6;
    if (sioc_aws_client_init(&c, &ad) != SIOC_OK) return 0;
    f_http = &c.http;
    memset(&nd, 0, sizeof nd);
    nd.random = fz_rand;
    nd.max_sockets = 8;
    if (sioc_node_init(&n, &nd) != SIOC_OK) abort();
    {
        sioc_node_socket_desc sd;
        memset(&sd, 0, sizeof sd);
        (void)sioc_node_socket_add(&n, sioc_str_c("/"), sioc_str_c("s1"), &sd, f_now);
    }
    memset(&cd, 0, sizeof cd);
    cd.random = fz_rand;
    cd.receive_buffer_size = 65536;
    if (sioc_cluster_aws_init(&ca, &n, &c, &cd) != SIOC_OK) abort();
    if (sioc_cluster_aws_start(&ca, f_now) != SIOC_OK) abort();
    fz_run(&ca, &n, 40);
    if (!n.ready) abort();
    for (conn = 0; conn < F_CONNS; conn++)
        if (f_conn[conn].open && f_conn[conn].held) {
            f_conn[conn].held = 0;
            f_reply_raw(conn, data, size);
            break;
        }
    fz_run(&ca, &n, 10);
    if (ca.state != SIOC_CLUSTER_AWS_RUNNING) abort();
    (void)sioc_cluster_aws_close(&ca, f_now);
    fz_run(&ca, &n, 20);
    if (ca.state != SIOC_CLUSTER_AWS_CLOSED) abort();
    sioc_cluster_aws_free(&ca);
    sioc_node_free(&n);
    sioc_aws_client_free(&c);
    return 0;
}
