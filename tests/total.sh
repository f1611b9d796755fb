#!/bin/sh
# Add up the "subtotal: N passed, N failed" lines of one `make test` run into the closing line.
awk '/^subtotal: [0-9]+ passed, [0-9]+ failed/ { p += $2; f += $4 }
     END { printf "%d passed, %d failed\n", p, f; exit (f == 0 && p > 0) ? 0 : 1 }' "$1"
