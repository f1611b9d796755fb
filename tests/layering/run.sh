#!/bin/sh
# The layering check must fail on a bad include: each case edits a copy of src/ and expects amalgamate.py --check
# to name the problem. Prints one line per case and a subtotal.
set -u
tmp=$(mktemp -d); trap 'rm -rf "$tmp"' EXIT
pass=0; fail=0
case_() { # label, file, include line to add (after #pragma once or the first #include), text the check must print
    rm -rf "$tmp/src"; cp -r src "$tmp/src"
    sed -i "0,/^#\(pragma once\|include \"\)/s//$(printf '%s' "$3" | sed 's/[\/&]/\\&/g')\n&/" "$tmp/src/$2"
    if python3 amalgamate.py --check --src "$tmp/src" 2>"$tmp/err" >/dev/null; then
        fail=$((fail + 1)); echo "  FAIL $1: --check passed"
    elif grep -q "$4" "$tmp/err"; then pass=$((pass + 1)); echo "  ok   $1"
    else fail=$((fail + 1)); echo "  FAIL $1: no \"$4\""; head -n 5 "$tmp/err"; fi
}
case_ "upward include in a header" json.h '#include "cluster.h"' 'json.h:[0-9]*: #include "cluster.h" goes up the layers'
case_ "upward include in a source" msgpack.c '#include "http.h"' 'msgpack.c:[0-9]*: #include "http.h" goes up the layers'
case_ "unused lower include" cluster_msg.h '#include "xml.h"' 'cluster_msg.h:[0-9]*: #include "xml.h" is not used'
case_ "internal.h from a public header" crypto.h '#include "internal.h"' 'from a public header'
case_ "unknown header" base.c '#include "nowhere.h"' 'is not a listed header'
rm -rf "$tmp/src"; cp -r src "$tmp/src"; sed -i '/^#include "crypto.h"$/d' "$tmp/src/sigv4.h"
if python3 amalgamate.py --check --src "$tmp/src" 2>"$tmp/err" >/dev/null; then fail=$((fail + 1)); echo "  FAIL missing include: --check passed"
elif grep -q 'sigv4.h uses crypto.h without including it' "$tmp/err" && grep -q 'sigv4.h does not compile on its own' "$tmp/err"; then
    pass=$((pass + 1)); echo "  ok   missing include (named, and the header no longer compiles alone)"
else fail=$((fail + 1)); echo "  FAIL missing include"; head -n 5 "$tmp/err"; fi
if python3 amalgamate.py --check >/dev/null 2>&1; then pass=$((pass + 1)); echo "  ok   src/ as committed passes"
else fail=$((fail + 1)); echo "  FAIL src/ as committed"; fi
echo "subtotal: $pass passed, $fail failed"
[ $fail = 0 ]
