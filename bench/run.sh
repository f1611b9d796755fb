#!/bin/sh
# make bench: every bench program's table in one run. bench.c gets the `openssl speed sha256` figure (16 KiB
# blocks) measured here beside its own SHA-256 row. BENCH_MEMBER_SCALE (default 0.5: 1000 broadcasts at 200/s and
# 5000 at the highest rate per configuration) sizes bench_member's phases.
set -e
ossl=0
if command -v openssl >/dev/null 2>&1; then
    # "sha256  ... <16384-byte column>k": the last column is in thousands of bytes per second.
    k=$(openssl speed -seconds 1 -bytes 16384 sha256 2>/dev/null | awk '/^sha256/ {v=$NF} END {print v}' | tr -d k)
    [ -n "$k" ] && ossl=$(awk -v k="$k" 'BEGIN {printf "%.0f", k * 1000}')
fi
for b in "$@"; do
    echo "### $b"
    if [ "$b" = bench ]; then build/bench/bench "${BENCH_SECONDS:-0.5}" "$ossl"
    elif [ "$b" = bench_member ]; then build/bench/bench_member "${BENCH_MEMBER_SCALE:-0.5}"
    else build/bench/$b 1; fi
    echo
done
