/* tui.c: the terminal program's loop.
 *
 * One libev loop owns the process: stdin readable -> every pending key goes to the session; a
 * repeating timer advances play; a one-shot timer clears a spent message; signals resize,
 * suspend, or end the program; an ev_prepare draws once per loop turn, only when something
 * changed (terminal-notes pitfall 8). Everything the user sees is decided in session.c and
 * drawn by the views; this file is only the terminal, the clock and the signals, and making
 * sure the terminal is given back as it was on every way out: q, SIGINT, SIGTERM, SIGHUP,
 * SIGQUIT, and our own crash (atexit plus a SIGSEGV/SIGABRT handler that calls endwin and
 * removes a half-written export's temporary file, core/outfile.h).
 *
 * Exit status: 0 for q and for SIGINT/SIGTERM/SIGHUP/SIGQUIT (the user or the system asked us
 * to go; nothing went wrong), 2 when there is no terminal, TERM=dumb, no scenario or a bad theme, 1 when TERM
 * is unset or unknown. Our own crash dies of its signal, after the terminal is restored. */
#include <curses.h>
#include <ev.h>
#include <locale.h>
#include <signal.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/ioctl.h>
#include <unistd.h>

#include "core/outfile.h"
#include "replay.h"
#include "screen.h"
#include "session.h"

#define TUI_TICK_S 0.03         /* play advances ~33 times a second */
#define TUI_EMPTY_READS 64      /* stdin readable yet no key, this often: the tty is gone */
#define TUI_SLICE_S 0.04        /* a run-until works this long between looks at the keys */
#define TUI_JOB_FRAME_S 0.1     /* and the screen shows its progress this often */
#define TUI_SLICE_STEPS 256

static struct {
	session *s;
	grid *g;
	SCREEN *scr;
	volatile sig_atomic_t active;   /* curses owns the terminal: the exits must endwin */
	struct ev_loop *loop;
	ev_io input;
	ev_timer tick, expire;
	ev_prepare draw;
	ev_idle work;           /* a run-until in progress, a slice per idle turn (until.h) */
	ev_signal sig[7];
	int nsig;
	double last_tick;
	double last_draw;
	int empty_reads;
	theme theme;
} tui;

/* ---- giving the terminal back ---- */

static void tui_restore(void)
{
	if (tui.active) {
		tui.active = 0;
		endwin();
	}
}

static void tui_atexit(void) { tui_restore(); }

/* Our own crash: restore the terminal first, so the user gets a shell back and can read the
 * report, then die of the same signal (SA_RESETHAND put the default action back). */
static void tui_crash(int sig)
{
	outfile_remove_temps();
	tui_restore();
	raise(sig);
}

static void tui_crash_handlers(void)
{
	static const int sigs[] = {SIGSEGV, SIGABRT, SIGBUS, SIGFPE, SIGILL};
	struct sigaction sa;
	memset(&sa, 0, sizeof sa);
	sa.sa_handler = tui_crash;
	sa.sa_flags = (int)SA_RESETHAND;
	sigemptyset(&sa.sa_mask);
	for (size_t i = 0; i < sizeof sigs / sizeof sigs[0]; i++)
		sigaction(sigs[i], &sa, NULL);
}

/* ---- after anything happened: timers and the loop follow the session ---- */

static void tui_sync(void)
{
	session *s = tui.s;
	if (s->quit) {
		ev_break(tui.loop, EVBREAK_ALL);
		return;
	}
	if (s->playing && !ev_is_active(&tui.tick)) {
		tui.last_tick = ev_now(tui.loop);
		ev_timer_set(&tui.tick, TUI_TICK_S, TUI_TICK_S);
		ev_timer_start(tui.loop, &tui.tick);
	} else if (!s->playing && ev_is_active(&tui.tick)) {
		ev_timer_stop(tui.loop, &tui.tick);
	}
	if (until_running(s) && !ev_is_active(&tui.work))
		ev_idle_start(tui.loop, &tui.work);
	else if (!until_running(s) && ev_is_active(&tui.work))
		ev_idle_stop(tui.loop, &tui.work);
	/* a message that expires needs a wake-up to be cleared, even when nothing else moves */
	if (s->message[0] && s->message_until > 0) {
		double in = s->message_until - ev_now(tui.loop) + 0.01;
		ev_timer_stop(tui.loop, &tui.expire);
		ev_timer_set(&tui.expire, in > 0 ? in : 0.01, 0);
		ev_timer_start(tui.loop, &tui.expire);
	}
}

/* ---- watchers ---- */

static void tui_key(int ch)
{
	session *s = tui.s;
	if (ch == KEY_MOUSE) {
		MEVENT me;
		if (getmouse(&me) != OK)
			return;
		if (me.bstate & (BUTTON1_PRESSED | BUTTON1_CLICKED)) {
			s->mouse_x = me.x;
			s->mouse_y = me.y;
			session_key(s, KEY_MOUSE);
		} else if (me.bstate & BUTTON4_PRESSED) {
			session_key(s, '[');    /* the wheel scrolls time */
		} else if (me.bstate & BUTTON5_PRESSED) {
			session_key(s, ']');
		}
		return;
	}
	session_key(s, ch);
}

static void tui_on_input(EV_P_ ev_io *w, int revents)
{
	(void)w;
	(void)revents;
	tui.s->wall_s = ev_now(EV_A);
	int ch, n = 0;
	/* pitfall 3: read every pending key, or the rest waits for the next wake-up */
	while ((ch = getch()) != ERR) {
		n++;
		tui_key(ch);
		if (tui.s->quit)
			break;
	}
	if (n == 0 && ++tui.empty_reads > TUI_EMPTY_READS) {
		/* readable with nothing to read, over and over: end of file, the tty hung up */
		tui.s->quit = true;
	} else if (n > 0) {
		tui.empty_reads = 0;
	}
	tui_sync();
}

static void tui_on_tick(EV_P_ ev_timer *w, int revents)
{
	(void)w;
	(void)revents;
	double now = ev_now(EV_A);
	double dt = now - tui.last_tick;
	tui.last_tick = now;
	tui.s->wall_s = now;
	session_tick(tui.s, dt);
	tui_sync();
}

/* Idle: nothing else is pending, so the keys have been read: one slice of the job. */
static void tui_on_work(EV_P_ ev_idle *w, int revents)
{
	(void)w;
	(void)revents;
	double start = ev_time();
	tui.s->wall_s = ev_now(EV_A);
	while (until_work(tui.s, TUI_SLICE_STEPS) && ev_time() - start < TUI_SLICE_S)
		;
	tui_sync();
}

static void tui_on_expire(EV_P_ ev_timer *w, int revents)
{
	(void)w;
	(void)revents;
	tui.s->wall_s = ev_now(EV_A);
	tui.s->dirty = true;
	tui_sync();
}

/* Pitfall 2: our SIGWINCH watcher replaces ncurses' handler, so read the size ourselves. */
static void tui_resize(void)
{
	struct winsize ws;
	if (ioctl(STDOUT_FILENO, TIOCGWINSZ, &ws) == 0 && ws.ws_row > 0 && ws.ws_col > 0)
		resizeterm(ws.ws_row, ws.ws_col);
	int ch;
	while ((ch = getch()) != ERR)
		if (ch != KEY_RESIZE)
			tui_key(ch);
	clearok(curscr, TRUE);      /* repaint everything: the terminal may have reflowed */
	tui.s->dirty = true;
}

static void tui_on_signal(EV_P_ ev_signal *w, int revents)
{
	(void)revents;
	session *s = tui.s;
	switch (w->signum) {
	case SIGWINCH:
		tui_resize();
		break;
	case SIGTSTP:
		/* Give the terminal back, then stop for real (SIGSTOP cannot be caught). */
		endwin();
		kill(getpid(), SIGSTOP);
		/* here again after SIGCONT */
		tui_resize();
		break;
	case SIGCONT:
		tui_resize();
		break;
	case SIGINT:    /* ^C: like q, it asks once before dropping the user's changes */
		if (s->prompt != PROMPT_NONE && s->prompt != PROMPT_CONFIRM)
			s->prompt = PROMPT_NONE;        /* out of a half-typed prompt first */
		if (session_may_drop(s, CONFIRM_QUIT)) {
			s->quit = true;
			s->exit_status = EXIT_DONE;
		}
		break;
	default:        /* SIGTERM, SIGHUP, SIGQUIT: the system asks; leave cleanly */
		s->quit = true;
		s->exit_status = EXIT_DONE;
		break;
	}
	tui_sync();
	(void)EV_A;
}

static void tui_draw(void)
{
	session *s = tui.s;
	int rows = LINES, cols = COLS;
	if (tui.g->w != cols || tui.g->h != rows)
		grid_resize(tui.g, cols, rows);
	s->cols = cols;
	s->rows = rows;
	if (s->picking) {
		int n;
		const picker_item *items = session_picker_items(s, &n);
		s->pick_top = picker_scroll(rows, items, n, s->pick, s->pick_top);
		grid_clear(tui.g);
		picker_draw(tui.g, items, n, s->pick, s->pick_top);
	} else {
		view_model m;
		session_model(s, &m);
		view_draw_all(tui.g, &m);
	}
	screen_blit(tui.g);
	doupdate();
	s->dirty = false;
}

static void tui_on_prepare(EV_P_ ev_prepare *w, int revents)
{
	(void)w;
	(void)revents;
	session *s = tui.s;
	s->wall_s = ev_now(EV_A);
	if (s->message[0] && s->message_until > 0 && s->wall_s >= s->message_until)
		s->dirty = true;
	/* while a run-until works, a frame ten times a second is progress enough: drawing
	 * every slice would spend on the screen what the run needs */
	if (s->dirty && !s->quit && until_running(s) && s->wall_s - tui.last_draw < TUI_JOB_FRAME_S)
		return;
	if (s->dirty && !s->quit) {
		tui_draw();
		tui.last_draw = s->wall_s;
	}
}

/* ---- start and end ---- */

/* Take the terminal; 0, or the exit status after saying why not. */
static int tui_start_terminal(const cli_opts *o)
{
	if (!isatty(STDIN_FILENO) || !isatty(STDOUT_FILENO)) {
		fprintf(stderr, "spacetime: the terminal program needs a terminal on stdin and "
				"stdout; for scripts use --headless (see spacetime --help)\n");
		return EXIT_BAD_INPUT;
	}
	const char *term = getenv("TERM");
	if (!term || !*term) {
		fprintf(stderr, "spacetime: TERM is not set; set it to your terminal's type "
				"(e.g. TERM=xterm-256color) or use --headless\n");
		return EXIT_RUNTIME;
	}
	/* A terminal that cannot move the cursor (TERM=dumb: an editor's shell buffer, a pipe
	 * viewer) cannot show a screen at all: say what works there instead. */
	if (strcmp(term, "dumb") == 0) {
		fprintf(stderr, "spacetime: TERM=dumb cannot show the terminal program (it cannot "
				"move the cursor); use --headless for a summary or --export for a "
				"trace, or run it in a terminal emulator\n");
		return EXIT_BAD_INPUT;
	}
	/* pitfall 5 and 7: the locale before curses; newterm so an unknown TERM is ours to
	 * report instead of initscr() exiting */
	tui.scr = newterm(NULL, stdout, stdin);
	if (!tui.scr) {
		fprintf(stderr, "spacetime: unknown terminal type '%s'; try TERM=xterm-256color, "
				"or use --headless\n", term);
		return EXIT_RUNTIME;
	}
	set_term(tui.scr);
	tui.active = 1;
	atexit(tui_atexit);
	tui_crash_handlers();
	cbreak();               /* ^C and ^Z still send signals, which we handle */
	noecho();
	nonl();
	intrflush(stdscr, FALSE);
	keypad(stdscr, TRUE);
	nodelay(stdscr, TRUE);
	set_escdelay(25);       /* pitfall 1: a lone ESC must not freeze the loop for a second */
	curs_set(0);
	mousemask(BUTTON1_PRESSED | BUTTON1_CLICKED | BUTTON4_PRESSED | BUTTON5_PRESSED, NULL);
	mouseinterval(0);
	bool ascii = screen_ascii_wanted(o);
	screen_init(screen_color_wanted(o), ascii, &tui.theme);
	tui.g = grid_new(COLS, LINES);
	tui.g->ascii = ascii;
	tui.s->ascii = ascii;
	return 0;
}

static int tui_run(session *s)
{
	memset(&tui, 0, sizeof tui);
	tui.s = s;
	setlocale(LC_ALL, "");
	if (!screen_load_theme(s->o, &tui.theme))
		return EXIT_BAD_INPUT;
	int rc = tui_start_terminal(s->o);
	if (rc)
		return rc;
	tui.loop = EV_DEFAULT;
	/* the `e` export must not hang the loop on a FIFO that nobody reads */
	outfile_reader_wait(3000);
	ev_io_init(&tui.input, tui_on_input, STDIN_FILENO, EV_READ);
	ev_io_start(tui.loop, &tui.input);
	ev_init(&tui.tick, tui_on_tick);
	ev_init(&tui.expire, tui_on_expire);
	ev_idle_init(&tui.work, tui_on_work);
	ev_prepare_init(&tui.draw, tui_on_prepare);
	ev_prepare_start(tui.loop, &tui.draw);
	static const int sigs[] = {SIGWINCH, SIGINT, SIGTERM, SIGHUP, SIGQUIT, SIGTSTP, SIGCONT};
	for (size_t i = 0; i < sizeof sigs / sizeof sigs[0]; i++) {
		ev_signal_init(&tui.sig[i], tui_on_signal, sigs[i]);
		ev_signal_start(tui.loop, &tui.sig[i]);
		tui.nsig++;
	}
	s->wall_s = ev_now(tui.loop);
	s->dirty = true;
	tui_sync();
	ev_run(tui.loop, 0);

	for (int i = 0; i < tui.nsig; i++)
		ev_signal_stop(tui.loop, &tui.sig[i]);
	ev_io_stop(tui.loop, &tui.input);
	ev_timer_stop(tui.loop, &tui.tick);
	ev_timer_stop(tui.loop, &tui.expire);
	ev_idle_stop(tui.loop, &tui.work);
	ev_prepare_stop(tui.loop, &tui.draw);
	tui_restore();
	ev_loop_destroy(tui.loop);
	delscreen(tui.scr);
	tui.scr = NULL;
	grid_free(tui.g);
	tui.g = NULL;
	return s->exit_status;
}

int tui_main(const cli_opts *o)
{
	int status = EXIT_DONE;
	session *s = session_new(o, &status);
	if (!s)
		return status;
	int rc = tui_run(s);
	session_free(s);
	return rc;
}

int tui_run_history(const cli_opts *o, const st_scenario *sc, st_history *h, const char *banner)
{
	session *s = session_new_history(o, sc, h);
	if (!s) {
		fprintf(stderr, "spacetime: out of memory\n");
		return EXIT_RUNTIME;
	}
	session_say(s, 0, "%s: space steps, p plays, ? lists the keys", banner);
	int rc = tui_run(s);
	session_free(s);
	return rc;
}
