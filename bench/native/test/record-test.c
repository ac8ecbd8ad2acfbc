/*
 * heaplab-record-test: a program whose allocations the recorder must capture exactly.
 *
 * Structure: main starts THREADS threads running churn(); while they run it forks a child (which
 * allocates on its own, frees one block inherited from the parent, and exits) and then a second
 * child that allocates, then re-executes this program with the argument "noop" (same program
 * name, same pid: the recorder's second file gets the "-1" suffix). Main then runs churn() itself,
 * joins, waits for both children.
 *
 * Every request the program makes has a size in [50001, 59999] (the checker's "magic" range), so
 * the checker can count the program's own events among libc's. Each process prints one line
 *   expect <pid> <file-suffix or -> a=A c=C m=M r=R f=F unknown>=U
 * with the counts of its magic events (see check-trace.sh for how they are counted).
 */
#define _GNU_SOURCE
#include <malloc.h>
#include <pthread.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/wait.h>
#include <unistd.h>

#define THREADS 4
#define ITER 500

static void *volatile sink_null;      /* always NULL */
static void *volatile sink;           /* keeps malloc/free pairs from being optimised away */

static void alloc_free(size_t size) {
  sink = malloc(size);
  if (!sink) {
    fprintf(stderr, "record-test: malloc failed\n");
    exit(1);
  }
  free(sink);
}

static void fail(const char *what) {
  fprintf(stderr, "record-test: %s failed\n", what);
  exit(1);
}

/* One iteration: a 1, c 1, m 5, r 4, f 7 (the final realloc(p, 0) is an r, not an f). */
static void churn_once(int i) {
  char *p1 = malloc(50001 + i % 100);
  if (!p1) fail("malloc");
  p1[0] = 1;
  p1 = realloc(p1, 51001 + i % 100);
  if (!p1) fail("realloc");
  p1 = reallocarray(p1, 2, 25501 + i % 50);
  if (!p1) fail("reallocarray");
  void *p2;
  if (posix_memalign(&p2, 64, 52001 + i % 100)) fail("posix_memalign");
  void *p3 = aligned_alloc(256, 52224);
  void *p4 = memalign(128, 52501 + i % 100);
  char *p5 = calloc(3, 17667 + i % 10);
  void *p6 = realloc(sink_null, 54001 + i % 100);   /* a volatile NULL: gcc turns realloc(NULL, n) into malloc */
  void *p7 = valloc(55001);
  void *p8 = pvalloc(50001);
  if (!p3 || !p4 || !p5 || !p6 || !p7 || !p8) fail("an aligned allocation or calloc");
  if (((size_t)p2 & 63) || ((size_t)p3 & 255) || ((size_t)p4 & 127) || ((size_t)p7 & 4095) || ((size_t)p8 & 4095))
    fail("alignment");
  if (p5[17666]) fail("calloc zeroing");
  free(p1); free(p2); free(p3); free(p4); free(p5); free(p7); free(p8);
  free(NULL);
  if (realloc(p6, 0) != NULL) fail("realloc(p, 0) returning NULL (glibc frees)");
}

static void *churn(void *arg) {
  (void)arg;
  for (int i = 0; i < ITER; i++) churn_once(i);
  return NULL;
}

static void expect(const char *suffix, int a, int c, int m, int r, int f, int unknown) {
  printf("expect %d %s a=%d c=%d m=%d r=%d f=%d unknown>=%d\n", (int)getpid(), suffix, a, c, m, r, f, unknown);
  fflush(stdout);
}

int main(int argc, char **argv) {
  if (argc > 1 && strcmp(argv[1], "noop") == 0) {
    for (int i = 0; i < 10; i++) alloc_free(59001);
    expect("-1", 10, 0, 0, 0, 10, 0);
    return 0;
  }
  char *inherited = malloc(56001);
  if (!inherited) fail("malloc");
  fflush(stdout);
  pthread_t t[THREADS];
  for (int i = 0; i < THREADS; i++)
    if (pthread_create(&t[i], NULL, churn, NULL)) fail("pthread_create");

  pid_t c1 = fork();                      /* while the threads allocate */
  if (c1 < 0) fail("fork");
  if (c1 == 0) {
    for (int i = 0; i < 100; i++) alloc_free(57001 + (size_t)i);
    free(inherited);                      /* allocated before the fork: unknown in this trace */
    expect("-", 100, 0, 0, 0, 100, 1);
    exit(0);
  }
  pid_t c2 = fork();
  if (c2 < 0) fail("fork");
  if (c2 == 0) {
    for (int i = 0; i < 50; i++) {
      char *p = malloc(58001 + i);        /* left live: the exec drops them */
      if (!p) fail("malloc");
      p[0] = 1;
    }
    expect("-", 50, 0, 0, 0, 0, 0);
    execl("/proc/self/exe", argv[0], "noop", (char *)NULL);
    fail("execl");
  }
  churn(NULL);
  for (int i = 0; i < THREADS; i++) pthread_join(t[i], NULL);
  int st1, st2;
  if (waitpid(c1, &st1, 0) != c1 || !WIFEXITED(st1) || WEXITSTATUS(st1)) fail("first child");
  if (waitpid(c2, &st2, 0) != c2 || !WIFEXITED(st2) || WEXITSTATUS(st2)) fail("second child");
  free(inherited);
  int n = THREADS + 1;
  expect("-", 1 + n * ITER, n * ITER, 5 * n * ITER, 4 * n * ITER, 7 * n * ITER + 1, 0);
  return 0;
}
