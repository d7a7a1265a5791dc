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

async function carryAnonymousProgress() {
  const local = load(ANON);
  if (!hasProgress(local)) return;
  const state = await sync(local.lessons, local.attempts.map((a) => a.receipt));
  if (!state) return; // keep the local copy and try again on the next page
  forget(ANON); // now in the account: never merge it into someone else's later
  mirror(state);
  if (state.changed) window.location.reload();
}

for (const form of document.querySelectorAll("[data-sign-out]")) {
  form.addEventListener("submit", () => forget(currentLearner()));
}

if (currentLearner() === ANON) {
  drawCourseProgress(load());
} else {
  carryAnonymousProgress();
}
