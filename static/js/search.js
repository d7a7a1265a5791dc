// Search results follow typing: after a short pause the page's own results are fetched and
// swapped in, and the address bar keeps the query. Without this script the form submits.
const DELAY_MS = 250;

const form = document.querySelector("[data-live-search]");
const region = document.querySelector("[data-search-results]");

if (form && region) {
  let timer = 0;
  let inflight = null;

  async function update() {
    const params = new URLSearchParams(new FormData(form));
    const url = `${form.action}?${params}`;
    inflight?.abort();
    inflight = new AbortController();
    let html;
    try {
      const response = await fetch(url, { signal: inflight.signal, credentials: "same-origin" });
      if (!response.ok) return;
      html = await response.text();
    } catch {
      return; // aborted by newer typing, or offline: the form still submits
    }
    const fresh = new DOMParser().parseFromString(html, "text/html");
    const next = fresh.querySelector("[data-search-results]");
    if (!next) return;
    const summary = region.querySelector("[data-search-summary]");
    const nextSummary = next.querySelector("[data-search-summary]");
    // The summary element stays in place (a live region), so screen readers hear the new count,
    // the note when the query was cut, and the link clearing the filters.
    for (const child of [...region.children]) if (child !== summary) child.remove();
    for (const child of [...next.children]) {
      if (child !== nextSummary) region.append(document.importNode(child, true));
    }
    if (summary && nextSummary) {
      summary.replaceChildren(...[...nextSummary.childNodes].map((n) => document.importNode(n, true)));
    }
    history.replaceState(null, "", url);
    const title = fresh.querySelector("title");
    if (title) document.title = title.textContent;
  }

  function schedule() {
    clearTimeout(timer);
    timer = setTimeout(update, DELAY_MS);
  }

  form.addEventListener("input", (event) => {
    if (event.target.matches("input[type=search]")) schedule();
  });
  form.addEventListener("change", (event) => {
    if (event.target.matches("select")) update();
  });
}
