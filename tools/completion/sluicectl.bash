# SPDX-License-Identifier: BSD-3-Clause
# bash completion for sluicectl(8): its options, the commands of Sluice's
# command table (app/sluice/cmd.c; test/unit/test_man.c keeps the list
# below equal to it), and service names asked from the running Sluice
# with `sluicectl --json show services` (nothing when it cannot be
# reached). Installed as completions/sluicectl; works with or without
# the bash-completion package.

_sluicectl_commands=(
	"help"
	"show ports"
	"show services"
	"show backends"
	"show flows"
	"show neighbours"
	"show routes"
	"show stats"
	"show bgp"
	"show counters"
	"set weight"
	"drain"
	"enable"
	"add backend"
	"del backend"
	"reload"
	"capture start"
	"capture stop"
	"trace"
	"drain-instance"
	"quit"
)

# Service names of the running Sluice; $1... are the -s/--socket
# options typed so far, so the same Sluice is asked.
_sluicectl_services()
{
	local prog=${COMP_WORDS[0]}

	"$prog" "$@" --json show services 2>/dev/null |
		grep -o '{"name":"[^"]*"' | sed 's/^{"name":"//; s/"$//'
}

_sluicectl()
{
	local cur=${COMP_WORDS[COMP_CWORD]} i start=0 sock=() words=() cmd w
	local -a cand=()

	COMPREPLY=()
	# options come before the command; -s takes a path
	for ((i = 1; i < COMP_CWORD; i++)); do
		case ${COMP_WORDS[i]} in
		-s | --socket)
			sock=(-s "${COMP_WORDS[i + 1]}")
			((i++))
			;;
		--socket=*) sock=(-s "${COMP_WORDS[i]#--socket=}") ;;
		-*) ;;
		*)
			start=$i
			break
			;;
		esac
	done
	if ((start == 0)); then
		case ${COMP_WORDS[COMP_CWORD - 1]} in
		-s | --socket)
			mapfile -t COMPREPLY < <(compgen -f -- "$cur")
			return 0
			;;
		esac
		if [[ $cur == -* ]]; then
			mapfile -t COMPREPLY < <(compgen -W "-s --socket -j --json -V --version -h --help" -- "$cur" | sort)
			return 0
		fi
		start=$COMP_CWORD
	fi
	words=("${COMP_WORDS[@]:start:COMP_CWORD-start}")

	# the next word of every command that begins with the words typed
	for cmd in "${_sluicectl_commands[@]}"; do
		read -ra w <<<"$cmd"
		((${#w[@]} > ${#words[@]})) || continue
		[[ "${w[*]:0:${#words[@]}}" == "${words[*]}" ]] && cand+=("${w[${#words[@]}]}")
	done
	if ((${#cand[@]} == 0)); then
		# the arguments of a whole command
		case "${words[*]}" in
		"show backends" | "set weight" | "drain" | "enable" | "add backend" | "del backend")
			mapfile -t cand < <(_sluicectl_services "${sock[@]}")
			;;
		"show flows")
			mapfile -t cand < <(_sluicectl_services "${sock[@]}")
			cand+=(limit)
			;;
		"trace")
			mapfile -t cand < <(_sluicectl_services "${sock[@]}")
			;;
		"trace "*)
			cand=(count timeout)
			;;
		"capture start")
			mapfile -t COMPREPLY < <(compgen -f -- "$cur")
			return 0
			;;
		"capture start "*)
			if ((${#words[@]} == 3)); then
				mapfile -t cand < <(_sluicectl_services "${sock[@]}")
				cand+=(port count)
			fi
			;;
		esac
	fi
	((${#cand[@]})) && mapfile -t COMPREPLY < <(compgen -W "${cand[*]}" -- "$cur" | sort -u)
	return 0
}

complete -F _sluicectl sluicectl
