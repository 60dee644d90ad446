// Pain diary, kept only in this browser (localStorage) and only after the patient starts it.
// Nothing is read from or sent to the server. "Delete my data" removes the one key we use.
"use strict";

(() => {
  const KEY = "painDiary";
  const SVG = "http://www.w3.org/2000/svg";
  const DAY = 24 * 3600 * 1000;

  function today() {
    const now = new Date();
    const local = new Date(now.getTime() - now.getTimezoneOffset() * 60000);
    return local.toISOString().slice(0, 10);
  }

  function daysBetween(a, b) {
    return Math.round((Date.parse(b) - Date.parse(a)) / DAY);
  }

  function load() {
    try {
      return JSON.parse(localStorage.getItem(KEY));
    } catch (error) {
      return null;
    }
  }

  function save(diary) {
    localStorage.setItem(KEY, JSON.stringify(diary));
  }

  function average(values) {
    return values.reduce((sum, v) => sum + v, 0) / values.length;
  }

  // The guideline's signposts, from the entries alone.
  function nudges(diary) {
    const dates = Object.keys(diary.days).sort();
    const entries = dates.map((d) => diary.days[d]);
    const show = new Set();
    if (entries.length === 0) {
      return show;
    }
    const last = entries[entries.length - 1];
    const pains = entries.map((e) => e.pain);
    if (last.leg || (pains.length >= 2 && last.pain >= pains[pains.length - 2] + 2)) {
      show.add("worse");
    }
    const span = daysBetween(diary.started, dates[dates.length - 1]);
    if (span >= 7 && pains.length >= 2 && average(pains.slice(-3)) >= average(pains.slice(0, 3))) {
      show.add("no-better");
    }
    if (span >= 28 && entries.slice(-3).every((e) => !e.normal)) {
      show.add("book");
    }
    return show;
  }

  function drawChart(holder, diary) {
    holder.textContent = "";
    const dates = Object.keys(diary.days).sort();
    if (dates.length === 0) {
      holder.append(document.createTextNode(holder.dataset.empty));
      return;
    }
    const width = 320;
    const height = 170;
    const left = 24;
    const bottom = 140;
    const span = Math.max(1, daysBetween(dates[0], dates[dates.length - 1]));
    const x = (d) => left + ((width - left - 10) * daysBetween(dates[0], d)) / span;
    const y = (pain) => bottom - pain * 12.5;
    const svg = document.createElementNS(SVG, "svg");
    svg.setAttribute("viewBox", `0 0 ${width} ${height}`);
    svg.setAttribute("class", "app-diary__chart");
    svg.setAttribute("role", "img");
    svg.setAttribute("aria-label", holder.dataset.label);
    const add = (name, attrs, text) => {
      const node = document.createElementNS(SVG, name);
      Object.entries(attrs).forEach(([k, v]) => node.setAttribute(k, v));
      if (text !== undefined) {
        node.textContent = text;
      }
      svg.append(node);
      return node;
    };
    [0, 5, 10].forEach((pain) => {
      add("line", { x1: left, x2: width - 4, y1: y(pain), y2: y(pain), class: "app-diary__axis" });
      add("text", { x: 2, y: y(pain) + 4, class: "app-diary__axis-label" }, String(pain));
    });
    add("polyline", {
      points: dates.map((d) => `${x(d)},${y(diary.days[d].pain)}`).join(" "),
      class: "app-diary__line",
    });
    dates.forEach((d) => {
      add("circle", { cx: x(d), cy: y(diary.days[d].pain), r: 4, class: "app-diary__point" });
      if (diary.days[d].session) {
        add("rect", { x: x(d) - 4, y: bottom + 10, width: 8, height: 8, class: "app-diary__session" });
      }
    });
    add("text", { x: left, y: height - 2, class: "app-diary__axis-label" }, dates[0]);
    add("text", { x: width - 80, y: height - 2, class: "app-diary__axis-label" }, dates[dates.length - 1]);
    holder.append(svg);
  }

  function listDays(list, diary) {
    list.textContent = "";
    Object.keys(diary.days).sort().slice(-7).forEach((d) => {
      const e = diary.days[d];
      const item = document.createElement("li");
      item.textContent = `${d}: ${list.dataset.painText} ${e.pain}${e.session ? ` · ${list.dataset.sessionText}` : ""}`;
      list.append(item);
    });
  }

  function start(root) {
    const optin = root.querySelector("[data-diary-optin]");
    const main = root.querySelector("[data-diary-main]");
    const form = root.querySelector("[data-diary-form]");
    const status = root.querySelector("[data-diary-status]");
    const confirmBox = root.querySelector("[data-diary-confirm]");
    const deleted = root.querySelector("[data-diary-deleted]");

    function show() {
      const diary = load();
      optin.hidden = diary !== null;
      main.hidden = diary === null;
      if (diary === null) {
        return;
      }
      const entry = diary.days[today()];
      if (entry) {
        form.querySelector(`input[name="pain"][value="${entry.pain}"]`).checked = true;
        ["session", "normal", "leg"].forEach((name) => {
          form.querySelector(`input[name="${name}"]`).checked = Boolean(entry[name]);
        });
      }
      drawChart(root.querySelector("[data-diary-chart]"), diary);
      listDays(root.querySelector("[data-diary-days]"), diary);
      const active = nudges(diary);
      root.querySelectorAll("[data-nudge]").forEach((p) => {
        p.hidden = !active.has(p.dataset.nudge);
      });
    }

    root.querySelector("[data-diary-start]").addEventListener("click", () => {
      save({ version: 1, started: today(), days: {} });
      deleted.hidden = true;
      show();
      form.querySelector('input[name="pain"]').focus();
    });

    form.addEventListener("submit", (event) => {
      event.preventDefault();
      const pain = form.querySelector('input[name="pain"]:checked');
      if (!pain) {
        status.textContent = status.dataset.chooseText;
        return;
      }
      const diary = load() || { version: 1, started: today(), days: {} };
      diary.days[today()] = {
        pain: Number(pain.value),
        session: form.elements.session.checked,
        normal: form.elements.normal.checked,
        leg: form.elements.leg.checked,
      };
      save(diary);
      status.textContent = status.dataset.savedText;
      show();
    });

    root.querySelector("[data-diary-export]").addEventListener("click", () => {
      const blob = new Blob([JSON.stringify(load(), null, 2)], { type: "application/json" });
      const link = document.createElement("a");
      link.href = URL.createObjectURL(blob);
      link.download = `pain-diary-${today()}.json`;
      document.body.append(link);
      link.click();
      link.remove();
      URL.revokeObjectURL(link.href);
    });

    root.querySelector("[data-diary-delete]").addEventListener("click", () => {
      confirmBox.hidden = false;
      confirmBox.querySelector("button").focus();
    });

    root.querySelector("[data-diary-delete-yes]").addEventListener("click", () => {
      localStorage.removeItem(KEY);
      confirmBox.hidden = true;
      form.reset();
      status.textContent = "";
      deleted.hidden = false;
      show();
      deleted.focus();
    });
    deleted.setAttribute("tabindex", "-1");
    show();
  }

  document.addEventListener("DOMContentLoaded", () => {
    document.querySelectorAll("[data-diary]").forEach(start);
  });
})();
