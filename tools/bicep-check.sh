#!/usr/bin/env bash
# Compiles and lints infra/main.bicep with the Bicep CLI restored from NuGet (tools/bicep/bicep.csproj).
# Fails on any error or warning, and on a .bicep file that `bicep format` would change.
# Works offline apart from the NuGet restore: the infra uses local modules only, so Bicep needs no registry.
#
# Output: the ARM template in ${BICEP_OUT_DIR:-artifacts/bicep}/main.json, for inspection.
# tests/FeedIngest.Infra.Tests compiles its own copy, so it never reads a stale one.
set -euo pipefail

repo_root="$(cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd)"
cd "$repo_root"

export DOTNET_CLI_TELEMETRY_OPTOUT=1
export DOTNET_NOLOGO=1
export DOTNET_SKIP_FIRST_TIME_EXPERIENCE=1

out_dir="${BICEP_OUT_DIR:-$repo_root/artifacts/bicep}"
mkdir -p "$out_dir"

echo "bicep-check: restoring the Bicep CLI from NuGet"
dotnet restore tools/bicep/bicep.csproj --verbosity quiet

# The version pinned in tools/bicep/bicep.csproj, read back so the two can never disagree.
bicep_version="$(dotnet msbuild tools/bicep/bicep.csproj -getProperty:BicepCliVersion)"
packages_dir="$(dotnet nuget locals global-packages -l | sed -e 's/^global-packages: *//' -e 's:/*$::')"
bicep="$packages_dir/azure.bicep.commandline.linux-x64/$bicep_version/tools/bicep"
if [[ ! -f "$bicep" ]]; then
  echo "bicep-check: Bicep CLI not found at $bicep" >&2
  exit 1
fi
chmod +x "$bicep"
echo "bicep-check: $("$bicep" --version)"

status=0
log="$(mktemp)"
trap 'rm -f "$log"' EXIT

# Runs one bicep command; fails on a non-zero exit code or on any diagnostic line in its output.
run_bicep() {
  local label="$1"
  shift
  echo "bicep-check: bicep $label"
  if ! "$bicep" "$@" >"$log" 2>&1; then
    cat "$log"
    echo "bicep-check: bicep $label failed" >&2
    status=1
    return
  fi
  cat "$log"
  if grep -Eq ': (Warning|Error|Info) ' "$log" || grep -Eiq '\b(warning|error) BCP[0-9]+' "$log"; then
    echo "bicep-check: bicep $label reported diagnostics (warnings count as failures)" >&2
    status=1
  fi
}

run_bicep "build" build infra/main.bicep --outdir "$out_dir"
run_bicep "lint" lint infra/main.bicep

# Formatting: every .bicep file must be as `bicep format` writes it (run `bicep format <file>` to fix).
while IFS= read -r -d '' file; do
  if ! "$bicep" format "$file" --stdout | diff -u "$file" - >"$log"; then
    cat "$log"
    echo "bicep-check: $file is not formatted (bicep format $file)" >&2
    status=1
  fi
done < <(find infra -name '*.bicep' -print0 | sort -z)

if [[ $status -ne 0 ]]; then
  echo "bicep-check: FAILED" >&2
  exit 1
fi
echo "bicep-check: OK (build, lint and format clean; template at $out_dir/main.json)"
