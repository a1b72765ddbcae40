#!/usr/bin/env bash
# package.sh — `go tool mage package` on the sample app's default matrix
# against GoReleaser's archive, checksum and nfpm (deb, rpm, apk) stages on
# the same binaries, and whether each tool's outputs are byte-identical
# across runs.
#
#   bench/package.sh
#
# Environment:
#   BENCH_KILN=worktree  use the checkout's kiln as it is (default: HEAD)
#   BENCH_RUNS=N   runs of each tool (default 5; median reported; 2 s apart)
#
# GoReleaser (OSS) cannot import prebuilt binaries (`builder: prebuilt` is
# GoReleaser Pro), so its build stage runs bench/gobuild-stub.sh as the go
# tool (builds[].tool): the stub copies the binary kiln built for the target
# to GoReleaser's -o path, with a fresh mtime like a real go build. GoReleaser
# v2.15.1 is installed from the module proxy into bench/out/gobin once.
set -euo pipefail
# shellcheck source=bench/lib.sh
source "$(dirname "${BASH_SOURCE[0]}")/lib.sh"

GORELEASER_VERSION=${GORELEASER_VERSION:-v2.15.1}
GOBIN_DIR="$OUT/gobin"
GORELEASER="$GOBIN_DIR/goreleaser"
RUNDIR="$OUT/package-$(date -u +%Y%m%dT%H%M%SZ)"
mkdir -p "$RUNDIR"
RESULT="$RUNDIR/result.md"
LOG="$RUNDIR/package.log"
SRC="$WORK/sample-app"
# Builds are not measured here: a persistent, bench-local cache makes reruns quick.
export GOCACHE="$OUT/cache/package-gocache" MAGEFILE_CACHE="$OUT/cache/package-magecache"

if ! "$GORELEASER" --version 2>/dev/null | grep -q "${GORELEASER_VERSION#v}"; then
	say "== installing GoReleaser $GORELEASER_VERSION into $GOBIN_DIR (once)"
	# Its own build cache: a bench-local, persistent one, so a rerun skips this.
	(cd "$WORK" && GOBIN="$GOBIN_DIR" GOFLAGS=-mod=mod GOCACHE="$OUT/cache/goreleaser-gocache" \
		go install "github.com/goreleaser/goreleaser/v2@$GORELEASER_VERSION") >>"$LOG" 2>&1
fi

say "== setting up a copy of the sample app in $SRC"
copy_sample_app "$SRC" >>"$LOG" 2>&1
OSPKG=no
if [ -d "$KILN/targets/ospkg" ]; then OSPKG=yes; fi
# The same stages on both sides: no OCI image; deb/rpm/apk on when kiln has them.
{
	echo '//go:build mage'
	echo
	echo 'package main'
	echo
	if [ $OSPKG = yes ]; then
		echo 'import ('
		echo '	"github.com/kiln-build/kiln/targets"'
		echo '	"github.com/kiln-build/kiln/targets/ospkg"'
		echo ')'
	else
		echo 'import "github.com/kiln-build/kiln/targets"'
	fi
	echo
	echo 'func init() {'
	echo '	targets.Config.Package.NoImage = true'
	[ $OSPKG = yes ] && echo '	targets.Config.Package.OSPackages = ospkg.New()'
	echo '}'
} >"$SRC/magefile_bench.go"
(cd "$SRC" && GOFLAGS=-mod=mod go mod tidy && git add -A && git -c user.name=bench -c user.email=bench@example.invalid commit -q --amend -m "benchmark snapshot" && git tag -f v1.0.0) >>"$LOG" 2>&1
if ! (cd "$SRC" && go tool mage -l) 2>>"$LOG" | grep -qi '^  package'; then
	say "bench: the sample app has no package target yet (go tool mage -l):"
	(cd "$SRC" && go tool mage -l) >&2 || true
	exit 1
fi

# package ships verified binaries only: the state both sides start from is
# the one after crossall and verify.
say "== building and verifying the binaries once: go tool mage crossall verify"
(cd "$SRC" && go tool mage crossall verify) >>"$LOG" 2>&1
BINS="$WORK/bins"
cp -a "$SRC/dist" "$BINS"

# GoReleaser's configuration, in two variants: its defaults, and with the
# timestamps its documentation recommends for reproducible builds.
cat >"$WORK/sample-app.service" <<'EOF'
[Unit]
Description=kiln sample HTTP service

[Service]
ExecStart=/usr/bin/sample-app -addr 127.0.0.1:8080
DynamicUser=yes

[Install]
WantedBy=multi-user.target
EOF
goreleaser_config() { # VARIANT (default|reproducible)
	local r=$1
	cat <<EOF
version: 2
project_name: sample-app
dist: grdist
snapshot:
  version_template: "{{ .Version }}"
changelog:
  disable: true
release:
  disable: true
builds:
$(for b in sample-app:. samplectl:./cmd/samplectl; do
		printf '  - id: %s\n    binary: %s\n    main: %s\n' "${b%%:*}" "${b%%:*}" "${b#*:}"
		printf '    tool: %s\n    env: [CGO_ENABLED=0]\n' "$REPO/bench/gobuild-stub.sh"
		printf '    targets: [linux_amd64, linux_arm64, linux_arm_7, darwin_amd64, darwin_arm64, windows_amd64, windows_arm64]\n'
		[ "$r" = reproducible ] && printf "    mod_timestamp: '{{ .CommitTimestamp }}'\n"
	done)
archives:
  - formats: [tar.gz]
    format_overrides:
      - goos: windows
        formats: [zip]
$([ "$r" = reproducible ] && printf '    builds_info:\n      mtime: "{{ .CommitDate }}"\n')
checksum:
  name_template: checksums.txt
nfpms:
  - package_name: sample-app
    formats: [deb, rpm, apk]
    maintainer: "kiln bench <bench@example.invalid>"
    description: kiln sample HTTP service
    license: MIT
    bindir: /usr/bin
$([ "$r" = reproducible ] && echo '    mtime: "{{ .CommitDate }}"')
    contents:
      - src: $WORK/sample-app.service
        dst: /usr/lib/systemd/system/sample-app.service
$([ "$r" = reproducible ] && printf '        file_info:\n          mtime: "{{ .CommitDate }}"\n')
EOF
}
goreleaser_config default >"$WORK/goreleaser-default.yaml"
goreleaser_config reproducible >"$WORK/goreleaser-reproducible.yaml"
SKIP=publish,announce,sign,validate,sbom,docker,ko,before,winget,chocolatey,snapcraft,scoop,homebrew,nix,aur,aur-source,makeself,flatpak,srpm,notarize,mcp

# The outputs each tool made, as "sha256  name" lines sorted by name.
kiln_outputs() {
	jq -r '.artifacts[] | select(.kind == "archive" or .kind == "checksums" or .kind == "deb" or .kind == "rpm" or .kind == "apk") | .path' "$SRC/dist/artifacts.json" |
		sort | (cd "$SRC/dist" && xargs -r sha256sum)
}
goreleaser_outputs() {
	(cd "$SRC/grdist" && find . -maxdepth 1 -type f \( -name '*.tar.gz' -o -name '*.zip' -o -name '*.deb' -o -name '*.rpm' -o -name '*.apk' -o -name 'checksums.txt' \) -printf '%P\n' |
		sort | xargs -r sha256sum)
}

kiln_package() {
	rm -rf "$SRC/dist"
	cp -a "$BINS" "$SRC/dist" # the state after crossall and verify, mtimes kept
	(cd "$SRC" && go tool mage package)
}
goreleaser_package() { # VARIANT
	(cd "$SRC" && KILN_BENCH_BINS="$BINS" KILN_BENCH_PROJECT=sample-app "$GORELEASER" release --snapshot --clean --skip="$SKIP" -f "$WORK/goreleaser-$1.yaml")
}

# measure NAME CMD... runs CMD RUNS times, 2 s apart, keeping each run's
# output hashes in $RUNDIR/NAME-<i>.sha256; sets T (median) and REPRO.
measure() {
	local name=$1 i ts=() outputs r
	shift
	outputs=${name%%-*}_outputs
	for ((i = 1; i <= RUNS; i++)); do
		[ "$i" -gt 1 ] && sleep 2
		r=$(timeit "$LOG" "$@")
		ts+=("$r")
		$outputs >"$RUNDIR/$name-$i.sha256"
	done
	T=$(med "${ts[@]}")
	local n differ=0 f
	n=$(wc -l <"$RUNDIR/$name-1.sha256")
	for ((i = 2; i <= RUNS; i++)); do
		f=$(diff "$RUNDIR/$name-1.sha256" "$RUNDIR/$name-$i.sha256" | grep -c '^<' || true)
		[ "$f" -gt "$differ" ] && differ=$f
	done
	if [ "$differ" = 0 ]; then
		REPRO="yes: all $n files byte-identical in $RUNS runs"
	else
		REPRO="no: $differ of $n files differ between runs ($(diff "$RUNDIR/$name-1.sha256" "$RUNDIR/$name-2.sha256" | sed -n 's/^< [0-9a-f]*  //p' | sed 's/.*\.//' | sort | uniq -c | awk '{ printf "%s%s %s", sep, $1, $2; sep = ", " }' || true))"
	fi
	say "   $name: ${ts[*]} (wall CPU; median $T); reproducible: $REPRO"
}

say "kiln package benchmark: $(tool_versions); logs in $RUNDIR"
say "== kiln: go tool mage package ($RUNS runs)"
measure kiln kiln_package
KT=$T KR=$REPRO
KN=$(wc -l <"$RUNDIR/kiln-1.sha256")
say "== GoReleaser defaults ($RUNS runs)"
measure goreleaser-default goreleaser_package default
GT=$T GR=$REPRO
GN=$(wc -l <"$RUNDIR/goreleaser-default-1.sha256")
say "== GoReleaser with commit timestamps ($RUNS runs)"
measure goreleaser-reproducible goreleaser_package reproducible
GRT=$T GRR=$REPRO
GRN=$(wc -l <"$RUNDIR/goreleaser-reproducible-1.sha256")
ml=()
for ((i = 0; i < RUNS; i++)); do
	r=$(timeit "$LOG" bash -c "cd '$SRC' && go tool mage -l")
	ml+=("$r")
done
ML=$(med "${ml[@]}")

stages="archives (tar.gz, zip for windows), checksums"
[ $OSPKG = yes ] && stages="$stages, deb, rpm and apk"
{
	echo "### \`mage package\` vs GoReleaser $GORELEASER_VERSION (sample app, 7 platforms)"
	echo
	echo "$(tool_versions). Both package the same prebuilt binaries (the service and samplectl) of the default matrix: $stages; no OCI image. kiln: \`go tool mage package\` after \`crossall\` (its time includes mage start-up and the up-to-date check of the binaries). GoReleaser: \`goreleaser release --snapshot --clean --skip=…\` with \`builds[].tool\` set to a stub that copies kiln's binaries (\`builder: prebuilt\` is GoReleaser Pro only), so its build stage costs a copy. Median of $RUNS runs each, 2 s apart; reproducible = every output's sha256 equal in all runs. Produced by \`bench/package.sh\`."
	echo
	echo "| tool | outputs | wall (median of $RUNS) | / kiln | CPU (median) | / kiln | byte-identical across runs |"
	echo "| --- | ---: | ---: | ---: | ---: | ---: | --- |"
	line() { echo "| $1 | $2 | $(secs "${3% *}") | $(ratio "${3% *}" "${KT% *}") | $(secs "${3#* }") | $(ratio "${3#* }" "${KT#* }") | $4 |"; }
	line "kiln \`go tool mage package\`" "$KN" "$KT" "$KR"
	line "GoReleaser, default config" "$GN" "$GT" "$GR"
	line "GoReleaser, \`mod_timestamp\` and \`mtime\` set to the commit time" "$GRN" "$GRT" "$GRR"
	echo
	echo "mage start-up alone (\`go tool mage -l\`, median of $RUNS): $(secs "${ML% *}") wall, $(secs "${ML#* }") CPU. Load average at the end: $(cut -d' ' -f1-3 /proc/loadavg)."
} >"$RESULT"
cp "$RESULT" "$OUT/package.md"
echo
cat "$RESULT"
say "(table saved as $RESULT and bench/out/package.md)"
