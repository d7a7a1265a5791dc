// Browser-local progress. Keyed per learner ("anon" or the id of the signed-in learner), so
// one learner's progress never shows up for another on the same browser.
const PREFIX = "glassbox:v1:";
export const ANON = "anon";

export function currentLearner() {
  return document.body.dataset.learner || ANON;
}

function storageKey(learner) {
  return `${PREFIX}${learner}`;
}

function empty() {
  return { lessons: {}, attempts: [] };
}

export function load(learner = currentLearner()) {
  try {
    const raw = localStorage.getItem(storageKey(learner));
    const data = raw ? JSON.parse(raw) : null;
    if (data && typeof data === "object" && data.lessons && Array.isArray(data.attempts)) {
      return data;
    }
  } catch {
    /* storage disabled or corrupt: start afresh */
  }
  return empty();
}

export function save(data, learner = currentLearner()) {
  try {
    localStorage.setItem(storageKey(learner), JSON.stringify(data));
  } catch {
    /* storage full or disabled: progress still works for this page view */
  }
}

export function forget(learner) {
  try {
    localStorage.removeItem(storageKey(learner));
    const conversations = `${PREFIX}tutor:${learner}:`;
    for (const key of Object.keys(localStorage)) {
      if (key.startsWith(conversations)) localStorage.removeItem(key);
    }
  } catch {
    /* nothing to forget */
  }
}

// The tutor conversation on one lesson, kept so a reload does not lose it. Only plain data is
// stored; the page draws it as text.
const MAX_TURNS = 40;

function conversationKey(ref) {
  return `${PREFIX}tutor:${currentLearner()}:${ref}`;
}

export function loadConversation(ref) {
  try {
    const turns = JSON.parse(localStorage.getItem(conversationKey(ref)) || "[]");
    return Array.isArray(turns) ? turns : [];
  } catch {
    return [];
  }
}

export function saveConversation(ref, turns) {
  try {
    localStorage.setItem(conversationKey(ref), JSON.stringify(turns.slice(-MAX_TURNS)));
  } catch {
    /* storage full or disabled: the conversation lasts for this page view */
  }
}

export function forgetConversation(ref) {
  try {
    localStorage.removeItem(conversationKey(ref));
  } catch {
    /* storage disabled: there was nothing kept */
  }
}

export function hasProgress(data) {
  return Object.keys(data.lessons).length > 0 || data.attempts.length > 0;
}

export function lessonEntry(data, ref) {
  if (!data.lessons[ref]) {
    data.lessons[ref] = { sections_read: [], started_at: new Date().toISOString(), completed_at: null };
  }
  return data.lessons[ref];
}

export function rememberAttempt(result, ref) {
  if (!result || !result.receipt || currentLearner() !== ANON) return;
  const data = load();
  if (!data.attempts.some((a) => a.attempt === result.attempt)) {
    data.attempts.push({ attempt: result.attempt, receipt: result.receipt });
    data.attempts = data.attempts.slice(-200);
  }
  if (ref) {
    const entry = lessonEntry(data, ref);
    const best = entry.best;
    if (!best || result.score * best.total > best.score * result.total) {
      entry.best = { score: result.score, total: result.total };
    }
  }
  save(data);
}

function csrfToken() {
  const input = document.querySelector("[name=csrfmiddlewaretoken]");
  if (input) return input.value;
  const match = document.cookie.match(/(?:^|;\s*)csrftoken=([^;]+)/);
  return match ? decodeURIComponent(match[1]) : "";
}

// Sends local progress to the server, which merges it; returns the server's state or null.
export async function sync(lessons, receipts = [], { keepalive = false } = {}) {
  const body = {
    lessons: Object.fromEntries(
      Object.entries(lessons).map(([ref, entry]) => [
        ref,
        {
          sections_read: entry.sections_read || [],
          started_at: entry.started_at || null,
          completed_at: entry.completed_at || null,
        },
      ]),
    ),
    attempts: receipts,
  };
  const response = await fetch("/progress/sync/", {
    method: "POST",
    headers: { "Content-Type": "application/json", Accept: "application/json", "X-CSRFToken": csrfToken() },
    body: JSON.stringify(body),
    credentials: "same-origin",
    keepalive, // lets a sync started as the page closes finish after it
  });
  if (!response.ok) return null;
  return response.json();
}

// After a sync the server is the source of truth; the local copy mirrors it.
export function mirror(state) {
  save({ lessons: state.lessons, attempts: [] });
}
