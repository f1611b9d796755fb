#!/usr/bin/env python3
"""Seeds for fuzz_aws: the reply bodies of every capture in tests/vectors/aws/ (cut by Content-Length), plus a few
AWS-shaped replies the emulator never produces (batch failures, subscription lists, escaped JSON). Run from the
repository root: python3 tests/fuzz/seeds/make_aws_seeds.py"""
import os
import re

ROOT = os.path.dirname(os.path.dirname(os.path.dirname(os.path.dirname(os.path.abspath(__file__)))))
SRC = os.path.join(ROOT, "tests", "vectors", "aws")
OUT = os.path.join(ROOT, "tests", "fuzz", "seeds", "aws")

EXTRA = {
    "x-sns-batch-failed.xml": b'<PublishBatchResponse><PublishBatchResult><Failed><member><Id>b</Id><Code>X</Code>'
    b'<Message>a &amp; b</Message><SenderFault>true</SenderFault></member></Failed><Successful><member><Id>a</Id>'
    b'<MessageId>m</MessageId></member></Successful></PublishBatchResult></PublishBatchResponse>',
    "x-sns-list-subs.xml": b'<ListSubscriptionsByTopicResponse><ListSubscriptionsByTopicResult><Subscriptions>'
    b'<member><TopicArn>t</TopicArn><Protocol>sqs</Protocol><SubscriptionArn>s</SubscriptionArn><Owner>0</Owner>'
    b'<Endpoint>e&#x31;</Endpoint></member></Subscriptions><NextToken>n</NextToken>'
    b'</ListSubscriptionsByTopicResult></ListSubscriptionsByTopicResponse>',
    "x-sqs-batch-failed.json": b'{"Failed":[{"Id":"x","SenderFault":true,"Code":"ReceiptHandleIsInvalid",'
    b'"Message":"m\\u00e9"}],"Successful":[{"Id":"y"}]}',
    "x-sqs-escaped-binary.json": b'{"Messages":[{"MessageId":"a\\u0041","ReceiptHandle":"r","Body":"b\\n",'
    b'"MessageAttributes":{"d":{"DataType":"Binary","BinaryValue":"\\/\\/\\u002B+\\/w=="},'
    b'"n":{"DataType":"Number.int","StringValue":"1"}}}]}',
    "x-sqs-list.json": b'{"QueueUrls":["u1","u\\/2"],"NextToken":"n","Tags":{"a":"b"}}',
    "x-date.txt": b"Mon, 23 Nov 2026 05:47:55 GMT",
    "x-endpoint.txt": b"http://127.0.0.1:4566/",
}


def main():
    os.makedirs(OUT, exist_ok=True)
    for name in sorted(os.listdir(SRC)):
        if not name.endswith(".txt"):
            continue
        data = open(os.path.join(SRC, name), "rb").read()
        resp = data.split(b"======== RESPONSE ========\n\n", 1)[1]
        head, body = resp.split(b"\r\n\r\n", 1)
        m = re.search(rb"content-length: (\d+)", head, re.I)
        body = body[: int(m.group(1))]
        with open(os.path.join(OUT, name[:2] + ".reply"), "wb") as f:
            f.write(body)
    for name, data in EXTRA.items():
        with open(os.path.join(OUT, name), "wb") as f:
            f.write(data)


if __name__ == "__main__":
    main()
