#!/bin/sh
# make-big-c.sh [N]: writes to stdout a C file of about 3N lines (N structs, N functions, a main
# calling them), the compiler input for recording a gcc (cc1) trace of millions of events.
n=${1:-600}
echo '#include <stdio.h>'
echo '#include <stdlib.h>'
echo '#include <string.h>'
i=1
while [ "$i" -le "$n" ]; do
  echo "struct s$i { int a; long b; char c[$((i % 32 + 1))]; struct s$i *next; };"
  echo "static long f$i(struct s$i *p, int n) { long t = 0; for (int k = 0; k < n; k++) { t += p->a * k + p->b; if (t % $((i + 7)) == 3) t ^= (long)p->c[k % sizeof p->c]; p = p->next ? p->next : p; } return t; }"
  i=$((i + 1))
done
echo 'int main(void) { long t = 0;'
i=1
while [ "$i" -le "$n" ]; do
  echo "{ struct s$i x = {0}; x.a = $i; t += f$i(&x, $i); }"
  i=$((i + 1))
done
printf '%s\n' 'printf("%ld\n", t); return 0; }'
