#!/bin/sh
# measure-overhead.sh ROUNDS -- COMMAND [ARGS]: recording overhead of COMMAND. Runs it ROUNDS times
# plain and ROUNDS times under libheaplab-record.so, interleaved (plain, recorded, plain, ...), the
# traces going to a fresh temporary directory (deleted after each run), and prints the medians of
# wall-clock and user+system seconds and their ratio. HEAPLAB_RECORD_ONLY and HEAPLAB_RECORD_SITES
# are passed through from the environment.
case "$0" in */*) here=${0%/*} ;; *) here=. ;; esac
R=$(cd "$here/.." && pwd)/build/libheaplab-record.so
rounds=$1
shift
[ "$1" = "--" ] && shift
[ -n "$rounds" ] && [ "$#" -gt 0 ] || { echo "usage: measure-overhead.sh ROUNDS -- COMMAND [ARGS]"; exit 2; }
[ -f "$R" ] || { echo "measure-overhead: $R not built (make -C bench/native)"; exit 1; }
T=$(mktemp -d)
trap 'rm -rf "$T"' EXIT
# one timed run: prints "start end user sys": wall clock from date, the children's CPU times from
# the times builtin of a shell that ran only COMMAND (format 0m1.234000s)
run() {
  start=$(date +%s.%N)
  cl=$(sh -c '"$@" >/dev/null 2>&1; times' sh "$@" | tail -n 1)
  end=$(date +%s.%N)
  echo "$start $end $cl"
}
i=0
while [ "$i" -lt "$rounds" ]; do
  p=$(run "$@")
  mkdir "$T/t"
  r=$(LD_PRELOAD=$R HEAPLAB_RECORD_DIR=$T/t run "$@")
  rm -rf "$T/t"
  echo "plain $p"
  echo "recorded $r"
  i=$((i + 1))
done | awk '
function med(a, n,   i, j, t) { for (i = 1; i <= n; i++) for (j = i + 1; j <= n; j++) if (a[j] < a[i]) { t = a[i]; a[i] = a[j]; a[j] = t }
  return n % 2 ? a[(n + 1) / 2] : (a[n / 2] + a[n / 2 + 1]) / 2 }
{ # columns: kind start end user sys
  k = $1; w[k, ++n[k]] = $3 - $2; c[k, n[k]] = secs($4) + secs($5) }
function secs(x,   p) { sub(/s$/, "", x); p = index(x, "m"); if (p) return substr(x, 1, p - 1) * 60 + substr(x, p + 1); return x + 0 }
END {
  for (i = 1; i <= n["plain"]; i++) { pw[i] = w["plain", i]; pc[i] = c["plain", i] }
  for (i = 1; i <= n["recorded"]; i++) { rw[i] = w["recorded", i]; rc[i] = c["recorded", i] }
  a = med(pw, n["plain"]); b = med(rw, n["recorded"]); x = med(pc, n["plain"]); y = med(rc, n["recorded"])
  printf("plain: wall %.3f s, cpu %.3f s; recorded: wall %.3f s, cpu %.3f s; ratio wall %s, cpu %s (medians of %d)\n",
    a, x, b, y, a > 0 ? sprintf("%.3f", b / a) : "n/a", x > 0 ? sprintf("%.3f", y / x) : "n/a", n["plain"])
}'
