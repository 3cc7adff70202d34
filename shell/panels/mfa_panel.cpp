// shell/panels/mfa_panel.cpp: the second step of sign-in (see mfa_panel.h).
//
// Sections: form · QR code · code step · enrollment · recovery codes · draw_mfa_step
// Keyboard: the code field has the focus; Enter verifies. Views never mutate: every action is an
// intent (mfa, logout to go back, mfa_done).
#include "mfa_panel.h"

#include <algorithm>
#include <cmath>
#include <cstring>
#include <optional>

#include "../theme.h"
#include "../widgets.h"
#include "memory.h"

namespace sb::shell {

namespace {

using theme::color::text;
using theme::color::text_muted;

// ---- form --------------------------------------------------------------------------------------
// What is typed (MfaForm) is kept in PanelMemory::mfa (memory.h); a new challenge starts it afresh.
void reset_for(MfaForm& form, const desk::MfaChallenge& m) {
    std::string key = m.step + ":" + std::to_string(m.expires_at_ms);
    if (key == form.challenge_expiry_seen) return;
    form = MfaForm{};
    form.challenge_expiry_seen = key;
}

// ---- QR code -----------------------------------------------------------------------------------
// Black modules on white with a 4-module quiet zone (ISO/IEC 18004), whole pixels per module so
// that a phone's camera sees sharp edges.
void draw_qr(int size, const std::string& modules, float max_side) {
    const int quiet = 4;
    const int total = size + 2 * quiet;
    const float module = std::max(2.0f, std::floor(max_side / static_cast<float>(total)));
    const float side = module * static_cast<float>(total);
    const float width = ImGui::GetContentRegionAvail().x;
    ImVec2 p = ImGui::GetCursorScreenPos();
    p.x = std::floor(p.x + (width - side) * 0.5f);
    p.y = std::floor(p.y);
    ImDrawList* dl = ImGui::GetWindowDrawList();
    dl->AddRectFilled(p, ImVec2(p.x + side, p.y + side), IM_COL32(255, 255, 255, 255));
    dl->AddRect(ImVec2(p.x - 1.0f, p.y - 1.0f), ImVec2(p.x + side + 1.0f, p.y + side + 1.0f), theme::color::border,
                4.0f);
    for (int y = 0; y < size; ++y) {
        int x = 0;
        while (x < size) {
            if (modules[static_cast<size_t>(y) * size + x] != '1') {
                ++x;
                continue;
            }
            int run = x;  // one rectangle per horizontal run of dark modules
            while (run < size && modules[static_cast<size_t>(y) * size + run] == '1') ++run;
            ImVec2 a(p.x + (quiet + x) * module, p.y + (quiet + y) * module);
            dl->AddRectFilled(a, ImVec2(p.x + (quiet + run) * module, a.y + module), IM_COL32(0, 0, 0, 255));
            x = run;
        }
    }
    ImGui::Dummy(ImVec2(width, side));
}

std::string grouped(const std::string& secret) {
    std::string out;
    for (size_t i = 0; i < secret.size(); ++i) {
        if (i > 0 && i % 4 == 0) out += ' ';
        out += secret[i];
    }
    return out;
}

std::string countdown(int64_t until_server_ms, const desk::DeskState& s, PanelContext& ctx) {
    int64_t left = until_server_ms - (ctx.now_ms + s.clock_offset_ms);
    if (left <= 0) return "";
    // Whole seconds left, rounded down: a 5-minute challenge reads 5:00 at most, never 5:01
    // (the server's expiry and the clock offset put a few milliseconds over), and 0:00 in its
    // last second.
    ctx.redraw_within(std::min<int64_t>(1000, left % 1000 == 0 ? 1000 : left % 1000));
    int64_t secs = left / 1000;
    return std::to_string(secs / 60) + ":" + (secs % 60 < 10 ? "0" : "") + std::to_string(secs % 60);
}

void step_title(const char* title, const char* body) {
    const auto& f = theme::fonts();
    const float width = ImGui::GetContentRegionAvail().x;
    ui::text_centered_wrapped(f.heading, text, title, width);
    ImGui::SetCursorPosY(ImGui::GetCursorPosY() - 2.0f);
    ui::text_centered_wrapped(f.body, text_muted, body, width);
    ImGui::Dummy(ImVec2(0.0f, 6.0f));
}

std::string mfa_error_text(const desk::DeskState& s) {
    if (!s.login_error) return "";
    const Error& e = *s.login_error;
    if (e.code == "invalid_code" && s.mfa && s.mfa->attempts_left) {
        // One line: what was wrong, and how close the lock is.
        int left = *s.mfa->attempts_left;
        const bool reused = e.message.find("already used") != std::string::npos;
        return std::string(reused ? "That code was already used." : "That code is not right.") + " " +
               std::to_string(left) + (left == 1 ? " try" : " tries") + " left before a lock.";
    }
    return e.message.empty() ? "That did not work (" + e.code + ")." : e.message;
}

// The code field, the Verify button, and what goes with them. Returns nothing: it dispatches.
void draw_code_entry(const desk::DeskState& s, IntentSink& sink, PanelContext& ctx, bool allow_recovery) {
    MfaForm& form = ctx.memory.mfa;
    const auto& f = theme::fonts();
    const bool verifying = s.mfa && s.mfa->verifying;
    bool submit = false;
    ImGui::BeginDisabled(verifying);
    if (form.use_recovery) {
        submit = sign_in_field("Recovery code", "##recovery", form.recovery, sizeof form.recovery,
                               ImGuiInputTextFlags_CharsNoBlank, form.focus, ctx);
    } else {
        submit = sign_in_field("6-digit code from your app", "##totp", form.code, 7,
                               ImGuiInputTextFlags_CharsDecimal | ImGuiInputTextFlags_CharsNoBlank, form.focus, ctx);
    }
    form.focus = false;
    ImGui::EndDisabled();

    std::string error = !form.local_error.empty() ? form.local_error : verifying ? "" : mfa_error_text(s);
    if (!error.empty()) {
        ImGui::Dummy(ImVec2(0.0f, 2.0f));
        sign_in_error_box(error);
    }
    ImGui::Dummy(ImVec2(0.0f, 6.0f));
    const float width = ImGui::GetContentRegionAvail().x;
    if (verifying) {
        ui::primary_button("##verifying", ImVec2(width, 44.0f));
        ImVec2 a = ImGui::GetItemRectMin(), b = ImGui::GetItemRectMax();
        const char* label = "Verifying";
        float tw = ui::text_size(f.strong, label).x;
        float tx = a.x + (width - tw - 34.0f) * 0.5f;
        float ty = a.y + (b.y - a.y - ui::text_size(f.strong, label).y) * 0.5f;
        ImDrawList* dl = ImGui::GetWindowDrawList();
        ui::draw_text(dl, f.strong, ImVec2(tx, ty), theme::color::on_accent, label);
        ui::progress_dots(dl, ImVec2(tx + tw + 20.0f, (a.y + b.y) * 0.5f + 2.0f), theme::color::on_accent, ctx.now_ms);
        ctx.redraw_within(250);
    } else if (ui::primary_button("Verify", ImVec2(width, 44.0f))) {
        submit = true;
    }
    if (submit && !verifying) {
        form.local_error.clear();
        if (form.use_recovery) {
            if (form.recovery[0] == 0) form.local_error = "Enter one of your recovery codes.";
            else sink.dispatch(desk::MfaIntent{"", form.recovery});
            std::memset(form.recovery, 0, sizeof form.recovery);
        } else {
            if (std::strlen(form.code) != 6) form.local_error = "Enter all 6 digits your authenticator app shows.";
            else sink.dispatch(desk::MfaIntent{form.code, ""});
            std::memset(form.code, 0, sizeof form.code);
        }
        form.focus = true;
        ctx.redraw_within(0);
    }

    // Secondary actions: a recovery code instead, or back to the password.
    ImGui::Dummy(ImVec2(0.0f, 2.0f));
    const float half = (width - 8.0f) * 0.5f;
    if (allow_recovery) {
        if (ui::secondary_button(form.use_recovery ? "Use the app's code" : "Use a recovery code", ImVec2(half, 36.0f))) {
            form.use_recovery = !form.use_recovery;
            form.local_error.clear();
            form.focus = true;
            ctx.redraw_within(0);
        }
        ImGui::SameLine(0.0f, 8.0f);
    }
    if (ui::secondary_button("Back to sign-in", ImVec2(allow_recovery ? half : width, 36.0f))) {
        sink.dispatch(desk::LogoutIntent{});
        ctx.redraw_within(0);
    }
}

// ---- code step ---------------------------------------------------------------------------------
void draw_code_step(const desk::DeskState& s, IntentSink& sink, PanelContext& ctx) {
    const auto& f = theme::fonts();
    step_title("Two-step verification",
               "Open your authenticator app and enter the 6-digit code it shows for Switchboard.");
    draw_code_entry(s, sink, ctx, true);
    std::string left = countdown(s.mfa->expires_at_ms, s, ctx);
    ImGui::Dummy(ImVec2(0.0f, 2.0f));
    ui::text_centered_wrapped(f.small, theme::color::text_faint,
                              left.empty() ? "This step has expired; go back and sign in again."
                                           : "This step stays open for " + left + ".",
                              ImGui::GetContentRegionAvail().x);
}

// ---- enrollment --------------------------------------------------------------------------------
void draw_enroll_step(const desk::DeskState& s, IntentSink& sink, PanelContext& ctx) {
    MfaForm& form = ctx.memory.mfa;
    const auto& f = theme::fonts();
    const desk::MfaChallenge& m = *s.mfa;
    step_title("Set up two-step verification",
               "Scan the QR code with your authenticator app.");
    if (m.qr_size > 0) {
        draw_qr(m.qr_size, m.qr_modules, 200.0f);  // 4 px a module for a 41-module code
        ImGui::Dummy(ImVec2(0.0f, 6.0f));
    }
    // The secret, for typing in by hand, in groups of four, with a Copy button beside it.
    const float width = ImGui::GetContentRegionAvail().x;
    ui::text_centered_wrapped(f.small, text_muted, "Can't scan it? Enter this key in the app:", width);
    const std::string key = grouped(m.secret);
    const float copy_w = 72.0f, gap = 8.0f, box_h = 36.0f;
    const float box_w = width - copy_w - gap;
    ImFont* key_font = ui::text_size(f.strong, key).x <= box_w - 20.0f ? f.strong
                       : ui::text_size(f.body, key).x <= box_w - 20.0f ? f.body : f.small;
    const float key_w = ui::text_size(key_font, key).x;
    ImVec2 p = ImGui::GetCursorScreenPos();
    ImDrawList* dl = ImGui::GetWindowDrawList();
    dl->AddRectFilled(p, ImVec2(p.x + box_w, p.y + box_h), theme::color::surface_hover, theme::kControlRounding);
    dl->AddRect(p, ImVec2(p.x + box_w, p.y + box_h), theme::color::border, theme::kControlRounding);
    const float tx = p.x + std::max(8.0f, (box_w - key_w) * 0.5f);
    ui::draw_text(dl, key_font, ImVec2(tx, ui::centred_y(key_font, p.y, box_h)), text, key);
    ImGui::SetCursorScreenPos(ImVec2(p.x + box_w + gap, p.y));
    const bool recently = form.copied && ctx.now_ms - form.copied_at_ms < 2000;
    if (ui::secondary_button(recently ? "Copied" : "Copy", ImVec2(copy_w, box_h))) {
        ImGui::SetClipboardText(m.secret.c_str());
        form.copied = true;
        form.copied_at_ms = ctx.now_ms;
        ctx.redraw_within(2000);
    }
    ImGui::SetCursorScreenPos(ImVec2(p.x, p.y + box_h));
    ImGui::Dummy(ImVec2(width, 10.0f));
    draw_code_entry(s, sink, ctx, false);
}

// ---- recovery codes ----------------------------------------------------------------------------
void draw_recovery_codes(const desk::DeskState& s, IntentSink& sink, PanelContext& ctx) {
    MfaForm& form = ctx.memory.mfa;
    const auto& f = theme::fonts();
    step_title("Save your recovery codes",
               "If you lose your phone, each of these codes signs you in once instead of the app's code. "
               "They are shown only now: copy them somewhere safe.");
    const float width = ImGui::GetContentRegionAvail().x;
    const float row_h = ui::line_height(f.strong) + 10.0f;
    const size_t rows = (s.recovery_codes.size() + 1) / 2;
    ImVec2 p = ImGui::GetCursorScreenPos();
    const float box_h = static_cast<float>(rows) * row_h + 16.0f;
    ImDrawList* dl = ImGui::GetWindowDrawList();
    dl->AddRectFilled(p, ImVec2(p.x + width, p.y + box_h), theme::color::surface_hover, theme::kControlRounding);
    dl->AddRect(p, ImVec2(p.x + width, p.y + box_h), theme::color::border, theme::kControlRounding);
    for (size_t i = 0; i < s.recovery_codes.size(); ++i) {
        const float col_x = p.x + (i % 2 == 0 ? width * 0.25f : width * 0.75f);
        const std::string& code = s.recovery_codes[i];
        const float tw = ui::text_size(f.strong, code).x;
        ui::draw_text(dl, f.strong, ImVec2(col_x - tw * 0.5f, p.y + 8.0f + static_cast<float>(i / 2) * row_h + 5.0f),
                      text, code);
    }
    ImGui::Dummy(ImVec2(width, box_h + 8.0f));
    const float half = (width - 8.0f) * 0.5f;
    const bool recently = form.copied && ctx.now_ms - form.copied_at_ms < 2000;
    if (ui::secondary_button(recently ? "Copied" : "Copy all", ImVec2(half, 44.0f))) {
        std::string all;
        for (const auto& c : s.recovery_codes) all += c + "\n";
        ImGui::SetClipboardText(all.c_str());
        form.copied = true;
        form.copied_at_ms = ctx.now_ms;
        ctx.redraw_within(2000);
    }
    ImGui::SameLine(0.0f, 8.0f);
    if (ui::primary_button("I have saved these", ImVec2(half, 44.0f))) {
        sink.dispatch(desk::MfaDoneIntent{});
        ctx.redraw_within(0);
    }
}

}  // namespace

// ---- draw_mfa_step -----------------------------------------------------------------------------

bool mfa_step_showing(const desk::DeskState& s) {
    return (s.session == desk::SessionState::MfaRequired && s.mfa) || !s.recovery_codes.empty();
}

float mfa_card_width(const desk::DeskState& s) {
    return s.mfa && s.mfa->step == "enroll" ? 440.0f : !s.recovery_codes.empty() ? 460.0f : 400.0f;
}

void draw_mfa_step(const desk::DeskState& s, IntentSink& sink, PanelContext& ctx) {
    MfaForm& form = ctx.memory.mfa;
    if (!s.recovery_codes.empty()) return draw_recovery_codes(s, sink, ctx);
    if (!s.mfa) return;
    reset_for(form, *s.mfa);
    if (s.login_error != form.seen_error) {
        form.seen_error = s.login_error;
        form.focus = true;  // after a wrong code, type the next one straight away
    }
    if (s.mfa->step == "enroll") draw_enroll_step(s, sink, ctx);
    else draw_code_step(s, sink, ctx);
}

}  // namespace sb::shell
