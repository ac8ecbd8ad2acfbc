#!/bin/sh
# bench's tests in two uvu processes at once (CI's wall time: the package's suite is the longest of
# the workspace, and most of it waits on child processes, workers and the browser): the lab,
# matrix, packaging and explorer folders in one, every other folder in the other. Exits non-zero
# when either fails. Extra arguments are passed to both.
export NODE_OPTIONS=--import=tsx
uvu test '^(lab|matrix|packaging|explore)/.*\.test\.ts$' "$@" &
first=$!
uvu test '^(adapters|cli|kernel|metrics|native|registry|report|workloads)/.*\.test\.ts$' "$@"
second=$?
wait "$first"
first=$?
[ "$first" -eq 0 ] && [ "$second" -eq 0 ]
