// Pain diary, kept only in this browser (localStorage) and only after the patient starts it.
// Nothing is read from or sent to the server. "Delete my data" removes the one key we use.
//
// What is kept under that key: {version: 1, started, onset, days: {"2026-11-28": {pain, session,
// normal, leg, flag}}}. `onset` is the day the pain started (asked once, optional); the weeks in
// the advice on when to get help count from it, and from the first day saved when it is empty.
"use strict";

(() => {
  const KEY = "painDiary";
  const SVG = "http://www.w3.org/2000/svg";
  const DAY = 24 * 3600 * 1000;
  // The smallest change in pain on the 0–10 scale that patients feel as a real change: about
  // 2 points (Farrar JT et al. Clinically important changes in pain intensity measured on an
  // 11-point numerical pain rating scale. Pain 2001;94:149–158; Ostelo RW et al. Spine
  // 2008;33:90–94 for low back pain).
  const CHANGE = 2;
  // Pain goes up and down from one day to the next, so we compare means over a few days, not
  // one day with the day before: the last three days with an entry against the three before.
  const WINDOW = 3;

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
      const diary = JSON.parse(localStorage.getItem(KEY));
      return diary && typeof diary === "object" && diary.days ? diary : null;
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

  function validDate(value) {
    return /^\d{4}-\d{2}-\d{2}$/.test(value || "") && !Number.isNaN(Date.parse(value)) ? value : null;
  }

  // The guideline's signposts (the national guideline for low back pain: get help when the pain
  // gets worse, when it is no better after 1 to 2 weeks, and when you are not back to your
  // normal activities after 4 to 6 weeks), worked out from the entries alone.
  //
  // "worse": the mean pain of the last WINDOW days with an entry is CHANGE points or more above
  //   the mean of the WINDOW days before them (with 4 or 5 entries, two days against two). One
  //   bad day alone does not count. New leg symptoms always count.
  // "no-better": a week or more since the pain started, and the mean of the last days has not
  //   come down by CHANGE points from the mean of the first days of the diary (the same number
  //   of days, never the same days), while there is still pain (a mean of 2 or more).
  // "book": 4 weeks or more since the pain started, and none of the last three entries says
  //   «I managed my normal activities».
  function nudges(diary) {
    const dates = Object.keys(diary.days).sort();
    const entries = dates.map((d) => diary.days[d]);
    const show = new Set();
    if (entries.length === 0) {
      return show;
    }
    const last = entries[entries.length - 1];
    const pains = entries.map((e) => Number(e.pain));
    const k = Math.min(WINDOW, Math.floor(pains.length / 2));
    const recent = k > 0 ? average(pains.slice(-k)) : 0;
    if (last.leg || last.flag || (k >= 2 && recent >= average(pains.slice(-2 * k, -k)) + CHANGE)) {
      show.add("worse");
    }
    const since = validDate(diary.onset) || dates[0];
    const weeks = daysBetween(since, dates[dates.length - 1]) / 7;
    if (weeks >= 1 && k >= 1 && recent >= 2 && average(pains.slice(0, k)) - recent < CHANGE) {
      show.add("no-better");
    }
    if (weeks >= 4 && entries.slice(-3).every((e) => !e.normal)) {
      show.add("book");
    }
    return show;
  }

  function start(root) {
    const locale = root.dataset.locale;
    const optin = root.querySelector("[data-diary-optin]");
    const main = root.querySelector("[data-diary-main]");
    const form = root.querySelector("[data-diary-form]");
    const status = root.querySelector("[data-diary-status]");
    const confirmBox = root.querySelector("[data-diary-confirm]");
    const deleted = root.querySelector("[data-diary-deleted]");
    const emergency = root.querySelector("[data-diary-emergency]");
    const flag = root.querySelector("[data-diary-flag]");
    const onsetText = root.querySelector("[data-diary-onset-text]");
    const onsetForm = root.querySelector("[data-diary-onset-form]");
    const deleteButton = root.querySelector("[data-diary-delete]");
    root.querySelectorAll("[data-diary-onset]").forEach((input) => {
      input.max = today();
    });

    // Dates as people write them: «28. november» (nb), «28 November» (en), in the page's
    // language (data-locale, from webapp/core/languages.py), with the year
    // when it is not this year.
    function dateText(iso) {
      const date = new Date(`${iso}T12:00:00Z`);
      const options = { day: "numeric", month: "long", timeZone: "UTC" };
      if (iso.slice(0, 4) !== today().slice(0, 4)) {
        options.year = "numeric";
      }
      return new Intl.DateTimeFormat(locale, options).format(date);
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
      add("text", { x: left, y: height - 2, class: "app-diary__axis-label" }, dateText(dates[0]));
      if (dates.length > 1) {
        add(
          "text",
          { x: width - 4, y: height - 2, "text-anchor": "end", class: "app-diary__axis-label" },
          dateText(dates[dates.length - 1])
        );
      }
      holder.append(svg);
    }

    function listDays(list, diary) {
      list.textContent = "";
      Object.keys(diary.days).sort().slice(-7).forEach((d) => {
        const e = diary.days[d];
        const item = document.createElement("li");
        const parts = [`${dateText(d)}: ${list.dataset.painText} ${e.pain}`];
        if (e.session) {
          parts.push(list.dataset.sessionText);
        }
        if (e.flag) {
          parts.push(list.dataset.flagText);
        }
        item.textContent = parts.join(" · ");
        list.append(item);
      });
    }

    function showEmergency(on) {
      emergency.hidden = !on;
    }

    function show() {
      const diary = load();
      optin.hidden = diary !== null;
      main.hidden = diary === null;
      if (diary === null) {
        return;
      }
      const onset = validDate(diary.onset);
      onsetText.hidden = onset === null;
      onsetText.textContent = onset ? onsetText.dataset.text.replace("{date}", dateText(onset)) : "";
      onsetForm.querySelector("[data-diary-onset]").value = onset || "";
      const entry = diary.days[today()];
      if (entry) {
        form.querySelector(`input[name="pain"][value="${entry.pain}"]`).checked = true;
        ["session", "normal", "leg", "flag"].forEach((name) => {
          form.querySelector(`input[name="${name}"]`).checked = Boolean(entry[name]);
        });
      }
      showEmergency(flag.checked);
      drawChart(root.querySelector("[data-diary-chart]"), diary);
      listDays(root.querySelector("[data-diary-days]"), diary);
      const active = nudges(diary);
      root.querySelectorAll("[data-nudge]").forEach((p) => {
        p.hidden = !active.has(p.dataset.nudge);
      });
    }

    root.querySelector("[data-diary-start]").addEventListener("click", () => {
      const onset = validDate(optin.querySelector("[data-diary-onset]").value);
      save({ version: 1, started: today(), onset, days: {} });
      deleted.hidden = true;
      show();
      form.querySelector('input[name="pain"]').focus();
    });

    // The warning signs of a pressed nerve bundle (cauda equina): the 113 card at once, before
    // anything is saved.
    flag.addEventListener("change", () => {
      showEmergency(flag.checked);
      status.textContent = flag.checked ? status.dataset.flagText : "";
    });

    form.addEventListener("submit", (event) => {
      event.preventDefault();
      const pain = form.querySelector('input[name="pain"]:checked');
      if (!pain) {
        status.textContent = status.dataset.chooseText;
        return;
      }
      const diary = load() || { version: 1, started: today(), onset: null, days: {} };
      diary.days[today()] = {
        pain: Number(pain.value),
        session: form.elements.session.checked,
        normal: form.elements.normal.checked,
        leg: form.elements.leg.checked,
        flag: form.elements.flag.checked,
      };
      save(diary);
      status.textContent = status.dataset.savedText;
      show();
    });

    onsetForm.addEventListener("submit", (event) => {
      event.preventDefault();
      const diary = load();
      if (diary === null) {
        return;
      }
      diary.onset = validDate(onsetForm.querySelector("[data-diary-onset]").value);
      save(diary);
      show();
      const details = onsetForm.closest("details");
      details.open = false;
      (onsetText.hidden ? details.querySelector("summary") : onsetText).focus();
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

    deleteButton.addEventListener("click", () => {
      confirmBox.hidden = false;
      confirmBox.focus();
    });

    root.querySelector("[data-diary-delete-no]").addEventListener("click", () => {
      confirmBox.hidden = true;
      deleteButton.focus();
    });

    root.querySelector("[data-diary-delete-yes]").addEventListener("click", () => {
      localStorage.removeItem(KEY);
      confirmBox.hidden = true;
      form.reset();
      root.querySelectorAll("[data-diary-onset]").forEach((input) => {
        input.value = "";
      });
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
