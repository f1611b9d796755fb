/* ---- aws: SNS (Query protocol) and SQS (AWS JSON 1.0), as the cluster transport uses them ----
   Three layers, each usable alone:
     1. Request bodies (sioc_sns_write_*, sioc_sqs_write_*): pure writers into a sioc_buf, byte-identical to what the
        AWS SDK for JavaScript sends (docs: docs/AWS.md section 3; checked against captured SDK traffic).
     2. Reply parsers (sioc_sns_parse_*, sioc_sqs_parse_*): pure readers of SNS XML and SQS JSON replies, including
        error replies. Strings come back as views into the reply, or into a caller `scratch` buffer when they had
        to be decoded (XML references, JSON escapes, base64): a scratch as large as the reply is always enough.
     3. sioc_aws_client: signs requests (SigV4) and runs them on the HTTP engine, corrects the clock once when AWS
        says it is skewed (unless SIOC_ENABLE_SKEW_CORRECTION 0), and classifies errors. Request and reply memory
        belong to the caller (sioc_aws_call).
   Nothing here allocates except sioc_aws_client_init (through the HTTP engine). Secrets never reach log lines
   or error text. */
#pragma once
#include "base.h"
#include "json.h"
#include "http.h"
#include "sigv4.h"

#if SIOC_ENABLE_AWS

#ifndef SIOC_AWS_MAX_ATTRS
#define SIOC_AWS_MAX_ATTRS 10 /* message attributes per message (the service limit) */
#endif
#define SIOC_AWS_MAX_BATCH 10            /* entries per PublishBatch / DeleteMessageBatch (service limit) */
#define SIOC_AWS_MAX_MESSAGE_SIZE 262144 /* SNS: body + attribute names, types and values (256 KiB) */
#define SIOC_AWS_SNS_VERSION "2010-03-31"

/* ---- common types ---- */

typedef enum sioc_aws_attr_type {
    SIOC_AWS_ATTR_STRING = 0, /* DataType "String": value is UTF-8 text */
    SIOC_AWS_ATTR_BINARY = 1, /* DataType "Binary": value is raw bytes (base64 on the wire) */
    SIOC_AWS_ATTR_NUMBER = 2  /* DataType "Number": value is the decimal text */
} sioc_aws_attr_type;

/* A message attribute. Views; for parsed messages they point into the reply or the scratch buffer. */
typedef struct sioc_aws_attr {
    sioc_str name;
    sioc_aws_attr_type type;
    sioc_bytes value;
} sioc_aws_attr;

/* A key/value pair: tags, queue attributes. */
typedef struct sioc_aws_kv {
    sioc_str key;
    sioc_str value;
} sioc_aws_kv;

/* An error reply, copied into fixed arrays (truncated on a UTF-8 boundary; always NUL-terminated). */
typedef struct sioc_aws_error {
    int status;           /* HTTP status */
    char code[64];        /* "NotFound", "QueueDoesNotExist", "Throttling", ... ("" when the reply had none) */
    char message[192];    /* the service's text */
    char request_id[64];
    char legacy_code[64]; /* SQS: the code of the x-amzn-query-error header ("AWS.SimpleQueueService....") */
    int sender_fault;     /* 1: Type "Sender" (the request was wrong), 0: Receiver or unknown */
} sioc_aws_error;

/* Size that counts against SIOC_AWS_MAX_MESSAGE_SIZE: the message plus every attribute's name, data type and
   value (Binary: raw bytes). */
SIOC_API size_t sioc_aws_message_size(sioc_str message, const sioc_aws_attr *attrs, size_t n_attrs);

/* ---- 1. SNS request bodies (application/x-www-form-urlencoded; values RFC 3986-encoded) ----
   Each appends to `out` and returns sioc_buf_result(out), or SIOC_ERR_ARG (empty required field, bad attribute),
   SIOC_ERR_LIMIT (more than SIOC_AWS_MAX_ATTRS attributes or SIOC_AWS_MAX_BATCH entries) or SIOC_ERR_TOO_LARGE
   (a message over SIOC_AWS_MAX_MESSAGE_SIZE, checked before anything is written). */

/* Action=CreateTopic&Version=2010-03-31&Name=...[&Tags.member.N.Key=...&Tags.member.N.Value=...] */
SIOC_API SIOC_NODISCARD sioc_result sioc_sns_write_create_topic(sioc_buf *out, sioc_str name, const sioc_aws_kv *tags,
                                                                 size_t n_tags);
/* Subscribe the queue `queue_arn` (Protocol=sqs) with RawMessageDelivery=true; a non-empty filter_policy (JSON
   text) adds FilterPolicyScope=MessageAttributes and FilterPolicy (docs/AWS.md section 6). */
SIOC_API SIOC_NODISCARD sioc_result sioc_sns_write_subscribe(sioc_buf *out, sioc_str topic_arn, sioc_str queue_arn,
                                                              sioc_str filter_policy);
/* Publish: Message, TopicArn, MessageAttributes.entry.N.* in the given order. */
SIOC_API SIOC_NODISCARD sioc_result sioc_sns_write_publish(sioc_buf *out, sioc_str topic_arn, sioc_str message,
                                                            const sioc_aws_attr *attrs, size_t n_attrs);

/* One PublishBatch entry; `id` must be unique in the batch (1-80 of A-Z a-z 0-9 _ -). */
typedef struct sioc_sns_batch_entry {
    sioc_str id;
    sioc_str message;
    const sioc_aws_attr *attrs;
    size_t n_attrs;
} sioc_sns_batch_entry;

/* PublishBatch of 1..10 entries; each entry and the batch as a whole must fit SIOC_AWS_MAX_MESSAGE_SIZE. */
SIOC_API SIOC_NODISCARD sioc_result sioc_sns_write_publish_batch(sioc_buf *out, sioc_str topic_arn,
                                                                  const sioc_sns_batch_entry *entries, size_t n);
/* Re-sending what a PublishBatch reply listed as failed: keeps, in a body written by sioc_sns_write_publish_batch,
   only the entries whose Id is one of `ids`, renumbered from 1 (in place: the body only shrinks). The Ids stay,
   so the next reply still names the original entries. SIOC_ERR_NOT_FOUND when no entry is kept (the body is
   then unchanged), SIOC_ERR_PROTOCOL when `body` is not such a body. */
SIOC_API SIOC_NODISCARD sioc_result sioc_sns_publish_batch_retain(sioc_buf *body, const sioc_str *ids, size_t n_ids);
SIOC_API SIOC_NODISCARD sioc_result sioc_sns_write_unsubscribe(sioc_buf *out, sioc_str subscription_arn);
/* next_token empty for the first page. */
SIOC_API SIOC_NODISCARD sioc_result sioc_sns_write_list_subscriptions_by_topic(sioc_buf *out, sioc_str topic_arn,
                                                                                sioc_str next_token);

/* ---- 1. SQS request bodies (application/x-amz-json-1.0; X-Amz-Target: AmazonSQS.<Op>) ---- */

/* {"QueueName":...[,"Attributes":{...}][,"tags":{...}]} */
SIOC_API SIOC_NODISCARD sioc_result sioc_sqs_write_create_queue(sioc_buf *out, sioc_str name,
                                                                 const sioc_aws_kv *attrs, size_t n_attrs,
                                                                 const sioc_aws_kv *tags, size_t n_tags);
/* {"QueueUrl":...,"AttributeNames":[...]} */
SIOC_API SIOC_NODISCARD sioc_result sioc_sqs_write_get_queue_attributes(sioc_buf *out, sioc_str queue_url,
                                                                         const sioc_str *names, size_t n);
/* {"QueueUrl":...,"Attributes":{...}} */
SIOC_API SIOC_NODISCARD sioc_result sioc_sqs_write_set_queue_attributes(sioc_buf *out, sioc_str queue_url,
                                                                         const sioc_aws_kv *attrs, size_t n);
/* The queue policy that lets `topic_arn` send to `queue_arn` (docs/AWS.md section 5), as JSON text. ARNs must be
   printable ASCII without '"' or '\' (SIOC_ERR_ARG). */
SIOC_API SIOC_NODISCARD sioc_result sioc_sqs_write_policy(sioc_buf *out, sioc_str queue_arn, sioc_str topic_arn);
/* SetQueueAttributes with exactly that policy as the "Policy" attribute (byte-identical to the Node adapter). */
SIOC_API SIOC_NODISCARD sioc_result sioc_sqs_write_set_queue_policy(sioc_buf *out, sioc_str queue_url,
                                                                     sioc_str queue_arn, sioc_str topic_arn);
/* {"QueueUrl":...,"MessageAttributeNames":["All"],"MaxNumberOfMessages":max,"WaitTimeSeconds":wait}.
   SIOC_ERR_RANGE unless 1 <= max <= 10 and 0 <= wait <= 20. */
SIOC_API SIOC_NODISCARD sioc_result sioc_sqs_write_receive_message(sioc_buf *out, sioc_str queue_url,
                                                                    int max_messages, int wait_seconds);

/* One DeleteMessageBatch entry: the message's MessageId serves as `id`. */
typedef struct sioc_sqs_delete_entry {
    sioc_str id;
    sioc_str receipt_handle;
} sioc_sqs_delete_entry;

/* {"QueueUrl":...,"Entries":[{"Id":...,"ReceiptHandle":...},...]} with 1..10 entries. */
SIOC_API SIOC_NODISCARD sioc_result sioc_sqs_write_delete_message_batch(sioc_buf *out, sioc_str queue_url,
                                                                         const sioc_sqs_delete_entry *entries,
                                                                         size_t n);
/* {"QueueUrl":...} for DeleteQueue and ListQueueTags. */
SIOC_API SIOC_NODISCARD sioc_result sioc_sqs_write_queue_url(sioc_buf *out, sioc_str queue_url);
/* {["QueueNamePrefix":...][,"NextToken":...][,"MaxResults":n]} (empty views and 0 leave a field out). */
SIOC_API SIOC_NODISCARD sioc_result sioc_sqs_write_list_queues(sioc_buf *out, sioc_str prefix, sioc_str next_token,
                                                                int max_results);
/* {"QueueUrl":...,"MessageBody":...[,"MessageAttributes":{...}]} (not used by the cluster; handy in tests). */
SIOC_API SIOC_NODISCARD sioc_result sioc_sqs_write_send_message(sioc_buf *out, sioc_str queue_url, sioc_str body,
                                                                 const sioc_aws_attr *attrs, size_t n_attrs);

/* ---- 2. SNS replies (XML) ----
   Each takes the whole reply body. SIOC_ERR_PARSE / SIOC_ERR_UNSUPPORTED / SIOC_ERR_LIMIT for malformed XML,
   SIOC_ERR_NOT_FOUND when the expected element is missing (an error reply, or another operation's reply),
   SIOC_ERR_BUFFER_TOO_SMALL when scratch is too small (one as large as the reply always suffices; scratch may be
   NULL when no field needs decoding). */

SIOC_API SIOC_NODISCARD sioc_result sioc_sns_parse_create_topic(const char *xml, size_t len, sioc_buf *scratch,
                                                                 sioc_str *out_topic_arn);
SIOC_API SIOC_NODISCARD sioc_result sioc_sns_parse_subscribe(const char *xml, size_t len, sioc_buf *scratch,
                                                              sioc_str *out_subscription_arn);
SIOC_API SIOC_NODISCARD sioc_result sioc_sns_parse_publish(const char *xml, size_t len, sioc_buf *scratch,
                                                            sioc_str *out_message_id);
/* SIOC_OK when the reply is an UnsubscribeResponse. */
SIOC_API SIOC_NODISCARD sioc_result sioc_sns_parse_unsubscribe(const char *xml, size_t len);

/* One entry of a batch reply (PublishBatch or DeleteMessageBatch). */
typedef struct sioc_aws_batch_item {
    sioc_str id;
    sioc_str message_id; /* PublishBatch successes */
    sioc_str code;       /* failures */
    sioc_str message;    /* failures */
    int failed;
    int sender_fault;
} sioc_aws_batch_item;

/* Successes first, then failures, in reply order. Check `failed` even when the HTTP status is 200. */
typedef struct sioc_aws_batch_result {
    sioc_aws_batch_item items[SIOC_AWS_MAX_BATCH];
    size_t count;
    size_t failed;
} sioc_aws_batch_result;

/* SIOC_ERR_LIMIT when the reply lists more than SIOC_AWS_MAX_BATCH entries. */
SIOC_API SIOC_NODISCARD sioc_result sioc_sns_parse_publish_batch(const char *xml, size_t len, sioc_buf *scratch,
                                                                  sioc_aws_batch_result *out);

typedef struct sioc_sns_subscription {
    sioc_str subscription_arn; /* "PendingConfirmation" for unconfirmed ones */
    sioc_str owner;
    sioc_str protocol;
    sioc_str endpoint;
    sioc_str topic_arn;
} sioc_sns_subscription;

/* Up to `cap` subscriptions (*out_count = the number in the reply; SIOC_ERR_BUFFER_TOO_SMALL when more than cap)
   and the NextToken (empty on the last page). */
SIOC_API SIOC_NODISCARD sioc_result sioc_sns_parse_list_subscriptions(const char *xml, size_t len, sioc_buf *scratch,
                                                                       sioc_sns_subscription *out, size_t cap,
                                                                       size_t *out_count, sioc_str *out_next_token);
/* <ErrorResponse><Error><Type/><Code/><Message/></Error><RequestId/></ErrorResponse> into *out (status kept). */
SIOC_API SIOC_NODISCARD sioc_result sioc_sns_parse_error(const char *xml, size_t len, sioc_aws_error *out);

/* ---- 2. SQS replies (JSON; parse the body with sioc_json_parse first) ----
   Unknown keys are ignored and any key order is accepted. SIOC_ERR_NOT_FOUND / SIOC_ERR_TYPE when a required
   key is missing or has another type, SIOC_ERR_BUFFER_TOO_SMALL when scratch is too small (one as large as the
   reply always suffices). Views stay valid while the reply text and scratch do. */

SIOC_API SIOC_NODISCARD sioc_result sioc_sqs_parse_create_queue(const sioc_json *doc, sioc_buf *scratch,
                                                                 sioc_str *out_queue_url);
/* One attribute of a GetQueueAttributes reply, e.g. "QueueArn". */
SIOC_API SIOC_NODISCARD sioc_result sioc_sqs_parse_queue_attribute(const sioc_json *doc, const char *name,
                                                                    sioc_buf *scratch, sioc_str *out_value);

/* A received message. Binary attribute values are decoded from base64 into scratch. */
typedef struct sioc_sqs_message {
    sioc_str message_id;
    sioc_str receipt_handle;
    sioc_str body;
    sioc_str md5_of_body;
    sioc_str md5_of_attrs; /* empty when the message has no attributes */
    sioc_aws_attr attrs[SIOC_AWS_MAX_ATTRS];
    size_t attr_count;
} sioc_sqs_message;

/* ReceiveMessage: up to `cap` messages (an empty reply "{}" gives 0). *out_count = messages in the reply
   (SIOC_ERR_BUFFER_TOO_SMALL when more than cap); SIOC_ERR_LIMIT for more than SIOC_AWS_MAX_ATTRS attributes;
   SIOC_ERR_PARSE for bad base64 or an unknown DataType. */
SIOC_API SIOC_NODISCARD sioc_result sioc_sqs_parse_receive_message(const sioc_json *doc, sioc_buf *scratch,
                                                                    sioc_sqs_message *out, size_t cap,
                                                                    size_t *out_count);
/* One element of that reply's "Messages" array (token `tok` of doc, e.g. from sioc_json_first / _next), read as
   above: for a reader that takes the messages one by one, so that a bad one does not hide the good ones.
   SIOC_ERR_TYPE when tok is not an object. */
SIOC_API SIOC_NODISCARD sioc_result sioc_sqs_parse_message(const sioc_json *doc, int tok, sioc_buf *scratch,
                                                            sioc_sqs_message *out);
/* DeleteMessageBatch: Successful [{Id}] and Failed [{Id, SenderFault, Code, Message}]. */
SIOC_API SIOC_NODISCARD sioc_result sioc_sqs_parse_batch(const sioc_json *doc, sioc_buf *scratch,
                                                          sioc_aws_batch_result *out);
/* ListQueues: QueueUrls (up to cap; *out_count = all) and NextToken (empty when absent). */
SIOC_API SIOC_NODISCARD sioc_result sioc_sqs_parse_list_queues(const sioc_json *doc, sioc_buf *scratch,
                                                                sioc_str *out_urls, size_t cap, size_t *out_count,
                                                                sioc_str *out_next_token);
/* ListQueueTags: {"Tags":{k:v,...}} (absent Tags gives 0). */
SIOC_API SIOC_NODISCARD sioc_result sioc_sqs_parse_list_queue_tags(const sioc_json *doc, sioc_buf *scratch,
                                                                    sioc_aws_kv *out, size_t cap,
                                                                    size_t *out_count);
/* {"__type":"com.amazonaws.sqs#QueueDoesNotExist","message":"..."}: code = text after '#' (and before any ':'),
   message from "message" or "Message". `query_error` is the x-amzn-query-error header ("Code;Sender"), or empty. */
SIOC_API SIOC_NODISCARD sioc_result sioc_sqs_parse_error(const char *json, size_t len, sioc_str query_error,
                                                          sioc_aws_error *out);

/* ---- 3. the client ---- */

typedef enum sioc_aws_service { SIOC_AWS_SNS = 0, SIOC_AWS_SQS = 1 } sioc_aws_service;

/* A parsed endpoint URL. */
typedef struct sioc_aws_endpoint {
    char host[SIOC_HTTP_MAX_HOST + 1];
    uint16_t port;
    int tls;
} sioc_aws_endpoint;

/* "http[s]://host[:port][/]" -> endpoint. SIOC_ERR_ARG for anything else (a path, user info, a query, bad port),
   SIOC_ERR_UNSUPPORTED for an IPv6 literal. */
SIOC_API SIOC_NODISCARD sioc_result sioc_aws_endpoint_parse(const char *url, sioc_aws_endpoint *out);
/* The regional endpoint https://<service>.<region>.amazonaws.com (".amazonaws.com.cn" for cn-* regions). */
SIOC_API SIOC_NODISCARD sioc_result sioc_aws_endpoint_default(sioc_aws_service svc, const char *region,
                                                               sioc_aws_endpoint *out);

/* The headers to send with one signed request, ready for the HTTP engine. Host and Content-Length are the
   engine's; `host` here is the exact Host value that was signed. */
typedef struct sioc_aws_signed {
    sioc_http_header headers[5]; /* content-type, [x-amz-target], x-amz-date, [x-amz-security-token], authorization */
    size_t count;
    char amz_date[17];
    char target[48];             /* "AmazonSQS.<Op>" */
    char host[SIOC_HTTP_MAX_HOST + 8];
    char authorization[640];
} sioc_aws_signed;

/* Sign one POST / request: `op` is the SQS operation name (X-Amz-Target), ignored for SNS (the action is in the
   body). Pure: the time comes in as unix_time; cache may be NULL. */
SIOC_API SIOC_NODISCARD sioc_result sioc_aws_sign(sioc_aws_signed *out, sioc_aws_service svc, const char *op,
                                                  const sioc_aws_endpoint *ep, const char *region,
                                                  const sioc_sigv4_credentials *creds, sioc_bytes body,
                                                  int64_t unix_time, sioc_sigv4_key_cache *cache);

typedef struct sioc_aws_desc {
    const char *region;                  /* required, e.g. "us-east-1"; both services are signed for it (copied) */
    sioc_sigv4_credentials credentials;  /* borrowed: must outlive the client (or sioc_aws_set_credentials) */
    const char *sns_endpoint;            /* NULL: the regional AWS endpoint; "http://127.0.0.1:4566" for emulators
                                            (parsed at init, not kept) */
    const char *sqs_endpoint;            /* ignored by a publish-only build (SIOC_ENABLE_RECEIVE 0) */
    int64_t (*utc_now)(void *user);      /* required: wall-clock seconds since 1970 (X-Amz-Date) */
    void *user;
    sioc_http_client_desc http;          /* the engine's settings (its allocator and logger are used here too) */
    uint32_t timeout_ms;                 /* 0 -> 30000: default per-request deadline */
    int publish_at_most_once;            /* 1: never re-send a Publish whose connection died (may lose it) */
} sioc_aws_desc;

typedef struct sioc_aws_stats {
    uint64_t calls, ok, errors, skew_retries, publish_resends;
} sioc_aws_stats;

typedef struct sioc_aws_client {
    sioc_http_client http;       /* drive it with sioc_http_drive() or the sioc_http_conn_* calls */
    sioc_aws_stats stats;
    int64_t clock_offset_s;      /* added to utc_now(): corrected from a server Date on a skew error */
    char detail[SIOC_DETAIL_SIZE]; /* why sioc_aws_client_init() failed, naming the field */
    /* private */
    sioc_aws_desc p_desc;
    char p_region[48];
    sioc_aws_endpoint p_ep[2];
    int p_http_ep[2];
    sioc_sigv4_key_cache p_keys[2];
    sioc_http_calls p_calls; /* in flight, and finished not yet collected */
} sioc_aws_client;

/* Start: parse the endpoints and set up the HTTP engine (all its memory is taken here). SIOC_ERR_ARG (no region,
   no credentials, bad endpoint), SIOC_ERR_DEPENDENCY (no utc_now; an https endpoint in a build without TLS), or the
   engine's errors; c->detail says which field ("sqs_endpoint \"ftp://x\": expected http[s]://host[:port]"). */
SIOC_API SIOC_NODISCARD sioc_result sioc_aws_client_init(sioc_aws_client *c, const sioc_aws_desc *desc);
SIOC_API void sioc_aws_client_free(sioc_aws_client *c);
/* Replace the credentials (rotation of temporary keys); views borrowed as in the desc. */
SIOC_API void sioc_aws_set_credentials(sioc_aws_client *c, const sioc_sigv4_credentials *creds);

/* One call. The caller owns it and its memory, sets the first block, and keeps all of it in place until the call
   comes back from sioc_aws_next(). */
typedef struct sioc_aws_call {
    void *body_mem;       /* the request body is written here by the sioc_aws_* starters (sioc_aws_submit: the
                             caller wrote it) */
    size_t body_cap;
    void *reply_mem;      /* the reply body lands here */
    size_t reply_cap;
    size_t reply_keep_tail; /* a reply over reply_cap keeps its last bytes here (SIOC_ERR_BUFFER_TOO_SMALL with
                               reply_tail_len set): the receipt handle of a message too large to read */
    uint32_t timeout_ms;  /* 0: the client default (ReceiveMessage: its wait time + 10 s at least) */
    void *user;
    /* results, valid when sioc_aws_next() hands the call back */
    sioc_result result;   /* SIOC_OK for 2xx; SIOC_ERR_NOT_FOUND (NotFound, QueueDoesNotExist),
                             SIOC_ERR_THROTTLED, SIOC_ERR_AUTH, SIOC_ERR_SERVER (5xx), SIOC_ERR_HTTP_STATUS (other),
                             SIOC_ERR_BUFFER_TOO_SMALL (reply over reply_cap), or the transport's error */
    int status;           /* HTTP status, 0 without a reply */
    sioc_bytes reply;     /* the reply body (in reply_mem) */
    size_t reply_tail_len; /* reply over reply_cap with reply_keep_tail: reply ends with the real end's last bytes */
    sioc_aws_error error; /* filled for error replies */
    int skew_retried;     /* 1 when the call was re-signed after a clock-skew error */
    int resent;           /* 1 when the engine re-sent it after a dead keep-alive connection */
    char detail[SIOC_DETAIL_SIZE]; /* a failure in words: "SQS ReceiveMessage: cannot connect to 127.0.0.1:1:
                                      connection refused", "SNS Publish: HTTP 403 InvalidClientTokenId: ..."
                                      ("" on success); also set when a starter refuses the call */
    /* private */
    size_t p_body_len;
    sioc_http_call p_track;
    uint32_t p_timeout;
    uint8_t p_service, p_idempotent;
    char p_op[32];

} sioc_aws_call;

/* Sign and queue a call whose body the caller already wrote into call->body_mem (body_len bytes). `op` is the
   operation name ("Publish", "ReceiveMessage", ...). SIOC_ERR_STATE when the call is already in flight. */
SIOC_API SIOC_NODISCARD sioc_result sioc_aws_submit(sioc_aws_client *c, sioc_aws_call *call, sioc_aws_service svc,
                                                    const char *op, size_t body_len, uint64_t now_ms);

/* Starters: write the body into call->body_mem (errors of the matching writer, e.g. SIOC_ERR_TOO_LARGE), then
   submit. Parse the reply with the matching sioc_sns_parse_* / sioc_sqs_parse_* call. With SIOC_ENABLE_RECEIVE 0
   (a publish-only build) SQS calls are refused: SIOC_ERR_UNSUPPORTED, call->detail says why. */
SIOC_API SIOC_NODISCARD sioc_result sioc_aws_sns_create_topic(sioc_aws_client *c, sioc_aws_call *call, sioc_str name,
                                                              const sioc_aws_kv *tags, size_t n_tags, uint64_t now_ms);
SIOC_API SIOC_NODISCARD sioc_result sioc_aws_sns_subscribe(sioc_aws_client *c, sioc_aws_call *call, sioc_str topic_arn,
                                                           sioc_str queue_arn, sioc_str filter_policy, uint64_t now_ms);
SIOC_API SIOC_NODISCARD sioc_result sioc_aws_sns_publish(sioc_aws_client *c, sioc_aws_call *call, sioc_str topic_arn,
                                                         sioc_str message, const sioc_aws_attr *attrs, size_t n_attrs,
                                                         uint64_t now_ms);
SIOC_API SIOC_NODISCARD sioc_result sioc_aws_sns_publish_batch(sioc_aws_client *c, sioc_aws_call *call,
                                                               sioc_str topic_arn, const sioc_sns_batch_entry *entries,
                                                               size_t n, uint64_t now_ms);
SIOC_API SIOC_NODISCARD sioc_result sioc_aws_sns_unsubscribe(sioc_aws_client *c, sioc_aws_call *call,
                                                             sioc_str subscription_arn, uint64_t now_ms);
SIOC_API SIOC_NODISCARD sioc_result sioc_aws_sns_list_subscriptions_by_topic(sioc_aws_client *c, sioc_aws_call *call,
                                                                              sioc_str topic_arn, sioc_str next_token,
                                                                              uint64_t now_ms);
SIOC_API SIOC_NODISCARD sioc_result sioc_aws_sqs_create_queue(sioc_aws_client *c, sioc_aws_call *call, sioc_str name,
                                                              const sioc_aws_kv *attrs, size_t n_attrs,
                                                              const sioc_aws_kv *tags, size_t n_tags, uint64_t now_ms);
SIOC_API SIOC_NODISCARD sioc_result sioc_aws_sqs_get_queue_attributes(sioc_aws_client *c, sioc_aws_call *call,
                                                                      sioc_str queue_url, const sioc_str *names,
                                                                      size_t n, uint64_t now_ms);
SIOC_API SIOC_NODISCARD sioc_result sioc_aws_sqs_set_queue_policy(sioc_aws_client *c, sioc_aws_call *call,
                                                                  sioc_str queue_url, sioc_str queue_arn,
                                                                  sioc_str topic_arn, uint64_t now_ms);
SIOC_API SIOC_NODISCARD sioc_result sioc_aws_sqs_receive_message(sioc_aws_client *c, sioc_aws_call *call,
                                                                 sioc_str queue_url, int max_messages,
                                                                 int wait_seconds, uint64_t now_ms);
SIOC_API SIOC_NODISCARD sioc_result sioc_aws_sqs_delete_message_batch(sioc_aws_client *c, sioc_aws_call *call,
                                                                      sioc_str queue_url,
                                                                      const sioc_sqs_delete_entry *entries, size_t n,
                                                                      uint64_t now_ms);
SIOC_API SIOC_NODISCARD sioc_result sioc_aws_sqs_delete_queue(sioc_aws_client *c, sioc_aws_call *call,
                                                              sioc_str queue_url, uint64_t now_ms);
SIOC_API SIOC_NODISCARD sioc_result sioc_aws_sqs_list_queues(sioc_aws_client *c, sioc_aws_call *call, sioc_str prefix,
                                                             sioc_str next_token, int max_results, uint64_t now_ms);
SIOC_API SIOC_NODISCARD sioc_result sioc_aws_sqs_list_queue_tags(sioc_aws_client *c, sioc_aws_call *call,
                                                                 sioc_str queue_url, uint64_t now_ms);
SIOC_API SIOC_NODISCARD sioc_result sioc_aws_sqs_send_message(sioc_aws_client *c, sioc_aws_call *call,
                                                              sioc_str queue_url, sioc_str body,
                                                              const sioc_aws_attr *attrs, size_t n_attrs,
                                                              uint64_t now_ms);

/* Collect finished calls: drains the engine's responses (which also returns its connections to the pool),
   re-signs and re-queues a call once after a clock-skew error (SIOC_ENABLE_SKEW_CORRECTION), classifies errors.
   SIOC_OK with *out set to a finished call (it is the caller's again), or SIOC_AGAIN when none is ready. Call it
   after driving the engine, until SIOC_AGAIN. */
SIOC_API sioc_result sioc_aws_next(sioc_aws_client *c, uint64_t now_ms, sioc_aws_call **out);
/* 1 when a finished call waits for sioc_aws_next() without any new byte (for deadlines: call it now). */
SIOC_API int sioc_aws_has_finished(const sioc_aws_client *c);
/* Give up on a call in flight (its memory is no longer referenced). SIOC_ERR_NOT_FOUND when it is not in flight. */
SIOC_API sioc_result sioc_aws_cancel(sioc_aws_client *c, sioc_aws_call *call);

#if SIOC_ENABLE_POSIX
/* Fill region, credentials and endpoints of *desc from the standard environment variables: AWS_REGION (or
   AWS_DEFAULT_REGION), AWS_ACCESS_KEY_ID, AWS_SECRET_ACCESS_KEY, AWS_SESSION_TOKEN, and AWS_ENDPOINT_URL_SNS /
   AWS_ENDPOINT_URL_SQS (each falling back to AWS_ENDPOINT_URL). Fields already set are kept; the views point into
   the environment. SIOC_ERR_NOT_FOUND when region or keys are still missing afterwards. */
SIOC_API SIOC_NODISCARD sioc_result sioc_aws_desc_from_env(sioc_aws_desc *desc);
#endif

#endif /* SIOC_ENABLE_AWS */
