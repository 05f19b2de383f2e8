"""The exam draw and the choice shuffling of docs/assets/quiz.js, run in node against the real
banks (the same code the browser and benchmarks/exam_integrity.py run)."""

from __future__ import annotations

import json
import subprocess
from collections import Counter

import pytest

from benchmarks.exam_integrity import NODE_PRELUDE
from generator.questions import APPLIED_KINDS, answer_roles, EXAM_MAX_KIND_SHARE, EXAM_MIN_APPLIED, bank, pool
from generator.renderers.quiz import bank_script
from generator.views import memberships

from .conftest import ROOT

QUIZ_JS = ROOT / "docs" / "assets" / "quiz.js"
SEEDS = 300
REQUESTS: dict[str, dict] = {}
"""The node harness's input per policy (the all-staff pool, the roles its taker holds), filled by
the draws fixture."""

HARNESS = NODE_PRELUDE + r"""
const items = input.ids.map((id) => byId.get(id));
const exams = [];
for (let seed = 1; seed <= input.seeds; seed++) {
  const exam = core.drawExam(items, 20, seed, data.exam, input.held);
  exams.push(exam.map((q) => ({ id: q.id, order: core.choiceOrder(q, seed) })));
}
const again = core.drawExam(items, 20, 7, data.exam, input.held).map((q) => q.id);
process.stdout.write(JSON.stringify({ exams, again }));
"""

FIRST_HARNESS = NODE_PRELUDE + r"""
const items = input.ids.map((id) => byId.get(id));
const first = new Set(input.first);
const exams = [];
for (let seed = 1; seed <= input.seeds; seed++) {
  exams.push(core.drawExam(items, 20, seed, data.exam, input.held, (q) => first.has(q.id)).map((q) => q.id));
}
process.stdout.write(JSON.stringify(exams));
"""


def node(harness: str, request: dict):
    done = subprocess.run(["node", "-e", harness], input=json.dumps(request), capture_output=True, text=True, check=True)
    return json.loads(done.stdout)


@pytest.fixture(scope="module")
def draws(tmp_path_factory, real_content):
    """{policy: (questions by id, exams of the all-staff pool, the exam of seed 7 drawn again)}."""
    content = real_content
    folder = tmp_path_factory.mktemp("banks")
    result = {}
    for policy in content.policies:
        questions = bank(content, policy)
        staff = next(r for r in policy.roles if r.canonical == "all-staff")
        bank_js = folder / f"{policy.id}.js"
        bank_js.write_text(bank_script(policy, questions), encoding="utf-8")
        request = {"quizJs": str(QUIZ_JS), "bankJs": str(bank_js), "policy": policy.id, "seeds": SEEDS,
                   "ids": [q.id for q in pool(questions, policy, staff)],
                   "held": [staff.id, *(m.id for m in memberships(policy, staff))]}
        out = node(HARNESS, request)
        result[policy.id] = ({q.id: q for q in questions}, out["exams"], out["again"])
        REQUESTS[policy.id] = request
    return result


def assert_quotas(questions: dict, ids: list[str], held: list[str]) -> None:
    from generator.questions import kind_of

    assert len(ids) == 20 and len(set(ids)) == 20
    kinds = Counter(kind_of(questions[i]) for i in ids)
    assert sum(kinds[k] for k in APPLIED_KINDS) >= EXAM_MIN_APPLIED * 20, kinds
    assert all(n <= EXAM_MAX_KIND_SHARE * 20 for k, n in kinds.items() if k != "scenario"), kinds
    # never a question whose answer is a role the taker holds (all staff: 職員, 職員等)
    assert not [i for i in ids if questions[i].choices[questions[i].answer] in ("職員", "職員等")]
    assert not [i for i in ids if set(answer_roles(questions[i])) & set(held)]
    generated = Counter(questions[i].cites[0] for i in ids if kind_of(questions[i]) != "scenario")
    assert max(generated.values(), default=0) == 1  # one would show what another asks


@pytest.mark.parametrize("policy", ["miyako", "moriyama", "nabari"])
def test_draw_meets_the_quotas(draws, policy):
    questions, exams, _ = draws[policy]
    for exam in exams:
        assert_quotas(questions, [item["id"] for item in exam], REQUESTS[policy]["held"])
    # different seeds, different exams
    assert len({tuple(sorted(item["id"] for item in exam)) for exam in exams}) == len(exams)


@pytest.mark.parametrize("policy", ["miyako", "moriyama", "nabari"])
def test_choices_are_shuffled_per_attempt_and_stable_within_one(draws, policy):
    questions, exams, again = draws[policy]
    assert again == [item["id"] for item in exams[6]]  # seed 7 again: the same exam (a reload)
    positions = Counter()
    orders: dict[str, set[tuple[int, ...]]] = {}
    for exam in exams:
        for item in exam:
            q = questions[item["id"]]
            assert sorted(item["order"]) == list(range(len(q.choices)))
            positions[item["order"].index(q.answer)] += 1
            orders.setdefault(item["id"], set()).add(tuple(item["order"]))
    total = sum(positions.values())
    assert all(abs(positions[p] / total - 0.25) < 0.04 for p in range(4)), positions  # answer positions balanced
    seen_often = [o for qid, o in orders.items() if len(o) > 1]
    assert len(seen_often) > 0.5 * len(orders)  # the same question comes in different orders in different attempts


@pytest.mark.parametrize("policy", ["miyako", "moriyama", "nabari"])
def test_changed_questions_come_first_as_far_as_the_quotas_allow(draws, policy):
    """A revision that changed the obligations with the most generated questions in the pool, as
    many as keep the questions citing them (scenarios too) within an exam: every one of those is in
    each exam unless the rules keep it out (a second generated question on one obligation, a kind
    at its cap), and the exam still meets the quotas."""
    from generator.questions import kind_of

    questions, _, _ = draws[policy]
    request = REQUESTS[policy]
    eligible = [i for i in request["ids"] if not set(answer_roles(questions[i])) & set(request["held"])]
    counts = Counter(questions[i].cites[0] for i in eligible if kind_of(questions[i]) != "scenario")
    changed: set[str] = set()
    first: list[str] = []
    for obligation, _ in counts.most_common():
        citing = [i for i in eligible if (changed | {obligation}) & set(questions[i].cites)]
        if len(citing) <= 20:
            changed.add(obligation)
            first = citing
    assert len(first) >= 10 and len(changed) >= 3
    for ids in node(FIRST_HARNESS, {**request, "seeds": 100, "first": first}):
        assert_quotas(questions, ids, request["held"])
        kinds = Counter(kind_of(questions[i]) for i in ids)
        asked = {questions[i].cites[0] for i in ids if kind_of(questions[i]) != "scenario"}
        for i in set(first) - set(ids):
            q = questions[i]
            assert kind_of(q) != "scenario" and (q.cites[0] in asked or kinds[kind_of(q)] >= EXAM_MAX_KIND_SHARE * 20), i
