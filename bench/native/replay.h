/*
 * replay.h: what the three files of heaplab-replay share.
 * trace-input.c: the driver's mmap'd arrays and the input (plain read(2) or a zlib inflate
 * stream, file or stdin) cut into lines or bytes; trace-parse.c: the v1 text and binary parsers
 * and the id -> slot table,
 * filling the event array; replay.c: the timed replay loop, the measurements and the JSON output.
 *
 * Memory layout: an event is 24 bytes: size (u64), slot (u32), slot2 (u32, realloc's old slot),
 * align (u32), op (u8). Slot numbers are < g_nslots; NO_SLOT marks "no block".
 */
#ifndef HEAPLAB_REPLAY_H
#define HEAPLAB_REPLAY_H
#define _GNU_SOURCE
#include <stddef.h>
#include <stdint.h>

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

/* trace-input.c */
extern const char *g_file;
void die_mem(void);
void *map_zero(size_t bytes);
void *grow(void *p, size_t old_bytes, size_t new_bytes);
void input_open(const char *file);
void input_close(void);
char *next_line(void);
int input_starts_with(const char *magic, size_t n);
int next_byte(void);   /* the binary form: one byte, -1 at the end */

/* trace-parse.c: the parsed trace */
extern event_t *g_ev;
extern size_t g_nev;             /* events in g_ev (frees of duplicates included) */
extern size_t g_lines_events;    /* event lines in the file */
extern size_t g_counts[7];       /* event lines by OP_* */
extern size_t g_unknown, g_failed_in_trace, g_duplicates;
extern uint64_t g_peak_live;
extern uint32_t g_nslots;
extern char g_program[256];
void parse_all(void);
void parse_release(void);        /* unmaps the parse-time tables, keeps g_ev */

#endif
