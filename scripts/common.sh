# Shared by run.sh, test.sh and .ci/run: install what is missing, start and stop local services.
# Everything started here is recorded and stopped by stop_started_services (called from a trap).

REPO_ROOT="$(cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd)"
STARTED_PIDS=()

log() { printf '\033[1m==> %s\033[0m\n' "$*" >&2; }

port_open() { (exec 3<>"/dev/tcp/127.0.0.1/$1") 2>/dev/null; }

wait_for_port() { # port seconds what
  local deadline=$((SECONDS + $2))
  until port_open "$1"; do
    if (( SECONDS > deadline )); then echo "error: $3 did not start listening on 127.0.0.1:$1 within $2 s" >&2; return 1; fi
    sleep 0.3
  done
}

require_tools() {
  command -v dotnet >/dev/null || { echo "error: the .NET 10 SDK (dotnet) is required: https://dotnet.microsoft.com/download" >&2; exit 1; }
  command -v node >/dev/null && command -v npm >/dev/null || { echo "error: Node.js and npm are required (for Azurite)" >&2; exit 1; }
}

install_azurite() {
  if [[ ! -f "$REPO_ROOT/node_modules/azurite/dist/src/azurite.js" ]]; then
    log "Installing Azurite (npm ci)"
    (cd "$REPO_ROOT" && npm ci --no-audit --no-fund --loglevel=error)
  fi
}

# start_azurite LOCATION BLOB QUEUE TABLE — starts Azurite unless its blob port already answers.
start_azurite() {
  local location="$1" blob="$2" queue="$3" table="$4"
  if port_open "$blob" && port_open "$queue" && port_open "$table"; then
    log "Azurite already running on 127.0.0.1:$blob/$queue/$table — using it"
    return 0
  fi
  mkdir -p "$location"
  log "Starting Azurite (data in $location)"
  node "$REPO_ROOT/node_modules/azurite/dist/src/azurite.js" --silent --skipApiVersionCheck --location "$location" \
    --blobHost 127.0.0.1 --blobPort "$blob" --queueHost 127.0.0.1 --queuePort "$queue" \
    --tableHost 127.0.0.1 --tablePort "$table" >"$location/azurite.log" 2>&1 &
  STARTED_PIDS+=("$!")
  wait_for_port "$blob" 30 Azurite && wait_for_port "$queue" 30 Azurite && wait_for_port "$table" 30 Azurite
}

azurite_connection_string() { # BLOB QUEUE TABLE
  echo "DefaultEndpointsProtocol=http;AccountName=devstoreaccount1;AccountKey=Eby8vdM02xNOcqFlqUwJPLlmEtlCDXJ1OUzFT50uSRZ6IFsuFq2UVErCz4I6tq/K1SZFPTOtr/KBHBeksoGMGw==;BlobEndpoint=http://127.0.0.1:$1/devstoreaccount1;QueueEndpoint=http://127.0.0.1:$2/devstoreaccount1;TableEndpoint=http://127.0.0.1:$3/devstoreaccount1;"
}

stop_started_services() {
  local pid
  for pid in "${STARTED_PIDS[@]:-}"; do
    [[ -n "$pid" ]] || continue
    kill "$pid" 2>/dev/null || true
    wait "$pid" 2>/dev/null || true
  done
  STARTED_PIDS=()
}

# Debian packages of two optional test groups, installed when missing (as root with apt), else those tests skip:
# python3-azure — the Azure SDK for Python that samples/python-consumer runs on; it serves /usr/bin/python3, not a
# pyenv python that may come first on PATH; fonts-dejavu-core — DejaVu Sans, the font with Vietnamese glyphs that
# the attachment tests write their PDFs with.
install_consumer_and_document_test_packages() {
  local missing=()
  /usr/bin/python3 -c 'import azure.storage.queue, azure.storage.blob' 2>/dev/null || missing+=(python3-azure)
  [[ -f /usr/share/fonts/truetype/dejavu/DejaVuSans.ttf ]] || missing+=(fonts-dejavu-core)
  (( ${#missing[@]} )) || return 0
  if [[ $(id -u) -ne 0 ]] || ! command -v apt-get >/dev/null; then
    log "Missing ${missing[*]} and cannot install them here (needs root and apt): the Python consumer / PDF tests will skip"
    return 0
  fi
  log "Installing ${missing[*]} (Python consumer sample, attachment PDF tests)"
  { apt-get -o DPkg::Lock::Timeout=300 update -qq && \
    DEBIAN_FRONTEND=noninteractive apt-get -o DPkg::Lock::Timeout=300 install -y -qq "${missing[@]}" >/dev/null; } \
    || log "Could not install ${missing[*]}: the tests that need them will skip"
}
