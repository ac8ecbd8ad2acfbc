/*
 * record.h: what the two halves of libheaplab-record.so share.
 * record.c holds the real functions, the bootstrap buffer, the thread guard and the allocation
 * hooks; record-file.c holds the per-process recording state, the event buffer, the trace file,
 * and the exit, exec and fork handling. Every symbol here is hidden (-fvisibility=hidden): only
 * the hooks marked EXPORT are visible to the program.
 *
 * Invariants (see record.c): g_lock guards the event buffer; t_guard is nonzero inside a hook.
 */
#ifndef HEAPLAB_RECORD_H
#define HEAPLAB_RECORD_H
#define _GNU_SOURCE
#include <pthread.h>
#include <stddef.h>
#include <stdint.h>

#define EXPORT __attribute__((visibility("default")))
#define PAGE 4096u
#define LINE_MAX_BYTES 128

/* record.c */
extern int (*real_execve)(const char *, char *const[], char *const[]);
extern int (*real_execvpe)(const char *, char *const[], char *const[]);
extern int (*real_fexecve)(int, char *const[], char *const[]);
extern int g_resolved;           /* 0 not yet, 1 resolving, 2 done */
extern __thread int t_guard __attribute__((tls_model("initial-exec")));
void resolve(void);

/* record-file.c */
extern pthread_mutex_t g_lock;
extern int g_state;              /* 0 undecided, 1 recording, -1 not recording */
extern int g_sites;
void decide(void);
void append_locked(const char *line, size_t n);
void emit(char op, uint64_t id, uint64_t id2, uint64_t size, uint64_t align, int nfields, void *site);
char *put_str(char *o, const char *s);
char *put_dec(char *o, uint64_t v);
char *put_hex(char *o, uint64_t v);
/* With sites on: makes sure the module holding `site` has its `# module` line (rereads the maps
   when it is in none written so far). Call with g_lock held, before appending the event's line. */
void note_site_locked(uint64_t site);

/* Whether this process records (decided on first use). */
static inline int recording(void) {
  if (__builtin_expect(g_state == 0, 0)) decide();
  return g_state == 1;
}

#endif
