// demo_seed.h: what a database gets when switchboardd starts (main.cpp calls seed_database).
//
// Always, where it is missing: the starter configuration, which names no person and holds no
// secret: the reason codes, the two queues (support 7001, sales 7002) with their labels, skills,
// dispositions and verification policies, and the canned responses. A real deployment edits them.
//
// Only with --demo, on an empty database: the demo. Agents alice (support + sales), bob (support),
// carol (sales), supervisor sam, all with the published password "switchboard" and no second
// factor, and erin (same password, second factor required); customers with accounts, history and
// verification answers; a stored card. scripts/run passes --demo and prints the credentials.
// Without --demo nobody can sign in until `switchboardd admin add-agent` creates an account
// (docs/operations.md, "Accounts").
#pragma once

#include <string>
#include <vector>

#include "server/store/store.h"

namespace sbd {

// The starter configuration, then (demo) the demo. Returns a line for the log per part it added.
sb::Result<std::vector<std::string>> seed_database(Store& store, int64_t now, bool demo);

// The parts, each only where it is missing (seed_database runs them in this order):
// the starter configuration. Returns whether it added anything.
sb::Result<bool> seed_starter_configuration(Store& store);
// The demo agents (with the starter configuration first), only when there is no agent at all.
// Returns whether it seeded.
sb::Result<bool> seed_demo_data(Store& store, int64_t now);
// The demo agents' skills and capacities, and the demo customers with their accounts and history:
// only on a demo database (alice exists) without customers. Returns whether it seeded.
sb::Result<bool> seed_contact_demo_data(Store& store, int64_t now);
// Sign-in's second factor in the demo: alice, bob, carol and sam sign in with their password alone
// (policy "off"); erin must enroll an authenticator app ("required"). Only on a demo database
// (alice exists) without erin. Returns whether it seeded.
sb::Result<bool> seed_mfa_demo_data(Store& store, int64_t now);
// The demo customers' verification answers (dates of birth, addresses, postcodes, account numbers,
// security phrases, hashed) and Marcus Lee's stored card (docs/verification.md, docs/payments.md).
// Only while cu-1001 has no date of birth. Returns whether it seeded.
sb::Result<bool> seed_verification_demo_data(Store& store);

}  // namespace sbd
