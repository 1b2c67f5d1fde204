/**
 * Fetching what a view shows so that the newest request wins: an answer that comes back after a
 * later request began is dropped, and a request that fails keeps what was shown, with its error
 * beside it. `createAnswerLoader` is the bare lifecycle (a tab that fetches on show, for a level
 * or a month); `createDetailLoader` adds the one record a detail panel shows by id (`show`,
 * `refresh`). Neither touches the DOM: the view draws from the state when told to, and
 * `problemLine` gives it the error line to put above what stays shown.
 */

import { el } from "../dom";
import { describeError, showErrorText } from "../error-text";

export interface AnswerLoaderOptions<Q, T> {
  /** Asks for the answer to `query`. */
  fetch(query: Q): Promise<T>;
  /**
   * Readies an answer before it is taken (learns the names it gives, closes a form it ended). When
   * it returns a promise the answer waits for it, and is dropped if a later load began meanwhile.
   * An error here fails the load like a refused request.
   */
  ready?(answer: T, query: Q): void | Promise<void>;
  /** Draws the view again; called when a load ends, unless a later one overtook it. */
  draw(): void;
}

export interface AnswerLoader<Q, T> {
  /** The last answer taken: null before the first, and after `forget` or `reset`. */
  readonly answer: T | null;
  /** Why the last load failed; null after a success and after `reset`. */
  readonly problem: unknown;
  /** Asks for `query`'s answer; draws once it is taken or has failed. Earlier loads still out are dropped. */
  load(query: Q): Promise<void>;
  /** Forgets the answer; an error stays to be shown until the next load ends. The caller draws. */
  forget(): void;
  /** Forgets the answer and the error. The caller draws. */
  reset(): void;
}

/** The state of one fetched answer; the newest `load` wins. */
export function createAnswerLoader<Q, T>(options: AnswerLoaderOptions<Q, T>): AnswerLoader<Q, T> {
  let answer: T | null = null;
  let problem: unknown = null;
  let asked = 0; // the newest load; answers to older ones are dropped

  async function load(query: Q): Promise<void> {
    const ticket = ++asked;
    try {
      const fetched = await options.fetch(query);
      if (ticket !== asked) {
        return;
      }
      // awaited only when it is async: a plain `ready` takes the answer in the same turn
      const readied = options.ready?.(fetched, query);
      if (readied !== undefined) {
        await readied;
        if (ticket !== asked) {
          return;
        }
      }
      answer = fetched;
      problem = null;
    } catch (err) {
      if (ticket !== asked) {
        return;
      }
      problem = err; // what was shown stays, under the error
    }
    options.draw();
  }

  return {
    get answer() {
      return answer;
    },
    get problem() {
      return problem;
    },
    load,
    forget() {
      answer = null;
    },
    reset() {
      answer = null;
      problem = null;
    },
  };
}

export interface DetailLoaderOptions<T> extends AnswerLoaderOptions<string, T> {
  /** Told when another record is shown, its answer and error already forgotten, before the draw: close its forms, forget its extras. */
  opened?(): void;
}

export interface DetailLoader<T> {
  /** The id of the record shown; null until the first `show`. */
  readonly id: string | null;
  /** Its last answer; null while the first is on its way. */
  readonly detail: T | null;
  /** Why the last fetch failed, or null. */
  readonly problem: unknown;
  /** Shows the record `id`: fetched again when it is the one shown and loaded, else drawn empty and fetched. */
  show(id: string): Promise<void>;
  /** Fetches the shown record again when it is `id` (any: null); nothing when none is shown. */
  refresh(id: string | null): Promise<void>;
}

/** The state of a detail panel: one record by id, the newest fetch wins. */
export function createDetailLoader<T>(options: DetailLoaderOptions<T>): DetailLoader<T> {
  let shown: string | null = null;
  const answers = createAnswerLoader<string, T>(options);

  async function show(id: string): Promise<void> {
    if (id === shown && answers.answer !== null) {
      return refresh(id);
    }
    shown = id;
    answers.reset();
    options.opened?.();
    options.draw();
    await answers.load(id);
  }

  async function refresh(id: string | null): Promise<void> {
    if (shown === null || (id !== null && id !== shown)) {
      return;
    }
    await answers.load(shown);
  }

  return {
    get id() {
      return shown;
    },
    get detail() {
      return answers.answer;
    },
    get problem() {
      return answers.problem;
    },
    show,
    refresh,
  };
}

/** The error line above what stays shown (`.field__error`, the code in `data-code`), or null without an error. */
export function problemLine(problem: unknown): HTMLElement | null {
  if (problem === null) {
    return null;
  }
  const line = el("p", { className: "field__error" });
  showErrorText(line, describeError(problem), problem);
  return line;
}
