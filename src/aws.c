/* ---- aws.c ---- */
#include "base.h"
#include "internal.h"
#include "crypto.h"
#include "json.h"
#include "xml.h"
#include "http.h"
#include "posix.h"
#include "sigv4.h"
#include "aws.h"

#if SIOC_ENABLE_AWS

/* >>helpers */

static int sioc__has_any(sioc_str s, const char *set) {
    size_t i;
    for (i = 0; i < s.len; i++)
        if (sioc__in_set(set, s.ptr[i])) return 1;
    return 0;
}

static const char *sioc__attr_type_name(sioc_aws_attr_type t) {
    return t == SIOC_AWS_ATTR_BINARY ? "Binary" : t == SIOC_AWS_ATTR_NUMBER ? "Number" : "String";
}

static int sioc__str_ok(sioc_str s) { return s.len == 0 || s.ptr != NULL; }

SIOC_API size_t sioc_aws_message_size(sioc_str message, const sioc_aws_attr *attrs, size_t n) {
    size_t total = message.len, i;
    for (i = 0; attrs && i < n; i++)
        total += attrs[i].name.len + strlen(sioc__attr_type_name(attrs[i].type)) + attrs[i].value.len;
    return total;
}

/* Attributes are checked before anything is written: the service would refuse them anyway, and an early
   SIOC_ERR_TOO_LARGE keeps an oversized message off the network (fauxqs does not count attributes). */
static sioc_result sioc__check_message(sioc_str message, const sioc_aws_attr *attrs, size_t n, size_t *size) {
    size_t i;
    if (!sioc__str_ok(message) || (n && !attrs)) return SIOC_ERR_ARG;
    if (n > SIOC_AWS_MAX_ATTRS) return SIOC_ERR_LIMIT;
    for (i = 0; i < n; i++) {
        const sioc_aws_attr *a = &attrs[i];
        if (a->name.len == 0 || a->name.len > 256 || !a->name.ptr || (a->value.len && !a->value.ptr) ||
            (unsigned)a->type > SIOC_AWS_ATTR_NUMBER)
            return SIOC_ERR_ARG;
    }
    *size = sioc_aws_message_size(message, attrs, n);
    return *size > SIOC_AWS_MAX_MESSAGE_SIZE ? SIOC_ERR_TOO_LARGE : SIOC_OK;
}

/* Standard base64 of p[0..n), appended in 48-byte slices (a multiple of 3, so padding only at the very end),
   percent-encoded for form bodies. */
static void sioc__put_base64(sioc_buf *b, const uint8_t *p, size_t n, int pct) {
    char tmp[SIOC_BASE64_ENCODED_LEN(48) + 1];
    size_t i, olen = 0;
    for (i = 0; i < n; i += 48) {
        size_t k = SIOC__MIN((size_t)48, n - i);
        if (sioc_base64_encode(p + i, k, tmp, sizeof tmp, &olen) != SIOC_OK) {
            sioc_buf_fail(b, SIOC_ERR_ARG);
            return;
        }
        if (pct)
            sioc_pct_encode(b, tmp, olen, SIOC_PCT_RFC3986);
        else
            sioc_buf_put(b, tmp, olen);
    }
}

/* >>SNS request bodies: AWS Query protocol, form-encoded with the RFC 3986 unreserved set (docs/AWS.md 3.1). */

static void sioc__form_action(sioc_buf *b, const char *action) {
    sioc_buf_puts(b, "Action=");
    sioc_buf_puts(b, action);
    sioc_buf_puts(b, "&Version=" SIOC_AWS_SNS_VERSION);
}

#define SIOC__PB_MEMBER "PublishBatchRequestEntries.member."

/* "&[PublishBatchRequestEntries.member.<entry>.]<mid>[<index>]<suffix>=" (entry and index 0: left out) */
static void sioc__form_key(sioc_buf *b, size_t entry, const char *mid, size_t index, const char *suffix) {
    sioc_buf_putc(b, '&');
    if (entry) {
        sioc_buf_puts(b, SIOC__PB_MEMBER);
        sioc_buf_put_u64(b, entry);
        sioc_buf_putc(b, '.');
    }
    sioc_buf_puts(b, mid);
    if (index) sioc_buf_put_u64(b, index);
    sioc_buf_puts(b, suffix);
    sioc_buf_putc(b, '=');
}

static void sioc__form_val(sioc_buf *b, sioc_str v) { sioc_pct_encode(b, v.ptr, v.len, SIOC_PCT_RFC3986); }

static void sioc__form_param(sioc_buf *b, const char *name, sioc_str v) {
    sioc__form_key(b, 0, name, 0, "");
    sioc__form_val(b, v);
}

/* A message with its attributes: Publish (entry 0: Message, TopicArn) or one PublishBatch entry (Id, Message). */
static void sioc__form_message(sioc_buf *b, size_t entry, const char *n1, sioc_str v1, const char *n2, sioc_str v2,
                               const sioc_aws_attr *attrs, size_t n) {
    size_t i;
    sioc__form_key(b, entry, n1, 0, "");
    sioc__form_val(b, v1);
    sioc__form_key(b, entry, n2, 0, "");
    sioc__form_val(b, v2);
    for (i = 0; i < n; i++) {
        const sioc_aws_attr *a = &attrs[i];
        int bin = a->type == SIOC_AWS_ATTR_BINARY;
        sioc__form_key(b, entry, "MessageAttributes.entry.", i + 1, ".Name");
        sioc__form_val(b, a->name);
        sioc__form_key(b, entry, "MessageAttributes.entry.", i + 1, ".Value.DataType");
        sioc_buf_puts(b, sioc__attr_type_name(a->type));
        sioc__form_key(b, entry, "MessageAttributes.entry.", i + 1, bin ? ".Value.BinaryValue" : ".Value.StringValue");
        if (bin)
            sioc__put_base64(b, a->value.ptr, a->value.len, 1);
        else
            sioc__form_val(b, sioc_str_n((const char *)a->value.ptr, a->value.len));
    }
}

SIOC_API sioc_result sioc_sns_write_create_topic(sioc_buf *out, sioc_str name, const sioc_aws_kv *tags, size_t n) {
    size_t i;
    if (!out || name.len == 0 || !name.ptr || (n && !tags)) return SIOC_ERR_ARG;
    if (n > 50) return SIOC_ERR_LIMIT; /* SNS: 50 tags per topic */
    for (i = 0; i < n; i++)
        if (!sioc__str_ok(tags[i].key) || !sioc__str_ok(tags[i].value) || tags[i].key.len == 0) return SIOC_ERR_ARG;
    sioc__form_action(out, "CreateTopic");
    sioc__form_param(out, "Name", name);
    for (i = 0; i < n; i++) {
        sioc__form_key(out, 0, "Tags.member.", i + 1, ".Key");
        sioc__form_val(out, tags[i].key);
        sioc__form_key(out, 0, "Tags.member.", i + 1, ".Value");
        sioc__form_val(out, tags[i].value);
    }
    return sioc_buf_result(out);
}

/* The member-only writers keep their text in arrays, not literals: arrays get sections of their own that
   gc-sections drops with the function, while a literal pool shared with live code stays whole. */
SIOC_API sioc_result sioc_sns_write_subscribe(sioc_buf *out, sioc_str topic_arn, sioc_str queue_arn,
                                              sioc_str filter_policy) {
    static const char endpoint[] = "&Protocol=sqs&Endpoint=";
    static const char raw[] = "&Attributes.entry.1.key=RawMessageDelivery&Attributes.entry.1.value=true";
    static const char filter[] = "&Attributes.entry.2.key=FilterPolicyScope&Attributes.entry.2.value=MessageAttributes"
                                 "&Attributes.entry.3.key=FilterPolicy&Attributes.entry.3.value=";
    if (!out || topic_arn.len == 0 || queue_arn.len == 0 || !topic_arn.ptr || !queue_arn.ptr ||
        !sioc__str_ok(filter_policy))
        return SIOC_ERR_ARG;
    sioc__form_action(out, "Subscribe");
    sioc__form_param(out, "TopicArn", topic_arn);
    sioc_buf_puts(out, endpoint);
    sioc__form_val(out, queue_arn);
    /* raw delivery is required: the SQS body is then the SNS Message and attributes survive (docs/AWS.md 6) */
    sioc_buf_puts(out, raw);
    if (filter_policy.len) {
        sioc_buf_puts(out, filter);
        sioc__form_val(out, filter_policy);
    }
    return sioc_buf_result(out);
}

SIOC_API sioc_result sioc_sns_write_publish(sioc_buf *out, sioc_str topic_arn, sioc_str message,
                                            const sioc_aws_attr *attrs, size_t n) {
    sioc_result r;
    size_t size;
    if (!out || topic_arn.len == 0 || !topic_arn.ptr) return SIOC_ERR_ARG;
    r = sioc__check_message(message, attrs, n, &size);
    if (r != SIOC_OK) return r;
    sioc__form_action(out, "Publish");
    sioc__form_message(out, 0, "Message", message, "TopicArn", topic_arn, attrs, n);
    return sioc_buf_result(out);
}

static int sioc__batch_id_ok(sioc_str id) {
    size_t i;
    if (id.len == 0 || id.len > 80 || !id.ptr) return 0;
    for (i = 0; i < id.len; i++) {
        char c = id.ptr[i];
        if (!((c >= 'A' && c <= 'Z') || (c >= 'a' && c <= 'z') || (c >= '0' && c <= '9') || c == '_' || c == '-'))
            return 0;
    }
    return 1;
}

SIOC_API sioc_result sioc_sns_write_publish_batch(sioc_buf *out, sioc_str topic_arn,
                                                  const sioc_sns_batch_entry *e, size_t n) {
    size_t i, total = 0, size;
    sioc_result r;
    if (!out || topic_arn.len == 0 || !topic_arn.ptr || n == 0 || !e) return SIOC_ERR_ARG;
    if (n > SIOC_AWS_MAX_BATCH) return SIOC_ERR_LIMIT;
    for (i = 0; i < n; i++) {
        if (!sioc__batch_id_ok(e[i].id)) return SIOC_ERR_ARG;
        r = sioc__check_message(e[i].message, e[i].attrs, e[i].n_attrs, &size);
        if (r != SIOC_OK) return r;
        total += size;
    }
    if (total > SIOC_AWS_MAX_MESSAGE_SIZE) return SIOC_ERR_TOO_LARGE; /* the batch as a whole, too */
    sioc__form_action(out, "PublishBatch");
    sioc__form_param(out, "TopicArn", topic_arn);
    for (i = 0; i < n; i++)
        sioc__form_message(out, i + 1, "Id", e[i].id, "Message", e[i].message, e[i].attrs, e[i].n_attrs);
    return sioc_buf_result(out);
}

/* The entry index (1..10) of one form parameter of a PublishBatch body and where its name goes on after the
   index ("." onwards); 0 for a parameter outside the entries. */
static size_t sioc__pb_entry(const uint8_t *p, size_t len, size_t *rest) {
    size_t k = sizeof SIOC__PB_MEMBER - 1, idx = 0;
    if (len <= k || memcmp(p, SIOC__PB_MEMBER, k) != 0) return 0;
    while (k < len && p[k] >= '0' && p[k] <= '9' && idx <= SIOC_AWS_MAX_BATCH) idx = idx * 10u + (size_t)(p[k++] - '0');
    if (k >= len || p[k] != '.' || !idx || idx > SIOC_AWS_MAX_BATCH) return SIOC_AWS_MAX_BATCH + 1u; /* not ours */
    *rest = k;
    return idx;
}

static int sioc__pb_id_in(sioc_str id, const sioc_str *ids, size_t n) {
    size_t i;
    for (i = 0; i < n; i++)
        if (ids[i].len == id.len && memcmp(ids[i].ptr, id.ptr, id.len) == 0) return 1;
    return 0;
}

SIOC_API sioc_result sioc_sns_publish_batch_retain(sioc_buf *body, const sioc_str *ids, size_t n_ids) {
    uint8_t keep[SIOC_AWS_MAX_BATCH + 1]; /* pass 0: 1 for the entries that stay; then their new numbers */
    size_t r, w = 0, kept = 0, i, rest = 0, idx, pass, k = sizeof SIOC__PB_MEMBER - 1;
    uint8_t *d;
    if (!body || !body->data || body->len > body->cap || (n_ids && !ids)) return SIOC_ERR_ARG;
    d = body->data;
    if (body->len < 20 || memcmp(d, "Action=PublishBatch&", 20) != 0) return SIOC_ERR_PROTOCOL;
    memset(keep, 0, sizeof keep);
    /* pass 0 finds which entries stay (by their Id= parameter); pass 1 rewrites in place: a new number never has
       more digits than the old one, so writing stays behind reading */
    for (pass = 0; pass < 2; pass++) {
        for (r = 0; r < body->len; r = i + 1) {
            size_t pre;
            for (i = r; i < body->len && d[i] != '&'; i++) {
            }
            idx = sioc__pb_entry(d + r, i - r, &rest);
            if (idx > SIOC_AWS_MAX_BATCH) return SIOC_ERR_PROTOCOL;
            if (!pass) {
                if (idx && i - r - rest > 4 && memcmp(d + r + rest, ".Id=", 4) == 0)
                    keep[idx] = (uint8_t)sioc__pb_id_in(sioc_str_n((const char *)d + r + rest + 4, i - r - rest - 4),
                                                        ids, n_ids);
                continue;
            }
            if (idx && !keep[idx]) continue;
            if (w) d[w++] = '&';
            pre = idx ? k : i - r; /* the member prefix (then the number and the rest), or the whole parameter */
            memmove(d + w, d + r, pre);
            w += pre;
            if (!idx) continue;
            if (keep[idx] >= 10) d[w++] = '1';
            d[w++] = (uint8_t)('0' + keep[idx] % 10);
            memmove(d + w, d + r + rest, i - r - rest);
            w += i - r - rest;
        }
        for (idx = 1; !pass && idx <= SIOC_AWS_MAX_BATCH; idx++) keep[idx] = keep[idx] ? (uint8_t)++kept : 0;
        if (!kept) return SIOC_ERR_NOT_FOUND;
    }
    body->len = w;
    return SIOC_OK;
}

SIOC_API sioc_result sioc_sns_write_unsubscribe(sioc_buf *out, sioc_str subscription_arn) {
    static const char name[] = "SubscriptionArn";
    if (!out || subscription_arn.len == 0 || !subscription_arn.ptr) return SIOC_ERR_ARG;
    sioc__form_action(out, "Unsubscribe");
    sioc__form_param(out, name, subscription_arn);
    return sioc_buf_result(out);
}

SIOC_API sioc_result sioc_sns_write_list_subscriptions_by_topic(sioc_buf *out, sioc_str topic_arn,
                                                                sioc_str next_token) {
    static const char action[] = "ListSubscriptionsByTopic", next[] = "NextToken";
    if (!out || topic_arn.len == 0 || !topic_arn.ptr || !sioc__str_ok(next_token)) return SIOC_ERR_ARG;
    sioc__form_action(out, action);
    sioc__form_param(out, "TopicArn", topic_arn);
    if (next_token.len) sioc__form_param(out, next, next_token);
    return sioc_buf_result(out);
}

/* >>SQS request bodies: AWS JSON 1.0 (docs/AWS.md 3.2), keys in the SDK's order. */

static void sioc__jkey(sioc_json_writer *w, const char *key) { sioc_json_write_key(w, key, strlen(key)); }
static void sioc__jstr_w(sioc_json_writer *w, sioc_str s) { sioc_json_write_str(w, s.ptr ? s.ptr : "", s.len); }

static void sioc__jmap(sioc_json_writer *w, const char *key, const sioc_aws_kv *kv, size_t n) {
    size_t i;
    sioc__jkey(w, key);
    sioc_json_write_object_begin(w);
    for (i = 0; i < n; i++) {
        sioc_json_write_key(w, kv[i].key.ptr ? kv[i].key.ptr : "", kv[i].key.len);
        sioc__jstr_w(w, kv[i].value);
    }
    sioc_json_write_object_end(w);
}

static int sioc__kv_ok(const sioc_aws_kv *kv, size_t n) {
    size_t i;
    if (n && !kv) return 0;
    for (i = 0; i < n; i++)
        if (!sioc__str_ok(kv[i].key) || !sioc__str_ok(kv[i].value) || kv[i].key.len == 0) return 0;
    return 1;
}

static sioc_result sioc__jdone(sioc_json_writer *w) { return sioc_buf_result(w->out); }

static void sioc__jqueue_url(sioc_json_writer *w, sioc_buf *out, sioc_str url) {
    sioc_json_writer_init(w, out);
    sioc_json_write_object_begin(w);
    sioc__jkey(w, "QueueUrl");
    sioc__jstr_w(w, url);
}

SIOC_API sioc_result sioc_sqs_write_create_queue(sioc_buf *out, sioc_str name, const sioc_aws_kv *attrs,
                                                 size_t n_attrs, const sioc_aws_kv *tags, size_t n_tags) {
    sioc_json_writer w;
    if (!out || name.len == 0 || !name.ptr || !sioc__kv_ok(attrs, n_attrs) || !sioc__kv_ok(tags, n_tags))
        return SIOC_ERR_ARG;
    sioc_json_writer_init(&w, out);
    sioc_json_write_object_begin(&w);
    sioc__jkey(&w, "QueueName");
    sioc__jstr_w(&w, name);
    if (n_attrs) sioc__jmap(&w, "Attributes", attrs, n_attrs);
    if (n_tags) sioc__jmap(&w, "tags", tags, n_tags); /* lower-case in the SQS JSON model */
    sioc_json_write_object_end(&w);
    return sioc__jdone(&w);
}

SIOC_API sioc_result sioc_sqs_write_get_queue_attributes(sioc_buf *out, sioc_str url, const sioc_str *names,
                                                         size_t n) {
    sioc_json_writer w;
    size_t i;
    if (!out || url.len == 0 || !url.ptr || n == 0 || !names) return SIOC_ERR_ARG;
    for (i = 0; i < n; i++)
        if (!sioc__str_ok(names[i])) return SIOC_ERR_ARG;
    sioc__jqueue_url(&w, out, url);
    sioc__jkey(&w, "AttributeNames");
    sioc_json_write_array_begin(&w);
    for (i = 0; i < n; i++) sioc__jstr_w(&w, names[i]);
    sioc_json_write_array_end(&w);
    sioc_json_write_object_end(&w);
    return sioc__jdone(&w);
}

SIOC_API sioc_result sioc_sqs_write_set_queue_attributes(sioc_buf *out, sioc_str url, const sioc_aws_kv *attrs,
                                                         size_t n) {
    sioc_json_writer w;
    if (!out || url.len == 0 || !url.ptr || n == 0 || !sioc__kv_ok(attrs, n)) return SIOC_ERR_ARG;
    sioc__jqueue_url(&w, out, url);
    sioc__jmap(&w, "Attributes", attrs, n);
    sioc_json_write_object_end(&w);
    return sioc__jdone(&w);
}

static int sioc__arn_ok(sioc_str s) {
    size_t i;
    if (s.len == 0 || s.len > 256 || !s.ptr) return 0;
    for (i = 0; i < s.len; i++) {
        unsigned char c = (unsigned char)s.ptr[i];
        if (c < 0x21 || c > 0x7e || c == '"' || c == '\\') return 0;
    }
    return 1;
}

SIOC_API sioc_result sioc_sqs_write_policy(sioc_buf *out, sioc_str queue_arn, sioc_str topic_arn) {
    if (!out || !sioc__arn_ok(queue_arn) || !sioc__arn_ok(topic_arn)) return SIOC_ERR_ARG;
    /* exactly what the Node adapter sends: whitespace-free, keys in this order (docs/AWS.md 5) */
    sioc_buf_puts(out, "{\"Version\":\"2012-10-17\",\"Id\":\"__default_policy_ID\",\"Statement\":[{\"Sid\":"
                       "\"__owner_statement\",\"Effect\":\"Allow\",\"Principal\":\"*\",\"Action\":\"SQS:SendMessage\","
                       "\"Resource\":\"");
    sioc_buf_put(out, queue_arn.ptr, queue_arn.len);
    sioc_buf_puts(out, "\",\"Condition\":{\"ArnEquals\":{\"aws:SourceArn\":\"");
    sioc_buf_put(out, topic_arn.ptr, topic_arn.len);
    sioc_buf_puts(out, "\"}}}]}");
    return sioc_buf_result(out);
}

SIOC_API sioc_result sioc_sqs_write_set_queue_policy(sioc_buf *out, sioc_str url, sioc_str queue_arn,
                                                     sioc_str topic_arn) {
    char policy[800]; /* fixed text (~220 bytes) + two ARNs of at most 256 bytes each */
    sioc_buf pb;
    sioc_aws_kv kv;
    sioc_result r;
    sioc_buf_init(&pb, policy, sizeof policy);
    r = sioc_sqs_write_policy(&pb, queue_arn, topic_arn);
    if (r != SIOC_OK) return r;
    kv.key = sioc_str_c("Policy");
    kv.value.ptr = policy;
    kv.value.len = pb.len;
    return sioc_sqs_write_set_queue_attributes(out, url, &kv, 1);
}

SIOC_API sioc_result sioc_sqs_write_receive_message(sioc_buf *out, sioc_str url, int max_messages, int wait) {
    sioc_json_writer w;
    if (!out || url.len == 0 || !url.ptr) return SIOC_ERR_ARG;
    if (max_messages < 1 || max_messages > 10 || wait < 0 || wait > 20) return SIOC_ERR_RANGE;
    sioc__jqueue_url(&w, out, url);
    sioc__jkey(&w, "MessageAttributeNames");
    sioc_json_write_array_begin(&w);
    sioc_json_write_str(&w, "All", 3);
    sioc_json_write_array_end(&w);
    sioc__jkey(&w, "MaxNumberOfMessages");
    sioc_json_write_i64(&w, max_messages);
    sioc__jkey(&w, "WaitTimeSeconds");
    sioc_json_write_i64(&w, wait);
    sioc_json_write_object_end(&w);
    return sioc__jdone(&w);
}

SIOC_API sioc_result sioc_sqs_write_delete_message_batch(sioc_buf *out, sioc_str url,
                                                         const sioc_sqs_delete_entry *e, size_t n) {
    sioc_json_writer w;
    size_t i;
    if (!out || url.len == 0 || !url.ptr || n == 0 || !e) return SIOC_ERR_ARG;
    if (n > SIOC_AWS_MAX_BATCH) return SIOC_ERR_LIMIT;
    for (i = 0; i < n; i++)
        if (!sioc__batch_id_ok(e[i].id) || e[i].receipt_handle.len == 0 || !e[i].receipt_handle.ptr)
            return SIOC_ERR_ARG;
    sioc__jqueue_url(&w, out, url);
    sioc__jkey(&w, "Entries");
    sioc_json_write_array_begin(&w);
    for (i = 0; i < n; i++) {
        sioc_json_write_object_begin(&w);
        sioc__jkey(&w, "Id");
        sioc__jstr_w(&w, e[i].id);
        sioc__jkey(&w, "ReceiptHandle");
        sioc__jstr_w(&w, e[i].receipt_handle);
        sioc_json_write_object_end(&w);
    }
    sioc_json_write_array_end(&w);
    sioc_json_write_object_end(&w);
    return sioc__jdone(&w);
}

SIOC_API sioc_result sioc_sqs_write_queue_url(sioc_buf *out, sioc_str url) {
    sioc_json_writer w;
    if (!out || url.len == 0 || !url.ptr) return SIOC_ERR_ARG;
    sioc__jqueue_url(&w, out, url);
    sioc_json_write_object_end(&w);
    return sioc__jdone(&w);
}

SIOC_API sioc_result sioc_sqs_write_list_queues(sioc_buf *out, sioc_str prefix, sioc_str next_token,
                                                int max_results) {
    sioc_json_writer w;
    if (!out || !sioc__str_ok(prefix) || !sioc__str_ok(next_token)) return SIOC_ERR_ARG;
    if (max_results < 0 || max_results > 1000) return SIOC_ERR_RANGE;
    sioc_json_writer_init(&w, out);
    sioc_json_write_object_begin(&w);
    if (prefix.len) {
        sioc__jkey(&w, "QueueNamePrefix");
        sioc__jstr_w(&w, prefix);
    }
    if (next_token.len) {
        sioc__jkey(&w, "NextToken");
        sioc__jstr_w(&w, next_token);
    }
    if (max_results) {
        sioc__jkey(&w, "MaxResults");
        sioc_json_write_i64(&w, max_results);
    }
    sioc_json_write_object_end(&w);
    return sioc__jdone(&w);
}

SIOC_API sioc_result sioc_sqs_write_send_message(sioc_buf *out, sioc_str url, sioc_str body,
                                                 const sioc_aws_attr *attrs, size_t n) {
    sioc_json_writer w;
    size_t i;
    sioc_result r;
    if (!out || url.len == 0 || !url.ptr) return SIOC_ERR_ARG;
    r = sioc__check_message(body, attrs, n, &i);
    if (r != SIOC_OK) return r;
    sioc__jqueue_url(&w, out, url);
    sioc__jkey(&w, "MessageBody");
    sioc__jstr_w(&w, body);
    if (n) {
        sioc__jkey(&w, "MessageAttributes");
        sioc_json_write_object_begin(&w);
        for (i = 0; i < n; i++) {
            const sioc_aws_attr *a = &attrs[i];
            sioc_json_write_key(&w, a->name.ptr, a->name.len);
            sioc_json_write_object_begin(&w);
            sioc__jkey(&w, "DataType");
            sioc_json_write_str(&w, sioc__attr_type_name(a->type), 6);
            if (a->type == SIOC_AWS_ATTR_BINARY) {
                sioc__jkey(&w, "BinaryValue");
                /* base64 never needs JSON escaping: open the string through the writer (for its comma
                   bookkeeping), then stream the text straight into the buffer */
                sioc_json_write_raw(&w, "\"", 1);
                sioc__put_base64(out, a->value.ptr, a->value.len, 0);
                sioc_buf_putc(out, '"');
            } else {
                sioc__jkey(&w, "StringValue");
                sioc_json_write_str(&w, (const char *)a->value.ptr, a->value.len);
            }
            sioc_json_write_object_end(&w);
        }
        sioc_json_write_object_end(&w);
    }
    sioc_json_write_object_end(&w);
    return sioc__jdone(&w);
}

/* >>SNS replies */

/* A raw XML content span as text: the span itself when it holds no markup or references, else decoded into
   scratch (decoding never makes text longer, so raw.len + 1 bytes are enough). */
static sioc_result sioc__xml_str(sioc_str raw, sioc_buf *scratch, sioc_str *out) {
    size_t start, n = 0;
    char *p;
    sioc_result r;
    if (!sioc__has_any(raw, "&<\r")) {
        *out = raw;
        return SIOC_OK;
    }
    start = scratch ? scratch->len : 0;
    p = (char *)sioc_buf_reserve(scratch, raw.len + 1);
    if (!p) return SIOC_ERR_BUFFER_TOO_SMALL;
    r = sioc_xml_text(raw, p, raw.len + 1, &n);
    if (r != SIOC_OK) {
        scratch->len = start;
        return r;
    }
    scratch->len = start + n + 1;
    out->ptr = p;
    out->len = n;
    return SIOC_OK;
}

static sioc_result sioc__xml_field(const char *xml, size_t len, const char *path, sioc_buf *scratch,
                                   sioc_str *out) {
    sioc_str raw;
    sioc_result r;
    if (!xml || !out) return SIOC_ERR_ARG;
    r = sioc_xml_find(xml, len, path, &raw);
    if (r != SIOC_OK) return r;
    return sioc__xml_str(raw, scratch, out);
}

static sioc_result sioc__xml_field_in(sioc_str content, const char *path, sioc_buf *scratch, sioc_str *out,
                                      int required) {
    sioc_str raw;
    sioc_result r = sioc_xml_find_in(content, path, &raw);
    if (r == SIOC_ERR_NOT_FOUND && !required) {
        out->ptr = "";
        out->len = 0;
        return SIOC_OK;
    }
    if (r != SIOC_OK) return r;
    return sioc__xml_str(raw, scratch, out);
}

SIOC_API sioc_result sioc_sns_parse_create_topic(const char *xml, size_t len, sioc_buf *scratch, sioc_str *out) {
    return sioc__xml_field(xml, len, "CreateTopicResponse/CreateTopicResult/TopicArn", scratch, out);
}

SIOC_API sioc_result sioc_sns_parse_subscribe(const char *xml, size_t len, sioc_buf *scratch, sioc_str *out) {
    return sioc__xml_field(xml, len, "SubscribeResponse/SubscribeResult/SubscriptionArn", scratch, out);
}

SIOC_API sioc_result sioc_sns_parse_publish(const char *xml, size_t len, sioc_buf *scratch, sioc_str *out) {
    return sioc__xml_field(xml, len, "PublishResponse/PublishResult/MessageId", scratch, out);
}

SIOC_API sioc_result sioc_sns_parse_unsubscribe(const char *xml, size_t len) {
    sioc_str raw;
    if (!xml) return SIOC_ERR_ARG;
    return sioc_xml_find(xml, len, "UnsubscribeResponse", &raw);
}

static int sioc__is_true(sioc_str s) { return s.len == 4 && memcmp(s.ptr, "true", 4) == 0; }

/* The fields of a batch reply entry (PublishBatch, DeleteMessageBatch) and where the first four go. */
static const char *const sioc__batch_names[5] = {"Id", "MessageId", "Code", "Message", "SenderFault"};
static const uint8_t sioc__batch_off[4] = {offsetof(sioc_aws_batch_item, id), offsetof(sioc_aws_batch_item, message_id),
                                           offsetof(sioc_aws_batch_item, code),
                                           offsetof(sioc_aws_batch_item, message)};
#define SIOC__BATCH_FIELD(item, k) ((sioc_str *)(void *)((char *)(item) + sioc__batch_off[k]))

/* Successful/member or Failed/member items of a PublishBatch reply. */
/* A success has Id and MessageId, a failure Id, Code, Message and SenderFault; the first two are required. */
static sioc_result sioc__sns_batch_list(sioc_str list, int failed, sioc_buf *scratch, sioc_aws_batch_result *out) {
    sioc_xml_iter it;
    sioc_xml_elem el;
    sioc_result r = sioc_xml_iter_init(&it, list, "member");
    if (r != SIOC_OK) return r;
    while (sioc_xml_iter_next(&it, &el)) {
        sioc_aws_batch_item *item;
        sioc_str sf;
        int k, n = 0;
        if (out->count == SIOC_AWS_MAX_BATCH) return SIOC_ERR_LIMIT;
        item = &out->items[out->count];
        memset(item, 0, sizeof *item);
        item->failed = failed;
        for (k = 0; k < 5; k++) {
            if (k && (k == 1) == failed) continue;
            r = sioc__xml_field_in(el.content, sioc__batch_names[k], scratch, k < 4 ? SIOC__BATCH_FIELD(item, k) : &sf,
                                   n++ < 2);
            if (r != SIOC_OK) return r;
        }
        if (failed) {
            item->sender_fault = sioc__is_true(sf);
            out->failed++;
        }
        out->count++;
    }
    return SIOC_OK;
}

SIOC_API sioc_result sioc_sns_parse_publish_batch(const char *xml, size_t len, sioc_buf *scratch,
                                                  sioc_aws_batch_result *out) {
    sioc_str res, list;
    sioc_result r;
    if (!xml || !out) return SIOC_ERR_ARG;
    out->count = out->failed = 0;
    r = sioc_xml_find(xml, len, "PublishBatchResponse/PublishBatchResult", &res);
    if (r != SIOC_OK) return r;
    r = sioc_xml_find_in(res, "Successful", &list);
    if (r == SIOC_OK) r = sioc__sns_batch_list(list, 0, scratch, out);
    if (r != SIOC_OK && r != SIOC_ERR_NOT_FOUND) return r;
    r = sioc_xml_find_in(res, "Failed", &list);
    if (r == SIOC_OK) r = sioc__sns_batch_list(list, 1, scratch, out);
    return r == SIOC_ERR_NOT_FOUND ? SIOC_OK : r;
}

SIOC_API sioc_result sioc_sns_parse_list_subscriptions(const char *xml, size_t len, sioc_buf *scratch,
                                                       sioc_sns_subscription *out, size_t cap, size_t *out_count,
                                                       sioc_str *out_next) {
    sioc_str res, list;
    sioc_xml_iter it;
    sioc_xml_elem el;
    size_t count = 0;
    sioc_result r;
    if (!xml || !out_count || !out_next || (cap && !out)) return SIOC_ERR_ARG;
    *out_count = 0;
    out_next->ptr = "";
    out_next->len = 0;
    r = sioc_xml_find(xml, len, "ListSubscriptionsByTopicResponse/ListSubscriptionsByTopicResult", &res);
    if (r != SIOC_OK) return r;
    r = sioc__xml_field_in(res, "NextToken", scratch, out_next, 0);
    if (r != SIOC_OK) return r;
    r = sioc_xml_find_in(res, "Subscriptions", &list);
    if (r == SIOC_ERR_NOT_FOUND) return SIOC_OK;
    if (r == SIOC_OK) r = sioc_xml_iter_init(&it, list, "member");
    if (r != SIOC_OK) return r;
    while (sioc_xml_iter_next(&it, &el)) {
        if (count < cap) {
            sioc_sns_subscription *s = &out[count];
            r = sioc__xml_field_in(el.content, "SubscriptionArn", scratch, &s->subscription_arn, 1);
            if (r == SIOC_OK) r = sioc__xml_field_in(el.content, "Owner", scratch, &s->owner, 0);
            if (r == SIOC_OK) r = sioc__xml_field_in(el.content, "Protocol", scratch, &s->protocol, 0);
            if (r == SIOC_OK) r = sioc__xml_field_in(el.content, "Endpoint", scratch, &s->endpoint, 0);
            if (r == SIOC_OK) r = sioc__xml_field_in(el.content, "TopicArn", scratch, &s->topic_arn, 0);
            if (r != SIOC_OK) return r;
        }
        count++;
    }
    *out_count = count;
    return count > cap ? SIOC_ERR_BUFFER_TOO_SMALL : SIOC_OK;
}

/* An error field into a fixed array: decoded when it fits a small stack buffer, else the raw text, cut. */
static void sioc__xml_fixed(sioc_str content, const char *path, char *dst, size_t cap) {
    sioc_str raw;
    char tmp[256];
    size_t n = 0;
    dst[0] = 0;
    if (sioc_xml_find_in(content, path, &raw) != SIOC_OK) return;
    if (sioc_xml_text(raw, tmp, sizeof tmp, &n) == SIOC_OK) {
        raw.ptr = tmp;
        raw.len = n;
    }
    sioc__copy_fixed(dst, cap, raw);
}

SIOC_API sioc_result sioc_sns_parse_error(const char *xml, size_t len, sioc_aws_error *out) {
    sioc_str root, err;
    char type[16];
    sioc_result r;
    if (!xml || !out) return SIOC_ERR_ARG;
    out->code[0] = out->message[0] = out->request_id[0] = out->legacy_code[0] = 0;
    out->sender_fault = 0;
    r = sioc_xml_find(xml, len, "ErrorResponse", &root);
    if (r != SIOC_OK) return r;
    r = sioc_xml_find_in(root, "Error", &err);
    if (r != SIOC_OK) return r;
    sioc__xml_fixed(err, "Code", out->code, sizeof out->code);
    sioc__xml_fixed(err, "Message", out->message, sizeof out->message);
    sioc__xml_fixed(err, "Type", type, sizeof type);
    sioc__xml_fixed(root, "RequestId", out->request_id, sizeof out->request_id);
    out->sender_fault = sioc__strcmp(type, "Sender") == 0;
    return out->code[0] ? SIOC_OK : SIOC_ERR_NOT_FOUND;
}

/* >>SQS replies */

/* A JSON string token as text: a view of the raw text when it has no escapes, else unescaped into scratch
   (unescaping never makes text longer). */
static sioc_result sioc__jstr(const sioc_json *d, int tok, sioc_buf *scratch, sioc_str *out) {
    size_t start, n = 0;
    char *p;
    sioc_str raw;
    sioc_result r;
    if (tok < 0) return SIOC_ERR_NOT_FOUND;
    if (sioc_json_type_of(d, tok) != SIOC_JSON_STRING) return SIOC_ERR_TYPE;
    raw = sioc_json_raw(d, tok);
    if (!d->toks[tok].escaped) {
        *out = raw;
        return SIOC_OK;
    }
    start = scratch ? scratch->len : 0;
    p = (char *)sioc_buf_reserve(scratch, raw.len + 1);
    if (!p) return SIOC_ERR_BUFFER_TOO_SMALL;
    r = sioc_json_get_str(d, tok, p, raw.len + 1, &n);
    if (r != SIOC_OK) {
        scratch->len = start;
        return r;
    }
    scratch->len = start + n + 1;
    out->ptr = p;
    out->len = n;
    return SIOC_OK;
}

/* An optional string member: absent gives the empty view. */
static sioc_result sioc__jopt(const sioc_json *d, int obj, const char *key, sioc_buf *scratch, sioc_str *out) {
    int t = sioc_json_find(d, obj, key);
    out->ptr = "";
    out->len = 0;
    return t < 0 ? SIOC_OK : sioc__jstr(d, t, scratch, out);
}

static sioc_result sioc__jroot(const sioc_json *d) {
    if (!d || d->count == 0) return SIOC_ERR_ARG;
    return sioc_json_type_of(d, 0) == SIOC_JSON_OBJECT ? SIOC_OK : SIOC_ERR_TYPE;
}

SIOC_API sioc_result sioc_sqs_parse_create_queue(const sioc_json *d, sioc_buf *scratch, sioc_str *out) {
    sioc_result r = sioc__jroot(d);
    if (r != SIOC_OK) return r;
    return sioc__jstr(d, sioc_json_find(d, 0, "QueueUrl"), scratch, out);
}

SIOC_API sioc_result sioc_sqs_parse_queue_attribute(const sioc_json *d, const char *name, sioc_buf *scratch,
                                                    sioc_str *out) {
    int attrs;
    sioc_result r = sioc__jroot(d);
    if (r != SIOC_OK) return r;
    if (!name) return SIOC_ERR_ARG;
    attrs = sioc_json_find(d, 0, "Attributes");
    if (attrs >= 0 && sioc_json_type_of(d, attrs) != SIOC_JSON_OBJECT) return SIOC_ERR_TYPE;
    return sioc__jstr(d, sioc_json_find(d, attrs, name), scratch, out);
}

/* DataType "String", "Number", "Binary", each optionally followed by ".<custom label>". */
static int sioc__data_type(sioc_str t, sioc_aws_attr_type *out) {
    static const char *const names[3] = {"String", "Binary", "Number"};
    int i;
    for (i = 0; i < 3; i++) {
        if (t.len >= 6 && memcmp(t.ptr, names[i], 6) == 0 && (t.len == 6 || t.ptr[6] == '.')) {
            *out = (sioc_aws_attr_type)i;
            return 1;
        }
    }
    return 0;
}

static sioc_result sioc__sqs_attr(const sioc_json *d, int key, sioc_buf *scratch, sioc_aws_attr *a) {
    int obj = key + 1; /* an object member's value follows its key */
    sioc_str type, v;
    sioc_result r = sioc__jstr(d, key, scratch, &a->name);
    if (r != SIOC_OK) return r;
    if (sioc_json_type_of(d, obj) != SIOC_JSON_OBJECT) return SIOC_ERR_TYPE;
    r = sioc__jstr(d, sioc_json_find(d, obj, "DataType"), scratch, &type);
    if (r != SIOC_OK) return r;
    if (!sioc__data_type(type, &a->type)) return SIOC_ERR_PARSE;
    if (a->type == SIOC_AWS_ATTR_BINARY) {
        /* the text as a view of the reply, or unescaped into scratch ("\/" is common) and decoded there in place:
           either way a scratch as large as the reply stays enough */
        int t = sioc_json_find(d, obj, "BinaryValue");
        size_t start = scratch ? scratch->len : 0, n = 0, cap;
        uint8_t *p;
        r = sioc__jstr(d, t, scratch, &v);
        if (r != SIOC_OK) return r;
        if (d->toks[t].escaped) {
            p = scratch->data + start; /* where sioc__jstr unescaped it */
            cap = v.len;
        } else {
            cap = v.len / 4 * 3 + 1;
            p = (uint8_t *)sioc_buf_reserve(scratch, cap);
            if (!p) return SIOC_ERR_BUFFER_TOO_SMALL;
        }
        r = v.len ? sioc_base64_decode(v.ptr, v.len, p, cap, &n) : SIOC_OK;
        if (r != SIOC_OK) {
            scratch->len = start;
            return r == SIOC_ERR_BUFFER_TOO_SMALL ? r : SIOC_ERR_PARSE;
        }
        scratch->len = start + n;
        a->value.ptr = p;
        a->value.len = n;
    } else {
        r = sioc__jstr(d, sioc_json_find(d, obj, "StringValue"), scratch, &v);
        if (r != SIOC_OK) return r;
        a->value.ptr = (const uint8_t *)v.ptr;
        a->value.len = v.len;
    }
    return SIOC_OK;
}

SIOC_API sioc_result sioc_sqs_parse_message(const sioc_json *d, int m, sioc_buf *scratch, sioc_sqs_message *out) {
    static const char names[] = "MessageId\0ReceiptHandle\0Body\0MD5OfBody\0MD5OfMessageAttributes";
    static const uint8_t off[5] = {offsetof(sioc_sqs_message, message_id), offsetof(sioc_sqs_message, receipt_handle),
                                   offsetof(sioc_sqs_message, body), offsetof(sioc_sqs_message, md5_of_body),
                                   offsetof(sioc_sqs_message, md5_of_attrs)};
    const char *name;
    int attrs, k;
    sioc_result r;
    if (!d || !out) return SIOC_ERR_ARG;
    if (sioc_json_type_of(d, m) != SIOC_JSON_OBJECT) return SIOC_ERR_TYPE;
    out->attr_count = 0;
    for (k = 0, name = names; k < 5; k++, name += strlen(name) + 1) { /* the first three are required */
        sioc_str *dst = (sioc_str *)(void *)((char *)out + off[k]);
        r = k < 3 ? sioc__jstr(d, sioc_json_find(d, m, name), scratch, dst) : sioc__jopt(d, m, name, scratch, dst);
        if (r != SIOC_OK) return r;
    }
    attrs = sioc_json_find(d, m, "MessageAttributes");
    if (attrs < 0) return SIOC_OK;
    if (sioc_json_type_of(d, attrs) != SIOC_JSON_OBJECT) return SIOC_ERR_TYPE;
    for (k = sioc_json_first(d, attrs); k >= 0; k = sioc_json_next(d, k)) {
        if (out->attr_count == SIOC_AWS_MAX_ATTRS) return SIOC_ERR_LIMIT;
        r = sioc__sqs_attr(d, k, scratch, &out->attrs[out->attr_count]);
        if (r != SIOC_OK) return r;
        out->attr_count++;
    }
    return SIOC_OK;
}

SIOC_API sioc_result sioc_sqs_parse_receive_message(const sioc_json *d, sioc_buf *scratch, sioc_sqs_message *out,
                                                    size_t cap, size_t *out_count) {
    int msgs, m;
    size_t count = 0;
    sioc_result r = sioc__jroot(d);
    if (!out_count || (cap && !out)) return SIOC_ERR_ARG;
    *out_count = 0;
    if (r != SIOC_OK) return r;
    msgs = sioc_json_find(d, 0, "Messages");
    if (msgs < 0) return SIOC_OK; /* an empty long poll answers {} */
    if (sioc_json_type_of(d, msgs) != SIOC_JSON_ARRAY) return SIOC_ERR_TYPE;
    *out_count = sioc_json_count(d, msgs);
    if (*out_count > cap) return SIOC_ERR_BUFFER_TOO_SMALL;
    for (m = sioc_json_first(d, msgs); m >= 0; m = sioc_json_next(d, m)) {
        r = sioc_sqs_parse_message(d, m, scratch, &out[count]);
        if (r != SIOC_OK) return r;
        count++;
    }
    return SIOC_OK;
}

static sioc_result sioc__sqs_batch_list(const sioc_json *d, int arr, int failed, sioc_buf *scratch,
                                        sioc_aws_batch_result *out) {
    int e;
    if (arr < 0) return SIOC_OK;
    if (sioc_json_type_of(d, arr) != SIOC_JSON_ARRAY) return SIOC_ERR_TYPE;
    for (e = sioc_json_first(d, arr); e >= 0; e = sioc_json_next(d, e)) {
        sioc_aws_batch_item *item;
        sioc_result r;
        int k;
        if (out->count == SIOC_AWS_MAX_BATCH) return SIOC_ERR_LIMIT;
        if (sioc_json_type_of(d, e) != SIOC_JSON_OBJECT) return SIOC_ERR_TYPE;
        item = &out->items[out->count];
        memset(item, 0, sizeof *item);
        item->failed = failed;
        for (k = 0; k < (failed ? 4 : 2); k++) { /* Id (required), MessageId, and for a failure Code, Message */
            r = k ? sioc__jopt(d, e, sioc__batch_names[k], scratch, SIOC__BATCH_FIELD(item, k))
                  : sioc__jstr(d, sioc_json_find(d, e, "Id"), scratch, &item->id);
            if (r != SIOC_OK) return r;
        }
        if (failed) {
            int sf = 0;
            if (sioc_json_get_bool(d, sioc_json_find(d, e, sioc__batch_names[4]), &sf) == SIOC_OK) item->sender_fault = sf;
            out->failed++;
        }
        out->count++;
    }
    return SIOC_OK;
}

SIOC_API sioc_result sioc_sqs_parse_batch(const sioc_json *d, sioc_buf *scratch, sioc_aws_batch_result *out) {
    sioc_result r = sioc__jroot(d);
    if (!out) return SIOC_ERR_ARG;
    out->count = out->failed = 0;
    if (r != SIOC_OK) return r;
    r = sioc__sqs_batch_list(d, sioc_json_find(d, 0, "Successful"), 0, scratch, out);
    if (r != SIOC_OK) return r;
    return sioc__sqs_batch_list(d, sioc_json_find(d, 0, "Failed"), 1, scratch, out);
}

SIOC_API sioc_result sioc_sqs_parse_list_queues(const sioc_json *d, sioc_buf *scratch, sioc_str *urls, size_t cap,
                                                size_t *out_count, sioc_str *out_next) {
    int arr, u;
    size_t i = 0;
    sioc_result r = sioc__jroot(d);
    if (!out_count || !out_next || (cap && !urls)) return SIOC_ERR_ARG;
    *out_count = 0;
    out_next->ptr = "";
    out_next->len = 0;
    if (r != SIOC_OK) return r;
    r = sioc__jopt(d, 0, "NextToken", scratch, out_next);
    if (r != SIOC_OK) return r;
    arr = sioc_json_find(d, 0, "QueueUrls");
    if (arr < 0) return SIOC_OK;
    if (sioc_json_type_of(d, arr) != SIOC_JSON_ARRAY) return SIOC_ERR_TYPE;
    *out_count = sioc_json_count(d, arr);
    if (*out_count > cap) return SIOC_ERR_BUFFER_TOO_SMALL;
    for (u = sioc_json_first(d, arr); u >= 0; u = sioc_json_next(d, u)) {
        r = sioc__jstr(d, u, scratch, &urls[i++]);
        if (r != SIOC_OK) return r;
    }
    return SIOC_OK;
}

SIOC_API sioc_result sioc_sqs_parse_list_queue_tags(const sioc_json *d, sioc_buf *scratch, sioc_aws_kv *out,
                                                    size_t cap, size_t *out_count) {
    int tags, k;
    size_t i = 0;
    sioc_result r = sioc__jroot(d);
    if (!out_count || (cap && !out)) return SIOC_ERR_ARG;
    *out_count = 0;
    if (r != SIOC_OK) return r;
    tags = sioc_json_find(d, 0, "Tags");
    if (tags < 0) return SIOC_OK;
    if (sioc_json_type_of(d, tags) != SIOC_JSON_OBJECT) return SIOC_ERR_TYPE;
    *out_count = sioc_json_count(d, tags);
    if (*out_count > cap) return SIOC_ERR_BUFFER_TOO_SMALL;
    for (k = sioc_json_first(d, tags); k >= 0; k = sioc_json_next(d, k)) {
        r = sioc__jstr(d, k, scratch, &out[i].key);
        if (r == SIOC_OK) r = sioc__jstr(d, k + 1, scratch, &out[i].value);
        if (r != SIOC_OK) return r;
        i++;
    }
    return SIOC_OK;
}

/* An error member into a fixed array (escaped text unescaped through a small stack buffer). */
static void sioc__json_fixed(const sioc_json *d, int tok, char *dst, size_t cap) {
    char tmp[256];
    size_t n = 0;
    sioc_str s;
    dst[0] = 0;
    if (sioc_json_type_of(d, tok) != SIOC_JSON_STRING) return;
    s = sioc_json_raw(d, tok);
    if (sioc_json_get_str(d, tok, tmp, sizeof tmp, &n) == SIOC_OK) {
        s.ptr = tmp;
        s.len = n;
    }
    sioc__copy_fixed(dst, cap, s);
}

SIOC_API sioc_result sioc_sqs_parse_error(const char *json, size_t len, sioc_str query_error, sioc_aws_error *out) {
    sioc_json_tok toks[32];
    sioc_json d;
    sioc_result r;
    int msg;
    if (!out || (!json && len) || !sioc__str_ok(query_error)) return SIOC_ERR_ARG;
    out->code[0] = out->message[0] = out->request_id[0] = out->legacy_code[0] = 0;
    out->sender_fault = 0;
    /* x-amzn-query-error: "AWS.SimpleQueueService.NonExistentQueue;Sender" */
    if (query_error.len) {
        const char *semi = (const char *)memchr(query_error.ptr, ';', query_error.len);
        sioc_str code = query_error;
        if (semi) {
            sioc_str fault;
            code.len = (size_t)(semi - query_error.ptr);
            fault.ptr = semi + 1;
            fault.len = query_error.len - code.len - 1;
            out->sender_fault = sioc_str_eq(fault, sioc_str_c("Sender"));
        }
        sioc__copy_fixed(out->legacy_code, sizeof out->legacy_code, code);
    }
    r = sioc_json_parse(&d, json ? json : "", len, toks, SIOC__COUNT(toks));
    if (r != SIOC_OK) return r;
    if (sioc_json_type_of(&d, 0) != SIOC_JSON_OBJECT) return SIOC_ERR_TYPE;
    {
        /* "__type": "com.amazonaws.sqs#QueueDoesNotExist" (a ':' suffix, when present, is not part of it) */
        char type[128];
        const char *p = type, *q;
        sioc_str code;
        sioc__json_fixed(&d, sioc_json_find(&d, 0, "__type"), type, sizeof type);
        for (q = type; *q; q++)
            if (*q == '#') p = q + 1; /* after the last '#' */
        for (q = p; *q && *q != ':'; q++) {
        }
        code.ptr = p;
        code.len = (size_t)(q - p);
        sioc__copy_fixed(out->code, sizeof out->code, code);
    }
    msg = sioc_json_find(&d, 0, "message");
    if (msg < 0) msg = sioc_json_find(&d, 0, "Message");
    sioc__json_fixed(&d, msg, out->message, sizeof out->message);
    return out->code[0] ? SIOC_OK : SIOC_ERR_NOT_FOUND;
}

/* >>endpoints and signing */

SIOC_API sioc_result sioc_aws_endpoint_parse(const char *url, sioc_aws_endpoint *out) {
    if (!url || !out) return SIOC_ERR_ARG;
    memset(out, 0, sizeof *out);
    return sioc_http_parse_origin(url, out->host, &out->port, &out->tls); /* every call is POST / : no path */
}

/* Regions go into host names and the signing scope: [a-z0-9-] only. */
static int sioc__region_ok(const char *region) {
    size_t i, n = region ? strlen(region) : 0;
    if (n == 0 || n > 40) return 0;
    for (i = 0; i < n; i++)
        if (!((region[i] >= 'a' && region[i] <= 'z') || sioc__is_digit((unsigned char)region[i]) || region[i] == '-'))
            return 0;
    return 1;
}

SIOC_API sioc_result sioc_aws_endpoint_default(sioc_aws_service svc, const char *region, sioc_aws_endpoint *out) {
    sioc_buf b;
    if (!out || !sioc__region_ok(region)) return SIOC_ERR_ARG;
    memset(out, 0, sizeof *out);
    sioc_buf_init(&b, out->host, sizeof out->host);
    sioc_buf_puts(&b, svc == SIOC_AWS_SNS ? "sns." : "sqs.");
    sioc_buf_puts(&b, region);
    sioc_buf_puts(&b, ".amazonaws.com");
    if (sioc__starts(region, "cn-")) sioc_buf_puts(&b, ".cn");
    sioc_buf_putc(&b, 0);
    out->port = 443;
    out->tls = 1;
    return sioc_buf_result(&b);
}

SIOC_API sioc_result sioc_aws_sign(sioc_aws_signed *out, sioc_aws_service svc, const char *op,
                                   const sioc_aws_endpoint *ep, const char *region,
                                   const sioc_sigv4_credentials *creds, sioc_bytes body, int64_t unix_time,
                                   sioc_sigv4_key_cache *cache) {
    /* signed: host, content-type, [x-amz-target]; sent besides Host: content-type, [x-amz-target], x-amz-date,
       [x-amz-security-token] and authorization, no SDK bookkeeping headers (docs/AWS.md 8) */
    static const sioc_str names[6] = {{"host", 4},       {"content-type", 12},         {"x-amz-target", 12},
                                      {"x-amz-date", 10}, {"x-amz-security-token", 20}, {"authorization", 13}};
    sioc_str v[6];
    sioc_sigv4_pair sh[3];
    sioc_sigv4_params p;
    sioc_sigv4_request q;
    sioc_sigv4_result res;
    sioc_buf b;
    sioc_result r;
    size_t i, n = 0;
    int sqs = svc == SIOC_AWS_SQS;
    if (!out || !ep || !region || !creds) return SIOC_ERR_ARG;
    memset(out, 0, sizeof *out);
    memset(&p, 0, sizeof p);
    memset(&q, 0, sizeof q);
    /* the Host value exactly as the HTTP writer sends it: the port only when it is not the scheme's default */
    sioc_buf_init(&b, out->host, sizeof out->host - 1); /* the last byte stays the NUL */
    sioc_buf_puts(&b, ep->host);
    if (ep->port != (ep->tls ? 443 : 80)) {
        sioc_buf_putc(&b, ':');
        sioc_buf_put_u64(&b, ep->port);
    }
    if (sioc_buf_result(&b) != SIOC_OK) return SIOC_ERR_ARG;
    v[0].ptr = out->host, v[0].len = b.len;
    v[1] = sioc_str_c(sqs ? "application/x-amz-json-1.0" : "application/x-www-form-urlencoded");
    if (sqs) {
        sioc_buf_init(&b, out->target, sizeof out->target - 1);
        sioc_buf_puts(&b, "AmazonSQS.");
        sioc_buf_puts(&b, op ? op : "");
        if (!op || !*op || sioc_buf_result(&b) != SIOC_OK) return SIOC_ERR_ARG;
    }
    v[2] = sioc_str_c(out->target); /* empty for SNS: the action is in the body */
    for (i = 0; i < 3; i++) sh[i].name = names[i], sh[i].value = v[i];
    p.creds = *creds;
    p.region = sioc_str_c(region);
    p.service = sioc_str_c(sqs ? "sqs" : "sns");
    p.unix_time = unix_time;
    q.method = sioc_str_c("POST");
    q.path = sioc_str_c("/");
    q.headers = sh;
    q.header_count = 2 + (size_t)sqs;
    q.payload = body;
    sioc_buf_init(&b, out->authorization, sizeof out->authorization - 1);
    r = sioc_sigv4_sign(&p, &q, cache, &b, &res);
    if (r != SIOC_OK) return r;
    memcpy(out->amz_date, res.amz_date, sizeof out->amz_date);
    v[3].ptr = out->amz_date, v[3].len = 16;
    v[4] = creds->session_token;
    v[5].ptr = out->authorization, v[5].len = b.len;
    for (i = 1; i < 6; i++) {
        if (!v[i].len) continue; /* no target (SNS), no token */
        out->headers[n].name = names[i];
        out->headers[n++].value = v[i];
    }
    out->count = n;
    return SIOC_OK;
}

/* >>client */

SIOC__FN const char *sioc__svc_name(int svc) { return svc == SIOC_AWS_SNS ? "SNS" : "SQS"; }

/* The client's detail text after a failed init: which field (endpoint URLs are not secrets and are repeated). */
static sioc_result sioc__aws_init_fail(sioc_aws_client *c, sioc_result r, const char *a, const char *b2,
                                       const char *c2) {
    sioc__detail_set(c->detail, sizeof c->detail, a, b2, c2);
    return r;
}

/* The services a client talks to: a publish-only build (SIOC_ENABLE_RECEIVE 0) refuses SQS calls, so it neither
   parses nor registers sqs_endpoint (a plain-HTTP SNS endpoint then needs no TLS for the unused default). */
#define SIOC__AWS_SERVICES (SIOC_ENABLE_RECEIVE ? 2 : 1)

SIOC_API sioc_result sioc_aws_client_init(sioc_aws_client *c, const sioc_aws_desc *desc) {
    sioc_result r;
    int i;
    if (!c || !desc) return SIOC_ERR_ARG;
    memset(c, 0, sizeof *c);
    if (!sioc__region_ok(desc->region))
        return sioc__aws_init_fail(c, SIOC_ERR_ARG, desc->region && desc->region[0] ? "region is not a region name"
                                                                                    : "region missing",
                                   " (e.g. us-east-1; AWS_REGION)", NULL);
    if (desc->credentials.access_key_id.len == 0 || desc->credentials.secret_access_key.len == 0)
        return sioc__aws_init_fail(c, SIOC_ERR_ARG, "credentials missing: ",
                                   desc->credentials.access_key_id.len == 0 ? "access key id" : "secret access key",
                                   " (AWS_ACCESS_KEY_ID, AWS_SECRET_ACCESS_KEY)");
    if (!desc->utc_now) return sioc__aws_init_fail(c, SIOC_ERR_DEPENDENCY, "aws desc: utc_now missing", NULL, NULL);
    c->p_desc = *desc;
    memcpy(c->p_region, desc->region, strlen(desc->region) + 1); /* checked: at most 40 bytes */
    c->p_desc.region = c->p_region;
    c->p_desc.sns_endpoint = c->p_desc.sqs_endpoint = NULL; /* parsed below; not kept */
    if (!c->p_desc.timeout_ms) c->p_desc.timeout_ms = 30000;
    for (i = 0; i < SIOC__AWS_SERVICES; i++) {
        const char *url = i == SIOC_AWS_SNS ? desc->sns_endpoint : desc->sqs_endpoint;
        r = url ? sioc_aws_endpoint_parse(url, &c->p_ep[i])
                : sioc_aws_endpoint_default((sioc_aws_service)i, desc->region, &c->p_ep[i]);
        if (r != SIOC_OK) {
            sioc_buf b;
            sioc__detail_start(&b, c->detail, sizeof c->detail);
            if (!SIOC_ENABLE_ERROR_STRINGS) return r; /* no text to build */
            sioc_buf_puts(&b, i == SIOC_AWS_SNS ? "sns_endpoint \"" : "sqs_endpoint \"");
            sioc_buf_put(&b, url ? url : "", url ? SIOC__MIN(strlen(url), (size_t)48) : 0);
            sioc_buf_puts(&b, r == SIOC_ERR_UNSUPPORTED ? "\": IPv6 literals are not supported"
                                                        : "\": expected http[s]://host[:port] (AWS_ENDPOINT_URL)");
            sioc__detail_end(&b);
            return r;
        }
    }
#if SIOC_ENABLE_POSIX && SIOC_TLS != SIOC_TLS_NONE
    {
        sioc_http_client_desc hd = sioc_posix_http_defaults(&desc->http); /* https without configuration */
        r = sioc_http_client_init(&c->http, &hd);
    }
#else
    r = sioc_http_client_init(&c->http, &desc->http);
#endif
    if (r != SIOC_OK) return sioc__aws_init_fail(c, r, c->http.detail, NULL, NULL);
    for (i = 0; i < SIOC__AWS_SERVICES; i++) {
        r = sioc_http_endpoint(&c->http, c->p_ep[i].host, c->p_ep[i].port, c->p_ep[i].tls, &c->p_http_ep[i]);
        if (r != SIOC_OK) {
            sioc__aws_init_fail(c, r, c->http.detail, NULL, NULL);
            sioc_http_client_free(&c->http);
            return r;
        }
    }
    return SIOC_OK;
}

SIOC_API void sioc_aws_client_free(sioc_aws_client *c) {
    if (!c) return;
    sioc_http_client_free(&c->http);
    memset(c->p_keys, 0, sizeof c->p_keys); /* derived key material */
}

SIOC_API void sioc_aws_set_credentials(sioc_aws_client *c, const sioc_sigv4_credentials *creds) {
    if (!c || !creds) return;
    c->p_desc.credentials = *creds;
    memset(c->p_keys, 0, sizeof c->p_keys);
}

static void sioc__aws_log(sioc_aws_client *c, sioc_log_level level, const sioc_aws_call *call, const char *what) {
#if SIOC_ENABLE_LOG
    char line[200];
    sioc_buf b;
    const sioc_logger *lg = &c->p_desc.http.logger;
    if (!lg->fn || level > lg->max_level) return;
    /* operation, status and the service's code only: never keys, tokens or signatures */
    sioc_buf_init(&b, line, sizeof line - 1);
    sioc_buf_puts(&b, sioc__svc_name(call->p_service));
    sioc_buf_putc(&b, ' ');
    sioc_buf_puts(&b, call->p_op);
    sioc_buf_puts(&b, ": ");
    sioc_buf_puts(&b, what);
    if (call->status) {
        sioc_buf_puts(&b, " HTTP ");
        sioc_buf_put_u64(&b, (uint64_t)call->status);
    }
    if (call->error.code[0]) {
        sioc_buf_putc(&b, ' ');
        sioc_buf_puts(&b, call->error.code);
    }
    line[SIOC__MIN(b.len, sizeof line - 1)] = 0;
    lg->fn(lg->user, level, line);
#else
    (void)c, (void)level, (void)call, (void)what;
#endif
}

static sioc_result sioc__aws_send(sioc_aws_client *c, sioc_aws_call *call, uint64_t now_ms) {
    sioc_aws_signed s;
    sioc_http_request req;
    sioc_bytes body;
    sioc_result r;
    uint32_t id = 0;
    int svc = call->p_service;
    int64_t t = c->p_desc.utc_now(c->p_desc.user) + c->clock_offset_s;
    body.ptr = (const uint8_t *)call->body_mem;
    body.len = call->p_body_len;
    r = sioc_aws_sign(&s, (sioc_aws_service)svc, call->p_op, &c->p_ep[svc], c->p_desc.region,
                      &c->p_desc.credentials, body, t, &c->p_keys[svc]);
    if (r != SIOC_OK) return r;
    memset(&req, 0, sizeof req);
    req.method = "POST";
    req.target = "/";
    req.headers = s.headers;
    req.header_count = s.count;
    req.body = call->body_mem;
    req.body_len = call->p_body_len;
    req.timeout_ms = call->p_timeout;
    req.idempotent = call->p_idempotent;
    req.tag = call;
    req.body_out = call->reply_mem;
    req.body_out_cap = call->reply_cap;
    req.body_keep_tail = call->reply_keep_tail;
    r = sioc_http_submit(&c->http, c->p_http_ep[svc], &req, now_ms, &id);
    memset(&s, 0, sizeof s);
    if (r != SIOC_OK) return r;
    sioc_http_calls_sent(&c->p_calls, &call->p_track, id);
    return SIOC_OK;
}

/* A call that a starter refused before anything was sent, in words. */
static void sioc__aws_refused(sioc_aws_call *call, int svc, const char *op, sioc_result r) {
    sioc_buf b;
    sioc__detail_start(&b, call->detail, sizeof call->detail);
    if (!SIOC_ENABLE_ERROR_STRINGS) return; /* no text to build: leave the words out of the binary */
    sioc_buf_puts(&b, sioc__svc_name(svc));
    sioc_buf_putc(&b, ' ');
    sioc_buf_puts(&b, op);
    sioc_buf_puts(&b, r == SIOC_ERR_TOO_LARGE          ? ": message over 256 KiB (SIOC_AWS_MAX_MESSAGE_SIZE)"
                      : r == SIOC_ERR_BUFFER_TOO_SMALL ? ": the request body does not fit body_cap"
                      : r == SIOC_ERR_LIMIT            ? ": too many attributes or entries, or no request slot free"
                      : r == SIOC_ERR_UNSUPPORTED      ? ": SQS is not built in (SIOC_ENABLE_RECEIVE 0)"
                                                       : ": refused: ");
    if (r != SIOC_ERR_TOO_LARGE && r != SIOC_ERR_BUFFER_TOO_SMALL && r != SIOC_ERR_LIMIT && r != SIOC_ERR_UNSUPPORTED)
        sioc_buf_puts(&b, sioc_strerror(r));
    sioc__detail_end(&b);
}

static sioc_result sioc__aws_submit(sioc_aws_client *c, sioc_aws_call *call, sioc_aws_service svc, const char *op,
                                    size_t body_len, uint64_t now_ms, uint32_t timeout_floor_ms) {
    size_t oplen;
    sioc_result r;
    if (!c || !call || !op || (svc != SIOC_AWS_SNS && svc != SIOC_AWS_SQS)) return SIOC_ERR_ARG;
    if (sioc_http_calls_busy(&call->p_track)) return SIOC_ERR_STATE;
    if (!SIOC_ENABLE_RECEIVE && svc == SIOC_AWS_SQS) { /* a publish-only build talks to SNS alone */
        sioc__aws_refused(call, svc, op, SIOC_ERR_UNSUPPORTED);
        return SIOC_ERR_UNSUPPORTED;
    }
    oplen = strlen(op);
    if (oplen == 0 || oplen >= sizeof call->p_op || body_len > call->body_cap || (body_len && !call->body_mem))
        return SIOC_ERR_ARG;
    memcpy(call->p_op, op, oplen + 1);
    call->p_service = (uint8_t)svc;
    call->p_body_len = body_len;
    /* the results, from result up to and including the first byte of detail, start out empty */
    memset((char *)call + offsetof(sioc_aws_call, result), 0,
           offsetof(sioc_aws_call, detail) + 1 - offsetof(sioc_aws_call, result));
    call->result = SIOC_AGAIN;
    /* A Publish whose connection died may have been accepted: re-sending can duplicate it (at-least-once, the
       default), not re-sending can lose it (docs/AWS.md 4). Everything else is safe to repeat. */
    call->p_idempotent = (uint8_t)!(c->p_desc.publish_at_most_once && svc == SIOC_AWS_SNS &&
                                    sioc__starts(op, "Publish"));
    call->p_timeout = SIOC__MAX(call->timeout_ms ? call->timeout_ms : c->p_desc.timeout_ms, timeout_floor_ms);
    r = sioc__aws_send(c, call, now_ms);
    if (r == SIOC_OK) c->stats.calls++;
    else sioc__aws_refused(call, svc, op, r);
    return r;
}

SIOC_API sioc_result sioc_aws_submit(sioc_aws_client *c, sioc_aws_call *call, sioc_aws_service svc, const char *op,
                                     size_t body_len, uint64_t now_ms) {
    return sioc__aws_submit(c, call, svc, op, body_len, now_ms, 0);
}

/* Wrap a body writer: write into the call's memory, then submit. */
#define SIOC__AWS_START_FLOOR(svc, op, floor_ms, WRITE)                                 \
    {                                                                                   \
        sioc_buf b_;                                                                    \
        sioc_result r_;                                                                 \
        if (!c || !call) return SIOC_ERR_ARG;                                           \
        if (sioc_http_calls_busy(&call->p_track)) return SIOC_ERR_STATE;                                        \
        sioc_buf_init(&b_, call->body_mem, call->body_cap);                             \
        r_ = WRITE;                                                                     \
        if (r_ != SIOC_OK) {                                                            \
            sioc__aws_refused(call, svc, op, r_);                                       \
            return r_;                                                                  \
        }                                                                               \
        return sioc__aws_submit(c, call, svc, op, b_.len, now_ms, floor_ms);            \
    }
#define SIOC__AWS_START(svc, op, WRITE) SIOC__AWS_START_FLOOR(svc, op, 0, WRITE)

SIOC_API sioc_result sioc_aws_sns_create_topic(sioc_aws_client *c, sioc_aws_call *call, sioc_str name,
                                               const sioc_aws_kv *tags, size_t n_tags, uint64_t now_ms) {
    SIOC__AWS_START(SIOC_AWS_SNS, "CreateTopic", sioc_sns_write_create_topic(&b_, name, tags, n_tags));
}
SIOC_API sioc_result sioc_aws_sns_subscribe(sioc_aws_client *c, sioc_aws_call *call, sioc_str topic_arn,
                                            sioc_str queue_arn, sioc_str filter_policy, uint64_t now_ms) {
    SIOC__AWS_START(SIOC_AWS_SNS, "Subscribe", sioc_sns_write_subscribe(&b_, topic_arn, queue_arn, filter_policy));
}
SIOC_API sioc_result sioc_aws_sns_publish(sioc_aws_client *c, sioc_aws_call *call, sioc_str topic_arn,
                                          sioc_str message, const sioc_aws_attr *attrs, size_t n_attrs,
                                          uint64_t now_ms) {
    SIOC__AWS_START(SIOC_AWS_SNS, "Publish", sioc_sns_write_publish(&b_, topic_arn, message, attrs, n_attrs));
}
SIOC_API sioc_result sioc_aws_sns_publish_batch(sioc_aws_client *c, sioc_aws_call *call, sioc_str topic_arn,
                                                const sioc_sns_batch_entry *entries, size_t n, uint64_t now_ms) {
    SIOC__AWS_START(SIOC_AWS_SNS, "PublishBatch", sioc_sns_write_publish_batch(&b_, topic_arn, entries, n));
}
SIOC_API sioc_result sioc_aws_sns_unsubscribe(sioc_aws_client *c, sioc_aws_call *call, sioc_str subscription_arn,
                                              uint64_t now_ms) {
    SIOC__AWS_START(SIOC_AWS_SNS, "Unsubscribe", sioc_sns_write_unsubscribe(&b_, subscription_arn));
}
SIOC_API sioc_result sioc_aws_sns_list_subscriptions_by_topic(sioc_aws_client *c, sioc_aws_call *call,
                                                              sioc_str topic_arn, sioc_str next_token,
                                                              uint64_t now_ms) {
    SIOC__AWS_START(SIOC_AWS_SNS, "ListSubscriptionsByTopic",
                    sioc_sns_write_list_subscriptions_by_topic(&b_, topic_arn, next_token));
}
SIOC_API sioc_result sioc_aws_sqs_create_queue(sioc_aws_client *c, sioc_aws_call *call, sioc_str name,
                                               const sioc_aws_kv *attrs, size_t n_attrs, const sioc_aws_kv *tags,
                                               size_t n_tags, uint64_t now_ms) {
    SIOC__AWS_START(SIOC_AWS_SQS, "CreateQueue", sioc_sqs_write_create_queue(&b_, name, attrs, n_attrs, tags, n_tags));
}
SIOC_API sioc_result sioc_aws_sqs_get_queue_attributes(sioc_aws_client *c, sioc_aws_call *call, sioc_str queue_url,
                                                       const sioc_str *names, size_t n, uint64_t now_ms) {
    SIOC__AWS_START(SIOC_AWS_SQS, "GetQueueAttributes", sioc_sqs_write_get_queue_attributes(&b_, queue_url, names, n));
}
SIOC_API sioc_result sioc_aws_sqs_set_queue_policy(sioc_aws_client *c, sioc_aws_call *call, sioc_str queue_url,
                                                   sioc_str queue_arn, sioc_str topic_arn, uint64_t now_ms) {
    SIOC__AWS_START(SIOC_AWS_SQS, "SetQueueAttributes",
                    sioc_sqs_write_set_queue_policy(&b_, queue_url, queue_arn, topic_arn));
}
SIOC_API sioc_result sioc_aws_sqs_receive_message(sioc_aws_client *c, sioc_aws_call *call, sioc_str queue_url,
                                                  int max_messages, int wait_seconds, uint64_t now_ms) {
    /* the read deadline must outlast the long poll (docs/AWS.md 2.2) */
    uint32_t floor_ms = (wait_seconds > 0 && wait_seconds <= 20) ? (uint32_t)wait_seconds * 1000u + 10000u : 0;
    SIOC__AWS_START_FLOOR(SIOC_AWS_SQS, "ReceiveMessage", floor_ms,
                          sioc_sqs_write_receive_message(&b_, queue_url, max_messages, wait_seconds));
}
SIOC_API sioc_result sioc_aws_sqs_delete_message_batch(sioc_aws_client *c, sioc_aws_call *call, sioc_str queue_url,
                                                       const sioc_sqs_delete_entry *entries, size_t n,
                                                       uint64_t now_ms) {
    SIOC__AWS_START(SIOC_AWS_SQS, "DeleteMessageBatch",
                    sioc_sqs_write_delete_message_batch(&b_, queue_url, entries, n));
}
SIOC_API sioc_result sioc_aws_sqs_delete_queue(sioc_aws_client *c, sioc_aws_call *call, sioc_str queue_url,
                                               uint64_t now_ms) {
    SIOC__AWS_START(SIOC_AWS_SQS, "DeleteQueue", sioc_sqs_write_queue_url(&b_, queue_url));
}
SIOC_API sioc_result sioc_aws_sqs_list_queues(sioc_aws_client *c, sioc_aws_call *call, sioc_str prefix,
                                              sioc_str next_token, int max_results, uint64_t now_ms) {
    SIOC__AWS_START(SIOC_AWS_SQS, "ListQueues", sioc_sqs_write_list_queues(&b_, prefix, next_token, max_results));
}
SIOC_API sioc_result sioc_aws_sqs_list_queue_tags(sioc_aws_client *c, sioc_aws_call *call, sioc_str queue_url,
                                                  uint64_t now_ms) {
    SIOC__AWS_START(SIOC_AWS_SQS, "ListQueueTags", sioc_sqs_write_queue_url(&b_, queue_url));
}
SIOC_API sioc_result sioc_aws_sqs_send_message(sioc_aws_client *c, sioc_aws_call *call, sioc_str queue_url,
                                               sioc_str body, const sioc_aws_attr *attrs, size_t n_attrs,
                                               uint64_t now_ms) {
    SIOC__AWS_START(SIOC_AWS_SQS, "SendMessage", sioc_sqs_write_send_message(&b_, queue_url, body, attrs, n_attrs));
}

/* Error codes by class (docs/AWS.md 4), each after its class byte: 1 throttled, 2 not found, 3 authentication,
   4 authentication and also what a wrong clock produces (SignatureDoesNotMatch because some endpoints report a
   stale X-Amz-Date that way; the Date comparison in sioc__aws_finish keeps a real key mismatch from a retry). */
static const char sioc__aws_codes[] =
    "\1Throttling\0\1Throttled\0\1ThrottlingException\0\1RequestThrottled\0\1TooManyRequestsException\0"
    "\1RequestLimitExceeded\0\2NotFound\0\2QueueDoesNotExist\0\2AWS.SimpleQueueService.NonExistentQueue\0"
    "\3InvalidClientTokenId\0\3IncompleteSignature\0\3AccessDenied\0\3AccessDeniedException\0"
    "\3AuthorizationError\0\3UnrecognizedClientException\0\3ExpiredToken\0\3ExpiredTokenException\0"
    "\3MissingAuthenticationToken\0\3InvalidSecurity\0\4SignatureDoesNotMatch\0\4RequestExpired\0"
    "\4RequestTimeTooSkewed\0\4InvalidSignatureException\0";

/* The classes of the error's code and legacy code, as bits (1 << class). */
static unsigned sioc__aws_code_classes(const sioc_aws_error *e) {
    const char *s;
    unsigned bits = 0;
    for (s = sioc__aws_codes; *s; s += strlen(s) + 1)
        if (sioc__strcmp(e->code, s + 1) == 0 || sioc__strcmp(e->legacy_code, s + 1) == 0) bits |= 1u << *s;
    return bits;
}

/* Error classes (docs/AWS.md 4): by error code first, whatever the status. */
static sioc_result sioc__aws_classify(const sioc_aws_error *e) {
    unsigned k = sioc__aws_code_classes(e);
    if ((k & 2u) || e->status == 429) return SIOC_ERR_THROTTLED;
    if (k & 4u) return SIOC_ERR_NOT_FOUND;
    if (e->status >= 500) return SIOC_ERR_SERVER;
    if ((k & 24u) || e->status == 401 || e->status == 403) return SIOC_ERR_AUTH;
    return SIOC_ERR_HTTP_STATUS;
}

#define SIOC__AWS_SKEW_MIN_S 60 /* smaller differences cannot explain a rejected signature (AWS allows 5 min) */

/* A failed call in words: "SQS ReceiveMessage: " and the engine's detail, or the HTTP status with the service's
   code and message (never a key or signature: the request's secrets are not in the reply). */
static void sioc__aws_detail(sioc_aws_call *call, const sioc_http_response *r) {
    sioc_buf b;
    sioc__detail_start(&b, call->detail, sizeof call->detail);
    if (!SIOC_ENABLE_ERROR_STRINGS) return; /* no text to build */
    sioc_buf_puts(&b, sioc__svc_name(call->p_service));
    sioc_buf_putc(&b, ' ');
    sioc_buf_puts(&b, call->p_op);
    sioc_buf_puts(&b, ": ");
    sioc__detail_reply(&b, r->detail, call->status, call->result, call->error.code, call->error.message);
    sioc__detail_end(&b);
}

/* One engine response for one of our calls: classify it, or re-sign and re-send it after a clock-skew error.
   Finished calls go to the client's done list (the engine's views die at its next response, so everything is
   taken out of them here). */
static void sioc__aws_finish(sioc_aws_client *c, const sioc_http_response *r, uint64_t now_ms) {
    sioc_aws_call *call = (sioc_aws_call *)r->tag;
    if (!call || !sioc_http_calls_answered(&c->p_calls, &call->p_track, r->id)) return;
    call->status = r->status;
    call->resent |= r->retried;
    if (r->retried && call->p_service == SIOC_AWS_SNS && sioc__starts(call->p_op, "Publish"))
        c->stats.publish_resends++;
    call->reply.ptr = r->body;
    call->reply.len = r->body_len;
    call->reply_tail_len = r->tail_len;
    memset(&call->error, 0, sizeof call->error);
    call->error.status = r->status;
    if (r->result != SIOC_OK) {
        call->result = r->result; /* transport failure (timeout, connect, closed, TLS) or reply over reply_cap */
    } else if (r->status >= 200 && r->status < 300) {
        call->result = SIOC_OK;
    } else {
        const char *body = (const char *)r->body;
        sioc_str date, qe;
        int64_t server_t;
        if (call->p_service == SIOC_AWS_SNS || !SIOC_ENABLE_RECEIVE) { /* publish-only: no SQS call was sent */
            (void)sioc_sns_parse_error(body, r->body_len, &call->error);
        } else {
            if (sioc_http_response_header(r, "x-amzn-query-error", &qe) != SIOC_OK) qe = sioc_str_c("");
            (void)sioc_sqs_parse_error(body, r->body_len, qe, &call->error);
        }
        call->result = sioc__aws_classify(&call->error); /* the parsers leave error.status as set above */
        /* clock skew: correct the offset from the server's Date and re-sign once (docs/AWS.md 4, 7) */
        if (SIOC_ENABLE_SKEW_CORRECTION && !call->skew_retried && (sioc__aws_code_classes(&call->error) & 16u) &&
            sioc_http_response_header(r, "date", &date) == SIOC_OK &&
            sioc_sigv4_parse_http_date(date, &server_t) == SIOC_OK) {
            int64_t local = c->p_desc.utc_now(c->p_desc.user);
            int64_t diff = server_t - (local + c->clock_offset_s);
            if (diff >= SIOC__AWS_SKEW_MIN_S || diff <= -SIOC__AWS_SKEW_MIN_S) {
                c->clock_offset_s = server_t - local;
                call->skew_retried = 1;
                c->stats.skew_retries++;
                sioc__aws_log(c, SIOC_LOG_WARN, call, "clock skew corrected, retrying");
                if (sioc__aws_send(c, call, now_ms) == SIOC_OK) return;
            }
        }
    }
    if (call->result == SIOC_OK) {
        c->stats.ok++;
        call->detail[0] = 0;
    } else {
        c->stats.errors++;
        sioc__aws_detail(call, r);
        sioc__aws_log(c, SIOC_LOG_WARN, call, sioc_strerror(call->result));
    }
    sioc_http_calls_done(&c->p_calls, &call->p_track);
}

SIOC_API sioc_result sioc_aws_next(sioc_aws_client *c, uint64_t now_ms, sioc_aws_call **out) {
    sioc_http_response r;
    sioc_http_call *k;
    if (!c || !out) return SIOC_ERR_ARG;
    *out = NULL;
    /* drain the engine completely: that also hands its last connection back to the pool, so a call submitted
       right after this one returns goes out on the next drive */
    while (sioc_http_next_response(&c->http, &r) == SIOC_OK) sioc__aws_finish(c, &r, now_ms);
    k = sioc_http_calls_pop(&c->p_calls);
    if (!k) return SIOC_AGAIN;
    *out = SIOC__CONTAINER(k, sioc_aws_call, p_track);
    return SIOC_OK;
}

SIOC_API int sioc_aws_has_finished(const sioc_aws_client *c) { return c && sioc_http_calls_pending(&c->p_calls); }

SIOC_API sioc_result sioc_aws_cancel(sioc_aws_client *c, sioc_aws_call *call) {
    if (!c || !call) return SIOC_ERR_NOT_FOUND;
    return sioc_http_calls_cancel(&c->http, &c->p_calls, &call->p_track);
}

#if SIOC_ENABLE_POSIX
#include <stdlib.h> /* getenv */

static sioc_str sioc__env(const char *name) { return sioc_str_c(getenv(name)); }

SIOC_API sioc_result sioc_aws_desc_from_env(sioc_aws_desc *desc) {
    const char *any_ep;
    if (!desc) return SIOC_ERR_ARG;
    if (!desc->region) desc->region = getenv("AWS_REGION");
    if (!desc->region || !*desc->region) desc->region = getenv("AWS_DEFAULT_REGION");
    if (desc->credentials.access_key_id.len == 0) {
        desc->credentials.access_key_id = sioc__env("AWS_ACCESS_KEY_ID");
        desc->credentials.secret_access_key = sioc__env("AWS_SECRET_ACCESS_KEY");
        desc->credentials.session_token = sioc__env("AWS_SESSION_TOKEN");
    }
    any_ep = getenv("AWS_ENDPOINT_URL");
    if (any_ep && !*any_ep) any_ep = NULL;
    if (!desc->sns_endpoint) desc->sns_endpoint = getenv("AWS_ENDPOINT_URL_SNS");
    if (!desc->sns_endpoint || !*desc->sns_endpoint) desc->sns_endpoint = any_ep;
    if (!desc->sqs_endpoint) desc->sqs_endpoint = getenv("AWS_ENDPOINT_URL_SQS");
    if (!desc->sqs_endpoint || !*desc->sqs_endpoint) desc->sqs_endpoint = any_ep;
    if (!desc->region || !*desc->region || desc->credentials.access_key_id.len == 0 ||
        desc->credentials.secret_access_key.len == 0)
        return SIOC_ERR_NOT_FOUND;
    return SIOC_OK;
}
#endif

#endif /* SIOC_ENABLE_AWS */
