// desk_stack.h: a DeskService over the in-process server stack (tests/fuzz/server_stack.h), with
// the frames it sends kept and the work it hands off the I/O thread (password and security
// phrase checks) under the test's control: done at once, queued until run_workers(), or refused
// as a full queue would.
#pragma once

#include <deque>
#include <functional>
#include <memory>
#include <string>
#include <utility>
#include <vector>

#include <boost/asio/post.hpp>
#include <nlohmann/json.hpp>

#include "../../fuzz/server_stack.h"
#include "server/accounts/auth.h"
#include "server/desk/desk_service.h"

namespace sbtest {

struct Frames : sbd::DeskOutput {
    std::vector<std::string> sent;
    void send(sbd::ConnectionId, std::string frame) override { sent.push_back(std::move(frame)); }
};

struct DeskStack : sbfuzz::ServerStack {
    enum class Workers { Immediate, Queued, Full };
    std::unique_ptr<sbd::LoginRateLimit> rate_limit;
    sbd::PasswordVerifier passwords;
    Frames out;
    std::unique_ptr<sbd::DeskService> desk;
    Workers workers = Workers::Immediate;
    int offered = 0;  // pieces of work handed to the workers (refused ones too)
    std::deque<std::pair<std::function<void()>, std::function<void()>>> queued;

    explicit DeskStack(const char* name) : ServerStack(name) {
        rate_limit = std::make_unique<sbd::LoginRateLimit>(*store, sbd::LoginLimits{});
        sbd::DeskConfig config;
        config.mfa.policy = sbd::MfaPolicy::Off;
        // As main.cpp's: the work off the loop, then the rest back on it; or refused.
        auto offload = [this](std::function<void()> work, std::function<void()> then) {
            ++offered;
            if (workers == Workers::Full) return false;
            if (workers == Workers::Queued) {
                queued.emplace_back(std::move(work), std::move(then));
                return true;
            }
            work();
            boost::asio::post(io, std::move(then));
            return true;
        };
        desk = std::make_unique<sbd::DeskService>(
            sbd::DeskService::Deps{*store, *contacts, *rate_limit, passwords, out, log, sbfuzz::now_ms, nullptr, offload},
            config);
    }

    void pump() {
        io.poll();
        io.restart();
    }
    // The queued work done, and what follows it back on the loop.
    void run_workers() {
        while (!queued.empty()) {
            auto [work, then] = std::move(queued.front());
            queued.pop_front();
            work();
            boost::asio::post(io, std::move(then));
        }
        pump();
    }
    // The reply to the request with this id among the frames sent from the `from`th on (null:
    // none yet).
    nlohmann::json reply(const std::string& id, std::size_t from = 0) const {
        for (std::size_t i = from; i < out.sent.size(); ++i) {
            nlohmann::json f = nlohmann::json::parse(out.sent[i]);
            if (f.value("type", "") == "reply" && f.value("id", "") == id) return f;
        }
        return nullptr;
    }
    // Sends the frame (its "id" as given) and returns its reply, if it came at once.
    nlohmann::json request(sbd::ConnectionId id, const nlohmann::json& frame) {
        const std::size_t before = out.sent.size();
        desk->on_message(id, frame.dump(), true);
        pump();
        return reply(frame.value("id", ""), before);
    }
};

}  // namespace sbtest
