/**
 * Number mode's "Right?" per digit: one FeedbackPrompt (cloned from a `<template>`) for each digit read,
 * asking about that digit's own 28×28 image. The deployment is asked once whether it takes feedback; where
 * it does not (FEEDBACK=off), the whole section stays hidden. Nothing is sent unless the person answers.
 */
import { feedbackAvailable } from './feedback-client.ts';
import { type FeedbackPrompt, mountFeedbackPrompt } from './feedback-prompt.ts';
import { digitSubject, type Reading } from './number-reading.ts';

export interface DigitFeedback {
  /** Asks about every digit of this reading (replacing the questions about the previous one). */
  offer(reading: Reading): void;
  /** Nothing to ask about (the pad was cleared). */
  withdraw(): void;
  dispose(): void;
}

/**
 * Mounts on the `[data-digit-feedback]` section: a `[data-digit-feedback-list]` to fill and a `<template
 * data-digit-feedback-template>` holding one compact FeedbackPrompt.
 */
export function mountDigitFeedback(section: HTMLElement, options: { endpoint?: string } = {}): DigitFeedback {
  const { endpoint = '/api/feedback' } = options;
  const list = section.querySelector<HTMLElement>('[data-digit-feedback-list]');
  const template = section.querySelector<HTMLTemplateElement>('template[data-digit-feedback-template]');
  if (list === null || template === null)
    throw new Error('digit feedback markup is missing its list or template');
  const listeners = new AbortController();
  const available = feedbackAvailable(endpoint, listeners.signal);
  let prompts: FeedbackPrompt[] = [];
  let asking = false;

  const show = () => {
    void available.then((isAvailable) => {
      if (!listeners.signal.aborted) section.hidden = !(isAvailable && asking);
    });
  };

  const withdraw = () => {
    for (const prompt of prompts) prompt.dispose();
    prompts = [];
    list.replaceChildren();
    asking = false;
    show();
  };

  return {
    offer(reading) {
      withdraw();
      reading.digits.forEach((_, index) => {
        const subject = digitSubject(reading, index);
        if (subject === null) return;
        const item = document.createElement('li');
        item.append(template.content.cloneNode(true));
        const element = item.querySelector<HTMLElement>('[data-feedback]');
        if (element === null) return;
        element.dataset.digitIndex = String(index);
        const prompt = mountFeedbackPrompt(element, {
          endpoint,
          available,
          question: (asked) => `Digit ${index + 1}: is ${asked.predicted} right?`,
          which: () => `Digit ${index + 1} was:`,
        });
        prompt.offer(subject);
        prompts.push(prompt);
        list.append(item);
      });
      asking = prompts.length > 0;
      show();
    },
    withdraw,
    dispose() {
      withdraw();
      listeners.abort();
    },
  };
}
