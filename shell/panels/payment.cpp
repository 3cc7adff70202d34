// shell/panels/payment.cpp: "Take payment" in the customer card of a verified, active contact
// (docs/payments.md).
//
// Idle: the amount and Take payment; the last payment's outcome (with Refund once approved).
// Capturing: the call recording's state first (the card may be typed only once the server says
// the recording is paused, or the contact is not recorded); the card number in a masked field
// with its progress ("16 digits · Visa"), expiry and CVC; Charge and Cancel. The number is
// checked here (Luhn, expiry, CVC) before it leaves, sent once, then wiped from this memory.
// Authorising: a progress line until the server's answer.
//
// Sections: memory · pieces · draw_payment
#include <algorithm>
#include <cstring>
#include <string>

#include <imgui.h>

#include "../format.h"
#include "../theme.h"
#include "../widgets.h"
#include "contact/card.h"
#include "contact/payment_card.h"
#include "contact_view.h"
#include "memory.h"
#include "panels.h"

namespace sb::shell {

namespace {

namespace color = theme::color;

// ---- memory ------------------------------------------------------------------------------------
// What the agent typed, per contact, is a PaymentDraft in PanelMemory::payment (memory.h). The
// card fields are overwritten before they are let go (wipe_secret, PaymentDraft::wipe_card).

// "12.50" -> 1250; -1 when it is not an amount.
int64_t parse_amount(const std::string& text) {
    std::string t;
    for (char c : text)
        if (c != ' ' && c != ',' && c != '$') t += c;
    if (t.empty() || t.size() > 12) return -1;
    const size_t dot = t.find('.');
    const std::string whole = t.substr(0, dot), frac = dot == std::string::npos ? "" : t.substr(dot + 1);
    if (whole.empty() && frac.empty()) return -1;
    if (frac.size() > 2) return -1;
    for (char c : whole + frac)
        if (c < '0' || c > '9') return -1;
    int64_t cents = (whole.empty() ? 0 : std::stoll(whole)) * 100;
    if (!frac.empty()) cents += std::stoll(frac) * (frac.size() == 1 ? 10 : 1);
    return cents;
}

int card_filter(ImGuiInputTextCallbackData* data) {
    const ImWchar c = data->EventChar;
    return (c >= '0' && c <= '9') || c == ' ' || c == '-' || c == '/' ? 0 : 1;
}

// ---- pieces ------------------------------------------------------------------------------------
void box(const std::string& text, ImU32 bg, ImU32 fg, float w) {
    const auto& f = theme::fonts();
    ImDrawList* dl = ImGui::GetWindowDrawList();
    const ImVec2 o = ImGui::GetCursorScreenPos();
    const float inner = w - 20.0f;
    const ImVec2 ts = f.small->CalcTextSizeA(ui::line_height(f.small), FLT_MAX, inner, text.c_str());
    const float h = ts.y + 16.0f;
    dl->AddRectFilled(o, ImVec2(o.x + w, o.y + h), bg, 8.0f);
    dl->AddText(f.small, ui::line_height(f.small), ImVec2(o.x + 10.0f, o.y + 8.0f), fg, text.c_str(), nullptr, inner);
    ImGui::Dummy(ImVec2(w, h));
}

std::string brand_name(const std::string& brand) {
    if (brand == "visa") return "Visa";
    if (brand == "mastercard") return "Mastercard";
    if (brand == "amex") return "American Express";
    if (brand == "discover") return "Discover";
    return brand;
}

std::string card_words(const contact::PaymentMethod& m) {
    return brand_name(m.brand) + " •••• " + m.last4 + (m.expiry.empty() ? "" : " · exp " + m.expiry);
}

// The recording line of an open capture: may the card be typed?
bool recording_line(const contact::Contact& c, const contact::Payment& p, float w) {
    using contact::RecordingState;
    const RecordingState r = p.recording;
    if (r == RecordingState::Paused) {
        box("Recording paused while the card is taken. It resumes by itself afterwards.", color::success_soft,
            color::success_active, w);
        return true;
    }
    if (r == RecordingState::Off) {  // chat and SMS are not recorded; a call this server cannot pause is refused
        if (c.channel != contact::Channel::Voice) return true;
        box("This server cannot pause the call's recording, so the card cannot be taken on this call. Cancel, "
            "and take it another way.",
            color::danger_soft, color::danger, w);
        return false;
    }
    if (r == RecordingState::Unknown) {
        box("The recorder has not confirmed the pause yet; trying again. Do not let the customer read the card.",
            color::amber_soft, color::warning_text, w);
        return false;
    }
    if (r == RecordingState::Pausing) {
        box("Pausing the call recording… Do not let the customer read the card yet.", color::amber_soft,
            color::warning_text, w);
        return false;
    }
    box("The call is still being recorded: the card cannot be taken until the recording pauses. Cancel and try again.",
        color::danger_soft, color::danger, w);
    return false;
}

}  // namespace

// ---- draw_payment -------------------------------------------------------------------------------

void draw_payment(const desk::DeskState& s, const contact::Contact& c, IntentSink& sink, PanelContext& ctx, float w) {
    // A card typed and not sent (a typo the check refused, then the call ended) is not kept:
    // every draft whose contact is gone or no longer capturing is wiped, whichever is shown.
    // (The draft itself goes with its contact, in PanelMemory::forget_gone, wiped once more.)
    for (auto& [id, draft] : ctx.memory.payment) {
        const contact::Contact* k = desk::find_contact(s, id);
        const bool capturing = k && k->state == contact::ContactState::Active && k->payment && k->payment->state == contact::PaymentState::Capturing;
        if (!capturing) draft.wipe_card();
    }
    const auto& f = theme::fonts();
    const bool verified = c.customer.sensitive && c.customer.sensitive->unlocked;
    const bool active = c.state == contact::ContactState::Active;
    if (!active || (!verified && !c.payment)) return;
    PaymentDraft& d = ctx.memory.payment.at(c.id);
    ImDrawList* dl = ImGui::GetWindowDrawList();

    ImGui::Dummy(ImVec2(0.0f, 2.0f));
    const ImVec2 o = ImGui::GetCursorScreenPos();
    ui::text(f.strong, color::text, "Payment");
    if (c.payment && c.payment->open()) {
        const std::string amount = ui::format_money(c.payment->amount, c.payment->currency);
        const ImVec2 chip = ui::chip_size(amount);
        ui::draw_chip(dl, ImVec2(o.x + w - chip.x, o.y - 1.0f), amount, color::accent_soft, color::accent);
    }
    ImGui::SetCursorPosY(ImGui::GetCursorPosY() - 2.0f);
    ImGui::PushStyleVar(ImGuiStyleVar_FramePadding, ImVec2(12.0f, 7.0f));
    const float bh = 32.0f;

    const contact::Payment* p = c.payment ? &*c.payment : nullptr;
    if (p && p->state == contact::PaymentState::Authorizing) {
        const ImVec2 at = ImGui::GetCursorScreenPos();
        ui::progress_dots(dl, ImVec2(at.x + 14.0f, at.y + ui::line_height(f.small) * 0.5f + 1.0f), color::accent, ctx.now_ms);
        ctx.redraw_within(250 - ctx.now_ms % 250);
        ImGui::SetCursorScreenPos(ImVec2(at.x + 32.0f, at.y));
        ui::text(f.small, color::text_muted, "Authorising the card with the bank…");
    } else if (p && p->state == contact::PaymentState::Capturing) {
        const bool may_type = recording_line(c, *p, w);
        if (!p->error_code.empty())
            box(p->error_message.empty() ? p->error_code : p->error_message, color::danger_soft, color::danger, w);
        if (!d.problem.empty()) box(d.problem, color::danger_soft, color::danger, w);
        ImGui::BeginDisabled(!may_type);
        ui::text(f.small, color::text_muted, "Card number");
        ImGui::SetNextItemWidth(w);
        bool enter = false;
        if (ui::input_text("##card_number", d.number, "As the customer reads it",
                           ImGuiInputTextFlags_Password | ImGuiInputTextFlags_CallbackCharFilter, &enter, card_filter))
            d.problem.clear();
        std::string digits = contact::normalise_card_number(d.number).value_or("");
        std::string progress = std::to_string(digits.size()) + (digits.size() == 1 ? " digit" : " digits");
        const contact::CardBrand brand = contact::card_brand(digits);
        if (brand != contact::CardBrand::Unknown) progress += " · " + brand_name(std::string(contact::to_string(brand)));
        if (digits.size() >= 13 && contact::luhn_valid(digits) && contact::card_length_valid(brand, digits.size()))
            progress += " · checks out";
        wipe_secret(digits);
        ui::text(f.small, color::text_faint, progress);
        const float half = (w - 8.0f) * 0.5f;
        ui::text(f.small, color::text_muted, "Expiry (MM/YY)");
        ImGui::SameLine(half + 8.0f);
        ui::text(f.small, color::text_muted, "Security code");
        ImGui::SetNextItemWidth(half);
        bool enter2 = false, enter3 = false;
        if (ui::input_text("##card_expiry", d.expiry, "MM/YY", ImGuiInputTextFlags_CallbackCharFilter, &enter2, card_filter))
            d.problem.clear();
        ImGui::SameLine(0.0f, 8.0f);
        ImGui::SetNextItemWidth(half);
        if (ui::input_text("##card_cvc", d.cvc, "CVC", ImGuiInputTextFlags_Password | ImGuiInputTextFlags_CharsDecimal, &enter3))
            d.problem.clear();
        ImGui::Dummy(ImVec2(w, 2.0f));
        const std::string charge = "Charge " + ui::format_money(p->amount, p->currency);
        const float cw = ui::text_size(f.body, charge).x + 28.0f;
        const bool clicked = ui::primary_button(charge.c_str(), ImVec2(cw, bh));
        ImGui::EndDisabled();
        if ((clicked || ((enter || enter2 || enter3) && may_type)) && may_type) {
            auto checked = contact::check_card(d.number, d.expiry, d.cvc, view::server_now(s, ctx.now_ms));
            if (!checked.ok()) {
                d.problem = checked.problem->message;
            } else {
                sink.dispatch(desk::PaymentSubmitIntent{c.id, p->id, d.number, d.expiry, d.cvc});
                d.wipe_card();
            }
        }
        ImGui::SameLine(0.0f, 8.0f);
        const float xw = ui::text_size(f.body, "Cancel").x + 28.0f;
        if (ui::secondary_button("Cancel##payment", ImVec2(xw, bh))) {
            sink.dispatch(desk::PaymentCancelIntent{c.id, p->id});
            d.wipe_card();
            d.problem.clear();
        }
    } else {
        if (!d.number.empty() || !d.cvc.empty()) d.wipe_card();
        if (p && p->state == contact::PaymentState::Approved && p->card) {
            box("Paid " + ui::format_money(p->amount, p->currency) + " with " + card_words(*p->card) + ".",
                color::success_soft, color::success_active, w);
            const float rw = ui::text_size(f.body, "Refund").x + 28.0f;
            if (ui::secondary_button("Refund##payment", ImVec2(rw, bh))) sink.dispatch(desk::RefundIntent{c.id, p->id, 0});
            if (ImGui::IsItemHovered()) ImGui::SetTooltip("Refund the whole payment to the same card");
        } else if (p && p->state == contact::PaymentState::Refunded) {
            box("Refunded " + ui::format_money(p->amount, p->currency) + (p->card ? " to " + card_words(*p->card) : "") + ".",
                color::surface_active, color::text_muted, w);
        } else if (p && (p->state == contact::PaymentState::Cancelled || p->state == contact::PaymentState::Expired)) {
            ui::text(f.small, color::text_faint, p->state == contact::PaymentState::Expired ? "The last capture timed out." : "The last capture was cancelled.");
        }
        if (verified && !(p && p->state == contact::PaymentState::Approved)) {
            if (!d.problem.empty()) box(d.problem, color::danger_soft, color::danger, w);
            const float bw = ui::text_size(f.body, "Take payment").x + 28.0f;
            ImGui::SetNextItemWidth(w - bw - 8.0f);
            bool enter = false;
            if (ui::input_text("##payment_amount", d.amount, "Amount, e.g. 45.99", ImGuiInputTextFlags_CharsDecimal, &enter))
                d.problem.clear();
            ImGui::SameLine(0.0f, 8.0f);
            const bool clicked = ui::primary_button("Take payment", ImVec2(bw, bh));
            if (ImGui::IsItemHovered())
                ImGui::SetTooltip("Opens a card capture; a recorded call's recording pauses until it ends");
            if (clicked || enter) {
                const int64_t cents = parse_amount(d.amount);
                if (cents <= 0 || cents > 10'000'000) d.problem = "Type the amount to charge, e.g. 45.99.";
                else sink.dispatch(desk::PaymentStartIntent{c.id, cents, ""});
            }
        }
    }
    ImGui::PopStyleVar();
    ImGui::Dummy(ImVec2(w, 4.0f));
    // A capture that just opened (or changed state) scrolls the card so the whole form shows.
    const std::string now_shown = p ? p->id + "/" + std::string(contact::to_string(p->state)) : std::string();
    if (now_shown != d.shown) {
        if (p && (p->open() || !d.shown.empty())) ImGui::SetScrollHereY(1.0f);
        d.shown = now_shown;
    }
}

}  // namespace sb::shell
