/* grid.h: the cell grid every view draws into.
 *
 * Views never touch ncurses: they write characters (Unicode code points) with a colour role
 * and attributes into a grid, as htop draws into a buffer. One file of the app copies the grid
 * to the terminal; grid_text() renders it as plain UTF-8, which gives golden tests of what a
 * view draws, a render benchmark without a terminal, and a diagram a user can paste into notes.
 * Line-drawing goes through glyph names so --ascii is one switch here, not a branch per view. */
#ifndef ST_GRID_H
#define ST_GRID_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

/* Colour roles: what a cell means, not what colour it is; the theme decides colours. */
typedef enum {
	R_NORMAL = 0, R_DIM, R_TITLE, R_BORDER, R_FOCUS,
	R_NODE, R_CLIENT, R_ROLE_STRONG, R_ROLE_ACTIVE, R_ROLE_QUIET,
	R_MSG, R_MSG_HOT, R_DROP, R_CRASH, R_PAUSE, R_PARTITION,
	R_SELECT, R_MARK, R_PAST, R_FUTURE, R_CONCURRENT,
	R_CHANGED, R_STATUS, R_KEY, R_LESSON, R_WARN, R_GOOD, R_TIMER, R_CLOCK,
	/* a protocol's message classes (st_protocol.msg_classes), class k in R_CLASS1 + k % 6 */
	R_CLASS1, R_CLASS2, R_CLASS3, R_CLASS4, R_CLASS5, R_CLASS6,
	/* the hues of a protocol's picture (st_picture: Raft's terms), hue k in R_HUE1 + k % 6 */
	R_HUE1, R_HUE2, R_HUE3, R_HUE4, R_HUE5, R_HUE6,
	/* the selection's causal future on the timeline (its past is R_PAST; issue 9) */
	R_AFTER,
	R__COUNT
} grid_role;
extern const char *const grid_role_names[R__COUNT];  /* "normal", "dim", ... for themes */

enum { A_BOLD_ = 1, A_REV_ = 2, A_UND_ = 4, A_DIM_ = 8 };

typedef struct {
	uint32_t ch;        /* a Unicode code point; 0 never appears (blank is ' ') */
	uint8_t role;       /* grid_role */
	uint8_t attr;       /* A_*_ */
} grid_cell;

#define GRID_SCRATCH 8   /* scratch buffers a grid lends to the views drawing into it */

typedef struct {
	int w, h;
	grid_cell *cells;
	bool ascii;         /* line-drawing glyphs fall back to ASCII */
	struct { void *p; size_t cap; } scratch[GRID_SCRATCH];   /* see grid_scratch */
} grid;

typedef struct { int x, y, w, h; } grid_rect;

/* Named glyphs, each with a Unicode and an ASCII form. */
typedef enum {
	G_HLINE, G_VLINE, G_TL, G_TR, G_BL, G_BR, G_TEE_L, G_TEE_R, G_TEE_U, G_TEE_D, G_CROSS,
	G_DIAG_UP, G_DIAG_DOWN, G_ARROW_R, G_ARROW_L, G_ARROW_U, G_ARROW_D,
	G_DOT, G_BULLET, G_X, G_STAR, G_DIAMOND, G_SQUARE, G_TRI_R, G_BLOCK, G_SHADE, G_ELLIPSIS,
	G_WALL, G_DASH,
	G__COUNT
} grid_glyph;

grid *grid_new(int w, int h);
void grid_free(grid *g);
void grid_resize(grid *g, int w, int h);
void grid_clear(grid *g);
uint32_t grid_glyph_ch(const grid *g, grid_glyph gl);

static inline grid_cell *grid_at(grid *g, int x, int y)
{
	return (x >= 0 && y >= 0 && x < g->w && y < g->h) ? &g->cells[(size_t)y * (size_t)g->w + (size_t)x] : NULL;
}
void grid_put(grid *g, int x, int y, uint32_t ch, int role, int attr);
void grid_put_glyph(grid *g, int x, int y, grid_glyph gl, int role, int attr);
/* Write UTF-8 text from (x, y), clipped at max_w columns (or the grid's edge); returns the
 * columns written. Control characters become '?'. Every code point takes one column (wide
 * characters are not used by views). */
int grid_text_at(grid *g, int x, int y, const char *utf8, int max_w, int role, int attr);
void grid_fill(grid *g, grid_rect r, uint32_t ch, int role, int attr);
void grid_hline(grid *g, int x, int y, int w, int role);
void grid_vline(grid *g, int x, int y, int h, int role);
/* A box around r with a title in its top edge. */
void grid_box(grid *g, grid_rect r, const char *title, int role);
/* The grid as UTF-8 text, one line per row, trailing blanks trimmed; malloc'd. */
char *grid_text(const grid *g);

/* A buffer of at least bytes for a frame's scratch work (slot < GRID_SCRATCH): the memory of
 * the last frame drawn into this grid is reused, so a large frame does not allocate (and the
 * kernel does not zero fresh pages) every time. Growing keeps the contents; otherwise they
 * are whatever the last user left, so a view clears what it needs cleared. Nothing in it is
 * meant to survive a frame: views keep no state (view.h). Freed by grid_free. */
void *grid_scratch(grid *g, int slot, size_t bytes);

#endif
