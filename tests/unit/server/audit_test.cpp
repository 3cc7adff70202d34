// The audit log (server/admin/audit.h) on a real SQLite database migrated to the current schema:
// card numbers in an entry are masked before they are stored, filters and paging, and the
// checks on action names, details and filters.
#include <doctest/doctest.h>

#include <unistd.h>

#include <cstdio>
#include <cstdlib>
#include <map>
#include <string>
#include <vector>

#include "server/admin/audit.h"
#include "server/app/log.h"
#include "server/store/migrations.h"
#include "server/store/database.h"
#include "temp_db.h"

using namespace sbd;
using nlohmann::json;

namespace {
const std::string kMask = "\xE2\x80\xA2\xE2\x80\xA2\xE2\x80\xA2\xE2\x80\xA2 ";

using test::TempDb;
}  // namespace

TEST_CASE("audit: card numbers in an entry are masked before they are stored") {
    TempDb t;
    AuditLog audit(*t.db);
    json detail = {{"note", "caller read 4111 1111 1111 1111 aloud"},
                   {"nested", {{"list", {"5555-5555-5555-4444", "ok"}}}},
                   {"4012888888881881", "a key"},
                   {"amount_cents", 4599}};
    REQUIRE(audit.record(1000, "alice", "payment.taken", std::string("c-1"), std::string("cu-1"), detail).ok());
    std::string bytes = t.bytes();
    for (const char* card : {"4111 1111 1111 1111", "4111111111111111", "5555-5555-5555-4444", "5555555555554444",
                             "4012888888881881"})
        CHECK_MESSAGE(bytes.find(card) == std::string::npos, card);
    auto page = audit.query(AuditFilter{});
    REQUIRE(page.ok());
    REQUIRE(page.value().entries.size() == 1);
    const AuditEntry& e = page.value().entries[0];
    CHECK(e.detail["note"] == "caller read " + kMask + "1111 aloud");
    CHECK(e.detail["nested"]["list"][0] == kMask + "4444");
    CHECK(e.detail[kMask + "1881"] == "a key");
    CHECK(e.detail["amount_cents"] == 4599);
    CHECK(e.actor == "alice");
    CHECK(e.contact == std::optional<std::string>("c-1"));
    CHECK(e.customer == std::optional<std::string>("cu-1"));
}

TEST_CASE("audit: refusals") {
    TempDb t;
    AuditLog audit(*t.db);
    for (const char* bad : {"", "payment", "Payment.Taken", "a.b.c", ".x", "x.", "pay ment.x"})
        CHECK_MESSAGE(audit.record(1, "alice", bad, std::nullopt, std::nullopt, json::object()).error().code ==
                          "bad_message",
                      bad);
    CHECK(audit.record(1, "", "mfa.failed", std::nullopt, std::nullopt, json::object()).error().code == "bad_message");
    CHECK(audit.record(1, "a", "mfa.failed", std::nullopt, std::nullopt, json::array()).error().code == "bad_message");
    CHECK(audit.record(1, "a", "mfa.failed", std::nullopt, std::nullopt, json()).ok());  // null: {}
    for (std::string_view a : audit_actions()) CHECK(is_audit_action_name(a));
}

TEST_CASE("audit: filters, newest first, and paging by before_id") {
    TempDb t;
    AuditLog audit(*t.db);
    for (int i = 1; i <= 7; ++i)
        REQUIRE(audit.record(1000 * i, i % 2 ? "alice" : "bob", i <= 3 ? "verification.attempt" : "card.unlocked",
                             i <= 5 ? std::optional<std::string>("c-1") : std::optional<std::string>("c-2"),
                             std::nullopt, {{"i", i}})
                    .ok());
    AuditFilter f;
    f.limit = 3;
    auto p1 = audit.query(f);
    REQUIRE(p1.ok());
    REQUIRE(p1.value().entries.size() == 3);
    CHECK(p1.value().entries[0].detail["i"] == 7);
    CHECK(p1.value().entries[2].detail["i"] == 5);
    REQUIRE(p1.value().next_before_id);
    f.before_id = p1.value().next_before_id;
    auto p2 = audit.query(f);
    REQUIRE(p2.value().entries.size() == 3);
    CHECK(p2.value().entries[0].detail["i"] == 4);
    f.before_id = p2.value().next_before_id;
    auto p3 = audit.query(f);
    REQUIRE(p3.value().entries.size() == 1);
    CHECK(p3.value().entries[0].detail["i"] == 1);
    CHECK_FALSE(p3.value().next_before_id);

    AuditFilter by;
    by.actor = "bob";
    by.contact = "c-1";
    auto bob = audit.query(by);
    REQUIRE(bob.value().entries.size() == 2);  // 4, 2
    CHECK(bob.value().entries[0].detail["i"] == 4);
    AuditFilter window;
    window.since = 3000;
    window.until = 5000;  // at in [3000, 5000)
    window.action = "card.unlocked";
    auto w = audit.query(window);
    REQUIRE(w.value().entries.size() == 1);
    CHECK(w.value().entries[0].detail["i"] == 4);
}

TEST_CASE("audit: filters from a query string and from a desk request") {
    auto ok = audit_filter_from_query({{"contact", "c-1"}, {"since", "5"}, {"limit", "500"}, {"before_id", "9"}});
    REQUIRE(ok.ok());
    CHECK(ok.value().contact == std::optional<std::string>("c-1"));
    CHECK(ok.value().since == std::optional<int64_t>(5));
    CHECK(ok.value().limit == 500);
    CHECK(ok.value().before_id == std::optional<int64_t>(9));
    CHECK(audit_filter_from_query({}).value().limit == AuditFilter::kDefaultLimit);
    for (auto bad : std::vector<std::map<std::string, std::string>>{
             {{"limit", "0"}}, {{"limit", "501"}}, {{"limit", "ten"}}, {{"since", "-1"}}, {{"since", "1e3"}},
             {{"until", ""}}, {{"contact", ""}}, {{"colour", "red"}}, {{"since", "9"}, {"until", "8"}}})
        CHECK(audit_filter_from_query(bad).error().code == "bad_message");
    auto j = audit_filter_from_json({{"type", "audit"}, {"id", "r1"}, {"actor", "bob"}, {"limit", 2}});
    REQUIRE(j.ok());
    CHECK(j.value().actor == std::optional<std::string>("bob"));
    CHECK(j.value().limit == 2);
    CHECK(audit_filter_from_json({{"limit", 0}}).error().code == "bad_message");
    CHECK(audit_filter_from_json({{"actor", 3}}).error().code == "bad_message");
    CHECK(audit_filter_from_json({{"since", "3"}}).error().code == "bad_message");
}

TEST_CASE("the logger's masking: every string and key, not numbers") {
    json j = {{"msg", "pay 4111-1111-1111-1111 now"},
              {"list", {"x", "5555555555554444", 4111111111111111LL}},
              {"4012888888881881", {{"deep", "6011 1111 1111 1117"}}},
              {"ts", 1763840000000LL}};
    mask_card_numbers_in(j);
    CHECK(j["msg"] == "pay " + kMask + "1111 now");
    CHECK(j["list"][1] == kMask + "4444");
    CHECK(j["list"][2] == 4111111111111111LL);  // numbers are left alone (documented)
    CHECK(j[kMask + "1881"]["deep"] == kMask + "1117");
    CHECK_FALSE(j.contains("4012888888881881"));
    CHECK(j["ts"] == 1763840000000LL);
}
