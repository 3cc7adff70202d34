// shell/panels/call_view.cpp: shared wording about calls (see call_view.h).
#include "call_view.h"

#include <algorithm>
#include <cmath>
#include <cstdio>
#include <optional>

#include "../theme.h"

namespace sb::shell::view {

std::string call_selection(const desk::Call& c) { return "call:" + std::to_string(c.id); }

const desk::Call* selected_call(const desk::DeskState& s, const std::string& selection) {
    if (selection.rfind("call:", 0) != 0) return nullptr;
    const std::string id = selection.substr(5);
    for (const auto& c : s.calls)
        if (std::to_string(c.id) == id) return &c;
    return nullptr;
}

const contact::Contact* call_contact(const desk::DeskState& s, const desk::Call& c) {
    return c.contact.empty() ? nullptr : desk::find_contact(s, c.contact);
}

namespace {
bool looks_like_number(const std::string& s) {
    return !s.empty() && s.find_first_not_of("+0123456789*# ") == std::string::npos;
}
}  // namespace

std::string call_party(const desk::DeskState& s, const desk::Call& c) {
    if (const contact::Contact* k = call_contact(s, c)) {
        const auto& cu = k->customer;
        if (!cu.first_name.empty() || !cu.last_name.empty()) return cu.display_name();
    }
    if (!c.name.empty()) return c.name;
    if (const contact::Contact* k = call_contact(s, c); k && k->call && !k->call->number.empty()) return k->call->number;
    if (!c.number.empty()) return c.number;
    return "Unknown caller";
}

std::string call_number(const desk::DeskState& s, const desk::Call& c) {
    std::string n = c.number;
    if (const contact::Contact* k = call_contact(s, c); k && k->call && !k->call->number.empty()) n = k->call->number;
    if (n.empty() || n == call_party(s, c)) return {};
    return looks_like_number(n) ? n : "sip:" + n;
}

std::string call_phase_label(const desk::Call& c) {
    using P = desk::CallPhase;
    if (c.hold_request == desk::HoldRequest::Holding) return "Putting on hold…";
    if (c.hold_request == desk::HoldRequest::Resuming) return "Resuming…";
    switch (c.phase) {
        case P::Ringing: return c.outgoing ? "Calling…" : "Ringing";
        case P::Dialing: return c.progress == desk::CallProgress::None ? "Calling…" : "Ringing…";
        case P::Connecting: return "Connecting…";
        case P::Active: return c.held_by_remote ? "Held by caller" : "On call";
        case P::Held: return "On hold";
    }
    return "";
}

ImU32 call_phase_color(const desk::Call& c) {
    using P = desk::CallPhase;
    if (c.phase == P::Held || c.held_by_remote) return theme::color::warning_text;
    if (c.phase == P::Active) return theme::color::success_active;
    return theme::color::text_muted;
}

bool call_is_up(const desk::Call& c) {
    return c.connected_ms > 0 && (c.phase == desk::CallPhase::Active || c.phase == desk::CallPhase::Held);
}

int64_t call_elapsed_ms(const desk::Call& c, int64_t now_ms) {
    const int64_t from = c.connected_ms > 0 ? c.connected_ms : c.since_ms;
    return std::max<int64_t>(0, now_ms - from);
}

CallQuality call_quality(const desk::Call& c) {
    CallQuality q;
    const auto& st = c.stats;
    if (!st.is_object()) return q;
    auto num = [&](const char* k) -> std::optional<double> {
        auto it = st.find(k);
        if (it == st.end() || !it->is_number()) return std::nullopt;
        return it->get<double>();
    };
    char buf[64];
    std::string line;
    auto add = [&](const std::string& part) { line += (line.empty() ? "" : " · ") + part; };
    if (auto v = num("rtt_ms")) { std::snprintf(buf, sizeof buf, "RTT %.0f ms", *v); add(buf); }
    if (auto v = num("jitter_ms")) { std::snprintf(buf, sizeof buf, "jitter %.1f ms", *v); add(buf); }
    if (auto v = num("loss_pct")) { std::snprintf(buf, sizeof buf, "loss %.1f %%", *v); add(buf); }
    if (auto it = st.find("codec"); it != st.end() && it->is_string()) add(it->get<std::string>());
    q.line = line;
    if (auto m = num("mos")) {
        q.mos = *m;
        q.has_figures = true;
        if (*m >= 4.3) q.mos_words = "Excellent", q.mos_color = theme::color::success_active;
        else if (*m >= 4.0) q.mos_words = "Good", q.mos_color = theme::color::success_active;
        else if (*m >= 3.6) q.mos_words = "Fair", q.mos_color = theme::color::amber;
        else q.mos_words = "Poor", q.mos_color = theme::color::danger;
    } else {
        q.has_figures = !line.empty();
    }
    return q;
}

}  // namespace sb::shell::view
