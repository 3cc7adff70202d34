// verify/verification.cpp: the verification flow's state machine and the customer lock (see
// verification.h). kMoves is the table of allowed moves; every change goes through move().
#include "verify/verification.h"

#include <algorithm>
#include <utility>

#include "protocol/reader.h"

namespace sb::verify {

namespace {
using S = State;
constexpr std::pair<S, S> kMoves[] = {
    {S::Unverified, S::InProgress}, {S::Unverified, S::Verified},   {S::Unverified, S::Failed},
    {S::Unverified, S::Locked},
    {S::InProgress, S::InProgress}, {S::InProgress, S::Verified},   {S::InProgress, S::Failed},
    {S::InProgress, S::Locked},
    {S::Failed, S::Locked},
    {S::Locked, S::Unverified},
};

struct StepName {
    StepKind kind;
    const char* name;
    const char* question;
};
constexpr StepName kSteps[] = {
    {StepKind::Dob, "dob", "What is your date of birth?"},
    {StepKind::Postcode, "postcode", "What is the postcode (ZIP code) of your address?"},
    {StepKind::AccountLast4, "account_last4", "What are the last four digits of your account number?"},
    {StepKind::SecurityPhrase, "security_phrase", "What is your security phrase?"},
    {StepKind::SmsCode, "sms_code", "What is the 6-digit code we just sent to the phone number on file?"},
    {StepKind::CallerNumber, "caller_number", "Is the caller calling from the number on file?"},
};

Error wrong_state(std::string message) { return make_error("wrong_state", std::move(message)); }

// The flow's state after its steps changed: verified, failed, or (having begun) in progress.
State settle(const Flow& f) {
    if (passed_count(f) >= f.required) return S::Verified;
    if (!can_still_verify(f)) return S::Failed;
    return S::InProgress;
}

Flow move(Flow f, State to) {
    // Only the table's moves happen; anything else leaves the state as it was.
    if (f.state == to || transition_allowed(f.state, to)) f.state = to;
    return f;
}

Status can_take_answers(const Flow& f) {
    switch (f.state) {
        case S::Locked:
            return make_error("verification_locked",
                              "Verification is locked for this customer after too many wrong answers.");
        case S::Verified: return wrong_state("This contact is already verified.");
        case S::Failed:
            return wrong_state("Verification failed on this contact: no step left that could pass.");
        default: return Ok{};
    }
}
}  // namespace

// ---- steps and states ---------------------------------------------------------------------------
std::string_view to_string(StepKind k) {
    for (const auto& s : kSteps)
        if (s.kind == k) return s.name;
    return "dob";
}

std::string_view question(StepKind k) {
    for (const auto& s : kSteps)
        if (s.kind == k) return s.question;
    return "";
}

std::optional<StepKind> parse_step(std::string_view name) {
    for (const auto& s : kSteps)
        if (name == s.name) return s.kind;
    return std::nullopt;
}

std::string_view to_string(StepState s) {
    switch (s) {
        case StepState::Pending: return "pending";
        case StepState::Passed: return "passed";
        case StepState::Failed: return "failed";
        case StepState::Unavailable: return "unavailable";
    }
    return "pending";
}

std::optional<StepState> parse_step_state(std::string_view s) {
    for (StepState v : {StepState::Pending, StepState::Passed, StepState::Failed, StepState::Unavailable})
        if (s == to_string(v)) return v;
    return std::nullopt;
}

std::string_view to_string(State s) {
    switch (s) {
        case S::Unverified: return "unverified";
        case S::InProgress: return "in_progress";
        case S::Verified: return "verified";
        case S::Failed: return "failed";
        case S::Locked: return "locked";
    }
    return "unverified";
}

std::optional<State> parse_state(std::string_view s) {
    for (State v : {S::Unverified, S::InProgress, S::Verified, S::Failed, S::Locked})
        if (s == to_string(v)) return v;
    return std::nullopt;
}

bool transition_allowed(State from, State to) {
    return std::find(std::begin(kMoves), std::end(kMoves), std::pair{from, to}) != std::end(kMoves);
}

// ---- policy -------------------------------------------------------------------------------------
Status check_policy(const Policy& p) {
    auto bad = [](std::string m) { return make_error("bad_policy", std::move(m)); };
    int answerable = 0;
    for (std::size_t i = 0; i < p.steps.size(); ++i) {
        if (std::find(p.steps.begin(), p.steps.begin() + i, p.steps[i]) != p.steps.begin() + i)
            return bad("step " + std::string(to_string(p.steps[i])) + " is listed twice.");
        if (!is_hint(p.steps[i])) ++answerable;
    }
    if (p.required < 1 || p.required > answerable)
        return bad("required must be 1 to " + std::to_string(answerable) + " (the steps that can be answered).");
    if (p.attempts < 1 || p.attempts > 10) return bad("attempts must be 1 to 10.");
    if (p.max_failures < 1) return bad("max_failures must be at least 1.");
    if (p.lock_ms <= 0) return bad("lock_ms must be positive.");
    return Ok{};
}

Result<std::vector<StepKind>> parse_steps(std::string_view text) {
    std::vector<StepKind> out;
    while (!text.empty()) {
        auto comma = text.find(',');
        std::string_view name = text.substr(0, comma);
        text = comma == std::string_view::npos ? std::string_view() : text.substr(comma + 1);
        while (!name.empty() && name.front() == ' ') name.remove_prefix(1);
        while (!name.empty() && name.back() == ' ') name.remove_suffix(1);
        auto k = parse_step(name);
        if (!k) return make_error("bad_policy", "unknown step \"" + std::string(name.substr(0, 32)) + "\".");
        out.push_back(*k);
    }
    return out;
}

std::string steps_text(const std::vector<StepKind>& steps) {
    std::string out;
    for (StepKind k : steps) out += (out.empty() ? "" : ",") + std::string(to_string(k));
    return out;
}

Policy default_policy() {
    Policy p;
    p.steps = {StepKind::Dob, StepKind::Postcode, StepKind::SmsCode, StepKind::CallerNumber};
    return p;
}

// ---- flow ---------------------------------------------------------------------------------------
Flow start_flow(const Policy& p, const OnFile& on_file) {
    Flow f;
    f.required = p.required;
    f.attempts = p.attempts;
    for (StepKind k : p.steps) {
        if (is_hint(k)) {
            f.caller_hint = true;
            continue;
        }
        bool have = (k == StepKind::Dob && on_file.dob) || (k == StepKind::Postcode && on_file.postcode) ||
                    (k == StepKind::AccountLast4 && on_file.account) ||
                    (k == StepKind::SecurityPhrase && on_file.security_phrase) ||
                    (k == StepKind::SmsCode && on_file.phone);
        f.steps.push_back(Step{k, have ? StepState::Pending : StepState::Unavailable, have ? p.attempts : 0});
    }
    return f;
}

int passed_count(const Flow& f) {
    return static_cast<int>(std::count_if(f.steps.begin(), f.steps.end(),
                                          [](const Step& s) { return s.state == StepState::Passed; }));
}

bool can_still_verify(const Flow& f) {
    int open = static_cast<int>(std::count_if(f.steps.begin(), f.steps.end(),
                                              [](const Step& s) { return s.state == StepState::Pending; }));
    return passed_count(f) + open >= f.required;
}

const Step* find_step(const Flow& f, StepKind k) {
    for (const Step& s : f.steps)
        if (s.kind == k) return &s;
    return nullptr;
}

Result<Flow> answer(const Flow& f, StepKind kind, bool correct) {
    if (auto ok = can_take_answers(f); !ok) return ok.error();
    if (is_hint(kind))
        return make_error("bad_message", "caller_number is a hint shown to the agent; it cannot be answered.");
    auto it = std::find_if(f.steps.begin(), f.steps.end(), [&](const Step& s) { return s.kind == kind; });
    if (it == f.steps.end())
        return make_error("unknown_step", "Step " + std::string(to_string(kind)) + " is not part of this contact's verification.");
    switch (it->state) {
        case StepState::Passed: return wrong_state("Step " + std::string(to_string(kind)) + " has already passed.");
        case StepState::Failed: return wrong_state("Step " + std::string(to_string(kind)) + " has no attempts left.");
        case StepState::Unavailable:
            return wrong_state("Step " + std::string(to_string(kind)) + " cannot be asked: nothing on file.");
        case StepState::Pending: break;
    }
    Flow next = f;
    Step& step = next.steps[static_cast<std::size_t>(it - f.steps.begin())];
    if (correct) {
        step.state = StepState::Passed;
    } else {
        step.attempts_left = std::max(0, step.attempts_left - 1);
        if (step.attempts_left == 0) step.state = StepState::Failed;
    }
    State to = settle(next);
    return move(std::move(next), to);
}

Result<Flow> code_sent(const Flow& f) {
    if (auto ok = can_take_answers(f); !ok) return ok.error();
    const Step* s = find_step(f, StepKind::SmsCode);
    if (!s) return make_error("unknown_step", "This contact's verification has no SMS code step.");
    if (s->state != StepState::Pending)
        return wrong_state(s->state == StepState::Unavailable ? "No phone number on file to send a code to."
                                                              : "The SMS code step is over (" +
                                                                    std::string(to_string(s->state)) + ").");
    return move(f, S::InProgress);
}

Flow lock(const Flow& f, int64_t until_ms) {
    if (f.state == S::Verified) return f;
    Flow next = move(f, S::Locked);
    next.locked_until_ms = until_ms;
    return next;
}

Flow unlock(const Flow& f) {
    if (f.state != S::Locked) return f;
    Flow next = move(f, S::Unverified);
    next.locked_until_ms = 0;
    next.code_expires_at_ms = 0;
    for (Step& s : next.steps) {
        if (s.state == StepState::Unavailable) continue;
        s.state = StepState::Pending;
        s.attempts_left = next.attempts;
    }
    return next;
}

// ---- customer lock --------------------------------------------------------------------------------
bool is_locked(const CustomerLock& l, int64_t now_ms) { return l.locked_until_ms > now_ms; }

CustomerLock record_failure(const CustomerLock& l, const Policy& p, int64_t now_ms) {
    CustomerLock next = l;
    bool lock_over = l.locked_until_ms != 0 && l.locked_until_ms <= now_ms;
    if (lock_over || l.failures == 0 || now_ms - l.window_start_ms >= p.lock_ms) next = CustomerLock{0, now_ms, 0};
    if (is_locked(next, now_ms)) return next;  // already locked: nothing more to count
    next.failures += 1;
    if (next.failures >= p.max_failures) next.locked_until_ms = now_ms + p.lock_ms;
    return next;
}

// ---- wire form --------------------------------------------------------------------------------------
nlohmann::json to_json(const Flow& f) {
    nlohmann::json steps = nlohmann::json::array();
    for (const Step& s : f.steps) {
        nlohmann::json j = {{"step", std::string(to_string(s.kind))},
                            {"question", std::string(question(s.kind))},
                            {"state", std::string(to_string(s.state))},
                            {"attempts_left", s.attempts_left}};
        if (s.kind == StepKind::SmsCode)
            j["code_expires_at"] = f.code_expires_at_ms ? nlohmann::json(f.code_expires_at_ms) : nlohmann::json(nullptr);
        steps.push_back(std::move(j));
    }
    return {{"state", std::string(to_string(f.state))},
            {"required", f.required},
            {"steps", std::move(steps)},
            {"caller_number", f.caller_hint && !f.caller_number.empty() ? nlohmann::json(f.caller_number)
                                                                         : nlohmann::json(nullptr)},
            {"locked_until", f.state == S::Locked && f.locked_until_ms ? nlohmann::json(f.locked_until_ms)
                                                                        : nlohmann::json(nullptr)}};
}

Result<Flow> flow_from_json(const protocol::JsonValue& j, const std::string& where) {
    protocol::Fields f(j, where);
    Flow flow;
    if (auto st = parse_state(f.str("state"))) flow.state = *st;
    else if (f.ok()) f.fail("state", "a verification state");
    flow.required = static_cast<int>(f.integer("required"));
    auto steps = protocol::decode_list<Step>(f.array("steps"), f.path("steps"),
                                             [&flow](const protocol::JsonValue& s, const std::string& path) -> Result<Step> {
        protocol::Fields sf(s, path);
        Step step;
        if (auto k = parse_step(sf.str("step"))) step.kind = *k;
        else if (sf.ok()) sf.fail("step", "a verification step");
        if (auto st = parse_step_state(sf.str("state"))) step.state = *st;
        else if (sf.ok()) sf.fail("state", "a step state");
        step.attempts_left = static_cast<int>(sf.integer("attempts_left"));
        auto expires = sf.integer_or_null("code_expires_at");
        if (sf.ok() && step.kind == StepKind::SmsCode && expires) flow.code_expires_at_ms = *expires;
        return sf.done(step);
    });
    if (!steps) f.fail_with(steps.error());
    else flow.steps = std::move(steps.value());
    flow.caller_number = f.str_or_null("caller_number");
    flow.caller_hint = !flow.caller_number.empty();
    flow.attempts = static_cast<int>(f.integer_or("attempts", 0));
    flow.locked_until_ms = f.integer_or_null("locked_until").value_or(0);
    return f.done(std::move(flow));
}

Result<Flow> flow_from_json(const nlohmann::json& j, const std::string& where) {
    return flow_from_json(protocol::JsonDoc::from(j).root(), where);
}

}  // namespace sb::verify
