/* keys.c: the one key table (see keys.h).
 *
 * Why a table and not a switch: the help overlay, the status bar's short list and the README's
 * key list are generated from it, so adding a key is one line and the documentation follows.
 * vim keys and arrow keys sit on the same row, so they cannot drift apart. */
#include <curses.h>
#include <string.h>

#include "actions.h"
#include "keys.h"

#define ESC_KEY 27

/* Rows are in the order the help overlay lists them: the ones a newcomer needs first. */
static const keys_binding keys_rows[] = {
	/* time */
	{"space", "", {{' ', 0}}, actions_step, "step one event", true},
	{"p", "", {{'p', 0}}, actions_play, "play / pause", true},
	{"+ -", "", {{'+', 1}, {'=', 1}, {'-', -1}, {'_', -1}}, actions_speed,
	 "play faster / slower", false},
	{"n", "", {{'n', 0}}, actions_milestone,
	 "next page of the lesson or milestone (a leader, a commit, ...), whichever comes first",
	 true},
	{">", "", {{'>', 1}}, actions_milestone, "next milestone, past any pages", false},
	{"B", "", {{'B', 0}}, actions_page_back, "back a page of the lesson (to its moment)", false},
	{"A", "", {{'A', TOGGLE_PAGE_PAUSE}}, actions_toggle,
	 "play pauses when a page begins: on / off", false},
	{"b", "", {{'b', 0}, {KEY_BACKSPACE, 0}}, actions_back, "step back (rewind)",
	 true},
	{"g G", "", {{'g', 0}, {KEY_HOME, 0}, {'G', 1}, {KEY_END, 1}}, actions_seek_edge,
	 "rewind to the start / go to the end", false},
	{"enter", "", {{'\n', 0}, {'\r', 0}, {KEY_ENTER, 0}}, actions_jump,
	 "go to the selected event (time travel)", false},
	{"N", "", {{'N', 0}}, actions_until_change,
	 "run until the selected process changes state", false},
	{"!", "", {{'!', 0}}, actions_until_violation, "run until an invariant is violated (again: back to it)",
	 false},

	/* selection and the window */
	{"← → h l", "", {{KEY_LEFT, -1}, {'h', -1}, {KEY_RIGHT, 1}, {'l', 1}}, actions_time_move,
	 "previous / next event on this lane", false},
	{"↑ ↓ k j", "", {{KEY_UP, -1}, {'k', -1}, {KEY_DOWN, 1}, {'j', 1}}, actions_lane_move,
	 "lane above / below", false},
	{"Tab", "", {{'\t', 1}, {KEY_BTAB, -1}}, actions_pane, "next pane (shift-Tab: previous)",
	 false},
	{"m", "", {{'m', 0}}, actions_mark, "mark the selected event to compare", false},
	{"z Z", "", {{'z', 1}, {'Z', -1}}, actions_zoom, "zoom the time axis in / out", false},
	{"[ ]", "", {{'[', -1}, {']', 1}, {KEY_PPAGE, -1}, {KEY_NPAGE, 1}}, actions_scroll,
	 "scroll time earlier / later", false},
	{"f", "", {{'f', TOGGLE_FOLLOW}}, actions_toggle, "follow the present", false},
	{"v", "", {{'v', TOGGLE_VC}}, actions_toggle, "vector clocks on / off", false},
	{"L", "", {{'L', TOGGLE_LABELS}}, actions_toggle, "labels on / off", false},
	{", .", "", {{',', -1}, {'.', 1}}, actions_lesson_scroll, "scroll the lesson text", false},
	/* the diagram's reading aids (issue 9) */
	{"T", "", {{'T', 0}}, actions_axis,
	 "time axis: real / logical (a column per instant, idle stretches compressed)", false},
	{"1-6", "", {{'1', 0}, {'2', 1}, {'3', 2}, {'4', 3}, {'5', 4}, {'6', 5}},
	 actions_class_toggle, "hide / show a message class (numbered in the timeline's bottom edge)",
	 false},
	{"/", "", {{'/', 0}}, actions_search,
	 "search events: label, note, kind, message type, process, state ('term 7')", false},
	{"} {", "", {{'}', 1}, {'{', -1}}, actions_search_step, "next / previous search match",
	 false},
	{":", "", {{':', 0}}, actions_goto, "go to an event (e741), a time (1.5s) or a milestone",
	 false},
	{"C", "", {{'C', 0}}, actions_cone_toggle,
	 "the causal cone: only what happened before and after the selected event / all", false},
	{"y", "", {{'y', 0}}, actions_lane_hide, "hide / show the selected process's lane", false},
	{"click", "", {{KEY_MOUSE, 0}}, actions_click, "select an event or a process", false},

	/* the world */
	{"x", "", {{'x', 0}}, actions_crash, "crash / restart the selected process", true},
	{"P", "", {{'P', 0}}, actions_pause_proc, "pause / resume the selected process", false},
	{"i", "", {{'i', 0}}, actions_isolate, "isolate the selected process", true},
	{"s", "", {{'s', 0}}, actions_split, "split: selected node in a minority", false},
	{"H", "", {{'H', 0}}, actions_heal, "heal the network", false},
	{"c", "", {{'c', 0}}, actions_request, "a client write to the selected node", false},
	{"t", "", {{'t', 0}}, actions_fire_timer, "fire the selected node's next timer", false},
	{"M", "", {{'M', 0}}, actions_manual, "manual mode: deliver by hand", false},
	{"u", "", {{'u', 0}}, actions_cut, "cut one way: the selected process stops reaching one",
	 false},
	{"K", "", {{'K', 0}}, actions_clock, "skew / drift the selected process's clock", false},
	{"W", "", {{'W', 0}}, actions_latency, "set the network's latency (slow it down)", false},

	/* the network pane (Tab to it) */
	{"↑ ↓ k j", "network", {{KEY_UP, -1}, {'k', -1}, {KEY_DOWN, 1}, {'j', 1}},
	 actions_lane_move, "select a process", false},
	{"← → h l", "network", {{KEY_LEFT, -1}, {'h', -1}, {KEY_RIGHT, 1}, {'l', 1}},
	 actions_net_drag, "drag it across the wall (a partition, live)", false},

	/* the inspector (Tab to it) */
	{"↑ ↓ k j", "inspector", {{KEY_UP, -1}, {'k', -1}, {KEY_DOWN, 1}, {'j', 1},
				  {KEY_PPAGE, -10}, {KEY_NPAGE, 10}}, actions_inspector_scroll,
	 "scroll the inspector", false},

	/* the messages pane (Tab to it) */
	{"↑ ↓ k j", "messages", {{KEY_UP, -1}, {'k', -1}, {KEY_DOWN, 1}, {'j', 1}},
	 actions_flight_move, "select a message in flight", false},
	{"d", "messages", {{'d', 0}}, actions_msg_drop, "drop the selected message", false},
	{"D", "messages", {{'D', 0}}, actions_msg_dup, "duplicate it", false},
	{"enter", "messages", {{'\n', 0}, {'\r', 0}, {KEY_ENTER, 0}}, actions_msg_deliver,
	 "deliver it now", false},
	{"w", "messages", {{'w', 100}}, actions_msg_delay, "delay it by 100 ms", false},

	{"U", "", {{'U', 0}}, actions_undo, "undo your last action (the run as before it)", false},
	{"R", "", {{'R', 0}}, actions_branches,
	 "branches: return to a future that acting in the past replaced", false},

	/* the program */
	{"V", "", {{'V', 0}}, actions_variants,
	 "variants: the same lesson under another rule (same seed, same moment)", false},
	{"e", "", {{'e', 0}}, actions_export, "export the trace (JSON)", true},
	{"o", "", {{'o', 0}}, actions_lessons, "open another lesson", false},
	{"?", "", {{'?', 0}, {KEY_F(1), 0}}, actions_help, "help (j/k scroll it, any other key closes it)", true},
	{"q", "", {{'q', 0}}, actions_quit, "quit", true},

	/* the lesson picker */
	{"↑ ↓ k j", "picker", {{KEY_UP, -1}, {'k', -1}, {KEY_DOWN, 1}, {'j', 1},
			       {KEY_PPAGE, -10}, {KEY_NPAGE, 10}}, actions_pick_move,
	 "choose a lesson", true},
	{"enter", "picker", {{'\n', 0}, {'\r', 0}, {KEY_ENTER, 0}, {KEY_RIGHT, 0}, {'l', 0}},
	 actions_pick_open, "open it", true},
	{"esc", "picker", {{ESC_KEY, 0}}, actions_pick_back, "back to the open lesson", false},
	{"q", "picker", {{'q', 0}}, actions_quit, "quit", true},
};
enum { KEYS_N = sizeof keys_rows / sizeof keys_rows[0] };

static const keys_binding *keys_find_in(int code, const char *mode, int *arg)
{
	for (int i = 0; i < KEYS_N; i++) {
		if (strcmp(keys_rows[i].mode, mode) != 0)
			continue;
		for (int k = 0; k < KEYS_MAX_CODES && keys_rows[i].codes[k].code; k++)
			if (keys_rows[i].codes[k].code == code) {
				*arg = keys_rows[i].codes[k].arg;
				return &keys_rows[i];
			}
	}
	return NULL;
}

const keys_binding *keys_lookup(int code, const char *mode, int *arg)
{
	const keys_binding *b = keys_find_in(code, mode, arg);
	/* The picker is its own world: run keys mean nothing there. */
	if (!b && strcmp(mode, "picker") != 0)
		b = keys_find_in(code, "", arg);
	return b;
}

const view_key *keys_view(int *n)
{
	static view_key out[KEYS_N];
	static int count = -1;
	if (count < 0) {
		count = 0;
		for (int i = 0; i < KEYS_N; i++) {
			if (strcmp(keys_rows[i].mode, "picker") == 0)
				continue;
			out[count++] = (view_key){keys_rows[i].keys, keys_rows[i].mode,
						  keys_rows[i].help, keys_rows[i].in_status};
		}
	}
	*n = count;
	return out;
}

/* The groups both lists show, in order. */
static const struct { const char *mode, *title; } keys_groups[] = {
	{"", "Everywhere in a lesson"},
	{"inspector", "In the inspector (Tab to it)"},
	{"messages", "In the messages pane (Tab to it)"},
	{"network", "In the network pane (Tab to it)"},
	{"picker", "In the lesson picker"},
};
enum { KEYS_NGROUPS = sizeof keys_groups / sizeof keys_groups[0] };

void keys_markdown(FILE *f)
{
	for (int g = 0; g < KEYS_NGROUPS; g++) {
		fprintf(f, "%s%s:\n\n", g ? "\n" : "", keys_groups[g].title);
		for (int i = 0; i < KEYS_N; i++)
			if (strcmp(keys_rows[i].mode, keys_groups[g].mode) == 0)
				fprintf(f, "- `%s`: %s\n", keys_rows[i].keys, keys_rows[i].help);
	}
}

/* roff text: backslashes doubled, '-' a minus, a leading '.' or '\'' protected by \&. */
static void keys_roff(FILE *f, const char *s)
{
	fputs("\\&", f);
	for (; *s; s++) {
		if (*s == '\\')
			fputs("\\\\", f);
		else if (*s == '-')
			fputs("\\-", f);
		else
			fputc(*s, f);
	}
}

void keys_man(FILE *f)
{
	for (int g = 0; g < KEYS_NGROUPS; g++) {
		fputs(".SS ", f);
		keys_roff(f, keys_groups[g].title);
		fputc('\n', f);
		for (int i = 0; i < KEYS_N; i++) {
			if (strcmp(keys_rows[i].mode, keys_groups[g].mode) != 0)
				continue;
			fputs(".TP\n.B ", f);
			keys_roff(f, keys_rows[i].keys);
			fputc('\n', f);
			keys_roff(f, keys_rows[i].help);
			fputs("\n", f);
		}
	}
}
