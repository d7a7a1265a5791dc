// Entry point for the report pages: a table wider than a phone scrolls sideways in a labelled
// region the keyboard can scroll, with a cue while part of it is out of view (as in lessons).
// The question statistics turn into cards on a phone instead, so they are left alone. The
// lesson preview's tables and code blocks, and a problem's quoted line, are treated as a
// lesson's are.
import { markScrollingCode, markScrollingTables } from "./layout.js";

markScrollingTables(
  document.querySelectorAll(".table-wrap:not(.table-wrap--cards) > table, .preview .prose table"),
);
markScrollingCode(document.querySelectorAll(".preview .prose pre, .problem-list pre, .import-report"));
