# SPDX-License-Identifier: GPL-2.0
#
# Debian packages (debian/), built with dpkg-buildpackage and dh_dkms.
#
#   make deb        lazymap-dkms, lazymap-tools and lazymap-dev into
#                   build/deb/, checked by lintian (scripts/build-deb.sh)
#   make check-deb  install, check, remove and purge them in fresh bookworm
#                   and trixie chroots, then boot the module that DKMS
#                   built there and run the suite on it (scripts/test-deb.sh)

.PHONY: deb check-deb

deb:
	scripts/build-deb.sh

check-deb:
	scripts/test-deb.sh
