// clock.h: server time as an input (ms since the Unix epoch), so the protocol logic can be
// driven by a test's clock.
#pragma once

#include <cstdint>
#include <functional>

namespace sbd {
using Clock = std::function<int64_t()>;
}  // namespace sbd
