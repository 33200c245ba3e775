#!/usr/bin/env bash
# The action's own release, as actions/typescript-action's script/release does it:
#   scripts/release.sh vX.Y.Z [--push]
# Refuses unless the work tree is clean, dist/ is exactly what `npm run bundle` makes,
# CHANGELOG.md has a section for the version, and the version is newer than every
# release tag. Then it tags vX.Y.Z (annotated, the CHANGELOG section as its message)
# and moves the major tag vX to the same commit, so `uses: owner/repo@vX` follows it.
# Without --push it only says what it would push; with it, both tags go to origin
# (the major tag forced: it moves by design, the version tag never does).
set -euo pipefail
cd "$(dirname "$0")/.."
die() { echo "release: $*" >&2; exit 1; }

version=${1:-}
push=${2:-}
[[ $version =~ ^v([0-9]+)\.([0-9]+)\.([0-9]+)$ ]] || die "the version \"$version\" is not vX.Y.Z (such as v1.2.0)"
major="v${BASH_REMATCH[1]}"
[[ -z $push || $push == --push ]] || die "the second argument \"$push\" is not --push"

[[ -z $(git status --porcelain) ]] || die "the work tree has uncommitted changes; commit or stash them first"
git rev-parse -q --verify "refs/tags/$version" >/dev/null && die "the tag $version exists already; a version tag never moves"

# Newer than every vX.Y.Z tag (sort -V orders versions).
latest=$(git tag --list 'v*.*.*' | grep -E '^v[0-9]+\.[0-9]+\.[0-9]+$' | sort -V | tail -n 1 || true)
if [[ -n $latest && $(printf '%s\n%s\n' "$latest" "$version" | sort -V | tail -n 1) != "$version" ]]; then
  die "$version is not newer than the latest release $latest"
fi

# The CHANGELOG section of this version becomes the tag's message.
notes=$(awk -v h="## $version" 'index($0, h) == 1 {on = 1; next} on && /^## / {exit} on {print}' CHANGELOG.md)
[[ -n ${notes//[[:space:]]/} ]] || die "CHANGELOG.md has no section \"## $version\" with notes; move the Unreleased notes under it"

# What runs on a runner is dist/: it must be what src/ bundles to, byte for byte.
npm run -s bundle >/dev/null
[[ -z $(git status --porcelain -- dist) ]] || { git status --short -- dist >&2; die "dist/ is not what npm run bundle makes from src/; commit the bundle first"; }

git tag -a "$version" -m "$version" -m "$notes"
git tag -fa "$major" -m "$major: latest is $version" "$version^{}"
echo "tagged $version and moved $major to $(git rev-parse --short "$version^{}")"
if [[ $push == --push ]]; then
  git push origin "refs/tags/$version"
  git push --force origin "refs/tags/$major"
else
  echo "not pushed (add --push): git push origin $version && git push --force origin $major"
fi
