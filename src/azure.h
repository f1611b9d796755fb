/* ---- azure: Service Bus REST data plane and ATOM management, as the cluster transport uses them ----
   Three layers, each usable alone (docs/AZURE.md sections 4-6; same shape as aws.h):
     1. Request pieces (sioc_azure_write_*): quoted custom property values, the BrokerProperties JSON, and ATOM
        entries byte-identical to what @azure/service-bus 7.9.5's administration client sends.
     2. Response parsers (sioc_azure_parse_*): a peek-locked message from its headers (BrokerProperties JSON,
        Location, quoted custom properties) and body, ATOM error bodies, entity presence.
     3. sioc_azure_client: SAS token per request (renewed before expiry) on the HTTP engine; calls owned by the
        caller; HTTP statuses classified into typed errors for the node's backoff.
   Nothing here allocates except sioc_azure_client_init (through the HTTP engine). Keys and tokens never reach
   log lines or error text. */
#pragma once
#include "base.h"
#include "sas.h"
#include "cluster_msg.h"
#include "http.h"

#ifndef SIOC_ENABLE_AZURE
#define SIOC_ENABLE_AZURE 1 /* 0 leaves the Azure transport out (the SAS helpers stay: they are small and pure) */
#endif
#if SIOC_ENABLE_AZURE

#ifndef SIOC_AZURE_MAX_PROPS
#define SIOC_AZURE_MAX_PROPS 8 /* custom properties kept per received message (more are counted, not kept) */
#endif
#ifndef SIOC_AZURE_META_SIZE
#define SIOC_AZURE_META_SIZE 2048 /* per call: response headers kept for parsing (Location, BrokerProperties, ...) */
#endif
#define SIOC_AZURE_MAX_META_HEADERS 24
#define SIOC_AZURE_MAX_MESSAGE_SIZE 262144 /* Standard tier: payload plus all properties (docs/AZURE.md 7) */
#define SIOC_AZURE_MAX_NAME 50             /* topic / subscription name length */
#define SIOC_AZURE_API_VERSION "2021-05"
#define SIOC_AZURE_MAX_TIMEOUT_S 60        /* longest receive long poll we ask for (docs/AZURE.md 4.2) */

/* ---- common types ---- */

typedef enum sioc_azure_prop_type {
    SIOC_AZURE_PROP_STRING = 0, /* "text" on the wire */
    SIOC_AZURE_PROP_INT = 1,    /* bare integer (Int64) */
    SIOC_AZURE_PROP_DOUBLE = 2, /* bare floating point */
    SIOC_AZURE_PROP_BOOL = 3    /* true / false */
} sioc_azure_prop_type;

/* A custom (application) property. value: strings unquoted and unescaped; other types the bare wire text. */
typedef struct sioc_azure_prop {
    sioc_str name;
    sioc_azure_prop_type type;
    sioc_str value;
} sioc_azure_prop;

/* What a call's failure means, for retry decisions (docs/AZURE.md 6). */
typedef enum sioc_azure_error_kind {
    SIOC_AZURE_E_NONE = 0,
    SIOC_AZURE_E_BAD_REQUEST,  /* 400: a bug, do not retry */
    SIOC_AZURE_E_AUTH,         /* 401: bad/expired token or key (the client renews its token before the next call) */
    SIOC_AZURE_E_QUOTA,        /* 403: quota exceeded or invalid operation */
    SIOC_AZURE_E_TOO_LARGE,    /* 403 on send: message too large */
    SIOC_AZURE_E_NOT_FOUND,    /* 404 on an entity, or GET of a missing entity (200 with an empty feed) */
    SIOC_AZURE_E_LOCK_LOST,    /* 404 on a lock URI: lock expired or already settled (may be redelivered) */
    SIOC_AZURE_E_CONFLICT,     /* 409 (reported as success by the create calls) */
    SIOC_AZURE_E_ENTITY_GONE,  /* 410: topic or subscription does not exist: re-create, then resume */
    SIOC_AZURE_E_THROTTLED,    /* 429, 503: back off >= 2 s (retry_after_s when given) */
    SIOC_AZURE_E_SERVER,       /* other 5xx: retry with backoff */
    SIOC_AZURE_E_OTHER,        /* any other status */
    SIOC_AZURE_E_TRANSPORT     /* no usable response (timeout, connect, closed, TLS): outcome unknown */
} sioc_azure_error_kind;

/* The operations, for classification and logs. */
typedef enum sioc_azure_op {
    SIOC_AZURE_OP_SEND = 0,
    SIOC_AZURE_OP_RECEIVE,        /* peek-lock */
    SIOC_AZURE_OP_RECEIVE_DELETE, /* receive-and-delete */
    SIOC_AZURE_OP_COMPLETE,
    SIOC_AZURE_OP_UNLOCK,
    SIOC_AZURE_OP_RENEW,
    SIOC_AZURE_OP_GET_TOPIC,
    SIOC_AZURE_OP_CREATE_TOPIC,
    SIOC_AZURE_OP_GET_SUBSCRIPTION,
    SIOC_AZURE_OP_CREATE_SUBSCRIPTION,
    SIOC_AZURE_OP_DELETE_SUBSCRIPTION,
    SIOC_AZURE_OP_COUNT_
} sioc_azure_op;

/* Name of an operation for logs ("send", "receive", ...). */
SIOC_API const char *sioc_azure_op_name(sioc_azure_op op);

/* Map an HTTP status of `op` to a result and kind (pure; what the client does). Success includes 409 on the
   create calls and 404 on delete subscription (both: the wanted state holds). */
SIOC_API sioc_result sioc_azure_classify(sioc_azure_op op, int status, sioc_azure_error_kind *out_kind);

/* 1 when `name` is a valid topic or subscription name: 1..50 of letters, digits, '.', '-', '_' (one path
   segment, never needs percent-encoding). */
SIOC_API int sioc_azure_name_ok(sioc_str name);

/* ---- 1. request pieces ---- */

/* A custom property header value: strings double-quoted (refused with SIOC_ERR_ARG when they contain '"', '\',
   control characters or non-ASCII: Azure documents no escaping, docs/AZURE.md 4.1), other types checked and written
   bare. Appends to out; returns sioc_buf_result(out) or SIOC_ERR_ARG. */
SIOC_API SIOC_NODISCARD sioc_result sioc_azure_write_prop_value(sioc_buf *out, const sioc_azure_prop *p);

/* Settable BrokerProperties of a send; empty/zero fields are left out. */
typedef struct sioc_azure_send_opts {
    sioc_str message_id;     /* never a constant (duplicate detection); empty: the service assigns one */
    uint32_t time_to_live_s; /* 0: the subscription default */
    sioc_str label;
    sioc_str correlation_id;
} sioc_azure_send_opts;

/* The BrokerProperties JSON ({"MessageId":...,"TimeToLive":...,"Label":...,"CorrelationId":...}); nothing is
   appended (and SIOC_OK returned) when every field is empty. */
SIOC_API SIOC_NODISCARD sioc_result sioc_azure_write_broker_props(sioc_buf *out, const sioc_azure_send_opts *o);

/* ISO-8601 duration as the service writes it: 30 -> "PT30S", 300 -> "PT5M", 90000 -> "P1DT1H". 0 -> "PT0S". */
SIOC_API void sioc_azure_write_duration(sioc_buf *out, uint32_t seconds);

/* Topic options; zero fields are left out (service defaults). */
typedef struct sioc_azure_topic_opts {
    uint32_t default_ttl_s;
    uint32_t max_size_mb;
    uint32_t auto_delete_on_idle_s;
    sioc_str updated; /* optional <updated> text, e.g. "2026-11-23T06:30:49.295Z" (the SDK sends the time) */
} sioc_azure_topic_opts;

/* Subscription options; zero fields are left out. A C node sets auto_delete_on_idle_s >= 300 (docs/AZURE.md 5.3). */
typedef struct sioc_azure_sub_opts {
    uint32_t lock_duration_s;
    uint32_t default_ttl_s;
    uint32_t max_delivery_count;
    uint32_t auto_delete_on_idle_s;
    sioc_str updated;
} sioc_azure_sub_opts;

/* ATOM entries for PUT (create): the SDK's envelope, children in the service's element order. opts may be NULL. */
SIOC_API SIOC_NODISCARD sioc_result sioc_azure_write_topic_entry(sioc_buf *out, const sioc_azure_topic_opts *o);
SIOC_API SIOC_NODISCARD sioc_result sioc_azure_write_subscription_entry(sioc_buf *out, const sioc_azure_sub_opts *o);

/* The node's subscription name "<prefix>-<16 lowercase hex of id>" (docs/AZURE.md 1). SIOC_ERR_ARG when the result is
   not a valid name (bad prefix characters, longer than 50). */
SIOC_API SIOC_NODISCARD sioc_result sioc_azure_subscription_name(sioc_buf *out, sioc_str prefix, uint64_t id);

/* ---- 2. response parsers ---- */

/* One custom header value by the quoting rules (both directions, docs/AZURE.md 4.1): "text" (JSON-style escapes
   decoded into scratch when present; scratch may be NULL otherwise), true/false, integer, floating point.
   SIOC_ERR_PARSE for anything else (such a header is not a property), SIOC_ERR_BUFFER_TOO_SMALL for scratch. */
SIOC_API SIOC_NODISCARD sioc_result sioc_azure_parse_prop_value(sioc_str raw, sioc_buf *scratch,
                                                                 sioc_azure_prop_type *out_type, sioc_str *out_value);

/* BrokerProperties of a received message. Strings are views into the JSON or scratch (escapes). */
typedef struct sioc_azure_broker_props {
    sioc_str message_id;
    sioc_str lock_token;
    sioc_str enqueued_time; /* RFC 1123 text */
    sioc_str locked_until;  /* RFC 1123 text */
    sioc_str label;
    sioc_str correlation_id;
    int64_t sequence_number;
    int64_t delivery_count; /* 1 on the first delivery */
    double time_to_live_s;  /* 0 when absent; whole seconds with SIOC_ENABLE_FLOAT 0 */
} sioc_azure_broker_props;

/* Parse the BrokerProperties JSON object (unknown keys ignored, any order). SIOC_ERR_PARSE (not a JSON object),
   SIOC_ERR_TYPE (a known key with another type), SIOC_ERR_LIMIT (too many tokens), SIOC_ERR_BUFFER_TOO_SMALL. */
SIOC_API SIOC_NODISCARD sioc_result sioc_azure_parse_broker_props(const char *json, size_t len, sioc_buf *scratch,
                                                                   sioc_azure_broker_props *out);

/* A received message. Views into the headers, body, and scratch given to the parser. */
typedef struct sioc_azure_message {
    sioc_bytes body;
    sioc_azure_broker_props broker;
    sioc_str location;     /* Location header as returned (absolute lock URI), empty for receive-and-delete */
    sioc_str lock_path;    /* its path: the target of complete / unlock / renew */
    sioc_str content_type;
    sioc_azure_prop props[SIOC_AZURE_MAX_PROPS]; /* custom properties in arrival order */
    size_t prop_count;
    size_t props_dropped;  /* custom properties beyond SIOC_AZURE_MAX_PROPS */
    sioc_msg_envelope env; /* nsp, uid, requester_uid (string properties matched case-insensitively; ptr NULL
                              when absent) for sioc_msg_decode_azure */
} sioc_azure_message;

/* Build a message from response headers and body. Standard HTTP headers are skipped; other headers whose value
   follows the property syntax are custom properties, the rest (e.g. Diagnostic-Id) is ignored. SIOC_ERR_PARSE /
   SIOC_ERR_TYPE for bad BrokerProperties or a Location that is not an absolute http(s) URL or a path. A scratch
   as large as the headers always suffices. */
SIOC_API SIOC_NODISCARD sioc_result sioc_azure_parse_message(const sioc_http_header *headers, size_t n,
                                                              sioc_bytes body, sioc_buf *scratch,
                                                              sioc_azure_message *out);

/* The path (and query) of an absolute URL, or the text itself when it starts with '/'. SIOC_ERR_PARSE else. */
SIOC_API SIOC_NODISCARD sioc_result sioc_azure_url_path(sioc_str url, sioc_str *out_path);

/* The env for sending a cluster message: nsp, uid and (when non-empty) requesterUid as string properties, in
   that order, into out[3]. Returns the count. Views borrowed from env. */
SIOC_API size_t sioc_azure_props_from_env(const sioc_msg_envelope *env, sioc_azure_prop out[3]);

/* ATOM error body <Error><Code>..</Code><Detail>..</Detail></Error>, copied into fixed arrays. */
typedef struct sioc_azure_error {
    int status;               /* HTTP status, 0 without a response */
    sioc_azure_error_kind kind;
    int code;                 /* <Code>, 0 when absent */
    int sub_code;             /* "SubCode=40901" in Detail, 0 when absent */
    uint32_t retry_after_s;   /* Retry-After header (seconds), 0 when absent */
    char detail[192];         /* truncated on a UTF-8 boundary; always NUL-terminated */
} sioc_azure_error;

/* Fill code, sub_code and detail (status, kind, retry_after_s untouched). SIOC_ERR_NOT_FOUND when the body is no
   <Error> document (fields then stay empty). */
SIOC_API SIOC_NODISCARD sioc_result sioc_azure_parse_error(const char *xml, size_t len, sioc_azure_error *out);

/* 1 when an ATOM GET reply describes an entity (holds an <entry>), 0 for an empty <feed> (= does not exist). */
SIOC_API int sioc_azure_atom_has_entry(const char *xml, size_t len);

/* ---- 3. the client ---- */

typedef struct sioc_azure_desc {
    const char *connection_string; /* required: Endpoint + key pair or SharedAccessSignature (copied at init) */
    const char *rest_url;          /* NULL: https://<Endpoint host>/ ; "http://127.0.0.1:<port>" for a local broker
                                      (overrides host and port; never the AMQP port of the connection string) */
    int64_t (*utc_now)(void *user); /* required: wall-clock seconds since 1970 (token expiry) */
    void *user;
    sioc_http_client_desc http;    /* the engine's settings (its logger is used here too) */
    uint32_t timeout_ms;           /* 0 -> 30000: default per-request deadline */
    uint32_t token_lifetime_s;     /* 0 -> SIOC_SAS_DEFAULT_LIFETIME */
} sioc_azure_desc;

typedef struct sioc_azure_stats {
    uint64_t calls, ok, errors, tokens_made, messages_received, empty_receives;
} sioc_azure_stats;

#define SIOC_AZURE_MAX_CONNSTR 1024
#define SIOC_AZURE_MAX_TOKEN 1024

/* The client. It holds views into itself (the copied connection string): do not copy or move it after init. */
typedef struct sioc_azure_client {
    sioc_http_client http; /* drive it with sioc_http_drive() or the sioc_http_conn_* calls */
    sioc_azure_stats stats;
    char detail[SIOC_DETAIL_SIZE]; /* why sioc_azure_client_init() failed, naming the field */
    /* private */
    sioc_azure_desc p_desc;
    char p_cs[SIOC_AZURE_MAX_CONNSTR];
    sioc_sas_connstr p_conn;
    char p_host[SIOC_HTTP_MAX_HOST + 1];
    uint16_t p_port;
    int p_tls, p_http_ep, p_fixed_token;
    char p_token[SIOC_AZURE_MAX_TOKEN];
    size_t p_token_len;
    int64_t p_token_expiry;
    sioc_http_calls p_calls; /* in flight, and finished not yet collected */
} sioc_azure_client;

/* Start: parse the connection string and the REST URL, set up the HTTP engine. SIOC_ERR_ARG (bad connection
   string or URL), SIOC_ERR_LIMIT (connection string over SIOC_AZURE_MAX_CONNSTR), SIOC_ERR_DEPENDENCY (no
   utc_now; an https endpoint in a build without TLS), or the engine's errors; c->detail says which field
   ("connection string: SharedAccessKey without SharedAccessKeyName"). */
SIOC_API SIOC_NODISCARD sioc_result sioc_azure_client_init(sioc_azure_client *c, const sioc_azure_desc *desc);
/* Free the engine and wipe key and token copies. */
SIOC_API void sioc_azure_client_free(sioc_azure_client *c);
/* Use a caller-made token ("SharedAccessSignature sr=...") from now on (copied; no renewal: call again before its
   se). SIOC_ERR_PARSE when it is not a token, SIOC_ERR_LIMIT when longer than SIOC_AZURE_MAX_TOKEN - 1. */
SIOC_API SIOC_NODISCARD sioc_result sioc_azure_set_token(sioc_azure_client *c, sioc_str token);

/* One call. The caller owns it and its memory, sets the first block, and keeps all of it in place until the call
   comes back from sioc_azure_next(). */
typedef struct sioc_azure_call {
    void *body_mem;        /* request body (send: the message is copied here unless it already is; PUT: the entry) */
    size_t body_cap;
    void *reply_mem;       /* the reply body lands here (receive: size it for the largest message) */
    size_t reply_cap;
    uint32_t timeout_ms;   /* 0: the client default (receive: its server timeout + 10 s at least) */
    void *user;
    /* results, valid when sioc_azure_next() hands the call back */
    sioc_azure_op op;
    sioc_result result;    /* SIOC_OK (2xx, and the successes of sioc_azure_classify), SIOC_ERR_AUTH,
                              SIOC_ERR_NOT_FOUND (404, 410, missing entity: see error.kind), SIOC_ERR_THROTTLED,
                              SIOC_ERR_SERVER, SIOC_ERR_TOO_LARGE, SIOC_ERR_LIMIT (403), SIOC_ERR_HTTP_STATUS,
                              SIOC_ERR_BUFFER_TOO_SMALL (reply over reply_cap; a peek-locked message then still has
                              msg.lock_path and msg.broker set, so it can be settled), or the transport's error */
    int status;            /* HTTP status, 0 without a reply */
    sioc_bytes reply;      /* the reply body (in reply_mem) */
    sioc_azure_error error;
    int existed;           /* create: 409 (already there); delete: 404 (already gone) */
    char detail[SIOC_DETAIL_SIZE]; /* a failure in words: "Service Bus receive: cannot connect to 127.0.0.1:1:
                                      connection refused", "... HTTP 401 ..." ("" on success) */
    int has_message;       /* receive: 1 when msg holds a message, 0 after a 204 (nothing within the timeout) */
    sioc_azure_message msg; /* receive: views into reply_mem and the call's own header copy (headers beyond
                               SIOC_AZURE_META_SIZE bytes or SIOC_AZURE_MAX_META_HEADERS are dropped). The call
                               must not move while msg is used. */
    /* private */
    sioc_http_call p_track;
    size_t p_meta_len;
    size_t p_hdr_count;
    sioc_http_header p_hdrs[SIOC_AZURE_MAX_META_HEADERS];
    char p_meta[SIOC_AZURE_META_SIZE];

} sioc_azure_call;

/* Starters: queue the request (SIOC_ERR_STATE when the call is in flight, SIOC_ERR_ARG for a bad name or
   argument, the writers' and the engine's errors). Names are checked with sioc_azure_name_ok. */

/* POST /{topic}/messages: body (copied into body_mem unless it is body_mem), Content-Type
   application/octet-stream, BrokerProperties from opts (may be NULL), one quoted header per property.
   SIOC_ERR_TOO_LARGE when body plus properties exceed SIOC_AZURE_MAX_MESSAGE_SIZE (checked before sending);
   SIOC_ERR_LIMIT for more than SIOC_AZURE_MAX_PROPS properties or over SIOC_AZURE_META_SIZE bytes of header values;
   SIOC_ERR_BUFFER_TOO_SMALL when the body does not fit body_cap. */
SIOC_API SIOC_NODISCARD sioc_result sioc_azure_send(sioc_azure_client *c, sioc_azure_call *call, sioc_str topic,
                                                    sioc_bytes body, const sioc_azure_prop *props, size_t n_props,
                                                    const sioc_azure_send_opts *opts, uint64_t now_ms);
/* POST /{topic}/subscriptions/{sub}/messages/head?timeout=N (peek-lock; 0 <= N <= SIOC_AZURE_MAX_TIMEOUT_S).
   On 201 has_message = 1 and msg is filled; 204 gives SIOC_OK with has_message = 0. Several may be in flight. */
SIOC_API SIOC_NODISCARD sioc_result sioc_azure_receive(sioc_azure_client *c, sioc_azure_call *call, sioc_str topic,
                                                       sioc_str subscription, int timeout_s, uint64_t now_ms);
/* DELETE .../messages/head?timeout=N: receive-and-delete (200 = message, no lock; at-most-once). */
SIOC_API SIOC_NODISCARD sioc_result sioc_azure_receive_and_delete(sioc_azure_client *c, sioc_azure_call *call,
                                                                  sioc_str topic, sioc_str subscription,
                                                                  int timeout_s, uint64_t now_ms);
/* Settle on the lock path (msg.lock_path, copied): DELETE = complete, PUT = unlock (abandon), POST = renew.
   404 gives SIOC_ERR_NOT_FOUND with kind SIOC_AZURE_E_LOCK_LOST. */
SIOC_API SIOC_NODISCARD sioc_result sioc_azure_complete(sioc_azure_client *c, sioc_azure_call *call,
                                                        sioc_str lock_path, uint64_t now_ms);
SIOC_API SIOC_NODISCARD sioc_result sioc_azure_unlock(sioc_azure_client *c, sioc_azure_call *call,
                                                      sioc_str lock_path, uint64_t now_ms);
SIOC_API SIOC_NODISCARD sioc_result sioc_azure_renew_lock(sioc_azure_client *c, sioc_azure_call *call,
                                                          sioc_str lock_path, uint64_t now_ms);
/* ATOM (api-version 2021-05). get: SIOC_OK when the entity exists, SIOC_ERR_NOT_FOUND (404 or an empty feed). */
SIOC_API SIOC_NODISCARD sioc_result sioc_azure_get_topic(sioc_azure_client *c, sioc_azure_call *call,
                                                         sioc_str topic, uint64_t now_ms);
/* create: SIOC_OK on 201, and on 409 with existed = 1. opts may be NULL (the SDK's defaults). */
SIOC_API SIOC_NODISCARD sioc_result sioc_azure_create_topic(sioc_azure_client *c, sioc_azure_call *call,
                                                            sioc_str topic, const sioc_azure_topic_opts *opts,
                                                            uint64_t now_ms);
SIOC_API SIOC_NODISCARD sioc_result sioc_azure_get_subscription(sioc_azure_client *c, sioc_azure_call *call,
                                                                sioc_str topic, sioc_str subscription,
                                                                uint64_t now_ms);
SIOC_API SIOC_NODISCARD sioc_result sioc_azure_create_subscription(sioc_azure_client *c, sioc_azure_call *call,
                                                                   sioc_str topic, sioc_str subscription,
                                                                   const sioc_azure_sub_opts *opts, uint64_t now_ms);
/* delete: SIOC_OK on 200, and on 404 with existed = 1 (already gone). */
SIOC_API SIOC_NODISCARD sioc_result sioc_azure_delete_subscription(sioc_azure_client *c, sioc_azure_call *call,
                                                                   sioc_str topic, sioc_str subscription,
                                                                   uint64_t now_ms);

/* Collect finished calls (drains the engine's responses, which also returns connections to the pool): SIOC_OK
   with *out set (the call is the caller's again), or SIOC_AGAIN. Call after driving the engine, until AGAIN. */
SIOC_API sioc_result sioc_azure_next(sioc_azure_client *c, uint64_t now_ms, sioc_azure_call **out);
/* 1 when a finished call waits for sioc_azure_next() without any new byte (for deadlines: call it now). */
SIOC_API int sioc_azure_has_finished(const sioc_azure_client *c);
/* Give up on a call in flight. SIOC_ERR_NOT_FOUND when it is not in flight. */
SIOC_API sioc_result sioc_azure_cancel(sioc_azure_client *c, sioc_azure_call *call);

/* ---- a subscription created with its own default rule (a SQL filter in place of $Default) ----
   The service applies the subscription's rules before a message is stored for it: a filtered-out message costs
   the subscriber no request. The rule rides in the create request (SubscriptionDescription/DefaultRuleDescription,
   as the administration client sends it), so no extra call is needed. */

/* The SQL filter a member puts on its own subscription, the Node adapter's receive checks moved to the broker: not
   its own messages, no responses for another node:
   (uid IS NULL OR uid <> '<uid>') AND (requesterUid IS NULL OR requesterUid = '' OR requesterUid = '<uid>')
   SIOC_ERR_ARG for a uid that is empty, longer than 64 or not made of letters, digits, '-' and '_'. */
SIOC_API SIOC_NODISCARD sioc_result sioc_azure_write_own_filter(sioc_buf *out, sioc_str uid);
/* The subscription entry (as sioc_azure_write_subscription_entry) with DefaultRuleDescription: SqlFilter `sql`
   (XML-escaped here), EmptyRuleAction, name $Default. */
SIOC_API SIOC_NODISCARD sioc_result sioc_azure_write_subscription_entry_rule(sioc_buf *out,
                                                                             const sioc_azure_sub_opts *o,
                                                                             sioc_str sql);
/* PUT /{topic}/Subscriptions/{sub} with that entry (results as sioc_azure_create_subscription; a subscription that
   exists already keeps its rules: 409). */
SIOC_API SIOC_NODISCARD sioc_result sioc_azure_create_subscription_rule(sioc_azure_client *c, sioc_azure_call *call,
                                                                        sioc_str topic, sioc_str subscription,
                                                                        const sioc_azure_sub_opts *opts, sioc_str sql,
                                                                        uint64_t now_ms);

#endif /* SIOC_ENABLE_AZURE */
