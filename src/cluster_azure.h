/* ---- cluster_azure: a sioc_node joined to a Service Bus topic through its own subscription (AZURE.md §1, §4-6) ----
   Ties a sioc_node (cluster.h) to a sioc_azure_client (azure.h). Both are the caller's, initialised before and freed
   after this object; the binding owns only its request and reply buffers (one block, taken at init).

     start-up   GET topic -> (missing) PUT topic (409 = fine) -> PUT subscription "<prefix>-<uid>" with
                AutoDeleteOnIdle (409 = fine) -> sioc_node_set_ready(1), like upstream init()   (emitter-only: topic)
     running    receives_in_flight peek-lock long polls -> §2.1 filters + decode (sioc_node_receive_azure) ->
                complete (pipelined, several in flight; unlock when the node could not take the message);
                one send per out message with a unique MessageId (BrokerProperties) and quoted nsp/uid/requesterUid
     shutdown   sioc_node_close (ADAPTER_CLOSE sent first) -> node CLOSED -> DELETE subscription (404 = gone)
     faults     capped exponential backoff with full jitter above a floor (throttling: >= 2 s and Retry-After);
                410 on receive -> subscription (and topic if needed) re-created, NOT_READY meanwhile; 410 on send ->
                start-up again; 401 -> one immediate retry with a fresh token, then FAILED in start-up (a clear auth
                failure, no more requests) or backoff when running; MessageIds of recent messages are remembered so a
                redelivery after a lost lock is completed without reaching the node again.

   Sans-I/O like cluster_aws: drive the HTTP engine, call sioc_cluster_azure_process(), sleep until
   sioc_cluster_azure_next_deadline(). Give the client's engine conns_per_endpoint >= receives_in_flight + 2. */
#pragma once
#include "base.h"
#include "cluster.h"
#include "posix.h"
#include "azure.h"

#if SIOC_ENABLE_AZURE

#ifndef SIOC_CLUSTER_AZURE_MAX_RECEIVES
#define SIOC_CLUSTER_AZURE_MAX_RECEIVES 4 /* long polls in flight at most */
#endif
#ifndef SIOC_CLUSTER_AZURE_SETTLES
#define SIOC_CLUSTER_AZURE_SETTLES 4 /* completes / unlocks in flight at once (REST has no batch complete) */
#endif
#ifndef SIOC_CLUSTER_AZURE_RECENT
#define SIOC_CLUSTER_AZURE_RECENT 256 /* MessageIds remembered against redelivery */
#endif
#define SIOC_CLUSTER_AZURE_LOCK_MAX 512  /* longest lock path kept for a settle */
#define SIOC_CLUSTER_AZURE_MSGID_MAX 128
#define SIOC_CLUSTER_AZURE_NSP_MAX 256   /* longest namespace name sent */
#define SIOC_CLUSTER_AZURE_PENDING 64    /* settles waiting for a slot */

/* Requests per operation (counters and on_error). */
typedef enum sioc_cluster_azure_op {
    SIOC_CLUSTER_AZURE_GET_TOPIC = 0,
    SIOC_CLUSTER_AZURE_CREATE_TOPIC,
    SIOC_CLUSTER_AZURE_CREATE_SUBSCRIPTION,
    SIOC_CLUSTER_AZURE_RECEIVE,
    SIOC_CLUSTER_AZURE_COMPLETE,
    SIOC_CLUSTER_AZURE_UNLOCK,
    SIOC_CLUSTER_AZURE_SEND,
    SIOC_CLUSTER_AZURE_DELETE_SUBSCRIPTION,
    SIOC_CLUSTER_AZURE_OP_COUNT
} sioc_cluster_azure_op;

typedef enum sioc_cluster_azure_state {
    SIOC_CLUSTER_AZURE_IDLE = 0, /* init done, start not called */
    SIOC_CLUSTER_AZURE_STARTING, /* start-up running (also after a lost subscription or topic) */
    SIOC_CLUSTER_AZURE_RUNNING,  /* subscription in place (or emitter-only with a topic): node ready */
    SIOC_CLUSTER_AZURE_CLOSING,  /* draining ADAPTER_CLOSE, then deleting the subscription */
    SIOC_CLUSTER_AZURE_CLOSED,   /* done: free it */
    SIOC_CLUSTER_AZURE_FAILED    /* a non-retryable start-up error (wrong key: SIOC_ERR_AUTH): see last_error */
} sioc_cluster_azure_state;

typedef struct sioc_cluster_azure_desc {
    const char *topic_name;          /* "socket.io" (the Node adapter's default topicName) */
    const char *subscription_prefix; /* "socket.io": subscription "<prefix>-<uid>" (<= 50 chars in all) */
    uint32_t auto_delete_on_idle_s;  /* 0 -> 300 (the minimum, AZURE.md 5.3); a crashed node's subscription goes */
    uint32_t lock_duration_s;        /* 0: the service default (60 s) */
    uint32_t message_ttl_s;          /* 0: none sent; else TimeToLive of every sent message */
    int timeout_s;                   /* 0 -> 55: long poll server timeout (1..60) */
    int receives_in_flight;          /* 0 -> 2 (at most SIOC_CLUSTER_AZURE_MAX_RECEIVES) */
    uint32_t request_timeout_ms;     /* 0 -> 10000 for every request but receive (timeout_s + 10 s) */
    uint32_t backoff_base_ms;        /* 0 -> 200: first retry window */
    uint32_t backoff_cap_ms;         /* 0 -> 20000: largest retry window */
    uint32_t backoff_floor_ms;       /* 0 -> 50: added to every jittered delay (throttling: 2000 at least) */
    uint32_t shutdown_timeout_ms;    /* 0 -> 10000: give up draining / deleting after this long */
    /* Random bytes for jitter (may be the node's own). Required. */
    sioc_result (*random)(void *user, void *buf, size_t len);
    void *user;
    /* Optional: told about every failed request (it will be retried unless the state becomes FAILED). */
    void (*on_error)(void *user, sioc_cluster_azure_op op, const sioc_azure_call *call);
    sioc_allocator allocator;
} sioc_cluster_azure_desc;

struct sioc__caz_slot;
struct sioc__caz_settle;

typedef struct sioc_cluster_azure {
    sioc_cluster_azure_state state;
    sioc_node *node;
    sioc_azure_client *client;
    uint64_t requests[SIOC_CLUSTER_AZURE_OP_COUNT]; /* submitted, per operation (retries included) */
    uint64_t failures[SIOC_CLUSTER_AZURE_OP_COUNT]; /* failed, per operation */
    uint64_t received, redelivered, bad_messages, completed, unlocked, settle_failed, published, publish_failed;
    uint64_t subscriptions_recreated, restarts, empty_receives;
    sioc_result last_error;
    char topic[SIOC_AZURE_MAX_NAME + 1];
    char subscription[SIOC_AZURE_MAX_NAME + 1]; /* "<prefix>-<uid>", set by start; emptied once deleted */
    /* private */
    sioc_cluster_azure_desc p_desc;
    void *p_mem;
    size_t p_mem_size;
    struct sioc__caz_slot *p_slots;
    int p_step, p_have_topic, p_sub_created;
    uint32_t p_gen; /* bumped when the subscription is re-created */
    uint64_t p_close_deadline, p_sent;
    struct sioc__caz_settle *p_pending;
    size_t p_n_pending;
    char (*p_recent)[SIOC_CLUSTER_AZURE_MSGID_MAX + 1];
    uint32_t p_recent_pos;
} sioc_cluster_azure;

/* The desc with defaults filled in. */
SIOC_API sioc_cluster_azure_desc sioc_cluster_azure_desc_resolved(const sioc_cluster_azure_desc *desc);
/* Bind a node and a client (both initialised, both outlive the binding; the client serves this binding alone).
   Takes the buffers in one block. SIOC_ERR_DEPENDENCY without random (or without an allocator when
   SIOC_ENABLE_LIBC_MALLOC is 0), SIOC_ERR_ARG for bad options or names, SIOC_ERR_NOMEM. */
SIOC_API SIOC_NODISCARD sioc_result sioc_cluster_azure_init(sioc_cluster_azure *cz, sioc_node *node,
                                                            sioc_azure_client *client,
                                                            const sioc_cluster_azure_desc *desc);
/* Bytes sioc_cluster_azure_init takes for this desc (about 1 MB by default: 0.27 MB per receive), 0 if invalid. */
SIOC_API size_t sioc_cluster_azure_heap_size(const sioc_cluster_azure_desc *desc);
/* The same inside caller memory of sioc_cluster_azure_heap_size(desc) bytes, 16-byte aligned, owned by the caller. */
SIOC_API SIOC_NODISCARD sioc_result sioc_cluster_azure_init_preallocated(sioc_cluster_azure *cz, sioc_node *node,
                                                                         sioc_azure_client *client,
                                                                         const sioc_cluster_azure_desc *desc,
                                                                         void *mem);
/* Cancel what is in flight and release the buffers (no request is sent: close first for a graceful leave). */
SIOC_API void sioc_cluster_azure_free(sioc_cluster_azure *cz);
/* Begin start-up (AZURE.md §1). SIOC_ERR_STATE unless IDLE. */
SIOC_API SIOC_NODISCARD sioc_result sioc_cluster_azure_start(sioc_cluster_azure *cz, uint64_t now_ms);
/* Graceful leave: sioc_node_close, send what it queued (ADAPTER_CLOSE), then delete the subscription. The state
   becomes CLOSED when done (or after shutdown_timeout_ms). */
SIOC_API SIOC_NODISCARD sioc_result sioc_cluster_azure_close(sioc_cluster_azure *cz, uint64_t now_ms);
/* Collect finished requests, feed received messages to the node, submit what is due (sends, settles, receives,
   retries) and run the node's timers. Call after driving the engine and after every node operation. */
SIOC_API void sioc_cluster_azure_process(sioc_cluster_azure *cz, uint64_t now_ms);
/* Earliest time process() has work (node, engine and retry timers merged; now_ms when there is work already). */
SIOC_API uint64_t sioc_cluster_azure_next_deadline(const sioc_cluster_azure *cz, uint64_t now_ms);
/* 1 when nothing the node queued is waiting to be sent or in flight. */
SIOC_API int sioc_cluster_azure_idle(const sioc_cluster_azure *cz);
/* "GetTopic", "Receive", ... ("?" when out of range). */
SIOC_API const char *sioc_cluster_azure_op_name(int op);

#if SIOC_ENABLE_POSIX
/* One turn of a blocking loop over the POSIX backend: process, wait until a socket or a timer is due or
   max_wait_ms passed, step the sockets, process again. */
SIOC_API sioc_result sioc_cluster_azure_run_posix(sioc_cluster_azure *cz, sioc_posix *px, uint32_t max_wait_ms);
#endif

#endif /* SIOC_ENABLE_AZURE */
