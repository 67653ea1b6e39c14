"""CI's supply-chain check: pip-audit over the pinned requirements and everything installed from them.

Fails (exit 1) on a known vulnerability that has a fixed version to move to; one without a fix is printed
and does not fail (nothing to upgrade to yet). Offline (no vulnerability service or package index answers,
so pip-audit audits nothing) it says so and passes: the build must not depend on the network.
"""

from __future__ import annotations

import json
import subprocess
import sys
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent


def audit(*arguments: str) -> dict:
    command = [sys.executable, "-m", "pip_audit", *arguments, "--format", "json", "--progress-spinner", "off"]
    done = subprocess.run(command, cwd=ROOT, capture_output=True, text=True, timeout=600, check=False)
    try:
        return json.loads(done.stdout or "{}")
    except json.JSONDecodeError:
        print(f"pip-audit gave no report (offline?), skipped: {done.stderr.strip()[-300:]}")
        return {}


def main() -> int:
    # The pinned file as written (no resolution needed), then the environment it installed (transitive too).
    reports = [audit("--requirement", "requirements.txt", "--no-deps", "--disable-pip"), audit("--local")]
    dependencies = [dep for report in reports for dep in report.get("dependencies", [])]
    audited = [dep for dep in dependencies if "skip_reason" not in dep]
    if not audited:
        print("pip-audit: offline (no package could be looked up); supply-chain check skipped")
        return 0
    fixable, unfixed = [], []
    for dep in audited:
        for vuln in dep.get("vulns", []):
            line = f"{dep['name']} {dep['version']}: {vuln['id']} (fixed in {', '.join(vuln['fix_versions']) or '-'})"
            (fixable if vuln["fix_versions"] else unfixed).append(line)
    for line in sorted(set(unfixed)):
        print(f"pip-audit: known, no fix yet: {line}")
    for line in sorted(set(fixable)):
        print(f"pip-audit: FIX AVAILABLE: {line}")
    print(f"pip-audit: {len({d['name'] for d in audited})} packages audited, {len(set(fixable))} fixable findings")
    return 1 if fixable else 0


if __name__ == "__main__":
    sys.exit(main())
