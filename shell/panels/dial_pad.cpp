// shell/panels/dial_pad.cpp: placing a call. A popup under the agent bar's Call button: the
// number (typed, pasted or pressed on the keypad), the queue whose number the customer will see
// (its caller ID, and where the contact is counted), and Call. While the phone is not
// registered it says why and Call stays off.
//
// Sections: pieces · draw_dial_pad
#include <algorithm>
#include <cmath>
#include <string>

#include <imgui.h>

#include "../theme.h"
#include "../widgets.h"
#include "contact_view.h"
#include "memory.h"
#include "panels.h"

namespace sb::shell {

namespace {

namespace color = theme::color;

// ---- pieces ------------------------------------------------------------------------------------
bool phone_registered(const desk::DeskState& s) {
    return s.voice.registration == sip::RegistrationState::registered ||
           s.voice.registration == sip::RegistrationState::refreshing;
}

// Why a call cannot be placed now, or empty.
std::string why_not(const desk::DeskState& s) {
    if (!s.voice.available) return "This desk has no phone: the backend has no telephony.";
    if (s.connection != desk::ConnectionState::Connected) return "Reconnecting to the backend; calls can be placed once it is back.";
    if (!phone_registered(s)) {
        std::string why = "Your phone is not connected";
        if (s.voice.error) why += ": " + s.voice.error->message;
        return why + ".";
    }
    return {};
}

// Characters a number may hold; the rest (spaces, dashes, brackets of a pasted number) are dropped.
int number_filter(ImGuiInputTextCallbackData* data) {
    const ImWchar ch = data->EventChar;
    return (ch >= '0' && ch <= '9') || ch == '+' || ch == '*' || ch == '#' ? 0 : 1;
}

void dial(const desk::DeskState& s, DialMemory& pad, IntentSink& sink) {
    if (pad.number.empty() || !why_not(s).empty()) return;
    sink.dispatch(desk::DialIntent{pad.number, pad.queue, ""});
    pad.number.clear();
    ImGui::CloseCurrentPopup();
}

}  // namespace

// ---- draw_dial_pad -----------------------------------------------------------------------------

void draw_dial_pad(const desk::DeskState& s, IntentSink& sink, PanelContext& ctx, ImVec2 anchor) {
    const auto& f = theme::fonts();
    const ImVec2 key(82.0f, 46.0f);
    const float gap = 8.0f;
    const float inner = ui::keypad_size(key, gap).x;
    const float width = inner + 32.0f;
    DialMemory& pad = ctx.memory.dial;
    ImGui::SetNextWindowPos(anchor, ImGuiCond_Always, ImVec2(1.0f, 0.0f));
    ImGui::SetNextWindowSize(ImVec2(width, 0.0f));
    ImGui::PushStyleVar(ImGuiStyleVar_WindowPadding, ImVec2(16.0f, 14.0f));
    ImGui::PushStyleVar(ImGuiStyleVar_ItemSpacing, ImVec2(8.0f, 8.0f));
    ImGui::PushStyleColor(ImGuiCol_Border, color::border_strong);
    if (!ImGui::BeginPopup(kDialPadPopup, ImGuiWindowFlags_NoMove)) {
        pad.focus = true;  // the next opening puts the caret in the number
        ImGui::PopStyleColor();
        ImGui::PopStyleVar(2);
        return;
    }
    ImDrawList* dl = ImGui::GetWindowDrawList();
    ui::text(f.heading, color::text, "New call");

    const std::string blocked = why_not(s);
    if (!blocked.empty()) {
        const auto lines = ui::wrap_lines(f.small, blocked, inner - 20.0f, 3);
        const ImVec2 o = ImGui::GetCursorScreenPos();
        const float h = 16.0f + static_cast<float>(lines.size()) * (ui::line_height(f.small) + 2.0f);
        dl->AddRectFilled(o, ImVec2(o.x + inner, o.y + h), color::warning_soft, 8.0f);
        dl->AddRect(o, ImVec2(o.x + inner, o.y + h), color::warning_border, 8.0f);
        float ly = o.y + 8.0f;
        for (const auto& ln : lines) {
            ui::draw_text(dl, f.small, ImVec2(o.x + 10.0f, ly), color::warning_text, ln);
            ly += ui::line_height(f.small) + 2.0f;
        }
        ImGui::Dummy(ImVec2(inner, h));
    }

    // The number, with a key that takes back the last digit.
    const float back_w = 44.0f;
    ImGui::SetNextItemWidth(inner - back_w - 8.0f);
    if (pad.focus) {
        ImGui::SetKeyboardFocusHere();
        pad.focus = false;
        ctx.redraw_within(0);
    }
    bool enter = false;
    ui::push_font(f.heading);
    ui::input_text("##dial_number", pad.number, "Phone number", ImGuiInputTextFlags_CallbackCharFilter, &enter,
                   number_filter);
    ImGui::PopFont();
    const float field_h = ImGui::GetItemRectSize().y;
    ImGui::SameLine();
    ImGui::BeginDisabled(pad.number.empty());
    ImGui::PushStyleVar(ImGuiStyleVar_FramePadding, ImVec2(0.0f, 0.0f));
    if (ui::secondary_button("\xE2\x86\x90##back", ImVec2(back_w, field_h)) && !pad.number.empty()) pad.number.pop_back();
    ImGui::PopStyleVar();
    ImGui::EndDisabled();
    if (ImGui::IsItemHovered()) ImGui::SetTooltip("Delete the last digit");

    if (char k = ui::keypad("##dial_keys", key, gap)) {
        pad.number += k;
        ctx.redraw_within(0);
    }

    // Caller ID: the queue the customer sees calling (and where the contact is counted).
    std::vector<const contact::Queue*> with_number;
    for (const auto& q : s.queues)
        if (!q.number.empty()) with_number.push_back(&q);
    if (!with_number.empty()) {
        if (std::none_of(with_number.begin(), with_number.end(), [&](const contact::Queue* q) { return q->code == pad.queue; }))
            pad.queue = with_number.front()->code;
        ui::text(f.small, color::text_muted, "Call as");
        const contact::Queue* current = desk::find_queue(s, pad.queue);
        const std::string preview = current ? (current->name.empty() ? current->code : current->name) + " · " + current->number : "";
        ImGui::SetNextItemWidth(inner);
        ImGui::PushStyleColor(ImGuiCol_Border, color::border_strong);
        ImGui::PushStyleColor(ImGuiCol_Button, color::surface);         // the arrow's square: quiet
        ImGui::PushStyleColor(ImGuiCol_ButtonHovered, color::surface_hover);
        ImGui::PushStyleColor(ImGuiCol_Text, color::text);
        ImGui::PushStyleVar(ImGuiStyleVar_FramePadding, ImVec2(12.0f, 8.0f));
        ImGui::PushStyleVar(ImGuiStyleVar_FrameBorderSize, 1.0f);
        if (ImGui::BeginCombo("##dial_queue", preview.c_str())) {
            for (const contact::Queue* q : with_number) {
                const std::string label = (q->name.empty() ? q->code : q->name) + " · " + q->number;
                if (ImGui::Selectable(label.c_str(), q->code == pad.queue)) pad.queue = q->code;
            }
            ImGui::EndCombo();
        }
        ImGui::PopStyleVar(2);
        ImGui::PopStyleColor(4);
    }

    ImGui::Dummy(ImVec2(inner, 2.0f));
    ImGui::BeginDisabled(!blocked.empty() || pad.number.empty());
    const bool call = ui::success_button("Call", ImVec2(inner, 42.0f));
    ImGui::EndDisabled();
    if (call || enter) dial(s, pad, sink);
    if (ImGui::IsKeyPressed(ImGuiKey_Escape, false)) ImGui::CloseCurrentPopup();
    ImGui::EndPopup();
    ImGui::PopStyleColor();
    ImGui::PopStyleVar(2);
}

}  // namespace sb::shell
