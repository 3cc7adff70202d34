// shell/panels/offer.cpp: what rings. Each offered chat or SMS gets a card on top of the left column:
// channel, customer, queue, a transfer note if a colleague sent it, the first words of the
// customer, the time left to answer, and Accept / Reject. (Calls ring in incoming_call.cpp.)
//
// Sections: layout · one offer · draw_offers
#include <algorithm>
#include <cmath>
#include <string>
#include <vector>

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
using contact::Contact;

constexpr float kHeaderH = 36.0f;
constexpr float kButtonH = 36.0f;
constexpr float kBoxPad = 8.0f;
constexpr float kGap = 10.0f;
constexpr float kBetweenOffers = 14.0f;  // a hairline sits in the middle

// ---- layout ------------------------------------------------------------------------------------
// Measured once, used both to size the card (app.cpp asks first) and to draw it.
struct OfferLayout {
    std::vector<std::string> transfer_lines, preview_lines;
    float height = 0.0f;
};

std::string first_customer_words(const Contact& c) {
    for (const auto& m : c.messages)
        if (m.from == contact::Sender::Customer) return m.text;
    return {};
}

OfferLayout layout_offer(const desk::DeskState& s, const Contact& c, float width) {
    const auto& f = theme::fonts();
    OfferLayout l;
    const float line = ui::line_height(f.small) + 2.0f;
    float h = kHeaderH + kGap + ui::line_height(f.heading);
    if (c.transfer) {
        const std::string who = "Transferred by " + view::agent_name(s, c.transfer->from);
        l.transfer_lines.push_back(ui::ellipsize(f.small, who, width - 2.0f * kBoxPad));
        if (!c.transfer->note.empty())
            for (auto& ln : ui::wrap_lines(f.small, "“" + c.transfer->note + "”", width - 2.0f * kBoxPad, 3))
                l.transfer_lines.push_back(std::move(ln));
        h += kGap + 2.0f * kBoxPad + line * static_cast<float>(l.transfer_lines.size()) - 2.0f;
    }
    const std::string words = first_customer_words(c);
    if (!words.empty()) {
        l.preview_lines = ui::wrap_lines(f.small, words, width - 2.0f * kBoxPad, 2);
        h += kGap + 2.0f * kBoxPad + line * static_cast<float>(l.preview_lines.size()) - 2.0f;
    }
    h += kGap + 4.0f /* countdown bar */ + kGap + kButtonH;
    l.height = std::ceil(h);
    return l;
}

// Calls ring in incoming_call.cpp; a callback request (a voice contact with no call yet) is
// offered here like a chat: accepting it puts "Call back" in the workspace.
bool offered(const Contact& c) {
    if (c.state != contact::ContactState::Offered) return false;
    return c.channel != contact::Channel::Voice || (c.call && c.call->callback);
}

// ---- one offer ---------------------------------------------------------------------------------
void draw_offer(const desk::DeskState& s, const Contact& c, const OfferLayout& l, IntentSink& sink,
                PanelContext& ctx) {
    const auto& f = theme::fonts();
    ImDrawList* dl = ImGui::GetWindowDrawList();
    const float w = ImGui::GetContentRegionAvail().x;
    const ImVec2 o = ImGui::GetCursorScreenPos();
    const int64_t now = view::server_now(s, ctx.now_ms);
    const int64_t left_ms = std::max<int64_t>(0, c.offer_expires_at_ms - now);
    // How long the offer rings in all, for the countdown bar: remembered from when it first showed.
    const int64_t first_seen_left_ms =
        ctx.memory.offer_total_ms.at(c.id, [&](int64_t& total) { total = std::max<int64_t>(left_ms, 1); });
    const int64_t total_ms = std::max(first_seen_left_ms, left_ms);

    // Header: the ringing tile (its halo breathes twice a second), "Incoming chat", the time left.
    const ImVec2 tile(o.x + 22.0f, o.y + kHeaderH * 0.5f);
    const bool bright = (ctx.now_ms / 500) % 2 == 0;
    const ImU32 halo = ui::channel_color(c.channel);
    dl->AddCircle(tile, bright ? 21.5f : 20.0f, (halo & 0x00FFFFFF) | (bright ? 0x70000000u : 0x30000000u), 32, 2.0f);
    ui::channel_tile(dl, c.channel, tile, 36.0f);
    ctx.redraw_within(500 - ctx.now_ms % 500);

    const std::string kind = c.channel == contact::Channel::Voice ? std::string("Callback request")
                             : std::string("Incoming ") + (c.channel == contact::Channel::Sms ? "SMS" : "chat");
    const std::string secs = ui::format_duration(left_ms + 999);
    const bool urgent = left_ms <= 10'000;
    const float secs_w = ui::text_size(f.heading, secs).x;
    const float text_x = o.x + 50.0f;
    const float text_w = w - 50.0f - secs_w - 10.0f;
    const float two_lines = ui::line_height(f.strong) + ui::line_height(f.small);
    const float ty = o.y + std::round((kHeaderH - two_lines) * 0.5f);
    ui::draw_text(dl, f.strong, ImVec2(text_x, ty), ui::channel_color(c.channel), ui::ellipsize(f.strong, kind, text_w));
    ui::draw_text(dl, f.small, ImVec2(text_x, ty + ui::line_height(f.strong)), color::text_muted,
                  ui::ellipsize(f.small, view::queue_name(s, c.queue), text_w));
    ui::draw_text(dl, f.heading, ImVec2(o.x + w - secs_w, ui::centred_y(f.heading, o.y, kHeaderH)),
                  urgent ? color::danger : color::text, secs);
    ctx.redraw_within(ui::ms_to_next_second(c.offer_expires_at_ms, now));

    float y = o.y + kHeaderH + kGap;
    ui::draw_text(dl, f.heading, ImVec2(o.x, y), color::text, ui::ellipsize(f.heading, c.customer.display_name(), w));
    y += ui::line_height(f.heading);

    const float line = ui::line_height(f.small) + 2.0f;
    auto box = [&](const std::vector<std::string>& lines, ImU32 bg, ImU32 first_fg, ImU32 fg) {
        y += kGap;
        const float bh = 2.0f * kBoxPad + line * static_cast<float>(lines.size()) - 2.0f;
        dl->AddRectFilled(ImVec2(o.x, y), ImVec2(o.x + w, y + bh), bg, 8.0f);
        float ly = y + kBoxPad;
        for (size_t i = 0; i < lines.size(); ++i, ly += line)
            ui::draw_text(dl, f.small, ImVec2(o.x + kBoxPad, ly),
                          i == 0 ? first_fg : fg, lines[i]);
        y += bh;
    };
    if (!l.transfer_lines.empty()) box(l.transfer_lines, color::amber_soft, color::warning_text, color::text);
    if (!l.preview_lines.empty()) box(l.preview_lines, color::bubble_in, color::text_muted, color::text_muted);

    // The time left as a bar that empties.
    y += kGap;
    const float frac = static_cast<float>(left_ms) / static_cast<float>(total_ms);
    dl->AddRectFilled(ImVec2(o.x, y), ImVec2(o.x + w, y + 4.0f), color::surface_active, 2.0f);
    dl->AddRectFilled(ImVec2(o.x, y), ImVec2(o.x + std::max(4.0f, w * frac), y + 4.0f),
                      urgent ? color::danger : color::accent, 2.0f);
    y += 4.0f + kGap;

    // Reject on the left, Accept (the expected answer) on the right and wider.
    ImGui::PushID(c.id.c_str());
    const float reject_w = std::floor((w - 10.0f) * 0.4f);
    ImGui::SetCursorScreenPos(ImVec2(o.x, y));
    if (ui::secondary_button("Reject", ImVec2(reject_w, kButtonH))) sink.dispatch(desk::RejectIntent{c.id});
    ImGui::SetCursorScreenPos(ImVec2(o.x + reject_w + 10.0f, y));
    if (ui::primary_button("Accept", ImVec2(w - reject_w - 10.0f, kButtonH))) {
        sink.dispatch(desk::AcceptIntent{c.id});
        ctx.selected_contact = c.id;  // the agent said yes: show it
    }
    ImGui::PopID();
    ImGui::SetCursorScreenPos(o);
    ImGui::Dummy(ImVec2(w, l.height));
}

}  // namespace

// ---- draw_offers -------------------------------------------------------------------------------

float offers_height(const desk::DeskState& s, float width) {
    float h = 0.0f;
    for (const auto& c : s.contacts) {
        if (!offered(c)) continue;
        if (h > 0.0f) h += kBetweenOffers;
        h += layout_offer(s, c, width).height;
    }
    return h;
}

void draw_offers(const desk::DeskState& s, IntentSink& sink, PanelContext& ctx) {
    // The card's border in the accent colour: this is the thing to look at now.
    const ImVec2 wp = ImGui::GetWindowPos(), ws = ImGui::GetWindowSize();
    ImGui::PushClipRect(wp, ImVec2(wp.x + ws.x, wp.y + ws.y), false);
    ImGui::GetWindowDrawList()->AddRect(ImVec2(wp.x + 0.5f, wp.y + 0.5f), ImVec2(wp.x + ws.x - 0.5f, wp.y + ws.y - 0.5f),
                                        color::accent, theme::kCardRounding, 0, 1.5f);
    ImGui::PopClipRect();

    // When several ring at once and the column is short, they scroll.
    ImGui::PushStyleColor(ImGuiCol_ChildBg, theme::rgb(0xFFFFFF, 0));
    ImGui::BeginChild("##offer_list", ImVec2(0.0f, 0.0f), false);
    ImGui::PushStyleVar(ImGuiStyleVar_ItemSpacing, ImVec2(0.0f, 0.0f));
    const float width = ImGui::GetContentRegionAvail().x;
    bool first = true;
    for (const auto& c : s.contacts) {
        if (!offered(c)) continue;
        if (!first) {
            const ImVec2 p = ImGui::GetCursorScreenPos();
            const float mid = p.y + kBetweenOffers * 0.5f;
            ImGui::GetWindowDrawList()->AddLine(ImVec2(p.x, mid), ImVec2(p.x + width, mid), color::border);
            ImGui::Dummy(ImVec2(width, kBetweenOffers));
        }
        first = false;
        draw_offer(s, c, layout_offer(s, c, width), sink, ctx);
    }
    ImGui::PopStyleVar();
    ImGui::EndChild();
    ImGui::PopStyleColor();
}

}  // namespace sb::shell
