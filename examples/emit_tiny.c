/* emit_tiny.c - the smallest emitter: socket.io events to the rooms of an AWS cluster (@socket.io/aws-sqs-adapter)
   from a device whose flash has about 24 KB to spare. It skips sioc_cluster and its node and drives two of the
   header's layers itself: sioc_msg_write_broadcast writes the cluster message, sioc_aws_client signs it and sends it
   to SNS as Publish. One message in flight at a time, uid "emitter" (Node servers never count it as a node).

       AWS_ACCESS_KEY_ID=... AWS_SECRET_ACCESS_KEY=... AWS_REGION=eu-west-1 ./emit_tiny ROOM EVENT TEXT
           (a plain HTTP emulator: AWS_ENDPOINT_URL=http://127.0.0.1:PORT)

   Every Node server of the cluster delivers io.to(ROOM).emit(EVENT, TEXT) to its clients (ROOM "": io.emit, to
   all of them). Build as emit.c:
       cc -std=c99 -O2 -I.. emit_tiny.c -o emit_tiny -lm

   What it gives up against examples/emit.c (sioc_cluster with node.emitter_only = 1), in exchange for 13 KB of
   Cortex-M4 flash (23 KB against 36 KB, README.md "Code size") and most of the RAM (18 KB against 201 KB with
   the SMALL preset): a queue of messages (here the caller waits until tiny_idle()), the publish sequences and
   on_publish, PublishBatch, Service Bus, the node's checks of names and rooms, and socketsJoin /
   disconnectSockets / serverSideEmit (to send those, change the writer call in tiny_emit to
   sioc_msg_write_sockets_rooms, _disconnect_sockets or _server_side_emit, and the Message text to its type).
   What it keeps: the same bytes on the wire, SigV4, keep-alive, per-request timeouts, and retries with backoff
   for what may pass (throttling, 5xx, timeouts, refused or reset connections, a topic deleted meanwhile, a key
   rejected while the app renews it). Like sioc_cluster's default it is at-least-once: a publish whose answer was
   lost is sent again, so a client may see it twice.

   On a device: define EMIT_TINY_NO_MAIN, keep the tiny_* functions, and feed the engine from your own network
   stack with sioc_http_drive (bench/size_prog.c does exactly that to measure it). The whole file is one
   translation unit with SIO_CLUSTER_STATIC, which lets the compiler drop and inline across the library. */
#ifndef EMIT_TINY_NO_MAIN
#define _POSIX_C_SOURCE 200809L
#define SIOC_ENABLE_POSIX 1
#endif
#ifndef SIOC_ENABLE_AZURE
#define SIOC_ENABLE_AZURE 0 /* SNS only: no Service Bus code */
#endif
#ifndef SIOC_ENABLE_RECEIVE
#define SIOC_ENABLE_RECEIVE 0 /* no SQS receive path */
#endif
#ifndef SIO_CLUSTER_STATIC
#define SIO_CLUSTER_STATIC
#endif
#define SIO_CLUSTER_IMPLEMENTATION
#include "sio_cluster.h"

#define TINY_MAX_DATA 1024 /* the largest cluster message (msgpack of {packet, opts}); raise it with the body */
#define TINY_BODY (4 * TINY_MAX_DATA + 2048) /* base64 (4/3), percent-encoded (+ / = take 3), names and ARN */
#define TINY_REPLY 2048    /* SNS answers Publish and CreateTopic in a few hundred bytes */
#define TINY_BACKOFF_MIN_MS 250u
#define TINY_BACKOFF_MAX_MS 8000u

typedef struct tiny_emitter {
    sioc_aws_client aws;
    sioc_aws_call call;
    const char *topic;           /* "socket-io": the Node adapter's default topic name */
    char topic_arn[256];         /* from CreateTopic (idempotent: it answers the existing topic's ARN) */
    uint8_t data[TINY_MAX_DATA]; /* the message waiting to go (data_len 0: none) */
    size_t data_len;
    uint8_t body[TINY_BODY];
    uint8_t reply[TINY_REPLY];
    int busy;                    /* a call is in flight */
    uint32_t backoff_ms;         /* the next retry's delay (doubles up to TINY_BACKOFF_MAX_MS) */
    uint64_t retry_at;
    unsigned long published, retries, dropped;
    sioc_result last_error;      /* of the last failed call (SIOC_OK when none) */
} tiny_emitter;

/* Set up the client: region, keys and endpoint from d (copied where the client copies). */
static sioc_result tiny_init(tiny_emitter *t, const sioc_aws_desc *d, const char *topic) {
    sioc_aws_desc ad = *d;
    memset(t, 0, sizeof *t);
    t->topic = topic;
    ad.http.max_endpoints = 1;      /* SNS */
    ad.http.conns_per_endpoint = 1; /* one call at a time */
    ad.http.max_requests = 2;
    ad.http.request_head_size = 2048;
    ad.http.response_head_size = 2048;
    ad.http.max_headers = 24;
    t->call.body_mem = t->body;
    t->call.body_cap = sizeof t->body;
    t->call.reply_mem = t->reply;
    t->call.reply_cap = sizeof t->reply;
    return sioc_aws_client_init(&t->aws, &ad);
}

/* Queue io.to(room).emit(...) in namespace "/" (an empty room: io.emit to every socket); packet is the msgpack
   array [event, args...]. SIOC_ERR_STATE
   while the previous message has not gone yet (see tiny_idle), SIOC_ERR_BUFFER_TOO_SMALL when it is too large. */
static sioc_result tiny_emit(tiny_emitter *t, sioc_str room, sioc_bytes packet) {
    sioc_buf b;
    sioc_msgpack_writer w;
    sioc_msg_opts_desc opts;
    sioc_result r;
    if (t->data_len) return SIOC_ERR_STATE;
    memset(&opts, 0, sizeof opts);
    opts.rooms = &room;
    opts.n_rooms = room.len ? 1u : 0u;
    sioc_buf_init(&b, t->data, sizeof t->data);
    sioc_msgpack_writer_init(&w, &b);
    sioc_msg_write_broadcast(&w, &opts, packet, NULL);
    r = sioc_msgpack_writer_finish(&w);
    if (r == SIOC_OK) t->data_len = b.len;
    return r;
}

/* 1 when nothing waits to be published. */
static int tiny_idle(const tiny_emitter *t) { return !t->data_len; }

/* 1 when a call should go once the backoff allows: the topic is still to find, or a message waits. */
static int tiny_has_work(const tiny_emitter *t) { return !t->busy && (!t->topic_arn[0] || t->data_len); }

/* The next call goes no sooner than the backoff; a rejected key waits the longest (the app may renew it with
   sioc_aws_set_credentials meanwhile). */
static void tiny_failed(tiny_emitter *t, const sioc_aws_call *c, uint64_t now) {
    t->last_error = c->result;
    if (c->result == SIOC_ERR_HTTP_STATUS && t->topic_arn[0]) { /* SNS refused this message itself: drop it */
        t->data_len = 0;
        t->dropped++;
        return;
    }
    if (c->result == SIOC_ERR_NOT_FOUND) t->topic_arn[0] = 0; /* the topic went: create it again */
    if (c->result == SIOC_ERR_AUTH) t->backoff_ms = TINY_BACKOFF_MAX_MS;
    t->retry_at = now + t->backoff_ms / 2u + (uint32_t)now % (t->backoff_ms / 2u + 1u); /* cheap jitter */
    t->backoff_ms = t->backoff_ms * 2u > TINY_BACKOFF_MAX_MS ? TINY_BACKOFF_MAX_MS : t->backoff_ms * 2u;
    t->retries++;
}

/* A finished call: the topic's ARN, or the message is gone. */
static void tiny_done(tiny_emitter *t, const sioc_aws_call *c, uint64_t now) {
    uint8_t scratch[256];
    sioc_buf sb;
    sioc_str arn;
    t->busy = 0;
    if (c->result != SIOC_OK) {
        tiny_failed(t, c, now);
        return;
    }
    t->backoff_ms = TINY_BACKOFF_MIN_MS;
    t->last_error = SIOC_OK;
    if (t->topic_arn[0]) { /* Publish */
        t->data_len = 0;
        t->published++;
        return;
    }
    sioc_buf_init(&sb, scratch, sizeof scratch);
    if (sioc_sns_parse_create_topic((const char *)c->reply.ptr, c->reply.len, &sb, &arn) == SIOC_OK &&
        arn.len < sizeof t->topic_arn) {
        memcpy(t->topic_arn, arn.ptr, arn.len);
        t->topic_arn[arn.len] = 0;
    } else {
        t->last_error = SIOC_ERR_PARSE;
        t->retry_at = now + TINY_BACKOFF_MAX_MS;
    }
}

/* One turn, after the engine was driven: collect the answer, then start what is due (the topic first). */
static void tiny_step(tiny_emitter *t, uint64_t now) {
    static const sioc_bytes emitter = {(const uint8_t *)"emitter", 7}, root = {(const uint8_t *)"/", 1};
    sioc_aws_call *c;
    sioc_aws_attr a[3];
    sioc_result r;
    while (sioc_aws_next(&t->aws, now, &c) == SIOC_OK) tiny_done(t, c, now);
    if (!tiny_has_work(t) || now < t->retry_at) return;
    if (!t->backoff_ms) t->backoff_ms = TINY_BACKOFF_MIN_MS;
    if (!t->topic_arn[0]) {
        r = sioc_aws_sns_create_topic(&t->aws, &t->call, sioc_str_c(t->topic), NULL, 0, now);
    } else { /* the Node adapter's shape: Message "3" (BROADCAST), attributes nsp, uid and the msgpack data */
        a[0].name = sioc_str_c("nsp"), a[0].type = SIOC_AWS_ATTR_STRING, a[0].value = root;
        a[1].name = sioc_str_c("uid"), a[1].type = SIOC_AWS_ATTR_STRING, a[1].value = emitter;
        a[2].name = sioc_str_c("data"), a[2].type = SIOC_AWS_ATTR_BINARY;
        a[2].value = sioc_bytes_n(t->data, t->data_len);
        r = sioc_aws_sns_publish(&t->aws, &t->call, sioc_str_c(t->topic_arn), sioc_str_c("3"), a, 3, now);
    }
    if (r == SIOC_OK) {
        t->busy = 1;
    } else { /* refused before sending (too large, no memory): not worth a retry */
        t->last_error = r;
        t->data_len = 0;
        t->dropped++;
    }
}

/* When tiny_step wants to run again (the engine's own timers included). */
static uint64_t tiny_deadline(const tiny_emitter *t, uint64_t now) {
    uint64_t d = sioc_http_next_deadline(&t->aws.http);
    if (sioc_aws_has_finished(&t->aws)) return now;
    if (tiny_has_work(t) && t->retry_at < d) d = t->retry_at;
    return d < now ? now : d;
}

#ifndef EMIT_TINY_NO_MAIN
#include <stdio.h>

int main(int argc, char **argv) {
    static tiny_emitter t;
    sioc_posix px;
    sioc_aws_desc d;
    uint8_t mem[512];
    sioc_buf pkt;
    sioc_msgpack_writer w;
    uint64_t now = sioc_posix_now_ms(), deadline = now + 15000;
    sioc_result r;
    if (argc != 4) {
        fprintf(stderr, "usage: %s ROOM EVENT TEXT\n", argv[0]);
        return 2;
    }
    memset(&d, 0, sizeof d);
    d.utc_now = sioc_posix_utc_now;
    if (sioc_aws_desc_from_env(&d) != SIOC_OK) {
        fprintf(stderr, "emit_tiny: set AWS_REGION, AWS_ACCESS_KEY_ID and AWS_SECRET_ACCESS_KEY\n");
        return 1;
    }
    r = tiny_init(&t, &d, "socket-io");
    if (r != SIOC_OK || sioc_posix_init(&px, &t.aws.http, NULL, NULL) != SIOC_OK) {
        fprintf(stderr, "emit_tiny: %s %s\n", sioc_strerror(r), t.aws.detail);
        return 1;
    }
    sioc_buf_init(&pkt, mem, sizeof mem); /* [EVENT, TEXT] */
    sioc_msgpack_writer_init(&w, &pkt);
    sioc_msgpack_write_array(&w, 2);
    sioc_msgpack_write_cstr(&w, argv[2]);
    sioc_msgpack_write_cstr(&w, argv[3]);
    if (sioc_msgpack_writer_finish(&w) != SIOC_OK ||
        tiny_emit(&t, sioc_str_c(argv[1]), sioc_bytes_n(mem, pkt.len)) != SIOC_OK) {
        fprintf(stderr, "emit_tiny: the event does not fit in %d bytes\n", TINY_MAX_DATA);
        return 1;
    }
    while (!tiny_idle(&t) && now < deadline) {
        uint64_t due = tiny_deadline(&t, now);
        (void)sioc_posix_wait(&px, now, due - now > 200u ? 200u : (uint32_t)(due - now));
        now = sioc_posix_now_ms();
        (void)sioc_posix_step(&px, now);
        tiny_step(&t, now);
    }
    sioc_posix_free(&px);
    sioc_aws_client_free(&t.aws);
    if (!t.published) {
        fprintf(stderr, "emit_tiny: not published: %s (%lu retries) %s\n", sioc_strerror(t.last_error), t.retries,
                t.call.detail);
        return 1;
    }
    printf("emitted \"%s\" to room \"%s\"\n", argv[2], argv[1]);
    if (t.retries) printf("retries: %lu\n", t.retries);
    return 0;
}
#endif
