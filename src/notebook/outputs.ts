/**
 * Turning a cell's iopub messages into nbformat outputs, as Jupyter front ends do:
 * consecutive stream chunks of the same name are merged, `update_display_data` rewrites every
 * earlier output carrying the same display_id (anywhere in the notebook), `clear_output` honours
 * `wait`. tslab reports a failed cell only through stderr and `status: "error"` in execute_reply,
 * so `errorFromStderr` derives the nbformat error output from that text.
 */
import type { JupyterMessage } from './jupyter-wire';
import { splitLines, type DisplayDataOutput, type ErrorOutput, type ExecuteResultOutput, type MimeBundle, type Output, type StreamOutput } from './nbformat';

/** display_id -> the outputs (across all cells) that show it, so updates can reach them. */
export type DisplayIndex = Map<string, Array<DisplayDataOutput | ExecuteResultOutput>>;

const JSON_MIME = /^application\/(.+\+)?json$/;

/**
 * Normalises a MIME bundle for storage: JSON types hold JSON values (tslab can only send strings,
 * so a string that parses is stored parsed); text types are split into lines as Jupyter writes them.
 */
export function normaliseBundle(data: Record<string, unknown>): MimeBundle {
  const out: MimeBundle = {};
  for (const [mime, value] of Object.entries(data)) {
    if (JSON_MIME.test(mime) && typeof value === 'string') {
      try {
        out[mime] = JSON.parse(value);
        continue;
      } catch {
        /* keep the string: not every +json payload a kernel sends is JSON */
      }
    }
    out[mime] = typeof value === 'string' && (mime.startsWith('text/') || mime === 'image/svg+xml') ? splitLines(value) : value;
  }
  return out;
}

/** Collects one cell's outputs from its iopub messages. */
export class OutputCollector {
  readonly outputs: Output[] = [];
  /** an error output the kernel sent itself (tslab never does; other kernels would) */
  kernelError: ErrorOutput | null = null;
  private clearPending = false;

  constructor(private readonly displays: DisplayIndex) {}

  /** Applies one iopub message (status and execute_input are ignored). */
  handle(msg: JupyterMessage): void {
    const c = msg.content as Record<string, unknown>;
    const type = msg.header.msg_type;
    if (type === 'clear_output') {
      if (c.wait) this.clearPending = true;
      else this.outputs.length = 0;
      return;
    }
    if (type === 'update_display_data') {
      const id = (c.transient as { display_id?: string } | undefined)?.display_id;
      for (const o of (id && this.displays.get(id)) || []) {
        o.data = normaliseBundle((c.data as Record<string, unknown>) ?? {});
        o.metadata = (c.metadata as Record<string, unknown>) ?? {};
      }
      return;
    }
    if (!['stream', 'display_data', 'execute_result', 'error'].includes(type)) return;
    if (this.clearPending) {
      this.outputs.length = 0;
      this.clearPending = false;
    }
    if (type === 'stream') {
      const name = c.name === 'stderr' ? 'stderr' : 'stdout';
      const text = String(c.text ?? '');
      const last = this.outputs[this.outputs.length - 1];
      if (last && last.output_type === 'stream' && last.name === name) last.text = (last.text as string) + text;
      else this.outputs.push({ output_type: 'stream', name, text });
      return;
    }
    if (type === 'error') {
      const err: ErrorOutput = {
        output_type: 'error',
        ename: String(c.ename ?? 'Error'),
        evalue: String(c.evalue ?? ''),
        traceback: Array.isArray(c.traceback) ? c.traceback.map(String) : [],
      };
      this.kernelError = err;
      this.outputs.push(err);
      return;
    }
    const data = normaliseBundle((c.data as Record<string, unknown>) ?? {});
    const metadata = (c.metadata as Record<string, unknown>) ?? {};
    const out: DisplayDataOutput | ExecuteResultOutput =
      type === 'execute_result'
        ? { output_type: 'execute_result', execution_count: (c.execution_count as number | null) ?? null, data, metadata }
        : { output_type: 'display_data', data, metadata };
    this.outputs.push(out);
    const id = (c.transient as { display_id?: string } | undefined)?.display_id;
    if (id) this.displays.set(id, [...(this.displays.get(id) ?? []), out]);
  }

  /** The outputs in nbformat's on-disk form (stream text split into lines). */
  finish(): Output[] {
    return this.outputs.map((o) => (o.output_type === 'stream' ? { ...o, text: splitLines(o.text as string) } : o));
  }
}

/** Removes ANSI colour / cursor escape sequences (for terminal-independent reports). */
export function stripAnsi(s: string): string {
  // eslint-disable-next-line no-control-regex
  return s.replace(/\u001b\[[0-9;?]*[ -/]*[@-~]/g, '');
}

// "TypeError: x is not a function", "Error [ERR_X]: msg", "Uncaught SyntaxError: ...", "AbortError: ..."
const JS_ERROR_LINE = /^(?:Uncaught )?((?:[A-Za-z_$][\w$]*)?(?:Error|Exception))(?: \[[\w-]+\])?(?:: (.*))?$/;
// tslab's TypeScript diagnostics: "3:7 - Cannot find name 'x'." optionally prefixed by a file name.
const TS_DIAGNOSTIC_LINE = /^(?:(\S+\.[cm]?[jt]sx?) )?(\d+):(\d+) - (.*)$/;

/**
 * Derives an nbformat error output from the stderr a failed cell wrote: the last line that starts
 * a JavaScript error ("TypeError: …") or the first TypeScript diagnostic ("3:7 - …") begins the
 * error. Returns the error and the stderr text that came before it (other, unrelated messages).
 */
export function errorFromStderr(stderr: string): { error: ErrorOutput; before: string } {
  const lines = splitLines(stderr);
  const bare = lines.map((l) => stripAnsi(l).replace(/\n$/, ''));
  const tsAt = bare.findIndex((l) => TS_DIAGNOSTIC_LINE.test(l));
  let jsAt = -1;
  for (let i = bare.length - 1; i >= 0; i--) {
    if (JS_ERROR_LINE.test(bare[i])) {
      jsAt = i;
      break;
    }
  }
  let at: number;
  let ename: string;
  let evalue: string;
  if (tsAt >= 0 && (jsAt < 0 || tsAt < jsAt)) {
    at = tsAt;
    const m = TS_DIAGNOSTIC_LINE.exec(bare[tsAt])!;
    ename = 'TypeScriptError';
    evalue = `${m[1] ? m[1] + ' ' : ''}${m[2]}:${m[3]} - ${m[4]}`;
  } else if (jsAt >= 0) {
    at = jsAt;
    const m = JS_ERROR_LINE.exec(bare[jsAt])!;
    ename = m[1];
    evalue = m[2] ?? '';
    // node prints "file:line / source line / caret / blank" above an uncaught error's stack.
    if (at >= 4 && bare[at - 1] === '' && /^\s*\^+\s*$/.test(bare[at - 2]) && /:\d+$/.test(bare[at - 4])) at -= 4;
  } else {
    // A thrown non-Error (a string, an object) prints as itself: use its first line.
    at = bare.findIndex((l) => l.trim() !== '');
    ename = 'Error';
    evalue = at >= 0 ? bare[at].trim() : 'the cell failed without writing an error message';
    if (at < 0) at = lines.length;
  }
  return {
    error: { output_type: 'error', ename, evalue, traceback: lines.slice(at).map((l) => l.replace(/\n$/, '')) },
    before: lines.slice(0, at).join(''),
  };
}

/**
 * For a failed cell without a kernel-sent error: moves the failure text out of the last stderr
 * stream into an error output (so each line appears once) and returns that error.
 */
export function attachErrorFromStderr(outputs: Output[]): ErrorOutput {
  let i = outputs.length - 1;
  while (i >= 0 && !(outputs[i].output_type === 'stream' && (outputs[i] as StreamOutput).name === 'stderr')) i--;
  const stream = i >= 0 ? (outputs[i] as StreamOutput) : null;
  const { error, before } = errorFromStderr(stream ? (stream.text as string) : '');
  if (stream) {
    if (before) stream.text = before;
    else outputs.splice(i, 1);
  }
  outputs.push(error);
  return error;
}
