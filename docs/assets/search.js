/*
 * Handbook search (Japanese): the browser half of generator/search.py.
 *
 * The bigram index (search/index.js) is loaded as a classic script the first time the search
 * box is used, so it works over http and from file:// alike. A query is normalised as the index
 * was (NFKC, lower case), split at spaces into words, and each word into bigrams. A record
 * matches a word when it holds most of the word's bigrams (weighted by rarity); results hold
 * every word, best first. Results are built with DOM calls only: no HTML from the index or
 * the query is ever parsed.
 */
(function () {
  "use strict";

  var LIMIT = 20;            // results shown
  var MIN_COVERAGE = 0.6;    // share of a word's (weighted) bigrams a record must hold
  var KIND_WEIGHT = { obligation: 1.0, section: 0.6, clause: 0.8 };  // the answer first, then pages
  var KIND_LABEL = { obligation: "義務", section: "ページ", clause: "原文" };

  var root = document.querySelector("[data-hb-search]");
  if (!root) return;
  var input = root.querySelector(".hb-search__input");
  var panel = root.querySelector(".hb-search__panel");
  var status = root.querySelector(".hb-search__status");
  var list = root.querySelector(".hb-search__list");
  var loading = null;
  var timer = null;
  var selected = -1;

  function normalize(text) {
    return text.normalize("NFKC").toLowerCase().split(/\s+/).filter(Boolean).join(" ");
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

  // --- the index ---------------------------------------------------------------------------

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

  function prepare(data) {
    var index = { docs: data.docs, pages: data.pages, grams: data.grams, decoded: new Map(), texts: [] };
    var total = 0;
    for (var i = 0; i < data.docs.length; i++) total += searchText(index, i).length;
    index.averageLength = total / Math.max(data.docs.length, 1);
    return index;
  }

  function searchText(index, number) {
    var text = index.texts[number];
    if (text === undefined) {
      var doc = index.docs[number];
      text = index.texts[number] = normalize([doc[3], doc[4], doc[5]].concat(doc[6]).join(" "));
    }
    return text;
  }

  function postings(index, gram) {
    var numbers = index.decoded.get(gram);
    if (!numbers) {
      var encoded = index.grams[gram];
      numbers = [];
      if (encoded) {
        var current = 0;
        encoded.split(",").forEach(function (gap) { current += parseInt(gap, 36); numbers.push(current); });
      }
      index.decoded.set(gram, numbers);
    }
    return numbers;
  }

  // --- ranking -----------------------------------------------------------------------------

  function search(index, query) {
    var words = normalize(query).split(" ").filter(function (w, i, all) { return w && all.indexOf(w) === i; });
    var count = index.docs.length;
    var found = new Map();
    words.forEach(function (word) {
      var weights = new Map();
      var total = 0;
      if (Array.from(word).length === 1) {
        total = 1;  // one character: no bigram, look at the texts themselves
        for (var n = 0; n < count; n++) if (searchText(index, n).indexOf(word) >= 0) weights.set(n, 1);
      } else {
        bigrams(word).forEach(function (gram) {
          var numbers = postings(index, gram);
          var weight = Math.log(1 + count / Math.max(numbers.length, 1));
          total += weight;
          numbers.forEach(function (n) { weights.set(n, (weights.get(n) || 0) + weight); });
        });
      }
      weights.forEach(function (weight, n) {
        var coverage = weight / total;
        if (coverage < MIN_COVERAGE) return;
        var doc = index.docs[n];
        var score = coverage * coverage * total;
        if (searchText(index, n).indexOf(word) >= 0) score += 0.5 * total;
        if (normalize(doc[3]).indexOf(word) >= 0) score += 0.5 * total;
        if (doc[6].some(function (key) { return normalize(key) === word; })) score += 2 * total;
        var entry = found.get(n) || { doc: n, words: 0, score: 0 };
        entry.words += 1;
        entry.score += score;
        found.set(n, entry);
      });
    });
    var results = Array.from(found.values());
    results.forEach(function (r) {
      var length = searchText(index, r.doc).length;
      r.score *= KIND_WEIGHT[index.docs[r.doc][1]] / (0.75 + 0.25 * length / index.averageLength);
    });
    results.sort(function (a, b) { return b.words - a.words || b.score - a.score || a.doc - b.doc; });
    var best = results.length ? results[0].words : 0;
    return { words: words, items: results.filter(function (r) { return r.words === best && best === words.length; }) };
  }

  // --- showing results ---------------------------------------------------------------------

  function href(url) {
    var base = root.getAttribute("data-hb-base") || ".";
    return base.replace(/\/$/, "") + "/" + url;
  }

  // Marks, in the original text, where the words (or else their bigrams) occur once normalised.
  function marks(text, words) {
    var norm = "";
    var origin = [];
    for (var i = 0; i < text.length; i++) {
      var code = text.codePointAt(i);
      var ch = String.fromCodePoint(code);
      var n = ch.normalize("NFKC").toLowerCase();
      for (var k = 0; k < n.length; k++) origin.push(i);
      norm += n;
      if (ch.length === 2) i++;
    }
    origin.push(text.length);
    var marked = new Array(text.length).fill(false);
    function mark(start, length) {
      var from = origin[start];
      var to = Math.max(origin[start + length], from + 1);
      for (var p = from; p < to && p < text.length; p++) marked[p] = true;
    }
    words.forEach(function (word) {
      var needles = norm.indexOf(word) >= 0 ? [word] : bigrams(word);
      needles.forEach(function (needle) {
        for (var at = norm.indexOf(needle); at >= 0; at = norm.indexOf(needle, at + 1)) mark(at, needle.length);
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

  function render(index, query, result) {
    list.textContent = "";
    selected = -1;
    var items = result.items.slice(0, LIMIT);
    if (!items.length) {
      status.textContent = "「" + query.trim() + "」に当てはまる項目は見つかりませんでした。言葉を短くするか、別の言い方で探してください。";
    } else {
      status.textContent = result.items.length + " 件" + (result.items.length > LIMIT ? "（上位 " + LIMIT + " 件を表示）" : "");
    }
    items.forEach(function (r) {
      var doc = index.docs[r.doc];
      var page = index.pages[doc[2]];
      var link = element("a", "hb-search__link");
      link.href = href(doc[0]);
      link.appendChild(element("span", "hb-search__title", highlighted(doc[3] || page, result.words, 0)));
      link.appendChild(element("span", "hb-search__page", document.createTextNode(
        KIND_LABEL[doc[1]] + (doc[3] ? "・" + page : ""))));
      if (doc[4]) link.appendChild(element("span", "hb-search__snippet", highlighted(doc[4], result.words, 140)));
      var item = element("li", "hb-search__item", link);
      list.appendChild(item);
    });
    panel.dataset.query = query;  // which query the list answers (read by the tests)
    panel.hidden = false;
  }

  function run() {
    var query = input.value;
    if (!normalize(query)) {
      panel.hidden = true;
      return;
    }
    if (!window.hbSearchIndex) {
      status.textContent = "検索の準備をしています…";
      list.textContent = "";
      panel.hidden = false;
    }
    load().then(function (index) {
      if (input.value === query) render(index, query, search(index, query));
    }, function () {
      status.textContent = "検索の索引（search/index.js）を読み込めませんでした。";
      panel.hidden = false;
    });
  }

  function move(step) {
    var links = list.querySelectorAll("a");
    if (!links.length) return;
    selected = (selected + step + links.length) % links.length;
    links[selected].focus();
  }

  input.addEventListener("focus", function () { load().catch(function () {}); });
  input.addEventListener("input", function () {
    clearTimeout(timer);
    timer = setTimeout(run, 60);
  });
  root.addEventListener("keydown", function (event) {
    if (event.key === "ArrowDown") { move(1); event.preventDefault(); }
    else if (event.key === "ArrowUp") { move(-1); event.preventDefault(); }
    else if (event.key === "Escape") { panel.hidden = true; input.focus(); }
    else if (event.key === "Enter" && event.target === input) {
      var first = list.querySelector("a");
      if (first) first.click();
    }
  });
  document.addEventListener("keydown", function (event) {
    var target = event.target;
    var typing = target && (target.isContentEditable || /^(INPUT|TEXTAREA|SELECT)$/.test(target.tagName));
    if (event.key === "/" && !typing) { input.focus(); event.preventDefault(); }
  });
  document.addEventListener("click", function (event) {
    if (!root.contains(event.target)) panel.hidden = true;
  });
  input.addEventListener("focus", function () { if (list.childNodes.length) panel.hidden = false; });
})();
