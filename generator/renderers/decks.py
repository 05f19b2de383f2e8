"""Anki decks (genanki) that survive yearly regeneration.

What keeps a learner's history across versions (measured, see shared/research/anki-decks.md):
note GUIDs derived from obligation and question ids, never from text; one note type whose id,
field names and template names never change (spare fields included from the start); deck names
that never change; a modification time taken from the policy revision, so a revised note is newer
than the learner's copy; retired obligations still shipped, marked 廃止, because Anki never deletes
a note on import. The package is zipped with fixed entry dates so the same content gives the same
bytes.

Decks per policy: one for all staff (``anki-all-staff.apkg``) with the obligations of the
all-staff roles and the questions for everyone, and one per other role with that role's own
obligations and questions (``anki-<role>.apkg``); a role with nothing of its own gets no deck.
"""

from __future__ import annotations

import datetime
import hashlib
import html
import io
import itertools
import sqlite3
import zipfile
from collections.abc import Iterable, Iterator
from pathlib import Path

import genanki

from ..layout import Layout
from ..model import MODALITY_LABELS, Content, Obligation, Policy, Question
from ..sources import WHITESPACE
from ..views import memberships
from . import Output, Settings

DECK_ROOT = "情報セキュリティ研修"
"""First part of every deck name: 情報セキュリティ研修::宮古市::情報システム管理者."""

ALL_STAFF = "all-staff"
"""File key of the all-staff deck: ``downloads/<policy>/anki-all-staff.apkg``."""

ALL_STAFF_NAME = "全職員共通"
"""Last part of the all-staff deck's name, the same in every policy and every year."""

MODEL_ID = 1_384_207_561
"""Note type id, fixed forever (in Anki's accepted range [2**30, 2**31))."""

FIELDS = ["Front", "Back", "Text", "Clause", "Policy", "Explanation", "Status", "Spare"]
"""Field names and order, fixed forever: changing them makes Anki fork the note type."""

CSS = """.card { font-family: sans-serif; font-size: 20px; text-align: left; color: #1b1b1b; background: #fff; }
.clause { color: #555; font-size: 15px; }
.text { border-left: 4px solid #3f51b5; padding-left: .6em; margin: .8em 0; }
.retired { color: #b00020; font-weight: bold; }
.nightMode .card, .card.nightMode { color: #eee; background: #222; }
"""

NOTE_TYPE = genanki.Model(
    MODEL_ID,
    "情報セキュリティ研修（義務）",
    fields=[{"name": name} for name in FIELDS],
    templates=[{
        "name": "カード1",
        "qfmt": "{{#Status}}<div class=retired>{{Status}}</div>{{/Status}}{{Front}}",
        "afmt": "{{FrontSide}}<hr id=answer>{{Back}}<div class=text>{{Text}}</div>"
                "<div class=clause>{{Policy}} {{Clause}}</div>{{#Explanation}}<p>{{Explanation}}</p>{{/Explanation}}",
    }],
    css=CSS,
)

RETIRED_NOTICE = "【廃止】この義務は現行の規程から削除されました。このカードは一時停止または削除してかまいません。"
"""Shown above a retired obligation's card (its Status field)."""

LETTERS = "ABCDEF"
"""Labels of a question's choices, in order."""


def deck_id(name: str) -> int:
    """A stable deck id from the deck name (Anki matches decks by name; the id only needs to be stable)."""
    return int.from_bytes(hashlib.sha256(name.encode()).digest()[:4], "big") >> 1 | 1 << 30


def release_timestamp(policy: Policy) -> float:
    """Seconds since the epoch at 00:00 JST of the policy revision: grows with each revision."""
    day = datetime.date.fromisoformat(policy.revision)
    jst = datetime.timezone(datetime.timedelta(hours=9))
    return datetime.datetime(day.year, day.month, day.day, tzinfo=jst).timestamp()


def escape(text: str) -> str:
    """YAML text as field HTML: shown literally, line breaks kept."""
    return html.escape(text).replace("\n", "<br>")


def tag(kind: str, value: str) -> str:
    """``kind::value`` with white space (full-width included) replaced: Anki splits tags on it."""
    return f"{kind}::{WHITESPACE.sub('_', value.strip())}"


def quoted(o: Obligation) -> str:
    """The verbatim text with its lead-in, as field HTML."""
    return escape(o.quote)


def obligation_note(policy: Policy, o: Obligation) -> genanki.Note:
    actors = "、".join(policy.role(r).name for r in o.actors)
    front = f"<b>{escape(actors)}</b>は、次のことについて原文で何と定められていますか。<br><br>{escape(o.summary)}"
    back = f"<b>{escape(MODALITY_LABELS[o.modality])}</b>"
    tags = [tag("policy", policy.id), tag("topic", o.topic), tag("clause", o.clause)]
    tags += [tag("role", r) for r in o.actors] + (["retired"] if o.retired else [])
    return genanki.Note(
        model=NOTE_TYPE,
        fields=[front, back, quoted(o), escape(o.clause), escape(f"{policy.municipality} {policy.title}"), "",
                RETIRED_NOTICE if o.retired else "", ""],
        guid=genanki.guid_for(o.id),
        tags=sorted(set(tags)),
    )


def question_note(policy: Policy, q: Question, roles: tuple[str, ...]) -> genanki.Note:
    """A scenario question: the choices on the front; the answer, explanation and cited text on the back."""
    cited = [next(o for o in policy.obligations if o.id == c) for c in q.cites]
    choices = "<br>".join(f"{LETTERS[i]}. {escape(choice)}" for i, choice in enumerate(q.choices))
    front = f"{escape(q.question)}<br><br>{choices}"
    back = f"<b>正解: {LETTERS[q.answer]}. {escape(q.choices[q.answer])}</b>"
    tags = [tag("policy", policy.id), "question"] + [tag("role", r) for r in roles]
    tags += [t for o in cited for t in (tag("topic", o.topic), tag("clause", o.clause))]
    return genanki.Note(
        model=NOTE_TYPE,
        fields=[front, back, "<br><br>".join(quoted(o) for o in cited), escape("、".join(o.clause for o in cited)),
                escape(f"{policy.municipality} {policy.title}"), escape(q.explanation), "", ""],
        guid=genanki.guid_for(q.id),
        tags=sorted(set(tags)),
    )


def write_package(decks: list[genanki.Deck], timestamp: float) -> bytes:
    """The .apkg bytes: genanki's database (built in memory), zipped with fixed dates and deflate."""
    connection = sqlite3.connect(":memory:")
    try:
        package = genanki.Package(decks)
        package.write_to_db(connection.cursor(), timestamp, itertools.count(int(timestamp * 1000)))
        connection.commit()
        database = connection.serialize()
    finally:
        connection.close()
    buffer = io.BytesIO()
    with zipfile.ZipFile(buffer, "w") as archive:
        for name, data in (("collection.anki2", database), ("media", b"{}")):
            info = zipfile.ZipInfo(name, date_time=(1980, 1, 1, 0, 0, 0))
            info.compress_type = zipfile.ZIP_DEFLATED
            archive.writestr(info, data)
    return buffer.getvalue()


def deck_name(policy: Policy, audience: str) -> str:
    return f"{DECK_ROOT}::{policy.municipality}::{audience}"


def common_roles(policy: Policy) -> set[str]:
    """Local roles the all-staff deck serves: all-staff roles, and fixed-term staff who only inherit."""
    acting = {r for o in policy.obligations for r in o.actors}
    return {
        r.id for r in policy.roles
        if r.canonical == "all-staff" or (r.canonical == "fixed-term-staff" and r.id not in acting)
    }


def deck_contents(policy: Policy, questions: list[Question]) -> list[tuple[str, str, list[Obligation], list[Question]]]:
    """(file key, audience, obligations, questions) of each deck of one policy that has notes:
    the all-staff deck first, then one per role.

    An obligation of an all-staff role is in the all-staff deck, and not in the decks of roles
    whose holders import that deck too (members of 職員等): a GUID lives in one deck of a
    collection. It is in the deck of an actor outside the staff (a contractor), who imports only
    their own. An obligation of several other roles is in each of their decks under one GUID:
    whoever holds two such roles keeps it once, in the deck imported first, with its history.
    A question goes to the deck of its first role, or the all-staff deck.
    """
    common = common_roles(policy)
    obligations = sorted(policy.obligations, key=lambda o: (o.retired, o.source_line))
    audiences = [(ALL_STAFF, ALL_STAFF_NAME)] + [(r.id, r.name) for r in policy.roles if r.id not in common]
    result = []
    for key, audience in audiences:
        if key == ALL_STAFF:
            mine = [o for o in obligations if common & set(o.actors)]
        else:
            staff_member = any(m.id in common for m in memberships(policy, policy.role(key)))
            mine = [o for o in obligations if key in o.actors and not (staff_member and common & set(o.actors))]
        asked = [q for q in questions if (q.roles[0] if q.roles and q.roles[0] not in common else ALL_STAFF) == key]
        if mine or asked:
            result.append((key, audience, mine, asked))
    return result


def decks_for_role(policy: Policy, questions: list[Question], role_id: str) -> list[str]:
    """File names of the decks a holder of the role imports: its own deck, then the all-staff
    deck if the role is one of the staff."""
    keys = {key for key, *_ in deck_contents(policy, questions)}
    common = common_roles(policy)
    staff = role_id in common or any(m.id in common for m in memberships(policy, policy.role(role_id)))
    wanted = ([role_id] if role_id in keys else []) + ([ALL_STAFF] if staff and ALL_STAFF in keys else [])
    return [f"anki-{key}.apkg" for key in wanted]


def policy_decks(policy: Policy, questions: list[Question]) -> Iterator[tuple[str, genanki.Deck]]:
    """(file key, deck) of one policy, as :func:`deck_contents` selects them."""
    common = common_roles(policy)
    for key, audience, obligations, asked in deck_contents(policy, questions):
        notes = [obligation_note(policy, o) for o in obligations]
        notes += [question_note(policy, q, q.roles or tuple(sorted(common))) for q in asked]
        name = deck_name(policy, audience)
        deck = genanki.Deck(deck_id(name), name)
        for index, note in enumerate(notes):
            note.due = index
            deck.add_note(note)
        yield key, deck


class DeckRenderer:
    """The decks of each published policy, one package per deck."""

    def pages(self, content: Content, settings: Settings) -> Iterable[Output]:
        return ()

    def downloads(self, content: Content, policies: tuple[str, ...]) -> Iterable[Output]:
        for pid in policies:
            policy = content.policy(pid)
            questions = [q for q in content.questions if q.policy == pid]
            for key, deck in policy_decks(policy, questions):
                yield Output(Layout.deck_file(pid, key), write_package([deck], release_timestamp(policy)))
