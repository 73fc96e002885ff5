#!/usr/bin/env bash
# Installs what warmpool's build (and, with `test`, its tests) needs and the machine lacks, from
# Debian's packages. Used by ./warmpool (before it builds its jar) and ./run-tests.sh.
#
#   scripts/prerequisites.sh build    the build:
#     a JDK (17 or newer), Maven, gcc     javac, mvn, and the C libraries (fork handlers, hot calls)
#     wabt (wat2wasm, wast2json)          the WebAssembly guests are assembled from text at build time
#     git                                 the build names its revision
#   scripts/prerequisites.sh test     the build's, and the tests':
#     prometheus (prometheus, promtool)   the service's tests scrape `serve` with a real Prometheus
#                                         and check the alerting rules with `promtool test rules`
#     util-linux (prlimit)                a test runs a JVM under an address-space limit
#
# As root it runs apt-get; otherwise sudo apt-get, when sudo may without a password. Elsewhere it
# names what is missing and exits 1. With nothing missing it prints nothing and does nothing.
set -euo pipefail

purpose=${1:-build}
who=${WARMPOOL_PREREQUISITES_FOR:-prerequisites.sh}
case $purpose in
  build | test) ;;
  *) echo "$who: usage: scripts/prerequisites.sh build|test" >&2; exit 2 ;;
esac

have() {
  local program
  for program in "$@"; do
    command -v "$program" >/dev/null 2>&1 || return 1
  done
}

missing=()
have javac || missing+=(default-jdk-headless)
have mvn || missing+=(maven)
have gcc || missing+=(gcc libc6-dev)
have wat2wasm wast2json || missing+=(wabt)
have git || missing+=(git)
if [[ $purpose == test ]]; then
  have prlimit || missing+=(util-linux)
  have prometheus promtool || missing+=(prometheus)
fi
((${#missing[@]})) || exit 0

if [[ $(id -u) == 0 ]]; then
  as_root=()
elif have sudo && sudo -n true 2>/dev/null; then
  as_root=(sudo -n)
else
  as_root=(none)
fi
if ! have apt-get || [[ ${as_root[*]-} == none ]]; then
  echo "$who: the $purpose needs these Debian packages, and this machine lacks them: ${missing[*]}" >&2
  if have apt-get; then
    echo "$who: install them as root (apt-get install ${missing[*]}), or run this as root or with sudo" >&2
  else
    echo "$who: there is no apt-get here; install their equivalents with this system's package manager" >&2
  fi
  exit 1
fi
echo "$who: installing ${missing[*]}" >&2
"${as_root[@]}" apt-get update -qq >&2
"${as_root[@]}" env DEBIAN_FRONTEND=noninteractive apt-get install -y -qq --no-install-recommends "${missing[@]}" >&2
