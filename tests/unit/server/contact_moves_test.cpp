// ContactService checks every state change against the contact lifecycle's table
// (core/contact/lifecycle.h) before anything is stored: a real service on a migrated database.
#include <doctest/doctest.h>

#include <unistd.h>

#include <cstdio>
#include <memory>
#include <string>

#include "contact_service.h"
#include "store.h"

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
}
