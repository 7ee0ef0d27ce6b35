// The judging page: keyboard control, line flags, the active-time counter and the submit.
// Everything is sent through the REST API with the session's CSRF token; a submit carries one
// Idempotency-Key per item (kept across reloads), so a retry never counts twice.
// In revision mode (data.revision) the page holds one of the annotator's own judgments: the earlier
// answer is filled in, there is no skip, and the answer is posted as a revision of that judgment.
"use strict";
(function () {
  const data = JSON.parse(document.getElementById("judge-data").textContent);
  const $ = (sel, root) => (root || document).querySelector(sel);
  const $$ = (sel, root) => Array.from((root || document).querySelectorAll(sel));
  const csrf = $('meta[name="csrf-token"]').content;
  const cards = $$(".cand");
  const store = window.sessionStorage;
  const aid = data.assignment_id;
  const revision = data.revision || null;
  // What the stored key and timer belong to: the lease, or the judgment being revised.
  const slot = revision ? "rev-" + revision.judgment_id : String(aid);
  const skipForm = $("#skip-form");

  const state = {
    focus: 0,
    cursor: cards.map(() => 0),
    selection: null, // {cand, anchor, start, end}
    spans: [],
    rating: null, // {cand, index}
    picked: null, // index of the response picked for ranking (k-way)
    active: Number(store.getItem("cj-active-" + slot) || 0),
    paused: false,
    lastInput: Date.now(),
    sending: false,
  };

  function randomKey() {
    if (window.crypto && crypto.randomUUID) return crypto.randomUUID();
    const bytes = crypto.getRandomValues(new Uint8Array(16));
    return Array.from(bytes, (b) => b.toString(16).padStart(2, "0")).join("");
  }
  const idempotencyKey = store.getItem("cj-key-" + slot) || randomKey();
  store.setItem("cj-key-" + slot, idempotencyKey);

  // ---- status messages -------------------------------------------------------------------
  function say(text, kind, problems) {
    const box = $("#status");
    box.textContent = "";
    box.className = "status " + (kind || "");
    const p = document.createElement("p");
    p.textContent = text;
    box.appendChild(p);
    if (problems && problems.length) {
      const ul = document.createElement("ul");
      for (const item of problems) {
        const li = document.createElement("li");
        li.textContent = item;
        ul.appendChild(li);
      }
      box.appendChild(ul);
    }
  }
  const flash = store.getItem("cj-flash");
  if (flash) {
    const el = $("#flash");
    el.textContent = flash;
    el.hidden = false;
    store.removeItem("cj-flash");
  }

  // ---- candidates, lines and flags -------------------------------------------------------
  function lineItems(index) {
    return $$(".code li", cards[index]);
  }
  function focusCard(index) {
    state.focus = (index + cards.length) % cards.length;
    cards.forEach((c, i) => c.classList.toggle("focused", i === state.focus));
    cards[state.focus].focus({ preventScroll: false });
    showCursor();
  }
  function showCursor() {
    $$(".code li.cursor").forEach((li) => li.classList.remove("cursor"));
    const items = lineItems(state.focus);
    const li = items[state.cursor[state.focus]];
    if (li) {
      li.classList.add("cursor");
      li.scrollIntoView({ block: "nearest" });
    }
  }
  function moveCursor(step) {
    const n = data.candidates[state.focus].lines;
    if (!n) return;
    const next = Math.min(n - 1, Math.max(0, state.cursor[state.focus] + step));
    state.cursor[state.focus] = next;
    showCursor();
  }
  function select(cand, line, extend) {
    const sel = state.selection;
    const anchor = extend && sel && sel.cand === cand ? sel.anchor : line;
    state.selection = { cand, anchor, start: Math.min(anchor, line), end: Math.max(anchor, line) };
    paintSelection();
    openFlagForm();
  }
  function paintSelection() {
    $$(".code li.selected").forEach((li) => li.classList.remove("selected"));
    const sel = state.selection;
    if (!sel) return;
    lineItems(sel.cand).forEach((li, i) => {
      if (i + 1 >= sel.start && i + 1 <= sel.end) li.classList.add("selected");
    });
  }
  function openFlagForm() {
    const sel = state.selection;
    const label = data.candidates[sel.cand].label;
    const lines = sel.start === sel.end ? "line " + sel.start : "lines " + sel.start + "–" + sel.end;
    $("#flag-target").textContent = "Flag response " + label + ", " + lines + ":";
    $("#flag-form").hidden = false;
    $("#flag-category").focus();
  }
  function closeFlagForm() {
    $("#flag-form").hidden = true;
    state.selection = null;
    paintSelection();
    focusCard(state.focus);
  }
  function addFlag() {
    const sel = state.selection;
    if (!sel) return;
    const note = $("#flag-note").value.trim();
    state.spans.push({
      candidate_id: data.candidates[sel.cand].id,
      cand: sel.cand,
      line_start: sel.start,
      line_end: sel.end,
      category: $("#flag-category").value,
      severity: $("#flag-severity").value,
      note: note || null,
    });
    $("#flag-note").value = "";
    renderFlags();
    closeFlagForm();
  }
  function renderFlags() {
    const list = $("#flag-list");
    list.textContent = "";
    $$(".code li.flagged").forEach((li) => li.classList.remove("flagged"));
    if (!state.spans.length) {
      const li = document.createElement("li");
      li.className = "muted small empty";
      li.textContent = "No lines flagged. Select lines, then pick a category.";
      list.appendChild(li);
    }
    state.spans.forEach((span, i) => {
      lineItems(span.cand).forEach((li, n) => {
        if (n + 1 >= span.line_start && n + 1 <= span.line_end) li.classList.add("flagged");
      });
      const li = document.createElement("li");
      const lines = span.line_start === span.line_end ? span.line_start : span.line_start + "–" + span.line_end;
      const text = document.createElement("span");
      text.textContent = data.candidates[span.cand].label + " · line " + lines + " · " +
        span.category.replace(/_/g, " ") + " · " + span.severity + (span.note ? " — " + span.note : "");
      const remove = document.createElement("button");
      remove.type = "button";
      remove.className = "link";
      remove.textContent = "remove";
      remove.setAttribute("aria-label", "Remove flag " + (i + 1));
      remove.addEventListener("click", () => { state.spans.splice(i, 1); renderFlags(); });
      li.append(text, " ", remove);
      list.appendChild(li);
    });
  }
  cards.forEach((card, index) => {
    card.addEventListener("focus", () => {
      state.focus = index;
      cards.forEach((c, i) => c.classList.toggle("focused", i === index));
    });
    $$(".code li", card).forEach((li, i) => {
      $(".ln", li).addEventListener("click", (ev) => {
        state.focus = index;
        state.cursor[index] = i;
        select(index, i + 1, ev.shiftKey);
      });
    });
  });
  $("#flag-add").addEventListener("click", addFlag);
  $("#flag-cancel").addEventListener("click", closeFlagForm);
  $("#flag-form").addEventListener("keydown", (ev) => {
    if (ev.key === "Enter" && !ev.ctrlKey && !ev.metaKey) { ev.preventDefault(); addFlag(); }
  });

  // ---- ratings ---------------------------------------------------------------------------
  function ratingInputs(cand, name) {
    return $$('input[name="rate-' + data.candidates[cand].id + "-" + name + '"]');
  }
  function showRatingHint() {
    const hint = $("#rate-hint");
    const r = state.rating;
    $$(".rating.active").forEach((f) => f.classList.remove("active"));
    if (!r) { hint.hidden = true; return; }
    const crit = data.criteria[r.index];
    $('.rating[data-criterion="' + crit.name + '"]', cards[r.cand]).classList.add("active");
    hint.textContent = "Rating response " + data.candidates[r.cand].label + ": " +
      crit.name.replace(/_/g, " ") + " (" + crit.min + "–" + crit.max + "), Esc to stop";
    hint.hidden = false;
  }
  function startRating() {
    if (!data.criteria.length) return;
    const first = data.criteria.findIndex((c) => !ratingInputs(state.focus, c.name).some((i) => i.checked));
    state.rating = { cand: state.focus, index: first < 0 ? 0 : first };
    showRatingHint();
  }
  function rate(digit) {
    const r = state.rating;
    const crit = data.criteria[r.index];
    const input = ratingInputs(r.cand, crit.name).find((i) => Number(i.value) === digit);
    if (!input) return;
    input.checked = true;
    state.rating = r.index + 1 < data.criteria.length ? { cand: r.cand, index: r.index + 1 } : null;
    showRatingHint();
  }

  // ---- ranking (k-way) -------------------------------------------------------------------
  // The position lists are the one record of the ranking; keys and mouse both write them, so the
  // ranking sent is always candidate ids, best first, whatever order the responses are shown in.
  const rankSelects = $$('select[name="rank"]');
  const labelOf = (i) => "Response " + data.candidates[i].label;
  function readOrder() {
    const order = [];
    for (const sel of rankSelects) {
      const index = data.candidates.findIndex((c) => String(c.id) === sel.value);
      if (index >= 0 && !order.includes(index)) order.push(index);
    }
    return order;
  }
  function writeOrder(order, message) {
    rankSelects.forEach((sel, pos) => {
      sel.value = pos < order.length ? String(data.candidates[order[pos]].id) : "";
    });
    paintRanking(message);
  }
  function paintRanking(message) {
    const order = readOrder();
    cards.forEach((card, i) => {
      const pos = order.indexOf(i);
      const badge = $(".rank-badge", card);
      badge.hidden = pos < 0;
      badge.textContent = pos < 0 ? "" : "#" + (pos + 1);
      card.classList.toggle("picked", i === state.picked);
    });
    const ranked = order.map((i, pos) => pos + 1 + ". " + labelOf(i));
    const left = data.candidates.length - order.length;
    let text = order.length ? "Ranking, best first: " + ranked.join(", ") + "." : "Nothing ranked yet.";
    if (left) text += " " + left + " of " + data.candidates.length + " not ranked yet.";
    if (state.picked !== null) text += " Picked: " + labelOf(state.picked) + ".";
    $("#rank-order").textContent = message ? message + " " + text : text;
  }
  function pick(index) {
    const order = readOrder();
    state.picked = index;
    focusCard(index);
    if (order.includes(index)) {
      paintRanking(labelOf(index) + " picked, ranked " + (order.indexOf(index) + 1) + ".");
      return;
    }
    order.push(index);
    writeOrder(order, labelOf(index) + " ranked " + order.length + ".");
  }
  function moveRanked(step) {
    const order = readOrder();
    const from = order.indexOf(state.picked);
    if (state.picked === null || from < 0) {
      paintRanking("Pick a ranked response first (keys 1–" + data.candidates.length + ").");
      return;
    }
    const to = from + step;
    if (to < 0 || to >= order.length) {
      paintRanking(labelOf(state.picked) + " is already " + (step < 0 ? "first." : "last."));
      return;
    }
    [order[from], order[to]] = [order[to], order[from]];
    writeOrder(order, labelOf(state.picked) + " moved to " + (to + 1) + ".");
  }
  function unrank() {
    if (state.picked === null) return;
    const order = readOrder().filter((i) => i !== state.picked);
    const message = labelOf(state.picked) + " taken out of the ranking.";
    state.picked = null;
    writeOrder(order, message);
  }
  function clearRanking() {
    state.picked = null;
    writeOrder([], "Ranking cleared.");
  }
  // Keys of the ranking mode; true when the key was one of them.
  function rankingKey(ev) {
    const n = Number(ev.key);
    if (/^[1-9]$/.test(ev.key) && n <= data.candidates.length) pick(n - 1);
    else if (ev.key === "0") clearRanking();
    else if (ev.key === "Backspace" || ev.key === "Delete") unrank();
    else if (ev.shiftKey && ev.key === "ArrowUp") moveRanked(-1);
    else if (ev.shiftKey && ev.key === "ArrowDown") moveRanked(1);
    else return false;
    return true;
  }
  rankSelects.forEach((sel) => sel.addEventListener("change", () => paintRanking()));

  // ---- the judgment ----------------------------------------------------------------------
  function ratings() {
    const out = {};
    data.candidates.forEach((c, i) => {
      for (const crit of data.criteria) {
        const checked = ratingInputs(i, crit.name).find((x) => x.checked);
        if (checked) (out[String(c.id)] = out[String(c.id)] || {})[crit.name] = Number(checked.value);
      }
    });
    return out;
  }
  function preference() {
    if (data.mode === "pairwise") {
      const chosen = $('input[name="preference"]:checked');
      if (!chosen) return null;
      const [a, b] = data.candidates.map((c) => c.id);
      const table = { 1: [[a, b], 2], 2: [[a, b], 1], 3: [[a, b], 0], 4: [[b, a], 1], 5: [[b, a], 2] };
      const [ranking, strength] = table[chosen.value];
      return { ranking, strength };
    }
    const ranking = $$('select[name="rank"]').map((s) => Number(s.value));
    if (ranking.some((x) => !x) || new Set(ranking).size !== ranking.length) return null;
    return { ranking, strength: null };
  }
  async function send(body) {
    if (state.sending) return;
    state.sending = true;
    saveActive();
    body.active_seconds = state.active;
    say("Sending…", "");
    try {
      const url = revision
        ? "/api/v1/judgments/" + revision.judgment_id + "/revision"
        : "/api/v1/assignments/" + aid + "/judgment";
      const res = await fetch(url, {
        method: "POST",
        credentials: "same-origin",
        headers: { "Content-Type": "application/json", "X-CSRF-Token": csrf, "Idempotency-Key": idempotencyKey },
        body: JSON.stringify(body),
      });
      const out = await res.json().catch(() => ({}));
      if (!res.ok) {
        say(out.detail || "The server refused this judgment (" + res.status + ").", "error", out.problems);
        return;
      }
      done(out);
    } catch (err) {
      say("Could not reach the server. Nothing is lost: press Ctrl+Enter to try again.", "error");
    } finally {
      state.sending = false;
    }
  }
  function done(out) {
    if (revision) {
      forget();
      say(out.message, "ok");
      window.location.assign(revision.done_url);
      return;
    }
    if (!out.skipped) {
      const counter = $("#judged-today");
      counter.textContent = String(Number(counter.textContent) + (out.replayed ? 0 : 1));
    }
    say(out.message, out.counted || out.skipped ? "ok" : "warn");
    store.setItem("cj-flash", out.message);
    forget();
    if (data.purpose === "practice" && !out.skipped) {
      showPracticeFeedback(out.judgment_id);
      return;
    }
    nextItem();
  }
  // The answer is stored: its key and its timer are done with.
  function forget() {
    store.removeItem("cj-key-" + slot);
    store.removeItem("cj-active-" + slot);
  }
  // The next item keeps the lease's purpose (practice and qualification have their own loop).
  function nextItem() {
    const query = data.purpose && data.purpose !== "work" ? "?purpose=" + encodeURIComponent(data.purpose) : "";
    window.location.replace(window.location.pathname + query);
  }
  // ---- practice feedback: the gold answer and its reason before the next item -------------
  function describe(answer) {
    if (!answer || !answer.ranking) return "—";
    const labels = new Map(data.candidates.map((c) => [c.id, c.label]));
    const order = answer.ranking.map((id) => "Response " + (labels.get(id) || id)).join(" > ");
    return answer.strength === null || answer.strength === undefined ? order : order + " (strength " + answer.strength + ")";
  }
  async function showPracticeFeedback(judgmentId) {
    const box = $("#practice-feedback");
    let fb = null;
    try {
      const res = await fetch("/api/v1/judgments/" + judgmentId + "/practice-feedback", {
        credentials: "same-origin",
        headers: { Accept: "application/json" },
      });
      if (res.ok) fb = await res.json();
    } catch (err) {
      fb = null;
    }
    if (!box || !fb) { nextItem(); return; }
    store.removeItem("cj-flash");
    $("#pf-verdict").textContent = fb.correct ? "your answer matches" : "the expected answer differs";
    $("#pf-answer").textContent = describe(fb.answer);
    $("#pf-expected").textContent = describe(fb.expected);
    $("#pf-reason").textContent = fb.reason || "No reason was given with this answer.";
    box.classList.toggle("pf-correct", Boolean(fb.correct));
    box.hidden = false;
    $("#submit").disabled = true;
    const next = $("#pf-next");
    next.addEventListener("click", nextItem);
    next.focus();
  }
  function submit() {
    if (skipForm && !skipForm.hidden) return skip();
    const pref = preference();
    if (!pref) {
      say(data.mode === "pairwise" ? "Choose a preference first (keys 1–5)."
        : "Rank every response once: press their numbers best first (1–" + data.candidates.length +
          "), or choose them in the lists.", "error");
      return;
    }
    const body = {
      ranking: pref.ranking,
      ratings: ratings(),
      error_spans: state.spans.map(({ cand, ...span }) => span),
      rationale: $("#rationale").value.trim() || null,
    };
    if (pref.strength !== null) body.strength = pref.strength;
    const corrected = $("#corrected").value;
    if (corrected.trim()) body.corrected_code = corrected;
    send(body);
  }
  function openSkip() {
    if (!skipForm) return; // a revision cannot be a skip
    skipForm.hidden = false;
    $("#skip-reason").focus();
  }
  function skip() {
    send({ skip_reason: $("#skip-reason").value });
  }
  $("#judgment").addEventListener("submit", (ev) => { ev.preventDefault(); submit(); });
  if (skipForm) {
    $("#skip-open").addEventListener("click", openSkip);
    $("#skip-send").addEventListener("click", skip);
  }
  const diffButton = $("#diff-toggle");
  function toggleDiff() {
    if (!diffButton) return;
    const panel = $("#diff");
    panel.hidden = !panel.hidden;
    diffButton.setAttribute("aria-expanded", String(!panel.hidden));
    diffButton.firstChild.textContent = panel.hidden ? "Show diff A → B " : "Hide diff ";
  }
  if (diffButton) diffButton.addEventListener("click", toggleDiff);

  // ---- active time -----------------------------------------------------------------------
  function saveActive() { store.setItem("cj-active-" + slot, String(state.active)); }
  function paintTimer(label) {
    const s = Math.floor(state.active);
    $("#timer").textContent = Math.floor(s / 60) + ":" + String(s % 60).padStart(2, "0");
    $("#timer-state").textContent = label;
  }
  function tick() {
    const idle = Date.now() - state.lastInput > data.idle_seconds * 1000;
    let label = "active";
    if (state.paused) label = "paused";
    else if (idle || document.visibilityState !== "visible") label = "idle";
    else state.active += 1;
    paintTimer(label);
    if (Math.floor(state.active) % 10 === 0) saveActive();
  }
  function togglePause() {
    state.paused = !state.paused;
    $("#pause").textContent = state.paused ? "Resume" : "Pause";
    $("#pause").setAttribute("aria-pressed", String(state.paused));
    paintTimer(state.paused ? "paused" : "active");
  }
  $("#pause").addEventListener("click", togglePause);
  for (const kind of ["keydown", "mousedown", "mousemove", "wheel", "touchstart", "scroll"]) {
    window.addEventListener(kind, () => { state.lastInput = Date.now(); }, { passive: true, capture: true });
  }
  window.addEventListener("pagehide", saveActive);
  setInterval(tick, 1000);
  paintTimer("active");

  // ---- keyboard --------------------------------------------------------------------------
  function typing(el) {
    if (!el) return false;
    if (el.isContentEditable || el.tagName === "TEXTAREA" || el.tagName === "SELECT") return true;
    return el.tagName === "INPUT" && !["radio", "checkbox", "button", "submit"].includes(el.type);
  }
  const keys = {
    "[": () => focusCard(state.focus - 1),
    "]": () => focusCard(state.focus + 1),
    j: () => moveCursor(1),
    k: () => moveCursor(-1),
    x: () => select(state.focus, state.cursor[state.focus] + 1, false),
    X: () => select(state.focus, state.cursor[state.focus] + 1, true),
    r: startRating,
    e: () => $("#rationale").focus(),
    d: toggleDiff,
    p: togglePause,
    s: openSkip,
    "?": () => { $("#help-body").hidden = !$("#help-body").hidden; },
  };
  document.addEventListener("keydown", (ev) => {
    if ((ev.ctrlKey || ev.metaKey) && ev.key === "Enter") { ev.preventDefault(); submit(); return; }
    if (ev.key === "Escape") {
      if (!$("#flag-form").hidden && $("#flag-form").contains(document.activeElement)) {
        ev.preventDefault(); cards[state.focus].focus(); return;
      }
      if (typing(document.activeElement)) { document.activeElement.blur(); cards[state.focus].focus(); return; }
      if (state.rating) { state.rating = null; showRatingHint(); return; }
      if (state.selection) { closeFlagForm(); return; }
      if (state.picked !== null) { state.picked = null; paintRanking(); }
      if (skipForm) skipForm.hidden = true;
      return;
    }
    if (typing(ev.target) || ev.ctrlKey || ev.metaKey || ev.altKey) return;
    if (state.rating && /^[0-9]$/.test(ev.key)) { ev.preventDefault(); rate(Number(ev.key)); return; }
    if (data.mode === "pairwise" && /^[1-5]$/.test(ev.key)) {
      ev.preventDefault();
      const input = $('input[name="preference"][value="' + ev.key + '"]');
      input.checked = true;
      return;
    }
    if (data.mode !== "pairwise" && rankingKey(ev)) { ev.preventDefault(); return; }
    const action = keys[ev.key];
    if (action) { ev.preventDefault(); action(); }
  });
  // ---- revision: the earlier answer, filled in -------------------------------------------
  const indexOfId = (id) => data.candidates.findIndex((c) => c.id === id);
  // The preference key (1-5) of a pairwise answer, read against the order shown.
  function preferenceKey(ranking, strength) {
    if (!ranking || ranking.length !== 2) return null;
    if (strength === 0) return "3";
    const aFirst = ranking[0] === data.candidates[0].id;
    if (strength === 2) return aFirst ? "1" : "5";
    return aFirst ? "2" : "4";
  }
  function prefill(answer) {
    if (data.mode === "pairwise") {
      const key = preferenceKey(answer.ranking, answer.strength);
      if (key) $('input[name="preference"][value="' + key + '"]').checked = true;
    } else {
      writeOrder((answer.ranking || []).map(indexOfId).filter((i) => i >= 0));
    }
    data.candidates.forEach((c, i) => {
      const given = (answer.ratings || {})[String(c.id)] || {};
      for (const crit of data.criteria) {
        const input = ratingInputs(i, crit.name).find((x) => Number(x.value) === given[crit.name]);
        if (input) input.checked = true;
      }
    });
    state.spans = (answer.error_spans || [])
      .map((span) => ({ ...span, cand: indexOfId(span.candidate_id) }))
      .filter((span) => span.cand >= 0);
    renderFlags();
    $("#rationale").value = answer.rationale || "";
    if (answer.corrected_code) {
      $("#corrected").value = answer.corrected_code;
      $("details.corrected").open = true;
    }
  }
  if (revision) prefill(revision.answer);

  focusCard(0);
  if (data.mode !== "pairwise") paintRanking();
  window.scrollTo(0, 0);

  // Break reminder: the server says when continuous work has run long; dismissing it hides it
  // until the next stretch of work (keyed by when that stretch started).
  async function checkBreak() {
    try {
      const res = await fetch("/api/v1/me/break", { headers: { Accept: "application/json" } });
      if (!res.ok) return;
      const status = await res.json();
      const box = $("#break-reminder");
      if (!status.due || store.getItem("cj-break-dismissed") === String(status.since)) { box.hidden = true; return; }
      $("#break-text").textContent = "You have worked " + Math.round(status.continuous_minutes) +
        " minutes without a pause. A short break helps: the timer can be paused (p).";
      box.hidden = false;
      $("#break-dismiss").onclick = () => { store.setItem("cj-break-dismissed", String(status.since)); box.hidden = true; };
    } catch (err) { /* offline: try again at the next poll */ }
  }
  checkBreak();
  setInterval(checkBreak, 60000);
})();
