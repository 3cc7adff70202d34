// demo_seed.h: the demo data a fresh database gets on first run (unless --no-seed): three
// agents (password "switchboard"), the reason codes and two queues. scripts/run prints the
// credentials.
#pragma once

#include "store.h"

namespace sbd {

// Seeds only when the agents table is empty. Returns whether it seeded.
sb::Result<bool> seed_demo_data(Store& store, int64_t now);

}  // namespace sbd
