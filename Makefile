# practiced: make (build), make run (demo daemon in the foreground),
# make check (every test, plain and ASan/UBSan builds), make bench.
#
# Plain `make` only compiles: it never installs packages and does not
# turn warnings into errors (a packager's compiler may warn more).
# `make deps` installs the Debian packages; run, check and bench call it,
# and check builds with -Werror, as CI does.

CC	?= cc
PKGS	= libevent jansson libical sqlite3 libcurl
# SHA-256 and a constant-time compare for feed tokens: libcurl already
# loads libcrypto into the daemon.
PKGS	+= libcrypto
DEPS	= gcc make pkg-config libevent-dev libjansson-dev libical-dev \
	  libsqlite3-dev sqlite3 tzdata passwd python3-pytest \
	  python3-icalendar python3-recurring-ical-events hyperfine faketime \
	  curl libcurl4-openssl-dev python3-aiosmtpd openssl khal calcurse \
	  libssl-dev python3-pytest-xdist python3-vobject
# tests/e2e/test_service.py: systemd-analyze (verify, security), and man
# for the pages the units name.
DEPS	+= systemd man-db mandoc
# Only for make fuzz and make analyze.
TOOL_DEPS = clang clang-tools
WARN	= -Wall -Wextra -Wshadow -Wpointer-arith -Wmissing-prototypes \
	  -Wstrict-prototypes
WERROR	?=
OPT	?= -O2
SAN	= -fsanitize=address,undefined -fno-omit-frame-pointer \
	  -fno-sanitize-recover=undefined

B	?= build

DAEMON_SRCS = $(wildcard daemon/*.c)
DAEMON_LIB_SRCS = $(filter-out daemon/practiced.c,$(DAEMON_SRCS))
CTL_SRCS = $(wildcard ctl/*.c)
UNIT_SRCS = $(wildcard tests/unit/test_*.c)

obj	= $(patsubst %.c,$(B)/obj/%.o,$(1))
# etc/templates, compiled in as the daemon's built-in texts.
GEN_OBJS = $(B)/obj/gen/template_builtin.o
DAEMON_OBJS = $(call obj,$(DAEMON_SRCS)) $(GEN_OBJS)
DAEMON_LIB_OBJS = $(call obj,$(DAEMON_LIB_SRCS)) $(GEN_OBJS)
CTL_OBJS = $(call obj,$(CTL_SRCS))
UNIT_OBJS = $(call obj,$(UNIT_SRCS))

FLAGS	= -std=c11 -D_GNU_SOURCE $(WARN) $(WERROR) -g $(OPT) -Idaemon \
	  $(shell pkg-config --cflags $(PKGS) 2>/dev/null) $(CFLAGS)
LIBS_D	= $(shell pkg-config --libs $(PKGS) 2>/dev/null) -lpthread
LIBS_C	= $(shell pkg-config --libs libevent jansson 2>/dev/null)

.PHONY: all binaries deps run check unit e2e bench fuzz analyze clean FORCE \
	test-build install uninstall

all: binaries

# The fuzz targets as plain programs that replay their seeds (check).
FUZZ_NAMES = api parse ical_read
FUZZ_BINS = $(patsubst %,$(B)/fuzz_%,$(FUZZ_NAMES))

binaries: $(B)/practiced $(B)/practicectl $(B)/unit $(FUZZ_BINS)

# Objects are rebuilt when a header they include changes (-MMD) or when
# the flags of this build folder change (the .flags stamp).
$(B)/.flags: FORCE
	@mkdir -p $(B)
	@echo '$(CC) $(FLAGS)' | cmp -s - $@ || echo '$(CC) $(FLAGS)' > $@

$(B)/obj/%.o: %.c $(B)/.flags
	@mkdir -p $(dir $@)
	$(CC) $(FLAGS) -MMD -MP -c -o $@ $<

$(B)/gen/template_builtin.c: daemon/embed-templates.sh $(wildcard etc/templates/*)
	@mkdir -p $(dir $@)
	sh daemon/embed-templates.sh etc/templates > $@.tmp && mv $@.tmp $@

$(B)/obj/gen/%.o: $(B)/gen/%.c $(B)/.flags
	@mkdir -p $(dir $@)
	$(CC) $(FLAGS) -MMD -MP -c -o $@ $<

-include $(DAEMON_OBJS:.o=.d) $(CTL_OBJS:.o=.d) $(UNIT_OBJS:.o=.d) \
    $(patsubst %,$(B)/obj/tests/fuzz/fuzz_%.d,$(FUZZ_NAMES))

$(B)/practiced: $(DAEMON_OBJS)
	$(CC) $(FLAGS) -o $@ $(DAEMON_OBJS) $(LIBS_D) $(LDFLAGS)

$(B)/practicectl: $(CTL_OBJS)
	$(CC) $(FLAGS) -o $@ $(CTL_OBJS) $(LIBS_C) $(LDFLAGS)

$(B)/unit: $(UNIT_OBJS) $(DAEMON_LIB_OBJS)
	$(CC) $(FLAGS) -o $@ $(UNIT_OBJS) $(DAEMON_LIB_OBJS) $(LIBS_D) $(LDFLAGS)

$(B)/obj/tests/fuzz/fuzz_api.o: FLAGS += -Itests/unit
$(B)/fuzz_api: $(B)/obj/tests/fuzz/fuzz_api.o $(B)/obj/tests/fuzz/replay.o \
    $(B)/obj/tests/unit/test_practice.o $(DAEMON_LIB_OBJS)
	$(CC) $(FLAGS) -o $@ $^ $(LIBS_D) $(LDFLAGS)

$(B)/fuzz_%: $(B)/obj/tests/fuzz/fuzz_%.o $(B)/obj/tests/fuzz/replay.o \
    $(DAEMON_LIB_OBJS)
	$(CC) $(FLAGS) -o $@ $^ $(LIBS_D) $(LDFLAGS)

# The iCalendar reader on a generated 50,000-event file (make bench).
$(B)/bench_ical_read: $(B)/obj/tests/bench/bench_ical_read.o $(DAEMON_LIB_OBJS)
	$(CC) $(FLAGS) -o $@ $^ $(LIBS_D) $(LDFLAGS)

# libical's bare parse of a file, the floor bench_import.py compares with.
$(B)/bench_libical_parse: $(B)/obj/tests/bench/bench_libical_parse.o
	$(CC) $(FLAGS) -o $@ $^ $(shell pkg-config --libs libical 2>/dev/null) \
	    $(LDFLAGS)

# The rows an import writes, written alone: the floor of its writes,
# which bench_import.py compares with.
$(B)/bench_write_floor: $(B)/obj/tests/bench/bench_write_floor.o
	$(CC) $(FLAGS) -o $@ $^ $(shell pkg-config --libs sqlite3 2>/dev/null) \
	    $(LDFLAGS)

# The daemon's libraries alone, started: the memory floor bench_list.py
# compares practiced's VmRSS with.
$(B)/bench_rss_floor: $(B)/obj/tests/bench/bench_rss_floor.o
	$(CC) $(FLAGS) -o $@ $^ $(LIBS_D) $(LDFLAGS)

# practiced with its test-only hooks (-DPRACTICED_TEST: SIGUSR2 stalls
# the loop), for the watchdog's test; never installed.
TEST_B	?= build-test
test-build:
	@$(MAKE) --no-print-directory $(TEST_B)/practiced B=$(TEST_B) \
	    CFLAGS="$(CFLAGS) -DPRACTICED_TEST"

# make install [PREFIX=/usr/local] [DESTDIR=...]: the programs, their
# pages (where man finds them), the units (naming the installed paths),
# the sysusers.d snippet, the example templates, and the example
# configuration, never over an existing one.  Build first (make): install
# does not compile, so that it runs as it is in a packager's DESTDIR.
# make uninstall removes the same, but a configuration that was changed
# and the state (/var/lib/practiced) stay.
PREFIX	?= /usr/local
BINDIR	?= $(PREFIX)/bin
SBINDIR	?= $(PREFIX)/sbin
DATADIR	?= $(PREFIX)/share
MANDIR	?= $(DATADIR)/man
ifeq ($(PREFIX),/usr)
SYSCONFDIR ?= /etc
UNITDIR	?= $(or $(shell pkg-config --variable=systemdsystemunitdir systemd \
	    2>/dev/null),/lib/systemd/system)
SYSUSERSDIR ?= $(or $(shell pkg-config --variable=sysusersdir systemd \
	    2>/dev/null),/usr/lib/sysusers.d)
else
SYSCONFDIR ?= $(PREFIX)/etc
UNITDIR	?= $(PREFIX)/lib/systemd/system
SYSUSERSDIR ?= $(PREFIX)/lib/sysusers.d
endif
CONFDIR	= $(SYSCONFDIR)/practiced
# Installing on the host itself (no DESTDIR), as root: make the user.
HOST_SETUP ?= yes
TEMPLATES = $(wildcard etc/templates/*)
# The units name the installed programs and configuration; systemd's
# ConfigurationDirectory= is /etc/practiced, so it goes elsewhere.
UNIT_SED = -e 's|/usr/sbin/practiced|$(SBINDIR)/practiced|g' \
	   -e 's|/etc/practiced/|$(CONFDIR)/|g'
ifneq ($(SYSCONFDIR),/etc)
UNIT_SED += -e '/^ConfigurationDirectory=/d'
endif

install:
	@for f in $(B)/practiced $(B)/practicectl; do [ -x $$f ] || \
	    { echo "install: no $$f: run make first" >&2; exit 1; }; done
	install -d -m 0755 $(DESTDIR)$(BINDIR) $(DESTDIR)$(SBINDIR) \
	    $(DESTDIR)$(MANDIR)/man5 $(DESTDIR)$(MANDIR)/man8 \
	    $(DESTDIR)$(UNITDIR) $(DESTDIR)$(SYSUSERSDIR) \
	    $(DESTDIR)$(DATADIR)/practiced/templates $(DESTDIR)$(CONFDIR)
	install -m 0755 $(B)/practiced $(DESTDIR)$(SBINDIR)/practiced
	install -m 0755 $(B)/practicectl $(DESTDIR)$(BINDIR)/practicectl
	install -m 0644 daemon/practiced.8 ctl/practicectl.8 \
	    $(DESTDIR)$(MANDIR)/man8/
	install -m 0644 daemon/practiced.conf.5 $(DESTDIR)$(MANDIR)/man5/
	for u in practiced.service practiced@.service; do \
	    sed $(UNIT_SED) systemd/$$u > $(B)/$$u.tmp && \
	    install -m 0644 $(B)/$$u.tmp $(DESTDIR)$(UNITDIR)/$$u && \
	    rm -f $(B)/$$u.tmp || exit 1; done
	install -m 0644 systemd/practiced.sysusers \
	    $(DESTDIR)$(SYSUSERSDIR)/practiced.conf
	install -m 0644 $(TEMPLATES) $(DESTDIR)$(DATADIR)/practiced/templates/
	@if [ -e $(DESTDIR)$(CONFDIR)/practiced.conf ]; then \
	    echo "install: kept the existing $(DESTDIR)$(CONFDIR)/practiced.conf"; \
	else \
	    echo "install -m 0640 etc/practiced.conf $(DESTDIR)$(CONFDIR)/practiced.conf"; \
	    install -m 0640 etc/practiced.conf $(DESTDIR)$(CONFDIR)/practiced.conf; \
	fi
	@# On the host itself: the daemon's user, and its group on the file.
	@if [ -z "$(DESTDIR)" ] && [ "$(HOST_SETUP)" = yes ] && \
	    [ "$$(id -u)" = 0 ]; then \
	    if command -v systemd-sysusers >/dev/null; then \
	        systemd-sysusers $(SYSUSERSDIR)/practiced.conf; fi; \
	    if getent group practiced >/dev/null; then \
	        chgrp practiced $(CONFDIR)/practiced.conf; fi; \
	    if [ -d /run/systemd/system ]; then systemctl daemon-reload; fi; \
	fi

uninstall:
	rm -f $(DESTDIR)$(SBINDIR)/practiced $(DESTDIR)$(BINDIR)/practicectl \
	    $(DESTDIR)$(MANDIR)/man8/practiced.8 \
	    $(DESTDIR)$(MANDIR)/man8/practicectl.8 \
	    $(DESTDIR)$(MANDIR)/man5/practiced.conf.5 \
	    $(DESTDIR)$(UNITDIR)/practiced.service \
	    $(DESTDIR)$(UNITDIR)/practiced@.service \
	    $(DESTDIR)$(SYSUSERSDIR)/practiced.conf
	rm -f $(patsubst etc/templates/%,$(DESTDIR)$(DATADIR)/practiced/templates/%,$(TEMPLATES))
	-rmdir $(DESTDIR)$(DATADIR)/practiced/templates $(DESTDIR)$(DATADIR)/practiced
	@if cmp -s etc/practiced.conf $(DESTDIR)$(CONFDIR)/practiced.conf; then \
	    echo "rm -f $(DESTDIR)$(CONFDIR)/practiced.conf"; \
	    rm -f $(DESTDIR)$(CONFDIR)/practiced.conf; \
	    rmdir $(DESTDIR)$(CONFDIR) 2>/dev/null || true; \
	elif [ -e $(DESTDIR)$(CONFDIR)/practiced.conf ]; then \
	    echo "uninstall: kept $(DESTDIR)$(CONFDIR)/practiced.conf (changed)"; fi

# Install Debian packages that are missing (we run as root; see README).
define install_missing
	@missing=""; for p in $(1); do \
	    dpkg-query -W -f='$${Status}' $$p 2>/dev/null | grep -q "ok installed" \
	        || missing="$$missing $$p"; done; \
	if [ -n "$$missing" ]; then \
	    echo "installing:$$missing"; \
	    apt-get update -qq && DEBIAN_FRONTEND=noninteractive \
	        apt-get install -y -qq $$missing >/dev/null || exit 1; fi
endef

# What the build and the tests need, checked once.
deps: deps-ok
deps-ok: Makefile
	$(call install_missing,$(DEPS))
	@touch $@

tools-ok: Makefile
	$(call install_missing,$(TOOL_DEPS))
	@touch $@

# A demo practice under ./run, seeded on first start.
run: deps-ok
	@$(MAKE) --no-print-directory binaries
	@mkdir -p run
	@[ -f run/practiced.conf ] || sed -e "s|@RUN@|$(CURDIR)/run|g" \
	    tests/demo.conf.in > run/practiced.conf
	@echo
	@echo "practiced: demo practice in ./run (stop with Ctrl-C). In another terminal try:"
	@echo "  export PRACTICED_SOCKET=$(CURDIR)/run/practiced.sock PATH=$(CURDIR)/build:\$$PATH"
	@echo "  practicectl status"
	@echo "  practicectl list --week today"
	@echo "  practicectl help"
	@echo
	exec build/practiced -d -f run/practiced.conf

unit: all
	build/unit

# The end-to-end tests mostly wait (on the daemon, the peers, fsync): four
# run at once even on two cores; two of the heavier sanitizer build, whose
# requests at four at once came near their 10 s deadline.
E2E_JOBS ?= 4
ASAN_E2E_JOBS ?= 2
PYTEST	= /usr/bin/python3 -m pytest -q -p no:cacheprovider

e2e: all
	cd tests/e2e && PRACTICED_BUILD=$(CURDIR)/build $(PYTEST) -n $(E2E_JOBS)

check: deps-ok
	@$(MAKE) --no-print-directory -j$$(nproc) binaries B=build WERROR=-Werror
	@$(MAKE) --no-print-directory -j$$(nproc) binaries B=build-asan WERROR=-Werror \
	    OPT="-O1 $(SAN)"
	build/unit
	ASAN_OPTIONS=detect_leaks=1 build-asan/unit
	build-asan/fuzz_api tests/fuzz/seeds-api
	build-asan/fuzz_parse tests/fuzz/seeds
	build-asan/fuzz_ical_read tests/unit/ical
	cd tests/e2e && PRACTICED_BUILD=$(CURDIR)/build $(PYTEST) -n $(E2E_JOBS)
	cd tests/e2e && PRACTICED_BUILD=$(CURDIR)/build-asan $(PYTEST) \
	    -n $(ASAN_E2E_JOBS)

bench: deps-ok
	@$(MAKE) --no-print-directory binaries $(B)/bench_rss_floor
	/usr/bin/python3 tests/bench/bench_list.py --build $(CURDIR)/build
	/usr/bin/python3 tests/bench/bench_slots.py --build $(CURDIR)/build
	/usr/bin/python3 tests/bench/bench_stall.py --build $(CURDIR)/build
	/usr/bin/python3 tests/bench/bench_durability.py --build $(CURDIR)/build
	/usr/bin/python3 tests/bench/bench_outbox.py --build $(CURDIR)/build
	/usr/bin/python3 tests/bench/bench_backup.py --build $(CURDIR)/build
	/usr/bin/python3 tests/bench/bench_privacy.py --build $(CURDIR)/build
	@$(MAKE) --no-print-directory $(B)/bench_ical_read $(B)/bench_libical_parse \
	    $(B)/bench_write_floor
	$(B)/bench_ical_read
	/usr/bin/python3 tests/bench/bench_import.py --build $(CURDIR)/build
	/usr/bin/python3 tests/bench/bench_feed.py --build $(CURDIR)/build

# Coverage-guided fuzzing of the input parsers (FUZZ_SECONDS, default 60
# each), of the iCalendar reader and of the control API's requests.
FUZZ_SECONDS ?= 60
# The parsers' target links the daemon's library (the configuration reads
# templates, secrets and every section).
fuzz: deps-ok tools-ok $(B)/gen/template_builtin.c
	@mkdir -p build-fuzz/corpus
	clang -std=c11 -D_GNU_SOURCE -g -O1 -fsanitize=fuzzer,address,undefined \
	    -Idaemon $(shell pkg-config --cflags $(PKGS)) -o build-fuzz/fuzz_parse \
	    tests/fuzz/fuzz_parse.c $(DAEMON_LIB_SRCS) $(B)/gen/template_builtin.c \
	    $(shell pkg-config --libs $(PKGS)) -lpthread
	build-fuzz/fuzz_parse -max_total_time=$(FUZZ_SECONDS) -max_len=512 \
	    build-fuzz/corpus tests/fuzz/seeds
	@mkdir -p build-fuzz/corpus-ical
	clang -std=c11 -D_GNU_SOURCE -g -O1 -fsanitize=fuzzer,address,undefined \
	    -Idaemon $(shell pkg-config --cflags libical) \
	    -o build-fuzz/fuzz_ical_read tests/fuzz/fuzz_ical_read.c \
	    daemon/ical_read.c daemon/ical_scan.c daemon/ical_zone.c \
	    daemon/ical_winzones.c daemon/ical_event.c daemon/ical_expand.c \
	    daemon/tz.c daemon/recur.c \
	    $(shell pkg-config --libs libical)
	build-fuzz/fuzz_ical_read -max_total_time=$(FUZZ_SECONDS) -max_len=4096 \
	    -timeout=10 build-fuzz/corpus-ical tests/unit/ical
	@mkdir -p build-fuzz/corpus-api
	clang -std=c11 -D_GNU_SOURCE -g -O1 -fsanitize=fuzzer,address,undefined \
	    -Idaemon -Itests/unit $(shell pkg-config --cflags $(PKGS)) \
	    -o build-fuzz/fuzz_api tests/fuzz/fuzz_api.c tests/unit/test_practice.c \
	    $(DAEMON_LIB_SRCS) $(B)/gen/template_builtin.c \
	    $(shell pkg-config --libs $(PKGS)) -lpthread
	build-fuzz/fuzz_api -max_total_time=$(FUZZ_SECONDS) -max_len=2048 \
	    -timeout=10 -dict=tests/fuzz/api.dict build-fuzz/corpus-api \
	    tests/fuzz/seeds-api

# clang's static analyzer over both programs; fails on any report.
analyze: deps-ok tools-ok
	rm -rf build-analyze
	scan-build --status-bugs -o build-analyze/report \
	    $(MAKE) --no-print-directory binaries B=build-analyze CC=clang

clean:
	rm -rf build build-asan build-test build-fuzz build-analyze deps-ok \
	    tools-ok
