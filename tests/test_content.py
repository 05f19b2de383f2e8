"""The committed content itself: valid, schema-conformant, and chapter 5.4 of 宮古 fully covered."""

import json

import jsonschema
import pytest
import yaml

from generator.cli import main
from generator.coverage import compute_coverage
from generator.schema import write_schemas

from .conftest import ROOT


def test_committed_content_validates(real_content_and_sources):
    content, _ = real_content_and_sources
    assert {p.id for p in content.policies} == {"nabari", "miyako", "moriyama"}


def test_schema_files_are_up_to_date():
    assert write_schemas(ROOT / "schema", check=True) == []


@pytest.mark.parametrize("path", sorted((ROOT / "content").rglob("*.yaml")), ids=lambda p: p.relative_to(ROOT).as_posix())
def test_yaml_files_match_their_json_schema(path):
    first = path.read_text(encoding="utf-8").splitlines()[0]
    assert first.startswith("# yaml-language-server: $schema="), "every YAML file names its schema for editors"
    schema_path = (path.parent / first.split("$schema=", 1)[1]).resolve()
    jsonschema.validate(yaml.safe_load(path.read_text(encoding="utf-8")), json.loads(schema_path.read_text(encoding="utf-8")))


def test_miyako_chapter_5_4_is_fully_covered(real_content_and_sources):
    content, sources = real_content_and_sources
    coverage = compute_coverage(content.policy("miyako"), sources["miyako"])
    sections = {heading: (total, covered) for heading, total, covered in coverage.by_section()}
    total, covered = sections["5.4 ＩＤ及びパスワード等の管理"]
    assert total == covered == 18


def test_coverage_lists_uncovered_sentences_with_their_line(project, capsys):
    root = project({"content/miyako/source.txt":
                    "テスト市情報セキュリティ対策基準\n1.1 パスワード\n"
                    "職員等は、パスワードに関し、次の事項を遵守しなければならない。\n"
                    "①パスワードは、他者に知られないように管理しなければならない。\n"
                    "②パスワードが流出した場合には、情報セキュリティ管理者に速やかに報告しなければならない。\n"
                    "③副市長を、ＣＩＳＯとする。\n"
                    "④端末は施錠できる場所に保管すること。\n"})
    assert main(["coverage", "miyako"]) == 1
    out = capsys.readouterr().out.splitlines()
    assert out == [
        "content/miyako/source.txt:7: 未対応の規範文: ④端末は施錠できる場所に保管すること。",
        "テスト市（miyako）: 規範文 4 件のうち 3 件に対応（75.0%）",
    ]
    assert root
