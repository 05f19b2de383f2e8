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

    diff = sub.add_parser("diff", help="規程の2つの版を比べ、追加・廃止・変更された義務を示す")
    diff.add_argument("old", help="古い版: プロジェクトのフォルダ（または content/）か Git の版（コミット・タグ・ブランチ）")
    diff.add_argument("new", help="新しい版: 同じく、フォルダか Git の版")
    diff.add_argument("--policy", help="規程の id（両方の版に規程が1つだけなら省略可）")
    diff.add_argument("--json", action="store_true", help="結果を JSON で出力する")

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

    training = sub.add_parser("training", help="研修の名簿・結果を台帳に取り込み、修了状況の報告を作る")
    training.add_argument("--settings", type=Path, help="研修の設定ファイル（既定: training/settings.toml）")
    training.add_argument("--policy", help="対象の規程の id（既定: 設定の policy。規程が1つだけなら省略可）")
    training.add_argument("--db", help="台帳（SQLite のファイル、または postgresql+psycopg://… の URL）。既定は設定の database、"
                          "それもなければ training/ledger.sqlite")
    training_sub = training.add_subparsers(dest="training_command", required=True, metavar="操作")
    roster = training_sub.add_parser("roster", help="職員名簿を扱う")
    roster_sub = roster.add_subparsers(dest="roster_command", required=True, metavar="操作")
    roster_import = roster_sub.add_parser("import", help="年度の名簿（Excel の CSV または .xlsx）を取り込む")
    roster_import.add_argument("file", type=Path, help="職員番号・氏名・所属・役割・採用日・雇用区分の列がある名簿")
    roster_import.add_argument("--year", type=int, required=True, help="年度（例: 2026 は 2026年4月〜2027年3月）")
    results = training_sub.add_parser("results", help="試験の結果を扱う")
    results_sub = results.add_subparsers(dest="results_command", required=True, metavar="操作")
    results_import = results_sub.add_parser("import", help="修了記録・LMS の書き出しを取り込む")
    results_import.add_argument("inputs", nargs="+", help="ファイル、フォルダ（中の .txt と .csv）、- は貼り付け（標準入力）")
    report = training_sub.add_parser("report", help="年度の修了状況の報告（HTML・Excel・督促用 CSV）を書き出す")
    report.add_argument("--year", type=int, required=True, help="年度（例: 2026）")
    report.add_argument("--out", type=Path, default=Path("reports"), help="書き出し先（既定: reports/。サイトには入れません）")
    report.add_argument("--date", default="", help="この日の時点の状況にする（既定: 今日。例: 2027-03-31）")
    training_sub.add_parser("banks", help="今の版の問題集を問題集のフォルダ（既定: training/banks/）に保存する")

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
    for policy in content.policies:
        if not policy.contacts:
            print(f"content/{policy.id}/policy.yaml: 注意: 連絡先（contacts）が未設定です。インシデントの連絡先"
                  "（統一的な窓口などの名称・内線・メール）を書いてください。ページには「連絡先が未設定です」と表示されます。",
                  file=sys.stderr)
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


def cmd_diff(root: Path, args: argparse.Namespace) -> int:
    import json

    from .revisions import diff_json, diff_policies, diff_text, revision_content

    with revision_content(root, args.old) as old, revision_content(root, args.new) as new:
        common = [p.id for p in new.policies if p.id in {q.id for q in old.policies}]
        pid = args.policy or (common[0] if len(common) == 1 else None)
        if pid is None:
            raise HandbookError(f"--policy で規程を指定してください（{'、'.join(common) or '両方の版にある規程がありません'}）。")
        if pid not in common:
            raise HandbookError(f"規程「{pid}」は両方の版にはありません（両方にあるのは {'、'.join(common) or 'なし'}）。")
        diff = diff_policies(old, new, pid)
    if args.json:
        print(json.dumps(diff_json(diff), ensure_ascii=False, indent=2))
    else:
        sys.stdout.write(diff_text(diff))
    return 0


def cmd_stage(root: Path, args: argparse.Namespace) -> int:
    import shutil

    from .build import stage_sites
    from .content import load_content
    from .renderers import render_downloads
    from .stage import read_project

    content = load_content(root)
    project = read_project(root, content)
    policies = project.policies
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


def cmd_training(root: Path, args: argparse.Namespace) -> int:
    import datetime

    from .errors import display_path
    from .training.context import open_context

    context = open_context(root, args.settings, args.db, args.policy)
    policy, engine = context.policy, context.engine
    if args.training_command == "roster":
        from .training.roster import import_roster, read_roster

        roster = read_roster(args.file, policy)
        added = import_roster(engine, roster, policy.id, args.year, display_path(args.file))
        print(f"{display_path(args.file)}: 文字コード {roster.encoding} として読みました。")
        print(f"{args.year}年度の名簿として {added} 人を取り込みました。" if added else
              "この名簿は取り込み済みです。何も変えていません。")
        return 0
    if args.training_command == "results":
        from .training.results import import_results, sources

        stdin = sys.stdin.buffer.read() if "-" in args.inputs else None
        summary = import_results(engine, policy, context.banks, context.settings, sources(args.inputs, stdin))
        for note in summary.notes:
            print(note)
        for name in summary.skipped_files:
            print(f"{name}: 取り込み済みのため読み飛ばしました。")
        print(f"{summary.files} 件の入力から {summary.rows} 件の受験を読み、{summary.added} 件を台帳に加えました。")
        for attempt, staff in summary.disputed:
            print(f"要確認: 受験 {attempt} が {len(staff)} 人の職員番号（{'、'.join(staff)}）で提出されています。"
                  "どの人の修了にも数えません。", file=sys.stderr)
        return 0
    if args.training_command == "report":
        from .training.report import build_report, write_report

        try:
            as_of = datetime.date.fromisoformat(args.date) if args.date else datetime.date.today()
        except ValueError:
            raise HandbookError(f"--date「{args.date}」は 2027-03-31 の形で指定してください。") from None
        with engine.connect() as conn:
            report = build_report(conn, policy, context.settings.rules(args.year), args.year, as_of)
        if not report.people:
            raise HandbookError(f"{args.year}年度の名簿がありません。handbook training roster import で取り込んでください。")
        written = write_report(report, args.out, root)
        t = report.total
        print(f"{args.year}年度（{as_of} 時点）: 対象者 {t.people} 人、修了 {t.done} 人（{t.share:.1%}）、期限超過 {t.overdue} 人。")
        print("報告: " + "、".join(display_path(p) for p in written))
        return 0
    from .training.bank import bank_json

    folder = context.settings.banks_folder
    folder.mkdir(parents=True, exist_ok=True)
    for p in context.content.policies:
        path = folder / p.id / f"bank-{p.revision}.json"
        path.parent.mkdir(exist_ok=True)
        path.write_bytes(bank_json(context.content, p))
        print(f"問題集を {display_path(path)} に保存しました。")
    return 0


def cmd_clean_source(root: Path, args: argparse.Namespace) -> int:
    from .sources import clean_pdf_text

    sys.stdout.write(clean_pdf_text(args.seed.read_text(encoding="utf-8")))
    return 0


COMMANDS = {
    "validate": cmd_validate,
    "coverage": cmd_coverage,
    "build": cmd_build,
    "diff": cmd_diff,
    "stage": cmd_stage,
    "schema": cmd_schema,
    "clean-source": cmd_clean_source,
    "checklist": cmd_checklist,
    "quiz": cmd_quiz,
    "training": cmd_training,
}
