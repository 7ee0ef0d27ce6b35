// Active time on plain form pages (the qualification page). It counts seconds and nothing else:
// input only marks the moment of the last activity (never which key, where, or what was typed).
// The count stops after the form's data-idle-seconds without input and while the tab is hidden.
// It is kept per tab in sessionStorage under the form's data-active-timer key, so leaving for the
// items and coming back goes on from the same count; on submit it fills the hidden active_seconds.
"use strict";
(function () {
  const PREFIX = "cj-timer-";
  const forms = Array.from(document.querySelectorAll("form[data-active-timer]"));
  const keys = forms.map((f) => PREFIX + f.dataset.activeTimer);
  const store = (() => {
    try { return window.sessionStorage; } catch (e) { return null; }
  })();
  function read(key) {
    try { return Number(store && store.getItem(key)) || 0; } catch (e) { return 0; }
  }
  function write(key, value) {
    try { if (store) store.setItem(key, String(value)); } catch (e) { /* storage full or off */ }
  }
  // Counts of attempts that are no longer on the page are done with.
  try {
    for (let i = store ? store.length - 1 : -1; i >= 0; i--) {
      const key = store.key(i);
      if (key && key.startsWith(PREFIX) && !keys.includes(key)) store.removeItem(key);
    }
  } catch (e) { /* storage off */ }
  if (!forms.length) return;

  const key = keys[0];
  const idleMs = (Number(forms[0].dataset.idleSeconds) || 120) * 1000;
  const value = document.getElementById("active-time-value");
  const state = document.getElementById("active-time-state");
  let active = read(key);
  let lastInput = Date.now();

  function paint(label) {
    if (!value) return;
    const s = Math.floor(active);
    value.textContent = Math.floor(s / 60) + ":" + String(s % 60).padStart(2, "0");
    state.textContent = label;
  }
  function tick() {
    const idle = Date.now() - lastInput > idleMs || document.visibilityState !== "visible";
    if (!idle) {
      active += 1;
      write(key, active);
    }
    paint(idle ? "paused" : "active");
  }
  for (const kind of ["keydown", "mousedown", "mousemove", "wheel", "touchstart", "scroll"]) {
    window.addEventListener(kind, () => { lastInput = Date.now(); }, { passive: true, capture: true });
  }
  for (const form of forms) {
    form.addEventListener("submit", () => {
      const field = form.querySelector('input[name="active_seconds"]');
      if (field) field.value = String(Math.floor(active));
    });
  }
  const shown = document.getElementById("active-time");
  if (shown) shown.hidden = false;
  paint("active");
  setInterval(tick, 1000);
})();
