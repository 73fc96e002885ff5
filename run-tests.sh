#!/usr/bin/env bash
# Runs every test of warmpool: `mvn -B verify`, with any arguments passed on to Maven
# (./run-tests.sh -pl service -am, ./run-tests.sh -Dtest=Foo ...).
#
# First it installs what the tests need and the machine lacks, from Debian's packages:
#   a JDK (17 or newer), Maven, gcc     the build: javac, mvn, and the fork handlers' C library
#   prometheus (prometheus, promtool)   the service's tests scrape `serve` with a real Prometheus
#                                       and check the alerting rules with `promtool test rules`
#   wabt (wat2wasm, wast2json)          the WebAssembly tests build their guests from text
#   util-linux (prlimit)                a test runs a JVM under an address-space limit
#   git                                 the build names its revision; a test builds from repositories
# As root it runs apt-get; otherwise sudo apt-get, when sudo may. Elsewhere it names what is missing
# and stops.
set -euo pipefail
cd "$(dirname "${BASH_SOURCE[0]}")"

missing=()
have() {
  local program
  for program in "$@"; do
    command -v "$program" >/dev/null 2>&1 || return 1
  done
}
have javac || missing+=(default-jdk-headless)
have mvn || missing+=(maven)
have gcc || missing+=(gcc libc6-dev)
have prlimit || missing+=(util-linux)
have prometheus promtool || missing+=(prometheus)
have wat2wasm wast2json || missing+=(wabt)
have git || missing+=(git)

if ((${#missing[@]})); then
  if [[ $(id -u) == 0 ]]; then
    as_root=()
  elif have sudo && sudo -n true 2>/dev/null; then
    as_root=(sudo -n)
  else
    as_root=(none)
  fi
  if ! have apt-get || [[ ${as_root[*]-} == none ]]; then
    echo "run-tests.sh: the tests need these Debian packages, and this machine lacks them: ${missing[*]}" >&2
    if have apt-get; then
      echo "run-tests.sh: install them as root (apt-get install ${missing[*]}), or run this script as root or with sudo" >&2
    else
      echo "run-tests.sh: there is no apt-get here; install their equivalents with this system's package manager" >&2
    fi
    exit 1
  fi
  echo "run-tests.sh: installing ${missing[*]}"
  "${as_root[@]}" apt-get update -qq
  "${as_root[@]}" env DEBIAN_FRONTEND=noninteractive apt-get install -y -qq --no-install-recommends "${missing[@]}"
fi

echo "run-tests.sh: mvn -B verify $*"
exec mvn -B verify "$@"
