#!/usr/bin/env bash
# The main job: one harvest into a local Azurite — against the bundled sample portal, or real portals
# with --sources FILE. Starts what is not running, stops what it started; Azurite's data stays in .azurite/.
set -euo pipefail
source "$(dirname "$0")/scripts/common.sh"
cd "$REPO_ROOT"
trap stop_started_services EXIT INT TERM

SOURCES=""
PORTAL_PORT="${FEEDINGEST_SAMPLE_PORT:-5080}"
while [[ $# -gt 0 ]]; do
  case "$1" in
    --sources) SOURCES="$2"; shift 2 ;;
    --sources=*) SOURCES="${1#*=}"; shift ;;
    -h|--help) echo "usage: ./run.sh [--sources FILE]   (default: the bundled sample portal on 127.0.0.1:$PORTAL_PORT)"; exit 0 ;;
    *) echo "error: unknown argument '$1' (usage: ./run.sh [--sources FILE])" >&2; exit 64 ;;
  esac
done

require_tools
install_azurite
log "Building the feedingest CLI"
dotnet build functions/FeedIngest.Cli/FeedIngest.Cli.csproj -c Release --nologo -v q -clp:ErrorsOnly
FEEDINGEST=(dotnet "$REPO_ROOT/functions/FeedIngest.Cli/bin/Release/net10.0/feedingest.dll")

start_azurite "$REPO_ROOT/.azurite" 10000 10001 10002
export FeedIngestStorage="UseDevelopmentStorage=true"

if [[ -z "$SOURCES" ]]; then
  SOURCES="$REPO_ROOT/sources.json"
  # The bundled portal listens on loopback, which the fetcher's SSRF guard refuses unless allowed.
  export FeedIngest__Fetching__AllowedPrivateNetworks="127.0.0.1/32"
  if port_open "$PORTAL_PORT"; then
    log "Something already listens on 127.0.0.1:$PORTAL_PORT — assuming it is the sample portal"
  else
    log "Starting the bundled sample portal on http://127.0.0.1:$PORTAL_PORT/"
    "${FEEDINGEST[@]}" serve-sample --port "$PORTAL_PORT" >/dev/null 2>&1 &
    STARTED_PIDS+=("$!")
    wait_for_port "$PORTAL_PORT" 30 "the sample portal"
  fi
fi

log "Harvesting ($SOURCES)"
set +e
"${FEEDINGEST[@]}" harvest --once --sources "$SOURCES"
status=$?
set -e

cat <<TXT

Inspect the results (Azurite keeps them in .azurite/; start it again with: npm run azurite):
  dotnet functions/FeedIngest.Cli/bin/Release/net10.0/feedingest.dll articles list
  dotnet functions/FeedIngest.Cli/bin/Release/net10.0/feedingest.dll articles show <articleId>
  dotnet functions/FeedIngest.Cli/bin/Release/net10.0/feedingest.dll articles follow --once --keep
TXT
exit $status
