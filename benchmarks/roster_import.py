"""Roster import time and peak memory, from a small school to 750,000 students, side by side in one run.

    .venv/bin/python -m benchmarks.roster_import [--sizes 10000,100000,750000] [--once]

Each size is a generated Magister-style pair of exports (students with two mentors per class, staff; Windows-1252,
semicolons), imported into a fresh SQLite database by `schoolwacht roster import` in its own process, then
imported again unchanged (the nightly re-import). Peak RSS is the child process's own maximum, so the figures of
different sizes compare directly: flat memory means the large import peaks near the small one.
"""

from __future__ import annotations

import argparse
import os
import resource
import subprocess
import sys
import tempfile
import time
from pathlib import Path

from tests.support.school_exports import School, magister

_STUDENTS_PER_CLASS = 30


def _school(students: int) -> School:
    classes = max(1, students // _STUDENTS_PER_CLASS)
    return School(classes=classes, per_class=_STUDENTS_PER_CLASS, staff=max(8, classes // 10))


def _run(args: list[str], env: dict[str, str]) -> tuple[float, float]:
    """Seconds and peak RSS (MB) of one `schoolwacht` process."""
    before = resource.getrusage(resource.RUSAGE_CHILDREN).ru_maxrss
    start = time.perf_counter()
    result = subprocess.run([sys.executable, "-m", "bot", *args], env=env, capture_output=True, text=True)
    seconds = time.perf_counter() - start
    if result.returncode != 0:
        raise SystemExit(f"schoolwacht {' '.join(args)} failed:\n{result.stdout}\n{result.stderr}")
    peak = resource.getrusage(resource.RUSAGE_CHILDREN).ru_maxrss
    # ru_maxrss of the children is the largest of them so far: run the sizes small to large.
    return seconds, max(peak, before) / 1024


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--sizes", default="10000,100000,750000", help="students per school, comma-separated")
    parser.add_argument("--once", action="store_true", help="only the first import of each size (half the time)")
    options = parser.parse_args()
    sizes = sorted(int(s) for s in options.sizes.split(","))
    rows = []
    with tempfile.TemporaryDirectory() as folder:
        base = Path(folder)
        env = {**os.environ, "PYTHONPATH": str(Path(__file__).resolve().parents[1])}
        idle = _run(["--help"], env)
        print(f"idle `schoolwacht --help`: {idle[0]:.2f} s, peak RSS {idle[1]:.0f} MB")
        header = f"{'people':>9} {'files MB':>9} {'first import s':>15} {'people/s':>9} {'re-import s':>12}"
        print(f"{header} {'peak RSS MB':>12}")
        for size in sizes:
            work = base / str(size)
            work.mkdir()
            school = _school(size)
            students, staff = magister(school, work)
            config = work / "schoolwacht.toml"
            config.write_text('[classifier]\nml_backend = "none"\n[roster]\nleadership = ["T01"]\n', encoding="utf-8")
            _run(["db", "upgrade", "-c", str(config)], env)
            args = ["roster", "import", str(students), str(staff), "-c", str(config)]
            first = _run(args, env)
            again = _run(args, env) if not options.once else (float("nan"), 0.0)
            people = school.classes * school.per_class + school.staff
            megabytes = (students.stat().st_size + staff.stat().st_size) / 1e6
            rows.append((people, megabytes, first, again))
            print(
                f"{people:>9,} {megabytes:>9.1f} {first[0]:>15.1f} {people / first[0]:>9,.0f} {again[0]:>12.1f} "
                f"{max(first[1], again[1]):>12.0f}",
                flush=True,
            )
    if len(rows) > 1:
        small, large = rows[0], rows[-1]
        print(
            f"ratio largest/smallest: people {large[0] / small[0]:,.0f}x, time {large[2][0] / small[2][0]:,.1f}x, "
            f"peak RSS {max(large[2][1], large[3][1]) / max(small[2][1], small[3][1]):.2f}x"
        )


if __name__ == "__main__":
    main()
