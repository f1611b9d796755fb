/* A build without the AWS orphan clean-up (SIOC_ENABLE_JANITOR 0, the manual's CONFIGURATION) and without Azure,
   offline: a member that asks for the clean-up (aws.no_orphan_cleanup 0, the default) is refused with
   SIOC_ERR_UNSUPPORTED and a detail naming the switch, holding nothing; with no_orphan_cleanup = 1 (the small
   preset sets it) the member starts up on the scripted fake SNS/SQS endpoint (tests/aws_fake.h) exactly as
   always, its queue not tagged as a janitor's, receives and deletes, and never lists queues; an emitter needs no
   clean-up setting. */
#define SIOC_ENABLE_JANITOR 0
#define SIOC_ENABLE_AZURE 0
#define SIO_CLUSTER_IMPLEMENTATION
#include "sio_cluster.h"
#include "tests/harness.h"

#include "tests/aws_fake.h"

static void test_refused(void) {
    sioc_cluster c;
    sioc_cluster_desc d;
    f_member_desc(&d);
    CHECK_EQ_INT(sioc_cluster_heap_size(&d), 0); /* what init refuses has no size */
    CHECK_EQ_INT(sioc_cluster_init(&c, &d), SIOC_ERR_UNSUPPORTED);
    CHECKF(strstr(sioc_cluster_last_detail(&c), "SIOC_ENABLE_JANITOR") != NULL &&
               strstr(sioc_cluster_last_detail(&c), "no_orphan_cleanup") != NULL,
           "%s", sioc_cluster_last_detail(&c));
    sioc_cluster_free(&c);
    CHECK_EQ_INT(f_bytes, 0);
    /* the small preset turns the clean-up off; an emitter has no queues to watch */
    sioc_cluster_desc_preset(&d, SIOC_CLUSTER_PRESET_SMALL);
    CHECK(sioc_cluster_heap_size(&d) > 0);
    CHECK_EQ_INT(sioc_cluster_init(&c, &d), SIOC_OK);
    sioc_cluster_free(&c);
    f_member_desc(&d);
    d.node.emitter_only = 1;
    CHECK_EQ_INT(sioc_cluster_init(&c, &d), SIOC_OK);
    sioc_cluster_free(&c);
    CHECK_EQ_INT(f_bytes, 0);
}

static void test_member_runs(void) {
    static sioc_cluster c;
    sioc_cluster_desc d;
    size_t i;
    f_member_desc(&d);
    d.aws.no_orphan_cleanup = 1;
    d.aws.orphan_check_s = 1; /* a janitor (were there one) would look within the run below */
    d.aws.orphan_after_s = 5;
    CHECK_EQ_INT(f_member_start(&c, &d), SIOC_OK);
    f_member_run(&c, 20);
    CHECK_EQ_INT(sioc_cluster_get_state(&c), SIOC_CLUSTER_RUNNING);
    CHECK(f_n_log >= 5 && !strcmp(f_log[0], "CreateTopic") && !strcmp(f_log[1], "CreateQueue") &&
          !strcmp(f_log[4], "Subscribe"));
    CHECKF(strstr(f_last_body[1], "sioc-janitor") == NULL, "%s", f_last_body[1]);
    CHECK(f_deliver("{\"Messages\":[{\"MessageId\":\"m1\",\"ReceiptHandle\":\"h1\",\"Body\":\"2\","
                    "\"MessageAttributes\":{\"nsp\":{\"DataType\":\"String\",\"StringValue\":\"/\"},"
                    "\"uid\":{\"DataType\":\"String\",\"StringValue\":\"0123456789abcdef\"}}}]}"));
    f_member_run(&c, 50);
    CHECK_EQ_INT(sioc_cluster_get_stats(&c)->received, 1);
    CHECK_EQ_INT(sioc_cluster_get_stats(&c)->settled, 1);
    CHECK_EQ_INT(sioc_node_peer_count(sioc_cluster_node(&c), sioc_str_c("/")), 1);
    f_member_run(&c, 20000); /* past the first look a janitor would take (the heartbeat timeout) */
    for (i = 0; i < f_n_log; i++) CHECKF(strncmp(f_log[i], "List", 4) != 0, "%s", f_log[i]);
    CHECK(f_member_finish(&c));
}

int main(void) {
    RUN(test_refused);
    RUN(test_member_runs);
    return sioc_t_report("test_build_nojanitor");
}
