// shell/panels/login_panel.cpp: the sign-in screen, a centred card on the app background.
//
// Sections: connection line · error line · support link · draw_login_panel
// Keyboard: focus starts in Username, Tab moves between the fields, Enter in either submits.
// After the password the card shows the second step instead of the form (mfa_panel.cpp).
#include <algorithm>
#include <cmath>
#include <cstring>
#include <optional>
#include <string>

#include <imgui.h>

#include "../format.h"
#include "../theme.h"
#include "../widgets.h"
#include "memory.h"
#include "mfa_panel.h"
#include "panels.h"

namespace sb::shell {

namespace {

using theme::color::text;
using theme::color::text_muted;

// What the agent types (LoginForm) is kept in PanelMemory::login (memory.h).
void clear_password(LoginForm& form) { std::memset(form.password, 0, sizeof form.password); }

// ---- connection line ---------------------------------------------------------------------------
void draw_connection_line(const desk::DeskState& s, PanelContext& ctx) {
    using C = desk::ConnectionState;
    ImU32 dot = theme::color::offline;
    std::string line;
    switch (s.connection) {
        case C::Connected:
            dot = theme::color::available;
            line = "Connected to backend";
            break;
        case C::Connecting:
        case C::Handshaking:
            dot = theme::color::not_ready;
            line = "Connecting…";
            break;
        case C::WaitingToReconnect: {
            dot = theme::color::danger;
            int64_t secs = ui::seconds_until(s.reconnect_at_ms, ctx.now_ms);
            line = secs > 0 ? "Can't reach the backend — retrying in " + std::to_string(secs) + " s"
                            : "Can't reach the backend — retrying…";
            ctx.redraw_within(ui::ms_to_next_second(s.reconnect_at_ms, ctx.now_ms));
            break;
        }
        case C::Disconnected:
            line = "Not connected";
            break;
    }
    const auto& f = theme::fonts();
    const float width = ImGui::GetContentRegionAvail().x;
    const std::string shown = ui::ellipsize(f.small, line, width - 18.0f);
    const float w = ui::text_size(f.small, shown).x + 18.0f;
    ImGui::SetCursorPosX(ImGui::GetCursorPosX() + std::max(0.0f, (width - w) * 0.5f));
    ImVec2 p = ImGui::GetCursorScreenPos();
    const float h = ui::text_size(f.small, "Ag").y;
    ui::presence_dot(ImGui::GetWindowDrawList(), ImVec2(p.x + 4.0f, p.y + h * 0.5f + 0.5f), 3.5f, dot);
    ImGui::SetCursorPosX(ImGui::GetCursorPosX() + 18.0f);
    ui::text(f.small, text_muted, shown);
    if (!s.connection_error.empty() && s.connection != C::Connected && ImGui::IsItemHovered())
        ImGui::SetTooltip("%s", s.connection_error.c_str());
}

// ---- error line --------------------------------------------------------------------------------
// The words an agent should read, not the protocol's: a rate limit says when to try again.
std::string error_text(const Error& e, int64_t seen_at_ms, PanelContext& ctx) {
    if (e.code == "rate_limited") {
        if (!e.retry_after_ms) return "Too many attempts. Wait a moment before trying again.";
        int64_t until = seen_at_ms + *e.retry_after_ms;
        int64_t secs = ui::seconds_until(until, ctx.now_ms);
        if (secs <= 0) return "Too many attempts. You can try again now.";
        ctx.redraw_within(ui::ms_to_next_second(until, ctx.now_ms));
        return "Too many attempts. Try again in " + std::to_string(secs) + " s.";
    }
    if (e.code == "account_locked" && e.retry_after_ms) {
        // The backend says why; the time it ends is the agent's own clock's.
        int64_t until = seen_at_ms + *e.retry_after_ms;
        if (until <= ctx.now_ms) return "The account lock has ended. You can sign in again.";
        ctx.redraw_within(std::min<int64_t>(60'000, until - ctx.now_ms));
        return e.message + " You can sign in again at " + ui::format_clock(until) + ".";
    }
    if (e.code == "invalid_credentials" && e.message.empty()) return "Wrong username or password.";
    return e.message.empty() ? "Sign-in failed (" + e.code + ")." : e.message;
}

void draw_error_box(const std::string& message) {
    const auto& f = theme::fonts();
    const float width = ImGui::GetContentRegionAvail().x;
    const float pad_x = 12.0f, pad_y = 10.0f, icon = 16.0f;
    ui::push_font(f.small);
    const float wrap = width - pad_x * 2.0f - icon - 8.0f;
    const ImVec2 ts = ImGui::CalcTextSize(message.c_str(), nullptr, false, wrap);
    ImVec2 p = ImGui::GetCursorScreenPos();
    const float h = ts.y + pad_y * 2.0f;
    ImDrawList* dl = ImGui::GetWindowDrawList();
    dl->AddRectFilled(p, ImVec2(p.x + width, p.y + h), theme::color::danger_soft, theme::kControlRounding);
    dl->AddRect(p, ImVec2(p.x + width, p.y + h), theme::color::danger_border, theme::kControlRounding);
    // A round "!" badge: the message must not rely on its colour alone.
    const float line_h = ImGui::GetFontSize();
    ImVec2 c(p.x + pad_x + icon * 0.5f, p.y + pad_y + line_h * 0.5f);
    dl->AddCircleFilled(c, icon * 0.5f, theme::color::danger);
    dl->AddLine(ImVec2(c.x, c.y - 4.0f), ImVec2(c.x, c.y + 1.0f), theme::color::on_accent, 1.8f);
    dl->AddCircleFilled(ImVec2(c.x, c.y + 4.0f), 1.1f, theme::color::on_accent);
    ImGui::SetCursorScreenPos(ImVec2(p.x + pad_x + icon + 8.0f, p.y + pad_y));
    ImGui::PushStyleColor(ImGuiCol_Text, theme::color::danger);
    ImGui::PushTextWrapPos(ImGui::GetCursorPosX() + wrap);
    ImGui::TextUnformatted(message.c_str());
    ImGui::PopTextWrapPos();
    ImGui::PopStyleColor();
    ImGui::PopFont();
    ImGui::SetCursorScreenPos(ImVec2(p.x, p.y + h));
    ImGui::Dummy(ImVec2(width, 0.0f));
}

// A labelled text field with a focus ring; returns true when Enter was pressed in it. (The caret
// blink redraw is app.cpp's job, for every text field.)
bool field(const char* label, const char* id, char* buf, size_t size, ImGuiInputTextFlags flags, bool focus,
           PanelContext& ctx) {
    const auto& f = theme::fonts();
    ui::text(f.strong, text, label);
    ImGui::SetCursorPosY(ImGui::GetCursorPosY() - 4.0f);
    ImGui::SetNextItemWidth(-FLT_MIN);
    if (focus) {
        ImGui::SetKeyboardFocusHere();
        ctx.redraw_within(0);  // ImGui moves the focus on the next frame
    }
    ImGui::PushStyleVar(ImGuiStyleVar_FramePadding, ImVec2(12.0f, 10.0f));
    ImGui::PushStyleColor(ImGuiCol_Border, theme::color::border_strong);
    bool enter = ImGui::InputText(id, buf, size, flags | ImGuiInputTextFlags_EnterReturnsTrue);
    ImGui::PopStyleColor();
    ImGui::PopStyleVar();
    if (ImGui::IsItemActive()) {
        ImVec2 a = ImGui::GetItemRectMin(), b = ImGui::GetItemRectMax();
        ImDrawList* dl = ImGui::GetWindowDrawList();
        dl->AddRect(ImVec2(a.x - 2.0f, a.y - 2.0f), ImVec2(b.x + 2.0f, b.y + 2.0f), theme::color::accent_ring,
                    theme::kControlRounding + 2.0f, 0, 3.0f);
        dl->AddRect(a, b, theme::color::accent, theme::kControlRounding, 0, 1.0f);
    }
    return enter;
}

// "Trouble signing in? Export support log": a quiet line, its second half a link.
void draw_support_link(IntentSink& sink) {
    const auto& f = theme::fonts();
    const char* lead = "Trouble signing in? ";
    const char* link = "Export support log";
    const float lead_w = ui::text_size(f.small, lead).x, link_w = ui::text_size(f.small, link).x;
    const float width = ImGui::GetContentRegionAvail().x;
    const float h = ui::text_size(f.small, "Ag").y;
    const ImVec2 start = ImGui::GetCursorScreenPos();
    const float x = start.x + std::max(0.0f, (width - lead_w - link_w) * 0.5f);
    ImDrawList* dl = ImGui::GetWindowDrawList();
    ui::draw_text(dl, f.small, ImVec2(x, start.y), text_muted, lead);
    ImGui::SetCursorScreenPos(ImVec2(x + lead_w, start.y));
    const bool clicked = ImGui::InvisibleButton("##support_log", ImVec2(link_w, h));
    const bool hovered = ImGui::IsItemHovered();
    ui::draw_text(dl, f.small, ImVec2(x + lead_w, start.y), theme::color::accent, link);
    if (hovered || ImGui::IsItemFocused())
        dl->AddLine(ImVec2(x + lead_w, start.y + h - 1.0f), ImVec2(x + lead_w + link_w, start.y + h - 1.0f),
                    theme::color::accent);
    if (hovered) {
        ImGui::SetMouseCursor(ImGuiMouseCursor_Hand);
        ImGui::SetTooltip("What this desk did, for a bug report. Your password is left out.");
    }
    if (clicked) sink.export_support_log();
}

// `compact`: the second step of sign-in needs the room; the mark alone says where the agent is.
void draw_header(bool compact) {
    const auto& f = theme::fonts();
    const float width = ImGui::GetContentRegionAvail().x;
    const float logo = compact ? 36.0f : 44.0f;
    ImVec2 p = ImGui::GetCursorScreenPos();
    ui::draw_logo(ImGui::GetWindowDrawList(), ImVec2(p.x + (width - logo) * 0.5f, p.y), logo);
    ImGui::Dummy(ImVec2(width, logo + (compact ? 4.0f : 10.0f)));
    if (compact) return;
    ImGui::SetCursorPosX(ImGui::GetCursorPosX() + (width - ui::text_size(f.title, "Switchboard").x) * 0.5f);
    ui::text(f.title, text, "Switchboard");
    ImGui::SetCursorPosY(ImGui::GetCursorPosY() - 6.0f);
    ui::text_centered_wrapped(f.body, text_muted, "Calls, chats and SMS in one desk.", width);
}

}  // namespace

void sign_in_error_box(const std::string& message) { draw_error_box(message); }

bool sign_in_field(const char* label, const char* id, char* buf, size_t size, ImGuiInputTextFlags flags, bool focus,
                   PanelContext& ctx) {
    return field(label, id, buf, size, flags, focus, ctx);
}

// ---- draw_login_panel --------------------------------------------------------------------------

void draw_login_panel(const desk::DeskState& s, IntentSink& sink, PanelContext& ctx) {
    const auto& f = theme::fonts();
    LoginForm& form = ctx.memory.login;
    using S = desk::SessionState;

    const bool restoring = s.session == S::Resuming;
    // A login queued while the connection comes up is "signing in" to the agent too.
    const bool signing_in = desk::signing_in(s);

    const int frame = ImGui::GetFrameCount();
    const bool appeared = frame != form.last_drawn_frame + 1;
    form.last_drawn_frame = frame;
    if (appeared) {
        clear_password(form);  // never keep a password from a previous session around
        form.local_error.clear();
        form.focus_next = form.username[0] ? LoginForm::Focus::Password : LoginForm::Focus::Username;
    }

    if (s.login_error != form.seen_error) {
        form.seen_error = s.login_error;
        form.seen_error_at_ms = ctx.now_ms;
    }
    if (form.signing_in_last_frame && !signing_in && s.session == S::LoggedOut) {
        // The attempt failed: start the password over, where the cursor already is.
        clear_password(form);
        form.focus_next = LoginForm::Focus::Password;
    }
    form.signing_in_last_frame = signing_in;
    if (signing_in) ctx.redraw_within(250);  // progress dots

    // Centre the card; its height is last frame's measured content, so it always hugs the form.
    const ImVec2 avail = ImGui::GetContentRegionAvail();
    const bool second_step = mfa_step_showing(s);
    if (second_step) clear_password(form);  // the password did its part
    const float card_w = std::min(second_step ? mfa_card_width(s) : 400.0f, avail.x - 32.0f);
    const float card_h = form.card_height > 0.0f ? form.card_height : 460.0f;
    const float x = std::floor((avail.x - card_w) * 0.5f);
    const float y = std::floor(std::max(24.0f, (avail.y - card_h) * 0.45f));
    ui::begin_card("##login", ImVec2(x, y), ImVec2(card_w, card_h), 32.0f);

    draw_header(second_step);
    ImGui::Dummy(ImVec2(0.0f, second_step ? 6.0f : 14.0f));

    if (second_step) {
        draw_mfa_step(s, sink, ctx);
        form.last_drawn_frame = -10;  // the password form starts fresh when it comes back
    } else if (restoring) {
        ImGui::Dummy(ImVec2(0.0f, 8.0f));
        const float width = ImGui::GetContentRegionAvail().x;
        ui::text_centered_wrapped(f.strong, text, "Restoring your session…", width);
        ImVec2 p = ImGui::GetCursorScreenPos();
        ui::progress_dots(ImGui::GetWindowDrawList(), ImVec2(p.x + width * 0.5f, p.y + 8.0f), theme::color::accent,
                          ctx.now_ms);
        ImGui::Dummy(ImVec2(width, 30.0f));
        ctx.redraw_within(250);
        form.last_drawn_frame = -10;  // the form starts fresh when it appears
    } else {
        bool submit = false;
        ImGui::BeginDisabled(signing_in);
        const bool focus_user = form.focus_next == LoginForm::Focus::Username;
        form.focus_next = LoginForm::Focus::None;
        if (field("Username", "##username", form.username, sizeof form.username, ImGuiInputTextFlags_CharsNoBlank,
                  focus_user, ctx)) {
            // Enter with the password still empty means "next field", not "submit".
            if (form.password[0] == 0 && form.username[0] != 0) form.focus_next = LoginForm::Focus::Password;
            else submit = true;
        }
        ImGui::Dummy(ImVec2(0.0f, 2.0f));
        // Read after the username field so its Enter moves the focus within this same frame.
        const bool focus_pass = form.focus_next == LoginForm::Focus::Password;
        form.focus_next = LoginForm::Focus::None;
        if (field("Password", "##password", form.password, sizeof form.password, ImGuiInputTextFlags_Password,
                  focus_pass, ctx))
            submit = true;
        ImGui::EndDisabled();

        std::string error;
        if (!form.local_error.empty()) error = form.local_error;
        else if (s.login_error && !signing_in) error = error_text(*s.login_error, form.seen_error_at_ms, ctx);
        if (!error.empty()) {
            ImGui::Dummy(ImVec2(0.0f, 2.0f));
            draw_error_box(error);
        }

        ImGui::Dummy(ImVec2(0.0f, 6.0f));
        const float width = ImGui::GetContentRegionAvail().x;
        if (signing_in) {
            // The button stays in its colour but stops taking clicks, and shows progress.
            ui::primary_button("##signing_in", ImVec2(width, 44.0f));
            ImVec2 a = ImGui::GetItemRectMin(), b = ImGui::GetItemRectMax();
            const char* label = "Signing in";
            float tw = ui::text_size(f.strong, label).x;
            float total = tw + 34.0f;
            float tx = a.x + (width - total) * 0.5f;
            float ty = a.y + (b.y - a.y - ui::text_size(f.strong, label).y) * 0.5f;
            ImDrawList* dl = ImGui::GetWindowDrawList();
            ui::draw_text(dl, f.strong, ImVec2(tx, ty), theme::color::on_accent, label);
            ui::progress_dots(dl, ImVec2(tx + tw + 20.0f, (a.y + b.y) * 0.5f + 2.0f), theme::color::on_accent,
                              ctx.now_ms);
        } else if (ui::primary_button("Sign in", ImVec2(width, 44.0f))) {
            submit = true;
        }

        if (submit && !signing_in) {
            form.local_error.clear();
            if (form.username[0] == 0) {
                form.local_error = "Enter your username.";
                form.focus_next = LoginForm::Focus::Username;
            } else if (form.password[0] == 0) {
                form.local_error = "Enter your password.";
                form.focus_next = LoginForm::Focus::Password;
            } else {
                sink.dispatch(desk::LoginIntent{form.username, form.password});
            }
            ctx.redraw_within(0);  // show the new state (or move the focus) at once
        }
    }

    // Footer: a hairline, then how the backend is doing, quietly.
    ImGui::Dummy(ImVec2(0.0f, 8.0f));
    {
        ImVec2 wp = ImGui::GetWindowPos(), ws = ImGui::GetWindowSize();
        float ly = ImGui::GetCursorScreenPos().y;
        ImGui::PushClipRect(wp, ImVec2(wp.x + ws.x, wp.y + ws.y), false);
        ImGui::GetWindowDrawList()->AddLine(ImVec2(wp.x + 1.0f, ly), ImVec2(wp.x + ws.x - 1.0f, ly),
                                            theme::color::border);
        ImGui::PopClipRect();
    }
    ImGui::Dummy(ImVec2(0.0f, 8.0f));
    draw_connection_line(s, ctx);
    // When signing in goes wrong (no backend, a refusal), the way to report it is at hand: the
    // account menu that offers it elsewhere needs a signed-in agent.
    const bool trouble = s.connection != desk::ConnectionState::Connected || (s.login_error && !signing_in);
    if (trouble && !restoring) {
        ImGui::Dummy(ImVec2(0.0f, 2.0f));
        draw_support_link(sink);
    }

    const float measured = ImGui::GetCursorPosY() - ImGui::GetStyle().ItemSpacing.y + 32.0f;
    if (std::fabs(measured - form.card_height) > 0.5f) {
        form.card_height = measured;
        ctx.redraw_within(0);  // one more frame at the right height
    }
    ui::end_card();
}

}  // namespace sb::shell
