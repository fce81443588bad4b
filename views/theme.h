/* theme.h: what colour each grid role is drawn in.
 *
 * Views speak in roles (R_ROLE_STRONG, R_DROP, ...); a theme maps each role to a foreground, a
 * background and attributes, so colours are a file a user can edit rather than code. A theme
 * file is assets/themes/NAME.json: an object whose keys are role names (grid_role_names) and
 * whose values are {"fg": "green", "bg": "default", "attrs": ["bold"]}; roles it leaves out
 * keep the built-in default. NO_COLOR is the app's business: it simply does not apply colours.
 * No ncurses here: the app turns a theme into colour pairs. */
#ifndef ST_THEME_H
#define ST_THEME_H

#include <stddef.h>
#include <stdint.h>

#include "grid.h"

/* A colour: THEME_DEFAULT (the terminal's own), or 0-255 (0-7 the basic eight, 8-15 their
 * bright forms, the rest xterm's 256-colour palette). */
#define THEME_DEFAULT (-1)

typedef struct {
	int16_t fg, bg;
	uint8_t attr;       /* A_BOLD_ | A_REV_ | A_UND_ | A_DIM_ */
} theme_style;

typedef struct {
	char name[64];
	theme_style role[R__COUNT];
} theme;

/* The built-in theme (also what assets/themes/default.json says). */
void theme_default(theme *t);

/* Load NAME over the default: NAME is a path to a .json file, or a name looked up as
 * NAME.json in ./assets/themes, beside the executable (argv0, may be NULL) in assets/themes
 * and ../share/spacetime/themes, and in the install directory. Returns 0 when loaded, 1 when
 * no such theme exists (t is the default), -1 on a bad file (t is the default and err says
 * which file, where and what is wrong). */
int theme_load(theme *t, const char *name, const char *argv0, char *err, size_t errlen);

/* Parse a theme from text (path only names it in messages). Same returns as theme_load. */
int theme_parse(theme *t, const char *text, size_t len, const char *path, char *err,
		size_t errlen);


#endif
