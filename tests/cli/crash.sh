#!/bin/sh
# The short crash test: 50 kills of a writer at random instants, the vault
# checked after each (`make crashtest` runs 500).
here=$(cd "$(dirname "$0")/../.." && pwd)
: "${BUILD:=$here/build}"
if [ ! -x "$BUILD/crash/crashtest" ]; then
	echo "not ok - crash: $BUILD/crash/crashtest is not built (make check builds it)"
	exit 1
fi
CRASH_FORM=$here/forms/screening-short.yaml exec "$BUILD/crash/crashtest" "${CRASH_KILLS:-50}"
