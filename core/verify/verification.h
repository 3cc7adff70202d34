// verify/verification.h: customer identity verification for one contact (docs/verification.md).
//
// A queue's Policy names the steps, in order, that may verify a customer: knowledge questions
// answered from the customer's record (date of birth, postcode, last digits of an account
// number, a security phrase) and a one-time code sent by SMS to the number on file. `required`
// of them must pass. The calling number matching the number on file is only a hint: it is
// shown, never counted.
//
// A contact's Flow is a named state machine; its allowed moves are kMoves in verification.cpp:
//
//   unverified --answer / code sent--> in_progress --enough passed--> verified
//        |                                  |  \--cannot pass any more--> failed
//        +--------------+-------------------+------------------------------+--> locked
//                                        (the customer is locked)             |
//   locked --lock over--> unverified (fresh attempts)  <----------------------+
//
// A verified flow stays verified for its contact (and its transfers), whatever happens to the
// customer later; a new contact starts unverified. Wrong answers also count against the
// customer (CustomerLock) across contacts, agents and channels: `max_failures` of them within
// `lock_ms` lock verification for that customer for `lock_ms`.
//
// Pure: no clock (times are arguments), no storage. The server compares answers after
// normalising them (normalise.h) and feeds the verdicts in; the desk only shows the result.
//
// Sections: steps and states · policy · flow · customer lock · wire form
#pragma once

#include <cstdint>
#include <optional>
#include <string>
#include <string_view>
#include <vector>

#include <nlohmann/json.hpp>

#include "protocol/json_doc.h"

#include "util/result.h"

namespace sb::verify {

// ---- steps and states ---------------------------------------------------------------------------
enum class StepKind { Dob, Postcode, AccountLast4, SecurityPhrase, SmsCode, CallerNumber };
enum class StepState { Pending, Passed, Failed, Unavailable };  // Unavailable: nothing on file
enum class State { Unverified, InProgress, Verified, Failed, Locked };

std::string_view to_string(StepKind k);
std::string_view to_string(StepState s);
std::string_view to_string(State s);
std::optional<StepKind> parse_step(std::string_view s);
std::optional<StepState> parse_step_state(std::string_view s);
std::optional<State> parse_state(std::string_view s);

// What the agent asks the customer (never the stored answer).
std::string_view question(StepKind k);
// caller_number: a hint only; it is never answered and never counts.
inline bool is_hint(StepKind k) { return k == StepKind::CallerNumber; }

bool transition_allowed(State from, State to);

// ---- policy -------------------------------------------------------------------------------------
struct Policy {
    std::vector<StepKind> steps;     // in the order the agent asks them
    int required = 2;                // answerable steps that must pass
    int attempts = 3;                // per step
    int max_failures = 5;            // wrong answers (any contact) before the customer is locked
    int64_t lock_ms = 30 * 60 * 1000;
};

// Checks a policy: known steps, none twice, 1 <= required <= answerable steps, attempts 1-10,
// max_failures >= 1, lock_ms > 0. Errors: bad_policy, naming what is wrong.
Status check_policy(const Policy& p);
// "dob,postcode,sms_code" <-> steps; errors: bad_policy.
Result<std::vector<StepKind>> parse_steps(std::string_view comma_separated);
std::string steps_text(const std::vector<StepKind>& steps);
// For a queue without its own: dob, postcode, sms_code (two of them), caller_number as a hint.
Policy default_policy();

// ---- flow ---------------------------------------------------------------------------------------
struct Step {
    StepKind kind = StepKind::Dob;
    StepState state = StepState::Pending;
    int attempts_left = 0;
    friend bool operator==(const Step&, const Step&) = default;
};

// What is on the customer's record (for which steps can be asked at all).
struct OnFile {
    bool dob = false, postcode = false, account = false, security_phrase = false, phone = false;
};

struct Flow {
    State state = State::Unverified;
    int required = 0;
    int attempts = 0;                  // per step, for a fresh start after a lock
    std::vector<Step> steps;           // answerable steps only, in the policy's order
    bool caller_hint = false;          // the policy shows the caller-number hint
    // Filled in by whoever shows the flow (the server), not part of the machine:
    int64_t locked_until_ms = 0;       // locked: until when (server clock)
    int64_t code_expires_at_ms = 0;    // sms_code: the code sent is good until then (0: none sent)
    std::string caller_number;         // voice: "match", "mismatch" or "withheld"; else ""
    friend bool operator==(const Flow&, const Flow&) = default;
};

// A new flow for a contact: the policy's steps, those with nothing on file Unavailable.
Flow start_flow(const Policy& p, const OnFile& on_file);

int passed_count(const Flow& f);
// Steps still open (pending): with the passes, can the flow still verify?
bool can_still_verify(const Flow& f);
const Step* find_step(const Flow& f, StepKind k);

// The agent checked an answer and the server compared it. Errors (the flow is unchanged):
// verification_locked, wrong_state (verified, failed, or the step is not pending),
// unknown_step (not a step of this flow), bad_message (caller_number is a hint).
Result<Flow> answer(const Flow& f, StepKind step, bool correct);
// A code was sent: unverified -> in_progress (the flow has begun); else unchanged. Errors as
// answer() for a flow that cannot take one (locked, verified, failed, no sms_code step).
Result<Flow> code_sent(const Flow& f);
// The customer is locked: every flow that is not verified is locked.
Flow lock(const Flow& f, int64_t until_ms);
// The lock is over: a locked flow starts again, every available step with fresh attempts.
Flow unlock(const Flow& f);

// ---- customer lock --------------------------------------------------------------------------------
struct CustomerLock {
    int failures = 0;             // wrong answers in the current window
    int64_t window_start_ms = 0;  // the first of them
    int64_t locked_until_ms = 0;  // 0: not locked
    friend bool operator==(const CustomerLock&, const CustomerLock&) = default;
};
bool is_locked(const CustomerLock& l, int64_t now_ms);
// A wrong answer at `now`: counted in a window of lock_ms (an older window starts again); the
// max_failures-th locks the customer until now + lock_ms. An expired lock starts from nothing.
CustomerLock record_failure(const CustomerLock& l, const Policy& p, int64_t now_ms);

// ---- wire form (docs/protocol.md, "Verification") ---------------------------------------------------
nlohmann::json to_json(const Flow& f);
// Errors: bad_message, naming the field's path (`where` begins it). Never throws.
Result<Flow> flow_from_json(const protocol::JsonValue& j, const std::string& where = "verification");
Result<Flow> flow_from_json(const nlohmann::json& j, const std::string& where = "verification");  // through a JsonDoc

}  // namespace sb::verify
