#!/bin/sh
# Run test binaries (optionally through an emulator such as qemu) and add up their "N passed, N failed[, N skipped]"
# lines into one "subtotal:" line. SKIPPED lines are always shown; a binary that is missing (it did not build) or
# ends without a summary counts as a failure.
# usage: tests/run.sh [--emu "qemu-s390x-static"] BIN[,ARG...]...
#   BIN,ARG,ARG runs BIN with those arguments (a test run once per transport: test_member_live,--transport,aws).
emu=""
if [ "$1" = "--emu" ]; then emu="$2"; shift 2; fi
tp=0; tf=0; ts=0; broken=0
for spec in "$@"; do
    bin=${spec%%,*}; args=""
    case $spec in *,*) args=$(printf '%s' "${spec#*,}" | tr ',' ' ') ;; esac
    if [ ! -x "$bin" ]; then echo "  $bin: not built (see the compiler errors above)"; broken=$((broken + 1)); continue; fi
    out=$($emu "$bin" $args 2>&1); rc=$?
    line=$(printf '%s\n' "$out" | grep -E '^[A-Za-z0-9_./-]+: [0-9]+ passed, [0-9]+ failed' | tail -n 1)
    if [ -z "$line" ]; then
        printf '%s\n' "$out" | tail -n 20
        echo "$bin $args: no summary line (exit $rc)"; broken=$((broken + 1)); continue
    fi
    p=$(echo "$line" | sed -E 's/.*: ([0-9]+) passed, ([0-9]+) failed.*/\1/')
    f=$(echo "$line" | sed -E 's/.*: ([0-9]+) passed, ([0-9]+) failed.*/\2/')
    s=$(echo "$line" | sed -nE 's/.*, ([0-9]+) skipped.*/\1/p'); s=${s:-0}
    if [ "$f" != 0 ] || [ $rc != 0 ]; then printf '%s\n' "$out" | grep -v '^FAIL' | tail -n 5; printf '%s\n' "$out" | grep '^FAIL' | head -n 30; fi
    printf '%s\n' "$out" | grep '^SKIPPED' | sed 's/^/  /'
    [ $rc != 0 ] && [ "$f" = 0 ] && f=1
    echo "  $line ${emu:+[$emu]}"
    tp=$((tp + p)); tf=$((tf + f)); ts=$((ts + s))
done
tf=$((tf + broken))
echo "subtotal: $tp passed, $tf failed, $ts skipped"
[ $tf = 0 ]
