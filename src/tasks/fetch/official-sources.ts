/**
 * Where the official datasets are published, pinned to a release or commit, with the SHA-256 of
 * each file so a download is accepted only if it is byte-identical to the release.
 */
import type { TaskName } from '../types';

/** One downloadable file of an official release. */
export interface OfficialSource {
  task: TaskName;
  /** short label, e.g. "GSM8K test" */
  label: string;
  url: string;
  sha256: string;
  /** file name under the destination directory */
  file: string;
  /** size in bytes when known (for the progress bar before the server says) */
  bytes?: number;
  /** unpack after download: MMLU ships as a tar of per-subject CSVs */
  extract?: 'tar';
  /** what to pass to the loader afterwards, relative to the destination directory */
  loadPath: string;
}

export const OFFICIAL_SOURCES: readonly OfficialSource[] = [
  {
    task: 'gsm8k',
    label: 'GSM8K test',
    url: 'https://raw.githubusercontent.com/openai/grade-school-math/3101c7d5072418e28b9008a6636bde82a006892c/grade_school_math/data/test.jsonl',
    sha256: '3730d312f6e3440559ace48831e51066acaca737f6eabec99bccb9e4b3c39d14',
    file: 'gsm8k/test.jsonl',
    loadPath: 'gsm8k/test.jsonl',
  },
  {
    task: 'gsm8k',
    label: 'GSM8K train',
    url: 'https://raw.githubusercontent.com/openai/grade-school-math/3101c7d5072418e28b9008a6636bde82a006892c/grade_school_math/data/train.jsonl',
    sha256: '17f347dc51477c50d4efb83959dbb7c56297aba886e5544ee2aaed3024813465',
    file: 'gsm8k/train.jsonl',
    loadPath: 'gsm8k/train.jsonl',
  },
  {
    task: 'humaneval',
    label: 'HumanEval',
    url: 'https://raw.githubusercontent.com/openai/human-eval/6d43fb980f9fee3c892a914eda09951f772ad10d/data/HumanEval.jsonl.gz',
    sha256: 'b796127e635a67f93fb35c04f4cb03cf06f38c8072ee7cee8833d7bee06979ef',
    bytes: 44877,
    file: 'humaneval/HumanEval.jsonl.gz',
    loadPath: 'humaneval/HumanEval.jsonl.gz',
  },
  {
    task: 'mmlu',
    label: 'MMLU (all subjects, CSV release)',
    url: 'https://people.eecs.berkeley.edu/~hendrycks/data.tar',
    sha256: 'bec563ba4bac1d6aaf04141cd7d1605d7a5ca833e38f994051e818489592989b',
    file: 'mmlu/data.tar',
    extract: 'tar',
    loadPath: 'mmlu/data/test',
  },
];

/** The sources of one task, or all of them for 'all'. */
export function sourcesFor(task: TaskName | 'all'): OfficialSource[] {
  return OFFICIAL_SOURCES.filter((s) => task === 'all' || s.task === task);
}

/** The same sources fetched from a mirror that keeps the original paths under `base`. */
export function withMirror(sources: readonly OfficialSource[], base: string): OfficialSource[] {
  return sources.map((s) => {
    const u = new URL(s.url);
    return { ...s, url: new URL(`${u.hostname}${u.pathname}`, base.endsWith('/') ? base : `${base}/`).toString() };
  });
}
