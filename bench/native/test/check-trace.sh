#!/bin/sh
# check-trace.sh FILE [a=N c=N m=N r=N f=N unknown>=N]
# Validates a trace written by libheaplab-record.so (one awk pass, a table of live ids):
#   - the first line is "# heaplab-trace v1 <program>"; every other line is a comment or a
#     well-formed event with lower-case hex ids (no 0x: the recorder's own form);
#   - no id is allocated while it is live (for "r new old", old is released first);
#   - "f 0" never appears (free(NULL) is not written);
#   - with expectations: the events on "magic" sizes [50001, 59999] (those record-test makes)
#     match exactly: a, c, m counted by their size; r counted when its size or its old block's
#     size is magic; f counted when the freed block's size is magic; and the number of frees of
#     ids never allocated in this file (any size) is at least the "unknown>=" figure.
# Prints one summary line; exits 0 when every check passes, 1 otherwise.
file=$1
shift
[ -r "$file" ] || { echo "check-trace: cannot read $file"; exit 1; }
awk -v expect="$*" -v file="$file" '
function magic(s) { return s >= 50001 && s <= 59999 }
function bad(msg) { errors++; if (errors <= 5) printf("check-trace: %s:%d: %s: %s\n", file, NR, msg, $0) }
function ishex(x) { return x ~ /^[0-9a-f]+$/ }
function isdec(x) { return x ~ /^[0-9]+$/ }
function alloc(id, size) {
  if (id == "0") { failed++; return }
  if (id in live) bad("allocated twice while live")
  live[id] = size
}
NR == 1 { if ($0 !~ /^# heaplab-trace v1 [^ \t]+$/) bad("expected the header line"); next }
/^#/ { next }
{
  op = $1; events++; n[op]++
  if (op == "a" || op == "c") {
    if ((NF != 3 && NF != 4) || !ishex($2) || !isdec($3)) { bad("malformed " op); next }
    alloc($2, $3 + 0); if (magic($3 + 0)) mg[op]++
  } else if (op == "m") {
    if ((NF != 4 && NF != 5) || !ishex($2) || !isdec($3) || !isdec($4)) { bad("malformed m"); next }
    alloc($2, $3 + 0); if (magic($3 + 0)) mg["m"]++
  } else if (op == "r") {
    if ((NF != 4 && NF != 5) || !ishex($2) || !ishex($3) || !isdec($4)) { bad("malformed r"); next }
    newid = $2; old = $3; size = $4 + 0; oldmagic = 0
    if (newid == "0" && size > 0) { failed++; if (magic(size)) mg["r"]++; next }
    if (old != "0") {
      if (old in live) { oldmagic = magic(live[old]); delete live[old] } else unknown++
    }
    if (magic(size) || oldmagic) mg["r"]++
    if (newid != "0") alloc(newid, size)
  } else if (op == "f") {
    if (NF != 2 || !ishex($2)) { bad("malformed f"); next }
    if ($2 == "0") { bad("free(NULL) written"); next }
    if ($2 in live) { if (magic(live[$2])) mg["f"]++; delete live[$2] } else unknown++
  } else bad("unknown event letter")
}
END {
  left = 0; for (k in live) left++
  summary = sprintf("events=%d a=%d c=%d m=%d r=%d f=%d unknown_frees=%d failed=%d live_at_end=%d magic: a=%d c=%d m=%d r=%d f=%d",
    events, n["a"], n["c"], n["m"], n["r"], n["f"], unknown, failed, left, mg["a"], mg["c"], mg["m"], mg["r"], mg["f"])
  k = split(expect, ex, " ")
  for (i = 1; i <= k; i++) {
    if (ex[i] ~ /^unknown>=/) { want = substr(ex[i], 10) + 0; if (unknown < want) { errors++; printf("check-trace: %s: expected at least %d unknown frees, found %d\n", file, want, unknown) } continue }
    split(ex[i], kv, "=")
    if (mg[kv[1]] + 0 != kv[2] + 0) { errors++; printf("check-trace: %s: expected %s magic %s events, found %d\n", file, kv[2], kv[1], mg[kv[1]]) }
  }
  printf("%s %s %s\n", errors ? "FAIL" : "ok", file, summary)
  exit errors ? 1 : 0
}' "$file"
