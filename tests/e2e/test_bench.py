"""The benchmark's quick mode runs end to end (no timing is judged)."""
import json
import subprocess

import harness


def test_bench_quick_mode_runs_every_scenario(tmp_path):
    out = tmp_path / "bench.json"
    result = subprocess.run([str(harness.ROOT / "scripts" / "bench"), "--quick", "--json", str(out)],
                            capture_output=True, text=True, timeout=1200)
    assert result.returncode == 0, result.stdout[-3000:] + result.stderr[-3000:]
    rows = json.loads(out.read_text())
    scenarios = {row["scenario"] for row in rows}
    assert {"S1", "S2", "S3", "S4", "S5", "S6", "S7", "ret", "mem"} <= scenarios
    assert not [row for row in rows if row["figure"] == "error"]
    # Quick mode judges nothing, but what it measured must be real.
    delivered = next(row for row in rows if row["scenario"] == "S2" and row["figure"].startswith("changes delivered"))
    assert delivered["value"] == delivered["reference"] > 0
    assert "| S1 " in result.stdout and "quick smoke run" in result.stdout
