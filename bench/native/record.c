/*
 * libheaplab-record.so: an LD_PRELOAD recorder writing heaplab-trace v1 (BRIEF §8), one file per
 * process, <program>.<pid>.trace in $HEAPLAB_RECORD_DIR.
 *
 * Structure: resolution of the real functions (dlsym(RTLD_NEXT), with a bootstrap bump buffer for
 * the allocations dlsym makes meanwhile) -> per-process recording state (decided once from
 * /proc/self/cmdline and /proc/self/environ, which need no malloc and no initialised libc) ->
 * the hooks -> flushing (buffer full, exit, exec) and fork handling.
 *
 * Memory layout: the bootstrap buffer (256 KiB) hands out 16-byte-aligned blocks, each preceded by
 * a 16-byte header holding its size; the event buffer is 1 MiB of .bss. No stdio, no malloc in
 * the recorder's own paths.
 *
 * Invariants: g_lock is held whenever the event buffer is written or flushed. A free's line is
 * appended before the real free, an allocation's after the real call returns, and a realloc holds
 * g_lock across the real realloc, so in the file an address is never allocated twice while live.
 * t_guard is nonzero while a thread is inside a hook: nested calls pass through unrecorded.
 */
#define _GNU_SOURCE
#include <dlfcn.h>
#include <errno.h>
#include <fcntl.h>
#include <pthread.h>
#include <sched.h>
#include <stdarg.h>
#include <stdint.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

#define EXPORT __attribute__((visibility("default")))
#define PAGE 4096u

/* ---- real functions and the bootstrap buffer ---- */

static void *(*real_malloc)(size_t);
static void (*real_free)(void *);
static void *(*real_calloc)(size_t, size_t);
static void *(*real_realloc)(void *, size_t);
static void *(*real_reallocarray)(void *, size_t, size_t);
static int (*real_posix_memalign)(void **, size_t, size_t);
static void *(*real_aligned_alloc)(size_t, size_t);
static void *(*real_memalign)(size_t, size_t);
static void *(*real_valloc)(size_t);
static void *(*real_pvalloc)(size_t);
static int (*real_execve)(const char *, char *const[], char *const[]);
static int (*real_execvpe)(const char *, char *const[], char *const[]);
static int (*real_fexecve)(int, char *const[], char *const[]);

static int g_resolved;          /* 0 not yet, 1 resolving, 2 done */

#define BOOT_SIZE (256u * 1024u)
static _Alignas(16) char g_boot[BOOT_SIZE];
static size_t g_boot_used;

static int is_boot(const void *p) {
  return (const char *)p >= g_boot && (const char *)p < g_boot + BOOT_SIZE;
}

static void *boot_alloc(size_t size, size_t align) {
  if (align < 16) align = 16;
  size_t need = (size + 15) & ~(size_t)15;
  for (;;) {
    size_t old = __atomic_load_n(&g_boot_used, __ATOMIC_RELAXED);
    size_t start = (old + 16 + align - 1) & ~(align - 1);   /* leave room for the header */
    if (start + need > BOOT_SIZE || start + need < start) return NULL;
    if (__atomic_compare_exchange_n(&g_boot_used, &old, start + need, 0, __ATOMIC_ACQ_REL, __ATOMIC_RELAXED)) {
      *(size_t *)(g_boot + start - 16) = size;
      return g_boot + start;                                /* .bss: already zero */
    }
  }
}

static size_t boot_size(const void *p) { return *(const size_t *)((const char *)p - 16); }

static void resolve(void) {
  int expect = 0;
  if (!__atomic_compare_exchange_n(&g_resolved, &expect, 1, 0, __ATOMIC_ACQ_REL, __ATOMIC_ACQUIRE)) {
    while (__atomic_load_n(&g_resolved, __ATOMIC_ACQUIRE) != 2) {
      /* another thread (or dlsym below us, which never gets here: it sees 1 and uses the
         bootstrap buffer through the callers) is resolving */
      sched_yield();
    }
    return;
  }
  real_malloc = dlsym(RTLD_NEXT, "malloc");
  real_free = dlsym(RTLD_NEXT, "free");
  real_calloc = dlsym(RTLD_NEXT, "calloc");
  real_realloc = dlsym(RTLD_NEXT, "realloc");
  real_reallocarray = dlsym(RTLD_NEXT, "reallocarray");
  real_posix_memalign = dlsym(RTLD_NEXT, "posix_memalign");
  real_aligned_alloc = dlsym(RTLD_NEXT, "aligned_alloc");
  real_memalign = dlsym(RTLD_NEXT, "memalign");
  real_valloc = dlsym(RTLD_NEXT, "valloc");
  real_pvalloc = dlsym(RTLD_NEXT, "pvalloc");
  real_execve = dlsym(RTLD_NEXT, "execve");
  real_execvpe = dlsym(RTLD_NEXT, "execvpe");
  real_fexecve = dlsym(RTLD_NEXT, "fexecve");
  __atomic_store_n(&g_resolved, 2, __ATOMIC_RELEASE);
}

/* ---- per-thread guard ---- */

static __thread int t_guard __attribute__((tls_model("initial-exec")));

/* ---- recording state ---- */

static pthread_mutex_t g_lock = PTHREAD_MUTEX_INITIALIZER;
static int g_state;             /* 0 undecided, 1 recording, -1 not recording */
static int g_fd = -1;
static int g_sites;
static int g_direct;            /* after the exit flush: write every event straight through */
static char g_dir[1024] = ".";
static char g_only[1024];
static char g_program[256] = "unknown";

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

static char *put_str(char *o, const char *s) { while (*s) *o++ = *s++; return o; }

static char *put_dec(char *o, uint64_t v) {
  char t[24];
  int n = 0;
  do { t[n++] = (char)('0' + v % 10); v /= 10; } while (v);
  while (n) *o++ = t[--n];
  return o;
}

static char *put_hex(char *o, uint64_t v) {
  static const char digits[] = "0123456789abcdef";
  char t[20];
  int n = 0;
  do { t[n++] = digits[v & 15]; v >>= 4; } while (v);
  while (n) *o++ = t[--n];
  return o;
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
}

static void at_exit_flush(void);
static void fork_prepare(void);
static void fork_parent(void);
static void fork_child(void);

/* Decides once per process whether to record. Must not allocate. */
static void decide(void) {
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

#define LINE_MAX_BYTES 128

static inline int recording(void) {
  if (__builtin_expect(g_state == 0, 0)) decide();
  return g_state == 1;
}

static void append_locked(const char *line, size_t n) {
  if (g_len + n > BUF_SIZE) flush_locked();
  memcpy(g_buf + g_len, line, n);
  g_len += n;
  if (g_direct) flush_locked();
}

static void emit(char op, uint64_t id, uint64_t id2, uint64_t size, uint64_t align, int nfields, void *site) {
  char line[LINE_MAX_BYTES];
  char *o = line;
  *o++ = op;
  *o++ = ' ';
  o = put_hex(o, id);
  if (op == 'r') { *o++ = ' '; o = put_hex(o, id2); }
  if (nfields >= 2) { *o++ = ' '; o = put_dec(o, size); }
  if (op == 'm') { *o++ = ' '; o = put_dec(o, align); }
  if (site && g_sites) { *o++ = ' '; o = put_hex(o, (uint64_t)(uintptr_t)site); }
  *o++ = '\n';
  pthread_mutex_lock(&g_lock);
  if (g_state == 1) append_locked(line, (size_t)(o - line));
  pthread_mutex_unlock(&g_lock);
}

/* ---- the hooks ---- */

EXPORT void *malloc(size_t size) {
  if (__builtin_expect(__atomic_load_n(&g_resolved, __ATOMIC_ACQUIRE) != 2, 0)) {
    if (g_resolved == 1 || t_guard) return boot_alloc(size, 16);
    t_guard++;
    resolve();
    t_guard--;
  }
  if (t_guard) return real_malloc(size);
  t_guard++;
  void *p = real_malloc(size);
  if (recording()) emit('a', (uintptr_t)p, 0, size, 0, 2, __builtin_return_address(0));
  t_guard--;
  return p;
}

EXPORT void free(void *p) {
  if (!p) return;
  if (is_boot(p)) return;
  if (__builtin_expect(__atomic_load_n(&g_resolved, __ATOMIC_ACQUIRE) != 2, 0)) {
    if (g_resolved == 1 || t_guard) return;     /* cannot be ours to free yet: leak it */
    t_guard++;
    resolve();
    t_guard--;
  }
  if (t_guard) { real_free(p); return; }
  t_guard++;
  if (recording()) emit('f', (uintptr_t)p, 0, 0, 0, 1, NULL);
  real_free(p);
  t_guard--;
}

EXPORT void *calloc(size_t n, size_t s) {
  size_t bytes;
  int ovf = __builtin_mul_overflow(n, s, &bytes);
  if (__builtin_expect(__atomic_load_n(&g_resolved, __ATOMIC_ACQUIRE) != 2, 0)) {
    if (g_resolved == 1 || t_guard) { if (ovf) { errno = ENOMEM; return NULL; } return boot_alloc(bytes, 16); }
    t_guard++;
    resolve();
    t_guard--;
  }
  if (t_guard) return real_calloc(n, s);
  t_guard++;
  void *p = real_calloc(n, s);
  if (recording()) emit('c', (uintptr_t)p, 0, ovf ? UINT64_MAX : bytes, 0, 2, __builtin_return_address(0));
  t_guard--;
  return p;
}

static void *boot_realloc(void *old, size_t size) {
  /* a bootstrap block moving out: copy into a real block (or a new bootstrap one while resolving) */
  void *p = (g_resolved == 2 && !t_guard) ? malloc(size) : (g_resolved == 2 ? real_malloc(size) : boot_alloc(size, 16));
  if (p && old) {
    size_t n = boot_size(old);
    memcpy(p, old, n < size ? n : size);
  }
  return p;
}

static void *realloc_common(void *old, size_t n, size_t s, int array, void *site) {
  size_t size;
  int ovf = __builtin_mul_overflow(n, s, &size);
  if (old && is_boot(old)) {
    if (ovf) { errno = ENOMEM; return NULL; }
    return boot_realloc(old, size);
  }
  if (__builtin_expect(__atomic_load_n(&g_resolved, __ATOMIC_ACQUIRE) != 2, 0)) {
    if (g_resolved == 1 || t_guard) {
      if (old) return NULL;                    /* a real block before resolution cannot happen */
      if (ovf) { errno = ENOMEM; return NULL; }
      return boot_alloc(size, 16);
    }
    t_guard++;
    resolve();
    t_guard--;
  }
  if (t_guard) return array ? real_reallocarray(old, n, s) : real_realloc(old, size);
  t_guard++;
  void *p;
  if (recording()) {
    pthread_mutex_lock(&g_lock);
    p = array ? real_reallocarray(old, n, s) : real_realloc(old, size);
    if (g_state == 1) {
      char line[LINE_MAX_BYTES];
      char *o = line;
      o = put_str(o, "r ");
      o = put_hex(o, (uintptr_t)p);
      *o++ = ' ';
      o = put_hex(o, (uintptr_t)old);
      *o++ = ' ';
      uint64_t rec = ovf ? UINT64_MAX : size;
      /* realloc(p, 0) that freed p is written "r 0 old 0"; any other NULL keeps its size */
      o = put_dec(o, rec);
      if (site && g_sites && !(p == NULL && rec == 0)) { *o++ = ' '; o = put_hex(o, (uintptr_t)site); }
      *o++ = '\n';
      append_locked(line, (size_t)(o - line));
    }
    pthread_mutex_unlock(&g_lock);
  } else {
    p = array ? real_reallocarray(old, n, s) : real_realloc(old, size);
  }
  t_guard--;
  return p;
}

EXPORT void *realloc(void *old, size_t size) {
  return realloc_common(old, size, 1, 0, __builtin_return_address(0));
}

EXPORT void *reallocarray(void *old, size_t n, size_t s) {
  return realloc_common(old, n, s, 1, __builtin_return_address(0));
}

/* kind: 0 posix_memalign, 1 aligned_alloc, 2 memalign, 3 valloc, 4 pvalloc */
static void *aligned_common(int kind, size_t align, size_t size, int *err, void *site) {
  if (__builtin_expect(__atomic_load_n(&g_resolved, __ATOMIC_ACQUIRE) != 2, 0)) {
    if (g_resolved == 1 || t_guard) {
      size_t a = kind >= 3 ? PAGE : align;
      if (a & (a - 1)) { *err = EINVAL; return NULL; }
      void *p = boot_alloc(kind == 4 ? (size + PAGE - 1) & ~(size_t)(PAGE - 1) : size, a);
      if (!p) *err = ENOMEM;
      return p;
    }
    t_guard++;
    resolve();
    t_guard--;
  }
  void *p = NULL;
  int guarded = t_guard;
  t_guard++;
  switch (kind) {
  case 0: *err = real_posix_memalign(&p, align, size); if (*err) p = NULL; break;
  case 1: p = real_aligned_alloc(align, size); break;
  case 2: p = real_memalign(align, size); break;
  case 3: p = real_valloc(size); align = PAGE; break;
  default:
    p = real_pvalloc(size);
    align = PAGE;
    size = (size + PAGE - 1) & ~(size_t)(PAGE - 1);
    break;
  }
  if (!guarded && recording()) emit('m', (uintptr_t)p, 0, size, align, 2, site);
  t_guard--;
  return p;
}

EXPORT int posix_memalign(void **out, size_t align, size_t size) {
  int err = 0;
  void *p = aligned_common(0, align, size, &err, __builtin_return_address(0));
  if (err) return err;
  if (!p) return ENOMEM;
  *out = p;
  return 0;
}

EXPORT void *aligned_alloc(size_t align, size_t size) {
  int err = 0;
  void *p = aligned_common(1, align, size, &err, __builtin_return_address(0));
  if (!p && err) errno = err;
  return p;
}

EXPORT void *memalign(size_t align, size_t size) {
  int err = 0;
  void *p = aligned_common(2, align, size, &err, __builtin_return_address(0));
  if (!p && err) errno = err;
  return p;
}

EXPORT void *valloc(size_t size) {
  int err = 0;
  void *p = aligned_common(3, PAGE, size, &err, __builtin_return_address(0));
  if (!p && err) errno = err;
  return p;
}

EXPORT void *pvalloc(size_t size) {
  int err = 0;
  void *p = aligned_common(4, PAGE, size, &err, __builtin_return_address(0));
  if (!p && err) errno = err;
  return p;
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
