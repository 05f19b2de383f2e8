"""source.txt is the seed with PDF line breaks joined and page numbers removed — nothing else."""

import pytest

from generator.sources import PAGE_NUMBER, SourceText, clean_pdf_text, squeeze

from .conftest import ROOT, SEEDS

SEED_FILES = {
    "nabari": "000_905afaec56d5ef9b.txt",
    "miyako": "002_545ae4274c3f0447.txt",
    "moriyama": "004_0ef33abd098ce86c.txt",
}


@pytest.mark.parametrize("policy", sorted(SEED_FILES))
def test_source_equals_seed_apart_from_white_space_and_page_numbers(policy):
    seed = SEEDS / SEED_FILES[policy]
    if not seed.exists():
        pytest.skip("../shared/seeds is not beside this checkout")
    raw = seed.read_text(encoding="utf-8")
    expected = "".join(squeeze(line) for line in raw.splitlines() if not PAGE_NUMBER.match(line))
    assert squeeze((ROOT / "content" / policy / "source.txt").read_text(encoding="utf-8")) == expected


def test_cleaning_joins_broken_lines_and_drops_page_numbers():
    raw = (" (１) 見出し \n\n  ①職員等は、自己の管理するパスワードを他者に知られないように管理しなけれ\n\n"
           "ばならない。 \n\n11 \n\n  ②次の項目。\n")
    assert clean_pdf_text(raw) == (
        "(１) 見出し\n①職員等は、自己の管理するパスワードを他者に知られないように管理しなければならない。\n②次の項目。\n"
    )


def test_quotes_are_found_across_line_breaks(tmp_path):
    path = tmp_path / "source.txt"
    path.write_text("一行目の文は\n二行目に続く。\n三行目。\n", encoding="utf-8")
    source = SourceText.read(path)
    span = source.find("文は 二行目に")
    assert span is not None and span.line == 1
    assert source.find("三行目。").line == 3
    assert source.find("ない文") is None
