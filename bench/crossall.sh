#!/usr/bin/env bash
# crossall.sh — `go tool mage crossall` against a plain `go build` loop over
# the same 7 platforms (kiln's default matrix), for the sample app and for a
# real third-party module (github.com/junegunn/fzf from the module proxy).
#
#   bench/crossall.sh
#
# Environment:
#   BENCH_COLD=0       skip the cold builds (empty GOCACHE; minutes each) and
#                      keep the build caches in bench/out/cache for the next run
#   BENCH_RUNS=N       repetitions of the warm and no-op measurements (default 5; median reported)
#   BENCH_MODULES=...  which modules, default "sample-app fzf"
#   FZF_VERSION=vX     fzf version (default v0.65.2)
#   BENCH_KILN=worktree  use the checkout's kiln as it is (default: the committed HEAD)
#
# Everything is built in copies under a temp dir with their own GOCACHE and
# MAGEFILE_CACHE; logs and the result table go to bench/out/.
set -euo pipefail
# shellcheck source=bench/lib.sh
source "$(dirname "${BASH_SOURCE[0]}")/lib.sh"

COLD=${BENCH_COLD:-1}
MODULES=${BENCH_MODULES:-"sample-app fzf"}
FZF_VERSION=${FZF_VERSION:-v0.65.2}
RUNDIR="$OUT/crossall-$(date -u +%Y%m%dT%H%M%SZ)"
mkdir -p "$RUNDIR"
RESULT="$RUNDIR/result.md"

# setup_fzf DEST copies fzf from the module cache to DEST and adds a
# magefile importing kiln's targets, the kiln requirement and mage as a tool.
setup_fzf() {
	local dest=$1 dir
	dir=$(go mod download -json "github.com/junegunn/fzf@$FZF_VERSION" | sed -n 's/^[[:space:]]*"Dir": "\(.*\)",$/\1/p')
	[ -d "$dir" ] || { say "bench: fzf $FZF_VERSION not in the module cache"; return 1; }
	cp -r "$dir" "$dest"
	chmod -R u+w "$dest"
	cat >"$dest/magefile.go" <<-'EOF'
	//go:build mage

	package main

	import (
		//mage:import
		_ "github.com/kiln-build/kiln/targets"
	)
	EOF
	(
		cd "$dest"
		export GOFLAGS=-mod=mod
		go mod edit -require=github.com/kiln-build/kiln@v0.0.0 -replace="github.com/kiln-build/kiln=$KILN"
		go get -tool github.com/magefile/mage@v1.17.2
		go mod tidy # the copy's go.sum: entries for kiln's own dependencies
	)
	git_snapshot "$dest"
}

# loop_build SRC OUTDIR PROJECT SPEC... builds the default matrix with a
# plain loop of go build, for each binary SPEC "name:main:cgo", into
# OUTDIR/PROJECT_<platform>/<name> (kiln's layout). cgo=1 builds linux the way
# kiln builds a cgo program: static, with musl-gcc or Debian's cross
# compilers, netgo and osusergo.
loop_build() {
	local src=$1 out=$2 project=$3 p os arch v slug exe cc spec name main cgo
	shift 3
	for p in "${PLATFORMS[@]}"; do
		IFS=/ read -r os arch v <<<"$p"
		slug=${os}_${arch}${v:+_$v}
		exe=""
		[ "$os" = windows ] && exe=.exe
		for spec in "$@"; do
			IFS=: read -r name main cgo <<<"$spec"
			local env=(GOOS="$os" GOARCH="$arch" GOARM="$v")
			local flags=(-trimpath -ldflags "-s -w")
			if [ "$cgo" = 1 ] && [ "$os" = linux ]; then
				case $arch in
				amd64) cc=musl-gcc ;;
				arm64) cc=aarch64-linux-gnu-gcc ;;
				arm) cc=arm-linux-gnueabihf-gcc ;;
				esac
				env+=(CGO_ENABLED=1 CC="$cc")
				flags=(-trimpath -ldflags "-s -w -linkmode external -extldflags -static" -tags netgo,osusergo)
			else
				env+=(CGO_ENABLED=0)
			fi
			(cd "$src" && env "${env[@]}" go build "${flags[@]}" -o "$out/${project}_$slug/$name$exe" "$main")
		done
	done
}

# kiln_run GOCACHE MAGEFILE_CACHE DIR ARGS... runs go tool mage ARGS in DIR.
kiln_run() { (export GOCACHE=$1 MAGEFILE_CACHE=$2 && cd "$3" && shift 3 && go tool mage "$@"); }

# loop_run GOCACHE ARGS... runs loop_build ARGS with that build cache.
loop_run() { (export GOCACHE=$1 && shift && loop_build "$@"); }

# kiln_summary LOG prints the last summary line kiln wrote into LOG.
kiln_summary() { grep 'build(s):.* in [0-9.]*s$' "$1" | tail -n 1; }

# kiln_reported LOG prints the time of kiln's last summary line ("... in 0.2s").
kiln_reported() { kiln_summary "$1" | sed -n 's/.* in \([0-9.]*\)s$/\1/p'; }

ROWS=()
# row LABEL MEASUREMENT KILN LOOP: KILN and LOOP are "WALL CPU" pairs ("-" for none).
row() {
	local k=$3 l=$4 kw kc lw lc
	kw=${k% *} kc=${k#* } lw=${l% *} lc=${l#* }
	[ "$l" = - ] && l="- -"
	ROWS+=("$(printf '| %s | %s | %s | %s | %s | %s | %s | %s |' "$1" "$2" \
		"$(secs "$kw")" "$(secs "$lw")" "$(ratio "$kw" "$lw")" "$(secs "$kc")" "$(secs "$lc")" "$(ratio "$kc" "$lc")")")
}

bench_module() {
	local mod=$1 src project bins log setup
	log="$RUNDIR/$mod.log"
	src="$WORK/$mod"
	case $mod in
	# The binaries each side builds, name:main:cgo: the sample app ships the
	# service (cgo on linux) and its pure-Go client, as its magefile says.
	sample-app) project=sample-app bins=(sample-app:.:1 samplectl:./cmd/samplectl:0) setup=copy_sample_app ;;
	fzf) project=fzf bins=(fzf:.:0) setup=setup_fzf ;;
	*) say "bench: unknown module $mod"; return 1 ;;
	esac
	say "== $mod: setting up a copy in $src (log: $log)"
	$setup "$src" >>"$log" 2>&1
	# Cold runs start from empty caches in WORK; otherwise the caches in
	# bench/out/cache persist, so reruns with BENCH_COLD=0 start warm.
	local cache="$OUT/cache"
	[ "$COLD" != 0 ] && cache="$WORK"
	local kc="$cache/$mod-gocache-kiln" lc="$cache/$mod-gocache-loop" mc="$cache/$mod-magecache"
	local loopout="$src/loop-out"
	local label="$mod"
	[ "$mod" = fzf ] && label="fzf $FZF_VERSION"

	if [ "$COLD" != 0 ]; then
		say "== $mod: cold builds (empty GOCACHE; this takes minutes)"
		local boot cold lcold
		boot=$(timeit "$log" kiln_run "$kc" "$mc" "$src" -l)
		cold=$(timeit "$log" kiln_run "$kc" "$mc" "$src" crossall)
		lcold=$(timeit "$log" loop_run "$lc" "$src" "$loopout" "$project" "${bins[@]}")
		say "   kiln: mage bootstrap $boot + crossall $cold; loop $lcold (wall, CPU s)"
		row "$label" "cold (empty GOCACHE), 1 run: total" "$(plus "$boot" "$cold")" "$lcold"
		row "$label" "&nbsp;&nbsp;of which mage bootstrap (\`go tool mage -l\`: builds mage and the magefile)" "$boot" "-"
		row "$label" "&nbsp;&nbsp;of which builds (\`go tool mage crossall\` after the bootstrap)" "$cold" "$lcold"
	else
		say "== $mod: warming the caches (BENCH_COLD=0)"
		timeit "$log" kiln_run "$kc" "$mc" "$src" crossall >/dev/null
		timeit "$log" loop_run "$lc" "$src" "$loopout" "$project" "${bins[@]}" >/dev/null
	fi

	say "== $mod: warm, outputs deleted ($RUNS runs each, interleaved)"
	local kw=() lw=() i r
	for ((i = 0; i < RUNS; i++)); do
		rm -rf "$src/dist" "$loopout"
		r=$(timeit "$log" kiln_run "$kc" "$mc" "$src" crossall); kw+=("$r")
		r=$(timeit "$log" loop_run "$lc" "$src" "$loopout" "$project" "${bins[@]}"); lw+=("$r")
	done
	local kwm lwm
	kwm=$(med "${kw[@]}")
	lwm=$(med "${lw[@]}")
	say "   kiln: ${kw[*]} (median $kwm); loop: ${lw[*]} (median $lwm)"
	row "$label" "warm, outputs deleted (median of $RUNS)" "$kwm" "$lwm"

	say "== $mod: no-op, outputs present ($RUNS runs each, interleaved)"
	local kn=() kr=() ln=() ml=()
	for ((i = 0; i < RUNS; i++)); do
		r=$(timeit "$log" kiln_run "$kc" "$mc" "$src" crossall); kn+=("$r")
		kr+=("$(kiln_reported "$log")")
		kiln_summary "$log" | grep -q " 0 built, $((7 * ${#bins[@]})) up to date" || { say "bench: kiln rebuilt in a no-op run: $(kiln_summary "$log")"; return 1; }
		r=$(timeit "$log" loop_run "$lc" "$src" "$loopout" "$project" "${bins[@]}"); ln+=("$r")
		r=$(timeit "$log" kiln_run "$kc" "$mc" "$src" -l); ml+=("$r")
	done
	local knm krm lnm mlm
	knm=$(med "${kn[@]}")
	krm=$(median "${kr[@]}")
	lnm=$(med "${ln[@]}")
	mlm=$(med "${ml[@]}")
	say "   kiln: ${kn[*]} (median $knm), reported ${kr[*]}; loop: ${ln[*]} (median $lnm); mage -l: ${ml[*]} (median $mlm)"
	row "$label" "no-op, the whole command (median of $RUNS)" "$knm" "$lnm"
	ROWS+=("| $label | no-op, kiln's own time (its summary line; median) | $(secs "$krm") | – | | | | |")
	row "$label" "mage start-up alone, \`go tool mage -l\` (median of $RUNS)" "$mlm" "-"
	local wr cr
	wr=$(ratio "${kwm% *}" "${lwm% *}") cr=$(ratio "${kwm#* }" "${lwm#* }")
	GOALS+=("$label: warm full build $wr× the loop's wall time, $cr× its CPU time (goal ≤ 1.05: $(awk -v r="$wr" -v c="$cr" 'BEGIN { print (r <= 1.05 ? "met" : (c <= 1.05 ? "met in CPU time, not in wall time" : "NOT met")) }')); no-op $(secs "${knm% *}") for the whole command, $(secs "$krm") inside kiln (goal < 0.3 s: $(awk -v k="${knm% *}" -v r="$krm" 'BEGIN { print (k < 0.3 ? "met" : (r < 0.3 ? "met inside kiln; mage start-up is the rest" : "NOT met")) }'))")
}

GOALS=()
say "kiln crossall benchmark: $(tool_versions); logs in $RUNDIR"
for m in $MODULES; do
	bench_module "$m"
done

{
	echo "### \`mage crossall\` vs a plain \`go build\` loop (7 platforms)"
	echo
	echo "$(tool_versions). Each side has its own GOCACHE. The loop runs \`go build -trimpath -ldflags \"-s -w\"\` once per binary and platform (the sample app: both its binaries), one after another; for the sample app it builds linux the way kiln does (static cgo: musl-gcc / Debian cross gcc, \`-linkmode external -extldflags -static\`, \`-tags netgo,osusergo\`). Cold: one run each; kiln's is \`go tool mage -l\` then \`go tool mage crossall\` in a fresh GOCACHE and MAGEFILE_CACHE. Warm and no-op: median of $RUNS runs, kiln and loop interleaved. No-op: outputs present, nothing changed (kiln's up-to-date check against go build's build-ID check). CPU = user+system time of all processes; on a loaded machine it is the steadier figure. Produced by \`bench/crossall.sh\`."
	echo
	echo "| module | measurement | kiln wall | loop wall | kiln / loop | kiln CPU | loop CPU | kiln / loop |"
	echo "| --- | --- | ---: | ---: | ---: | ---: | ---: | ---: |"
	printf '%s\n' "${ROWS[@]}"
	echo
	for g in "${GOALS[@]}"; do echo "- $g"; done
	echo
	echo "Load average at the end: $(cut -d' ' -f1-3 /proc/loadavg)."
} >"$RESULT"
cp "$RESULT" "$OUT/crossall.md"
echo
cat "$RESULT"
say "(table saved as $RESULT and bench/out/crossall.md)"
