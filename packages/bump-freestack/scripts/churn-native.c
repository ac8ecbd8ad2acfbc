/*
 * The churn loop of churn-loop.ts against the C library's malloc (glibc here), replaying exactly
 * the same operations: it reads them from the file churn-loop.ts writes (int32 little-endian:
 * size ≥ 0 = malloc of that size into the next slot and write its first byte; −1 − k = free the
 * block in slot k, the last slot moving into k). Prints ns per operation of the timed loop.
 * Build: cc -O2 -o churn-native churn-native.c      Run: churn-native <ops file>
 */
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <time.h>

int main(int argc, char **argv) {
  if (argc < 2) { fprintf(stderr, "usage: churn-native <ops file>\n"); return 2; }
  FILE *f = fopen(argv[1], "rb");
  if (!f) { perror(argv[1]); return 1; }
  fseek(f, 0, SEEK_END);
  long n = ftell(f) / 4;
  fseek(f, 0, SEEK_SET);
  int32_t *ops = malloc(n * 4);
  if (!ops || fread(ops, 4, n, f) != (size_t)n) { fprintf(stderr, "cannot read %s\n", argv[1]); return 1; }
  fclose(f);
  char **slots = calloc(1 << 20, sizeof(char *));
  long live = 0;
  struct timespec t0, t1;
  clock_gettime(CLOCK_MONOTONIC, &t0);
  for (long i = 0; i < n; i++) {
    int32_t op = ops[i];
    if (op >= 0) {
      char *p = malloc(op);
      p[0] = 1;
      slots[live++] = p;
    } else {
      long k = -1 - op;
      free(slots[k]);
      slots[k] = slots[--live];
    }
  }
  clock_gettime(CLOCK_MONOTONIC, &t1);
  double ns = (t1.tv_sec - t0.tv_sec) * 1e9 + (t1.tv_nsec - t0.tv_nsec);
  printf("%.3f\n", ns / n);
  return 0;
}
