/* screen.c: copy a cell grid to ncurses (see screen.h).
 *
 * Colour roles become colour pairs once, at start; each frame is one pass over the grid with
 * mvadd_wch, and ncurses' own diffing sends only the cells that changed, which keeps a
 * 30-frames-a-second play cheap over SSH. */
#include <curses.h>
#include <langinfo.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <wchar.h>

#include "screen.h"

/* Without colour, the attributes alone must still tell the selection, the mark, the past and
 * future, warnings and the status bar apart: these are added to the theme's own. */
static const attr_t screen_mono[R__COUNT] = {
	[R_DIM] = A_DIM, [R_BORDER] = A_DIM, [R_FOCUS] = A_BOLD, [R_ROLE_STRONG] = A_BOLD,
	[R_ROLE_ACTIVE] = A_BOLD, [R_DROP] = A_BOLD, [R_CRASH] = A_BOLD | A_UNDERLINE,
	[R_PARTITION] = A_BOLD, [R_SELECT] = A_REVERSE, [R_MARK] = A_UNDERLINE | A_BOLD,
	[R_FUTURE] = A_DIM, [R_STATUS] = A_REVERSE, [R_WARN] = A_BOLD | A_REVERSE,
	[R_KEY] = A_BOLD, [R_TITLE] = A_BOLD, [R_MSG_HOT] = A_BOLD,
};

static struct {
	bool color, ascii;
	attr_t attr[R__COUNT];
	short pair[R__COUNT];
} screen_st;

bool screen_color_wanted(const cli_opts *o)
{
	const char *nc = getenv("NO_COLOR");
	return !o->no_color && !(nc && *nc);
}

bool screen_ascii_wanted(const cli_opts *o)
{
	if (o->ascii)
		return true;
	/* The Linux console's font has the box lines but not the arrows, marks and blocks the
	 * views use; a serial terminal has none of them. ASCII there, whatever the locale says. */
	static const char *const ascii_terms[] = {"linux", "vt100", "vt102", "vt220", "ansi", "cons25"};
	const char *term = getenv("TERM");
	for (size_t i = 0; term && i < sizeof ascii_terms / sizeof ascii_terms[0]; i++) {
		size_t n = strlen(ascii_terms[i]);
		if (strncmp(term, ascii_terms[i], n) == 0 && (term[n] == 0 || term[n] == '-'))
			return true;
	}
	const char *cs = nl_langinfo(CODESET);
	return !(cs && (strcmp(cs, "UTF-8") == 0 || strcmp(cs, "utf8") == 0));
}

bool screen_load_theme(const cli_opts *o, theme *out)
{
	theme_default(out);
	if (!o->theme)
		return true;
	char err[1024];
	int rc = theme_load(out, o->theme, o->argv0, err, sizeof err);
	if (rc == 1) {
		fprintf(stderr, "spacetime: no theme named '%s' (looked for %s.json in "
				"assets/themes)\n", o->theme, o->theme);
		return false;
	}
	if (rc < 0) {
		fprintf(stderr, "spacetime: %s\n", err);
		return false;
	}
	return true;
}

static attr_t screen_attr_of(uint8_t a)
{
	return ((a & A_BOLD_) ? A_BOLD : 0) | ((a & A_REV_) ? A_REVERSE : 0) |
	       ((a & A_UND_) ? A_UNDERLINE : 0) | ((a & A_DIM_) ? A_DIM : 0);
}

/* A theme colour the terminal can show: bright colours on an 8-colour terminal become the
 * basic ones made bold (grey becomes dim white); palette colours past COLORS the default. */
static short screen_color(int c, attr_t *extra)
{
	if (c < 0)
		return -1;
	if (c < COLORS)
		return (short)c;
	if (c >= 8 && c < 16) {
		if (c == 8) {
			*extra |= A_DIM;
			return COLOR_WHITE;
		}
		*extra |= A_BOLD;
		return (short)(c - 8);
	}
	return -1;
}

void screen_init(bool color, bool ascii, const theme *t)
{
	screen_st.ascii = ascii;
	screen_st.color = color && has_colors() && start_color() == OK;
	if (screen_st.color)
		use_default_colors();
	for (int r = 0; r < R__COUNT; r++) {
		const theme_style *l = &t->role[r];
		screen_st.pair[r] = 0;
		if (!screen_st.color) {
			screen_st.attr[r] = screen_attr_of(l->attr) | screen_mono[r];
			continue;
		}
		attr_t extra = 0;
		short fg = screen_color(l->fg, &extra), bg = screen_color(l->bg, &extra);
		if (r + 1 < COLOR_PAIRS && init_pair((short)(r + 1), fg, bg) == OK)
			screen_st.pair[r] = (short)(r + 1);
		screen_st.attr[r] = screen_attr_of(l->attr) | extra;
	}
}

/* ASCII stand-ins for the few code points views write as text rather than as glyphs. */
static wchar_t screen_ascii_of(uint32_t ch)
{
	static const struct { uint32_t u; char a; } map[] = {
		{0x2190, '<'}, {0x2192, '>'}, {0x2191, '^'}, {0x2193, 'v'}, {0x00b7, '.'},
		{0x2026, '~'}, {0x2588, '#'}, {0x2500, '-'}, {0x2502, '|'}, {0x25b8, '>'},
		{0x25c2, '<'}, {0x25cf, 'o'}, {0x2571, '/'}, {0x2572, '\\'}, {0x2014, '-'},
		{0x2013, '-'}, {0x00d7, 'x'}, {0x2022, '*'}, {0x2713, 'v'}, {0x2717, 'x'},
		{0x25b6, '>'}, {0x275a, '|'}, {0x2716, 'X'}, {0x25c6, '*'}, {0x25c7, '+'},
		{0x25cb, 'o'}, {0x25f7, 't'}, {0x21bb, 'R'}, {0x25b4, '^'}, {0x25be, 'v'},
		{0x25bc, 'v'}, {0x25b2, '^'}, {0x2591, '.'}, {0x201c, '"'}, {0x201d, '"'},
		{0x2018, '\''}, {0x2019, '\''}, {0x00b1, '~'}, {0x03b8, 'o'}, {0x03b4, 'd'},
		{0x2264, '<'}, {0x2265, '>'}, {0x2260, '#'}, {0x2194, '-'},
	};
	for (size_t i = 0; i < sizeof map / sizeof map[0]; i++)
		if (map[i].u == ch)
			return (wchar_t)map[i].a;
	return '?';
}

void screen_blit(const grid *g)
{
	int rows = getmaxy(stdscr), cols = getmaxx(stdscr);
	for (int y = 0; y < g->h && y < rows; y++) {
		for (int x = 0; x < g->w && x < cols; x++) {
			const grid_cell *c = &g->cells[(size_t)y * (size_t)g->w + (size_t)x];
			int role = c->role < R__COUNT ? c->role : R_NORMAL;
			attr_t a = screen_st.attr[role] | screen_attr_of(c->attr);
			wchar_t wc[2] = {(wchar_t)c->ch, 0};
			if (c->ch < 32 || c->ch == 127)
				wc[0] = '?';
			else if (c->ch > 126 && screen_st.ascii)
				wc[0] = screen_ascii_of(c->ch);
			cchar_t cc;
			setcchar(&cc, wc, a, screen_st.pair[role], NULL);
			/* the bottom-right cell "fails" (the cursor cannot move past it) but is drawn */
			mvwadd_wch(stdscr, y, x, &cc);
		}
	}
	wnoutrefresh(stdscr);
}
