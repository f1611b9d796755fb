#!/usr/bin/env python3
"""Build sio_cluster.h from src/ (Python standard library only).

    python3 amalgamate.py            write sio_cluster.h
    python3 amalgamate.py --check    exit 1 if sio_cluster.h differs from what src/ gives, or if any src/*.c
                                     does not compile on its own (a missing #include hidden by the order)
    python3 amalgamate.py --lines    add #line directives (for debugging; not for the committed file)
    python3 amalgamate.py --out F    write F instead of sio_cluster.h
    python3 amalgamate.py --basic-usage F   write the manual's "Basic usage" program to F (make test builds it)

Rules: the lists below are the order (lower layers first, no globbing); `#include "..."` lines naming project files
are dropped, `#include <...>` lines are kept, and a line carrying `/* amalgamate: keep */` is always kept.
"""
import os
import re
import subprocess
import sys
import tempfile

ROOT = os.path.dirname(os.path.abspath(__file__))
SRC = os.path.join(ROOT, "src")
OUT = os.path.join(ROOT, "sio_cluster.h")

MANUAL = "manual.h"  # the top comment: the user's manual, before the include guard

# Public part, inside the include guard (written by this script so each piece also compiles on its own).
HEADERS = [
    "prologue.h",
    "base.h",
    "crypto.h",
    "json.h",
    "msgpack.h",
    "xml.h",
    "sas.h",
    "sio_parser.h",
    "eio.h",
    "cluster_msg.h",
    "local_select.h",
    "cluster.h",
    "http.h",
    "tls.h",
    "posix.h",
    "sigv4.h",
    "aws.h",
    "azure.h",
    "member.h",
    "public_end.h",
]

# Implementation part, emitted once when SIO_CLUSTER_IMPLEMENTATION is defined.
SOURCES = [
    "internal.h",
    "base.c",
    "crypto.c",
    "json.c",
    "msgpack.c",
    "xml.c",
    "sas.c",
    "sio_parser.c",
    "eio.c",
    "cluster_msg.c",
    "local_select.c",
    "cluster.c",
    "http.c",
    "tls_none.c",
    "tls_mbedtls.c",
    "tls_bearssl.c",
    "posix.c",
    "sigv4.c",
    "aws.c",
    "azure.c",
    "member_int.h",
    "member.c",
    "member_aws.c",
    "member_azure.c",
    "member_janitor.c",
]

EPILOGUE = "epilogue.h"  # licence text, after everything

LOCAL_INCLUDE = re.compile(r'^\s*#\s*include\s*"[^"]+"')


def piece(name, lines_directives, banner=True):
    path = os.path.join(SRC, name)
    out = ["/* ---- src/%s ---- */\n" % name] if banner else []
    with open(path, encoding="utf-8") as f:
        for no, line in enumerate(f, 1):
            if LOCAL_INCLUDE.match(line) and "amalgamate: keep" not in line:
                continue
            if lines_directives and no == 1 and banner:
                out.append('#line 1 "src/%s"\n' % name)
            out.append(line)
    if not out[-1].endswith("\n"):
        out[-1] += "\n"
    return "".join(out)


def build(lines_directives=False):
    parts = [piece(MANUAL, lines_directives, banner=False), "#ifndef SIO_CLUSTER_H\n#define SIO_CLUSTER_H\n"]
    parts += [piece(h, lines_directives) for h in HEADERS]
    parts.append("#endif /* SIO_CLUSTER_H */\n")
    parts.append("\n#if defined(SIO_CLUSTER_IMPLEMENTATION) && !defined(SIOC__IMPL_DONE)\n#define SIOC__IMPL_DONE\n")
    parts += [piece(s, lines_directives) for s in SOURCES]
    parts.append("#endif /* SIO_CLUSTER_IMPLEMENTATION */\n\n")
    parts.append(piece(EPILOGUE, lines_directives))
    return "".join(parts)


def compile_each():
    """Compile every listed source on its own so a missing include cannot hide behind the amalgamation order."""
    cc = os.environ.get("CC", "cc")
    ok = True
    for s in SOURCES:
        if not s.endswith(".c"):
            continue
        cmd = [cc, "-std=c99", "-fsyntax-only", "-Werror=implicit-function-declaration",
               "-Wno-unused-function", "-I", SRC, os.path.join(SRC, s)]
        r = subprocess.run(cmd, capture_output=True, text=True)
        if r.returncode != 0:
            ok = False
            sys.stderr.write("src/%s does not compile on its own:\n%s\n" % (s, r.stderr))
    return ok


def basic_usage():
    """The program under BASIC USAGE in the manual, as a C file (its comments are // ones)."""
    with open(os.path.join(SRC, MANUAL), encoding="utf-8") as f:
        text = f.read()
    body = text[text.index("BASIC USAGE"):]
    body = body[body.index("\n\n") + 2:]
    out = []
    for line in body.split("\n"):
        if line and not line.startswith("       "):
            break
        out.append(line[7:])
    return "\n".join(out).strip() + "\n"


def main(argv):
    if "--basic-usage" in argv:
        with open(argv[argv.index("--basic-usage") + 1], "w", encoding="utf-8") as f:
            f.write(basic_usage())
        return 0
    lines = "--lines" in argv
    out = OUT
    if "--out" in argv:
        out = argv[argv.index("--out") + 1]
    text = build(lines)
    if "--check" in argv:
        try:
            with open(OUT, encoding="utf-8") as f:
                current = f.read()
        except FileNotFoundError:
            current = ""
        fresh = current == build(False)
        if not fresh:
            sys.stderr.write("sio_cluster.h is stale: run python3 amalgamate.py\n")
        compiled = compile_each()
        return 0 if fresh and compiled else 1
    tmp = tempfile.NamedTemporaryFile("w", delete=False, dir=os.path.dirname(os.path.abspath(out)),
                                      encoding="utf-8", suffix=".tmp")
    with tmp:
        tmp.write(text)
    os.replace(tmp.name, out)  # atomic: concurrent builds never see half a header
    return 0


if __name__ == "__main__":
    sys.exit(main(sys.argv[1:]))
