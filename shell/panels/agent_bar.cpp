// shell/panels/agent_bar.cpp: the top bar of the desk.
//
// Left to right: product mark · presence selector (dot, state, timer; a menu of states and
// reasons) · activity (on contact, wrap-up) · a refused change, briefly · Audio (the device
// settings) · Call (the dial pad) · phone · connection · the agent · Sign out.
// The avatar opens the account menu (who is signed in; Export support log).
// Sections: wording · presence menu · account menu · presence selector · activity · right-hand group ·
// draw_agent_bar
#include <algorithm>
#include <cmath>
#include <optional>
#include <string>

#include <imgui.h>

#include "../format.h"
#include "../theme.h"
#include "../widgets.h"
#include "memory.h"
#include "panels.h"

namespace sb::shell {

namespace {

using agent::Presence;
namespace color = theme::color;

constexpr const char* kMenuId = "##presence_menu";
constexpr const char* kAccountMenuId = "##account_menu";
constexpr int64_t kNoticeShownMs = 6000;  // long enough to read two lines, short enough to not nag

// ---- wording -----------------------------------------------------------------------------------
std::string reason_label(const desk::DeskState& s, const std::string& code) {
    return agent::reason_label(s.reason_codes, code);
}

std::string presence_label(const desk::DeskState& s, Presence p, const std::string& reason) {
    switch (p) {
        case Presence::Available: return "Available";
        case Presence::Offline: return "Offline";
        case Presence::NotReady: return reason.empty() ? "Not ready" : "Not ready · " + reason_label(s, reason);
    }
    return "Offline";
}

// The y that vertically centres text of `font` in a row from `top` of `height`.
float centred_y(ImFont* font, float top, float height) {
    return std::round(top + (height - ui::text_size(font, "Ag").y) * 0.5f);
}

void chevron_down(ImDrawList* dl, ImVec2 c, ImU32 col) {
    const ImVec2 pts[] = {ImVec2(c.x - 4.0f, c.y - 2.0f), ImVec2(c.x, c.y + 2.0f), ImVec2(c.x + 4.0f, c.y - 2.0f)};
    dl->AddPolyline(pts, 3, col, 0, 1.6f);
}

// A loudspeaker: the box, the cone, and two sound waves; about 18 px wide around `c`.
void speaker_glyph(ImDrawList* dl, ImVec2 c, ImU32 col) {
    const ImVec2 body[] = {ImVec2(c.x - 8.0f, c.y - 3.0f), ImVec2(c.x - 4.5f, c.y - 3.0f), ImVec2(c.x + 0.5f, c.y - 7.0f),
                           ImVec2(c.x + 0.5f, c.y + 7.0f), ImVec2(c.x - 4.5f, c.y + 3.0f), ImVec2(c.x - 8.0f, c.y + 3.0f)};
    dl->AddPolyline(body, 6, col, ImDrawFlags_Closed, 1.6f);
    dl->PathArcTo(ImVec2(c.x + 1.0f, c.y), 4.5f, -0.9f, 0.9f, 8);
    dl->PathStroke(col, 0, 1.6f);
    dl->PathArcTo(ImVec2(c.x + 1.0f, c.y), 8.5f, -0.9f, 0.9f, 10);
    dl->PathStroke(col, 0, 1.6f);
}

void check_mark(ImDrawList* dl, ImVec2 c, ImU32 col) {
    const ImVec2 pts[] = {ImVec2(c.x - 5.0f, c.y), ImVec2(c.x - 1.5f, c.y + 3.5f), ImVec2(c.x + 5.0f, c.y - 3.5f)};
    dl->AddPolyline(pts, 3, col, 0, 2.0f);
}

// ---- presence menu -----------------------------------------------------------------------------
// One row of the menu; returns true when chosen.
bool menu_row(const char* id, ImU32 dot, const std::string& label, bool current, float width) {
    const auto& f = theme::fonts();
    ImGui::PushStyleVar(ImGuiStyleVar_FrameRounding, 6.0f);
    bool chosen = ImGui::Selectable(id, false, 0, ImVec2(width, 34.0f));
    ImGui::PopStyleVar();
    ImVec2 a = ImGui::GetItemRectMin(), b = ImGui::GetItemRectMax();
    ImDrawList* dl = ImGui::GetWindowDrawList();
    const float mid = (a.y + b.y) * 0.5f;
    ui::presence_dot(dl, ImVec2(a.x + 16.0f, mid), 4.5f, dot);
    ui::draw_text(dl, current ? f.strong : f.body, ImVec2(a.x + 32.0f, centred_y(f.body, a.y, b.y - a.y)),
                  color::text, label);
    if (current) check_mark(dl, ImVec2(b.x - 18.0f, mid), ImGui::GetColorU32(theme::vec4(color::accent)));
    return chosen;
}

void menu_caption(const char* caption) {
    ImGui::SetCursorPosX(ImGui::GetCursorPosX() + 10.0f);
    ImGui::SetCursorPosY(ImGui::GetCursorPosY() + 4.0f);
    ui::text(theme::fonts().small, color::text_faint, caption);
}

void menu_separator(float width) {
    ImVec2 p = ImGui::GetCursorScreenPos();
    ImGui::GetWindowDrawList()->AddLine(ImVec2(p.x - 6.0f, p.y + 3.0f), ImVec2(p.x + width + 6.0f, p.y + 3.0f),
                                        color::border);
    ImGui::Dummy(ImVec2(width, 6.0f));
}

void draw_presence_menu(const desk::DeskState& s, IntentSink& sink, ImVec2 below, float min_width) {
    const auto& agent = *s.agent;
    const bool connected = s.connection == desk::ConnectionState::Connected;
    float width = std::max(min_width, 240.0f);
    for (const auto& r : s.reason_codes)
        width = std::max(width, ui::text_size(theme::fonts().strong, r.label).x + 80.0f);

    ImGui::SetNextWindowPos(below);
    ImGui::SetNextWindowSize(ImVec2(width, 0.0f));
    ImGui::PushStyleVar(ImGuiStyleVar_WindowPadding, ImVec2(6.0f, 6.0f));
    ImGui::PushStyleVar(ImGuiStyleVar_ItemSpacing, ImVec2(0.0f, 2.0f));
    ImGui::PushStyleColor(ImGuiCol_Border, color::border_strong);
    if (ImGui::BeginPopup(kMenuId, ImGuiWindowFlags_NoMove)) {
        const float row_w = width - 12.0f;
        std::optional<desk::SetStateIntent> chosen;
        if (!connected) {
            // Changes cannot reach the backend now; say so instead of failing silently.
            ImGui::PushTextWrapPos(ImGui::GetCursorPosX() + row_w - 10.0f);
            ImGui::SetCursorPosX(ImGui::GetCursorPosX() + 10.0f);
            ui::text(theme::fonts().small, color::warning_text, "Reconnecting — you can change your state once the desk is back online.");
            ImGui::PopTextWrapPos();
            menu_separator(row_w);
        }
        ImGui::BeginDisabled(!connected);
        if (menu_row("##available", color::available, "Available", agent.state == Presence::Available, row_w))
            chosen = desk::SetStateIntent{Presence::Available, std::nullopt};
        if (!s.reason_codes.empty()) {
            menu_caption("Not ready");
            for (const auto& r : s.reason_codes) {
                std::string id = "##nr_" + r.code;
                bool current = agent.state == Presence::NotReady && agent.reason == r.code;
                if (menu_row(id.c_str(), color::not_ready, r.label, current, row_w))
                    chosen = desk::SetStateIntent{Presence::NotReady, r.code};
            }
        }
        menu_separator(row_w);
        if (menu_row("##offline", color::offline, "Offline", agent.state == Presence::Offline, row_w))
            chosen = desk::SetStateIntent{Presence::Offline, std::nullopt};
        ImGui::EndDisabled();
        if (chosen) {
            sink.dispatch(*chosen);
            ImGui::CloseCurrentPopup();
        }
        ImGui::EndPopup();
    }
    ImGui::PopStyleColor();
    ImGui::PopStyleVar(2);
}

// ---- account menu ------------------------------------------------------------------------------
// Under the agent's avatar: who is signed in, and the support log for a bug report.
void draw_account_menu(const agent::AgentSnapshot& agent, IntentSink& sink, ImVec2 top_right) {
    const auto& f = theme::fonts();
    const float width = 300.0f, row_w = width - 12.0f;
    ImGui::SetNextWindowPos(top_right, ImGuiCond_Always, ImVec2(1.0f, 0.0f));
    ImGui::SetNextWindowSize(ImVec2(width, 0.0f));
    ImGui::PushStyleVar(ImGuiStyleVar_WindowPadding, ImVec2(6.0f, 6.0f));
    ImGui::PushStyleVar(ImGuiStyleVar_ItemSpacing, ImVec2(0.0f, 2.0f));
    ImGui::PushStyleColor(ImGuiCol_Border, color::border_strong);
    if (ImGui::BeginPopup(kAccountMenuId, ImGuiWindowFlags_NoMove)) {
        ImGui::SetCursorPos(ImVec2(ImGui::GetCursorPosX() + 10.0f, ImGui::GetCursorPosY() + 6.0f));
        ImGui::BeginGroup();
        ui::text(f.strong, color::text, agent.display_name.empty() ? agent.username : agent.display_name);
        ui::text(f.small, color::text_muted, "@" + agent.username);
        ImGui::EndGroup();
        ImGui::Dummy(ImVec2(row_w, 6.0f));
        menu_separator(row_w);
        // Two lines: what it does, and what it leaves out (the agent is about to send it on).
        const char* note = "What this desk did, for a bug report. Passwords, codes and card numbers are left out.";
        ui::push_font(f.small);
        const float note_h = ImGui::CalcTextSize(note, nullptr, false, row_w - 20.0f).y;
        ImGui::PopFont();
        ImGui::PushStyleVar(ImGuiStyleVar_FrameRounding, 6.0f);
        const float name_h = ui::text_size(f.strong, "Ag").y;
        const bool chosen = ImGui::Selectable("##export_log", false, 0, ImVec2(row_w, name_h + note_h + 18.0f));
        ImGui::PopStyleVar();
        const ImVec2 a = ImGui::GetItemRectMin();
        ImDrawList* dl = ImGui::GetWindowDrawList();
        ui::draw_text(dl, f.strong, ImVec2(a.x + 10.0f, a.y + 8.0f), color::text, "Export support log");
        ui::push_font(f.small);
        dl->AddText(nullptr, 0.0f, ImVec2(a.x + 10.0f, a.y + 10.0f + name_h), color::text_muted, note, nullptr,
                    row_w - 20.0f);
        ImGui::PopFont();
        if (chosen) {
            sink.export_support_log();
            ImGui::CloseCurrentPopup();
        }
        ImGui::EndPopup();
    }
    ImGui::PopStyleColor();
    ImGui::PopStyleVar(2);
}

// ---- presence selector -------------------------------------------------------------------------
// What the selector shows, measured before anything is drawn so the bar can plan its space.
struct SelectorLook {
    bool pending = false;
    Presence shown = Presence::Offline;
    std::string label;
    int64_t elapsed_ms = 0;
    float label_w = 0.0f, timer_w = 0.0f, width = 0.0f;
};

SelectorLook selector_look(const desk::DeskState& s, int64_t now_ms) {
    const auto& f = theme::fonts();
    SelectorLook l;
    l.pending = s.presence_pending.has_value();
    l.shown = l.pending ? s.presence_pending->state : s.agent->state;
    l.label = presence_label(s, l.shown, l.pending ? s.presence_pending->reason : s.agent->reason);
    l.elapsed_ms = desk::state_elapsed_ms(s, now_ms);
    // The timer gets a fixed slot so the button does not twitch as digits change width.
    // (one slot per form of format_state_time: seconds, minutes, hours and minutes)
    const char* widest = l.elapsed_ms < 60'000 ? "00:00" : l.elapsed_ms < 3'600'000 ? "00 min" : "00 h 00 min";
    l.timer_w = ui::text_size(f.body, widest).x + 2.0f;
    l.label_w = ui::text_size(f.strong, l.label).x;
    l.width = 14.0f + 20.0f + l.label_w + 14.0f + l.timer_w + 14.0f + 22.0f;
    return l;
}

// Returns the selector's right edge (window x) so the notice can sit next to it.
float draw_presence_selector(const desk::DeskState& s, const SelectorLook& look, IntentSink& sink,
                             PanelContext& ctx, float x, float bar_h) {
    const auto& f = theme::fonts();
    const bool pending = look.pending;
    const Presence shown = look.shown;
    const std::string& label = look.label;
    const int64_t elapsed = look.elapsed_ms;
    const std::string timer = ui::format_state_time(elapsed);
    const float timer_w = look.timer_w, label_w = look.label_w, w = look.width;
    const float h = 38.0f;
    const float y = std::round((bar_h - h) * 0.5f);

    ImGui::SetCursorPos(ImVec2(x, y));
    const bool clicked = ImGui::InvisibleButton("##presence", ImVec2(w, h));
    const bool hovered = ImGui::IsItemHovered();
    const bool open = ImGui::IsPopupOpen(kMenuId);
    ImVec2 a = ImGui::GetItemRectMin(), b = ImGui::GetItemRectMax();
    if (clicked) ImGui::OpenPopup(kMenuId);

    ImDrawList* dl = ImGui::GetWindowDrawList();
    dl->AddRectFilled(a, b, hovered || open ? color::surface_hover : color::surface, theme::kControlRounding);
    dl->AddRect(a, b, open ? color::accent : color::border_strong, theme::kControlRounding);

    float cx = a.x + 14.0f;
    const float mid = (a.y + b.y) * 0.5f;
    if (pending) {
        // Asked for, not confirmed: a ring instead of a dot, and the words greyed.
        dl->AddCircle(ImVec2(cx + 5.0f, mid), 4.5f, ui::presence_color(shown), 0, 1.6f);
    } else {
        ui::presence_dot(dl, ImVec2(cx + 5.0f, mid), 4.5f, ui::presence_color(shown));
    }
    cx += 20.0f;
    ui::draw_text(dl, f.strong, ImVec2(cx, centred_y(f.strong, a.y, h)), pending ? color::text_faint : color::text,
                  label);
    cx += label_w + 14.0f;
    if (pending) {
        ui::progress_dots(dl, ImVec2(cx + timer_w * 0.5f, mid), color::text_faint, ctx.now_ms);
        ctx.redraw_within(250);
    } else {
        ui::draw_text(dl, f.body, ImVec2(cx, centred_y(f.body, a.y, h)), color::text_muted, timer);
        ctx.redraw_within(ui::ms_to_next_state_time(elapsed));  // when the state timer's text changes
    }
    chevron_down(dl, ImVec2(b.x - 16.0f, mid), color::text_muted);

    if (hovered && !open) ImGui::SetTooltip("Change your state");
    draw_presence_menu(s, sink, ImVec2(a.x, b.y + 6.0f), w);
    return x + w;
}

// ---- activity ----------------------------------------------------------------------------------
// What the agent is doing, next to their presence: on a contact, or in wrap-up (after-contact
// work). Nothing while idle. Returns the right edge of what it drew.
float draw_activity(const desk::DeskState& s, float x, float bar_h) {
    const desk::Activity a = desk::activity_of(s);
    if (a == desk::Activity::Idle) return x - 10.0f;
    const bool acw = a == desk::Activity::AfterContactWork;
    const char* label = acw ? "Wrap-up" : "On contact";
    const ImVec2 sz = ui::chip_size(label);
    const ImVec2 wp = ImGui::GetWindowPos();
    const ImVec2 at(wp.x + x, wp.y + std::round((bar_h - sz.y) * 0.5f));
    ui::draw_chip(ImGui::GetWindowDrawList(), at, label, acw ? color::amber_soft : color::accent_soft,
                  acw ? color::warning_text : color::accent);
    return x + sz.x;
}

// ---- right-hand group --------------------------------------------------------------------------
struct ConnectionWords {
    ImU32 dot;
    std::string text;
};

ConnectionWords connection_words(const desk::DeskState& s, PanelContext& ctx) {
    using C = desk::ConnectionState;
    switch (s.connection) {
        case C::Connected: return {color::available, "Connected"};
        case C::Connecting:
        case C::Handshaking: return {color::not_ready, "Reconnecting…"};
        case C::WaitingToReconnect: {
            int64_t secs = ui::seconds_until(s.reconnect_at_ms, ctx.now_ms);
            ctx.redraw_within(ui::ms_to_next_second(s.reconnect_at_ms, ctx.now_ms));
            if (secs <= 0) return {color::not_ready, "Reconnecting…"};
            return {color::not_ready, "Reconnecting in " + std::to_string(secs) + " s"};
        }
        case C::Disconnected: return {color::offline, "Offline"};
    }
    return {color::offline, "Offline"};
}

// The phone (SIP registration), when the backend has telephony.
ConnectionWords phone_words(const desk::DeskState& s) {
    using T = desk::SipTransportState;
    using R = sip::RegistrationState;
    if (s.voice.registration == R::registered || s.voice.registration == R::refreshing) return {color::available, "Phone ready"};
    if (s.voice.transport == T::Connecting || s.voice.registration == R::registering) return {color::not_ready, "Phone connecting…"};
    if (s.voice.transport == T::WaitingToReconnect) return {color::not_ready, "Phone reconnecting…"};
    return {color::offline, "Phone offline"};
}

void draw_notice(const desk::DeskState& s, PanelContext& ctx, float left, float right, float bar_h) {
    NoticeMemory& notice = ctx.memory.notice;
    if (s.notice != notice.text) notice = {s.notice, ctx.now_ms};
    if (notice.text.empty()) return;
    const int64_t shown_for = ctx.now_ms - notice.since_ms;
    if (shown_for >= kNoticeShownMs) return;
    ctx.redraw_within(kNoticeShownMs - shown_for);  // to take it away on time

    const auto& f = theme::fonts();
    const float max_w = right - left;
    if (max_w < 90.0f) return;  // no room on a narrow window; the selector still shows the truth
    const std::string text = ui::ellipsize(f.small, notice.text, max_w - 24.0f);
    const ImVec2 ts = ui::text_size(f.small, text);
    const float h = 28.0f;
    ImVec2 wp = ImGui::GetWindowPos();
    ImVec2 a(wp.x + left, wp.y + std::round((bar_h - h) * 0.5f));
    ImVec2 b(a.x + ts.x + 24.0f, a.y + h);
    ImDrawList* dl = ImGui::GetWindowDrawList();
    dl->AddRectFilled(a, b, color::danger_soft, h * 0.5f);
    dl->AddRect(a, b, color::danger_border, h * 0.5f);
    ui::draw_text(dl, f.small, ImVec2(a.x + 12.0f, centred_y(f.small, a.y, h)), color::danger, text);
    if (text != notice.text) {
        ImGui::SetCursorScreenPos(a);
        ImGui::InvisibleButton("##notice", ImVec2(b.x - a.x, h));
        if (ImGui::IsItemHovered()) ImGui::SetTooltip("%s", notice.text.c_str());
    }
}

}  // namespace

// ---- draw_agent_bar ----------------------------------------------------------------------------

void draw_agent_bar(const desk::DeskState& s, IntentSink& sink, PanelContext& ctx) {
    if (!s.agent) return;
    const auto& f = theme::fonts();
    const auto& agent = *s.agent;
    ImDrawList* dl = ImGui::GetWindowDrawList();
    const ImVec2 wp = ImGui::GetWindowPos();
    const float bar_w = ImGui::GetWindowSize().x;
    const float bar_h = ImGui::GetWindowSize().y;
    const float pad = 20.0f;

    // Product mark; the word mark goes first when space runs short.
    const float logo = 28.0f;
    dl->AddLine(ImVec2(wp.x, wp.y + bar_h - 1.0f), ImVec2(wp.x + bar_w, wp.y + bar_h - 1.0f), color::border);
    ui::draw_logo(dl, ImVec2(wp.x + pad, wp.y + std::round((bar_h - logo) * 0.5f)), logo);
    float x = pad + logo + 10.0f;
    if (bar_w >= 1000.0f) {
        x += ui::draw_text(dl, f.heading, ImVec2(wp.x + x, wp.y + centred_y(f.heading, 0.0f, bar_h)), color::text,
                           "Switchboard");
        x += 20.0f;
    } else {
        x += 8.0f;
    }
    dl->AddLine(ImVec2(wp.x + x, wp.y + 18.0f), ImVec2(wp.x + x, wp.y + bar_h - 18.0f), color::border);
    x += 20.0f;

    const SelectorLook look = selector_look(s, ctx.now_ms);
    float selector_right = draw_presence_selector(s, look, sink, ctx, x, bar_h);
    selector_right = draw_activity(s, selector_right + 10.0f, bar_h);

    // Right-hand group, placed from the right edge. On a narrow window the agent's name gives way
    // first (the avatar stays, with the name on hover), so nothing overlaps the selector.
    float right = bar_w - pad;
    const bool signing_out = s.session == desk::SessionState::LoggingOut;
    const char* out_label = signing_out ? "Signing out…" : "Sign out";
    const float out_w = ui::text_size(f.body, out_label).x + 28.0f;
    const std::string name = agent.display_name.empty() ? agent.username : agent.display_name;
    const std::string name_shown = ui::ellipsize(f.strong, name, 180.0f);
    const std::string user_shown = ui::ellipsize(f.small, "@" + agent.username, 180.0f);
    const float text_w = std::max(ui::text_size(f.strong, name_shown).x, ui::text_size(f.small, user_shown).x);
    const ConnectionWords conn = connection_words(s, ctx);
    const float conn_w = ui::text_size(f.small, conn.text).x + 18.0f;
    const ConnectionWords phone = phone_words(s);
    const float phone_w = s.voice.available ? ui::text_size(f.small, phone.text).x + 18.0f + 16.0f : 0.0f;
    const float avatar = 34.0f;
    const float dial_w = s.voice.available ? ui::text_size(f.strong, "Call").x + 52.0f + 16.0f : 0.0f;
    const float audio_w = s.voice.available ? 34.0f + 8.0f : 0.0f;
    const float group_w = out_w + 20.0f + text_w + 10.0f + avatar + 40.0f + conn_w + phone_w + dial_w + audio_w;
    const bool show_name = selector_right + 24.0f + group_w <= right;
    right -= out_w;
    ImGui::SetCursorPos(ImVec2(right, std::round((bar_h - 34.0f) * 0.5f)));
    ImGui::PushStyleVar(ImGuiStyleVar_FramePadding, ImVec2(14.0f, 7.0f));
    ImGui::BeginDisabled(signing_out);
    if (ui::secondary_button(out_label, ImVec2(out_w, 34.0f))) sink.dispatch(desk::LogoutIntent{});
    ImGui::EndDisabled();
    ImGui::PopStyleVar();
    right -= 20.0f;

    // The agent: initials avatar, name, username; the whole block opens the account menu.
    const float block_w = avatar + (show_name ? 10.0f + text_w : 0.0f);
    right -= block_w;
    {
        const float hit_pad = 6.0f;  // the hover shape reaches a little past the avatar and the name
        ImGui::SetCursorPos(ImVec2(right - hit_pad, std::round((bar_h - avatar) * 0.5f) - hit_pad * 0.5f));
        const bool clicked = ImGui::InvisibleButton("##account", ImVec2(block_w + hit_pad * 2.0f, avatar + hit_pad));
        const bool open = ImGui::IsPopupOpen(kAccountMenuId);
        if (ImGui::IsItemHovered() || open)
            dl->AddRectFilled(ImGui::GetItemRectMin(), ImGui::GetItemRectMax(), color::surface_hover, theme::kControlRounding);
        if (clicked) ImGui::OpenPopup(kAccountMenuId);
        if (ImGui::IsItemHovered() && !open) {
            if (show_name) ImGui::SetTooltip("Your account · support log");
            else ImGui::SetTooltip("%s (@%s)", name.c_str(), agent.username.c_str());
        }
        const ImVec2 menu_at(ImGui::GetItemRectMax().x, ImGui::GetItemRectMax().y + 8.0f);
        const ImVec2 ac(wp.x + right + avatar * 0.5f, wp.y + bar_h * 0.5f);
        dl->AddCircleFilled(ac, avatar * 0.5f, color::accent_soft);
        const std::string ini = ui::initials(name);
        const ImVec2 is = ui::text_size(f.strong, ini);
        ui::draw_text(dl, f.strong, ImVec2(ac.x - is.x * 0.5f, ac.y - is.y * 0.5f), color::accent, ini);
        if (show_name) {
            const float tx = right + avatar + 10.0f;
            const float name_h = ui::text_size(f.strong, "Ag").y, user_h = ui::text_size(f.small, "Ag").y;
            const float block_top = std::round((bar_h - name_h - user_h) * 0.5f);
            ui::draw_text(dl, f.strong, ImVec2(wp.x + tx, wp.y + block_top), color::text, name_shown);
            ui::draw_text(dl, f.small, ImVec2(wp.x + tx, wp.y + block_top + name_h), color::text_muted, user_shown);
        }
        draw_account_menu(agent, sink, menu_at);
    }
    right -= 20.0f;
    dl->AddLine(ImVec2(wp.x + right, wp.y + 18.0f), ImVec2(wp.x + right, wp.y + bar_h - 18.0f), color::border);
    right -= 20.0f;

    // Connection: a dot and a word; the reason on hover.
    right -= conn_w;
    ui::presence_dot(dl, ImVec2(wp.x + right + 4.0f, wp.y + bar_h * 0.5f), 3.5f, conn.dot);
    ui::draw_text(dl, f.small, ImVec2(wp.x + right + 18.0f, wp.y + centred_y(f.small, 0.0f, bar_h)),
                  color::text_muted, conn.text);
    ImGui::SetCursorPos(ImVec2(right, std::round((bar_h - 24.0f) * 0.5f)));
    ImGui::InvisibleButton("##connection", ImVec2(conn_w, 24.0f));
    if (ImGui::IsItemHovered()) {
        if (s.connection == desk::ConnectionState::Connected)
            ImGui::SetTooltip("Connected to %s", s.backend_url.empty() ? "the backend" : s.backend_url.c_str());
        else if (!s.connection_error.empty())
            ImGui::SetTooltip("%s", s.connection_error.c_str());
    }

    // The phone: a dot and a word; what it is, or why it is not ready, on hover.
    if (s.voice.available) {
        right -= phone_w;
        ui::presence_dot(dl, ImVec2(wp.x + right + 4.0f, wp.y + bar_h * 0.5f), 3.5f, phone.dot);
        ui::draw_text(dl, f.small, ImVec2(wp.x + right + 18.0f, wp.y + centred_y(f.small, 0.0f, bar_h)),
                      color::text_muted, phone.text);
        ImGui::SetCursorPos(ImVec2(right, std::round((bar_h - 24.0f) * 0.5f)));
        ImGui::InvisibleButton("##phone", ImVec2(phone_w - 16.0f, 24.0f));
        if (ImGui::IsItemHovered()) {
            if (s.voice.error) ImGui::SetTooltip("%s", s.voice.error->message.c_str());
            else ImGui::SetTooltip("Calls to %s ring here", s.voice.uri.c_str());
        }
    }

    // Place a call: the dial pad opens under this button.
    if (s.voice.available) {
        const float dial_w = ui::text_size(f.strong, "Call").x + 52.0f, dial_h = 34.0f;
        right -= 16.0f + dial_w;
        ImGui::SetCursorPos(ImVec2(right, std::round((bar_h - dial_h) * 0.5f)));
        const bool clicked = ImGui::InvisibleButton("##dial", ImVec2(dial_w, dial_h));
        const bool hovered = ImGui::IsItemHovered(), open = ImGui::IsPopupOpen(kDialPadPopup);
        const ImVec2 a = ImGui::GetItemRectMin(), b = ImGui::GetItemRectMax();
        dl->AddRectFilled(a, b, open || hovered ? color::success_soft : color::surface, theme::kControlRounding);
        dl->AddRect(a, b, open ? color::success : color::border_strong, theme::kControlRounding);
        ui::draw_glyph(dl, ui::Glyph::Handset, ImVec2(a.x + 20.0f, (a.y + b.y) * 0.5f), 15.0f, color::success);
        ui::draw_text(dl, f.strong, ImVec2(a.x + 34.0f, centred_y(f.strong, a.y, dial_h)), color::text, "Call");
        if (clicked) ImGui::OpenPopup(kDialPadPopup);
        if (hovered && !open) ImGui::SetTooltip("Place a call");
        draw_dial_pad(s, sink, ctx, ImVec2(b.x, b.y + 8.0f));
    }

    // Audio settings: microphone, speaker, ringer; a square button left of Call.
    if (s.voice.available) {
        const float size = 34.0f;
        right -= 8.0f + size;
        ImGui::SetCursorPos(ImVec2(right, std::round((bar_h - size) * 0.5f)));
        const bool clicked = ImGui::InvisibleButton("##audio", ImVec2(size, size));
        const bool hovered = ImGui::IsItemHovered(), open = ImGui::IsPopupOpen(kAudioSettingsPopup);
        const ImVec2 a = ImGui::GetItemRectMin(), b = ImGui::GetItemRectMax();
        const bool denied = s.audio.microphone == "denied";
        dl->AddRectFilled(a, b, open ? color::accent_soft : hovered ? color::surface_hover : color::surface,
                          theme::kControlRounding);
        dl->AddRect(a, b, open ? color::accent : denied ? color::danger_border : color::border_strong, theme::kControlRounding);
        speaker_glyph(dl, ImVec2((a.x + b.x) * 0.5f, (a.y + b.y) * 0.5f), open ? color::accent : color::text_muted);
        if (denied) dl->AddCircleFilled(ImVec2(b.x - 5.0f, a.y + 5.0f), 4.0f, color::danger);  // needs attention
        if (clicked) ImGui::OpenPopup(kAudioSettingsPopup);
        if (hovered && !open)
            ImGui::SetTooltip("%s", denied ? "Audio settings: the browser blocked the microphone" : "Audio settings");
        draw_audio_settings(s, sink, ctx, ImVec2(b.x, b.y + 8.0f));
    }

    draw_notice(s, ctx, selector_right + 12.0f, right - 16.0f, bar_h);
}

}  // namespace sb::shell
