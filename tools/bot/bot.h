// bot.h: switchboard-bot's options, shared by the single-agent mode (main.cpp) and the load
// mode (load.h: many agents in one process, for benches).
#pragma once

#include <string>

struct Options {
    std::string url = "ws://127.0.0.1:8080/desk", username, password, state, reason;
    std::string ca_file;  // wss://: trust only this CA (PEM) instead of the system's
    std::string support_log;  // record the session and write it here at exit (docs/support-log.md)
    int stay_s = 0, timeout_s = 20, hangup_after_s = 0;
    bool logout = false, answer_calls = false;
    bool exit_when_ready = false;  // load mode: end once every agent is in (--stay bounds the wait)
    // load mode
    int agents = 0, first = 0, login_rate = 200, login_window = 20;
    double handle_s = 1, offer_timeout_s = 20, report_s = 1;
    std::string disposition = "resolved";
};
