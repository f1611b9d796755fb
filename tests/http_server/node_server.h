/* Start and stop tests/http_server/server.js from a C test (POSIX). The server prints one JSON line with its
   ports; it exits when we close its stdin, on SIGTERM, or after its own lifetime, so it never outlives the test.
   Include after defining _POSIX_C_SOURCE. */
#ifndef SIOC_TEST_NODE_SERVER_H
#define SIOC_TEST_NODE_SERVER_H
#include <errno.h>
#include <poll.h>
#include <signal.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/types.h>
#include <sys/wait.h>
#include <unistd.h>

#if defined(__GNUC__) || defined(__clang__)
#define NODE_SERVER_FN static __attribute__((unused))
#else
#define NODE_SERVER_FN static
#endif

typedef struct node_server {
    pid_t pid;
    int in_fd;
    char line[2048];
} node_server;

/* 1 when an executable `prog` is on PATH. */
NODE_SERVER_FN int on_path(const char *prog) {
    const char *path = getenv("PATH");
    char dir[1024];
    size_t plen = strlen(prog);
    while (path && *path) {
        const char *end = strchr(path, ':');
        size_t n = end ? (size_t)(end - path) : strlen(path);
        if (n > 0 && n + plen + 2 < sizeof dir) {
            memcpy(dir, path, n);
            dir[n] = '/';
            memcpy(dir + n + 1, prog, plen + 1);
            if (access(dir, X_OK) == 0) return 1;
        }
        path = end ? end + 1 : NULL;
    }
    return 0;
}

/* 1 when an executable `node` is on PATH. */
NODE_SERVER_FN int node_available(void) { return on_path("node"); }

/* Start `node server.js args...`; 0 on success (s->line holds the JSON), -1 on failure. */
NODE_SERVER_FN int node_server_start(node_server *s, const char *arg1, const char *arg2) {
    int out[2], in[2];
    const char *dir = getenv("SIOC_TEST_DIR");
    char script[1024];
    size_t got = 0;
    memset(s, 0, sizeof *s);
    s->pid = -1;
    s->in_fd = -1;
    snprintf(script, sizeof script, "%s/http_server/server.js", dir ? dir : "tests");
    if (pipe(out) != 0) return -1;
    if (pipe(in) != 0) {
        close(out[0]);
        close(out[1]);
        return -1;
    }
    fflush(NULL);
    s->pid = fork();
    if (s->pid < 0) return -1;
    if (s->pid == 0) {
        dup2(in[0], 0);
        dup2(out[1], 1);
        close(in[0]);
        close(in[1]);
        close(out[0]);
        close(out[1]);
        if (arg1 && arg2) execlp("node", "node", script, arg1, arg2, (char *)NULL);
        else execlp("node", "node", script, (char *)NULL);
        _exit(127);
    }
    close(in[0]);
    close(out[1]);
    s->in_fd = in[1];
    for (;;) { /* one line, within 30 s (certificate generation included) */
        struct pollfd p;
        ssize_t n;
        p.fd = out[0];
        p.events = POLLIN;
        p.revents = 0;
        if (poll(&p, 1, 30000) <= 0) break;
        n = read(out[0], s->line + got, sizeof s->line - 1 - got);
        if (n <= 0) break;
        got += (size_t)n;
        s->line[got] = 0;
        if (strchr(s->line, '\n') || got + 1 >= sizeof s->line) break;
    }
    close(out[0]);
    if (!strchr(s->line, '\n')) {
        fprintf(stderr, "node test server did not start (got \"%s\")\n", s->line);
        return -1;
    }
    return 0;
}

/* Integer field of the JSON line, or -1. */
NODE_SERVER_FN int node_server_int(const node_server *s, const char *key) {
    char pat[64];
    const char *p;
    snprintf(pat, sizeof pat, "\"%s\":", key);
    p = strstr(s->line, pat);
    return p ? atoi(p + strlen(pat)) : -1;
}

/* String field of the JSON line (no escapes expected), or "" . */
NODE_SERVER_FN void node_server_str(const node_server *s, const char *key, char *out, size_t cap) {
    char pat[64];
    const char *p, *e;
    size_t n;
    out[0] = 0;
    snprintf(pat, sizeof pat, "\"%s\":\"", key);
    p = strstr(s->line, pat);
    if (!p) return;
    p += strlen(pat);
    e = strchr(p, '"');
    n = e ? (size_t)(e - p) : 0;
    if (n >= cap) n = cap - 1;
    memcpy(out, p, n);
    out[n] = 0;
}

NODE_SERVER_FN void node_server_stop(node_server *s) {
    if (s->in_fd >= 0) close(s->in_fd);
    s->in_fd = -1;
    if (s->pid > 0) {
        int st;
        kill(s->pid, SIGTERM);
        while (waitpid(s->pid, &st, 0) < 0 && errno == EINTR) {
        }
    }
    s->pid = -1;
}
#endif
