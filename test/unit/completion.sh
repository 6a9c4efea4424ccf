#!/usr/bin/env bash
# SPDX-License-Identifier: BSD-3-Clause
# The bash completion of sluicectl: sourced into a shell, asked as bash
# asks it (COMP_WORDS, COMP_CWORD), for commands, options and service
# names. Service names come from `PROG --json show services`; PROG here
# is a stand-in that answers as Sluice does and records how it was
# called. Usage: completion.sh COMPLETION_FILE
set -u
comp=$1
T=$(mktemp -d /tmp/sl-comp.XXXXXX)
trap 'rm -rf "$T"' EXIT
passed=0
failed=0

# shellcheck source=tools/completion/sluicectl.bash
. "$comp"

cat >"$T/ctl" <<STUB
#!/usr/bin/env bash
echo "\$*" >>"$T/calls"
if [ "\$*" = "-s /tmp/other.sock --json show services" ] || [ "\$*" = "--json show services" ]; then
	echo '{"ok":true,"result":[{"name":"web","vip":"10.0.0.100","port":80,"backends":2},{"name":"dns","vip":"10.0.0.101","port":53,"backends":1},{"name":"web6","vip":"2001:db8::100","port":80,"backends":1}]}'
	exit 0
fi
echo "sluicectl: cannot reach Sluice" >&2
exit 2
STUB
chmod +x "$T/ctl"

# expect DESCRIPTION "WANTED WORDS" WORD...: the last WORD is the one
# being completed
expect() {
	local what=$1 want=$2
	shift 2
	COMP_WORDS=("$@")
	COMP_CWORD=$((${#COMP_WORDS[@]} - 1))
	_sluicectl
	local got
	# in any order, once each
	got=$(printf '%s\n' "${COMPREPLY[@]}" | LC_ALL=C sort | tr '\n' ' ')
	local -a want_words
	read -ra want_words <<<"$want"
	want=$(printf '%s\n' "${want_words[@]}" | LC_ALL=C sort | tr '\n' ' ')
	[ "${#COMPREPLY[@]}" -eq "$(printf '%s\n' "${COMPREPLY[@]}" | sort -u | grep -c .)" ] || got="$got(duplicates)"
	if [ "$got" = "$want" ]; then
		echo "ok - $what"
		passed=$((passed + 1))
	else
		echo "not ok - $what: got '$got', want '$want'"
		failed=$((failed + 1))
	fi
}

expect "first word: every command's first word" \
	"add capture del drain drain-instance enable help quit reload set show trace" sluicectl ""
expect "'s' gives set and show" "set show" sluicectl s
expect "'show s' gives services and stats" "services stats" sluicectl show s
expect "'show ' gives every show command" \
	"backends bgp counters flows neighbours ports routes services stats" sluicectl show ""
expect "'capture st' gives start and stop" "start stop" sluicectl capture st
expect "'del' gives del" "del" sluicectl de
expect "after --json the commands" "set show" sluicectl --json s
expect "after -s PATH the commands" "drain drain-instance" sluicectl -s /tmp/x.sock dr
expect "nothing after drain-instance" "" sluicectl drain-instance ""
expect "options" "--json" sluicectl --socket=/tmp/x.sock --j
expect "options: -" "--help --json --socket --version -V -h -j -s" sluicectl -
expect "nothing after a command without arguments" "" sluicectl reload ""
expect "a word no command has" "" sluicectl frobnicate ""

: >"$T/calls"
expect "'show backends ' gives the service names of the running Sluice" \
	"dns web web6" "$T/ctl" show backends ""
expect "'drain w' gives the services starting with w" "web web6" "$T/ctl" drain w
expect "'show flows ' gives services and limit" "dns limit web web6" "$T/ctl" show flows ""
expect "-s PATH: the same socket is asked" "dns" "$T/ctl" -s /tmp/other.sock enable d
if grep -qx -- "-s /tmp/other.sock --json show services" "$T/calls"; then
	echo "ok - the socket of -s was passed on"; passed=$((passed + 1))
else
	echo "not ok - the socket of -s was passed on: calls were: $(tr '\n' ';' <"$T/calls")"
	failed=$((failed + 1))
fi
expect "Sluice not reachable: no names, no error" "" "$T/ctl" -s /nonexistent.sock drain ""

echo "$passed passed, $failed failed"
[ "$failed" -eq 0 ]
