#!/bin/sh
# One step of `make test`. The step's failure never stops the run: the closing line (tests/total.sh) always comes.
#   tests/step.sh [--count] LABEL COMMAND...
# --count: the step is itself one test (amalgamation check, symbol check, examples build): 1 passed or 1 failed.
# Otherwise the step records its own subtotals; if it fails without having recorded a failure (a build error, a
# crash of the runner), one failure is recorded for it here.
results=build/results.txt
count=0
if [ "$1" = --count ]; then count=1; shift; fi
label=$1; shift
mkdir -p build; touch "$results"
failures() { awk '/^subtotal: / { f += $4 } END { print f + 0 }' "$results"; }
before=$(failures)
"$@"; rc=$?
if [ $count = 1 ]; then
    if [ $rc = 0 ]; then echo "subtotal: 1 passed, 0 failed, 0 skipped" >>"$results"; echo "  $label: ok"
    else echo "subtotal: 0 passed, 1 failed, 0 skipped" >>"$results"; echo "FAIL $label (exit $rc)"; fi
elif [ $rc != 0 ] && [ "$(failures)" = "$before" ]; then
    echo "FAIL $label: exit $rc before any test result (see the errors above)"
    echo "subtotal: 0 passed, 1 failed, 0 skipped" >>"$results"
fi
exit 0
