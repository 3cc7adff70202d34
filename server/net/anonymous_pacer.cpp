// anonymous_pacer.cpp: see anonymous_pacer.h.
#include "server/net/anonymous_pacer.h"

#include <algorithm>
#include <cmath>

#include <boost/asio/post.hpp>

namespace sbd {

namespace {
int64_t steady_us() {
    using namespace std::chrono;
    return duration_cast<microseconds>(steady_clock::now().time_since_epoch()).count();
}
}  // namespace

AnonymousPacer::AnonymousPacer(boost::asio::any_io_executor executor, RateSpec frames, TimeShare time, Clock clock)
    : clock_(clock ? std::move(clock) : Clock(steady_us)),
      timer_(executor),
      frames_(frames, clock_() / 1000),
      time_(time),
      credit_us_(static_cast<double>(time.burst.count())),
      credit_at_us_(clock_()) {
    time_.share = std::clamp(time_.share, 0.01, 1.0);
}

double AnonymousPacer::time_left_us() {
    int64_t now = clock_();
    if (now > credit_at_us_) {
        credit_us_ = std::min(static_cast<double>(time_.burst.count()),
                              credit_us_ + static_cast<double>(now - credit_at_us_) * time_.share);
        credit_at_us_ = now;
    }
    return credit_us_;
}

bool AnonymousPacer::time_allows(int64_t now_us) {
    if (now_us - round_at_us_ >= 1000) {
        round_at_us_ = now_us;
        admitted_in_round_ = 0;
    }
    // A frame's worth for each let go before it in this millisecond (those may not have been
    // charged yet) and for this one, but at most the burst for this one, or a frame dearer than
    // the burst could never go.
    double need = admitted_in_round_ * frame_cost_us_ + std::min(frame_cost_us_, static_cast<double>(time_.burst.count()));
    return time_left_us() >= need;
}

bool AnonymousPacer::take(int64_t now_us) {
    if (!time_allows(now_us) || !frames_.take(now_us / 1000)) return false;
    ++admitted_in_round_;
    return true;
}

bool AnonymousPacer::admit(Audience who, std::weak_ptr<void> alive, std::function<void()> resume) {
    // Nobody of theirs ahead: straight through while the budget lasts (their queue's turn would
    // come next anyway). Otherwise behind those waiting.
    auto& queue = queues_[index(who)];
    if (queue.empty() && take(clock_())) return true;
    queue.push_back({std::move(alive), std::move(resume)});
    arm();
    return false;
}

void AnonymousPacer::charge(std::chrono::microseconds spent) {
    double us = static_cast<double>(std::max<int64_t>(0, spent.count()));
    time_left_us();  // refilled up to now first, so the charge comes off today's credit
    credit_us_ -= us;
    frame_cost_us_ += (us - frame_cost_us_) / 16;  // the last few dozen frames, mostly
}

void AnonymousPacer::arm() {
    if (armed_ || waiting() == 0) return;
    armed_ = true;
    int64_t now = clock_();
    // Until the count has a frame and the time has paid off its debt (and a frame's worth).
    double deficit_us = std::min(frame_cost_us_, static_cast<double>(time_.burst.count())) - time_left_us();
    int64_t by_time_ms = deficit_us > 0 ? static_cast<int64_t>(std::ceil(deficit_us / time_.share / 1000)) : 0;
    int64_t wait_ms = std::max<int64_t>({1, frames_.wait_ms(now / 1000), by_time_ms});
    timer_.expires_after(std::chrono::milliseconds(wait_ms));
    timer_.async_wait([this](const boost::system::error_code& ec) {
        armed_ = false;
        if (!ec) release();
    });
}

void AnonymousPacer::release() {
    int64_t now = clock_();
    for (;;) {
        for (auto& queue : queues_)
            while (!queue.empty() && queue.front().alive.expired()) queue.pop_front();  // gone while waiting
        // This turn's queue, or the other when this one has nobody.
        std::size_t q = queues_[turn_].empty() ? 1 - turn_ : turn_;
        if (queues_[q].empty() || !take(now)) break;
        // Posted, not called: each resumed read is its own turn of the loop, between other work.
        boost::asio::post(timer_.get_executor(), std::move(queues_[q].front().resume));
        queues_[q].pop_front();
        turn_ = 1 - q;
    }
    arm();
}

}  // namespace sbd
