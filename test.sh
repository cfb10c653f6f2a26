#!/usr/bin/env bash
# The tests: installs what is missing, starts a private Azurite on 127.0.0.1, runs every test project of
# the solution, then the infra check and the extraction quality gate; stops what it started.
set -euo pipefail
source "$(dirname "$0")/scripts/common.sh"
cd "$REPO_ROOT"
# Functions hosts started by tests/FeedIngest.HostTests carry this run's id in their environment; whatever a
# killed test run left behind (a host and its worker) is stopped with the other services.
export FEEDINGEST_HOSTTEST_RUN="test-sh-$$-$RANDOM"
stop_leftover_hosts() {
  local environ pid
  for environ in /proc/[0-9]*/environ; do
    pid=${environ#/proc/}; pid=${pid%/environ}
    tr '\0' '\n' <"$environ" 2>/dev/null | grep -qx "FEEDINGEST_HOSTTEST_RUN=$FEEDINGEST_HOSTTEST_RUN" || continue
    tr '\0' '\n' <"$environ" 2>/dev/null | grep -q '^FEEDINGEST_HOSTTEST_MARKER=' && kill "$pid" 2>/dev/null || true
  done
}
trap 'stop_leftover_hosts; stop_started_services' EXIT INT TERM

require_tools
install_azurite
log "Restoring and building the solution"
dotnet build FeedIngest.sln -c Release --nologo -v q -clp:ErrorsOnly

# Private ports and data, so a developer's own Azurite (10000-10002) is left alone.
TEST_DATA="$(mktemp -d)"
start_azurite "$TEST_DATA" 10100 10101 10102
export FEEDINGEST_TEST_STORAGE="$(azurite_connection_string 10100 10101 10102)"

log "Running the tests"
results="$(mktemp -d)"
set +e
dotnet test FeedIngest.sln -c Release --no-build --nologo --results-directory "$results" --logger "trx" "$@" 2>&1 | tee "$results/console.log"
test_status=${PIPESTATUS[0]}
set -e
summary="$(python3 - "$results" <<'PY' || true
import sys, glob, xml.etree.ElementTree as ET
p = f = s = 0
for trx in glob.glob(sys.argv[1] + "/*.trx"):
    c = ET.parse(trx).getroot().find(".//{*}Counters")
    if c is None: continue
    p += int(c.get("passed", 0)); f += int(c.get("failed", 0)) + int(c.get("error", 0)); s += int(c.get("notExecuted", 0))
print(f"tests: {p} passed, {f} failed, {s} skipped")
PY
)"

if [[ -f tools/bicep-check.sh ]]; then log "Checking infra/ (bicep build + lint)"; bash tools/bicep-check.sh; fi
if [[ -f tools/quality-gate.sh ]]; then log "Extraction quality gate"; bash tools/quality-gate.sh; fi
rm -rf "$TEST_DATA"
echo "$summary"
exit "$test_status"
