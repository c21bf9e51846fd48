/**
 * "Right? ✓ / ✗", then on ✗ a row of 0–9: the question asked after a prediction. Mounted on one
 * `[data-feedback]` element per prediction shown (the pad has one; a row of digits can have one each).
 * Nothing is sent unless the person answers; on a deployment with FEEDBACK=off it stays hidden.
 */
import { type FeedbackSubject, feedbackAvailable, sendFeedback } from './feedback-client.ts';

type FeedbackState = 'off' | 'idle' | 'asking' | 'choosing' | 'sending' | 'thanks' | 'failed';

export interface FeedbackPrompt {
  /** Asks about this prediction (replacing any earlier question). */
  offer(subject: FeedbackSubject): void;
  /** Nothing to ask about any more (the pad was cleared). */
  withdraw(): void;
  /** Removes every listener and cancels a request in flight. */
  dispose(): void;
}

export interface FeedbackPromptOptions {
  readonly endpoint?: string;
  /** Whether this deployment takes feedback, when the caller already asked (one request for many prompts). */
  readonly available?: Promise<boolean>;
  /** The question for a prediction; "Is 7 right?" by default. */
  readonly question?: (subject: FeedbackSubject) => string;
  /** The question over the row 0–9 after ✗; "Which digit was it?" by default. */
  readonly which?: (subject: FeedbackSubject) => string;
}

/** Ids for the question labels: the markup has none, so it can be cloned (one prompt per read digit). */
let promptCount = 0;

export function mountFeedbackPrompt(
  element: HTMLElement,
  options: FeedbackPromptOptions = {},
): FeedbackPrompt {
  const {
    endpoint = '/api/feedback',
    question: questionFor = (asked) => `Is ${asked.predicted} right?`,
    which: whichFor = () => 'Which digit was it?',
  } = options;
  const listeners = new AbortController();
  const { signal } = listeners;
  const available = options.available ?? feedbackAvailable(endpoint, signal);
  const one = <T extends Element>(selector: string): T => {
    const found = element.querySelector<T>(selector);
    if (found === null) throw new Error(`feedback markup is missing ${selector}`);
    return found;
  };
  const status = one<HTMLElement>('[data-feedback-status]');
  const question = one<HTMLElement>('[data-feedback-question]');
  const which = one<HTMLElement>('[data-feedback-which]');
  // Each group is named by its visible question, through ids unique on the page.
  promptCount += 1;
  question.id = `feedback-question-${promptCount}`;
  which.id = `feedback-which-${promptCount}`;
  one<HTMLElement>('[data-feedback-ask]').setAttribute('aria-labelledby', question.id);
  one<HTMLElement>('[data-feedback-choose]').setAttribute('aria-labelledby', which.id);
  let subject: FeedbackSubject | null = null;
  let enabled: boolean | null = null;
  let sending: AbortController | null = null;

  const setState = (state: FeedbackState, message = '') => {
    element.dataset.feedbackState = state;
    element.hidden = state === 'off' || state === 'idle';
    status.textContent = message;
  };

  const send = async (label: number) => {
    if (subject === null) return;
    const answered = subject;
    sending?.abort();
    const request = new AbortController();
    sending = request;
    // The answer buttons hide now: keep the keyboard in the question, where the outcome is said.
    const hadFocus = element.contains(document.activeElement);
    setState('sending', 'Sending…');
    if (hadFocus) status.focus();
    try {
      await sendFeedback(answered, label, { endpoint, signal: AbortSignal.any([signal, request.signal]) });
      if (subject === answered)
        setState('thanks', label === answered.predicted ? 'Thanks!' : `Thanks: noted as ${label}.`);
    } catch (error) {
      if (request.signal.aborted || signal.aborted || subject !== answered) return;
      setState(
        'failed',
        `Not sent: ${error instanceof Error ? error.message : 'the server did not answer'} Try again?`,
      );
    } finally {
      if (sending === request) sending = null;
    }
  };

  element.addEventListener(
    'click',
    (event) => {
      const button = (event.target as Element | null)?.closest<HTMLButtonElement>(
        'button[data-feedback-answer]',
      );
      if (button === null || button === undefined || subject === null) return;
      const answer = button.dataset.feedbackAnswer;
      if (answer === 'right') void send(subject.predicted);
      else if (answer === 'wrong') {
        setState('choosing');
        element.querySelector<HTMLButtonElement>('button[data-feedback-digit]:not(:disabled)')?.focus();
      } else if (answer !== undefined && /^[0-9]$/.test(answer)) void send(Number(answer));
    },
    { signal },
  );

  const show = () => {
    if (subject === null || enabled !== true) return setState(enabled === false ? 'off' : 'idle');
    question.textContent = questionFor(subject);
    which.textContent = whichFor(subject);
    // The model's own digit is not a correction of itself.
    for (const button of element.querySelectorAll<HTMLButtonElement>('[data-feedback-digit]'))
      button.disabled = button.dataset.feedbackAnswer === String(subject.predicted);
    setState('asking');
  };

  setState('idle');
  void available.then((isAvailable) => {
    if (signal.aborted) return;
    enabled = isAvailable;
    show();
  });

  return {
    offer(next) {
      sending?.abort();
      subject = next;
      show();
    },
    withdraw() {
      sending?.abort();
      subject = null;
      show();
    },
    dispose() {
      listeners.abort();
      sending?.abort();
    },
  };
}
