/* man.c: `spacetime --man`, the manual page, generated.
 *
 * The options come from the option table (cli_man_options) and the keys from the key table
 * (keys_man), as --help and the README's key list do, so the page cannot fall behind the
 * program; the prose around them lives here. assets/spacetime.1 is this output, and a test
 * (tests/run-cli-tests.sh) fails when the two differ: regenerate it with
 * `./spacetime --man > assets/spacetime.1`. */
#include <stdio.h>

#include "cli.h"
#include "keys.h"

static const char man_head[] =
	".TH SPACETIME 1 \"2026\" \"spacetime " ST_VERSION "\" \"User Commands\"\n"
	".SH NAME\n"
	"spacetime \\- watch distributed systems run, as space-time diagrams in the terminal\n"
	".SH SYNOPSIS\n"
	".B spacetime\n"
	"[\\fISCENARIO\\fR] [\\fB\\-\\-variant\\fR \\fINAME\\fR] [\\fB\\-\\-seed\\fR \\fIN\\fR]\n"
	".br\n"
	".B spacetime \\-\\-headless\n"
	"\\fISCENARIO\\fR [\\fB\\-\\-seed\\fR \\fIN\\fR] [\\fB\\-\\-steps\\fR \\fIN\\fR | "
	"\\fB\\-\\-until\\-ms\\fR \\fIT\\fR] [\\fB\\-\\-export\\fR \\fIFILE\\fR] "
	"[\\fB\\-\\-check\\fR] [\\fB\\-\\-faults\\fR \\fILIST\\fR]\n"
	".br\n"
	".B spacetime \\-\\-explore\n"
	"\\fISCENARIO\\fR \\fB\\-\\-seeds\\fR \\fIN\\fR \\fB\\-\\-steps\\fR \\fIM\\fR "
	"[\\fB\\-\\-faults\\fR \\fILIST\\fR]\n"
	".br\n"
	".B spacetime \\-\\-verify\n"
	"\\fITRACE.json\\fR\n"
	".br\n"
	".B spacetime \\-\\-replay\n"
	"\\fITRACE.json\\fR [\\fB\\-\\-headless\\fR]\n"
	".br\n"
	".B spacetime \\-\\-script\n"
	"\\fIFILE\\fR...\n"
	".br\n"
	".B spacetime \\-\\-list\n"
	"| \\fB\\-\\-keys\\fR | \\fB\\-\\-man\\fR | \\fB\\-\\-help\\fR | \\fB\\-\\-version\\fR\n"
	".SH DESCRIPTION\n"
	".B spacetime\n"
	"simulates a handful of processes exchanging messages over an unreliable network and draws\n"
	"the run as a space-time diagram: one lane per process, a line per message, Lamport and\n"
	"vector clocks on every event. Each scenario is a lesson on one topic of distributed systems.\n"
	"With no argument it opens the lesson picker; with a scenario name (see \\fB\\-\\-list\\fR) or a\n"
	"scenario file it opens that lesson. Press \\fB?\\fR in the program for every key.\n"
	".PP\n"
	"A lesson is a sequence of pages. \\fBn\\fR stops at the next page or milestone, whichever\n"
	"comes first, \\fBB\\fR goes back a page, and play pauses when a page begins. A scenario may\n"
	"declare variants, the same lesson under another rule (\\fBV\\fR in the program,\n"
	"\\fB\\-\\-variant\\fR everywhere). Acting in the past starts a branch; the future it replaces is\n"
	"kept (\\fBR\\fR), and \\fBU\\fR undoes the last action.\n"
	".PP\n"
	"Runs are deterministic: the same scenario, seed, variant and user actions give a\n"
	"byte-identical trace.\n"
	".SH OPTIONS\n";

static const char man_tail[] =
	".SH ENVIRONMENT\n"
	".TP\n"
	".B NO_COLOR\n"
	"When set and not empty, the terminal program draws without colours (as \\fB\\-\\-no\\-color\\fR).\n"
	".TP\n"
	".B TERM\n"
	"The terminal's type. Unset or unknown: exit 1. \\fBdumb\\fR (a terminal that cannot move the\n"
	"cursor): exit 2, pointing to \\fB\\-\\-headless\\fR. \\fBlinux\\fR, \\fBvt100\\fR, \\fBvt220\\fR and\n"
	"\\fBansi\\fR draw with ASCII only, since their fonts lack the arrows and marks.\n"
	".TP\n"
	".BR LANG \", \" LC_ALL \", \" LC_CTYPE\n"
	"The locale. A character set other than UTF-8 draws with ASCII only.\n"
	".TP\n"
	".B ST_SCRIPT_REWRITE\n"
	"With \\fB\\-\\-script\\fR, \\fB1\\fR writes the actual outputs over the expected ones.\n"
	".SH EXIT STATUS\n"
	".TP\n"
	".B 0\n"
	"Done (also for q, SIGINT, SIGTERM, SIGHUP and SIGQUIT in the terminal program).\n"
	".TP\n"
	".B 1\n"
	"A runtime failure: out of memory, an output that could not be written, TERM unset or\n"
	"unknown; \\fB\\-\\-script\\fR: an output differs from the expected one.\n"
	".TP\n"
	".B 2\n"
	"Bad input or usage: a scenario or trace refused (the message names file:line:col), an\n"
	"unknown option or variant, no terminal, TERM=dumb.\n"
	".TP\n"
	".B 3\n"
	"An invariant was violated (\\fB\\-\\-check\\fR, \\fB\\-\\-explore\\fR, \\fB\\-\\-verify\\fR).\n"
	".SH FILES\n"
	".TP\n"
	".I ./scenarios/*.json\n"
	"Lessons next to the working directory or the program; found first.\n"
	".TP\n"
	".I " ST_DATADIR "/scenarios/*.json\n"
	"The installed lessons.\n"
	".TP\n"
	".I " ST_DATADIR "/themes/*.json\n"
	"The colour themes (\\fB\\-\\-theme\\fR \\fINAME\\fR).\n"
	".SH SEE ALSO\n"
	"The README (the learning path and the key list) and docs/trace-format.md (the trace\n"
	"format, version 1).\n";

int man_main(const cli_opts *o)
{
	(void)o;
	fputs(man_head, stdout);
	cli_man_options(stdout);
	fputs(".SH KEYS\n"
	      "In the terminal program (also \\fB?\\fR there, and \\fBspacetime \\-\\-keys\\fR):\n", stdout);
	keys_man(stdout);
	fputs(man_tail, stdout);
	return EXIT_DONE;
}
