// demo_seed.cpp: the starter configuration and the demo (see demo_seed.h).
#include "server/store/demo_seed.h"

#include "server/accounts/auth.h"
#include "server/verify/verification.h"

namespace sbd {

namespace {

constexpr int64_t kDay = 24LL * 60 * 60 * 1000;

// The first column of the first row of `sql` (a COUNT).
sb::Result<int64_t> count(Database& db, const char* sql) {
    auto q = db.prepare(sql);
    if (!q) return q.error();
    if (auto row = q.value().step(); !row) return row.error();
    return q.value().column_int(0);
}

// The demo agents' password ("switchboard", README.md) as one Argon2id hash, made once: every
// demo agent has the same known password, so one salt among them hides nothing, and each hash
// costs about 0.2 s (the test suites start a demo server a few hundred times).
sb::Result<std::string> demo_password_hash() {
    static const sb::Result<std::string> hash = hash_password("switchboard");
    return hash;
}

sb::Result<bool> is_demo_database(Store& store) {
    auto alice = store.find_agent("alice");
    if (!alice) return alice.error();
    return alice.value().has_value();
}

}  // namespace

sb::Result<std::vector<std::string>> seed_database(Store& store, int64_t now, bool demo) {
    std::vector<std::string> seeded;
    auto starter = seed_starter_configuration(store);
    if (!starter) return starter.error();
    if (starter.value()) seeded.push_back("seeded the starter configuration: reason codes, queues, dispositions, "
                                          "verification policies, canned responses");
    if (!demo) return seeded;
    struct Part { sb::Result<bool> (*run)(Store&, int64_t); const char* line; };
    const Part parts[] = {
        {seed_demo_data, "seeded demo agents alice, bob, carol and supervisor sam"},
        {seed_mfa_demo_data, "seeded demo agent erin (second factor required)"},
        {seed_contact_demo_data, "seeded demo customers, skills and capacities"},
        {[](Store& s, int64_t) { return seed_verification_demo_data(s); }, "seeded the demo customers' verification data"},
    };
    for (const Part& part : parts) {
        auto done = part.run(store, now);
        if (!done) return done.error();
        if (done.value()) seeded.push_back(part.line);
    }
    return seeded;
}

sb::Result<bool> seed_starter_configuration(Store& store) {
    Database& db = store.database();
    auto reasons = count(db, "SELECT COUNT(*) FROM reason_codes WHERE system = 0;");
    if (!reasons) return reasons.error();
    auto queues = count(db, "SELECT COUNT(*) FROM queues;");
    if (!queues) return queues.error();
    auto dispositions = count(db, "SELECT COUNT(*) FROM dispositions;");
    if (!dispositions) return dispositions.error();
    auto policies = count(db, "SELECT COUNT(*) FROM verification_policies;");
    if (!policies) return policies.error();
    auto canned = count(db, "SELECT COUNT(*) FROM canned_responses;");
    if (!canned) return canned.error();

    std::string sql;
    if (reasons.value() == 0)
        sql += R"sql(
INSERT INTO reason_codes (code, label, position) VALUES ('break', 'Break', 0), ('lunch', 'Lunch', 1),
  ('training', 'Training', 2), ('meeting', 'Meeting', 3), ('coaching', 'Coaching', 4), ('admin', 'Admin work', 5);
)sql";
    if (queues.value() == 0)
        sql += "INSERT INTO queues (name, number) VALUES ('support', '7001'), ('sales', '7002');\n";
    // A database from before contacts has its queues but not their details (migration 2).
    if (dispositions.value() == 0)
        sql += R"sql(
UPDATE queues SET label = 'Customer support', skill = 'support', is_default = 1, position = 0 WHERE name = 'support';
UPDATE queues SET label = 'Sales', skill = 'sales', is_default = 0, position = 1 WHERE name = 'sales';
INSERT INTO dispositions (queue, code, label, position)
  SELECT name, d.code, d.label, d.position FROM queues, (
    SELECT 'resolved' AS code, 'Resolved' AS label, 0 AS position UNION ALL SELECT 'follow_up', 'Follow-up needed', 1
    UNION ALL SELECT 'escalated', 'Escalated', 2 UNION ALL SELECT 'no_action', 'No action', 3) d
  WHERE name = 'support';
INSERT INTO dispositions (queue, code, label, position)
  SELECT name, d.code, d.label, d.position FROM queues, (
    SELECT 'sale' AS code, 'Sale made' AS label, 0 AS position UNION ALL SELECT 'resolved', 'Resolved', 1
    UNION ALL SELECT 'follow_up', 'Follow-up needed', 2 UNION ALL SELECT 'escalated', 'Escalated', 3
    UNION ALL SELECT 'no_action', 'No action', 4) d
  WHERE name = 'sales';
)sql";
    if (policies.value() == 0)
        sql += R"sql(
INSERT INTO verification_policies (queue, steps, required, attempts, max_failures, lock_ms)
  SELECT name, 'dob,postcode,sms_code,caller_number', 2, 3, 5, 1800000 FROM queues WHERE name = 'support'
  UNION ALL SELECT name, 'account_last4,security_phrase,caller_number', 2, 3, 5, 1800000 FROM queues WHERE name = 'sales';
)sql";
    if (canned.value() == 0)
        sql += R"sql(
INSERT INTO canned_responses (id, title, text, position) VALUES
  ('greeting', 'Greeting', 'Hi {customer.first_name}, this is {agent.display_name}. How can I help you today?', 0),
  ('one_moment', 'One moment', 'Thanks, {customer.first_name}. Give me a moment while I look into that.', 1),
  ('order_status', 'Order status', 'I can see your order. It shipped and should arrive within 2 business days.', 2),
  ('return', 'Return instructions', 'You can return it within 30 days. I will email you a prepaid return label.', 3),
  ('anything_else', 'Anything else?', 'Is there anything else I can help you with, {customer.first_name}?', 4),
  ('closing', 'Closing', 'Thank you for contacting us, {customer.first_name}. Have a great day! - {agent.display_name}', 5);
)sql";
    if (sql.empty()) return false;
    Transaction tx(db);
    if (!tx.begun()) return tx.begun().error();
    if (auto st = db.exec(sql); !st) return st.error();
    if (auto st = tx.commit(); !st) return st.error();
    return true;
}

sb::Result<bool> seed_demo_data(Store& store, int64_t now) {
    auto any = store.has_agents();
    if (!any) return any.error();
    if (any.value()) return false;
    if (auto st = seed_starter_configuration(store); !st) return st.error();

    struct DemoAgent { const char* username; const char* display_name; const char* role; };
    // sam is a supervisor, who may read the audit log (docs/security.md).
    const DemoAgent agents[] = {{"alice", "Alice Moreau", "agent"}, {"bob", "Bob Okafor", "agent"},
                                {"carol", "Carol Nguyen", "agent"}, {"sam", "Sam Patel", "supervisor"}};
    for (const DemoAgent& a : agents) {
        auto hash = demo_password_hash();
        if (!hash) return hash.error();
        if (auto st = store.create_agent({a.username, a.display_name, hash.value(), a.role, {}}, now); !st)
            return st.error();
    }
    return true;
}

sb::Result<bool> seed_contact_demo_data(Store& store, int64_t now) {
    Database& db = store.database();
    auto demo = is_demo_database(store);
    if (!demo) return demo.error();
    auto customers = count(db, "SELECT COUNT(*) FROM customers;");
    if (!customers) return customers.error();
    if (!demo.value() || customers.value() > 0) return false;

    auto ago = [&](int64_t days) { return std::to_string(now - days * kDay); };
    std::string sql = R"sql(
INSERT INTO agent_skills (agent, skill)
  SELECT username, 'support' FROM agents WHERE username IN ('alice', 'bob')
  UNION ALL SELECT username, 'sales' FROM agents WHERE username IN ('alice', 'carol')
  ON CONFLICT DO NOTHING;
INSERT INTO agent_capacity (agent, channel, capacity)
  SELECT username, 'voice', 1 FROM agents UNION ALL SELECT username, 'chat', 3 FROM agents
  UNION ALL SELECT username, 'sms', 3 FROM agents WHERE true  -- (WHERE: so ON is not read as a join's)
  ON CONFLICT DO NOTHING;
INSERT INTO customers (id, first_name, last_name, phone, chat_identity, email, notes, created_at) VALUES
  ('cu-1001', 'Marcus', 'Lee', '+15550100001', NULL, 'marcus.lee@example.com',
   'Prefers SMS. Ask before calling.', )sql" + ago(400) + R"sql(),
  ('cu-1002', 'Dana', 'Whitfield', '+15550100002', 'dana@example.com', 'dana@example.com',
   'Long-time customer; had a billing dispute in spring.', )sql" + ago(900) + R"sql(),
  ('cu-1003', 'Priya', 'Raman', '+15550100003', NULL, 'priya.raman@example.com', '', )sql" + ago(60) + R"sql();
INSERT INTO accounts (id, customer, plan, status, balance_cents, opened_at) VALUES
  ('AC-20417', 'cu-1001', 'Home Fibre 500', 'active', 4599, )sql" + ago(400) + R"sql(),
  ('AC-11872', 'cu-1002', 'Business Pro', 'active', 0, )sql" + ago(900) + R"sql(),
  ('AC-11873', 'cu-1002', 'Mobile Plus', 'suspended', 2350, )sql" + ago(300) + R"sql(),
  ('AC-30551', 'cu-1003', 'Home Fibre 100', 'active', 2999, )sql" + ago(60) + R"sql();
INSERT INTO interactions (customer, contact, channel, at, queue, disposition, notes, agent) VALUES
  ('cu-1001', 'hist-1', 'sms', )sql" + ago(21) + R"sql(, 'support', 'resolved', 'Router reboot fixed the outage.', 'bob'),
  ('cu-1001', 'hist-2', 'voice', )sql" + ago(3) + R"sql(, 'support', 'follow_up', 'Invoice shows a double charge; refund requested from billing.', 'alice'),
  ('cu-1002', 'hist-3', 'chat', )sql" + ago(45) + R"sql(, 'sales', 'sale', 'Upgraded to Business Pro.', 'carol'),
  ('cu-1002', 'hist-4', 'chat', )sql" + ago(8) + R"sql(, 'support', 'escalated', 'Mobile line suspended for non-payment; disputes the late fee.', 'alice'),
  ('cu-1003', 'hist-5', 'voice', )sql" + ago(30) + R"sql(, 'sales', 'sale', 'New Home Fibre 100 order.', 'carol');
)sql";
    Transaction tx(db);
    if (!tx.begun()) return tx.begun().error();
    if (auto st = db.exec(sql); !st) return st.error();
    if (auto st = tx.commit(); !st) return st.error();
    return true;
}

sb::Result<bool> seed_mfa_demo_data(Store& store, int64_t now) {
    auto demo = is_demo_database(store);
    if (!demo) return demo.error();
    auto erin = store.find_agent("erin");
    if (!erin) return erin.error();
    if (!demo.value() || erin.value()) return false;
    Database& db = store.database();
    // The first demo agents keep working without an authenticator (every existing test uses them).
    if (auto st = db.exec("INSERT INTO agent_mfa (agent, policy) SELECT username, 'off' FROM agents "
                          "WHERE username IN ('alice', 'bob', 'carol', 'sam') ON CONFLICT DO NOTHING;");
        !st)
        return st.error();
    auto hash = demo_password_hash();
    if (!hash) return hash.error();
    if (auto st = store.create_agent({"erin", "Erin Castillo", hash.value(), "agent", {"support"}}, now); !st)
        return st.error();
    if (auto st = store.set_mfa_policy("erin", "required"); !st) return st.error();
    return true;
}

sb::Result<bool> seed_verification_demo_data(Store& store) {
    Database& db = store.database();
    auto pending = count(db, "SELECT COUNT(*) FROM customers WHERE id = 'cu-1001' AND date_of_birth IS NULL;");
    if (!pending) return pending.error();
    if (pending.value() == 0) return false;
    struct Demo { const char* id; const char* dob; const char* address; const char* postcode; const char* phrase; };
    const Demo customers[] = {
        {"cu-1001", "1984-03-07", "14 Harbour Road, Bristol", "BS1 5TY", "blue whale"},
        {"cu-1002", "1979-11-23", "221 Elm Street, Springfield, IL", "62704", "autumn leaves"},
        {"cu-1003", "1991-06-15", "9 Mill Lane, Cambridge", "CB2 1RX", "paper lantern"},
    };
    std::string sql = R"sql(
UPDATE accounts SET number = '40020417' WHERE id = 'AC-20417' AND number IS NULL;
UPDATE accounts SET number = '30011872' WHERE id = 'AC-11872' AND number IS NULL;
UPDATE accounts SET number = '30011873' WHERE id = 'AC-11873' AND number IS NULL;
UPDATE accounts SET number = '50030551' WHERE id = 'AC-30551' AND number IS NULL;
-- A stored card for Marcus Lee (payments, migration 11): token, brand, last four, expiry only.
INSERT INTO payment_methods (customer, token, brand, last4, exp_month, exp_year, created_at)
  SELECT 'cu-1001', 'tok_demo_marcus_visa', 'visa', '4242', 8, 2029, 0
  WHERE EXISTS (SELECT 1 FROM customers WHERE id = 'cu-1001')
    AND NOT EXISTS (SELECT 1 FROM payment_methods WHERE customer = 'cu-1001');
)sql";
    Transaction tx(db);
    if (!tx.begun()) return tx.begun().error();
    if (auto st = db.exec(sql); !st) return st.error();
    for (const Demo& d : customers) {
        auto hash = hash_security_phrase(d.phrase);
        if (!hash) return hash.error();
        auto q = db.prepare("UPDATE customers SET date_of_birth = ?, address = ?, postcode = ?, security_phrase_hash = ? "
                            "WHERE id = ? AND date_of_birth IS NULL;");
        if (!q) return q.error();
        q.value().bind(1, d.dob).bind(2, d.address).bind(3, d.postcode).bind(4, hash.value()).bind(5, d.id);
        if (auto st = q.value().run(); !st) return st.error();
    }
    if (auto st = tx.commit(); !st) return st.error();
    return true;
}

}  // namespace sbd
