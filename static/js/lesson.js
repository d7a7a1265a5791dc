// Entry point for the lesson page: each module enhances server-rendered HTML that already
// works without JavaScript.
import { trackReading } from "./progress.js";
import { enhanceQuiz } from "./quiz.js";
import { enhanceTutor } from "./tutor.js";
import { foldOverviewOnPhones, markScrollingCode, markScrollingTables } from "./layout.js";

trackReading(document.querySelector("[data-lesson-ref]"));
enhanceQuiz(document.querySelector("[data-quiz-form]"));
enhanceTutor(document.querySelector("[data-tutor-form]"));
foldOverviewOnPhones(document.querySelectorAll("[data-fold]"));
markScrollingTables(document.querySelectorAll(".prose table"));
markScrollingCode(document.querySelectorAll(".prose pre"));
