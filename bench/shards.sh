#!/usr/bin/env bash
# shards.sh — a release built on one runner against the same release built
# in 3 shards (KILN_SHARD=i/3) plus `mage merge`, for the sample app and
# kiln's default matrix (7 platforms). The shards run one after another on
# this machine, each in its own copy of the module (another path) with its
# own cold build cache, as fresh CI runners would; the merge runs in a
# fourth copy on the shards' outputs carried through a mode-stripping copy
# (as upload/download-artifact deliver them).
#
#   bench/shards.sh
#
# Reported: the one-runner crossall against the critical path of the
# sharded build (the longest shard + the merge), and merge + package
# against package alone; then whether the merged release is byte-identical
# to the one-runner release (every file of the checksums file).
#
# Environment:
#   BENCH_COLD=0       warm build caches (each runner's cache primed by a
#                      first crossall) instead of cold ones
#   BENCH_KILN=worktree  use the checkout's kiln as it is (default: the committed HEAD)
#
# Logs and the result table go to bench/out/shards-<time>/.
set -euo pipefail
# shellcheck source=bench/lib.sh
source "$(dirname "${BASH_SOURCE[0]}")/lib.sh"

COLD=${BENCH_COLD:-1}
SHARDS=3
RUNDIR="$OUT/shards-$(date -u +%Y%m%dT%H%M%SZ)"
mkdir -p "$RUNDIR"
LOG="$RUNDIR/log.txt"
RESULT="$RUNDIR/result.md"
export MAGEFILE_CACHE="$WORK/magefile-cache" MAGEFILE_HASHFAST=1
unset GOCACHE KILN_SHARD KILN_SHARDS KILN_MATRIX KILN_OUT GITHUB_ACTIONS

# runner NAME makes a "runner": a copy of the sample app at its own path
# and its own cache root (go's build cache, kiln's plan cache), with the
# mage tool and the magefile compiled (a runner's setup, not measured).
runner() {
	local dir="$WORK/runners/$1/src/sample-app"
	mkdir -p "$WORK/runners/$1/cache"
	copy_sample_app "$dir" >>"$LOG" 2>&1
	on "$1" go tool mage -l >>"$LOG" 2>&1
	if [ "$COLD" = 0 ]; then
		on "$1" go tool mage crossall >>"$LOG" 2>&1
		rm -rf "$dir/dist"
	fi
	echo "$dir"
}

# on NAME CMD... runs CMD in runner NAME's module with its caches.
on() {
	local name=$1
	shift
	(cd "$WORK/runners/$name/src/sample-app" && XDG_CACHE_HOME="$WORK/runners/$name/cache" "$@")
}

# strip_copy SRC DST copies a dist/ as artifact upload/download does:
# no hidden files, no executable bits.
strip_copy() {
	mkdir -p "$2"
	(cd "$1" && find . -type f ! -path '*/.*' -print0 | tar --null -T - -cf -) | (cd "$2" && tar --no-same-permissions -xf -)
	find "$2" -type f -exec chmod 0644 {} +
}

say "kiln sharded release benchmark: $(tool_versions); cold caches: $([ "$COLD" = 1 ] && echo yes || echo no); logs in $RUNDIR"
say "== setting up 5 runners (copies of the sample app with their own caches)"
ONE=$(runner one)
for i in $(seq 1 $SHARDS); do runner "shard$i" >/dev/null; done
MERGER=$(runner merger)

say "== one runner: crossall, verify, package"
T1=$(timeit "$LOG" on one go tool mage crossall)
T1V=$(timeit "$LOG" on one go tool mage verify)
T1P=$(timeit "$LOG" on one go tool mage package)
say "   crossall $T1, verify $T1V, package $T1P (wall CPU)"

LONGEST=0
SUM="0 0"
SHARD_T=()
for i in $(seq 1 $SHARDS); do
	say "== shard $i/$SHARDS: crossall"
	t=$(timeit "$LOG" on "shard$i" env KILN_SHARD="$i/$SHARDS" go tool mage crossall)
	SHARD_T+=("$t")
	SUM=$(plus "$SUM" "$t")
	LONGEST=$(awk -v a="$LONGEST" -v b="${t% *}" 'BEGIN { print (b > a ? b : a) }')
	say "   $t"
	strip_copy "$WORK/runners/shard$i/src/sample-app/dist" "$WORK/runners/merger/shards/dist-$i"
done

say "== merge runner: merge, verify, package"
# The shards are outside the merger's checkout, as CI must download them:
# inside it they would be files git does not track, a dirty tree.
TM=$(timeit "$LOG" on merger go tool mage merge "$WORK/runners/merger/shards/*")
TMV=$(timeit "$LOG" on merger go tool mage verify)
TMP=$(timeit "$LOG" on merger go tool mage package)
say "   merge $TM, verify $TMV, package $TMP"

# Byte-identity: the checksums files, and every file they list.
sums=$(cd "$ONE/dist" && ls ./*_checksums.txt)
IDENT="yes: the checksums files and all $(wc -l <"$ONE/dist/$sums") files they list are identical"
if ! cmp -s "$ONE/dist/$sums" "$MERGER/dist/$sums"; then
	IDENT="NO: the checksums files differ ($(diff "$ONE/dist/$sums" "$MERGER/dist/$sums" | grep -c '^<' || true) lines)"
fi
if ! (cd "$MERGER/dist" && sha256sum --quiet -c "$ONE/dist/$sums") >>"$LOG" 2>&1; then
	IDENT="NO: files of the merged release differ from the one-runner release (see $LOG)"
fi
# Both manifests are kept beside the log; a count of 0 from grep -c is not
# a failure (set -e).
cp "$ONE/dist/artifacts.json" "$RUNDIR/one-runner.artifacts.json"
cp "$MERGER/dist/artifacts.json" "$RUNDIR/merged.artifacts.json"
MANIFEST="identical"
cmp -s "$ONE/dist/artifacts.json" "$MERGER/dist/artifacts.json" ||
	MANIFEST="differs ($(diff <(jq -S . "$ONE/dist/artifacts.json") <(jq -S . "$MERGER/dist/artifacts.json") | grep -c '^<' || true) lines; both in $RUNDIR)"

CRIT=$(awk -v a="$LONGEST" -v b="${TM% *}" 'BEGIN { printf "%.3f", a + b }')
MP=$(plus "$TM" "$TMP")
{
	echo "# kiln: one runner vs $SHARDS shards + merge (sample app, 7 platforms)"
	echo
	echo "$(tool_versions); cold caches: $([ "$COLD" = 1 ] && echo yes || echo no). Shards run one after another here; on CI they run at once."
	echo
	echo "| measurement | wall | CPU |"
	echo "| --- | ---: | ---: |"
	echo "| one runner: crossall | $(secs "${T1% *}") | $(secs "${T1#* }") |"
	for i in $(seq 1 $SHARDS); do
		t=${SHARD_T[$((i - 1))]}
		echo "| shard $i/$SHARDS: crossall | $(secs "${t% *}") | $(secs "${t#* }") |"
	done
	echo "| all shards, one after another | $(secs "${SUM% *}") | $(secs "${SUM#* }") |"
	echo "| merge | $(secs "${TM% *}") | $(secs "${TM#* }") |"
	echo "| **critical path: longest shard + merge** | **$(secs "$CRIT")** | |"
	echo "| critical path / one runner | $(ratio "$CRIT" "${T1% *}") | |"
	echo "| one runner: package | $(secs "${T1P% *}") | $(secs "${T1P#* }") |"
	echo "| merge + package | $(secs "${MP% *}") | $(secs "${MP#* }") |"
	echo "| (merge + package) / package | $(ratio "${MP% *}" "${T1P% *}") | $(ratio "${MP#* }" "${T1P#* }") |"
	echo "| verify: one runner / after merge | $(secs "${T1V% *}") / $(secs "${TMV% *}") | |"
	echo
	echo "Merged release byte-identical to the one-runner release: $IDENT. Manifest: $MANIFEST."
} >"$RESULT"
cat "$RESULT"
