"""Fixtures: small projects built from dicts of files (as mkdocs' ``tempdir(files=...)`` does)."""

from __future__ import annotations

import contextlib
import fcntl
import os
import shutil
import textwrap
import threading
from collections.abc import Callable, Iterator
from pathlib import Path

import pytest
from hypothesis import settings

ROOT = Path(__file__).resolve().parents[1]
SEEDS = ROOT.parent / "shared" / "seeds"

SOURCE = """\
テスト市情報セキュリティ対策基準
1.1 パスワード
職員等は、パスワードに関し、次の事項を遵守しなければならない。
①パスワードは、他者に知られないように管理しなければならない。
②パスワードが流出した場合には、情報セキュリティ管理者に速やかに報告しなければならない。
③副市長を、ＣＩＳＯとする。
"""

POLICY = """\
id: miyako
municipality: テスト市
title: テスト市情報セキュリティ対策基準
revision: "2026-04-01"
roles:
  - id: staff
    name: 職員等
    canonical: all-staff
  - id: security-manager
    name: 情報セキュリティ管理者
    canonical: section-head
    member_of: [staff]
"""

CHAPTER = """\
number: "1"
title: パスワード
obligations:
  - id: miyako.password-keep-secret
    clause: 1.1 ①
    lead_in: 職員等は、パスワードに関し、次の事項を遵守しなければならない。
    text: パスワードは、他者に知られないように管理しなければならない。
    actors: [staff]
    modality: must
    topic: passwords
    summary: パスワードを他人に知られないようにする
  - id: miyako.password-report-leak
    clause: 1.1 ②
    text: パスワードが流出した場合には、情報セキュリティ管理者に速やかに報告しなければならない。
    actors: [staff]
    modality: must
    topic: passwords
    summary: パスワードが流出したら所属長に速やかに報告する
    when: パスワードが流出した場合
    deadline: 速やかに
    report_to: [security-manager]
not_obligations:
  - text: 副市長を、ＣＩＳＯとする。
    clause: 1.1 ③
    reason: appointment
"""

CONTACTS_NOTICE = ("content/miyako/policy.yaml: 注意: 連絡先（contacts）が未設定です。インシデントの連絡先"
                   "（統一的な窓口などの名称・内線・メール）を書いてください。ページには「連絡先が未設定です」と表示されます。")
"""What ``handbook validate`` says, on success, of the fixture policy (it has no contacts)."""

BASE_FILES = {
    "content/roles.yaml": "roles:\n  - id: all-staff\n    name: 全職員\n    description: 全員\n"
                          "  - id: section-head\n    name: 課長\n    description: 所属長\n",
    "content/topics.yaml": "topics:\n  - id: human\n    name: 人的セキュリティ\n"
                           "  - id: passwords\n    name: パスワード\n    parent: human\n",
    "content/miyako/policy.yaml": POLICY,
    "content/miyako/source.txt": SOURCE,
    "content/miyako/obligations/01-password.yaml": CHAPTER,
}


def html_file(site: Path, path: str) -> Path:
    """The built file of a page given as its path without suffix: ``miyako/roles/staff`` →
    ``miyako/roles/staff.html``, a folder (``miyako``, ``miyako/topics``) → its ``index.html``."""
    return site / path / "index.html" if (site / path).is_dir() else site / f"{path}.html"


def write_files(root: Path, files: dict[str, str | bytes]) -> Path:
    for name, data in files.items():
        path = root / name
        path.parent.mkdir(parents=True, exist_ok=True)
        if isinstance(data, bytes):
            path.write_bytes(data)
        else:
            path.write_text(textwrap.dedent(data) if data.startswith("\n") else data, encoding="utf-8")
    return root


def make_project(root: Path, files: dict[str, str | bytes | None] | None = None) -> Path:
    """A project folder at ``root``: the base files, overridden by ``files`` (None deletes), and
    the real ``mkdocs.yml``, ``docs/`` and ``site-overrides/``."""
    merged = {**BASE_FILES, **(files or {})}
    write_files(root, {k: v for k, v in merged.items() if v is not None})
    shutil.copy(ROOT / "mkdocs.yml", root / "mkdocs.yml")
    shutil.copytree(ROOT / "docs", root / "docs", dirs_exist_ok=True)
    shutil.copytree(ROOT / "site-overrides", root / "site-overrides", dirs_exist_ok=True)
    return root


@pytest.fixture
def project(tmp_path, monkeypatch):
    """``project(files)`` → a project folder with the base files, overridden by ``files`` (None deletes)."""
    monkeypatch.chdir(tmp_path)
    return lambda files=None: make_project(tmp_path, files)


@pytest.fixture(scope="session")
def real_content_and_sources():
    """The committed content and the policies' source texts, loaded once per test process (both
    are only read)."""
    from generator.content import load_with_sources

    return load_with_sources(ROOT)


@pytest.fixture(scope="session")
def real_content(real_content_and_sources):
    """The committed content, loaded once per test process (the model is immutable)."""
    return real_content_and_sources[0]


def shared_temp(tmp_path_factory) -> Path:
    """The temporary folder of the whole session, shared by the test processes of ``pytest -n``."""
    base = tmp_path_factory.getbasetemp()
    return base.parent if os.environ.get("PYTEST_XDIST_WORKER") else base


def built_once(tmp_path_factory, name: str, make: Callable[[Path], None]) -> Path:
    """``make(folder)`` run once per test session into a shared ``folder`` (``<tmp>/<name>``), which
    the test processes of ``pytest -n`` then only read: the first to need it makes it, under a lock,
    while the others wait."""
    shared = shared_temp(tmp_path_factory)
    folder = shared / name
    with open(shared / f"{name}.lock", "w") as lock:
        fcntl.flock(lock, fcntl.LOCK_EX)
        if not (shared / f"{name}.done").exists():
            shutil.rmtree(folder, ignore_errors=True)
            folder.mkdir()
            make(folder)
            (shared / f"{name}.done").touch()
    return folder


@pytest.fixture(scope="session")
def built_site(tmp_path_factory) -> Path:
    """The real project built once into a temporary copy (site/ and dist/), shared read-only by
    the test processes."""
    from generator.build import build

    def make(copy: Path) -> None:
        for name in ("content", "quizzes", "docs", "site-overrides"):
            if (ROOT / name).exists():
                shutil.copytree(ROOT / name, copy / name)
        shutil.copy(ROOT / "mkdocs.yml", copy / "mkdocs.yml")
        build(copy)

    return built_once(tmp_path_factory, "real", make)


# --- browser tests: Debian chromium driven by playwright, the built site served over http --------

CHROMIUM = "/usr/bin/chromium"
CHROMIUM_ARGS = [
    "--headless", "--no-sandbox", "--disable-gpu", "--disable-quic", "--no-first-run",
    "--disable-background-networking", "--disable-component-update", "--disable-sync",
]


@pytest.fixture(scope="session")
def browser():
    """A headless Debian chromium (``playwright install`` cannot download browsers here)."""
    if not Path(CHROMIUM).exists():
        pytest.fail(f"{CHROMIUM} がありません: Debian の chromium パッケージを入れてください（.ci/run が入れます）。")
    from playwright.sync_api import sync_playwright

    with sync_playwright() as pw:
        instance = pw.chromium.launch(executable_path=CHROMIUM, args=CHROMIUM_ARGS)
        yield instance
        instance.close()


@contextlib.contextmanager
def serve(folder: Path) -> Iterator[str]:
    """``folder`` served over http on a free local port, as ``http://127.0.0.1:N``."""
    import functools
    import http.server

    class Quiet(http.server.SimpleHTTPRequestHandler):
        def log_message(self, *args):
            pass

    handler = functools.partial(Quiet, directory=str(folder))
    server = http.server.ThreadingHTTPServer(("127.0.0.1", 0), handler)
    thread = threading.Thread(target=server.serve_forever, daemon=True)
    thread.start()
    try:
        yield f"http://127.0.0.1:{server.server_address[1]}"
    finally:
        server.shutdown()


@pytest.fixture(scope="session")
def site_url(built_site):
    """The built three-policy site served over http on a free local port: ``http://127.0.0.1:N``."""
    with serve(built_site / "site") as url:
        yield url


# --- property tests: `make test` tries every example, `make check` a quarter -------------------

settings.register_profile("quick", max_examples=25)


def examples(n: int) -> int:
    """``n`` examples for a property test under the default profile (100 examples), a quarter
    under ``--hypothesis-profile=quick`` (``make check``)."""
    return max(1, n * settings.default.max_examples // 100)


# --- markers: `make check` runs what is neither slow nor in the browser -------------------------

def pytest_collection_modifyitems(items):
    """``browser``: drives chromium; ``slow``: builds a site (the real one or a small one). The
    tests on the real built site run last, so that under ``pytest -n`` the other processes keep
    working while the first one to need the site builds it."""
    on_site = set()
    for item in items:
        fixtures = set(getattr(item, "fixturenames", ()))
        if fixtures & {"browser", "site_url"}:
            item.add_marker(pytest.mark.browser)
        if fixtures & {"built_site", "site_url"}:
            item.add_marker(pytest.mark.slow)
            on_site.add(item.nodeid)
    items.sort(key=lambda item: item.nodeid in on_site)


def pytest_addoption(parser):
    parser.addoption("--update-golden", action="store_true", help="rewrite tests/golden/ (make golden)")
