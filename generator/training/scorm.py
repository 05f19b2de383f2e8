"""SCORM 1.2 packages of each role's exam, for a municipality's LMS: the controlled route, where
the LMS knows who is signed in and records the score.

A package holds ``imsmanifest.xml`` (content packaging 1.1.2 with the ADL SCORM 1.2 extensions,
one SCO), ``index.html``, ``scorm-exam.js`` (the run-time: API discovery, LMSInitialize,
score, lesson status, session time, suspend data, LMSFinish) and ``exam-data.js`` (the role's
question pool). The zip bytes depend only on the content: fixed timestamps and file order.
"""

from __future__ import annotations

import json
from collections.abc import Iterable

from jinja2 import Environment, PackageLoader, select_autoescape

from ..archive import zip_bytes
from ..model import Content
from ..questions import bank, pool
from .bank import exam_title

FILES = ("index.html", "scorm-exam.js", "exam-data.js")
"""The package's files besides the manifest, in zip order."""


def _environment() -> Environment:
    return Environment(loader=PackageLoader("generator.training", "templates"),
                       autoescape=select_autoescape(["j2"]), trim_blocks=True, lstrip_blocks=True, keep_trailing_newline=True)


def exam_data(title: str, questions, size: int, pass_mark: int) -> str:
    """``exam-data.js``: the pool as ``window.HANDBOOK_EXAM``."""
    data = {"title": title, "size": size, "passMark": pass_mark, "questions": [
        {"id": q.id, "question": q.question, "choices": list(q.choices), "answer": q.answer} for q in questions]}
    text = json.dumps(data, ensure_ascii=False, sort_keys=True, separators=(",", ":"))
    text = text.replace("\u2028", "\\u2028").replace("\u2029", "\\u2029").replace("</", "<\\/")
    return f"window.HANDBOOK_EXAM = {text};\n"


def package(files: dict[str, str]) -> bytes:
    """A deterministic zip of the package's files, in the given order."""
    return zip_bytes((name, text.encode("utf-8")) for name, text in files.items())


def scorm_packages(content: Content, policy_ids: Iterable[str], questions: int = 20,
                   pass_mark: int = 80) -> list[tuple[str, bytes]]:
    """``(<policy>/scorm-<role>.zip, bytes)`` for every role with questions of each policy."""
    env = _environment()
    runtime = (env.loader.get_source(env, "scorm-exam.js")[0])
    result = []
    for pid in policy_ids:
        policy = content.policy(pid)
        questions_of_policy = bank(content, policy)
        for role in policy.roles:
            role_pool = pool(questions_of_policy, policy, role)
            if not role_pool:
                continue
            title = exam_title(policy.municipality, role.name)
            identifier = f"handbook-{policy.id}-{role.id}"
            files = {
                "imsmanifest.xml": env.get_template("imsmanifest.xml.j2").render(
                    identifier=identifier, revision=policy.revision, title=title, pass_mark=pass_mark, files=FILES),
                "index.html": env.get_template("scorm-index.html.j2").render(title=title),
                "scorm-exam.js": runtime,
                "exam-data.js": exam_data(title, role_pool, min(questions, len(role_pool)), pass_mark),
            }
            result.append((f"{policy.id}/scorm-{role.id}.zip", package(files)))
    return result
