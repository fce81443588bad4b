/* lessons.h: every scenario file found, loaded just enough to be listed, sorted by topic (in
 * the order of the learning path) and then by name. --list prints it; the lesson picker of the
 * terminal program draws it. */
#ifndef ST_LESSONS_H
#define ST_LESSONS_H

#include <string.h>

typedef struct {
	char name[64], title[128], topic[64], path[4096];
	int topic_rank;
	int order;
} lesson_item;

typedef struct {
	lesson_item *items;
	int n;
	char **broken;      /* messages for files that failed to load */
	int nbroken;
	char dir[4096];
} lesson_list;

int lessons_gather(lesson_list *l, const char *argv0);
void lessons_free(lesson_list *l);

#endif
