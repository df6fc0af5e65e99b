"""Benchmark: how long `pip install <repo>` takes into a fresh virtual environment, and how big the result is.

Usage: `python benchmarks/install_size.py [--repo PATH] [--runs N] [--pip-arg ARG]... [--check-demo] [--keep]
[--json]`.

Each run creates an empty virtual environment under /tmp with this interpreter (`python -m venv`, which brings
pip and setuptools, as a user's would), measures it, then times `pip install <repo>` into it with whatever pip
configuration and caches this machine has (index, find-links, locally built wheels), exactly as a user typing
the README's command would. It then reports, from the first run:

- wall time of `pip install` (the median over `--runs`, each into its own fresh venv; the build of the
  project's wheel in pip's isolated build environment is included, as it is for a user);
- `du` of site-packages and of the whole venv, and of the empty venv before the install (MB are 10^6 bytes;
  the whole venv is also given in MiB, as `du -m` counts);
- the number of installed distributions (`pip list`), and how many the install added;
- the 15 largest installed distributions, on disk, with the share of their byte-compiled `.pyc` files.

Targets (issue 8, "A lean install"): install time < 20 s and < 150 MB. The size target is judged against the
whole environment (the empty venv included), the figure the README quotes; the install's own increment is
printed beside it. Each figure is printed with PASS/FAIL; exit code 1 when one is missed, 2 when the install
(or, with `--check-demo`, `bootstrap render` or `bootstrap demo` from another folder) fails.

`--pip-arg` passes extra arguments to `pip install` (repeat it: `--pip-arg=--no-compile`), to measure what an
option would save; the verdict then says it is not the README's command. `--check-demo` runs, from an empty
folder outside the repository and with the venv's own `bootstrap`: `init --defaults --management-account-id
123456789012`, `render` and `demo`, proving the installed wheel carries its data files and the sandbox's
server works.

Needs only the standard library: it never imports the project.
"""

from __future__ import annotations

import argparse
import json
import os
import resource
import shutil
import statistics
import subprocess
import sys
import tempfile
import time
from pathlib import Path
from typing import Any

TARGET_SECONDS = 20.0
TARGET_MB = 150.0
LARGEST = 15
REPO = Path(__file__).resolve().parent.parent

DIST_SIZES = r"""
import importlib.metadata as md, json, os, sys
rows = []
for dist in md.distributions():
    total = pyc = 0
    for entry in dist.files or ():
        try:
            blocks = os.stat(entry.locate()).st_blocks * 512
        except OSError:
            continue
        total += blocks
        if str(entry).endswith(".pyc"):
            pyc += blocks
    rows.append({"name": dist.metadata["Name"], "version": dist.version, "bytes": total, "pyc_bytes": pyc})
json.dump(rows, sys.stdout)
"""
"""Run by the venv's own interpreter: each distribution's files as its RECORD lists them (pip records the
`.pyc` files it compiles there too), in disk blocks as `du` counts them."""


USER_ENV = {
    k: v
    for k, v in os.environ.items()
    if k not in ("PYTHONPATH", "PYTHONDONTWRITEBYTECODE") and not k.startswith("AWS_")
}
"""The environment of every command run here: a user's, without this machine's PYTHONDONTWRITEBYTECODE (which
would keep Python from writing the .pyc files it compiles on first import) or anything pointing at AWS."""


def du_bytes(path: Path) -> int:
    """Disk usage as `du -s` reports it (blocks, hard links counted once)."""
    out = subprocess.run(["du", "-sk", str(path)], check=True, capture_output=True, text=True).stdout
    return int(out.split()[0]) * 1024


def mb(n: int) -> float:
    return n / 1e6


def site_packages(venv: Path) -> Path:
    found = sorted(venv.glob("lib/python*/site-packages"))
    if not found:
        raise SystemExit(f"no site-packages under {venv}")
    return found[0]


def pip_list(venv: Path) -> list[dict[str, str]]:
    out = subprocess.run(
        [str(venv / "bin" / "python"), "-m", "pip", "list", "--format", "json"],
        check=True,
        capture_output=True,
        text=True,
    ).stdout
    return list(json.loads(out))


def make_venv(root: Path, name: str) -> Path:
    venv = root / name
    subprocess.run([sys.executable, "-m", "venv", str(venv)], check=True, env=USER_ENV)
    return venv


def _children_cpu() -> float:
    """User + system CPU of the finished child processes (pip, its build backend and its compiler): less
    sensitive than wall time to other work on a shared machine, and blind to network waits."""
    usage = resource.getrusage(resource.RUSAGE_CHILDREN)
    return usage.ru_utime + usage.ru_stime


def one_run(root: Path, name: str, repo: Path, pip_args: list[str], pip_version: str | None) -> dict[str, Any]:
    """Create a fresh venv, time `pip install <repo>` into it, and measure it."""
    venv = make_venv(root, name)
    if pip_version:  # untimed: the user's pip, before the measured command
        python = str(venv / "bin" / "python")
        subprocess.run([python, "-m", "pip", "install", "-q", f"pip=={pip_version}"], check=True, env=USER_ENV)
    empty_venv = du_bytes(venv)
    empty_packages = len(pip_list(venv))
    command = [str(venv / "bin" / "python"), "-m", "pip", "install", *pip_args, str(repo)]
    cpu_before = _children_cpu()
    started = time.perf_counter()
    done = subprocess.run(command, capture_output=True, text=True, env=USER_ENV)
    seconds = time.perf_counter() - started
    cpu = _children_cpu() - cpu_before
    if done.returncode != 0:
        sys.stderr.write(done.stdout + done.stderr)
        raise SystemExit(2)
    packages = pip_list(venv)
    pip = next((p["version"] for p in packages if p["name"] == "pip"), "?")
    return {
        "pip": pip,
        "venv": str(venv),
        "command": " ".join(["pip", "install", *pip_args, str(repo)]),
        "seconds": seconds,
        "cpu_seconds": cpu,
        "load_average": os.getloadavg()[0],
        "empty_venv_bytes": empty_venv,
        "empty_venv_packages": empty_packages,
        "venv_bytes": du_bytes(venv),
        "site_packages_bytes": du_bytes(site_packages(venv)),
        "packages": len(packages),
        "added_packages": len(packages) - empty_packages,
    }


def distributions(venv: Path) -> list[dict[str, Any]]:
    """Every installed distribution's size and .pyc share, largest first."""
    out = subprocess.run(
        [str(venv / "bin" / "python"), "-I", "-c", DIST_SIZES], check=True, capture_output=True, text=True
    ).stdout  # -I: not the current folder's metadata
    rows: list[dict[str, Any]] = json.loads(out)
    return sorted(rows, key=lambda row: -int(row["bytes"]))


def check_demo(venv: Path, root: Path) -> dict[str, float]:
    """`init --defaults`, `render` and `demo` with the installed command, from a folder outside the repo."""
    work = root / "demo-work"
    work.mkdir()
    bootstrap = str(venv / "bin" / "bootstrap")
    timings: dict[str, float] = {}
    for step in (["init", "--defaults", "--management-account-id", "123456789012"], ["render"], ["demo"]):
        started = time.perf_counter()
        done = subprocess.run([bootstrap, *step], cwd=work, env=USER_ENV, capture_output=True, text=True)
        timings[" ".join(step)] = time.perf_counter() - started
        if done.returncode != 0:
            sys.stderr.write(f"`bootstrap {' '.join(step)}` exited {done.returncode}\n{done.stdout}{done.stderr}")
            raise SystemExit(2)
    if not any((work / "out").rglob("*.json")):
        sys.stderr.write("`bootstrap render` wrote no SCP documents: the wheel lacks its data files\n")
        raise SystemExit(2)
    return timings


def verdict(ok: bool) -> str:
    return "PASS" if ok else "FAIL"


def report(all_runs: list[dict[str, Any]], everything: list[dict[str, Any]], pip_args: list[str]) -> bool:
    first = all_runs[0]
    rows = everything[:LARGEST]
    median = statistics.median(run["seconds"] for run in all_runs)
    cpu = statistics.median(run["cpu_seconds"] for run in all_runs)
    increment = first["venv_bytes"] - first["empty_venv_bytes"]
    time_ok = median < TARGET_SECONDS
    size_ok = mb(first["venv_bytes"]) < TARGET_MB
    print(f"command: {first['command']} (pip {first['pip']})")
    runs = ", ".join(
        f"{r['seconds']:.1f} s wall, {r['cpu_seconds']:.1f} s CPU, load {r['load_average']:.1f}" for r in all_runs
    )
    print(f"runs: {len(all_runs)} ({runs})")
    print()
    print(f"{'figure':<44} {'measured':>12}  target")
    print(f"{'pip install wall time (median)':<44} {median:>10.1f} s  < {TARGET_SECONDS:.0f} s {verdict(time_ok)}")
    print(f"{'  CPU of pip and its children (median)':<44} {cpu:>10.1f} s")
    print(f"{'whole venv (du)':<44} {mb(first['venv_bytes']):>9.1f} MB  < {TARGET_MB:.0f} MB {verdict(size_ok)}")
    print(f"{'  the same in MiB (du -m)':<44} {first['venv_bytes'] / 2**20:>8.1f} MiB")
    print(f"{'  of which the empty venv (pip, setuptools)':<44} {mb(first['empty_venv_bytes']):>9.1f} MB")
    print(f"{'  added by the install':<44} {mb(increment):>9.1f} MB")
    print(f"{'site-packages (du)':<44} {mb(first['site_packages_bytes']):>9.1f} MB")
    print(
        f"{'distributions (pip list)':<44} {first['packages']:>12}  "
        f"({first['added_packages']} added to the empty venv's {first['empty_venv_packages']})"
    )
    print()
    print(f"{'largest distributions':<32} {'on disk':>10} {'.pyc':>10} {'share':>6}")
    for row in rows:
        share = row["pyc_bytes"] / row["bytes"] if row["bytes"] else 0.0
        name = f"{row['name']} {row['version']}"
        print(f"{name:<32} {mb(row['bytes']):>7.1f} MB {mb(row['pyc_bytes']):>7.1f} MB {share:>6.0%}")
    total = sum(int(row["bytes"]) for row in everything)
    pyc = sum(int(row["pyc_bytes"]) for row in everything)
    print(f"{'all distributions':<32} {mb(total):>7.1f} MB {mb(pyc):>7.1f} MB {pyc / total:>6.0%}")
    if pip_args:
        print(f"\nnote: measured with extra pip arguments {pip_args}: not the README's `pip install .`")
    return time_ok and size_ok


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--repo", type=Path, default=REPO, help="the project to install (default: this checkout)")
    parser.add_argument("--runs", type=int, default=1, help="fresh venvs to time (the median is judged)")
    parser.add_argument("--pip-arg", action="append", default=[], help="extra argument for `pip install`")
    parser.add_argument("--pip", dest="pip_version", help="upgrade the fresh venv's pip to this version first")
    parser.add_argument("--check-demo", action="store_true", help="run init, render and demo from the venv")
    parser.add_argument("--keep", action="store_true", help="keep the venvs (their paths are printed)")
    parser.add_argument("--json", action="store_true", help="machine-readable figures on stdout")
    args = parser.parse_args()

    root = Path(tempfile.mkdtemp(prefix="install-size-", dir="/tmp"))
    try:
        runs = [
            one_run(root, f"venv-{i}", args.repo.resolve(), args.pip_arg, args.pip_version)
            for i in range(max(1, args.runs))
        ]
        first = runs[0]
        rows = distributions(Path(first["venv"]))
        demo = check_demo(Path(first["venv"]), root) if args.check_demo else {}
        after_demo = du_bytes(Path(first["venv"])) if demo else None  # Python writes the .pyc it lacked
        times = [run["seconds"] for run in runs]
        if args.json:
            figures = {"runs": runs, "distributions": rows, "demo_seconds": demo, "venv_bytes_after_demo": after_demo}
            json.dump(figures, sys.stdout, indent=2)
            print()
            ok = statistics.median(times) < TARGET_SECONDS and mb(first["venv_bytes"]) < TARGET_MB
        else:
            ok = report(runs, rows, args.pip_arg)
            for step, seconds in demo.items():
                print(f"`bootstrap {step}` from {root / 'demo-work'}: exit 0 in {seconds:.1f} s")
            if after_demo is not None:
                print(f"whole venv after those commands (du): {mb(after_demo):.1f} MB")
        if args.keep:
            print(f"kept: {root}", file=sys.stderr)
        return 0 if ok else 1
    finally:
        if not args.keep:
            shutil.rmtree(root, ignore_errors=True)


if __name__ == "__main__":
    sys.exit(main())
