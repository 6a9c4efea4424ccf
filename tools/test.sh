#!/usr/bin/env bash
# SPDX-License-Identifier: BSD-3-Clause
# Run every Sluice test: installs what is missing (tools/setup.sh), builds
# into build/, runs the unit and end-to-end suites, and prints one line
# last: "N passed, M failed" (", K skipped" added when tests were
# skipped). Extra arguments go to `meson test` (e.g. --suite unit).
#
# --sanitize (first argument): the same in build-san/, built with
# AddressSanitizer and UndefinedBehaviorSanitizer (-Db_sanitize=
# address,undefined); without further arguments it runs the unit suite
# only (docs/FUZZING.md). Not part of the default run.
#
# The end-to-end tests skip themselves (exit 77) without root or network
# namespaces. SL_REQUIRE_E2E=1 makes any skipped test (or any check an e2e
# script skipped inside, e.g. a missing tool) fail the run, naming it; it
# is the default when running as root, where nothing should be skipped,
# and CI sets it. SL_REQUIRE_E2E=0 lets skips pass.
set -euo pipefail
cd "$(dirname "$0")/.."

if [ -z "${SL_REQUIRE_E2E:-}" ]; then
	if [ "$(id -u)" -eq 0 ]; then SL_REQUIRE_E2E=1; else SL_REQUIRE_E2E=0; fi
fi
export SL_REQUIRE_E2E

build=build
setup_args=()
if [ "${1:-}" = --sanitize ]; then
	shift
	build=build-san
	setup_args=(-Db_sanitize=address,undefined)
	[ $# -gt 0 ] || set -- --suite unit
fi

bash tools/setup.sh
if [ ! -f "$build/build.ninja" ]; then
	meson setup "$build" "${setup_args[@]}"
fi
ninja -C "$build"

status=0
meson test -C "$build" --print-errorlogs --num-processes 1 "$@" || status=$?

# one closing line for humans and CI, from meson's own log; before it,
# which tests were skipped (and whether that fails the run)
skip_status=0
python3 - "$build/meson-logs/testlog.json" "$SL_REQUIRE_E2E" <<'PY' || skip_status=$?
import json, sys
ok = fail = 0
skipped = []
for line in open(sys.argv[1]):
    t = json.loads(line)
    r = t["result"]
    if r in ("OK", "EXPECTEDFAIL"):
        ok += 1
    elif r == "SKIP":
        skipped.append(t["name"].split(" / ")[-1])
    else:
        fail += 1
required = sys.argv[2] == "1"
if skipped:
    print(("FAIL: SL_REQUIRE_E2E=1 and " if required else "")
          + f"{len(skipped)} skipped: {', '.join(skipped)}"
          + ("" if required else " (SL_REQUIRE_E2E=1 makes this fail)"))
print(f"{ok} passed, {fail} failed" + (f", {len(skipped)} skipped" if skipped else ""))
sys.exit(1 if required and skipped else 0)
PY
if [ "$status" -eq 0 ] && [ "$skip_status" -ne 0 ]; then
	status=1
fi
exit $status
