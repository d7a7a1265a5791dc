// Entry point for the lesson page: each module enhances server-rendered HTML that already
// works without JavaScript.
import { enhanceQuiz } from "./quiz.js";

enhanceQuiz(document.querySelector("[data-quiz-form]"));
