"""Anki decks imported into the real Anki backend (the pinned ``anki`` package): layout, cards,
reviews, and a new year's version imported over a collection someone has been studying."""

from __future__ import annotations

import datetime
import re
from pathlib import Path

import genanki
import pytest
from anki.collection import Collection, ImportAnkiPackageOptions, ImportAnkiPackageRequest
from anki.import_export_pb2 import ImportAnkiPackageUpdateCondition
from anki.scheduler.v3 import CardAnswer

from generator.content import load_content
from generator.renderers.decks import DeckRenderer, extra_questions

from .conftest import BASE_FILES, CHAPTER, POLICY, SOURCE
from .revision_fixture import DEVICES, TRAINING_AFTER, TRAINING_BEFORE

IF_NEWER = ImportAnkiPackageUpdateCondition.IMPORT_ANKI_PACKAGE_UPDATE_CONDITION_IF_NEWER
ROOT_DECK = "情報セキュリティ研修::テスト市"

# --- a small project, version 1 and version 2 ------------------------------------------------

SOURCE_V1 = SOURCE + """\
1.2 端末（会計年度任用職員を含む職員等の遵守事項）
④職員等は、離席時に端末をロックしなければならない。
⑤職員等は、私物の記録媒体を使用してはならない。
⑥情報セキュリティ管理者は、<b>重要</b> & 機密の情報を管理しなければならない。
⑦職員等及び外部委託事業者は、身分証明書を着用しなければならない。
"""

POLICY_V1 = POLICY + """\
  - id: fixed-term
    name: 会計年度任用職員
    canonical: fixed-term-staff
    member_of: [staff]
  - id: contractor
    name: 外部委託事業者
    canonical: contractor
"""

CHAPTER_2 = """\
number: "1.2"
title: 端末
obligations:
  - id: miyako.lock-screen
    clause: 1.2 ④
    text: 職員等は、離席時に端末をロックしなければならない。
    actors: [staff]
    modality: must
    topic: passwords
    summary: 離席時は端末をロックする
  - id: miyako.no-private-media
    clause: 1.2 ⑤
    text: 職員等は、私物の記録媒体を使用してはならない。
    actors: [staff]
    modality: must_not
    topic: passwords
    summary: 私物の記録媒体を使わない
  - id: miyako.manager-confidential
    clause: 1.2 ⑥
    text: 情報セキュリティ管理者は、<b>重要</b> & 機密の情報を管理しなければならない。
    actors: [security-manager]
    modality: must
    topic: passwords
    summary: 重要な情報を管理する
  - id: miyako.wear-id-badge
    clause: 1.2 ⑦
    text: 職員等及び外部委託事業者は、身分証明書を着用しなければならない。
    actors: [staff, contractor]
    modality: must
    topic: passwords
    summary: 身分証明書を着用する
"""

QUIZ = """\
questions:
  - id: miyako.q-password-note
    question: 同僚にパスワードを聞かれました。どうしますか。
    choices: [教える, 教えない]
    answer: 1
    explanation: パスワードは他者に知られないように管理します。
    cites: [miyako.password-keep-secret]
  - id: miyako.q-manager-info
    question: 管理者が<重要>な情報を受け取ったら？
    choices: [放置する, 管理する, 捨てる]
    answer: 1
    explanation: 管理者は重要な情報を管理します。
    cites: [miyako.manager-confidential, miyako.password-report-leak]
    roles: [security-manager]
"""

V1 = {
    "content/roles.yaml": BASE_FILES["content/roles.yaml"]
    + "  - id: fixed-term-staff\n    name: 会計年度任用職員\n    description: 任期付き\n"
    + "  - id: contractor\n    name: 委託先\n    description: 外部委託事業者\n",
    "content/miyako/source.txt": SOURCE_V1,
    "content/miyako/policy.yaml": POLICY_V1,
    "content/miyako/obligations/02-devices.yaml": CHAPTER_2,
    "quizzes/miyako/01.yaml": QUIZ,
}

# Version 2: one text changed, one obligation retired (kept in the YAML, marked), one deleted from
# the YAML outright (what the README tells editors not to do), one added; a later revision.
# The revised source no longer has the retired or the deleted sentence.
NEW_TEXT = "パスワードは、他者に知られないよう厳重に管理しなければならない。"
V2 = {
    **V1,
    "content/miyako/source.txt": SOURCE_V1.replace(
        "他者に知られないように管理しなければならない。", "他者に知られないよう厳重に管理しなければならない。")
    .replace("④職員等は、離席時に端末をロックしなければならない。\n", "")
    .replace("⑤職員等は、私物の記録媒体を使用してはならない。\n", "")
    + "⑧職員等は、不審な電子メールを開いてはならない。\n",
    "content/miyako/policy.yaml": POLICY_V1.replace('revision: "2026-04-01"', 'revision: "2027-04-01"'),
    "content/miyako/obligations/01-password.yaml": CHAPTER.replace(
        "他者に知られないように管理しなければならない。", "他者に知られないよう厳重に管理しなければならない。"),
    "content/miyako/obligations/02-devices.yaml": CHAPTER_2
    .replace("    summary: 離席時は端末をロックする\n", "    summary: 離席時は端末をロックする\n    retired: true\n")
    .replace(CHAPTER_2[CHAPTER_2.index("  - id: miyako.no-private-media"):CHAPTER_2.index("  - id: miyako.manager")], "")
    + """\
  - id: miyako.no-suspicious-mail
    clause: 1.2 ⑧
    text: 職員等は、不審な電子メールを開いてはならない。
    actors: [staff]
    modality: must_not
    topic: passwords
    summary: 不審なメールを開かない
""",
}


def render(root: Path, out: str) -> dict[str, Path]:
    """The decks of the project at ``root``, written under ``root/out``: {file name: path}."""
    content = load_content(root)
    files = {}
    for output in DeckRenderer().downloads(content, ("miyako",)):
        path = root / out / Path(output.path).name
        path.parent.mkdir(parents=True, exist_ok=True)
        path.write_bytes(output.data)
        files[path.name] = path
    return files


@pytest.fixture
def col(tmp_path_factory):
    """A new, empty collection, as a learner's Anki has before the first import."""
    collection = Collection(str(tmp_path_factory.mktemp("anki") / "collection.anki2"))
    yield collection
    collection.close()


def import_deck(col: Collection, path: Path):
    """Import as the Anki desktop app does by default (update notes and note types if newer)."""
    result = col.import_anki_package(ImportAnkiPackageRequest(
        package_path=str(path),
        options=ImportAnkiPackageOptions(
            merge_notetypes=False, update_notes=IF_NEWER, update_notetypes=IF_NEWER,
            with_scheduling=False, with_deck_configs=False)))
    col.models._clear_cache()
    return result.log


def note_of(col: Collection, record_id: str):
    note_id = col.db.scalar("select id from notes where guid = ?", genanki.guid_for(record_id))
    return col.get_note(note_id) if note_id else None


def deck_of(col: Collection, record_id: str) -> str:
    return col.decks.name(note_of(col, record_id).cards()[0].did)


# --- the real decks ------------------------------------------------------------------------------

def test_real_decks_of_a_policy_import_into_anki(built_site, col):
    content = load_content(built_site)
    policy = content.policy("miyako")
    records = (len(policy.obligations) + len([q for q in content.questions if q.policy == "miyako"])
               + len(extra_questions(policy)))
    folder = built_site / "dist" / "miyako"
    decks = [folder / "anki-all-staff.apkg"] + sorted(set(folder.glob("anki-*.apkg")) - {folder / "anki-all-staff.apkg"})
    assert not (folder / "anki-staff.apkg").exists()  # 職員等 is served by the all-staff deck
    for deck in decks:
        import_deck(col, deck)

    # Every obligation and question is a note, once, with one card; shared notes are not duplicated.
    assert col.note_count() == col.card_count() == records
    names = {d.name for d in col.decks.all_names_and_ids()}
    assert {"情報セキュリティ研修::宮古市::全職員共通", "情報セキュリティ研修::宮古市::情報システム管理者"} <= names

    note = note_of(col, "miyako.password-keep-secret")
    assert deck_of(col, "miyako.password-keep-secret") == "情報セキュリティ研修::宮古市::全職員共通"
    assert note["Clause"] == "5.4 (３) ①"
    assert note["Text"].endswith("パスワードは、他者に知られないように管理しなければならない。")
    assert {"policy::miyako", "topic::passwords", "role::staff", "clause::5.4_(３)_①"} <= set(note.tags)
    card = note.cards()[0]
    assert card.question().endswith(f"「{content.topic('passwords').name}」について、職員等が5.4 (３) ①の定めによりしなければならないことは何ですか。")
    answer = card.answer()
    assert f"<b>{policy.obligations[[o.id for o in policy.obligations].index('miyako.password-keep-secret')].summary}</b>" in answer
    assert "パスワードは、他者に知られないように管理しなければならない。" in answer
    assert "宮古市 宮古市情報セキュリティ対策基準 5.4 (３) ①" in answer
    generated = col.models.by_name("情報セキュリティ研修（生成問題）")
    assert col.db.scalar("select count() from notes where mid = ?", generated["id"]) == len(extra_questions(policy))


def test_real_role_deck_holds_only_the_roles_own_obligations(built_site, col):
    content = load_content(built_site)
    policy = content.policy("miyako")
    import_deck(col, built_site / "dist" / "miyako" / "anki-system-admin.apkg")
    guids = set(col.db.list("select guid from notes"))
    expected = {genanki.guid_for(o.id) for o in policy.obligations
                if "system-admin" in o.actors and "staff" not in o.actors}
    expected |= {genanki.guid_for(q.id) for q in content.questions
                 if q.policy == "miyako" and q.roles[:1] == ("system-admin",)}
    expected |= {genanki.guid_for(q.id) for q in extra_questions(policy) if q.roles[:1] == ("system-admin",)}
    assert guids == expected
    assert [d.name for d in col.decks.all_names_and_ids() if d.name.startswith("情報")] == [
        "情報セキュリティ研修", "情報セキュリティ研修::宮古市", "情報セキュリティ研修::宮古市::情報システム管理者"]


# --- the small project ---------------------------------------------------------------------------

def test_one_deck_for_all_staff_and_one_per_role_with_notes(project, tmp_path_factory):
    decks = render(project(V1), "v1")
    # 会計年度任用職員 only inherits: it uses the all-staff deck.
    assert sorted(decks) == ["anki-all-staff.apkg", "anki-contractor.apkg", "anki-security-manager.apkg"]
    ids = ["miyako.password-keep-secret", "miyako.password-report-leak", "miyako.lock-screen", "miyako.no-private-media",
           "miyako.manager-confidential", "miyako.wear-id-badge", "miyako.q-password-note", "miyako.q-manager-info"]
    contents = {}
    for name, path in decks.items():
        col = Collection(str(tmp_path_factory.mktemp("anki") / "collection.anki2"))
        assert import_deck(col, path).new
        contents[name] = {i: deck_of(col, i) for i in ids if note_of(col, i)}
        assert col.card_count() == len(contents[name])
        col.close()
    staff = f"{ROOT_DECK}::全職員共通"
    assert contents == {
        "anki-all-staff.apkg": {
            "miyako.password-keep-secret": staff, "miyako.password-report-leak": staff, "miyako.lock-screen": staff,
            "miyako.no-private-media": staff, "miyako.wear-id-badge": staff, "miyako.q-password-note": staff,
        },
        # Its own duty only: the rules for all staff are in the all-staff deck, which its holder imports too.
        "anki-security-manager.apkg": {
            "miyako.manager-confidential": f"{ROOT_DECK}::情報セキュリティ管理者",
            "miyako.q-manager-info": f"{ROOT_DECK}::情報セキュリティ管理者",
        },
        # A contractor is not one of 職員等 and imports only this deck: the duty it shares with staff is here too.
        "anki-contractor.apkg": {"miyako.wear-id-badge": f"{ROOT_DECK}::外部委託事業者"},
    }


def test_question_card_asks_without_choices_and_answers_with_explanation_and_clause(project, col):
    decks = render(project(V1), "v1")
    import_deck(col, decks["anki-security-manager.apkg"])
    note = note_of(col, "miyako.q-manager-info")
    card = note.cards()[0]
    question = card.question()
    assert question.endswith("管理者が&lt;重要&gt;な情報を受け取ったら？")  # recall: no choices, no letters to remember
    assert "放置する" not in question and "捨てる" not in question
    answer = card.answer()
    assert "<b>管理する</b>" in answer
    assert "管理者は重要な情報を管理します。" in answer
    assert "テスト市 テスト市情報セキュリティ対策基準 1.2 ⑥、1.1 ②" in answer
    assert sorted(note.tags) == ["clause::1.1_②", "clause::1.2_⑥", "policy::miyako", "question",
                                 "role::security-manager", "topic::passwords"]
    staff_question = note_of(col, "miyako.q-password-note")
    assert staff_question is None  # a question for everyone is in the all-staff deck only


def test_obligation_text_with_markup_shows_literally(project, col):
    decks = render(project(V1), "v1")
    import_deck(col, decks["anki-security-manager.apkg"])
    note = note_of(col, "miyako.manager-confidential")
    assert note["Text"] == "情報セキュリティ管理者は、&lt;b&gt;重要&lt;/b&gt; &amp; 機密の情報を管理しなければならない。"
    answer = note.cards()[0].answer()
    assert "&lt;b&gt;重要&lt;/b&gt; &amp; 機密" in answer and "<b>重要</b>" not in answer
    assert "テスト市 テスト市情報セキュリティ対策基準 1.2 ⑥" in answer


def test_cards_ask_one_thing_and_answer_briefly(project, col):
    decks = render(project(V1), "v1")
    import_deck(col, decks["anki-all-staff.apkg"])
    # a situation: what to do in it (too few roles here for a whom-to-report question)
    report = note_of(col, "miyako.password-report-leak").cards()[0]
    assert report.question().endswith("パスワードが流出した場合、職員等がしなければならないことは何ですか。")
    assert "<b>パスワードが流出したら所属長に速やかに報告する</b>" in report.answer()
    # no structure to ask about: what the clause requires, never "must or must not"
    keep = note_of(col, "miyako.password-keep-secret")
    assert keep.cards()[0].question().endswith("「パスワード」について、職員等が1.1 ①の定めによりしなければならないことは何ですか。")
    assert keep["Back"] == "<b>パスワードを他人に知られないようにする</b>"
    assert keep["Text"] == "パスワードは、他者に知られないように管理しなければならない。"  # one quote
    for note_id in col.find_notes(""):
        note = col.get_note(note_id)
        assert "原文で何と定められていますか" not in note["Front"]
        assert note["Back"] not in ("<b>しなければならない</b>", "<b>してはならない</b>")
        back = re.sub("<[^>]+>", "", note["Back"] + note["Text"] + note["Clause"] + note["Explanation"])
        assert len(back) <= 200, note["Front"]


def test_same_input_gives_identical_decks(project):
    root = project(V1)
    first, second = render(root, "a"), render(root, "b")
    assert {n: p.read_bytes() for n, p in first.items()} == {n: p.read_bytes() for n, p in second.items()}


def test_next_years_decks_keep_progress_update_changed_notes_and_mark_retired_ones(project, col):
    root = project(V1)
    v1 = render(root, "v1")
    for name in ("anki-all-staff.apkg", "anki-security-manager.apkg"):
        import_deck(col, v1[name])

    # Study: answer every new card (v3 scheduler), rating Easy so each becomes a review card.
    col.decks.select(col.decks.id_for_name(ROOT_DECK))
    answered = 0
    while queued := col.sched.get_queued_cards(fetch_limit=1).cards:
        card = col.get_card(queued[0].card.id)
        card.start_timer()
        col.sched.answer_card(col.sched.build_answer(card=card, states=queued[0].states, rating=CardAnswer.EASY))
        answered += 1
    assert answered == 8
    before = {c: (ivl, due) for c, ivl, due in col.db.execute("select id, ivl, due from cards")}
    assert all(ivl > 0 for ivl, _ in before.values())
    revlog = col.db.scalar("select count() from revlog")
    changed_before = note_of(col, "miyako.password-keep-secret")
    deleted_before = note_of(col, "miyako.no-private-media")

    project(V2)
    v2 = render(root, "v2")
    log = import_deck(col, v2["anki-all-staff.apkg"])
    import_deck(col, v2["anki-security-manager.apkg"])
    assert len(log.new) == 1 and log.updated

    # History kept: same cards, intervals, due dates and review log.
    assert col.db.scalar("select count() from revlog") == revlog
    after = {c: (ivl, due) for c, ivl, due in col.db.execute("select id, ivl, due from cards")}
    assert {c: after[c] for c in before} == before

    # The changed note is updated in place.
    changed = note_of(col, "miyako.password-keep-secret")
    assert changed.id == changed_before.id and changed["Text"].endswith(NEW_TEXT)
    assert changed.mod > changed_before.mod  # the later revision date
    assert NEW_TEXT in changed.cards()[0].answer()

    # The new obligation is added to the all-staff deck.
    assert deck_of(col, "miyako.no-suspicious-mail") == f"{ROOT_DECK}::全職員共通"

    # The retired obligation is still there (Anki never deletes), now marked 廃止.
    retired = note_of(col, "miyako.lock-screen")
    assert "retired" in retired.tags
    assert "<div class=retired>【廃止】この義務は現行の規程から削除されました。" in retired.cards()[0].question()

    # An obligation deleted from the YAML instead of retired stays as it was: learners keep studying it.
    deleted = note_of(col, "miyako.no-private-media")
    assert deleted is not None and deleted.id == deleted_before.id
    assert deleted.fields == deleted_before.fields and "retired" not in deleted.tags
    assert col.note_count() == 9


# A revision a year after the fixture revision that changes 1.3 ① alone (its summary).
LATER_REVISION = {
    **TRAINING_AFTER,
    "content/miyako/policy.yaml": TRAINING_AFTER["content/miyako/policy.yaml"].replace(
        'revision: "2027-04-01"\nrevisions:\n', 'revision: "2028-04-01"\nrevisions:\n  - date: "2028-04-01"\n'
        "    title: 令和10年4月改定\n    summary: 離席時の義務の要約を改めました。\n    changes: [miyako.lock-screen]\n"),
    "content/miyako/obligations/02-devices.yaml": DEVICES.replace("summary: 離席時は端末をロックする",
                                                                  "summary: 席を離れるときは必ず端末をロックする"),
}


def test_notes_of_changed_obligations_carry_the_revision_year_across_upgrades(project, col):
    root = project(TRAINING_BEFORE)
    import_deck(col, render(root, "v1")["anki-all-staff.apkg"])
    ids = {i: note_of(col, i).id for i in ("miyako.password-report-leak", "miyako.lock-screen", "miyako.q-leak-when")}
    assert not [t for n in col.find_notes("") for t in col.get_note(n).tags if t.startswith("改定")]

    project(TRAINING_AFTER)
    import_deck(col, render(root, "v2")["anki-all-staff.apkg"])
    tagged = {col.get_note(n).guid for n in col.find_notes("tag:改定::2027")}
    assert tagged == {genanki.guid_for(i) for i in (
        "miyako.password-keep-secret", "miyako.password-length", "miyako.password-report-leak",  # retired, added, changed
        "miyako.q-leak-whom", "miyako.q-leak-when", "miyako.q-length")}  # the questions citing them
    assert {i: note_of(col, i).id for i in ids} == ids  # the same notes: GUIDs do not depend on the tags

    # A year on, an import replaces the tags of each note: 2027's stays, 2028's is added.
    project(LATER_REVISION)
    import_deck(col, render(root, "v3")["anki-all-staff.apkg"])
    assert "改定::2027" in note_of(col, "miyako.password-report-leak").tags
    assert {t for t in note_of(col, "miyako.lock-screen").tags if t.startswith("改定")} == {"改定::2028"}
    assert {t for t in note_of(col, "miyako.q-lock").tags if t.startswith("改定")} == {"改定::2028"}
    assert col.find_notes("tag:改定::2028") and len(col.find_notes("tag:改定::2027")) == len(tagged)


# --- upgrading from the decks published before one-target cards (release 2026-11-30) --------------

PUBLISHED = "2026-11-30"
"""Release of the decks learners have today: one card per obligation asking 「原文で何と定められて
いますか」, authored questions with lettered choices, the same note type and GUIDs."""


def published_all_staff_deck(policy, questions) -> bytes:
    """The all-staff deck exactly as it was built for release PUBLISHED (fixture: the note
    building of that version, kept here to reproduce the learners' decks)."""
    from generator.model import MODALITY_LABELS
    from generator.renderers.decks import (
        ALL_STAFF_NAME, NOTE_TYPE, common_roles, deck_id, deck_name, escape, tag, write_package,
    )

    common = common_roles(policy)
    notes = []
    for o in sorted(policy.obligations, key=lambda o: (o.retired, o.source_line)):
        if not common & set(o.actors):
            continue
        actors = "、".join(policy.role(r).name for r in o.actors)
        notes.append(genanki.Note(model=NOTE_TYPE, fields=[
            f"<b>{escape(actors)}</b>は、次のことについて原文で何と定められていますか。<br><br>{escape(o.summary)}",
            f"<b>{escape(MODALITY_LABELS[o.modality])}</b>", escape(o.quote), escape(o.clause),
            escape(f"{policy.municipality} {policy.title}"), "", "", ""],
            guid=genanki.guid_for(o.id), tags=sorted({tag("policy", policy.id), tag("topic", o.topic)})))
    for q in questions:
        if q.roles and q.roles[0] not in common:
            continue
        choices = "<br>".join(f"{'ABCDEF'[i]}. {escape(c)}" for i, c in enumerate(q.choices))
        notes.append(genanki.Note(model=NOTE_TYPE, fields=[
            f"{escape(q.question)}<br><br>{choices}", f"<b>正解: {'ABCDEF'[q.answer]}. {escape(q.choices[q.answer])}</b>",
            "", "", escape(f"{policy.municipality} {policy.title}"), escape(q.explanation), "", ""],
            guid=genanki.guid_for(q.id), tags=[tag("policy", policy.id), "question"]))
    name = deck_name(policy, ALL_STAFF_NAME)
    deck = genanki.Deck(deck_id(name), name)
    for index, note in enumerate(notes):
        note.due = index
        deck.add_note(note)
    day = datetime.date.fromisoformat(PUBLISHED)
    stamp = datetime.datetime(day.year, day.month, day.day, tzinfo=datetime.timezone(datetime.timedelta(hours=9)))
    return write_package([deck], stamp.timestamp())


def test_upgrading_from_the_published_decks_keeps_history_in_real_anki(col, tmp_path, real_content):
    content = real_content
    policy = content.policy("moriyama")
    authored = [q for q in content.questions if q.policy == "moriyama"]
    old = tmp_path / "old.apkg"
    old.write_bytes(published_all_staff_deck(policy, authored))
    assert import_deck(col, old).new

    # A learner studies: a day's new cards, answered Good.
    col.decks.select(col.decks.id_for_name("情報セキュリティ研修::守山市::全職員共通"))
    while queued := col.sched.get_queued_cards(fetch_limit=1).cards:
        card = col.get_card(queued[0].card.id)
        card.start_timer()
        col.sched.answer_card(col.sched.build_answer(card=card, states=queued[0].states, rating=CardAnswer.GOOD))
    studied = {c: (ivl, due, queue) for c, ivl, due, queue in col.db.execute("select id, ivl, due, queue from cards where queue != 0")}
    assert len(studied) >= 10
    revlog = col.db.scalar("select count() from revlog")
    notes_before = dict(col.db.execute("select guid, id from notes"))

    new = tmp_path / "new.apkg"
    new.write_bytes(next(o.data for o in DeckRenderer().downloads(content, ("moriyama",))
                         if o.path.endswith("anki-all-staff.apkg")))
    log = import_deck(col, new)
    assert log.updated and log.new and not log.conflicting

    # History kept: the same notes and cards, with their intervals, due dates and review log.
    assert col.db.scalar("select count() from revlog") == revlog
    after = {c: (ivl, due, queue) for c, ivl, due, queue in col.db.execute("select id, ivl, due, queue from cards")}
    assert {c: after[c] for c in studied} == studied
    notes_after = dict(col.db.execute("select guid, id from notes"))
    assert {g: notes_after[g] for g in notes_before} == notes_before

    # The same note type (no copy 「…+」), now asking one thing per card; generated questions added
    # as their own note type.
    names = sorted(m["name"] for m in col.models.all())
    assert "情報セキュリティ研修（義務）" in names and "情報セキュリティ研修（生成問題）" in names
    assert not [n for n in names if n.startswith("情報セキュリティ研修") and n.endswith("+")]
    for guid, note_id in notes_before.items():
        note = col.get_note(note_id)
        assert "原文で何と定められていますか" not in note["Front"] and "A. " not in note["Front"]
    generated = col.models.by_name("情報セキュリティ研修（生成問題）")
    assert col.db.scalar("select count() from notes where mid = ?", generated["id"]) == len(log.new)

    # A law that was replaced: its note stays (Anki never deletes) and is marked as withdrawn.
    withdrawn = note_of(col, "moriyama.comply-personal-information-ordinance")
    assert withdrawn.id == notes_before[genanki.guid_for("moriyama.comply-personal-information-ordinance")]
    assert "retired" in withdrawn.tags and withdrawn["Status"].startswith("【出題停止】")
