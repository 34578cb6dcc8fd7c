# SPDX-License-Identifier: GPL-2.0
#
# make install / make uninstall, and make check-ecosystem.
#
#   make install   [DESTDIR=/staging] [PREFIX=/usr/local] [KDIR=<headers>]
#   make uninstall [same variables as install]
#
# What goes where:
#   lazymap.ko        $(DESTDIR)/lib/modules/<release>/updates/
#                     (kbuild's modules_install, INSTALL_MOD_DIR=updates)
#   <linux/lazymap.h> $(DESTDIR)$(PREFIX)/include/linux/lazymap.h
#   programs          $(DESTDIR)$(PREFIX)/bin/: PROGS of userspace/Makefile
#   udev rule         $(DESTDIR)$(UDEVDIR)/60-lazymap.rules
#                     (UDEVDIR: /etc/udev/rules.d, where udev reads local
#                     rules; packages set /usr/lib/udev/rules.d)
#   man pages         $(DESTDIR)$(PREFIX)/share/man/man<section>/: every
#                     man/*.[1-8] (lazymap.4 and a page per program)
#
# KDIR picks the kernel: by default the running kernel's headers
# (/lib/modules/$(uname -r)/build) if they are installed, else the same
# default as "make module" (Debian bookworm's current kernel).
#
# Without DESTDIR, install also runs depmod for that kernel, creates the
# system group "lazymap" that the udev rule names, and reloads the udev
# rules.  With DESTDIR (staging for a package) those belong to the target
# system and are skipped: run "depmod -a <release>" there.  Uninstall leaves
# the group.
#
# The module is not signed: the distribution's signing key is not in a
# headers package.  Under Secure Boot, sign it with your own key (or use
# DKMS, see dkms.conf).

PREFIX ?= /usr/local
BINDIR ?= $(PREFIX)/bin
INCLUDEDIR ?= $(PREFIX)/include
MANDIR ?= $(PREFIX)/share/man
UDEVDIR ?= /etc/udev/rules.d

# The man pages, by section: lazymap.4 and one page per program.
LM_MANPAGES = $(wildcard man/*.[1-8])

# kbuild runs in KDIR, so the module's install root must be absolute.
LM_DESTDIR = $(if $(DESTDIR),$(abspath $(DESTDIR)))
LM_KDIR = $(or $(KDIR),$(wildcard /lib/modules/$(shell uname -r)/build))

# Shell code: set kdir and krel for the kernel chosen as above.  An empty
# kdir means build-module.sh's default (it installs those headers).
define lm_kernel_sh
kdir='$(LM_KDIR)'; \
if [ -n "$$kdir" ]; then \
	krel=$$(sed -n 's/^#define UTS_RELEASE "\(.*\)"$$/\1/p' \
		"$$kdir/include/generated/utsrelease.h"); \
else \
	krel=$$(bash -c '. scripts/lib.sh && lm_bookworm_abi')-amd64; \
fi; \
[ -n "$$krel" ] || { echo "cannot tell the kernel release" >&2; exit 1; }
endef

# Shell code: set progs to the programs that userspace/Makefile builds (its
# PROGS), so uninstall knows them without a build.
define lm_progs_sh
progs=; \
if [ -f userspace/Makefile ]; then \
	progs=$$($(MAKE) -s --no-print-directory -C userspace \
		--eval='lm-progs: ; @echo $$(PROGS)' lm-progs); \
fi
endef

.PHONY: install uninstall install-module uninstall-module \
	install-files uninstall-files check-ecosystem

install: install-module install-files

uninstall: uninstall-module uninstall-files

install-module:
	@set -e; $(lm_kernel_sh); \
	ko=$$(scripts/build-module.sh $${kdir:+--kdir "$$kdir"}); \
	[ -n "$$kdir" ] || kdir=/usr/src/linux-headers-$$krel; \
	echo "==> installing lazymap.ko for $$krel" >&2; \
	$(MAKE) -C "$$kdir" M="$${ko%/*}" modules_install \
		INSTALL_MOD_DIR=updates INSTALL_MOD_PATH='$(LM_DESTDIR)' \
		CONFIG_MODULE_SIG_ALL= cmd_depmod=: quiet_cmd_depmod= >&2; \
	if [ -n '$(LM_DESTDIR)' ]; then \
		echo "==> DESTDIR set: run 'depmod -a $$krel' on the target" >&2; \
	else \
		echo "==> depmod -a $$krel" >&2; \
		depmod -a "$$krel"; \
	fi

uninstall-module:
	@set -e; $(lm_kernel_sh); \
	ko='$(LM_DESTDIR)'/lib/modules/$$krel/updates/lazymap.ko; \
	echo "==> removing $$ko" >&2; \
	rm -f "$$ko"; \
	if [ -n '$(LM_DESTDIR)' ]; then \
		d=$${ko%/*}; \
		while [ "$$d" != '$(LM_DESTDIR)' ] && rmdir "$$d" 2>/dev/null; \
		do d=$${d%/*}; done; \
	elif [ -d "/lib/modules/$$krel" ]; then \
		echo "==> depmod -a $$krel" >&2; \
		depmod -a "$$krel"; \
	fi

install-files:
	@set -e; \
	if [ -f userspace/Makefile ]; then \
		$(MAKE) userspace; \
	else \
		echo "warning: no userspace/Makefile: no programs" >&2; \
	fi; \
	$(lm_progs_sh); \
	echo "==> installing into $(LM_DESTDIR)$(PREFIX)" \
		"(programs: $$(echo $$progs))" >&2; \
	install -D -m 0644 module/uapi/linux/lazymap.h \
		'$(LM_DESTDIR)$(INCLUDEDIR)/linux/lazymap.h'; \
	for p in $$progs; do \
		install -D -m 0755 $(BUILD)/userspace/$$p \
			'$(LM_DESTDIR)$(BINDIR)'/$$p; \
	done; \
	install -D -m 0644 udev/60-lazymap.rules \
		'$(LM_DESTDIR)$(UDEVDIR)/60-lazymap.rules'; \
	for m in $(LM_MANPAGES); do \
		install -D -m 0644 $$m \
			'$(LM_DESTDIR)$(MANDIR)'/man$${m##*.}/$${m##*/}; \
	done; \
	if [ -z '$(LM_DESTDIR)' ]; then \
		if ! getent group lazymap >/dev/null; then \
			echo "==> groupadd --system lazymap" >&2; \
			groupadd --system lazymap; \
		fi; \
		if command -v udevadm >/dev/null && \
			udevadm control --reload-rules 2>/dev/null; then \
			udevadm trigger --subsystem-match=misc \
				--sysname-match=lazymap || true; \
		fi; \
	fi

uninstall-files:
	@set -e; $(lm_progs_sh); \
	files='$(INCLUDEDIR)/linux/lazymap.h $(UDEVDIR)/60-lazymap.rules'; \
	for m in $(LM_MANPAGES); do \
		files="$$files $(MANDIR)/man$${m##*.}/$${m##*/}"; \
	done; \
	for p in $$progs; do files="$$files $(BINDIR)/$$p"; done; \
	echo "==> removing from $(LM_DESTDIR)$(PREFIX)" \
		"(programs: $$(echo $$progs))" >&2; \
	for f in $$files; do \
		rm -f '$(LM_DESTDIR)'"$$f"; \
		[ -n '$(LM_DESTDIR)' ] || continue; \
		d='$(LM_DESTDIR)'"$${f%/*}"; \
		while [ "$$d" != '$(LM_DESTDIR)' ] && rmdir "$$d" 2>/dev/null; \
		do d=$${d%/*}; done; \
	done

# The ecosystem checks CI runs besides "make lint": install into a DESTDIR
# and back out, a real DKMS build, and the man page.
check-ecosystem:
	scripts/test-install.sh
	scripts/test-dkms.sh
	scripts/lint.sh man
