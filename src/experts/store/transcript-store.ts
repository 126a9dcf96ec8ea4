/**
 * The transcript store of a run directory: every generation written once under its key
 * (`transcripts.jsonl`), and the graded correctness of each (`grades.jsonl`, keyed by transcript
 * key and grader), so re-running a notebook or `inform generate` makes zero new generations and
 * re-executes no HumanEval tests. Both files are crash-safe JsonlLogs (see jsonl-log.ts).
 *
 * A grade is keyed by the hash of the text it graded as well: a transcript key names a request,
 * not an answer, and the answer stored under it can change (a corrupt record dropped by `repair`
 * and generated again). A grade of other text is then simply not found, and the new text is graded.
 */
import * as path from 'node:path';
import type { TaskName } from '../../tasks/types';
import { JsonlLog, type JsonlLogOptions } from './jsonl-log';
import { textHash, type KeyParts } from './key';

/** One stored generation. */
export interface TranscriptRecord extends KeyParts {
  /** the expert that first asked for it (experts with identical key parts share records) */
  expertId: string;
  itemId?: string;
  task?: TaskName;
  text: string;
  tokenEntropies?: number[];
  usage: { promptTokens: number; completionTokens: number };
}

/** The grade of one stored generation. */
export interface GradeRecord {
  transcriptKey: string;
  itemId: string;
  /** textHash of the graded response (absent in grades written before it was part of the key) */
  textHash?: string;
  correct: boolean;
}

export const TRANSCRIPTS_FILE = 'transcripts.jsonl';
export const GRADES_FILE = 'grades.jsonl';

/**
 * Key of a grade: the transcript, the item it is graded against, the grader's version and the
 * hash of the exact text graded. (Grades of older stores, keyed without the hash, are never
 * found: their texts are graded once more.)
 */
export function gradeKey(transcriptKey: string, itemId: string, grader: string, text: string): string {
  return `${transcriptKey}/${itemId}/${grader}/${textHash(text)}`;
}

/** The transcripts and grades of one run directory. */
export class TranscriptStore {
  private constructor(
    readonly dir: string,
    readonly transcripts: JsonlLog<TranscriptRecord>,
    readonly grades: JsonlLog<GradeRecord>,
  ) {}

  /** Opens (creating) the store of run directory `dir`. Options are passed to both logs. */
  static open(dir: string, opts: JsonlLogOptions = {}): TranscriptStore {
    const transcripts = JsonlLog.open<TranscriptRecord>(path.join(dir, TRANSCRIPTS_FILE), opts);
    try {
      const grades = JsonlLog.open<GradeRecord>(path.join(dir, GRADES_FILE), opts);
      return new TranscriptStore(dir, transcripts, grades);
    } catch (e) {
      transcripts.close();
      throw e;
    }
  }

  get(key: string): TranscriptRecord | undefined {
    return this.transcripts.get(key);
  }

  /** Stores a generation; false when the key was already stored (nothing is written then). */
  put(key: string, record: TranscriptRecord): boolean {
    return this.transcripts.append(key, record);
  }

  /** The grade of exactly `text` (the response stored under `transcriptKey`); undefined when it was never graded. */
  getGrade(transcriptKey: string, itemId: string, grader: string, text: string): boolean | undefined {
    return this.grades.get(gradeKey(transcriptKey, itemId, grader, text))?.correct;
  }

  /** Stores the grade of `text`; false when that text already had a grade (nothing is written then). */
  putGrade(transcriptKey: string, itemId: string, grader: string, text: string, correct: boolean): boolean {
    return this.grades.append(gradeKey(transcriptKey, itemId, grader, text), { transcriptKey, itemId, textHash: textHash(text), correct });
  }

  close(): void {
    this.transcripts.close();
    this.grades.close();
  }
}
