"""test.sh's summary: counts over every .trx file, and the name of each failed test with its first message line."""
import glob
import sys
import xml.etree.ElementTree as ET

passed = failed = skipped = 0
failures = []
for trx in sorted(glob.glob(sys.argv[1] + "/**/*.trx", recursive=True)):
    root = ET.parse(trx).getroot()
    counters = root.find(".//{*}Counters")
    if counters is not None:
        passed += int(counters.get("passed", 0))
        failed += int(counters.get("failed", 0)) + int(counters.get("error", 0)) + int(counters.get("timeout", 0)) + int(counters.get("aborted", 0))
        skipped += int(counters.get("notExecuted", 0))
    for result in root.iter("{http://microsoft.com/schemas/VisualStudio/TeamTest/2010}UnitTestResult"):
        if result.get("outcome") in ("Failed", "Error", "Timeout", "Aborted"):
            message = result.find(".//{*}Message")
            first = (message.text or "").strip().splitlines()[0] if message is not None and message.text else ""
            failures.append(f"  FAILED {result.get('testName')}" + (f" — {first[:200]}" if first else ""))
print(f"tests: {passed} passed, {failed} failed, {skipped} skipped")
for line in failures:
    print(line)
