#!/bin/sh
# Installs the Debian packages Intake needs to build and test, when missing.
# As root it runs apt-get; otherwise it prints the exact command to run.
# libzip-dev, libxml2-dev: reading XLSForm workbooks (intake forms import);
# the test workbooks are committed (tests/forms/xlsx/make.py remakes them).
# libglpk-dev: the linear programs that audit statistics' suppression.
# dialog is only the baseline `make bench` compares the screens against.
# man-db: tests/cli/options.sh renders intake(1) with `man -l`.
# openssh-server/-client: tests/cli/login.sh logs in through a loopback sshd
# of its own; installing it must not start the system sshd (policy-rc.d below).
# libicu-dev: line breaking between Lao and Thai words (core/linebreak.c).
# libzstd-dev: vault format 2 compresses payloads before sealing them
# (core/vault_pack.c).
# gettext: msgfmt and xgettext build the interface's message catalogs (po/).
# strace: test_termwrites and bench_tui count the program's write(2) calls.
# python3-nacl: tests/cli/bundles.sh reads bundles with a second reader
# written from docs/FORMATS.md (tests/cli/bundle_reader.py).
set -eu
PKGS="build-essential pkg-config libncurses-dev libsodium-dev liblmdb-dev lmdb-utils
libyaml-dev libjansson-dev libunistring-dev libicu-dev gettext libzip-dev libxml2-dev libcmocka-dev libglpk-dev libzstd-dev tmux locales clang
dialog jq openssh-server openssh-client man-db strace python3-nacl"

missing=""
for p in $PKGS; do
	if ! dpkg-query -W -f='${Status}' "$p" 2>/dev/null | grep -q "ok installed"; then
		missing="$missing $p"
	fi
done
[ -z "$missing" ] && exit 0

if ! command -v apt-get >/dev/null 2>&1; then
	echo "deps: missing packages:$missing (no apt-get here: install them by hand)" >&2
	exit 1
fi
if [ "$(id -u)" -ne 0 ]; then
	echo "deps: missing packages:$missing" >&2
	echo "deps: run: sudo apt-get install -y$missing" >&2
	exit 1
fi
echo "deps: installing$missing"
export DEBIAN_FRONTEND=noninteractive
apt-get update -qq
# No service a package ships (sshd) is started by installing it: the tests
# start their own, on loopback, and stop it.
policy=""
if [ ! -e /usr/sbin/policy-rc.d ]; then
	policy=/usr/sbin/policy-rc.d
	printf '#!/bin/sh\nexit 101\n' >"$policy" && chmod 0755 "$policy"
	trap 'rm -f "$policy"' EXIT
fi
# shellcheck disable=SC2086
apt-get install -y -qq --no-install-recommends $missing >/dev/null
