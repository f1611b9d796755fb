/* ---- member_janitor: orphaned queues on AWS (member.h, docs/AWS.md §2.4) ----
   SQS has no auto-delete: a member that crashed leaves its queue and subscription behind for ever, and every
   Publish keeps fanning out to them. One surviving member at a time (the one with the lowest live uid) looks at the
   queues under the cluster's prefix every orphan_check_s and removes the subscription and the queue of one that
   nobody consumes: its backlog grew at every check for orphan_after_s with no receive (nothing newly in flight),
   and its
   member (when its sioc-node tag names one) is not a live peer. Node members' queues carry no uid (a random name),
   the backlog rule covers them: every live member's heartbeats land there, so a dead queue grows. Just before
   deleting, the queue is looked at once more. A member that is slow but alive receives now and then (messages in
   flight, or a backlog that shrinks), which resets its clock.

   Steps (one request at a time on the janitor slot): ListQueues (pages) -> for each candidate: ListQueueTags once,
   GetQueueAttributes -> for an orphan: GetQueueAttributes again, ListSubscriptionsByTopic (pages) to find its
   subscription, Unsubscribe, DeleteQueue. */
#include "base.h"
#include "internal.h"
#include "json.h"
#include "cluster.h"
#include "aws.h"
#include "member.h"
#include "member_int.h"

#if SIOC__M_JANITOR

enum {
    SIOC__MJ_IDLE = 0,
    SIOC__MJ_LIST,     /* ListQueues, page by page */
    SIOC__MJ_TAGS,     /* ListQueueTags of the current candidate */
    SIOC__MJ_ATTRS,    /* GetQueueAttributes of the current candidate */
    SIOC__MJ_RECHECK,  /* the same, just before deleting */
    SIOC__MJ_FIND_SUB, /* ListSubscriptionsByTopic, page by page */
    SIOC__MJ_UNSUB,
    SIOC__MJ_DELETE
};

static const char *const sioc__mj_attr_names[] = {"ApproximateNumberOfMessages",
                                                  "ApproximateNumberOfMessagesNotVisible", "QueueArn"};

/* The member's own queue, or one of another cluster (tags say so): never a candidate. */
static int sioc__mj_ours(const sioc_cluster *c, sioc_str url) {
    return sioc_str_eq(url, sioc_str_c(c->p_queue_url));
}

static int sioc__mj_uid_live(const sioc_cluster *c, const char *uid) {
    sioc_str nsp = sioc_str_c("/");
    size_t i, n = sioc_node_peer_count(&c->p_node, nsp);
    for (i = 0; i < n; i++)
        if (sioc_str_eq(sioc_node_peer_uid(&c->p_node, nsp, i), sioc_str_c(uid))) return 1;
    return 0;
}

/* 1 when this member is the janitor: no live member that runs one too (its queue's sioc-janitor tag says so; Node
   members and members with no_orphan_cleanup do not) has a lower uid. Known once every candidate's tags are read. */
static int sioc__mj_elected(const sioc_cluster *c) {
    size_t i;
    for (i = 0; i < c->p_n_jan; i++) {
        const sioc__mjcand *k = &c->p_jan[i];
        if (k->janitor && k->uid[0] && sioc__strcmp(k->uid, c->p_node.uid) < 0 && sioc__mj_uid_live(c, k->uid)) return 0;
    }
    return 1;
}

static sioc__mjcand *sioc__mj_cur(sioc_cluster *c) { return &c->p_jan[c->p_jan_idx]; }

/* Write the request of the current step into the janitor slot and send it. */
static void sioc__mj_send(sioc_cluster *c, uint64_t now) {
    sioc__mslot *s = &c->p_slots[c->p_n_slots - 1];
    sioc__mjcand *k = c->p_jan_idx < c->p_n_jan ? sioc__mj_cur(c) : NULL; /* none while listing */
    sioc_buf b;
    sioc_result r = SIOC_ERR_STATE;
    int op = SIOC_CLUSTER_OP_LIST_QUEUES;
    sioc_str names[3];
    size_t i;
    for (i = 0; i < 3; i++) names[i] = sioc_str_c(sioc__mj_attr_names[i]);
    sioc_buf_init(&b, s->call.aws.body_mem, s->call.aws.body_cap);
    switch (c->p_jan_step) {
    case SIOC__MJ_LIST: {
        char prefix[SIOC_CLUSTER_NAME_MAX];
        sioc_buf pb;
        sioc_buf_init(&pb, prefix, sizeof prefix - 1);
        sioc_buf_puts(&pb, c->p_desc.prefix);
        sioc_buf_putc(&pb, '-');
        prefix[SIOC__MIN(pb.len, sizeof prefix - 1)] = 0;
        r = sioc_sqs_write_list_queues(&b, sioc_str_c(prefix), sioc_str_c(c->p_jan_token), 100);
        break;
    }
    case SIOC__MJ_TAGS:
        op = SIOC_CLUSTER_OP_QUEUE_TAGS;
        r = sioc_sqs_write_queue_url(&b, sioc_str_c(k->url));
        break;
    case SIOC__MJ_ATTRS:
    case SIOC__MJ_RECHECK:
        op = SIOC_CLUSTER_OP_QUEUE_ARN;
        r = sioc_sqs_write_get_queue_attributes(&b, sioc_str_c(k->url), names, 3);
        break;
    case SIOC__MJ_FIND_SUB:
        op = SIOC_CLUSTER_OP_LIST_SUBSCRIPTIONS;
        r = sioc_sns_write_list_subscriptions_by_topic(&b, sioc_str_c(c->p_topic), sioc_str_c(c->p_jan_token));
        break;
    case SIOC__MJ_UNSUB:
        op = SIOC_CLUSTER_OP_UNSUBSCRIBE;
        r = sioc_sns_write_unsubscribe(&b, sioc_str_c(c->p_jan_sub));
        break;
    case SIOC__MJ_DELETE:
        op = SIOC_CLUSTER_OP_DELETE_QUEUE;
        r = sioc_sqs_write_queue_url(&b, sioc_str_c(k->url));
        break;
    default:
        return;
    }
    if (r != SIOC_OK) { /* an URL or ARN the writers refuse: skip it this round */
        c->p_jan_step = SIOC__MJ_IDLE;
        return;
    }
    s->body_len = b.len;
    sioc__m_go(c, s, op, now);
}

static void sioc__mj_round_done(sioc_cluster *c, uint64_t now) {
    c->p_jan_step = SIOC__MJ_IDLE;
    c->p_jan_next = now + (uint64_t)c->p_desc.aws.orphan_check_s * 1000u;
}

/* The next candidate that needs a look: first the tags of new ones (once each), then, when this member is the
   janitor, the attributes of each; or the end of this round. */
static void sioc__mj_next_candidate(sioc_cluster *c, uint64_t now) {
    size_t i;
    for (i = 0; i < c->p_n_jan; i++)
        if (!c->p_jan[i].tagged) {
            c->p_jan_idx = i;
            c->p_jan_step = SIOC__MJ_TAGS;
            sioc__mj_send(c, now);
            return;
        }
    if (!sioc__mj_elected(c)) {
        sioc__mj_round_done(c, now);
        return;
    }
    while (++c->p_jan_idx < c->p_n_jan) {
        if (!sioc__mj_cur(c)->foreign) {
            c->p_jan_step = SIOC__MJ_ATTRS;
            sioc__mj_send(c, now);
            return;
        }
    }
    sioc__mj_round_done(c, now);
}

/* A queue of the listing: known already (seen again), or a new candidate. */
static void sioc__mj_listed(sioc_cluster *c, sioc_str url) {
    size_t i;
    if (sioc__mj_ours(c, url) || url.len >= SIOC_CLUSTER_ARN_MAX) return;
    for (i = 0; i < c->p_n_jan; i++)
        if (sioc_str_eq(url, sioc_str_c(c->p_jan[i].url))) {
            c->p_jan[i].seen = 1;
            return;
        }
    if (c->p_n_jan >= SIOC_CLUSTER_JANITOR_MAX) return; /* looked at in a later round, once others are gone */
    memset(&c->p_jan[c->p_n_jan], 0, sizeof c->p_jan[0]);
    sioc__copy_fixed(c->p_jan[c->p_n_jan].url, SIOC_CLUSTER_ARN_MAX, url);
    c->p_jan[c->p_n_jan].backlog = c->p_jan[c->p_n_jan].in_flight = -1;
    c->p_jan[c->p_n_jan++].seen = 1;
}

/* After the last page: forget queues that are gone, start on the first candidate. */
static void sioc__mj_listing_done(sioc_cluster *c, uint64_t now) {
    size_t i, keep = 0;
    for (i = 0; i < c->p_n_jan; i++)
        if (c->p_jan[i].seen) {
            c->p_jan[i].seen = 0;
            c->p_jan[keep++] = c->p_jan[i];
        }
    c->p_n_jan = keep;
    c->p_jan_idx = (size_t)-1;
    sioc__mj_next_candidate(c, now);
}

/* What a GetQueueAttributes said: 1 when the queue still looks orphaned. A round's look updates the clock; the
   re-check just before deleting only asks that nothing changed: nothing in flight, nothing taken, no live member. */
static int sioc__mj_judge(sioc_cluster *c, sioc__mjcand *k, const sioc_json *doc, int recheck, uint64_t now) {
    sioc_buf sb;
    sioc_str v;
    int64_t backlog = -1, in_flight = -1;
    size_t i;
    sioc_buf_init(&sb, c->p_scratch, c->p_scratch_size);
    if (sioc_sqs_parse_queue_attribute(doc, "ApproximateNumberOfMessages", &sb, &v) == SIOC_OK) {
        backlog = 0;
        for (i = 0; i < v.len && sioc__is_digit(v.ptr[i]); i++) backlog = backlog * 10 + (v.ptr[i] - '0');
    }
    if (sioc_sqs_parse_queue_attribute(doc, "ApproximateNumberOfMessagesNotVisible", &sb, &v) == SIOC_OK) {
        in_flight = 0;
        for (i = 0; i < v.len && sioc__is_digit(v.ptr[i]); i++) in_flight = in_flight * 10 + (v.ptr[i] - '0');
    }
    if (sioc_sqs_parse_queue_attribute(doc, "QueueArn", &sb, &v) == SIOC_OK) sioc__copy_fixed(c->p_jan_arn, sizeof c->p_jan_arn, v);
    if (recheck) /* nothing taken or newly in flight since the look */
        return backlog >= k->backlog && in_flight <= k->in_flight && !(k->uid[0] && sioc__mj_uid_live(c, k->uid));
    /* Consumed since the last look (the backlog shrank, or messages newly in flight: a receive), not growing, or
       its member alive: not an orphan, the clock starts again. A crashed member's own receives stay in flight,
       unchanged, until their visibility timeout: that is no sign of life. */
    if (backlog < 0 || in_flight < 0 || k->backlog < 0 || backlog <= k->backlog ||
        (in_flight > 0 && in_flight != k->in_flight) || (k->uid[0] && sioc__mj_uid_live(c, k->uid))) {
        k->suspect_since = 0;
        k->backlog = backlog;
        k->in_flight = in_flight;
        return 0;
    }
    k->backlog = backlog;
    k->in_flight = in_flight;
    if (!k->suspect_since) k->suspect_since = now;
    return now - k->suspect_since >= (uint64_t)c->p_desc.aws.orphan_after_s * 1000u;
}

/* The tags of a candidate: its member's uid, and whether it belongs to this cluster at all. */
static void sioc__mj_tags(sioc_cluster *c, sioc__mjcand *k, const sioc_json *doc) {
    sioc_aws_kv tags[16];
    size_t n = 0, i;
    sioc_buf sb;
    sioc_buf_init(&sb, c->p_scratch, c->p_scratch_size);
    k->tagged = 1;
    if (sioc_sqs_parse_list_queue_tags(doc, &sb, tags, SIOC__COUNT(tags), &n) != SIOC_OK) n = 0;
    for (i = 0; i < n; i++) {
        if (sioc_str_eq(tags[i].key, sioc_str_c("sioc-node"))) sioc__copy_fixed(k->uid, sizeof k->uid, tags[i].value);
        if (sioc_str_eq(tags[i].key, sioc_str_c("sioc-janitor"))) k->janitor = 1;
        if (sioc_str_eq(tags[i].key, sioc_str_c("sioc-cluster")) &&
            !sioc_str_eq(tags[i].value, sioc_str_c(c->p_desc.topic_name)))
            k->foreign = 1;
    }
}

/* The subscription of the queue being removed, from one page of ListSubscriptionsByTopic. */
static int sioc__mj_find_sub(sioc_cluster *c, const sioc__mslot *s, sioc_str *next) {
    sioc_sns_subscription subs[100];
    size_t n = 0, i;
    sioc_buf sb;
    sioc_buf_init(&sb, c->p_scratch, c->p_scratch_size);
    next->len = 0;
    if (sioc_sns_parse_list_subscriptions((const char *)s->call.aws.reply.ptr, s->call.aws.reply.len, &sb, subs,
                                          SIOC__COUNT(subs), &n, next) != SIOC_OK)
        return 0;
    for (i = 0; i < n; i++)
        if (sioc_str_eq(subs[i].endpoint, sioc_str_c(c->p_jan_arn))) {
            sioc__copy_fixed(c->p_jan_sub, sizeof c->p_jan_sub, subs[i].subscription_arn);
            return 1;
        }
    return 0;
}

/* The queue is gone: counted, logged, dropped from the table. */
static void sioc__mj_removed(sioc_cluster *c, uint64_t now) {
    sioc__mjcand *k = sioc__mj_cur(c);
    c->p_stats.orphans_deleted++;
#if SIOC_ENABLE_LOG
    if (c->p_desc.logger.fn) {
        char line[SIOC_CLUSTER_ARN_MAX + 96];
        sioc_buf b;
        uint32_t ms;
        sioc_buf_init(&b, line, sizeof line - 1);
        sioc_buf_puts(&b, "sioc_cluster: removed the orphaned queue ");
        sioc_buf_puts(&b, k->url);
        sioc_buf_puts(&b, " (growing, never received from, for ");
        sioc_buf_put_u64(&b, sioc__udiv64(now - k->suspect_since, 1000u, &ms));
        sioc_buf_puts(&b, " s)");
        line[SIOC__MIN(b.len, sizeof line - 1)] = 0;
        c->p_desc.logger.fn(c->p_desc.logger.user, SIOC_LOG_WARN, line);
    }
#else
    (void)k, (void)now;
#endif
    c->p_jan[c->p_jan_idx] = c->p_jan[--c->p_n_jan];
    c->p_jan_idx--; /* the one moved here is looked at next */
}

static void sioc__mjan_done(sioc_cluster *c, sioc__mslot *s, uint64_t now) {
    sioc_aws_call *call = &s->call.aws;
    sioc_json doc;
    sioc_str next;
    int step = c->p_jan_step, json_ok;
    if (call->result != SIOC_OK && !(call->result == SIOC_ERR_NOT_FOUND && step >= SIOC__MJ_TAGS)) {
        sioc__m_fail(c, s, call->result, now); /* retried after a backoff, as any request */
        return;
    }
    s->state = SIOC__MS_FREE;
    if (call->result == SIOC_ERR_NOT_FOUND) { /* the candidate is gone already (deleted by its member or another) */
        if (step == SIOC__MJ_DELETE) sioc__mj_removed(c, now);
        else c->p_jan[c->p_jan_idx] = c->p_jan[--c->p_n_jan], c->p_jan_idx--;
        sioc__mj_next_candidate(c, now);
        return;
    }
    json_ok = step != SIOC__MJ_FIND_SUB && step != SIOC__MJ_UNSUB &&
              sioc_json_parse(&doc, (const char *)call->reply.ptr, call->reply.len, c->p_toks, c->p_n_toks) == SIOC_OK;
    switch (step) {
    case SIOC__MJ_LIST: {
        sioc_str urls[100];
        size_t n = 0, i;
        sioc_buf sb;
        sioc_buf_init(&sb, c->p_scratch, c->p_scratch_size);
        next.len = 0;
        if (json_ok && sioc_sqs_parse_list_queues(&doc, &sb, urls, SIOC__COUNT(urls), &n, &next) == SIOC_OK)
            for (i = 0; i < n; i++) sioc__mj_listed(c, urls[i]);
        sioc__copy_fixed(c->p_jan_token, sizeof c->p_jan_token, next);
        if (next.len && next.len < sizeof c->p_jan_token) sioc__mj_send(c, now);
        else sioc__mj_listing_done(c, now);
        return;
    }
    case SIOC__MJ_TAGS:
        if (json_ok) sioc__mj_tags(c, sioc__mj_cur(c), &doc);
        else sioc__mj_cur(c)->tagged = 1;
        c->p_jan_idx = (size_t)-1; /* then the attributes from the first candidate on */
        sioc__mj_next_candidate(c, now);
        return;
    case SIOC__MJ_ATTRS:
    case SIOC__MJ_RECHECK:
        if (json_ok && sioc__mj_judge(c, sioc__mj_cur(c), &doc, step == SIOC__MJ_RECHECK, now) && c->p_jan_arn[0] &&
            sioc__mj_elected(c)) {
            c->p_jan_step = step == SIOC__MJ_ATTRS ? SIOC__MJ_RECHECK : SIOC__MJ_FIND_SUB;
            c->p_jan_token[0] = 0;
            sioc__mj_send(c, now);
            return;
        }
        sioc__mj_next_candidate(c, now);
        return;
    case SIOC__MJ_FIND_SUB:
        if (sioc__mj_find_sub(c, s, &next)) {
            c->p_jan_step = SIOC__MJ_UNSUB;
        } else if (next.len && next.len < sizeof c->p_jan_token) {
            sioc__copy_fixed(c->p_jan_token, sizeof c->p_jan_token, next);
        } else {
            c->p_jan_step = SIOC__MJ_DELETE; /* no subscription left: the queue alone */
        }
        sioc__mj_send(c, now);
        return;
    case SIOC__MJ_UNSUB:
        c->p_jan_step = SIOC__MJ_DELETE;
        sioc__mj_send(c, now);
        return;
    default: /* SIOC__MJ_DELETE */
        sioc__mj_removed(c, now);
        sioc__mj_next_candidate(c, now);
        return;
    }
}

/* Start a round when it is due and this member is the one that looks. */
static void sioc__mjan_step(sioc_cluster *c, uint64_t now) {
    sioc__mslot *s = &c->p_slots[c->p_n_slots - 1];
    if (c->p_state != SIOC_CLUSTER_RUNNING || s->state != SIOC__MS_FREE || c->p_jan_step != SIOC__MJ_IDLE ||
        now < c->p_jan_next || !c->p_queue_url[0])
        return;
    c->p_jan_step = SIOC__MJ_LIST;
    c->p_jan_token[0] = 0;
    sioc__mj_send(c, now);
}

#endif /* SIOC__M_JANITOR */
