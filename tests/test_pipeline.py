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
    config = root / "staged" / "handbook-miyako" / "mkdocs.yml"
    assert "handbook" not in config.read_text(encoding="utf-8").split("plugins:")[1].split("\n")[0]
    done = subprocess.run([sys.executable, "-m", "mkdocs", "build", "--strict", "-q", "-f", str(config)],
                          capture_output=True, text=True, env={"NO_MKDOCS_2_WARNING": "1", "PATH": ""})
    assert done.returncode == 0, done.stderr
    html = (root / "staged" / "built" / "handbook-miyako" / "roles" / "staff.html").read_text(encoding="utf-8")
    assert 'href="../source.html#c-1-1-1"' in html


@pytest.mark.slow
def test_a_broken_link_in_a_page_fails_the_build_with_mkdocs_reason(project, capsys):
    root = project()
    (root / "docs" / "extra.md").write_text("# 追加\n\n[どこにもない](nowhere.md)\n", encoding="utf-8")
    assert main(["build"]) == 2
    err = capsys.readouterr().err
    assert "サイトの生成に失敗しました:" in err and "nowhere.md" in err
    assert not (root / "site").exists()
