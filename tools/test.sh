#!/usr/bin/env bash
# SPDX-License-Identifier: BSD-3-Clause
# Run every Sluice test: installs what is missing (tools/setup.sh), builds
# into build/, runs the unit and end-to-end suites, and prints one line
# "N passed, M failed". Extra arguments go to `meson test` (e.g. --suite unit).
set -euo pipefail
cd "$(dirname "$0")/.."

bash tools/setup.sh
if [ ! -f build/build.ninja ]; then
	meson setup build
fi
ninja -C build

status=0
meson test -C build --print-errorlogs --num-processes 1 "$@" || status=$?

# one closing line for humans and CI, from meson's own log
python3 - build/meson-logs/testlog.json <<'PY'
import json, sys
ok = fail = skip = 0
for line in open(sys.argv[1]):
    r = json.loads(line)["result"]
    if r in ("OK", "EXPECTEDFAIL"):
        ok += 1
    elif r == "SKIP":
        skip += 1
    else:
        fail += 1
print(f"{ok} passed, {fail} failed" + (f", {skip} skipped" if skip else ""))
PY
exit $status
