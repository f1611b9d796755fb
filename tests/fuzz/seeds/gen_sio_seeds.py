#!/usr/bin/env python3
"""Regenerate the seed folders of fuzz_cluster_msg and fuzz_sio_packet from tests/vectors/socketio/.

    python3 tests/fuzz/seeds/gen_sio_seeds.py      (from the repository root)

fuzz_cluster_msg input: first byte = message type for the AWS shape (low 4 bits), the rest = the AWS `data`
attribute; the same rest is also decoded as an Azure body. Seeds: every distinct data blob and Azure body.
fuzz_sio_packet input: one socket.io text frame; seeds: the parser vectors' texts and the captured frames.
Files are named by content hash, so reruns are stable and duplicates collapse."""
import hashlib
import json
import os

ROOT = os.path.dirname(os.path.dirname(os.path.dirname(os.path.dirname(os.path.abspath(__file__)))))
VEC = os.path.join(ROOT, "tests", "vectors", "socketio")
OUT = os.path.join(ROOT, "tests", "fuzz", "seeds")


def write(folder, blob):
    path = os.path.join(OUT, folder)
    os.makedirs(path, exist_ok=True)
    name = hashlib.sha256(blob).hexdigest()[:16]
    with open(os.path.join(path, name), "wb") as f:
        f.write(blob)


def load(name):
    with open(os.path.join(VEC, name), encoding="utf-8") as f:
        return json.load(f)


def cluster_seeds():
    canon = load("cluster-canonical.json")
    for v in canon["vectors"]:
        if v["kind"] not in ("publish", "response"):
            continue
        t = int(v["aws"]["Message"])
        for name, typ, val in v["aws"]["MessageAttributes"]:
            if name == "data":
                write("cluster_msg", bytes([t]) + bytes.fromhex(val))
        write("cluster_msg", bytes([t]) + bytes.fromhex(v["azure"]["bodyHex"]))
    for m in load("cluster-capture-aws.json")["msgs"]:
        if "dataHex" in m:
            write("cluster_msg", bytes([int(m["Message"])]) + bytes.fromhex(m["dataHex"]))
    for m in load("cluster-capture-azure.json")["msgs"]:
        write("cluster_msg", bytes([m.get("decoded", {}).get("type", 0)]) + bytes.fromhex(m["bodyHex"]))


def sio_seeds():
    pv = load("parser-vectors.json")
    for case in pv["encode"]:
        for frame in case["encoded"]:
            if "text" in frame:
                write("sio_packet", frame["text"].encode())
    for frame in pv["jsonCorner"]["encoded"]:
        write("sio_packet", frame["text"].encode())
    for case in pv["decode"]:
        write("sio_packet", case["input"].encode())
    for name in ("cluster-capture-aws.json", "cluster-capture-azure.json"):
        for w in load(name)["engineWrites"]:
            for p in w["packets"]:
                if "text" in p:
                    write("sio_packet", p["text"].encode())
    # client acks, as the node receives them
    for text in ('30["answer0"]', '61-1[{"_placeholder":true,"num":0}]', '3/admin,7[{"a":[1,2.5,null]}]', "35"):
        write("sio_packet", text.encode())


if __name__ == "__main__":
    cluster_seeds()
    sio_seeds()
