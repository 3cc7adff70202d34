// The accounts' operations (server/admin/admin.h) on a real store: what the checks accept and refuse,
// generated passwords, and what each change does to the account, its sessions and the audit log.
// (tests/server/admin.test.mjs drives the same through `switchboardd admin` and a running server.)
#include <doctest/doctest.h>

#include <unistd.h>

#include <atomic>
#include <cstdio>
#include <set>
#include <string>
#include <thread>
#include <vector>

#include <sodium.h>

#include "server/accounts/auth.h"
#include "server/admin/admin.h"
#include "server/store/demo_seed.h"

using namespace sbd;
using nlohmann::json;

namespace {

struct TempStore {
    std::string path;
    std::unique_ptr<Store> store;
    TempStore() {
        REQUIRE(sodium_init() >= 0);
        char name[] = "/tmp/sb-admin-unit-XXXXXX";
        int fd = mkstemp(name);
        REQUIRE(fd >= 0);
        close(fd);
        path = name;
        auto opened = Store::open(path);
        REQUIRE(opened.ok());
        store = std::move(opened.value());
        REQUIRE(seed_starter_configuration(*store).ok());
    }
    ~TempStore() {
        store.reset();
        for (const char* suffix : {"", "-wal", "-shm"}) std::remove((path + suffix).c_str());
    }
};

json audit_detail(AuditLog& audit, const char* action) {
    AuditFilter f;
    f.action = action;
    auto page = audit.query(f);
    REQUIRE(page.ok());
    REQUIRE(page.value().entries.size() == 1);
    CHECK(page.value().entries[0].actor == "admin");
    return page.value().entries[0].detail;
}

}  // namespace

TEST_CASE("admin: usernames, names, passwords, roles and lists are checked") {
    CHECK(check_username("dave").ok());
    CHECK(check_username("d.jones-2_x").ok());
    for (const char* bad : {"", "Dave", "dave jones", "-dave", ".dave", "dåve", "admin", "system"})
        CHECK(check_username(bad).error().code == "bad_option");
    CHECK(check_username(std::string(64, 'a')).ok());
    CHECK_FALSE(check_username(std::string(65, 'a')).ok());
    CHECK(check_display_name("Zoë Ångström").ok());
    CHECK_FALSE(check_display_name("").ok());
    CHECK_FALSE(check_display_name("tab\there").ok());
    CHECK_FALSE(check_display_name("\xff\xfe").ok());
    CHECK(check_password("twelve chars").ok());
    CHECK_FALSE(check_password("eleven char").ok());
    CHECK_FALSE(check_password("a password\nwith a newline").ok());
    CHECK_FALSE(check_password(std::string(1025, 'x')).ok());
    CHECK(check_role("agent").ok());
    CHECK(check_role("supervisor").ok());
    CHECK_FALSE(check_role("root").ok());
    auto list = parse_name_list("sales,support,sales", "queues");
    REQUIRE(list.ok());
    CHECK(list.value() == std::vector<std::string>{"sales", "support"});
    CHECK(parse_name_list("", "skills").value().empty());
    CHECK_FALSE(parse_name_list("a,,b", "skills").ok());
    CHECK_FALSE(parse_name_list("a, b", "skills").ok());
}

TEST_CASE("admin: generated passwords are 4 groups of 5 from an alphabet without look-alikes, all different") {
    REQUIRE(sodium_init() >= 0);
    std::set<std::string> seen;
    for (int i = 0; i < 50; ++i) {
        std::string p = generate_password();
        REQUIRE(p.size() == 23);
        for (std::size_t k = 0; k < p.size(); ++k) {
            if (k % 6 == 5) CHECK(p[k] == '-');
            else CHECK(std::string("abcdefghjkmnpqrstuvwxyz23456789").find(p[k]) != std::string::npos);
        }
        CHECK(check_password(p).ok());
        seen.insert(p);
    }
    CHECK(seen.size() == 50);
}

TEST_CASE("admin: add, disable (sessions revoked, offline), enable, password, second factor, role, skills") {
    TempStore t;
    Store& store = *t.store;
    AuditLog audit(store.database());
    int64_t now = 1'000'000;
    AccountAdmin admin({store, audit, [&] { return now; }, "tester"});

    AccountAdmin::NewAccount dave{"dave", "Dave Jones", "agent", {"spanish"}, {"support"}, "the first password", false};
    REQUIRE(admin.add_agent(dave).ok());
    CHECK(admin.add_agent(dave).error().code == "agent_exists");
    auto bad_queue = dave;
    bad_queue.username = "eve";
    bad_queue.queues = {"nope"};
    CHECK(admin.add_agent(bad_queue).error().code == "unknown_queue");
    auto rec = store.account("dave");
    REQUIRE(rec.ok());
    REQUIRE(rec.value());
    CHECK(rec.value()->skills == std::vector<std::string>{"spanish", "support"});
    CHECK(rec.value()->role == "agent");
    json created = audit_detail(audit, "agent.created");
    CHECK(created["agent"] == "dave");
    CHECK(created["os_user"] == "tester");
    CHECK(created["password"] == "entered");
    CHECK(created.dump().find("the first password") == std::string::npos);
    auto agent = store.find_agent("dave");
    PasswordVerifier verifier;
    CHECK(verifier.verify(agent.value()->password_hash, "the first password"));

    // Two live sessions, one already revoked: disable revokes the live ones, sets offline.
    REQUIRE(store.add_session("h1", "dave", now, now + 60'000).ok());
    REQUIRE(store.add_session("h2", "dave", now, now + 60'000).ok());
    REQUIRE(store.add_session("h0", "dave", now, now + 60'000).ok());
    REQUIRE(store.revoke_session("h0", now - 50'000).ok());
    sb::agent::AgentSnapshot available = agent.value()->snapshot;
    available.state = sb::agent::Presence::Available;
    REQUIRE(store.record_presence(available, "agent.state", now).ok());
    now += 1000;
    auto ended = admin.disable("dave");
    REQUIRE(ended.ok());
    CHECK(ended.value() == 2);
    CHECK(store.find_agent("dave").value()->disabled_at == now);
    CHECK(store.find_agent("dave").value()->snapshot.state == sb::agent::Presence::Offline);
    CHECK(store.find_session("h1").value()->revoked_at == now);
    auto revoked = store.sessions_revoked_since(now - 10);
    REQUIRE(revoked.ok());
    CHECK(revoked.value().size() == 2);  // h1 and h2; h0 was revoked long before
    CHECK(audit_detail(audit, "agent.disabled")["sessions_ended"] == 2);

    REQUIRE(admin.enable("dave").ok());
    CHECK_FALSE(store.find_agent("dave").value()->disabled_at);

    REQUIRE(store.add_session("h3", "dave", now, now + 60'000).ok());
    REQUIRE(store.lock_account("dave", now + 60'000, "too many").ok());
    auto reset = admin.reset_password("dave", "the second password", true);
    REQUIRE(reset.ok());
    CHECK(reset.value() == 1);
    CHECK_FALSE(store.account_lock("dave", now).value());
    CHECK(verifier.verify(store.find_agent("dave").value()->password_hash, "the second password"));
    CHECK_FALSE(verifier.verify(store.find_agent("dave").value()->password_hash, "the first password"));
    CHECK(admin.reset_password("dave", "short", false).error().code == "bad_option");
    CHECK(audit_detail(audit, "password.reset")["password"] == "generated");

    REQUIRE(store.enroll_mfa("dave", "sealed", 5, {"c1", "c2"}).ok());
    REQUIRE(admin.reset_mfa("dave").ok());
    auto mfa = store.mfa_of("dave");
    CHECK_FALSE(mfa.value().enrolled);
    CHECK_FALSE(mfa.value().secret);
    CHECK(store.recovery_codes_left("dave").value() == 0);
    CHECK(audit_detail(audit, "mfa.reset")["was_enrolled"] == true);

    REQUIRE(admin.set_role("dave", "supervisor").ok());
    CHECK(audit.role_of("dave").value() == "supervisor");
    CHECK(admin.set_role("dave", "king").error().code == "bad_option");
    json role = audit_detail(audit, "agent.role_changed");
    CHECK(role["from"] == "agent");
    CHECK(role["to"] == "supervisor");

    // set-queues: the other queue's skill goes, a skill no queue uses stays.
    REQUIRE(admin.set_queues("dave", {"sales"}).ok());
    CHECK(store.account("dave").value()->skills == std::vector<std::string>{"sales", "spanish"});
    REQUIRE(admin.set_skills("dave", {}).ok());
    CHECK(store.account("dave").value()->skills.empty());

    for (const char* ghost : {"ghost"}) {
        CHECK(admin.disable(ghost).error().code == "unknown_agent");
        CHECK(admin.enable(ghost).error().code == "unknown_agent");
        CHECK(admin.reset_mfa(ghost).error().code == "unknown_agent");
        CHECK(admin.set_role(ghost, "agent").error().code == "unknown_agent");
        CHECK(admin.set_skills(ghost, {}).error().code == "unknown_agent");
        CHECK(admin.reset_password(ghost, "a long password", false).error().code == "unknown_agent");
    }
}

TEST_CASE("passwords: an unknown username is checked against the dummy hash, made once, from any thread") {
    sbd::PasswordVerifier verifier;  // nothing hashed yet: switchboardd has its password thread prepare it
    std::atomic<int> refused{0};
    std::vector<std::thread> checks;
    for (int i = 0; i < 2; ++i)
        checks.emplace_back([&] { refused += !verifier.verify(std::nullopt, "switchboard"); });
    for (auto& t : checks) t.join();
    CHECK(refused == 2);
    auto hash = sbd::hash_password("the password");
    REQUIRE(hash);
    CHECK(verifier.verify(hash.value(), "the password"));
    CHECK_FALSE(verifier.verify(hash.value(), "another"));
    CHECK_FALSE(verifier.verify(std::string("not a hash"), "the password"));
}
