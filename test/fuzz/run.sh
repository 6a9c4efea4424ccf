#!/usr/bin/env bash
# SPDX-License-Identifier: BSD-3-Clause
#
# Run the libFuzzer harnesses for a bounded time each over their seed
# corpus; fails on any finding (crash, sanitizer report, leak, timeout),
# naming the input that caused it. What the run finds new stays in a
# temporary directory: the corpus in the tree is only read.
#
#   run.sh --bin DIR --corpus DIR [--time S] [HARNESS...]
#   run.sh --src SRC --build DIR --corpus DIR [--time S] [HARNESS...]
#
# --bin: the harnesses are built (a -Dfuzz=true build). --src/--build:
# build them first, with clang, -Dfuzz=true and AddressSanitizer +
# UndefinedBehaviorSanitizer, in build directory DIR (set up once, then
# only what changed is rebuilt). Without clang or its libFuzzer runtime
# the run is skipped (exit 77; tools/setup.sh installs them).
# --time: seconds per harness (default 10, or $SL_FUZZ_TIME).
# HARNESS: fwd, config, cmd (default: all three).
set -euo pipefail

bin= src= build= corpus=
secs=${SL_FUZZ_TIME:-10}
while [ $# -gt 0 ]; do
	case "$1" in
	--bin) bin=$2; shift 2 ;;
	--src) src=$2; shift 2 ;;
	--build) build=$2; shift 2 ;;
	--corpus) corpus=$2; shift 2 ;;
	--time) secs=$2; shift 2 ;;
	--*) echo "run.sh: unknown option $1" >&2; exit 2 ;;
	*) break ;;
	esac
done
harnesses=("$@")
[ ${#harnesses[@]} -gt 0 ] || harnesses=(fwd config cmd)
[ -n "$corpus" ] && [ -d "$corpus" ] || { echo "run.sh: --corpus DIR needed" >&2; exit 2; }
# absolute: the command harness works in a directory of its own
corpus=$(cd "$corpus" && pwd)

tmp=$(mktemp -d /tmp/slfuzz-run.XXXXXX)
trap 'rm -rf "$tmp"' EXIT
# the harnesses' own files (configuration, capture directory) go with it
export TMPDIR=$tmp

if [ -z "$bin" ]; then
	[ -n "$src" ] && [ -n "$build" ] || { echo "run.sh: --bin, or --src and --build" >&2; exit 2; }
	if ! command -v clang >/dev/null; then
		echo "SKIP: clang not found (tools/setup.sh installs it)"
		exit 77
	fi
	# libFuzzer and the sanitizer runtimes are a package of their own
	printf 'int LLVMFuzzerTestOneInput(const char *d, unsigned long n) { return 0; }\n' \
		>"$tmp/probe.c"
	if ! clang -fsanitize=fuzzer,address,undefined "$tmp/probe.c" -o "$tmp/probe" 2>"$tmp/probe.log"; then
		cat "$tmp/probe.log"
		echo "SKIP: clang cannot link libFuzzer with ASan/UBSan (libclang-rt-dev missing?)"
		exit 77
	fi
	if [ ! -f "$build/build.ninja" ]; then
		CC=clang meson setup "$build" "$src" -Dfuzz=true \
			-Db_sanitize=address,undefined -Db_lundef=false \
			-Dbuildtype=debugoptimized >"$tmp/setup.log" 2>&1 ||
			{ cat "$tmp/setup.log"; exit 1; }
	fi
	targets=()
	for h in "${harnesses[@]}"; do targets+=("test/fuzz/fuzz_$h"); done
	start=$SECONDS
	ninja -C "$build" "${targets[@]}" >"$tmp/build.log" 2>&1 ||
		{ tail -n 60 "$tmp/build.log"; exit 1; }
	echo "fuzz: harnesses built in $((SECONDS - start)) s ($build)"
	bin=$build/test/fuzz
fi

bin=$(cd "$bin" && pwd)
artifacts=$bin/artifacts
mkdir -p "$artifacts"
# a sanitizer report is a finding: stop at the first, with a stack
export ASAN_OPTIONS=${ASAN_OPTIONS:-abort_on_error=1:detect_leaks=1:symbolize=1}
export UBSAN_OPTIONS=${UBSAN_OPTIONS:-halt_on_error=1:abort_on_error=1:print_stacktrace=1}

status=0
for h in "${harnesses[@]}"; do
	exe=$bin/fuzz_$h
	seeds=$corpus/$h
	[ -x "$exe" ] || { echo "FAIL fuzz_$h: $exe not built"; status=1; continue; }
	[ -d "$seeds" ] || { echo "FAIL fuzz_$h: no corpus $seeds"; status=1; continue; }
	mkdir -p "$tmp/$h"
	log=$artifacts/fuzz_$h.log
	# new inputs go to the first directory (temporary), seeds are read
	if "$exe" -max_total_time="$secs" -timeout=10 -rss_limit_mb=4096 \
		-print_final_stats=1 -artifact_prefix="$artifacts/$h-" \
		"$tmp/$h" "$seeds" >"$log" 2>&1; then
		runs=$(sed -n 's/^stat::number_of_executed_units: *//p' "$log")
		cov=$(grep -o 'cov: [0-9]*' "$log" | tail -n 1)
		echo "ok fuzz_$h: ${runs:-?} inputs in ${secs} s, $cov, seeds $(ls "$seeds" | wc -l), corpus now $(ls "$tmp/$h" | wc -l) new"
	else
		status=1
		echo "FAIL fuzz_$h: a finding (log $log):"
		grep -E 'ERROR|SUMMARY|fuzz: |runtime error|Test unit written|^    #[0-9]' "$log" | head -n 40
		echo "reproduce: $exe <the input written above>"
	fi
done
exit $status
