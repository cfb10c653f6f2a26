#!/usr/bin/env bash
# The tests: installs what is missing, starts a private Azurite on 127.0.0.1, runs every test project of
# the solution, then the infra check and the extraction quality gate; stops what it started, and checks
# that nothing it started (processes, temp folders) is left behind.
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
    { tr '\0' '\n' <"$environ"; } 2>/dev/null | grep -qx "FEEDINGEST_HOSTTEST_RUN=$FEEDINGEST_HOSTTEST_RUN" || continue
    { tr '\0' '\n' <"$environ"; } 2>/dev/null | grep -q '^FEEDINGEST_HOSTTEST_MARKER=' && kill "$pid" 2>/dev/null || true
  done
}
trap 'stop_leftover_hosts; stop_started_services' EXIT INT TERM

# Everything started from here carries this mark (see leftover_processes); temp files go into RUN_TMP.
export FEEDINGEST_RUN_MARK="test-$$-$RANDOM$RANDOM"
RUN_TMP="$(mktemp -d -t feedingest-test-run-XXXXXX)"
TEMP_PATHS+=("$RUN_TMP")
export TMPDIR="$RUN_TMP/tmp"
mkdir -p "$TMPDIR"
# Start-up waits are hang guards only; a loaded machine may take long to start node or a host.
export FEEDINGEST_AZURITE_START_SECONDS="${FEEDINGEST_AZURITE_START_SECONDS:-180}"

require_tools
install_azurite
# The status-page test drives Debian's Chromium; without it (and without root/apt to install it) the test says it skipped.
if [[ ! -x /usr/bin/chromium && -z "${FEEDINGEST_CHROMIUM:-}" ]]; then
  if [[ $(id -u) -eq 0 ]] && command -v apt-get >/dev/null; then
    log "Installing chromium (status page browser test)"
    { apt-get update -qq && DEBIAN_FRONTEND=noninteractive apt-get install -y -qq chromium >/dev/null; } || log "chromium could not be installed; the browser test will be skipped"
  else
    log "no chromium and no root/apt to install it; the browser test will be skipped"
  fi
fi
export PLAYWRIGHT_SKIP_BROWSER_DOWNLOAD=1
install_consumer_and_document_test_packages
log "Restoring and building the solution"
dotnet build FeedIngest.sln -c Release --nologo -v q -clp:ErrorsOnly

# Private ports and data, so a developer's own Azurite (10000-10002) is left alone.
# FEEDINGEST_TEST_AZURITE_PORT=N moves it to N..N+2 (two checkouts testing at once).
TEST_DATA="$RUN_TMP/azurite"
TEST_PORT="${FEEDINGEST_TEST_AZURITE_PORT:-10100}"
start_azurite "$TEST_DATA" "$TEST_PORT" $((TEST_PORT + 1)) $((TEST_PORT + 2))
export FEEDINGEST_TEST_STORAGE="$(azurite_connection_string "$TEST_PORT" $((TEST_PORT + 1)) $((TEST_PORT + 2)))"

log "Running the tests"
results="$RUN_TMP/results"
mkdir -p "$results"
set +e
dotnet test FeedIngest.sln -c Release --no-build --nologo --results-directory "$results" --logger "trx" "$@" 2>&1 | tee "$results/console.log"
test_status=${PIPESTATUS[0]}
set -e
summary="$(python3 "$REPO_ROOT/scripts/trx-summary.py" "$results" || true)"

if [[ -f tools/bicep-check.sh ]]; then log "Checking infra/ (bicep build + lint)"; bash tools/bicep-check.sh; fi
if [[ -f tools/quality-gate.sh ]]; then log "Extraction quality gate"; bash tools/quality-gate.sh; fi

# Nothing left behind: stop what this script started, then look for anything else carrying the mark.
stop_started_services_keep_temp() { local keep=("${TEMP_PATHS[@]}"); TEMP_PATHS=(); stop_started_services; TEMP_PATHS=("${keep[@]}"); }
stop_started_services_keep_temp
leftovers="$(leftover_processes "$FEEDINGEST_RUN_MARK")"
stray_temp="$(find "$TMPDIR" -mindepth 1 -maxdepth 1 \
  -not -name 'MSBuildTemp*' -not -name 'NuGetScratch*' -not -name '.dotnet*' -not -name 'dotnet-diagnostic-*' \
  -not -name 'clr-debug-pipe-*' -not -name 'VBCSCompiler' -not -name '.msbuild*' -not -name 'system-commandline-sentinel-files' \
  -not -name '.NETCore*' -not -name 'Razor*' -not -name 'npm-*' -not -name '.npm*' -not -name 'v8-compile-cache*' \
  -not -name 'node-compile-cache' -not -name 'bicep*' -not -name '.bicep' -not -name '.net' -printf '%f\n' 2>/dev/null | sort)"
# Folders the tests name (feedingest-*) fail the run; other new entries (from tools and hosts) are listed only.
own_temp="$(echo "$stray_temp" | grep '^feedingest-' || true)"
other_temp="$(echo "$stray_temp" | grep -v '^feedingest-' || true)"

echo "$summary"
cleanup_status=0
if [[ -n "$leftovers" ]]; then
  echo "error: the test run left processes behind (stopping them now):" >&2
  echo "$leftovers" | sed 's/^/  /' >&2
  # What tells why: each one's parent and state, and for a test Azurite the test process its watch waits for.
  for pid in $(echo "$leftovers" | cut -d' ' -f1); do
    echo "  $(ps -o pid=,ppid=,stat=,etimes= -p "$pid" 2>/dev/null | xargs) (pid ppid state seconds)" >&2
    watch_file="$(tr '\0' '\n' < "/proc/$pid/cmdline" 2>/dev/null | grep -m1 'exit-with-owner.js' || true)"
    if [[ -n "$watch_file" && -f "$watch_file" ]]; then
      watched="$(grep -o 'const parent = [0-9]*' "$watch_file" | grep -o '[0-9]*$')"
      echo "  it watches test process $watched: $(cut -d' ' -f1-3,22 "/proc/$watched/stat" 2>/dev/null || echo gone)" >&2
    fi
  done
  for pid in $(echo "$leftovers" | cut -d' ' -f1); do kill "$pid" 2>/dev/null || true; done
  cleanup_status=1
fi
if [[ -n "$own_temp" ]]; then
  echo "error: the tests left temp folders behind in \$TMPDIR (removed now):" >&2
  echo "$own_temp" | sed 's/^/  /' >&2
  cleanup_status=1
fi
if [[ -n "$other_temp" ]]; then
  echo "note: other temp entries left in \$TMPDIR (removed now): $(echo $other_temp | head -c 300)" >&2
fi
(( cleanup_status == 0 )) && echo "cleanup: no process or temp folder left behind"
(( test_status != 0 )) && exit "$test_status"
exit "$cleanup_status"
