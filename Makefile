# SPDX-License-Identifier: Apache-2.0
# Build and install lossd as a packager would:
#   make                                   # release build (static Swift runtime)
#   make install DESTDIR=/tmp/pkg PREFIX=/usr
#   make uninstall PREFIX=/usr
# Installs the binary, the systemd units (ExecStart pointing at the installed binary), the
# journald catalog, the example configuration (never overwriting an existing one), the man pages,
# the shell completions and the plugin header.

PREFIX     ?= /usr/local
DESTDIR    ?=
SYSCONFDIR ?= /etc
BINDIR     := $(PREFIX)/bin
LIBDIR     := $(PREFIX)/lib
UNITDIR    ?= $(LIBDIR)/systemd/system
CATALOGDIR ?= $(LIBDIR)/systemd/catalog
MANDIR     ?= $(PREFIX)/share/man
DATADIR    := $(PREFIX)/share
INCLUDEDIR := $(PREFIX)/include
PLUGINDIR  ?= $(LIBDIR)/lossd/plugins
SWIFT      ?= swift
BUILD_FLAGS = -c release --static-swift-stdlib

# The binary to install; `make install-files LOSSD_BINARY=...` installs a given build.
LOSSD_BINARY ?= $(shell $(SWIFT) build $(BUILD_FLAGS) --show-bin-path)/lossd

.PHONY: all build install install-files uninstall
all: build

build:
	$(SWIFT) build $(BUILD_FLAGS) --product lossd

install: build install-files

install-files:
	install -D -m 0755 "$(LOSSD_BINARY)" "$(DESTDIR)$(BINDIR)/lossd"
	for unit in lossd.service lossd@.service; do \
	    sed -e 's|/usr/bin/lossd|$(BINDIR)/lossd|' -e 's|/etc/lossd/|$(SYSCONFDIR)/lossd/|g' \
	        -e 's|LOSSD_PLUGIN_PATH=/usr/lib/lossd/plugins|LOSSD_PLUGIN_PATH=$(PLUGINDIR)|' \
	        "systemd/$$unit" > "systemd/$$unit.installed"; \
	    install -D -m 0644 "systemd/$$unit.installed" "$(DESTDIR)$(UNITDIR)/$$unit"; \
	    rm -f "systemd/$$unit.installed"; \
	done
	install -D -m 0644 systemd/lossd.catalog "$(DESTDIR)$(CATALOGDIR)/lossd.catalog"
	install -d -m 0755 "$(DESTDIR)$(SYSCONFDIR)/lossd" "$(DESTDIR)$(PLUGINDIR)"
	[ -e "$(DESTDIR)$(SYSCONFDIR)/lossd/lossd.yaml" ] || install -m 0644 configs/seed.yaml "$(DESTDIR)$(SYSCONFDIR)/lossd/lossd.yaml"
	install -D -m 0644 configs/lossd.yaml "$(DESTDIR)$(DATADIR)/doc/lossd/lossd.yaml.example"
	for page in docs/man/*.[0-9]; do \
	    [ -e "$$page" ] || continue; \
	    install -D -m 0644 "$$page" "$(DESTDIR)$(MANDIR)/man$${page##*.}/$$(basename $$page)"; \
	done
	[ ! -e docs/completions/lossd.bash ] || install -D -m 0644 docs/completions/lossd.bash "$(DESTDIR)$(DATADIR)/bash-completion/completions/lossd"
	[ ! -e docs/completions/_lossd ] || install -D -m 0644 docs/completions/_lossd "$(DESTDIR)$(DATADIR)/zsh/site-functions/_lossd"
	[ ! -e docs/completions/lossd.fish ] || install -D -m 0644 docs/completions/lossd.fish "$(DESTDIR)$(DATADIR)/fish/vendor_completions.d/lossd.fish"
	for header in Sources/CLossdPlugin/include/lossd/*.h; do \
	    [ -e "$$header" ] || continue; \
	    install -D -m 0644 "$$header" "$(DESTDIR)$(INCLUDEDIR)/lossd/$$(basename $$header)"; \
	done
	@if [ -z "$(DESTDIR)" ] && command -v journalctl >/dev/null; then journalctl --update-catalog || true; fi
	@if [ -z "$(DESTDIR)" ] && command -v systemctl >/dev/null && [ -d /run/systemd/system ]; then systemctl daemon-reload || true; fi

uninstall:
	rm -f "$(DESTDIR)$(BINDIR)/lossd" "$(DESTDIR)$(UNITDIR)/lossd.service" "$(DESTDIR)$(UNITDIR)/lossd@.service" \
	      "$(DESTDIR)$(CATALOGDIR)/lossd.catalog" "$(DESTDIR)$(MANDIR)/man8/lossd.8" "$(DESTDIR)$(MANDIR)/man5/lossd.yaml.5" \
	      "$(DESTDIR)$(DATADIR)/bash-completion/completions/lossd" "$(DESTDIR)$(DATADIR)/zsh/site-functions/_lossd" \
	      "$(DESTDIR)$(DATADIR)/fish/vendor_completions.d/lossd.fish" "$(DESTDIR)$(DATADIR)/doc/lossd/lossd.yaml.example"
	rm -rf "$(DESTDIR)$(INCLUDEDIR)/lossd"
	-rmdir "$(DESTDIR)$(DATADIR)/doc/lossd" "$(DESTDIR)$(PLUGINDIR)" "$(DESTDIR)$(LIBDIR)/lossd" 2>/dev/null
	@echo "kept $(SYSCONFDIR)/lossd and the state in /var/lib/lossd*; remove them by hand if wanted"
