// shell/panels/workspace.cpp: the centre of the desk, where the selected contact is worked.
//
// A header (customer, channel, queue; Transfer and End, or the wrap-up countdown), then either
// the conversation (transcript.cpp) over the composer (composer.cpp), the call (call_panel.cpp,
// for a voice contact or a call without a contact), or the wrap-up form (wrap_up.cpp). Looking at a contact marks its messages read.
//
// Sections: header · draw_workspace
#include <algorithm>
#include <cmath>
#include <string>

#include <imgui.h>

#include "../format.h"
#include "../theme.h"
#include "../widgets.h"
#include "call_view.h"
#include "contact_view.h"
#include "memory.h"
#include "panels.h"
#include "workspace.h"

namespace sb::shell {

namespace {

namespace color = theme::color;
using contact::Contact;
using contact::ContactState;

constexpr float kHeaderH = 44.0f;

// ---- header ------------------------------------------------------------------------------------
void draw_header(const desk::DeskState& s, const Contact& c, IntentSink& sink, PanelContext& ctx) {
    const auto& f = theme::fonts();
    ImDrawList* dl = ImGui::GetWindowDrawList();
    const ImVec2 o = ImGui::GetCursorScreenPos();
    const float w = ImGui::GetContentRegionAvail().x;
    const int64_t now = view::server_now(s, ctx.now_ms);

    // Right side first, so the name knows its room.
    float right = o.x + w;
    const float bh = 34.0f, by = o.y + std::round((kHeaderH - bh) * 0.5f);
    const bool voice = c.channel == contact::Channel::Voice;
    if (c.state == ContactState::Active && voice) {
        // The call panel below has the call's controls; the header says what the phone does.
        const desk::Call* call = desk::find_call_for(s, c.id);
        const std::string label = call ? view::call_phase_label(*call) : c.call && c.call->callback ? "Callback" : "No call";
        const ImVec2 sz = ui::chip_size(label);
        right -= sz.x;
        ui::draw_chip(dl, ImVec2(right, o.y + std::round((kHeaderH - sz.y) * 0.5f)), label,
                      call && call->phase == desk::CallPhase::Active ? color::success_soft
                      : call && call->phase == desk::CallPhase::Held ? color::amber_soft
                                                                     : color::surface_active,
                      call ? view::call_phase_color(*call) : color::text_muted);
        right -= 12.0f;
    } else if (c.state == ContactState::Active) {
        ImGui::PushStyleVar(ImGuiStyleVar_FramePadding, ImVec2(14.0f, 7.0f));
        const float end_w = ui::text_size(f.body, "End").x + 32.0f;
        right -= end_w;
        ImGui::SetCursorScreenPos(ImVec2(right, by));
        if (ui::danger_button("End", ImVec2(end_w, bh))) sink.dispatch(desk::EndIntent{c.id});
        if (ImGui::IsItemHovered()) ImGui::SetTooltip("End the %s and start wrap-up", view::channel_name(c.channel));
        const float tr_w = ui::text_size(f.body, "Transfer").x + 32.0f;
        right -= tr_w + 8.0f;
        ImGui::SetCursorScreenPos(ImVec2(right, by));
        if (ui::secondary_button("Transfer", ImVec2(tr_w, bh))) ImGui::OpenPopup(workspace::kTransferPopup);
        ImGui::PopStyleVar();
        workspace::draw_transfer_popup(s, c, sink, ctx, ImVec2(o.x + w, by + bh + 6.0f));
        right -= 12.0f;
    } else if (c.state == ContactState::WrapUp && c.acw_expires_at_ms > 0) {
        const int64_t left = std::max<int64_t>(0, c.acw_expires_at_ms - now);
        const std::string label = "Wrap-up · " + ui::format_duration(left + 999) + " left";
        const ImVec2 sz = ui::chip_size(label);
        right -= sz.x;
        ui::draw_chip(dl, ImVec2(right, o.y + std::round((kHeaderH - sz.y) * 0.5f)), label,
                      left <= 15'000 ? color::danger_soft : color::amber_soft,
                      left <= 15'000 ? color::danger : color::warning_text);
        ctx.redraw_within(ui::ms_to_next_second(c.acw_expires_at_ms, now));
        right -= 12.0f;
    } else if (c.state == ContactState::Offered) {
        const ImVec2 sz = ui::chip_size("Ringing");
        right -= sz.x;
        ui::draw_chip(dl, ImVec2(right, o.y + std::round((kHeaderH - sz.y) * 0.5f)), "Ringing", color::accent_soft,
                      color::accent);
        right -= 12.0f;
    }

    ui::channel_tile(dl, c.channel, ImVec2(o.x + 20.0f, o.y + kHeaderH * 0.5f), 40.0f);
    const float x = o.x + 52.0f;
    const float block = ui::line_height(f.heading) + 2.0f + ui::line_height(f.small);
    const float ty = o.y + std::round((kHeaderH - block) * 0.5f);
    ui::draw_text(dl, f.heading, ImVec2(x, ty), color::text,
                  ui::ellipsize(f.heading, c.customer.display_name(), right - x));
    std::string sub = std::string(view::channel_name(c.channel)) + " · " + view::queue_name(s, c.queue);
    if (voice && c.call) sub = std::string(c.call->direction == "outbound" ? "Outbound call" : "Inbound call") + " · " +
                               view::queue_name(s, c.queue);
    // A chat shows the email the customer typed (a claim until verified), else its own identity.
    const std::string& chat_address = c.customer.email.empty() ? c.customer.chat_identity : c.customer.email;
    const std::string& address = c.channel == contact::Channel::Chat ? chat_address
                                 : voice && c.call && !c.call->number.empty() ? c.call->number
                                                                              : c.customer.phone;
    if (!address.empty() && address != c.customer.display_name()) sub += " · " + address;
    ui::draw_text(dl, f.small, ImVec2(x, ty + ui::line_height(f.heading) + 2.0f), color::text_muted,
                  ui::ellipsize(f.small, sub, right - x));

    ImGui::SetCursorScreenPos(o);
    ImGui::Dummy(ImVec2(w, kHeaderH));
    // A hairline across the whole card, as under the other cards' titles.
    const ImVec2 wp = ImGui::GetWindowPos(), ws = ImGui::GetWindowSize();
    const float y = ImGui::GetCursorScreenPos().y - 2.0f;
    ImGui::PushClipRect(wp, ImVec2(wp.x + ws.x, wp.y + ws.y), false);
    dl->AddLine(ImVec2(wp.x + 1.0f, y), ImVec2(wp.x + ws.x - 1.0f, y), color::border);
    ImGui::PopClipRect();
}

// A call without a contact: the other party, and "Direct call".
void draw_call_header(const desk::DeskState& s, const desk::Call& call) {
    const auto& f = theme::fonts();
    ImDrawList* dl = ImGui::GetWindowDrawList();
    const ImVec2 o = ImGui::GetCursorScreenPos();
    const float w = ImGui::GetContentRegionAvail().x;
    float right = o.x + w;
    const std::string label = view::call_phase_label(call);
    const ImVec2 sz = ui::chip_size(label);
    right -= sz.x;
    ui::draw_chip(dl, ImVec2(right, o.y + std::round((kHeaderH - sz.y) * 0.5f)), label,
                  call.phase == desk::CallPhase::Active ? color::success_soft
                  : call.phase == desk::CallPhase::Held ? color::amber_soft
                                                        : color::surface_active,
                  view::call_phase_color(call));
    right -= 12.0f;
    ui::channel_tile(dl, contact::Channel::Voice, ImVec2(o.x + 20.0f, o.y + kHeaderH * 0.5f), 40.0f);
    const float x = o.x + 52.0f;
    const float block = ui::line_height(f.heading) + 2.0f + ui::line_height(f.small);
    const float ty = o.y + std::round((kHeaderH - block) * 0.5f);
    ui::draw_text(dl, f.heading, ImVec2(x, ty), color::text, ui::ellipsize(f.heading, view::call_party(s, call), right - x));
    std::string sub = call.outgoing ? "Outbound call · direct" : "Inbound call · direct";
    if (const std::string n = view::call_number(s, call); !n.empty()) sub += " · " + n;
    ui::draw_text(dl, f.small, ImVec2(x, ty + ui::line_height(f.heading) + 2.0f), color::text_muted,
                  ui::ellipsize(f.small, sub, right - x));
    ImGui::SetCursorScreenPos(o);
    ImGui::Dummy(ImVec2(w, kHeaderH));
    const ImVec2 wp = ImGui::GetWindowPos(), ws = ImGui::GetWindowSize();
    const float y = ImGui::GetCursorScreenPos().y - 2.0f;
    ImGui::PushClipRect(wp, ImVec2(wp.x + ws.x, wp.y + ws.y), false);
    dl->AddLine(ImVec2(wp.x + 1.0f, y), ImVec2(wp.x + ws.x - 1.0f, y), color::border);
    ImGui::PopClipRect();
}

}  // namespace

// ---- draw_workspace ----------------------------------------------------------------------------

void draw_workspace(const desk::DeskState& s, IntentSink& sink, PanelContext& ctx) {
    workspace::composer_tick(s, sink, ctx);

    const Contact* c = desk::find_contact(s, ctx.selected_contact);
    if (!c) {
        if (const desk::Call* call = view::selected_call(s, ctx.selected_contact)) {
            ImGui::PushID(ctx.selected_contact.c_str());
            draw_call_header(s, *call);
            workspace::draw_call_panel(s, nullptr, call, sink, ctx);
            ImGui::PopID();
            return;
        }
        ui::card_header("Workspace");
        ui::empty_state(ui::Illustration::Conversation, "Select a contact to start working",
                        "The conversation, the customer's history and your tools open here.");
        return;
    }

    // The agent is looking at it: its messages are read.
    MarkedRead& marked = ctx.memory.marked_read;
    if (desk::unread_count(s, *c) > 0 && (marked.contact != c->id || marked.count != c->messages.size())) {
        sink.dispatch(desk::MarkReadIntent{c->id});
        marked = {c->id, c->messages.size()};
    }

    ImGui::PushID(c->id.c_str());
    draw_header(s, *c, sink, ctx);
    if (c->state == ContactState::WrapUp) {
        workspace::draw_wrap_up(s, *c, sink, ctx);
    } else if (c->channel == contact::Channel::Voice) {
        workspace::draw_call_panel(s, c, desk::find_call_for(s, c->id), sink, ctx);
    } else {
        const ImVec2 avail = ImGui::GetContentRegionAvail();
        const float transcript_h = std::max(60.0f, avail.y - workspace::composer_height() - 10.0f);
        workspace::draw_transcript(s, *c, ctx, ImVec2(avail.x, transcript_h));
        workspace::draw_composer(s, *c, sink, ctx);
    }
    ImGui::PopID();
}

}  // namespace sb::shell
