// migrations.test.mjs: schema migrations keep the data. Migrations 3 and 6 rebuild the contacts table
// (to widen a CHECK); with foreign keys on, dropping the old table would have deleted every
// message by cascade. Run it again on a database full of conversations: nothing is lost.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { startServer, tempDir, sql, onPostgres } from './harness.mjs';
import { ChatCustomer, waitEvent, offered, availableAgent } from './contacts_harness.mjs';

// SQLite's rebuild of a table (PostgreSQL alters the CHECK in place).
test('the contacts rebuild (migration 3) keeps contacts, messages and their links', { skip: onPostgres && 'SQLite\'s rebuild' }, async () => {
  const dir = tempDir();
  let server = await startServer({ dir });
  const { c: bob } = await availableAgent(server, 'bob');
  const chat = await ChatCustomer.connect(server.url);
  await chat.start('Migration Customer');
  await waitEvent(bob, offered(chat.contact));
  await bob.ok('accept', { contact: chat.contact });
  await chat.say('first words');
  await bob.ok('send_message', { contact: chat.contact, text: 'an answer', client_id: 'mig-1' });
  await Promise.all([chat.close(), bob.close()]);
  await server.stop();

  // (Migration 17 adds contacts.version again below, at 1: the rows start there for the
  // comparison; their message_seq it works out again from the messages.)
  sql(server.db, 'UPDATE contacts SET version = 1');
  const before = {
    contacts: sql(server.db, 'SELECT * FROM contacts ORDER BY id'),
    messages: sql(server.db, 'SELECT * FROM messages ORDER BY id'),
  };
  assert.equal(JSON.parse(before.messages).length, 2);
  const latest = JSON.parse(sql(server.db, 'SELECT MAX(version) AS v FROM schema_version'))[0].v;
  assert.ok(latest >= 3);
  // Two payments made in one millisecond, the second first by id: migration 16 numbers them in
  // the order they were stored, which is what "the contact's latest" reads from then on.
  sql(server.db, "INSERT INTO payments (id, contact, customer, agent, amount, currency, state, created_at, updated_at) "
    + "VALUES ('pay-z', 'c-x', 'cu-x', 'alice', 100, 'USD', 'cancelled', 5, 5), "
    + "('pay-a', 'c-x', 'cu-x', 'alice', 200, 'USD', 'capturing', 5, 5)");
  // Back to version 2 (later migrations add tables and, 6, two columns: undo them so that they
  // run again too; 5 keeps its tables, IF NOT EXISTS).
  sql(server.db, 'DELETE FROM schema_version WHERE version >= 3; DROP TABLE sms_pending; '
    + 'ALTER TABLE contacts DROP COLUMN call_direction; ALTER TABLE contacts DROP COLUMN callback; '
    + 'ALTER TABLE agents DROP COLUMN role; ALTER TABLE agents DROP COLUMN disabled_at; '
    + 'ALTER TABLE customers DROP COLUMN date_of_birth; ALTER TABLE customers DROP COLUMN address; '
    + 'ALTER TABLE customers DROP COLUMN postcode; ALTER TABLE customers DROP COLUMN security_phrase_hash; '
    + 'ALTER TABLE accounts DROP COLUMN number; '
    + 'ALTER TABLE contacts DROP COLUMN claimed_customer; '
    + 'ALTER TABLE payments DROP COLUMN charge_key; ALTER TABLE payments DROP COLUMN charge_card; '
    + 'DROP INDEX payments_by_contact_seq; ALTER TABLE payments DROP COLUMN seq; '
    + 'ALTER TABLE contacts DROP COLUMN version; ALTER TABLE contacts DROP COLUMN message_seq; '
    + 'DROP INDEX contacts_by_agent; ALTER TABLE agents DROP COLUMN last_offer_at;');

  server = await startServer({ dir });  // migrates again from version 2
  try {
    assert.deepEqual(JSON.parse(sql(server.db, 'SELECT MAX(version) AS v FROM schema_version')), [{ v: latest }]);
    assert.equal(sql(server.db, 'SELECT * FROM contacts ORDER BY id'), before.contacts);
    assert.equal(sql(server.db, 'SELECT * FROM messages ORDER BY id'), before.messages);
    assert.equal(sql(server.db, 'PRAGMA foreign_key_check'), '');
    assert.deepEqual(JSON.parse(sql(server.db, "SELECT id, seq FROM payments WHERE contact = 'c-x' ORDER BY seq")),
      [{ id: 'pay-z', seq: 1 }, { id: 'pay-a', seq: 2 }]);
    // Migration 6: voice contacts fit (the channel CHECK was widened), with their call columns.
    const columns = JSON.parse(sql(server.db, 'PRAGMA table_info(contacts)')).map((c) => c.name);
    assert.ok(columns.includes('call_direction') && columns.includes('callback'));
    const one = JSON.parse(before.contacts)[0];
    sql(server.db, `INSERT INTO contacts (id, channel, state, queue, customer, rank, created_at, call_direction)
      VALUES ('c-voice-mig', 'voice', 'closed', '${one.queue}', '${one.customer}', 1, 1, 'inbound')`);
    sql(server.db, "DELETE FROM contacts WHERE id = 'c-voice-mig'");
    const indexes = JSON.parse(sql(server.db, "SELECT name FROM sqlite_master WHERE type = 'index' AND tbl_name = 'contacts' AND name NOT LIKE 'sqlite_%' ORDER BY name"));
    assert.deepEqual(indexes.map((r) => r.name), ['contacts_by_agent', 'contacts_by_customer', 'contacts_by_state']);
    // The resumed customer still has the conversation.
    const again = await ChatCustomer.connect(server.url);
    const r = await again.call({ type: 'resume', token: chat.token }, ['resumed', 'error']);
    assert.equal(r.type, 'resumed');
    assert.deepEqual(r.messages.map((m) => m.text), ['first words', 'an answer']);
    await again.close();
  } finally { await server.stop(); }
});
