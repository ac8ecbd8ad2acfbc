/*
 * heaplab-replay: replays a heaplab-trace file (v1 text or binary) against the process's malloc.
 * See README.md for the interface.
 *
 * Structure: parse (trace-input.c, trace-parse.c; not timed) -> baseline RSS -> N timed passes
 * of the replay loop over the event array, each followed by freeing what is left and reading the
 * high-water mark -> one JSON line on stdout.
 *
 * Memory layout: the slot array (one pointer per slot) is mmap'd and written once before the
 * baseline is taken, so it is part of the baseline; nothing of the driver's is malloc'd.
 *
 * Invariants: slot[s] is the live block of slot s or NULL; between passes every slot is NULL.
 */
#include "replay.h"

#include <fcntl.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/mman.h>
#include <sys/resource.h>
#include <time.h>
#include <unistd.h>

/* ---- measurement helpers ---- */

static long status_kb(const char *key) {
  int fd = open("/proc/self/status", O_RDONLY);
  if (fd < 0) return -1;
  char buf[8192];
  ssize_t n = read(fd, buf, sizeof buf - 1);
  close(fd);
  if (n <= 0) return -1;
  buf[n] = 0;
  char *s = strstr(buf, key);
  if (!s) return -1;
  s += strlen(key);
  while (*s == ' ' || *s == '\t' || *s == ':') s++;
  return strtol(s, NULL, 10);
}

static int reset_hwm(void) {
  int fd = open("/proc/self/clear_refs", O_WRONLY);
  if (fd < 0) return 0;
  int ok = write(fd, "5", 1) == 1;
  close(fd);
  return ok;
}

static inline uint64_t now_ns(void) {
  struct timespec ts;
  clock_gettime(CLOCK_MONOTONIC, &ts);
  return (uint64_t)ts.tv_sec * 1000000000ull + (uint64_t)ts.tv_nsec;
}

/* Minor page faults of the process so far (first touches of fresh pages: the dearest thing a
   replay does on a virtual machine, so the comparison shows them beside the time). */
static long minor_faults(void) {
  struct rusage u;
  return getrusage(RUSAGE_SELF, &u) == 0 ? u.ru_minflt : -1;
}

static int cmp_double(const void *a, const void *b) {
  double x = *(const double *)a, y = *(const double *)b;
  return x < y ? -1 : x > y;
}

#ifdef HEAPLAB_FLOOR
/* ---- the floor (heaplab-replay-floor) ----
   The same loop with an allocator that does almost nothing, as bench's RingBumpAllocator does
   in heaplab's engine: a bump pointer in a 4 MiB ring (mapped on the first call, inside the
   timed loop), a 16-byte header holding the size, free does nothing, realloc copies. What is left
   of a run's time is the driver's own: reading events, the slot table, writing into blocks.
   Only the loop's calls below are redirected; nothing else of the driver allocates. */
#include <errno.h>
#define FLOOR_RING ((size_t)4 << 20)
static char *floor_base, *floor_top;

static void *floor_alloc(size_t size, size_t align) {
  if (!floor_base) {
    void *m = mmap(NULL, FLOOR_RING, PROT_READ | PROT_WRITE, MAP_PRIVATE | MAP_ANONYMOUS, -1, 0);
    if (m == MAP_FAILED) return NULL;
    floor_base = floor_top = m;
  }
  if (size > FLOOR_RING) return NULL;
  size_t need = ((16 + size + 15) & ~(size_t)15) + align;
  if (need > FLOOR_RING) return NULL;
  if ((size_t)(floor_top - floor_base) + need > FLOOR_RING) floor_top = floor_base;
  uintptr_t p = ((uintptr_t)floor_top + 16 + align - 1) & ~(uintptr_t)(align - 1);
  ((size_t *)p)[-2] = size;
  floor_top = (char *)((p + size + 15) & ~(uintptr_t)15);
  return (void *)p;
}
static void *floor_malloc(size_t n) { return floor_alloc(n, 16); }
static void *floor_calloc(size_t k, size_t n) {
  if (n && k > SIZE_MAX / n) return NULL;
  void *p = floor_alloc(k * n, 16);
  if (p) memset(p, 0, k * n);
  return p;
}
static int floor_posix_memalign(void **out, size_t align, size_t n) {
  void *p = floor_alloc(n, align < 16 ? 16 : align);
  if (!p) return ENOMEM;
  *out = p;
  return 0;
}
static void *floor_realloc(void *old, size_t n) {
  if (!old) return floor_malloc(n);
  if (n == 0) return NULL;
  void *p = floor_malloc(n);
  if (p) {
    size_t o = ((size_t *)old)[-2];
    memcpy(p, old, o < n ? o : n);
  }
  return p;
}
static void floor_free(void *p) { (void)p; }
#define malloc floor_malloc
#define calloc floor_calloc
#define posix_memalign floor_posix_memalign
#define realloc floor_realloc
#define free floor_free
#endif

/* ---- replay ---- */

static void **g_slot;
static size_t g_failures = 0, g_replay_unknown = 0;

static inline void touch(char *p, uint64_t size, int footprint) {
  if (!size) return;
  volatile char *v = p;
  v[0] = 1;
  if (footprint)
    for (uint64_t off = PAGE; off < size; off += PAGE) v[off] = 1;
  v[size - 1] = 1;
}

/* One pass over the events; returns the number of allocator calls made. */
static size_t replay_once(int footprint) {
  void **slot = g_slot;
  const event_t *ev = g_ev;        /* locals: malloc cannot be assumed to leave globals alone */
  const size_t nev = g_nev;
  size_t calls = 0;
  for (size_t i = 0; i < nev; i++) {
    const event_t *e = &ev[i];
    void *p;
    switch (e->op) {
    case OP_A:
      p = malloc(e->size);
      goto allocated;
    case OP_C:
      p = calloc(1, e->size);
      goto allocated;
    case OP_M:
      if (posix_memalign(&p, e->align, e->size) != 0) p = NULL;
      goto allocated;
    case OP_RNEW:
      p = malloc(e->size);
      goto allocated;
    case OP_R: {
      void *old = e->slot2 == NO_SLOT ? NULL : slot[e->slot2];
      if (e->slot2 != NO_SLOT && !old) { g_replay_unknown++; p = malloc(e->size); }
      else {
        p = realloc(old, e->size);
        /* the old block is gone when realloc succeeded, or when realloc(p, 0) freed it */
        if (e->slot2 != NO_SLOT && (p || e->size == 0)) slot[e->slot2] = NULL;
      }
      goto allocated;
    }
    case OP_F:
      p = slot[e->slot];
      if (!p) { g_replay_unknown++; continue; }
      free(p);
      slot[e->slot] = NULL;
      calls++;
      continue;
    }
    continue;
  allocated:
    calls++;
    if (!p) { if (e->size) g_failures++; slot[e->slot] = NULL; continue; }
    slot[e->slot] = p;
    touch(p, e->size, footprint);
  }
  return calls;
}

static void free_leftovers(void) {
  for (uint32_t s = 0; s < g_nslots; s++)
    if (g_slot[s]) { free(g_slot[s]); g_slot[s] = NULL; }
}

#if !defined(HEAPLAB_MUSL) && !defined(HEAPLAB_FLOOR)
static const char *label_from_preload(const char *pre, char *buf, size_t n) {
  if (!pre || !*pre) return "glibc";
  if (strstr(pre, "jemalloc")) return "jemalloc";
  if (strstr(pre, "mimalloc")) return "mimalloc";
  if (strstr(pre, "tcmalloc")) return "tcmalloc";
  const char *b = strrchr(pre, '/');
  b = b ? b + 1 : pre;
  snprintf(buf, n, "%s", b);
  return buf;
}
#endif

static void json_str(const char *s) {
  putchar('"');
  for (; *s; s++) {
    unsigned char c = (unsigned char)*s;
    if (c == '"' || c == '\\') printf("\\%c", c);
    else if (c < 0x20) printf("\\u%04x", c);
    else putchar(c);
  }
  putchar('"');
}

static void usage(int code) {
  fprintf(code ? stderr : stdout,
          "usage: heaplab-replay [-n N] [-p] [-l LABEL] [-q] FILE|-\n"
          "  replays a heaplab-trace file (v1 text or binary, gzip of either) with this process's malloc\n"
          "  and prints one JSON line\n"
          "  -n N      replays (default 5)\n"
          "  -p        footprint touch mode (one byte per page); default: speed (first and last byte)\n"
          "  -l LABEL  allocator label in the output\n"
          "  -q        no progress messages on stderr\n");
  exit(code);
}

int main(int argc, char **argv) {
  int runs = 5, footprint = 0, quiet = 0;
  const char *label = NULL, *file = NULL;
  for (int i = 1; i < argc; i++) {
    const char *a = argv[i];
    if (!strcmp(a, "-h") || !strcmp(a, "--help")) usage(0);
    else if (!strcmp(a, "-p")) footprint = 1;
    else if (!strcmp(a, "-q")) quiet = 1;
    else if (!strcmp(a, "-n") && i + 1 < argc) {
      char *end;
      long v = strtol(argv[++i], &end, 10);
      if (*end || v < 1 || v > 1000) { fprintf(stderr, "heaplab-replay: -n expects 1..1000, got '%s'\n", argv[i]); exit(2); }
      runs = (int)v;
    } else if (!strcmp(a, "-l") && i + 1 < argc) label = argv[++i];
    else if (a[0] == '-' && a[1]) { fprintf(stderr, "heaplab-replay: unknown option '%s'\n", a); usage(2); }
    else if (file) { fprintf(stderr, "heaplab-replay: more than one trace file given\n"); usage(2); }
    else file = a;
  }
  if (!file) usage(2);

  const char *preload = getenv("LD_PRELOAD");
#ifdef HEAPLAB_MUSL
  const char *libc = "musl";
  if (!label) label = "musl";
#elif defined(HEAPLAB_FLOOR)
  const char *libc = "glibc";
  if (!label) label = "floor";
#else
  const char *libc = "glibc";
  char labelbuf[128];
  if (!label) label = label_from_preload(preload, labelbuf, sizeof labelbuf);
#endif
#ifdef HAVE_ZLIB
  const int has_gzip = 1;
#else
  const int has_gzip = 0;
#endif

  uint64_t t0 = now_ns();
  input_open(file);
  parse_all();
  input_close();
  parse_release();
  if (!quiet)
    fprintf(stderr, "heaplab-replay: %s: %zu events parsed in %.2f s, %u slots; %d %s run(s) with %s\n", g_file,
            g_lines_events, (double)(now_ns() - t0) / 1e9, g_nslots, runs, footprint ? "footprint" : "speed", label);

  size_t slot_bytes = ((size_t)(g_nslots ? g_nslots : 1) * sizeof(void *) + PAGE - 1) / PAGE * PAGE;
  g_slot = map_zero(slot_bytes);
  memset(g_slot, 0, slot_bytes);               /* make the slot array resident: part of the baseline */

  long base_kb = status_kb("VmRSS");
  int hwm_reset = reset_hwm();
  double *ns = map_zero((size_t)runs * sizeof(double) * 2);
  double *sorted = ns + runs;
  long *fp = map_zero((size_t)runs * sizeof(long));
  long *faults = map_zero((size_t)runs * sizeof(long));
  size_t calls = 0;
  for (int r = 0; r < runs; r++) {
    if (hwm_reset) reset_hwm();
    g_failures = 0;
    g_replay_unknown = 0;
    long f0 = minor_faults();
    uint64_t a = now_ns();
    calls = replay_once(footprint);
    uint64_t b = now_ns();
    faults[r] = f0 < 0 ? -1 : minor_faults() - f0;
    free_leftovers();
    long hwm = status_kb("VmHWM");
    fp[r] = (hwm - base_kb) * 1024;
    ns[r] = calls ? (double)(b - a) / (double)calls : 0;
  }
  memcpy(sorted, ns, (size_t)runs * sizeof(double));
  qsort(sorted, (size_t)runs, sizeof(double), cmp_double);
  double median = runs % 2 ? sorted[runs / 2] : (sorted[runs / 2 - 1] + sorted[runs / 2]) / 2;

  printf("{\"driver\":\"heaplab-replay\",\"format\":1,\"allocator\":");
  json_str(label);
  printf(",\"libc\":\"%s\",\"preload\":", libc);
  if (preload && *preload) json_str(preload); else printf("null");
  printf(",\"gzip\":%s,\"file\":", has_gzip ? "true" : "false");
  json_str(file);
  printf(",\"program\":");
  json_str(g_program);
  printf(",\"touch\":\"%s\",\"runs\":%d,\"events\":%zu,\"replayed_events\":%zu", footprint ? "footprint" : "speed",
         runs, g_lines_events, calls);
  printf(",\"counts\":{\"a\":%zu,\"c\":%zu,\"m\":%zu,\"r\":%zu,\"f\":%zu}", g_counts[OP_A], g_counts[OP_C],
         g_counts[OP_M], g_counts[OP_R], g_counts[OP_F]);
  printf(",\"ns_per_event_median\":%.3f,\"ns_per_event_runs\":[", median);
  for (int r = 0; r < runs; r++) printf("%s%.3f", r ? "," : "", ns[r]);
  printf("],\"peak_footprint_bytes\":%ld,\"footprint_bytes_runs\":[", fp[0]);
  for (int r = 0; r < runs; r++) printf("%s%ld", r ? "," : "", fp[r]);
  printf("],\"minor_faults_runs\":[");
  for (int r = 0; r < runs; r++) printf("%s%ld", r ? "," : "", faults[r]);
  printf("],\"footprint_method\":\"%s\",\"baseline_rss_bytes\":%ld,\"peak_live_bytes\":%llu",
         hwm_reset ? "vmhwm" : "vmhwm-unreset", base_kb * 1024, (unsigned long long)g_peak_live);
  printf(",\"footprint_over_live\":");
  if (g_peak_live) printf("%.4f", (double)fp[0] / (double)g_peak_live); else printf("null");
  printf(",\"failures\":%zu,\"unknown_id_events\":%zu,\"failed_in_trace\":%zu,\"duplicate_ids\":%zu}\n", g_failures,
         g_unknown + g_replay_unknown, g_failed_in_trace, g_duplicates);
  return 0;
}

