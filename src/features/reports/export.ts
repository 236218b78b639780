import { open } from 'node:fs/promises';
import type { Config } from '../../config.ts';
import { createDb, type Db } from '../../db/index.ts';
import { offLoopTask, runOffLoop } from '../../lib/off-loop.ts';
import { csvHeader, csvLines } from './csv.ts';
import type { ReportQuery } from './field-sql.ts';
import { reportBatches } from './rows.ts';

/** A kept file is stored in chunks of about this size, so neither writing nor downloading holds it whole. */
const CHUNK_BYTES = 256 * 1024;

/** Where an export's CSV goes: a file on disk (the on-demand download), or a periodic run's kept chunks. */
export type ExportTarget = { file: string } | { runId: number };

export type ExportJob = { database: Config['database']; query: ReportQuery; into: ExportTarget };
export type ExportOutcome = { rows: number; bytes: number };

/** Where the CSV's text goes, a batch's lines at a time; `close` writes what is left. */
type Sink = { write(text: string): Promise<void>; close(): Promise<void> };

async function fileSink(path: string): Promise<Sink> {
  const file = await open(path, 'w');
  return {
    write: async (text) => {
      await file.appendFile(text);
    },
    close: () => file.close(),
  };
}

/** Collects the CSV into chunk rows of the run; never more than one chunk and a batch in memory. */
async function chunkSink(db: Db, runId: number): Promise<Sink> {
  await db('report_run_chunks').where('run_id', runId).delete();
  let pending: string[] = [];
  let pendingLength = 0;
  let seq = 0;
  const flush = async () => {
    if (!pendingLength) return;
    const content = Buffer.from(pending.join(''));
    pending = [];
    pendingLength = 0;
    await db('report_run_chunks').insert({ run_id: runId, seq: seq++, content });
  };
  return {
    write: async (text) => {
      pending.push(text);
      pendingLength += text.length;
      if (pendingLength >= CHUNK_BYTES) await flush();
    },
    close: flush,
  };
}

/** Writes a report's CSV into the target a batch at a time, counting rows and bytes. */
export async function exportReport(db: Db, query: ReportQuery, into: ExportTarget): Promise<ExportOutcome> {
  const outcome = { rows: 0, bytes: 0 };
  const sink = 'file' in into ? await fileSink(into.file) : await chunkSink(db, into.runId);
  const write = (text: string) => {
    outcome.bytes += Buffer.byteLength(text);
    return sink.write(text);
  };
  try {
    await write(csvHeader(query.fields));
    for await (const batch of reportBatches(db, query)) {
      outcome.rows += batch.length;
      await write(csvLines(query.fields, batch));
    }
  } finally {
    await sink.close();
  }
  return outcome;
}

/**
 * exportReport on a worker thread of the off-loop pool, with a database handle of its own: a million
 * rows are seconds of queries and CSV work, which on the main thread would hold every page back (F5).
 */
export default offLoopTask(async ({ database, query, into }: ExportJob) => {
  const db = createDb(database);
  try {
    return await exportReport(db, query, into);
  } finally {
    await db.destroy();
  }
});

/** Exports on the pool; the caller's event loop stays free meanwhile. */
export function exportOffLoop(job: ExportJob): Promise<ExportOutcome> {
  return runOffLoop(new URL(import.meta.url), job);
}
