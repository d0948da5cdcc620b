#!/bin/sh
# The screens never take forms from the current directory: run far from any
# forms folder, from a folder holding a planted forms/screening.yaml, with
# INTAKE_FORMS naming nothing, "Start a new interview" offers no form of it.
. "$(dirname "$0")/../lib.sh"
. "$(dirname "$0")/../tmux.sh"

SRC=$(cd "$(dirname "$0")/../.." && pwd)
V=$T/vault
new_vault "$V"
mkdir -p "$T/bin/a/b" "$T/cwd/forms"
cp "$INTAKE" "$T/bin/a/b/intake"
# A planted copy that passes every check, as a crafted one would.
for d in "$T/cwd" "$T/cwd/forms"; do
	cp "$SRC/forms/screening.yaml" "$SRC/forms/referrals.yaml" "$d/"
done
if [ -d /usr/local/share/intake/forms ]; then
	echo "ok - # SKIP forms are installed in /usr/local/share/intake/forms"
	exit 0
fi
tstart s1 80 24 "sh -c 'cd $T/cwd && INTAKE_FORMS=$T/nowhere exec $T/bin/a/b/intake --vault $V'"
tunlock s1 ana "demo passphrase"
expect_screen "the case list opens without a forms directory" s1 "Start a new interview"
tkeys s1 Enter
sleep 0.5
tsettle s1
tscreen s1 >"$T/screen"
check "no form of the current directory is offered" sh -c "grep -q 'No forms found' '$T/screen' && \
    ! grep -qi 'screening' '$T/screen'"
