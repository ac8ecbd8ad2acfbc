#!/bin/sh
# bench/native/build.sh: what bench's build step calls. Builds the native driver and recorder with
# make when a C compiler and make exist; otherwise says so and exits 0 so the TS build goes on.
case "$0" in */*) dir=${0%/*} ;; *) dir=. ;; esac
dir=$(cd "$dir" && pwd)
cc=${CC:-}
if [ -z "$cc" ]; then
  if command -v gcc >/dev/null 2>&1; then cc=gcc; elif command -v cc >/dev/null 2>&1; then cc=cc; fi
fi
if [ -z "$cc" ] || ! command -v "$cc" >/dev/null 2>&1; then
  echo "native driver not built: no C compiler (gcc/cc) found"
  exit 0
fi
if ! command -v make >/dev/null 2>&1; then
  echo "native driver not built: make not found"
  exit 0
fi
if ! make -C "$dir" CC="$cc"; then
  echo "native driver not built: make failed (see above); heaplab replay --native will skip it"
  exit 0
fi
