#!/bin/sh
# make fuzz-long: run each libFuzzer target until RUNS executions (default 10 000 000) or SECONDS (0: no time
# cap), seeded like tests/fuzz/run.sh, then minimize the committed corpus tests/fuzz/corpus/<t>/ with what it
# found, from scratch with -set_cover_merge=1 (-merge=1 picking a near-minimal set of inputs with the same
# coverage: about half the files of plain -merge=1). Prints a table:
# executions, time, executions per second, corpus files and bytes; a crash, leak or timeout is a failure
# (reproducer in build/fuzz/findings/). Ends with "N passed, N failed".
# usage: tests/fuzz/long.sh RUNS SECONDS TARGET...
runs=$1; secs=$2; shift 2
pass=0; fail=0
mkdir -p build/fuzz/findings
printf '  %-18s %12s %8s %9s %14s\n' target executions seconds exec/s corpus
for t in "$@"; do
    corpus=build/fuzz/corpus/$t
    keep=tests/fuzz/corpus/$t
    mkdir -p "$corpus" "$keep"
    seeds="$keep"
    if [ -f "tests/fuzz/$t.seeds" ]; then
        seeds="$seeds $(grep -v '^#' "tests/fuzz/$t.seeds" | sed '/^$/d' | tr '\n' ' ')"
    fi
    flags=""
    if [ -f "tests/fuzz/$t.flags" ]; then flags=$(grep -v '^#' "tests/fuzz/$t.flags" | tr '\n' ' '); fi
    log=build/fuzz/$t.long.log
    t0=$(date +%s)
    # shellcheck disable=SC2086
    if build/fuzz/$t -runs="$runs" -max_total_time="$secs" -timeout=10 -rss_limit_mb=2048 -print_final_stats=1 \
        $flags -artifact_prefix=build/fuzz/findings/$t- "$corpus" $seeds >"$log" 2>&1; then
        t1=$(date +%s)
        execs=$(grep -aE '^stat::number_of_executed_units' "$log" | awk '{print $2}')
        # minimize from scratch (committed corpus + this run's) into a fresh folder, which then replaces it
        min=build/fuzz/merged/$t
        rm -rf "$min"; mkdir -p "$min"
        # shellcheck disable=SC2086
        if build/fuzz/$t -set_cover_merge=1 $flags "$min" "$keep" "$corpus" >"$log.merge" 2>&1; then
            rm -rf "$keep"; mv "$min" "$keep"
        else
            echo "  $t: merge failed (see $log.merge)"
        fi
        files=$(find "$keep" -type f | wc -l)
        bytes=$(find "$keep" -type f -exec cat {} + | wc -c)
        dt=$((t1 - t0)); [ $dt -gt 0 ] || dt=1
        printf '  %-18s %12s %8s %9s %6s/%7sB\n' "$t" "${execs:-?}" "$dt" "$(( ${execs:-0} / dt ))" "$files" "$bytes"
        pass=$((pass + 1))
    else
        tail -n 30 "$log"
        echo "  $t: FINDING (see $log and build/fuzz/findings/)"
        fail=$((fail + 1))
    fi
done
echo "fuzz-long: $pass passed, $fail failed"
[ $fail = 0 ]
