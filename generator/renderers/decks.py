"""Anki decks (genanki) that survive yearly regeneration.

What keeps a learner's history across versions (measured, see shared/research/anki-decks.md):
note GUIDs derived from obligation ids, never from text; one note type whose id, field names and
template names never change (spare fields included from the start); deck names that never change;
a modification time taken from the policy revision, so a revised note is newer than the
learner's copy; retired obligations still shipped, marked. The package is zipped with fixed entry
dates so the same content gives the same bytes.
"""

from __future__ import annotations

import datetime
import hashlib
import html
import io
import itertools
import sqlite3
import tempfile
import zipfile
from collections.abc import Iterable
from pathlib import Path

import genanki

from ..model import MODALITY_LABELS, Content, Obligation, Policy
from ..views import role_rules
from . import Output, Settings

DECK_ROOT = "情報セキュリティ研修"
"""First part of every deck name: 情報セキュリティ研修::宮古市::情報システム管理者."""

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


def deck_id(name: str) -> int:
    """A stable deck id from the deck name (Anki matches decks by name; the id only needs to be stable)."""
    return int.from_bytes(hashlib.sha256(name.encode()).digest()[:4], "big") >> 1 | 1 << 30


def release_timestamp(policy: Policy) -> float:
    """Seconds since the epoch at 00:00 JST of the policy revision: grows with each revision."""
    day = datetime.date.fromisoformat(policy.revision)
    jst = datetime.timezone(datetime.timedelta(hours=9))
    return datetime.datetime(day.year, day.month, day.day, tzinfo=jst).timestamp()


def note_for(policy: Policy, o: Obligation) -> genanki.Note:
    e = html.escape
    actors = "、".join(policy.role(r).name for r in o.actors)
    front = f"<b>{e(actors)}</b>は、次のことについて原文で何と定められていますか。<br><br>{e(o.summary)}"
    back = f"<b>{e(MODALITY_LABELS[o.modality])}</b>"
    text = (f"{e(o.lead_in)}<br>" if o.lead_in else "") + e(o.text)
    tags = [f"topic::{o.topic}", f"clause::{o.clause.replace(' ', '_')}"] + [f"role::{r}" for r in o.actors]
    status = "この義務は現行の規程から削除されました（復習不要）" if o.retired else ""
    return genanki.Note(
        model=NOTE_TYPE,
        fields=[front, back, text, e(o.clause), e(f"{policy.municipality} {policy.title}"), "", e(status), ""],
        guid=genanki.guid_for(o.id),
        tags=tags + (["retired"] if o.retired else []),
    )


def write_package(decks: list[genanki.Deck], timestamp: float) -> bytes:
    """The .apkg bytes: genanki's database, zipped with fixed dates and deflate."""
    with tempfile.TemporaryDirectory() as tmp:
        db_path = Path(tmp) / "collection.anki2"
        connection = sqlite3.connect(db_path)
        package = genanki.Package(decks)
        package.write_to_db(connection.cursor(), timestamp, itertools.count(int(timestamp * 1000)))
        connection.commit()
        connection.close()
        buffer = io.BytesIO()
        with zipfile.ZipFile(buffer, "w") as archive:
            for name, data in (("collection.anki2", db_path.read_bytes()), ("media", b"{}")):
                info = zipfile.ZipInfo(name, date_time=(1980, 1, 1, 0, 0, 0))
                info.compress_type = zipfile.ZIP_DEFLATED
                archive.writestr(info, data)
        return buffer.getvalue()


def deck_name(policy: Policy, audience: str) -> str:
    return f"{DECK_ROOT}::{policy.municipality}::{audience}"


def deck_file(policy: Policy, role_id: str) -> str:
    return f"downloads/{policy.id}/anki-{role_id}.apkg"


class DeckRenderer:
    """One deck per role with its own obligations; the all-staff role's deck holds the common rules.

    A person holding two roles imports both decks; a note shared by two roles keeps one GUID and
    stays in whichever deck was imported first, with its history.
    """

    def render(self, content: Content, settings: Settings) -> Iterable[Output]:
        for pid in settings.policies:
            policy = content.policy(pid)
            timestamp = release_timestamp(policy)
            for role in policy.roles:
                own = role_rules(policy, role).own
                retired = tuple(o for o in policy.obligations if o.retired and role.id in o.actors)
                if not own and not retired:
                    continue
                name = deck_name(policy, role.name)
                deck = genanki.Deck(deck_id(name), name)
                for index, o in enumerate(sorted(own + retired, key=lambda o: o.source_line)):
                    note = note_for(policy, o)
                    note.due = index
                    deck.add_note(note)
                yield Output(deck_file(policy, role.id), write_package([deck], timestamp))

