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

# Fixed commit date of the module copies, so versions and stamps do not drift.
export GIT_AUTHOR_DATE="2025-01-02T03:04:05Z" GIT_COMMITTER_DATE="2025-01-02T03:04:05Z"

# The default matrix of kiln (matrix.Default), os/arch[/variant].
PLATFORMS=(linux/amd64 linux/arm64 linux/arm/7 darwin/amd64 darwin/arm64 windows/amd64 windows/arm64)

say() { printf '%s\n' "$*" >&2; }

# now prints the wall clock in seconds with nanoseconds.
now() { date +%s.%N; }

# timeit LOG CMD... runs CMD with its output appended to LOG and prints its
# wall time in seconds. A failing CMD stops the script with LOG's tail.
timeit() {
	local log=$1 s e
	shift
	printf '\n$ %s\n' "$*" >>"$log"
	s=$(now)
	if ! "$@" >>"$log" 2>&1; then
		say "bench: failed: $* (log: $log)"
		tail -n 30 "$log" >&2
		return 1
	fi
	e=$(now)
	awk -v s="$s" -v e="$e" 'BEGIN { printf "%.3f\n", e - s }'
}

# median N... prints the median of its arguments.
median() {
	printf '%s\n' "$@" | sort -g | awk '{ a[NR] = $1 } END {
		if (NR % 2) printf "%.3f\n", a[(NR + 1) / 2]; else printf "%.3f\n", (a[NR / 2] + a[NR / 2 + 1]) / 2 }'
}

# ratio A B prints A/B with two decimals ("n/a" when B is empty or 0).
ratio() { awk -v a="$1" -v b="$2" 'BEGIN { if (b + 0 == 0 || a == "") print "n/a"; else printf "%.2f\n", a / b }'; }

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
	(cd "$REPO/sample-app" && tar --exclude=./dist -cf - .) | (cd "$dest" && tar -xf -)
	(cd "$dest" && go mod edit -replace "github.com/kiln-build/kiln=$REPO")
	git_snapshot "$dest"
}

# tool_versions prints the versions of the tools measured.
tool_versions() {
	echo "$(go version), $(nproc) CPUs (load average $(cut -d' ' -f1-3 /proc/loadavg)), kiln at $(git -C "$REPO" rev-parse --short HEAD)$(git -C "$REPO" diff --quiet HEAD -- . ':!bench' 2>/dev/null || echo '+changes')"
}
