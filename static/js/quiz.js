// Inline quiz results: submit with fetch, show the server's graded review in place.
// The page never holds answers before submission; everything shown comes from the server.
import { rememberAttempt } from "./storage.js";

function statusBox(form) {
  return form.querySelector("#quiz-status");
}

function showStatus(form, message, kind) {
  const box = statusBox(form);
  box.textContent = message;
  box.className = `quiz-status notice notice--${kind}`;
}

function markUnanswered(form, names) {
  for (const item of form.querySelectorAll("[data-question]")) {
    const missing = names.includes(item.dataset.question);
    item.classList.toggle("is-unanswered", missing);
  }
}

function ensureSubmitAnyway(form) {
  if (form.querySelector("[name=submit_incomplete]")) return;
  const button = document.createElement("button");
  button.type = "submit";
  button.name = "submit_incomplete";
  button.value = "1";
  button.className = "button--quiet";
  button.textContent = "Submit anyway";
  form.querySelector(".quiz-actions button").after(button);
}

function unansweredQuestions(form) {
  const items = [...form.querySelectorAll("[data-question]")];
  return items.filter((item) => !item.querySelector("input:checked"));
}

// Worded as quizzes.services.unanswered_message words it for the page without JavaScript.
function unansweredMessage(form, missing) {
  const all = [...form.querySelectorAll("[data-question]")];
  const numbers = missing.map((item) => all.indexOf(item) + 1);
  const ending = "or submit anyway: an unanswered question counts as wrong.";
  if (numbers.length === 1) return `Question ${numbers[0]} is unanswered. Answer it, ${ending}`;
  if (numbers.length === all.length) {
    return `None of the ${all.length} questions is answered yet. Answer them, ${ending}`;
  }
  return `Questions ${numbers.join(", ")} are unanswered. Answer them, ${ending}`;
}

// The review is taller than the form, so the learner would land among the last questions; a
// browser does not scroll to a focused element that is already partly on screen. Put the score
// at the top of the view, then focus it so a screen reader reads it out.
function showScore(score) {
  if (!score) return;
  score.scrollIntoView({ block: "start" });
  score.focus({ preventScroll: true });
}

export function enhanceQuiz(form) {
  if (!form) return;
  let busy = false;
  form.addEventListener("change", () => {
    for (const item of form.querySelectorAll(".is-unanswered")) {
      if (item.querySelector("input:checked")) item.classList.remove("is-unanswered");
    }
  });
  form.addEventListener("submit", async (event) => {
    event.preventDefault();
    if (busy) return; // a double click sends one request
    const anyway = event.submitter && event.submitter.name === "submit_incomplete";
    const missing = unansweredQuestions(form);
    if (missing.length && !anyway) {
      markUnanswered(form, missing.map((item) => item.dataset.question));
      ensureSubmitAnyway(form);
      showStatus(form, unansweredMessage(form, missing), "warn");
      missing[0].querySelector("input").focus();
      return;
    }
    busy = true;
    const data = new FormData(form);
    if (event.submitter && event.submitter.name) {
      data.append(event.submitter.name, event.submitter.value);
    }
    const buttons = form.querySelectorAll("button");
    buttons.forEach((b) => (b.disabled = true));
    try {
      const response = await fetch(form.action, {
        method: "POST",
        body: data,
        headers: { Accept: "application/json" },
        credentials: "same-origin",
      });
      const body = await response.json();
      if (response.ok) {
        const section = form.closest("section") || form.parentElement;
        section.querySelector("#quiz-progress")?.remove();
        const holder = document.createElement("div");
        holder.innerHTML = body.html; // server-rendered, sanitized at import, escaped otherwise
        form.replaceWith(...holder.childNodes);
        rememberAttempt(body, document.querySelector("[data-lesson-ref]")?.dataset.lessonRef);
        showScore(document.getElementById("quiz-score"));
        document.dispatchEvent(new CustomEvent("glassbox:quiz-graded", { detail: body }));
        return;
      }
      if (body.error === "unanswered") {
        markUnanswered(form, body.unanswered);
        ensureSubmitAnyway(form);
        showStatus(form, body.message, "warn");
      } else {
        showStatus(form, body.error || "Something went wrong. Please try again.", "bad");
      }
      statusBox(form).focus();
    } catch {
      showStatus(form, "We couldn't reach the server. Check your connection and try again.", "bad");
    } finally {
      busy = false;
      buttons.forEach((b) => (b.disabled = false));
    }
  });
}
