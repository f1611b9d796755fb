#!/bin/sh
# Run each libFuzzer target for SECONDS, seeded from its committed corpus tests/fuzz/corpus/<target>/ (minimized,
# grown by `make fuzz-long`) and the folders listed in tests/fuzz/<target>.seeds (one path per line, relative to
# the repository root); extra libFuzzer flags (e.g. -max_len) come from tests/fuzz/<target>.flags. New inputs go to
# build/fuzz/corpus/<target>/. Prints executions per target; a crash, leak or timeout is a failure and leaves its
# reproducer in build/fuzz/findings/.
# usage: tests/fuzz/run.sh SECONDS TARGET...
secs=$1; shift
pass=0; fail=0
mkdir -p build/fuzz/findings
for t in "$@"; do
    corpus=build/fuzz/corpus/$t
    mkdir -p "$corpus"
    seeds=""
    if [ -d "tests/fuzz/corpus/$t" ]; then seeds="tests/fuzz/corpus/$t"; fi
    if [ -f "tests/fuzz/$t.seeds" ]; then
        seeds="$seeds $(grep -v '^#' "tests/fuzz/$t.seeds" | sed '/^$/d' | tr '\n' ' ')"
    fi
    flags=""
    if [ -f "tests/fuzz/$t.flags" ]; then flags=$(grep -v '^#' "tests/fuzz/$t.flags" | tr '\n' ' '); fi
    log=build/fuzz/$t.log
    # -rss_limit_mb keeps a runaway allocation a finding instead of an OOM kill.
    # shellcheck disable=SC2086
    if build/fuzz/$t -max_total_time="$secs" -timeout=10 -rss_limit_mb=2048 -print_final_stats=1 $flags \
        -artifact_prefix=build/fuzz/findings/$t- "$corpus" $seeds >"$log" 2>&1; then
        execs=$(grep -aE '^stat::number_of_executed_units' "$log" | awk '{print $2}')
        echo "  $t: ${execs:-?} executions in ${secs}s, no finding"
        pass=$((pass + 1))
    else
        tail -n 30 "$log"
        echo "  $t: FINDING (see $log and build/fuzz/findings/)"
        fail=$((fail + 1))
    fi
done
echo "subtotal: $pass passed, $fail failed"
[ $fail = 0 ]
