#!/usr/bin/env python3
"""Write the XML response bodies of the AWS captures into tests/fuzz/seeds/xml/ (seeds for fuzz_xml).

    python3 tests/fuzz/seeds/make_xml_seeds.py

Each capture (tests/vectors/aws/*.txt, format in tests/vectors/aws/README.md) holds one exchange; the response
body is cut by its Content-Length. Only text/xml bodies are kept. A few hand-written documents covering the
features the captures lack (declaration, namespaces, CDATA, references, comments) are added."""
import glob
import os
import re

HERE = os.path.dirname(os.path.abspath(__file__))
ROOT = os.path.normpath(os.path.join(HERE, "..", "..", ".."))
OUT = os.path.join(HERE, "xml")

EXTRA = {
    "x-features.xml": b'\xef\xbb\xbf<?xml version="1.0" encoding="UTF-8" standalone="yes"?>\n<!-- c --><?pi d?>'
                      b'<sns:R xmlns:sns="urn:x" a=\'x>y\'><A b="&lt;&#x20AC;">t&amp;&#65;&#x1F600;'
                      b'<![CDATA[<c>]]]]><![CDATA[>]]><!--x--><?q?>\r\n\xc3\xa9</A><E/></sns:R>\n',
    "x-batch-failed.xml": b'<PublishBatchResponse><PublishBatchResult><Successful/><Failed><member><Id>b</Id>'
                          b'<Code>InvalidParameter</Code><Message>a &quot;b&quot;</Message><SenderFault>true'
                          b'</SenderFault></member></Failed></PublishBatchResult></PublishBatchResponse>',
    "x-list.xml": b'<ListSubscriptionsByTopicResponse><ListSubscriptionsByTopicResult><Subscriptions><member>'
                  b'<Protocol>sqs</Protocol></member><member><Protocol>sqs</Protocol></member></Subscriptions>'
                  b'<NextToken>t</NextToken></ListSubscriptionsByTopicResult></ListSubscriptionsByTopicResponse>',
}


def main():
    os.makedirs(OUT, exist_ok=True)
    n = 0
    for path in sorted(glob.glob(os.path.join(ROOT, "tests", "vectors", "aws", "*.txt"))):
        data = open(path, "rb").read()
        resp = data[data.index(b"======== RESPONSE ========\n"):]
        head, _, rest = resp.partition(b"\r\n\r\n")
        if not re.search(rb"(?im)^content-type:\s*text/xml", head):
            continue
        length = int(re.search(rb"(?im)^content-length:\s*(\d+)", head).group(1))
        name = os.path.splitext(os.path.basename(path))[0] + ".xml"
        with open(os.path.join(OUT, name), "wb") as f:
            f.write(rest[:length])
        n += 1
    for name, body in EXTRA.items():
        with open(os.path.join(OUT, name), "wb") as f:
            f.write(body)
        n += 1
    print("wrote %d seeds to %s" % (n, os.path.relpath(OUT, ROOT)))


if __name__ == "__main__":
    main()
