/* ---- cluster_aws: a sioc_node joined to an SNS topic through its own SQS queue (AWS.md §2) ----
   Ties a sioc_node (cluster.h) to a sioc_aws_client (aws.h). Both are the caller's, initialised before and freed
   after this object; the binding owns only its request and reply buffers (one block, taken at init).

     start-up   CreateTopic -> CreateQueue (short retention, tags) -> GetQueueAttributes(QueueArn)
                -> SetQueueAttributes(Policy) -> Subscribe (raw, FilterPolicy excluding the node's uid)
                -> sioc_node_set_ready(1)                              (emitter-only: CreateTopic, then ready)
     running    long-poll ReceiveMessage (receives_in_flight at once) -> sioc_node_receive_aws per message
                -> DeleteMessageBatch (every message, whatever the node said); Publish / PublishBatch from the
                node's out queue
     shutdown   sioc_node_close (ADAPTER_CLOSE published first) -> node CLOSED -> DeleteQueue, Unsubscribe
     faults     every failed request retries after a capped exponential backoff with full jitter (drawn from the
                caller's random callback) above a floor, so never a hot loop; QueueDoesNotExist -> new queue and
                subscription (NOT_READY meanwhile); topic NotFound on Publish -> start-up again; MessageIds of
                recent messages are remembered so a redelivery after a failed delete is dropped (and deleted).

   Sans-I/O: the caller drives the HTTP engine (sioc_http_drive, sioc_posix_step, ...), then calls
   sioc_cluster_aws_process(); it sleeps until sioc_cluster_aws_next_deadline() (node, engine and backoff timers
   merged). The application keeps using the node directly (sockets, operations, sioc_node_next_event). */
#pragma once
#include "base.h"
#include "json.h"
#include "cluster.h"
#include "posix.h"
#include "aws.h"

#if SIOC_ENABLE_AWS

#ifndef SIOC_CLUSTER_AWS_MAX_RECEIVES
#define SIOC_CLUSTER_AWS_MAX_RECEIVES 4 /* receives in flight at most */
#endif
#ifndef SIOC_CLUSTER_AWS_RECENT
#define SIOC_CLUSTER_AWS_RECENT 256 /* MessageIds remembered against redelivery */
#endif
#define SIOC_CLUSTER_AWS_ARN_MAX 384
#define SIOC_CLUSTER_AWS_HANDLE_MAX 1024 /* longest receipt handle kept for a delete */
#define SIOC_CLUSTER_AWS_MSGID_MAX 100

/* Requests per operation (for the idle-cost report: see sioc_cluster_aws.requests). */
typedef enum sioc_cluster_aws_op {
    SIOC_CLUSTER_AWS_CREATE_TOPIC = 0,
    SIOC_CLUSTER_AWS_CREATE_QUEUE,
    SIOC_CLUSTER_AWS_GET_QUEUE_ATTRIBUTES,
    SIOC_CLUSTER_AWS_SET_QUEUE_ATTRIBUTES,
    SIOC_CLUSTER_AWS_SUBSCRIBE,
    SIOC_CLUSTER_AWS_RECEIVE_MESSAGE,
    SIOC_CLUSTER_AWS_DELETE_MESSAGE_BATCH,
    SIOC_CLUSTER_AWS_PUBLISH,
    SIOC_CLUSTER_AWS_PUBLISH_BATCH,
    SIOC_CLUSTER_AWS_DELETE_QUEUE,
    SIOC_CLUSTER_AWS_UNSUBSCRIBE,
    SIOC_CLUSTER_AWS_OP_COUNT
} sioc_cluster_aws_op;

typedef enum sioc_cluster_aws_state {
    SIOC_CLUSTER_AWS_IDLE = 0,   /* init done, start not called */
    SIOC_CLUSTER_AWS_STARTING,   /* start-up sequence running (also after a lost queue or topic) */
    SIOC_CLUSTER_AWS_RUNNING,    /* subscribed (or emitter-only with a topic): node ready */
    SIOC_CLUSTER_AWS_CLOSING,    /* draining ADAPTER_CLOSE, then deleting queue and subscription */
    SIOC_CLUSTER_AWS_CLOSED,     /* done: free it */
    SIOC_CLUSTER_AWS_FAILED      /* a non-retryable start-up error (bad keys, permissions): see last_error */
} sioc_cluster_aws_state;

typedef struct sioc_cluster_aws_desc {
    const char *topic_name;        /* "socket-io" */
    const char *queue_prefix;      /* "socket-io": queue "<prefix>-<uid>" (a recreated queue gets a new suffix) */
    const sioc_aws_kv *tags;       /* queue tags (borrowed); none: sioc-cluster=<topic>, sioc-node=<uid> */
    size_t n_tags;
    const sioc_aws_kv *topic_tags; /* CreateTopic tags (default none, as Node: AWS refuses a CreateTopic whose
                                      tags differ from the existing topic's, so every member must agree) */
    size_t n_topic_tags;
    uint32_t retention_s;          /* 0 -> 3600: MessageRetentionPeriod of the queue (60..1209600) */
    int no_filter_policy;          /* 1: subscribe without the FilterPolicy */
    int wait_time_s;               /* 0 -> 20: ReceiveMessage WaitTimeSeconds (1..20; -1 for 0 = short polls) */
    int receives_in_flight;        /* 0 -> 1 (at most SIOC_CLUSTER_AWS_MAX_RECEIVES) */
    int max_messages;              /* 0 -> 10 per ReceiveMessage */
    uint32_t request_timeout_ms;   /* 0 -> 10000 for every request but ReceiveMessage (wait + 10 s) */
    uint32_t backoff_base_ms;      /* 0 -> 200: first retry window */
    uint32_t backoff_cap_ms;       /* 0 -> 20000: largest retry window */
    uint32_t backoff_floor_ms;     /* 0 -> 50: added to every jittered delay (throttling: 1000 at least) */
    uint32_t shutdown_timeout_ms;  /* 0 -> 10000: give up draining / deleting after this long */
    uint32_t receive_buffer_size;  /* 0 -> enough for max_messages of 256 KiB (about 358 KB each: 3.6 MB) */
    /* Random bytes for jitter and new queue names (may be the node's own). Required. */
    sioc_result (*random)(void *user, void *buf, size_t len);
    void *user;
    /* Optional: told about every failed request (it will be retried unless the state becomes FAILED). */
    void (*on_error)(void *user, sioc_cluster_aws_op op, const sioc_aws_call *call);
    sioc_allocator allocator;
} sioc_cluster_aws_desc;

struct sioc__caws_slot;

typedef struct sioc_cluster_aws {
    sioc_cluster_aws_state state;
    sioc_node *node;
    sioc_aws_client *client;
    uint64_t requests[SIOC_CLUSTER_AWS_OP_COUNT]; /* submitted, per operation (retries included) */
    uint64_t failures[SIOC_CLUSTER_AWS_OP_COUNT]; /* failed, per operation */
    uint64_t received, redelivered, bad_messages, deleted, delete_failed, published, publish_entry_failed;
    uint64_t queues_recreated, restarts;
    sioc_result last_error;
    char topic_arn[SIOC_CLUSTER_AWS_ARN_MAX];
    char queue_name[96];
    char queue_url[SIOC_CLUSTER_AWS_ARN_MAX];
    char queue_arn[SIOC_CLUSTER_AWS_ARN_MAX];
    char subscription_arn[SIOC_CLUSTER_AWS_ARN_MAX];
    /* private */
    sioc_cluster_aws_desc p_desc;
    void *p_mem;
    size_t p_mem_size;
    struct sioc__caws_slot *p_slots;
    int p_step, p_ctl_op;
    char p_old_sub[SIOC_CLUSTER_AWS_ARN_MAX];
    uint64_t p_close_deadline;
    struct sioc__caws_del *p_dels;
    size_t p_n_dels;
    char (*p_recent)[SIOC_CLUSTER_AWS_MSGID_MAX + 1];
    uint32_t p_recent_pos;
    sioc_json_tok *p_toks;
    size_t p_n_toks;
    uint8_t *p_scratch, *p_one;
    size_t p_scratch_size, p_one_size;
} sioc_cluster_aws;

/* The desc with defaults filled in. */
SIOC_API sioc_cluster_aws_desc sioc_cluster_aws_desc_resolved(const sioc_cluster_aws_desc *desc);
/* Bind a node and a client (both initialised, both outlive the binding; the client serves this binding alone:
   process() collects every finished call and drops the ones that are not its own). Takes the buffers in one block.
   SIOC_ERR_DEPENDENCY without random (or without an allocator when SIOC_ENABLE_LIBC_MALLOC is 0), SIOC_ERR_ARG for
   bad options, SIOC_ERR_NOMEM. */
SIOC_API SIOC_NODISCARD sioc_result sioc_cluster_aws_init(sioc_cluster_aws *ca, sioc_node *node,
                                                          sioc_aws_client *client, const sioc_cluster_aws_desc *desc);
/* Bytes sioc_cluster_aws_init takes for this desc (about 1.3 MB + 2 * receive_buffer_size: 8.4 MB by default), 0 for an invalid desc. */
SIOC_API size_t sioc_cluster_aws_heap_size(const sioc_cluster_aws_desc *desc);
/* The same inside caller memory of sioc_cluster_aws_heap_size(desc) bytes, 16-byte aligned, owned by the caller. */
SIOC_API SIOC_NODISCARD sioc_result sioc_cluster_aws_init_preallocated(sioc_cluster_aws *ca, sioc_node *node,
                                                                       sioc_aws_client *client,
                                                                       const sioc_cluster_aws_desc *desc, void *mem);
/* Cancel what is in flight and release the buffers (no request is sent: close first for a graceful leave). */
SIOC_API void sioc_cluster_aws_free(sioc_cluster_aws *ca);
/* Begin start-up (AWS.md §2.1). SIOC_ERR_STATE unless IDLE. */
SIOC_API SIOC_NODISCARD sioc_result sioc_cluster_aws_start(sioc_cluster_aws *ca, uint64_t now_ms);
/* Graceful leave (AWS.md §2.4): sioc_node_close, publish what it queued, then DeleteQueue and Unsubscribe. The
   state becomes CLOSED when done (or after shutdown_timeout_ms). */
SIOC_API SIOC_NODISCARD sioc_result sioc_cluster_aws_close(sioc_cluster_aws *ca, uint64_t now_ms);
/* Collect finished requests, feed received messages to the node, submit what is due (publishes, deletes,
   receives, retries) and run the node's timers. Call after driving the engine and after every node operation. */
SIOC_API void sioc_cluster_aws_process(sioc_cluster_aws *ca, uint64_t now_ms);
/* Earliest time process() has work: the node's and the engine's deadlines and the retry timers (now_ms when
   there is work already). */
SIOC_API uint64_t sioc_cluster_aws_next_deadline(const sioc_cluster_aws *ca, uint64_t now_ms);
/* 1 when nothing the node queued is waiting to be published or in flight (all handed to SNS). */
SIOC_API int sioc_cluster_aws_idle(const sioc_cluster_aws *ca);
/* "ReceiveMessage", ... */
SIOC_API const char *sioc_cluster_aws_op_name(int op);

#if SIOC_ENABLE_POSIX
/* One turn of a blocking loop over the POSIX backend: process, wait (poll) until a socket or a timer is due or
   max_wait_ms passed, step the sockets, process again. */
SIOC_API sioc_result sioc_cluster_aws_run_posix(sioc_cluster_aws *ca, sioc_posix *px, uint32_t max_wait_ms);
#endif

#endif /* SIOC_ENABLE_AWS */
