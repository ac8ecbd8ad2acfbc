#!/bin/sh
# bench/traces/record.sh: records the bundled sample traces again (each a real program run under
# bench/native's LD_PRELOAD recorder, gzipped). Needs the recorder built (npm run build) and gcc,
# git, python3 (/usr/bin/python3, run with PYTHONMALLOC=malloc so its small objects reach malloc)
# and sqlite3. The traces differ from run to run in their addresses and, for git, with the
# repository's history; their shape stays. See README.md here for what each one is.
set -eu
case "$0" in */*) here=${0%/*} ;; *) here=. ;; esac
here=$(cd "$here" && pwd)
bench=$(cd "$here/.." && pwd)
R=$bench/native/build/libheaplab-record.so
[ -f "$R" ] || { echo "record.sh: $R is not built (npm explore heaplab -- npm run build:native)"; exit 1; }
T=$(mktemp -d)
trap 'rm -rf "$T"' EXIT

# one: NAME PROGRAM-TO-KEEP COMMAND...: runs COMMAND under the recorder keeping only PROGRAM's
# trace, and writes it as NAME.trace.gz here.
one() {
  name=$1 only=$2
  shift 2
  mkdir "$T/$name"
  LD_PRELOAD=$R HEAPLAB_RECORD_DIR=$T/$name HEAPLAB_RECORD_ONLY=$only "$@" > /dev/null
  set -- "$T/$name"/*.trace
  [ "$#" -eq 1 ] || { echo "record.sh: $name: expected one trace of $only, got: $*"; exit 1; }
  gzip -9 -n -c "$1" > "$here/$name.trace.gz"
  echo "$name.trace.gz: $(grep -vc '^#' "$1") events, $(wc -c < "$here/$name.trace.gz") bytes gzipped"
}

# gcc -O2 compiling the native driver's replay.c: the compiler proper (cc1)
one cc1-replay-c cc1 gcc -O2 -c "$bench/native/replay.c" -o "$T/replay.o"
# git log with diff statistics of the last 200 commits of this repository
one git-log-stat git git -C "$bench/.." log --stat -n 200
# python3 building, serialising and parsing a list of 1,000 small dicts
one python3-json python3,python3.11 env PYTHONMALLOC=malloc /usr/bin/python3 -c 'import json
d = [{"k": i, "v": str(i) * 3, "l": list(range(i % 20))} for i in range(1000)]
s = json.dumps(d); e = json.loads(s); print(len(s), len(e))'
# sqlite3: 20,000 rows inserted into an indexed in-memory table, then grouped and sorted
one sqlite3-index sqlite3 sqlite3 :memory: "create table t(id integer primary key, k text, v blob);
create index tk on t(k);
with recursive n(i) as (select 1 union all select i + 1 from n where i < 20000)
insert into t(k, v) select printf('key-%05d', (i * 7919) % 20000), randomblob(i % 200) from n;
select substr(k, 1, 6), count(*), sum(length(v)) from t group by 1 order by 3 desc limit 5;
delete from t where id % 3 = 0; vacuum;"
