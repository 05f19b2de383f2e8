/*
 * Handbook search (Japanese): the browser half of generator/search.py.
 *
 * The bigram index (search/index.js) is loaded as a classic script the first time the search
 * box is used, so it works over http and from file:// alike. A query is folded with the index's
 * own tables (width, case, hiragana/katakana, small kana, long vowels and dashes), split into
 * terms at spaces and at particles (パスワードを電話で聞かれた → パスワード / 電話 / 聞かれた),
 * and each term into bigrams. A record matches a term when it holds most of the term's bigrams
 * (weighted by rarity), in its own text or through an editor's everyday word (weighted lower);
 * records are ranked by how much of the query they hold, so no term is required. Best bets come
 * first. Results are the current page's municipality's (each municipality's site holds only its
 * own); on the portal's own pages, every municipality's, named.
 * Everything is built with DOM calls only: no HTML from the index or the query is ever parsed.
 */
(function () {
  "use strict";

  var LIMIT = 20;            // results shown
  var MIN_COVERAGE = 0.6;    // share of a term's (weighted) bigrams a record must hold
  var LOOSE_COVERAGE = 0.34; // … when no record holds that much of any term (フルスキャン)
  var ALSO_WEIGHT = 0.8;     // a bigram held only through an everyday word (search.yaml)
  var STEM_WEIGHT = 0.8;     // a term matched by its stem only (聞かれた → 聞か)
  var CORE_WEIGHT = 0.7;     // … or by its core only (聞)
  var HALF_WEIGHT = 0.6;     // … or by half of a long kanji compound (遠隔操作 → 遠隔)
  var PHRASE_BONUS = 1.5;    // a record holding a whole compound of the query (私用メール)
  var KEEP = 0.15;           // results scoring below this share of the best are left out
  var SECOND_PASS = 200;     // records ranked again with the bonuses that need their text
  var KIND_WEIGHT = { obligation: 1.0, section: 0.6, clause: 0.8 };  // the answer first, then pages
  var EVERYONE_WEIGHT = 1.3; // an obligation of every member of staff: most readers' own rule
  var KIND_LABEL = { obligation: "義務", section: "ページ", clause: "原文" };
  var PARTICLES = ["を", "で", "が", "に", "は", "の", "へ", "と", "も", "や", "から", "まで", "より", "って"];
  var HIRAGANA = /^[\u3041-\u309f]+$/;

  var root = document.querySelector("[data-hb-search]");
  var loading = null;

  function load() {
    if (!loading) {
      loading = new Promise(function (resolve, reject) {
        if (window.hbSearchIndex) return resolve(prepare(window.hbSearchIndex));
        var script = document.createElement("script");
        script.src = root.getAttribute("data-hb-index");
        script.onload = function () { resolve(prepare(window.hbSearchIndex)); };
        script.onerror = function () { loading = null; reject(new Error("index")); };
        document.head.appendChild(script);
      });
    }
    return loading;
  }

  // --- folding (the same as generator.search.normalize, with the tables the index carries) -----

  var fold = null;

  function prepare(data) {
    fold = { drop: new Set(Array.from(data.fold.drop)), space: new Set(Array.from(data.fold.space)), small: new Map() };
    Array.from(data.fold.small[0]).forEach(function (ch, i) { fold.small.set(ch, Array.from(data.fold.small[1])[i]); });
    var total = 0;
    data.docs.forEach(function (doc) { total += doc[3].length + doc[4].length + doc[5].length; });
    return { data: data, decoded: { grams: new Map(), also: new Map() }, texts: [],
             keys: data.docs.map(function (doc) { return doc[6].map(normalize); }),
             averageLength: total / Math.max(data.docs.length, 1) };
  }

  // NFKC and lower case; then dashes dropped, punctuation as spaces (kana untouched).
  function widthFold(text) {
    var out = "";
    Array.from(text.normalize("NFKC").toLowerCase()).forEach(function (ch) {
      if (fold.drop.has(ch)) return;
      out += fold.space.has(ch) ? " " : ch;
    });
    return out;
  }

  function kanaFold(text) {
    var out = "";
    Array.from(text).forEach(function (ch) {
      var code = ch.codePointAt(0);
      if (code >= 0x3041 && code <= 0x3096) ch = String.fromCodePoint(code + 0x60);
      out += fold.small.get(ch) || ch;
    });
    return out;
  }

  function normalize(text) {
    return kanaFold(widthFold(text)).split(/\s+/).filter(Boolean).join(" ");
  }

  function bigrams(word) {
    var chars = Array.from(word);
    var grams = [];
    if (chars.length === 1) grams.push(chars[0]);
    for (var i = 0; i + 1 < chars.length; i++) {
      var gram = chars[i] + chars[i + 1];
      if (grams.indexOf(gram) < 0) grams.push(gram);
    }
    return grams;
  }

  // The terms of a query: words at spaces, cut again at particles between other characters
  // (パスワードを電話で → パスワード / 電話) and before a word of three or more kana that follows a
  // particle (社員証をつける → 社員証 / つける; 動きがおかしい → 動き / おかしい), and where kanji,
  // katakana and Latin letters meet (私用メール → 私用 / メール; the whole is kept as a phrase that
  // ranks records holding it higher). A kanji's okurigana stays with it (持ち出しを → 持ち出し).
  // Each term has its forms, weighted: as typed; when it ends in hiragana, its stem and its core
  // (開いてしまった → 開い → 開); the halves of a long kanji compound.
  function terms(query) {
    var found = { terms: [], phrases: [] };
    widthFold(query).split(/\s+/).filter(Boolean).forEach(function (word) {
      var runs = word.match(/[\u3041-\u309f]+|[^\u3041-\u309f]+/g);
      var pieces = [""];
      runs.forEach(function (run, i) {
        if (i === 0 && runs.length > 1 && HIRAGANA.test(run) && Array.from(run).length > 1) {
          pieces.push(run, "");  // a word of its own before the first kanji (むやみに複製: むやみに / 複製)
          return;
        }
        var split = i > 0 && HIRAGANA.test(run) && particleCut(run, i < runs.length - 1, /[\u3400-\u9fff\u3005]$/.test(runs[i - 1]));
        if (!split) {
          pieces[pieces.length - 1] += run;
          return;
        }
        pieces[pieces.length - 1] += split[0];  // okurigana (持ち出し)
        pieces.push(split[1], "");  // a word of its own (みんな in のみんなで, つける in をつける), if any
      });
      pieces.filter(Boolean).forEach(function (piece) {
        var parts = scriptParts(piece);
        if (parts.length > 1) found.phrases.push(kanaFold(piece));
        parts.forEach(function (part) {
          // the parts of one typed word share its weight: USBメモリ is one word of the query, not two
          var term = { text: kanaFold(part), forms: [[kanaFold(part), 1]], share: 1 / parts.length };
          var tail = part.match(/[^\u3041-\u309f]([\u3041-\u309f]+)$/);
          var core = tail ? part.slice(0, part.length - tail[1].length) : "";
          if (tail && tail[1].length > 1) term.forms.push([kanaFold(core + tail[1][0]), STEM_WEIGHT]);
          if (Array.from(core).length > 1) term.forms.push([kanaFold(core), CORE_WEIGHT]);
          (part.match(/[\u3400-\u9fff\u3005]{4,}/g) || []).forEach(function (run) {
            halves(run).forEach(function (half) { term.forms.push([half, HALF_WEIGHT]); });
          });
          if (!found.terms.some(function (t) { return t.text === term.text; })) found.terms.push(term);
        });
      });
    });
    return found;
  }

  // Where a run of hiragana after a word is cut: [what stays with the word, a word of its own],
  // or null. A run between two words that ends in a particle: its start (one kana of okurigana
  // at most, after a kanji) stays with the word before, the rest after a particle is a word
  // (持ち出しを許可: し / —; 係のみんなで共有: — / みんな). Any run: okurigana, a particle and three
  // or more kana (社員証をつける: — / つける; 動きがおかしい: き / おかしい).
  function particleCut(run, between, afterKanji) {
    var ending = between && PARTICLES.filter(function (p) { return run.slice(-p.length) === p; })[0];
    if (ending === "って" && afterKanji && run === ending) return [run, ""];  // 誤って, 持って: a verb's ending
    var body = ending ? run.slice(0, -ending.length) : run;
    for (var skip = 0; skip <= (afterKanji ? 1 : 0) && skip < body.length; skip++) {
      var lead = PARTICLES.filter(function (p) { return body.substr(skip, p.length) === p; })[0];
      var rest = lead ? body.slice(skip + lead.length) : "";
      if (lead && (ending ? rest.length > 0 : rest.length >= 3)) return [body.slice(0, skip), rest];
    }
    return ending ? [body, ""] : null;
  }

  // A long kanji compound in two-character words (遠隔操作 → 遠隔 / 操作; an odd one ends in three).
  function halves(run) {
    var chars = Array.from(run);
    var words = [];
    for (var i = 0; i + 1 < chars.length; i += 2) words.push(chars.slice(i, chars.length - i === 3 ? i + 3 : i + 2).join(""));
    return words;
  }

  function script(ch) {
    if (/[\u3041-\u309f]/.test(ch)) return "h";
    if (/[\u30a0-\u30ff]/.test(ch)) return "k";
    if (/[a-z0-9]/.test(ch)) return "l";
    if (/[\u3400-\u9fff\u3005]/.test(ch)) return "c";
    return "o";
  }

  // A piece cut where two of kanji, katakana and Latin letters meet (同じパスワード → 同じ /
  // パスワード), and after two or more hiragana (新しい機器 → 新しい / 機器); one hiragana stays
  // inside a word (持ち出し).
  function scriptParts(piece) {
    var parts = [""];
    var last = "";
    var kana = 0;  // hiragana just passed
    Array.from(piece).forEach(function (ch) {
      var kind = script(ch);
      var letter = kind !== "h" && kind !== "o";
      if (letter && last && (kind !== last || kana > 1)) parts.push("");
      parts[parts.length - 1] += ch;
      if (letter) last = kind;
      kana = kind === "h" ? kana + 1 : 0;
    });
    return parts.filter(Boolean);
  }

  // --- the index -----------------------------------------------------------------------------

  function postings(index, table, gram) {
    var numbers = index.decoded[table].get(gram);
    if (!numbers) {
      var encoded = index.data[table][gram];
      numbers = [];
      if (encoded) {
        var current = 0;
        encoded.split(",").forEach(function (gap) { current += parseInt(gap, 36); numbers.push(current); });
      }
      index.decoded[table].set(gram, numbers);
    }
    return numbers;
  }

  // A record's folded text (computed when first needed): ``shown`` (title and text), ``title``.
  function folded(index, n) {
    if (index.texts[n] === undefined) {
      var doc = index.data.docs[n];
      var title = normalize(doc[3]);
      index.texts[n] = { shown: title + " " + normalize(doc[4]), title: title };
    }
    return index.texts[n];
  }

  // Records holding enough of one form of a term: number → coverage, and the form's weight. A
  // form of one character is found through the bigrams that contain it.
  function match(index, form, least) {
    var count = index.data.docs.length;
    var hits = new Map();
    var total = 0;
    var held = new Map();
    var grams = Array.from(form).length === 1
      ? [Object.keys(index.data.grams).concat(Object.keys(index.data.also)).filter(function (g) { return g.indexOf(form) >= 0; })]
      : bigrams(form).map(function (gram) { return [gram]; });
    grams.forEach(function (group) {
      var own = new Set();
      var also = new Set();
      group.forEach(function (gram) {
        postings(index, "grams", gram).forEach(function (n) { own.add(n); });
        postings(index, "also", gram).forEach(function (n) { also.add(n); });
      });
      also.forEach(function (n) { if (own.has(n)) also.delete(n); });
      if (!own.size && !also.size) return;  // in no record: a slip or a word of no policy
      var weight = Math.log(1 + count / (own.size + also.size));
      total += weight;
      own.forEach(function (n) { held.set(n, (held.get(n) || 0) + weight); });
      also.forEach(function (n) { held.set(n, (held.get(n) || 0) + ALSO_WEIGHT * weight); });
    });
    held.forEach(function (weight, n) { if (weight / total >= least) hits.set(n, weight / total); });
    // The bigrams of one word are not independent evidence: a word of n bigrams weighs their sum
    // over the square root of n, so 見つけたら (four bigrams) does not outweigh 違反 (one).
    return { hits: hits, weight: total / Math.sqrt(Math.max(grams.length, 1)) };
  }

  // How strongly a record is about a form: 1, more when its name (a key) is the form, or holds it
  // or is held by it (in the measure of the share of the longer one: 課長 is most of 課長等, 個人情報
  // a third of 守山市個人情報保護審査会), and, with ``text``, more when its title or shown text holds
  // the form as typed.
  function bonus(index, n, form, text) {
    var value = 1;
    var keys = index.keys[n];
    if (keys.indexOf(form) >= 0) value += 6;
    else {
      keys.forEach(function (key) {
        var share = key.indexOf(form) >= 0 ? form.length / key.length
          : key.length > 1 && form.indexOf(key) >= 0 ? key.length / form.length : 0;
        value = Math.max(value, 1 + 3 * share);
      });
    }
    if (text) {
      var own = folded(index, n);
      if (own.shown.indexOf(form) >= 0) value += 0.5;
      if (own.title.indexOf(form) >= 0) value += 0.5;
    }
    return value;
  }

  // Whether a record holds a compound of the query (私用メール): in its shown text, or, through the
  // everyday words it is found by, every bigram of it (共有ID, 情シス), the bigram where the scripts
  // meet included.
  function holdsPhrase(index, n, phrase) {
    if (folded(index, n).shown.indexOf(phrase) >= 0) return true;
    return bigrams(phrase).every(function (gram) {
      return sortedHas(postings(index, "grams", gram), n) || sortedHas(postings(index, "also", gram), n);
    });
  }

  function sortedHas(numbers, n) {
    var low = 0;
    var high = numbers.length - 1;
    while (low <= high) {
      var middle = (low + high) >> 1;
      if (numbers[middle] === n) return true;
      if (numbers[middle] < n) low = middle + 1;
      else high = middle - 1;
    }
    return false;
  }

  function inScope(index, n, city) {
    var own = index.data.docs[n][7];
    return !city || !own || own === city;
  }

  // Every record in scope holding at least ``least`` of some form of a term, with what it holds
  // (``weight``: how much of the query the form stands for: the term's weight, times the form's
  // factor for a stem, core or half); and the weight of the whole query.
  function collect(index, parsed, city, least) {
    var found = new Map();
    var allWeight = 0;
    parsed.terms.forEach(function (term, t) {
      var typed = 0;
      term.forms.forEach(function (form, k) {
        var result = match(index, form[0], least);
        if (!k) typed = term.share * result.weight;
        if (!k) allWeight += typed;
        var credit = form[1] * typed;  // a stem or core counts for the term in the measure of its weight
        result.hits.forEach(function (coverage, n) {
          if (!inScope(index, n, city)) return;
          var entry = found.get(n) || { doc: n, forms: [] };
          entry.forms.push({ term: t, form: form[0], base: term.share * form[1] * result.weight * coverage * coverage,
                             weight: credit });
          found.set(n, entry);
        });
      });
    });
    return { records: found, weight: allWeight };
  }

  // Ranked in two passes: every record by coverage (and names), then the best of them again
  // with the bonuses that need their folded text.
  function search(index, query, city) {
    var parsed = terms(query);
    var found = collect(index, parsed, city, MIN_COVERAGE);
    if (!found.records.size) found = collect(index, parsed, city, LOOSE_COVERAGE);
    var allWeight = found.weight;
    var results = Array.from(found.records.values());
    function rank(withText) {
      results.forEach(function (r) {
        var best = [];
        var held = [];
        r.forms.forEach(function (f) {
          best[f.term] = Math.max(best[f.term] || 0, f.base * bonus(index, r.doc, f.form, withText));
          held[f.term] = Math.max(held[f.term] || 0, f.weight);
        });
        var weight = held.reduce(function (a, b) { return a + (b || 0); }, 0);
        var doc = index.data.docs[r.doc];
        var length = doc[3].length + doc[4].length + doc[5].length;
        r.score = best.reduce(function (a, b) { return a + (b || 0); }, 0)
          * (0.25 + 0.75 * Math.min(1, weight / allWeight)) * KIND_WEIGHT[doc[1]] * (doc[8] ? EVERYONE_WEIGHT : 1)
          / (0.75 + 0.25 * length / index.averageLength);
        if (withText && parsed.phrases.some(function (p) { return holdsPhrase(index, r.doc, p); })) r.score *= PHRASE_BONUS;
      });
      results.sort(function (a, b) { return b.score - a.score || a.doc - b.doc; });
    }
    rank(false);
    results = results.slice(0, SECOND_PASS);
    rank(true);
    var top = results.length ? results[0].score : 0;
    results = results.filter(function (r) { return r.score >= KEEP * top; });
    var bets = bestBets(index, query, city);
    results = bets.map(function (n) { return { doc: n, bet: true }; })
      .concat(results.filter(function (r) { return bets.indexOf(r.doc) < 0; }));
    var words = [];
    parsed.terms.forEach(function (t) { t.forms.forEach(function (f) { words.push(f[0]); }); });
    return { words: words, items: results };
  }

  // Records of the best bets whose words are all in the query (in scope, in the editors' order).
  function bestBets(index, query, city) {
    var joined = normalize(query).replace(/ /g, "");
    var numbers = [];
    index.data.bets.forEach(function (bet) {
      var hit = bet[0].some(function (parts) { return parts.every(function (p) { return joined.indexOf(p) >= 0; }); });
      if (!hit) return;
      bet[1].forEach(function (n) { if (inScope(index, n, city) && numbers.indexOf(n) < 0) numbers.push(n); });
    });
    return numbers;
  }

  function href(url) {
    var base = root.getAttribute("data-hb-base") || ".";
    return base.replace(/\/$/, "") + "/" + url;
  }

  // The municipality of the current page: the first folder of its source path when that is a
  // city of the index, the only city of a one-city site, else none (the portal's own pages).
  function pageCity(index) {
    var cities = Object.keys(index.data.cities);
    var first = (root.getAttribute("data-hb-page") || "").split("/")[0];
    if (cities.indexOf(first) >= 0) return first;
    return cities.length === 1 ? cities[0] : "";
  }

  // --- showing results -----------------------------------------------------------------------

  var input, panel, status, list;
  var timer = null;
  var selected = -1;
  var quiet = false;
  var questions = 0;  // queries asked; closing the panel counts as one, so no late answer opens it

  // Marks, in the original text, where the terms (or else their bigrams) occur once folded.
  function marks(text, words) {
    var norm = "";
    var origin = [];
    var chars = Array.from(text);
    var offsets = [];
    var at = 0;
    chars.forEach(function (ch) { offsets.push(at); at += ch.length; });
    offsets.push(text.length);
    chars.forEach(function (ch, i) {
      var n = kanaFold(widthFold(ch));
      for (var k = 0; k < n.length; k++) origin.push(i);
      norm += n;
    });
    origin.push(chars.length);
    var marked = new Array(text.length).fill(false);
    function mark(start, length) {
      var from = origin[start];
      var to = Math.max(origin[start + length], from + 1);
      for (var c = from; c < to && c < chars.length; c++) {
        for (var u = offsets[c]; u < offsets[c + 1]; u++) marked[u] = true;
      }
    }
    words.forEach(function (word) {
      var needles = norm.indexOf(word) >= 0 ? [word] : bigrams(word);
      needles.forEach(function (needle) {
        for (var p = norm.indexOf(needle); p >= 0; p = norm.indexOf(needle, p + 1)) mark(p, needle.length);
      });
    });
    return marked;
  }

  function highlighted(text, words, around) {
    var marked = marks(text, words);
    var start = 0;
    var end = text.length;
    if (around) {
      var first = marked.indexOf(true);
      start = Math.max(0, (first < 0 ? 0 : first) - 30);
      end = Math.min(text.length, start + around);
    }
    var fragment = document.createDocumentFragment();
    if (start > 0) fragment.appendChild(document.createTextNode("…"));
    var run = "";
    var runMarked = false;
    function flush() {
      if (!run) return;
      if (runMarked) {
        var m = document.createElement("mark");
        m.textContent = run;
        fragment.appendChild(m);
      } else {
        fragment.appendChild(document.createTextNode(run));
      }
      run = "";
    }
    for (var i = start; i < end; i++) {
      if (marked[i] !== runMarked) { flush(); runMarked = marked[i]; }
      run += text[i];
    }
    flush();
    if (end < text.length) fragment.appendChild(document.createTextNode("…"));
    return fragment;
  }

  function element(tag, className, child) {
    var el = document.createElement(tag);
    el.className = className;
    if (child) el.appendChild(child);
    return el;
  }

  function text(value) {
    return document.createTextNode(value);
  }

  function render(index, query, result, city) {
    list.textContent = "";
    selected = -1;
    var items = result.items.slice(0, LIMIT);
    var where = city ? index.data.cities[city] + "の" : "";
    if (!items.length) {
      status.textContent = "「" + query.trim() + "」に当てはまる" + where + "項目は見つかりませんでした。別の言い方で探してください。";
    } else {
      status.textContent = where + result.items.length + " 件" + (result.items.length > LIMIT ? "（上位 " + LIMIT + " 件を表示）" : "");
    }
    var several = !city && Object.keys(index.data.cities).length > 1;
    items.forEach(function (r) {
      var doc = index.data.docs[r.doc];
      var page = index.data.pages[doc[2]];
      var link = element("a", "hb-search__link");
      link.href = href(doc[0]);
      var title = element("span", "hb-search__title");
      if (r.bet) title.appendChild(element("span", "hb-search__bet", text("おすすめ")));
      if (several && doc[7]) title.appendChild(element("span", "hb-search__city", text(index.data.cities[doc[7]])));
      title.appendChild(highlighted(doc[3] || page, result.words, 0));
      link.appendChild(title);
      link.appendChild(element("span", "hb-search__page", text(KIND_LABEL[doc[1]] + (doc[3] ? "・" + page : ""))));
      if (doc[4]) link.appendChild(element("span", "hb-search__snippet", highlighted(doc[4], result.words, 140)));
      list.appendChild(element("li", "hb-search__item", link));
    });
    panel.dataset.query = query;  // which query the list answers (read by the tests)
    panel.hidden = false;
  }

  function run() {
    var query = input.value;
    if (!query.trim()) {
      close();
      return;
    }
    if (!window.hbSearchIndex) {
      status.textContent = "検索の準備をしています…";
      list.textContent = "";
      panel.hidden = false;
    }
    var asked = ++questions;
    load().then(function (index) {
      if (input.value !== query || asked !== questions) return;  // typed on, or closed meanwhile
      var city = pageCity(index);
      render(index, query, search(index, query, city), city);
    }, function () {
      status.textContent = "検索の索引（search/index.js）を読み込めませんでした。";
      panel.hidden = false;
    });
  }

  function close() {
    clearTimeout(timer);
    questions++;
    panel.hidden = true;
  }

  function move(step) {
    var links = list.querySelectorAll("a");
    if (!links.length) return;
    selected = (selected + step + links.length) % links.length;
    links[selected].focus();
  }

  // --- arriving at a result: the target is highlighted ---------------------------------------

  function highlightTarget() {
    document.querySelectorAll(".hb-search-target").forEach(function (el) { el.classList.remove("hb-search-target"); });
    var id = decodeURIComponent(location.hash.slice(1));
    var target = id && document.getElementById(id);
    if (!target) return;
    if (!target.textContent.trim()) target = target.closest(".hb-para, li, p, tr, div") || target;
    target.classList.add("hb-search-target");
  }

  window.addEventListener("hashchange", highlightTarget);
  highlightTarget();

  if (!root) return;
  input = root.querySelector(".hb-search__input");
  panel = root.querySelector(".hb-search__panel");
  status = root.querySelector(".hb-search__status");
  list = root.querySelector(".hb-search__list");

  function preload() { load().catch(function () {}); }
  root.addEventListener("pointerenter", preload);  // a hand on its way to the box
  input.addEventListener("focus", preload);
  input.addEventListener("input", function () {
    clearTimeout(timer);
    timer = setTimeout(run, 60);
  });
  list.addEventListener("click", function (event) {
    if (event.target.closest("a")) close();  // the panel must not cover what was chosen
  });
  root.addEventListener("keydown", function (event) {
    if (event.key === "ArrowDown") { move(1); event.preventDefault(); }
    else if (event.key === "ArrowUp") { move(-1); event.preventDefault(); }
    else if (event.key === "Enter" && event.target === input) {
      var first = list.querySelector("a");
      if (first) first.click();
    }
  });
  document.addEventListener("keydown", function (event) {
    var target = event.target;
    var typing = target && (target.isContentEditable || /^(INPUT|TEXTAREA|SELECT)$/.test(target.tagName));
    if (event.key === "Escape" && !panel.hidden) {
      close();
      if (root.contains(target) && target !== input) {
        quiet = true;  // back to the box without opening the panel again
        input.focus();
        quiet = false;
      }
      event.preventDefault();
    } else if (event.key === "/" && !typing) {
      input.focus();
      event.preventDefault();
    }
  });
  document.addEventListener("click", function (event) {
    if (!root.contains(event.target)) close();
  });
  input.addEventListener("focus", function () {
    if (!quiet && input.value.trim() && list.childNodes.length) panel.hidden = false;
  });

  // For benchmarks/search.py (another engine on the same index and terms) and the tests.
  window.hbSearch = {
    load: load,
    normalize: function (value) { return normalize(value); },
    terms: function (query) { return terms(query); },
    bigrams: bigrams,
    href: href,
    city: function () { return load().then(pageCity); },
    // The URLs the panel would list for a query typed on this page, best first (the tests score
    // whole query sets at once with it; a test checks it lists what typing shows).
    results: function (query) {
      return load().then(function (index) {
        return search(index, query, pageCity(index)).items.slice(0, LIMIT).map(function (r) {
          return new URL(href(index.data.docs[r.doc][0]), location.href).href;
        });
      });
    },
  };
})();
