#!/bin/sh
# Run one test command whose last summary line reads "<prefix>: N passed, N failed[, N skipped]" (or without the
# prefix), append that line to the results file as a subtotal, and count a crash without a summary as a failure.
# usage: tests/run_cmd.sh RESULTS LABEL COMMAND...
results=$1; label=$2; shift 2
log=build/$label.log
"$@" >"$log" 2>&1; rc=$?
cat "$log"
line=$(grep -aoE '(^|: )[0-9]+ passed, [0-9]+ failed(, [0-9]+ skipped)?' "$log" | tail -n 1 | grep -oE '[0-9]+ passed, [0-9]+ failed(, [0-9]+ skipped)?')
p=$(echo "$line" | sed -nE 's/^([0-9]+) passed.*/\1/p'); f=$(echo "$line" | sed -nE 's/.* ([0-9]+) failed.*/\1/p')
s=$(echo "$line" | sed -nE 's/.* ([0-9]+) skipped.*/\1/p')
p=${p:-0}; f=${f:-0}; s=${s:-0}
if [ $rc != 0 ] && [ "$f" = 0 ]; then f=1; echo "$label: exit $rc"; fi
if [ "$p" = 0 ] && [ "$f" = 0 ] && [ "$s" = 0 ]; then f=1; echo "$label: ran no test"; fi
echo "subtotal: $p passed, $f failed, $s skipped" >>"$results"
echo "$label subtotal: $p passed, $f failed, $s skipped"
[ "$f" = 0 ]
