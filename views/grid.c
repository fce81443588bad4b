/* grid.c: the cell grid (see grid.h). */
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "base/mem.h"
#include "core/utf8.h"
#include "grid.h"

const char *const grid_role_names[R__COUNT] = {
	"normal", "dim", "title", "border", "focus",
	"node", "client", "role_strong", "role_active", "role_quiet",
	"msg", "msg_hot", "drop", "crash", "pause", "partition",
	"select", "mark", "past", "future", "concurrent",
	"changed", "status", "key", "lesson", "warn", "ok", "timer", "clock",
	"class1", "class2", "class3", "class4", "class5", "class6",
	"hue1", "hue2", "hue3", "hue4", "hue5", "hue6",
	"after",
};

static const struct { uint32_t uni; char ascii; } grid_glyphs[G__COUNT] = {
	[G_HLINE] = {0x2500, '-'}, [G_VLINE] = {0x2502, '|'}, [G_TL] = {0x250c, '+'},
	[G_TR] = {0x2510, '+'}, [G_BL] = {0x2514, '+'}, [G_BR] = {0x2518, '+'},
	[G_TEE_L] = {0x251c, '+'}, [G_TEE_R] = {0x2524, '+'}, [G_TEE_U] = {0x2534, '+'},
	[G_TEE_D] = {0x252c, '+'}, [G_CROSS] = {0x253c, '+'},
	[G_DIAG_UP] = {0x2571, '/'}, [G_DIAG_DOWN] = {0x2572, '\\'},
	[G_ARROW_R] = {0x25b8, '>'}, [G_ARROW_L] = {0x25c2, '<'}, [G_ARROW_U] = {0x25b4, '^'},
	[G_ARROW_D] = {0x25be, 'v'}, [G_DOT] = {0x00b7, '.'}, [G_BULLET] = {0x25cf, 'o'},
	[G_X] = {0x2716, 'x'}, [G_STAR] = {0x2605, '*'}, [G_DIAMOND] = {0x25c6, '#'},
	[G_SQUARE] = {0x25a0, '#'}, [G_TRI_R] = {0x25b6, '>'}, [G_BLOCK] = {0x2588, '#'},
	[G_SHADE] = {0x2591, ':'}, [G_ELLIPSIS] = {0x2026, '~'}, [G_WALL] = {0x2503, '|'},
	[G_DASH] = {0x2504, '-'},
};

grid *grid_new(int w, int h)
{
	grid *g = st_zalloc(1, sizeof *g);
	grid_resize(g, w, h);
	return g;
}

void grid_free(grid *g)
{
	if (!g)
		return;
	free(g->cells);
	for (int i = 0; i < GRID_SCRATCH; i++)
		free(g->scratch[i].p);
	free(g);
}

void *grid_scratch(grid *g, int slot, size_t bytes)
{
	st_grow(&g->scratch[slot].p, &g->scratch[slot].cap, bytes, 1);
	return g->scratch[slot].p;
}

void grid_resize(grid *g, int w, int h)
{
	if (w < 0)
		w = 0;
	if (h < 0)
		h = 0;
	g->cells = st_realloc(g->cells, (size_t)(w ? w : 1) * (size_t)(h ? h : 1) * sizeof *g->cells);
	g->w = w;
	g->h = h;
	grid_clear(g);
}

void grid_clear(grid *g)
{
	for (size_t i = 0; i < (size_t)g->w * (size_t)g->h; i++)
		g->cells[i] = (grid_cell){' ', R_NORMAL, 0};
}

uint32_t grid_glyph_ch(const grid *g, grid_glyph gl)
{
	return g->ascii ? (uint32_t)grid_glyphs[gl].ascii : grid_glyphs[gl].uni;
}

void grid_put(grid *g, int x, int y, uint32_t ch, int role, int attr)
{
	grid_cell *c = grid_at(g, x, y);
	if (c)
		*c = (grid_cell){ch ? ch : ' ', (uint8_t)role, (uint8_t)attr};
}

void grid_put_glyph(grid *g, int x, int y, grid_glyph gl, int role, int attr)
{
	grid_put(g, x, y, grid_glyph_ch(g, gl), role, attr);
}


int grid_text_at(grid *g, int x, int y, const char *utf8, int max_w, int role, int attr)
{
	if (!utf8)
		return 0;
	const unsigned char *p = (const unsigned char *)utf8;
	int n = 0;
	while (*p && (max_w < 0 || n < max_w) && x + n < g->w) {
		uint32_t c = utf8_next(&p);
		if (c < 0x20 || c == 0x7f)
			c = '?';
		grid_put(g, x + n, y, c, role, attr);
		n++;
	}
	return n;
}

void grid_fill(grid *g, grid_rect r, uint32_t ch, int role, int attr)
{
	for (int y = r.y; y < r.y + r.h; y++)
		for (int x = r.x; x < r.x + r.w; x++)
			grid_put(g, x, y, ch, role, attr);
}

void grid_hline(grid *g, int x, int y, int w, int role)
{
	for (int i = 0; i < w; i++)
		grid_put_glyph(g, x + i, y, G_HLINE, role, 0);
}

void grid_vline(grid *g, int x, int y, int h, int role)
{
	for (int i = 0; i < h; i++)
		grid_put_glyph(g, x, y + i, G_VLINE, role, 0);
}

void grid_box(grid *g, grid_rect r, const char *title, int role)
{
	if (r.w < 2 || r.h < 2)
		return;
	grid_hline(g, r.x + 1, r.y, r.w - 2, role);
	grid_hline(g, r.x + 1, r.y + r.h - 1, r.w - 2, role);
	grid_vline(g, r.x, r.y + 1, r.h - 2, role);
	grid_vline(g, r.x + r.w - 1, r.y + 1, r.h - 2, role);
	grid_put_glyph(g, r.x, r.y, G_TL, role, 0);
	grid_put_glyph(g, r.x + r.w - 1, r.y, G_TR, role, 0);
	grid_put_glyph(g, r.x, r.y + r.h - 1, G_BL, role, 0);
	grid_put_glyph(g, r.x + r.w - 1, r.y + r.h - 1, G_BR, role, 0);
	if (title && *title && r.w > 6) {
		grid_put(g, r.x + 1, r.y, ' ', role, 0);
		int n = grid_text_at(g, r.x + 2, r.y, title, r.w - 5, R_TITLE, A_BOLD_);
		grid_put(g, r.x + 2 + n, r.y, ' ', role, 0);
	}
}

static size_t grid_utf8_put(char *out, uint32_t c)
{
	if (c < 0x80) {
		out[0] = (char)c;
		return 1;
	}
	if (c < 0x800) {
		out[0] = (char)(0xc0 | (c >> 6));
		out[1] = (char)(0x80 | (c & 0x3f));
		return 2;
	}
	if (c < 0x10000) {
		out[0] = (char)(0xe0 | (c >> 12));
		out[1] = (char)(0x80 | ((c >> 6) & 0x3f));
		out[2] = (char)(0x80 | (c & 0x3f));
		return 3;
	}
	out[0] = (char)(0xf0 | (c >> 18));
	out[1] = (char)(0x80 | ((c >> 12) & 0x3f));
	out[2] = (char)(0x80 | ((c >> 6) & 0x3f));
	out[3] = (char)(0x80 | (c & 0x3f));
	return 4;
}

char *grid_text(const grid *g)
{
	size_t cap = (size_t)g->w * (size_t)g->h * 4 + (size_t)g->h + 1;
	char *out = st_alloc(cap), *p = out;
	for (int y = 0; y < g->h; y++) {
		char *line = p, *last = p;
		for (int x = 0; x < g->w; x++) {
			uint32_t c = g->cells[(size_t)y * (size_t)g->w + (size_t)x].ch;
			p += grid_utf8_put(p, c);
			if (c != ' ')
				last = p;
		}
		(void)line;
		p = last;
		*p++ = '\n';
	}
	*p = 0;
	return out;
}

