/* names.h: the one way a process is named.
 *
 * Nodes are n1..nN and clients c1..cM, in the trace, on screen, in scripts and in every
 * protocol's text. Protocols see only process indexes and counts, so the naming takes those,
 * not a scenario; core, views and app call the same functions. */
#ifndef ST_NAMES_H
#define ST_NAMES_H

#include <stddef.h>

/* The name of process p of nprocs (nodes first): "n3", "c1", or "?" out of range. Returns out. */
char *st_proc_name(int p, int nnodes, int nprocs, char *out, size_t outlen);
/* A small buffer that holds any process name. */
typedef struct { char s[12]; } st_pname;
st_pname st_pname_of(int p, int nnodes, int nprocs);
/* The index of a name ("n3" -> 2, "c1" -> nnodes), or -1 when it names no process: digits
 * only, no sign, no leading zero. */
int st_proc_index(const char *name, int nnodes, int nclients);

#endif
