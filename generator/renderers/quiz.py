"""The browser quiz: per policy one data file ``<prefix>quiz/bank.js``, per role a page
``<prefix>quiz/<role>.md`` that loads it and ``assets/quiz.js``.

The data is a script that defines a global rather than JSON fetched at run time, so the quiz works
from a file share (``file://``) as well as from a web server. The answers are in the data: it is a
self-study quiz, and the page's tests read them from there.

The data also says what the newest revision changed (``changes``: its date and title, or null
when it records no change list) and, per question, whether it cites an obligation the revision
changed (``changed``) and a ``version`` of what a learner recalls: the practice state is stored
under the question's id and version, so it carries over to a new revision unless the question's
wording or answer changed.
"""

from __future__ import annotations

import hashlib
import json
from collections.abc import Iterable

from ..anchors import clause_anchor
from ..layout import PageLinks
from ..model import Content, Policy, Question
from ..questions import (
    APPLIED_KINDS, EXAM_MAX_KIND_SHARE, EXAM_MIN_APPLIED, KIND_LABELS, answer_roles, bank, kind_of, pool,
)
from ..sources import squeeze
from ..views import memberships
from . import Output, Settings
from .templating import environment

BANK_GLOBAL = "HANDBOOK_QUIZ"
"""The global object of ``bank.js``: ``window.HANDBOOK_QUIZ[<policy id>] = {...}``."""


def question_version(q: Question) -> str:
    """What a learner recalls of a question, hashed: its text and its right answer (white space
    aside). Another distractor or explanation leaves it; another deadline in the answer changes it."""
    return hashlib.sha256(f"{squeeze(q.question)}\x1f{squeeze(q.choices[q.answer])}".encode()).hexdigest()[:10]


def changed(policy: Policy, q: Question) -> bool:
    """Whether the question cites an obligation named in the changes of the policy's newest revision."""
    return bool(set(q.cites) & set(policy.current_changes))


def bank_script(policy: Policy, questions: list[Question]) -> str:
    """``bank.js``: the policy's questions as a JavaScript object literal (JSON, sorted keys), with
    what the exam draw needs (each question's topic, whether it is applied, the roles its answer
    names, and the quotas) and what the practice state and the 「今回の改定で変わったところ」 set need
    (each question's version and whether the newest revision changed it, the revision's date and title)."""
    obligations = {o.id: o for o in policy.obligations}
    items = []
    for q in questions:
        cited = obligations[q.cites[0]]
        items.append({
            "id": q.id, "kind": kind_of(q), "kindLabel": KIND_LABELS[kind_of(q)], "question": q.question,
            "choices": list(q.choices), "answer": q.answer, "explanation": q.explanation,
            "cites": list(q.cites), "roles": list(q.roles), "clause": cited.clause, "anchor": clause_anchor(cited.clause),
            "topic": cited.topic, "applied": kind_of(q) in APPLIED_KINDS, "answerRoles": list(answer_roles(q)),
            "version": question_version(q), "changed": changed(policy, q),
        })
    exam = {"minApplied": EXAM_MIN_APPLIED, "maxKindShare": EXAM_MAX_KIND_SHARE}
    newest = {"date": policy.revisions[0].date, "title": policy.revisions[0].title} if policy.current_changes else None
    data = {"policy": policy.id, "municipality": policy.municipality, "revision": policy.revision, "exam": exam,
            "changes": newest, "questions": items}
    text = json.dumps(data, ensure_ascii=False, sort_keys=True, separators=(",", ":"))
    text = text.replace("\u2028", "\\u2028").replace("\u2029", "\\u2029")
    return (f"// 生成ファイル（handbook）: {policy.municipality}のクイズ問題。編集しないでください。\n"
            f"window.{BANK_GLOBAL} = window.{BANK_GLOBAL} || {{}};\n"
            f"window.{BANK_GLOBAL}[{json.dumps(policy.id)}] = {text};\n")


class QuizRenderer:
    def pages(self, content: Content, settings: Settings) -> Iterable[Output]:
        template = environment().get_template("quiz.md.j2")
        layout = settings.layout
        for pid in layout.hosted_policies:
            policy = content.policy(pid)
            questions = bank(content, policy)
            yield Output(layout.quiz_bank(pid), bank_script(policy, questions))
            for role in policy.roles:
                page = layout.quiz(pid, role.id)
                mine = pool(questions, policy, role)
                yield Output(page, template.render(
                    policy=policy, role=role, count=len(mine), changed=sum(changed(policy, q) for q in mine),
                    settings=settings, layout=layout, links=PageLinks(layout, page, pid),
                    roles=" ".join([role.id, *(m.id for m in memberships(policy, role))]),
                    members=memberships(policy, role)))

    def downloads(self, content: Content, policies: tuple[str, ...]) -> Iterable[Output]:
        return ()
