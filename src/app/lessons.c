/* lessons.c: gather the scenario files for --list and the picker (see lessons.h). */
#include <dirent.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "base/mem.h"
#include "core/scenario.h"
#include "lessons.h"
#include "scenario_path.h"

static int lessons_cmp(const void *a, const void *b)
{
	const lesson_item *x = a, *y = b;
	if (x->topic_rank != y->topic_rank)
		return x->topic_rank - y->topic_rank;
	if (x->order != y->order)
		return x->order - y->order;
	return strcmp(x->name, y->name);
}

int lessons_gather(lesson_list *l, const char *argv0)
{
	memset(l, 0, sizeof *l);
	if (!scenario_path_dir(argv0, l->dir, sizeof l->dir))
		return -1;
	DIR *d = opendir(l->dir);
	if (!d)
		return -1;
	struct dirent *de;
	size_t cap = 0;
	while ((de = readdir(d)) != NULL) {
		size_t n = strlen(de->d_name);
		if (n < 6 || strcmp(de->d_name + n - 5, ".json") != 0 || de->d_name[0] == '.')
			continue;
		char path[4096], err[2048];
		if (snprintf(path, sizeof path, "%s/%.255s", l->dir, de->d_name) >= (int)sizeof path) continue;
		st_scenario *sc = scenario_load(path, err, sizeof err);
		if (!sc) {
			l->broken = st_realloc(l->broken, (size_t)(l->nbroken + 1) * sizeof *l->broken);
			l->broken[l->nbroken++] = st_strdup(err);
			continue;
		}
		st_grow(&l->items, &cap, (size_t)l->n + 1, sizeof *l->items);
		lesson_item *it = &l->items[l->n++];
		snprintf(it->name, sizeof it->name, "%s", sc->name);
		snprintf(it->title, sizeof it->title, "%s", sc->title);
		snprintf(it->topic, sizeof it->topic, "%s", sc->topic);
		snprintf(it->path, sizeof it->path, "%s", path);
		it->order = sc->order;
		it->topic_rank = sc_ntopics;
		for (int t = 0; t < sc_ntopics; t++)
			if (strcmp(sc_topics[t], sc->topic) == 0)
				it->topic_rank = t;
		scenario_free(sc);
	}
	closedir(d);
	qsort(l->items, (size_t)l->n, sizeof *l->items, lessons_cmp);
	return 0;
}

void lessons_free(lesson_list *l)
{
	for (int i = 0; i < l->nbroken; i++)
		free(l->broken[i]);
	free(l->broken);
	free(l->items);
	memset(l, 0, sizeof *l);
}
