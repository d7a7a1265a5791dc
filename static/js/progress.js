// Lesson reading progress. A section counts as read only after it has filled the reading area
// for its reading time (the server renders it into data-read-seconds, from lessons/completion.py):
// scrolling past a section or jumping over it never counts. Whether the lesson is complete
// follows the course's rule; for a signed-in learner the server decides it.
import { ANON, currentLearner, lessonEntry, load, mirror, save, sync } from "./storage.js";

const TICK_MS = 250;
// A section is being read while it fills half the viewport, or most of itself is on screen
// when it is shorter than that.
const VIEW_SHARE = 0.5;
const SELF_SHARE = 0.8;
// The line that says which section the learner is in now, as a share of the viewport height.
const READING_LINE = 0.3;

// The server's format ("j M Y" in UTC: 7 Sep 2026), whatever the browser's language, so a date reads
// the same before and after signing in.
const MONTHS = ["Jan", "Feb", "Mar", "Apr", "May", "Jun", "Jul", "Aug", "Sep", "Oct", "Nov", "Dec"];
const formatDate = (date) => `${date.getUTCDate()} ${MONTHS[date.getUTCMonth()]} ${date.getUTCFullYear()}`;

function markPath(anchor) {
  const item = document.querySelector(`.learning-path li[data-anchor="${CSS.escape(anchor)}"]`);
  if (item && !item.classList.contains("is-read")) {
    item.classList.add("is-read");
    const note = document.createElement("span");
    note.className = "visually-hidden";
    note.textContent = " (read)";
    item.append(note);
  }
}

function showCompleted(date) {
  const status = document.querySelector("[data-complete-status]");
  if (!status || !status.hidden) return;
  status.textContent = `You completed this lesson on ${formatDate(date)}.`;
  status.hidden = false;
}

function completionRule() {
  const holder = document.querySelector("[data-completion]");
  return {
    rule: holder?.dataset.completion || "read-or-quiz",
    passMark: Number(holder?.dataset.passMark || 70),
    quizTotal: Number(holder?.dataset.quizTotal || 0),
  };
}

// The browser's copy of lessons/completion.py's CompletionRule.is_met, for anonymous learners.
function ruleMet(entry, anchors, { rule, passMark, quizTotal }) {
  const allRead = anchors.length > 0 && anchors.every((a) => entry.sections_read.includes(a));
  const best = entry.best;
  const passed = Boolean(best && best.total > 0 && best.score * 100 >= passMark * best.total);
  if (!quizTotal || rule === "read") return allRead;
  if (rule === "quiz") return passed;
  if (rule === "read-and-quiz") return allRead && passed;
  return allRead || passed;
}

function showCurrentSection(sections) {
  const line = window.innerHeight * READING_LINE;
  const current = sections.find((section) => {
    const box = section.getBoundingClientRect();
    return box.top <= line && box.bottom > line;
  });
  for (const link of document.querySelectorAll(".learning-path a[aria-current]")) {
    link.removeAttribute("aria-current");
  }
  if (!current) return;
  const anchor = CSS.escape(current.dataset.section);
  document.querySelector(`.learning-path li[data-anchor="${anchor}"] a`)?.setAttribute("aria-current", "location");
}

function beingRead(section) {
  const box = section.getBoundingClientRect();
  const shown = Math.min(box.bottom, window.innerHeight) - Math.max(box.top, 0);
  return shown > 0 && shown >= Math.min(VIEW_SHARE * window.innerHeight, SELF_SHARE * box.height);
}

// Calls onRead(anchor) once a section has been read for its time, counting only the time it
// spends filling the screen of a visible page.
function watchReading(sections, alreadyRead, onRead) {
  const spent = new Map();
  const onScreen = new Set();
  let timer = null;
  let last = 0;
  const tick = () => {
    const now = performance.now();
    const elapsed = Math.min(now - last, 4 * TICK_MS); // a throttled tab does not read faster
    last = now;
    if (document.visibilityState !== "visible") return;
    for (const section of onScreen) {
      if (!beingRead(section)) continue;
      const total = (spent.get(section) || 0) + elapsed;
      spent.set(section, total);
      if (total >= Number(section.dataset.readSeconds || 3) * 1000) {
        onScreen.delete(section);
        observer.unobserve(section);
        onRead(section.dataset.section);
      }
    }
    if (!onScreen.size) {
      clearInterval(timer);
      timer = null;
    }
  };
  const observer = new IntersectionObserver((entries) => {
    for (const entry of entries) {
      if (entry.isIntersecting) onScreen.add(entry.target);
      else onScreen.delete(entry.target);
    }
    if (onScreen.size && timer === null) {
      last = performance.now();
      timer = setInterval(tick, TICK_MS);
    }
  });
  for (const section of sections) {
    if (!alreadyRead.includes(section.dataset.section)) observer.observe(section);
  }
}

export function trackReading(article) {
  if (!article) return;
  const ref = article.dataset.lessonRef;
  const anonymous = currentLearner() === ANON;
  const sections = [...document.querySelectorAll("[data-section][data-read-seconds]")];
  const anchors = sections.map((el) => el.dataset.section);
  const rule = completionRule();
  const data = load();
  const entry = lessonEntry(data, ref);
  if (anonymous) {
    entry.visited_at = new Date().toISOString(); // where the course page's "Continue" leads
    save(data);
    // What the page says about progress kept in this browser holds only now that it is kept.
    for (const note of document.querySelectorAll("[data-local-note], [data-kept-locally]")) {
      note.removeAttribute("hidden");
    }
    for (const note of document.querySelectorAll("[data-not-kept-locally]")) note.hidden = true;
    entry.sections_read.forEach(markPath);
    if (entry.completed_at) showCompleted(new Date(entry.completed_at));
    if (entry.best) {
      const line = document.getElementById("quiz-progress");
      if (line) line.textContent = `Your best score in this browser: ${Math.round(entry.best.score * 100) / 100} / ${entry.best.total}.`;
    }
  }

  // Anonymous learners complete by the rule in this browser; the server re-decides when their
  // progress moves into an account.
  const settleLocally = () => {
    const latest = load();
    const lesson = lessonEntry(latest, ref);
    if (!lesson.completed_at && ruleMet(lesson, anchors, rule)) {
      lesson.completed_at = new Date().toISOString();
      save(latest);
    }
    if (lesson.completed_at) showCompleted(new Date(lesson.completed_at));
  };

  let timer = null;
  const sendNow = async (options) => {
    timer = null;
    const state = await sync({ [ref]: lessonEntry(load(), ref) }, [], options);
    if (!state) return;
    mirror(state);
    const completed = state.lessons[ref]?.completed_at;
    if (completed) showCompleted(new Date(completed));
  };
  const pushToServer = () => {
    clearTimeout(timer);
    timer = setTimeout(sendNow, 800);
  };
  // Leaving the page before the debounce fires must not lose what was just read.
  window.addEventListener("pagehide", () => {
    if (timer !== null) {
      clearTimeout(timer);
      sendNow({ keepalive: true });
    }
  });

  const markRead = (anchor) => {
    const latest = load();
    const lesson = lessonEntry(latest, ref);
    if (!lesson.sections_read.includes(anchor)) lesson.sections_read.push(anchor);
    save(latest);
    markPath(anchor);
    if (anonymous) settleLocally();
    else pushToServer();
  };
  watchReading(sections, entry.sections_read, markRead);

  // A graded quiz can complete the lesson too.
  document.addEventListener("glassbox:quiz-graded", () => {
    if (anonymous) settleLocally();
    else pushToServer();
  });

  let pending = false;
  const follow = () => {
    if (pending) return;
    pending = true;
    requestAnimationFrame(() => {
      pending = false;
      showCurrentSection(sections);
    });
  };
  window.addEventListener("scroll", follow, { passive: true });
  window.addEventListener("resize", follow);
  follow();
}
