// rate_limit.h: token buckets, the one shape of every rate limit in switchboardd: frames per
// WebSocket, anonymous chat starts, messages and typing, SMS webhooks, refused-frame log lines.
//
// Time is passed in (ms), so that the limits are tested on a hand-held clock. A keyed limit keeps
// one bucket per key (an address, a phone number) and never more than `max_keys` of them: idle
// buckets (full again) are dropped first, and a key that finds no room is refused, so a flood of
// new keys costs bounded memory and becomes one global limit instead of none.
//
// Sections: TokenBucket · KeyedRateLimit
#pragma once

#include <algorithm>
#include <cstddef>
#include <cstdint>
#include <string>
#include <unordered_map>

namespace sbd {

// ---- TokenBucket --------------------------------------------------------------------------------
struct RateSpec {
    double per_second = 10;  // sustained rate
    double burst = 20;       // bucket size: how many at once after a quiet spell
};

class TokenBucket {
public:
    TokenBucket() = default;
    TokenBucket(RateSpec spec, int64_t now_ms) : spec_(spec), tokens_(spec.burst), last_ms_(now_ms) {}

    // Takes one token if there is one.
    bool take(int64_t now_ms) {
        refill(now_ms);
        if (tokens_ < 1) return false;
        tokens_ -= 1;
        return true;
    }
    // How long until one token is there (0: now).
    int64_t wait_ms(int64_t now_ms) {
        refill(now_ms);
        if (tokens_ >= 1 || spec_.per_second <= 0) return 0;
        return static_cast<int64_t>((1 - tokens_) * 1000 / spec_.per_second) + 1;
    }
    bool full(int64_t now_ms) {
        refill(now_ms);
        return tokens_ >= spec_.burst;
    }
    void set_spec(RateSpec spec) { spec_ = spec; }

private:
    void refill(int64_t now_ms) {
        if (now_ms > last_ms_) {
            tokens_ = std::min(spec_.burst, tokens_ + static_cast<double>(now_ms - last_ms_) * spec_.per_second / 1000);
            last_ms_ = now_ms;
        }
    }
    RateSpec spec_;
    double tokens_ = 0;
    int64_t last_ms_ = 0;
};

// ---- KeyedRateLimit -----------------------------------------------------------------------------
class KeyedRateLimit {
public:
    explicit KeyedRateLimit(RateSpec spec, std::size_t max_keys = 10000) : spec_(spec), max_keys_(max_keys) {}

    // Takes one token from the key's bucket; false: refused (over its rate, or no room for it).
    bool take(const std::string& key, int64_t now_ms, int64_t* retry_after_ms = nullptr) {
        auto it = buckets_.find(key);
        if (it == buckets_.end()) {
            if (buckets_.size() >= max_keys_) sweep(now_ms);
            if (buckets_.size() >= max_keys_) {
                if (retry_after_ms) *retry_after_ms = static_cast<int64_t>(1000 / std::max(spec_.per_second, 0.001)) + 1;
                return false;
            }
            it = buckets_.emplace(key, TokenBucket(spec_, now_ms)).first;
        }
        if (it->second.take(now_ms)) return true;
        if (retry_after_ms) *retry_after_ms = it->second.wait_ms(now_ms);
        return false;
    }
    std::size_t keys() const { return buckets_.size(); }

private:
    void sweep(int64_t now_ms) {
        for (auto it = buckets_.begin(); it != buckets_.end();) it = it->second.full(now_ms) ? buckets_.erase(it) : std::next(it);
    }
    RateSpec spec_;
    std::size_t max_keys_;
    std::unordered_map<std::string, TokenBucket> buckets_;
};

}  // namespace sbd
