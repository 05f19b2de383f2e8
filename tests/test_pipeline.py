"""The pipeline: a new municipality is a folder, not a code change; a staged site builds with plain
MkDocs and no handbook plugin; a failed site build names MkDocs' reason."""

from __future__ import annotations

import subprocess
import sys
import zipfile

import pytest

from generator.build import build
from generator.cli import main

from .conftest import CHAPTER, POLICY, SOURCE

FOURTH = {
    "content/testvillage/policy.yaml": POLICY.replace("id: miyako", "id: testvillage").replace("テスト市", "テスト村"),
    "content/testvillage/source.txt": SOURCE.replace("テスト市", "テスト村"),
    "content/testvillage/obligations/01-password.yaml": CHAPTER.replace("miyako.", "testvillage."),
}


@pytest.mark.slow
def test_a_fourth_policy_folder_is_built_with_no_code_change(project):
    root = project(FOURTH)
    build(root)
    portal = (root / "site" / "index.html").read_text(encoding="utf-8")
    assert "テスト村" in portal and "テスト市" in portal
    assert (root / "site" / "testvillage" / "roles" / "staff.html").is_file()
    with zipfile.ZipFile(root / "dist" / "handbook-testvillage.zip") as archive:
        assert "testvillage/roles/staff.html" in archive.namelist()
    assert (root / "dist" / "testvillage" / "checklist-staff.xlsx").is_file()


@pytest.mark.slow
def test_a_staged_site_builds_with_plain_mkdocs_without_the_plugin(project, capsys):
    root = project()
    assert main(["stage", "--out", "staged"]) == 0
    config = root / "staged" / "site" / "mkdocs.yml"  # one policy: the portal is its site
    assert "handbook" not in config.read_text(encoding="utf-8").split("plugins:")[1].split("\n")[0]
    done = subprocess.run([sys.executable, "-m", "mkdocs", "build", "--strict", "-q", "-f", str(config)],
                          capture_output=True, text=True, env={"NO_MKDOCS_2_WARNING": "1", "PATH": ""})
    assert done.returncode == 0, done.stderr
    html = (root / "staged" / "site" / "site" / "roles" / "staff.html").read_text(encoding="utf-8")
    assert 'href="../source.html#c-1-1-1"' in html


@pytest.mark.slow
def test_a_broken_link_in_a_page_fails_the_build_with_mkdocs_reason(project, capsys):
    root = project()
    (root / "docs" / "extra.md").write_text("# 追加\n\n[どこにもない](nowhere.md)\n", encoding="utf-8")
    assert main(["build"]) == 2
    err = capsys.readouterr().err
    assert "サイトの生成に失敗しました:" in err and "nowhere.md" in err
    assert not (root / "site").exists()


@pytest.mark.slow
def test_serve_shows_an_edited_summary_and_the_guide(project):
    """``make serve``: the plugin stages the site (with the editor's guide) and restages on a save."""
    import os
    import socket
    import time
    import urllib.request

    root = project()
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        port = s.getsockname()[1]
    server = subprocess.Popen([sys.executable, "-m", "mkdocs", "serve", "--dirty", "-a", f"127.0.0.1:{port}"],
                              cwd=root, stdout=subprocess.DEVNULL, stderr=subprocess.PIPE,
                              env={**os.environ, "NO_MKDOCS_2_WARNING": "1"})

    def page(path: str, wanted: str, seconds: float = 60) -> str:
        end = time.monotonic() + seconds
        while time.monotonic() < end:
            try:
                with urllib.request.urlopen(f"http://127.0.0.1:{port}/{path}", timeout=5) as response:
                    text = response.read().decode("utf-8")
                if wanted in text:
                    return text
            except OSError:
                pass
            time.sleep(0.2)
        raise AssertionError(f"{path} never showed {wanted!r}")

    try:
        page("roles/staff.html", "パスワードを他人に知られないようにする")
        page("guide/schema.html", "applies_to")
        chapter = root / "content" / "miyako" / "obligations" / "01-password.yaml"
        chapter.write_text(chapter.read_text(encoding="utf-8").replace(
            "summary: パスワードを他人に知られないようにする", "summary: パスワードは誰にも教えない"), encoding="utf-8")
        page("roles/staff.html", "パスワードは誰にも教えない")
    finally:
        server.terminate()
        server.wait(10)
    assert not (root / "site").exists()  # serve builds in a temporary folder, never into site/
