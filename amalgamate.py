#!/usr/bin/env python3
"""Build sio_cluster.h from src/ (Python standard library only).

    python3 amalgamate.py            write sio_cluster.h
    python3 amalgamate.py --check    exit 1 if sio_cluster.h differs from what src/ gives, if any src/*.c or
                                     public header does not compile on its own (a missing #include hidden by
                                     the order), or if an #include breaks the layering (below)
    python3 amalgamate.py --lines    add #line directives (for debugging; not for the committed file)
    python3 amalgamate.py --out F    write F instead of sio_cluster.h
    python3 amalgamate.py --basic-usage F   write the manual's "Basic usage" program to F (make test builds it)
    python3 amalgamate.py --src D    read the pieces from D instead of src/ (the checker's own test uses a copy)

Rules: the lists below are the order (lower layers first, no globbing); `#include "..."` lines naming project files
and `#pragma once` lines are dropped, `#include <...>` lines are kept, and a line carrying `/* amalgamate: keep */`
is always kept.

Layering (checked by --check): HEADERS is the layer order. A file sits in the layer of its header (x.c with x.h,
LAYER_OF for the rest) and includes exactly the project headers whose names it uses, all at or below its layer:
never a higher one (an upward include), never one it uses nothing from, never internal.h from a public header.
prologue.h may come through base.h. Which header a name belongs to is where it first appears in layer order.
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
    "mpjson.h",
    "xml.h",
    "sas.h",
    "sio_parser.h",
    "eio.h",
    "cluster_msg.h",
    "local_select.h",
    "cluster.h",
    "tls.h",
    "http.h",
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
    "mpjson.c",
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

INTERNAL = "internal.h"  # private helpers of the implementation; in the layer of base.h
PRIVATE = [INTERNAL, "member_int.h"]  # private headers, never included by a public one
# The TLS backends implement tls.h for the HTTP engine and read its client's description: they sit with http.h.
# The member's pieces (its private header, each cloud, the janitor) sit with member.h.
LAYER_OF = {INTERNAL: "base.h", "tls_none.c": "http.h", "tls_mbedtls.c": "http.h", "tls_bearssl.c": "http.h",
            "member_int.h": "member.h", "member_aws.c": "member.h", "member_azure.c": "member.h",
            "member_janitor.c": "member.h"}
# Sources compiled alone a second time with their feature on (skipped when the library's header is missing).
FEATURE_BUILDS = {
    "posix.c": (["-DSIOC_ENABLE_POSIX=1", "-D_POSIX_C_SOURCE=200809L"], None),
    "tls_mbedtls.c": (["-DSIOC_TLS=SIOC_TLS_MBEDTLS"], "mbedtls/ssl.h"),
    "tls_bearssl.c": (["-DSIOC_TLS=SIOC_TLS_BEARSSL"], "bearssl.h"),
}

LOCAL_INCLUDE = re.compile(r'^\s*#\s*include\s*"([^"]+)"')
PRAGMA_ONCE = re.compile(r'^\s*#\s*pragma\s+once\s*$')
NAME = re.compile(r'\b(?:sioc|SIOC)_\w*')


def piece(name, lines_directives, banner=True):
    path = os.path.join(SRC, name)
    out = ["/* ---- src/%s ---- */\n" % name] if banner else []
    with open(path, encoding="utf-8") as f:
        for no, line in enumerate(f, 1):
            if (LOCAL_INCLUDE.match(line) or PRAGMA_ONCE.match(line)) and "amalgamate: keep" not in line:
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
    """Compile every listed source and public header on its own so a missing include cannot hide behind the
    amalgamation order."""
    cc = os.environ.get("CC", "cc")
    base = [cc, "-std=c99", "-fsyntax-only", "-Werror=implicit-function-declaration", "-Wno-unused-function",
            "-I", SRC]
    ok = True

    def run(label, args, stdin=None):
        r = subprocess.run(base + args, capture_output=True, text=True, input=stdin)
        if r.returncode != 0:
            sys.stderr.write("%s does not compile on its own:\n%s\n" % (label, r.stderr))
        return r.returncode == 0

    def have(header):
        return subprocess.run([cc, "-E", "-x", "c", "-"], input="#include <%s>\n" % header,
                              capture_output=True, text=True).returncode == 0

    for s in SOURCES:
        if s.endswith(".c"):
            ok &= run("src/" + s, [os.path.join(SRC, s)])
            flags, needs = FEATURE_BUILDS.get(s, (None, None))
            if flags and (needs is None or have(needs)):
                ok &= run("src/%s (%s)" % (s, " ".join(flags)), flags + [os.path.join(SRC, s)])
    for h in HEADERS:
        if h != "public_end.h":
            ok &= run("src/" + h, ["-x", "c", "-"], '#include "%s"\n' % h)
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


def code_of(name):
    """A file's code as the layering check reads it: no comments, string or character literals (names in prose
    are not uses), no tags of incomplete struct types."""
    with open(os.path.join(SRC, name), encoding="utf-8") as f:
        text = f.read()
    text = re.sub(r"/\*.*?\*/", " ", text, flags=re.S)
    text = re.sub(r"//[^\n]*", " ", text)
    text = re.sub(r'"(?:\\.|[^"\\\n])*"', '""', text)
    text = re.sub(r"'(?:\\.|[^'\\\n])*'", "''", text)
    # "struct sioc_x" without a body names an incomplete type: it needs no header, so it is no use of one
    return re.sub(r"\bstruct\s+\w+\b(?!\s*\{)", "struct", text)


def check_layers():
    """Every project #include goes down (or level) and names a header the file uses; every used header is
    included. Returns the list of problems."""
    order = list(HEADERS)
    for priv in PRIVATE:  # a private header right after the header of its layer
        order.insert(order.index(LAYER_OF[priv]) + 1, priv)
    rank = {h: i for i, h in enumerate(order)}
    for priv in PRIVATE:
        rank[priv] = rank[LAYER_OF[priv]]
    owner = {}
    for h in order:
        for n in NAME.findall(code_of(h)):
            owner.setdefault(n, h)
    problems = []
    for f in order + [s for s in SOURCES if s.endswith(".c")]:
        layer = LAYER_OF.get(f, f[:-2] + ".h" if f.endswith(".c") else f)
        if layer not in rank:
            problems.append("src/%s: no layer (add its header to HEADERS or the file to LAYER_OF)" % f)
            continue
        used = {owner[n] for n in NAME.findall(code_of(f)) if n in owner and owner[n] != f}
        with open(os.path.join(SRC, f), encoding="utf-8") as fh:
            included = [(no, m.group(1)) for no, line in enumerate(fh, 1) for m in [LOCAL_INCLUDE.match(line)]
                        if m and "amalgamate: keep" not in line]
        for no, inc in included:
            where = "src/%s:%d: #include \"%s\"" % (f, no, inc)
            if inc not in rank:
                problems.append(where + " is not a listed header")
            elif inc in PRIVATE and f in HEADERS:
                problems.append(where + " from a public header")
            elif rank[inc] > rank[layer] or inc == f:
                problems.append(where + " goes up the layers (%s sits with %s)" % (f, layer))
            elif inc not in used:
                problems.append(where + " is not used")
        names = {inc for _, inc in included}
        for h in sorted(used - names, key=order.index):
            if h == "prologue.h" and "base.h" in names:
                continue
            problems.append("src/%s uses %s without including it" % (f, h))
    return problems


def main(argv):
    global SRC
    if "--src" in argv:
        SRC = os.path.abspath(argv[argv.index("--src") + 1])
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
        problems = check_layers()
        for p in problems:
            sys.stderr.write("layering: %s\n" % p)
        compiled = compile_each()
        return 0 if fresh and compiled and not problems else 1
    tmp = tempfile.NamedTemporaryFile("w", delete=False, dir=os.path.dirname(os.path.abspath(out)),
                                      encoding="utf-8", suffix=".tmp")
    with tmp:
        tmp.write(text)
    os.replace(tmp.name, out)  # atomic: concurrent builds never see half a header
    return 0


if __name__ == "__main__":
    sys.exit(main(sys.argv[1:]))
