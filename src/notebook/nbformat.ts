/**
 * nbformat 4 notebooks: types, reading with clear errors, structural validation, writing.
 *
 * The official JSON schema is a Python package we do not have offline, so `validateNotebook`
 * checks the fields nbformat 4.5 requires by hand (top level, cell kinds, cell ids, output kinds).
 */
import * as crypto from 'node:crypto';
import * as fs from 'node:fs';
import * as path from 'node:path';

/** Text as nbformat stores it: one string, or a list of lines that are concatenated. */
export type MultilineString = string | string[];

/** A MIME bundle: MIME type -> content (text, base64 for binary images, any JSON for +json types). */
export type MimeBundle = Record<string, unknown>;

export interface StreamOutput {
  output_type: 'stream';
  name: 'stdout' | 'stderr';
  text: MultilineString;
}
export interface DisplayDataOutput {
  output_type: 'display_data';
  data: MimeBundle;
  metadata: Record<string, unknown>;
}
export interface ExecuteResultOutput {
  output_type: 'execute_result';
  execution_count: number | null;
  data: MimeBundle;
  metadata: Record<string, unknown>;
}
export interface ErrorOutput {
  output_type: 'error';
  ename: string;
  evalue: string;
  traceback: string[];
}
export type Output = StreamOutput | DisplayDataOutput | ExecuteResultOutput | ErrorOutput;

export interface CodeCell {
  cell_type: 'code';
  id: string;
  metadata: Record<string, unknown>;
  source: MultilineString;
  outputs: Output[];
  execution_count: number | null;
}
export interface TextCell {
  cell_type: 'markdown' | 'raw';
  id: string;
  metadata: Record<string, unknown>;
  source: MultilineString;
  attachments?: Record<string, MimeBundle>;
}
export type Cell = CodeCell | TextCell;

export interface Notebook {
  nbformat: 4;
  nbformat_minor: number;
  metadata: {
    kernelspec?: { name: string; display_name: string; language?: string };
    language_info?: { name: string; [key: string]: unknown };
    [key: string]: unknown;
  };
  cells: Cell[];
}

/** Joins nbformat's multiline text into one string. */
export function joinText(text: MultilineString): string {
  return Array.isArray(text) ? text.join('') : text;
}

/** Splits text into nbformat's on-disk list form: lines keeping their trailing newline. */
export function splitLines(text: string): string[] {
  return text.match(/[^\n]*\n|[^\n]+$/g) ?? [];
}

const isRecord = (v: unknown): v is Record<string, unknown> => typeof v === 'object' && v !== null && !Array.isArray(v);
const isMultiline = (v: unknown): boolean => typeof v === 'string' || (Array.isArray(v) && v.every((x) => typeof x === 'string'));

function validateOutput(o: unknown, where: string, problems: string[]): void {
  if (!isRecord(o)) {
    problems.push(`${where}: must be an object`);
    return;
  }
  const need = (field: string, ok: boolean, what: string) => {
    if (!ok) problems.push(`${where}.${field}: ${what}`);
  };
  switch (o.output_type) {
    case 'stream':
      need('name', o.name === 'stdout' || o.name === 'stderr', 'must be "stdout" or "stderr"');
      need('text', isMultiline(o.text), 'must be a string or a list of strings');
      break;
    case 'display_data':
    case 'execute_result':
      need('data', isRecord(o.data), 'must be a MIME bundle object');
      need('metadata', isRecord(o.metadata), 'must be an object');
      if (o.output_type === 'execute_result') {
        need('execution_count', o.execution_count === null || Number.isInteger(o.execution_count), 'must be an integer or null');
      }
      if (isRecord(o.data)) {
        for (const [mime, v] of Object.entries(o.data)) {
          if (!/^[a-z]+\/[\w.+-]+$/i.test(mime)) problems.push(`${where}.data: "${mime}" is not a MIME type`);
          else if (!/json$/.test(mime) && !isMultiline(v)) problems.push(`${where}.data["${mime}"]: must be a string or a list of strings`);
        }
      }
      break;
    case 'error':
      need('ename', typeof o.ename === 'string', 'must be a string');
      need('evalue', typeof o.evalue === 'string', 'must be a string');
      need('traceback', Array.isArray(o.traceback) && o.traceback.every((x) => typeof x === 'string'), 'must be a list of strings');
      break;
    default:
      problems.push(`${where}.output_type: unknown value ${JSON.stringify(o.output_type)}`);
  }
}

/**
 * Checks a parsed notebook against nbformat 4.5's required structure. Returns the problems found,
 * each naming the field path (e.g. `cells[3].outputs[0].name`); an empty list means valid.
 */
export function validateNotebook(nb: unknown): string[] {
  const problems: string[] = [];
  if (!isRecord(nb)) return ['notebook: must be a JSON object'];
  if (nb.nbformat !== 4) problems.push(`nbformat: must be 4, got ${JSON.stringify(nb.nbformat)}`);
  if (!Number.isInteger(nb.nbformat_minor) || (nb.nbformat_minor as number) < 0) problems.push('nbformat_minor: must be a non-negative integer');
  if (!isRecord(nb.metadata)) problems.push('metadata: must be an object');
  else {
    const ks = nb.metadata.kernelspec;
    if (ks !== undefined && (!isRecord(ks) || typeof ks.name !== 'string' || typeof ks.display_name !== 'string')) {
      problems.push('metadata.kernelspec: must have string "name" and "display_name"');
    }
    const li = nb.metadata.language_info;
    if (li !== undefined && (!isRecord(li) || typeof li.name !== 'string')) problems.push('metadata.language_info: must have a string "name"');
  }
  if (!Array.isArray(nb.cells)) {
    problems.push('cells: must be a list');
    return problems;
  }
  const minor = typeof nb.nbformat_minor === 'number' ? nb.nbformat_minor : 0;
  const ids = new Set<string>();
  nb.cells.forEach((c: unknown, i: number) => {
    const where = `cells[${i}]`;
    if (!isRecord(c)) {
      problems.push(`${where}: must be an object`);
      return;
    }
    if (!['code', 'markdown', 'raw'].includes(c.cell_type as string)) problems.push(`${where}.cell_type: unknown value ${JSON.stringify(c.cell_type)}`);
    if (!isRecord(c.metadata)) problems.push(`${where}.metadata: must be an object`);
    if (!isMultiline(c.source)) problems.push(`${where}.source: must be a string or a list of strings`);
    if (minor >= 5) {
      // nbformat 4.5: ids are required, 1-64 chars of letters, digits, '-' and '_', unique.
      if (typeof c.id !== 'string' || !/^[a-zA-Z0-9-_]{1,64}$/.test(c.id)) problems.push(`${where}.id: must match ^[a-zA-Z0-9-_]{1,64}$`);
      else if (ids.has(c.id)) problems.push(`${where}.id: duplicate id "${c.id}"`);
      else ids.add(c.id);
    }
    if (c.cell_type === 'code') {
      if (!(c.execution_count === null || Number.isInteger(c.execution_count))) problems.push(`${where}.execution_count: must be an integer or null`);
      if (!Array.isArray(c.outputs)) problems.push(`${where}.outputs: must be a list`);
      else c.outputs.forEach((o: unknown, j: number) => validateOutput(o, `${where}.outputs[${j}]`, problems));
    } else if ('outputs' in c || 'execution_count' in c) {
      problems.push(`${where}: a ${String(c.cell_type)} cell must not have outputs or execution_count`);
    }
  });
  return problems;
}

/** A fresh random cell id (nbformat 4.5 style). */
export function newCellId(): string {
  return crypto.randomBytes(8).toString('hex');
}

/**
 * Reads and validates a notebook. Older 4.x minors are upgraded in memory to 4.5 (cell ids added),
 * as Jupyter does. Throws an error naming the file and the offending field.
 */
export function readNotebook(file: string): Notebook {
  let text: string;
  try {
    text = fs.readFileSync(file, 'utf8');
  } catch (e) {
    throw new Error(`${file}: cannot read notebook (${(e as NodeJS.ErrnoException).code ?? (e as Error).message})`);
  }
  let parsed: unknown;
  try {
    parsed = JSON.parse(text);
  } catch (e) {
    throw new Error(`${file}: not valid JSON (${(e as Error).message})`);
  }
  if (isRecord(parsed) && parsed.nbformat === 4 && typeof parsed.nbformat_minor === 'number' && parsed.nbformat_minor < 5 && Array.isArray(parsed.cells)) {
    for (const c of parsed.cells) if (isRecord(c) && typeof c.id !== 'string') c.id = newCellId();
    parsed.nbformat_minor = 5;
  }
  const problems = validateNotebook(parsed);
  if (problems.length) throw new Error(`${file}: not a valid nbformat 4 notebook:\n  ${problems.join('\n  ')}`);
  return parsed as Notebook;
}

/** Writes a notebook as Jupyter does (1-space indent, trailing newline), atomically. */
export function writeNotebook(file: string, nb: Notebook): void {
  fs.mkdirSync(path.dirname(file), { recursive: true });
  const tmp = `${file}.${process.pid}.tmp`;
  fs.writeFileSync(tmp, JSON.stringify(nb, null, 1) + '\n');
  fs.renameSync(tmp, file);
}
