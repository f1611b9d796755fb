#!/usr/bin/env python3
"""Write the msgpack fuzz seeds: every encode/decode input of msgpack-vectors.json and every msgpack `data` /
Azure body of cluster-canonical.json, as binary files in tests/fuzz/seeds/msgpack/ (run from anywhere)."""
import json
import os

HERE = os.path.dirname(os.path.abspath(__file__))
VEC = os.path.join(HERE, "..", "..", "vectors", "socketio")
OUT = os.path.join(HERE, "msgpack")


def main():
    os.makedirs(OUT, exist_ok=True)
    for name in os.listdir(OUT):
        if name.endswith(".bin"):
            os.remove(os.path.join(OUT, name))
    seeds = []
    with open(os.path.join(VEC, "msgpack-vectors.json"), encoding="utf-8") as f:
        mv = json.load(f)
    for i, case in enumerate(mv["encode"]):
        if "hex" in case:
            seeds.append(("enc%02d" % i, case["hex"]))
    for i, case in enumerate(mv["decode"]):
        seeds.append(("dec%02d" % i, case["hex"]))
    with open(os.path.join(VEC, "cluster-canonical.json"), encoding="utf-8") as f:
        cc = json.load(f)
    for i, v in enumerate(cc["vectors"]):
        for attr in v.get("aws", {}).get("MessageAttributes", []):
            if attr[0] == "data":
                seeds.append(("canon%02d-aws" % i, attr[2]))
        if "bodyHex" in v.get("azure", {}):
            seeds.append(("canon%02d-azure" % i, v["azure"]["bodyHex"]))
    seen = set()
    for name, hexdata in seeds:
        if hexdata in seen:
            continue
        seen.add(hexdata)
        with open(os.path.join(OUT, name + ".bin"), "wb") as f:
            f.write(bytes.fromhex(hexdata))
    print("%d seeds in %s" % (len(seen), OUT))


if __name__ == "__main__":
    main()
