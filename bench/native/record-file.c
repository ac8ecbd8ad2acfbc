/*
 * libheaplab-record.so, part 2: the trace file. Per-process recording state, decided once from
 * /proc/self/cmdline and /proc/self/environ (which need no malloc and no initialised libc);
 * formatting of event lines by hand; the event buffer; flushing when full, at exit (atexit and a
 * destructor) and before exec; fork (the child starts its own file); the module map.
 *
 * The module map: right after the header, one `# module <start>-<end> <offset> <path>` line per
 * executable file mapping of /proc/self/maps (hex, as maps prints them), so recorded sites can
 * be turned into module+offset and symbolised later. With sites on, a site outside every module
 * written so far (a library dlopen'ed since) makes the recorder read the maps again and write
 * the new modules before that event's line; a 64 KiB region where that found nothing is
 * remembered (up to 64 of them) and not looked up again. The maps file is read with open/read
 * into a stack buffer: no malloc.
 *
 * Memory layout: the event buffer is 1 MiB of .bss; the file is <program>.<pid>.trace (or
 * <program>.<pid>-<k>.trace when taken) in $HEAPLAB_RECORD_DIR, on an O_CLOEXEC fd moved to >= 900.
 *
 * Invariants: g_lock is held whenever the buffer is written or flushed; the fd is written only
 * while it still refers to the file opened (dev and inode checked before each write).
 */
#include "record.h"

#include <errno.h>
#include <fcntl.h>
#include <stdarg.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

/* ---- recording state ---- */

pthread_mutex_t g_lock = PTHREAD_MUTEX_INITIALIZER;
int g_state;
static int g_fd = -1;
int g_sites;
static int g_direct;            /* after the exit flush: write every event straight through */
static char g_dir[1024] = ".";
static char g_only[1024];
static char g_program[256] = "unknown";

/* Modules written to this file: range, offset and a hash of the path (g_lock held). */
#define MODULES_MAX 1024
static struct module { uint64_t start, end, offset, path_hash; } g_mod[MODULES_MAX];
static int g_nmod;
static int g_last_mod;          /* the module the last site was in: looked at first */
#define MISSES_MAX 64
static uint64_t g_miss[MISSES_MAX];   /* 64 KiB regions (address >> 16) in no module after a rescan */
static int g_nmiss, g_miss_next;

#define BUF_SIZE (1u << 20)
static char g_buf[BUF_SIZE];
static size_t g_len;

static void write_all(int fd, const char *p, size_t n) {
  while (n) {
    ssize_t w = write(fd, p, n);
    if (w < 0) { if (errno == EINTR) continue; return; }
    p += w; n -= (size_t)w;
  }
}

static dev_t g_dev;              /* identity of the trace file, checked before each write */
static ino_t g_ino;

static void flush_locked(void) {
  if (g_fd >= 0 && g_len) {
    struct stat st;
    /* the program may have closed our fd or dup2'd something else onto it: then stop */
    if (fstat(g_fd, &st) != 0 || st.st_dev != g_dev || st.st_ino != g_ino) {
      g_fd = -1;
      g_state = -1;
    } else {
      write_all(g_fd, g_buf, g_len);
    }
  }
  g_len = 0;
}

/* Reads a whole small /proc file into buf (NUL-terminated); returns its length or -1. */
static long read_proc(const char *path, char *buf, size_t cap) {
  int fd = open(path, O_RDONLY | O_CLOEXEC);
  if (fd < 0) return -1;
  size_t n = 0;
  while (n + 1 < cap) {
    ssize_t r = read(fd, buf + n, cap - 1 - n);
    if (r < 0) { if (errno == EINTR) continue; break; }
    if (r == 0) break;
    n += (size_t)r;
  }
  close(fd);
  buf[n] = 0;
  return (long)n;
}

/* Copies the value of NAME from /proc/self/environ (streamed, any size) into out. */
static int env_lookup(const char *name, char *out, size_t cap) {
  int fd = open("/proc/self/environ", O_RDONLY | O_CLOEXEC);
  if (fd < 0) return 0;
  size_t nlen = strlen(name);
  char chunk[4096];
  char entry[1200];
  size_t elen = 0;
  int found = 0, overflow = 0;
  for (;;) {
    ssize_t r = read(fd, chunk, sizeof chunk);
    if (r < 0 && errno == EINTR) continue;
    if (r <= 0) break;
    for (ssize_t i = 0; i < r && !found; i++) {
      char c = chunk[i];
      if (c) {
        if (elen + 1 < sizeof entry) entry[elen++] = c; else overflow = 1;
        continue;
      }
      entry[elen] = 0;
      if (!overflow && elen > nlen && memcmp(entry, name, nlen) == 0 && entry[nlen] == '=') {
        size_t vlen = elen - nlen - 1;
        if (vlen >= cap) vlen = cap - 1;
        memcpy(out, entry + nlen + 1, vlen);
        out[vlen] = 0;
        found = 1;
      }
      elen = 0;
      overflow = 0;
    }
    if (found) break;
  }
  close(fd);
  return found;
}

static void read_program_name(void) {
  char cmd[4096];
  long n = read_proc("/proc/self/cmdline", cmd, sizeof cmd);
  if (n <= 0) {
    n = read_proc("/proc/self/comm", cmd, sizeof cmd);
    if (n > 0 && cmd[n - 1] == '\n') cmd[n - 1] = 0;
  }
  if (n <= 0 || !cmd[0]) return;
  const char *base = strrchr(cmd, '/');
  base = base ? base + 1 : cmd;
  size_t i = 0;
  for (; base[i] && i + 1 < sizeof g_program; i++) {
    unsigned char c = (unsigned char)base[i];
    g_program[i] = (c <= ' ' || c == '/' || c == 0x7f) ? '_' : (char)c;
  }
  g_program[i] = 0;
  if (!i) memcpy(g_program, "unknown", 8);
}

static int only_matches(void) {
  if (!g_only[0]) return 1;
  size_t plen = strlen(g_program);
  const char *p = g_only;
  while (*p) {
    const char *e = strchr(p, ',');
    size_t n = e ? (size_t)(e - p) : strlen(p);
    if (n == plen && memcmp(p, g_program, n) == 0) return 1;
    if (!e) break;
    p = e + 1;
  }
  return 0;
}

char *put_str(char *o, const char *s) { while (*s) *o++ = *s++; return o; }

char *put_dec(char *o, uint64_t v) {
  char t[24];
  int n = 0;
  do { t[n++] = (char)('0' + v % 10); v /= 10; } while (v);
  while (n) *o++ = t[--n];
  return o;
}

char *put_hex(char *o, uint64_t v) {
  static const char digits[] = "0123456789abcdef";
  char t[20];
  int n = 0;
  do { t[n++] = digits[v & 15]; v >>= 4; } while (v);
  while (n) *o++ = t[--n];
  return o;
}

/* ---- the module map ---- */

static uint64_t fnv1a(const char *p, size_t n) {
  uint64_t h = 1469598103934665603ull;
  for (size_t i = 0; i < n; i++) { h ^= (unsigned char)p[i]; h *= 1099511628211ull; }
  return h;
}

static int parse_hex(const char **pp, const char *e, uint64_t *out) {
  const char *p = *pp;
  uint64_t v = 0;
  int n = 0;
  for (; p < e; p++, n++) {
    char c = *p;
    int d = c >= '0' && c <= '9' ? c - '0' : c >= 'a' && c <= 'f' ? c - 'a' + 10 : -1;
    if (d < 0) break;
    v = v * 16 + (uint64_t)d;
  }
  *pp = p;
  *out = v;
  return n > 0 && n <= 16;
}

static const char *skip_field(const char *p, const char *e) {
  while (p < e && *p != ' ') p++;
  while (p < e && *p == ' ') p++;
  return p;
}

/* One line of /proc/self/maps ("start-end perms offset dev inode path"): when it is an executable
   mapping of a file not written yet, writes its `# module` line. g_lock held. */
static void maps_line(const char *l, const char *e) {
  uint64_t start, end, offset;
  const char *p = l;
  if (!parse_hex(&p, e, &start) || p >= e || *p != '-') return;
  p++;
  if (!parse_hex(&p, e, &end) || p + 5 >= e || *p != ' ') return;
  if (p[3] != 'x') return;                               /* perms: r-xp */
  p = skip_field(p + 1, e);                              /* to the offset */
  if (!parse_hex(&p, e, &offset)) return;
  p = skip_field(p, e);                                  /* past the offset's end: the dev */
  p = skip_field(p, e);                                  /* the inode */
  p = skip_field(p, e);                                  /* the path */
  if (p >= e || *p != '/') return;                       /* [vdso], anonymous: not a file */
  size_t plen = (size_t)(e - p);
  if (plen > 4096) return;
  uint64_t h = fnv1a(p, plen);
  for (int i = 0; i < g_nmod; i++) {
    if (g_mod[i].start == start && g_mod[i].end == end && g_mod[i].offset == offset && g_mod[i].path_hash == h) return;
  }
  if (g_nmod == MODULES_MAX) return;
  g_mod[g_nmod++] = (struct module){ start, end, offset, h };
  char line[4200];
  char *o = put_str(line, "# module ");
  o = put_hex(o, start);
  *o++ = '-';
  o = put_hex(o, end);
  *o++ = ' ';
  o = put_hex(o, offset);
  *o++ = ' ';
  memcpy(o, p, plen);
  o += plen;
  *o++ = '\n';
  append_locked(line, (size_t)(o - line));
}

/* Reads /proc/self/maps in pieces and writes the modules not written yet. g_lock held. */
static void scan_modules_locked(void) {
  int fd = open("/proc/self/maps", O_RDONLY | O_CLOEXEC);
  if (fd < 0) return;
  char buf[8192];
  size_t have = 0;
  for (;;) {
    ssize_t r = read(fd, buf + have, sizeof buf - have);
    if (r < 0 && errno == EINTR) continue;
    if (r <= 0) break;
    have += (size_t)r;
    char *l = buf, *end = buf + have, *nl;
    while ((nl = memchr(l, '\n', (size_t)(end - l))) != NULL) {
      maps_line(l, nl);
      l = nl + 1;
    }
    have = (size_t)(end - l);
    if (have == sizeof buf) have = 0;                    /* a line longer than the buffer: dropped */
    memmove(buf, l, have);
  }
  close(fd);
}

static int in_module(uint64_t a) {
  if (g_last_mod < g_nmod && a >= g_mod[g_last_mod].start && a < g_mod[g_last_mod].end) return 1;
  for (int i = 0; i < g_nmod; i++) {
    if (a >= g_mod[i].start && a < g_mod[i].end) { g_last_mod = i; return 1; }
  }
  return 0;
}

void note_site_locked(uint64_t site) {
  if (g_state != 1 || in_module(site)) return;
  uint64_t region = site >> 16;
  for (int i = 0; i < g_nmiss; i++) if (g_miss[i] == region) return;
  scan_modules_locked();
  if (in_module(site)) return;
  g_miss[g_miss_next] = region;
  g_miss_next = (g_miss_next + 1) % MISSES_MAX;
  if (g_nmiss < MISSES_MAX) g_nmiss++;
}

/* Opens this process's trace file and writes the header. Called with g_lock held (or single-threaded). */
static void open_trace(void) {
  char path[1400];
  pid_t pid = getpid();
  for (int k = 0; k < 1000; k++) {
    char *o = put_str(path, g_dir);
    *o++ = '/';
    o = put_str(o, g_program);
    *o++ = '.';
    o = put_dec(o, (uint64_t)pid);
    if (k) { *o++ = '-'; o = put_dec(o, (uint64_t)k); }
    o = put_str(o, ".trace");
    *o = 0;
    g_fd = open(path, O_WRONLY | O_CREAT | O_EXCL | O_CLOEXEC, 0644);
    if (g_fd >= 0 || errno != EEXIST) break;
  }
  if (g_fd < 0) {
    /* one line on stderr (write(2), no stdio), then this process runs unrecorded */
    char msg[1600];
    char *o = put_str(msg, "heaplab-record: cannot create ");
    o = put_str(o, path);
    o = put_str(o, " (errno ");
    o = put_dec(o, (uint64_t)errno);
    o = put_str(o, "): not recording this process\n");
    write_all(2, msg, (size_t)(o - msg));
    g_state = -1;
    return;
  }
  /* move the fd out of the way of programs that use small fd numbers or dup2 onto them */
  int high = fcntl(g_fd, F_DUPFD_CLOEXEC, 900);
  if (high >= 0) { close(g_fd); g_fd = high; }
  struct stat st;
  if (fstat(g_fd, &st) != 0) { close(g_fd); g_fd = -1; g_state = -1; return; }
  g_dev = st.st_dev;
  g_ino = st.st_ino;
  char *o = put_str(g_buf + g_len, "# heaplab-trace v1 ");
  o = put_str(o, g_program);
  o = put_str(o, "\n# pid ");
  o = put_dec(o, (uint64_t)pid);
  o = put_str(o, " ppid ");
  o = put_dec(o, (uint64_t)getppid());
  *o++ = '\n';
  g_len = (size_t)(o - g_buf);
  g_nmod = 0;
  g_nmiss = 0;
  g_miss_next = 0;
  scan_modules_locked();
}

static void at_exit_flush(void);
static void fork_prepare(void);
static void fork_parent(void);
static void fork_child(void);

/* Decides once per process whether to record. Must not allocate. */
void decide(void) {
  pthread_mutex_lock(&g_lock);
  if (g_state == 0) {
    read_program_name();
    char v[16];
    if (env_lookup("HEAPLAB_RECORD_SITES", v, sizeof v)) g_sites = v[0] == '1';
    env_lookup("HEAPLAB_RECORD_DIR", g_dir, sizeof g_dir);
    if (!g_dir[0]) memcpy(g_dir, ".", 2);
    env_lookup("HEAPLAB_RECORD_ONLY", g_only, sizeof g_only);
    if (only_matches()) {
      g_state = 1;
      open_trace();
    } else {
      g_state = -1;
    }
  }
  pthread_mutex_unlock(&g_lock);
}

/* ---- event lines ---- */

void append_locked(const char *line, size_t n) {
  if (g_len + n > BUF_SIZE) flush_locked();
  memcpy(g_buf + g_len, line, n);
  g_len += n;
  if (g_direct) flush_locked();
}

void emit(char op, uint64_t id, uint64_t id2, uint64_t size, uint64_t align, int nfields, void *site) {
  char line[LINE_MAX_BYTES];
  char *o = line;
  *o++ = op;
  *o++ = ' ';
  o = put_hex(o, id);
  if (op == 'r') { *o++ = ' '; o = put_hex(o, id2); }
  if (nfields >= 2) { *o++ = ' '; o = put_dec(o, size); }
  if (op == 'm') { *o++ = ' '; o = put_dec(o, align); }
  int with_site = site && g_sites;
  if (with_site) { *o++ = ' '; o = put_hex(o, (uint64_t)(uintptr_t)site); }
  *o++ = '\n';
  pthread_mutex_lock(&g_lock);
  if (with_site) note_site_locked((uint64_t)(uintptr_t)site);
  if (g_state == 1) append_locked(line, (size_t)(o - line));
  pthread_mutex_unlock(&g_lock);
}

/* ---- exit, exec, fork ---- */

static void flush_now(void) {
  pthread_mutex_lock(&g_lock);
  flush_locked();
  pthread_mutex_unlock(&g_lock);
}

static void at_exit_flush(void) {
  pthread_mutex_lock(&g_lock);
  flush_locked();
  g_direct = 1;
  pthread_mutex_unlock(&g_lock);
}

static void fork_prepare(void) { pthread_mutex_lock(&g_lock); }

static void fork_parent(void) { pthread_mutex_unlock(&g_lock); }

static void fork_child(void) {
  /* the parent flushes what is buffered; the child starts its own file */
  g_len = 0;
  if (g_state == 1) {
    if (g_fd >= 0) close(g_fd);
    g_fd = -1;
    open_trace();
  }
  pthread_mutex_unlock(&g_lock);
}

__attribute__((constructor)) static void record_init(void) {
  t_guard++;
  if (g_resolved != 2) resolve();
  recording();
  pthread_atfork(fork_prepare, fork_parent, fork_child);
  atexit(at_exit_flush);
  t_guard--;
}

__attribute__((destructor)) static void record_fini(void) { at_exit_flush(); }

EXPORT int execve(const char *path, char *const argv[], char *const envp[]) {
  flush_now();
  if (!real_execve) resolve();
  return real_execve(path, argv, envp);
}

EXPORT int execvpe(const char *file, char *const argv[], char *const envp[]) {
  flush_now();
  if (!real_execvpe) resolve();
  return real_execvpe(file, argv, envp);
}

EXPORT int execv(const char *path, char *const argv[]) { return execve(path, argv, environ); }

EXPORT int execvp(const char *file, char *const argv[]) { return execvpe(file, argv, environ); }

EXPORT int fexecve(int fd, char *const argv[], char *const envp[]) {
  flush_now();
  if (!real_fexecve) resolve();
  return real_fexecve(fd, argv, envp);
}

/* execl*: collect the variadic arguments on the stack (no malloc) */
#define COLLECT_ARGS(first, ap, argv)                                                  \
  size_t argc_ = 1;                                                                    \
  va_start(ap, first);                                                                 \
  while (va_arg(ap, char *)) argc_++;                                                  \
  va_end(ap);                                                                          \
  char *argv[argc_ + 1];                                                               \
  argv[0] = (char *)first;                                                             \
  va_start(ap, first);                                                                 \
  for (size_t i_ = 1; i_ <= argc_; i_++) argv[i_] = va_arg(ap, char *);

EXPORT int execl(const char *path, const char *arg, ...) {
  va_list ap;
  COLLECT_ARGS(arg, ap, argv)
  va_end(ap);
  return execve(path, argv, environ);
}

EXPORT int execlp(const char *file, const char *arg, ...) {
  va_list ap;
  COLLECT_ARGS(arg, ap, argv)
  va_end(ap);
  return execvpe(file, argv, environ);
}

EXPORT int execle(const char *path, const char *arg, ...) {
  va_list ap;
  COLLECT_ARGS(arg, ap, argv)
  char *const *envp = va_arg(ap, char *const *);
  va_end(ap);
  return execve(path, argv, envp);
}

