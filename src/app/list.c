/* list.c: `spacetime --list`: the lessons, grouped by topic in the order of the learning path.
 * The lesson picker of the terminal program shows the same list (lessons.c gathers it). */
#include <stdio.h>
#include <string.h>

#include "cli.h"
#include "lessons.h"

int list_main(const cli_opts *o)
{
	lesson_list l;
	if (lessons_gather(&l, o->argv0) != 0) {
		fprintf(stderr, "spacetime: no scenario directory found (looked in ./scenarios and "
				"the installed share/spacetime/scenarios)\n");
		return EXIT_RUNTIME;
	}
	int w = 22;     /* the names' column fits the longest */
	for (int i = 0; i < l.n; i++)
		if ((int)strlen(l.items[i].name) > w)
			w = (int)strlen(l.items[i].name);
	const char *topic = NULL;
	for (int i = 0; i < l.n; i++) {
		if (!topic || strcmp(topic, l.items[i].topic) != 0) {
			topic = l.items[i].topic;
			printf("%s%s\n", i ? "\n" : "", topic);
		}
		printf("  %-*s %s\n", w, l.items[i].name, l.items[i].title);
	}
	for (int i = 0; i < l.nbroken; i++)
		fprintf(stderr, "spacetime: skipped %s\n", l.broken[i]);
	lessons_free(&l);
	return EXIT_DONE;
}
