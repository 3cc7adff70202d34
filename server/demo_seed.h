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

// Sign-in's second factor in the demo: alice, bob and carol sign in with their password alone
// (policy "off"); erin (same password) must enroll an authenticator app ("required"). Only on a
// demo database (alice exists) without erin. Returns whether it seeded.
sb::Result<bool> seed_mfa_demo_data(Store& store, int64_t now);

// Customer verification in the demo (docs/verification.md): the demo customers' dates of birth,
// addresses, postcodes, account numbers and security phrases (hashed), and the policies of
// support (two of dob, postcode, SMS code) and sales (account_last4 and security_phrase). Only
// while no queue has a policy. Returns whether it seeded.
sb::Result<bool> seed_verification_demo_data(Store& store);

}  // namespace sbd
