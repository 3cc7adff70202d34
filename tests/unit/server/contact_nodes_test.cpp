// Two ContactServices on one database, as two switchboardd nodes are: each keeps its own copy of
// the open contacts, and a copy older than the row cannot overwrite it (contacts.version,
// migration 17). Run on SQLite (one file, two connections) and on a PostgreSQL this binary starts.
#include <doctest/doctest.h>

#include <poll.h>
#include <unistd.h>

#include <atomic>
#include <chrono>
#include <thread>

#include <filesystem>
#include <functional>
#include <memory>
#include <set>
#include <string>
#include <tuple>
#include <vector>

#include "pg_cluster.h"
#include "server/contacts/contact_service.h"
#include "server/store/change_feed.h"
#include "server/store/contact_store.h"
#include "server/store/demo_seed.h"
#include "server/store/store.h"

using namespace sbd;

namespace {

struct Link : AgentLink {
    std::set<std::string> connected;
    std::vector<std::tuple<std::string, std::string, std::string>> events;  // agent, event, contact
    void contact_event(const std::string& agent, const std::string& event, const nlohmann::json& data) override {
        // (contact.offered and .updated carry the contact object; the others name it)
        std::string contact = data.contains("id") ? data.value("id", "") : data.value("contact", "");
        events.emplace_back(agent, event, contact);
    }
    bool is_connected(const std::string& agent) override { return connected.count(agent) > 0; }
    std::set<std::string> connected_agents() override { return connected; }
    void missed_offer(const std::string&) override {}
    int offers(const std::string& agent, const std::string& contact) const {
        int n = 0;
        for (const auto& [a, e, c] : events) n += a == agent && e == "contact.offered" && c == contact;
        return n;
    }
};

struct Node {
    std::unique_ptr<Store> store;
    std::unique_ptr<ContactStore> contacts;
    Logger log{LogLevel::Error};
    Link link;
    std::unique_ptr<ContactService> svc;
    Node(const std::string& where, const std::string& name) {
        auto opened = Store::open(where);
        REQUIRE_MESSAGE(opened.ok(), opened.error().message);
        store = std::move(opened.value());
        contacts = std::make_unique<ContactStore>(store->database());
        int ids = 0;
        svc = std::make_unique<ContactService>(
            ContactService::Deps{*store, *contacts, log, [] { return int64_t{5'000'000}; },
                                 [name, ids]() mutable { return name + std::to_string(++ids); }},
            ContactConfig{});
        svc->set_agent_link(&link);
        REQUIRE(svc->load().ok());
    }
    void available(const std::string& agent) {
        auto rec = store->find_agent(agent);
        REQUIRE(rec.ok());
        REQUIRE(rec.value());
        sb::agent::AgentSnapshot a = rec.value()->snapshot;
        a.state = sb::agent::Presence::Available;
        a.state_since_ms = 4'000'000;
        REQUIRE(store->record_presence(a, "agent.state", a.state_since_ms).ok());
    }
    ContactRecord row(const std::string& id) {
        auto c = contacts->find_contact(id);
        REQUIRE(c.ok());
        REQUIRE(c.value());
        return *c.value();
    }
};

// Two nodes on `where`: alice (node a) and bob (node b) available, both with the support skill.
void seed(const std::string& where) {
    auto opened = Store::open(where);
    REQUIRE(opened.ok());
    REQUIRE(seed_demo_data(*opened.value(), 1'000'000).ok());
    REQUIRE(seed_contact_demo_data(*opened.value(), 1'000'000).ok());
}

void a_contact_is_offered_once(const std::string& where) {
    seed(where);
    Node a(where, "a"), b(where, "b");
    a.available("alice");
    b.available("bob");
    REQUIRE(a.svc->load().ok());

    // A chat arrives on node a while nobody there is connected: it waits, and node b (loading
    // now) has the same queued contact in its copy.
    auto chat = a.svc->start_chat("Dana", std::nullopt);
    REQUIRE_MESSAGE(chat.ok(), (chat.ok() ? "" : chat.error().message));
    const std::string id = chat.value().contact.id;
    REQUIRE(b.svc->load().ok());
    REQUIRE(b.svc->find_open(id));
    CHECK(b.svc->find_open(id)->state == ContactState::Queued);

    // alice connects on node a: it is offered to her.
    a.link.connected = {"alice"};
    a.svc->on_agent_connected("alice");
    CHECK(a.link.offers("alice", id) == 1);
    CHECK(a.row(id).state == ContactState::Offered);
    CHECK(a.row(id).agent == std::optional<std::string>("alice"));

    // bob connects on node b, whose copy still says queued: its offer to bob is refused by the
    // row's version, nothing is stored, and its copy now says what the row says.
    b.link.connected = {"bob"};
    b.svc->on_agent_connected("bob");
    CHECK(b.link.offers("bob", id) == 0);
    ContactRecord stored = b.row(id);
    CHECK(stored.state == ContactState::Offered);
    CHECK(stored.agent == std::optional<std::string>("alice"));
    const ContactRecord* copy = b.svc->find_open(id);
    REQUIRE(copy);
    CHECK(copy->state == ContactState::Offered);
    CHECK(copy->agent == std::optional<std::string>("alice"));
    CHECK(copy->version == stored.version);

    // alice accepts on node a (its copy is the row's): the version moves on.
    auto accepted = a.svc->accept("alice", id);
    REQUIRE_MESSAGE(accepted.ok(), (accepted.ok() ? "" : accepted.error().message));
    CHECK(a.row(id).state == ContactState::Active);
    CHECK(a.row(id).version == stored.version + 1);

    // Node b's copy is behind again: the customer ending there is refused (wrong_state, the
    // row untouched), and node b reads the row; asked again, it ends the chat.
    auto refused = b.svc->customer_end(id);
    REQUIRE_FALSE(refused.ok());
    CHECK(refused.error().code == "wrong_state");
    CHECK(b.row(id).state == ContactState::Active);
    CHECK(b.svc->find_open(id)->state == ContactState::Active);
    auto ended = b.svc->customer_end(id);
    REQUIRE_MESSAGE(ended.ok(), (ended.ok() ? "" : ended.error().message));
    CHECK(b.row(id).state == ContactState::WrapUp);
    CHECK(b.row(id).ended_by == std::optional<Sender>(Sender::Customer));
}

// What `feed` brings within 5 s: until `enough` says so (at least one change, and, if asked, the
// word that it was down).
ChangeFeed::Drained hear(ChangeFeed& feed, bool want_resync = false,
                         const std::function<bool(const ChangeFeed::Drained&)>& enough = nullptr) {
    ChangeFeed::Drained all;
    const auto deadline = std::chrono::steady_clock::now() + std::chrono::seconds(5);
    while (std::chrono::steady_clock::now() < deadline) {
        if (feed.socket() >= 0) {
            pollfd p{feed.socket(), POLLIN, 0};
            ::poll(&p, 1, 100);
        } else {
            std::this_thread::sleep_for(std::chrono::milliseconds(100));
        }
        ChangeFeed::Drained d = feed.drain();
        all.resync = all.resync || d.resync;
        all.changes.insert(all.changes.end(), d.changes.begin(), d.changes.end());
        if (!all.changes.empty() && (!want_resync || all.resync) && (!enough || enough(all))) break;
    }
    return all;
}

std::unique_ptr<ChangeFeed> feed_for(Node& n, const std::string& where, const std::string& tag) {
    n.store->database().set_node(tag);
    auto f = ChangeFeed::open(where, tag);
    REQUIRE_MESSAGE(f.ok(), f.error().message);
    return std::move(f.value());
}

}  // namespace

TEST_CASE("two nodes on one PostgreSQL hear each other's changes: a chat arriving at one is offered to the other's agent") {
    const std::string where = sbtest::PgCluster::get().fresh_database();
    seed(where);
    Node a(where, "a"), b(where, "b");
    auto feed_a = feed_for(a, where, "node-a");
    auto feed_b = feed_for(b, where, "node-b");

    // bob becomes available on node b: node a hears it.
    b.available("bob");
    b.svc->on_presence_changed("bob");
    b.link.connected = {"bob"};
    ChangeFeed::Drained presence = hear(*feed_a, false, [](const ChangeFeed::Drained& d) { return d.changes.size() >= 2; });
    // (its presence, and the agent.state event in bob's log)
    std::set<std::pair<std::string, std::string>> heard;
    for (const Change& c : presence.changes) heard.insert({c.channel, c.key});
    CHECK(heard == std::set<std::pair<std::string, std::string>>{{feed::agents, "bob"}, {feed::events, "bob"}});
    a.svc->heard(presence.changes, presence.resync);

    // A chat arrives at node a, where no agent is connected: it waits, and node b hears of it
    // and offers it to bob.
    auto chat = a.svc->start_chat("Dana", std::nullopt);
    REQUIRE(chat.ok());
    const std::string id = chat.value().contact.id;
    CHECK(a.row(id).state == ContactState::Queued);
    ChangeFeed::Drained arrived = hear(*feed_b);
    REQUIRE_FALSE(arrived.changes.empty());
    b.svc->heard(arrived.changes, arrived.resync);
    CHECK(b.link.offers("bob", id) == 1);
    CHECK(b.row(id).state == ContactState::Offered);
    CHECK(b.row(id).agent == std::optional<std::string>("bob"));

    // Node a hears the offer: its copy is the row (and a node hears nothing of its own).
    ChangeFeed::Drained offered = hear(*feed_a);
    for (const Change& c : offered.changes) CHECK(c.key != "bob");
    a.svc->heard(offered.changes, offered.resync);
    REQUIRE(a.svc->find_open(id));
    CHECK(a.svc->find_open(id)->state == ContactState::Offered);
    CHECK(a.svc->find_open(id)->version == a.row(id).version);
    CHECK(feed_b->drain().changes.empty());

    // Node b's feed loses its connection; node a ends the chat meanwhile. Back, node b is told
    // it may have missed something and reads everything again: the contact is gone from it.
    {
        auto killer = Database::open(where);
        REQUIRE(killer.ok());
        REQUIRE(killer.value()
                    ->exec("SELECT pg_terminate_backend(pid) FROM pg_stat_activity "
                           "WHERE datname = current_database() AND query LIKE 'LISTEN%';")
                    .ok());
    }
    REQUIRE(a.svc->customer_end(id).ok());
    CHECK(a.row(id).state == ContactState::Closed);  // (never accepted: closed, no wrap-up)
    ChangeFeed::Drained back = hear(*feed_b, true);
    CHECK(back.resync);
    b.svc->heard(back.changes, back.resync);
    CHECK_FALSE(b.svc->find_open(id));
}

TEST_CASE("two nodes on one SQLite file: a copy older than the row cannot overwrite it") {
    char dir[] = "/tmp/sb-contact-nodes-XXXXXX";
    REQUIRE(mkdtemp(dir) != nullptr);
    a_contact_is_offered_once(std::string(dir) + "/switchboard.db");
    std::filesystem::remove_all(dir);
}

TEST_CASE("two nodes on one PostgreSQL: a copy older than the row cannot overwrite it") {
    a_contact_is_offered_once(sbtest::PgCluster::get().fresh_database());
}

TEST_CASE("two nodes adding to one transcript at once take turns for its seq (PostgreSQL)") {
    const std::string where = sbtest::PgCluster::get().fresh_database();
    seed(where);
    Node a(where, "a"), b(where, "b");
    auto chat = a.svc->start_chat("Dana", std::nullopt);
    REQUIRE(chat.ok());
    const std::string id = chat.value().contact.id;

    // Node a takes the next seq inside a transaction it has not committed yet: node b's taking
    // waits for it, then gets the one after (not the same one, which its message could not be
    // stored under).
    Transaction tx(a.store->database());
    REQUIRE(tx.begun().ok());
    auto first = a.contacts->next_message_seq(id);
    REQUIRE(first.ok());
    std::atomic<bool> done{false};
    int64_t second = 0;
    std::thread other([&] {
        auto s = b.contacts->next_message_seq(id);
        if (s.ok()) second = s.value();
        done = true;
    });
    std::this_thread::sleep_for(std::chrono::milliseconds(300));
    CHECK_FALSE(done.load());  // (waiting on node a's row lock)
    REQUIRE(tx.commit().ok());
    other.join();
    CHECK(second == first.value() + 1);
}

namespace {

// Queued chats started on `n`, with nobody connected (so none is offered yet).
std::vector<ContactRecord> queued_chats(Node& n, int count) {
    std::vector<ContactRecord> out;
    for (int i = 0; i < count; ++i) {
        auto chat = n.svc->start_chat("Dana " + std::to_string(i), std::nullopt);
        REQUIRE(chat.ok());
        out.push_back(n.row(chat.value().contact.id));
    }
    return out;
}

ContactRecord offered_to(ContactRecord c, const std::string& agent) {
    c.state = ContactState::Offered;
    c.agent = agent;
    c.offer_expires_at = 6'000'000;
    return c;
}

void an_offer_holds_its_agent(const std::string& where) {
    seed(where);
    Node a(where, "a"), b(where, "b");
    a.available("alice");
    std::vector<ContactRecord> chats = queued_chats(a, 3);

    // Node a offers alice a chat (room for one). Node b, not having heard, offers her another:
    // refused, and told when she was last offered something (its routing chose on old news).
    REQUIRE(a.contacts->offer_contact(offered_to(chats[0], "alice"), 1, 5'000'000).ok());
    int64_t offered_at = 0;
    auto second = b.contacts->offer_contact(offered_to(chats[1], "alice"), 1, 5'000'001, 0, &offered_at);
    REQUIRE_FALSE(second.ok());
    CHECK(second.error().code == kAgentOfferedSince);
    CHECK(offered_at == 5'000'000);
    CHECK(b.row(chats[1].id).state == ContactState::Queued);
    // Knowing it, node b is refused by the count of her contacts: no room.
    auto full = b.contacts->offer_contact(offered_to(chats[1], "alice"), 1, 5'000'001, offered_at);
    REQUIRE_FALSE(full.ok());
    CHECK(full.error().code == kAgentTaken);
    CHECK(b.row(chats[1].id).state == ContactState::Queued);
    // With room for two it is stored; the offer's time is on her row.
    REQUIRE(b.contacts->offer_contact(offered_to(chats[1], "alice"), 2, 5'000'002, offered_at).ok());
    CHECK(b.row(chats[1].id).agent == std::optional<std::string>("alice"));

    // Not ready on one node: the other's offer is refused whatever her room.
    auto rec = a.store->find_agent("alice");
    REQUIRE(rec.ok());
    sb::agent::AgentSnapshot away = rec.value()->snapshot;
    away.state = sb::agent::Presence::NotReady;
    REQUIRE(a.store->record_presence(away, "agent.state", 5'000'003).ok());
    auto third = b.contacts->offer_contact(offered_to(chats[2], "alice"), 9, 5'000'004, 5'000'002);
    REQUIRE_FALSE(third.ok());
    CHECK(third.error().code == kAgentTaken);
    CHECK(b.row(chats[2].id).state == ContactState::Queued);
}

}  // namespace

TEST_CASE("an offer holds its agent: two nodes' offers never take an agent past their room (SQLite)") {
    char dir[] = "/tmp/sb-contact-nodes-XXXXXX";
    REQUIRE(mkdtemp(dir) != nullptr);
    an_offer_holds_its_agent(std::string(dir) + "/switchboard.db");
    std::filesystem::remove_all(dir);
}

TEST_CASE("an offer holds its agent: two nodes' offers never take an agent past their room (PostgreSQL)") {
    an_offer_holds_its_agent(sbtest::PgCluster::get().fresh_database());
}

TEST_CASE("two nodes offering one agent at once take turns: the second counts the first's offer (PostgreSQL)") {
    const std::string where = sbtest::PgCluster::get().fresh_database();
    seed(where);
    Node a(where, "a"), b(where, "b");
    a.available("bob");
    std::vector<ContactRecord> chats = queued_chats(a, 2);

    // Node a's offer is inside a transaction not committed yet: node b's waits on bob's row,
    // then finds him full (had it counted before a committed, bob would hold two chats).
    Transaction tx(a.store->database());
    REQUIRE(tx.begun().ok());
    REQUIRE(a.contacts->offer_contact(offered_to(chats[0], "bob"), 1, 5'000'000).ok());
    std::atomic<bool> done{false};
    std::string code;
    std::thread other([&] {
        auto s = b.contacts->offer_contact(offered_to(chats[1], "bob"), 1, 5'000'001, 5'000'000);
        code = s.ok() ? "ok" : s.error().code;
        done = true;
    });
    std::this_thread::sleep_for(std::chrono::milliseconds(300));
    CHECK_FALSE(done.load());  // (waiting on node a's hold of bob's row)
    REQUIRE(tx.commit().ok());
    other.join();
    CHECK(code == kAgentTaken);
    CHECK(b.row(chats[1].id).state == ContactState::Queued);
}

namespace {

// Two nodes on a fresh PostgreSQL database, alive and each with its agent linked: alice on node a
// (available since 4,000,000: the longest idle), bob on node b (since 4,500,000).
struct LinkedNodes {
    std::string where = sbtest::PgCluster::get().fresh_database();
    bool seeded = (seed(where), true);
    Node a{where, "a"}, b{where, "b"};
    LinkedNodes() {
        a.store->database().set_node("node-a");
        b.store->database().set_node("node-b");
        a.available("alice");
        set(b, "bob", sb::agent::Presence::Available, 4'500'000);
        a.link.connected = {"alice"};
        b.link.connected = {"bob"};
        a.svc->beat();
        b.svc->beat();  // (both alive; each has linked its agents)
        a.svc->beat();
        REQUIRE(a.svc->load().ok());
        REQUIRE(b.svc->load().ok());
    }
    static void set(Node& n, const std::string& agent, sb::agent::Presence state, int64_t since) {
        auto rec = n.store->find_agent(agent);
        REQUIRE(rec.ok());
        sb::agent::AgentSnapshot s = rec.value()->snapshot;
        s.state = state;
        s.state_since_ms = since;
        REQUIRE(n.store->record_presence(s, "agent.state", since).ok());
    }
};

}  // namespace

TEST_CASE("every node routes to every live node's agents, longest idle first, and not to a node that is gone") {
    LinkedNodes nodes;
    Node& a = nodes.a;
    Node& b = nodes.b;

    // A chat arriving at node b goes to alice on node a: she has been idle longest. One of the
    // two nodes routes it (they agree which); node a hears of it as its feed would tell it.
    auto first = b.svc->start_chat("Dana", std::nullopt);
    REQUIRE(first.ok());
    const std::string one = first.value().contact.id;
    CHECK(a.svc->routes_here(one) != b.svc->routes_here(one));
    a.svc->changed_elsewhere(one);
    CHECK(b.row(one).agent == std::optional<std::string>("alice"));
    // (recorded in her log by the node that routed it; node a sends it to her desk)
    CHECK(a.link.offers("alice", one) + b.link.offers("alice", one) == 1);

    // Node a stops cleanly: its links leave the store. With bob not ready, the next chat waits:
    // alice is no longer connected anywhere a node could reach her.
    a.svc->leave();
    b.svc->presence_elsewhere("alice");
    LinkedNodes::set(b, "bob", sb::agent::Presence::NotReady, 5'000'000);
    b.svc->on_presence_changed("bob");
    // (node a gone, node b is the only live node at its next beat: it routes every contact)
    b.svc->beat();
    auto second = b.svc->start_chat("Erin", std::nullopt);
    REQUIRE(second.ok());
    CHECK(b.svc->routes_here(second.value().contact.id));
    CHECK(b.row(second.value().contact.id).state == ContactState::Queued);
    CHECK_FALSE(b.row(second.value().contact.id).agent);
}

TEST_CASE("a node routing on old news learns of another node's newer offer and chooses again") {
    LinkedNodes nodes;
    Node& a = nodes.a;
    Node& b = nodes.b;
    // A chat started at `n` that `n` itself routes (the first such of a few; which node routes a
    // contact follows from its id, and these ids are the same every run).
    auto routed_by = [](Node& n, const std::string& name) {
        for (int i = 0; i < 8; ++i) {
            auto chat = n.svc->start_chat(name + " " + std::to_string(i), std::nullopt);
            REQUIRE(chat.ok());
            if (n.svc->routes_here(chat.value().contact.id)) return chat.value().contact.id;
        }
        FAIL("no contact of eight routed by this node");
        return std::string();
    };
    // Node a offers alice a chat; node b has not heard (its feed is not read here).
    const std::string first = routed_by(a, "Dana");
    CHECK(a.row(first).agent == std::optional<std::string>("alice"));
    // A chat node b routes: by what b knows alice is still the longest idle, but the store says
    // she was offered something since; b learns it and offers bob (idle longer now).
    const std::string second = routed_by(b, "Erin");
    CHECK(b.row(second).agent == std::optional<std::string>("bob"));
    CHECK(b.link.offers("alice", second) == 0);
}
