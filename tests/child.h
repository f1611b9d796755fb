/* Child processes for the tests (POSIX): start a program with argv, its stdin and stdout on pipes; wait for a
   line on its stdout that starts with a prefix (its "ready" line), with a timeout; read a port or number it
   printed; stop it with SIGTERM, then SIGKILL after a grace period, and reap it. Every child started is also
   stopped at exit (atexit), so an early return cannot leak one; a crash of the test closes the children's stdin,
   which the project's Node tools (--watch-stdin) take as the signal to exit, and they all have a lifetime cap.
   Standalone (no sio_cluster.h needed). Include after defining _POSIX_C_SOURCE 200809L. One includer per program
   (everything is static). */
#ifndef SIOC_TESTS_CHILD_H
#define SIOC_TESTS_CHILD_H
#include <errno.h>
#include <fcntl.h>
#include <poll.h>
#include <signal.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/types.h>
#include <sys/wait.h>
#include <time.h>
#include <unistd.h>

#if defined(__GNUC__) || defined(__clang__)
#define CHILD_FN static __attribute__((unused))
#else
#define CHILD_FN static
#endif

#define CHILD_MAX 8          /* children alive at once */
#define CHILD_BUF 8192       /* stdout kept until read */

typedef struct child_proc {
    pid_t pid;     /* -1 when none */
    int in_fd;     /* its stdin (write end) */
    int out_fd;    /* its stdout (read end) */
    char out[CHILD_BUF]; /* what it printed and nobody consumed yet, NUL-terminated */
    size_t out_len;
} child_proc;

/* Every child alive, by value (a child_proc may live on a stack that is gone by exit time). */
static struct {
    pid_t pid;
    int in_fd;
} child_live[CHILD_MAX];
static int child_atexit_set;

CHILD_FN uint64_t child_now_ms(void) {
    struct timespec ts;
    clock_gettime(CLOCK_MONOTONIC, &ts);
    return (uint64_t)ts.tv_sec * 1000u + (uint64_t)ts.tv_nsec / 1000000u;
}

/* The tests folder (SIOC_TEST_DIR, default "tests"), as tests/harness.h reads data files. */
CHILD_FN const char *child_test_dir(void) {
    const char *d = getenv("SIOC_TEST_DIR");
    return d && *d ? d : "tests";
}

CHILD_FN int child_file_exists(const char *path) { return access(path, R_OK) == 0; }

/* 1 when CI demands every test (SIOC_REQUIRE_ALL=1, or the older SIOC_REQUIRE_LIVE=1): then a server that cannot
   start is a failure. */
CHILD_FN int child_live_required(void) {
    const char *a = getenv("SIOC_REQUIRE_ALL"), *v = getenv("SIOC_REQUIRE_LIVE");
    return (a && strcmp(a, "1") == 0) || (v && strcmp(v, "1") == 0);
}

/* 1 when an executable `name` is on PATH. */
CHILD_FN int child_on_path(const char *name) {
    const char *path = getenv("PATH");
    char file[1024];
    size_t nl = strlen(name);
    while (path && *path) {
        const char *end = strchr(path, ':');
        size_t n = end ? (size_t)(end - path) : strlen(path);
        if (n > 0 && n + nl + 2 < sizeof file) {
            memcpy(file, path, n);
            file[n] = '/';
            memcpy(file + n + 1, name, nl + 1);
            if (access(file, X_OK) == 0) return 1;
        }
        path = end ? end + 1 : NULL;
    }
    return 0;
}

/* Wait up to grace_ms for the child to exit by itself; 1 when reaped. */
static int child_reap(pid_t pid, uint32_t grace_ms) {
    uint64_t end = child_now_ms() + grace_ms;
    int st;
    for (;;) {
        pid_t r = waitpid(pid, &st, WNOHANG);
        if (r == pid || (r < 0 && errno == ECHILD)) return 1;
        if (child_now_ms() >= end) return 0;
        (void)poll(NULL, 0, 20);
    }
}

/* stdin closed, SIGTERM, SIGKILL when still there after grace_ms; reaped; out of the table. */
static void child_kill(pid_t pid, int in_fd, uint32_t grace_ms) {
    int i;
    if (in_fd >= 0) close(in_fd);
    if (pid > 0) {
        kill(pid, SIGTERM);
        if (!child_reap(pid, grace_ms)) {
            int st;
            kill(pid, SIGKILL);
            while (waitpid(pid, &st, 0) < 0 && errno == EINTR) {
            }
        }
    }
    for (i = 0; i < CHILD_MAX; i++)
        if (pid > 0 && child_live[i].pid == pid) child_live[i].pid = 0, child_live[i].in_fd = -1;
}

/* Stop it (stdin closed, SIGTERM, SIGKILL after grace_ms) and reap it. Safe to call twice. */
CHILD_FN void child_stop(child_proc *p, uint32_t grace_ms) {
    child_kill(p->pid, p->in_fd, grace_ms);
    if (p->out_fd >= 0) close(p->out_fd);
    p->in_fd = p->out_fd = -1;
    p->pid = -1;
}

static void child_stop_all(void) {
    int i;
    for (i = 0; i < CHILD_MAX; i++)
        if (child_live[i].pid > 0) child_kill(child_live[i].pid, child_live[i].in_fd, 2000);
}

static void child_cloexec(int fd) { (void)fcntl(fd, F_SETFD, fcntl(fd, F_GETFD) | FD_CLOEXEC); }

/* Start argv[0] (searched on PATH) with argv. 0 on success, -1 (errno set) on failure. The child's stderr is the
   test's. */
CHILD_FN int child_start(child_proc *p, char *const argv[]) {
    int out[2], in[2], slot;
    memset(p, 0, sizeof *p);
    p->pid = -1;
    p->in_fd = p->out_fd = -1;
    for (slot = 0; slot < CHILD_MAX && child_live[slot].pid > 0; slot++) {
    }
    if (slot == CHILD_MAX) {
        errno = EAGAIN;
        return -1;
    }
    if (!child_atexit_set) {
        atexit(child_stop_all);
        child_atexit_set = 1;
    }
    if (pipe(out) != 0) return -1;
    if (pipe(in) != 0) {
        close(out[0]);
        close(out[1]);
        return -1;
    }
    fflush(NULL); /* nothing buffered gets printed twice */
    p->pid = fork();
    if (p->pid < 0) {
        int e = errno;
        close(out[0]), close(out[1]), close(in[0]), close(in[1]);
        errno = e;
        return -1;
    }
    if (p->pid == 0) {
        dup2(in[0], 0);
        dup2(out[1], 1);
        close(in[0]), close(in[1]), close(out[0]), close(out[1]);
        execvp(argv[0], argv);
        fprintf(stderr, "exec %s: %s\n", argv[0], strerror(errno));
        _exit(127);
    }
    close(in[0]);
    close(out[1]);
    p->in_fd = in[1];
    p->out_fd = out[0];
    child_cloexec(p->in_fd); /* a later child must not hold this one's stdin open */
    child_cloexec(p->out_fd);
    child_live[slot].pid = p->pid;
    child_live[slot].in_fd = p->in_fd;
    return 0;
}

/* Read what the child printed for up to timeout_ms, until `stop` (a substring, or NULL: until EOF or the
   timeout) is in the buffer. 1 when found (or stop is NULL), 0 on timeout or EOF. The text stays in p->out. */
CHILD_FN int child_read_until(child_proc *p, const char *stop, uint32_t timeout_ms) {
    uint64_t end = child_now_ms() + timeout_ms;
    for (;;) {
        struct pollfd pfd;
        long n;
        uint64_t now = child_now_ms();
        if (stop && strstr(p->out, stop)) return 1;
        if (p->out_fd < 0 || now >= end || p->out_len + 1 >= sizeof p->out) return !stop;
        pfd.fd = p->out_fd;
        pfd.events = POLLIN;
        pfd.revents = 0;
        if (poll(&pfd, 1, (int)(end - now < 100 ? end - now : 100)) < 0 && errno != EINTR) return 0;
        if (!(pfd.revents & (POLLIN | POLLHUP | POLLERR))) continue;
        n = (long)read(p->out_fd, p->out + p->out_len, sizeof p->out - 1 - p->out_len);
        if (n <= 0) { /* EOF: it closed its stdout (exited) */
            close(p->out_fd);
            p->out_fd = -1;
            return stop ? strstr(p->out, stop) != NULL : 1;
        }
        p->out_len += (size_t)n;
        p->out[p->out_len] = 0;
    }
}

/* Wait up to timeout_ms for a whole line that starts with prefix; copy it (without the newline) into line.
   Lines before it are skipped (and dropped). 1 when found. */
CHILD_FN int child_wait_line(child_proc *p, const char *prefix, uint32_t timeout_ms, char *line, size_t cap) {
    uint64_t end = child_now_ms() + timeout_ms;
    size_t pl = strlen(prefix);
    line[0] = 0;
    for (;;) {
        char *nl;
        while ((nl = strchr(p->out, '\n')) != NULL) {
            size_t n = (size_t)(nl - p->out);
            int hit = n >= pl && memcmp(p->out, prefix, pl) == 0;
            if (hit) {
                size_t k = n < cap - 1 ? n : cap - 1;
                memcpy(line, p->out, k);
                line[k] = 0;
            }
            memmove(p->out, nl + 1, p->out_len - n - 1);
            p->out_len -= n + 1;
            p->out[p->out_len] = 0;
            if (hit) return 1;
        }
        {
            uint64_t now = child_now_ms();
            if (now >= end || !child_read_until(p, "\n", (uint32_t)(end - now))) return 0;
        }
    }
}

/* The number right after `key` in text ("http=" in "READY amqp=1 http=2", "\"port\":" in JSON), -1 when absent. */
CHILD_FN long child_int_after(const char *text, const char *key) {
    const char *s = strstr(text, key);
    char *e;
    long v;
    if (!s) return -1;
    s += strlen(key);
    v = strtol(s, &e, 10);
    return e == s ? -1 : v;
}

/* ---- the project's Node test servers ---- */

/* `node <tests>/fauxqs/launch.mjs` (the SNS + SQS emulator): endpoint gets "http://127.0.0.1:<port>". 1 when it
   runs; 0 with the reason in why when it cannot run here (node missing, not installed: a skip), -1 when it was
   there but failed to start (a failure). */
CHILD_FN int child_start_fauxqs(child_proc *p, char *endpoint, size_t cap, char *why, size_t why_cap) {
    char launcher[512], pkg[512], line[256], node[] = "node", ws[] = "--watch-stdin", ms[] = "--max-seconds",
                                             secs[] = "300";
    char *argv[6];
    snprintf(launcher, sizeof launcher, "%s/fauxqs/launch.mjs", child_test_dir());
    snprintf(pkg, sizeof pkg, "%s/fauxqs/node_modules/fauxqs/package.json", child_test_dir());
    p->pid = -1;
    p->in_fd = p->out_fd = -1;
    if (!child_on_path("node")) {
        snprintf(why, why_cap, "`node` is not on PATH (Node.js 20 runs the test servers)");
        return 0;
    }
    if (!child_file_exists(pkg)) {
        snprintf(why, why_cap, "fauxqs not installed: run `npm ci` in %.150s/fauxqs", child_test_dir());
        return 0;
    }
    argv[0] = node, argv[1] = launcher, argv[2] = ws, argv[3] = ms, argv[4] = secs, argv[5] = NULL;
    if (child_start(p, argv) != 0) {
        snprintf(why, why_cap, "cannot start node: %s", strerror(errno));
        return -1;
    }
    if (!child_wait_line(p, "FAUXQS_ENDPOINT=http://127.0.0.1:", 20000, line, sizeof line)) {
        snprintf(why, why_cap, "fauxqs did not start (node missing or failed): %.80s", p->out);
        child_stop(p, 2000);
        return -1;
    }
    if (strlen(line + 16) >= cap) {
        snprintf(why, why_cap, "endpoint too long: %.80s", line);
        child_stop(p, 2000);
        return -1;
    }
    memcpy(endpoint, line + 16, strlen(line + 16) + 1);
    return 1;
}

/* `node <tests>/sbbroker/broker.js --rule <rule> --watch-stdin --max-seconds <secs> [extra...]` (the Service Bus
   test broker): its AMQP, HTTP and HTTPS ports (-1 when not served). 1, 0 or -1 as child_start_fauxqs. */
CHILD_FN int child_start_broker(child_proc *p, const char *rule, const char *secs, char *const extra[], int *amqp,
                                int *http, int *https, char *why, size_t why_cap) {
    char script[512], pkg[512], line[512], r[128], s[16], node[] = "node", ro[] = "--rule", ws[] = "--watch-stdin",
                                                              ms[] = "--max-seconds";
    char *argv[16];
    size_t n = 0, i;
    snprintf(script, sizeof script, "%s/sbbroker/broker.js", child_test_dir());
    snprintf(pkg, sizeof pkg, "%s/sbbroker/node_modules/rhea/package.json", child_test_dir());
    snprintf(r, sizeof r, "%s", rule);
    snprintf(s, sizeof s, "%s", secs);
    p->pid = -1;
    p->in_fd = p->out_fd = -1;
    if (!child_on_path("node")) {
        snprintf(why, why_cap, "`node` is not on PATH (Node.js 20 runs the test servers)");
        return 0;
    }
    if (!child_file_exists(pkg)) {
        snprintf(why, why_cap, "broker dependencies not installed: run `npm ci` in %.150s/sbbroker", child_test_dir());
        return 0;
    }
    argv[n++] = node, argv[n++] = script, argv[n++] = ro, argv[n++] = r, argv[n++] = ws, argv[n++] = ms;
    argv[n++] = s;
    for (i = 0; extra && extra[i] && n < 15; i++) argv[n++] = extra[i];
    argv[n] = NULL;
    if (child_start(p, argv) != 0) {
        snprintf(why, why_cap, "cannot start node: %s", strerror(errno));
        return -1;
    }
    if (!child_wait_line(p, "SBBROKER_READY ", 20000, line, sizeof line)) {
        snprintf(why, why_cap, "broker did not start (node missing or failed): %.80s", p->out);
        child_stop(p, 2000);
        return -1;
    }
    *amqp = (int)child_int_after(line, "amqp=");
    *http = (int)child_int_after(line, "http=");
    if (https) *https = (int)child_int_after(line, "https=");
    if (*http <= 0) {
        snprintf(why, why_cap, "broker printed no HTTP port: %.80s", line);
        child_stop(p, 2000);
        return -1;
    }
    return 1;
}

#endif
