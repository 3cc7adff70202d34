// switchboardd export / import / migrate (server/admin/data_cli.h, docs/operations.md "Moving
// from SQLite to PostgreSQL"): a live SQLite deployment's every row moves to another database
// (SQLite in the server suite, PostgreSQL in server-pg) and the desks carry on there: the same
// passwords, the contact still on its agent's desk with its transcript, the audit log, new rows
// numbered after the imported ones. A file cut short, malformed, from a newer schema, or aimed at
// a database already in use changes nothing.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { spawnSync } from 'node:child_process';
import { readFileSync, statSync } from 'node:fs';
import { join } from 'node:path';
import { startServer, tempDir, sql, serverBinary, databaseFor, DeskClient } from './harness.mjs';
import { ChatCustomer, waitEvent, offered, availableAgent } from './contacts_harness.mjs';

function cli(args, input) {
  const r = spawnSync(serverBinary, args, { encoding: 'utf8', input });
  return { status: r.status, stdout: r.stdout, stderr: r.stderr };
}

const rows = (db, table, order) => JSON.parse(sql(db, `SELECT * FROM ${table} ORDER BY ${order}`) || '[]');
const count = (db, table) => JSON.parse(sql(db, `SELECT COUNT(*) AS n FROM ${table}`))[0].n;

test('a live SQLite database exported and imported: every row, and the desk carries on', async () => {
  // The source: SQLite, always (the move this is for).
  const dirA = tempDir();
  const key = join(dirA, 'mfa.key');
  const a = await startServer({ dir: dirA, db: join(dirA, 'source.db'), args: ['--mfa-key-file', key] });
  let file;
  let contact;
  try {
    const { c: bob } = await availableAgent(a, 'bob');
    const chat = await ChatCustomer.connect(a.url);
    await chat.start('Moving Customer');
    contact = chat.contact;
    await waitEvent(bob, offered(contact));
    await bob.ok('accept', { contact });
    await chat.say('are you moving?');
    await bob.ok('send_message', { contact, text: 'to a bigger database', client_id: 'move-1' });
    await waitEvent(chat, (f) => f.type === 'message' && f.message?.text === 'to a bigger database').catch(() => {});

    // Exported while the server runs: one consistent read.
    file = join(tempDir(), 'move.jsonl');
    const out = cli(['export', '--db', a.db, '--out', file]);
    assert.equal(out.status, 0, out.stderr);
    assert.match(out.stderr, /^exported \d+ rows of 29 tables \(schema \d+\):.* agents \d+/);
    assert.equal(statSync(file).mode & 0o777, 0o600, 'readable by its owner only');
    const lines = readFileSync(file, 'utf8').trimEnd().split('\n').map((l) => JSON.parse(l));
    assert.equal(lines[0].switchboard_export, 1);
    assert.equal(lines[0].engine, 'sqlite');
    const header = (t) => lines.find((l) => l.table === t);
    assert.equal(header('agents').rows, count(a.db, 'agents'));
    assert.equal(header('messages').rows, 2);
    assert.ok(!lines.some((l) => l.table === 'schema_version'), 'the schema is the target\'s own');
    assert.deepEqual(lines.at(-1), { end: true, rows: lines.filter((l) => Array.isArray(l)).length });
    // Never over another file.
    const again = cli(['export', '--db', a.db, '--out', file]);
    assert.equal(again.status, 1);
    assert.match(again.stderr, /cannot create .*File exists/);
    await Promise.all([chat.close(), bob.close()]);
  } finally { await a.stop(); }

  // The target: a new database (PostgreSQL under server-pg).
  const dirB = tempDir();
  const target = databaseFor(dirB);
  const imported = cli(['import', '--db', target, '--in', file]);
  assert.equal(imported.status, 0, imported.stderr);
  assert.match(imported.stderr, /^imported \d+ rows of 29 tables/);
  for (const [table, order] of [['agents', 'username'], ['contacts', 'id'], ['messages', 'id'], ['audit', 'id'],
    ['customers', 'id'], ['sessions', 'token_hash'], ['events', 'agent, seq'], ['interactions', 'id']])
    assert.deepEqual(rows(target, table, order), rows(a.db, table, order), table);
  // Into a database already in use: refused without --replace, and nothing changes.
  const twice = cli(['import', '--db', target, '--in', file]);
  assert.equal(twice.status, 1);
  assert.match(twice.stderr, /already holds agents.*--replace \(not_empty\)/);
  assert.equal(count(target, 'messages'), 2);

  const b = await startServer({ dir: dirB, db: target, args: ['--mfa-key-file', key] });
  try {
    // bob signs in with his password, and the contact is still his, with its transcript.
    const bob = await DeskClient.connect(b.wsUrl);
    const session = await bob.login('bob');
    assert.ok(session.contacts.some((c) => c.id === contact && c.state === 'active'), JSON.stringify(session.contacts));
    const { messages } = await bob.ok('get_messages', { contact });
    assert.deepEqual(messages.map((m) => m.text), ['are you moving?', 'to a bigger database']);
    await bob.ok('send_message', { contact, text: 'moved', client_id: 'move-2' });
    assert.equal(count(target, 'messages'), 3);
    await bob.close();
    // New rows come after the imported ones (PostgreSQL's identity columns were moved on): this
    // sign-in's audit entry.
    const maxBefore = Math.max(...rows(a.db, 'audit', 'id').map((r) => r.id));
    const newest = rows(target, 'audit', 'id').at(-1);
    assert.equal(newest.action, 'login.succeeded');
    assert.ok(newest.id > maxBefore, `${newest.id} > ${maxBefore}`);
  } finally { await b.stop(); }
});

test('import refuses a file cut short, malformed, from a newer schema or naming unknown columns; nothing changes', async () => {
  const dirA = tempDir();
  const a = await startServer({ dir: dirA, db: join(dirA, 'source.db') });
  await a.stop();
  const good = cli(['export', '--db', a.db]);
  assert.equal(good.status, 0, good.stderr);
  const lines = good.stdout.trimEnd().split('\n');
  const target = databaseFor(tempDir());
  const refused = (text, pattern) => {
    const r = cli(['import', '--db', target], text);
    assert.equal(r.status, 1, `${pattern}: ${r.stderr}`);
    assert.match(r.stderr, pattern);
    assert.equal(count(target, 'agents'), 0, 'nothing imported');
  };
  refused(lines.slice(0, -1).join('\n'), /ends before its end line \(cut short\?\)/);
  refused(lines.slice(0, 5).join('\n'), /ends before/);
  refused('', /ends before its header/);
  refused('{"hello": 1}\n', /not a switchboardd export/);
  refused('not json\n', /not a switchboardd export|not JSON/);
  const header = JSON.parse(lines[0]);
  refused([JSON.stringify({ ...header, schema: header.schema + 1 }), ...lines.slice(1)].join('\n'), /newer than this database/);
  const agents = lines.findIndex((l) => JSON.parse(l).table === 'agents');
  const h = JSON.parse(lines[agents]);
  const withColumn = [...lines];
  withColumn[agents] = JSON.stringify({ ...h, columns: [...h.columns.slice(0, -1), 'is_root'] });
  refused(withColumn.join('\n'), /has no column "is_root"/);
  const badTable = [...lines];
  badTable[agents] = JSON.stringify({ ...h, table: 'agents; DROP TABLE agents' });
  refused(badTable.join('\n'), /unknown or out-of-order table/);
  const badValue = [...lines];
  badValue[agents + 1] = JSON.stringify(JSON.parse(lines[agents + 1]).map((v, i) => (i === 0 ? { nested: true } : v)));
  refused(badValue.join('\n'), /values are integers, text or null/);
  const wrongCount = [...lines];
  wrongCount[wrongCount.length - 1] = JSON.stringify({ end: true, rows: 1 });
  refused(wrongCount.join('\n'), /count of rows/);
  // And the good one goes in.
  const ok = cli(['import', '--db', target], good.stdout);
  assert.equal(ok.status, 0, ok.stderr);
  assert.equal(count(target, 'agents'), count(a.db, 'agents'));
});

test('migrate brings a database up to date without starting the server; export of a missing file is refused', () => {
  const dir = tempDir();
  const target = databaseFor(dir);
  const m = cli(['migrate', '--db', target]);
  assert.equal(m.status, 0, m.stderr);
  const version = Number(m.stderr.match(/^schema version (\d+)$/m)[1]);
  assert.deepEqual(JSON.parse(sql(target, 'SELECT MAX(version) AS v FROM schema_version')), [{ v: version }]);
  assert.equal(count(target, 'agents'), 0, 'no seeding: that is the server\'s');
  const missing = cli(['export', '--db', join(dir, 'nope.db')]);
  assert.equal(missing.status, 1);
  assert.match(missing.stderr, /There is no database at .*nope\.db/);
  assert.equal(cli(['export', '--bogus']).status, 2);
  const pw = cli(['export', '--db', 'postgresql://u:secret@127.0.0.1/x']);
  assert.equal(pw.status, 1);
  assert.match(pw.stderr, /a password does not go in the URI/);
});
