// The tutor box: asks over JSON and shows a short conversation. Everything the tutor or the
// learner wrote is inserted as text, never as HTML.
import { forgetConversation, loadConversation, saveConversation } from "./storage.js";

const normalise = (text) => text.replace(/\s+/g, " ").trim();
const isText = (value) => typeof value === "string";

// An element's text as the tutor reads it (courses/content/rendering.py): without its `sup`
// elements, the footnote markers the tutor leaves out of what it quotes.
function textOf(element) {
  if (!element.querySelector("sup")) return normalise(element.textContent);
  const copy = element.cloneNode(true);
  copy.querySelectorAll("sup").forEach((sup) => sup.remove());
  return normalise(copy.textContent);
}

function csrfToken(form) {
  return form.querySelector("[name=csrfmiddlewaretoken]")?.value || "";
}

// A table row is quoted as "Header: cell. Header: cell." (older answers joined the cells with
// " | "): the row whose every cell is in the quote is the passage.
function quotesRow(row, wanted, probe) {
  const cells = [...row.children].map(textOf);
  const joined = cells.join(" | ");
  if (joined.includes(probe) || probe.includes(joined)) return true;
  const filled = cells.filter(Boolean);
  return filled.length > 1 && filled.every((cell) => wanted.includes(cell));
}

function findPassage(anchor, quote) {
  const target = document.getElementById(anchor);
  if (!target) return null;
  const scope = target.closest("section") || target;
  const wanted = normalise(quote);
  const probe = wanted.slice(0, 80);
  for (const row of scope.querySelectorAll("tr")) {
    const isHeader = [...row.children].every((cell) => cell.tagName === "TH");
    if (!isHeader && quotesRow(row, wanted, probe)) return row;
  }
  // A key term is quoted as "Term: definition": the term with its definition is the passage.
  for (const term of scope.querySelectorAll("dt")) {
    const definition = term.nextElementSibling;
    if (definition?.tagName !== "DD") continue;
    const pair = `${textOf(term)}: ${textOf(definition)}`;
    if (pair.toLowerCase().startsWith(probe.toLowerCase())) {
      return term.parentElement.tagName === "DIV" ? term.parentElement : term;
    }
  }
  const blocks = scope.querySelectorAll("p, li, dd, dt, blockquote, h3, h4, figcaption");
  for (const block of blocks) {
    if (textOf(block).includes(probe)) return block;
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
  // A citation number stays on the line of the quote it closes.
  body.textContent = text.replace(/” \[(\d+)\]/g, "”\u00a0[$1]");
  item.append(label, body);
  return item;
}

function citationLink(citation, number) {
  const link = document.createElement("a");
  link.href = `#${citation.anchor}`;
  link.textContent = `[${number}]`;
  link.setAttribute("aria-label", `[${number}] ${citation.section}`);
  link.addEventListener("click", (event) => {
    event.preventDefault();
    history.replaceState(null, "", `#${citation.anchor}`);
    highlightPassage(citation.anchor, citation.quote);
  });
  return link;
}

// One line per section, naming it once, with the numbers of the quotes taken from it: an
// answer of six quotes from one section reads "Why reading the weights fails [1] … [6]".
function citationList(citations) {
  const list = document.createElement("ul");
  list.className = "tutor-citations";
  list.setAttribute("aria-label", "Sources in this lesson");
  const groups = new Map();
  citations.forEach((citation, index) => {
    let links = groups.get(citation.section);
    if (!links) {
      const item = document.createElement("li");
      const name = document.createElement("span");
      name.className = "tutor-citations__section";
      name.setAttribute("aria-hidden", "true");
      name.textContent = citation.section;
      links = document.createElement("span");
      links.className = "tutor-citations__links";
      item.append(name, links);
      list.append(item);
      groups.set(citation.section, links);
    }
    links.append(citationLink(citation, index + 1));
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

// Shows the learner their question and what came back: the whole exchange with the question
// box below it when that fits on the screen, or else the question at the top with the start of
// the answer under it (a long answer is read from its start, not its end).
const MARGIN = 16;

function bringIntoView(asked, form) {
  const top = asked.getBoundingClientRect().top;
  const bottom = form.getBoundingClientRect().bottom;
  if (top >= MARGIN && bottom <= window.innerHeight - MARGIN) return;
  const fits = bottom - top <= window.innerHeight - 2 * MARGIN;
  window.scrollBy({ top: fits ? bottom - window.innerHeight + MARGIN : top - MARGIN });
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
  // "Clear conversation" shows while there is one; the status line says it was cleared (the
  // log announces additions only, so an emptied log would say nothing).
  const clearRow = form.parentElement.querySelector("[data-tutor-clear]");
  const clearButton = clearRow?.querySelector("button");
  const status = form.parentElement.querySelector("[data-tutor-status]");
  const showClear = () => {
    if (clearRow) clearRow.hidden = log.children.length === 0;
  };
  showClear();
  clearButton?.addEventListener("click", () => {
    log.replaceChildren();
    turns.length = 0;
    forgetConversation(ref);
    showClear();
    if (status) status.textContent = "Conversation cleared.";
    input.focus();
  });
  // The log turns live only now, so a screen reader announces each new question and answer but
  // does not read the restored conversation out again on every visit.
  log.setAttribute("aria-live", "polite");
  log.setAttribute("aria-relevant", "additions");
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
    const asked = message("learner", question);
    log.append(asked);
    input.value = "";
    button.disabled = true;
    if (status) status.textContent = "";
    if (clearButton) clearButton.disabled = true; // its answer would land in a cleared log
    showClear();
    const pending = message("tutor", "Looking through the lesson…", "is-pending");
    log.append(pending);
    bringIntoView(asked, form);
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
        // Kept as a pair: a question whose answer never came is not restored unanswered.
        remember({ who: "learner", text: question });
        remember({ who: "tutor", answer: body.answer, grounded: body.grounded, citations });
      } else {
        pending.replaceWith(message("tutor", body.error || "Something went wrong.", "is-error"));
      }
    } catch {
      pending.replaceWith(message("tutor", "We couldn't reach the tutor. Check your connection.", "is-error"));
    } finally {
      button.disabled = false;
      if (clearButton) clearButton.disabled = false;
      bringIntoView(asked, form);
      input.focus({ preventScroll: true });
    }
  });
}
