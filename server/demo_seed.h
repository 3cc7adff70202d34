// demo_seed.h: the demo data a fresh database gets on first run (unless --no-seed): three
// agents (password "switchboard"), the reason codes and two queues; then, once, the contact
// demo data: queue labels and dispositions, skills (alice: support + sales, bob: support,
// carol: sales), capacities, customers with accounts and history, canned responses.
// scripts/run prints the credentials.
#pragma once

#include "store.h"

namespace sbd {

// Seeds only when the agents table is empty. Returns whether it seeded.
sb::Result<bool> seed_demo_data(Store& store, int64_t now);

// Seeds only when no queue has dispositions yet (so a database from before contacts gets them
// too). Returns whether it seeded.
sb::Result<bool> seed_contact_demo_data(Store& store, int64_t now);

}  // namespace sbd
