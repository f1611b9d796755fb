#!/usr/bin/env python3
"""make size: -Os code size of each src/ piece, for x86-64 (gcc) and Cortex-M4 (arm-none-eabi-gcc -mthumb).

The whole implementation is compiled once per target with -ffunction-sections; every function and constant table
symbol is then attributed to the src/ file that defines it (static helpers inlined into a caller count for the
caller's piece). Only code and read-only data count (text + rodata), which is what flash holds."""
import os
import re
import subprocess
import sys
import tempfile

ROOT = os.path.dirname(os.path.dirname(os.path.abspath(__file__)))
sys.path.insert(0, ROOT)
import amalgamate  # noqa: E402  (the piece order lives there)

DEF = re.compile(r"^(?:SIOC_API|SIOC__FN|static)\b[^;=]*?\b(sioc_\w+)\s*(?:\(|\[)", re.M)

TARGETS = [
    ("x86-64", ["gcc"], ["nm"], []),
    ("cortex-m4", ["arm-none-eabi-gcc", "-mcpu=cortex-m4", "-mthumb"], ["arm-none-eabi-nm"], []),
    # the optional glue: POSIX backend and each TLS backend (their libraries are not counted)
    ("x86-64 posix+mbedtls", ["gcc"], ["nm"], ["_POSIX_C_SOURCE=200809L", "SIOC_ENABLE_POSIX=1", "SIOC_TLS=SIOC_TLS_MBEDTLS"]),
    ("x86-64 posix+bearssl", ["gcc"], ["nm"], ["_POSIX_C_SOURCE=200809L", "SIOC_ENABLE_POSIX=1", "SIOC_TLS=SIOC_TLS_BEARSSL"]),
]


def owners():
    own = {}
    for name in amalgamate.SOURCES:
        with open(os.path.join(amalgamate.SRC, name), encoding="utf-8") as f:
            for m in DEF.finditer(f.read()):
                own.setdefault(m.group(1), name)
    return own


def measure(cc, nm, defines):
    with tempfile.TemporaryDirectory() as d:
        src = os.path.join(d, "impl.c")
        obj = os.path.join(d, "impl.o")
        with open(src, "w") as f:
            f.write('#define SIO_CLUSTER_IMPLEMENTATION\n#include "sio_cluster.h"\n')
        cmd = cc + ["-std=c99", "-Os", "-ffunction-sections", "-fdata-sections", "-I", ROOT, "-c", src, "-o", obj]
        cmd += ["-D%s" % x for x in defines]
        r = subprocess.run(cmd, capture_output=True, text=True)
        if r.returncode != 0:
            return None, r.stderr
        out = subprocess.run(nm + ["-S", "--size-sort", obj], capture_output=True, text=True).stdout
    sizes = {}
    for line in out.splitlines():
        parts = line.split()
        if len(parts) == 4 and parts[2].lower() in ("t", "r"):
            name = re.sub(r"\.\d+$", "", parts[3])  # gcc's .constprop/.isra suffixes and local statics
            name = re.sub(r"\.(constprop|isra|part|cold)\b.*$", "", name)
            sizes[name] = sizes.get(name, 0) + int(parts[1], 16)
    return sizes, ""


def main():
    own = owners()
    pieces = [s for s in amalgamate.SOURCES]
    table = {}
    for label, cc, nm, defs in TARGETS:
        try:
            sizes, err = measure(cc, nm, defs)
        except FileNotFoundError:
            sizes, err = None, "%s not installed" % cc[0]
        if sizes is None:
            print("%s: %s" % (label, err.strip()[:300]))
            continue
        per = {}
        for sym, n in sizes.items():
            piece = own.get(sym, "other (tables, unattributed)")
            per[piece] = per.get(piece, 0) + n
        table[label] = per
    labels = [t[0] for t in TARGETS if t[0] in table]
    print("| piece | " + " | ".join("%s -Os bytes" % l for l in labels) + " |")
    print("|---|" + "---|" * len(labels))
    rows = pieces + sorted({p for per in table.values() for p in per if p not in pieces})
    for p in rows:
        vals = [table[l].get(p, 0) for l in labels]
        if any(vals):
            print("| %s | " % p + " | ".join(str(v) for v in vals) + " |")
    print("| **total** | " + " | ".join(str(sum(table[l].values())) for l in labels) + " |")


if __name__ == "__main__":
    main()
