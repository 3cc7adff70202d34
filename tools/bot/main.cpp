// switchboard-bot: a headless agent. Logs in over the desk protocol with the same core as the
// browser app, optionally changes presence, prints what happens as JSON lines, and exits.
// Developers use it to script a backend; load tests will run many of these in one process.
#include <cstdlib>
#include <fstream>
#include <iostream>
#include <memory>
#include <optional>
#include <random>
#include <string>

#include <boost/asio/io_context.hpp>
#include <boost/asio/post.hpp>
#include <boost/asio/steady_timer.hpp>

#include "bot.h"
#include "load.h"
#include "desk/state_json.h"
#include "native/platform_native.h"

namespace {

const char* kUsage = R"(usage: switchboard-bot --username NAME [options]   (password in SWITCHBOARD_PASSWORD)

The password comes from the environment, never from the command line: other users can read a
process's arguments, and shells keep them.

  --url URL          backend desk endpoint (default ws://127.0.0.1:8080/desk; wss:// verifies the
                     server's certificate against the system's CAs)
  --ca-file FILE     wss://: trust only this CA certificate (PEM), e.g. a private or a test CA
  --state STATE      after login, set presence: available | not_ready | offline
  --reason CODE      reason code for not_ready (e.g. break, lunch)
  --stay SECONDS     stay logged in this long, printing events (default 0)
  --logout           sign out before exiting
  --timeout SECONDS  give up if a step takes longer (default 20)
  --answer-calls     answer every call that rings (no audio natively: a placeholder SDP)
  --hangup-after SECONDS  hang up an answered call after this long (default 0: the caller does)
  --support-log FILE record the session and write it to FILE at exit, for switchboard-replay
                     (docs/support-log.md; the password and the session token are left out)

Load mode (benches): many agents in this one process, on one thread.
  --agents N         run N agents named USERNAME<FIRST>, USERNAME<FIRST+1>, ... (--username is the
                     prefix); each logs in, sets --state (default available) and stays --stay seconds
                     (default: until SIGTERM/SIGINT)
  --first K          index of the first agent (default 0)
  --login-rate N     start at most N logins a second (default 200)
  --login-window N   at most N logins waiting for their reply at once (default 20)
  --exit-when-ready  end as soon as every agent is logged in with its state set (--stay is then
                     the longest to wait for that)
  --handle SECONDS   take every chat and SMS offer: accept, reply once, end after SECONDS (default 1)
                     and wrap up with --disposition (default resolved); 0: leave offers ringing
  --offer-timeout SECONDS  the server's --offer-timeout (default 20): an offer was made at
                     offer_expires_at minus this, which gives the offer latency
  --report SECONDS   print a "load" line this often (default 1): agents logged in, offers, their
                     latencies (ms, server offer -> this process) since the last line, errors

Prints one JSON object per line: {"event": ...}. Exit status 0 if every step succeeded,
1 if a step failed (the error is printed), 2 on bad usage.
)";



std::optional<Options> parse(int argc, char** argv) {
    Options o;
    for (int i = 1; i < argc; ++i) {
        std::string a = argv[i];
        auto next = [&]() -> std::optional<std::string> {
            if (i + 1 >= argc) return std::nullopt;
            return std::string(argv[++i]);
        };
        std::optional<std::string> v;
        if (a == "--logout") { o.logout = true; continue; }
        if (a == "--answer-calls") { o.answer_calls = true; continue; }
        if (a == "--exit-when-ready") { o.exit_when_ready = true; continue; }
        if (a == "--help" || a == "-h") return std::nullopt;
        if (a == "--password" || a.rfind("--password=", 0) == 0) {
            std::cerr << "switchboard-bot: passwords are never taken on the command line (other users can read "
                         "it, the shell keeps it): set SWITCHBOARD_PASSWORD.\n";
            std::exit(2);
        }
        if (!(v = next())) return std::nullopt;
        if (a == "--url") o.url = *v;
        else if (a == "--ca-file") o.ca_file = *v;
        else if (a == "--support-log") o.support_log = *v;
        else if (a == "--username") o.username = *v;
        else if (a == "--state") o.state = *v;
        else if (a == "--reason") o.reason = *v;
        else if (a == "--stay") o.stay_s = std::atoi(v->c_str());
        else if (a == "--timeout") o.timeout_s = std::atoi(v->c_str());
        else if (a == "--hangup-after") o.hangup_after_s = std::atoi(v->c_str());
        else if (a == "--agents") o.agents = std::atoi(v->c_str());
        else if (a == "--first") o.first = std::atoi(v->c_str());
        else if (a == "--login-rate") o.login_rate = std::atoi(v->c_str());
        else if (a == "--login-window") o.login_window = std::atoi(v->c_str());
        else if (a == "--handle") o.handle_s = std::atof(v->c_str());
        else if (a == "--offer-timeout") o.offer_timeout_s = std::atof(v->c_str());
        else if (a == "--report") o.report_s = std::atof(v->c_str());
        else if (a == "--disposition") o.disposition = *v;
        else return std::nullopt;
    }
    if (const char* pw = std::getenv("SWITCHBOARD_PASSWORD")) o.password = pw;
    if (o.password.empty()) {
        std::cerr << "switchboard-bot: no password: set SWITCHBOARD_PASSWORD.\n";
        return std::nullopt;
    }
    if (o.username.empty()) return std::nullopt;
    if (o.agents < 0 || o.login_rate <= 0 || o.login_window <= 0 || o.report_s <= 0 || o.handle_s < 0) return std::nullopt;
    return o;
}

void print(const std::string& event, const nlohmann::json& data) {
    std::cout << nlohmann::json{{"event", event}, {"data", data}}.dump() << std::endl;
}

}  // namespace

int main(int argc, char** argv) {
    auto opts = parse(argc, argv);
    if (!opts) {
        std::cerr << kUsage;
        return 2;
    }
    if (opts->agents > 0) return run_load(*opts);
    boost::asio::io_context ioc;
    int exit_code = 0;
    boost::asio::steady_timer deadline(ioc);
    std::vector<std::function<void()>> steps;  // run in order, each after the previous intent completes
    size_t next_step = 0;
    uint64_t waiting_for = 0;
    sb::platform::Runtime* rt = nullptr;

    auto run_next = [&]() {
        if (next_step < steps.size()) {
            deadline.expires_after(std::chrono::seconds(opts->timeout_s));
            deadline.async_wait([&](const boost::system::error_code& ec) {
                if (ec) return;
                print("error", {{"code", "timeout"}, {"message", "step timed out"}});
                exit_code = 1;
                ioc.stop();
            });
            steps[next_step++]();
        } else {
            deadline.cancel();
            ioc.stop();
        }
    };

    sb::native::NativeHooks hooks;
    hooks.on_complete = [&](uint64_t id, const nlohmann::json& reply) {
        if (id != waiting_for) return;
        print(reply.value("ok", false) ? "completed" : "error", reply);
        if (!reply.value("ok", false)) {
            exit_code = 1;
            ioc.stop();
            return;
        }
        run_next();
    };
    std::vector<std::unique_ptr<boost::asio::steady_timer>> hangups;
    hooks.on_notify = [&](const std::string& event, const nlohmann::json& data) {
        print(event, data);
        if (event != "call.incoming" || !opts->answer_calls || !data.contains("id")) return;
        sb::desk::CallRef ref{data["contact"].is_string() ? data["contact"].get<std::string>() : "",
                              data["id"].get<uint32_t>()};
        boost::asio::post(ioc, [&, ref] {
            rt->dispatch(sb::desk::AnswerIntent{ref});
            if (opts->hangup_after_s <= 0) return;
            auto t = std::make_unique<boost::asio::steady_timer>(ioc, std::chrono::seconds(opts->hangup_after_s));
            t->async_wait([&, ref](const boost::system::error_code& ec) {
                if (!ec) rt->dispatch(sb::desk::HangupIntent{ref});
            });
            hangups.push_back(std::move(t));
        });
    };
    sb::native::NativePlatform platform(ioc, hooks, sb::desk::LogLevel::Warn);
    platform.set_tls(sb::native::TlsClientOptions{opts->ca_file});
    sb::platform::Runtime runtime(platform);
    platform.attach(&runtime);
    rt = &runtime;
    if (!opts->support_log.empty()) runtime.record("switchboard-bot 0.1.0");

    steps.push_back([&] { waiting_for = rt->dispatch(sb::desk::LoginIntent{opts->username, opts->password}); });
    if (!opts->state.empty()) {
        steps.push_back([&] {
            nlohmann::json intent = {{"type", "set_state"}, {"state", opts->state}};
            if (!opts->reason.empty()) intent["reason"] = opts->reason;
            waiting_for = rt->dispatch_json(intent);
        });
    }
    boost::asio::steady_timer stay(ioc);
    if (opts->stay_s > 0) {
        steps.push_back([&] {
            deadline.cancel();
            stay.expires_after(std::chrono::seconds(opts->stay_s));
            stay.async_wait([&](const boost::system::error_code& ec) {
                if (!ec) run_next();
            });
        });
    }
    steps.push_back([&] { print("state", sb::desk::state_to_json(rt->state(), rt->now_ms())); run_next(); });
    if (opts->logout) steps.push_back([&] { waiting_for = rt->dispatch(sb::desk::LogoutIntent{}); });

    std::random_device rd;
    runtime.start(opts->url, (uint64_t(rd()) << 32) | rd());
    run_next();  // the login waits for the connection inside the desk
    ioc.run();
    if (auto log = runtime.support_log()) {
        std::ofstream out(opts->support_log, std::ios::binary | std::ios::trunc);
        out << *log;
        if (!out.flush()) {
            print("error", {{"code", "support_log"}, {"message", "could not write " + opts->support_log}});
            return 1;
        }
    }
    return exit_code;
}
