// shell/app.cpp: the whole window, laid out: sign-in screen, or the desk (bar + three columns).
//
// Sections: selection · layout · redraw scheduling · App
//
// The UI is one borderless full-screen ImGui window with child regions for the panels; the layout
// is computed from io.DisplaySize every frame, so it follows the window from ~900x600 to 4K.
// Frames are drawn on demand: App::frame works out when the next one is needed without input.
#include "app.h"

#include <algorithm>
#include <cmath>
#include <string>

#include <imgui.h>
#include <imgui_internal.h>  // active text field's caret timer, hovered/active ids: redraw scheduling

#include "panels/call_view.h"
#include "panels/memory.h"
#include "panels/panels.h"
#include "theme.h"
#include "widgets.h"

namespace sb::shell {

namespace {

// ---- selection ---------------------------------------------------------------------------------
// Which contact the workspace shows is the shell's own memory (App::Impl), not the desk's. It
// stays on the agent's choice while that contact is on the desk (offered, active or in wrap-up),
// and otherwise falls to the first active contact, then the first in wrap-up.

// A call without a contact (agent to agent, a direct call) is selected as "call:<id>" while it lasts.
std::string resolve_selection(const desk::DeskState& s, const std::string& current) {
    using contact::ContactState;
    if (const contact::Contact* c = desk::find_contact(s, current)) {
        if (c->state == ContactState::Offered || c->state == ContactState::Active || c->state == ContactState::WrapUp)
            return current;
    }
    if (view::selected_call(s, current)) return current;
    // A live call first: the agent is talking to someone.
    for (const auto& call : s.calls) {
        if (call.phase == desk::CallPhase::Ringing && !call.outgoing) continue;
        if (call.contact.empty()) return view::call_selection(call);
        if (desk::find_contact(s, call.contact)) return call.contact;
    }
    for (ContactState wanted : {ContactState::Active, ContactState::WrapUp})
        for (const auto& c : s.contacts)
            if (c.state == wanted) return c.id;
    // Nothing being worked: a call that rings pops up, with the caller's card.
    for (const auto& call : s.calls) {
        if (call.contact.empty()) return view::call_selection(call);
        if (desk::find_contact(s, call.contact)) return call.contact;
    }
    return {};
}

// ---- layout ------------------------------------------------------------------------------------

// The desk is shown once there is an agent to show: signed in, signing out, or resuming after a
// reconnect (the agent stays on screen). A resume at start-up, with no agent yet, stays on the
// sign-in screen, which then says "Restoring your session…".
bool shows_desk(const desk::DeskState& s) {
    using S = desk::SessionState;
    if (!s.agent) return false;
    if (!s.recovery_codes.empty()) return false;  // shown once on the sign-in card, before the desk
    return s.session == S::LoggedIn || s.session == S::LoggingOut || s.session == S::Resuming;
}

// A child region with no padding or border, for the bar and the banner that draw edge to edge.
void begin_strip(const char* id, ImVec2 pos, ImVec2 size, ImU32 bg) {
    ImGui::SetCursorPos(pos);
    ImGui::PushStyleColor(ImGuiCol_ChildBg, bg);
    ImGui::PushStyleVar(ImGuiStyleVar_WindowPadding, ImVec2(0.0f, 0.0f));
    ImGui::PushStyleVar(ImGuiStyleVar_ChildRounding, 0.0f);
    ImGui::PushStyleVar(ImGuiStyleVar_ChildBorderSize, 0.0f);
    ImGui::BeginChild(id, size, false, ImGuiWindowFlags_NoScrollbar | ImGuiWindowFlags_NoScrollWithMouse);
    ImGui::PopStyleVar(3);
    ImGui::PopStyleColor();
}

constexpr float kOfferPadding = 12.0f;

void draw_desk(const desk::DeskState& s, IntentSink& sink, PanelContext& ctx) {
    const ImVec2 size = ImGui::GetWindowSize();
    float y = 0.0f;

    begin_strip("##agent_bar", ImVec2(0.0f, y), ImVec2(size.x, theme::kBarHeight), theme::color::surface);
    draw_agent_bar(s, sink, ctx);
    ImGui::EndChild();
    y += theme::kBarHeight;

    const bool link_down = s.connection != desk::ConnectionState::Connected || s.session == desk::SessionState::Resuming;
    if (link_down) {
        begin_strip("##connection_banner", ImVec2(0.0f, y), ImVec2(size.x, theme::kBannerHeight),
                    theme::color::warning_soft);
        draw_connection_banner(s, ctx);
        ImGui::EndChild();
        y += theme::kBannerHeight;
    }

    // Three columns: fixed-ish sides that grow a little on wide screens, the workspace takes the rest.
    const float m = theme::kPageMargin, g = theme::kGutter;
    const float top = y + m;
    const float h = std::max(120.0f, size.y - top - m);
    const float contacts_w = std::floor(std::clamp(size.x * 0.22f, 240.0f, 300.0f));
    const float customer_w = std::floor(std::clamp(size.x * 0.24f, 260.0f, 340.0f));
    const float work_w = std::max(200.0f, size.x - 2.0f * m - 2.0f * g - contacts_w - customer_w);

    // Left: calls ringing on top, then offers (each capped, scrolling inside beyond that), the
    // contacts under them.
    float x = m;
    float list_top = top, list_h = h;
    const float calls_h = std::min(std::floor(h * 0.55f), incoming_calls_height(s, contacts_w - 2.0f * kOfferPadding));
    if (calls_h > 0.0f) {
        ui::begin_card("##incoming_calls", ImVec2(x, top), ImVec2(contacts_w, calls_h + 2.0f * kOfferPadding), kOfferPadding);
        draw_incoming_calls(s, sink, ctx);
        ui::end_card();
        list_top += calls_h + 2.0f * kOfferPadding + g;
        list_h = std::max(100.0f, h - (list_top - top));
    }
    const float offers_h = std::min(std::floor(list_h * 0.62f), offers_height(s, contacts_w - 2.0f * kOfferPadding));
    if (offers_h > 0.0f) {
        ui::begin_card("##offers", ImVec2(x, list_top), ImVec2(contacts_w, offers_h + 2.0f * kOfferPadding), kOfferPadding);
        draw_offers(s, sink, ctx);
        ui::end_card();
        list_top += offers_h + 2.0f * kOfferPadding + g;
        list_h = std::max(100.0f, h - (list_top - top));
    }
    ui::begin_card("##contacts", ImVec2(x, list_top), ImVec2(contacts_w, list_h));
    draw_contact_list(s, sink, ctx);
    ui::end_card();
    x += contacts_w + g;

    ui::begin_card("##workspace", ImVec2(x, top), ImVec2(work_w, h));
    draw_workspace(s, sink, ctx);
    ui::end_card();
    x += work_w + g;

    ui::begin_card("##customer", ImVec2(x, top), ImVec2(customer_w, h));
    draw_customer_card(s, sink, ctx);
    ui::end_card();
}

// ---- redraw scheduling -------------------------------------------------------------------------

// ImGui settles some things one frame late (a popup sizes itself, a focus request lands, hover
// moves to a new item). If any of these changed this frame, one more frame shows the result.
struct Settle {
    ImGuiID hovered = 0, active = 0;
    int popups = 0;
    const void* focused_window = nullptr;
    bool operator==(const Settle&) const = default;
};

Settle settle_now() {
    ImGuiContext& g = *ImGui::GetCurrentContext();
    return Settle{g.HoveredId, g.ActiveId, g.OpenPopupStack.Size, g.NavWindow};
}

// Time to the next caret blink edge of the active text field, or -1 if none is active. ImGui's
// caret is on while CursorAnim <= 0.8 (mod 1.2 s) and off for the rest.
int64_t caret_blink_ms() {
    ImGuiContext& g = *ImGui::GetCurrentContext();
    if (g.ActiveId == 0 || g.InputTextState.ID != g.ActiveId || !g.IO.ConfigInputTextCursorBlink) return -1;
    const float anim = g.InputTextState.CursorAnim;
    float next_s;
    if (anim <= 0.0f) {
        next_s = -anim + 0.8f;
    } else {
        const float t = std::fmod(anim, 1.2f);
        next_s = t <= 0.8f ? 0.8f - t : 1.2f - t;
    }
    return std::clamp<int64_t>(static_cast<int64_t>(next_s * 1000.0f) + 5, 16, 1200);
}

}  // namespace

// ---- App ---------------------------------------------------------------------------------------

struct App::Impl {
    std::string selected_contact;  // see resolve_selection
    PanelMemory panels;            // what the panels remember between frames
    Settle last_settle;
};

App::App() : impl_(std::make_unique<Impl>()) {}
App::~App() = default;

void App::setup_style(const FontFiles& fonts) { theme::apply(fonts); }

void App::frame(const desk::DeskState& state, int64_t now_ms, IntentSink& sink) {
    Impl& m = *impl_;
    PanelContext ctx(m.panels);
    ctx.now_ms = now_ms;

    const ImGuiIO& io = ImGui::GetIO();
    ImGui::SetNextWindowPos(ImVec2(0.0f, 0.0f));
    ImGui::SetNextWindowSize(io.DisplaySize);
    ImGui::PushStyleVar(ImGuiStyleVar_WindowPadding, ImVec2(0.0f, 0.0f));
    ImGui::PushStyleVar(ImGuiStyleVar_WindowBorderSize, 0.0f);
    ImGui::PushStyleVar(ImGuiStyleVar_WindowRounding, 0.0f);
    constexpr ImGuiWindowFlags kRoot = ImGuiWindowFlags_NoDecoration | ImGuiWindowFlags_NoMove |
                                       ImGuiWindowFlags_NoResize | ImGuiWindowFlags_NoBringToFrontOnFocus |
                                       ImGuiWindowFlags_NoSavedSettings | ImGuiWindowFlags_NoScrollWithMouse;
    ImGui::Begin("##switchboard", nullptr, kRoot);
    ImGui::PopStyleVar(3);

    if (shows_desk(state)) {
        ctx.selected_contact = resolve_selection(state, m.selected_contact);
        draw_desk(state, sink, ctx);
        m.selected_contact = ctx.selected_contact;
    } else {
        m.selected_contact.clear();
        draw_login_panel(state, sink, ctx);
    }

    ImGui::End();

    // The one place per-contact and per-call memory is let go: after the panels drew, so that
    // they saw the last frame of a contact that has just left (the composer ends its "typing").
    m.panels.forget_gone(state);

    ctx.redraw_within(caret_blink_ms());
    const Settle settle = settle_now();
    if (!(settle == m.last_settle) || ImGui::GetFrameCount() < 3) ctx.redraw_within(0);
    m.last_settle = settle;

    next_redraw_in_ms_ = ctx.redraw_in_ms;
}

}  // namespace sb::shell
