/* A build without the two AWS safety nets a device with a good clock and a trusted link may leave out (the
   manual's CONFIGURATION), on the scripted fake SNS/SQS endpoint (tests/aws_fake.h):
   - SIOC_ENABLE_MD5_CHECK 0: a body that does not match its MD5OfBody is taken like any other (the default build
     drops it: test_cluster_aws), counted nowhere as corrupt, and deleted after it was handled.
   - SIOC_ENABLE_SKEW_CORRECTION 0: a call refused for clock skew (RequestTimeTooSkewed, the server's Date ten
     minutes ahead) is refused like a bad signature: not re-signed, start-up stops FAILED with SIOC_ERR_AUTH and the
     service's code in on_error (the default build re-signs it once by the server's clock and starts: test_aws,
     and this program built with both switches 1 fails). */
#define SIOC_ENABLE_MD5_CHECK 0
#define SIOC_ENABLE_SKEW_CORRECTION 0
#define SIOC_ENABLE_AZURE 0
#define SIO_CLUSTER_IMPLEMENTATION
#include "sio_cluster.h"
#include "tests/harness.h"

#include "tests/aws_fake.h"

#define T_PEER "aaaabbbbccccdddd"
#define T_MD5_OF_1 "c4ca4238a0b923820dcc509a6f75849b" /* md5("1"): the bodies below are "2" */

static int t_errors, t_err_retry;
static char t_err_code[64];
static void t_on_error(void *user, const sioc_cluster_error *e) {
    (void)user;
    t_errors++;
    t_err_retry = e->will_retry;
    snprintf(t_err_code, sizeof t_err_code, "%s", e->code);
}

static size_t t_count(const char *op, size_t from) {
    size_t i, n = 0;
    for (i = from; i < f_n_log; i++) n += !strcmp(f_log[i], op);
    return n;
}

static void test_skew_is_a_failure(void) {
    static sioc_cluster c;
    sioc_cluster_desc d;
    const sioc_cluster_stats *st;
    f_member_desc(&d);
    d.aws.no_orphan_cleanup = 1;
    d.on_error = t_on_error;
    /* the first CreateTopic is refused as SNS refuses a request signed ten minutes in the past */
    snprintf(f_fail_op, sizeof f_fail_op, "CreateTopic");
    f_fail_n = 1;
    f_fail_status = 400;
    f_fail_hdr = "Date: Mon, 30 Nov 2026 01:03:20 GMT\r\n";
    f_fail_body = "<ErrorResponse xmlns=\"http://sns.amazonaws.com/doc/2010-03-31/\"><Error><Type>Sender</Type>"
                  "<Code>RequestTimeTooSkewed</Code><Message>Signature expired</Message></Error>"
                  "<RequestId>r</RequestId></ErrorResponse>";
    CHECK_EQ_INT(f_member_start(&c, &d), SIOC_OK);
    f_member_run(&c, 10000);
    st = sioc_cluster_get_stats(&c);
    /* refused, not re-signed: start-up stops as for any refused signature, with the service's code for people */
    CHECK_EQ_INT(t_count("CreateTopic", 0), 1);
    CHECK_EQ_INT(st->failures[SIOC_CLUSTER_OP_CREATE_TOPIC], 1);
    CHECK(t_errors == 1 && t_err_retry == 0 && !strcmp(t_err_code, "RequestTimeTooSkewed"));
    CHECK_EQ_INT(sioc_cluster_get_state(&c), SIOC_CLUSTER_FAILED);
    CHECK_EQ_INT(sioc_cluster_last_error(&c), SIOC_ERR_AUTH);
    sioc_cluster_free(&c);
    CHECK_EQ_INT(f_bytes, 0);
    f_fail_hdr = NULL;
}

static void test_md5_not_checked(void) {
    static sioc_cluster c;
    sioc_cluster_desc d;
    const sioc_cluster_stats *st;
    f_member_desc(&d);
    d.aws.no_orphan_cleanup = 1;
    CHECK_EQ_INT(f_member_start(&c, &d), SIOC_OK);
    f_member_run(&c, 20);
    CHECK_EQ_INT(sioc_cluster_get_state(&c), SIOC_CLUSTER_RUNNING);
    f_n_deleted = 0;
    /* a HEARTBEAT ("2") whose MD5OfBody is that of "1": taken, so the peer is known, and deleted */
    CHECK(f_deliver("{\"Messages\":[{\"MessageId\":\"m1\",\"ReceiptHandle\":\"h1\",\"MD5OfBody\":\"" T_MD5_OF_1
                    "\",\"Body\":\"2\",\"MessageAttributes\":{\"nsp\":{\"DataType\":\"String\",\"StringValue\":"
                    "\"/\"},\"uid\":{\"DataType\":\"String\",\"StringValue\":\"" T_PEER "\"}}}]}"));
    f_member_run(&c, 50);
    st = sioc_cluster_get_stats(&c);
    CHECK_EQ_INT(st->received, 1);
    CHECK_EQ_INT(st->checksum_failed, 0);
    CHECK_EQ_INT(st->bad_messages, 0);
    CHECK_EQ_INT(sioc_node_peer_count(sioc_cluster_node(&c), sioc_str_c("/")), 1);
    CHECK(f_n_deleted == 1 && !strcmp(f_deleted[0], "h1"));
    CHECK(f_member_finish(&c)); /* closed, nothing held */
}

int main(void) {
    RUN(test_skew_is_a_failure);
    RUN(test_md5_not_checked);
    return sioc_t_report("test_build_nochecks");
}
