// The payments tables' queries (server/store/payment_store.h): a contact's latest payment is the
// last one made, by its place (migration 16's seq) and not by its clock, so two payments in one
// millisecond, or an older one updated later, do not swap.
#include <doctest/doctest.h>

#include "pg_cluster.h"
#include "server/store/migrations.h"
#include "server/store/payment_store.h"
#include "temp_db.h"

using namespace sbd;
using sb::contact::PaymentState;

namespace {
Payment payment(const std::string& id, int64_t at) {
    Payment p;
    p.id = id;
    p.contact = "c-1";
    p.customer = "cu-1";
    p.agent = "alice";
    p.amount = 1250;
    p.created_at = p.updated_at = at;
    return p;
}
}  // namespace

TEST_CASE("payment store: the latest payment is the last one made, whatever the clocks say") {
    test::TempDb t;
    PaymentStore store(*t.db);
    Payment first = payment("pay-b", 5000), second = payment("pay-a", 5000);  // the same millisecond
    REQUIRE(store.save(first).ok());
    REQUIRE(store.save(second).ok());
    auto latest = store.latest("c-1");
    REQUIRE(latest.ok());
    REQUIRE(latest.value());
    CHECK(latest.value()->id == "pay-a");

    // Updating the first (cancelled later) keeps its place.
    first.state = PaymentState::Cancelled;
    first.updated_at = 9000;
    REQUIRE(store.save(first).ok());
    CHECK(store.latest("c-1").value()->id == "pay-a");
    auto found = store.find("pay-b");
    REQUIRE(found.ok());
    REQUIRE(found.value());
    CHECK(found.value()->state == PaymentState::Cancelled);

    // Open ones in the order they were made; a method's token is read back for a refund.
    auto open = store.open_payments();
    REQUIRE(open.ok());
    REQUIRE(open.value().size() == 1);
    CHECK(open.value()[0].id == "pay-a");
    auto method = store.add_method(PaymentMethodRecord{"cu-1", "tok_1", "visa", "4242", 12, 2030, 6000});
    REQUIRE(method.ok());
    auto token = store.method_token(method.value());
    REQUIRE(token.ok());
    CHECK(token.value() == std::optional<std::string>("tok_1"));
    CHECK_FALSE(store.method_token(method.value() + 1).value().has_value());
    CHECK(store.latest("c-other").value() == std::nullopt);
}

namespace {
// Two nodes' copies of one capture: one expires it while the other approves it. The second
// save finds the row no longer capturing and writes nothing.
void one_move_wins(Database& db) {
    PaymentStore store(db);
    Payment p = payment("pay-race", 1000);
    REQUIRE(store.save(p).ok());
    CHECK(p.stored == PaymentState::Capturing);
    Payment here = *store.find("pay-race").value(), there = *store.find("pay-race").value();
    here.state = PaymentState::Expired;
    there.state = PaymentState::Authorizing;
    REQUIRE(store.save(here).ok());
    auto lost = store.save(there);
    REQUIRE_FALSE(lost.ok());
    CHECK(lost.error().code == PaymentStore::kPaymentChanged);
    CHECK(store.find("pay-race").value()->state == PaymentState::Expired);
    CHECK(there.stored == PaymentState::Capturing);  // (unchanged: it was not written)
    // A payment is inserted once: a second insert under its id is refused, not merged.
    Payment again = payment("pay-race", 2000);
    auto twice = store.save(again);
    REQUIRE_FALSE(twice.ok());
    CHECK(twice.error().code == PaymentStore::kPaymentChanged);
    // The winner's copy goes on from the state it stored.
    here.error = {{"code", "x"}, {"message", "y"}};
    CHECK(store.save(here).ok());
}
}  // namespace

TEST_CASE("payment store: of two copies moving one payment, the first save wins (SQLite)") {
    test::TempDb t;
    one_move_wins(*t.db);
}

TEST_CASE("payment store: of two copies moving one payment, the first save wins (PostgreSQL)") {
    auto db = Database::open(sbtest::PgCluster::get().fresh_database());
    REQUIRE(db.ok());
    REQUIRE(migrate(*db.value()).ok());
    one_move_wins(*db.value());
}
