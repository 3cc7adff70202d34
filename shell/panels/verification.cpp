// shell/panels/verification.cpp: the verification checklist of the selected contact
// (docs/verification.md), drawn in the customer card above the sensitive section.
//
// The flow's state as a chip; how many steps must pass; for calls, whether the calling number
// matches the number on file (a hint only); each step with its question, an answer field and
// Check (Enter checks too), its state (pending, passed, failed, nothing on file) and attempts
// left; "Send code" for the SMS code, then its expiry; and, when the customer is locked, until
// when. The agent types what the customer says: the backend compares and answers; nothing here
// knows a stored answer.
//
// Sections: pieces · draw_verification · draw_padlock
#include <algorithm>
#include <cmath>
#include <string>

#include <imgui.h>

#include "../format.h"
#include "../theme.h"
#include "../widgets.h"
#include "contact_view.h"
#include "memory.h"
#include "panels.h"

namespace sb::shell {

namespace {

namespace color = theme::color;
using verify::StepKind;
using verify::StepState;

// ---- pieces ------------------------------------------------------------------------------------
const char* step_label(StepKind k) {
    switch (k) {
        case StepKind::Dob: return "Date of birth";
        case StepKind::Postcode: return "Postcode";
        case StepKind::AccountLast4: return "Account number";
        case StepKind::SecurityPhrase: return "Security phrase";
        case StepKind::SmsCode: return "SMS code";
        case StepKind::CallerNumber: return "Caller ID";
    }
    return "";
}

const char* answer_hint(StepKind k) {
    switch (k) {
        case StepKind::Dob: return "e.g. 7 March 1984";
        case StepKind::Postcode: return "e.g. SW1A 1AA";
        case StepKind::AccountLast4: return "Last four digits";
        case StepKind::SecurityPhrase: return "The phrase, as said";
        case StepKind::SmsCode: return "6-digit code";
        case StepKind::CallerNumber: return "";
    }
    return "";
}

struct StateLook {
    const char* label;
    ImU32 bg, fg;
};
StateLook look(verify::State s) {
    switch (s) {
        case verify::State::Unverified: return {"Not verified", color::surface_active, color::text_muted};
        case verify::State::InProgress: return {"In progress", color::amber_soft, color::warning_text};
        case verify::State::Verified: return {"Verified", color::success_soft, color::success_active};
        case verify::State::Failed: return {"Failed", color::danger_soft, color::danger};
        case verify::State::Locked: return {"Locked", color::danger_soft, color::danger};
    }
    return {"", color::surface_active, color::text_muted};
}

// The round mark left of a step: an empty ring (pending), a green tick, a red cross, a dash.
void step_mark(ImDrawList* dl, ImVec2 c, StepState st) {
    const float r = 8.0f;
    switch (st) {
        case StepState::Pending: dl->AddCircle(c, r, color::border_strong, 24, 1.6f); break;
        case StepState::Passed:
            dl->AddCircleFilled(c, r, color::success, 24);
            dl->AddLine(ImVec2(c.x - 3.8f, c.y + 0.2f), ImVec2(c.x - 1.0f, c.y + 3.0f), color::on_accent, 1.8f);
            dl->AddLine(ImVec2(c.x - 1.0f, c.y + 3.0f), ImVec2(c.x + 4.0f, c.y - 3.0f), color::on_accent, 1.8f);
            break;
        case StepState::Failed:
            dl->AddCircleFilled(c, r, color::danger, 24);
            dl->AddLine(ImVec2(c.x - 3.0f, c.y - 3.0f), ImVec2(c.x + 3.0f, c.y + 3.0f), color::on_accent, 1.8f);
            dl->AddLine(ImVec2(c.x + 3.0f, c.y - 3.0f), ImVec2(c.x - 3.0f, c.y + 3.0f), color::on_accent, 1.8f);
            break;
        case StepState::Unavailable:
            dl->AddCircle(c, r, color::border, 24, 1.4f);
            dl->AddLine(ImVec2(c.x - 3.5f, c.y), ImVec2(c.x + 3.5f, c.y), color::text_faint, 1.6f);
            break;
    }
}

// A soft box with a line of text: the lock, the caller-number hint.
void notice_box(const std::string& text, ImU32 bg, ImU32 fg, float w, bool padlock = false) {
    const auto& f = theme::fonts();
    ImDrawList* dl = ImGui::GetWindowDrawList();
    const ImVec2 o = ImGui::GetCursorScreenPos();
    const float pad = 10.0f, icon = padlock ? 20.0f : 0.0f;
    const float inner = w - 2.0f * pad - icon;
    const ImVec2 ts = f.small->CalcTextSizeA(ui::line_height(f.small), FLT_MAX, inner, text.c_str());
    const float h = ts.y + 2.0f * 8.0f;
    dl->AddRectFilled(o, ImVec2(o.x + w, o.y + h), bg, 8.0f);
    if (padlock) draw_padlock(dl, ImVec2(o.x + pad + 6.0f, o.y + h * 0.5f), 12.0f, fg, false);
    dl->AddText(f.small, ui::line_height(f.small), ImVec2(o.x + pad + icon, o.y + 8.0f), fg, text.c_str(), nullptr, inner);
    ImGui::Dummy(ImVec2(w, h));
}

// One step: mark, name, state on the right; then, while it can be answered, its question and
// the answer row (or Send code).
void step_row(const contact::Contact& c, const verify::Flow& flow, const verify::Step& step, bool can_answer,
              int64_t now, IntentSink& sink, PanelContext& ctx, float w) {
    const auto& f = theme::fonts();
    ImDrawList* dl = ImGui::GetWindowDrawList();
    const ImVec2 o = ImGui::GetCursorScreenPos();
    const float row_h = ui::line_height(f.strong) + 4.0f;
    step_mark(dl, ImVec2(o.x + 9.0f, o.y + row_h * 0.5f), step.state);
    std::string right;
    ImU32 right_col = color::text_muted;
    switch (step.state) {
        case StepState::Passed: right = "Passed", right_col = color::success_active; break;
        case StepState::Failed: right = "No attempts left", right_col = color::danger; break;
        case StepState::Unavailable: right = "Nothing on file", right_col = color::text_faint; break;
        case StepState::Pending:
            if (flow.state == verify::State::Verified) {
                right = "Not needed", right_col = color::text_faint;
                break;
            }
            right = std::to_string(step.attempts_left) + (step.attempts_left == 1 ? " attempt left" : " attempts left");
            if (step.attempts_left == 1) right_col = color::warning_text;
            break;
    }
    const float rw = ui::text_size(f.small, right).x;
    ui::draw_text(dl, f.small, ImVec2(o.x + w - rw, o.y + 3.0f), right_col, right);
    ui::draw_text(dl, f.strong, ImVec2(o.x + 26.0f, o.y + 1.0f),
                  step.state == StepState::Unavailable ? color::text_faint : color::text,
                  ui::ellipsize(f.strong, step_label(step.kind), w - 26.0f - rw - 8.0f));
    ImGui::Dummy(ImVec2(w, row_h));
    if (step.state != StepState::Pending || !can_answer) return;

    ImGui::Indent(26.0f);
    const float iw = w - 26.0f;
    ImGui::SetCursorPosY(ImGui::GetCursorPosY() - 4.0f);
    ui::push_font(f.small);
    ImGui::PushStyleColor(ImGuiCol_Text, color::text_muted);
    ImGui::PushTextWrapPos(ImGui::GetCursorPosX() + iw);
    const bool sms = step.kind == StepKind::SmsCode;
    const bool code_out = sms && flow.code_expires_at_ms > now;
    std::string prompt(verify::question(step.kind));
    if (sms && !code_out) {
        const std::string& phone = c.customer.phone;
        prompt = "Text a 6-digit code to the phone on file" +
                 (phone.size() >= 4 ? " (ending " + phone.substr(phone.size() - 4) + ")" : std::string()) +
                 ", then ask the customer to read it back.";
    }
    ImGui::TextUnformatted(prompt.c_str());
    ImGui::PopTextWrapPos();
    ImGui::PopStyleColor();
    ImGui::PopFont();

    const float bh = 32.0f;
    ImGui::PushStyleVar(ImGuiStyleVar_FramePadding, ImVec2(12.0f, 7.0f));
    if (sms && !code_out) {
        const std::string label = "Send code";
        const float bw = ui::text_size(f.body, label).x + 28.0f;
        if (ui::primary_button(label.c_str(), ImVec2(bw, bh))) sink.dispatch(desk::VerifySendCodeIntent{c.id});
        if (ImGui::IsItemHovered()) ImGui::SetTooltip("Text a one-time code to the number on file");
    } else {
        // What the agent has typed per contact and step, until they check it.
        std::string& answer = ctx.memory.answers.at(c.id)[step.kind];
        const float bw = ui::text_size(f.body, "Check").x + 28.0f;
        ImGui::SetNextItemWidth(iw - bw - 8.0f);
        bool enter = false;
        const std::string id = "##answer_" + std::string(verify::to_string(step.kind));
        ui::input_text(id.c_str(), answer, answer_hint(step.kind), 0, &enter);
        ImGui::SameLine(0.0f, 8.0f);
        // Always drawn enabled: a Check with nothing typed does nothing (the field says what to type).
        const bool blank = answer.find_first_not_of(" \t") == std::string::npos;
        const bool clicked = ui::primary_button("Check", ImVec2(bw, bh));
        if (ImGui::IsItemHovered()) ImGui::SetTooltip("The server compares the answer; you never see what is on file");
        if ((clicked || enter) && !blank) {
            sink.dispatch(desk::VerifyAnswerIntent{c.id, std::string(verify::to_string(step.kind)), answer});
            answer.clear();
        }
        if (code_out) {
            const int64_t left = flow.code_expires_at_ms - now;
            ui::text(f.small, color::text_faint, "Code sent · expires in " + ui::format_duration(left + 999));
            ctx.redraw_within(ui::ms_to_next_second(flow.code_expires_at_ms, now));
        }
    }
    ImGui::PopStyleVar();
    ImGui::Unindent(26.0f);
    ImGui::Dummy(ImVec2(w, 2.0f));
}

}  // namespace

// ---- draw_verification ---------------------------------------------------------------------------

void draw_verification(const desk::DeskState& s, const contact::Contact& c, IntentSink& sink, PanelContext& ctx,
                       float w) {
    const auto& f = theme::fonts();
    if (!c.verification) return;  // a backend without verification
    const verify::Flow& flow = *c.verification;
    const int64_t now = view::server_now(s, ctx.now_ms);
    ImDrawList* dl = ImGui::GetWindowDrawList();

    // Title row: "Verification" and the state chip.
    ImGui::Dummy(ImVec2(0.0f, 2.0f));
    const ImVec2 o = ImGui::GetCursorScreenPos();
    ui::text(f.strong, color::text, "Verification");
    const StateLook st = look(flow.state);
    const ImVec2 chip = ui::chip_size(st.label);
    ui::draw_chip(dl, ImVec2(o.x + w - chip.x, o.y - 1.0f), st.label, st.bg, st.fg);
    ImGui::SetCursorPosY(ImGui::GetCursorPosY() - 4.0f);

    const bool active = c.state == contact::ContactState::Active;
    const bool open = flow.state == verify::State::Unverified || flow.state == verify::State::InProgress;
    std::string sub;
    if (flow.state == verify::State::Verified) sub = "Identity confirmed for this contact.";
    else if (flow.state == verify::State::Failed) sub = "Not enough steps left to verify on this contact.";
    else if (open && !verify::can_still_verify(flow))
        sub = "Not enough on file to verify this customer here.";
    else if (flow.state != verify::State::Locked)
        sub = std::to_string(flow.required) + " of " + std::to_string(flow.steps.size()) + " steps must pass.";
    if (open && c.state == contact::ContactState::Offered) sub += " Accept the contact to begin.";
    if (!sub.empty()) ui::text(f.small, color::text_muted, ui::ellipsize(f.small, sub, w));

    if (flow.state == verify::State::Locked) {
        std::string until = flow.locked_until_ms ? ui::format_clock(flow.locked_until_ms) : std::string("later");
        notice_box("Locked after too many wrong answers. Verification opens again at " + until +
                       "; no one can verify this customer until then.",
                   color::danger_soft, color::danger, w, true);
        if (flow.locked_until_ms > now) ctx.redraw_within(std::min<int64_t>(60'000, flow.locked_until_ms - now));
    }
    if (!flow.caller_number.empty()) {
        if (flow.caller_number == "match")
            notice_box("Caller ID matches the number on file (a hint, not a check).", color::success_soft,
                       color::success_active, w);
        else if (flow.caller_number == "mismatch")
            notice_box("Caller ID differs from the number on file.", color::amber_soft, color::warning_text, w);
        else
            notice_box("The caller's number is withheld.", color::surface_active, color::text_muted, w);
    }
    ImGui::Dummy(ImVec2(w, 2.0f));
    for (const verify::Step& step : flow.steps) {
        ImGui::PushID(static_cast<int>(step.kind));
        step_row(c, flow, step, active && open, now, sink, ctx, w);
        ImGui::PopID();
    }
}

// ---- draw_padlock -----------------------------------------------------------------------------------

void draw_padlock(ImDrawList* dl, ImVec2 c, float size, ImU32 col, bool open) {
    const float bw = size, bh = size * 0.72f;
    const ImVec2 body_min(c.x - bw * 0.5f, c.y - bh * 0.5f + size * 0.18f);
    const ImVec2 body_max(c.x + bw * 0.5f, body_min.y + bh);
    const float r = bw * 0.32f;
    const float shackle_x = open ? c.x + bw * 0.22f : c.x;
    const ImVec2 arc_c(shackle_x, body_min.y - r * 0.15f);
    dl->PathArcTo(arc_c, r, 3.14159265f, 2.0f * 3.14159265f, 12);
    dl->PathStroke(col, 0, 1.6f);
    dl->AddLine(ImVec2(arc_c.x - r, arc_c.y), ImVec2(arc_c.x - r, open ? arc_c.y + 1.0f : body_min.y), col, 1.6f);
    dl->AddLine(ImVec2(arc_c.x + r, arc_c.y), ImVec2(arc_c.x + r, body_min.y), col, 1.6f);
    dl->AddRectFilled(body_min, body_max, col, 2.0f);
}

}  // namespace sb::shell
