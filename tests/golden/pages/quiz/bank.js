// 生成ファイル（handbook）: テスト市のクイズ問題。編集しないでください。
window.HANDBOOK_QUIZ = window.HANDBOOK_QUIZ || {};
window.HANDBOOK_QUIZ["miyako"] = {"municipality":"テスト市","policy":"miyako","questions":[{"anchor":"c-1-1-2","answer":0,"choices":["情報セキュリティ管理者に速やかに報告する","様子を見る","自分でパスワードを変えて済ませる","同僚に相談して終える"],"cites":["miyako.password-report-leak"],"clause":"1.1 ②","explanation":"「情報セキュリティ管理者に速やかに報告しなければならない」（1.1 ②）。","id":"miyako.q-leak","kind":"scenario","kindLabel":"場面（作成問題）","question":"パスワードが流出したかもしれない。どうするか。","roles":[]}],"revision":"2026-04-01"};
