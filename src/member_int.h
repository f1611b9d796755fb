/* ---- member_int: what the member's shared machinery (member.c) and its two clouds (member_aws.c,
   member_azure.c) share. Private. ----
   member.c owns the slots, their retries and backoff, the deadlines, the publish sequences, the settle queue, the
   recent-id ring, start / close / free and the POSIX turn. A cloud file writes and reads its own requests: the
   start-up and shutdown steps, publishing, settling and receiving. */
#pragma once
#include "base.h"
#include "cluster.h"
#include "aws.h"
#include "azure.h"
#include "member.h"
#include "internal.h"

/* The AWS janitor is compiled in (prologue.h) only with the receive side: it watches queues, which only a
   receiving member has. */
#define SIOC__M_JANITOR (SIOC_ENABLE_AWS && SIOC_ENABLE_RECEIVE && SIOC_ENABLE_JANITOR)

/* Why init refused, for sioc_cluster_last_detail and the log: left out of a build with neither (the switch texts
   of sioc__m_compiled_in stay, they name what to change). */
#define SIOC__M_TEXT(s) (SIOC_ENABLE_ERROR_STRINGS || SIOC_ENABLE_LOG ? (s) : "")

#if SIOC_ENABLE_AWS || SIOC_ENABLE_AZURE

/* Slot states and kinds. Slots: [0] ctl (start-up / shutdown steps, one at a time), [1] publish, then the settle
   slots (AWS: one DeleteMessageBatch; Azure: SIOC_CLUSTER_SETTLES completes), then the receives. */
enum { SIOC__MS_FREE = 0, SIOC__MS_BUSY = 1, SIOC__MS_WAIT = 2 };
enum { SIOC__MK_CTL = 0, SIOC__MK_PUB = 1, SIOC__MK_SETTLE = 2, SIOC__MK_RECV = 3, SIOC__MK_JANITOR = 4 };
#define SIOC__M_CTL 0u
#define SIOC__M_PUB 1u
#define SIOC__M_SET 2u

/* Pacing (AWS): a DeleteMessageBatch takes 10 handles; a handle waits at most this long for a fuller one (the
   queue's visibility timeout is 30 s: a retried delete still lands in time, a redelivery is settled as seen). */
#define SIOC__M_BATCH 10u /* DeleteMessageBatch and PublishBatch: 10 entries */
#define SIOC__M_SETTLE_HOLD_MS 15000u

/* Generic close phases (p_step while CLOSING): drain the out queue, then the cloud's clean-up steps. */
#define SIOC__M_STEP_DRAIN 100
#define SIOC__M_STEP_CLEANUP 101

typedef struct sioc__mslot {
    int state, kind, op, attempts, auth_retries; /* first: short loads and stores on small targets */
    uint32_t gen;      /* receive: the queue / subscription generation it was sent for */
    uint64_t retry_at;
    uint64_t seq_first; /* publish: sequence of its first message */
    uint64_t deadline;  /* settle: give up after this (0: never) */
    uint64_t sent_at;   /* when the request was last submitted (receive pacing) */
    size_t count;       /* messages in a publish or settle batch */
    size_t accepted;    /* publish: of them taken by the broker in earlier answers (a partial batch re-sent) */
    size_t body_len;
    union {
        int none;
#if SIOC_ENABLE_AWS
        sioc_aws_call aws;
#endif
#if SIOC_ENABLE_AZURE
        sioc_azure_call azure;
#endif
    } call;
    /* Azure send and settle: what a retry needs again (the body stays in body memory) */
    char nsp[SIOC_CLUSTER_NSP_MAX + 1];
    char requester[SIOC_NODE_ID_MAX + 1];
    char msgid[SIOC_CLUSTER_MSGID_MAX + 1];
    int has_requester;
    char lock[SIOC_CLUSTER_LOCK_MAX + 1];
} sioc__mslot;

/* One message waiting to be settled: an AWS receipt handle or an Azure lock path, and the operation. */
typedef struct sioc__msettle {
    int op;
    uint64_t deadline; /* give up after this (the lock expires; 0: never) */
    uint64_t due;      /* send by then at the latest (held for a fuller batch until then) */
    uint16_t len;
    char text[SIOC_CLUSTER_HANDLE_MAX];
} sioc__msettle;

/* A queue the AWS janitor watches (member_janitor.c). */
typedef struct sioc__mjcand {
    char url[SIOC_CLUSTER_ARN_MAX];
    char uid[SIOC_NODE_ID_MAX + 1]; /* its sioc-node tag, "" when none (a Node member's queue) */
    int64_t backlog, in_flight;     /* at the last look, -1 before the first */
    uint64_t suspect_since;         /* first look that saw it grow with nothing received, 0 when not */
    uint8_t seen, tagged, foreign;  /* in the current listing; tags read; another cluster's */
    uint8_t janitor;                /* its member runs a janitor too (sioc-janitor tag): it takes part in the choice */
} sioc__mjcand;

/* Memory a cloud wants: body and reply per slot kind (SIOC__MK_*; a janitor slot only when its reply is not 0),
   and for its parsing. */
typedef struct sioc__mlayout {
    size_t body[5], reply[5];
    size_t n_settle_slots, settle_cap, per_receive, toks, scratch;
} sioc__mlayout;

/* ---- member.c, for the clouds ---- */
SIOC__FN size_t sioc__m_slot_count(const sioc_cluster *c);
static void sioc__m_go(sioc_cluster *c, sioc__mslot *s, int op, uint64_t now);
static sioc_result sioc__m_submit(sioc_cluster *c, sioc__mslot *s, uint64_t now);
static void sioc__m_fail(sioc_cluster *c, sioc__mslot *s, sioc_result r, uint64_t now);
static void sioc__m_report(sioc_cluster *c, sioc__mslot *s, sioc_result r, int will_retry);
static void sioc__m_give_up(sioc_cluster *c, sioc__mslot *s, sioc_result r);
static void sioc__m_set_ready(sioc_cluster *c, int ready, uint64_t now);
static void sioc__m_running(sioc_cluster *c, uint64_t now);
#define SIOC__M_LOST_QUEUE 1 /* the queue / subscription: its handles and locks died, receives still out are stale */
#define SIOC__M_LOST_TOPIC 2
static int sioc__m_lost(sioc_cluster *c, int what, int step, uint64_t now);
static void sioc__m_pub_taken(sioc_cluster *c, sioc__mslot *s, size_t n);
static void sioc__m_pub_outcome(sioc_cluster *c, sioc__mslot *s, size_t accepted, sioc_result r);
static int sioc__m_pub_ambiguous(sioc_cluster *c, sioc__mslot *s, sioc_result r);
static void sioc__m_pub_drop(sioc_cluster *c, sioc__mslot *s, sioc_result r);
static int sioc__m_pacing(const sioc_cluster *c);
#if SIOC_ENABLE_RECEIVE /* the receive side, for the clouds' receive and settle code */
static uint64_t sioc__m_settle_due(const sioc_cluster *c);
static int sioc__m_recv_gone(sioc_cluster *c, sioc__mslot *s, sioc_result r, uint64_t now);
static int sioc__m_settle_push(sioc_cluster *c, int op, sioc_str text, uint64_t deadline, uint64_t now);
#if SIOC_ENABLE_AWS
static void sioc__m_paced(sioc_cluster *c, const sioc__mslot *s, int full, int quiet, uint64_t now);
#endif
static void sioc__m_settle_pop(sioc_cluster *c, size_t n);
static int sioc__m_seen(sioc_cluster *c, sioc_str id, uint64_t now);
#endif
static int sioc__m_emitter(const sioc_cluster *c);
static void sioc__m_log(sioc_cluster *c, const sioc_cluster_desc *d, const char *what);

/* ---- the clouds, for member.c: the same functions in both files, sioc__maws_* and sioc__mazure_* ---- */
#define SIOC__M_CLOUD_DECLS(p)                                                                                  \
    static sioc_result sioc__##p##_layout(const sioc_cluster_desc *d, sioc__mlayout *l);                      \
    static sioc_result sioc__##p##_client_init(sioc_cluster *c);                                              \
    static sioc_result sioc__##p##_start_call(sioc_cluster *c, sioc__mslot *s, uint64_t now);                 \
    static void *sioc__##p##_next(sioc_cluster *c, uint64_t now); /* the finished call's user, or NULL */     \
    static void sioc__##p##_cancel(sioc_cluster *c, sioc__mslot *s);                                          \
    static void sioc__##p##_begin(sioc_cluster *c);                                                           \
    static void sioc__##p##_ctl_step(sioc_cluster *c, uint64_t now);                                          \
    static void sioc__##p##_ctl_done(sioc_cluster *c, sioc__mslot *s, uint64_t now);                          \
    static void sioc__##p##_pub_start(sioc_cluster *c, uint64_t now);                                         \
    static void sioc__##p##_pub_done(sioc_cluster *c, sioc__mslot *s, uint64_t now);                          \
    static void sioc__##p##_error(const sioc__mslot *s, sioc_cluster_error *e);                               \
    static void sioc__##p##_watch(sioc_cluster *c, uint64_t now); /* RUNNING: checks of its own */         \
    static const char *sioc__##p##_op_name(int op);
/* ... and their receive side (SIOC_ENABLE_RECEIVE) */
#define SIOC__M_CLOUD_RX_DECLS(p)                                                                               \
    static int sioc__##p##_can_receive(const sioc_cluster *c);                                                \
    static void sioc__##p##_settle_start(sioc_cluster *c, uint64_t now);                                      \
    static void sioc__##p##_settle_done(sioc_cluster *c, sioc__mslot *s, uint64_t now);                       \
    static void sioc__##p##_recv_start(sioc_cluster *c, sioc__mslot *s, uint64_t now);                        \
    static void sioc__##p##_recv_done(sioc_cluster *c, sioc__mslot *s, uint64_t now);
#if SIOC_ENABLE_AWS
SIOC__M_CLOUD_DECLS(maws)
#if SIOC_ENABLE_RECEIVE
SIOC__M_CLOUD_RX_DECLS(maws)
#endif
#endif
#if SIOC_ENABLE_AZURE
SIOC__M_CLOUD_DECLS(mazure)
#if SIOC_ENABLE_RECEIVE
SIOC__M_CLOUD_RX_DECLS(mazure)
#endif
#endif

#if SIOC__M_JANITOR
static void sioc__mjan_step(sioc_cluster *c, uint64_t now);
static void sioc__mjan_done(sioc_cluster *c, sioc__mslot *s, uint64_t now);
#endif

/* Call the cloud's version of fn. */
#if SIOC_ENABLE_AWS && SIOC_ENABLE_AZURE
#define SIOC__M_CLOUD(c, fn, args) ((c)->p_transport == SIOC_CLUSTER_AZURE ? sioc__mazure_##fn args : sioc__maws_##fn args)
#elif SIOC_ENABLE_AWS
#define SIOC__M_CLOUD(c, fn, args) ((void)(c), sioc__maws_##fn args)
#else
#define SIOC__M_CLOUD(c, fn, args) ((void)(c), sioc__mazure_##fn args)
#endif

#endif /* SIOC_ENABLE_AWS || SIOC_ENABLE_AZURE */
