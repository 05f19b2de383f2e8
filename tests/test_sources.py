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


def test_recurring_items_take_the_occurrence_after_their_own_lead_in(tmp_path):
    from generator.sources import QuotePlacer

    path = tmp_path / "source.txt"
    path.write_text("管理者は、次の事項を行う。\n①記録すること。\n担当者は、次の事項を行う。\n①記録すること。\n", encoding="utf-8")
    placer = QuotePlacer(SourceText.read(path))
    second, lead = placer.place("記録すること。", "担当者は、次の事項を行う。")
    assert (second.line, lead.line) == (4, 3)
    first, lead = placer.place("記録すること。", "管理者は、次の事項を行う。")
    assert (first.line, lead.line) == (2, 1)


def test_real_recurring_texts_are_placed_at_their_own_clause(real_content):
    content = real_content
    lines = {o.id: o.source_line for p in content.policies for o in p.obligations}
    assert lines["moriyama.user-manager-report-breach"] == 131  # 第11条第3項第4号, same words as 第9条第3項第8号
    assert lines["moriyama.office-zone-environment"] == 227  # 第27条第3号, same words as 第26条第7号
    assert lines["nabari.dev-define-confidentiality"] == 209  # ５ (４) イ, words that recur five times
    assert lines["miyako.antivirus-resident-admin"] == 443  # 6.4 (２) ①, same words as 6.4 (１) ④
