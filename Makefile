# smsgw — build, test and install.
#
#   make            programs in build/: smsgwd, smsgw, smsgw-modemsim
#   make check      every test (unit, end-to-end, sanitizers); ends "N passed, N failed"
#   make check-unit the unit tests alone; ends "N passed, N failed"
#   make check-dates the unit tests under faketime at three awkward dates
#   make demo       the gateway on simulated modems in a temporary directory
#   make bench      throughput and latency against the simulator
#   make fuzz       libFuzzer targets for a bounded time (clang)
#   make lint       cppcheck and the project's own checks
#   make install    PREFIX=/usr/local DESTDIR=   (as root without DESTDIR: also install-users)
#   make install-users  the smsgw user, groups smsgw, smsgw-send, smsgw-read, spool and
#                   database directories, the config's owner (root; DESTDIR= for a tree)
#
# One folder per layer (doc/architecture.md). Each layer is built into its
# own archive, build/lib<layer>.a, and programs link them top layer first
# without --start-group, so a call from a layer to one above it fails to
# link; `make lint` names such a call (scripts/layercheck.py). Sources are
# found by wildcard: a new gateway/<layer>/*.c joins its layer's archive, a
# new tests/unit/test_*.c becomes a test program.

PREFIX  ?= /usr/local
DESTDIR ?=
BUILD   ?= build
JOBS    ?= $(shell nproc 2>/dev/null || echo 2)
CC      ?= gcc

PKGS     := libserialport sqlite3 libconfuse libpcre2-8 libcrypto libmicrohttpd \
	    jansson libcurl libpq
PKG_CFLAGS := $(shell pkg-config --cflags $(PKGS) 2>/dev/null)
PKG_LIBS   := $(shell pkg-config --libs $(PKGS) 2>/dev/null)

VERSION := $(shell cat VERSION 2>/dev/null || echo 0.0.0)
CFLAGS  ?= -O2 -g
WARN    := -Wall -Wextra -Werror -Wshadow -Wformat=2 -Wstrict-prototypes \
	   -Wmissing-prototypes -Wno-missing-field-initializers
ALL_CPPFLAGS := -Iinclude -D_GNU_SOURCE -DSMSGW_VERSION='"$(VERSION)"' $(CPPFLAGS)
ALL_CFLAGS   := -std=gnu11 $(WARN) $(CFLAGS) $(PKG_CFLAGS) -MMD -MP
LDLIBS  := $(PKG_LIBS) -lm

# `make V=1` shows every command.
ifeq ($(V),1)
Q :=
say = @true
else
Q := @
say = @printf '  %-6s %s\n' $(1) $(2)
endif

# Layers, top first: the link order. A layer may call only layers after it.
LAYERS    := cli daemon spool store policy modem config drivers codec at base
layer_dir  = $(if $(filter drivers,$(1)),drivers,gateway/$(1))
MAIN_SRC  := gateway/cli/main_smsgw.c gateway/daemon/main_smsgwd.c
# The drivers layer: drivers/driver.c, one folder per vendor
# (drivers/<vendor>/*.c), and the table generated from those folders.
DRIVER_DIRS  := $(sort $(patsubst drivers/%/,%,$(dir $(wildcard drivers/*/*.c))))
DRIVER_TABLE := $(BUILD)/gen/driver_table.c
# The store layer has one subfolder per backend other than SQLite
# (gateway/store/pg/: PostgreSQL, doc/postgresql.md).
layer_src  = $(sort $(filter-out $(MAIN_SRC),$(wildcard $(call layer_dir,$(1))/*.c) \
	       $(if $(filter drivers,$(1)),$(wildcard drivers/*/*.c) $(DRIVER_TABLE)) \
	       $(if $(filter store,$(1)),$(wildcard gateway/store/pg/*.c))))
LIB_SRC   := $(foreach L,$(LAYERS),$(call layer_src,$(L)))
SIM_SRC   := $(sort $(wildcard tests/modemsim/*.c))
UNIT_SRC  := $(sort $(wildcard tests/unit/test_*.c))
# A vendor's own tests live in its folder: drivers/<vendor>/tests/test_*.c
# (doc/adding-a-vendor.md); they build and run like tests/unit's.
DRIVER_TEST_SRC := $(sort $(wildcard drivers/*/tests/test_*.c))
FUZZ_SRC  := $(sort $(wildcard tests/fuzz/fuzz_*.c))

SIM_OBJ   := $(SIM_SRC:%.c=$(BUILD)/obj/%.o)
UNIT_BIN  := $(UNIT_SRC:tests/unit/%.c=$(BUILD)/tests/%) \
	     $(patsubst %.c,$(BUILD)/tests/%,$(notdir $(DRIVER_TEST_SRC)))
FUZZREG_BIN := $(FUZZ_SRC:tests/fuzz/%.c=$(BUILD)/tests/%-regress)
LIBS      := $(foreach L,$(LAYERS),$(BUILD)/lib$(L).a)
ASAN_LIBS := $(foreach L,$(LAYERS),$(BUILD)/asan/lib$(L).a)
PROGS     := $(BUILD)/smsgwd $(BUILD)/smsgw $(BUILD)/smsgw-modemsim

# The sanitizer build of the library and unit tests lives beside the normal one.
ASAN_FLAGS := -O1 -g -fsanitize=address,undefined -fno-omit-frame-pointer \
	      -fno-sanitize-recover=undefined

.PHONY: force asan-tests all libs print-layers deps check check-unit check-dates check-asan check-e2e \
	check-peers demo bench fuzz lint install install-users clean tests
.DELETE_ON_ERROR:
.SECONDARY:

# The udev rules, with the USB ids the drivers declare (scripts/udev_rules.c).
UDEV_RULES := $(BUILD)/90-smsgw.rules

all: $(PROGS) $(UDEV_RULES)

$(BUILD)/obj/%.o: %.c
	@mkdir -p $(dir $@)
	$(call say,CC,$<)
	$(Q)$(CC) $(ALL_CPPFLAGS) $(ALL_CFLAGS) -c -o $@ $<

# The OpenAPI document is embedded with .incbin, which -MMD cannot see.
$(BUILD)/obj/gateway/daemon/http_openapi.o $(BUILD)/asan/obj/gateway/daemon/http_openapi.o: doc/openapi.json
$(BUILD)/obj/gateway/store/pg/pg_schema.o $(BUILD)/asan/obj/gateway/store/pg/pg_schema.o: \
	gateway/store/pg/pg_schema.sql gateway/store/pg/pg_queue.sql \
	gateway/store/pg/pg_ops.sql gateway/store/pg/pg_cli.sql \
	gateway/store/pg/pg_http.sql

# A static archive drops objects nothing refers to, so drivers cannot
# register themselves: this table, generated from the folders, refers to
# each (a new folder in drivers/ is a new driver).
# The list of folders is a file that changes only when a folder comes or
# goes: a vendor folder copied with its old times (cp -a) is still seen.
DRIVER_LIST := $(BUILD)/gen/driver_dirs
$(DRIVER_LIST): force
	@mkdir -p $(dir $@)
	@echo '$(DRIVER_DIRS)' | cmp -s - $@ 2>/dev/null || echo '$(DRIVER_DIRS)' > $@

$(DRIVER_TABLE): scripts/gen_driver_table.sh $(DRIVER_LIST) $(wildcard drivers/*/*.c)
	@mkdir -p $(dir $@)
	$(call say,GEN,$@)
	$(Q)scripts/gen_driver_table.sh $(DRIVER_DIRS) > $@

$(BUILD)/gen/udev_rules: scripts/udev_rules.c $(LIBS)
	@mkdir -p $(dir $@)
	$(call say,LD,$@)
	$(Q)$(CC) $(ALL_CPPFLAGS) $(ALL_CFLAGS) -o $@ $< $(LIBS) $(LDFLAGS) $(LDLIBS)

$(UDEV_RULES): udev/90-smsgw.rules.in $(BUILD)/gen/udev_rules
	$(call say,GEN,$@)
	$(Q)$(BUILD)/gen/udev_rules < $< > $@

# build/lib<layer>.a and build/asan/lib<layer>.a from that layer's folder.
# Each also depends on the list of its sources, rewritten only when it
# changes: a file moved out of a layer or into it (git mv keeps its time,
# and .SECONDARY lets a missing object go unbuilt) still remakes both
# archives, so none keeps the old member.
define layer_archive
$(BUILD)/gen/layer-$(1).list: force
	@mkdir -p $$(dir $$@)
	@echo '$$(call layer_src,$(1))' | cmp -s - $$@ 2>/dev/null || echo '$$(call layer_src,$(1))' > $$@
$(BUILD)/lib$(1).a: $$(patsubst %.c,$(BUILD)/obj/%.o,$$(call layer_src,$(1))) $(BUILD)/gen/layer-$(1).list
$(BUILD)/asan/lib$(1).a: $$(patsubst %.c,$(BUILD)/asan/obj/%.o,$$(call layer_src,$(1))) $(BUILD)/gen/layer-$(1).list
endef
$(foreach L,$(LAYERS),$(eval $(call layer_archive,$(L))))

$(LIBS) $(ASAN_LIBS):
	@rm -f $@
	$(call say,AR,$@)
	$(Q)ar rcs $@ $(filter %.o,$^)

libs: $(LIBS)

$(BUILD)/smsgwd: $(BUILD)/obj/gateway/daemon/main_smsgwd.o $(LIBS)
	$(call say,LD,$@)
	$(Q)$(CC) $(CFLAGS) -o $@ $(filter %.o %.a,$^) $(LDFLAGS) $(LDLIBS)

$(BUILD)/smsgw: $(BUILD)/obj/gateway/cli/main_smsgw.o $(LIBS)
	$(call say,LD,$@)
	$(Q)$(CC) $(CFLAGS) -o $@ $(filter %.o %.a,$^) $(LDFLAGS) $(LDLIBS)

$(BUILD)/smsgw-modemsim: $(SIM_OBJ) $(LIBS)
	$(call say,LD,$@)
	$(Q)$(CC) $(CFLAGS) -o $@ $(filter %.o %.a,$^) $(LDFLAGS) $(LDLIBS) -lutil

$(BUILD)/obj/tests/harness.o: tests/harness.c
	@mkdir -p $(dir $@)
	$(Q)$(CC) $(ALL_CPPFLAGS) -Itests $(ALL_CFLAGS) -c -o $@ $<

$(BUILD)/tests/test_%: tests/unit/test_%.c $(BUILD)/obj/tests/harness.o $(LIBS)
	@mkdir -p $(dir $@)
	$(call say,TEST,$@)
	$(Q)$(CC) $(ALL_CPPFLAGS) -Itests $(ALL_CFLAGS) -o $@ $< $(filter %.o %.a,$^) $(LDFLAGS) $(LDLIBS)

# Fuzz targets double as regression tests: a small driver replays the corpus.
$(BUILD)/tests/fuzz_%-regress: tests/fuzz/fuzz_%.c tests/fuzz/regress_main.c $(LIBS)
	@mkdir -p $(dir $@)
	$(call say,TEST,$@)
	$(Q)$(CC) $(ALL_CPPFLAGS) -Itests $(ALL_CFLAGS) -o $@ $< tests/fuzz/regress_main.c $(filter %.o %.a,$^) $(LDFLAGS) $(LDLIBS)

tests: $(PROGS) $(UDEV_RULES) $(UNIT_BIN) $(FUZZREG_BIN)

# ---- sanitizer build (ASan + UBSan) of the library and unit tests ----
ASAN_UNIT    := $(UNIT_SRC:tests/unit/%.c=$(BUILD)/asan/tests/%) \
	$(patsubst %.c,$(BUILD)/asan/tests/%,$(notdir $(DRIVER_TEST_SRC)))
ASAN_FUZZREG := $(FUZZ_SRC:tests/fuzz/%.c=$(BUILD)/asan/tests/%-regress)

$(BUILD)/asan/obj/%.o: %.c
	@mkdir -p $(dir $@)
	$(call say,CC-SAN,$<)
	$(Q)$(CC) $(ALL_CPPFLAGS) -Itests $(ALL_CFLAGS) $(ASAN_FLAGS) -c -o $@ $<

$(BUILD)/asan/tests/test_%: tests/unit/test_%.c $(BUILD)/asan/obj/tests/harness.o $(ASAN_LIBS)
	@mkdir -p $(dir $@)
	$(call say,TEST,$@)
	$(Q)$(CC) $(ALL_CPPFLAGS) -Itests $(ALL_CFLAGS) $(ASAN_FLAGS) -o $@ $< $(filter %.o %.a,$^) $(LDFLAGS) $(LDLIBS)

$(BUILD)/asan/tests/fuzz_%-regress: tests/fuzz/fuzz_%.c tests/fuzz/regress_main.c $(ASAN_LIBS)
	@mkdir -p $(dir $@)
	$(call say,TEST,$@)
	$(Q)$(CC) $(ALL_CPPFLAGS) -Itests $(ALL_CFLAGS) $(ASAN_FLAGS) -o $@ $< tests/fuzz/regress_main.c $(filter %.o %.a,$^) $(LDFLAGS) $(LDLIBS)

# drivers/<vendor>/tests/test_NAME.c -> build/tests/test_NAME (and asan/):
# the helpers they share are in tests/unit (driver_replay.h).
define driver_test
$(BUILD)/tests/$(basename $(notdir $(1))): $(1) $(BUILD)/obj/tests/harness.o $(LIBS)
	@mkdir -p $$(dir $$@)
	$$(call say,TEST,$$@)
	$(Q)$$(CC) $$(ALL_CPPFLAGS) -Itests -Itests/unit $$(ALL_CFLAGS) -o $$@ $$< $$(filter %.o %.a,$$^) $$(LDFLAGS) $$(LDLIBS)
$(BUILD)/asan/tests/$(basename $(notdir $(1))): $(1) $(BUILD)/asan/obj/tests/harness.o $(ASAN_LIBS)
	@mkdir -p $$(dir $$@)
	$$(call say,TEST,$$@)
	$(Q)$$(CC) $$(ALL_CPPFLAGS) -Itests -Itests/unit $$(ALL_CFLAGS) $$(ASAN_FLAGS) -o $$@ $$< $$(filter %.o %.a,$$^) $$(LDFLAGS) $$(LDLIBS)
endef
$(foreach F,$(DRIVER_TEST_SRC),$(eval $(call driver_test,$(F))))

asan-tests: $(ASAN_UNIT) $(ASAN_FUZZREG)

# ---- dependencies, tests, demo ----
deps:
	@scripts/deps.sh

check: deps
	@$(MAKE) --no-print-directory -j$(JOBS) tests asan-tests
	@BUILD=$(BUILD) tests/run

check-unit: tests
	@BUILD=$(BUILD) tests/run --only unit

# A year ahead, a minute before a DST change, after 2038-01-19 (libfaketime).
check-dates: tests
	@BUILD=$(BUILD) scripts/check-dates.sh

check-e2e: tests
	@BUILD=$(BUILD) tests/run --only e2e

check-peers: deps
	@$(MAKE) --no-print-directory $(PROGS)
	@BUILD=$(BUILD) tests/run --only peers

demo: deps
	@$(MAKE) --no-print-directory $(PROGS)
	@BUILD=$(BUILD) scripts/demo.sh

bench: deps
	@$(MAKE) --no-print-directory $(PROGS) $(BUILD)/tests/test_pg_store
	@BUILD=$(BUILD) python3 tests/bench/bench.py
	@BUILD=$(BUILD) python3 tests/bench/soak.py
	@BUILD=$(BUILD) python3 tests/bench/pg_queue.py
	@BUILD=$(BUILD) python3 tests/bench/pg_multibox.py

FUZZ_SECONDS ?= 60
fuzz:
	@BUILD=$(BUILD) FUZZ_SECONDS=$(FUZZ_SECONDS) scripts/fuzz.sh

LAYER_MAP := $(foreach L,$(LAYERS),$(L):$(call layer_dir,$(L)))
lint: $(PROGS)
	@BUILD=$(BUILD) LAYERS="$(LAYER_MAP)" CC="$(CC)" LDLIBS="$(LDLIBS)" scripts/lint.sh

# For scripts: the layers, top first, as layer:folder.
print-layers:
	@echo $(LAYER_MAP)

install: $(PROGS) $(UDEV_RULES)
	install -d $(DESTDIR)$(PREFIX)/sbin $(DESTDIR)$(PREFIX)/bin
	install -m 0755 $(BUILD)/smsgwd $(DESTDIR)$(PREFIX)/sbin/smsgwd
	install -m 0755 $(BUILD)/smsgw $(DESTDIR)$(PREFIX)/bin/smsgw
	install -m 0755 $(BUILD)/smsgw-modemsim $(DESTDIR)$(PREFIX)/bin/smsgw-modemsim
	install -d $(DESTDIR)$(PREFIX)/share/man/man1 $(DESTDIR)$(PREFIX)/share/man/man5 \
		$(DESTDIR)$(PREFIX)/share/man/man8
	for m in man/*.[158]; do \
		s=$${m##*.}; install -m 0644 $$m $(DESTDIR)$(PREFIX)/share/man/man$$s/; done
	install -d $(DESTDIR)$(PREFIX)/share/doc/smsgw
	install -m 0644 conf/smsgw.conf README.md $(DESTDIR)$(PREFIX)/share/doc/smsgw/
	install -d -m 0755 $(DESTDIR)/etc/smsgw
	[ -e $(DESTDIR)/etc/smsgw/smsgw.conf ] || \
		install -m 0640 conf/smsgw.conf $(DESTDIR)/etc/smsgw/smsgw.conf
	install -d $(DESTDIR)/lib/systemd/system $(DESTDIR)/lib/udev/rules.d
	sed 's|/usr/local/sbin/|$(PREFIX)/sbin/|g' conf/smsgw.service > $(DESTDIR)/lib/systemd/system/smsgw.service
	chmod 0644 $(DESTDIR)/lib/systemd/system/smsgw.service
	install -m 0644 $(UDEV_RULES) $(DESTDIR)/lib/udev/rules.d/90-smsgw.rules
	@# The config is 0640 root:smsgw (SIM PINs): the groups exist only on
	@# the target machine, so a DESTDIR (package) build leaves them out.
	@if [ -z "$(DESTDIR)" ] && [ "$$(id -u)" -eq 0 ]; then \
		scripts/install-users.sh; \
	else \
		echo "install: on the target, as root: make install-users" \
		     "(user smsgw, groups smsgw, smsgw-send, smsgw-read; see README)"; \
	fi

# Idempotent; DESTDIR= applies it to that tree's /etc/passwd and /etc/group.
install-users:
	@DESTDIR=$(DESTDIR) scripts/install-users.sh

clean:
	rm -rf $(BUILD)

-include $(shell find $(BUILD) -name '*.d' 2>/dev/null)
