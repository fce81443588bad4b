/* screen.h: the one place a grid meets the terminal.
 *
 * Views draw into a cell grid of code points and colour roles; this copies it to ncurses,
 * turning roles into colour pairs (or, without colour, into attributes only) and, for
 * terminals without Unicode, code points into ASCII. Keeping it to one file is what lets the
 * views be tested as text and benchmarked without a terminal. */
#ifndef ST_SCREEN_H
#define ST_SCREEN_H

#include <stdbool.h>

#include "cli.h"
#include "views/grid.h"
#include "views/theme.h"

/* Colour unless --no-color or NO_COLOR (https://no-color.org: set and not empty). */
bool screen_color_wanted(const cli_opts *o);
/* ASCII when asked (--ascii) or when the locale cannot encode Unicode (LANG=C). */
bool screen_ascii_wanted(const cli_opts *o);

/* The theme --theme names, or the built-in one; before the terminal is taken, so a bad theme
 * file is reported on stderr like a bad scenario (returns false then). */
bool screen_load_theme(const cli_opts *o, theme *out);
/* After newterm(): colour pairs for every role from the theme (when color and the terminal
 * can), else attributes only. */
void screen_init(bool color, bool ascii, const theme *t);
/* Copy the grid to the screen (wnoutrefresh; the caller calls doupdate once). */
void screen_blit(const grid *g);

#endif
