// anonymous_pacer.cpp: see anonymous_pacer.h.
#include "server/net/anonymous_pacer.h"

#include <boost/asio/post.hpp>

namespace sbd {

AnonymousPacer::AnonymousPacer(boost::asio::any_io_executor executor, RateSpec spec)
    : timer_(executor), budget_(spec, now_ms()) {}

int64_t AnonymousPacer::now_ms() {
    using namespace std::chrono;
    return duration_cast<milliseconds>(steady_clock::now().time_since_epoch()).count();
}

bool AnonymousPacer::admit(std::weak_ptr<void> alive, std::function<void()> resume) {
    // Nobody ahead: straight through while the budget lasts. Otherwise behind those waiting.
    if (waiting_.empty() && budget_.take(now_ms())) return true;
    waiting_.push_back({std::move(alive), std::move(resume)});
    arm();
    return false;
}

void AnonymousPacer::arm() {
    if (armed_ || waiting_.empty()) return;
    armed_ = true;
    timer_.expires_after(std::chrono::milliseconds(std::max<int64_t>(1, budget_.wait_ms(now_ms()))));
    timer_.async_wait([this](const boost::system::error_code& ec) {
        armed_ = false;
        if (!ec) release();
    });
}

void AnonymousPacer::release() {
    int64_t now = now_ms();
    while (!waiting_.empty()) {
        if (waiting_.front().alive.expired()) {  // gone while waiting
            waiting_.pop_front();
            continue;
        }
        if (!budget_.take(now)) break;
        // Posted, not called: each resumed read is its own turn of the loop, between other work.
        boost::asio::post(timer_.get_executor(), std::move(waiting_.front().resume));
        waiting_.pop_front();
    }
    arm();
}

}  // namespace sbd
