#!/bin/sh
# Add up the "subtotal: N passed, N failed[, N skipped]" lines of one `make test` run into the closing line, which is
# always the last line printed. Exit 1 on any failure, on no test at all, and (SIOC_REQUIRE_ALL=1, CI) on any skip.
awk -v all="${SIOC_REQUIRE_ALL:-0}" '
     /^subtotal: [0-9]+ passed, [0-9]+ failed/ { p += $2; f += $4; if ($6 != "") s += $6 }
     END {
         if (all == "1" && s > 0) print "SIOC_REQUIRE_ALL=1: " s " part(s) skipped; install what their SKIPPED lines name"
         printf "%d passed, %d failed, %d skipped\n", p, f, s
         exit (f == 0 && p > 0 && (all != "1" || s == 0)) ? 0 : 1
     }' "$1"
