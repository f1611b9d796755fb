/* Start and stop tests/http_server/server.js from a C test (POSIX), through tests/child.h. The server prints one
   JSON line with its ports; it exits when we close its stdin, on SIGTERM, or after its own lifetime, so it never
   outlives the test. Include after defining _POSIX_C_SOURCE. */
#ifndef SIOC_TEST_NODE_SERVER_H
#define SIOC_TEST_NODE_SERVER_H
#include "../child.h"

typedef struct node_server {
    child_proc proc;
    char line[2048]; /* the JSON line */
} node_server;

/* 1 when CI demands the live tests (SIOC_REQUIRE_LIVE=1): then a missing node is a failure, not a skip. */
CHILD_FN int node_required(void) { return child_live_required(); }

/* 1 when an executable `node` is on PATH. */
CHILD_FN int node_available(void) { return child_on_path("node"); }

/* Start `node server.js [arg1 arg2]`; 0 on success (s->line holds the JSON), -1 on failure. */
CHILD_FN int node_server_start(node_server *s, const char *arg1, const char *arg2) {
    char script[1024], a1[256], a2[1024], node[] = "node";
    char *argv[5];
    memset(s, 0, sizeof *s);
    snprintf(script, sizeof script, "%s/http_server/server.js", child_test_dir());
    snprintf(a1, sizeof a1, "%s", arg1 ? arg1 : "");
    snprintf(a2, sizeof a2, "%s", arg2 ? arg2 : "");
    argv[0] = node;
    argv[1] = script;
    argv[2] = arg1 && arg2 ? a1 : NULL;
    argv[3] = arg1 && arg2 ? a2 : NULL;
    argv[4] = NULL;
    if (child_start(&s->proc, argv) != 0) return -1;
    /* one line within 30 s (certificate generation included) */
    if (!child_wait_line(&s->proc, "{", 30000, s->line, sizeof s->line)) {
        fprintf(stderr, "node test server did not start (got \"%s\")\n", s->proc.out);
        return -1;
    }
    return 0;
}

/* Integer field of the JSON line, or -1. */
CHILD_FN int node_server_int(const node_server *s, const char *key) {
    char pat[64];
    snprintf(pat, sizeof pat, "\"%s\":", key);
    return (int)child_int_after(s->line, pat);
}

/* String field of the JSON line (no escapes expected), or "". */
CHILD_FN void node_server_str(const node_server *s, const char *key, char *out, size_t cap) {
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

/* The server removes its certificate folder on SIGTERM: give it time to. */
CHILD_FN void node_server_stop(node_server *s) { child_stop(&s->proc, 5000); }
#endif
