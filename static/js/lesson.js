// Entry point for the lesson page: each module enhances server-rendered HTML that already
// works without JavaScript.
import { enhanceQuiz } from "./quiz.js";
import { enhanceTutor } from "./tutor.js";

enhanceQuiz(document.querySelector("[data-quiz-form]"));
enhanceTutor(document.querySelector("[data-tutor-form]"));
