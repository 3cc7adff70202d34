// fuzz_support_log: any bytes as a support log (docs/support-log.md), which developers replay from
// agents' bug reports. The replay refuses what it cannot read with bad_log; what it replays, it
// replays again to the same state (the core is a pure function of the events); and every event
// it read comes back from its JSON as it was.
#include <cstdint>
#include <cstdlib>
#include <string_view>

#include "desk/event_json.h"
#include "platform/recording.h"

extern "C" int LLVMFuzzerTestOneInput(const uint8_t* data, size_t size) {
    const std::string_view log(reinterpret_cast<const char*>(data), size);
    size_t steps = 0;
    auto first = sb::platform::replay(log, [&](int64_t, const sb::desk::Event& e, const std::vector<sb::desk::Effect>& out) {
        ++steps;
        const nlohmann::json j = sb::desk::event_to_json(e);
        auto back = sb::desk::event_from_json(j);
        if (!back || sb::desk::event_to_json(back.value()) != j) std::abort();
        for (const auto& effect : out) (void)sb::desk::effect_to_json(effect);
        (void)sb::platform::redact(e);
    });
    if (!first) {
        if (first.error().code != "bad_log") std::abort();
        return 0;
    }
    if (steps != first.value().events) std::abort();
    auto second = sb::platform::replay(log);
    if (!second || second.value().state != first.value().state) std::abort();
    (void)sb::platform::first_difference(first.value().state, first.value().recorded_state);
    return 0;
}
