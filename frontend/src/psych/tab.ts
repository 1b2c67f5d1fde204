/** What the page asks of each tab: its root, and to fetch its data again (on show and after events). */
export interface Tab {
  root: HTMLElement;
  load(): Promise<void>;
}
