// load.h: switchboard-bot's load mode (--agents N). N agents, each a whole desk (the same core
// and native platform as the single bot), on one io_context: they log in at --login-rate, set
// their presence, and take every chat and SMS offer (accept, one reply, end after --handle
// seconds, wrap up). Every --report seconds one JSON line {"event":"load","data":{...}} says how
// many are logged in and connected, and the offer latencies seen since the last line: the time
// from the server making the offer (offer_expires_at minus the server's --offer-timeout, both
// on this machine's clock) to the offer reaching this process's desk. (Protocol version 3: a
// session carries no agent roster, so N desks in one process no longer parse N rosters of N.)
#pragma once
// (A header included once by main.cpp, so that the tool stays one target in tools/CMakeLists.txt.)

#include <algorithm>
#include <chrono>
#include <cstdlib>
#include <csignal>
#include <cstdio>
#include <functional>
#include <iostream>
#include <memory>
#include <random>
#include <string>
#include <unordered_map>
#include <vector>

#include <boost/asio/io_context.hpp>
#include <boost/asio/post.hpp>
#include <boost/asio/signal_set.hpp>
#include <boost/asio/steady_timer.hpp>

#include "bot.h"
#include "native/platform_native.h"
#include "native/websocket_client.h"

namespace load_mode {

using nlohmann::json;

int64_t wall_ms() {
    using namespace std::chrono;
    return duration_cast<milliseconds>(system_clock::now().time_since_epoch()).count();
}

// A NativePlatform which tells the runtime it listens only to the events the load mode uses (no
// contact JSON built for the others).
class BotPlatform final : public sb::platform::Platform {
public:
    BotPlatform(boost::asio::io_context& ioc, sb::native::NativeHooks hooks, sb::native::TlsClientOptions tls = {})
        : ioc_(ioc), inner_(ioc, std::move(hooks), sb::desk::LogLevel::Error), tls_(std::move(tls)) {
        inner_.set_tls(tls_);
    }
    ~BotPlatform() override { close_transport(); }
    void attach(sb::platform::Runtime* runtime) {
        runtime_ = runtime;
        inner_.attach(runtime);
    }

    int64_t now_ms() override { return inner_.now_ms(); }
    void open_transport(const std::string& url) override {
        close_transport();
        socket_ = std::make_shared<sb::native::WebSocketClient>(
            ioc_, sb::native::WebSocketCallbacks{
                      [this] { runtime_->feed(sb::desk::TransportOpened{}); },
                      [this](std::string text) { runtime_->feed(sb::desk::FrameReceived{std::move(text)}); },
                      [this](std::string reason) { runtime_->feed(sb::desk::TransportClosed{std::move(reason)}); },
                  },
            tls_);
        socket_->open(url);
    }
    void close_transport() override {
        if (socket_) socket_->close();
        socket_.reset();
    }
    void send_frame(const std::string& text) override {
        if (socket_) socket_->send(text);
    }
    void start_timer(sb::desk::TimerId t, int64_t delay_ms) override { inner_.start_timer(t, delay_ms); }
    void cancel_timer(sb::desk::TimerId t) override { inner_.cancel_timer(t); }
    void persist(const std::string& k, const std::optional<std::string>& v) override { inner_.persist(k, v); }
    std::optional<std::string> load(const std::string& k) override { return inner_.load(k); }
    void complete_intent(uint64_t id, const nlohmann::json& reply) override { inner_.complete_intent(id, reply); }
    void notify(const std::string& event, const nlohmann::json& data) override { inner_.notify(event, data); }
    bool listens(const std::string& event) const override {
        return event == "connection" || event == "contact.offered" || event == "contact.ended";
    }
    void log(sb::desk::LogLevel level, const std::string& message) override { inner_.log(level, message); }
    void request_redraw() override {}
    void open_sip(const std::string& url) override { inner_.open_sip(url); }
    void close_sip() override { inner_.close_sip(); }
    void send_sip(const std::string& text) override { inner_.send_sip(text); }
    void media(const sb::desk::Media& m) override { inner_.media(m); }
    void claim_phone(const std::string& agent, bool take_over) override { inner_.claim_phone(agent, take_over); }
    void release_phone() override { inner_.release_phone(); }
    void devices(const sb::desk::Devices& d) override { inner_.devices(d); }

private:
    boost::asio::io_context& ioc_;
    sb::native::NativePlatform inner_;
    sb::native::TlsClientOptions tls_;
    sb::platform::Runtime* runtime_ = nullptr;
    std::shared_ptr<sb::native::WebSocketClient> socket_;
};

struct Totals {
    int started = 0, logged_in = 0, failed = 0, disconnects = 0, login_retries = 0;
    int ready_total = 0;  // agents whose state was set after login (ever: a disconnect does not undo it)
    int64_t offers = 0, accepted = 0, handled = 0, customer_left = 0, errors = 0;
    std::vector<int64_t> latencies;  // since the last report
    std::vector<std::string> error_samples;
};

struct Agent {
    std::string username;
    std::unique_ptr<BotPlatform> platform;
    std::unique_ptr<sb::platform::Runtime> rt;
    std::unordered_map<uint64_t, std::function<void(const json&)>> pending;  // intent id -> continuation
    bool ready = false, connected = false;
};

class Load {
public:
    Load(boost::asio::io_context& ioc, const Options& o) : ioc_(ioc), o_(o), tick_(ioc), report_(ioc), rng_(std::random_device{}()) {}

    std::function<void()> on_all_ready;  // every agent logged in with its state set

    void start() {
        agents_.reserve(o_.agents);
        for (int i = 0; i < o_.agents; ++i) {
            auto a = std::make_unique<Agent>();
            a->username = o_.username + std::to_string(o_.first + i);
            agents_.push_back(std::move(a));
        }
        start_logins();
        schedule_report();
    }

    void report(bool final_line) {
        int connected = 0, ready = 0;
        for (const auto& a : agents_) {
            connected += a->connected;
            ready += a->ready && a->connected;
        }
        json data = {{"t", wall_ms()}, {"agents", o_.agents}, {"started", t_.started}, {"logged_in", t_.logged_in},
                     {"ready", ready}, {"connected", connected}, {"failed", t_.failed}, {"login_retries", t_.login_retries},
                     {"disconnects", t_.disconnects}, {"offers", t_.offers}, {"accepted", t_.accepted},
                     {"handled", t_.handled}, {"customer_left", t_.customer_left}, {"errors", t_.errors},
                     {"latencies_ms", t_.latencies}, {"final", final_line}};
        if (!t_.error_samples.empty()) data["error_samples"] = t_.error_samples;
        std::cout << json{{"event", "load"}, {"data", data}}.dump() << std::endl;
        t_.latencies.clear();
        t_.error_samples.clear();
    }

private:
    void error(const std::string& what) {
        ++t_.errors;
        if (t_.error_samples.size() < 5) t_.error_samples.push_back(what);
    }

    // Dispatches an intent for agent `a`; `then` runs with its reply.
    void dispatch(Agent& a, sb::desk::Intent intent, std::function<void(const json&)> then) {
        uint64_t id = a.rt->dispatch(std::move(intent));
        a.pending[id] = std::move(then);
    }

    void start_logins() {
        // Every 10 ms, the logins due by then: at most --login-rate a second and --login-window
        // waiting for their reply at once (a login the server is slow to answer is not retried).
        const int per_tick = std::max(1, o_.login_rate / 100);
        for (int n = 0; n < per_tick && next_ < agents_.size() && in_flight_ < o_.login_window; ++n) {
            ++in_flight_;
            login(*agents_[next_++]);
        }
        if (next_ >= agents_.size()) return;
        tick_.expires_after(std::chrono::milliseconds(10));
        tick_.async_wait([this](const boost::system::error_code& ec) {
            if (!ec) start_logins();
        });
    }

    void login(Agent& a) {
        Agent* ap = &a;
        sb::native::NativeHooks hooks;
        hooks.on_complete = [ap](uint64_t id, const json& reply) {
            auto it = ap->pending.find(id);
            if (it == ap->pending.end()) return;
            auto then = std::move(it->second);
            ap->pending.erase(it);
            then(reply);
        };
        hooks.on_notify = [this, ap](const std::string& event, const json& data) { on_notify(*ap, event, data); };
        a.platform = std::make_unique<BotPlatform>(ioc_, hooks, sb::native::TlsClientOptions{o_.ca_file});
        a.rt = std::make_unique<sb::platform::Runtime>(*a.platform);
        a.platform->attach(a.rt.get());
        ++t_.started;
        a.rt->start(o_.url, (uint64_t(rng_()) << 32) | rng_());
        sign_in(a, 1);
    }

    // The login intent; a rate_limited answer (many agents signing in from one address at the
    // start of a shift) is tried again after the retry_after_ms it names, as an agent would, up
    // to kLoginTries times in all.
    static constexpr int kLoginTries = 30;
    void sign_in(Agent& a, int attempt) {
        Agent* ap = &a;
        dispatch(a, sb::desk::LoginIntent{a.username, o_.password}, [this, ap, attempt](const json& reply) {
            if (!reply.value("ok", false) && attempt < kLoginTries && reply.contains("error") &&
                reply["error"].is_object() && reply["error"].value("code", "") == "rate_limited") {
                int64_t wait = reply["error"].value("retry_after_ms", int64_t{1000});
                auto timer = std::make_shared<boost::asio::steady_timer>(ioc_);
                timer->expires_after(std::chrono::milliseconds(std::clamp<int64_t>(wait, 10, 60'000) + rng_() % 250));
                timer->async_wait([this, ap, attempt, timer](const boost::system::error_code& ec) {
                    if (!ec) sign_in(*ap, attempt + 1);
                });
                ++t_.login_retries;
                return;
            }
            --in_flight_;
            if (!reply.value("ok", false)) return login_failed(*ap, reply);
            ++t_.logged_in;
            json intent = {{"type", "set_state"}, {"state", o_.state.empty() ? "available" : o_.state}};
            if (!o_.reason.empty()) intent["reason"] = o_.reason;
            uint64_t id = ap->rt->dispatch_json(intent);
            ap->pending[id] = [this, ap](const json& r) {
                if (!r.value("ok", false)) return login_failed(*ap, r);
                ap->ready = true;
                if (++t_.ready_total == o_.agents && on_all_ready) on_all_ready();
            };
        });
    }

    void login_failed(Agent& a, const json& reply) {
        ++t_.failed;
        if (t_.error_samples.size() < 5) t_.error_samples.push_back(a.username + ": " + reply.dump().substr(0, 200));
    }

    void on_notify(Agent& a, const std::string& event, const json& data) {
        if (event == "connection") {
            bool now = data.value("state", "") == "connected";
            if (a.connected && !now && a.ready) ++t_.disconnects;
            a.connected = now;
            return;
        }
        if (event == "contact.ended") {
            if (data.value("reason", "") != "closed") ++t_.customer_left;
            return;
        }
        if (event != "contact.offered" || !data.contains("id") || !data["id"].is_string()) return;
        std::string channel = data.value("channel", "");
        if (channel != "chat" && channel != "sms") return;
        ++t_.offers;
        if (data.contains("offer_expires_at") && data["offer_expires_at"].is_number_integer()) {
            int64_t offered_at = data["offer_expires_at"].get<int64_t>() - static_cast<int64_t>(o_.offer_timeout_s * 1000);
            t_.latencies.push_back(wall_ms() - offered_at);
        }
        if (o_.handle_s <= 0) return;
        std::string id = data["id"].get<std::string>();
        Agent* ap = &a;
        // Not from inside the desk's notify: the intent goes in once this event is handled.
        boost::asio::post(ioc_, [this, ap, id] { take(*ap, id); });
    }

    void take(Agent& a, const std::string& id) {
        Agent* ap = &a;
        dispatch(a, sb::desk::AcceptIntent{id}, [this, ap, id](const json& r) {
            if (!r.value("ok", false)) return error("accept: " + r.dump().substr(0, 160));
            ++t_.accepted;
            dispatch(*ap, sb::desk::SendMessageIntent{id, "Thanks for waiting, let me look into that for you."},
                     [this](const json& m) {
                         if (!m.value("ok", false) && !customer_gone(m)) error("send_message: " + m.dump().substr(0, 160));
                     });
            auto timer = std::make_shared<boost::asio::steady_timer>(
                ioc_, std::chrono::milliseconds(static_cast<int64_t>(o_.handle_s * 1000)));
            timer->async_wait([this, ap, id, timer](const boost::system::error_code& ec) {
                if (!ec) finish(*ap, id);
            });
        });
    }

    void finish(Agent& a, const std::string& id) {
        Agent* ap = &a;
        dispatch(a, sb::desk::EndIntent{id}, [this, ap, id](const json& r) {
            // The customer may have ended it first: the contact is in wrap-up (or gone) anyway.
            if (!r.value("ok", false) && !customer_gone(r)) error("end: " + r.dump().substr(0, 160));
            sb::desk::WrapUpIntent w;
            w.contact = id;
            w.disposition = o_.disposition;
            dispatch(*ap, std::move(w), [this](const json& w) {
                if (w.value("ok", false) || customer_gone(w)) ++t_.handled;
                else error("wrap_up: " + w.dump().substr(0, 160));
            });
        });
    }

    // An intent on a contact that already left the desk (the customer ended it, or it closed).
    static bool customer_gone(const json& reply) {
        std::string code = reply.contains("error") ? reply["error"].value("code", "") : "";
        return code == "unknown_contact" || code == "not_your_contact" || code == "wrong_state";
    }

    void schedule_report() {
        report_.expires_after(std::chrono::milliseconds(static_cast<int64_t>(o_.report_s * 1000)));
        report_.async_wait([this](const boost::system::error_code& ec) {
            if (ec) return;
            report(false);
            schedule_report();
        });
    }

    boost::asio::io_context& ioc_;
    const Options& o_;
    boost::asio::steady_timer tick_, report_;
    std::mt19937 rng_;
    std::vector<std::unique_ptr<Agent>> agents_;
    std::size_t next_ = 0;
    int in_flight_ = 0;
    Totals t_;
};

}  // namespace load_mode

inline int run_load(const Options& opts) {
    boost::asio::io_context ioc(1);
    load_mode::Load load(ioc, opts);
    boost::asio::signal_set signals(ioc, SIGINT, SIGTERM);
    auto done = [&] {
        load.report(true);
        std::cout.flush();
        // Tearing down thousands of desks one by one is of no use to anyone: the sockets close
        // with the process.
        std::_Exit(0);
    };
    signals.async_wait([&](const boost::system::error_code& ec, int) {
        if (!ec) done();
    });
    if (opts.exit_when_ready) load.on_all_ready = [&] { boost::asio::post(ioc, done); };
    boost::asio::steady_timer stay(ioc);
    if (opts.stay_s > 0) {
        stay.expires_after(std::chrono::seconds(opts.stay_s));
        stay.async_wait([&](const boost::system::error_code& ec) {
            if (!ec) done();
        });
    }
    load.start();
    ioc.run();
    return 0;
}
