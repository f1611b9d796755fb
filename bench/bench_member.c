/* bench_member: CPU per broadcast of the library alone (issue 16), both ends, at 200/s and at the highest rate.
   No JSON lines, no stdout per message: two processes forked from this one, each one sioc_cluster member with its
   own POSIX sockets and its own poll() loop (the member's descriptors + a command pipe), against a local broker
   started here (tests/child.h): fauxqs for AWS, the project's Service Bus broker for Azure.
     send  broadcasts ["b", phase, i, t_us] to the cluster at the phase's rate (t_us: CLOCK_MONOTONIC at the call)
     recv  one local socket; counts the phase's deliveries and their latency (same clock: one machine)
   Phases (each process measures its own getrusage CPU, minus its idle rate over the same time):
     idle      3 s, both ends: CPU per second (the baseline subtracted below)
     200/s     N1 broadcasts paced at 5 ms
     max       N2 broadcasts as fast as the out queue takes them (backpressure: SIOC_ERR_BUFFER_TOO_SMALL)
   A phase ends at the sender when every message has an outcome, at the receiver when every message was
   delivered and every receipt handle settled (with pacing a handle may wait up to 15 s for a fuller batch).
   Requests per broadcast are the members' own counters (stats.requests, equal to what a proxy counts: see
   bench/cluster_bench.js). Run with pacing on (the default) and off (receive_budget_ms -1).
   Where the microseconds go: when `perf` works here (perf_event_paranoid <= 2 allows user-space sampling of own
   processes), `perf record -e cpu-clock:u` is attached to each process for the pacing-on 200/s and max phases (a
   third run) and its samples are summed into pieces (signing, HTTP engine, parsing, request writing, node, member,
   libc) and into the user time; the kernel time (whole process minus user) is split into the loop's sleeps in
   poll() (turns that slept x the CPU one sleep and wake-up costs here, measured at start) and the rest (send, recv,
   poll without waiting, loopback TCP, scheduling).
   Build: gcc -std=c99 -O2 -I. bench/bench_member.c -o build/bench/bench_member -lm
   Run:   build/bench/bench_member [scale] [aws|azure|both]   (scale 1: N1 = 2000, N2 = 10000; make bench: 0.5) */
#define _POSIX_C_SOURCE 200809L
#define _DEFAULT_SOURCE
#define SIOC_ENABLE_POSIX 1
#define SIOC_POSIX_GETADDRINFO 0
#define SIO_CLUSTER_IMPLEMENTATION
#include "sio_cluster.h"
#include "tests/child.h"
#include <fcntl.h>
#include <poll.h>
#include <stdarg.h>
#include <signal.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/resource.h>
#include <sys/wait.h>
#include <time.h>
#include <unistd.h>

static uint64_t now_us(void) {
    struct timespec ts;
    clock_gettime(CLOCK_MONOTONIC, &ts);
    return (uint64_t)ts.tv_sec * 1000000u + (uint64_t)ts.tv_nsec / 1000u;
}

typedef struct cpu_t {
    double user_us, sys_us;
} cpu_t;

static cpu_t cpu_now(void) {
    struct rusage ru;
    cpu_t c;
    getrusage(RUSAGE_SELF, &ru);
    c.user_us = (double)ru.ru_utime.tv_sec * 1e6 + (double)ru.ru_utime.tv_usec;
    c.sys_us = (double)ru.ru_stime.tv_sec * 1e6 + (double)ru.ru_stime.tv_usec;
    return c;
}

/* ---- one member process (a child) ---- */

static sioc_cluster g_m;
static int g_cmd_fd, g_out_fd;
static char g_role;
static uint64_t g_lat[65536];
static size_t g_n_lat;
static unsigned long g_turns, g_waits; /* loop turns, and those whose poll() slept (returned after 20 µs or more) */

static void say(const char *fmt, ...) {
    char line[1024];
    va_list ap;
    int n;
    va_start(ap, fmt);
    n = vsnprintf(line, sizeof line, fmt, ap);
    va_end(ap);
    if (n > 0 && write(g_out_fd, line, (size_t)n) < 0) _exit(3);
}

/* One loop turn: wait until a socket, a timer, the command pipe or `until_us` (0: no limit but 200 ms). */
static int turn(uint64_t until_us, char *cmd, size_t cap) {
    struct pollfd pf[32];
    sioc_posix_fd fds[31];
    sioc_posix *px = sioc_cluster_posix(&g_m);
    size_t n, i;
    uint64_t now = sioc_posix_now_ms(), d;
    int wait, got = 0;
    sioc_cluster_process(&g_m, now);
    n = sioc_posix_fds(px, fds, 31);
    for (i = 0; i < n; i++) {
        pf[i].fd = fds[i].fd;
        pf[i].events = 0;
        if (fds[i].wants & SIOC_HTTP_WANT_READ) pf[i].events |= POLLIN;
        if (fds[i].wants & (SIOC_HTTP_WANT_WRITE | SIOC_HTTP_WANT_CONNECT)) pf[i].events |= POLLOUT;
        pf[i].revents = 0;
    }
    pf[n].fd = g_cmd_fd, pf[n].events = POLLIN, pf[n].revents = 0;
    d = sioc_cluster_next_deadline(&g_m, now);
    wait = 200;
    if (d <= now) wait = 0;
    else if (d - now < (uint64_t)wait) wait = (int)(d - now);
    if (until_us) {
        uint64_t t = now_us();
        int w = until_us <= t ? 0 : (int)((until_us - t + 999) / 1000);
        if (w < wait) wait = w;
    }
    g_turns++;
    d = now_us();
    (void)poll(pf, (nfds_t)(n + 1), wait);
    if (wait > 0 && now_us() - d >= 20) g_waits++; /* a poll() that returns at once (output to send) did not sleep */
    if (pf[n].revents & (POLLIN | POLLHUP)) {
        ssize_t k = read(g_cmd_fd, cmd, cap - 1);
        if (k <= 0) _exit(0); /* the driver is gone */
        cmd[k] = 0;
        got = 1;
    }
    now = sioc_posix_now_ms();
    (void)sioc_posix_step(px, now);
    sioc_cluster_process(&g_m, now);
    return got;
}

static int g_phase, g_want;
static size_t g_got, g_peers;

static void drain(void) {
    sioc_node_event ev;
    uint64_t t = now_us();
    while (sioc_node_next_event(sioc_cluster_node(&g_m), &ev) == SIOC_OK) {
        if (ev.type == SIOC_NODE_EV_PEER_UP) g_peers++;
        if (ev.type == SIOC_NODE_EV_PEER_DOWN && g_peers) g_peers--;
        if (ev.type == SIOC_NODE_EV_DELIVER) {
            int ph = 0;
            unsigned long i = 0;
            unsigned long long ts = 0;
            char text[128];
            size_t tl = ev.text.len < sizeof text - 1 ? ev.text.len : sizeof text - 1;
            memcpy(text, ev.text.ptr, tl);
            text[tl] = 0;
            if (sscanf(text, "2[\"b\",%d,%lu,%llu]", &ph, &i, &ts) == 3 && ph == g_phase) {
                g_got++;
                if (g_n_lat < 65536 && t >= ts) g_lat[g_n_lat++] = t - ts;
            }
        }
    }
}

static int cmp_u64(const void *a, const void *b) {
    uint64_t x = *(const uint64_t *)a, y = *(const uint64_t *)b;
    return x < y ? -1 : x > y;
}

static uint64_t reqs_total(void) {
    const sioc_cluster_stats *st = sioc_cluster_get_stats(&g_m);
    uint64_t s = 0;
    int k;
    for (k = 0; k < SIOC_CLUSTER_OP_COUNT; k++) s += st->requests[k];
    return s;
}

/* ["b", phase, i, t_us] */
static size_t packet(uint8_t *out, int phase, uint32_t i, uint64_t t) {
    sioc_buf b;
    sioc_msgpack_writer w;
    sioc_buf_init(&b, out, 64);
    sioc_msgpack_writer_init(&w, &b);
    sioc_msgpack_write_array(&w, 4);
    sioc_msgpack_write_cstr(&w, "b");
    sioc_msgpack_write_uint(&w, (uint64_t)phase);
    sioc_msgpack_write_uint(&w, i);
    sioc_msgpack_write_uint(&w, t);
    (void)sioc_msgpack_writer_finish(&w);
    return b.len;
}

/* Send n broadcasts, every `gap_us` (0: as fast as the out queue takes them); done when all have an outcome. */
static void send_phase(int phase, uint32_t n, uint64_t gap_us) {
    sioc_node *node = sioc_cluster_node(&g_m);
    uint64_t t0 = now_us(), next = t0;
    uint32_t i = 0;
    char cmd[256];
    while (i < n || sioc_cluster_published_seq(&g_m) < sioc_cluster_queued_seq(&g_m)) {
        while (i < n && (gap_us == 0 || now_us() >= next)) {
            uint8_t p[64];
            uint64_t t = now_us();
            sioc_result r = sioc_node_broadcast(node, sioc_str_c("/"), NULL, sioc_bytes_n(p, packet(p, phase, i, t)),
                                                sioc_posix_now_ms());
            if (r == SIOC_ERR_BUFFER_TOO_SMALL) break; /* out queue full: publish first */
            if (r != SIOC_OK) _exit(4);
            i++;
            next = t0 + (uint64_t)i * gap_us;
            if (gap_us) break;
        }
        (void)turn(gap_us && i < n ? next : 0, cmd, sizeof cmd);
        drain();
    }
}

static void member_main(char role, int cmd_fd, int out_fd, const char *endpoint, const char *cs, const char *rest,
                        int pacing) {
    sioc_cluster_desc d;
    sioc_node_socket_desc sd;
    char cmd[256];
    g_role = role, g_cmd_fd = cmd_fd, g_out_fd = out_fd;
    memset(&d, 0, sizeof d);
    if (endpoint) {
        d.transport = SIOC_CLUSTER_AWS;
        d.aws.region = "us-east-1";
        d.aws.credentials.access_key_id = sioc_str_c("AKIAIOSFODNN7EXAMPLE");
        d.aws.credentials.secret_access_key = sioc_str_c("wJalrXUtnFEMI/K7MDENG/bPxRfiCYEXAMPLEKEY");
        d.aws.sns_endpoint = d.aws.sqs_endpoint = endpoint;
    } else {
        d.transport = SIOC_CLUSTER_AZURE;
        d.azure.connection_string = cs;
        d.azure.rest_url = rest;
    }
    d.topic_name = "bench-member";
    if (!pacing) d.receive_budget_ms = d.publish_budget_ms = -1;
    if (sioc_cluster_init(&g_m, &d) != SIOC_OK) _exit(5);
    memset(&sd, 0, sizeof sd);
    if (role == 'r' && sioc_node_socket_add(sioc_cluster_node(&g_m), sioc_str_c("/"), sioc_str_c("r1"), &sd, 0) != SIOC_OK)
        _exit(6);
    if (sioc_cluster_start(&g_m, sioc_posix_now_ms()) != SIOC_OK) _exit(7);
    for (;;) {
        int got = turn(0, cmd, sizeof cmd);
        drain();
        if (sioc_cluster_get_state(&g_m) == SIOC_CLUSTER_FAILED) _exit(8);
        if (!got) continue;
        if (!strncmp(cmd, "peers", 5)) { /* wait until the other member is known */
            while (g_peers < 1) (void)turn(0, cmd, sizeof cmd), drain();
            say("ok\n");
        } else if (!strncmp(cmd, "idle ", 5)) {
            double secs = atof(cmd + 5);
            cpu_t c0 = cpu_now(), c1;
            uint64_t t0 = now_us(), r0 = reqs_total();
            while (now_us() - t0 < (uint64_t)(secs * 1e6)) (void)turn(t0 + (uint64_t)(secs * 1e6), cmd, sizeof cmd), drain();
            c1 = cpu_now();
            say("idle %.1f %.1f %.3f %lu\n", c1.user_us - c0.user_us, c1.sys_us - c0.sys_us, (double)(now_us() - t0) / 1e6,
                (unsigned long)(reqs_total() - r0));
        } else if (!strncmp(cmd, "phase ", 6)) { /* phase P N GAP_US */
            int ph = 0;
            unsigned long n = 0, gap = 0;
            cpu_t c0, c1;
            uint64_t t0, r0;
            const sioc_cluster_stats *st = sioc_cluster_get_stats(&g_m);
            if (sscanf(cmd + 6, "%d %lu %lu", &ph, &n, &gap) != 3) _exit(9);
            c0 = cpu_now(), t0 = now_us(), r0 = reqs_total();
            g_phase = ph, g_want = (int)n, g_got = 0, g_n_lat = 0, g_turns = 0, g_waits = 0;
            say("go\n");
            if (role == 's') {
                send_phase(ph, (uint32_t)n, gap);
            } else {
                uint64_t last = 0;
                while (g_got < n || st->settled + st->settle_failed < st->received) {
                    (void)turn(0, cmd, sizeof cmd);
                    drain();
                    if (g_got >= n && !last) last = now_us();
                    if (now_us() - t0 > 120000000u) break; /* something is lost: report what came */
                }
            }
            c1 = cpu_now();
            if (g_n_lat) qsort(g_lat, g_n_lat, sizeof g_lat[0], cmp_u64);
            say("done %.1f %.1f %.3f %lu %lu %lu %lu %lu %lu\n", c1.user_us - c0.user_us, c1.sys_us - c0.sys_us,
                (double)(now_us() - t0) / 1e6, (unsigned long)(reqs_total() - r0), (unsigned long)g_got,
                (unsigned long)(g_n_lat ? g_lat[g_n_lat / 2] : 0),
                (unsigned long)(g_n_lat ? g_lat[(g_n_lat * 99) / 100] : 0), g_turns, g_waits);
        } else if (!strncmp(cmd, "quit", 4)) {
            uint64_t t0 = now_us();
            (void)sioc_cluster_close(&g_m, sioc_posix_now_ms());
            while (sioc_cluster_get_state(&g_m) != SIOC_CLUSTER_CLOSED && now_us() - t0 < 5000000u)
                (void)turn(0, cmd, sizeof cmd), drain();
            sioc_cluster_free(&g_m);
            _exit(0);
        }
    }
}

/* ---- the driver ---- */

typedef struct proc_t {
    pid_t pid;
    int to, from;
    char buf[4096];
    size_t len;
} proc_t;

static int spawn_member(proc_t *p, char role, const char *endpoint, const char *cs, const char *rest, int pacing) {
    int a[2], b[2];
    if (pipe(a) != 0 || pipe(b) != 0) return 0;
    p->pid = fork();
    if (p->pid < 0) return 0;
    if (p->pid == 0) {
        close(a[1]);
        close(b[0]);
        member_main(role, a[0], b[1], endpoint, cs, rest, pacing);
        _exit(0);
    }
    close(a[0]);
    close(b[1]);
    p->to = a[1], p->from = b[0], p->len = 0;
    return 1;
}

static void tell(proc_t *p, const char *cmd) {
    if (write(p->to, cmd, strlen(cmd)) < 0) {
        fprintf(stderr, "bench_member: a member died\n");
        exit(1);
    }
}

/* One line from the member (blocking, 180 s at most). */
static const char *hear(proc_t *p, char *line, size_t cap) {
    uint64_t t0 = child_now_ms();
    for (;;) {
        char *nl = memchr(p->buf, '\n', p->len);
        struct pollfd pf;
        ssize_t k;
        if (nl) {
            size_t n = (size_t)(nl - p->buf);
            if (n >= cap) n = cap - 1;
            memcpy(line, p->buf, n);
            line[n] = 0;
            p->len -= (size_t)(nl - p->buf) + 1;
            memmove(p->buf, nl + 1, p->len);
            return line;
        }
        pf.fd = p->from, pf.events = POLLIN, pf.revents = 0;
        if (child_now_ms() - t0 > 180000 || poll(&pf, 1, 1000) < 0) break;
        if (!pf.revents) continue;
        k = read(p->from, p->buf + p->len, sizeof p->buf - p->len);
        if (k <= 0) break;
        p->len += (size_t)k;
    }
    fprintf(stderr, "bench_member: a member stopped answering\n");
    exit(1);
}

/* ---- perf (optional): a profile of one process during one phase, summed into pieces ---- */

static int g_perf_ok;
typedef struct prof_t {
    double pct[8];
    double user_us; /* user time seen by the profile: samples / frequency */
    int ok;
} prof_t;
#define PERF_HZ 10000
static const char *const k_pieces[8] = {"signing (SHA-256, HMAC, SigV4)", "HTTP engine + POSIX backend",
                                        "parsing (JSON, XML, base64, MD5)", "request writing (bodies, encoding)",
                                        "node (decode, deliver, msgpack)", "member (slots, pacing, settles)",
                                        "libc (memcpy, poll wrapper, ...)", "other"};

static int piece_of(const char *dso, const char *sym) {
    if (strstr(dso, "libc") || strstr(dso, "vdso") || strstr(dso, "ld-linux")) return 6;
    if (strstr(sym, "sha256") || strstr(sym, "hmac") || strstr(sym, "sigv4")) return 0;
    if (strstr(sym, "http") || strstr(sym, "posix")) return 1;
    if (strstr(sym, "json_parse") || strstr(sym, "json_") || strstr(sym, "xml") || strstr(sym, "base64") ||
        strstr(sym, "md5") || strstr(sym, "parse") || strstr(sym, "hex_decode"))
        return 2;
    if (strstr(sym, "write") || strstr(sym, "sioc_buf") || strstr(sym, "urlenc") || strstr(sym, "form") ||
        strstr(sym, "jw_") || strstr(sym, "__jkey") || strstr(sym, "_put"))
        return 3;
    if (strstr(sym, "node") || strstr(sym, "msgpack") || strstr(sym, "sioc_msg") || strstr(sym, "sio_") ||
        strstr(sym, "select"))
        return 4;
    if (strstr(sym, "sioc__m") || strstr(sym, "cluster") || strstr(sym, "maws") || strstr(sym, "mazure") ||
        strstr(sym, "aws") || strstr(sym, "azure") || strstr(sym, "sqs") || strstr(sym, "sns"))
        return 5;
    return 7;
}

static pid_t perf_start(pid_t pid, const char *file) {
    pid_t p = fork();
    if (p == 0) {
        char ps[32];
        int devnull = open("/dev/null", O_WRONLY);
        snprintf(ps, sizeof ps, "%d", (int)pid);
        if (devnull >= 0) dup2(devnull, 1), dup2(devnull, 2);
        execlp("perf", "perf", "record", "-q", "-e", "cpu-clock:u", "-F", "10000", "-p", ps, "-o", file, (char *)NULL);
        _exit(127);
    }
    return p;
}

static prof_t perf_stop(pid_t p, const char *file) {
    prof_t r;
    char cmd[512], line[1024];
    FILE *f;
    int st = 0;
    memset(&r, 0, sizeof r);
    if (p <= 0) return r;
    kill(p, SIGINT);
    waitpid(p, &st, 0);
    snprintf(cmd, sizeof cmd, "perf report -i %s --stdio --no-children -n --sort dso,sym -q 2>/dev/null", file);
    f = popen(cmd, "r");
    if (!f) return r;
    while (fgets(line, sizeof line, f)) { /* "    12.34%   123  bench_member  [.] sioc_sha256_update" */
        double pc;
        unsigned long samples;
        char dso[256], sym[512];
        if (sscanf(line, " %lf%% %lu %255s [%*[^]]] %511s", &pc, &samples, dso, sym) == 4) {
            r.pct[piece_of(dso, sym)] += pc;
            r.user_us += (double)samples * 1e6 / PERF_HZ;
            r.ok = 1;
        }
    }
    pclose(f);
    remove(file);
    return r;
}

static int perf_works(void) {
    int st = system("perf record -q -e cpu-clock:u -o /tmp/bench_member_probe.data true >/dev/null 2>&1");
    remove("/tmp/bench_member_probe.data");
    return st == 0;
}

/* ---- one configuration: both members, every phase ---- */

typedef struct res_t {
    double cpu_idle[2]; /* µs per second, [0] sender [1] receiver */
    double idle_reqs_min[2];
    double cpu_200[2], cpu_max[2], sys_200[2], sys_max[2], req_200[2], req_max[2];
    double rate_max, p50_200, p99_200, p50_max, p99_max;
    double raw_200[2], raw_max[2];     /* user+sys per broadcast, idle not subtracted */
    double turns_200[2], turns_max[2]; /* loop turns per broadcast */
    double waits_200[2], waits_max[2]; /* turns whose poll() slept, per broadcast */
    prof_t prof_200[2], prof_max[2];
    double n_200, n_max;
} res_t;

/* What one sleep in poll() and the wake-up after it cost in CPU on this machine (a timer wake, 2 ms): the least of
   three rounds, the one other work on the machine disturbed least. */
static double wake_cost_us(void) {
    double best = 1e9;
    int r, i;
    for (r = 0; r < 3; r++) {
        cpu_t c0 = cpu_now(), c1;
        double us;
        for (i = 0; i < 100; i++) (void)poll(NULL, 0, 2);
        c1 = cpu_now();
        us = (c1.user_us + c1.sys_us - c0.user_us - c0.sys_us) / 100.0;
        if (us < best) best = us;
    }
    return best;
}
static double g_wake_us;

static void run_config(const char *endpoint, const char *cs, const char *rest, int pacing, double scale, res_t *o,
                       int profile) {
    proc_t pr[2];
    char line[1024];
    int k;
    double idle_s[2];
    unsigned long n1 = (unsigned long)(2000 * scale), n2 = (unsigned long)(10000 * scale);
    memset(o, 0, sizeof *o);
    o->n_200 = (double)n1, o->n_max = (double)n2;
    if (!spawn_member(&pr[0], 's', endpoint, cs, rest, pacing) || !spawn_member(&pr[1], 'r', endpoint, cs, rest, pacing)) {
        fprintf(stderr, "bench_member: fork failed\n");
        exit(1);
    }
    for (k = 0; k < 2; k++) tell(&pr[k], "peers\n");
    for (k = 0; k < 2; k++) (void)hear(&pr[k], line, sizeof line);
    usleep(1500000); /* start-up traffic over */
    for (k = 0; k < 2; k++) tell(&pr[k], "idle 3\n");
    for (k = 0; k < 2; k++) {
        double u, s, t;
        unsigned long r;
        if (sscanf(hear(&pr[k], line, sizeof line), "idle %lf %lf %lf %lu", &u, &s, &t, &r) != 4) exit(1);
        o->cpu_idle[k] = (u + s) / t;
        o->idle_reqs_min[k] = (double)r * 60.0 / t;
        idle_s[k] = t;
    }
    (void)idle_s;
    for (k = 0; k < 2; k++) { /* phase 1: 200/s; phase 2: as fast as it goes */
        int ph = k + 1, j;
        unsigned long n = ph == 1 ? n1 : n2;
        char cmd[128];
        pid_t perf[2] = {0, 0};
        char pf[2][64];
        uint64_t t0;
        snprintf(cmd, sizeof cmd, "phase %d %lu %lu\n", ph, n, ph == 1 ? 5000ul : 0ul);
        tell(&pr[1], cmd); /* the receiver first: it counts from its "go" */
        (void)hear(&pr[1], line, sizeof line);
        if (profile)
            for (j = 0; j < 2; j++) {
                snprintf(pf[j], sizeof pf[j], "/tmp/bench_member_%d_%d.data", (int)getpid(), j);
                perf[j] = perf_start(pr[j].pid, pf[j]);
            }
        if (profile) usleep(300000);
        t0 = child_now_ms();
        tell(&pr[0], cmd);
        (void)hear(&pr[0], line, sizeof line);
        for (j = 0; j < 2; j++) {
            double u, s, t;
            unsigned long r, got, p50, p99, turns, waits;
            if (sscanf(hear(&pr[j], line, sizeof line), "done %lf %lf %lf %lu %lu %lu %lu %lu %lu", &u, &s, &t, &r, &got,
                       &p50, &p99, &turns, &waits) != 9)
                exit(1);
            if (got != n && j == 1) fprintf(stderr, "bench_member: phase %d: %lu of %lu delivered\n", ph, got, n);
            if (ph == 1) {
                o->cpu_200[j] = (u + s - o->cpu_idle[j] * t) / (double)n;
                o->sys_200[j] = s / (double)n;
                o->req_200[j] = (double)r / (double)n;
                o->raw_200[j] = (u + s) / (double)n;
                o->turns_200[j] = (double)turns / (double)n, o->waits_200[j] = (double)waits / (double)n;
                if (j == 1) o->p50_200 = (double)p50 / 1000.0, o->p99_200 = (double)p99 / 1000.0;
            } else {
                o->cpu_max[j] = (u + s - o->cpu_idle[j] * t) / (double)n;
                o->sys_max[j] = s / (double)n;
                o->req_max[j] = (double)r / (double)n;
                o->raw_max[j] = (u + s) / (double)n;
                o->turns_max[j] = (double)turns / (double)n, o->waits_max[j] = (double)waits / (double)n;
                if (j == 0) o->rate_max = (double)n / t;
                if (j == 1) o->p50_max = (double)p50 / 1000.0, o->p99_max = (double)p99 / 1000.0;
            }
        }
        (void)t0;
        if (profile)
            for (j = 0; j < 2; j++) {
                prof_t p = perf_stop(perf[j], pf[j]);
                if (ph == 1) o->prof_200[j] = p;
                else o->prof_max[j] = p;
            }
    }
    for (k = 0; k < 2; k++) tell(&pr[k], "quit\n");
    for (k = 0; k < 2; k++) {
        int st;
        waitpid(pr[k].pid, &st, 0);
        close(pr[k].to);
        close(pr[k].from);
    }
}

/* Where each microsecond of a broadcast goes (pacing on): user time by piece from the profiled run's samples; the
   whole process and the loop's turns from the run without the profiler (perf's own interrupts would count as
   kernel time); kernel time split into the sleeps and wake-ups of the loop (turns that slept x what one
   costs here) and the rest (send, recv, poll without waiting, loopback TCP, scheduling). */
static void print_breakdown(const res_t *p, const res_t *on) {
    const prof_t *pr[4] = {&p->prof_200[0], &p->prof_200[1], &p->prof_max[0], &p->prof_max[1]};
    const double n[4] = {p->n_200, p->n_200, p->n_max, p->n_max};
    const double raw[4] = {on->cpu_200[0], on->cpu_200[1], on->cpu_max[0], on->cpu_max[1]};
    const double waits[4] = {on->waits_200[0], on->waits_200[1], on->waits_max[0], on->waits_max[1]};
    double user[4], wake[4];
    int i, k;
    for (k = 0; k < 4; k++) {
        user[k] = pr[k]->user_us / n[k];
        wake[k] = waits[k] * g_wake_us;
        if (wake[k] > raw[k] - user[k]) wake[k] = raw[k] - user[k] > 0 ? raw[k] - user[k] : 0; /* noise */
    }
    printf("\nWhere each microsecond of a broadcast goes, pacing on (a separate run with `perf record -e cpu-clock:u -F %d` "
           "attached: user time by piece from its samples; whole process and loop turns from the run without it, idle "
           "subtracted; kernel time = whole process minus user time; one sleep and wake-up in poll() costs %.1f µs of "
           "CPU on this machine, measured here):\n\n"
           "| µs per broadcast | sender 200/s | receiver 200/s | sender max | receiver max |\n|---|---:|---:|---:|---:|\n",
           PERF_HZ, g_wake_us);
    for (i = 0; i < 8; i++)
        printf("| %s | %.1f | %.1f | %.1f | %.1f |\n", k_pieces[i], pr[0]->pct[i] / 100 * user[0],
               pr[1]->pct[i] / 100 * user[1], pr[2]->pct[i] / 100 * user[2], pr[3]->pct[i] / 100 * user[3]);
    printf("| **user time** | %.1f | %.1f | %.1f | %.1f |\n", user[0], user[1], user[2], user[3]);
    printf("| kernel: sleeping and waking in poll() | %.1f | %.1f | %.1f | %.1f |\n", wake[0], wake[1], wake[2], wake[3]);
    printf("| kernel: the rest (send, recv, poll, loopback TCP, scheduling) | %.1f | %.1f | %.1f | %.1f |\n",
           raw[0] - user[0] - wake[0], raw[1] - user[1] - wake[1], raw[2] - user[2] - wake[2], raw[3] - user[3] - wake[3]);
    printf("| **whole process** (user+sys) | %.1f | %.1f | %.1f | %.1f |\n", raw[0], raw[1], raw[2], raw[3]);
}

static void print_config(const char *cloud, const res_t *on, const res_t *off, const res_t *prof) {
    printf("#### %s: library only (two processes, one member each, no JSON lines), pacing on vs off\n\n", cloud);
    printf("| measure | sender, pacing on | sender, off | receiver, pacing on | receiver, off |\n|---|---:|---:|---:|---:|\n");
    printf("| CPU µs per broadcast at 200/s (user+sys, idle subtracted) | %.1f | %.1f | %.1f | %.1f |\n", on->cpu_200[0],
           off->cpu_200[0], on->cpu_200[1], off->cpu_200[1]);
    printf("| … of which kernel (syscalls) | %.1f | %.1f | %.1f | %.1f |\n", on->sys_200[0], off->sys_200[0],
           on->sys_200[1], off->sys_200[1]);
    printf("| CPU µs per broadcast at the highest rate | %.1f | %.1f | %.1f | %.1f |\n", on->cpu_max[0], off->cpu_max[0],
           on->cpu_max[1], off->cpu_max[1]);
    printf("| requests per broadcast at 200/s | %.3f | %.3f | %.3f | %.3f |\n", on->req_200[0], off->req_200[0],
           on->req_200[1], off->req_200[1]);
    printf("| requests per broadcast at the highest rate | %.3f | %.3f | %.3f | %.3f |\n", on->req_max[0],
           off->req_max[0], on->req_max[1], off->req_max[1]);
    printf("| idle CPU (µs per second) | %.1f | %.1f | %.1f | %.1f |\n", on->cpu_idle[0], off->cpu_idle[0],
           on->cpu_idle[1], off->cpu_idle[1]);
    printf("\n| rate and latency (send call → delivery event) | pacing on | off |\n|---|---:|---:|\n");
    printf("| highest rate (broadcasts/s) | %.0f | %.0f |\n", on->rate_max, off->rate_max);
    printf("| latency at 200/s, p50 / p99 (ms) | %.2f / %.2f | %.2f / %.2f |\n", on->p50_200, on->p99_200,
           off->p50_200, off->p99_200);
    printf("| latency at the highest rate, p50 / p99 (ms) | %.2f / %.2f | %.2f / %.2f |\n", on->p50_max, on->p99_max,
           off->p50_max, off->p99_max);
    printf("\n| loop turns per broadcast (of which poll() slept) | sender, on | sender, off | receiver, on | "
           "receiver, off |\n|---|---:|---:|---:|---:|\n");
    printf("| at 200/s | %.2f (%.2f) | %.2f (%.2f) | %.2f (%.2f) | %.2f (%.2f) |\n", on->turns_200[0], on->waits_200[0],
           off->turns_200[0], off->waits_200[0], on->turns_200[1], on->waits_200[1], off->turns_200[1], off->waits_200[1]);
    printf("| at the highest rate | %.3f (%.3f) | %.3f (%.3f) | %.3f (%.3f) | %.3f (%.3f) |\n", on->turns_max[0],
           on->waits_max[0], off->turns_max[0], off->waits_max[0], on->turns_max[1], on->waits_max[1], off->turns_max[1],
           off->waits_max[1]);
    if (prof && (prof->prof_200[0].ok || prof->prof_max[0].ok)) print_breakdown(prof, on);
    else printf("\n(no perf profile: `perf record -e cpu-clock:u` is not available here)\n");
    printf("\n");
}

int main(int argc, char **argv) {
    double scale = argc > 1 ? atof(argv[1]) : 1.0;
    const char *which = argc > 2 ? argv[2] : "both";
    char why[256];
    res_t on, off, prof;
    signal(SIGPIPE, SIG_IGN);
    if (scale <= 0) scale = 1.0;
    g_perf_ok = perf_works();
    g_wake_us = wake_cost_us();
    if (!strcmp(which, "aws") || !strcmp(which, "both")) {
        child_proc fq;
        char ep[64];
        if (!child_start_fauxqs(&fq, ep, sizeof ep, why, sizeof why)) {
            printf("SKIPPED (AWS): %s\n\n", why);
        } else {
            run_config(ep, NULL, NULL, 1, scale, &on, 0);
            run_config(ep, NULL, NULL, 0, scale, &off, 0);
            if (g_perf_ok) run_config(ep, NULL, NULL, 1, scale, &prof, 1);
            child_stop(&fq, 2000);
            print_config("SNS/SQS over fauxqs", &on, &off, g_perf_ok ? &prof : NULL);
        }
    }
    if (!strcmp(which, "azure") || !strcmp(which, "both")) {
        child_proc br;
        int amqp = 0, http = 0;
        if (!child_start_broker(&br, "RootManageSharedAccessKey=c2VjcmV0", "600", NULL, &amqp, &http, NULL, why,
                                sizeof why)) {
            printf("SKIPPED (Azure): %s\n\n", why);
        } else {
            char cs[256], rest[64];
            snprintf(cs, sizeof cs, "Endpoint=sb://127.0.0.1:%d;SharedAccessKeyName=RootManageSharedAccessKey;"
                                    "SharedAccessKey=c2VjcmV0;UseDevelopmentEmulator=true", amqp);
            snprintf(rest, sizeof rest, "http://127.0.0.1:%d", http);
            run_config(NULL, cs, rest, 1, scale, &on, 0);
            memcpy(&off, &on, sizeof off); /* Service Bus: no pacing (one message per REST receive) */
            if (g_perf_ok) run_config(NULL, cs, rest, 1, scale, &prof, 1);
            child_stop(&br, 2000);
            print_config("Service Bus REST over the project's broker (pacing does not apply: both columns are one run)",
                         &on, &off, g_perf_ok ? &prof : NULL);
        }
    }
    return 0;
}
