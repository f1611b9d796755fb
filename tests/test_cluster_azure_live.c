/* The Azure cluster binding (src/cluster_azure.h) against the project's Service Bus test broker
   (tests/sbbroker/broker.js, started here on free 127.0.0.1 ports and stopped when the test ends), over the REST
   client (src/azure.h) and the POSIX backend: two C nodes join one topic through their own subscriptions (created
   with AutoDeleteOnIdle) and exchange a broadcast, an ack broadcast, a fetchSockets and a serverSideEmit with ack;
   an emitter-only node sends; an undecodable message is dropped, counted and completed; a subscription deleted
   under a running node gives 410 and is re-created (NOT_READY, then READY, messages flow again); a wrong key is a
   clear auth failure (one retry with a fresh token, then FAILED, no more requests); a closed port backs off without
   a hot loop; graceful close sends ADAPTER_CLOSE and deletes the subscriptions. Needs node and `npm ci` in
   tests/sbbroker; without them it says SKIPPED (SIOC_REQUIRE_ALL=1 makes that a failure). */
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

#define T_KEY_NAME "RootManageSharedAccessKey"
#define T_KEY "c2VjcmV0"

static const char *t_dir(void) {
    const char *d = getenv("SIOC_TEST_DIR");
    return d ? d : "tests";
}

/* A writable copy of a string for argv (execvp takes char *const[]). */
static char *t_arg(const char *s) {
    static char pool[4096];
    static size_t used;
    size_t n = strlen(s) + 1;
    char *p;
    if (used + n > sizeof pool) used = 0;
    p = pool + used;
    memcpy(p, s, n);
    used += n;
    return p;
}

static int t_file_exists(const char *path) { return access(path, R_OK) == 0; }

/* ---- child processes: the broker, and the SDK peer ---- */

typedef struct t_proc {
    pid_t pid;
    int in_fd;  /* its stdin (the broker exits when this closes) */
    int out_fd; /* its stdout */
} t_proc;

static int t_spawn(t_proc *p, char *const argv[]) {
    int out_pipe[2], in_pipe[2];
    p->pid = -1;
    p->in_fd = p->out_fd = -1;
    if (pipe(out_pipe) != 0) return 0;
    if (pipe(in_pipe) != 0) {
        close(out_pipe[0]);
        close(out_pipe[1]);
        return 0;
    }
    p->pid = fork();
    if (p->pid < 0) return 0;
    if (p->pid == 0) {
        dup2(in_pipe[0], 0);
        dup2(out_pipe[1], 1);
        close(in_pipe[0]);
        close(in_pipe[1]);
        close(out_pipe[0]);
        close(out_pipe[1]);
        execvp(argv[0], argv);
        fprintf(stderr, "exec %s: %s\n", argv[0], strerror(errno));
        _exit(127);
    }
    close(in_pipe[0]);
    close(out_pipe[1]);
    p->in_fd = in_pipe[1];
    p->out_fd = out_pipe[0];
    return 1;
}

/* Read stdout until `stop` appears (or EOF / timeout). Returns the bytes read (NUL-terminated). */
static size_t t_read_until(t_proc *p, char *buf, size_t cap, const char *stop, uint32_t timeout_ms) {
    size_t got = 0;
    uint64_t deadline = sioc_posix_now_ms() + timeout_ms;
    buf[0] = 0;
    while (got < cap - 1 && sioc_posix_now_ms() < deadline) {
        struct pollfd pfd;
        long n;
        pfd.fd = p->out_fd;
        pfd.events = POLLIN;
        pfd.revents = 0;
        if (poll(&pfd, 1, 100) < 0) break;
        if (!(pfd.revents & (POLLIN | POLLHUP))) continue;
        n = (long)read(p->out_fd, buf + got, cap - 1 - got);
        if (n <= 0) break;
        got += (size_t)n;
        buf[got] = 0;
        if (stop && strstr(buf, stop)) break;
    }
    return got;
}

static void t_stop(t_proc *p) {
    int status, i;
    if (p->pid <= 0) return;
    kill(p->pid, SIGTERM);
    for (i = 0; i < 50; i++) {
        if (waitpid(p->pid, &status, WNOHANG) == p->pid) break;
        (void)poll(NULL, 0, 100);
    }
    if (i == 50) {
        kill(p->pid, SIGKILL);
        waitpid(p->pid, &status, 0);
    }
    if (p->in_fd >= 0) close(p->in_fd);
    if (p->out_fd >= 0) close(p->out_fd);
    p->pid = -1;
}

static t_proc t_broker = {-1, -1, -1};
static int t_amqp_port, t_http_port;
static char t_conn_str[256], t_bad_conn_str[256], t_rest_url[64];

static int t_start_broker(char *why, size_t why_cap) {
    char script[512], pkg[512], line[512], rule[64];
    char *argv[10];
    const char *s;
    int https = 0;
    snprintf(script, sizeof script, "%s/sbbroker/broker.js", t_dir());
    snprintf(pkg, sizeof pkg, "%s/sbbroker/node_modules/rhea/package.json", t_dir());
    if (!node_available()) {
        snprintf(why, why_cap, "`node` is not on PATH (Node.js 20 runs the test broker)");
        return 0;
    }
    if (!t_file_exists(script)) {
        snprintf(why, why_cap, "%.200s missing", script);
        return 0;
    }
    if (!t_file_exists(pkg)) {
        snprintf(why, why_cap, "broker dependencies not installed: run `npm ci` in %.150s/sbbroker", t_dir());
        return 0;
    }
    snprintf(rule, sizeof rule, "%s=%s", T_KEY_NAME, T_KEY);
    argv[0] = t_arg("node");
    argv[1] = script;
    argv[2] = t_arg("--rule");
    argv[3] = rule;
    argv[4] = t_arg("--watch-stdin");
    argv[5] = t_arg("--max-seconds");
    argv[6] = t_arg("300");
    argv[7] = NULL;
    if (!t_spawn(&t_broker, argv)) {
        snprintf(why, why_cap, "spawn: %s", strerror(errno));
        return -1;
    }
    t_read_until(&t_broker, line, sizeof line, "\n", 20000);
    s = strstr(line, "SBBROKER_READY ");
    if (!s || sscanf(s, "SBBROKER_READY amqp=%d http=%d https=%d", &t_amqp_port, &t_http_port, &https) != 3 ||
        t_http_port <= 0) {
        snprintf(why, why_cap, "broker did not start (node missing or failed): %.80s", line);
        t_stop(&t_broker);
        return -1;
    }
    return 1;
}

/* ---- members ---- */

#define T_EVS 64
typedef struct t_ev {
    int type;
    char text[128];
    char uid[32];
    uint32_t request, ack;
    sioc_result result;
    size_t n_targets, n_sockets;
    int64_t ack_id;
    uint8_t packet[64];
    size_t packet_len;
} t_ev;

typedef struct t_member {
    sioc_azure_client client;
    sioc_posix px;
    sioc_node node;
    sioc_cluster_azure cz;
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
        e->ack = ev.ack;
        e->result = ev.result;
        e->n_targets = ev.n_targets;
        e->ack_id = ev.ack_id;
        if (ev.has_packet && ev.packet.len <= sizeof e->packet) {
            memcpy(e->packet, ev.packet.ptr, ev.packet.len);
            e->packet_len = ev.packet.len;
        }
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
            (void)sioc_cluster_azure_run_posix(&all[i]->cz, &all[i]->px, 2);
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

static int t_client_init(sioc_azure_client *c, sioc_posix *px, const char *cs, const char *url) {
    sioc_azure_desc ad;
    memset(&ad, 0, sizeof ad);
    ad.connection_string = cs;
    ad.rest_url = url;
    ad.utc_now = sioc_posix_utc_now;
    ad.http.conns_per_endpoint = 4; /* two long polls + 2 (azure.h) */
    ad.http.connect_timeout_ms = 1000;
    if (sioc_azure_client_init(c, &ad) != SIOC_OK) return 0;
    return sioc_posix_init(px, &c->http, NULL, NULL) == SIOC_OK;
}

static int t_member_init(t_member *m, const char *cs, const char *url, int emitter) {
    sioc_node_desc nd;
    sioc_cluster_azure_desc cd;
    memset(m, 0, sizeof *m);
    if (!t_client_init(&m->client, &m->px, cs, url)) return 0;
    memset(&nd, 0, sizeof nd);
    nd.random = t_random;
    nd.emitter_only = emitter;
    nd.heartbeat_interval_ms = 1000;
    nd.heartbeat_timeout_ms = 4000;
    if (sioc_node_init(&m->node, &nd) != SIOC_OK) return 0;
    memset(&cd, 0, sizeof cd);
    cd.topic_name = t_topic;
    cd.subscription_prefix = "sioc-live";
    cd.random = t_random;
    cd.timeout_s = 2;
    cd.receives_in_flight = 2;
    if (sioc_cluster_azure_init(&m->cz, &m->node, &m->client, &cd) != SIOC_OK) return 0;
    if (sioc_cluster_azure_start(&m->cz, sioc_posix_now_ms()) != SIOC_OK) return 0;
    m->up = 1;
    return 1;
}

static void t_member_free(t_member *m) {
    m->up = 0;
    sioc_cluster_azure_free(&m->cz);
    sioc_node_free(&m->node);
    sioc_posix_free(&m->px);
    sioc_azure_client_free(&m->client);
}

static sioc_bytes t_nobytes(void) {
    sioc_bytes b;
    b.ptr = NULL;
    b.len = 0;
    return b;
}

/* A one-off request on its own client (the members' loops are not run meanwhile). */
static sioc_azure_call t_side;
static char t_side_body[4096], t_side_reply[16384];

static sioc_result t_side_do(int what, sioc_str sub, sioc_bytes body, const sioc_azure_prop *props, size_t n) {
    sioc_azure_client c;
    sioc_posix px;
    sioc_result r = SIOC_ERR_TIMEOUT;
    uint64_t end;
    memset(&t_side, 0, sizeof t_side);
    t_side.body_mem = t_side_body;
    t_side.body_cap = sizeof t_side_body;
    t_side.reply_mem = t_side_reply;
    t_side.reply_cap = sizeof t_side_reply;
    if (!t_client_init(&c, &px, t_conn_str, t_rest_url)) return SIOC_ERR_STATE;
    if (what == 0) r = sioc_azure_get_subscription(&c, &t_side, sioc_str_c(t_topic), sub, sioc_posix_now_ms());
    else if (what == 1) r = sioc_azure_delete_subscription(&c, &t_side, sioc_str_c(t_topic), sub, sioc_posix_now_ms());
    else r = sioc_azure_send(&c, &t_side, sioc_str_c(t_topic), body, props, n, NULL, sioc_posix_now_ms());
    if (r == SIOC_OK) {
        r = SIOC_ERR_TIMEOUT;
        end = sioc_posix_now_ms() + 5000;
        while (sioc_posix_now_ms() < end && r == SIOC_ERR_TIMEOUT) {
            sioc_azure_call *done = NULL;
            (void)sioc_posix_run(&px, 5);
            while (sioc_azure_next(&c, sioc_posix_now_ms(), &done) == SIOC_OK)
                if (done == &t_side) r = t_side.result;
        }
    }
    sioc_posix_free(&px);
    sioc_azure_client_free(&c);
    return r;
}

static int t_both_ready(void) {
    return t_a.node.ready && t_b.node.ready && sioc_node_peer_count(&t_a.node, sioc_str_c("/")) == 1 &&
           sioc_node_peer_count(&t_b.node, sioc_str_c("/")) == 1;
}

static size_t t_mark_a, t_mark_b;
static int t_a_got_deliver(void) { return t_find(&t_a, SIOC_NODE_EV_DELIVER, t_mark_a) != NULL; }
static int t_b_got_deliver(void) { return t_find(&t_b, SIOC_NODE_EV_DELIVER, t_mark_b) != NULL; }
static int t_a_done(void) { return t_find(&t_a, SIOC_NODE_EV_REQUEST_DONE, t_mark_a) != NULL; }
static int t_b_got_sse(void) { return t_find(&t_b, SIOC_NODE_EV_SERVER_SIDE_EMIT, t_mark_b) != NULL; }

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
    char want[96];
    CHECK(t_member_init(&t_a, t_conn_str, t_rest_url, 0));
    CHECK(t_member_init(&t_b, t_conn_str, t_rest_url, 0));
    t_add_socket(&t_a, "a1", "r");
    t_add_socket(&t_b, "b1", "r");
    CHECK(t_pump(8000, t_both_ready));
    CHECK_EQ_INT(t_a.cz.state, SIOC_CLUSTER_AZURE_RUNNING);
    CHECK(t_find(&t_a, SIOC_NODE_EV_READY, 0) != NULL && t_find(&t_a, SIOC_NODE_EV_PEER_UP, 0) != NULL);
    snprintf(want, sizeof want, "sioc-live-%s", t_a.node.uid);
    CHECKF(strcmp(t_a.cz.subscription, want) == 0, "subscription %s", t_a.cz.subscription);
    CHECK_EQ_INT(t_a.cz.requests[SIOC_CLUSTER_AZURE_GET_TOPIC], 1);
    CHECK(t_a.cz.requests[SIOC_CLUSTER_AZURE_CREATE_TOPIC] + t_b.cz.requests[SIOC_CLUSTER_AZURE_CREATE_TOPIC] >= 1);
    CHECK_EQ_INT(t_a.cz.requests[SIOC_CLUSTER_AZURE_CREATE_SUBSCRIPTION], 1);
    CHECK(t_a.cz.requests[SIOC_CLUSTER_AZURE_RECEIVE] >= 2); /* two long polls at once */
    /* the subscription exists, with the AutoDeleteOnIdle we asked for */
    CHECK(t_side_do(0, sioc_str_c(t_a.cz.subscription), t_nobytes(), NULL, 0) == SIOC_OK);
    CHECK(strstr((const char *)t_side_reply, "<AutoDeleteOnIdle>PT5M</AutoDeleteOnIdle>") != NULL);
}

static void test_broadcast(void) {
    const t_ev *e;
    t_mark_a = t_a.n_evs;
    CHECK(sioc_node_broadcast(&t_b.node, sioc_str_c("/"), NULL, t_packet("hi", 7), sioc_posix_now_ms()) == SIOC_OK);
    CHECK(t_pump(5000, t_a_got_deliver));
    e = t_find(&t_a, SIOC_NODE_EV_DELIVER, t_mark_a);
    CHECK(e && strcmp(e->text, "2[\"hi\",7]") == 0 && e->n_targets == 1);
    /* no subscription filters on Service Bus: B gets its own messages back and drops them by uid (§2.1) */
    CHECK(t_pump(300, NULL));
    CHECK(t_b.node.counters.ignored_own >= 1);
    CHECK(t_a.cz.completed >= 1);
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

static void test_server_side_emit(void) {
    const t_ev *e, *resp, *done;
    uint32_t req = 0;
    sioc_bytes pong = t_packet("pong", 9);
    uint8_t want[64];
    size_t want_len = pong.len;
    memcpy(want, pong.ptr, pong.len);
    t_mark_a = t_a.n_evs;
    t_mark_b = t_b.n_evs;
    CHECK(sioc_node_server_side_emit_ack(&t_a.node, sioc_str_c("/"), t_packet("ping", 8), NULL, &req,
                                         sioc_posix_now_ms()) == SIOC_OK);
    CHECK(t_pump(5000, t_b_got_sse));
    e = t_find(&t_b, SIOC_NODE_EV_SERVER_SIDE_EMIT, t_mark_b);
    CHECK(e && e->ack != 0 && strcmp(e->uid, t_a.node.uid) == 0);
    if (!e) return;
    CHECK(sioc_node_server_side_ack(&t_b.node, e->ack, t_packet("pong", 9), sioc_posix_now_ms()) == SIOC_OK);
    CHECK(t_pump(5000, t_a_done));
    resp = t_find(&t_a, SIOC_NODE_EV_SSE_RESPONSE, t_mark_a);
    CHECK(resp && resp->packet_len == want_len && memcmp(resp->packet, want, want_len) == 0);
    done = t_find(&t_a, SIOC_NODE_EV_REQUEST_DONE, t_mark_a);
    CHECK(done && done->request == req && done->result == SIOC_OK);
}

static int t_e_ready(void) { return t_e.cz.state == SIOC_CLUSTER_AZURE_RUNNING; }

static void test_emitter(void) {
    const t_ev *e;
    CHECK(t_member_init(&t_e, t_conn_str, t_rest_url, 1));
    CHECK(t_pump(5000, t_e_ready));
    CHECK_EQ_INT(t_e.cz.requests[SIOC_CLUSTER_AZURE_CREATE_SUBSCRIPTION], 0);
    CHECK_EQ_INT(t_e.cz.requests[SIOC_CLUSTER_AZURE_RECEIVE], 0);
    t_mark_a = t_a.n_evs;
    CHECK(sioc_node_broadcast(&t_e.node, sioc_str_c("/"), NULL, t_packet("emit", 2), sioc_posix_now_ms()) == SIOC_OK);
    CHECK(t_pump(5000, t_a_got_deliver));
    e = t_find(&t_a, SIOC_NODE_EV_DELIVER, t_mark_a);
    CHECK(e && strcmp(e->text, "2[\"emit\",2]") == 0);
    CHECK(sioc_cluster_azure_close(&t_e.cz, sioc_posix_now_ms()) == SIOC_OK);
    CHECK(t_pump(3000, NULL));
    CHECK_EQ_INT(t_e.cz.state, SIOC_CLUSTER_AZURE_CLOSED);
    CHECK_EQ_INT(t_e.cz.requests[SIOC_CLUSTER_AZURE_DELETE_SUBSCRIPTION], 0);
    t_member_free(&t_e);
}

static uint64_t t_base;
static int t_a_bad(void) { return t_a.cz.bad_messages >= 1 && t_a.cz.completed > t_base; }

static void test_bad_message(void) {
    sioc_azure_prop p[2];
    sioc_bytes body;
    t_base = t_a.cz.completed;
    p[0].name = sioc_str_c("nsp"), p[0].type = SIOC_AZURE_PROP_STRING, p[0].value = sioc_str_c("/");
    p[1].name = sioc_str_c("uid"), p[1].type = SIOC_AZURE_PROP_STRING, p[1].value = sioc_str_c("badbadbadbadbad0");
    body.ptr = (const uint8_t *)"\x81\xa4type"; /* a map cut short */
    body.len = 6;
    CHECK(t_side_do(2, sioc_str_c(""), body, p, 2) == SIOC_OK);
    CHECK(t_pump(6000, t_a_bad));
    CHECK(t_a.cz.bad_messages >= 1 && t_a.node.counters.malformed >= 1);
    CHECK(t_a.cz.completed > t_base);
    CHECK_EQ_INT(t_a.cz.state, SIOC_CLUSTER_AZURE_RUNNING);
}

static int t_b_recreated(void) {
    return t_b.cz.subscriptions_recreated == 1 && t_b.cz.state == SIOC_CLUSTER_AZURE_RUNNING && t_b.node.ready;
}

static void test_subscription_deleted(void) {
    const t_ev *e;
    CHECK(t_side_do(1, sioc_str_c(t_b.cz.subscription), t_nobytes(), NULL, 0) == SIOC_OK);
    CHECK(!t_side.existed);
    t_mark_b = t_b.n_evs;
    CHECK(t_pump(12000, t_b_recreated));
    CHECK(t_find(&t_b, SIOC_NODE_EV_NOT_READY, t_mark_b) != NULL);
    CHECK(t_find(&t_b, SIOC_NODE_EV_READY, t_mark_b) != NULL);
    CHECK(t_b.cz.failures[SIOC_CLUSTER_AZURE_RECEIVE] >= 1);
    CHECK_EQ_INT(t_b.cz.requests[SIOC_CLUSTER_AZURE_CREATE_SUBSCRIPTION], 2);
    CHECK(t_side_do(0, sioc_str_c(t_b.cz.subscription), t_nobytes(), NULL, 0) == SIOC_OK);
    /* messages reach it again */
    t_mark_b = t_b.n_evs;
    CHECK(sioc_node_broadcast(&t_a.node, sioc_str_c("/"), NULL, t_packet("again", 3), sioc_posix_now_ms()) ==
          SIOC_OK);
    CHECK(t_pump(5000, t_b_got_deliver));
    e = t_find(&t_b, SIOC_NODE_EV_DELIVER, t_mark_b);
    CHECK(e && strcmp(e->text, "2[\"again\",3]") == 0);
}

static int t_dead_failed(void) { return t_dead.cz.state == SIOC_CLUSTER_AZURE_FAILED; }

/* A wrong key: 401, one retry with a fresh token, then FAILED with SIOC_ERR_AUTH and no more requests. */
static void test_wrong_key(void) {
    uint64_t n;
    CHECK(t_member_init(&t_dead, t_bad_conn_str, t_rest_url, 0));
    CHECK(t_pump(3000, t_dead_failed));
    CHECK_EQ_INT(t_dead.cz.state, SIOC_CLUSTER_AZURE_FAILED);
    CHECK_EQ_INT(t_dead.cz.last_error, SIOC_ERR_AUTH);
    n = t_dead.cz.requests[SIOC_CLUSTER_AZURE_GET_TOPIC];
    CHECK_EQ_INT(n, 2);
    CHECK_EQ_INT(t_dead.cz.failures[SIOC_CLUSTER_AZURE_GET_TOPIC], 2);
    CHECK(t_pump(1500, NULL));
    CHECK_EQ_INT(t_dead.cz.requests[SIOC_CLUSTER_AZURE_GET_TOPIC], n); /* no hot loop, no loop at all */
    CHECK(!t_dead.node.ready);
    CHECK(sioc_cluster_azure_close(&t_dead.cz, sioc_posix_now_ms()) == SIOC_OK);
    CHECK(t_pump(300, NULL));
    CHECK_EQ_INT(t_dead.cz.state, SIOC_CLUSTER_AZURE_CLOSED);
    CHECK_EQ_INT(t_dead.cz.requests[SIOC_CLUSTER_AZURE_DELETE_SUBSCRIPTION], 0);
    t_member_free(&t_dead);
}

/* Requests to a closed port: retried with growing, jittered delays, never a hot loop. */
static void test_backoff(void) {
    uint64_t n;
    CHECK(t_member_init(&t_dead, t_conn_str, "http://127.0.0.1:1", 0)); /* nothing listens on port 1 */
    CHECK(t_pump(3000, NULL));
    n = t_dead.cz.requests[SIOC_CLUSTER_AZURE_GET_TOPIC];
    CHECKF(n >= 3 && n <= 12, "%llu GetTopic attempts in 3 s", (unsigned long long)n);
    CHECK_EQ_INT(t_dead.cz.failures[SIOC_CLUSTER_AZURE_GET_TOPIC], n);
    CHECK_EQ_INT(t_dead.cz.state, SIOC_CLUSTER_AZURE_STARTING);
    CHECK(!t_dead.node.ready);
    CHECK(sioc_cluster_azure_close(&t_dead.cz, sioc_posix_now_ms()) == SIOC_OK);
    CHECK(t_pump(2500, NULL));
    CHECK_EQ_INT(t_dead.cz.state, SIOC_CLUSTER_AZURE_CLOSED);
    t_member_free(&t_dead);
}

static int t_both_closed(void) {
    return t_a.cz.state == SIOC_CLUSTER_AZURE_CLOSED && t_b.cz.state == SIOC_CLUSTER_AZURE_CLOSED;
}
static int t_a_saw_b_leave(void) { return sioc_node_peer_count(&t_a.node, sioc_str_c("/")) == 0; }

static void test_close(void) {
    char sub_a[96], sub_b[96];
    snprintf(sub_a, sizeof sub_a, "%s", t_a.cz.subscription);
    snprintf(sub_b, sizeof sub_b, "%s", t_b.cz.subscription);
    CHECK(sioc_cluster_azure_close(&t_b.cz, sioc_posix_now_ms()) == SIOC_OK);
    CHECK(t_pump(3000, t_a_saw_b_leave)); /* ADAPTER_CLOSE arrived before the subscription went */
    CHECK(sioc_cluster_azure_close(&t_a.cz, sioc_posix_now_ms()) == SIOC_OK);
    CHECK(t_pump(5000, t_both_closed));
    CHECK_EQ_INT(t_b.cz.requests[SIOC_CLUSTER_AZURE_DELETE_SUBSCRIPTION], 1);
    CHECK_EQ_INT(t_a.cz.requests[SIOC_CLUSTER_AZURE_DELETE_SUBSCRIPTION], 1);
    CHECK(t_a.cz.subscription[0] == 0 && t_b.cz.subscription[0] == 0);
    CHECK(t_b.cz.published >= 1 && t_b.cz.publish_failed == 0);
    CHECK_EQ_INT(t_a.cz.redelivered + t_b.cz.redelivered, 0);
    /* both subscriptions are gone */
    CHECK(t_side_do(0, sioc_str_c(sub_a), t_nobytes(), NULL, 0) == SIOC_ERR_NOT_FOUND);
    CHECK(t_side_do(0, sioc_str_c(sub_b), t_nobytes(), NULL, 0) == SIOC_ERR_NOT_FOUND);
    t_member_free(&t_a);
    t_member_free(&t_b);
}

/* Offline: options are checked, defaults resolved. */
static void test_desc(void) {
    sioc_cluster_azure_desc d, r;
    sioc_cluster_azure cz;
    sioc_node n;
    sioc_azure_client c;
    memset(&d, 0, sizeof d);
    memset(&n, 0, sizeof n);
    memset(&c, 0, sizeof c);
    r = sioc_cluster_azure_desc_resolved(&d);
    CHECK(strcmp(r.topic_name, "socket.io") == 0 && strcmp(r.subscription_prefix, "socket.io") == 0);
    CHECK_EQ_INT(r.timeout_s, 55);
    CHECK_EQ_INT(r.receives_in_flight, 2);
    CHECK_EQ_INT(r.auto_delete_on_idle_s, 300);
    CHECK(sioc_cluster_azure_init(&cz, &n, &c, &d) == SIOC_ERR_DEPENDENCY);
    d.random = t_random;
    CHECK(sioc_cluster_azure_heap_size(&d) > 0);
    d.receives_in_flight = SIOC_CLUSTER_AZURE_MAX_RECEIVES + 1;
    CHECK(sioc_cluster_azure_init(&cz, &n, &c, &d) == SIOC_ERR_ARG);
    d.receives_in_flight = 1;
    d.timeout_s = 61;
    CHECK(sioc_cluster_azure_init(&cz, &n, &c, &d) == SIOC_ERR_ARG);
    d.timeout_s = 0;
    d.topic_name = "bad/topic";
    CHECK(sioc_cluster_azure_init(&cz, &n, &c, &d) == SIOC_ERR_ARG);
    d.topic_name = NULL;
    d.subscription_prefix = "a-prefix-far-too-long-for-fifty-chars-x"; /* 39 + 1 + 16 > 50 */
    CHECK_EQ_INT(sioc_cluster_azure_heap_size(&d), 0);
    CHECK(strcmp(sioc_cluster_azure_op_name(SIOC_CLUSTER_AZURE_CREATE_SUBSCRIPTION), "CreateSubscription") == 0);
    CHECK(strcmp(sioc_cluster_azure_op_name(99), "?") == 0);
}

int main(void) {
    char why[256];
    int started;
    signal(SIGPIPE, SIG_IGN);
    RUN(test_desc);
    started = t_start_broker(why, sizeof why);
    if (started <= 0) {
        if (started == 0) sioc_t_skip("test_cluster_azure_live", "live tests against the Service Bus test broker", why);
        else CHECKF(0, "the broker could not start: %s", why);
        return sioc_t_report("test_cluster_azure_live");
    }
    snprintf(t_topic, sizeof t_topic, "sioc-cluster-live-%ld", (long)getpid());
    snprintf(t_conn_str, sizeof t_conn_str,
             "Endpoint=sb://127.0.0.1:%d;SharedAccessKeyName=" T_KEY_NAME ";SharedAccessKey=" T_KEY
             ";UseDevelopmentEmulator=true",
             t_amqp_port);
    snprintf(t_bad_conn_str, sizeof t_bad_conn_str,
             "Endpoint=sb://127.0.0.1:%d;SharedAccessKeyName=" T_KEY_NAME ";SharedAccessKey=wrongkey"
             ";UseDevelopmentEmulator=true",
             t_amqp_port);
    snprintf(t_rest_url, sizeof t_rest_url, "http://127.0.0.1:%d", t_http_port);
    printf("broker at amqp=%d http=%d\n", t_amqp_port, t_http_port);
    RUN(test_join);
    RUN(test_broadcast);
    RUN(test_ack_broadcast);
    RUN(test_fetch);
    RUN(test_server_side_emit);
    RUN(test_emitter);
    RUN(test_bad_message);
    RUN(test_subscription_deleted);
    RUN(test_wrong_key);
    RUN(test_backoff);
    RUN(test_close);
    t_stop(&t_broker);
    return sioc_t_report("test_cluster_azure_live");
}
