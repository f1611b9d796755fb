/* The AWS cluster binding (src/cluster_aws.h) against the fauxqs emulator (tests/fauxqs/, started here on a free
   127.0.0.1 port, stopped when the test ends): two C nodes join one topic through their own queues and exchange a
   broadcast, an ack broadcast and a fetchSockets; an emitter-only node publishes; a malformed message sent straight
   into a queue is dropped, counted and deleted; a queue deleted under a running node is recreated (NOT_READY, then
   READY, messages flow again); a node pointed at a closed port backs off without a hot loop; graceful close
   deletes the queues. Needs node and `npm ci` in tests/fauxqs; without them it says SKIPPED. */
#define _POSIX_C_SOURCE 200809L
#define SIOC_ENABLE_POSIX 1
#define SIOC_POSIX_GETADDRINFO 0 /* numeric 127.0.0.1 only: keeps static builds free of NSS */
#define SIO_CLUSTER_IMPLEMENTATION
#include "sio_cluster.h"
#include "tests/harness.h"
#include "tests/http_server/node_server.h"

#include <errno.h>
#include <poll.h>
#include <signal.h>
#include <sys/types.h>
#include <sys/wait.h>
#include <unistd.h>

/* ---- the emulator process ---- */

static pid_t t_pid = -1;
static int t_stdin_fd = -1; /* the launcher exits when this closes (even if we crash) */
static char t_endpoint[64];

static const char *t_dir(void) {
    const char *d = getenv("SIOC_TEST_DIR");
    return d ? d : "tests";
}

static int t_file_exists(const char *path) { return access(path, R_OK) == 0; }

/* Start `node <dir>/fauxqs/launch.mjs` and read its FAUXQS_ENDPOINT line. 0 with a reason to skip (not installed), -1
   with the reason it failed. */
static int t_start_fauxqs(char *why, size_t why_cap) {
    char launcher[512], pkg[512], line[256];
    int out_pipe[2], in_pipe[2];
    size_t got = 0;
    uint64_t deadline;
    snprintf(launcher, sizeof launcher, "%s/fauxqs/launch.mjs", t_dir());
    snprintf(pkg, sizeof pkg, "%s/fauxqs/node_modules/fauxqs/package.json", t_dir());
    if (!node_available()) {
        snprintf(why, why_cap, "`node` is not on PATH (Node.js 20 runs fauxqs)");
        return 0;
    }
    if (!t_file_exists(launcher)) {
        snprintf(why, why_cap, "%.200s missing", launcher);
        return 0;
    }
    if (!t_file_exists(pkg)) {
        snprintf(why, why_cap, "fauxqs not installed: run `npm ci` in %.150s/fauxqs", t_dir());
        return 0;
    }
    if (pipe(out_pipe) != 0 || pipe(in_pipe) != 0) {
        snprintf(why, why_cap, "pipe: %s", strerror(errno));
        return -1;
    }
    t_pid = fork();
    if (t_pid < 0) {
        snprintf(why, why_cap, "fork: %s", strerror(errno));
        return -1;
    }
    if (t_pid == 0) {
        dup2(in_pipe[0], 0);
        dup2(out_pipe[1], 1);
        close(in_pipe[0]);
        close(in_pipe[1]);
        close(out_pipe[0]);
        close(out_pipe[1]);
        execlp("node", "node", launcher, "--watch-stdin", "--max-seconds", "300", (char *)NULL);
        fprintf(stderr, "exec node: %s\n", strerror(errno));
        _exit(127);
    }
    close(in_pipe[0]);
    close(out_pipe[1]);
    t_stdin_fd = in_pipe[1];
    deadline = sioc_posix_now_ms() + 20000;
    while (got < sizeof line - 1) {
        struct pollfd pfd;
        long n;
        pfd.fd = out_pipe[0];
        pfd.events = POLLIN;
        pfd.revents = 0;
        if (sioc_posix_now_ms() > deadline || poll(&pfd, 1, 200) < 0) break;
        if (!(pfd.revents & (POLLIN | POLLHUP))) continue;
        n = (long)read(out_pipe[0], line + got, sizeof line - 1 - got);
        if (n <= 0) break;
        got += (size_t)n;
        line[got] = 0;
        if (strchr(line, '\n')) break;
    }
    close(out_pipe[0]);
    line[got] = 0;
    if (strncmp(line, "FAUXQS_ENDPOINT=http://127.0.0.1:", 33) != 0) {
        snprintf(why, why_cap, "launcher did not start (node missing or failed): %.80s", line);
        return -1;
    }
    *strchr(line, '\n') = 0;
    snprintf(t_endpoint, sizeof t_endpoint, "%.60s", line + 16);
    return 1;
}

static void t_stop_fauxqs(void) {
    int status, i;
    if (t_pid <= 0) return;
    kill(t_pid, SIGTERM);
    for (i = 0; i < 50; i++) {
        if (waitpid(t_pid, &status, WNOHANG) == t_pid) break;
        (void)poll(NULL, 0, 100);
    }
    if (i == 50) {
        kill(t_pid, SIGKILL);
        waitpid(t_pid, &status, 0);
    }
    if (t_stdin_fd >= 0) close(t_stdin_fd);
    t_pid = -1;
}

/* ---- members ---- */

#define T_EVS 64
typedef struct t_ev {
    int type;
    char text[128];
    char uid[32];
    uint32_t request;
    sioc_result result;
    size_t n_targets, n_sockets;
    int64_t ack_id;
} t_ev;

typedef struct t_member {
    sioc_aws_client client;
    sioc_posix px;
    sioc_node node;
    sioc_cluster_aws ca;
    t_ev evs[T_EVS];
    size_t n_evs;
    int up;
} t_member;

static t_member t_a, t_b, t_e, t_dead;
static char t_topic[64];

static void t_copy(char *dst, size_t cap, sioc_str s) {
    size_t n = s.ptr ? (s.len < cap - 1 ? s.len : cap - 1) : 0;
    if (n) memcpy(dst, s.ptr, n);
    dst[n] = 0;
}

static void t_drain(t_member *m) {
    sioc_node_event ev;
    while (sioc_node_next_event(&m->node, &ev) == SIOC_OK) {
        t_ev *e = &m->evs[m->n_evs < T_EVS ? m->n_evs++ : T_EVS - 1];
        sioc_msg_list it = ev.sockets;
        sioc_msg_socket so;
        memset(e, 0, sizeof *e);
        e->type = ev.type;
        t_copy(e->text, sizeof e->text, ev.text);
        t_copy(e->uid, sizeof e->uid, ev.uid);
        e->request = ev.request;
        e->result = ev.result;
        e->n_targets = ev.n_targets;
        e->ack_id = ev.ack_id;
        if (ev.type == SIOC_NODE_EV_FETCH_SOCKETS)
            while (sioc_msg_list_next_socket(&it, &so)) e->n_sockets++;
    }
}

static const t_ev *t_find(t_member *m, int type, size_t from) {
    size_t i;
    for (i = from; i < m->n_evs; i++)
        if (m->evs[i].type == type) return &m->evs[i];
    return NULL;
}

/* Run every live member for up to ms, or until cond() holds. */
static int t_pump(uint32_t ms, int (*cond)(void)) {
    uint64_t end = sioc_posix_now_ms() + ms;
    t_member *all[4];
    size_t i;
    all[0] = &t_a, all[1] = &t_b, all[2] = &t_e, all[3] = &t_dead;
    while (sioc_posix_now_ms() < end) {
        for (i = 0; i < 4; i++) {
            if (!all[i]->up) continue;
            (void)sioc_cluster_aws_run_posix(&all[i]->ca, &all[i]->px, 2);
            t_drain(all[i]);
        }
        if (cond && cond()) return 1;
    }
    return cond ? cond() : 1;
}

static sioc_result t_random(void *user, void *buf, size_t len) {
    (void)user;
    return sioc_posix_random(NULL, buf, len);
}

static int t_member_init(t_member *m, const char *endpoint, int emitter, int filter) {
    sioc_aws_desc ad;
    sioc_node_desc nd;
    sioc_cluster_aws_desc cd;
    memset(m, 0, sizeof *m);
    memset(&ad, 0, sizeof ad);
    ad.region = "us-east-1";
    ad.credentials.access_key_id = sioc_str_c("AKIAIOSFODNN7EXAMPLE");
    ad.credentials.secret_access_key = sioc_str_c("wJalrXUtnFEMI/K7MDENG/bPxRfiCYEXAMPLEKEY");
    ad.sns_endpoint = endpoint;
    ad.sqs_endpoint = endpoint;
    ad.utc_now = sioc_posix_utc_now;
    ad.http.conns_per_endpoint = 6;
    ad.http.connect_timeout_ms = 1000;
    if (sioc_aws_client_init(&m->client, &ad) != SIOC_OK) return 0;
    if (sioc_posix_init(&m->px, &m->client.http, NULL, NULL) != SIOC_OK) return 0;
    memset(&nd, 0, sizeof nd);
    nd.random = t_random;
    nd.emitter_only = emitter;
    nd.heartbeat_interval_ms = 1000;
    nd.heartbeat_timeout_ms = 4000;
    if (sioc_node_init(&m->node, &nd) != SIOC_OK) return 0;
    memset(&cd, 0, sizeof cd);
    cd.topic_name = t_topic;
    cd.queue_prefix = "sioc-live";
    cd.random = t_random;
    cd.wait_time_s = 2;
    cd.receives_in_flight = 2; /* two long polls at once, as an option allows */
    cd.no_filter_policy = !filter;
    if (sioc_cluster_aws_init(&m->ca, &m->node, &m->client, &cd) != SIOC_OK) return 0;
    if (sioc_cluster_aws_start(&m->ca, sioc_posix_now_ms()) != SIOC_OK) return 0;
    m->up = 1;
    return 1;
}

static void t_member_free(t_member *m) {
    m->up = 0;
    sioc_cluster_aws_free(&m->ca);
    sioc_node_free(&m->node);
    sioc_posix_free(&m->px);
    sioc_aws_client_free(&m->client);
}

static int t_both_ready(void) {
    return t_a.node.ready && t_b.node.ready && sioc_node_peer_count(&t_a.node, sioc_str_c("/")) == 1 &&
           sioc_node_peer_count(&t_b.node, sioc_str_c("/")) == 1;
}

static size_t t_mark_a, t_mark_b;
static int t_a_got_deliver(void) { return t_find(&t_a, SIOC_NODE_EV_DELIVER, t_mark_a) != NULL; }
static int t_b_got_deliver(void) { return t_find(&t_b, SIOC_NODE_EV_DELIVER, t_mark_b) != NULL; }
static int t_a_done(void) { return t_find(&t_a, SIOC_NODE_EV_REQUEST_DONE, t_mark_a) != NULL; }

static sioc_bytes t_packet(const char *event, int64_t arg) {
    static uint8_t mem[64];
    sioc_buf b;
    sioc_msgpack_writer w;
    sioc_bytes out;
    sioc_buf_init(&b, mem, sizeof mem);
    sioc_msgpack_writer_init(&w, &b);
    sioc_msgpack_write_array(&w, 2);
    sioc_msgpack_write_cstr(&w, event);
    sioc_msgpack_write_int(&w, arg);
    out.ptr = mem;
    out.len = sioc_msgpack_writer_finish(&w) == SIOC_OK ? b.len : 0;
    return out;
}

static void t_add_socket(t_member *m, const char *id, const char *room) {
    sioc_node_socket_desc sd;
    memset(&sd, 0, sizeof sd);
    CHECK(sioc_node_socket_add(&m->node, sioc_str_c("/"), sioc_str_c(id), &sd, sioc_posix_now_ms()) == SIOC_OK);
    CHECK(sioc_node_socket_join(&m->node, sioc_str_c("/"), sioc_str_c(id), sioc_str_c(room)) == SIOC_OK);
}

static void test_join(void) {
    CHECK(t_member_init(&t_a, t_endpoint, 0, 1));
    CHECK(t_member_init(&t_b, t_endpoint, 0, 1));
    t_add_socket(&t_a, "a1", "r");
    t_add_socket(&t_b, "b1", "r");
    CHECK(t_pump(8000, t_both_ready));
    CHECK_EQ_INT(t_a.ca.state, SIOC_CLUSTER_AWS_RUNNING);
    CHECK(t_find(&t_a, SIOC_NODE_EV_READY, 0) != NULL && t_find(&t_a, SIOC_NODE_EV_PEER_UP, 0) != NULL);
    CHECK(strncmp(t_a.ca.queue_name, "sioc-live-", 10) == 0 && strcmp(t_a.ca.queue_name + 10, t_a.node.uid) == 0);
    CHECK(t_a.ca.subscription_arn[0] && t_a.ca.queue_arn[0] && strstr(t_a.ca.topic_arn, t_topic) != NULL);
    CHECK_EQ_INT(t_a.ca.requests[SIOC_CLUSTER_AWS_CREATE_TOPIC], 1);
    CHECK_EQ_INT(t_a.ca.requests[SIOC_CLUSTER_AWS_SUBSCRIBE], 1);
}

static void test_broadcast(void) {
    const t_ev *e;
    t_mark_a = t_a.n_evs;
    CHECK(sioc_node_broadcast(&t_b.node, sioc_str_c("/"), NULL, t_packet("hi", 7), sioc_posix_now_ms()) == SIOC_OK);
    CHECK(t_pump(5000, t_a_got_deliver));
    e = t_find(&t_a, SIOC_NODE_EV_DELIVER, t_mark_a);
    CHECK(e && strcmp(e->text, "2[\"hi\",7]") == 0 && e->n_targets == 1);
    /* the filter policy keeps B's own message out of B's queue: B received nothing of its own */
    CHECK_EQ_INT(t_b.node.counters.ignored_own, 0);
}

static void test_ack_broadcast(void) {
    const t_ev *e, *done;
    uint32_t req = 0;
    sioc_str rooms[1];
    sioc_node_opts o;
    char ack[64];
    rooms[0] = sioc_str_c("b1");
    memset(&o, 0, sizeof o);
    o.rooms = rooms;
    o.n_rooms = 1;
    t_mark_a = t_a.n_evs;
    t_mark_b = t_b.n_evs;
    CHECK(sioc_node_broadcast_ack(&t_a.node, sioc_str_c("/"), &o, t_packet("q", 1), 3000, NULL, &req,
                                  sioc_posix_now_ms()) == SIOC_OK);
    CHECK(t_pump(5000, t_b_got_deliver));
    e = t_find(&t_b, SIOC_NODE_EV_DELIVER, t_mark_b);
    CHECK(e && e->ack_id >= 0);
    if (!e) return;
    snprintf(ack, sizeof ack, "3%lld[\"ok\"]", (long long)e->ack_id);
    CHECK(sioc_node_client_ack_text(&t_b.node, sioc_str_c("b1"), ack, strlen(ack), NULL, 0, sioc_posix_now_ms()) ==
          SIOC_OK);
    CHECK(t_pump(5000, t_a_done));
    done = t_find(&t_a, SIOC_NODE_EV_REQUEST_DONE, t_mark_a);
    CHECK(done && done->request == req && done->result == SIOC_OK);
    CHECK(t_find(&t_a, SIOC_NODE_EV_BROADCAST_ACK, t_mark_a) != NULL);
}

static void test_fetch(void) {
    const t_ev *done;
    uint32_t req = 0;
    size_t i, sockets = 0;
    t_mark_a = t_a.n_evs;
    CHECK(sioc_node_fetch_sockets(&t_a.node, sioc_str_c("/"), NULL, NULL, &req, sioc_posix_now_ms()) == SIOC_OK);
    CHECK(t_pump(5000, t_a_done));
    done = t_find(&t_a, SIOC_NODE_EV_REQUEST_DONE, t_mark_a);
    CHECK(done && done->result == SIOC_OK);
    for (i = t_mark_a; i < t_a.n_evs; i++)
        if (t_a.evs[i].type == SIOC_NODE_EV_FETCH_SOCKETS) sockets += t_a.evs[i].n_sockets;
    CHECK_EQ_INT(sockets, 2);
}

static int t_e_ready(void) { return t_e.ca.state == SIOC_CLUSTER_AWS_RUNNING; }

static void test_emitter(void) {
    const t_ev *e;
    CHECK(t_member_init(&t_e, t_endpoint, 1, 1));
    CHECK(t_pump(5000, t_e_ready));
    CHECK_EQ_INT(t_e.ca.requests[SIOC_CLUSTER_AWS_CREATE_QUEUE], 0);
    t_mark_a = t_a.n_evs;
    CHECK(sioc_node_broadcast(&t_e.node, sioc_str_c("/"), NULL, t_packet("emit", 2), sioc_posix_now_ms()) == SIOC_OK);
    CHECK(t_pump(5000, t_a_got_deliver));
    e = t_find(&t_a, SIOC_NODE_EV_DELIVER, t_mark_a);
    CHECK(e && strcmp(e->text, "2[\"emit\",2]") == 0);
    CHECK(sioc_cluster_aws_close(&t_e.ca, sioc_posix_now_ms()) == SIOC_OK);
    CHECK(t_pump(3000, NULL));
    CHECK_EQ_INT(t_e.ca.state, SIOC_CLUSTER_AWS_CLOSED);
    t_member_free(&t_e);
}

/* A one-off request on a member's client (its loop keeps running meanwhile). */
static sioc_aws_call t_side;
static char t_side_body[4096], t_side_reply[16384];

static sioc_result t_side_run(t_member *m) {
    uint64_t end = sioc_posix_now_ms() + 5000;
    while (sioc_posix_now_ms() < end) {
        sioc_aws_call *done = NULL;
        (void)sioc_posix_run(&m->px, 5);
        while (sioc_aws_next(&m->client, sioc_posix_now_ms(), &done) == SIOC_OK)
            if (done == &t_side) return t_side.result;
    }
    return SIOC_ERR_TIMEOUT;
}

static void t_side_init(void) {
    memset(&t_side, 0, sizeof t_side);
    t_side.body_mem = t_side_body;
    t_side.body_cap = sizeof t_side_body;
    t_side.reply_mem = t_side_reply;
    t_side.reply_cap = sizeof t_side_reply;
}

static uint64_t t_del_base;
static int t_a_bad(void) { return t_a.ca.bad_messages >= 1 && t_a.ca.deleted > t_del_base; }

static void test_bad_message(void) {
    sioc_aws_attr at[2];
    uint64_t deleted = t_a.ca.deleted;
    t_del_base = deleted;
    t_side_init();
    at[0].name = sioc_str_c("nsp"), at[0].type = SIOC_AWS_ATTR_STRING;
    at[0].value.ptr = (const uint8_t *)"/", at[0].value.len = 1;
    at[1].name = sioc_str_c("uid"), at[1].type = SIOC_AWS_ATTR_STRING;
    at[1].value.ptr = (const uint8_t *)"badbadbadbadbad0", at[1].value.len = 16;
    /* sent by a separate client so the binding never sees the call */
    {
        t_member tmp;
        sioc_aws_desc ad;
        memset(&ad, 0, sizeof ad);
        memset(&tmp, 0, sizeof tmp);
        ad.region = "us-east-1";
        ad.credentials.access_key_id = sioc_str_c("AKIAIOSFODNN7EXAMPLE");
        ad.credentials.secret_access_key = sioc_str_c("wJalrXUtnFEMI/K7MDENG/bPxRfiCYEXAMPLEKEY");
        ad.sns_endpoint = ad.sqs_endpoint = t_endpoint;
        ad.utc_now = sioc_posix_utc_now;
        CHECK(sioc_aws_client_init(&tmp.client, &ad) == SIOC_OK);
        CHECK(sioc_posix_init(&tmp.px, &tmp.client.http, NULL, NULL) == SIOC_OK);
        CHECK(sioc_aws_sqs_send_message(&tmp.client, &t_side, sioc_str_c(t_a.ca.queue_url), sioc_str_c("not-a-type"),
                                        at, 2, sioc_posix_now_ms()) == SIOC_OK);
        CHECK(t_side_run(&tmp) == SIOC_OK);
        sioc_posix_free(&tmp.px);
        sioc_aws_client_free(&tmp.client);
    }
    CHECK(t_pump(6000, t_a_bad));
    CHECK(t_a.ca.bad_messages >= 1 && t_a.node.counters.malformed >= 1);
    CHECK(t_a.ca.deleted > deleted);
    CHECK_EQ_INT(t_a.ca.state, SIOC_CLUSTER_AWS_RUNNING);
}

static int t_b_recreated(void) {
    return t_b.ca.queues_recreated == 1 && t_b.ca.state == SIOC_CLUSTER_AWS_RUNNING && t_b.node.ready;
}

static void test_queue_deleted(void) {
    char old[96];
    const t_ev *e;
    snprintf(old, sizeof old, "%s", t_b.ca.queue_name);
    t_side_init();
    {
        t_member tmp;
        sioc_aws_desc ad;
        memset(&ad, 0, sizeof ad);
        memset(&tmp, 0, sizeof tmp);
        ad.region = "us-east-1";
        ad.credentials.access_key_id = sioc_str_c("AKIAIOSFODNN7EXAMPLE");
        ad.credentials.secret_access_key = sioc_str_c("wJalrXUtnFEMI/K7MDENG/bPxRfiCYEXAMPLEKEY");
        ad.sns_endpoint = ad.sqs_endpoint = t_endpoint;
        ad.utc_now = sioc_posix_utc_now;
        CHECK(sioc_aws_client_init(&tmp.client, &ad) == SIOC_OK);
        CHECK(sioc_posix_init(&tmp.px, &tmp.client.http, NULL, NULL) == SIOC_OK);
        CHECK(sioc_aws_sqs_delete_queue(&tmp.client, &t_side, sioc_str_c(t_b.ca.queue_url), sioc_posix_now_ms()) ==
              SIOC_OK);
        CHECK(t_side_run(&tmp) == SIOC_OK);
        sioc_posix_free(&tmp.px);
        sioc_aws_client_free(&tmp.client);
    }
    t_mark_b = t_b.n_evs;
    CHECK(t_pump(12000, t_b_recreated));
    CHECK(t_find(&t_b, SIOC_NODE_EV_NOT_READY, t_mark_b) != NULL);
    CHECK(t_find(&t_b, SIOC_NODE_EV_READY, t_mark_b) != NULL);
    CHECKF(strcmp(old, t_b.ca.queue_name) != 0, "queue %s", t_b.ca.queue_name);
    CHECK(t_b.ca.failures[SIOC_CLUSTER_AWS_RECEIVE_MESSAGE] >= 1);
    /* messages reach it again through the new subscription, and only once (old one unsubscribed) */
    t_mark_b = t_b.n_evs;
    CHECK(sioc_node_broadcast(&t_a.node, sioc_str_c("/"), NULL, t_packet("again", 3), sioc_posix_now_ms()) ==
          SIOC_OK);
    CHECK(t_pump(5000, t_b_got_deliver));
    e = t_find(&t_b, SIOC_NODE_EV_DELIVER, t_mark_b);
    CHECK(e && strcmp(e->text, "2[\"again\",3]") == 0);
}

/* Requests to a closed port: retried with growing, jittered delays, never a hot loop. */
static void test_backoff(void) {
    char ep[64];
    uint64_t n;
    snprintf(ep, sizeof ep, "http://127.0.0.1:1"); /* port 1 (tcpmux): nothing listens there on a test host */
    CHECK(t_member_init(&t_dead, ep, 0, 1));
    CHECK(t_pump(3000, NULL));
    n = t_dead.ca.requests[SIOC_CLUSTER_AWS_CREATE_TOPIC];
    CHECKF(n >= 3 && n <= 12, "%llu CreateTopic attempts in 3 s", (unsigned long long)n);
    CHECK_EQ_INT(t_dead.ca.failures[SIOC_CLUSTER_AWS_CREATE_TOPIC], n);
    CHECK_EQ_INT(t_dead.ca.state, SIOC_CLUSTER_AWS_STARTING);
    CHECK(!t_dead.node.ready);
    CHECK(t_dead.ca.last_error == SIOC_ERR_CONNECT || t_dead.ca.last_error == SIOC_ERR_CLOSED);
    /* closing a node that never started gives up at once */
    CHECK(sioc_cluster_aws_close(&t_dead.ca, sioc_posix_now_ms()) == SIOC_OK);
    CHECK(t_pump(500, NULL));
    CHECK_EQ_INT(t_dead.ca.state, SIOC_CLUSTER_AWS_CLOSED);
    t_member_free(&t_dead);
}

static int t_both_closed(void) {
    return t_a.ca.state == SIOC_CLUSTER_AWS_CLOSED && t_b.ca.state == SIOC_CLUSTER_AWS_CLOSED;
}
static int t_a_saw_b_leave(void) { return sioc_node_peer_count(&t_a.node, sioc_str_c("/")) == 0; }

static void test_close(void) {
    char url[SIOC_CLUSTER_AWS_ARN_MAX];
    snprintf(url, sizeof url, "%s", t_b.ca.queue_url);
    CHECK(sioc_cluster_aws_close(&t_b.ca, sioc_posix_now_ms()) == SIOC_OK);
    CHECK(t_pump(3000, t_a_saw_b_leave));
    CHECK(sioc_cluster_aws_close(&t_a.ca, sioc_posix_now_ms()) == SIOC_OK);
    CHECK(t_pump(5000, t_both_closed));
    CHECK_EQ_INT(t_b.ca.requests[SIOC_CLUSTER_AWS_DELETE_QUEUE], 1);
    CHECK(t_b.ca.requests[SIOC_CLUSTER_AWS_UNSUBSCRIBE] >= 2); /* the lost queue's subscription, then its own */
    CHECK(t_b.ca.queue_url[0] == 0 && t_b.ca.subscription_arn[0] == 0);
    /* the queue is gone */
    t_side_init();
    {
        t_member tmp;
        sioc_aws_desc ad;
        memset(&ad, 0, sizeof ad);
        memset(&tmp, 0, sizeof tmp);
        ad.region = "us-east-1";
        ad.credentials.access_key_id = sioc_str_c("AKIAIOSFODNN7EXAMPLE");
        ad.credentials.secret_access_key = sioc_str_c("wJalrXUtnFEMI/K7MDENG/bPxRfiCYEXAMPLEKEY");
        ad.sns_endpoint = ad.sqs_endpoint = t_endpoint;
        ad.utc_now = sioc_posix_utc_now;
        CHECK(sioc_aws_client_init(&tmp.client, &ad) == SIOC_OK);
        CHECK(sioc_posix_init(&tmp.px, &tmp.client.http, NULL, NULL) == SIOC_OK);
        CHECK(sioc_aws_sqs_receive_message(&tmp.client, &t_side, sioc_str_c(url), 1, 0, sioc_posix_now_ms()) ==
              SIOC_OK);
        CHECK(t_side_run(&tmp) == SIOC_ERR_NOT_FOUND);
        sioc_posix_free(&tmp.px);
        sioc_aws_client_free(&tmp.client);
    }
    t_member_free(&t_a);
    t_member_free(&t_b);
}

/* Offline: options are checked, defaults resolved. */
static void test_desc(void) {
    sioc_cluster_aws_desc d, r;
    sioc_cluster_aws ca;
    sioc_node n;
    sioc_aws_client c;
    memset(&d, 0, sizeof d);
    memset(&n, 0, sizeof n);
    memset(&c, 0, sizeof c);
    r = sioc_cluster_aws_desc_resolved(&d);
    CHECK(strcmp(r.topic_name, "socket-io") == 0 && strcmp(r.queue_prefix, "socket-io") == 0);
    CHECK_EQ_INT(r.wait_time_s, 20);
    CHECK_EQ_INT(r.receives_in_flight, 1);
    CHECK_EQ_INT(r.retention_s, 3600);
    CHECK(sioc_cluster_aws_init(&ca, &n, &c, &d) == SIOC_ERR_DEPENDENCY);
    d.random = t_random;
    d.receives_in_flight = SIOC_CLUSTER_AWS_MAX_RECEIVES + 1;
    CHECK(sioc_cluster_aws_init(&ca, &n, &c, &d) == SIOC_ERR_ARG);
    d.receives_in_flight = 1;
    d.retention_s = 59;
    CHECK(sioc_cluster_aws_init(&ca, &n, &c, &d) == SIOC_ERR_ARG);
    CHECK(strcmp(sioc_cluster_aws_op_name(SIOC_CLUSTER_AWS_DELETE_MESSAGE_BATCH), "DeleteMessageBatch") == 0);
    CHECK(strcmp(sioc_cluster_aws_op_name(99), "?") == 0);
}

int main(void) {
    char why[256];
    int started;
    signal(SIGPIPE, SIG_IGN);
    RUN(test_desc);
    started = t_start_fauxqs(why, sizeof why);
    if (started <= 0) {
        t_stop_fauxqs();
        if (started == 0) sioc_t_skip("test_cluster_aws_live", "live tests against fauxqs", why);
        else CHECKF(0, "the emulator could not start: %s", why);
        return sioc_t_report("test_cluster_aws_live");
    }
    snprintf(t_topic, sizeof t_topic, "sioc-cluster-live-%ld", (long)getpid());
    printf("fauxqs at %s\n", t_endpoint);
    RUN(test_join);
    RUN(test_broadcast);
    RUN(test_ack_broadcast);
    RUN(test_fetch);
    RUN(test_emitter);
    RUN(test_bad_message);
    RUN(test_queue_deleted);
    RUN(test_backoff);
    RUN(test_close);
    t_stop_fauxqs();
    return sioc_t_report("test_cluster_aws_live");
}
