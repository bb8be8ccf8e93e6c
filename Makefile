# practiced: make (build), make run (demo daemon in the foreground),
# make check (every test, plain and ASan/UBSan builds), make bench.

CC	?= cc
PKGS	= libevent jansson libical sqlite3
DEPS	= gcc make pkg-config libevent-dev libjansson-dev libical-dev \
	  libsqlite3-dev sqlite3 tzdata passwd python3-pytest \
	  python3-icalendar python3-recurring-ical-events hyperfine faketime
# Only for make fuzz and make analyze.
TOOL_DEPS = clang clang-tools
CFLAGS_BASE = -std=c11 -D_GNU_SOURCE -Wall -Wextra -Werror -Wshadow \
	  -Wpointer-arith -Wmissing-prototypes -Wstrict-prototypes -g
OPT	?= -O2
SAN	= -fsanitize=address,undefined -fno-omit-frame-pointer \
	  -fno-sanitize-recover=undefined

DAEMON_SRCS = $(wildcard daemon/*.c)
DAEMON_LIB_SRCS = $(filter-out daemon/practiced.c,$(DAEMON_SRCS))
CTL_SRCS = $(wildcard ctl/*.c)
UNIT_SRCS = $(wildcard tests/unit/test_*.c)
HDRS	= $(wildcard daemon/*.h ctl/*.h tests/unit/*.h)

B	?= build

.PHONY: all asan deps run check unit e2e bench fuzz analyze clean

all: deps-ok
	@$(MAKE) --no-print-directory binaries B=build

asan: deps-ok
	@$(MAKE) --no-print-directory binaries B=build-asan OPT="-O1 $(SAN)"

binaries: $(B)/practiced $(B)/practicectl $(B)/unit

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
deps-ok: Makefile
	$(call install_missing,$(DEPS))
	@touch $@

tools-ok: Makefile
	$(call install_missing,$(TOOL_DEPS))
	@touch $@

FLAGS	= $(CFLAGS_BASE) $(OPT) $(shell pkg-config --cflags $(PKGS)) $(CFLAGS)
LIBS_D	= $(shell pkg-config --libs $(PKGS)) -lpthread
LIBS_C	= $(shell pkg-config --libs libevent jansson)

$(B)/practiced: $(DAEMON_SRCS) $(HDRS)
	@mkdir -p $(B)
	$(CC) $(FLAGS) -o $@ $(DAEMON_SRCS) $(LIBS_D) $(LDFLAGS)

$(B)/practicectl: $(CTL_SRCS) $(HDRS)
	@mkdir -p $(B)
	$(CC) $(FLAGS) -Idaemon -o $@ $(CTL_SRCS) $(LIBS_C) $(LDFLAGS)

$(B)/unit: $(UNIT_SRCS) $(DAEMON_LIB_SRCS) $(HDRS)
	@mkdir -p $(B)
	$(CC) $(FLAGS) -Idaemon -o $@ $(UNIT_SRCS) $(DAEMON_LIB_SRCS) $(LIBS_D) $(LDFLAGS)

# A demo practice under ./run, seeded on first start.
run: all
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

e2e: all
	cd tests/e2e && PRACTICED_BUILD=$(CURDIR)/build /usr/bin/python3 -m pytest -q -p no:cacheprovider

check: deps-ok
	@$(MAKE) --no-print-directory binaries B=build
	@$(MAKE) --no-print-directory binaries B=build-asan OPT="-O1 $(SAN)"
	build/unit
	ASAN_OPTIONS=detect_leaks=1 build-asan/unit
	cd tests/e2e && PRACTICED_BUILD=$(CURDIR)/build \
	    /usr/bin/python3 -m pytest -q -p no:cacheprovider
	cd tests/e2e && PRACTICED_BUILD=$(CURDIR)/build-asan \
	    /usr/bin/python3 -m pytest -q -p no:cacheprovider

bench: all
	/usr/bin/python3 tests/bench/bench_list.py --build $(CURDIR)/build
	/usr/bin/python3 tests/bench/bench_slots.py --build $(CURDIR)/build

# Coverage-guided fuzzing of the input parsers (FUZZ_SECONDS, default 60).
FUZZ_SECONDS ?= 60
fuzz: deps-ok tools-ok
	@mkdir -p build-fuzz/corpus
	clang -std=c11 -D_GNU_SOURCE -g -O1 -fsanitize=fuzzer,address,undefined \
	    -Idaemon $(shell pkg-config --cflags $(PKGS)) -o build-fuzz/fuzz_parse \
	    tests/fuzz/fuzz_parse.c daemon/config.c daemon/tz.c daemon/hours.c \
	    $(shell pkg-config --libs libical)
	build-fuzz/fuzz_parse -max_total_time=$(FUZZ_SECONDS) -max_len=512 \
	    build-fuzz/corpus tests/fuzz/seeds

# clang's static analyzer over both programs; fails on any report.
analyze: deps-ok tools-ok
	rm -rf build-analyze
	scan-build --status-bugs -o build-analyze/report \
	    $(MAKE) --no-print-directory binaries B=build-analyze CC=clang

clean:
	rm -rf build build-asan build-fuzz build-analyze deps-ok tools-ok
