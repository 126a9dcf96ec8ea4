/**
 * Incremental parser for server-sent events as OpenAI-compatible servers stream them:
 * `data: {json}\n\n` events, possibly split across network chunks, `: comment` keep-alives,
 * CRLF or LF line ends, and a final `data: [DONE]`.
 */

/** Collects complete events' `data` payloads from text fed in arbitrary pieces. */
export class SseParser {
  private buffer = '';
  private dataLines: string[] = [];

  /** Feeds a chunk of decoded text; returns the data payloads of the events it completed. */
  push(chunk: string): string[] {
    this.buffer += chunk;
    const events: string[] = [];
    let nl: number;
    while ((nl = this.buffer.search(/\r?\n|\r/)) >= 0) {
      const line = this.buffer.slice(0, nl);
      const sepLen = this.buffer.startsWith('\r\n', nl) ? 2 : 1;
      // A lone trailing "\r" may be the first half of "\r\n": wait for more text.
      if (this.buffer[nl] === '\r' && sepLen === 1 && nl === this.buffer.length - 1) break;
      this.buffer = this.buffer.slice(nl + sepLen);
      this.line(line, events);
    }
    return events;
  }

  /** Call at end of stream: returns a last event that was not followed by a blank line. */
  end(): string[] {
    const events: string[] = [];
    if (this.buffer.length > 0) this.line(this.buffer, events);
    this.buffer = '';
    this.line('', events);
    return events;
  }

  private line(line: string, events: string[]): void {
    if (line === '') {
      if (this.dataLines.length > 0) events.push(this.dataLines.join('\n'));
      this.dataLines = [];
      return;
    }
    if (line.startsWith(':')) return; // comment / keep-alive
    const colon = line.indexOf(':');
    const field = colon < 0 ? line : line.slice(0, colon);
    let value = colon < 0 ? '' : line.slice(colon + 1);
    if (value.startsWith(' ')) value = value.slice(1);
    if (field === 'data') this.dataLines.push(value);
    // "event", "id", "retry" fields carry nothing chat completions need.
  }
}
