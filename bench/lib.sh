# Shared helpers of the benchmark scripts; sourced, not run.
# shellcheck shell=bash

REPO=$(cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd)
OUT="$REPO/bench/out"
RUNS=${BENCH_RUNS:-5}
mkdir -p "$OUT"

# WORK is this run's scratch space (module copies, build caches); removed on exit.
WORK=$(mktemp -d "${TMPDIR:-/tmp}/kiln-bench.XXXXXX")
cleanup() { chmod -R u+w "$WORK" 2>/dev/null || true; rm -rf "$WORK"; }
trap cleanup EXIT
trap 'exit 130' INT TERM

# KILN is the kiln module the benchmarks use: the committed tree (HEAD),
# exported, so that edits in progress in the checkout do not break a run;
# BENCH_KILN=worktree uses the checkout as it is.
if [ "${BENCH_KILN:-head}" = worktree ]; then
	KILN="$REPO"
	KILN_REV="$(git -C "$REPO" rev-parse --short HEAD)+worktree"
else
	KILN="$WORK/kiln"
	KILN_REV="$(git -C "$REPO" rev-parse --short HEAD)"
	mkdir -p "$KILN"
	git -C "$REPO" archive HEAD | tar -x -C "$KILN"
fi

# Fixed commit date of the module copies, so versions and stamps do not drift.
export GIT_AUTHOR_DATE="2025-01-02T03:04:05Z" GIT_COMMITTER_DATE="2025-01-02T03:04:05Z"

# The default matrix of kiln (matrix.Default), os/arch[/variant].
PLATFORMS=(linux/amd64 linux/arm64 linux/arm/7 darwin/amd64 darwin/arm64 windows/amd64 windows/arm64)

say() { printf '%s\n' "$*" >&2; }

# now prints the wall clock in seconds with nanoseconds.
now() { date +%s.%N; }

# cpu_of FILE prints the user+system CPU seconds in the children line of
# the output of the times builtin (which must run in the timing shell
# itself, not in a command substitution).
cpu_of() {
	tail -n 1 "$1" | awk '{ t = 0; for (i = 1; i <= 2; i++) { split($i, a, /[ms]/); t += a[1] * 60 + a[2] } printf "%.3f\n", t }'
}

# timeit LOG CMD... runs CMD with its output appended to LOG and prints
# "WALL CPU": its wall time and the CPU time (user+system) of every process
# it ran, in seconds. CPU time suffers less than wall time from other load on
# a shared machine. A failing CMD stops the script with LOG's tail.
timeit() {
	local log=$1 s e c0 c1
	shift
	printf '\n$ %s\n' "$*" >>"$log"
	times >"$WORK/times.0"
	s=$(now)
	if ! "$@" >>"$log" 2>&1; then
		say "bench: failed: $* (log: $log)"
		tail -n 30 "$log" >&2
		return 1
	fi
	e=$(now)
	times >"$WORK/times.1"
	c0=$(cpu_of "$WORK/times.0")
	c1=$(cpu_of "$WORK/times.1")
	awk -v s="$s" -v e="$e" -v c0="$c0" -v c1="$c1" 'BEGIN { printf "%.3f %.3f\n", e - s, c1 - c0 }'
}

# median N... prints the median of its arguments.
median() {
	printf '%s\n' "$@" | sort -g | awk '{ a[NR] = $1 } END {
		if (NR % 2) printf "%.3f\n", a[(NR + 1) / 2]; else printf "%.3f\n", (a[NR / 2] + a[NR / 2 + 1]) / 2 }'
}

# med PAIRS... prints the median wall time and the median CPU time of "WALL CPU" pairs.
med() {
	local p w=() c=()
	for p in "$@"; do w+=("${p% *}") c+=("${p#* }"); done
	echo "$(median "${w[@]}") $(median "${c[@]}")"
}

# plus A B adds two "WALL CPU" pairs.
plus() { awk -v a="$1" -v b="$2" 'BEGIN { split(a, x, " "); split(b, y, " "); printf "%.3f %.3f\n", x[1] + y[1], x[2] + y[2] }'; }

# ratio A B prints A/B with two decimals ("n/a" when B is empty or 0).
ratio() { awk -v a="$1" -v b="$2" 'BEGIN { if (b + 0 == 0 || a == "") print "–"; else printf "%.2f\n", a / b }'; }

# secs X formats a time in seconds for the tables.
secs() {
	if [ -z "$1" ] || [ "$1" = "-" ]; then echo "-"; else awk -v x="$1" 'BEGIN { printf(x < 10 ? "%.2f s" : "%.1f s", x) }'; fi
}

# git_snapshot DIR makes DIR a git repository with one commit tagged v1.0.0
# (kiln and GoReleaser both take the version from git describe).
git_snapshot() {
	(
		cd "$1"
		printf 'dist/\ngrdist/\nloop-out/\n' >>.gitignore
		git init -q -b main .
		git add -A
		git -c user.name=bench -c user.email=bench@example.invalid commit -q -m "benchmark snapshot"
		git tag v1.0.0
	)
}

# copy_sample_app DEST copies the sample app (without its dist/) to DEST and
# points its kiln replace at this checkout.
copy_sample_app() {
	local dest=$1
	mkdir -p "$dest"
	(cd "$KILN/sample-app" && tar --exclude=./dist -cf - .) | (cd "$dest" && tar -xf -)
	(cd "$dest" && go mod edit -replace "github.com/kiln-build/kiln=$KILN")
	git_snapshot "$dest"
}

# tool_versions prints the versions of the tools measured.
tool_versions() {
	echo "$(go version), $(nproc) CPUs (load average $(cut -d' ' -f1-3 /proc/loadavg)), kiln $KILN_REV"
}
