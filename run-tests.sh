#!/usr/bin/env bash
# Runs every test of warmpool: `mvn -B verify`, with any arguments passed on to Maven
# (./run-tests.sh -pl service -am, ./run-tests.sh -Dtest=Foo ...).
#
# First scripts/prerequisites.sh installs what the build and the tests need and the machine lacks,
# from Debian's packages (a JDK, Maven, gcc, wabt, git, prometheus, util-linux: see there).
set -euo pipefail
cd "$(dirname "${BASH_SOURCE[0]}")"

WARMPOOL_PREREQUISITES_FOR=run-tests.sh scripts/prerequisites.sh test

echo "run-tests.sh: mvn -B verify $*"
exec mvn -B verify "$@"
