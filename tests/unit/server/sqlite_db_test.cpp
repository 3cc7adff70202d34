// Transactions (server/store/sqlite_db.h): a durable one commits with synchronous=FULL (it survives a
// power loss) and puts NORMAL back after, whether it commits or rolls back; one begun inside
// another joins it (its commit is the outer one's); and the audit log's entries are durable.
#include <doctest/doctest.h>

#include <string>

#include "server/admin/audit.h"
#include "server/store/database.h"
#include "temp_db.h"

using namespace sbd;
using test::TempDb;

namespace {
// PRAGMA synchronous: 1 NORMAL, 2 FULL.
int64_t synchronous(Database& db) {
    auto q = db.prepare("PRAGMA synchronous;");
    REQUIRE(q.ok());
    auto row = q.value().step();
    REQUIRE(row.ok());
    REQUIRE(row.value());
    return q.value().column_int(0);
}

int64_t count(Database& db, const char* table) {
    auto q = db.prepare(std::string("SELECT COUNT(*) FROM ") + table + ";");
    REQUIRE(q.ok());
    REQUIRE(q.value().step().ok());
    return q.value().column_int(0);
}
}  // namespace

TEST_CASE("sqlite: NORMAL by default; a durable transaction is FULL until it ends, then NORMAL again") {
    TempDb t;
    Database& db = *t.db;
    CHECK(synchronous(db) == 1);
    REQUIRE(db.exec("CREATE TABLE t (x INTEGER);").ok());
    {
        Transaction tx(db, Durability::Durable);
        REQUIRE(tx.begun().ok());
        CHECK(db.in_transaction());
        CHECK(synchronous(db) == 2);
        REQUIRE(db.exec("INSERT INTO t VALUES (1);").ok());
        REQUIRE(tx.commit().ok());
        CHECK(synchronous(db) == 1);
        CHECK_FALSE(db.in_transaction());
    }
    CHECK(count(db, "t") == 1);
    {  // rolled back (never committed): NORMAL again, nothing kept
        Transaction tx(db, Durability::Durable);
        REQUIRE(tx.begun().ok());
        REQUIRE(db.exec("INSERT INTO t VALUES (2);").ok());
    }
    CHECK(synchronous(db) == 1);
    CHECK(count(db, "t") == 1);
    {  // an ordinary one stays NORMAL
        Transaction tx(db);
        CHECK(synchronous(db) == 1);
        REQUIRE(tx.commit().ok());
    }
}

TEST_CASE("sqlite: a transaction begun inside another joins it; the outer one decides") {
    TempDb t;
    Database& db = *t.db;
    REQUIRE(db.exec("CREATE TABLE t (x INTEGER);").ok());
    {
        Transaction outer(db, Durability::Durable);
        REQUIRE(outer.begun().ok());
        {
            Transaction inner(db, Durability::Durable);
            REQUIRE(inner.begun().ok());
            REQUIRE(db.exec("INSERT INTO t VALUES (1);").ok());
            REQUIRE(inner.commit().ok());
            CHECK(db.in_transaction());  // not committed yet: the outer one has not
        }
        CHECK(synchronous(db) == 2);
        // the outer one is dropped: the inner one's row goes with it
    }
    CHECK(count(db, "t") == 0);
    CHECK(synchronous(db) == 1);
}

TEST_CASE("sqlite: an audit entry commits durably on its own and joins a caller's transaction") {
    TempDb t;
    Database& db = *t.db;
    AuditLog audit(db);
    REQUIRE(audit.record(1, "alice", "login.succeeded", std::nullopt, std::nullopt, {{"address", "127.0.0.1"}}).ok());
    CHECK(count(db, "audit") == 1);
    CHECK(synchronous(db) == 1);
    {
        Transaction tx(db, Durability::Durable);
        REQUIRE(tx.begun().ok());
        REQUIRE(audit.record(2, "alice", "payment.taken", std::string("c-1"), std::string("cu-1"), {}).ok());
        CHECK(db.in_transaction());
        // not committed: rolled back with the caller's change
    }
    CHECK(count(db, "audit") == 1);
}

TEST_CASE("sqlite: a statement is compiled once and lent again, reset, never to two users at once") {
    TempDb t;
    Database& db = *t.db;
    REQUIRE(db.exec("CREATE TABLE kv (k INTEGER, v TEXT); INSERT INTO kv VALUES (1, 'one'), (2, 'two');").ok());
    const char* by_key = "SELECT v FROM kv WHERE k = ?;";
    const std::size_t before = db.cached_statements();
    {
        auto q = db.prepare(by_key);
        REQUIRE(q.ok());
        q.value().bind(1, int64_t{1});
        REQUIRE(q.value().step().value());
        CHECK(q.value().column_text(0) == "one");
        // Given back mid-way (a row not read to the end): reset, so its read ends.
    }
    CHECK(db.cached_statements() == before + 1);
    {
        // Lent again: the last user's binding is gone (an unbound parameter is NULL: no row).
        auto again = db.prepare(by_key);
        REQUIRE(again.ok());
        CHECK(db.cached_statements() == before);
        CHECK_FALSE(again.value().step().value());
        // The same text while it is in use: a statement of its own, not the one being stepped.
        auto outer = db.prepare("SELECT k FROM kv ORDER BY k;");
        REQUIRE(outer.ok());
        std::string seen;
        while (outer.value().step().value()) {
            auto inner = db.prepare(by_key);
            REQUIRE(inner.ok());
            inner.value().bind(1, outer.value().column_int(0));
            REQUIRE(inner.value().step().value());
            seen += inner.value().column_text(0) + ";";
        }
        CHECK(seen == "one;two;");
    }
    // Both copies of the text and the outer query wait idle now; a writer is not blocked by any.
    CHECK(db.cached_statements() == before + 3);
    CHECK(db.exec("UPDATE kv SET v = 'uno' WHERE k = 1;").ok());
    auto q = db.prepare(by_key);
    REQUIRE(q.ok());
    q.value().bind(1, int64_t{1});
    REQUIRE(q.value().step().value());
    CHECK(q.value().column_text(0) == "uno");
}

TEST_CASE("sqlite: a text with more after its statement is found again, not copied into the cache") {
    TempDb t;
    Database& db = *t.db;
    const char* text = "SELECT 1;  -- a comment after the statement\n";
    const std::size_t before = db.cached_statements();
    for (int i = 0; i < 5; ++i) {
        auto q = db.prepare(text);
        REQUIRE(q.ok());
        REQUIRE(q.value().step().value());
        CHECK(q.value().column_int(0) == 1);
    }
    CHECK(db.cached_statements() == before + 1);
}
