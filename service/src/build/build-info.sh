#!/bin/sh
# Writes what `warmpool --version` and the metric warmpool_build_info say about this build:
#
#   build-info.sh OUT_FILE VERSION PROJECT_ROOT        (Maven runs it at generate-resources)
#
# The revision is $WARMPOOL_BUILD_REVISION when set and not empty (-Dwarmpool.revision=...: for a
# build from a source tarball, or the Dockerfile's build argument). Otherwise it is git's HEAD
# when PROJECT_ROOT is the top of a git work tree (a clone or a worktree), with "-dirty" when
# tracked files differ from HEAD; and "unknown" without git, without .git (a source tarball), or
# when PROJECT_ROOT lies inside another project's repository.
set -eu
out=$1
version=$2
root=$3
revision=${WARMPOOL_BUILD_REVISION:-}
if [ -z "$revision" ]; then
  revision=unknown
  # No lock on the index: a build must not fail a commit made at the same time, nor fail because of one.
  export GIT_OPTIONAL_LOCKS=0
  if command -v git >/dev/null 2>&1 \
      && top=$(git -C "$root" rev-parse --show-toplevel 2>/dev/null) \
      && [ "$(cd "$top" && pwd -P)" = "$(cd "$root" && pwd -P)" ] \
      && head=$(git -C "$root" rev-parse --verify --quiet HEAD 2>/dev/null); then
    revision=$head
    git -C "$root" diff --no-ext-diff --quiet HEAD -- 2>/dev/null || revision=$head-dirty
  fi
fi
mkdir -p "$(dirname "$out")"
printf '# written by service/src/build/build-info.sh\nversion=%s\nrevision=%s\n' "$version" "$revision" > "$out.tmp"
mv "$out.tmp" "$out"
