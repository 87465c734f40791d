import { spawn } from 'node:child_process';
import { once } from 'node:events';
import { cpSync, mkdtempSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import Database from 'better-sqlite3';
import { describe, expect, it } from 'vitest';
import { DurableImage, haveCompiler } from './durable-image.ts';

const marker = 'events/ack';
const rows = 20;
const packageDir = new URL('../../', import.meta.url).pathname;

/**
 * A child process that commits `rows` rows one by one in WAL mode with the given `synchronous`,
 * writes "events/ack <id>" to its stdout after each commit (as the fleet acknowledges an event after
 * its commit) and then dies by SIGKILL, closing nothing.
 */
const writer = `
const Database = require('better-sqlite3');
const db = new Database(process.argv[1] + '/fleet.db');
db.pragma('journal_mode = WAL');
db.pragma('synchronous = ' + process.argv[2]);
const insert = db.prepare('INSERT INTO events (id) VALUES (?)');
for (let i = 0; i < ${rows}; i++) {
  const id = 'event-' + String(i).padStart(4, '0');
  insert.run(id);
  process.stdout.write('${marker} ' + id + '\\n');
}
process.kill(process.pid, 'SIGKILL');
`;

async function runWriter(synchronous: 'FULL' | 'NORMAL') {
  const watchDir = mkdtempSync(join(tmpdir(), 'durable-writer-'));
  const seed = new Database(join(watchDir, 'fleet.db'));
  seed.pragma('journal_mode = WAL');
  seed.exec('CREATE TABLE events (id TEXT PRIMARY KEY)');
  seed.close();
  const image = new DurableImage(watchDir, marker);
  image.start();
  const child = spawn(process.execPath, ['-e', writer, watchDir, synchronous], {
    cwd: packageDir,
    env: { ...process.env, ...image.env() },
    stdio: ['ignore', 'pipe', 'inherit'],
  });
  let out = '';
  child.stdout.on('data', (c: Buffer) => {
    out += c.toString();
  });
  await once(child, 'exit');
  const acked = [...out.matchAll(/event-\d{4}/g)].map((m) => m[0]);
  expect(acked).toHaveLength(rows);
  // what a plain copy of the files sees: the page cache holds every row, durable or not
  const plainCopy = mkdtempSync(join(tmpdir(), 'durable-plain-'));
  cpSync(watchDir, plainCopy, { recursive: true });
  const copied = new Database(join(plainCopy, 'fleet.db'));
  const inPlainCopy = (copied.prepare('SELECT COUNT(*) AS n FROM events').get() as { n: number }).n;
  copied.close();
  return {
    acked,
    lost: image.lostAtAcknowledgement(
      acked.map((id) => ({ wire: `${marker} ${id}`, id })),
      'fleet.db',
      'SELECT 1 FROM events WHERE id = ?',
    ),
    inPlainCopy,
  };
}

if (!haveCompiler())
  console.warn(
    'durable-image: no C compiler (`cc`) to build the LD_PRELOAD shim: the power-cut cases are skipped',
  );

describe.skipIf(!haveCompiler())('durable image under the LD_PRELOAD shim', () => {
  it('keeps every row acknowledged after its commit with synchronous FULL', async () => {
    const { lost, inPlainCopy } = await runWriter('FULL');
    expect(lost).toEqual([]);
    expect(inPlainCopy).toBe(rows);
  });

  it('loses rows acknowledged after their commit with synchronous NORMAL, which a plain file copy still shows', async () => {
    const { acked, lost, inPlainCopy } = await runWriter('NORMAL');
    // 20 one-page commits stay far below the 1,000-page checkpoint, the only time NORMAL syncs the WAL
    expect(lost).toEqual(acked);
    expect(inPlainCopy).toBe(rows);
  });
});
