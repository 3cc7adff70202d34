// demo_seed.cpp: demo agents, reason codes and queues (see demo_seed.h).
#include "demo_seed.h"

#include "auth.h"
#include "verification.h"

namespace sbd {

sb::Result<bool> seed_demo_data(Store& store, int64_t now) {
    auto any = store.has_agents();
    if (!any) return any.error();
    if (any.value()) return false;

    struct DemoAgent { const char* username; const char* display_name; };
    const DemoAgent agents[] = {{"alice", "Alice Moreau"}, {"bob", "Bob Okafor"}, {"carol", "Carol Nguyen"}};
    for (const DemoAgent& a : agents) {
        auto hash = hash_password("switchboard");
        if (!hash) return hash.error();
        if (auto st = store.add_agent(a.username, a.display_name, hash.value(), now); !st) return st.error();
    }
    // A supervisor (same password), who may read the audit log (docs/security.md).
    {
        auto hash = hash_password("switchboard");
        if (!hash) return hash.error();
        if (auto st = store.add_agent("sam", "Sam Patel", hash.value(), now); !st) return st.error();
        if (auto st = store.database().exec("UPDATE agents SET role = 'supervisor' WHERE username = 'sam';"); !st)
            return st.error();
    }

    const std::pair<const char*, const char*> reasons[] = {
        {"break", "Break"}, {"lunch", "Lunch"},       {"training", "Training"},
        {"meeting", "Meeting"}, {"coaching", "Coaching"}, {"admin", "Admin work"}};
    int64_t position = 0;
    for (const auto& [code, label] : reasons)
        if (auto st = store.add_reason_code(code, label, position++); !st) return st.error();

    if (auto st = store.add_queue("support", "7001"); !st) return st.error();
    if (auto st = store.add_queue("sales", "7002"); !st) return st.error();
    return true;
}

}  // namespace sbd

namespace sbd {

namespace {
constexpr int64_t kDay = 24LL * 60 * 60 * 1000;
}

sb::Result<bool> seed_contact_demo_data(Store& store, int64_t now) {
    Database& db = store.database();
    auto any = db.prepare("SELECT COUNT(*) FROM dispositions;");
    if (!any) return any.error();
    if (auto row = any.value().step(); !row) return row.error();
    if (any.value().column_int(0) > 0) return false;

    auto ago = [&](int64_t days) { return std::to_string(now - days * kDay); };
    std::string sql = R"sql(
INSERT OR IGNORE INTO queues (name, number) VALUES ('support', '7001'), ('sales', '7002');
UPDATE queues SET label = 'Customer support', skill = 'support', is_default = 1, position = 0 WHERE name = 'support';
UPDATE queues SET label = 'Sales', skill = 'sales', is_default = 0, position = 1 WHERE name = 'sales';
INSERT INTO dispositions (queue, code, label, position) VALUES
  ('support', 'resolved', 'Resolved', 0), ('support', 'follow_up', 'Follow-up needed', 1),
  ('support', 'escalated', 'Escalated', 2), ('support', 'no_action', 'No action', 3),
  ('sales', 'sale', 'Sale made', 0), ('sales', 'resolved', 'Resolved', 1),
  ('sales', 'follow_up', 'Follow-up needed', 2), ('sales', 'escalated', 'Escalated', 3),
  ('sales', 'no_action', 'No action', 4);
INSERT OR IGNORE INTO agent_skills (agent, skill)
  SELECT username, 'support' FROM agents WHERE username IN ('alice', 'bob')
  UNION ALL SELECT username, 'sales' FROM agents WHERE username IN ('alice', 'carol');
INSERT OR IGNORE INTO agent_capacity (agent, channel, capacity)
  SELECT username, 'voice', 1 FROM agents UNION ALL SELECT username, 'chat', 3 FROM agents
  UNION ALL SELECT username, 'sms', 3 FROM agents;
INSERT OR IGNORE INTO customers (id, first_name, last_name, phone, chat_identity, email, notes, created_at) VALUES
  ('cu-1001', 'Marcus', 'Lee', '+15550100001', NULL, 'marcus.lee@example.com',
   'Prefers SMS. Ask before calling.', )sql" + ago(400) + R"sql(),
  ('cu-1002', 'Dana', 'Whitfield', '+15550100002', 'dana@example.com', 'dana@example.com',
   'Long-time customer; had a billing dispute in spring.', )sql" + ago(900) + R"sql(),
  ('cu-1003', 'Priya', 'Raman', '+15550100003', NULL, 'priya.raman@example.com', '', )sql" + ago(60) + R"sql();
INSERT OR IGNORE INTO accounts (id, customer, plan, status, balance_cents, opened_at) VALUES
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
INSERT OR IGNORE INTO canned_responses (id, title, text, position) VALUES
  ('greeting', 'Greeting', 'Hi {customer.first_name}, this is {agent.display_name}. How can I help you today?', 0),
  ('one_moment', 'One moment', 'Thanks, {customer.first_name}. Give me a moment while I look into that.', 1),
  ('order_status', 'Order status', 'I can see your order. It shipped and should arrive within 2 business days.', 2),
  ('return', 'Return instructions', 'You can return it within 30 days. I will email you a prepaid return label.', 3),
  ('anything_else', 'Anything else?', 'Is there anything else I can help you with, {customer.first_name}?', 4),
  ('closing', 'Closing', 'Thank you for contacting us, {customer.first_name}. Have a great day! - {agent.display_name}', 5);
)sql";
    Transaction tx(db);
    if (!tx.begun()) return tx.begun().error();
    if (auto st = db.exec(sql); !st) return st.error();
    if (auto st = tx.commit(); !st) return st.error();
    return true;
}

}  // namespace sbd

namespace sbd {

sb::Result<bool> seed_mfa_demo_data(Store& store, int64_t now) {
    auto alice = store.find_agent("alice");
    if (!alice) return alice.error();
    auto erin = store.find_agent("erin");
    if (!erin) return erin.error();
    if (!alice.value() || erin.value()) return false;
    Database& db = store.database();
    Transaction tx(db);
    if (!tx.begun()) return tx.begun().error();
    // The first demo agents keep working without an authenticator (every existing test uses them).
    if (auto st = db.exec("INSERT OR IGNORE INTO agent_mfa (agent, policy) SELECT username, 'off' FROM agents "
                          "WHERE username IN ('alice', 'bob', 'carol', 'sam');");
        !st)
        return st.error();
    auto hash = hash_password("switchboard");
    if (!hash) return hash.error();
    if (auto st = store.add_agent("erin", "Erin Castillo", hash.value(), now); !st) return st.error();
    if (auto st = store.set_mfa_policy("erin", "required"); !st) return st.error();
    if (auto st = db.exec("INSERT OR IGNORE INTO agent_skills (agent, skill) VALUES ('erin', 'support');"); !st)
        return st.error();
    if (auto st = tx.commit(); !st) return st.error();
    return true;
}

}  // namespace sbd

namespace sbd {

sb::Result<bool> seed_verification_demo_data(Store& store) {
    Database& db = store.database();
    auto any = db.prepare("SELECT (SELECT COUNT(*) FROM verification_policies), (SELECT COUNT(*) FROM queues);");
    if (!any) return any.error();
    if (auto row = any.value().step(); !row) return row.error();
    if (any.value().column_int(0) > 0 || any.value().column_int(1) == 0) return false;
    struct Demo { const char* id; const char* dob; const char* address; const char* postcode; const char* phrase; };
    const Demo customers[] = {
        {"cu-1001", "1984-03-07", "14 Harbour Road, Bristol", "BS1 5TY", "blue whale"},
        {"cu-1002", "1979-11-23", "221 Elm Street, Springfield, IL", "62704", "autumn leaves"},
        {"cu-1003", "1991-06-15", "9 Mill Lane, Cambridge", "CB2 1RX", "paper lantern"},
    };
    std::string sql = R"sql(
INSERT OR IGNORE INTO verification_policies (queue, steps, required, attempts, max_failures, lock_ms)
  SELECT name, 'dob,postcode,sms_code,caller_number', 2, 3, 5, 1800000 FROM queues WHERE name = 'support'
  UNION ALL SELECT name, 'account_last4,security_phrase,caller_number', 2, 3, 5, 1800000 FROM queues WHERE name = 'sales';
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
