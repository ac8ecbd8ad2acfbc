/*
 * trace-parse.c: the heaplab-trace parser of the replay driver (not timed): the v1 text form and
 * the binary form (HLTB), told apart by their first bytes. Each event becomes one event_t; ids become dense slot numbers through an open-addressing table (linear
 * probing, power-of-two capacity, tombstones, rehash at 3/4 use), so the replay loop indexes a
 * plain array. Also counts events by kind, unknown ids, failed requests and duplicates, and the
 * peak of live requested bytes.
 *
 * Invariants: a slot is on the free-slot stack exactly when no live id maps to it; g_size_of_slot
 * holds the requested size of each live slot; g_live is the sum over live slots.
 */
#include "replay.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/mman.h>

/* ---- id -> slot table (parse time only) ---- */

typedef struct { uint64_t id; uint32_t slot; uint32_t state; } hent_t; /* state 0 empty, 1 used, 2 tombstone */

static hent_t *g_h;
static size_t g_hcap = 1u << 16, g_hused = 0, g_hlive = 0;
static uint32_t *g_free_slots;   /* stack of free slot numbers */
static size_t g_free_n = 0, g_free_cap = 1u << 16;
uint32_t g_nslots = 0;

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

event_t *g_ev;
size_t g_nev = 0;
static size_t g_ev_cap = 1u << 16;
size_t g_lines_events = 0;
size_t g_counts[7];
size_t g_unknown = 0, g_failed_in_trace = 0, g_duplicates = 0;
static uint64_t *g_size_of_slot;   /* parse-time: requested size per live slot (for peak live) */
static size_t g_size_cap = 1u << 16;
static uint64_t g_live = 0;
uint64_t g_peak_live = 0;
char g_program[256] = "unknown";
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

/* Ends the life of live id entry o: its requested bytes leave g_live, a free of its slot is emitted. */
static void free_entry(hent_t *o) {
  uint32_t s = o->slot;
  g_live -= g_size_of_slot[s];
  h_remove(o);
  push(OP_F)->slot = s;
}

/* Binds a new id for an allocation event; a live duplicate is freed first (counted). */
static uint32_t bind_new(uint64_t id) {
  hent_t *old = h_find(id);
  if (old) {
    g_duplicates++;
    free_entry(old);
  }
  return h_insert(id);
}

/* A new block for id in a fresh slot: the event (op, size) is emitted and its bytes go live. */
static event_t *new_block(uint8_t op, uint64_t id, uint64_t size) {
  uint32_t s = bind_new(id);
  event_t *e = push(op);
  e->slot = s;
  e->size = size;
  live_add(s, size);
  return e;
}

/* ---- events, whatever form they were read from ---- */

static void ev_alloc(uint8_t op, uint64_t id, uint64_t size) {   /* a or c */
  g_counts[op]++;
  if (id == 0) { g_failed_in_trace++; return; }
  new_block(op, id, size);
}

static void ev_memalign(uint64_t id, uint64_t size, uint64_t align) {
  g_counts[OP_M]++;
  if (id == 0) { g_failed_in_trace++; return; }
  uint64_t al = sizeof(void *);
  while (al < align && al < (1ull << 31)) al <<= 1;
  new_block(OP_M, id, size)->align = (uint32_t)al;
}

static void ev_realloc(uint64_t id, uint64_t id2, uint64_t size) {
  g_counts[OP_R]++;
  hent_t *o = id2 ? h_find(id2) : NULL;
  if (id == 0) {
    if (size != 0) { g_failed_in_trace++; return; }   /* failed realloc: old stays live */
    if (id2 == 0) return;                              /* realloc(NULL, 0) returning NULL */
    if (!o) { g_unknown++; return; }
    free_entry(o);                                     /* realloc(p, 0): a free */
    return;
  }
  if (id2 == 0) {                                      /* realloc(NULL, size) */
    new_block(OP_R, id, size)->slot2 = NO_SLOT;
    return;
  }
  if (!o) {                                            /* old id unknown: a malloc into the slot */
    g_unknown++;
    new_block(OP_RNEW, id, size);
    return;
  }
  uint32_t s_old = o->slot;
  g_live -= g_size_of_slot[s_old];
  h_remove(o);
  new_block(OP_R, id, size)->slot2 = s_old;
}

static void ev_free(uint64_t id) {
  g_counts[OP_F]++;
  hent_t *o = id ? h_find(id) : NULL;
  if (!o) { g_unknown++; return; }
  free_entry(o);
}

/* ---- the v1 text form: one event per line ---- */

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
  case 'a': case 'c':
    if (!parse_hex(&p, &id)) parse_error("a hex id");
    skip_ws(&p);
    if (!parse_dec(&p, &size)) parse_error(op == 'a' ? "a decimal size" : "a decimal byte count");
    end_of_event(p, 1);
    ev_alloc(op == 'a' ? OP_A : OP_C, id, size);
    return;
  case 'm':
    if (!parse_hex(&p, &id)) parse_error("a hex id");
    skip_ws(&p);
    if (!parse_dec(&p, &size)) parse_error("a decimal size");
    skip_ws(&p);
    if (!parse_dec(&p, &align)) parse_error("a decimal alignment");
    end_of_event(p, 1);
    ev_memalign(id, size, align);
    return;
  case 'r':
    if (!parse_hex(&p, &id)) parse_error("a hex new id");
    skip_ws(&p);
    if (!parse_hex(&p, &id2)) parse_error("a hex old id");
    skip_ws(&p);
    if (!parse_dec(&p, &size)) parse_error("a decimal size");
    end_of_event(p, 1);
    ev_realloc(id, id2, size);
    return;
  case 'f':
    if (!parse_hex(&p, &id)) parse_error("a hex id");
    end_of_event(p, 0);
    ev_free(id);
    return;
  default:
    parse_error("an event letter a, c, m, r or f");
  }
}

/*
 * ---- the binary form ("HLTB", core's trace/binary.ts) ----
 * 'H' 'L' 'T' 'B', version 1, flags, varint n + n bytes of program name, then records: a tag byte
 * (bits 0-2 kind: 0 a, 1 c, 2 m, 3 r, 4 f, 6 module, 7 site definition; bit 3 a site index follows; bit 4
 * the id delta is negative; bit 5 realloc's old-id delta is negative) and unsigned LEB128 varints
 * of at most 8 bytes: a, c: id delta, size; m: id delta, size, alignment; r: new-id delta, old-id
 * delta (from the new id), size; f: id delta. Deltas are from the previous event's id. A site
 * definition is a varint length and that many bytes; a module (tag byte exactly 6) is varints
 * start, length, offset, path length and the path's bytes. Neither is needed here: both are skipped.
 */

static uint64_t g_offset = 0;    /* byte offset in the (decompressed) file, for errors */

static void bin_error(uint64_t at, const char *what) {
  fprintf(stderr, "heaplab-replay: %s: byte %llu: expected %s\n", g_file, (unsigned long long)at, what);
  exit(1);
}

static uint64_t bin_varint(const char *what) {
  uint64_t start = g_offset, v = 0;
  for (int n = 0; n < 8; n++) {
    int b = next_byte();
    if (b < 0) bin_error(g_offset, what);
    g_offset++;
    v |= (uint64_t)(b & 127) << (7 * n);
    if (!(b & 128)) {
      if (v > (1ull << 53) - 1) bin_error(start, "a value below 2^53");
      return v;
    }
  }
  bin_error(start, "a varint of at most 8 bytes");
  return 0;
}

static void bin_skip(uint64_t n, const char *what) {
  for (uint64_t i = 0; i < n; i++) {
    if (next_byte() < 0) bin_error(g_offset, what);
    g_offset++;
  }
}

static void parse_binary(void) {
  for (int i = 0; i < 6; i++) {
    int b = next_byte();
    if (i < 4 && b != "HLTB"[i]) bin_error((uint64_t)i, "the magic \"HLTB\"");
    if (i == 4 && b != 1) bin_error(4, "binary trace version 1");
    if (b < 0) bin_error((uint64_t)i, "the binary header");
  }
  g_offset = 6;
  uint64_t n = bin_varint("the program name length (varint)");
  size_t k = 0;
  for (uint64_t i = 0; i < n; i++) {
    int b = next_byte();
    if (b < 0) bin_error(g_offset, "the program name");
    g_offset++;
    if (k + 1 < sizeof g_program) g_program[k++] = (char)b;
  }
  g_program[k] = 0;
  if (k == 0) strcpy(g_program, "unknown");
  uint64_t prev = 0;
  int tag;
  while ((tag = next_byte()) >= 0) {
    uint64_t at = g_offset++;
    int kind = tag & 7;
    if (kind == 7) {
      bin_skip(bin_varint("the site length (varint)"), "the site name");
      continue;
    }
    if (tag == 6) {
      bin_varint("the module start (varint)");
      bin_varint("the module length (varint)");
      bin_varint("the module offset (varint)");
      bin_skip(bin_varint("the module path length (varint)"), "the module path");
      continue;
    }
    if (kind > 4 || (tag & 0xc0)) bin_error(at, "a record tag");
    uint64_t d = bin_varint("the id delta (varint)");
    if ((tag & 16) && d > prev) bin_error(at, "an id in [0, 2^53)");
    uint64_t id = (tag & 16) ? prev - d : prev + d, id2 = 0, size = 0, align = 0;
    if (kind == 3) {
      uint64_t od = bin_varint("the old-id delta (varint)");
      if ((tag & 32) && od > id) bin_error(at, "an old id in [0, 2^53)");
      id2 = (tag & 32) ? id - od : id + od;
    }
    if (kind != 4) size = bin_varint("the size (varint)");
    if (kind == 2) {
      align = bin_varint("the alignment (varint)");
      if (align == 0 || (align & (align - 1))) bin_error(at, "a power-of-two alignment");
    }
    if (tag & 8) bin_varint("the site index (varint)");
    if (kind == 4 && id == 0) bin_error(at, "a free of a non-zero id");
    prev = id;
    g_lines_events++;
    switch (kind) {
    case 0: ev_alloc(OP_A, id, size); break;
    case 1: ev_alloc(OP_C, id, size); break;
    case 2: ev_memalign(id, size, align); break;
    case 3: ev_realloc(id, id2, size); break;
    default: ev_free(id); break;
    }
  }
}

void parse_all(void) {
  g_ev = map_zero(g_ev_cap * sizeof(event_t));
  g_h = map_zero(g_hcap * sizeof(hent_t));
  g_free_slots = map_zero(g_free_cap * 4);
  g_size_of_slot = map_zero(g_size_cap * 8);
  if (input_starts_with("HLTB", 4)) {
    parse_binary();
    return;
  }
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

void parse_release(void) {
  munmap(g_h, g_hcap * sizeof(hent_t));
  munmap(g_free_slots, g_free_cap * 4);
  munmap(g_size_of_slot, g_size_cap * 8);
}
