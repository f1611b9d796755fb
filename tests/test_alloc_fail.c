/* Allocation failure sweep: every init path that takes memory (node, HTTP engine, AWS and Azure clients, the
   member on both clouds as a full member, an emitter, presets SMALL and SERVER, with the POSIX sockets and with
   own_io, the POSIX backend itself) and the start-up of a member over the fake SNS/SQS endpoint
   (tests/aws_fake.h) run again and again with an allocator that fails the Nth allocation, for N = 1, 2, ... until
   a run needs no failure. Each failed run must return SIOC_ERR_NOMEM, must not crash and must hold nothing
   afterwards (live allocations 0, and ASan's leak checker in the asan build); the same object must then init and
   work. A second sweep fails every allocation from the Nth on. Start-up must take no memory at all.
   Built with SIOC_ENABLE_LIBC_MALLOC 0, so no block can bypass the hook. Prints one "path: allocations" line each. */
#define _POSIX_C_SOURCE 200809L
#define SIOC_ENABLE_POSIX 1
#define SIOC_POSIX_GETADDRINFO 0 /* static i686/s390x builds; nothing here resolves a name */
#define SIOC_ENABLE_LIBC_MALLOC 0
#define SIO_CLUSTER_IMPLEMENTATION
#include "sio_cluster.h"
#include "tests/harness.h"

#include "tests/aws_fake.h"

/* ---- the failing allocator: counts every call, fails call number fail_at (or every call from it on) ---- */

#define A_MAX 64
typedef struct a_state {
    size_t calls;     /* alloc calls since the last reset */
    size_t fail_at;   /* 0: never fail */
    int sticky;       /* 1: fail every call >= fail_at */
    size_t failed;    /* calls refused */
    size_t live;      /* blocks held */
    size_t bad_frees; /* free of an unknown block or with another size than allocated */
    void *ptr[A_MAX];
    size_t size[A_MAX];
} a_state;

static a_state a_st;

static void a_reset(size_t fail_at, int sticky) {
    a_st.calls = 0;
    a_st.fail_at = fail_at;
    a_st.sticky = sticky;
    a_st.failed = 0;
}

static void *a_alloc(size_t n, void *user) {
    size_t i;
    void *p;
    (void)user;
    a_st.calls++;
    if (a_st.fail_at && (a_st.calls == a_st.fail_at || (a_st.sticky && a_st.calls > a_st.fail_at))) {
        a_st.failed++;
        return NULL;
    }
    p = malloc(n ? n : 1);
    if (!p) return NULL;
    for (i = 0; i < A_MAX; i++)
        if (!a_st.ptr[i]) {
            a_st.ptr[i] = p;
            a_st.size[i] = n;
            a_st.live++;
            return p;
        }
    fprintf(stderr, "a_alloc: more than %d live blocks\n", A_MAX);
    exit(2);
}

static void a_free(void *p, size_t n, void *user) {
    size_t i;
    (void)user;
    if (!p) return;
    for (i = 0; i < A_MAX; i++)
        if (a_st.ptr[i] == p) {
            a_st.bad_frees += a_st.size[i] != n;
            a_st.ptr[i] = NULL;
            a_st.live--;
            free(p);
            return;
        }
    a_st.bad_frees++;
}

static size_t a_live_bytes(void) {
    size_t i, b = 0;
    for (i = 0; i < A_MAX; i++)
        if (a_st.ptr[i]) b += a_st.size[i];
    return b;
}

static sioc_allocator a_hook(void) {
    sioc_allocator a;
    a.alloc = a_alloc;
    a.free = a_free;
    a.user = NULL;
    return a;
}

/* ---- clocks and randomness ---- */

static uint32_t t_rand_ctr;
static sioc_result t_rand(void *user, void *buf, size_t len) {
    uint8_t *p = (uint8_t *)buf;
    size_t i;
    (void)user;
    for (i = 0; i < len; i++) p[i] = (uint8_t)(0x11 * (t_rand_ctr++ % 15 + 1));
    return SIOC_OK;
}
static int64_t t_utc(void *user) {
    (void)user;
    return 1796000000 + (int64_t)(f_now / 1000);
}

#define T_CS "Endpoint=sb://127.0.0.1:5672;SharedAccessKeyName=k;SharedAccessKey=c2VjcmV0;UseDevelopmentEmulator=true"

#if SIOC_TLS != SIOC_TLS_NONE
/* A throw-away self-signed CA (P-256), only parsed: TLS backends take memory for trust anchors at init. */
static const char t_ca_pem[] =
    "-----BEGIN CERTIFICATE-----\n"
    "MIIBkDCCATegAwIBAgIUKYYtCWk7sQpVmhP6XfUhoKYh130wCgYIKoZIzj0EAwIw\n"
    "HTEbMBkGA1UEAwwSc2lvYyBhbGxvYyB0ZXN0IENBMCAXDTI2MTIwNzAyMzQwM1oY\n"
    "DzIxMjYxMTEzMDIzNDAzWjAdMRswGQYDVQQDDBJzaW9jIGFsbG9jIHRlc3QgQ0Ew\n"
    "WTATBgcqhkjOPQIBBggqhkjOPQMBBwNCAAQ3hkvWDZormduiRdab7It2/LARZ9VI\n"
    "iz/uo8gE76VrEMrXW3CjY42qvHvxzknxoUklk0WQuOMieFXW8s8XOCK3o1MwUTAd\n"
    "BgNVHQ4EFgQUemyIWZog/RfCLx6qaYSznDiYeh4wHwYDVR0jBBgwFoAUemyIWZog\n"
    "/RfCLx6qaYSznDiYeh4wDwYDVR0TAQH/BAUwAwEB/zAKBggqhkjOPQQDAgNHADBE\n"
    "AiAZWNfBjztKdPErmZVl+YeInVVoHwrKV+n8ZybCg4Hb9wIgXltRznuNOz/kH07A\n"
    "l0LjZrZNyvJ/S6C/LV0ZQ6ob0MM=\n"
    "-----END CERTIFICATE-----\n";
#endif

static sioc_http_client_desc t_http_desc(void) {
    sioc_http_client_desc d;
    memset(&d, 0, sizeof d);
    d.allocator = a_hook();
    d.random = t_rand;
    d.utc_now = t_utc;
#if SIOC_TLS != SIOC_TLS_NONE
    d.ca_pem = t_ca_pem;
#endif
    return d;
}

/* ---- the paths: init into a static object; then (when it succeeded) use it and free it ---- */

typedef struct t_path {
    const char *name;
    sioc_result (*init)(int variant);
    int (*use)(int variant); /* 1 when the freshly initialised object works */
    void (*release)(int variant);
    int variant;
} t_path;

static sioc_node t_node;
static sioc_node_desc t_node_desc(int variant) {
    sioc_node_desc d;
    memset(&d, 0, sizeof d);
    d.random = t_rand;
    d.allocator = a_hook();
    if (variant == 1) d.emitter_only = 1;
    if (variant == 2) d.max_sockets = 16, d.max_message_size = 16384;
    return d;
}
static sioc_result p_node_init(int v) {
    sioc_node_desc d = t_node_desc(v);
    return sioc_node_init(&t_node, &d);
}
static int p_node_use(int v) {
    sioc_node_desc d = t_node_desc(v);
    if (a_live_bytes() != sioc_node_heap_size(&d)) return 0;
    if (v == 1)
        return sioc_node_broadcast(&t_node, sioc_str_c("/"), NULL, sioc_bytes_n("\x91\xa1x", 3), 1000) == SIOC_OK &&
               sioc_node_out_count(&t_node) == 1;
    return sioc_node_socket_add(&t_node, sioc_str_c("/"), sioc_str_c("s1"), NULL, 1000) == SIOC_OK &&
           sioc_node_socket_count(&t_node, sioc_str_c("/")) == 1;
}
static void p_node_free(int v) {
    (void)v;
    sioc_node_free(&t_node);
}

static sioc_http_client t_http;
static sioc_result p_http_init(int v) {
    sioc_http_client_desc d = t_http_desc();
    if (v == 1) d.max_endpoints = 1, d.conns_per_endpoint = 1, d.max_requests = 1;
    return sioc_http_client_init(&t_http, &d);
}
static int p_http_use(int v) {
    int ep = -1;
    uint32_t id = 0;
    sioc_http_request r;
    (void)v;
    memset(&r, 0, sizeof r);
    r.method = "GET";
    r.target = "/";
    return sioc_http_endpoint(&t_http, "127.0.0.1", 4566, 0, &ep) == SIOC_OK &&
           sioc_http_submit(&t_http, ep, &r, 1000, &id) == SIOC_OK && id != 0;
}
static void p_http_free(int v) {
    (void)v;
    sioc_http_client_free(&t_http);
}

#if SIOC_ENABLE_AWS
static sioc_aws_client t_aws;
static sioc_result p_aws_init(int v) {
    sioc_aws_desc d;
    (void)v;
    memset(&d, 0, sizeof d);
    d.region = "us-east-1";
    d.credentials.access_key_id = sioc_str_c("AKIAIOSFODNN7EXAMPLE");
    d.credentials.secret_access_key = sioc_str_c("wJalrXUtnFEMI/K7MDENG/bPxRfiCYEXAMPLEKEY");
    d.sns_endpoint = d.sqs_endpoint = "http://127.0.0.1:4566";
    d.utc_now = t_utc;
    d.http = t_http_desc();
    return sioc_aws_client_init(&t_aws, &d);
}
static int p_aws_use(int v) {
    (void)v;
    return sioc_http_conn_count(&t_aws.http) > 0 && a_live_bytes() >= t_aws.http.p_mem_size;
}
static void p_aws_free(int v) {
    (void)v;
    sioc_aws_client_free(&t_aws);
}
#endif

#if SIOC_ENABLE_AZURE
static sioc_azure_client t_az;
static sioc_result p_azure_init(int v) {
    sioc_azure_desc d;
    (void)v;
    memset(&d, 0, sizeof d);
    d.connection_string = T_CS;
    d.rest_url = "http://127.0.0.1:1";
    d.utc_now = t_utc;
    d.http = t_http_desc();
    return sioc_azure_client_init(&t_az, &d);
}
static int p_azure_use(int v) {
    (void)v;
    return sioc_http_conn_count(&t_az.http) > 0 && a_live_bytes() >= t_az.http.p_mem_size;
}
static void p_azure_free(int v) {
    (void)v;
    sioc_azure_client_free(&t_az);
}
#endif

/* The member. Variant bits: transport Azure, emitter, preset SMALL, preset SERVER (explicit), POSIX sockets. */
enum { V_AZURE = 1, V_EMITTER = 2, V_SMALL = 4, V_SERVER = 8, V_POSIX = 16 };
static sioc_cluster t_m;
static sioc_cluster_desc t_member_desc(int v) {
    sioc_cluster_desc d;
    memset(&d, 0, sizeof d);
    d.transport = (v & V_AZURE) ? SIOC_CLUSTER_AZURE : SIOC_CLUSTER_AWS;
    if (v & V_SMALL) sioc_cluster_desc_preset(&d, SIOC_CLUSTER_PRESET_SMALL);
    if (v & V_SERVER) sioc_cluster_desc_preset(&d, SIOC_CLUSTER_PRESET_SERVER);
    d.random = t_rand;
    d.utc_now = t_utc;
    d.allocator = a_hook();
#if SIOC_TLS != SIOC_TLS_NONE
    d.http.ca_pem = t_ca_pem;
#endif
    d.own_io = (v & V_POSIX) ? 0 : 1;
    d.node.emitter_only = (v & V_EMITTER) ? 1 : 0;
    if (v & V_AZURE) {
        d.azure.connection_string = T_CS;
        d.azure.rest_url = "http://127.0.0.1:1";
    } else {
        d.aws.region = "us-east-1";
        d.aws.credentials.access_key_id = sioc_str_c("AKIAIOSFODNN7EXAMPLE");
        d.aws.credentials.secret_access_key = sioc_str_c("wJalrXUtnFEMI/K7MDENG/bPxRfiCYEXAMPLEKEY");
        d.aws.sns_endpoint = d.aws.sqs_endpoint = "http://127.0.0.1:4566";
    }
    return d;
}
static sioc_result p_member_init(int v) {
    sioc_cluster_desc d = t_member_desc(v);
    return sioc_cluster_init(&t_m, &d);
}
static int p_member_use(int v) {
    sioc_cluster_desc d = t_member_desc(v);
    size_t need = sioc_cluster_heap_size(&d);
    sioc_http_client *h = sioc_cluster_http(&t_m);
    /* heap_size counts the node, the engine's block and the binding; a TLS backend's state (trust anchors) is on
       top of it */
#if SIOC_TLS == SIOC_TLS_NONE
    int ok = h != NULL && a_live_bytes() == need + h->p_mem_size;
#else
    int ok = h != NULL && a_live_bytes() > need + h->p_mem_size;
#endif
    if (!ok)
        fprintf(stderr, "  heap: %lu held, heap_size %lu + engine %lu\n", (unsigned long)a_live_bytes(),
                (unsigned long)need, h ? (unsigned long)h->p_mem_size : 0ul);
    ok = ok && sioc_cluster_get_state(&t_m) == SIOC_CLUSTER_IDLE;
    ok = ok && ((v & V_POSIX) ? sioc_cluster_posix(&t_m) != NULL : sioc_cluster_posix(&t_m) == NULL);
    if (!(v & V_EMITTER))
        ok = ok && sioc_node_socket_add(sioc_cluster_node(&t_m), sioc_str_c("/"), sioc_str_c("s1"), NULL, 1000) ==
                       SIOC_OK;
    /* start-up submits its first request (it goes nowhere: nothing moves the bytes here) */
    ok = ok && sioc_cluster_start(&t_m, 1000) == SIOC_OK;
    sioc_cluster_process(&t_m, 1000);
    ok = ok && sioc_cluster_get_state(&t_m) == SIOC_CLUSTER_STARTING;
    return ok;
}
static void p_member_free(int v) {
    (void)v;
    sioc_cluster_free(&t_m);
}

/* The POSIX backend over an engine (the engine's block comes first; the backend itself takes nothing). */
static sioc_posix t_px;
static sioc_result p_posix_init(int v) {
    sioc_result r = p_http_init(v);
    if (r != SIOC_OK) return r;
    r = sioc_posix_init(&t_px, &t_http, NULL, NULL);
    if (r != SIOC_OK) sioc_http_client_free(&t_http);
    return r;
}
static int p_posix_use(int v) {
    sioc_posix_fd fds[4];
    (void)v;
    return sioc_posix_fds(&t_px, fds, 4) == 0 && p_http_use(0);
}
static void p_posix_free(int v) {
    sioc_posix_free(&t_px);
    p_http_free(v);
}

static const t_path t_paths[] = {
    {"sioc_node_init", p_node_init, p_node_use, p_node_free, 0},
    {"sioc_node_init (emitter)", p_node_init, p_node_use, p_node_free, 1},
    {"sioc_node_init (small)", p_node_init, p_node_use, p_node_free, 2},
    {"sioc_http_client_init", p_http_init, p_http_use, p_http_free, 0},
    {"sioc_http_client_init (1 slot)", p_http_init, p_http_use, p_http_free, 1},
    {"sioc_posix_init (with its engine)", p_posix_init, p_posix_use, p_posix_free, 0},
#if SIOC_ENABLE_AWS
    {"sioc_aws_client_init", p_aws_init, p_aws_use, p_aws_free, 0},
    {"sioc_cluster_init AWS own_io", p_member_init, p_member_use, p_member_free, 0},
    {"sioc_cluster_init AWS POSIX", p_member_init, p_member_use, p_member_free, V_POSIX},
    {"sioc_cluster_init AWS emitter", p_member_init, p_member_use, p_member_free, V_EMITTER},
    {"sioc_cluster_init AWS SMALL", p_member_init, p_member_use, p_member_free, V_SMALL},
    {"sioc_cluster_init AWS SERVER POSIX", p_member_init, p_member_use, p_member_free, V_SERVER | V_POSIX},
    {"sioc_cluster_init AWS SMALL emitter", p_member_init, p_member_use, p_member_free, V_SMALL | V_EMITTER},
#endif
#if SIOC_ENABLE_AZURE
    {"sioc_azure_client_init", p_azure_init, p_azure_use, p_azure_free, 0},
    {"sioc_cluster_init Azure own_io", p_member_init, p_member_use, p_member_free, V_AZURE},
    {"sioc_cluster_init Azure POSIX", p_member_init, p_member_use, p_member_free, V_AZURE | V_POSIX},
    {"sioc_cluster_init Azure emitter", p_member_init, p_member_use, p_member_free, V_AZURE | V_EMITTER},
    {"sioc_cluster_init Azure SMALL", p_member_init, p_member_use, p_member_free, V_AZURE | V_SMALL},
    {"sioc_cluster_init Azure SERVER", p_member_init, p_member_use, p_member_free, V_AZURE | V_SERVER},
    {"sioc_cluster_init Azure SMALL emitter POSIX", p_member_init, p_member_use, p_member_free,
     V_AZURE | V_SMALL | V_EMITTER | V_POSIX},
#endif
};

static size_t t_total_runs, t_total_failures;

/* Fail allocation N (sticky: N and every later one) for N = 1, 2, ... until init succeeds without a failure.
   Returns the allocations a successful init takes. */
static size_t sweep_one(const t_path *p, int sticky) {
    size_t n, allocs = 0;
    sioc_result r;
    for (n = 1; n < 1000; n++) {
        a_reset(n, sticky);
        r = p->init(p->variant);
        t_total_runs++;
        if (!a_st.failed) { /* needed fewer than n allocations: done */
            CHECKF(r == SIOC_OK, "%s: %s without a failed allocation", p->name, sioc_strerror(r));
            allocs = a_st.calls;
            if (r == SIOC_OK) {
                CHECKF(p->use(p->variant), "%s: not usable after a clean init", p->name);
                p->release(p->variant);
            }
            CHECKF(a_st.live == 0, "%s: %lu blocks held after free", p->name, (unsigned long)a_st.live);
            break;
        }
        t_total_failures++;
        CHECKF(r == SIOC_ERR_NOMEM, "%s: allocation %lu%s failed -> %s", p->name, (unsigned long)n,
               sticky ? "+" : "", sioc_strerror(r));
        if (r == SIOC_OK) p->release(p->variant); /* should not happen; keep the count honest */
        CHECKF(a_st.live == 0, "%s: allocation %lu%s failed, %lu blocks still held", p->name, (unsigned long)n,
               sticky ? "+" : "", (unsigned long)a_st.live);
        /* the same object, a clean init: it works */
        a_reset(0, 0);
        r = p->init(p->variant);
        CHECKF(r == SIOC_OK, "%s: re-init after failure %lu: %s", p->name, (unsigned long)n, sioc_strerror(r));
        if (r == SIOC_OK) {
            CHECKF(p->use(p->variant), "%s: not usable after failure %lu and re-init", p->name, (unsigned long)n);
            p->release(p->variant);
        }
        CHECKF(a_st.live == 0, "%s: %lu blocks held after re-init and free", p->name, (unsigned long)a_st.live);
    }
    CHECK(n < 1000);
    return allocs;
}

static void test_init_sweep(void) {
    size_t i, a1, a2;
    for (i = 0; i < sizeof t_paths / sizeof t_paths[0]; i++) {
        a1 = sweep_one(&t_paths[i], 0);
        a2 = sweep_one(&t_paths[i], 1);
        CHECK_EQ_INT(a1, a2);
        printf("  %-44s %lu allocation%s, N = 1..%lu failed one by one and from N on\n", t_paths[i].name,
               (unsigned long)a1, a1 == 1 ? "" : "s", (unsigned long)a1);
    }
    CHECK_EQ_INT(a_st.bad_frees, 0);
}

/* ---- start-up over the fake endpoint: no allocation at all from start to RUNNING and the first messages ---- */

static void t_drain(void) {
    sioc_node_event ev;
    while (sioc_node_next_event(sioc_cluster_node(&t_m), &ev) == SIOC_OK) {
    }
}
static void t_run(uint32_t ms) {
    uint32_t i;
    int k;
    for (i = 0; i <= ms; i++) {
        for (k = 0; k < 4; k++) {
            sioc_cluster_process(&t_m, f_now);
            f_pump();
            sioc_http_tick(f_http, f_now);
            t_drain();
        }
        if (i < ms) f_now++;
    }
}

/* Start-up with allocation N onwards failing (N counted from the end of init): it must still reach RUNNING,
   publish, receive and close, having asked for nothing. */
static void test_startup_sweep(void) {
    sioc_cluster_desc d = t_member_desc(0);
    size_t n, calls = 0, i;
    int small;
    for (small = 0; small < 2; small++) {
        d = t_member_desc(small ? V_SMALL : 0);
        for (n = 1; n < 100; n++) {
            memset(f_conn, 0, sizeof f_conn);
            f_n_log = 0;
            f_now = 1000;
            f_queue_n = 1;
            f_fail_n = 0;
            a_reset(0, 0);
            if (sioc_cluster_init(&t_m, &d) != SIOC_OK) {
                CHECK(0);
                return;
            }
            a_reset(n, 1);
            f_http = sioc_cluster_http(&t_m);
            CHECK(sioc_cluster_start(&t_m, f_now) == SIOC_OK);
            t_run(10);
            CHECK_EQ_INT(sioc_cluster_get_state(&t_m), SIOC_CLUSTER_RUNNING);
            CHECK(sioc_node_broadcast(sioc_cluster_node(&t_m), sioc_str_c("/"), NULL, sioc_bytes_n("\x91\xa1x", 3),
                                      f_now) == SIOC_OK);
            t_run(5);
            CHECK(f_deliver("{\"Messages\":[]}"));
            t_run(5);
            CHECK(sioc_cluster_close(&t_m, f_now) == SIOC_OK);
            for (i = 0; i < 50 && sioc_cluster_get_state(&t_m) != SIOC_CLUSTER_CLOSED; i++) {
                f_deliver("{\"Messages\":[]}");
                t_run(10);
            }
            CHECK_EQ_INT(sioc_cluster_get_state(&t_m), SIOC_CLUSTER_CLOSED);
            CHECK(sioc_cluster_get_stats(&t_m)->published >= 2);
            calls = a_st.calls;
            sioc_cluster_free(&t_m);
            CHECK_EQ_INT(a_st.live, 0);
            t_total_runs++;
            if (!a_st.failed) break;
            t_total_failures++;
        }
        CHECK_EQ_INT(calls, 0);
        printf("  %-44s %lu allocations (start, RUNNING, publish, receive, close)\n",
               small ? "start-up over the fake endpoint, SMALL" : "start-up over the fake endpoint", (unsigned long)calls);
    }
}

int main(void) {
    RUN(test_init_sweep);
    RUN(test_startup_sweep);
    printf("  %lu runs, %lu with a failed allocation, %lu bad frees\n", (unsigned long)t_total_runs,
           (unsigned long)t_total_failures, (unsigned long)a_st.bad_frees);
    return sioc_t_report("test_alloc_fail");
}
