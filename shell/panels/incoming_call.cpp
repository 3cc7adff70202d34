// shell/panels/incoming_call.cpp: a call ringing on this desk. Each gets a banner on top of the
// left column: who calls (the customer's name when the contact knows it, the caller's number),
// through which queue (or "Direct call"), how long it has rung, and Answer / Decline with their
// keyboard shortcuts. Voice contacts offered before their INVITE has arrived show here too,
// waiting for the call. (Chat and SMS offers are offer.cpp's.)
//
// Sections: what rings · shortcuts · one banner · draw_incoming_calls
#include <algorithm>
#include <cmath>
#include <string>
#include <vector>

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

constexpr float kHeaderH = 38.0f;
constexpr float kButtonH = 40.0f;
constexpr float kGap = 10.0f;
constexpr float kBetween = 14.0f;
constexpr const char* kAnswerKeys = "Alt+A";
constexpr const char* kDeclineKeys = "Alt+X";

// ---- what rings --------------------------------------------------------------------------------
// A ringing inbound call (with its contact, if any), or a voice contact offered whose call has
// not reached the phone yet.
struct Ringing {
    const desk::Call* call = nullptr;
    const Contact* contact = nullptr;
};

std::vector<Ringing> ringing(const desk::DeskState& s) {
    std::vector<Ringing> out;
    for (const auto& c : s.calls)
        if (!c.outgoing && c.phase == desk::CallPhase::Ringing) out.push_back({&c, view::call_contact(s, c)});
    for (const auto& k : s.contacts)
        if (k.channel == contact::Channel::Voice && k.state == contact::ContactState::Offered && !desk::find_call_for(s, k.id) &&
            !(k.call && k.call->callback))  // a callback request is offered like a chat (offer.cpp)
            out.push_back({nullptr, &k});
    return out;
}

float banner_height() {
    const auto& f = theme::fonts();
    return std::ceil(kHeaderH + kGap + ui::line_height(f.heading) + 2.0f + ui::line_height(f.small) + 14.0f + kButtonH +
                     8.0f + ui::key_hint_size("Alt").y);
}

// ---- shortcuts ---------------------------------------------------------------------------------
// Alt+letter on the first ringing call. Both backends are SDL's, whose key indices are scancodes:
// A..Z are consecutive, so a letter's index is A's plus its offset. (Alt+D would be the
// browser's address bar, hence X for decline.)
bool alt_letter(char letter) {
    const ImGuiIO& io = ImGui::GetIO();
    if (!io.KeyAlt || io.KeyCtrl || io.KeyShift) return false;
    return ImGui::IsKeyPressed(static_cast<ImGuiKey>(ImGuiKey_A + (letter - 'A')), false);
}

void answer(const Ringing& r, IntentSink& sink, PanelContext& ctx) {
    if (!r.call) return;
    sink.dispatch(desk::AnswerIntent{desk::CallRef{r.call->contact, r.call->id}});
    ctx.selected_contact = r.call->contact.empty() ? view::call_selection(*r.call) : r.call->contact;
}

void decline(const Ringing& r, IntentSink& sink) {
    if (r.call) sink.dispatch(desk::HangupIntent{desk::CallRef{r.call->contact, r.call->id}});
    else if (r.contact) sink.dispatch(desk::RejectIntent{r.contact->id});
}

// ---- one banner --------------------------------------------------------------------------------
void draw_banner(const desk::DeskState& s, const Ringing& r, bool first, IntentSink& sink, PanelContext& ctx) {
    const auto& f = theme::fonts();
    ImDrawList* dl = ImGui::GetWindowDrawList();
    const float w = ImGui::GetContentRegionAvail().x;
    const ImVec2 o = ImGui::GetCursorScreenPos();

    // Header: the handset in a breathing green ring, "Incoming call", the queue; time ringing.
    const ImVec2 tile(o.x + 20.0f, o.y + kHeaderH * 0.5f);
    const bool bright = (ctx.now_ms / 500) % 2 == 0;
    dl->AddCircle(tile, bright ? 21.5f : 20.0f, (color::success & 0x00FFFFFF) | (bright ? 0x80000000u : 0x38000000u), 32, 2.0f);
    dl->AddCircleFilled(tile, 18.0f, color::success, 32);
    ui::draw_glyph(dl, ui::Glyph::Handset, tile, 17.0f, color::on_accent);
    ctx.redraw_within(500 - ctx.now_ms % 500);

    std::string via;
    if (r.contact) via = view::queue_name(s, r.contact->queue);
    if (via.empty()) via = r.call && !r.call->contact.empty() ? "Voice contact" : "Direct call";
    if (r.contact && r.contact->transfer) via = "Transferred by " + view::agent_name(s, r.contact->transfer->from);
    std::string secs;
    if (r.call) {
        const int64_t rang = view::call_elapsed_ms(*r.call, ctx.now_ms);
        secs = ui::format_duration(rang);
        ctx.redraw_within(1000 - rang % 1000);
    }
    const float secs_w = secs.empty() ? 0.0f : ui::text_size(f.heading, secs).x;
    const float text_x = o.x + 48.0f;
    const float text_w = w - 48.0f - secs_w - 10.0f;
    const float two = ui::line_height(f.strong) + ui::line_height(f.small);
    const float ty = o.y + std::round((kHeaderH - two) * 0.5f);
    ui::draw_text(dl, f.strong, ImVec2(text_x, ty), color::success_active, "Incoming call");
    ui::draw_text(dl, f.small, ImVec2(text_x, ty + ui::line_height(f.strong)), color::text_muted, ui::ellipsize(f.small, via, text_w));
    if (!secs.empty())
        ui::draw_text(dl, f.heading, ImVec2(o.x + w - secs_w, ui::centred_y(f.heading, o.y, kHeaderH)), color::text, secs);

    // Who: the name, and the number under it.
    float y = o.y + kHeaderH + kGap;
    std::string who, number;
    if (r.call) {
        who = view::call_party(s, *r.call);
        number = view::call_number(s, *r.call);
    } else {
        who = r.contact->customer.display_name();
        if (r.contact->call && r.contact->call->number != who) number = r.contact->call->number;
    }
    if (who.empty()) who = "Unknown caller";
    ui::draw_text(dl, f.heading, ImVec2(o.x, y), color::text, ui::ellipsize(f.heading, who, w));
    y += ui::line_height(f.heading) + 2.0f;
    const std::string under = r.call ? number : "Connecting the call to your phone…";
    ui::draw_text(dl, f.small, ImVec2(o.x, y), color::text_muted, ui::ellipsize(f.small, under.empty() ? " " : under, w));
    y += ui::line_height(f.small) + 14.0f;

    // Decline on the left, Answer (the expected answer) on the right and wider.
    const std::string key = r.call ? "call" + std::to_string(r.call->id) : "contact" + r.contact->id;
    ImGui::PushID(key.c_str());
    const float decline_w = std::floor((w - 10.0f) * 0.42f);
    ImGui::SetCursorScreenPos(ImVec2(o.x, y));
    if (ui::hangup_button("Decline", ImVec2(decline_w, kButtonH))) decline(r, sink);
    if (ImGui::IsItemHovered()) ImGui::SetTooltip(r.call ? "Decline: the caller hears busy (%s)" : "Decline (%s)", kDeclineKeys);
    ImGui::SetCursorScreenPos(ImVec2(o.x + decline_w + 10.0f, y));
    ImGui::BeginDisabled(!r.call);
    if (ui::success_button("Answer", ImVec2(w - decline_w - 10.0f, kButtonH))) answer(r, sink, ctx);
    ImGui::EndDisabled();
    if (ImGui::IsItemHovered()) ImGui::SetTooltip("Answer (%s)", kAnswerKeys);
    ImGui::PopID();
    y += kButtonH + 8.0f;

    // The shortcuts, said once under the first banner; they act on it.
    if (first) {
        float hx = o.x;
        hx += ui::draw_key_hint(dl, ImVec2(hx, y), kDeclineKeys, color::text_muted, color::border_strong).x + 6.0f;
        hx += ui::draw_text(dl, f.small, ImVec2(hx, y + 2.0f), color::text_faint, "decline") + 12.0f;
        const float answer_w = ui::key_hint_size(kAnswerKeys).x + 6.0f + ui::text_size(f.small, "answer").x;
        hx = std::max(hx, o.x + w - answer_w);
        hx += ui::draw_key_hint(dl, ImVec2(hx, y), kAnswerKeys, color::text_muted, color::border_strong).x + 6.0f;
        ui::draw_text(dl, f.small, ImVec2(hx, y + 2.0f), color::text_faint, "answer");
        if (alt_letter('A')) answer(r, sink, ctx);
        else if (alt_letter('X')) decline(r, sink);
    }

    ImGui::SetCursorScreenPos(o);
    ImGui::Dummy(ImVec2(w, banner_height()));
}

}  // namespace

// ---- draw_incoming_calls -----------------------------------------------------------------------

float incoming_calls_height(const desk::DeskState& s, float /*width*/) {
    const size_t n = ringing(s).size();
    if (n == 0) return 0.0f;
    return static_cast<float>(n) * banner_height() + static_cast<float>(n - 1) * kBetween;
}

void draw_incoming_calls(const desk::DeskState& s, IntentSink& sink, PanelContext& ctx) {
    // The card's border in green, a little heavier than an offer's: a phone is ringing.
    const ImVec2 wp = ImGui::GetWindowPos(), ws = ImGui::GetWindowSize();
    ImGui::PushClipRect(wp, ImVec2(wp.x + ws.x, wp.y + ws.y), false);
    ImGui::GetWindowDrawList()->AddRect(ImVec2(wp.x + 1.0f, wp.y + 1.0f), ImVec2(wp.x + ws.x - 1.0f, wp.y + ws.y - 1.0f),
                                        color::success, theme::kCardRounding, 0, 2.0f);
    ImGui::PopClipRect();

    ImGui::PushStyleColor(ImGuiCol_ChildBg, theme::rgb(0xFFFFFF, 0));
    ImGui::BeginChild("##incoming_list", ImVec2(0.0f, 0.0f), false);
    ImGui::PushStyleVar(ImGuiStyleVar_ItemSpacing, ImVec2(0.0f, 0.0f));
    const float width = ImGui::GetContentRegionAvail().x;
    bool first = true;
    for (const Ringing& r : ringing(s)) {
        if (!first) {
            const ImVec2 p = ImGui::GetCursorScreenPos();
            const float mid = p.y + kBetween * 0.5f;
            ImGui::GetWindowDrawList()->AddLine(ImVec2(p.x, mid), ImVec2(p.x + width, mid), color::border);
            ImGui::Dummy(ImVec2(width, kBetween));
        }
        draw_banner(s, r, first, sink, ctx);
        first = false;
    }
    ImGui::PopStyleVar();
    ImGui::EndChild();
    ImGui::PopStyleColor();
}

}  // namespace sb::shell
