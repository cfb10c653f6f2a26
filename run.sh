#!/usr/bin/env bash
# The main job: one harvest into a local Azurite — against the bundled sample portal, or real portals
# with --sources FILE. Starts what is not running, stops what it started; Azurite's data stays in .azurite/.
#   FeedIngestStorage=...        use this storage (yours) instead of starting Azurite
#   FEEDINGEST_AZURITE_PORT=N    this repo's Azurite on N, N+1, N+2 (default 10000-10002)
#   FEEDINGEST_SAMPLE_PORT=N     the sample portal on N (default 5080); the sources harvested follow it
set -euo pipefail
source "$(dirname "$0")/scripts/common.sh"
cd "$REPO_ROOT"
trap stop_started_services EXIT INT TERM

SOURCES=""
PORTAL_PORT="${FEEDINGEST_SAMPLE_PORT:-5080}"
BUNDLED_PORT=5080
BLOB_PORT="${FEEDINGEST_AZURITE_PORT:-10000}"
AZURITE_DATA="${FEEDINGEST_AZURITE_LOCATION:-$REPO_ROOT/.azurite}"
usage="usage: ./run.sh [--sources FILE]   (default: sources.json, the bundled sample portal on 127.0.0.1:$PORTAL_PORT)"
while [[ $# -gt 0 ]]; do
  case "$1" in
    --sources) [[ $# -ge 2 ]] || { echo "error: --sources needs a FILE ($usage)" >&2; exit 64; }; SOURCES="$2"; shift 2 ;;
    --sources=*) SOURCES="${1#*=}"; shift ;;
    -h|--help) echo "$usage"; exit 0 ;;
    *) echo "error: unknown argument '$1' ($usage)" >&2; exit 64 ;;
  esac
done
SOURCES="${SOURCES:-$REPO_ROOT/sources.json}"
[[ -f "$SOURCES" ]] || { echo "error: --sources: no such file $SOURCES" >&2; exit 64; }

require_tools
install_azurite
log "Building the feedingest CLI"
dotnet build functions/FeedIngest.Cli/FeedIngest.Cli.csproj -c Release --nologo -v q -clp:ErrorsOnly
FEEDINGEST=(dotnet "$REPO_ROOT/functions/FeedIngest.Cli/bin/Release/net10.0/feedingest.dll")

if [[ -n "${FeedIngestStorage:-}" ]]; then
  log "Using your FeedIngestStorage (not starting Azurite)"
  STORAGE_NOTE="they are in the storage your FeedIngestStorage names"
else
  start_azurite "$AZURITE_DATA" "$BLOB_PORT" $((BLOB_PORT + 1)) $((BLOB_PORT + 2))
  if [[ "$BLOB_PORT" == 10000 ]]; then
    export FeedIngestStorage="UseDevelopmentStorage=true"
    STORAGE_NOTE="Azurite keeps them in ${AZURITE_DATA#"$REPO_ROOT"/}/; start it again with: npm run azurite"
  else
    FeedIngestStorage="$(azurite_connection_string "$BLOB_PORT" $((BLOB_PORT + 1)) $((BLOB_PORT + 2)))"
    export FeedIngestStorage
    STORAGE_NOTE="Azurite keeps them in ${AZURITE_DATA#"$REPO_ROOT"/}/ on ports $BLOB_PORT-$((BLOB_PORT + 2)); with it running, first: export FeedIngestStorage='$FeedIngestStorage'"
  fi
fi

# A registry that names the sample portal (127.0.0.1:5080) gets it started; with FEEDINGEST_SAMPLE_PORT,
# a temporary copy of the registry points at the moved portal.
if grep -qE "(127\.0\.0\.1|localhost):$BUNDLED_PORT\b" "$SOURCES"; then
  # The bundled portal listens on loopback, which the fetcher's SSRF guard refuses unless allowed.
  export FeedIngest__Fetching__AllowedPrivateNetworks="127.0.0.1/32"
  if [[ "$PORTAL_PORT" != "$BUNDLED_PORT" ]]; then
    moved="$(mktemp -d)"; TEMP_PATHS+=("$moved")
    sed -E "s#(127\.0\.0\.1|localhost):$BUNDLED_PORT\b#127.0.0.1:$PORTAL_PORT#g" "$SOURCES" >"$moved/sources.json"
    SOURCES="$moved/sources.json"
  fi
  if port_open "$PORTAL_PORT"; then
    log "Something already listens on 127.0.0.1:$PORTAL_PORT — assuming it is the sample portal"
  else
    log "Starting the bundled sample portal on http://127.0.0.1:$PORTAL_PORT/"
    "${FEEDINGEST[@]}" serve-sample --port "$PORTAL_PORT" >/dev/null 2>&1 &
    portal_pid=$!
    STARTED_PIDS+=("$portal_pid")
    wait_for_port "$PORTAL_PORT" "${FEEDINGEST_START_SECONDS:-120}" "the sample portal" "$portal_pid"
  fi
fi

log "Harvesting ($SOURCES)"
set +e
"${FEEDINGEST[@]}" harvest --once --sources "$SOURCES"
status=$?
set -e

cat <<TXT

Inspect the results ($STORAGE_NOTE):
  ./feedingest articles list
  ./feedingest runs list
  ./feedingest articles show <articleId>
  ./feedingest articles follow --once
TXT
exit $status
