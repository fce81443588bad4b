# spacetime: build, test, run.
#
#   make            build ./spacetime (installs missing Debian packages when run as root)
#   make run        build and open the default lesson
#   make test       build and pass every test (unit, golden, scenario errors, terminal)
#   make sanitize   the tests again under ASan + UBSan
#   make bench      the benchmarks, numbers on stdout
#   make install    PREFIX=/usr/local DESTDIR=
#
# Layers (see docs/design.md): src/base (memory, hashing, names) includes nothing of ours;
# src/core and src/protocols never include ncurses or libev;
# views/ draw into a cell grid; src/app owns the loop. The library libst.a holds core,
# protocols and views so the tests and benchmarks link what the program links.

CC      ?= cc
PREFIX  ?= /usr/local
DATADIR  = $(PREFIX)/share/spacetime
BUILD   ?= build
BIN     ?= spacetime
VERSION  = 0.1.0

DEB_PKGS = libncurses-dev libev-dev libcjson-dev libcmocka-dev tmux pkg-config python3 valgrind

# The ncursesw flags define _XOPEN_SOURCE/_DEFAULT_SOURCE themselves: define them once, here.
NCURSES_CFLAGS := $(filter-out -D%,$(shell pkg-config --cflags ncursesw 2>/dev/null))
NCURSES_LIBS   := $(shell pkg-config --libs ncursesw 2>/dev/null || echo -lncursesw)
CJSON_CFLAGS   := $(shell pkg-config --cflags libcjson 2>/dev/null || echo -I/usr/include/cjson)
CJSON_LIBS     := $(shell pkg-config --libs libcjson 2>/dev/null || echo -lcjson)
CMOCKA_LIBS    := $(shell pkg-config --libs cmocka 2>/dev/null || echo -lcmocka)

OPT     ?= -O2
CFLAGS  ?= $(OPT) -g
WARN     = -std=c11 -Wall -Wextra -Werror
DEFS     = -D_DEFAULT_SOURCE -D_XOPEN_SOURCE=700 -DST_VERSION=\"$(VERSION)\" \
	   -DST_DATADIR=\"$(DATADIR)\"
ALL_CFLAGS = $(WARN) $(DEFS) $(CFLAGS) $(NCURSES_CFLAGS) $(CJSON_CFLAGS) -Isrc -I. -MMD -MP
LIBS     = $(NCURSES_LIBS) -lev $(CJSON_LIBS) -lm

CORE_SRC  = $(wildcard src/base/*.c) $(wildcard src/core/*.c) $(wildcard src/protocols/*.c)
VIEW_SRC  = $(wildcard views/*.c)
APP_SRC   = $(wildcard src/app/*.c)
LIB_SRC   = $(CORE_SRC) $(VIEW_SRC) $(APP_SRC)
LIB_OBJ   = $(LIB_SRC:%.c=$(BUILD)/%.o)
MAIN_OBJ  = $(BUILD)/src/main.o
UNIT_SRC  = $(wildcard tests/unit/test_*.c)
UNIT_BIN  = $(UNIT_SRC:tests/unit/%.c=$(BUILD)/tests/%)
BENCH_SRC = $(wildcard tests/bench/bench_*.c)
BENCH_BIN = $(BENCH_SRC:tests/bench/%.c=$(BUILD)/bench/%)

.PHONY: all deps run test unit sanitize sanitize-run bench install uninstall clean check-layers

all: deps $(BIN)

# Check the dependencies; as root on Debian install what is missing, else say how.
deps:
	@missing=""; \
	for p in ncursesw libcjson cmocka; do pkg-config --exists $$p 2>/dev/null || missing=1; done; \
	[ -f /usr/include/ev.h ] || missing=1; \
	command -v tmux >/dev/null 2>&1 || missing=1; \
	command -v python3 >/dev/null 2>&1 || missing=1; \
	if [ -n "$$missing" ]; then \
		if [ "$$(id -u)" = 0 ] && command -v apt-get >/dev/null 2>&1; then \
			echo "spacetime: installing $(DEB_PKGS)"; \
			export DEBIAN_FRONTEND=noninteractive; \
			apt-get update -qq && apt-get install -y -qq $(DEB_PKGS) >/dev/null || exit 1; \
		else \
			echo "spacetime: missing build dependencies; install them with:" >&2; \
			echo "  sudo apt-get install -y $(DEB_PKGS)" >&2; exit 1; \
		fi; \
	fi

$(BIN): $(MAIN_OBJ) $(BUILD)/libst.a
	$(CC) $(ALL_CFLAGS) -o $@ $(MAIN_OBJ) $(BUILD)/libst.a $(LIBS) $(LDFLAGS)

$(BUILD)/libst.a: $(LIB_OBJ)
	@rm -f $@
	ar rcs $@ $^

$(BUILD)/%.o: %.c | deps
	@mkdir -p $(dir $@)
	$(CC) $(ALL_CFLAGS) -c -o $@ $<

$(BUILD)/tests/%: tests/unit/%.c $(BUILD)/libst.a
	@mkdir -p $(dir $@)
	$(CC) $(ALL_CFLAGS) -o $@ $< $(BUILD)/libst.a $(LIBS) $(CMOCKA_LIBS) $(LDFLAGS)

$(BUILD)/bench/%: tests/bench/%.c $(BUILD)/libst.a
	@mkdir -p $(dir $@)
	$(CC) $(ALL_CFLAGS) -o $@ $< $(BUILD)/libst.a $(LIBS) $(LDFLAGS)

run: all
	./spacetime raft-election

# The layers may only depend downwards: no ncurses or libev in core or protocols, no wall
# clock or rand() there either, and views never include app headers; views keep no state and
# never call one another (tests/check-views.sh, which also proves it can fail).
check-layers:
	@! grep -nE '#include *[<"](ncurses|curses|ev)\.h|\b(rand|srand|time|gettimeofday|clock_gettime)\(' \
		src/base/*.[ch] src/core/*.[ch] src/protocols/*.[ch] || { echo "layer rule broken above" >&2; exit 1; }
	@! grep -nE '#include *"\.\./|#include *"(core|protocols|app)/' src/base/*.[ch] || { echo "src/base includes the project" >&2; exit 1; }
	@! grep -nE '#include *".*app/' views/*.[ch] || { echo "views include app headers" >&2; exit 1; }
	@sh tests/check-views.sh views
	@sh tests/check-views.sh --self-test
	@sh tests/check-core-blind.sh src/core
	@sh tests/check-core-blind.sh --self-test

unit: $(UNIT_BIN)
	@fail=0; for t in $(UNIT_BIN); do $$t || fail=1; done; exit $$fail

test: all check-layers unit
	@./$(BIN) --script tests/script/*.txt
	@sh tests/run-cli-tests.sh ./$(BIN)
	@sh tests/check-history.sh ./$(BIN)
	@sh tests/lessons.sh ./$(BIN) quick
	@bash tests/outputs.sh ./$(BIN)
	@bash tests/tui/run.sh ./$(BIN)
	@sh tests/explore.sh ./$(BIN)

# ASan + UBSan build in its own directory (build-san/spacetime); the same tests.
sanitize: deps
	$(MAKE) BUILD=build-san BIN=build-san/spacetime \
		CFLAGS="-O1 -g -fsanitize=address,undefined -fno-omit-frame-pointer -fno-sanitize-recover=all" \
		LDFLAGS="-fsanitize=address,undefined" sanitize-run

sanitize-run: $(BIN) unit
	@ASAN_OPTIONS=detect_leaks=1 ./$(BIN) --script tests/script/*.txt
	@ASAN_OPTIONS=detect_leaks=1 sh tests/run-cli-tests.sh $(BIN)
	@ASAN_OPTIONS=detect_leaks=1 sh tests/check-history.sh $(BIN)
	@ASAN_OPTIONS=detect_leaks=1 sh tests/lessons.sh $(BIN) san
	@ASAN_OPTIONS=detect_leaks=1 bash tests/outputs.sh $(BIN)
	@ASAN_OPTIONS=detect_leaks=1 bash tests/tui/run.sh $(BIN)

bench: all $(BENCH_BIN)
	@for b in $(BENCH_BIN); do $$b || exit 1; done

install: all
	install -d $(DESTDIR)$(PREFIX)/bin $(DESTDIR)$(DATADIR)/scenarios \
		$(DESTDIR)$(DATADIR)/themes $(DESTDIR)$(PREFIX)/share/man/man1
	install -m 755 spacetime $(DESTDIR)$(PREFIX)/bin/spacetime
	install -m 644 scenarios/*.json $(DESTDIR)$(DATADIR)/scenarios/
	if [ -d assets/themes ]; then install -m 644 assets/themes/*.json $(DESTDIR)$(DATADIR)/themes/; fi
	if [ -f assets/spacetime.1 ]; then install -m 644 assets/spacetime.1 $(DESTDIR)$(PREFIX)/share/man/man1/; fi

uninstall:
	rm -f $(DESTDIR)$(PREFIX)/bin/spacetime $(DESTDIR)$(PREFIX)/share/man/man1/spacetime.1
	rm -rf $(DESTDIR)$(DATADIR)

clean:
	rm -rf build build-san spacetime

-include $(LIB_OBJ:.o=.d) $(MAIN_OBJ:.o=.d) $(UNIT_BIN:%=%.d) $(BENCH_BIN:%=%.d)
