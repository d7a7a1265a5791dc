// Runs on every page: carries anonymous progress into an account at sign-in, draws
// browser-local progress for anonymous learners, and clears a learner's copy at sign-out.
import { ANON, currentLearner, forget, hasProgress, load, mirror, sync } from "./storage.js";

function drawCourseProgress(data) {
  for (const line of document.querySelectorAll("[data-course-lessons]")) {
    const refs = line.dataset.courseLessons.split(" ").filter(Boolean);
    if (!refs.length) continue;
    const done = refs.filter((ref) => data.lessons[ref]?.completed_at).length;
    const started = refs.some((ref) => data.lessons[ref]);
    const percent = Math.round((100 * done) / refs.length);
    line.querySelector("progress").value = percent;
    line.querySelector("progress").textContent = `${percent}%`;
    const text = line.querySelector("[data-progress-text]");
    text.textContent = text.textContent.replace(/^\d+/, String(done));
    if (started) line.hidden = false;
  }
  for (const status of document.querySelectorAll("[data-lesson-status]")) {
    const entry = data.lessons[status.dataset.lessonStatus];
    status.textContent = entry ? (entry.completed_at ? " · Complete" : " · In progress") : "";
  }
}

// The rule of the server's lessons.services.continue_with, over this browser's progress: the
// lesson last opened if unfinished, else the next unfinished one after it, else the first.
function continueWith(items, lessons) {
  const unfinished = items.filter((item) => !lessons[item.dataset.lessonRef]?.completed_at);
  let last = -1;
  let lastTime = "";
  items.forEach((item, i) => {
    const entry = lessons[item.dataset.lessonRef];
    const time = entry && (entry.visited_at || entry.started_at);
    if (time && time >= lastTime) [last, lastTime] = [i, time];
  });
  if (last < 0) return unfinished[0];
  return items.slice(last).find((item) => unfinished.includes(item)) || unfinished[0];
}

function drawResume(data) {
  const button = document.querySelector("[data-course-resume]");
  if (!button) return;
  const items = [...document.querySelectorAll("[data-lesson-ref]")];
  if (!items.some((item) => data.lessons[item.dataset.lessonRef])) return; // "Start" stands
  const next = continueWith(items, data.lessons);
  button.closest(".course-resume").hidden = !next;
  if (!next) return;
  const link = next.querySelector(".lesson-list__title a");
  const hidden = document.createElement("span");
  hidden.className = "visually-hidden";
  hidden.textContent = " with";
  const label = document.createElement("span");
  label.append("Continue", hidden, `: lesson ${next.dataset.lessonNumber}, ${link.textContent}`);
  button.href = link.getAttribute("href");
  button.replaceChildren(label);
}

// The server shows a message once ("Welcome to Glassbox!"); a reload that shows carried
// progress would drop it, so it is kept for the reloaded page, as text only.
const KEPT_MESSAGES = "glassbox:messages";

function keepMessages() {
  const notes = [...document.querySelectorAll(".messages .notice")];
  if (!notes.length) return;
  const kept = notes.map((note) => ({ className: note.className, text: note.textContent }));
  try {
    sessionStorage.setItem(KEPT_MESSAGES, JSON.stringify(kept));
  } catch {
    // storage refused: the reload goes without the message
  }
}

function restoreMessages() {
  let kept;
  try {
    kept = JSON.parse(sessionStorage.getItem(KEPT_MESSAGES) || "null");
    sessionStorage.removeItem(KEPT_MESSAGES);
  } catch {
    return;
  }
  const main = document.getElementById("main");
  if (!Array.isArray(kept) || !main || main.querySelector(".messages")) return;
  const box = document.createElement("div");
  box.className = "messages";
  box.setAttribute("role", "status");
  for (const { className, text } of kept) {
    if (typeof text !== "string") continue;
    const note = document.createElement("p");
    note.className = /^notice notice--(good|bad)$/.test(className) ? className : "notice notice--good";
    note.textContent = text;
    box.append(note);
  }
  if (box.children.length) main.prepend(box);
}

async function carryAnonymousProgress() {
  const local = load(ANON);
  if (!hasProgress(local)) return;
  const state = await sync(local.lessons, local.attempts.map((a) => a.receipt));
  if (!state) return; // keep the local copy and try again on the next page
  forget(ANON); // now in the account: never merge it into someone else's later
  mirror(state);
  if (state.changed) {
    keepMessages();
    window.location.reload();
  }
}

for (const form of document.querySelectorAll("[data-sign-out]")) {
  form.addEventListener("submit", () => forget(currentLearner()));
}

restoreMessages();

if (currentLearner() === ANON) {
  drawCourseProgress(load());
  drawResume(load());
} else {
  carryAnonymousProgress();
}
