#!/bin/sh
# gobuild-stub.sh stands in for the go command in GoReleaser's build stage
# (builds[].tool), so that GoReleaser packages binaries that were built
# before, without GoReleaser Pro's `builder: prebuilt`. GoReleaser runs
#   TOOL build [flags] -o OUT MAIN
# with GOOS, GOARCH and GOARM in the environment; this copies kiln's
# $KILN_BENCH_BINS/<project>_<os>_<arch>[_<goarm>]/<name>[.exe] to OUT, where
# <project> is $KILN_BENCH_PROJECT and <name> is OUT's base name. Like a real go build it writes a
# new file (a fresh modification time). Anything but "build" goes to go.
set -eu
[ "${1:-}" = build ] || exec go "$@"
out=""
while [ $# -gt 0 ]; do
	case $1 in
	-o) out=$2; shift 2 ;;
	-o=*) out=${1#-o=}; shift ;;
	*) shift ;;
	esac
done
[ -n "$out" ] || { echo "gobuild-stub: no -o in the build line" >&2; exit 2; }
slug=${GOOS}_${GOARCH}
[ "$GOARCH" = arm ] && slug=${slug}_${GOARM:-7}
src=${KILN_BENCH_BINS:?}/${KILN_BENCH_PROJECT:?}_${slug}/$(basename "$out")
[ -f "$src" ] || { echo "gobuild-stub: no prebuilt binary $src" >&2; exit 1; }
mkdir -p "$(dirname "$out")"
cp "$src" "$out"
