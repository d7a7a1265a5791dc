// The tutor box: asks over JSON and shows a short conversation. Everything the tutor or the
// learner wrote is inserted as text, never as HTML.
import { loadConversation, saveConversation } from "./storage.js";

const normalise = (text) => text.replace(/\s+/g, " ").trim();
const isText = (value) => typeof value === "string";

function csrfToken(form) {
  return form.querySelector("[name=csrfmiddlewaretoken]")?.value || "";
}

function findPassage(anchor, quote) {
  const target = document.getElementById(anchor);
  if (!target) return null;
  const scope = target.closest("section") || target;
  const wanted = normalise(quote);
  const probe = wanted.slice(0, 80);
  for (const row of scope.querySelectorAll("tr")) {
    const cells = [...row.children].map((cell) => normalise(cell.textContent));
    if (cells.join(" | ").includes(probe) || probe.includes(cells.join(" | "))) return row;
  }
  const blocks = scope.querySelectorAll("p, li, dd, dt, blockquote, h3, h4, figcaption");
  for (const block of blocks) {
    if (normalise(block.textContent).includes(probe)) return block;
  }
  return target;
}

export function highlightPassage(anchor, quote) {
  const passage = findPassage(anchor, quote);
  if (!passage) return;
  document.querySelectorAll(".is-highlighted").forEach((el) => el.classList.remove("is-highlighted"));
  passage.classList.add("is-highlighted");
  if (!passage.hasAttribute("tabindex")) passage.setAttribute("tabindex", "-1");
  passage.scrollIntoView({ block: "center" });
  passage.focus({ preventScroll: true });
}

function message(who, text, extraClass = "") {
  const item = document.createElement("li");
  item.className = `tutor-message tutor-message--${who} ${extraClass}`.trim();
  const label = document.createElement("span");
  label.className = "tutor-message__who";
  label.textContent = who === "learner" ? "You" : "Tutor";
  const body = document.createElement("p");
  body.className = "tutor-message__text";
  body.textContent = text;
  item.append(label, body);
  return item;
}

function citationList(citations) {
  const list = document.createElement("ol");
  list.className = "tutor-citations";
  citations.forEach((citation, index) => {
    const item = document.createElement("li");
    const link = document.createElement("a");
    link.href = `#${citation.anchor}`;
    link.textContent = `[${index + 1}] ${citation.section}`;
    link.addEventListener("click", (event) => {
      event.preventDefault();
      history.replaceState(null, "", `#${citation.anchor}`);
      highlightPassage(citation.anchor, citation.quote);
    });
    item.append(link);
    list.append(item);
  });
  return list;
}

function tutorReply(body) {
  const reply = message("tutor", body.answer, body.grounded ? "" : "is-declined");
  if (body.citations.length) reply.append(citationList(body.citations));
  return reply;
}

// A stored turn is untrusted data (anything could have written it): only well-formed turns
// are drawn, and only as text.
function drawTurn(turn) {
  if (turn.who === "learner" && isText(turn.text)) return message("learner", turn.text);
  if (turn.who !== "tutor" || !isText(turn.answer) || !Array.isArray(turn.citations)) return null;
  const citations = turn.citations.filter(
    (c) => c && isText(c.anchor) && isText(c.section) && isText(c.quote),
  );
  return tutorReply({ answer: turn.answer, grounded: Boolean(turn.grounded), citations });
}

export function enhanceTutor(form) {
  if (!form) return;
  const log = document.getElementById("tutor-log");
  const input = form.querySelector("[name=question]");
  const button = form.querySelector("button");
  const ref = document.querySelector("[data-lesson-ref]")?.dataset.lessonRef || location.pathname;
  const turns = loadConversation(ref);
  for (const turn of turns) {
    const item = drawTurn(turn);
    if (item) log.append(item);
  }
  const remember = (turn) => {
    turns.push(turn);
    saveConversation(ref, turns);
  };
  form.addEventListener("submit", async (event) => {
    event.preventDefault();
    const question = input.value.trim();
    if (!question) {
      input.focus();
      return;
    }
    log.append(message("learner", question));
    remember({ who: "learner", text: question });
    input.value = "";
    button.disabled = true;
    const pending = message("tutor", "Looking through the lesson…", "is-pending");
    log.append(pending);
    try {
      const response = await fetch(form.action, {
        method: "POST",
        headers: {
          "Content-Type": "application/json",
          Accept: "application/json",
          "X-CSRFToken": csrfToken(form),
        },
        body: JSON.stringify({ question }),
        credentials: "same-origin",
      });
      const body = await response.json();
      if (response.ok) {
        pending.replaceWith(tutorReply(body));
        const citations = body.citations.map(({ anchor, section, quote }) => ({ anchor, section, quote }));
        remember({ who: "tutor", answer: body.answer, grounded: body.grounded, citations });
      } else {
        pending.replaceWith(message("tutor", body.error || "Something went wrong.", "is-error"));
      }
    } catch {
      pending.replaceWith(message("tutor", "We couldn't reach the tutor. Check your connection.", "is-error"));
    } finally {
      button.disabled = false;
      input.focus();
    }
  });
}
