/* XML scanner tests: every SNS reply among the captures (tests/vectors/aws), crafted cases for each feature, a
   list of malformed documents, and every input cut at every length (run under build/asan to catch over-reads). */
#define SIO_CLUSTER_IMPLEMENTATION
#include "sio_cluster.h"
#include "harness.h"

/* ---- helpers ---- */

/* Decoded text of `path` in a document, into a static-size buffer; "" plus a failed check when missing. */
static sioc_result t_get(const char *xml, size_t len, const char *path, char *out, size_t cap) {
    sioc_str raw;
    size_t n;
    sioc_result r = sioc_xml_find(xml, len, path, &raw);
    out[0] = 0;
    if (r != SIOC_OK) return r;
    return sioc_xml_text(raw, out, cap, &n);
}

static void t_expect(const char *xml, size_t len, const char *path, const char *want) {
    char got[512];
    sioc_result r = t_get(xml, len, path, got, sizeof got);
    CHECKF(r == SIOC_OK && strcmp(got, want) == 0, "%s: result %d, got \"%s\", want \"%s\"", path, (int)r, got, want);
}

static void t_expect_in(sioc_str content, const char *path, const char *want) {
    char got[512];
    size_t n = 0;
    sioc_str raw;
    sioc_result r = sioc_xml_find_in(content, path, &raw);
    got[0] = 0;
    if (r == SIOC_OK) r = sioc_xml_text(raw, got, sizeof got, &n);
    CHECKF(r == SIOC_OK && strcmp(got, want) == 0 && n == strlen(want), "%s: result %d, got \"%s\", want \"%s\"", path,
           (int)r, got, want);
}

#define t_expect_s(doc, path, want) t_expect((doc), strlen(doc), (path), (want))

/* Decode a standalone piece of content (wrapped so it is also checked as a document). */
static sioc_result t_decode(const char *content, char *out, size_t cap, size_t *n) {
    return sioc_xml_text(sioc_str_c(content), out, cap, n);
}

/* Read a document to the end; the result of the first failing step (or SIOC_OK). */
static sioc_result t_scan(const char *xml, size_t len, size_t *tokens) {
    sioc_xml_reader r;
    sioc_xml_token t;
    sioc_result res;
    size_t n = 0;
    sioc_xml_reader_init(&r, xml, len);
    do {
        res = sioc_xml_next(&r, &t);
        n++;
    } while (res == SIOC_OK && t.kind != SIOC_XML_EOF);
    if (tokens) *tokens = n;
    return res;
}

/* Body of the HTTP response in a capture file (see tests/vectors/aws/README.md): after the RESPONSE marker, the
   header block, cut by Content-Length. Returns a malloc'd exact-size copy (ASan catches over-reads). */
static char *t_capture_body(const char *file, size_t *out_len) {
    char rel[256];
    size_t flen, k, clen = 0;
    char *f, *resp, *hdr_end, *body;
    const char *cl;
    int have_cl = 0;
    snprintf(rel, sizeof rel, "vectors/aws/%s", file);
    f = sioc_t_read(rel, &flen);
    resp = strstr(f, "======== RESPONSE ========\n");
    if (!resp) {
        free(f);
        return NULL;
    }
    hdr_end = strstr(resp, "\r\n\r\n");
    if (!hdr_end) {
        free(f);
        return NULL;
    }
    /* Content-Length, case-insensitive, within the header block */
    for (cl = resp; cl < hdr_end; cl++) {
        static const char name[] = "\r\ncontent-length:";
        for (k = 0; k < sizeof name - 1 && sioc__to_lower((unsigned char)cl[k]) == name[k]; k++) {
        }
        if (k == sizeof name - 1) {
            clen = (size_t)strtoul(cl + k, NULL, 10);
            have_cl = 1;
            break;
        }
    }
    body = hdr_end + 4;
    if (!have_cl || (size_t)(f + flen - body) < clen) {
        free(f);
        return NULL;
    }
    resp = (char *)sioc_t_tight(body, clen);
    free(f);
    *out_len = clen;
    return resp;
}

/* ---- the captures ---- */

typedef struct t_field {
    const char *path;
    const char *want;
} t_field;

typedef struct t_capture {
    const char *file;
    t_field fields[3];
} t_capture;

#define T_META(op) op "Response/ResponseMetadata/RequestId"
static const t_capture t_sns[] = {
    {"01-sns-CreateTopic.txt",
     {{"CreateTopicResponse/CreateTopicResult/TopicArn", "arn:aws:sns:us-east-1:000000000000:socket-io"},
      {T_META("CreateTopic"), "5204b514-883a-4028-96ca-6b6d6f60cb71"}}},
    {"05-sns-Subscribe-sqs-raw.txt",
     {{"SubscribeResponse/SubscribeResult/SubscriptionArn",
       "arn:aws:sns:us-east-1:000000000000:socket-io:ab75236c-5116-4383-ac28-14256d6b5b3f"},
      {T_META("Subscribe"), "493767f3-93c4-4b74-b2bc-93b7186acb3c"}}},
    {"06-sns-Publish-INITIAL_HEARTBEAT.txt",
     {{"PublishResponse/PublishResult/MessageId", "a2b7da85-0413-4acd-a974-687bb20dcc3b"},
      {T_META("Publish"), "cbd659b4-5d42-4919-9139-2e36743fd5bd"}}},
    {"07-sns-Publish-HEARTBEAT.txt",
     {{"PublishResponse/PublishResult/MessageId", "7c7e1292-5654-4274-8e62-3c5234cc0c73"},
      {T_META("Publish"), "09815c63-94f5-46d0-b833-5259117c3c08"}}},
    {"08-sns-Publish-BROADCAST-binary-data.txt",
     {{"PublishResponse/PublishResult/MessageId", "55c4119d-6844-49e5-a7ff-d9b98bced30a"},
      {T_META("Publish"), "1b6fa867-a123-4966-87c2-0aa70311f048"}}},
    {"09-sns-Publish-FETCH_SOCKETS_RESPONSE-requesterUid.txt",
     {{"PublishResponse/PublishResult/MessageId", "e609efac-7e75-485e-9341-738fdee1c136"},
      {T_META("Publish"), "4ec0867d-b754-43f3-9e1b-31176bc73bd2"}}},
    {"10-sns-Publish-SERVER_SIDE_EMIT_RESPONSE-requesterUid.txt",
     {{"PublishResponse/PublishResult/MessageId", "e5c54566-6872-4e4f-9304-7f42df0bed79"},
      {T_META("Publish"), "32dd93fd-18b8-4a4f-aae5-80ba568f32de"}}},
    {"11-sns-Publish-FETCH_SOCKETS-request.txt",
     {{"PublishResponse/PublishResult/MessageId", "b1127221-df21-48fd-89ac-581481c513df"},
      {T_META("Publish"), "7f51ee6a-18f9-4085-befa-4baa98fd82f7"}}},
    {"12-sns-Publish-ADAPTER_CLOSE.txt",
     {{"PublishResponse/PublishResult/MessageId", "5b2afe0c-cde9-4c80-bfef-0a7f0a6375df"},
      {T_META("Publish"), "f7d81095-0159-44cd-9279-0d2c7b8410ff"}}},
    {"18-sns-Unsubscribe.txt",
     {{"UnsubscribeResponse/UnsubscribeResult", "\n    \n  "},
      {T_META("Unsubscribe"), "cbe426c0-c656-4de7-ac2a-1668aa1739a3"}}},
    {"19-sns-Subscribe-FilterPolicy.txt",
     {{"SubscribeResponse/SubscribeResult/SubscriptionArn",
       "arn:aws:sns:us-east-1:000000000000:socket-io:3bafed50-2254-4467-89e3-96c605ec95fc"},
      {T_META("Subscribe"), "75fa60e6-668f-4477-8c6f-7df608a12769"}}},
    {"20-sns-PublishBatch-binary.txt",
     {{"PublishBatchResponse/PublishBatchResult/Failed", ""},
      {T_META("PublishBatch"), "5a90abaa-e51d-4272-90b5-33b34eb092cf"}}},
    {"25-sns-error-NotFound.txt",
     {{"ErrorResponse/Error/Code", "NotFound"},
      {"ErrorResponse/Error/Message", "Topic does not exist"},
      {"ErrorResponse/RequestId", "a1ab8a47-cfb8-48bd-91ce-fffdb9c887bc"}}},
    {"26-old-sdk-3.535-sns-Publish-BROADCAST.txt",
     {{"PublishResponse/PublishResult/MessageId", "ff59806c-cc97-48fc-a5a3-98c58a841d59"},
      {T_META("Publish"), "f4003312-4f28-4992-a9d2-25ce1652e2f5"}}},
};

/* The SQS replies are JSON: every one must be refused as XML. */
static const char *const t_sqs[] = {
    "02-sqs-CreateQueue.txt",          "03-sqs-GetQueueAttributes.txt",   "04-sqs-SetQueueAttributes-Policy.txt",
    "13-sqs-ReceiveMessage-BROADCAST-String+Binary.txt", "14-sqs-ReceiveMessage-2-responses-requesterUid.txt",
    "15-sqs-ReceiveMessage-empty-longpoll.txt", "16-sqs-DeleteMessageBatch.txt", "17-sqs-DeleteQueue.txt",
    "21-sqs-SendMessage-binary.txt",   "22-sqs-SendMessageBatch.txt",     "23-sqs-ReceiveMessage-after-SendMessage.txt",
    "24-sqs-error-QueueDoesNotExist.txt", "27-old-sdk-3.536-sqs-ReceiveMessage.txt",
};

static int t_vectors_ok;

static void test_sns_captures(void) {
    size_t i, k;
    for (i = 0; i < SIOC__COUNT(t_sns); i++) {
        size_t len = 0;
        char *body = t_capture_body(t_sns[i].file, &len);
        int before = sioc_t_failed;
        CHECKF(body != NULL, "%s: no body", t_sns[i].file);
        if (!body) continue;
        CHECKF(t_scan(body, len, NULL) == SIOC_OK, "%s", t_sns[i].file);
        for (k = 0; k < SIOC__COUNT(t_sns[i].fields) && t_sns[i].fields[k].path; k++)
            t_expect(body, len, t_sns[i].fields[k].path, t_sns[i].fields[k].want);
        if (sioc_t_failed == before) t_vectors_ok++;
        free(body);
    }
}

static void test_sqs_captures_refused(void) {
    size_t i;
    for (i = 0; i < SIOC__COUNT(t_sqs); i++) {
        size_t len = 0;
        sioc_str raw;
        char *body = t_capture_body(t_sqs[i], &len);
        CHECKF(body != NULL, "%s: no body", t_sqs[i]);
        if (!body) continue;
        CHECKF(t_scan(body, len, NULL) == SIOC_ERR_PARSE, "%s", t_sqs[i]);
        CHECK(sioc_xml_find(body, len, "Anything", &raw) == SIOC_ERR_PARSE);
        t_vectors_ok++;
        free(body);
    }
}

/* PublishBatch: the Successful members of capture 20, through the iterator and relative lookups. */
static void test_publish_batch_capture(void) {
    size_t len = 0;
    char *body = t_capture_body("20-sns-PublishBatch-binary.txt", &len);
    sioc_str succ, failed;
    sioc_xml_iter it;
    sioc_xml_elem m;
    static const char *const ids[] = {"e0", "e1"};
    static const char *const mids[] = {"7dd72574-019d-43bb-b00d-25fc95c5eb96", "20685779-7c35-432d-a6cc-28dd7889710c"};
    size_t n = 0;
    CHECK(body != NULL);
    if (!body) return;
    CHECK(sioc_xml_find(body, len, "PublishBatchResponse/PublishBatchResult/Successful", &succ) == SIOC_OK);
    CHECK(sioc_xml_iter_init(&it, succ, "member") == SIOC_OK);
    while (sioc_xml_iter_next(&it, &m)) {
        CHECK(n < 2);
        if (n >= 2) break;
        CHECK(sioc_str_eq(m.name, sioc_str_c("member")));
        CHECK(m.attrs.len == 0);
        t_expect_in(m.content, "Id", ids[n]);
        t_expect_in(m.content, "MessageId", mids[n]);
        n++;
    }
    CHECK_EQ_INT(n, 2);
    CHECK(sioc_xml_iter_next(&it, &m) == 0); /* stays finished */
    CHECK(sioc_xml_find(body, len, "PublishBatchResponse/PublishBatchResult/Failed", &failed) == SIOC_OK);
    CHECK(failed.len == 0);
    CHECK(sioc_xml_iter_init(&it, failed, "member") == SIOC_OK);
    CHECK(sioc_xml_iter_next(&it, &m) == 0);
    free(body);
}

/* The exact token stream of capture 01. */
static void test_token_stream(void) {
    size_t len = 0, i;
    char *body = t_capture_body("01-sns-CreateTopic.txt", &len);
    sioc_xml_reader r;
    sioc_xml_token t;
    static const struct {
        sioc_xml_kind kind;
        uint32_t depth;
        const char *name; /* START/END name, or TEXT raw */
    } want[] = {
        {SIOC_XML_START, 1, "CreateTopicResponse"}, {SIOC_XML_TEXT, 1, "\n  "},
        {SIOC_XML_START, 2, "CreateTopicResult"},   {SIOC_XML_TEXT, 2, "\n    "},
        {SIOC_XML_START, 3, "TopicArn"},            {SIOC_XML_TEXT, 3, "arn:aws:sns:us-east-1:000000000000:socket-io"},
        {SIOC_XML_END, 3, "TopicArn"},              {SIOC_XML_TEXT, 2, "\n  "},
        {SIOC_XML_END, 2, "CreateTopicResult"},     {SIOC_XML_TEXT, 1, "\n  "},
        {SIOC_XML_START, 2, "ResponseMetadata"},    {SIOC_XML_TEXT, 2, "\n    "},
        {SIOC_XML_START, 3, "RequestId"},           {SIOC_XML_TEXT, 3, "5204b514-883a-4028-96ca-6b6d6f60cb71"},
        {SIOC_XML_END, 3, "RequestId"},             {SIOC_XML_TEXT, 2, "\n  "},
        {SIOC_XML_END, 2, "ResponseMetadata"},      {SIOC_XML_TEXT, 1, "\n"},
        {SIOC_XML_END, 1, "CreateTopicResponse"},   {SIOC_XML_EOF, 0, ""},
    };
    CHECK(body != NULL);
    if (!body) return;
    sioc_xml_reader_init(&r, body, len);
    for (i = 0; i < SIOC__COUNT(want); i++) {
        sioc_str s;
        CHECK(sioc_xml_next(&r, &t) == SIOC_OK);
        s = t.kind == SIOC_XML_TEXT ? t.raw : t.name;
        CHECKF(t.kind == want[i].kind && t.depth == want[i].depth && sioc_str_eq(s, sioc_str_c(want[i].name)),
               "token %u: kind %d depth %u", (unsigned)i, (int)t.kind, (unsigned)t.depth);
    }
    /* EOF repeats; the start tag's attribute span and markup are exact */
    CHECK(sioc_xml_next(&r, &t) == SIOC_OK && t.kind == SIOC_XML_EOF);
    sioc_xml_reader_init(&r, body, len);
    CHECK(sioc_xml_next(&r, &t) == SIOC_OK);
    CHECK(sioc_str_eq(t.attrs, sioc_str_c("xmlns=\"http://sns.amazonaws.com/doc/2010-03-31/\"")));
    CHECK(sioc_str_eq(t.raw, sioc_str_c("<CreateTopicResponse xmlns=\"http://sns.amazonaws.com/doc/2010-03-31/\">")));
    CHECK(t.empty == 0);
    free(body);
}

/* ---- crafted cases ---- */

/* Shapes written from the SNS API reference (no capture holds them): declaration, failed batch entries,
   a paginated subscription list, an error reply. */
static void test_sns_shapes(void) {
    static const char batch[] =
        "<?xml version=\"1.0\" encoding=\"UTF-8\"?>\n"
        "<PublishBatchResponse xmlns=\"http://sns.amazonaws.com/doc/2010-03-31/\">"
        "<PublishBatchResult><Successful><member><Id>a</Id><MessageId>m-1</MessageId>"
        "<SequenceNumber>1</SequenceNumber></member></Successful>"
        "<Failed><member><Id>b</Id><Code>InvalidParameter</Code><Message>Invalid parameter: Message too long &amp; "
        "&lt;bad&gt;</Message><SenderFault>true</SenderFault></member>"
        "<member><Id>c</Id><Code>InternalError</Code><Message>Retry</Message><SenderFault>false</SenderFault></member>"
        "</Failed></PublishBatchResult><ResponseMetadata><RequestId>r-9</RequestId></ResponseMetadata>"
        "</PublishBatchResponse>";
    static const char list[] =
        "<ListSubscriptionsByTopicResponse xmlns=\"http://sns.amazonaws.com/doc/2010-03-31/\">\r\n"
        "  <ListSubscriptionsByTopicResult>\r\n"
        "    <Subscriptions>\r\n"
        "      <member><TopicArn>arn:aws:sns:us-east-1:123456789012:socket-io</TopicArn><Protocol>sqs</Protocol>"
        "<SubscriptionArn>arn:aws:sns:us-east-1:123456789012:socket-io:1</SubscriptionArn>"
        "<Owner>123456789012</Owner><Endpoint>arn:aws:sqs:us-east-1:123456789012:q1</Endpoint></member>\r\n"
        "      <member><TopicArn>arn:aws:sns:us-east-1:123456789012:socket-io</TopicArn><Protocol>sqs</Protocol>"
        "<SubscriptionArn>PendingConfirmation</SubscriptionArn><Owner>123456789012</Owner>"
        "<Endpoint>arn:aws:sqs:us-east-1:123456789012:q2</Endpoint></member>\r\n"
        "    </Subscriptions>\r\n"
        "    <NextToken>AAF/ab+c==</NextToken>\r\n"
        "  </ListSubscriptionsByTopicResult>\r\n"
        "  <ResponseMetadata><RequestId>r-2</RequestId></ResponseMetadata>\r\n"
        "</ListSubscriptionsByTopicResponse>\r\n";
    static const char err[] =
        "\xEF\xBB\xBF<?xml version=\"1.0\"?>\n<!-- generated -->\n"
        "<ErrorResponse xmlns=\"http://sns.amazonaws.com/doc/2010-03-31/\"><Error><Type>Sender</Type>"
        "<Code>InvalidClientTokenId</Code><Message>The security token included in the request is invalid.</Message>"
        "</Error><RequestId>e-1</RequestId></ErrorResponse>\n";
    sioc_str s;
    sioc_xml_iter it;
    sioc_xml_elem m;
    size_t n = 0;
    static const char *const eps[] = {"arn:aws:sqs:us-east-1:123456789012:q1", "arn:aws:sqs:us-east-1:123456789012:q2"};

    t_expect(batch, sizeof batch - 1, "PublishBatchResponse/PublishBatchResult/Successful/member/MessageId", "m-1");
    CHECK(sioc_xml_find(batch, sizeof batch - 1, "PublishBatchResponse/PublishBatchResult/Failed", &s) == SIOC_OK);
    CHECK(sioc_xml_iter_init(&it, s, "member") == SIOC_OK);
    CHECK(sioc_xml_iter_next(&it, &m) == 1);
    t_expect_in(m.content, "Id", "b");
    t_expect_in(m.content, "Code", "InvalidParameter");
    t_expect_in(m.content, "Message", "Invalid parameter: Message too long & <bad>");
    t_expect_in(m.content, "SenderFault", "true");
    CHECK(sioc_xml_iter_next(&it, &m) == 1);
    t_expect_in(m.content, "Id", "c");
    t_expect_in(m.content, "SenderFault", "false");
    CHECK(sioc_xml_iter_next(&it, &m) == 0);
    t_expect(batch, sizeof batch - 1, T_META("PublishBatch"), "r-9");

    CHECK(sioc_xml_find(list, sizeof list - 1, "ListSubscriptionsByTopicResponse/ListSubscriptionsByTopicResult/"
                                               "Subscriptions", &s) == SIOC_OK);
    CHECK(sioc_xml_iter_init(&it, s, "member") == SIOC_OK);
    while (sioc_xml_iter_next(&it, &m) && n < 2) {
        t_expect_in(m.content, "Protocol", "sqs");
        t_expect_in(m.content, "Endpoint", eps[n]);
        t_expect_in(m.content, "Owner", "123456789012");
        n++;
    }
    CHECK_EQ_INT(n, 2);
    t_expect(list, sizeof list - 1, "ListSubscriptionsByTopicResponse/ListSubscriptionsByTopicResult/NextToken",
             "AAF/ab+c==");
    /* an iterator over every child (name NULL) sees text-free element names in order */
    CHECK(sioc_xml_find(list, sizeof list - 1, "ListSubscriptionsByTopicResponse/ListSubscriptionsByTopicResult",
                        &s) == SIOC_OK);
    CHECK(sioc_xml_iter_init(&it, s, NULL) == SIOC_OK);
    CHECK(sioc_xml_iter_next(&it, &m) == 1 && sioc_str_eq(m.name, sioc_str_c("Subscriptions")));
    CHECK(sioc_xml_iter_next(&it, &m) == 1 && sioc_str_eq(m.name, sioc_str_c("NextToken")));
    CHECK(sioc_xml_iter_next(&it, &m) == 0);

    t_expect(err, sizeof err - 1, "ErrorResponse/Error/Type", "Sender");
    t_expect(err, sizeof err - 1, "ErrorResponse/Error/Code", "InvalidClientTokenId");
    t_expect(err, sizeof err - 1, "ErrorResponse/Error/Message", "The security token included in the request is invalid.");
    t_expect(err, sizeof err - 1, "ErrorResponse/RequestId", "e-1");
}

static void test_entities(void) {
    char out[64];
    size_t n = 99;
    CHECK(t_decode("&lt;&gt;&amp;&apos;&quot;", out, sizeof out, &n) == SIOC_OK);
    CHECK_MEM(out, n, "<>&'\"", 5);
    CHECK(out[5] == 0);
    CHECK(t_decode("a&amp;amp;b", out, sizeof out, &n) == SIOC_OK && strcmp(out, "a&amp;b") == 0); /* once only */
    CHECK(t_decode("", out, sizeof out, &n) == SIOC_OK && n == 0 && out[0] == 0);
    t_expect_s("<R a=\"&lt;&quot;\">x&gt;y</R>", "R", "x>y");
}

static void test_numeric_refs(void) {
    static const struct {
        const char *in;
        const char *out;
    } ok[] = {
        {"&#65;&#x42;&#x63;", "ABc"},
        {"&#0000065;", "A"},
        {"&#x20AC;&#8364;&#xe9;", "\xE2\x82\xAC\xE2\x82\xAC\xC3\xA9"},
        {"&#128512;&#x1F600;", "\xF0\x9F\x98\x80\xF0\x9F\x98\x80"},
        {"&#x10FFFF;&#xFFFD;&#xE000;&#xD7FF;", "\xF4\x8F\xBF\xBF\xEF\xBF\xBD\xEE\x80\x80\xED\x9F\xBF"},
        {"&#9;&#10;&#13;&#x20;&#x7F;&#x80;", "\t\n\r \x7F\xC2\x80"},
    };
    static const char *const bad[] = {
        "&#0;", "&#x0;", "&#xD800;", "&#xDFFF;", "&#55296;", "&#x110000;", "&#1114112;", "&#1;", "&#x8;",
        "&#xB;", "&#xC;", "&#x1F;", "&#xFFFE;", "&#xFFFF;", "&#;", "&#x;", "&#X41;", "&#65", "&#x41",
        "&#6a;", "&#xG;", "&#99999999999999999999999;", "&#x100000000041;", "&# 65;", "&#-65;",
    };
    char out[64];
    size_t i, n;
    for (i = 0; i < SIOC__COUNT(ok); i++) {
        sioc_result r = t_decode(ok[i].in, out, sizeof out, &n);
        CHECKF(r == SIOC_OK && n == strlen(ok[i].out) && memcmp(out, ok[i].out, n) == 0, "%s -> %d", ok[i].in, (int)r);
    }
    for (i = 0; i < SIOC__COUNT(bad); i++) {
        char doc[80];
        sioc_result r = t_decode(bad[i], out, sizeof out, &n);
        CHECKF(r == SIOC_ERR_PARSE, "%s -> %d", bad[i], (int)r);
        snprintf(doc, sizeof doc, "<R>%s</R>", bad[i]);
        CHECKF(t_scan(doc, strlen(doc), NULL) == SIOC_ERR_PARSE, "%s", doc);
        snprintf(doc, sizeof doc, "<R a=\"%s\"/>", bad[i]);
        CHECKF(t_scan(doc, strlen(doc), NULL) == SIOC_ERR_PARSE, "%s", doc);
    }
}

static void test_named_refs_bad(void) {
    static const char *const bad[] = {"&foo;", "&lt", "&;", "&", "&LT;", "&am;", "&ampx;", "&quot ;", "& lt;",
                                      "&nbsp;", "&apos"};
    char out[16];
    size_t i, n;
    for (i = 0; i < SIOC__COUNT(bad); i++) CHECKF(t_decode(bad[i], out, sizeof out, &n) == SIOC_ERR_PARSE, "%s", bad[i]);
}

static void test_cdata_comments_pi(void) {
    static const char doc[] = "<R><A>x<![CDATA[<b>&amp;]]]]><![CDATA[>]]>y</A><B>1<!-- c - >?--><?pi some data?>2</B>"
                              "<C><![CDATA[]]></C><D><!----></D></R>";
    char out[64];
    sioc_str s;
    size_t n;
    t_expect(doc, sizeof doc - 1, "R/A", "x<b>&amp;]]>y");
    CHECK(sioc_xml_find(doc, sizeof doc - 1, "R/B", &s) == SIOC_OK);
    CHECK(sioc_str_eq(s, sioc_str_c("1<!-- c - >?--><?pi some data?>2"))); /* raw keeps the markup */
    t_expect(doc, sizeof doc - 1, "R/B", "12");
    t_expect(doc, sizeof doc - 1, "R/C", "");
    t_expect(doc, sizeof doc - 1, "R/D", "");
    /* line ends: CRLF and CR become LF, in text and CDATA; a CR from a reference stays */
    CHECK(t_decode("a\r\nb\rc\n<![CDATA[d\r\ne\r]]>&#13;", out, sizeof out, &n) == SIOC_OK);
    CHECK_MEM(out, n, "a\nb\nc\nd\ne\n\r", 11);
    /* comments and PIs around the root, a PI whose target starts with xml */
    t_expect_s("<?xml-stylesheet href=\"a.xsl\"?>\n<!-- c --><?p?><R>v</R><!-- after --><?q x?>\n", "R", "v");
}

static void test_declaration(void) {
    static const char *const ok[] = {
        "<?xml version=\"1.0\"?><R>v</R>",
        "<?xml version='1.0' encoding='UTF-8' standalone='yes' ?>\n<R>v</R>",
        "<?xml version=\"1.1\" encoding=\"utf-8\"?><R>v</R>",
        "<?xml version = \"1.0\"\tstandalone=\"no\"?><R>v</R>",
        "\xEF\xBB\xBF<?xml version=\"1.0\"?><R>v</R>",
        "\xEF\xBB\xBF<R>v</R>",
    };
    static const struct {
        const char *doc;
        sioc_result want;
    } bad[] = {
        {"<?xml version=\"1.0\" encoding=\"ISO-8859-1\"?><R/>", SIOC_ERR_UNSUPPORTED},
        {"<?xml version=\"1.0\" encoding=\"UTF-16\"?><R/>", SIOC_ERR_UNSUPPORTED},
        {" <?xml version=\"1.0\"?><R/>", SIOC_ERR_PARSE},
        {"<R/><?xml version=\"1.0\"?>", SIOC_ERR_PARSE},
        {"<?xml version=\"1.0\"?><?xml version=\"1.0\"?><R/>", SIOC_ERR_PARSE},
        {"<?xml version=\"2.0\"?><R/>", SIOC_ERR_PARSE},
        {"<?xml version=\"1.\"?><R/>", SIOC_ERR_PARSE},
        {"<?xml version=\"1.0a\"?><R/>", SIOC_ERR_PARSE},
        {"<?xml encoding=\"UTF-8\"?><R/>", SIOC_ERR_PARSE},
        {"<?xml version=\"1.0\" standalone=\"yes\" encoding=\"UTF-8\"?><R/>", SIOC_ERR_PARSE},
        {"<?xml version=\"1.0\" standalone=\"maybe\"?><R/>", SIOC_ERR_PARSE},
        {"<?xml version=\"1.0\" foo=\"bar\"?><R/>", SIOC_ERR_PARSE},
        {"<?xml version=\"1.0\"encoding=\"UTF-8\"?><R/>", SIOC_ERR_PARSE},
        {"<?xml version=1.0?><R/>", SIOC_ERR_PARSE},
        {"<?xml ?><R/>", SIOC_ERR_PARSE},
        {"<?xml?><R/>", SIOC_ERR_PARSE},
        {"<?XML version=\"1.0\"?><R/>", SIOC_ERR_PARSE},
        {"<?xml version=\"1.0\"", SIOC_ERR_PARSE},
        {"<?xml version=\"1.0\"?>", SIOC_ERR_PARSE},
        {"\xEF\xBB\xBF", SIOC_ERR_PARSE},
        {"\xEF\xBB<R/>", SIOC_ERR_PARSE},
    };
    size_t i;
    for (i = 0; i < SIOC__COUNT(ok); i++) t_expect(ok[i], strlen(ok[i]), "R", "v");
    for (i = 0; i < SIOC__COUNT(bad); i++) {
        sioc_result r = t_scan(bad[i].doc, strlen(bad[i].doc), NULL);
        CHECKF(r == bad[i].want, "%s -> %d", bad[i].doc, (int)r);
    }
}

static void test_namespaces(void) {
    static const char doc[] = "<sns:R xmlns:sns=\"urn:x\" xmlns=\"urn:y\"><sns:A>v</sns:A><B>w</B><o:C xmlns:o=\"urn:o\">z</o:C>"
                              "</sns:R>";
    size_t len = sizeof doc - 1;
    sioc_str s;
    sioc_xml_reader r;
    sioc_xml_token t;
    t_expect(doc, len, "R/A", "v");
    t_expect(doc, len, "sns:R/sns:A", "v");
    t_expect(doc, len, "R/B", "w");
    t_expect(doc, len, "sns:R/C", "z");
    t_expect(doc, len, "R/o:C", "z");
    CHECK(sioc_xml_find(doc, len, "x:R/A", &s) == SIOC_ERR_NOT_FOUND);
    CHECK(sioc_xml_find(doc, len, "R/sns:B", &s) == SIOC_ERR_NOT_FOUND);
    sioc_xml_reader_init(&r, doc, len);
    CHECK(sioc_xml_next(&r, &t) == SIOC_OK);
    CHECK(sioc_str_eq(t.name, sioc_str_c("sns:R")) && sioc_str_eq(t.local, sioc_str_c("R")));
    CHECK(sioc_str_eq(t.attrs, sioc_str_c("xmlns:sns=\"urn:x\" xmlns=\"urn:y\"")));
    /* end tags must repeat the prefix exactly */
    CHECK(t_scan("<a:R></R>", 9, NULL) == SIOC_ERR_PARSE);
    CHECK(t_scan("<a:R></b:R>", 11, NULL) == SIOC_ERR_PARSE);
}

static void test_attributes(void) {
    static const char doc[] = "<R a=\"x>y\" b='q\"z' c=\"/>\"><A c = \"1>2\" d='' >v</A><E  f=\"&amp;&#62;\"\n/></R>";
    size_t len = sizeof doc - 1;
    sioc_xml_reader r;
    sioc_xml_token t;
    t_expect(doc, len, "R/A", "v");
    t_expect(doc, len, "R/E", "");
    sioc_xml_reader_init(&r, doc, len);
    CHECK(sioc_xml_next(&r, &t) == SIOC_OK && t.kind == SIOC_XML_START);
    CHECK(sioc_str_eq(t.attrs, sioc_str_c("a=\"x>y\" b='q\"z' c=\"/>\"")));
    CHECK(sioc_xml_next(&r, &t) == SIOC_OK && t.kind == SIOC_XML_START && t.depth == 2);
    CHECK(sioc_str_eq(t.attrs, sioc_str_c("c = \"1>2\" d=''")));
    CHECK(sioc_xml_next(&r, &t) == SIOC_OK && t.kind == SIOC_XML_TEXT);
    CHECK(sioc_xml_next(&r, &t) == SIOC_OK && t.kind == SIOC_XML_END);
    CHECK(sioc_xml_next(&r, &t) == SIOC_OK && t.kind == SIOC_XML_START && t.empty == 1);
    CHECK(sioc_str_eq(t.attrs, sioc_str_c("f=\"&amp;&#62;\"")));
    CHECK(sioc_str_eq(t.raw, sioc_str_c("<E  f=\"&amp;&#62;\"\n/>")));
    CHECK(sioc_xml_next(&r, &t) == SIOC_OK && t.kind == SIOC_XML_END && t.depth == 2 && t.raw.len == 0);
    CHECK(sioc_str_eq(t.name, sioc_str_c("E")));
    CHECK(sioc_xml_next(&r, &t) == SIOC_OK && t.kind == SIOC_XML_END && t.depth == 1);
    CHECK(sioc_xml_next(&r, &t) == SIOC_OK && t.kind == SIOC_XML_EOF);
}

static void test_paths(void) {
    static const char doc[] = "<R><B><X/></B><B><C>1</C></B><B><C>2</C></B><A><A>in</A></A><E/><F></F><G>t<H/></G></R>";
    size_t len = sizeof doc - 1;
    sioc_str s;
    char out[16];
    size_t n;
    t_expect(doc, len, "R/B/C", "1"); /* first match in document order */
    t_expect(doc, len, "R/A/A", "in");
    t_expect(doc, len, "R/E", "");
    t_expect(doc, len, "R/F", "");
    CHECK(sioc_xml_find(doc, len, "R/A", &s) == SIOC_OK && sioc_str_eq(s, sioc_str_c("<A>in</A>")));
    CHECK(sioc_xml_text(s, out, sizeof out, &n) == SIOC_ERR_TYPE);
    CHECK(t_get(doc, len, "R/G", out, sizeof out) == SIOC_ERR_TYPE);
    CHECK(sioc_xml_find(doc, len, "R", &s) == SIOC_OK && s.len == len - 7);
    CHECK(sioc_xml_find(doc, len, "R/Z", &s) == SIOC_ERR_NOT_FOUND && s.len == 0);
    CHECK(sioc_xml_find(doc, len, "B", &s) == SIOC_ERR_NOT_FOUND);     /* the first segment names the root */
    CHECK(sioc_xml_find(doc, len, "R/C", &s) == SIOC_ERR_NOT_FOUND);   /* not a descendant search */
    CHECK(sioc_xml_find(doc, len, "R/B/C/D", &s) == SIOC_ERR_NOT_FOUND);
    CHECK(sioc_xml_find(doc, len, "", &s) == SIOC_ERR_ARG);
    CHECK(sioc_xml_find(doc, len, "R//B", &s) == SIOC_ERR_ARG);
    CHECK(sioc_xml_find(doc, len, "/R", &s) == SIOC_ERR_ARG);
    CHECK(sioc_xml_find(doc, len, "R/", &s) == SIOC_ERR_ARG);
    CHECK(sioc_xml_find(doc, len, NULL, &s) == SIOC_ERR_ARG);
    CHECK(sioc_xml_find(doc, len, "R", NULL) == SIOC_ERR_ARG);
    CHECK(sioc_xml_find(NULL, 5, "R", &s) == SIOC_ERR_ARG);
    /* relative lookups on content, including text at its top level */
    CHECK(sioc_xml_find_in(sioc_str_c(" t <A>1</A> u <B><A>2</A></B>"), "B/A", &s) == SIOC_OK && sioc_str_eq(s, sioc_str_c("2")));
    CHECK(sioc_xml_find_in(sioc_str_c("<A>1</A><A>2</A>"), "A", &s) == SIOC_OK && sioc_str_eq(s, sioc_str_c("1")));
    CHECK(sioc_xml_find_in(sioc_str_c(""), "A", &s) == SIOC_ERR_NOT_FOUND);
    CHECK(sioc_xml_find_in(sioc_str_c("<A>1</A></B>"), "A", &s) == SIOC_ERR_PARSE);
    CHECK(sioc_xml_find_in(sioc_str_c("<A>1"), "A", &s) == SIOC_ERR_PARSE);
    CHECK(sioc_xml_find_in(sioc_str_c("<?xml version=\"1.0\"?><A/>"), "A", &s) == SIOC_ERR_PARSE);
    /* path deeper than the limit: refused, not searched */
    {
        char path[3 * (SIOC_MAX_XML_DEPTH + 1) + 1];
        size_t i;
        for (i = 0; i < SIOC_MAX_XML_DEPTH + 1; i++) memcpy(path + 2 * i, "A/", 2);
        path[2 * (SIOC_MAX_XML_DEPTH + 1) - 1] = 0;
        CHECK(sioc_xml_find(doc, len, path, &s) == SIOC_ERR_ARG);
        path[2 * SIOC_MAX_XML_DEPTH - 1] = 0;
        CHECK(sioc_xml_find(doc, len, path, &s) == SIOC_ERR_NOT_FOUND);
    }
}

static void test_iterator_errors(void) {
    sioc_xml_iter it;
    sioc_xml_elem m;
    CHECK(sioc_xml_iter_init(&it, sioc_str_c("<member>1</member><member>2</mem>"), "member") == SIOC_ERR_PARSE);
    CHECK(sioc_xml_iter_next(&it, &m) == 0); /* refused up front: yields nothing at all */
    CHECK(sioc_xml_iter_init(&it, sioc_str_c("x<member a='1'>1</member><other/><member/>"), "member") == SIOC_OK);
    CHECK(sioc_xml_iter_next(&it, &m) == 1 && sioc_str_eq(m.content, sioc_str_c("1")) &&
          sioc_str_eq(m.attrs, sioc_str_c("a='1'")));
    CHECK(sioc_xml_iter_next(&it, &m) == 1 && m.content.len == 0);
    CHECK(sioc_xml_iter_next(&it, &m) == 0);
}

static void test_text_buffer(void) {
    char out[8];
    size_t n = 0;
    sioc_str raw = sioc_str_c("abc&amp;def"); /* 7 bytes decoded */
    CHECK(sioc_xml_text(raw, NULL, 0, &n) == SIOC_ERR_BUFFER_TOO_SMALL && n == 7);
    CHECK(sioc_xml_text(raw, out, 7, &n) == SIOC_ERR_BUFFER_TOO_SMALL && n == 7); /* no room for the NUL */
    CHECK(sioc_xml_text(raw, out, 8, &n) == SIOC_OK && n == 7 && strcmp(out, "abc&def") == 0);
    CHECK(sioc_xml_text(sioc_str_c("<![CDATA[12345678]]>"), out, sizeof out, &n) == SIOC_ERR_BUFFER_TOO_SMALL && n == 8);
    CHECK(sioc_xml_text(sioc_str_c("&#x10FFFF;&#x10FFFF;"), out, sizeof out, &n) == SIOC_ERR_BUFFER_TOO_SMALL && n == 8);
    CHECK(sioc_xml_text(sioc_str_c("a<b"), out, sizeof out, &n) == SIOC_ERR_TYPE);
    CHECK(sioc_xml_text(sioc_str_c("a</b>"), out, sizeof out, &n) == SIOC_ERR_TYPE);
    CHECK(sioc_xml_text(sioc_str_c("a < b"), out, sizeof out, &n) == SIOC_ERR_PARSE);
    CHECK(sioc_xml_text(sioc_str_c("a<"), out, sizeof out, &n) == SIOC_ERR_PARSE);
    CHECK(sioc_xml_text(sioc_str_c("a]]>"), out, sizeof out, &n) == SIOC_ERR_PARSE);
    CHECK(sioc_xml_text(sioc_str_c("a]]b]>"), out, sizeof out, &n) == SIOC_OK && strcmp(out, "a]]b]>") == 0);
    {
        sioc_str nul;
        nul.ptr = NULL;
        nul.len = 0;
        CHECK(sioc_xml_text(nul, out, sizeof out, &n) == SIOC_OK && n == 0);
        nul.len = 2;
        CHECK(sioc_xml_text(nul, out, sizeof out, &n) == SIOC_ERR_ARG);
    }
}

static void test_utf8(void) {
    static const char *const ok[] = {"\xC3\xA9", "\xE2\x82\xAC", "\xF0\x9F\x98\x80", "\xEF\xBF\xBD", "\xF4\x8F\xBF\xBF",
                                     "\xED\x9F\xBF", "\xEE\x80\x80", "\x7F"};
    static const char *const bad[] = {"\xC3",         "\xC0\x80",     "\xC1\xBF",     "\xE0\x80\x80", "\xED\xA0\x80",
                                      "\xED\xBF\xBF", "\xEF\xBF\xBE", "\xEF\xBF\xBF", "\xF0\x80\x80\x80",
                                      "\xF4\x90\x80\x80", "\xF5\x80\x80\x80", "\xFF", "\x80", "\xE2\x82",
                                      "\x01", "\x0B", "\x0C", "\x1F", "\x1B"};
    size_t i, n;
    char out[16], doc[64];
    for (i = 0; i < SIOC__COUNT(ok); i++) {
        CHECKF(t_decode(ok[i], out, sizeof out, &n) == SIOC_OK && strcmp(out, ok[i]) == 0, "ok %u", (unsigned)i);
        snprintf(doc, sizeof doc, "<R\xC3\xA9 a=\"%s\"><!--%s--><![CDATA[%s]]>%s</R\xC3\xA9>", ok[i], ok[i], ok[i], ok[i]);
        CHECKF(t_scan(doc, strlen(doc), NULL) == SIOC_OK, "ok doc %u", (unsigned)i);
    }
    for (i = 0; i < SIOC__COUNT(bad); i++) {
        CHECKF(t_decode(bad[i], out, sizeof out, &n) == SIOC_ERR_PARSE, "bad %u", (unsigned)i);
        snprintf(doc, sizeof doc, "<R>%s</R>", bad[i]);
        CHECKF(t_scan(doc, strlen(doc), NULL) == SIOC_ERR_PARSE, "bad text %u", (unsigned)i);
        snprintf(doc, sizeof doc, "<R a=\"%s\"/>", bad[i]);
        CHECKF(t_scan(doc, strlen(doc), NULL) == SIOC_ERR_PARSE, "bad attr %u", (unsigned)i);
        snprintf(doc, sizeof doc, "<R><!--%s--></R>", bad[i]);
        CHECKF(t_scan(doc, strlen(doc), NULL) == SIOC_ERR_PARSE, "bad comment %u", (unsigned)i);
        snprintf(doc, sizeof doc, "<R><![CDATA[%s]]></R>", bad[i]);
        CHECKF(t_scan(doc, strlen(doc), NULL) == SIOC_ERR_PARSE, "bad cdata %u", (unsigned)i);
        snprintf(doc, sizeof doc, "<R%s/>", bad[i]);
        CHECKF(t_scan(doc, strlen(doc), NULL) == SIOC_ERR_PARSE, "bad name %u", (unsigned)i);
    }
    /* a NUL byte inside the buffer is not a character */
    CHECK(t_scan("<R>a\0b</R>", 10, NULL) == SIOC_ERR_PARSE);
    CHECK(t_scan("<R/>\0", 5, NULL) == SIOC_ERR_PARSE);
}

static void test_limits(void) {
    char doc[2048];
    size_t i, len = 0;
    sioc_xml_reader r;
    sioc_xml_token t;
    sioc_result res;
    for (i = 0; i < SIOC_MAX_XML_DEPTH; i++) len += (size_t)sprintf(doc + len, "<a>");
    for (i = 0; i < SIOC_MAX_XML_DEPTH; i++) len += (size_t)sprintf(doc + len, "</a>");
    CHECK(t_scan(doc, len, NULL) == SIOC_OK);
    len = 0;
    for (i = 0; i < SIOC_MAX_XML_DEPTH + 1; i++) len += (size_t)sprintf(doc + len, "<a>");
    for (i = 0; i < SIOC_MAX_XML_DEPTH + 1; i++) len += (size_t)sprintf(doc + len, "</a>");
    sioc_xml_reader_init(&r, doc, len);
    do res = sioc_xml_next(&r, &t);
    while (res == SIOC_OK && t.kind != SIOC_XML_EOF);
    CHECK(res == SIOC_ERR_LIMIT && r.error_at == 3 * SIOC_MAX_XML_DEPTH);
    CHECK(sioc_xml_next(&r, &t) == SIOC_ERR_LIMIT); /* sticky */
    len = (size_t)sprintf(doc, "<R");
    for (i = 0; i < SIOC_XML_MAX_ATTRS; i++) len += (size_t)sprintf(doc + len, " a%u='%u'", (unsigned)i, (unsigned)i);
    len += (size_t)sprintf(doc + len, "/>");
    CHECK(t_scan(doc, len, NULL) == SIOC_OK);
    len -= 2;
    len += (size_t)sprintf(doc + len, " z=''/>");
    CHECK(t_scan(doc, len, NULL) == SIOC_ERR_LIMIT);
}

/* ---- malformed documents: each must be refused ---- */

static const struct {
    const char *doc;
    sioc_result want;
} t_bad[] = {
    {"", SIOC_ERR_PARSE},
    {" \n", SIOC_ERR_PARSE},
    {"<!-- only a comment -->", SIOC_ERR_PARSE},
    {"<", SIOC_ERR_PARSE},
    {"<R", SIOC_ERR_PARSE},
    {"<R ", SIOC_ERR_PARSE},
    {"<R>", SIOC_ERR_PARSE},
    {"<R/", SIOC_ERR_PARSE},
    {"<R></R", SIOC_ERR_PARSE},
    {"<R></", SIOC_ERR_PARSE},
    {"<R><", SIOC_ERR_PARSE},
    {"<R></S>", SIOC_ERR_PARSE},
    {"<R></r>", SIOC_ERR_PARSE},
    {"<R><A></R></A>", SIOC_ERR_PARSE},
    {"<R><A></R>", SIOC_ERR_PARSE},
    {"</R>", SIOC_ERR_PARSE},
    {"<R/></R>", SIOC_ERR_PARSE},
    {"<R/><S/>", SIOC_ERR_PARSE},
    {"<R></R><R></R>", SIOC_ERR_PARSE},
    {"<R/>x", SIOC_ERR_PARSE},
    {"x<R/>", SIOC_ERR_PARSE},
    {"<R/>&amp;", SIOC_ERR_PARSE},
    {"<R/><![CDATA[x]]>", SIOC_ERR_PARSE},
    {"<![CDATA[x]]><R/>", SIOC_ERR_PARSE},
    {"<R/><!x>", SIOC_ERR_PARSE},
    {"<R/><", SIOC_ERR_PARSE},
    {"<R/>\n<!-- trailing", SIOC_ERR_PARSE},
    {"<R/><?pi", SIOC_ERR_PARSE},
    {"<R>a<b</R>", SIOC_ERR_PARSE},
    {"<R>a < b</R>", SIOC_ERR_PARSE},
    {"<R>a<</R>", SIOC_ERR_PARSE},
    {"<R>]]></R>", SIOC_ERR_PARSE},
    {"< R/>", SIOC_ERR_PARSE},
    {"<R / >", SIOC_ERR_PARSE},
    {"<R></ R>", SIOC_ERR_PARSE},
    {"<R></R x>", SIOC_ERR_PARSE},
    {"<1R/>", SIOC_ERR_PARSE},
    {"<-R/>", SIOC_ERR_PARSE},
    {"<:R/>", SIOC_ERR_PARSE},
    {"<R:/>", SIOC_ERR_PARSE},
    {"<a:b:c/>", SIOC_ERR_PARSE},
    {"<a:1b/>", SIOC_ERR_PARSE},
    {"<R a></R>", SIOC_ERR_PARSE},
    {"<R a/>", SIOC_ERR_PARSE},
    {"<R a=></R>", SIOC_ERR_PARSE},
    {"<R a=b></R>", SIOC_ERR_PARSE},
    {"<R =\"b\"></R>", SIOC_ERR_PARSE},
    {"<R a=\"1\"b=\"2\"></R>", SIOC_ERR_PARSE},
    {"<R a=\"1\" a=\"2\"/>", SIOC_ERR_PARSE},
    {"<R a=\"<\"/>", SIOC_ERR_PARSE},
    {"<R a=\"&bad;\"/>", SIOC_ERR_PARSE},
    {"<R a=\"&\"/>", SIOC_ERR_PARSE},
    {"<R a=\"1></R>", SIOC_ERR_PARSE},
    {"<R a='1\"/>", SIOC_ERR_PARSE},
    {"<R a=\"1\"", SIOC_ERR_PARSE},
    {"<R\"a\"/>", SIOC_ERR_PARSE},
    {"<R>&unknown;</R>", SIOC_ERR_PARSE},
    {"<R>&amp</R>", SIOC_ERR_PARSE},
    {"<R>&#;</R>", SIOC_ERR_PARSE},
    {"<R>&#0;</R>", SIOC_ERR_PARSE},
    {"<R>&#xD800;</R>", SIOC_ERR_PARSE},
    {"<R>&#x110000;</R>", SIOC_ERR_PARSE},
    {"<R>&</R>", SIOC_ERR_PARSE},
    {"<R><!-- a -- b --></R>", SIOC_ERR_PARSE},
    {"<R><!-- a ---></R>", SIOC_ERR_PARSE},
    {"<R><!-- a --</R>", SIOC_ERR_PARSE},
    {"<R><!- a --></R>", SIOC_ERR_PARSE},
    {"<R><![CDATA[x</R>", SIOC_ERR_PARSE},
    {"<R><![CDATA[x]]</R>", SIOC_ERR_PARSE},
    {"<R><![cdata[x]]></R>", SIOC_ERR_PARSE},
    {"<R><?xml version=\"1.0\"?></R>", SIOC_ERR_PARSE},
    {"<R><?pi x</R>", SIOC_ERR_PARSE},
    {"<R><?\?></R>", SIOC_ERR_PARSE},
    {"<R><?a:b?></R>", SIOC_ERR_PARSE},
    {"<R><?pix?y?></R>", SIOC_ERR_PARSE},
    {"<R><!DOCTYPE R></R>", SIOC_ERR_PARSE},
    {"<R/><!DOCTYPE R>", SIOC_ERR_PARSE},
    {"<!DOCTYPE R><R/>", SIOC_ERR_UNSUPPORTED},
    {"<!DOCTYPE R [<!ENTITY a \"aaaa\">]><R>&a;</R>", SIOC_ERR_UNSUPPORTED},
    {"<R>\x01</R>", SIOC_ERR_PARSE},
    {"<R>\xFF</R>", SIOC_ERR_PARSE},
    {"<R\x01/>", SIOC_ERR_PARSE},
    {"\xEF\xBB\xBF\xEF\xBB\xBF<R/>", SIOC_ERR_PARSE},
};

static void test_malformed(void) {
    size_t i;
    for (i = 0; i < SIOC__COUNT(t_bad); i++) {
        size_t len = strlen(t_bad[i].doc);
        char *copy = (char *)sioc_t_tight(t_bad[i].doc, len);
        sioc_str s;
        sioc_result r = t_scan(copy, len, NULL);
        CHECKF(r == t_bad[i].want, "#%u \"%s\" -> %d", (unsigned)i, t_bad[i].doc, (int)r);
        r = sioc_xml_find(copy, len, "R", &s);
        CHECKF(r == t_bad[i].want && s.len == 0, "find #%u \"%s\" -> %d", (unsigned)i, t_bad[i].doc, (int)r);
        free(copy);
    }
    /* errors carry a position */
    {
        sioc_xml_reader r;
        sioc_xml_token t;
        sioc_result res;
        sioc_xml_reader_init(&r, "<R><A></B></R>", 14);
        do res = sioc_xml_next(&r, &t);
        while (res == SIOC_OK && t.kind != SIOC_XML_EOF);
        CHECK(res == SIOC_ERR_PARSE && r.error_at == 6);
    }
}

/* ---- truncation: every input cut at every length, in an exact-size heap block ---- */

static void t_truncate(const char *doc, size_t len, const char *path) {
    size_t n, root_end = 0;
    sioc_xml_reader r;
    sioc_xml_token t;
    int trailing_ws = 1;
    sioc_str whole;
    sioc_result want_find = sioc_xml_find(doc, len, path, &whole); /* complete prefixes must agree */
    /* where the root's end tag finishes in the full document */
    sioc_xml_reader_init(&r, doc, len);
    while (sioc_xml_next(&r, &t) == SIOC_OK && t.kind != SIOC_XML_EOF)
        if (t.kind == SIOC_XML_END && t.depth == 1) root_end = (size_t)(t.raw.ptr + t.raw.len - doc);
    CHECK(root_end > 0);
    for (n = root_end; n < len; n++)
        if (!sioc__xml_ws(doc[n])) trailing_ws = 0;
    for (n = 0; n <= len; n++) {
        char *cut = (char *)sioc_t_tight(doc, n);
        sioc_str s;
        size_t k;
        sioc_result res = t_scan(cut, n, &k), fres = sioc_xml_find(cut, n, path, &s);
        if (n < root_end) {
            CHECKF(res == SIOC_ERR_PARSE && fres == SIOC_ERR_PARSE, "cut %u/%u: %d %d", (unsigned)n, (unsigned)len,
                   (int)res, (int)fres);
        } else if (trailing_ws) {
            CHECKF(res == SIOC_OK && fres == want_find, "cut %u/%u: %d %d", (unsigned)n, (unsigned)len, (int)res, (int)fres);
        }
        /* decoding arbitrary prefixes of the root's content: may fail, must not overrun */
        if (n > 0) {
            char out[64];
            size_t m;
            sioc_str raw;
            raw.ptr = cut;
            raw.len = n;
            res = sioc_xml_text(raw, out, sizeof out, &m);
            (void)res;
        }
        free(cut);
    }
}

static void test_truncation(void) {
    static const char full[] =
        "\xEF\xBB\xBF<?xml version=\"1.0\" encoding=\"UTF-8\"?>\n<!-- c --><?p d?><sns:R xmlns:sns=\"u\" a='x>y'>"
        "t&amp;&#x20AC;&#65;<![CDATA[<c>]]><!--x--><?q?>\xF0\x9F\x98\x80<A b=\"&lt;\"/><A>v</A></sns:R>\n<!-- e -->";
    static const char *const crafted[] = {
        full,
        "<R><A>1</A></R>\r\n",
        "<R/>",
    };
    size_t i;
    unsigned files = 0;
    for (i = 0; i < SIOC__COUNT(t_sns); i++) {
        size_t len = 0;
        char *body = t_capture_body(t_sns[i].file, &len);
        if (!body) continue;
        t_truncate(body, len, t_sns[i].fields[0].path);
        files++;
        free(body);
    }
    CHECK_EQ_INT(files, SIOC__COUNT(t_sns));
    for (i = 0; i < SIOC__COUNT(crafted); i++) t_truncate(crafted[i], strlen(crafted[i]), "R/A");
}

/* Single-byte damage to every capture at every position: must never crash; find and a full scan agree; a stray
   '<', '&', NUL or lone continuation byte is always refused (the others may land harmlessly in text). */
static void test_byte_damage(void) {
    static const char subst[] = {'<', '&', '\0', '\x80', '>', '/', '"', ']'};
    size_t i, pos, k, bad = 0, total = 0;
    for (i = 0; i < SIOC__COUNT(t_sns); i++) {
        size_t len = 0;
        char *body = t_capture_body(t_sns[i].file, &len);
        if (!body) continue;
        for (pos = 0; pos < len; pos++) {
            char keep = body[pos];
            for (k = 0; k < sizeof subst; k++) {
                sioc_str s;
                if (keep == subst[k]) continue;
                body[pos] = subst[k];
                sioc_result fr = sioc_xml_find(body, len, t_sns[i].fields[0].path, &s);
                sioc_result sr = t_scan(body, len, NULL);
                total++;
                if ((fr == SIOC_OK) != (sr == SIOC_OK) || (k < 4 && fr == SIOC_OK)) bad++;
            }
            body[pos] = keep;
        }
        free(body);
    }
    CHECKF(total > 0 && bad == 0, "%u of %u damaged inputs misjudged", (unsigned)bad, (unsigned)total);
}

int main(void) {
    RUN(test_sns_captures);
    RUN(test_sqs_captures_refused);
    RUN(test_publish_batch_capture);
    RUN(test_token_stream);
    RUN(test_sns_shapes);
    RUN(test_entities);
    RUN(test_numeric_refs);
    RUN(test_named_refs_bad);
    RUN(test_cdata_comments_pi);
    RUN(test_declaration);
    RUN(test_namespaces);
    RUN(test_attributes);
    RUN(test_paths);
    RUN(test_iterator_errors);
    RUN(test_text_buffer);
    RUN(test_utf8);
    RUN(test_limits);
    RUN(test_malformed);
    RUN(test_truncation);
    RUN(test_byte_damage);
    printf("xml: %d of %u capture files checked (%u SNS XML replies, %u SQS JSON replies refused), %u malformed cases\n",
           t_vectors_ok, (unsigned)(SIOC__COUNT(t_sns) + SIOC__COUNT(t_sqs)), (unsigned)SIOC__COUNT(t_sns),
           (unsigned)SIOC__COUNT(t_sqs), (unsigned)SIOC__COUNT(t_bad));
    return sioc_t_report("test_xml");
}
