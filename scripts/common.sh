# Shared by run.sh, test.sh and .ci/run: install what is missing, start and stop local services.
# Everything started here is recorded and stopped by stop_started_services (called from a trap).

REPO_ROOT="$(cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd)"
STARTED_PIDS=()
TEMP_PATHS=()

log() { printf '\033[1m==> %s\033[0m\n' "$*" >&2; }

port_open() { (exec 3<>"/dev/tcp/127.0.0.1/$1") 2>/dev/null; }

wait_for_port() { # port seconds what [pid] — gives up at once when pid (the process expected to listen) has exited
  local deadline=$((SECONDS + $2))
  until port_open "$1"; do
    if [[ -n "${4:-}" ]] && ! kill -0 "$4" 2>/dev/null; then echo "error: $3 exited before listening on 127.0.0.1:$1" >&2; return 1; fi
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

command_of() { tr '\0\n' '  ' <"/proc/$1/cmdline" 2>/dev/null | cut -c1-80; }

# listener_pid PORT — the pid listening on 127.0.0.1:PORT (empty when unknown).
listener_pid() { ss -ltnpH "sport = :$1" 2>/dev/null | grep -o 'pid=[0-9]*' | head -1 | cut -d= -f2; }

# azurite_location_of PID — the absolute --location of an Azurite process (empty when it is not Azurite).
azurite_location_of() {
  local pid="$1" args location cwd
  [[ -r "/proc/$pid/cmdline" ]] || return 0
  mapfile -d '' args <"/proc/$pid/cmdline"
  [[ " ${args[*]} " == *azurite* ]] || return 0
  location="."
  for ((i = 0; i < ${#args[@]}; i++)); do
    case "${args[$i]}" in --location|-l) location="${args[$((i + 1))]:-.}" ;; --location=*) location="${args[$i]#*=}" ;; esac
  done
  cwd="$(readlink "/proc/$pid/cwd" 2>/dev/null || echo /)"
  [[ "$location" == /* ]] || location="$cwd/$location"
  realpath -m "$location"
}

# start_azurite LOCATION BLOB QUEUE TABLE — starts Azurite on LOCATION, or reuses one that already serves
# LOCATION on those ports (e.g. `npm run azurite`). Refuses an Azurite with other data or another program.
start_azurite() {
  local location blob="$2" queue="$3" table="$4" port pid owner taken=() free=()
  location="$(realpath -m "$1")"
  for port in "$blob" "$queue" "$table"; do
    if port_open "$port"; then taken+=("$port"); else free+=("$port"); fi
  done
  if (( ${#taken[@]} == 3 )); then
    pid="$(listener_pid "$blob")"
    owner="$( [[ -n "$pid" ]] && azurite_location_of "$pid" || true )"
    if [[ -n "$owner" && "$owner" == "$location" ]]; then
      log "Azurite already running on 127.0.0.1:$blob/$queue/$table with this repo's data ($location) — using it"
      return 0
    fi
    echo "error: 127.0.0.1:$blob/$queue/$table are taken by $( [[ -n "$owner" ]] && echo "an Azurite with other data ($owner)" || echo "another program${pid:+ (pid $pid: $(command_of "$pid"))}" )." >&2
    echo "       Not writing into it. Stop it, or move this repo's Azurite: FEEDINGEST_AZURITE_PORT=11000 ./run.sh (uses 11000-11002)," >&2
    echo "       or point at it on purpose: FeedIngestStorage='<its connection string>' ./run.sh" >&2
    exit 1
  fi
  if (( ${#taken[@]} > 0 )); then
    for port in "${taken[@]}"; do
      pid="$(listener_pid "$port")"
      echo "error: port 127.0.0.1:$port is already in use${pid:+ by pid $pid ($(command_of "$pid"))}; Azurite needs $blob, $queue and $table." >&2
    done
    echo "       Free it, or choose other ports: FEEDINGEST_AZURITE_PORT=11000 ./run.sh (uses 11000-11002)." >&2
    exit 1
  fi
  mkdir -p "$location"
  log "Starting Azurite on 127.0.0.1:$blob/$queue/$table (data in $location)"
  node "$REPO_ROOT/node_modules/azurite/dist/src/azurite.js" --silent --skipApiVersionCheck --disableTelemetry --location "$location" \
    --blobHost 127.0.0.1 --blobPort "$blob" --queueHost 127.0.0.1 --queuePort "$queue" \
    --tableHost 127.0.0.1 --tablePort "$table" >"$location/azurite.log" 2>&1 &
  local azurite_pid=$!
  STARTED_PIDS+=("$azurite_pid")
  for port in "$blob" "$queue" "$table"; do
    if ! wait_for_port "$port" "${FEEDINGEST_START_SECONDS:-120}" Azurite "$azurite_pid"; then
      # Say what Azurite said (EADDRINUSE names the port) instead of leaving it in a log.
      grep -m3 -iE 'EADDRINUSE|error' "$location/azurite.log" >&2 || tail -5 "$location/azurite.log" >&2
      exit 1
    fi
  done
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
  local path
  for path in "${TEMP_PATHS[@]:-}"; do [[ -n "$path" ]] && rm -rf "$path"; done
  TEMP_PATHS=()
TEMP_PATHS=()
}

# Leftover check for test.sh: every process started under this run carries FEEDINGEST_RUN_MARK in its
# environment (children inherit it), so survivors are found even after they were re-parented to init.
# Build servers (MSBuild nodes, the compiler server) are meant to outlive a build and are not counted.
descends_from() { # PID ANCESTOR
  local pid="$1"
  while [[ -n "$pid" && "$pid" != 0 && "$pid" != 1 ]]; do
    [[ "$pid" == "$2" ]] && return 0
    pid="$(awk '{print $4}' "/proc/$pid/stat" 2>/dev/null || true)"
  done
  return 1
}

leftover_processes() { # MARK — prints "pid command" of every surviving process with the mark, except this shell's
  local mark="$1" pid
  for pid in $(grep -lsaZ "FEEDINGEST_RUN_MARK=$mark" /proc/[0-9]*/environ 2>/dev/null | tr '\0' '\n' | cut -d/ -f3); do
    kill -0 "$pid" 2>/dev/null || continue
    descends_from "$pid" "$$" && continue # this script and the pipeline doing the looking
    local cmd; cmd="$(command_of "$pid")"
    [[ -z "$cmd" || "$cmd" == *MSBuild.dll* || "$cmd" == *VBCSCompiler* || "$cmd" == *vbcscompiler* || "$cmd" == *rzc.dll* ]] && continue
    echo "$pid $cmd"
  done
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
