/* A lean build (SIOC_ENABLE_ERROR_STRINGS 0 and SIOC_ENABLE_LOG 0, the manual's CONFIGURATION) without Azure,
   offline: every refusal still returns its result code, with an empty text (sioc_strerror, the AWS client's and
   the member's details: the texts are left out of the binary), and a member still starts up, receives, settles and
   leaves on the scripted fake SNS/SQS endpoint (tests/aws_fake.h). */
#define SIOC_ENABLE_ERROR_STRINGS 0
#define SIOC_ENABLE_LOG 0
#define SIOC_ENABLE_AZURE 0
#define SIO_CLUSTER_IMPLEMENTATION
#include "sio_cluster.h"
#include "tests/harness.h"

#include "tests/aws_fake.h"

static void test_refused_without_text(void) {
    sioc_cluster c;
    sioc_cluster_desc d;
    sioc_aws_client ac;
    sioc_aws_desc ad;
    CHECKF(!*sioc_strerror(SIOC_ERR_ARG), "%s", sioc_strerror(SIOC_ERR_ARG));
    f_member_desc(&d);
    d.backoff_base_ms = 500;
    d.backoff_cap_ms = 100;
    CHECK_EQ_INT(sioc_cluster_init(&c, &d), SIOC_ERR_ARG);
    CHECKF(!*sioc_cluster_last_detail(&c), "%s", sioc_cluster_last_detail(&c));
    sioc_cluster_free(&c);
    f_member_desc(&d);
    d.random = NULL;
    CHECK_EQ_INT(sioc_cluster_init(&c, &d), SIOC_ERR_DEPENDENCY);
    CHECKF(!*sioc_cluster_last_detail(&c), "%s", sioc_cluster_last_detail(&c));
    sioc_cluster_free(&c);
    CHECK_EQ_INT(f_bytes, 0);
    memset(&ad, 0, sizeof ad);
    ad.region = "";
    ad.utc_now = f_utc;
    CHECK_EQ_INT(sioc_aws_client_init(&ac, &ad), SIOC_ERR_ARG);
    CHECKF(!*ac.detail, "%s", ac.detail);
}

static void test_member_runs(void) {
    static sioc_cluster c;
    sioc_cluster_desc d;
    f_member_desc(&d);
    sioc_cluster_desc_preset(&d, SIOC_CLUSTER_PRESET_SMALL);
    CHECK_EQ_INT(f_member_start(&c, &d), SIOC_OK);
    f_member_run(&c, 20);
    CHECK_EQ_INT(sioc_cluster_get_state(&c), SIOC_CLUSTER_RUNNING);
    CHECK(f_n_log >= 5 && !strcmp(f_log[0], "CreateTopic") && !strcmp(f_log[1], "CreateQueue") &&
          !strcmp(f_log[4], "Subscribe"));
    CHECK(f_deliver("{\"Messages\":[{\"MessageId\":\"m1\",\"ReceiptHandle\":\"h1\",\"Body\":\"2\","
                    "\"MessageAttributes\":{\"nsp\":{\"DataType\":\"String\",\"StringValue\":\"/\"},"
                    "\"uid\":{\"DataType\":\"String\",\"StringValue\":\"0123456789abcdef\"}}}]}"));
    f_member_run(&c, 50);
    CHECK_EQ_INT(sioc_cluster_get_stats(&c)->received, 1);
    CHECK_EQ_INT(sioc_cluster_get_stats(&c)->settled, 1);
    CHECK_EQ_INT(sioc_node_peer_count(sioc_cluster_node(&c), sioc_str_c("/")), 1);
    CHECK(sioc_cluster_close(&c, f_now) == SIOC_OK);
    f_member_run(&c, 50);
    CHECK_EQ_INT(sioc_cluster_get_state(&c), SIOC_CLUSTER_CLOSED);
    CHECKF(!*sioc_cluster_last_detail(&c), "%s", sioc_cluster_last_detail(&c));
    sioc_cluster_free(&c);
    CHECK_EQ_INT(f_bytes, 0);
    CHECK_EQ_INT(f_feed_errors, 0);
}

int main(void) {
    RUN(test_refused_without_text);
    RUN(test_member_runs);
    return sioc_t_report("test_build_lean");
}
