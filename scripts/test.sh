#!/usr/bin/env bash
# kiln's whole test suite, on a fresh Debian machine with only Go installed:
# installs the system tools the tests use (real validators, toolchains and
# emulators), actionlint and cosign, then runs gofmt, vet, short fuzzing runs
# and the tests, those of the concurrent code under the race detector.
#
# Every phase runs even when an earlier one failed; each prints its result
# with its time, and the script fails at the end listing every failed phase.
#
# Environment: KILN_FUZZ_TIMEOUT is the -timeout of each fuzz phase (10m).
set -uo pipefail # no -e: a failed phase must not stop the others
cd "$(dirname "$0")/.."
trap 'echo "== interrupted" >&2; exit 130' INT TERM

packages=(
	git ca-certificates tar coreutils unzip zip file binutils
	gcc libc6-dev musl-tools
	gcc-aarch64-linux-gnu libc6-dev-arm64-cross gcc-arm-linux-gnueabihf libc6-dev-armhf-cross
	qemu-user-static bubblewrap llvm-14
	dpkg lintian rpm systemd skopeo umoci
	gcc-mingw-w64-x86-64 gcc-mingw-w64-i686 wine64
)
actionlint_version=v1.7.12
cosign_version=v2.6.5

# Fuzz targets, one a line: package, target, iterations. Budgets are
# iteration counts (-fuzztime=Nx), not durations: with a duration, Go 1.26's
# fuzz coordinator can fail a clean run with "context deadline exceeded" when
# the machine is loaded (golang/go#75804, fixed in Go 1.27); a count has no
# deadline, a slow machine only takes longer. Each run also gets a -timeout,
# and is retried once on exactly that error when no failing input was written.
fuzz_targets=(
	"./verify             FuzzRead         20000x"
	"./verify             FuzzCodeSignature 20000x"
	"./verify             FuzzVersionInfo  50000x"
	"./verify             FuzzResources    50000x"
	"./pack/universal     FuzzJoin         20000x"
	"./pack/winres        FuzzPatch        20000x"
	"./verify             FuzzVersionIn   100000x"
	"./matrix             FuzzParse       100000x"
	"./matrix             FuzzSelect      100000x"
	"./internal/ghactions FuzzAnnotations  50000x"
	"./project            FuzzParseConfig  50000x"
	"./project            FuzzRender      100000x"
	"./internal/safefile  FuzzCheckRel     50000x"
	"./internal/setting   FuzzReader       20000x"
	"./internal/gitinfo   FuzzParseCommit  50000x"
	"./internal/gitinfo   FuzzParseSourceDateEpoch 50000x"
	"./evidence/sbom      FuzzCheck        20000x"
	"./evidence/sigcheck  FuzzVerify       20000x"
	"./evidence/signing   FuzzParsePrivateKey 5000x"
	"./evidence/audit     FuzzUnpack        5000x"
	"./evidence/provenance FuzzRead       50000x"
	"./cmd/kiln           FuzzRebuildSettings 20000x"
	"./pack/checksum      FuzzParse       100000x"
	"./evidence/sbom      FuzzSPDX         20000x"
	"./evidence/bindiff   FuzzExplain       2000x"
)
fuzz_timeout=${KILN_FUZZ_TIMEOUT:-10m}

# Tools go install puts here must be found by the tests.
gobin=$(go env GOBIN 2>/dev/null)
if [ -z "$gobin" ]; then
	gopath=$(go env GOPATH 2>/dev/null)
	gobin=${gopath%%:*}/bin
fi
export PATH="$gobin:$PATH"

failed=()
results=()

now() {
	local t=${EPOCHREALTIME:-$(date +%s)}
	printf '%s' "${t/,/.}"
}
since() { awk -v a="$1" -v b="$(now)" 'BEGIN { printf "%.1fs", b - a }'; }

# phase NAME CMD [ARG...] runs CMD in this shell, prints the phase's result
# and time, and records a failure without stopping.
phase() {
	local name=$1 start rc t
	shift
	echo "== $name"
	start=$(now)
	"$@"
	rc=$?
	t=$(since "$start")
	if [ "$rc" -eq 0 ]; then
		echo "== ok   $name ($t)"
		results+=("ok    $(printf '%8s' "$t")  $name")
	else
		echo "== FAIL $name (exit $rc, $t)"
		results+=("FAIL  $(printf '%8s' "$t")  $name")
		failed+=("$name")
	fi
}

install_packages() {
	if ! command -v dpkg-query >/dev/null || ! command -v apt-get >/dev/null; then
		echo "dpkg-query or apt-get not found: not Debian? install by hand: ${packages[*]}" >&2
		return 1
	fi
	local p missing=()
	for p in "${packages[@]}"; do
		dpkg-query -W -f='${Status}' "$p" 2>/dev/null | grep -q "ok installed" || missing+=("$p")
	done
	if [ ${#missing[@]} -eq 0 ]; then
		echo "all ${#packages[@]} packages are installed"
		return 0
	fi
	echo "installing: ${missing[*]}"
	local root=()
	if [ "$(id -u)" -ne 0 ]; then
		if ! command -v sudo >/dev/null; then
			echo "not root and no sudo; as root run: apt-get update && apt-get install -y --no-install-recommends ${missing[*]}" >&2
			return 1
		fi
		root=(sudo)
		[ -t 0 ] || root+=(-n) # no terminal to type a password on: never wait for one
	fi
	# env, not a VAR=x prefix: sudo would drop the variable.
	"${root[@]}" env DEBIAN_FRONTEND=noninteractive apt-get update -qq ||
		echo "warning: apt-get update failed; installing from the current package lists" >&2
	"${root[@]}" env DEBIAN_FRONTEND=noninteractive apt-get install -y -qq --no-install-recommends "${missing[@]}" >/dev/null
}

# install_go_tool NAME PKG VERSION HAVE installs PKG@VERSION with go install
# unless HAVE (the version $gobin/NAME reports) is VERSION, then checks
# that NAME resolves to that one.
install_go_tool() {
	local name=$1 pkg=$2 version=$3 have=$4 found
	if [ "$have" != "$version" ]; then
		# GOFLAGS cleared: a -mod=vendor in it refuses pkg@version.
		GOFLAGS= go install "$pkg@$version" || return
	fi
	found=$(command -v "$name")
	if [ "$found" != "$gobin/$name" ]; then
		echo "$name resolves to '$found', not $gobin/$name" >&2
		return 1
	fi
	echo "$name $version: $found"
}

install_actionlint() {
	install_go_tool actionlint github.com/rhysd/actionlint/cmd/actionlint "$actionlint_version" \
		"$("$gobin/actionlint" -version 2>/dev/null | head -n 1)"
}

# cosign verifies the bundles kiln signs (the tests run it offline).
install_cosign() {
	install_go_tool cosign github.com/sigstore/cosign/v2/cmd/cosign "$cosign_version" \
		"$("$gobin/cosign" version 2>/dev/null | sed -n 's/^GitVersion: *//p')"
}

check_gofmt() {
	local unformatted
	unformatted=$(git ls-files -z '*.go' | xargs -0 -r gofmt -l) || return
	if [ -n "$unformatted" ]; then
		printf 'not gofmt-ed:\n%s\n' "$unformatted" >&2
		return 1
	fi
}

# fuzz PKG TARGET ITERATIONS
fuzz() {
	local pkg=$1 target=$2 n=$3 attempt rc log
	log=$(mktemp) || return
	for attempt in 1 2; do
		go test -run='^$' -fuzz="^$target\$" -fuzztime="$n" -timeout="$fuzz_timeout" "$pkg" 2>&1 | tee "$log"
		rc=${PIPESTATUS[0]}
		if [ "$rc" -eq 0 ] || [ "$attempt" -eq 2 ] ||
			! grep -q 'context deadline exceeded' "$log" || grep -q 'Failing input written to' "$log"; then
			break
		fi
		echo "-- $target: 'context deadline exceeded' and no failing input (Go's fuzz coordinator, golang/go#75804): retrying once"
	done
	rm -f "$log"
	return "$rc"
}

go version
phase "install: Debian packages" install_packages
phase "install: actionlint $actionlint_version" install_actionlint
phase "install: cosign $cosign_version" install_cosign
phase "gofmt" check_gofmt
phase "go vet" go vet ./...
phase "go vet (sample-app)" go -C sample-app vet ./...
for entry in "${fuzz_targets[@]}"; do
	read -r pkg target n <<<"$entry"
	phase "fuzz $target ($pkg, $n)" fuzz "$pkg" "$target" "$n"
done
# Every package is tested once: those whose code starts goroutines (the
# build engine, apt's installs, the staging's adds, the stages' errgroups)
# under the race detector, which instruments everything linked into their
# test binaries (the reporter, the wine runner), the others plainly.
race_pkgs=(./gobuild ./internal/... ./outdir ./release)
other_pkgs() {
	local raced
	raced=$(go list "${race_pkgs[@]}") || return
	go list ./... | grep -vxF -f <(printf '%s\n' "$raced")
}
tests_plain() {
	local pkgs
	pkgs=$(other_pkgs) || return
	# shellcheck disable=SC2086 # one package a word
	go test -timeout 60m $pkgs
}
phase "tests with the race detector (${race_pkgs[*]})" go test -race -timeout 60m "${race_pkgs[@]}"
phase "tests (the other packages)" tests_plain

echo "== summary"
printf '%s\n' "${results[@]}"
if [ ${#failed[@]} -gt 0 ]; then
	echo "== FAILED: ${#failed[@]} of ${#results[@]} phases:" >&2
	printf '   %s\n' "${failed[@]}" >&2
	exit 1
fi
echo "== all ${#results[@]} phases passed"
