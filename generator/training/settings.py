"""Training settings (``training/settings.toml``): where the ledger is, and what each fiscal year
requires. Every mistake is reported as ``path:line: message`` before anything runs.

Example::

    policy = "miyako"            # the municipality whose staff the ledger tracks
    database = "training/ledger.sqlite"   # or postgresql+psycopg://user:pass@host/db
    banks = "training/banks"     # question banks of older revisions (bank-<revision>.json)
    pass_mark = 80               # % of right answers that passes
    questions = 20               # fewest questions an exam record may have
    deadline = "12-31"           # everyone passes by this day of the fiscal year (April–March)
    new_hire_days = 30           # new hires pass within this many days of 採用日

    [years.2027]                 # a year that differs
    deadline = "11-30"

    [lms]                        # LMS activity names → role ids (besides the SCORM package titles)
    "情報セキュリティ研修（全職員）" = "staff"
"""

from __future__ import annotations

import datetime
import re
import tomllib
from dataclasses import dataclass, field
from pathlib import Path

from ..errors import HandbookError, Problem, Problems, display_path

SETTINGS_FILE = "training/settings.toml"
"""Where the settings are, relative to the project."""
DEFAULT_DATABASE = "training/ledger.sqlite"
"""The ledger's default location, relative to the project: outside site/ and dist/, git-ignored."""
DEFAULT_BANKS = "training/banks"
"""Where banks of older revisions are kept by default."""

MONTH_DAY = re.compile(r"(0[1-9]|1[0-2])-(0[1-9]|[12][0-9]|3[01])")


@dataclass(frozen=True)
class YearRules:
    """What one fiscal year requires."""

    pass_mark: int = 80
    """Percentage of right answers that passes an exam."""
    questions: int = 20
    """Fewest questions an exam record must have (fewer when the role's pool is smaller)."""
    deadline: str = "03-31"
    """``MM-DD``: the day of the fiscal year by which everyone must have passed."""
    new_hire_days: int = 30
    """A person hired during the year must pass within this many days of 採用日."""

    def deadline_in(self, year: int) -> datetime.date:
        """The deadline date of fiscal year ``year`` (April ``year`` to March ``year + 1``)."""
        month, day = (int(x) for x in self.deadline.split("-"))
        return datetime.date(year if month >= 4 else year + 1, month, day)


@dataclass(frozen=True)
class TrainingSettings:
    """Everything ``handbook training`` reads from the settings file."""

    root: Path
    """The project folder; relative paths are taken from here."""
    policy: str = ""
    """Policy id of the municipality; may be left out when the project has only one policy."""
    database: str = DEFAULT_DATABASE
    """SQLite file (relative to the project) or an SQLAlchemy URL (``postgresql+psycopg://…``)."""
    banks: str = DEFAULT_BANKS
    """Folder of kept question banks."""
    defaults: YearRules = YearRules()
    """Rules of every year not listed under ``years``."""
    years: tuple[tuple[int, YearRules], ...] = ()
    """Rules of particular fiscal years."""
    lms: tuple[tuple[str, str], ...] = field(default=())
    """LMS activity name → role id."""

    def rules(self, year: int) -> YearRules:
        return dict(self.years).get(year, self.defaults)

    @property
    def database_url(self) -> str:
        if "://" in self.database:
            return self.database
        return f"sqlite:///{(self.root / self.database).as_posix()}"

    @property
    def banks_folder(self) -> Path:
        return self.root / self.banks


RULE_KEYS = {"pass_mark": int, "questions": int, "deadline": str, "new_hire_days": int}
TOP_KEYS = {"policy": str, "database": str, "banks": str, "years": dict, "lms": dict, **RULE_KEYS}


def load_settings(root: Path, path: Path | None = None, database: str | None = None) -> TrainingSettings:
    """The settings of the project (defaults when the default file is missing); ``database``
    overrides the file's value (the ``--db`` option)."""
    path = path or root / SETTINGS_FILE
    data: dict = {}
    shown = display_path(path, root)
    if path.exists() or path != root / SETTINGS_FILE:
        try:
            data = tomllib.loads(path.read_text(encoding="utf-8-sig"))
        except OSError:
            raise HandbookError(Problem(shown, 0, "設定ファイルを読めません。")) from None
        except UnicodeDecodeError:
            raise HandbookError(Problem(shown, 0, "設定ファイルは UTF-8 で保存してください。")) from None
        except tomllib.TOMLDecodeError as err:
            line = re.search(r"line (\d+)", str(err))
            raise HandbookError(Problem(shown, int(line[1]) if line else 0, "TOML の書き方が正しくありません"
                                "（「項目 = 値」、文字列は \"…\" で囲みます）。")) from None
    problems = Problems(root)
    lines = _key_lines(path) if data else {}

    def add(key: str, message: str) -> None:
        problems.add(path, lines.get(key.split(".")[-1], 0), message)

    def check(table: dict, allowed: dict, prefix: str) -> dict:
        good = {}
        for key, value in table.items():
            name = prefix + key
            if key not in allowed:
                add(name, f"不明な項目「{name}」があります（使える項目: {', '.join(allowed)}）。")
            elif not isinstance(value, allowed[key]) or isinstance(value, bool):
                kind = {int: "整数", str: "文字列（\"…\"）", dict: "表（[…]）"}[allowed[key]]
                add(name, f"「{name}」は{kind}で書いてください。")
            else:
                good[key] = value
        return good

    def rules(table: dict, prefix: str, base: YearRules) -> YearRules:
        values = check(table, RULE_KEYS, prefix)
        if "deadline" in values and not MONTH_DAY.fullmatch(values["deadline"]):
            add(prefix + "deadline", f"「{prefix}deadline」は月-日（例: \"12-31\"）で書いてください。")
            values.pop("deadline")
        for key, low, high in (("pass_mark", 1, 100), ("questions", 1, 200), ("new_hire_days", 0, 366)):
            if key in values and not low <= values[key] <= high:
                add(prefix + key, f"「{prefix}{key}」は {low}〜{high} の整数で書いてください。")
                values.pop(key)
        return YearRules(**{**base.__dict__, **values})

    top = check(data, TOP_KEYS, "")
    defaults = rules({k: v for k, v in top.items() if k in RULE_KEYS}, "", YearRules())
    years = []
    for year, table in top.get("years", {}).items():
        if not (re.fullmatch(r"20[0-9]{2}", year) and isinstance(table, dict)):
            add("years", f"「years.{year}」は [years.2026] のように西暦の年度で書いてください。")
            continue
        years.append((int(year), rules(table, f"years.{year}.", defaults)))
    lms = []
    for name, role in top.get("lms", {}).items():
        if not isinstance(role, str):
            add(name, f"「lms」の「{name}」には役割 id を文字列で書いてください。")
        else:
            lms.append((name, role))
    problems.raise_if_any()
    return TrainingSettings(
        root, top.get("policy", ""), database or top.get("database", DEFAULT_DATABASE),
        top.get("banks", DEFAULT_BANKS), defaults, tuple(sorted(years)), tuple(lms))


def _key_lines(path: Path) -> dict[str, int]:
    """First line of each key (``key =`` or ``[table.key]``) for messages."""
    lines: dict[str, int] = {}
    for number, text in enumerate(path.read_text(encoding="utf-8-sig").splitlines(), 1):
        match = re.match(r'\s*(?:\[\s*)?"?([^"=\]\s]+)"?\s*(?:=|\])', text)
        if match:
            for part in match[1].split("."):
                lines.setdefault(part, number)
    return lines
