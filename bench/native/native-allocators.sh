#!/bin/sh
# native-allocators.sh: prints, as one JSON array on stdout, the native allocators the replay
# driver can run on this machine, in the order glibc, jemalloc, mimalloc, tcmalloc, musl.
# Each entry: name, available, and either driver + preload (the LD_PRELOAD value or null) or a
# reason to print as the skip message. Looks for shared libraries in the usual library directories
# (override with HEAPLAB_NATIVE_LIBDIRS="dir1 dir2 ...").
dir=$(cd "$(dirname "$0")" && pwd)
drv="$dir/build/heaplab-replay"
musl="$dir/build/heaplab-replay-musl"
multiarch=$( (gcc -print-multiarch || cc -print-multiarch) 2>/dev/null | head -n 1)
[ -n "$multiarch" ] || multiarch="$(uname -m)-linux-gnu"
libdirs=${HEAPLAB_NATIVE_LIBDIRS:-"/usr/lib/$multiarch /lib/$multiarch /usr/local/lib /usr/lib64 /usr/lib /lib64 /lib"}

find_lib() { # find_lib pattern... -> first existing file, preferring the order given
  for pat in "$@"; do
    for d in $libdirs; do
      for f in "$d"/$pat; do
        [ -e "$f" ] && { echo "$f"; return 0; }
      done
    done
  done
  return 1
}

entry() { # entry name preload-or-empty
  if [ ! -x "$drv" ]; then
    printf '{"name":"%s","available":false,"reason":"driver not built (run npm explore heaplab -- npm run build:native)"}' "$1"
  elif [ -n "$2" ]; then
    printf '{"name":"%s","available":true,"driver":"%s","preload":"%s"}' "$1" "$drv" "$2"
  else
    printf '{"name":"%s","available":true,"driver":"%s","preload":null}' "$1" "$drv"
  fi
}

missing() { # missing name what
  printf '{"name":"%s","available":false,"reason":"%s not found in %s"}' "$1" "$2" "$libdirs"
}

printf '['
entry glibc ""
printf ','
if p=$(find_lib 'libjemalloc.so.2' 'libjemalloc.so' 'libjemalloc.so.*'); then entry jemalloc "$p"; else missing jemalloc libjemalloc.so; fi
printf ','
if p=$(find_lib 'libmimalloc.so.2' 'libmimalloc.so' 'libmimalloc.so.*'); then entry mimalloc "$p"; else missing mimalloc libmimalloc.so; fi
printf ','
if p=$(find_lib 'libtcmalloc_minimal.so.4' 'libtcmalloc.so.4' 'libtcmalloc_minimal.so' 'libtcmalloc.so' 'libtcmalloc_minimal.so.*' 'libtcmalloc.so.*'); then
  entry tcmalloc "$p"
else
  missing tcmalloc 'libtcmalloc_minimal.so.4 or libtcmalloc.so.4'
fi
printf ','
if [ -x "$musl" ]; then
  printf '{"name":"musl","available":true,"driver":"%s","preload":null}' "$musl"
elif command -v musl-gcc >/dev/null 2>&1; then
  printf '{"name":"musl","available":false,"reason":"build/heaplab-replay-musl not built (run npm explore heaplab -- npm run build:native)"}'
else
  printf '{"name":"musl","available":false,"reason":"musl-gcc not found: the static musl driver is not built"}'
fi
printf ']\n'
