// Sign-in when the password workers cannot take the check (server/desk/desk_service.cpp, login):
// the desk is told to come back (`rate_limited` with `retry_after_ms`), and the attempt counts for
// nothing: neither a failure towards the account's lock nor a pending check.
#include <doctest/doctest.h>

#include <string>
#include <vector>

#include <nlohmann/json.hpp>

#include "desk_stack.h"
#include "protocol/schema.h"

namespace {

using nlohmann::json;

struct LoginStack : sbtest::DeskStack {
    LoginStack() : DeskStack("login") { workers = Workers::Full; }  // the workers' queue is full
    json login(sbd::ConnectionId id, const std::string& password) {
        desk->open(id, "192.0.2.7");
        REQUIRE(request(id, {{"type", "hello"}, {"id", "h"}, {"versions", {2}}, {"client", "test"}}).value("ok", false));
        return request(id, {{"type", "login"}, {"id", "l"}, {"username", "alice"}, {"password", password}});
    }
};

}  // namespace

TEST_CASE("a login the password workers cannot take: come back later, and it counts as no failure") {
    LoginStack s;
    // More refusals than the failures that lock an account, with the wrong password even.
    for (int i = 0; i < sbd::LoginLimits{}.lock_after_failures + 2; ++i) {
        json r = s.login(100 + i, "not-the-password");
        REQUIRE(r.is_object());
        CHECK_FALSE(r.value("ok", true));
        CHECK(r["error"].value("code", "") == sb::protocol::code::rate_limited);
        CHECK(r["error"].value("retry_after_ms", 0) > 0);
        CHECK(r["error"].value("message", "").find("try again") != std::string::npos);
        CHECK(s.rate_limit->pending() == 0);  // nothing left waiting
    }
    CHECK(s.offered == sbd::LoginLimits{}.lock_after_failures + 2);
    auto lock = s.rate_limit->lock_of("alice", sbfuzz::now_ms());
    REQUIRE(lock.ok());
    CHECK_FALSE(lock.value().has_value());

    // The workers have room again: the password is checked, and the account is not locked.
    s.workers = sbtest::DeskStack::Workers::Immediate;
    json r = s.login(200, "switchboard");
    REQUIRE(r.is_object());
    CHECK(r.value("ok", false));
    CHECK(r["result"].value("token", "") != "");
}
