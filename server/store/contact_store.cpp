// contact_store.cpp: contacts, transcripts and the CRM tables in SQLite (see contact_store.h).
#include "server/store/contact_store.h"

#include <iterator>

#include "server/store/change_feed.h"
#include "server/store/rows.h"

#include "protocol/schema.h"

namespace sbd {

using json = nlohmann::json;
using sb::Ok;
using sb::Result;
using sb::Status;
namespace code = sb::protocol::code;

namespace {

const std::map<Channel, int> kDefaultCapacity = {{Channel::Voice, 1}, {Channel::Chat, 3}, {Channel::Sms, 3}};

using rows::bind_text;
using rows::collect;
using rows::opt_int;
using rows::opt_text;

constexpr const char* kCustomerColumns = "id, first_name, last_name, phone, chat_identity, email, notes";

CustomerRecord read_customer(const Statement& st) {
    CustomerRecord c;
    c.id = st.column_text(0);
    c.first_name = st.column_text(1);
    c.last_name = st.column_text(2);
    c.phone = opt_text(st, 3);
    c.chat_identity = opt_text(st, 4);
    c.email = opt_text(st, 5);
    c.notes = st.column_text(6);
    return c;
}

// The fields save_contact writes, in bind_fields' order (then id, then version).
constexpr const char* kContactFields[] = {
    "channel", "state", "queue", "customer", "agent", "rank", "created_at", "offer_expires_at", "accepted_at",
    "ended_at", "ended_by", "acw_expires_at", "closed_at", "transfer_from", "transfer_note", "target_agent",
    "disposition", "notes", "tags", "customer_address", "service_address", "chat_token_hash", "call_direction",
    "callback", "claimed_customer"};
constexpr int kContactFieldCount = static_cast<int>(std::size(kContactFields));

constexpr const char* kContactColumns =
    "id, channel, state, queue, customer, agent, rank, created_at, offer_expires_at, accepted_at, ended_at, "
    "ended_by, acw_expires_at, closed_at, transfer_from, transfer_note, target_agent, disposition, notes, tags, "
    "customer_address, service_address, chat_token_hash, call_direction, callback, claimed_customer, version";

Result<ContactRecord> read_contact(const Statement& st) {
    ContactRecord c;
    c.id = st.column_text(0);
    auto channel = sb::contact::parse_channel(st.column_text(1));
    auto state = sb::contact::parse_contact_state(st.column_text(2));
    if (!channel || !state)
        return sb::make_error(code::internal, "contact " + c.id + " has an unknown channel or state in the database");
    c.channel = *channel;
    c.state = *state;
    c.queue = st.column_text(3);
    c.customer = st.column_text(4);
    c.agent = opt_text(st, 5);
    c.rank = st.column_int(6);
    c.created_at = st.column_int(7);
    c.offer_expires_at = opt_int(st, 8);
    c.accepted_at = opt_int(st, 9);
    c.ended_at = opt_int(st, 10);
    if (auto by = opt_text(st, 11)) {
        c.ended_by = sb::contact::parse_sender(*by);
        if (!c.ended_by) return sb::make_error(code::internal, "contact " + c.id + " has an unknown ended_by in the database");
    }
    c.acw_expires_at = opt_int(st, 12);
    c.closed_at = opt_int(st, 13);
    c.transfer_from = opt_text(st, 14);
    c.transfer_note = opt_text(st, 15);
    c.target_agent = opt_text(st, 16);
    c.disposition = opt_text(st, 17);
    c.notes = st.column_text(18);
    c.tags = json::parse(st.column_text(19), nullptr, false);
    if (!c.tags.is_array()) c.tags = json::array();
    c.customer_address = opt_text(st, 20);
    c.service_address = opt_text(st, 21);
    c.chat_token_hash = opt_text(st, 22);
    c.call_direction = opt_text(st, 23);
    c.callback = st.column_int(24) != 0;
    c.claimed_customer = opt_text(st, 25);
    c.version = st.column_int(26);
    return c;
}

constexpr const char* kMessageColumns = "id, contact, seq, sender, text, at, agent, status, segments, client_id";

Result<MessageRecord> read_message(const Statement& st) {
    MessageRecord m;
    m.id = st.column_text(0);
    m.contact = st.column_text(1);
    m.seq = st.column_int(2);
    auto from = sb::contact::parse_sender(st.column_text(3));
    auto status = sb::contact::parse_message_status(st.column_text(7));
    if (!from || !status)
        return sb::make_error(code::internal, "message " + m.id + " has an unknown sender or status in the database");
    m.from = *from;
    m.status = *status;
    m.text = st.column_text(4);
    m.at = st.column_int(5);
    m.agent = opt_text(st, 6);
    m.segments = opt_int(st, 8);
    m.client_id = opt_text(st, 9);
    return m;
}

using rows::first;

}  // namespace

// ---- queues and agents ---------------------------------------------------------------------------
Result<std::vector<QueueRecord>> ContactStore::queues() {
    auto q = db_.prepare("SELECT name, label, number, skill, is_default FROM queues ORDER BY position, name;");
    if (!q) return q.error();
    auto list = collect<QueueRecord>(q.value(), [](const Statement& st) {
        QueueRecord r;
        r.code = st.column_text(0);
        r.name = st.column_text(1).empty() ? r.code : st.column_text(1);
        r.number = opt_text(st, 2);
        r.skill = st.column_text(3).empty() ? r.code : st.column_text(3);
        r.is_default = st.column_int(4) != 0;
        return r;
    });
    if (!list) return list.error();
    auto d = db_.prepare("SELECT queue, code, label FROM dispositions ORDER BY queue, position, code;");
    if (!d) return d.error();
    for (;;) {
        auto row = d.value().step();
        if (!row) return row.error();
        if (!row.value()) break;
        std::string queue = d.value().column_text(0);
        for (QueueRecord& r : list.value())
            if (r.code == queue) r.dispositions.push_back({d.value().column_text(1), d.value().column_text(2)});
    }
    return list;
}

Result<std::map<std::string, AgentRouting>> ContactStore::agent_routing() {
    std::map<std::string, AgentRouting> out;
    auto a = db_.prepare("SELECT username FROM agents;");
    if (!a) return a.error();
    for (;;) {
        auto row = a.value().step();
        if (!row) return row.error();
        if (!row.value()) break;
        out[a.value().column_text(0)].capacity = kDefaultCapacity;
    }
    auto s = db_.prepare("SELECT agent, skill FROM agent_skills;");
    if (!s) return s.error();
    for (;;) {
        auto row = s.value().step();
        if (!row) return row.error();
        if (!row.value()) break;
        out[s.value().column_text(0)].skills.insert(s.value().column_text(1));
    }
    auto c = db_.prepare("SELECT agent, channel, capacity FROM agent_capacity;");
    if (!c) return c.error();
    for (;;) {
        auto row = c.value().step();
        if (!row) return row.error();
        if (!row.value()) break;
        // (the table's CHECK admits only the three channels)
        if (auto channel = sb::contact::parse_channel(c.value().column_text(1)))
            out[c.value().column_text(0)].capacity[*channel] = static_cast<int>(c.value().column_int(2));
    }
    return out;
}

// ---- customers -----------------------------------------------------------------------------------
Result<std::optional<CustomerRecord>> ContactStore::find_customer(const std::string& id) {
    auto q = db_.prepare(std::string("SELECT ") + kCustomerColumns + " FROM customers WHERE id = ?;");
    if (!q) return q.error();
    q.value().bind(1, id);
    return first<CustomerRecord>(q.value(), read_customer);
}

Result<std::optional<CustomerRecord>> ContactStore::find_customer_by_phone(const std::string& e164) {
    auto q = db_.prepare(std::string("SELECT ") + kCustomerColumns + " FROM customers WHERE phone = ?;");
    if (!q) return q.error();
    q.value().bind(1, e164);
    return first<CustomerRecord>(q.value(), read_customer);
}

Result<std::optional<CustomerRecord>> ContactStore::find_claimed_customer(const std::string& email) {
    // Whoever chats as this address (an older version's chat record), else whoever has it as
    // their email and no chat identity; never a chat's own record ("guest-…@chat").
    auto q = db_.prepare(std::string("SELECT ") + kCustomerColumns +
                         " FROM customers WHERE (chat_identity = ? OR (lower(email) = lower(?) AND chat_identity IS NULL)) "
                         "AND (chat_identity IS NULL OR chat_identity NOT LIKE 'guest-%@chat') "
                         "ORDER BY chat_identity IS NULL, created_at, id LIMIT 1;");
    if (!q) return q.error();
    q.value().bind(1, email).bind(2, email);
    return first<CustomerRecord>(q.value(), read_customer);
}

Status ContactStore::save_customer(const CustomerRecord& c, int64_t now) {
    auto q = db_.prepare(
        "INSERT INTO customers (id, first_name, last_name, phone, chat_identity, email, notes, created_at) "
        "VALUES (?, ?, ?, ?, ?, ?, ?, ?) ON CONFLICT (id) DO UPDATE SET first_name = excluded.first_name, "
        "last_name = excluded.last_name, phone = excluded.phone, chat_identity = excluded.chat_identity, "
        "email = excluded.email, notes = excluded.notes;");
    if (!q) return q.error();
    Statement& st = q.value();
    st.bind(1, c.id).bind(2, c.first_name).bind(3, c.last_name);
    bind_text(st, 4, c.phone);
    bind_text(st, 5, c.chat_identity);
    bind_text(st, 6, c.email);
    st.bind(7, c.notes).bind(8, now);
    return st.run();
}

Result<std::vector<InteractionRecord>> ContactStore::history(const std::string& customer) {
    auto q = db_.prepare(
        "SELECT contact, channel, at, queue, disposition, notes, agent FROM interactions WHERE customer = ? "
        "ORDER BY at DESC, id DESC LIMIT 50;");
    if (!q) return q.error();
    q.value().bind(1, customer);
    return collect<InteractionRecord>(q.value(), [](const Statement& st) {
        return InteractionRecord{st.column_text(0), st.column_text(1), st.column_int(2), st.column_text(3),
                                 opt_text(st, 4), st.column_text(5), opt_text(st, 6)};
    });
}

// ---- contacts ------------------------------------------------------------------------------------
namespace {
// The contact's fields (kContactFields' order) bound from `at` on.
void bind_fields(Statement& st, const ContactRecord& c, int at) {
    st.bind(at, to_string(c.channel)).bind(at + 1, to_string(c.state)).bind(at + 2, c.queue).bind(at + 3, c.customer);
    bind_text(st, at + 4, c.agent);
    st.bind(at + 5, c.rank).bind(at + 6, c.created_at).bind(at + 7, c.offer_expires_at).bind(at + 8, c.accepted_at);
    st.bind(at + 9, c.ended_at);
    if (c.ended_by) st.bind(at + 10, to_string(*c.ended_by));
    else st.bind(at + 10, std::optional<int64_t>{});
    st.bind(at + 11, c.acw_expires_at).bind(at + 12, c.closed_at);
    bind_text(st, at + 13, c.transfer_from);
    bind_text(st, at + 14, c.transfer_note);
    bind_text(st, at + 15, c.target_agent);
    bind_text(st, at + 16, c.disposition);
    st.bind(at + 17, c.notes).bind(at + 18, sb::protocol::to_text(c.tags));
    bind_text(st, at + 19, c.customer_address);
    bind_text(st, at + 20, c.service_address);
    bind_text(st, at + 21, c.chat_token_hash);
    bind_text(st, at + 22, c.call_direction);
    st.bind(at + 23, int64_t{c.callback ? 1 : 0});
    bind_text(st, at + 24, c.claimed_customer);
}
}  // namespace

Result<int64_t> ContactStore::save_contact(const ContactRecord& c) {
    // The row and its announcement (change_feed.h) commit together.
    Transaction tx(db_);
    if (!tx.begun()) return tx.begun().error();
    auto version = write_contact(c);
    if (!version) return version;
    if (auto st = db_.announce(feed::contacts, c.id); !st) return st.error();
    if (auto st = tx.commit(); !st) return st.error();
    return version;
}

Result<int64_t> ContactStore::offer_contact(const ContactRecord& c, int capacity, int64_t now, int64_t known_last_offer,
                                            int64_t* offered_at) {
    Transaction tx(db_);
    if (!tx.begun()) return tx.begun().error();
    if (!c.agent) return sb::make_error(code::internal, "an offer of contact " + c.id + " names no agent");
    // The agent's row first: an offer made meanwhile by another node waits here until it commits,
    // and the count below (a statement of its own, so it sees what committed) includes it.
    {
        auto lock = db_.prepare("UPDATE agents SET last_offer_at = ? WHERE username = ? AND state = 'available' "
                                "AND COALESCE(last_offer_at, 0) <= ? RETURNING username;");
        if (!lock) return lock.error();
        lock.value().bind(1, now).bind(2, *c.agent).bind(3, known_last_offer);
        auto held = lock.value().step();
        if (!held) return held.error();
        if (!held.value()) {
            auto why = db_.prepare("SELECT state, COALESCE(last_offer_at, 0) FROM agents WHERE username = ?;");
            if (!why) return why.error();
            why.value().bind(1, *c.agent);
            auto row = why.value().step();
            if (!row) return row.error();
            if (row.value() && why.value().column_text(0) == "available" && why.value().column_int(1) > known_last_offer) {
                if (offered_at) *offered_at = why.value().column_int(1);
                return sb::make_error(kAgentOfferedSince, "agent " + *c.agent + " was offered something since");
            }
            return sb::make_error(kAgentTaken, "agent " + *c.agent + " is no longer available");
        }
    }
    auto count = db_.prepare("SELECT COUNT(*) FROM contacts WHERE agent = ? AND channel = ? "
                             "AND state IN ('offered', 'active', 'wrap_up') AND id <> ?;");
    if (!count) return count.error();
    count.value().bind(1, *c.agent).bind(2, sb::contact::to_string(c.channel)).bind(3, c.id);
    if (auto row = count.value().step(); !row) return row.error();
    if (count.value().column_int(0) >= capacity)
        return sb::make_error(kAgentTaken, "agent " + *c.agent + " has no room for another " +
                                               std::string(sb::contact::to_string(c.channel)));
    auto version = write_contact(c);
    if (!version) return version;
    if (auto st = db_.announce(feed::contacts, c.id); !st) return st.error();
    if (auto st = tx.commit(); !st) return st.error();
    return version;
}

Result<std::map<std::string, int64_t>> ContactStore::last_offers() {
    auto q = db_.prepare("SELECT username, last_offer_at FROM agents WHERE last_offer_at IS NOT NULL;");
    if (!q) return q.error();
    std::map<std::string, int64_t> out;
    for (;;) {
        auto row = q.value().step();
        if (!row) return row.error();
        if (!row.value()) return out;
        out[q.value().column_text(0)] = q.value().column_int(1);
    }
}

Result<int64_t> ContactStore::write_contact(const ContactRecord& c) {
    if (c.version == 0) {  // a new contact
        static const std::string insert = [] {
            std::string cols = "id", values = "?";
            for (const char* f : kContactFields) cols += std::string(", ") + f, values += ", ?";
            return "INSERT INTO contacts (" + cols + ", version) VALUES (" + values + ", 1);";
        }();
        auto q = db_.prepare(insert);
        if (!q) return q.error();
        q.value().bind(1, c.id);
        bind_fields(q.value(), c, 2);
        if (auto st = q.value().run(); !st) return st.error();
        return int64_t{1};
    }
    // Only over the version this copy was read at: a change stored meanwhile is never overwritten.
    static const std::string update = [] {
        std::string s = "UPDATE contacts SET ";
        for (const char* f : kContactFields) s += std::string(f) + " = ?, ";
        return s + "version = version + 1 WHERE id = ? AND version = ? RETURNING version;";
    }();
    auto q = db_.prepare(update);
    if (!q) return q.error();
    Statement& st = q.value();
    bind_fields(st, c, 1);
    st.bind(kContactFieldCount + 1, c.id).bind(kContactFieldCount + 2, c.version);
    auto row = st.step();
    if (!row) return row.error();
    if (!row.value())
        return sb::make_error(kStaleContact, "contact " + c.id + " changed since it was read (version " +
                                                 std::to_string(c.version) + ")");
    int64_t version = st.column_int(0);
    if (auto done = st.step(); !done) return done.error();
    return version;
}

Status ContactStore::close_contact(const ContactRecord& c) {
    Transaction tx(db_);
    if (!tx.begun()) return tx.begun().error();
    if (auto saved = save_contact(c); !saved) return saved.error();
    auto q = db_.prepare(
        "INSERT INTO interactions (customer, contact, channel, at, queue, disposition, notes, agent) "
        "VALUES (?, ?, ?, ?, ?, ?, ?, ?);");
    if (!q) return q.error();
    Statement& st = q.value();
    st.bind(1, c.customer).bind(2, c.id).bind(3, to_string(c.channel)).bind(4, c.created_at).bind(5, c.queue);
    bind_text(st, 6, c.disposition);
    st.bind(7, c.notes);
    bind_text(st, 8, c.agent);
    if (auto r = st.run(); !r) return r;
    return tx.commit();
}

Result<std::optional<ContactRecord>> ContactStore::find_contact(const std::string& id) {
    auto q = db_.prepare(std::string("SELECT ") + kContactColumns + " FROM contacts WHERE id = ?;");
    if (!q) return q.error();
    q.value().bind(1, id);
    return first<ContactRecord>(q.value(), read_contact);
}

Result<std::string> ContactStore::claim_call_id(const std::string& call_id, const std::string& contact, int64_t now) {
    // A Call-ID whose contact is closed is free again: that call is over, and a question about it
    // now is a new call (a SIP peer that reuses Call-IDs, as the interop suite's SIPp does).
    auto q = db_.prepare("INSERT INTO call_ids (call_id, contact, created_at) VALUES (?, ?, ?) "
                         "ON CONFLICT (call_id) DO UPDATE SET contact = excluded.contact, "
                         "created_at = excluded.created_at WHERE call_ids.contact IN "
                         "(SELECT id FROM contacts WHERE state = 'closed') RETURNING contact;");
    if (!q) return q.error();
    q.value().bind(1, call_id).bind(2, contact).bind(3, now);
    auto row = q.value().step();
    if (!row) return row.error();
    if (row.value()) return contact;
    auto owner = db_.prepare("SELECT contact FROM call_ids WHERE call_id = ?;");
    if (!owner) return owner.error();
    owner.value().bind(1, call_id);
    auto found = owner.value().step();
    if (!found) return found.error();
    if (!found.value()) return sb::make_error(code::internal, "call " + call_id + " claimed and gone");
    return owner.value().column_text(0);
}

Status ContactStore::forget_call_ids(int64_t before) {
    auto q = db_.prepare("DELETE FROM call_ids WHERE created_at < ?;");
    if (!q) return q.error();
    return q.value().bind(1, before).run();
}

Result<std::optional<ContactRecord>> ContactStore::find_contact_by_token_hash(const std::string& hash) {
    auto q = db_.prepare(std::string("SELECT ") + kContactColumns + " FROM contacts WHERE chat_token_hash = ?;");
    if (!q) return q.error();
    q.value().bind(1, hash);
    return first<ContactRecord>(q.value(), read_contact);
}

Result<std::vector<ContactRecord>> ContactStore::open_contacts() {
    auto q = db_.prepare(std::string("SELECT ") + kContactColumns +
                         " FROM contacts WHERE state != 'closed' ORDER BY rank, created_at, id;");
    if (!q) return q.error();
    return collect<ContactRecord>(q.value(), read_contact);
}

// ---- messages ------------------------------------------------------------------------------------
Status ContactStore::add_message(const MessageRecord& m) {
    Transaction tx(db_);  // the row and its announcement (change_feed.h) together
    if (!tx.begun()) return tx.begun().error();
    auto q = db_.prepare(std::string("INSERT INTO messages (") + kMessageColumns +
                         ") VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, ?);");
    if (!q) return q.error();
    Statement& st = q.value();
    st.bind(1, m.id).bind(2, m.contact).bind(3, m.seq).bind(4, to_string(m.from)).bind(5, m.text).bind(6, m.at);
    bind_text(st, 7, m.agent);
    st.bind(8, to_string(m.status)).bind(9, m.segments);
    bind_text(st, 10, m.client_id);
    if (auto r = st.run(); !r) return r;
    if (auto r = db_.announce(feed::messages, m.id); !r) return r;
    return tx.commit();
}

Result<std::optional<MessageRecord>> ContactStore::find_message(const std::string& id) {
    auto q = db_.prepare(std::string("SELECT ") + kMessageColumns + " FROM messages WHERE id = ?;");
    if (!q) return q.error();
    q.value().bind(1, id);
    return first<MessageRecord>(q.value(), read_message);
}

Result<std::optional<MessageRecord>> ContactStore::find_message_by_client_id(const std::string& contact,
                                                                            Sender from,
                                                                            const std::string& client_id) {
    auto q = db_.prepare(std::string("SELECT ") + kMessageColumns +
                         " FROM messages WHERE contact = ? AND sender = ? AND client_id = ?;");
    if (!q) return q.error();
    q.value().bind(1, contact).bind(2, to_string(from)).bind(3, client_id);
    return first<MessageRecord>(q.value(), read_message);
}

Result<std::vector<MessageRecord>> ContactStore::messages(const std::string& contact) {
    auto q = db_.prepare(std::string("SELECT ") + kMessageColumns + " FROM messages WHERE contact = ? ORDER BY seq;");
    if (!q) return q.error();
    q.value().bind(1, contact);
    return collect<MessageRecord>(q.value(), read_message);
}

Result<std::vector<MessageRecord>> ContactStore::messages_after(const std::string& contact, int64_t after_seq,
                                                                int64_t limit) {
    auto q = db_.prepare(std::string("SELECT ") + kMessageColumns +
                         " FROM messages WHERE contact = ? AND seq > ? ORDER BY seq LIMIT ?;");
    if (!q) return q.error();
    q.value().bind(1, contact).bind(2, after_seq).bind(3, limit);
    return collect<MessageRecord>(q.value(), read_message);
}

Result<std::optional<MessageRecord>> ContactStore::last_message(const std::string& contact) {
    auto q = db_.prepare(std::string("SELECT ") + kMessageColumns +
                         " FROM messages WHERE contact = ? ORDER BY seq DESC LIMIT 1;");
    if (!q) return q.error();
    q.value().bind(1, contact);
    return first<MessageRecord>(q.value(), read_message);
}

Result<int64_t> ContactStore::next_message_seq(const std::string& contact) {
    // A counter on the contact's row, not MAX(seq) + 1: the update locks the row until the
    // caller's transaction ends, so two nodes adding to one transcript at once take turns.
    auto q = db_.prepare("UPDATE contacts SET message_seq = message_seq + 1 WHERE id = ? RETURNING message_seq;");
    if (!q) return q.error();
    q.value().bind(1, contact);
    auto row = q.value().step();
    if (!row) return row.error();
    if (!row.value()) return sb::make_error(code::internal, "no contact " + contact + " to add a message to");
    int64_t seq = q.value().column_int(0);
    if (auto done = q.value().step(); !done) return done.error();
    return seq;
}

Status ContactStore::update_customer_address(const std::string& id, const std::optional<std::string>& address,
                                            const std::optional<std::string>& postcode) {
    auto q = db_.prepare(
        "UPDATE customers SET address = COALESCE(?, address), postcode = COALESCE(?, postcode) WHERE id = ?;");
    if (!q) return q.error();
    bind_text(q.value(), 1, address);
    bind_text(q.value(), 2, postcode);
    q.value().bind(3, id);
    return q.value().run();
}

Status ContactStore::set_message_status(const std::string& id, MessageStatus status) {
    auto q = db_.prepare("UPDATE messages SET status = ? WHERE id = ?;");
    if (!q) return q.error();
    return q.value().bind(1, to_string(status)).bind(2, id).run();
}

Status ContactStore::add_outbound_sms(const MessageRecord& m) {
    Transaction tx(db_);
    if (!tx.begun()) return tx.begun().error();
    if (auto st = add_message(m); !st) return st;
    auto q = db_.prepare("INSERT INTO sms_pending (message) VALUES (?);");
    if (!q) return q.error();
    if (auto st = q.value().bind(1, m.id).run(); !st) return st;
    return tx.commit();
}

Status ContactStore::settle_sms(const std::string& id, MessageStatus status) {
    Transaction tx(db_);
    if (!tx.begun()) return tx.begun().error();
    if (auto st = set_message_status(id, status); !st) return st;
    auto q = db_.prepare("DELETE FROM sms_pending WHERE message = ?;");
    if (!q) return q.error();
    if (auto st = q.value().bind(1, id).run(); !st) return st;
    return tx.commit();
}

Result<std::vector<ContactStore::PendingSms>> ContactStore::pending_sms() {
    auto q = db_.prepare(
        "SELECT m.id, COALESCE(c.service_address, ''), COALESCE(c.customer_address, ''), m.text "
        "FROM sms_pending p JOIN messages m ON m.id = p.message JOIN contacts c ON c.id = m.contact "
        "ORDER BY m.at, m.seq;");
    if (!q) return q.error();
    return collect<PendingSms>(q.value(), [](const Statement& st) {
        return PendingSms{st.column_text(0), st.column_text(1), st.column_text(2), st.column_text(3)};
    });
}

// ---- canned responses ----------------------------------------------------------------------------
Result<std::vector<CannedResponse>> ContactStore::canned_responses() {
    auto q = db_.prepare("SELECT id, title, text FROM canned_responses ORDER BY position, id;");
    if (!q) return q.error();
    return collect<CannedResponse>(q.value(), [](const Statement& st) {
        return CannedResponse{st.column_text(0), st.column_text(1), st.column_text(2)};
    });
}

// ---- fake SMS provider ---------------------------------------------------------------------------
Result<int64_t> ContactStore::record_provider_sms(const std::string& from, const std::string& to,
                                                  const std::string& body, int64_t now) {
    auto q = db_.prepare(
        "INSERT INTO sms_provider_outbox (received_at, sender, recipient, body) VALUES (?, ?, ?, ?) RETURNING id;");
    if (!q) return q.error();
    q.value().bind(1, now).bind(2, from).bind(3, to).bind(4, body);
    auto row = q.value().step();
    if (!row) return row.error();
    int64_t id = q.value().column_int(0);
    if (auto done = q.value().step(); !done) return done.error();
    return id;
}

Result<json> ContactStore::provider_outbox() {
    auto q = db_.prepare("SELECT id, received_at, sender, recipient, body FROM sms_provider_outbox ORDER BY id;");
    if (!q) return q.error();
    auto rows = collect<json>(q.value(), [](const Statement& st) {
        return json{{"id", st.column_int(0)}, {"received_at", st.column_int(1)}, {"from", st.column_text(2)},
                    {"to", st.column_text(3)}, {"body", st.column_text(4)}};
    });
    if (!rows) return rows.error();
    return json(rows.value());
}

}  // namespace sbd
