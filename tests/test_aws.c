/* AWS client, offline: request bodies and request bytes against the captured SDK traffic (tests/vectors/aws/),
   every captured reply parsed (including the NotFound / QueueDoesNotExist errors), the 256 KiB size limit,
   hostile replies, endpoints, and the client driven over the HTTP engine by a scripted peer (clock-skew retry,
   error classes, allocations per request, secrets kept out of logs). fauxqs, used by test_aws_live, checks
   neither signatures nor attribute sizes: both are covered here. */
#define SIO_CLUSTER_IMPLEMENTATION
#include "sio_cluster.h"
#include "tests/harness.h"

#define T_TOPIC "arn:aws:sns:us-east-1:000000000000:socket-io"

/* ---- captures ---- */

typedef struct t_cap {
    char *text;
    const char *req_head, *req_body; /* head: request line .. last header CRLF */
    size_t req_head_len, req_body_len;
    const char *res_head, *res_body;
    size_t res_head_len, res_body_len;
    int status;
} t_cap;

static sioc_str t_hdr(const char *head, size_t len, const char *name) {
    const char *line = head, *end = head + len;
    sioc_str none = {NULL, 0};
    while (line < end) {
        const char *eol = strstr(line, "\r\n"), *colon;
        if (!eol || eol >= end) break;
        colon = (const char *)memchr(line, ':', (size_t)(eol - line));
        if (colon) {
            sioc_str n;
            n.ptr = line;
            n.len = (size_t)(colon - line);
            if (sioc__name_is(n, name)) {
                sioc_str v;
                v.ptr = colon + 1;
                while (*v.ptr == ' ') v.ptr++;
                v.len = (size_t)(eol - v.ptr);
                return v;
            }
        }
        line = eol + 2;
    }
    return none;
}

static void t_cap_load(const char *file, t_cap *c) {
    char rel[256];
    const char *p;
    sioc_str cl;
    size_t len;
    snprintf(rel, sizeof rel, "vectors/aws/%s", file);
    memset(c, 0, sizeof *c);
    c->text = sioc_t_read(rel, &len);
    p = strstr(c->text, "======== REQUEST ========\n") + 26;
    c->req_head = p;
    c->req_head_len = (size_t)(strstr(p, "\r\n\r\n") + 2 - p);
    c->req_body = c->req_head + c->req_head_len + 2;
    cl = t_hdr(c->req_head, c->req_head_len, "content-length");
    c->req_body_len = (size_t)strtoul(cl.ptr, NULL, 10);
    p = strstr(c->req_body + c->req_body_len, "======== RESPONSE ========\n\n") + 28;
    c->res_head = p;
    c->res_head_len = (size_t)(strstr(p, "\r\n\r\n") + 2 - p);
    c->res_body = c->res_head + c->res_head_len + 2;
    cl = t_hdr(c->res_head, c->res_head_len, "content-length");
    c->res_body_len = (size_t)strtoul(cl.ptr, NULL, 10);
    c->status = atoi(c->res_head + 9);
}

/* Inputs of a captured Publish from its "# decoded:" comment lines. */
typedef struct t_pub {
    char message[8];
    sioc_aws_attr attrs[4];
    size_t n;
    char names[4][16], strs[4][64];
    uint8_t bins[4][1024];
} t_pub;

static void t_pub_load(const t_cap *c, t_pub *p) {
    const char *line = c->text;
    memset(p, 0, sizeof *p);
    while ((line = strstr(line, "# decoded: ")) != NULL && line < c->req_head) {
        const char *eol = strchr(line, '\n');
        line += 11;
        if (strncmp(line, "Message (cluster message type) = ", 33) == 0) {
            sscanf(line + 33, "%7s", p->message);
        } else if (strncmp(line, "attr ", 5) == 0) {
            char name[16], type[16];
            sioc_aws_attr *a = &p->attrs[p->n];
            if (sscanf(line + 5, "%15s %15s", name, type) != 2) break;
            if (strcmp(type, "String") == 0) {
                const char *v = strstr(line, " = ") + 3;
                memcpy(p->strs[p->n], v, (size_t)(eol - v));
                strcpy(p->names[p->n], name);
                a->name = sioc_str_c(p->names[p->n]);
                a->type = SIOC_AWS_ATTR_STRING;
                a->value.ptr = (const uint8_t *)p->strs[p->n];
                a->value.len = (size_t)(eol - v);
                p->n++;
            } else if (strcmp(type, "Binary") == 0 && strstr(line, " hex ") && strstr(line, " hex ") < eol) {
                const char *h = strstr(line, " hex ") + 5;
                size_t n = 0;
                CHECK(sioc_hex_decode(h, (size_t)(eol - h), p->bins[p->n], sizeof p->bins[p->n], &n) == SIOC_OK);
                strcpy(p->names[p->n], name);
                a->name = sioc_str_c(p->names[p->n]);
                a->type = SIOC_AWS_ATTR_BINARY;
                a->value.ptr = p->bins[p->n];
                a->value.len = n;
                p->n++;
            }
        }
        line = eol;
    }
}

#define T_BODY_EQ(b, c, file)                                                                                  \
    CHECKF((b).len == (c).req_body_len && memcmp((b).data, (c).req_body, (b).len) == 0,                       \
           "%s: body differs\n--- ours\n%.*s\n--- capture\n%.*s", file, (int)(b).len, (const char *)(b).data,   \
           (int)(c).req_body_len, (c).req_body)

static uint8_t t_mem[1 << 20];

#define T_BUF_EQ(b, lit)                                                                                       \
    CHECKF((b).len == sizeof(lit) - 1 && memcmp((b).data, lit, (b).len) == 0, "got %.*s", (int)(b).len,        \
           (const char *)(b).data)

static void test_bodies_sns(void) {
    static const char *const pubs[] = {"06-sns-Publish-INITIAL_HEARTBEAT.txt", "07-sns-Publish-HEARTBEAT.txt",
                                       "08-sns-Publish-BROADCAST-binary-data.txt",
                                       "09-sns-Publish-FETCH_SOCKETS_RESPONSE-requesterUid.txt",
                                       "10-sns-Publish-SERVER_SIDE_EMIT_RESPONSE-requesterUid.txt",
                                       "11-sns-Publish-FETCH_SOCKETS-request.txt", "12-sns-Publish-ADAPTER_CLOSE.txt"};
    t_cap c;
    t_pub p;
    sioc_buf b;
    size_t i;

    t_cap_load("01-sns-CreateTopic.txt", &c);
    sioc_buf_init(&b, t_mem, sizeof t_mem);
    CHECK(sioc_sns_write_create_topic(&b, sioc_str_c("socket-io"), NULL, 0) == SIOC_OK);
    T_BODY_EQ(b, c, "01");
    free(c.text);

    t_cap_load("05-sns-Subscribe-sqs-raw.txt", &c);
    sioc_buf_init(&b, t_mem, sizeof t_mem);
    CHECK(sioc_sns_write_subscribe(&b, sioc_str_c(T_TOPIC),
                                   sioc_str_c("arn:aws:sqs:us-east-1:000000000000:socket-io-73f6c5c5cf2a57a6"),
                                   sioc_str_c("")) == SIOC_OK);
    T_BODY_EQ(b, c, "05");
    free(c.text);

    t_cap_load("19-sns-Subscribe-FilterPolicy.txt", &c);
    sioc_buf_init(&b, t_mem, sizeof t_mem);
    CHECK(sioc_sns_write_subscribe(&b, sioc_str_c(T_TOPIC),
                                   sioc_str_c("arn:aws:sqs:us-east-1:000000000000:socket-io-00112233aabbccdd"),
                                   sioc_str_c("{\"nsp\":[\"/\"]}")) == SIOC_OK);
    T_BODY_EQ(b, c, "19");
    free(c.text);

    for (i = 0; i < SIOC__COUNT(pubs); i++) {
        t_cap_load(pubs[i], &c);
        t_pub_load(&c, &p);
        CHECK(p.n >= 2);
        sioc_buf_init(&b, t_mem, sizeof t_mem);
        CHECK(sioc_sns_write_publish(&b, sioc_str_c(T_TOPIC), sioc_str_c(p.message), p.attrs, p.n) == SIOC_OK);
        T_BODY_EQ(b, c, pubs[i]);
        free(c.text);
    }

    t_cap_load("18-sns-Unsubscribe.txt", &c);
    sioc_buf_init(&b, t_mem, sizeof t_mem);
    CHECK(sioc_sns_write_unsubscribe(
              &b, sioc_str_c("arn:aws:sns:us-east-1:000000000000:socket-io:bcd534a0-9b0a-4030-8d55-2fc7d8c645f7")) ==
          SIOC_OK);
    T_BODY_EQ(b, c, "18");
    free(c.text);

    t_cap_load("25-sns-error-NotFound.txt", &c);
    sioc_buf_init(&b, t_mem, sizeof t_mem);
    CHECK(sioc_sns_write_publish(&b, sioc_str_c(T_TOPIC "-missing"), sioc_str_c("1"), NULL, 0) == SIOC_OK);
    T_BODY_EQ(b, c, "25");
    free(c.text);

    /* PublishBatch: 2 entries, data 81a16100 / 81a16101 */
    {
        static const uint8_t d0[] = {0x81, 0xa1, 0x61, 0x00}, d1[] = {0x81, 0xa1, 0x61, 0x01};
        sioc_aws_attr a0[3], a1[3];
        sioc_sns_batch_entry e[2];
        t_cap_load("20-sns-PublishBatch-binary.txt", &c);
        a0[0].name = sioc_str_c("nsp");
        a0[0].type = SIOC_AWS_ATTR_STRING;
        a0[0].value.ptr = (const uint8_t *)"/";
        a0[0].value.len = 1;
        a0[1].name = sioc_str_c("uid");
        a0[1].type = SIOC_AWS_ATTR_STRING;
        a0[1].value.ptr = (const uint8_t *)"0011223344556677";
        a0[1].value.len = 16;
        a0[2].name = sioc_str_c("data");
        a0[2].type = SIOC_AWS_ATTR_BINARY;
        a0[2].value.ptr = d0;
        a0[2].value.len = 4;
        memcpy(a1, a0, sizeof a1);
        a1[2].value.ptr = d1;
        e[0].id = sioc_str_c("e0");
        e[0].message = sioc_str_c("3");
        e[0].attrs = a0;
        e[0].n_attrs = 3;
        e[1] = e[0];
        e[1].id = sioc_str_c("e1");
        e[1].attrs = a1;
        sioc_buf_init(&b, t_mem, sizeof t_mem);
        CHECK(sioc_sns_write_publish_batch(&b, sioc_str_c(T_TOPIC), e, 2) == SIOC_OK);
        T_BODY_EQ(b, c, "20");
        free(c.text);
    }

    /* the old SDK (file 26) orders the same parameters differently: same set of fields */
    {
        char *ours[32], *theirs[32], copy_a[2048], copy_b[2048];
        size_t na = 0, nb = 0, k;
        t_cap_load("26-old-sdk-3.535-sns-Publish-BROADCAST.txt", &c);
        t_pub_load(&c, &p);
        sioc_buf_init(&b, t_mem, sizeof t_mem);
        CHECK(sioc_sns_write_publish(&b, sioc_str_c(T_TOPIC), sioc_str_c(p.message), p.attrs, p.n) == SIOC_OK);
        CHECK(b.len == c.req_body_len && b.len < sizeof copy_a);
        memcpy(copy_a, t_mem, b.len);
        copy_a[b.len] = 0;
        memcpy(copy_b, c.req_body, c.req_body_len);
        copy_b[c.req_body_len] = 0;
        for (ours[na] = strtok(copy_a, "&"); ours[na] && na < 31; ours[++na] = strtok(NULL, "&")) {
        }
        for (theirs[nb] = strtok(copy_b, "&"); theirs[nb] && nb < 31; theirs[++nb] = strtok(NULL, "&")) {
        }
        CHECK_EQ_INT(na, nb);
        for (k = 0; k < na; k++) {
            size_t j;
            int found = 0;
            for (j = 0; j < nb; j++) found |= strcmp(ours[k], theirs[j]) == 0;
            CHECKF(found, "26: field %s missing", ours[k]);
        }
        free(c.text);
    }
}

/* Keeping the failed entries of a PublishBatch body (to send them again) gives the body written for those entries
   alone, for every subset of 10 (ids kept, entries renumbered); what is not such a body is refused. */
static void test_batch_retain(void) {
    static char full[16384], want[16384];
    sioc_sns_batch_entry e[10], sub[10];
    sioc_aws_attr a[10][2];
    char ids[10][4], msgs[10][8], data[10][3];
    sioc_str keep[10];
    sioc_buf b, w;
    unsigned mask;
    size_t i, bad = 0;
    for (i = 0; i < 10; i++) {
        snprintf(ids[i], sizeof ids[i], "e%u", (unsigned)i);
        snprintf(msgs[i], sizeof msgs[i], "%u&=%c", (unsigned)i, (char)('a' + (int)i)); /* needs encoding */
        data[i][0] = (char)i, data[i][1] = (char)0xff, data[i][2] = '&';
        a[i][0].name = sioc_str_c("nsp"), a[i][0].type = SIOC_AWS_ATTR_STRING;
        a[i][0].value = sioc_bytes_n("/chat", 5);
        a[i][1].name = sioc_str_c("data"), a[i][1].type = SIOC_AWS_ATTR_BINARY;
        a[i][1].value = sioc_bytes_n(data[i], 3);
        e[i].id = sioc_str_c(ids[i]);
        e[i].message = sioc_str_c(msgs[i]);
        e[i].attrs = a[i];
        e[i].n_attrs = 1 + (i & 1);
    }
    for (mask = 0; mask < 1024; mask++) {
        size_t n = 0, len;
        sioc_result r;
        for (i = 0; i < 10; i++)
            if (mask & (1u << i)) keep[n] = e[i].id, sub[n++] = e[i];
        sioc_buf_init(&b, full, sizeof full);
        CHECK(sioc_sns_write_publish_batch(&b, sioc_str_c(T_TOPIC), e, 10) == SIOC_OK);
        len = b.len;
        r = sioc_sns_publish_batch_retain(&b, keep, n);
        if (!n) {
            bad += r != SIOC_ERR_NOT_FOUND || b.len != len;
            continue;
        }
        sioc_buf_init(&w, want, sizeof want);
        CHECK(sioc_sns_write_publish_batch(&w, sioc_str_c(T_TOPIC), sub, n) == SIOC_OK);
        if (r != SIOC_OK || b.len != w.len || memcmp(full, want, w.len) != 0) {
            if (!bad) fprintf(stderr, "retain mask %03x: %d\n%.*s\n%.*s\n", mask, r, (int)b.len, full, (int)w.len, want);
            bad++;
        }
    }
    CHECK_EQ_INT(bad, 0);
    /* the ids of an answer that names none of them keep nothing; what is not a PublishBatch body is refused */
    {
        static const char *const refused[] = {
            "Action=Publish&Version=2010-03-31&TopicArn=x&Message=y",
            "Action=PublishBatch&Version=2010-03-31&PublishBatchRequestEntries.member.0.Id=e0",
            "Action=PublishBatch&Version=2010-03-31&PublishBatchRequestEntries.member.11.Id=e0",
            "Action=PublishBatch&Version=2010-03-31&PublishBatchRequestEntries.member..Id=e0",
            "Action=PublishBatch&Version=2010-03-31&PublishBatchRequestEntries.member.1",
        };
        sioc_str other = sioc_str_c("zz");
        sioc_buf_init(&b, full, sizeof full);
        CHECK(sioc_sns_write_publish_batch(&b, sioc_str_c(T_TOPIC), e, 3) == SIOC_OK);
        CHECK(sioc_sns_publish_batch_retain(&b, &other, 1) == SIOC_ERR_NOT_FOUND);
        for (i = 0; i < sizeof refused / sizeof refused[0]; i++) {
            size_t len = strlen(refused[i]);
            memcpy(full, refused[i], len);
            sioc_buf_init(&b, full, sizeof full);
            b.len = len;
            CHECKF(sioc_sns_publish_batch_retain(&b, keep, 1) == SIOC_ERR_PROTOCOL && b.len == len, "%s", refused[i]);
        }
        CHECK(sioc_sns_publish_batch_retain(NULL, keep, 1) == SIOC_ERR_ARG);
    }
}

static void test_bodies_sqs(void) {
    static const char url_a[] = "http://sqs.us-east-1.localhost:4567/000000000000/socket-io-73f6c5c5cf2a57a6";
    static const char url_b[] = "http://sqs.us-east-1.localhost:4567/000000000000/socket-io-26dce9818a1be044";
    static const char url_c[] = "http://sqs.us-east-1.localhost:4567/000000000000/socket-io-00112233aabbccdd";
    t_cap c;
    sioc_buf b;
    sioc_str names[1];

    t_cap_load("02-sqs-CreateQueue.txt", &c);
    sioc_buf_init(&b, t_mem, sizeof t_mem);
    CHECK(sioc_sqs_write_create_queue(&b, sioc_str_c("socket-io-73f6c5c5cf2a57a6"), NULL, 0, NULL, 0) == SIOC_OK);
    T_BODY_EQ(b, c, "02");
    free(c.text);

    t_cap_load("03-sqs-GetQueueAttributes.txt", &c);
    names[0] = sioc_str_c("QueueArn");
    sioc_buf_init(&b, t_mem, sizeof t_mem);
    CHECK(sioc_sqs_write_get_queue_attributes(&b, sioc_str_c(url_a), names, 1) == SIOC_OK);
    T_BODY_EQ(b, c, "03");
    free(c.text);

    t_cap_load("04-sqs-SetQueueAttributes-Policy.txt", &c);
    sioc_buf_init(&b, t_mem, sizeof t_mem);
    CHECK(sioc_sqs_write_set_queue_policy(&b, sioc_str_c(url_a),
                                          sioc_str_c("arn:aws:sqs:us-east-1:000000000000:socket-io-73f6c5c5cf2a57a6"),
                                          sioc_str_c(T_TOPIC)) == SIOC_OK);
    T_BODY_EQ(b, c, "04");
    free(c.text);

    t_cap_load("13-sqs-ReceiveMessage-BROADCAST-String+Binary.txt", &c);
    sioc_buf_init(&b, t_mem, sizeof t_mem);
    CHECK(sioc_sqs_write_receive_message(&b, sioc_str_c(url_b), 10, 5) == SIOC_OK);
    T_BODY_EQ(b, c, "13");
    free(c.text);

    t_cap_load("24-sqs-error-QueueDoesNotExist.txt", &c);
    sioc_buf_init(&b, t_mem, sizeof t_mem);
    CHECK(sioc_sqs_write_receive_message(&b, sioc_str_c(url_c), 10, 5) == SIOC_OK);
    T_BODY_EQ(b, c, "24");
    free(c.text);

    t_cap_load("16-sqs-DeleteMessageBatch.txt", &c);
    {
        sioc_sqs_delete_entry e[2];
        e[0].id = sioc_str_c("a1d975b9-48d4-4166-9b43-f09ff08dbe41");
        e[0].receipt_handle = sioc_str_c("fef67259-c999-4f44-a853-0eab14c61290");
        e[1].id = sioc_str_c("3d81fe3d-6f2c-44d7-838f-d2dc88c9642e");
        e[1].receipt_handle = sioc_str_c("68e67f2d-b253-44cd-bccb-0678edbe93ba");
        sioc_buf_init(&b, t_mem, sizeof t_mem);
        CHECK(sioc_sqs_write_delete_message_batch(&b, sioc_str_c(url_b), e, 2) == SIOC_OK);
        T_BODY_EQ(b, c, "16");
    }
    free(c.text);

    t_cap_load("17-sqs-DeleteQueue.txt", &c);
    sioc_buf_init(&b, t_mem, sizeof t_mem);
    CHECK(sioc_sqs_write_queue_url(&b, sioc_str_c(url_b)) == SIOC_OK);
    T_BODY_EQ(b, c, "17");
    free(c.text);

    t_cap_load("21-sqs-SendMessage-binary.txt", &c);
    {
        static const uint8_t c0[] = {0xc0};
        sioc_aws_attr a[2];
        a[0].name = sioc_str_c("nsp");
        a[0].type = SIOC_AWS_ATTR_STRING;
        a[0].value.ptr = (const uint8_t *)"/";
        a[0].value.len = 1;
        a[1].name = sioc_str_c("data");
        a[1].type = SIOC_AWS_ATTR_BINARY;
        a[1].value.ptr = c0;
        a[1].value.len = 1;
        sioc_buf_init(&b, t_mem, sizeof t_mem);
        CHECK(sioc_sqs_write_send_message(&b, sioc_str_c(url_c), sioc_str_c("2"), a, 2) == SIOC_OK);
        T_BODY_EQ(b, c, "21");
    }
    free(c.text);

    /* bodies without a capture: compared with the documented shapes (docs/AWS.md 3.2) */
    {
        sioc_aws_kv attrs[1], tags[2];
        static const char want_cq[] =
            "{\"QueueName\":\"q\",\"Attributes\":{\"MessageRetentionPeriod\":\"300\"},\"tags\":{\"cluster\":"
            "\"socket-io\",\"node\":\"n\\\"1\"}}";
        static const char want_lq[] = "{\"QueueNamePrefix\":\"socket-io-\",\"NextToken\":\"t\",\"MaxResults\":100}";
        attrs[0].key = sioc_str_c("MessageRetentionPeriod");
        attrs[0].value = sioc_str_c("300");
        tags[0].key = sioc_str_c("cluster");
        tags[0].value = sioc_str_c("socket-io");
        tags[1].key = sioc_str_c("node");
        tags[1].value = sioc_str_c("n\"1");
        sioc_buf_init(&b, t_mem, sizeof t_mem);
        CHECK(sioc_sqs_write_create_queue(&b, sioc_str_c("q"), attrs, 1, tags, 2) == SIOC_OK);
        CHECK_MEM(b.data, b.len, want_cq, sizeof want_cq - 1);
        sioc_buf_init(&b, t_mem, sizeof t_mem);
        CHECK(sioc_sqs_write_list_queues(&b, sioc_str_c("socket-io-"), sioc_str_c("t"), 100) == SIOC_OK);
        CHECK_MEM(b.data, b.len, want_lq, sizeof want_lq - 1);
        sioc_buf_init(&b, t_mem, sizeof t_mem);
        CHECK(sioc_sqs_write_list_queues(&b, sioc_str_c(""), sioc_str_c(""), 0) == SIOC_OK);
        CHECK_MEM(b.data, b.len, "{}", 2);
        sioc_buf_init(&b, t_mem, sizeof t_mem);
        CHECK(sioc_sns_write_create_topic(&b, sioc_str_c("socket-io"), tags, 2) == SIOC_OK);
        T_BUF_EQ(b,
                  "Action=CreateTopic&Version=2010-03-31&Name=socket-io&Tags.member.1.Key=cluster&Tags.member.1.Value="
                  "socket-io&Tags.member.2.Key=node&Tags.member.2.Value=n%221");
        sioc_buf_init(&b, t_mem, sizeof t_mem);
        CHECK(sioc_sns_write_list_subscriptions_by_topic(&b, sioc_str_c(T_TOPIC), sioc_str_c("tok=")) == SIOC_OK);
        T_BUF_EQ(b,
                  "Action=ListSubscriptionsByTopic&Version=2010-03-31&TopicArn=arn%3Aaws%3Asns%3Aus-east-1%3A"
                  "000000000000%3Asocket-io&NextToken=tok%3D");
    }
    /* form encoding: RFC 3986 unreserved kept, everything else %XX upper-case, UTF-8 bytes, space as %20 */
    {
        static const uint8_t bin[] = {0xfb, 0xff, 0xbf}; /* base64 "+/+/" */
        sioc_aws_attr a[2];
        a[0].name = sioc_str_c("s");
        a[0].type = SIOC_AWS_ATTR_STRING;
        a[0].value.ptr = (const uint8_t *)"a b+c~\xc3\xa9*";
        a[0].value.len = 9;
        a[1].name = sioc_str_c("b");
        a[1].type = SIOC_AWS_ATTR_BINARY;
        a[1].value.ptr = bin;
        a[1].value.len = 3;
        sioc_buf_init(&b, t_mem, sizeof t_mem);
        CHECK(sioc_sns_write_publish(&b, sioc_str_c("t"), sioc_str_c("x y"), a, 2) == SIOC_OK);
        T_BUF_EQ(b,
                  "Action=Publish&Version=2010-03-31&Message=x%20y&TopicArn=t&MessageAttributes.entry.1.Name=s&"
                  "MessageAttributes.entry.1.Value.DataType=String&MessageAttributes.entry.1.Value.StringValue="
                  "a%20b%2Bc~%C3%A9%2A&MessageAttributes.entry.2.Name=b&MessageAttributes.entry.2.Value.DataType="
                  "Binary&MessageAttributes.entry.2.Value.BinaryValue=%2B%2F%2B%2F");
    }
}

/* Whole requests: what goes on the wire (head from the HTTP writer + our headers + body) has the capture's
   method, path, Host and body, and AWS's header set instead of the SDK's. */
static void test_request_bytes(void) {
    static const struct {
        const char *file;
        int sqs;
        const char *op;
    } cases[] = {{"01-sns-CreateTopic.txt", 0, NULL},
                 {"02-sqs-CreateQueue.txt", 1, "CreateQueue"},
                 {"03-sqs-GetQueueAttributes.txt", 1, "GetQueueAttributes"},
                 {"04-sqs-SetQueueAttributes-Policy.txt", 1, "SetQueueAttributes"},
                 {"08-sns-Publish-BROADCAST-binary-data.txt", 0, NULL},
                 {"13-sqs-ReceiveMessage-BROADCAST-String+Binary.txt", 1, "ReceiveMessage"},
                 {"16-sqs-DeleteMessageBatch.txt", 1, "DeleteMessageBatch"},
                 {"18-sns-Unsubscribe.txt", 0, NULL}};
    size_t i;
    sioc_aws_endpoint ep;
    sioc_sigv4_credentials creds;
    CHECK(sioc_aws_endpoint_parse("http://127.0.0.1:4567", &ep) == SIOC_OK);
    memset(&creds, 0, sizeof creds);
    creds.access_key_id = sioc_str_c("AKIAIOSFODNN7EXAMPLE");
    creds.secret_access_key = sioc_str_c("wJalrXUtnFEMI/K7MDENG/bPxRfiCYEXAMPLEKEY");
    for (i = 0; i < SIOC__COUNT(cases); i++) {
        t_cap c;
        sioc_aws_signed s;
        sioc_http_request req;
        sioc_bytes body;
        sioc_buf b;
        sioc_str date, v;
        char amz[17], head[2048], want[512];
        sioc_sigv4_params p;
        sioc_sigv4_request q;
        sioc_sigv4_pair sh[3];
        sioc_sigv4_result res;
        sioc_buf ab;
        t_cap_load(cases[i].file, &c);
        date = t_hdr(c.req_head, c.req_head_len, "x-amz-date");
        memcpy(amz, date.ptr, 16);
        amz[16] = 0;
        body.ptr = (const uint8_t *)c.req_body;
        body.len = c.req_body_len;
        {
            /* sign at the capture's own time */
            int64_t t = 0;
            unsigned y, mo, d, hh, mi, ss;
            sscanf(amz, "%4u%2u%2uT%2u%2u%2uZ", &y, &mo, &d, &hh, &mi, &ss);
            t = sioc__days_from_civil(y, mo, d) * 86400 + hh * 3600 + mi * 60 + ss;
            CHECK(sioc_aws_sign(&s, cases[i].sqs ? SIOC_AWS_SQS : SIOC_AWS_SNS, cases[i].op, &ep, "us-east-1",
                                &creds, body, t, NULL) == SIOC_OK);
            CHECK(strcmp(s.amz_date, amz) == 0);
            /* an independent signature over the same header set, straight from the sigv4 layer */
            memset(&p, 0, sizeof p);
            p.creds = creds;
            p.region = sioc_str_c("us-east-1");
            p.service = sioc_str_c(cases[i].sqs ? "sqs" : "sns");
            p.unix_time = t;
            sh[0].name = sioc_str_c("Host");
            sh[0].value = t_hdr(c.req_head, c.req_head_len, "host");
            sh[1].name = sioc_str_c("Content-Type");
            sh[1].value = t_hdr(c.req_head, c.req_head_len, "content-type");
            sh[2].name = sioc_str_c("X-Amz-Target");
            sh[2].value = t_hdr(c.req_head, c.req_head_len, "x-amz-target");
            memset(&q, 0, sizeof q);
            q.method = sioc_str_c("POST");
            q.path = sioc_str_c("/");
            q.headers = sh;
            q.header_count = cases[i].sqs ? 3 : 2;
            q.payload = body;
            sioc_buf_init(&ab, want, sizeof want);
            CHECK(sioc_sigv4_sign(&p, &q, NULL, &ab, &res) == SIOC_OK);
            sioc_buf_putc(&ab, 0);
        }
        memset(&req, 0, sizeof req);
        req.method = "POST";
        req.target = "/";
        req.headers = s.headers;
        req.header_count = s.count;
        req.body = c.req_body;
        req.body_len = c.req_body_len;
        sioc_buf_init(&b, head, sizeof head);
        CHECK(sioc_http_write_head(&b, &req, ep.host, ep.port, ep.tls) == SIOC_OK);
        /* request line and Host as captured */
        CHECK(b.len > 16 && memcmp(head, "POST / HTTP/1.1\r\n", 17) == 0);
        v = t_hdr(head, b.len, "host");
        CHECK(v.ptr && sioc_str_eq(v, t_hdr(c.req_head, c.req_head_len, "host")));
        v = t_hdr(head, b.len, "content-type");
        CHECK(v.ptr && sioc_str_eq(v, t_hdr(c.req_head, c.req_head_len, "content-type")));
        v = t_hdr(head, b.len, "content-length");
        CHECK(v.ptr && (size_t)strtoul(v.ptr, NULL, 10) == c.req_body_len);
        v = t_hdr(head, b.len, "x-amz-date");
        CHECK(v.ptr && sioc_str_eq(v, date));
        v = t_hdr(head, b.len, "x-amz-target");
        if (cases[i].sqs)
            CHECK(v.ptr && sioc_str_eq(v, t_hdr(c.req_head, c.req_head_len, "x-amz-target")));
        else
            CHECK(v.ptr == NULL);
        /* no SDK bookkeeping headers, no token without one */
        CHECK(t_hdr(head, b.len, "amz-sdk-invocation-id").ptr == NULL);
        CHECK(t_hdr(head, b.len, "user-agent").ptr == NULL);
        CHECK(t_hdr(head, b.len, "x-amz-security-token").ptr == NULL);
        v = t_hdr(head, b.len, "authorization");
        CHECKF(v.ptr && v.len == strlen(want) && memcmp(v.ptr, want, v.len) == 0, "%s: authorization %.*s", cases[i].file,
               (int)v.len, v.ptr);
        CHECK(strstr(want, cases[i].sqs ? "SignedHeaders=content-type;host;x-amz-date;x-amz-target, "
                                        : "SignedHeaders=content-type;host;x-amz-date, ") != NULL);
        free(c.text);
    }
    /* temporary credentials: the token is sent and signed */
    {
        sioc_aws_signed s;
        sioc_bytes body;
        body.ptr = (const uint8_t *)"{}";
        body.len = 2;
        creds.session_token = sioc_str_c("FwoGZXIvYXdzEXAMPLETOKEN==");
        CHECK(sioc_aws_sign(&s, SIOC_AWS_SQS, "ListQueues", &ep, "us-east-1", &creds, body, 1795413675, NULL) ==
              SIOC_OK);
        CHECK_EQ_INT(s.count, 5);
        CHECK(sioc_str_eq(s.headers[3].name, sioc_str_c("x-amz-security-token")) &&
              sioc_str_eq(s.headers[3].value, creds.session_token));
        CHECK(strstr(s.authorization, "SignedHeaders=content-type;host;x-amz-date;x-amz-security-token;x-amz-target,"));
        /* default ports leave the Host value bare */
        CHECK(sioc_aws_endpoint_default(SIOC_AWS_SQS, "eu-west-1", &ep) == SIOC_OK);
        CHECK(sioc_aws_sign(&s, SIOC_AWS_SQS, "ListQueues", &ep, "eu-west-1", &creds, body, 1795413675, NULL) ==
              SIOC_OK);
        CHECK(strcmp(s.host, "sqs.eu-west-1.amazonaws.com") == 0);
        CHECK(sioc_aws_sign(&s, SIOC_AWS_SQS, "", &ep, "eu-west-1", &creds, body, 1795413675, NULL) == SIOC_ERR_ARG);
    }
}

/* ---- replies ---- */

static void t_json(const t_cap *c, sioc_json *d, sioc_json_tok *toks, size_t cap) {
    CHECK(sioc_json_parse(d, c->res_body, c->res_body_len, toks, cap) == SIOC_OK);
}

static int t_eq(sioc_str s, const char *want) { return sioc_str_eq(s, sioc_str_c(want)); }

static void test_parse_sns(void) {
    t_cap c;
    sioc_str v;
    char scratch[4096];
    sioc_buf sb;
    sioc_aws_batch_result br;

    t_cap_load("01-sns-CreateTopic.txt", &c);
    sioc_buf_init(&sb, scratch, sizeof scratch);
    CHECK(sioc_sns_parse_create_topic(c.res_body, c.res_body_len, &sb, &v) == SIOC_OK && t_eq(v, T_TOPIC));
    CHECK(sioc_sns_parse_publish(c.res_body, c.res_body_len, &sb, &v) == SIOC_ERR_NOT_FOUND); /* other op */
    free(c.text);

    t_cap_load("05-sns-Subscribe-sqs-raw.txt", &c);
    CHECK(sioc_sns_parse_subscribe(c.res_body, c.res_body_len, &sb, &v) == SIOC_OK &&
          t_eq(v, "arn:aws:sns:us-east-1:000000000000:socket-io:ab75236c-5116-4383-ac28-14256d6b5b3f"));
    free(c.text);

    t_cap_load("08-sns-Publish-BROADCAST-binary-data.txt", &c);
    CHECK(sioc_sns_parse_publish(c.res_body, c.res_body_len, &sb, &v) == SIOC_OK && v.len == 36);
    free(c.text);

    t_cap_load("18-sns-Unsubscribe.txt", &c);
    CHECK(sioc_sns_parse_unsubscribe(c.res_body, c.res_body_len) == SIOC_OK);
    free(c.text);

    t_cap_load("20-sns-PublishBatch-binary.txt", &c);
    CHECK(sioc_sns_parse_publish_batch(c.res_body, c.res_body_len, &sb, &br) == SIOC_OK);
    CHECK(br.count == 2 && br.failed == 0 && t_eq(br.items[0].id, "e0") && t_eq(br.items[1].id, "e1") &&
          t_eq(br.items[1].message_id, "20685779-7c35-432d-a6cc-28dd7889710c"));
    free(c.text);

    t_cap_load("25-sns-error-NotFound.txt", &c);
    {
        sioc_aws_error e;
        CHECK_EQ_INT(c.status, 404);
        CHECK(sioc_sns_parse_error(c.res_body, c.res_body_len, &e) == SIOC_OK);
        CHECK(strcmp(e.code, "NotFound") == 0 && strcmp(e.message, "Topic does not exist") == 0 && e.sender_fault == 1);
        CHECK(strcmp(e.request_id, "a1ab8a47-cfb8-48bd-91ce-fffdb9c887bc") == 0);
        CHECK(sioc_sns_parse_publish(c.res_body, c.res_body_len, &sb, &v) == SIOC_ERR_NOT_FOUND);
    }
    free(c.text);

    /* AWS-style replies not in the captures: failures in a batch, entities, list with NextToken */
    {
        static const char batch[] =
            "<PublishBatchResponse xmlns=\"http://sns.amazonaws.com/doc/2010-03-31/\"><PublishBatchResult>"
            "<Failed><member><Id>b</Id><Code>InvalidParameter</Code><Message>bad &amp; worse</Message>"
            "<SenderFault>true</SenderFault></member></Failed>"
            "<Successful><member><Id>a</Id><MessageId>m-1</MessageId></member></Successful>"
            "</PublishBatchResult></PublishBatchResponse>";
        static const char list[] =
            "<ListSubscriptionsByTopicResponse><ListSubscriptionsByTopicResult><Subscriptions>"
            "<member><TopicArn>t</TopicArn><Protocol>sqs</Protocol><SubscriptionArn>s1</SubscriptionArn>"
            "<Owner>0</Owner><Endpoint>arn:q&#x31;</Endpoint></member>"
            "<member><SubscriptionArn>s2</SubscriptionArn></member>"
            "</Subscriptions><NextToken>nt</NextToken></ListSubscriptionsByTopicResult>"
            "</ListSubscriptionsByTopicResponse>";
        sioc_sns_subscription subs[2];
        size_t n = 0;
        sioc_buf_init(&sb, scratch, sizeof scratch);
        CHECK(sioc_sns_parse_publish_batch(batch, sizeof batch - 1, &sb, &br) == SIOC_OK);
        CHECK(br.count == 2 && br.failed == 1 && br.items[0].failed == 0 && t_eq(br.items[0].message_id, "m-1") &&
              br.items[1].failed == 1 && br.items[1].sender_fault == 1 && t_eq(br.items[1].code, "InvalidParameter") &&
              t_eq(br.items[1].message, "bad & worse"));
        CHECK(sioc_sns_parse_list_subscriptions(list, sizeof list - 1, &sb, subs, 2, &n, &v) == SIOC_OK);
        CHECK(n == 2 && t_eq(v, "nt") && t_eq(subs[0].subscription_arn, "s1") && t_eq(subs[0].endpoint, "arn:q1") &&
              t_eq(subs[0].protocol, "sqs") && t_eq(subs[1].subscription_arn, "s2") && subs[1].endpoint.len == 0);
        CHECK(sioc_sns_parse_list_subscriptions(list, sizeof list - 1, &sb, subs, 1, &n, &v) ==
                  SIOC_ERR_BUFFER_TOO_SMALL &&
              n == 2);
        /* an entity-bearing field needs scratch; without room it says so */
        sioc_buf_init(&sb, scratch, 3);
        CHECK(sioc_sns_parse_publish_batch(batch, sizeof batch - 1, &sb, &br) == SIOC_ERR_BUFFER_TOO_SMALL);
        CHECK(sioc_sns_parse_publish_batch(batch, sizeof batch - 1, NULL, &br) == SIOC_ERR_BUFFER_TOO_SMALL);
        /* truncated or hostile XML */
        CHECK(sioc_sns_parse_publish_batch(batch, sizeof batch - 20, &sb, &br) == SIOC_ERR_PARSE);
        CHECK(sioc_sns_parse_create_topic("<!DOCTYPE x><x/>", 16, &sb, &v) == SIOC_ERR_UNSUPPORTED);
        CHECK(sioc_sns_parse_create_topic("", 0, &sb, &v) != SIOC_OK);
    }
}

static sioc_json_tok t_toks[4096];

static void t_check_receive(const char *file, size_t want_n) {
    t_cap c;
    sioc_json d;
    sioc_sqs_message m[10];
    size_t n = 99, i, k;
    char *scratch;
    sioc_buf sb;
    t_cap_load(file, &c);
    t_json(&c, &d, t_toks, SIOC__COUNT(t_toks));
    /* a scratch as large as the reply is always enough: place it tight so any overrun is caught by ASan */
    scratch = (char *)malloc(c.res_body_len);
    sioc_buf_init(&sb, scratch, c.res_body_len);
    CHECKF(sioc_sqs_parse_receive_message(&d, &sb, m, 10, &n) == SIOC_OK, "%s", file);
    CHECKF(n == want_n, "%s: %u messages", file, (unsigned)n);
    for (i = 0; i < n && i < 10; i++) {
        CHECK(m[i].message_id.len == 36 && m[i].receipt_handle.len > 0 && m[i].md5_of_body.len == 32);
        CHECK(m[i].body.len >= 1 && m[i].body.len <= 2 && sioc__is_digit((unsigned char)m[i].body.ptr[0]));
        CHECK(m[i].attr_count >= 1 && m[i].md5_of_attrs.len == 32);
        CHECK(m[i].attrs[0].type == SIOC_AWS_ATTR_STRING && m[i].attrs[0].name.len == 3 &&
              memcmp(m[i].attrs[0].name.ptr, "nsp", 3) == 0 && m[i].attrs[0].value.len == 1 &&
              m[i].attrs[0].value.ptr[0] == '/');
        for (k = 0; k < m[i].attr_count; k++) {
            const sioc_aws_attr *a = &m[i].attrs[k];
            if (a->type == SIOC_AWS_ATTR_BINARY) {
                /* re-encoding the decoded bytes gives back the reply's base64 text */
                char b64[2048];
                size_t olen = 0;
                CHECK(sioc_base64_encode(a->value.ptr, a->value.len, b64, sizeof b64, &olen) == SIOC_OK);
                CHECK(olen > 0 && strstr(c.res_body, b64) != NULL);
            }
        }
    }
    free(scratch);
    free(c.text);
}

static void test_parse_sqs(void) {
    t_cap c;
    sioc_json d;
    sioc_str v;
    char scratch[8192];
    sioc_buf sb;
    sioc_aws_batch_result br;
    sioc_sqs_message m[10];
    size_t n = 0;

    sioc_buf_init(&sb, scratch, sizeof scratch);
    t_cap_load("02-sqs-CreateQueue.txt", &c);
    t_json(&c, &d, t_toks, SIOC__COUNT(t_toks));
    CHECK(sioc_sqs_parse_create_queue(&d, &sb, &v) == SIOC_OK &&
          t_eq(v, "http://sqs.us-east-1.localhost:4567/000000000000/socket-io-73f6c5c5cf2a57a6"));
    free(c.text);

    t_cap_load("03-sqs-GetQueueAttributes.txt", &c);
    t_json(&c, &d, t_toks, SIOC__COUNT(t_toks));
    CHECK(sioc_sqs_parse_queue_attribute(&d, "QueueArn", &sb, &v) == SIOC_OK &&
          t_eq(v, "arn:aws:sqs:us-east-1:000000000000:socket-io-73f6c5c5cf2a57a6"));
    CHECK(sioc_sqs_parse_queue_attribute(&d, "Policy", &sb, &v) == SIOC_ERR_NOT_FOUND);
    free(c.text);

    t_cap_load("04-sqs-SetQueueAttributes-Policy.txt", &c);
    t_json(&c, &d, t_toks, SIOC__COUNT(t_toks));
    CHECK(c.status == 200 && c.res_body_len == 2);
    free(c.text);

    t_check_receive("13-sqs-ReceiveMessage-BROADCAST-String+Binary.txt", 1);
    t_check_receive("14-sqs-ReceiveMessage-2-responses-requesterUid.txt", 2);
    t_check_receive("15-sqs-ReceiveMessage-empty-longpoll.txt", 0);
    t_check_receive("23-sqs-ReceiveMessage-after-SendMessage.txt", 4);
    t_check_receive("27-old-sdk-3.536-sqs-ReceiveMessage.txt", 1);

    /* file 13 in detail: attributes byte-exact, Binary decoded */
    t_cap_load("13-sqs-ReceiveMessage-BROADCAST-String+Binary.txt", &c);
    t_json(&c, &d, t_toks, SIOC__COUNT(t_toks));
    sioc_buf_init(&sb, scratch, sizeof scratch);
    CHECK(sioc_sqs_parse_receive_message(&d, &sb, m, 10, &n) == SIOC_OK && n == 1);
    CHECK(t_eq(m[0].message_id, "36bb19aa-6c6a-47bd-bcd3-17a6c9137250") &&
          t_eq(m[0].receipt_handle, "286ec092-2b68-436b-a208-6e30d34d5c74") && t_eq(m[0].body, "3") &&
          t_eq(m[0].md5_of_body, "eccbc87e4b5ce2fe28308fd9f2a7baf3") &&
          t_eq(m[0].md5_of_attrs, "c1427259a1403473bcd01d8f2cef7639"));
    CHECK(m[0].attr_count == 3 && m[0].attrs[1].value.len == 16 &&
          memcmp(m[0].attrs[1].value.ptr, "edacffcfacfe18fb", 16) == 0);
    CHECK(m[0].attrs[2].type == SIOC_AWS_ATTR_BINARY && m[0].attrs[2].value.len == 77 &&
          m[0].attrs[2].value.ptr[0] == 0x82 && m[0].attrs[2].value.ptr[76] == 0x80);
    /* fewer slots than messages */
    CHECK(sioc_sqs_parse_receive_message(&d, &sb, m, 0, &n) == SIOC_ERR_BUFFER_TOO_SMALL && n == 1);
    free(c.text);

    t_cap_load("16-sqs-DeleteMessageBatch.txt", &c);
    t_json(&c, &d, t_toks, SIOC__COUNT(t_toks));
    CHECK(sioc_sqs_parse_batch(&d, &sb, &br) == SIOC_OK && br.count == 2 && br.failed == 0 &&
          t_eq(br.items[1].id, "3d81fe3d-6f2c-44d7-838f-d2dc88c9642e"));
    free(c.text);

    t_cap_load("24-sqs-error-QueueDoesNotExist.txt", &c);
    {
        sioc_aws_error e;
        CHECK_EQ_INT(c.status, 400);
        CHECK(sioc_sqs_parse_error(c.res_body, c.res_body_len, t_hdr(c.res_head, c.res_head_len, "x-amzn-query-error"),
                                   &e) == SIOC_OK);
        CHECK(strcmp(e.code, "QueueDoesNotExist") == 0 &&
              strcmp(e.message, "The specified queue does not exist.") == 0 &&
              strcmp(e.legacy_code, "AWS.SimpleQueueService.NonExistentQueue") == 0 && e.sender_fault == 1);
        e.status = c.status;
        CHECK(sioc__aws_classify(&e) == SIOC_ERR_NOT_FOUND);
    }
    free(c.text);

    /* replies not in the captures */
    {
        static const char failed[] =
            "{\"Failed\":[{\"Id\":\"x\",\"SenderFault\":true,\"Code\":\"ReceiptHandleIsInvalid\",\"Message\":\"m\\u00e9\"}],"
            "\"Successful\":[]}";
        static const char lq[] = "{\"QueueUrls\":[\"u1\",\"u\\/2\"],\"NextToken\":\"n\"}";
        static const char tags[] = "{\"Tags\":{\"cluster\":\"socket-io\",\"node\":\"a\"}}";
        static const char err2[] = "{\"__type\":\"aws.protocoltests#Throttling:http://x\",\"Message\":\"slow down\"}";
        sioc_str urls[2];
        sioc_aws_kv kv[2];
        sioc_aws_error e;
        sioc_buf_init(&sb, scratch, sizeof scratch);
        CHECK(sioc_json_parse(&d, failed, sizeof failed - 1, t_toks, SIOC__COUNT(t_toks)) == SIOC_OK);
        CHECK(sioc_sqs_parse_batch(&d, &sb, &br) == SIOC_OK && br.count == 1 && br.failed == 1 &&
              br.items[0].sender_fault == 1 && t_eq(br.items[0].code, "ReceiptHandleIsInvalid") &&
              t_eq(br.items[0].message, "m\xc3\xa9"));
        CHECK(sioc_json_parse(&d, lq, sizeof lq - 1, t_toks, SIOC__COUNT(t_toks)) == SIOC_OK);
        CHECK(sioc_sqs_parse_list_queues(&d, &sb, urls, 2, &n, &v) == SIOC_OK && n == 2 && t_eq(urls[0], "u1") &&
              t_eq(urls[1], "u/2") && t_eq(v, "n"));
        CHECK(sioc_sqs_parse_list_queues(&d, &sb, urls, 1, &n, &v) == SIOC_ERR_BUFFER_TOO_SMALL && n == 2);
        CHECK(sioc_json_parse(&d, tags, sizeof tags - 1, t_toks, SIOC__COUNT(t_toks)) == SIOC_OK);
        CHECK(sioc_sqs_parse_list_queue_tags(&d, &sb, kv, 2, &n) == SIOC_OK && n == 2 && t_eq(kv[0].key, "cluster") &&
              t_eq(kv[0].value, "socket-io") && t_eq(kv[1].value, "a"));
        CHECK(sioc_sqs_parse_error(err2, sizeof err2 - 1, sioc_str_c(""), &e) == SIOC_OK &&
              strcmp(e.code, "Throttling") == 0 && strcmp(e.message, "slow down") == 0);
        e.status = 400;
        CHECK(sioc__aws_classify(&e) == SIOC_ERR_THROTTLED);
        CHECK(sioc_sqs_parse_error("<html>", 6, sioc_str_c(""), &e) == SIOC_ERR_PARSE);
    }
    /* Binary values with JSON escapes ("\/" from some encoders, \u00XX): decoded without a second copy, and a
       scratch as large as the reply is still enough */
    {
        static const char esc[] = "{\"Messages\":[{\"MessageId\":\"a\",\"ReceiptHandle\":\"r\",\"Body\":\"b\","
                                  "\"MessageAttributes\":{\"d\":{\"DataType\":\"Binary\",\"BinaryValue\":"
                                  "\"\\/\\/\\u002B\\u002b\\/w==\"}}}]}";
        char *tight = (char *)malloc(sizeof esc - 1);
        sioc_buf_init(&sb, tight, sizeof esc - 1);
        CHECK(sioc_json_parse(&d, esc, sizeof esc - 1, t_toks, SIOC__COUNT(t_toks)) == SIOC_OK);
        CHECK(sioc_sqs_parse_receive_message(&d, &sb, m, 10, &n) == SIOC_OK && n == 1 && m[0].attr_count == 1);
        CHECK(m[0].attrs[0].value.len == 4 && memcmp(m[0].attrs[0].value.ptr, "\xff\xff\xbe\xff", 4) == 0);
        free(tight);
    }
    /* hostile and odd receive replies */
    {
        static const struct {
            const char *json;
            sioc_result want;
        } bad[] = {
            {"[]", SIOC_ERR_TYPE},
            {"{\"Messages\":{}}", SIOC_ERR_TYPE},
            {"{\"Messages\":[1]}", SIOC_ERR_TYPE},
            {"{\"Messages\":[{\"MessageId\":\"a\",\"ReceiptHandle\":\"r\"}]}", SIOC_ERR_NOT_FOUND},
            {"{\"Messages\":[{\"MessageId\":\"a\",\"ReceiptHandle\":\"r\",\"Body\":7}]}", SIOC_ERR_TYPE},
            {"{\"Messages\":[{\"MessageId\":\"a\",\"ReceiptHandle\":\"r\",\"Body\":\"b\",\"MessageAttributes\":"
             "{\"d\":{\"DataType\":\"Binary\",\"BinaryValue\":\"@@@=\"}}}]}",
             SIOC_ERR_PARSE},
            {"{\"Messages\":[{\"MessageId\":\"a\",\"ReceiptHandle\":\"r\",\"Body\":\"b\",\"MessageAttributes\":"
             "{\"d\":{\"DataType\":\"Binary\",\"BinaryValue\":\"abc\"}}}]}",
             SIOC_ERR_PARSE},
            {"{\"Messages\":[{\"MessageId\":\"a\",\"ReceiptHandle\":\"r\",\"Body\":\"b\",\"MessageAttributes\":"
             "{\"d\":{\"DataType\":\"Blob\",\"StringValue\":\"x\"}}}]}",
             SIOC_ERR_PARSE},
            {"{\"Messages\":[{\"MessageId\":\"a\",\"ReceiptHandle\":\"r\",\"Body\":\"b\",\"MessageAttributes\":"
             "{\"d\":\"x\"}}]}",
             SIOC_ERR_TYPE},
            {"{\"Messages\":[{\"MessageId\":\"a\",\"ReceiptHandle\":\"r\",\"Body\":\"b\",\"MessageAttributes\":"
             "{\"d\":{\"DataType\":\"String\"}}}]}",
             SIOC_ERR_NOT_FOUND},
        };
        size_t i;
        for (i = 0; i < SIOC__COUNT(bad); i++) {
            sioc_buf_init(&sb, scratch, sizeof scratch);
            CHECK(sioc_json_parse(&d, bad[i].json, strlen(bad[i].json), t_toks, SIOC__COUNT(t_toks)) == SIOC_OK);
            CHECKF(sioc_sqs_parse_receive_message(&d, &sb, m, 10, &n) == bad[i].want, "bad case %u", (unsigned)i);
        }
    }
    /* one by one: a bad message between two good ones fails the whole reply, not its neighbours */
    {
        static const char three[] =
            "{\"Messages\":[{\"MessageId\":\"a\",\"ReceiptHandle\":\"r1\",\"Body\":\"1\"},"
            "{\"MessageId\":\"b\",\"ReceiptHandle\":\"r2\",\"Body\":\"2\",\"MessageAttributes\":"
            "{\"data\":{\"DataType\":\"Binary\",\"BinaryValue\":\"*!*\"}}},"
            "{\"MessageId\":\"c\",\"ReceiptHandle\":\"r3\",\"Body\":\"3\",\"MessageAttributes\":"
            "{\"nsp\":{\"DataType\":\"String\",\"StringValue\":\"/\"}}}]}";
        static const sioc_result want[3] = {SIOC_OK, SIOC_ERR_PARSE, SIOC_OK};
        int el, k = 0;
        CHECK(sioc_json_parse(&d, three, strlen(three), t_toks, SIOC__COUNT(t_toks)) == SIOC_OK);
        sioc_buf_init(&sb, scratch, sizeof scratch);
        CHECK(sioc_sqs_parse_receive_message(&d, &sb, m, 10, &n) == SIOC_ERR_PARSE);
        for (el = sioc_json_first(&d, sioc_json_find(&d, 0, "Messages")); el >= 0; el = sioc_json_next(&d, el), k++) {
            sioc_buf_init(&sb, scratch, sizeof scratch);
            CHECKF(k < 3 && sioc_sqs_parse_message(&d, el, &sb, &m[0]) == want[k], "message %d", k);
        }
        CHECK(k == 3 && t_eq(m[0].message_id, "c") && t_eq(m[0].receipt_handle, "r3") && m[0].attr_count == 1 &&
              m[0].attrs[0].value.len == 1 && m[0].attrs[0].value.ptr[0] == '/');
        CHECK(sioc_sqs_parse_message(&d, 0, &sb, &m[0]) == SIOC_ERR_NOT_FOUND); /* the root has no MessageId */
        CHECK(sioc_sqs_parse_message(&d, 9999, &sb, &m[0]) == SIOC_ERR_TYPE);
        CHECK(sioc_sqs_parse_message(NULL, 1, &sb, &m[0]) == SIOC_ERR_ARG);
    }
    /* more than 10 attributes; custom DataType labels; escaped strings go through scratch */
    {
        char big[2048];
        sioc_buf jb;
        int i;
        sioc_buf_init(&jb, big, sizeof big);
        sioc_buf_puts(&jb, "{\"Messages\":[{\"MessageId\":\"a\\u0041\",\"ReceiptHandle\":\"r\",\"Body\":\"b\","
                           "\"MessageAttributes\":{");
        for (i = 0; i < 11; i++) {
            if (i) sioc_buf_putc(&jb, ',');
            sioc_buf_puts(&jb, "\"k");
            sioc_buf_put_u64(&jb, (uint64_t)i);
            sioc_buf_puts(&jb, "\":{\"DataType\":\"Number.int\",\"StringValue\":\"1\"}");
        }
        sioc_buf_puts(&jb, "}}]}");
        CHECK(sioc_json_parse(&d, big, jb.len, t_toks, SIOC__COUNT(t_toks)) == SIOC_OK);
        sioc_buf_init(&sb, scratch, sizeof scratch);
        CHECK(sioc_sqs_parse_receive_message(&d, &sb, m, 10, &n) == SIOC_ERR_LIMIT);
        /* 10 attributes is fine: cut the 11th */
        sioc_buf_init(&jb, big, sizeof big);
        sioc_buf_puts(&jb, "{\"Messages\":[{\"MessageId\":\"a\\u0041\",\"ReceiptHandle\":\"r\",\"Body\":\"b\","
                           "\"MessageAttributes\":{");
        for (i = 0; i < 10; i++) {
            if (i) sioc_buf_putc(&jb, ',');
            sioc_buf_puts(&jb, "\"k");
            sioc_buf_put_u64(&jb, (uint64_t)i);
            sioc_buf_puts(&jb, "\":{\"DataType\":\"Number.int\",\"StringValue\":\"1\"}");
        }
        sioc_buf_puts(&jb, "}}]}");
        CHECK(sioc_json_parse(&d, big, jb.len, t_toks, SIOC__COUNT(t_toks)) == SIOC_OK);
        sioc_buf_init(&sb, scratch, sizeof scratch);
        CHECK(sioc_sqs_parse_receive_message(&d, &sb, m, 10, &n) == SIOC_OK && n == 1 && m[0].attr_count == 10 &&
              m[0].attrs[9].type == SIOC_AWS_ATTR_NUMBER && t_eq(m[0].message_id, "aA") &&
              m[0].message_id.ptr >= scratch && m[0].message_id.ptr < scratch + sizeof scratch);
        sioc_buf_init(&sb, scratch, 1);
        CHECK(sioc_sqs_parse_receive_message(&d, &sb, m, 10, &n) == SIOC_ERR_BUFFER_TOO_SMALL);
    }
}

/* ---- limits and arguments ---- */

static void test_size_limit(void) {
    static uint8_t big[SIOC_AWS_MAX_MESSAGE_SIZE + 16];
    sioc_aws_attr a[11];
    sioc_buf b;
    size_t i, fixed;
    memset(big, 'x', sizeof big);
    a[0].name = sioc_str_c("nsp");
    a[0].type = SIOC_AWS_ATTR_STRING;
    a[0].value.ptr = (const uint8_t *)"/";
    a[0].value.len = 1;
    a[1].name = sioc_str_c("data");
    a[1].type = SIOC_AWS_ATTR_BINARY;
    a[1].value.ptr = big;
    /* message "3" + "nsp" "String" "/" + "data" "Binary" + value: exactly the limit is accepted */
    fixed = 1 + (3 + 6 + 1) + (4 + 6);
    a[1].value.len = SIOC_AWS_MAX_MESSAGE_SIZE - fixed;
    CHECK_EQ_INT(sioc_aws_message_size(sioc_str_c("3"), a, 2), SIOC_AWS_MAX_MESSAGE_SIZE);
    sioc_buf_init(&b, NULL, 0); /* measure only */
    CHECK(sioc_sns_write_publish(&b, sioc_str_c(T_TOPIC), sioc_str_c("3"), a, 2) == SIOC_ERR_BUFFER_TOO_SMALL);
    CHECK(b.len > SIOC_AWS_MAX_MESSAGE_SIZE);
    /* one byte more, counted in the attribute (fauxqs would accept it: it counts only the body) */
    a[1].value.len++;
    sioc_buf_init(&b, t_mem, sizeof t_mem);
    CHECK(sioc_sns_write_publish(&b, sioc_str_c(T_TOPIC), sioc_str_c("3"), a, 2) == SIOC_ERR_TOO_LARGE);
    CHECK_EQ_INT(b.len, 0); /* refused before anything was written */
    CHECK(sioc_sqs_write_send_message(&b, sioc_str_c("u"), sioc_str_c("3"), a, 2) == SIOC_ERR_TOO_LARGE);
    /* a 300 KiB binary attribute with a tiny body */
    a[1].value.len = 300 * 1024 > SIOC_AWS_MAX_MESSAGE_SIZE + 15 ? SIOC_AWS_MAX_MESSAGE_SIZE + 15 : 300 * 1024;
    CHECK(sioc_sns_write_publish(&b, sioc_str_c(T_TOPIC), sioc_str_c("3"), a, 2) == SIOC_ERR_TOO_LARGE);
    /* the message body alone */
    {
        sioc_str msg;
        msg.ptr = (const char *)big;
        msg.len = SIOC_AWS_MAX_MESSAGE_SIZE + 1;
        CHECK(sioc_sns_write_publish(&b, sioc_str_c(T_TOPIC), msg, NULL, 0) == SIOC_ERR_TOO_LARGE);
        msg.len--;
        sioc_buf_init(&b, t_mem, sizeof t_mem);
        CHECK(sioc_sns_write_publish(&b, sioc_str_c(T_TOPIC), msg, NULL, 0) == SIOC_OK);
    }
    /* batches: each entry fits, the sum does not */
    {
        sioc_sns_batch_entry e[3];
        a[1].value.len = 100 * 1024;
        for (i = 0; i < 3; i++) {
            e[i].id = sioc_str_c(i == 0 ? "a" : i == 1 ? "b" : "c");
            e[i].message = sioc_str_c("3");
            e[i].attrs = a;
            e[i].n_attrs = 2;
        }
        sioc_buf_init(&b, t_mem, sizeof t_mem);
        CHECK(sioc_sns_write_publish_batch(&b, sioc_str_c(T_TOPIC), e, 3) == SIOC_ERR_TOO_LARGE);
        CHECK(sioc_sns_write_publish_batch(&b, sioc_str_c(T_TOPIC), e, 2) == SIOC_OK);
        e[1].id = sioc_str_c("bad id!");
        CHECK(sioc_sns_write_publish_batch(&b, sioc_str_c(T_TOPIC), e, 2) == SIOC_ERR_ARG);
        CHECK(sioc_sns_write_publish_batch(&b, sioc_str_c(T_TOPIC), e, 0) == SIOC_ERR_ARG);
        CHECK(sioc_sns_write_publish_batch(&b, sioc_str_c(T_TOPIC), e, 11) == SIOC_ERR_LIMIT);
    }
    /* attribute count and shape */
    for (i = 0; i < 11; i++) {
        a[i].name = sioc_str_c("k");
        a[i].type = SIOC_AWS_ATTR_STRING;
        a[i].value.ptr = (const uint8_t *)"v";
        a[i].value.len = 1;
    }
    sioc_buf_init(&b, t_mem, sizeof t_mem);
    CHECK(sioc_sns_write_publish(&b, sioc_str_c(T_TOPIC), sioc_str_c("3"), a, 11) == SIOC_ERR_LIMIT);
    CHECK(sioc_sns_write_publish(&b, sioc_str_c(T_TOPIC), sioc_str_c("3"), a, 10) == SIOC_OK);
    a[0].name = sioc_str_c("");
    CHECK(sioc_sns_write_publish(&b, sioc_str_c(T_TOPIC), sioc_str_c("3"), a, 1) == SIOC_ERR_ARG);
    CHECK(sioc_sns_write_publish(&b, sioc_str_c(""), sioc_str_c("3"), NULL, 0) == SIOC_ERR_ARG);
    /* receive ranges, policy ARNs */
    CHECK(sioc_sqs_write_receive_message(&b, sioc_str_c("u"), 11, 5) == SIOC_ERR_RANGE);
    CHECK(sioc_sqs_write_receive_message(&b, sioc_str_c("u"), 10, 21) == SIOC_ERR_RANGE);
    CHECK(sioc_sqs_write_receive_message(&b, sioc_str_c("u"), 0, 0) == SIOC_ERR_RANGE);
    CHECK(sioc_sqs_write_set_queue_policy(&b, sioc_str_c("u"), sioc_str_c("arn\"x"), sioc_str_c("t")) == SIOC_ERR_ARG);
    /* a small output buffer reports the size needed */
    {
        char small[8];
        sioc_buf_init(&b, small, sizeof small);
        CHECK(sioc_sns_write_unsubscribe(&b, sioc_str_c("arn")) == SIOC_ERR_BUFFER_TOO_SMALL);
        CHECK_EQ_INT(b.len, strlen("Action=Unsubscribe&Version=2010-03-31&SubscriptionArn=arn"));
    }
}

static void test_endpoints(void) {
    sioc_aws_endpoint ep;
    CHECK(sioc_aws_endpoint_parse("http://127.0.0.1:4566", &ep) == SIOC_OK && strcmp(ep.host, "127.0.0.1") == 0 &&
          ep.port == 4566 && ep.tls == 0);
    CHECK(sioc_aws_endpoint_parse("https://sns.eu-west-1.amazonaws.com/", &ep) == SIOC_OK && ep.port == 443 &&
          ep.tls == 1);
    CHECK(sioc_aws_endpoint_parse("http://localhost", &ep) == SIOC_OK && ep.port == 80);
    CHECK(sioc_aws_endpoint_parse("ftp://x", &ep) == SIOC_ERR_ARG);
    CHECK(sioc_aws_endpoint_parse("http://x:0", &ep) == SIOC_ERR_ARG);
    CHECK(sioc_aws_endpoint_parse("http://x:65536", &ep) == SIOC_ERR_ARG);
    CHECK(sioc_aws_endpoint_parse("http://x:12a", &ep) == SIOC_ERR_ARG);
    CHECK(sioc_aws_endpoint_parse("http://u@x", &ep) == SIOC_ERR_ARG);
    CHECK(sioc_aws_endpoint_parse("http://x/path", &ep) == SIOC_ERR_ARG);
    CHECK(sioc_aws_endpoint_parse("http://", &ep) == SIOC_ERR_ARG);
    CHECK(sioc_aws_endpoint_parse("http://[::1]:4566", &ep) == SIOC_ERR_UNSUPPORTED);
    CHECK(sioc_aws_endpoint_default(SIOC_AWS_SNS, "us-east-1", &ep) == SIOC_OK &&
          strcmp(ep.host, "sns.us-east-1.amazonaws.com") == 0 && ep.tls && ep.port == 443);
    CHECK(sioc_aws_endpoint_default(SIOC_AWS_SQS, "cn-north-1", &ep) == SIOC_OK &&
          strcmp(ep.host, "sqs.cn-north-1.amazonaws.com.cn") == 0);
    CHECK(sioc_aws_endpoint_default(SIOC_AWS_SQS, "US-EAST-1", &ep) == SIOC_ERR_ARG);
    CHECK(sioc_aws_endpoint_default(SIOC_AWS_SQS, "", &ep) == SIOC_ERR_ARG);
}

/* ---- the client over the HTTP engine, with a scripted peer ---- */

static int64_t t_clock = 1795412875; /* 2026-11-23T05:47:55Z, the captures' time */
static int64_t t_utc_now(void *user) {
    (void)user;
    return t_clock;
}

static size_t t_allocs, t_frees;
static void *t_alloc(size_t n, void *user) {
    (void)user;
    t_allocs++;
    return malloc(n);
}
static void t_free(void *p, size_t n, void *user) {
    (void)n, (void)user;
    if (p) t_frees++;
    free(p);
}

static char t_log[8192];
static size_t t_log_len;
static void t_logger(void *user, sioc_log_level level, const char *line) {
    size_t n = strlen(line);
    (void)user, (void)level;
    if (t_log_len + n + 1 < sizeof t_log) {
        memcpy(t_log + t_log_len, line, n);
        t_log[t_log_len + n] = '\n';
        t_log_len += n + 1;
    }
}

/* Take the request the engine wants to send on its (single) connection, opening it first when asked. */
static int t_conn = -1;
static size_t t_take_request(sioc_aws_client *c, char *out, size_t cap) {
    sioc_http_io_event ev;
    const uint8_t *p;
    size_t n = 0, total = 0;
    while (sioc_http_next_io(&c->http, &ev) == SIOC_OK) {
        if (ev.type == SIOC_HTTP_IO_OPEN) {
            CHECK(strcmp(ev.host, "127.0.0.1") == 0 && ev.port == 4567 && ev.tls == 0);
            t_conn = ev.conn;
            sioc_http_conn_opened(&c->http, ev.conn, 0);
        }
    }
    for (;;) {
        sioc_http_conn_pending(&c->http, t_conn, &p, &n);
        if (n == 0) break;
        if (total + n <= cap) memcpy(out + total, p, n);
        total += n;
        sioc_http_conn_sent(&c->http, t_conn, n);
    }
    return total;
}

static void t_feed(sioc_aws_client *c, const char *resp, size_t len) {
    size_t used = 0;
    CHECK(sioc_http_conn_feed(&c->http, t_conn, resp, len, 0, &used) == SIOC_OK && used == len);
}

/* A response: the capture's, or a made-up one with a given status, Date and body. */
static size_t t_response(char *out, size_t cap, int status, const char *date, const char *ctype, const char *extra,
                         const char *body) {
    return (size_t)snprintf(out, cap,
                            "HTTP/1.1 %d X\r\ncontent-type: %s\r\n%scontent-length: %u\r\nDate: %s\r\n\r\n%s", status,
                            ctype, extra, (unsigned)strlen(body), date, body);
}

static void test_client(void) {
    static char body_mem[4096], reply_mem[8192], wire[8192], resp[4096];
    sioc_aws_client c;
    sioc_aws_desc desc;
    sioc_aws_call call, *done;
    t_cap cap06, cap24;
    t_pub pub;
    size_t n, allocs_after_init;
    sioc_str v;
    int k;

    memset(&desc, 0, sizeof desc);
    desc.region = "us-east-1";
    desc.credentials.access_key_id = sioc_str_c("AKIAIOSFODNN7EXAMPLE");
    desc.credentials.secret_access_key = sioc_str_c("wJalrXUtnFEMI/K7MDENG/bPxRfiCYEXAMPLEKEY");
    desc.sns_endpoint = "http://127.0.0.1:4567";
    desc.sqs_endpoint = "http://127.0.0.1:4567";
    desc.http.allocator.alloc = t_alloc;
    desc.http.allocator.free = t_free;
    desc.http.conns_per_endpoint = 1; /* one scripted connection */
    desc.http.logger.fn = t_logger;
    desc.http.logger.max_level = SIOC_LOG_DEBUG;
    /* required fields */
    CHECK(sioc_aws_client_init(&c, &desc) == SIOC_ERR_DEPENDENCY);
    CHECKF(strcmp(c.detail, "aws desc: utc_now missing") == 0, "%s", c.detail);
    desc.utc_now = t_utc_now;
    desc.region = NULL;
    CHECK(sioc_aws_client_init(&c, &desc) == SIOC_ERR_ARG);
    CHECKF(strcmp(c.detail, "region missing (e.g. us-east-1; AWS_REGION)") == 0, "%s", c.detail);
    desc.region = "US East";
    CHECK(sioc_aws_client_init(&c, &desc) == SIOC_ERR_ARG);
    CHECKF(strcmp(c.detail, "region is not a region name (e.g. us-east-1; AWS_REGION)") == 0, "%s", c.detail);
    desc.region = "us-east-1";
    desc.credentials.secret_access_key = sioc_str_c("");
    CHECK(sioc_aws_client_init(&c, &desc) == SIOC_ERR_ARG);
    CHECKF(strcmp(c.detail, "credentials missing: secret access key (AWS_ACCESS_KEY_ID, AWS_SECRET_ACCESS_KEY)") == 0,
           "%s", c.detail);
    desc.credentials.secret_access_key = sioc_str_c("wJalrXUtnFEMI/K7MDENG/bPxRfiCYEXAMPLEKEY");
    desc.sqs_endpoint = "tcp://x";
    CHECK(sioc_aws_client_init(&c, &desc) == SIOC_ERR_ARG);
    CHECKF(strcmp(c.detail, "sqs_endpoint \"tcp://x\": expected http[s]://host[:port] (AWS_ENDPOINT_URL)") == 0, "%s",
           c.detail);
    desc.sqs_endpoint = "http://127.0.0.1:4567";
#if SIOC_TLS == SIOC_TLS_NONE
    desc.sns_endpoint = "https://sns.eu-west-1.amazonaws.com";
    CHECK(sioc_aws_client_init(&c, &desc) == SIOC_ERR_DEPENDENCY);
    CHECKF(strcmp(c.detail, "https://sns.eu-west-1.amazonaws.com:443 needs a TLS build: -DSIOC_TLS=SIOC_TLS_MBEDTLS or "
                            "SIOC_TLS_BEARSSL") == 0, "%s", c.detail);
    CHECK(t_allocs == t_frees); /* nothing kept */
    desc.sns_endpoint = "http://127.0.0.1:4567";
#endif
    t_allocs = 0;
    CHECK(sioc_aws_client_init(&c, &desc) == SIOC_OK);
    allocs_after_init = t_allocs;

    memset(&call, 0, sizeof call);
    call.body_mem = body_mem;
    call.body_cap = sizeof body_mem;
    call.reply_mem = reply_mem;
    call.reply_cap = sizeof reply_mem;

    /* 1. a Publish: bytes on the wire, reply parsed */
    t_cap_load("06-sns-Publish-INITIAL_HEARTBEAT.txt", &cap06);
    t_pub_load(&cap06, &pub);
    CHECK(sioc_aws_sns_publish(&c, &call, sioc_str_c(T_TOPIC), sioc_str_c(pub.message), pub.attrs, pub.n, 0) ==
          SIOC_OK);
    CHECK(sioc_aws_sns_publish(&c, &call, sioc_str_c(T_TOPIC), sioc_str_c("1"), NULL, 0, 0) == SIOC_ERR_STATE);
    n = t_take_request(&c, wire, sizeof wire);
    CHECK(n > cap06.req_body_len && memcmp(wire + n - cap06.req_body_len, cap06.req_body, cap06.req_body_len) == 0);
    CHECK(memcmp(wire, "POST / HTTP/1.1\r\n", 17) == 0);
    v = t_hdr(wire, n, "x-amz-date");
    CHECK(v.ptr && v.len == 16 && memcmp(v.ptr, "20261123T054755Z", 16) == 0);
    v = t_hdr(wire, n, "host");
    CHECK(v.ptr && t_eq(v, "127.0.0.1:4567"));
    CHECK(sioc_aws_next(&c, 0, &done) == SIOC_AGAIN);
    t_feed(&c, cap06.res_head, cap06.res_head_len + 2 + cap06.res_body_len);
    CHECK(sioc_aws_next(&c, 0, &done) == SIOC_OK && done == &call);
    CHECK(call.result == SIOC_OK && call.status == 200 && call.skew_retried == 0);
    {
        sioc_str id;
        CHECK(sioc_sns_parse_publish((const char *)call.reply.ptr, call.reply.len, NULL, &id) == SIOC_OK &&
              t_eq(id, "a2b7da85-0413-4acd-a974-687bb20dcc3b"));
    }

    /* 2. steady state: many requests on the kept-alive connection allocate nothing */
    for (k = 0; k < 50; k++) {
        CHECK(sioc_aws_sns_publish(&c, &call, sioc_str_c(T_TOPIC), sioc_str_c("2"), pub.attrs, pub.n, 0) == SIOC_OK);
        (void)t_take_request(&c, wire, sizeof wire);
        t_feed(&c, cap06.res_head, cap06.res_head_len + 2 + cap06.res_body_len);
        CHECK(sioc_aws_next(&c, 0, &done) == SIOC_OK && done == &call && call.result == SIOC_OK);
    }
    CHECKF(t_allocs == allocs_after_init, "%u allocations in 50 steady-state requests",
           (unsigned)(t_allocs - allocs_after_init));

    /* 3. clock skew: our clock is 10 minutes slow; the server says so; the call is re-signed once and succeeds */
    t_clock -= 600;
    CHECK(sioc_aws_sqs_receive_message(&c, &call, sioc_str_c("http://127.0.0.1:4567/000000000000/q"), 10, 5, 0) ==
          SIOC_OK);
    n = t_take_request(&c, wire, sizeof wire);
    v = t_hdr(wire, n, "x-amz-date");
    CHECK(v.ptr && memcmp(v.ptr, "20261123T053755Z", 16) == 0);
    v = t_hdr(wire, n, "x-amz-target");
    CHECK(v.ptr && t_eq(v, "AmazonSQS.ReceiveMessage"));
    n = t_response(resp, sizeof resp, 403, "Mon, 23 Nov 2026 05:47:55 GMT", "application/x-amz-json-1.0", "",
                   "{\"__type\":\"com.amazon.coral.service#InvalidSignatureException\",\"message\":\"Signature "
                   "expired: 20261123T053755Z is now earlier than 20261123T054255Z\"}");
    t_feed(&c, resp, n);
    CHECK(sioc_aws_next(&c, 0, &done) == SIOC_AGAIN); /* not handed back: re-sent */
    CHECK_EQ_INT(c.clock_offset_s, 600);
    n = t_take_request(&c, wire, sizeof wire);
    v = t_hdr(wire, n, "x-amz-date");
    CHECK(v.ptr && memcmp(v.ptr, "20261123T054755Z", 16) == 0);
    t_cap_load("15-sqs-ReceiveMessage-empty-longpoll.txt", &cap24);
    t_feed(&c, cap24.res_head, cap24.res_head_len + 2 + cap24.res_body_len);
    free(cap24.text);
    CHECK(sioc_aws_next(&c, 0, &done) == SIOC_OK && done == &call && call.result == SIOC_OK &&
          call.skew_retried == 1 && c.stats.skew_retries == 1);
    /* the corrected offset sticks for later calls */
    CHECK(sioc_aws_sqs_delete_queue(&c, &call, sioc_str_c("u"), 0) == SIOC_OK);
    n = t_take_request(&c, wire, sizeof wire);
    v = t_hdr(wire, n, "x-amz-date");
    CHECK(v.ptr && memcmp(v.ptr, "20261123T054755Z", 16) == 0);
    n = t_response(resp, sizeof resp, 200, "Mon, 23 Nov 2026 05:47:55 GMT", "application/x-amz-json-1.0", "", "{}");
    t_feed(&c, resp, n);
    CHECK(sioc_aws_next(&c, 0, &done) == SIOC_OK && call.result == SIOC_OK);

    /* 4. skew only once per call: a second time error is reported */
    t_clock -= 900;
    CHECK(sioc_aws_sqs_delete_queue(&c, &call, sioc_str_c("u"), 0) == SIOC_OK);
    (void)t_take_request(&c, wire, sizeof wire);
    n = t_response(resp, sizeof resp, 400, "Mon, 23 Nov 2026 05:47:55 GMT", "application/x-amz-json-1.0", "",
                   "{\"__type\":\"com.amazonaws.sqs#RequestTimeTooSkewed\",\"message\":\"skewed\"}");
    t_feed(&c, resp, n);
    CHECK(sioc_aws_next(&c, 0, &done) == SIOC_AGAIN);
    (void)t_take_request(&c, wire, sizeof wire);
    t_feed(&c, resp, n); /* the server still complains */
    CHECK(sioc_aws_next(&c, 0, &done) == SIOC_OK && call.result == SIOC_ERR_AUTH && call.skew_retried == 1 &&
          strcmp(call.error.code, "RequestTimeTooSkewed") == 0);
    t_clock += 900;
    c.clock_offset_s = 600;

    /* 5. wrong keys with a correct clock: SignatureDoesNotMatch is reported, not retried */
    CHECK(sioc_aws_sns_unsubscribe(&c, &call, sioc_str_c("arn:s"), 0) == SIOC_OK);
    (void)t_take_request(&c, wire, sizeof wire);
    n = t_response(resp, sizeof resp, 403, "Mon, 23 Nov 2026 05:47:55 GMT", "text/xml", "",
                   "<ErrorResponse><Error><Type>Sender</Type><Code>SignatureDoesNotMatch</Code><Message>The request "
                   "signature we calculated does not match</Message></Error><RequestId>r</RequestId></ErrorResponse>");
    t_feed(&c, resp, n);
    CHECK(sioc_aws_next(&c, 0, &done) == SIOC_OK && call.result == SIOC_ERR_AUTH && call.skew_retried == 0 &&
          call.status == 403 && call.error.sender_fault == 1);
    CHECKF(strcmp(call.detail, "SNS Unsubscribe: HTTP 403 SignatureDoesNotMatch: The request signature we calculated "
                               "does not match") == 0, "%s", call.detail);

    /* 6. error classes from the captured errors, throttling, 5xx */
    t_cap_load("24-sqs-error-QueueDoesNotExist.txt", &cap24);
    CHECK(sioc_aws_sqs_receive_message(&c, &call, sioc_str_c("u"), 10, 0, 0) == SIOC_OK);
    (void)t_take_request(&c, wire, sizeof wire);
    t_feed(&c, cap24.res_head, cap24.res_head_len + 2 + cap24.res_body_len);
    CHECK(sioc_aws_next(&c, 0, &done) == SIOC_OK && call.result == SIOC_ERR_NOT_FOUND && call.status == 400 &&
          strcmp(call.error.code, "QueueDoesNotExist") == 0 &&
          strcmp(call.error.legacy_code, "AWS.SimpleQueueService.NonExistentQueue") == 0);
    CHECKF(strncmp(call.detail, "SQS ReceiveMessage: HTTP 400 QueueDoesNotExist: ", 48) == 0, "%s", call.detail);
    free(cap24.text);
    t_cap_load("25-sns-error-NotFound.txt", &cap24);
    CHECK(sioc_aws_sns_publish(&c, &call, sioc_str_c(T_TOPIC "-missing"), sioc_str_c("1"), NULL, 0, 0) == SIOC_OK);
    (void)t_take_request(&c, wire, sizeof wire);
    t_feed(&c, cap24.res_head, cap24.res_head_len + 2 + cap24.res_body_len);
    CHECK(sioc_aws_next(&c, 0, &done) == SIOC_OK && call.result == SIOC_ERR_NOT_FOUND && call.status == 404 &&
          strcmp(call.error.code, "NotFound") == 0);
    free(cap24.text);
    CHECK(sioc_aws_sqs_delete_queue(&c, &call, sioc_str_c("u"), 0) == SIOC_OK);
    (void)t_take_request(&c, wire, sizeof wire);
    n = t_response(resp, sizeof resp, 403, "Mon, 23 Nov 2026 05:47:55 GMT", "application/x-amz-json-1.0",
                   "x-amzn-query-error: AWS.SimpleQueueService.RequestThrottled;Sender\r\n",
                   "{\"__type\":\"com.amazonaws.sqs#RequestThrottled\",\"message\":\"slow\"}");
    t_feed(&c, resp, n);
    CHECK(sioc_aws_next(&c, 0, &done) == SIOC_OK && call.result == SIOC_ERR_THROTTLED);
    CHECK(sioc_aws_sns_publish(&c, &call, sioc_str_c(T_TOPIC), sioc_str_c("1"), NULL, 0, 0) == SIOC_OK);
    (void)t_take_request(&c, wire, sizeof wire);
    n = t_response(resp, sizeof resp, 503, "Mon, 23 Nov 2026 05:47:55 GMT", "text/html", "", "<html>busy</html>");
    t_feed(&c, resp, n);
    CHECK(sioc_aws_next(&c, 0, &done) == SIOC_OK && call.result == SIOC_ERR_SERVER && call.error.code[0] == 0);
    CHECKF(strcmp(call.detail, "SNS Publish: HTTP 503 server error (5xx)") == 0 || !SIOC_ENABLE_ERROR_STRINGS, "%s",
           call.detail);

    /* 7. a reply larger than reply_cap */
    call.reply_cap = 10;
    CHECK(sioc_aws_sns_publish(&c, &call, sioc_str_c(T_TOPIC), sioc_str_c("1"), NULL, 0, 0) == SIOC_OK);
    (void)t_take_request(&c, wire, sizeof wire);
    t_feed(&c, cap06.res_head, cap06.res_head_len + 2 + cap06.res_body_len);
    CHECK(sioc_aws_next(&c, 0, &done) == SIOC_OK && call.result == SIOC_ERR_BUFFER_TOO_SMALL);
    CHECKF(strncmp(call.detail, "SNS Publish: reply body from 127.0.0.1:4567 is ", 47) == 0 &&
               strstr(call.detail, "bytes, the buffer holds 10") != NULL, "%s", call.detail);
    call.reply_cap = sizeof reply_mem;

    /* 8. too large before sending: nothing queued */
    {
        static uint8_t big[SIOC_AWS_MAX_MESSAGE_SIZE];
        sioc_aws_attr a;
        a.name = sioc_str_c("data");
        a.type = SIOC_AWS_ATTR_BINARY;
        a.value.ptr = big;
        a.value.len = sizeof big;
        CHECK(sioc_aws_sns_publish(&c, &call, sioc_str_c(T_TOPIC), sioc_str_c("3"), &a, 1, 0) == SIOC_ERR_TOO_LARGE);
        CHECKF(strcmp(call.detail, "SNS Publish: message over 256 KiB (SIOC_AWS_MAX_MESSAGE_SIZE)") == 0, "%s",
               call.detail);
        CHECK(t_take_request(&c, wire, sizeof wire) == 0);
        /* body memory too small for a message within the limit */
        a.value.len = 5000;
        CHECK(sioc_aws_sns_publish(&c, &call, sioc_str_c(T_TOPIC), sioc_str_c("3"), &a, 1, 0) ==
              SIOC_ERR_BUFFER_TOO_SMALL);
    }

    /* 9. the connection breaks: the engine's words, after the operation */
    CHECK(sioc_aws_sqs_delete_queue(&c, &call, sioc_str_c("u"), 0) == SIOC_OK);
    (void)t_take_request(&c, wire, sizeof wire);
    t_feed(&c, "HTTP/1.1 200 OK\r\n", 17); /* half a reply: not a stale keep-alive, so no silent re-send */
    {
        int k2;
        for (k2 = 0; k2 < sioc_http_conn_count(&c.http); k2++)
            if (sioc_http_conn_wants(&c.http, k2) & SIOC_HTTP_WANT_READ) {
                sioc_http_conn_reason(&c.http, k2, "connection reset by peer");
                sioc_http_conn_failed(&c.http, k2, SIOC_ERR_CLOSED, 0);
            }
    }
    CHECK(sioc_aws_next(&c, 0, &done) == SIOC_OK && call.result == SIOC_ERR_CLOSED);
    CHECKF(strcmp(call.detail, "SQS DeleteQueue: 127.0.0.1:4567 closed the connection before the reply was complete: "
                               "connection reset by peer") == 0, "%s", call.detail);
    { /* the transport's CLOSE */
        sioc_http_io_event ev;
        while (sioc_http_next_io(&c.http, &ev) == SIOC_OK) {
        }
    }

    /* 10. cancel */
    CHECK(sioc_aws_sns_publish(&c, &call, sioc_str_c(T_TOPIC), sioc_str_c("1"), NULL, 0, 0) == SIOC_OK);
    CHECK(sioc_aws_cancel(&c, &call) == SIOC_OK);
    CHECK(sioc_aws_cancel(&c, &call) == SIOC_ERR_NOT_FOUND);

    /* secrets never logged; errors were */
    t_log[t_log_len] = 0;
    CHECK(t_log_len > 0 && strstr(t_log, "SQS ReceiveMessage") != NULL);
    CHECK(strstr(t_log, "wJalrXUtnFEMI") == NULL && strstr(t_log, "Signature=") == NULL &&
          strstr(t_log, "AKIAIOSFODNN7EXAMPLE") == NULL);
    CHECK(c.stats.calls > 50 && c.stats.errors >= 7);

    free(cap06.text);
    sioc_aws_client_free(&c);
}

int main(void) {
    RUN(test_bodies_sns);
    RUN(test_batch_retain);
    RUN(test_bodies_sqs);
    RUN(test_request_bytes);
    RUN(test_parse_sns);
    RUN(test_parse_sqs);
    RUN(test_size_limit);
    RUN(test_endpoints);
    RUN(test_client);
    return sioc_t_report("test_aws");
}
