"""``make bench``: how fast and how big the build is, measured in one run on this machine.

Prints, for the real content:
- the full ``handbook build``: wall time, peak memory, and the share of each stage;
- a plain ``mkdocs build`` of the same staged trees (no plugin), one after another, and the ratio;
- the build time, site size and search-index size at 1×, 4× and 10× the obligations of 宮古
  (synthetic policies cloned from 宮古 with rewritten ids);
- the ``mkdocs serve`` rebuild: seconds from saving an edited summary to the page showing it;
- the exam-integrity table (``benchmarks/exam_integrity.py``) and the training ledger's import and
  report times (``benchmarks/training.py``).

Targets (issue 12): full build ≤ 1.3 × the plain mkdocs builds and ≤ 15 s; 10× the obligations
≤ 12× the time, index size linear; an edited summary visible ≤ 3 s after saving.
"""

from __future__ import annotations

import argparse
import json
import os
import re
import resource
import shutil
import socket
import subprocess
import sys
import tempfile
import time
import urllib.request
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]
PYTHON = sys.executable
COPIED = ("content", "quizzes", "docs", "site-overrides", "mkdocs.yml")


def copy_project(target: Path, only: tuple[str, ...] = ()) -> Path:
    target.mkdir(parents=True, exist_ok=True)
    for name in COPIED:
        source = ROOT / name
        if source.is_dir():
            shutil.copytree(source, target / name)
        else:
            shutil.copy(source, target / name)
    for folder in ("content", "quizzes"):
        for policy in (target / folder).iterdir():
            if only and policy.is_dir() and policy.name not in only:
                shutil.rmtree(policy)
    return target


def clone_policy(project: Path, source: str, copies: int) -> None:
    """``copies - 1`` more copies of a policy, as ``<id>2``, ``<id>3`` …, every id rewritten."""
    for n in range(2, copies + 1):
        new = f"{source}{n}"
        for folder in ("content", "quizzes"):
            origin = project / folder / source
            if not origin.is_dir():
                continue
            shutil.copytree(origin, project / folder / new)
            for path in (project / folder / new).rglob("*.yaml"):
                text = path.read_text(encoding="utf-8")
                text = re.sub(rf"\b{source}\.", f"{new}.", text)
                text = re.sub(rf"^id: {source}$", f"id: {new}", text, flags=re.M)
                text = text.replace("municipality: 宮古市", f"municipality: 宮古市{n}")
                path.write_text(text, encoding="utf-8")


def run_build(project: Path) -> dict:
    """``handbook build`` in a child process: wall seconds, peak memory (MB), stage timings."""
    code = ("import json, sys; from pathlib import Path; from generator.build import build; "
            "r = build(Path(sys.argv[1])); print(json.dumps(r.timings))")
    started = time.perf_counter()
    done = subprocess.run([PYTHON, "-c", code, str(project)], capture_output=True, text=True, check=True)
    wall = time.perf_counter() - started
    peak = resource.getrusage(resource.RUSAGE_CHILDREN).ru_maxrss / 1024
    return {"wall": wall, "peak_mb": peak, "stages": json.loads(done.stdout.strip().splitlines()[-1])}


def plain_mkdocs(project: Path) -> float:
    """Seconds of plain ``mkdocs build`` of every staged tree, one after another."""
    out = project / ".cache" / "bench-stage"
    done = subprocess.run([PYTHON, "-m", "generator", "--root", str(project), "stage", "--out", str(out)],
                          capture_output=True, text=True, check=True)
    configs = [line.split(" -f ", 1)[1] for line in done.stdout.splitlines() if " -f " in line]
    started = time.perf_counter()
    for config in configs:
        subprocess.run([PYTHON, "-m", "mkdocs", "build", "-q", "-f", config], check=True,
                       env={**os.environ, "NO_MKDOCS_2_WARNING": "1"})
    return time.perf_counter() - started


def size_mb(folder: Path) -> float:
    return sum(p.stat().st_size for p in folder.rglob("*") if p.is_file()) / 1e6


def free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return s.getsockname()[1]


def serve_rebuild(project: Path, timeout: float = 180) -> float:
    """Seconds from saving an edited summary to ``mkdocs serve`` showing it on the role page."""
    port = free_port()
    server = subprocess.Popen([PYTHON, "-m", "mkdocs", "serve", "--dirty", "-a", f"127.0.0.1:{port}"],
                              cwd=project, stdout=subprocess.DEVNULL, stderr=subprocess.PIPE,
                              env={**os.environ, "NO_MKDOCS_2_WARNING": "1"})
    url = f"http://127.0.0.1:{port}/miyako/roles/staff.html"
    try:
        page = _wait_for(url, lambda text: "hb-obligation" in text, timeout)
        assert page is not None, "mkdocs serve did not start"
        chapter = next((project / "content" / "miyako" / "obligations").glob("05-*.yaml"))
        text = chapter.read_text(encoding="utf-8")
        summary = re.search(r"^    summary: (.+)$", text, re.M)
        marker = "（ベンチマークで編集）"
        time.sleep(1.5)  # the watcher's own settling time is part of what a user sees, but not a stale read
        saved = time.perf_counter()
        chapter.write_text(text[:summary.end()] + marker + text[summary.end():], encoding="utf-8")
        assert _wait_for(url, lambda text: marker in text, timeout) is not None, "the edit never showed"
        return time.perf_counter() - saved
    finally:
        server.terminate()
        server.wait(10)


def serve_only(runs: int) -> int:
    """``--serve-only N``: the serve rebuild alone, each run on a fresh copy of the project."""
    seconds = []
    for _ in range(runs):
        with tempfile.TemporaryDirectory() as tmp:
            load = os.getloadavg()[0]
            seconds.append(serve_rebuild(copy_project(Path(tmp) / "real")))
            print(f"edited summary visible {seconds[-1]:.2f} s after saving (load average {load:.2f} before)", flush=True)
    print(f"median {sorted(seconds)[len(seconds) // 2]:.2f} s of {runs} (target ≤ 3 s)")
    return 0


def _wait_for(url: str, ready, timeout: float) -> str | None:
    end = time.perf_counter() + timeout
    while time.perf_counter() < end:
        try:
            with urllib.request.urlopen(url, timeout=5) as response:
                text = response.read().decode("utf-8")
            if ready(text):
                return text
        except OSError:
            pass
        time.sleep(0.1)
    return None


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--scales", default="1,4,10", help="multiples of 宮古's obligations to build (default 1,4,10)")
    parser.add_argument("--skip-serve", action="store_true")
    parser.add_argument("--serve-only", type=int, metavar="N", default=0,
                        help="only the mkdocs serve rebuild, measured N times (median and load average)")
    args = parser.parse_args(argv)
    print(f"machine: {os.cpu_count()} cores; python {sys.version.split()[0]}")
    if args.serve_only:
        return serve_only(args.serve_only)
    with tempfile.TemporaryDirectory() as tmp:
        work = Path(tmp)
        real = copy_project(work / "real")
        full = run_build(real)
        total = sum(full["stages"].values())
        print("\n## Full build of the real content (3 policies)")
        print(f"wall {full['wall']:.1f} s (in build() {total:.1f} s; the rest is starting Python), peak memory {full['peak_mb']:.0f} MB")
        for stage, seconds in full["stages"].items():
            print(f"  {stage:<10} {seconds:6.2f} s  {seconds / total:6.1%}")
        slowest = max(full["stages"], key=full["stages"].get)
        print(f"slowest stage: {slowest}")
        plain = plain_mkdocs(real)
        print(f"plain mkdocs build of the same staged trees, one after another: {plain:.1f} s")
        print(f"ratio handbook build / plain mkdocs: {full['wall'] / plain:.2f} (target ≤ 1.3); "
              f"site {size_mb(real / 'site'):.1f} MB, dist {size_mb(real / 'dist'):.1f} MB")

        print("\n## Scale: 宮古 cloned (one policy per copy, each with its own site)")
        print("| × | obligations | build s | s / 1× | site MB | search index KB | index / 1× |")
        print("|---|---|---|---|---|---|---|")
        base = None
        for scale in (int(s) for s in args.scales.split(",")):
            project = copy_project(work / f"x{scale}", only=("miyako",))
            clone_policy(project, "miyako", scale)
            result = run_build(project)
            obligations = sum(len(re.findall(r"^  - id: ", p.read_text(encoding="utf-8"), re.M))
                              for p in (project / "content").glob("*/obligations/*.yaml"))
            index = next((project / "site" / "search").glob("index.*.js")).stat().st_size / 1000
            base = base or (result["wall"], index)
            print(f"| {scale} | {obligations} | {result['wall']:.1f} | {result['wall'] / base[0]:.2f} | "
                  f"{size_mb(project / 'site'):.1f} | {index:.0f} | {index / base[1]:.2f} |")
            shutil.rmtree(project)

        if not args.skip_serve:
            print("\n## mkdocs serve")
            seconds = serve_rebuild(real)
            print(f"edited summary visible {seconds:.2f} s after saving (target ≤ 3 s)")

    for title, script in (("Exam integrity", "exam_integrity.py"), ("Training ledger", "training.py")):
        if (ROOT / "benchmarks" / script).exists():
            print(f"\n## {title}", flush=True)
            subprocess.run([PYTHON, str(ROOT / "benchmarks" / script)], check=False)
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
