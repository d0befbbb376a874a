# Installing latchkey, and the tarball for shared hosting.
#
#   make install   [PREFIX=/usr/local] [SYSCONFDIR=PREFIX/etc]
#                  [LOCALSTATEDIR=PREFIX/var] [DESTDIR=...]   tool, programs, app,
#                  man page, documentation and example server configurations
#   make uninstall [PREFIX=...] [DESTDIR=...]          removes exactly that
#   make dist      build/dist/latchkey-$(VERSION).tar.xz for a shared
#                  host: lk-bin/ (with lib/), public/ (app + .htaccess),
#                  private/, bin/, doc/, INSTALL
#
# Where things go (FHS, under PREFIX):
#   bin/latchkey                          the admin tool
#   libexec/latchkey/*.fcgi               the programs (run by the web server)
#   share/latchkey/public/                the built app (document root)
#   share/latchkey/members/               the demo page behind the authorizer
#   share/man/man1/latchkey.1             the man page
#   share/doc/latchkey/                   docs/*.md and examples/ (server
#                                         configurations, latchkey.conf)
# The configuration itself ($(SYSCONFDIR)/latchkey/latchkey.conf, the
# programs' compiled-in default), the key and the database are made on the
# target by `latchkey init`; install never writes or overwrites them.

INSTALL	?= install
BINDIR	?= $(PREFIX)/bin
LIBEXECDIR ?= $(PREFIX)/libexec/latchkey
DATADIR	?= $(PREFIX)/share/latchkey
MANDIR	?= $(PREFIX)/share/man
DOCDIR	?= $(PREFIX)/share/doc/latchkey

# The example configurations name /usr/local, /usr/local/etc and
# /usr/local/var; installed copies name the real PREFIX, SYSCONFDIR and
# LOCALSTATEDIR.
INSTALL_PATHS = sed -e 's|/usr/local/etc/|@SYSCONF@/|g' \
	-e 's|/usr/local/var/|@LOCALSTATE@/|g' \
	-e 's|/usr/local/|$(PREFIX)/|g' -e 's|@SYSCONF@|$(SYSCONFDIR)|g' \
	-e 's|@LOCALSTATE@|$(LOCALSTATEDIR)|g'

# The man page's header names the version of the file VERSION.
MAN_VERSION = sed -e 's|^\(\.TH LATCHKEY 1 [^ ]* "latchkey \)[^"]*"|\1$(VERSION)"|'

APACHE_EXAMPLES := apache/latchkey-fcgid.conf apache/latchkey-vhost-https.conf \
	apache/htaccess apache/lk-bin.htaccess apache/members.htaccess \
	apache/private.htaccess

.PHONY: install uninstall dist check-dist

install: build
	@test -f public/index.html || { echo "install: public/ is not built (make web)" >&2; exit 1; }
	$(INSTALL) -d $(DESTDIR)$(BINDIR) $(DESTDIR)$(LIBEXECDIR) \
	    $(DESTDIR)$(DATADIR)/public $(DESTDIR)$(DATADIR)/members \
	    $(DESTDIR)$(MANDIR)/man1 $(DESTDIR)$(DOCDIR)/examples/apache \
	    $(DESTDIR)$(DOCDIR)/examples/lighttpd $(DESTDIR)$(DOCDIR)/examples/nginx \
	    $(DESTDIR)$(DOCDIR)/examples/caddy
	$(INSTALL) -m 0755 $(TOOL) $(DESTDIR)$(BINDIR)/latchkey
	$(INSTALL) -m 0755 $(PROGRAMS) $(DESTDIR)$(LIBEXECDIR)/
	cp -R public/. $(DESTDIR)$(DATADIR)/public/
	chmod -R u=rwX,go=rX $(DESTDIR)$(DATADIR)/public
	$(INSTALL) -m 0644 dist/public/members/index.html dist/public/members/greet.js \
	    $(DESTDIR)$(DATADIR)/members/
	$(INSTALL_PATHS) docs/latchkey.1 | $(MAN_VERSION) \
	    >$(DESTDIR)$(MANDIR)/man1/latchkey.1
	chmod 0644 $(DESTDIR)$(MANDIR)/man1/latchkey.1
	$(INSTALL) -m 0644 $(wildcard docs/*.md) $(DESTDIR)$(DOCDIR)/
	for f in $(APACHE_EXAMPLES); do \
		$(INSTALL_PATHS) $$f >$(DESTDIR)$(DOCDIR)/examples/$$f && \
		chmod 0644 $(DESTDIR)$(DOCDIR)/examples/$$f || exit 1; \
	done
	$(INSTALL_PATHS) lighttpd/lighttpd.conf >$(DESTDIR)$(DOCDIR)/examples/lighttpd/lighttpd.conf
	$(INSTALL_PATHS) dist/latchkey.conf.example >$(DESTDIR)$(DOCDIR)/examples/latchkey.conf
	chmod 0644 $(DESTDIR)$(DOCDIR)/examples/lighttpd/lighttpd.conf \
	    $(DESTDIR)$(DOCDIR)/examples/latchkey.conf
	$(INSTALL) -m 0644 nginx/*.conf $(DESTDIR)$(DOCDIR)/examples/nginx/
	$(INSTALL) -m 0644 caddy/latchkey.caddy $(DESTDIR)$(DOCDIR)/examples/caddy/

# Everything under the latchkey-named directories is ours; elsewhere only
# the files install put there.
uninstall:
	rm -f $(DESTDIR)$(BINDIR)/latchkey $(DESTDIR)$(MANDIR)/man1/latchkey.1
	rm -rf $(DESTDIR)$(LIBEXECDIR) $(DESTDIR)$(DATADIR) $(DESTDIR)$(DOCDIR)

# The tarball's programs: linked again with an RPATH to their own lib/
# folder, where scripts/dist-libs puts the libraries a host is unlikely to
# have, and without symbols (-s: a third of their size).  The tool finds
# the libraries from bin/ in the unpacked folder.  The programs' folder is
# lk-bin/, not cgi-bin/: Debian's serve-cgi-bin.conf takes /cgi-bin/ of
# every site wherever mod_cgi or mod_cgid is loaded.
DIST_RPATH = -Wl,--disable-new-dtags,-rpath,'$$ORIGIN/$(1)'
DIST_BIN  := $(BUILD)/dist-bin
DIST_PROGRAMS = $(PROGRAMS:$(BUILD)/cgi-bin/%=$(DIST_BIN)/lk-bin/%)
DIST_TOOL := $(DIST_BIN)/bin/latchkey

$(DIST_BIN)/lk-bin/%.fcgi: cgi-bin/%.c $(LIB) $(LIB_HDRS) $(BUILD)/flags mk/install.mk
	@mkdir -p $(@D)
	$(CC) $(CPPFLAGS) $(ALL_CFLAGS) $(ALL_LDFLAGS) -s $(call DIST_RPATH,lib) \
	    -o $@ $< $(LIB) $(STATIC_LIBS)

$(DIST_BIN)/lk-bin/metrics.fcgi: CPPFLAGS += -DLK_VERSION='"$(VERSION)"'
$(DIST_BIN)/lk-bin/metrics.fcgi: VERSION

$(DIST_TOOL): tool/latchkey.c $(LIB) $(LIB_HDRS) $(BUILD)/flags VERSION mk/install.mk
	@mkdir -p $(@D)
	$(CC) $(CPPFLAGS) -DLK_VERSION='"$(VERSION)"' $(ALL_CFLAGS) $(ALL_LDFLAGS) -s \
	    $(call DIST_RPATH,../lk-bin/lib) -o $@ $< $(LIB) $(STATIC_LIBS)

DIST_NAME := latchkey-$(VERSION)
DIST_DIR  := $(BUILD)/dist/$(DIST_NAME)
DIST_TAR  := $(BUILD)/dist/$(DIST_NAME).tar.xz

# The tarball is laid out as the files go on the host (see dist/INSTALL.in):
# public/ is the document root, lk-bin/ goes inside it, private/ beside it.
# xz, not gzip: its window spans the programs, which share most of their
# code (SQLite is linked into each), so the tarball is a tenth the size.
dist: build $(DIST_PROGRAMS) $(DIST_TOOL)
	@test -f public/index.html || { echo "dist: public/ is not built (make web)" >&2; exit 1; }
	rm -rf $(DIST_DIR) $(DIST_TAR)
	mkdir -p $(DIST_DIR)/lk-bin $(DIST_DIR)/public/members $(DIST_DIR)/private \
	    $(DIST_DIR)/bin $(DIST_DIR)/doc
	cp -R public/. $(DIST_DIR)/public/
	cp apache/htaccess $(DIST_DIR)/public/.htaccess
	cp dist/public/members/index.html dist/public/members/greet.js \
	    $(DIST_DIR)/public/members/
	cp apache/members.htaccess $(DIST_DIR)/public/members/.htaccess
	mkdir -p $(DIST_DIR)/private/members
	cp dist/public/members/index.html dist/public/members/greet.js \
	    $(DIST_DIR)/private/members/
	cp $(DIST_PROGRAMS) $(DIST_DIR)/lk-bin/
	cp apache/lk-bin.htaccess $(DIST_DIR)/lk-bin/.htaccess
	scripts/dist-libs $(DIST_DIR)/lk-bin/lib $(DIST_PROGRAMS) $(DIST_TOOL)
	cp apache/lk-bin-lib.htaccess $(DIST_DIR)/lk-bin/lib/.htaccess
	cp dist/private/latchkey.conf $(DIST_DIR)/private/latchkey.conf
	cp apache/private.htaccess $(DIST_DIR)/private/.htaccess
	cp $(DIST_TOOL) $(DIST_DIR)/bin/latchkey
	$(MAN_VERSION) docs/latchkey.1 >$(DIST_DIR)/doc/latchkey.1
	sed -e 's|@VERSION@|$(VERSION)|g' dist/INSTALL.in >$(DIST_DIR)/INSTALL
	chmod -R u=rwX,go=rX $(DIST_DIR)
	chmod 0755 $(DIST_DIR)/lk-bin/*.fcgi $(DIST_DIR)/bin/latchkey
	tar -C $(BUILD)/dist --owner=0 --group=0 --numeric-owner -cJf $(DIST_TAR) $(DIST_NAME)
	@echo $(DIST_TAR)

# Unpack the tarball into an Apache document root (AllowOverride All), as
# INSTALL says, and log in through it.
CHECK_TARGETS += check-dist
check-dist: dist
	@scripts/deps.sh apache
	LATCHKEY_BUILD="$(abspath $(BUILD))" LATCHKEY_DIST=$(DIST_TAR) $(NODE) --test --test-concurrency=1 tests/dist/
