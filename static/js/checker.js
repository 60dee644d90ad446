// Symptom checker enhancements. The checker works without this file: every step is a form.
// - "No, none of these" unticks the signs, and a sign unticks it (the server checks it too).
// - The body map drawing toggles the same checkboxes the list shows.
// - After htmx swaps a step in, focus moves to its heading, and browser back/forward moves
//   between steps. Earlier steps are kept in memory only, never stored on the phone.
"use strict";

(() => {
  const steps = []; // outerHTML of each step shown on this page visit, by history index
  let current = 0; // the history index of the step on screen

  function checker() {
    return document.getElementById("checker");
  }

  function syncBodyMap(root) {
    root.querySelectorAll(".app-body-map__region").forEach((region) => {
      const box = root.querySelector(`input[name="area"][value="${region.dataset.region}"]`);
      region.classList.toggle("is-selected", Boolean(box && box.checked));
    });
  }

  function enhance(root) {
    if (!root) {
      return;
    }
    syncBodyMap(root);
    root.querySelectorAll(".app-body-map__region").forEach((region) => {
      region.addEventListener("click", () => {
        const box = root.querySelector(`input[name="area"][value="${region.dataset.region}"]`);
        if (box) {
          box.checked = !box.checked;
          syncBodyMap(root);
        }
      });
    });
  }

  document.addEventListener("change", (event) => {
    const input = event.target;
    const root = checker();
    if (!root || !root.contains(input)) {
      return;
    }
    if (input.name === "area") {
      syncBodyMap(root);
    }
    if (input.name === "sign" && input.checked) {
      const boxes = root.querySelectorAll('input[name="sign"]');
      boxes.forEach((box) => {
        const clash = input.value === "none" ? box !== input : box.value === "none";
        if (clash) {
          box.checked = false;
        }
      });
    }
  });

  // The step as the patient left it: ticked boxes and typed values written into the markup.
  function snapshot(root) {
    root.querySelectorAll("input").forEach((input) => {
      if (input.type === "checkbox" || input.type === "radio") {
        input.toggleAttribute("checked", input.checked);
      } else if (input.type !== "hidden") {
        input.setAttribute("value", input.value);
      }
    });
    return root.outerHTML;
  }

  document.addEventListener("htmx:beforeSwap", (event) => {
    const root = checker();
    if (root && event.detail.target.id === "checker") {
      steps[current] = snapshot(root);
    }
  });

  function focusHeading(root) {
    const target = root.querySelector(".app-error-summary") || root.querySelector("h1");
    if (target) {
      target.focus({ preventScroll: true });
    }
    window.scrollTo(0, 0);
  }

  document.addEventListener("htmx:afterSwap", (event) => {
    const root = checker();
    if (!root || event.detail.target.id !== "checker") {
      return;
    }
    enhance(root);
    focusHeading(root);
    if (root.querySelector(".app-error-summary") === null) {
      current += 1;
      steps.length = current;
      history.pushState({ checkerStep: current }, "", window.location.href);
    }
    steps[current] = root.outerHTML;
  });

  window.addEventListener("popstate", (event) => {
    const index = (event.state && event.state.checkerStep) || 0;
    const html = steps[index];
    const root = checker();
    if (html === undefined || !root) {
      return;
    }
    steps[current] = snapshot(root);
    current = index;
    const holder = document.createElement("div");
    holder.innerHTML = html;
    const fresh = holder.firstElementChild;
    root.replaceWith(fresh);
    if (window.htmx) {
      window.htmx.process(fresh);
    }
    enhance(fresh);
    focusHeading(fresh);
  });

  document.addEventListener("DOMContentLoaded", () => {
    const root = checker();
    enhance(root);
    if (root) {
      steps[0] = root.outerHTML;
      current = 0;
      history.replaceState({ checkerStep: 0 }, "", window.location.href);
    }
  });
})();
