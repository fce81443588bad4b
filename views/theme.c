/* theme.c: colour themes from JSON files (see theme.h for the format and why).
 *
 * The built-in table is the default theme, so the program looks right with no files
 * installed; a theme file only overrides the roles it names. A bad file gets one message that
 * names it and the place (line:column for a syntax error, the role and field for a wrong
 * value) and says what was expected, like a bad scenario does. */
#include <cJSON.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "base/mem.h"
#include "core/json_text.h"
#include "core/scenario.h"
#include "theme.h"

/* Colour names, by palette index. */
static const char *const theme_colors[16] = {
	"black", "red", "green", "yellow", "blue", "magenta", "cyan", "white",
	"bright_black", "bright_red", "bright_green", "bright_yellow", "bright_blue",
	"bright_magenta", "bright_cyan", "bright_white",
};

/* Other spellings people use. */
static const struct { const char *name; int color; } theme_color_aliases[] = {
	{"default", THEME_DEFAULT}, {"gray", 8}, {"grey", 8},
};

static const struct { const char *name; uint8_t attr; } theme_attrs[] = {
	{"bold", A_BOLD_}, {"reverse", A_REV_}, {"underline", A_UND_}, {"dim", A_DIM_},
};

#define D THEME_DEFAULT
static const theme_style theme_builtin[R__COUNT] = {
	[R_NORMAL] = {D, D, 0},         [R_DIM] = {8, D, 0},
	[R_TITLE] = {D, D, A_BOLD_},    [R_BORDER] = {8, D, 0},
	[R_FOCUS] = {6, D, A_BOLD_},    [R_NODE] = {6, D, 0},
	[R_CLIENT] = {5, D, 0},         [R_ROLE_STRONG] = {2, D, A_BOLD_},
	[R_ROLE_ACTIVE] = {3, D, A_BOLD_}, [R_ROLE_QUIET] = {4, D, 0},
	[R_MSG] = {6, D, 0},            [R_MSG_HOT] = {3, D, A_BOLD_},
	[R_DROP] = {1, D, A_BOLD_},     [R_CRASH] = {1, D, A_BOLD_},
	[R_PAUSE] = {3, D, 0},          [R_PARTITION] = {5, D, A_BOLD_},
	[R_SELECT] = {6, D, A_BOLD_},   [R_MARK] = {5, D, A_BOLD_},
	[R_PAST] = {12, D, 0},           [R_FUTURE] = {8, D, 0},
	[R_CONCURRENT] = {3, D, 0},     [R_CHANGED] = {3, D, A_BOLD_},
	[R_STATUS] = {D, D, 0},         [R_KEY] = {6, D, A_BOLD_},
	[R_LESSON] = {D, D, 0},         [R_WARN] = {3, D, A_BOLD_},
	[R_GOOD] = {2, D, 0},             [R_TIMER] = {4, D, A_BOLD_},
	[R_CLOCK] = {5, D, 0},
	/* message classes: a colour each, and an attribute each so NO_COLOR tells them apart */
	[R_CLASS1] = {3, D, A_BOLD_},    [R_CLASS2] = {2, D, 0},
	[R_CLASS3] = {8, D, A_DIM_},     [R_CLASS4] = {5, D, A_UND_},
	[R_CLASS5] = {4, D, A_BOLD_},    [R_CLASS6] = {6, D, A_UND_},
	/* a picture's hues (Raft's terms): distinct colours, and under NO_COLOR the cell's text */
	[R_HUE1] = {6, D, 0},  [R_HUE2] = {3, D, 0},  [R_HUE3] = {2, D, 0},
	[R_HUE4] = {5, D, 0},  [R_HUE5] = {4, D, 0},  [R_HUE6] = {1, D, 0},
	/* the selection's causal cone: its past blue, its future green, bright so they differ
	 * from the classes' colours; what is concurrent with it stays R_CONCURRENT's yellow */
	[R_AFTER] = {10, D, 0},
};
#undef D

void theme_default(theme *t)
{
	memset(t, 0, sizeof *t);
	snprintf(t->name, sizeof t->name, "default");
	memcpy(t->role, theme_builtin, sizeof t->role);
}

/* A colour from a name or a palette index; false when it is neither. */
static bool theme_color(const cJSON *v, int16_t *out)
{
	if (cJSON_IsNumber(v)) {
		double d = v->valuedouble;
		if (d < 0 || d > 255 || d != (int)d)
			return false;
		*out = (int16_t)d;
		return true;
	}
	if (!cJSON_IsString(v))
		return false;
	for (int i = 0; i < 16; i++)
		if (strcmp(v->valuestring, theme_colors[i]) == 0) {
			*out = (int16_t)i;
			return true;
		}
	for (size_t i = 0; i < sizeof theme_color_aliases / sizeof theme_color_aliases[0]; i++)
		if (strcmp(v->valuestring, theme_color_aliases[i].name) == 0) {
			*out = (int16_t)theme_color_aliases[i].color;
			return true;
		}
	return false;
}

static int theme_role_of(const char *name)
{
	for (int r = 0; r < R__COUNT; r++)
		if (strcmp(grid_role_names[r], name) == 0)
			return r;
	return -1;
}

/* What a value is, for messages. */
static const char *theme_what(const cJSON *v)
{
	return cJSON_IsString(v) ? "a string" : cJSON_IsNumber(v) ? "a number" :
	       cJSON_IsObject(v) ? "an object" : cJSON_IsArray(v) ? "an array" :
	       cJSON_IsBool(v) ? "a boolean" : "null";
}

static int theme_fail(theme *t, char *err, size_t errlen, const char *fmt, ...)
	__attribute__((format(printf, 4, 5)));

static int theme_fail(theme *t, char *err, size_t errlen, const char *fmt, ...)
{
	va_list ap;
	va_start(ap, fmt);
	vsnprintf(err, errlen, fmt, ap);
	va_end(ap);
	theme_default(t);
	return -1;
}

#define THEME_COLOR_HELP "a colour name (default, black, red, green, yellow, blue, magenta, " \
	"cyan, white, bright_black ... bright_white) or a palette index 0-255"

/* One role's style object. */
static int theme_style_of(theme *t, const cJSON *v, const char *path, const char *role,
			  theme_style *st, char *err, size_t errlen)
{
	if (!cJSON_IsObject(v))
		return theme_fail(t, err, errlen, "%s: %s: got %s; expected an object such as "
				  "{\"fg\": \"green\", \"attrs\": [\"bold\"]}", path, role, theme_what(v));
	for (const cJSON *f = v->child; f; f = f->next) {
		if (strcmp(f->string, "fg") == 0 || strcmp(f->string, "bg") == 0) {
			int16_t *c = f->string[0] == 'f' ? &st->fg : &st->bg;
			if (!theme_color(f, c))
				return theme_fail(t, err, errlen, "%s: %s.%s: %s%s%s is not a colour; "
						  "expected " THEME_COLOR_HELP, path, role, f->string,
						  cJSON_IsString(f) ? "\"" : "",
						  cJSON_IsString(f) ? f->valuestring : theme_what(f),
						  cJSON_IsString(f) ? "\"" : "");
		} else if (strcmp(f->string, "attrs") == 0) {
			if (!cJSON_IsArray(f))
				return theme_fail(t, err, errlen, "%s: %s.attrs: got %s; expected an "
						  "array such as [\"bold\"]", path, role, theme_what(f));
			st->attr = 0;
			int i = 0;
			for (const cJSON *a = f->child; a; a = a->next, i++) {
				size_t k, n = sizeof theme_attrs / sizeof theme_attrs[0];
				for (k = 0; k < n; k++)
					if (cJSON_IsString(a) && strcmp(a->valuestring, theme_attrs[k].name) == 0)
						break;
				if (k == n)
					return theme_fail(t, err, errlen, "%s: %s.attrs[%d]: not an "
							  "attribute; expected \"bold\", \"reverse\", "
							  "\"underline\" or \"dim\"", path, role, i);
				st->attr |= theme_attrs[k].attr;
			}
		} else {
			return theme_fail(t, err, errlen, "%s: %s.%s: unknown field; expected \"fg\", "
					  "\"bg\" or \"attrs\"", path, role, f->string);
		}
	}
	return 0;
}

int theme_parse(theme *t, const char *text, size_t len, const char *path, char *err,
		size_t errlen)
{
	theme_default(t);
	const char *end = NULL;
	cJSON *root = cJSON_ParseWithLengthOpts(text, len, &end, false);
	if (!root) {
		int line = 1, col = 1;
		if (end && end >= text && end <= text + len)
			json_line_col(text, (size_t)(end - text), &line, &col);
		return theme_fail(t, err, errlen, "%s:%d:%d: not valid JSON", path, line, col);
	}
	int rc = 0;
	if (!cJSON_IsObject(root)) {
		rc = theme_fail(t, err, errlen, "%s: got %s; expected an object of role names such as "
				"{\"leader\": {\"fg\": \"green\"}}", path, theme_what(root));
		goto out;
	}
	for (const cJSON *v = root->child; v && rc == 0; v = v->next) {
		if (strcmp(v->string, "name") == 0 || strcmp(v->string, "description") == 0) {
			if (!cJSON_IsString(v)) {
				rc = theme_fail(t, err, errlen, "%s: %s: got %s; expected a string", path,
						v->string, theme_what(v));
			} else if (v->string[0] == 'n') {
				snprintf(t->name, sizeof t->name, "%s", v->valuestring);
			}
			continue;
		}
		int r = theme_role_of(v->string);
		if (r < 0) {
			char known[600];
			size_t o = 0;
			for (int k = 0; k < R__COUNT && o < sizeof known; k++)
				o += (size_t)snprintf(known + o, sizeof known - o, "%s%s", k ? ", " : "",
						      grid_role_names[k]);
			rc = theme_fail(t, err, errlen, "%s: \"%s\" is not a role; expected \"name\", "
					"\"description\" or one of %s", path, v->string, known);
			break;
		}
		theme_style st = t->role[r];
		rc = theme_style_of(t, v, path, v->string, &st, err, errlen);
		if (rc == 0)
			t->role[r] = st;
	}
out:
	cJSON_Delete(root);
	return rc;
}

static char *theme_read(const char *path, size_t *len)
{
	FILE *f = fopen(path, "rb");
	if (!f)
		return NULL;
	size_t cap = 4096, n = 0;
	char *buf = st_alloc(cap);
	for (;;) {
		size_t got = fread(buf + n, 1, cap - n, f);
		n += got;
		if (n < cap)
			break;
		st_grow(&buf, &cap, cap + 1, 1);
	}
	fclose(f);
	*len = n;
	return buf;
}

/* Whether a file can be read. (Not access(): <unistd.h> defines R_GOOD, which is a grid role
 * here.) */
static bool theme_readable(const char *path)
{
	FILE *f = fopen(path, "rb");
	if (f)
		fclose(f);
	return f != NULL;
}

/* Where NAME.json may be; true with the path in out when a candidate exists. */
static bool theme_find(const char *name, const char *argv0, char *out, size_t outlen)
{
	size_t nl = strlen(name);
	if (strchr(name, '/') || (nl > 5 && strcmp(name + nl - 5, ".json") == 0)) {
		snprintf(out, outlen, "%s", name);
		return theme_readable(out);
	}
	char dir[4096] = ".";
	const char *slash = argv0 ? strrchr(argv0, '/') : NULL;
	if (slash)
		snprintf(dir, sizeof dir, "%.*s", (int)(slash - argv0), argv0);
	const char *cands[][2] = {
		{".", "assets/themes"}, {dir, "assets/themes"}, {dir, "../share/spacetime/themes"},
#ifdef ST_DATADIR
		{ST_DATADIR, "themes"},
#endif
	};
	for (size_t i = 0; i < sizeof cands / sizeof cands[0]; i++) {
		snprintf(out, outlen, "%s/%s/%s.json", cands[i][0], cands[i][1], name);
		if (theme_readable(out))
			return true;
	}
	return false;
}

int theme_load(theme *t, const char *name, const char *argv0, char *err, size_t errlen)
{
	theme_default(t);
	if (err && errlen)
		err[0] = 0;
	char path[4400];
	if (!name || !*name || !theme_find(name, argv0, path, sizeof path))
		return 1;
	size_t len;
	char *text = theme_read(path, &len);
	if (!text)
		return theme_fail(t, err, errlen, "%s: cannot read the theme", path);
	int rc = theme_parse(t, text, len, path, err, errlen);
	free(text);
	return rc;
}
