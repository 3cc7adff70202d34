// switchboard-replay: replays a recorded desk session (a support log, platform/recording.h)
// through the same core the desk ran, natively, and prints the state it ends in; with --effects,
// every event and what the desk did about it; with --check, whether that state is the one the
// log recorded. Developers use it on the logs agents export; the e2e tests use it on a browser's.
#include <cerrno>
#include <cstring>
#include <fstream>
#include <iostream>
#include <iterator>
#include <string>

#include <nlohmann/json.hpp>

#include "desk/event_json.h"
#include "platform/recording.h"

namespace {

const char* kUsage = R"(usage: switchboard-replay [--effects] [--check] [FILE | -]

Reads a Switchboard session log (the desk's "Export support log", or a native --record file)
from FILE, or standard input when FILE is - or absent, feeds its events to a fresh desk at the
recorded times and prints the state the desk ends in, as the JS API's state() shows it (with
the log's redactions).

  --effects  before the state, one line per event: {"t", "event", "effects": [...]}, where the
             effects are what the desk asked its platform to do (frames sent, timers, ...)
  --check    compare the end state with the one the log recorded: exit 0 when equal, 1 with
             the first difference, 3 when the log stopped early (truncated) or has no end line
  --help     this text

Exit status: 0 done (or equal), 1 different, 2 unreadable log, 3 nothing to check against.
)";

constexpr size_t kMaxLogBytes = 256u << 20;

}  // namespace

int main(int argc, char** argv) {
    bool effects = false, check = false;
    std::string path = "-";
    for (int i = 1; i < argc; ++i) {
        std::string a = argv[i];
        if (a == "--effects") effects = true;
        else if (a == "--check") check = true;
        else if (a == "--help" || a == "-h") {
            std::cout << kUsage;
            return 0;
        } else if (a.size() > 1 && a[0] == '-') {
            std::cerr << "switchboard-replay: unknown option " << a << "\n" << kUsage;
            return 2;
        } else path = a;
    }
    std::string log;
    if (path == "-") {
        log.assign(std::istreambuf_iterator<char>(std::cin), std::istreambuf_iterator<char>());
    } else {
        std::ifstream in(path, std::ios::binary);
        if (!in) {
            std::cerr << "switchboard-replay: cannot open " << path << ": " << std::strerror(errno) << "\n";
            return 2;
        }
        log.assign(std::istreambuf_iterator<char>(in), std::istreambuf_iterator<char>());
    }
    if (log.size() > kMaxLogBytes) {
        std::cerr << "switchboard-replay: " << path << " is larger than " << (kMaxLogBytes >> 20)
                  << " MB; no desk records that much\n";
        return 2;
    }

    sb::platform::ReplayStep step;
    if (effects) {
        step = [](int64_t t, const sb::desk::Event& event, const std::vector<sb::desk::Effect>& out) {
            nlohmann::json list = nlohmann::json::array();
            for (const auto& e : out) list.push_back(sb::desk::effect_to_json(e));
            nlohmann::json line = {{"t", t}, {"event", sb::desk::event_to_json(event)}, {"effects", std::move(list)}};
            std::cout << line.dump(-1, ' ', false, nlohmann::json::error_handler_t::replace) << "\n";
        };
    }
    auto replayed = sb::platform::replay(log, step);
    if (!replayed) {
        std::cerr << "switchboard-replay: " << path << ": " << replayed.error().message << "\n";
        return 2;
    }
    const auto& r = replayed.value();
    if (!check) {
        std::cout << nlohmann::json{{"events", r.events}, {"at", r.at}, {"state", r.state}}.dump(
                         2, ' ', false, nlohmann::json::error_handler_t::replace)
                  << "\n";
        return 0;
    }
    if (r.truncated || r.recorded_state.is_null()) {
        std::cerr << "switchboard-replay: " << path
                  << (r.truncated ? ": the recording stopped early (it reached its size limit); its end state "
                                    "cannot be reached by replaying it\n"
                                  : ": the log has no end line to check against\n");
        return 3;
    }
    if (auto d = sb::platform::first_difference(r.state, r.recorded_state)) {
        std::cout << "different after " << r.events << " events: " << *d << "\n";
        return 1;
    }
    std::cout << "replayed " << r.events << " events to the recorded state\n";
    return 0;
}
