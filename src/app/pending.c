/* pending.c: temporary: modes whose files are not written yet. */
#include <stdio.h>
#include "cli.h"
/* tui_main and tui_run_history now live in tui.c. */
