/* names.c: process names (see names.h). */
#include "names.h"

#include <stdio.h>

char *st_proc_name(int p, int nnodes, int nprocs, char *out, size_t outlen)
{
	if (!out || outlen == 0)
		return out;
	if (p < 0 || p >= nprocs)
		snprintf(out, outlen, "?");
	else if (p < nnodes)
		snprintf(out, outlen, "n%d", p + 1);
	else
		snprintf(out, outlen, "c%d", p - nnodes + 1);
	return out;
}

st_pname st_pname_of(int p, int nnodes, int nprocs)
{
	st_pname n;
	st_proc_name(p, nnodes, nprocs, n.s, sizeof n.s);
	return n;
}

int st_proc_index(const char *name, int nnodes, int nclients)
{
	if (!name || (name[0] != 'n' && name[0] != 'c'))
		return -1;
	if (name[1] < '1' || name[1] > '9')
		return -1;
	int v = 0;
	for (const char *s = name + 1; *s; s++) {
		if (*s < '0' || *s > '9' || v > 1000)
			return -1;
		v = v * 10 + (*s - '0');
	}
	if (name[0] == 'n')
		return v <= nnodes ? v - 1 : -1;
	return v <= nclients ? nnodes + v - 1 : -1;
}
