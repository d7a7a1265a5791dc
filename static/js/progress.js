// Lesson reading progress: a section counts as read when the learner reaches its end.
import { ANON, currentLearner, lessonEntry, load, mirror, save, sync } from "./storage.js";

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
  const form = document.querySelector("[data-complete-form]");
  if (!status) return;
  status.textContent = `You completed this lesson on ${date.toLocaleDateString(undefined, { day: "numeric", month: "short", year: "numeric" })}.`;
  status.hidden = false;
  form?.remove();
}

export function trackReading(article) {
  if (!article) return;
  const ref = article.dataset.lessonRef;
  const anonymous = currentLearner() === ANON;
  const anchors = [...document.querySelectorAll("[data-section-end]")].map((el) => el.dataset.sectionEnd);
  const data = load();
  const entry = lessonEntry(data, ref);
  if (anonymous) {
    save(data);
    document.querySelector("[data-local-note]")?.removeAttribute("hidden");
    entry.sections_read.forEach(markPath);
    if (entry.completed_at) showCompleted(new Date(entry.completed_at));
    if (entry.best) {
      const line = document.getElementById("quiz-progress");
      if (line) line.textContent = `Your best score in this browser: ${Math.round(entry.best.score * 100) / 100} / ${entry.best.total}.`;
    }
  }

  let timer = null;
  const sendNow = async (options) => {
    timer = null;
    const state = await sync({ [ref]: lessonEntry(load(), ref) }, [], options);
    if (state) mirror(state);
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
    if (lesson.sections_read.includes(anchor)) return;
    lesson.sections_read.push(anchor);
    if (!lesson.completed_at && anchors.every((a) => lesson.sections_read.includes(a))) {
      lesson.completed_at = new Date().toISOString();
      showCompleted(new Date(lesson.completed_at));
    }
    save(latest);
    markPath(anchor);
    if (!anonymous) pushToServer();
  };

  const observer = new IntersectionObserver(
    (entries) => {
      for (const seen of entries) {
        if (seen.isIntersecting) {
          markRead(seen.target.dataset.sectionEnd);
          observer.unobserve(seen.target);
        }
      }
    },
    { rootMargin: "0px 0px -10% 0px" },
  );
  document.querySelectorAll("[data-section-end]").forEach((el) => observer.observe(el));

  const completeForm = document.querySelector("[data-complete-form]");
  if (completeForm && anonymous) {
    completeForm.addEventListener("submit", (event) => {
      event.preventDefault();
      const latest = load();
      const lesson = lessonEntry(latest, ref);
      lesson.completed_at = lesson.completed_at || new Date().toISOString();
      save(latest);
      showCompleted(new Date(lesson.completed_at));
    });
  }
}
