/* ---- member: one cluster member over either cloud (the face most programs use) ----
   A sioc_cluster is a whole member of a Socket.IO cluster: the node (cluster.h), the signed client of its cloud
   (aws.h or azure.h) with its HTTP engine (http.h), the POSIX sockets when built in (posix.h), and the binding
   that joins them. The cloud is chosen by configuration:

     AWS SNS + SQS      the @socket.io/aws-sqs-adapter wire (docs/AWS.md): one SNS topic, one SQS queue per member
     Azure Service Bus  the @socket.io/azure-service-bus-adapter wire (docs/AZURE.md): one topic, one subscription
                        per member, over the REST API

   Life:   sioc_cluster_init -> add sockets (sioc_cluster_node + sioc_node_socket_add) -> sioc_cluster_start
           -> loop { sioc_cluster_process; drain sioc_node_next_event; sleep until sioc_cluster_next_deadline }
           -> sioc_cluster_close -> loop until CLOSED -> sioc_cluster_free
     start-up  AWS: CreateTopic -> CreateQueue -> GetQueueAttributes -> SetQueueAttributes(Policy) -> Subscribe
               (raw, FilterPolicy without the member's own messages); Azure: GET topic -> (PUT topic) -> PUT
               subscription "<prefix>-<uid>" with AutoDeleteOnIdle and a SQL rule in place of $Default that keeps
               out the member's own messages and responses for other nodes (sioc_azure_write_own_filter). Then the node is ready (READY event: the
               subscription is in place and INITIAL_HEARTBEAT is queued, not yet published: see the sequences).
               Emitter-only: the topic alone.
     running   long-poll receives -> the node (deliveries, requests, heartbeats) -> every received message is
               settled (AWS DeleteMessageBatch, Azure complete) whatever the node said; the node's out queue is
               published in order (AWS Publish / PublishBatch, Azure one send per message).
     shutdown  ADAPTER_CLOSE published, then the queue and subscription (AWS) or the subscription (Azure) deleted.
     faults    every failed request is retried after a capped exponential backoff with full jitter above a floor
               (throttling waits longer, Retry-After is honoured), never a hot loop; a lost queue / subscription
               or topic is re-created (the node is NOT_READY meanwhile); a message seen again after a failed
               settle is settled without reaching the node twice; a bad message (undecodable, too deep, too large)
               is dropped, counted and settled alone, never given back; a settle is retried while the message's
               lock (Azure) is valid; a 401 is answered with a fresh signature or token and retried with backoff,
               never a reason to drop a message once running. A start-up refused for good (wrong keys, permissions, a name the service rejects) ends in
               FAILED with the reason in sioc_cluster_last_error and the on_error callback.

   Publishing and sequences: every message the node queues (broadcasts, answers, heartbeats) gets the next
   sequence number; sioc_cluster_queued_seq() right after an operation is the sequence of its last message.
   sioc_cluster_published_seq() is the highest sequence S such that every message up to S has an outcome:
   accepted by the broker, or dropped. A message is dropped only when the service refuses it for good (too
   large, a bad value, a key rejected twice), when it does not fit the request buffer, or when close gives up
   after shutdown_timeout_ms; each outcome reaches on_publish when set. A publish whose answer was lost is sent
   again (at-least-once: a peer may then see it twice, counted in stats.ambiguous_retries);
   desc.publish_at_most_once drops it instead (at-most-once). A publish refused before it reached the broker
   (connection refused, throttled, 401) is always retried: that cannot duplicate. A PublishBatch the broker takes
   only in part: the entries it failed through no fault of ours (throttled, internal error) are sent again alone,
   with backoff (stats.batch_resent), those it refused for good are dropped; the reply names every entry, so none
   it took is sent twice. Built with SIOC_ENABLE_PUBLISH_BATCH 0 every message goes in a Publish of its own.

   Pacing (AWS, desc.receive_budget_ms, desc.publish_budget_ms): publishes start at most every publish_budget_ms
   (a full batch of 10 at once), so a steady rate goes out in PublishBatches; after a receive that brought fewer than max_messages the next one starts
   receive_budget_ms after it began (a full one is followed at once), so at a steady rate each receive carries
   several messages; deletes wait until 10 handles are held or the oldest is 15 s old (the visibility timeout is
   30 s), so one DeleteMessageBatch settles several receives. In a quiet cluster the wait is receive_idle_ms. A
   message waits at most that wait plus one receive; heartbeats and requests still meet their timeouts because
   both waits are bounded by them (checked at init) and a request of this node waiting for answers ends any idle
   wait.

   Sans-I/O: sioc_cluster_process never blocks. With SIOC_ENABLE_POSIX the member owns POSIX sockets and
   sioc_cluster_run_posix() is a whole loop turn; without it (or with desc.own_io) the program moves the bytes of
   sioc_cluster_http() itself (http.h). */
#pragma once
#include "base.h"
#include "json.h"
#include "cluster.h"
#include "http.h"
#include "posix.h"
#include "sigv4.h"
#include "aws.h"
#include "azure.h"

#if SIOC_ENABLE_AWS || SIOC_ENABLE_AZURE

#ifndef SIOC_CLUSTER_MAX_RECEIVES
#define SIOC_CLUSTER_MAX_RECEIVES 4 /* receives in flight at most */
#endif
#ifndef SIOC_CLUSTER_SETTLES
#define SIOC_CLUSTER_SETTLES 4 /* Azure: completes / unlocks in flight at once (REST has no batch complete) */
#endif
#define SIOC_CLUSTER_ARN_MAX 384     /* AWS: longest ARN or queue URL kept */
#define SIOC_CLUSTER_HANDLE_MAX 1024 /* AWS: longest receipt handle kept for a delete */
#define SIOC_CLUSTER_LOCK_MAX 512    /* Azure: longest lock path kept for a settle */
#define SIOC_CLUSTER_MSGID_MAX 128   /* longest message id remembered */
#define SIOC_CLUSTER_NSP_MAX 256     /* Azure: longest namespace sent */
#define SIOC_CLUSTER_PENDING 64      /* Azure: settles waiting for a slot */
#define SIOC_CLUSTER_NAME_MAX 96     /* queue or subscription name */
#ifndef SIOC_CLUSTER_JANITOR_MAX
#define SIOC_CLUSTER_JANITOR_MAX 32  /* AWS: other members' queues watched for orphans at once */
#endif

typedef enum sioc_cluster_transport {
    SIOC_CLUSTER_AUTO = 0,  /* Azure when azure.connection_string (or SERVICEBUS_CONNECTION_STRING) is set */
    SIOC_CLUSTER_AWS = 1,   /* SNS + SQS */
    SIOC_CLUSTER_AZURE = 2  /* Service Bus */
} sioc_cluster_transport;

typedef enum sioc_cluster_state {
    SIOC_CLUSTER_IDLE = 0, /* init done, start not called */
    SIOC_CLUSTER_STARTING, /* start-up running (also while re-creating a lost queue, subscription or topic) */
    SIOC_CLUSTER_RUNNING,  /* subscribed (or emitter-only with a topic): the node is ready */
    SIOC_CLUSTER_CLOSING,  /* publishing ADAPTER_CLOSE, then deleting what start-up created */
    SIOC_CLUSTER_CLOSED,   /* done: free it */
    SIOC_CLUSTER_FAILED    /* start-up refused for good: see sioc_cluster_last_error / on_error */
} sioc_cluster_state;

/* Requests by kind, the same for both clouds (names per cloud: sioc_cluster_op_name). */
typedef enum sioc_cluster_op {
    SIOC_CLUSTER_OP_GET_TOPIC = 0,   /* Azure GET topic */
    SIOC_CLUSTER_OP_CREATE_TOPIC,    /* AWS CreateTopic, Azure PUT topic */
    SIOC_CLUSTER_OP_CREATE_QUEUE,    /* AWS CreateQueue */
    SIOC_CLUSTER_OP_QUEUE_ARN,       /* AWS GetQueueAttributes */
    SIOC_CLUSTER_OP_QUEUE_POLICY,    /* AWS SetQueueAttributes */
    SIOC_CLUSTER_OP_SUBSCRIBE,       /* AWS Subscribe, Azure PUT subscription */
    SIOC_CLUSTER_OP_RECEIVE,         /* AWS ReceiveMessage, Azure peek-lock receive */
    SIOC_CLUSTER_OP_SETTLE,          /* AWS DeleteMessageBatch, Azure complete */
    SIOC_CLUSTER_OP_UNLOCK,          /* Azure unlock (abandon) */
    SIOC_CLUSTER_OP_PUBLISH,         /* AWS Publish, Azure send */
    SIOC_CLUSTER_OP_PUBLISH_BATCH,   /* AWS PublishBatch */
    SIOC_CLUSTER_OP_DELETE_QUEUE,    /* AWS DeleteQueue, Azure DELETE subscription */
    SIOC_CLUSTER_OP_UNSUBSCRIBE,     /* AWS Unsubscribe */
    SIOC_CLUSTER_OP_LIST_QUEUES,     /* AWS ListQueues (orphan clean-up) */
    SIOC_CLUSTER_OP_QUEUE_TAGS,      /* AWS ListQueueTags (orphan clean-up) */
    SIOC_CLUSTER_OP_LIST_SUBSCRIPTIONS, /* AWS ListSubscriptionsByTopic (orphan clean-up) */
    SIOC_CLUSTER_OP_COUNT
} sioc_cluster_op;

/* Counters (read with sioc_cluster_get_stats). */
typedef struct sioc_cluster_stats {
    uint64_t requests[SIOC_CLUSTER_OP_COUNT]; /* submitted per kind (retries included) */
    uint64_t failures[SIOC_CLUSTER_OP_COUNT]; /* failed per kind */
    uint64_t received;       /* messages received (bad ones and redeliveries included) */
    uint64_t redelivered;    /* seen before (a settle was lost): settled again, not handed to the node */
    uint64_t bad_messages;   /* undecodable, too large or refused by the node: dropped and settled */
    uint64_t settled;        /* deleted (AWS) or completed (Azure) */
    uint64_t settle_failed;  /* given up: the message comes back after its visibility timeout / lock */
    uint64_t unlocked;       /* Azure: given back because the node could not take it then */
    uint64_t published;      /* accepted by the broker */
    uint64_t publish_failed; /* dropped (see "Publishing and sequences" above) */
    uint64_t ambiguous_retries; /* publishes sent again although the broker may have taken them already (no
                                   answer: timeout, reset, 5xx): a peer may see those twice */
    uint64_t recreated;      /* queue or subscription re-created */
    uint64_t restarts;       /* start-up run again after the topic was lost */
    uint64_t empty_receives; /* long polls that ended without a message */
    uint64_t dedup_short;    /* ids forgotten before their lock / visibility timeout ran out: raise recent_ids */
    uint64_t checksum_failed; /* AWS: MD5OfBody did not match the body (counted in bad_messages too) */
    uint64_t too_large;      /* messages over the receive buffer (node.max_message_size): dropped, counted in
                                bad_messages too, deleted (AWS) or completed (Azure) */
    uint64_t orphans_deleted; /* AWS: other members' orphaned queues (and subscriptions) removed */
    uint64_t batch_resent;   /* AWS: PublishBatch entries the broker failed (not our fault) and sent again alone */
} sioc_cluster_stats;

/* A failed request, for on_error. Views valid during the callback only; never holds a secret. */
typedef struct sioc_cluster_error {
    sioc_cluster_op op;
    const char *op_name;    /* "ReceiveMessage", "Receive", ... */
    sioc_result result;     /* SIOC_ERR_CONNECT, SIOC_ERR_TIMEOUT, SIOC_ERR_THROTTLED, SIOC_ERR_AUTH, ... */
    int status;             /* HTTP status, 0 without a reply */
    const char *code;       /* the service's error code ("QueueDoesNotExist", "" when none) */
    const char *message;    /* the service's text ("" when none) */
    const char *detail;     /* what failed where, for people: "connect 127.0.0.1:4566: connection refused" */
    int will_retry;         /* 1: retried after a backoff; 0: given up (see the state and the counters) */
} sioc_cluster_error;

/* AWS settings. Empty fields come from the environment with SIOC_ENABLE_POSIX (see sioc_cluster_desc_from_env). */
typedef struct sioc_cluster_aws_opts {
    const char *region;                 /* "us-east-1" */
    sioc_sigv4_credentials credentials; /* borrowed for the member's life (or sioc_cluster_set_aws_credentials) */
    const char *sns_endpoint;           /* NULL: https://sns.<region>.amazonaws.com; "http://127.0.0.1:4566" ... */
    const char *sqs_endpoint;           /* NULL: https://sqs.<region>.amazonaws.com */
#if SIOC_ENABLE_AWS
    const sioc_aws_kv *tags;            /* queue tags; none: sioc-cluster=<topic>, sioc-node=<uid> */
    size_t n_tags;
    const sioc_aws_kv *topic_tags;      /* CreateTopic tags (default none: every member must send the same) */
    size_t n_topic_tags;
#endif
    uint32_t retention_s;               /* 0 -> 3600: MessageRetentionPeriod of the queue (60..1209600) */
    int no_filter_policy;               /* 1: subscribe without the FilterPolicy */
    int wait_time_s;                    /* 0 -> 20: ReceiveMessage WaitTimeSeconds (1..20; -1 for short polls) */
    int max_messages;                   /* 0 -> 10 per ReceiveMessage */
    uint32_t receive_buffer_size;       /* 0 -> enough for max_messages of node.max_message_size each */
    /* Orphan clean-up: SQS has no auto-delete, so the member with the lowest live uid removes the queue and the
       subscription of a member that crashed: a queue under "<prefix>-" whose backlog grew at every look for
       orphan_after_s with nothing received from it, whose sioc-node tag (if any) names no live member. Node members'
       queues are covered by the same rule. Only members that run the clean-up take part in the choice (their queues
       carry the tag sioc-janitor=1; custom aws.tags leave it out). Counted in stats.orphans_deleted, logged at
       WARN. The SMALL preset leaves the clean-up to others. */
    uint32_t subscription_check_s;      /* 0 -> 300: how often the subscription is checked (Subscribe again; also
                                           whenever peers go silent): a topic deleted and re-created under the
                                           cluster took it along */
    int no_orphan_cleanup;              /* 1: never remove other members' queues (required with SIOC_ENABLE_JANITOR 0) */
    uint32_t orphan_after_s;            /* 0 -> 600: well above any heartbeat timeout */
    uint32_t orphan_check_s;            /* 0 -> orphan_after_s / 5 (at least 1): how often the janitor looks */
} sioc_cluster_aws_opts;

/* Azure Service Bus settings. */
typedef struct sioc_cluster_azure_opts {
    const char *connection_string;  /* Endpoint=sb://...;SharedAccessKeyName=...;SharedAccessKey=... (copied) */
    const char *rest_url;           /* NULL: https://<Endpoint host>/; "http://127.0.0.1:<port>" for a local broker */
    uint32_t token_lifetime_s;      /* 0: SIOC_SAS_DEFAULT_LIFETIME */
    uint32_t auto_delete_on_idle_s; /* 0 -> 300: a crashed member's subscription goes away by itself */
    uint32_t lock_duration_s;       /* 0: the service default (60 s) */
    uint32_t message_ttl_s;         /* 0: none sent; else TimeToLive of every message */
    int timeout_s;                  /* 0 -> 55: long poll server timeout (1..60) */
    int no_filter_rule;             /* 1: the subscription keeps $Default (own messages and others' responses
                                       come back and are dropped here, a receive and a complete each) */
} sioc_cluster_azure_opts;

/* Everything a member needs. Zero means the documented default everywhere. */
typedef struct sioc_cluster_desc {
    sioc_cluster_transport transport;
    /* Random bytes (uid, request ids, jitter, queue names, TLS seed) and wall-clock seconds since 1970 (request
       signatures, token expiry, certificate validity). Required; with SIOC_ENABLE_POSIX, NULL means
       sioc_posix_random and sioc_posix_utc_now. */
    sioc_result (*random)(void *user, void *buf, size_t len);
    int64_t (*utc_now)(void *user);
    void *user;                  /* passed to every callback */
    sioc_allocator allocator;    /* every block of the member (node, engine, buffers); zero: malloc/free */
    sioc_logger logger;
    sioc_node_desc node;         /* heartbeats, capacities, emitter_only, ... (random, user, allocator and logger
                                    are taken from above when left zero) */
    sioc_http_client_desc http;  /* connections, TLS trust (ca_file / ca_pem), timeouts (same inheritance) */
    const char *topic_name;      /* 0: "socket-io" (AWS) / "socket.io" (Azure), the Node adapters' defaults */
    const char *prefix;          /* 0: same as the topic default: queue or subscription "<prefix>-<uid>" */
    int receives_in_flight;      /* 0 -> 1 (AWS) / 2 (Azure); at most SIOC_CLUSTER_MAX_RECEIVES */
    uint32_t request_timeout_ms; /* 0 -> 10000 for every request but the long polls (their wait + 10 s) */
    uint32_t backoff_base_ms;    /* 0 -> 200: first retry window */
    uint32_t backoff_cap_ms;     /* 0 -> 20000: largest retry window */
    uint32_t backoff_floor_ms;   /* 0 -> 50: added to every jittered delay (throttling: 1 s AWS, 2 s Azure) */
    uint32_t shutdown_timeout_ms;/* 0 -> 10000: close gives up draining and deleting after this long */
    uint32_t recent_ids;         /* 0 -> 4096: ids of received messages remembered (8 bytes + 4 each) so that a
                                    redelivery after a lost settle is settled again without reaching the node;
                                    size it for at least a lock duration / visibility timeout at your rate
                                    (stats.dedup_short counts ids forgotten sooner) */
    uint32_t reply_buffer_size;  /* 0 -> 16384: the reply buffer of each start-up step, publish and settle (the
                                    services answer them in a few KB; the SMALL preset takes 4096; at least 2048;
                                    Service Bus start-up steps, ATOM entries, keep 16384). A longer reply fails
                                    that request, which is retried */
    int own_io;                  /* SIOC_ENABLE_POSIX: 1 = no POSIX sockets, the program drives the engine */
    int publish_at_most_once;    /* 0: at-least-once (a publish whose answer was lost is sent again, counted in
                                    stats.ambiguous_retries); 1: at-most-once (it is dropped instead) */
    /* AWS receive pacing (see "Pacing" above; Service Bus REST takes one message per request: nothing to pace). */
    int receive_budget_ms;       /* 0 -> 30: how long a message may wait so that receives and deletes carry batches;
                                    -1: no pacing (every receive at once, each receive's messages deleted at once) */
    int publish_budget_ms;       /* 0 -> 20: a publish follows the previous one no sooner than this, carrying what
                                    queued meanwhile (one PublishBatch instead of one Publish each); a message after
                                    a quiet spell goes at once; -1: every publish as soon as the slot is free;
                                    ignored with SIOC_ENABLE_PUBLISH_BATCH 0 (nothing to gather) */
    int receive_idle_ms;         /* 0 -> receive_budget_ms: the wait in a quiet cluster (the last receive brought
                                    heartbeats only and no request of this node waits for answers); raise it (up to
                                    heartbeat_timeout - heartbeat_interval - 500 and request_timeout - 500) for an
                                    idle cost that does not grow with the cluster */
    /* Optional: every failed request (with what happens next). */
    void (*on_error)(void *user, const sioc_cluster_error *err);
    /* Optional: the outcome of published messages first_seq .. first_seq + count - 1 (SIOC_OK: accepted). */
    void (*on_publish)(void *user, uint64_t first_seq, size_t count, sioc_result result);
    sioc_cluster_aws_opts aws;
    sioc_cluster_azure_opts azure;
} sioc_cluster_desc;

struct sioc__mslot;
struct sioc__mjcand;

/* The member. Transparent so it can live anywhere (static, stack, your struct); every field is private: use the
   calls below. Do not copy or move it after init. */
typedef struct sioc_cluster {
    /* the fields used most come first (short loads and stores on small targets) */
    sioc_cluster_transport p_transport;
    sioc_cluster_state p_state;
    sioc_result p_last_error;
    int p_inited; /* bit 0 node, bit 1 client, bit 2 posix */
    int p_step;
    struct sioc__mslot *p_slots;
    size_t p_n_slots;
    void *p_mem;
    size_t p_mem_size;
    sioc_http_client *p_http;
    uint32_t p_gen;
    void *p_settles; /* AWS: receipt handles to delete; Azure: locks to settle */
    size_t p_n_settles, p_settle_cap, p_per_receive;
    sioc_json_tok *p_toks;
    size_t p_n_toks;
    uint8_t *p_scratch;
    size_t p_scratch_size;
    int p_have_topic, p_sub_created;
    int p_quiet;                    /* pacing: the last receive brought heartbeats only */
    uint32_t p_settle_hold;         /* pacing: ms a handle may wait for a fuller DeleteMessageBatch (0: none) */
    uint64_t p_close_deadline, p_queued_seq, p_published_seq, p_sent;
    uint64_t p_recv_at, p_quiet_at; /* pacing: earliest next receive while busy / while quiet (0: at once) */
    uint64_t *p_recent;     /* keyed hashes of recent message ids (0 = empty) */
    uint32_t *p_recent_at;  /* when each was seen (s, the caller's clock) */
    uint32_t p_recent_pos;
    uint64_t p_hash_key;
    uint64_t p_seen_expired, p_sub_check_at; /* AWS subscription watch */
    uint64_t p_single_until;                  /* AWS: one message per receive until then (a reply was too large) */
    char p_detail[SIOC_DETAIL_SIZE];
    sioc_cluster_stats p_stats;
    sioc_cluster_desc p_desc; /* resolved */
    char p_name[SIOC_CLUSTER_NAME_MAX];          /* queue or subscription */
    char p_topic[SIOC_CLUSTER_ARN_MAX];          /* AWS topic ARN / Azure topic name */
    char p_queue_url[SIOC_CLUSTER_ARN_MAX];      /* AWS */
    char p_queue_arn[SIOC_CLUSTER_ARN_MAX];      /* AWS */
    char p_sub_arn[SIOC_CLUSTER_ARN_MAX];        /* AWS */
    char p_old_sub[SIOC_CLUSTER_ARN_MAX];        /* AWS: a subscription to remove after a lost queue */
    sioc_node p_node;
    union {
        int none;
#if SIOC_ENABLE_AWS
        sioc_aws_client aws;
#endif
#if SIOC_ENABLE_AZURE
        sioc_azure_client azure;
#endif
    } p_client;
#if SIOC_ENABLE_POSIX
    sioc_posix p_px;
    int p_has_px;
#endif
    /* AWS orphan clean-up (member_janitor.c) */
    int p_has_jan, p_jan_step;
    struct sioc__mjcand *p_jan;
    size_t p_n_jan, p_jan_idx;
    uint64_t p_jan_next;
    char p_jan_token[1024];
    char p_jan_arn[SIOC_CLUSTER_ARN_MAX];
    char p_jan_sub[SIOC_CLUSTER_ARN_MAX];
} sioc_cluster;

/* Two sizes to start from; every capacity can still be set one by one afterwards (heap per preset: README).
     SERVER  the defaults: 256 KiB messages, 256 sockets, 32 peers per namespace, 4096 remembered ids, 10 messages
             per receive (AWS), 2 long polls (Azure)
     SMALL   a device: 16 KiB messages, 16 sockets in 2 namespaces, 8 peers, 8 requests, 1 long poll of 2
             messages, 512 remembered ids, 4 KiB reply buffers, 4 KiB (AWS) / 16 KiB (Azure) response heads, no
             orphan clean-up (AWS).
             Service Bus messages whose properties do not fit 16 KiB of headers cannot be received with it. */
typedef enum sioc_cluster_preset { SIOC_CLUSTER_PRESET_SERVER = 0, SIOC_CLUSTER_PRESET_SMALL = 1 } sioc_cluster_preset;
/* Fill the capacities of `preset` into *desc (set desc->transport first: heads differ per cloud). */
SIOC_API void sioc_cluster_desc_preset(sioc_cluster_desc *desc, sioc_cluster_preset preset);
/* The desc with every default filled in (what init will use). */
SIOC_API sioc_cluster_desc sioc_cluster_desc_resolved(const sioc_cluster_desc *desc);
#if SIOC_ENABLE_POSIX
/* Fill empty fields from the environment: AWS_REGION (or AWS_DEFAULT_REGION, else "us-east-1"),
   AWS_ACCESS_KEY_ID, AWS_SECRET_ACCESS_KEY, AWS_SESSION_TOKEN, AWS_ENDPOINT_URL[_SNS|_SQS]; Azure:
   SERVICEBUS_CONNECTION_STRING, SERVICEBUS_REST_URL. init calls it for you with SIOC_ENABLE_POSIX. */
SIOC_API void sioc_cluster_desc_from_env(sioc_cluster_desc *desc);
#endif
/* Bytes init takes from the allocator for this desc for the node and the member's buffers (0 for a desc init
   would refuse: invalid, or asking for what the build left out).
   The HTTP engine's block comes on top (about 60 KiB with the SMALL preset; see the README's heap table), and with a
   TLS backend its state per connection, taken when a connection opens. */
SIOC_API size_t sioc_cluster_heap_size(const sioc_cluster_desc *desc);
/* Set up the member: node (uid drawn), client, engine, and with SIOC_ENABLE_POSIX (unless own_io) the sockets.
   Nothing is sent before sioc_cluster_start. Errors: SIOC_ERR_ARG (a bad option: on_error is not called, the
   logger names the field), SIOC_ERR_DEPENDENCY (no random / utc_now, no allocator without libc malloc, an https
   endpoint in a build without TLS), SIOC_ERR_NOT_FOUND (no credentials / connection string), SIOC_ERR_NOMEM,
   SIOC_ERR_UNSUPPORTED (a feature the build left out: a receiving member with SIOC_ENABLE_RECEIVE 0, orphan
   clean-up with SIOC_ENABLE_JANITOR 0; the detail names the switch). On error everything taken is released
   again. */
SIOC_API SIOC_NODISCARD sioc_result sioc_cluster_init(sioc_cluster *c, const sioc_cluster_desc *desc);
/* Release everything (nothing is sent: close first for a graceful leave). Safe on a zeroed or freed member. */
SIOC_API void sioc_cluster_free(sioc_cluster *c);
/* Begin start-up. SIOC_ERR_STATE unless IDLE. */
SIOC_API SIOC_NODISCARD sioc_result sioc_cluster_start(sioc_cluster *c, uint64_t now_ms);
/* Graceful leave: the node closes (ADAPTER_CLOSE), what it queued is published, then the queue / subscription
   is deleted; CLOSED when done or after shutdown_timeout_ms. */
SIOC_API SIOC_NODISCARD sioc_result sioc_cluster_close(sioc_cluster *c, uint64_t now_ms);
/* Collect finished requests, feed received messages to the node, submit what is due (publishes, settles,
   receives, retries) and run the node's timers. Call after moving bytes and after every node operation. */
SIOC_API void sioc_cluster_process(sioc_cluster *c, uint64_t now_ms);
/* Earliest time process() has work (node, engine and retry timers; now_ms when there is work already). */
SIOC_API uint64_t sioc_cluster_next_deadline(const sioc_cluster *c, uint64_t now_ms);
/* 1 when nothing the node queued waits to be published or is in flight. */
SIOC_API int sioc_cluster_idle(const sioc_cluster *c);
#if SIOC_ENABLE_POSIX
/* One loop turn over the member's POSIX sockets: process, wait in poll() until a socket or a timer is due or
   max_wait_ms passed, move the bytes, process again; drain sioc_node_next_event after it. SIOC_OK while the member
   lives, SIOC_ERR_CLOSED once it is CLOSED, the reason once FAILED (SIOC_ERR_AUTH, ...); SIOC_ERR_STATE with own_io. */
SIOC_API sioc_result sioc_cluster_run_posix(sioc_cluster *c, uint32_t max_wait_ms);
/* The member's POSIX backend (descriptors for your own poll / epoll: sioc_posix_fds, then sioc_posix_step and
   sioc_cluster_process), NULL with own_io. */
SIOC_API sioc_posix *sioc_cluster_posix(sioc_cluster *c);
#endif

/* ---- accessors ---- */
SIOC_API sioc_node *sioc_cluster_node(sioc_cluster *c);            /* sockets, operations, events */
SIOC_API sioc_http_client *sioc_cluster_http(sioc_cluster *c);     /* the engine, for programs moving bytes */
SIOC_API sioc_cluster_transport sioc_cluster_get_transport(const sioc_cluster *c);
SIOC_API sioc_cluster_state sioc_cluster_get_state(const sioc_cluster *c);
SIOC_API sioc_result sioc_cluster_last_error(const sioc_cluster *c);
/* The last failure in words (an init that failed too: which field, which build; a request: host:port and reason);
   "" when none. Never holds a secret. */
SIOC_API const char *sioc_cluster_last_detail(const sioc_cluster *c);
SIOC_API const sioc_cluster_stats *sioc_cluster_get_stats(const sioc_cluster *c);
SIOC_API const char *sioc_cluster_uid(const sioc_cluster *c);      /* 16 hex, or "emitter" */
SIOC_API const char *sioc_cluster_queue_name(const sioc_cluster *c); /* queue / subscription, "" when none */
/* Sequence of the last message the node queued (0: none yet) and the highest one with an outcome. */
SIOC_API uint64_t sioc_cluster_queued_seq(const sioc_cluster *c);
SIOC_API uint64_t sioc_cluster_published_seq(const sioc_cluster *c);
/* "ReceiveMessage" (AWS) / "Receive" (Azure), ...; "?" out of range. */
SIOC_API const char *sioc_cluster_op_name(const sioc_cluster *c, int op);
/* "IDLE", "STARTING", ... */
SIOC_API const char *sioc_cluster_state_name(int state);
#if SIOC_ENABLE_AWS
/* Rotate temporary AWS keys (borrowed as in the desc). */
SIOC_API void sioc_cluster_set_aws_credentials(sioc_cluster *c, const sioc_sigv4_credentials *creds);
#endif

#endif /* SIOC_ENABLE_AWS || SIOC_ENABLE_AZURE */
