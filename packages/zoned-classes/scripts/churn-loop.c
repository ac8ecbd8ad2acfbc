/*
 * The churn-like loop of churn-loop.ts in C, against the C library's malloc (glibc here), with the
 * same xorshift32 and the same decisions, so both run exactly the same steps.
 * Build: cc -O2 -o /tmp/churn-loop scripts/churn-loop.c     Run: /tmp/churn-loop <ops> <seed>
 * Prints the time of the loop in ns per step and the peak RSS (ru_maxrss).
 */
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <time.h>
#include <sys/resource.h>

static uint32_t x;
static double rnd(void) { x ^= x << 13; x ^= x >> 17; x ^= x << 5; return x / 4294967296.0; }

int main(int argc, char **argv) {
  long ops = argc > 1 ? atol(argv[1]) : 2000000;
  x = argc > 2 ? (uint32_t)atol(argv[2]) : 1;
  if (!x) x = 1;
  static char *ptrs[1 << 16];
  long live = 0, failures = 0;
  struct timespec t0, t1;
  clock_gettime(CLOCK_MONOTONIC, &t0);
  for (long step = 0; step < ops; step++) {
    if (step < 10000 || rnd() < 0.5 + (10000 - live) / 20000.0) {
      double u = rnd();
      long lo = u < 0.9 ? 8 : u < 0.99 ? 101 : 4097;
      long hi = u < 0.9 ? 100 : u < 0.99 ? 4096 : 262144;
      long size = lo + (long)(rnd() * (double)(hi - lo + 1));
      char *p = malloc(size);
      if (!p) { failures++; continue; }
      p[0] = 1; p[size - 1] = 1;
      ptrs[live++] = p;
    } else if (live > 0) {
      long i = (long)(rnd() * (double)live);
      free(ptrs[i]);
      ptrs[i] = ptrs[--live];
    }
  }
  clock_gettime(CLOCK_MONOTONIC, &t1);
  double ns = (t1.tv_sec - t0.tv_sec) * 1e9 + (t1.tv_nsec - t0.tv_nsec);
  struct rusage ru;
  getrusage(RUSAGE_SELF, &ru);
  printf("{\"nsPerStep\": %.2f, \"maxRssKiB\": %ld, \"failures\": %ld}\n", ns / ops, ru.ru_maxrss, failures);
  return 0;
}
