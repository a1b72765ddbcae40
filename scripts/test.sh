#!/usr/bin/env bash
# kiln's whole test suite, on a fresh Debian machine with only Go installed:
# installs the system tools the tests use (real validators, toolchains and
# emulators), then runs vet, the tests, the race detector on the concurrent
# code and short fuzzing runs.
set -euo pipefail
cd "$(dirname "$0")/.."

packages=(
	git ca-certificates tar coreutils unzip zip file binutils
	gcc libc6-dev musl-tools
	gcc-aarch64-linux-gnu libc6-dev-arm64-cross gcc-arm-linux-gnueabihf libc6-dev-armhf-cross
	qemu-user-static bubblewrap llvm-14
	dpkg lintian rpm systemd skopeo umoci
)
missing=()
for p in "${packages[@]}"; do
	dpkg-query -W -f='${Status}' "$p" 2>/dev/null | grep -q "ok installed" || missing+=("$p")
done
if [ ${#missing[@]} -gt 0 ]; then
	echo "installing: ${missing[*]}"
	sudo=""
	[ "$(id -u)" -eq 0 ] || sudo="sudo"
	$sudo apt-get update -qq
	DEBIAN_FRONTEND=noninteractive $sudo apt-get install -y -qq --no-install-recommends "${missing[@]}" >/dev/null
fi

go version
echo "== gofmt, go vet"
unformatted=$(gofmt -l $(git ls-files '*.go'))
if [ -n "$unformatted" ]; then
	echo "not gofmt-ed: $unformatted" >&2
	exit 1
fi
go vet ./...
(cd sample-app && go vet ./...)

echo "== fuzzing (short runs)"
go test -run='^$' -fuzz='^FuzzRead$' -fuzztime=20s ./verify
go test -run='^$' -fuzz='^FuzzParse$' -fuzztime=10s ./matrix
go test -run='^$' -fuzz='^FuzzSelect$' -fuzztime=10s ./matrix

echo "== race detector on the concurrent code"
go test -race -timeout 30m ./matrix ./gobuild ./internal/...

echo "== tests"
go test -timeout 60m ./...
