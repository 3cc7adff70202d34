// shell/panels/contact_list.cpp: the left column, the contacts the agent is working.
//
// One row per active or wrap-up contact, in the order they arrived: channel tile, customer,
// the last words, how long the customer has waited for an answer (amber past a minute, red past
// the SLA), unread count; wrap-up rows show the time left to finish; calls show what the phone
// does and the call timer (a call without a contact gets a row of its own). Offers are above, in
// offer.cpp. Clicking a row selects it for the workspace and the customer card.
//
// Sections: one row · draw_contact_list
#include <algorithm>
#include <cmath>
#include <string>

#include <imgui.h>

#include "../format.h"
#include "../theme.h"
#include "../widgets.h"
#include "call_view.h"
#include "contact_view.h"
#include "panels.h"

namespace sb::shell {

namespace {

namespace color = theme::color;
using contact::Contact;
using contact::ContactState;

constexpr float kRowH = 64.0f;

bool listed(const Contact& c) { return c.state == ContactState::Active || c.state == ContactState::WrapUp; }

// ---- one row -----------------------------------------------------------------------------------
void draw_row(const desk::DeskState& s, const Contact& c, PanelContext& ctx, float w) {
    const auto& f = theme::fonts();
    ImDrawList* dl = ImGui::GetWindowDrawList();
    const int64_t now = view::server_now(s, ctx.now_ms);
    const bool selected = ctx.selected_contact == c.id;

    ImGui::PushID(c.id.c_str());
    if (ImGui::InvisibleButton("##row", ImVec2(w, kRowH))) ctx.selected_contact = c.id;
    const bool hovered = ImGui::IsItemHovered();
    ImGui::PopID();
    const ImVec2 a = ImGui::GetItemRectMin(), b = ImGui::GetItemRectMax();
    if (selected) {
        dl->AddRectFilled(a, b, color::accent_soft, theme::kControlRounding);
        dl->AddRectFilled(ImVec2(a.x, a.y + 14.0f), ImVec2(a.x + 3.0f, b.y - 14.0f), color::accent, 1.5f);
    } else if (hovered) {
        dl->AddRectFilled(a, b, color::surface_hover, theme::kControlRounding);
    }

    ui::channel_tile(dl, c.channel, ImVec2(a.x + 30.0f, (a.y + b.y) * 0.5f), 38.0f);

    const float x = a.x + 58.0f, right = b.x - 10.0f;
    const float top = a.y + std::round((kRowH - ui::line_height(f.strong) - ui::line_height(f.small) - 4.0f) * 0.5f);
    const float second = top + ui::line_height(f.strong) + 4.0f;
    const int unread = desk::unread_count(s, c);

    // Top right: how long the customer has waited, or when the last message came.
    std::string when;
    ImU32 when_color = color::text_faint;
    bool breached = false;
    if (c.state == ContactState::Active) {
        if (const int64_t since = view::waiting_since_ms(c); since >= 0) {
            const int64_t waited = std::max<int64_t>(0, now - since);
            when = ui::format_duration(waited);
            when_color = view::wait_color(waited);
            breached = waited >= view::kWaitBreachMs;
            ctx.redraw_within(1000 - waited % 1000);
        } else if (!c.messages.empty()) {
            when = ui::format_clock(c.messages.back().at_ms);
        }
    }
    float when_w = 0.0f;
    if (!when.empty()) {
        when_w = ui::text_size(f.small, when).x;
        const ImVec2 tp(right - when_w, top + 2.0f);
        if (breached)
            dl->AddRectFilled(ImVec2(tp.x - 6.0f, tp.y - 2.0f), ImVec2(right + 6.0f, tp.y + ui::line_height(f.small) + 2.0f),
                              color::danger_soft, 9.0f);
        ui::draw_text(dl, breached ? f.strong : f.small, ImVec2(tp.x, tp.y - (breached ? 1.0f : 0.0f)), when_color,
                      when);
        when_w += breached ? 14.0f : 8.0f;
    }
    ui::draw_text(dl, f.strong, ImVec2(x, top), color::text,
                  ui::ellipsize(f.strong, c.customer.display_name(), right - x - when_w));

    // Second line: wrap-up and its time left, or typing, or the last words; unread on the right.
    float badge_w = 0.0f;
    if (unread > 0) {
        badge_w = 30.0f;
        ui::count_badge(dl, ImVec2(right - 10.0f, second + ui::line_height(f.small) * 0.5f), unread, color::accent,
                        color::on_accent);
    }
    const float line_w = right - x - badge_w;
    if (c.state == ContactState::WrapUp) {
        const ImVec2 chip = ui::draw_chip(dl, ImVec2(x, second - 3.0f), "Wrap-up", color::amber_soft, color::warning_text);
        if (c.acw_expires_at_ms > 0) {
            const int64_t left = std::max<int64_t>(0, c.acw_expires_at_ms - now);
            ui::draw_text(dl, f.small, ImVec2(x + chip.x + 8.0f, second), color::text_muted,
                          ui::ellipsize(f.small, ui::format_duration(left + 999) + " left", line_w - chip.x - 8.0f));
            ctx.redraw_within(ui::ms_to_next_second(c.acw_expires_at_ms, now));
        }
    } else if (c.channel == contact::Channel::Voice) {
        // A call's row says what the phone does, with the call timer.
        const desk::Call* call = desk::find_call_for(s, c.id);
        std::string line;
        ImU32 fg = color::text_muted;
        if (call) {
            line = view::call_phase_label(*call);
            fg = view::call_phase_color(*call);
            if (call->muted && view::call_is_up(*call)) line += " · muted";
            if (view::call_is_up(*call)) {
                const int64_t elapsed = view::call_elapsed_ms(*call, ctx.now_ms);
                line += " · " + ui::format_duration(elapsed);
                ctx.redraw_within(1000 - elapsed % 1000);
            }
        } else if (c.call && c.call->callback) {
            line = "Callback requested";
            fg = color::accent;
        } else {
            line = "No call";
        }
        ui::draw_text(dl, f.small, ImVec2(x, second), fg, ui::ellipsize(f.small, line, line_w));
    } else if (c.customer_typing && c.channel == contact::Channel::Chat) {
        ui::draw_text(dl, f.small, ImVec2(x, second), color::accent, "typing…");
    } else {
        ui::draw_text(dl, f.small, ImVec2(x, second), unread > 0 ? color::text : color::text_muted,
                      ui::ellipsize(f.small, view::preview(c), line_w));
    }
    if (hovered) ImGui::SetTooltip("%s · %s", c.customer.display_name().c_str(), view::queue_name(s, c.queue).c_str());
}

// A call without a contact (agent to agent, direct): its own row, selected as "call:<id>".
void draw_call_row(const desk::DeskState& s, const desk::Call& call, PanelContext& ctx, float w) {
    const auto& f = theme::fonts();
    ImDrawList* dl = ImGui::GetWindowDrawList();
    const std::string key = view::call_selection(call);
    const bool selected = ctx.selected_contact == key;
    ImGui::PushID(key.c_str());
    if (ImGui::InvisibleButton("##row", ImVec2(w, kRowH))) ctx.selected_contact = key;
    const bool hovered = ImGui::IsItemHovered();
    ImGui::PopID();
    const ImVec2 a = ImGui::GetItemRectMin(), b = ImGui::GetItemRectMax();
    if (selected) {
        dl->AddRectFilled(a, b, color::accent_soft, theme::kControlRounding);
        dl->AddRectFilled(ImVec2(a.x, a.y + 14.0f), ImVec2(a.x + 3.0f, b.y - 14.0f), color::accent, 1.5f);
    } else if (hovered) {
        dl->AddRectFilled(a, b, color::surface_hover, theme::kControlRounding);
    }
    ui::channel_tile(dl, contact::Channel::Voice, ImVec2(a.x + 30.0f, (a.y + b.y) * 0.5f), 38.0f);
    const float x = a.x + 58.0f, right = b.x - 10.0f;
    const float top = a.y + std::round((kRowH - ui::line_height(f.strong) - ui::line_height(f.small) - 4.0f) * 0.5f);
    const float second = top + ui::line_height(f.strong) + 4.0f;
    std::string when;
    if (view::call_is_up(call)) {
        const int64_t elapsed = view::call_elapsed_ms(call, ctx.now_ms);
        when = ui::format_duration(elapsed);
        ctx.redraw_within(1000 - elapsed % 1000);
    }
    const float when_w = when.empty() ? 0.0f : ui::text_size(f.small, when).x + 8.0f;
    if (!when.empty()) ui::draw_text(dl, f.small, ImVec2(right - when_w + 8.0f, top + 2.0f), color::text_muted, when);
    ui::draw_text(dl, f.strong, ImVec2(x, top), color::text, ui::ellipsize(f.strong, view::call_party(s, call), right - x - when_w));
    std::string line = view::call_phase_label(call) + " · direct";
    if (call.muted && view::call_is_up(call)) line += " · muted";
    ui::draw_text(dl, f.small, ImVec2(x, second), view::call_phase_color(call), ui::ellipsize(f.small, line, right - x));
}

bool listed_call(const desk::Call& c) { return c.contact.empty() && !(c.phase == desk::CallPhase::Ringing && !c.outgoing); }

}  // namespace

// ---- draw_contact_list -------------------------------------------------------------------------

void draw_contact_list(const desk::DeskState& s, IntentSink& /*sink*/, PanelContext& ctx) {
    const auto n = std::count_if(s.contacts.begin(), s.contacts.end(), listed) +
                   std::count_if(s.calls.begin(), s.calls.end(), listed_call);
    const std::string count = std::to_string(n);
    ui::card_header("Contacts", n == 0 ? nullptr : count.c_str());

    if (n == 0) {
        const bool ringing = std::any_of(s.contacts.begin(), s.contacts.end(),
                                         [](const Contact& c) { return c.state == ContactState::Offered; });
        const bool available = s.agent && s.agent->state == agent::Presence::Available;
        const bool call_rings = std::any_of(s.calls.begin(), s.calls.end(), [](const desk::Call& c) {
            return !c.outgoing && c.phase == desk::CallPhase::Ringing;
        });
        ui::empty_state(ui::Illustration::Inbox, "No contacts yet",
                        call_rings  ? "Answer the call above to start working on it."
                        : ringing   ? "Accept the contact above to start working on it."
                        : available ? "You're available. New contacts will appear here."
                                    : "Go Available to start receiving calls, chats and SMS.");
        return;
    }

    // Rows reach the card's edges minus a little, so the selection reads as a band.
    const float band_w = ImGui::GetContentRegionAvail().x + 16.0f;
    ImGui::SetCursorPosX(ImGui::GetCursorPosX() - 8.0f);
    ImGui::PushStyleColor(ImGuiCol_ChildBg, theme::rgb(0xFFFFFF, 0));
    ImGui::BeginChild("##contact_rows", ImVec2(band_w, 0.0f), false);
    ImGui::PushStyleVar(ImGuiStyleVar_ItemSpacing, ImVec2(0.0f, 2.0f));
    const float w = ImGui::GetContentRegionAvail().x;
    for (const auto& call : s.calls)
        if (listed_call(call)) draw_call_row(s, call, ctx, w);
    for (const auto& c : s.contacts)
        if (listed(c)) draw_row(s, c, ctx, w);
    ImGui::PopStyleVar();
    ImGui::EndChild();
    ImGui::PopStyleColor();
}

}  // namespace sb::shell
