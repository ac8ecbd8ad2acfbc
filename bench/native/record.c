/*
 * libheaplab-record.so, part 1: the allocation hooks. An LD_PRELOAD recorder writing
 * heaplab-trace v1, one file per process (record-file.c writes it).
 *
 * Structure: resolution of the real functions (dlsym(RTLD_NEXT), with a bootstrap bump buffer for
 * the allocations dlsym makes meanwhile) -> the thread guard -> the hooks malloc, free, calloc,
 * realloc, reallocarray, posix_memalign, aligned_alloc, memalign, valloc, pvalloc.
 *
 * Memory layout: the bootstrap buffer (256 KiB of .bss) hands out 16-byte-aligned blocks, each
 * preceded by a 16-byte header holding its size; they are never recorded and never given to the
 * real free. No stdio, no malloc in the recorder's own paths.
 *
 * Invariants: a free's line is appended before the real free, an allocation's after the real call
 * returns, and a realloc holds g_lock across the real realloc, so in the file an address is never
 * allocated twice while live. t_guard is nonzero while a thread is inside a hook: nested calls
 * (from the real allocator, dlsym, or a signal handler) pass through unrecorded.
 */
#include "record.h"

#include <dlfcn.h>
#include <errno.h>
#include <sched.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

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
int (*real_execve)(const char *, char *const[], char *const[]);
int (*real_execvpe)(const char *, char *const[], char *const[]);
int (*real_fexecve)(int, char *const[], char *const[]);

int g_resolved;

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

void resolve(void) {
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

__thread int t_guard __attribute__((tls_model("initial-exec")));

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
      int with_site = site && g_sites && !(p == NULL && rec == 0);
      if (with_site) { *o++ = ' '; o = put_hex(o, (uintptr_t)site); }
      *o++ = '\n';
      if (with_site) note_site_locked((uintptr_t)site);
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
