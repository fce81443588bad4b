/* actions.h: what keys do.
 *
 * Each action changes the session (selection, scroll, modes) or the world, the world only
 * through history_* so every change is recorded, rewindable and replayable. Actions never
 * draw: they set the session's dirty flag and, when there is something to say, its message.
 * The key table (keys.c) maps keys to these; arg comes from the table. */
#ifndef ST_ACTIONS_H
#define ST_ACTIONS_H

#include "session.h"

/* time */
void actions_step(session *s, int arg);         /* one event forward */
void actions_back(session *s, int arg);         /* one event back (rewind) */
void actions_seek_edge(session *s, int arg);    /* 0: the start, 1: the end of the record */
void actions_play(session *s, int arg);         /* play / pause */
void actions_speed(session *s, int arg);        /* +1 faster, -1 slower */
void actions_milestone(session *s, int arg);    /* run to the next page or milestone (arg 1:
						   the next milestone, pages or not) */
void actions_page_back(session *s, int arg);    /* back to the previous page's moment */

/* selection and the timeline's window */
void actions_time_move(session *s, int arg);    /* previous (-1) / next (+1) event on the lane */
void actions_lane_move(session *s, int arg);    /* lane above (-1) / below (+1) */
void actions_pane(session *s, int arg);         /* next (+1) / previous (-1) pane */
void actions_mark(session *s, int arg);
void actions_zoom(session *s, int arg);         /* +1 in, -1 out */
void actions_scroll(session *s, int arg);       /* -1 earlier, +1 later */
enum { TOGGLE_FOLLOW, TOGGLE_VC, TOGGLE_LABELS, TOGGLE_PAGE_PAUSE };
void actions_toggle(session *s, int arg);       /* arg: TOGGLE_* */
void actions_lesson_scroll(session *s, int arg);   /* the narration: lines down (+) or up (-) */
void actions_click(session *s, int arg);
void actions_inspector_scroll(session *s, int arg);     /* lines down (+) or up (-) */        /* a mouse click at s->mouse_x, s->mouse_y */

/* the world (each a history_act) */
void actions_crash(session *s, int arg);        /* crash / restart the selected process */
void actions_pause_proc(session *s, int arg);   /* pause / resume it */
void actions_isolate(session *s, int arg);
void actions_split(session *s, int arg);        /* the selected node in a minority */
void actions_heal(session *s, int arg);
void actions_request(session *s, int arg);      /* a client write to the selected node */
void actions_fire_timer(session *s, int arg);   /* fire the selected process's next timer */
void actions_manual(session *s, int arg);

/* the messages pane */
void actions_flight_move(session *s, int arg);
void actions_msg_drop(session *s, int arg);
void actions_msg_dup(session *s, int arg);
void actions_msg_deliver(session *s, int arg);
void actions_msg_delay(session *s, int arg);    /* arg: milliseconds */

/* the program */
void actions_export(session *s, int arg);       /* opens the export prompt */
void actions_export_write(session *s, const char *path);    /* the prompt's enter */
/* prompts: one table of (kind, label, what enter does) */
void actions_prompt_enter(session *s, session_prompt kind, const char *input);
const char *actions_prompt_label(const session *s, session_prompt kind);
void actions_cut(session *s, int arg);          /* one-way cut from the selected process */
void actions_variants(session *s, int arg);     /* list the lesson's variants and switch */
void actions_branches(session *s, int arg);     /* list the kept branches and return to one */
void actions_undo(session *s, int arg);         /* undo the last action */
void actions_clock(session *s, int arg);        /* skew / drift its local clock */
void actions_latency(session *s, int arg);      /* slow (or speed) the network */
void actions_net_drag(session *s, int arg);     /* network pane: move across the wall */
void actions_until_change(session *s, int arg); /* run until the selected process changes */
void actions_until_violation(session *s, int arg);
void actions_jump(session *s, int arg);         /* go to the selected event */
void actions_help(session *s, int arg);
void actions_quit(session *s, int arg);
void actions_lessons(session *s, int arg);      /* back to the lesson picker */

/* the diagram's reading aids (issue 9) */
void actions_axis(session *s, int arg);         /* real / logical time */
void actions_class_toggle(session *s, int arg); /* hide / show message class arg (0-based) */
void actions_search(session *s, int arg);       /* opens the search prompt */
void actions_search_step(session *s, int arg);  /* next (+1) / previous (-1) match */
void actions_goto(session *s, int arg);         /* opens the go-to prompt */
void actions_lane_hide(session *s, int arg);    /* hide / show the selected process's lane */
void actions_cone_toggle(session *s, int arg);  /* the diagram: the selection's causal cone / all */

/* the lesson picker */
void actions_pick_move(session *s, int arg);
void actions_pick_open(session *s, int arg);
void actions_pick_back(session *s, int arg);    /* to the lesson that was open, if any */

#endif
