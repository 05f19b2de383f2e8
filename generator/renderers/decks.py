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

Every card asks for one thing (the minimum information principle): whose approval, whom to
report to, by when, how often, the role hidden in the text, what to do in a situation, or what a
clause requires. The obligation's card asks the first of these its generated questions offer
(:data:`CARD_KINDS`); its other such questions are notes of their own type
(:data:`QUESTION_TYPE`), and authored scenario questions are asked without their choices (recall,
not recognising a letter). Backs stay short: the answer, one quote (cut around the answer when
long), the clause. Obligations no card should drill (an item of a list of laws, a law since
replaced) keep their note, marked as withdrawn from study, because Anki never deletes a note on
import. Notes of obligations a recorded revision added, changed or retired (and questions citing
them) carry the tag 改定::<year of the revision>, so a learner can study that year's changes.
"""

from __future__ import annotations

import datetime
import hashlib
import html
import itertools
import sqlite3
from collections.abc import Iterable, Iterator

import genanki

from ..archive import zip_bytes
from ..layout import Layout
from ..model import Content, Obligation, Policy, Question
from ..questions import GeneratedQuestion, askable, generate
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

TEMPLATES = [{
    "name": "カード1",
    "qfmt": "{{#Status}}<div class=retired>{{Status}}</div>{{/Status}}{{Front}}",
    "afmt": "{{FrontSide}}<hr id=answer>{{Back}}<div class=text>{{Text}}</div>"
            "<div class=clause>{{Policy}} {{Clause}}</div>{{#Explanation}}<p>{{Explanation}}</p>{{/Explanation}}",
}]
"""The one card template of both note types: its name and fields never change."""

NOTE_TYPE = genanki.Model(MODEL_ID, "情報セキュリティ研修（義務）", fields=[{"name": name} for name in FIELDS],
                          templates=TEMPLATES, css=CSS)
"""Obligations and authored scenario questions: the note type published from the first version."""

QUESTION_MODEL_ID = 1_384_207_562
"""Note type id of the generated questions, fixed forever."""

QUESTION_TYPE = genanki.Model(QUESTION_MODEL_ID, "情報セキュリティ研修（生成問題）",
                              fields=[{"name": name} for name in FIELDS], templates=TEMPLATES, css=CSS)
"""Generated questions (whose approval, whom to report to, by when …), one note each."""

RETIRED_NOTICE = "【廃止】この義務は現行の規程から削除されました。このカードは一時停止または削除してかまいません。"
"""Shown above a retired obligation's card (its Status field)."""

WITHDRAWN_NOTICE = ("【出題停止】このカードは学習の対象から外しました（法令の一覧の1項目、または改正で置き換えられた法令です）。"
                    "一時停止または削除してかまいません。")
"""Shown above the card of an obligation no card drills any more (its Status field)."""

CARD_KINDS = ("approver", "report_to", "deadline", "frequency", "cloze")
"""Which generated question an obligation's own card asks, the first available in this order.
Not "who must do this", nor a cloze hiding the actor: in a role's own deck the answer is always
that role. Which-statement questions need their choices and repeat what these ask."""

QUOTE_LIMIT = 100
"""Longest quote on a back, in characters; a longer text is cut around the answer."""


def deck_id(name: str) -> int:
    """A stable deck id from the deck name (Anki matches decks by name; the id only needs to be stable)."""
    return int.from_bytes(hashlib.sha256(name.encode()).digest()[:4], "big") >> 1 | 1 << 30


CARD_FORMAT = "2026-12-01"
"""Date of the last change to what the cards ask (one retrieval target per card): a deck is
released at the later of this and the policy revision, so notes built the new way are newer than
a learner's copy even when the content did not change. Move it forward with every such change."""


def release_timestamp(policy: Policy) -> float:
    """Seconds since the epoch at 00:00 JST of the release: the later of the policy revision and
    CARD_FORMAT, so it grows with each revision and each change of the cards."""
    day = datetime.date.fromisoformat(max(policy.revision, CARD_FORMAT))
    jst = datetime.timezone(datetime.timedelta(hours=9))
    return datetime.datetime(day.year, day.month, day.day, tzinfo=jst).timestamp()


def escape(text: str) -> str:
    """YAML text as field HTML: shown literally, line breaks kept."""
    return html.escape(text).replace("\n", "<br>")


def tag(kind: str, value: str) -> str:
    """``kind::value`` with white space (full-width included) replaced: Anki splits tags on it."""
    return f"{kind}::{WHITESPACE.sub('_', value.strip())}"


def excerpt(text: str, around: str = "") -> str:
    """The text, or a window of it around ``around`` with 「…」 where it is cut (at most QUOTE_LIMIT)."""
    if len(text) <= QUOTE_LIMIT:
        return text
    at = text.find(around) if around else -1
    start = 0 if at < 0 else max(0, min(at - QUOTE_LIMIT // 3, len(text) - QUOTE_LIMIT))
    end = start + QUOTE_LIMIT
    return ("…" if start else "") + text[start:end] + ("…" if end < len(text) else "")


def quote(o: Obligation, around: str) -> str:
    """The one quote on a back: the text cut around the answer's words, or the lead-in when
    only the lead-in has them (「…直ちに報告しなければならない。」 before a list of events)."""
    source = o.lead_in if around and around not in o.text and around in o.lead_in else o.text
    return excerpt(source, around)


RECALL_WORDING = (("選択肢から1つ選んでください", "答えてください"), ("どれですか", "何ですか"), ("どれか", "何か"))
"""How a question that offered choices is asked when it offers none."""


def recall(question: str) -> str:
    """A question asked without choices (recall, not recognition), as field HTML."""
    for offered, asked in RECALL_WORDING:
        question = question.replace(offered, asked)
    return escape(question)


def recallable(generated: list[GeneratedQuestion]) -> list[GeneratedQuestion]:
    """The generated questions worth a card: of CARD_KINDS, the answer not one of the actors,
    in the order of CARD_KINDS."""
    ok = [q for q in generated if q.kind in CARD_KINDS and not set(q.answer_roles) & set(q.obligation.actors)]
    return sorted(ok, key=lambda q: CARD_KINDS.index(q.kind))


def card_target(generated: list[GeneratedQuestion]) -> GeneratedQuestion | None:
    """The generated question an obligation's own card asks, if any: the first recallable one."""
    return next(iter(recallable(generated)), None)


def _note(model: genanki.Model, guid: str, front: str, back: str, text: str, clause: str, policy: Policy,
          explanation: str = "", status: str = "", tags: Iterable[str] = ()) -> genanki.Note:
    return genanki.Note(model=model, fields=[front, back, text, escape(clause), escape(f"{policy.municipality} {policy.title}"),
                                             explanation, status, ""], guid=guid, tags=sorted(set(tags)))


REVISION_TAG = "改定"
"""First part of the tag of a note whose obligation a recorded revision changed: 改定::2027."""


def revision_tags(policy: Policy, obligation_ids: Iterable[str]) -> list[str]:
    """``改定::<year>`` for each recorded revision (``revisions``) that added, changed or retired one
    of the obligations. Every year is kept, not only the newest: an import replaces a note's tags,
    so a later deck would otherwise take 改定::2027 away from a note that changed in 2027."""
    ids = set(obligation_ids)
    return [tag(REVISION_TAG, r.date[:4]) for r in policy.revisions if ids & set(r.changes)]


def _tags(policy: Policy, o: Obligation) -> list[str]:
    return ([tag("policy", policy.id), tag("topic", o.topic), tag("clause", o.clause)] + [tag("role", r) for r in o.actors]
            + revision_tags(policy, [o.id]))


def obligation_note(policy: Policy, o: Obligation, generated: list[GeneratedQuestion], topic: str = "") -> genanki.Note:
    """The obligation's card: one thing to recall (its first generated question as a prompt, or
    the action for its situation, or for its clause under its topic's name ``topic``); retired
    and withdrawn obligations are marked."""
    actors = "、".join(policy.role(r).name for r in o.actors)
    target = card_target(generated)
    if target is not None:
        answer = target.choices[target.answer]
        front, back = recall(target.question), f"<b>{escape(answer)}</b>"
        text = "" if target.kind == "cloze" else escape(quote(o, target.basis))
    else:
        verb = {"must": "しなければならないこと", "must_not": "してはならないこと", "may": "してよいこと",
                "should": "努めること"}.get(o.modality, "すること")
        front = escape(f"{o.when}、{actors}が{verb}は何ですか。" if o.when
                       else f"{f'「{topic}」について、' if topic else ''}{actors}が{o.clause}の定めにより{verb}は何ですか。")
        back, text = f"<b>{escape(o.summary)}</b>", escape(excerpt(o.text))
    status = RETIRED_NOTICE if o.retired else "" if askable(o) else WITHDRAWN_NOTICE
    tags = _tags(policy, o) + (["retired"] if status else [])
    return _note(NOTE_TYPE, genanki.guid_for(o.id), front, back, text, o.clause, policy, status=status, tags=tags)


def generated_note(policy: Policy, q: GeneratedQuestion) -> genanki.Note:
    """A generated question as a recall prompt: the question without choices; the answer, one
    quote cut around it and the clause on the back."""
    o = q.obligation
    text = "" if q.kind == "cloze" else escape(quote(o, q.basis))  # a cloze shows the text already
    return _note(QUESTION_TYPE, genanki.guid_for(q.id), recall(q.question), f"<b>{escape(q.choices[q.answer])}</b>",
                 text, o.clause, policy, tags=_tags(policy, o) + ["question", f"kind::{q.kind}"])


def question_note(policy: Policy, q: Question, roles: tuple[str, ...]) -> genanki.Note:
    """An authored scenario question as a recall prompt: the situation and question without the
    choices; the right action, the explanation (which quotes the text) and the clause on the back."""
    cited = [next(o for o in policy.obligations if o.id == c) for c in q.cites]
    tags = [tag("policy", policy.id), "question"] + [tag("role", r) for r in roles] + revision_tags(policy, q.cites)
    tags += [t for o in cited for t in (tag("topic", o.topic), tag("clause", o.clause))]
    return _note(NOTE_TYPE, genanki.guid_for(q.id), recall(q.question), f"<b>{escape(q.choices[q.answer])}</b>", "",
                 "、".join(dict.fromkeys(o.clause for o in cited)), policy, explanation=escape(q.explanation), tags=tags)


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
    return zip_bytes([("collection.anki2", database), ("media", b"{}")])


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
    A question (authored, or generated and not asked by its obligation's card) goes to the deck
    of its first role, or the all-staff deck.
    """
    common = common_roles(policy)
    questions = list(questions) + extra_questions(policy)
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


def generated_by_obligation(policy: Policy) -> dict[str, list[GeneratedQuestion]]:
    """The policy's generated questions, by obligation id."""
    result: dict[str, list[GeneratedQuestion]] = {}
    for q in generate(policy):
        result.setdefault(q.cites[0], []).append(q)
    return result


def extra_questions(policy: Policy) -> list[Question]:
    """Generated questions that become notes of their own: the recallable ones other than the
    question their obligation's card asks."""
    return [q for generated in generated_by_obligation(policy).values() for q in recallable(generated)[1:]]


def policy_decks(policy: Policy, questions: list[Question],
                 topics: dict[str, str] | None = None) -> Iterator[tuple[str, genanki.Deck]]:
    """(file key, deck) of one policy, as :func:`deck_contents` selects them; ``topics`` maps
    topic ids to the names cards show."""
    common = common_roles(policy)
    generated = generated_by_obligation(policy)
    for key, audience, obligations, asked in deck_contents(policy, questions):
        notes = [obligation_note(policy, o, generated.get(o.id, []), (topics or {}).get(o.topic, ""))
                 for o in obligations]
        notes += [generated_note(policy, q) if isinstance(q, GeneratedQuestion)
                  else question_note(policy, q, q.roles or tuple(sorted(common))) for q in asked]
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
            for key, deck in policy_decks(policy, questions, {t.id: t.name for t in content.topics}):
                yield Output(Layout.deck_file(pid, key), write_package([deck], release_timestamp(policy)))
