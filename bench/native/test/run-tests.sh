#!/bin/sh
# run-tests.sh: the native pieces end to end. Builds bench/native, then
#   1. the driver on a hand-made trace (figures worked out by hand) and on malformed traces;
#   2. the recorder on record-test (threads, realloc, reallocarray, aligned allocations, fork while
#      threads run, exec of itself): 4 trace files, each passing check-trace.sh with the counts the
#      program printed;
#   3. the recorder on real programs (ls -l /usr/bin, sort, a gcc compile when gcc exists, node with
#      work on its thread pool when node exists): every trace passes check-trace.sh;
#   4. the ls and record-test traces replayed by every available native allocator in both touch
#      modes without failures.
# Prints one line per check ("ok ..." / "FAIL ..."), exits 1 if any failed. Skips (exit 0) with a
# message when no C compiler exists. Uses a fresh mktemp directory, removed at the end.
case "$0" in */*) here=${0%/*} ;; *) here=. ;; esac
here=$(cd "$here" && pwd)
native=$(cd "$here/.." && pwd)
out=$(sh "$native/build.sh" 2>&1) || true
case "$out" in *"not built"*) echo "skipped: $out"; exit 0 ;; esac
B=$native/build
T=$(mktemp -d)
trap 'rm -rf "$T"' EXIT
fails=0
ok() { echo "ok $*"; }
bad() { echo "FAIL $*"; fails=$((fails + 1)); }
has() { case "$1" in *"$2"*) return 0 ;; *) return 1 ;; esac; }

# 1. hand-made trace
printf '%s\n' '# heaplab-trace v1 hand' '# a comment' 'a 10 100' 'c 0x20 50' 'm 30 64 64 site1' \
  'r 40 10 200 4005d2' 'r 0 20 0' 'f 999' 'r 50 0 10' 'f 40' 'f 30' 'a 0 5' 'r 0 50 99' 'f 50' > "$T/hand.trace"
j=$("$B/heaplab-replay" -q -n 3 "$T/hand.trace")
for want in '"events":12' '"replayed_events":9' '"counts":{"a":2,"c":1,"m":1,"r":4,"f":4}' \
    '"peak_live_bytes":314' '"unknown_id_events":1' '"failed_in_trace":2' '"failures":0' '"program":"hand"'; do
  if has "$j" "$want"; then ok "hand trace: $want"; else bad "hand trace: $want not in $j"; fi
done
j=$("$B/heaplab-replay" -q -n 2 -p -l custom "$T/hand.trace")
if has "$j" '"touch":"footprint"' && has "$j" '"allocator":"custom"' && has "$j" '"runs":2'; then ok "hand trace: -p -l -n"; else bad "hand trace: -p -l -n: $j"; fi
gzip -c "$T/hand.trace" > "$T/hand.trace.gz"
if "$B/heaplab-replay" -q -n 1 "$T/hand.trace.gz" | grep -q '"replayed_events":9'; then ok "gzip input"; else bad "gzip input"; fi
if "$B/heaplab-replay" -q -n 1 - < "$T/hand.trace.gz" | grep -q '"replayed_events":9'; then ok "gzip on stdin"; else bad "gzip on stdin"; fi
if "$B/heaplab-replay" -q -n 1 - < "$T/hand.trace" | grep -q '"file":"-"'; then ok "text on stdin"; else bad "text on stdin"; fi
msg=$(LD_PRELOAD=$B/libheaplab-record.so HEAPLAB_RECORD_DIR=$T/does-not-exist /bin/true 2>&1)
case "$msg" in "heaplab-record: cannot create $T/does-not-exist/true."*) ok "recorder: missing directory reported" ;; *) bad "recorder: missing directory: '$msg'" ;; esac

malformed() { # malformed LINE EXPECTED-MESSAGE
  printf '%s\n' '# heaplab-trace v1 bad' 'a 10 100' "$1" > "$T/bad.trace"
  msg=$("$B/heaplab-replay" -q "$T/bad.trace" 2>&1 >/dev/null)
  rc=$?
  if [ $rc -eq 1 ] && [ "$msg" = "heaplab-replay: $T/bad.trace:3: expected $2" ]; then ok "malformed '$1'"
  else bad "malformed '$1': rc=$rc '$msg'"; fi
}
malformed 'a zz 10' 'a hex id'
malformed 'a 10' 'a decimal size'
malformed 'm 10 16' 'a decimal alignment'
malformed 'r 10 20' 'a decimal size'
malformed 'f 10 20' 'end of line'
malformed 'a 10 16 site extra' 'end of line after the site field'
malformed 'x 10' 'an event letter a, c, m, r or f'
printf 'a 10 100\n' > "$T/nohdr.trace"
msg=$("$B/heaplab-replay" -q "$T/nohdr.trace" 2>&1 >/dev/null)
if [ "$msg" = "heaplab-replay: $T/nohdr.trace:1: expected the header line '# heaplab-trace v1 <program>'" ]; then ok "missing header"; else bad "missing header: $msg"; fi
"$B/heaplab-replay" -n 0 "$T/hand.trace" >/dev/null 2>&1
if [ $? -eq 2 ]; then ok "usage error exits 2"; else bad "usage error exit status"; fi

# 2. record-test
R=$B/libheaplab-record.so
mkdir "$T/rt"
LD_PRELOAD=$R HEAPLAB_RECORD_DIR=$T/rt "$B/heaplab-record-test" > "$T/expect.txt" || bad "record-test exit status"
nfiles=$(ls "$T/rt" | wc -l)
if [ "$nfiles" -eq 4 ] && [ "$(wc -l < "$T/expect.txt")" -eq 4 ]; then ok "record-test: 4 processes, 4 trace files"; else bad "record-test: $nfiles files"; ls "$T/rt"; fi
while read -r _ pid suf rest; do
  [ "$suf" = - ] && suf=
  if r=$(sh "$here/check-trace.sh" "$T/rt/heaplab-record-test.$pid$suf.trace" $rest); then ok "record-test $pid$suf: $rest"; else bad "$r"; fi
done < "$T/expect.txt"
mkdir "$T/sites"
LD_PRELOAD=$R HEAPLAB_RECORD_DIR=$T/sites HEAPLAB_RECORD_SITES=1 HEAPLAB_RECORD_ONLY=nothing-matches "$B/heaplab-record-test" > /dev/null
if [ -z "$(ls "$T/sites")" ]; then ok "HEAPLAB_RECORD_ONLY filters processes"; else bad "HEAPLAB_RECORD_ONLY: $(ls "$T/sites")"; fi
LD_PRELOAD=$R HEAPLAB_RECORD_DIR=$T/sites HEAPLAB_RECORD_SITES=1 HEAPLAB_RECORD_ONLY=x,heaplab-record-test "$B/heaplab-record-test" > /dev/null
f=$(ls -S "$T/sites"/*.trace | head -n 1)
if awk 'NR > 2 && $1 == "a" && NF != 4 { exit 1 }' "$f" && grep -q '^a [0-9a-f]* [0-9]* [0-9a-f]*$' "$f"; then ok "sites: every a event has a site"; else bad "sites in $f"; fi

# 3. real programs
mkdir "$T/real"
LD_PRELOAD=$R HEAPLAB_RECORD_DIR=$T/real ls -l /usr/bin > /dev/null || bad "ls under the recorder"
printf 'pear\napple\nfig\n' | LD_PRELOAD=$R HEAPLAB_RECORD_DIR=$T/real sort > "$T/sorted.txt"
if [ "$(head -n 1 "$T/sorted.txt")" = apple ]; then ok "sort output under the recorder"; else bad "sort output"; fi
if command -v gcc >/dev/null 2>&1; then
  LD_PRELOAD=$R HEAPLAB_RECORD_DIR=$T/real HEAPLAB_RECORD_ONLY=cc1 gcc -O2 -c "$native/replay.c" -o "$T/replay.o" || bad "gcc under the recorder"
fi
if command -v node >/dev/null 2>&1; then   # multi-threaded: zlib work on libuv's thread pool, V8's platform threads
  LD_PRELOAD=$R HEAPLAB_RECORD_DIR=$T/real node -e 'const z = require("zlib"); let n = 0;
    for (let i = 0; i < 16; i++) z.gzip(Buffer.alloc(100000, i), (e, b) => { n += b.length; if (i === 15) console.log(n) })' > /dev/null \
    || bad "node under the recorder"
fi
for f in "$T/real"/*.trace; do
  if r=$(sh "$here/check-trace.sh" "$f"); then ok "${r#ok }"; else bad "$r"; fi
done

# 4. replay with every available allocator, both touch modes
list=$(sh "$native/native-allocators.sh")
ls_trace=$(ls "$T/real"/ls.*.trace | head -n 1)
rt_trace=$(ls -S "$T/rt"/*.trace | head -n 1)
cc1_trace=$(ls "$T/real"/cc1.*.trace 2>/dev/null | head -n 1)
for name in glibc jemalloc mimalloc tcmalloc musl; do
  e=$(printf '%s' "$list" | tr '}' '\n' | grep "\"name\":\"$name\"")
  if ! has "$e" '"available":true'; then echo "skipped $name: $(printf '%s' "$e" | sed 's/.*"reason":"\([^"]*\)".*/\1/')"; continue; fi
  drv=$(printf '%s' "$e" | sed 's/.*"driver":"\([^"]*\)".*/\1/')
  pre=$(printf '%s' "$e" | sed -n 's/.*"preload":"\([^"]*\)".*/\1/p')
  for trace in "$ls_trace" "$rt_trace" $cc1_trace; do
    for mode in "" -p; do
      j=$(LD_PRELOAD=$pre "$drv" -q -n 2 $mode "$trace") || { bad "$name $mode ${trace##*/}: exit status"; continue; }
      if has "$j" '"failures":0' && has "$j" "\"allocator\":\"$name\""; then ok "replay $name ${mode:-speed} ${trace##*/}"; else bad "replay $name $mode ${trace##*/}: $j"; fi
    done
  done
done
echo "$fails failed"
[ "$fails" -eq 0 ]
