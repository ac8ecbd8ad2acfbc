/*
 * heaplab-replay: replays a heaplab-trace v1 file (BRIEF §8) against the process's malloc.
 *
 * Structure: input (plain read(2) or zlib) -> line parser -> compact event array; then the timed
 * replay loop, repeated N times; then one JSON line on stdout. See README.md for the interface.
 *
 * Memory layout: every array of the driver (input buffer, events, slots, hash table) is mmap'd,
 * never malloc'd, so the heap under measurement starts empty. An event is 24 bytes:
 * size (u64), slot (u32), slot2 (u32, realloc's old slot), align (u32), op (u8).
 *
 * Invariants: at parse time the open-addressing table maps each live trace id to a dense slot
 * number; a slot is on the free-slot stack exactly when no live id maps to it. The replay loop
 * indexes slot[] directly. Slot numbers are < nslots; NO_SLOT marks "no block" (unknown id).
 */
#define _GNU_SOURCE
#include <errno.h>
#include <fcntl.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/mman.h>
#include <time.h>
#include <unistd.h>
#ifdef HAVE_ZLIB
#include <zlib.h>
#endif

#define NO_SLOT 0xffffffffu
#define PAGE 4096u

enum { OP_A = 1, OP_C, OP_M, OP_R, OP_F, OP_RNEW /* realloc, old unknown: malloc into slot */ };

typedef struct {
  uint64_t size;
  uint32_t slot;
  uint32_t slot2;
  uint32_t align;
  uint8_t op;
  uint8_t pad[3];
} event_t;

/* ---- mmap'd growable arrays ---- */

static void die_mem(void) {
  fprintf(stderr, "heaplab-replay: cannot map memory for the driver's arrays\n");
  exit(3);
}

static void *map_zero(size_t bytes) {
  void *p = mmap(NULL, bytes ? bytes : PAGE, PROT_READ | PROT_WRITE, MAP_PRIVATE | MAP_ANONYMOUS, -1, 0);
  if (p == MAP_FAILED) die_mem();
  return p;
}

static void *grow(void *p, size_t old_bytes, size_t new_bytes) {
  void *q = mremap(p, old_bytes, new_bytes, MREMAP_MAYMOVE);
  if (q == MAP_FAILED) die_mem();
  return q;
}

/* ---- input ---- */

static const char *g_file = "-";
static int g_fd = -1;
static char *g_in;          /* input buffer (mmap'd) */
static size_t g_in_cap = 1u << 20, g_in_len = 0, g_in_pos = 0;
static int g_eof = 0;

static long raw_read(char *dst, size_t n) {
  for (;;) {
    ssize_t r = read(g_fd, dst, n);
    if (r >= 0) return (long)r;
    if (errno != EINTR) {
      fprintf(stderr, "heaplab-replay: %s: read error: %s\n", g_file, strerror(errno));
      exit(1);
    }
  }
}

#ifdef HAVE_ZLIB
/* gzip: an inflate stream fed from the fd (works on pipes too; concatenated members accepted) */
static int g_gzip = 0, g_z_end = 0;
static z_stream g_z;
static unsigned char g_zin[1u << 16];

static long input_read(char *dst, size_t n) {
  if (!g_gzip) return raw_read(dst, n);
  g_z.next_out = (unsigned char *)dst;
  g_z.avail_out = (unsigned)(n > (1u << 30) ? (1u << 30) : n);
  while (g_z.next_out == (unsigned char *)dst) {   /* until some output or the end */
    if (g_z_end && g_z.avail_in == 0) {
      long r = raw_read((char *)g_zin, sizeof g_zin);
      if (r == 0) break;
      g_z.next_in = g_zin;
      g_z.avail_in = (unsigned)r;
    }
    if (g_z_end) { inflateReset(&g_z); g_z_end = 0; }
    if (g_z.avail_in == 0) {
      long r = raw_read((char *)g_zin, sizeof g_zin);
      if (r == 0) {
        fprintf(stderr, "heaplab-replay: %s: gzip error: unexpected end of compressed data\n", g_file);
        exit(1);
      }
      g_z.next_in = g_zin;
      g_z.avail_in = (unsigned)r;
    }
    int rc = inflate(&g_z, Z_NO_FLUSH);
    if (rc == Z_STREAM_END) g_z_end = 1;
    else if (rc != Z_OK && rc != Z_BUF_ERROR) {
      fprintf(stderr, "heaplab-replay: %s: gzip error: %s\n", g_file, g_z.msg ? g_z.msg : "corrupt data");
      exit(1);
    }
  }
  return (long)((char *)g_z.next_out - dst);
}
#else
static long input_read(char *dst, size_t n) { return raw_read(dst, n); }
#endif

static void input_open(const char *file) {
  g_file = file;
  if (strcmp(file, "-") == 0) {
    g_fd = 0;
  } else {
    g_fd = open(file, O_RDONLY);
    if (g_fd < 0) {
      fprintf(stderr, "heaplab-replay: %s: cannot open: %s\n", file, strerror(errno));
      exit(1);
    }
  }
  g_in = map_zero(g_in_cap);
  /* sniff the gzip magic from the first bytes */
  size_t got = 0;
  while (got < 2) {
    long r = raw_read(g_in + got, 2 - got);
    if (r == 0) break;
    got += (size_t)r;
  }
  g_in_len = got;
  if (got == 2 && (unsigned char)g_in[0] == 0x1f && (unsigned char)g_in[1] == 0x8b) {
#ifdef HAVE_ZLIB
    memset(&g_z, 0, sizeof g_z);
    if (inflateInit2(&g_z, 15 + 16) != Z_OK) die_mem();
    memcpy(g_zin, g_in, 2);          /* hand the two sniffed bytes to inflate */
    g_z.next_in = g_zin;
    g_z.avail_in = 2;
    g_gzip = 1;
    g_in_len = 0;
#else
    fprintf(stderr, "heaplab-replay: %s: gzip input but this driver was built without zlib: "
                    "decompress first (zcat FILE | heaplab-replay -)\n", g_file);
    exit(1);
#endif
  }
}

static void input_close(void) {
#ifdef HAVE_ZLIB
  if (g_gzip) inflateEnd(&g_z);
#endif
  if (g_fd > 0) close(g_fd);
  munmap(g_in, g_in_cap);
}

/* Returns the next line (NUL-terminated, without '\n') or NULL at end of input. */
static char *next_line(void) {
  for (;;) {
    char *start = g_in + g_in_pos;
    char *nl = memchr(start, '\n', g_in_len - g_in_pos);
    if (nl) {
      *nl = 0;
      g_in_pos = (size_t)(nl - g_in) + 1;
      if (nl > start && nl[-1] == '\r') nl[-1] = 0;
      return start;
    }
    if (g_eof) {
      if (g_in_pos == g_in_len) return NULL;
      if (g_in_len == g_in_cap) { g_in = grow(g_in, g_in_cap, g_in_cap + PAGE); g_in_cap += PAGE; }
      g_in[g_in_len] = 0;
      g_in_pos = g_in_len;
      return start;
    }
    /* compact, grow when a single line fills the buffer, refill */
    size_t rest = g_in_len - g_in_pos;
    memmove(g_in, g_in + g_in_pos, rest);
    g_in_len = rest;
    g_in_pos = 0;
    if (g_in_len + 1 >= g_in_cap) { g_in = grow(g_in, g_in_cap, g_in_cap * 2); g_in_cap *= 2; }
    long r = input_read(g_in + g_in_len, g_in_cap - 1 - g_in_len);
    if (r == 0) g_eof = 1; else g_in_len += (size_t)r;
  }
}

/* ---- id -> slot table (parse time only) ---- */

typedef struct { uint64_t id; uint32_t slot; uint32_t state; } hent_t; /* state 0 empty, 1 used, 2 tombstone */

static hent_t *g_h;
static size_t g_hcap = 1u << 16, g_hused = 0, g_hlive = 0;
static uint32_t *g_free_slots;   /* stack of free slot numbers */
static size_t g_free_n = 0, g_free_cap = 1u << 16;
static uint32_t g_nslots = 0;

static inline uint64_t hmix(uint64_t x) {
  x ^= x >> 33; x *= 0xff51afd7ed558ccdull; x ^= x >> 33; x *= 0xc4ceb9fe1a85ec53ull; x ^= x >> 33;
  return x;
}

static void h_rehash(size_t newcap) {
  hent_t *old = g_h;
  size_t oldcap = g_hcap;
  g_h = map_zero(newcap * sizeof(hent_t));
  g_hcap = newcap;
  g_hused = 0;
  for (size_t i = 0; i < oldcap; i++) {
    if (old[i].state != 1) continue;
    size_t j = hmix(old[i].id) & (newcap - 1);
    while (g_h[j].state) j = (j + 1) & (newcap - 1);
    g_h[j] = old[i];
    g_hused++;
  }
  munmap(old, oldcap * sizeof(hent_t));
}

static hent_t *h_find(uint64_t id) {
  size_t j = hmix(id) & (g_hcap - 1);
  while (g_h[j].state) {
    if (g_h[j].state == 1 && g_h[j].id == id) return &g_h[j];
    j = (j + 1) & (g_hcap - 1);
  }
  return NULL;
}

static uint32_t slot_take(void) {
  if (g_free_n) return g_free_slots[--g_free_n];
  if (g_nslots == NO_SLOT - 1) die_mem();
  return g_nslots++;
}

static void slot_give(uint32_t s) {
  if (g_free_n == g_free_cap) {
    g_free_slots = grow(g_free_slots, g_free_cap * 4, g_free_cap * 8);
    g_free_cap *= 2;
  }
  g_free_slots[g_free_n++] = s;
}

/* Binds id to a fresh slot; returns the slot. */
static uint32_t h_insert(uint64_t id) {
  if ((g_hused + 1) * 4 > g_hcap * 3) h_rehash(g_hlive * 4 > g_hcap ? g_hcap * 2 : g_hcap);
  size_t j = hmix(id) & (g_hcap - 1);
  while (g_h[j].state == 1) j = (j + 1) & (g_hcap - 1);
  if (g_h[j].state == 0) g_hused++;
  g_h[j].id = id;
  g_h[j].state = 1;
  g_h[j].slot = slot_take();
  g_hlive++;
  return g_h[j].slot;
}

static uint32_t h_remove(hent_t *e) {
  e->state = 2;
  g_hlive--;
  slot_give(e->slot);
  return e->slot;
}

/* ---- parsing ---- */

static event_t *g_ev;
static size_t g_nev = 0, g_ev_cap = 1u << 16;
static size_t g_lines_events = 0;
static size_t g_counts[6];
static size_t g_unknown = 0, g_failed_in_trace = 0, g_duplicates = 0;
static uint64_t *g_size_of_slot;   /* parse-time: requested size per live slot (for peak live) */
static size_t g_size_cap = 1u << 16;
static uint64_t g_live = 0, g_peak_live = 0;
static char g_program[256] = "unknown";
static size_t g_lineno = 0;

static void parse_error(const char *what) {
  fprintf(stderr, "heaplab-replay: %s:%zu: expected %s\n", g_file, g_lineno, what);
  exit(1);
}

static int parse_hex(char **pp, uint64_t *out) {
  char *p = *pp;
  if (p[0] == '0' && (p[1] == 'x' || p[1] == 'X')) p += 2;
  uint64_t v = 0;
  int n = 0;
  for (;; p++, n++) {
    unsigned c = (unsigned char)*p, d;
    if (c >= '0' && c <= '9') d = c - '0';
    else if (c >= 'a' && c <= 'f') d = c - 'a' + 10;
    else if (c >= 'A' && c <= 'F') d = c - 'A' + 10;
    else break;
    if (n >= 16) return 0;
    v = (v << 4) | d;
  }
  if (n == 0 || (*p && *p != ' ' && *p != '\t')) return 0;
  *pp = p;
  *out = v;
  return 1;
}

static int parse_dec(char **pp, uint64_t *out) {
  char *p = *pp;
  uint64_t v = 0;
  int n = 0;
  for (; *p >= '0' && *p <= '9'; p++, n++) {
    uint64_t d = (uint64_t)(*p - '0');
    if (v > (UINT64_MAX - d) / 10) return 0;
    v = v * 10 + d;
  }
  if (n == 0 || (*p && *p != ' ' && *p != '\t')) return 0;
  *pp = p;
  *out = v;
  return 1;
}

static void skip_ws(char **pp) { while (**pp == ' ' || **pp == '\t') (*pp)++; }

/* After the mandatory fields: allow one optional site field (no spaces), then end of line. */
static void end_of_event(char *p, int site_allowed) {
  skip_ws(&p);
  if (!*p) return;
  if (!site_allowed) parse_error("end of line");
  while (*p && *p != ' ' && *p != '\t') p++;
  skip_ws(&p);
  if (*p) parse_error("end of line after the site field");
}

static void set_size(uint32_t slot, uint64_t size) {
  if (slot >= g_size_cap) {
    size_t nc = g_size_cap;
    while (slot >= nc) nc *= 2;
    g_size_of_slot = grow(g_size_of_slot, g_size_cap * 8, nc * 8);
    g_size_cap = nc;
  }
  g_size_of_slot[slot] = size;
}

static void live_add(uint32_t slot, uint64_t size) {
  set_size(slot, size);
  g_live += size;
  if (g_live > g_peak_live) g_peak_live = g_live;
}

static event_t *push(uint8_t op) {
  if (g_nev == g_ev_cap) {
    g_ev = grow(g_ev, g_ev_cap * sizeof(event_t), g_ev_cap * 2 * sizeof(event_t));
    g_ev_cap *= 2;
  }
  event_t *e = &g_ev[g_nev++];
  memset(e, 0, sizeof *e);
  e->op = op;
  return e;
}

/* Binds a new id for an allocation event; a live duplicate is freed first (counted). */
static uint32_t bind_new(uint64_t id) {
  hent_t *old = h_find(id);
  if (old) {
    g_duplicates++;
    uint32_t s = old->slot;
    g_live -= g_size_of_slot[s];
    h_remove(old);
    event_t *f = push(OP_F);
    f->slot = s;
  }
  return h_insert(id);
}

static void parse_line(char *line) {
  char *p = line;
  skip_ws(&p);
  if (!*p) return;                  /* blank lines are tolerated */
  if (*p == '#') return;
  char op = *p++;
  if (*p != ' ' && *p != '\t') parse_error("an event letter a, c, m, r or f followed by a space");
  skip_ws(&p);
  uint64_t id, id2, size, align;
  g_lines_events++;
  switch (op) {
  case 'a': case 'c': {
    if (!parse_hex(&p, &id)) parse_error("a hex id");
    skip_ws(&p);
    if (!parse_dec(&p, &size)) parse_error(op == 'a' ? "a decimal size" : "a decimal byte count");
    end_of_event(p, 1);
    g_counts[op == 'a' ? OP_A : OP_C]++;
    if (id == 0) { g_failed_in_trace++; return; }
    uint32_t s = bind_new(id);
    event_t *e = push(op == 'a' ? OP_A : OP_C);
    e->slot = s; e->size = size;
    live_add(s, size);
    return;
  }
  case 'm': {
    if (!parse_hex(&p, &id)) parse_error("a hex id");
    skip_ws(&p);
    if (!parse_dec(&p, &size)) parse_error("a decimal size");
    skip_ws(&p);
    if (!parse_dec(&p, &align)) parse_error("a decimal alignment");
    end_of_event(p, 1);
    g_counts[OP_M]++;
    if (id == 0) { g_failed_in_trace++; return; }
    uint64_t al = sizeof(void *);
    while (al < align && al < (1ull << 31)) al <<= 1;
    uint32_t s = bind_new(id);
    event_t *e = push(OP_M);
    e->slot = s; e->size = size; e->align = (uint32_t)al;
    live_add(s, size);
    return;
  }
  case 'r': {
    if (!parse_hex(&p, &id)) parse_error("a hex new id");
    skip_ws(&p);
    if (!parse_hex(&p, &id2)) parse_error("a hex old id");
    skip_ws(&p);
    if (!parse_dec(&p, &size)) parse_error("a decimal size");
    end_of_event(p, 1);
    g_counts[OP_R]++;
    if (id == 0) {
      if (size != 0) { g_failed_in_trace++; return; }   /* failed realloc: old stays live */
      if (id2 == 0) return;                              /* realloc(NULL, 0) returning NULL */
      hent_t *o = h_find(id2);
      if (!o) { g_unknown++; return; }
      uint32_t s = o->slot;
      g_live -= g_size_of_slot[s];
      h_remove(o);
      event_t *e = push(OP_F);
      e->slot = s;
      return;
    }
    if (id2 == 0) {                                      /* realloc(NULL, size) */
      uint32_t s = bind_new(id);
      event_t *e = push(OP_R);
      e->slot = s; e->slot2 = NO_SLOT; e->size = size;
      live_add(s, size);
      return;
    }
    hent_t *o = h_find(id2);
    if (!o) {
      g_unknown++;
      uint32_t s = bind_new(id);
      event_t *e = push(OP_RNEW);
      e->slot = s; e->size = size;
      live_add(s, size);
      return;
    }
    uint32_t s_old = o->slot;
    g_live -= g_size_of_slot[s_old];
    h_remove(o);
    uint32_t s = bind_new(id);
    event_t *e = push(OP_R);
    e->slot = s; e->slot2 = s_old; e->size = size;
    live_add(s, size);
    return;
  }
  case 'f': {
    if (!parse_hex(&p, &id)) parse_error("a hex id");
    end_of_event(p, 0);
    g_counts[OP_F]++;
    hent_t *o = id ? h_find(id) : NULL;
    if (!o) { g_unknown++; return; }
    uint32_t s = o->slot;
    g_live -= g_size_of_slot[s];
    h_remove(o);
    event_t *e = push(OP_F);
    e->slot = s;
    return;
  }
  default:
    parse_error("an event letter a, c, m, r or f");
  }
}

static void parse_all(void) {
  g_ev = map_zero(g_ev_cap * sizeof(event_t));
  g_h = map_zero(g_hcap * sizeof(hent_t));
  g_free_slots = map_zero(g_free_cap * 4);
  g_size_of_slot = map_zero(g_size_cap * 8);
  char *line = next_line();
  g_lineno = 1;
  if (!line) parse_error("the header line '# heaplab-trace v1 <program>' (the file is empty)");
  char *p = line;
  if (strncmp(p, "# heaplab-trace v1", 18) != 0 || (p[18] && p[18] != ' ' && p[18] != '\t'))
    parse_error("the header line '# heaplab-trace v1 <program>'");
  p += 18;
  skip_ws(&p);
  if (*p) {
    size_t n = strcspn(p, " \t");
    if (n >= sizeof g_program) n = sizeof g_program - 1;
    memcpy(g_program, p, n);
    g_program[n] = 0;
  }
  while ((line = next_line()) != NULL) {
    g_lineno++;
    parse_line(line);
  }
}

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

static int cmp_double(const void *a, const void *b) {
  double x = *(const double *)a, y = *(const double *)b;
  return x < y ? -1 : x > y;
}

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
  size_t calls = 0;
  for (size_t i = 0; i < g_nev; i++) {
    const event_t *e = &g_ev[i];
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

#ifndef HEAPLAB_MUSL
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
          "  replays a heaplab-trace v1 file with this process's malloc and prints one JSON line\n"
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
  munmap(g_h, g_hcap * sizeof(hent_t));
  munmap(g_free_slots, g_free_cap * 4);
  munmap(g_size_of_slot, g_size_cap * 8);
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
  size_t calls = 0;
  for (int r = 0; r < runs; r++) {
    if (hwm_reset) reset_hwm();
    g_failures = 0;
    g_replay_unknown = 0;
    uint64_t a = now_ns();
    calls = replay_once(footprint);
    uint64_t b = now_ns();
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
  printf("],\"footprint_method\":\"%s\",\"baseline_rss_bytes\":%ld,\"peak_live_bytes\":%llu",
         hwm_reset ? "vmhwm" : "vmhwm-unreset", base_kb * 1024, (unsigned long long)g_peak_live);
  printf(",\"footprint_over_live\":");
  if (g_peak_live) printf("%.4f", (double)fp[0] / (double)g_peak_live); else printf("null");
  printf(",\"failures\":%zu,\"unknown_id_events\":%zu,\"failed_in_trace\":%zu,\"duplicate_ids\":%zu}\n", g_failures,
         g_unknown + g_replay_unknown, g_failed_in_trace, g_duplicates);
  return 0;
}
