// anonymous_pacer.h: one budget for the frames of every anonymous WebSocket together (a chat
// customer's, a desk's before it signs in), on top of each connection's own rate
// (desk_connection.h). A thousand anonymous connections may each send within their own rate and
// still, together, keep the one I/O thread busy for seconds at a time; a signed-in agent's
// request would wait behind all of it. Past the budget, anonymous connections wait their turn
// here, first come first served, and their frames stay unread in the kernel (TCP pushes back on
// the sender) while agents' frames are read at once (docs/security.md, "Limits").
//
// The budget has two sides, and a frame needs both:
// - a count: `frames` a second (--anonymous-frame-rate), a tenth of a second's worth at once;
// - a share of the I/O thread's time (--anonymous-time-share): each connection measures what
//   handling its anonymous frame took and charges it here. However slow the machine or the build
//   (a sanitizer's costs several times a release build's) and however costly the frames, the
//   anonymous ones take at most `share` of the thread on average and `burst` ahead of it, so an
//   agent's request waits behind at most about `burst` of theirs. A count alone would have to be
//   tuned to the machine: too high and it protects nothing, too low and customers wait for no reason.
// Waiters are let go a few at a time (as many as the time left pays for, at what a frame has been
// costing), not all that the count allows at once.
//
// Agents' desks before they sign in and customers' chats wait in two queues that take turns,
// each first come first served: a flood of chats (or of anonymous desks) leaves the other kind
// every other frame the budget has, so an agent signs in during a chat flood.
#pragma once

#include <chrono>
#include <cstddef>
#include <cstdint>
#include <array>
#include <deque>
#include <functional>
#include <memory>

#include <boost/asio/any_io_executor.hpp>
#include <boost/asio/steady_timer.hpp>

#include "server/net/frame_handler.h"
#include "server/net/rate_limit.h"

namespace sbd {

// The share of the I/O thread's time that anonymous frames may take.
struct TimeShare {
    double share = 0.5;                             // of every second, on average (0 < share <= 1)
    std::chrono::microseconds burst{10'000};        // taken at once after a quiet spell
};

class AnonymousPacer {
public:
    using Clock = std::function<int64_t()>;  // microseconds, monotonic (tests hold it by hand)

    AnonymousPacer(boost::asio::any_io_executor executor, RateSpec frames, TimeShare time = {}, Clock clock = {});

    using Audience = FrameHandler::Audience;

    // One frame of `who`'s: true when the budget has it now (taken; nobody of theirs waits).
    // Otherwise `resume` runs, from the I/O loop, once the budget has one for this waiter (in order
    // of asking among `who`'s, the two queues taking turns), unless `alive` has expired by then
    // (the connection is gone: nothing is taken for it).
    bool admit(Audience who, std::weak_ptr<void> alive, std::function<void()> resume);
    // What handling one admitted frame took of the I/O thread (measured by its connection).
    void charge(std::chrono::microseconds spent);

    std::size_t waiting() const { return queues_[0].size() + queues_[1].size(); }
    std::size_t waiting(Audience who) const { return queues_[index(who)].size(); }
    // The time left to anonymous frames now, in microseconds (negative: in debt); for tests.
    double time_left_us();
    // What a frame has been costing lately (a running average of the charges), in microseconds.
    double frame_cost_us() const { return frame_cost_us_; }

private:
    struct Waiter {
        std::weak_ptr<void> alive;
        std::function<void()> resume;
    };
    // Whether one more frame may go now, by time: its cost and that of the frames already let go
    // in this millisecond are left, at the going cost.
    bool time_allows(int64_t now_us);
    bool take(int64_t now_us);  // both sides, or neither
    void arm();
    void release();
    static std::size_t index(Audience who) { return who == Audience::agents ? 0 : 1; }

    Clock clock_;
    boost::asio::steady_timer timer_;
    TokenBucket frames_;
    TimeShare time_;
    double credit_us_;
    int64_t credit_at_us_;
    double frame_cost_us_ = 100;   // until the first charges say otherwise
    int64_t round_at_us_ = 0;      // the millisecond whose admissions `admitted_in_round_` counts
    int admitted_in_round_ = 0;
    std::array<std::deque<Waiter>, 2> queues_;  // by index(audience)
    std::size_t turn_ = 0;                      // the queue served first at the next release
    bool armed_ = false;
};

}  // namespace sbd
