/**
 * A `text/event-stream` parser (the WHATWG rules that matter here): lines end in CRLF, LF or CR; `data:`
 * lines of one event are joined with `\n`; a blank line dispatches the event; comments (`:`) and the
 * other fields are ignored. Chunks may split lines, and a CRLF may be split between two chunks.
 */
export class SseParser {
  readonly #onData: (data: string) => void;
  #line = '';
  #data: string[] = [];
  #skipLeadingLf = false;

  constructor(onData: (data: string) => void) {
    this.#onData = onData;
  }

  /** Feeds decoded text; calls `onData` for every complete event with data. */
  push(text: string): void {
    let start = 0;
    if (this.#skipLeadingLf && text.startsWith('\n')) start = 1;
    this.#skipLeadingLf = false;
    for (let i = start; i < text.length; i++) {
      const char = text.charCodeAt(i);
      if (char !== 0x0a && char !== 0x0d) continue;
      this.#line += text.slice(start, i);
      this.#endLine();
      if (char === 0x0d) {
        if (i + 1 === text.length) this.#skipLeadingLf = true;
        else if (text.charCodeAt(i + 1) === 0x0a) i++;
      }
      start = i + 1;
    }
    this.#line += text.slice(start);
  }

  #endLine(): void {
    const line = this.#line;
    this.#line = '';
    if (line === '') {
      if (this.#data.length > 0) {
        const data = this.#data.join('\n');
        this.#data = [];
        this.#onData(data);
      }
      return;
    }
    if (line.startsWith(':')) return;
    const colon = line.indexOf(':');
    const field = colon === -1 ? line : line.slice(0, colon);
    if (field !== 'data') return;
    let value = colon === -1 ? '' : line.slice(colon + 1);
    if (value.startsWith(' ')) value = value.slice(1);
    this.#data.push(value);
  }
}
