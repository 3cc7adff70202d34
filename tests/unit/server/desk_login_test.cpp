// Sign-in when the password workers cannot take the check (server/desk/desk_service.cpp, login):
// the desk is told to come back (`rate_limited` with `retry_after_ms`), and the attempt counts for
// nothing: neither a failure towards the account's lock nor a pending check.
#include <doctest/doctest.h>

#include <string>
#include <vector>

#include <boost/asio/post.hpp>
#include <nlohmann/json.hpp>

#include "../../fuzz/server_stack.h"  // the in-process server stack the fuzz targets drive
#include "protocol/schema.h"
#include "server/accounts/auth.h"
#include "server/desk/desk_service.h"

namespace {

using nlohmann::json;

struct Frames : sbd::DeskOutput {
    std::vector<std::string> sent;
    void send(sbd::ConnectionId, std::string frame) override { sent.push_back(std::move(frame)); }
};

struct LoginStack : sbfuzz::ServerStack {
    std::unique_ptr<sbd::LoginRateLimit> rate_limit;
    sbd::PasswordVerifier passwords;
    Frames out;
    std::unique_ptr<sbd::DeskService> desk;
    bool refuse = true;   // the workers' queue is full
    int offered = 0;      // checks handed to the workers

    LoginStack() : ServerStack("login") {
        rate_limit = std::make_unique<sbd::LoginRateLimit>(*store, sbd::LoginLimits{});
        sbd::DeskConfig config;
        config.mfa.policy = sbd::MfaPolicy::Off;
        // As main.cpp's: the work off the loop, then the rest back on it; or refused.
        auto offload = [this](std::function<void()> work, std::function<void()> then) {
            ++offered;
            if (refuse) return false;
            work();
            boost::asio::post(io, std::move(then));
            return true;
        };
        desk = std::make_unique<sbd::DeskService>(
            sbd::DeskService::Deps{*store, *contacts, *rate_limit, passwords, out, log, sbfuzz::now_ms, nullptr, offload},
            config);
    }

    json request(sbd::ConnectionId id, const json& frame) {
        std::size_t before = out.sent.size();
        desk->on_message(id, frame.dump(), true);
        io.poll();
        io.restart();
        for (std::size_t i = before; i < out.sent.size(); ++i) {
            json f = json::parse(out.sent[i]);
            if (f.value("type", "") == "reply" && f.value("id", "") == frame.value("id", "")) return f;
        }
        return nullptr;
    }
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
    s.refuse = false;
    json r = s.login(200, "switchboard");
    REQUIRE(r.is_object());
    CHECK(r.value("ok", false));
    CHECK(r["result"].value("token", "") != "");
}
