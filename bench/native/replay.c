/*
 * heaplab-replay: replays a heaplab-trace file (v1 text or binary) against the process's malloc.
 * See README.md for the interface.
 *
 * Structure: parse (trace-input.c, trace-parse.c; not timed) -> the driver's own baseline -> N
 * timed passes of the replay loop over the event array, each followed by freeing what is left and
 * reading the high-water mark -> one JSON line on stdout.
 *
 * Memory layout: the slot array (one pointer per slot) and the per-run arrays are mmap'd and
 * written before the baseline is taken, so they are part of it; nothing of the driver's is malloc'd.
 *
 * Footprint (README "Footprint"): the run's peak RSS less the driver's own baseline, where
 *   peak RSS  = max(VmHWM, VmRSS read at the event of peak live — footprint mode only, clock paused)
 *   baseline  = RssFile + RssShmem at the baseline + RssAnon at the start of main + the resident
 *               pages of the driver's mmap'd arrays (mincore)
 * so heap pages the allocator made resident before the replay (zlib's inflate state, freed back
 * into the heap) are the allocator's, not the driver's; in footprint mode the figure is never
 * below the trace's peak live bytes (every page of a live block is written, so it cannot be unless
 * a measurement lags: VmHWM is kept from approximate per-CPU counters).
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

/* KiB of [p, p + bytes) resident now (mincore); -1 when it cannot tell. */
static long resident_kb(void *p, size_t bytes) {
  if (!p || !bytes) return 0;
  size_t pages = (bytes + PAGE - 1) / PAGE;
  unsigned char *vec = mmap(NULL, pages, PROT_READ | PROT_WRITE, MAP_PRIVATE | MAP_ANONYMOUS, -1, 0);
  if (vec == MAP_FAILED) return -1;
  long kb = -1;
  if (mincore(p, pages * PAGE, vec) == 0) {
    kb = 0;
    for (size_t i = 0; i < pages; i++) kb += (vec[i] & 1) ? (long)(PAGE / 1024) : 0;
  }
  munmap(vec, pages);
  return kb;
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

#ifdef HEAPLAB_FLOOR
#define HEAPLAB_IS_FLOOR 1
#else
#define HEAPLAB_IS_FLOOR 0
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

/* Events [from, to) of one pass; returns the number of allocator calls made. */
static size_t replay_range(int footprint, size_t from, size_t to) {
  void **slot = g_slot;
  const event_t *ev = g_ev;        /* locals: malloc cannot be assumed to leave globals alone */
  const size_t nev = to;
  size_t calls = 0;
  for (size_t i = from; i < nev; i++) {
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

/* How many events to replay before the trace's live bytes first reach their peak (the requested
   sizes of live slots, as the parser counts g_peak_live): the peak event's index + 1, or g_nev
   when nothing is allocated. */
static size_t peak_live_event(void) {
  if (!g_nslots || !g_nev) return g_nev;
  uint64_t *size = map_zero((size_t)g_nslots * sizeof(uint64_t));
  uint64_t live = 0, peak = 0;
  size_t at = g_nev;
  for (size_t i = 0; i < g_nev; i++) {
    const event_t *e = &g_ev[i];
    if (e->op == OP_F) { live -= size[e->slot]; size[e->slot] = 0; continue; }
    if (e->op == OP_R && e->slot2 != NO_SLOT) { live -= size[e->slot2]; size[e->slot2] = 0; }
    live += e->size;
    size[e->slot] = e->size;
    if (live > peak) { peak = live; at = i; }
  }
  munmap(size, (size_t)g_nslots * sizeof(uint64_t));
  return at == g_nev ? g_nev : at + 1;
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

  long start_anon_kb = status_kb("RssAnon");   /* before any allocation of the driver's */
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
  /* footprint mode reads VmRSS after this event (the clock paused): VmHWM can lag the true peak */
  const size_t split = footprint ? peak_live_event() : g_nev;
  const size_t run_bytes = ((size_t)runs * (sizeof(double) * 2 + sizeof(long) * 4) + PAGE - 1) / PAGE * PAGE;
  char *run_arrays = map_zero(run_bytes);
  memset(run_arrays, 0, run_bytes);            /* resident now: part of the baseline */
  double *ns = (double *)run_arrays;
  double *sorted = ns + runs;
  long *fp = (long *)(sorted + runs);
  long *faults = fp + runs;
  long *gross = faults + runs;
  long *at_peak = gross + runs;

  /* The driver's own baseline: its code and libraries (RssFile, RssShmem), the anonymous memory it
     started with, and its mmap'd arrays — not heap pages made resident while parsing (zlib's), which
     the replay reuses and which are the allocator's. */
  long arrays_kb = resident_kb(g_ev, g_nev * sizeof(event_t)), slots_kb = resident_kb(g_slot, slot_bytes),
       runs_kb = resident_kb(run_arrays, run_bytes);
  long rss_kb = status_kb("VmRSS"), file_kb = status_kb("RssFile"), shmem_kb = status_kb("RssShmem");
  long base_kb = rss_kb;
  int own_baseline = start_anon_kb >= 0 && file_kb >= 0 && shmem_kb >= 0 && arrays_kb >= 0 && slots_kb >= 0 && runs_kb >= 0;
  if (own_baseline) {
    long own = file_kb + shmem_kb + start_anon_kb + arrays_kb + slots_kb + runs_kb;
    if (own < base_kb) base_kb = own;
  }
  long heap_before_kb = rss_kb - base_kb;
  int hwm_reset = reset_hwm();
  size_t calls = 0;
  int raised = 0;
  for (int r = 0; r < runs; r++) {
    if (hwm_reset) reset_hwm();
    g_failures = 0;
    g_replay_unknown = 0;
    long f0 = minor_faults();
    uint64_t a = now_ns();
    calls = replay_range(footprint, 0, split);
    uint64_t b = now_ns();
    uint64_t elapsed = b - a;
    long peak_kb = -1;
    if (footprint) {
      long f1 = minor_faults();
      peak_kb = status_kb("VmRSS");
      long f2 = minor_faults();
      a = now_ns();
      calls += replay_range(footprint, split, g_nev);
      b = now_ns();
      elapsed += b - a;
      f0 += f2 - f1;                           /* the faults of reading /proc are not the replay's */
    }
    faults[r] = f0 < 0 ? -1 : minor_faults() - f0;
    free_leftovers();
    long hwm = status_kb("VmHWM");
    at_peak[r] = peak_kb;
    gross[r] = (peak_kb > hwm ? peak_kb : hwm) * 1024;
    fp[r] = gross[r] - base_kb * 1024;
    /* the floor's ring overwrites live blocks, so its resident pages may hold less than is live */
    if (footprint && !HEAPLAB_IS_FLOOR && fp[r] < (long)g_peak_live) {
      fp[r] = (long)g_peak_live;
      if (r == 0) raised = 1;
    }
    ns[r] = calls ? (double)elapsed / (double)calls : 0;
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
  printf("],\"footprint_method\":\"%s\",\"baseline_method\":\"%s\",\"baseline_rss_bytes\":%ld,\"heap_at_baseline_bytes\":%ld",
         hwm_reset ? "vmhwm" : "vmhwm-unreset", own_baseline ? "own" : "vmrss", base_kb * 1024, heap_before_kb * 1024);
  printf(",\"gross_peak_rss_bytes\":%ld,\"rss_at_peak_live_bytes\":", gross[0]);
  if (at_peak[0] >= 0) printf("%ld", at_peak[0] * 1024); else printf("null");
  printf(",\"footprint_raised_to_live\":%s,\"peak_live_bytes\":%llu", raised ? "true" : "false", (unsigned long long)g_peak_live);
  printf(",\"footprint_over_live\":");
  if (g_peak_live) printf("%.4f", (double)fp[0] / (double)g_peak_live); else printf("null");
  printf(",\"failures\":%zu,\"unknown_id_events\":%zu,\"failed_in_trace\":%zu,\"duplicate_ids\":%zu}\n", g_failures,
         g_unknown + g_replay_unknown, g_failed_in_trace, g_duplicates);
  return 0;
}

