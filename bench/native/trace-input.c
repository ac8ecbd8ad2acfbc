/*
 * trace-input.c: the replay driver's memory and input. Arrays are mmap'd (never malloc'd, so the
 * measured heap starts empty) and grown with mremap. The input is read with read(2) into a 1 MiB
 * (growing) buffer and handed out line by line, NUL-terminated in place; gzip input (magic 1f 8b)
 * goes through a zlib inflate stream when built with HAVE_ZLIB, from a file or a pipe.
 *
 * Invariants: g_in[g_in_pos .. g_in_len) is the unread input; a returned line stays valid until the
 * next call of next_line.
 */
#include "replay.h"

#include <errno.h>
#include <fcntl.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/mman.h>
#include <unistd.h>
#ifdef HAVE_ZLIB
#include <zlib.h>
#endif

/* ---- mmap'd growable arrays ---- */

void die_mem(void) {
  fprintf(stderr, "heaplab-replay: cannot map memory for the driver's arrays\n");
  exit(3);
}

void *map_zero(size_t bytes) {
  void *p = mmap(NULL, bytes ? bytes : PAGE, PROT_READ | PROT_WRITE, MAP_PRIVATE | MAP_ANONYMOUS, -1, 0);
  if (p == MAP_FAILED) die_mem();
  return p;
}

void *grow(void *p, size_t old_bytes, size_t new_bytes) {
  void *q = mremap(p, old_bytes, new_bytes, MREMAP_MAYMOVE);
  if (q == MAP_FAILED) die_mem();
  return q;
}

/* ---- input ---- */

const char *g_file = "-";
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

void input_open(const char *file) {
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

void input_close(void) {
#ifdef HAVE_ZLIB
  if (g_gzip) inflateEnd(&g_z);
#endif
  if (g_fd > 0) close(g_fd);
  munmap(g_in, g_in_cap);
}

/*
 * Buffers at least n unread bytes (fewer only at the end of input); returns how many there are.
 * Compacts the unread bytes to the front and doubles the buffer when they fill it, so a single
 * line (or record) of any length fits.
 */
static size_t input_fill(size_t n) {
  while (g_in_len - g_in_pos < n && !g_eof) {
    size_t rest = g_in_len - g_in_pos;
    memmove(g_in, g_in + g_in_pos, rest);
    g_in_len = rest;
    g_in_pos = 0;
    if (g_in_len + 1 >= g_in_cap) { g_in = grow(g_in, g_in_cap, g_in_cap * 2); g_in_cap *= 2; }
    long r = input_read(g_in + g_in_len, g_in_cap - 1 - g_in_len);
    if (r == 0) g_eof = 1; else g_in_len += (size_t)r;
  }
  return g_in_len - g_in_pos;
}

/* True when the unread input starts with the n bytes of magic (nothing is consumed). */
int input_starts_with(const char *magic, size_t n) {
  return input_fill(n) >= n && memcmp(g_in + g_in_pos, magic, n) == 0;
}

/* The next byte of input (0-255), or -1 at its end. For the binary form. */
int next_byte(void) {
  if (g_in_pos == g_in_len && input_fill(1) == 0) return -1;
  return (unsigned char)g_in[g_in_pos++];
}

/* Returns the next line (NUL-terminated, without '\n') or NULL at end of input. */
char *next_line(void) {
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
    /* no newline in what is buffered: read at least one byte more (or meet the end) */
    input_fill(g_in_len - g_in_pos + 1);
  }
}
