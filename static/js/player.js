// Session player: today's exercises one at a time, with a large countdown for holds and timed
// exercises and a repetition counter. Without JavaScript the session is a plain list.
"use strict";

(() => {
  function el(tag, className, text) {
    const node = document.createElement(tag);
    if (className) {
      node.className = className;
    }
    if (text !== undefined) {
      node.textContent = text;
    }
    return node;
  }

  function button(text, secondary) {
    const node = el("button", secondary ? "app-button app-button--secondary" : "app-button", text);
    node.type = "button";
    return node;
  }

  function start(list) {
    const t = list.dataset; // translated texts: data-text-*
    const items = Array.from(list.querySelectorAll(".app-session__item"));
    if (items.length === 0) {
      return;
    }
    list.classList.add("app-session--playing");

    const panel = el("div", "app-player");
    const position = el("p", "app-player__position");
    const round = el("p", "app-player__label");
    round.setAttribute("role", "status");
    const count = el("span", "app-player__count");
    const unit = el("span", "app-player__label");
    const actions = el("div", "app-button-row");
    const main = button(t.textStart);
    const reset = button(t.textReset, true);
    actions.append(main, reset);
    const nav = el("div", "app-button-row");
    const prev = button(t.textPrevious, true);
    const next = button(t.textNext);
    nav.append(prev, next);
    const done = el("p", "app-player__done", t.textDone);
    done.hidden = true;
    done.setAttribute("role", "status");
    panel.append(position, round, count, unit, actions, nav, done);

    let index = 0;
    let state = null; // {kind, set, sets, reps, rep, seconds, remaining, running}
    let timer = null;

    function stopTimer() {
      if (timer !== null) {
        clearInterval(timer);
        timer = null;
      }
      if (state) {
        state.running = false;
      }
    }

    function render() {
      const item = items[index];
      position.textContent = `${t.textExercise} ${index + 1} ${t.textOf} ${items.length}`;
      const side = item.dataset.perSide !== undefined ? ` (${t.textSide})` : "";
      if (state.sets > 1) {
        round.textContent = `${t.textSet} ${state.set} ${t.textOf} ${state.sets}${side}`;
      } else {
        round.textContent = side.trim();
      }
      if (state.kind === "reps" && state.seconds === 0) {
        count.textContent = `${state.rep} / ${state.reps}`;
        unit.textContent = t.textReps;
        main.textContent = t.textRep;
      } else {
        const left = state.remaining;
        const shown = left >= 60 ? `${Math.floor(left / 60)}:${String(left % 60).padStart(2, "0")}` : String(left);
        count.textContent = shown;
        unit.textContent = state.kind === "reps" ? `${t.textSeconds} · ${t.textReps} ${state.rep} / ${state.reps}` : t.textSeconds;
        main.textContent = state.running ? t.textPause : state.remaining < state.seconds ? t.textResume : t.textStart;
      }
      prev.disabled = index === 0;
      next.textContent = index === items.length - 1 ? t.textFinish : t.textNext;
    }

    function load(newIndex) {
      stopTimer();
      index = Math.max(0, Math.min(items.length - 1, newIndex));
      const d = items[index].dataset;
      const kind = d.kind;
      const seconds = kind === "time" ? Number(d.minutes) * 60 : Number(d.hold || 0);
      state = {
        kind,
        set: 1,
        sets: Math.max(1, Number(d.sets || 1)),
        reps: Number(d.reps || 0),
        rep: 0,
        seconds,
        remaining: seconds,
        running: false,
      };
      items.forEach((item, i) => item.classList.toggle("is-current", i === index));
      items[index].append(panel);
      done.hidden = true;
      render();
    }

    function finishRound() {
      if (state.set < state.sets) {
        state.set += 1;
        state.rep = 0;
        state.remaining = state.seconds;
      } else {
        round.textContent = t.textFinish;
      }
    }

    function countRep() {
      state.rep += 1;
      if (state.rep >= state.reps) {
        finishRound();
      }
    }

    function tick() {
      state.remaining -= 1;
      if (state.remaining <= 0) {
        stopTimer();
        if (state.kind === "reps") {
          state.remaining = state.seconds;
          countRep();
        } else {
          state.remaining = 0;
          if (state.set < state.sets) {
            finishRound();
          }
        }
      }
      render();
    }

    main.addEventListener("click", () => {
      if (state.kind === "reps" && state.seconds === 0) {
        if (state.set === state.sets && state.rep >= state.reps) {
          return;
        }
        countRep();
      } else if (state.running) {
        stopTimer();
      } else if (state.remaining > 0) {
        state.running = true;
        timer = setInterval(tick, 1000);
      }
      render();
    });
    reset.addEventListener("click", () => load(index));
    prev.addEventListener("click", () => {
      load(index - 1);
      items[index].querySelector("h2").focus();
    });
    next.addEventListener("click", () => {
      if (index === items.length - 1) {
        stopTimer();
        done.hidden = false;
        done.focus();
        return;
      }
      load(index + 1);
      items[index].querySelector("h2").focus();
    });
    items.forEach((item) => item.querySelector("h2").setAttribute("tabindex", "-1"));
    done.setAttribute("tabindex", "-1");
    load(0);
  }

  document.addEventListener("DOMContentLoaded", () => {
    document.querySelectorAll("[data-player]").forEach(start);
  });
})();
