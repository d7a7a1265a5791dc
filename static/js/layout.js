// Layout helpers for the lesson page: reading comes first on a phone, and wide tables say
// that they scroll.

// The lesson map and learning path are folded in the HTML, so a phone opens on the lesson
// itself; where the sidebar has room they are open (CSS shows them there without JavaScript).
const WIDE = window.matchMedia("(min-width: 64rem)");

export function foldOverviewOnPhones(folds) {
  const apply = () => folds.forEach((fold) => (fold.open = WIDE.matches));
  apply();
  WIDE.addEventListener("change", apply);
}

function tableLabel(table) {
  const caption = table.querySelector("caption")?.textContent.trim();
  if (caption) return caption;
  const headers = [...table.querySelectorAll("th")].map((th) => th.textContent.trim()).filter(Boolean);
  return headers.length ? `Table: ${headers.slice(0, 4).join(", ")}` : "Table";
}

// Each table sits in a region that scrolls sideways, can be focused and scrolled with the
// arrow keys, and shows a cue while part of it is out of view.
export function markScrollingTables(tables) {
  const watcher = new ResizeObserver((entries) => {
    for (const { target } of entries) {
      target.classList.toggle("is-overflowing", target.scrollWidth > target.clientWidth + 1);
    }
  });
  for (const table of tables) {
    const region = document.createElement("div");
    region.className = "table-scroll";
    region.setAttribute("role", "region");
    region.setAttribute("aria-label", tableLabel(table));
    region.tabIndex = 0;
    const cue = document.createElement("p");
    cue.className = "table-scroll__cue";
    cue.setAttribute("aria-hidden", "true");
    cue.textContent = "Scroll sideways to see the whole table →";
    table.before(cue);
    table.replaceWith(region);
    region.append(table);
    watcher.observe(region);
    const updateCue = () => {
      const atEnd = region.scrollLeft + region.clientWidth >= region.scrollWidth - 1;
      cue.classList.toggle("is-shown", region.classList.contains("is-overflowing") && !atEnd);
    };
    region.addEventListener("scroll", updateCue, { passive: true });
    new ResizeObserver(updateCue).observe(region);
  }
}

// A code block scrolls sideways when its longest line does not fit (on a phone, most do not);
// while it does, it is a labelled region that can be focused and scrolled with the arrow keys.
// One that fits stays out of the tab order.
export function markScrollingCode(blocks) {
  const watcher = new ResizeObserver((entries) => {
    for (const { target } of entries) {
      if (target.scrollWidth > target.clientWidth + 1) {
        target.setAttribute("role", "region");
        target.setAttribute("aria-label", "Code");
        target.tabIndex = 0;
      } else {
        target.removeAttribute("role");
        target.removeAttribute("aria-label");
        target.removeAttribute("tabindex");
      }
    }
  });
  blocks.forEach((block) => watcher.observe(block));
}
