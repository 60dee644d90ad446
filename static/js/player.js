// Session player: today's exercises one at a time. Without JavaScript the session is a plain
// list; this file turns it into a player.
//
// - Holds and timed exercises count down in real time: every look at the clock compares
//   Date.now() with the time the hold ends, so the countdown stays right when the phone locks
//   the screen or the browser slows the page's timers down. A wake lock keeps the screen on
//   while a timer runs, where the phone allows it.
// - Repetitions with a hold run through a round on their own after one tap: get ready, hold,
//   relax, the next one, each counted and announced.
// - The end of a hold, a round and an exercise is told in four ways: a short tone (Web Audio,
//   made by an oscillator, only after the person has tapped Start), a vibration where the phone
//   has one, a polite live message for screen readers, and the button for the next step.
// - Exercises done on each side switch side each time (the exercises' steps say so).
// The texts come from the list's data-text-* attributes, translated by the server.
"use strict";

(() => {
  const READY = 3; // seconds to get into position before the first hold of a round
  const RELAX = 3; // seconds to relax between two holds
  const TICK = 250; // ms between two looks at the clock; the time itself comes from Date.now()

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

  // "Round {n} of {total}" with the numbers put in.
  function fill(template, values) {
    return template.replace(/\{(\w+)\}/g, (match, key) => (key in values ? String(values[key]) : match));
  }

  function capital(text) {
    return text.charAt(0).toUpperCase() + text.slice(1);
  }

  // --- sound and vibration ------------------------------------------------------------------

  let audio = null;

  // Called from a tap: browsers only let a page make sound after the person has done something.
  function unlockAudio() {
    const Context = window.AudioContext || window.webkitAudioContext;
    if (!Context) {
      return;
    }
    try {
      if (audio === null) {
        audio = new Context();
      }
      if (audio.state === "suspended") {
        audio.resume().catch(() => {});
      }
    } catch (error) {
      audio = null; // no sound then; the message and the button still tell
    }
  }

  function tone(frequency, delay, length) {
    if (audio === null || audio.state === "closed") {
      return;
    }
    const start = audio.currentTime + delay;
    const oscillator = audio.createOscillator();
    const gain = audio.createGain();
    oscillator.type = "sine";
    oscillator.frequency.value = frequency;
    gain.gain.setValueAtTime(0.0001, start);
    gain.gain.exponentialRampToValueAtTime(0.3, start + 0.02);
    gain.gain.exponentialRampToValueAtTime(0.0001, start + length);
    oscillator.connect(gain);
    gain.connect(audio.destination);
    oscillator.start(start);
    oscillator.stop(start + length + 0.05);
  }

  function vibrate(pattern) {
    if (typeof navigator.vibrate === "function") {
      navigator.vibrate(pattern);
    }
  }

  const signal = {
    hold() {
      tone(880, 0, 0.15); // a high beep: hold now
    },
    relax() {
      tone(587, 0, 0.2); // a lower beep: let go
      vibrate(150);
    },
    done() {
      tone(659, 0, 0.15); // three rising notes: this hold, round or exercise is done
      tone(784, 0.18, 0.15);
      tone(1047, 0.36, 0.35);
      vibrate([200, 100, 200]);
    },
  };

  // --- keep the screen on while a timer runs, where the phone allows it ----------------------

  let wakeLock = null;
  let wantWake = false;

  function keepAwake(on) {
    wantWake = on;
    if (!on) {
      if (wakeLock !== null) {
        wakeLock.release().catch(() => {});
        wakeLock = null;
      }
      return;
    }
    if (wakeLock === null && "wakeLock" in navigator && document.visibilityState === "visible") {
      navigator.wakeLock.request("screen").then(
        (lock) => {
          if (wantWake) {
            wakeLock = lock;
            lock.addEventListener("release", () => {
              if (wakeLock === lock) {
                wakeLock = null;
              }
            });
          } else {
            lock.release().catch(() => {});
          }
        },
        () => {} // not allowed (battery saver, an old phone): the timer still keeps time
      );
    }
  }

  // --- the player ------------------------------------------------------------------------------

  function start(list) {
    const t = list.dataset; // translated texts: data-text-*
    const items = Array.from(list.querySelectorAll(".app-session__item"));
    if (items.length === 0) {
      return;
    }
    list.classList.add("app-session--playing");

    function duration(seconds) {
      const minutes = Math.floor(seconds / 60);
      const rest = seconds % 60;
      const parts = [];
      if (minutes > 0) {
        parts.push(minutes === 1 ? t.textMinute : fill(t.textMinutes, { n: minutes }));
      }
      if (rest > 0 || minutes === 0) {
        parts.push(rest === 1 ? t.textSecond : fill(t.textSeconds, { n: rest }));
      }
      return parts.join(" ");
    }

    // On the screen: 45 for a hold under a minute, 4:05 for longer ones.
    function clock(seconds, long) {
      return long ? `${Math.floor(seconds / 60)}:${String(seconds % 60).padStart(2, "0")}` : String(seconds);
    }

    const panel = el("div", "app-player");
    const position = el("p", "app-player__position");
    const round = el("p", "app-player__round");
    const phase = el("p", "app-player__phase");
    // The big number is for the eye («4:05»); the words beside it for a screen reader
    // («4 minutter 5 sekunder igjen»).
    const countShown = el("p", "app-player__count");
    countShown.setAttribute("aria-hidden", "true");
    const countWords = el("p", "app-visually-hidden");
    const unit = el("p", "app-player__label");
    unit.setAttribute("aria-hidden", "true");
    const repLine = el("p", "app-player__reps");
    // What a screen reader hears, at the moments that matter (never every second), and what
    // the eye sees when a hold, a round or the exercise is done.
    const status = el("p", "app-visually-hidden");
    status.setAttribute("role", "status");
    status.setAttribute("aria-live", "polite");
    const message = el("p", "app-player__status");
    message.setAttribute("aria-hidden", "true"); // the same words as the status, said once
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
    done.setAttribute("tabindex", "-1");
    panel.append(position, round, phase, countShown, countWords, unit, repLine, message, status, actions, nav);
    list.after(done);

    let index = 0;
    let plan = null; // what the exercise asks for: see planFor
    // status: ready | running | paused | between (a round or side done) | done (the exercise)
    let state = null;
    let timer = null;

    function planFor(d) {
      const sides = d.perSide !== undefined ? 2 : 1;
      const sets = Math.max(1, Number(d.sets || 1));
      const hold = Number(d.hold || 0);
      if (d.kind === "time") {
        return { mode: "timer", sets: 1, sides: 1, units: 1, seconds: Number(d.minutes) * 60, label: "" };
      }
      if (d.kind === "hold") {
        return { mode: "timer", sets, sides, units: sets * sides, seconds: hold, label: t.textHold };
      }
      const reps = Number(d.reps || 0) * sides;
      return { mode: hold > 0 ? "auto" : "count", sets, sides, units: sets, reps, seconds: hold };
    }

    // The steps of one round (or one side of a hold): each with its length in seconds.
    function phasesFor() {
      if (plan.mode === "timer") {
        return [{ type: "hold", seconds: plan.seconds }];
      }
      const phases = [{ type: "ready", seconds: READY }];
      for (let rep = 1; rep <= plan.reps; rep += 1) {
        if (rep > 1) {
          phases.push({ type: "relax", seconds: RELAX, rep: rep - 1 });
        }
        phases.push({ type: "hold", seconds: plan.seconds, rep });
      }
      return phases;
    }

    function side(number) {
      return number % 2 === 1 ? t.textFirstSide : t.textOtherSide;
    }

    function secondsLeft() {
      if (state.status === "running") {
        return Math.max(0, Math.ceil((state.endsAt - Date.now()) / 1000));
      }
      if (state.status === "paused") {
        return Math.ceil(state.left / 1000);
      }
      return state.status === "done" ? 0 : plan.seconds;
    }

    function announce(text, shown) {
      status.textContent = text;
      message.textContent = shown ? text : "";
    }

    function stopTimer() {
      if (timer !== null) {
        clearInterval(timer);
        timer = null;
      }
      keepAwake(false);
    }

    function runTimer() {
      stopTimer();
      timer = setInterval(tick, TICK);
      keepAwake(true);
    }

    function render() {
      const item = items[index];
      position.textContent = fill(t.textPosition, { n: index + 1, total: items.length });
      const unitShown = Math.min(state.unit, plan.units - 1);
      const parts = [];
      const set = plan.mode === "timer" ? Math.floor(unitShown / plan.sides) + 1 : unitShown + 1;
      if (plan.sets > 1) {
        parts.push(fill(t.textRound, { n: set, total: plan.sets }));
      }
      if (plan.mode === "timer" && plan.sides === 2) {
        parts.push(side((unitShown % 2) + 1));
      }
      round.textContent = capital(parts.join(" · "));
      round.hidden = parts.length === 0;

      const running = state.status === "running" || state.status === "paused";
      const current = running ? state.phases[state.phase] : null;
      if (plan.mode === "count") {
        phase.hidden = true;
        repLine.hidden = true;
        countShown.textContent = `${state.rep} / ${plan.reps}`;
        countWords.textContent = fill(t.textRepsDone, { n: state.rep, total: plan.reps });
        unit.textContent = plan.sides === 2 ? t.textTimesSides : t.textTimes;
        unit.hidden = false;
      } else {
        const long = (current ? current.seconds : plan.seconds) >= 60;
        const left = secondsLeft();
        if (state.status === "done") {
          countShown.textContent = "✓";
          countWords.textContent = t.textFinished;
        } else {
          countShown.textContent = clock(left, long);
          countWords.textContent = fill(t.textLeft, { time: duration(left) });
        }
        unit.textContent = long ? t.textLeftShort : t.textSecondsLeft;
        unit.hidden = state.status === "done";
        let label = "";
        if (state.status === "done") {
          label = "";
        } else if (current && current.type === "ready") {
          label = t.textGetReady;
        } else if (current && current.type === "relax") {
          label = t.textRelax;
        } else if (plan.mode === "auto" || current) {
          label = plan.mode === "auto" ? t.textHold : plan.label;
        }
        phase.textContent = label;
        phase.hidden = label === "";
        if (plan.mode === "auto") {
          repLine.hidden = state.status === "done";
          if (current && current.rep) {
            const rep = fill(t.textRepetition, { n: current.rep, total: plan.reps });
            repLine.textContent = plan.sides === 2 ? `${rep} · ${side(current.rep)}` : rep;
          } else {
            repLine.textContent = fill(t.textRepetitions, { n: plan.reps });
          }
        } else {
          repLine.hidden = true;
        }
      }

      const last = index === items.length - 1;
      if (state.status === "done") {
        main.textContent = last ? t.textFinish : t.textNext;
      } else if (state.status === "running") {
        main.textContent = plan.mode === "count" ? t.textRep : t.textPause;
      } else if (state.status === "paused") {
        main.textContent = t.textResume;
      } else if (state.status === "between") {
        main.textContent =
          plan.mode === "timer" && plan.sides === 2 && state.unit % 2 === 1
            ? t.textStartOtherSide
            : fill(t.textStartRound, { n: plan.mode === "timer" ? Math.floor(state.unit / plan.sides) + 1 : state.unit + 1 });
      } else {
        main.textContent = plan.mode === "count" ? t.textRep : t.textStart;
      }
      prev.disabled = index === 0;
      next.textContent = last ? t.textFinish : t.textNext;
      // When the exercise is done, the main button is the way on: no second one beside it.
      next.hidden = state.status === "done";
      item.classList.toggle("is-done", state.status === "done");
    }

    function load(newIndex) {
      stopTimer();
      index = Math.max(0, Math.min(items.length - 1, newIndex));
      const item = items[index];
      plan = planFor(item.dataset);
      state = { status: "ready", unit: 0, phases: [], phase: 0, endsAt: 0, left: 0, rep: 0, minutes: 0 };
      items.forEach((other, i) => other.classList.toggle("is-current", i === index));
      const dose = item.querySelector(".app-dose");
      if (dose) {
        dose.after(panel);
      } else {
        item.append(panel);
      }
      done.hidden = true;
      status.textContent = "";
      render();
    }

    // A round, a side or the whole exercise is done.
    function endUnit() {
      stopTimer();
      signal.done();
      const finished = state.unit + 1 >= plan.units;
      const parts = [];
      if (finished) {
        state.status = "done";
        state.unit = plan.units;
        parts.push(plan.mode === "timer" && plan.units === 1 && !plan.label ? t.textTimeUp : t.textExerciseDone);
        parts.push(index === items.length - 1 ? t.textLastDone : t.textGoOn);
      } else {
        state.unit += 1;
        state.status = "between";
        if (plan.mode === "timer" && plan.sides === 2 && state.unit % 2 === 1) {
          parts.push(t.textSideDone);
        } else {
          const finishedRound = plan.mode === "timer" ? state.unit / plan.sides : state.unit;
          parts.push(fill(t.textRoundDone, { n: finishedRound, total: plan.sets }));
          parts.push(fill(t.textRestThenRound, { n: finishedRound + 1 }));
        }
      }
      announce(parts.join(" "), true);
      render();
    }

    // Entering a phase: a beep and a word for the holds of a round that runs on its own.
    function enterPhase(current) {
      if (current.type === "hold" && plan.mode === "auto") {
        signal.hold();
        const rep = fill(t.textRepetition, { n: current.rep, total: plan.reps });
        announce(`${plan.sides === 2 ? `${rep}, ${side(current.rep)}` : rep}. ${t.textHold}.`);
      } else if (current.type === "relax") {
        signal.relax();
      }
    }

    function tick() {
      if (state.status !== "running") {
        return;
      }
      const now = Date.now();
      let entered = null;
      // After a locked screen several steps may have passed: walk through them on the clock,
      // each starting where the one before ended, and tell only where we are now.
      while (now >= state.endsAt) {
        state.phase += 1;
        if (state.phase >= state.phases.length) {
          endUnit();
          return;
        }
        entered = state.phases[state.phase];
        state.endsAt += entered.seconds * 1000;
      }
      if (entered) {
        enterPhase(entered);
      }
      const current = state.phases[state.phase];
      if (current.seconds >= 120) {
        // Long timers say how many minutes are left, once a minute (not every second).
        const minutes = Math.ceil((state.endsAt - now) / 60000);
        if (minutes < state.minutes) {
          announce(fill(t.textLeft, { time: duration(Math.ceil((state.endsAt - now) / 1000)) }));
        }
        state.minutes = minutes;
      }
      render();
    }

    function beginUnit() {
      state.phases = phasesFor();
      state.phase = 0;
      state.status = "running";
      const first = state.phases[0];
      state.endsAt = Date.now() + first.seconds * 1000;
      state.minutes = Math.ceil(first.seconds / 60);
      if (first.type === "ready") {
        announce(`${t.textGetReady}.`);
      } else {
        announce(fill(t.textStarted, { time: duration(first.seconds) }));
      }
      runTimer();
    }

    main.addEventListener("click", () => {
      unlockAudio();
      if (state.status === "done") {
        goNext();
        return;
      }
      if (plan.mode === "count") {
        if (state.status === "between") {
          state.rep = 0;
          state.status = "running";
          announce("");
        } else {
          state.status = "running";
          state.rep += 1;
          if (state.rep >= plan.reps) {
            endUnit();
            return;
          }
          announce(fill(t.textRepsDone, { n: state.rep, total: plan.reps }));
        }
      } else if (state.status === "running") {
        state.left = state.endsAt - Date.now();
        state.status = "paused";
        stopTimer();
        announce(t.textPaused);
      } else if (state.status === "paused") {
        state.status = "running";
        state.endsAt = Date.now() + state.left;
        announce("");
        runTimer();
      } else {
        beginUnit();
      }
      render();
    });

    function goNext() {
      if (index === items.length - 1) {
        stopTimer();
        done.hidden = false;
        done.focus();
        return;
      }
      load(index + 1);
      items[index].querySelector("h2").focus();
    }

    reset.addEventListener("click", () => load(index));
    prev.addEventListener("click", () => {
      load(index - 1);
      items[index].querySelector("h2").focus();
    });
    next.addEventListener("click", goNext);
    document.addEventListener("visibilitychange", () => {
      if (document.visibilityState === "visible" && timer !== null) {
        tick(); // back from a locked screen: catch up at once
        keepAwake(true);
      }
    });
    items.forEach((item) => item.querySelector("h2").setAttribute("tabindex", "-1"));
    load(0);
  }

  document.addEventListener("DOMContentLoaded", () => {
    document.querySelectorAll("[data-player]").forEach(start);
  });
})();
