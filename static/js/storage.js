// Browser-local progress. Keyed per learner ("anon" or the user id the page announces), so one
// learner's progress never shows up for another on the same browser.
const PREFIX = "glassbox:v1:";

export function learnerKey() {
  return document.body.dataset.learner || "anon";
}

function key() {
  return `${PREFIX}${learnerKey()}`;
}

export function load() {
  try {
    const raw = localStorage.getItem(key());
    const data = raw ? JSON.parse(raw) : null;
    if (data && typeof data === "object" && data.lessons) return data;
  } catch {
    /* storage disabled or corrupt: start afresh */
  }
  return { lessons: {}, attempts: [] };
}

export function save(data) {
  try {
    localStorage.setItem(key(), JSON.stringify(data));
  } catch {
    /* storage full or disabled: progress still works for this page view */
  }
}

export function rememberAttempt(result) {
  if (!result || !result.receipt) return;
  const data = load();
  if (!data.attempts.some((a) => a.attempt === result.attempt)) {
    data.attempts.push({ attempt: result.attempt, lesson: result.lesson, receipt: result.receipt });
    data.attempts = data.attempts.slice(-200);
  }
  save(data);
}
