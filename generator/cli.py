"""The ``handbook`` command: a thin layer over functions that return values.

Every subcommand prints Japanese for its users; a content problem ends with status 2 and every
``path:line: message`` found, nothing written.
"""

from __future__ import annotations

import argparse
import sys
from pathlib import Path

from .errors import HandbookError


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(prog="handbook", description="情報セキュリティ対策基準のハンドブックと研修教材を作ります。")
    parser.add_argument("--root", type=Path, default=Path("."), help="プロジェクトのフォルダ（既定: 現在のフォルダ）")
    sub = parser.add_subparsers(dest="command", required=True, metavar="サブコマンド")

    sub.add_parser("validate", help="content/ と quizzes/ を検証する")

    cov = sub.add_parser("coverage", help="規範文が義務または除外理由で説明されているかを調べる")
    cov.add_argument("policies", nargs="*", help="規程の id（nabari / miyako / moriyama）。省略時は全て")
    cov.add_argument("--sections", action="store_true", help="節ごとの内訳も表示する")

    sub.add_parser("build", help="サイト（site/）と配布物（dist/）を作る")

    stage = sub.add_parser("stage", help="各サイトの docs と mkdocs.yml を書き出す（プラグインなしの mkdocs build で作れます）")
    stage.add_argument("--out", type=Path, default=Path(".cache/stage"), help="書き出し先（既定: .cache/stage）")

    schema = sub.add_parser("schema", help="YAML 用の JSON Schema（schema/）を書き出す")
    schema.add_argument("--check", action="store_true", help="書き出さずに、最新かどうかだけ調べる")

    checklist = sub.add_parser("checklist", help="自己点検チェックリストを扱う")
    checklist_sub = checklist.add_subparsers(dest="checklist_command", required=True, metavar="操作")
    collect = checklist_sub.add_parser("collect", help="記入済みのチェックリスト（.xlsx）を集計し、報告を書き出す")
    collect.add_argument("files", nargs="+", type=Path, help="各所属から提出された .xlsx（フォルダを指定するとその中の .xlsx 全て）")
    collect.add_argument("--units", type=Path, help="所属一覧（1行1所属の .txt、または「所属」列のある .csv）: 未提出の所属が分かります")
    collect.add_argument("--out", type=Path, default=Path("reports"), help="報告の書き出し先（既定: reports/。サイトには入れません）")
    collect.add_argument("--date", default="", help="報告に載せる集計日（例: 2026-06-30）")

    quiz = sub.add_parser("quiz", help="ブラウザのクイズを扱う")
    quiz_sub = quiz.add_subparsers(dest="quiz_command", required=True, metavar="操作")
    quiz_sub.add_parser("stats", help="問題数を規程・種類・役割ごとに表示する")

    clean = sub.add_parser("clean-source", help="PDF から抜き出した原文の改行をつなぎ、ページ番号を除く")
    clean.add_argument("seed", type=Path, help="元のテキストファイル")

    args = parser.parse_args(argv)
    root = args.root.resolve()
    try:
        return COMMANDS[args.command](root, args)
    except HandbookError as err:
        for problem in err.problems:
            print(problem, file=sys.stderr)
        print(f"{len(err.problems)} 件の問題があります。何も書き出していません。", file=sys.stderr)
        return err.exit_status


def cmd_validate(root: Path, args: argparse.Namespace) -> int:
    from .content import load_content

    content = load_content(root)
    obligations = sum(len(p.obligations) for p in content.policies)
    print(f"問題はありません（規程 {len(content.policies)} 件、義務 {obligations} 件、問題 {len(content.questions)} 問）。")
    return 0


def cmd_coverage(root: Path, args: argparse.Namespace) -> int:
    from .content import load_with_sources
    from .coverage import compute_coverage
    from .errors import display_path

    content, sources = load_with_sources(root)
    wanted = args.policies or [p.id for p in content.policies]
    unknown = [w for w in wanted if w not in sources]
    if unknown:
        raise HandbookError(f"規程「{'、'.join(unknown)}」はありません（{', '.join(sources)} から選んでください）。")
    complete = True
    for pid in wanted:
        result = compute_coverage(content.policy(pid), sources[pid])
        path = display_path(sources[pid].path, root)
        for s in result.uncovered:
            print(f"{path}:{s.line}: 未対応の規範文: {s.text}")
        if args.sections:
            for heading, total, covered in result.by_section():
                mark = "済" if covered == total else "未"
                print(f"  [{mark}] {heading}: {covered}/{total}")
        policy = content.policy(pid)
        print(
            f"{policy.municipality}（{pid}）: 規範文 {len(result.sentences)} 件のうち "
            f"{len(result.sentences) - len(result.uncovered)} 件に対応（{result.share:.1%}）"
        )
        complete &= not result.uncovered
    return 0 if complete else 1


def cmd_build(root: Path, args: argparse.Namespace) -> int:
    from .build import build

    result = build(root, progress=lambda message: print(message, file=sys.stderr))
    print(f"サイトを {result.site} に、配布物を {result.dist} に書き出しました。")
    return 0


def cmd_stage(root: Path, args: argparse.Namespace) -> int:
    import shutil

    from .build import stage_sites
    from .content import load_content
    from .renderers import render_downloads
    from .stage import read_project

    content = load_content(root)
    project = read_project(root, content)
    policies = project.policies or tuple(p.id for p in content.policies)
    out = (root / args.out).resolve()
    if out.exists():
        shutil.rmtree(out)
    configs = stage_sites(project, content, policies, render_downloads(content, policies), out)
    for name, config in configs.items():
        print(f"{name}: mkdocs build -f {config}")
    return 0


def cmd_schema(root: Path, args: argparse.Namespace) -> int:
    from .schema import write_schemas

    stale = write_schemas(root / "schema", check=args.check)
    if args.check and stale:
        for name in stale:
            print(f"schema/{name} が model.py と一致しません。handbook schema で書き出し直してください。", file=sys.stderr)
        return 1
    return 0


def cmd_checklist(root: Path, args: argparse.Namespace) -> int:
    from .collect import check_report_folder, collect, read_units, write_report
    from .content import load_content
    from .errors import display_path

    check_report_folder(args.out, root, args.date)
    content = load_content(root)
    units = read_units(args.units) if args.units else None
    result = collect(content, args.files, units)
    for problem in result.problems:
        print(problem, file=sys.stderr)
    for note in result.notes:
        print(note)
    written = write_report(result, args.out, root, args.date)
    print(f"チェックリスト {len(result.sheets)} 件を集計しました（受け付けなかったファイル {len(result.rejected)} 件"
          + (f"、未提出の所属 {len(result.missing_units)} 件" if units is not None else "") + "）。")
    print("報告: " + "、".join(display_path(p) for p in written))
    return 1 if result.rejected else 0


def cmd_quiz(root: Path, args: argparse.Namespace) -> int:
    from .content import load_content
    from .questions import KIND_LABELS, stats

    for s in stats(load_content(root)):
        print(f"{s.policy.municipality}（{s.policy.id}）: {s.total} 問")
        print("  種類別: " + "、".join(f"{KIND_LABELS[k]} {n}" for k, n in s.by_kind.items()))
        print("  役割別（練習・試験の出題範囲）:")
        for role, count in s.by_role:
            print(f"    {role.name}（{role.id}）: {count} 問")
    return 0


def cmd_clean_source(root: Path, args: argparse.Namespace) -> int:
    from .sources import clean_pdf_text

    sys.stdout.write(clean_pdf_text(args.seed.read_text(encoding="utf-8")))
    return 0


COMMANDS = {
    "validate": cmd_validate,
    "coverage": cmd_coverage,
    "build": cmd_build,
    "stage": cmd_stage,
    "schema": cmd_schema,
    "clean-source": cmd_clean_source,
    "checklist": cmd_checklist,
    "quiz": cmd_quiz,
}
