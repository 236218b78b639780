import { createWriteStream } from 'node:fs';
import { Writable, type Writable as WritableStream } from 'node:stream';
import { pipeline } from 'node:stream/promises';
import type { Config } from '../../config.ts';
import { createDb, type Db } from '../../db/index.ts';
import { offLoopTask, runOffLoop } from '../../lib/off-loop.ts';
import { reportCsv } from './csv.ts';
import { type ReportQuery, reportRows } from './rows.ts';

/** A kept file is stored in chunks of this size, so neither writing nor downloading holds it whole. */
const CHUNK_BYTES = 256 * 1024;

/** Where an export's CSV goes: a file on disk (the on-demand download), or a periodic run's kept chunks. */
export type ExportTarget = { file: string } | { runId: number };

export type ExportJob = { database: Config['database']; query: ReportQuery; into: ExportTarget };
export type ExportOutcome = { rows: number; bytes: number };

/** Buffers the CSV into chunk rows of the run as it streams out; never more than one chunk in memory. */
function chunkWriter(db: Db, runId: number): WritableStream {
  let pending: Buffer[] = [];
  let pendingBytes = 0;
  let seq = 0;
  const flush = async () => {
    if (!pendingBytes) return;
    const content = Buffer.concat(pending);
    pending = [];
    pendingBytes = 0;
    await db('report_run_chunks').insert({ run_id: runId, seq: seq++, content });
  };
  return new Writable({
    write(chunk: Buffer, _encoding, done) {
      pending.push(chunk);
      pendingBytes += chunk.length;
      if (pendingBytes < CHUNK_BYTES) return done();
      flush().then(() => done(), done);
    },
    final(done) {
      flush().then(() => done(), done);
    },
  });
}

/** Streams a report's CSV into the target, counting rows and bytes; memory holds one batch of rows. */
export async function exportReport(db: Db, query: ReportQuery, into: ExportTarget): Promise<ExportOutcome> {
  const outcome = { rows: 0, bytes: 0 };
  async function* counted() {
    for await (const batch of reportRows(db, query)) {
      outcome.rows += batch.length;
      yield batch;
    }
  }
  async function* measured(csv: AsyncIterable<Buffer>) {
    for await (const chunk of csv) {
      outcome.bytes += chunk.length;
      yield chunk;
    }
  }
  if ('runId' in into) await db('report_run_chunks').where('run_id', into.runId).delete();
  const sink = 'file' in into ? createWriteStream(into.file) : chunkWriter(db, into.runId);
  await pipeline(reportCsv(query.fields, counted()), measured, sink);
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
