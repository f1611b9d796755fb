/* ---- http: HTTP/1.1 request writer, incremental response parser, caller-driven client engine ----
   Three layers, each usable alone:
     1. sioc_http_write_head(): a request head into a sioc_buf (no I/O, no allocation).
     2. sioc_http_parser: a streaming response parser over caller memory (status line, headers with
        case-insensitive lookup, Content-Length, chunked with extensions and trailers, close-delimited bodies,
        1xx skipped). It never allocates and never copies body bytes: they come back as spans of the input.
     3. sioc_http_client: a connection engine with a fixed pool of keep-alive connections per endpoint. It never
        blocks, sleeps or reads a clock: the caller tells it the time, opens the sockets it asks for, moves bytes
        and EOF in and out, and picks up finished responses. TLS (when compiled in) sits inside the engine, so the
        caller only ever moves ciphertext.
   Memory: everything is taken at sioc_http_client_init() (plus the TLS state when a connection opens); a
   keep-alive request allocates nothing. */
#pragma once
#include "base.h"

/* ---- configuration defaults (compile time; tested with #if) ---- */
/* SIOC_TLS and SIOC_ENABLE_POSIX are set in the prologue. */
#ifndef SIOC_HTTP_MAX_HOST
#define SIOC_HTTP_MAX_HOST 255 /* longest host name an endpoint may have (DNS limit is 253) */
#endif
#ifndef SIOC_HTTP_DRIVE_BUFFER
/* Stack bytes of sioc_http_drive() (and so of the POSIX backend's turn): one recv() at most this long, and a small
   request's head and body gathered into one send(). 1024 suits a small stack; a request that does not fit goes out
   in two sends. At least 16. */
#define SIOC_HTTP_DRIVE_BUFFER 8192
#endif
#if SIOC_HTTP_DRIVE_BUFFER < 16
#error "SIOC_HTTP_DRIVE_BUFFER must be at least 16"
#endif
#ifndef SIOC_HTTP_MAX_CHUNK_EXT
#define SIOC_HTTP_MAX_CHUNK_EXT 4096 /* bytes of chunk extensions tolerated on one chunk-size line */
#endif

/* ---- 1. request writer ---- */

typedef struct sioc_http_header {
    sioc_str name;
    sioc_str value;
} sioc_http_header;

/* Called with body bytes as they arrive (streaming instead of a buffer). Runs inside sioc_http_conn_feed():
   it must not call any sioc_http_* function on the same client. */
typedef void (*sioc_http_body_fn)(void *tag, const uint8_t *data, size_t len);

/* One request. Strings are copied at submit time except `body`, which is borrowed: it must stay valid and
   unchanged until the request's response is picked up (or the request is cancelled). */
typedef struct sioc_http_request {
    const char *method;              /* "GET", "POST", ... (a token) */
    const char *target;              /* path and query, "/" or "/a/b?x=1" (no spaces or controls) */
    const sioc_http_header *headers; /* extra headers; Host and Content-Length are added by the writer */
    size_t header_count;
    const void *body;                /* may be NULL when body_len is 0 */
    size_t body_len;
    uint32_t timeout_ms;             /* deadline = submit time + this; 0: the client default */
    int idempotent;                  /* 1: may be sent again once if a reused connection dies before any reply */
    void *tag;                       /* returned with the response, and passed to on_body */
    void *body_out;                  /* response body goes here (up to body_out_cap bytes) ... */
    size_t body_out_cap;
    sioc_http_body_fn on_body;       /* ... or here, when set (then body_out is ignored); neither: discarded */
    size_t body_keep_tail;           /* body_out only: when the body overflows, the last body_keep_tail bytes of
                                        body_out hold the end of the body instead (sioc_http_response.tail_len) */
} sioc_http_request;

/* Append "METHOD target HTTP/1.1", "Host: host[:port]" (port left out when it is the scheme's default), the
   caller's headers and Content-Length (always for a body, and 0 for POST/PUT/PATCH without one), then the blank
   line. SIOC_ERR_ARG (also recorded in out->err) for a bad method/target/host, a header name that is not a token,
   a value with CR, LF or NUL, or a caller-supplied Host, Content-Length or Transfer-Encoding header. */
SIOC_API SIOC_NODISCARD sioc_result sioc_http_write_head(sioc_buf *out, const sioc_http_request *req,
                                                          const char *host, uint16_t port, int tls);

/* ---- 2. response parser ---- */

/* Where one header (or trailer) sits in the parser's head memory. */
typedef struct sioc_http_hdr_ref {
    uint32_t name_off, name_len, value_off, value_len;
} sioc_http_hdr_ref;

typedef enum sioc_http_pev {
    SIOC_HTTP_PEV_NEED_MORE = 0, /* all input used; feed more (or call sioc_http_parser_eof) */
    SIOC_HTTP_PEV_HEAD = 1,      /* final status line and headers complete: status and lookups are valid */
    SIOC_HTTP_PEV_BODY = 2,      /* *out_body holds body bytes (a span of the input, already de-chunked) */
    SIOC_HTTP_PEV_DONE = 3       /* response complete (trailers added to the header list); reset before reuse */
} sioc_http_pev;

/* Parser state. Head memory holds the status line, header lines and trailers (without line ends); the
   reference array indexes them. Both are the caller's and must outlive the parser. Fields from `status` on are
   results, valid from SIOC_HTTP_PEV_HEAD until the next reset. */
typedef struct sioc_http_parser {
    /* private (first: the parser reaches them with short loads) */
    uint8_t p_state, p_cr, p_head_request, p_ext_state, p_started;
    sioc_result p_err;
    size_t p_head_len, p_line_start, p_ext_len;
    uint64_t p_remaining;
    char *p_head;
    size_t p_head_cap;
    sioc_http_hdr_ref *p_refs;
    size_t p_ref_cap;
    /* results */
    int status;              /* 100..999 */
    int version_minor;       /* HTTP/1.x */
    int keep_alive;          /* 1 when the connection may carry another request after this response */
    int chunked;             /* 1 for Transfer-Encoding: chunked */
    uint64_t content_length; /* UINT64_MAX when the body is chunked or runs until the connection closes */
    uint64_t body_len;       /* body bytes delivered so far */
    uint32_t keep_alive_timeout_s; /* from "Keep-Alive: timeout=N", 0 when absent */
    size_t header_count;     /* headers, then trailers */
    sioc_str reason;         /* reason phrase (may be empty) */
} sioc_http_parser;

/* Bind the parser to caller memory: `head_mem` of `head_cap` bytes (the limit on status line + headers +
   trailers; 8192 is plenty for AWS and Azure) and `refs` for up to `ref_cap` headers. Then parses a response. */
SIOC_API void sioc_http_parser_init(sioc_http_parser *p, void *head_mem, size_t head_cap, sioc_http_hdr_ref *refs,
                                    size_t ref_cap);
/* Prepare for the next response; head_request = 1 when it answers a HEAD request (no body whatever the headers). */
SIOC_API void sioc_http_parser_reset(sioc_http_parser *p, int head_request);
/* Consume input up to the next event. *out_used bytes of `in` were used; call again with the rest until the event
   is SIOC_HTTP_PEV_NEED_MORE (after HEAD, call even with no input left: a body-less response then gives DONE).
   After DONE nothing more is consumed until reset (SIOC_ERR_STATE). Errors are sticky: SIOC_ERR_PROTOCOL (malformed status line,
   header, chunk framing, conflicting lengths, 101), SIOC_ERR_LIMIT (head memory or header slots exhausted, huge
   chunk extension), SIOC_ERR_UNSUPPORTED (a transfer coding other than chunked). */
SIOC_API SIOC_NODISCARD sioc_result sioc_http_parser_feed(sioc_http_parser *p, const uint8_t *in, size_t len,
                                                           size_t *out_used, sioc_http_pev *out_ev,
                                                           sioc_bytes *out_body);
/* The peer closed the connection. DONE for a body that runs until close; otherwise SIOC_ERR_CLOSED
   (nothing received yet, or a truncated response). */
SIOC_API SIOC_NODISCARD sioc_result sioc_http_parser_eof(sioc_http_parser *p, sioc_http_pev *out_ev);
/* First header (or trailer) called `name`, compared case-insensitively; value with surrounding blanks trimmed.
   SIOC_ERR_NOT_FOUND when absent. */
SIOC_API SIOC_NODISCARD sioc_result sioc_http_parser_header(const sioc_http_parser *p, const char *name,
                                                             sioc_str *out_value);
/* Header i in arrival order (0 <= i < header_count). */
SIOC_API void sioc_http_parser_header_at(const sioc_http_parser *p, size_t i, sioc_str *out_name, sioc_str *out_value);
/* 1 when at least one byte of a response was consumed since the last reset. */
SIOC_API int sioc_http_parser_started(const sioc_http_parser *p);

/* ---- 3. client engine ---- */

struct sioc_tls_ops;

typedef struct sioc_http_client_desc {
    sioc_allocator allocator;    /* zero: malloc/free (when SIOC_ENABLE_LIBC_MALLOC) */
    sioc_logger logger;          /* zero: silent */
    uint32_t max_endpoints;      /* 0 -> 4 distinct (host, port, tls) targets */
    uint32_t conns_per_endpoint; /* 0 -> 2 (a long poll on one, publishes on the other) */
    uint32_t max_requests;       /* 0 -> 16 requests queued, in flight or awaiting pickup */
    uint32_t request_head_size;  /* 0 -> 4096 bytes of request line + headers, per request slot */
    uint32_t response_head_size; /* 0 -> 8192 bytes of status line + headers + trailers, per connection */
    uint32_t max_headers;        /* 0 -> 64 response headers + trailers */
    uint32_t timeout_ms;         /* 0 -> 30000: default request deadline (queueing + connect + exchange) */
    uint32_t connect_timeout_ms; /* 0 -> 10000: TCP connect plus TLS handshake */
    uint32_t idle_timeout_ms;    /* 0 -> 30000: close a keep-alive connection idle this long */
    /* TLS (ignored by SIOC_TLS_NONE): trust anchors as PEM text and/or a PEM file read at init. */
    const char *ca_pem;
    size_t ca_pem_len;           /* 0: strlen(ca_pem) */
    const char *ca_file;
    int tls_offload;             /* SIOC_TLS_NONE only: 1 = the app terminates TLS itself, https endpoints allowed */
    /* Required with a TLS backend: random bytes (seeds the DRBG), and UTC seconds since 1970 (validity). With
       SIOC_ENABLE_POSIX they default to sioc_posix_random and sioc_posix_utc_now. */
    sioc_result (*random)(void *user, void *buf, size_t len);
    int64_t (*utc_now)(void *user);
    void *user;
} sioc_http_client_desc;

typedef struct sioc_http_stats {
    uint64_t requests;    /* submitted */
    uint64_t responses;   /* complete responses received */
    uint64_t conns_opened;
    uint64_t retries;     /* idempotent requests re-sent after a reused connection died */
    uint64_t timeouts;
} sioc_http_stats;

typedef struct sioc_http__ep sioc_http__ep;
typedef struct sioc_http__conn sioc_http__conn;
typedef struct sioc_http__req sioc_http__req;

/* The engine. Transparent so it can live anywhere; touch only through the functions below. */
typedef struct sioc_http_client {
    /* private (first: the engine reaches them with short loads) */
    sioc_http__ep *p_eps;
    sioc_http__conn *p_conns;
    sioc_http__req *p_reqs;
    uint32_t p_n_eps, p_n_conns, p_n_reqs;
    uint64_t p_now, p_seq;
    int p_held; /* request slot whose response was handed out last, or -1 */
    const struct sioc_tls_ops *p_tls;
    void *p_tls_state;
    void *p_mem;
    size_t p_mem_size;
    /* public */
    sioc_http_client_desc desc; /* with defaults filled in */
    sioc_http_stats stats;
    char detail[SIOC_DETAIL_SIZE]; /* why the last sioc_http_client_init() or sioc_http_endpoint() failed */
    char p_tls_why[64]; /* private: why a TLS build has no TLS to offer (no trust anchors, random or clock) */
} sioc_http_client;

/* Set up the engine: all memory for endpoints, connections and request slots is taken here. SIOC_ERR_NOMEM,
   SIOC_ERR_DEPENDENCY (no allocator without libc malloc, DRBG seeding failed), SIOC_ERR_TLS (trust anchors given
   but none readable) or SIOC_ERR_ARG; c->detail says which. On failure nothing is left allocated.
   Trust anchors of a TLS build: ca_pem and/or ca_file when given; otherwise the system store, i.e. the file named
   by the SSL_CERT_FILE environment variable, else the first readable of /etc/ssl/certs/ca-certificates.crt
   (Debian, Ubuntu, Alpine), /etc/pki/tls/certs/ca-bundle.crt (Fedora, RHEL), /etc/ssl/ca-bundle.pem (openSUSE),
   /etc/ssl/cert.pem (macOS, BSD), /usr/local/share/certs/ca-root-nss.crt (FreeBSD). Without any, https endpoints
   are refused (SIOC_ERR_DEPENDENCY, detail says so). */
SIOC_API SIOC_NODISCARD sioc_result sioc_http_client_init(sioc_http_client *c, const sioc_http_client_desc *desc);
/* Free everything. Sockets still open are the caller's to close (sioc_http_conn_wants() != 0 tells which). */
SIOC_API void sioc_http_client_free(sioc_http_client *c);

/* Register (or find) the endpoint host:port, plain or TLS; *out_ep identifies it in sioc_http_submit(). The
   host is copied and is also the TLS server name (SNI and certificate check; IP addresses are not supported
   for TLS: neither backend matches IP SANs). SIOC_ERR_TLS_NO_HOSTNAME for TLS without a host name (refused
   before any byte is sent); SIOC_ERR_DEPENDENCY for TLS in a build without a TLS backend (SIOC_TLS_NONE, unless
   tls_offload: build with -DSIOC_TLS=SIOC_TLS_MBEDTLS or SIOC_TLS_BEARSSL) and for TLS when there are no trust
   anchors, random or utc_now; SIOC_ERR_LIMIT. c->detail says which, naming host:port. */
SIOC_API SIOC_NODISCARD sioc_result sioc_http_endpoint(sioc_http_client *c, const char *host, uint16_t port, int tls,
                                                       int *out_ep);

/* Queue a request for endpoint `ep`. The head is written into the request slot now (see sioc_http_request for
   what is borrowed). *out_id (may be NULL) names it for sioc_http_cancel(). SIOC_ERR_LIMIT when every slot is
   busy, SIOC_ERR_BUFFER_TOO_SMALL when the head exceeds request_head_size, SIOC_ERR_ARG as the writer. */
SIOC_API SIOC_NODISCARD sioc_result sioc_http_submit(sioc_http_client *c, int ep, const sioc_http_request *req,
                                                     uint64_t now_ms, uint32_t *out_id);
/* Forget a request: no response will be delivered and its body is no longer referenced. A request that was on
   the wire closes its connection. SIOC_ERR_NOT_FOUND when unknown or already delivered. */
SIOC_API sioc_result sioc_http_cancel(sioc_http_client *c, uint32_t id);

/* "http[s]://host[:port][/]" (an origin: no path, query or user info) into host (SIOC_HTTP_MAX_HOST + 1 bytes), port
   (80 / 443 by default) and tls. SIOC_ERR_ARG for anything else, SIOC_ERR_UNSUPPORTED for an IPv6 literal. */
SIOC_API SIOC_NODISCARD sioc_result sioc_http_parse_origin(const char *url, char *host, uint16_t *port, int *tls);

/* Bookkeeping of the calls a client layered on the engine hands it (the AWS and Azure clients use it alike): one
   sioc_http_call inside each of its calls, one sioc_http_calls inside the client. Fields are private. */
typedef struct sioc_http_call {
    uint32_t p_id;    /* the engine's request id */
    uint8_t p_state;  /* 0 idle, 1 in flight, 2 finished and not yet collected */
    sioc_qlink p_link; /* in the client's queue of finished calls */
} sioc_http_call;
typedef struct sioc_http_calls {
    sioc_queue p_done;
    uint32_t p_inflight;
} sioc_http_calls;
/* The call was submitted as engine request id. */
SIOC_API void sioc_http_calls_sent(sioc_http_calls *q, sioc_http_call *k, uint32_t id);
/* A response for request id: 1 when it belongs to this call in flight (then it is not in flight any more). */
SIOC_API int sioc_http_calls_answered(sioc_http_calls *q, sioc_http_call *k, uint32_t id);
/* The call is finished: queued for collection. */
SIOC_API void sioc_http_calls_done(sioc_http_calls *q, sioc_http_call *k);
/* The oldest finished call (idle again), NULL when none; 1 from pending when one waits. */
SIOC_API sioc_http_call *sioc_http_calls_pop(sioc_http_calls *q);
SIOC_API int sioc_http_calls_pending(const sioc_http_calls *q);
/* Give up on a call: unlinked when finished, cancelled in the engine when in flight. SIOC_ERR_NOT_FOUND when idle. */
SIOC_API sioc_result sioc_http_calls_cancel(sioc_http_client *c, sioc_http_calls *q, sioc_http_call *k);
/* 1 while the call is in flight or finished and not yet collected. */
SIOC_API int sioc_http_calls_busy(const sioc_http_call *k);

/* A finished request. Views (headers, body) stay valid until the next sioc_http_next_response() call, which
   also returns the connection to the pool (requests submitted meanwhile wait for it rather than open another). */
typedef struct sioc_http_response {
    uint32_t id;
    void *tag;
    sioc_result result;   /* SIOC_OK (any HTTP status), SIOC_ERR_BUFFER_TOO_SMALL (body larger than
                             body_out_cap: body holds the first part, body_total the size), or the failure:
                             SIOC_ERR_TIMEOUT, SIOC_ERR_CLOSED, SIOC_ERR_CONNECT, SIOC_ERR_PROTOCOL, SIOC_ERR_LIMIT,
                             SIOC_ERR_TLS_* ... */
    int status;           /* HTTP status, 0 when no response head arrived */
    const uint8_t *body;  /* body_out contents (NULL when streamed or discarded) */
    size_t body_len;      /* bytes in body */
    uint64_t body_total;  /* body bytes received in total */
    size_t tail_len;      /* overflowed with body_keep_tail: body ends with the body's last tail_len bytes (the
                             bytes between the two parts are gone); 0 otherwise */
    int retried;          /* 1 when the request was sent a second time on a fresh connection */
    char detail[SIOC_DETAIL_SIZE]; /* a failure in words, with host:port: "cannot connect to 127.0.0.1:1:
                                      connection refused", "TLS with h:443 failed: certificate not trusted ..."
                                      ("" on success) */
    const sioc_http_parser *p_parser;
} sioc_http_response;

/* Next finished request in completion order: SIOC_OK and *out filled, or SIOC_AGAIN when none is waiting. */
SIOC_API sioc_result sioc_http_next_response(sioc_http_client *c, sioc_http_response *out);
/* Finished requests waiting for sioc_http_next_response(). An event loop must not sleep while this is > 0. */
SIOC_API size_t sioc_http_responses_ready(const sioc_http_client *c);
/* Response header lookup, case-insensitive (trailers included); SIOC_ERR_NOT_FOUND when absent. */
SIOC_API SIOC_NODISCARD sioc_result sioc_http_response_header(const sioc_http_response *r, const char *name,
                                                               sioc_str *out_value);

/* ---- connections: what the caller's I/O layer does ---- */

typedef enum sioc_http_io_type {
    SIOC_HTTP_IO_OPEN = 1, /* connect a TCP socket to host:port, then sioc_http_conn_opened() (or _failed()) */
    SIOC_HTTP_IO_CLOSE = 2 /* close the socket of `conn`; the slot may be reused by a later OPEN */
} sioc_http_io_type;

typedef struct sioc_http_io_event {
    sioc_http_io_type type;
    int conn;         /* 0 .. sioc_http_conn_count()-1 */
    const char *host; /* OPEN: NUL-terminated, owned by the client */
    uint16_t port;
    int tls;          /* OPEN: 1 for an https endpoint (informational: the engine does the TLS) */
} sioc_http_io_event;

/* Next socket action for the I/O layer: SIOC_OK and *out filled, or SIOC_AGAIN when none. Every OPEN is
   eventually followed by exactly one CLOSE for the same conn. */
SIOC_API sioc_result sioc_http_next_io(sioc_http_client *c, sioc_http_io_event *out);

/* Why `conn` failed, in a few words ("connection refused", "name not resolved", "connection reset by peer"):
   an I/O layer calls this before sioc_http_conn_failed() (or before its transport's connect/send/recv returns the
   error), and the requests' detail texts carry it. Copied (up to 63 bytes); kept until the slot opens again. */
SIOC_API void sioc_http_conn_reason(sioc_http_client *c, int conn, const char *reason);
/* The TCP connection of `conn` is up (the TLS handshake, if any, starts now). */
SIOC_API void sioc_http_conn_opened(sioc_http_client *c, int conn, uint64_t now_ms);
/* The connection failed or broke (connect refused, reset, send error): `err` is what requests see
   (SIOC_ERR_CONNECT, SIOC_ERR_CLOSED for a reset, ...). Unlike sioc_http_conn_eof() a failure never completes a
   body that runs until close. A CLOSE event follows. */
SIOC_API void sioc_http_conn_failed(sioc_http_client *c, int conn, sioc_result err, uint64_t now_ms);
/* The peer closed its side (recv returned 0). */
SIOC_API void sioc_http_conn_eof(sioc_http_client *c, int conn, uint64_t now_ms);
/* Received bytes (ciphertext on TLS). At most sioc_http_conn_recv_room() bytes are taken; *out_used (may be
   NULL) says how many. Returns SIOC_OK, or the error that closed the connection. */
SIOC_API sioc_result sioc_http_conn_feed(sioc_http_client *c, int conn, const void *data, size_t len,
                                         uint64_t now_ms, size_t *out_used);
/* How many bytes sioc_http_conn_feed() takes now (SIZE_MAX on plain connections; 0 on TLS while the engine
   must first send: flush output, then read again). */
SIOC_API size_t sioc_http_conn_recv_room(sioc_http_client *c, int conn);
/* Bytes waiting to be sent on `conn`: *out_data / *out_len (0 when nothing). The view is valid until the next
   call on the client. Report what the socket took with sioc_http_conn_sent(). */
SIOC_API void sioc_http_conn_pending(sioc_http_client *c, int conn, const uint8_t **out_data, size_t *out_len);
SIOC_API void sioc_http_conn_sent(sioc_http_client *c, int conn, size_t n);

#define SIOC_HTTP_WANT_READ 1u       /* the socket is open: poll it for input (and EOF) */
#define SIOC_HTTP_WANT_WRITE 2u      /* output is pending */
#define SIOC_HTTP_WANT_CONNECT 4u    /* an OPEN was handed out and sioc_http_conn_opened() has not come yet */
/* What `conn` waits for (0: slot unused or closed). */
SIOC_API unsigned sioc_http_conn_wants(const sioc_http_client *c, int conn);
/* Number of connection slots (max_endpoints * conns_per_endpoint). */
SIOC_API int sioc_http_conn_count(const sioc_http_client *c);

/* Absolute time (ms, the caller's clock) of the next timer, or UINT64_MAX when nothing is timed. It is the last
   time seen when an OPEN or CLOSE waits for sioc_http_next_io() (serve those before sleeping). */
SIOC_API uint64_t sioc_http_next_deadline(const sioc_http_client *c);
/* Fire timers due at now_ms: request deadlines (SIOC_ERR_TIMEOUT), connect timeouts, idle keep-alive expiry. */
SIOC_API void sioc_http_tick(sioc_http_client *c, uint64_t now_ms);

/* ---- transport interface: drive the engine over the caller's own non-blocking sockets ---- */

/* Never block. connect: start or continue connecting conn to host:port; SIOC_OK when connected, SIOC_AGAIN while
   in progress (it is called again), or an error (SIOC_ERR_CONNECT). send/recv: bytes moved, 0 when the call would
   block, or a negative sioc_result: recv returns SIOC_ERR_CLOSED for an orderly EOF; any other negative value means
   the connection broke (reset, EPIPE), which requests see as SIOC_ERR_CLOSED. close: release the socket.
   Before returning an error, a transport may say why with sioc_http_conn_reason() (the POSIX backend does). */
typedef struct sioc_http_transport {
    sioc_result (*connect)(void *user, int conn, const char *host, uint16_t port);
    long (*send)(void *user, int conn, const uint8_t *data, size_t len);
    long (*recv)(void *user, int conn, uint8_t *buf, size_t cap);
    void (*close)(void *user, int conn);
    void *user;
} sioc_http_transport;

/* One non-blocking pass: serve OPEN/CLOSE events, continue connects, flush output, read what is available,
   fire timers. Call it after the sockets became ready or the deadline passed; then pick up responses. */
SIOC_API sioc_result sioc_http_drive(sioc_http_client *c, const sioc_http_transport *t, uint64_t now_ms);
