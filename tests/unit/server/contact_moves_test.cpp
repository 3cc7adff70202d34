// ContactService checks every state change against the contact lifecycle's table
// (core/contact/lifecycle.h) before anything is stored: a real service on a migrated database.
#include <doctest/doctest.h>

#include <unistd.h>

#include <cstdio>
#include <memory>
#include <string>

#include "server/contacts/contact_service.h"
#include "server/store/store.h"

using namespace sbd;

namespace {
struct Service {
    std::string path = "/tmp/sb-contact-moves-" + std::to_string(::getpid()) + ".db";
    std::unique_ptr<Store> store;
    std::unique_ptr<ContactStore> contacts;
    Logger log{LogLevel::Error};
    int64_t now = 1'000'000;
    int ids = 0;
    std::unique_ptr<ContactService> svc;
    Service() {
        auto opened = Store::open(path);
        REQUIRE(opened.ok());
        store = std::move(opened.value());
        REQUIRE(store->add_queue("support", "7001").ok());  // where a chat goes
        contacts = std::make_unique<ContactStore>(store->database());
        svc = std::make_unique<ContactService>(
            ContactService::Deps{*store, *contacts, log, [this] { return now; }, [this] { return "id" + std::to_string(++ids); }},
            ContactConfig{});
        REQUIRE(svc->load().ok());
    }
    ~Service() {
        svc.reset();
        contacts.reset();
        store.reset();
        for (const char* suffix : {"", "-wal", "-shm"}) std::remove((path + suffix).c_str());
    }
};
}  // namespace

TEST_CASE("a contact's state changes only by a move its lifecycle allows") {
    Service s;
    auto chat = s.svc->start_chat("Dana", std::nullopt);
    REQUIRE_MESSAGE(chat.ok(), (chat.ok() ? "" : chat.error().message));
    const std::string id = chat.value().contact.id;
    const ContactRecord* open = s.svc->find_open(id);
    REQUIRE(open);
    CHECK(open->state == ContactState::Queued);

    ContactRecord next = *open;
    CHECK(s.svc->check_move(next).ok());  // staying put
    next.state = ContactState::Offered;
    CHECK(s.svc->check_move(next).ok());
    for (ContactState skipped : {ContactState::Active, ContactState::WrapUp}) {
        next.state = skipped;  // nobody accepted it: not active, not in wrap-up
        auto refused = s.svc->check_move(next);
        REQUIRE_FALSE(refused.ok());
        CHECK(refused.error().code == "invalid_transition");
    }

    ContactRecord fresh = *open;
    fresh.id = "c-new";
    fresh.state = ContactState::Offered;  // a new contact starts queued (or active, dialled)
    CHECK(s.svc->check_move(fresh).error().code == "invalid_transition");
    fresh.state = ContactState::Active;
    CHECK(s.svc->check_move(fresh).ok());

    // The customer leaves while it waits: queued → closed is a move, and the contact is gone.
    REQUIRE(s.svc->customer_end(id).ok());
    CHECK(s.svc->find_open(id) == nullptr);
    auto stored = s.contacts->find_contact(id);
    REQUIRE(stored.ok());
    REQUIRE(stored.value());
    CHECK(stored.value()->state == ContactState::Closed);
    CHECK(stored.value()->ended_by == Sender::Customer);  // read back from the database as the enum
}

TEST_CASE("a stored message's status moves only as the message table allows, whatever reports it") {
    Service s;
    auto chat = s.svc->start_chat("Dana", std::nullopt);
    REQUIRE(chat.ok());
    const std::string id = chat.value().contact.id;
    auto status_of = [&](const std::string& message) {
        auto m = s.contacts->find_message(message);
        REQUIRE(m.ok());
        REQUIRE(m.value());
        return m.value()->status;
    };

    // The customer's own message is stored delivered and from the customer, in the shared names.
    auto theirs = s.svc->customer_message(id, "hello", std::nullopt);
    REQUIRE(theirs.ok());
    CHECK(theirs.value().from == Sender::Customer);
    CHECK(status_of(theirs.value().id) == MessageStatus::Delivered);
    // A provider's "failed" for it is refused (delivered is final), and a delivery report for a
    // customer's message is not a thing.
    s.svc->sms_status(theirs.value().id, MessageStatus::Failed);
    CHECK(status_of(theirs.value().id) == MessageStatus::Delivered);
    CHECK(s.svc->chat_delivered(id, theirs.value().id).error().code == "bad_message");

    // An agent's message: sent, then failed; a late "sent" or "delivered" cannot bring it back.
    MessageRecord mine;
    mine.id = "m-agent";
    mine.contact = id;
    mine.seq = 2;
    mine.from = Sender::Agent;
    mine.text = "hi";
    mine.agent = "alice";
    REQUIRE(s.contacts->add_message(mine).ok());
    CHECK(status_of(mine.id) == MessageStatus::Sent);
    s.svc->sms_status(mine.id, MessageStatus::Sent);  // sent stays sent: no move, no error
    CHECK(status_of(mine.id) == MessageStatus::Sent);
    s.svc->sms_status(mine.id, MessageStatus::Failed);
    CHECK(status_of(mine.id) == MessageStatus::Failed);
    s.svc->sms_status(mine.id, MessageStatus::Sent);
    CHECK(status_of(mine.id) == MessageStatus::Failed);
    CHECK(s.svc->chat_delivered(id, mine.id).ok());  // a repeat or late report changes nothing
    CHECK(status_of(mine.id) == MessageStatus::Failed);
}
