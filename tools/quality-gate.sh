#!/usr/bin/env bash
# Quality gate in the style of trafilatura's tests/eval_gate.py: build the CLI, extract the Vietnamese sample pages, the
# outside-layouts set (tests/fixtures/outside-layouts: legacy and odd layouts written for this check) and
# the article-extraction benchmark, score both with their Python scorers, and fail when a figure drops below the floor
# pinned in tools/quality-baseline.json (minus its epsilon).
#
#   bash tools/quality-gate.sh                     check against the floors
#   bash tools/quality-gate.sh --update-baseline   raise the floors to today's figures (never lowers them)
#   bash tools/quality-gate.sh --update-baseline --allow-lower   also lower them (say why in the commit)
#
# Reads ../shared beside the repository (samples, benchmark, scorers); skips cleanly where it does not exist.
set -euo pipefail

root="$(cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd)"
shared="$root/../shared"
if [[ ! -d "$shared" ]]; then
  echo "quality gate skipped: ../shared not found"
  exit 0
fi
shared="$(cd "$shared" && pwd)"
vn_pages="$shared/samples/vn-portal/pages"
vn_gold="$shared/samples/vn-portal/gold"
bench_dir="$shared/bench/article-extraction-benchmark"
for p in "$vn_pages" "$vn_gold" "$shared/tools/score_vn.py" "$bench_dir/html" "$bench_dir/score.py" "$bench_dir/ground-truth.json"; do
  if [[ ! -e "$p" ]]; then echo "quality gate skipped: $p not found"; exit 0; fi
done

update=0; allow_lower=0
for arg in "$@"; do
  case "$arg" in
    --update-baseline) update=1 ;;
    --allow-lower) allow_lower=1 ;;
    *) echo "unknown option $arg" >&2; exit 2 ;;
  esac
done

work="$(mktemp -d "${TMPDIR:-/tmp}/feedingest-gate.XXXXXX")"
trap 'rm -rf "$work"' EXIT
start=$SECONDS

echo "== build CLI (Release)"
dotnet build "$root/functions/FeedIngest.Cli/FeedIngest.Cli.csproj" -c Release -o "$work/cli" --nologo -v q -clp:ErrorsOnly >/dev/null
cli=(dotnet "$work/cli/feedingest.dll")

echo "== extract Vietnamese sample pages"
"${cli[@]}" extract --input-dir "$vn_pages" --output-dir "$work/vn" --format both
echo "== extract outside layouts (tests/fixtures/outside-layouts, written for this gate, unlike the samples)"
"${cli[@]}" extract --input-dir "$root/tests/fixtures/outside-layouts/pages" --output-dir "$work/outside" --format both
echo "== extract article-extraction benchmark ($(ls "$bench_dir/html" | wc -l) pages)"
"${cli[@]}" extract --input-dir "$bench_dir/html" --output-dir "$work/bench" --format text

echo "== score"
python3 "$shared/tools/score_vn.py" "$vn_gold" "$work/vn" --json > "$work/vn-score.json"
python3 "$shared/tools/score_vn.py" "$root/tests/fixtures/outside-layouts/gold" "$work/outside"
python3 "$shared/tools/score_vn.py" "$root/tests/fixtures/outside-layouts/gold" "$work/outside" --json > "$work/outside-score.json"
python3 "$bench_dir/score.py" "$work/bench" --truth "$bench_dir/ground-truth.json" --name feedingest --bootstrap 200 --json "$work/bench-score.json"

python3 - "$root/tools/quality-baseline.json" "$work/vn-score.json" "$work/bench-score.json" "$update" "$allow_lower" "$work/outside-score.json" <<'PY'
import json, sys
baseline_path, vn_path, bench_path, update, allow_lower = sys.argv[1], sys.argv[2], sys.argv[3], sys.argv[4] == "1", sys.argv[5] == "1"
outside = json.load(open(sys.argv[6], encoding="utf-8"))
baseline = json.load(open(baseline_path, encoding="utf-8"))
vn = json.load(open(vn_path, encoding="utf-8"))
bench = json.load(open(bench_path, encoding="utf-8"))
eps = baseline.get("epsilon", 0.005)

def ok_count(v):  # "10/10" -> 10
    return int(str(v).split("/")[0]) if v is not None else 0

today = {
    "vn": {"shingle_f1": vn["shingle_f1"], "para_recall": vn["para_recall"], "max_leaks": vn["leaks"],
           "max_captions": vn["captions"], "max_not_nfc": vn["not_nfc"], "title_ok": ok_count(vn.get("title_ok")),
           "date_ok": ok_count(vn.get("date_ok")), "author_ok": ok_count(vn.get("author_ok"))},
    "bench": {"f1": bench["f1"], "precision": bench["precision"], "recall": bench["recall"]},
    "outside": {"shingle_f1": outside["shingle_f1"], "para_recall": outside["para_recall"], "max_leaks": outside["leaks"],
                "max_captions": outside["captions"], "max_not_nfc": outside["not_nfc"], "title_ok": ok_count(outside.get("title_ok")),
                "date_ok": ok_count(outside.get("date_ok")), "author_ok": ok_count(outside.get("author_ok"))},
}
failures = []
for group, floors in (("vn", baseline["vn"]), ("outside", baseline.get("outside", {})), ("bench", baseline["bench"])):
    for key, floor in floors.items():
        value = today[group][key]
        if key.startswith("max_"):
            good = value <= floor
            print(f"  {group}.{key:12s} {value:>8} (ceiling {floor})  {'ok' if good else 'FAIL'}")
        elif isinstance(floor, int) and not isinstance(floor, bool) and key.endswith("_ok"):
            good = value >= floor
            print(f"  {group}.{key:12s} {value:>8} (floor {floor})  {'ok' if good else 'FAIL'}")
        else:
            good = value >= floor - eps
            print(f"  {group}.{key:12s} {value:8.4f} (floor {floor:.4f} - {eps})  {'ok' if good else 'FAIL'}")
        if not good:
            failures.append(f"{group}.{key}")

if update:
    changed = False
    for group in ("vn", "outside", "bench"):
        baseline.setdefault(group, {})
        for key, value in today[group].items():
            old = baseline[group].get(key)
            better = old is None or (value < old if key.startswith("max_") else value > old)
            if old is None or better or (allow_lower and value != old):
                baseline[group][key] = round(value, 4) if isinstance(value, float) else value
                changed = True
    if changed:
        json.dump(baseline, open(baseline_path, "w", encoding="utf-8"), indent=2, ensure_ascii=False)
        print("baseline updated:", baseline_path)
    else:
        print("baseline unchanged (use --allow-lower to lower a floor)")

if failures and not (update and allow_lower):
    print("quality gate FAILED:", ", ".join(failures))
    sys.exit(1)
print("quality gate passed")
PY
echo "== done in $((SECONDS - start)) s"
