// desk/timer_wheel.h: many named timers on one platform timer. The SIP layers start and cancel
// timers by key ("c|z9hG4bK...|F", "register_refresh"); the desk keeps their deadlines here and
// asks the platform for one timer (TimerId::Sip) at the earliest. Pure: the time is passed in.
#pragma once

#include <cstdint>
#include <algorithm>
#include <map>
#include <optional>
#include <string>
#include <vector>

namespace sb::desk {

class TimerWheel {
public:
    // Replaces a timer of the same key.
    void start(int64_t now_ms, const std::string& key, int64_t delay_ms) {
        deadlines_[key] = now_ms + (delay_ms < 0 ? 0 : delay_ms);
    }
    void cancel(const std::string& key) { deadlines_.erase(key); }
    void clear() { deadlines_.clear(); }
    bool running(const std::string& key) const { return deadlines_.count(key) > 0; }
    size_t size() const { return deadlines_.size(); }

    // The keys whose deadline has come, earliest first (ties by key); they are removed.
    std::vector<std::string> take_due(int64_t now_ms) {
        std::vector<std::pair<int64_t, std::string>> due;
        for (auto it = deadlines_.begin(); it != deadlines_.end();) {
            if (it->second <= now_ms) {
                due.emplace_back(it->second, it->first);
                it = deadlines_.erase(it);
            } else {
                ++it;
            }
        }
        std::sort(due.begin(), due.end());
        std::vector<std::string> keys;
        for (auto& d : due) keys.push_back(std::move(d.second));
        return keys;
    }

    // How long until the earliest deadline (0 if one is due), or nothing when none runs.
    std::optional<int64_t> next_delay(int64_t now_ms) const {
        std::optional<int64_t> earliest;
        for (const auto& [key, at] : deadlines_)
            if (!earliest || at < *earliest) earliest = at;
        if (!earliest) return std::nullopt;
        return *earliest > now_ms ? *earliest - now_ms : 0;
    }

private:
    std::map<std::string, int64_t> deadlines_;
};

}  // namespace sb::desk
